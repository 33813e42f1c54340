#!/usr/bin/env bash
# Type sources in the TUI (issue 13 items 1-3, 7) on the alist fixture,
# whose programs' BTF only declares struct arena_list_node: the status line
# says what is missing, :types FILE adds the fixture's header, after which
# the same :print shows the node, and :type shows a struct as ptype /o.
ST_COLS=260 # the whole message on one line
. "$(dirname "$0")/lib.sh"
st_setup
command -v clang-19 >/dev/null && command -v pahole >/dev/null ||
	skip "needs clang-19 and pahole (dwarves)"
HEADER="$(cd "$(dirname "$0")/../.." && pwd)/bpf_fixtures/include/fxlist.h"
st_load alist
st_start
st_run pinned "$ST_PIN/arena"
st_gone "loading types..." || fail "types did not load"
st_keys : "print *list_head->first" Enter
st_expect "struct arena_list_node is only declared in the BTF of the programs using this arena" \
	"the status line says the node is only declared"
pass "dereferencing the declared-only node says so on the status line"
st_keys : "print *table_for_user" Enter
st_expect "'table_for_user' is a void *: cast it, e.g. *(struct NAME *)table_for_user" \
	"the void * root asks for a cast"
pass "a void * root asks for a cast"

st_keys : "types $HEADER" Enter
st_wait_re "types from .*fxlist.h \(C, (converted|cached)\)" || fail "no message that the types were added"
pass ":types FILE adds the header"
st_keys : "print *list_head->first" Enter
st_expect "pprev" "the node's members after :types"
st_keys : "print *(struct fxl_table *)table_for_user" Enter
st_expect "nbuckets" "a cast to a type only the header has"
pass "the node and a cast to a header-only type show after :types"

st_keys : "type struct elem" Enter
st_expect "/* offset      |    size */  type = struct elem {" ":type shows ptype /o"
st_expect "/*      8      |      16 */    struct arena_list_node {" "the nested node at offset 8"
pass ":type shows the layout as ptype /o"
st_keys q # the text view
st_quit 0

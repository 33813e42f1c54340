#!/usr/bin/env bash
# Allocators in the TUI on the `alist` fixture (its page-fragment allocator):
# `a` colours the page map by allocator (page_frag's pages 'p', the freed
# page '.'), `i` on a page map cell and on a hex address names the
# allocation that holds it, Enter there shows it in hex, and hex marks
# where a known object begins.
. "$(dirname "$0")/lib.sh"
st_setup
st_load alist
st_start
head=$(st_json list_head)
[ -n "$head" ] || fail "fixture JSON lacks list_head: $ST_JSON"
st_run "id $ST_ID"
st_expect "pages 64 (256 KiB)" "page map"
st_keys a
st_expect "by allocator: p page_frag  g globals  ? unclaimed (0)" "legend by allocator"
# pages 0 and 1 are the allocator's, page 2 was freed at count 0
st_wait_re "^ +0  pp\\." || fail "page map row 0 by allocator: pages 0-1 'p', page 2 free '.'"
pass "page map coloured by allocator"

st_keys Home i
st_expect "in page_frag's pages (objects), in no object it lists (page 0)" "i on a page map cell"
st_expect "pages 0-0: objects, live count " "the page's live count"
st_keys q
st_expect "by allocator: p page_frag" "back in the page map"
pass "i on a page map cell"

# hex at the list head: i names the object, marks show where it begins
st_keys Enter
st_expect "[hex]" "hex view"
st_keys @
st_keys "$head" Enter
st_wait_re "^$head  \+0x[0-9a-f]+  page 0  u64 " || fail "hex cursor at $head"
st_expect "|55 00 00 00 00 00 00 00  |........U.......| <live 8 B" "hex marks the object's start and end"
st_keys i
st_expect "live object of page_frag: $head-" "i in hex"
st_expect "(8 bytes, +0); root list_head" "the object's size and note"
st_expect "type: struct arena_list_head" "the object's type"
st_keys Enter
st_expect "[hex]" "Enter goes to the allocation"
st_wait_re "^$head  \+0x[0-9a-f]+  page 0  u64 " || fail "hex at the allocation"
pass "i in hex, Enter goes there"
st_quit 0
pass "quit"

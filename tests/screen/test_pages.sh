#!/usr/bin/env bash
# Arena chooser and page map on the `sparse` fixture (4 GiB, ~3000 scattered
# pages, reserved runs): the counts on screen match the fixture's, zoom
# works, Enter opens a page in hex, reserved and free runs are one line each.
. "$(dirname "$0")/lib.sh"
st_setup
st_load sparse
st_start
alloc=$(st_json allocated_pages)
resv=$(st_json reserved_pages)
[ -n "$alloc" ] && [ -n "$resv" ] || fail "fixture JSON lacks counts: $ST_JSON"

# no ARENA: the chooser lists the arenas; find ours by id and open it
st_run
st_expect "ID       NAME" "chooser header"
st_expect "sparse_arena" "chooser lists the fixture"
st_keys / "$ST_ID" Enter
st_wait_re "^ *$ST_ID +sparse_arena +4 GiB +$alloc +$resv " ||
	fail "chooser row for $ST_ID with $alloc allocated, $resv reserved"
st_keys Enter
st_expect "arena $ST_ID 'sparse_arena'  4 GiB" "title of the opened arena"
st_expect "pages 1048576 (4 GiB)  allocated $alloc (" "allocated pages"
st_expect "reserved $resv  free $((1048576 - alloc - resv))  free runs " "reserved and free pages"
st_expect "pages/cell (fit)" "whole arena fits"
pass "page map counts match the fixture ($alloc allocated, $resv reserved)"

# zoom in twice, then back to fit
cells=$(st_screen | grep -o '[0-9]* pages/cell (fit)' | cut -d' ' -f1)
st_keys +
st_expect "$((cells / 2)) pages/cell" "zoom in"
st_keys - 0
st_expect "$cells pages/cell (fit)" "zoom to fit"
pass "zoom"

# the first cell holds the NULL guard: reserved, never read
st_keys Home Enter
st_expect "[hex]" "hex view"
st_expect "-- pages 0-15 reserved, not allocated (16 pages, 64 KiB) --" "reserved guard as one line"
st_wait_re "^ +10000  200000010000  -- pages 16-[0-9]+ not allocated" || fail "free run as one line"
pass "hex view shows reserved and free runs without reading them"

# :goto an expression (the fixture's root) lands on an allocated page
st_keys :
st_keys "goto last" Enter
st_wait_re "^0x[0-9a-f]+  \+0x[0-9a-f]+  page [0-9]+  u64 " || fail ":goto last"
pass ":goto EXPR"

st_quit 0
pass "quit, terminal restored"

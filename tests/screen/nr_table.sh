#!/usr/bin/env bash
# The table view on a snapshot, as an unprivileged user, whole screens
# compared with expected/*.txt (see snaplib.sh; mksnap.c: tbl->buckets is a
# struct bucket[4] { u64 hits; struct node *head; } with hits 3, 0, 7, 1):
# T on the array in the struct view, S (descending) on the selected column,
# s then a column's letter, :filter on a member by name, :filter alone,
# Enter to the struct view.
. "$(dirname "$0")/snaplib.sh"
st_snap_setup
st_snap_start
st_run "$ST_SNAP"
st_expect "largest free run 24" "page map"

# roots; follow tbl; T on buckets
st_keys M-3
st_expect "tbl = 0x100000008000" "roots in the struct view"
st_keys Down Down Down Enter
st_expect "*tbl   [2/2]" "followed tbl"
st_keys Down Down
st_expect "0x100000008008  struct bucket[4]  tbl->buckets" "buckets selected"
st_keys T
st_screen_is table "tbl->buckets: 4 elements of struct bucket"

# S: the selected column (hits), largest first; the header marks it
st_keys S
st_screen_is table_sorted "the letter over a column sorts by it instead"

# s, then c (b is page up): head ascending (NULL is 0, so bucket 1 first)
st_keys s c
st_expect "head▲" "sorted by head"
st_screen | grep -A1 -F "head▲" | tail -1 | grep -qE '^ *1 +0 +NULL' || fail "NULL head not first"
pass "s then a column's letter sorts by that column"

# :sort -hits, then a filter on a member by name
st_keys : "sort -hits" Enter
st_keys : "filter hits > 1 && head != 0" Enter
st_screen_is table_filter "filter hits > 1 && head != 0: 2 of 4 rows"

# Enter on the second row (bucket 0: hits 3) opens it in the struct view
st_keys Down Enter
st_expect "tbl->buckets[0] (struct bucket)" "Enter opens the row"
st_expect "hits = 3" "the row's element"
pass "Enter opens the row in the struct view"

# 5 back to the table; :filter alone clears it
st_keys M-5
st_expect "2 of 4 rows" "back to the table"
st_keys : filter Enter
st_expect "[table: 4 rows]" ":filter clears"
st_expect "filter hits > 1 && head != 0 off: 4 rows" "cleared, said"

# a bad filter: one error line, the table stays
st_keys : "filter nosuch > 1" Enter
st_expect "filter nosuch > 1: tbl->buckets[0]:" "a filter naming no member"
st_keys : filter Enter

# :table on something that is not an array
st_keys : "table tbl->nr" Enter
st_expect "tbl->nr is int, not an array or a pointer" "not an array"

# L on a pointer in the struct view walks its list (gptr: nodes 1, 2 then
# NULL); :walk on the cycle says where it closes
st_keys M-3 R
st_expect "gptr = 0x100000001000" "roots"
st_keys g g
while ! st_screen | tail -1 | grep -q " gptr "; do
	st_keys Down
	n=$((${n:-0} + 1))
	[ $n -lt 10 ] || fail "no gptr line in the roots"
done
st_keys L
st_screen_is table_walk "walk gptr: 2 nodes of struct node, ended: null"
st_keys : "walk cyc" Enter
st_expect "walk cyc: 2 nodes of struct node, ended: cycle (node 1 links back to node 0)" "a cycle"
st_keys : "walk gptr --max 1" Enter
st_expect "walk gptr: 1 node of struct node, cut at 1 nodes (--max; the chain goes on)" "--max"
st_keys : "walk tbl->nr" Enter
st_expect "walk tbl->nr: " "not a pointer: one error line"
st_keys : "walk gptr --bogus 1" Enter
st_expect "walk: unknown option --bogus" "a bad option"

st_quit 0
pass "quit, terminal restored"

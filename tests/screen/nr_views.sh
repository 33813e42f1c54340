#!/usr/bin/env bash
# Views on a snapshot, as an unprivileged user, whole screens compared with
# expected/*.txt (see snaplib.sh; mksnap.c describes the arena): the page
# map with allocated, reserved and free runs; hex of an allocated page and
# of a free and a reserved run; the struct view following pointers from a
# root through an expanded array of structs.
. "$(dirname "$0")/snaplib.sh"
st_snap_setup
st_snap_start
st_run "$ST_SNAP"
st_screen_is pages "largest free run 24"

# Enter on the second cell: page 1, the two-node list
st_keys Right Enter
st_screen_is hex_page "page 1  u64 0x1 (1)"

# a free run (pages 12-23) and the reserved run after it, one line each
st_keys : "hex 0x10000000c000" Enter
st_screen_is hex_unallocated "page 12 is not allocated"

# roots; follow tbl, expand buckets and [0], follow [0].head
st_keys M-3
st_expect "tbl = 0x100000008000" "roots in the struct view"
st_keys Down Down Down Enter
st_expect "*tbl   [2/2]" "followed tbl"
st_keys Down Down Enter Down Enter
st_expect "head = 0x100000001000" "expanded buckets[0]"
st_keys Down Down Enter
st_screen_is struct_follow "*tbl->buckets[0].head   [3/3]"

st_quit 0
pass "quit, terminal restored"

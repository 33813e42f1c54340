#!/usr/bin/env bash
# :diff between two snapshots, as an unprivileged user, whole screens
# compared with expected/*.txt (see snaplib.sh): the arena of mksnap
# --after (mksnap.c lists what changed) compared with mksnap's, through the
# library's diff engine. The page map counts and marks the pages allocated
# and freed since; in hex, ] goes from change to change in address order
# (two single bytes in the table, a qword of the pattern, the freed page, the
# two new pages; the reserved page that became free is passed over) and [
# comes back.
. "$(dirname "$0")/snaplib.sh"
st_snap_setup
after=$ST_TMP/after.snap
$ST_AS "$ST_TMP/bin/$(basename "$MKSNAP_BIN")" "$after" --after || fail "mksnap --after"
st_snap_start
st_run "$after"
st_expect "largest free run" "page map"

st_keys : "diff $ST_SNAP" Enter
st_expect "diff vs $ST_SNAP: 2 pages allocated and 1 freed since" ":diff counts the page changes"
st_screen_is diff_pages "synth.snap: 2 pages allocated,"

st_keys M-2
st_expect "diff vs $ST_SNAP: 0 bytes differ on this screen" "hex view at page 0: nothing differs"
step() { # step KEY TEXT
	st_keys "$1"
	st_expect "$2" "$1 -> $2"
}
step ']' "differs from the snapshot at 0x100000008000"
st_screen_is diff_hex "differs from the snapshot at 0x100000008000"
step ']' "differs from the snapshot at 0x100000008018"
step ']' "differs from the snapshot at 0x100000009100"
step ']' "pages freed since the snapshot at 0x10000000a000"
step ']' "page not in the snapshot at 0x10000000c000"
step ']' "no further change vs $ST_SNAP"
pass "] goes from change to change, the reserved page passed over"
step '[' "pages freed since the snapshot at 0x10000000a000"
step '[' "differs from the snapshot at 0x100000009100"
step '[' "differs from the snapshot at 0x100000008018"
step '[' "differs from the snapshot at 0x100000008000"
step '[' "no earlier change vs $ST_SNAP"
pass "[ comes back the same way"

st_keys : diff Enter
st_expect "diff vs $ST_SNAP off" ":diff off"
st_quit 0
pass "quit, terminal restored"

#!/usr/bin/env bash
# The health view on a snapshot, as an unprivileged user (see snaplib.sh;
# mksnap.c describes the arena): H runs the check (the synthetic arena has
# no bad pointers; pages 28-39 are allocated but reached by no
# root), Enter shows a run's first page in hex; x on page 1 of the page
# map lists what points into it, with the typed walk's paths (the global's
# glob.head at 0x20 and tbl->buckets[0].head at 0x8010 point at the first
# node, gptr->next and tbl->buckets[3].head at the second), Enter goes to
# a referrer; x on a
# qword in hex and on a field in the struct view; :check runs it again.
. "$(dirname "$0")/snaplib.sh"
st_snap_setup
st_snap_start
st_run "$ST_SNAP"
st_screen_is pages "largest free run 24"

st_keys H
st_screen_is health_check "unreachable pages 28-39"
st_keys Enter
st_expect "10000001c000" "Enter: the run's first page in hex"

# x on page 1 in the page map
st_keys M-1 Right x
st_screen_is health_refs "4 references into [0x100000001000, 0x100000002000)"
st_keys Enter
st_expect "       0  100000000000  2a 00" "Enter: the referrer at 0x100000000020 in hex"
# x on that qword (the global gptr): nothing points at it
st_keys x
st_expect "0 references into [0x100000000020, 0x100000000028)" "x on a hex qword"
st_expect "nothing points there" "x on a hex qword: none"

# x on a field of the struct view: the root tbl's object, *tbl->buckets[0].head
st_keys : "print *tbl->buckets[0].head" Enter
st_expect "*tbl->buckets[0].head" "struct view"
st_keys x
st_expect "references into [0x100000001000, 0x1000000010" "x on the struct: its size"

st_keys : check Enter
st_expect "HEALTH CHECK (:check again)" ":check runs it again"
st_expect "unreachable pages 28-39 (12 pages) at 0x10000001c000" ":check: the runs"

# q leaves the health view (transient), then quits
st_keys q
st_expect "[struct]" "q: back to the struct view"
st_quit 0
pass "health view: check, refs, Enter, :check"

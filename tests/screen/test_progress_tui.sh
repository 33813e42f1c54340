#!/usr/bin/env bash
# Long work in the TUI shows its progress and can be cancelled (issue 14):
# on the sparse fixture (about 3000 scattered pages, read in a few dozen
# gathered batches: a few dozen progress ticks), with
# AI_TEST_SLOW_PROGRESS=100 (each tick sleeps 100 ms: the fixtures are too
# small for a check to take the 200 ms after which progress shows), H shows "checking: scan: N of M pages" on the
# status line while the check runs, Esc cancels it and the TUI goes on;
# :check again, then Ctrl-C cancels the check, not the program; x on the
# page map builds the refs index with its progress, Esc cancels it; and q
# still quits with status 0. No page of the arena is allocated by any of it.
. "$(dirname "$0")/lib.sh"
st_setup
st_load sparse
ST_ENV="AI_TEST_SLOW_PROGRESS=100"
st_start
before=$(st_count)
[ -n "$before" ] || fail "no page count from arena-fixture count"

st_run "id $ST_ID"
st_expect "arena $ST_ID" "arena open"
st_keys H
st_wait_re "checking: scan: [0-9]+ of $before pages \([0-9]+%\).*   Esc or Ctrl-C: cancel" ||
	fail "no progress on the status line while the check runs"
st_keys Escape
st_expect "check cancelled (:check runs it again)" "Esc cancels the check"
st_lacks -E '^EXIT=' || fail "Esc ended the program"
pass "the check shows its progress, Esc cancels it"

st_keys : check Enter
st_wait_re "checking: scan: [0-9]+ of $before pages" || fail "no progress for :check"
st_keys C-c
st_expect "check cancelled (:check runs it again)" "Ctrl-C cancels the check"
sleep 0.3
st_lacks -E '^EXIT=' || fail "Ctrl-C ended the program"
st_expect "HEALTH CHECK (:check again)" "the health view is still up"
pass "Ctrl-C cancels the check, not the program"

# the refs index, from the page map
st_keys q
st_expect "[pages]" "back to the page map"
st_keys x
st_wait_re "indexing references: [0-9]+ of $before pages" || fail "no progress for the refs index"
st_keys Escape
st_expect "references: cancelled" "Esc cancels the refs index"
pass "the refs index shows its progress, Esc cancels it"

after=$(st_count)
[ "$before" = "$after" ] || fail "allocated pages $before before, $after after"
pass "no page allocated ($after)"
st_keys q
st_quit 0

#!/usr/bin/env bash
# Live data on the `churn` fixture (pages allocated, freed and rewritten):
# the daemon is paused and driven one step at a time, the TUI refreshes on
# request (r), so the screen is compared without depending on timing. The
# page map follows the kernel's counts and marks what changed.
. "$(dirname "$0")/lib.sh"
st_setup
st_load churn
"$FIXTURE_BIN" pause --pin "$ST_PIN" >/dev/null || fail "cannot pause churn"
st_start

before=$(st_count)
st_run --interval 3600000 id "$ST_ID"
st_expect "arena $ST_ID 'churn_arena'" "title"
st_expect "allocated $before (" "page map before"

"$FIXTURE_BIN" step --pin "$ST_PIN" 40 >/dev/null || fail "churn step"
after=$(st_count)
st_keys r
st_expect "allocated $after (" "page map after 40 steps (r refreshes)"
# cells allocated (+) or freed (-) since the previous refresh are marked
st_screen | grep -E '^ +[0-9a-f]+  ' | grep -qE '[-+]' || fail "no +/- marks after the change"
pass "page map follows the arena ($before -> $after allocated) and marks changes"

# one more refresh without a change clears the marks
st_keys r
n=100
while st_screen | grep -E '^ +[0-9a-f]+  ' | grep -qE '[-+]' && [ $n -gt 0 ]; do sleep 0.05; n=$((n - 1)); done
[ $n -gt 0 ] || fail "marks still shown after a refresh without changes"
pass "marks last one refresh"

# p freezes the display (not the sampling): the title says so, and r still shows the last data
st_keys p
st_expect "FROZEN (p), sampling" "pause"
st_keys p
st_gone "FROZEN (p)" || fail "resume"
pass "pause and resume"

st_quit 0
pass "quit, terminal restored"

#!/usr/bin/env bash
# The watch pane on the `churn` fixture: the daemon is paused and driven one
# step at a time (arena-fixture step), the TUI samples on request (r), so
# the screen is compared without depending on timing. A watch added with w
# in the struct view counts the change the fixture made; a conditional
# watch that becomes true pauses the display and is marked; :log writes the
# events as JSON lines.
. "$(dirname "$0")/lib.sh"
st_setup
st_load churn
"$FIXTURE_BIN" pause --pin "$ST_PIN" >/dev/null || fail "cannot pause churn"
steps() { "$FIXTURE_BIN" count --pin "$ST_PIN" | grep -o '"fixture_steps":[0-9]*' | cut -d: -f2; }
step() { "$FIXTURE_BIN" step --pin "$ST_PIN" "$1" >/dev/null || fail "churn step $1"; }
# row REGEX: a row of the watch pane (mark, id, expression, value, previous,
# changes, ...), columns separated by blanks
row() { st_wait_re "$1" || fail "$2: no row matching '$1'"; }
st_start

s0=$(steps)
[ -n "$s0" ] || fail "no fixture_steps from count"
st_run --interval 3600000 id "$ST_ID"
st_expect "arena $ST_ID 'churn_arena'" "title"

# struct view: follow state, select steps, w adds a watch on its path
st_keys M-3
st_expect "state = 0x" "roots"
st_gone "loading types..." || fail "types did not load"
st_keys Enter
st_expect "*state" "followed state"
st_keys / steps Enter
st_expect "u64  state->steps" "steps selected (status shows its path)"
st_keys w
st_expect "watch #1: state->steps = $s0" "w adds a watch on the selected field"
st_expect "[struct]" "w stays in the struct view"
pass "w in the struct view watches state->steps ($s0)"

# the watch pane: no change yet
st_keys M-4
st_expect "[watch]" "watch pane (4)"
st_expect "EXPRESSION" "watch pane header"
row "^ +1 state->steps +$s0 +- +0 +- +[0-9]+ +ok " "watch before any step"

step 3
s1=$(steps)
[ "$s1" -eq $((s0 + 3)) ] || fail "fixture steps $s0 -> $s1, not +3"
st_keys r
row "^\* +1 state->steps +$s1 +$s0 +1 +[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} +[0-9]+ +ok " \
	"one change, value = the fixture's steps, marked as changed in the last sample"
st_expect "watch #1: state->steps: $s0 -> $s1" "change on the status line"
pass "change counter 0 -> 1, value $s1 = fixture_steps"

# a sample without a change clears the mark, not the counter
st_keys r
row "^ +1 state->steps +$s1 +$s0 +1 " "mark gone after an unchanged sample"

# Tab cycles through the pane too (the table view, 5, is the last one)
st_keys Tab
st_expect "[table]" "Tab from the watch pane goes on to the table view"
st_keys Tab
st_expect "[pages]" "Tab from the table view goes round to the page map"
st_keys BTab BTab
st_expect "[watch]" "Shift-Tab back to the watch pane"

# :log, then a conditional watch that becomes true
st_keys :
st_keys "log $ST_TMP/watch.log" Enter
st_expect "logging watch events to $ST_TMP/watch.log" ":log"
limit=$((s1 + 1))
st_keys :
st_keys "watch state->steps if state->steps > $limit" Enter
st_expect "watch #2: state->steps if state->steps > $limit = $s1" ":watch with a condition"
row "^ +2 state->steps if state->st.* +$s1 +- +0 +- +[0-9]+ +ok +0 " "condition not true yet"
step 3
s2=$(steps)
st_keys r
st_expect "watch #2 hit: state->steps if state->steps > $limit = $s2" "hit on the status line"
st_expect "FROZEN (p), sampling" "a hit freezes the display, not the sampling"
row "^! +2 state->steps if state->st.* +$s2 +$s1 +1 .* +ok +!1 " "hit marked in the pane"
pass "conditional watch: the crossing ($s1 -> $s2 > $limit) pauses the display and is marked"

st_keys p
st_gone "FROZEN (p)" || fail "p resumes after a hit"
row "^[ *] +2 state->steps if state->st.* +$s2 +$s1 +1 .* +ok +1 " "mark gone once resumed"
pass "p resumes and acknowledges the hit"

st_keys :
st_keys log Enter
# 5 events: where #1 started (when the log began), where #2 started (added
# while logging), #1's change and #2's hit
st_expect "log $ST_TMP/watch.log closed after 5 events" ":log stops"
grep -c . "$ST_TMP/watch.log" | grep -qx 5 || fail "log has not 5 lines: $(cat "$ST_TMP/watch.log")"
head -1 "$ST_TMP/watch.log" | grep -q "\"watch\":1,\"expr\":\"state->steps\",\"event\":\"initial\",\"value\":\"$s1\"" ||
	fail "the log does not start with #1's initial value: $(head -1 "$ST_TMP/watch.log")"
sed -n 2p "$ST_TMP/watch.log" | grep -q "\"watch\":2,.*\"event\":\"initial\",\"if\":\"state->steps > $limit\",\"value\":\"$s1\"" ||
	fail "#2's initial value is not the second line: $(sed -n 2p "$ST_TMP/watch.log")"
grep -q "\"watch\":1,\"expr\":\"state->steps\",\"event\":\"change\",\"old\":\"$s1\",\"new\":\"$s2\"" \
	"$ST_TMP/watch.log" || fail "no change of #1 in the log: $(cat "$ST_TMP/watch.log")"
grep -q "\"watch\":2,.*\"event\":\"hit\",\"if\":\"state->steps > $limit\"" "$ST_TMP/watch.log" ||
	fail "no hit of #2 in the log: $(cat "$ST_TMP/watch.log")"
grep -q '^{"time":"[0-9-]*T[0-9:.]*Z","ts_ns":[0-9]*,' "$ST_TMP/watch.log" ||
	fail "log lines do not start with time and ts_ns: $(head -1 "$ST_TMP/watch.log")"
pass ":log wrote the initial values, the change and the hit as JSON lines"

# a log that cannot be written says so on the status line
st_keys :
st_keys "log /dev/full" Enter
st_expect "logging watch events to /dev/full" ":log /dev/full"
step 1
st_keys r
st_expect "cannot write log /dev/full: No space left on device (logging stopped)" "log write error"
pass "log write errors show on the status line"

# Space pauses the selected watch, d removes it, C clears all
st_keys g g Space
st_expect "watch #1 paused" "Space pauses"
row "^[ *] +1 state->steps +[0-9]+ +[0-9]+ +[0-9]+ .* paused " "paused state"
st_keys Space
st_expect "watch #1 resumed" "Space resumes"
st_keys G d
st_expect "watch #2 removed" "d removes"
st_gone "2 state->steps if" || fail "watch #2 still listed after d"
st_keys C
st_expect "removed 1 watch" "C clears"
st_expect "no watches: w on a field" "empty pane"
pass "pause, remove, clear"

# a watch no data can fix (an unknown member) is refused, not added
st_keys :
st_keys "watch state->nope" Enter
st_expect "watch state->nope: 'nope' is not a member of struct" "unknown member refused"
st_expect "no watches: w on a field" "nothing added"
pass "a watch on a member that does not exist is refused"

# :watch without an argument opens the pane; Enter prints the watched value
st_keys :
st_keys "watch state->steps" Enter
st_keys M-1
st_expect "[pages]" "page map"
st_keys :
st_keys watch Enter
st_expect "[watch]" ":watch opens the pane"
st_keys Enter
st_expect "[struct]" "Enter opens the struct view"
st_expect "state->steps = " "the watched value in the struct view"
pass ":watch opens the pane, Enter prints the value"

# a watch on the whole struct reports the members that changed, old -> new
st_keys M-4
st_expect "[watch]" "watch pane"
st_keys :
st_keys "watch *state" Enter
st_wait_re "watch #[0-9]+: \*state = \{" || fail ":watch on a struct"
st_keys r
t0=$(steps)
step 2
t1=$(steps)
st_keys r
st_wait_re "watch #[0-9]+: \*state: [0-9]+ members? changed: .*state->steps $t0 -> $t1" ||
	fail "the status line does not name state->steps $t0 -> $t1"
pass "a struct watch names the members that changed ($t0 -> $t1)"

# every key is in the help
st_keys F1
st_expect "Alt-4                  Watch pane" "help has the watch pane key"
# the help grows with every view: find the section instead of counting pages
st_keys / "Pause / resume the selected watch" Enter
st_expect "Space                  Pause / resume the selected watch" "help for Space"
st_expect "s, F6                  Sort by the next column" "help for s"
st_expect "d, Delete              Remove the selected watch" "help for d"
st_expect "C                      Remove every watch" "help for C"
# the struct view's keys are above the last page now (the table view's follow)
st_keys / "Watch the selected field" Enter
st_expect "Watch the selected field" "help for w"
st_keys G
st_expect ":log [FILE]" "help for :log"
st_keys q
st_gone "Remove the selected watch" || fail "help did not close"

st_quit 0
pass "quit, terminal restored"

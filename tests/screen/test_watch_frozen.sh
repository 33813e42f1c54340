#!/usr/bin/env bash
# A condition hit freezes the display, never the sampling (issue 11 item 3):
# on the churning fixture (its daemon steps every 5 ms), with :log FILE and a
# conditional watch that becomes true, the log keeps growing after the hit
# without p being pressed, and the title says the display is frozen while
# sampling goes on. The CLI keeps streaming after a hit too.
. "$(dirname "$0")/lib.sh"
st_setup
st_load churn
steps() { "$FIXTURE_BIN" count --pin "$ST_PIN" | grep -o '"fixture_steps":[0-9]*' | cut -d: -f2; }
lines() { grep -c . "$1" 2>/dev/null || echo 0; }
st_start

st_run --interval 100 id "$ST_ID"
st_expect "arena $ST_ID 'churn_arena'" "title"
st_gone "loading types..." || fail "types did not load"
log=$ST_TMP/frozen.log
st_keys :
st_keys "log $log" Enter
st_expect "logging watch events to $log" ":log"
s0=$(steps)
[ -n "$s0" ] || fail "no fixture_steps from count"
limit=$((s0 + 60))
st_keys :
st_keys "watch state->steps if state->steps > $limit" Enter
st_expect "watch #1 hit: state->steps if state->steps > $limit" "the condition hits"
st_expect "FROZEN (p), sampling" "the title says the display is frozen and sampling goes on"
pass "the hit froze the display ($limit crossed)"

# no key pressed from here on: the log must keep growing
n1=$(lines "$log")
sleep 1.5
n2=$(lines "$log")
[ "$n2" -ge $((n1 + 5)) ] || fail "the log stopped after the hit: $n1 lines, 1.5 s later $n2"
last=$(grep '"event":"change"' "$log" | tail -1 | grep -o '"new":"[0-9]*"' | grep -o '[0-9]*')
[ -n "$last" ] && [ "$last" -gt "$limit" ] || fail "no change after the hit in the log: $(tail -2 "$log")"
st_wait_re "FROZEN \(p\), sampling: [1-9][0-9]* events" || fail "the title does not count the events since the freeze"
pass "the log grew from $n1 to $n2 lines after the hit, without p (steps now $last)"

# the change count went on too: after p the pane counts at least the
# changes logged while frozen
changes=$(grep -c '"watch":1,.*"event":"change"' "$log")
st_keys p
st_expect "live again" "p resumes"
st_gone "FROZEN (p)" || fail "still frozen after p"
st_keys M-4
st_wait_re "^. +1 state->steps if " || fail "no watch row"
shown=$(st_screen | grep -E "^. +1 state->steps if " | sed -E 's/^. +1 state->steps if [^ ]+ +[0-9]+ +[0-9-]+ +([0-9]+) .*/\1/')
[ -n "$shown" ] && [ "$shown" -ge "$changes" ] || fail "the pane counts '$shown' changes, the log had $changes"
pass "change counts went on while frozen ($changes logged, $shown counted)"
st_keys :
st_keys log Enter
st_expect "log $log closed" ":log stops"
st_quit 0

# the CLI: a hit does not stop the stream or the log
s0=$(steps)
limit=$((s0 + 40))
"$INSPECT_BIN" watch id "$ST_ID" "state->steps if state->steps > $limit" 'state->live' \
	--interval 100 --count 25 --log "$ST_TMP/cli.log" >"$ST_TMP/cli.out" 2>&1 || fail "watch failed: $(cat "$ST_TMP/cli.out")"
hit=$(grep -n ' HIT ' "$ST_TMP/cli.out" | head -1 | cut -d: -f1)
[ -n "$hit" ] || fail "no hit in the CLI stream: $(head -5 "$ST_TMP/cli.out")"
after=$(tail -n +$((hit + 1)) "$ST_TMP/cli.out" | grep -c '#2 state->live')
[ "$after" -ge 3 ] || fail "the CLI stream stopped after the hit: $(cat "$ST_TMP/cli.out")"
logged=$(awk '/"event":"hit"/ { h = 1; next } h && /"watch":1,.*"event":"change"/ { n++ } END { print n + 0 }' "$ST_TMP/cli.log")
[ "$logged" -ge 3 ] || fail "the CLI log has $logged changes of #1 after the hit: $(cat "$ST_TMP/cli.log")"
pass "the CLI streams on after a hit ($after lines after it)"

#!/usr/bin/env bash
# The table view on the `live` fixture (a pool of struct task_stat whose
# switches count every sched_switch): `:table pool`, then the task with the
# most switches in two keys (S, then the letter shown over switches), checked
# against `arena-inspect print -j` before and after (the counters only grow:
# the top row lies between the two maxima); the selection kept on its element
# over a refresh; :filter on members by name; Enter to the struct view.
. "$(dirname "$0")/lib.sh"
st_setup
st_load live
st_start

# the largest switches in the pool, and its pid
max_switches() {
	"$INSPECT_BIN" print -j id "$ST_ID" 'pool[0:4096]' | grep -o '"switches":[0-9]*' |
		cut -d: -f2 | sort -n | tail -1
}
# the fields of the first data row under the header line that has $1
first_row() { st_screen | grep -F -A1 -- "$1" | tail -1; }

st_run --interval 3600000 id "$ST_ID"
st_expect "arena $ST_ID 'live_arena'" "title"
m0=$(max_switches)
[ -n "$m0" ] || fail "no switches from print -j"
st_keys : "table pool" Enter
st_expect "pool points to struct task_stat: 4096 rows" "the table of the pool"
st_expect "column pid" "the first column selected"

# two keys: S (descending, on the selected column), then the letter over switches
st_keys S
st_expect ":switches" "letters over the columns after S"
letter=$(st_screen | grep -o '[a-zA-Z]:switches' | head -1 | cut -c1)
st_keys "$letter"
st_expect "switches▼" "sorted by switches, descending"
m1=$(max_switches)
row=$(first_row "switches▼")
top=$(echo "$row" | awk '{print $(NF-3)}')
idx=$(echo "$row" | awk '{print $1}')
pid=$(echo "$row" | awk '{print $2}')
[ -n "$top" ] && [ "$top" -ge "$m0" ] && [ "$top" -le "$m1" ] ||
	fail "top row has switches '$top', the pool's max was $m0 before and $m1 after"
second=$(st_screen | grep -F -A2 -- "switches▼" | tail -1 | awk '{print $(NF-3)}')
[ "$second" -le "$top" ] || fail "second row $second > top row $top"
pass "S $letter: the top row is the task with the most switches ($top, pool[$idx], pid $pid; max $m0..$m1)"

# the selection stays on its element over a refresh, wherever it moves
st_keys j
st_expect "row 2 of 4096" "second row selected"
sel=$(st_screen | tail -1 | grep -o 'pool\[[0-9]*\]')
st_keys r
sleep 0.5
st_screen | tail -1 | grep -qF "$sel " || fail "selection moved off $sel after a refresh"
pass "the selection stays on $sel over a refresh"

# a filter on a member by name
st_keys : "filter pid == $pid" Enter
st_expect "filter pid == $pid: " "filter by pid"
n=$(st_screen | tail -1 | grep -o ': [0-9]* of 4096 rows' | awk '{print $2}')
[ "$n" -ge 1 ] || fail "no row with pid $pid"
rows=$(st_screen | grep -F -A"$n" -- "switches▼" | tail -n "$n" | awk '{print $2}' | sort -u)
[ "$rows" = "$pid" ] || fail "rows shown for pid == $pid: $rows"
pass "filter pid == $pid: $n row(s), all with that pid"

half=$((m0 / 2))
st_keys : "filter switches > $half" Enter
st_expect "(filter: switches > $half)" "title shows the filter"
st_screen | grep -E '^ *[0-9]+ +[0-9]+ +[0-9]+ ' | awk -v h="$half" '$(NF-3) <= h { bad = 1 } END { exit bad }' ||
	fail "a row with switches <= $half under the filter"
pass "filter switches > $half keeps only rows above it"

# Enter on the top row (read again with the filter: it may be another
# task by now): the struct view of that element
st_keys g g
st_expect "row 1 of" "the top row selected"
row=$(first_row "switches▼")
idx=$(echo "$row" | awk '{print $1}')
pid=$(echo "$row" | awk '{print $2}')
st_keys Enter
st_expect "pool[$idx] (struct task_stat)" "Enter opens the row"
st_expect "pid = $pid" "the row's element"
pass "Enter opens pool[$idx] in the struct view"

st_quit 0
pass "quit, terminal restored"

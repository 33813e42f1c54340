#!/usr/bin/env bash
# Nothing writes to the terminal behind curses (issue 11 item 13): libbpf's
# messages (btf_dump refusing a struct that contains itself, from a
# snapshot) and anything written to stderr go to the status line.
. "$(dirname "$0")/lib.sh"
st_setup
[ -x "${MK_CYCLE_SNAPSHOT:-}" ] || skip "MK_CYCLE_SNAPSHOT not built: ${MK_CYCLE_SNAPSHOT:-unset}"
"$MK_CYCLE_SNAPSHOT" "$ST_TMP/cycle.snap" || fail "cannot write the snapshot"
st_start
shell=$(tmux -L "$ST_SOCK" display-message -p -t st '#{pane_pid}')
# every row but the last (the status line)
above_status() { st_screen | sed '$d'; }
status_line() { st_screen | tail -1; }

st_run "$ST_TMP/cycle.snap"
st_expect "snapshot 'cycle'" "started"
st_gone "loading types..." || fail "types did not load"
st_keys :
st_keys "type struct S" Enter
st_expect "/* struct S: BTF id" ":type shows the type"
st_wait_re "libbpf: unsatisfiable type cycle" || fail "libbpf's message is not shown"
status_line | grep -q "libbpf: unsatisfiable type cycle" ||
	fail "libbpf's message is not on the status line: $(status_line)"
above_status | grep -q "libbpf:" && fail "libbpf wrote onto the screen: $(above_status | grep libbpf:)"
pass "libbpf's message is on the status line, and only there"

# a stray write to stderr (by anyone) is shown on the status line too
pid=$(pgrep -P "$shell" -x arena-inspect | head -1)
[ -n "$pid" ] || fail "no arena-inspect under the shell"
echo "stray-text-on-stderr" > "/proc/$pid/fd/2"
st_wait "stderr: stray-text-on-stderr" || fail "the stderr text is not on the status line"
above_status | grep -q "stray-text-on-stderr" && fail "stderr reached the screen behind curses"
pass "stderr goes to the status line while curses is up"
st_keys q
st_quit 0
# and is handed to the real stderr once the TUI is gone
st_expect "written to stderr while the TUI ran:" "stderr replayed after the TUI"
st_expect "stray-text-on-stderr" "the stray text after the TUI"
pass "what stderr got meanwhile is on the real stderr after quitting"

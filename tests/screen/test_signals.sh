#!/usr/bin/env bash
# The terminal is restored however the TUI ends: q, ^C (SIGINT from the
# terminal), SIGTERM, a crash (SIGSEGV) and every other signal whose default
# action ends the process (the terminal reset written from the handler, then
# the signal kills the process as usual); ^Z and fg leave and re-enter it.
. "$(dirname "$0")/lib.sh"
st_setup
st_load list
st_start
shell=$(tmux -L "$ST_SOCK" display-message -p -t st '#{pane_pid}')

# the arena-inspect started by our shell (by parent pid, never by name)
inspector_pid() { pgrep -P "$shell" -x arena-inspect | head -1; }

ended_with() { # STATUS WHAT
	st_wait_re '^EXIT=[0-9]+' || fail "$2: did not end"
	st_wait_re "^EXIT=$1\$" 1 || fail "$2: exit status is not $1"
	st_wait_re '^ST\$ ?$' || fail "$2: no shell prompt"
	cmp -s "$ST_TMP/stty.before" "$ST_TMP/stty.after" || fail "$2: terminal modes not restored"
	st_screen | grep -qF "allocated 3 (" && fail "$2: the TUI screen is still shown"
	pass "$2"
}

st_run id "$ST_ID"
st_expect "arena $ST_ID" "started"
st_keys C-c
ended_with 130 "^C quits and restores the terminal"

st_run id "$ST_ID"
st_expect "arena $ST_ID" "started"
pid=$(inspector_pid)
[ -n "$pid" ] || fail "no arena-inspect under the shell"
kill -TERM "$pid"
ended_with 143 "SIGTERM quits and restores the terminal"

st_run id "$ST_ID"
st_expect "arena $ST_ID" "started"
st_keys :
st_expect ":" "prompt open"
pid=$(inspector_pid)
[ -n "$pid" ] || fail "no arena-inspect under the shell"
kill -SEGV "$pid"
ended_with 139 "a crash (SIGSEGV) restores the terminal, then dies of the signal"

# Every other signal whose default action ends the process: the terminal is
# restored (echo, icanon, the normal screen, a visible cursor), then the
# signal ends the process as it would have (exit status 128+N). Run under a
# non-interactive sh, which, unlike an interactive bash, does not put the
# terminal modes back itself when a job dies of a signal.
pane() { tmux -L "$ST_SOCK" display-message -p -t st "$1"; }
for sig in QUIT USR1 USR2 ALRM VTALRM PROF XCPU XFSZ TRAP SYS IO PWR STKFLT RTMIN RTMAX; do
	num=$(kill -l "$sig")
	st_keys "clear; sh -c 'ulimit -c 0; $INSPECT_BIN id $ST_ID; echo EXIT=\$?; stty -a > $ST_TMP/stty.$sig'" Enter
	st_expect "arena $ST_ID" "SIG$sig: started"
	[ "$(pane '#{alternate_on}')" = 1 ] || fail "SIG$sig: the TUI is not on the alternate screen"
	wrapper=$(pgrep -P "$shell" -x sh | head -1)
	pid=$(pgrep -P "$wrapper" -x arena-inspect | head -1)
	[ -n "$pid" ] || fail "SIG$sig: no arena-inspect under the shell"
	kill -"$sig" "$pid"
	st_wait_re "^EXIT=[0-9]+" || fail "SIG$sig: did not end"
	st_wait_re "^EXIT=$((128 + num))\$" 1 || fail "SIG$sig: exit status is not $((128 + num))"
	st_wait_re '^ST\$ ?$' || fail "SIG$sig: no shell prompt"
	modes=$(tr ' ;' '\n\n' < "$ST_TMP/stty.$sig")
	printf '%s\n' "$modes" | grep -qx echo || fail "SIG$sig: echo is off: $(cat "$ST_TMP/stty.$sig")"
	printf '%s\n' "$modes" | grep -qx icanon || fail "SIG$sig: icanon is off: $(cat "$ST_TMP/stty.$sig")"
	[ "$(pane '#{alternate_on}')" = 0 ] || fail "SIG$sig: still on the alternate screen"
	[ "$(pane '#{cursor_flag}')" = 1 ] || fail "SIG$sig: the cursor is hidden"
	pass "SIG$sig restores the terminal, then ends the process (status $((128 + num)))"
done

# SIGPIPE is not a reason to die with the screen up: it is ignored (a write
# to a closed pipe fails where it happens) and q still quits cleanly
st_run id "$ST_ID"
st_expect "arena $ST_ID" "started"
pid=$(inspector_pid)
kill -PIPE "$pid"
sleep 0.3
kill -0 "$pid" 2>/dev/null || fail "SIGPIPE killed the TUI"
st_quit 0
pass "SIGPIPE is ignored while the TUI runs"

# Ctrl-Z leaves the screen (curses' own SIGTSTP handling), fg comes back
# (the command list after a stopped job goes on at once, so no EXIT= here)
st_keys "clear; $INSPECT_BIN id $ST_ID" Enter
st_expect "arena $ST_ID" "started"
st_keys C-z
st_wait_re "Stopped" || fail "^Z did not stop the TUI"
[ "$(pane '#{alternate_on}')" = 0 ] || fail "^Z: still on the alternate screen"
[ "$(pane '#{cursor_flag}')" = 1 ] || fail "^Z: the cursor is hidden"
st_keys "clear; fg" Enter
st_expect "arena $ST_ID" "fg: the TUI is back"
[ "$(pane '#{alternate_on}')" = 1 ] || fail "fg: not on the alternate screen"
st_keys q
st_wait_re '^ST\$ ?$' || fail "no shell prompt after q"
[ "$(pane '#{alternate_on}')" = 0 ] || fail "q after fg: still on the alternate screen"
[ "$(pane '#{cursor_flag}')" = 1 ] || fail "q after fg: the cursor is hidden"
pass "^Z leaves the screen, fg restores it, q still restores the terminal"

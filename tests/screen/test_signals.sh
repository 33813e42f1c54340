#!/usr/bin/env bash
# The terminal is restored however the TUI ends: q, ^C (SIGINT from the
# terminal), SIGTERM, and a crash (SIGSEGV: endwin, then the signal kills the
# process as usual).
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

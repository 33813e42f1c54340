# Screen-test driver shared by both tiers: a private tmux server at a fixed
# size, screen TEXT from capture-pane -p, and bounded retry loops instead of
# fixed sleeps. Sourced by lib.sh (live arenas, root) and snaplib.sh
# (snapshot files, any user); tests source one of those, not this file.

ST_COLS=${ST_COLS:-120}
ST_ROWS=${ST_ROWS:-40}
ST_TIMEOUT=${ST_TIMEOUT:-10}	# seconds per wait
ST_SOCK=ast-$$
ST_TMP=
ST_AS=		# command prefix that runs the pane's shell as another user
ST_ENV=		# more NAME=VALUE words for the pane's environment

skip() { echo "SKIP: $*"; exit 77; }
fail() {
	echo "FAIL: $*"
	if [ -n "$ST_TMP" ] && tmux -L "$ST_SOCK" has-session 2>/dev/null; then
		echo "--- screen ---"
		tmux -L "$ST_SOCK" capture-pane -p -t st
		echo "--------------"
	fi
	exit 1
}
pass() { echo "PASS: $*"; }

# st_cleanup: stop tmux, run the tier's st_cleanup_more, remove ST_TMP
st_cleanup() {
	tmux -L "$ST_SOCK" kill-server 2>/dev/null
	declare -F st_cleanup_more >/dev/null && st_cleanup_more
	[ -n "$ST_TMP" ] || return 0
	# the pane's programs may still write (history) while they exit on SIGHUP
	local n=20
	until rm -rf "$ST_TMP" 2>/dev/null || [ $n -eq 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	rm -rf "$ST_TMP"
}

# st_start: a shell in tmux with a known prompt, the state dir private,
# run through $ST_AS when it is set, with $ST_ENV added
st_start() {
	tmux -L "$ST_SOCK" -f /dev/null new-session -d -s st -x "$ST_COLS" -y "$ST_ROWS" \
		"$ST_AS env -i PATH=$PATH HOME=$ST_TMP TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 \
		 XDG_STATE_HOME=$ST_TMP/state ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		 ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} $ST_ENV bash --norc --noprofile" ||
		skip "tmux cannot start a session"
	tmux -L "$ST_SOCK" set-option -t st -g status off >/dev/null
	st_keys "PS1='ST\$ '" Enter
	st_wait_re '^ST\$ ?$' || fail "shell did not start"
}

# st_run CMD...: run arena-inspect from the shell, recording the terminal
# state before and after, and the exit status on screen
st_run() {
	st_keys "clear; stty -g > $ST_TMP/stty.before; $INSPECT_BIN $*; echo EXIT=\$?; stty -g > $ST_TMP/stty.after" Enter
}

st_keys() { tmux -L "$ST_SOCK" send-keys -t st "$@"; }
st_screen() { tmux -L "$ST_SOCK" capture-pane -p -t st; }

# st_poll SECONDS CMD...: until CMD succeeds, trying every 50 ms
st_poll() {
	local n=$(($1 * 20))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# st_has GREP-ARGS...: the screen has a match
st_has() { st_screen | grep -q "$@"; }
st_lacks() { ! st_has "$@"; }

# st_wait TEXT [SECONDS]: until the screen contains TEXT (fixed string)
st_wait() { st_poll "${2:-$ST_TIMEOUT}" st_has -F -- "$1"; }

# st_wait_re REGEX [SECONDS]
st_wait_re() { st_poll "${2:-$ST_TIMEOUT}" st_has -E -- "$1"; }

# st_expect TEXT WHAT: wait for TEXT or fail saying WHAT
st_expect() { st_wait "$1" || fail "$2: '$1' not on screen"; }

# st_gone TEXT [SECONDS]: until TEXT is no longer on screen
st_gone() { st_poll "${2:-$ST_TIMEOUT}" st_lacks -F -- "$1"; }

# st_quit: q, then the shell is back with status 0 and the terminal modes
# are what they were before
st_quit() {
	st_keys q
	st_wait_re '^EXIT=[0-9]+' || fail "arena-inspect did not quit on q"
	st_wait_re "^EXIT=${1:-0}\$" 1 || fail "exit status is not ${1:-0}"
	st_wait_re '^ST\$ ?$' || fail "no shell prompt after quitting"
	cmp -s "$ST_TMP/stty.before" "$ST_TMP/stty.after" ||
		fail "terminal modes not restored: $(cat "$ST_TMP/stty.before") vs $(cat "$ST_TMP/stty.after")"
}

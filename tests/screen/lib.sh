# Screen-test helpers: drive the real arena-inspect in a private tmux server
# at a fixed size and compare screen TEXT (capture-pane -p), polling with a
# bounded retry loop instead of sleeping for fixed times.
#
# Tests source this file, then call st_setup, st_load SCENARIO, st_start CMD.
# Exit 77 (skipped, with the reason on stdout) when root, BPF, tmux or the
# binaries are missing. Fixtures are always unloaded (trap EXIT).

ST_COLS=${ST_COLS:-120}
ST_ROWS=${ST_ROWS:-40}
ST_TIMEOUT=${ST_TIMEOUT:-10}	# seconds per wait
ST_SOCK=ast-$$
ST_PINS=()
ST_TMP=

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

st_cleanup() {
	tmux -L "$ST_SOCK" kill-server 2>/dev/null
	for p in "${ST_PINS[@]}"; do
		"$FIXTURE_BIN" unload --pin "$p" >/dev/null 2>&1
	done
	[ -n "$ST_TMP" ] && rm -rf "$ST_TMP"
}

st_setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)"
	command -v tmux >/dev/null || skip "tmux is not installed"
	[ -x "${INSPECT_BIN:-}" ] || skip "INSPECT_BIN not built: ${INSPECT_BIN:-unset}"
	[ -x "${FIXTURE_BIN:-}" ] || skip "FIXTURE_BIN not built: ${FIXTURE_BIN:-unset}"
	if ! mountpoint -q /sys/fs/bpf; then
		mount -t bpf bpf /sys/fs/bpf 2>/dev/null || skip "bpffs is not mounted and cannot be"
	fi
	ST_TMP=$(mktemp -d /tmp/ast-XXXXXX)
	trap st_cleanup EXIT
	trap 'exit 1' INT TERM
}

# st_load SCENARIO: load and pin a fixture; sets ST_JSON and ST_ID
st_load() {
	local pin=/sys/fs/bpf/ast-$$-$1 err
	"$FIXTURE_BIN" list 2>/dev/null | grep -q "^$1 " || fail "arena-fixture has no scenario '$1'"
	ST_PINS+=("$pin")
	if ! ST_JSON=$("$FIXTURE_BIN" load "$1" --pin "$pin" 2>"$ST_TMP/load.err"); then
		err=$(head -c 300 "$ST_TMP/load.err")
		# a kernel without arenas is a reason to skip; anything else a failure
		local rel
		rel=$(uname -r | cut -d- -f1)
		[ "$(printf '%s\n6.9\n' "$rel" | sort -V | head -1)" = 6.9 ] ||
			skip "kernel $rel has no BPF arenas (needs >= 6.9)"
		fail "cannot load fixture '$1': $err"
	fi
	ST_PIN=$pin
	ST_ID=$(st_json map_id)
	[ -n "$ST_ID" ] || fail "no map_id in: $ST_JSON"
}

# st_json KEY: a top-level number or string of ST_JSON
st_json() {
	printf '%s' "$ST_JSON" | grep -o "\"$1\":\"\?[^,\"}]*" | head -1 | sed 's/.*:"\?//'
}

# st_start: a shell in tmux with a known prompt, the state dir private
st_start() {
	tmux -L "$ST_SOCK" -f /dev/null new-session -d -s st -x "$ST_COLS" -y "$ST_ROWS" \
		"env -i PATH=$PATH HOME=$ST_TMP TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 \
		 XDG_STATE_HOME=$ST_TMP/state ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		 ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} bash --norc --noprofile" ||
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

# st_wait TEXT [SECONDS]: until the screen contains TEXT (fixed string)
st_wait() {
	local n=$(( ${2:-$ST_TIMEOUT} * 20 ))
	while [ $n -gt 0 ]; do
		st_screen | grep -qF -- "$1" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# st_wait_re REGEX [SECONDS]
st_wait_re() {
	local n=$(( ${2:-$ST_TIMEOUT} * 20 ))
	while [ $n -gt 0 ]; do
		st_screen | grep -qE -- "$1" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# st_expect TEXT WHAT: wait for TEXT or fail saying WHAT
st_expect() { st_wait "$1" || fail "$2: '$1' not on screen"; }

# st_gone TEXT: until TEXT is no longer on screen
st_gone() {
	local n=$(( ${2:-$ST_TIMEOUT} * 20 ))
	while [ $n -gt 0 ]; do
		st_screen | grep -qF -- "$1" || return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

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

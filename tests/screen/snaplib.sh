# Screen tests without root (ctest label screen_nr): arena-inspect opens a
# snapshot file that mksnap writes without BPF, in tmux at a fixed 100x30,
# as an unprivileged user (nobody through setpriv when the tests run as root,
# else the user running them), and whole screens are compared with expected
# files, as tig does.
#
#   st_snap_setup           skip without tmux/binaries; temp dir; ST_SNAP
#   st_start; st_run "$ST_SNAP"; ... st_quit
#   st_screen_is NAME TEXT  wait until the whole screen, normalised, equals
#                           expected/NAME.txt; on timeout print a diff
#
# UPDATE_SCREENS=1 ./dev test -R screen_nr rewrites expected/*.txt from what
# is on screen (once TEXT is there and the screen is still); review every
# changed file by eye (git diff) before committing it.
#
# Normalised before comparing: the temp dir (<TMP>), the tool's version
# (<VERSION>) and clock times (HH:MM:SS, HH:MM:SS.mmm). The snapshot itself is the same
# bytes on every run, its time and kernel release included.

. "$(dirname "${BASH_SOURCE[0]}")/tmux.sh"
ST_COLS=100
ST_ROWS=30
ST_ENV=TZ=UTC
ST_EXPECTED=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/expected
ST_NOBODY=65534

st_snap_setup() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	[ -x "${INSPECT_BIN:-}" ] || skip "INSPECT_BIN not built: ${INSPECT_BIN:-unset}"
	[ -x "${MKSNAP_BIN:-}" ] || skip "MKSNAP_BIN not built: ${MKSNAP_BIN:-unset}"
	ST_TMP=$(mktemp -d /tmp/ast-XXXXXX)
	trap st_cleanup EXIT
	trap 'exit 1' INT TERM
	ST_VERSION=$("$INSPECT_BIN" --version | sed 's/^arena-inspect //')
	# copies: the build tree may not be readable by the other user
	mkdir "$ST_TMP/bin"
	cp "$INSPECT_BIN" "$MKSNAP_BIN" "$ST_TMP/bin/" || fail "cannot copy the binaries"
	INSPECT_BIN=$ST_TMP/bin/$(basename "$INSPECT_BIN")
	ST_WANT_UID=$(id -u)
	if [ "$ST_WANT_UID" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing: cannot drop root"
		ST_AS="setpriv --reuid=$ST_NOBODY --regid=$ST_NOBODY --clear-groups"
		ST_WANT_UID=$ST_NOBODY
		chmod 755 "$ST_TMP"
		chown -R "$ST_NOBODY:$ST_NOBODY" "$ST_TMP"
	fi
	ST_SNAP=$ST_TMP/synth.snap
	$ST_AS "$ST_TMP/bin/$(basename "$MKSNAP_BIN")" "$ST_SNAP" || fail "mksnap could not write $ST_SNAP"
}

# st_snap_start: st_start, then check whom the pane's shell runs as
st_snap_start() {
	st_start
	st_keys "echo RUNAS=\$(id -u)" Enter
	st_wait_re '^RUNAS=[0-9]+$' || fail "no uid from the pane's shell"
	st_screen | grep -qx "RUNAS=$ST_WANT_UID" || fail "the pane does not run as uid $ST_WANT_UID"
	[ "$ST_WANT_UID" -ne 0 ] || fail "screen_nr must not run arena-inspect as root"
}

st_norm() {
	sed -E -e "s#$ST_TMP#<TMP>#g" -e "s#arena-inspect $ST_VERSION#arena-inspect <VERSION>#g" \
		-e 's/\b[0-9]{2}:[0-9]{2}:[0-9]{2}\b/HH:MM:SS/g' -e 's/HH:MM:SS\.[0-9]{3}\b/HH:MM:SS.mmm/g'
}

# st_still: until two captures 0.3 s apart are the same
st_still() {
	local n=$((ST_TIMEOUT * 3)) a b
	a=$(st_screen)
	while [ $n -gt 0 ]; do
		sleep 0.3
		b=$(st_screen)
		[ "$a" = "$b" ] && return 0
		a=$b
		n=$((n - 1))
	done
	return 1
}

# st_same EXPECTED GOT: the normalised screen, saved in GOT, is EXPECTED
st_same() {
	st_screen | st_norm >"$2"
	cmp -s "$1" "$2"
}

# st_screen_is NAME TEXT: the whole screen is expected/NAME.txt
st_screen_is() {
	local exp=$ST_EXPECTED/$1.txt got=$ST_TMP/$1.got

	if [ -n "${UPDATE_SCREENS:-}" ]; then
		st_expect "$2" "screen $1"
		st_still || fail "screen $1 does not settle"
		st_screen | st_norm >"$exp" || fail "cannot write $exp"
		echo "UPDATED: $exp (review it by eye)"
		return 0
	fi
	[ -f "$exp" ] || fail "no $exp: make it with UPDATE_SCREENS=1, then review it by eye"
	if st_poll "$ST_TIMEOUT" st_same "$exp" "$got"; then
		pass "screen $1"
		return 0
	fi
	echo "FAIL: screen $1 is not $exp after ${ST_TIMEOUT}s (- expected, + on screen):"
	diff -u --label "expected/$1.txt" --label "screen" "$exp" "$got"
	echo "If the new screen is right: UPDATE_SCREENS=1 ./dev test -R screen_nr, then review git diff."
	exit 1
}

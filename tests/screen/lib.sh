# Screen-test helpers for live arenas: drive the real arena-inspect on
# fixture arenas in a private tmux server (tmux.sh) and compare screen TEXT.
#
# Tests source this file, then call st_setup, st_load SCENARIO, st_start CMD.
# Exit 77 (skipped, with the reason on stdout) when root, BPF, tmux or the
# binaries are missing. Fixtures are always unloaded (trap EXIT).

. "$(dirname "${BASH_SOURCE[0]}")/tmux.sh"
ST_PINS=()

st_cleanup_more() {
	for p in "${ST_PINS[@]}"; do
		"$FIXTURE_BIN" unload --pin "$p" >/dev/null 2>&1
	done
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

# st_count: the arena's allocated pages as the fixture tool counts them
# (the kernel's own count, independent of arena-inspect)
st_count() {
	"$FIXTURE_BIN" count --pin "$ST_PIN" | grep -o '"allocated":[0-9]*' | cut -d: -f2
}

# st_json KEY: a top-level number or string of ST_JSON
st_json() {
	printf '%s' "$ST_JSON" | grep -o "\"$1\":\"\?[^,\"}]*" | head -1 | sed 's/.*:"\?//'
}


#!/usr/bin/env bash
# The CLI paths under valgrind memcheck on a real fixture arena: no errors,
# no definite leaks. libbpf 1.1's own false positives are suppressed in
# tests/valgrind.supp (each one explained there).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
[ -z "${SANITIZED:-}" ] || { echo "SKIP: an ASan/UBSan build cannot run under valgrind; the plain build (./dev test) runs this"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for BPF"; exit 77; }
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
mountpoint -q /sys/fs/bpf || { echo "SKIP: bpffs is not mounted at /sys/fs/bpf"; exit 77; }
pin=/sys/fs/bpf/aivg-$$
tmp=$(mktemp -d)
trap '"$FIXTURE_BIN" unload --pin "$pin" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
json=$("$FIXTURE_BIN" load list --pin "$pin") || { echo "FAIL: cannot load the list fixture"; exit 1; }
id=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["map_id"])')
fail=0
run() { # run EXPECTED_EXIT ARGS...
	local want=$1; shift
	valgrind -q --suppressions="$here/valgrind.supp" --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite "$INSPECT_BIN" "$@" >/dev/null 2>"$tmp/err"
	local rc=$?
	if [ $rc -ne "$want" ] || grep -q '^==[0-9]*==' "$tmp/err"; then
		echo "FAIL (exit $rc, wanted $want): arena-inspect $*"; cat "$tmp/err"; fail=1
	else
		echo "ok: arena-inspect $*"
	fi
}
run 0 list -j
run 0 pages id "$id"
run 0 hex id "$id" +0 256
run 0 print id "$id" '*head'
run 0 print id "$id" 'head->next->name' -j
run 0 types id "$id"
run 0 watch id "$id" 'head->id' --count 2 --interval 20
run 0 watch id "$id" '*head' 'head->id if head->id > 0' --count 2 --interval 20 -j
run 0 snapshot id "$id" -o "$tmp/s.snap"
run 1 snapshot id "$id" -o /dev/null
run 1 list --frob
run 0 pages "$tmp/s.snap" -j
run 0 print "$tmp/s.snap" '*head->next'
run 0 diff id "$id" "$tmp/s.snap"
run 1 print id "$id" 'head->(('
run 1 hex id "$id" 0x10
run 1 pages id 4000000000
head -c 100 "$tmp/s.snap" > "$tmp/cut.snap"
run 1 pages "$tmp/cut.snap"
[ $fail -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fail

#!/usr/bin/env bash
# The chooser and list name an arena's owner processes as bpftool does,
# comm(pid): a small python3 process takes an fd to the `list` fixture's
# arena (BPF_MAP_GET_FD_BY_ID) and names itself ai-owner, so its pid and
# name are known.
. "$(dirname "$0")/lib.sh"
st_setup
command -v python3 >/dev/null || skip "python3 is not installed"
case $(uname -m) in
x86_64) nr_bpf=321 ;;
aarch64) nr_bpf=280 ;;
*) skip "no bpf(2) syscall number for $(uname -m) here" ;;
esac
st_load list
cat >"$ST_TMP/owner.py" <<PY
import ctypes, struct, sys, time
libc = ctypes.CDLL(None, use_errno=True)
attr = ctypes.create_string_buffer(struct.pack("=IIII", $ST_ID, 0, 0, 0), 128)
fd = libc.syscall($nr_bpf, 14, attr, 128)  # BPF_MAP_GET_FD_BY_ID
if fd < 0:
    sys.exit("bpf: errno %d" % ctypes.get_errno())
libc.prctl(15, b"ai-owner", 0, 0, 0)  # PR_SET_NAME
print("READY", flush=True)
time.sleep(120)
PY
python3 "$ST_TMP/owner.py" >"$ST_TMP/owner.out" 2>&1 &
owner=$!
trap 'kill $owner 2>/dev/null; st_cleanup' EXIT
n=50
until grep -q READY "$ST_TMP/owner.out" || [ $n -eq 0 ]; do sleep 0.1; n=$((n - 1)); done
[ $n -gt 0 ] || fail "the owner process did not start: $(cat "$ST_TMP/owner.out")"
row=$("$INSPECT_BIN" list | grep -E "^$ST_ID ")
case $row in
*"ai-owner($owner)"*) ;;
*) fail "list does not name ai-owner($owner): $row" ;;
esac
"$INSPECT_BIN" list -j | python3 -c '
import json, sys
a = [x for x in json.load(sys.stdin) if x["id"] == int(sys.argv[1])][0]
i = a["owners"].index(int(sys.argv[2]))
sys.exit(a["owner_comms"][i] != "ai-owner")' "$ST_ID" "$owner" ||
	fail "list -j lacks the pid or its comm in owner_comms"
pass "list: owner as comm(pid), JSON pids and owner_comms"
st_start
st_run
st_expect "ID       NAME" "chooser header"
st_keys / "$ST_ID" Enter
st_wait_re "^ *$ST_ID +list_arena .*ai-owner\($owner\)" ||
	fail "the chooser row of $ST_ID does not name ai-owner($owner)"
pass "chooser: owner as comm(pid)"
st_keys q
st_wait 'EXIT=0' || fail "TUI did not quit"

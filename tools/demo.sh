#!/usr/bin/env bash
# ./dev demo: load the live demo arena, open the TUI on it, unload on exit.
set -euo pipefail
BUILD=${1:?build dir}
shift || true
PIN=/sys/fs/bpf/arena-inspect-demo
FIX="$BUILD/bpf_fixtures/arena-fixture"
AI="$BUILD/ui/arena-inspect"

[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)" >&2; exit 1; }
"$FIX" unload --pin "$PIN" >/dev/null 2>&1 || true
json=$("$FIX" load live --pin "$PIN")
trap '"$FIX" unload --pin "$PIN" >/dev/null 2>&1 || true' EXIT INT TERM
id=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["map_id"])')
echo "demo: live arena loaded as map id $id (pinned at $PIN)" >&2
# open on the header the tracepoint updates, with a watch on its counter
"$AI" -e 'print *hdr' -e 'watch hdr->switches' "$@" id "$id"

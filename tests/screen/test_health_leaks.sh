#!/usr/bin/env bash
# The health view on the allocator fixtures (issue 15 item 5): on sdtalloc,
# whose live elements are held in the hash map task_ctxs, object leaks are
# not judged and the view says why (the map named); on buddy, the line says
# they were judged and lists exactly the planted leaked-object and
# asan-poisoned findings at the loader's addresses, beside its
# freed-object. No page of either arena is allocated by any of it.
. "$(dirname "$0")/lib.sh"
st_setup
# a "key":"0x..." pair inside an object "obj" of ST_JSON
hexin() { printf '%s' "$ST_JSON" | grep -o "\"$1\":{[^}]*}" | grep -o "\"$2\":\"0x[0-9a-f]*\"" | cut -d'"' -f4; }

st_load sdtalloc
st_start
before=$(st_count)
st_run "id $ST_ID"
st_expect "arena $ST_ID" "arena open"
st_keys H
st_expect "HEALTH CHECK (:check again)" "health view"
st_expect "object leaks not judged: the programs use map 'task_ctxs' (hash), which check cannot read" \
	"sdtalloc: the reason leaks are not judged"
st_lacks -F "leaked-object" || fail "sdtalloc: a leaked-object row although leaks are not judged"
[ "$(st_count)" = "$before" ] || fail "sdtalloc: pages allocated by the view"
pass "sdtalloc: leaks not judged, task_ctxs named"
st_keys q # back from the view
st_quit 0

st_load buddy
before=$(st_count)
leak=$(hexin leak addr)
pat=$(hexin poisoned at) pval=$(hexin poisoned value)
[ -n "$leak" ] && [ -n "$pat" ] && [ -n "$pval" ] || fail "no leak/poisoned in the fixture's JSON"
st_run "id $ST_ID"
st_expect "arena $ST_ID" "arena open"
st_keys H
st_expect "HEALTH CHECK (:check again)" "health view"
st_expect "object leaks: 1 of $(st_json live) live objects" "buddy: leaks judged"
st_expect "0 misaligned, 1 freed-object, 1 leaked-object, 1 asan-poisoned" \
	"buddy: the summary counts the allocators' kinds"
st_wait_re "^leaked-object at $leak = $leak  unreferenced" || fail "buddy: the leaked block not listed"
st_wait_re "^asan-poisoned at $pat = $pval  poisoned" || fail "buddy: the poisoned reference not listed"
rows=$(st_screen | grep -cE '^(leaked-object|asan-poisoned) ')
[ "$rows" -eq 2 ] || fail "buddy: $rows leaked-object/asan-poisoned rows, want 2"
[ "$(st_count)" = "$before" ] || fail "buddy: pages allocated by the view"
pass "buddy: exactly the planted leak and poisoned reference"
st_keys q
st_quit 0

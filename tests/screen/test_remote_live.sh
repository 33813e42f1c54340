#!/usr/bin/env bash
# Live refresh on a remote source: the TUI on `remote 'arena-inspect serve
# id N'` over the paused `churn` fixture; after the daemon takes 40 steps,
# a refresh (r) shows the kernel's new count, so the page map is asked for
# again, not kept from the start. The title names the remote command.
. "$(dirname "$0")/lib.sh"
st_setup
st_load churn
"$FIXTURE_BIN" pause --pin "$ST_PIN" >/dev/null || fail "cannot pause churn"
st_start

before=$(st_count)
st_run --interval 3600000 remote "'$INSPECT_BIN serve id $ST_ID'"
st_expect "on $INSPECT_BIN serve id $ST_ID" "title names the remote"
st_expect "arena $ST_ID 'churn_arena'" "title"
st_expect "allocated $before (" "page map before"
"$FIXTURE_BIN" step --pin "$ST_PIN" 40 >/dev/null || fail "churn step"
after=$(st_count)
[ "$after" != "$before" ] || fail "40 churn steps changed nothing ($before)"
st_keys r
st_expect "allocated $after (" "page map after 40 steps over remote (r refreshes)"
pass "remote page map follows the arena ($before -> $after allocated)"
st_quit 0
pass "quit, terminal restored"

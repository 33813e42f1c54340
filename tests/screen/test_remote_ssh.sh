#!/usr/bin/env bash
# Issue 16 over real OpenSSH: a private sshd on 127.0.0.1 (sshd.sh), then
# `print ssh://root@127.0.0.1:PORT/pinned/PIN EXPR` prints what the local
# print prints, byte for byte (text and -j), a bad selector on the far side
# and a refused login are one error line each, and the TUI on the ssh
# source shows the host in its title, the fixture's page counts and its
# typed root. No page is allocated. sshd is stopped at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"
st_setup
st_cleanup_more() {
	sshd_stop
	for p in "${ST_PINS[@]}"; do
		"$FIXTURE_BIN" unload --pin "$p" >/dev/null 2>&1
	done
}
sshd_start "$ST_TMP/ssh" || fail "sshd"
st_load list
url="ssh://root@127.0.0.1:$SSHD_PORT/pinned/$ST_PIN/arena"
before=$("$FIXTURE_BIN" count --pin "$ST_PIN" | grep -o '"allocated":[0-9]*')

for args in "*head" "-j *head" "head->next->name"; do
	# shellcheck disable=SC2086
	local_out=$("$INSPECT_BIN" print pinned "$ST_PIN/arena" $args 2>&1) || fail "local print $args"
	# shellcheck disable=SC2086
	remote_out=$("$INSPECT_BIN" print "$url" $args 2>&1) || fail "print over ssh $args: $remote_out"
	[ "$local_out" = "$remote_out" ] || fail "print $args over ssh differs: $remote_out"
done
pass "print over ssh is the local print, byte for byte"

err=$("$INSPECT_BIN" pages "ssh://root@127.0.0.1:$SSHD_PORT/pinned/$ST_PIN/nothere" 2>&1 >/dev/null)
rc=$?
[ $rc -eq 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
	printf '%s' "$err" | grep -q "no such pinned object" || fail "missing pin over ssh: rc $rc, '$err'"
err=$(AI_SSH="$AI_SSH -o IdentityFile=/dev/null -o IdentitiesOnly=yes -i /dev/null" \
	"$INSPECT_BIN" pages "ssh://nobody@127.0.0.1:$SSHD_PORT/id/1" 2>&1 >/dev/null)
rc=$?
[ $rc -eq 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
	printf '%s' "$err" | grep -q "ssh://nobody@127.0.0.1:$SSHD_PORT: the connection closed" ||
	fail "refused login: rc $rc, '$err'"
pass "errors over ssh: one line each, exit 1"

ST_ENV="AI_SSH='$AI_SSH' AI_REMOTE_BIN=$INSPECT_BIN"
st_start
# how long the first screen takes, beside an ssh connection alone (a figure
# for the issue's 300 ms over the connection; not asserted on a shared machine)
t0=$(date +%s%N)
$AI_SSH -p "$SSHD_PORT" root@127.0.0.1 true || fail "ssh true"
t_ssh=$((($(date +%s%N) - t0) / 1000000))
t0=$(date +%s%N)
st_run "'$url'"
st_expect " arena-inspect  on root@127.0.0.1  arena $ST_ID 'list_arena'" "title with the host"
st_expect "allocated $(st_json allocated_pages) (" "page counts"
t_tui=$((($(date +%s%N) - t0) / 1000000))
echo "TIMING: TUI first screen over ssh ${t_tui} ms; an ssh connection alone (ssh true) ${t_ssh} ms; difference $((t_tui - t_ssh)) ms"
st_expect "allocated $(st_json allocated_pages) (" "page counts"
st_keys :
st_keys "print head->name" Enter
st_expect '"alpha"' "typed root over ssh"
st_quit 0
pass "TUI over ssh: host in the title, counts, types"

after=$("$FIXTURE_BIN" count --pin "$ST_PIN" | grep -o '"allocated":[0-9]*')
[ "$before" = "$after" ] || fail "pages allocated: $before -> $after"
sshd_stop
pass "no page allocated; sshd stopped"

#!/usr/bin/env bash
# The command history (issue 11 item 8): a history file that is a symbolic
# link is refused with one status line and its target is never written; a
# fresh one is created 0600 in a 0700 directory and gets the commands.
. "$(dirname "$0")/lib.sh"
st_setup
st_load list
st_start
hdir=$ST_TMP/state/arena-inspect
mkdir -p "$hdir"
chmod 700 "$hdir"
echo precious > "$ST_TMP/victim"
ln -s "$ST_TMP/victim" "$hdir/history"

st_run id "$ST_ID"
st_expect "arena $ST_ID" "started"
st_expect "history not kept: $hdir/history is a symbolic link" "the link is refused on the status line"
st_keys :
st_keys "print head" Enter
st_expect "head" "a command ran"
st_quit 0
[ "$(cat "$ST_TMP/victim")" = precious ] || fail "the link's target was written: $(cat "$ST_TMP/victim")"
[ -L "$hdir/history" ] || fail "the link was replaced"
pass "a history that is a symbolic link is refused, its target untouched"

rm "$hdir/history"
rmdir "$hdir"
st_run id "$ST_ID"
st_expect "arena $ST_ID" "started"
st_keys :
st_keys "print head" Enter
st_expect "head" "a command ran"
st_quit 0
[ "$(stat -c %a "$hdir")" = 700 ] || fail "history directory mode $(stat -c %a "$hdir")"
[ "$(stat -c %a "$hdir/history")" = 600 ] || fail "history file mode $(stat -c %a "$hdir/history")"
grep -qx "print head" "$hdir/history" || fail "the command is not in the history: $(cat "$hdir/history")"
pass "a new history is 0600 in a 0700 directory and keeps the commands"

# and Up recalls it in the next session
st_run id "$ST_ID"
st_expect "arena $ST_ID" "started"
st_keys : Up
st_expect ":print head" "Up recalls the last session's command"
st_keys Enter
st_quit 0
pass "history read back"

#!/usr/bin/env bash
# Issue 11 items 1 and 9 on screen. A snapshot whose arena name, root name,
# type, member and enumerator names and char array hold escape sequences
# (ESC[2J, ESC]0;...BEL, ESC]52;...BEL, C1 CSI, DEL, bytes that are not
# UTF-8; written by tests/integration/it_hostile.c with AI_HOSTILE_CORPUS
# into the fuzz corpus) shows them escaped (\x1b...) in the title, the
# struct view and the roots, never as curses' ^[ or raw. On the live
# fixture, a slice longer than max-elements ends in "... N more" and
# :set max-elements changes the cap.
. "$(dirname "$0")/lib.sh"
SNAP=$(cd "$(dirname "$0")/../../fuzz/corpus/fuzz_snapshot" && pwd)/hostile-names.snap
[ -f "$SNAP" ] || fail "hostile snapshot missing: $SNAP"
st_setup
st_load live
st_start

# the snapshot: the name in the title, escaped
st_run "'$SNAP'"
st_expect "'\\x1b[2J\\x1b]0;pwnd\\x07\\xff!'" "arena name escaped in the title"
st_keys :
st_keys "print *clean" Enter
st_expect "(struct t\\x1b]0;title\\x07)" "type name escaped"
st_expect 'm\x1b[31m\x7f = 7' "member name escaped"
st_expect '"s\x1b[2Jz\u009b\xfe"' "char array escaped"
st_expect 'E\x1b[5m\u009b1m' "enumerator escaped"
st_keys R
st_expect 'r\x1b]52;c;aGVsbG8=\x07' "root name escaped"
st_screen | grep -qF '^[' && fail "curses' ^[ on screen: an escape reached curses raw"
pass "names from the file are shown escaped"
st_quit 0

# the live fixture: a slice longer than the cap says how much is left
st_run "id $ST_ID"
st_expect "arena $ST_ID 'live_arena'" "title"
st_keys :
st_keys "print pool[0:300]" Enter
st_expect "[0:300]" "slice shown"
st_keys End
st_expect "... 236 more (Enter shows 64 more; :set max-elements N)" "cut line"
pass "a cut array says how many elements are not shown"
st_keys :
st_keys "set max-elements 100" Enter
st_expect "max-elements=100" "set answers"
st_keys End
st_expect "... 200 more (Enter shows 100 more; :set max-elements N)" "new cap"
st_keys Enter
st_keys End
st_expect "... 100 more (Enter shows 100 more; :set max-elements N)" "Enter shows 100 more"
st_keys :
st_keys "set" Enter
st_expect "max-elements=100  mouse=on  clipboard=on   (:set NAME VALUE)" ":set lists settings"
st_keys :
st_keys "set max-elements 0" Enter
st_expect "set max-elements: '0' is not a number in 1..16777216" "bad value refused"
pass ":set max-elements"
st_quit 0

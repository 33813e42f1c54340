#!/usr/bin/env bash
# :diff on the `churn` fixture: a snapshot is taken with the daemon paused,
# 20 steps change the arena, and the TUI compares the live arena with the
# snapshot: the hex view's header counts the bytes that differ on screen,
# ] moves to a change, the page map marks pages allocated in one and not the
# other, and :diff with no argument turns it off. A snapshot of another
# arena, or a file that is not a snapshot, is refused on the status line.
. "$(dirname "$0")/lib.sh"
st_setup
# another arena first, for the "not a snapshot of this arena" check
st_load list
"$INSPECT_BIN" snapshot id "$ST_ID" -o "$ST_TMP/other.snap" >/dev/null ||
	fail "cannot snapshot the list fixture"
st_load churn
"$FIXTURE_BIN" pause --pin "$ST_PIN" >/dev/null || fail "cannot pause churn"
snap=$ST_TMP/a.snap
"$INSPECT_BIN" snapshot id "$ST_ID" -o "$snap" >/dev/null || fail "cannot snapshot churn"
"$FIXTURE_BIN" step --pin "$ST_PIN" 20 >/dev/null || fail "churn step"
echo "not a snapshot" >"$ST_TMP/not.snap"
st_start

# no timed refresh: the screen changes only when we ask
st_run --interval 3600000 id "$ST_ID"
st_expect "arena $ST_ID 'churn_arena'" "title"

# refused: not a snapshot, a snapshot of another arena, nothing to stop
st_keys : "diff $ST_TMP/not.snap" Enter
st_wait_re "diff: .*not\.snap" || fail "a file that is not a snapshot is refused"
st_keys : "diff $ST_TMP/other.snap" Enter
st_expect "not of this arena" "a snapshot of another arena is refused"
st_keys : diff Enter
st_expect "no diff:" ":diff without a diff"
pass "bad :diff arguments are refused on the status line"

# on, typed with TAB completing the file name (a.sn -> a.snap): the hex
# view at the header page (`state`), which every step rewrites
st_keys : "diff $ST_TMP/a.sn" Tab
st_expect ":diff $snap" "TAB completes the snapshot file name"
st_keys Enter
st_wait_re "diff vs $snap: [0-9]+ pages allocated and [0-9]+ freed since" || fail ":diff message"
pages=$(st_screen | grep -oE "diff vs $snap: [0-9]+ pages allocated and [0-9]+ freed" | head -1)
nalloc=$(echo "$pages" | grep -oE '[0-9]+ pages allocated' | cut -d' ' -f1)
nfreed=$(echo "$pages" | grep -oE '[0-9]+ freed' | cut -d' ' -f1)
st_keys M-2
st_expect "[hex]" "hex view"
st_keys : "goto state" Enter
st_wait_re "^0x[0-9a-f]+  \+0x[0-9a-f]+  page [0-9]+  u64 " || fail ":goto state"
st_wait_re "diff vs $snap: [1-9][0-9]* bytes differ on this screen" ||
	fail "diff header with a non-zero count"
n=$(st_screen | grep -oE "diff vs $snap: [0-9]+ bytes differ" | grep -oE '[0-9]+ bytes' | cut -d' ' -f1)
pass "hex view: $n bytes differ from the snapshot on the header page"

# ]: the next change (from the top of the arena, so there is one after)
st_keys Home ']'
st_wait_re "(differs from the snapshot|page not in the snapshot|pages freed since the snapshot) at 0x" ||
	fail "] moves to a change"
st_keys '['
st_wait_re "(differs from the snapshot|page not in the snapshot|pages freed since the snapshot) at 0x|no earlier change vs" ||
	fail "[ moves back"
pass "]/[ move between changes"

# the page map: a line about the diff, and marks where the states differ
st_keys M-1
st_expect "(diff vs $snap: $nalloc pages allocated, $nfreed freed)" "page map diff line"
# 20 churn steps allocate and free pages: the page map must show some, as
# A (allocated since the snapshot) or F (freed since)
[ $((nalloc + nfreed)) -gt 0 ] || fail "20 churn steps changed no page state"
st_screen | grep -E '^ +[0-9]+  ' | grep -qE '[AF]' || fail "no A/F marks in the page map"
if [ "$nfreed" -eq 0 ]; then
	st_screen | grep -E '^ +[0-9]+  ' | grep -qF 'F' && fail "F marks, but no page was freed since"
fi
# ] from the first cell lands on one (page 0, the header, is in both)
st_keys Home ']'
st_wait_re "^page [0-9]+  0x[0-9a-f]+  (allocated, not in the snapshot|free, freed since the snapshot)" ||
	fail "] in the page map"
pass "page map marks $nalloc allocated and $nfreed freed pages"

# off: the header and the page map line go away
st_keys : diff Enter
st_expect "diff vs $snap off" ":diff off"
st_gone "(diff vs $snap:" || fail "page map diff line still shown"
st_keys M-2
st_expect "[hex]" "hex view"
st_gone "bytes differ on this screen" || fail "diff header still shown after :diff"
pass ":diff with no argument turns it off"

# help lists the keys from the one table
st_keys F1
st_expect "[help]" "help"
st_keys / "Next change vs" Enter
st_expect "Next change vs the :diff snapshot" "] in help"
st_keys q
st_expect "[hex]" "back from help"

st_quit 0
pass "quit, terminal restored"

#!/usr/bin/env bash
# Progress of long work on the `sparse` fixture (4 GiB, ~3000 pages): on a
# terminal (tmux), snapshot, check, diff and a 64 MiB hex draw a progress
# line on stderr (pages done of the total) and erase it at the end; in a
# pipe, and in JSON on stdout, there is none. The TUI's :snapshot shows it
# on the status line. AI_TEST_PROGRESS=1 shows it from the first tick: the
# fixture is saved in a fraction of the 0.2 s after which a user sees it.
. "$(dirname "$0")/lib.sh"
st_setup
st_load sparse
ST_ENV="AI_TEST_PROGRESS=1"
st_start
alloc=$(st_json allocated_pages)
raw=$ST_TMP/raw.txt
# every byte the pane gets, erased lines too
tmux -L "$ST_SOCK" pipe-pane -t st -o "cat >> $raw" || fail "pipe-pane"

# raw_has PATTERN: the pane's bytes have it (pipe-pane writes them a
# little after the screen shows them: wait for it, bounded)
raw_has() { st_poll "$ST_TIMEOUT" grep -aq -- "$1" "$raw"; }

# st_cmd CMD: run a shell command in the pane and wait for its end (a
# numbered end mark: the last command's may still be on screen)
ST_N=0
st_cmd() {
	ST_N=$((ST_N + 1))
	st_keys "clear; $*; echo DONE-\$((1000 + $ST_N))=\$?" Enter
	st_wait_re "^DONE-$((1000 + ST_N))=[0-9]+\$" || fail "'$*' did not finish"
}

snap=$ST_TMP/s.snap
: >"$raw"
st_cmd "$INSPECT_BIN snapshot id $ST_ID -o $snap"
raw_has "saving: [0-9]* of $alloc pages" || fail "no progress line while saving: $(head -c 300 "$raw")"
raw_has "saving: $alloc of $alloc pages (100%)" || fail "the progress line never reached the end"
# erased: CR and erase-line after the last progress line, and not on screen
tail -c 200 "$raw" | grep -aqF "$(printf '\r\033[K')" || grep -aqF "$(printf '\r\033[K')" "$raw" ||
	fail "the progress line was not erased"
st_lacks -F "saving:" || fail "the progress line is still on the screen"
st_expect "saved arena $ST_ID" "snapshot's own line"
pass "snapshot: progress on a terminal, erased at the end"

: >"$raw"
st_cmd "$INSPECT_BIN check id $ST_ID >/dev/null"
raw_has "checking: scan: [0-9]* of $alloc pages" || fail "no progress line while checking"
st_cmd "$INSPECT_BIN diff id $ST_ID $snap -j > $ST_TMP/diff.json"
raw_has "comparing: [0-9]* of 1048576 pages" || fail "no progress line while comparing"
grep -q "comparing\|pages/s" "$ST_TMP/diff.json" && fail "progress in diff's JSON"
head -c 1 "$ST_TMP/diff.json" | grep -q '{' || fail "diff -j is not JSON: $(head -c 100 "$ST_TMP/diff.json")"
st_cmd "$INSPECT_BIN hex id $ST_ID +0 0x4000000 >/dev/null"
raw_has "reading: 16384 of 16384 pages (100%)" || fail "no progress line for a 64 MiB hex"
pass "check, diff (JSON on stdout clean), whole hex: progress on a terminal"

# not a terminal: nothing, also with AI_TEST_PROGRESS=1
: >"$raw"
st_cmd "$INSPECT_BIN snapshot id $ST_ID -o $snap 2>$ST_TMP/err.txt | cat"
st_cmd "$INSPECT_BIN check id $ST_ID 2>>$ST_TMP/err.txt | cat >/dev/null"
st_cmd "echo MARK-\$((6*7))"
raw_has "MARK-42" || fail "the pane's bytes did not arrive"
grep -aq "saving\|checking\|pages/s" "$ST_TMP/err.txt" && fail "progress on a stderr that is no terminal: $(cat "$ST_TMP/err.txt")"
grep -aq "saving:\|checking:" "$raw" && fail "progress on the terminal with stderr redirected"
pass "no progress when stderr is not a terminal"

# the TUI: :snapshot says how far it got on the status line
: >"$raw"
st_keys "clear; $INSPECT_BIN id $ST_ID" Enter
st_expect "[pages]" "TUI up"
st_keys : "snapshot $ST_TMP/t.snap" Enter
st_expect "saved to $ST_TMP/t.snap" "TUI snapshot done"
raw_has "saving: [0-9]* of $alloc pages" || fail "no progress on the TUI's status line"
raw_has "Esc or Ctrl-C: cancel" || fail "the status line does not say how to cancel"
st_keys q
st_wait_re '^ST\$ ?$' || fail "TUI did not quit"
pass "TUI :snapshot: progress on the status line"

#!/usr/bin/env bash
# The CLI in colour where stdout is a terminal (--color=auto, the default),
# in the TUI's roles (a number in the TUI's number colour, magenta: SGR 35);
# never into a pipe, with NO_COLOR, --no-color or --color=never, never in
# JSON; --color=always colours a pipe too and wins over NO_COLOR.
. "$(dirname "$0")/snaplib.sh"
st_snap_setup
st_snap_start
esc=$(printf '\033')
# st_out CMD: run it in the pane; $out: the pane's text with its escapes
# (a numbered end mark: the last command's mark may still be on screen)
ST_N=0
st_out() {
	ST_N=$((ST_N + 1))
	st_keys "clear; $*; echo DONE-\$((1000 + $ST_N))" Enter
	st_wait_re "^DONE-$((1000 + ST_N))\$" || fail "'$*' did not finish"
	out=$(tmux -L "$ST_SOCK" capture-pane -e -p -t st)
}
st_out "$INSPECT_BIN print $ST_SNAP '*gptr'"
# tmux writes the attributes its own way: a foreground 35 before the 1
printf '%s' "$out" | grep -Eq "$esc\[([0-9;]*;)?35m1" || fail "no colour on a terminal: $out"
printf '%s' "$out" | grep -q "id" || fail "no output"
pass "auto: colour on a terminal"
for cmd in "$INSPECT_BIN print $ST_SNAP '*gptr' | cat" \
	"NO_COLOR=1 $INSPECT_BIN print $ST_SNAP '*gptr'" \
	"$INSPECT_BIN print $ST_SNAP '*gptr' --no-color" \
	"$INSPECT_BIN print $ST_SNAP '*gptr' --color=never" \
	"$INSPECT_BIN print $ST_SNAP '*gptr' -j --color=always"; do
	st_out "$cmd"
	printf '%s' "$out" | grep -Eq "$esc\[([0-9;]*;)?3[0-7]m" && fail "colour from: $cmd"
	printf '%s' "$out" | grep -q '1' || fail "no output from: $cmd"
done
pass "no colour into a pipe, with NO_COLOR, --no-color, --color=never, in JSON"
"$INSPECT_BIN" print "$ST_SNAP" '*gptr' --color=always | grep -q "$esc\[0;35m1$esc\[0m" ||
	fail "--color=always does not colour a pipe"
NO_COLOR=1 "$INSPECT_BIN" print "$ST_SNAP" '*gptr' --color=always | grep -q "$esc\[" ||
	fail "--color=always does not win over NO_COLOR"
"$INSPECT_BIN" print "$ST_SNAP" '*gptr' --color=bogus 2>"$ST_TMP/err" && fail "--color=bogus accepted"
grep -q "^arena-inspect: --color: 'bogus' is not auto, always or never" "$ST_TMP/err" ||
	fail "--color=bogus: $(cat "$ST_TMP/err")"
pass "--color=always, and a bad WHEN"

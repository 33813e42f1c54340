#!/usr/bin/env bash
# less/vim keys and search on the `list` fixture: in the hex view Space, b
# and Ctrl-D move the cursor by a page and half a page of lines, a count
# (10j) moves ten lines and does not switch views, gg goes to the top; a
# byte-string search visits each node's payload in turn, wraps with a
# note, and every match on screen is drawn in the match colour; ? searches
# backward; F10 quits.
. "$(dirname "$0")/lib.sh"
st_setup
st_load list
st_start
st_run id "$ST_ID"
st_expect "arena $ST_ID 'list_arena'" "title"

# the page map: the CLI picture's symbols ('.' free, '#' all allocated),
# the legend until the first key, then L toggles it; row labels are page
# numbers in decimal, as in the status line; the cursor on an allocated
# page shows its symbol (reversed), not a blank
st_expect ". free  r reserved" "page map legend"
pic=$("$INSPECT_BIN" pages id "$ST_ID" | tail -1)
[ "${pic:0:4}" = "###." ] || fail "CLI picture of 3 allocated pages then free: '${pic:0:8}'"
st_wait_re '^       0  #' || fail "row label 0 and the cursor cell '#' on the allocated page 0"
# 42 columns: 32 pages a row, so the second row is page 32 (0x20)
tmux -L "$ST_SOCK" resize-window -t st -x 42 -y "$ST_ROWS"
st_wait_re '^      32  \.{32}$' || fail "row label 32 (decimal) on the second row of 32 pages"
tmux -L "$ST_SOCK" resize-window -t st -x "$ST_COLS" -y "$ST_ROWS"
st_keys End
st_expect "page 63  0x" "cursor on the last page"
st_lacks -F ". free  r reserved" || fail "legend still shown after a key"
st_keys L
st_expect ". free  r reserved" "L shows the legend again"
st_keys Home
pass "page map symbols as the CLI's, decimal row labels, legend until a key, then L"

# the offset in the status line of the hex view
hexoff() { st_screen | tail -1 | grep -o '+0x[0-9a-f]*' | head -1; }
st_keys M-2
st_expect "[hex]" "Alt-2 opens the hex view"
st_expect "+0x0  page 0" "cursor at the start"
# its legend until the first key there (r refreshes)
st_expect "ptr to a page  ptr unallocated  xx changed  xx match  -- not allocated  L hides" "hex legend"
st_keys r
st_gone "ptr to a page" || fail "hex legend still shown after a key"
# the lines of bytes on screen: a page is that many lines of 16 bytes
rows=$(st_screen | grep -cE '^ +[0-9a-f]+  [0-9a-f]{12}  ')
half=$(((rows + 1 - 1) / 2))
[ "$rows" -gt 10 ] || fail "only $rows hex lines on screen"
st_keys Space
st_expect "$(printf '+0x%x  page 0' $((rows * 16)))" "Space: a page down ($rows lines)"
st_keys b
st_expect "+0x0  page 0" "b: a page up"
st_keys C-d
st_expect "$(printf '+0x%x  page 0' $((half * 16)))" "Ctrl-D: half a page down ($half lines)"
st_keys C-u
st_expect "+0x0  page 0" "Ctrl-U: half a page up"
pass "Space, b, Ctrl-D, Ctrl-U page by the hex view's lines"

# 10j: ten lines down, still in the hex view (a digit used to switch views)
st_keys 1 0
st_expect "10" "the count is shown while typed"
st_keys j
st_expect "+0xa0  page 0" "10j moves ten lines"
st_has -F "[hex]" || fail "a count switched the view"
st_keys 3 k
st_expect "+0x70  page 0" "3k moves three lines up"
st_keys g g
st_expect "+0x0  page 0" "gg goes to the top"
pass "count prefixes move, views stay"

# a byte string: the 0x..77 payload of each of the 8 nodes (one a page)
nodes=$(printf '%s' "$ST_JSON" | grep -o '"addr":"0x[0-9a-f]*"' | cut -d'"' -f4)
first=$(printf '%s\n' $nodes | head -1)
st_keys / '\x77\x66\x55\x44\x33\x22\x11' Enter
st_wait_re "found at 0x[0-9a-f]+" || fail "byte-string search found nothing"
m1=$(st_screen | tail -1 | grep -o 'found at 0x[0-9a-f]*' | cut -d' ' -f3)
[ $((m1 - first)) -ge 0 ] && [ $((m1 - first)) -lt 80 ] ||
	fail "first match $m1 is not in the first node ($first)"
# every match on screen is highlighted: the two nodes on the first page
# (0x31 and 0x131 into it, 80-byte nodes 256 apart) both show the match
# colour (black on cyan) on their 77 66 55 bytes, not only the cursor's
hl=$(tmux -L "$ST_SOCK" capture-pane -p -e -t st | grep -c $'\e\\[30m\e\\[46m77')
[ "$hl" -ge 2 ] || fail "$hl lines with 77 in the match colour (want every match on screen)"
pass "byte-string search, every match on screen highlighted ($hl lines)"

n=$(printf '%s\n' $nodes | wc -l)
seen=1 wrapped=0
for _ in $(seq 1 "$n"); do
	st_keys n
	sleep 0.2
	st_poll 5 st_has -E 'found at|search wrapped' || fail "n: no message"
	if st_has -F "search wrapped"; then
		wrapped=1
		break
	fi
	seen=$((seen + 1))
done
[ "$wrapped" = 1 ] || fail "no 'search wrapped' after $n matches"
[ "$seen" -ge 2 ] || fail "n found only $seen matches before wrapping"
st_expect "search wrapped to the top: found at $m1" "wrapped back to the first match"
pass "n visits $seen matches, then 'search wrapped' back at the first"

# ? searches backward: from the first match, back around to the last one
st_keys '?' '\x77\x66\x55\x44\x33\x22\x11' Enter
st_expect "search wrapped to the bottom: found at 0x" "backward search from the first match wraps"
st_lacks -F "found at $m1" || fail "? did not move backward"
pass "? searches backward and wraps"

# a count with n: from the top, / then 2n is the third match
st_keys g g / Enter
st_expect "found at $m1" "/ Enter searches again from the top"
st_keys 2 n
st_wait "found at 0x" || fail "2n found nothing"
m3=$(st_screen | tail -1 | grep -o 'found at 0x[0-9a-f]*' | cut -d' ' -f3)
[ $((m3 - m1)) -eq 512 ] || fail "2n went to $m3, not the third match ($m1 + 0x200)"
pass "2n skips a match"

st_keys F10
st_wait_re '^EXIT=0$' || fail "F10 does not quit"
pass "F10 quits"

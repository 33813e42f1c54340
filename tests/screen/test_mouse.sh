#!/usr/bin/env bash
# The mouse on the `list` fixture, with xterm mouse events (X10 encoding,
# what ncurses asks tmux-256color for) written to the pane: a click on a
# page map cell opens the page in hex, the wheel moves three lines, a
# double click on a pointer follows it, a click in the chooser selects and
# a double click opens; :set mouse off and --no-mouse turn mouse reporting
# off (tmux's mouse_any_flag says whether the program asked for it).
. "$(dirname "$0")/lib.sh"
st_setup
st_load list
st_start

# mouse EVENT X Y: button code (0 press, 3 release, 64/65 wheel up/down) at
# the 0-based screen cell X, Y
mouse() { st_keys -l "$(printf '\e[M%b%b%b' "\\$(printf '%03o' $((32 + $1)))" \
	"\\$(printf '%03o' $((33 + $2)))" "\\$(printf '%03o' $((33 + $3)))")"; }
click() { mouse 0 "$1" "$2"; mouse 3 "$1" "$2"; }
flag() { tmux -L "$ST_SOCK" display -p -t st '#{mouse_any_flag}'; }

st_run id "$ST_ID"
st_expect "arena $ST_ID 'list_arena'" "title"
st_poll 5 test "$(flag)" = 1 || fail "the TUI did not turn mouse reporting on"
# page map: row 0 of the grid is screen row 3 (title, counts, zoom line),
# cells from column 10; page 1 is at column 11
click 11 3
st_expect "[hex]" "a click on a cell opens it in hex"
st_expect "+0x1000  page 1" "the clicked page (1)"
pass "a click in the page map opens the page"

st_keys g g
st_expect "+0x0  page 0" "top"
mouse 65 30 10
st_expect "+0x30  page 0" "wheel down: three lines"
mouse 64 30 10
st_expect "+0x0  page 0" "wheel up: three lines back"
pass "the wheel scrolls the hex view"

# line 0 is screen row 2 (title, column header); its first qword (the first
# node's next, node 2) from column 25: a click selects, a double click follows
next=$(printf '%s' "$ST_JSON" | grep -o '"next":"0x[0-9a-f]*"' | head -1 | cut -d'"' -f4)
base=$(st_json user_vm_start)
st_keys Down
st_expect "+0x10  page 0" "cursor off the first line"
click 26 2
st_expect "+0x0  page 0" "a click selects the line's qword"
click 26 2
click 26 2
st_expect "$(printf '+0x%x  page %d' $((next - base)) $(((next - base) / 4096)))" \
	"a double click follows the pointer to $next"
pass "click selects, double click follows"

# the chooser: a click on our row selects it, a double click opens it
st_keys A
st_expect "ID       NAME" "chooser"
st_wait_re "^ *$ST_ID +list_arena" || fail "our arena in the chooser"
y=$(st_screen | grep -nE "^ *$ST_ID +list_arena" | head -1 | cut -d: -f1)
y=$((y - 1))
click 3 "$y"
click 3 "$y"
st_expect "[pages]" "a double click in the chooser opens the arena"
pass "double click in the chooser opens"

# a table (the walk of the list): a double click on the third row (canvas
# row 2 + 2: screen row 5) opens that node, the third of the list
st_keys : "walk head" Enter
st_expect "[table: 8 rows]" "the walk as a table"
st_wait_re '^ *2 +0x' || fail "third row of the walk"
click 3 5
click 3 5
st_expect 'name = "charlie"' "a double click on a table row opens its node"
pass "double click in a table opens the row"

st_keys : "set mouse off" Enter
st_expect "mouse=off" ":set mouse off"
st_poll 5 test "$(flag)" = 0 || fail ":set mouse off left mouse reporting on"
st_keys : "set mouse on" Enter
st_poll 5 test "$(flag)" = 1 || fail ":set mouse on did not turn it back on"
st_keys : "set mouse maybe" Enter
st_expect "set mouse: 'maybe' is not off or on" "a bad value"
pass ":set mouse off/on"
st_quit 0

st_run --no-mouse id "$ST_ID"
st_expect "arena $ST_ID 'list_arena'" "title with --no-mouse"
sleep 0.3
[ "$(flag)" = 0 ] || fail "--no-mouse: mouse reporting is on"
pass "--no-mouse"
st_quit 0

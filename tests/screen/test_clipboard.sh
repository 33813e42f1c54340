#!/usr/bin/env bash
# y copies to the terminal's clipboard through OSC 52 (terminfo's Ms), made
# printable first, and still to the ':' line. tmux with set-clipboard on
# keeps what a program copies as a paste buffer (show-buffer). On the list
# fixture: y on a root; on the hostile snapshot (tests/integration/
# it_hostile.c): a root whose name holds an OSC 52 of its own is copied as
# its printable form, never raw; :set clipboard off stops it.
. "$(dirname "$0")/lib.sh"
SNAP=$(cd "$(dirname "$0")/../../fuzz/corpus/fuzz_snapshot" && pwd)/hostile-names.snap
[ -f "$SNAP" ] || fail "hostile snapshot missing: $SNAP"
st_setup
st_load list
st_start
tmux -L "$ST_SOCK" set-option -g set-clipboard on
buffer() { tmux -L "$ST_SOCK" show-buffer 2>/dev/null; }
# leave the ':' line (Esc waits a moment for a Meta key: wait it out)
no_prompt() { ! st_screen | tail -1 | grep -q '^:'; }
leave() { st_keys C-u Escape; st_poll 5 no_prompt || fail "the ':' line did not close"; }

st_run id "$ST_ID"
st_expect "arena $ST_ID 'list_arena'" "title"
st_keys M-3
st_expect "head = 0x" "roots"
st_keys / head Enter
st_keys y
st_expect ":print head" "y puts the path on the ':' line"
st_poll 5 test "$(buffer)" = "head" || fail "clipboard holds '$(buffer)', not 'head'"
leave
pass "y copies the path to the clipboard (OSC 52) and the ':' line"

st_keys M-2
st_expect "[hex]" "hex view"
st_keys y
st_expect ":print *(u64 *)$(st_json user_vm_start)" "y in hex: the address on the ':' line"
st_poll 5 test "$(buffer)" = "$(st_json user_vm_start)" || fail "hex y: clipboard holds '$(buffer)'"
leave
pass "y in hex copies the cursor's address"

st_keys : "set clipboard off" Enter
st_expect "clipboard=off" ":set clipboard off"
st_keys M-3 / head Enter y
st_expect ":print head" "y still fills the ':' line"
sleep 0.3
[ "$(buffer)" = "$(st_json user_vm_start)" ] || fail "clipboard off, but it changed to '$(buffer)'"
leave
pass ":set clipboard off"
st_quit 0

# a member whose name holds ESC [ 31m and DEL: the clipboard gets the
# path's printable form (as on screen), never the raw bytes
st_run "'$SNAP'"
st_keys :
st_keys "print *clean" Enter
st_expect 'm\x1b[31m\x7f = 7' "the hostile member, escaped"
# found by its printable form, as it is drawn
st_keys / 'm\x1b[31m' Enter
st_expect "int  clean->m" "the member selected by a search for its printable name"
st_keys y
st_poll 5 test "$(buffer)" = 'clean->m\x1b[31m\x7f' ||
	fail "clipboard holds '$(buffer | od -c | head -3)', not the printable path"
leave
pass "the copied text is made printable first"
st_quit 0

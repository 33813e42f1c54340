#!/usr/bin/env bash
# Struct view on the `list` fixture: walk three pointers deep with Enter, go
# back and forward, follow a pointer in the hex view, :print with TAB
# completion of a root and of members, resize, quit with the terminal
# restored.
. "$(dirname "$0")/lib.sh"
st_setup
st_load list
st_start
# addresses depend on where the fixture put the arena
base=$(st_json user_vm_start)
[ -n "$base" ] || fail "no user_vm_start in: $ST_JSON"
# the first three nodes of the list, in order, from the fixture's JSON
addrs=($(printf '%s' "$ST_JSON" | grep -o '"addr":"0x[0-9a-f]*"' | cut -d'"' -f4))
node1=${addrs[0]} node2=${addrs[1]} node3=${addrs[2]}
[ -n "$node3" ] || fail "no node addresses in: $ST_JSON"
off() { printf '+0x%x  page %d' $(($1 - base)) $((($1 - base) / 4096)); }
# 8 bytes of a value as the hex view shows them (little endian)
le64() { local v=$(($1)) i out=""; for i in 0 1 2 3 4 5 6 7; do out+=$(printf '%02x ' $(((v >> (8 * i)) & 255))); done; echo "${out% }"; }
st_run id "$ST_ID"

st_expect "arena $ST_ID 'list_arena'" "title"
st_expect "allocated $(st_json allocated_pages) " "page map counts"

# struct view: the roots
st_keys M-3
st_expect "head = $node1" "roots"
# 1: head -> node 1
st_keys Enter
st_expect 'name = "alpha"' "first node"
st_expect "*head" "expression of the first node"
# 2: ->next -> node 2 (cursor on next, the first member)
st_keys j Enter
st_expect 'name = "bravo"' "second node"
st_expect "*head->next" "expression of the second node"
# 3: ->next -> node 3
st_keys j Enter
st_expect 'name = "charlie"' "third node"
st_expect "*head->next->next" "expression of the third node"
st_expect "[4/4]" "history position"
# back twice, forward once
st_keys BSpace
st_expect 'name = "bravo"' "back to the second node"
st_keys '<'
st_expect 'name = "alpha"' "back to the first node"
st_keys '>'
st_expect 'name = "bravo"' "forward to the second node"
# the cursor came back with the history entry (on `next`); the status
# line shows the address and type of the selected field
st_expect "$node2  struct node *  head->next->next" "status of the selected field"
pass "walked three pointers deep and back"

# hex view: the first qword of node 2 points to node 3; Enter follows it
st_keys :
st_expect ":" "prompt"
st_keys "hex head->next" Enter
st_expect "${node2#0x}  $(le64 "$node3")" "hex at node 2"
st_keys Enter
st_expect "$node3  $(off "$node3")" "followed the pointer in hex"
st_keys BSpace
st_expect "$node2  $(off "$node2")" "back in hex"
st_keys G
st_expect "-- pages 3-63 not allocated (61 pages, 244 KiB) --" "unallocated pages as one line"
pass "hex view follows pointers and shows holes"

# a u64 root that holds an arena address (arena_base): Enter shows it in hex
st_keys M-3 :
st_keys "print arena_base" Enter
st_expect "arena_base = $((base))" "the u64 root, in decimal"
st_expect "\$1 = $((base))" "the value history's first value on the status line"
# a key clears the message: the selected field's status shows
st_keys k
st_expect "= $base in the arena: Enter shows it in hex" "status names the arena address"
st_keys Enter
st_expect "[hex]" "Enter on it opens the hex view"
st_expect "${base#0x}  " "hex view at the arena's first byte"
st_expect "arena_base = $base, an arena address" "message"
pass "an integer that holds an arena address opens in hex"

# :print with TAB completion: a root, then members after ->
st_keys : p r i Tab
st_expect ":print" "command completed"
st_keys h e Tab
st_expect ":print head" "root completed"
st_keys - '>' Tab
st_expect "next" "members listed"
st_expect "name" "members listed"
st_keys n e Tab - '>' n a Tab
st_expect ":print head->next->name" "members completed"
st_keys Enter
st_expect 'head->next->name = "bravo"' "printed value"
st_expect '$2 = "bravo"' "as the value history's second value"
st_keys k # a key clears the message: the status bar has its hints again
pass ":print with TAB completion"

# resize: the screen is laid out again at the new size
tmux -L "$ST_SOCK" resize-window -t st -x 90 -y 24
# the status bar must move to the new last row (row 24) by itself
st_last_row() { st_screen | sed -n 24p; }
n=200
until st_last_row | grep -qE 'F1 help  : command *$' || [ $n -eq 0 ]; do sleep 0.05; n=$((n - 1)); done
[ $n -gt 0 ] || fail "status bar not on the last row after resize"
st_screen | head -1 | grep -qE '^ arena-inspect .* live *$' || fail "title not redrawn after resize"
[ "$(st_screen | head -1 | wc -c)" -le 91 ] || fail "title wider than the window"
tmux -L "$ST_SOCK" resize-window -t st -x "$ST_COLS" -y "$ST_ROWS"
st_expect 'head->next->name = "bravo"' "view after resize"
pass "resize"

st_quit 0
pass "quit, terminal restored"

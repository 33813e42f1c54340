#!/usr/bin/env bash
# Sorting the chooser and the watch pane (s / F6 next column, S reverses),
# with the selection kept on the same arena / watch across refreshes; Esc
# and Backspace leave the chooser for the view it was opened from. Two
# fixtures (list, tree); other arenas on the machine may be listed too, so
# rows are found by our ids.
. "$(dirname "$0")/lib.sh"
st_setup
st_load tree
tree_id=$ST_ID
st_load list
list_id=$ST_ID
st_start

# the row number (from the top of the screen) of arena id $1
row_of() { st_screen | grep -nE "^ *$1 +" | head -1 | cut -d: -f1; }

st_run --interval 300
st_expect "ID       NAME" "chooser header"
st_wait_re "^ *$tree_id +tree_arena" || fail "tree arena listed"
st_wait_re "^ *$list_id +list_arena" || fail "list arena listed"
# s: by NAME, ascending (list_arena before tree_arena); F6 does the same as s
st_keys s
st_expect "sorted by NAME, ascending" "s sorts by the next column"
st_expect "NAME▲" "the header marks the sort column"
[ "$(row_of "$list_id")" -lt "$(row_of "$tree_id")" ] ||
	fail "NAME ascending: list_arena is not above tree_arena"
# select the list arena, then S: descending, the selection moves with it
st_keys / "$list_id" Enter
st_keys S
st_expect "sorted by NAME, descending" "S reverses"
st_expect "NAME▼" "the header marks the direction"
[ "$(row_of "$list_id")" -gt "$(row_of "$tree_id")" ] ||
	fail "NAME descending: list_arena is not below tree_arena"
# refreshes (every other tick, and r) keep the order and the selection
sleep 1
st_keys r
sleep 0.5
[ "$(row_of "$list_id")" -gt "$(row_of "$tree_id")" ] || fail "a refresh lost the sort"
st_expect "NAME▼" "the sort survives a refresh"
st_keys Enter
st_expect "arena $list_id 'list_arena'" "the selection stayed on the list arena"
pass "chooser sorts by name both ways; sort and selection kept across refreshes"

# A opens the chooser, Esc goes back to the page map; Backspace likewise
st_keys A
st_expect "ID       NAME" "A opens the chooser"
st_keys Escape
st_expect "[pages]" "Esc leaves the chooser for the page map"
st_keys M-2 A
st_expect "ID       NAME" "A opens the chooser from hex"
st_keys BSpace
st_expect "[hex]" "Backspace leaves the chooser for the hex view"
pass "Esc and Backspace leave the chooser"

# the watch pane: three watches on the ids of the first three nodes (1, 2, 3)
for e in "head->id" "head->next->next->id" "head->next->id"; do
	st_keys : "watch $e" Enter
	st_expect "watch #" "watch $e"
done
st_keys M-4
st_expect "EXPRESSION" "watch pane"
st_wait_re '^ +3 +head->next->id +2 ' || fail "third watch with its value"
# the rows' ids, top to bottom
ids() { st_screen | grep -oE '^ +[0-9]+ +head' | awk '{print $1}' | tr '\n' ' '; }
[ "$(ids)" = "1 2 3 " ] || fail "watch order before sorting: $(ids)"
# select #3 (value 2), sort by VALUE: s goes # -> EXPRESSION -> VALUE
st_keys G
st_keys s s
st_expect "sorted by VALUE, ascending" "s twice: by value"
[ "$(ids)" = "1 3 2 " ] || fail "by value ascending (1, 2, 3): $(ids)"
st_keys S
st_expect "VALUE▼" "descending mark"
[ "$(ids)" = "2 3 1 " ] || fail "by value descending (3, 2, 1): $(ids)"
st_keys r
sleep 0.7
[ "$(ids)" = "2 3 1 " ] || fail "a refresh lost the sort: $(ids)"
st_expect "#3 head->next->id" "the selection stayed on watch #3"
pass "watch pane sorts by value both ways, selection on its watch across refreshes"

st_quit 0

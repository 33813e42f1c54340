#!/usr/bin/env bash
# The help screen and the command line on a snapshot, as an unprivileged
# user, whole screens compared with expected/*.txt (see snaplib.sh): `?`,
# `:print` of an expression, TAB completion of members, and an error on
# the status line.
. "$(dirname "$0")/snaplib.sh"
st_snap_setup
st_snap_start
st_run "$ST_SNAP"
st_expect "largest free run 24" "page map"

st_keys F1
st_screen_is help "help: lines 1-"
st_keys q
st_gone "help: lines 1-" || fail "q leaves the help screen"

st_keys : "print *gptr->next" Enter
st_screen_is print "*gptr->next (struct node)"

st_keys : "print gptr->nosuch" Enter
st_screen_is error "is not a member of struct node"

# TAB after '.' offers what the evaluator takes: the members of the
# anonymous union and struct in their place; nothing after '.' on a
# pointer (the evaluator wants '->' there)
st_keys : "print glob." Tab
st_screen_is complete_dot "u1"
st_keys s 2 Enter
st_expect "glob.s2 = 3" "a member of the anonymous struct, completed and printed"
st_keys : "print gptr." Tab
st_screen_is complete_ptr_dot ":print gptr."
st_keys C-u Escape
# the function-like words of the expression language complete too
st_keys : "print (u64)cont" Tab
st_expect ":print (u64)container_of" "TAB completes container_of"
st_keys C-u Escape

# GDB's print formats and value history: p/x writes every member in hex
# (gptr's node is id 1, val 100) as the next history value, $3 (the two
# prints above are $1 and $2); $3 works in a later expression, and Enter
# on an empty ':' line repeats the command with a new number
st_keys : "p/x *gptr" Enter
st_screen_is print_x '$3 = {.id = 0x1, .next = 0x100000001040, .name = "one", .val = 0x64}'
st_keys : 'print $3.val + 1' Enter
st_expect '$4 = 101' "\$3 in a later expression"
st_keys : Enter
st_expect '$5 = 101' "Enter on an empty : line repeats the last command"
st_keys : 'print $$2.id' Enter
st_expect '$6 = 1' "\$\$2: two before the last"
st_keys : 'p/q 1' Enter
st_expect 'p/q: the formats are /x /d /u /o /t /c /a /s /z' "an unknown format"

# an address outside the arena on the hex view's command
st_keys : "hex 0x200000000000" Enter
st_screen_is error_hex "0x200000000000"

st_quit 0
pass "quit, terminal restored"

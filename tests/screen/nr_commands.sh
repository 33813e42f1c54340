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
st_keys C-u Enter
# the function-like words of the expression language complete too
st_keys : "print (u64)cont" Tab
st_expect ":print (u64)container_of" "TAB completes container_of"
st_keys C-u Enter

# an address outside the arena on the hex view's command
st_keys : "hex 0x200000000000" Enter
st_screen_is error_hex "0x200000000000"

st_quit 0
pass "quit, terminal restored"

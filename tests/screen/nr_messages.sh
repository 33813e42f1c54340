#!/usr/bin/env bash
# The messages view (M, :messages) on a snapshot, as an unprivileged user,
# whole screens compared with expected/*.txt (see snaplib.sh): messages that
# replaced each other on the status line within a second are all listed,
# oldest first with their times and errors marked; past 200 the view says
# that only the last 200 are kept; q goes back to the view before.
. "$(dirname "$0")/snaplib.sh"
st_snap_setup
st_snap_start
st_run "$ST_SNAP"
st_expect "largest free run 24" "page map"

# three messages in a row, each replacing the one before on the status line
st_keys : "print gptr->nosuch" Enter : "set" Enter : "hex 0x200000000000" Enter
st_expect "0x200000000000 is outside the arena" "the last message on the status line"
st_lacks -F "is not a member" || fail "the first message is still on the screen"
st_keys M
st_screen_is messages "message 3 of 3"
# the order, from the screen itself: oldest first, each with a time
st_screen | grep -E '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}  ' | sed -E 's/^[^ ]+  //' >"$ST_TMP/listed"
printf '%s\n' "gptr->nosuch: 'nosuch' is not a member of struct node" \
	"max-elements=64  mouse=on  clipboard=on   (:set NAME VALUE)" "0x200000000000 is outside the arena" >"$ST_TMP/want"
diff -u "$ST_TMP/want" "$ST_TMP/listed" || fail "the messages view does not list the three messages in order"
pass "a message replaced on the status line is still listed, with its time"

# q goes back to the view before (hex), and :messages opens it again
st_keys q
st_expect "[hex]" "q leaves the messages view"
st_keys : messages Enter
st_expect "[messages]" ":messages opens the view"
st_keys : "messages now" Enter
st_expect "usage: messages (no arguments)" ":messages takes no argument"

# past the ring's 200: the view says how many there were
keys=()
for i in $(seq 200); do keys+=(: set Enter); done
st_keys "${keys[@]}"
st_screen_is messages_cap "the last 200 of 204 messages"
st_keys q
st_gone "[messages]" || fail "q leaves the messages view"
st_quit 0
pass "quit, terminal restored"

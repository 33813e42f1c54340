#!/usr/bin/env bash
# The health view on the `planted` fixture (one of each problem check finds,
# at addresses the loader reports): H lists exactly the loader's findings
# (kind, where, value, page state, path) and the unreachable run, Enter on
# a finding shows where it is stored in hex (or, for the one in the .bss
# struct my_alloc, says it is in a map); :refs '*hdr->list' lists the
# two planted references to the list's first node with their typed paths
# (hdr->list and the misaligned hdr->misaligned, node + 4), Enter goes to
# one; TAB completes the .bss struct my_alloc and its members, and :print
# reads through it; no page of the arena is allocated by any of it.
. "$(dirname "$0")/lib.sh"
st_setup
st_load planted
st_start
before=$(st_count)
[ -n "$before" ] || fail "no page count from arena-fixture count"
# the loader's findings, one "kind at value state path" line each
# (paths hold brackets: cut at the key after the array, not at the first ']')
findings=$(printf '%s' "$ST_JSON" | sed 's/.*"findings":\[//; s/\],"unreachable_pages".*//' |
	grep -o '{[^}]*}')
[ -n "$findings" ] || fail "no findings in the fixture's JSON"
field() { printf '%s' "$1" | grep -o "\"$2\":\"[^\"]*\"" | cut -d'"' -f4; }
hdr=$(st_json hdr)
list=$(st_json list)

st_run "id $ST_ID"
st_expect "arena $ST_ID" "arena open"
st_keys H
st_expect "HEALTH CHECK (:check again)" "health view"
n=0
while IFS= read -r f; do
	kind=$(field "$f" kind) at=$(field "$f" at) value=$(field "$f" value)
	state=$(field "$f" target_state) path=$(field "$f" path)
	where="at $at"
	[ "$at" = 0x0 ] && where="in map" # held in a map variable (my_alloc)
	re_path=$(printf '%s' "$path" | sed 's/[][.]/\\&/g') # my_alloc.slots[1]
	st_wait_re "^$kind +$where = $value  $state.*${path:+  $re_path}" ||
		fail "finding $kind at $at = $value ($state) ${path:-no path} not on screen"
	n=$((n + 1))
done <<<"$findings"
rows=$(st_screen | grep -cE '^(dangling|reserved|outside|poison|misaligned) +(at 0x|in map)')
[ "$rows" -eq "$n" ] || fail "$rows findings on screen, the fixture planted $n"
st_expect "unreachable pages 8-10 (3 pages)" "the unreachable run"
pass "health view: exactly the $n planted findings and the run"

# Enter on the first finding: my_alloc's, in a map: a message, no hex
st_keys Enter
st_expect "stored in a map variable" "Enter on a finding in a map"
# Enter on the next one: its location in hex
first_at=$(field "$(sed -n 2p <<<"$findings")" at)
st_keys Down Enter
st_expect "[hex]" "Enter: hex view"
st_expect "${first_at#0x}" "Enter: the first finding's location"
pass "Enter shows the finding's location in hex"

# who points at the list's first node
st_keys : "refs *hdr->list" Enter
st_expect "REFERENCES (x)" "refs mode"
st_expect "2 references into [$list, $(printf '0x%x' $((list + 24))))" "the node's range"
st_expect "$(printf '0x%x' $((hdr + 8))) -> $list (+0)  hdr->list" "hdr->list, with its path"
st_expect "$(printf '0x%x' $((list + 4))) (+4)  hdr->misaligned" "hdr->misaligned, with its path"
st_keys Enter
st_expect "[hex]" "Enter on a reference: hex"
pass "refs of the first node: hdr->list and hdr->misaligned"

# the .bss struct my_alloc is a name TAB completes, and so are its members
st_keys : "print my_al" Tab
st_expect ":print my_alloc" "TAB completes the variable my_alloc"
st_keys . Tab
st_expect "slots" "TAB after 'my_alloc.': its members"
st_keys C-u "print my_alloc.root->next" Enter
st_expect "$(st_json var_next)" "my_alloc.root->next read through the variable"
pass "my_alloc: completed and printed"

after=$(st_count)
[ "$before" = "$after" ] || fail "allocated pages $before before, $after after"
pass "no page allocated ($after)"
st_quit 0

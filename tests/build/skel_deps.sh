#!/usr/bin/env bash
# The BPF skeleton rules (CMakeLists.txt bpf_skeleton) on a copy of the
# source tree, with Ninja and with Make: editing a header that a .bpf.c
# includes rebuilds that skeleton and only that one, a build with nothing
# changed rebuilds none, the embedded object has no DWARF but keeps its BTF,
# and __TARGET_ARCH_* follows CMAKE_SYSTEM_PROCESSOR. Exit 77 = skipped.
set -u
SRC=${SOURCE_DIR:?SOURCE_DIR unset}
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
pass() { echo "PASS: $*"; }
command -v ninja >/dev/null || skip "ninja is not installed (ninja-build)"
command -v make >/dev/null || skip "make is not installed"
command -v readelf >/dev/null || skip "readelf is not installed (binutils)"

TMP=$(mktemp -d /tmp/skel-deps-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# a copy, so touching headers does not make other builds of the tree rebuild
tar -C "$SRC" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$TMP" -xf - ||
	fail "cannot copy $SRC"
mkdir "$TMP/src" && (cd "$TMP" && mv -- $(ls -A | grep -vx src) src/) || fail "cannot lay out the copy"
S=$TMP/src

# build DIR: the probe's and the bench's skeletons only
build() { cmake --build "$1" --target inspector_skels bench_skels >"$TMP/build.log" 2>&1 ||
	{ cat "$TMP/build.log"; fail "build in $1"; }; }

for gen in Ninja "Unix Makefiles"; do
	b=$TMP/b-${gen// /}
	cmake -S "$S" -B "$b" -G "$gen" >"$TMP/cfg.log" 2>&1 || { cat "$TMP/cfg.log"; fail "configure ($gen)"; }
	build "$b"
	probe=$b/skel/probe_bpf.skel.h fill=$b/skel/fill.skel.h
	[ -s "$probe" ] && [ -s "$fill" ] || fail "$gen: no skeletons after the first build"

	sleep 1; touch "$TMP/mark"
	build "$b"
	[ "$probe" -nt "$TMP/mark" ] && fail "$gen: probe_bpf.skel.h rebuilt with nothing changed"
	[ "$fill" -nt "$TMP/mark" ] && fail "$gen: fill.skel.h rebuilt with nothing changed"
	pass "$gen: nothing changed, nothing rebuilt"

	sleep 1; touch "$TMP/mark"; touch "$S/inspector/bpf/probe_abi.h"
	build "$b"
	[ "$probe" -nt "$TMP/mark" ] || fail "$gen: probe_bpf.skel.h not rebuilt after probe_abi.h changed"
	[ "$fill" -nt "$TMP/mark" ] && fail "$gen: fill.skel.h rebuilt though fill.bpf.c does not include probe_abi.h"
	pass "$gen: probe_abi.h changed, probe_bpf.skel.h rebuilt, fill.skel.h not"

	sleep 1; touch "$TMP/mark"; touch "$S/bench/fill.h"
	build "$b"
	[ "$fill" -nt "$TMP/mark" ] || fail "$gen: fill.skel.h not rebuilt after fill.h changed"
	[ "$probe" -nt "$TMP/mark" ] && fail "$gen: probe_bpf.skel.h rebuilt though probe.bpf.c does not include fill.h"
	pass "$gen: fill.h changed, fill.skel.h rebuilt, probe_bpf.skel.h not"
done

# the embedded object: DWARF stripped, BTF kept
sec=$(readelf -SW "$b/skel/probe_bpf.bpf.o") || fail "readelf on probe_bpf.bpf.o"
grep -q ' \.debug_' <<<"$sec" && fail "probe_bpf.bpf.o still has DWARF: $(grep -o '\.debug_[a-z_]*' <<<"$sec" | tr '\n' ' ')"
grep -q ' \.BTF ' <<<"$sec" || fail "probe_bpf.bpf.o lost .BTF"
grep -q ' \.BTF\.ext ' <<<"$sec" || fail "probe_bpf.bpf.o lost .BTF.ext"
pass "probe_bpf.bpf.o: no .debug_* sections, .BTF and .BTF.ext kept"

# __TARGET_ARCH_* from the processor: the host's, and an arm64 cross configure
host=$(ninja -C "$TMP/b-Ninja" -t commands skel/probe_bpf.skel.h | grep -o -- '-D__TARGET_ARCH_[a-z0-9]*' | sort -u)
case "$(uname -m)" in
x86_64|i?86) want=-D__TARGET_ARCH_x86 ;;
aarch64) want=-D__TARGET_ARCH_arm64 ;;
*) want=$host ;;
esac
[ "$host" = "$want" ] || fail "host $(uname -m): the probe is built with '$host', not $want"
cmake -S "$S" -B "$TMP/b-arm64" -G Ninja -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64 \
	>"$TMP/cfg.log" 2>&1 || { cat "$TMP/cfg.log"; fail "configure for aarch64"; }
cross=$(ninja -C "$TMP/b-arm64" -t commands skel/probe_bpf.skel.h | grep -o -- '-D__TARGET_ARCH_[a-z0-9]*' | sort -u)
[ "$cross" = -D__TARGET_ARCH_arm64 ] || fail "CMAKE_SYSTEM_PROCESSOR=aarch64: built with '$cross'"
pass "target arch: $host on $(uname -m), $cross for aarch64"

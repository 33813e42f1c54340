/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fwd_arena: an arena made in memory whose "program" BTF has struct node
 * only as a forward declaration, as clang emits it for a BPF program that
 * reaches its nodes only through pointers:
 *   struct hdr { struct node *good; void *any; __u64 count; };  (root hdr)
 * The nodes and an elem are laid out by the compiler of this test from
 * tests/data/fwd_types.h, so where a member is comes from C, not from
 * arena-inspect. hdr at FWD_S, the list of FWD_NODES nodes on page 1
 * (node i at FWD_S + 0x1000 + i * 0x40, value (i + 1) * 111, id i + 1,
 * flags i, kind i + 2, live i & 1), hdr->any points at the elem on page 2.
 */
#ifndef TESTS_FWD_ARENA_H
#define TESTS_FWD_ARENA_H

#include <stdint.h>
#include "btfx.h"
#include "source.h"

#define FWD_S 0x200000000000ULL
#define FWD_PAGES 4
#define FWD_NODES 3
#define FWD_ELEM (FWD_S + 0x2000)
#define FWD_HEADER SOURCE_DIR "/tests/data/fwd_types.h"

/* The arena and its program BTF (root hdr). 0 or -errno. */
int fwd_arena_open(struct source **src, struct btfx **bx);

#endif

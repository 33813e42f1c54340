/* SPDX-License-Identifier: GPL-2.0 */
/*
 * btfx: the types and roots of one arena.
 *
 * BTF is found from the programs that use the arena (their btf_id, shared
 * objects deduplicated), from a file given by the user (--btf: ELF .bpf.o or
 * raw BTF), or from the blobs stored in a snapshot. Roots are the named
 * places where data starts: __arena globals (DATASEC ".addr_space.1", placed
 * at offset 0 or at the end of the arena, detected), and .bss/.data/.rodata
 * variables of those programs whose value points into the arena (read from
 * the maps without changing them).
 */
#ifndef ARENA_INSPECT_BTFX_H
#define ARENA_INSPECT_BTFX_H

#include <stdbool.h>
#include <stdint.h>
#include "source.h"

struct btf;

enum root_kind {
	ROOT_ARENA_GLOBAL, /* __arena global: lives in the arena */
	ROOT_MAP_PTR,	   /* .bss/.data/.rodata pointer into the arena */
};

struct root {
	char name[64];
	enum root_kind kind;
	const struct btf *btf;
	uint32_t type_id;   /* type of the variable itself */
	uint64_t addr;	    /* ARENA_GLOBAL: user address of the variable */
	uint64_t value;	    /* MAP_PTR: the pointer value read from the map */
	char section[32];   /* ".bss", ".addr_space.1", ... */
};

struct btfx;

/* btf_file may be NULL. Finding no BTF is not an error: btfx__nr_btfs()==0. */
int btfx__open(struct source *src, const char *btf_file, struct btfx **out);
void btfx__free(struct btfx *bx);

int btfx__nr_btfs(const struct btfx *bx);
const struct btf *btfx__btf(const struct btfx *bx, int i);
/* raw BTF bytes of blob i (for snapshots) */
const void *btfx__btf_raw(const struct btfx *bx, int i, uint32_t *size);

int btfx__nr_roots(const struct btfx *bx);
const struct root *btfx__root(const struct btfx *bx, int i);
const struct root *btfx__find_root(const struct btfx *bx, const char *name);

/* "struct node", "node", "u64", "struct node *": resolve to a type id in one
 * of the BTFs. Returns 0 or -ENOENT. */
int btfx__find_type(const struct btfx *bx, const char *name, const struct btf **btf,
		    uint32_t *type_id);

/* Names for TAB completion: calls cb for every root, named struct/union/
 * enum/typedef; stop when cb returns non-zero. */
void btfx__for_each_name(const struct btfx *bx, int (*cb)(const char *name, bool is_type, void *ctx),
			 void *ctx);

/* Where __arena globals were found: 0 = offset 0, 1 = end, -1 = none */
int btfx__globals_placement(const struct btfx *bx);

#endif

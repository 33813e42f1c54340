/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to btfx.c (discovery: finding the BTF and the roots),
 * btfx_globals.c (placing the __arena globals) and btfx_types.c (type
 * lookup by name, synthesized types): the btfx object itself. Everything else goes through btfx.h
 * and btfx_internal.h.
 */
#ifndef ARENA_INSPECT_BTFX_PRIV_H
#define ARENA_INSPECT_BTFX_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "btfx_internal.h"

struct blob {
	struct btf *btf;
	struct btf *ext;    /* split on btf: synthesized types, lazily */
	uint32_t kernel_id; /* 0: file or snapshot */
	void *raw;
	uint32_t raw_size;
	bool types;  /* from --types (btfx__add_types) */
	char *label; /* where it came from, for notes and `types` */
};

/* a forward declaration and the complete type it resolved to (0: none) */
struct fwd_cache {
	const struct btf *btf;
	uint32_t id;
	const struct btf *cbtf;
	uint32_t cid;
};

struct ptr_cache {
	const struct btf *btf;
	uint32_t id;
	const struct btf *pbtf;
	uint32_t pid;
};

struct btfx {
	struct source *src;
	struct blob *blobs;
	int nr_blobs;
	struct root *roots;
	int nr_roots;
	size_t cap_roots;
	/* roots by name: open addressing, index + 1 (0: empty), a power of
	 * two at least twice nr_roots; a snapshot may hold 65,536 roots */
	int *root_idx;
	size_t cap_root_idx;
	int placement;
	struct btf *builtin; /* built-in integer types, lazily */
	struct ptr_cache *pc;
	int nr_pc;
	size_t cap_pc;
	uint64_t serial;
	/* arena offsets seen as constants in the programs (placement hint) */
	uint64_t *insn_offs;
	int nr_insn_offs;
	/* forward declarations completed by name (btfx__complete) */
	struct fwd_cache *fc;
	int nr_fc;
	size_t cap_fc;
	/* notes about the types (conflicting definitions), each once */
	char **notes;
	int nr_notes;
	size_t cap_notes;
	/* data-section variables (btfx__var); each var's data is its own
	 * allocation */
	struct map_var *vars;
	int nr_vars;
	size_t cap_vars;
	uint64_t var_bytes;
	bool vars_cut;
	int nr_conflicts;		    /* also those past the notes' cap */
	const struct expr_history *history; /* btfx__set_history, borrowed */
	/* maps of the programs check cannot read (btfx__unseen_map) */
	struct btfx_map *unseen;
	int nr_unseen;
	bool maps_known;
};

/* Keep a copy of a data-section variable (name, section, type from v;
 * data copied). 0, or -ENOMEM; past BTFX_VARS_MAX_BYTES it is left out and
 * vars_cut set (btfx.c). */
int btfx_add_var(struct btfx *bx, const struct map_var *v);

/* The blob whose BTF (or its split extension) is btf, or -1 */
static inline int btfx_blob_of(const struct btfx *bx, const struct btf *btf)
{
	for (int i = 0; i < bx->nr_blobs; i++)
		if (bx->blobs[i].btf == btf || (bx->blobs[i].ext && bx->blobs[i].ext == btf))
			return i;
	return -1;
}

static inline uint64_t btfx_arena_size(const struct source *src)
{
	return source__size(src);
}

/* A root whose name is taken replaces the one there, in its place
 * (btfx.c). */
int btfx_add_root(struct btfx *bx, const struct root *r);

/* The roots for the __arena globals of every program BTF, placed at the
 * start or the end of the arena (btfx_globals.c). */
int btfx_find_arena_globals(struct btfx *bx);

/* Note each struct/union that blob b defines with another size than an
 * earlier blob (btfx_types.c). */
int btfx_note_conflicts(struct btfx *bx, int b);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private glue between the btfx, btfq, expr and format modules: type
 * helpers and the types btfx synthesizes on demand (pointers for '&x' and
 * casts, built-in integer names such as u64 when no BTF has them).
 *
 * Synthesized types live in a split BTF on top of each loaded BTF (so base
 * type ids stay valid in it) or in btfx's own built-in BTF. A value whose
 * btf is such a split BTF can use every id of its base, so callers never
 * need to care which one they hold. Adding types never moves base types.
 */
#ifndef ARENA_INSPECT_BTFX_INTERNAL_H
#define ARENA_INSPECT_BTFX_INTERNAL_H

#include <bpf/btf.h>
#include "btfx.h"

/* Strip typedef, const, volatile, restrict and type tags. Bounded: a
 * malformed BTF with a modifier loop resolves to 0 (void). */
static inline uint32_t btfx_skip_mods(const struct btf *btf, uint32_t id)
{
	for (int i = 0; i < 64; i++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return 0;
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG: id = t->type; break;
		default: return id;
		}
	}
	return 0;
}

/* Size of a type in bytes, 0 for void/func/incomplete or on error. */
static inline uint64_t btfx_size(const struct btf *btf, uint32_t id)
{
	long long sz = btf__resolve_size(btf, id);

	return sz > 0 ? (uint64_t)sz : 0;
}

/* A pointer type to (btf, id): an existing one or a synthesized one.
 * bx may be NULL (then only existing ones are found). */
int btfx__ptr_to(struct btfx *bx, const struct btf *btf, uint32_t id, const struct btf **pbtf,
		 uint32_t *pid);

/* A counter that changes whenever a btfx is created, so caches keyed by
 * a btfx pointer notice when it was freed and another one took its place. */
uint64_t btfx__serial(const struct btfx *bx);

/* The built-in integer types (u8..u64, s8..s64, int, long, char, bool, ...)
 * by name, after the loaded BTFs had no type of that name. */
int btfx__builtin_type(struct btfx *bx, const char *name, const struct btf **btf, uint32_t *id);

#endif

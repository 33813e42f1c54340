/* SPDX-License-Identifier: GPL-2.0 */
/*
 * heap_mem: what the sched_ext backends (heap_sdt_alloc.c, heap_buddy.c)
 * share: reading only pages the page map calls allocated, and member
 * offsets from BTF when the type is complete there, else the upstream
 * layout's (and the caller says so in a note).
 */
#ifndef ARENA_INSPECT_HEAP_MEM_H
#define ARENA_INSPECT_HEAP_MEM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <bpf/btf.h>

#include "btfq.h"
#include "btfx.h"
#include "heap.h"
#include "source.h"

/* page number of a user address (no range check) */
static inline uint32_t heapm__page(const struct heap_ctx *c, uint64_t addr)
{
	return (uint32_t)((addr - c->src->info.user_vm_start) >> c->src->info.page_shift);
}

/* Is every page [addr, addr + len) spans in the arena and allocated? A
 * page that is not must never be read: reading it could fault it in. */
static inline bool heapm__readable(const struct heap_ctx *c, uint64_t addr, uint64_t len)
{
	uint32_t first, last;

	if (!len || !source__contains(c->src, addr, len))
		return false;
	first = heapm__page(c, addr);
	last = heapm__page(c, addr + len - 1);
	for (uint32_t p = first; p <= last; p++)
		if (p >= c->pm->nr_pages || c->pm->state[p] != PAGE_ALLOCATED)
			return false;
	return true;
}

/* 0, -ENODATA (a page is not allocated: nothing read) or the source's error */
static inline int heapm__read(const struct heap_ctx *c, uint64_t addr, void *buf, size_t len)
{
	if (!heapm__readable(c, addr, len))
		return -ENODATA;
	return source__read_exact(c->src, addr, buf, len);
}

static inline uint64_t heapm__u64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t heapm__u32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The complete struct or union NAME ("struct sdt_desc") in bx, or false
 * (absent, or only a FWD that no BTF of bx completes). */
static inline bool heapm__type(const struct btfx *bx, const char *name, const struct btf **btf,
			       uint32_t *id)
{
	if (!bx || btfx__find_type(bx, name, btf, id))
		return false;
	if (btfx__is_fwd(*btf, *id) && !btfx__complete(bx, btf, id))
		return false;
	return !btfx__is_fwd(*btf, *id);
}

/* Byte offset of member m of (btf, id) (NULL btf: none), else dflt and
 * *guessed set. Bitfields do not occur in these layouts: one is a guess. */
static inline uint32_t heapm__off(const struct btf *btf, uint32_t id, const char *m, uint32_t dflt,
				  bool *guessed)
{
	struct btfq_member mb;

	if (btf && btfq__find_member(btf, btf__resolve_type(btf, id), m, &mb) &&
	    !mb.bitfield_size && !(mb.bit_off % 8))
		return (uint32_t)(mb.bit_off / 8);
	*guessed = true;
	return dflt;
}

/* The name of the struct (or union) (btf, id) is, through typedefs and
 * qualifiers ("" if none) */
static inline const char *heapm__struct_name(const struct btf *btf, uint32_t id)
{
	int rid = btf ? btf__resolve_type(btf, id) : -1;
	const struct btf_type *t = rid > 0 ? btf__type_by_id(btf, rid) : NULL;

	if (!t || !(btf_is_composite(t) || btf_is_fwd(t)))
		return "";
	return btf__name_by_offset(btf, t->name_off);
}

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * The sdtalloc scenario (sdtalloc.bpf.c): sched_ext's sdt_alloc layout. The
 * expectations come from the program's own books (.bss el_addr/el_live/
 * el_genn by idx, pg_role by page), not from walking the radix tree: every
 * slot of every data page is a live or a freed element (by its idx), or,
 * past the pool's idx in the current slab, one never handed out (free).
 * The loader checks the books against the memory through its own mapping,
 * only on pages the books say the allocator holds: each element's tid
 * (live: its idx; freed: idx 0 and the books' genn, payload zero) and
 * active_allocs == the live count.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "fx_loader.h"
#include "fxsdt.h"
#include "sdtalloc.skel.h"

#define UADDR(p) ((__u64)(uintptr_t)(p))
#define SDT_BOOK (sizeof(((struct sdtalloc__bss *)0)->el_addr) / sizeof(__u64))

static const char *sdt_role_name(int role)
{
	switch (role) {
	case SDT_PG_STACK: return "allocation stack";
	case SDT_PG_PREALLOC: return "preallocated";
	case SDT_PG_CHUNK: return "chunk (radix node)";
	case SDT_PG_DESC: return "descriptor";
	case SDT_PG_DATA: return "objects";
	}
	return NULL;
}

/* the idx whose element is at addr, -1 if none */
static int sdt_idx_at(const struct sdtalloc__bss *b, __u64 addr)
{
	for (size_t i = 0; i < SDT_BOOK; i++)
		if (b->el_addr[i] == addr)
			return (int)i;
	return -1;
}

static int sdt_check_elem(struct fx *fx, const struct sdtalloc__bss *b, int idx, __u64 esize)
{
	const struct sdt_data *d = fx_ptr(fx, b->el_addr[idx], esize);
	bool zero = true;

	if (!d)
		return fx_err(-EFAULT, "sdtalloc: element %d is outside the arena", idx);
	for (__u64 i = 0; i < esize / 8 - 1; i++)
		zero &= !d->payload[i];
	if (b->el_live[idx] ? d->tid.idx != idx || d->tid.genn != b->el_genn[idx]
			    : d->tid.idx || d->tid.genn != b->el_genn[idx] || !zero)
		return fx_err(-EIO, "sdtalloc: element %d (tid %d genn %d) is not as the books say",
			      idx, d->tid.idx, d->tid.genn);
	return 0;
}

static int sdt_objects(struct fx *fx, const struct sdtalloc__bss *b, __u64 *nlive)
{
	const struct sdt_pool *pool = &b->scx_task_allocator.pool;
	__u64 esize = pool->elem_size, slab = UADDR(pool->slab);
	struct jw *w = fx->expect;
	__u64 nfree = 0, unused = 0;
	int err;

	*nlive = 0;
	if (esize != 72 || pool->max_elems != FX_PAGE_SIZE / esize)
		return fx_err(-EIO, "sdtalloc: the pool is not 72-byte elements, one page a slab");
	jw_key(w, "objects");
	jw_arr(w);
	for (__u32 pg = 0; pg < SDT_PAGES; pg++) {
		__u64 page = fx->user_vm_start + (__u64)pg * FX_PAGE_SIZE;

		if (b->pg_role[pg] != SDT_PG_DATA)
			continue;
		for (__u64 k = 0; k < pool->max_elems; k++) {
			__u64 a = page + k * esize;
			int idx = sdt_idx_at(b, a);

			jw_obj(w);
			jw_khex(w, "addr", a);
			jw_kuint(w, "size", esize);
			if (idx >= 0) {
				err = sdt_check_elem(fx, b, idx, esize);
				if (err)
					return err;
				jw_kstr(w, "state", b->el_live[idx] ? "live" : "free");
				jw_kint(w, "idx", idx);
				jw_kint(w, "genn", b->el_genn[idx]);
				if (b->el_live[idx])
					(*nlive)++;
				else
					nfree++;
			} else if (page == slab && k >= pool->idx) {
				jw_kstr(w, "state", "free");
				jw_key(w, "unused");
				jw_bool(w, true);
				unused++;
			} else {
				return fx_err(-EIO, "sdtalloc: slot 0x%llx is no element",
					      (unsigned long long)a);
			}
			jw_obj_end(w);
		}
	}
	jw_arr_end(w);
	jw_kuint(w, "live", *nlive);
	jw_kuint(w, "freed", nfree);
	jw_kuint(w, "unused", unused);
	return 0;
}

/* page runs of one role, in page order */
static int sdt_pages(struct fx *fx, const struct sdtalloc__bss *b)
{
	struct jw *w = fx->expect;

	jw_key(w, "pages");
	jw_arr(w);
	for (__u32 pg = 0; pg < SDT_PAGES;) {
		__u32 n = 1;

		if (!b->pg_role[pg]) {
			pg++;
			continue;
		}
		if (!sdt_role_name(b->pg_role[pg]))
			return fx_err(-EIO, "sdtalloc: page %u has role %u", pg, b->pg_role[pg]);
		while (pg + n < SDT_PAGES && b->pg_role[pg + n] == b->pg_role[pg])
			n++;
		jw_obj(w);
		jw_kuint(w, "first", pg);
		jw_kuint(w, "count", n);
		jw_kstr(w, "role", sdt_role_name(b->pg_role[pg]));
		jw_obj_end(w);
		pg += n;
	}
	jw_arr_end(w);
	return 0;
}

static int sdtalloc_expect(struct fx *fx, struct sdtalloc *s)
{
	const struct sdtalloc__bss *b = s->bss;
	struct jw *w = fx->expect;
	__u64 nlive;
	int err;

	jw_kstr(w, "root", "prealloc_stack");
	jw_kstr(w, "root_type", "struct scx_alloc_stack *");
	jw_key(w, "heap");
	jw_obj(w);
	jw_kstr(w, "allocator", "sdt_alloc");
	jw_kstr(w, "instance", "scx_task_allocator");
	jw_kuint(w, "elem_size", b->scx_task_allocator.pool.elem_size);
	jw_kuint(w, "active_allocs", b->alloc_stats.active_allocs);
	jw_kuint(w, "chunk_allocs", b->alloc_stats.chunk_allocs);
	jw_kuint(w, "arena_pages_used", b->alloc_stats.arena_pages_used);
	err = sdt_objects(fx, b, &nlive);
	if (!err && (nlive != b->alloc_stats.active_allocs || nlive != b->nr_live))
		err = fx_err(-EIO, "sdtalloc: %llu live elements, active_allocs %llu",
			     (unsigned long long)nlive,
			     (unsigned long long)b->alloc_stats.active_allocs);
	if (!err)
		err = sdt_pages(fx, b);
	if (err)
		return err;
	/* the pages libbpf would have given __arena qnodes[]: no allocator's */
	jw_key(w, "unowned");
	jw_arr(w);
	jw_obj(w);
	jw_kuint(w, "first", 0);
	jw_kuint(w, "count", SDT_QNODES_PAGES);
	jw_kstr(w, "what", "qnodes");
	jw_obj_end(w);
	jw_arr_end(w);
	/* who holds the live elements: the hash map task_ctxs, which check
	 * cannot read (so it does not judge leaks); every live element is in
	 * it under its pid, and nothing else is */
	{
		int fd = bpf_map__fd(s->maps.task_ctxs);
		__u32 key, next, n = 0;
		__u64 v;
		void *prev = NULL;

		while (!bpf_map_get_next_key(fd, prev, &next)) {
			int idx = (int)next - 1000;

			if (bpf_map_lookup_elem(fd, &next, &v) || idx < 0 || idx >= (int)SDT_BOOK ||
			    !b->el_live[idx] || v != b->el_addr[idx])
				return fx_err(-EIO, "sdtalloc: task_ctxs[%u] is no live element",
					      next);
			n++;
			key = next;
			prev = &key;
		}
		if (n != nlive)
			return fx_err(-EIO, "sdtalloc: task_ctxs holds %u of %llu live elements", n,
				      (unsigned long long)nlive);
		jw_key(w, "held_by");
		jw_obj(w);
		jw_kstr(w, "map", "task_ctxs");
		jw_kstr(w, "type", "hash");
		jw_kuint(w, "entries", n);
		jw_obj_end(w);
	}
	/* the live element whose payload points at a freed one */
	jw_key(w, "peer");
	jw_obj(w);
	jw_khex(w, "from", b->el_addr[SDT_PEER_FROM]);
	jw_khex(w, "at", b->el_addr[SDT_PEER_FROM] + 8 + offsetof(struct fx_task_ctx, peer));
	jw_khex(w, "to", b->el_addr[SDT_PEER_TO]);
	jw_khex(w, "value", b->el_addr[SDT_PEER_TO] + 8);
	jw_obj_end(w);
	jw_obj_end(w);
	return 0;
}

int sdtalloc_load(struct fx *fx)
{
	struct sdtalloc *s = sdtalloc__open();
	int err, ret = 0;

	if (!s) {
		err = -errno;
		fx_libbpf_dump();
		return fx_err(err ? err : -EINVAL, "cannot open the sdtalloc programs");
	}
	err = fx_arena_load(fx, s->skeleton, s->maps.arena);
	if (!err) {
		s->bss->arena_base = fx->user_vm_start;
		err = fx_run_prog(s->progs.sdtalloc_fill, NULL, 0, &ret);
	}
	if (!err && ret)
		err = fx_err(-EIO, "sdtalloc: the fill program failed (%d, step %d)", ret,
			     s->bss->fill_err);
	if (!err) {
		fx->acct = s->bss->acct;
		err = sdtalloc_expect(fx, s);
	}
	if (!err)
		err = fx_pin_object(fx, s->obj);
	sdtalloc__destroy(s);
	return err;
}

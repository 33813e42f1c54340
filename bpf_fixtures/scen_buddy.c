// SPDX-License-Identifier: GPL-2.0
/*
 * The buddy scenario (buddy.bpf.c): sched_ext's buddy allocator layout. The
 * expectations come from the program's books (every block it allocated, its
 * order, live or freed; the chunks it took) and the buddy invariant: with
 * every free merged as far as it goes, a chunk's free blocks are the
 * largest aligned power-of-two blocks (order <= 15) that hold no item of a
 * live block or of the header. The loader checks that against what the
 * program left in memory, through its own mapping on the chunks' pages
 * only: each freelist walked holds exactly those blocks, and every block's
 * allocated bit and order nibble are as the books say. The ASAN shadow
 * (the chunks' shadow pages only) is checked too: a live block valid for
 * the size asked and poisoned after it, a free block poisoned but its
 * header at byte 8, each chunk's header valid.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fx_loader.h"
#include "fxbuddy.h"
#include "buddyfx.skel.h"

#define UADDR(p) ((__u64)(uintptr_t)(p))
/* the program's books hold arena offsets (so that they are no references) */
#define BLK(fx, b, i) ((fx)->user_vm_start + (b)->blk_off[i])
#define HDR_ITEMS ((sizeof(struct buddy_chunk) + BUDDY_MIN_ALLOC_BYTES - 1) / BUDDY_MIN_ALLOC_BYTES)
#define HDR_PAGES (sizeof(struct buddy_chunk) / FX_PAGE_SIZE) /* wholly header */

struct bblk {
	__u64 addr;
	__u32 order;
	bool live;
	__u64 asked; /* live: the size asked for */
};

struct bexp {
	struct bblk *b;
	size_t n, cap;
};

static int bexp_add(struct bexp *e, __u64 addr, __u32 order, bool live, __u64 asked)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 256;
		struct bblk *nb = realloc(e->b, cap * sizeof(*nb));

		if (!nb)
			return fx_err(-ENOMEM, "buddy: out of memory");
		e->b = nb;
		e->cap = cap;
	}
	e->b[e->n++] = (struct bblk){ addr, order, live, asked };
	return 0;
}

static int bblk_cmp(const void *a, const void *b)
{
	const struct bblk *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* the free blocks of [idx, idx + 2^order): whole if nothing in it is used */
static int decompose(struct bexp *e, const __u32 *used_sum, __u64 chunk, __u32 idx, __u32 order)
{
	__u32 n = 1U << order;
	int err;

	if (used_sum[idx + n] == used_sum[idx])
		return bexp_add(e, chunk + (__u64)idx * BUDDY_MIN_ALLOC_BYTES, order, false, 0);
	if (!order)
		return 0;
	err = decompose(e, used_sum, chunk, idx, order - 1);
	return err ? err : decompose(e, used_sum, chunk, idx + n / 2, order - 1);
}

static __u8 nibble(const struct buddy_chunk *c, __u32 idx)
{
	return idx & 1 ? c->orders[idx / 2] & 0xf : c->orders[idx / 2] >> 4;
}

static bool bit(const struct buddy_chunk *c, __u32 idx)
{
	return c->allocated[idx / 8] >> (idx % 8) & 1;
}

/* one chunk: its blocks into e, checked against its memory */
static int buddy_chunk_expect(struct fx *fx, const struct buddyfx__bss *b, __u64 chunk,
			      struct bexp *e)
{
	const struct buddy_chunk *c = fx_ptr(fx, chunk, BUDDY_CHUNK_BYTES);
	static __u8 used[BUDDY_CHUNK_ITEMS];
	static __u32 used_sum[BUDDY_CHUNK_ITEMS + 1];
	size_t first = e->n, nfree = 0, seen = 0;
	int err;

	if (!c)
		return fx_err(-EFAULT, "buddy: chunk 0x%llx is outside the arena",
			      (unsigned long long)chunk);
	memset(used, 0, sizeof(used));
	for (__u32 i = 0; i < HDR_ITEMS; i++)
		used[i] = 1;
	for (int i = 0; i < BUDDY_NR_OPS; i++) {
		__u32 idx = (BLK(fx, b, i) - chunk) / BUDDY_MIN_ALLOC_BYTES;

		if (!b->blk_live[i] || BLK(fx, b, i) < chunk ||
		    BLK(fx, b, i) >= chunk + BUDDY_CHUNK_BYTES)
			continue;
		if (!bit(c, idx) || nibble(c, idx) != b->blk_order[i])
			return fx_err(-EIO,
				      "buddy: live block 0x%llx is not marked as one of "
				      "order %u",
				      (unsigned long long)BLK(fx, b, i), b->blk_order[i]);
		for (__u32 k = 0; k < 1U << b->blk_order[i]; k++)
			used[idx + k] = 1;
		err = bexp_add(e, BLK(fx, b, i), b->blk_order[i], true, b->blk_size[i]);
		if (err)
			return err;
	}
	for (__u32 i = 0; i < BUDDY_CHUNK_ITEMS; i++)
		used_sum[i + 1] = used_sum[i] + used[i];
	for (__u32 half = 0; half < 2; half++) {
		err = decompose(e, used_sum, chunk, half * (BUDDY_CHUNK_ITEMS / 2),
				BUDDY_CHUNK_NUM_ORDERS - 1);
		if (err)
			return err;
	}
	/* every free block: bit clear, its order, on its order's freelist */
	for (size_t i = first; i < e->n; i++) {
		__u32 idx = (e->b[i].addr - chunk) / BUDDY_MIN_ALLOC_BYTES;

		if (e->b[i].live)
			continue;
		nfree++;
		if (bit(c, idx) || nibble(c, idx) != e->b[i].order)
			return fx_err(-EIO,
				      "buddy: free block 0x%llx is not marked as one of "
				      "order %u",
				      (unsigned long long)e->b[i].addr, e->b[i].order);
	}
	for (__u32 o = 0; o < BUDDY_CHUNK_NUM_ORDERS; o++) {
		__u64 idx = c->freelists[o];

		for (__u32 steps = 0; idx != BUDDY_CHUNK_ITEMS; steps++) {
			const struct buddy_header *h;
			bool found = false;

			if (idx >= BUDDY_CHUNK_ITEMS || steps > BUDDY_CHUNK_ITEMS)
				return fx_err(-EIO, "buddy: freelist %u of 0x%llx is broken", o,
					      (unsigned long long)chunk);
			for (size_t i = first; i < e->n && !found; i++)
				found = !e->b[i].live && e->b[i].order == o &&
					e->b[i].addr == chunk + idx * BUDDY_MIN_ALLOC_BYTES;
			if (!found)
				return fx_err(-EIO,
					      "buddy: freelist %u of 0x%llx holds item %llu, "
					      "not a free block of that order",
					      o, (unsigned long long)chunk,
					      (unsigned long long)idx);
			seen++;
			h = (const void *)((const char *)c + idx * BUDDY_MIN_ALLOC_BYTES +
					   BUDDY_HEADER_OFF);
			idx = h->next_index;
		}
	}
	if (seen != nfree)
		return fx_err(-EIO, "buddy: chunk 0x%llx: %zu free blocks, %zu on freelists",
			      (unsigned long long)chunk, nfree, seen);
	return 0;
}

/* Is the byte at addr poisoned, by the shadow (asan.h's memory_is_poisoned_1)?
 * -1: its shadow page is not one the program allocated */
static int asan_poisoned(struct fx *fx, __u64 addr)
{
	__u64 sh = fx->user_vm_start + BUDDY_ASAN_SHADOW_OFF + ((__u32)addr >> ASAN_SHADOW_SHIFT);
	__u64 first = fx->user_vm_start + BUDDY_ASAN_SHADOW_OFF +
		      ((BUDDY_VADDR_OFFSET) >> ASAN_SHADOW_SHIFT);
	const __s8 *p;

	/* only the chunks' shadow pages exist: [first, first + 32 pages * 4) */
	if (sh < first || sh >= first + BUDDY_MAX_CHUNKS * BUDDY_SHADOW_PAGES * FX_PAGE_SIZE)
		return -1;
	p = fx_ptr(fx, sh, 1);
	if (!p)
		return -1;
	return *p && (*p < 0 || (__s8)(addr & 7) >= *p);
}

static int asan_check(struct fx *fx, const struct bexp *e, const __u64 *chunks, __u32 n)
{
	for (__u32 i = 0; i < n; i++)
		for (__u64 a = chunks[i]; a < chunks[i] + sizeof(struct buddy_chunk); a += 8)
			if (asan_poisoned(fx, a) != 0)
				return fx_err(-EIO, "buddy: header byte 0x%llx is poisoned",
					      (unsigned long long)a);
	for (size_t i = 0; i < e->n; i++) {
		const struct bblk *k = &e->b[i];
		__u64 size = (__u64)BUDDY_MIN_ALLOC_BYTES << k->order, end = k->addr + size;
		bool ok = true;

		if (k->live) {
			for (__u64 a = k->addr; a < k->addr + k->asked; a++)
				ok &= asan_poisoned(fx, a) == 0;
			for (__u64 a = k->addr + k->asked; a < end; a++)
				ok &= asan_poisoned(fx, a) == 1;
		} else {
			for (__u64 a = k->addr; a < end; a++)
				ok &= asan_poisoned(fx, a) ==
				      !(a >= k->addr + BUDDY_HEADER_OFF &&
					a < k->addr + BUDDY_HEADER_OFF +
							sizeof(struct buddy_header));
		}
		if (!ok)
			return fx_err(-EIO,
				      "buddy: the shadow of %s block 0x%llx is not as it "
				      "should be",
				      k->live ? "live" : "free", (unsigned long long)k->addr);
	}
	return 0;
}

static void run(struct jw *w, __u64 first, __u64 count, const char *role)
{
	jw_obj(w);
	jw_kuint(w, "first", first);
	jw_kuint(w, "count", count);
	jw_kstr(w, "role", role);
	jw_obj_end(w);
}

static int buddy_expect(struct fx *fx, struct buddyfx *s)
{
	const struct buddyfx__bss *b = s->bss;
	const struct buddy *bd = &s->data_ST_BUDDY->st_buddy;
	struct jw *w = fx->expect;
	__u64 chunks[BUDDY_MAX_CHUNKS], resv_first;
	struct bexp e = { 0 };
	__u32 n = b->nr_chunks, live = 0;
	int err = 0;

	if (n < 2 || n > BUDDY_MAX_CHUNKS || bd->vaddr != (__u64)n * BUDDY_CHUNK_BYTES)
		return fx_err(-EIO, "buddy: %u chunks, vaddr 0x%llx", n,
			      (unsigned long long)bd->vaddr);
	memcpy(chunks, b->chunk_addr, sizeof(chunks));
	for (__u32 i = 0; i < n; i++) /* taken in address order: check */
		if (chunks[i] != fx->user_vm_start + BUDDY_VADDR_OFFSET + i * BUDDY_CHUNK_BYTES)
			return fx_err(-EIO, "buddy: chunk %u is not at 1 MiB + %u MiB", i, i);
	for (__u32 i = 0; i < n && !err; i++)
		err = buddy_chunk_expect(fx, b, chunks[i], &e);
	if (err) {
		free(e.b);
		return err;
	}
	qsort(e.b, e.n, sizeof(*e.b), bblk_cmp);
	err = asan_check(fx, &e, chunks, n);
	if (err) {
		free(e.b);
		return err;
	}
	jw_kstr(w, "root", "st_buddy.first_chunk");
	jw_kstr(w, "root_type", "buddy_chunk_t *");
	jw_key(w, "heap");
	jw_obj(w);
	jw_kstr(w, "allocator", "buddy");
	jw_kstr(w, "instance", "st_buddy");
	jw_kuint(w, "header_bytes", sizeof(struct buddy_chunk));
	jw_key(w, "chunks");
	jw_arr(w);
	for (__u32 i = 0; i < n; i++)
		jw_hex(w, chunks[i]);
	jw_arr_end(w);
	jw_key(w, "objects");
	jw_arr(w);
	for (size_t i = 0; i < e.n; i++) {
		jw_obj(w);
		jw_khex(w, "addr", e.b[i].addr);
		jw_kuint(w, "size", (__u64)BUDDY_MIN_ALLOC_BYTES << e.b[i].order);
		jw_kstr(w, "state", e.b[i].live ? "live" : "free");
		jw_kuint(w, "order", e.b[i].order);
		if (e.b[i].live)
			jw_kuint(w, "asked", e.b[i].asked);
		jw_obj_end(w);
		live += e.b[i].live;
	}
	jw_arr_end(w);
	jw_kuint(w, "live", live);
	jw_kuint(w, "free", e.n - live);
	/* per chunk: the pages wholly header, then the rest (objects); then
	 * what is left of the reserved range */
	jw_key(w, "pages");
	jw_arr(w);
	for (__u32 i = 0; i < n; i++) {
		__u64 pg = (chunks[i] - fx->user_vm_start) / FX_PAGE_SIZE;

		run(w, pg, HDR_PAGES, "header");
		run(w, pg + HDR_PAGES, BUDDY_CHUNK_PAGES - HDR_PAGES, "objects");
	}
	resv_first = (BUDDY_VADDR_OFFSET + bd->vaddr) / FX_PAGE_SIZE;
	run(w, resv_first,
	    BUDDY_VADDR_OFFSET / FX_PAGE_SIZE + BUDDY_VADDR_SIZE / FX_PAGE_SIZE - resv_first,
	    "reserved range");
	jw_arr_end(w);
	jw_key(w, "unowned");
	jw_arr(w);
	jw_obj(w);
	jw_kuint(w, "first", 0);
	jw_kuint(w, "count", BUDDY_QNODES_PAGES);
	jw_kstr(w, "what", "qnodes");
	jw_obj_end(w);
	jw_obj(w);
	jw_kuint(w, "first", (UADDR(bd->lock) - fx->user_vm_start) / FX_PAGE_SIZE);
	jw_kuint(w, "count", 1);
	jw_kstr(w, "what", "lock");
	jw_obj_end(w);
	jw_obj(w);
	jw_kuint(w, "first",
		 (BUDDY_ASAN_SHADOW_OFF + (BUDDY_VADDR_OFFSET >> ASAN_SHADOW_SHIFT)) /
			 FX_PAGE_SIZE);
	jw_kuint(w, "count", n * BUDDY_SHADOW_PAGES);
	jw_kstr(w, "what", "asan shadow");
	jw_obj_end(w);
	jw_arr_end(w);
	/* lib/alloc/asan's shadow: where, and the pages of it that exist */
	jw_key(w, "asan");
	jw_obj(w);
	jw_khex(w, "shadow_offset", b->__asan_shadow_memory_dynamic_address);
	jw_kuint(w, "first_page",
		 (BUDDY_ASAN_SHADOW_OFF + (BUDDY_VADDR_OFFSET >> ASAN_SHADOW_SHIFT)) /
			 FX_PAGE_SIZE);
	jw_kuint(w, "pages", n * BUDDY_SHADOW_PAGES);
	jw_obj_end(w);
	/* the program's references: blocks[] holds every live block but the
	 * leaked one */
	for (int i = 0; i < BUDDY_NR_OPS; i++) {
		bool want = b->blk_live[i] && i != BUDDY_LEAK;

		if (UADDR(b->blocks[i]) != (want ? BLK(fx, b, i) : 0)) {
			free(e.b);
			return fx_err(-EIO, "buddy: blocks[%d] is 0x%llx", i,
				      (unsigned long long)UADDR(b->blocks[i]));
		}
	}
	if (asan_poisoned(fx, BLK(fx, b, BUDDY_OOB_TO) + BUDDY_OOB_OFF) != 1 ||
	    asan_poisoned(fx, BLK(fx, b, BUDDY_OOB_TO) + BUDDY_OOB_OFF - 1) != 1) {
		free(e.b);
		return fx_err(-EIO, "buddy: the out-of-bounds target is not poisoned");
	}
	jw_key(w, "leak");
	jw_obj(w);
	jw_khex(w, "addr", BLK(fx, b, BUDDY_LEAK));
	jw_kuint(w, "size", (__u64)BUDDY_MIN_ALLOC_BYTES << b->blk_order[BUDDY_LEAK]);
	jw_obj_end(w);
	jw_key(w, "poisoned");
	jw_obj(w);
	jw_khex(w, "at", BLK(fx, b, BUDDY_OOB_FROM));
	jw_khex(w, "value", BLK(fx, b, BUDDY_OOB_TO) + BUDDY_OOB_OFF);
	jw_khex(w, "block", BLK(fx, b, BUDDY_OOB_TO));
	jw_kuint(w, "asked", b->blk_size[BUDDY_OOB_TO]);
	jw_obj_end(w);
	jw_key(w, "peer");
	jw_obj(w);
	jw_khex(w, "from", BLK(fx, b, BUDDY_PEER_FROM));
	jw_khex(w, "at", BLK(fx, b, BUDDY_PEER_FROM));
	jw_khex(w, "to", BLK(fx, b, BUDDY_PEER_TO));
	jw_obj_end(w);
	jw_obj_end(w);
	free(e.b);
	return 0;
}

int buddy_load(struct fx *fx)
{
	struct buddyfx *s = buddyfx__open();
	int err, ret = 0;

	if (!s) {
		err = -errno;
		fx_libbpf_dump();
		return fx_err(err ? err : -EINVAL, "cannot open the buddy programs");
	}
	err = fx_arena_load(fx, s->skeleton, s->maps.arena);
	if (!err) {
		s->bss->arena_base = fx->user_vm_start;
		err = fx_run_prog(s->progs.buddy_fill, NULL, 0, &ret);
	}
	if (!err && ret)
		err = fx_err(-EIO, "buddy: the fill program failed (%d, step %d)", ret,
			     s->bss->fill_err);
	if (!err) {
		fx->acct = s->bss->acct;
		err = buddy_expect(fx, s);
	}
	if (!err)
		err = fx_pin_object(fx, s->obj);
	buddyfx__destroy(s);
	return err;
}

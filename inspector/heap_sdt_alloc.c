// SPDX-License-Identifier: GPL-2.0
/*
 * heap backend: sched_ext's sdt_alloc (sched-ext/scx lib/sdt_alloc.bpf.c
 * and lib/include/lib/sdt_task.h, read at commit b83a455; the issue's
 * 7a58a3a has the same layout).
 *
 * The layout, as upstream has it:
 * - an element is a struct sdt_data: a union sdt_id tid (s32 idx, s32 genn)
 *   and the caller's payload, the size rounded up to 8 (a 64-byte payload
 *   gives 72 bytes). Elements are packed into slabs of the caller's struct
 *   scx_allocator's pool (struct sdt_pool: slab, elem_size, max_elems,
 *   idx), straight from bpf_arena_alloc_pages, no header; a spent slab is
 *   replaced, so slots past pool.idx in the current slab were never used.
 * - a 3-level radix tree finds them by idx = l0 << 18 | l1 << 9 | l2: a node
 *   is a struct sdt_desc { u64 allocated[8]; u64 nr_free; struct sdt_chunk
 *   *chunk; } whose chunk is 512 pointers, to the next level's descs or, at
 *   a leaf, to the elements. At a leaf a set bit is a live element; inside
 *   the tree a set bit is a full subtree (its nr_free is 0).
 * - free sets tid to { idx 0, genn + 1 }, zeroes the payload and clears
 *   the leaf's bit (a full parent's too); the element stays in its leaf slot
 *   and is reused for the same idx. Pages never go back to the arena.
 *   (As written at b83a455 the tid/payload reset sits under `if
 *   (likely(!data))`, so a freed element may keep its tid: the bitmap is
 *   the truth here, the tid only a cross-check.)
 * - chunks and descs come from .bss chunk_pool and desc_pool, whose slab
 *   pages are popped from the preallocation stack (.bss prealloc_stack, a
 *   struct scx_alloc_stack: idx, stack[35]); pages in stack[0, idx) are
 *   taken and unused.
 * - .bss alloc_stats (struct scx_alloc_stats): active_allocs should be the
 *   number of live elements of every allocator.
 *
 * Detected by the .bss/.data variables desc_pool and chunk_pool of type
 * struct sdt_pool and at least one variable of type struct scx_allocator,
 * once chunk_pool was initialised. Member offsets come from the BTF where
 * a type is complete there; struct sdt_chunk and struct sdt_data usually are
 * not (reached only through pointers and casts), and then the upstream
 * layout is used and a note says so.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "error.h"
#include "heap_asan.h"
#include "heap_mem.h"

#define SDT_FANOUT 512
#define SDT_CHUNK_BYTES (SDT_FANOUT * 8)
#define SDT_BITMAP_U64S (SDT_FANOUT / 64)
#define SDT_LEVELS 3
#define SDT_STACK_MAX 35 /* SDT_TASK_ALLOC_STACK_MAX */
#define SDT_MAX_ALLOCATORS 16
#define SDT_MAX_NOTES 64
#define SDT_MAX_ELEM (1u << 20) /* larger elem_size: not an sdt_alloc pool */

static const char role_objects[] = "objects";
static const char role_chunk[] = "chunk (radix node)";
static const char role_desc[] = "descriptor";
static const char role_stack[] = "allocation stack";
static const char role_prealloc[] = "preallocated";

struct sdt_layout {
	uint32_t pl_slab, pl_esize, pl_max, pl_idx;   /* struct sdt_pool */
	uint32_t al_pool, al_root;		      /* struct scx_allocator */
	uint32_t d_alloc, d_nr_free, d_chunk, d_size; /* struct sdt_desc */
	uint32_t st_active;			      /* struct scx_alloc_stats */
	uint32_t sk_idx, sk_stack;		      /* struct scx_alloc_stack */
	uint32_t e_tid, t_idx, t_genn;		      /* struct sdt_data, union sdt_id */
	bool guess_desc, guess_data, guess_stack, guess_stats;
};

struct sdt_priv {
	const struct map_var *desc_pool, *chunk_pool, *stats, *stack;
	const struct map_var *alloc[SDT_MAX_ALLOCATORS];
	int nr_alloc;
	bool more_allocs; /* more than SDT_MAX_ALLOCATORS */
	struct sdt_layout L;
};

struct sdt_el {
	uint64_t addr;
	uint32_t idx;
	uint8_t kind; /* 0 freed, 1 live, 2 never used */
	uint8_t ai;   /* which allocator */
};

struct sdt_pg {
	uint32_t page;
	const char *role;
};

struct sdt_walk {
	const struct heap_ctx *c;
	const struct heap_visitor *v;
	struct sdt_priv *p;
	struct sdt_el *els;
	size_t nel, cap_el;
	struct sdt_pg *pgs;
	size_t npg, cap_pg;
	uint8_t chunk[SDT_LEVELS][SDT_CHUNK_BYTES];
	uint64_t *seen; /* descriptors visited: open addressing, 0 empty */
	size_t nseen, cap_seen;
	uint64_t leaf_bits, live;
	int nnotes;
	int stop; /* a visitor's non-zero */
	int err;
};

static void sdt_note(struct sdt_walk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sdt_note(struct sdt_walk *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (w->stop || w->nnotes++ >= SDT_MAX_NOTES || !w->v->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->stop = w->v->note(w->v->ctx, msg);
}

static uint64_t var_u64(const struct map_var *v, uint32_t off)
{
	return v && off + 8 <= v->size ? heapm__u64(v->data + off) : 0;
}

/* pages [addr, addr + len) have role */
static void sdt_add_pages(struct sdt_walk *w, uint64_t addr, uint64_t len, const char *role)
{
	uint32_t first, last;

	if (w->err || !len || !source__contains(w->c->src, addr, len))
		return;
	first = heapm__page(w->c, addr);
	last = heapm__page(w->c, addr + len - 1);
	for (uint32_t pg = first; pg <= last; pg++) {
		w->err = ai_reserve((void **)&w->pgs, &w->cap_pg, w->npg + 1, sizeof(*w->pgs));
		if (w->err)
			return;
		w->pgs[w->npg++] = (struct sdt_pg){ pg, role };
	}
}

static void sdt_add_el(struct sdt_walk *w, uint64_t addr, uint32_t idx, int kind, int ai)
{
	if (w->err)
		return;
	w->err = ai_reserve((void **)&w->els, &w->cap_el, w->nel + 1, sizeof(*w->els));
	if (!w->err)
		w->els[w->nel++] = (struct sdt_el){ addr, idx, (uint8_t)kind, (uint8_t)ai };
}

/* Was desc d visited before (else remember it)? A corrupted tree that
 * links one node from many slots must not be walked once per link. */
static bool sdt_seen(struct sdt_walk *w, uint64_t d)
{
	size_t h;

	if ((w->nseen + 1) * 2 > w->cap_seen) {
		size_t cap = w->cap_seen ? w->cap_seen * 2 : 1024;
		uint64_t *n = calloc(cap, sizeof(*n));

		if (!n) {
			w->err = ai_err(ENOMEM, "out of memory");
			return true;
		}
		for (size_t i = 0; i < w->cap_seen; i++)
			if (w->seen[i]) {
				for (h = (w->seen[i] >> 3) * 0x9e3779b97f4a7c15ULL % cap; n[h];
				     h = (h + 1) % cap)
					;
				n[h] = w->seen[i];
			}
		free(w->seen);
		w->seen = n;
		w->cap_seen = cap;
	}
	for (h = (d >> 3) * 0x9e3779b97f4a7c15ULL % w->cap_seen; w->seen[h];
	     h = (h + 1) % w->cap_seen)
		if (w->seen[h] == d)
			return true;
	w->seen[h] = d;
	w->nseen++;
	return false;
}

/*
 * One node of allocator ai's tree at level (0: the root), whose subtree's
 * indexes start with prefix. Returns 1 when it is full (nr_free 0), 0 when
 * not, -1 when it cannot be read.
 */
static int sdt_node(struct sdt_walk *w, int ai, uint64_t daddr, int level, uint32_t prefix)
{
	const struct sdt_layout *L = &w->p->L;
	const char *name = w->p->alloc[ai]->name;
	uint8_t d[256];
	uint64_t bm[SDT_BITMAP_U64S], nr_free, chunk;
	uint8_t *ch = w->chunk[level];
	uint32_t clear = 0;

	if (w->stop || w->err)
		return -1;
	if (ai_progress__tick(w->c->progress, "reading sdt_alloc", prefix, 0)) {
		w->err = ai_err(ECANCELED, "cancelled");
		return -1;
	}
	if (sdt_seen(w, daddr)) {
		if (!w->err)
			sdt_note(w,
				 "%s: descriptor 0x%" PRIx64 " is linked from the tree twice: "
				 "walked once",
				 name, daddr);
		return -1;
	}
	if (L->d_size > sizeof(d) || heapm__read(w->c, daddr, d, L->d_size)) {
		sdt_note(w, "%s: descriptor 0x%" PRIx64 " (level %d) is not on an allocated page",
			 name, daddr, level);
		return -1;
	}
	sdt_add_pages(w, daddr, L->d_size, role_desc);
	memcpy(bm, d + L->d_alloc, sizeof(bm));
	nr_free = heapm__u64(d + L->d_nr_free);
	chunk = heapm__u64(d + L->d_chunk);
	for (int i = 0; i < SDT_BITMAP_U64S; i++)
		clear += 64 - __builtin_popcountll(bm[i]);
	if (nr_free != clear)
		sdt_note(w,
			 "%s: descriptor 0x%" PRIx64 " has nr_free %" PRIu64 " but %u clear bits",
			 name, daddr, nr_free, clear);
	if (heapm__read(w->c, chunk, ch, SDT_CHUNK_BYTES)) {
		sdt_note(w,
			 "%s: the chunk 0x%" PRIx64 " of descriptor 0x%" PRIx64
			 " is not on allocated pages",
			 name, chunk, daddr);
		return -1;
	}
	sdt_add_pages(w, chunk, SDT_CHUNK_BYTES, role_chunk);
	for (uint32_t k = 0; k < SDT_FANOUT && !w->stop && !w->err; k++) {
		uint64_t ptr = heapm__u64(ch + k * 8);
		bool bit = bm[k / 64] >> (k % 64) & 1;
		uint32_t idx = prefix << 9 | k;
		int full;

		if (level == SDT_LEVELS - 1) {
			w->leaf_bits += bit;
			if (!ptr) {
				if (bit)
					sdt_note(w,
						 "%s: idx %u is set in its leaf but has no element",
						 name, idx);
				continue;
			}
			if (!source__contains(w->c->src, ptr, 8)) {
				sdt_note(w, "%s: idx %u points outside the arena (0x%" PRIx64 ")",
					 name, idx, ptr);
				continue;
			}
			sdt_add_el(w, ptr, idx, bit, ai);
			continue;
		}
		if (!ptr) {
			if (bit)
				sdt_note(w,
					 "%s: descriptor 0x%" PRIx64 " marks subtree %u full "
					 "but has none",
					 name, daddr, k);
			continue;
		}
		full = sdt_node(w, ai, ptr, level + 1, idx);
		if (full >= 0 && full != bit)
			sdt_note(w,
				 "%s: descriptor 0x%" PRIx64 " bit %u says the subtree is %s, "
				 "its nr_free says %s",
				 name, daddr, k, bit ? "full" : "not full",
				 full ? "full" : "not full");
	}
	return nr_free == 0;
}

/* a pool's current slab: its pages have role; never-used slots (only the
 * caller's pool, ai >= 0) are free objects */
static void sdt_pool_slab(struct sdt_walk *w, const struct map_var *v, uint32_t base,
			  const char *role, int ai)
{
	const struct sdt_layout *L = &w->p->L;
	uint64_t slab = var_u64(v, base + L->pl_slab), esize = var_u64(v, base + L->pl_esize);
	uint64_t max = var_u64(v, base + L->pl_max), idx = var_u64(v, base + L->pl_idx);
	uint64_t bytes = max * esize;

	if (!slab || !esize || bytes > (64u << 20) / 2)
		return;
	bytes = (bytes + source__page_size(w->c->src) - 1) & ~(source__page_size(w->c->src) - 1);
	if (!heapm__readable(w->c, slab, bytes)) {
		sdt_note(w, "%s: the current slab 0x%" PRIx64 " is not on allocated pages", v->name,
			 slab);
		return;
	}
	sdt_add_pages(w, slab, bytes, role);
	for (uint64_t k = idx; ai >= 0 && k < max; k++)
		sdt_add_el(w, slab + k * esize, 0, 2, ai);
}

static void sdt_stack(struct sdt_walk *w)
{
	const struct sdt_layout *L = &w->p->L;
	uint64_t st = var_u64(w->p->stack, 0), n, pg;
	uint8_t buf[8 + SDT_STACK_MAX * 8];
	uint32_t len = L->sk_stack + SDT_STACK_MAX * 8;

	if (!st)
		return;
	if (len > sizeof(buf) || heapm__read(w->c, st, buf, len)) {
		sdt_note(w, "prealloc_stack 0x%" PRIx64 " is not on an allocated page", st);
		return;
	}
	sdt_add_pages(w, st, len, role_stack);
	n = heapm__u64(buf + L->sk_idx);
	if (n > SDT_STACK_MAX) {
		sdt_note(w, "prealloc_stack holds %" PRIu64 " pages, more than its %d slots", n,
			 SDT_STACK_MAX);
		n = SDT_STACK_MAX;
	}
	for (uint64_t i = 0; i < n; i++) {
		pg = heapm__u64(buf + L->sk_stack + i * 8);
		if (heapm__readable(w->c, pg, 1))
			sdt_add_pages(w, pg, 1, role_prealloc);
		else
			sdt_note(w,
				 "prealloc_stack slot %" PRIu64 " (0x%" PRIx64
				 ") is not an allocated page",
				 i, pg);
	}
}

static int el_cmp(const void *a, const void *b)
{
	const struct sdt_el *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int pg_cmp(const void *a, const void *b)
{
	const struct sdt_pg *x = a, *y = b;

	return x->page < y->page ? -1 : x->page > y->page;
}

/* Read every element's tid (page by page, in address order), check it, and
 * count the live ones; duplicates (an element in two leaf slots) go. */
static void sdt_check_elements(struct sdt_walk *w, uint8_t *page)
{
	const struct sdt_layout *L = &w->p->L;
	uint64_t psz = source__page_size(w->c->src), cur = UINT64_MAX;
	size_t out = 0;

	qsort(w->els, w->nel, sizeof(*w->els), el_cmp);
	for (size_t i = 0; i < w->nel && !w->stop; i++) {
		struct sdt_el *e = &w->els[i];
		const char *name = w->p->alloc[e->ai]->name;
		uint64_t pa = e->addr & ~(psz - 1), off = e->addr - pa;
		int32_t tidx, genn;

		if (out && w->els[out - 1].addr == e->addr) {
			sdt_note(w, "%s: element 0x%" PRIx64 " is in two slots (idx %u and %u)",
				 name, e->addr, w->els[out - 1].idx, e->idx);
			continue;
		}
		w->els[out++] = *e;
		if (e->kind == 2)
			continue;
		if (e->kind == 1)
			w->live++;
		if (off + L->e_tid + 8 > psz)
			continue; /* the tid straddles pages: not checked */
		if (pa != cur) {
			if (heapm__read(w->c, pa, page, psz)) {
				sdt_note(w,
					 "%s: element 0x%" PRIx64 " (idx %u) is not on an "
					 "allocated page",
					 name, e->addr, e->idx);
				continue;
			}
			cur = pa;
		}
		tidx = (int32_t)heapm__u32(page + off + L->e_tid + L->t_idx);
		genn = (int32_t)heapm__u32(page + off + L->e_tid + L->t_genn);
		if (e->kind == 1 && tidx != (int32_t)e->idx)
			sdt_note(w,
				 "%s: element 0x%" PRIx64 " (idx %u) is live in its leaf's bitmap "
				 "but its tid says %s (idx %d genn %d)",
				 name, e->addr, e->idx, tidx ? "another idx" : "freed", tidx, genn);
		else if (e->kind == 0 && tidx && tidx != (int32_t)e->idx)
			sdt_note(w,
				 "%s: freed element 0x%" PRIx64 " (idx %u) has the tid of idx %d",
				 name, e->addr, e->idx, tidx);
		/* the note of each object is made from the tid when emitted */
	}
	w->nel = out;
}

/* Slots of single-page slabs that no leaf and no pool knows about */
static void sdt_orphans(struct sdt_walk *w)
{
	const struct sdt_layout *L = &w->p->L;
	uint64_t psz = source__page_size(w->c->src);

	for (size_t i = 0; i < w->nel && !w->stop;) {
		const struct map_var *a = w->p->alloc[w->els[i].ai];
		uint64_t esize = var_u64(a, L->al_pool + L->pl_esize);
		uint64_t max = var_u64(a, L->al_pool + L->pl_max);
		uint64_t pa = w->els[i].addr & ~(psz - 1);
		size_t j = i, n = 0;

		while (j < w->nel && (w->els[j].addr & ~(psz - 1)) == pa)
			j++;
		if (esize && max && max * esize <= psz) {
			for (size_t k = i; k < j; k++)
				n += w->els[k].addr - pa < max * esize &&
				     (w->els[k].addr - pa) % esize == 0;
			if (n < max)
				sdt_note(w,
					 "%s: %" PRIu64 " of the %" PRIu64 " slots of data page "
					 "0x%" PRIx64 " are in no leaf",
					 a->name, max - n, max, pa);
		}
		i = j;
	}
}

static int sdt_emit(struct sdt_walk *w, uint8_t *page)
{
	const struct sdt_layout *L = &w->p->L;
	uint64_t psz = source__page_size(w->c->src), base = w->c->src->info.user_vm_start;
	uint64_t cur = UINT64_MAX;
	size_t out = 0, e = 0;
	int ret;

	/* one role a page: the first seen wins, a second one is a note */
	qsort(w->pgs, w->npg, sizeof(*w->pgs), pg_cmp);
	for (size_t i = 0; i < w->npg; i++) {
		if (out && w->pgs[out - 1].page == w->pgs[i].page) {
			if (w->pgs[out - 1].role != w->pgs[i].role)
				sdt_note(w, "page %u is both %s and %s", w->pgs[i].page,
					 w->pgs[out - 1].role, w->pgs[i].role);
			continue;
		}
		w->pgs[out++] = w->pgs[i];
	}
	w->npg = out;
	for (size_t i = 0; i < w->npg && !w->stop;) {
		struct heap_pages hp = { .first = w->pgs[i].page,
					 .count = 1,
					 .role = w->pgs[i].role };
		uint64_t end;

		while (i + hp.count < w->npg && w->pgs[i + hp.count].page == hp.first + hp.count &&
		       w->pgs[i + hp.count].role == hp.role)
			hp.count++;
		i += hp.count;
		hp.holds_objects = hp.role == role_objects;
		if (w->v->pages && (ret = w->v->pages(w->v->ctx, &hp)))
			return ret;
		end = base + ((uint64_t)(hp.first + hp.count) << w->c->src->info.page_shift);
		while (e < w->nel &&
		       w->els[e].addr < base + ((uint64_t)hp.first << w->c->src->info.page_shift))
			e++; /* elements on pages of another role (noted) */
		for (; hp.holds_objects && e < w->nel && w->els[e].addr < end; e++) {
			const struct sdt_el *el = &w->els[e];
			const struct map_var *a = w->p->alloc[el->ai];
			struct heap_obj o = {
				.addr = el->addr,
				.size = var_u64(a, L->al_pool + L->pl_esize),
				.state = el->kind == 1 ? HEAP_LIVE : HEAP_FREE,
			};
			uint64_t pa = el->addr & ~(psz - 1), off = el->addr - pa;

			if (el->kind == 2) {
				snprintf(o.note, sizeof(o.note), "never used");
			} else if (off + L->e_tid + 8 <= psz &&
				   (pa == cur || !heapm__read(w->c, pa, page, psz))) {
				cur = pa;
				snprintf(o.note, sizeof(o.note), "%s %u genn %d",
					 el->kind == 1 ? "tid" : "freed idx", el->idx,
					 (int32_t)heapm__u32(page + off + L->e_tid + L->t_genn));
			} else {
				snprintf(o.note, sizeof(o.note), "idx %u", el->idx);
			}
			if (w->v->obj && (ret = w->v->obj(w->v->ctx, &o)))
				return ret;
		}
	}
	return w->stop;
}

static int sdt_walk(const struct heap_ctx *c, void *priv, const struct heap_visitor *v)
{
	struct sdt_priv *p = priv;
	const struct sdt_layout *L = &p->L;
	struct sdt_walk *w = calloc(1, sizeof(*w));
	uint8_t *page = malloc(source__page_size(c->src));
	int ret = 0;

	if (!w || !page) {
		free(w);
		free(page);
		return ai_err(ENOMEM, "out of memory");
	}
	w->c = c;
	w->v = v;
	w->p = p;
	if (L->guess_desc)
		sdt_note(w, "struct sdt_desc is not complete in the BTF: its upstream layout "
			    "(scx b83a455) is used");
	if (L->guess_data)
		sdt_note(w, "struct sdt_data is not complete in the BTF: its upstream layout "
			    "(scx b83a455: the tid's idx at 0, genn at 4) is used");
	if (L->guess_stack && p->stack)
		sdt_note(w, "struct scx_alloc_stack is not complete in the BTF: its upstream "
			    "layout (scx b83a455) is used");
	if (p->more_allocs)
		sdt_note(w,
			 "more than %d struct scx_allocator variables: only the first %d are "
			 "walked",
			 SDT_MAX_ALLOCATORS, SDT_MAX_ALLOCATORS);
	for (int ai = 0; ai < p->nr_alloc && !w->stop && !w->err; ai++) {
		const struct map_var *a = p->alloc[ai];
		uint64_t root = var_u64(a, L->al_root);
		uint64_t esize = var_u64(a, L->al_pool + L->pl_esize);

		if (!root) {
			sdt_note(w, "%s: no root (never initialised)", a->name);
			continue;
		}
		/* upstream: the payload + 8, rounded up to 8 */
		if (esize < 8 || esize % 8 || esize > SDT_MAX_ELEM ||
		    !var_u64(a, L->al_pool + L->pl_max)) {
			sdt_note(w,
				 "%s: its pool's elem_size %" PRIu64 " (max_elems %" PRIu64
				 ") is not one of sdt_alloc: not walked",
				 a->name, esize, var_u64(a, L->al_pool + L->pl_max));
			continue;
		}
		sdt_node(w, ai, root, 0, 0);
		sdt_pool_slab(w, a, L->al_pool, role_objects, ai);
	}
	if (!w->stop && !w->err) {
		sdt_pool_slab(w, p->desc_pool, 0, role_desc, -1);
		sdt_pool_slab(w, p->chunk_pool, 0, role_chunk, -1);
		sdt_stack(w);
	}
	if (!w->stop && !w->err) {
		sdt_check_elements(w, page);
		for (size_t i = 0; i < w->nel; i++) {
			uint64_t esize = var_u64(p->alloc[w->els[i].ai], L->al_pool + L->pl_esize);

			sdt_add_pages(w, w->els[i].addr, esize ? esize : 8, role_objects);
		}
		sdt_orphans(w);
	}
	if (!w->stop && !w->err) {
		if (w->live != w->leaf_bits)
			sdt_note(w,
				 "the leaf bitmaps have %" PRIu64 " bits set but %" PRIu64
				 " live elements",
				 w->leaf_bits, w->live);
		if (!p->stats)
			sdt_note(w, "no alloc_stats: active_allocs not checked");
		else if (var_u64(p->stats, L->st_active) != w->live)
			sdt_note(w,
				 "alloc_stats.active_allocs is %" PRIu64 " but the leaf bitmaps "
				 "hold %" PRIu64 " live elements",
				 var_u64(p->stats, L->st_active), w->live);
	}
	if (!w->stop && !w->err)
		ret = sdt_emit(w, page);
	if (!ret && w->nnotes > SDT_MAX_NOTES && v->note) {
		char msg[96];

		snprintf(msg, sizeof(msg), "%d more notes about sdt_alloc not shown",
			 w->nnotes - SDT_MAX_NOTES);
		ret = v->note(v->ctx, msg);
	}
	if (w->err)
		ret = w->err;
	else if (w->stop)
		ret = w->stop;
	free(w->els);
	free(w->pgs);
	free(w->seen);
	free(w);
	free(page);
	return ret;
}

static bool is_struct_var(const struct map_var *v, const char *name)
{
	return v && v->btf && !strcmp(heapm__struct_name(v->btf, v->type_id), name);
}

static void sdt_layout(const struct heap_ctx *c, struct sdt_priv *p)
{
	struct sdt_layout *L = &p->L;
	const struct btf *btf;
	uint32_t id;
	bool g = false;

	/* the variables' own types are complete: they have a size */
	btf = p->desc_pool->btf;
	id = p->desc_pool->type_id;
	L->pl_slab = heapm__off(btf, id, "slab", 0, &g);
	L->pl_esize = heapm__off(btf, id, "elem_size", 8, &g);
	L->pl_max = heapm__off(btf, id, "max_elems", 16, &g);
	L->pl_idx = heapm__off(btf, id, "idx", 24, &g);
	btf = p->alloc[0]->btf;
	id = p->alloc[0]->type_id;
	L->al_pool = heapm__off(btf, id, "pool", 0, &g);
	L->al_root = heapm__off(btf, id, "root", 32, &g);
	L->st_active = heapm__off(p->stats ? p->stats->btf : NULL, p->stats ? p->stats->type_id : 0,
				  "active_allocs", 32, &L->guess_stats);
	if (!heapm__type(c->bx, "struct sdt_desc", &btf, &id))
		btf = NULL;
	L->d_alloc = heapm__off(btf, id, "allocated", 0, &L->guess_desc);
	L->d_nr_free = heapm__off(btf, id, "nr_free", 64, &L->guess_desc);
	L->d_chunk = heapm__off(btf, id, "chunk", 72, &L->guess_desc);
	L->d_size = btf && !L->guess_desc ? (uint32_t)btf__resolve_size(btf, id) : 80;
	if (L->d_size < L->d_chunk + 8 || L->d_size > 256)
		L->d_size = 80;
	if (!heapm__type(c->bx, "struct sdt_data", &btf, &id))
		btf = NULL;
	L->e_tid = heapm__off(btf, id, "tid", 0, &L->guess_data);
	if (!heapm__type(c->bx, "union sdt_id", &btf, &id))
		btf = NULL;
	L->t_idx = heapm__off(btf, id, "idx", 0, &L->guess_data);
	L->t_genn = heapm__off(btf, id, "genn", 4, &L->guess_data);
	if (!heapm__type(c->bx, "struct scx_alloc_stack", &btf, &id))
		btf = NULL;
	L->sk_idx = heapm__off(btf, id, "idx", 0, &L->guess_stack);
	L->sk_stack = heapm__off(btf, id, "stack", 8, &L->guess_stack);
	if (L->sk_stack > 8) /* the read buffer holds the upstream size */
		L->sk_stack = 8, L->guess_stack = true;
}

static int sdt_detect(const struct heap_ctx *c, void **priv)
{
	const struct map_var *dp, *cp;
	struct sdt_priv *p;

	*priv = NULL;
	if (!c->bx)
		return 0;
	dp = btfx__find_var(c->bx, "desc_pool");
	cp = btfx__find_var(c->bx, "chunk_pool");
	if (!is_struct_var(dp, "sdt_pool") || !is_struct_var(cp, "sdt_pool"))
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p)
		return ai_err(ENOMEM, "out of memory");
	p->desc_pool = dp;
	p->chunk_pool = cp;
	p->stats = btfx__find_var(c->bx, "alloc_stats");
	if (!is_struct_var(p->stats, "scx_alloc_stats"))
		p->stats = NULL;
	p->stack = btfx__find_var(c->bx, "prealloc_stack");
	if (p->stack && p->stack->size != 8)
		p->stack = NULL;
	for (int i = 0; i < btfx__nr_vars(c->bx); i++) {
		const struct map_var *v = btfx__var(c->bx, i);

		if (!is_struct_var(v, "scx_allocator"))
			continue;
		if (p->nr_alloc == SDT_MAX_ALLOCATORS) {
			p->more_allocs = true;
			break;
		}
		p->alloc[p->nr_alloc++] = v;
	}
	if (!p->nr_alloc) {
		free(p);
		return 0;
	}
	sdt_layout(c, p);
	/* memory sanity: chunk_pool was initialised with 512-pointer chunks
	 * (before scx_alloc_init nothing of it is in the arena) */
	if (var_u64(cp, p->L.pl_esize) != SDT_CHUNK_BYTES || !var_u64(dp, p->L.pl_esize) ||
	    var_u64(dp, p->L.pl_esize) != p->L.d_size) {
		free(p);
		return 0;
	}
	*priv = p;
	return 1;
}

static void sdt_release(void *priv)
{
	free(priv);
}

const struct heap_backend heap_sdt_alloc = {
	.name = "sdt_alloc",
	.title = "sched_ext sdt_alloc (lib/sdt_alloc.bpf.c)",
	.version = "scx b83a455 (2026)",
	.detect = sdt_detect,
	.walk = sdt_walk,
	.release = sdt_release,
};

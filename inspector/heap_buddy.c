// SPDX-License-Identifier: GPL-2.0
/*
 * heap backend: sched_ext's buddy allocator (sched-ext/scx lib/alloc/
 * buddy.bpf.c, buddy.h and buddy_internal.h, read at commit 06c4d5a).
 *
 * The layout, as upstream has it:
 * - struct buddy { buddy_chunk_t *first_chunk; arena_spinlock_t *lock; u64
 *   vaddr; } lives in a data section (upstream's selftest: .data.ST_BUDDY
 *   st_buddy). buddy_init reserves the arena range [1 MiB, 1 MiB + a
 *   quarter of the arena) and carves 1 MiB chunks from its start, vaddr
 *   bytes so far (unreserved, then allocated: 256 pages each); the rest of
 *   the range stays reserved, pages with no memory behind them.
 * - a chunk starts with its struct buddy_chunk: orders[32768] (4 bits per
 *   16-byte item, the high nibble for the even item), allocated[8192] (a
 *   bit per item, set at the first item of a live block), freelists[16]
 *   (the first free block's item per order, 65536 for none), prev, next:
 *   41104 bytes, themselves blocks marked allocated whose orders are not
 *   recorded (items [0, 2569) here are the header, never objects).
 * - every other item starts a block or lies inside one: a block at item i
 *   of order k covers 16 << k bytes, i is a multiple of 1 << k; live when
 *   its bit is set, else free, on freelist k, with {u32 prev_index, u32
 *   next_index} at byte 8. Chunks never go back to the arena.
 *
 * Detected by a data-section variable of type struct buddy whose
 * first_chunk is a 1 MiB aligned arena offset with 256 allocated pages and
 * a header whose freelists are items or "none". struct buddy_chunk's
 * offsets come from the BTF where it is complete; else upstream's, with a
 * note.
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

#define BUDDY_MIN 16u /* bytes of an item */
#define BUDDY_ORDERS 16
#define BUDDY_ITEMS (1u << BUDDY_ORDERS)
#define BUDDY_CHUNK (BUDDY_MIN << BUDDY_ORDERS) /* 1 MiB */
#define BUDDY_HEADER_OFF 8
#define BUDDY_MAX_INST 8
#define BUDDY_MAX_CHUNKS 4096 /* 4 GiB of chunks */
#define BUDDY_MAX_NOTES 64

static const char role_header[] = "header";
static const char role_objects[] = "objects";
static const char role_reserved[] = "reserved range";

struct buddy_layout {
	uint32_t b_first, b_vaddr;			    /* struct buddy */
	uint32_t c_orders, c_alloc, c_free, c_next, c_size; /* struct buddy_chunk */
	bool guessed;
};

struct buddy_priv {
	const struct map_var *inst[BUDDY_MAX_INST];
	int n;
	struct buddy_layout L;
};

struct buddy_walk {
	const struct heap_ctx *c;
	const struct heap_visitor *v;
	struct buddy_priv *p;
	uint8_t *chunk;	 /* BUDDY_CHUNK bytes */
	uint8_t *onlist; /* per item: order + 1 of the freelist it is on, 0 none */
	int nnotes;
	int ret; /* a visitor's non-zero or a negative errno */
};

static void bnote(struct buddy_walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bnote(struct buddy_walk *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (w->ret || w->nnotes++ >= BUDDY_MAX_NOTES || !w->v->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->ret = w->v->note(w->v->ctx, msg);
}

static uint64_t var_u64(const struct map_var *v, uint32_t off)
{
	return off + 8 <= v->size ? heapm__u64(v->data + off) : 0;
}

static uint64_t arena_off(const struct heap_ctx *c, uint64_t addr)
{
	return addr - c->src->info.user_vm_start;
}

/* the reserved range buddy_init asks for: a quarter of the arena from 1 MiB */
static uint64_t vaddr_size(const struct heap_ctx *c)
{
	return (uint64_t)(c->src->info.max_pages >> 2) << c->src->info.page_shift;
}

static uint8_t nibble(const uint8_t *orders, uint32_t idx)
{
	return idx & 1 ? orders[idx / 2] & 0xf : orders[idx / 2] >> 4;
}

/* Is addr a plausible chunk: 1 MiB aligned in the arena, all its pages
 * allocated, every freelist head an item or "none"? Reads the header. */
static bool chunk_sane(const struct heap_ctx *c, const struct buddy_layout *L, uint64_t addr)
{
	uint64_t fl[BUDDY_ORDERS];

	if (!source__contains(c->src, addr, BUDDY_CHUNK) || arena_off(c, addr) % BUDDY_CHUNK ||
	    !heapm__readable(c, addr, BUDDY_CHUNK) ||
	    heapm__read(c, addr + L->c_free, fl, sizeof(fl)))
		return false;
	for (int o = 0; o < BUDDY_ORDERS; o++)
		if (fl[o] > BUDDY_ITEMS)
			return false;
	return true;
}

static int emit_pages(struct buddy_walk *w, uint32_t first, uint32_t count, const char *role,
		      bool holds)
{
	struct heap_pages hp = { first, count, role, holds };

	if (!w->ret && count && w->v->pages)
		w->ret = w->v->pages(w->v->ctx, &hp);
	return w->ret;
}

/* freelist o of the chunk in w->chunk into w->onlist, bounded */
static void walk_freelist(struct buddy_walk *w, uint64_t addr, int o)
{
	const struct buddy_layout *L = &w->p->L;
	uint64_t idx = heapm__u64(w->chunk + L->c_free + o * 8);

	for (uint32_t steps = 0; idx != BUDDY_ITEMS; steps++) {
		if (idx > BUDDY_ITEMS || steps >= BUDDY_ITEMS) {
			bnote(w,
			      "buddy chunk 0x%" PRIx64 ": freelist %d is broken at item %" PRIu64,
			      addr, o, idx);
			return;
		}
		if (w->onlist[idx]) {
			bnote(w,
			      "buddy chunk 0x%" PRIx64 ": item %" PRIu64 " is on freelist %d "
			      "again (a cycle?)",
			      addr, idx, o);
			return;
		}
		w->onlist[idx] = (uint8_t)(o + 1);
		idx = heapm__u32(w->chunk + idx * BUDDY_MIN + BUDDY_HEADER_OFF + 4);
	}
}

/* one chunk (already read into w->chunk): its page runs and blocks */
static void walk_chunk(struct buddy_walk *w, uint64_t addr)
{
	const struct buddy_layout *L = &w->p->L;
	const uint8_t *orders = w->chunk + L->c_orders, *alloc = w->chunk + L->c_alloc;
	uint32_t shift = w->c->src->info.page_shift,
		 page = (uint32_t)(arena_off(w->c, addr) >> shift);
	uint32_t npages = BUDDY_CHUNK >> shift, hpages = L->c_size >> shift;
	uint32_t idx = (L->c_size + BUDDY_MIN - 1) / BUDDY_MIN;

	memset(w->onlist, 0, BUDDY_ITEMS);
	for (int o = 0; o < BUDDY_ORDERS && !w->ret; o++)
		walk_freelist(w, addr, o);
	if (!(alloc[0] & 1))
		bnote(w, "buddy chunk 0x%" PRIx64 ": its header is not marked allocated", addr);
	emit_pages(w, page, hpages, role_header, false);
	emit_pages(w, page + hpages, npages - hpages, role_objects, true);
	while (idx < BUDDY_ITEMS && !w->ret) {
		uint32_t order = nibble(orders, idx), n = 1u << order;
		bool live = alloc[idx / 8] >> (idx % 8) & 1;
		struct heap_obj o = {
			.addr = addr + (uint64_t)idx * BUDDY_MIN,
			.size = (uint64_t)BUDDY_MIN << order,
			.state = live ? HEAP_LIVE : HEAP_FREE,
		};

		if (idx & (n - 1) || idx + n > BUDDY_ITEMS) {
			bnote(w,
			      "buddy chunk 0x%" PRIx64 ": the block at item %u has order %u, "
			      "which does not fit there: the rest of the chunk is not walked",
			      addr, idx, order);
			break;
		}
		if (!live && w->onlist[idx] != order + 1)
			bnote(w,
			      "buddy chunk 0x%" PRIx64 ": free block 0x%" PRIx64 " (order %u) is "
			      "%s",
			      addr, o.addr, order,
			      w->onlist[idx] ? "on the freelist of another order"
					     : "on no freelist");
		else if (live && w->onlist[idx])
			bnote(w,
			      "buddy chunk 0x%" PRIx64 ": live block 0x%" PRIx64
			      " is on freelist %d",
			      addr, o.addr, w->onlist[idx] - 1);
		if (w->onlist[idx])
			w->onlist[idx] = 0xff; /* accounted for */
		snprintf(o.note, sizeof(o.note), "order %u", order);
		if (w->v->obj)
			w->ret = w->v->obj(w->v->ctx, &o);
		idx += n;
	}
	for (uint32_t i = 0; i < BUDDY_ITEMS && !w->ret; i++)
		if (w->onlist[i] && w->onlist[i] != 0xff)
			bnote(w,
			      "buddy chunk 0x%" PRIx64 ": freelist %d holds item %u, which is no "
			      "free block's start",
			      addr, w->onlist[i] - 1, i);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the rest of the reserved range, as the page map has it */
static void walk_reserved(struct buddy_walk *w, const struct map_var *v, size_t nchunks)
{
	const struct heap_ctx *c = w->c;
	uint32_t shift = c->src->info.page_shift;
	uint64_t used = var_u64(v, w->p->L.b_vaddr), size = vaddr_size(c);
	uint64_t first = (BUDDY_CHUNK + used) >> shift, end = (BUDDY_CHUNK + size) >> shift;
	uint64_t other = 0, run = 0;

	if (used > size || used != nchunks * BUDDY_CHUNK)
		bnote(w,
		      "%s: vaddr says %" PRIu64 " bytes of the reserved range are chunks, the "
		      "list has %zu chunks",
		      v->name, used, nchunks);
	if (used > size)
		return;
	if (end > c->pm->nr_pages)
		end = c->pm->nr_pages;
	for (uint64_t pg = first; pg <= end && !w->ret; pg++) {
		if (pg < end && c->pm->state[pg] == PAGE_RESERVED) {
			run++;
			continue;
		}
		emit_pages(w, (uint32_t)(pg - run), (uint32_t)run, role_reserved, false);
		run = 0;
		other += pg < end;
	}
	if (other)
		bnote(w,
		      "%s: %" PRIu64 " pages of its reserved range past the chunks are not "
		      "reserved",
		      v->name, other);
}

static int buddy_walk(const struct heap_ctx *c, void *priv, const struct heap_visitor *v)
{
	struct buddy_priv *p = priv;
	struct buddy_walk w = { .c = c, .v = v, .p = p };

	w.chunk = malloc(BUDDY_CHUNK);
	w.onlist = malloc(BUDDY_ITEMS);
	if (!w.chunk || !w.onlist) {
		free(w.chunk);
		free(w.onlist);
		return ai_err(ENOMEM, "out of memory");
	}
	if (p->L.guessed)
		bnote(&w, "struct buddy_chunk is not complete in the BTF: its upstream layout "
			  "(scx 06c4d5a: 41104 bytes) is used");
	for (int i = 0; i < p->n && !w.ret; i++) {
		const struct map_var *iv = p->inst[i];
		const struct buddy_layout *L = &p->L;
		uint64_t *list = calloc(BUDDY_MAX_CHUNKS, sizeof(*list));
		uint64_t addr = var_u64(iv, L->b_first);
		size_t n = 0;

		if (!list) {
			w.ret = ai_err(ENOMEM, "out of memory");
			break;
		}
		/* the list, newest first as upstream links it; bounded, cycles noted */
		while (addr && !w.ret) {
			bool dup = false;

			for (size_t k = 0; k < n && !dup; k++)
				dup = list[k] == addr;
			if (dup) {
				bnote(&w,
				      "%s: the chunk list comes back to 0x%" PRIx64 " (a cycle)",
				      iv->name, addr);
				break;
			}
			if (n == BUDDY_MAX_CHUNKS) {
				bnote(&w, "%s: more than %d chunks: the rest are not walked",
				      iv->name, BUDDY_MAX_CHUNKS);
				break;
			}
			if (!chunk_sane(c, L, addr)) {
				bnote(&w,
				      "%s: 0x%" PRIx64 " in the chunk list is no chunk (not 1 MiB "
				      "aligned, not allocated, or no header)",
				      iv->name, addr);
				break;
			}
			list[n++] = addr;
			if (heapm__read(c, addr + L->c_next, &addr, sizeof(addr)))
				break;
		}
		qsort(list, n, sizeof(*list), u64_cmp);
		for (size_t k = 0; k < n && !w.ret; k++) {
			if (ai_progress__tick(c->progress, "reading buddy chunks", k, n)) {
				w.ret = ai_err(ECANCELED, "cancelled");
				break;
			}
			w.ret = heapm__read(c, list[k], w.chunk, BUDDY_CHUNK);
			if (w.ret) {
				ai_err(-w.ret, "cannot read buddy chunk 0x%" PRIx64, list[k]);
				break;
			}
			walk_chunk(&w, list[k]);
		}
		if (!w.ret)
			walk_reserved(&w, iv, n);
		free(list);
	}
	if (!w.ret && w.nnotes > BUDDY_MAX_NOTES && v->note) {
		char msg[96];

		snprintf(msg, sizeof(msg), "%d more notes about buddy not shown",
			 w.nnotes - BUDDY_MAX_NOTES);
		w.ret = v->note(v->ctx, msg);
	}
	free(w.chunk);
	free(w.onlist);
	return w.ret;
}

static void buddy_layout(const struct heap_ctx *c, const struct map_var *v, struct buddy_layout *L)
{
	const struct btf *btf;
	uint32_t id;
	bool g = false;

	L->b_first = heapm__off(v->btf, v->type_id, "first_chunk", 0, &g);
	L->b_vaddr = heapm__off(v->btf, v->type_id, "vaddr", 16, &g);
	if (!heapm__type(c->bx, "struct buddy_chunk", &btf, &id))
		btf = NULL;
	L->c_orders = heapm__off(btf, id, "orders", 0, &L->guessed);
	L->c_alloc = heapm__off(btf, id, "allocated", 32768, &L->guessed);
	L->c_free = heapm__off(btf, id, "freelists", 40960, &L->guessed);
	L->c_next = heapm__off(btf, id, "next", 41096, &L->guessed);
	L->c_size = btf && !L->guessed ? (uint32_t)btf__resolve_size(btf, id) : 41104;
	/* the arrays are upstream's sizes (4-bit orders, 65536 items): a
	 * layout that cannot hold them is not this allocator's */
	if (L->c_alloc < L->c_orders + BUDDY_ITEMS / 2 ||
	    L->c_free < L->c_alloc + BUDDY_ITEMS / 8 || L->c_next + 8 > L->c_size ||
	    L->c_size >= BUDDY_CHUNK / 2) {
		*L = (struct buddy_layout){ L->b_first, L->b_vaddr, 0,	   32768,
					    40960,	41096,	    41104, true };
	}
}

static int buddy_detect(const struct heap_ctx *c, void **priv)
{
	struct buddy_priv *p;

	*priv = NULL;
	if (!c->bx)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p)
		return ai_err(ENOMEM, "out of memory");
	for (int i = 0; i < btfx__nr_vars(c->bx) && p->n < BUDDY_MAX_INST; i++) {
		const struct map_var *v = btfx__var(c->bx, i);
		struct buddy_layout L;

		if (!v->btf || strcmp(heapm__struct_name(v->btf, v->type_id), "buddy") ||
		    v->size < 24)
			continue;
		buddy_layout(c, v, &L);
		/* memory sanity: the first chunk is one */
		if (!chunk_sane(c, &L, var_u64(v, L.b_first)))
			continue;
		p->L = L;
		p->inst[p->n++] = v;
	}
	if (!p->n) {
		free(p);
		return 0;
	}
	*priv = p;
	return 1;
}

static void buddy_release(void *priv)
{
	free(priv);
}

const struct heap_backend heap_buddy = {
	.name = "buddy",
	.title = "sched_ext buddy allocator (lib/alloc/buddy.bpf.c)",
	.version = "scx 06c4d5a (2026)",
	.detect = buddy_detect,
	.walk = buddy_walk,
	.release = buddy_release,
};

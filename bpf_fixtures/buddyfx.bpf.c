// SPDX-License-Identifier: GPL-2.0
/*
 * buddyfx (scenario "buddy"; the skeleton may not be named after struct
 * buddy): an arena laid out by sched_ext's buddy allocator (sched-ext/scx
 * lib/alloc/buddy.bpf.c at 06c4d5a; the types in include/fxbuddy.h). The
 * code is our own; the layout, the names and the sections are upstream's:
 *
 * - .data.ST_BUDDY st_buddy (struct buddy, as upstream's allocator
 *   selftest has it): first_chunk, lock, vaddr;
 * - initialisation reserves the arena range [1 MiB, 1 MiB + 1 GiB) (a
 *   quarter of the 4 GiB arena: 262144 pages) and carves 1 MiB chunks from
 *   its start: unreserve, allocate the 256 pages, write the header;
 * - a chunk's header (struct buddy_chunk, 41104 bytes) is itself blocks
 *   marked allocated (2048, 512, 8 and 1 items, orders not recorded); the
 *   rest is split into free blocks of falling orders, one per order;
 * - alloc takes the first free block of the smallest order that fits from
 *   the first chunk that has one (chunks newest first), splitting off
 *   buddies onto the freelists; free clears the block's bit and merges it
 *   with its buddy while that is free and of the same order. Free blocks
 *   carry {prev_index, next_index} at byte 8. Pages never go back.
 * - the 1 MiB __arena qnodes[] array sched_ext has at offset 0 (libbpf
 *   puts __arena globals there; libbpf 1.1 cannot load them: the program
 *   allocates those 256 pages first). The lock, an __arena global upstream,
 *   is on a page of its own above the reserved range. Neither is the
 *   allocator's.
 *
 * BUDDY_NR_BIG 256 KiB blocks (the fourth opens a second chunk), then
 * BUDDY_NR_SMALL blocks of 16..3000 bytes (orders 0..8); big block
 * BUDDY_FREE_BIG and every small block i % 3 == 1 are freed, and the live
 * small block 0's first word points at the freed small block 1. The
 * program keeps what it allocated in the .bss array blocks[] (a freed
 * block's entry is cleared), but for the live block BUDDY_LEAK, dropped
 * without a free: a leak. The live block BUDDY_OOB_FROM's first word points
 * past the bytes asked for BUDDY_OOB_TO (poisoned in the shadow). The
 * fixture's books hold arena offsets, not addresses: they must not count
 * as references to the blocks.
 *
 * With the ASAN runtime of sched_ext's lib/alloc/asan (asan.bpf.c, asan.h
 * at 192d301): .bss __asan_shadow_memory_dynamic_address is the arena
 * offset of the shadow map, the last eighth of the arena (0xe0000000); the
 * shadow byte of address a is at that + ((u32)a >> 3): 0 all 8 bytes
 * valid, 1..7 the first that many, negative poisoned. The allocator's
 * calls are upstream's: a new chunk poisoned whole (0xef) but its header,
 * each free block's header unpoisoned, an allocation unpoisoned for the
 * size asked (its header poisoned again below 16 bytes), a free poisoned
 * whole but the header, a merged right buddy's header poisoned. Unlike
 * upstream's asan_init (all 131072 shadow pages, 512 MiB), only the shadow
 * pages of the chunks are allocated, as a lazy shadow would (upstream's
 * README plans one): the shadow of anything else is unknown.
 */
#define FX_ARENA_PAGES (1u << 20)
#include <stdbool.h>
#include "fx_bpf.h"
#include "fxbuddy.h"

_Static_assert(FX_ARENA_PAGES == BUDDY_ARENA_PAGES, "the arena is BUDDY_ARENA_PAGES pages");
_Static_assert(sizeof(struct buddy_chunk) == 41104, "upstream's chunk header size");

#define __arg_arena __attribute__((btf_decl_tag("arg:arena")))

/* upstream: private(ST_BUDDY) struct buddy st_buddy; */
struct buddy st_buddy SEC(".data.ST_BUDDY");

/* lib/alloc/asan's */
__u32 __asan_shadow_memory_dynamic_address;

/* what the program keeps of what it allocated */
void __arena *blocks[BUDDY_NR_OPS];

/* the fixture's own books, for the loader's expectations (offsets) */
__u64 blk_off[BUDDY_NR_OPS];
__u64 blk_size[BUDDY_NR_OPS]; /* the size asked for */
__u8 blk_order[BUDDY_NR_OPS];
__u8 blk_live[BUDDY_NR_OPS];
__u64 chunk_addr[BUDDY_MAX_CHUNKS]; /* in the order taken */
__u32 nr_chunks;
__s32 fill_err;
__u64 items_none = BUDDY_CHUNK_ITEMS; /* stored instead of a constant (fx_bpf.h) */
__s8 asan_poisoned = BUDDY_POISONED, asan_clear;

/* book indexes masked to the books' size (a power of two): clang checks a
 * bound on one copy of a register and indexes with another */
_Static_assert(!(BUDDY_NR_OPS & (BUDDY_NR_OPS - 1)), "BUDDY_NR_OPS is a power of two");
static __always_inline __u32 book(__u64 i)
{
	asm volatile("" : "+r"(i)); /* else clang drops the mask as redundant */
	return i & (BUDDY_NR_OPS - 1);
}

static const __u32 small_sizes[8] = { 16, 24, 48, 100, 200, 512, 1000, 3000 };

/* index of the highest set bit (0-based), 0 for 0 */
static __always_inline __u32 fls64(__u64 w)
{
	__u32 n = 0;

	if (w >> 32) {
		n += 32;
		w >>= 32;
	}
	if (w >> 16) {
		n += 16;
		w >>= 16;
	}
	if (w >> 8) {
		n += 8;
		w >>= 8;
	}
	if (w >> 4) {
		n += 4;
		w >>= 4;
	}
	if (w >> 2) {
		n += 2;
		w >>= 2;
	}
	if (w >> 1)
		n += 1;
	return n;
}

static __always_inline __u32 size_to_order(__u64 size)
{
	__u32 o = fls64(size - 1) + 1; /* log2 of the next power of two */

	if (size <= BUDDY_MIN_ALLOC_BYTES)
		return 0;
	return o - BUDDY_MIN_ALLOC_SHIFT;
}

static __always_inline buddy_header_t *hdr_of(buddy_chunk_t *c, __u32 idx)
{
	return (buddy_header_t *)((char __arena *)c +
				  (idx & (BUDDY_CHUNK_ITEMS - 1)) * BUDDY_MIN_ALLOC_BYTES +
				  BUDDY_HEADER_OFF);
}

/* ---- the ASAN shadow ---- */
struct shadow_fill {
	__s8 __arena *p;
	__u64 n;
	__s8 val;
};

static long shadow_cb(__u64 i, void *ctx)
{
	struct shadow_fill *f = ctx;

	if (i >= f->n)
		return 1;
	f->p[i] = f->val;
	return 0;
}

static __always_inline __s8 __arena *shadow_of(__u64 addr)
{
	return (__s8 __arena *)(arena_base + __asan_shadow_memory_dynamic_address +
				((__u32)addr >> ASAN_SHADOW_SHIFT));
}

/* asan_poison: the shadow of [addr, addr + size) (size a multiple of 8) */
__noinline int asan_poison(__u64 addr, __u64 size)
{
	struct shadow_fill f = { shadow_of(addr), size >> ASAN_SHADOW_SHIFT, asan_poisoned };

	if (!__asan_shadow_memory_dynamic_address || (addr | size) & 7)
		return -1;
	bpf_loop(f.n, shadow_cb, &f, 0);
	return 0;
}

/* asan_unpoison: [addr, addr + size) valid, a partial last granule too */
__noinline int asan_unpoison(__u64 addr, __u64 size)
{
	struct shadow_fill f = { shadow_of(addr), size >> ASAN_SHADOW_SHIFT, asan_clear };

	if (!__asan_shadow_memory_dynamic_address || addr & 7)
		return -1;
	bpf_loop(f.n, shadow_cb, &f, 0);
	if (size & 7)
		f.p[f.n] = size & 7;
	return 0;
}

static __always_inline void set_alloc(buddy_chunk_t *c, __u32 idx, bool on)
{
	idx &= BUDDY_CHUNK_ITEMS - 1;
	if (on)
		c->allocated[idx / 8] |= 1 << (idx % 8);
	else
		c->allocated[idx / 8] &= ~(1 << (idx % 8));
}

static __always_inline bool is_alloc(buddy_chunk_t *c, __u32 idx)
{
	idx &= BUDDY_CHUNK_ITEMS - 1;
	return c->allocated[idx / 8] & (1 << (idx % 8));
}

static __always_inline void set_order(buddy_chunk_t *c, __u32 idx, __u8 order)
{
	__u8 prev;

	idx &= BUDDY_CHUNK_ITEMS - 1;
	prev = c->orders[idx / 2];
	if (idx & 1)
		c->orders[idx / 2] = (prev & 0xf0) | (order & 0xf);
	else
		c->orders[idx / 2] = (prev & 0xf) | (order << 4);
}

static __always_inline __u8 get_order(buddy_chunk_t *c, __u32 idx)
{
	__u8 v;

	idx &= BUDDY_CHUNK_ITEMS - 1;
	v = c->orders[idx / 2];
	return (idx & 1) ? (v & 0xf) : (v >> 4);
}

/* push the free block at idx of order onto its freelist */
static __always_inline void push_free(buddy_chunk_t *c, __u32 idx, __u32 order)
{
	buddy_header_t *h = hdr_of(c, idx);
	__u32 next = c->freelists[order & 0xf];

	set_order(c, idx, order);
	h->next_index = next;
	h->prev_index = items_none;
	if (next != BUDDY_CHUNK_ITEMS)
		hdr_of(c, next)->prev_index = idx;
	c->freelists[order & 0xf] = idx;
}

/* a free block: bit clear, onto its order's freelist. A global function:
 * inlined into the loops that split blocks, its branches made one path
 * longer than the verifier's jump history ("sequence of 8193 jumps") */
__noinline int add_free(buddy_chunk_t *c __arg_arena, __u32 idx, __u32 order)
{
	if (!c)
		return -1;
	asan_unpoison((__u64)hdr_of(c, idx), sizeof(struct buddy_header));
	set_alloc(c, idx, false);
	push_free(c, idx, order);
	return 0;
}

static __always_inline void remove_free(buddy_chunk_t *c, __u32 idx, __u32 order)
{
	buddy_header_t *h = hdr_of(c, idx);
	__u32 prev = h->prev_index, next = h->next_index;

	if (prev != BUDDY_CHUNK_ITEMS)
		hdr_of(c, prev)->next_index = next;
	if (next != BUDDY_CHUNK_ITEMS)
		hdr_of(c, next)->prev_index = prev;
	if (c->freelists[order & 0xf] == idx)
		c->freelists[order & 0xf] = next;
	h->prev_index = items_none;
	h->next_index = items_none;
}

/* a new chunk at the next 1 MiB of the reserved range: its address, or 0 */
__noinline __u64 chunk_get(void)
{
	__u64 off = BUDDY_VADDR_OFFSET + st_buddy.vaddr, left = sizeof(struct buddy_chunk);
	__u32 idx = 0, max_order = BUDDY_CHUNK_NUM_ORDERS, order, i, k, min_order, p2;
	buddy_chunk_t *c;

	if (st_buddy.vaddr + BUDDY_CHUNK_BYTES > BUDDY_VADDR_SIZE || nr_chunks >= BUDDY_MAX_CHUNKS)
		return 0;
	st_buddy.vaddr += BUDDY_CHUNK_BYTES;
	/* unreserve, then allocate */
	bpf_arena_free_pages(&arena, (void __arena *)(arena_base + off), BUDDY_CHUNK_PAGES);
	acct.reserved -= BUDDY_CHUNK_PAGES;
	c = fx_alloc_at(off / FX_PAGE_SIZE, BUDDY_CHUNK_PAGES);
	if (!c)
		return 0;
	/* the chunk's shadow pages (a lazy shadow), then poison it but its header */
	if (!fx_alloc_at((__asan_shadow_memory_dynamic_address + (off >> ASAN_SHADOW_SHIFT)) /
				 FX_PAGE_SIZE,
			 BUDDY_SHADOW_PAGES))
		return 0;
	asan_poison((__u64)c, BUDDY_CHUNK_BYTES);
	asan_unpoison((__u64)c, sizeof(struct buddy_chunk));
#pragma clang loop unroll(disable)
	for (i = 0; i < BUDDY_CHUNK_NUM_ORDERS; i++)
		c->freelists[i] = items_none;
	/* the header's bytes as allocated blocks of falling power-of-two
	 * sizes; after each, the free blocks of the orders above it */
#pragma clang loop unroll(disable)
	for (k = 0; k < 20 && left; k++) {
		p2 = fls64(left);
		if (p2 >= BUDDY_CHUNK_NUM_ORDERS + BUDDY_MIN_ALLOC_SHIFT)
			return 0;
		if (p2 >= BUDDY_MIN_ALLOC_SHIFT) {
			left -= 1ULL << p2;
			order = p2 - BUDDY_MIN_ALLOC_SHIFT;
		} else {
			left = 0;
			order = 0;
		}
		set_alloc(c, idx, true);
		min_order = left ? order + 1 : order;
#pragma clang loop unroll(disable)
		for (i = min_order; i < max_order && i < BUDDY_CHUNK_NUM_ORDERS; i++)
			add_free(c, idx + (1U << i), i);
		idx += 1U << order;
		max_order = order;
	}
	c->next = st_buddy.first_chunk;
	st_buddy.first_chunk = c;
	chunk_addr[nr_chunks & (BUDDY_MAX_CHUNKS - 1)] = (__u64)c;
	nr_chunks++;
	return (__u64)c;
}

/* a block of order_req from chunk c: its address, or 0 */
__noinline __u64 chunk_alloc(buddy_chunk_t *c __arg_arena, __u32 order_req)
{
	__u32 o, idx, i, k, next;
	buddy_header_t *h;

	if (!c || order_req >= BUDDY_CHUNK_NUM_ORDERS)
		return 0;
	/* loops count k from 0 to a constant: with i from an argument the
	 * verifier could not bound i (it compares a zero-extended copy) */
	o = BUDDY_CHUNK_NUM_ORDERS;
#pragma clang loop unroll(disable)
	for (k = 0; k < BUDDY_CHUNK_NUM_ORDERS; k++) {
		i = order_req + k;
		if (i >= BUDDY_CHUNK_NUM_ORDERS)
			break;
		if (c->freelists[i] != BUDDY_CHUNK_ITEMS) {
			o = i;
			break;
		}
	}
	if (o >= BUDDY_CHUNK_NUM_ORDERS)
		return 0;
	idx = c->freelists[o] & (BUDDY_CHUNK_ITEMS - 1);
	h = hdr_of(c, idx);
	next = h->next_index;
	c->freelists[o] = next;
	if (next != BUDDY_CHUNK_ITEMS)
		hdr_of(c, next)->prev_index = items_none;
	h->prev_index = items_none;
	h->next_index = items_none;
	set_order(c, idx, order_req);
	set_alloc(c, idx, true);
	/* split: the upper halves go onto the freelists */
#pragma clang loop unroll(disable)
	for (k = 0; k < BUDDY_CHUNK_NUM_ORDERS; k++) {
		i = order_req + k;
		if (i >= o)
			break;
		add_free(c, idx + (1U << (i & 0xf)), i);
	}
	return (__u64)c + (__u64)idx * BUDDY_MIN_ALLOC_BYTES;
}

__noinline __u64 buddy_alloc(__u64 size)
{
	__u32 order = size_to_order(size), k;
	buddy_chunk_t *c = st_buddy.first_chunk;
	__u64 a = 0;

#pragma clang loop unroll(disable)
	for (k = 0; k < BUDDY_MAX_CHUNKS && c && !a; k++) {
		a = chunk_alloc(c, order);
		c = c->next;
	}
	if (!a && chunk_get())
		a = chunk_alloc(st_buddy.first_chunk, order);
	if (!a)
		return 0;
	/* exactly the bytes asked for; below 16 the free header is poisoned */
	if (size < BUDDY_HEADER_OFF + sizeof(struct buddy_header))
		asan_poison(a + BUDDY_HEADER_OFF, sizeof(struct buddy_header));
	asan_unpoison(a, size);
	return a;
}

__noinline int buddy_free(__u64 addr)
{
	buddy_chunk_t *c = (buddy_chunk_t *)(addr & ~(__u64)BUDDY_CHUNK_OFFSET_MASK);
	__u32 idx = (addr & BUDDY_CHUNK_OFFSET_MASK) / BUDDY_MIN_ALLOC_BYTES, b, t, order, k;

	if (addr & (BUDDY_MIN_ALLOC_BYTES - 1))
		return -1;
	set_alloc(c, idx, false);
	order = get_order(c, idx);
	asan_poison(addr, (__u64)BUDDY_MIN_ALLOC_BYTES << (order & 0xf));
	asan_unpoison((__u64)hdr_of(c, idx), sizeof(struct buddy_header));
#pragma clang loop unroll(disable)
	for (k = 0; k < BUDDY_CHUNK_NUM_ORDERS - 1 && order < BUDDY_CHUNK_NUM_ORDERS - 1;
	     k++, order++) {
		b = idx ^ (1U << (order & 0xf));
		if (is_alloc(c, b) || get_order(c, b) != order)
			break;
		remove_free(c, b, order);
		if (b < idx) {
			t = idx;
			idx = b;
			b = t;
		}
		set_order(c, b, order);
		asan_poison((__u64)hdr_of(c, b), sizeof(struct buddy_header));
	}
	push_free(c, idx, order);
	return 0;
}

static long alloc_cb(__u64 i, void *ctx)
{
	__u64 size = i < BUDDY_NR_BIG ? BUDDY_BIG_SIZE : small_sizes[(i - BUDDY_NR_BIG) & 7];
	__u64 a = buddy_alloc(size);

	if (!a || i >= BUDDY_NR_OPS) {
		fill_err = 10;
		return 1;
	}
	blk_off[book(i)] = a - arena_base;
	blocks[book(i)] = (void __arena *)a;
	blk_size[book(i)] = size;
	blk_order[book(i)] = size_to_order(size);
	blk_live[book(i)] = 1;
	return 0;
}

static long free_cb(__u64 i, void *ctx)
{
	bool f = i < BUDDY_NR_BIG ? i == BUDDY_FREE_BIG
				  : (i - BUDDY_NR_BIG) % BUDDY_FREE_MOD == BUDDY_FREE_REM;

	if (!f || i >= BUDDY_NR_OPS)
		return 0;
	if (buddy_free(arena_base + blk_off[book(i)])) {
		fill_err = 20;
		return 1;
	}
	blocks[book(i)] = NULL;
	blk_live[book(i)] = 0;
	return 0;
}

SEC("syscall")
int buddy_fill(void *ctx)
{
	__u64 __arena *from;
	void __arena *lock;

	/* where libbpf would have put sched_ext's __arena qnodes[] */
	if (!fx_alloc_at(0, BUDDY_QNODES_PAGES))
		return -1;
	/* asan_init, but the shadow pages come with the chunks */
	__asan_shadow_memory_dynamic_address = BUDDY_ASAN_SHADOW_OFF;
	/* buddy_init: reserve the range, the lock, the first chunk */
	if (bpf_arena_reserve_pages(&arena, (void __arena *)(arena_base + BUDDY_VADDR_OFFSET),
				    BUDDY_VADDR_SIZE / FX_PAGE_SIZE))
		return -2;
	acct.reserved += BUDDY_VADDR_SIZE / FX_PAGE_SIZE;
	lock = fx_alloc(1);
	if (!lock)
		return -3;
	st_buddy.lock = lock;
	if (!chunk_get())
		return -4;
	bpf_loop(BUDDY_NR_OPS, alloc_cb, NULL, 0);
	if (fill_err)
		return -5;
	bpf_loop(BUDDY_NR_OPS, free_cb, NULL, 0);
	if (fill_err)
		return -6;
	if (!blk_live[BUDDY_PEER_FROM] || blk_live[BUDDY_PEER_TO] || !blk_live[BUDDY_LEAK] ||
	    !blk_live[BUDDY_OOB_FROM] || !blk_live[BUDDY_OOB_TO])
		return -7;
	/* a live block still pointing at a freed one */
	from = (__u64 __arena *)(arena_base + blk_off[BUDDY_PEER_FROM]);
	*from = arena_base + blk_off[BUDDY_PEER_TO];
	/* one past what was asked for another (ASAN's out of bounds) */
	from = (__u64 __arena *)(arena_base + blk_off[BUDDY_OOB_FROM]);
	*from = arena_base + blk_off[BUDDY_OOB_TO] + BUDDY_OOB_OFF;
	/* a live block forgotten */
	blocks[BUDDY_LEAK] = NULL;
	return 0;
}

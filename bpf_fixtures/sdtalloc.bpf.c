// SPDX-License-Identifier: GPL-2.0
/*
 * sdtalloc: an arena laid out by sched_ext's sdt_alloc (sched-ext/scx
 * lib/sdt_alloc.bpf.c at b83a455; the types in include/fxsdt.h). The code
 * is our own; the layout, the names and the sections are upstream's:
 *
 * - .bss desc_pool, chunk_pool (struct sdt_pool), alloc_stats (struct
 *   scx_alloc_stats), prealloc_stack (a struct scx_alloc_stack __arena *)
 *   and the caller's allocator scx_task_allocator (struct scx_allocator,
 *   as sched_ext's sdt_task.bpf.c has it), for a 64-byte payload: 72-byte
 *   elements, 56 a page;
 * - a 3-level radix tree of struct sdt_desc (80 bytes, 51 a page from
 *   desc_pool) and their struct sdt_chunk pages (chunk_pool), pages for both
 *   popped from the preallocation stack, which is refilled to
 *   SDT_TASK_ALLOC_STACK_MIN pages before every allocation;
 * - free: tid = { idx 0, genn + 1 }, the payload zeroed, the leaf's bit
 *   cleared (and a full parent's), nr_free + 1; pages never go back.
 *   (Upstream at b83a455 guards the tid/payload reset with `if
 *   (likely(!data))`, so as written it only clears the bits; the fixture
 *   does what the code means. Upstream also zeroes elem_size / 8 words of
 *   payload, 8 bytes past the element: the fixture zeroes the payload.)
 * - the 1 MiB __arena qnodes[] array sched_ext has at offset 0 (libbpf puts
 *   __arena globals there; libbpf 1.1 cannot load them, so the program
 *   allocates those 256 pages first): pages that belong to no allocator.
 *
 * SDT_NR_ALLOC elements are allocated (two leaves: the first one full),
 * every idx % SDT_FREE_MOD == SDT_FREE_REM freed, SDT_NR_REALLOC allocated
 * again (the lowest freed idx first, now genn 1), and the live element
 * SDT_PEER_FROM's payload points at the freed element SDT_PEER_TO. The
 * allocator's spin lock is left out (a syscall program runs alone).
 *
 * Each live element is held the way sched_ext holds a task's: the hash map
 * task_ctxs (key: the task's pid, 1000 + idx; value: the element's arena
 * address), updated on allocation and deleted on free, as sdt_task.bpf.c
 * keeps them in task local storage. Nothing in the arena or the data
 * sections but the allocator's own tree (and the fixture's books) points
 * at them, so check cannot judge leaks here: it says why.
 *
 * BTF as a scheduler's: struct sdt_desc is reached only through the
 * pointer `root` (a FWD), struct sdt_chunk and struct sdt_data only through
 * casts (absent); struct sdt_pool, scx_alloc_stats, scx_allocator and
 * scx_alloc_stack are complete.
 */
#define FX_ARENA_PAGES 4096
#include <stdbool.h>
#include "fx_bpf.h"
#include "fxsdt.h"

_Static_assert(FX_ARENA_PAGES == SDT_PAGES, "the arena is SDT_PAGES pages");

/* sdt_alloc's state, as upstream names it */
struct sdt_pool desc_pool;
struct sdt_pool chunk_pool;
struct scx_alloc_stats alloc_stats;
struct scx_alloc_stack __arena *prealloc_stack;
/* the caller's allocator (sdt_task.bpf.c) */
struct scx_allocator scx_task_allocator;

/* the program's references to its task contexts (sched_ext keeps them in
 * task local storage; a syscall program has no task to hang them on) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SDT_TASK_ENTS_PER_CHUNK * 2);
	__type(key, __u32);
	__type(value, __u64);
} task_ctxs SEC(".maps");

/* the fixture's own books, for the loader's expectations */
__u64 el_addr[SDT_TASK_ENTS_PER_CHUNK * 2]; /* by idx: the element */
__u8 el_live[SDT_TASK_ENTS_PER_CHUNK * 2];
__s32 el_genn[SDT_TASK_ENTS_PER_CHUNK * 2];
__u8 pg_role[SDT_PAGES]; /* enum sdt_page_role by page number */
__u32 nr_live;
__s32 fill_err; /* where the fill failed (0: it did not) */
/* books are indexed by idx masked to their size: clang checks the bound on
 * one copy of a register and indexes with another */
#define BOOK_MASK (SDT_TASK_ENTS_PER_CHUNK * 2 - 1)
static __always_inline __u32 book(__u32 idx)
{
	asm volatile("" : "+r"(idx)); /* else clang drops the mask as redundant */
	return idx & BOOK_MASK;
}
/* stored instead of constants: clang merges constant stores into arena
 * memory and may emit them through the un-cast register (fx_bpf.h) */
__u64 zero_word;

/*
 * The helpers that loop are global functions, as upstream's are (__hidden,
 * __weak): the verifier checks each once on its own. As static subprograms
 * every path out of one multiplied the paths of its callers past the 1M
 * instruction budget. An arena pointer argument needs the arg:arena tag.
 */
#define __arg_arena __attribute__((btf_decl_tag("arg:arena")))

static __always_inline void book_page(void __arena *p, __u8 role)
{
	__u64 n = ((__u64)p - arena_base) / FX_PAGE_SIZE;

	if (n < SDT_PAGES)
		pg_role[n] = role;
}

/* the first 0 bit of a 64-bit word that has one */
static __always_inline __u32 first_zero(__u64 w)
{
	__u32 n = 0;

	w = ~w;
	if (!(w & 0xffffffffULL)) {
		n += 32;
		w >>= 32;
	}
	if (!(w & 0xffff)) {
		n += 16;
		w >>= 16;
	}
	if (!(w & 0xff)) {
		n += 8;
		w >>= 8;
	}
	if (!(w & 0xf)) {
		n += 4;
		w >>= 4;
	}
	if (!(w & 0x3)) {
		n += 2;
		w >>= 2;
	}
	if (!(w & 0x1))
		n += 1;
	return n;
}

/* the first clear bit of a desc's bitmap, SDT_TASK_ENTS_PER_CHUNK if none */
__noinline __u32 desc_find_empty(sdt_desc_t *d __arg_arena)
{
	__u32 i;

	if (!d)
		return SDT_TASK_ENTS_PER_CHUNK;
#pragma clang loop unroll(disable)
	for (i = 0; i < SDT_TASK_CHUNK_BITMAP_U64S; i++) {
		__u64 w = d->allocated[i];

		if (~w)
			return i * 64 + first_zero(w);
	}
	return SDT_TASK_ENTS_PER_CHUNK;
}

/* refill the preallocation stack to SDT_TASK_ALLOC_STACK_MIN pages */
__noinline int stack_fill(void)
{
	struct scx_alloc_stack __arena *st = prealloc_stack;
	__u32 i;

	if (!st)
		return -1;
#pragma clang loop unroll(disable)
	for (i = 0; i <= SDT_TASK_ALLOC_STACK_MIN; i++) {
		void __arena *pg;
		__u64 n = st->idx;

		if (n >= SDT_TASK_ALLOC_STACK_MIN)
			return 0;
		pg = fx_alloc(1);
		if (!pg || n >= SDT_TASK_ALLOC_STACK_MAX)
			return -1;
		st->stack[n] = pg;
		st->idx = n + 1;
		alloc_stats.arena_pages_used += 1;
		book_page(pg, SDT_PG_PREALLOC);
	}
	return -1;
}

/* an element of a chunk or desc pool; a spent slab is replaced by a page
 * popped from the stack (stale stack entries above idx stay, as upstream) */
static __always_inline void __arena *pool_take(struct sdt_pool *pool, __u8 role)
{
	struct scx_alloc_stack __arena *st = prealloc_stack;
	char __arena *p;

	if (pool->idx >= pool->max_elems) {
		__u64 n = st->idx;
		void __arena *slab;

		if (!n || n > SDT_TASK_ALLOC_STACK_MAX)
			return NULL;
		slab = st->stack[n - 1];
		st->idx = n - 1;
		pool->slab = slab;
		pool->idx = 0;
		book_page(slab, role);
	}
	p = pool->slab;
	p += pool->elem_size * pool->idx;
	pool->idx += 1;
	return p;
}

/* a new node: a struct sdt_desc and its chunk (as an integer: a global
 * function returns a scalar) */
__noinline __u64 alloc_chunk(void)
{
	struct sdt_chunk __arena *chunk = pool_take(&chunk_pool, SDT_PG_CHUNK);
	sdt_desc_t *desc = pool_take(&desc_pool, SDT_PG_DESC);

	if (!chunk || !desc)
		return 0;
	desc->nr_free = SDT_TASK_ENTS_PER_CHUNK + zero_word;
	desc->chunk = chunk;
	alloc_stats.chunk_allocs += 1;
	return (__u64)desc;
}

/* the child at pos of an inner node, made when missing */
static __always_inline sdt_desc_t *child_of(sdt_desc_t *d, __u32 pos)
{
	struct sdt_chunk __arena *chunk = d->chunk;
	sdt_desc_t *c;

	if (!chunk)
		return NULL;
	c = chunk->descs[pos & (SDT_TASK_ENTS_PER_CHUNK - 1)];
	if (!c) {
		c = (sdt_desc_t *)alloc_chunk();
		if (c)
			chunk->descs[pos & (SDT_TASK_ENTS_PER_CHUNK - 1)] = c;
	}
	return c;
}

/* mark pos used; true when d is now full (the parent's bit is set too) */
static __always_inline bool mark_used(sdt_desc_t *d, __u32 pos)
{
	pos &= SDT_TASK_ENTS_PER_CHUNK - 1;
	d->allocated[pos / 64] |= 1ULL << (pos % 64);
	d->nr_free -= 1;
	return d->nr_free == 0;
}

/* mark pos free; true when d was full (the parent's bit is cleared too) */
static __always_inline bool mark_avail(sdt_desc_t *d, __u32 pos)
{
	pos &= SDT_TASK_ENTS_PER_CHUNK - 1;
	d->allocated[pos / 64] &= ~(1ULL << (pos % 64));
	d->nr_free += 1;
	return d->nr_free == 1;
}

/* an element from the caller's pool: a fresh page when the slab is spent */
static __always_inline struct sdt_data __arena *pool_data(struct sdt_pool *pool)
{
	char __arena *p;

	if (pool->idx >= pool->max_elems) {
		void __arena *slab = fx_alloc(1);

		if (!slab)
			return NULL;
		pool->slab = slab;
		pool->idx = 0;
		book_page(slab, SDT_PG_DATA);
	}
	p = pool->slab;
	p += pool->elem_size * pool->idx;
	pool->idx += 1;
	return (struct sdt_data __arena *)p;
}

/* scx_alloc_internal: the idx allocated, or -1 */
__noinline int sdt_alloc(void)
{
	struct scx_allocator *a = &scx_task_allocator;
	sdt_desc_t *d0 = a->root, *d1, *d2;
	struct sdt_chunk __arena *leaf;
	struct sdt_data __arena *data;
	__u32 p0, p1, p2, idx;

	if (stack_fill() || !d0)
		return -1;
	p0 = desc_find_empty(d0);
	if (p0 >= SDT_TASK_ENTS_PER_CHUNK)
		return -1;
	d1 = child_of(d0, p0);
	if (!d1)
		return -1;
	p1 = desc_find_empty(d1);
	if (p1 >= SDT_TASK_ENTS_PER_CHUNK)
		return -1;
	d2 = child_of(d1, p1);
	if (!d2)
		return -1;
	p2 = desc_find_empty(d2);
	if (p2 >= SDT_TASK_ENTS_PER_CHUNK)
		return -1;
	if (mark_used(d2, p2) && mark_used(d1, p1))
		mark_used(d0, p0);
	idx = p0 << 18 | p1 << 9 | p2;
	leaf = d2->chunk;
	if (!leaf)
		return -1;
	data = leaf->data[p2];
	if (!data) {
		data = pool_data(&a->pool);
		if (!data)
			return -1;
		leaf->data[p2] = data;
	}
	alloc_stats.data_allocs += 1;
	alloc_stats.alloc_ops += 1;
	alloc_stats.active_allocs += 1;
	data->tid.idx = idx;
	if (idx <= BOOK_MASK) {
		el_addr[book(idx)] = (__u64)data;
		el_live[book(idx)] = 1;
		el_genn[book(idx)] = data->tid.genn;
		nr_live++;
	}
	return idx;
}

/* scx_alloc_free_idx */
__noinline int sdt_free(__u32 idx)
{
	struct scx_allocator *a = &scx_task_allocator;
	__u32 p0 = (idx >> 18) & 511, p1 = (idx >> 9) & 511, p2 = idx & 511;
	sdt_desc_t *d0 = a->root, *d1, *d2;
	struct sdt_chunk __arena *c;
	struct sdt_data __arena *data;
	union sdt_id tid;
	__u32 i, words;

	if (!d0 || !(c = d0->chunk) || !(d1 = c->descs[p0]) || !(c = d1->chunk) ||
	    !(d2 = c->descs[p1]) || !(c = d2->chunk))
		return -1;
	data = c->data[p2];
	if (data) {
		tid.idx = zero_word;
		tid.genn = data->tid.genn + 1;
		data->tid.val = tid.val;
		words = a->pool.elem_size / 8 - 1;
#pragma clang loop unroll(disable)
		for (i = 0; i < words && i < 64; i++) {
			data->payload[i] = zero_word;
			fx_no_memcpy();
		}
		if (idx <= BOOK_MASK) {
			el_live[book(idx)] = 0;
			el_genn[book(idx)] = tid.genn;
			nr_live--;
		}
	}
	if (mark_avail(d2, p2) && mark_avail(d1, p1))
		mark_avail(d0, p0);
	alloc_stats.active_allocs -= 1;
	alloc_stats.free_ops += 1;
	return 0;
}

static __always_inline void put_payload(__u32 idx, __u64 seq)
{
	struct fx_task_ctx t = {
		.pid = 1000 + idx,
		.seq = seq,
		.weight = 100 + idx % 50,
	};

	if (idx <= BOOK_MASK)
		fx_put((char __arena *)el_addr[book(idx)] + 8, &t, sizeof(t));
}

static long alloc_cb(__u64 i, void *ctx)
{
	int idx = sdt_alloc();
	__u32 pid;
	__u64 addr;

	if (idx < 0 || idx > BOOK_MASK) {
		fill_err = 10;
		return 1;
	}
	put_payload(idx, i);
	pid = 1000 + idx;
	addr = el_addr[book(idx)];
	if (bpf_map_update_elem(&task_ctxs, &pid, &addr, BPF_ANY)) {
		fill_err = 11;
		return 1;
	}
	return 0;
}

static long free_cb(__u64 i, void *ctx)
{
	__u32 pid = 1000 + i;

	if (i % SDT_FREE_MOD != SDT_FREE_REM)
		return 0;
	if (sdt_free(i) || bpf_map_delete_elem(&task_ctxs, &pid)) {
		fill_err = 20;
		return 1;
	}
	return 0;
}

static __always_inline int pool_init(struct sdt_pool *pool, __u64 size, __u64 pages)
{
	pool->elem_size = size;
	pool->max_elems = FX_PAGE_SIZE * pages / size;
	pool->idx = pool->max_elems; /* the first allocation takes a slab */
	return 0;
}

/* scx_alloc_init(&scx_task_allocator, sizeof(struct fx_task_ctx)) */
__noinline int sdt_init(void)
{
	struct scx_allocator *a = &scx_task_allocator;
	__u64 size = (sizeof(struct fx_task_ctx) + sizeof(struct sdt_data) + 7) & ~7ULL;

	pool_init(&chunk_pool, sizeof(struct sdt_chunk), 1);
	pool_init(&desc_pool, sizeof(struct sdt_desc), 1);
	pool_init(&a->pool, size,
		  (SDT_TASK_MIN_ELEM_PER_ALLOC * size + FX_PAGE_SIZE - 1) / FX_PAGE_SIZE);
	prealloc_stack = fx_alloc(1);
	if (!prealloc_stack)
		return -1;
	book_page(prealloc_stack, SDT_PG_STACK);
	if (stack_fill())
		return -1;
	a->root = (sdt_desc_t *)alloc_chunk();
	return a->root ? 0 : -1;
}

SEC("syscall")
int sdtalloc_fill(void *ctx)
{
	struct fx_task_ctx __arena *from;

	/* where libbpf would have put sched_ext's __arena qnodes[] */
	if (!fx_alloc_at(0, SDT_QNODES_PAGES))
		return -1;
	if (sdt_init())
		return -2;
	bpf_loop(SDT_NR_ALLOC, alloc_cb, NULL, 0);
	if (fill_err)
		return -3;
	bpf_loop(SDT_NR_ALLOC, free_cb, NULL, 0);
	if (fill_err)
		return -4;
	bpf_loop(SDT_NR_REALLOC, alloc_cb, NULL, 0);
	if (fill_err)
		return -5;
	if (el_live[SDT_PEER_TO] || !el_live[SDT_PEER_FROM])
		return -6;
	/* a live task context still pointing at a freed one */
	from = (struct fx_task_ctx __arena *)((char __arena *)el_addr[SDT_PEER_FROM] + 8);
	from->peer = (struct fx_task_ctx __arena *)((char __arena *)el_addr[SDT_PEER_TO] + 8);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * sparse: a 4 GiB arena (1 << 20 pages) with a few thousand single pages
 * allocated at pseudo-random page numbers (xorshift64, fixed seed) and
 * some runs reserved with bpf_arena_reserve_pages: pages 0..15 as a NULL
 * guard plus SPARSE_RES_RANGES runs of SPARSE_RES_LEN pages. Every
 * allocated page starts with a struct sparse_page (index, magic, label,
 * pointer to the previously allocated page) and ends with its index again.
 * .bss keeps the page numbers in allocation order for the loader.
 */
#define FX_ARENA_PAGES SPARSE_PAGES
#include "fx_bpf.h"

struct sparse_page __arena *first;
struct sparse_page __arena *last;
__u32 alloc_pages[SPARSE_TRIES];
__u32 nr_alloc;
__u32 res_start[SPARSE_RES_RANGES + 1];
__u32 res_len[SPARSE_RES_RANGES + 1];
__u32 nr_res;
__u64 seed = 0x9e3779b97f4a7c15ULL;

static __always_inline void record_reserved(__u32 start, __u32 len)
{
	__u32 n = nr_res;

	if (n > SPARSE_RES_RANGES)
		return;
	res_start[n] = start;
	res_len[n] = len;
	nr_res = n + 1;
	acct.reserved += len;
}

static int alloc_one(__u32 i, void *ctx)
{
	struct sparse_page __arena *p;
	__u32 page = fx_rand(&seed) % SPARSE_PAGES;
	__u32 n = nr_alloc;

	if (n >= SPARSE_TRIES)
		return 1;
	if (page < SPARSE_GUARD)
		return 0;
	p = fx_alloc_at(page, 1);
	if (!p)
		return 0; /* taken or reserved already */
	p->index = page;
	p->magic = SPARSE_MAGIC | (page & 0xffff);
	p->label[0] = 'p';
	p->label[1] = 'g';
	p->label[2] = '0' + (page / 1000000) % 10;
	p->label[3] = '0' + (page / 100000) % 10;
	p->label[4] = '0' + (page / 10000) % 10;
	p->label[5] = '0' + (page / 1000) % 10;
	p->label[6] = '0' + (page / 100) % 10;
	p->label[7] = '0' + (page / 10) % 10;
	p->label[8] = '0' + page % 10;
	p->label[9] = 0;
	p->prev = last;
	*(__u64 __arena *)((char __arena *)p + FX_PAGE_SIZE - 8) = page;
	if (!first)
		first = p;
	last = p;
	alloc_pages[n] = page;
	nr_alloc = n + 1;
	return 0;
}

SEC("syscall")
int sparse_fill(void *ctx)
{
	int r;

	if (bpf_arena_reserve_pages(&arena, (void __arena *)arena_base, SPARSE_GUARD))
		return -1;
	record_reserved(0, SPARSE_GUARD);
#pragma clang loop unroll(disable)
	for (r = 0; r < SPARSE_RES_RANGES; r++) {
		__u32 start = fx_rand(&seed) % (SPARSE_PAGES - SPARSE_RES_LEN);
		void __arena *at = (void __arena *)(arena_base + (__u64)start * FX_PAGE_SIZE);

		if (start < SPARSE_GUARD)
			continue;
		if (bpf_arena_reserve_pages(&arena, at, SPARSE_RES_LEN))
			continue; /* overlaps an earlier run */
		record_reserved(start, SPARSE_RES_LEN);
	}
	bpf_loop(SPARSE_TRIES, alloc_one, NULL, 0);
	return 0;
}

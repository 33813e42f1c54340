// SPDX-License-Identifier: GPL-2.0
/*
 * `heap` (heap__open: every backend's detect and walk) on a 4 GiB arena
 * (1<<20 pages) holding 1 M objects of the selftests' page-fragment
 * allocator, beside the bulk read of the same pages in the same run
 * (issue 15):
 *   - 1 M objects of 256 bytes, 15 a page (69,906 pages);
 *   - 1,048,574 objects, one a page (the arena full, but for page 0 and
 *     the last page).
 * The allocator's state is __arena globals at offset 0 (page 0), given
 * by a made-up BTF (DATASEC ".addr_space.1" with page_frag_cur_page[128]
 * and page_frag_cur_offset[128]), as libbpf places them on this kernel.
 * Figures: time, the ratio to the bulk read of the same pages (> 1: the
 * heap is faster than reading its pages), the live count found (must be
 * 1 M), and the pages the kernel counts before and after (must not move).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "bench_arena.h"
#include "btfx.h"
#include "error.h"
#include "heap.h"

#define NPAGES BENCH_NPAGES
#define NOBJS (1u << 20)
#define NCPUS 128

static uint32_t allocated(struct source *s)
{
	struct pagemap pm;
	uint32_t n;

	if (source__pagemap(s, &pm)) {
		fprintf(stderr, "bench_heap: page map: %s\n", ai_errmsg());
		exit(1);
	}
	n = pm.counts[PAGE_ALLOCATED];
	pagemap__free(&pm);
	return n;
}

/* page_frag's globals as libbpf would describe them */
static struct btf *frag_btf(void)
{
	struct btf *b = btf__new_empty();
	int i32, u8, vp, ap, ai, v1, v2, sec;

	if (!b)
		return NULL;
	i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	u8 = btf__add_int(b, "unsigned char", 1, 0);
	vp = btf__add_ptr(b, 0);
	ap = btf__add_array(b, u8, vp, NCPUS);
	ai = btf__add_array(b, u8, i32, NCPUS);
	v1 = btf__add_var(b, "page_frag_cur_page", BTF_VAR_STATIC, ap);
	v2 = btf__add_var(b, "page_frag_cur_offset", BTF_VAR_STATIC, ai);
	sec = btf__add_datasec(b, ".addr_space.1", NCPUS * 12);
	if (i32 < 0 || u8 < 0 || vp < 0 || ap < 0 || ai < 0 || v1 < 0 || v2 < 0 || sec < 0 ||
	    btf__add_datasec_var_info(b, v1, 0, NCPUS * 8) ||
	    btf__add_datasec_var_info(b, v2, NCPUS * 8, NCPUS * 4)) {
		btf__free(b);
		return NULL;
	}
	return b;
}

int main(void)
{
	static const uint32_t per_page[] = { 15, 1 };
	struct bench_arena ba;
	int err = bench_arena__new("bench_heap", &ba);

	if (err)
		return err < 0;
	printf("bench_heap: 4 GiB arena (%u pages) at %p, %u objects\n", NPAGES, ba.base, NOBJS);
	printf("%-34s %12s %12s %12s\n", "figure", "measured", "reference", "ratio");
	for (size_t l = 0; l < sizeof(per_page) / sizeof(per_page[0]); l++) {
		uint32_t k = per_page[l], n = (NOBJS + k - 1) / k, before, after, nobjs, last;
		size_t chunk = 64UL << 20, bytes;
		uint8_t *buf = malloc(chunk), *present = malloc(chunk / 4096);
		struct btfx *bx = NULL;
		struct pagemap pm;
		struct heap *h;
		double t0, rd, hp;
		uint64_t left;

		/* one a page: all pages but page 0 (globals) and the last (so the
		 * globals are found at offset 0, as libbpf puts them here) */
		if (n > NPAGES - 2)
			n = NPAGES - 2;
		nobjs = n * k < NOBJS ? n * k : NOBJS;
		left = nobjs;
		bytes = (size_t)(n + 1) * 4096;
		/* page 0: the globals; pages 1..n: objects carved from the end
		 * (the previous layout's pages stay allocated: rewritten here) */
		bench_arena__fill(&ba, 0, n + 1, 1);
		memset(ba.base, 0, 4096);
		for (uint32_t i = 1; i <= n; i++) {
			uint8_t *pg = ba.base + (size_t)i * 4096;
			uint64_t c = left < k ? left : k;

			memset(pg + 4096 - 8 - 256 * k, 0x5a, 256 * k);
			memcpy(pg + 4096 - 8, &c, 8);
			left -= c;
		}
		last = nobjs - (n - 1) * k;
		((uint64_t *)ba.base)[0] = (uintptr_t)ba.base + (size_t)n * 4096;
		((int32_t *)(ba.base + NCPUS * 8))[0] = 4096 - 8 - 256 * last;
		if (btfx__new_from_btf(ba.src, frag_btf(), &bx)) {
			fprintf(stderr, "bench_heap: %s\n", ai_errmsg());
			return 1;
		}
		before = allocated(ba.src);
		t0 = bench_now_ms();
		/* the same pages in bulk (n + 1 from page 0) */
		for (size_t off = 0; off < bytes; off += chunk)
			source__read(ba.src, (uintptr_t)ba.base + off, buf,
				     bytes - off < chunk ? bytes - off : chunk, present);
		rd = bench_now_ms() - t0;
		if (source__pagemap(ba.src, &pm)) {
			fprintf(stderr, "bench_heap: %s\n", ai_errmsg());
			return 1;
		}
		t0 = bench_now_ms();
		if (heap__open(bx, ba.src, &pm, NULL, &h)) {
			fprintf(stderr, "bench_heap: %s\n", ai_errmsg());
			return 1;
		}
		hp = bench_now_ms() - t0;
		after = allocated(ba.src);
		printf("heap, %2u objects a page (%7u pages) %8.1f ms %9.1f ms %10.2fx  (bulk read "
		       "of the pages)\n",
		       k, n + 1, hp, rd, rd / hp);
		printf("  live objects counted            %9llu %12u %11s  (%s)\n",
		       h->nr_allocs ? (unsigned long long)h->allocs[0].stats.counted_live : 0ull,
		       nobjs, "",
		       h->nr_allocs && h->allocs[0].stats.counted_live == nobjs &&
				       h->allocs[0].stats.pages == n
			       ? "all pages and objects found"
			       : "WRONG");
		printf("  pages perturbed                 %9d\n", (int)after - (int)before);
		heap__free(h);
		pagemap__free(&pm);
		btfx__free(bx);
		free(buf);
		free(present);
	}
	bench_arena__free(&ba);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Reverse references (issue 14 item 2), each figure beside its reference
 * from the same run: building the refs index over the benchmarks' 4 GiB
 * arena 100% allocated (a pointer every 512 bytes, 8M references) against
 * the bulk read of the same pages (the floor: target >= 50% of its rate),
 * a 0.1% arena (time follows the allocated pages), and a query on the
 * built index (target < 1 ms). The ratio is also given in CPU time, which
 * the other load of a shared machine does not inflate as it does wall time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "error.h"
#include "bench_arena.h"
#include "refs.h"

#define NPAGES BENCH_NPAGES
#define PAGE 4096u

/* this thread's CPU time (user + system: the bulk read's BPF copy runs in
 * our system time): what a shared machine's other load does not inflate */
static double cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double cpu_last; /* the CPU ms of the last read_ms or build_ms */

/* the reference: every allocated page read in bulk, as the scan reads them */
static double read_ms(struct source *s)
{
	double c0 = cpu_ms();
	const uint8_t *data;
	uint8_t present[256];
	uint32_t chunk = s->ops->borrow_max_bytes / PAGE;
	double t0 = bench_now_ms();
	volatile uint8_t sink = 0;

	if (chunk > 256)
		chunk = 256;
	for (uint32_t i = 0; i < NPAGES; i += chunk) {
		if (s->ops->read_pages(s, i, chunk, &data, present) < 0)
			return -1;
		sink ^= data[0];
	}
	(void)sink;
	cpu_last = cpu_ms() - c0;
	return bench_now_ms() - t0;
}

static double build_ms(struct source *s, struct refs_index **idx)
{
	double t0 = bench_now_ms(), c0 = cpu_ms();

	if (refs__build(s, idx)) {
		fprintf(stderr, "bench_refs: %s\n", ai_errmsg());
		exit(1);
	}
	cpu_last = cpu_ms() - c0;
	return bench_now_ms() - t0;
}

int main(void)
{
	struct refs_index *idx = NULL;
	struct bench_arena ba;
	struct source *src;
	uint64_t base;
	double ms, rd, rd_cpu, q[101];
	int err = bench_arena__new("bench_refs", &ba);

	if (err)
		return err < 0;
	src = ba.src;
	base = (uintptr_t)ba.base;
	if (!src->ops->read_pages) {
		printf("bench_refs: the live source has no bulk read: nothing to compare\n");
		bench_arena__free(&ba);
		return 1;
	}

	/* sparse: 0.1% */
	bench_arena__fill(&ba, 0, NPAGES / 1000, 1000);
	ms = build_ms(src, &idx);
	printf("0.1%% allocated: index of %u pages in %.2f ms (%.1f us a page): time follows "
	       "the pages, not the 4 GiB\n",
	       idx->pages_scanned, ms, ms * 1000 / idx->pages_scanned);
	refs__free(idx);

	/* full: 100%, a pointer to another page every 512 bytes (we own the mapping) */
	bench_arena__fill(&ba, 0, NPAGES, 1);
	for (uint64_t p = 0; p < NPAGES; p++)
		for (uint32_t o = 0; o < PAGE; o += 512) {
			uint64_t v = base + ((p * 7919 + o) % NPAGES) * PAGE + o;

			memcpy(ba.base + p * PAGE + o, &v, 8);
		}
	rd = read_ms(src);
	rd_cpu = cpu_last;
	/* the first build also pays for its memory's first touch: keep the second */
	ms = build_ms(src, &idx);
	printf("  first build: %.0f ms\n", ms);
	refs__free(idx);
	ms = build_ms(src, &idx);
	printf("100%% allocated, 4 GiB, %zu references: index %.0f ms (%.2f GB/s)  bulk read "
	       "%.0f ms (%.2f GB/s)  ratio %.0f%% of the read rate (target >= 50%%: %s)\n",
	       idx->nr_ent, ms, (double)NPAGES * PAGE / ms / 1e6, rd,
	       (double)NPAGES * PAGE / rd / 1e6, 100 * rd / ms, rd / ms >= 0.5 ? "met" : "MISSED");
	printf("  the same in CPU time (this thread, user + system): index %.0f ms  bulk read %.0f "
	       "ms  "
	       "ratio %.0f%%\n",
	       cpu_last, rd_cpu, 100 * rd_cpu / cpu_last);
	for (int r = 0; r < 101; r++) {
		uint64_t lo = base + (uint64_t)(r * 10007 % NPAGES) * PAGE;
		double t0 = bench_now_ms();
		long n = refs__query(idx, lo, lo + PAGE, NULL, NULL);

		q[r] = bench_now_ms() - t0;
		if (n != PAGE / 512)
			printf("  query at 0x%llx: %ld references, expected %u\n",
			       (unsigned long long)lo, n, PAGE / 512);
	}
	ms = bench_median(q, 101);
	printf("query (a page, 8 referrers) on the index: median %.4f ms  (target < 1 ms: %s)\n",
	       ms, ms < 1 ? "met" : "MISSED");
	refs__free(idx);
	bench_arena__free(&ba);
	return 0;
}

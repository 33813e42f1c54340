// SPDX-License-Identifier: GPL-2.0
/*
 * Page map and bulk read speed on a 4 GiB arena (1<<20 pages), each figure
 * beside its reference measured in the same run, with where the time goes:
 *   page map (one pass: free-range walk, the free ranges into a bitmap,
 *       probing the pages outside them, the check that the tree did not
 *       change) vs its largest term: one tree walk at 0.1%, walk + probing
 *       at 10%, probing at 100%; and vs per-page probing of every page
 *   bulk read through the probe (zero copy, and into a buffer) vs memcpy
 * Targets (issue 18): page map <= 0.3 ms at 0.1%, <= 10 ms at 10%, <= 20 ms
 * at 100% (<= 25 ms with every page zero at offset 0); bulk reads >= 0.8x
 * memcpy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "compat.h"
#include "error.h"
#include "bench_arena.h"
#include "live.h"
#include "probe.h"

#define NPAGES BENCH_NPAGES

/* one page map's phases, in ms, from the probe's stats of that run */
struct phases {
	double total, setup, run, walk, mark, probe, check, user, other;
	uint64_t passes, maps, retries;
};

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* median of each field over n runs (each field on its own) */
static struct phases median_phases(struct phases *r, int n)
{
	struct phases m = r[n / 2];
	double v[16];

#define MED(f)                                    \
	do {                                      \
		for (int i = 0; i < n; i++)       \
			v[i] = r[i].f;            \
		qsort(v, n, sizeof(v[0]), cmp_d); \
		m.f = v[n / 2];                   \
	} while (0)
	MED(total);
	MED(setup);
	MED(run);
	MED(walk);
	MED(mark);
	MED(probe);
	MED(check);
	MED(user);
	MED(other);
#undef MED
	return m;
}

/* seven page maps; the median of each phase */
static struct phases pagemap_ms(struct source *s, uint32_t *alloc)
{
	struct probe *pr = live__probe(s);
	struct phases r[7];
	struct pagemap pm;

	for (int i = 0; i < 7; i++) {
		struct probe_stats st;
		double t0;

		probe__stats(pr, NULL, true);
		t0 = bench_now_ms();
		if (source__pagemap(s, &pm)) {
			fprintf(stderr, "bench: page map: %s\n", ai_errmsg());
			exit(1);
		}
		r[i].total = bench_now_ms() - t0;
		probe__stats(pr, &st, false);
		r[i].setup = st.setup_ns / 1e6;
		r[i].run = st.run_ns / 1e6;
		r[i].walk = st.walk_ns / 1e6;
		r[i].mark = st.mark_ns / 1e6;
		r[i].probe = st.probe_ns / 1e6;
		r[i].check = st.check_ns / 1e6;
		r[i].user = st.user_ns / 1e6;
		r[i].other = r[i].total - r[i].setup - r[i].run - r[i].user;
		r[i].passes = st.passes;
		r[i].maps = st.maps;
		r[i].retries = st.retries;
		*alloc = pm.counts[PAGE_ALLOCATED];
		pagemap__free(&pm);
	}
	return median_phases(r, 7);
}

/* the page map's breakdown, each phase as a share of the whole */
static void print_phases(const struct phases *m)
{
	double in_prog = m->walk + m->mark + m->probe + m->check;

	printf("    breakdown (median of 7): %llu pass(es), %llu maps shown to the program, %llu "
	       "retries\n",
	       (unsigned long long)m->passes, (unsigned long long)m->maps,
	       (unsigned long long)m->retries);
	printf("      iterator setup (create+close) %8.3f ms %5.1f%%\n", m->setup,
	       100 * m->setup / m->total);
	printf("      program run (read)            %8.3f ms %5.1f%%: walk %.3f, mark %.3f, "
	       "probe %.3f, check %.3f; outside them %.3f\n",
	       m->run, 100 * m->run / m->total, m->walk, m->mark, m->probe, m->check,
	       m->run - in_prog);
	printf("      (outside the phases: the calls for the other maps, and on a busy machine "
	       "the other tasks that run at the first preemption point after a long pass)\n");
	printf("      user: bitmaps -> states       %8.3f ms %5.1f%%\n", m->user,
	       100 * m->user / m->total);
	printf("      copy-out: alloc, counts       %8.3f ms %5.1f%%\n", m->other,
	       100 * m->other / m->total);
}

static void print_level(const char *label, uint32_t alloc, const struct phases *m,
			const char *refname, double ref, double target)
{
	char fig[64];

	snprintf(fig, sizeof(fig), "page map at %s (%u pages)", label, alloc);
	printf("%-34s %9.3f ms %9.3f ms %10.2fx  (%s; target <= %g ms: %s)\n", fig, m->total, ref,
	       m->total / ref, refname, target, m->total <= target ? "met" : "MISSED");
	print_phases(m);
}

/* bulk reads of the whole arena: one line per way, with its breakdown */
static void bulk_reads(struct source *src, void *base)
{
	size_t chunk = 64UL << 20, total = (size_t)NPAGES * 4096;
	uint8_t *buf = malloc(chunk), *src2 = malloc(chunk);
	uint8_t *present = malloc(chunk / 4096);
	uint32_t batch = src->ops->borrow_max_bytes / 4096;
	struct probe *pr = live__probe(src);
	struct probe_stats st;
	double t0, rd, bw, mc;

	memset(src2, 1, chunk);
	memset(buf, 0, chunk);
	/* the reference: memcpy of the same amount on this machine */
	t0 = bench_now_ms();
	for (size_t off = 0; off < total; off += chunk) {
		memcpy(buf, src2, chunk);
		__asm__ volatile("" ::"r"(buf) : "memory");
	}
	mc = bench_now_ms() - t0;

	/* zero copy: read_pages hands out the probe's own buffer */
	probe__stats(pr, NULL, true);
	t0 = bench_now_ms();
	for (uint32_t i = 0; i < NPAGES; i += batch) {
		const uint8_t *data;

		if (src->ops->read_pages(src, i, batch, &data, present) < 0) {
			fprintf(stderr, "bench: read_pages: %s\n", ai_errmsg());
			exit(1);
		}
		__asm__ volatile("" ::"r"(data) : "memory");
	}
	bw = bench_now_ms() - t0;
	probe__stats(pr, &st, false);
	printf("bulk read, 4 GiB, zero copy       %9.2f GB/s %7.2f GB/s %10.2fx  (memcpy "
	       "reference; target >= 0.8x: %s)\n",
	       total / bw / 1e6, total / mc / 1e6, mc / bw, mc / bw >= 0.8 ? "met" : "MISSED");
	printf("    batch %u pages (%u KiB), %llu passes: iterator setup %.1f ms, kernel copy %.1f "
	       "ms (%.2f GB/s), user copy %.1f ms, other %.1f ms\n",
	       batch, batch * 4, (unsigned long long)st.passes, st.setup_ns / 1e6, st.run_ns / 1e6,
	       total / (double)st.run_ns, st.copy_ns / 1e6,
	       bw - (st.setup_ns + st.run_ns + st.copy_ns) / 1e6);

	/* into the caller's buffer: source__read, one copy out of the probe's */
	probe__stats(pr, NULL, true);
	t0 = bench_now_ms();
	for (size_t off = 0; off < total; off += chunk)
		source__read(src, (uintptr_t)base + off, buf, chunk, present);
	rd = bench_now_ms() - t0;
	probe__stats(pr, &st, false);
	printf("bulk read, 4 GiB, into a buffer   %9.2f GB/s %7.2f GB/s %10.2fx  (memcpy "
	       "reference; the copy the consumers above avoid)\n",
	       total / rd / 1e6, total / mc / 1e6, mc / rd);
	printf("    %llu passes: iterator setup %.1f ms, kernel copy %.1f ms, user copy %.1f ms, "
	       "other %.1f ms\n",
	       (unsigned long long)st.passes, st.setup_ns / 1e6, st.run_ns / 1e6, st.copy_ns / 1e6,
	       rd - (st.setup_ns + st.run_ns + st.copy_ns) / 1e6);
	free(buf);
	free(src2);
	free(present);
}

int main(void)
{
	struct {
		uint32_t stride;
		const char *label;
		double target;
	} levels[] = {
		{ 1000, "0.1%", 0.3 },
		{ 10, "10%", 10 },
		{ 1, "100%", 20 },
	};
	struct bench_arena ba;
	struct source *src;
	void *base;
	int err = bench_arena__new("bench_live", &ba);

	if (err)
		return err < 0;
	src = ba.src;
	base = ba.base;
	printf("bench_live: 4 GiB arena (%u pages) at %p (on a shared machine: compare the "
	       "ratios, each from one run)\n",
	       NPAGES, base);
	printf("%-34s %12s %12s %12s\n", "figure", "measured", "reference", "ratio");
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		uint32_t alloc = 0, probed = 0;
		struct phases m;
		double t0, brute;

		bench_arena__fill(&ba, 0, NPAGES / levels[l].stride, levels[l].stride);
		m = pagemap_ms(src, &alloc);
		if (l == 0)
			print_level(levels[l].label, alloc, &m, "ref: one tree walk", m.walk,
				    levels[l].target);
		else if (l == 1)
			print_level(levels[l].label, alloc, &m, "ref: one walk + probing",
				    m.walk + m.probe, levels[l].target);
		else
			print_level(levels[l].label, alloc, &m, "ref: probing every page", m.probe,
				    levels[l].target);
		if (l == 0) {
			t0 = bench_now_ms();
			live__probe_pages(src, 0, NPAGES, &probed);
			brute = bench_now_ms() - t0;
			printf("  per-page probing, same arena      %9.3f ms %9.3f ms %11.1fx  "
			       "(page map is faster by the ratio)\n",
			       m.total, brute, brute / m.total);
			if (probed != alloc)
				printf("  MISMATCH: per-page probing found %u pages, the page map "
				       "%u\n",
				       probed, alloc);
		}
	}

	/*
	 * The probe proves a page present from a nonzero first qword (a direct
	 * load, which reads 0 on a fault) and asks bpf_probe_read_kernel only
	 * about the rest. The pages above hold their index there; zero that
	 * (through our own mapping: the pages are allocated, so touching them
	 * allocates nothing) for the worst case, every page asked about.
	 */
	{
		uint32_t alloc = 0;
		struct phases m;

		for (uint32_t p = 0; p < NPAGES; p++)
			*(volatile uint64_t *)((uint8_t *)base + (size_t)p * 4096) = 0;
		m = pagemap_ms(src, &alloc);
		print_level("100%, zero at 0", alloc, &m, "ref: probing every page", m.probe, 25);
	}
	bulk_reads(src, base);
	bench_arena__free(&ba);
	return 0;
}

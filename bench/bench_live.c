// SPDX-License-Identifier: GPL-2.0
/*
 * Page map and bulk read speed on a 4 GiB arena (1<<20 pages), each figure
 * beside its reference measured in the same run:
 *   page map (free-range walk + probing only non-free pages)
 *       vs per-page probing of every page (the slow exact method)
 *   bulk read through the probe vs memcpy on this machine
 * Targets (issue 3): page map <= 1 ms at 0.1%, <= 20 ms at 10% and 100%;
 * bulk reads >= 5 GB/s.
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
#include "fill.h"
#include "fill.skel.h"
#include "live.h"

#define NPAGES (1U << 20)

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pagemap_ms(struct source *s, uint32_t *alloc)
{
	double t[7];
	struct pagemap pm;

	for (int i = 0; i < 7; i++) {
		double t0 = now_ms();

		if (source__pagemap(s, &pm)) {
			fprintf(stderr, "bench: page map: %s\n", ai_errmsg());
			exit(1);
		}
		t[i] = now_ms() - t0;
		*alloc = pm.counts[PAGE_ALLOCATED];
		pagemap__free(&pm);
	}
	qsort(t, 7, sizeof(t[0]), cmp_d);
	return t[3];
}

int main(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_MMAPABLE);
	LIBBPF_OPTS(bpf_test_run_opts, ro);
	struct { uint32_t stride; const char *label; double target; } levels[] = {
		{ 1000, "0.1%", 1 }, { 10, "10%", 20 }, { 1, "100%", 20 },
	};
	struct fill *fill;
	struct source *src;
	struct selector sel = { .kind = SEL_ID };
	void *base;
	int fd;

	if (geteuid()) {
		fprintf(stderr, "bench_live: skipped: needs root (CAP_BPF, CAP_PERFMON)\n");
		return 0;
	}
	fd = bpf_map_create(AI_MAP_TYPE_ARENA, "bench_arena", 0, 0, NPAGES, &mo);
	if (fd < 0) {
		fprintf(stderr, "bench_live: skipped: cannot create an arena: %s\n", strerror(errno));
		return 0;
	}
	base = mmap(NULL, (size_t)NPAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	fill = fill__open();
	if (base == MAP_FAILED || !fill || bpf_map__reuse_fd(fill->maps.arena, fd) || fill__load(fill)) {
		fprintf(stderr, "bench_live: cannot set up the arena: %s\n", strerror(errno));
		return 1;
	}
	{
		struct bpf_map_info mi;
		__u32 len = sizeof(mi);

		memset(&mi, 0, sizeof(mi));
		bpf_obj_get_info_by_fd(fd, &mi, &len);
		sel.id = mi.id;
	}
	if (live__open(&sel, &src)) {
		fprintf(stderr, "bench_live: %s\n", ai_errmsg());
		return 1;
	}
	printf("bench_live: 4 GiB arena (%u pages) at %p\n", NPAGES, base);
	printf("%-34s %12s %12s %12s\n", "figure", "measured", "reference", "ratio");
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		uint32_t alloc = 0, probed = 0;
		double ms, t0, brute;

		fill->bss->fa.base = (uintptr_t)base;
		fill->bss->fa.first = 0;
		fill->bss->fa.count = NPAGES / levels[l].stride;
		fill->bss->fa.stride = levels[l].stride;
		bpf_prog_test_run_opts(bpf_program__fd(fill->progs.fill), &ro);
		ms = pagemap_ms(src, &alloc);
		printf("page map at %-5s (%7u pages)    %9.3f ms %9.3f ms %11.1fx  (target <= %.0f ms: %s)\n",
		       levels[l].label, alloc, ms, levels[l].target, levels[l].target / ms,
		       levels[l].target, ms <= levels[l].target ? "met" : "MISSED");
		if (l == 0) {
			t0 = now_ms();
			live__probe_pages(src, 0, NPAGES, &probed);
			brute = now_ms() - t0;
			printf("  per-page probing, same arena      %9.3f ms %9.3f ms %11.1fx  (page map is faster by the ratio)\n",
			       ms, brute, brute / ms);
			if (probed != alloc)
				printf("  MISMATCH: per-page probing found %u pages, the page map %u\n", probed, alloc);
		}
	}

	/* bulk read of the full arena vs memcpy of the same amount */
	{
		size_t chunk = 64UL << 20, total = (size_t)NPAGES * 4096;
		uint8_t *buf = malloc(chunk), *src2 = malloc(chunk);
		uint8_t *present = malloc(chunk / 4096);
		double t0, rd, mc;

		memset(src2, 1, chunk);
		memset(buf, 0, chunk);
		t0 = now_ms();
		for (size_t off = 0; off < total; off += chunk)
			source__read(src, (uintptr_t)base + off, buf, chunk, present);
		rd = now_ms() - t0;
		t0 = now_ms();
		for (size_t off = 0; off < total; off += chunk) {
			memcpy(buf, src2, chunk);
			__asm__ volatile("" ::"r"(buf) : "memory");
		}
		mc = now_ms() - t0;
		printf("bulk read, 4 GiB                  %9.2f GB/s %7.2f GB/s %10.2fx  (memcpy reference; target >= 5 GB/s: %s)\n",
		       total / rd / 1e6, total / mc / 1e6, mc / rd, total / rd / 1e6 >= 5 ? "met" : "MISSED");
		free(buf);
		free(src2);
		free(present);
	}
	source__close(src);
	fill__destroy(fill);
	munmap(base, (size_t)NPAGES * 4096);
	close(fd);
	return 0;
}

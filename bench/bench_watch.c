// SPDX-License-Identifier: GPL-2.0
/*
 * Watch cost (issue 6): 10,000 scalar fields sampled at 10 Hz and 100,000 at
 * 1 Hz must each cost under 2% of one core. The reference, measured in the
 * same run: one sweep of the same scattered 8-byte reads through a warm user
 * mapping of the arena (which the inspector never uses: it would allocate
 * pages it touches). 1% of the fields change between sweeps.
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
#include "btfx.h"
#include "compat.h"
#include "error.h"
#include "fill.h"
#include "fill.skel.h"
#include "live.h"
#include "watch.h"

#define NPAGES 16384U

/* user + system time of this process, precisely (rusage ticks are coarse);
 * the probe's kernel work runs in our read() and counts here */
static double cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double wall_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int run(struct source *src, struct btfx *bx, uint8_t *base, int nfields, int hz)
{
	struct watchset *ws;
	uint64_t *offs = malloc(nfields * sizeof(*offs));
	volatile uint64_t sink = 0;
	double c0, per_sweep, ref, t0;
	int sweeps = hz == 10 ? 50 : 10;
	char spec[64];

	if (!offs || watchset__new(src, bx, &ws))
		return 1;
	srand(nfields);
	for (int i = 0; i < nfields; i++) {
		offs[i] = ((uint64_t)(rand() % NPAGES) << 12) + (rand() % 512) * 8;
		snprintf(spec, sizeof(spec), "*(u64 *)0x%llx",
			 (unsigned long long)((uintptr_t)base + offs[i]));
		if (watchset__add(ws, spec, NULL)) {
			fprintf(stderr, "bench_watch: %s: %s\n", spec, ai_errmsg());
			return 1;
		}
	}
	/* warm up: the first sweep evaluates everything, the next lays out the
	 * batched pass; steady state is what a long watch costs */
	for (int s = 0; s < 3; s++)
		watchset__sample(ws, NULL, NULL);
	c0 = cpu_ms();
	for (int s = 0; s < sweeps; s++) {
		for (int i = 0; i < nfields / 100; i++)
			(*(uint64_t *)(base + offs[rand() % nfields]))++;
		if (watchset__sample(ws, NULL, NULL)) {
			fprintf(stderr, "bench_watch: %s\n", ai_errmsg());
			return 1;
		}
	}
	per_sweep = (cpu_ms() - c0) / sweeps;
	{
		struct watch_sweep_stats st;

		watchset__last_stats(ws, &st);
		printf("  last sweep: %u fields gathered in batched kernel passes, %u paths re-evaluated, %u pages read\n",
		       st.gathered, st.evaluated, st.page_reads);
	}
	/* reference: the same gather through a warm mapping */
	for (int i = 0; i < nfields; i++)
		sink += *(uint64_t *)(base + offs[i]);
	t0 = wall_us();
	for (int i = 0; i < nfields; i++)
		sink += *(uint64_t *)(base + offs[i]);
	ref = wall_us() - t0;
	printf("%6d fields at %2d Hz: %8.3f ms CPU per sweep = %5.2f%% of a core (target < 2%%: %s); "
	       "warm-mapping sweep %7.1f us, ratio %.1fx\n",
	       nfields, hz, per_sweep, per_sweep * hz / 10.0, per_sweep * hz / 10.0 < 2 ? "met" : "MISSED",
	       ref, per_sweep * 1000 / ref);
	watchset__free(ws);
	free(offs);
	return 0;
}

int main(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_MMAPABLE);
	LIBBPF_OPTS(bpf_test_run_opts, ro);
	struct selector sel = { .kind = SEL_ID };
	struct bpf_map_info mi;
	__u32 len = sizeof(mi);
	struct fill *fill;
	struct source *src;
	struct btfx *bx;
	uint8_t *base;
	int fd;

	if (geteuid()) {
		fprintf(stderr, "bench_watch: skipped: needs root (CAP_BPF, CAP_PERFMON)\n");
		return 0;
	}
	/* the fill program is built for a 4 GiB arena; use the first pages */
	fd = bpf_map_create(AI_MAP_TYPE_ARENA, "bench_watch", 0, 0, 1U << 20, &mo);
	if (fd < 0) {
		fprintf(stderr, "bench_watch: skipped: cannot create an arena: %s\n", strerror(errno));
		return 0;
	}
	base = mmap(NULL, (1UL << 20) * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	fill = fill__open();
	if (base == MAP_FAILED || !fill || bpf_map__reuse_fd(fill->maps.arena, fd) || fill__load(fill)) {
		fprintf(stderr, "bench_watch: cannot set up the arena\n");
		return 1;
	}
	fill->bss->fa.base = (uintptr_t)base;
	fill->bss->fa.count = NPAGES;
	fill->bss->fa.stride = 1;
	bpf_prog_test_run_opts(bpf_program__fd(fill->progs.fill), &ro);
	memset(&mi, 0, sizeof(mi));
	bpf_obj_get_info_by_fd(fd, &mi, &len);
	sel.id = mi.id;
	if (live__open(&sel, &src) || btfx__open(src, NULL, &bx)) {
		fprintf(stderr, "bench_watch: %s\n", ai_errmsg());
		return 1;
	}
	printf("bench_watch: %u allocated pages, fields scattered over them, 1%% change per sweep\n", NPAGES);
	if (run(src, bx, base, 10000, 10) || run(src, bx, base, 100000, 1))
		return 1;
	btfx__free(bx);
	source__close(src);
	fill__destroy(fill);
	munmap(base, (1UL << 20) * 4096);
	close(fd);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench_arena.h"
#include "compat.h"
#include "error.h"
#include "live.h"

int bench_arena__new(const char *name, struct bench_arena *ba)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_MMAPABLE);
	struct selector sel = { .kind = SEL_ID };
	struct bpf_map_info mi;
	__u32 len = sizeof(mi);

	memset(ba, 0, sizeof(*ba));
	if (geteuid()) {
		fprintf(stderr, "%s: skipped: needs root (CAP_BPF, CAP_PERFMON)\n", name);
		return 1;
	}
	ba->fd = bpf_map_create(AI_MAP_TYPE_ARENA, name, 0, 0, BENCH_NPAGES, &mo);
	if (ba->fd < 0) {
		fprintf(stderr, "%s: skipped: cannot create an arena: %s\n", name, strerror(errno));
		return 1;
	}
	ba->base = mmap(NULL, (size_t)BENCH_NPAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			ba->fd, 0);
	ba->fill = fill__open();
	if (ba->base == MAP_FAILED || !ba->fill ||
	    bpf_map__reuse_fd(ba->fill->maps.arena, ba->fd) || fill__load(ba->fill)) {
		fprintf(stderr, "%s: cannot set up the arena: %s\n", name, strerror(errno));
		return -1;
	}
	memset(&mi, 0, sizeof(mi));
	bpf_obj_get_info_by_fd(ba->fd, &mi, &len);
	sel.id = mi.id;
	if (live__open(&sel, NULL, &ba->src)) {
		fprintf(stderr, "%s: %s\n", name, ai_errmsg());
		return -1;
	}
	return 0;
}

void bench_arena__fill(struct bench_arena *ba, uint32_t first, uint32_t count, uint32_t stride)
{
	LIBBPF_OPTS(bpf_test_run_opts, ro);

	ba->fill->bss->fa.base = (uintptr_t)ba->base;
	ba->fill->bss->fa.first = first;
	ba->fill->bss->fa.count = count;
	ba->fill->bss->fa.stride = stride;
	bpf_prog_test_run_opts(bpf_program__fd(ba->fill->progs.fill), &ro);
}

void bench_arena__free(struct bench_arena *ba)
{
	source__close(ba->src);
	fill__destroy(ba->fill);
	if (ba->base && ba->base != MAP_FAILED)
		munmap(ba->base, (size_t)BENCH_NPAGES * 4096);
	if (ba->fd > 0)
		close(ba->fd);
}

double bench_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

double bench_run_ms(char *const argv[], bool tty)
{
	double t[5];

	for (int i = 0; i < 5; i++) {
		double t0 = bench_now_ms();
		int master, st;
		pid_t pid = tty ? forkpty(&master, NULL, NULL,
					  &(struct winsize){ .ws_row = 40, .ws_col = 120 })
				: fork();

		if (pid == 0) {
			if (!tty && !freopen("/dev/null", "w", stdout))
				_exit(126);
			setenv("TERM", "xterm-256color", 1);
			setenv("AI_TUI_EXIT_AFTER_FIRST_DRAW", "1", 1);
			execv(argv[0], argv);
			_exit(127);
		}
		if (tty) {
			char buf[4096];

			/* drain the screen so the child never blocks on the pty */
			while (read(master, buf, sizeof(buf)) > 0)
				;
			close(master);
		}
		waitpid(pid, &st, 0);
		t[i] = bench_now_ms() - t0;
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench: %s exited %d\n", argv[0], WEXITSTATUS(st));
			return -1;
		}
	}
	return bench_median(t, 5);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmarks' own 4 GiB arena: created and mapped here (we are its
 * owner, so touching its allocated pages through our mapping is fine), with
 * the fill program loaded, and a live source on it.
 */
#ifndef BENCH_ARENA_H
#define BENCH_ARENA_H

#include <stdint.h>
#include "fill.h"
#include "fill.skel.h"
#include "source.h"

#define BENCH_NPAGES (1U << 20)

struct bench_arena {
	int fd;
	uint8_t *base; /* our mapping: the user address */
	struct fill *fill;
	struct source *src;
};

/* 0: ready; 1: skipped (message printed: not root, no arenas); -1: error */
int bench_arena__new(const char *name, struct bench_arena *ba);
/* Allocate pages first, first + stride, ... (count of them) */
void bench_arena__fill(struct bench_arena *ba, uint32_t first, uint32_t count, uint32_t stride);
void bench_arena__free(struct bench_arena *ba);

/* CLOCK_MONOTONIC in ms, and the median of v (sorted in place) */
double bench_now_ms(void);
double bench_median(double *v, int n);
/* Median wall time of 5 runs of argv (exec'ed as is; in a 40x120 pty when
 * tty, with AI_TUI_EXIT_AFTER_FIRST_DRAW=1: the TUI's first screen), from
 * fork to exit; -1 when a run fails. */
double bench_run_ms(char *const argv[], bool tty);

#endif

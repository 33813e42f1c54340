/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A progress callback for the tests (progress.h): counts the ticks, keeps
 * the last one, checks that done never goes back within a phase (a phase
 * is one `what`: check's typed walk, then its scan), and asks to cancel at
 * tick cancel_at (0: never).
 */
#ifndef AI_TEST_TICKS_H
#define AI_TEST_TICKS_H

#include <stdbool.h>
#include <stdint.h>

struct ticks {
	int n, cancel_at;
	uint64_t last_done, total;
	bool monotonic; /* start true */
	char what[32];
};

/* struct ai_progress.cb, ctx a struct ticks */
bool ticks_cb(void *ctx, const char *what, uint64_t done, uint64_t total);

#endif

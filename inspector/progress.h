/* SPDX-License-Identifier: GPL-2.0 */
/*
 * progress: how long work (a check, a refs index, a snapshot, a diff, a
 * whole-arena hex, a heap walk) tells its caller how far it got, and how
 * the caller cancels it.
 *
 * The library calls ai_progress__tick() between batches (every few
 * hundred pages at most, never per byte); done and total are in the
 * units the operation names (pages, mostly). The callback decides what
 * to show and how often: the library never prints and never looks at a
 * clock for this. A callback that returns true asks the operation to
 * stop: it frees what it built and returns -ECANCELED with a message.
 * A NULL struct or a NULL cb is "no progress wanted".
 */
#ifndef ARENA_INSPECT_PROGRESS_H
#define ARENA_INSPECT_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct ai_progress {
	/* what: a short noun phrase for the status line ("checking",
	 * "indexing references", "saving"); returns true to cancel */
	bool (*cb)(void *ctx, const char *what, uint64_t done, uint64_t total);
	void *ctx;
};

/* true: the caller asked to cancel */
static inline bool ai_progress__tick(const struct ai_progress *p, const char *what, uint64_t done,
				     uint64_t total)
{
	return p && p->cb && p->cb(p->ctx, what, done, total);
}

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diff: what changed between two arenas, live or saved. Page states are
 * compared from the two page maps; pages allocated in both are compared
 * byte by byte and the differences are reported as coalesced ranges of
 * arena offsets. One walk feeds callbacks (tests, TUI) or a sink (text and
 * JSON).
 *
 * Both sources are only read, through source__pagemap and source__read.
 * Errors are negative errno with a message in ai_errmsg().
 */
#ifndef ARENA_INSPECT_DIFF_H
#define ARENA_INSPECT_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include "sink.h"
#include "source.h"

#define DIFF_SAMPLE 16	/* bytes of old/new value kept per range */
/* The CLI's merge gap: a changed pointer or counter is one range, not
 * three, when bytes in the middle of the word happen to be equal. */
#define DIFF_CLI_MERGE_GAP 7

/* A run of pages whose state went from -> to (enum page_state). */
struct diff_pages {
	uint32_t first, count;
	uint8_t from, to;
};

/* Bytes [off, off+len) (arena offsets) differ. old/new hold the first
 * min(len, DIFF_SAMPLE) bytes of each side. */
struct diff_range {
	uint64_t off, len;
	uint8_t old[DIFF_SAMPLE], new[DIFF_SAMPLE];
};

struct diff_cb {
	/* return non-zero to stop the walk (returned by diff__walk) */
	int (*pages)(void *ctx, const struct diff_pages *p);
	int (*range)(void *ctx, const struct diff_range *r);
};

struct diff_opts {
	uint32_t merge_gap;	/* ranges this close (bytes) become one; 0: exact */
	uint64_t max_ranges;	/* stop reporting ranges after this many; 0: all */
	bool pages_only;	/* skip the byte comparison */
};

struct diff_stats {
	uint32_t pages_allocated;	/* not allocated in A, allocated in B */
	uint32_t pages_freed;		/* allocated in A, not in B */
	uint32_t pages_other;		/* free <-> reserved */
	uint32_t pages_compared;	/* allocated in both, read from both */
	uint32_t pages_changed;		/* of those, pages with a difference */
	uint32_t pages_unreadable;	/* allocated in both maps, gone when read */
	uint64_t ranges;
	uint64_t bytes_changed;
	bool ranges_truncated;		/* max_ranges was reached */
	bool size_differs;		/* max_pages differ: compared the common part */
};

/* Walk the differences in page order: all page-state runs first, then all
 * byte ranges. opts and st may be NULL. */
int diff__walk(struct source *a, struct source *b, const struct diff_opts *opts,
	       const struct diff_cb *cb, void *ctx, struct diff_stats *st);

/* The same walk as sink events: an object with "a", "b", "pages" (runs),
 * "ranges" and "summary". */
int diff__emit(struct source *a, struct source *b, const struct diff_opts *opts,
	       struct sink *s, struct diff_stats *st);

const char *diff__state_name(uint8_t state);

#endif

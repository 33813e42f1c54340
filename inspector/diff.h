/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diff: what changed between two arenas, live or saved. Page states are
 * compared from the two page maps; pages allocated in both are compared
 * byte by byte and the differences are reported as coalesced ranges of
 * arena offsets. One walk feeds callbacks (tests, TUI) or a sink (text and
 * JSON).
 *
 * Where types are known (both sides have BTF), the typed values of A's
 * roots are also compared: every root is formatted on both sides (pointers
 * followed a few levels, the formatter's caps keeping it bounded) and the
 * leaves whose text differs, or that exist on one side only, are reported
 * by expression path ("state->steps": "5" -> "10").
 *
 * Both sources are only read, through source__pagemap and source__read.
 * Errors are negative errno with a message in ai_errmsg().
 */
#ifndef ARENA_INSPECT_DIFF_H
#define ARENA_INSPECT_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include "btfx.h"
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

/* Typed fields: levels of pointers followed from each root, values per
 * root walk, and changed fields reported (the rest are counted). */
#define DIFF_FIELD_FOLLOW 4
#define DIFF_FIELD_MAX_NODES 20000
#define DIFF_MAX_FIELDS 1000

struct diff_opts {
	uint32_t merge_gap;	/* ranges this close (bytes) become one; 0: exact */
	uint64_t max_ranges;	/* stop reporting ranges after this many; 0: all */
	bool pages_only;	/* skip the byte comparison */
	/* Types for the "fields" part of diff__emit: NULL bx_a (or a bx_a with
	 * no BTF, or a bx_b with none): no fields. bx_b NULL: B is read with
	 * bx_a's types and roots. Borrowed. */
	struct btfx *bx_a, *bx_b;
	uint32_t max_fields;	/* 0: DIFF_MAX_FIELDS */
	int max_array;		/* array elements compared; 0: the formatter's default */
};

/* A leaf value that differs: old == NULL when only B has the path, new ==
 * NULL when only A has it. Strings are valid during the callback. */
struct diff_field {
	const char *path, *old, *new;
};

struct diff_field_opts {
	int follow_ptrs;	/* 0: DIFF_FIELD_FOLLOW; < 0: none */
	int max_nodes;		/* per root and side; 0: DIFF_FIELD_MAX_NODES */
	uint32_t max_fields;	/* report at most this many; 0: DIFF_MAX_FIELDS */
	int max_array;		/* array elements compared; 0: the formatter's
				 * default; a cut array makes the stats incomplete */
};

struct diff_field_stats {
	uint32_t roots;		/* roots of A walked */
	uint64_t leaves_a, leaves_b;	/* leaves recorded on each side */
	uint64_t changed;	/* differing paths, reported or not */
	uint64_t reported;
	bool truncated;		/* max_fields reached */
	bool incomplete;	/* a walk hit a cap (nodes, depth, array elements,
				 * path length, memory) */
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
	bool fields_compared;		/* diff__emit: typed fields were compared */
	struct diff_field_stats fields;
};

/* Walk the differences in page order: all page-state runs first, then all
 * byte ranges. opts and st may be NULL. */
int diff__walk(struct source *a, struct source *b, const struct diff_opts *opts,
	       const struct diff_cb *cb, void *ctx, struct diff_stats *st);

/* Compare the typed values of bx_a's roots in a (read with bx_a) and in b
 * (read with bx_b, or bx_a when bx_b is NULL): cb gets the differing leaves,
 * A's order first, then paths only B has. A root that cannot be evaluated
 * on one side has no leaves there. Returns 0, cb's non-zero return, or a
 * negative errno (-ENOMEM). o and st may be NULL. Both btfx need BTF
 * (btfx__nr_btfs > 0), else -EINVAL. */
int diff__fields(struct btfx *bx_a, struct source *a, struct btfx *bx_b, struct source *b,
		 const struct diff_field_opts *o,
		 int (*cb)(void *ctx, const struct diff_field *f), void *ctx,
		 struct diff_field_stats *st);

/* True when diff__emit compares typed fields with these options. */
bool diff__has_types(const struct diff_opts *opts);

/* The same walk as sink events: an object with "a", "b", "pages" (runs),
 * "ranges", "fields" when diff__has_types (objects {"path", "old", "new"},
 * old/new null on the side without the path) and "summary". */
int diff__emit(struct source *a, struct source *b, const struct diff_opts *opts,
	       struct sink *s, struct diff_stats *st);

const char *diff__state_name(uint8_t state);

#endif

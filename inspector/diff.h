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
 * leaves (fmt__leaves) whose text differs, or that exist on one side only,
 * are reported by expression path ("state->steps": "5" -> "10"), in the
 * leaves' one text (strings quoted, "0x... <unallocated>", format.h).
 *
 * One engine serves the CLI's `diff` and the TUI's `:diff`: a struct diff
 * built from the two sources keeps both page maps and answers page counts,
 * "the next/previous change from here", the changed bytes of a window and
 * the changed typed fields of one value. diff__walk and diff__emit are that
 * object walked from end to end.
 *
 * Both sources are only read, through source__pagemap and source__read, and
 * only pages a page map says are allocated are read. Errors are negative
 * errno with a message in ai_errmsg().
 */
#ifndef ARENA_INSPECT_DIFF_H
#define ARENA_INSPECT_DIFF_H

#include "progress.h"
#include <stdbool.h>
#include <stdint.h>
#include "btfx.h"
#include "sink.h"
#include "source.h"

#define DIFF_SAMPLE 16 /* bytes of old/new value kept per range */
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
	uint32_t merge_gap;  /* ranges this close (bytes) become one; 0: exact */
	uint64_t max_ranges; /* stop reporting ranges after this many; 0: all */
	bool pages_only;     /* skip the byte comparison */
	/* Types for the "fields" part of diff__emit: NULL bx_a (or a bx_a with
	 * no BTF, or a bx_b with none): no fields. bx_b NULL: B is read with
	 * bx_a's types and roots. Borrowed. */
	struct btfx *bx_a, *bx_b;
	uint32_t max_fields; /* 0: DIFF_MAX_FIELDS */
	int max_array;	     /* array elements compared; 0: the formatter's default */
	/* ticked while bytes are compared ("comparing", pages done of the
	 * common ones); cancel: -ECANCELED. NULL: none. Borrowed. */
	const struct ai_progress *progress;
	/* diff__emit: the caller's own sections (diff --check's "check"),
	 * emitted into the top-level object after "fields", before "summary" */
	void (*extra)(void *ctx, struct sink *s);
	void *extra_ctx;
};

/* A leaf value that differs: old == NULL when only B has the path, new ==
 * NULL when only A has it. Strings are valid during the callback. */
struct diff_field {
	const char *path, *old, *new;
};

struct diff_field_opts {
	int follow_ptrs;     /* 0: DIFF_FIELD_FOLLOW; < 0: none */
	int max_nodes;	     /* per root and side; 0: DIFF_FIELD_MAX_NODES */
	uint32_t max_fields; /* report at most this many; 0: DIFF_MAX_FIELDS */
	int max_array;	     /* array elements compared; 0: the formatter's
			      * default; a cut array makes the stats incomplete */
};

struct diff_field_stats {
	uint32_t roots;		     /* roots of A walked */
	uint64_t leaves_a, leaves_b; /* leaves recorded on each side */
	uint64_t changed;	     /* differing paths, reported or not */
	uint64_t reported;
	bool truncated;	 /* max_fields reached */
	bool incomplete; /* a walk hit a cap (nodes, depth, array elements,
			  * path length, memory) */
};

struct diff_stats {
	uint32_t pages_allocated;  /* not allocated in A, allocated in B */
	uint32_t pages_freed;	   /* allocated in A, not in B */
	uint32_t pages_other;	   /* free <-> reserved */
	uint32_t pages_compared;   /* allocated in both, read from both */
	uint32_t pages_changed;	   /* of those, pages with a difference */
	uint32_t pages_unreadable; /* allocated in both maps, gone when read */
	uint64_t ranges;
	uint64_t bytes_changed;
	bool ranges_truncated; /* max_ranges was reached */
	bool size_differs;     /* max_pages differ: compared the common part */
	bool fields_compared;  /* diff__emit: typed fields were compared */
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
		 const struct diff_field_opts *o, int (*cb)(void *ctx, const struct diff_field *f),
		 void *ctx, struct diff_field_stats *st);

/* True when diff__emit compares typed fields with these options. */
bool diff__has_types(const struct diff_opts *opts);

/* The same walk as sink events: an object with "a", "b", "pages" (runs),
 * "ranges", "fields" when diff__has_types (objects {"path", "old", "new"},
 * old/new null on the side without the path) and "summary". */
int diff__emit(struct source *a, struct source *b, const struct diff_opts *opts, struct sink *s,
	       struct diff_stats *st);

const char *diff__state_name(uint8_t state);

/* ------------------------------------------------------ the diff object */

/*
 * A is "before" (a snapshot), B "after" (the live arena or a later
 * snapshot). Addresses are B's (its user_vm_start; A's when B has none):
 * pages are matched by their offset in the arena. Both sources, and the
 * btfx in opts, are borrowed and must outlive the diff; opts is copied.
 * Page maps are read at diff__new, and again by diff__refresh, or given by
 * the caller (diff__set_pagemap: the TUI keeps the live one fresh).
 */
struct diff;

enum diff_side { DIFF_A, DIFF_B };

int diff__new(struct source *a, struct source *b, const struct diff_opts *opts, struct diff **out);
void diff__free(struct diff *d); /* NULL is fine */
int diff__refresh(struct diff *d);
/* Use a copy of pm as side's page map (no read). */
int diff__set_pagemap(struct diff *d, enum diff_side side, const struct pagemap *pm);
struct source *diff__source(const struct diff *d, enum diff_side side);
/* The types of side: opts' bx of that side, else the other side's. */
struct btfx *diff__btfx(const struct diff *d, enum diff_side side);
/* The address of arena offset 0 (B's user_vm_start, else A's). */
uint64_t diff__base(const struct diff *d);
/* Page pg's state on side (enum page_state), -1 beyond that side's map. */
int diff__page(const struct diff *d, enum diff_side side, uint64_t pg);

/* (a) Page counts over the pages both maps have (cheap: cached until the
 * maps change). */
struct diff_counts {
	uint32_t allocated;	   /* allocated in B, not in A: "since" */
	uint32_t freed;		   /* allocated in A, not in B */
	uint32_t reserved_changed; /* free <-> reserved */
	uint32_t nr_pages;	   /* pages compared: the smaller map */
	bool size_differs;
};
void diff__counts(struct diff *d, struct diff_counts *out);

/* (b) The nearest change. A change is a run of pages whose state differs
 * (allocated, freed, reserved), or a run of differing bytes within a page
 * allocated on both sides. */
enum diff_change_kind {
	DIFF_CHANGE_BYTES,
	DIFF_CHANGE_ALLOCATED, /* allocated in B, not in A */
	DIFF_CHANGE_FREED,     /* allocated in A, not in B */
	DIFF_CHANGE_RESERVED,  /* free <-> reserved */
};

struct diff_change {
	enum diff_change_kind kind;
	uint64_t addr; /* where it starts (a page run: its first page) */
	uint64_t len;  /* bytes: the differing run; pages: the run, in bytes */
};

#define DIFF_NONE 0  /* no change that way */
#define DIFF_FOUND 1 /* *out is the change */
#define DIFF_MORE                                              \
	2 /* max_pages read, none yet: out->addr is the `from` \
	   * that goes on where this call stopped */

/*
 * The first change that starts after `from` (dir > 0), or the last one that
 * starts before it (dir < 0). Page states are compared first, and only pages
 * allocated on both sides are read, in chunks; max_pages caps the pages
 * read per call (0: no cap). Pages that vanished between the page map and
 * the read are passed over. Returns DIFF_NONE, DIFF_FOUND, DIFF_MORE or a
 * negative errno.
 */
int diff__next(struct diff *d, uint64_t from, int dir, uint32_t max_pages, struct diff_change *out);

/* (c) The changed bytes of a window [addr, addr + len): mask[i] = 1 where
 * both sides have byte i and it differs, else 0; pages[k] (may be NULL),
 * one per page spanned, DIFF_IN_A | DIFF_IN_B for the sides that have it.
 * b_bytes/b_present: B's bytes and present[] when the caller has read them
 * (the hex view), NULL: read here. Returns the count of differing bytes or
 * a negative errno. */
#define DIFF_IN_A 1
#define DIFF_IN_B 2
int diff__window(struct diff *d, uint64_t addr, size_t len, const uint8_t *b_bytes,
		 const uint8_t *b_present, uint8_t *mask, uint8_t *pages);

/* (d) The typed fields of one value that differ: expr is evaluated on each
 * side with its types (diff__btfx) and the leaves (fmt__leaves) are matched
 * by path, as diff__fields does for roots. Both sides need BTF, else
 * -EINVAL. A side where expr does not evaluate has no leaves. */
int diff__value(struct diff *d, const char *expr, const struct diff_field_opts *o,
		int (*cb)(void *ctx, const struct diff_field *f), void *ctx,
		struct diff_field_stats *st);

/* The whole walk of diff__walk on the object (its page maps as they are). */
int diff__ranges(struct diff *d, const struct diff_cb *cb, void *ctx, struct diff_stats *st);

#endif

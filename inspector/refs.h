/* SPDX-License-Identifier: GPL-2.0 */
/*
 * refs: reverse references, "who points into [lo, hi)".
 *
 * One conservative scan of every allocated page (bulk reads that never
 * fault a page in) records each 8-byte aligned qword whose value points
 * into the arena (the arena's upper 32 bits and inside [user_vm_start,
 * +size)) as an (at, value) pair of arena offsets; the pairs are sorted by
 * value (a radix sort on the page, then each page's few), so a query is a
 * binary search. A value that looks like a pointer but is an
 * integer is recorded as well: the scan cannot tell them apart.
 *
 * The index keeps the page map it was built from: refs__current() says
 * whether the arena's page map is still the same. It cannot see a store
 * into an already allocated page of a live arena, so callers that show
 * live data rebuild once per refresh (a snapshot never changes).
 *
 * Typed paths: refs__build_opts with a btfx also runs check's typed walk
 * (check__typed_pointers) and keeps, for every location it read a typed
 * pointer from, its path ("hdr->list->next"); refs__path() looks one up.
 * A referrer only the scan found has none (an integer, or a pointer the
 * walk did not reach: paths_cut says when the walk hit its limits).
 *
 * Ownership: refs__build() allocates *idx, refs__free() (NULL is fine)
 * frees it. Errors are negative errno with a message in ai_errmsg().
 */
#ifndef ARENA_INSPECT_REFS_H
#define ARENA_INSPECT_REFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "source.h"

struct refs_entry {
	uint64_t at;	/* the address of the qword */
	uint64_t value; /* what it holds: an address inside the arena */
};

/* how the index keeps an entry: both as offsets from base (an arena is at
 * most 4 GiB), half the memory to write, place and sort */
struct refs_slot {
	uint32_t at, value;
};

struct refs_index {
	uint64_t base;	     /* user_vm_start at build time */
	uint64_t size;	     /* the arena's size in bytes */
	uint32_t page_shift; /* log2(page size) */
	struct refs_slot *ent;
	size_t nr_ent; /* sorted by value, then at */
	/* the page map the scan went by (nr_pages state bytes) */
	uint8_t *state;
	uint32_t nr_pages;
	uint32_t pages_scanned;	 /* allocated pages read */
	uint32_t pages_vanished; /* allocated in the map, gone when read */
	bool stale;		 /* the page map changed while we read it */
	uint64_t build_ns;	 /* how long the build took (CLOCK_MONOTONIC) */
	/* the typed walk: it ran (a btfx with roots), it was cut (node or
	 * depth limit: some typed referrers may have no path), its paths
	 * sorted by at */
	bool paths_known;
	bool paths_cut;
	struct refs_path *paths;
	size_t nr_paths;
	char *path_text; /* the paths' strings, one after another */
	size_t path_len, path_cap;
	uint64_t walk_ns; /* how long the typed walk took */
};

struct refs_path {
	uint64_t at;
	size_t off; /* in path_text */
};

/* Scan src and build *idx. -EINVAL for an arena never mapped (no
 * user_vm_start: no value can be told to point into it). */
int refs__build(struct source *src, struct refs_index **idx);

struct btfx;
struct ai_progress;
struct refs_opts {
	struct btfx *bx; /* NULL: no typed walk, no paths */
	/* ticks with pages scanned of pages allocated; true cancels
	 * (-ECANCELED, nothing built) */
	const struct ai_progress *progress;
};
/* refs__build with options (o may be NULL) */
int refs__build_opts(struct source *src, const struct refs_opts *o, struct refs_index **idx);
/* The typed path of the pointer stored at `at`, NULL when none is known */
const char *refs__path(const struct refs_index *idx, uint64_t at);
/* true while src's page map is the one idx was built from (and the arena
 * is still at the same place); false also when the map cannot be read. */
bool refs__current(const struct refs_index *idx, struct source *src);
/* Build *idx again unless it is current (*idx may be NULL): 0 kept, 1
 * rebuilt, or a negative errno (the old index is kept then). */
int refs__refresh(struct source *src, struct refs_index **idx);

/* Called for each entry whose value is in [lo, hi), in value order; a
 * non-zero return stops the query and is returned by it. */
typedef int (*refs_cb)(const struct refs_entry *e, void *ctx);
/* The number of entries in [lo, hi) when cb is NULL; else 0 or what cb
 * returned. */
long refs__query(const struct refs_index *idx, uint64_t lo, uint64_t hi, refs_cb cb, void *ctx);

void refs__free(struct refs_index *idx);

struct value; /* expr.h */
/*
 * The object a value names, for "who points into it": a pointer (with
 * follow, also a pointer stored in the arena, read from src) names the
 * object it points at, [value, +the pointee's size); any other lvalue its
 * own place, [addr, +its type's size) (&p: the pointer itself); anything
 * else (an integer, a type of unknown size) [scalar or addr, +1): there is
 * no allocator layer to give an object's bounds. 0 or the negative errno
 * of reading the pointer (-ENODATA: its page is not allocated).
 */
int refs__value_object(struct source *src, const struct value *v, bool follow, uint64_t *lo,
		       uint64_t *size);

#endif

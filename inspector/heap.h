/* SPDX-License-Identifier: GPL-2.0 */
/*
 * heap: allocator-aware views of an arena (issue 15). An arena is raw
 * pages; the structure a developer thinks in is the allocator's: objects,
 * chunks, free slots. Each allocator that arena code uses has one backend,
 * one file each (heap_<name>.c), registered in the one table heap_backends[]
 * (heap.c).
 *
 * A backend recognises its allocator from BTF (the names of __arena
 * globals, data-section variables (btfx__var) and types) and from the
 * arena's memory, then enumerates the pages it owns and the objects in
 * them through a visitor. It reads through the source only (never a page
 * that the page map does not call allocated: nothing is faulted in) and
 * changes nothing. When the memory contradicts the layout (a count that
 * does not match, a header that is not one), it says so with note() and
 * goes on with what it can trust: never a wrong answer without a warning.
 *
 * Layouts are the public allocators' (kernel selftests' bpf_arena_alloc.h,
 * sched-ext/scx lib/sdt_alloc.bpf.c and lib/alloc/); each backend names
 * the upstream version it reads in a comment and in heap_backend.version.
 * Where the programs' BTF has the allocator's types (complete), member
 * offsets come from it; where it has them only as forward declarations or
 * not at all, the backend uses the upstream layout and says so in a note.
 */
#ifndef ARENA_INSPECT_HEAP_H
#define ARENA_INSPECT_HEAP_H

#include <stdbool.h>
#include <stdint.h>
#include "btfx.h"
#include "progress.h"
#include "source.h"

enum heap_obj_state {
	HEAP_LIVE, /* allocated to the program */
	HEAP_FREE, /* a free slot / block the allocator can hand out */
};

/* One allocation or free slot. */
struct heap_obj {
	uint64_t addr; /* user address of its first byte */
	uint64_t size; /* bytes (the allocator's granule, not the request) */
	enum heap_obj_state state;
	/* the type of the object when the allocator knows it (0: unknown) */
	const struct btf *btf;
	uint32_t type_id;
	/* allocator-specific, printable: "tid 12 genn 3", "order 4" ("") */
	char note[64];
};

/* Pages an allocator owns, one run at a time. */
struct heap_pages {
	uint32_t first, count; /* page numbers (arena offset >> page_shift) */
	/* what the allocator uses them for, printable: "objects", "chunk
	 * (radix node)", "descriptor", "header", "reserved range" */
	const char *role;
	/* objects in the run are reported through obj() (false: metadata
	 * pages, or a reserved range with no memory behind it) */
	bool holds_objects;
	/* Added by the core (issue 15): the allocator's own count of live
	 * objects in the run, when it keeps one (page_frag: the u64 in the
	 * page's last 8 bytes). Zero-initialised: not counted. */
	bool counted;
	uint64_t nr_counted;
};

struct heap_visitor {
	/* each returns 0 to go on, non-zero to stop the walk (returned) */
	int (*pages)(void *ctx, const struct heap_pages *p);
	int (*obj)(void *ctx, const struct heap_obj *o);
	/* a warning about this allocator's state, printable, one line */
	int (*note)(void *ctx, const char *msg);
	void *ctx;
};

/* What a backend is given. The page map is the one the caller read; a
 * backend never asks for another. */
struct heap_ctx {
	struct btfx *bx; /* may have no BTF: then most backends detect nothing */
	struct source *src;
	const struct pagemap *pm;
	const struct ai_progress *progress; /* may be NULL */
};

struct heap_backend {
	const char *name;    /* "page_frag", "sdt_alloc", "buddy": -j's "allocator" */
	const char *title;   /* "selftests page-fragment allocator (bpf_arena_alloc.h)" */
	const char *version; /* the upstream layout it reads: "scx 7a58a3a (2026-08)" */
	/*
	 * Is this allocator's state in the arena? 0: no (not an error); 1: yes,
	 * *priv is the backend's state for walk and release (may be NULL); a
	 * negative errno (with ai_err) only for trouble (out of memory, the
	 * source went away). A backend may recognise several instances (two
	 * sdt allocators): it reports them all in one walk.
	 */
	int (*detect)(const struct heap_ctx *c, void **priv);
	/* Report every run of pages it owns (pages()) and every object and
	 * free slot in them (obj()), in address order within a run; notes for
	 * what does not add up. 0, a visitor's non-zero, or a negative errno. */
	int (*walk)(const struct heap_ctx *c, void *priv, const struct heap_visitor *v);
	void (*release)(void *priv);
};

/* The registered backends, NULL-terminated (heap.c), one line each. Where
 * two backends claim the same page, the earlier one in the table keeps it
 * (the core notes the conflict), so backends whose claims are guesses
 * (page_frag's) come last. */
extern const struct heap_backend *const heap_backends[];
/* the backends (heap_<name>.c), each in heap_backends[] */
extern const struct heap_backend heap_sdt_alloc, heap_buddy, heap_page_frag;

/* For backends and the core: one byte per page of c->pm, 1 where a page
 * holds __arena globals (btfx roots ROOT_ARENA_GLOBAL, over their
 * sizes). calloc'ed (the caller frees), NULL with ai_err when out of
 * memory. */
uint8_t *heap__globals_pages(const struct heap_ctx *c);

/* ---- the core: every allocator of one arena, built once ---- */

/* Per allocator, from what its backend reported. */
struct heap_stats {
	uint64_t pages;	       /* pages in its runs */
	uint64_t object_pages; /* of those, in runs that hold objects */
	uint64_t live_objects; /* live objects enumerated (with known boundaries) */
	uint64_t live_bytes;   /* their bytes */
	/* live objects the allocator itself counts (page_frag's per-page
	 * u64s), and whether it counts any: may exceed live_objects when
	 * boundaries are not recorded */
	bool counted;
	uint64_t counted_live;
	uint64_t free_slots; /* free slots / blocks enumerated */
	uint64_t free_bytes;
	uint64_t largest_free; /* bytes of the largest free slot */
	/* every object and slot listed has one size (a slab allocator) */
	bool fixed_size;
	/* external fragmentation: 1 - largest_free / free_bytes (0 without
	 * free bytes, and 0 for fixed_size: any free slot fits any request):
	 * 0 when all free space is one slot, near 1 when it is scattered in
	 * many small slots */
	double fragmentation;
};

struct heap_alloc {
	const struct heap_backend *be;
	struct heap_pages *runs; /* by first page */
	size_t nr_runs;
	struct heap_obj *objs; /* by address, no two overlapping */
	size_t nr_objs;
	char **notes;
	size_t nr_notes;
	struct heap_stats stats;
};

/* a run of pages [first, first + count) */
struct heap_range {
	uint32_t first, count;
};

struct heap {
	struct heap_alloc *allocs; /* in heap_backends[] order, those detected */
	size_t nr_allocs;
	/* allocated pages in no allocator's run that are not __arena globals */
	struct heap_range *unclaimed;
	size_t nr_unclaimed;
	uint64_t unclaimed_pages;
	/* pages of __arena globals (btfx roots ROOT_ARENA_GLOBAL, their sizes) */
	struct heap_range *globals;
	size_t nr_globals;
	/* the core's own notes: pages claimed twice, objects out of place */
	char **notes;
	size_t nr_notes;
	uint32_t nr_pages, page_shift;
	uint64_t base;	/* user_vm_start */
	int16_t *owner; /* per page: allocator index, HEAP_OWNER_* */
	/* per page: 1 where an allocator lists a free slot (NULL: none at all),
	 * so a caller asking for every pointer (check) pays a byte load */
	uint8_t *free_pages;
	/* per page: 1 where an allocator lists a live object (NULL: none) */
	uint8_t *live_pages;
};

enum {
	HEAP_OWNER_NONE = -1,	 /* no allocator (allocated: unclaimed) */
	HEAP_OWNER_GLOBALS = -2, /* __arena globals */
};

/*
 * Detect every registered backend over (bx, src, pm) and walk those found.
 * pm is the page map the caller read (not re-read); bx may be NULL (then
 * no backend finds anything; pages are unclaimed or globals). Returns 0
 * with *out (heap__free), -ECANCELED when progress cancelled, or a
 * negative errno with ai_err.
 */
int heap__open(struct btfx *bx, struct source *src, const struct pagemap *pm,
	       const struct ai_progress *progress, struct heap **out);
void heap__free(struct heap *h);

/* What holds an address. */
enum heap_where {
	HEAP_AT_OBJECT,	   /* inside obj (live or free) of allocator alloc */
	HEAP_AT_RUN,	   /* in a run of allocator alloc, in no reported object */
	HEAP_AT_GLOBALS,   /* on a page of __arena globals */
	HEAP_AT_UNCLAIMED, /* an allocated page no allocator claims */
	HEAP_AT_FREE_PAGE, /* a page that is not allocated (never read) */
	HEAP_AT_RESERVED,  /* reserved, no memory */
	HEAP_AT_OUTSIDE,   /* not in the arena */
};

struct heap_hit {
	enum heap_where where;
	int alloc; /* index in h->allocs, -1 */
	const struct heap_alloc *a;
	const struct heap_obj *obj;   /* HEAP_AT_OBJECT */
	const struct heap_pages *run; /* HEAP_AT_OBJECT, HEAP_AT_RUN (NULL if none) */
	uint32_t page;
};

/* Classify addr (a user address); pm is the page map h was built from. */
void heap__lookup(const struct heap *h, const struct pagemap *pm, uint64_t addr,
		  struct heap_hit *hit);
/* The free slot holding addr, or NULL (fast where no page has one) */
const struct heap_obj *heap__free_slot_at(const struct heap *h, uint64_t addr);
/* A value v stored at `at` that points into a free slot, where the place
 * it is stored is program data: the free slot, or NULL. Allocators keep
 * pointers to their free slots in their own state (free-list links inside
 * free blocks, headers, page_frag's current pages in __arena globals):
 * those are not references to freed objects, so a value stored in a free
 * slot, a metadata run or a globals page gives NULL. (check's
 * freed-object) */
const struct heap_obj *heap__freed_ref(const struct heap *h, const struct pagemap *pm, uint64_t at,
				       uint64_t v);

/*
 * Leak candidates at object granularity (check's leaked-object): mark the
 * live object that v points into as referenced, when v is stored at `at`
 * in program data (a live object, an object page outside listed objects,
 * globals, an unclaimed page: not the allocator's own metadata runs or
 * free slots, which point at every object they manage, nor the object
 * itself); at 0 is a root held outside the arena. marks has one byte per
 * object of every allocator, in order (heap__nr_objs). Then each live
 * object whose byte is still 0 is one nothing points to.
 */
size_t heap__nr_objs(const struct heap *h);
void heap__mark_ref(const struct heap *h, const struct pagemap *pm, uint8_t *marks, uint64_t at,
		    uint64_t v);
/* "object", "in run", "globals", "unclaimed", "free page", "reserved",
 * "outside": -j's "where" */
const char *heap__where_name(enum heap_where w);
/* One line for what holds addr (the CLI's and the TUI's): "live object of
 * page_frag: 0x...-0x... (8 bytes, +3); root list_head", "in page_frag's
 * pages (objects), in no object it lists (page 1)", "on a page that is
 * not allocated (page 2)", ... into buf (cut to len). */
void heap__describe(const struct heap_hit *hit, uint64_t addr, char *buf, size_t len);

/* The allocator index owning page (HEAP_OWNER_* when none) */
static inline int heap__page_owner(const struct heap *h, uint32_t page)
{
	return h && page < h->nr_pages ? h->owner[page] : HEAP_OWNER_NONE;
}

#endif

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

/* The registered backends, NULL-terminated (heap.c). */
extern const struct heap_backend *const heap_backends[];

#endif

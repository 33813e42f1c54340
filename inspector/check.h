/* SPDX-License-Identifier: GPL-2.0 */
/*
 * check: the health of an arena's pointers (issue 14). Two bounded passes:
 *
 *  - a typed walk from every root (btfx's __arena globals and .bss/.data
 *    pointers, the .bss/.data/.rodata variables of struct, union or array
 *    type (btfx__var: their bytes, walked where they are, so a finding in
 *    one has `at` 0 and a path such as "my_alloc.slots[1]"), plus
 *    check_opts.roots) that follows typed pointers breadth
 *    first (so a path is the shortest one: "root->right->right"), stops at
 *    cycles (a visited set of (address, type)) and at opts' node and depth
 *    caps (summary.typed_cut);
 *  - a conservative scan of every allocated page for 8-byte aligned values
 *    whose upper 32 bits are user_vm_start's, as garbage collectors do.
 *
 * Findings (enum check_kind) and how false alarms are avoided:
 *  - a typed pointer (a pointer field the walk reached) is judged by its
 *    value alone: NULL is fine, a poison value (poison.c's table) or a
 *    non-NULL value into page 0 when page 0 is not allocated (a NULL guard)
 *    is POISON, a value outside the arena is OUTSIDE, one into a free page
 *    DANGLING, into a reserved page RESERVED, one not aligned for its
 *    pointee MISALIGNED;
 *  - an untyped value (the scan) is a finding only when it is strong
 *    evidence: it points into a free or reserved page (DANGLING, RESERVED)
 *    or past the arena's last page while sharing its upper 32 bits
 *    (OUTSIDE). An integer that looks like a pointer into an allocated page
 *    is no finding (it only makes that page reachable), so the scan never
 *    calls sound data wrong unless an integer happens to hold such a value.
 *  - a typed pointer inside a map variable is judged only when its value
 *    is a poison value or has the arena's upper 32 bits: BTF does not say
 *    which address space a pointer is in, and a map may hold pointers to
 *    kernel objects or other maps.
 *  - a live object of an allocator (heap.h) that nothing points into is
 *    LEAKED_OBJECT only where check sees every place that can hold a
 *    reference to it (summary.leaks_judged): the arena, the programs'
 *    data sections, and no other map that can hold one (btfx__unseen_map:
 *    sched_ext keeps sdt_alloc's elements in task local storage). Every
 *    qword of a data-section variable with an arena value counts, typed
 *    or not, as the scan's values do. What check never sees: a user-space
 *    process's own copies of arena pointers, a running program's stack
 *    and registers.
 *  A location both passes see is reported once, with the typed path.
 *
 * Unreachable pages: allocated pages that no root reaches, where a page
 * reaches every page one of its values (typed or not) points into, and the
 * roots are the pages of __arena globals and the targets of the other
 * roots (a map variable's qwords with arena values count, typed or not). With no root at all (or
 * more page links than it keeps, 32 Mi), summary.judged is false (not_judged says why) and no page
 * is called unreachable.
 *
 * Nothing is written to the arena and no page is faulted in: pages are read
 * through source__read_pages/source__read only where the page map says
 * allocated. Nothing prints; errors are negative errno + ai_errmsg().
 */
#ifndef ARENA_INSPECT_CHECK_H
#define ARENA_INSPECT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "btfx.h"
#include "progress.h"
#include "source.h"

enum check_kind {
	CHECK_DANGLING,	  /* into a free page */
	CHECK_RESERVED,	  /* into a reserved page (no memory behind it) */
	CHECK_OUTSIDE,	  /* past the arena (or any non-arena value, typed) */
	CHECK_POISON,	  /* a poison value, or into a page-0 NULL guard */
	CHECK_MISALIGNED, /* typed: not aligned for its pointee */
	/* into a free slot of a live page, as an allocator backend lists it
	 * (heap.h): a pointer to a freed (or never handed out) object */
	CHECK_FREED_OBJECT,
	/* a live object an allocator backend lists that nothing points into
	 * (no root, no value in program data): a leak candidate; at and
	 * value are the object's first byte */
	CHECK_LEAKED_OBJECT,
	/* where an ASAN shadow is in the arena (heap_asan.h): a value into a
	 * byte the shadow calls poisoned (freed, past the bytes asked for,
	 * a redzone), unless the same place has a more specific finding
	 * (freed-object, dangling, ...). Not: a value one past the end of
	 * valid bytes (an end pointer, legal C), one stored in poisoned
	 * memory or in an allocator's own books, one whose shadow page is
	 * not allocated (unknown) */
	CHECK_ASAN_POISONED,
	CHECK_NR_KINDS
};

/* "dangling", "reserved", "outside", "poison", "misaligned", "freed-object",
 * "leaked-object", "asan-poisoned" */
const char *check__kind_name(enum check_kind k);

struct check_summary;
/* "3 dangling, 1 reserved, 1 outside, 2 poison, 1 misaligned" into buf:
 * every pointer kind, and the allocators' kinds (freed-object and after)
 * where there are some. The counts of the CLI's summary line and of the
 * health view's. */
void check__counts_text(const struct check_summary *s, char *buf, size_t len);

struct check_finding {
	enum check_kind kind;
	uint64_t at;	/* where the value is stored (0: not in the arena: a
			 * root held in a map) */
	uint64_t value; /* the pointer value */
	/* the state behind value: "free", "reserved", "allocated", "outside",
	 * "poison" (a poison table value; poison names it), "free slot"
	 * (FREED_OBJECT), "unreferenced" (LEAKED_OBJECT), "poisoned"
	 * (ASAN_POISONED) */
	const char *target_state;
	uint32_t target_page; /* the page value is in (UINT32_MAX: outside) */
	const char *poison;   /* POISON from the table: its name, else NULL */
	char *path;	      /* typed: "hdr->table->buckets[17]->next"; NULL:
			       * found by the scan only (no type known) */
};

/* An extra root: an object of type (btf, type_id) at addr (an lvalue), or
 * with is_ptr a pointer value `value` of pointer type (btf, type_id). */
struct check_root {
	const char *name; /* its path prefix: the expression text */
	const struct btf *btf;
	uint32_t type_id;
	uint64_t addr;
	bool is_ptr;
	uint64_t value;
};

struct check_opts {
	const struct check_root *roots; /* extra roots (--root EXPR) */
	int nr_roots;
	uint64_t max_nodes; /* typed objects walked at most (0: 1000000) */
	int max_depth;	    /* pointers followed from a root (0: 10000) */
	/* ticks "checking: typed walk" (objects walked, total 0: not known
	 * ahead) every 4096 objects, then "checking: scan" (pages read of the
	 * allocated pages) after every bulk read; true cancels: -ECANCELED */
	const struct ai_progress *progress;
};

struct check_run {
	uint32_t first, last; /* pages, inclusive */
};

struct check_summary {
	uint32_t counts[CHECK_NR_KINDS];
	uint64_t pages_scanned;	    /* allocated pages the scan read */
	uint64_t nodes;		    /* typed objects walked */
	bool typed_cut;		    /* the walk hit max_nodes or max_depth */
	bool judged;		    /* reachability judged (there were roots) */
	const char *not_judged;	    /* why not: "no roots", "too many pointers to follow" */
	uint32_t unreachable_pages; /* pages in the runs */
	uint32_t nr_roots;	    /* roots walked (btfx's + opts') */
	/*
	 * LEAKED_OBJECT is judged only when every place a program can keep a
	 * reference was read: there are roots, and the programs use no map
	 * that can hold an arena pointer check cannot read (btfx__unseen_map),
	 * and that is known. Otherwise no leaked-object finding, and
	 * leaks_not_judged says why: "no allocator's objects found", "no
	 * roots", "unknown which maps the programs use", "the programs use
	 * map 'task_ctxs' (hash), which check cannot read", ...
	 */
	bool leaks_judged;
	char leaks_not_judged[160];
	uint64_t live_objects; /* live objects the allocators list */
	bool stale;	       /* the page map changed while we looked */
};

struct check_result {
	struct check_finding *findings; /* sorted by at, then kind */
	uint32_t nr_findings;
	struct check_run *runs; /* unreachable allocated pages, in order */
	uint32_t nr_runs;
	struct check_summary summary;
};

/* bx may be NULL or have no BTF (then only the scan runs). opts may be
 * NULL. Fills *out (check__result_free). Returns 0 or a negative errno. */
int check__run(struct btfx *bx, struct source *src, const struct check_opts *opts,
	       struct check_result *out);
void check__result_free(struct check_result *r);

/*
 * What changed between two checks (diff A B --check): the findings of b
 * that a does not have (fresh) and those of a that b has no more
 * (resolved), matched by kind, at and value: the same bad value of the
 * same kind stored at the same place is the same problem, whatever path
 * the walk took to it this time (a path changes when unrelated nodes come
 * and go). A finding held in a map (at 0) has no place but its path, so
 * the path joins its key. Unreachable pages: those in b's runs and not in
 * a's (fresh_runs) and the other way round (resolved_runs), only when both
 * sides judged reachability (runs_compared). Pointers borrow from a and b.
 */
struct check_delta {
	const struct check_finding **fresh, **resolved;
	uint32_t nr_fresh, nr_resolved;
	struct check_run *fresh_runs, *resolved_runs;
	uint32_t nr_fresh_runs, nr_resolved_runs;
	uint32_t fresh_pages, resolved_pages;
	bool runs_compared;
};
int check__delta(const struct check_result *a, const struct check_result *b,
		 struct check_delta *out);
void check__delta_free(struct check_delta *d);

/*
 * The typed walk alone (no scan, no reachability), for refs' paths: cb is
 * called for every non-NULL typed pointer stored in the arena that the
 * walk reads, with where it is stored, its value and its path (borrowed
 * for the call). Each location once, with its shortest path. A non-zero
 * return stops the walk: -ECANCELED. *sum (may be NULL) gets the walk's
 * counts: nr_roots, nodes, typed_cut.
 */
typedef int (*check_ptr_cb)(void *ctx, uint64_t at, uint64_t value, const char *path);
int check__typed_pointers(struct btfx *bx, struct source *src, const struct check_opts *opts,
			  check_ptr_cb cb, void *ctx, struct check_summary *sum);

#endif

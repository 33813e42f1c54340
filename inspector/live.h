/* SPDX-License-Identifier: GPL-2.0 */
/*
 * live: attach to an arena in the running kernel.
 *
 * The inspector's own BPF probe (bpf/probe.bpf.c, embedded as a skeleton)
 * reads the kernel's struct bpf_arena: the user address (even when map_extra
 * was 0 and the creator has exited), the free-range tree (the page map) and
 * page contents through the kernel mapping. Nothing is ever read through a
 * user mapping, so no page is ever allocated, freed or reserved by us.
 */
#ifndef ARENA_INSPECT_LIVE_H
#define ARENA_INSPECT_LIVE_H

#include "source.h"

enum selector_kind { SEL_ID, SEL_PINNED, SEL_NAME, SEL_FILE };

struct selector {
	enum selector_kind kind;
	uint32_t id;
	char arg[4096]; /* path, name or file */
};

/*
 * Parse the ARENA grammar: "id N", "pinned PATH", "name NAME", or a FILE
 * (a snapshot). *used: words consumed. -EINVAL with a message on error.
 */
int selector__parse(int argc, char **argv, struct selector *sel, int *used);
/* The grammar, for help texts. */
extern const char selector__usage[];

/* Open a live arena (SEL_ID/SEL_PINNED/SEL_NAME). A name that matches
 * several arenas is -EEXIST naming their ids. A map that is not an arena is
 * -EINVAL; a missing one -ENOENT; no permission -EPERM. */
int live__open(const struct selector *sel, struct source **out);

/* Open whatever the selector names: live arena or snapshot file. */
int selector__open(const struct selector *sel, struct source **out);

/* Every arena on this machine, with user address, page counts, programs
 * and owners. *out is malloc'ed (free()). */
struct arena_summary {
	struct arena_info info;
	uint32_t allocated;
	uint32_t reserved;
};
int live__list(struct arena_summary **out, int *n);

/* Gather: read many small fields in one kernel pass (watches). Each item is
 * an arena offset + length (<= 64); data must hold len bytes per item;
 * err[i] is 0 or -ENODATA. Live sources only (-EOPNOTSUPP otherwise). */
struct gather_item {
	uint64_t off;
	uint32_t len;
	int err;
	uint8_t data[64];
};
int live__gather(struct source *s, struct gather_item *items, size_t n);

bool live__is_live(const struct source *s);

/* The slow exact method the page map avoids: probe every page of
 * [first, first+count) one by one. For benchmarks and cross-checks. */
int live__probe_pages(struct source *s, uint32_t first, uint32_t count, uint32_t *allocated);

/* Build page maps by probing every page, as on kernels 6.9-6.12 whose
 * arenas keep free pages in a maple tree the probe cannot walk: a page
 * with memory is allocated, any other is free (those kernels have no
 * reserved pages). Exact but slow (seconds for 4 GiB), and not checked for
 * change by a second walk. Used by itself when the kernel has no range
 * tree; tests turn it on to cross-check the tree walk. */
void live__set_full_probe(bool on);
#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * live: attach to an arena in the running kernel.
 *
 * A live source reads the arena through a probe (probe.h): the inspector's
 * own BPF program, which reads the kernel's struct bpf_arena and page
 * contents through the kernel mapping. Nothing is ever read through a user
 * mapping, so no page is ever allocated, freed or reserved by us.
 *
 * Each live source holds a reference to its probe. Pass the application's
 * probe to share one (loading one takes ~35 ms; a TUI or `list` opens many
 * sources); NULL opens a probe of the source's own with default options.
 */
#ifndef ARENA_INSPECT_LIVE_H
#define ARENA_INSPECT_LIVE_H

#include "selector.h"
#include "source.h"

struct probe; /* probe.h */

/* Open a live arena (SEL_ID/SEL_PINNED/SEL_NAME). A name that matches
 * several arenas is -EEXIST naming their ids. A map that is not an arena is
 * -EINVAL; a missing one -ENOENT; no permission -EPERM. */
int live__open(const struct selector *sel, struct probe *probe, struct source **out);

/* Every arena on this machine, with user address, page counts, programs
 * and owners, read through probe (NULL: one probe for the whole list).
 * *out is malloc'ed (free()). */
struct arena_summary {
	struct arena_info info;
	uint32_t allocated;
	uint32_t reserved;
};
int live__list(struct probe *probe, struct arena_summary **out, int *n);

/* The command name of owner pid (arena_info.owner_pids), as bpftool shows
 * owners (comm(pid)): /proc/PID/comm without its newline, the bytes as the
 * process set them (show them through printable.h or a sink). 0, or
 * -errno with buf "" (the process is gone, or hides it). */
int live__owner_comm(int pid, char *buf, size_t len);

/* The slow exact method the page map avoids: probe every page of
 * [first, first+count) one by one. For benchmarks and cross-checks. */
int live__probe_pages(struct source *s, uint32_t first, uint32_t count, uint32_t *allocated);

/* The probe a live source reads through (borrowed; NULL for any other
 * source): for probe__stats in benchmarks and for tests. */
struct probe *live__probe(struct source *s);
#endif

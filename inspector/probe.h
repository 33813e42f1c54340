/* SPDX-License-Identifier: GPL-2.0 */
/*
 * probe: the inspector's own BPF program (bpf/probe.bpf.c, embedded as a
 * skeleton) as an object that is opened and closed.
 *
 * The probe is a bpf_map iterator that finds an arena by map id on every
 * pass and reads the kernel's struct bpf_arena: the user address, the
 * free-range tree (the page map) and page contents through the kernel
 * mapping. Nothing is read through a user mapping, so no page is ever
 * allocated, freed or reserved by us.
 *
 * Like libbpf's bpf_object, opening is separate from loading:
 * probe__open() only allocates (no kernel access, no root needed), so an
 * application can open one probe at start and hand it to every live source;
 * the first live source loads it (probe__load). Loading takes about 35 ms
 * on 6.18, so live sources share one probe through references rather than
 * loading their own.
 *
 * libbpf's messages (the verifier log among them) go to opts->log, never to
 * stderr: the probe installs its libbpf print callback only around its own
 * libbpf calls and puts the application's back afterwards. A load the
 * verifier refuses fails with the verifier's key line in ai_errmsg().
 *
 * Test hook: with AI_TEST_PROBE_FAIL=1 in the environment, probe__load also
 * loads a program compiled into the skeleton that the verifier must refuse
 * (arena_probe_broken), so tests see a real load failure and a real log.
 *
 * A probe is not thread-safe: its buffers serve one pass at a time.
 */
#ifndef ARENA_INSPECT_PROBE_H
#define ARENA_INSPECT_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf_common.h> /* LIBBPF_OPTS */
#include "source.h"

#define AI_NEED_ROOT "need root: CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN"

enum ai_log_level {
	AI_LOG_WARN,
	AI_LOG_INFO,
	AI_LOG_DEBUG,
};

/* msg: one libbpf message as libbpf wrote it (it may hold many lines, as
 * the verifier log does, and usually ends in a newline). */
typedef void (*ai_log_fn)(void *ctx, enum ai_log_level level, const char *msg);

/* Sized options: declare with LIBBPF_OPTS(probe_opts, o, .log = ...). */
struct probe_opts {
	size_t sz;
	ai_log_fn log; /* NULL: libbpf's messages are dropped */
	void *log_ctx;
	/*
	 * Build page maps by probing every page, as on kernels 6.9-6.12 whose
	 * arenas keep free pages in a maple tree the probe cannot walk: a
	 * page with memory is allocated, any other is free (those kernels
	 * have no reserved pages). Exact but slow (seconds for 4 GiB), and
	 * not checked for change by a second walk. Used by itself when the
	 * kernel has no range tree; tests turn it on to cross-check the walk.
	 */
	bool full_probe;
	size_t : 0;
};
#define probe_opts__last_field full_probe

/* NULL opts: silent, tree walk. Returns NULL with errno and ai_errmsg() set
 * (-EINVAL: opts from a newer caller with fields we do not know). */
struct probe *probe__open(const struct probe_opts *opts);
/* Load and attach the BPF program unless it already is. Errors: -EPERM
 * (need root), the verifier's refusal (its key line in the message), or
 * another -errno. A failed load is retried on the next call. */
int probe__load(struct probe *p);
/* Another reference; probe__close() drops one, the last frees. NULL-safe. */
struct probe *probe__get(struct probe *p);
void probe__close(struct probe *p);

/*
 * The passes the live source (live.c) runs; each loads the probe first.
 * Errors: -ENOENT the arena is gone, -EINVAL the map is not an arena.
 */

/* The arena's user address range (0, 0: never mapped). */
int probe__info(struct probe *p, uint32_t id, uint64_t *user_vm_start, uint64_t *user_vm_end);

/* Fill pm->state (pm->nr_pages entries, allocated by the caller) and
 * pm->stale, in one kernel pass unless the arena changed under it; the
 * arena's user address range as that pass saw it in *start, *end (0, 0:
 * never mapped, so nothing has memory). */
int probe__pagemap(struct probe *p, uint32_t id, struct pagemap *pm, uint64_t *start,
		   uint64_t *end);

/* Pages [first, first + n), n <= PROBE_BUF_PAGES, into memory the probe
 * owns (two buffers used in turn, see source_ops.read_pages). */
int probe__read_pages(struct probe *p, uint32_t id, uint32_t first, uint32_t n,
		      const uint8_t **data, uint8_t *present);

/* The pages of runs[0..nruns) in order (at most PROBE_BUF_PAGES in all),
 * into the same two buffers as probe__read_pages, in one pass: a sparse
 * arena's scattered pages without a pass each. */
int probe__read_runs(struct probe *p, uint32_t id, const struct page_run *runs, uint32_t nruns,
		     const uint8_t **data, uint8_t *present);

/* [off, off + len) by arena offset; present[i] per page spanned. */
int probe__read(struct probe *p, uint32_t id, uint64_t off, void *buf, size_t len,
		uint8_t *present);

/* Many small fields in one pass per PROBE_MAX_GATHER items. */
int probe__gather(struct probe *p, uint32_t id, struct gather_item *items, size_t n);

/* Probe each page of [first, first + count) one by one; *allocated: how
 * many have memory. The slow exact method the page map avoids. */
int probe__count_pages(struct probe *p, uint32_t id, uint32_t first, uint32_t count,
		       uint32_t *allocated);

/*
 * For tests of the page map's consistency check: one free-range walk, then
 * between(ctx) (which may change the arena), then the check the page map
 * pass runs after probing. *changed: the check found the tree different
 * from the one the walk saw.
 */
int probe__walk_then_check(struct probe *p, uint32_t id, void (*between)(void *ctx), void *ctx,
			   bool *changed);

/*
 * Where the probe's time goes, for the bench: totals since the last reset.
 * The page map's kernel phases are the program's own bpf_ktime_get_ns()
 * deltas inside run_ns; the rest is measured in user space.
 */
struct probe_stats {
	uint64_t passes;      /* iterator runs */
	uint64_t maps;	      /* maps the iterator showed the program, all passes */
	uint64_t setup_ns;    /* bpf_iter_create() and close(): a pass's fixed cost */
	uint64_t run_ns;      /* the read() that runs the program over every map */
	uint64_t walk_ns;     /* page map: the free-range tree walk */
	uint64_t mark_ns;     /* page map: free ranges into the free bitmap */
	uint64_t probe_ns;    /* page map: probing the pages outside them */
	uint64_t check_ns;    /* page map: the check that the tree did not change */
	uint64_t user_ns;     /* page map: bitmaps cleared and turned into states */
	uint64_t retries;     /* page map passes redone: the tree changed under one */
	uint64_t read_passes; /* bulk reads: READ passes */
	uint64_t read_bytes;  /* bulk reads: bytes read */
	uint64_t copy_ns;     /* bulk reads: copies out of the probe's buffers */
};
/* Copy the totals to *out (may be NULL); reset: start again from zero. */
void probe__stats(struct probe *p, struct probe_stats *out, bool reset);

#endif

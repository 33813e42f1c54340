/* SPDX-License-Identifier: GPL-2.0 */
/*
 * source: one interface over a live arena or a snapshot file.
 *
 * A source answers three questions: what is this arena (info), which pages
 * hold memory (pagemap), and what bytes are at an address (read). Reads of a
 * live arena never go through a user mapping, so they never allocate a page;
 * a page that is not allocated is reported, never faulted in.
 *
 * Ownership: source__close() frees the source and everything it returned
 * except what the caller copied. Errors are negative errno with a message in
 * ai_errmsg().
 */
#ifndef ARENA_INSPECT_SOURCE_H
#define ARENA_INSPECT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define AI_NAME_LEN 16

enum page_state {
	PAGE_FREE = 0,	    /* in the kernel's free-range tree */
	PAGE_ALLOCATED = 1, /* has memory */
	PAGE_RESERVED = 2,  /* not free, but no memory (bpf_arena_reserve_pages) */
};

struct arena_info {
	uint32_t map_id; /* 0 for a snapshot of unknown origin */
	char name[AI_NAME_LEN];
	uint32_t map_flags;
	uint32_t max_pages; /* max_entries */
	uint64_t map_extra;
	uint64_t user_vm_start; /* 0: never mapped by anyone */
	uint64_t user_vm_end;
	uint32_t nr_progs;
	uint32_t prog_ids[64]; /* programs that use the arena */
	uint32_t nr_owners;
	int32_t owner_pids[64]; /* processes holding an fd or mapping */
	bool is_snapshot;
	uint64_t snapshot_time_ns; /* CLOCK_REALTIME of the snapshot */
	bool snapshot_changed;	   /* arena changed while being saved */
	char kernel_release[65];
	/* The arena's page size: the kernel's for a live arena, the file's
	 * for a snapshot. Every page number <-> address computation uses it. */
	uint32_t page_size;
	uint32_t page_shift; /* log2(page_size) */
	/* a remote source (remote.h): the peer, as the user named it (ssh
	 * host, HOST:PORT, or the command); "" for a local arena or file */
	char host[128];
};

/* The page sizes an arena can have (arm64: 4K, 16K, 64K) */
#define AI_PAGE_SIZE_MIN 4096u
#define AI_PAGE_SIZE_MAX 65536u

/* The kernel's page size, sysconf(_SC_PAGESIZE): what a live arena uses. */
uint32_t ai_host_page_size(void);
/* Set ai's page_size and page_shift; -EINVAL with a message (naming what)
 * unless page_size is a power of two in AI_PAGE_SIZE_MIN..AI_PAGE_SIZE_MAX. */
int arena_info__set_page_size(struct arena_info *ai, uint64_t page_size, const char *what);

/* Page map: one state byte per page, plus counts. */
struct pagemap {
	uint32_t nr_pages;
	uint8_t *state;	    /* enum page_state, nr_pages entries */
	uint32_t counts[3]; /* indexed by enum page_state */
	uint32_t nr_free_runs;
	uint32_t largest_free_run;
	bool stale;   /* the arena changed while we looked */
	bool counted; /* ops->pagemap filled counts and runs itself (faster
		       * from what it had); else source__pagemap counts */
};

struct source;
struct root;	 /* btfx.h */
struct map_var;	 /* btfx.h */
struct btfx_map; /* btfx.h */

/* count pages from first */
struct page_run {
	uint32_t first;
	uint32_t count;
};

/* One field of a gather: an arena offset + length (<= 64); err is 0 or
 * -ENODATA (a page it spans is not allocated). */
struct gather_item {
	uint64_t off;
	uint32_t len;
	int err;
	uint8_t data[64];
};

struct source_ops {
	int (*info)(struct source *s, struct arena_info *out);
	int (*pagemap)(struct source *s, struct pagemap *pm);
	/* read [off, off+len) by arena offset; present[i] per page spanned */
	int (*read)(struct source *s, uint64_t off, void *buf, size_t len, uint8_t *present);
	/* optional: BTF blobs that come with the source (snapshot) */
	int (*btf_blobs)(struct source *s, const void ***blobs, const size_t **sizes, int *n);
	void (*close)(struct source *s);
	/* optional: roots stored with the source (snapshot). The array is
	 * borrowed; each root's btf is NULL and btf_idx indexes btf_blobs. */
	int (*roots)(struct source *s, const struct root **roots, int *n);
	/* optional: data-section variables stored with the source
	 * (snapshot). Borrowed; each var's btf is NULL and btf_idx indexes
	 * btf_blobs. */
	int (*vars)(struct source *s, const struct map_var **vars, int *n);
	/* optional: the maps of the programs that check cannot read
	 * (btfx__unseen_map), stored with the source (snapshot). Borrowed.
	 * -ENOENT: the source does not know them. */
	int (*maps)(struct source *s, const struct btfx_map **maps, int *n);
	/*
	 * optional, zero-copy bulk reads: whole pages [first, first + n) with
	 * n <= borrow_max_pages, into memory the source owns. *data stays valid
	 * until the second read_pages call after this one and until any other
	 * read, so a reader can fill one buffer while a writer drains the other.
	 */
	int (*read_pages)(struct source *s, uint32_t first, uint32_t n, const uint8_t **data,
			  uint8_t *present);
	uint32_t borrow_max_bytes; /* n * page size <= this */
	/*
	 * optional, zero-copy reads of scattered pages: the pages of
	 * runs[0..nruns) one after another (run order, total * page size <=
	 * borrow_max_bytes) into memory the source owns, with the lifetime of
	 * read_pages' (the two share buffers). A sparse arena in one call
	 * rather than one read_pages per run.
	 */
	int (*read_runs)(struct source *s, const struct page_run *runs, uint32_t nruns,
			 const uint8_t **data, uint8_t *present);
	/* optional: read many small fields in one batch (a live arena does it
	 * in one kernel pass); without it source__gather reads each item */
	int (*gather)(struct source *s, struct gather_item *items, size_t n);
	/* optional: where BTF blob i came from, as the types listing shows it
	 * (a remote source: the label its host gave); NULL: "snapshot BTF blob i" */
	const char *(*btf_label)(struct source *s, int i);
};

struct source {
	const struct source_ops *ops;
	struct arena_info info; /* filled at open, refreshed by source__info */
};

int source__info(struct source *s, struct arena_info *out);

/* Fill pm (allocating pm->state, freed by pagemap__free). */
int source__pagemap(struct source *s, struct pagemap *pm);
void pagemap__free(struct pagemap *pm);
/* Derive counts and run statistics from pm->state. */
void pagemap__count(struct pagemap *pm);
/*
 * The next runs of allocated pages of pm from page *from on, for one
 * read_runs (or, with max_runs 1, one read_pages): at most max_pages pages
 * in at most max_runs runs into runs[]; *npages gets their pages and *from
 * moves past the last one. Returns the number of runs, 0 when none is left.
 */
uint32_t pagemap__next_runs(const struct pagemap *pm, uint32_t *from, uint32_t max_pages,
			    struct page_run *runs, uint32_t max_runs, uint32_t *npages);

/*
 * Read len bytes at user address addr. Bytes of pages that are not allocated
 * read as zero and their flag in present[] (one per page spanned, may be
 * NULL) is 0. Returns the number of missing pages (0: all there), or a
 * negative errno: -ERANGE outside the arena, -ENOENT arena gone.
 */
int source__read(struct source *s, uint64_t addr, void *buf, size_t len, uint8_t *present);
/* Like source__read but any missing page is the error -ENODATA. */
int source__read_exact(struct source *s, uint64_t addr, void *buf, size_t len);

/*
 * Read many small fields at once (watches): each item's data gets len bytes
 * at arena offset off, and err says whether every page it spans is there.
 * A source without a gather op is read item by item, so every source
 * answers the same. Returns 0 or a negative errno for the whole batch.
 */
int source__gather(struct source *s, struct gather_item *items, size_t n);
/* The same a read an item, whatever ops the source has (for a gather op
 * that cannot batch: a remote stub of before qArenaGather). */
int source__gather_each(struct source *s, struct gather_item *items, size_t n);

/* Address helpers */
static inline uint64_t source__page_size(const struct source *s)
{
	return s->info.page_size;
}

/* max_pages pages: the arena's size in bytes */
static inline uint64_t source__size(const struct source *s)
{
	return (uint64_t)s->info.max_pages << s->info.page_shift;
}

static inline bool source__contains(const struct source *s, uint64_t addr, size_t len)
{
	uint64_t start = s->info.user_vm_start;
	uint64_t size = source__size(s);

	return start && addr >= start && len <= size && addr - start <= size - len;
}

/* Number of pages of s spanned by [addr, addr+len) (an address or an offset) */
static inline size_t source__pages_spanned(const struct source *s, uint64_t addr, size_t len)
{
	if (!len)
		return 0;
	return ((addr + len - 1) >> s->info.page_shift) - (addr >> s->info.page_shift) + 1;
}

void source__close(struct source *s);

#endif

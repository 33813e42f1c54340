/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The types of sched_ext's sdt_alloc (sched-ext/scx lib/sdt_alloc.bpf.c and
 * its header, read at commit b83a455), written again for the sdtalloc
 * fixture: the same names, members and sizes, so the inspector meets the
 * layout a sched_ext scheduler leaves in its arena. As BPF headers are: no
 * includes; the includer gives __u64/__s32/__s64 and __arena.
 *
 * An element is a struct sdt_data: the 8-byte union sdt_id (idx in the
 * radix tree, genn bumped at every free) and the caller's payload. Elements
 * are packed in data pages straight from bpf_arena_alloc_pages, no header.
 * A 3-level radix tree of 512-way nodes finds them: idx = l0 << 18 | l1 << 9
 * | l2. A node is a struct sdt_desc (a 512-bit bitmap, nr_free and the
 * chunk) whose struct sdt_chunk (one page) holds 512 pointers: descs of the
 * next level, or at a leaf the elements. At a leaf a set bit is a live
 * element; inside the tree a set bit is a full subtree.
 */
#ifndef FXSDT_H
#define FXSDT_H

enum sdt_consts {
	SDT_TASK_ENTS_PER_PAGE_SHIFT = 9,
	SDT_TASK_LEVELS = 3,
	SDT_TASK_ENTS_PER_CHUNK = 1 << SDT_TASK_ENTS_PER_PAGE_SHIFT,
	SDT_TASK_CHUNK_BITMAP_U64S = SDT_TASK_ENTS_PER_CHUNK / 64,
	SDT_TASK_MIN_ELEM_PER_ALLOC = 8,
	SDT_TASK_ALLOC_STACK_MIN = 2 * SDT_TASK_LEVELS + 1,
	SDT_TASK_ALLOC_STACK_MAX = SDT_TASK_ALLOC_STACK_MIN * 5,
};

typedef struct sdt_desc __arena sdt_desc_t;

union sdt_id {
	__s64 val;
	struct {
		__s32 idx;  /* index in the radix tree */
		__s32 genn; /* ++'d on recycle */
	};
};

struct sdt_chunk;

struct sdt_desc {
	__u64 allocated[SDT_TASK_CHUNK_BITMAP_U64S];
	__u64 nr_free;
	struct sdt_chunk __arena *chunk;
};

struct sdt_data {
	union sdt_id tid;
	__u64 payload[];
};

struct sdt_chunk {
	union {
		sdt_desc_t *descs[SDT_TASK_ENTS_PER_CHUNK];
		struct sdt_data __arena *data[SDT_TASK_ENTS_PER_CHUNK];
	};
};

/* pages taken ahead so that allocating under the lock never sleeps */
struct scx_alloc_stack {
	__u64 idx;
	void __arena *stack[SDT_TASK_ALLOC_STACK_MAX];
};

struct sdt_pool {
	void __arena *slab;
	__u64 elem_size;
	__u64 max_elems;
	__u64 idx;
};

struct scx_alloc_stats {
	__u64 chunk_allocs;
	__u64 data_allocs;
	__u64 alloc_ops;
	__u64 free_ops;
	__u64 active_allocs;
	__u64 arena_pages_used;
};

struct scx_allocator {
	struct sdt_pool pool;
	sdt_desc_t *root;
};

/* ---- the fixture's own ---- */

/* the payload: a scheduler's per-task context, 64 bytes */
struct fx_task_ctx {
	__u64 pid;
	__u64 seq;
	struct fx_task_ctx __arena *peer; /* another task's context, or 0 */
	__u64 weight;
	__u64 pad[4];
};

#define SDT_PAGES 4096	     /* 16 MiB arena */
#define SDT_QNODES_PAGES 256 /* sched_ext's 1 MiB __arena qnodes[] at offset 0 */
#define SDT_NR_ALLOC 600     /* elements allocated first: two leaves */
#define SDT_FREE_MOD 7	     /* then every idx with idx % 7 == 3 is freed */
#define SDT_FREE_REM 3
#define SDT_NR_REALLOC 5 /* then allocated again: the lowest freed idx, genn 1 */
#define SDT_PEER_FROM 2	 /* this live element's peer ... */
#define SDT_PEER_TO 598	 /* ... is this freed one (598 % 7 == 3) */
#define SDT_MAX_PAGES 64 /* the fixture's books of the pages it took */

/* the roles of the pages, in the fixture's books */
enum sdt_page_role {
	SDT_PG_STACK = 1, /* the struct scx_alloc_stack page */
	SDT_PG_PREALLOC,  /* taken ahead, sitting in the stack */
	SDT_PG_CHUNK,	  /* a struct sdt_chunk */
	SDT_PG_DESC,	  /* struct sdt_desc slots (desc_pool) */
	SDT_PG_DATA,	  /* struct sdt_data elements (the allocator's pool) */
};

#endif

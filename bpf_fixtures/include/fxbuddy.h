/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The types of sched_ext's buddy allocator (sched-ext/scx lib/alloc/buddy.h,
 * buddy_internal.h and buddy.bpf.c, read at commit 06c4d5a), written again
 * for the buddy fixture with upstream's names, members and sizes. As BPF
 * headers are: no includes; the includer gives __u8..__u64 and __arena.
 *
 * Memory comes in 1 MiB chunks, 1 MiB aligned, carved from an arena range
 * that initialisation reserves (from 1 MiB, a quarter of the arena). A chunk
 * starts with its struct buddy_chunk: orders[] (4 bits per 16-byte item,
 * the high nibble for the even item), allocated[] (1 bit per item: set at
 * the first item of a live block), freelists[16] (the first free block's
 * item per order, BUDDY_CHUNK_ITEMS for none) and prev/next links. The
 * header's own 41104 bytes are blocks marked allocated. A free block holds
 * a struct buddy_header at byte BUDDY_HEADER_OFF (8): the items of the
 * previous and next free block of its order.
 */
#ifndef FXBUDDY_H
#define FXBUDDY_H

#define BUDDY_ARENA_PAGES (1u << 20) /* sched_ext's 4 GiB arena (ARENA_MAX_PAGES) */

enum buddy_consts {
	BUDDY_MIN_ALLOC_SHIFT = 4,
	BUDDY_MIN_ALLOC_BYTES = 1 << BUDDY_MIN_ALLOC_SHIFT,
	BUDDY_CHUNK_NUM_ORDERS = 1 << 4, /* 4 bits per order */
	BUDDY_CHUNK_BYTES = BUDDY_MIN_ALLOC_BYTES << BUDDY_CHUNK_NUM_ORDERS,
	BUDDY_HEADER_OFF = 8,
	BUDDY_CHUNK_PAGES = BUDDY_CHUNK_BYTES / 4096,
	BUDDY_CHUNK_ITEMS = 1 << BUDDY_CHUNK_NUM_ORDERS,
	BUDDY_CHUNK_OFFSET_MASK = BUDDY_CHUNK_BYTES - 1,
	BUDDY_VADDR_OFFSET = BUDDY_CHUNK_BYTES,
	BUDDY_VADDR_SIZE = (BUDDY_ARENA_PAGES >> 2) * 4096, /* 1/4 of the arena */
};

struct buddy_chunk;
typedef struct buddy_chunk __arena buddy_chunk_t;

struct buddy_header {
	__u32 prev_index; /* previous free block of the same order */
	__u32 next_index; /* next one */
};
typedef struct buddy_header __arena buddy_header_t;

struct buddy_chunk {
	__u8 orders[BUDDY_CHUNK_ITEMS / 2];
	__u8 allocated[BUDDY_CHUNK_ITEMS / 8];
	__u64 freelists[BUDDY_CHUNK_NUM_ORDERS];
	buddy_chunk_t *prev;
	buddy_chunk_t *next;
};

/* bpf_arena_spin_lock.h's lock word */
struct arena_qspinlock {
	__u32 val;
};
typedef struct arena_qspinlock arena_spinlock_t;

struct buddy {
	buddy_chunk_t *first_chunk;	/* the chunk list */
	arena_spinlock_t __arena *lock; /* the allocator's lock */
	__u64 vaddr;			/* bytes of the reserved range handed out */
};

/* ---- the fixture's own ---- */
#define BUDDY_QNODES_PAGES 256 /* sched_ext's 1 MiB __arena qnodes[] at offset 0 */
#define BUDDY_NR_BIG 4	       /* 256 KiB blocks: the fourth takes a second chunk */
#define BUDDY_NR_SMALL 60      /* then small ones of the sizes below, in turn */
#define BUDDY_NR_OPS (BUDDY_NR_BIG + BUDDY_NR_SMALL)
#define BUDDY_BIG_SIZE (256 << 10)
#define BUDDY_FREE_BIG 1 /* freed afterwards: big block 1 ... */
#define BUDDY_FREE_MOD 3 /* ... and small block i where i % 3 == 1 */
#define BUDDY_FREE_REM 1
#define BUDDY_PEER_FROM (BUDDY_NR_BIG + 0) /* this live block's first word ... */
#define BUDDY_PEER_TO (BUDDY_NR_BIG + 1)   /* ... points at this freed one */
/* the live block the program drops without freeing it: nothing points at
 * it any more (a leak, at a known address) */
#define BUDDY_LEAK (BUDDY_NR_BIG + 2)
/* this live block's first word points BUDDY_OOB_OFF bytes into the live
 * block BUDDY_OOB_TO, past the 100 bytes asked for it (of 128): memory
 * the ASAN shadow calls poisoned, in no free slot */
#define BUDDY_OOB_FROM (BUDDY_NR_BIG + 5)
#define BUDDY_OOB_TO (BUDDY_NR_BIG + 3)
#define BUDDY_OOB_OFF 112
#define BUDDY_MAX_CHUNKS 4
#define BUDDY_POISONED ((__s8)0xef) /* what the allocator poisons with */

/* sched_ext's lib/alloc/asan: the shadow is the last eighth of the arena */
#define ASAN_SHADOW_SHIFT 3
#define BUDDY_ASAN_SHADOW_OFF ((__u32)((BUDDY_ARENA_PAGES * 4096ULL) / 8 * 7))
#define BUDDY_SHADOW_PAGES (BUDDY_CHUNK_BYTES / 8 / 4096) /* a chunk's: 32 */

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layouts shared by the fixture BPF programs (*.bpf.c) and their loader
 * (arena-fixture). In BPF, __arena is address space 1 and a pointer holds a
 * user address; in the loader __arena is empty and the same 8 bytes read as
 * a plain pointer into the loader's own mapping, which sits at the same
 * address. Only x86-64 (LP64) is supported, so both sides agree on sizes.
 */
#ifndef ARENA_FIXTURE_LAYOUT_H
#define ARENA_FIXTURE_LAYOUT_H

#include <linux/types.h>

#ifndef __arena
#define __arena
#endif

#define FX_PAGE_SIZE 4096

/*
 * The fixture's own accounting, one per scenario in .bss as `acct`.
 * allocated: pages the fixture believes are allocated right now;
 * reserved: pages reserved with bpf_arena_reserve_pages.
 */
struct fx_acct {
	__u32 allocated;
	__u32 reserved;
	__u64 steps;
	__u64 allocs;
	__u64 frees;
	__u64 rewrites;
};

/* ---- list ---- */
#define LIST_NODES 8
#define LIST_PAGES 3

enum color {
	COLOR_RED = 0,
	COLOR_GREEN = 1,
	COLOR_BLUE = 2,
	COLOR_BLACK = 3,
};

struct stats {
	__u64 hits;
	__u32 misses;
	__u16 flags;
	__u8 level;
	__s8 trend;
};

union payload {
	__u64 raw;
	struct {
		__u32 lo;
		__u32 hi;
	} half;
	char bytes[8];
};

struct node {
	struct node __arena *next;
	int id;
	char name[16];
	enum color kind;
	struct stats st;
	union payload pl;
	__u8 grid[2][3];
	__s16 delta;
	__u32 prio : 4, active : 1, weight : 11, spare : 16;
	__s64 balance;
};

/* ---- htab ---- */
#define HTAB_BUCKETS 64
#define HTAB_ENTRIES 300

struct entry {
	__u64 key;
	__u64 value;
	struct entry __arena *next;
	char tag[8];
};

struct hash_table {
	__u32 nbuckets;
	__u32 count;
	__u64 seed;
	struct entry __arena *buckets[HTAB_BUCKETS];
};

/* ---- tree ---- */
#define TREE_NODES 31
#define TREE_MAX_DEPTH 32

struct tnode {
	int key;
	__u32 depth;
	struct tnode __arena *left;
	struct tnode __arena *right;
	struct tnode __arena *parent;
	char label[12];
	__u16 visits;
	__u8 color : 1, leaf : 1, pad : 6;
	union {
		__u64 cookie;
		__s32 pair[2];
	} u;
};

/* ---- sparse ---- */
#define SPARSE_PAGES (1U << 20)
#define SPARSE_TRIES 3000
#define SPARSE_GUARD 16			   /* pages 0..15 reserved as a NULL guard */
#define SPARSE_RES_RANGES 8		   /* plus this many reserved runs ... */
#define SPARSE_RES_LEN 4		   /* ... of this many pages each */
#define SPARSE_MAGIC 0x5350415253450000ULL /* "SPARSE\0\0" */

struct sparse_page {
	__u64 index;
	__u64 magic;
	char label[16];
	struct sparse_page __arena *prev; /* previously allocated page */
};

/* ---- nouser ---- */
#define NOUSER_OBJS 4
#define NOUSER_MAGIC 0x4e4f555345520000ULL /* "NOUSER\0\0" */

struct nu_obj {
	__u64 magic;
	__u32 seq;
	__u32 crc;
	char msg[32];
	struct nu_obj __arena *self;
	struct nu_obj __arena *next;
};

/* ---- live ---- */
#define LIVE_BUCKETS 256
#define LIVE_POOL 4096
#define LIVE_MAX_CPUS 256

struct task_stat {
	__u32 pid;
	__u32 tgid;
	char comm[16];
	__u64 switches;
	__u64 runtime_ns;
	__u64 last_seen_ns;
	struct task_stat __arena *next;
};

struct live_table {
	__u32 nbuckets;
	__u32 pool_size;
	struct task_stat __arena *buckets[LIVE_BUCKETS];
};

struct live_hdr {
	__u64 generation; /* +1 per live_bump run */
	__u64 bumps;	  /* sum of live_bump arguments */
	__u64 last_arg;	  /* the last live_bump argument */
	__u64 switches;	  /* sched_switch events seen (racy, grows) */
	__u64 dropped;	  /* tasks not recorded: pool exhausted */
	__u32 nr_tasks;
	__u32 magic;
	struct live_table __arena *table;
	struct task_stat __arena *pool;
};

/* ctx_in of the live_bump syscall program */
struct live_bump_args {
	__u64 add;
};

#define LIVE_MAGIC 0x4c495645 /* "LIVE" */

/* ---- churn ---- */
#define CHURN_PAGES 512
#define CHURN_SLOTS 128
#define CHURN_MAX_RUN 3 /* pages per allocation: 1..3 */

struct churn_obj {
	__u64 serial;
	__u32 slot;
	__u32 npages;
	__u32 gen;
	__u32 checksum;
	char text[24];
	struct churn_obj __arena *prev;
};

struct churn_hdr {
	__u64 steps;
	__u64 serial;
	__u32 nslots;
	__u32 live;
	struct churn_obj __arena *slots[CHURN_SLOTS];
};

/* ctx_in of the churn_step syscall program */
struct churn_args {
	__u32 steps;
	__u32 pad;
};

/* ---- pagecount: the brute-force page counter (iterator) ---- */
#define PC_MAX_PAGES (1U << 20)
#define PC_CHUNK 65536 /* pages per iterator run: keeps each run short */

struct pc_args {
	__u32 map_id;
	__u32 first; /* first page of this run */
	__u32 count; /* pages in this run */
	__u32 pad;
};

struct pc_result {
	__u32 found;
	__u32 map_type;
	__u32 max_entries;
	__u32 present; /* pages that read fine, summed over runs */
	__u64 user_vm_start;
	__u64 user_vm_end;
	__u64 map_extra;
};

/* ---- planted (the health check's fixture) ---- */
#define PLANTED_PAGES 64
#define PLANTED_LIST 8 /* sound list nodes on page PLANTED_LIST_PAGE */
#define PLANTED_HDR_PAGE 1
#define PLANTED_LIST_PAGE 2
#define PLANTED_FREED_PAGE 3 /* allocated, then freed */
#define PLANTED_RESV_PAGE 4  /* reserved (page 0 is reserved too: a NULL guard) */
#define PLANTED_LEAK_PAGE 8  /* PLANTED_LEAK pages nothing points into */
#define PLANTED_LEAK 3
#define PLANTED_VAR_PAGE 6     /* two nodes reached only through .bss my_alloc */
#define PLANTED_MORE_NODE 5    /* planted_more: this list node's next dangles */
#define PLANTED_MORE_OFF 0x200 /* ... at this offset of the freed page */

struct pnode {
	__u64 id;
	struct pnode __arena *next;
	__u64 payload;
};

/* each pointer member holds one planted problem; stash is an integer
 * holding a pointer into the freed page (only the scan sees it) */
struct planted_hdr {
	__u64 magic;
	struct pnode __arena *list;
	struct pnode __arena *dangling;	  /* into the freed page */
	struct pnode __arena *reserved;	  /* into PLANTED_RESV_PAGE */
	struct pnode __arena *outside;	  /* past the last page */
	struct pnode __arena *poison;	  /* 0x100, LIST_POISON1 */
	struct pnode __arena *misaligned; /* list node 0 + 4 */
	struct pnode __arena *guard;	  /* into page 0, the NULL guard */
	__u64 stash;
};

/* a .bss struct holding arena pointers (as sched_ext keeps struct
 * scx_allocator): root is the only way to the nodes on PLANTED_VAR_PAGE
 * (root->next is the second), slots[1] points into the freed page */
struct planted_alloc {
	__u64 magic;
	struct pnode __arena *root;
	struct pnode __arena *slots[2];
};

#endif

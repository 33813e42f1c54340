// SPDX-License-Identifier: GPL-2.0
/*
 * The inspector's kernel-side probe. It never touches arena memory through a
 * user mapping: it reads the arena's kernel vm area, where a page that is
 * not there makes bpf_probe_read_kernel() return -EFAULT (and a direct load
 * through bpf_rdonly_cast() read 0) rather than allocating one. That is how
 * we keep the promise to change nothing.
 *
 * Kernel types are declared here with preserve_access_index so CO-RE finds
 * the fields on whatever kernel runs us; no vmlinux.h is needed to build.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "probe_abi.h"

char LICENSE[] SEC("license") = "GPL";

#define EFAULT 14
#define ARENA_TYPE 33

/*
 * The kernel's page size: log2(PAGE_SIZE), set by probe.c before the load
 * from sysconf(_SC_PAGESIZE) (PAGE_SIZE is a macro, which CO-RE cannot
 * relocate). As .rodata it is a constant to the verifier, so it bounds
 * the page reads below.
 */
const volatile __u32 page_shift = 0;
#define PAGE_SZ (1U << page_shift)
/* half the kernel's GUARD_SZ, round_up(1 << 16, PAGE_SIZE << 1) */
#define GUARD_HALF (PAGE_SZ > 32 * 1024 ? PAGE_SZ : 32 * 1024)

struct rb_node {
	unsigned long __rb_parent_color;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __attribute__((preserve_access_index));

struct rb_root {
	struct rb_node *rb_node;
} __attribute__((preserve_access_index));

struct rb_root_cached {
	struct rb_root rb_root;
	struct rb_node *rb_leftmost;
} __attribute__((preserve_access_index));

struct range_tree {
	struct rb_root_cached it_root;
	struct rb_root_cached range_size_root;
} __attribute__((preserve_access_index));

struct range_node {
	struct rb_node rn_rbnode;
	struct rb_node rb_range_size;
	__u32 rn_start;
	__u32 rn_last;
} __attribute__((preserve_access_index));

/* any kernel type that starts with 8 bytes serves to read a page's first
 * qword with bpf_rdonly_cast(); list_head is in every kernel's BTF */
struct list_head {
	struct list_head *next;
} __attribute__((preserve_access_index));

struct vm_struct {
	void *addr;
} __attribute__((preserve_access_index));

struct bpf_map {
	__u32 id;
	enum bpf_map_type map_type;
	__u32 max_entries;
	__u32 map_flags;
	__u64 map_extra;
} __attribute__((preserve_access_index));

struct bpf_arena {
	struct bpf_map map;
	__u64 user_vm_start;
	__u64 user_vm_end;
	struct vm_struct *kern_vm;
	struct range_tree rt;
} __attribute__((preserve_access_index));

struct bpf_iter_meta;
struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PROBE_MAX_RANGES);
	__type(key, __u32);
	__type(value, struct probe_range);
} ranges SEC(".maps");

/* RANGES mode: the walk's queue of tree nodes (rb_node addresses) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PROBE_MAX_RANGES);
	__type(key, __u32);
	__type(value, __u64);
} queue SEC(".maps");

/* PAGES mode input: runs of pages to probe, as probe_range */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PROBE_MAX_RUNS);
	__type(key, __u32);
	__type(value, struct probe_range);
} runs SEC(".maps");

/* two page buffers, so user space can write one out while we fill the
 * other: one page an entry, PROBE_BUF_BYTES each; probe.c sets value_size
 * to the page size and max_entries to match before the load */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PROBE_BUF_PAGES);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PROBE_BUF_BYTES / PROBE_BUF_PAGES);
} pagebuf SEC(".maps"), pagebuf2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PROBE_MAX_GATHER);
	__type(key, __u32);
	__type(value, struct probe_gather);
} gather SEC(".maps");

/* allocated-page bitmap written by PAGES mode, one bit per arena page */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PROBE_BITMAP_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} allocbits SEC(".maps");

struct probe_args args = {};
struct probe_result res = {};
__u8 page_ok[PROBE_BUF_PAGES] = {};

static __u64 kbase; /* kern address of arena page 0 */

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/*
 * Breadth-first walk of the free-range tree. Each step takes up to
 * BFS_BATCH queued nodes, whose addresses are all known, and reads them
 * with direct loads through bpf_rdonly_cast: the JIT emits plain loads with
 * an exception-table fixup (a fault reads 0), so the cache misses of the
 * batch overlap. An in-order walk chases one pointer at a time and took
 * twice as long. The ranges come out in tree level order; user space puts
 * them in page order. Tree nodes are kmalloc memory, so a fault only happens
 * when a node is freed under us: the checks here, the overlap check in user
 * space and the second walk catch that.
 */
#define BFS_BATCH 8
#define RN_OFF(f) bpf_core_field_offset(struct range_node, f)

/* walk state lives in .bss: the BPF stack is only 512 bytes */
static __u32 q_head, q_tail, walk_n;

static __always_inline int bfs_push(__u64 node)
{
	__u32 t = q_tail;
	__u64 *qp;

	if (!node)
		return 0;
	qp = bpf_map_lookup_elem(&queue, &t);
	if (!qp)
		return -1; /* more nodes than a tree of this arena can have */
	*qp = node;
	q_tail = t + 1;
	return 0;
}

static int bfs_step(__u32 i, void *ctx)
{
	__u64 nodes[BFS_BATCH];
	int cnt = 0;

	for (int k = 0; k < BFS_BATCH; k++) {
		__u32 h = q_head;
		__u64 *qp;

		if (h >= q_tail)
			break;
		qp = bpf_map_lookup_elem(&queue, &h);
		if (!qp)
			break;
		nodes[k] = *qp;
		q_head = h + 1;
		cnt++;
	}
	if (!cnt)
		return 1; /* done */
	for (int k = 0; k < BFS_BATCH && k < cnt; k++) {
		struct range_node *rn = bpf_rdonly_cast((void *)(nodes[k] - RN_OFF(rn_rbnode)),
							bpf_core_type_id_kernel(struct range_node));
		__u32 idx = walk_n;
		struct probe_range *out = bpf_map_lookup_elem(&ranges, &idx);

		if (!out)
			goto broken;
		out->start = rn->rn_start;
		out->last = rn->rn_last;
		/* a consistent range is inside the arena */
		if (out->last < out->start || out->last >= res.max_entries)
			goto broken;
		walk_n = idx + 1;
		if (bfs_push((__u64)rn->rn_rbnode.rb_left) ||
		    bfs_push((__u64)rn->rn_rbnode.rb_right))
			goto broken;
	}
	return 0;
broken:
	res.broken = 1;
	return 1;
}

static void walk_ranges(struct bpf_arena *arena)
{
	walk_n = 0;
	q_head = 0;
	q_tail = 0;
	/* kernels before the range tree: the loader folds this branch and
	 * the verifier never sees the relocations below */
	if (!bpf_core_field_exists(arena->rt)) {
		res.no_tree = 1;
		return;
	}
	if (bfs_push((__u64)BPF_CORE_READ(arena, rt.it_root.rb_root.rb_node))) {
		res.broken = 1;
		return;
	}
	/* every node is taken once; BFS_BATCH a step */
	bpf_loop(PROBE_MAX_RANGES / BFS_BATCH + 2, bfs_step, NULL, 0);
	if (q_head != q_tail)
		res.broken = 1;
	res.nr_ranges = walk_n;
}

static __always_inline int page_present(__u32 page)
{
	__u8 b;

	return bpf_probe_read_kernel(&b, 1, (void *)(kbase + ((__u64)page << page_shift))) == 0;
}

struct pages_ctx {
	__u32 run;
	__u32 page;
	__u32 last;
};

static __always_inline void mark_present(__u32 page)
{
	__u32 w = page / 64;
	__u64 *word = bpf_map_lookup_elem(&allocbits, &w);

	if (word)
		*word |= 1ULL << (page % 64);
	res.nr_ok++;
}

static int pages_step(__u32 i, struct pages_ctx *c)
{
	if (c->page > c->last) {
		__u32 idx = c->run;
		struct probe_range *r;

		if (idx >= args.nr_items)
			return 1;
		r = bpf_map_lookup_elem(&runs, &idx);
		if (!r || r->last >= res.max_entries || r->last < r->start)
			return 1;
		c->page = r->start;
		c->last = r->last;
		c->run++;
	}
	/*
	 * Eight pages per step inside long runs. Direct loads of the first
	 * qword go first, eight independent loads whose TLB misses overlap: a
	 * nonzero value proves the page is there (a fault reads 0). Only
	 * pages that read 0 need the helper, which tells a zero from a hole.
	 */
	if (c->last - c->page >= 7) {
		__u32 p = c->page;
		__u64 q[8];

#pragma clang loop unroll(full)
		for (int k = 0; k < 8; k++) {
			struct list_head *lh =
				bpf_rdonly_cast((void *)(kbase + ((__u64)(p + k) << page_shift)),
						bpf_core_type_id_kernel(struct list_head));
			q[k] = (__u64)lh->next;
		}
#pragma clang loop unroll(full)
		for (int k = 0; k < 8; k++)
			if (q[k] || page_present(p + k))
				mark_present(p + k);
		c->page += 8;
		return 0;
	}
	if (page_present(c->page))
		mark_present(c->page);
	c->page++;
	return 0;
}

static int read_step(__u32 i, void *ctx)
{
	__u32 page = args.first_page + i;
	__u8 *dst;

	if (i >= args.nr_pages || page >= res.max_entries)
		return 1;
	dst = args.buf ? bpf_map_lookup_elem(&pagebuf2, &i) : bpf_map_lookup_elem(&pagebuf, &i);
	if (!dst)
		return 1;
	if (bpf_probe_read_kernel(dst, PAGE_SZ, (void *)(kbase + ((__u64)page << page_shift))) ==
	    0) {
		page_ok[i & (PROBE_BUF_PAGES - 1)] = 1;
		res.nr_ok++;
	} else {
		page_ok[i & (PROBE_BUF_PAGES - 1)] = 0;
	}
	return 0;
}

static int gather_step(__u32 i, void *ctx)
{
	struct probe_gather *g;
	__u32 len;

	if (i >= args.nr_items)
		return 1;
	g = bpf_map_lookup_elem(&gather, &i);
	if (!g)
		return 1;
	len = g->len;
	if (len == 0 || len > PROBE_GATHER_MAX_LEN ||
	    (__u64)g->off + len > (__u64)res.max_entries << page_shift) {
		g->err = -EFAULT;
		return 0;
	}
	g->err = bpf_probe_read_kernel(g->data, len & (PROBE_GATHER_MAX_LEN * 2 - 1),
				       (void *)(kbase + g->off));
	if (!g->err)
		res.nr_ok++;
	return 0;
}

SEC("iter/bpf_map")
int arena_probe(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct bpf_arena *arena;
	struct pages_ctx pc = { .page = 1, .last = 0 };

	if (!map || BPF_CORE_READ(map, id) != args.target_id)
		return 0;
	if ((__u32)BPF_CORE_READ(map, map_type) != ARENA_TYPE) {
		res.status = PROBE_NOT_ARENA;
		return 0;
	}
	arena = (void *)map;
	res.status = PROBE_FOUND;
	res.map_flags = BPF_CORE_READ(map, map_flags);
	res.max_entries = BPF_CORE_READ(map, max_entries);
	res.map_extra = BPF_CORE_READ(map, map_extra);
	res.user_vm_start = BPF_CORE_READ(arena, user_vm_start);
	res.user_vm_end = BPF_CORE_READ(arena, user_vm_end);
	res.kern_vm_start =
		(__u64)BPF_CORE_READ(arena, kern_vm, addr) + GUARD_HALF + (__u32)res.user_vm_start;
	kbase = res.kern_vm_start;
	res.broken = 0;
	res.nr_ok = 0;

	switch (args.mode) {
	case PROBE_RANGES: walk_ranges(arena); break;
	case PROBE_PAGES: bpf_loop(1U << 20, pages_step, &pc, 0); break;
	case PROBE_READ:
		if (res.user_vm_start)
			bpf_loop(PROBE_BUF_PAGES, read_step, NULL, 0);
		break;
	case PROBE_GATHER:
		if (res.user_vm_start)
			bpf_loop(PROBE_MAX_GATHER, gather_step, NULL, 0);
		break;
	}
	return 0;
}

/*
 * For tests only: a program the verifier must refuse, so a test can see a
 * real load failure and the verifier's own words. The "?" keeps it out of
 * every load unless probe.c turns it on (AI_TEST_PROBE_FAIL=1). ctx->map is
 * NULL on the iterator's last call, and this reads through it unchecked.
 */
SEC("?iter/bpf_map")
int arena_probe_broken(struct bpf_iter__bpf_map *ctx)
{
	return ctx->map->id;
}

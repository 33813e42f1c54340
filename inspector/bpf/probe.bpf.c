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

/* PAGEMAP mode: the free pages, one bit each, from the walk's ranges
 * (user space zeroes it before the pass) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PROBE_BITMAP_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} freebits SEC(".maps");

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
	__u64 nodes[BFS_BATCH], lr[BFS_BATCH][2];
	__u32 se[BFS_BATCH][2];
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
	/* every load of the batch before any store: their misses overlap */
	for (int k = 0; k < BFS_BATCH; k++) {
		struct range_node *rn;

		if (k >= cnt)
			break;
		rn = bpf_rdonly_cast((void *)(nodes[k] - RN_OFF(rn_rbnode)),
				     bpf_core_type_id_kernel(struct range_node));
		lr[k][0] = (__u64)rn->rn_rbnode.rb_left;
		lr[k][1] = (__u64)rn->rn_rbnode.rb_right;
		se[k][0] = rn->rn_start;
		se[k][1] = rn->rn_last;
	}
	for (int k = 0; k < BFS_BATCH && k < cnt; k++) {
		__u32 idx = walk_n;
		struct probe_range *out = bpf_map_lookup_elem(&ranges, &idx);

		/* a consistent range is inside the arena */
		if (!out || se[k][1] < se[k][0] || se[k][1] >= res.max_entries)
			goto broken;
		out->start = se[k][0];
		out->last = se[k][1];
		walk_n = idx + 1;
		if (bfs_push(lr[k][0]) || bfs_push(lr[k][1]))
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

/*
 * CHECK: is the tree still the one the walk saw? Re-read every node the
 * walk recorded (queue[k] is the node whose range is ranges[k], in BFS
 * order): its range, and its two child pointers, which in BFS order must be
 * the next unclaimed queue entries. With the root pointer that pins the
 * whole shape: a node inserted or removed changes some child pointer (or
 * the root), a rotation changes child pointers, a range that grows or
 * shrinks changes rn_start/rn_last. Unlike the walk, all addresses are
 * known up front, so there is no pointer chase: BFS_BATCH independent
 * loads a step. probe.c argues why this is as good as a second walk.
 */
#define CHECK_BATCH 8
static __u32 chk_k, chk_c;

static int check_step(__u32 i, void *ctx)
{
	__u64 nodes[CHECK_BATCH], lr[CHECK_BATCH][2];
	__u32 se[CHECK_BATCH][2];
	int cnt = 0;

	for (int k = 0; k < CHECK_BATCH; k++) {
		__u32 h = chk_k + k;
		__u64 *qp;

		if (h >= walk_n)
			break;
		qp = bpf_map_lookup_elem(&queue, &h);
		if (!qp)
			break;
		nodes[k] = *qp;
		cnt++;
	}
	if (!cnt)
		return 1; /* done */
	/* every load of the batch before any compare: their misses overlap */
	for (int k = 0; k < CHECK_BATCH; k++) {
		struct range_node *rn;

		if (k >= cnt)
			break;
		rn = bpf_rdonly_cast((void *)(nodes[k] - RN_OFF(rn_rbnode)),
				     bpf_core_type_id_kernel(struct range_node));
		lr[k][0] = (__u64)rn->rn_rbnode.rb_left;
		lr[k][1] = (__u64)rn->rn_rbnode.rb_right;
		se[k][0] = rn->rn_start;
		se[k][1] = rn->rn_last;
	}
	for (int k = 0; k < CHECK_BATCH; k++) {
		__u32 h = chk_k + k;
		struct probe_range *out;

		if (k >= cnt)
			break;
		out = bpf_map_lookup_elem(&ranges, &h);
		if (!out || out->start != se[k][0] || out->last != se[k][1])
			goto changed;
		for (int j = 0; j < 2; j++) {
			__u32 c = chk_c;
			__u64 *qp;

			if (!lr[k][j])
				continue;
			qp = bpf_map_lookup_elem(&queue, &c);
			if (c >= walk_n || !qp || *qp != lr[k][j])
				goto changed;
			chk_c = c + 1;
		}
	}
	chk_k += cnt;
	return 0;
changed:
	res.changed = 1;
	return 1;
}

static void check_tree(struct bpf_arena *arena)
{
	__u64 root = (__u64)BPF_CORE_READ(arena, rt.it_root.rb_root.rb_node);
	__u32 zero = 0;
	__u64 *q0 = bpf_map_lookup_elem(&queue, &zero);

	chk_k = 0;
	chk_c = 1;
	if (!bpf_core_field_exists(arena->rt))
		return;
	if (!walk_n) {
		res.changed = root != 0;
		return;
	}
	if (!q0 || *q0 != root) {
		res.changed = 1;
		return;
	}
	bpf_loop(PROBE_MAX_RANGES / CHECK_BATCH + 2, check_step, NULL, 0);
	if (chk_k != walk_n || chk_c != walk_n)
		res.changed = 1;
}

/* PAGEMAP: set the bits of the walk's ranges in freebits, up to MARK_WORDS
 * words a step (a bpf_loop step costs more than a word). Ranges of one
 * consistent tree are disjoint: a bit already set means the tree changed
 * under the walk. */
#define MARK_WORDS 32

struct mark_ctx {
	__u32 range;
	__u32 word;
	__u32 start;
	__u32 last;
};

static int mark_step(__u32 i, struct mark_ctx *c)
{
	if (c->word > c->last / 64) {
		__u32 idx = c->range;
		struct probe_range *r;

		if (idx >= walk_n)
			return 1;
		r = bpf_map_lookup_elem(&ranges, &idx);
		/* the walk checked last < max_entries and start <= last */
		if (!r || r->last < r->start || r->last >= res.max_entries)
			goto broken;
		c->start = r->start;
		c->last = r->last;
		c->word = r->start / 64;
		c->range = idx + 1;
	}
	for (int k = 0; k < MARK_WORDS; k++) {
		__u32 w = c->word, lo, hi;
		__u64 bits, *word;

		if (w > c->last / 64)
			break;
		lo = w * 64 < c->start ? c->start - w * 64 : 0;
		hi = c->last - w * 64 >= 63 ? 63 : c->last - w * 64;
		if (lo > hi)
			goto broken;
		bits = (~0ULL >> (63 - (hi - lo))) << lo;
		word = bpf_map_lookup_elem(&freebits, &w);
		if (!word || (*word & bits))
			goto broken;
		*word |= bits;
		c->word = w + 1;
	}
	return 0;
broken:
	res.broken = 1;
	return 1;
}

static __always_inline int page_present(__u32 page)
{
	__u8 b;

	return bpf_probe_read_kernel(&b, 1, (void *)(kbase + ((__u64)page << page_shift))) == 0;
}

/* Where a loop over the runs map (args.nr_items runs) is: run, and the
 * page it is at in [page, last] */
struct runs_ctx {
	__u32 run;
	__u32 page;
	__u32 last;
};

/* On to the next run; 0 after the last one or at a bad one */
static __always_inline int next_run(struct runs_ctx *c)
{
	__u32 idx = c->run;
	struct probe_range *r;

	if (idx >= args.nr_items)
		return 0;
	r = bpf_map_lookup_elem(&runs, &idx);
	if (!r || r->last >= res.max_entries || r->last < r->start)
		return 0;
	c->page = r->start;
	c->last = r->last;
	c->run++;
	return 1;
}

static __always_inline void mark_present(__u32 page)
{
	__u32 w = page / 64;
	__u64 *word = bpf_map_lookup_elem(&allocbits, &w);

	if (word)
		*word |= 1ULL << (page % 64);
	res.nr_ok++;
}

static int pages_step(__u32 i, struct runs_ctx *c)
{
	if (c->page > c->last && !next_run(c))
		return 1;
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

/* ctz of a 64-bit word with one bit set, by de Bruijn multiplication:
 * BPF has no count-trailing-zeros instruction */
static const __u8 debruijn64[64] = {
	0,  1,	48, 2,	57, 49, 28, 3,	61, 58, 50, 42, 38, 29, 17, 4,	62, 55, 59, 36, 53, 51,
	43, 22, 45, 39, 33, 30, 24, 18, 12, 5,	63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21,
	44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,	13, 8,	7,  6,
};

/* PAGEMAP: probe every page whose free bit is clear, up to eight a step,
 * picked across run boundaries, so that the TLB misses of eight pages
 * overlap however short the runs are; one allocbits write per word. */
#define SKIP_WORDS 64

struct scan_ctx {
	__u32 word;   /* the word `todo` belongs to */
	__u32 nwords; /* words that hold arena pages */
	__u64 todo;   /* its non-free pages not probed yet */
	__u64 acc;    /* its pages found present */
};

static int scan_step(__u32 i, struct scan_ctx *c)
{
	__u32 pg[8];
	__u64 q[8];
	int cnt = 0;

	if (!c->todo) {
		__u32 w = c->word + 1;
		__u64 *fw, *aw;

		if (c->acc) {
			__u32 prev = c->word;

			aw = bpf_map_lookup_elem(&allocbits, &prev);
			if (aw)
				*aw = c->acc;
			c->acc = 0;
		}
		/* whole free words (most of a sparse arena) in one step */
		for (int k = 0; k < SKIP_WORDS; k++, w++) {
			if (w >= c->nwords)
				return 1;
			fw = bpf_map_lookup_elem(&freebits, &w);
			if (!fw)
				return 1;
			if (~*fw)
				break;
		}
		if (w >= c->nwords)
			return 1;
		c->word = w;
		fw = bpf_map_lookup_elem(&freebits, &w);
		if (!fw)
			return 1;
		c->todo = ~*fw;
		if (w == c->nwords - 1 && res.max_entries % 64)
			c->todo &= (1ULL << (res.max_entries % 64)) - 1;
		return 0;
	}
#pragma clang loop unroll(full)
	for (int k = 0; k < 8; k++) {
		__u64 t = c->todo;

		pg[k] = 0;
		if (t) {
			pg[k] = c->word * 64 + debruijn64[((t & -t) * 0x03f79d71b4cb0a89ULL) >> 58];
			c->todo = t & (t - 1);
			cnt = k + 1;
		}
	}
	/* the direct loads first, independent of each other: a nonzero
	 * first qword proves the page is there (a fault reads 0) */
#pragma clang loop unroll(full)
	for (int k = 0; k < 8; k++) {
		q[k] = 0;
		if (k < cnt) {
			struct list_head *lh =
				bpf_rdonly_cast((void *)(kbase + ((__u64)pg[k] << page_shift)),
						bpf_core_type_id_kernel(struct list_head));
			q[k] = (__u64)lh->next;
		}
	}
#pragma clang loop unroll(full)
	for (int k = 0; k < 8; k++) {
		if (k < cnt && (q[k] || page_present(pg[k]))) {
			c->acc |= 1ULL << (pg[k] % 64);
			res.nr_ok++;
		}
	}
	return 0;
}

static void pagemap_pass(struct bpf_arena *arena)
{
	struct mark_ctx mc = { .word = 1, .last = 0 };
	__u64 t0 = bpf_ktime_get_ns(), t1, t2, t3;

	walk_ranges(arena);
	t1 = bpf_ktime_get_ns();
	res.walk_ns = t1 - t0;
	if (res.no_tree || res.broken)
		return;
	bpf_loop(PROBE_MAX_RANGES + PROBE_BITMAP_WORDS + 2, mark_step, &mc, 0);
	t2 = bpf_ktime_get_ns();
	res.mark_ns = t2 - t1;
	if (res.broken)
		return;
	/* an arena nobody mapped has no memory: every non-free page is reserved */
	if (res.user_vm_start) {
		struct scan_ctx sc = {
			.word = (__u32)-1,
			.nwords = (res.max_entries + 63) / 64,
		};

		bpf_loop(PROBE_BITMAP_WORDS * 10 + 2, scan_step, &sc, 0);
	}
	t3 = bpf_ktime_get_ns();
	res.probe_ns = t3 - t2;
	check_tree(arena);
	res.check_ns = bpf_ktime_get_ns() - t3;
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

/* READ_RUNS: buffer slot i gets the next page of the runs */
static int read_runs_step(__u32 i, struct runs_ctx *c)
{
	__u8 *dst;

	if (c->page > c->last && !next_run(c))
		return 1;
	dst = args.buf ? bpf_map_lookup_elem(&pagebuf2, &i) : bpf_map_lookup_elem(&pagebuf, &i);
	if (!dst)
		return 1;
	if (bpf_probe_read_kernel(dst, PAGE_SZ, (void *)(kbase + ((__u64)c->page << page_shift))) ==
	    0) {
		page_ok[i & (PROBE_BUF_PAGES - 1)] = 1;
		res.nr_ok++;
	} else {
		page_ok[i & (PROBE_BUF_PAGES - 1)] = 0;
	}
	c->page++;
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
	struct runs_ctx pc = { .page = 1, .last = 0 };
	struct runs_ctx rc = { .page = 1, .last = 0 };

	if (!map)
		return 0;
	res.nr_maps++;
	if (BPF_CORE_READ(map, id) != args.target_id)
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
	case PROBE_PAGEMAP: pagemap_pass(arena); break;
	case PROBE_CHECK: check_tree(arena); break;
	case PROBE_PAGES: bpf_loop(1U << 20, pages_step, &pc, 0); break;
	case PROBE_READ:
		if (res.user_vm_start)
			bpf_loop(PROBE_BUF_PAGES, read_step, NULL, 0);
		break;
	case PROBE_READ_RUNS:
		if (res.user_vm_start)
			bpf_loop(PROBE_BUF_PAGES, read_runs_step, &rc, 0);
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

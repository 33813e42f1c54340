// SPDX-License-Identifier: GPL-2.0
/*
 * alist: arena data laid out the way the kernel BPF selftests lay it out
 * (bpf_arena_list.h, bpf_arena_alloc.h, progs/arena_list.c), so the
 * inspector meets what real arena code leaves behind:
 *
 * - an intrusive doubly-linked list (include/fxlist.h) of ALIST_ELEMS
 *   struct elem, node embedded at offset 8, built with list_add_head (so the
 *   list runs from the last key added to the first), root .bss list_head;
 * - a `void *` root, table_for_user, pointing at a struct fxl_table whose
 *   buckets are list heads of struct item (node at offset 0);
 * - every object carved by a page-fragment allocator: per-CPU current page
 *   and offset (.bss page_frag_cur_page[], page_frag_cur_offset[]), objects
 *   carved downwards from FXL_PAGE_SIZE - 8, the page's last 8 bytes a u64
 *   count of live objects, the page freed when the count drops to 0;
 * - planted problems in lists of their own, so the lists above stay sound:
 *   cycle_head (node 3's next points back at node 1), poison_head (node 1
 *   was list_del'ed and freed, then linked again by a stale pointer: its
 *   next is 0x100, its pprev 0x122), freed_head (node 1 lives on a page that
 *   was freed afterwards).
 *
 * The types are reached only through struct arena_list_head pointers and
 * casts, so the BTF holds struct arena_list_node as a FWD and struct elem,
 * struct item and struct fxl_table not at all (the loader checks).
 */
#define FX_ARENA_PAGES 64
#include <stdbool.h>
#include "fx_bpf.h"
#include "fxlist.h"

#define ALIST_ELEMS 100
#define ALIST_ITEMS 24
#define ALIST_NR_CPUS 128 /* upstream sizes these by NR_CPUS */
#define ALIST_MAX_PAGES 8

/* the roots */
struct arena_list_head __arena *list_head;
void __arena *table_for_user;
struct arena_list_head __arena *cycle_head;
struct arena_list_head __arena *poison_head;
struct arena_list_head __arena *freed_head;

/* the allocator's state (upstream keeps it in __arena globals, which
 * libbpf 1.1 cannot load) */
void __arena *page_frag_cur_page[ALIST_NR_CPUS];
int page_frag_cur_offset[ALIST_NR_CPUS];

/* the fixture's own books, for the loader's expectations */
__u64 frag_pages[ALIST_MAX_PAGES]; /* every page the allocator took, in order */
__u32 nr_frag_pages;
__u64 freed_page; /* the page freed under freed_head's node 1 */
__u32 alloc_cpu;
__u32 nr_elems;
__u32 nr_items;
__u64 live_objs;

static __always_inline void __arena *frag_alloc_on(__u32 slot, __u32 size)
{
	__u64 __arena *cnt;
	char __arena *page;
	int off;

	size = (size + 7) & ~7U;
	if (slot >= ALIST_NR_CPUS || size >= FXL_COUNT_OFF)
		return NULL;
	page = page_frag_cur_page[slot];
	off = page_frag_cur_offset[slot] - (int)size;
	if (!page || off < 0) {
		/* a fresh page is zeroed: its count starts at 0 */
		page = fx_alloc(1);
		if (!page)
			return NULL;
		page_frag_cur_page[slot] = page;
		off = FXL_COUNT_OFF - size;
		if (nr_frag_pages < ALIST_MAX_PAGES)
			frag_pages[nr_frag_pages] = (__u64)page;
		nr_frag_pages++;
	}
	cnt = (__u64 __arena *)(page + FXL_COUNT_OFF);
	(*cnt)++;
	page_frag_cur_offset[slot] = off;
	live_objs++;
	return page + off;
}

static __always_inline void __arena *frag_alloc(__u32 size)
{
	return frag_alloc_on(bpf_get_smp_processor_id(), size);
}

static __always_inline void frag_free(void __arena *addr)
{
	char __arena *page = (char __arena *)((__u64)addr & ~(__u64)(FXL_PAGE_SIZE - 1));
	__u64 __arena *cnt = (__u64 __arena *)(page + FXL_COUNT_OFF);
	__u32 i;

	live_objs--;
	if (--(*cnt))
		return;
	fx_free(page, 1);
	/* unlike upstream, forget the page where it is some CPU's current one,
	 * so the allocator's state never points at a freed page */
#pragma clang loop unroll(disable)
	for (i = 0; i < ALIST_NR_CPUS; i++)
		if (page_frag_cur_page[i] == page) {
			page_frag_cur_page[i] = NULL;
			page_frag_cur_offset[i] = 0;
		}
}

/* "PREFIX-N" into a stack buffer of FXL_NAME_LEN bytes, zero-padded */
static __always_inline void alist_name(char *dst, char a, char b, __u32 n)
{
	char digits[10];
	int i, k = 0;

	dst[0] = a;
	dst[1] = b;
	dst[2] = '-';
#pragma clang loop unroll(disable)
	do {
		digits[k++] = '0' + n % 10;
		n /= 10;
	} while (n && k < 10);
#pragma clang loop unroll(disable)
	for (i = 0; i < k && i < FXL_NAME_LEN - 4; i++)
		dst[3 + i] = digits[k - 1 - i];
}

static __always_inline struct elem __arena *new_elem(__u32 slot, __u64 key, __u64 value, char a,
						     char b)
{
	struct elem __arena *e = frag_alloc_on(slot, sizeof(*e));
	struct elem st = {};

	if (!e)
		return NULL;
	st.key = key;
	st.value = value;
	alist_name(st.name, a, b, key);
	fx_put(e, &st, sizeof(st));
	return e;
}

static int add_elem(__u32 i, void *ctx)
{
	struct elem __arena *e = new_elem(bpf_get_smp_processor_id(), i, i * 1000 + 7, 'e', 'l');

	if (!e)
		return 1;
	fxl_list_add_head(&e->node, list_head);
	nr_elems++;
	return 0;
}

static int add_item(__u32 i, void *ctx)
{
	struct fxl_table __arena *t = table_for_user;
	struct item __arena *it = frag_alloc(sizeof(*it));
	struct item st = {};

	if (!it || !t)
		return 1;
	st.key = i * 37 + 5;
	st.value = i * 3;
	st.bucket = st.key % FXL_BUCKETS;
	st.hot = i % 5 == 0;
	fx_put(it, &st, sizeof(st));
	fxl_list_add_head(&it->node, &t->buckets[st.bucket]);
	t->count++;
	nr_items++;
	return 0;
}

static __always_inline struct arena_list_head __arena *new_head(void)
{
	return frag_alloc(sizeof(struct arena_list_head));
}

/* n elements keyed base, base+1, ... linked so the list is in key order */
static __always_inline int fill_small(struct arena_list_head __arena *h, __u32 slot, __u64 base,
				      int n, char a, char b, struct elem __arena **out)
{
	int i;

#pragma clang loop unroll(disable)
	for (i = n - 1; i >= 0; i--) {
		struct elem __arena *e = new_elem(slot, base + i, base + i * 100, a, b);

		if (!e)
			return -1;
		fxl_list_add_head(&e->node, h);
		if (out)
			out[i] = e;
	}
	return 0;
}

SEC("syscall")
int alist_fill(void *ctx)
{
	struct elem __arena *c[4], *p[3], *f1, *f0;
	struct fxl_table st = { .nbuckets = FXL_BUCKETS };
	struct fxl_table __arena *t;
	__u32 cpu = bpf_get_smp_processor_id(), other;

	if (cpu >= ALIST_NR_CPUS)
		return -1;
	alloc_cpu = cpu;
	other = (cpu + 1) % ALIST_NR_CPUS;

	list_head = new_head();
	t = frag_alloc(sizeof(*t));
	if (!list_head || !t)
		return -1;
	fx_put(t, &st, sizeof(st));
	table_for_user = t;
	bpf_loop(ALIST_ELEMS, add_elem, NULL, 0);
	bpf_loop(ALIST_ITEMS, add_item, NULL, 0);
	if (nr_elems != ALIST_ELEMS || nr_items != ALIST_ITEMS)
		return -1;

	/* cycle: c0 -> c1 -> c2 -> c3 -> back to c1 */
	cycle_head = new_head();
	if (!cycle_head || fill_small(cycle_head, cpu, 1000, 4, 'c', 'y', c))
		return -1;
	c[3]->node.next = &c[1]->node;

	/* poison: p0 -> p1 -> p2; list_del(p1) and free it as arena_list.c
	 * does, then a stale pointer links it again: p0 -> p1 -> 0x100 */
	poison_head = new_head();
	if (!poison_head || fill_small(poison_head, cpu, 2000, 3, 'p', 'o', p))
		return -1;
	fxl_list_del(&p[1]->node);
	frag_free(p[1]);
	p[0]->node.next = &p[1]->node;

	/* freed: f0 -> f1, f1 alone on a page taken by another CPU's slot;
	 * freeing f1 frees that page and leaves f0's next dangling */
	freed_head = new_head();
	if (!freed_head)
		return -1;
	f1 = new_elem(other, 3001, 300100, 'f', 'r');
	f0 = new_elem(cpu, 3000, 300000, 'f', 'r');
	if (!f1 || !f0)
		return -1;
	fxl_list_add_head(&f1->node, freed_head);
	fxl_list_add_head(&f0->node, freed_head);
	freed_page = (__u64)f1 & ~(__u64)(FXL_PAGE_SIZE - 1);
	frag_free(f1);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The alist scenario (alist.bpf.c): lists laid out as the kernel selftests'
 * arena list, a `void *` root and a page-fragment allocator. The loader
 * walks every list through its own mapping to state what a test may
 * expect, and checks the two facts the scenario exists for: the program's
 * BTF holds struct arena_list_node only as a FWD, and struct elem, struct
 * item and struct fxl_table not at all.
 *
 * Only pages the allocator took and still holds are read (alist_ptr): the
 * page freed under freed_head's second node must not be touched, or the
 * loader's own read would allocate it again.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>
#include <bpf/btf.h>

#include "fx_loader.h"
#include "fxlist.h"
#include "alist.skel.h"

#define UADDR(p) ((__u64)(uintptr_t)(p))
#define ALIST_MAX_WALK 128 /* longer than any list here */
#define ALIST_NR_CPUS (sizeof(((struct alist__bss *)0)->page_frag_cur_page) / sizeof(void *))
#define ALIST_MAX_PAGES (sizeof(((struct alist__bss *)0)->frag_pages) / sizeof(__u64))

/* how a walk from a list head ended */
enum alist_end { END_NULL, END_CYCLE, END_POISON, END_FREED };

struct alist_walk {
	__u64 nodes[ALIST_MAX_WALK]; /* node addresses in list order */
	int n;
	enum alist_end end;
	__u64 end_value; /* the poison value, or the pointer into the freed page */
	int cycle_to;	 /* END_CYCLE: nodes[n - 1] points back at nodes[cycle_to] */
};

/* the types the BTF must not hold, and the one it must hold only as a FWD */
static const char *const alist_absent[] = { "elem", "item", "fxl_table" };

static bool page_is_live(const struct alist__bss *b, __u64 page)
{
	__u32 n = b->nr_frag_pages < ALIST_MAX_PAGES ? b->nr_frag_pages : ALIST_MAX_PAGES;

	if (page == b->freed_page)
		return false;
	for (__u32 i = 0; i < n; i++)
		if (b->frag_pages[i] == page)
			return true;
	return false;
}

/* the loader's view of LEN bytes at uaddr, only on a page the allocator holds */
static const void *alist_ptr(const struct fx *fx, const struct alist__bss *b, __u64 uaddr,
			     size_t len)
{
	__u64 page = uaddr & ~(__u64)(FX_PAGE_SIZE - 1);

	if (!page_is_live(b, page) || (uaddr & (FX_PAGE_SIZE - 1)) + len > FX_PAGE_SIZE)
		return NULL;
	return fx_ptr(fx, uaddr, len);
}

static int alist_walk(const struct fx *fx, const struct alist__bss *b, const char *what, __u64 head,
		      struct alist_walk *w)
{
	const struct arena_list_head *h = alist_ptr(fx, b, head, sizeof(*h));
	__u64 a;

	memset(w, 0, sizeof(*w));
	if (!h)
		return fx_err(-EFAULT, "alist: %s head 0x%llx is not on an allocator page", what,
			      (unsigned long long)head);
	for (a = UADDR(h->first);; w->n++) {
		const struct arena_list_node *nd;

		if (!a) {
			w->end = END_NULL;
			return 0;
		}
		if (a == FXL_POISON1) {
			w->end = END_POISON;
			w->end_value = a;
			return 0;
		}
		if ((a & ~(__u64)(FX_PAGE_SIZE - 1)) == b->freed_page) {
			w->end = END_FREED;
			w->end_value = a;
			return 0;
		}
		for (int i = 0; i < w->n; i++)
			if (w->nodes[i] == a) {
				w->end = END_CYCLE;
				w->cycle_to = i;
				return 0;
			}
		nd = alist_ptr(fx, b, a, sizeof(*nd));
		if (!nd || w->n >= ALIST_MAX_WALK)
			return fx_err(-EIO, "alist: %s: node %d at 0x%llx is unexpected", what,
				      w->n, (unsigned long long)a);
		w->nodes[w->n] = a;
		a = UADDR(nd->next);
	}
}

/* "elems"-style array: one object per node of a walk, struct elem around each */
static int alist_elems(struct fx *fx, const struct alist__bss *b, const struct alist_walk *w)
{
	struct jw *j = fx->expect;

	jw_arr(j);
	for (int i = 0; i < w->n; i++) {
		__u64 ea = w->nodes[i] - offsetof(struct elem, node);
		const struct elem *e = alist_ptr(fx, b, ea, sizeof(*e));

		if (!e)
			return fx_err(-EIO, "alist: element at 0x%llx is not on an allocator page",
				      (unsigned long long)ea);
		jw_obj(j);
		jw_khex(j, "addr", ea);
		jw_khex(j, "node", w->nodes[i]);
		jw_khex(j, "next", UADDR(e->node.next));
		jw_khex(j, "pprev", UADDR(e->node.pprev));
		jw_kuint(j, "key", e->key);
		jw_kuint(j, "value", e->value);
		jw_key(j, "name");
		jw_strn(j, e->name, sizeof(e->name));
		jw_obj_end(j);
	}
	jw_arr_end(j);
	return 0;
}

/* every pprev points at the pointer that points at the node: a sound list */
static int alist_check_pprev(const struct fx *fx, const struct alist__bss *b, const char *what,
			     __u64 head, const struct alist_walk *w)
{
	__u64 want = head + offsetof(struct arena_list_head, first);

	for (int i = 0; i < w->n; i++) {
		const struct arena_list_node *nd = alist_ptr(fx, b, w->nodes[i], sizeof(*nd));

		if (!nd || UADDR(nd->pprev) != want)
			return fx_err(-EIO, "alist: %s: node %d has a wrong pprev", what, i);
		want = w->nodes[i] + offsetof(struct arena_list_node, next);
	}
	return 0;
}

static int alist_main(struct fx *fx, const struct alist__bss *b)
{
	struct jw *j = fx->expect;
	struct alist_walk w;
	__u64 head = UADDR(b->list_head);
	int err = alist_walk(fx, b, "list_head", head, &w);

	if (!err && (w.end != END_NULL || w.n != (int)b->nr_elems))
		err = fx_err(-EIO, "alist: the main list has %d nodes and does not end in NULL",
			     w.n);
	if (!err)
		err = alist_check_pprev(fx, b, "list_head", head, &w);
	if (err)
		return err;
	jw_khex(j, "list_head", head);
	jw_khex(j, "first", w.n ? w.nodes[0] : 0);
	jw_kint(j, "count", w.n);
	jw_key(j, "elems");
	return alist_elems(fx, b, &w);
}

static int alist_table(struct fx *fx, const struct alist__bss *b)
{
	struct jw *j = fx->expect;
	__u64 ta = UADDR(b->table_for_user);
	const struct fxl_table *t = alist_ptr(fx, b, ta, sizeof(*t));
	unsigned int total = 0;

	if (!t || t->nbuckets != FXL_BUCKETS)
		return fx_err(-EIO, "alist: table_for_user does not lead to the table");
	jw_khex(j, "table_for_user", ta);
	jw_kstr(j, "table_type", "struct fxl_table");
	jw_kuint(j, "nbuckets", t->nbuckets);
	jw_kuint(j, "items", t->count);
	jw_key(j, "buckets");
	jw_arr(j);
	for (unsigned int i = 0; i < FXL_BUCKETS; i++) {
		__u64 head = ta + offsetof(struct fxl_table, buckets) +
			     i * sizeof(struct arena_list_head);
		struct alist_walk w;
		int err = alist_walk(fx, b, "bucket", head, &w);

		if (!err && w.end != END_NULL)
			err = fx_err(-EIO, "alist: bucket %u does not end in NULL", i);
		if (!err)
			err = alist_check_pprev(fx, b, "bucket", head, &w);
		if (err)
			return err;
		jw_obj(j);
		jw_kuint(j, "index", i);
		jw_khex(j, "head", head);
		jw_khex(j, "first", w.n ? w.nodes[0] : 0);
		jw_kint(j, "count", w.n);
		jw_key(j, "items");
		jw_arr(j);
		for (int k = 0; k < w.n; k++) {
			/* node at offset 0: the item's address is the node's */
			const struct item *it = alist_ptr(fx, b, w.nodes[k], sizeof(*it));

			if (!it || it->bucket != i)
				return fx_err(-EIO, "alist: bad item in bucket %u", i);
			jw_obj(j);
			jw_khex(j, "addr", w.nodes[k]);
			jw_khex(j, "node", w.nodes[k] + offsetof(struct item, node));
			jw_khex(j, "next", UADDR(it->node.next));
			jw_kuint(j, "key", it->key);
			jw_kuint(j, "value", it->value);
			jw_kuint(j, "bucket", it->bucket);
			jw_key(j, "hot");
			jw_bool(j, it->hot);
			jw_obj_end(j);
		}
		jw_arr_end(j);
		jw_obj_end(j);
		total += w.n;
	}
	jw_arr_end(j);
	if (total != t->count || total != b->nr_items)
		return fx_err(-EIO, "alist: %u items in the buckets, %u counted", total, t->count);
	return 0;
}

/* one planted list: walk it, check it ends as planted, describe it */
static int alist_planted(struct fx *fx, const struct alist__bss *b, const char *key, __u64 head,
			 enum alist_end want)
{
	struct jw *j = fx->expect;
	struct alist_walk w;
	int err = alist_walk(fx, b, key, head, &w);

	if (err)
		return err;
	if (w.end != want || !w.n)
		return fx_err(-EIO, "alist: %s does not end as planted", key);
	jw_key(j, key);
	jw_obj(j);
	jw_khex(j, "head", head);
	jw_khex(j, "first", w.nodes[0]);
	jw_key(j, "nodes"); /* the nodes a walk reaches, in order */
	err = alist_elems(fx, b, &w);
	if (err)
		return err;
	switch (want) {
	case END_CYCLE:
		jw_kstr(j, "kind", "cycle");
		jw_kint(j, "from_index", w.n - 1); /* node k ... */
		jw_khex(j, "from", w.nodes[w.n - 1]);
		jw_kint(j, "to_index", w.cycle_to); /* ... points back at node j */
		jw_khex(j, "to", w.nodes[w.cycle_to]);
		break;
	case END_POISON: {
		const struct arena_list_node *nd = alist_ptr(fx, b, w.nodes[w.n - 1], sizeof(*nd));

		if (!nd || UADDR(nd->pprev) != FXL_POISON2)
			return fx_err(-EIO, "alist: the poisoned node's pprev is not 0x122");
		jw_kstr(j, "kind", "poison");
		jw_kint(j, "index", w.n - 1);
		jw_khex(j, "node", w.nodes[w.n - 1]);
		jw_khex(j, "elem", w.nodes[w.n - 1] - offsetof(struct elem, node));
		jw_khex(j, "next", w.end_value);
		jw_khex(j, "pprev", UADDR(nd->pprev));
		break;
	}
	case END_FREED:
		jw_kstr(j, "kind", "freed");
		jw_kint(j, "index", w.n - 1);
		jw_khex(j, "from", w.nodes[w.n - 1]);
		jw_khex(j, "to", w.end_value);
		jw_kuint(j, "page", (b->freed_page - fx->user_vm_start) / FX_PAGE_SIZE);
		jw_khex(j, "page_addr", b->freed_page);
		break;
	case END_NULL: break;
	}
	jw_obj_end(j);
	return 0;
}

/* the page-fragment allocator: current page per CPU slot, every page's count */
static int alist_alloc(struct fx *fx, const struct alist__bss *b)
{
	struct jw *j = fx->expect;
	__u64 sum = 0;

	if (b->nr_frag_pages > ALIST_MAX_PAGES)
		return fx_err(-EIO, "alist: the allocator took %u pages", b->nr_frag_pages);
	jw_key(j, "alloc");
	jw_obj(j);
	jw_kuint(j, "cpu", b->alloc_cpu);
	jw_kuint(j, "nr_cpus", ALIST_NR_CPUS);
	jw_kuint(j, "count_offset", FXL_COUNT_OFF);
	jw_key(j, "cur"); /* slots with a current page */
	jw_arr(j);
	for (unsigned int i = 0; i < ALIST_NR_CPUS; i++) {
		if (!b->page_frag_cur_page[i])
			continue;
		jw_obj(j);
		jw_kuint(j, "slot", i);
		jw_khex(j, "page", UADDR(b->page_frag_cur_page[i]));
		jw_kint(j, "offset", b->page_frag_cur_offset[i]);
		jw_obj_end(j);
	}
	jw_arr_end(j);
	jw_key(j, "pages"); /* in the order the allocator took them */
	jw_arr(j);
	for (__u32 i = 0; i < b->nr_frag_pages; i++) {
		__u64 pa = b->frag_pages[i];
		bool live = page_is_live(b, pa);

		jw_obj(j);
		jw_kuint(j, "index", (pa - fx->user_vm_start) / FX_PAGE_SIZE);
		jw_khex(j, "addr", pa);
		jw_key(j, "freed");
		jw_bool(j, !live);
		if (live) {
			const __u64 *cnt = alist_ptr(fx, b, pa + FXL_COUNT_OFF, sizeof(*cnt));

			if (!cnt)
				return fx_err(-EIO, "alist: page 0x%llx is outside the arena",
					      (unsigned long long)pa);
			jw_kuint(j, "count", *cnt);
			sum += *cnt;
		}
		jw_obj_end(j);
	}
	jw_arr_end(j);
	jw_kuint(j, "live_objects", b->live_objs);
	jw_obj_end(j);
	if (sum != b->live_objs)
		return fx_err(-EIO, "alist: the pages count %llu live objects, the books %llu",
			      (unsigned long long)sum, (unsigned long long)b->live_objs);
	return 0;
}

/* one object of "heap": what `heap -j` must list for the allocator */
struct alist_hobj {
	__u64 addr, size;
	bool live;
};

static int cmp_hobj(const void *a, const void *b)
{
	const struct alist_hobj *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * "heap": {"allocator": "page_frag", "objects": [...], "pages": [...],
 * "freed_pages": [...], "dangling": {...}}, from the fixture's own books.
 * The allocator records no object boundaries, so the objects a reader can
 * know are the ones a typed root points at (the four struct
 * arena_list_head pointers; table_for_user is a void *) and, on every
 * current page, the bytes below its offset, never carved (free). "pages"
 * is every page the allocator took and still holds, with the u64 count
 * in its last 8 bytes; "freed_pages" those freed when their count went
 * to 0; "dangling" the pointer left into a freed page's object.
 */
static int alist_heap(struct fx *fx, const struct alist__bss *b)
{
	const __u64 heads[] = { UADDR(b->list_head), UADDR(b->cycle_head), UADDR(b->poison_head),
				UADDR(b->freed_head) };
	struct alist_hobj objs[4 + ALIST_NR_CPUS];
	struct jw *j = fx->expect;
	struct alist_walk w;
	size_t n = 0;
	int err;

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		objs[n++] = (struct alist_hobj){ heads[i], sizeof(struct arena_list_head), true };
	for (unsigned int i = 0; i < ALIST_NR_CPUS; i++)
		if (b->page_frag_cur_page[i] && b->page_frag_cur_offset[i] > 0)
			objs[n++] = (struct alist_hobj){ UADDR(b->page_frag_cur_page[i]),
							 (__u64)b->page_frag_cur_offset[i], false };
	qsort(objs, n, sizeof(objs[0]), cmp_hobj);
	jw_key(j, "heap");
	jw_obj(j);
	jw_kstr(j, "allocator", "page_frag");
	jw_key(j, "objects");
	jw_arr(j);
	for (size_t i = 0; i < n; i++) {
		jw_obj(j);
		jw_khex(j, "addr", objs[i].addr);
		jw_kuint(j, "size", objs[i].size);
		jw_kstr(j, "state", objs[i].live ? "live" : "free");
		jw_obj_end(j);
	}
	jw_arr_end(j);
	jw_key(j, "pages");
	jw_arr(j);
	for (__u32 i = 0; i < b->nr_frag_pages && i < ALIST_MAX_PAGES; i++) {
		__u64 pa = b->frag_pages[i];
		const __u64 *cnt;

		if (!page_is_live(b, pa))
			continue;
		cnt = alist_ptr(fx, b, pa + FXL_COUNT_OFF, sizeof(*cnt));
		if (!cnt)
			return fx_err(-EIO, "alist: page 0x%llx is outside the arena",
				      (unsigned long long)pa);
		jw_obj(j);
		jw_kuint(j, "page", (pa - fx->user_vm_start) / FX_PAGE_SIZE);
		jw_kuint(j, "live_count", *cnt);
		jw_obj_end(j);
	}
	jw_arr_end(j);
	jw_key(j, "freed_pages");
	jw_arr(j);
	jw_uint(j, (b->freed_page - fx->user_vm_start) / FX_PAGE_SIZE);
	jw_arr_end(j);
	/* freed_head's first node still points at the freed node */
	err = alist_walk(fx, b, "freed_head", UADDR(b->freed_head), &w);
	if (err)
		return err;
	if (w.end != END_FREED || !w.n)
		return fx_err(-EIO, "alist: freed_head does not end in the freed page");
	jw_key(j, "dangling");
	jw_obj(j);
	jw_khex(j, "at", w.nodes[w.n - 1] + offsetof(struct arena_list_node, next));
	jw_khex(j, "value", w.end_value);
	jw_obj_end(j);
	jw_obj_end(j);
	return 0;
}

/* the facts the scenario exists for, checked on the BTF that was loaded */
static int alist_btf(struct fx *fx, struct alist *s)
{
	struct jw *j = fx->expect;
	const struct btf *btf = bpf_object__btf(s->obj);

	if (!btf)
		return fx_err(-EIO, "alist: the object has no BTF");
	if (btf__find_by_name_kind(btf, "arena_list_node", BTF_KIND_FWD) <= 0 ||
	    btf__find_by_name_kind(btf, "arena_list_node", BTF_KIND_STRUCT) > 0)
		return fx_err(-EIO, "alist: clang emitted struct arena_list_node in full, not as "
				    "a forward declaration; the scenario's point is lost");
	if (btf__find_by_name_kind(btf, "arena_list_head", BTF_KIND_STRUCT) <= 0)
		return fx_err(-EIO, "alist: struct arena_list_head is missing from the BTF");
	for (size_t i = 0; i < sizeof(alist_absent) / sizeof(alist_absent[0]); i++)
		if (btf__find_by_name(btf, alist_absent[i]) > 0)
			return fx_err(-EIO,
				      "alist: '%s' is in the program's BTF; it must be "
				      "reached only by casts",
				      alist_absent[i]);
	jw_key(j, "btf");
	jw_obj(j);
	jw_key(j, "fwd");
	jw_arr(j);
	jw_str(j, "arena_list_node");
	jw_arr_end(j);
	jw_key(j, "absent");
	jw_arr(j);
	for (size_t i = 0; i < sizeof(alist_absent) / sizeof(alist_absent[0]); i++)
		jw_str(j, alist_absent[i]);
	jw_arr_end(j);
	jw_key(j, "defined");
	jw_arr(j);
	jw_str(j, "arena_list_head");
	jw_arr_end(j);
	jw_obj_end(j);
	return 0;
}

static int alist_expect(struct fx *fx, struct alist *s)
{
	const struct alist__bss *b = s->bss;
	struct jw *j = fx->expect;
	int err;

	jw_kstr(j, "root", "list_head");
	jw_kstr(j, "root_type", "struct arena_list_head *");
	jw_kuint(j, "elem_size", sizeof(struct elem));
	jw_kuint(j, "node_offset", offsetof(struct elem, node));
	jw_kuint(j, "item_size", sizeof(struct item));
	jw_kuint(j, "item_node_offset", offsetof(struct item, node));
	jw_kuint(j, "table_size", sizeof(struct fxl_table));
	err = alist_btf(fx, s);
	if (!err)
		err = alist_main(fx, b);
	if (!err)
		err = alist_table(fx, b);
	if (!err)
		err = alist_planted(fx, b, "cycle", UADDR(b->cycle_head), END_CYCLE);
	if (!err)
		err = alist_planted(fx, b, "poison", UADDR(b->poison_head), END_POISON);
	if (!err)
		err = alist_planted(fx, b, "freed", UADDR(b->freed_head), END_FREED);
	if (!err)
		err = alist_alloc(fx, b);
	if (!err)
		err = alist_heap(fx, b);
	return err;
}

int alist_load(struct fx *fx)
{
	struct alist *s = alist__open();
	int err;

	if (!s) {
		err = -errno;
		fx_libbpf_dump();
		return fx_err(err ? err : -EINVAL, "cannot open the alist programs: %s",
			      strerror(err ? -err : EINVAL));
	}
	err = fx_arena_load(fx, s->skeleton, s->maps.arena);
	if (!err) {
		s->bss->arena_base = fx->user_vm_start;
		err = fx_run_prog(s->progs.alist_fill, NULL, 0, NULL);
	}
	if (!err) {
		fx->acct = s->bss->acct;
		err = alist_expect(fx, s);
	}
	if (!err)
		err = fx_pin_object(fx, s->obj);
	alist__destroy(s);
	return err;
}

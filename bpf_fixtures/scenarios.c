// SPDX-License-Identifier: GPL-2.0
/*
 * The scenarios: each opens its skeleton, creates and loads the arena
 * (fx_arena_load), fills it with its SEC("syscall") program, writes what a
 * test may expect, and pins. Expectations are read back through the
 * loader's own mapping, and only from pages the fixture allocated and still
 * holds: touching any other page would allocate it.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fx_loader.h"
#include "list.skel.h"
#include "htab.skel.h"
#include "tree.skel.h"
#include "sparse.skel.h"
#include "nouser.skel.h"
#include "live.skel.h"
#include "churn.skel.h"
#include "alist.skel.h"
#include "planted.skel.h"
#include "fxsdt.h" /* before its skeleton: .bss holds its types */
#include "sdtalloc.skel.h"
#include "fxbuddy.h" /* before its skeleton: .data.ST_BUDDY holds its types */
#include "buddyfx.skel.h"

#define UADDR(p) ((__u64)(uintptr_t)(p))

static int open_failed(const char *name)
{
	int err = -errno;

	fx_libbpf_dump();
	return fx_err(err ? err : -EINVAL, "cannot open the %s programs: %s", name,
		      strerror(err ? -err : EINVAL));
}

static const char *color_name(enum color c)
{
	switch (c) {
	case COLOR_RED: return "COLOR_RED";
	case COLOR_GREEN: return "COLOR_GREEN";
	case COLOR_BLUE: return "COLOR_BLUE";
	case COLOR_BLACK: return "COLOR_BLACK";
	}
	return "?";
}

/* ---- list ---- */
static int list_expect(struct fx *fx, struct list *s)
{
	struct jw *w = fx->expect;
	__u64 a = UADDR(s->bss->head);
	int n = 0;

	jw_kstr(w, "root", "head");
	jw_kstr(w, "root_type", "struct node *");
	jw_khex(w, "head", a);
	jw_khex(w, "tail", UADDR(s->bss->tail));
	jw_kint(w, "count", s->bss->nr_nodes);
	jw_kuint(w, "node_size", sizeof(struct node));
	jw_key(w, "nodes");
	jw_arr(w);
	for (; a && n <= LIST_NODES; n++) {
		const struct node *nd = fx_ptr(fx, a, sizeof(*nd));

		if (!nd)
			return fx_err(-EFAULT, "list: node %d at 0x%llx is outside the arena", n,
				      (unsigned long long)a);
		jw_obj(w);
		jw_khex(w, "addr", a);
		jw_khex(w, "next", UADDR(nd->next));
		jw_kint(w, "id", nd->id);
		jw_key(w, "name");
		jw_strn(w, nd->name, sizeof(nd->name));
		jw_kstr(w, "kind", color_name(nd->kind));
		jw_kint(w, "kind_value", nd->kind);
		jw_kuint(w, "hits", nd->st.hits);
		jw_kuint(w, "misses", nd->st.misses);
		jw_kuint(w, "flags", nd->st.flags);
		jw_kuint(w, "level", nd->st.level);
		jw_kint(w, "trend", nd->st.trend);
		jw_khex(w, "payload", nd->pl.raw);
		jw_kuint(w, "payload_lo", nd->pl.half.lo);
		jw_kuint(w, "payload_hi", nd->pl.half.hi);
		jw_key(w, "grid");
		jw_arr(w);
		for (int r = 0; r < 2; r++) {
			jw_arr(w);
			for (int c = 0; c < 3; c++)
				jw_uint(w, nd->grid[r][c]);
			jw_arr_end(w);
		}
		jw_arr_end(w);
		jw_kint(w, "delta", nd->delta);
		jw_kuint(w, "prio", nd->prio);
		jw_kuint(w, "active", nd->active);
		jw_kuint(w, "weight", nd->weight);
		jw_kint(w, "balance", nd->balance);
		jw_obj_end(w);
		a = UADDR(nd->next);
	}
	jw_arr_end(w);
	if (n != LIST_NODES || n != s->bss->nr_nodes)
		return fx_err(-EIO, "list: walked %d nodes, expected %d", n, LIST_NODES);
	return 0;
}

static int list_load(struct fx *fx)
{
	struct list *s = list__open();
	int err;

	if (!s)
		return open_failed("list");
	err = fx_arena_load(fx, s->skeleton, s->maps.arena);
	if (!err) {
		s->bss->arena_base = fx->user_vm_start;
		err = fx_run_prog(s->progs.list_fill, NULL, 0, NULL);
	}
	if (!err) {
		fx->acct = s->bss->acct;
		err = list_expect(fx, s);
	}
	if (!err)
		err = fx_pin_object(fx, s->obj);
	list__destroy(s);
	return err;
}

/* ---- htab ---- */
static int htab_expect(struct fx *fx, struct htab *s)
{
	struct jw *w = fx->expect;
	const struct hash_table *t = fx_ptr(fx, UADDR(s->bss->table), sizeof(*t));
	unsigned int total = 0;

	if (!t)
		return fx_err(-EFAULT, "htab: the table is outside the arena");
	jw_kstr(w, "root", "table");
	jw_kstr(w, "root_type", "struct hash_table *");
	jw_khex(w, "table", UADDR(s->bss->table));
	jw_kuint(w, "nbuckets", t->nbuckets);
	jw_kuint(w, "count", t->count);
	jw_kuint(w, "seed", t->seed);
	jw_kuint(w, "entry_size", sizeof(struct entry));
	jw_key(w, "entries"); /* bucket by bucket, each chain in order */
	jw_arr(w);
	for (unsigned int b = 0; b < HTAB_BUCKETS; b++) {
		__u64 a = UADDR(t->buckets[b]);
		int depth = 0;

		for (; a; depth++) {
			const struct entry *e = fx_ptr(fx, a, sizeof(*e));

			if (!e || depth > HTAB_ENTRIES)
				return fx_err(-EFAULT, "htab: bad chain in bucket %u", b);
			jw_obj(w);
			jw_khex(w, "addr", a);
			jw_kuint(w, "bucket", b);
			jw_kint(w, "depth", depth);
			jw_kuint(w, "key", e->key);
			jw_kuint(w, "value", e->value);
			jw_key(w, "tag");
			jw_strn(w, e->tag, sizeof(e->tag));
			jw_khex(w, "next", UADDR(e->next));
			jw_obj_end(w);
			total++;
			a = UADDR(e->next);
		}
	}
	jw_arr_end(w);
	if (total != HTAB_ENTRIES || t->count != HTAB_ENTRIES)
		return fx_err(-EIO, "htab: found %u entries, expected %d", total, HTAB_ENTRIES);
	return 0;
}

static int htab_load(struct fx *fx)
{
	struct htab *s = htab__open();
	int err;

	if (!s)
		return open_failed("htab");
	err = fx_arena_load(fx, s->skeleton, s->maps.arena);
	if (!err) {
		s->bss->arena_base = fx->user_vm_start;
		err = fx_run_prog(s->progs.htab_fill, NULL, 0, NULL);
	}
	if (!err) {
		fx->acct = s->bss->acct;
		err = htab_expect(fx, s);
	}
	if (!err)
		err = fx_pin_object(fx, s->obj);
	htab__destroy(s);
	return err;
}

/* ---- tree ---- */
struct tree_walk {
	struct fx *fx;
	__u64 skip; /* the dangling pointer: never follow it */
	int n;
	int err;
};

static void tree_inorder(struct tree_walk *tw, __u64 a, int depth)
{
	const struct tnode *t;

	if (!a || tw->err || a == tw->skip)
		return;
	t = fx_ptr(tw->fx, a, sizeof(*t));
	if (!t || depth > TREE_MAX_DEPTH || tw->n > TREE_NODES) {
		tw->err = fx_err(-EFAULT, "tree: bad node pointer 0x%llx", (unsigned long long)a);
		return;
	}
	tree_inorder(tw, UADDR(t->left), depth + 1);
	jw_int(tw->fx->expect, t->key);
	tw->n++;
	tree_inorder(tw, UADDR(t->right), depth + 1);
}

static int tree_expect(struct fx *fx, struct tree *s)
{
	struct jw *w = fx->expect;
	struct tree_walk tw = { .fx = fx, .skip = s->bss->dangling_to };
	const struct tnode *from = fx_ptr(fx, s->bss->dangling_from, sizeof(*from));
	const struct tnode *r = fx_ptr(fx, UADDR(s->bss->root), sizeof(*r));

	if (!from || !r)
		return fx_err(-EFAULT, "tree: root or dangling node outside the arena");
	jw_kstr(w, "root", "root");
	jw_kstr(w, "root_type", "struct tnode *");
	jw_khex(w, "root_addr", UADDR(s->bss->root));
	jw_kint(w, "root_key", r->key);
	jw_kint(w, "count", s->bss->nr_tnodes);
	jw_key(w, "keys");
	jw_arr(w);
	tree_inorder(&tw, UADDR(s->bss->root), 0);
	jw_arr_end(w);
	if (tw.err)
		return tw.err;
	if (tw.n != TREE_NODES)
		return fx_err(-EIO, "tree: walked %d nodes, expected %d", tw.n, TREE_NODES);
	jw_key(w, "dangling");
	jw_obj(w);
	jw_khex(w, "from", s->bss->dangling_from);
	jw_kint(w, "from_key", from->key);
	jw_kstr(w, "field", "right");
	jw_kuint(w, "field_offset", offsetof(struct tnode, right));
	jw_khex(w, "to", s->bss->dangling_to);
	jw_kuint(w, "page", (s->bss->dangling_to - fx->user_vm_start) / FX_PAGE_SIZE);
	jw_obj_end(w);
	return 0;
}

static int tree_load(struct fx *fx)
{
	struct tree *s = tree__open();
	int err;

	if (!s)
		return open_failed("tree");
	err = fx_arena_load(fx, s->skeleton, s->maps.arena);
	if (!err) {
		s->bss->arena_base = fx->user_vm_start;
		err = fx_run_prog(s->progs.tree_fill, NULL, 0, NULL);
	}
	if (!err) {
		fx->acct = s->bss->acct;
		err = tree_expect(fx, s);
	}
	if (!err)
		err = fx_pin_object(fx, s->obj);
	tree__destroy(s);
	return err;
}

/* ---- sparse ---- */
static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static int sparse_expect(struct fx *fx, struct sparse *s)
{
	struct jw *w = fx->expect;
	__u32 n = s->bss->nr_alloc, *pages;

	if (n > SPARSE_TRIES)
		return fx_err(-EIO, "sparse: bad page count %u", n);
	pages = malloc((n + 1) * sizeof(*pages));
	if (!pages)
		return fx_err(-ENOMEM, "out of memory");
	memcpy(pages, s->bss->alloc_pages, n * sizeof(*pages));
	qsort(pages, n, sizeof(*pages), cmp_u32);
	/* spot-check the pattern through our mapping: these pages are ours */
	for (__u32 i = 0; i < n; i++) {
		const struct sparse_page *p = fx_ptr(
			fx, fx->user_vm_start + (__u64)pages[i] * FX_PAGE_SIZE, FX_PAGE_SIZE);
		const __u64 *tail = (const void *)((const char *)p + FX_PAGE_SIZE - 8);

		if (!p || p->index != pages[i] || *tail != pages[i]) {
			__u32 bad = pages[i];

			free(pages);
			return fx_err(-EIO, "sparse: page %u lacks its pattern", bad);
		}
	}
	jw_kstr(w, "root", "last");
	jw_kstr(w, "root_type", "struct sparse_page *");
	jw_khex(w, "first", UADDR(s->bss->first));
	jw_khex(w, "last", UADDR(s->bss->last));
	jw_khex(w, "magic", SPARSE_MAGIC);
	jw_kstr(w, "pattern",
		"u64 page index at offset 0 and at offset 4088; magic | (index & 0xffff) at offset "
		"8");
	jw_kuint(w, "allocated", n);
	jw_key(w, "pages");
	jw_arr(w);
	for (__u32 i = 0; i < n; i++)
		jw_uint(w, pages[i]);
	jw_arr_end(w);
	jw_kuint(w, "reserved", s->bss->acct.reserved);
	jw_key(w, "reserved_runs"); /* [first page, page count] */
	jw_arr(w);
	for (__u32 i = 0; i < s->bss->nr_res && i <= SPARSE_RES_RANGES; i++) {
		jw_arr(w);
		jw_uint(w, s->bss->res_start[i]);
		jw_uint(w, s->bss->res_len[i]);
		jw_arr_end(w);
	}
	jw_arr_end(w);
	free(pages);
	if (n != s->bss->acct.allocated)
		return fx_err(-EIO, "sparse: %u pages recorded, %u counted", n,
			      s->bss->acct.allocated);
	return 0;
}

static int sparse_load(struct fx *fx)
{
	struct sparse *s = sparse__open();
	int err;

	if (!s)
		return open_failed("sparse");
	err = fx_arena_load(fx, s->skeleton, s->maps.arena);
	if (!err) {
		s->bss->arena_base = fx->user_vm_start;
		err = fx_run_prog(s->progs.sparse_fill, NULL, 0, NULL);
	}
	if (!err) {
		fx->acct = s->bss->acct;
		err = sparse_expect(fx, s);
	}
	if (!err)
		err = fx_pin_object(fx, s->obj);
	sparse__destroy(s);
	return err;
}

/* ---- nouser ---- */
static int nouser_expect(struct fx *fx, struct nouser *s)
{
	struct jw *w = fx->expect;
	__u64 a = UADDR(s->bss->objs);
	int n = 0;

	jw_kstr(w, "root", "objs");
	jw_kstr(w, "root_type", "struct nu_obj *");
	jw_khex(w, "objs", a);
	/* the address nobody else can ask the kernel for (map_extra is 0) */
	jw_khex(w, "user_vm_start", fx->user_vm_start);
	jw_kint(w, "count", NOUSER_OBJS);
	jw_key(w, "list");
	jw_arr(w);
	for (; a && n <= NOUSER_OBJS; n++) {
		const struct nu_obj *o = fx_ptr(fx, a, sizeof(*o));

		if (!o)
			return fx_err(-EFAULT, "nouser: object %d outside the arena", n);
		jw_obj(w);
		jw_khex(w, "addr", a);
		jw_khex(w, "magic", o->magic);
		jw_kuint(w, "seq", o->seq);
		jw_khex(w, "crc", o->crc);
		jw_key(w, "msg");
		jw_strn(w, o->msg, sizeof(o->msg));
		jw_khex(w, "self", UADDR(o->self));
		jw_khex(w, "next", UADDR(o->next));
		jw_obj_end(w);
		a = UADDR(o->next);
	}
	jw_arr_end(w);
	if (n != NOUSER_OBJS)
		return fx_err(-EIO, "nouser: walked %d objects, expected %d", n, NOUSER_OBJS);
	return 0;
}

static int nouser_load(struct fx *fx)
{
	struct nouser *s = nouser__open();
	int err;

	if (!s)
		return open_failed("nouser");
	err = fx_arena_load(fx, s->skeleton, s->maps.arena);
	if (!err) {
		s->bss->arena_base = fx->user_vm_start;
		err = fx_run_prog(s->progs.nouser_fill, NULL, 0, NULL);
	}
	if (!err) {
		fx->acct = s->bss->acct;
		err = nouser_expect(fx, s);
	}
	if (!err)
		err = fx_pin_object(fx, s->obj);
	nouser__destroy(s);
	return err;
}

/* ---- live ---- */
static int live_expect(struct fx *fx, struct live *s)
{
	struct jw *w = fx->expect;
	const struct live_hdr *h = fx_ptr(fx, UADDR(s->bss->hdr), sizeof(*h));
	char path[4096];

	if (!h)
		return fx_err(-EFAULT, "live: the header is outside the arena");
	jw_kstr(w, "root", "hdr");
	jw_kstr(w, "root_type", "struct live_hdr *");
	jw_khex(w, "hdr", UADDR(s->bss->hdr));
	jw_khex(w, "table", UADDR(h->table));
	jw_khex(w, "pool", UADDR(h->pool));
	jw_kuint(w, "pool_size", LIVE_POOL);
	jw_kuint(w, "nbuckets", LIVE_BUCKETS);
	jw_khex(w, "magic", LIVE_MAGIC);
	jw_key(w, "offsets"); /* of the fields of struct live_hdr */
	jw_obj(w);
	jw_kuint(w, "generation", offsetof(struct live_hdr, generation));
	jw_kuint(w, "bumps", offsetof(struct live_hdr, bumps));
	jw_kuint(w, "last_arg", offsetof(struct live_hdr, last_arg));
	jw_kuint(w, "switches", offsetof(struct live_hdr, switches));
	jw_kuint(w, "dropped", offsetof(struct live_hdr, dropped));
	jw_kuint(w, "nr_tasks", offsetof(struct live_hdr, nr_tasks));
	jw_kuint(w, "magic", offsetof(struct live_hdr, magic));
	jw_kuint(w, "table", offsetof(struct live_hdr, table));
	jw_kuint(w, "pool", offsetof(struct live_hdr, pool));
	jw_obj_end(w);
	jw_kuint(w, "generation", h->generation);
	jw_kuint(w, "bumps", h->bumps);
	fx_pin_path(path, sizeof(path), fx->pin, "prog_live_bump");
	jw_kstr(w, "bump_prog", path);
	jw_kstr(w, "bump_ctx",
		"struct live_bump_args { __u64 add; }: generation += 1, bumps += add, last_arg = "
		"add; returns generation");
	fx_pin_path(path, sizeof(path), fx->pin, "link_live_switch");
	jw_kstr(w, "link", path);
	return 0;
}

static int live_load(struct fx *fx)
{
	struct live *s = live__open();
	struct bpf_link *link = NULL;
	int err;

	if (!s)
		return open_failed("live");
	err = fx_arena_load(fx, s->skeleton, s->maps.arena);
	if (!err) {
		s->bss->arena_base = fx->user_vm_start;
		err = fx_run_prog(s->progs.live_setup, NULL, 0, NULL);
	}
	if (!err) {
		link = bpf_program__attach(s->progs.live_switch);
		if (!link) {
			err = -errno;
			fx_libbpf_dump();
			err = fx_err(err, "cannot attach live_switch to sched_switch: %s",
				     strerror(-err));
		}
	}
	if (!err)
		err = fx_pin_object(fx, s->obj);
	if (!err)
		err = fx_pin_link(fx, link, "live_switch");
	if (!err) {
		fx->acct = s->bss->acct;
		err = live_expect(fx, s);
	}
	bpf_link__destroy(link); /* the pin keeps it attached */
	live__destroy(s);
	return err;
}

/* ---- churn ---- */
#define CHURN_LOAD_STEPS 64

static int churn_load(struct fx *fx)
{
	struct churn_args args = { .steps = CHURN_LOAD_STEPS };
	struct churn *s = churn__open();
	struct jw *w = fx->expect;
	char path[4096];
	int err, pid;

	if (!s)
		return open_failed("churn");
	err = fx_arena_load(fx, s->skeleton, s->maps.arena);
	if (!err) {
		s->bss->arena_base = fx->user_vm_start;
		err = fx_run_prog(s->progs.churn_setup, NULL, 0, NULL);
	}
	if (!err)
		err = fx_run_prog(s->progs.churn_step, &args, sizeof(args), NULL);
	if (!err)
		err = fx_pin_object(fx, s->obj);
	if (!err) {
		/* the numbers at load time; the daemon moves them on from here */
		fx->acct = s->bss->acct;
		jw_kstr(w, "root", "state");
		jw_kstr(w, "root_type", "struct churn_hdr *");
		jw_khex(w, "state", UADDR(s->bss->state));
		jw_kuint(w, "nslots", CHURN_SLOTS);
		jw_kuint(w, "steps", s->bss->acct.steps);
		jw_kuint(w, "allocated", s->bss->acct.allocated);
		jw_kuint(w, "allocs", s->bss->acct.allocs);
		jw_kuint(w, "frees", s->bss->acct.frees);
		jw_kuint(w, "rewrites", s->bss->acct.rewrites);
		fx_pin_path(path, sizeof(path), fx->pin, "prog_churn_step");
		jw_kstr(w, "step_prog", path);
		pid = fx_daemon_start(fx->pin);
		if (pid < 0)
			err = pid;
		else
			jw_kint(w, "daemon_pid", pid);
		fx_pidfile_path(path, sizeof(path), fx->pin);
		jw_kstr(w, "pidfile", path);
	}
	churn__destroy(s);
	return err;
}

/* ---- the table ----
 * Each scenario has its own 4 GiB-aligned map_extra, all above 1 << 44:
 * AddressSanitizer's shadow covers [0x7fff8000, 0x10007fff7fff], so the
 * usual sched_ext value (1 << 44) cannot be mapped by a sanitized loader. */
static const struct scenario scenarios[] = {
	{ "list",
	  "singly linked list of 8 nodes (enum, nested struct, union, 2-D array, bitfields), root "
	  ".bss head",
	  0x110000000000ULL, 64, offsetof(struct list__bss, acct), false, list_load },
	{ "htab",
	  "chained hash table: 64 buckets, 300 entries packed by a bump allocator, root .bss table",
	  0x120000000000ULL, 256, offsetof(struct htab__bss, acct), false, htab_load },
	{ "tree",
	  "binary search tree of 31 keys with one pointer into a freed page, root .bss root",
	  0x130000000000ULL, 64, offsetof(struct tree__bss, acct), false, tree_load },
	{ "sparse",
	  "4 GiB arena, ~3000 scattered pages with a pattern, reserved runs incl. a NULL guard",
	  0x200000000000ULL, SPARSE_PAGES, offsetof(struct sparse__bss, acct), false, sparse_load },
	{ "nouser", "arena without map_extra: the address is known only to the kernel after load",
	  0, 16, offsetof(struct nouser__bss, acct), false, nouser_load },
	{ "live",
	  "per-task sched_switch statistics in an arena hash table, changing all the time (demo)",
	  0x140000000000ULL, 1024, offsetof(struct live__bss, acct), false, live_load },
	{ "churn", "pages allocated, freed and rewritten every few ms by a daemon until unloaded",
	  0x150000000000ULL, CHURN_PAGES, offsetof(struct churn__bss, acct), true, churn_load },
	{ "alist",
	  "kernel-selftests-style arena list: embedded nodes (FWD in BTF), void * root, page-frag "
	  "allocator, planted cycle/poison/freed page",
	  0x160000000000ULL, 64, offsetof(struct alist__bss, acct), false, alist_load },
	{ "planted",
	  "one of each problem check finds (dangling, reserved, outside, poison, misaligned, "
	  "leaked pages) beside a sound list, root .bss hdr",
	  0x170000000000ULL, PLANTED_PAGES, offsetof(struct planted__bss, acct), false,
	  planted_load },
	{ "sdtalloc",
	  "sched_ext sdt_alloc: 72-byte elements in a 3-level radix tree of 512-way chunks, "
	  "live, freed and reused (genn 1), a live one pointing at a freed one; qnodes at 0; "
	  "live ones held in the hash map task_ctxs",
	  0x180000000000ULL, SDT_PAGES, offsetof(struct sdtalloc__bss, acct), false,
	  sdtalloc_load },
	{ "buddy",
	  "sched_ext buddy allocator: 4 GiB arena, 1 GiB reserved from 1 MiB, two 1 MiB chunks "
	  "with live and free blocks of orders 0..15, a live one pointing at a freed one, one "
	  "leaked, one pointing into another's poisoned tail (ASAN shadow)",
	  0x190000000000ULL, BUDDY_ARENA_PAGES, offsetof(struct buddyfx__bss, acct), false,
	  buddy_load },
};

const struct scenario *scenario_at(int i)
{
	if (i < 0 || i >= (int)(sizeof(scenarios) / sizeof(scenarios[0])))
		return NULL;
	return &scenarios[i];
}

const struct scenario *scenario_find(const char *name)
{
	for (const struct scenario *sc = scenario_at(0); sc; sc = scenario_at(sc - scenarios + 1))
		if (!strcmp(sc->name, name))
			return sc;
	return NULL;
}

/*
 * Which scenario is pinned at DIR: the one whose programs are there (every
 * scenario's programs are named "<scenario>_<verb>", pinned "prog_...").
 */
const struct scenario *scenario_of_pin(const char *pin)
{
	const struct scenario *found = NULL;
	struct dirent *e;
	DIR *d = opendir(pin);

	if (!d)
		return NULL;
	while (!found && (e = readdir(d))) {
		if (strncmp(e->d_name, "prog_", 5))
			continue;
		for (const struct scenario *sc = scenario_at(0); sc;
		     sc = scenario_at(sc - scenarios + 1)) {
			size_t l = strlen(sc->name);

			if (!strncmp(e->d_name + 5, sc->name, l) && e->d_name[5 + l] == '_') {
				found = sc;
				break;
			}
		}
	}
	closedir(d);
	return found;
}

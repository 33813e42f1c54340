// SPDX-License-Identifier: GPL-2.0
/*
 * check: the arena health check (check.h). The typed walk is breadth first
 * over a queue of (object, type, path); the scan reads allocated pages in
 * bulk and records, per page, which pages its values point into, so that
 * reachability is a graph search over pages afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "btfx_internal.h"
#include "check.h"
#include "error.h"
#include "heap.h"
#include "heap_asan.h"
#include "poison.h"

#define DEF_MAX_NODES 1000000
#define DEF_MAX_DEPTH 10000
#define MAX_NEST 32		/* structs/arrays nested in one object */
#define MAX_OBJ (16u << 20)	/* bytes of one object read and walked */
#define MAX_PATH 1024		/* longer paths end in "..." */
#define SCAN_CHUNK (256u << 10) /* bytes per bulk read of the scan */
#define MAX_EDGES (32u << 20)	/* page -> page links kept (128 MiB) */

static const char *const kind_names[CHECK_NR_KINDS] = {
	"dangling",   "reserved",     "outside",       "poison",
	"misaligned", "freed-object", "leaked-object", "asan-poisoned",
};

const char *check__kind_name(enum check_kind k)
{
	return k < CHECK_NR_KINDS ? kind_names[k] : "?";
}

void check__counts_text(const struct check_summary *s, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int k = 0; k < CHECK_NR_KINDS && n < len; k++)
		if (k < CHECK_FREED_OBJECT || s->counts[k])
			n += snprintf(buf + n, len - n, "%s%u %s", k ? ", " : "", s->counts[k],
				      check__kind_name(k));
}

static const char *const state_names[] = { "free", "allocated", "reserved" };

struct qitem {
	const struct btf *btf;
	uint32_t type;
	uint64_t addr;
	char *path; /* the object's own path ("root", "root->next") */
	bool deref; /* path names a pointer: members are "path->m" */
	int depth;
};

struct visit {
	uint64_t addr;
	uintptr_t key; /* btf pointer ^ type id; 0: empty slot */
};

struct ck {
	struct btfx *bx;
	struct source *src;
	struct pagemap pm;
	uint64_t start, size;
	uint32_t shift;
	bool guard0; /* page 0 is not allocated: a NULL guard */
	bool judge;  /* there are roots: record the pages' edges */
	bool edges_cut;
	bool in_map;	     /* walking a map variable's bytes: `at` is 0 */
	check_ptr_cb ptr_cb; /* check__typed_pointers: every typed pointer */
	void *ptr_ctx;
	const struct ai_progress *progress;
	uint64_t allocated; /* pages the scan reads, for progress */
	uint64_t max_nodes;
	int max_depth;
	struct check_result *res;
	uint32_t cap_findings;
	struct qitem *q;
	size_t qhead, qlen, qcap;
	struct visit *vis;
	size_t vcap, vlen;
	uint8_t *reach;	    /* per page: reached */
	uint32_t *edge_off; /* CSR: page i's targets are edges[edge_off[i]..[i+1]) */
	uint32_t *edges;
	size_t nedges, cap_edges;
	uint8_t *buf; /* object reads */
	int err;
	struct heap *heap; /* the allocators' free slots (FREED_OBJECT) */
	uint8_t *marks;	   /* per heap object: something points into it */
	/* the ASAN shadow, when the arena has one (ASAN_POISONED) */
	bool has_asan;
	struct heap_asan asan;
	struct heap_ctx hctx;
	struct heap_asan_cache asan_cache;
};

static int add_finding(struct ck *c, enum check_kind k, uint64_t at, uint64_t v, const char *path)
{
	struct check_result *r = c->res;
	struct check_finding *f;
	uint64_t off = v - c->start;

	if (r->nr_findings == c->cap_findings) {
		uint32_t n = c->cap_findings ? c->cap_findings * 2 : 64;
		void *p = realloc(r->findings, n * sizeof(*r->findings));

		if (!p)
			return c->err = -ENOMEM;
		r->findings = p;
		c->cap_findings = n;
	}
	f = &r->findings[r->nr_findings];
	*f = (struct check_finding){ .kind = k, .at = at, .value = v, .target_page = UINT32_MAX };
	if (source__contains(c->src, v, 1)) {
		f->target_page = off >> c->shift;
		f->target_state = state_names[c->pm.state[f->target_page] <= PAGE_RESERVED
						      ? c->pm.state[f->target_page]
						      : 0];
	} else {
		f->target_state = "outside";
	}
	if (k == CHECK_POISON && poison__find(v)) {
		f->poison = poison__find(v)->name;
		f->target_state = "poison";
	}
	if (path) {
		f->path = strdup(path);
		if (!f->path)
			return c->err = -ENOMEM;
	}
	r->nr_findings++;
	return 0;
}

static int page_state(const struct ck *c, uint64_t v, uint32_t *page);

/* 1 poisoned, 0 valid, < 0 unknown (no shadow page, or trouble) */
static int asan_at(struct ck *c, uint64_t addr)
{
	int r = heap_asan__byte_poisoned(&c->hctx, &c->asan, &c->asan_cache, addr);

	if (r == -ENOMEM)
		c->err = r;
	return r;
}

/* ASAN_POISONED: v (into an allocated page) stored at `at` (0: in a map)
 * points at a byte the shadow calls poisoned. */
static void asan_ref(struct ck *c, uint64_t at, uint64_t v, const char *path)
{
	if (!c->has_asan || asan_at(c, v) != 1)
		return;
	/* one past the end of valid bytes: an end pointer, legal C */
	if (v > c->start && asan_at(c, v - 1) == 0)
		return;
	if (at) {
		const struct heap_obj *o;
		struct heap_hit where;

		/* stale bytes in poisoned memory are no program's reference,
		 * nor are an allocator's own books (free slots, headers) */
		if (asan_at(c, at) == 1)
			return;
		heap__lookup(c->heap, &c->pm, at, &where);
		o = where.where == HEAP_AT_OBJECT ? where.obj : NULL;
		if ((o && o->state == HEAP_FREE) ||
		    (where.where == HEAP_AT_RUN && where.run && !where.run->holds_objects))
			return;
	}
	if (!add_finding(c, CHECK_ASAN_POISONED, at, v, path))
		c->res->findings[c->res->nr_findings - 1].target_state = "poisoned";
}

static int page_state(const struct ck *c, uint64_t v, uint32_t *page)
{
	uint64_t off = v - c->start;

	if (v < c->start || off >= c->size)
		return -1;
	*page = off >> c->shift;
	if (*page >= c->pm.nr_pages)
		return -1;
	return c->pm.state[*page];
}

/* ---- the typed walk ---- */

static bool visited(struct ck *c, uint64_t addr, const struct btf *btf, uint32_t type)
{
	uintptr_t key = ((uintptr_t)btf ^ ((uintptr_t)type * 0x9e3779b97f4a7c15ULL)) | 1;
	size_t i;

	if (c->vlen * 2 >= c->vcap) {
		size_t n = c->vcap ? c->vcap * 2 : 1024;
		struct visit *nv = calloc(n, sizeof(*nv));

		if (!nv) {
			c->err = -ENOMEM;
			return true;
		}
		for (size_t j = 0; j < c->vcap; j++) {
			if (!c->vis[j].key)
				continue;
			i = (c->vis[j].addr * 0x9e3779b97f4a7c15ULL ^ c->vis[j].key) & (n - 1);
			while (nv[i].key)
				i = (i + 1) & (n - 1);
			nv[i] = c->vis[j];
		}
		free(c->vis);
		c->vis = nv;
		c->vcap = n;
	}
	i = (addr * 0x9e3779b97f4a7c15ULL ^ key) & (c->vcap - 1);
	for (; c->vis[i].key; i = (i + 1) & (c->vcap - 1))
		if (c->vis[i].addr == addr && c->vis[i].key == key)
			return true;
	c->vis[i] = (struct visit){ addr, key };
	c->vlen++;
	return false;
}

static int enqueue(struct ck *c, const struct btf *btf, uint32_t type, uint64_t addr,
		   const char *path, bool deref, int depth)
{
	if (visited(c, addr, btf, type))
		return c->err;
	if (c->qlen == c->qcap) {
		size_t n = c->qcap ? c->qcap * 2 : 256;
		void *p = realloc(c->q, n * sizeof(*c->q));

		if (!p)
			return c->err = -ENOMEM;
		c->q = p;
		c->qcap = n;
	}
	c->q[c->qlen] = (struct qitem){ btf, type, addr, strdup(path), deref, depth };
	if (!c->q[c->qlen].path)
		return c->err = -ENOMEM;
	c->qlen++;
	return 0;
}

/* Does (btf, id) hold a pointer anywhere inside (bounded)? */
static bool has_ptr(const struct btf *btf, uint32_t id, int nest)
{
	const struct btf_type *t;

	id = btfx_skip_mods(btf, id);
	t = btf__type_by_id(btf, id);
	if (!t || nest > MAX_NEST)
		return false;
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: return true;
	case BTF_KIND_ARRAY: return has_ptr(btf, btf_array(t)->type, nest + 1);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (int i = 0; i < btf_vlen(t); i++)
			if (has_ptr(btf, btf_members(t)[i].type, nest + 1))
				return true;
		return false;
	default: return false;
	}
}

/* One typed pointer at `at` with value v to pointee (btf, target). */
static void on_ptr(struct ck *c, const struct qitem *from, uint64_t at, uint64_t v,
		   const struct btf *btf, uint32_t target, const char *path)
{
	uint32_t page, t = btfx_skip_mods(btf, target);
	int st, align;

	if (!v)
		return;
	if (c->ptr_cb && at && c->ptr_cb(c->ptr_ctx, at, v, path)) {
		c->err = -ECANCELED;
		return;
	}
	if (poison__find(v)) {
		add_finding(c, CHECK_POISON, at, v, path);
		return;
	}
	/* A pointer in a map variable may point anywhere but the arena (a
	 * kernel object, another map): BTF does not say which address space
	 * it is in. Only a value with the arena's upper 32 bits is taken as
	 * an arena pointer there, as the scan does. */
	if (c->in_map && v >> 32 != c->start >> 32)
		return;
	st = page_state(c, v, &page);
	if (st < 0) {
		add_finding(c, CHECK_OUTSIDE, at, v, path);
		return;
	}
	if (page == 0 && c->guard0) {
		add_finding(c, CHECK_POISON, at, v, path);
		return;
	}
	if (st == PAGE_FREE) {
		add_finding(c, CHECK_DANGLING, at, v, path);
		return;
	}
	if (st == PAGE_RESERVED) {
		add_finding(c, CHECK_RESERVED, at, v, path);
		return;
	}
	c->reach[page] = 1;
	if (!t) /* void *: nothing known to follow */
		return;
	if (btfx__is_fwd(btf, t) && !btfx__complete(c->bx, &btf, &t))
		return;
	align = btf__align_of(btf, t);
	if (align > 1 && v % (unsigned)align) {
		add_finding(c, CHECK_MISALIGNED, at, v, path);
		return;
	}
	asan_ref(c, at, v, path);
	if (!has_ptr(btf, t, 0))
		return;
	if (from->depth + 1 > c->max_depth) {
		c->res->summary.typed_cut = true;
		return;
	}
	enqueue(c, btf, t, v, path, true, from->depth + 1);
}

static void path_join(char *out, const char *base, bool deref, const char *m, bool index,
		      uint64_t i)
{
	int n;

	if (index)
		n = snprintf(out, MAX_PATH, deref ? "(*%s)[%llu]" : "%s[%llu]", base,
			     (unsigned long long)i);
	else
		n = snprintf(out, MAX_PATH, "%s%s%s", base, deref ? "->" : ".", m);
	if (n >= MAX_PATH)
		memcpy(out + MAX_PATH - 4, "...", 4);
}

/* Walk the bytes of (btf, id) at data (address addr) for pointers. */
static void walk_obj(struct ck *c, const struct qitem *q, const struct btf *btf, uint32_t id,
		     const uint8_t *data, uint64_t addr, uint64_t avail, const char *path,
		     bool deref, int nest)
{
	const struct btf_type *t;
	char sub[MAX_PATH];

	id = btfx_skip_mods(btf, id);
	t = btf__type_by_id(btf, id);
	if (!t || c->err)
		return;
	if (nest > MAX_NEST) {
		c->res->summary.typed_cut = true;
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: {
		uint64_t v;

		if (avail < 8)
			return;
		memcpy(&v, data, 8);
		on_ptr(c, q, c->in_map ? 0 : addr, v, btf, t->type,
		       deref ? (snprintf(sub, MAX_PATH, "*%s", path), sub) : path);
		return;
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		uint64_t esz = btfx_size(btf, a->type);

		if (!esz || !has_ptr(btf, a->type, nest))
			return;
		for (uint64_t i = 0; i < a->nelems && (i + 1) * esz <= avail; i++) {
			path_join(sub, path, deref, NULL, true, i);
			walk_obj(c, q, btf, a->type, data + i * esz, addr + i * esz, esz, sub,
				 false, nest + 1);
		}
		return;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);

		for (int i = 0; i < btf_vlen(t); i++) {
			uint64_t off = btf_member_bit_offset(t, i) / 8;
			const char *name = btf__name_by_offset(btf, m[i].name_off);

			if (btf_member_bitfield_size(t, i) || off >= avail ||
			    !has_ptr(btf, m[i].type, nest))
				continue;
			if (name && *name)
				path_join(sub, path, deref, name, false, 0);
			else /* anonymous struct/union: its members are named as ours */
				snprintf(sub, MAX_PATH, "%s", path);
			walk_obj(c, q, btf, m[i].type, data + off, addr + off, avail - off, sub,
				 (name && *name) ? false : deref, nest + 1);
		}
		return;
	}
	default: return;
	}
}

static void walk_item(struct ck *c, struct qitem *q)
{
	uint64_t size = btfx_size(q->btf, q->type);
	uint32_t first, last;

	if (!size)
		return;
	if (size > MAX_OBJ) {
		size = MAX_OBJ;
		c->res->summary.typed_cut = true;
	}
	if (!source__contains(c->src, q->addr, size))
		return;
	if (source__read(c->src, q->addr, c->buf, size, NULL) < 0)
		return;
	first = (q->addr - c->start) >> c->shift;
	last = (q->addr + size - 1 - c->start) >> c->shift;
	for (uint32_t p = first; p <= last && p < c->pm.nr_pages; p++)
		if (c->pm.state[p] == PAGE_ALLOCATED)
			c->reach[p] = 1;
	walk_obj(c, q, q->btf, q->type, c->buf, q->addr, size, q->path, q->deref, 0);
}

static void typed_walk(struct ck *c)
{
	while (c->qhead < c->qlen && !c->err) {
		struct qitem q = c->q[c->qhead++];

		if (c->res->summary.nodes >= c->max_nodes) {
			c->res->summary.typed_cut = true;
			free(q.path);
			continue;
		}
		c->res->summary.nodes++;
		walk_item(c, &q);
		free(q.path);
		if (!(c->res->summary.nodes % 4096) &&
		    ai_progress__tick(c->progress, "checking: typed walk", c->res->summary.nodes,
				      0))
			c->err = -ECANCELED;
	}
	while (c->qhead < c->qlen)
		free(c->q[c->qhead++].path);
}

/* A root that is a pointer held outside the arena (a map value). */
static void root_ptr(struct ck *c, const char *name, const struct btf *btf, uint32_t type,
		     uint64_t value)
{
	struct qitem from = { .depth = 0 };
	uint32_t t = btfx_skip_mods(btf, type);
	const struct btf_type *bt = btf__type_by_id(btf, t);

	if (bt && btf_kind(bt) == BTF_KIND_PTR) {
		on_ptr(c, &from, 0, value, btf, bt->type, name);
	} else {
		uint32_t page;

		if (page_state(c, value, &page) == PAGE_ALLOCATED)
			c->reach[page] = 1;
	}
}

/*
 * A .bss/.data/.rodata variable that is not a pointer or a u64 (those are
 * btfx roots already): a struct, union or array such as sched_ext's struct
 * scx_allocator. Its typed pointers are walked from its bytes (findings in
 * it are "in the map": at 0), and every qword of it with an arena value
 * makes that page reachable, typed or not, as the scan's values do.
 * Returns whether it holds anything that points into the arena.
 */
static bool var_root(struct ck *c, const struct map_var *v)
{
	struct qitem from = { .depth = 0 };
	uint32_t t = btfx_skip_mods(v->btf, v->type_id);
	const struct btf_type *bt = btf__type_by_id(v->btf, t);
	uint64_t size = btfx_size(v->btf, t);
	size_t nres = c->res->nr_findings;
	bool any = false;

	if (!bt || !size ||
	    (btf_kind(bt) != BTF_KIND_STRUCT && btf_kind(bt) != BTF_KIND_UNION &&
	     btf_kind(bt) != BTF_KIND_ARRAY))
		return false;
	if (size > v->size)
		size = v->size;
	for (uint64_t o = 0; o + 8 <= size; o += 8) {
		uint64_t w;
		uint32_t page;

		memcpy(&w, v->data + o, 8);
		if (page_state(c, w, &page) == PAGE_ALLOCATED) {
			c->reach[page] = 1;
			any = true;
		}
	}
	if (!has_ptr(v->btf, t, 0))
		return any;
	c->in_map = true;
	walk_obj(c, &from, v->btf, t, v->data, 0, size, v->name, false, 0);
	c->in_map = false;
	return any || c->res->nr_findings != nres;
}

static void add_roots(struct ck *c, const struct check_opts *o)
{
	int n = c->bx ? btfx__nr_roots(c->bx) : 0;

	for (int i = 0; i < n && !c->err; i++) {
		const struct root *r = btfx__root(c->bx, i);
		const struct btf *btf = r->btf ? r->btf : btfx__btf(c->bx, r->btf_idx);

		if (!btf)
			continue;
		c->res->summary.nr_roots++;
		if (r->kind == ROOT_ARENA_GLOBAL) {
			uint64_t sz = btfx_size(btf, r->type_id);
			uint32_t page;

			/* a global's pages are roots, walked or not */
			for (uint64_t a = r->addr & ~((1ull << c->shift) - 1);
			     sz && a < r->addr + sz; a += 1ull << c->shift)
				if (page_state(c, a, &page) == PAGE_ALLOCATED)
					c->reach[page] = 1;
			enqueue(c, btf, btfx_skip_mods(btf, r->type_id), r->addr, r->name, false,
				0);
		} else {
			root_ptr(c, r->name, btf, r->type_id, r->value);
		}
	}
	n = c->bx ? btfx__nr_vars(c->bx) : 0;
	for (int i = 0; i < n && !c->err; i++) {
		size_t qlen = c->qlen;

		if (var_root(c, btfx__var(c->bx, i)) || c->qlen != qlen)
			c->res->summary.nr_roots++;
	}
	for (int i = 0; o && i < o->nr_roots && !c->err; i++) {
		const struct check_root *r = &o->roots[i];

		c->res->summary.nr_roots++;
		if (r->is_ptr)
			root_ptr(c, r->name, r->btf, r->type_id, r->value);
		else
			enqueue(c, r->btf, btfx_skip_mods(r->btf, r->type_id), r->addr, r->name,
				false, 0);
	}
}

/* ---- the conservative scan ---- */

static int add_edge(struct ck *c, uint32_t page)
{
	if (c->nedges == MAX_EDGES) {
		/* too many to keep: reachability is not judged at all rather
		 * than judged on part of the graph */
		c->judge = false;
		c->edges_cut = true;
		return 0;
	}
	if (c->nedges == c->cap_edges) {
		size_t n = c->cap_edges ? c->cap_edges * 2 : 4096;
		void *p = realloc(c->edges, n * sizeof(*c->edges));

		if (!p)
			return c->err = -ENOMEM;
		c->edges = p;
		c->cap_edges = n;
	}
	c->edges[c->nedges++] = page;
	return 0;
}

static void scan_page(struct ck *c, uint32_t page, const uint8_t *data)
{
	/* locals, so the loop does not reload them after every call */
	const uint64_t start = c->start, size = c->size, hi = start >> 32;
	const uint8_t *state = c->pm.state;
	const uint32_t shift = c->shift, npages = c->pm.nr_pages;
	const bool judge = c->judge;
	uint64_t base = start + ((uint64_t)page << shift);
	size_t nw = (1u << shift) / 8;
	uint32_t last = UINT32_MAX;

	for (size_t i = 0; i < nw; i++) {
		uint64_t v, off;
		uint32_t tp;
		int st;

		memcpy(&v, data + i * 8, 8);
		if (__builtin_expect(v >> 32 != hi, 1))
			continue;
		off = v - start;
		tp = off >> shift;
		st = off < size && tp < npages ? state[tp] : -1;
		if (st == PAGE_ALLOCATED) {
			if (heap__freed_ref(c->heap, &c->pm, base + i * 8, v) &&
			    !add_finding(c, CHECK_FREED_OBJECT, base + i * 8, v, NULL))
				c->res->findings[c->res->nr_findings - 1].target_state =
					"free slot";
			if (c->marks)
				heap__mark_ref(c->heap, &c->pm, c->marks, base + i * 8, v);
			if (c->has_asan)
				asan_ref(c, base + i * 8, v, NULL);
			/* the common case first: consecutive duplicates are
			 * common (a list on one page), the search copes with
			 * the rest */
			if (judge && tp != last && tp != page) {
				add_edge(c, tp);
				last = tp;
			}
		} else if (st < 0) {
			add_finding(c, CHECK_OUTSIDE, base + i * 8, v, NULL);
		} else if (st == PAGE_FREE) {
			add_finding(c, CHECK_DANGLING, base + i * 8, v, NULL);
		} else if (st == PAGE_RESERVED) {
			add_finding(c, CHECK_RESERVED, base + i * 8, v, NULL);
		}
	}
}

static int scan(struct ck *c)
{
	uint32_t n = c->pm.nr_pages, per = SCAN_CHUNK >> c->shift;
	uint64_t done = 0;
	uint8_t *buf = NULL;
	const struct source_ops *ops = c->src->ops;
	bool gather = ops->read_runs && ops->borrow_max_bytes;

	if (!per)
		per = 1;
	if (ops->read_pages && ops->borrow_max_bytes >> c->shift < per)
		per = ops->borrow_max_bytes >> c->shift ? ops->borrow_max_bytes >> c->shift : 1;
	c->edge_off = calloc((size_t)n + 1, sizeof(*c->edge_off));
	if (!c->edge_off)
		return -ENOMEM;
	for (uint32_t p = 0; p < n && !c->err;) {
		uint8_t present[SCAN_CHUNK / AI_PAGE_SIZE_MIN + 1];
		struct page_run runs[SCAN_CHUNK / AI_PAGE_SIZE_MIN + 1];
		uint32_t next = p, run, nruns, a = 0;
		const uint8_t *data;
		int err;

		/* the next run; with read_runs the next runs up to a chunk (a
		 * sparse arena's scattered pages in one read) */
		nruns = pagemap__next_runs(&c->pm, &next, per, runs, gather ? per : 1, &run);
		if (!nruns) {
			for (; p < n; p++)
				c->edge_off[p + 1] = c->nedges;
			break;
		}
		if (nruns > 1) {
			err = ops->read_runs(c->src, runs, nruns, &data, present);
		} else if (ops->read_pages && ops->borrow_max_bytes) {
			err = ops->read_pages(c->src, runs[0].first, run, &data, present);
		} else {
			if (!buf && !(buf = malloc(SCAN_CHUNK > (1u << c->shift) ? SCAN_CHUNK
										 : 1u << c->shift)))
				return -ENOMEM;
			err = source__read(c->src, c->start + ((uint64_t)runs[0].first << c->shift),
					   buf, (size_t)run << c->shift, present);
			data = buf;
		}
		if (err < 0) {
			free(buf);
			return err;
		}
		for (uint32_t r = 0; r < nruns; r++) {
			/* pages between the runs: not allocated, nothing read */
			for (; p < runs[r].first; p++)
				c->edge_off[p + 1] = c->nedges;
			for (uint32_t x = 0; x < runs[r].count; x++, a++, p++) {
				if (present[a]) {
					scan_page(c, p, data + ((size_t)a << c->shift));
					c->res->summary.pages_scanned++;
				} else {
					c->res->summary.stale = true; /* freed since the page map */
				}
				c->edge_off[p + 1] = c->nedges;
			}
		}
		done += run;
		if (ai_progress__tick(c->progress, "checking: scan", done, c->allocated)) {
			free(buf);
			return -ECANCELED;
		}
	}
	/* the line ends at 100% */
	ai_progress__tick(c->progress, "checking: scan", c->allocated, c->allocated);
	free(buf);
	return c->err;
}

/* Pages reached from the roots through the scan's edges; the rest of the
 * allocated pages, in runs. */
static int reach_and_runs(struct ck *c)
{
	uint32_t n = c->pm.nr_pages, *stack, sp = 0, cap = 0;
	uint8_t *incoming;
	struct check_result *r = c->res;

	stack = malloc(((size_t)n + 1) * sizeof(*stack));
	if (!stack)
		return -ENOMEM;
	for (uint32_t p = 0; p < n; p++)
		if (c->reach[p])
			stack[sp++] = p;
	incoming = calloc((size_t)n + 1, 1);
	if (!incoming) {
		free(stack);
		return -ENOMEM;
	}
	for (size_t e = 0; e < c->nedges; e++)
		incoming[c->edges[e]] = 1;
	while (sp) {
		uint32_t p = stack[--sp];

		/* the next page with nothing pointing into it is taken as the
		 * rest of a multi-page object (a pool, a run of pages from one
		 * bpf_arena_alloc_pages call): only its first page is pointed to */
		if (p + 1 < n && c->pm.state[p + 1] == PAGE_ALLOCATED && !c->reach[p + 1] &&
		    !incoming[p + 1]) {
			c->reach[p + 1] = 1;
			stack[sp++] = p + 1;
		}
		for (uint32_t e = c->edge_off[p]; e < c->edge_off[p + 1]; e++) {
			uint32_t t = c->edges[e];

			if (!c->reach[t]) {
				c->reach[t] = 1;
				stack[sp++] = t;
			}
		}
	}
	free(stack);
	free(incoming);
	for (uint32_t p = 0; p < n; p++) {
		uint32_t q = p;

		if (c->pm.state[p] != PAGE_ALLOCATED || c->reach[p])
			continue;
		while (q + 1 < n && c->pm.state[q + 1] == PAGE_ALLOCATED && !c->reach[q + 1])
			q++;
		if (r->nr_runs == cap) {
			void *nr;

			cap = cap ? cap * 2 : 16;
			nr = realloc(r->runs, cap * sizeof(*r->runs));
			if (!nr)
				return -ENOMEM;
			r->runs = nr;
		}
		r->runs[r->nr_runs++] = (struct check_run){ p, q };
		r->summary.unreachable_pages += q - p + 1;
		p = q;
	}
	return 0;
}

/*
 * Can check judge object leaks? Only when it reads every place where a
 * program can keep a reference: otherwise an object held in a hash map or
 * task local storage would be called a leak. Fills s->leaks_judged and,
 * when not, s->leaks_not_judged.
 */
static void leaks_policy(const struct ck *c, struct check_summary *s)
{
	struct btfx *bx = c->bx;
	int n = btfx__nr_unseen_maps(bx);
	char *why = s->leaks_not_judged, t[32];
	size_t len = sizeof(s->leaks_not_judged);

	s->leaks_judged = false;
	s->live_objects = 0;
	for (size_t i = 0; c->heap && i < c->heap->nr_allocs; i++)
		s->live_objects += c->heap->allocs[i].stats.live_objects;
	if (!c->heap || !c->heap->live_pages) {
		snprintf(why, len, "no allocator's objects found");
	} else if (!s->nr_roots) {
		snprintf(why, len, "no roots");
	} else if (!btfx__maps_known(bx)) {
		snprintf(why, len, "unknown which maps the programs use");
	} else if (n) {
		const struct btfx_map *m = btfx__unseen_map(bx, 0);
		char more[32] = "";

		if (n > 1)
			snprintf(more, sizeof(more), " and %d more", n - 1);
		if (m->type == BTFX_MAP_TYPE_UNKNOWN)
			snprintf(why, len,
				 "the programs use map id %u%s, which check could not "
				 "look at",
				 m->id, more);
		else
			snprintf(why, len,
				 "the programs use map '%s' (%s)%s, which check "
				 "cannot read",
				 m->name, btfx__map_type_name(m->type, t, sizeof(t)), more);
	} else if (btfx__vars_cut(bx)) {
		snprintf(why, len, "the programs' variables were cut at %u MiB",
			 BTFX_VARS_MAX_BYTES >> 20);
	} else {
		why[0] = '\0';
		s->leaks_judged = true;
	}
}

/* LEAKED_OBJECT: live objects nothing points into. The roots point from
 * outside the arena; pointers inside it were marked by the scan. Judged
 * only with roots (without them a .bss pointer could be all there is). */
static void leaked_objects(struct ck *c, const struct check_opts *o)
{
	const struct heap *h = c->heap;
	int n = c->bx ? btfx__nr_roots(c->bx) : 0;
	size_t k = 0;

	for (int i = 0; i < n; i++) {
		const struct root *r = btfx__root(c->bx, i);

		if (r->kind == ROOT_MAP_PTR)
			heap__mark_ref(h, &c->pm, c->marks, 0, r->value);
	}
	/* every qword of the data sections, typed or not: a program keeps
	 * what it allocated in arrays of pointers, u64s, structs */
	n = btfx__nr_vars(c->bx);
	for (int i = 0; i < n; i++) {
		const struct map_var *v = btfx__var(c->bx, i);

		for (uint32_t off = 0; off + 8 <= v->size; off += 8) {
			uint64_t w;

			memcpy(&w, v->data + off, 8);
			if (w >> 32 == c->start >> 32)
				heap__mark_ref(h, &c->pm, c->marks, 0, w);
		}
	}
	for (int i = 0; o && i < o->nr_roots; i++)
		heap__mark_ref(h, &c->pm, c->marks, 0,
			       o->roots[i].is_ptr ? o->roots[i].value : o->roots[i].addr);
	for (size_t a = 0; a < h->nr_allocs && !c->err; a++)
		for (size_t i = 0; i < h->allocs[a].nr_objs && !c->err; i++, k++) {
			const struct heap_obj *ob = &h->allocs[a].objs[i];

			if (ob->state == HEAP_LIVE && !c->marks[k] &&
			    !add_finding(c, CHECK_LEAKED_OBJECT, ob->addr, ob->addr, NULL))
				c->res->findings[c->res->nr_findings - 1].target_state =
					"unreferenced";
		}
}

static int cmp_finding(const void *a, const void *b)
{
	const struct check_finding *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	/* asan-poisoned last: any other finding at the same place says more
	 * (freed-object: which slot) */
	if ((x->kind == CHECK_ASAN_POISONED) != (y->kind == CHECK_ASAN_POISONED))
		return x->kind == CHECK_ASAN_POISONED ? 1 : -1;
	/* typed first: the one kept */
	if (!x->path != !y->path)
		return x->path ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

/* One finding per location (at 0, roots in maps, are kept apart by path). */
static void dedupe(struct check_result *r)
{
	uint32_t w = 0;

	if (r->nr_findings) /* findings is NULL without one */
		qsort(r->findings, r->nr_findings, sizeof(*r->findings), cmp_finding);
	for (uint32_t i = 0; i < r->nr_findings; i++) {
		struct check_finding *f = &r->findings[i];

		/* a leaked object is no value stored: it shares its address
		 * with what is stored in its first bytes */
		if (w && f->at && r->findings[w - 1].at == f->at &&
		    f->kind != CHECK_LEAKED_OBJECT &&
		    r->findings[w - 1].kind != CHECK_LEAKED_OBJECT) {
			/* the typed path of a dropped asan-poisoned goes to the
			 * finding kept for the place */
			if (!r->findings[w - 1].path)
				r->findings[w - 1].path = f->path;
			else
				free(f->path);
			continue;
		}
		r->findings[w++] = *f;
	}
	r->nr_findings = w;
	memset(r->summary.counts, 0, sizeof(r->summary.counts));
	for (uint32_t i = 0; i < w; i++)
		r->summary.counts[r->findings[i].kind]++;
}

static int run(struct btfx *bx, struct source *src, const struct check_opts *opts,
	       struct check_result *out, check_ptr_cb cb, void *ctx)
{
	struct ck c = { .bx = bx, .src = src, .res = out, .ptr_cb = cb, .ptr_ctx = ctx };
	int err;

	memset(out, 0, sizeof(*out));
	err = source__pagemap(src, &c.pm);
	if (err)
		return err;
	c.start = src->info.user_vm_start;
	c.size = source__size(src);
	c.shift = src->info.page_shift;
	if (!c.start) {
		pagemap__free(&c.pm);
		return ai_err(-EINVAL, "the arena was never mapped (no user_vm_start): "
				       "its pointers cannot be told from integers");
	}
	c.guard0 = c.pm.nr_pages && c.pm.state[0] != PAGE_ALLOCATED;
	c.allocated = c.pm.counts[PAGE_ALLOCATED];
	c.max_nodes = opts && opts->max_nodes ? opts->max_nodes : DEF_MAX_NODES;
	c.max_depth = opts && opts->max_depth ? opts->max_depth : DEF_MAX_DEPTH;
	c.progress = opts ? opts->progress : NULL;
	c.reach = calloc(c.pm.nr_pages + 1, 1);
	c.buf = malloc(MAX_OBJ);
	if (!c.reach || !c.buf) {
		err = -ENOMEM;
		goto out;
	}
	/* the allocators' view of the same page map: free slots */
	err = heap__open(bx, src, &c.pm, NULL, &c.heap);
	if (err)
		goto out;
	c.hctx = (struct heap_ctx){ .bx = bx, .src = src, .pm = &c.pm };
	c.has_asan = heap_asan__find(&c.hctx, &c.asan) == 1;
	add_roots(&c, opts);
	c.judge = out->summary.nr_roots > 0;
	/* the ASAN runtime reaches its shadow through its .bss variable (an
	 * offset, no pointer): the shadow's pages are roots */
	for (uint64_t a = c.asan.shadow; c.has_asan && a < c.asan.shadow + c.asan.len;
	     a += 1ull << c.shift) {
		uint32_t page;

		if (page_state(&c, a, &page) == PAGE_ALLOCATED)
			c.reach[page] = 1;
	}
	if (c.judge && c.heap->live_pages) {
		c.marks = calloc(heap__nr_objs(c.heap) + 1, 1);
		if (!c.marks) {
			err = -ENOMEM;
			goto out;
		}
	}
	typed_walk(&c);
	err = c.err;
	if (cb) /* the typed walk alone */
		goto done;
	if (!err)
		err = scan(&c);
	if (!err) {
		out->summary.judged = out->summary.nr_roots > 0 && !c.edges_cut;
		out->summary.not_judged = !out->summary.nr_roots ? "no roots"
					  : c.edges_cut		 ? "too many pointers to follow"
								 : NULL;
		if (out->summary.judged)
			err = reach_and_runs(&c);
		leaks_policy(&c, &out->summary);
		if (!err && c.marks && out->summary.leaks_judged) {
			leaked_objects(&c, opts);
			err = c.err;
		}
	}
done:
	out->summary.stale |= c.pm.stale;
	dedupe(out);
out:
	free(c.q);
	free(c.vis);
	free(c.reach);
	free(c.edge_off);
	free(c.edges);
	free(c.buf);
	free(c.marks);
	heap_asan__cache_free(&c.asan_cache);
	heap__free(c.heap);
	pagemap__free(&c.pm);
	if (err) {
		check__result_free(out);
		if (err == -ENOMEM)
			ai_err(err, "check: out of memory");
		else if (err == -ECANCELED && !cb)
			ai_err(err, "check: cancelled");
	}
	return err;
}

int check__run(struct btfx *bx, struct source *src, const struct check_opts *opts,
	       struct check_result *out)
{
	return run(bx, src, opts, out, NULL, NULL);
}

int check__typed_pointers(struct btfx *bx, struct source *src, const struct check_opts *opts,
			  check_ptr_cb cb, void *ctx, struct check_summary *sum)
{
	struct check_result r;
	int err = run(bx, src, opts, &r, cb, ctx);

	if (err == -ECANCELED)
		ai_err(ECANCELED, "the typed walk was cancelled");
	if (!err && sum)
		*sum = r.summary;
	check__result_free(&r);
	return err;
}

/* ---- the difference of two checks ---- */

static int cmp_key(const void *pa, const void *pb)
{
	const struct check_finding *x = *(const struct check_finding *const *)pa;
	const struct check_finding *y = *(const struct check_finding *const *)pb;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if (x->at) /* in a map: the path is the place */
		return 0;
	return strcmp(x->path ? x->path : "", y->path ? y->path : "");
}

/* The findings of x that y lacks, in x's order. */
static int minus(const struct check_result *x, const struct check_result *y,
		 const struct check_finding ***out, uint32_t *nr)
{
	const struct check_finding **ys = NULL;

	*out = NULL;
	*nr = 0;
	if (!x->nr_findings)
		return 0;
	*out = malloc(x->nr_findings * sizeof(**out));
	if (y->nr_findings)
		ys = malloc(y->nr_findings * sizeof(*ys));
	if (!*out || (y->nr_findings && !ys)) {
		free(ys);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < y->nr_findings; i++)
		ys[i] = &y->findings[i];
	if (ys)
		qsort(ys, y->nr_findings, sizeof(*ys), cmp_key);
	for (uint32_t i = 0; i < x->nr_findings; i++) {
		const struct check_finding *f = &x->findings[i];

		if (!ys || !bsearch(&f, ys, y->nr_findings, sizeof(*ys), cmp_key))
			(*out)[(*nr)++] = f;
	}
	free(ys);
	return 0;
}

/* The pages of x's runs outside y's runs, as runs (both sorted, disjoint). */
static int runs_minus(const struct check_result *x, const struct check_result *y,
		      struct check_run **out, uint32_t *nr, uint32_t *pages)
{
	uint32_t j = 0, cap = 0;

	*out = NULL;
	*nr = *pages = 0;
	for (uint32_t i = 0; i < x->nr_runs; i++) {
		uint64_t p = x->runs[i].first, last = x->runs[i].last;

		while (p <= last) {
			uint64_t end = last;

			while (j < y->nr_runs && y->runs[j].last < p)
				j++;
			if (j < y->nr_runs && y->runs[j].first <= p) { /* covered */
				p = (uint64_t)y->runs[j].last + 1;
				continue;
			}
			if (j < y->nr_runs && y->runs[j].first <= last)
				end = y->runs[j].first - 1;
			if (*nr == cap) {
				void *n;

				cap = cap ? cap * 2 : 16;
				n = realloc(*out, cap * sizeof(**out));
				if (!n)
					return -ENOMEM;
				*out = n;
			}
			(*out)[(*nr)++] = (struct check_run){ (uint32_t)p, (uint32_t)end };
			*pages += end - p + 1;
			p = end + 1;
		}
	}
	return 0;
}

int check__delta(const struct check_result *a, const struct check_result *b,
		 struct check_delta *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	err = minus(b, a, &out->fresh, &out->nr_fresh);
	if (!err)
		err = minus(a, b, &out->resolved, &out->nr_resolved);
	out->runs_compared = a->summary.judged && b->summary.judged;
	if (!err && out->runs_compared)
		err = runs_minus(b, a, &out->fresh_runs, &out->nr_fresh_runs, &out->fresh_pages);
	if (!err && out->runs_compared)
		err = runs_minus(a, b, &out->resolved_runs, &out->nr_resolved_runs,
				 &out->resolved_pages);
	if (err) {
		check__delta_free(out);
		return ai_err(ENOMEM, "check: out of memory");
	}
	return 0;
}

void check__delta_free(struct check_delta *d)
{
	if (!d)
		return;
	free(d->fresh);
	free(d->resolved);
	free(d->fresh_runs);
	free(d->resolved_runs);
	memset(d, 0, sizeof(*d));
}

void check__result_free(struct check_result *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < r->nr_findings; i++)
		free(r->findings[i].path);
	free(r->findings);
	free(r->runs);
	memset(r, 0, sizeof(*r));
}

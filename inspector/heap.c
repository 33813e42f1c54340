// SPDX-License-Identifier: GPL-2.0
/*
 * heap: the registry of allocator backends and the core that runs them
 * over one arena (heap.h). The core collects what each backend's walk
 * reports, sorts it, gives every page one owner (globals first, then the
 * backends in table order), lists the allocated pages nobody claims, and
 * answers "what holds this address" by binary search.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "array.h"
#include "btfx_internal.h"
#include "error.h"
#include "heap.h"

const struct heap_backend *const heap_backends[] = {
	/* backends that read their allocator's own books first; page_frag
	 * last: it claims pages by the count in their last 8 bytes, a guess
	 * that must not take a page another backend knows to be its own */
	&heap_sdt_alloc,
	&heap_buddy,
	&heap_page_frag,
	NULL,
};

static int note_add(char ***notes, size_t *nr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int note_add(char ***notes, size_t *nr, const char *fmt, ...)
{
	char **n = realloc(*notes, (*nr + 1) * sizeof(**notes));
	va_list ap;
	int len;

	if (!n)
		return ai_err(ENOMEM, "out of memory");
	*notes = n;
	va_start(ap, fmt);
	len = vasprintf(&n[*nr], fmt, ap);
	va_end(ap);
	if (len < 0)
		return ai_err(ENOMEM, "out of memory");
	(*nr)++;
	return 0;
}

uint8_t *heap__globals_pages(const struct heap_ctx *c)
{
	uint32_t nr = c->pm->nr_pages, shift = c->src->info.page_shift;
	uint64_t base = c->src->info.user_vm_start;
	uint8_t *map = calloc(nr ? nr : 1, 1);
	int n = c->bx ? btfx__nr_roots(c->bx) : 0;

	if (!map) {
		ai_err(ENOMEM, "out of memory");
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		const struct root *r = btfx__root(c->bx, i);
		const struct btf *btf = r->btf ? r->btf : btfx__btf(c->bx, r->btf_idx);
		uint64_t sz = btf ? btfx_size(btf, r->type_id) : 0;

		if (r->kind != ROOT_ARENA_GLOBAL || !source__contains(c->src, r->addr, 1))
			continue;
		if (!sz)
			sz = 1;
		if (!source__contains(c->src, r->addr, sz))
			sz = base + source__size(c->src) - r->addr;
		for (uint64_t p = (r->addr - base) >> shift;
		     p <= (r->addr - base + sz - 1) >> shift; p++)
			if (p < nr)
				map[p] = 1;
	}
	return map;
}

/* ---- collecting one backend's walk ---- */

struct collect {
	struct heap_alloc *a;
	size_t cap_runs, cap_objs;
};

static int on_pages(void *ctx, const struct heap_pages *p)
{
	struct collect *c = ctx;
	int err = ai_reserve((void **)&c->a->runs, &c->cap_runs, c->a->nr_runs + 1,
			     sizeof(*c->a->runs));

	if (err)
		return err;
	c->a->runs[c->a->nr_runs++] = *p;
	return 0;
}

static int on_obj(void *ctx, const struct heap_obj *o)
{
	struct collect *c = ctx;
	int err = ai_reserve((void **)&c->a->objs, &c->cap_objs, c->a->nr_objs + 1,
			     sizeof(*c->a->objs));

	if (err)
		return err;
	c->a->objs[c->a->nr_objs] = *o;
	c->a->objs[c->a->nr_objs].note[sizeof(o->note) - 1] = 0;
	c->a->nr_objs++;
	return 0;
}

static int on_note(void *ctx, const char *msg)
{
	struct collect *c = ctx;

	return note_add(&c->a->notes, &c->a->nr_notes, "%s", msg);
}

static int cmp_run(const void *a, const void *b)
{
	const struct heap_pages *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static int cmp_obj(const void *a, const void *b)
{
	const struct heap_obj *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->size < y->size ? -1 : x->size > y->size;
}

/* Sort, drop what overlaps (a backend's bug or a contradiction in memory:
 * noted, never silently merged), and count. */
static int finish_alloc(struct heap_alloc *a)
{
	struct heap_stats *st = &a->stats;
	size_t k = 0, dropped = 0;

	qsort(a->runs, a->nr_runs, sizeof(*a->runs), cmp_run);
	qsort(a->objs, a->nr_objs, sizeof(*a->objs), cmp_obj);
	for (size_t i = 0; i < a->nr_objs; i++) {
		const struct heap_obj *o = &a->objs[i];

		if (!o->size || (k && o->addr < a->objs[k - 1].addr + a->objs[k - 1].size)) {
			dropped++;
			continue;
		}
		a->objs[k++] = *o;
	}
	a->nr_objs = k;
	if (dropped && note_add(&a->notes, &a->nr_notes,
				"%zu reported object%s overlapped another or had size 0: left out",
				dropped, dropped == 1 ? "" : "s"))
		return -ENOMEM;
	for (size_t i = 0; i < a->nr_runs; i++) {
		st->pages += a->runs[i].count;
		if (a->runs[i].holds_objects)
			st->object_pages += a->runs[i].count;
		if (a->runs[i].counted) {
			st->counted = true;
			st->counted_live += a->runs[i].nr_counted;
		}
	}
	st->fixed_size = a->nr_objs > 0;
	for (size_t i = 0; i < a->nr_objs; i++) {
		const struct heap_obj *o = &a->objs[i];

		if (o->size != a->objs[0].size)
			st->fixed_size = false;
		if (o->state == HEAP_LIVE) {
			st->live_objects++;
			st->live_bytes += o->size;
		} else {
			st->free_slots++;
			st->free_bytes += o->size;
			if (o->size > st->largest_free)
				st->largest_free = o->size;
		}
	}
	/* one slot size (sdt_alloc's elements): any free slot serves any
	 * request, so scattered free slots are no external fragmentation */
	st->fragmentation = st->free_bytes && !st->fixed_size
				    ? 1.0 - (double)st->largest_free / (double)st->free_bytes
				    : 0.0;
	return 0;
}

/* ---- page owners ---- */

static int add_range(struct heap_range **arr, size_t *nr, size_t *cap, uint32_t page)
{
	if (*nr && (*arr)[*nr - 1].first + (*arr)[*nr - 1].count == page) {
		(*arr)[*nr - 1].count++;
		return 0;
	}
	if (ai_reserve((void **)arr, cap, *nr + 1, sizeof(**arr)))
		return -ENOMEM;
	(*arr)[(*nr)++] = (struct heap_range){ page, 1 };
	return 0;
}

static int assign_owners(struct heap *h, const struct pagemap *pm, const uint8_t *globals)
{
	size_t cap_u = 0, cap_g = 0;

	for (uint32_t p = 0; p < h->nr_pages; p++)
		h->owner[p] = globals[p] ? HEAP_OWNER_GLOBALS : HEAP_OWNER_NONE;
	for (size_t i = 0; i < h->nr_allocs; i++) {
		struct heap_alloc *a = &h->allocs[i];
		uint64_t clash = 0, clash_globals = 0;
		int other = -1;

		for (size_t r = 0; r < a->nr_runs; r++) {
			const struct heap_pages *run = &a->runs[r];

			for (uint64_t p = run->first; p < (uint64_t)run->first + run->count; p++) {
				if (p >= h->nr_pages)
					break;
				if (h->owner[p] == HEAP_OWNER_NONE)
					h->owner[p] = (int16_t)i;
				else if (h->owner[p] == HEAP_OWNER_GLOBALS)
					clash_globals++;
				else if (h->owner[p] != (int16_t)i) {
					clash++;
					other = h->owner[p];
				}
			}
		}
		if (clash && note_add(&h->notes, &h->nr_notes,
				      "%llu page%s claimed by %s are %s's (listed there)",
				      (unsigned long long)clash, clash == 1 ? "" : "s", a->be->name,
				      h->allocs[other].be->name))
			return -ENOMEM;
		if (clash_globals &&
		    note_add(&h->notes, &h->nr_notes,
			     "%llu page%s claimed by %s hold __arena globals (named globals)",
			     (unsigned long long)clash_globals, clash_globals == 1 ? "" : "s",
			     a->be->name))
			return -ENOMEM;
	}
	for (uint32_t p = 0; p < h->nr_pages; p++) {
		if (globals[p]) {
			if (add_range(&h->globals, &h->nr_globals, &cap_g, p))
				return -ENOMEM;
		} else if (h->owner[p] == HEAP_OWNER_NONE && pm->state[p] == PAGE_ALLOCATED) {
			if (add_range(&h->unclaimed, &h->nr_unclaimed, &cap_u, p))
				return -ENOMEM;
			h->unclaimed_pages++;
		}
	}
	return 0;
}

/* free_pages and live_pages: which pages hold listed free slots and live
 * objects, so the scan's per-pointer questions cost a byte load */
static int mark_free_pages(struct heap *h)
{
	for (size_t i = 0; i < h->nr_allocs; i++) {
		const struct heap_alloc *a = &h->allocs[i];

		for (size_t k = 0; k < a->nr_objs; k++) {
			const struct heap_obj *o = &a->objs[k];
			uint8_t **map = o->state == HEAP_FREE ? &h->free_pages : &h->live_pages;
			uint64_t first, last;

			if (o->addr < h->base)
				continue;
			if (!*map) {
				*map = calloc(h->nr_pages ? h->nr_pages : 1, 1);
				if (!*map)
					return ai_err(ENOMEM, "out of memory");
			}
			first = (o->addr - h->base) >> h->page_shift;
			last = (o->addr - h->base + o->size - 1) >> h->page_shift;
			for (uint64_t p = first; p <= last && p < h->nr_pages; p++)
				(*map)[p] = 1;
		}
	}
	return 0;
}

int heap__open(struct btfx *bx, struct source *src, const struct pagemap *pm,
	       const struct ai_progress *progress, struct heap **out)
{
	struct heap_ctx c = { .bx = bx, .src = src, .pm = pm, .progress = progress };
	size_t nr_be = 0;
	uint8_t *globals = NULL;
	struct heap *h;
	int err = 0;

	*out = NULL;
	while (heap_backends[nr_be])
		nr_be++;
	h = calloc(1, sizeof(*h));
	if (!h)
		return ai_err(ENOMEM, "out of memory");
	h->nr_pages = pm->nr_pages;
	h->page_shift = src->info.page_shift;
	h->base = src->info.user_vm_start;
	h->allocs = calloc(nr_be ? nr_be : 1, sizeof(*h->allocs));
	h->owner = malloc((pm->nr_pages ? pm->nr_pages : 1) * sizeof(*h->owner));
	globals = heap__globals_pages(&c);
	if (!h->allocs || !h->owner || !globals) {
		err = ai_err(ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < nr_be && !err; i++) {
		const struct heap_backend *be = heap_backends[i];
		struct heap_alloc *a = &h->allocs[h->nr_allocs];
		struct collect col = { .a = a };
		struct heap_visitor v = { on_pages, on_obj, on_note, &col };
		void *priv = NULL;
		int found;

		if (ai_progress__tick(progress, "reading allocators", i, nr_be)) {
			err = ai_err(ECANCELED, "heap: cancelled");
			break;
		}
		found = be->detect(&c, &priv);
		if (found < 0) {
			err = found;
			break;
		}
		if (!found)
			continue;
		a->be = be;
		h->nr_allocs++;
		err = be->walk(&c, priv, &v);
		if (be->release)
			be->release(priv);
		if (err > 0)
			err = 0; /* our visitor never stops a walk */
		if (!err)
			err = finish_alloc(a);
	}
	if (!err)
		err = assign_owners(h, pm, globals);
	if (!err)
		err = mark_free_pages(h);
	if (err)
		goto fail;
	free(globals);
	*out = h;
	return 0;
fail:
	free(globals);
	heap__free(h);
	return err;
}

static void notes_free(char **notes, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(notes[i]);
	free(notes);
}

void heap__free(struct heap *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nr_allocs; i++) {
		free(h->allocs[i].runs);
		free(h->allocs[i].objs);
		notes_free(h->allocs[i].notes, h->allocs[i].nr_notes);
	}
	free(h->allocs);
	free(h->unclaimed);
	free(h->globals);
	notes_free(h->notes, h->nr_notes);
	free(h->owner);
	free(h->free_pages);
	free(h->live_pages);
	free(h);
}

/* ---- lookup ---- */

static const struct heap_obj *find_obj(const struct heap_alloc *a, uint64_t addr)
{
	size_t lo = 0, hi = a->nr_objs;

	/* the last object starting at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->objs[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr - a->objs[lo - 1].addr >= a->objs[lo - 1].size)
		return NULL;
	return &a->objs[lo - 1];
}

static const struct heap_pages *find_run(const struct heap_alloc *a, uint32_t page)
{
	size_t lo = 0, hi = a->nr_runs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->runs[mid].first <= page)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || page - a->runs[lo - 1].first >= a->runs[lo - 1].count)
		return NULL;
	return &a->runs[lo - 1];
}

void heap__lookup(const struct heap *h, const struct pagemap *pm, uint64_t addr,
		  struct heap_hit *hit)
{
	uint64_t size = (uint64_t)h->nr_pages << h->page_shift;
	int owner;

	memset(hit, 0, sizeof(*hit));
	hit->alloc = -1;
	if (!h->base || addr < h->base || addr - h->base >= size) {
		hit->where = HEAP_AT_OUTSIDE;
		return;
	}
	hit->page = (uint32_t)((addr - h->base) >> h->page_shift);
	owner = h->owner[hit->page];
	if (owner >= 0) {
		const struct heap_alloc *a = &h->allocs[owner];

		hit->alloc = owner;
		hit->a = a;
		hit->obj = find_obj(a, addr);
		hit->run = find_run(a, hit->page);
		hit->where = hit->obj ? HEAP_AT_OBJECT : HEAP_AT_RUN;
		return;
	}
	if (owner == HEAP_OWNER_GLOBALS)
		hit->where = HEAP_AT_GLOBALS;
	else if (pm->state[hit->page] == PAGE_ALLOCATED)
		hit->where = HEAP_AT_UNCLAIMED;
	else if (pm->state[hit->page] == PAGE_RESERVED)
		hit->where = HEAP_AT_RESERVED;
	else
		hit->where = HEAP_AT_FREE_PAGE;
}

const struct heap_obj *heap__free_slot_at(const struct heap *h, uint64_t addr)
{
	const struct heap_obj *o;
	uint64_t page;
	int owner;

	if (!h || !h->free_pages || addr < h->base)
		return NULL;
	page = (addr - h->base) >> h->page_shift;
	if (page >= h->nr_pages || !h->free_pages[page])
		return NULL;
	owner = h->owner[page];
	if (owner < 0)
		return NULL;
	o = find_obj(&h->allocs[owner], addr);
	return o && o->state == HEAP_FREE ? o : NULL;
}

const struct heap_obj *heap__freed_ref(const struct heap *h, const struct pagemap *pm, uint64_t at,
				       uint64_t v)
{
	const struct heap_obj *slot = heap__free_slot_at(h, v);
	struct heap_hit where;

	if (!slot)
		return NULL;
	heap__lookup(h, pm, at, &where);
	switch (where.where) {
	case HEAP_AT_OBJECT: return where.obj->state == HEAP_LIVE ? slot : NULL;
	case HEAP_AT_RUN: return where.run && where.run->holds_objects ? slot : NULL;
	case HEAP_AT_GLOBALS: return NULL;
	default: return slot;
	}
}

size_t heap__nr_objs(const struct heap *h)
{
	size_t n = 0;

	for (size_t i = 0; h && i < h->nr_allocs; i++)
		n += h->allocs[i].nr_objs;
	return n;
}

void heap__mark_ref(const struct heap *h, const struct pagemap *pm, uint8_t *marks, uint64_t at,
		    uint64_t v)
{
	const struct heap_obj *o;
	struct heap_hit where;
	uint64_t page;
	size_t idx = 0;
	int owner;

	if (!h || !h->live_pages || v < h->base)
		return;
	page = (v - h->base) >> h->page_shift;
	if (page >= h->nr_pages || !h->live_pages[page] || (owner = h->owner[page]) < 0)
		return;
	o = find_obj(&h->allocs[owner], v);
	if (!o || o->state != HEAP_LIVE)
		return;
	if (at) {
		heap__lookup(h, pm, at, &where);
		if ((where.where == HEAP_AT_OBJECT && where.obj->state == HEAP_FREE) ||
		    (where.where == HEAP_AT_RUN && where.run && !where.run->holds_objects))
			return; /* the allocator's own books */
		if (where.where == HEAP_AT_OBJECT && where.obj == o)
			return; /* itself (a list node pointing at itself) */
	}
	for (int i = 0; i < owner; i++)
		idx += h->allocs[i].nr_objs;
	marks[idx + (size_t)(o - h->allocs[owner].objs)] = 1;
}

const char *heap__where_name(enum heap_where w)
{
	static const char *const names[] = {
		[HEAP_AT_OBJECT] = "object",	   [HEAP_AT_RUN] = "in run",
		[HEAP_AT_GLOBALS] = "globals",	   [HEAP_AT_UNCLAIMED] = "unclaimed",
		[HEAP_AT_FREE_PAGE] = "free page", [HEAP_AT_RESERVED] = "reserved",
		[HEAP_AT_OUTSIDE] = "outside",
	};

	return (unsigned)w < sizeof(names) / sizeof(names[0]) ? names[w] : "?";
}

void heap__describe(const struct heap_hit *hit, uint64_t addr, char *buf, size_t len)
{
	const struct heap_obj *o = hit->obj;

	switch (hit->where) {
	case HEAP_AT_OBJECT:
		snprintf(buf, len, "%s object of %s: 0x%llx-0x%llx (%llu bytes, +%llu)%s%s",
			 o->state == HEAP_LIVE ? "live" : "free", hit->a->be->name,
			 (unsigned long long)o->addr, (unsigned long long)(o->addr + o->size - 1),
			 (unsigned long long)o->size, (unsigned long long)(addr - o->addr),
			 o->note[0] ? "; " : "", o->note);
		break;
	case HEAP_AT_RUN:
		snprintf(buf, len, "in %s's pages (%s), in no object it lists (page %u)",
			 hit->a->be->name, hit->run && hit->run->role ? hit->run->role : "?",
			 hit->page);
		break;
	case HEAP_AT_GLOBALS:
		snprintf(buf, len, "on a page of __arena globals (page %u)", hit->page);
		break;
	case HEAP_AT_UNCLAIMED:
		snprintf(buf, len, "on an allocated page that no allocator claims (page %u)",
			 hit->page);
		break;
	case HEAP_AT_FREE_PAGE:
		snprintf(buf, len,
			 "on a page that is not allocated: no allocation holds it (page %u)",
			 hit->page);
		break;
	case HEAP_AT_RESERVED:
		snprintf(buf, len, "on a reserved page, no memory (page %u)", hit->page);
		break;
	case HEAP_AT_OUTSIDE: snprintf(buf, len, "outside the arena"); break;
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * heap backend: the kernel BPF selftests' page-fragment allocator
 * (tools/testing/selftests/bpf/bpf_arena_alloc.h, as in Linux 6.9 .. 6.18
 * and torvalds/linux master of 2026):
 *
 *	void __arena *page_frag_cur_page[NR_CPUS];   per-CPU current page
 *	int page_frag_cur_offset[NR_CPUS];           where its next object ends
 *
 * bpf_alloc(size) rounds size up to 8 and carves it downwards from the
 * current page's offset (a fresh page starts at PAGE_SIZE - 8); when it
 * does not fit, it takes a fresh page. The page's last 8 bytes are a u64
 * count of its live objects; bpf_free() decrements it and frees the page
 * at 0. Upstream keeps both arrays as __arena globals; code built with a
 * libbpf that cannot load those (the alist fixture) keeps them in .bss:
 * both are found, by name and type.
 *
 * What the allocator does not record, and so this backend cannot know:
 * - which pages are its own, beyond the current ones: every other
 *   allocated page (not __arena globals, not claimed by a backend earlier
 *   in the table) whose last u64 is a plausible count (1 .. (PAGE_SIZE -
 *   8) / 8) is claimed, and a note says so;
 * - where objects begin and end: only the count. Objects are reported
 *   where a typed root (a .bss/.data pointer of a type with a size)
 *   points into one of its pages; every page's count is reported with
 *   the page (heap_pages.counted), so live objects are exact in number
 *   though not all in place;
 * - which objects were freed: a freed object's bytes stay as they were
 *   until its whole page goes. Free slots are the bytes below a current
 *   page's offset, never carved yet.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfx_internal.h"
#include "error.h"
#include "heap.h"

#define PF_GATHER_BATCH 16384 /* a live source's gather does this many a pass */

struct pf_slot {
	uint64_t page; /* user address of the current page (0: none) */
	int32_t offset;
	uint32_t cpu;
};

struct pf_state {
	char where[96];	       /* "__arena globals", ".bss" */
	char bad[200];	       /* names found but not laid out as upstream: why */
	struct pf_slot *slots; /* CPUs with a current page */
	uint32_t nr_slots, nr_cpus;
};

/* array of 8- or 4-byte integers/pointers: its element count, 0 if not */
static uint32_t array_of(const struct btf *btf, uint32_t id, uint32_t elem_size, bool ptr_ok)
{
	const struct btf_type *t = btf ? btf__type_by_id(btf, btfx_skip_mods(btf, id)) : NULL;
	const struct btf_type *e;
	const struct btf_array *arr;

	if (!t || btf_kind(t) != BTF_KIND_ARRAY)
		return 0;
	arr = btf_array(t);
	e = btf__type_by_id(btf, btfx_skip_mods(btf, arr->type));
	if (!e || btfx_size(btf, arr->type) != elem_size)
		return 0;
	if (btf_kind(e) != BTF_KIND_INT && !(ptr_ok && btf_kind(e) == BTF_KIND_PTR))
		return 0;
	return arr->nelems;
}

/* The bytes of variable NAME: an __arena global read through the source
 * (never faulting a page in), else a data-section variable's copy. */
static int var_bytes(const struct heap_ctx *c, const char *name, const struct btf **btf,
		     uint32_t *type, uint8_t **data, uint32_t *size, bool *in_arena)
{
	const struct root *r = c->bx ? btfx__find_root(c->bx, name) : NULL;
	const struct map_var *v;

	*data = NULL;
	if (r && r->kind == ROOT_ARENA_GLOBAL) {
		*btf = r->btf ? r->btf : btfx__btf(c->bx, r->btf_idx);
		*type = r->type_id;
		*size = *btf ? (uint32_t)btfx_size(*btf, r->type_id) : 0;
		*in_arena = true;
		if (!*size)
			return 1;
		*data = malloc(*size);
		if (!*data)
			return ai_err(ENOMEM, "out of memory");
		int miss = source__read(c->src, r->addr, *data, *size, NULL);

		if (miss < 0) {
			free(*data);
			*data = NULL;
			return miss;
		}
		/* a missing globals page reads as zeroes: no current pages */
		return 1;
	}
	v = c->bx ? btfx__find_var(c->bx, name) : NULL;
	if (!v)
		return 0;
	*btf = v->btf;
	*type = v->type_id;
	*size = v->size;
	*in_arena = false;
	*data = malloc(v->size ? v->size : 1);
	if (!*data)
		return ai_err(ENOMEM, "out of memory");
	memcpy(*data, v->data, v->size);
	return 1;
}

static int pf_detect(const struct heap_ctx *c, void **priv)
{
	const struct btf *pbtf = NULL, *obtf = NULL;
	uint32_t ptype = 0, otype = 0, psize = 0, osize = 0, np, no;
	uint8_t *pdata = NULL, *odata = NULL;
	bool parena = false, oarena = false;
	struct pf_state *st;
	int err;

	*priv = NULL;
	err = var_bytes(c, "page_frag_cur_page", &pbtf, &ptype, &pdata, &psize, &parena);
	if (err <= 0)
		return err;
	err = var_bytes(c, "page_frag_cur_offset", &obtf, &otype, &odata, &osize, &oarena);
	if (err <= 0) {
		free(pdata);
		return err;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		free(pdata);
		free(odata);
		return ai_err(ENOMEM, "out of memory");
	}
	snprintf(st->where, sizeof(st->where), "%s",
		 parena ? "__arena globals" : ".bss/.data variables");
	np = array_of(pbtf, ptype, 8, true);
	no = array_of(obtf, otype, 4, false);
	if (!np || !no || !pdata || !odata || psize < np * 8 || osize < no * 4) {
		snprintf(st->bad, sizeof(st->bad),
			 "page_frag_cur_page and page_frag_cur_offset were found but are not "
			 "arrays of pointers and of ints as in bpf_arena_alloc.h: not read");
	} else {
		st->nr_cpus = np < no ? np : no;
		st->slots = calloc(st->nr_cpus, sizeof(*st->slots));
		if (!st->slots) {
			free(pdata);
			free(odata);
			free(st);
			return ai_err(ENOMEM, "out of memory");
		}
		for (uint32_t i = 0; i < st->nr_cpus; i++) {
			uint64_t pg;
			int32_t off;

			memcpy(&pg, pdata + i * 8, 8);
			memcpy(&off, odata + i * 4, 4);
			if (!pg)
				continue;
			st->slots[st->nr_slots++] = (struct pf_slot){ pg, off, i };
		}
	}
	free(pdata);
	free(odata);
	*priv = st;
	return 1;
}

static void pf_release(void *priv)
{
	struct pf_state *st = priv;

	if (st)
		free(st->slots);
	free(st);
}

/* a page the walk claims */
struct pf_page {
	uint32_t page;
	uint64_t count;
	int slot; /* index in st->slots when current, -1 */
};

/* an object shown by a typed root */
struct pf_root_obj {
	uint64_t addr, size;
	const struct btf *btf;
	uint32_t type_id;
	const char *name;
};

static int cmp_root_obj(const void *a, const void *b)
{
	const struct pf_root_obj *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int notef(const struct heap_visitor *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int notef(const struct heap_visitor *v, const char *fmt, ...)
{
	char buf[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return v->note(v->ctx, buf);
}

/* Objects that typed roots point at: a pointer-typed data-section root
 * whose pointee has a size; the object's size is the allocator's (rounded
 * up to 8). */
static int root_objects(const struct heap_ctx *c, struct pf_root_obj **out, size_t *nr)
{
	int n = c->bx ? btfx__nr_roots(c->bx) : 0;
	struct pf_root_obj *r = calloc(n ? n : 1, sizeof(*r));

	*nr = 0;
	*out = r;
	if (!r)
		return ai_err(ENOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		const struct root *rt = btfx__root(c->bx, i);
		const struct btf *btf = rt->btf ? rt->btf : btfx__btf(c->bx, rt->btf_idx);
		const struct btf_type *t;
		uint32_t id;
		uint64_t sz;

		if (rt->kind != ROOT_MAP_PTR || !btf)
			continue;
		t = btf__type_by_id(btf, btfx_skip_mods(btf, rt->type_id));
		if (!t || btf_kind(t) != BTF_KIND_PTR)
			continue;
		id = btfx_skip_mods(btf, t->type);
		btfx__complete(c->bx, &btf, &id);
		sz = btfx_size(btf, id);
		if (!sz || !source__contains(c->src, rt->value, sz))
			continue;
		r[*nr] = (struct pf_root_obj){ rt->value, (sz + 7) & ~7ull, btf, id, rt->name };
		(*nr)++;
	}
	qsort(r, *nr, sizeof(*r), cmp_root_obj);
	return 0;
}

/* Read the count of every candidate page; keep those the allocator owns. */
static int claim_pages(const struct heap_ctx *c, const struct pf_state *st, struct pf_page **out,
		       size_t *nr, uint64_t *implausible)
{
	const struct pagemap *pm = c->pm;
	uint32_t shift = c->src->info.page_shift, ps = c->src->info.page_size;
	uint64_t base = c->src->info.user_vm_start, maxc = (ps - 8) / 8;
	uint8_t *globals = heap__globals_pages(c);
	struct gather_item *items = NULL;
	struct pf_page *pages = NULL;
	uint32_t *cand = NULL;
	int32_t *slot_of = NULL;
	size_t ncand = 0, npages = 0;
	int err = 0;

	*out = NULL;
	*nr = 0;
	*implausible = 0;
	if (!globals)
		return -ENOMEM;
	cand = malloc((pm->nr_pages ? pm->nr_pages : 1) * sizeof(*cand));
	slot_of = malloc((pm->nr_pages ? pm->nr_pages : 1) * sizeof(*slot_of));
	items = calloc(PF_GATHER_BATCH, sizeof(*items));
	if (!cand || !slot_of || !items) {
		err = ai_err(ENOMEM, "out of memory");
		goto out;
	}
	/* which CPU's current page each page is (-1: none), in one pass */
	for (uint32_t p = 0; p < pm->nr_pages; p++)
		slot_of[p] = -1;
	for (uint32_t s = 0; s < st->nr_slots; s++) {
		uint64_t off = st->slots[s].page - base;

		if (st->slots[s].page >= base && (off >> shift) < pm->nr_pages && !(off & (ps - 1)))
			slot_of[off >> shift] = (int32_t)s;
	}
	for (uint32_t p = 0; p < pm->nr_pages; p++)
		if (pm->state[p] == PAGE_ALLOCATED && !globals[p])
			cand[ncand++] = p;
	pages = malloc((ncand ? ncand : 1) * sizeof(*pages));
	if (!pages) {
		err = ai_err(ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ncand; i += PF_GATHER_BATCH) {
		size_t n = ncand - i < PF_GATHER_BATCH ? ncand - i : PF_GATHER_BATCH;

		if (ai_progress__tick(c->progress, "reading page counts", i, ncand)) {
			err = ai_err(ECANCELED, "heap: cancelled");
			goto out;
		}
		for (size_t k = 0; k < n; k++) {
			items[k].off = ((uint64_t)cand[i + k] << shift) + ps - 8;
			items[k].len = 8;
			items[k].err = 0;
		}
		err = source__gather(c->src, items, n);
		if (err)
			goto out;
		for (size_t k = 0; k < n; k++) {
			uint32_t p = cand[i + k];
			uint64_t cnt;
			int slot;

			if (items[k].err) /* freed while we read: not there */
				continue;
			memcpy(&cnt, items[k].data, 8);
			slot = slot_of[p];
			if (slot < 0 && (!cnt || cnt > maxc)) {
				(*implausible)++;
				continue;
			}
			pages[npages++] = (struct pf_page){ p, cnt, slot };
		}
	}
	*out = pages;
	*nr = npages;
	pages = NULL;
out:
	free(globals);
	free(cand);
	free(slot_of);
	free(items);
	free(pages);
	return err;
}

static int pf_walk(const struct heap_ctx *c, void *priv, const struct heap_visitor *v)
{
	const struct pf_state *st = priv;
	uint32_t shift = c->src->info.page_shift, ps = c->src->info.page_size;
	uint64_t base = c->src->info.user_vm_start, maxc = (ps - 8) / 8;
	struct pf_root_obj *ro = NULL;
	struct pf_page *pages = NULL;
	size_t nro = 0, npages = 0, ri = 0;
	uint64_t implausible = 0, by_count = 0;
	int err;

	if (st->bad[0])
		return v->note(v->ctx, st->bad);
	/* the current pages first: they are the allocator's for certain */
	for (uint32_t s = 0; s < st->nr_slots; s++) {
		const struct pf_slot *sl = &st->slots[s];
		uint64_t off = sl->page - base;

		if (!source__contains(c->src, sl->page, ps) || (off & (ps - 1))) {
			err = notef(v,
				    "CPU %u's current page 0x%llx is not a page of this arena: "
				    "ignored",
				    sl->cpu, (unsigned long long)sl->page);
		} else if (c->pm->state[off >> shift] != PAGE_ALLOCATED) {
			err = notef(v,
				    "CPU %u's current page 0x%llx (page %llu) is not allocated: it "
				    "was freed when its count reached 0, and the next bpf_alloc() "
				    "on that CPU carves from a freed page",
				    sl->cpu, (unsigned long long)sl->page,
				    (unsigned long long)(off >> shift));
		} else if (sl->offset < 0 || (uint32_t)sl->offset > ps - 8 || (sl->offset & 7)) {
			err = notef(v, "CPU %u's current offset %d is not a multiple of 8 in 0..%u",
				    sl->cpu, sl->offset, ps - 8);
		} else {
			err = 0;
		}
		if (err)
			return err;
	}
	err = claim_pages(c, st, &pages, &npages, &implausible);
	if (!err)
		err = root_objects(c, &ro, &nro);
	for (size_t i = 0; i < npages && !err; i++) {
		const struct pf_page *pg = &pages[i];
		uint64_t pa = base + ((uint64_t)pg->page << shift);
		uint64_t carved = pa; /* where carved objects may begin */
		struct heap_pages run = { .first = pg->page,
					  .count = 1,
					  .role = "objects",
					  .holds_objects = true,
					  .counted = true,
					  .nr_counted = pg->count };
		uint64_t known = 0;

		if (pg->slot < 0)
			by_count++;
		else if (!pg->count || pg->count > maxc)
			err = notef(v,
				    "page %u (CPU %u's current page) counts %llu live objects: "
				    "impossible on a page of %u bytes",
				    pg->page, st->slots[pg->slot].cpu,
				    (unsigned long long)pg->count, ps);
		if (!err)
			err = v->pages(v->ctx, &run);
		if (err)
			break;
		/* below a current page's offset nothing was carved yet */
		if (pg->slot >= 0) {
			const struct pf_slot *sl = &st->slots[pg->slot];

			if (sl->offset > 0 && (uint32_t)sl->offset <= ps - 8) {
				struct heap_obj o = { .addr = pa,
						      .size = sl->offset,
						      .state = HEAP_FREE };

				snprintf(o.note, sizeof(o.note), "CPU %u: not carved yet", sl->cpu);
				err = v->obj(v->ctx, &o);
				carved = pa + sl->offset;
			}
		}
		while (ri < nro && ro[ri].addr < pa) /* on a page not claimed */
			ri++;
		for (; ri < nro && ro[ri].addr < pa + ps && !err; ri++) {
			struct heap_obj o = { .addr = ro[ri].addr,
					      .size = ro[ri].size,
					      .state = HEAP_LIVE,
					      .btf = ro[ri].btf,
					      .type_id = ro[ri].type_id };

			if (ro[ri].addr < carved || ro[ri].addr + ro[ri].size > pa + ps - 8) {
				err = notef(
					v,
					"root %s points at 0x%llx, outside the carved part of page "
					"%u: not an object of this allocator",
					ro[ri].name, (unsigned long long)ro[ri].addr, pg->page);
				continue;
			}
			if (ri && ro[ri - 1].addr == ro[ri].addr)
				continue; /* two roots, one object */
			snprintf(o.note, sizeof(o.note), "root %s", ro[ri].name);
			known++;
			err = v->obj(v->ctx, &o);
		}
		if (!err && known > pg->count)
			err = notef(v,
				    "page %u counts %llu live objects, but %llu typed roots point "
				    "at objects on it",
				    pg->page, (unsigned long long)pg->count,
				    (unsigned long long)known);
	}
	if (!err && by_count)
		err = notef(v,
			    "the allocator keeps no list of its pages: %llu page%s besides the "
			    "current one%s %s claimed because %s last 8 bytes hold a plausible "
			    "live count (1..%llu)",
			    (unsigned long long)by_count, by_count == 1 ? "" : "s",
			    st->nr_slots == 1 ? "" : "s", by_count == 1 ? "is" : "are",
			    by_count == 1 ? "its" : "their", (unsigned long long)maxc);
	if (!err && implausible)
		err = notef(v,
			    "%llu allocated page%s whose last 8 bytes are 0 or above %llu: not "
			    "claimed (not this allocator's, or a broken count)",
			    (unsigned long long)implausible, implausible == 1 ? "" : "s",
			    (unsigned long long)maxc);
	if (!err && npages)
		err = notef(v, "object boundaries are not recorded by this allocator (only each "
			       "page's count): objects are listed only where a typed root points; "
			       "freed objects are not known until their page is freed");
	free(pages);
	free(ro);
	return err;
}

const struct heap_backend heap_page_frag = {
	.name = "page_frag",
	.title = "selftests page-fragment allocator (bpf_arena_alloc.h)",
	.version = "linux v6.9..v6.18 tools/testing/selftests/bpf/bpf_arena_alloc.h",
	.detect = pf_detect,
	.walk = pf_walk,
	.release = pf_release,
};

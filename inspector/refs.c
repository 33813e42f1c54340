// SPDX-License-Identifier: GPL-2.0
/* refs: the reverse-reference index (refs.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/btf.h>
#include "check.h"
#include "error.h"
#include "expr.h"
#include "progress.h"
#include "refs.h"

/* pages read at a time when the source cannot lend its own buffer */
#define REFS_CHUNK_PAGES 256u

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

typedef uint64_t u64x8 __attribute__((vector_size(64)));

/* entries are collected in chunks (no realloc copies), then placed once */
#define REFS_CHUNK_ENTRIES (1u << 20)

struct builder {
	struct refs_index *idx;
	uint64_t hi32; /* the arena's upper 32 bits */
	struct refs_entry **chunks;
	size_t nr_chunks, cap_chunks;
	size_t fill;	    /* entries in the last chunk */
	uint32_t *per_page; /* entries whose value is in each page (place_entries) */
	const struct ai_progress *progress;
	uint64_t allocated; /* pages to scan, for progress */
};

static int new_chunk(struct builder *b)
{
	if (b->nr_chunks == b->cap_chunks) {
		size_t cap = b->cap_chunks ? b->cap_chunks * 2 : 16;
		struct refs_entry **c = realloc(b->chunks, cap * sizeof(*c));

		if (!c)
			return ai_err(ENOMEM, "refs: out of memory");
		b->chunks = c;
		b->cap_chunks = cap;
	}
	b->chunks[b->nr_chunks] = malloc(REFS_CHUNK_ENTRIES * sizeof(struct refs_entry));
	if (!b->chunks[b->nr_chunks])
		return ai_err(ENOMEM, "refs: out of memory for %zu references",
			      b->idx->nr_ent + REFS_CHUNK_ENTRIES);
	b->nr_chunks++;
	b->fill = 0;
	return 0;
}

/* Record every aligned qword of the page data at address addr (len bytes) */
static int scan(struct builder *b, uint64_t addr, const uint8_t *data, size_t len)
{
	struct refs_index *idx = b->idx;
	uint64_t base = idx->base, size = idx->size, hi32 = b->hi32;

	for (size_t blk = 0; blk + 64 <= len; blk += 64) {
		uint64_t v[8];
		u64x8 w, m;

		/*
		 * Most qwords are no pointers: a branch-free test of eight at a
		 * time in vector registers (GCC/clang vector extensions: SSE2,
		 * NEON) keeps the scan near the read's rate; only a block with a
		 * candidate is looked at.
		 */
		memcpy(&w, data + blk, 64);
		m = (w >> 32) == hi32;
		if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5] | m[6] | m[7]))
			continue;
		memcpy(v, &w, 64);
		for (int k = 0; k < 8; k++) {
			struct refs_entry *e;

			if ((v[k] >> 32) != hi32 || v[k] - base >= size)
				continue;
			if ((!b->nr_chunks || b->fill == REFS_CHUNK_ENTRIES) && new_chunk(b))
				return -ENOMEM;
			e = &b->chunks[b->nr_chunks - 1][b->fill++];
			e->at = addr + blk + 8 * k;
			e->value = v[k];
			idx->nr_ent++;
		}
	}
	return 0;
}

static int cmp_value(const void *a, const void *b)
{
	const struct refs_entry *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * Sort by value, then at: one counting pass by the value's page places
 * every entry, in scan order (so by at) within its
 * page; then each page's few entries are sorted by value (insertion sort,
 * stable; a crowded page by qsort on (value, at), at being unique).
 */
static int place_entries(struct builder *b, uint32_t nr_pages)
{
	struct refs_index *idx = b->idx;
	size_t n = idx->nr_ent, sum = 0, from = 0, *start;

	if (!n)
		return 0;
	idx->ent = malloc(n * sizeof(*idx->ent));
	start = malloc(((size_t)nr_pages + 1) * sizeof(*start));
	if (!idx->ent || !start) {
		free(start);
		return ai_err(ENOMEM, "refs: out of memory for %zu references", n);
	}
	/* counted here, not in the scan: a tight loop overlaps its cache misses */
	for (size_t c = 0; c < b->nr_chunks; c++) {
		size_t len = c + 1 == b->nr_chunks ? b->fill : REFS_CHUNK_ENTRIES;
		const struct refs_entry *e = b->chunks[c];

		for (size_t i = 0; i < len; i++)
			b->per_page[(e[i].value - idx->base) >> idx->page_shift]++;
	}
	for (uint32_t p = 0; p < nr_pages; p++) {
		start[p] = sum;
		sum += b->per_page[p];
	}
	start[nr_pages] = sum;
	for (size_t c = 0; c < b->nr_chunks; c++) {
		size_t len = c + 1 == b->nr_chunks ? b->fill : REFS_CHUNK_ENTRIES;
		const struct refs_entry *e = b->chunks[c];

		for (size_t i = 0; i < len; i++)
			idx->ent[start[(e[i].value - idx->base) >> idx->page_shift]++] = e[i];
		free(b->chunks[c]);
		b->chunks[c] = NULL;
	}
	/* start[p] is now the end of page p's entries */
	for (uint32_t p = 0; p < nr_pages; from = start[p], p++) {
		struct refs_entry *e = idx->ent + from;
		size_t m = start[p] - from;

		if (m > 32) {
			qsort(e, m, sizeof(*e), cmp_value);
			continue;
		}
		for (size_t i = 1; i < m; i++) {
			struct refs_entry x = e[i];
			size_t j = i;

			for (; j && e[j - 1].value > x.value; j--)
				e[j] = e[j - 1];
			e[j] = x;
		}
	}
	free(start);
	return 0;
}

static void builder_free(struct builder *b)
{
	for (size_t c = 0; c < b->nr_chunks; c++)
		free(b->chunks[c]);
	free(b->chunks);
	free(b->per_page);
}

static int scan_pages(struct builder *b, struct source *src, const struct pagemap *pm)
{
	struct refs_index *idx = b->idx;
	uint64_t page = 1ull << idx->page_shift;
	uint8_t present[REFS_CHUNK_PAGES];
	uint8_t *buf = NULL;
	uint32_t chunk = REFS_CHUNK_PAGES;
	bool borrow = src->ops->read_pages && src->ops->borrow_max_bytes >= page;
	int err = 0;

	if (borrow && src->ops->borrow_max_bytes / page < chunk)
		chunk = src->ops->borrow_max_bytes / page;
	if (!borrow) {
		buf = malloc(chunk * page);
		if (!buf)
			return ai_err(ENOMEM, "refs: out of memory");
	}
	for (uint32_t i = 0; i < pm->nr_pages && !err;) {
		const uint8_t *data;
		uint32_t e = i, cnt;
		int miss;

		if (pm->state[i] != PAGE_ALLOCATED) {
			i++;
			continue;
		}
		while (e < pm->nr_pages && pm->state[e] == PAGE_ALLOCATED && e - i < chunk)
			e++;
		cnt = e - i;
		if (borrow) {
			miss = src->ops->read_pages(src, i, cnt, &data, present);
		} else {
			miss = source__read(src, idx->base + ((uint64_t)i << idx->page_shift), buf,
					    cnt * page, present);
			data = buf;
		}
		if (miss < 0) {
			err = ai_err(-miss, "refs: reading pages %u..%u: %s", i, e - 1,
				     ai_errmsg());
			break;
		}
		for (uint32_t a = 0; a < cnt && !err; a++) {
			if (!present[a]) {
				/* freed between the map and the read: nothing to scan */
				idx->pages_vanished++;
				continue;
			}
			idx->pages_scanned++;
			err = scan(b, idx->base + ((uint64_t)(i + a) << idx->page_shift),
				   data + (uint64_t)a * page, page);
		}
		i = e;
		if (!err &&
		    ai_progress__tick(b->progress, "indexing references",
				      idx->pages_scanned + idx->pages_vanished, b->allocated))
			err = ai_err(ECANCELED, "refs: cancelled");
	}
	free(buf);
	return err;
}

/* ---- typed paths (check's typed walk) ---- */

struct path_ctx {
	struct refs_index *idx;
	bool nomem;
};

static int add_path(void *ctx, uint64_t at, uint64_t value, const char *path)
{
	struct path_ctx *pc = ctx;
	struct refs_index *idx = pc->idx;
	size_t len = strlen(path) + 1;

	(void)value;
	if (at - idx->base >= idx->size) /* not in the arena: no entry has it */
		return 0;
	if (idx->nr_paths % 4096 == 0) {
		void *p = realloc(idx->paths, (idx->nr_paths + 4096) * sizeof(*idx->paths));

		if (!p)
			return pc->nomem = true;
		idx->paths = p;
	}
	if (idx->path_len + len > idx->path_cap) {
		size_t cap = idx->path_cap ? idx->path_cap * 2 : 1 << 16;
		char *p;

		while (cap < idx->path_len + len)
			cap *= 2;
		p = realloc(idx->path_text, cap);
		if (!p)
			return pc->nomem = true;
		idx->path_text = p;
		idx->path_cap = cap;
	}
	memcpy(idx->path_text + idx->path_len, path, len);
	idx->paths[idx->nr_paths++] = (struct refs_path){ at, idx->path_len };
	idx->path_len += len;
	return 0;
}

static int cmp_path(const void *a, const void *b)
{
	const struct refs_path *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	/* the walk's first (shortest) path of a location first */
	return x->off < y->off ? -1 : x->off > y->off;
}

static int typed_paths(struct refs_index *idx, struct source *src, struct btfx *bx,
		       const struct ai_progress *progress)
{
	const struct check_opts co = { .progress = progress };
	struct path_ctx pc = { .idx = idx };
	struct check_summary sum = { 0 };
	uint64_t t0 = now_ns();
	size_t w = 0;
	int err;

	err = check__typed_pointers(bx, src, &co, add_path, &pc, &sum);
	if (pc.nomem)
		return ai_err(ENOMEM, "refs: out of memory for the typed paths");
	if (err == -ECANCELED)
		return ai_err(ECANCELED, "refs: cancelled");
	if (err)
		return err;
	idx->paths_known = sum.nr_roots > 0;
	idx->paths_cut = sum.typed_cut;
	if (idx->nr_paths)
		qsort(idx->paths, idx->nr_paths, sizeof(*idx->paths), cmp_path);
	/* one path per location (a place walked as two types) */
	for (size_t i = 0; i < idx->nr_paths; i++)
		if (!w || idx->paths[w - 1].at != idx->paths[i].at)
			idx->paths[w++] = idx->paths[i];
	idx->nr_paths = w;
	idx->walk_ns = now_ns() - t0;
	return 0;
}

const char *refs__path(const struct refs_index *idx, uint64_t at)
{
	size_t lo = 0, hi = idx ? idx->nr_paths : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (idx->paths[mid].at < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < (idx ? idx->nr_paths : 0) && idx->paths[lo].at == at
		       ? idx->path_text + idx->paths[lo].off
		       : NULL;
}

int refs__build(struct source *src, struct refs_index **out)
{
	return refs__build_opts(src, NULL, out);
}

int refs__build_opts(struct source *src, const struct refs_opts *o, struct refs_index **out)
{
	struct refs_index *idx;
	struct builder b = { .progress = o ? o->progress : NULL };
	struct pagemap pm = { 0 };
	uint64_t t0 = now_ns();
	int err;

	*out = NULL;
	err = source__info(src, &src->info);
	if (err)
		return err;
	if (!src->info.user_vm_start)
		return ai_err(EINVAL, "refs: the arena was never mapped (no user_vm_start): "
				      "no value can be told to point into it");
	idx = calloc(1, sizeof(*idx));
	if (!idx)
		return ai_err(ENOMEM, "refs: out of memory");
	idx->base = src->info.user_vm_start;
	idx->size = source__size(src);
	idx->page_shift = src->info.page_shift;
	b.idx = idx;
	b.hi32 = idx->base >> 32;
	err = source__pagemap(src, &pm);
	if (err)
		goto fail;
	b.per_page = calloc(src->info.max_pages ? src->info.max_pages : 1, sizeof(*b.per_page));
	if (!b.per_page) {
		err = ai_err(ENOMEM, "refs: out of memory");
		goto fail;
	}
	idx->stale = pm.stale;
	b.allocated = pm.counts[PAGE_ALLOCATED];
	err = scan_pages(&b, src, &pm);
	if (err)
		goto fail;
	err = place_entries(&b, src->info.max_pages);
	if (!err && o && o->bx && btfx__nr_btfs(o->bx))
		err = typed_paths(idx, src, o->bx, o->progress);
	if (err)
		goto fail;
	builder_free(&b);
	/* keep the map, not the pagemap struct: refs__current compares it */
	idx->state = pm.state;
	idx->nr_pages = pm.nr_pages;
	pm.state = NULL;
	idx->build_ns = now_ns() - t0;
	*out = idx;
	return 0;
fail:
	builder_free(&b);
	pagemap__free(&pm);
	refs__free(idx);
	return err;
}

bool refs__current(const struct refs_index *idx, struct source *src)
{
	struct pagemap pm = { 0 };
	bool same;

	if (!idx || idx->stale || source__info(src, &src->info) ||
	    src->info.user_vm_start != idx->base || source__size(src) != idx->size)
		return false;
	if (source__pagemap(src, &pm))
		return false;
	same = !pm.stale && pm.nr_pages == idx->nr_pages &&
	       !memcmp(pm.state, idx->state, pm.nr_pages);
	pagemap__free(&pm);
	return same;
}

int refs__refresh(struct source *src, struct refs_index **idx)
{
	struct refs_index *n;
	int err;

	if (*idx && refs__current(*idx, src))
		return 0;
	err = refs__build(src, &n);
	if (err)
		return err;
	refs__free(*idx);
	*idx = n;
	return 1;
}

/* the first entry whose value >= v */
static size_t lower_bound(const struct refs_index *idx, uint64_t v)
{
	size_t lo = 0, hi = idx->nr_ent;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (idx->ent[mid].value < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long refs__query(const struct refs_index *idx, uint64_t lo, uint64_t hi, refs_cb cb, void *ctx)
{
	size_t a, b;

	if (!idx || lo >= hi)
		return 0;
	a = lower_bound(idx, lo);
	b = lower_bound(idx, hi);
	if (!cb)
		return (long)(b - a);
	for (size_t i = a; i < b; i++) {
		int r = cb(&idx->ent[i], ctx);

		if (r)
			return r;
	}
	return 0;
}

void refs__free(struct refs_index *idx)
{
	if (!idx)
		return;
	free(idx->ent);
	free(idx->state);
	free(idx->paths);
	free(idx->path_text);
	free(idx);
}

int refs__value_object(struct source *src, const struct value *v, bool follow, uint64_t *lo,
		       uint64_t *size)
{
	const struct btf_type *t = NULL;
	uint32_t id = 0;
	long sz = 0;
	int err;

	*lo = v->lvalue ? v->addr : v->scalar;
	*size = 1;
	if (v->btf && v->type_id) {
		id = btf__resolve_type(v->btf, v->type_id);
		t = btf__type_by_id(v->btf, id);
	}
	/* a place in a map variable: only a pointer in it names an arena object */
	if (v->var && !(t && btf_is_ptr(t)))
		return ai_err(EINVAL,
			      "it is in the map variable '%s', not the arena: nothing in the arena "
			      "points into it",
			      v->var->name);
	if (!t)
		return 0;
	if (btf_is_ptr(t) && (!v->lvalue || follow || v->var)) {
		if (v->lvalue || v->var) {
			err = expr__read(src, v, 0, lo, sizeof(*lo));
			if (err)
				return err;
		}
		id = t->type; /* the object it points at */
	} else if (!v->lvalue) {
		return 0;
	}
	sz = btf__resolve_size(v->btf, id);
	if (sz > 0)
		*size = sz;
	return 0;
}

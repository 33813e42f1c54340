// SPDX-License-Identifier: GPL-2.0
/* refs: the reverse-reference index (refs.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <bpf/btf.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
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

/* entries are collected in chunks (no realloc copies), then placed once */
#define REFS_CHUNK_ENTRIES (1u << 20)

struct builder {
	struct refs_index *idx;
	uint64_t hi32; /* the arena's upper 32 bits */
	struct refs_slot **chunks;
	size_t nr_chunks, cap_chunks;
	size_t fill; /* entries in the last chunk */
	const struct ai_progress *progress;
	uint64_t allocated; /* pages to scan, for progress */
};

/*
 * The index's big arrays (chunks of entries, the sort's buffer, the index
 * itself) on huge pages where the kernel gives them (THP in "madvise"
 * mode, Debian's default): 512 times fewer page faults to first touch
 * them, and the radix passes' scattered writes miss the TLB far less.
 * free() releases it.
 */
static void *big_alloc(size_t size)
{
	void *p = NULL;

	if (size < (2u << 20))
		return malloc(size);
	if (posix_memalign(&p, 2u << 20, size))
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, (size + (2u << 20) - 1) & ~((size_t)(2u << 20) - 1), MADV_HUGEPAGE);
#endif
	return p;
}

static int new_chunk(struct builder *b)
{
	if (b->nr_chunks == b->cap_chunks) {
		size_t cap = b->cap_chunks ? b->cap_chunks * 2 : 16;
		struct refs_slot **c = realloc(b->chunks, cap * sizeof(*c));

		if (!c)
			return ai_err(ENOMEM, "refs: out of memory");
		b->chunks = c;
		b->cap_chunks = cap;
	}
	b->chunks[b->nr_chunks] = big_alloc(REFS_CHUNK_ENTRIES * sizeof(struct refs_slot));
	if (!b->chunks[b->nr_chunks])
		return ai_err(ENOMEM, "refs: out of memory for %zu references",
			      b->idx->nr_ent + REFS_CHUNK_ENTRIES);
	b->nr_chunks++;
	b->fill = 0;
	return 0;
}

static int add_entry(struct builder *b, uint64_t at, uint64_t v)
{
	struct refs_index *idx = b->idx;
	struct refs_slot *e;

	if (v - idx->base >= idx->size)
		return 0;
	if ((!b->nr_chunks || b->fill == REFS_CHUNK_ENTRIES) && new_chunk(b))
		return -ENOMEM;
	/* arena offsets: an arena is at most 4 GiB, and half the bytes to
	 * write, place and sort */
	e = &b->chunks[b->nr_chunks - 1][b->fill++];
	e->at = (uint32_t)(at - idx->base);
	e->value = (uint32_t)(v - idx->base);
	idx->nr_ent++;
	return 0;
}

/* Record every aligned qword of the page data at address addr (len bytes,
 * a multiple of 64) whose value points into the arena */
static int scan(struct builder *b, uint64_t addr, const uint8_t *data, size_t len)
{
	const uint64_t hi32 = b->hi32;
#ifdef __SSE2__
	const __m128i want = _mm_set1_epi32((int)(uint32_t)hi32);

	for (size_t blk = 0; blk < len; blk += 64) {
		const __m128i *p = (const __m128i *)(data + blk);
		int m;

		/*
		 * Most qwords are no pointers: eight upper halves compared at
		 * once (the odd 32-bit lanes, little endian), and only a block
		 * with a candidate is looked at qword by qword
		 */
		m = _mm_movemask_epi8(_mm_cmpeq_epi32(_mm_loadu_si128(p), want)) |
		    _mm_movemask_epi8(_mm_cmpeq_epi32(_mm_loadu_si128(p + 1), want)) |
		    _mm_movemask_epi8(_mm_cmpeq_epi32(_mm_loadu_si128(p + 2), want)) |
		    _mm_movemask_epi8(_mm_cmpeq_epi32(_mm_loadu_si128(p + 3), want));
		if (__builtin_expect(!(m & 0xf0f0), 1))
			continue;
		for (size_t i = blk; i < blk + 64; i += 8) {
			uint64_t v;

			memcpy(&v, data + i, 8);
			if (v >> 32 == hi32 && add_entry(b, addr + i, v))
				return -ENOMEM;
		}
	}
#else
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v;

		memcpy(&v, data + i, 8);
		if (__builtin_expect(v >> 32 != hi32, 1))
			continue;
		if (add_entry(b, addr + i, v))
			return -ENOMEM;
	}
#endif
	return 0;
}

static int cmp_value(const void *a, const void *b)
{
	const struct refs_slot *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* per-page runs of entries: insertion sort by value (stable, so a value's
 * entries stay in scan order: by at), qsort on (value, at) when crowded */
static void sort_run(struct refs_slot *e, size_t m)
{
	if (m > 32) {
		qsort(e, m, sizeof(*e), cmp_value);
		return;
	}
	for (size_t i = 1; i < m; i++) {
		struct refs_slot x = e[i];
		size_t j = i;

		for (; j && e[j - 1].value > x.value; j--)
			e[j] = e[j - 1];
		e[j] = x;
	}
}

/*
 * Sort by value, then at. The scan made the entries in at order; a stable
 * LSD radix sort on the value's page number (two passes of at most 11
 * bits: each pass writes to 2048 places at most, in sequence, where one
 * pass over 2^20 pages scattered its writes over the whole array, a cache
 * and TLB miss each) puts them in page order, still in at order within a
 * page; then each page's few entries are sorted by value.
 */
static int place_entries(struct builder *b, uint32_t nr_pages)
{
	struct refs_index *idx = b->idx;
	size_t n = idx->nr_ent, *h0, *h1, s0 = 0, s1 = 0;
	const uint32_t shift = idx->page_shift;
	unsigned bits = 1, lo_bits, hi_bits;
	struct refs_slot *tmp;

	if (!n)
		return 0;
	while (bits < 32 && (1ull << bits) < nr_pages)
		bits++;
	lo_bits = bits > 11 ? (bits + 1) / 2 : bits;
	hi_bits = bits - lo_bits;
	idx->ent = big_alloc(n * sizeof(*idx->ent));
	tmp = hi_bits ? big_alloc(n * sizeof(*tmp)) : NULL;
	h0 = calloc(((size_t)1 << lo_bits) + ((size_t)1 << hi_bits), sizeof(*h0));
	if (!idx->ent || (hi_bits && !tmp) || !h0) {
		free(tmp);
		free(h0);
		return ai_err(ENOMEM, "refs: out of memory for %zu references", n);
	}
	h1 = h0 + ((size_t)1 << lo_bits);
	/* both digits' counts in one sequential pass */
	for (size_t c = 0; c < b->nr_chunks; c++) {
		size_t len = c + 1 == b->nr_chunks ? b->fill : REFS_CHUNK_ENTRIES;
		const struct refs_slot *e = b->chunks[c];

		for (size_t i = 0; i < len; i++) {
			uint32_t pg = e[i].value >> shift;

			h0[pg & ((1u << lo_bits) - 1)]++;
			h1[pg >> lo_bits]++;
		}
	}
	for (size_t d = 0; d < (size_t)1 << lo_bits; d++) {
		size_t c = h0[d];

		h0[d] = s0;
		s0 += c;
	}
	for (size_t d = 0; d < (size_t)1 << hi_bits; d++) {
		size_t c = h1[d];

		h1[d] = s1;
		s1 += c;
	}
	/* pass 1: by the low digit, into tmp (or ent when one digit is all) */
	for (size_t c = 0; c < b->nr_chunks; c++) {
		size_t len = c + 1 == b->nr_chunks ? b->fill : REFS_CHUNK_ENTRIES;
		const struct refs_slot *e = b->chunks[c];
		struct refs_slot *out = tmp ? tmp : idx->ent;

		for (size_t i = 0; i < len; i++)
			out[h0[(e[i].value >> shift) & ((1u << lo_bits) - 1)]++] = e[i];
		free(b->chunks[c]);
		b->chunks[c] = NULL;
	}
	/* pass 2: by the high digit, into ent */
	for (size_t i = 0; tmp && i < n; i++)
		idx->ent[h1[(tmp[i].value >> shift) >> lo_bits]++] = tmp[i];
	free(tmp);
	free(h0);
	for (size_t i = 0, from = 0; i <= n; i++)
		if (i == n || idx->ent[i].value >> shift != idx->ent[from].value >> shift) {
			sort_run(idx->ent + from, i - from);
			from = i;
		}
	return 0;
}

static void builder_free(struct builder *b)
{
	for (size_t c = 0; c < b->nr_chunks; c++)
		free(b->chunks[c]);
	free(b->chunks);
}

static int scan_pages(struct builder *b, struct source *src, const struct pagemap *pm)
{
	struct refs_index *idx = b->idx;
	uint64_t page = 1ull << idx->page_shift;
	uint8_t present[REFS_CHUNK_PAGES];
	uint8_t *buf = NULL;
	uint32_t chunk = REFS_CHUNK_PAGES;
	bool borrow = src->ops->read_pages && src->ops->borrow_max_bytes >= page;
	/* a sparse arena's scattered pages a chunk at a time */
	bool gather = borrow && src->ops->read_runs;
	struct page_run runs[REFS_CHUNK_PAGES];
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
		uint32_t cnt, nruns;
		int miss;

		/* the next run; with read_runs the next runs up to a chunk */
		nruns = pagemap__next_runs(pm, &i, chunk, runs, gather ? chunk : 1, &cnt);
		if (!nruns)
			break;
		if (nruns > 1) {
			miss = src->ops->read_runs(src, runs, nruns, &data, present);
		} else if (borrow) {
			miss = src->ops->read_pages(src, runs[0].first, cnt, &data, present);
		} else {
			miss = source__read(
				src, idx->base + ((uint64_t)runs[0].first << idx->page_shift), buf,
				cnt * page, present);
			data = buf;
		}
		if (miss < 0) {
			err = ai_err(-miss, "refs: reading pages %u..%u: %s", runs[0].first,
				     runs[nruns - 1].first + runs[nruns - 1].count - 1,
				     ai_errmsg());
			break;
		}
		for (uint32_t r = 0, a = 0; r < nruns && !err; r++) {
			for (uint32_t x = 0; x < runs[r].count && !err; x++, a++) {
				if (!present[a]) {
					/* freed between the map and the read: nothing to scan */
					idx->pages_vanished++;
					continue;
				}
				idx->pages_scanned++;
				err = scan(b,
					   idx->base + ((uint64_t)(runs[r].first + x)
							<< idx->page_shift),
					   data + (uint64_t)a * page, page);
			}
		}
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
	if (source__size(src) > (1ull << 32)) /* the kernel's limit; offsets are u32 */
		return ai_err(EFBIG, "refs: an arena of more than 4 GiB");
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

/* the first entry whose value >= v (an address: clamped to the arena) */
static size_t lower_bound(const struct refs_index *idx, uint64_t addr)
{
	size_t lo = 0, hi = idx->nr_ent;
	uint64_t v;

	if (addr <= idx->base)
		return 0;
	if (addr - idx->base >= idx->size)
		return idx->nr_ent;
	v = addr - idx->base;

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
		const struct refs_entry e = { idx->base + idx->ent[i].at,
					      idx->base + idx->ent[i].value };
		int r = cb(&e, ctx);

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

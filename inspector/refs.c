// SPDX-License-Identifier: GPL-2.0
/* refs: the reverse-reference index (refs.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/btf.h>
#include "error.h"
#include "expr.h"
#include "refs.h"

/* pages read at a time when the source cannot lend its own buffer */
#define REFS_CHUNK_PAGES 256u

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

struct builder {
	struct refs_index *idx;
	size_t cap;
	uint64_t hi32; /* the arena's upper 32 bits */
};

static int grow(struct builder *b)
{
	size_t cap = b->cap ? b->cap * 2 : 4096;
	struct refs_entry *e = realloc(b->idx->ent, cap * sizeof(*e));

	if (!e)
		return ai_err(ENOMEM, "refs: out of memory for %zu references", cap);
	b->idx->ent = e;
	b->cap = cap;
	return 0;
}

/* Record every aligned qword of the page data at address addr (len bytes) */
static int scan(struct builder *b, uint64_t addr, const uint8_t *data, size_t len)
{
	struct refs_index *idx = b->idx;
	uint64_t base = idx->base, size = idx->size, hi32 = b->hi32;

	for (size_t blk = 0; blk + 64 <= len; blk += 64) {
		uint64_t v[8];
		unsigned hits = 0;

		/*
		 * Most qwords are no pointers: a branch-free test of eight at a
		 * time (the compiler vectorizes it) keeps the scan near the
		 * read's rate; only a block with a candidate is looked at.
		 */
		memcpy(v, data + blk, 64);
		for (int k = 0; k < 8; k++)
			hits |= (v[k] >> 32) == hi32;
		if (!hits)
			continue;
		for (int k = 0; k < 8; k++) {
			if ((v[k] >> 32) != hi32 || v[k] - base >= size)
				continue;
			if (idx->nr_ent == b->cap && grow(b))
				return -ENOMEM;
			idx->ent[idx->nr_ent].at = addr + blk + 8 * k;
			idx->ent[idx->nr_ent].value = v[k];
			idx->nr_ent++;
		}
	}
	return 0;
}

/*
 * Sort by value, stable so that equal values keep the scan's order (by
 * at). Every value is base + an offset below 4 GiB, so two 16-bit radix
 * passes over the offset sort them in linear time.
 */
static int sort_entries(struct refs_index *idx)
{
	size_t n = idx->nr_ent, *cnt;
	struct refs_entry *tmp, *src = idx->ent, *dst, *t;

	if (n < 2)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	cnt = malloc(65536 * sizeof(*cnt));
	if (!tmp || !cnt) {
		free(tmp);
		free(cnt);
		return ai_err(ENOMEM, "refs: out of memory sorting %zu references", n);
	}
	dst = tmp;
	for (int shift = 0; shift < 32; shift += 16) {
		size_t sum = 0;

		memset(cnt, 0, 65536 * sizeof(*cnt));
		for (size_t i = 0; i < n; i++)
			cnt[((src[i].value - idx->base) >> shift) & 0xffff]++;
		for (size_t k = 0; k < 65536; k++) {
			size_t c = cnt[k];

			cnt[k] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[((src[i].value - idx->base) >> shift) & 0xffff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	/* an even number of passes: the result is back in idx->ent */
	free(tmp);
	free(cnt);
	return 0;
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
	}
	free(buf);
	return err;
}

int refs__build(struct source *src, struct refs_index **out)
{
	struct refs_index *idx;
	struct builder b = { 0 };
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
	idx->stale = pm.stale;
	err = scan_pages(&b, src, &pm);
	if (err)
		goto fail;
	err = sort_entries(idx);
	if (err)
		goto fail;
	/* keep the map, not the pagemap struct: refs__current compares it */
	idx->state = pm.state;
	idx->nr_pages = pm.nr_pages;
	pm.state = NULL;
	idx->build_ns = now_ns() - t0;
	*out = idx;
	return 0;
fail:
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
	free(idx);
}

void refs__value_object(const struct value *v, uint64_t *lo, uint64_t *size)
{
	const struct btf_type *t = NULL;
	uint32_t id = 0;
	long sz = 0;

	*lo = v->lvalue ? v->addr : v->scalar;
	*size = 1;
	if (!v->btf || !v->type_id)
		return;
	id = btf__resolve_type(v->btf, v->type_id);
	t = btf__type_by_id(v->btf, id);
	if (!t)
		return;
	if (!v->lvalue) {
		if (!btf_is_ptr(t))
			return;
		id = t->type; /* the object it points at */
	}
	sz = btf__resolve_size(v->btf, id);
	if (sz > 0)
		*size = sz;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * diff: the engine over pages and bytes (the diff object, its page maps
 * and counts, the nearest change, window masks, and the whole walk).
 * Typed fields are diff_fields.c, the sink output diff_emit.c.
 *
 * The whole walk: page-state runs from the two page maps, then byte ranges
 * from the pages allocated in both. Pages are read in chunks of CHUNK_PAGES
 * (4 MiB with 4 KiB pages) from each side; equal pages cost one memcmp,
 * differing ones a word-then-byte scan. A range stays open across page boundaries while the
 * pages are adjacent and comparable, so a change that straddles two pages
 * is one range. The nearest-change search compares page states first and
 * reads only runs of pages allocated on both sides, in smaller chunks, so a
 * keypress in the TUI costs little.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "error.h"

#define CHUNK_PAGES 1024
#define NEXT_CHUNK 64 /* pages read at once by diff__next */

struct diff {
	struct source *src[2];
	struct diff_opts o;
	struct pagemap pm[2];
	bool counted; /* counts is up to date with the maps */
	struct diff_counts counts;
	uint8_t *buf[2]; /* NEXT_CHUNK pages of each side */
	uint64_t page;	 /* the page size, both sides' (diff__new checks) */
};

const char *diff__state_name(uint8_t state)
{
	switch (state) {
	case PAGE_FREE: return "free";
	case PAGE_ALLOCATED: return "allocated";
	case PAGE_RESERVED: return "reserved";
	default: return "unknown";
	}
}

static uint8_t norm(uint8_t st)
{
	return st <= PAGE_RESERVED ? st : PAGE_FREE;
}

struct walk {
	const struct diff_opts *o;
	const struct diff_cb *cb;
	void *ctx;
	struct diff_stats *st;
	struct diff_range cur; /* the open range, cur.len == 0: none */
	int stop;	       /* callback's non-zero return */
	uint64_t page;	       /* the page size, both sides' */
};

static void close_range(struct walk *w)
{
	if (!w->cur.len)
		return;
	if (w->o->max_ranges && w->st->ranges >= w->o->max_ranges) {
		w->st->ranges_truncated = true;
	} else {
		w->st->ranges++;
		if (w->cb->range && !w->stop)
			w->stop = w->cb->range(w->ctx, &w->cur);
	}
	w->cur.len = 0;
}

/* Byte at arena offset off differs: a = old, b = new. */
static void diff_byte(struct walk *w, uint64_t off, uint8_t a, uint8_t b)
{
	struct diff_range *r = &w->cur;

	w->st->bytes_changed++;
	if (r->len && off - (r->off + r->len) <= w->o->merge_gap) {
		/* extend; bytes in the gap are equal on both sides */
		uint64_t from = r->off + r->len;

		for (uint64_t o = from; o < off && o - r->off < DIFF_SAMPLE; o++)
			r->old[o - r->off] = r->new[o - r->off] = 0; /* filled by caller */
		r->len = off + 1 - r->off;
	} else {
		close_range(w);
		r->off = off;
		r->len = 1;
	}
	if (off - r->off < DIFF_SAMPLE) {
		r->old[off - r->off] = a;
		r->new[off - r->off] = b;
	}
}

/* Compare one page of both sides (pa, pb at arena offset base). */
static void compare_page(struct walk *w, const uint8_t *pa, const uint8_t *pb, uint64_t base)
{
	const uint8_t *end = pa + w->page;
	const uint8_t *x = pa, *y = pb;

	if (!memcmp(pa, pb, w->page)) {
		/* an open range ends here unless the gap rule keeps it */
		if (w->cur.len && base + w->page - (w->cur.off + w->cur.len) > w->o->merge_gap)
			close_range(w);
		return;
	}
	w->st->pages_changed++;
	while (x < end) {
		uint64_t u, v;

		memcpy(&u, x, 8);
		memcpy(&v, y, 8);
		if (u != v) {
			for (int i = 0; i < 8; i++) {
				if (x[i] != y[i]) {
					uint64_t off = base + (x + i - pa);
					struct diff_range *r = &w->cur;
					uint64_t gap_from = r->len ? r->off + r->len : off;

					diff_byte(w, off, x[i], y[i]);
					/* equal bytes merged into the range: sample them */
					for (uint64_t o = gap_from; o < off; o++) {
						if (o >= r->off && o - r->off < DIFF_SAMPLE &&
						    o >= base) {
							r->old[o - r->off] = pa[o - base];
							r->new[o - r->off] = pb[o - base];
						}
					}
				}
			}
		}
		x += 8;
		y += 8;
	}
}

static int walk_pages(struct walk *w, const struct pagemap *pa, const struct pagemap *pb,
		      uint32_t n)
{
	for (uint32_t i = 0; i < n && !w->stop;) {
		uint8_t f = norm(pa->state[i]), t = norm(pb->state[i]);
		struct diff_pages p;
		uint32_t j = i + 1;

		if (f == t) {
			i++;
			continue;
		}
		while (j < n && norm(pa->state[j]) == f && norm(pb->state[j]) == t)
			j++;
		p = (struct diff_pages){ .first = i, .count = j - i, .from = f, .to = t };
		if (t == PAGE_ALLOCATED)
			w->st->pages_allocated += j - i;
		else if (f == PAGE_ALLOCATED)
			w->st->pages_freed += j - i;
		else
			w->st->pages_other += j - i;
		if (w->cb->pages)
			w->stop = w->cb->pages(w->ctx, &p);
		i = j;
	}
	return 0;
}

static int walk_bytes(struct walk *w, struct source *a, struct source *b, const struct pagemap *pa,
		      const struct pagemap *pb, uint32_t n)
{
	const size_t chunk = CHUNK_PAGES * w->page;
	uint8_t *ba = malloc(chunk), *bb = malloc(chunk);
	uint8_t *prs_a = malloc(CHUNK_PAGES), *prs_b = malloc(CHUNK_PAGES);
	int err = 0;

	if (!ba || !bb || !prs_a || !prs_b) {
		err = ai_err(ENOMEM, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < n && !w->stop;) {
		uint32_t j = i, cnt;
		int r;

		if (pa->state[i] != PAGE_ALLOCATED || pb->state[i] != PAGE_ALLOCATED) {
			close_range(w);
			i++;
			continue;
		}
		while (j < n && j - i < CHUNK_PAGES && pa->state[j] == PAGE_ALLOCATED &&
		       pb->state[j] == PAGE_ALLOCATED)
			j++;
		cnt = j - i;
		r = source__read(a, a->info.user_vm_start + i * w->page, ba, cnt * w->page, prs_a);
		if (r < 0) {
			err = ai_err(-r, "reading A at page %u: %s", i, ai_errmsg());
			goto out;
		}
		r = source__read(b, b->info.user_vm_start + i * w->page, bb, cnt * w->page, prs_b);
		if (r < 0) {
			err = ai_err(-r, "reading B at page %u: %s", i, ai_errmsg());
			goto out;
		}
		for (uint32_t k = 0; k < cnt && !w->stop; k++) {
			if (!prs_a[k] || !prs_b[k]) {
				/* freed since the page map: nothing to compare */
				w->st->pages_unreadable++;
				close_range(w);
				continue;
			}
			w->st->pages_compared++;
			compare_page(w, ba + k * w->page, bb + k * w->page,
				     (uint64_t)(i + k) * w->page);
		}
		i = j;
		if (ai_progress__tick(w->o->progress, "comparing", i, n)) {
			err = ai_err(ECANCELED, "cancelled");
			goto out;
		}
	}
	if (!w->stop)
		ai_progress__tick(w->o->progress, "comparing", n, n); /* to 100% */
	close_range(w);
out:
	free(ba);
	free(bb);
	free(prs_a);
	free(prs_b);
	return err;
}

/* ------------------------------------------------------------- object */

static int read_map(struct diff *d, enum diff_side side)
{
	struct pagemap pm = { 0 };
	int err = source__pagemap(d->src[side], &pm);

	if (err) {
		pagemap__free(&pm);
		return err;
	}
	pagemap__free(&d->pm[side]);
	d->pm[side] = pm;
	d->counted = false;
	return 0;
}

int diff__new(struct source *a, struct source *b, const struct diff_opts *opts, struct diff **out)
{
	struct diff *d = calloc(1, sizeof(*d));
	int err;

	*out = NULL;
	if (!d)
		return ai_err(ENOMEM, "out of memory");
	if (a->info.page_size != b->info.page_size) {
		free(d);
		return ai_err(EINVAL,
			      "A has %u-byte pages and B %u-byte pages: they cannot be compared",
			      a->info.page_size, b->info.page_size);
	}
	d->page = source__page_size(a);
	d->src[DIFF_A] = a;
	d->src[DIFF_B] = b;
	if (opts)
		d->o = *opts;
	err = diff__refresh(d);
	if (err) {
		diff__free(d);
		return err;
	}
	*out = d;
	return 0;
}

void diff__free(struct diff *d)
{
	if (!d)
		return;
	pagemap__free(&d->pm[0]);
	pagemap__free(&d->pm[1]);
	free(d->buf[0]);
	free(d->buf[1]);
	free(d);
}

int diff__refresh(struct diff *d)
{
	int err = read_map(d, DIFF_A);

	return err ? err : read_map(d, DIFF_B);
}

int diff__set_pagemap(struct diff *d, enum diff_side side, const struct pagemap *pm)
{
	uint8_t *st = malloc(pm->nr_pages ? pm->nr_pages : 1);

	if (!st)
		return ai_err(ENOMEM, "out of memory");
	memcpy(st, pm->state, pm->nr_pages);
	pagemap__free(&d->pm[side]);
	d->pm[side] = *pm;
	d->pm[side].state = st;
	d->counted = false;
	return 0;
}

struct source *diff__source(const struct diff *d, enum diff_side side)
{
	return d->src[side];
}

struct btfx *diff__btfx(const struct diff *d, enum diff_side side)
{
	struct btfx *mine = side == DIFF_A ? d->o.bx_a : d->o.bx_b;

	return mine ? mine : side == DIFF_A ? d->o.bx_b : d->o.bx_a;
}

uint64_t diff__base(const struct diff *d)
{
	uint64_t b = d->src[DIFF_B]->info.user_vm_start;

	return b ? b : d->src[DIFF_A]->info.user_vm_start;
}

int diff__page(const struct diff *d, enum diff_side side, uint64_t pg)
{
	return pg < d->pm[side].nr_pages ? d->pm[side].state[pg] : -1;
}

static uint32_t common_pages(const struct diff *d)
{
	return d->pm[0].nr_pages < d->pm[1].nr_pages ? d->pm[0].nr_pages : d->pm[1].nr_pages;
}

void diff__counts(struct diff *d, struct diff_counts *out)
{
	if (!d->counted) {
		static const struct diff_opts dflt;
		static const struct diff_cb nocb;
		struct diff_stats st = { 0 };
		struct walk w = { .o = &dflt, .cb = &nocb, .st = &st };

		walk_pages(&w, &d->pm[0], &d->pm[1], common_pages(d));
		d->counts = (struct diff_counts){ .allocated = st.pages_allocated,
						  .freed = st.pages_freed,
						  .reserved_changed = st.pages_other,
						  .nr_pages = common_pages(d),
						  .size_differs =
							  d->pm[0].nr_pages != d->pm[1].nr_pages };
		d->counted = true;
	}
	*out = d->counts;
}

int diff__ranges(struct diff *d, const struct diff_cb *cb, void *ctx, struct diff_stats *st)
{
	static const struct diff_cb nocb;
	struct diff_stats tmp;
	struct walk w = {
		.o = &d->o, .cb = cb ? cb : &nocb, .ctx = ctx, .st = st ? st : &tmp, .page = d->page
	};
	uint32_t n = common_pages(d);
	int err;

	memset(w.st, 0, sizeof(*w.st));
	w.st->size_differs = d->pm[0].nr_pages != d->pm[1].nr_pages;
	err = walk_pages(&w, &d->pm[0], &d->pm[1], n);
	if (!err && !w.stop && !w.o->pages_only)
		err = walk_bytes(&w, d->src[0], d->src[1], &d->pm[0], &d->pm[1], n);
	return err ? err : w.stop;
}

int diff__walk(struct source *a, struct source *b, const struct diff_opts *opts,
	       const struct diff_cb *cb, void *ctx, struct diff_stats *st)
{
	struct diff *d;
	int err = diff__new(a, b, opts, &d);

	if (err) {
		if (st)
			memset(st, 0, sizeof(*st));
		return err;
	}
	err = diff__ranges(d, cb, ctx, st);
	diff__free(d);
	return err;
}

/* ------------------------------------------------------ nearest change */

static bool both_allocated(const struct diff *d, uint64_t pg)
{
	return d->pm[0].state[pg] == PAGE_ALLOCATED && d->pm[1].state[pg] == PAGE_ALLOCATED;
}

static bool states_differ(const struct diff *d, uint64_t pg)
{
	return norm(d->pm[0].state[pg]) != norm(d->pm[1].state[pg]);
}

/* The run of pages around pg with pg's state change: [*first, *last] */
static void state_run(const struct diff *d, uint64_t pg, uint64_t n, uint64_t *first,
		      uint64_t *last)
{
	uint8_t f = norm(d->pm[0].state[pg]), t = norm(d->pm[1].state[pg]);
	uint64_t i = pg, j = pg;

	while (i > 0 && norm(d->pm[0].state[i - 1]) == f && norm(d->pm[1].state[i - 1]) == t)
		i--;
	while (j + 1 < n && norm(d->pm[0].state[j + 1]) == f && norm(d->pm[1].state[j + 1]) == t)
		j++;
	*first = i;
	*last = j;
}

static void page_change(const struct diff *d, uint64_t first, uint64_t last,
			struct diff_change *out)
{
	uint8_t f = norm(d->pm[0].state[first]), t = norm(d->pm[1].state[first]);

	out->kind = t == PAGE_ALLOCATED	  ? DIFF_CHANGE_ALLOCATED
		    : f == PAGE_ALLOCATED ? DIFF_CHANGE_FREED
					  : DIFF_CHANGE_RESERVED;
	out->addr = diff__base(d) + first * d->page;
	out->len = (last - first + 1) * d->page;
}

/* Read pages [first, first + cnt) of both sides into d->buf; present:
 * per page, both sides had it. */
static int read_both(struct diff *d, uint64_t first, uint32_t cnt, uint8_t *present)
{
	uint8_t pr[2][NEXT_CHUNK];

	for (int s = 0; s < 2; s++) {
		struct source *src = d->src[s];
		int r;

		if (!d->buf[s] && !(d->buf[s] = malloc(NEXT_CHUNK * d->page)))
			return ai_err(ENOMEM, "out of memory");
		r = source__read(src, src->info.user_vm_start + first * d->page, d->buf[s],
				 cnt * d->page, pr[s]);
		if (r < 0)
			return ai_err(-r, "reading %s at page %llu: %s", s ? "B" : "A",
				      (unsigned long long)first, ai_errmsg());
	}
	for (uint32_t k = 0; k < cnt; k++)
		present[k] = pr[0][k] && pr[1][k];
	return 0;
}

/* In page k of the chunk: the first run of differing bytes starting at
 * offset >= lo (dir > 0), or the last one starting at <= hi (dir < 0).
 * Returns its start, or -1; *len its length. */
static long page_run(const struct diff *d, uint32_t k, long lo, long hi, int dir, uint64_t *len)
{
	const uint8_t *x = d->buf[0] + (size_t)k * d->page, *y = d->buf[1] + (size_t)k * d->page;
	long i, e;

	if (!memcmp(x, y, d->page))
		return -1;
	for (i = dir > 0 ? lo : hi; i >= lo && i <= hi; i += dir) {
		if (x[i] != y[i] && (i == 0 || x[i - 1] == y[i - 1]))
			break;
	}
	if (i < lo || i > hi)
		return -1;
	for (e = i; e < (long)d->page && x[e] != y[e]; e++)
		;
	*len = e - i;
	return i;
}

int diff__next(struct diff *d, uint64_t from, int dir, uint32_t max_pages, struct diff_change *out)
{
	uint64_t base = diff__base(d), n = common_pages(d), read = 0;
	int64_t pg;

	memset(out, 0, sizeof(*out));
	if (!n)
		return DIFF_NONE;
	if (dir > 0) {
		/* a change starts at from + 1 at the earliest */
		if (from < base)
			from = base - 1, pg = 0;
		else
			pg = (from + 1 - base) / d->page;
	} else {
		if (from <= base)
			return DIFF_NONE;
		pg = (from - 1 - base) / d->page;
		if ((uint64_t)pg >= n)
			pg = n - 1;
	}
	while (pg >= 0 && (uint64_t)pg < n) {
		uint64_t first, last;
		uint8_t present[NEXT_CHUNK];
		int64_t lo, hi;
		uint32_t cnt = 0;
		int err;

		if (states_differ(d, pg)) {
			state_run(d, pg, n, &first, &last);
			if (dir < 0 || base + first * d->page > from) {
				page_change(d, first, last, out);
				return DIFF_FOUND;
			}
			pg = last + 1;
			continue;
		}
		if (!both_allocated(d, pg)) {
			pg += dir;
			continue;
		}
		if (max_pages && read >= max_pages) {
			/* from for the next call: pages before (after) pg are done */
			out->addr = base + (uint64_t)pg * d->page - (dir > 0);
			if (dir < 0)
				out->addr += d->page;
			return DIFF_MORE;
		}
		/* a chunk of pages allocated on both sides, in the search's direction */
		for (int64_t q = pg; cnt < NEXT_CHUNK && q >= 0 && (uint64_t)q < n &&
				     both_allocated(d, q) && (!max_pages || read + cnt < max_pages);
		     q += dir)
			cnt++;
		lo = dir > 0 ? pg : pg - cnt + 1;
		hi = lo + cnt - 1;
		err = read_both(d, lo, cnt, present);
		if (err)
			return err;
		read += cnt;
		for (uint32_t i = 0; i < cnt; i++) {
			uint32_t k = dir > 0 ? i : cnt - 1 - i;
			uint64_t pbase = base + (lo + k) * d->page, len = 0;
			long from_lo = 0, from_hi = d->page - 1, at;

			if (!present[k])
				continue; /* freed since the page map */
			if (dir > 0 && from + 1 > pbase)
				from_lo = from + 1 - pbase;
			if (dir < 0 && from - 1 < pbase + d->page - 1)
				from_hi = (long)(from - 1 - pbase);
			if (from_lo > from_hi)
				continue;
			at = page_run(d, k, from_lo, from_hi, dir, &len);
			if (at >= 0) {
				*out = (struct diff_change){ .kind = DIFF_CHANGE_BYTES,
							     .addr = pbase + at,
							     .len = len };
				return DIFF_FOUND;
			}
		}
		pg = dir > 0 ? hi + 1 : lo - 1;
	}
	return DIFF_NONE;
}

/* ------------------------------------------------------------- windows */

/* Read [addr, addr + len) of side, only where its page map says a page is
 * allocated; present[] per page spanned. */
static int read_side(struct diff *d, enum diff_side side, uint64_t addr, size_t len, uint8_t *buf,
		     uint8_t *present)
{
	struct source *src = d->src[side];
	uint64_t base = diff__base(d), pg0 = (addr - base) / d->page;
	size_t np = source__pages_spanned(d->src[0], addr - base, len);

	memset(buf, 0, len);
	memset(present, 0, np);
	for (size_t i = 0; i < np;) {
		size_t j = i;
		uint64_t lo, hi;
		int r;

		if (diff__page(d, side, pg0 + i) != PAGE_ALLOCATED) {
			i++;
			continue;
		}
		while (j + 1 < np && diff__page(d, side, pg0 + j + 1) == PAGE_ALLOCATED)
			j++;
		lo = i ? base + (pg0 + i) * d->page : addr;
		hi = j + 1 < np ? base + (pg0 + j + 1) * d->page : addr + len;
		r = source__read(src, src->info.user_vm_start + (lo - base), buf + (lo - addr),
				 hi - lo, present + i);
		if (r < 0)
			return r;
		i = j + 1;
	}
	return 0;
}

int diff__window(struct diff *d, uint64_t addr, size_t len, const uint8_t *b_bytes,
		 const uint8_t *b_present, uint8_t *mask, uint8_t *pages)
{
	uint64_t base = diff__base(d);
	size_t np, count = 0;
	uint8_t *a = NULL, *b = NULL, *pa = NULL, *pb = NULL;
	int err = 0;

	if (!len)
		return 0;
	if (addr < base || addr - base + len > (uint64_t)common_pages(d) * d->page)
		return ai_err(ERANGE, "0x%llx+%zu is outside the pages both sides have",
			      (unsigned long long)addr, len);
	np = source__pages_spanned(d->src[0], addr - base, len);
	a = malloc(len);
	pa = malloc(np);
	if (!b_bytes) {
		b = malloc(len);
		pb = malloc(np);
	}
	if (!a || !pa || (!b_bytes && (!b || !pb))) {
		err = ai_err(ENOMEM, "out of memory");
		goto out;
	}
	err = read_side(d, DIFF_A, addr, len, a, pa);
	if (!err && !b_bytes)
		err = read_side(d, DIFF_B, addr, len, b, pb);
	if (err)
		goto out;
	if (b_bytes) {
		b = (uint8_t *)b_bytes;
		pb = (uint8_t *)b_present;
	}
	for (size_t i = 0; i < len; i++) {
		size_t k = ((addr - base + i) / d->page) - ((addr - base) / d->page);

		mask[i] = pa[k] && pb[k] && a[i] != b[i];
		count += mask[i];
	}
	if (pages)
		for (size_t k = 0; k < np; k++)
			pages[k] = (pa[k] ? DIFF_IN_A : 0) | (pb[k] ? DIFF_IN_B : 0);
out:
	free(a);
	free(pa);
	if (!b_bytes) {
		free(b);
		free(pb);
	}
	return err ? err : (int)(count > INT32_MAX ? INT32_MAX : count);
}

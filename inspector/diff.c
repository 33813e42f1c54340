// SPDX-License-Identifier: GPL-2.0
/*
 * diff: page-state runs from the two page maps, then byte ranges from the
 * pages allocated in both. Pages are read in chunks of up to 4 MiB from each
 * side; equal pages cost one memcmp, differing ones a word-then-byte scan.
 * A range stays open across page boundaries while the pages are adjacent
 * and comparable, so a change that straddles two pages is one range.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "error.h"

#define PAGE 4096ULL
#define CHUNK_PAGES 1024

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
	struct diff_range cur;	/* the open range, cur.len == 0: none */
	int stop;		/* callback's non-zero return */
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
	const uint8_t *end = pa + PAGE;
	const uint8_t *x = pa, *y = pb;

	if (!memcmp(pa, pb, PAGE)) {
		/* an open range ends here unless the gap rule keeps it */
		if (w->cur.len && base + PAGE - (w->cur.off + w->cur.len) > w->o->merge_gap)
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

static int walk_bytes(struct walk *w, struct source *a, struct source *b,
		      const struct pagemap *pa, const struct pagemap *pb, uint32_t n)
{
	static const size_t chunk = CHUNK_PAGES * PAGE;
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
		r = source__read(a, a->info.user_vm_start + i * PAGE, ba, cnt * PAGE, prs_a);
		if (r < 0) {
			err = ai_err(-r, "reading A at page %u: %s", i, ai_errmsg());
			goto out;
		}
		r = source__read(b, b->info.user_vm_start + i * PAGE, bb, cnt * PAGE, prs_b);
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
			compare_page(w, ba + k * PAGE, bb + k * PAGE, (uint64_t)(i + k) * PAGE);
		}
		i = j;
	}
	close_range(w);
out:
	free(ba);
	free(bb);
	free(prs_a);
	free(prs_b);
	return err;
}

int diff__walk(struct source *a, struct source *b, const struct diff_opts *opts,
	       const struct diff_cb *cb, void *ctx, struct diff_stats *st)
{
	static const struct diff_opts dflt;
	static const struct diff_cb nocb;
	struct diff_stats tmp;
	struct pagemap pa, pb;
	struct walk w = { .o = opts ? opts : &dflt, .cb = cb ? cb : &nocb, .ctx = ctx,
			  .st = st ? st : &tmp };
	uint32_t n;
	int err;

	memset(w.st, 0, sizeof(*w.st));
	err = source__pagemap(a, &pa);
	if (err)
		return err;
	err = source__pagemap(b, &pb);
	if (err) {
		pagemap__free(&pa);
		return err;
	}
	n = pa.nr_pages < pb.nr_pages ? pa.nr_pages : pb.nr_pages;
	w.st->size_differs = pa.nr_pages != pb.nr_pages;
	err = walk_pages(&w, &pa, &pb, n);
	if (!err && !w.stop && !w.o->pages_only)
		err = walk_bytes(&w, a, b, &pa, &pb, n);
	pagemap__free(&pa);
	pagemap__free(&pb);
	return err ? err : w.stop;
}

/* ---------------------------------------------------------------- sink */

struct emit {
	struct sink *s;
	struct source *a, *b;
	bool in_ranges;
};

static uint64_t addr_of(const struct emit *e, uint64_t off)
{
	uint64_t base = e->b->info.user_vm_start ? e->b->info.user_vm_start
						 : e->a->info.user_vm_start;

	return base ? base + off : 0;
}

static int emit_pages(void *ctx, const struct diff_pages *p)
{
	struct emit *e = ctx;
	const char *change = p->to == PAGE_ALLOCATED	? "allocated"
			     : p->from == PAGE_ALLOCATED ? "freed"
			     : p->to == PAGE_RESERVED	? "reserved"
							: "unreserved";

	sink_begin(e->s, NULL, false, NULL);
	sink_str(e->s, "change", change);
	sink_u64(e->s, "first", p->first);
	sink_u64(e->s, "count", p->count);
	sink_hex(e->s, "addr", addr_of(e, (uint64_t)p->first * PAGE));
	sink_str(e->s, "from", diff__state_name(p->from));
	sink_str(e->s, "to", diff__state_name(p->to));
	sink_end(e->s, false);
	return 0;
}

static void hexstr(char *out, const uint8_t *b, size_t n)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int emit_range(void *ctx, const struct diff_range *r)
{
	struct emit *e = ctx;
	char hex[2 * DIFF_SAMPLE + 4];
	size_t n = r->len < DIFF_SAMPLE ? r->len : DIFF_SAMPLE;

	if (!e->in_ranges) {
		sink_end(e->s, true); /* pages */
		sink_begin(e->s, "ranges", true, NULL);
		e->in_ranges = true;
	}
	sink_begin(e->s, NULL, false, NULL);
	sink_hex(e->s, "addr", addr_of(e, r->off));
	sink_u64(e->s, "offset", r->off);
	sink_u64(e->s, "len", r->len);
	hexstr(hex, r->old, n);
	if (r->len > DIFF_SAMPLE)
		strcat(hex, "..");
	sink_str(e->s, "old", hex);
	hexstr(hex, r->new, n);
	if (r->len > DIFF_SAMPLE)
		strcat(hex, "..");
	sink_str(e->s, "new", hex);
	sink_end(e->s, false);
	return 0;
}

static void emit_side(struct sink *s, const char *key, const struct source *src)
{
	const struct arena_info *ai = &src->info;

	sink_begin(s, key, false, NULL);
	sink_str(s, "kind", ai->is_snapshot ? "snapshot" : "live");
	sink_u64(s, "id", ai->map_id);
	sink_str(s, "name", ai->name);
	sink_u64(s, "pages", ai->max_pages);
	sink_hex(s, "user_vm_start", ai->user_vm_start);
	if (ai->is_snapshot) {
		sink_u64(s, "time_ns", ai->snapshot_time_ns);
		sink_bool(s, "changed_while_saved", ai->snapshot_changed);
	}
	sink_end(s, false);
}

int diff__emit(struct source *a, struct source *b, const struct diff_opts *opts,
	       struct sink *s, struct diff_stats *st)
{
	static const struct diff_cb cb = { .pages = emit_pages, .range = emit_range };
	struct emit e = { .s = s, .a = a, .b = b };
	struct diff_stats tmp, *t = st ? st : &tmp;
	int err;

	sink_begin(s, NULL, false, NULL);
	emit_side(s, "a", a);
	emit_side(s, "b", b);
	sink_begin(s, "pages", true, NULL);
	err = diff__walk(a, b, opts, &cb, &e, t);
	if (!e.in_ranges) {
		sink_end(s, true);
		sink_begin(s, "ranges", true, NULL);
	}
	sink_end(s, true);
	sink_begin(s, "summary", false, NULL);
	sink_u64(s, "pages_allocated", t->pages_allocated);
	sink_u64(s, "pages_freed", t->pages_freed);
	sink_u64(s, "pages_reserved_changed", t->pages_other);
	sink_u64(s, "pages_compared", t->pages_compared);
	sink_u64(s, "pages_changed", t->pages_changed);
	sink_u64(s, "pages_unreadable", t->pages_unreadable);
	sink_u64(s, "ranges", t->ranges);
	sink_u64(s, "bytes_changed", t->bytes_changed);
	sink_bool(s, "ranges_truncated", t->ranges_truncated);
	sink_bool(s, "size_differs", t->size_differs);
	if (err < 0)
		sink_str(s, "error", ai_errmsg());
	sink_end(s, false);
	sink_end(s, false);
	sink_flush(s);
	return err;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * diff: page-state runs from the two page maps, then byte ranges from the
 * pages allocated in both. Pages are read in chunks of up to 4 MiB from each
 * side; equal pages cost one memcmp, differing ones a word-then-byte scan.
 * A range stays open across page boundaries while the pages are adjacent
 * and comparable, so a change that straddles two pages is one range.
 *
 * Typed fields: each root of A is formatted on both sides into a recording
 * sink (leaf path -> text). A followed pointer, which the formatter replaces
 * by its pointee, is recorded too, as its own path -> "0x...", so a pointer
 * that changed shows up even when both pointees look alike. The two lists
 * are matched by path (B sorted, binary search).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "diff.h"
#include "error.h"
#include "expr.h"
#include "format.h"

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
	uint64_t page;		/* the page size, both sides' */
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

static int walk_bytes(struct walk *w, struct source *a, struct source *b,
		      const struct pagemap *pa, const struct pagemap *pb, uint32_t n)
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
			compare_page(w, ba + k * w->page, bb + k * w->page, (uint64_t)(i + k) * w->page);
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
			  .st = st ? st : &tmp, .page = source__page_size(a) };
	uint32_t n;
	int err;

	memset(w.st, 0, sizeof(*w.st));
	if (a->info.page_size != b->info.page_size)
		return ai_err(EINVAL, "A has %u-byte pages and B %u-byte pages: they cannot be compared",
			      a->info.page_size, b->info.page_size);
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

/* -------------------------------------------------------- typed fields */

/* Leaves kept per side over all roots: beyond this the lists stop growing
 * (stats.incomplete). max_nodes per root keeps each walk small already. */
#define REC_MAX_LEAVES 1000000
/* aliases followed when resolving one path */
#define MAX_ALIAS_HOPS 8
#define RPATH_LEN 2048

struct rec_entry {
	char *path, *text;
	bool used;	/* B side: matched by an A entry */
};

/* An object the formatter expanded under one path and then showed as a
 * "seen" pointer under another: path -> to (the expanded pointer's path).
 * Which path an object is expanded under depends on the walk order, so the
 * two sides may expand it in different places; aliases let "P->m" on one
 * side find "Q->m" on the other. */
struct rec_alias {
	char *path, *to;
};

/* a followed pointer: its pointee (addr, type) was expanded at entry */
struct rec_exp {
	uint64_t addr;
	char *type;
	size_t entry;
};

struct rec {
	struct sink sink;	/* first: the sink ops get &rec->sink */
	struct rec_entry *e;
	size_t n, cap;
	struct rec_alias *al;
	size_t nal, capal;
	struct rec_exp *ex;
	size_t nex, capex, root_ex;	/* root_ex: the current root's first */
	bool oom, incomplete;
};

static bool rec_add(struct rec *r, const char *path, size_t plen, const char *text)
{
	struct rec_entry *e;

	if (r->oom)
		return false;
	if (r->n >= REC_MAX_LEAVES) {
		r->incomplete = true;
		return false;
	}
	if (ai_reserve((void **)&r->e, &r->cap, r->n + 1, sizeof(*r->e))) {
		r->oom = true;
		return false;
	}
	e = &r->e[r->n];
	e->path = strndup(path, plen);
	e->text = strdup(text);
	e->used = false;
	if (!e->path || !e->text) {
		free(e->path);
		free(e->text);
		r->oom = true;
		return false;
	}
	r->n++;
	return true;
}

/* A followed pointer's pointee has path "*P" or "*(P)" and attrs.addr the
 * pointer: record P -> "0x...", and where (addr, type) was expanded. */
static void rec_pointer(struct rec *r, const struct sink_attrs *a)
{
	const char *p = a->path + 1;
	size_t len = strlen(p);
	char text[32];

	if (p[0] == '(' && len >= 2 && p[len - 1] == ')') {
		p++;
		len -= 2;
	}
	if (!len)
		return;
	snprintf(text, sizeof(text), "0x%" PRIx64, a->addr);
	if (!rec_add(r, p, len, text))
		return;
	if (ai_reserve((void **)&r->ex, &r->capex, r->nex + 1, sizeof(*r->ex))) {
		r->oom = true;
		return;
	}
	r->ex[r->nex] = (struct rec_exp){ .addr = a->addr, .type = strdup(a->type ? a->type : ""),
					  .entry = r->n - 1 };
	if (!r->ex[r->nex].type) {
		r->oom = true;
		return;
	}
	r->nex++;
}

/* A "seen" pointer: alias its path to where its pointee was expanded. */
static void rec_seen(struct rec *r, const struct sink_attrs *a, const char *text)
{
	uint64_t p = strtoull(text, NULL, 16);
	struct rec_alias *al;

	if (!a->target)
		return;
	for (size_t i = r->root_ex; i < r->nex; i++) {
		if (r->ex[i].addr != p || strcmp(r->ex[i].type, a->target))
			continue;
		if (ai_reserve((void **)&r->al, &r->capal, r->nal + 1, sizeof(*r->al))) {
			r->oom = true;
			return;
		}
		al = &r->al[r->nal];
		al->path = strdup(a->path);
		al->to = strdup(r->e[r->ex[i].entry].path);
		if (!al->path || !al->to) {
			free(al->path);
			free(al->to);
			r->oom = true;
			return;
		}
		r->nal++;
		return;
	}
}

static void rec_begin(struct sink *s, const char *key, bool array, const struct sink_attrs *a)
{
	(void)key;
	(void)array;
	/* an array cut at max_array: the elements past it are not compared */
	if (a && a->truncated)
		((struct rec *)s)->incomplete = true;
	if (a && a->path && a->path[0] == '*' && a->addr)
		rec_pointer((struct rec *)s, a);
}

static void rec_end(struct sink *s, bool array)
{
	(void)s;
	(void)array;
}

static void rec_value(struct sink *s, const char *key, enum sink_kind kind, const char *text,
		      const struct sink_attrs *a)
{
	struct rec *r = (struct rec *)s;
	char buf[96];

	(void)key;
	if (!a || !a->path) {
		/* the node limit's "...", or a path too long to name */
		r->incomplete = true;
		return;
	}
	if (a->path[0] == '*' && a->addr)
		rec_pointer(r, a);
	if (!text)
		text = "";
	if (kind == SK_PTR && a->note && !strcmp(a->note, "seen"))
		rec_seen(r, a, text);
	if (kind == SK_PTR && (a->unallocated || a->outside)) {
		snprintf(buf, sizeof(buf), "%s (%s)", text,
			 a->unallocated ? "unallocated" : a->note ? a->note : "outside");
		text = buf;
	} else if (!*text && a->unallocated) {
		text = "<unallocated>";
	} else if (!*text && a->outside) {
		text = "<outside>";
	}
	/* the node or depth limit, or a char array cut at max_array */
	if ((a->note && !strcmp(a->note, "limit")) ||
	    (a->truncated && kind != SK_PTR && (!a->note || !strcmp(a->note, "depth"))))
		r->incomplete = true;
	rec_add(r, a->path, strlen(a->path), text);
}

static const struct sink_ops rec_ops = {
	.begin = rec_begin,
	.end = rec_end,
	.value = rec_value,
};

static void rec_free(struct rec *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->e[i].path);
		free(r->e[i].text);
	}
	for (size_t i = 0; i < r->nal; i++) {
		free(r->al[i].path);
		free(r->al[i].to);
	}
	for (size_t i = 0; i < r->nex; i++)
		free(r->ex[i].type);
	free(r->e);
	free(r->al);
	free(r->ex);
}

/* Root `name` of bx in src, into r. A root that does not evaluate on this
 * side (missing, unreadable) has no leaves. */
static void rec_root(struct rec *r, struct btfx *bx, struct source *src, const char *name,
		     const struct fmt_opts *fo)
{
	struct fmt_opts o = *fo;
	struct value v;
	int col;

	r->root_ex = r->nex; /* "seen" refers to the same walk only */
	if (expr__eval_str(name, bx, src, &v, &col))
		return;
	o.path = name;
	fmt__value(bx, src, &v, name, &r->sink, &o);
}

/* ------------------------------------------------------------- matching */

static const struct rec *sort_rec; /* qsort has no context argument */

static int cmp_idx(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int c = strcmp(sort_rec->e[i].path, sort_rec->e[j].path);

	return c ? c : (i > j) - (i < j);
}

static int cmp_alias(const void *x, const void *y)
{
	return strcmp(((const struct rec_alias *)x)->path, ((const struct rec_alias *)y)->path);
}

/* r's entries sorted by path, as indexes; r's aliases sorted in place */
static size_t *rec_index(struct rec *r)
{
	size_t *idx = malloc((r->n ? r->n : 1) * sizeof(*idx));

	if (!idx)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		idx[i] = i;
	sort_rec = r;
	if (r->n)
		qsort(idx, r->n, sizeof(*idx), cmp_idx);
	sort_rec = NULL;
	if (r->nal)
		qsort(r->al, r->nal, sizeof(*r->al), cmp_alias);
	return idx;
}

/* First position in idx whose path is >= path */
static size_t lower(const struct rec *r, const size_t *idx, const char *path)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(r->e[idx[mid]].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the first unused entry of r with path (any entry: any), or -1 */
static long find(const struct rec *r, const size_t *idx, const char *path, bool any)
{
	for (size_t i = lower(r, idx, path); i < r->n && !strcmp(r->e[idx[i]].path, path); i++)
		if (any || !r->e[idx[i]].used)
			return (long)idx[i];
	return -1;
}

static const struct rec_alias *find_alias(const struct rec *r, const char *path, size_t len)
{
	size_t lo = 0, hi = r->nal;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(r->al[mid].path, path, len);

		if (!c && r->al[mid].path[len])
			c = 1;
		if (!c)
			return &r->al[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* path with its first "seen" pointer prefix (P in "P->...") replaced by
 * where r expanded that object, repeatedly. The entry there, or -1. */
static long find_aliased(const struct rec *r, const size_t *idx, const char *path)
{
	char buf[2][RPATH_LEN];
	const char *cur = path;
	bool moved = false;

	if (!r->nal)
		return -1;
	for (int hop = 0; hop < MAX_ALIAS_HOPS; hop++) {
		const struct rec_alias *al = NULL;
		const char *k;

		for (k = strstr(cur, "->"); k; k = strstr(k + 2, "->")) {
			al = find_alias(r, cur, (size_t)(k - cur));
			if (al)
				break;
		}
		if (!al)
			break;
		if ((size_t)snprintf(buf[hop & 1], RPATH_LEN, "%s%s", al->to, k) >= RPATH_LEN)
			return -1;
		cur = buf[hop & 1];
		moved = true;
	}
	return moved ? find(r, idx, cur, true) : -1;
}

struct fields_out {
	int (*cb)(void *ctx, const struct diff_field *f);
	void *ctx;
	struct diff_field_stats *st;
	uint32_t max;
	int stop;
};

static void report(struct fields_out *fo, const char *path, const char *old, const char *new)
{
	struct diff_field f = { .path = path, .old = old, .new = new };

	fo->st->changed++;
	if (fo->st->reported >= fo->max) {
		fo->st->truncated = true;
		return;
	}
	fo->st->reported++;
	if (fo->cb && !fo->stop)
		fo->stop = fo->cb(fo->ctx, &f);
}

static int match(struct rec *ra, struct rec *rb, struct fields_out *fo)
{
	size_t *ia = rec_index(ra), *ib = rec_index(rb);
	int err = 0;

	if (!ia || !ib) {
		err = ai_err(ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ra->n && !fo->stop; i++) {
		const struct rec_entry *ea = &ra->e[i];
		long j = find(rb, ib, ea->path, false);

		if (j >= 0)
			rb->e[j].used = true;
		else
			j = find_aliased(rb, ib, ea->path);
		if (j < 0)
			report(fo, ea->path, ea->text, NULL);
		else if (strcmp(ea->text, rb->e[j].text))
			report(fo, ea->path, ea->text, rb->e[j].text);
	}
	for (size_t j = 0; j < rb->n && !fo->stop; j++) {
		const struct rec_entry *eb = &rb->e[j];
		long i;

		if (eb->used)
			continue;
		i = find_aliased(ra, ia, eb->path);
		if (i < 0)
			report(fo, eb->path, NULL, eb->text);
		else if (strcmp(ra->e[i].text, eb->text))
			report(fo, eb->path, ra->e[i].text, eb->text);
	}
out:
	free(ia);
	free(ib);
	return err;
}

int diff__fields(struct btfx *bx_a, struct source *a, struct btfx *bx_b, struct source *b,
		 const struct diff_field_opts *o,
		 int (*cb)(void *ctx, const struct diff_field *f), void *ctx,
		 struct diff_field_stats *st)
{
	static const struct diff_field_opts dflt;
	struct diff_field_stats tmp;
	struct rec ra = { .sink = { .ops = &rec_ops } }, rb = { .sink = { .ops = &rec_ops } };
	struct fmt_opts fmo = { 0 };
	struct fields_out out = { .cb = cb, .ctx = ctx, .st = st ? st : &tmp };
	int err = 0;

	if (!o)
		o = &dflt;
	memset(out.st, 0, sizeof(*out.st));
	if (!bx_b)
		bx_b = bx_a;
	if (!bx_a || btfx__nr_btfs(bx_a) <= 0 || btfx__nr_btfs(bx_b) <= 0)
		return ai_err(EINVAL, "typed fields need BTF on both sides");
	fmo.follow_ptrs = o->follow_ptrs > 0 ? o->follow_ptrs : o->follow_ptrs < 0 ? 0 : DIFF_FIELD_FOLLOW;
	fmo.max_nodes = o->max_nodes > 0 ? o->max_nodes : DIFF_FIELD_MAX_NODES;
	fmo.max_array = o->max_array; /* 0: the formatter's default */
	out.max = o->max_fields ? o->max_fields : DIFF_MAX_FIELDS;
	for (int i = 0; i < btfx__nr_roots(bx_a); i++) {
		const struct root *r = btfx__root(bx_a, i);
		char name[sizeof(r->name)];

		/* a copy: the root table belongs to bx_a */
		snprintf(name, sizeof(name), "%s", r->name);
		rec_root(&ra, bx_a, a, name, &fmo);
		rec_root(&rb, bx_b, b, name, &fmo);
		out.st->roots++;
	}
	if (ra.oom || rb.oom) {
		err = ai_err(ENOMEM, "out of memory");
		goto out;
	}
	out.st->leaves_a = ra.n;
	out.st->leaves_b = rb.n;
	out.st->incomplete = ra.incomplete || rb.incomplete;
	err = match(&ra, &rb, &out);
	if (!err)
		err = out.stop;
out:
	rec_free(&ra);
	rec_free(&rb);
	return err;
}

bool diff__has_types(const struct diff_opts *opts)
{
	struct btfx *b;

	if (!opts || !opts->bx_a || btfx__nr_btfs(opts->bx_a) <= 0)
		return false;
	b = opts->bx_b ? opts->bx_b : opts->bx_a;
	return btfx__nr_btfs(b) > 0;
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
	sink_hex(e->s, "addr", addr_of(e, (uint64_t)p->first << e->a->info.page_shift));
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

static int emit_field(void *ctx, const struct diff_field *f)
{
	sink_change(ctx, f->path, f->old, f->new);
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
	t->fields_compared = false;
	if (diff__has_types(opts)) {
		const struct diff_field_opts fo = { .max_fields = opts->max_fields,
						    .max_array = opts->max_array };
		int ferr;

		t->fields_compared = true;
		sink_begin(s, "fields", true, NULL);
		ferr = diff__fields(opts->bx_a, a, opts->bx_b, b, &fo, emit_field, s, &t->fields);
		sink_end(s, true);
		if (ferr < 0 && err >= 0)
			err = ferr;
	}
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
	sink_bool(s, "fields_compared", t->fields_compared);
	if (t->fields_compared) {
		sink_u64(s, "fields_changed", t->fields.changed);
		sink_u64(s, "fields_shown", t->fields.reported);
		sink_bool(s, "fields_truncated", t->fields.truncated);
		sink_bool(s, "fields_incomplete", t->fields.incomplete);
	}
	if (err < 0)
		sink_str(s, "error", ai_errmsg());
	sink_end(s, false);
	sink_end(s, false);
	sink_flush(s);
	return err;
}

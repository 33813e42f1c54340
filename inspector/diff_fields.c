// SPDX-License-Identifier: GPL-2.0
/*
 * diff: typed fields. Each root of A (or one expression) is walked on both
 * sides into its leaves (fmt__leaves: path -> the one text). A followed
 * pointer, which the formatter replaces by its pointee, is a leaf too, its
 * own path -> "0x...", so a pointer that changed shows up even when both
 * pointees look alike. The two lists are matched by path (B sorted, binary
 * search), through aliases where one object was expanded under different
 * paths on the two sides.
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

/* Leaves kept per side over all roots: beyond this the lists stop growing
 * (stats.incomplete). max_nodes per root keeps each walk small already. */
#define REC_MAX_LEAVES 1000000
/* aliases followed when resolving one path */
#define MAX_ALIAS_HOPS 8
#define RPATH_LEN 2048

struct rec_entry {
	char *path, *text;
	bool used; /* B side: matched by an A entry */
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
	struct rec_entry *e;
	size_t n, cap;
	struct rec_alias *al;
	size_t nal, capal;
	struct rec_exp *ex;
	size_t nex, capex, root_ex; /* root_ex: the current root's first */
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

/* A followed pointer: its leaf P -> "0x...", and where its pointee
 * (addr, type) was expanded. */
static void rec_pointer(struct rec *r, const struct fmt_leaf *f)
{
	uint64_t p = strtoull(f->value, NULL, 16);

	if (!rec_add(r, f->path, strlen(f->path), f->text))
		return;
	if (ai_reserve((void **)&r->ex, &r->capex, r->nex + 1, sizeof(*r->ex))) {
		r->oom = true;
		return;
	}
	r->ex[r->nex] = (struct rec_exp){ .addr = p,
					  .type = strdup(f->target ? f->target : ""),
					  .entry = r->n - 1 };
	if (!r->ex[r->nex].type) {
		r->oom = true;
		return;
	}
	r->nex++;
}

/* A "seen" pointer: alias its path to where its pointee was expanded. */
static void rec_seen(struct rec *r, const struct fmt_leaf *f)
{
	uint64_t p = strtoull(f->value, NULL, 16);
	struct rec_alias *al;

	if (!f->target)
		return;
	for (size_t i = r->root_ex; i < r->nex; i++) {
		if (r->ex[i].addr != p || strcmp(r->ex[i].type, f->target))
			continue;
		if (ai_reserve((void **)&r->al, &r->capal, r->nal + 1, sizeof(*r->al))) {
			r->oom = true;
			return;
		}
		al = &r->al[r->nal];
		al->path = strdup(f->path);
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

static int rec_leaf(void *ctx, const struct fmt_leaf *f)
{
	struct rec *r = ctx;

	if (!f->path)
		return 0; /* the node limit's "...", or a path too long: info.cut */
	if (f->followed) {
		rec_pointer(r, f);
		return 0;
	}
	if (f->sk == SK_PTR && f->note && !strcmp(f->note, "seen"))
		rec_seen(r, f);
	rec_add(r, f->path, strlen(f->path), f->text);
	return 0;
}

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

	struct fmt_leaves_info info = { 0 };

	r->root_ex = r->nex; /* "seen" refers to the same walk only */
	if (expr__eval_str(name, bx, src, &v, &col))
		return;
	o.path = name;
	fmt__leaves(bx, src, &v, &o, rec_leaf, r, &info);
	r->incomplete |= info.cut;
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

/* Compare expr (NULL: every root of bx_a) between a and b */
static int compare(struct btfx *bx_a, struct source *a, struct btfx *bx_b, struct source *b,
		   const char *expr, const struct diff_field_opts *o,
		   int (*cb)(void *ctx, const struct diff_field *f), void *ctx,
		   struct diff_field_stats *st)
{
	static const struct diff_field_opts dflt;
	struct diff_field_stats tmp;
	struct rec ra = { 0 }, rb = { 0 };
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
	fmo.follow_ptrs = o->follow_ptrs > 0   ? o->follow_ptrs
			  : o->follow_ptrs < 0 ? 0
					       : DIFF_FIELD_FOLLOW;
	fmo.max_nodes = o->max_nodes > 0 ? o->max_nodes : DIFF_FIELD_MAX_NODES;
	fmo.max_array = o->max_array; /* 0: the formatter's default */
	out.max = o->max_fields ? o->max_fields : DIFF_MAX_FIELDS;
	for (int i = 0; expr ? i < 1 : i < btfx__nr_roots(bx_a); i++) {
		char name[sizeof(btfx__root(bx_a, 0)->name)];

		/* a copy: the root table belongs to bx_a */
		if (!expr)
			snprintf(name, sizeof(name), "%s", btfx__root(bx_a, i)->name);
		rec_root(&ra, bx_a, a, expr ? expr : name, &fmo);
		rec_root(&rb, bx_b, b, expr ? expr : name, &fmo);
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

int diff__fields(struct btfx *bx_a, struct source *a, struct btfx *bx_b, struct source *b,
		 const struct diff_field_opts *o, int (*cb)(void *ctx, const struct diff_field *f),
		 void *ctx, struct diff_field_stats *st)
{
	return compare(bx_a, a, bx_b, b, NULL, o, cb, ctx, st);
}

int diff__value(struct diff *d, const char *expr, const struct diff_field_opts *o,
		int (*cb)(void *ctx, const struct diff_field *f), void *ctx,
		struct diff_field_stats *st)
{
	return compare(diff__btfx(d, DIFF_A), diff__source(d, DIFF_A), diff__btfx(d, DIFF_B),
		       diff__source(d, DIFF_B), expr, o, cb, ctx, st);
}

bool diff__has_types(const struct diff_opts *opts)
{
	struct btfx *b;

	if (!opts || !opts->bx_a || btfx__nr_btfs(opts->bx_a) <= 0)
		return false;
	b = opts->bx_b ? opts->bx_b : opts->bx_a;
	return btfx__nr_btfs(b) > 0;
}

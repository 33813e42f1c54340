// SPDX-License-Identifier: GPL-2.0
/*
 * Watches. The trick that makes 10,000 of them cheap: a watch's value is a
 * pure function of the bytes its evaluation read (path, value, condition).
 * We log those reads per watch; the next sweep re-reads all logged fields in
 * ONE batched kernel pass (source__gather), and a watch whose inputs are all
 * byte-for-byte the same is known to be unchanged without evaluating it
 * again. Anything else is re-evaluated through a per-sweep cache, so a page
 * is read at most once per sweep.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/btf.h>

#include "array.h"
#include "error.h"
#include "expr.h"
#include "format.h"
#include "sink.h"
#include "watch.h"

#define LOG_MAX_LEN 64 /* reads up to this size can be gathered */
#define LOG_MAX 256    /* logged reads per watch; more: always re-evaluate */

struct logent {
	uint64_t off;
	uint32_t len;
	uint8_t present;
	uint8_t data[LOG_MAX_LEN];
};

struct wpriv {
	struct expr *e;
	struct expr *cond;
	struct logent *log;
	int nlog, caplog;
	bool cacheable; /* every input read is in log */
	bool valid;	/* log describes the current value */
	size_t gstart;	/* this sweep's gather items for the log */
	size_t gcount;
	char **leaf_path;
	char **leaf_text;
	int nleaf;
};

/* -------------------------------------------------- the sweep cache source */

struct cpage {
	uint64_t pg;
	uint8_t present;
	uint8_t *data;
};

struct sweepsrc {
	struct source src;
	struct source *inner;
	/* this sweep's gathered fields, sorted by (off, len) for lookups */
	struct gather_item *items;
	size_t nitems, capitems;
	size_t span_start, span_end; /* the evaluated watch's items */
	/* pages read individually this sweep (open addressing) */
	struct cpage *pages;
	size_t cappages, npages;
	/* per-watch read log being recorded, or NULL */
	struct wpriv *rec;
	uint32_t page_reads;
};

static void cache_reset(struct sweepsrc *c)
{
	for (size_t i = 0; i < c->cappages; i++) {
		free(c->pages[i].data);
		c->pages[i].data = NULL;
	}
	c->npages = 0;
	c->page_reads = 0;
}

static struct cpage *page_slot(struct sweepsrc *c, uint64_t pg)
{
	size_t h;

	if (c->npages * 2 >= c->cappages) {
		size_t ncap = c->cappages ? c->cappages * 2 : 64;
		struct cpage *np = calloc(ncap, sizeof(*np));

		if (!np)
			return NULL;
		for (size_t i = 0; i < c->cappages; i++) {
			if (!c->pages[i].data)
				continue;
			h = (c->pages[i].pg * 0x9E3779B97F4A7C15ULL) & (ncap - 1);
			while (np[h].data)
				h = (h + 1) & (ncap - 1);
			np[h] = c->pages[i];
		}
		free(c->pages);
		c->pages = np;
		c->cappages = ncap;
	}
	h = (pg * 0x9E3779B97F4A7C15ULL) & (c->cappages - 1);
	while (c->pages[h].data && c->pages[h].pg != pg)
		h = (h + 1) & (c->cappages - 1);
	return &c->pages[h];
}

static int get_page(struct sweepsrc *c, uint64_t pg, struct cpage **out)
{
	struct cpage *p = page_slot(c, pg);
	int err;

	if (!p)
		return ai_err(ENOMEM, "out of memory");
	if (!p->data) {
		p->data = malloc(source__page_size(c->inner));
		if (!p->data)
			return ai_err(ENOMEM, "out of memory");
		p->pg = pg;
		err = c->inner->ops->read(c->inner, pg << c->inner->info.page_shift, p->data,
					  source__page_size(c->inner), &p->present);
		if (err) {
			free(p->data);
			p->data = NULL;
			return err;
		}
		c->npages++;
		c->page_reads++;
	}
	*out = p;
	return 0;
}

/* A watch being re-evaluated mostly reads what it read last time: look in
 * its own span of this sweep's gathered items. */
static const struct gather_item *find_item(struct sweepsrc *c, uint64_t off, uint32_t len)
{
	for (size_t i = c->span_start; i < c->span_end; i++)
		if (c->items[i].off == off && c->items[i].len == len)
			return &c->items[i];
	return NULL;
}

static void log_read(struct sweepsrc *c, uint64_t off, const void *buf, size_t len, bool present)
{
	struct wpriv *w = c->rec;
	struct logent *e;

	if (!w || !w->cacheable)
		return;
	if (len > LOG_MAX_LEN ||
	    (off >> c->src.info.page_shift) != ((off + len - 1) >> c->src.info.page_shift) ||
	    w->nlog >= LOG_MAX) {
		w->cacheable = false;
		return;
	}
	if (w->nlog == w->caplog) {
		int nc = w->caplog ? w->caplog * 2 : 2;
		struct logent *nl = realloc(w->log, nc * sizeof(*nl));

		if (!nl) {
			w->cacheable = false;
			return;
		}
		w->log = nl;
		w->caplog = nc;
	}
	e = &w->log[w->nlog++];
	e->off = off;
	e->len = len;
	e->present = present;
	memcpy(e->data, buf, len);
}

static int sweep_read(struct source *s, uint64_t off, void *buf, size_t len, uint8_t *present)
{
	struct sweepsrc *c = (void *)s;
	const struct gather_item *it = len <= LOG_MAX_LEN ? find_item(c, off, len) : NULL;
	uint32_t sh = s->info.page_shift;
	uint64_t first = off >> sh;
	size_t np = source__pages_spanned(s, off, len);

	if (it) {
		present[0] = !it->err;
		if (it->err)
			memset(buf, 0, len);
		else
			memcpy(buf, it->data, len);
		log_read(c, off, buf, len, present[0]);
		return 0;
	}
	for (size_t i = 0; i < np; i++) {
		uint64_t pg = first + i;
		uint64_t lo = pg << sh > off ? pg << sh : off;
		uint64_t hi = (pg + 1) << sh < off + len ? (pg + 1) << sh : off + len;
		struct cpage *p = NULL;
		int err = get_page(c, pg, &p);

		if (err)
			return err;
		present[i] = p->present;
		if (p->present)
			memcpy((uint8_t *)buf + (lo - off),
			       p->data + (lo & (source__page_size(s) - 1)), hi - lo);
		else
			memset((uint8_t *)buf + (lo - off), 0, hi - lo);
	}
	log_read(c, off, buf, len, np == 1 && present[0]);
	return 0;
}

static int sweep_pagemap(struct source *s, struct pagemap *pm)
{
	struct sweepsrc *c = (void *)s;

	return c->inner->ops->pagemap(c->inner, pm);
}

static void sweep_close(struct source *s)
{
	/* owned by the watchset */
}

static const struct source_ops sweep_ops = {
	.pagemap = sweep_pagemap,
	.read = sweep_read,
	.close = sweep_close,
};

/* -------------------------------------------------- the leaves of a sample */

/* What one sample's fmt__leaves gave: the one-line rendering and every
 * leaf (path, text), in walk order. */
struct leafrec {
	struct strbuf line;
	char **path, **text;
	int n, cap;
	bool numeric; /* a single leaf that is a number, a bool or a pointer */
	int64_t num;
};

static int leaf_add(void *ctx, const struct fmt_leaf *f)
{
	struct leafrec *l = ctx;
	char *end;

	/* the formatter's "..." where max_nodes stopped it is not a member */
	if (f->kind == FMT_LEAF_CUT && !f->path)
		return 0;
	if (l->n == l->cap) {
		int nc = l->cap ? l->cap * 2 : 8;
		char **np = realloc(l->path, nc * sizeof(*np)), **nt;

		if (!np)
			return 0;
		l->path = np;
		nt = realloc(l->text, nc * sizeof(*nt));
		if (!nt)
			return 0;
		l->text = nt;
		l->cap = nc;
	}
	l->path[l->n] = strdup(f->path ? f->path : "");
	l->text[l->n] = strdup(f->text);
	l->n++;
	l->numeric = false;
	if (l->n == 1 && (f->sk == SK_NUM || f->sk == SK_BOOL || f->sk == SK_PTR) && *f->value) {
		l->num = f->sk == SK_BOOL ? !strcmp(f->value, "true")
					  : (int64_t)strtoll(f->value, &end, 0);
		l->numeric = f->sk == SK_BOOL || *end == '\0';
	}
	return 0;
}

static void leaves_free(char **p, char **t, int n)
{
	for (int i = 0; i < n; i++) {
		free(p[i]);
		free(t[i]);
	}
	free(p);
	free(t);
}

/* -------------------------------------------------- the watch set */

struct watchset {
	struct source *src;
	struct btfx *bx;
	struct sweepsrc cache;
	struct watch **w;
	int n, cap;
	int next_id;
	uint64_t sweeps;
	/*
	 * The sweep layout: every cacheable watch's logged reads, side by side
	 * with what they returned last time (expect) and which watch they belong
	 * to (owner). Comparing two contiguous arrays is what keeps a sweep over
	 * many unchanged watches cheap. Rebuilt when dirty.
	 */
	struct logent *expect;
	int *owner;
	size_t cap_expect;
	int *todo; /* watches to evaluate this sweep */
	size_t cap_todo;
	bool dirty;
	struct watch_sweep_stats stats;
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + t.tv_nsec;
}

int watchset__new(struct source *src, struct btfx *bx, struct watchset **out)
{
	struct watchset *ws = calloc(1, sizeof(*ws));

	if (!ws)
		return ai_err(ENOMEM, "out of memory");
	ws->src = src;
	ws->bx = bx;
	ws->cache.src.ops = &sweep_ops;
	ws->cache.src.info = src->info;
	ws->cache.inner = src;
	ws->next_id = 1;
	*out = ws;
	return 0;
}

static void members_free(struct watch *w)
{
	for (int i = 0; i < w->nr_changed_members; i++) {
		free(w->changed_members[i].path);
		free(w->changed_members[i].old);
		free(w->changed_members[i].new);
	}
	free(w->changed_members);
	w->changed_members = NULL;
	w->nr_changed_members = 0;
}

static void watch_free(struct watch *w)
{
	struct wpriv *p;

	if (!w)
		return;
	p = w->priv;
	if (p) {
		expr__free(p->e);
		expr__free(p->cond);
		free(p->log);
		leaves_free(p->leaf_path, p->leaf_text, p->nleaf);
		free(p);
	}
	members_free(w);
	free(w->spec);
	free(w->expr_text);
	free(w->cond_text);
	free(w->value);
	free(w->prev);
	free(w);
}

void watchset__clear(struct watchset *ws)
{
	for (int i = 0; i < ws->n; i++)
		watch_free(ws->w[i]);
	ws->n = 0;
	ws->dirty = true;
}

int watchset__set_paused(struct watchset *ws, int id, bool paused)
{
	for (int i = 0; i < ws->n; i++) {
		if (ws->w[i]->id == id) {
			ws->w[i]->paused = paused;
			ws->dirty = true;
			return 0;
		}
	}
	return ai_err(ENOENT, "no watch #%d", id);
}

bool watch__changed_last(const struct watchset *ws, const struct watch *w)
{
	return w->nr_changes && ws->sweeps && w->changed_sweep == ws->sweeps - 1;
}

uint64_t watch__samples(const struct watchset *ws, const struct watch *w)
{
	return ws->sweeps - w->first_sweep;
}

int watch__history(const struct watchset *ws, const struct watch *w, int64_t *out, int n)
{
	int k = w->hist_len - 1;

	if (!w->numeric || w->hist_len == 0 || n <= 0)
		return 0;
	/* walk back from the newest sample; each value holds since its sweep */
	for (int i = n - 1; i >= 0; i--) {
		uint64_t sweep = ws->sweeps - 1 - (uint64_t)(n - 1 - i);

		if (ws->sweeps < (uint64_t)(n - i) || sweep < w->first_sweep) {
			memmove(out, out + i + 1, (n - 1 - i) * sizeof(*out));
			return n - 1 - i;
		}
		while (k > 0 && w->hist_sweep[k] > sweep)
			k--;
		out[i] = w->hist_val[k];
	}
	return n;
}

void watchset__free(struct watchset *ws)
{
	if (!ws)
		return;
	watchset__clear(ws);
	free(ws->w);
	cache_reset(&ws->cache);
	free(ws->cache.pages);
	free(ws->cache.items);
	free(ws->expect);
	free(ws->owner);
	free(ws->todo);
	free(ws);
}

int watchset__count(const struct watchset *ws)
{
	return ws->n;
}

struct watch *watchset__get(struct watchset *ws, int i)
{
	return i >= 0 && i < ws->n ? ws->w[i] : NULL;
}

int watchset__remove(struct watchset *ws, int id)
{
	for (int i = 0; i < ws->n; i++) {
		if (ws->w[i]->id != id)
			continue;
		watch_free(ws->w[i]);
		memmove(&ws->w[i], &ws->w[i + 1], (ws->n - i - 1) * sizeof(ws->w[0]));
		ws->n--;
		ws->dirty = true;
		return 0;
	}
	return ai_err(ENOENT, "no watch #%d", id);
}

static char *trim_dup(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return strndup(s, len);
}

/* Split "EXPR if COND" / "EXPR changes" at the last top-level keyword. */
static int split_spec(const char *spec, struct watch *w)
{
	size_t len = strlen(spec);
	const char *kw = NULL;
	int depth = 0;

	for (const char *p = spec; *p; p++) {
		if (*p == '(' || *p == '[')
			depth++;
		else if ((*p == ')' || *p == ']') && depth)
			depth--;
		else if (!depth && !strncmp(p, " if ", 4))
			kw = p;
	}
	/* "if COND" with nothing before it, or "EXPR if" with nothing after */
	while (*spec == ' ')
		spec++, len--;
	while (len && spec[len - 1] == ' ')
		len--;
	if (!strncmp(spec, "if ", 3))
		return ai_err(EINVAL, "expected an expression before 'if'");
	if (len >= 3 && !strncmp(spec + len - 3, " if", 3))
		return ai_err(EINVAL, "expected a condition after 'if'");
	if (kw) {
		w->cond = WATCH_IF;
		w->expr_text = trim_dup(spec, kw - spec);
		w->cond_text = trim_dup(kw + 4, spec + len - (kw + 4));
	} else if (len > 8 && !strcmp(spec + len - 8, " changes")) {
		w->cond = WATCH_CHANGES;
		w->expr_text = trim_dup(spec, len - 8);
	} else {
		w->cond = WATCH_ALWAYS;
		w->expr_text = trim_dup(spec, len);
	}
	if (!w->expr_text || (w->cond == WATCH_IF && !w->cond_text))
		return ai_err(ENOMEM, "out of memory");
	if (!*w->expr_text)
		return ai_err(EINVAL, "expected an expression");
	if (w->cond == WATCH_IF && !*w->cond_text)
		return ai_err(EINVAL, "expected a condition after 'if'");
	return 0;
}

int watchset__add(struct watchset *ws, const char *spec, struct watch **out)
{
	struct watch *w = calloc(1, sizeof(*w));
	struct wpriv *p = calloc(1, sizeof(*p));
	int col = 0, err;

	if (!w || !p) {
		free(w);
		free(p);
		return ai_err(ENOMEM, "out of memory");
	}
	w->priv = p;
	w->spec = strdup(spec);
	if (!w->spec) {
		watch_free(w);
		return ai_err(ENOMEM, "out of memory");
	}
	err = split_spec(spec, w);
	if (!err) {
		err = expr__parse(w->expr_text, &p->e, &col);
		if (err)
			err = -EINVAL; /* the parser's message names the column */
	}
	if (!err && w->cond == WATCH_IF) {
		err = expr__parse(w->cond_text, &p->cond, &col);
		if (err)
			err = ai_err(EINVAL, "condition: %s", ai_errmsg());
	}
	if (!err && ws->n == ws->cap) {
		int nc = ws->cap ? ws->cap * 2 : 16;
		struct watch **nw = realloc(ws->w, nc * sizeof(*nw));

		if (!nw)
			err = ai_err(ENOMEM, "out of memory");
		else {
			ws->w = nw;
			ws->cap = nc;
		}
	}
	if (err) {
		watch_free(w);
		return err;
	}
	w->id = ws->next_id++;
	w->first_sweep = ws->sweeps;
	ws->w[ws->n++] = w;
	ws->dirty = true;
	if (out)
		*out = w;
	return 0;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
}

static void emit(watch_event_fn cb, void *ctx, enum watch_event_kind k, const struct watch *w,
		 uint64_t t, const char *old, const char *new)
{
	struct watch_event ev = {
		.kind = k, .w = w, .time_ns = t, .old_value = old, .new_value = new
	};

	if (cb)
		cb(&ev, ctx);
}

static void diff_members(struct watch *w, struct wpriv *p, struct leafrec *l)
{
	members_free(w);
	if (l->n <= 1 || !p->nleaf)
		return;
	w->changed_members = calloc(l->n, sizeof(*w->changed_members));
	if (!w->changed_members)
		return;
	for (int i = 0; i < l->n; i++) {
		bool same_path = i < p->nleaf && !strcmp(p->leaf_path[i], l->path[i]);
		struct watch_member *m;

		if (same_path && !strcmp(p->leaf_text[i], l->text[i]))
			continue;
		m = &w->changed_members[w->nr_changed_members];
		m->path = strdup(l->path[i]);
		m->new = strdup(l->text[i]);
		m->old = same_path ? strdup(p->leaf_text[i]) : NULL;
		if (!m->path || !m->new || (same_path && !m->old)) {
			free(m->path);
			free(m->new);
			free(m->old);
			break;
		}
		w->nr_changed_members++;
	}
}

/* Evaluate one watch through the sweep cache; update it and emit events. */
static void evaluate(struct watchset *ws, struct watch *w, uint64_t t, watch_event_fn cb, void *ctx)
{
	struct wpriv *p = w->priv;
	struct source *cs = &ws->cache.src;
	struct leafrec l = { 0 };
	struct fmt_leaves_info li = { .line = &l.line };
	/* every element of an array: max_nodes is the only cap on the count */
	struct fmt_opts fo = { .max_depth = WATCH_MAX_DEPTH,
			       .max_array = WATCH_MAX_LEAVES,
			       .max_nodes = WATCH_MAX_LEAVES,
			       .path = w->expr_text };
	enum watch_state st = WATCH_OK;
	bool hit = false;
	struct value v;
	int err;

	ws->cache.span_start = p->gstart;
	ws->cache.span_end = p->gstart + p->gcount;
	p->nlog = 0;
	p->cacheable = true;
	ws->cache.rec = p;
	ws->stats.evaluated++;
	err = expr__eval(p->e, ws->bx, cs, &v);
	/* a map variable's bytes are a copy taken when the types were loaded:
	 * watched, it would never change, a wrong answer that looks right */
	if (!err && v.var)
		err = ai_err(EINVAL,
			     "'%s' is in the map variable '%s', read once when the types were "
			     "loaded: it cannot be watched (what a pointer in it points to can)",
			     w->expr_text, v.var->name);
	if (!err)
		err = fmt__leaves(ws->bx, cs, &v, &fo, leaf_add, &l, &li);
	w->err_code = err;
	if (err) {
		st = err == -ENODATA ? WATCH_UNALLOCATED : WATCH_ERROR;
		snprintf(w->err, sizeof(w->err), "%s", ai_errmsg());
	}
	if (!err && w->cond == WATCH_IF) {
		int64_t c = 0;

		err = expr__eval_int(p->cond, ws->bx, cs, &c);
		if (err) {
			st = WATCH_ERROR;
			w->err_code = err;
			snprintf(w->err, sizeof(w->err), "condition: %s", ai_errmsg());
		} else {
			bool was = w->cond_true;

			w->cond_true = c != 0;
			hit = w->cond_true && !was;
		}
	}
	ws->cache.rec = NULL;
	ws->cache.span_start = ws->cache.span_end = 0;
	p->valid = true;

	if (st != w->state) {
		w->state = st;
		if (st == WATCH_OK)
			w->err[0] = '\0';
		if (ws->sweeps > w->first_sweep)
			emit(cb, ctx, WATCH_EV_STATE, w, t, NULL, NULL);
	}
	w->moved = false;
	if (st == WATCH_OK) {
		uint64_t addr = v.lvalue ? v.addr : 0;
		const char *line = l.line.buf ? l.line.buf : "";

		if (ws->sweeps > w->first_sweep && addr != w->addr) {
			w->moved = true;
			emit(cb, ctx, WATCH_EV_MOVED, w, t, NULL, NULL);
		}
		w->addr = addr;
		w->changed = w->value && strcmp(w->value, line);
		if (w->changed)
			w->changed_sweep = ws->sweeps;
		diff_members(w, p, &l);
		w->partial = li.cut;
		w->nr_leaves = l.n;
		if (w->changed) {
			set_str(&w->prev, w->value);
			w->nr_changes++;
			w->last_change_ns = t;
		}
		set_str(&w->value, line);
		if (w->changed) {
			emit(cb, ctx, WATCH_EV_CHANGE, w, t, w->prev, w->value);
			if (w->cond == WATCH_CHANGES) {
				w->nr_hits++;
				w->last_hit_ns = t;
				emit(cb, ctx, WATCH_EV_HIT, w, t, w->prev, w->value);
			}
		}
		w->numeric = l.numeric;
		if (l.numeric && (!w->hist_len || w->hist_val[w->hist_len - 1] != l.num)) {
			if (w->hist_len == WATCH_HIST) {
				memmove(w->hist_sweep, w->hist_sweep + 1,
					(WATCH_HIST - 1) * sizeof(uint64_t));
				memmove(w->hist_val, w->hist_val + 1,
					(WATCH_HIST - 1) * sizeof(int64_t));
				w->hist_len--;
			}
			w->hist_sweep[w->hist_len] = ws->sweeps;
			w->hist_val[w->hist_len++] = l.num;
		}
		w->num = l.num;
		leaves_free(p->leaf_path, p->leaf_text, p->nleaf);
		p->leaf_path = l.path;
		p->leaf_text = l.text;
		p->nleaf = l.n;
	} else {
		w->changed = false;
		leaves_free(l.path, l.text, l.n);
	}
	/* after the value is updated, so the hit carries the value that hit */
	if (hit) {
		w->nr_hits++;
		w->last_hit_ns = t;
		emit(cb, ctx, WATCH_EV_HIT, w, t, NULL, NULL);
	}
	strbuf_free(&l.line);
}

static int by_first_read(const void *a, const void *b, void *ctx)
{
	struct watchset *ws = ctx;
	const struct wpriv *x = ws->w[*(const int *)a]->priv, *y = ws->w[*(const int *)b]->priv;
	uint64_t ox = x->nlog ? x->log[0].off : UINT64_MAX,
		 oy = y->nlog ? y->log[0].off : UINT64_MAX;

	return ox < oy ? -1 : ox > oy;
}

/* Lay out every cacheable watch's logged reads side by side. */
static int relayout(struct watchset *ws)
{
	struct sweepsrc *c = &ws->cache;
	size_t n = 0, cap;
	int err;

	for (int i = 0; i < ws->n; i++) {
		struct wpriv *p = ws->w[i]->priv;

		if (!ws->w[i]->paused && p->valid && p->cacheable)
			n += p->nlog;
	}
	cap = c->capitems;
	err = ai_reserve((void **)&c->items, &c->capitems, n, sizeof(*c->items));
	if (!err)
		err = ai_reserve((void **)&ws->expect, &ws->cap_expect, n, sizeof(*ws->expect));
	if (!err) {
		cap = ws->cap_expect; /* expect and owner grow together */
		ws->cap_expect = 0;
		err = ai_reserve((void **)&ws->owner, &ws->cap_expect, cap, sizeof(*ws->owner));
		if (err)
			ws->cap_expect = 0;
		else
			ws->cap_expect = cap;
	}
	if (err)
		return err;
	/* blocks in address order: the kernel pass then walks memory forward */
	err = ai_reserve((void **)&ws->todo, &ws->cap_todo, ws->n ? ws->n : 1, sizeof(*ws->todo));
	if (err)
		return err;
	for (int i = 0; i < ws->n; i++)
		ws->todo[i] = i;
	qsort_r(ws->todo, ws->n, sizeof(*ws->todo), by_first_read, ws);
	c->nitems = 0;
	for (int j = 0; j < ws->n; j++) {
		int i = ws->todo[j];
		struct wpriv *p = ws->w[i]->priv;

		p->gstart = c->nitems;
		p->gcount = 0;
		if (ws->w[i]->paused || !p->valid || !p->cacheable)
			continue;
		p->gcount = p->nlog;
		for (int k = 0; k < p->nlog; k++) {
			c->items[c->nitems].off = p->log[k].off;
			c->items[c->nitems].len = p->log[k].len;
			ws->expect[c->nitems] = p->log[k];
			ws->owner[c->nitems] = i;
			c->nitems++;
		}
	}
	ws->dirty = false;
	return 0;
}

/* After a watch was evaluated: keep the layout if its reads kept their
 * shape (the usual case), else lay out again next sweep. */
static void update_layout(struct watchset *ws, struct wpriv *p)
{
	if (ws->dirty || !p->cacheable || (size_t)p->nlog != p->gcount) {
		ws->dirty = true;
		return;
	}
	for (int k = 0; k < p->nlog; k++) {
		struct logent *e = &ws->expect[p->gstart + k];

		if (e->off != p->log[k].off || e->len != p->log[k].len) {
			ws->dirty = true;
			return;
		}
		*e = p->log[k];
	}
}

/* One batched pass over every field the watches read last time. */
static int gather(struct watchset *ws)
{
	struct sweepsrc *c = &ws->cache;

	if (!c->nitems)
		return 0;
	ws->stats.gathered = c->nitems;
	return source__gather(ws->src, c->items, c->nitems);
}

static bool item_same(const struct gather_item *it, const struct logent *e)
{
	if ((it->err == 0) != (e->present != 0))
		return false;
	if (!e->present)
		return true;
	if (e->len == 8) { /* the common scalar: one compare, no call */
		uint64_t a, b;

		memcpy(&a, it->data, 8);
		memcpy(&b, e->data, 8);
		return a == b;
	}
	return !memcmp(it->data, e->data, e->len);
}

int watchset__sample(struct watchset *ws, watch_event_fn cb, void *ctx)
{
	struct sweepsrc *c = &ws->cache;
	uint64_t t = now_ns();
	int ntodo = 0, last = -1, err;

	memset(&ws->stats, 0, sizeof(ws->stats));
	cache_reset(c);
	c->src.info = ws->src->info;
	if (ws->dirty && (err = relayout(ws)))
		return err;
	err = gather(ws);
	if (err)
		return err;
	err = ai_reserve((void **)&ws->todo, &ws->cap_todo, ws->n ? ws->n : 1, sizeof(*ws->todo));
	if (err)
		return err;
	/* watches whose inputs changed (a watch's items are contiguous) */
	for (size_t k = 0; k < c->nitems; k++) {
		if (ws->owner[k] != last && !item_same(&c->items[k], &ws->expect[k]))
			ws->todo[ntodo++] = last = ws->owner[k];
	}
	/* and those that cannot be checked that way: new, uncacheable */
	for (int i = 0; i < ws->n; i++) {
		struct wpriv *p = ws->w[i]->priv;

		if (!ws->w[i]->paused && !p->gcount && !(p->valid && p->cacheable && !p->nlog))
			ws->todo[ntodo++] = i;
	}
	for (int k = 0; k < ntodo; k++) {
		struct watch *w = ws->w[ws->todo[k]];

		evaluate(ws, w, t, cb, ctx);
		update_layout(ws, w->priv);
	}
	ws->sweeps++;
	ws->stats.page_reads = c->page_reads;
	return 0;
}

void watchset__last_stats(const struct watchset *ws, struct watch_sweep_stats *st)
{
	*st = ws->stats;
}

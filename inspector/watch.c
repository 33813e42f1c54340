// SPDX-License-Identifier: GPL-2.0
/*
 * Watches. The trick that makes 10,000 of them cheap: a watch's value is a
 * pure function of the bytes its evaluation read (path, value, condition).
 * We log those reads per watch; the next sweep re-reads all logged fields in
 * ONE batched kernel pass (live__gather), and a watch whose inputs are all
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

#include "error.h"
#include "expr.h"
#include "format.h"
#include "live.h"
#include "sink.h"
#include "watch.h"

#define LOG_MAX_LEN 64	/* reads up to this size can be gathered */
#define LOG_MAX 256	/* logged reads per watch; more: always re-evaluate */

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
	int nlog;
	bool cacheable;	/* every input read is in log */
	bool valid;	/* log describes the current value */
	size_t gstart;	/* this sweep's gather items for the log */
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
	size_t *order;	/* indexes into items, sorted */
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
		p->data = malloc(4096);
		if (!p->data)
			return ai_err(ENOMEM, "out of memory");
		p->pg = pg;
		err = c->inner->ops->read(c->inner, pg << 12, p->data, 4096, &p->present);
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

static int item_cmp_key(const struct gather_item *it, uint64_t off, uint32_t len)
{
	if (it->off != off)
		return it->off < off ? -1 : 1;
	if (it->len != len)
		return it->len < len ? -1 : 1;
	return 0;
}

static const struct gather_item *find_item(struct sweepsrc *c, uint64_t off, uint32_t len)
{
	size_t lo = 0, hi = c->nitems;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = item_cmp_key(&c->items[c->order[mid]], off, len);

		if (!r)
			return &c->items[c->order[mid]];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void log_read(struct sweepsrc *c, uint64_t off, const void *buf, size_t len, bool present)
{
	struct wpriv *w = c->rec;
	struct logent *e;

	if (!w || !w->cacheable)
		return;
	if (len > LOG_MAX_LEN || (off >> 12) != ((off + len - 1) >> 12) || w->nlog >= LOG_MAX) {
		w->cacheable = false;
		return;
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
	uint64_t first = off >> 12;
	size_t np = pages_spanned(off, len);

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
		uint64_t lo = pg << 12 > off ? pg << 12 : off;
		uint64_t hi = (pg + 1) << 12 < off + len ? (pg + 1) << 12 : off + len;
		struct cpage *p = NULL;
		int err = get_page(c, pg, &p);

		if (err)
			return err;
		present[i] = p->present;
		if (p->present)
			memcpy((uint8_t *)buf + (lo - off), p->data + (lo & 4095), hi - lo);
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

/* -------------------------------------------------- the leaf recorder sink */

struct leafsink {
	struct sink s;
	struct strbuf line;	/* one-line rendering */
	char **path, **text;
	int n, cap;
	bool first[64];
	bool array[64];
	int depth;
	bool numeric;
	int64_t num;
};

static void leaf_sep(struct leafsink *l, const char *key, bool in_array)
{
	if (l->depth > 0) {
		if (!l->first[l->depth])
			strbuf_write(&l->line, ", ", 2);
		l->first[l->depth] = false;
		if (key && !in_array) {
			strbuf_write(&l->line, ".", 1);
			strbuf_write(&l->line, key, strlen(key));
			strbuf_write(&l->line, " = ", 3);
		}
	}
}

static void leaf_begin(struct sink *s, const char *key, bool array, const struct sink_attrs *a)
{
	struct leafsink *l = (void *)s;

	leaf_sep(l, key, l->depth > 0 && l->array[l->depth]);
	strbuf_write(&l->line, array ? "[" : "{", 1);
	if (l->depth < 63)
		l->depth++;
	l->array[l->depth] = array;
	l->first[l->depth] = true;
}

static void leaf_end(struct sink *s, bool array)
{
	struct leafsink *l = (void *)s;

	if (l->depth > 0)
		l->depth--;
	strbuf_write(&l->line, array ? "]" : "}", 1);
}

static void leaf_value(struct sink *s, const char *key, enum sink_kind kind, const char *text,
		       const struct sink_attrs *a)
{
	struct leafsink *l = (void *)s;
	char buf[256];
	const char *shown = text ? text : "";

	leaf_sep(l, key, l->depth > 0 && l->array[l->depth]);
	if (a && a->unallocated)
		shown = "<unallocated>";
	if (kind == SK_STR)
		snprintf(buf, sizeof(buf), "\"%s\"", shown);
	else
		snprintf(buf, sizeof(buf), "%s%s", shown, a && a->outside ? " <outside>" : "");
	strbuf_write(&l->line, buf, strlen(buf));
	if (l->n == l->cap) {
		int nc = l->cap ? l->cap * 2 : 8;
		char **np = realloc(l->path, nc * sizeof(*np)), **nt;

		if (!np)
			return;
		l->path = np;
		nt = realloc(l->text, nc * sizeof(*nt));
		if (!nt)
			return;
		l->text = nt;
		l->cap = nc;
	}
	l->path[l->n] = strdup(a && a->path ? a->path : key ? key : "");
	l->text[l->n] = strdup(buf);
	l->n++;
	l->numeric = false;
	if (l->n == 1 && (kind == SK_NUM || kind == SK_BOOL || kind == SK_PTR) && !(a && a->unallocated)) {
		char *end;

		l->num = kind == SK_BOOL ? !strcmp(shown, "true") : (int64_t)strtoll(shown, &end, 0);
		l->numeric = kind == SK_BOOL || (*end == '\0' || *end == ' ');
	}
}

static void leaf_free(struct sink *s)
{
}

static const struct sink_ops leaf_ops = {
	.begin = leaf_begin,
	.end = leaf_end,
	.value = leaf_value,
	.free = leaf_free,
};

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
	for (int i = 0; i < w->nr_changed_members; i++)
		free(w->changed_members[i]);
	free(w->changed_members);
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
	free(ws->cache.order);
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
		return ai_err(EINVAL, "watch: expected an expression");
	if (w->cond == WATCH_IF && !*w->cond_text)
		return ai_err(EINVAL, "watch: expected a condition after 'if'");
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
	p->log = malloc(LOG_MAX * sizeof(*p->log));
	if (!w->spec || !p->log) {
		watch_free(w);
		return ai_err(ENOMEM, "out of memory");
	}
	err = split_spec(spec, w);
	if (!err) {
		err = expr__parse(w->expr_text, &p->e, &col);
		if (err)
			err = ai_err(EINVAL, "watch: %s (column %d)", ai_errmsg(), col + 1);
	}
	if (!err && w->cond == WATCH_IF) {
		err = expr__parse(w->cond_text, &p->cond, &col);
		if (err)
			err = ai_err(EINVAL, "watch condition: %s (column %d)", ai_errmsg(), col + 1);
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
	ws->w[ws->n++] = w;
	if (out)
		*out = w;
	return 0;
}

/* Did any logged input of this watch change in this sweep's gather? */
static bool inputs_same(struct watchset *ws, struct wpriv *p)
{
	if (!p->valid || !p->cacheable)
		return false;
	for (int i = 0; i < p->nlog; i++) {
		const struct gather_item *it = &ws->cache.items[p->gstart + i];
		const struct logent *e = &p->log[i];

		if ((it->err == 0) != (e->present != 0))
			return false;
		if (e->present && memcmp(it->data, e->data, e->len))
			return false;
	}
	return true;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
}

static void emit(watch_event_fn cb, void *ctx, enum watch_event_kind k, const struct watch *w,
		 uint64_t t, const char *old, const char *new)
{
	struct watch_event ev = { .kind = k, .w = w, .time_ns = t, .old_value = old, .new_value = new };

	if (cb)
		cb(&ev, ctx);
}

static void diff_members(struct watch *w, struct wpriv *p, struct leafsink *l)
{
	for (int i = 0; i < w->nr_changed_members; i++)
		free(w->changed_members[i]);
	free(w->changed_members);
	w->changed_members = NULL;
	w->nr_changed_members = 0;
	if (l->n <= 1 || !p->nleaf)
		return;
	w->changed_members = calloc(l->n, sizeof(char *));
	if (!w->changed_members)
		return;
	for (int i = 0; i < l->n; i++) {
		bool same = i < p->nleaf && !strcmp(p->leaf_path[i], l->path[i]) &&
			    !strcmp(p->leaf_text[i], l->text[i]);

		if (!same)
			w->changed_members[w->nr_changed_members++] = strdup(l->path[i]);
	}
}

/* Evaluate one watch through the sweep cache; update it and emit events. */
static void evaluate(struct watchset *ws, struct watch *w, uint64_t t, watch_event_fn cb, void *ctx)
{
	struct wpriv *p = w->priv;
	struct source *cs = &ws->cache.src;
	struct leafsink l = { .s = { .ops = &leaf_ops } };
	struct fmt_opts fo = { .max_depth = 8, .max_array = 64, .max_nodes = 4096,
			       .path = w->expr_text };
	enum watch_state st = WATCH_OK;
	struct value v;
	int err;

	p->nlog = 0;
	p->cacheable = true;
	ws->cache.rec = p;
	ws->stats.evaluated++;
	err = expr__eval(p->e, ws->bx, cs, &v);
	if (!err)
		err = fmt__value(ws->bx, cs, &v, NULL, &l.s, &fo);
	if (err) {
		st = err == -ENODATA ? WATCH_UNALLOCATED : WATCH_ERROR;
		snprintf(w->err, sizeof(w->err), "%s", ai_errmsg());
	}
	if (!err && w->cond == WATCH_IF) {
		int64_t c = 0;

		if (expr__eval_int(p->cond, ws->bx, cs, &c)) {
			st = WATCH_ERROR;
			snprintf(w->err, sizeof(w->err), "condition: %s", ai_errmsg());
		} else {
			bool was = w->cond_true;

			w->cond_true = c != 0;
			if (w->cond_true && !was) {
				w->nr_hits++;
				w->last_hit_ns = t;
				emit(cb, ctx, WATCH_EV_HIT, w, t, NULL, NULL);
			}
		}
	}
	ws->cache.rec = NULL;
	p->valid = true;

	if (st != w->state) {
		w->state = st;
		if (st == WATCH_OK)
			w->err[0] = '\0';
		if (w->nr_samples)
			emit(cb, ctx, WATCH_EV_STATE, w, t, NULL, NULL);
	}
	w->moved = false;
	if (st == WATCH_OK) {
		uint64_t addr = v.lvalue ? v.addr : 0;
		const char *line = l.line.buf ? l.line.buf : "";

		if (w->nr_samples && addr != w->addr) {
			w->moved = true;
			emit(cb, ctx, WATCH_EV_MOVED, w, t, NULL, NULL);
		}
		w->addr = addr;
		w->changed = w->value && strcmp(w->value, line);
		diff_members(w, p, &l);
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
		if (l.numeric) {
			w->num = l.num;
			w->hist[w->hist_pos] = l.num;
			w->hist_pos = (w->hist_pos + 1) % WATCH_HIST;
			if (w->hist_len < WATCH_HIST)
				w->hist_len++;
		}
		leaves_free(p->leaf_path, p->leaf_text, p->nleaf);
		p->leaf_path = l.path;
		p->leaf_text = l.text;
		p->nleaf = l.n;
	} else {
		w->changed = false;
		leaves_free(l.path, l.text, l.n);
	}
	strbuf_free(&l.line);
}

static int idx_cmp_ctx_items(const void *a, const void *b, void *ctx)
{
	const struct gather_item *items = ctx;
	const struct gather_item *x = &items[*(const size_t *)a], *y = &items[*(const size_t *)b];

	return item_cmp_key(x, y->off, y->len);
}

/* One batched pass over every field the previous sweep read. */
static int prefetch(struct watchset *ws)
{
	struct sweepsrc *c = &ws->cache;
	size_t n = 0;

	for (int i = 0; i < ws->n; i++) {
		struct wpriv *p = ws->w[i]->priv;

		if (!ws->w[i]->paused && p->valid && p->cacheable)
			n += p->nlog;
	}
	if (n > c->capitems) {
		struct gather_item *ni = realloc(c->items, n * sizeof(*ni));
		size_t *no;

		if (!ni)
			return ai_err(ENOMEM, "out of memory");
		c->items = ni;
		no = realloc(c->order, n * sizeof(*no));
		if (!no)
			return ai_err(ENOMEM, "out of memory");
		c->order = no;
		c->capitems = n;
	}
	c->nitems = 0;
	for (int i = 0; i < ws->n; i++) {
		struct wpriv *p = ws->w[i]->priv;

		if (ws->w[i]->paused || !p->valid || !p->cacheable)
			continue;
		p->gstart = c->nitems;
		for (int k = 0; k < p->nlog; k++) {
			struct gather_item *it = &c->items[c->nitems];

			it->off = p->log[k].off;
			it->len = p->log[k].len;
			c->order[c->nitems] = c->nitems;
			c->nitems++;
		}
	}
	if (!c->nitems)
		return 0;
	if (live__is_live(ws->src)) {
		int err = live__gather(ws->src, c->items, c->nitems);

		if (err)
			return err;
	} else {
		/* snapshots do not change; read them the ordinary way */
		for (size_t i = 0; i < c->nitems; i++) {
			uint8_t pres = 0;
			int err = ws->src->ops->read(ws->src, c->items[i].off, c->items[i].data,
						     c->items[i].len, &pres);

			if (err)
				return err;
			c->items[i].err = pres ? 0 : -ENODATA;
		}
	}
	qsort_r(c->order, c->nitems, sizeof(size_t), idx_cmp_ctx_items, c->items);
	ws->stats.gathered = c->nitems;
	return 0;
}

int watchset__sample(struct watchset *ws, watch_event_fn cb, void *ctx)
{
	uint64_t t = now_ns();
	int err;

	memset(&ws->stats, 0, sizeof(ws->stats));
	cache_reset(&ws->cache);
	ws->cache.src.info = ws->src->info;
	err = prefetch(ws);
	if (err)
		return err;
	for (int i = 0; i < ws->n; i++) {
		struct watch *w = ws->w[i];

		if (w->paused)
			continue;
		if (w->nr_samples && inputs_same(ws, w->priv)) {
			/* same bytes in, same value out: nothing to evaluate */
			w->changed = false;
			w->moved = false;
			if (w->numeric) {
				w->hist[w->hist_pos] = w->num;
				w->hist_pos = (w->hist_pos + 1) % WATCH_HIST;
				if (w->hist_len < WATCH_HIST)
					w->hist_len++;
			}
			if (w->cond == WATCH_CHANGES)
				w->cond_true = false;
		} else {
			evaluate(ws, w, t, cb, ctx);
		}
		w->nr_samples++;
	}
	ws->stats.page_reads = ws->cache.page_reads;
	return 0;
}

void watchset__last_stats(const struct watchset *ws, struct watch_sweep_stats *st)
{
	*st = ws->stats;
}

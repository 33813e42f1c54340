// SPDX-License-Identifier: GPL-2.0
/*
 * Watch pane: every watch of the TUI's watchset, one row each. The rows are
 * drawn straight from the watchset (the model); the pane keeps only the
 * selection, by watch id, so it survives a removal and every refresh.
 * A watch that changed in the last sample is marked '*' and its value
 * highlighted; the hit that paused the display is marked '!'. s (F6) sorts
 * by the next column and S reverses: rows are put in that order each time
 * they are drawn or moved over, and the selection stays on its watch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tui_int.h"
#include "watch.h"

#define SPARK_MAX 64

struct wview {
	int sel_id; /* selected watch, 0: none */
	int sel;    /* its row, to select a neighbour when it goes */
	int top;
	int sort_col; /* enum col; C_ID: the watchset's order */
	int sort_dir; /* 1 ascending, -1 descending */
	int *order;   /* row -> watchset index */
	int norder;
};

enum col {
	C_MARK,
	C_ID,
	C_EXPR,
	C_VALUE,
	C_PREV,
	C_CHANGES,
	C_TIME,
	C_SAMPLES,
	C_STATE,
	C_HITS,
	C_SPARK,
	C__NR
};

static const struct column {
	const char *head;
	int width; /* 0: what is left (the expression) */
	bool right;
	int drop; /* narrow terminals drop columns in this order, 0: never */
} cols[C__NR] = {
	[C_MARK] = { "", 1 },
	[C_ID] = { "#", 3, true },
	[C_EXPR] = { "EXPRESSION", 0 },
	[C_VALUE] = { "VALUE", 14 },
	[C_PREV] = { "PREVIOUS", 12, false, 3 },
	[C_CHANGES] = { "CHANGES", 7, true },
	[C_TIME] = { "LAST CHANGE", 12, false, 4 },
	[C_SAMPLES] = { "SAMPLES", 7, true, 1 },
	[C_STATE] = { "STATE", 11 },
	[C_HITS] = { "HITS", 4, true, 5 },
	[C_SPARK] = { "HISTORY", 10, false, 2 },
};

#define EXPR_MIN 20

/* the columns that fit, and the width left for the expression */
static int layout(int width, bool shown[C__NR])
{
	int expr, drop = 1;

	for (;;) {
		expr = width;
		for (int i = 0; i < C__NR; i++) {
			shown[i] = !cols[i].drop || cols[i].drop >= drop;
			if (shown[i] && i != C_EXPR)
				expr -= cols[i].width + 1;
		}
		expr--;
		if (expr >= EXPR_MIN || drop > C__NR)
			return expr > 4 ? expr : 4;
		drop++;
	}
}

/* s in a column of width, cut with an ellipsis; then the gap */
static void field(struct view *v, enum role r, const char *s, int width, bool right)
{
	struct canvas *c = &v->c;
	int end = c->col + width, save = c->width, n = draw_cols(s);

	if (right && n < width)
		draw_pad(c, R_DEFAULT, end - n);
	if (n > width) {
		if (end - 1 < c->width)
			c->width = end - 1;
		draw_str(c, r, s);
		c->width = save;
		draw_str(c, R_DIM, glyph->ellipsis);
	} else {
		draw_str(c, r, s);
	}
	draw_pad(c, R_DEFAULT, end + 1);
}

static void sparkline(struct view *v, const struct watch *w, int width)
{
	struct canvas *c = &v->c;
	int64_t h[SPARK_MAX], lo, hi;
	int n, end = c->col + width + 1;

	if (width > SPARK_MAX)
		width = SPARK_MAX;
	n = watch__history(v->s->ws, w, h, width);
	if (!n) {
		field(v, R_DIM, "-", width, false);
		return;
	}
	lo = hi = h[0];
	for (int i = 1; i < n; i++) {
		lo = h[i] < lo ? h[i] : lo;
		hi = h[i] > hi ? h[i] : hi;
	}
	for (int i = 0; i < n; i++) {
		/* in double: hi - lo may not fit an int64_t */
		int lvl = hi == lo ? 0 : (int)(((double)h[i] - lo) / ((double)hi - lo) * 7 + 0.5);
		draw_str(c, R_NUM, glyph->spark[lvl]);
	}
	draw_pad(c, R_DEFAULT, end);
}

static int nr_watches(struct view *v)
{
	return v->s->ws ? watchset__count(v->s->ws) : 0;
}

static int u64cmp(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* numbers as numbers, else as text; a missing value first */
static int valcmp(const char *x, const char *y, bool num, int64_t nx, int64_t ny)
{
	if (!x || !y)
		return (x != NULL) - (y != NULL);
	if (num)
		return nx < ny ? -1 : nx > ny;
	return strcmp(x, y);
}

static int wcmp_col(const struct watch *a, const struct watch *b, int col)
{
	switch (col) {
	case C_EXPR: return strcmp(a->spec, b->spec);
	case C_VALUE: return valcmp(a->value, b->value, a->numeric && b->numeric, a->num, b->num);
	case C_PREV: return valcmp(a->prev, b->prev, false, 0, 0);
	case C_CHANGES: return u64cmp(a->nr_changes, b->nr_changes);
	case C_TIME: return u64cmp(a->last_change_ns, b->last_change_ns);
	case C_STATE: return (int)(a->state * 2 + a->paused) - (int)(b->state * 2 + b->paused);
	case C_HITS: return u64cmp(a->nr_hits, b->nr_hits);
	default: return a->id - b->id;
	}
}

static struct {
	struct watchset *ws;
	int col, dir;
} wsort; /* for qsort's comparator */

static int wcmp(const void *pa, const void *pb)
{
	const struct watch *a = watchset__get(wsort.ws, *(const int *)pa);
	const struct watch *b = watchset__get(wsort.ws, *(const int *)pb);
	int r = wcmp_col(a, b, wsort.col);

	/* ties in id order, whichever way */
	return (r ? r : a->id - b->id) * wsort.dir;
}

/* the rows in the sort's order, now (the values change every sample) */
static void sort_rows(struct view *v)
{
	struct wview *p = v->priv;
	int n = nr_watches(v);

	if (n > p->norder) {
		int *o = realloc(p->order, n * sizeof(*o));

		if (!o) {
			n = p->norder;
		} else {
			p->order = o;
			p->norder = n;
		}
	}
	for (int i = 0; i < n; i++)
		p->order[i] = i;
	if (n < 2 || (p->sort_col == C_ID && p->sort_dir >= 0))
		return;
	wsort.ws = v->s->ws;
	wsort.col = p->sort_col;
	wsort.dir = p->sort_dir < 0 ? -1 : 1;
	qsort(p->order, n, sizeof(*p->order), wcmp);
}

/* the watch on row i, in the sort's order */
static struct watch *row_watch(struct view *v, int i)
{
	struct wview *p = v->priv;

	sort_rows(v);
	return watchset__get(v->s->ws, i < p->norder ? p->order[i] : i);
}

/* the columns s goes through, in the header's order */
static const int sort_cycle[] = {
	C_ID, C_EXPR, C_VALUE, C_PREV, C_CHANGES, C_TIME, C_STATE, C_HITS
};

/* the selected row: the watch selected before, or its neighbour if it went */
static int cur_row(struct view *v)
{
	struct wview *p = v->priv;
	int n = nr_watches(v);
	struct watch *w;

	for (int i = 0; i < n; i++) {
		w = row_watch(v, i);
		if (w->id == p->sel_id)
			return p->sel = i;
	}
	p->sel = p->sel >= n ? n - 1 : p->sel < 0 ? 0 : p->sel;
	w = n ? row_watch(v, p->sel) : NULL;
	p->sel_id = w ? w->id : 0;
	return n ? p->sel : -1;
}

static struct watch *cur_watch(struct view *v)
{
	int i = cur_row(v);

	return i >= 0 ? row_watch(v, i) : NULL;
}

static void select_row(struct view *v, int i)
{
	struct wview *p = v->priv;
	int n = nr_watches(v);
	struct watch *w;

	i = i >= n ? n - 1 : i < 0 ? 0 : i;
	w = n ? row_watch(v, i) : NULL;
	p->sel = i;
	p->sel_id = w ? w->id : 0;
}

static void draw_watch(struct view *v, struct watch *w, const bool shown[C__NR], int expr_w,
		       bool cursor)
{
	struct canvas *c = &v->c;
	struct session *s = v->s;
	bool changed = watch__changed_last(s->ws, w), ok = w->state == WATCH_OK;
	static const char *const state_name[] = { "ok", "unallocated", "error" };
	char buf[64];

	draw_hl(c, cursor);
	for (int k = 0; k < C__NR; k++) {
		int width = k == C_EXPR ? expr_w : cols[k].width;

		if (!shown[k])
			continue;
		switch (k) {
		case C_MARK:
			if (w->id == s->hit_id)
				field(v, R_ERROR, "!", width, false);
			else
				field(v, R_CHANGED, changed ? "*" : "", width, false);
			break;
		case C_ID:
			snprintf(buf, sizeof(buf), "%d", w->id);
			field(v, R_LABEL, buf, width, true);
			break;
		case C_EXPR: field(v, R_KEY, w->spec, width, false); break;
		case C_VALUE:
			if (!ok)
				field(v, w->state == WATCH_UNALLOCATED ? R_UNALLOC : R_ERROR,
				      w->err, width, false);
			else
				field(v, changed ? R_CHANGED : R_NUM, w->value ? w->value : "?",
				      width, false);
			break;
		case C_PREV:
			field(v, w->prev ? R_DEFAULT : R_DIM, w->prev ? w->prev : "-", width,
			      false);
			break;
		case C_CHANGES:
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)w->nr_changes);
			field(v, R_DEFAULT, buf, width, true);
			break;
		case C_TIME:
			fmt_hms(w->last_change_ns, buf, sizeof(buf));
			field(v, w->last_change_ns ? R_DEFAULT : R_DIM, buf, width, false);
			break;
		case C_SAMPLES:
			snprintf(buf, sizeof(buf), "%llu",
				 (unsigned long long)watch__samples(s->ws, w));
			field(v, R_DIM, buf, width, true);
			break;
		case C_STATE:
			if (w->paused)
				field(v, R_DIM, "paused", width, false);
			else if (ok && w->partial)
				/* a cap cut the value: changes past it are missed */
				field(v, R_UNALLOC, "ok, partial", width, false);
			else
				field(v,
				      ok			      ? R_INFO
				      : w->state == WATCH_UNALLOCATED ? R_UNALLOC
								      : R_ERROR,
				      state_name[w->state], width, false);
			break;
		case C_HITS:
			if (w->cond == WATCH_ALWAYS) {
				field(v, R_DIM, "-", width, true);
				break;
			}
			snprintf(buf, sizeof(buf), "%s%llu", w->id == s->hit_id ? "!" : "",
				 (unsigned long long)w->nr_hits);
			field(v, w->nr_hits ? R_ERROR : R_DEFAULT, buf, width, true);
			break;
		case C_SPARK: sparkline(v, w, width); break;
		}
	}
	if (cursor)
		draw_fill(c, R_CURSOR);
	draw_hl(c, false);
}

static void watch_draw(struct view *v)
{
	struct wview *p = v->priv;
	struct canvas *c = &v->c;
	int n = nr_watches(v), rows = c->height - 1, sel = cur_row(v), expr_w;
	bool shown[C__NR];

	draw_clear(c);
	expr_w = layout(c->width, shown);
	draw_row(c, 0);
	for (int k = 0; k < C__NR; k++) {
		/* the sort column's name carries its direction */
		char head[40];

		if (!shown[k])
			continue;
		snprintf(head, sizeof(head), "%s%s", cols[k].head,
			 k != p->sort_col || (k == C_ID && p->sort_dir >= 0) ? ""
			 : p->sort_dir < 0				     ? glyph->sort_down
									     : glyph->sort_up);
		field(v, R_HEADER, head, k == C_EXPR ? expr_w : cols[k].width, cols[k].right);
	}
	if (!n) {
		draw_row(c, 2);
		draw_str(
			c, R_DIM,
			"  no watches: w on a field of the struct view (Alt-3), or :watch EXPR [if "
			"COND | changes]");
		return;
	}
	if (rows < 1)
		return;
	if (sel < p->top)
		p->top = sel;
	if (sel >= p->top + rows)
		p->top = sel - rows + 1;
	if (p->top > n - rows)
		p->top = n - rows > 0 ? n - rows : 0;
	for (int r = 0; r < rows && p->top + r < n; r++) {
		int i = p->top + r;

		draw_row(c, 1 + r);
		draw_watch(v, row_watch(v, i), shown, expr_w, i == sel);
	}
}

static enum request watch_request(struct view *v, enum request req)
{
	struct session *s = v->s;
	struct watch *w = cur_watch(v);
	int i = cur_row(v), page = v->c.height - 1 > 1 ? v->c.height - 1 : 1, id, n;

	switch (req) {
	case REQ_UP: select_row(v, i - 1); break;
	case REQ_DOWN: select_row(v, i + 1); break;
	case REQ_PAGE_UP: select_row(v, i - page); break;
	case REQ_PAGE_DOWN: select_row(v, i + page); break;
	case REQ_FIRST: select_row(v, 0); break;
	case REQ_LAST: select_row(v, nr_watches(v) - 1); break;
	case REQ_SORT_NEXT:
	case REQ_SORT_REVERSE: {
		struct wview *p = v->priv;

		if (req == REQ_SORT_NEXT) {
			size_t k = 0;

			while (k < ARRAY_SIZE(sort_cycle) && sort_cycle[k] != p->sort_col)
				k++;
			p->sort_col = sort_cycle[(k + 1) % ARRAY_SIZE(sort_cycle)];
			p->sort_dir = 1;
		} else {
			p->sort_dir = p->sort_dir < 0 ? 1 : -1;
		}
		/* the selection stays on its watch, wherever it sorts to */
		cur_row(v);
		session__msg(s, false, "sorted by %s, %s",
			     p->sort_col == C_ID ? "#" : cols[p->sort_col].head,
			     p->sort_dir < 0 ? "descending" : "ascending");
		break;
	}
	case REQ_ENTER:
		if (!w)
			break;
		session__nav_expr(s, w->expr_text);
		return REQ_SHOW_STRUCT;
	case REQ_TOGGLE:
		if (!w)
			break;
		if (watchset__set_paused(s->ws, w->id, !w->paused))
			session__lib_msg(s, "watch");
		else
			session__msg(s, false, "watch #%d %s", w->id,
				     w->paused ? "paused (space resumes)" : "resumed");
		break;
	case REQ_DELETE:
		if (!w)
			break;
		id = w->id;
		if (session__watch_remove(s, id)) {
			session__lib_msg(s, "watch");
			break;
		}
		/* the row below moves up into the selection */
		select_row(v, i);
		session__msg(s, false, "watch #%d removed", id);
		break;
	case REQ_CLEAR:
		n = session__watch_clear(s);
		if (!n)
			break;
		select_row(v, 0);
		session__msg(s, false, "removed %d watch%s", n, n == 1 ? "" : "es");
		break;
	default: return req;
	}
	return REQ_NONE;
}

/* a click selects the row, a double click shows it in the struct view */
static enum request watch_click(struct view *v, int row, int col, bool dbl)
{
	struct wview *p = v->priv;
	int i = p->top + row - 1;

	if (row < 1 || i >= nr_watches(v))
		return REQ_NONE;
	select_row(v, i);
	return dbl ? REQ_ENTER : REQ_NONE;
}

struct watch_pat {
	struct view *v;
	const char *pat;
};

static bool watch_match(int i, void *ctx)
{
	struct watch_pat *m = ctx;
	struct watch *w = row_watch(m->v, i);

	return strcasestr(w->spec, m->pat) || (w->value && strcasestr(w->value, m->pat));
}

static int watch_search(struct view *v, const char *pat, int dir)
{
	struct watch_pat m = { v, pat };
	int i, r = search_rows(nr_watches(v), cur_row(v), dir, watch_match, &m, &i);

	if (r != SEARCH_NONE)
		select_row(v, i);
	return r;
}

static void watch_status(struct view *v, char *buf, size_t len)
{
	struct watch *w = cur_watch(v);
	int n = nr_watches(v), off;
	char part[96];

	if (!w) {
		snprintf(buf, len, "no watches: w in the struct view, or :watch EXPR");
		return;
	}
	/* the whole spec and error, which the columns may cut */
	watch__partial_note(w, part, sizeof(part));
	if (w->state != WATCH_OK)
		snprintf(buf, len, "%d/%d  #%d %s: %s", cur_row(v) + 1, n, w->id, w->spec, w->err);
	else if (!w->nr_changed_members)
		snprintf(buf, len,
			 "%d/%d  #%d %s  @0x%llx%s   Enter prints, Space pauses, d deletes",
			 cur_row(v) + 1, n, w->id, w->spec, (unsigned long long)w->addr, part);
	else {
		/* a struct or array: which members changed last, old -> new;
		 * the partial note first, so a long list cannot push it out */
		off = snprintf(buf, len, "%d/%d  #%d %s%s  ", cur_row(v) + 1, n, w->id, w->spec,
			       part);
		if (off >= 0 && (size_t)off < len)
			watch__fmt_members(w, 8, buf + off, len - off);
	}
}

static void watch_tick(struct view *v)
{
	v->dirty = true;
}

static int watch_open(struct view *v)
{
	struct wview *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	v->priv = p;
	return 0;
}

static void watch_done(struct view *v)
{
	struct wview *p = v->priv;

	free(p->order);
	free(p);
}

const struct view_ops watch_ops = {
	.name = "watch",
	.open = watch_open,
	.draw = watch_draw,
	.request = watch_request,
	.tick = watch_tick,
	.status = watch_status,
	.search = watch_search,
	.click = watch_click,
	.done = watch_done,
};

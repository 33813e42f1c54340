// SPDX-License-Identifier: GPL-2.0
/*
 * Table view (5, T on an array in the struct view, :table EXPR): one row
 * per element of an array of structs (an array, a slice arr[a:b], or a
 * pointer taken as the start of an array), one column per scalar member,
 * nested members flattened with their path relative to the element (pid,
 * stats.runtime_ns, comm). An array of pointers to structs shows the
 * pointed-to members. The columns and cells come from the library's leaf
 * walk (fmt__leaves), so every cell reads as `print` writes the value.
 *
 * The rows are read again on every live tick; the selection stays on the
 * same element (its address), as in htop. Sorting (s/S on the selected
 * column, :sort) is numeric for numeric columns, by text otherwise; after
 * s/S the next key may be a letter shown over a column to sort by that
 * column instead, so any column is two keys away. :filter COND keeps the
 * rows where COND, a C expression in which the element's members are in
 * scope by name, is true: `switches > 100` is evaluated as
 * `pool[17].switches > 100` for each row.
 *
 * Every cap is said in the header: rows (TABLE_MAX_ROWS), columns
 * (TABLE_MAX_COLS), values walked (the formatter's node limit), and for a
 * pointer that the rows go as far as its pages are allocated.
 *
 * This file is the view: drawing, keys and requests, the :table, :walk,
 * :filter and :sort commands, the view_ops. The model (resolving the
 * spec, reading the rows, filter and sort) is ui/table.c, shared through
 * ui/table.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "expr.h"
#include "table.h"
#include "tui_int.h"

/* ---- the view ---- */

static int table_open(struct view *v)
{
	struct tview *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	v->priv = t;
	return 0;
}

static void table_done(struct view *v)
{
	struct tview *t = v->priv;

	table__rows_free(t);
	free(t->spec);
	free(t->next);
	free(t->container);
	free(t->filter);
	free(t->filter_tpl);
	free(t->sort_name);
	free(t);
}

static void table_tick(struct view *v)
{
	struct tview *t = v->priv;

	if (t->spec)
		table__build(v);
}

/* a column's letter after s/S: the keys no binding of this view takes */
static int label_key(int i)
{
	static const char cand[] = "abcdefimotuvwxyzBCDEFHIJKLOPQUVWXYZ";
	int n = 0;

	for (const char *p = cand; *p; p++) {
		if (keys__request(VIEW_KEYMAP(V_TABLE), *p) != REQ_NONE)
			continue;
		if (n++ == i)
			return *p;
	}
	return 0;
}

static int label_col(int key)
{
	for (int i = 0; label_key(i); i++)
		if (label_key(i) == key)
			return i;
	return -1;
}

static const char *col_title(const struct col *c)
{
	return c->name[0] ? c->name : "value";
}

static int index_width(const struct tview *t)
{
	char buf[32];
	int w = 1;

	for (int i = 0; i < t->nrows; i++) {
		int n = snprintf(buf, sizeof(buf), "%" PRId64, (int64_t)t->rows[i].index);

		if (n > w)
			w = n;
	}
	return w;
}

/* the columns that fit from t->left, the selected one among them */
static int last_fit(const struct tview *t, int left, int width)
{
	int x = index_width(t) + 2, last = left;

	for (int c = left; c < t->ncols; c++) {
		x += t->cols[c].width + 2;
		if (x > width && c > left)
			break;
		last = c;
	}
	return last;
}

static void scroll_cols(struct view *v)
{
	struct tview *t = v->priv;

	if (t->ccol < t->left)
		t->left = t->ccol;
	while (t->left < t->ccol && last_fit(t, t->left, v->c.width) < t->ccol)
		t->left++;
}

static void draw_cell(struct canvas *c, enum role r, const char *s, int w, bool right)
{
	int n = draw_cols(s);

	if (n > w) {
		/* cut, and say so */
		char buf[TABLE_CELL_MAX + 8];
		int bytes = 0, cols = 0;

		while (s[bytes] && cols < w - 1) {
			bytes++;
			while (((unsigned char)s[bytes] & 0xc0) == 0x80)
				bytes++;
			cols++;
		}
		snprintf(buf, sizeof(buf), "%.*s%s", bytes, s, glyph->ellipsis);
		draw_str(c, r, buf);
		return;
	}
	if (right)
		draw_pad(c, r, c->col + w - n);
	draw_str(c, r, s);
	if (!right)
		draw_pad(c, r, c->col + w - n);
}

static void table_draw(struct view *v)
{
	struct tview *t = v->priv;
	struct canvas *c = &v->c;
	int rows = c->height - 2, iw, last, sc;

	draw_clear(c);
	draw_row(c, 0);
	if (!t->spec) {
		draw_str(c, R_HEADER, "no table");
		draw_row(c, 2);
		draw_str(c, R_DIM,
			 "  T on an array (or a pointer) in the struct view, or :table EXPR "
			 "(pool, tbl->buckets, arr[0:64])");
		return;
	}
	if (t->err[0]) {
		draw_str(c, R_HEADER, t->spec);
		draw_row(c, 1);
		draw_str(c, R_ERROR, t->err);
		return;
	}
	/* the caps and the filter's failures before the description: when
	 * the row is too narrow for both, the description is cut, not them */
	{
		struct {
			enum role r;
			char text[400];
		} note[5];
		int nn = 0, room = c->width;

		if (t->rows_capped)
			note[nn].r = R_STALE,
			snprintf(note[nn++].text, sizeof(note[0].text),
				 "  only the first %d rows (row cap)", TABLE_MAX_ROWS);
		if (t->cols_capped)
			note[nn].r = R_STALE,
			snprintf(note[nn++].text, sizeof(note[0].text),
				 "  only the first %d columns (column cap)", TABLE_MAX_COLS);
		if (t->cut)
			note[nn].r = R_STALE, snprintf(note[nn++].text, sizeof(note[0].text),
						       "  some values not walked (limit)");
		scroll_cols(v);
		last = last_fit(t, t->left, c->width);
		if (t->left > 0 || last < t->ncols - 1)
			note[nn].r = R_DIM,
			snprintf(note[nn++].text, sizeof(note[0].text),
				 "  columns %d-%d of %d (h/l)", t->left + 1, last + 1, t->ncols);
		if (t->filter_fail)
			note[nn].r = R_ERROR,
			snprintf(note[nn++].text, sizeof(note[0].text),
				 "  filter failed on %d row%s (%.300s)", t->filter_fail,
				 t->filter_fail == 1 ? "" : "s", t->filter_err);
		for (int i = 0; i < nn; i++)
			room -= draw_cols(note[i].text);
		if (room < 20)
			room = 20;
		draw_strn(c, R_HEADER, t->desc,
			  draw_cols(t->desc) > room ? room - 1 : (int)strlen(t->desc));
		if (draw_cols(t->desc) > room)
			draw_str(c, R_HEADER, glyph->ellipsis);
		for (int i = 0; i < nn; i++)
			draw_str(c, note[i].r, note[i].text);
	}
	/* the column headers, the sort mark on the sort column */
	iw = index_width(t);
	sc = table__sort_col(t);
	draw_row(c, 1);
	draw_cell(c, R_HEADER, "#", iw, true);
	for (int k = t->left; k <= last && k < t->ncols; k++) {
		char name[TABLE_CELL_MAX];
		int lk = label_key(k);

		if (t->labels && lk)
			snprintf(name, sizeof(name), "%c:%s", lk, col_title(&t->cols[k]));
		else
			snprintf(name, sizeof(name), "%s%s", col_title(&t->cols[k]),
				 k != sc	   ? ""
				 : t->sort_dir > 0 ? glyph->sort_up
						   : glyph->sort_down);
		draw_str(c, R_HEADER, "  ");
		draw_cell(c, k == t->ccol ? R_CURSOR : R_HEADER, name, t->cols[k].width,
			  t->cols[k].numeric);
	}
	if (rows < 1)
		return;
	if (t->cur < t->top)
		t->top = t->cur;
	if (t->cur >= t->top + rows)
		t->top = t->cur - rows + 1;
	if (!t->nvis) {
		draw_row(c, 2);
		draw_str(c, R_DIM,
			 t->filter ? "  no row matches the filter (:filter alone clears it)"
				   : "  no rows");
	}
	for (int i = 0; i < rows && t->top + i < t->nvis; i++) {
		const struct row *r = &t->rows[t->vis[t->top + i]];
		char idx[32];

		draw_row(c, 2 + i);
		draw_hl(c, t->top + i == t->cur);
		snprintf(idx, sizeof(idx), "%" PRId64, (int64_t)r->index);
		draw_cell(c, R_DIM, idx, iw, true);
		if (r->note) {
			draw_str(c, R_DEFAULT, "  ");
			draw_str(c, R_UNALLOC, r->note);
		}
		for (int k = t->left; !r->note && k <= last && k < t->ncols; k++) {
			const struct cell *ce = k < r->ncells ? &r->cells[k] : NULL;
			const char *txt = ce && ce->text ? ce->text : "";

			draw_str(c, R_DEFAULT, "  ");
			draw_cell(c,
				  txt[0] == '<' || strstr(txt, " <") ? R_UNALLOC
				  : t->cols[k].numeric		     ? R_NUM
								     : R_STR,
				  txt, t->cols[k].width, t->cols[k].numeric);
		}
		if (c->hl)
			draw_fill(c, R_CURSOR);
		draw_hl(c, false);
	}
}

static const char *table_title(struct view *v)
{
	struct tview *t = v->priv;

	if (!t->spec || t->err[0])
		return "table";
	if (t->filter)
		snprintf(t->title, sizeof(t->title), "table: %d of %d rows (filter: %s)", t->nvis,
			 t->nrows, t->filter);
	else
		snprintf(t->title, sizeof(t->title), "table: %d rows", t->nrows);
	return t->title;
}

static void set_sort(struct view *v, int col, int dir)
{
	struct tview *t = v->priv;

	free(t->sort_name);
	t->sort_name = col >= 0 ? strdup(t->cols[col].name) : NULL;
	t->sort_dir = col >= 0 ? dir : 0;
	/* a new order starts at its top: the largest first after S (later
	 * ticks keep the selection on its element) */
	t->have_sel = false;
	t->cur = t->top = 0;
	table__order(v);
}

/* a new table: no filter, no sort, the first row and column */
static void table_reset(struct tview *t, const char *spec)
{
	free(t->spec);
	t->spec = spec ? strdup(spec) : NULL;
	free(t->next);
	free(t->container);
	t->next = t->container = NULL;
	t->walk = false;
	t->walk_max = 0;
	free(t->filter);
	free(t->filter_tpl);
	free(t->sort_name);
	t->filter = t->filter_tpl = t->sort_name = NULL;
	t->sort_dir = 0;
	t->cur = t->top = t->ccol = t->left = 0;
	t->have_sel = false;
	t->labels = false;
}

static void table_show(struct view *v, const char *spec)
{
	struct tview *t = v->priv;

	table_reset(t, spec);
	table__build(v);
	if (t->err[0])
		session__msg(v->s, true, "%s", t->err);
}

/* :walk START [--next M] [--container TYPE.M] [--max N] (nav.expr) */
static void walk_show(struct view *v, const char *args)
{
	struct tview *t = v->priv;
	const char *opt = args ? strstr(args, " --") : NULL;
	char *start, *rest, *save = NULL, *next = NULL, *cont = NULL;
	unsigned long long max = 0;

	if (!args || !*args) {
		session__msg(
			v->s, true,
			"usage: walk START [--next MEMBER] [--container TYPE.MEMBER] [--max N]");
		return;
	}
	start = strndup(args, opt ? (size_t)(opt - args) : strlen(args));
	rest = strdup(opt ? opt : "");
	if (!start || !rest)
		goto out;
	for (char *w = strtok_r(rest, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *val = strtok_r(NULL, " ", &save), *end;

		if (!val) {
			session__msg(v->s, true, "walk: %s needs a value", w);
			goto out;
		}
		if (!strcmp(w, "--next")) {
			free(next);
			next = strdup(val);
		} else if (!strcmp(w, "--container")) {
			free(cont);
			cont = strdup(val);
		} else if (!strcmp(w, "--max")) {
			errno = 0;
			max = strtoull(val, &end, 10);
			if (errno || *end || !max) {
				session__msg(v->s, true,
					     "walk: --max '%s' is not a positive number", val);
				goto out;
			}
		} else {
			session__msg(v->s, true,
				     "walk: unknown option %s (--next, --container, --max)", w);
			goto out;
		}
	}
	table_reset(t, start);
	t->walk = true;
	t->next = next;
	t->container = cont;
	t->walk_max = max;
	next = cont = NULL;
	table__build(v);
	if (t->err[0])
		session__msg(v->s, true, "%s", t->err);
out:
	free(start);
	free(rest);
	free(next);
	free(cont);
}

/* :filter COND (nav.expr); NULL or "" clears */
static void set_filter(struct view *v, const char *f)
{
	struct tview *t = v->priv;
	struct expr *e;
	int col = -1;

	if (!f || !*f) {
		if (t->filter)
			session__msg(v->s, false, "filter %s off: %d rows", t->filter, t->nrows);
		free(t->filter);
		free(t->filter_tpl);
		t->filter = t->filter_tpl = NULL;
		table__build(v);
		return;
	}
	/* the syntax as typed, so the column is the user's */
	if (expr__parse(f, &e, &col)) {
		session__msg(v->s, true, "filter: %s (column %d)", ai_errmsg(), col + 1);
		return;
	}
	expr__free(e);
	free(t->filter);
	free(t->filter_tpl);
	t->filter = strdup(f);
	t->filter_tpl = table__filter_template(t, f);
	table__build(v);
	if (t->filter_fail == t->nrows && t->nrows)
		session__msg(v->s, true, "filter %s: %s", f, t->filter_err);
	else
		session__msg(v->s, false, "filter %s: %d of %d rows%s", f, t->nvis, t->nrows,
			     t->filter_fail ? " (it failed on some: see the header)" : "");
}

/* :sort [-|+]COLUMN (nav.expr); "" back to element order */
static void sort_by_name(struct view *v, const char *arg)
{
	struct tview *t = v->priv;
	int dir = 1;

	if (!arg || !*arg) {
		set_sort(v, -1, 0);
		session__msg(v->s, false, "rows in element order");
		return;
	}
	if (*arg == '-' || *arg == '+')
		dir = *arg++ == '-' ? -1 : 1;
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, arg) ||
		    (!t->cols[i].name[0] && !strcmp(arg, "value"))) {
			t->ccol = i;
			set_sort(v, i, dir);
			return;
		}
	session__msg(v->s, true, "sort: no column '%s' in this table", arg);
}

static enum request table_request(struct view *v, enum request req)
{
	struct tview *t = v->priv;
	int page = v->c.height - 2 > 1 ? v->c.height - 2 : 1;
	char expr[400];

	t->labels = false;
	switch (req) {
	case REQ_SHOW_TABLE: table_show(v, v->s->nav.expr); return REQ_NONE;
	case REQ_SHOW_WALK: walk_show(v, v->s->nav.expr); return REQ_NONE;
	case REQ_TABLE_FILTER: set_filter(v, v->s->nav.expr); return REQ_NONE;
	case REQ_TABLE_SORT: sort_by_name(v, v->s->nav.expr); return REQ_NONE;
	case REQ_TYPES_LOADED:
	case REQ_SETTINGS_CHANGED:
		if (t->spec)
			table__build(v);
		return REQ_NONE;
	default: break;
	}
	if (!t->spec || t->err[0])
		return req;
	switch (req) {
	case REQ_UP: t->cur--; break;
	case REQ_DOWN: t->cur++; break;
	case REQ_PAGE_UP: t->cur -= page; break;
	case REQ_PAGE_DOWN: t->cur += page; break;
	case REQ_FIRST: t->cur = 0; break;
	case REQ_LAST: t->cur = t->nvis - 1; break;
	case REQ_LEFT:
		if (t->ccol > 0)
			t->ccol--;
		break;
	case REQ_RIGHT:
		if (t->ccol < t->ncols - 1)
			t->ccol++;
		break;
	case REQ_SORT_ASC:
	case REQ_SORT_DESC:
		if (!t->ncols)
			break;
		set_sort(v, t->ccol, req == REQ_SORT_ASC ? 1 : -1);
		/* the next key may be a column's letter: sort by it instead */
		t->labels = true;
		break;
	case REQ_FILTER: session__nav_expr(v->s, "filter "); return REQ_PROMPT_TEXT;
	case REQ_ENTER:
		if (!t->nvis)
			break;
		table__elem_expr(t, &t->rows[t->vis[t->cur]], expr, sizeof(expr));
		if (t->elem_ptr) {
			/* the element the pointer points to, unless NULL */
			const struct row *r = &t->rows[t->vis[t->cur]];
			char star[420];

			if (r->ncells && r->cells[0].text && strcmp(r->cells[0].text, "NULL")) {
				snprintf(star, sizeof(star), "*%s", expr);
				session__nav_expr(v->s, star);
				return REQ_SHOW_STRUCT;
			}
		}
		session__nav_expr(v->s, expr);
		return REQ_SHOW_STRUCT;
	default: return req;
	}
	if (t->cur >= t->nvis)
		t->cur = t->nvis - 1;
	if (t->cur < 0)
		t->cur = 0;
	if (t->nvis) {
		t->sel_addr = t->rows[t->vis[t->cur]].addr;
		t->have_sel = true;
	}
	return REQ_NONE;
}

/* After s/S, one key: a column's letter sorts by that column (same
 * direction); any other key goes on as usual. */
static bool table_key(struct view *v, int key)
{
	struct tview *t = v->priv;
	int col;

	if (!t->labels)
		return false;
	t->labels = false;
	v->dirty = true;
	col = label_col(key);
	if (col < 0 || col >= t->ncols)
		return false;
	t->ccol = col;
	set_sort(v, col, t->sort_dir ? t->sort_dir : 1);
	return true;
}

/* a click selects the row (below the title and the column headers), a
 * double click opens it in the struct view */
static enum request table_click(struct view *v, int row, int col, bool dbl)
{
	struct tview *t = v->priv;
	int i = t->top + row - 2;

	if (row < 2 || i >= t->nvis)
		return REQ_NONE;
	t->cur = i;
	t->sel_addr = t->rows[t->vis[i]].addr;
	t->have_sel = true;
	return dbl ? REQ_ENTER : REQ_NONE;
}

struct table_pat {
	struct tview *t;
	const char *pat;
};

static bool table_match(int i, void *ctx)
{
	struct table_pat *m = ctx;
	const struct row *r = &m->t->rows[m->t->vis[i]];

	for (int c = 0; c < r->ncells; c++)
		if (r->cells[c].text && strcasestr(r->cells[c].text, m->pat))
			return true;
	return false;
}

static int table_search(struct view *v, const char *pat, int dir)
{
	struct tview *t = v->priv;
	struct table_pat m = { t, pat };
	int i, r = search_rows(t->nvis, t->cur, dir, table_match, &m, &i);

	if (r != SEARCH_NONE) {
		t->cur = i;
		t->sel_addr = t->rows[t->vis[i]].addr;
		t->have_sel = true;
	}
	return r;
}

static void table_status(struct view *v, char *buf, size_t len)
{
	struct tview *t = v->priv;
	char expr[300];
	const struct row *r;

	if (t->labels) {
		snprintf(buf, len, "sorted by %s %s; the letter over a column sorts by it instead",
			 t->ncols ? col_title(&t->cols[t->ccol]) : "?",
			 t->sort_dir > 0 ? "ascending" : "descending");
		return;
	}
	if (!t->spec || t->err[0] || !t->nvis) {
		snprintf(buf, len, "%s",
			 t->err[0]   ? t->err
			 : !t->spec  ? ":table EXPR   :walk START"
			 : t->filter ? "no rows: :filter alone clears the filter"
				     : "no rows");
		return;
	}
	r = &t->rows[t->vis[t->cur]];
	table__elem_expr(t, r, expr, sizeof(expr));
	if (t->base) /* else the expression is the address */
		snprintf(expr + strlen(expr), sizeof(expr) - strlen(expr), "  0x%" PRIx64, r->addr);
	snprintf(buf, len, "row %d of %d  %s  column %s   Enter opens it, s/S sort, f filter",
		 t->cur + 1, t->nvis, expr, t->ncols ? col_title(&t->cols[t->ccol]) : "-");
}

const struct view_ops table_ops = {
	.name = "table",
	.open = table_open,
	.draw = table_draw,
	.request = table_request,
	.tick = table_tick,
	.status = table_status,
	.search = table_search,
	.click = table_click,
	.done = table_done,
	.title = table_title,
	.key = table_key,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * Struct view: a typed value as a tree. The formatter walks the value into
 * a TUI sink; the view shows the tree, expands and collapses it, follows
 * pointers with browser-like history, and rebuilds it on every tick while
 * keeping expansion and the selection (matched by key path), marking values
 * that changed since the last refresh. Enter on an integer that holds an
 * arena address hands it to the hex view (REQ_SHOW_HEX).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "expr.h"
#include "format.h"
#include "refs.h"
#include "printable.h"
#include "tui_int.h"
#include "tui_sink.h"

#define HIST 64

struct entry {
	char *expr;	  /* NULL: the roots */
	char fmt;	  /* :print/F's letter, 0: natural */
	uint64_t hist_no; /* its value history number ($N), 0: none */
	int max_array;
	int cursor; /* line, restored on back/forward */
};

struct sview {
	struct entry hist[HIST];
	int nhist, pos; /* hist[pos] is shown */
	struct tnode *tree;
	struct tnode **lines; /* visible nodes */
	int *depth;
	int nlines, cap;
	int cursor, top;
	char err[300];
};

static int no_leaf(void *ctx, const struct fmt_leaf *leaf)
{
	(void)ctx;
	(void)leaf;
	return 0;
}

static struct entry *cur_entry(struct sview *s)
{
	return s->nhist ? &s->hist[s->pos] : NULL;
}

/* ---- building ---- */

static void emit_error(struct sink *sk, const char *key, const char *msg)
{
	struct sink_attrs a = { .note = "error" };

	sink_value(sk, key, SK_STR, msg, &a);
}

static int build(struct view *v, struct tnode **out, char *err, size_t errlen)
{
	struct sview *s = v->priv;
	struct session *ses = v->s;
	struct entry *e = cur_entry(s);
	struct fmt_opts fo = { .max_depth = 16,
			       .max_array = e ? e->max_array : ses->max_elements,
			       .max_nodes = 50000,
			       .format = e ? e->fmt : 0 };
	struct sink *sk;
	struct value val;
	int col = -1, ret = 0;

	err[0] = 0;
	*out = NULL;
	if (!ses->src) {
		snprintf(err, errlen, "no arena open");
		return -ENOENT;
	}
	if (!ses->bx) {
		snprintf(err, errlen, "%s", ses->btf_msg[0] ? ses->btf_msg : "loading types...");
		return -ENOENT;
	}
	sk = tui_sink__new();
	if (!sk)
		return -ENOMEM;
	if (!e || !e->expr) {
		int n = btfx__nr_roots(ses->bx);

		if (!n)
			snprintf(err, errlen,
				 "no roots found (no __arena globals or map pointers into the "
				 "arena); :print EXPR");
		for (int i = 0; i < n; i++) {
			const struct root *r = btfx__root(ses->bx, i);

			if (expr__eval_str(r->name, ses->bx, ses->src, &val, &col)) {
				emit_error(sk, r->name, ai_errmsg());
				continue;
			}
			fo.path = r->name;
			if (fmt__value(ses->bx, ses->src, &val, r->name, sk, &fo))
				emit_error(sk, r->name, ai_errmsg());
		}
	} else if (expr__eval_str(e->expr, ses->bx, ses->src, &val, &col)) {
		if (col >= 0)
			snprintf(err, errlen, "%s: %s (column %d)", e->expr, ai_errmsg(), col + 1);
		else
			snprintf(err, errlen, "%s: %s", e->expr, ai_errmsg());
		ret = -EINVAL;
	} else {
		fo.path = e->expr;
		if (fmt__value(ses->bx, ses->src, &val, e->expr, sk, &fo)) {
			snprintf(err, errlen, "%s: %s", e->expr, ai_errmsg());
			ret = -EINVAL;
		}
	}
	*out = tui_sink__take(sk);
	sink__free(sk);
	if (!*out && !ret) {
		snprintf(err, errlen, "%s", ai_errmsg());
		ret = -ENOMEM;
	}
	return ret;
}

static bool same_node(const struct tnode *a, const struct tnode *b)
{
	if (a->more || b->more)
		return a->more && b->more;
	if (a->index >= 0 || b->index >= 0)
		return a->index == b->index;
	if (!a->key || !b->key)
		return !a->key && !b->key;
	return !strcmp(a->key, b->key);
}

static struct tnode *find_kid(const struct tnode *old, const struct tnode *n, int hint)
{
	if (!old)
		return NULL;
	if (hint < old->nkids && same_node(old->kids[hint], n))
		return old->kids[hint];
	for (int i = 0; i < old->nkids; i++)
		if (same_node(old->kids[i], n))
			return old->kids[i];
	return NULL;
}

/* default expansion, then whatever the user had; mark changed leaves */
static void carry(struct tnode *n, const struct tnode *old, int depth, bool roots)
{
	for (int i = 0; i < n->nkids; i++) {
		struct tnode *k = n->kids[i], *o = find_kid(old, k, i);

		k->expanded = depth == 0 && !roots;
		if (o) {
			k->expanded = o->expanded;
			if (!k->container && o->text && k->text && strcmp(o->text, k->text))
				k->changed = true;
		}
		if (k->container)
			carry(k, o, depth + 1, roots);
	}
}

/* truncated arrays get a "more..." child */
static void add_more(struct tnode *n)
{
	for (int i = 0; i < n->nkids; i++)
		add_more(n->kids[i]);
	if (n->container && n->array && n->truncated) {
		struct tnode *m = calloc(1, sizeof(*m)), **nk;

		if (!m)
			return;
		nk = realloc(n->kids, (n->nkids + 1) * sizeof(*nk));
		if (!nk) {
			free(m);
			return;
		}
		n->kids = nk;
		n->cap = n->nkids + 1;
		m->parent = n;
		m->more = true;
		m->index = -2;
		/* how many were not shown */
		m->total = n->total > (uint64_t)n->nkids ? n->total - n->nkids : 0;
		m->text = strdup("more...");
		n->kids[n->nkids++] = m;
	}
}

static void flat_add(struct sview *s, struct tnode *n, int depth)
{
	if (s->nlines == s->cap) {
		int cap = s->cap ? s->cap * 2 : 256;
		struct tnode **nl = realloc(s->lines, cap * sizeof(*nl));
		int *nd = realloc(s->depth, cap * sizeof(*nd));

		if (nl)
			s->lines = nl;
		if (nd)
			s->depth = nd;
		if (!nl || !nd)
			return;
		s->cap = cap;
	}
	s->lines[s->nlines] = n;
	s->depth[s->nlines++] = depth;
	if (n->container && n->expanded)
		for (int i = 0; i < n->nkids; i++)
			flat_add(s, n->kids[i], depth + 1);
}

static void flatten(struct sview *s)
{
	s->nlines = 0;
	if (!s->tree)
		return;
	for (int i = 0; i < s->tree->nkids; i++)
		flat_add(s, s->tree->kids[i], 0);
	if (s->cursor >= s->nlines)
		s->cursor = s->nlines - 1;
	if (s->cursor < 0)
		s->cursor = 0;
}

/* the chain of nodes from the top to n, to find "the same" node again */
static int chain(struct tnode *n, struct tnode **out, int max)
{
	int len = 0;

	for (struct tnode *p = n; p && p->parent && len < max; p = p->parent)
		out[len++] = p;
	/* reverse: top first */
	for (int i = 0; i < len / 2; i++) {
		struct tnode *x = out[i];

		out[i] = out[len - 1 - i];
		out[len - 1 - i] = x;
	}
	return len;
}

static void rebuild(struct view *v, bool keep)
{
	struct sview *s = v->priv;
	struct tnode *tree, *sel = NULL, *ch[64], *p;
	struct entry *e = cur_entry(s);
	int n = 0;

	if (keep && s->tree && s->cursor < s->nlines)
		n = chain(s->lines[s->cursor], ch, 64);
	build(v, &tree, s->err, sizeof(s->err));
	if (tree) {
		if (tree->nkids && !(e && !e->expr) && !keep)
			tree->kids[0]->expanded = true;
		carry(tree, keep ? s->tree : NULL, 0, !e || !e->expr);
		if (tree->nkids == 1 && e && e->expr)
			tree->kids[0]->expanded = keep ? tree->kids[0]->expanded : true;
		add_more(tree);
	}
	/* find the selection in the new tree */
	p = tree;
	for (int i = 0; i < n && p; i++) {
		p = find_kid(p, ch[i], 0);
		if (p)
			sel = p;
	}
	tnode__free(s->tree);
	s->tree = tree;
	flatten(s);
	if (sel)
		for (int i = 0; i < s->nlines; i++)
			if (s->lines[i] == sel)
				s->cursor = i;
	v->dirty = true;
}

/* ---- history ---- */

static void entry_free(struct entry *e)
{
	free(e->expr);
	e->expr = NULL;
}

/* :print: the value becomes the next history value, and the status line
 * says "$N = VALUE" in one line as GDB prints it */
static void add_history(struct view *v, struct entry *e)
{
	struct session *ses = v->s;
	struct fmt_opts fo = {
		.max_depth = 4, .max_array = 16, .max_nodes = 200, .format = e->fmt
	};
	struct strbuf line = {};
	struct fmt_leaves_info info = { .line = &line };
	struct value val;
	int col = -1;

	if (!e->expr || !ses->bx || expr__eval_str(e->expr, ses->bx, ses->src, &val, &col))
		return;
	e->hist_no = session__history_add(ses, &val);
	if (!e->hist_no)
		return;
	fo.path = e->expr;
	if (fmt__leaves(ses->bx, ses->src, &val, &fo, no_leaf, NULL, &info) || !line.buf)
		session__msg(ses, false, "$%llu = %s", (unsigned long long)e->hist_no, e->expr);
	else
		session__msg(ses, false, "$%llu = %s%s", (unsigned long long)e->hist_no, line.buf,
			     info.cut ? " ..." : "");
	strbuf_free(&line);
}

/* Show expr (NULL: the roots) in format fmt, as a new entry of the view's
 * history unless it is shown now (then it is refreshed in place); print:
 * also a new value history value. An error goes onto the status line
 * unless quiet. */
static int show(struct view *v, const char *expr, char fmt, bool print, bool quiet)
{
	struct sview *s = v->priv;
	struct entry *e;

	/* same thing again: refresh in place */
	e = cur_entry(s);
	if (e && e->fmt == fmt &&
	    ((!expr && !e->expr) || (expr && e->expr && !strcmp(expr, e->expr)))) {
		rebuild(v, true);
		if (print && !s->err[0])
			add_history(v, e);
		return s->err[0] ? -EINVAL : 0;
	}
	if (e)
		e->cursor = s->cursor;
	/* drop the forward history */
	for (int i = s->pos + 1; i < s->nhist; i++)
		entry_free(&s->hist[i]);
	if (s->nhist)
		s->nhist = s->pos + 1;
	if (s->nhist == HIST) {
		entry_free(&s->hist[0]);
		memmove(s->hist, s->hist + 1, (HIST - 1) * sizeof(s->hist[0]));
		s->nhist--;
	}
	e = &s->hist[s->nhist];
	e->expr = expr ? strdup(expr) : NULL;
	e->fmt = fmt;
	e->hist_no = 0;
	e->max_array = v->s->max_elements;
	e->cursor = 0;
	s->pos = s->nhist++;
	s->cursor = 0;
	s->top = 0;
	tnode__free(s->tree);
	s->tree = NULL;
	rebuild(v, false);
	if (s->err[0] && !quiet)
		session__msg(v->s, true, "%s", s->err);
	else if (print && !s->err[0])
		add_history(v, e);
	return s->err[0] ? -EINVAL : 0;
}

static void go_hist(struct view *v, int dir)
{
	struct sview *s = v->priv;
	int np = s->pos + dir;

	if (np < 0 || np >= s->nhist) {
		session__msg(v->s, false, "no more history");
		return;
	}
	s->hist[s->pos].cursor = s->cursor;
	s->pos = np;
	tnode__free(s->tree);
	s->tree = NULL;
	s->cursor = s->hist[np].cursor;
	rebuild(v, false);
}

static int struct_open(struct view *v)
{
	struct sview *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	v->priv = s;
	show(v, NULL, 0, false, true);
	return 0;
}

static void struct_tick(struct view *v)
{
	rebuild(v, true);
}

/* ---- drawing ---- */

static enum role value_role(const struct tnode *n)
{
	if (n->note && !strcmp(n->note, "error"))
		return R_ERROR;
	switch (n->kind) {
	case SK_STR:
	case SK_CHAR: return R_STR;
	case SK_ENUM:
	case SK_BOOL: return R_ENUM;
	case SK_PTR:
		if (n->followable)
			return R_PTR;
		if (n->unallocated || n->outside)
			return R_PTR_BAD;
		return R_NUM;
	case SK_NULL: return R_DIM;
	default: return R_NUM;
	}
}

/* a C string literal of s, cut to fit */
static void quote(const char *s, char *out, size_t len)
{
	size_t o = 0;

	out[o++] = '"';
	for (; *s && o + 6 < len; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			o += snprintf(out + o, len - o, "\\%c", ch);
		else if (ch == '\n')
			o += snprintf(out + o, len - o, "\\n");
		else if (ch < 32 || ch == 127)
			o += snprintf(out + o, len - o, "\\x%02x", ch);
		else
			out[o++] = ch;
	}
	if (*s)
		o += snprintf(out + o, len - o, "...");
	snprintf(out + o, len - o, "\"");
}

static void draw_node(struct view *v, const struct tnode *n, int depth, bool cursor)
{
	struct canvas *c = &v->c;

	draw_pad(c, R_DEFAULT, depth * 2);
	draw_hl(c, cursor);
	if (n->more) {
		draw_str(c, R_DIM, "  ");
		draw_fmt(c, R_LABEL, "... %llu more (Enter shows %d more; :set max-elements N)",
			 (unsigned long long)n->total, v->s->max_elements);
		if (cursor)
			draw_fill(c, R_CURSOR);
		draw_hl(c, false);
		return;
	}
	draw_str(c, R_DIM,
		 n->container ? (n->expanded ? glyph->expanded : glyph->collapsed) : glyph->leaf);
	draw_str(c, R_DEFAULT, " ");
	if (n->key)
		draw_str(c, R_KEY, n->key);
	else if (n->index >= 0)
		draw_fmt(c, R_KEY, "[%d]", n->index);
	if (n->container) {
		if (n->type)
			draw_fmt(c, R_TYPE, " (%s)", n->type);
		if (!n->expanded)
			draw_fmt(c, R_DIM, n->array ? " [%d%s]" : " {%d%s}", n->nkids,
				 n->truncated ? "+" : "");
		if (n->truncated && n->note)
			draw_fmt(c, R_DIM, " (%s)", n->note);
	} else {
		draw_str(c, R_DEFAULT, " = ");
		if (n->ftext) {
			/* :print/x */
			draw_str(c, n->changed ? R_CHANGED : value_role(n), n->ftext);
		} else if (n->kind == SK_STR && !(n->note && !strcmp(n->note, "error"))) {
			char q[512];

			quote(n->text ? n->text : "", q, sizeof(q));
			draw_str(c, n->changed ? R_CHANGED : R_STR, q);
		} else {
			draw_str(c, n->changed ? R_CHANGED : value_role(n), n->text ? n->text : "");
		}
		if (n->kind == SK_STR && n->truncated && !n->note && n->text &&
		    n->total > strlen(n->text))
			draw_fmt(c, R_LABEL, " ... %llu more (:set max-elements N)",
				 (unsigned long long)(n->total - strlen(n->text)));
		if (n->followable)
			draw_fmt(c, R_PTR, " %s", glyph->arrow);
		if (n->unallocated)
			draw_str(c, R_UNALLOC, " (page not allocated)");
		if (n->outside)
			draw_str(c, R_UNALLOC, " (outside the arena)");
		if (n->note && strcmp(n->note, "error"))
			draw_fmt(c, R_DIM, " (%s)", n->note);
		if (n->type)
			draw_fmt(c, R_TYPE, "  %s", n->type);
	}
	if (cursor)
		draw_fill(c, R_CURSOR);
	draw_hl(c, false);
}

static void struct_draw(struct view *v)
{
	struct sview *s = v->priv;
	struct canvas *c = &v->c;
	struct entry *e = cur_entry(s);
	int rows = c->height - 1;

	draw_clear(c);
	draw_row(c, 0);
	if (e && e->hist_no)
		draw_fmt(c, R_HEADER, "$%llu = ", (unsigned long long)e->hist_no);
	draw_str(c, R_HEADER, e && e->expr ? e->expr : "roots");
	if (e && e->fmt)
		draw_fmt(c, R_HEADER, " (/%c)", e->fmt);
	if (s->nhist > 1)
		draw_fmt(c, R_DIM, "   [%d/%d]  < back  > forward", s->pos + 1, s->nhist);
	if (s->err[0]) {
		draw_row(c, 1);
		draw_str(c, R_ERROR, s->err);
		rows--;
	}
	if (rows < 1)
		return;
	if (s->cursor < s->top)
		s->top = s->cursor;
	if (s->cursor >= s->top + rows)
		s->top = s->cursor - rows + 1;
	for (int r = 0; r < rows && s->top + r < s->nlines; r++) {
		int i = s->top + r;

		draw_row(c, c->height - rows + r);
		draw_node(v, s->lines[i], s->depth[i], i == s->cursor);
	}
}

/* ---- requests ---- */

static bool simple_path(const char *p)
{
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.->[]$", *p))
			return false;
	return true;
}

/* An integer that holds an arena address (BPF code often keeps arena
 * pointers in a u64): Enter shows it in the hex view. */
static bool arena_int(struct view *v, const struct tnode *n, uint64_t *addr)
{
	char *end;
	unsigned long long x;

	if (n->kind != SK_NUM || !n->text || !*n->text || *n->text == '-' || !v->s->src)
		return false;
	errno = 0;
	x = strtoull(n->text, &end, 0);
	if (errno || *end || !source__contains(v->s->src, x, 1))
		return false;
	*addr = x;
	return true;
}

/* Enter on a leaf: REQ_NONE, or REQ_SHOW_HEX for an arena address */
static enum request follow(struct view *v, struct tnode *n)
{
	char expr[600];
	uint64_t a;

	/* a subtree cut at the depth limit opens as a value of its own */
	if (n->truncated && n->path && !n->followable && n->kind != SK_PTR) {
		show(v, n->path, 0, false, false);
		return REQ_NONE;
	}
	if (!n->followable && arena_int(v, n, &a)) {
		session__nav_addr(v->s, a);
		/* after what the hex view says about the address */
		session__nav_note(
			v->s,
			"%s = 0x%llx, an arena address: shown in the hex view (3 returns here)",
			n->path ? n->path : "value", (unsigned long long)a);
		return REQ_SHOW_HEX;
	}
	if (!n->followable) {
		session__msg(v->s, true, "%s",
			     n->unallocated	  ? "points into a page that is not allocated"
			     : n->outside	  ? "points outside the arena"
			     : n->kind == SK_NULL ? "NULL"
						  : "not a pointer into the arena");
		return REQ_NONE;
	}
	if (n->path && *n->path)
		snprintf(expr, sizeof(expr), simple_path(n->path) ? "*%s" : "*(%s)", n->path);
	else if (n->target && n->text)
		snprintf(expr, sizeof(expr), "*(%s *)%s", n->target, n->text);
	else {
		session__msg(v->s, true, "no path to follow this pointer");
		return REQ_NONE;
	}
	show(v, expr, 0, false, false);
	return REQ_NONE;
}

static void toggle(struct view *v, struct tnode *n, int how)
{
	struct sview *s = v->priv;

	if (!n->container)
		return;
	n->expanded = how < 0 ? !n->expanded : how;
	flatten(s);
}

static void more(struct view *v)
{
	struct sview *s = v->priv;
	struct entry *e = cur_entry(s);

	if (!e)
		return;
	e->max_array += v->s->max_elements;
	rebuild(v, true);
}

/* after :set max-elements */
static void reset_caps(struct view *v)
{
	struct sview *s = v->priv;

	for (int i = 0; i < s->nhist; i++)
		s->hist[i].max_array = v->s->max_elements;
	if (s->nhist)
		rebuild(v, true);
}

/* x: who points into the field, [its address, +its type's size) */
static enum request xrefs(struct view *v, struct tnode *n)
{
	uint64_t lo = n ? n->addr : 0, size = 1;
	struct value val;
	int col = -1;

	if (n && n->path && v->s->bx && !expr__eval_str(n->path, v->s->bx, v->s->src, &val, &col) &&
	    val.lvalue)
		/* the field itself, a pointer too (not what it points at) */
		refs__value_object(v->s->src, &val, false, &lo, &size);
	if (!n || !source__contains(v->s->src, lo, 1)) {
		session__msg(v->s, true, "x: this field is not in the arena");
		return REQ_NONE;
	}
	session__nav_range(v->s, lo, size);
	return REQ_SHOW_REFS;
}

/* i: which allocation holds the field (its own place, a pointer's too) */
static enum request heap_info(struct view *v, struct tnode *n)
{
	if (!n || !n->addr || !source__contains(v->s->src, n->addr, 1)) {
		session__msg(v->s, true, "i: this field is not in the arena");
		return REQ_NONE;
	}
	session__nav_addr(v->s, n->addr);
	return REQ_SHOW_HEAP;
}

/* a click selects the line, a double click follows / expands it (Enter);
 * the lines sit below the header (and the error line), as drawn */
static enum request struct_click(struct view *v, int row, int col, bool dbl)
{
	struct sview *s = v->priv;
	int rows = v->c.height - 1 - !!s->err[0], i = s->top + row - (v->c.height - rows);

	if (row < v->c.height - rows || i >= s->nlines)
		return REQ_NONE;
	s->cursor = i;
	return dbl ? REQ_ENTER : REQ_NONE;
}

static enum request struct_request(struct view *v, enum request req)
{
	struct sview *s = v->priv;
	struct tnode *n = s->nlines ? s->lines[s->cursor] : NULL;
	int page = v->c.height - 2 > 1 ? v->c.height - 2 : 1;
	char buf[600];
	enum request out = REQ_NONE;

	switch (req) {
	case REQ_UP: s->cursor--; break;
	case REQ_DOWN: s->cursor++; break;
	case REQ_PAGE_UP: s->cursor -= page; break;
	case REQ_PAGE_DOWN: s->cursor += page; break;
	case REQ_FIRST: s->cursor = 0; break;
	case REQ_LAST: s->cursor = s->nlines - 1; break;
	case REQ_ENTER:
		if (!n)
			break;
		if (n->more)
			more(v);
		else if (n->container)
			toggle(v, n, -1);
		else
			out = follow(v, n);
		break;
	case REQ_TOGGLE:
		if (n && n->more)
			more(v);
		else if (n)
			toggle(v, n, -1);
		break;
	case REQ_RIGHT:
		if (!n)
			break;
		if (n->container && !n->expanded)
			toggle(v, n, 1);
		else if (n->container && n->nkids)
			s->cursor++;
		else if (n->followable)
			out = follow(v, n);
		break;
	case REQ_LEFT:
		if (!n)
			break;
		if (n->container && n->expanded) {
			toggle(v, n, 0);
		} else if (n->parent && n->parent->parent) {
			for (int i = s->cursor; i >= 0; i--)
				if (s->lines[i] == n->parent)
					s->cursor = i;
		}
		break;
	case REQ_BACK: go_hist(v, -1); break;
	case REQ_FORWARD: go_hist(v, 1); break;
	case REQ_ROOTS: show(v, NULL, 0, false, false); break;
	case REQ_SHOW_STRUCT: show(v, v->s->nav.expr, v->s->nav.fmt, v->s->nav.print, false); break;
	case REQ_TYPES_LOADED: show(v, NULL, 0, false, false); break;
	case REQ_SETTINGS_CHANGED: reset_caps(v); break;
	case REQ_YANK:
		if (!n || !n->path) {
			session__msg(v->s, true, "this field has no expression path");
			break;
		}
		snprintf(buf, sizeof(buf), "print %s", n->path);
		session__nav_expr(v->s, buf);
		session__copy(v->s, n->path);
		out = REQ_PROMPT_TEXT;
		break;
	case REQ_TABLE:
		/* an array, or a pointer taken as the start of one */
		if (!n || n->more || !n->path || (!n->array && n->kind != SK_PTR)) {
			session__msg(v->s, true,
				     "T: not an array or a pointer with an expression path");
			break;
		}
		session__nav_expr(v->s, n->path);
		out = REQ_SHOW_TABLE;
		break;
	case REQ_WALK:
		if (!n || n->more || !n->path || n->container ||
		    (n->kind != SK_PTR && n->kind != SK_NULL)) {
			session__msg(v->s, true, "L: not a pointer with an expression path");
			break;
		}
		session__nav_expr(v->s, n->path);
		out = REQ_SHOW_WALK;
		break;
	case REQ_XREFS: out = xrefs(v, n); break;
	case REQ_HEAP_INFO: out = heap_info(v, n); break;
	case REQ_WATCH:
		/* "watch #N: PATH = VALUE" on the status line; the view stays */
		if (!n || n->more || !n->path)
			session__msg(v->s, true, "this field has no expression path to watch");
		else
			session__watch_add(v->s, n->path);
		break;
	default: return req;
	}
	if (s->cursor >= s->nlines)
		s->cursor = s->nlines - 1;
	if (s->cursor < 0)
		s->cursor = 0;
	return out;
}

/* s holds pat as it is drawn: names from the file show in their printable
 * form (\x1b), and that is what one types to find them */
static bool shown_has(const char *s, const char *pat)
{
	char *p;
	bool hit;

	if (!s)
		return false;
	if (ai_is_printable(s, 0))
		return strcasestr(s, pat);
	p = ai_printable_dup(s, 0);
	hit = p && strcasestr(p, pat);
	free(p);
	return hit;
}

static bool node_match(const struct tnode *n, const char *pat)
{
	return shown_has(n->key, pat) || shown_has(n->text, pat) || shown_has(n->ftext, pat) ||
	       shown_has(n->type, pat);
}

/* depth-first list of every node, to search beyond what is expanded */
static void all_nodes(struct tnode *n, struct tnode ***v, int *len, int *cap)
{
	for (int i = 0; i < n->nkids; i++) {
		if (*len == *cap) {
			int nc = *cap ? *cap * 2 : 256;
			struct tnode **nv = realloc(*v, nc * sizeof(*nv));

			if (!nv)
				return;
			*v = nv;
			*cap = nc;
		}
		(*v)[(*len)++] = n->kids[i];
		all_nodes(n->kids[i], v, len, cap);
	}
}

struct node_pat {
	struct tnode **all;
	const char *pat;
};

static bool node_pat_match(int i, void *ctx)
{
	struct node_pat *m = ctx;

	return node_match(m->all[i], m->pat);
}

static int struct_search(struct view *v, const char *pat, int dir)
{
	struct sview *s = v->priv;
	struct tnode **all = NULL, *cur = s->nlines ? s->lines[s->cursor] : NULL;
	int n = 0, cap = 0, at = -1, i, r;
	struct node_pat m;

	if (!s->tree)
		return SEARCH_NONE;
	all_nodes(s->tree, &all, &n, &cap);
	for (int k = 0; k < n; k++)
		if (all[k] == cur)
			at = k;
	m = (struct node_pat){ all, pat };
	r = search_rows(n, at, dir, node_pat_match, &m, &i);
	if (r != SEARCH_NONE) {
		for (struct tnode *p = all[i]->parent; p; p = p->parent)
			p->expanded = true;
		flatten(s);
		for (int j = 0; j < s->nlines; j++)
			if (s->lines[j] == all[i])
				s->cursor = j;
	}
	free(all);
	return r;
}

static void struct_status(struct view *v, char *buf, size_t len)
{
	struct sview *s = v->priv;
	struct tnode *n = s->nlines ? s->lines[s->cursor] : NULL;

	if (!n) {
		snprintf(buf, len, "%s", s->err[0] ? s->err : "empty");
		return;
	}
	if (n->more) {
		snprintf(buf, len, "%llu more elements: Enter shows %d more (:set max-elements N)",
			 (unsigned long long)n->total, v->s->max_elements);
		return;
	}
	{
		char addr[32] = "", hint[64];
		uint64_t a;

		if (n->addr)
			snprintf(addr, sizeof(addr), "0x%llx  ", (unsigned long long)n->addr);
		if (n->followable)
			snprintf(hint, sizeof(hint), "   Enter follows, y copies the path");
		else if (arena_int(v, n, &a))
			snprintf(hint, sizeof(hint),
				 "   = 0x%llx in the arena: Enter shows it in hex",
				 (unsigned long long)a);
		else
			snprintf(hint, sizeof(hint), "   y copies the path");
		snprintf(buf, len, "%s%s  %s%s", addr, n->type ? n->type : "",
			 n->path ? n->path : "", hint);
	}
}

static void struct_done(struct view *v)
{
	struct sview *s = v->priv;

	for (int i = 0; i < s->nhist; i++)
		entry_free(&s->hist[i]);
	tnode__free(s->tree);
	free(s->lines);
	free(s->depth);
	free(s);
}

const struct view_ops struct_ops = {
	.name = "struct",
	.open = struct_open,
	.draw = struct_draw,
	.request = struct_request,
	.tick = struct_tick,
	.status = struct_status,
	.search = struct_search,
	.click = struct_click,
	.done = struct_done,
};

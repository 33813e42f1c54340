// SPDX-License-Identifier: GPL-2.0
/*
 * The table view's model (no drawing, no keys): what a :table EXPR or
 * :walk START is (an array, a slice, a pointer taken as the start of an
 * array, a chain of nodes), its rows and its columns. The columns and
 * cells come from the library's leaf walk (fmt__leaves), one column per
 * scalar member, nested members flattened with their path relative to the
 * element, so every cell reads as `print` writes the value. The elements
 * are read a chunk at a time into a window_source, and the formatter and
 * the filter both read the chunk through it. Also here: :filter (a C
 * expression with the element's members in scope, evaluated per row) and
 * the sort (numeric for numeric columns, by text otherwise), and the caps
 * (rows, columns, values walked) the view's header says.
 * The view itself (drawing, keys, requests) is ui/view_table.c.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfq.h"
#include "error.h"
#include "expr.h"
#include "format.h"
#include "printable.h"
#include "table.h"
#include "tui_int.h"
#include "walk.h"
#include "window_source.h"

/* ---- cells ---- */

static void cell_parse(struct cell *c, const char *v)
{
	char *end;

	c->num = CN_TEXT;
	if (!v || !*v)
		return;
	errno = 0;
	if (*v == '-') {
		long long x = strtoll(v, &end, 0);

		if (!errno && !*end) {
			c->u = (uint64_t)x;
			c->num = x < 0 ? CN_INT : CN_UINT;
			return;
		}
	} else {
		unsigned long long x = strtoull(v, &end, 0);

		if (!errno && !*end) {
			c->u = x;
			c->num = CN_UINT;
			return;
		}
	}
	c->d = strtod(v, &end);
	if (!*end && end != v)
		c->num = CN_FLOAT;
}

static long double cell_ld(const struct cell *c)
{
	return c->num == CN_FLOAT ? (long double)c->d
	       : c->num == CN_INT ? (long double)(int64_t)c->u
				  : (long double)c->u;
}

/* numbers before anything else; -1, 0, 1 */
static int cell_cmp_num(const struct cell *a, const struct cell *b)
{
	if (a->num == CN_FLOAT || b->num == CN_FLOAT) {
		long double x = cell_ld(a), y = cell_ld(b);

		return x < y ? -1 : x > y;
	}
	if (a->num != b->num)
		return a->num == CN_INT ? -1 : 1;
	if (a->num == CN_INT)
		return (int64_t)a->u<(int64_t)b->u ? -1 : (int64_t)a->u>(int64_t) b->u;
	return a->u < b->u ? -1 : a->u > b->u;
}

/* ---- building ---- */

void table__rows_free(struct tview *t)
{
	for (int i = 0; i < t->nrows; i++) {
		for (int j = 0; j < t->rows[i].ncells; j++)
			free(t->rows[i].cells[j].text);
		free(t->rows[i].cells);
		free(t->rows[i].note);
	}
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
	for (int i = 0; i < t->ncols; i++)
		free(t->cols[i].name);
	free(t->cols);
	t->cols = NULL;
	t->ncols = 0;
	free(t->vis);
	t->vis = NULL;
	t->nvis = 0;
	free(t->base);
	t->base = NULL;
}

static int col_find(struct tview *t, const char *name, int hint)
{
	if (hint >= 0 && hint < t->ncols && !strcmp(t->cols[hint].name, name))
		return hint;
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return i;
	return -1;
}

static int col_add(struct tview *t, const char *name, enum sink_kind sk)
{
	struct col *nc;

	if (t->ncols == TABLE_MAX_COLS) {
		t->cols_capped = true;
		return -1;
	}
	nc = realloc(t->cols, (t->ncols + 1) * sizeof(*nc));
	if (!nc)
		return -1;
	t->cols = nc;
	nc[t->ncols] = (struct col){ .name = strdup(name),
				     .numeric = sk == SK_NUM || sk == SK_PTR || sk == SK_NULL };
	if (!nc[t->ncols].name)
		return -1;
	return t->ncols++;
}

static char *text_dup(const char *s)
{
	char buf[TABLE_CELL_MAX + 8];
	size_t n = strlen(s);

	if (ai_is_printable(s, 0) && n < TABLE_CELL_MAX)
		return strdup(s);
	ai_printable(buf, TABLE_CELL_MAX, s, n, 0);
	if (strlen(buf) + 1 >= TABLE_CELL_MAX || n >= TABLE_CELL_MAX)
		strcat(buf, "..."); /* cut: say so */
	return strdup(buf);
}

struct leaf_ctx {
	struct tview *t;
	int base;   /* row of the chunk's element 0 */
	int n;	    /* elements in the chunk */
	int hint;   /* the column after the last one */
	int single; /* >= 0: every leaf is of this row (a walk's node) */
};

/* "[17].stats.runtime_ns" -> 17, "stats.runtime_ns"; "[3]->pid" -> 3, "pid" */
static bool split_path(const char *p, uint64_t *i, const char **rest)
{
	char *end;

	if (!p || *p != '[')
		return false;
	errno = 0;
	*i = strtoull(p + 1, &end, 10);
	if (errno || end == p + 1 || *end != ']')
		return false;
	p = end + 1;
	if (*p == '.')
		p++;
	else if (p[0] == '-' && p[1] == '>')
		p += 2;
	*rest = p;
	return true;
}

static int on_leaf(void *ctx, const struct fmt_leaf *f)
{
	struct leaf_ctx *lc = ctx;
	struct tview *t = lc->t;
	const char *rel;
	struct row *r;
	struct cell *c;
	uint64_t i;
	int ci;

	if (lc->single >= 0 && f->path) {
		/* a node walked as a value of its own: ".pid", "" */
		i = 0;
		rel = f->path[0] == '.'			       ? f->path + 1
		      : f->path[0] == '-' && f->path[1] == '>' ? f->path + 2
							       : f->path;
	} else if (lc->single >= 0 || !split_path(f->path, &i, &rel) || i >= (uint64_t)lc->n) {
		/* no path: the node limit's "...", or a path too long to name */
		t->cut = true;
		return 0;
	}
	r = &t->rows[lc->single >= 0 ? lc->single : lc->base + (int)i];
	if (!*rel && f->kind != FMT_LEAF_VALUE) {
		/* the element itself has no bytes (its page is missing) */
		free(r->note);
		r->note = text_dup(f->text);
		return 0;
	}
	if (f->kind == FMT_LEAF_CUT)
		t->cut = true;
	ci = col_find(t, rel, lc->hint);
	if (ci < 0)
		ci = col_add(t, rel, f->sk);
	if (ci < 0)
		return 0;
	lc->hint = ci + 1;
	if (ci >= r->ncells) {
		struct cell *nc = realloc(r->cells, (ci + 1) * sizeof(*nc));

		if (!nc)
			return 0;
		memset(nc + r->ncells, 0, (ci + 1 - r->ncells) * sizeof(*nc));
		r->cells = nc;
		r->ncells = ci + 1;
	}
	c = &r->cells[ci];
	free(c->text);
	c->text = text_dup(f->text);
	if (f->kind == FMT_LEAF_VALUE && f->sk == SK_NULL)
		c->num = CN_UINT, c->u = 0;
	else if (f->kind == FMT_LEAF_VALUE && (f->sk == SK_NUM || f->sk == SK_PTR))
		cell_parse(c, f->value);
	else
		c->num = CN_TEXT;
	return 0;
}

static bool simple_path(const char *p)
{
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.->[]", *p))
			return false;
	return true;
}

/* "X[a:b]" -> X and a's value: the elements are X[a + i] */
static bool split_slice(struct session *s, const char *spec, char **base, int64_t *a)
{
	size_t n = strlen(spec), lb = 0, colon = 0;
	bool found = false;
	int depth = 0, err = 0;
	struct expr *e;
	char *start;

	*base = NULL;
	*a = 0;
	if (!n || spec[n - 1] != ']')
		return false;
	for (size_t i = n; i-- > 0;) {
		if (spec[i] == ']') {
			depth++;
		} else if (spec[i] == '[' && --depth == 0) {
			lb = i;
			found = true;
			break;
		} else if (spec[i] == ':' && depth == 1 && !colon) {
			colon = i;
		}
	}
	if (!found || !colon || !lb)
		return false;
	start = strndup(spec + lb + 1, colon - lb - 1);
	if (!start)
		return false;
	if (start[strspn(start, " ")]) {
		err = expr__parse(start, &e, NULL);
		if (!err) {
			err = expr__eval_int(e, s->bx, s->src, a);
			expr__free(e);
		}
	}
	free(start);
	if (err)
		return false;
	*base = strndup(spec, lb);
	if (*base && !simple_path(*base)) {
		char *p;

		if (asprintf(&p, "(%s)", *base) < 0)
			p = NULL;
		free(*base);
		*base = p;
	}
	return *base != NULL;
}

/* elements in allocated pages from addr on, of size sz, at most max */
static uint64_t allocated_run(struct session *s, uint64_t addr, uint64_t sz, uint64_t max)
{
	uint64_t start = s->src->info.user_vm_start, end, page = source__page_size(s->src);
	uint64_t pg = (addr - start) / page;

	while (pg < s->pm.nr_pages && s->pm.state[pg] == PAGE_ALLOCATED &&
	       (pg + 1) * page + start - addr < (max + 1) * sz)
		pg++;
	end = start + pg * page;
	return end > addr ? (end - addr) / sz : 0;
}

/* What spec is: the element type, the first address and the count. */
static int resolve(struct view *v, struct value *val)
{
	struct tview *t = v->priv;
	struct session *s = v->s;
	const struct btf_type *tt;
	uint32_t rid;
	int col = -1;
	char tn[128];

	if (expr__eval_str(t->spec, s->bx, s->src, val, &col)) {
		if (col >= 0)
			snprintf(t->err, sizeof(t->err), "%s: %s (column %d)", t->spec, ai_errmsg(),
				 col + 1);
		else
			snprintf(t->err, sizeof(t->err), "%s: %s", t->spec, ai_errmsg());
		return -EINVAL;
	}
	if (!val->btf) {
		snprintf(t->err, sizeof(t->err),
			 "%s is a computed %s, not an array or a pointer into the arena", t->spec,
			 expr__ctype_name(val->ctype));
		return -EINVAL;
	}
	t->btf = val->btf;
	if (val->slice_len) {
		t->kind = TK_SLICE;
		t->elem_id = val->type_id;
		t->first = val->addr;
		t->total = val->slice_len;
	} else {
		rid = btf__resolve_type(val->btf, val->type_id);
		tt = btf__type_by_id(val->btf, rid);
		btfq__type_name(val->btf, val->type_id, tn, sizeof(tn));
		if (tt && btf_is_array(tt) && val->lvalue) {
			t->kind = TK_ARRAY;
			t->elem_id = btf_array(tt)->type;
			t->first = val->addr;
			t->total = btf_array(tt)->nelems;
		} else if (tt && btf_is_ptr(tt)) {
			t->kind = TK_POINTER;
			t->elem_id = tt->type;
			if (!val->scalar) {
				snprintf(t->err, sizeof(t->err), "%s is NULL", t->spec);
				return -EINVAL;
			}
			t->first = val->scalar;
		} else {
			snprintf(t->err, sizeof(t->err),
				 "%s is %s, not an array or a pointer (:table takes arr, arr[a:b] "
				 "or a pointer)",
				 t->spec, tn);
			return -EINVAL;
		}
	}
	t->elem_size = btf__resolve_size(t->btf, t->elem_id) > 0
			       ? btf__resolve_size(t->btf, t->elem_id)
			       : 0;
	btfq__type_name(t->btf, t->elem_id, t->type, sizeof(t->type));
	if (!t->elem_size) {
		snprintf(t->err, sizeof(t->err), "%s: its elements (%s) have no size", t->spec,
			 t->type);
		return -EINVAL;
	}
	if (t->kind == TK_POINTER) {
		if (!source__contains(s->src, t->first, t->elem_size)) {
			snprintf(t->err, sizeof(t->err), "%s = 0x%llx points outside the arena",
				 t->spec, (unsigned long long)t->first);
			return -ERANGE;
		}
		if (!s->have_pm) {
			snprintf(t->err, sizeof(t->err), "no page map yet");
			return -EAGAIN;
		}
		/* a pointer has no length: as far as its pages go, and at
		 * least the one element (shown as unallocated if it is) */
		t->total = allocated_run(s, t->first, t->elem_size, TABLE_MAX_ROWS + 1);
		if (!t->total)
			t->total = 1;
	}
	/* members in scope for :filter, and pointers followed one level */
	rid = btf__resolve_type(t->btf, t->elem_id);
	tt = btf__type_by_id(t->btf, rid);
	t->member_id = 0;
	t->elem_ptr = false;
	if (tt && (btf_is_struct(tt) || btf_is_union(tt))) {
		t->member_id = rid;
	} else if (tt && btf_is_ptr(tt)) {
		uint32_t pid = btf__resolve_type(t->btf, tt->type);
		const struct btf_type *pt = btf__type_by_id(t->btf, pid);

		if (pt && (btf_is_struct(pt) || btf_is_union(pt))) {
			t->member_id = pid;
			t->elem_ptr = true;
		}
	}
	/* how rows are named: base[base0 + i] */
	t->base0 = 0;
	if (t->kind == TK_SLICE) {
		if (!split_slice(s, t->spec, &t->base, &t->base0))
			t->base = NULL;
	} else if (simple_path(t->spec)) {
		t->base = strdup(t->spec);
	} else if (asprintf(&t->base, "(%s)", t->spec) < 0) {
		t->base = NULL;
	}
	return 0;
}

static void describe(struct tview *t)
{
	int n = 0;
	size_t len = sizeof(t->desc);

	switch (t->kind) {
	case TK_POINTER:
		n = snprintf(t->desc, len,
			     "%s points to %s: %" PRIu64
			     " row%s, as far as its pages are allocated "
			     "(%s[0:N] for N)",
			     t->spec, t->type, t->total, t->total == 1 ? "" : "s", t->spec);
		break;
	case TK_WALK:
		n = snprintf(t->desc, len, "walk %s%s%s%s%s: %d node%s of %s, %s", t->spec,
			     t->next ? " --next " : "", t->next ? t->next : "",
			     t->container ? " --container " : "", t->container ? t->container : "",
			     t->nrows, t->nrows == 1 ? "" : "s", t->type, t->walk_end);
		break;
	case TK_ARRAY:
	case TK_SLICE:
		n = snprintf(t->desc, len, "%s: %" PRIu64 " element%s of %s", t->spec, t->total,
			     t->total == 1 ? "" : "s", t->type);
		break;
	default: break;
	}
	if (n > 0 && (size_t)n < len && t->elem_ptr)
		n += snprintf(t->desc + n, len - n, ", the members they point to");
	(void)n;
}

/* ---- filter and sort ---- */

/* The element's expression, to open it or evaluate a filter on it. */
void table__elem_expr(const struct tview *t, const struct row *r, char *buf, size_t len)
{
	if (t->base)
		snprintf(buf, len, "%s[%" PRId64 "]", t->base, (int64_t)r->index);
	else
		snprintf(buf, len, "(*(%s *)0x%" PRIx64 ")", t->type, r->addr);
}

static bool ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static bool ident_char(int c)
{
	return isalnum(c) || c == '_';
}

/* The filter with the element's members in scope: each identifier that
 * names a member (and is not itself after '.', '->' or struct/union/enum)
 * becomes \1.NAME (\1->NAME for pointer elements), \1 the element. */
char *table__filter_template(const struct tview *t, const char *f)
{
	struct strbuf sb = {};
	const char *p = f;
	char prev[16] = "";

	while (*p) {
		if (*p == '"' || *p == '\'') {
			const char *q = p + 1;

			while (*q && *q != *p)
				q += q[0] == '\\' && q[1] ? 2 : 1;
			if (*q)
				q++;
			strbuf_write(&sb, p, q - p);
			p = q;
			snprintf(prev, sizeof(prev), "lit");
		} else if (isdigit((unsigned char)*p)) {
			const char *q = p;

			while (ident_char((unsigned char)*q) || *q == '.')
				q++;
			strbuf_write(&sb, p, q - p);
			p = q;
			snprintf(prev, sizeof(prev), "num");
		} else if (ident_start((unsigned char)*p)) {
			const char *q = p;
			char name[128];
			struct btfq_member m;
			bool member = false;

			while (ident_char((unsigned char)*q))
				q++;
			snprintf(name, sizeof(name), "%.*s", (int)(q - p), p);
			if (strcmp(prev, ".") && strcmp(prev, "->") && strcmp(prev, "struct") &&
			    strcmp(prev, "union") && strcmp(prev, "enum") && t->member_id &&
			    btfq__find_member(t->btf, t->member_id, name, &m))
				member = true;
			if (member)
				strbuf_write(&sb, t->elem_ptr ? "\1->" : "\1.",
					     t->elem_ptr ? 3 : 2);
			strbuf_write(&sb, p, q - p);
			snprintf(prev, sizeof(prev), "%.15s", name);
			p = q;
		} else if (*p == ' ' || *p == '\t') {
			strbuf_write(&sb, p++, 1);
		} else {
			int n = (p[0] == '-' && p[1] == '>') ? 2 : 1;

			strbuf_write(&sb, p, n);
			snprintf(prev, sizeof(prev), "%.*s", n, p);
			p += n;
		}
	}
	strbuf_write(&sb, "", 1);
	return sb.buf;
}

static void expand(const char *tpl, const char *elem, char *buf, size_t len)
{
	size_t o = 0;

	for (const char *p = tpl; *p && o + 1 < len; p++) {
		if (*p == '\1')
			o += snprintf(buf + o, len - o, "%s", elem);
		else
			buf[o++] = *p;
		if (o >= len)
			o = len - 1;
	}
	buf[o] = '\0';
}

/* true: the row is shown; an error counts against the filter */
static bool filter_row(struct view *v, struct source *src, const struct row *r)
{
	struct tview *t = v->priv;
	char elem[300], text[2048];
	struct expr *e;
	int64_t x;
	int err;

	if (!t->filter_tpl)
		return true;
	table__elem_expr(t, r, elem, sizeof(elem));
	expand(t->filter_tpl, elem, text, sizeof(text));
	err = expr__parse(text, &e, NULL);
	if (!err) {
		err = expr__eval_int(e, v->s->bx, src, &x);
		expr__free(e);
	}
	if (err) {
		if (!t->filter_fail++)
			snprintf(t->filter_err, sizeof(t->filter_err), "%.120s: %.170s", elem,
				 ai_errmsg());
		return false;
	}
	return x != 0;
}

int table__sort_col(const struct tview *t)
{
	if (!t->sort_name || !t->sort_dir)
		return -1;
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, t->sort_name))
			return i;
	return -1;
}

static const struct tview *cmp_t;
static int cmp_col;

static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = &cmp_t->rows[*(const int *)pa], *b = &cmp_t->rows[*(const int *)pb];
	const struct cell *ca =
		cmp_col < a->ncells && a->cells[cmp_col].text ? &a->cells[cmp_col] : NULL;
	const struct cell *cb =
		cmp_col < b->ncells && b->cells[cmp_col].text ? &b->cells[cmp_col] : NULL;
	bool numeric = cmp_t->cols[cmp_col].numeric;
	int r;

	/* rows without a value, and values that are not numbers in a
	 * numeric column, go last either way */
	if (!ca || !cb || (numeric && (!ca->num || !cb->num))) {
		int ka = !ca ? 2 : numeric && !ca->num, kb = !cb ? 2 : numeric && !cb->num;

		if (ka != kb)
			return ka - kb;
		r = ca && cb ? strcmp(ca->text, cb->text) : 0;
	} else {
		r = numeric ? cell_cmp_num(ca, cb) : strcmp(ca->text, cb->text);
		r *= cmp_t->sort_dir;
	}
	if (r)
		return r;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* vis: the rows the filter kept (when they were read), sorted; the selection found again by
 * its element's address */
void table__order(struct view *v)
{
	struct tview *t = v->priv;
	int sc;

	free(t->vis);
	t->vis = calloc(t->nrows ? t->nrows : 1, sizeof(*t->vis));
	t->nvis = 0;
	if (!t->vis)
		return;
	for (int i = 0; i < t->nrows; i++)
		if (t->rows[i].keep)
			t->vis[t->nvis++] = i;
	sc = table__sort_col(t);
	if (sc >= 0) {
		cmp_t = t;
		cmp_col = sc;
		qsort(t->vis, t->nvis, sizeof(*t->vis), row_cmp);
	}
	if (t->have_sel) {
		int found = -1;

		for (int i = 0; i < t->nvis && found < 0; i++)
			if (t->rows[t->vis[i]].addr == t->sel_addr)
				found = i;
		/* the selected element went (filtered out, or the array
		 * moved): the top */
		t->cur = found >= 0 ? found : 0;
	}
	if (t->cur >= t->nvis)
		t->cur = t->nvis - 1;
	if (t->cur < 0)
		t->cur = 0;
	if (t->nvis) {
		t->sel_addr = t->rows[t->vis[t->cur]].addr;
		t->have_sel = true;
	}
}

static void widths(struct tview *t)
{
	for (int c = 0; c < t->ncols; c++) {
		/* room for the sort mark, and for the letter after s/S */
		int w = draw_cols(t->cols[c].name[0] ? t->cols[c].name : "value") + 2;

		for (int i = 0; i < t->nrows; i++)
			if (c < t->rows[i].ncells && t->rows[i].cells[c].text) {
				int cw = draw_cols(t->rows[i].cells[c].text);

				if (cw > w)
					w = cw;
			}
		t->cols[c].width = w < 3 ? 3 : w > TABLE_COL_WIDTH ? TABLE_COL_WIDTH : w;
	}
	if (t->ccol >= t->ncols)
		t->ccol = t->ncols ? t->ncols - 1 : 0;
}

/* how the chain ended, as the walk command says it */
static void walk_end_text(struct tview *t, const struct walk_end *e)
{
	size_t len = sizeof(t->walk_end);

	switch (e->reason) {
	case WALK_END_CYCLE:
		snprintf(t->walk_end, len,
			 "ended: cycle (node %" PRIu64 " links back to node %" PRIu64 ")", e->from,
			 e->to);
		break;
	case WALK_END_POISON:
		snprintf(t->walk_end, len, "ended: poison 0x%" PRIx64 " (%s)", e->ptr,
			 e->poison ? e->poison : "list poison");
		break;
	case WALK_END_UNALLOCATED:
		snprintf(t->walk_end, len, "ended: unallocated (0x%" PRIx64 ", page %" PRIu64 ")",
			 e->ptr, e->page);
		break;
	case WALK_END_OUTSIDE:
		snprintf(t->walk_end, len, "ended: outside the arena (0x%" PRIx64 ")", e->ptr);
		break;
	case WALK_END_MAX:
		snprintf(t->walk_end, len, "cut at %" PRIu64 " nodes (%s; the chain goes on)",
			 e->max, e->max == t->walk_max ? "--max" : "row cap");
		break;
	case WALK_END_ERROR: snprintf(t->walk_end, len, "ended: error (%s)", e->msg); break;
	default: snprintf(t->walk_end, len, "ended: %s", walk__reason_name(e->reason)); break;
	}
}

/* A walk's rows: one per node, each walked (and filtered) from one read. */
static void build_walk(struct view *v)
{
	struct tview *t = v->priv;
	struct session *s = v->s;
	struct walk_opts wo = { .next = t->next,
				.container = t->container,
				.max = t->walk_max && t->walk_max < TABLE_MAX_ROWS
					       ? t->walk_max
					       : TABLE_MAX_ROWS };
	struct window_source win = { 0 };
	struct walk_node node;
	struct walk_end end;
	struct value val;
	struct walk *w;
	uint64_t n;
	int col = -1, r;

	t->kind = TK_WALK;
	if (expr__eval_str(t->spec, s->bx, s->src, &val, &col)) {
		snprintf(t->err, sizeof(t->err), "walk %s: %s", t->spec, ai_errmsg());
		return;
	}
	if (walk__open(s->bx, s->src, &val, &wo, &w)) {
		snprintf(t->err, sizeof(t->err), "walk %s: %s", t->spec, ai_errmsg());
		return;
	}
	walk__value_type(w, &t->btf, &t->elem_id);
	btfq__type_name(t->btf, t->elem_id, t->type, sizeof(t->type));
	t->elem_size = btf__resolve_size(t->btf, t->elem_id) > 0
			       ? btf__resolve_size(t->btf, t->elem_id)
			       : 0;
	t->member_id = btf__resolve_type(t->btf, t->elem_id);
	t->elem_ptr = false;
	n = walk__count(w);
	t->rows = calloc(n ? n : 1, sizeof(*t->rows));
	if (!t->rows) {
		walk__close(w);
		snprintf(t->err, sizeof(t->err), "out of memory for %" PRIu64 " rows", n);
		return;
	}
	t->filter_fail = 0;
	t->filter_err[0] = '\0';
	while (t->nrows < (int)n && (r = walk__next(w, &node)) > 0) {
		struct fmt_opts fo = { .max_depth = 16,
				       .max_array = s->max_elements,
				       .path = "",
				       .max_nodes = TABLE_MAX_NODES };
		struct leaf_ctx lc = { .t = t, .n = 1, .single = t->nrows };
		struct row *row = &t->rows[t->nrows++];
		int err = 0;

		*row = (struct row){ .addr = node.addr, .index = node.index };
		if (t->elem_size && source__contains(s->src, node.addr, t->elem_size))
			err = window_source__read(&win, s->src, node.addr, t->elem_size);
		else
			window_source__free(&win);
		if (!err)
			err = fmt__leaves(s->bx, win.buf ? &win.s : s->src, &node.value, &fo,
					  on_leaf, &lc, NULL);
		if (err < 0) {
			snprintf(t->err, sizeof(t->err), "walk %s: node %" PRIu64 ": %s", t->spec,
				 node.index, ai_errmsg());
			break;
		}
		row->keep = filter_row(v, win.buf ? &win.s : s->src, row);
	}
	window_source__free(&win);
	walk__end(w, &end);
	walk__close(w);
	walk_end_text(t, &end);
	describe(t);
	widths(t);
	table__order(v);
}

/* Read every row again (the spec's value may have moved too). */
void table__build(struct view *v)
{
	struct tview *t = v->priv;
	struct session *s = v->s;
	struct window_source win = { 0 };
	struct value val;
	uint64_t n, chunk;

	table__rows_free(t);
	t->err[0] = t->desc[0] = '\0';
	t->kind = TK_NONE;
	t->rows_capped = t->cols_capped = t->cut = false;
	v->dirty = true;
	if (!t->spec)
		return;
	if (!s->src) {
		snprintf(t->err, sizeof(t->err), "no arena open");
		return;
	}
	if (!s->bx) {
		snprintf(t->err, sizeof(t->err), "%s",
			 s->btf_msg[0] ? s->btf_msg : "loading types...");
		return;
	}
	if (t->walk) {
		build_walk(v);
		return;
	}
	if (resolve(v, &val))
		return;
	describe(t);
	n = t->total;
	if (n > TABLE_MAX_ROWS) {
		n = TABLE_MAX_ROWS;
		t->rows_capped = true;
	}
	t->rows = calloc(n ? n : 1, sizeof(*t->rows));
	if (!t->rows) {
		snprintf(t->err, sizeof(t->err), "out of memory for %" PRIu64 " rows", n);
		return;
	}
	t->nrows = n;
	for (uint64_t i = 0; i < n; i++)
		t->rows[i] =
			(struct row){ .addr = t->first + i * t->elem_size, .index = t->base0 + i };
	chunk = TABLE_CHUNK_BYTES / t->elem_size;
	if (!chunk)
		chunk = 1;
	t->filter_fail = 0;
	t->filter_err[0] = '\0';
	/* one read per chunk of elements, walked as a slice of them and
	 * filtered from the same bytes */
	for (uint64_t k = 0; k < n; k += chunk) {
		uint64_t m = n - k < chunk ? n - k : chunk;
		struct value sl = { .btf = t->btf,
				    .type_id = t->elem_id,
				    .lvalue = true,
				    .addr = t->first + k * t->elem_size,
				    .slice_len = (uint32_t)m };
		struct fmt_opts fo = { .max_depth = 16,
				       .max_array = (int)m,
				       .path = "",
				       .follow_ptrs = t->elem_ptr ? 1 : 0,
				       .max_nodes = TABLE_MAX_NODES };
		struct leaf_ctx lc = { .t = t, .base = (int)k, .n = (int)m, .single = -1 };
		uint64_t bytes = m * t->elem_size;
		int err = 0;

		if (fo.max_array < s->max_elements)
			fo.max_array = s->max_elements;
		if (source__contains(s->src, sl.addr, bytes))
			err = window_source__read(&win, s->src, sl.addr, bytes);
		else
			window_source__free(&win); /* the formatter says what is outside */
		if (!err)
			err = fmt__leaves(s->bx, win.buf ? &win.s : s->src, &sl, &fo, on_leaf, &lc,
					  NULL);
		if (err < 0) {
			snprintf(t->err, sizeof(t->err), "%s: %s", t->spec, ai_errmsg());
			break;
		}
		for (uint64_t i = k; i < k + m; i++)
			t->rows[i].keep = filter_row(v, win.buf ? &win.s : s->src, &t->rows[i]);
	}
	window_source__free(&win);
	widths(t);
	table__order(v);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Health view (H, :check): the findings of the arena's health check
 * (check.h: kind, where the value is stored, the value, the page state
 * behind it, the typed path when known) and its unreachable page runs;
 * :check runs it again. In its references mode (x in the page map, the
 * hex and the struct views, :refs) it lists every qword that points into
 * a range (refs.h), from an index kept while the arena's page map stays
 * the same (a live arena's is rebuilt when the page map is refreshed: a
 * store into an allocated page does not change the page map). Enter shows
 * the selected location (a run: its first page) in the hex view.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "error.h"
#include "refs.h"
#include "tui_int.h"

struct hrow {
	uint64_t addr; /* what Enter shows */
	char *text;
	bool err; /* a finding: the error colour */
};

struct health {
	bool refs_mode;
	bool ran;		    /* the check has run once */
	char head[256], head2[256]; /* the summary, two lines */
	char head3[256];	    /* object leaks, where there are objects */
	struct hrow *rows;
	int n, cap;
	int sel, top;
	struct refs_index *idx;
	uint64_t idx_gen; /* s->pm_gen the index was built at */
	uint64_t lo, hi;  /* refs mode: the range */
};

static void rows_clear(struct health *h)
{
	for (int i = 0; i < h->n; i++)
		free(h->rows[i].text);
	h->n = h->sel = h->top = 0;
}

static void row_add(struct health *h, uint64_t addr, bool err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void row_add(struct health *h, uint64_t addr, bool err, const char *fmt, ...)
{
	va_list ap;
	char *t;

	if (h->n == h->cap) {
		int cap = h->cap ? h->cap * 2 : 64;
		struct hrow *r = realloc(h->rows, cap * sizeof(*r));

		if (!r)
			return;
		h->rows = r;
		h->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&t, fmt, ap) < 0)
		t = NULL;
	va_end(ap);
	if (!t)
		return;
	h->rows[h->n++] = (struct hrow){ .addr = addr, .text = t, .err = err };
}

static void run_check(struct view *v)
{
	struct health *h = v->priv;
	struct session *s = v->s;
	const struct check_summary *m;
	struct check_result r = { 0 };
	struct check_opts co = { 0 };
	int err;
	uint64_t base = session__page_addr(s, 0), page = source__page_size(s->src);

	rows_clear(h);
	h->refs_mode = false;
	h->ran = true;
	h->head2[0] = h->head3[0] = '\0';
	co.progress = session__progress(s);
	err = check__run(s->bx, s->src, &co, &r);
	if (err == -ECANCELED) {
		snprintf(h->head, sizeof(h->head), "check cancelled (:check runs it again)");
		session__msg(s, false, "check cancelled");
		return;
	}
	if (err) {
		snprintf(h->head, sizeof(h->head), "check failed: %s", ai_errmsg());
		session__msg(s, true, "check: %s", ai_errmsg());
		return;
	}
	m = &r.summary;
	check__counts_text(m, h->head, sizeof(h->head));
	/* on a line of its own, so that a narrow screen does not cut the caveats */
	snprintf(h->head2, sizeof(h->head2),
		 "%u unreachable pages, %llu pages scanned, %u roots%s%s%s", m->unreachable_pages,
		 (unsigned long long)m->pages_scanned, m->nr_roots,
		 m->judged ? "" : "; reachability not judged (no roots)",
		 m->typed_cut ? "; typed walk cut" : "",
		 m->stale ? "; arena changed meanwhile" : "");
	if (m->live_objects && m->leaks_judged)
		snprintf(h->head3, sizeof(h->head3), "object leaks: %u of %llu live objects",
			 m->counts[CHECK_LEAKED_OBJECT], (unsigned long long)m->live_objects);
	else if (m->live_objects)
		snprintf(h->head3, sizeof(h->head3), "object leaks not judged: %s",
			 m->leaks_not_judged);
	for (uint32_t i = 0; i < r.nr_findings; i++) {
		const struct check_finding *f = &r.findings[i];

		char at[32] = "in map"; /* at 0: a root held in a map variable */

		if (f->at)
			snprintf(at, sizeof(at), "at 0x%llx", (unsigned long long)f->at);
		row_add(h, f->at, true, "%-10s %s = 0x%llx  %s%s%s%s%s", check__kind_name(f->kind),
			at, (unsigned long long)f->value, f->target_state, f->poison ? " " : "",
			f->poison ? f->poison : "", f->path ? "  " : "", f->path ? f->path : "");
	}
	for (uint32_t i = 0; i < r.nr_runs; i++) {
		const struct check_run *u = &r.runs[i];

		row_add(h, base + (uint64_t)u->first * page, false,
			"unreachable pages %u-%u (%u page%s) at 0x%llx", u->first, u->last,
			u->last - u->first + 1, u->last == u->first ? "" : "s",
			(unsigned long long)(base + (uint64_t)u->first * page));
	}
	check__result_free(&r);
}

static int add_ref(const struct refs_entry *e, void *ctx)
{
	struct view *v = ctx;
	struct health *h = v->priv;

	const char *path = refs__path(h->idx, e->at);

	row_add(h, e->at, false, "0x%llx -> 0x%llx (+%llu)%s%s", (unsigned long long)e->at,
		(unsigned long long)e->value, (unsigned long long)(e->value - h->lo),
		path ? "  " : "", path ? path : "");
	return 0;
}

static void show_refs(struct view *v)
{
	struct health *h = v->priv;
	struct session *s = v->s;
	bool keep;
	long n;

	rows_clear(h);
	h->refs_mode = true;
	h->head2[0] = '\0';
	h->lo = s->nav.addr;
	h->hi = s->nav.addr + (s->nav.len ? s->nav.len : 1);
	/* a snapshot never changes; a live arena: once per page map refresh */
	keep = h->idx && (s->src->info.is_snapshot || h->idx_gen == s->pm_gen) &&
	       refs__current(h->idx, s->src);
	if (!keep) {
		refs__free(h->idx);
		h->idx = NULL;
		struct refs_opts ro = { .bx = s->bx, .progress = session__progress(s) };
		int err = refs__build_opts(s->src, &ro, &h->idx);

		if (err == -ECANCELED) {
			snprintf(h->head, sizeof(h->head),
				 "references: cancelled (x or :refs builds the index again)");
			session__msg(s, false, "references: cancelled");
			return;
		}
		if (err) {
			snprintf(h->head, sizeof(h->head), "references: %s", ai_errmsg());
			session__msg(s, true, "refs: %s", ai_errmsg());
			return;
		}
		h->idx_gen = s->pm_gen;
	}
	n = refs__query(h->idx, h->lo, h->hi, NULL, NULL);
	refs__query(h->idx, h->lo, h->hi, add_ref, v);
	snprintf(h->head, sizeof(h->head), "%ld reference%s into [0x%llx, 0x%llx)", n,
		 n == 1 ? "" : "s", (unsigned long long)h->lo, (unsigned long long)h->hi);
	snprintf(h->head2, sizeof(h->head2), "%u pages scanned%s%s; %s", h->idx->pages_scanned,
		 h->idx->pages_vanished ? "; some pages vanished" : "",
		 h->idx->stale ? "; arena changed meanwhile" : "",
		 !h->idx->paths_known ? "untyped: no paths"
		 : h->idx->paths_cut  ? "typed paths (walk cut)"
				      : "typed paths");
}

static int health_open(struct view *v)
{
	struct health *h = calloc(1, sizeof(*h));

	if (!h)
		return -1;
	v->priv = h;
	return 0;
}

static void health_draw(struct view *v)
{
	struct health *h = v->priv;
	struct canvas *c = &v->c;
	int rows = c->height - 4;

	/* opened with H before any :check: run it now */
	if (!h->ran && !h->refs_mode && v->s->src)
		run_check(v);
	draw_clear(c);
	draw_row(c, 0);
	draw_str(c, R_HEADER, h->refs_mode ? "REFERENCES (x)" : "HEALTH CHECK (:check again)");
	draw_row(c, 1);
	draw_str(c, R_DIM, h->head);
	draw_row(c, 2);
	draw_str(c, R_DIM, h->head2);
	if (!h->refs_mode && h->head3[0]) {
		draw_row(c, 3);
		draw_str(c, R_DIM, h->head3);
	}
	if (!h->n) {
		draw_row(c, 2);
		draw_str(c, R_DIM,
			 h->refs_mode ? "  nothing points there"
				      : "  no findings, no unreachable pages");
		return;
	}
	if (rows < 1)
		return;
	if (h->sel < h->top)
		h->top = h->sel;
	if (h->sel >= h->top + rows)
		h->top = h->sel - rows + 1;
	for (int r = 0; r < rows && h->top + r < h->n; r++) {
		const struct hrow *w = &h->rows[h->top + r];

		draw_row(c, 4 + r);
		draw_hl(c, h->top + r == h->sel);
		draw_str(c, w->err ? R_ERROR : R_DEFAULT, w->text);
		if (c->hl)
			draw_fill(c, R_CURSOR);
		draw_hl(c, false);
	}
}

static void select_row(struct health *h, int i)
{
	h->sel = i >= h->n ? h->n - 1 : i < 0 ? 0 : i;
}

/* a click selects the row (below the three header rows and a gap), a
 * double click shows it in hex */
static enum request health_click(struct view *v, int row, int col, bool dbl)
{
	struct health *h = v->priv;
	int i = h->top + row - 4;

	if (row < 4 || i >= h->n)
		return REQ_NONE;
	h->sel = i;
	return dbl ? REQ_ENTER : REQ_NONE;
}

static enum request health_request(struct view *v, enum request req)
{
	struct health *h = v->priv;
	int page = v->c.height - 4 > 1 ? v->c.height - 4 : 1;

	switch (req) {
	case REQ_UP: select_row(h, h->sel - 1); break;
	case REQ_DOWN: select_row(h, h->sel + 1); break;
	case REQ_PAGE_UP: select_row(h, h->sel - page); break;
	case REQ_PAGE_DOWN: select_row(h, h->sel + page); break;
	case REQ_FIRST: select_row(h, 0); break;
	case REQ_LAST: select_row(h, h->n - 1); break;
	case REQ_SHOW_CHECK: run_check(v); break;
	case REQ_SHOW_REFS: show_refs(v); break;
	case REQ_ENTER:
		if (!h->n)
			break;
		if (!h->rows[h->sel].addr) {
			session__msg(v->s, true,
				     "that value is stored in a map variable, not in "
				     "the arena: no hex to show");
			break;
		}
		session__nav_addr(v->s, h->rows[h->sel].addr);
		return REQ_SHOW_HEX;
	default: return req;
	}
	return REQ_NONE;
}

struct health_pat {
	struct health *h;
	const char *pat;
};

static bool health_match(int i, void *ctx)
{
	struct health_pat *m = ctx;

	return strcasestr(m->h->rows[i].text, m->pat);
}

static int health_search(struct view *v, const char *pat, int dir)
{
	struct health *h = v->priv;
	struct health_pat m = { h, pat };

	return search_rows(h->n, h->sel, dir, health_match, &m, &h->sel);
}

static void health_status(struct view *v, char *buf, size_t len)
{
	struct health *h = v->priv;

	if (!h->n)
		snprintf(buf, len, "%s   :check again   q/Esc: back",
			 h->refs_mode ? "no references" : "nothing found");
	else
		snprintf(buf, len, "%s %d of %d   Enter: hex   :check again   q/Esc: back",
			 h->refs_mode ? "reference" : "row", h->sel + 1, h->n);
}

static void health_done(struct view *v)
{
	struct health *h = v->priv;

	rows_clear(h);
	free(h->rows);
	refs__free(h->idx);
	free(h);
}

const struct view_ops health_ops = {
	.name = "health",
	.open = health_open,
	.draw = health_draw,
	.request = health_request,
	.status = health_status,
	.search = health_search,
	.click = health_click,
	.done = health_done,
};

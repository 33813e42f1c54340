// SPDX-License-Identifier: GPL-2.0
/* Text view: help and type definitions, from the session's nav on
 * REQ_SHOW_TEXT (the view takes the lines). Lines starting with \1 are
 * headings. With nav.text_addr (the allocation `i` described), Enter shows
 * that address in hex. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui_int.h"

struct text {
	char title[64];
	char **lines;
	int n;
	int top;
	int match;   /* line of the last search hit, -1 */
	uint64_t go; /* Enter shows it in hex (the allocation after i), 0 */
};

static void text_free_lines(struct text *x)
{
	for (int i = 0; i < x->n; i++)
		free(x->lines[i]);
	free(x->lines);
	x->lines = NULL;
	x->n = 0;
}

static int text_open(struct view *v)
{
	struct text *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	x->match = -1;
	v->priv = x;
	return 0;
}

static void text_set(struct view *v)
{
	struct text *x = v->priv;
	struct session *s = v->s;

	text_free_lines(x);
	snprintf(x->title, sizeof(x->title), "%s", s->nav.title ? s->nav.title : "");
	x->go = s->nav.text_addr;
	x->lines = session__take_text(s, &x->n);
	x->top = 0;
	x->match = -1;
	v->dirty = true;
}

static void text_draw(struct view *v)
{
	struct text *x = v->priv;
	struct canvas *c = &v->c;

	for (int row = 0; row < c->height; row++) {
		int i = x->top + row;

		draw_row(c, row);
		if (i >= x->n)
			continue;
		if (x->lines[i][0] == '\1')
			draw_str(c, R_HEADER, x->lines[i] + 1);
		else
			draw_str(c, i == x->match ? R_KEY : R_DEFAULT, x->lines[i]);
	}
}

static int text_max_top(struct view *v)
{
	struct text *x = v->priv;
	int m = x->n - v->c.height;

	return m < 0 ? 0 : m;
}

static enum request text_request(struct view *v, enum request req)
{
	struct text *x = v->priv;
	int h = v->c.height;

	switch (req) {
	case REQ_UP: x->top--; break;
	case REQ_ENTER:
		if (x->go) {
			session__nav_addr(v->s, x->go);
			return REQ_SHOW_HEX;
		}
		x->top++;
		break;
	case REQ_DOWN: x->top++; break;
	case REQ_PAGE_UP: x->top -= h; break;
	case REQ_PAGE_DOWN: x->top += h; break;
	case REQ_FIRST: x->top = 0; break;
	case REQ_LAST: x->top = text_max_top(v); break;
	case REQ_SHOW_TEXT: text_set(v); break;
	default: return req;
	}
	if (x->top > text_max_top(v))
		x->top = text_max_top(v);
	if (x->top < 0)
		x->top = 0;
	return REQ_NONE;
}

struct text_pat {
	struct text *x;
	const char *pat;
};

static bool text_match(int i, void *ctx)
{
	struct text_pat *m = ctx;

	return strcasestr(m->x->lines[i], m->pat);
}

static int text_search(struct view *v, const char *pat, int dir)
{
	struct text *x = v->priv;
	struct text_pat m = { x, pat };
	/* from the last hit, else from the screen's edge */
	int start = x->match >= 0 ? x->match : dir > 0 ? x->top - 1 : x->top + v->c.height;
	int r = search_rows(x->n, start, dir, text_match, &m, &x->match);

	if (r != SEARCH_NONE && (x->match < x->top || x->match >= x->top + v->c.height))
		x->top = x->match > 2 ? x->match - 2 : 0;
	return r;
}

static void text_status(struct view *v, char *buf, size_t len)
{
	struct text *x = v->priv;

	snprintf(buf, len, "%s: lines %d-%d of %d   q/Esc: back", x->title, x->n ? x->top + 1 : 0,
		 x->top + v->c.height < x->n ? x->top + v->c.height : x->n, x->n);
}

static void text_done(struct view *v)
{
	struct text *x = v->priv;

	text_free_lines(x);
	free(x);
}

static const char *text_title(struct view *v)
{
	struct text *x = v->priv;

	return x->title;
}

const struct view_ops text_ops = {
	.title = text_title,
	.name = "text",
	.open = text_open,
	.draw = text_draw,
	.request = text_request,
	.status = text_status,
	.search = text_search,
	.done = text_done,
};

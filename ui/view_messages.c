// SPDX-License-Identifier: GPL-2.0
/*
 * Messages view (M, :messages): the status messages of this session that
 * the session keeps (the last SESSION_MSGS), oldest first, each with its
 * time, errors in the error colour. A message replaced on the status line
 * before it could be read is here. The selection is kept by the message's
 * number, so it stays put as new ones come, and on the newest it follows
 * them (as tail -f).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui_int.h"

struct mview {
	uint64_t sel; /* number of the selected message (0: the first ever) */
	int top;      /* first row shown, an index into the kept ones */
	bool follow;  /* the selection is on the newest and stays there */
};

/* number of the oldest message kept */
static uint64_t first_kept(const struct view *v)
{
	return v->s->nr_msgs - session__nr_msgs(v->s);
}

/* the selection as an index into the kept messages, -1: none */
static int sel_index(struct view *v)
{
	struct mview *m = v->priv;
	int n = session__nr_msgs(v->s);

	if (!n)
		return -1;
	if (m->follow || m->sel >= v->s->nr_msgs)
		m->sel = v->s->nr_msgs - 1;
	if (m->sel < first_kept(v))
		m->sel = first_kept(v);
	return (int)(m->sel - first_kept(v));
}

static void select_index(struct view *v, int i)
{
	struct mview *m = v->priv;
	int n = session__nr_msgs(v->s);

	i = i >= n ? n - 1 : i < 0 ? 0 : i;
	m->sel = first_kept(v) + i;
	m->follow = i == n - 1;
}

static int messages_open(struct view *v)
{
	struct mview *m = calloc(1, sizeof(*m));

	if (!m)
		return -1;
	m->follow = true;
	v->priv = m;
	return 0;
}

static void messages_draw(struct view *v)
{
	struct mview *m = v->priv;
	struct canvas *c = &v->c;
	int n = session__nr_msgs(v->s), rows = c->height - 1, sel = sel_index(v);
	char when[32];

	draw_clear(c);
	draw_row(c, 0);
	draw_fmt(c, R_HEADER, "%-12s  %s", "TIME", "MESSAGE");
	if (v->s->nr_msgs > (uint64_t)n)
		/* the ring's cap, said where it cuts */
		draw_fmt(c, R_DIM, "   the last %d of %llu messages (older ones are not kept)", n,
			 (unsigned long long)v->s->nr_msgs);
	else
		draw_fmt(c, R_DIM, "   %d message%s", n, n == 1 ? "" : "s");
	if (!n) {
		draw_row(c, 2);
		draw_str(c, R_DIM, "  no messages yet: what the status line says is kept here");
		return;
	}
	if (rows < 1)
		return;
	if (sel < m->top)
		m->top = sel;
	if (sel >= m->top + rows)
		m->top = sel - rows + 1;
	for (int r = 0; r < rows && m->top + r < n; r++) {
		const struct session_msg *msg = session__msg_at(v->s, m->top + r);

		draw_row(c, 1 + r);
		draw_hl(c, m->top + r == sel);
		fmt_hms(msg->time_ns, when, sizeof(when));
		draw_fmt(c, R_DIM, "%-12s  ", when);
		draw_str(c, msg->err ? R_ERROR : R_DEFAULT, msg->text);
		if (c->hl)
			draw_fill(c, R_CURSOR);
		draw_hl(c, false);
	}
}

static enum request messages_request(struct view *v, enum request req)
{
	int i = sel_index(v), page = v->c.height - 1 > 1 ? v->c.height - 1 : 1;

	switch (req) {
	case REQ_UP: select_index(v, i - 1); break;
	case REQ_DOWN: select_index(v, i + 1); break;
	case REQ_PAGE_UP: select_index(v, i - page); break;
	case REQ_PAGE_DOWN: select_index(v, i + page); break;
	case REQ_FIRST: select_index(v, 0); break;
	case REQ_LAST: select_index(v, session__nr_msgs(v->s) - 1); break;
	default: return req;
	}
	return REQ_NONE;
}

/* a click selects the message */
static enum request messages_click(struct view *v, int row, int col, bool dbl)
{
	struct mview *m = v->priv;
	int i = m->top + row - 1;

	if (row >= 1 && i < session__nr_msgs(v->s))
		select_index(v, i);
	return REQ_NONE;
}

static bool messages_match(int i, void *ctx)
{
	struct view *v = ctx;

	return strcasestr(session__msg_at(v->s, i)->text, v->s->search);
}

static int messages_search(struct view *v, const char *pat, int dir)
{
	int i, r = search_rows(session__nr_msgs(v->s), sel_index(v), dir, messages_match, v, &i);

	if (r != SEARCH_NONE)
		select_index(v, i);
	return r;
}

static void messages_status(struct view *v, char *buf, size_t len)
{
	int n = session__nr_msgs(v->s), i = sel_index(v);

	if (i < 0)
		snprintf(buf, len, "no messages   q/Esc: back");
	else
		snprintf(buf, len, "message %d of %d%s   q/Esc: back", i + 1, n,
			 v->s->nr_msgs > (uint64_t)n ? " (the last ones kept)" : "");
}

/* new messages come between ticks: redraw when there are more */
static uint64_t messages_gen(struct view *v)
{
	return v->s->nr_msgs;
}

static void messages_done(struct view *v)
{
	free(v->priv);
}

const struct view_ops messages_ops = {
	.name = "messages",
	.open = messages_open,
	.draw = messages_draw,
	.request = messages_request,
	.status = messages_status,
	.search = messages_search,
	.click = messages_click,
	.done = messages_done,
	.model_gen = messages_gen,
};

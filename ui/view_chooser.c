// SPDX-License-Identifier: GPL-2.0
/*
 * Arena chooser: every arena on this machine (live__list), refreshed on the
 * tick with the selection kept by map id. Enter opens one (REQ_OPEN_ARENA:
 * the engine closes the arena open before). s (F6) sorts by the next
 * column, S reverses; the sort and the selection survive every refresh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "live.h"
#include "tui_int.h"

struct chooser {
	struct arena_summary *a;
	int n;
	int sel, top;
	char err[256];
	unsigned ticks;
	int sort_col; /* enum ccol */
	int sort_dir; /* 1 ascending, -1 descending */
};

enum ccol { K_ID, K_NAME, K_SIZE, K_ALLOC, K_RESV, K_ADDR, K_PROGS, K_OWNERS, K__NR };

static const struct {
	const char *head;
	int width; /* the column's room, its gap not counted */
	bool right;
} ccols[K__NR] = {
	[K_ID] = { "ID", 8 },
	[K_NAME] = { "NAME", 16 },
	[K_SIZE] = { "SIZE", 10, true },
	[K_ALLOC] = { "ALLOCATED", 10, true },
	[K_RESV] = { "RESERVED", 9, true },
	[K_ADDR] = { "USER ADDRESS", 18 },
	[K_PROGS] = { "PROGRAMS", 16 },
	[K_OWNERS] = { "OWNERS", 0 },
};

static uint64_t ckey(const struct arena_summary *a, int col)
{
	switch (col) {
	case K_SIZE: return (uint64_t)a->info.max_pages << a->info.page_shift;
	case K_ALLOC: return a->allocated;
	case K_RESV: return a->reserved;
	case K_ADDR: return a->info.user_vm_start;
	case K_PROGS: return a->info.nr_progs;
	case K_OWNERS: return a->info.nr_owners;
	default: return a->info.map_id;
	}
}

static int sort_col, sort_dir; /* for qsort's comparator */

static int ccmp(const void *pa, const void *pb)
{
	const struct arena_summary *a = pa, *b = pb;
	int r;

	if (sort_col == K_NAME) {
		r = strcmp(a->info.name, b->info.name);
	} else {
		uint64_t x = ckey(a, sort_col), y = ckey(b, sort_col);

		r = x < y ? -1 : x > y;
	}
	/* ties in id order, whichever way */
	if (!r)
		r = a->info.map_id < b->info.map_id ? -1 : a->info.map_id > b->info.map_id;
	return r * sort_dir;
}

static void sort_rows(struct chooser *ch)
{
	sort_col = ch->sort_col;
	sort_dir = ch->sort_dir ? ch->sort_dir : 1;
	if (ch->n > 1)
		qsort(ch->a, ch->n, sizeof(*ch->a), ccmp);
}

static void chooser_load(struct view *v)
{
	struct chooser *ch = v->priv;
	struct arena_summary *a;
	uint32_t sel_id = ch->n ? ch->a[ch->sel].info.map_id : 0;
	int n, err;

	err = live__list(cli_probe(), &a, &n);
	if (err) {
		snprintf(ch->err, sizeof(ch->err), "cannot list arenas: %s", ai_errmsg());
		return;
	}
	ch->err[0] = 0;
	free(ch->a);
	ch->a = a;
	ch->n = n;
	sort_rows(ch);
	/* keep the selection on the same arena */
	ch->sel = 0;
	for (int i = 0; i < n; i++)
		if (a[i].info.map_id == sel_id)
			ch->sel = i;
	v->dirty = true;
}

static int chooser_open(struct view *v)
{
	struct chooser *ch = calloc(1, sizeof(*ch));

	if (!ch)
		return -1;
	v->priv = ch;
	chooser_load(v);
	return 0;
}

static void chooser_tick(struct view *v)
{
	struct chooser *ch = v->priv;

	/* listing opens every arena: every other tick is plenty */
	if (ch->ticks++ % 2 == 0)
		chooser_load(v);
}

/* owners as bpftool shows them: comm(pid) */
static void fmt_pids(const struct arena_info *ai, char *buf, size_t len)
{
	fmt_owners(ai, buf, len);
}

static void fmt_progs(const struct arena_info *ai, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (uint32_t i = 0; i < ai->nr_progs && i < 64 && o + 12 < len; i++)
		o += snprintf(buf + o, len - o, "%s%u", i ? "," : "", ai->prog_ids[i]);
	if (!ai->nr_progs)
		snprintf(buf, len, "-");
}

static void chooser_draw(struct view *v)
{
	struct chooser *ch = v->priv;
	struct canvas *c = &v->c;
	int rows = c->height - 2;

	draw_clear(c);
	draw_row(c, 0);
	for (int k = 0, end = 0; k < K__NR; k++) {
		/* the sort column's name carries its direction */
		char head[40];

		snprintf(head, sizeof(head), "%s%s", ccols[k].head,
			 k != ch->sort_col || !ch->sort_dir ? "" /* the default: no mark */
			 : ch->sort_dir < 0		    ? glyph->sort_down
							    : glyph->sort_up);
		end += ccols[k].width;
		if (ccols[k].right)
			draw_pad(c, R_HEADER, end - draw_cols(head));
		draw_str(c, R_HEADER, head);
		draw_pad(c, R_HEADER, end);
		end++;
		draw_pad(c, R_HEADER, end);
	}
	if (ch->err[0]) {
		draw_row(c, 2);
		draw_str(c, R_ERROR, ch->err);
	} else if (!ch->n) {
		draw_row(c, 2);
		draw_str(c, R_DIM,
			 "No BPF arena on this machine. Load one, or open a snapshot: "
			 "arena-inspect FILE");
	}
	if (ch->sel < ch->top)
		ch->top = ch->sel;
	if (rows > 0 && ch->sel >= ch->top + rows)
		ch->top = ch->sel - rows + 1;
	for (int r = 0; r < rows && ch->top + r < ch->n; r++) {
		struct arena_summary *s = &ch->a[ch->top + r];
		char size[32], alloc[32], pids[128], progs[128];

		fmt_size((uint64_t)s->info.max_pages << s->info.page_shift, size, sizeof(size));
		snprintf(alloc, sizeof(alloc), "%u", s->allocated);
		fmt_pids(&s->info, pids, sizeof(pids));
		fmt_progs(&s->info, progs, sizeof(progs));
		draw_row(c, r + 1);
		draw_hl(c, ch->top + r == ch->sel);
		draw_fmt(c, R_DEFAULT, "%-8u %-16s %10s %10s %9u ", s->info.map_id, s->info.name,
			 size, alloc, s->reserved);
		if (s->info.user_vm_start)
			draw_fmt(c, R_DEFAULT, "0x%-16llx ",
				 (unsigned long long)s->info.user_vm_start);
		else
			draw_fmt(c, R_DIM, "%-18s ", "(never mapped)");
		draw_fmt(c, R_DEFAULT, "%-16s %s", progs, pids);
		if (c->hl)
			draw_fill(c, R_CURSOR);
	}
}

static enum request chooser_request(struct view *v, enum request req)
{
	struct chooser *ch = v->priv;
	int page = v->c.height - 3 > 1 ? v->c.height - 3 : 1;
	struct selector sel = { .kind = SEL_ID };
	struct source *src;

	switch (req) {
	case REQ_UP: ch->sel--; break;
	case REQ_DOWN: ch->sel++; break;
	case REQ_PAGE_UP: ch->sel -= page; break;
	case REQ_PAGE_DOWN: ch->sel += page; break;
	case REQ_FIRST: ch->sel = 0; break;
	case REQ_LAST: ch->sel = ch->n - 1; break;
	case REQ_REFRESH: chooser_load(v); return REQ_NONE;
	case REQ_SORT_NEXT:
	case REQ_SORT_REVERSE: {
		uint32_t id = ch->n ? ch->a[ch->sel].info.map_id : 0;

		if (req == REQ_SORT_NEXT) {
			ch->sort_col = (ch->sort_col + 1) % K__NR;
			ch->sort_dir = 1;
		} else {
			ch->sort_dir = ch->sort_dir < 0 ? 1 : -1;
		}
		sort_rows(ch);
		for (int i = 0; i < ch->n; i++)
			if (ch->a[i].info.map_id == id)
				ch->sel = i;
		session__msg(v->s, false, "sorted by %s, %s", ccols[ch->sort_col].head,
			     ch->sort_dir < 0 ? "descending" : "ascending");
		return REQ_NONE;
	}
	case REQ_ENTER:
		if (!ch->n)
			return REQ_NONE;
		sel.id = ch->a[ch->sel].info.map_id;
		if (live__open(&sel, cli_probe(), &src)) {
			session__lib_msg(v->s, "open");
			return REQ_NONE;
		}
		session__nav_source(v->s, src);
		return REQ_OPEN_ARENA;
	default: return req;
	}
	if (ch->sel >= ch->n)
		ch->sel = ch->n - 1;
	if (ch->sel < 0)
		ch->sel = 0;
	return REQ_NONE;
}

struct chooser_pat {
	struct chooser *ch;
	const char *pat;
};

/* a click selects the row, a double click opens it */
static enum request chooser_click(struct view *v, int row, int col, bool dbl)
{
	struct chooser *ch = v->priv;
	int i = ch->top + row - 1;

	if (row < 1 || i >= ch->n)
		return REQ_NONE;
	ch->sel = i;
	return dbl ? REQ_ENTER : REQ_NONE;
}

static bool chooser_match(int i, void *ctx)
{
	struct chooser_pat *m = ctx;
	char id[16];

	snprintf(id, sizeof(id), "%u", m->ch->a[i].info.map_id);
	return strcasestr(m->ch->a[i].info.name, m->pat) || !strcmp(id, m->pat);
}

static int chooser_search(struct view *v, const char *pat, int dir)
{
	struct chooser *ch = v->priv;
	struct chooser_pat m = { ch, pat };

	return search_rows(ch->n, ch->sel, dir, chooser_match, &m, &ch->sel);
}

static void chooser_status(struct view *v, char *buf, size_t len)
{
	struct chooser *ch = v->priv;

	if (ch->n)
		snprintf(buf, len, "%d arena%s   Enter: open   /: find by name   s/F6: sort", ch->n,
			 ch->n == 1 ? "" : "s");
	else
		snprintf(buf, len, "no arenas");
}

static void chooser_done(struct view *v)
{
	struct chooser *ch = v->priv;

	free(ch->a);
	free(ch);
}

const struct view_ops chooser_ops = {
	.name = "arenas",
	.open = chooser_open,
	.draw = chooser_draw,
	.request = chooser_request,
	.tick = chooser_tick,
	.status = chooser_status,
	.search = chooser_search,
	.click = chooser_click,
	.done = chooser_done,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * Page map: the whole arena at a glance. A cell is one page or, zoomed out,
 * a bin of pages shaded by the fraction allocated. Each refresh is compared
 * with the previous one and cells where pages were allocated ('+') or freed
 * ('-') are marked until the next refresh. With a :diff snapshot, cells
 * with pages allocated since it ('A') or freed since ('F') are marked as
 * well. The symbols are the CLI picture's (pagesym.h). The legend shows
 * until the first key in the view, then L toggles it.
 * With `a`, cells show the allocator that owns most of their pages (heap.h:
 * its initial, in its colour), `g` for __arena globals and `?` for
 * allocated pages that no allocator claims.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heap.h"
#include "find.h"
#include "pagesym.h"
#include "tui_int.h"

#define SEARCH_PAGES 16384 /* allocated pages read a keypress, as in hex */

#define LABEL_W 10 /* "%8u  " page number of the row, decimal as in the status line */

struct pages {
	uint32_t nr;	     /* pages in the arena */
	uint8_t *now, *prev; /* states at the last two refreshes we saw */
	uint64_t gen;	     /* s->pm_gen of `now` */
	uint32_t ppc;	     /* pages per cell, a power of two */
	bool fit;	     /* follow the window size with ppc */
	uint64_t cell;	     /* cursor */
	uint64_t top;	     /* first row shown */
	bool by_heap;	     /* a: colour by allocator */
	uint64_t found;	     /* the last search match (or where a cap stopped) */
	uint64_t found_cell; /* the cell the cursor was put on for it */
	bool have_found;
	int legend; /* LEGEND_* */
};

enum { LEGEND_UNTIL_KEY, LEGEND_ON, LEGEND_OFF };

static int grid_cols(const struct view *v)
{
	int w = v->c.width - LABEL_W;

	if (w >= 32)
		return w / 16 * 16;
	return w > 1 ? w : 1;
}

/* the counts, the legend, and with a diff a line about it */
static int head_rows(const struct view *v)
{
	return v->s->diff_src ? 3 : 2;
}

static int grid_rows(const struct view *v)
{
	int h = v->c.height - head_rows(v);

	return h > 1 ? h : 1;
}

static uint64_t nr_cells(const struct pages *p)
{
	return ((uint64_t)p->nr + p->ppc - 1) / p->ppc;
}

/* smallest power of two that puts the whole arena on the screen */
static uint32_t fit_ppc(const struct view *v, uint32_t nr)
{
	uint64_t cap = (uint64_t)grid_cols(v) * grid_rows(v);
	uint32_t ppc = 1;

	while ((uint64_t)nr > cap * ppc && ppc < (1u << 30))
		ppc <<= 1;
	return ppc;
}

static void set_ppc(struct view *v, uint32_t ppc)
{
	struct pages *p = v->priv;
	uint64_t page = p->cell * p->ppc;

	p->ppc = ppc ? ppc : 1;
	p->cell = page / p->ppc;
	p->top = 0;
}

static void take(struct view *v)
{
	struct pages *p = v->priv;
	struct session *s = v->s;

	if (!s->have_pm || p->gen == s->pm_gen)
		return;
	free(p->prev);
	p->prev = p->now;
	p->now = malloc(s->pm.nr_pages ? s->pm.nr_pages : 1);
	if (!p->now)
		return;
	memcpy(p->now, s->pm.state, s->pm.nr_pages);
	/* a different size (another arena) has nothing to compare with */
	if (p->nr != s->pm.nr_pages) {
		free(p->prev);
		p->prev = NULL;
		p->nr = s->pm.nr_pages;
		if (p->fit)
			set_ppc(v, fit_ppc(v, p->nr));
	}
	p->gen = s->pm_gen;
}

static int pages_open(struct view *v)
{
	struct pages *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	v->priv = p;
	p->ppc = 1;
	p->fit = true;
	p->legend = LEGEND_UNTIL_KEY;
	take(v);
	return 0;
}

static void pages_tick(struct view *v)
{
	take(v);
	v->dirty = true;
}

#define BIN_OWNERS 8 /* allocators told apart in a bin; more count as the 8th */

struct bin {
	uint32_t n, alloc, resv, added, removed;
	uint32_t dnew, dgone; /* allocated / freed since the :diff snapshot */
	/* by allocator (a): pages per owner, globals, unclaimed */
	uint32_t owned[BIN_OWNERS], globals, unclaimed;
	int owner; /* the owner of most pages: an allocator index, HEAP_OWNER_*, or -3: none */
};

/* Pages in the bin, with what changed since the last refresh and, with a
 * :diff, since the snapshot (its page states from the session's diff; a
 * snapshot of another size is refused by :diff) */
static void count_bin(const struct view *v, uint64_t cell, struct bin *b, const struct heap *h)
{
	const struct pages *p = v->priv;
	const struct session *ses = v->s;
	uint64_t first = cell * p->ppc, last = first + p->ppc;
	uint32_t most = 0;

	memset(b, 0, sizeof(*b));
	b->owner = -3;
	if (last > p->nr)
		last = p->nr;
	for (uint64_t i = first; i < last; i++) {
		uint8_t s = p->now[i];
		int then = ses->diff ? session__diff_page(ses, i) : -1;
		int o = h ? heap__page_owner(h, i) : HEAP_OWNER_NONE;

		if (o >= 0)
			b->owned[o < BIN_OWNERS ? o : BIN_OWNERS - 1]++;
		else if (o == HEAP_OWNER_GLOBALS)
			b->globals++;
		else if (h && s == PAGE_ALLOCATED)
			b->unclaimed++;

		b->n++;
		b->alloc += s == PAGE_ALLOCATED;
		b->resv += s == PAGE_RESERVED;
		if (p->prev && p->prev[i] != s) {
			b->added += s == PAGE_ALLOCATED;
			b->removed += p->prev[i] == PAGE_ALLOCATED;
		}
		if (then >= 0 && (then == PAGE_ALLOCATED) != (s == PAGE_ALLOCATED)) {
			b->dnew += s == PAGE_ALLOCATED;
			b->dgone += s != PAGE_ALLOCATED;
		}
	}
	for (int o = 0; o < BIN_OWNERS; o++)
		if (b->owned[o] > most) {
			most = b->owned[o];
			b->owner = o;
		}
	if (b->globals > most) {
		most = b->globals;
		b->owner = HEAP_OWNER_GLOBALS;
	}
	if (b->unclaimed > most)
		b->owner = HEAP_OWNER_NONE;
}

/* a: the cell's owner, its initial in its colour; false: none */
static bool draw_owner(struct canvas *c, const struct bin *b, const struct heap *h, bool cursor)
{
	char g[2] = "?";

	if (!h || b->owner == -3 || b->added || b->removed)
		return false;
	if (b->owner >= 0 && (size_t)b->owner < h->nr_allocs)
		g[0] = h->allocs[b->owner].be->name[0];
	else if (b->owner == HEAP_OWNER_GLOBALS)
		g[0] = 'g';
	draw_hl(c, cursor);
	draw_str(c, tui_heap_role(b->owner), g);
	draw_hl(c, false);
	return true;
}

static void draw_cell(struct canvas *c, const struct bin *b, bool cursor)
{
	char ch[2] = { pagesym__char(b->alloc, b->resv, b->n), 0 };
	const char *g = ch;
	enum role r;

	if (b->added && b->added >= b->removed) {
		r = R_ADDED;
		g = "+";
	} else if (b->removed) {
		r = R_REMOVED;
		g = "-";
	} else if (b->dnew || b->dgone) {
		/* which way since the snapshot: allocated, or freed */
		r = R_DIFF;
		g = b->dnew >= b->dgone ? "A" : "F";
	} else if (b->alloc) {
		r = b->alloc == b->n ? R_ALLOC : R_ALLOC_PART;
		/* the cursor shows the character: a reversed full block
		 * would look like an empty cell */
		if (!cursor)
			g = glyph->shade[pagesym__level(b->alloc, b->n)];
	} else {
		r = b->resv ? R_RESERVED : R_FREE;
	}
	draw_hl(c, cursor);
	draw_str(c, r, g);
	draw_hl(c, false);
}

static void pages_draw(struct view *v)
{
	struct pages *p = v->priv;
	struct session *s = v->s;
	struct canvas *c = &v->c;
	const struct pagemap *pm = &s->pm;
	int cols = grid_cols(v), rows = grid_rows(v);
	const struct heap *h = p->by_heap ? session__heap(s) : NULL;
	uint64_t ncells, crow, total_rows;
	char size[32];

	draw_clear(c);
	if (!p->now) {
		draw_row(c, 0);
		draw_str(c, R_ERROR, "no page map yet");
		return;
	}
	if (p->fit)
		set_ppc(v, fit_ppc(v, p->nr));
	ncells = nr_cells(p);
	if (p->cell >= ncells)
		p->cell = ncells ? ncells - 1 : 0;
	crow = p->cell / cols;
	total_rows = (ncells + cols - 1) / cols;
	if (crow < p->top)
		p->top = crow;
	if (crow >= p->top + rows)
		p->top = crow - rows + 1;

	fmt_size((uint64_t)p->nr * source__page_size(v->s->src), size, sizeof(size));
	draw_row(c, 0);
	draw_fmt(c, R_LABEL, "pages %u (%s)", p->nr, size);
	draw_str(c, R_DEFAULT, "  allocated ");
	draw_fmt(c, R_ALLOC, "%u", pm->counts[PAGE_ALLOCATED]);
	draw_fmt(c, R_DEFAULT, " (%.2f%%)  reserved ",
		 p->nr ? 100.0 * pm->counts[PAGE_ALLOCATED] / p->nr : 0.0);
	draw_fmt(c, R_RESERVED, "%u", pm->counts[PAGE_RESERVED]);
	draw_fmt(c, R_DEFAULT, "  free %u  free runs %u  largest free run %u",
		 pm->counts[PAGE_FREE], pm->nr_free_runs, pm->largest_free_run);
	if (pm->stale) {
		draw_str(c, R_DEFAULT, "  ");
		draw_str(c, R_STALE, " stale ");
	}
	draw_row(c, 1);
	draw_fmt(c, R_LABEL, "%u page%s/cell%s", p->ppc, p->ppc == 1 ? "" : "s",
		 p->fit ? " (fit)" : "");
	if (h) {
		/* by allocator: each one's initial, then the others */
		draw_str(c, R_DIM, "   by allocator:");
		for (size_t i = 0; i < h->nr_allocs; i++) {
			char g[2] = { h->allocs[i].be->name[0], 0 };

			draw_str(c, R_DIM, " ");
			draw_str(c, tui_heap_role((int)i), g);
			draw_fmt(c, R_DIM, " %s", h->allocs[i].be->name);
		}
		draw_str(c, R_DIM, "  ");
		draw_str(c, R_GLOBALS, "g");
		draw_str(c, R_DIM, " globals  ");
		draw_str(c, R_UNCLAIMED, "?");
		draw_fmt(c, R_DIM, " unclaimed (%llu)  ", (unsigned long long)h->unclaimed_pages);
		draw_str(c, R_RESERVED, "r");
		draw_str(c, R_DIM, " reserved   a: by state");
	} else if (p->legend != LEGEND_OFF) {
		draw_str(c, R_FREE, "   .");
		draw_str(c, R_DIM, " free  ");
		draw_str(c, R_RESERVED, "r");
		draw_str(c, R_DIM, " reserved  ");
		/* short enough for 80 columns: the help and README say more */
		for (int i = 0; i < PAGESYM_LEVELS; i++)
			draw_str(c, R_ALLOC_PART, glyph->shade[i]);
		draw_str(c, R_DIM, " allocated  ");
		draw_str(c, R_ADDED, "+");
		draw_str(c, R_DIM, " new  ");
		draw_str(c, R_REMOVED, "-");
		draw_str(c, R_DIM, " freed  L hides");
	} else {
		draw_str(c, R_DIM, "   L: legend");
	}
	if (s->diff_src) {
		uint32_t nalloc, nfreed;

		session__diff_counts(s, &nalloc, &nfreed);
		draw_row(c, 2);
		draw_str(c, R_DIFF, "A");
		draw_str(c, R_DIM, " allocated / ");
		draw_str(c, R_DIFF, "F");
		draw_fmt(c, R_DIM,
			 " freed since the snapshot (diff vs %s: %u pages allocated, %u freed)",
			 s->diff_path, nalloc, nfreed);
		draw_str(c, R_DIM, "   ]/[ next/previous");
	}

	for (int r = 0; r < rows && p->top + r < total_rows; r++) {
		uint64_t first = (p->top + r) * cols;

		draw_row(c, head_rows(v) + r);
		draw_fmt(c, R_LABEL, "%8llu  ", (unsigned long long)(first * p->ppc));
		for (int k = 0; k < cols && first + k < ncells; k++) {
			struct bin b;

			count_bin(v, first + k, &b, h);
			if (!draw_owner(c, &b, h, first + k == p->cell))
				draw_cell(c, &b, first + k == p->cell);
		}
	}
}

static uint64_t clamp_cell(struct pages *p, int64_t cell)
{
	uint64_t n = nr_cells(p);

	if (cell < 0)
		return 0;
	if ((uint64_t)cell >= n)
		return n ? n - 1 : 0;
	return cell;
}

/* Enter: the bin's page in the hex view, as a request for the engine */
static enum request open_hex(struct view *v)
{
	struct pages *p = v->priv;
	uint64_t first = p->cell * p->ppc, last = first + p->ppc;

	if (!p->now)
		return REQ_NONE;
	if (p->have_found && p->found_cell == p->cell && source__contains(v->s->src, p->found, 1)) {
		/* the search's match in this cell */
		session__nav_addr(v->s, p->found);
		return REQ_SHOW_HEX;
	}
	if (last > p->nr)
		last = p->nr;
	/* the first allocated page of the bin, else its first page */
	for (uint64_t i = first; i < last; i++)
		if (p->now[i] == PAGE_ALLOCATED) {
			first = i;
			break;
		}
	session__nav_addr(v->s, session__page_addr(v->s, first));
	return REQ_SHOW_HEX;
}

/* ]/[: the next/previous cell with pages that differ from the snapshot */
static void diff_step(struct view *v, int dir)
{
	struct pages *p = v->priv;
	uint64_t n = nr_cells(p);
	struct bin b;

	if (!v->s->diff_src) {
		session__msg(v->s, true,
			     "no diff: diff FILE compares the arena with a snapshot of it");
		return;
	}
	for (int64_t cell = (int64_t)p->cell + dir; cell >= 0 && (uint64_t)cell < n; cell += dir) {
		count_bin(v, cell, &b, NULL);
		if (b.dnew || b.dgone) {
			p->cell = cell;
			return;
		}
	}
	session__msg(v->s, false, "no %s page differs from %s", dir > 0 ? "further" : "earlier",
		     v->s->diff_path);
}

static enum request pages_request(struct view *v, enum request req)
{
	struct pages *p = v->priv;
	int64_t cols = grid_cols(v), page = cols * grid_rows(v);
	int64_t cell = p->cell;

	switch (req) {
	case REQ_LEFT: cell--; break;
	case REQ_RIGHT: cell++; break;
	case REQ_UP: cell -= cols; break;
	case REQ_DOWN: cell += cols; break;
	case REQ_PAGE_UP: cell -= page; break;
	case REQ_PAGE_DOWN: cell += page; break;
	case REQ_FIRST: cell = 0; break;
	case REQ_LAST: cell = nr_cells(p) - 1; break;
	case REQ_XREFS: {
		/* who points into the cell's pages */
		uint64_t first = p->cell * p->ppc, n = p->ppc;

		if (first + n > p->nr)
			n = p->nr - first;
		session__nav_range(v->s, session__page_addr(v->s, first),
				   n * source__page_size(v->s->src));
		return REQ_SHOW_REFS;
	}
	case REQ_GOTO_ADDR: /* :goto: the page holding nav.addr */
		cell = (v->s->nav.addr - session__page_addr(v->s, 0)) /
		       source__page_size(v->s->src) / p->ppc;
		break;
	case REQ_ZOOM_IN:
		p->fit = false;
		if (p->ppc > 1)
			set_ppc(v, p->ppc / 2);
		return REQ_NONE;
	case REQ_ZOOM_OUT:
		if (p->ppc < fit_ppc(v, p->nr)) {
			p->fit = false;
			set_ppc(v, p->ppc * 2);
		}
		return REQ_NONE;
	case REQ_ZOOM_FIT: p->fit = true; return REQ_NONE;
	case REQ_HEAP_COLOURS:
		p->by_heap = !p->by_heap;
		if (p->by_heap && !session__heap(v->s))
			p->by_heap = false; /* the status line says why */
		return REQ_NONE;
	case REQ_HEAP_INFO: /* the cell's first allocated page (else its first) */
		open_hex(v);
		return REQ_SHOW_HEAP;
	case REQ_LEGEND:
		p->legend = p->legend == LEGEND_ON ? LEGEND_OFF : LEGEND_ON;
		return REQ_NONE;
	case REQ_ENTER: return open_hex(v);
	case REQ_DIFF_NEXT:
	case REQ_DIFF_PREV:
		if (p->now)
			diff_step(v, req == REQ_DIFF_NEXT ? 1 : -1);
		return REQ_NONE;
	default: return req;
	}
	p->cell = clamp_cell(p, cell);
	return REQ_NONE;
}

/* / and ?: the pages' bytes, as the hex view searches them (find.h); the
 * cursor goes to the cell holding the match, Enter shows it in hex */
static int pages_search(struct view *v, const char *pat, int dir)
{
	struct pages *p = v->priv;
	struct session *s = v->s;
	uint64_t psz = source__page_size(s->src), first = session__page_addr(s, p->cell * p->ppc);
	uint64_t from, at;
	struct find_pat fp;
	int r;

	if (!p->now || !s->have_pm)
		return SEARCH_NONE;
	/* from the last match while the cursor is on its cell, else from
	 * the cell's edge */
	from = p->have_found && p->found_cell == p->cell ? p->found
	       : dir > 0				 ? first - 1
							 : first + (uint64_t)p->ppc * psz;
	if (dir < 0 && from > session__page_addr(s, p->nr))
		from = session__page_addr(s, p->nr);
	if (find__parse(pat, &fp) < 0 ||
	    (r = find__next(s->src, &s->pm, from, dir, &fp, SEARCH_PAGES, &at)) < 0) {
		session__lib_msg(s, "search");
		return SEARCH_MORE;
	}
	if (r == FIND_NONE)
		return SEARCH_NONE;
	p->cell = (at + (r == FIND_MORE ? dir : 0) - session__page_addr(s, 0)) / psz / p->ppc;
	p->cell = clamp_cell(p, p->cell);
	p->have_found = true;
	p->found = at;
	p->found_cell = p->cell;
	if (r == FIND_MORE)
		session__msg(s, true,
			     "not found in %d allocated pages, up to page %llu: n/N goes on",
			     SEARCH_PAGES, (unsigned long long)(p->cell * p->ppc));
	else
		session__msg(s, false, "found at 0x%llx (page %llu): Enter shows it in hex",
			     (unsigned long long)at,
			     (unsigned long long)((at - session__page_addr(s, 0)) / psz));
	return r == FIND_MORE ? SEARCH_MORE : r == FIND_WRAPPED ? SEARCH_WRAPPED : SEARCH_FOUND;
}

static void pages_status(struct view *v, char *buf, size_t len)
{
	struct pages *p = v->priv;
	uint64_t first = p->cell * p->ppc, last = first + p->ppc - 1;
	struct bin b;
	const char *since = "";
	char owner[64] = "";

	if (!p->now) {
		snprintf(buf, len, "no page map");
		return;
	}
	if (last >= p->nr)
		last = p->nr - 1;
	count_bin(v, p->cell, &b, NULL);
	if (b.dnew || b.dgone)
		since = b.dnew ? ", not in the snapshot" : ", freed since the snapshot";
	if (p->by_heap && first == last) {
		const struct heap *h = session__heap(v->s);
		int o = heap__page_owner(h, first);

		if (h && o >= 0 && (size_t)o < h->nr_allocs)
			snprintf(owner, sizeof(owner), ", %s's", h->allocs[o].be->name);
		else if (h && o == HEAP_OWNER_GLOBALS)
			snprintf(owner, sizeof(owner), ", __arena globals");
		else if (h && b.alloc)
			snprintf(owner, sizeof(owner), ", no allocator's");
	}
	if (first == last)
		snprintf(buf, len, "page %llu  0x%llx  %s%s%s%s", (unsigned long long)first,
			 (unsigned long long)session__page_addr(v->s, first),
			 b.alloc  ? "allocated"
			 : b.resv ? "reserved"
				  : "free",
			 b.added     ? " (new)"
			 : b.removed ? " (just freed)"
				     : "",
			 since, owner);
	else if (b.dnew || b.dgone)
		snprintf(buf, len,
			 "pages %llu-%llu  0x%llx  %u allocated, %u reserved, %u free; "
			 "since the snapshot %u allocated, %u freed",
			 (unsigned long long)first, (unsigned long long)last,
			 (unsigned long long)session__page_addr(v->s, first), b.alloc, b.resv,
			 b.n - b.alloc - b.resv, b.dnew, b.dgone);
	else
		snprintf(buf, len, "pages %llu-%llu  0x%llx  %u allocated, %u reserved, %u free",
			 (unsigned long long)first, (unsigned long long)last,
			 (unsigned long long)session__page_addr(v->s, first), b.alloc, b.resv,
			 b.n - b.alloc - b.resv);
}

/* a click on a cell opens it in hex (as Enter); elsewhere nothing */
static enum request pages_click(struct view *v, int row, int col, bool dbl)
{
	struct pages *p = v->priv;
	int cols = grid_cols(v);
	uint64_t cell;

	if (!p->now || row < head_rows(v) || col < LABEL_W || col >= LABEL_W + cols)
		return REQ_NONE;
	cell = (p->top + row - head_rows(v)) * cols + (col - LABEL_W);
	if (cell >= nr_cells(p))
		return REQ_NONE;
	p->cell = cell;
	return open_hex(v);
}

/* the legend shows until the first key in the view */
static bool pages_key(struct view *v, int key)
{
	struct pages *p = v->priv;

	if (p->legend == LEGEND_UNTIL_KEY) {
		p->legend = LEGEND_OFF;
		v->dirty = true;
	}
	return false;
}

static void pages_done(struct view *v)
{
	struct pages *p = v->priv;

	free(p->now);
	free(p->prev);
	free(p);
}

const struct view_ops pages_ops = {
	.name = "pages",
	.open = pages_open,
	.draw = pages_draw,
	.request = pages_request,
	.tick = pages_tick,
	.status = pages_status,
	.search = pages_search,
	/* the search is for bytes in the pages, not for text on screen */
	.draws_matches = true,
	.key = pages_key,
	.click = pages_click,
	.done = pages_done,
};

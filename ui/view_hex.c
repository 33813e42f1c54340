// SPDX-License-Identifier: GPL-2.0
/*
 * Hex view: 16 bytes a line, only the lines on screen are read, and only
 * through source__read, whose present[] flags are honoured: a run of pages
 * that are not allocated is one line and is never read. Aligned qwords that
 * point into the arena are highlighted and can be followed; bytes that
 * changed since the last refresh are highlighted.
 *
 * With a :diff snapshot, bytes that differ from it are highlighted too,
 * lines of pages the snapshot does not have are marked, pages freed since
 * the snapshot are holes of their own, and ]/[ move to the next/previous
 * change. The snapshot is read only where it has the page (present[]).
 *
 * Where an allocator's objects are known (heap.h), a '|' before a qword
 * marks an object boundary (allocators hand out 8-aligned objects), and a
 * line where an object or free slot begins says so after the ASCII.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diff.h"
#include "format.h"
#include "heap.h"
#include "find.h"
#include "tui_int.h"

#define HIST 64
#define SEARCH_PAGES 16384 /* allocated pages a keypress (64 MiB of 4K), then "n" goes on */

struct hline {
	uint64_t addr; /* 16-aligned; for a hole, its first page */
	bool hole;
	uint64_t hole_pages; /* pages in the hole */
	int state;	     /* hole: PAGE_FREE or PAGE_RESERVED */
	bool present;	     /* bytes were read */
	uint8_t data[16];
	uint16_t changed; /* bit per byte, since the last refresh */
	/* :diff */
	bool freed;	/* hole: allocated in the snapshot */
	bool fresh;	/* bytes read, but the snapshot has none here */
	uint16_t diff;	/* bit per byte, differs from the snapshot */
	uint16_t match; /* bit per byte, part of a match of the search */
};

struct hex {
	uint64_t cur;	     /* cursor: 8-aligned address */
	uint64_t top;	     /* first line shown (a line address) */
	struct hline *lines; /* what is on screen */
	int nlines, cap;
	bool stale; /* lines must be read again */
	uint64_t back[HIST], fwd[HIST];
	int nback, nfwd;
	uint64_t diff_gen; /* s->diff_gen the lines were compared for */
	/* search: where the last one ended, while the cursor is at resume_cur */
	bool have_resume;
	uint64_t resume, resume_cur;
	int legend; /* LEGEND_*: shown until the first key here, then L toggles */
};

enum { LEGEND_UNTIL_KEY, LEGEND_ON, LEGEND_OFF };

static struct source *src_of(struct view *v)
{
	return v->s->src;
}

static uint64_t base(struct view *v)
{
	return src_of(v)->info.user_vm_start;
}

static uint64_t page_sz(struct view *v)
{
	return source__page_size(src_of(v));
}

static uint64_t npages(struct view *v)
{
	return src_of(v)->info.max_pages;
}

static uint64_t end_addr(struct view *v)
{
	return base(v) + npages(v) * page_sz(v);
}

/* page state from the shared page map; without one, assume allocated and
 * let present[] tell */
static int pstate(struct view *v, uint64_t pg)
{
	struct session *s = v->s;

	if (!s->have_pm || pg >= s->pm.nr_pages)
		return PAGE_ALLOCATED;
	return s->pm.state[pg];
}

/* what makes pages one hole: the state, and with a diff whether the
 * snapshot has them (pages freed since are a hole of their own) */
static int hole_key(struct view *v, uint64_t pg)
{
	return pstate(v, pg) | (session__diff_page(v->s, pg) == PAGE_ALLOCATED) << 4;
}

/* the canonical line holding addr */
static struct hline line_at(struct view *v, uint64_t addr)
{
	struct hline l = {};
	uint64_t pg = (addr - base(v)) / page_sz(v), first = pg, last = pg;
	int s = pstate(v, pg), key;

	if (s == PAGE_ALLOCATED) {
		l.addr = addr & ~15ULL;
		return l;
	}
	key = hole_key(v, pg);
	while (first > 0 && hole_key(v, first - 1) == key)
		first--;
	while (last + 1 < npages(v) && hole_key(v, last + 1) == key)
		last++;
	l.hole = true;
	l.state = s;
	l.freed = key >> 4;
	l.addr = base(v) + first * page_sz(v);
	l.hole_pages = last - first + 1;
	return l;
}

static bool next_line(struct view *v, const struct hline *l, struct hline *out)
{
	uint64_t next = l->hole ? l->addr + l->hole_pages * page_sz(v) : l->addr + 16;

	if (next >= end_addr(v))
		return false;
	*out = line_at(v, next);
	return true;
}

static bool prev_line(struct view *v, const struct hline *l, struct hline *out)
{
	if (l->addr <= base(v))
		return false;
	*out = line_at(v, l->hole ? l->addr - 16 : l->addr - 16);
	return true;
}

static int hex_open(struct view *v)
{
	struct hex *h = calloc(1, sizeof(*h));

	if (!h)
		return -1;
	v->priv = h;
	if (v->s->src) {
		h->cur = base(v);
		h->top = base(v);
	}
	h->stale = true;
	return 0;
}

static bool legend_shown(struct view *v)
{
	return ((struct hex *)v->priv)->legend != LEGEND_OFF;
}

/* header rows: the column names, the diff line and the legend above them */
static int head_rows(struct view *v)
{
	return 1 + !!v->s->diff_src + legend_shown(v);
}

static int rows(struct view *v)
{
	int n = v->c.height - head_rows(v);

	return n > 1 ? n : 1;
}

/* Compare the lines [a, b] just read (buf, present[] per page) with the
 * snapshot: the diff engine's changed-byte mask of the window, and which of
 * its pages the snapshot has. */
static void diff_lines(struct view *v, struct hline *nl, int a, int b, const uint8_t *buf,
		       const uint8_t *present)
{
	size_t len = (size_t)(b - a + 1) * 16;
	uint8_t *mask, in[64];
	bool ok;

	for (int k = a; k <= b; k++) {
		nl[k].diff = 0;
		nl[k].fresh = false;
	}
	if (!v->s->diff)
		return;
	mask = malloc(len);
	ok = mask && diff__window(v->s->diff, nl[a].addr, len, buf, present, mask, in) >= 0;
	for (int k = a; k <= b; k++) {
		uint64_t pi = (nl[k].addr >> src_of(v)->info.page_shift) -
			      (nl[a].addr >> src_of(v)->info.page_shift);
		const uint8_t *m = mask + (size_t)(k - a) * 16;

		if (!nl[k].present)
			continue;
		if (!ok || !(in[pi] & DIFF_IN_A)) {
			nl[k].fresh = true;
			continue;
		}
		for (int i = 0; i < 16; i++)
			if (m[i])
				nl[k].diff |= 1u << i;
	}
	free(mask);
}

/* Lay out the screen from h->top and read what is new or stale. old: the
 * lines before, kept for lines that are still shown (and for the change
 * marks when `refresh`). */
static void layout(struct view *v, bool refresh)
{
	struct hex *h = v->priv;
	struct source *src = src_of(v);
	int n = rows(v), i = 0;
	struct hline *old = h->lines, l;
	int nold = h->nlines;
	struct hline *nl = calloc(n, sizeof(*nl));
	/* lines compared with another snapshot (or none) cannot be kept */
	bool reuse = !refresh && h->diff_gen == v->s->diff_gen;

	if (!nl)
		return;
	l = line_at(v, h->top);
	h->top = l.addr;
	for (i = 0; i < n; i++) {
		nl[i] = l;
		if (!next_line(v, &l, &l)) {
			i++;
			break;
		}
	}
	h->lines = nl;
	h->nlines = i;
	h->cap = n;

	/* read runs of byte lines in one call each */
	for (int a = 0; a < h->nlines;) {
		int b = a, k;
		uint8_t present[64], *buf;
		size_t len;

		if (nl[a].hole) {
			a++;
			continue;
		}
		while (b + 1 < h->nlines && !nl[b + 1].hole && nl[b + 1].addr == nl[b].addr + 16 &&
		       b + 1 - a < 200)
			b++;
		/* reuse lines that are still on screen unless refreshing */
		if (reuse) {
			bool all = true;

			for (k = a; k <= b; k++) {
				int j;

				for (j = 0; j < nold; j++)
					if (!old[j].hole && old[j].addr == nl[k].addr)
						break;
				if (j < nold)
					nl[k] = old[j];
				else
					all = false;
			}
			if (all) {
				a = b + 1;
				continue;
			}
		}
		len = (size_t)(b - a + 1) * 16;
		buf = malloc(len);
		if (buf && source__read(src, nl[a].addr, buf, len, present) >= 0) {
			for (k = a; k <= b; k++) {
				uint64_t pi = (nl[k].addr >> src_of(v)->info.page_shift) -
					      (nl[a].addr >> src_of(v)->info.page_shift);
				int j;

				nl[k].present = present[pi];
				memcpy(nl[k].data, buf + (size_t)(k - a) * 16, 16);
				nl[k].changed = 0;
				if (!refresh || !nl[k].present)
					continue;
				for (j = 0; j < nold; j++)
					if (!old[j].hole && old[j].present &&
					    old[j].addr == nl[k].addr)
						break;
				if (j == nold)
					continue;
				for (int x = 0; x < 16; x++)
					if (old[j].data[x] != nl[k].data[x])
						nl[k].changed |= 1u << x;
			}
			diff_lines(v, nl, a, b, buf, present);
		} else {
			for (k = a; k <= b; k++)
				nl[k].present = false;
		}
		free(buf);
		a = b + 1;
	}
	free(old);
	h->stale = false;
	h->diff_gen = v->s->diff_gen;
}

/* keep the cursor's line on screen */
static void scroll_to_cursor(struct view *v)
{
	struct hex *h = v->priv;
	struct hline cl = line_at(v, h->cur), l;
	int n = rows(v);

	if (cl.addr < h->top) {
		h->top = cl.addr;
		h->stale = true;
		return;
	}
	/* is it within n lines from top? */
	l = line_at(v, h->top);
	for (int i = 0; i < n; i++) {
		if (l.addr == cl.addr)
			return;
		if (!next_line(v, &l, &l))
			break;
	}
	/* put it on the last row */
	l = cl;
	for (int i = 0; i < n - 1; i++)
		if (!prev_line(v, &l, &l))
			break;
	h->top = l.addr;
	h->stale = true;
}

static void hex_tick(struct view *v)
{
	struct hex *h = v->priv;

	if (!v->s->src)
		return;
	scroll_to_cursor(v);
	layout(v, true);
	h->stale = false;
	v->dirty = true;
}

static uint64_t qword(const struct hline *l, int q)
{
	uint64_t x;

	memcpy(&x, l->data + q * 8, 8);
	return x;
}

static enum role ptr_role(struct view *v, uint64_t val)
{
	if (!val || !source__contains(src_of(v), val, 1))
		return R_DEFAULT;
	return session__page_state(v->s, val) == PAGE_ALLOCATED ? R_PTR : R_PTR_BAD;
}

static void draw_hole(struct view *v, const struct hline *l, bool cursor)
{
	struct canvas *c = &v->c;
	uint64_t pg = (l->addr - base(v)) / page_sz(v);
	const char *what = l->state == PAGE_RESERVED ? "reserved, not allocated" : "not allocated";
	char size[32];

	draw_fmt(c, R_DIM, "%9llx  %012llx  ", (unsigned long long)(l->addr - base(v)),
		 (unsigned long long)l->addr);
	draw_hl(c, cursor);
	if (l->hole_pages == 1) {
		draw_fmt(c, R_UNALLOC, "-- page %llu %s --", (unsigned long long)pg, what);
	} else {
		fmt_size(l->hole_pages * page_sz(v), size, sizeof(size));
		draw_fmt(c, R_UNALLOC, "-- pages %llu-%llu %s (%llu pages, %s) --",
			 (unsigned long long)pg, (unsigned long long)(pg + l->hole_pages - 1), what,
			 (unsigned long long)l->hole_pages, size);
	}
	draw_hl(c, false);
	if (l->freed) {
		draw_str(c, R_DEFAULT, " ");
		draw_str(c, R_DIFF, "- freed since the snapshot");
	}
}

/* part of a search match, else changed since the last refresh, else
 * differs from the snapshot, else r */
static enum role mark_role(const struct hline *l, int i, enum role r)
{
	if (l->match & (1u << i))
		return R_MATCH;
	if (l->changed & (1u << i))
		return R_CHANGED;
	return l->diff & (1u << i) ? R_DIFF : r;
}

/* the object holding addr (NULL: none) */
static const struct heap_obj *obj_at(struct view *v, const struct heap *h, uint64_t addr)
{
	struct heap_hit hit;

	heap__lookup(h, &v->s->pm, addr, &hit);
	return hit.where == HEAP_AT_OBJECT ? hit.obj : NULL;
}

/* Boundaries before each qword of the line (bit q), and the first object
 * that begins in it (*starts, NULL: none) */
static unsigned boundaries(struct view *v, const struct heap *h, const struct hline *l,
			   const struct heap_obj **starts)
{
	unsigned bits = 0;

	*starts = NULL;
	if (!h)
		return 0;
	for (int q = 0; q < 2; q++) {
		uint64_t a = l->addr + 8 * q;
		const struct heap_obj *o = obj_at(v, h, a);
		const struct heap_obj *before = a > base(v) ? obj_at(v, h, a - 1) : NULL;

		if (o != before)
			bits |= 1u << q;
		if (o && o->addr == a && !*starts)
			*starts = o;
	}
	return bits;
}

static void draw_bytes(struct view *v, const struct hline *l, int cursor_q, const struct heap *h)
{
	struct canvas *c = &v->c;
	const struct heap_obj *starts = NULL;
	unsigned marks = 0;
	enum role qrole[2];
	char ascii[17];

	draw_fmt(c, R_LABEL, "%9llx  ", (unsigned long long)(l->addr - base(v)));
	draw_fmt(c, R_DIM, "%012llx ", (unsigned long long)l->addr);
	if (l->present)
		marks = boundaries(v, h, l, &starts);
	draw_str(c, marks & 1 ? R_HEAP_MARK : R_DIM, marks & 1 ? "|" : " ");
	if (!l->present) {
		draw_hl(c, cursor_q >= 0);
		draw_fmt(c, R_UNALLOC, "-- page %llu not allocated (freed since the page map) --",
			 (unsigned long long)((l->addr - base(v)) / page_sz(v)));
		draw_hl(c, false);
		return;
	}
	for (int q = 0; q < 2; q++)
		qrole[q] = ptr_role(v, qword(l, q));
	for (int i = 0; i < 16; i++) {
		int q = i / 8;
		enum role r = mark_role(l, i, qrole[q]);

		if (r == R_DEFAULT && !l->data[i])
			r = R_DIM;
		draw_hl(c, q == cursor_q);
		draw_fmt(c, r, "%02x", l->data[i]);
		draw_hl(c, false);
		if (i == 7)
			draw_str(c, marks & 2 ? R_HEAP_MARK : R_DEFAULT, marks & 2 ? " |" : "  ");
		else
			draw_str(c, R_DEFAULT, " ");
		ascii[i] = isprint(l->data[i]) ? l->data[i] : '.';
	}
	ascii[16] = 0;
	draw_str(c, R_DIM, " |");
	for (int i = 0; i < 16; i++)
		draw_strn(c, mark_role(l, i, R_DEFAULT), ascii + i, 1);
	draw_str(c, R_DIM, "|");
	if (starts) {
		char tn[128] = "";

		if (starts->btf && starts->type_id)
			fmt__type_name(starts->btf, starts->type_id, tn, sizeof(tn));
		draw_fmt(c, R_HEAP_MARK, " <%s %llu B%s%s",
			 starts->state == HEAP_LIVE ? "live" : "free",
			 (unsigned long long)starts->size, tn[0] ? " " : "", tn);
	}
	if (l->fresh) {
		draw_str(c, R_DEFAULT, " ");
		draw_str(c, R_DIFF, "+ not in the snapshot");
	}
}

static void draw_diff_head(struct view *v)
{
	struct hex *h = v->priv;
	struct canvas *c = &v->c;
	uint64_t n = 0, fresh = 0;
	uint32_t nalloc, nfreed;

	for (int i = 0; i < h->nlines; i++) {
		const struct hline *l = &h->lines[i];

		if (l->hole || !l->present)
			continue;
		n += __builtin_popcount(l->diff);
		fresh += l->fresh;
	}
	session__diff_counts(v->s, &nalloc, &nfreed);
	draw_row(c, legend_shown(v));
	draw_fmt(c, R_HEADER, "diff vs %s: ", v->s->diff_path);
	draw_fmt(c, n ? R_DIFF : R_HEADER, "%llu", (unsigned long long)n);
	draw_str(c, R_HEADER, " bytes differ on this screen");
	if (fresh)
		draw_fmt(c, R_HEADER, ", %llu lines not in the snapshot",
			 (unsigned long long)fresh);
	draw_fmt(c, R_DIM, "   pages since: +%u -%u   ]/[ next/prev change", nalloc, nfreed);
}

/* one line: what the colours of the bytes mean, in their own roles */
static void draw_legend(struct view *v)
{
	struct canvas *c = &v->c;

	/* short enough for 80 columns: the help and README say more */
	draw_row(c, 0);
	draw_str(c, R_PTR, "ptr");
	draw_str(c, R_DIM, " to a page  ");
	draw_str(c, R_PTR_BAD, "ptr");
	draw_str(c, R_DIM, " unallocated  ");
	draw_str(c, R_CHANGED, "xx");
	draw_str(c, R_DIM, " changed  ");
	if (v->s->diff_src) {
		draw_str(c, R_DIFF, "xx");
		draw_str(c, R_DIM, " differs  ");
	}
	draw_str(c, R_MATCH, "xx");
	draw_str(c, R_DIM, " match  ");
	draw_str(c, R_UNALLOC, "--");
	draw_str(c, R_DIM, " not allocated  L hides");
}

/* Every match of the search on screen: runs of consecutive lines read are
 * searched as one buffer, so a match across lines is marked on both. */
static void mark_matches(struct view *v)
{
	struct hex *h = v->priv;
	struct find_pat fp;
	uint8_t buf[16 * 256], mask[16 * 256];

	for (int i = 0; i < h->nlines; i++)
		h->lines[i].match = 0;
	if (!v->s->search[0] || find__parse(v->s->search, &fp) < 0)
		return;
	for (int a = 0; a < h->nlines;) {
		int b = a;

		if (h->lines[a].hole || !h->lines[a].present) {
			a++;
			continue;
		}
		while (b + 1 < h->nlines && b + 1 - a < 256 && !h->lines[b + 1].hole &&
		       h->lines[b + 1].present && h->lines[b + 1].addr == h->lines[b].addr + 16)
			b++;
		for (int k = a; k <= b; k++)
			memcpy(buf + (k - a) * 16, h->lines[k].data, 16);
		memset(mask, 0, (size_t)(b - a + 1) * 16);
		find__mark(&fp, h->lines[a].addr, buf, (size_t)(b - a + 1) * 16, mask);
		for (int k = a; k <= b; k++)
			for (int x = 0; x < 16; x++)
				if (mask[(k - a) * 16 + x])
					h->lines[k].match |= 1u << x;
		a = b + 1;
	}
}

static void hex_draw(struct view *v)
{
	struct hex *h = v->priv;
	struct canvas *c = &v->c;
	const struct heap *heap;
	struct hline cl;

	draw_clear(c);
	if (!v->s->src)
		return;
	scroll_to_cursor(v);
	if (h->stale || h->nlines != rows(v) || !h->nlines || h->lines[0].addr != h->top ||
	    h->diff_gen != v->s->diff_gen)
		layout(v, false);
	mark_matches(v);
	cl = line_at(v, h->cur);
	heap = session__heap(v->s);
	if (legend_shown(v))
		draw_legend(v);
	if (v->s->diff_src)
		draw_diff_head(v);
	draw_row(c, head_rows(v) - 1);
	draw_fmt(c, R_HEADER, "%9s  %-12s  %-49s %s", "OFFSET", "ADDRESS",
		 "00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f", " ASCII");
	for (int i = 0; i < h->nlines; i++) {
		const struct hline *l = &h->lines[i];
		bool on = l->addr == cl.addr;

		draw_row(c, i + head_rows(v));
		if (l->hole)
			draw_hole(v, l, on);
		else
			draw_bytes(v, l, on ? (int)((h->cur & 15) / 8) : -1, heap);
	}
}

static const struct hline *cursor_line(struct view *v)
{
	struct hex *h = v->priv;
	struct hline cl = line_at(v, h->cur);

	for (int i = 0; i < h->nlines; i++)
		if (h->lines[i].addr == cl.addr)
			return &h->lines[i];
	return NULL;
}

static void hex_goto(struct view *v, uint64_t addr, bool history)
{
	struct hex *h = v->priv;

	if (!v->s->src || !source__contains(src_of(v), addr, 1)) {
		session__msg(v->s, true, "0x%llx is outside the arena", (unsigned long long)addr);
		return;
	}
	if (history && (addr & ~7ULL) != h->cur) {
		if (h->nback == HIST) {
			memmove(h->back, h->back + 1, (HIST - 1) * sizeof(h->back[0]));
			h->nback--;
		}
		h->back[h->nback++] = h->cur;
		h->nfwd = 0;
	}
	h->cur = addr & ~7ULL;
	{
		/* a jump lands near the top, with a little context above */
		struct hline l = line_at(v, h->cur);

		for (int i = 0; i < 2 && prev_line(v, &l, &l); i++)
			;
		h->top = l.addr;
		h->stale = true;
	}
	if (session__page_state(v->s, addr) == PAGE_FREE ||
	    session__page_state(v->s, addr) == PAGE_RESERVED)
		session__msg(v->s, false, "page %llu is not allocated",
			     (unsigned long long)((addr - base(v)) / page_sz(v)));
	v->dirty = true;
}

static void move_lines(struct view *v, int n)
{
	struct hex *h = v->priv;
	struct hline l = line_at(v, h->cur);
	uint64_t col = h->cur & 15;

	for (; n > 0; n--)
		if (!next_line(v, &l, &l))
			break;
	for (; n < 0; n++)
		if (!prev_line(v, &l, &l))
			break;
	h->cur = l.hole ? l.addr : l.addr + col;
}

static void follow(struct view *v)
{
	struct hex *h = v->priv;
	const struct hline *l = cursor_line(v);
	uint64_t val;

	if (!l || l->hole || !l->present) {
		session__msg(v->s, true, "nothing to follow here");
		return;
	}
	val = qword(l, (h->cur & 15) / 8);
	if (!source__contains(src_of(v), val, 1)) {
		session__msg(v->s, true, "0x%llx does not point into the arena",
			     (unsigned long long)val);
		return;
	}
	hex_goto(v, val, true);
	/* land on the exact byte's line even when unaligned */
}

static void diff_found(struct view *v, uint64_t addr, const char *what)
{
	hex_goto(v, addr, true);
	session__msg(v->s, false, "%s at 0x%llx", what, (unsigned long long)addr);
}

/*
 * ]/[: the next (dir 1) or previous (-1) change vs the :diff snapshot, as
 * the diff engine finds them (diff__next): a run of bytes that differ, a
 * run of pages the snapshot does not have, or of pages freed since. Changes
 * between free and reserved pages are passed over (both are holes here).
 * It reads only pages both page maps have allocated, SEARCH_PAGES a key.
 */
static void diff_step(struct view *v, int dir)
{
	struct hex *h = v->priv;
	struct session *s = v->s;
	struct hline cl = line_at(v, h->cur);
	/* past the cursor's line: a change there is where we are */
	uint64_t from = dir < 0	  ? cl.addr
			: cl.hole ? cl.addr + cl.hole_pages * page_sz(v) - 1
				  : cl.addr + 15;
	struct diff_change ch;
	int r = DIFF_NONE;

	if (!s->diff) {
		session__msg(s, true,
			     "no diff: diff FILE compares the arena with a snapshot of it");
		return;
	}
	for (int k = 0; k < 1024; k++) {
		r = diff__next(s->diff, from, dir, SEARCH_PAGES, &ch);
		if (r != DIFF_FOUND || ch.kind != DIFF_CHANGE_RESERVED)
			break;
		from = dir > 0 ? ch.addr + ch.len - 1 : ch.addr;
		/* too many of those in a row: say where to go on from */
		r = DIFF_MORE;
		ch.addr = from;
	}
	if (r < 0) {
		session__lib_msg(s, "diff");
		return;
	}
	if (r == DIFF_MORE) {
		uint64_t pg = (ch.addr + (dir > 0) - base(v)) / page_sz(v) - (dir < 0);

		session__msg(s, true, "no change in %d pages up to page %llu: %s goes on",
			     SEARCH_PAGES, (unsigned long long)pg, dir > 0 ? "]" : "[");
		h->cur = ch.addr & ~7ULL;
		return;
	}
	if (r == DIFF_NONE) {
		session__msg(s, false, "no %s change vs %s", dir > 0 ? "further" : "earlier",
			     s->diff_path);
		return;
	}
	diff_found(v, ch.addr,
		   ch.kind == DIFF_CHANGE_BYTES	      ? "differs from the snapshot"
		   : ch.kind == DIFF_CHANGE_ALLOCATED ? "page not in the snapshot"
						      : "pages freed since the snapshot");
}

static enum request hex_request(struct view *v, enum request req)
{
	struct hex *h = v->priv;
	int n = rows(v);

	if (!v->s->src)
		return req;
	switch (req) {
	case REQ_UP: move_lines(v, -1); break;
	case REQ_DOWN: move_lines(v, 1); break;
	case REQ_PAGE_UP: move_lines(v, -n); break;
	case REQ_PAGE_DOWN: move_lines(v, n); break;
	case REQ_LEFT:
		if (h->cur - 8 >= base(v) && !line_at(v, h->cur).hole)
			h->cur -= 8;
		if (line_at(v, h->cur).hole)
			h->cur = line_at(v, h->cur).addr;
		break;
	case REQ_RIGHT: {
		struct hline l = line_at(v, h->cur), nx;

		if (!l.hole && (h->cur & 15) == 0)
			h->cur += 8;
		else if (next_line(v, &l, &nx))
			h->cur = nx.addr;
		break;
	}
	case REQ_FIRST: h->cur = base(v); break;
	case REQ_LAST: h->cur = line_at(v, end_addr(v) - 16).addr; break;
	case REQ_ENTER: follow(v); break;
	case REQ_YANK: {
		char addr[32], cmd[64];

		snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)h->cur);
		snprintf(cmd, sizeof(cmd), "print *(u64 *)%s", addr);
		session__copy(v->s, addr);
		session__nav_expr(v->s, cmd);
		return REQ_PROMPT_TEXT;
	}
	case REQ_SHOW_HEX: hex_goto(v, v->s->nav.addr, true); break;
	case REQ_XREFS: /* who points into the qword under the cursor */
		session__nav_range(v->s, h->cur, 8);
		return REQ_SHOW_REFS;
	case REQ_HEAP_INFO: /* which allocation holds the cursor */
		session__nav_addr(v->s, h->cur);
		return REQ_SHOW_HEAP;
	case REQ_LEGEND:
		h->legend = h->legend == LEGEND_ON ? LEGEND_OFF : LEGEND_ON;
		h->stale = true;
		break;
	case REQ_DIFF_NEXT: diff_step(v, 1); break;
	case REQ_DIFF_PREV: diff_step(v, -1); break;
	case REQ_BACK:
		if (!h->nback) {
			session__msg(v->s, false, "no more history");
			break;
		}
		h->fwd[h->nfwd < HIST ? h->nfwd++ : HIST - 1] = h->cur;
		h->cur = h->back[--h->nback];
		break;
	case REQ_FORWARD:
		if (!h->nfwd) {
			session__msg(v->s, false, "no more history");
			break;
		}
		h->back[h->nback < HIST ? h->nback++ : HIST - 1] = h->cur;
		h->cur = h->fwd[--h->nfwd];
		break;
	default: return req;
	}
	return REQ_NONE;
}

/* / and ?: the library's byte search (find.h: text, 0x values in their
 * width, \xNN bytes) over allocated pages only, SEARCH_PAGES of them a key.
 * It goes on from the last match (or where a cap stopped it) while the
 * cursor is still there, else from the cursor. */
static int hex_search(struct view *v, const char *pat, int dir)
{
	struct hex *h = v->priv;
	struct find_pat fp;
	uint64_t from = h->have_resume && h->resume_cur == h->cur ? h->resume : h->cur, at;
	int r;

	if (!v->s->src || !v->s->have_pm)
		return SEARCH_NONE;
	if (find__parse(pat, &fp) < 0) {
		session__lib_msg(v->s, "search");
		return SEARCH_MORE;
	}
	r = find__next(src_of(v), &v->s->pm, from, dir, &fp, SEARCH_PAGES, &at);
	if (r < 0) {
		session__lib_msg(v->s, "search");
		return SEARCH_MORE;
	}
	if (r == FIND_NONE)
		return SEARCH_NONE;
	if (r == FIND_MORE) {
		h->cur = dir > 0 ? at + 1 : (at - 1) & ~7ULL;
		session__msg(v->s, true,
			     "not found in %d allocated pages, up to page %llu: n/N goes on",
			     SEARCH_PAGES, (unsigned long long)((h->cur - base(v)) / page_sz(v)));
		h->have_resume = true;
		h->resume = at;
		h->resume_cur = h->cur;
		return SEARCH_MORE;
	}
	hex_goto(v, at, true);
	h->have_resume = true;
	h->resume = at;
	h->resume_cur = h->cur;
	session__msg(v->s, false, "found at 0x%llx", (unsigned long long)at);
	return r == FIND_WRAPPED ? SEARCH_WRAPPED : SEARCH_FOUND;
}

static void hex_status(struct view *v, char *buf, size_t len)
{
	struct hex *h = v->priv;
	const struct hline *l;
	uint64_t off, val;

	if (!v->s->src) {
		snprintf(buf, len, "no arena");
		return;
	}
	off = h->cur - base(v);
	l = cursor_line(v);
	if (!l || l->hole || !l->present) {
		snprintf(buf, len, "0x%llx  +0x%llx  page %llu: not allocated",
			 (unsigned long long)h->cur, (unsigned long long)off,
			 (unsigned long long)(off / page_sz(v)));
		return;
	}
	val = qword(l, (h->cur & 15) / 8);
	snprintf(buf, len, "0x%llx  +0x%llx  page %llu  u64 0x%llx (%llu)%s%s",
		 (unsigned long long)h->cur, (unsigned long long)off,
		 (unsigned long long)(off / page_sz(v)), (unsigned long long)val,
		 (unsigned long long)val,
		 ptr_role(v, val) == R_PTR ? "  -> arena (Enter follows)" : "",
		 ptr_role(v, val) == R_PTR_BAD ? "  -> arena, page not allocated" : "");
}

/* the column of byte i of a line: after OFFSET and ADDRESS, 3 a byte, a
 * gap after the eighth */
#define BYTES_COL 25
static enum request hex_click(struct view *v, int row, int col, bool dbl)
{
	struct hex *h = v->priv;
	int i = row - head_rows(v), b = col - BYTES_COL;
	const struct hline *l;

	if (!v->s->src || i < 0 || i >= h->nlines)
		return REQ_NONE;
	l = &h->lines[i];
	if (b >= 8 * 3)
		b--;
	b = b < 0 ? 0 : b / 3 > 15 ? 15 : b / 3;
	h->cur = l->hole ? l->addr : l->addr + (b & 8);
	return dbl ? REQ_ENTER : REQ_NONE;
}

/* the legend shows until the first key in the view */
static bool hex_key(struct view *v, int key)
{
	struct hex *h = v->priv;

	if (h->legend == LEGEND_UNTIL_KEY) {
		h->legend = LEGEND_OFF;
		h->stale = true;
		v->dirty = true;
	}
	return false;
}

static void hex_done(struct view *v)
{
	struct hex *h = v->priv;

	free(h->lines);
	free(h);
}

const struct view_ops hex_ops = {
	.name = "hex",
	.open = hex_open,
	.draw = hex_draw,
	.request = hex_request,
	.tick = hex_tick,
	.status = hex_status,
	.search = hex_search,
	.draws_matches = true,
	.key = hex_key,
	.click = hex_click,
	.done = hex_done,
};

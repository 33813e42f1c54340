// SPDX-License-Identifier: GPL-2.0
/*
 * Drawing primitives and colour roles. The scheme table gives every role a
 * colour pair and attributes, plus the attributes used in monochrome
 * (NO_COLOR, --no-color, or a terminal without colours), so nothing depends
 * on colour alone to be readable.
 */
#define NCURSES_WIDECHAR 1
#include <ctype.h>
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "printable.h"
#include "tui_int.h"

struct scheme {
	short fg, bg;
	attr_t attr; /* with colour */
	attr_t mono; /* without */
};

static const struct scheme scheme[R__NR] = {
	[R_DEFAULT] = { -1, -1, A_NORMAL, A_NORMAL },
	[R_TITLE] = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
	[R_STATUS] = { -1, -1, A_NORMAL, A_NORMAL },
	[R_ERROR] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[R_INFO] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[R_CURSOR] = { -1, -1, A_REVERSE, A_REVERSE },
	[R_HEADER] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[R_LABEL] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[R_DIM] = { COLOR_BLUE, -1, A_BOLD, A_DIM },
	[R_FREE] = { -1, -1, A_NORMAL, A_NORMAL },
	[R_ALLOC] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[R_ALLOC_PART] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[R_RESERVED] = { COLOR_MAGENTA, -1, A_NORMAL, A_UNDERLINE },
	[R_ADDED] = { COLOR_BLACK, COLOR_GREEN, A_BOLD, A_BOLD },
	[R_REMOVED] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_UNDERLINE },
	[R_STALE] = { COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE },
	[R_PTR] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[R_PTR_BAD] = { COLOR_RED, -1, A_NORMAL, A_UNDERLINE },
	[R_CHANGED] = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE | A_BOLD },
	[R_DIFF] = { COLOR_WHITE, COLOR_MAGENTA, A_BOLD, A_REVERSE | A_UNDERLINE },
	[R_UNALLOC] = { COLOR_RED, -1, A_DIM, A_DIM },
	[R_KEY] = { -1, -1, A_BOLD, A_BOLD },
	[R_TYPE] = { COLOR_GREEN, -1, A_NORMAL, A_DIM },
	[R_NUM] = { COLOR_MAGENTA, -1, A_NORMAL, A_NORMAL },
	[R_STR] = { COLOR_YELLOW, -1, A_NORMAL, A_NORMAL },
	[R_ENUM] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[R_MATCH] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_STANDOUT },
	[R_PROMPT] = { -1, -1, A_BOLD, A_BOLD },
	[R_HEAP0] = { COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_BOLD },
	[R_HEAP1] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_BOLD },
	[R_HEAP2] = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_BOLD },
	[R_GLOBALS] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_UNDERLINE },
	[R_UNCLAIMED] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE },
	[R_HEAP_MARK] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
};

static attr_t role_attr[R__NR];

/* The CLI colours its text in the same roles (cli.c): the escape of a
 * role's colour and attributes above, as SGR (curses' COLOR_* are ANSI's
 * 0-7). */
const char *draw__sgr(enum sink_role sr)
{
	static const enum role of[] = {
		[SR_NONE] = R_DEFAULT, [SR_KEY] = R_KEY,	 [SR_TYPE] = R_TYPE,
		[SR_NUM] = R_NUM,      [SR_STR] = R_STR,	 [SR_ENUM] = R_ENUM,
		[SR_PTR] = R_PTR,      [SR_PTR_BAD] = R_PTR_BAD, [SR_NULL] = R_DIM,
		[SR_NOTE] = R_DIM,     [SR_UNALLOC] = R_UNALLOC, [SR_HEADER] = R_HEADER,
	};
	static char buf[SR_HEADER + 1][32];
	const struct scheme *s;
	char *b;
	size_t n;

	if ((unsigned)sr >= ARRAY_SIZE(of))
		sr = SR_NONE;
	b = buf[sr];
	if (b[0])
		return b;
	s = &scheme[of[sr]];
	n = snprintf(b, sizeof(buf[0]), "\033[0");
	if (s->attr & A_BOLD)
		n += snprintf(b + n, sizeof(buf[0]) - n, ";1");
	if (s->attr & A_DIM)
		n += snprintf(b + n, sizeof(buf[0]) - n, ";2");
	if (s->attr & A_UNDERLINE)
		n += snprintf(b + n, sizeof(buf[0]) - n, ";4");
	if (s->attr & (A_REVERSE | A_STANDOUT))
		n += snprintf(b + n, sizeof(buf[0]) - n, ";7");
	if (s->fg >= 0)
		n += snprintf(b + n, sizeof(buf[0]) - n, ";%d", 30 + s->fg);
	if (s->bg >= 0)
		n += snprintf(b + n, sizeof(buf[0]) - n, ";%d", 40 + s->bg);
	snprintf(b + n, sizeof(buf[0]) - n, "m");
	return b;
}

static const struct glyphs utf8_glyphs = {
	.shade = { "\u2591", "\u2592", "\u2593", "\u2588" },
	.expanded = "\u25be",
	.collapsed = "\u25b8",
	.leaf = " ",
	.arrow = "\u2192",
	.hline = "\u2500",
	.diff = "\u2260",
	.ellipsis = "\u2026",
	.sort_up = "\u25b2",
	.sort_down = "\u25bc",
	.spark = { "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" },
};
static const struct glyphs ascii_glyphs = {
	.shade = { ":", "o", "O", "#" },
	.expanded = "-",
	.collapsed = "+",
	.leaf = " ",
	.arrow = "->",
	.hline = "-",
	.diff = "*",
	.ellipsis = "~",
	.sort_up = "^",
	.sort_down = "v",
	.spark = { " ", ".", ":", "-", "=", "+", "*", "#" },
};
const struct glyphs *glyph = &ascii_glyphs;

void draw__init(bool color, bool utf8)
{
	glyph = utf8 ? &utf8_glyphs : &ascii_glyphs;
	if (color && has_colors()) {
		start_color();
		use_default_colors();
		for (int r = 0; r < R__NR; r++) {
			const struct scheme *s = &scheme[r];

			if (s->fg == -1 && s->bg == -1) {
				role_attr[r] = s->attr;
				continue;
			}
			init_pair(r + 1, s->fg, s->bg);
			role_attr[r] = COLOR_PAIR(r + 1) | s->attr;
		}
	} else {
		for (int r = 0; r < R__NR; r++)
			role_attr[r] = scheme[r].mono;
	}
}

static attr_t attr_of(struct canvas *c, enum role r)
{
	attr_t a = role_attr[r];

	if (c->hl)
		a = (a & ~A_COLOR) | A_REVERSE;
	return a;
}

void draw_clear(struct canvas *c)
{
	werase(c->win);
	c->row = c->col = 0;
}

void draw_row(struct canvas *c, int row)
{
	c->row = row;
	c->col = 0;
	c->hl = false;
	wmove(c->win, row, 0);
	wclrtoeol(c->win);
}

void draw_hl(struct canvas *c, bool on)
{
	c->hl = on;
}

int draw_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Could s[0, n) hold something a terminal must not get raw? */
static bool needs_escape(const char *s, int n)
{
	for (int i = 0; i < n && s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return true;
	return false;
}

int draw_strn(struct canvas *c, enum role r, const char *s, int n)
{
	int left = c->width - c->col, bytes = 0, cols = 0;
	char safe[2048];

	if (left <= 0 || c->row >= c->height)
		return 0;
	/* Every string on screen passes here: names and contents from files
	 * and the kernel show in their printable form (\x1b, not ESC). */
	if (needs_escape(s, n)) {
		ai_printable(safe, sizeof(safe), s, strnlen(s, n), 0);
		s = safe;
		n = (int)strlen(safe);
	}
	/* cut at a column, never inside a UTF-8 sequence */
	while (bytes < n && s[bytes]) {
		int w = 1;

		if (((unsigned char)s[bytes] & 0xc0) == 0xc0)
			while (((unsigned char)s[bytes + w] & 0xc0) == 0x80)
				w++;
		if (cols + 1 > left)
			break;
		bytes += w;
		cols++;
	}
	wattrset(c->win, attr_of(c, r));
	mvwaddnstr(c->win, c->row, c->col, s, bytes);
	wattrset(c->win, A_NORMAL);
	c->col += cols;
	return c->width - c->col;
}

int draw_str(struct canvas *c, enum role r, const char *s)
{
	return draw_strn(c, r, s, (int)strlen(s));
}

int draw_fmt(struct canvas *c, enum role r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return draw_str(c, r, buf);
}

int draw_pad(struct canvas *c, enum role r, int col)
{
	static const char spaces[] =
		"                                                                ";

	while (c->col < col && c->col < c->width) {
		int n = col - c->col;

		if (n > (int)sizeof(spaces) - 1)
			n = sizeof(spaces) - 1;
		draw_strn(c, r, spaces, n);
	}
	return c->width - c->col;
}

void draw_fill(struct canvas *c, enum role r)
{
	draw_pad(c, r, c->width);
}

void fmt_hms(uint64_t ns, char *buf, size_t len)
{
	time_t sec = ns / 1000000000ULL;
	struct tm tm;

	if (!ns || !localtime_r(&sec, &tm)) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(ns / 1000000 % 1000));
}

/* The screen's text of a row, one byte per column (a wide or non-ASCII
 * character is 0x7f, which no pattern matches as text); the cells' wide
 * contents are read back, so any view's drawing is searched alike. */
static int row_text(struct canvas *c, int row, char *buf, int len)
{
	cchar_t cells[512];
	int n = c->width < len ? c->width : len;

	if (n > (int)ARRAY_SIZE(cells) - 1)
		n = ARRAY_SIZE(cells) - 1;
	n = mvwin_wchnstr(c->win, row, 0, cells, n) == ERR ? 0 : n;
	for (int i = 0; i < n; i++) {
		wchar_t wc[CCHARW_MAX + 1];
		attr_t a;
		short pair;

		if (getcchar(&cells[i], wc, &a, &pair, NULL) == ERR || !wc[0] || wc[0] > 0x7e)
			buf[i] = 0x7f;
		else
			buf[i] = (char)wc[0];
	}
	return n;
}

void draw_matches(struct canvas *c, const char *pat)
{
	int plen = (int)strlen(pat);
	char text[512];

	if (!plen)
		return;
	for (int row = 0; row < c->height; row++) {
		int n = row_text(c, row, text, sizeof(text));

		for (int i = 0; i + plen <= n; i++) {
			int k = 0;

			while (k < plen && tolower((unsigned char)text[i + k]) ==
						   tolower((unsigned char)pat[k]))
				k++;
			if (k < plen)
				continue;
			mvwchgat(c->win, row, i, plen, role_attr[R_MATCH] & ~A_COLOR,
				 PAIR_NUMBER(role_attr[R_MATCH]), NULL);
			i += plen - 1;
		}
	}
}

int search_rows(int n, int at, int dir, bool (*match)(int i, void *ctx), void *ctx, int *found)
{
	if (n <= 0)
		return SEARCH_NONE;
	if (at < 0 || at >= n)
		at = dir > 0 ? -1 : n;
	for (int k = 1; k <= n; k++) {
		int raw = at + dir * k, i = (raw % n + n) % n;

		if (match(i, ctx)) {
			*found = i;
			return raw >= n || raw < 0 ? SEARCH_WRAPPED : SEARCH_FOUND;
		}
	}
	return SEARCH_NONE;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The one key table. Each binding names a keymap, a key and a request; the
 * help screen is generated from this table and the request texts, so it
 * cannot drift from what the keys do. A view's own keymap is searched
 * first, then the generic one (as in tig).
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include "tui_int.h"

#define CTRL(x) ((x) & 0x1f)

struct binding {
	enum keymap km;
	int key;
	enum request req;
	const char *help; /* NULL: the request's text */
};

#define REQ_TEXT(name, help) help,
#define REQ_VIEW_TEXT(id, ops, section, key, flags, help, cmd) help,
static const char *const req_help[] = { REQ_INFO(REQ_TEXT, REQ_VIEW_TEXT) };
#undef REQ_TEXT
#undef REQ_VIEW_TEXT

static const struct binding bindings[] = {
	{ KM_GENERIC, KEY_UP, REQ_UP },
	{ KM_GENERIC, 'k', REQ_UP },
	{ KM_GENERIC, KEY_DOWN, REQ_DOWN },
	{ KM_GENERIC, 'j', REQ_DOWN },
	{ KM_GENERIC, KEY_LEFT, REQ_LEFT },
	{ KM_GENERIC, 'h', REQ_LEFT },
	{ KM_GENERIC, KEY_RIGHT, REQ_RIGHT },
	{ KM_GENERIC, 'l', REQ_RIGHT },
	/* less and vim: Space/f/b pages, ^D/^U half pages, gg/G */
	{ KM_GENERIC, KEY_PPAGE, REQ_PAGE_UP },
	{ KM_GENERIC, 'b', REQ_PAGE_UP },
	{ KM_GENERIC, CTRL('b'), REQ_PAGE_UP },
	{ KM_GENERIC, KEY_NPAGE, REQ_PAGE_DOWN },
	{ KM_GENERIC, ' ', REQ_PAGE_DOWN },
	{ KM_GENERIC, 'f', REQ_PAGE_DOWN },
	{ KM_GENERIC, CTRL('f'), REQ_PAGE_DOWN },
	{ KM_GENERIC, CTRL('u'), REQ_HALF_UP },
	{ KM_GENERIC, CTRL('d'), REQ_HALF_DOWN },
	{ KM_GENERIC, KEY_HOME, REQ_FIRST },
	{ KM_GENERIC, KEY_SEQ_GG, REQ_FIRST },
	{ KM_GENERIC, KEY_END, REQ_LAST },
	{ KM_GENERIC, 'G', REQ_LAST },
	{ KM_GENERIC, '\r', REQ_ENTER },
	{ KM_GENERIC, '\n', REQ_ENTER },
	{ KM_GENERIC, KEY_ENTER, REQ_ENTER },
	{ KM_GENERIC, KEY_BACKSPACE, REQ_BACK },
	{ KM_GENERIC, 127, REQ_BACK },
	{ KM_GENERIC, CTRL('h'), REQ_BACK },
	{ KM_GENERIC, '<', REQ_BACK },
	{ KM_GENERIC, '>', REQ_FORWARD },
	{ KM_GENERIC, '\t', REQ_NEXT_VIEW },
	{ KM_GENERIC, KEY_BTAB, REQ_PREV_VIEW },
	/* the keys that open views come from the registry (views.h) */
	{ KM_GENERIC, ':', REQ_PROMPT },
	{ KM_GENERIC, '@', REQ_GOTO, "Go to an address, page or expression (:goto)" },
	{ KM_GENERIC, '/', REQ_SEARCH },
	{ KM_GENERIC, '?', REQ_SEARCH_BACK },
	{ KM_GENERIC, 'n', REQ_SEARCH_NEXT },
	{ KM_GENERIC, 'N', REQ_SEARCH_PREV },
	{ KM_GENERIC, 'p', REQ_PAUSE },
	{ KM_GENERIC, CTRL('l'), REQ_REFRESH },
	{ KM_GENERIC, 'r', REQ_REFRESH },
	{ KM_GENERIC, KEY_F(1), REQ_HELP },
	{ KM_GENERIC, 'q', REQ_QUIT },
	{ KM_GENERIC, KEY_F(10), REQ_EXIT, "Quit arena-inspect, from any view (htop)" },

	{ KM_PAGES, '+', REQ_ZOOM_IN },
	{ KM_PAGES, '=', REQ_ZOOM_IN },
	{ KM_PAGES, '-', REQ_ZOOM_OUT },
	{ KM_PAGES, '0', REQ_ZOOM_FIT },
	{ KM_PAGES, '\r', REQ_ENTER, "Open the page (first allocated one in a bin) in hex" },
	{ KM_PAGES, 'L', REQ_LEGEND },
	{ KM_PAGES, 'x', REQ_XREFS, "Who points into the pages of the cell" },
	{ KM_PAGES, 'a', REQ_HEAP_COLOURS },
	{ KM_PAGES, 'i', REQ_HEAP_INFO, "Which allocator holds the cell's (first allocated) page" },
	{ KM_PAGES, ']', REQ_DIFF_NEXT, "Next page whose state differs from the :diff snapshot" },
	{ KM_PAGES, '[', REQ_DIFF_PREV, "Previous page whose state differs from the snapshot" },

	{ KM_HEX, '\r', REQ_ENTER, "Follow the pointer under the cursor" },
	{ KM_HEX, 'L', REQ_LEGEND },
	{ KM_HEX, 'y', REQ_YANK,
	  "Copy the cursor's address to the clipboard and the command line" },
	{ KM_HEX, 'x', REQ_XREFS, "Who points into the qword under the cursor" },
	{ KM_HEX, 'i', REQ_HEAP_INFO, "Which allocation holds the byte under the cursor" },
	{ KM_HEX, ']', REQ_DIFF_NEXT },
	{ KM_HEX, '[', REQ_DIFF_PREV },

	{ KM_STRUCT, '\r', REQ_ENTER, "Follow a pointer, expand/collapse, more array elements" },
	{ KM_STRUCT, ' ', REQ_TOGGLE },
	{ KM_STRUCT, 'y', REQ_YANK },
	{ KM_STRUCT, 'R', REQ_ROOTS },
	{ KM_STRUCT, 'w', REQ_WATCH },
	{ KM_STRUCT, 'T', REQ_TABLE },
	{ KM_STRUCT, 'L', REQ_WALK },
	{ KM_STRUCT, 'x', REQ_XREFS, "Who points into the selected field" },
	{ KM_STRUCT, 'i', REQ_HEAP_INFO, "Which allocation holds the selected field" },

	{ KM_WATCH, '\r', REQ_ENTER, "Show the watched value in the struct view" },
	{ KM_WATCH, ' ', REQ_TOGGLE, "Pause / resume the selected watch" },
	{ KM_WATCH, 'd', REQ_DELETE },
	{ KM_WATCH, KEY_DC, REQ_DELETE },
	{ KM_WATCH, 'C', REQ_CLEAR },
	{ KM_WATCH, 's', REQ_SORT_NEXT },
	{ KM_WATCH, KEY_F(6), REQ_SORT_NEXT },
	{ KM_WATCH, 'S', REQ_SORT_REVERSE },

	{ KM_TABLE, '\r', REQ_ENTER, "Open the row in the struct view" },
	{ KM_TABLE, 'h', REQ_LEFT, "Previous column (scrolls)" },
	{ KM_TABLE, KEY_LEFT, REQ_LEFT, "Previous column (scrolls)" },
	{ KM_TABLE, 'l', REQ_RIGHT, "Next column (scrolls)" },
	{ KM_TABLE, KEY_RIGHT, REQ_RIGHT, "Next column (scrolls)" },
	{ KM_TABLE, 's', REQ_SORT_ASC },
	{ KM_TABLE, 'S', REQ_SORT_DESC },
	{ KM_TABLE, 'f', REQ_FILTER },

	{ KM_CHOOSER, '\r', REQ_ENTER, "Open the arena" },
	{ KM_CHOOSER, 's', REQ_SORT_NEXT },
	{ KM_CHOOSER, KEY_F(6), REQ_SORT_NEXT },
	{ KM_CHOOSER, 'S', REQ_SORT_REVERSE },
	{ KM_CHOOSER, 27, REQ_BACK, "Back to the view it was opened from (also Backspace)" },

	{ KM_HEALTH, '\r', REQ_ENTER, "Show the finding's location (or the page) in hex" },

	{ KM_TEXT, '\r', REQ_ENTER, "After i: show the allocation in hex" },
};

/* The i-th binding: the table's, then a generic one per view that has an
 * opening key. false past the end. */
static bool binding(size_t i, struct binding *b)
{
	if (i < ARRAY_SIZE(bindings)) {
		*b = bindings[i];
		return true;
	}
	for (int id = 0, n = i - ARRAY_SIZE(bindings); id < V__NR; id++) {
		if (!views__key(id) || n-- > 0)
			continue;
		*b = (struct binding){ KM_GENERIC, views__key(id), views__request(id) };
		return true;
	}
	return false;
}

enum request keys__request(enum keymap km, int key)
{
	/* '\n' and KEY_ENTER are the same key as '\r' for per-view bindings */
	int alt = (key == '\n' || key == KEY_ENTER) ? '\r' : key;
	struct binding b;

	for (size_t i = 0; binding(i, &b); i++)
		if (b.km == km && b.key == alt)
			return b.req;
	for (size_t i = 0; binding(i, &b); i++)
		if (b.km == KM_GENERIC && b.key == key)
			return b.req;
	return REQ_NONE;
}

/* KM_GENERIC, then each view's keymap under the view's section name */
const char *keys__keymap_name(enum keymap km)
{
	if (km == KM_GENERIC)
		return "Everywhere";
	return km < KM__NR ? views__section(km - 1) : "?";
}

const char *keys__name(int key, char *buf, size_t len)
{
	static const struct {
		int key;
		const char *name;
	} names[] = {
		{ KEY_UP, "Up" },	   { KEY_DOWN, "Down" },
		{ KEY_LEFT, "Left" },	   { KEY_RIGHT, "Right" },
		{ KEY_PPAGE, "PgUp" },	   { KEY_NPAGE, "PgDn" },
		{ KEY_HOME, "Home" },	   { KEY_END, "End" },
		{ '\r', "Enter" },	   { KEY_BACKSPACE, "Backspace" },
		{ 127, "Backspace" },	   { '\t', "Tab" },
		{ KEY_BTAB, "Shift-Tab" }, { ' ', "Space" },
		{ KEY_F(1), "F1" },	   { KEY_ENTER, "Enter" },
		{ '\n', "Enter" },	   { KEY_DC, "Delete" },
		{ KEY_F(10), "F10" },	   { KEY_SEQ_GG, "gg" },
		{ KEY_F(6), "F6" },	   { 27, "Esc" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].key == key) {
			snprintf(buf, len, "%s", names[i].name);
			return buf;
		}
	if ((key & ~0xff) == KEY_ALT(0))
		snprintf(buf, len, "Alt-%c", key & 0xff);
	else if (key < 32)
		snprintf(buf, len, "^%c", key + '@');
	else if (key < 127)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "%s", keyname(key) ? keyname(key) : "?");
	return buf;
}

void keys__help(void (*cb)(const char *line, bool heading, void *ctx), void *ctx)
{
	for (int km = 0; km < KM__NR; km++) {
		bool any = false;

		for (int req = 1; req < REQ__NR; req++) {
			char keys[96] = "", line[256], kb[24];
			const char *help = NULL;

			struct binding b;

			for (size_t i = 0; binding(i, &b); i++) {
				if ((int)b.km != km || (int)b.req != req)
					continue;
				keys__name(b.key, kb, sizeof(kb));
				/* one name per key: Enter and Backspace have aliases */
				if (strstr(keys, kb))
					continue;
				if (*keys)
					strncat(keys, ", ", sizeof(keys) - strlen(keys) - 1);
				strncat(keys, kb, sizeof(keys) - strlen(keys) - 1);
				if (b.help)
					help = b.help;
			}
			if (!*keys)
				continue;
			if (!any) {
				cb(keys__keymap_name(km), true, ctx);
				any = true;
			}
			snprintf(line, sizeof(line), "  %-22s %s", keys,
				 help ? help : req_help[req]);
			cb(line, false, ctx);
		}
		if (any)
			cb("", false, ctx);
	}
}

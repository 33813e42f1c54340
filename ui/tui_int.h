/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the TUI: the engine, the views, requests, colour roles and drawing
 * primitives. Views never call curses: they draw through the canvas
 * primitives here, read the session (session.h: the model) and handle
 * requests that the key table produces, returning what they do not handle
 * or a request they translated it into. The views are listed in one
 * registry (views.h).
 */
#ifndef ARENA_INSPECT_TUI_INT_H
#define ARENA_INSPECT_TUI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "btfx.h"
#include "cli.h"
#include "session.h"
#include "source.h"
#include "views.h"

/* ---- requests: what keys mean (tui_keys.c holds the one key table) ----
 * A view's request handler returns REQ_NONE when it handled a request, the
 * same request when it did not (the engine may), or another request it was
 * translated into (as in tig). The requests after QUIT are never bound to a
 * key (but EXIT, F10 as in htop): views and commands translate into them,
 * with what they are about in the session's nav (session.h), and the engine
 * acts on them. */
#define REQ_INFO(_, _view)                                                                      \
	_(NONE, "nothing")                                                                      \
	_(UP, "Move up")                                                                        \
	_(DOWN, "Move down")                                                                    \
	_(LEFT, "Move left / collapse")                                                         \
	_(RIGHT, "Move right / expand")                                                         \
	_(PAGE_UP, "Page up")                                                                   \
	_(PAGE_DOWN, "Page down")                                                               \
	_(HALF_UP, "Half a page up")                                                            \
	_(HALF_DOWN, "Half a page down")                                                        \
	_(FIRST, "Go to the first line")                                                        \
	_(LAST, "Go to the last line")                                                          \
	_(ENTER, "Open / follow / toggle")                                                      \
	_(TOGGLE, "Expand or collapse")                                                         \
	_(BACK, "Back (history)")                                                               \
	_(FORWARD, "Forward (history)")                                                         \
	_(ZOOM_IN, "Zoom in (fewer pages per cell)")                                            \
	_(ZOOM_OUT, "Zoom out (more pages per cell)")                                           \
	_(ZOOM_FIT, "Zoom to fit the whole arena")                                              \
	_(LEGEND, "Show / hide the legend (shown until the first key)")                         \
	_(NEXT_VIEW, "Next view")                                                               \
	_(PREV_VIEW, "Previous view")                                                           \
	VIEW_INFO(_view) /* REQ_VIEW_ID: open the view */                                       \
	_(PROMPT, "Command line (:help lists commands)")                                        \
	_(GOTO, "Go to an address or expression")                                               \
	_(SEARCH, "Search forward (wraps; hex: text, 0x value, \\xNN bytes)")                   \
	_(SEARCH_BACK, "Search backward")                                                       \
	_(SEARCH_NEXT, "Next match")                                                            \
	_(SEARCH_PREV, "Previous match")                                                        \
	_(DIFF_NEXT, "Next change vs the :diff snapshot")                                       \
	_(DIFF_PREV, "Previous change vs the :diff snapshot")                                   \
	_(YANK, "Copy the selected path to the clipboard (OSC 52) and the command line")        \
	_(ROOTS, "Show the roots")                                                              \
	_(WATCH, "Watch the selected field (see the watch pane, Alt-4)")                        \
	_(TABLE, "Table of the selected array (or pointer), one row per element")               \
	_(WALK, "Walk the list from the selected pointer, as a table")                          \
	_(XREFS, "Who points into the selection (the health view's references)")                \
	_(HEAP_INFO, "Which allocation holds the address under the cursor (heap)")              \
	_(HEAP_COLOURS, "Colour pages by allocator (heap); again: by page state")               \
	_(SORT_ASC, "Sort by the selected column, ascending (then a column's letter: by it)")   \
	_(SORT_DESC, "Sort by the selected column, descending (then a column's letter: by it)") \
	_(SORT_NEXT, "Sort by the next column (htop's F6; the header marks it)")                \
	_(SORT_REVERSE, "Reverse the sort order")                                               \
	_(FILTER, "Filter the rows (:filter COND)")                                             \
	_(DELETE, "Remove the selected watch")                                                  \
	_(CLEAR, "Remove every watch")                                                          \
	_(PAUSE, "Freeze / resume the display (watches go on)")                                 \
	_(REFRESH, "Refresh now and redraw")                                                    \
	_(HELP, "Help")                                                                         \
	_(QUIT, "Quit (close help)")                                                            \
	_(SHOW_HEX, "Show nav.addr in the hex view")                                            \
	_(SHOW_STRUCT, "Show nav.expr (NULL: the roots) as a tree")                             \
	_(SHOW_TEXT, "Show nav's title and lines in the text view")                             \
	_(SHOW_TABLE, "Show nav.expr (an array or pointer) as a table")                         \
	_(SHOW_WALK, "Show the walk nav.expr (START [--next M] ...) as a table")                \
	_(SHOW_REFS, "Show who points into [nav.addr, +nav.len) in the health view")            \
	_(SHOW_HEAP, "Show the allocation that holds nav.addr in the text view")                \
	_(SHOW_CHECK, "Run the health check again and show it")                                 \
	_(TABLE_FILTER, "Filter the table by nav.expr (NULL: clear)")                           \
	_(TABLE_SORT, "Sort the table by column nav.expr ([-]NAME)")                            \
	_(GOTO_ADDR, "Move this view's cursor to nav.addr")                                     \
	_(PROMPT_TEXT, "Command line with nav.expr typed in")                                   \
	_(OPEN_ARENA, "Open nav.src, closing the arena open now")                               \
	_(TYPES_LOADED, "The types are loaded (or failed to)")                                  \
	_(SETTINGS_CHANGED, "A setting changed")                                                \
	_(EXIT, "Quit now (:quit)")

#define REQ_ENUM(name, help) REQ_##name,
#define REQ_VIEW_ENUM(id, ops, section, key, flags, help, cmd) REQ_VIEW_##id,
enum request { REQ_INFO(REQ_ENUM, REQ_VIEW_ENUM) REQ__NR };
#undef REQ_ENUM
#undef REQ_VIEW_ENUM

/* KM_GENERIC, then one keymap per view (KM_ID), in the registry's order */
#define KM_ENUM(id, ...) KM_##id,
enum keymap { KM_GENERIC, VIEW_INFO(KM_ENUM) KM__NR };
#undef KM_ENUM
#define VIEW_KEYMAP(id) ((enum keymap)(KM_GENERIC + 1 + (id)))

/* Keys that are not one curses key code: Alt-c (Esc c, as terminals send
 * it) and the two-key sequence gg (vim's top). The engine makes them from
 * what it reads; the key table binds them like any other key. */
#define KEY_ALT(c) (0x4000 | (c))
#define KEY_SEQ_GG 0x4200

enum request keys__request(enum keymap km, int key);
const char *keys__keymap_name(enum keymap km);
/* Help text: calls cb once per line. */
void keys__help(void (*cb)(const char *line, bool heading, void *ctx), void *ctx);
/* "g", "Enter", "^L": human name of a key */
const char *keys__name(int key, char *buf, size_t len);

/* ---- colour roles (tui_draw.c holds the scheme table) ---- */
enum role {
	R_DEFAULT,
	R_TITLE,
	R_STATUS,
	R_ERROR,
	R_INFO,
	R_CURSOR,
	R_HEADER,
	R_LABEL,
	R_DIM,
	R_FREE,
	R_ALLOC,
	R_ALLOC_PART,
	R_RESERVED,
	R_ADDED,
	R_REMOVED,
	R_STALE,
	R_PTR,
	R_PTR_BAD,
	R_CHANGED,
	R_DIFF, /* differs from the :diff snapshot */
	R_UNALLOC,
	R_KEY,
	R_TYPE,
	R_NUM,
	R_STR,
	R_ENUM,
	R_MATCH,
	R_PROMPT,
	R_HEAP0, /* page map by allocator: the allocators, in turn */
	R_HEAP1,
	R_HEAP2,
	R_GLOBALS,   /* pages of __arena globals */
	R_UNCLAIMED, /* allocated, no allocator's */
	R_HEAP_MARK, /* hex: an object boundary, a free slot's bytes */
	R__NR,
};

/* Glyphs with an ASCII fallback when the locale is not UTF-8. */
struct glyphs {
	const char *shade[4]; /* allocated, by pagesym__level (pagesym.h) */
	const char *expanded, *collapsed, *leaf;
	const char *arrow; /* followable pointer */
	const char *hline;
	const char *diff;		 /* a value differs from the :diff snapshot */
	const char *ellipsis;		 /* a cut column */
	const char *sort_up, *sort_down; /* the table's sort column */
	const char *spark[8];		 /* sparkline levels, low to high */
};
extern const struct glyphs *glyph;

/* A rectangle of the screen; views draw rows into it. */
struct canvas {
	void *win; /* WINDOW *, opaque to views */
	int height, width;
	int row, col; /* where the next text goes */
	bool hl;      /* cursor line: text is shown reversed */
};

void draw_row(struct canvas *c, int row);		    /* start (and clear) a row */
int draw_str(struct canvas *c, enum role r, const char *s); /* columns left */
int draw_strn(struct canvas *c, enum role r, const char *s, int n);
int draw_fmt(struct canvas *c, enum role r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int draw_pad(struct canvas *c, enum role r, int col); /* spaces up to col */
void draw_fill(struct canvas *c, enum role r);	      /* to the end of the row */
void draw_hl(struct canvas *c, bool on);
void draw_clear(struct canvas *c);
int draw_cols(const char *s);		/* columns a UTF-8 string takes */
void draw__init(bool color, bool utf8); /* engine only */

/* Marks every case-insensitive match of pat in the rows of c (as drawn)
 * with the match role. */
void draw_matches(struct canvas *c, const char *pat);

/* ---- search ---- */
enum {
	SEARCH_NONE,	/* no match anywhere */
	SEARCH_FOUND,	/* moved to the next match */
	SEARCH_WRAPPED, /* moved to it, past the end (start) and around */
	SEARCH_MORE,	/* stopped at a cap, which the view said on the status line */
};

/* The row-list search every list view uses: the next row after at (dir
 * +1/-1) for which match(i, ctx) holds, wrapping once around n rows;
 * *found is that row. */
int search_rows(int n, int at, int dir, bool (*match)(int i, void *ctx), void *ctx, int *found);

/* ---- views ---- */
#define V_ENUM(id, ...) V_##id,
enum view_id { VIEW_INFO(V_ENUM) V__NR };
#undef V_ENUM

struct view;

struct view_ops {
	const char *name;
	int (*open)(struct view *v);  /* allocate v->priv */
	void (*draw)(struct view *v); /* draw every row of v->c */
	/* REQ_NONE: handled; req: not handled (the engine may); another
	 * request: req translated into it, for the engine */
	enum request (*request)(struct view *v, enum request req);
	void (*tick)(struct view *v); /* new data (page map refreshed) */
	/* one line about the selection, for the status bar */
	void (*status)(struct view *v, char *buf, size_t len);
	/* search: move to the next match of pat (dir +1/-1), wrapping
	 * around at the end (SEARCH_*) */
	int (*search)(struct view *v, const char *pat, int dir);
	void (*done)(struct view *v);
	const char *(*title)(struct view *v); /* optional: name in the title bar */
	/* optional: a count that moves when what the view shows changes
	 * between ticks (messages: the session's message count); the engine
	 * redraws the view when it moves */
	uint64_t (*model_gen)(struct view *v);
	/* optional: a click on row, col of the canvas (dbl: a double click);
	 * returns a request as request does (REQ_NONE: handled) */
	enum request (*click)(struct view *v, int row, int col, bool dbl);
	/* true: draw highlights the search's matches itself (hex: bytes);
	 * else the engine marks the pattern's text wherever it is on screen */
	bool draws_matches;
	/* optional: every key before the key table; true: the view took it
	 * (the table's one-key column choice after s/S) */
	bool (*key)(struct view *v, int key);
};

/* A view sees the session (its model) and its canvas, never the engine or
 * another view: it asks for more by returning a request. */
struct view {
	const struct view_ops *ops;
	struct session *s;
	struct canvas c;
	bool dirty;
	bool opened;
	uint64_t drawn_gen; /* ops->model_gen at the last draw */
	void *priv;
};

#define VIEW_OPS_DECL(id, ops, ...) extern const struct view_ops ops;
VIEW_INFO(VIEW_OPS_DECL)
#undef VIEW_OPS_DECL

/* the registry's columns (views.h), by view (tui_views.c) */
const struct view_ops *views__ops(enum view_id id);
int views__flags(enum view_id id);	      /* VF_* */
int views__key(enum view_id id);	      /* the key that opens it, 0: none */
const char *views__section(enum view_id id);  /* its help heading */
enum request views__request(enum view_id id); /* REQ_VIEW_ID */
bool views__of_request(enum request req, enum view_id *id);
int views__cycle(int i); /* i-th view of the Tab cycle, -1: past the end */
/* i-th ':' command that opens a view; NULL past the end */
const char *views__command(int i, enum view_id *id, const char **help);

/* The engine: the terminal's windows, the views, the loop. It owns the
 * session and every view's private data; a view's ops->done frees only
 * what ops->open allocated. */
struct tui {
	const struct cli_opts *o;
	struct session *s;

	struct view views[V__NR];
	enum view_id cur, prev_cur;
	struct canvas title, status, main;
	bool title_dirty, status_dirty;
	uint64_t seen_msg_gen, seen_data_gen; /* of the session, at the last redraw */

	char last_cmd[1024]; /* the last ':' line: Enter on an empty one repeats it (GDB) */

	/* long work's progress on the status line; Ctrl-C cancels it (the
	 * session hands it to the library: session.progress) */
	struct ai_progress progress;
	struct progress_meter meter;
	int count;	/* a count typed before a key (10j), 0: none */
	bool pending_g; /* g typed: gg goes to the top */
	char hint[512]; /* completion matches, one line */

	bool quit;
	int exit_status;
	unsigned slow_ms; /* AI_TEST_SLOW_PROGRESS: ms slept per tick */
	bool utf8;
	bool color;
};

/* the terminal (tui_term.c): signals, restoring it, stderr while curses is up */
void term__install_signals(void);
void term__started(void);		    /* after initscr: the reset bytes, stderr captured */
void term__drain_stderr(struct session *s); /* stderr's lines onto the status line */
void term__stopped(void);		    /* after endwin: the real stderr back */
int term__quit_signal(void);		    /* SIGINT, SIGTERM, SIGHUP seen; 0: none */
/* a SIGINT seen, and forgotten: Ctrl-C during long work cancels the work,
 * not the program */
bool term__take_sigint(void);
/* text to the terminal's clipboard (OSC 52, through terminfo's Ms);
 * -ENOTSUP when the terminal does not say it takes it */
int term__clipboard(const char *text);

/* commands (tui_cmd.c): run one ':' line on the session; what the engine
 * should do next is the returned request (REQ_NONE: nothing) */
enum request cmd__run(struct session *s, const char *line);
/* names for completion: index i, NULL past the end */
const char *cmd__name(int i);
const char *cmd__setting_name(int i); /* :set NAME, for completion */
void cmd__help(void (*cb)(const char *line, bool heading, void *ctx), void *ctx);

/* readline prompt (tui_prompt.c) */
typedef void (*prompt_fn)(struct tui *t, const char *line); /* NULL: cancelled */
void prompt__init(struct tui *t);
void prompt__exit(struct tui *t);
void prompt__open(struct tui *t, const char *prompt, const char *prefill, bool commands,
		  prompt_fn fn);
bool prompt__active(void);
void prompt__key(struct tui *t, int key);
void prompt__draw(struct tui *t); /* into t->status; places the cursor */
void prompt__cancel(struct tui *t);

/* helpers */
void fmt_hms(uint64_t ns, char *buf, size_t len); /* "14:03:59.123" local time, 0: "-" */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* REQ_SHOW_HEAP (tui_heap.c): the allocation that holds nav.addr as text
 * lines for the text view (REQ_SHOW_TEXT; Enter there goes to it), or
 * REQ_NONE with a message when there is no heap to ask. */
struct session;
enum request tui_heap_info(struct session *s);
/* The page map's colour and glyph for a page's owner (heap__page_owner) */
enum role tui_heap_role(int owner);

#endif

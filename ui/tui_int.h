/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the TUI: the engine, the views, requests, colour roles and drawing
 * primitives. Views never call curses: they draw through the canvas
 * primitives here and handle requests that the key table produces.
 *
 * Ownership: the engine (struct tui) owns the source, the BTF, the shared
 * page map, every view and its private data. A view's ops->done frees only
 * what ops->open allocated.
 */
#ifndef ARENA_INSPECT_TUI_INT_H
#define ARENA_INSPECT_TUI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "btfx.h"
#include "cli.h"
#include "source.h"

struct sink;
struct watch;
struct watch_event;
struct watchset;

/* ---- requests: what keys mean (tui_keys.c holds the one key table) ---- */
#define REQ_INFO(_)                                                    \
	_(NONE, "nothing")                                             \
	_(UP, "Move up")                                               \
	_(DOWN, "Move down")                                           \
	_(LEFT, "Move left / collapse")                                \
	_(RIGHT, "Move right / expand")                                \
	_(PAGE_UP, "Page up")                                          \
	_(PAGE_DOWN, "Page down")                                      \
	_(FIRST, "Go to the first line")                               \
	_(LAST, "Go to the last line")                                 \
	_(ENTER, "Open / follow / toggle")                             \
	_(TOGGLE, "Expand or collapse")                                \
	_(BACK, "Back (history)")                                      \
	_(FORWARD, "Forward (history)")                                \
	_(ZOOM_IN, "Zoom in (fewer pages per cell)")                   \
	_(ZOOM_OUT, "Zoom out (more pages per cell)")                  \
	_(ZOOM_FIT, "Zoom to fit the whole arena")                     \
	_(NEXT_VIEW, "Next view")                                      \
	_(PREV_VIEW, "Previous view")                                  \
	_(VIEW_PAGES, "Page map view")                                 \
	_(VIEW_HEX, "Hex view")                                        \
	_(VIEW_STRUCT, "Struct view")                                  \
	_(VIEW_WATCH, "Watch pane")                                    \
	_(VIEW_CHOOSER, "Arena chooser")                               \
	_(PROMPT, "Command line (:help lists commands)")               \
	_(GOTO, "Go to an address or expression")                      \
	_(SEARCH, "Search")                                            \
	_(SEARCH_NEXT, "Next match")                                   \
	_(SEARCH_PREV, "Previous match")                               \
	_(DIFF_NEXT, "Next change vs the :diff snapshot")              \
	_(DIFF_PREV, "Previous change vs the :diff snapshot")          \
	_(YANK, "Copy the selected field's path to the command line") \
	_(ROOTS, "Show the roots")                                     \
	_(WATCH, "Watch the selected field (see the watch pane, 4)")   \
	_(DELETE, "Remove the selected watch")                         \
	_(CLEAR, "Remove every watch")                                 \
	_(PAUSE, "Freeze / resume the display (watches go on)")        \
	_(REFRESH, "Refresh now and redraw")                           \
	_(HELP, "Help")                                                \
	_(QUIT, "Quit (close help)")

#define REQ_ENUM(name, help) REQ_##name,
enum request { REQ_INFO(REQ_ENUM) REQ__NR };
#undef REQ_ENUM

enum keymap { KM_GENERIC, KM_CHOOSER, KM_PAGES, KM_HEX, KM_STRUCT, KM_WATCH, KM_TEXT, KM__NR };

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
	R_DIFF,		/* differs from the :diff snapshot */
	R_UNALLOC,
	R_KEY,
	R_TYPE,
	R_NUM,
	R_STR,
	R_ENUM,
	R_MATCH,
	R_PROMPT,
	R__NR,
};

/* Glyphs with an ASCII fallback when the locale is not UTF-8. */
struct glyphs {
	const char *shade[5];	/* 1..20%, ..40, ..60, ..80, ..100% allocated */
	const char *expanded, *collapsed, *leaf;
	const char *arrow;	/* followable pointer */
	const char *hline;
	const char *diff;	/* page map: state differs from the :diff snapshot */
};
extern const struct glyphs *glyph;

/* A rectangle of the screen; views draw rows into it. */
struct canvas {
	void *win;		/* WINDOW *, opaque to views */
	int height, width;
	int row, col;		/* where the next text goes */
	bool hl;		/* cursor line: text is shown reversed */
};

void draw_row(struct canvas *c, int row);	/* start (and clear) a row */
int draw_str(struct canvas *c, enum role r, const char *s);	/* columns left */
int draw_strn(struct canvas *c, enum role r, const char *s, int n);
int draw_fmt(struct canvas *c, enum role r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int draw_pad(struct canvas *c, enum role r, int col);		/* spaces up to col */
void draw_fill(struct canvas *c, enum role r);			/* to the end of the row */
void draw_hl(struct canvas *c, bool on);
void draw_clear(struct canvas *c);
int draw_cols(const char *s);	/* columns a UTF-8 string takes */
void draw__init(bool color, bool utf8);	/* engine only */

/* ---- views ---- */
enum view_id { V_CHOOSER, V_PAGES, V_HEX, V_STRUCT, V_WATCH, V_TEXT, V__NR };

struct tui;
struct view;

struct view_ops {
	const char *name;
	enum keymap keymap;
	int (*open)(struct view *v);		/* allocate v->priv */
	void (*draw)(struct view *v);		/* draw every row of v->c */
	/* true: handled; false: the engine may handle it */
	bool (*request)(struct view *v, enum request req);
	void (*tick)(struct view *v);		/* new data (page map refreshed) */
	/* one line about the selection, for the status bar */
	void (*status)(struct view *v, char *buf, size_t len);
	/* search: move to the next match of pat (dir +1/-1); false: none */
	bool (*search)(struct view *v, const char *pat, int dir);
	void (*done)(struct view *v);
	const char *(*title)(struct view *v);	/* optional: name in the title bar */
};

struct view {
	const struct view_ops *ops;
	struct tui *t;
	struct canvas c;
	bool dirty;
	bool opened;
	void *priv;
};

extern const struct view_ops chooser_ops, pages_ops, hex_ops, struct_ops, watch_ops, text_ops;

/* entry points of particular views */
void hex__goto(struct view *v, uint64_t addr, bool history);
int struct__show(struct view *v, const char *expr);	/* NULL: the roots */
void struct__reset_caps(struct view *v);	/* after :set max-elements */
void text__set(struct view *v, const char *title, char **lines, int n);	/* takes lines */
void pages__goto(struct view *v, uint64_t page);

struct tui {
	const struct cli_opts *o;
	struct source *src;		/* NULL: no arena open yet */
	struct btfx *bx;		/* NULL: no BTF */
	char btf_msg[160];		/* why there is no BTF */
	struct pagemap pm;		/* refreshed every tick */
	bool have_pm;
	uint64_t pm_gen;		/* bumped on every page map refresh */
	int arena_err;			/* last source error (arena gone...) */
	struct watchset *ws;		/* NULL until the first watch */
	int hit_id;			/* watch whose hit froze the display, 0 */
	struct sink *log;		/* :log FILE: watch events as JSON lines */
	void *logf;			/* FILE * */
	char *log_path;
	int log_err;			/* first write error (errno) */
	uint64_t log_events;
	int log_initial_id;	/* watches up to this id have their "initial" record */
	/* :diff FILE: a snapshot of this arena that views compare with */
	struct source *diff_src;	/* NULL: no diff */
	char *diff_path;		/* FILE as typed */
	struct pagemap diff_pm;		/* its page map (a snapshot never changes) */
	uint64_t diff_gen;		/* bumped when the diff starts, stops or is replaced */
	/* tui_diff_counts, computed once per (pm_gen, diff_gen) */
	uint64_t diff_counted_pm, diff_counted_diff;
	uint32_t diff_nalloc, diff_nfreed;

	struct view views[V__NR];
	enum view_id cur, prev_cur;
	struct canvas title, status, main;
	bool title_dirty, status_dirty;

	char msg[512];
	bool msg_err;
	char last_search[256];
	char hint[512];			/* completion matches, one line */

	/* :set max-elements N (or --max-elements N): array elements the
	 * struct view shows before "... N more", and shows more of per Enter */
	int max_elements;

	/* p or a hit froze the display: views keep their data, but the watches
	 * are still sampled, logged and counted (sampling never pauses) */
	bool paused;
	uint64_t frozen_events;		/* watch events since the display froze */
	bool quit;
	int exit_status;
	bool utf8;
	bool color;
};

#define TUI_MAX_ELEMENTS 64	/* default of max_elements */

/* engine services for views and commands (tui.c) */
void tui_msg(struct tui *t, bool err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void tui_lib_msg(struct tui *t, const char *what);	/* ai_errmsg() */
void tui_show(struct tui *t, enum view_id id);
void tui_dirty(struct tui *t);
int tui_open_arena(struct tui *t, struct source *src);
void tui_refresh(struct tui *t);			/* take a new page map now */
void tui_hex_goto(struct tui *t, uint64_t addr);	/* show addr in the hex view */
int tui_struct_open(struct tui *t, const char *expr);	/* print EXPR */
/* Add a watch "EXPR [if COND | changes]" (creating the watchset) and take a
 * first sample. Returns the watch's id, or -errno with tui_msg set. */
int tui_watch_add(struct tui *t, const char *spec);
void tui_help(struct tui *t);
void tui_prompt_command(struct tui *t, const char *prefill);	/* ':' prompt */
void tui_text_show(struct tui *t, const char *title, char **lines, int n); /* takes lines */
/* Resolve "ADDR | EXPR" to an address: numbers (small = offset), lvalues,
 * pointer values. -errno with tui_msg set. */
int tui_resolve_addr(struct tui *t, const char *text, uint64_t *addr);
uint64_t tui_page_addr(const struct tui *t, uint64_t page);
int tui_page_state(const struct tui *t, uint64_t addr);	/* enum page_state, -1 outside */
/* Compare with snapshot src from now on (takes src and path; NULL, NULL
 * stops). The caller has checked that src is a snapshot of this arena. */
int tui_diff_set(struct tui *t, struct source *src, char *path);
/* state of page pg in the :diff snapshot (enum page_state); -1: no diff */
int tui_diff_page(const struct tui *t, uint64_t pg);
/* pages allocated / freed since the snapshot, over the whole page map;
 * counted once per page map refresh, not on every draw */
void tui_diff_counts(struct tui *t, uint32_t *allocated, uint32_t *freed);

/* commands (tui_cmd.c) */
void cmd__run(struct tui *t, const char *line);
/* names for completion: index i, NULL past the end */
const char *cmd__name(int i);
const char *cmd__setting_name(int i);	/* :set NAME, for completion */
void cmd__help(void (*cb)(const char *line, bool heading, void *ctx), void *ctx);
/* :log: one JSON line per watch event; flush once per sweep. A write error
 * stops logging and shows in the status line. */
void cmd__log_initial(struct tui *t, const struct watch *w);
void cmd__log_event(struct tui *t, const struct watch_event *ev);
void cmd__log_flush(struct tui *t);
void cmd__log_close(struct tui *t);

/* readline prompt (tui_prompt.c) */
typedef void (*prompt_fn)(struct tui *t, const char *line);	/* NULL: cancelled */
void prompt__init(struct tui *t);
void prompt__exit(struct tui *t);
void prompt__open(struct tui *t, const char *prompt, const char *prefill, bool commands, prompt_fn fn);
bool prompt__active(void);
void prompt__key(struct tui *t, int key);
void prompt__draw(struct tui *t);	/* into t->status; places the cursor */
void prompt__cancel(struct tui *t);

/* helpers */
void fmt_size(uint64_t bytes, char *buf, size_t len);	/* "4 GiB", "12 KiB" */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif

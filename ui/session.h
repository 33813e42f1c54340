/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TUI's session: the model every view shares, with no curses and no
 * readline in it (htop's model/panel split). It owns the open arena's
 * source, its BTF, the page map taken on every refresh, the watchset and
 * its :log file, the :diff snapshot, the settings, the status message with
 * a ring of the last SESSION_MSGS of them, and the navigation target that a
 * view's translated request hands to another view (REQ_SHOW_HEX: nav.addr).
 *
 * Views and commands read the fields below; they change the session only
 * through the session__ functions. Nothing here draws: the engine redraws
 * the status line when msg_gen moves and every view when data_gen moves.
 */
#ifndef ARENA_INSPECT_SESSION_H
#define ARENA_INSPECT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "btfx.h"
#include "expr.h"
#include "progress.h"
#include "source.h"

struct diff;
struct sink;
struct watch;
struct watch_event;
struct watchset;

#define SESSION_MSGS 200 /* status messages kept, with their times */
#define SESSION_MSG_LEN 512
#define SESSION_MAX_ELEMENTS 64 /* default of max_elements */

struct session_msg {
	uint64_t time_ns; /* CLOCK_REALTIME */
	bool err;
	char text[SESSION_MSG_LEN];
};

struct session {
	const char *btf_file; /* --btf FILE, NULL: find it */
	char *types[16];      /* --types FILE and :types FILE, in order */
	int nr_types;
	const char *types_cflags; /* --types-cflags */
	struct source *src;	  /* NULL: no arena open yet */
	struct btfx *bx;	  /* NULL: no BTF */
	char btf_msg[160];	  /* why there is no BTF */
	struct pagemap pm;	  /* refreshed every tick */
	bool have_pm;
	uint64_t pm_gen; /* bumped on every page map refresh */
	int arena_err;	 /* last source error (arena gone...) */

	struct watchset *ws; /* NULL until the first watch */
	int hit_id;	     /* watch whose hit froze the display, 0 */
	/* p or a hit froze the display: views keep their data, but the watches
	 * are still sampled, logged and counted (sampling never pauses) */
	bool paused;
	uint64_t frozen_events; /* watch events since the display froze */

	struct sink *log; /* :log FILE: watch events as JSON lines */
	void *logf;	  /* FILE * */
	char *log_path;
	int log_err; /* first write error (errno) */
	uint64_t log_events;
	int log_initial_id; /* watches up to this id have their "initial" record */

	/* :diff FILE: a snapshot of this arena that views compare with, through
	 * the library's diff engine (diff.h: A the snapshot, B the arena, whose
	 * page map is the session's own) */
	struct source *diff_src; /* NULL: no diff */
	struct diff *diff;	 /* over diff_src and src */
	char *diff_path;	 /* FILE as typed */
	uint64_t diff_gen;	 /* bumped when the diff starts, stops or is replaced */

	/* :set max-elements N (or --max-elements N): array elements the
	 * struct view shows before "... N more", and shows more of per Enter */
	int max_elements;
	/* :set mouse on|off (--no-mouse): wheel, click and double click */
	int mouse;
	/* :set clipboard on|off: y also copies to the terminal's clipboard */
	int clipboard;
	/* what y copied, printable, for the engine to send (OSC 52); NULL: none */
	char *copy;

	/* the status line's message ("" after a key), and every message in a
	 * ring: ring[(nr_msgs - 1) % SESSION_MSGS] is the newest */
	char msg[SESSION_MSG_LEN];
	bool msg_err;
	struct session_msg ring[SESSION_MSGS];
	uint64_t nr_msgs;  /* ever written */
	uint64_t msg_gen;  /* bumped when msg changes */
	uint64_t data_gen; /* bumped when every view must redraw */

	/* the allocators' view (heap.h): built when a view asks, at most once
	 * per page map refresh (a snapshot's: once), freed with the arena */
	struct heap *heap;
	uint64_t heap_gen; /* pm_gen it was built at */
	int heap_types;	   /* nr_types it was built with */
	int heap_err;	   /* the last build's error (said once) */
	/* GDB's value history (expr.h): every value :print showed, $1 first;
	 * handed to the evaluator through the btfx, so $N works in every
	 * expression. It goes with the arena (its values' types are its
	 * BTF's); the numbers go on. */
	struct value *hist;
	uint64_t hist_first; /* the number of hist[0] */
	uint64_t nr_hist;    /* values kept */
	size_t cap_hist;
	struct expr_history hist_if;
	/* the last search (/ or ?): every view highlights its matches on
	 * screen; "" none */
	char search[256];
	int search_dir; /* 1: / (n goes down), -1: ? (n goes up) */

	/* what a translated request is about (see enum request) */
	struct {
		uint64_t addr;	    /* REQ_SHOW_HEX, REQ_GOTO_ADDR, REQ_SHOW_REFS */
		uint64_t len;	    /* REQ_SHOW_REFS: [addr, addr + len) */
		char *expr;	    /* REQ_SHOW_STRUCT (NULL: the roots), REQ_PROMPT's text */
		char fmt;	    /* REQ_SHOW_STRUCT: :print/F's letter, 0: none */
		bool print;	    /* REQ_SHOW_STRUCT from :print: a new history value */
		struct source *src; /* REQ_OPEN_ARENA */
		char *title;	    /* REQ_SHOW_TEXT */
		uint64_t text_addr; /* REQ_SHOW_TEXT: Enter shows it in hex (0: none) */
		char **lines;
		int nr_lines;
		/* a message for once the request is done (after what the
		 * view it goes to says) */
		char note[SESSION_MSG_LEN];
	} nav;

	/* long library work (check, the refs index, :snapshot): the engine's progress
	 * callback (shows the status line after 200 ms, polls Esc and Ctrl-C
	 * to cancel); progress.cb NULL: none. busy_start_ms: when the work
	 * began (session__progress) */
	struct ai_progress progress;
	uint64_t busy_start_ms;
};

/* The progress to hand to one long library call that starts now (NULL
 * when the engine installed none). */
const struct ai_progress *session__progress(struct session *s);

struct session *session__new(const char *btf_file, int max_elements);
/* CLOCK_MONOTONIC in ms, the clock of busy_start_ms */
uint64_t session__now_ms(void);
void session__free(struct session *s); /* NULL is fine */

/* ---- messages ---- */
void session__msg(struct session *s, bool err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void session__lib_msg(struct session *s, const char *what); /* ai_errmsg() */
void session__msg_clear(struct session *s);		    /* the status line; the ring keeps it */
int session__nr_msgs(const struct session *s);		    /* in the ring, <= SESSION_MSGS */
/* i-th kept message, 0 the oldest; NULL past the end */
const struct session_msg *session__msg_at(const struct session *s, int i);

/* ---- the arena ---- */
/* Takes src; the arena open before is closed (watches, diff, BTF with it). */
void session__open_arena(struct session *s, struct source *src);
void session__close_arena(struct session *s);
void session__refresh(struct session *s); /* take a new page map now */
/* BTF is opened after the first screen is up; true when this call tried
 * (the struct view shows the roots again). */
bool session__load_btf(struct session *s);
/* --types FILE...: added to every arena's BTF when it loads (copied). */
void session__set_types(struct session *s, const char *const *files, int n, const char *cflags);
/* :types FILE: add it now (and to every arena opened later); the status
 * line says what it holds or why not. 0 or -errno. */
int session__add_types(struct session *s, const char *file);
uint64_t session__page_addr(const struct session *s, uint64_t page);
int session__page_state(const struct session *s, uint64_t addr); /* enum page_state, -1 outside */
/* Resolve "ADDR | EXPR" to an address: numbers (small = offset), lvalues,
 * pointer values. -errno with the message set. */
int session__resolve_addr(struct session *s, const char *text, uint64_t *addr);

/* ---- the value history ---- */
/* Keep v as the next history value; its number, 0 when it could not be
 * kept (out of memory: said on the status line). */
uint64_t session__history_add(struct session *s, const struct value *v);
/* The number of the last value ($), 0: none yet */
uint64_t session__history_last(const struct session *s);
/* text with $, $$, $$N made absolute (expr__history_pin), malloc'ed;
 * NULL with the message on the status line */
char *session__history_pin(struct session *s, const char *text);

/* ---- :diff ---- */
/* Compare with snapshot src from now on (takes src and path; NULL, NULL
 * stops). The caller has checked that src is a snapshot of this arena. */
int session__diff_set(struct session *s, struct source *src, char *path);
/* state of page pg in the :diff snapshot (enum page_state); -1: no diff */
int session__diff_page(const struct session *s, uint64_t pg);
/* pages allocated / freed since the snapshot, over the whole page map;
 * counted once per page map refresh (diff__counts), not on every draw */
void session__diff_counts(struct session *s, uint32_t *allocated, uint32_t *freed);

/* ---- watches ---- */
/* Add a watch "EXPR [if COND | changes]" (creating the watchset) and take a
 * first sample. Returns the watch's id, or -errno with the message set. */
int session__watch_add(struct session *s, const char *spec);
int session__watch_remove(struct session *s, int id);
int session__watch_clear(struct session *s); /* how many went */
/* One sweep of the watches (and :log); a hit freezes the display. Returns
 * the id of the watch that hit, 0 for none. */
int session__sample_watches(struct session *s);
/* p: freeze or resume the display; resuming acknowledges a hit */
void session__set_paused(struct session *s, bool paused);

/* ---- :log FILE: one JSON line per watch event ---- */
int session__log_start(struct session *s, const char *path); /* -errno, message set */
/* Stop logging; -errno when the file did not get everything. */
int session__log_stop(struct session *s);
/* A write error stops logging and shows in the status line. */
void session__log_flush(struct session *s);
void session__log_initial(struct session *s, const struct watch *w);

/* ---- the navigation target of a translated request ---- */
void session__nav_addr(struct session *s, uint64_t addr);
/* REQ_SHOW_REFS: who points into [addr, addr + len) */
void session__nav_range(struct session *s, uint64_t addr, uint64_t len);
/* y: text for the terminal's clipboard, made printable (printable.h) */
void session__copy(struct session *s, const char *text);
void session__nav_expr(struct session *s, const char *expr);	 /* copied; NULL: none */
void session__nav_source(struct session *s, struct source *src); /* takes src */
struct source *session__take_source(struct session *s);
void session__nav_text(struct session *s, const char *title, char **lines, int n); /* takes lines */
struct heap;
/* The open arena's allocators (heap.h), built on demand as above; NULL
 * without an arena or page map, or when it cannot be built (the status
 * line says why, once). Borrowed until the next call or the arena closes. */
const struct heap *session__heap(struct session *s);
char **session__take_text(struct session *s, int *n); /* the lines, yours now */
void session__nav_note(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The request is done: the note onto the status line, the rest dropped. */
void session__nav_done(struct session *s);

#endif

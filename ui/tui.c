// SPDX-License-Identifier: GPL-2.0
/*
 * The TUI engine: curses up and down, the event loop with the input timeout
 * as the live-refresh tick, the views (opened, shown and cycled from the
 * registry, views.h), the requests they hand back, the title and status
 * bars. The model is the session (session.h); the terminal's signals and
 * stderr are tui_term.c's. Views draw into their canvas when dirty; every
 * window is pushed with wnoutrefresh and the screen is updated once per
 * loop with doupdate.
 */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "error.h"
#include "tui.h"
#include "tui_int.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libbpf's messages (through the library's capture): the status line */
static void on_lib_msg(const char *msg, void *ctx)
{
	session__msg(ctx, true, "%s", msg);
}

/*
 * Long library work (the health check, the refs index, :snapshot) ticks
 * here between batches (the session hands this to the views:
 * session__progress). After 200 ms the status line shows how far it got
 * (the CLI's progress meter: rate and time left), redrawn at most ten times
 * a second,
 * and the keyboard is polled without waiting: Esc (or Ctrl-C, a SIGINT in
 * cbreak mode) cancels the work, not the program. Other keys typed
 * meanwhile are dropped (a resize is kept for the loop).
 * AI_TEST_SLOW_PROGRESS=MS (screen tests) sleeps MS per tick, so that
 * small fixtures' work lasts long enough to be seen and cancelled.
 */
static bool on_progress(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	struct tui *t = ctx;
	struct canvas *c = &t->status;
	char line[200];
	int key;

	if (t->slow_ms)
		usleep(t->slow_ms * 1000);
	if (term__take_sigint() || term__quit_signal()) {
		/* Ctrl-C: cancel the work; SIGTERM, SIGHUP: stop it, then quit */
		t->meter.finished = true; /* the next work starts a new line */
		return true;
	}
	/* the CLI's meter: shown once the work has taken 200 ms (counted
	 * from session__progress), at most ten times a second */
	t->meter.due = now_ms() - t->s->busy_start_ms >= 200;
	if (progress_meter__line(&t->meter, what, done, total, line, sizeof(line))) {
		draw_row(c, 0);
		draw_str(c, R_INFO, line);
		draw_str(c, R_DIM, "   Esc or Ctrl-C: cancel");
		draw_fill(c, R_STATUS);
		wnoutrefresh(c->win);
		doupdate();
		t->status_dirty = true;
	}
	wtimeout(c->win, 0);
	while ((key = wgetch(c->win)) != ERR) {
		if (key == 27) {
			t->meter.finished = true;
			return true;
		}
		if (key == KEY_RESIZE) {
			ungetch(key);
			break;
		}
	}
	return false;
}

static void tui_dirty(struct tui *t)
{
	t->title_dirty = t->status_dirty = true;
	for (int i = 0; i < V__NR; i++)
		t->views[i].dirty = true;
}

/* ---- views ---- */

static bool view_open(struct tui *t, enum view_id id)
{
	struct view *v = &t->views[id];

	if (v->opened)
		return true;
	v->ops = views__ops(id);
	v->s = t->s;
	v->c = t->main;
	v->priv = NULL;
	if (v->ops->open && v->ops->open(v)) {
		session__lib_msg(t->s, v->ops->name);
		return false;
	}
	v->opened = true;
	return true;
}

static void view_close(struct tui *t, enum view_id id)
{
	struct view *v = &t->views[id];

	if (!v->opened)
		return;
	if (v->ops->done)
		v->ops->done(v);
	v->priv = NULL;
	v->opened = false;
}

static void tui_show(struct tui *t, enum view_id id)
{
	if ((views__flags(id) & VF_ARENA) && !t->s->src) {
		session__msg(t->s, true, "no arena open: choose one (Enter)");
		id = V_CHOOSER;
	}
	if (!view_open(t, id))
		return;
	if (id != t->cur && !(views__flags(t->cur) & VF_TRANSIENT))
		t->prev_cur = t->cur;
	t->cur = id;
	/* a view that was hidden catches up with the data now */
	if (t->views[id].ops->tick && t->s->have_pm)
		t->views[id].ops->tick(&t->views[id]);
	t->views[id].dirty = true;
	t->title_dirty = t->status_dirty = true;
}

/* req to view id (opened); what it hands back, REQ_NONE when it handled
 * it or did not know it */
static enum request view_request(struct tui *t, enum view_id id, enum request req)
{
	struct view *v = &t->views[id];
	enum request r;

	if (!v->opened || !v->ops->request)
		return REQ_NONE;
	r = v->ops->request(v, req);
	v->dirty = true;
	t->status_dirty = true;
	return r == req ? REQ_NONE : r;
}

/* show view id, then give it req */
static enum request show_in(struct tui *t, enum view_id id, enum request req)
{
	tui_show(t, id);
	return t->cur == id ? view_request(t, id, req) : REQ_NONE;
}

static void dispatch(struct tui *t, enum request req);
static void mouse_apply(struct tui *t);

static void close_arena(struct tui *t)
{
	for (int i = 0; i < V__NR; i++)
		if (i != V_CHOOSER)
			view_close(t, i);
	session__close_arena(t->s);
}

static void open_arena(struct tui *t, struct source *src)
{
	close_arena(t);
	session__open_arena(t->s, src);
	tui_show(t, V_PAGES);
}

/* BTF is opened after the first screen is up: the page map needs none, and
 * walking programs and maps must not delay the first picture. */
static void load_btf(struct tui *t)
{
	if (!session__load_btf(t->s))
		return;
	t->title_dirty = true;
	dispatch(t, REQ_TYPES_LOADED);
}

/* The views catch up with the arena: a new page map, the current view's
 * data. Not while the display is frozen. */
static void refresh_display(struct tui *t)
{
	struct view *v = &t->views[t->cur];

	/* a snapshot does not change: its page map was taken at open */
	if (t->s->src && !t->s->src->info.is_snapshot)
		session__refresh(t->s);
	if (v->opened && v->ops->tick && (t->s->have_pm || t->cur == V_CHOOSER))
		v->ops->tick(v);
	t->title_dirty = true;
}

/* One live tick. Sampling (watches, :log) never stops: a frozen display
 * (p, or a hit) only stops the views from catching up, unless display
 * asks for it (r). */
static void tick(struct tui *t, bool display)
{
	if (display || !t->s->paused)
		refresh_display(t);
	if (t->s->src && !t->s->src->info.is_snapshot)
		session__sample_watches(t->s);
	t->title_dirty = true;
}

/* ---- drawing ---- */

static void layout(struct tui *t)
{
	int lines = LINES < 3 ? 3 : LINES, cols = COLS < 10 ? 10 : COLS;
	WINDOW *w;

	if (t->title.win) {
		delwin(t->title.win);
		delwin(t->main.win);
		delwin(t->status.win);
	}
	t->title = (struct canvas){ .win = newwin(1, cols, 0, 0), .height = 1, .width = cols };
	t->main = (struct canvas){ .win = newwin(lines - 2, cols, 1, 0),
				   .height = lines - 2,
				   .width = cols };
	w = newwin(1, cols, lines - 1, 0);
	t->status = (struct canvas){ .win = w, .height = 1, .width = cols };
	keypad(w, TRUE);
	for (int i = 0; i < V__NR; i++)
		t->views[i].c = t->main;
	tui_dirty(t);
}

static void draw_title(struct tui *t)
{
	struct canvas *c = &t->title;
	struct session *s = t->s;
	const struct arena_info *ai = s->src ? &s->src->info : NULL;
	struct view *v = &t->views[t->cur];
	const char *mode;
	char size[32], frozen[64];
	bool stale;
	int rlen, width;

	if (s->src && !s->src->info.is_snapshot && s->paused) {
		/* the display is frozen, the watches are not: say both */
		snprintf(frozen, sizeof(frozen), "FROZEN (p), sampling: %llu event%s",
			 (unsigned long long)s->frozen_events, s->frozen_events == 1 ? "" : "s");
		mode = frozen;
	} else {
		mode = !s->src ? "" : s->src->info.is_snapshot ? "snapshot" : "live";
	}
	stale = s->have_pm && s->pm.stale;
	rlen = draw_cols(mode) + 2 + (s->arena_err ? 6 : 0) + (stale ? 7 : 0);
	/* the left part is cut so the state on the right always shows */
	width = c->width;
	c->width = width > rlen ? width - rlen : 0;
	draw_row(c, 0);
	draw_str(c, R_TITLE, " arena-inspect");
	/* a remote source: whose arena this is, first */
	if (ai && ai->host[0])
		draw_fmt(c, R_TITLE, "  on %s", ai->host);
	if (ai) {
		fmt_size((uint64_t)ai->max_pages << ai->page_shift, size, sizeof(size));
		if (ai->is_snapshot)
			draw_fmt(c, R_TITLE, "  snapshot '%s'  %s", ai->name, size);
		else
			draw_fmt(c, R_TITLE, "  arena %u '%s'  %s @0x%llx", ai->map_id, ai->name,
				 size, (unsigned long long)ai->user_vm_start);
	}
	if (v->opened)
		draw_fmt(c, R_TITLE, "  [%s]", v->ops->title ? v->ops->title(v) : v->ops->name);
	if (s->src && !s->bx && !s->btf_msg[0])
		draw_str(c, R_TITLE, "  loading types...");
	c->width = width;
	draw_pad(c, R_TITLE, c->width - rlen);
	if (s->arena_err)
		draw_str(c, R_STALE, " GONE ");
	if (stale)
		draw_str(c, R_STALE, " stale ");
	draw_fmt(c, R_TITLE, " %s ", mode);
	draw_fill(c, R_TITLE);
	wnoutrefresh(c->win);
}

static void draw_status(struct tui *t)
{
	struct canvas *c = &t->status;
	struct view *v = &t->views[t->cur];
	char buf[512] = "";

	if (prompt__active()) {
		prompt__draw(t);
		return;
	}
	draw_row(c, 0);
	if (t->s->msg[0]) {
		draw_str(c, t->s->msg_err ? R_ERROR : R_INFO, t->s->msg);
	} else {
		if (v->opened && v->ops->status)
			v->ops->status(v, buf, sizeof(buf));
		draw_str(c, R_STATUS, buf);
		if (t->count || t->pending_g) {
			/* what is typed so far, as vim's showcmd */
			char typed[24] = "";

			if (t->count)
				snprintf(typed, sizeof(typed), "%d", t->count);
			if (t->pending_g)
				strcat(typed, "g");
			draw_pad(c, R_STATUS, c->width - 32);
			draw_str(c, R_KEY, typed);
		}
		if (c->width - c->col > 23) {
			draw_pad(c, R_STATUS, c->width - 21);
			draw_str(c, R_DIM, "F1 help  : command");
		}
	}
	draw_fill(c, R_STATUS);
	wnoutrefresh(c->win);
}

/* completion candidates sit on the last row of the main window until the
 * next key */
static void draw_hint(struct tui *t)
{
	struct canvas *c = &t->main;

	if (!t->hint[0])
		return;
	draw_row(c, c->height - 1);
	draw_str(c, R_DIM, t->hint);
	draw_fill(c, R_DEFAULT);
}

static void redraw(struct tui *t)
{
	struct view *v = &t->views[t->cur];

	/* what changed in the session since the last redraw */
	if (t->s->data_gen != t->seen_data_gen)
		tui_dirty(t);
	if (t->s->msg_gen != t->seen_msg_gen)
		t->status_dirty = true;
	t->seen_data_gen = t->s->data_gen;
	t->seen_msg_gen = t->s->msg_gen;
	if (v->opened && v->ops->model_gen && v->ops->model_gen(v) != v->drawn_gen)
		v->dirty = true;

	/* a view's own title (ops->title) may change with what it shows */
	if (v->dirty && v->opened && v->ops->title)
		t->title_dirty = true;
	if (t->title_dirty)
		draw_title(t);
	if (v->dirty || t->hint[0]) {
		v->c = t->main;
		v->ops->draw(v);
		if (t->s->search[0] && !v->ops->draws_matches)
			draw_matches(&v->c, t->s->search);
		draw_hint(t);
		wnoutrefresh(t->main.win);
		v->dirty = false;
		if (v->ops->model_gen)
			v->drawn_gen = v->ops->model_gen(v);
	}
	t->title_dirty = false;
	/* last, so the hardware cursor ends up in the prompt */
	draw_status(t);
	t->status_dirty = false;
	doupdate();
}

/* ---- requests the views leave to the engine ---- */

static void next_view(struct tui *t, int dir)
{
	int i, n = 0;

	if (!t->s->src) {
		tui_show(t, V_CHOOSER);
		return;
	}
	while (views__cycle(n) >= 0)
		n++;
	for (i = 0; i < n; i++)
		if (views__cycle(i) == (int)t->cur)
			break;
	if (i == n)
		i = dir > 0 ? n - 1 : 0;
	tui_show(t, views__cycle((i + dir + n) % n));
}

/* Enter on an empty ':' line runs the last command again, as GDB does
 * (print $ again, the next hex page...) */
static void on_command(struct tui *t, const char *line)
{
	if (!line)
		return;
	if (!line[strspn(line, " ")]) {
		if (!t->last_cmd[0])
			return;
		line = t->last_cmd;
	} else {
		snprintf(t->last_cmd, sizeof(t->last_cmd), "%s", line);
	}
	dispatch(t, cmd__run(t->s, line));
}

/* n (dir 1) and N (-1) go the way of the last search: / down, ? up */
static void search_again(struct tui *t, int dir)
{
	struct view *v = &t->views[t->cur];
	struct session *s = t->s;

	if (!s->search[0]) {
		session__msg(s, true, "no search yet: /TEXT or ?TEXT");
		return;
	}
	if (!v->ops->search) {
		session__msg(s, true, "this view has no search");
		return;
	}
	dir *= s->search_dir;
	switch (v->ops->search(v, s->search, dir)) {
	case SEARCH_NONE: session__msg(s, true, "not found: %s", s->search); break;
	case SEARCH_WRAPPED: {
		/* with what the view said about the match */
		char said[SESSION_MSG_LEN];

		snprintf(said, sizeof(said), "%s", s->msg);
		session__msg(s, false, "search wrapped %s: %s",
			     dir > 0 ? "to the top" : "to the bottom", said[0] ? said : s->search);
		break;
	}
	default: break;
	}
	v->dirty = true;
}

/* / TEXT Enter (? TEXT: backward); Enter alone searches for the last
 * text again */
static void on_search_dir(struct tui *t, const char *line, int dir)
{
	if (!line)
		return;
	if (*line)
		snprintf(t->s->search, sizeof(t->s->search), "%s", line);
	t->s->search_dir = dir;
	if (t->s->search[0])
		search_again(t, 1);
	/* every view shows the new pattern's matches */
	t->s->data_gen++;
}

static void on_search(struct tui *t, const char *line)
{
	on_search_dir(t, line, 1);
}

static void on_search_back(struct tui *t, const char *line)
{
	on_search_dir(t, line, -1);
}

static void on_goto(struct tui *t, const char *line)
{
	if (line && *line) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "goto %s", line);
		on_command(t, cmd);
	}
}

static void help_line(const char *line, bool heading, void *ctx)
{
	struct {
		char **lines;
		int n, cap;
	} *h = ctx;
	char *s;

	if (h->n == h->cap) {
		int cap = h->cap ? h->cap * 2 : 64;
		char **nl = realloc(h->lines, cap * sizeof(*nl));

		if (!nl)
			return;
		h->lines = nl;
		h->cap = cap;
	}
	/* headings are marked with a leading \1 for the text view */
	if (asprintf(&s, "%s%s", heading ? "\1" : "", line) < 0)
		return;
	h->lines[h->n++] = s;
}

static enum request help(struct tui *t)
{
	struct {
		char **lines;
		int n, cap;
	} h = {};

	help_line("Keys", true, &h);
	help_line("", false, &h);
	keys__help(help_line, &h);
	cmd__help(help_line, &h);
	session__nav_text(t->s, "help", h.lines, h.n);
	return REQ_SHOW_TEXT;
}

/* Requests for the engine itself: the current view never sees them first
 * (a translated request is on its way to another view, or to all). */
static bool engine_first(enum request req)
{
	switch (req) {
	case REQ_SHOW_HEX:
	case REQ_SHOW_STRUCT:
	case REQ_SHOW_TEXT:
	case REQ_SHOW_TABLE:
	case REQ_SHOW_WALK:
	case REQ_SHOW_REFS:
	case REQ_SHOW_HEAP:
	case REQ_SHOW_CHECK:
	case REQ_PROMPT_TEXT:
	case REQ_OPEN_ARENA:
	case REQ_TYPES_LOADED:
	case REQ_SETTINGS_CHANGED:
	case REQ_EXIT: return true;
	default: return false;
	}
}

/* What the current view did not handle. Returns a request for the (now)
 * current view to go on with, REQ_NONE when done. */
static enum request engine_request(struct tui *t, enum request req)
{
	enum view_id id;

	if (views__of_request(req, &id)) {
		tui_show(t, id);
		return REQ_NONE;
	}
	switch (req) {
	case REQ_QUIT:
		if (views__flags(t->cur) & VF_TRANSIENT)
			tui_show(t, t->prev_cur);
		else
			t->quit = true;
		break;
	case REQ_EXIT: t->quit = true; break;
	case REQ_HELP: return help(t);
	case REQ_NEXT_VIEW: next_view(t, 1); break;
	case REQ_PREV_VIEW: next_view(t, -1); break;
	case REQ_PROMPT: prompt__open(t, ":", "", true, on_command); break;
	case REQ_PROMPT_TEXT: prompt__open(t, ":", t->s->nav.expr, true, on_command); break;
	case REQ_GOTO: prompt__open(t, "goto: ", "", true, on_goto); break;
	case REQ_SEARCH: prompt__open(t, "/", "", false, on_search); break;
	case REQ_SEARCH_BACK: prompt__open(t, "?", "", false, on_search_back); break;
	case REQ_HALF_UP:
	case REQ_HALF_DOWN:
		/* half the rows, as line moves: every view's own idea of a line */
		for (int i = 0; i < (t->main.height - 1) / 2 || i == 0; i++)
			view_request(t, t->cur, req == REQ_HALF_UP ? REQ_UP : REQ_DOWN);
		break;
	case REQ_SEARCH_NEXT:
	case REQ_SEARCH_PREV: search_again(t, req == REQ_SEARCH_NEXT ? 1 : -1); break;
	case REQ_PAUSE:
		session__set_paused(t->s, !t->s->paused);
		/* and the views catch up with what happened meanwhile */
		if (!t->s->paused)
			refresh_display(t);
		t->title_dirty = true;
		break;
	case REQ_REFRESH:
		clearok(curscr, TRUE);
		tick(t, true);
		tui_dirty(t);
		break;
	case REQ_BACK:
		if (views__flags(t->cur) & VF_TRANSIENT)
			tui_show(t, t->prev_cur);
		break;
	case REQ_SHOW_HEX:
	case REQ_GOTO_ADDR:
		/* a view without a cursor to move: the hex view shows it */
		return show_in(t, V_HEX, REQ_SHOW_HEX);
	case REQ_SHOW_STRUCT: return show_in(t, V_STRUCT, req);
	case REQ_SHOW_TEXT: return show_in(t, V_TEXT, req);
	case REQ_SHOW_HEAP:
		if (tui_heap_info(t->s) == REQ_NONE)
			return REQ_NONE;
		return show_in(t, V_TEXT, REQ_SHOW_TEXT);
	case REQ_SHOW_REFS:
	case REQ_SHOW_CHECK: return show_in(t, V_HEALTH, req);
	case REQ_SHOW_TABLE:
	case REQ_SHOW_WALK:
	case REQ_TABLE_FILTER:
	case REQ_TABLE_SORT: return show_in(t, V_TABLE, req);
	case REQ_OPEN_ARENA: open_arena(t, session__take_source(t->s)); break;
	case REQ_TYPES_LOADED:
	case REQ_SETTINGS_CHANGED:
		mouse_apply(t);
		/* to every open view; none is shown for it */
		for (int i = 0; i < V__NR; i++)
			view_request(t, i, req);
		break;
	default: break;
	}
	return REQ_NONE;
}

/* What y copied, to the terminal's clipboard too when it takes it */
static void send_copy(struct tui *t)
{
	struct session *s = t->s;
	int err = s->clipboard ? term__clipboard(s->copy) : 0;

	if (!s->clipboard)
		session__msg(s, false, "not copied to the clipboard (:set clipboard off): %s",
			     s->copy);
	else if (err == -ENOTSUP)
		session__msg(s, false,
			     "not copied to the clipboard: the terminal (TERM=%s) has no Ms (OSC "
			     "52): %s",
			     getenv("TERM") ? getenv("TERM") : "", s->copy);
	else if (err)
		session__msg(s, true, "clipboard: cannot write to the terminal: %s", s->copy);
	else
		session__msg(s, false, "copied to the clipboard (OSC 52): %s", s->copy);
	free(s->copy);
	s->copy = NULL;
}

/* A request from a key or a command: the current view first (unless it is
 * the engine's), then the engine, until it is done. What it was about
 * (the session's nav) is dropped at the end. */
static void dispatch(struct tui *t, enum request req)
{
	for (int hops = 0; req != REQ_NONE && hops < 8; hops++) {
		struct view *v = &t->views[t->cur];
		enum request r = req;

		if (!engine_first(req) && v->opened && v->ops->request) {
			r = v->ops->request(v, req);
			if (r == REQ_NONE) {
				v->dirty = true;
				t->status_dirty = true;
				break;
			}
		}
		req = r == req ? engine_request(t, req) : r;
	}
	session__nav_done(t->s);
	if (t->s->copy)
		send_copy(t);
}

/* Requests a count repeats (10j, 5n); the others take it as 1. */
static bool repeatable(enum request req)
{
	switch (req) {
	case REQ_UP:
	case REQ_DOWN:
	case REQ_LEFT:
	case REQ_RIGHT:
	case REQ_PAGE_UP:
	case REQ_PAGE_DOWN:
	case REQ_HALF_UP:
	case REQ_HALF_DOWN:
	case REQ_SEARCH_NEXT:
	case REQ_SEARCH_PREV:
	case REQ_DIFF_NEXT:
	case REQ_DIFF_PREV:
	case REQ_BACK:
	case REQ_FORWARD:
	case REQ_ZOOM_IN:
	case REQ_ZOOM_OUT: return true;
	default: return false;
	}
}

#define COUNT_MAX 9999

/* The mouse as the setting says (on by default, --no-mouse, :set mouse) */
static void mouse_apply(struct tui *t)
{
	mmask_t want = BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED;

	mousemask(t->s->mouse ? want : 0, NULL);
}

#define WHEEL_LINES 3

/* wheel: lines up or down; click: the view selects what is under it,
 * a double click follows it (the view's click op) */
static void handle_mouse(struct tui *t)
{
	struct view *v = &t->views[t->cur];
	enum request req;
	MEVENT ev;
	int row;

	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		for (int i = 0; i < WHEEL_LINES; i++)
			dispatch(t, ev.bstate & BUTTON4_PRESSED ? REQ_UP : REQ_DOWN);
		return;
	}
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)))
		return;
	/* the main window is below the title row */
	row = ev.y - 1;
	if (row < 0 || row >= t->main.height || !v->opened || !v->ops->click)
		return;
	v->dirty = true;
	t->status_dirty = true;
	req = v->ops->click(v, row, ev.x, ev.bstate & BUTTON1_DOUBLE_CLICKED);
	/* a click is a key press for the view (its legend goes), after the
	 * click was placed on what was on screen */
	if (v->ops->key)
		v->ops->key(v, KEY_MOUSE);
	dispatch(t, req);
}

/* Esc then a key at once is Alt and that key (what terminals send for it);
 * Esc alone stays Esc */
static int read_alt(struct tui *t)
{
	int next;

	wtimeout(t->status.win, 0);
	next = wgetch(t->status.win);
	if (next >= '1' && next <= '9')
		return KEY_ALT(next);
	if (next != ERR)
		ungetch(next);
	return 27;
}

static void handle_key(struct tui *t, int key)
{
	struct view *v = &t->views[t->cur];
	enum request req;
	int n;

	if (key == KEY_RESIZE) {
		layout(t);
		return;
	}
	if (t->hint[0]) {
		t->hint[0] = 0;
		v->dirty = true;
	}
	if (key == KEY_MOUSE && prompt__active()) {
		MEVENT ev;

		getmouse(&ev); /* not for the command line */
		return;
	}
	if (prompt__active()) {
		prompt__key(t, key);
		t->status_dirty = true;
		return;
	}
	session__msg_clear(t->s);
	if (key == KEY_MOUSE) {
		handle_mouse(t);
		return;
	}
	if (key == 27)
		key = read_alt(t);
	if (key == 27 && (t->count || t->pending_g)) {
		/* Esc drops a count or a g being typed, as in vim */
		t->count = 0;
		t->pending_g = false;
		t->status_dirty = true;
		return;
	}
	if (key == 27 || (t->cur == V_CHOOSER && keys__request(KM_GENERIC, key) == REQ_BACK)) {
		/* Esc leaves help, text and messages; Esc and Backspace leave
		 * the chooser for the view it was opened from */
		if (t->cur == V_CHOOSER && t->s->src && t->prev_cur != V_CHOOSER) {
			tui_show(t, t->prev_cur);
			return;
		}
		if (key == 27)
			key = views__flags(t->cur) & VF_TRANSIENT ? 'q' : 0;
	}
	if (v->opened && v->ops->key && v->ops->key(v, key)) {
		v->dirty = true;
		t->title_dirty = t->status_dirty = true;
		return;
	}
	/* a count before a key (10j): the digits are counts, not views */
	if ((key >= '1' && key <= '9') || (key == '0' && t->count)) {
		t->count = t->count * 10 + (key - '0');
		if (t->count > COUNT_MAX)
			t->count = COUNT_MAX;
		t->status_dirty = true;
		return;
	}
	/* g waits for a second g (the top); another key after g is itself */
	if (t->pending_g) {
		t->pending_g = false;
		t->status_dirty = true;
		if (key == 'g')
			key = KEY_SEQ_GG;
	} else if (key == 'g') {
		t->pending_g = true;
		t->status_dirty = true;
		return;
	}
	req = keys__request(VIEW_KEYMAP(t->cur), key);
	n = t->count && repeatable(req) ? t->count : 1;
	t->count = 0;
	/* a repeat stops at the first error (no match, the end of history) */
	for (int i = 0; i < n && req != REQ_NONE; i++) {
		dispatch(t, req);
		if ((t->s->msg[0] && t->s->msg_err) || t->quit)
			break;
	}
}

/* ---- run ---- */

static bool locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
}

int tui_run(struct source *src, const struct cli_opts *o)
{
	struct tui t = { .o = o, .exit_status = 0, .cur = V_CHOOSER, .prev_cur = V_CHOOSER };
	bool exit_first = getenv("AI_TUI_EXIT_AFTER_FIRST_DRAW") &&
			  !strcmp(getenv("AI_TUI_EXIT_AFTER_FIRST_DRAW"), "1");
	unsigned interval = o->interval_ms ? o->interval_ms : 1000;
	uint64_t next_tick, start_ms = now_ms(), first_ms = 0;
	bool first = true;
	int sig;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		source__close(src);
		return cli_error(
			"the TUI needs a terminal; see 'arena-inspect --help' for the commands");
	}
	t.s = session__new(o->btf_file, o->max_elements);
	if (!t.s) {
		source__close(src);
		return cli_error("out of memory");
	}
	session__set_types(t.s, o->types, o->nr_types, o->types_cflags);
	t.s->progress = (struct ai_progress){ .cb = on_progress, .ctx = &t };
	if (getenv("AI_TEST_SLOW_PROGRESS"))
		t.slow_ms = (unsigned)strtoul(getenv("AI_TEST_SLOW_PROGRESS"), NULL, 10) % 10000;
	setlocale(LC_ALL, "");
	t.utf8 = locale_is_utf8();
	t.color = o->color;
	term__install_signals();
	if (!initscr()) {
		source__close(src);
		session__free(t.s);
		return cli_error("cannot initialise the terminal");
	}
	term__started();
	/* libbpf (also the btf_dump of :type) never prints behind curses */
	ai_libbpf_capture();
	ai_set_msg_handler(on_lib_msg, t.s);
	cbreak();
	noecho();
	nonl();
	set_escdelay(25);
	curs_set(0);
	draw__init(t.color, t.utf8);
	t.s->mouse = !o->no_mouse;
	mouse_apply(&t);
	layout(&t);
	prompt__init(&t);

	if (src)
		open_arena(&t, src);
	else
		tui_show(&t, V_CHOOSER);
	next_tick = now_ms() + interval;

	while (!t.quit) {
		uint64_t now;
		int key, wait;

		if (term__quit_signal())
			break;
		term__drain_stderr(t.s);
		redraw(&t);
		if (first) {
			first = false;
			if (exit_first) {
				first_ms = now_ms() - start_ms;
				break;
			}
			load_btf(&t);
			/* -e commands run once the types are there, as if typed */
			for (int i = 0; i < o->nr_exec && t.s->src; i++)
				on_command(&t, o->exec[i]);
			continue;
		}
		now = now_ms();
		if (now >= next_tick) {
			tick(&t, false);
			next_tick = now + interval;
			continue;
		}
		/* short waits so a quit signal is seen promptly */
		wait = next_tick - now;
		wtimeout(t.status.win, wait > 250 ? 250 : wait);
		key = wgetch(t.status.win);
		if (key == ERR)
			continue;
		handle_key(&t, key);
		if (!t.s->bx && t.s->src)
			load_btf(&t);
	}

	prompt__exit(&t);
	session__log_stop(t.s);
	close_arena(&t);
	for (int i = 0; i < V__NR; i++)
		view_close(&t, i);
	delwin(t.title.win);
	delwin(t.main.win);
	delwin(t.status.win);
	endwin();
	term__stopped();
	ai_set_msg_handler(NULL, NULL);
	session__free(t.s);
	if (exit_first)
		fprintf(stderr, "arena-inspect: first screen after %llu ms\n",
			(unsigned long long)first_ms);
	sig = term__quit_signal();
	if (sig) {
		/* the usual status for death by signal, after a clean teardown */
		return 128 + sig;
	}
	return t.exit_status;
}

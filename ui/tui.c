// SPDX-License-Identifier: GPL-2.0
/*
 * The TUI engine: terminal setup and teardown, the event loop with the input
 * timeout as the live-refresh tick, view switching, the title and status
 * bars. Views draw into their canvas when dirty; every window is pushed with
 * wnoutrefresh and the screen is updated once per loop with doupdate.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "btfq.h"
#include "error.h"
#include "expr.h"
#include "live.h"
#include "tui.h"
#include "tui_int.h"
#include "watch.h"

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t curses_on;
/* What the terminal was before curses, and the bytes that undo curses
 * (leave the alternate screen, show the cursor, plain attributes, keypad
 * off): a dying handler may only write() and tcsetattr(), not endwin(). */
static struct termios saved_tios;
static bool have_tios;
static char reset_seq[256];
static size_t reset_len;
/* While curses is up, stderr is a pipe the loop drains onto the status
 * line: nothing (libbpf, readline, a stray fprintf, a child) may write to
 * the terminal behind curses. stderr_fd is the real one meanwhile. */
static int stderr_fd = -1, stderr_pipe = -1;

static void on_quit_signal(int sig)
{
	quit_signal = sig;
}

static void restore_terminal_async(void)
{
	if (stderr_fd >= 0)
		dup2(stderr_fd, STDERR_FILENO);
	if (!curses_on)
		return;
	curses_on = 0;
	if (reset_len && write(STDOUT_FILENO, reset_seq, reset_len) < 0) {
		/* nothing left to try */
	}
	if (have_tios)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tios);
}

/* A signal that ends the process must not leave the terminal in raw mode:
 * restore it (async-signal-safe), then let the signal do what it would have
 * done (core dump, exit status). SA_RESETHAND put the default back. */
static void on_fatal_signal(int sig)
{
	int saved = errno;

	restore_terminal_async();
	raise(sig);
	errno = saved;
}

static void stderr_release(void);

static void restore_at_exit(void)
{
	if (curses_on)
		endwin();
	curses_on = 0;
	stderr_release();
}

/* ---- stderr while curses is up ---- */

static struct {
	char part[512];		/* a line not finished yet */
	size_t plen;
	char kept[16384];	/* what arrived, for the real stderr at the end */
	size_t klen;
	bool lost;
} E;

static void stderr_capture(void)
{
	int p[2];

	/* non-blocking: a writer never hangs on a full pipe, it loses the text */
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return;
	fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
	fflush(stderr);
	stderr_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (stderr_fd < 0 || dup2(p[1], STDERR_FILENO) < 0) {
		if (stderr_fd >= 0)
			close(stderr_fd);
		stderr_fd = -1;
		close(p[0]);
		close(p[1]);
		return;
	}
	close(p[1]);
	stderr_pipe = p[0];
}

static void stderr_line(struct tui *t, const char *line)
{
	size_t n = strlen(line);

	if (E.klen + n + 1 < sizeof(E.kept)) {
		memcpy(E.kept + E.klen, line, n);
		E.kept[E.klen + n] = '\n';
		E.klen += n + 1;
	} else {
		E.lost = true;
	}
	if (t && n)
		tui_msg(t, true, "stderr: %s", line);
}

/* What was written to stderr since the last call, line by line onto the
 * status line (t NULL: only kept). */
static void stderr_drain(struct tui *t)
{
	char buf[4096];
	ssize_t n;

	if (stderr_pipe < 0)
		return;
	while ((n = read(stderr_pipe, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' || E.plen == sizeof(E.part) - 1) {
				E.part[E.plen] = 0;
				stderr_line(t, E.part);
				E.plen = 0;
				if (buf[i] == '\n')
					continue;
			}
			E.part[E.plen++] = buf[i];
		}
	}
}

/* The real stderr back, and what arrived meanwhile written to it. */
static void stderr_release(void)
{
	if (stderr_fd < 0)
		return;
	fflush(stderr);
	stderr_drain(NULL);
	if (E.plen) {
		E.part[E.plen] = 0;
		stderr_line(NULL, E.part);
		E.plen = 0;
	}
	dup2(stderr_fd, STDERR_FILENO);
	close(stderr_fd);
	stderr_fd = -1;
	close(stderr_pipe);
	stderr_pipe = -1;
	if (E.klen)
		fprintf(stderr, "arena-inspect: written to stderr while the TUI ran:\n%.*s%s",
			(int)E.klen, E.kept, E.lost ? "(more was lost)\n" : "");
	E.klen = 0;
}

/* libbpf's messages (through the library's capture): the status line */
static void on_lib_msg(const char *msg, void *ctx)
{
	tui_msg(ctx, true, "%s", msg);
}

/* The terminfo strings that undo what initscr did, gathered once curses is
 * up (tigetstr needs the terminal's entry). */
static void reset_seq_init(void)
{
	static const char *const caps[] = { "rmcup", "cnorm", "sgr0", "rmkx" };

	reset_len = 0;
	for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
		const char *v = tigetstr((char *)caps[i]);
		size_t n;

		if (!v || v == (char *)-1)
			continue;
		n = strlen(v);
		if (reset_len + n >= sizeof(reset_seq))
			break;
		memcpy(reset_seq + reset_len, v, n);
		reset_len += n;
	}
}

static void install_signals(void)
{
	/* every signal whose default action ends the process (SIGTSTP is left
	 * to curses, which leaves and re-enters the screen around a stop) */
	static const int fatal[] = {
		SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGQUIT, SIGTRAP, SIGSYS,
		SIGXCPU, SIGXFSZ, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF,
		SIGIO, SIGPWR, SIGSTKFLT,
	};
	struct sigaction sa = {};

	have_tios = tcgetattr(STDIN_FILENO, &saved_tios) == 0;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a signal interrupts the input wait and the loop sees it */
	sa.sa_handler = on_quit_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a write to a closed pipe or socket is an error where it happens (the
	 * :log file, a helper's pipe), not a reason to die with the screen up */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < ARRAY_SIZE(fatal); i++)
		sigaction(fatal[i], &sa, NULL);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaction(sig, &sa, NULL);
	atexit(restore_at_exit);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- services for views and commands ---- */

void tui_msg(struct tui *t, bool err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	/* one line: the status bar has no room for more */
	for (char *p = t->msg; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	t->msg_err = err;
	t->status_dirty = true;
}

void tui_lib_msg(struct tui *t, const char *what)
{
	const char *m = ai_errmsg();

	tui_msg(t, true, "%s%s%s", what ? what : "", what && *what ? ": " : "", *m ? m : "failed");
}

void tui_dirty(struct tui *t)
{
	t->title_dirty = t->status_dirty = true;
	for (int i = 0; i < V__NR; i++)
		t->views[i].dirty = true;
}

static const struct view_ops *const all_ops[V__NR] = {
	[V_CHOOSER] = &chooser_ops, [V_PAGES] = &pages_ops, [V_HEX] = &hex_ops,
	[V_STRUCT] = &struct_ops, [V_WATCH] = &watch_ops, [V_TEXT] = &text_ops,
};

static bool view_open(struct tui *t, enum view_id id)
{
	struct view *v = &t->views[id];

	if (v->opened)
		return true;
	v->ops = all_ops[id];
	v->t = t;
	v->c = t->main;
	v->priv = NULL;
	if (v->ops->open && v->ops->open(v)) {
		tui_lib_msg(t, v->ops->name);
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

void tui_show(struct tui *t, enum view_id id)
{
	if (id != V_CHOOSER && id != V_TEXT && !t->src) {
		tui_msg(t, true, "no arena open: choose one (Enter)");
		id = V_CHOOSER;
	}
	if (!view_open(t, id))
		return;
	if (id != t->cur && t->cur != V_TEXT)
		t->prev_cur = t->cur;
	t->cur = id;
	/* a view that was hidden catches up with the data now */
	if (t->views[id].ops->tick && t->have_pm)
		t->views[id].ops->tick(&t->views[id]);
	t->views[id].dirty = true;
	t->title_dirty = t->status_dirty = true;
}

void tui_text_show(struct tui *t, const char *title, char **lines, int n)
{
	if (!view_open(t, V_TEXT)) {
		for (int i = 0; i < n; i++)
			free(lines[i]);
		free(lines);
		return;
	}
	text__set(&t->views[V_TEXT], title, lines, n);
	tui_show(t, V_TEXT);
}

uint64_t tui_page_addr(const struct tui *t, uint64_t page)
{
	return t->src ? t->src->info.user_vm_start + page * PAGE_SZ : 0;
}

int tui_page_state(const struct tui *t, uint64_t addr)
{
	uint64_t pg;

	if (!t->src || !source__contains(t->src, addr, 1))
		return -1;
	pg = (addr - t->src->info.user_vm_start) / PAGE_SZ;
	if (!t->have_pm || pg >= t->pm.nr_pages)
		return -1;
	return t->pm.state[pg];
}

int tui_diff_set(struct tui *t, struct source *src, char *path)
{
	struct pagemap pm = {};
	int err;

	if (src) {
		err = source__pagemap(src, &pm);
		if (err) {
			pagemap__free(&pm);
			source__close(src);
			free(path);
			return err;
		}
	}
	pagemap__free(&t->diff_pm);
	source__close(t->diff_src);
	free(t->diff_path);
	t->diff_pm = pm;
	t->diff_src = src;
	t->diff_path = src ? path : NULL;
	if (!src)
		free(path);
	t->diff_gen++;
	tui_dirty(t);
	return 0;
}

int tui_diff_page(const struct tui *t, uint64_t pg)
{
	if (!t->diff_src || pg >= t->diff_pm.nr_pages)
		return -1;
	return t->diff_pm.state[pg];
}

void tui_diff_counts(struct tui *t, uint32_t *allocated, uint32_t *freed)
{
	uint32_t n = t->pm.nr_pages < t->diff_pm.nr_pages ? t->pm.nr_pages : t->diff_pm.nr_pages;

	*allocated = *freed = 0;
	if (!t->diff_src || !t->have_pm)
		return;
	if (t->diff_counted_pm != t->pm_gen || t->diff_counted_diff != t->diff_gen) {
		t->diff_nalloc = t->diff_nfreed = 0;
		for (uint32_t i = 0; i < n; i++) {
			bool now = t->pm.state[i] == PAGE_ALLOCATED;
			bool then = t->diff_pm.state[i] == PAGE_ALLOCATED;

			t->diff_nalloc += now && !then;
			t->diff_nfreed += then && !now;
		}
		t->diff_counted_pm = t->pm_gen;
		t->diff_counted_diff = t->diff_gen;
	}
	*allocated = t->diff_nalloc;
	*freed = t->diff_nfreed;
}

void tui_hex_goto(struct tui *t, uint64_t addr)
{
	tui_show(t, V_HEX);
	if (t->cur == V_HEX)
		hex__goto(&t->views[V_HEX], addr, true);
}

int tui_struct_open(struct tui *t, const char *expr)
{
	tui_show(t, V_STRUCT);
	if (t->cur != V_STRUCT)
		return -1;
	return struct__show(&t->views[V_STRUCT], expr);
}

int tui_resolve_addr(struct tui *t, const char *text, uint64_t *addr)
{
	struct value v;
	int col = -1, err;

	while (*text == ' ')
		text++;
	if (!t->src) {
		tui_msg(t, true, "no arena open");
		return -ENOENT;
	}
	if (!*text) {
		tui_msg(t, true, "an address or an expression, please");
		return -EINVAL;
	}
	if (!cli_parse_addr(t->src, text, addr))
		return 0;
	if (!t->bx) {
		tui_msg(t, true, "'%s': not a number, and without BTF there are no expressions", text);
		return -EINVAL;
	}
	err = expr__eval_str(text, t->bx, t->src, &v, &col);
	if (err) {
		if (col >= 0)
			tui_msg(t, true, "%s (column %d)", ai_errmsg(), col + 1);
		else
			tui_lib_msg(t, text);
		return err;
	}
	/* a pointer means where it points; any other place means itself */
	if (v.btf && v.type_id && btfq__is_ptr(v.btf, v.type_id)) {
		if (!v.lvalue) {
			*addr = v.scalar;
			return 0;
		}
		err = source__read_exact(t->src, v.addr, addr, sizeof(*addr));
		if (err) {
			tui_lib_msg(t, text);
			return err;
		}
		return 0;
	}
	if (v.lvalue) {
		*addr = v.addr;
		return 0;
	}
	*addr = v.scalar;
	if (t->src->info.user_vm_start && v.scalar < (uint64_t)t->src->info.max_pages * PAGE_SZ)
		*addr += t->src->info.user_vm_start;
	return 0;
}

/* ---- data ---- */

void tui_refresh(struct tui *t)
{
	struct pagemap pm = {};
	int err;

	if (!t->src)
		return;
	err = source__pagemap(t->src, &pm);
	if (err) {
		pagemap__free(&pm);
		if (t->arena_err != err)
			tui_lib_msg(t, "page map");
		t->arena_err = err;
		t->title_dirty = true;
		return;
	}
	if (t->arena_err) {
		t->arena_err = 0;
		t->title_dirty = true;
	}
	pagemap__free(&t->pm);
	t->pm = pm;
	t->have_pm = true;
	t->pm_gen++;
	if (pm.stale)
		t->title_dirty = true;
}

/* Hits are only noted here: the value a HIT carries is that of the sample
 * before, so the message is written once the sweep is complete. */
struct sample_ctx {
	struct tui *t;
	int hit_id;
};

static void watch_event(const struct watch_event *ev, void *ctx)
{
	struct sample_ctx *sc = ctx;
	struct tui *t = sc->t;
	const struct watch *w = ev->w;

	cmd__log_event(t, ev);
	/* a frozen display keeps its status line (the hit that froze it);
	 * the events are in the log and the counts, the title counts them */
	if (t->paused) {
		t->frozen_events++;
		if (ev->kind == WATCH_EV_HIT && !t->hit_id)
			sc->hit_id = w->id;
		return;
	}
	switch (ev->kind) {
	case WATCH_EV_CHANGE:
		/* a conditional watch reports its hits, not every change */
		if (w->cond != WATCH_ALWAYS)
			break;
		if (w->nr_changed_members) {
			char line[512], part[96];

			watch__fmt_members(w, 8, line, sizeof(line));
			tui_msg(t, false, "watch #%d: %s%s: %s", w->id, w->expr_text,
				watch__partial_note(w, part, sizeof(part)), line);
			break;
		}
		tui_msg(t, false, "watch #%d: %s: %s -> %s", w->id, w->expr_text,
			ev->old_value ? ev->old_value : "?", ev->new_value ? ev->new_value : "?");
		break;
	case WATCH_EV_HIT:
		sc->hit_id = w->id;
		break;
	case WATCH_EV_STATE:
		tui_msg(t, w->state != WATCH_OK, "watch #%d: %s: %s", w->id, w->expr_text,
			w->state == WATCH_OK ? "readable again" : w->err);
		break;
	case WATCH_EV_MOVED:
		tui_msg(t, false, "watch #%d: %s now at 0x%llx", w->id, w->expr_text,
			(unsigned long long)w->addr);
		break;
	}
}

/* One sweep of the watches. A hit freezes the display where it happened (as
 * p does), so the data that made the condition true stays on the screen;
 * sampling, the log and the counts go on (tick samples a frozen display
 * too). Returns the id of the watch that hit, 0 for none. */
static int sample_watches(struct tui *t)
{
	struct sample_ctx sc = { .t = t };
	struct watch *w;

	if (!t->ws || !watchset__count(t->ws))
		return 0;
	if (watchset__sample(t->ws, watch_event, &sc))
		tui_lib_msg(t, "watch");
	cmd__log_flush(t);
	if (!sc.hit_id)
		return 0;
	for (int i = 0; (w = watchset__get(t->ws, i)); i++) {
		if (w->id != sc.hit_id)
			continue;
		tui_msg(t, false, "watch #%d hit: %s = %s  (display frozen, sampling and log go on; p resumes)",
			w->id, w->spec, w->state == WATCH_OK && w->value ? w->value : w->err);
		break;
	}
	if (!t->paused)
		t->frozen_events = 0;
	t->hit_id = sc.hit_id;
	t->paused = true;
	tui_dirty(t);
	return sc.hit_id;
}

int tui_watch_add(struct tui *t, const char *spec)
{
	struct watch *w;
	char part[96];
	int hit;

	if (!t->src) {
		tui_msg(t, true, "no arena open");
		return -ENOENT;
	}
	if (!t->bx) {
		tui_msg(t, true, "%s", t->btf_msg[0] ? t->btf_msg : "no BTF (yet)");
		return -ENOENT;
	}
	if (!t->ws && watchset__new(t->src, t->bx, &t->ws)) {
		t->ws = NULL;
		tui_lib_msg(t, "watch");
		return -ENOMEM;
	}
	if (watchset__add(t->ws, spec, &w)) {
		tui_lib_msg(t, "watch");
		return -EINVAL;
	}
	/* a first sample now, so the value is there before the next tick */
	hit = sample_watches(t);
	if (watch__error_is_permanent(w)) {
		/* an unknown name or a type error: no data will fix it */
		tui_msg(t, true, "watch %s: %s", w->spec, w->err);
		watchset__remove(t->ws, w->id);
		t->views[V_WATCH].dirty = true;
		return -EINVAL;
	}
	cmd__log_initial(t, w);
	cmd__log_flush(t);
	if (hit)
		return w->id;	/* the hit message says more */
	if (w->state == WATCH_OK && w->partial)
		tui_msg(t, true, "watch #%d: %s%s", w->id, w->spec,
			watch__partial_note(w, part, sizeof(part)));
	else if (w->state == WATCH_OK)
		tui_msg(t, false, "watch #%d: %s = %s  (4: watch pane)", w->id, w->spec,
			w->value ? w->value : "?");
	else
		tui_msg(t, true, "watch #%d: %s: %s", w->id, w->spec, w->err);
	t->views[V_WATCH].dirty = true;
	return w->id;
}

/* The views catch up with the arena: a new page map, the current view's
 * data. Not while the display is frozen. */
static void refresh_display(struct tui *t)
{
	struct view *v = &t->views[t->cur];

	/* a snapshot does not change: its page map was taken at open */
	if (t->src && !t->src->info.is_snapshot)
		tui_refresh(t);
	if (v->opened && v->ops->tick && (t->have_pm || t->cur == V_CHOOSER))
		v->ops->tick(v);
	t->title_dirty = true;
}

/* One live tick. Sampling (watches, :log) never stops: a frozen display
 * (p, or a hit) only stops the views from catching up, unless display
 * asks for it (r). */
static void tick(struct tui *t, bool display)
{
	if (display || !t->paused)
		refresh_display(t);
	if (t->src && !t->src->info.is_snapshot)
		sample_watches(t);
	t->title_dirty = true;
}

static void close_arena(struct tui *t)
{
	/* a diff compares with this arena: it goes with it */
	if (t->diff_src)
		tui_diff_set(t, NULL, NULL);
	for (int i = 0; i < V__NR; i++)
		if (i != V_CHOOSER)
			view_close(t, i);
	watchset__free(t->ws);
	t->ws = NULL;
	t->hit_id = 0;
	btfx__free(t->bx);
	t->bx = NULL;
	pagemap__free(&t->pm);
	t->have_pm = false;
	source__close(t->src);
	t->src = NULL;
	t->btf_msg[0] = 0;
}

/* BTF is opened after the first screen is up: the page map needs none, and
 * walking programs and maps must not delay the first picture. */
static void load_btf(struct tui *t)
{
	int err;

	if (!t->src || t->bx || t->btf_msg[0])
		return;
	err = btfx__open(t->src, t->o->btf_file, &t->bx);
	if (err) {
		t->bx = NULL;
		snprintf(t->btf_msg, sizeof(t->btf_msg), "no types: %s", ai_errmsg());
		tui_msg(t, true, "%s", t->btf_msg);
	} else if (btfx__nr_btfs(t->bx) == 0) {
		snprintf(t->btf_msg, sizeof(t->btf_msg),
			 "no BTF for this arena (no program using it has BTF); use --btf FILE");
	}
	t->title_dirty = true;
	if (t->views[V_STRUCT].opened)
		struct__show(&t->views[V_STRUCT], NULL);
}

int tui_open_arena(struct tui *t, struct source *src)
{
	close_arena(t);
	t->src = src;
	t->arena_err = 0;
	tui_refresh(t);
	tui_show(t, V_PAGES);
	return 0;
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
	t->main = (struct canvas){ .win = newwin(lines - 2, cols, 1, 0), .height = lines - 2, .width = cols };
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
	const struct arena_info *ai = t->src ? &t->src->info : NULL;
	const char *mode;
	char size[32], frozen[64];
	bool stale;
	int rlen, width;

	if (t->src && !t->src->info.is_snapshot && t->paused) {
		/* the display is frozen, the watches are not: say both */
		snprintf(frozen, sizeof(frozen), "FROZEN (p), sampling: %llu event%s",
			 (unsigned long long)t->frozen_events, t->frozen_events == 1 ? "" : "s");
		mode = frozen;
	} else {
		mode = !t->src ? "" : t->src->info.is_snapshot ? "snapshot" : "live";
	}
	stale = t->have_pm && t->pm.stale;
	rlen = draw_cols(mode) + 2 + (t->arena_err ? 6 : 0) + (stale ? 7 : 0);
	/* the left part is cut so the state on the right always shows */
	width = c->width;
	c->width = width > rlen ? width - rlen : 0;
	draw_row(c, 0);
	draw_str(c, R_TITLE, " arena-inspect");
	if (ai) {
		fmt_size((uint64_t)ai->max_pages * PAGE_SZ, size, sizeof(size));
		if (ai->is_snapshot)
			draw_fmt(c, R_TITLE, "  snapshot '%s'  %s", ai->name, size);
		else
			draw_fmt(c, R_TITLE, "  arena %u '%s'  %s @0x%llx", ai->map_id, ai->name, size,
				 (unsigned long long)ai->user_vm_start);
	}
	if (t->views[t->cur].opened)
		draw_fmt(c, R_TITLE, "  [%s]", t->views[t->cur].ops->title ? t->views[t->cur].ops->title(&t->views[t->cur])
									     : t->views[t->cur].ops->name);
	if (t->src && !t->bx && !t->btf_msg[0])
		draw_str(c, R_TITLE, "  loading types...");
	c->width = width;
	draw_pad(c, R_TITLE, c->width - rlen);
	if (t->arena_err)
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
	if (t->msg[0]) {
		draw_str(c, t->msg_err ? R_ERROR : R_INFO, t->msg);
	} else {
		if (v->opened && v->ops->status)
			v->ops->status(v, buf, sizeof(buf));
		draw_str(c, R_STATUS, buf);
		if (c->width - c->col > 22) {
			draw_pad(c, R_STATUS, c->width - 20);
			draw_str(c, R_DIM, "? help  : command");
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

	if (t->title_dirty)
		draw_title(t);
	if (v->dirty || t->hint[0]) {
		v->c = t->main;
		v->ops->draw(v);
		draw_hint(t);
		wnoutrefresh(t->main.win);
		v->dirty = false;
	}
	t->title_dirty = false;
	/* last, so the hardware cursor ends up in the prompt */
	draw_status(t);
	t->status_dirty = false;
	doupdate();
}

/* ---- requests the views leave to the engine ---- */

static const enum view_id cycle[] = { V_PAGES, V_HEX, V_STRUCT, V_WATCH };

static void next_view(struct tui *t, int dir)
{
	int i, n = ARRAY_SIZE(cycle);

	if (!t->src) {
		tui_show(t, V_CHOOSER);
		return;
	}
	for (i = 0; i < n; i++)
		if (cycle[i] == t->cur)
			break;
	if (i == n)
		i = dir > 0 ? n - 1 : 0;
	tui_show(t, cycle[(i + dir + n) % n]);
}

static void on_command(struct tui *t, const char *line)
{
	if (line && *line)
		cmd__run(t, line);
}

void tui_prompt_command(struct tui *t, const char *prefill)
{
	prompt__open(t, ":", prefill, true, on_command);
}

static void on_search(struct tui *t, const char *line)
{
	struct view *v = &t->views[t->cur];

	if (!line)
		return;
	if (*line)
		snprintf(t->last_search, sizeof(t->last_search), "%s", line);
	if (!t->last_search[0])
		return;
	if (!v->ops->search) {
		tui_msg(t, true, "this view has no search");
		return;
	}
	if (!v->ops->search(v, t->last_search, 1))
		tui_msg(t, true, "not found: %s", t->last_search);
	v->dirty = true;
}

static void on_goto(struct tui *t, const char *line)
{
	if (line && *line) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "goto %s", line);
		cmd__run(t, cmd);
	}
}

static void help_line(const char *line, bool heading, void *ctx)
{
	struct { char **lines; int n, cap; } *h = ctx;
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

void tui_help(struct tui *t)
{
	struct { char **lines; int n, cap; } h = {};

	help_line("Keys", true, &h);
	help_line("", false, &h);
	keys__help(help_line, &h);
	cmd__help(help_line, &h);
	tui_text_show(t, "help", h.lines, h.n);
}

static void engine_request(struct tui *t, enum request req)
{
	struct view *v = &t->views[t->cur];

	switch (req) {
	case REQ_QUIT:
		if (t->cur == V_TEXT) {
			tui_show(t, t->prev_cur);
			break;
		}
		t->quit = true;
		break;
	case REQ_HELP:
		tui_help(t);
		break;
	case REQ_NEXT_VIEW:
		next_view(t, 1);
		break;
	case REQ_PREV_VIEW:
		next_view(t, -1);
		break;
	case REQ_VIEW_PAGES:
		tui_show(t, V_PAGES);
		break;
	case REQ_VIEW_HEX:
		tui_show(t, V_HEX);
		break;
	case REQ_VIEW_STRUCT:
		tui_show(t, V_STRUCT);
		break;
	case REQ_VIEW_CHOOSER:
		tui_show(t, V_CHOOSER);
		break;
	case REQ_VIEW_WATCH:
		tui_show(t, V_WATCH);
		break;
	case REQ_PROMPT:
		prompt__open(t, ":", "", true, on_command);
		break;
	case REQ_GOTO:
		prompt__open(t, "goto: ", "", true, on_goto);
		break;
	case REQ_SEARCH:
		prompt__open(t, "/", "", false, on_search);
		break;
	case REQ_SEARCH_NEXT:
	case REQ_SEARCH_PREV:
		if (!t->last_search[0]) {
			tui_msg(t, true, "no search yet: /TEXT");
			break;
		}
		if (!v->ops->search) {
			tui_msg(t, true, "this view has no search");
			break;
		}
		if (!v->ops->search(v, t->last_search, req == REQ_SEARCH_NEXT ? 1 : -1))
			tui_msg(t, true, "not found: %s", t->last_search);
		v->dirty = true;
		break;
	case REQ_PAUSE:
		t->paused = !t->paused;
		t->frozen_events = 0;
		tui_msg(t, false, t->paused ? "display frozen: the screen keeps the last data, watches and :log go on (p resumes)"
					    : "live again");
		/* resuming acknowledges the hit that froze the display */
		if (!t->paused && t->hit_id) {
			t->hit_id = 0;
			t->views[V_WATCH].dirty = true;
		}
		/* and the views catch up with what happened meanwhile */
		if (!t->paused)
			refresh_display(t);
		t->title_dirty = true;
		break;
	case REQ_REFRESH:
		clearok(curscr, TRUE);
		tick(t, true);
		tui_dirty(t);
		break;
	case REQ_BACK:
		if (t->cur == V_TEXT)
			tui_show(t, t->prev_cur);
		break;
	default:
		break;
	}
}

static void handle_key(struct tui *t, int key)
{
	struct view *v = &t->views[t->cur];
	enum request req;

	if (key == KEY_RESIZE) {
		layout(t);
		return;
	}
	if (t->hint[0]) {
		t->hint[0] = 0;
		v->dirty = true;
	}
	if (prompt__active()) {
		prompt__key(t, key);
		t->status_dirty = true;
		return;
	}
	if (t->msg[0]) {
		t->msg[0] = 0;
		t->status_dirty = true;
	}
	if (key == 27) /* Esc leaves help and text */
		key = t->cur == V_TEXT ? 'q' : 0;
	req = keys__request(v->ops->keymap, key);
	if (req == REQ_NONE)
		return;
	if (v->ops->request && v->ops->request(v, req)) {
		v->dirty = true;
		t->status_dirty = true;
		return;
	}
	engine_request(t, req);
}

/* ---- run ---- */

static bool locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
}

int tui_run(struct source *src, const struct cli_opts *o)
{
	struct tui t = { .o = o, .exit_status = 0, .cur = V_CHOOSER, .prev_cur = V_CHOOSER,
			 .max_elements = o->max_elements ? o->max_elements : TUI_MAX_ELEMENTS };
	bool exit_first = getenv("AI_TUI_EXIT_AFTER_FIRST_DRAW") &&
			  !strcmp(getenv("AI_TUI_EXIT_AFTER_FIRST_DRAW"), "1");
	unsigned interval = o->interval_ms ? o->interval_ms : 1000;
	uint64_t next_tick, start_ms = now_ms(), first_ms = 0;
	bool first = true;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		source__close(src);
		return cli_error("the TUI needs a terminal; see 'arena-inspect --help' for the commands");
	}
	setlocale(LC_ALL, "");
	t.utf8 = locale_is_utf8();
	t.color = o->color;
	install_signals();
	if (!initscr()) {
		source__close(src);
		return cli_error("cannot initialise the terminal");
	}
	reset_seq_init();
	curses_on = 1;
	stderr_capture();
	/* libbpf (also the btf_dump of :type) never prints behind curses */
	ai_libbpf_capture();
	ai_set_msg_handler(on_lib_msg, &t);
	cbreak();
	noecho();
	nonl();
	set_escdelay(25);
	curs_set(0);
	draw__init(t.color, t.utf8);
	layout(&t);
	prompt__init(&t);

	if (src) {
		t.src = src;
		tui_refresh(&t);
		tui_show(&t, V_PAGES);
	} else {
		tui_show(&t, V_CHOOSER);
	}
	next_tick = now_ms() + interval;

	while (!t.quit) {
		uint64_t now;
		int key, wait;

		if (quit_signal)
			break;
		stderr_drain(&t);
		redraw(&t);
		if (first) {
			first = false;
			if (exit_first) {
				first_ms = now_ms() - start_ms;
				break;
			}
			load_btf(&t);
			/* -e commands run once the types are there, as if typed */
			for (int i = 0; i < o->nr_exec && t.src; i++)
				cmd__run(&t, o->exec[i]);
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
		if (!t.bx && t.src)
			load_btf(&t);
	}

	prompt__exit(&t);
	cmd__log_close(&t);
	close_arena(&t);
	view_close(&t, V_CHOOSER);
	delwin(t.title.win);
	delwin(t.main.win);
	delwin(t.status.win);
	endwin();
	curses_on = 0;
	stderr_release();
	ai_set_msg_handler(NULL, NULL);
	if (exit_first)
		fprintf(stderr, "arena-inspect: first screen after %llu ms\n", (unsigned long long)first_ms);
	if (quit_signal) {
		/* the usual status for death by signal, after a clean teardown */
		return 128 + quit_signal;
	}
	return t.exit_status;
}

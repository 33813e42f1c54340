// SPDX-License-Identifier: GPL-2.0
/*
 * The session (session.h): the TUI's model without curses. It owns the
 * arena, its BTF and page map, the watches and their :log, the :diff
 * snapshot, the status messages and their ring, and the navigation target
 * of translated requests. The engine and the views draw from it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf_common.h>
#include "btfq.h"
#include "cli.h"
#include "diff.h"
#include "error.h"
#include "expr.h"
#include "heap.h"
#include "printable.h"
#include "session.h"
#include "types.h"
#include "sink.h"
#include "watch.h"

static int hist_get(void *ctx, uint64_t n, struct value *out);
static uint64_t hist_last(void *ctx);

uint64_t session__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const struct ai_progress *session__progress(struct session *s)
{
	s->busy_start_ms = session__now_ms();
	return s->progress.cb ? &s->progress : NULL;
}

struct session *session__new(const char *btf_file, int max_elements)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->hist_first = 1;
	s->hist_if = (struct expr_history){ .get = hist_get, .last = hist_last, .ctx = s };
	s->btf_file = btf_file;
	s->max_elements = max_elements ? max_elements : SESSION_MAX_ELEMENTS;
	s->clipboard = 1;
	return s;
}

void session__free(struct session *s)
{
	if (!s)
		return;
	session__log_stop(s);
	session__close_arena(s);
	session__nav_done(s);
	for (int i = 0; i < s->nr_types; i++)
		free(s->types[i]);
	free(s->hist);
	free(s->copy);
	free(s);
}

void session__copy(struct session *s, const char *text)
{
	free(s->copy);
	/* a name from the arena's BTF may hold anything: a clipboard is no
	 * place for escapes either */
	s->copy = ai_printable_dup(text, 0);
}

/* ---- messages ---- */

void session__msg(struct session *s, bool err, const char *fmt, ...)
{
	struct session_msg *m = &s->ring[s->nr_msgs % SESSION_MSGS];
	struct timespec now;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
	va_end(ap);
	/* one line: the status bar has no room for more */
	for (char *p = s->msg; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	s->msg_err = err;
	s->msg_gen++;
	/* every message is kept, also one replaced before anyone could read it */
	clock_gettime(CLOCK_REALTIME, &now);
	m->time_ns = (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec;
	m->err = err;
	memcpy(m->text, s->msg, sizeof(m->text));
	s->nr_msgs++;
}

void session__lib_msg(struct session *s, const char *what)
{
	const char *m = ai_errmsg();

	session__msg(s, true, "%s%s%s", what ? what : "", what && *what ? ": " : "",
		     *m ? m : "failed");
}

void session__msg_clear(struct session *s)
{
	if (!s->msg[0])
		return;
	s->msg[0] = 0;
	s->msg_gen++;
}

int session__nr_msgs(const struct session *s)
{
	return s->nr_msgs < SESSION_MSGS ? (int)s->nr_msgs : SESSION_MSGS;
}

const struct session_msg *session__msg_at(const struct session *s, int i)
{
	int n = session__nr_msgs(s);

	if (i < 0 || i >= n)
		return NULL;
	return &s->ring[(s->nr_msgs - n + i) % SESSION_MSGS];
}

/* ---- the arena ---- */

void session__close_arena(struct session *s)
{
	/* a diff compares with this arena: it goes with it */
	if (s->diff_src)
		session__diff_set(s, NULL, NULL);
	watchset__free(s->ws);
	s->ws = NULL;
	s->hit_id = 0;
	heap__free(s->heap);
	s->heap = NULL;
	s->heap_err = 0;
	btfx__free(s->bx);
	s->bx = NULL;
	/* its values are of this arena's types: they go, the numbers go on */
	s->hist_first += s->nr_hist;
	s->nr_hist = 0;
	pagemap__free(&s->pm);
	s->have_pm = false;
	source__close(s->src);
	s->src = NULL;
	s->btf_msg[0] = 0;
	s->data_gen++;
}

void session__open_arena(struct session *s, struct source *src)
{
	session__close_arena(s);
	s->src = src;
	s->arena_err = 0;
	session__refresh(s);
}

void session__refresh(struct session *s)
{
	struct pagemap pm = {};
	int err;

	if (!s->src)
		return;
	err = source__pagemap(s->src, &pm);
	if (err) {
		pagemap__free(&pm);
		if (s->arena_err != err)
			session__lib_msg(s, "page map");
		s->arena_err = err;
		return;
	}
	s->arena_err = 0;
	pagemap__free(&s->pm);
	s->pm = pm;
	s->have_pm = true;
	s->pm_gen++;
	if (s->diff && diff__set_pagemap(s->diff, DIFF_B, &s->pm))
		session__lib_msg(s, "diff");
}

/* file's types into the open arena's BTF; the status line says how it
 * went, and every new note (a conflict) goes to the messages too */
static int load_types(struct session *s, const char *file)
{
	LIBBPF_OPTS(types_opts, to, .cflags = s->types_cflags);
	struct types_info info;
	int notes = btfx__nr_notes(s->bx), err;

	err = types__add(s->bx, file, &to, &info);
	if (err) {
		session__msg(s, true, "%s", ai_errmsg());
		return err;
	}
	session__msg(s, false, "types from %s (%s%s): %u types%s%s", file,
		     types__kind_name(info.kind),
		     info.cached      ? ", cached"
		     : info.converted ? ", converted"
				      : "",
		     btf__type_cnt(btfx__btf(s->bx, btfx__nr_btfs(s->bx) - 1)) - 1,
		     info.note[0] ? "; " : "", info.note);
	for (int i = notes; i < btfx__nr_notes(s->bx); i++)
		session__msg(s, true, "note: %s", btfx__note(s->bx, i));
	return 0;
}

void session__set_types(struct session *s, const char *const *files, int n, const char *cflags)
{
	s->types_cflags = cflags;
	for (int i = 0; i < n && s->nr_types < (int)(sizeof(s->types) / sizeof(s->types[0])); i++) {
		s->types[s->nr_types] = strdup(files[i]);
		if (s->types[s->nr_types])
			s->nr_types++;
	}
}

int session__add_types(struct session *s, const char *file)
{
	char *copy;
	int err;

	if (s->nr_types == (int)(sizeof(s->types) / sizeof(s->types[0]))) {
		session__msg(s, true, "types: at most %zu files",
			     sizeof(s->types) / sizeof(s->types[0]));
		return -E2BIG;
	}
	if (s->bx) {
		err = load_types(s, file);
		if (err)
			return err;
		s->btf_msg[0] = 0;
		s->data_gen++;
	} else if (s->src && !s->btf_msg[0]) {
		/* the BTF is not loaded yet: it takes the file when it is */
	} else if (s->src) {
		session__msg(s, true, "no BTF is open to add types to (%s)", s->btf_msg);
		return -ENOENT;
	}
	copy = strdup(file);
	if (!copy)
		return -ENOMEM;
	s->types[s->nr_types++] = copy;
	return 0;
}

bool session__load_btf(struct session *s)
{
	int err;

	if (!s->src || s->bx || s->btf_msg[0])
		return false;
	err = btfx__open(s->src, s->btf_file, &s->bx);
	if (!err)
		btfx__set_history(s->bx, &s->hist_if);
	for (int i = 0; !err && i < s->nr_types; i++)
		load_types(s, s->types[i]);
	if (err) {
		s->bx = NULL;
		snprintf(s->btf_msg, sizeof(s->btf_msg), "no types: %s", ai_errmsg());
		session__msg(s, true, "%s", s->btf_msg);
	} else if (btfx__nr_btfs(s->bx) == 0) {
		snprintf(s->btf_msg, sizeof(s->btf_msg),
			 "no BTF for this arena (no program using it has BTF); use --btf FILE");
	}
	return true;
}

/* ---- the value history ---- */

static int hist_get(void *ctx, uint64_t n, struct value *out)
{
	struct session *s = ctx;

	if (n < s->hist_first)
		return ai_err(ENOENT, "$%llu is gone: it was a value of the arena open before",
			      (unsigned long long)n);
	if (n - s->hist_first >= s->nr_hist)
		return ai_err(ENOENT, "$%llu: the value history holds $%llu..$%llu",
			      (unsigned long long)n, (unsigned long long)s->hist_first,
			      (unsigned long long)(s->hist_first + s->nr_hist - 1));
	*out = s->hist[n - s->hist_first];
	return 0;
}

static uint64_t hist_last(void *ctx)
{
	return session__history_last(ctx);
}

uint64_t session__history_last(const struct session *s)
{
	return s->nr_hist ? s->hist_first + s->nr_hist - 1 : 0;
}

uint64_t session__history_add(struct session *s, const struct value *v)
{
	if (s->nr_hist == s->cap_hist) {
		size_t cap = s->cap_hist ? s->cap_hist * 2 : 16;
		struct value *n = realloc(s->hist, cap * sizeof(*n));

		if (!n) {
			session__msg(s, true, "out of memory: the value is not in the history");
			return 0;
		}
		s->hist = n;
		s->cap_hist = cap;
	}
	s->hist[s->nr_hist++] = *v;
	return session__history_last(s);
}

char *session__history_pin(struct session *s, const char *text)
{
	char *out;

	if (expr__history_pin(text, session__history_last(s), &out)) {
		session__lib_msg(s, text);
		return NULL;
	}
	return out;
}

uint64_t session__page_addr(const struct session *s, uint64_t page)
{
	return s->src ? s->src->info.user_vm_start + page * source__page_size(s->src) : 0;
}

int session__page_state(const struct session *s, uint64_t addr)
{
	uint64_t pg;

	if (!s->src || !source__contains(s->src, addr, 1))
		return -1;
	pg = (addr - s->src->info.user_vm_start) / source__page_size(s->src);
	if (!s->have_pm || pg >= s->pm.nr_pages)
		return -1;
	return s->pm.state[pg];
}

int session__resolve_addr(struct session *s, const char *text, uint64_t *addr)
{
	struct value v;
	int col = -1, err;

	while (*text == ' ')
		text++;
	if (!s->src) {
		session__msg(s, true, "no arena open");
		return -ENOENT;
	}
	if (!*text) {
		session__msg(s, true, "an address or an expression, please");
		return -EINVAL;
	}
	if (!cli_parse_addr(s->src, text, addr))
		return 0;
	if (!s->bx) {
		session__msg(s, true,
			     "'%s': not a number, and without BTF there are no expressions", text);
		return -EINVAL;
	}
	err = expr__eval_str(text, s->bx, s->src, &v, &col);
	if (err) {
		if (col >= 0)
			session__msg(s, true, "%s (column %d)", ai_errmsg(), col + 1);
		else
			session__lib_msg(s, text);
		return err;
	}
	/* a pointer means where it points; any other place means itself */
	if (v.btf && v.type_id && btfq__is_ptr(v.btf, v.type_id)) {
		if (!v.lvalue && !v.var) {
			*addr = v.scalar;
			return 0;
		}
		err = expr__read(s->src, &v, 0, addr, sizeof(*addr));
		if (err) {
			session__lib_msg(s, text);
			return err;
		}
		return 0;
	}
	if (v.lvalue) {
		*addr = v.addr;
		return 0;
	}
	if (v.var) {
		session__msg(s, true, "'%s' is in the map variable '%s', not in the arena", text,
			     v.var->name);
		return -EINVAL;
	}
	*addr = v.scalar;
	if (s->src->info.user_vm_start && v.scalar < source__size(s->src))
		*addr += s->src->info.user_vm_start;
	return 0;
}

/* ---- :diff ---- */

int session__diff_set(struct session *s, struct source *src, char *path)
{
	/* the typed fields of either side are read with the arena's types */
	struct diff_opts o = { .bx_a = s->bx };
	struct diff *d = NULL;
	int err;

	if (src) {
		err = diff__new(src, s->src, &o, &d);
		/* the arena's side is the page map the views draw */
		if (!err && s->have_pm)
			err = diff__set_pagemap(d, DIFF_B, &s->pm);
		if (err) {
			diff__free(d);
			source__close(src);
			free(path);
			return err;
		}
	}
	diff__free(s->diff);
	source__close(s->diff_src);
	free(s->diff_path);
	s->diff = d;
	s->diff_src = src;
	s->diff_path = src ? path : NULL;
	if (!src)
		free(path);
	s->diff_gen++;
	s->data_gen++;
	return 0;
}

int session__diff_page(const struct session *s, uint64_t pg)
{
	return s->diff ? diff__page(s->diff, DIFF_A, pg) : -1;
}

void session__diff_counts(struct session *s, uint32_t *allocated, uint32_t *freed)
{
	struct diff_counts c;

	*allocated = *freed = 0;
	if (!s->diff || !s->have_pm)
		return;
	diff__counts(s->diff, &c);
	*allocated = c.allocated;
	*freed = c.freed;
}

/* ---- watches ---- */

static void log_event(struct session *s, const struct watch_event *ev)
{
	if (!s->log || s->log_err)
		return;
	session__log_initial(s, ev->w); /* a new watch's first event: its start first */
	watch_event__emit(s->log, ev, NULL);
	s->log_events++;
}

/* Hits are only noted here: the value a HIT carries is that of the sample
 * before, so the message is written once the sweep is complete. */
struct sample_ctx {
	struct session *s;
	int hit_id;
};

static void watch_event(const struct watch_event *ev, void *ctx)
{
	struct sample_ctx *sc = ctx;
	struct session *s = sc->s;
	const struct watch *w = ev->w;

	log_event(s, ev);
	/* a frozen display keeps its status line (the hit that froze it);
	 * the events are in the log and the counts, the title counts them */
	if (s->paused) {
		s->frozen_events++;
		if (ev->kind == WATCH_EV_HIT && !s->hit_id)
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
			session__msg(s, false, "watch #%d: %s%s: %s", w->id, w->expr_text,
				     watch__partial_note(w, part, sizeof(part)), line);
			break;
		}
		session__msg(s, false, "watch #%d: %s: %s -> %s", w->id, w->expr_text,
			     ev->old_value ? ev->old_value : "?",
			     ev->new_value ? ev->new_value : "?");
		break;
	case WATCH_EV_HIT: sc->hit_id = w->id; break;
	case WATCH_EV_STATE:
		session__msg(s, w->state != WATCH_OK, "watch #%d: %s: %s", w->id, w->expr_text,
			     w->state == WATCH_OK ? "readable again" : w->err);
		break;
	case WATCH_EV_MOVED:
		session__msg(s, false, "watch #%d: %s now at 0x%llx", w->id, w->expr_text,
			     (unsigned long long)w->addr);
		break;
	}
}

/* A hit freezes the display where it happened (as p does), so the data
 * that made the condition true stays on the screen; sampling, the log and
 * the counts go on (the engine samples a frozen display too). */
int session__sample_watches(struct session *s)
{
	struct sample_ctx sc = { .s = s };
	struct watch *w;

	if (!s->ws || !watchset__count(s->ws))
		return 0;
	if (watchset__sample(s->ws, watch_event, &sc))
		session__lib_msg(s, "watch");
	session__log_flush(s);
	if (!sc.hit_id)
		return 0;
	for (int i = 0; (w = watchset__get(s->ws, i)); i++) {
		if (w->id != sc.hit_id)
			continue;
		session__msg(s, false,
			     "watch #%d hit: %s = %s  (display frozen, sampling and log go on; p "
			     "resumes)",
			     w->id, w->spec, w->state == WATCH_OK && w->value ? w->value : w->err);
		break;
	}
	if (!s->paused)
		s->frozen_events = 0;
	s->hit_id = sc.hit_id;
	s->paused = true;
	s->data_gen++;
	return sc.hit_id;
}

int session__watch_add(struct session *s, const char *spec)
{
	struct watch *w;
	char part[96];
	int hit;

	if (!s->src) {
		session__msg(s, true, "no arena open");
		return -ENOENT;
	}
	if (!s->bx) {
		session__msg(s, true, "%s", s->btf_msg[0] ? s->btf_msg : "no BTF (yet)");
		return -ENOENT;
	}
	if (!s->ws && watchset__new(s->src, s->bx, &s->ws)) {
		s->ws = NULL;
		session__lib_msg(s, "watch");
		return -ENOMEM;
	}
	{
		/* "watch $" watches the value just printed, not the last one
		 * at every sample */
		char *pinned = session__history_pin(s, spec);
		int err;

		if (!pinned)
			return -ENOENT;
		err = watchset__add(s->ws, pinned, &w);
		free(pinned);
		if (err) {
			session__lib_msg(s, "watch");
			return -EINVAL;
		}
	}
	s->data_gen++;
	/* a first sample now, so the value is there before the next tick */
	hit = session__sample_watches(s);
	if (watch__error_is_permanent(w)) {
		/* an unknown name or a type error: no data will fix it */
		session__msg(s, true, "watch %s: %s", w->spec, w->err);
		watchset__remove(s->ws, w->id);
		return -EINVAL;
	}
	session__log_initial(s, w);
	session__log_flush(s);
	if (hit)
		return w->id; /* the hit message says more */
	if (w->state == WATCH_OK && w->partial)
		session__msg(s, true, "watch #%d: %s%s", w->id, w->spec,
			     watch__partial_note(w, part, sizeof(part)));
	else if (w->state == WATCH_OK)
		session__msg(s, false, "watch #%d: %s = %s  (Alt-4: watch pane)", w->id, w->spec,
			     w->value ? w->value : "?");
	else
		session__msg(s, true, "watch #%d: %s: %s", w->id, w->spec, w->err);
	return w->id;
}

int session__watch_remove(struct session *s, int id)
{
	int err = s->ws ? watchset__remove(s->ws, id) : -ENOENT;

	if (err)
		return err;
	if (s->hit_id == id)
		s->hit_id = 0;
	s->data_gen++;
	return 0;
}

int session__watch_clear(struct session *s)
{
	int n = s->ws ? watchset__count(s->ws) : 0;

	if (!n)
		return 0;
	watchset__clear(s->ws);
	s->hit_id = 0;
	s->data_gen++;
	return n;
}

void session__set_paused(struct session *s, bool paused)
{
	s->paused = paused;
	s->frozen_events = 0;
	session__msg(s, false,
		     paused ? "display frozen: the screen keeps the last data, watches and :log go "
			      "on (p resumes)"
			    : "live again");
	/* resuming acknowledges the hit that froze the display */
	if (!paused && s->hit_id) {
		s->hit_id = 0;
		s->data_gen++;
	}
}

/* ---- :log FILE: the CLI's --log format (ui/cmd_watch.c), one JSON line
 * per event ---- */

/* The value a watch starts from, as `watch --log` writes it: when a watch
 * is added while logging, and for every watch when a log starts. */
void session__log_initial(struct session *s, const struct watch *w)
{
	struct timespec now;
	struct watch_event ev = { .kind = WATCH_EV_STATE, .w = w };

	if (!s->log || s->log_err || w->id <= s->log_initial_id)
		return;
	s->log_initial_id = w->id;
	clock_gettime(CLOCK_REALTIME, &now);
	ev.time_ns = (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec;
	watch_event__emit(s->log, &ev, "initial");
	s->log_events++;
}

static void log_write(void *ctx, const char *buf, size_t len)
{
	struct session *s = ctx;

	errno = 0;
	if (!s->log_err && fwrite(buf, 1, len, s->logf) != len)
		s->log_err = errno ? errno : EIO;
}

int session__log_stop(struct session *s)
{
	int err = s->log_err;

	if (!s->logf)
		return 0;
	if (fclose(s->logf) && !err)
		err = errno ? errno : EIO;
	sink__free(s->log);
	free(s->log_path);
	s->log = NULL;
	s->logf = NULL;
	s->log_path = NULL;
	s->log_err = 0;
	s->log_events = 0;
	s->log_initial_id = 0;
	return -err;
}

void session__log_flush(struct session *s)
{
	if (!s->logf)
		return;
	errno = 0;
	if (fflush(s->logf) && !s->log_err)
		s->log_err = errno ? errno : EIO;
	if (s->log_err) {
		session__msg(s, true, "cannot write log %s: %s (logging stopped)", s->log_path,
			     strerror(s->log_err));
		session__log_stop(s);
	}
}

int session__log_start(struct session *s, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600), err;

	s->logf = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (!s->logf) {
		err = errno;
		session__msg(s, true, "cannot open log %s: %s", path, strerror(err));
		if (fd >= 0)
			close(fd);
		return -err;
	}
	s->log_path = strdup(path);
	s->log = sink__new_json(log_write, s, false);
	if (!s->log || !s->log_path) {
		session__log_stop(s);
		session__msg(s, true, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; s->ws && i < watchset__count(s->ws); i++)
		session__log_initial(s, watchset__get(s->ws, i));
	return 0;
}

/* ---- the navigation target ---- */

void session__nav_addr(struct session *s, uint64_t addr)
{
	s->nav.addr = addr;
}

void session__nav_range(struct session *s, uint64_t addr, uint64_t len)
{
	s->nav.addr = addr;
	s->nav.len = len;
}

void session__nav_expr(struct session *s, const char *expr)
{
	free(s->nav.expr);
	s->nav.expr = expr ? strdup(expr) : NULL;
}

void session__nav_source(struct session *s, struct source *src)
{
	source__close(s->nav.src);
	s->nav.src = src;
}

struct source *session__take_source(struct session *s)
{
	struct source *src = s->nav.src;

	s->nav.src = NULL;
	return src;
}

static void nav_text_free(struct session *s)
{
	for (int i = 0; i < s->nav.nr_lines; i++)
		free(s->nav.lines[i]);
	free(s->nav.lines);
	free(s->nav.title);
	s->nav.lines = NULL;
	s->nav.title = NULL;
	s->nav.nr_lines = 0;
	s->nav.text_addr = 0;
}

void session__nav_text(struct session *s, const char *title, char **lines, int n)
{
	nav_text_free(s);
	s->nav.title = strdup(title);
	s->nav.lines = lines;
	s->nav.nr_lines = n;
}

char **session__take_text(struct session *s, int *n)
{
	char **lines = s->nav.lines;

	*n = s->nav.nr_lines;
	s->nav.lines = NULL;
	s->nav.nr_lines = 0;
	return lines;
}

void session__nav_note(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->nav.note, sizeof(s->nav.note), fmt, ap);
	va_end(ap);
}

void session__nav_done(struct session *s)
{
	if (s->nav.note[0])
		session__msg(s, false, "%s", s->nav.note);
	s->nav.note[0] = 0;
	s->nav.fmt = 0;
	s->nav.print = false;
	session__nav_expr(s, NULL);
	session__nav_source(s, NULL);
	nav_text_free(s);
}

/* ---- the heap ---- */

const struct heap *session__heap(struct session *s)
{
	struct heap *h = NULL;
	int err;

	if (!s->src || !s->have_pm)
		return NULL;
	/* a snapshot never changes; a live arena: once per page map refresh */
	if (s->heap && s->heap_types == s->nr_types &&
	    (s->src->info.is_snapshot || s->heap_gen == s->pm_gen))
		return s->heap;
	if (!s->heap && s->heap_err && s->heap_gen == s->pm_gen)
		return NULL;
	err = heap__open(s->bx, s->src, &s->pm, NULL, &h);
	heap__free(s->heap);
	s->heap = h;
	s->heap_gen = s->pm_gen;
	s->heap_types = s->nr_types;
	if (err) {
		if (err != s->heap_err)
			session__lib_msg(s, "heap");
		s->heap_err = err;
		return NULL;
	}
	s->heap_err = 0;
	return h;
}

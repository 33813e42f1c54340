// SPDX-License-Identifier: GPL-2.0
/*
 * arena-inspect watch ARENA EXPR... : a stream of changes. Each EXPR word is
 * one watch ("x", "x changes", "x if x > 100": quote those with spaces).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "btfx.h"
#include "cli.h"
#include "error.h"
#include "sink.h"
#include "watch.h"

#define TEXT_MAX_MEMBERS 16

static volatile sig_atomic_t stop;

static void on_sigint(int sig)
{
	stop = 1;
}

struct wctx {
	const struct cli_opts *o;
	struct sink *out; /* stdout: text or JSON lines */
	struct sink *log; /* --log FILE: JSON lines */
	FILE *logf;
	int log_err;
};

static void print_text(const struct watch_event *ev, const char *kind)
{
	const struct watch *w = ev->w;
	char ts[64], line[4096], part[96]; /* text, not pages */

	watch__fmt_time(ev->time_ns, ts, sizeof(ts));
	watch__partial_note(w, part, sizeof(part));
	switch (ev->kind) {
	case WATCH_EV_CHANGE:
		if (!w->nr_changed_members) {
			cli_line("%s #%d %s: %s -> %s%s", ts, w->id, w->expr_text, ev->old_value,
				 ev->new_value, part);
			break;
		}
		/* a struct or array: the members that changed, not two dumps */
		watch__fmt_members(w, TEXT_MAX_MEMBERS, line, sizeof(line));
		cli_line("%s #%d %s: %s%s%s", ts, w->id, w->expr_text, line,
			 w->nr_changed_members > TEXT_MAX_MEMBERS ? " (-j lists all)" : "", part);
		break;
	case WATCH_EV_HIT:
		cli_line("%s #%d HIT %s%s%s = %s", ts, w->id, w->expr_text,
			 w->cond == WATCH_IF ? " if " : " changes",
			 w->cond == WATCH_IF ? w->cond_text : "", w->value ? w->value : "?");
		break;
	case WATCH_EV_STATE:
		cli_line("%s #%d %s: %s%s%s", ts, w->id, w->expr_text, watch_state__name(w->state),
			 w->err[0] ? ": " : "", w->err);
		break;
	case WATCH_EV_MOVED:
		cli_line("%s #%d %s: now at 0x%" PRIx64 " = %s", ts, w->id, w->expr_text, w->addr,
			 w->value ? w->value : "?");
		break;
	}
	(void)kind;
}

static void on_event(const struct watch_event *ev, void *ctx)
{
	struct wctx *c = ctx;
	const char *kind = watch_event__name(ev->kind);

	/* a conditional watch reports its hits, not every change */
	if (ev->w->cond != WATCH_ALWAYS && ev->kind == WATCH_EV_CHANGE)
		goto log;
	if (c->out)
		watch_event__emit(c->out, ev, kind);
	else
		print_text(ev, kind);
log:
	if (c->log)
		watch_event__emit(c->log, ev, kind);
}

static void log_write(void *ctx, const char *buf, size_t len)
{
	struct wctx *c = ctx;

	if (!c->log_err && fwrite(buf, 1, len, c->logf) != len)
		c->log_err = errno ? errno : EIO;
}

static void stdout_write(void *ctx, const char *buf, size_t len)
{
	fwrite(buf, 1, len, stdout);
}

static void sleep_until(struct timespec *next, unsigned ms)
{
	next->tv_nsec += (long)(ms % 1000) * 1000000L;
	next->tv_sec += ms / 1000 + next->tv_nsec / 1000000000L;
	next->tv_nsec %= 1000000000L;
	while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
		;
}

static void initial(struct wctx *c, struct watchset *ws, uint64_t t)
{
	for (int i = 0; i < watchset__count(ws); i++) {
		struct watch *w = watchset__get(ws, i);
		struct watch_event ev = { .kind = WATCH_EV_STATE, .w = w, .time_ns = t };

		if (c->out) {
			watch_event__emit(c->out, &ev, "initial");
		} else {
			char ts[64], part[96];

			watch__fmt_time(t, ts, sizeof(ts));
			if (w->state == WATCH_OK)
				cli_line("%s #%d %s = %s%s", ts, w->id, w->expr_text, w->value,
					 watch__partial_note(w, part, sizeof(part)));
			else
				cli_line("%s #%d %s: %s: %s", ts, w->id, w->expr_text,
					 watch_state__name(w->state), w->err);
		}
		if (c->log)
			watch_event__emit(c->log, &ev, "initial");
	}
}

static int do_watch(int argc, char **argv, const struct cli_opts *o)
{
	struct wctx c = { .o = o };
	struct source *src;
	struct btfx *bx = NULL;
	struct watchset *ws = NULL;
	struct sigaction sa = { .sa_handler = on_sigint };
	struct timespec next;
	long samples = 0;
	int used, ret = 1;

	if (cli_open_arena(argc, argv, &used, &src))
		return 1;
	if (used >= argc) {
		source__close(src);
		return cli_error(
			"usage: watch ARENA EXPR... [--interval MS] [--count N] [-j] [--log FILE]");
	}
	if (cli_open_btf(src, o, &bx) || watchset__new(src, bx, &ws))
		goto out;
	for (int i = used; i < argc; i++) {
		int err = watchset__add(ws, argv[i], NULL);

		if (err) {
			cli_error("'%s': %s%s", argv[i], ai_errmsg(),
				  cli_btf_hint(bx, err, ai_errmsg()));
			goto out;
		}
	}
	if (o->log) {
		int fd = open(o->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		c.logf = fd >= 0 ? fdopen(fd, "a") : NULL;
		if (!c.logf) {
			cli_error("cannot open log %s: %s", o->log, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		c.log = sink__new_json(log_write, &c, false);
	}
	if (o->json || o->pretty)
		c.out = sink__new_json(stdout_write, NULL, false);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stop) {
		if (watchset__sample(ws, on_event, &c)) {
			cli_lib_error("watch");
			goto out;
		}
		if (samples == 0) {
			struct timespec now;

			/* names and types that do not exist will never evaluate */
			for (int i = 0; i < watchset__count(ws); i++) {
				struct watch *w = watchset__get(ws, i);

				if (watch__error_is_permanent(w)) {
					cli_error("'%s': %s%s", w->spec, w->err,
						  cli_btf_hint(bx, w->err_code, w->err));
					goto out;
				}
			}
			cli_flush_notes(); /* started: "no BTF" now, not at exit */

			clock_gettime(CLOCK_REALTIME, &now);
			initial(&c, ws, (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec);
		}
		if (c.logf && (fflush(c.logf) || c.log_err)) {
			cli_error("cannot write log %s: %s", o->log,
				  strerror(c.log_err ? c.log_err : errno));
			goto out;
		}
		if (ferror(stdout)) {
			ret = 1;
			goto out;
		}
		if (o->count > 0 && ++samples >= o->count)
			break;
		if (o->count <= 0)
			samples++;
		sleep_until(&next, o->interval_ms);
	}
	ret = 0;
out:
	if (c.logf && fclose(c.logf) && !ret)
		ret = cli_error("cannot write log %s: %s", o->log, strerror(errno));
	sink__free(c.out);
	sink__free(c.log);
	watchset__free(ws);
	btfx__free(bx);
	source__close(src);
	return ret;
}

const struct cli_cmd cmd_watch = {
	.name = "watch",
	.run = do_watch,
	.args = "ARENA EXPR...",
	.opts = CLI_OPTS_OUTPUT | CLI_OPTS_TYPES | CLI_O(INTERVAL) | CLI_O(COUNT) | CLI_O(LOG),
	.help = "stream of changes; \"EXPR if COND\" and \"EXPR changes\" report hits",
};

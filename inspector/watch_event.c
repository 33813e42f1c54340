// SPDX-License-Identifier: GPL-2.0
/*
 * Watch events and watches as text and objects: the names of events and
 * states, the changed-members line, the partial note, times, and one event
 * as a sink object (`watch -j`, --log, the TUI's :log). Sampling is watch.c.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "sink.h"
#include "watch.h"

const char *watch_event__name(enum watch_event_kind kind)
{
	static const char *const names[] = { "change", "hit", "state", "moved" };

	return kind <= WATCH_EV_MOVED ? names[kind] : "?";
}

const char *watch_state__name(enum watch_state st)
{
	static const char *const names[] = { "ok", "unallocated", "error" };

	return st <= WATCH_ERROR ? names[st] : "?";
}

void watch__fmt_time(uint64_t ns, char *buf, size_t len)
{
	time_t sec = ns / 1000000000ULL;
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(ns / 1000000 % 1000));
}

bool watch__error_is_permanent(const struct watch *w)
{
	return w->state == WATCH_ERROR && (w->err_code == -ENOENT || w->err_code == -EINVAL);
}

int watch__fmt_members(const struct watch *w, int max, char *buf, size_t len)
{
	size_t off;
	int n = w->nr_changed_members;

	if (len)
		buf[0] = '\0';
	if (!n)
		return 0;
	off = snprintf(buf, len, "%d member%s changed:", n, n == 1 ? "" : "s");
	for (int i = 0; i < n && i < max; i++) {
		const struct watch_member *m = &w->changed_members[i];

		off += snprintf(buf + (off < len ? off : len), off < len ? len - off : 0,
				"%s %s %s -> %s", i ? "," : "", m->path, m->old ? m->old : "(new)",
				m->new);
	}
	if (n > max)
		off += snprintf(buf + (off < len ? off : len), off < len ? len - off : 0,
				", ... %d more", n - max);
	return (int)off;
}

const char *watch__partial_note(const struct watch *w, char *buf, size_t len)
{
	if (!len)
		return "";
	buf[0] = '\0';
	if (w->partial && w->state == WATCH_OK)
		snprintf(buf, len, " (partial: only the first %d members are watched)",
			 w->nr_leaves);
	return buf;
}

void watch_event__emit(struct sink *s, const struct watch_event *ev, const char *kind_name)
{
	const struct watch *w = ev->w;
	char ts[64];

	watch__fmt_time(ev->time_ns, ts, sizeof(ts));
	sink_begin(s, NULL, false, NULL);
	sink_str(s, "time", ts);
	sink_u64(s, "ts_ns", ev->time_ns);
	sink_u64(s, "watch", w->id);
	sink_str(s, "expr", w->expr_text);
	sink_str(s, "event", kind_name ? kind_name : watch_event__name(ev->kind));
	if (w->cond == WATCH_IF)
		sink_str(s, "if", w->cond_text);
	if (ev->kind == WATCH_EV_CHANGE) {
		sink_str(s, "old", ev->old_value);
		sink_str(s, "new", ev->new_value);
	} else if (w->value && w->state == WATCH_OK) {
		sink_str(s, "value", w->value);
	}
	sink_hex(s, "addr", w->addr);
	if (ev->kind == WATCH_EV_STATE) {
		sink_str(s, "state", watch_state__name(w->state));
		if (w->err[0])
			sink_str(s, "error", w->err);
	}
	if (ev->kind == WATCH_EV_CHANGE && w->nr_changed_members) {
		sink_begin(s, "members", true, NULL);
		for (int i = 0; i < w->nr_changed_members; i++)
			sink_change(s, w->changed_members[i].path, w->changed_members[i].old,
				    w->changed_members[i].new);
		sink_end(s, true);
	}
	if (w->partial && w->state == WATCH_OK) {
		/* the value was cut: changes past the cut are not seen */
		sink_bool(s, "partial", true);
		sink_u64(s, "members_watched", (uint64_t)w->nr_leaves);
	}
	sink_u64(s, "changes", w->nr_changes);
	sink_end(s, false);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * watch: expressions sampled on a clock.
 *
 * A watch is "EXPR", "EXPR if COND" or "EXPR changes". Every sample
 * re-evaluates the path (so a pointer that now leads elsewhere is noticed),
 * renders the value, and compares it with the previous sample, member by
 * member for structs and arrays. A condition fires once each time it goes
 * from false to true ("changes" holds on a sample whose value changed).
 *
 * Consistency: one sweep reads every field through one batched, side-effect
 * free kernel pass (source__gather) of everything the previous sweep read,
 * and at most one read per page for anything new. No page is read twice in a
 * sweep, and nothing is ever read through a user mapping.
 */
#ifndef ARENA_INSPECT_WATCH_H
#define ARENA_INSPECT_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include "btfx.h"
#include "source.h"

#define WATCH_HIST 64
/*
 * A struct or array watch compares every member (leaf) of its value. Only a
 * value with more leaves than WATCH_MAX_LEAVES, or nested deeper than
 * WATCH_MAX_DEPTH, is cut; the watch then says so (watch.partial) instead of
 * quietly ignoring the rest.
 */
#define WATCH_MAX_LEAVES 65536
#define WATCH_MAX_DEPTH 16

enum watch_cond {
	WATCH_ALWAYS,  /* report every change */
	WATCH_CHANGES, /* "EXPR changes": a hit on each change */
	WATCH_IF,      /* "EXPR if COND": a hit when COND becomes true */
};

enum watch_state {
	WATCH_OK,
	WATCH_UNALLOCATED, /* the value's page is not allocated (now) */
	WATCH_ERROR,	   /* the path does not evaluate (NULL, bad member...) */
};

struct watch_member {
	char *path, *old, *new;
};

struct watch {
	int id;
	char *spec; /* as typed */
	char *expr_text;
	char *cond_text; /* WATCH_IF only */
	enum watch_cond cond;
	bool paused;

	enum watch_state state;
	char err[160]; /* why, for UNALLOCATED / ERROR */
	int err_code;  /* its negative errno (0 when fine) */
	uint64_t addr; /* where the value was found this sample */
	bool moved;    /* the path led to a different address this sample */
	char *value;   /* one-line rendering, NULL before the first sample */
	char *prev;    /* the value before the last change */
	/* members (leaves) of a struct or array that changed at the last
	 * change: path, old and new text (old NULL where the leaf is new) */
	struct watch_member *changed_members;
	int nr_changed_members;
	/* the value hit a cap (WATCH_MAX_LEAVES, WATCH_MAX_DEPTH): only the
	 * nr_leaves leaves rendered are compared, changes elsewhere are missed */
	bool partial;
	int nr_leaves;
	uint64_t nr_changes;
	uint64_t last_change_ns; /* CLOCK_REALTIME */
	bool numeric;
	int64_t num; /* the value, when numeric */
	bool cond_true;
	uint64_t nr_hits;
	uint64_t last_hit_ns;

	/* private: use the accessors below */
	bool changed;
	uint64_t changed_sweep;
	uint64_t first_sweep;
	uint64_t hist_sweep[WATCH_HIST]; /* numeric value changes: (sweep, value) */
	int64_t hist_val[WATCH_HIST];
	int hist_len;
	void *priv;
};

enum watch_event_kind {
	WATCH_EV_CHANGE, /* value changed (old -> new) */
	WATCH_EV_HIT,	 /* condition became true */
	WATCH_EV_STATE,	 /* became unallocated / error / fine again */
	WATCH_EV_MOVED,	 /* path leads to another address */
};

struct watch_event {
	enum watch_event_kind kind;
	const struct watch *w;
	uint64_t time_ns;
	const char *old_value; /* CHANGE */
	const char *new_value;
};

typedef void (*watch_event_fn)(const struct watch_event *ev, void *ctx);

struct watchset;

int watchset__new(struct source *src, struct btfx *bx, struct watchset **out);
void watchset__free(struct watchset *ws);

/* Add "EXPR [if COND | changes]". Parse errors: -EINVAL, message with the
 * column. The watch is sampled on the next watchset__sample. */
int watchset__add(struct watchset *ws, const char *spec, struct watch **out);
int watchset__remove(struct watchset *ws, int id);
void watchset__clear(struct watchset *ws);
int watchset__count(const struct watchset *ws);
struct watch *watchset__get(struct watchset *ws, int i);

/* Take one sample of every watch that is not paused. Events go to cb. */
int watchset__sample(struct watchset *ws, watch_event_fn cb, void *ctx);

/* Is w's error one that no change in the arena can cure (an unknown name,
 * type or member, a type error), rather than NULL, a missing page or an
 * index out of range, which the data may fix? */
bool watch__error_is_permanent(const struct watch *w);

/* Did w change in the last sample? */
bool watch__changed_last(const struct watchset *ws, const struct watch *w);
/* Samples taken of w since it was added. Unchanged watches are not touched
 * during a sweep (that is what makes thousands cheap), so this is derived. */
uint64_t watch__samples(const struct watchset *ws, const struct watch *w);
/* The last n numeric values, one per sample, oldest first; returns how many
 * were written (0 for a value that is not numeric). For sparklines. */
int watch__history(const struct watchset *ws, const struct watch *w, int64_t *out, int n);
/* Pause or resume one watch (use this, not the field: the sweep layout
 * depends on it). */
int watchset__set_paused(struct watchset *ws, int id, bool paused);

/* One event as an object on a sink: the JSON lines of `watch -j`, --log
 * and the TUI's :log. kind_name overrides the event's name ("initial"). */
struct sink;
void watch_event__emit(struct sink *s, const struct watch_event *ev, const char *kind_name);
const char *watch_event__name(enum watch_event_kind kind);
const char *watch_state__name(enum watch_state st);
/* The members that changed at w's last change, as one line:
 * "2 members changed: p->a 1 -> 2, p->b[3] NULL -> 0x1000", at most max
 * of them then ", ... N more". Empty when w has none (a scalar). Returns
 * what snprintf would. */
int watch__fmt_members(const struct watch *w, int max, char *buf, size_t len);
/* When w is partial: " (partial: only the first N members are watched)",
 * else "". For every place that shows a value. */
const char *watch__partial_note(const struct watch *w, char *buf, size_t len);
/* ISO-8601 UTC with milliseconds: 2026-11-22T07:55:01.123Z */
void watch__fmt_time(uint64_t ns, char *buf, size_t len);

/* Statistics of the last sweep, for benchmarks and the status line. */
struct watch_sweep_stats {
	uint32_t gathered;   /* fields read in the batched pass */
	uint32_t page_reads; /* pages read individually */
	uint32_t evaluated;  /* paths re-evaluated */
};
void watchset__last_stats(const struct watchset *ws, struct watch_sweep_stats *st);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * diff: the walk as sink events (text and JSON): the two sides, page runs,
 * byte ranges, typed fields and the summary, from one diff object.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "diff.h"
#include "error.h"

struct emit {
	struct sink *s;
	struct source *a, *b;
	bool in_ranges;
};

static uint64_t addr_of(const struct emit *e, uint64_t off)
{
	uint64_t base =
		e->b->info.user_vm_start ? e->b->info.user_vm_start : e->a->info.user_vm_start;

	return base ? base + off : 0;
}

static int emit_pages(void *ctx, const struct diff_pages *p)
{
	struct emit *e = ctx;
	const char *change = p->to == PAGE_ALLOCATED	 ? "allocated"
			     : p->from == PAGE_ALLOCATED ? "freed"
			     : p->to == PAGE_RESERVED	 ? "reserved"
							 : "unreserved";

	sink_begin(e->s, NULL, false, NULL);
	sink_str(e->s, "change", change);
	sink_u64(e->s, "first", p->first);
	sink_u64(e->s, "count", p->count);
	sink_hex(e->s, "addr", addr_of(e, (uint64_t)p->first << e->a->info.page_shift));
	sink_str(e->s, "from", diff__state_name(p->from));
	sink_str(e->s, "to", diff__state_name(p->to));
	sink_end(e->s, false);
	return 0;
}

static void hexstr(char *out, const uint8_t *b, size_t n)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int emit_range(void *ctx, const struct diff_range *r)
{
	struct emit *e = ctx;
	char hex[2 * DIFF_SAMPLE + 4];
	size_t n = r->len < DIFF_SAMPLE ? r->len : DIFF_SAMPLE;

	if (!e->in_ranges) {
		sink_end(e->s, true); /* pages */
		sink_begin(e->s, "ranges", true, NULL);
		e->in_ranges = true;
	}
	sink_begin(e->s, NULL, false, NULL);
	sink_hex(e->s, "addr", addr_of(e, r->off));
	sink_u64(e->s, "offset", r->off);
	sink_u64(e->s, "len", r->len);
	hexstr(hex, r->old, n);
	if (r->len > DIFF_SAMPLE)
		strcat(hex, "..");
	sink_str(e->s, "old", hex);
	hexstr(hex, r->new, n);
	if (r->len > DIFF_SAMPLE)
		strcat(hex, "..");
	sink_str(e->s, "new", hex);
	sink_end(e->s, false);
	return 0;
}

static int emit_field(void *ctx, const struct diff_field *f)
{
	sink_change(ctx, f->path, f->old, f->new);
	return 0;
}

static void emit_side(struct sink *s, const char *key, const struct source *src)
{
	const struct arena_info *ai = &src->info;

	sink_begin(s, key, false, NULL);
	sink_str(s, "kind", ai->is_snapshot ? "snapshot" : "live");
	sink_u64(s, "id", ai->map_id);
	sink_str(s, "name", ai->name);
	sink_u64(s, "pages", ai->max_pages);
	sink_hex(s, "user_vm_start", ai->user_vm_start);
	if (ai->is_snapshot) {
		sink_u64(s, "time_ns", ai->snapshot_time_ns);
		sink_bool(s, "changed_while_saved", ai->snapshot_changed);
	}
	sink_end(s, false);
}

int diff__emit(struct source *a, struct source *b, const struct diff_opts *opts, struct sink *s,
	       struct diff_stats *st)
{
	static const struct diff_cb cb = { .pages = emit_pages, .range = emit_range };
	struct emit e = { .s = s, .a = a, .b = b };
	struct diff_stats tmp, *t = st ? st : &tmp;
	struct diff *d = NULL;
	int err;

	sink_begin(s, NULL, false, NULL);
	emit_side(s, "a", a);
	emit_side(s, "b", b);
	sink_begin(s, "pages", true, NULL);
	memset(t, 0, sizeof(*t));
	err = diff__new(a, b, opts, &d);
	if (!err)
		err = diff__ranges(d, &cb, &e, t);
	if (!e.in_ranges) {
		sink_end(s, true);
		sink_begin(s, "ranges", true, NULL);
	}
	sink_end(s, true);
	t->fields_compared = false;
	if (err != -ECANCELED && diff__has_types(opts)) {
		const struct diff_field_opts fo = { .max_fields = opts->max_fields,
						    .max_array = opts->max_array };
		int ferr;

		t->fields_compared = true;
		sink_begin(s, "fields", true, NULL);
		ferr = diff__fields(opts->bx_a, a, opts->bx_b, b, &fo, emit_field, s, &t->fields);
		sink_end(s, true);
		if (ferr < 0 && err >= 0)
			err = ferr;
	}
	if (opts && opts->extra)
		opts->extra(opts->extra_ctx, s);
	sink_begin(s, "summary", false, NULL);
	sink_u64(s, "pages_allocated", t->pages_allocated);
	sink_u64(s, "pages_freed", t->pages_freed);
	sink_u64(s, "pages_reserved_changed", t->pages_other);
	sink_u64(s, "pages_compared", t->pages_compared);
	sink_u64(s, "pages_changed", t->pages_changed);
	sink_u64(s, "pages_unreadable", t->pages_unreadable);
	sink_u64(s, "ranges", t->ranges);
	sink_u64(s, "bytes_changed", t->bytes_changed);
	sink_bool(s, "ranges_truncated", t->ranges_truncated);
	sink_bool(s, "size_differs", t->size_differs);
	sink_bool(s, "fields_compared", t->fields_compared);
	if (t->fields_compared) {
		sink_u64(s, "fields_changed", t->fields.changed);
		sink_u64(s, "fields_shown", t->fields.reported);
		sink_bool(s, "fields_truncated", t->fields.truncated);
		sink_bool(s, "fields_incomplete", t->fields.incomplete);
	}
	if (err < 0)
		sink_str(s, "error", ai_errmsg());
	sink_end(s, false);
	sink_end(s, false);
	sink_flush(s);
	diff__free(d);
	return err;
}

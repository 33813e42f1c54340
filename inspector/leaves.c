// SPDX-License-Identifier: GPL-2.0
/*
 * leaves: the formatter's walk flattened into leaves (format.h, "Leaves").
 * A sink receives fmt__value's events and turns each value into one leaf
 * with its one text; containers only shape the optional one-line rendering.
 * This file owns how an unallocated, outside, poison, error or cut leaf is
 * written, so watch, diff and whatever compares values next all agree.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "format.h"
#include "sink.h"

#define LINE_DEPTH 64

struct lsink {
	struct sink s; /* first: the sink ops get &lsink->s */
	fmt_leaf_fn cb;
	void *ctx;
	struct fmt_leaves_info *info;
	struct strbuf text; /* the current leaf's text, reused */
	bool first[LINE_DEPTH];
	bool array[LINE_DEPTH];
	int depth;
	bool has_path; /* fmt_opts.path was given: a leaf without one was cut */
	int stop;
};

static bool is_walk_note(const char *note)
{
	/* depend on the walk order, not on the value */
	return note && (!strcmp(note, "cycle") || !strcmp(note, "seen"));
}

static bool is_cut(const struct sink_attrs *a)
{
	return a->truncated && a->note && (!strcmp(a->note, "depth") || !strcmp(a->note, "limit"));
}

static enum fmt_leaf_kind kind_of(const struct sink_attrs *a)
{
	if (is_cut(a))
		return FMT_LEAF_CUT;
	if (a->note && !strcmp(a->note, "incomplete type"))
		return FMT_LEAF_ERROR;
	if (a->unallocated)
		return FMT_LEAF_UNALLOCATED;
	if (a->outside)
		return a->note && !strcmp(a->note, "poison") ? FMT_LEAF_POISON : FMT_LEAF_OUTSIDE;
	return FMT_LEAF_VALUE;
}

static void put(struct strbuf *sb, const char *s)
{
	strbuf_write(sb, s, strlen(s));
}

/* The one text of a leaf: the value as `print` writes it, with its marks */
static void render(struct strbuf *sb, enum sink_kind k, const char *text,
		   const struct sink_attrs *a)
{
	if (k == SK_STR && !is_cut(a) && !(a->note && !strcmp(a->note, "incomplete type"))) {
		put(sb, "\"");
		put(sb, text);
		put(sb, "\"");
	} else {
		put(sb, k == SK_NULL && !*text ? "NULL" : text);
	}
	if (k != SK_PTR && !*text && a->unallocated)
		put(sb, "<unallocated>");
	else if (k != SK_PTR && !*text && a->outside)
		put(sb, "<outside arena>");
	if (k == SK_PTR && a->unallocated)
		put(sb, " <unallocated>");
	if (k == SK_PTR && a->outside)
		put(sb, " <outside arena>");
	if (a->note && !is_walk_note(a->note)) {
		put(sb, *text || sb->len ? " <" : "<");
		put(sb, a->note);
		put(sb, ">");
	}
}

static void line_sep(struct lsink *l, const char *key)
{
	struct strbuf *line = l->info->line;

	if (!line || l->depth <= 0)
		return;
	if (!l->first[l->depth])
		put(line, ", ");
	l->first[l->depth] = false;
	if (key && !l->array[l->depth]) {
		put(line, ".");
		put(line, key);
		put(line, " = ");
	}
}

static void deliver(struct lsink *l, const struct fmt_leaf *f)
{
	if (l->stop)
		return;
	l->info->leaves++;
	l->stop = l->cb(l->ctx, f);
}

/* A followed pointer's pointee (path "*P" or "*(P)", addr the pointer):
 * the pointer P is a leaf of its own. */
static void followed(struct lsink *l, const struct sink_attrs *a)
{
	char path[1100], value[32], type[300];
	const char *p = a->path + 1;
	size_t len = strlen(p);
	struct fmt_leaf f = {
		.kind = FMT_LEAF_VALUE, .sk = SK_PTR, .followed = true, .size = 8, .target = a->type
	};

	if (p[0] == '(' && len >= 2 && p[len - 1] == ')') {
		p++;
		len -= 2;
	}
	if (!len || len >= sizeof(path))
		return;
	memcpy(path, p, len);
	path[len] = '\0';
	snprintf(value, sizeof(value), "0x%" PRIx64, a->addr);
	snprintf(type, sizeof(type), "%s *", a->type ? a->type : "void");
	f.path = path;
	f.value = f.text = value;
	f.type = type;
	deliver(l, &f);
}

static void l_begin(struct sink *s, const char *key, bool array, const struct sink_attrs *a)
{
	struct lsink *l = (struct lsink *)s;

	if (a && a->truncated)
		l->info->cut = true; /* an array cut at max_array */
	if (a && a->deref && a->path)
		followed(l, a);
	line_sep(l, key);
	if (l->info->line)
		put(l->info->line, array ? "[" : "{");
	if (l->depth < LINE_DEPTH - 1)
		l->depth++;
	l->array[l->depth] = array;
	l->first[l->depth] = true;
}

static void l_end(struct sink *s, bool array)
{
	struct lsink *l = (struct lsink *)s;

	if (l->depth > 0)
		l->depth--;
	if (l->info->line)
		put(l->info->line, array ? "]" : "}");
}

static void l_value(struct sink *s, const char *key, enum sink_kind kind, const char *text,
		    const struct sink_attrs *a)
{
	static const struct sink_attrs none;
	struct lsink *l = (struct lsink *)s;
	struct fmt_leaf f;

	if (!a)
		a = &none;
	if (!text)
		text = "";
	if ((!a->path && l->has_path) || (a->truncated && !is_walk_note(a->note)))
		l->info->cut = true;
	if (a->deref && a->path)
		followed(l, a);
	l->text.len = 0;
	if (l->text.buf)
		l->text.buf[0] = '\0';
	/* print/x: the leaf's one text is in that format */
	render(&l->text, a->ftext && kind != SK_STR && kind != SK_PTR ? SK_NUM : kind,
	       a->ftext ? a->ftext : text, a);
	line_sep(l, key);
	if (l->info->line)
		put(l->info->line, l->text.buf ? l->text.buf : "");
	f = (struct fmt_leaf){
		.path = a->path,
		.type = a->type,
		.target = a->target,
		.kind = kind_of(a),
		.sk = kind,
		.text = l->text.buf ? l->text.buf : "",
		.value = text,
		.note = a->note,
		.addr = a->addr,
		.size = a->size,
		.cut = kind == SK_STR && a->truncated && !a->note,
	};
	deliver(l, &f);
}

static const struct sink_ops leaf_ops = {
	.begin = l_begin,
	.end = l_end,
	.value = l_value,
};

int fmt__leaves(struct btfx *bx, struct source *src, const struct value *v,
		const struct fmt_opts *opts, fmt_leaf_fn cb, void *ctx,
		struct fmt_leaves_info *info)
{
	struct fmt_leaves_info tmp = { 0 };
	struct lsink l = { .s = { .ops = &leaf_ops }, .cb = cb, .ctx = ctx };
	int err;

	l.info = info ? info : &tmp;
	l.has_path = opts && opts->path;
	l.info->leaves = 0;
	l.info->cut = false;
	err = fmt__value(bx, src, v, NULL, &l.s, opts);
	strbuf_free(&l.text);
	return err ? err : l.stop;
}

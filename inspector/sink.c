// SPDX-License-Identifier: GPL-2.0
/*
 * The text and JSON sinks. JSON streams as events arrive. Text needs to see a
 * whole array before it can decide to draw a table, so it keeps a small tree
 * and renders when the top-level value ends.
 *
 * Text rendering rules:
 *  - typed values (attrs.type set on the container) print as C: { .a = 1, }
 *  - untyped objects print as "key: value" lines, nested by indentation
 *  - an untyped array of flat objects with the same keys prints as a table
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "printable.h"
#include "sink.h"

void strbuf_write(void *ctx, const char *buf, size_t len)
{
	struct strbuf *sb = ctx;

	if (sb->len + len + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 256;
		char *n;

		while (cap < sb->len + len + 1)
			cap *= 2;
		n = realloc(sb->buf, cap);
		if (!n)
			return; /* keeps what fits; callers see a short string */
		sb->buf = n;
		sb->cap = cap;
	}
	memcpy(sb->buf + sb->len, buf, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_free(struct strbuf *sb)
{
	free(sb->buf);
	memset(sb, 0, sizeof(*sb));
}

static void out(struct sink *s, const char *str)
{
	s->write(s->write_ctx, str, strlen(str));
}

static void outf(struct sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct sink *s, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	s->write(s->write_ctx, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* A JSON string body. Valid UTF-8 is kept as it is (JSON is UTF-8), except
 * the characters a terminal must not get raw (printable.h): those and the
 * C0 controls are \u00XX (or \n \t \r \b \f). A byte that is not part of
 * valid UTF-8 cannot be said in JSON: it becomes U+FFFD, as Go's
 * encoding/json does; text output and hex show the byte itself. */
static void json_escaped(struct sink *s, const char *str)
{
	const unsigned char *p = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, run = 0;

	while (i < n) {
		uint32_t cp = 0;
		size_t l = ai_utf8_next(p + i, n - i, &cp);
		char esc[8];

		if (l && !ai_cp_is_control(cp) && cp != '"' && cp != '\\') {
			i += l;
			continue;
		}
		if (i > run)
			s->write(s->write_ctx, str + run, i - run);
		if (!l) {
			snprintf(esc, sizeof(esc), "\\ufffd");
			l = 1;
		} else {
			switch (cp) {
			case '"': snprintf(esc, sizeof(esc), "\\\""); break;
			case '\\': snprintf(esc, sizeof(esc), "\\\\"); break;
			case '\n': snprintf(esc, sizeof(esc), "\\n"); break;
			case '\t': snprintf(esc, sizeof(esc), "\\t"); break;
			case '\r': snprintf(esc, sizeof(esc), "\\r"); break;
			case '\b': snprintf(esc, sizeof(esc), "\\b"); break;
			case '\f': snprintf(esc, sizeof(esc), "\\f"); break;
			default: snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
			}
		}
		out(s, esc);
		i += l;
		run = i;
	}
	if (i > run)
		s->write(s->write_ctx, str + run, i - run);
}

/* A string in text output: its printable form (printable.h) */
static void out_printable(struct sink *s, const char *str, unsigned flags)
{
	ai_printable_write(s->write, s->write_ctx, str, strlen(str), flags);
}

/* ---------------------------------------------------------------- JSON */

#define MAX_DEPTH 256

struct json_sink {
	struct sink s;
	bool pretty;
	int depth;
	bool first[MAX_DEPTH];
	bool wrapped[MAX_DEPTH]; /* this array is the "elements" of a cut one */
};

static void json_sep(struct json_sink *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth])
			out(&j->s, ",");
		j->first[j->depth] = false;
	}
	/* several top-level values become JSON lines: each ends with '\n' */
	if (j->pretty && j->depth > 0) {
		out(&j->s, "\n");
		for (int i = 0; i < j->depth; i++)
			out(&j->s, "  ");
	}
	if (key && j->depth > 0) {
		out(&j->s, "\"");
		json_escaped(&j->s, key);
		out(&j->s, j->pretty ? "\": " : "\":");
	}
}

static void json_open(struct json_sink *j, const char *key, bool array)
{
	json_sep(j, key);
	out(&j->s, array ? "[" : "{");
	if (j->depth < MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
	j->wrapped[j->depth] = false;
}

static void json_close(struct json_sink *j, bool array)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (j->pretty && !empty) {
		out(&j->s, "\n");
		for (int i = 0; i < j->depth; i++)
			out(&j->s, "  ");
	}
	out(&j->s, array ? "]" : "}");
}

/* "truncated":true and "total":N (when known) inside an open object */
static void json_cut_fields(struct json_sink *j, const struct sink_attrs *a)
{
	json_sep(j, "truncated");
	out(&j->s, "true");
	if (a->total) {
		json_sep(j, "total");
		outf(&j->s, "%" PRIu64, a->total);
	}
}

static void json_begin(struct sink *s, const char *key, bool array, const struct sink_attrs *a)
{
	struct json_sink *j = (void *)s;

	if (array && a && a->truncated) {
		/* a cut array says so: {"truncated":true,"total":N,"elements":[...]} */
		json_open(j, key, false);
		json_cut_fields(j, a);
		json_open(j, "elements", true);
		j->wrapped[j->depth] = true;
		return;
	}
	json_open(j, key, array);
}

static void json_end(struct sink *s, bool array)
{
	struct json_sink *j = (void *)s;
	bool wrapped = j->wrapped[j->depth];

	json_close(j, array);
	if (wrapped)
		json_close(j, false);
	if (j->depth == 0)
		out(s, "\n");
}

static bool has_ptr_facts(const struct sink_attrs *a)
{
	return a && (a->target || a->unallocated || a->outside || a->note);
}

static void json_scalar(struct sink *s, enum sink_kind kind, const char *text)
{
	size_t n = strlen(text);

	switch (kind) {
	case SK_CHAR:
		/* 'a' in C is "a" in JSON: drop the C quotes, keep the escape */
		if (n >= 2 && text[0] == '\'' && text[n - 1] == '\'') {
			char *inner = strndup(text + 1, n - 2);

			out(s, "\"");
			json_escaped(s, inner ? inner : "");
			out(s, "\"");
			free(inner);
			break;
		}
		/* fall through */
	case SK_NUM:
	case SK_BOOL: out(s, text); break;
	case SK_NULL: out(s, "null"); break;
	default:
		out(s, "\"");
		json_escaped(s, text);
		out(s, "\"");
	}
}

static void json_value(struct sink *s, const char *key, enum sink_kind kind, const char *text,
		       const struct sink_attrs *a)
{
	struct json_sink *j = (void *)s;

	json_sep(j, key);
	if (a && a->ftext) {
		/* print --format: the value stays what it is, "text" adds it
		 * in the format asked for */
		if (kind == SK_PTR) {
			out(s, "{\"ptr\":\"");
			json_escaped(s, text);
			out(s, "\"");
		} else {
			out(s, "{\"value\":");
			json_scalar(s, kind, text);
		}
		if (kind == SK_PTR && a->target) {
			out(s, ",\"target\":\"");
			json_escaped(s, a->target);
			out(s, "\"");
		}
		if (kind == SK_PTR && a->unallocated)
			out(s, ",\"unallocated\":true");
		if (kind == SK_PTR && a->outside)
			out(s, ",\"outside\":true");
		if (a->note) {
			out(s, ",\"note\":\"");
			json_escaped(s, a->note);
			out(s, "\"");
		}
		out(s, ",\"text\":\"");
		json_escaped(s, a->ftext);
		out(s, "\"}");
	} else if (kind == SK_PTR && has_ptr_facts(a)) {
		/* a pointer: its value plus what it points to */
		out(s, "{\"ptr\":\"");
		json_escaped(s, text);
		out(s, "\"");
		if (a->target) {
			out(s, ",\"target\":\"");
			json_escaped(s, a->target);
			out(s, "\"");
		}
		if (a->unallocated)
			out(s, ",\"unallocated\":true");
		if (a->outside)
			out(s, ",\"outside\":true");
		if (a->note) {
			out(s, ",\"note\":\"");
			json_escaped(s, a->note);
			out(s, "\"");
		}
		out(s, "}");
	} else if (a && a->unallocated && kind != SK_PTR) {
		out(s, "{\"unallocated\":true");
		if (a->addr)
			outf(s, ",\"addr\":\"0x%" PRIx64 "\"", a->addr);
		out(s, "}");
	} else if (a && a->truncated && kind != SK_PTR) {
		/* a cut string keeps what was shown; a value cut at the depth
		 * or node limit has nothing to show but why */
		out(s, "{");
		if (a->note) {
			out(s, "\"truncated\":true,\"note\":\"");
			json_escaped(s, a->note);
			out(s, "\"");
		} else {
			out(s, "\"string\":");
			json_scalar(s, kind, text);
			out(s, ",\"truncated\":true");
			if (a->total)
				outf(s, ",\"total\":%" PRIu64, a->total);
		}
		out(s, "}");
	} else {
		json_scalar(s, kind, text);
	}
	if (j->depth == 0)
		out(s, "\n");
}

static void json_free(struct sink *s)
{
	free(s);
}

static const struct sink_ops json_ops = {
	.begin = json_begin,
	.end = json_end,
	.value = json_value,
	.free = json_free,
};

struct sink *sink__new_json(sink_write_fn w, void *ctx, bool pretty)
{
	struct json_sink *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->s.ops = &json_ops;
	j->s.write = w;
	j->s.write_ctx = ctx;
	j->pretty = pretty;
	return &j->s;
}

/* ---------------------------------------------------------------- text */

struct tnode {
	char *key;
	char *text;
	char *type;
	char *target;
	char *note;
	enum sink_kind kind;
	bool container, array, unallocated, outside, truncated, lines;
	uint64_t total;
	struct tnode *parent, *child, *last, *next;
	int nr_children;
};

struct text_sink {
	struct sink s;
	struct tnode *root; /* current top-level tree */
	struct tnode *cur;  /* open container */
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static struct tnode *tnode_new(struct text_sink *t, const char *key, const struct sink_attrs *a)
{
	struct tnode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	/* names come from BTF or files: kept in their printable form */
	n->key = ai_printable_dup(key, 0);
	if (a) {
		n->type = ai_printable_dup(a->type, 0);
		n->target = ai_printable_dup(a->target, 0);
		n->note = ai_printable_dup(a->note, 0);
		n->unallocated = a->unallocated;
		n->outside = a->outside;
		n->truncated = a->truncated;
		n->total = a->total;
		n->lines = a->lines;
	}
	n->parent = t->cur;
	if (t->cur) {
		if (t->cur->last)
			t->cur->last->next = n;
		else
			t->cur->child = n;
		t->cur->last = n;
		t->cur->nr_children++;
	}
	return n;
}

static void tnode_free(struct tnode *n)
{
	while (n) {
		struct tnode *next = n->next;

		tnode_free(n->child);
		free(n->key);
		free(n->text);
		free(n->type);
		free(n->target);
		free(n->note);
		free(n);
		n = next;
	}
}

static void indent(struct sink *s, int depth)
{
	for (int i = 0; i < depth; i++)
		out(s, "\t");
}

/* How many elements a cut array or string did not show */
static uint64_t not_shown(const struct tnode *n)
{
	uint64_t shown = n->container ? (uint64_t)n->nr_children : n->text ? strlen(n->text) : 0;

	return n->total > shown ? n->total - shown : 0;
}

/* "... 44 more (--max-elements N)" after a cut array or string */
static void more_text(struct sink *s, const struct tnode *n)
{
	uint64_t more = not_shown(n);

	if (more)
		outf(s, "... %" PRIu64 " more", more);
	else
		out(s, "...");
	if (s->more_hint && more)
		outf(s, " (%s)", s->more_hint);
}

static void role(struct sink *s, enum sink_role r)
{
	if (s->role)
		s->role(s->write_ctx, r);
}

static enum sink_role value_role(const struct tnode *n)
{
	switch (n->kind) {
	case SK_STR:
	case SK_CHAR: return SR_STR;
	case SK_ENUM:
	case SK_BOOL: return SR_ENUM;
	case SK_NULL: return SR_NULL;
	case SK_PTR: return n->unallocated || n->outside ? SR_PTR_BAD : SR_PTR;
	default: return SR_NUM;
	}
}

static void text_scalar(struct sink *s, const struct tnode *n, bool quote)
{
	const char *text = n->text ? n->text : "";

	role(s, value_role(n));
	/* a value cut at a limit shows a marker ("{...}") and why, unquoted */
	if (n->kind == SK_STR && quote && !(n->truncated && n->note)) {
		out(s, "\"");
		out_printable(s, text, AI_PR_QUOTE);
		out(s, "\"");
	} else if (n->kind == SK_NULL) {
		out_printable(s, *text ? text : "NULL", 0);
	} else {
		out_printable(s, text, n->lines ? AI_PR_LINES : 0);
	}
	role(s, SR_NONE);
	if (n->kind == SK_STR && n->truncated && !n->note) {
		out(s, " ");
		role(s, SR_NOTE);
		more_text(s, n);
		role(s, SR_NONE);
	}
	role(s, SR_UNALLOC);
	if (n->unallocated && n->kind != SK_PTR)
		out(s, "<unallocated>");
	if (n->kind == SK_PTR) {
		if (n->target) {
			role(s, SR_TYPE);
			outf(s, " -> %s", n->target);
			role(s, SR_UNALLOC);
		}
		if (n->unallocated)
			out(s, " <unallocated>");
		if (n->outside)
			out(s, " <outside arena>");
	}
	role(s, SR_NOTE);
	if (n->note)
		outf(s, " <%s>", n->note);
	role(s, SR_NONE);
}

static bool is_flat_object(const struct tnode *n)
{
	if (!n->container || n->array || n->type)
		return false;
	for (const struct tnode *c = n->child; c; c = c->next)
		if (c->container)
			return false;
	return true;
}

static bool same_keys(const struct tnode *a, const struct tnode *b)
{
	const struct tnode *x = a->child, *y = b->child;

	for (; x && y; x = x->next, y = y->next)
		if (!x->key || !y->key || strcmp(x->key, y->key))
			return false;
	return !x && !y;
}

static bool is_table(const struct tnode *n)
{
	if (!n->container || !n->array || n->type || !n->child)
		return false;
	for (const struct tnode *c = n->child; c; c = c->next)
		if (!is_flat_object(c) || !same_keys(c, n->child))
			return false;
	return true;
}

static void cell_text(const struct tnode *n, char *buf, size_t len)
{
	struct strbuf sb = {};
	struct sink tmp = { .write = strbuf_write, .write_ctx = &sb };

	text_scalar(&tmp, n, false);
	/* a cell too wide for buf ends in "..." rather than looking whole */
	if ((size_t)snprintf(buf, len, "%s", sb.buf ? sb.buf : "") >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
	strbuf_free(&sb);
}

static void render_table(struct sink *s, const struct tnode *n, int depth)
{
	int ncol = n->child->nr_children;
	size_t *w = calloc(ncol ? ncol : 1, sizeof(*w));
	char cell[256];
	int i;

	if (!w)
		return;
	i = 0;
	for (const struct tnode *h = n->child->child; h; h = h->next, i++)
		w[i] = strlen(h->key);
	for (const struct tnode *r = n->child; r; r = r->next) {
		i = 0;
		for (const struct tnode *c = r->child; c; c = c->next, i++) {
			cell_text(c, cell, sizeof(cell));
			if (strlen(cell) > w[i])
				w[i] = strlen(cell);
		}
	}
	indent(s, depth);
	i = 0;
	for (const struct tnode *h = n->child->child; h; h = h->next, i++) {
		char up[256];
		size_t k;

		for (k = 0; h->key[k] && k < sizeof(up) - 1; k++)
			up[k] = (h->key[k] >= 'a' && h->key[k] <= 'z') ? h->key[k] - 32 : h->key[k];
		up[k] = '\0';
		role(s, SR_HEADER);
		outf(s, "%-*s", i + 1 < ncol ? (int)w[i] : 0, up);
		role(s, SR_NONE);
		out(s, i + 1 < ncol ? "  " : "");
	}
	out(s, "\n");
	for (const struct tnode *r = n->child; r; r = r->next) {
		indent(s, depth);
		i = 0;
		for (const struct tnode *c = r->child; c; c = c->next, i++) {
			cell_text(c, cell, sizeof(cell));
			outf(s, "%-*s%s", i + 1 < ncol ? (int)w[i] : 0, cell,
			     i + 1 < ncol ? "  " : "");
		}
		out(s, "\n");
	}
	free(w);
}

static void render(struct sink *s, const struct tnode *n, int depth, bool typed);

/* short arrays of scalars read best on one line: [0, 1, 2] */
static bool inline_array(const struct tnode *n)
{
	if (!n->array || n->nr_children > 16)
		return false;
	for (const struct tnode *c = n->child; c; c = c->next)
		if (c->container || c->kind == SK_PTR || c->note || c->unallocated)
			return false;
	return true;
}

static void render_c(struct sink *s, const struct tnode *n, int depth)
{
	out(s, n->array ? "[" : "{");
	if (!n->child) {
		out(s, n->array ? "]" : "}");
		return;
	}
	if (inline_array(n)) {
		for (const struct tnode *c = n->child; c; c = c->next) {
			text_scalar(s, c, true);
			if (c->next)
				out(s, ", ");
		}
		if (n->truncated) {
			out(s, ", ");
			more_text(s, n);
		}
		out(s, "]");
		return;
	}
	out(s, "\n");
	for (const struct tnode *c = n->child; c; c = c->next) {
		indent(s, depth + 1);
		role(s, SR_KEY);
		if (c->key && !n->array)
			outf(s, ".%s", c->key);
		else if (c->key)
			outf(s, "[%s]", c->key);
		role(s, SR_NONE);
		if (c->key)
			out(s, " = ");
		if (c->container)
			render_c(s, c, depth + 1);
		else
			text_scalar(s, c, true);
		out(s, ",\n");
	}
	if (n->truncated) {
		indent(s, depth + 1);
		more_text(s, n);
		out(s, "\n");
	}
	indent(s, depth);
	out(s, n->array ? "]" : "}");
}

static void render(struct sink *s, const struct tnode *n, int depth, bool typed)
{
	if (typed || n->type) {
		indent(s, depth);
		if (n->key) {
			role(s, SR_KEY);
			outf(s, "%s", n->key);
			role(s, SR_NONE);
			out(s, " = ");
		}
		if (n->type && n->container) {
			role(s, SR_TYPE);
			outf(s, "(%s)", n->type);
			role(s, SR_NONE);
			out(s, " ");
		}
		if (n->container)
			render_c(s, n, depth);
		else
			text_scalar(s, n, true);
		out(s, "\n");
		return;
	}
	if (!n->container) {
		indent(s, depth);
		/* a multi-line string value starts on its own line */
		if (n->key)
			outf(s, n->lines && n->text && *n->text == '\n' ? "%s:" : "%s: ", n->key);
		text_scalar(s, n, false);
		out(s, "\n");
		return;
	}
	if (n->key) {
		indent(s, depth);
		outf(s, "%s:\n", n->key);
		depth++;
	}
	if (is_table(n)) {
		render_table(s, n, depth);
		if (n->truncated) {
			indent(s, depth);
			more_text(s, n);
			out(s, "\n");
		}
		return;
	}
	if (n->array && n->child && !n->child->container) {
		indent(s, depth);
		for (const struct tnode *c = n->child; c; c = c->next) {
			text_scalar(s, c, false);
			out(s, c->next ? ", " : "");
		}
		if (n->truncated) {
			out(s, ", ");
			more_text(s, n);
		}
		out(s, "\n");
		return;
	}
	for (const struct tnode *c = n->child; c; c = c->next) {
		render(s, c, depth, false);
		if (!n->key && c->container && c->next && !n->parent)
			out(s, "\n");
	}
	if (n->array && n->truncated) {
		indent(s, depth);
		more_text(s, n);
		out(s, "\n");
	}
}

static void text_finish_top(struct text_sink *t)
{
	if (t->root && !t->cur) {
		render(&t->s, t->root, 0, false);
		tnode_free(t->root);
		t->root = NULL;
	}
}

static void text_begin(struct sink *s, const char *key, bool array, const struct sink_attrs *a)
{
	struct text_sink *t = (void *)s;
	struct tnode *n = tnode_new(t, key, a);

	if (!n)
		return;
	n->container = true;
	n->array = array;
	if (!t->cur)
		t->root = n;
	t->cur = n;
}

static void text_end(struct sink *s, bool array)
{
	struct text_sink *t = (void *)s;

	if (!t->cur)
		return;
	t->cur = t->cur->parent;
	text_finish_top(t);
}

static void text_value(struct sink *s, const char *key, enum sink_kind kind, const char *text,
		       const struct sink_attrs *a)
{
	struct text_sink *t = (void *)s;
	struct tnode *n = tnode_new(t, key, a);

	if (!n)
		return;
	n->kind = kind;
	n->text = dup_or_null(text);
	if (a && a->ftext) {
		/* print/x: the value in that format, written as a number is */
		free(n->text);
		n->text = dup_or_null(a->ftext);
		if (kind != SK_PTR)
			n->kind = SK_NUM;
	}
	if (!t->cur) {
		t->root = n;
		text_finish_top(t);
	}
}

static void text_free(struct sink *s)
{
	struct text_sink *t = (void *)s;

	while (t->cur && t->cur->parent)
		t->cur = t->cur->parent;
	tnode_free(t->root);
	free(t);
}

static const struct sink_ops text_ops = {
	.begin = text_begin,
	.end = text_end,
	.value = text_value,
	.free = text_free,
};

struct sink *sink__new_text(sink_write_fn w, void *ctx)
{
	struct text_sink *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->s.ops = &text_ops;
	t->s.write = w;
	t->s.write_ctx = ctx;
	return &t->s;
}

void sink__free(struct sink *s)
{
	if (s)
		s->ops->free(s);
}

/* ---------------------------------------------------------------- helpers */

void sink_u64(struct sink *s, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	sink_value(s, key, SK_NUM, buf, NULL);
}

void sink_i64(struct sink *s, const char *key, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	sink_value(s, key, SK_NUM, buf, NULL);
}

void sink_hex(struct sink *s, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	sink_value(s, key, SK_PTR, buf, NULL);
}

void sink_str(struct sink *s, const char *key, const char *v)
{
	sink_value(s, key, SK_STR, v ? v : "", NULL);
}

void sink_bool(struct sink *s, const char *key, bool v)
{
	sink_value(s, key, SK_BOOL, v ? "true" : "false", NULL);
}

void sink_change(struct sink *s, const char *path, const char *old, const char *new)
{
	sink_begin(s, NULL, false, NULL);
	sink_str(s, "path", path);
	if (old)
		sink_str(s, "old", old);
	else
		sink_value(s, "old", SK_NULL, "(none)", NULL);
	if (new)
		sink_str(s, "new", new);
	else
		sink_value(s, "new", SK_NULL, "(none)", NULL);
	sink_end(s, false);
}

// SPDX-License-Identifier: GPL-2.0
/* TUI sink: formatter events -> a tree of nodes for the struct view. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "tui_sink.h"

struct tui_sink {
	struct sink sink;
	struct tnode *root;
	struct tnode *cur; /* container being filled */
	bool oom;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static bool simple_expr(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)p[i]) && !strchr("_.->[]", p[i]))
			return false;
	return len > 0;
}

/* "(*a->b).c" -> "a->b->c", only where that cannot change the meaning:
 * the dereferenced part is a plain chain of names, members and indexes. */
static char *pretty_path(const char *path)
{
	char *s = path ? strdup(path) : NULL;
	bool again = s != NULL;

	while (again) {
		again = false;
		/* "(X)" -> "X" for a plain chain X, unless it could be a cast */
		for (char *p = strchr(s, '('); p; p = strchr(p + 1, '(')) {
			char *q = strchr(p, ')');

			if (!q || !simple_expr(p + 1, q - p - 1) || memchr(p + 1, '(', q - p - 1))
				continue;
			if (q[1] && q[1] != '.' && q[1] != '[' && q[1] != ')' &&
			    !(q[1] == '-' && q[2] == '>'))
				continue;
			memmove(q, q + 1, strlen(q + 1) + 1);
			memmove(p, p + 1, strlen(p + 1) + 1);
			again = true;
			break;
		}
		if (again)
			continue;
		for (char *p = strstr(s, "(*"); p; p = strstr(p + 1, "(*")) {
			int depth = 0;
			char *q;

			for (q = p; *q; q++) {
				depth += *q == '(';
				depth -= *q == ')';
				if (!depth)
					break;
			}
			if (!*q || q[1] != '.' || !simple_expr(p + 2, q - p - 2))
				continue;
			/* "(*X).m" -> "X->m": drop "(*", turn ")." into "->" */
			memmove(p, p + 2, q - p - 2);
			p[q - p - 2] = '-';
			p[q - p - 1] = '>';
			memmove(q, q + 2, strlen(q + 2) + 1);
			/* q now points past "X->": the rest follows */
			again = true;
			break;
		}
	}
	return s;
}

static struct tnode *node_add(struct tui_sink *ts, const char *key, const struct sink_attrs *a)
{
	struct tnode *p = ts->cur, *n;

	if (ts->oom || !p) {
		ts->oom = true;
		return NULL;
	}
	if (p->nkids == p->cap) {
		int cap = p->cap ? p->cap * 2 : 8;
		struct tnode **nk = realloc(p->kids, cap * sizeof(*nk));

		if (!nk) {
			ts->oom = true;
			return NULL;
		}
		p->kids = nk;
		p->cap = cap;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		ts->oom = true;
		return NULL;
	}
	n->parent = p;
	n->key = dup_or_null(key);
	n->index = p->array ? p->nkids : -1;
	if (a) {
		n->addr = a->addr;
		n->type = dup_or_null(a->type);
		n->target = dup_or_null(a->target);
		n->note = dup_or_null(a->note);
		n->path = pretty_path(a->path);
		n->unallocated = a->unallocated;
		n->outside = a->outside;
		n->followable = a->followable;
		n->truncated = a->truncated;
		n->total = a->total;
	}
	p->kids[p->nkids++] = n;
	return n;
}

static void ts_begin(struct sink *s, const char *key, bool array, const struct sink_attrs *a)
{
	struct tui_sink *ts = (void *)s;
	struct tnode *n = node_add(ts, key, a);

	if (!n) {
		/* keep begin/end balanced: descend into a dummy level */
		return;
	}
	n->container = true;
	n->array = array;
	ts->cur = n;
}

static void ts_end(struct sink *s, bool array)
{
	struct tui_sink *ts = (void *)s;

	if (ts->oom)
		return;
	if (ts->cur->parent)
		ts->cur = ts->cur->parent;
}

static void ts_value(struct sink *s, const char *key, enum sink_kind kind, const char *text,
		     const struct sink_attrs *a)
{
	struct tui_sink *ts = (void *)s;
	struct tnode *n = node_add(ts, key, a);

	if (!n)
		return;
	n->kind = kind;
	n->text = strdup(text ? text : "");
	if (!n->text)
		ts->oom = true;
	if (a && a->ftext && !(n->ftext = strdup(a->ftext)))
		ts->oom = true;
}

void tnode__free(struct tnode *n)
{
	if (!n)
		return;
	for (int i = 0; i < n->nkids; i++)
		tnode__free(n->kids[i]);
	free(n->kids);
	free(n->key);
	free(n->text);
	free(n->ftext);
	free(n->type);
	free(n->target);
	free(n->note);
	free(n->path);
	free(n);
}

static void ts_free(struct sink *s)
{
	struct tui_sink *ts = (void *)s;

	tnode__free(ts->root);
	free(ts);
}

static const struct sink_ops tui_sink_ops = {
	.begin = ts_begin,
	.end = ts_end,
	.value = ts_value,
	.free = ts_free,
};

struct sink *tui_sink__new(void)
{
	struct tui_sink *ts = calloc(1, sizeof(*ts));

	if (!ts)
		return NULL;
	ts->root = calloc(1, sizeof(*ts->root));
	if (!ts->root) {
		free(ts);
		return NULL;
	}
	ts->root->container = true;
	ts->root->index = -1;
	ts->root->expanded = true;
	ts->cur = ts->root;
	ts->sink.ops = &tui_sink_ops;
	return &ts->sink;
}

struct tnode *tui_sink__take(struct sink *s)
{
	struct tui_sink *ts = (void *)s;
	struct tnode *r;

	if (ts->oom) {
		ai_err(ENOMEM, "out of memory building the tree");
		return NULL;
	}
	r = ts->root;
	ts->root = calloc(1, sizeof(*ts->root));
	if (ts->root) {
		ts->root->container = true;
		ts->root->expanded = true;
	}
	ts->cur = ts->root;
	return r;
}

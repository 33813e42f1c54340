// SPDX-License-Identifier: GPL-2.0
/* leaves: fmt__leaves on the synthetic arena (synth.h): every kind of leaf
 * with its one text, the one-line rendering, cuts, followed pointers; and
 * watch and diff, which both flatten values through it, write the same
 * leaf the same way (they used to differ for a pointer into a missing
 * page: "<unallocated>" in watch, "0x... (unallocated)" in diff). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "btfx.h"
#include "diff.h"
#include "error.h"
#include "expr.h"
#include "format.h"
#include "memsource.h"
#include "sink.h"
#include "watch.h"
#include "synth.h"

struct got {
	char path[64][96], text[64][96], value[64][64];
	enum fmt_leaf_kind kind[64];
	uint64_t addr[64], size[64];
	bool followed[64];
	int n;
};

static int on_leaf(void *ctx, const struct fmt_leaf *f)
{
	struct got *g = ctx;

	assert_true(g->n < 64);
	snprintf(g->path[g->n], sizeof(g->path[0]), "%s", f->path ? f->path : "(null)");
	snprintf(g->text[g->n], sizeof(g->text[0]), "%s", f->text);
	snprintf(g->value[g->n], sizeof(g->value[0]), "%s", f->value);
	g->kind[g->n] = f->kind;
	g->addr[g->n] = f->addr;
	g->size[g->n] = f->size;
	g->followed[g->n] = f->followed;
	g->n++;
	return 0;
}

static int find(const struct got *g, const char *path)
{
	for (int i = 0; i < g->n; i++)
		if (!strcmp(g->path[i], path))
			return i;
	fail_msg("no leaf %s", path);
	return -1;
}

static void leaves_of(struct fix *f, const char *expr, const struct fmt_opts *o, struct got *g,
		      struct fmt_leaves_info *info)
{
	struct fmt_opts fo = o ? *o : (struct fmt_opts){ 0 };
	struct value v;
	int col;

	memset(g, 0, sizeof(*g));
	assert_int_equal(expr__eval_str(expr, f->bx, f->src, &v, &col), 0);
	fo.path = expr;
	assert_int_equal(fmt__leaves(f->bx, f->src, &v, &fo, on_leaf, g, info), 0);
}

/* the node at 0x1000 with its next pointing into page 2 (not allocated),
 * then outside the arena, then at a list poison value */
static void kinds_and_texts(void **st)
{
	struct fix *f = *st;
	struct strbuf line = {};
	struct fmt_leaves_info info = { .line = &line };
	struct got *g = calloc(1, sizeof(*g));
	int i;

	build_mem();
	put64(0x1008, S + 0x2000);
	leaves_of(f, "gptr", NULL, g, NULL);
	/* gptr is a pointer not followed: one leaf */
	assert_int_equal(g->n, 1);
	leaves_of(f, "*gptr", NULL, g, &info);
	assert_int_equal(g->n, 4);
	assert_int_equal(info.leaves, 4);
	assert_false(info.cut);
	i = find(g, "gptr->id");
	assert_string_equal(g->text[i], "1");
	assert_int_equal(g->kind[i], FMT_LEAF_VALUE);
	assert_int_equal(g->addr[i], S + 0x1000);
	assert_int_equal(g->size[i], 4);
	i = find(g, "gptr->next");
	assert_int_equal(g->kind[i], FMT_LEAF_UNALLOCATED);
	assert_string_equal(g->text[i], "0x100000002000 <unallocated>");
	assert_string_equal(g->value[i], "0x100000002000");
	i = find(g, "gptr->name");
	assert_string_equal(g->text[i], "\"one\"");
	assert_string_equal(g->value[i], "one");
	assert_string_equal(line.buf, "{.id = 1, .next = 0x100000002000 <unallocated>, "
				      ".name = \"one\", .val = 100}");
	strbuf_free(&line);

	/* a value in the missing page itself */
	leaves_of(f, "*(struct node *)0x100000002000", NULL, g, NULL);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->kind[0], FMT_LEAF_UNALLOCATED);
	assert_string_equal(g->text[0], "<unallocated>");
	assert_string_equal(g->value[0], "");
	assert_int_equal(g->addr[0], S + 0x2000);

	put64(0x1008, 0x10);
	leaves_of(f, "gptr->next", NULL, g, NULL);
	assert_int_equal(g->kind[0], FMT_LEAF_OUTSIDE);
	assert_string_equal(g->text[0], "0x10 <outside arena> <bad pointer>");
	put64(0x1008, 0xdead000000000100ULL);
	leaves_of(f, "gptr->next", NULL, g, NULL);
	assert_int_equal(g->kind[0], FMT_LEAF_POISON);
	assert_string_equal(g->text[0], "0xdead000000000100 <outside arena> <poison>");
	build_mem();
	free(g);
}

static void cuts_and_followed(void **st)
{
	struct fix *f = *st;
	struct fmt_leaves_info info = { 0 };
	struct got *g = calloc(1, sizeof(*g));
	int i;

	build_mem();
	/* the list followed from gptr: each pointer is a leaf, then its pointee's */
	leaves_of(f, "gptr", &(struct fmt_opts){ .follow_ptrs = 2 }, g, &info);
	assert_false(info.cut);
	i = find(g, "gptr");
	assert_true(g->followed[i]);
	assert_string_equal(g->text[i], "0x100000001000");
	assert_true(find(g, "gptr->id") > i);
	i = find(g, "gptr->next");
	assert_true(g->followed[i]);
	assert_string_equal(g->text[find(g, "gptr->next->name")], "\"two\"");
	assert_string_equal(g->text[find(g, "gptr->next->next")], "NULL");
	/* an array cut at max_array, and the node limit */
	leaves_of(f, "glob.grid", &(struct fmt_opts){ .max_array = 1 }, g, &info);
	assert_true(info.cut);
	leaves_of(f, "glob", &(struct fmt_opts){ .max_nodes = 3 }, g, &info);
	assert_true(info.cut);
	assert_string_equal(g->text[g->n - 1], "... <limit>");
	assert_int_equal(g->kind[g->n - 1], FMT_LEAF_CUT);
	assert_string_equal(g->path[g->n - 1], "(null)");
	/* depth */
	leaves_of(f, "glob", &(struct fmt_opts){ .max_depth = 1 }, g, &info);
	assert_true(info.cut);
	i = find(g, "glob.grid[0]");
	assert_int_equal(g->kind[i], FMT_LEAF_CUT);
	assert_string_equal(g->text[i], "[...] <depth>");
	free(g);
}

/* watch and diff: the same leaf, the same text */
static int on_field(void *ctx, const struct diff_field *fl)
{
	char *out = ctx;

	if (strstr(fl->path, "next") && fl->new)
		snprintf(out, 96, "%s", fl->new);
	return 0;
}

static void watch_and_diff_agree(void **st)
{
	static uint8_t before[NPAGES * 4096];
	struct fix *f = *st;
	struct arena_info ai = f->src->info;
	struct watchset *ws;
	struct watch *w;
	struct source *old;
	struct diff *d;
	char from_diff[96] = "";
	const char *from_watch = NULL;

	build_mem();
	memcpy(before, mem, sizeof(before));
	assert_int_equal(memsource__new(&ai, before, state, &old), 0);
	assert_int_equal(watchset__new(f->src, f->bx, &ws), 0);
	assert_int_equal(watchset__add(ws, "*gptr", &w), 0);
	assert_int_equal(watchset__sample(ws, NULL, NULL), 0);
	put64(0x1008, S + 0x2000); /* next -> a page that is not allocated */
	assert_int_equal(watchset__sample(ws, NULL, NULL), 0);
	assert_int_equal(w->state, WATCH_OK);
	for (int i = 0; i < w->nr_changed_members; i++)
		if (!strcmp(w->changed_members[i].path, "gptr->next"))
			from_watch = w->changed_members[i].new;
	assert_non_null(from_watch);

	assert_int_equal(diff__new(old, f->src, &(struct diff_opts){ .bx_b = f->bx }, &d), 0);
	assert_int_equal(diff__value(d, "*gptr", NULL, on_field, from_diff, NULL), 0);
	print_message("watch: %s, diff: %s\n", from_watch, from_diff);
	assert_string_equal(from_watch, "0x100000002000 <unallocated>");
	assert_string_equal(from_diff, from_watch);
	diff__free(d);
	watchset__free(ws);
	source__close(old);
	build_mem();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds_and_texts),
		cmocka_unit_test(cuts_and_followed),
		cmocka_unit_test(watch_and_diff_agree),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

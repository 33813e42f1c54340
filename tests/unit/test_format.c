// SPDX-License-Identifier: GPL-2.0
/* format: the typed walk on BTF and memory built here. Checked through a
 * recording sink (events and attrs) and the JSON and text sinks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "btfx.h"
#include "error.h"
#include "expr.h"
#include "format.h"
#include "memsource.h"
#include "synth.h"

/* a recording sink ---------------------------------------------------- */

struct ev {
	char what; /* 'B' begin, 'E' end, 'V' value */
	bool array;
	char *key, *text, *type, *target, *note, *path;
	enum sink_kind kind;
	uint64_t addr;
	bool unallocated, outside, followable, truncated;
	uint64_t total;
};

struct rec {
	struct sink s;
	struct ev ev[4096];
	int n;
};

static char *dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void rec_add(struct rec *r, char what, const char *key, bool array, enum sink_kind k,
		    const char *text, const struct sink_attrs *a)
{
	struct ev *e;

	assert_true(r->n < 4096);
	e = &r->ev[r->n++];
	memset(e, 0, sizeof(*e));
	e->what = what;
	e->array = array;
	e->key = dup0(key);
	e->text = dup0(text);
	e->kind = k;
	if (a) {
		e->type = dup0(a->type);
		e->target = dup0(a->target);
		e->note = dup0(a->note);
		e->path = dup0(a->path);
		e->addr = a->addr;
		e->unallocated = a->unallocated;
		e->outside = a->outside;
		e->followable = a->followable;
		e->truncated = a->truncated;
		e->total = a->total;
	}
}

static void rec_begin(struct sink *s, const char *key, bool array, const struct sink_attrs *a)
{
	rec_add((struct rec *)s, 'B', key, array, 0, NULL, a);
}

static void rec_end(struct sink *s, bool array)
{
	rec_add((struct rec *)s, 'E', NULL, array, 0, NULL, NULL);
}

static void rec_value(struct sink *s, const char *key, enum sink_kind k, const char *text,
		      const struct sink_attrs *a)
{
	rec_add((struct rec *)s, 'V', key, false, k, text, a);
}

static void rec_clear(struct rec *r)
{
	for (int i = 0; i < r->n; i++) {
		struct ev *e = &r->ev[i];

		free(e->key);
		free(e->text);
		free(e->type);
		free(e->target);
		free(e->note);
		free(e->path);
	}
	r->n = 0;
}

static const struct sink_ops rec_ops = { .begin = rec_begin, .end = rec_end, .value = rec_value };

static struct rec *rec_new(void)
{
	struct rec *r = calloc(1, sizeof(*r));

	r->s.ops = &rec_ops;
	return r;
}

static void rec_free(struct rec *r)
{
	rec_clear(r);
	free(r);
}

static const struct ev *by_path(const struct rec *r, const char *path)
{
	for (int i = 0; i < r->n; i++)
		if (r->ev[i].path && !strcmp(r->ev[i].path, path))
			return &r->ev[i];
	fail_msg("no event with path '%s'", path);
	return NULL;
}

static bool balanced(const struct rec *r)
{
	int d = 0;

	for (int i = 0; i < r->n; i++) {
		d += r->ev[i].what == 'B';
		d -= r->ev[i].what == 'E';
		if (d < 0)
			return false;
	}
	return d == 0;
}

/* helpers ------------------------------------------------------------- */

/* extra objects: pointers that lead nowhere good */
static void build_more(void)
{
	put32(0x3100, 20);
	put64(0x3108, S + 0x2000); /* unallocated page */
	put32(0x3140, 21);
	put64(0x3148, 0x100); /* list poison */
	put32(0x3180, 22);
	put64(0x3188, 0x7fff00001000ULL); /* outside */
	put32(0x31c0, 23);
	put64(0x31c8, 0xdead000000000122ULL); /* kernel poison */
	put(0x31d0, "a\"b\\\n\x01", 6);	      /* escapes */
	/* a node that spans page 3 and the missing page 4 */
	put32(0x3ff0, 30);
	put64(0x3ff8, S + 0x1000);
}

static int fsetup(void **st)
{
	int err = setup(st);

	build_more();
	return err;
}

static void fmt(struct fix *f, const char *text, const struct fmt_opts *o, struct sink *s)
{
	struct fmt_opts oo = o ? *o : (struct fmt_opts){ 0 };
	struct value v;
	int col;

	if (expr__eval_str(text, f->bx, f->src, &v, &col))
		fail_msg("'%s': %s", text, ai_errmsg());
	oo.path = text;
	if (fmt__value(f->bx, f->src, &v, NULL, s, &oo))
		fail_msg("fmt '%s': %s", text, ai_errmsg());
}

static char *json(struct fix *f, const char *text, const struct fmt_opts *o)
{
	struct strbuf sb = { 0 };
	struct sink *s = sink__new_json(strbuf_write, &sb, false);

	fmt(f, text, o, s);
	sink__free(s);
	return sb.buf ? sb.buf : strdup("");
}

static void json_has(struct fix *f, const char *text, const struct fmt_opts *o, const char *want)
{
	char *j = json(f, text, o);

	if (!strstr(j, want))
		fail_msg("'%s' JSON lacks %s:\n%s", text, want, j);
	free(j);
}

/* tests ---------------------------------------------------------------- */

static void test_type_names(void **st)
{
	struct btf *b = build_btf();
	char buf[128];
	int pa, cc, ccp, cpc, fp, fpp, ppp;

	pa = btf__add_ptr(b, T.row3);
	cc = btf__add_const(b, T.chr);
	ccp = btf__add_ptr(b, cc);
	cpc = btf__add_const(b, ccp);
	fp = btf__add_func_proto(b, T.i32);
	btf__add_func_param(b, "x", T.i32);
	fpp = btf__add_ptr(b, fp);
	ppp = btf__add_ptr(b, T.nodep);
	const struct {
		int *id;
		const char *name;
	} cases[] = {
		{ &T.nodep, "struct node *" },
		{ &T.grid, "int[2][3]" },
		{ &T.name8, "char[8]" },
		{ &T.u64t, "u64" },
		{ &T.st, "enum state" },
		{ &T.un, "union (anonymous)" },
		{ &pa, "int (*)[3]" },
		{ &ccp, "const char *" },
		{ &cpc, "const char *const" },
		{ &fpp, "int (*)(...)" },
		{ &ppp, "struct node **" },
		{ &T.var_glob, "struct outer" },
		{ &T.sec, "section .addr_space.1" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(fmt__type_name(b, *cases[i].id, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].name);
	}
	assert_int_equal(fmt__type_name(b, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "void");
	assert_int_equal(fmt__type_name(b, 9999, buf, sizeof(buf)), -EINVAL);
	/* cut, never overflowed, and the cut shows */
	assert_int_equal(fmt__type_name(b, T.nodep, buf, 5), 0);
	assert_string_equal(buf, "s...");
	btf__free(b);
	(void)st;
}

static void test_struct_json(void **st)
{
	struct fix *f = *st;
	char *j = json(f, "glob", NULL);
	static const char *const want[] = {
		"\"x\":42",
		"\"u1\":196610,\"s1\":2,\"s2\":3", /* anonymous members flattened */
		"\"grid\":[[0,1,2],[3,4,5]]",
		"\"head\":{\"ptr\":\"0x100000001000\",\"target\":\"struct node\"}",
		"\"st\":\"RUNNING\"",
		"\"f\":{\"a\":5,\"b\":17,\"c\":-3}",
		"\"name\":\"glob\"",
		"\"d\":2.5",
		"\"ok\":true",
		"\"ch\":\"Z\"",
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(j, want[i]))
			fail_msg("JSON lacks %s:\n%s", want[i], j);
	free(j);
}

static void test_text_sink(void **st)
{
	struct fix *f = *st;
	struct strbuf sb = { 0 };
	struct sink *s = sink__new_text(strbuf_write, &sb);

	fmt(f, "glob", NULL, s);
	sink__free(s);
	assert_non_null(sb.buf);
	assert_non_null(strstr(sb.buf, ".x = 42"));
	assert_non_null(strstr(sb.buf, ".st = RUNNING"));
	assert_non_null(strstr(sb.buf, ".name = \"glob\""));
	assert_non_null(strstr(sb.buf, "-> struct node"));
	strbuf_free(&sb);
}

static void test_attrs_and_paths(void **st)
{
	struct fix *f = *st;
	struct rec *r = rec_new();
	const struct ev *e;

	fmt(f, "glob", NULL, &r->s);
	assert_true(balanced(r));
	e = &r->ev[0];
	assert_int_equal(e->what, 'B');
	assert_string_equal(e->type, "struct outer");
	assert_string_equal(e->path, "glob");
	assert_int_equal(e->addr, S);
	e = by_path(r, "glob.grid[1][2]");
	assert_string_equal(e->text, "5");
	assert_string_equal(e->type, "int");
	assert_int_equal(e->addr, S + 8 + 5 * 4);
	e = by_path(r, "glob.grid[1]");
	assert_int_equal(e->what, 'B');
	assert_true(e->array);
	assert_string_equal(e->type, "int[3]");
	e = by_path(r, "glob.s2");
	assert_int_equal(e->addr, S + 6);
	assert_string_equal(e->key, "s2");
	e = by_path(r, "glob.f.c");
	assert_string_equal(e->text, "-3");
	e = by_path(r, "glob.head");
	assert_int_equal(e->kind, SK_PTR);
	assert_true(e->followable);
	assert_string_equal(e->target, "struct node");
	assert_string_equal(e->type, "struct node *");
	assert_int_equal(e->addr, S + 32);
	e = by_path(r, "glob.st");
	assert_int_equal(e->kind, SK_ENUM);
	assert_string_equal(e->type, "enum state");
	e = by_path(r, "glob.ch");
	assert_int_equal(e->kind, SK_CHAR);
	e = by_path(r, "glob.ok");
	assert_int_equal(e->kind, SK_BOOL);
	rec_clear(r);

	/* a pointer root: the value is the pointer; paths through '->' */
	fmt(f, "gptr", &(struct fmt_opts){ .follow_ptrs = 1 }, &r->s);
	assert_true(balanced(r));
	e = &r->ev[0];
	assert_int_equal(e->what, 'B');
	assert_string_equal(e->path, "*gptr");
	assert_int_equal(e->addr, S + 0x1000);
	assert_string_equal(by_path(r, "gptr->id")->text, "1");
	assert_string_equal(by_path(r, "gptr->name")->text, "one");
	e = by_path(r, "gptr->next");
	assert_int_equal(e->kind, SK_PTR);
	assert_true(e->followable);
	rec_clear(r);

	/* expressions that need parentheses */
	fmt(f, "*(struct node *)0x100000001040", NULL, &r->s);
	assert_string_equal(by_path(r, "(*(struct node *)0x100000001040).val")->text, "200");
	rec_clear(r);
	fmt(f, "glob.grid[1][0:2]", NULL, &r->s);
	assert_int_equal(r->ev[0].what, 'B');
	assert_string_equal(r->ev[0].type, "int[2]");
	assert_string_equal(by_path(r, "glob.grid[1][0:2][1]")->text, "4");
	rec_clear(r);
	/* a follow of a follow: a->b->c */
	fmt(f, "gptr", &(struct fmt_opts){ .follow_ptrs = 2 }, &r->s);
	assert_string_equal(by_path(r, "gptr->next->id")->text, "2");
	assert_int_equal(by_path(r, "gptr->next->next")->kind, SK_NULL);
	rec_free(r);
}

static void test_pointer_flags(void **st)
{
	struct fix *f = *st;
	struct rec *r = rec_new();
	const struct ev *e;

	fmt(f, "((struct node *)0x100000003100)->next", NULL, &r->s);
	e = &r->ev[0];
	assert_int_equal(e->kind, SK_PTR);
	assert_true(e->unallocated);
	assert_false(e->followable);
	rec_clear(r);
	fmt(f, "((struct node *)0x100000003140)->next", NULL, &r->s);
	assert_true(r->ev[0].outside);
	assert_string_equal(r->ev[0].note, "poison");
	rec_clear(r);
	fmt(f, "((struct node *)0x1000000031c0)->next", NULL, &r->s);
	assert_string_equal(r->ev[0].note, "poison");
	rec_clear(r);
	fmt(f, "((struct node *)0x100000003180)->next", NULL, &r->s);
	assert_true(r->ev[0].outside);
	assert_null(r->ev[0].note);
	rec_clear(r);
	fmt(f, "gptr->next->next", NULL, &r->s);
	assert_int_equal(r->ev[0].kind, SK_NULL);
	rec_clear(r);
	/* never followed by default, even when followable */
	fmt(f, "gptr", NULL, &r->s);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->ev[0].kind, SK_PTR);
	rec_free(r);

	json_has(f, "((struct node *)0x100000003100)->next", NULL,
		 "{\"ptr\":\"0x100000002000\",\"unallocated\":true}");
	json_has(f, "((struct node *)0x100000003140)->next", NULL,
		 "{\"ptr\":\"0x100\",\"outside\":true,\"note\":\"poison\"}");
	json_has(f, "gptr->next->next", NULL, "null");
	/* unallocated follow target: flagged, not expanded */
	json_has(f, "(struct node *)0x100000003100", &(struct fmt_opts){ .follow_ptrs = 3 },
		 "\"next\":{\"ptr\":\"0x100000002000\",\"unallocated\":true}");
}

static void test_unallocated_values(void **st)
{
	struct fix *f = *st;
	struct rec *r = rec_new();
	const struct ev *e;

	/* a whole struct in a missing page: one value, no bytes */
	fmt(f, "*(struct node *)0x100000002000", NULL, &r->s);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->ev[0].what, 'V');
	assert_true(r->ev[0].unallocated);
	assert_int_equal(r->ev[0].addr, S + 0x2000);
	assert_string_equal(r->ev[0].type, "struct node");
	rec_clear(r);
	/* a struct across an allocated and a missing page */
	fmt(f, "*(struct node *)0x100000003ff0", NULL, &r->s);
	assert_true(balanced(r));
	assert_string_equal(by_path(r, "(*(struct node *)0x100000003ff0).id")->text, "30");
	e = by_path(r, "(*(struct node *)0x100000003ff0).next");
	assert_true(e->followable);
	e = by_path(r, "(*(struct node *)0x100000003ff0).name");
	assert_true(e->unallocated);
	e = by_path(r, "(*(struct node *)0x100000003ff0).val");
	assert_true(e->unallocated);
	assert_int_equal(e->addr, S + 0x4008);
	rec_free(r);
	json_has(f, "*(int *)0x100000002010", NULL,
		 "{\"unallocated\":true,\"addr\":\"0x100000002010\"}");
}

static void test_cycles(void **st)
{
	struct fix *f = *st;
	struct rec *r = rec_new();
	const struct ev *e;

	fmt(f, "cyc", &(struct fmt_opts){ .follow_ptrs = 100 }, &r->s);
	assert_true(balanced(r));
	assert_string_equal(by_path(r, "cyc->id")->text, "10");
	assert_string_equal(by_path(r, "cyc->next->id")->text, "11");
	e = by_path(r, "cyc->next->next");
	assert_int_equal(e->kind, SK_PTR);
	assert_string_equal(e->note, "cycle");
	assert_true(e->truncated);
	assert_true(r->n < 30);
	rec_clear(r);
	/* a self-pointer through a cast */
	fmt(f, "*(struct node *)0x100000003000", &(struct fmt_opts){ .follow_ptrs = 5 }, &r->s);
	assert_true(balanced(r));
	rec_free(r);
}

static void test_caps(void **st)
{
	struct fix *f = *st;
	struct rec *r = rec_new();
	const struct ev *e;
	int values = 0;

	fmt(f, "glob", &(struct fmt_opts){ .max_array = 2 }, &r->s);
	assert_true(balanced(r));
	e = by_path(r, "glob.grid[0]");
	assert_true(e->truncated);
	assert_int_equal(e->total, 3); /* the length, so the cut can say "1 more" */
	e = by_path(r, "glob.grid");
	assert_false(e->truncated); /* 2 of 2 rows: not cut */
	assert_int_equal(e->total, 0);
	assert_string_equal(by_path(r, "glob.grid[1][1]")->text, "4");
	for (int i = 0; i < r->n; i++)
		if (r->ev[i].path && !strcmp(r->ev[i].path, "glob.grid[1][2]"))
			fail_msg("element beyond max_array emitted");
	/* a char array cut by max_array ("glob" and its NUL are 5 of 8) */
	e = by_path(r, "glob.name");
	assert_string_equal(e->text, "gl");
	assert_true(e->truncated);
	assert_int_equal(e->total, 8);
	rec_clear(r);
	/* a char array whose NUL is among the bytes shown is whole */
	fmt(f, "glob", &(struct fmt_opts){ .max_array = 5 }, &r->s);
	e = by_path(r, "glob.name");
	assert_string_equal(e->text, "glob");
	assert_false(e->truncated);
	rec_clear(r);
	/* a slice longer than max_array: the cut and the slice length */
	fmt(f, "glob.grid[0][0:3]", &(struct fmt_opts){ .max_array = 2 }, &r->s);
	assert_int_equal(r->ev[0].what, 'B');
	assert_true(r->ev[0].truncated);
	assert_int_equal(r->ev[0].total, 3);
	rec_clear(r);
	/* the same cuts as the sinks show them */
	json_has(f, "glob.grid[0][0:3]", &(struct fmt_opts){ .max_array = 2 },
		 "{\"truncated\":true,\"total\":3,\"elements\":[0,1]}");
	json_has(f, "glob", &(struct fmt_opts){ .max_array = 2 },
		 "\"name\":{\"string\":\"gl\",\"truncated\":true,\"total\":8}");
	json_has(f, "glob", &(struct fmt_opts){ .max_depth = 1 },
		 "\"grid\":[{\"truncated\":true,\"note\":\"depth\"},");
	{
		struct strbuf sb = { 0 };
		struct sink *s = sink__new_text(strbuf_write, &sb);

		s->more_hint = "--max-elements N";
		fmt(f, "glob.grid[0][0:3]", &(struct fmt_opts){ .max_array = 2 }, s);
		sink__free(s);
		assert_non_null(strstr(sb.buf, "[0, 1, ... 1 more (--max-elements N)]"));
		strbuf_free(&sb);
	}

	fmt(f, "glob", &(struct fmt_opts){ .max_nodes = 5 }, &r->s);
	assert_true(balanced(r));
	for (int i = 0; i < r->n; i++)
		values += r->ev[i].what != 'E';
	assert_true(values <= 6);
	e = &r->ev[r->n - 2];
	assert_string_equal(e->note, "limit");
	assert_true(e->truncated);
	rec_clear(r);

	fmt(f, "glob", &(struct fmt_opts){ .max_depth = 1 }, &r->s);
	assert_true(balanced(r));
	e = by_path(r, "glob.grid[0]");
	assert_int_equal(e->what, 'V');
	assert_string_equal(e->note, "depth");
	assert_true(e->truncated);
	e = by_path(r, "glob.f");
	assert_int_equal(e->what, 'B');
	rec_clear(r);
	/* the cycle again with a tiny depth: depth bounds following too */
	fmt(f, "cyc", &(struct fmt_opts){ .follow_ptrs = 100, .max_depth = 2 }, &r->s);
	assert_true(balanced(r));
	rec_free(r);
}

static void test_enums_strings_scalars(void **st)
{
	struct fix *f = *st;

	put32(40, 7); /* st: no such enumerator */
	json_has(f, "glob.st", NULL, "7");
	put32(40, 1);
	json_has(f, "glob.st", NULL, "\"RUNNING\"");
	/* escapes are the sink's job; bytes reach it up to the NUL */
	json_has(f, "((struct node *)0x1000000031c0)->name", NULL, "\"a\\\"b\\\\\\n\\u0001\"");
	json_has(f, "glob.x + 1", NULL, "43");
	json_has(f, "glob.f.b", NULL, "17");
	json_has(f, "(u8)glob.x", NULL, "42");
	json_has(f, "&glob.x", NULL, "{\"ptr\":\"0x100000000000\",\"target\":\"int\"}");
	json_has(f, "*(u64 *)0x100000001018", NULL, "100");
	json_has(f, "*(char *)0x100000000030", NULL, "\"g\"");
	json_has(f, "glob.d", NULL, "2.5");
}

static char *text_of(struct fix *f, const char *expr, const struct fmt_opts *o)
{
	struct strbuf sb = { 0 };
	struct sink *s = sink__new_text(strbuf_write, &sb);

	fmt(f, expr, o, s);
	sink__free(s);
	return sb.buf ? sb.buf : strdup("");
}

static void text_has(struct fix *f, const char *expr, char format, const char *want)
{
	struct fmt_opts o = { .format = format };
	char *t = text_of(f, expr, &o);
	size_t n = strlen(t);

	/* "= V": the whole value is V (a top-level value has no key here) */
	while (n && t[n - 1] == '\n')
		t[--n] = '\0';
	if (!strncmp(want, "= ", 2) ? strcmp(t, want + 2) != 0 : !strstr(t, want))
		fail_msg("print/%c '%s' lacks '%s':\n%s", format, expr, want, t);
	free(t);
}

/* GDB's print formats reach every scalar leaf of a struct: the text sink
 * writes them, JSON keeps the value and adds "text" */
static void test_print_formats(void **st)
{
	struct fix *f = *st;
	char buf[80];

	/* glob.x = 42 (int), glob.f.c = -3 (a 4-bit signed bitfield),
	 * glob.st = RUNNING (1), glob.ch = 'Z', glob.ok = true, glob.d = 2.5 */
	text_has(f, "glob", 'x', ".x = 0x2a");
	text_has(f, "glob", 'x', ".st = 0x1");
	text_has(f, "glob", 'x', ".ch = 0x5a");
	text_has(f, "glob", 'x', ".ok = 0x1");
	text_has(f, "glob", 'x', ".d = 0x4004000000000000");
	text_has(f, "glob", 'x', ".head = 0x100000001000 -> struct node");
	text_has(f, "glob", 'x', ".name = \"glob\""); /* strings stay strings */
	text_has(f, "glob.f.c", 'x', "= 0xd");	      /* 4 bits of -3 */
	text_has(f, "glob.f.c", 'u', "= 13");
	text_has(f, "glob.f.c", 'd', "= -3");
	text_has(f, "glob.x", 'z', "= 0x0000002a");
	text_has(f, "glob.x", 'o', "= 052");
	text_has(f, "glob.x", 't', "= 101010");
	text_has(f, "glob.x", 'c', "= 42 '*'");
	text_has(f, "glob.x", 'd', "= 42");
	text_has(f, "glob.head", 'a', "= 0x100000001000 <arena+0x1000> -> struct node");
	text_has(f, "(u32)-1", 'd', "= -1");	     /* a computed unsigned int */
	text_has(f, "(u32)-1", 'x', "= 0xffffffff"); /* its width, not 64 bits */
	text_has(f, "glob.x", 's', "= 42");	     /* natural */
	/* JSON: numbers stay numbers, "text" has the format */
	json_has(f, "glob", &(struct fmt_opts){ .format = 'x' },
		 "\"x\":{\"value\":42,\"text\":\"0x2a\"}");
	json_has(f, "glob", &(struct fmt_opts){ .format = 'x' },
		 "\"st\":{\"value\":\"RUNNING\",\"text\":\"0x1\"}");
	json_has(f, "glob", &(struct fmt_opts){ .format = 'x' },
		 "\"head\":{\"ptr\":\"0x100000001000\",\"target\":\"struct node\",\"text\":"
		 "\"0x100000001000\"}");
	/* and without a format, JSON is what it was */
	json_has(f, "glob", NULL, "\"x\":42,");
	/* the helper itself */
	assert_true(fmt__int_as('t', 0, 8, buf, sizeof(buf)));
	assert_string_equal(buf, "0");
	assert_true(fmt__int_as('o', 0, 8, buf, sizeof(buf)));
	assert_string_equal(buf, "0");
	assert_true(fmt__int_as('c', 200, 32, buf, sizeof(buf)));
	assert_string_equal(buf, "-56 '\\xc8'");
	assert_false(fmt__int_as('s', 1, 8, buf, sizeof(buf)));
	assert_false(fmt__format_ok('q'));
	assert_false(fmt__format_ok(0));
}

static void test_errors(void **st)
{
	struct fix *f = *st;
	struct rec *r = rec_new();
	struct value v = {
		.btf = btfx__btf(f->bx, 0), .type_id = T.node, .lvalue = true, .addr = 0x10
	};

	assert_int_equal(fmt__value(f->bx, f->src, &v, NULL, &r->s, NULL), -ERANGE);
	assert_int_equal(r->n, 0);
	v.type_id = 99999;
	assert_int_equal(fmt__value(f->bx, f->src, &v, NULL, &r->s, NULL), -EINVAL);
	/* no path: no attrs.path anywhere */
	v.type_id = T.outer;
	v.addr = S;
	assert_int_equal(fmt__value(f->bx, f->src, &v, "k", &r->s, NULL), 0);
	assert_string_equal(r->ev[0].key, "k");
	for (int i = 0; i < r->n; i++)
		assert_null(r->ev[i].path);
	rec_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names),
		cmocka_unit_test_setup_teardown(test_struct_json, fsetup, teardown),
		cmocka_unit_test_setup_teardown(test_text_sink, fsetup, teardown),
		cmocka_unit_test_setup_teardown(test_attrs_and_paths, fsetup, teardown),
		cmocka_unit_test_setup_teardown(test_pointer_flags, fsetup, teardown),
		cmocka_unit_test_setup_teardown(test_unallocated_values, fsetup, teardown),
		cmocka_unit_test_setup_teardown(test_cycles, fsetup, teardown),
		cmocka_unit_test_setup_teardown(test_caps, fsetup, teardown),
		cmocka_unit_test_setup_teardown(test_enums_strings_scalars, fsetup, teardown),
		cmocka_unit_test_setup_teardown(test_print_formats, fsetup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, fsetup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

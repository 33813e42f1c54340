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

#define S 0x100000000000ULL /* user_vm_start */
#define NPAGES 16

/* the arena's data and BTF ------------------------------------------ */

struct ids {
	int i32, u32, s16, u64, u64t, chr, dbl, boo, node, nodep, name8, st, flags, anon, un,
		row3, grid, outer, var_glob, sec;
};

static uint8_t mem[NPAGES * 4096];
static uint8_t state[NPAGES];
static struct ids T;

static void put(uint64_t off, const void *p, size_t n)
{
	memcpy(mem + off, p, n);
}

static void put64(uint64_t off, uint64_t v)
{
	put(off, &v, 8);
}

static void put32(uint64_t off, uint32_t v)
{
	put(off, &v, 4);
}

static struct btf *build_btf(void)
{
	struct btf *b = btf__new_empty();

	assert_non_null(b);
	T.i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	T.u32 = btf__add_int(b, "unsigned int", 4, 0);
	T.s16 = btf__add_int(b, "short", 2, BTF_INT_SIGNED);
	T.u64 = btf__add_int(b, "long long unsigned int", 8, 0);
	T.u64t = btf__add_typedef(b, "u64", T.u64);
	T.chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	T.dbl = btf__add_float(b, "double", 8);
	T.boo = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	T.name8 = btf__add_array(b, T.i32, T.chr, 8);
	/* struct node { int id; struct node *next; char name[8]; u64 val; } */
	T.node = btf__add_struct(b, "node", 32);
	btf__add_field(b, "id", T.i32, 0, 0);
	btf__add_field(b, "next", T.node + 1, 64, 0);
	btf__add_field(b, "name", T.name8, 128, 0);
	btf__add_field(b, "val", T.u64t, 192, 0);
	T.nodep = btf__add_ptr(b, T.node);
	assert_int_equal(T.nodep, T.node + 1);
	T.st = btf__add_enum(b, "state", 4);
	btf__add_enum_value(b, "IDLE", 0);
	btf__add_enum_value(b, "RUNNING", 1);
	btf__add_enum_value(b, "DEAD", 2);
	/* struct flags { unsigned a:3, b:5; int c:4; } */
	T.flags = btf__add_struct(b, "flags", 4);
	btf__add_field(b, "a", T.u32, 0, 3);
	btf__add_field(b, "b", T.u32, 3, 5);
	btf__add_field(b, "c", T.i32, 8, 4);
	/* union { int u1; struct { short s1, s2; }; } */
	T.anon = btf__add_struct(b, NULL, 4);
	btf__add_field(b, "s1", T.s16, 0, 0);
	btf__add_field(b, "s2", T.s16, 16, 0);
	T.un = btf__add_union(b, NULL, 4);
	btf__add_field(b, "u1", T.i32, 0, 0);
	btf__add_field(b, NULL, T.anon, 0, 0);
	T.row3 = btf__add_array(b, T.i32, T.i32, 3);
	T.grid = btf__add_array(b, T.i32, T.row3, 2);
	/* struct outer: 72 bytes */
	T.outer = btf__add_struct(b, "outer", 72);
	btf__add_field(b, "x", T.i32, 0, 0);
	btf__add_field(b, NULL, T.un, 32, 0);
	btf__add_field(b, "grid", T.grid, 64, 0);
	btf__add_field(b, "head", T.nodep, 256, 0);
	btf__add_field(b, "st", T.st, 320, 0);
	btf__add_field(b, "f", T.flags, 352, 0);
	btf__add_field(b, "name", T.name8, 384, 0);
	btf__add_field(b, "d", T.dbl, 448, 0);
	btf__add_field(b, "ok", T.boo, 512, 0);
	btf__add_field(b, "ch", T.chr, 520, 0);
	T.var_glob = btf__add_var(b, "glob", BTF_VAR_GLOBAL_ALLOCATED, T.outer);
	T.sec = btf__add_datasec(b, ".addr_space.1", 72);
	assert_int_equal(btf__add_datasec_var_info(b, T.var_glob, 0, 72), 0);
	return b;
}

/* page 0: glob; page 1: a two-node list; page 2: not allocated;
 * page 3: a two-node cycle */
static void build_mem(void)
{
	uint32_t flags;

	memset(mem, 0, sizeof(mem));
	memset(state, PAGE_FREE, sizeof(state));
	state[0] = state[1] = state[3] = PAGE_ALLOCATED;
	put32(0, 42);				/* x */
	put32(4, 0x00030002);			/* u1; s1 = 2, s2 = 3 */
	for (int i = 0; i < 6; i++)
		put32(8 + 4 * i, i);		/* grid */
	put64(32, S + 0x1000);			/* head */
	put32(40, 1);				/* st = RUNNING */
	flags = 5 | (17 << 3) | (0xd << 8);	/* a=5 b=17 c=-3 */
	put32(44, flags);
	put(48, "glob", 5);
	{
		double d = 2.5;

		put(56, &d, 8);
	}
	mem[64] = 1;
	mem[65] = 'Z';
	/* list */
	put32(0x1000, 1);
	put64(0x1008, S + 0x1040);
	put(0x1010, "one", 4);
	put64(0x1018, 100);
	put32(0x1040, 2);
	put64(0x1048, 0);
	put(0x1050, "two", 4);
	put64(0x1058, 200);
	/* cycle */
	put32(0x3000, 10);
	put64(0x3008, S + 0x3040);
	put32(0x3040, 11);
	put64(0x3048, S + 0x3000);
}

struct fix {
	struct source *src;
	struct btfx *bx;
};

static int setup(void **st)
{
	struct arena_info ai = { .map_id = 0, .max_pages = NPAGES, .user_vm_start = S,
				 .user_vm_end = S + NPAGES * 4096ULL, .is_snapshot = true };
	struct fix *f = calloc(1, sizeof(*f));
	struct root r = { .kind = ROOT_MAP_PTR, .btf_idx = 0, .value = S + 0x1000 };

	build_mem();
	assert_int_equal(memsource__new(&ai, mem, state, &f->src), 0);
	assert_int_equal(btfx__new_from_btf(f->src, build_btf(), &f->bx), 0);
	snprintf(r.name, sizeof(r.name), "gptr");
	r.type_id = T.nodep;
	snprintf(r.section, sizeof(r.section), ".bss");
	assert_int_equal(btfx__add_root(f->bx, &r), 0);
	r.value = S + 0x3000;
	snprintf(r.name, sizeof(r.name), "cyc");
	assert_int_equal(btfx__add_root(f->bx, &r), 0);
	*st = f;
	return 0;
}

static int teardown(void **st)
{
	struct fix *f = *st;

	btfx__free(f->bx);
	source__close(f->src);
	free(f);
	return 0;
}

/* a recording sink ---------------------------------------------------- */

struct ev {
	char what; /* 'B' begin, 'E' end, 'V' value */
	bool array;
	char *key, *text, *type, *target, *note, *path;
	enum sink_kind kind;
	uint64_t addr;
	bool unallocated, outside, followable, truncated;
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
	put64(0x3108, S + 0x2000);		/* unallocated page */
	put32(0x3140, 21);
	put64(0x3148, 0x100);			/* list poison */
	put32(0x3180, 22);
	put64(0x3188, 0x7fff00001000ULL);	/* outside */
	put32(0x31c0, 23);
	put64(0x31c8, 0xdead000000000122ULL);	/* kernel poison */
	put(0x31d0, "a\"b\\\n\x01", 6);		/* escapes */
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
		{ &T.nodep, "struct node *" }, { &T.grid, "int[2][3]" }, { &T.name8, "char[8]" },
		{ &T.u64t, "u64" }, { &T.st, "enum state" }, { &T.un, "union (anonymous)" },
		{ &pa, "int (*)[3]" }, { &ccp, "const char *" }, { &cpc, "const char *const" },
		{ &fpp, "int (*)(...)" }, { &ppp, "struct node **" }, { &T.var_glob, "struct outer" },
		{ &T.sec, "section .addr_space.1" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(fmt__type_name(b, *cases[i].id, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].name);
	}
	assert_int_equal(fmt__type_name(b, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "void");
	assert_int_equal(fmt__type_name(b, 9999, buf, sizeof(buf)), -EINVAL);
	/* cut, never overflowed */
	assert_int_equal(fmt__type_name(b, T.nodep, buf, 5), 0);
	assert_string_equal(buf, "stru");
	btf__free(b);
	(void)st;
}

static void test_struct_json(void **st)
{
	struct fix *f = *st;
	char *j = json(f, "glob", NULL);
	static const char *const want[] = {
		"\"x\":42",
		"\"u1\":196610,\"s1\":2,\"s2\":3",	/* anonymous members flattened */
		"\"grid\":[[0,1,2],[3,4,5]]",
		"\"head\":{\"ptr\":\"0x100000001000\",\"target\":\"struct node\"}",
		"\"st\":\"RUNNING\"",
		"\"f\":{\"a\":5,\"b\":17,\"c\":-3}",
		"\"name\":\"glob\"",
		"\"d\":2.5",
		"\"ok\":true",
		"\"ch\":\"'Z'\"",
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
	json_has(f, "*(int *)0x100000002010", NULL, "{\"unallocated\":true,\"addr\":\"0x100000002010\"}");
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
	assert_string_equal(by_path(r, "glob.grid[1][1]")->text, "4");
	for (int i = 0; i < r->n; i++)
		if (r->ev[i].path && !strcmp(r->ev[i].path, "glob.grid[1][2]"))
			fail_msg("element beyond max_array emitted");
	/* a char array cut by max_array */
	assert_string_equal(by_path(r, "glob.name")->text, "gl");
	rec_clear(r);

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
	json_has(f, "*(char *)0x100000000030", NULL, "\"'g'\"");
	json_has(f, "glob.d", NULL, "2.5");
}

static void test_errors(void **st)
{
	struct fix *f = *st;
	struct rec *r = rec_new();
	struct value v = { .btf = btfx__btf(f->bx, 0), .type_id = T.node, .lvalue = true,
			   .addr = 0x10 };

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
		cmocka_unit_test_setup_teardown(test_errors, fsetup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

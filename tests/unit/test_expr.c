// SPDX-License-Identifier: GPL-2.0
/* expr: parsing (valid inputs, errors and their columns) and evaluation
 * against a memsource arena whose BTF is built here. */
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

/* parsing ------------------------------------------------------------ */

static void test_parse_valid(void **st)
{
	static const char *const ok[] = {
		"a",
		"a->b",
		"a.b[3]",
		"*p",
		"&x",
		"(struct node *)0x10",
		"*(struct node *)0x1000000000a0",
		"(u64 *)x",
		"arr[0:8]",
		"a + b * 2 == 7 && !c || d",
		"(a)",
		"(a) - 1",
		"(unsigned long)x",
		"(unsigned long long int)x",
		"x[1][2]",
		"-1",
		"~0",
		"0x7f",
		"010",
		"0b101",
		"a >= b",
		"a << 2 | 1 ^ 3 & 4",
		"head->next->name[0]",
		"*(u64 *)(0x100000000000 + 8)",
		"(const char *)p",
		"struct node",
		"(node *)p",
		"  spaced  ->  out  ",
		"a[b[c[0]]]",
		"(int)-1",
		"!(a == b)",
		"x % 3 != 0",
		"1UL",
		"(struct node **)p",
		"(u8)~x",
		"sizeof(struct node)",
		"sizeof *p",
		"sizeof(x) * 2",
		"sizeof(u64 *)",
		"(u64)p + sizeof(struct node)",
		"offsetof(struct elem, node)",
		"offsetof(struct box, items[2].node.next)",
		"container_of(p, struct elem, node)",
		"container_of(p->next, elem_t, node.next)->value",
		"offsetof (struct t, a[1 + 1])",
		"offsetof",
		"container_of + 1",
		"(u64)offsetof(struct elem, value) * 2",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct expr *e = NULL;
		int col = 99, err = expr__parse(ok[i], &e, &col);

		if (err)
			fail_msg("'%s' did not parse: %s", ok[i], ai_errmsg());
		assert_int_equal(col, -1);
		assert_string_equal(expr__text(e), ok[i]);
		expr__free(e);
	}
	(void)st;
}

static void test_parse_errors(void **st)
{
	static const struct {
		const char *text;
		int col;
		const char *msg;
	} bad[] = {
		{ "", 0, "empty expression" },
		{ "   ", 3, "empty expression" },
		{ "a->", 3, "expected a member name" },
		{ "a.5", 2, "expected a member name" },
		{ "(a", 2, "expected ')'" },
		{ "a[1", 3, "expected ']'" },
		{ "a[1:", 4, "expected a value" },
		{ "a b", 2, "expected an operator" },
		{ "1 +", 3, "expected a value" },
		{ "(struct)x", 7, "expected a type name" },
		{ "a)", 1, "unbalanced ')'" },
		{ "0x", 0, "bad number" },
		{ "12ab", 0, "bad number" },
		{ "a $ b", 2, "found '$'" },
		{ "*(struct node *0x10", 15, "expected ')'" },
		{ "99999999999999999999999", 0, "too large" },
		{ "a->b.", 5, "expected a member name" },
		{ "(int *", 6, "expected ')'" },
		{ "f(x)", 1, "expected an operator" },
		{ "&", 1, "expected a value" },
		{ "sizeof", 6, "expected a value" },
		{ "sizeof(struct)", 13, "expected a type name" },
		{ "sizeof(int", 10, "expected ')'" },
		{ "offsetof(struct elem)", 20, "expected ','" },
		{ "offsetof(struct elem, )", 22, "expected a member name" },
		{ "offsetof(struct elem, node.)", 27, "expected a member name" },
		{ "offsetof(struct elem, node->next)", 26, "expected ')'" },
		{ "offsetof(struct elem, a[1)", 25, "expected ']'" },
		{ "offsetof(struct elem, [1])", 22, "expected a member name" },
		{ "container_of(p, struct elem)", 27, "expected ','" },
		{ "container_of(p struct elem, node)", 15, "expected ','" },
		{ "container_of(p, 5, node)", 16, "expected a type name" },
		{ "container_of(p, struct elem, node", 33, "expected ')'" },
		{ "a, b", 1, "expected an operator" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct expr *e = NULL;
		int col = -5, err = expr__parse(bad[i].text, &e, &col);
		char want[32];

		if (!err)
			fail_msg("'%s' parsed", bad[i].text);
		assert_int_equal(err, -EINVAL);
		assert_null(e);
		if (col != bad[i].col)
			fail_msg("'%s': column %d, want %d (%s)", bad[i].text, col, bad[i].col,
				 ai_errmsg());
		if (!strstr(ai_errmsg(), bad[i].msg))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].text, ai_errmsg(),
				 bad[i].msg);
		snprintf(want, sizeof(want), "at column %d", bad[i].col);
		if (!strstr(ai_errmsg(), want))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].text, ai_errmsg(), want);
	}
	(void)st;
}

static void test_parse_limits(void **st)
{
	char *deep = malloc(20001), *wide = malloc(40001);
	struct expr *e;
	int col;

	memset(deep, '(', 20000);
	deep[20000] = '\0';
	assert_int_equal(expr__parse(deep, &e, &col), -EINVAL);
	assert_non_null(strstr(ai_errmsg(), "too deeply nested"));
	for (int i = 0; i < 20000; i++)
		memcpy(wide + 2 * i, "1+", 2);
	wide[39999] = '\0';
	assert_int_equal(expr__parse(wide, &e, &col), -EINVAL);
	assert_non_null(strstr(ai_errmsg(), "too complex"));
	memset(deep, '*', 20000);
	deep[19999] = 'p';
	assert_int_equal(expr__parse(deep, &e, &col), -EINVAL);
	free(deep);
	free(wide);
	(void)st;
}

/* evaluation --------------------------------------------------------- */

static int64_t ival(struct fix *f, const char *text)
{
	struct expr *e;
	int64_t v = -999;
	int col;

	if (expr__parse(text, &e, &col))
		fail_msg("'%s': %s", text, ai_errmsg());
	if (expr__eval_int(e, f->bx, f->src, &v))
		fail_msg("'%s': %s", text, ai_errmsg());
	expr__free(e);
	return v;
}

/* through expr__eval_int, so the final value is read too */
static void eval_fails(struct fix *f, const char *text, int err, const char *msg)
{
	struct expr *e;
	int64_t v;
	int col, r;

	if (expr__parse(text, &e, &col))
		fail_msg("'%s': %s", text, ai_errmsg());
	r = expr__eval_int(e, f->bx, f->src, &v);
	expr__free(e);

	if (r == 0)
		fail_msg("'%s' evaluated", text);
	if (r != err)
		fail_msg("'%s': error %d, want %d (%s)", text, r, err, ai_errmsg());
	if (!strstr(ai_errmsg(), msg))
		fail_msg("'%s': message '%s' lacks '%s'", text, ai_errmsg(), msg);
}

static void test_eval_arith(void **st)
{
	struct fix *f = *st;

	assert_int_equal(ival(f, "2+3*4"), 14);
	assert_int_equal(ival(f, "(2+3)*4"), 20);
	assert_int_equal(ival(f, "-5/2"), -2);
	assert_int_equal(ival(f, "-5%3"), -2);
	assert_int_equal(ival(f, "7%3"), 1);
	assert_int_equal(ival(f, "1<<4"), 16);
	assert_int_equal(ival(f, "-16>>2"), -4);
	assert_int_equal(ival(f, "0xff & 0x0f | 0x100 ^ 1"), 0x10f);
	assert_int_equal(ival(f, "-1 < 0"), 1);
	assert_int_equal(ival(f, "3 >= 3 && 2 != 2"), 0);
	assert_int_equal(ival(f, "0 || 5"), 1);
	assert_int_equal(ival(f, "!0 + ~0"), 0);
	assert_int_equal(ival(f, "010 + 0b11"), 11);
	assert_int_equal(ival(f, "(int)0xffffffff"), -1);
	assert_int_equal(ival(f, "(unsigned char)0x1ff"), 0xff);
	assert_int_equal(ival(f, "(u32)-1"), 0xffffffff);
	assert_int_equal(ival(f, "(s8)-1"), -1);
	assert_int_equal(ival(f, "(u64)*(u8 *)0x100000000000"), 42);
	assert_int_equal(ival(f, "-9223372036854775807 - 1 / -1"), -9223372036854775806LL);
	assert_int_equal(ival(f, "(-9223372036854775807 - 1) / -1"), (int64_t)(1ULL << 63));
	/* short-circuit: the right side is never evaluated */
	assert_int_equal(ival(f, "0 && nosuch->x"), 0);
	assert_int_equal(ival(f, "1 || 1/0"), 1);
	eval_fails(f, "1/0", -EDOM, "division by zero");
	eval_fails(f, "1%0", -EDOM, "division by zero");
	eval_fails(f, "1<<64", -EDOM, "shift");
}

/* C's arithmetic ------------------------------------------------------ */

/* the host C compiler's results for expr_cases.h (gen_expr_table.c) */
static const struct {
	const char *text;
	unsigned long long value;
	const char *type;    /* _Generic's name; "other": none of C's integer types */
	const char *printed; /* "" for char and bool */
} c_results[] = {
#include "expr_c_table.h"
};

/* The C type a value has, named as the generator's _Generic names it. */
static const char *c_type_of(const struct value *v)
{
	const struct btf_type *t;
	const char *name;
	int id;

	if (!v->btf)
		return expr__ctype_name(v->ctype);
	id = btf__resolve_type(v->btf, v->type_id);
	t = id < 0 ? NULL : btf__type_by_id(v->btf, id);
	if (!t)
		return "?";
	if (btf_is_any_enum(t))
		return t->size == 4 ? (btf_kflag(t) ? "int" : "unsigned int") : "other";
	if (!btf_is_int(t))
		return "other";
	name = btf__name_by_offset(v->btf, t->name_off);
	if (btf_int_encoding(t) & BTF_INT_BOOL)
		return "_Bool";
	switch (t->size) {
	case 1:
		if (!strcmp(name, "char"))
			return "char";
		return btf_int_encoding(t) & BTF_INT_SIGNED ? "signed char" : "unsigned char";
	case 2: return btf_int_encoding(t) & BTF_INT_SIGNED ? "short" : "unsigned short";
	case 4: return btf_int_encoding(t) & BTF_INT_SIGNED ? "int" : "unsigned int";
	case 8:
		if (strstr(name, "long long") || !strcmp(name, "u64") || !strcmp(name, "s64"))
			return btf_int_encoding(t) & BTF_INT_SIGNED ? "long long"
								    : "unsigned long long";
		return btf_int_encoding(t) & BTF_INT_SIGNED ? "long" : "unsigned long";
	}
	return "other";
}

static bool is_enum(const struct value *v)
{
	int id = v->btf ? btf__resolve_type(v->btf, v->type_id) : -1;
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(v->btf, id);

	return t && btf_is_any_enum(t);
}

struct buf {
	char s[256];
	size_t n;
};

static void buf_write(void *ctx, const char *p, size_t len)
{
	struct buf *b = ctx;

	if (len > sizeof(b->s) - 1 - b->n)
		len = sizeof(b->s) - 1 - b->n;
	memcpy(b->s + b->n, p, len);
	b->n += len;
	b->s[b->n] = '\0';
}

/* Every expression of the table: the value C computes (through expr__eval
 * and expr__eval_int, the conditions' path), C's type, and print's text. */
static void test_eval_c_table(void **st)
{
	struct fix *f = *st;
	int bad = 0;

	assert_true(sizeof(c_results) / sizeof(c_results[0]) >= 60);
	for (size_t i = 0; i < sizeof(c_results) / sizeof(c_results[0]); i++) {
		const char *text = c_results[i].text;
		struct value v;
		struct expr *e;
		int64_t x = 0;
		int col;

		if (expr__parse(text, &e, &col))
			fail_msg("'%s': %s", text, ai_errmsg());
		if (expr__eval(e, f->bx, f->src, &v) || expr__eval_int(e, f->bx, f->src, &x)) {
			print_error("'%s': %s\n", text, ai_errmsg());
			bad++;
			expr__free(e);
			continue;
		}
		expr__free(e);
		if ((unsigned long long)x != c_results[i].value) {
			print_error("'%s' = %llu (0x%llx), C: %llu (0x%llx)\n", text,
				    (unsigned long long)x, (unsigned long long)x,
				    c_results[i].value, c_results[i].value);
			bad++;
		}
		if (strcmp(c_type_of(&v), c_results[i].type)) {
			print_error("'%s' has type %s, C: %s\n", text, c_type_of(&v),
				    c_results[i].type);
			bad++;
		}
		/* print shows enums by name, chars as characters */
		if (c_results[i].printed[0] && !is_enum(&v)) {
			struct buf b = { .n = 0 };
			struct sink *s = sink__new_json(buf_write, &b, false);

			assert_int_equal(fmt__value(f->bx, f->src, &v, NULL, s, NULL), 0);
			sink__free(s);
			if (b.n && b.s[b.n - 1] == '\n')
				b.s[--b.n] = '\0';
			if (strcmp(b.s, c_results[i].printed)) {
				print_error("'%s' prints '%s', C: '%s'\n", text, b.s,
					    c_results[i].printed);
				bad++;
			}
		}
	}
	if (bad)
		fail_msg("%d differences from C", bad);
}

/* Where C is undefined, expr gives an error or a documented result. */
static void test_eval_c_undefined(void **st)
{
	struct fix *f = *st;

	eval_fails(f, "1 << 32", -EDOM, "shift count 32 >= width of int (32 bits)");
	eval_fails(f, "1u >> 32", -EDOM, "shift count 32 >= width of unsigned int");
	eval_fails(f, "1UL << 64", -EDOM, "shift count 64 >= width of unsigned long (64 bits)");
	eval_fails(f, "(u8)1 << 32", -EDOM, "width of int"); /* promoted first */
	eval_fails(f, "1L << 64u", -EDOM, "width of long");
	eval_fails(f, "1 << -1", -EDOM, "negative shift count -1");
	eval_fails(f, "8 >> (glob.x - 43)", -EDOM, "negative shift count -1");
	eval_fails(f, "1 << 0xffffffffffffffff", -EDOM, "shift count 18446744073709551615 >=");
	eval_fails(f, "glob.x / (glob.x - 42)", -EDOM, "division by zero");
	eval_fails(f, "5u % 0", -EDOM, "division by zero");
	/* INT_MIN / -1 and LONG_MIN / -1 wrap (no trap), remainder 0 */
	assert_int_equal(ival(f, "(-2147483647 - 1) / -1"), INT32_MIN);
	assert_int_equal(ival(f, "(-2147483647 - 1) % -1"), 0);
	assert_int_equal(ival(f, "(-9223372036854775807 - 1) / -1"), INT64_MIN);
	assert_int_equal(ival(f, "(-9223372036854775807 - 1) % -1"), 0);
	assert_int_equal(ival(f, "(s64)0x8000000000000000 / (s64)-1"), INT64_MIN);
	/* decimal too large for long long: unsigned long long, as clang */
	assert_int_equal(ival(f, "18446744073709551615 > 0"), 1);
	/* C's suffixes and nothing else */
	{
		static const char *const bad[] = { "1uu", "1lL", "1lul", "1lll", "1ulu", "1f" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct expr *e;
			int col;

			assert_int_equal(expr__parse(bad[i], &e, &col), -EINVAL);
			assert_non_null(strstr(ai_errmsg(), "bad number"));
		}
	}
}

static void test_eval_globals(void **st)
{
	struct fix *f = *st;
	struct value v;
	int col;

	assert_int_equal(btfx__globals_placement(f->bx), 0);
	assert_int_equal(expr__eval_str("glob", f->bx, f->src, &v, &col), 0);
	assert_true(v.lvalue);
	assert_int_equal(v.addr, S);
	assert_int_equal(v.type_id, T.outer);
	assert_int_equal(ival(f, "glob.x"), 42);
	assert_int_equal(ival(f, "glob.u1"), 0x00030002);
	assert_int_equal(ival(f, "glob.s1"), 2);
	assert_int_equal(ival(f, "glob.s2"), 3);
	assert_int_equal(ival(f, "glob.grid[1][2]"), 5);
	assert_int_equal(ival(f, "glob.grid[0][1] + glob.grid[1][0]"), 4);
	assert_int_equal(ival(f, "glob.st"), 1);
	assert_int_equal(ival(f, "glob.st == RUNNING"), 1);
	assert_int_equal(ival(f, "DEAD"), 2);
	assert_int_equal(ival(f, "glob.f.a"), 5);
	assert_int_equal(ival(f, "glob.f.b"), 17);
	assert_int_equal(ival(f, "glob.f.c"), -3);
	assert_int_equal(ival(f, "glob.name[1]"), 'l');
	assert_int_equal(ival(f, "glob.d"), 2);
	assert_int_equal(ival(f, "glob.ok"), 1);
	assert_int_equal(ival(f, "glob.ch"), 'Z');
	/* slices */
	assert_int_equal(expr__eval_str("glob.grid[1][1:3]", f->bx, f->src, &v, &col), 0);
	assert_int_equal(v.slice_len, 2);
	assert_int_equal(v.addr, S + 8 + 16);
	assert_int_equal(v.type_id, T.i32);
	assert_int_equal(ival(f, "glob.grid[1][1:3][1]"), 5);
	assert_int_equal(ival(f, "*glob.grid[1]"), 3);
	/* bitfields have no address: rvalues */
	assert_int_equal(expr__eval_str("glob.f.b", f->bx, f->src, &v, &col), 0);
	assert_false(v.lvalue);
	assert_int_equal(v.scalar, 17);
}

/* a value history of the test's own, as the TUI's session keeps one */
struct thist {
	struct value v[8];
	uint64_t n;
};

static int thist_get(void *ctx, uint64_t n, struct value *out)
{
	struct thist *h = ctx;

	if (!n || n > h->n)
		return ai_err(ENOENT, "no $%llu", (unsigned long long)n);
	*out = h->v[n - 1];
	return 0;
}

static uint64_t thist_last(void *ctx)
{
	return ((struct thist *)ctx)->n;
}

/* GDB's value history: $N, $, $$, $$N in expressions, through the btfx */
static void test_value_history(void **st)
{
	struct fix *f = *st;
	struct thist h = { 0 };
	struct expr_history hi = { .get = thist_get, .last = thist_last, .ctx = &h };
	struct value v;
	char *pinned;
	int col;

	/* no history handed over: one clear error */
	eval_fails(f, "$1", -ENOENT, "no value history here");
	btfx__set_history(f->bx, &hi);
	eval_fails(f, "$", -ENOENT, "the value history is empty");
	assert_int_equal(expr__eval_str("gptr", f->bx, f->src, &h.v[h.n++], &col), 0);
	assert_int_equal(expr__eval_str("glob", f->bx, f->src, &h.v[h.n++], &col), 0);
	assert_int_equal(expr__eval_str("glob.x + 1", f->bx, f->src, &h.v[h.n++], &col), 0);
	/* $1 is gptr (a pointer), $2 glob (an lvalue, read again), $3 a number */
	assert_int_equal(ival(f, "$1->id"), 1);
	assert_int_equal(ival(f, "$2.x"), 42);
	assert_int_equal(ival(f, "$"), 43);
	assert_int_equal(ival(f, "$$ .x"), 42);
	assert_int_equal(ival(f, "$$2->id + $3"), 44);
	assert_int_equal(expr__eval_str("&$2.x", f->bx, f->src, &v, &col), 0);
	eval_fails(f, "$4", -ENOENT, "no $4");
	eval_fails(f, "$$3", -ENOENT, "holds $1..$3");
	/* pinning: relative references become absolute for a later eval */
	assert_int_equal(expr__history_pin("$->id + $$ + $$2 + $1", 3, &pinned), 0);
	assert_string_equal(pinned, "$3->id + $2 + $1 + $1");
	free(pinned);
	assert_int_equal(expr__history_pin("gptr->id", 0, &pinned), 0);
	assert_string_equal(pinned, "gptr->id");
	free(pinned);
	assert_int_equal(expr__history_pin("$$", 1, &pinned), -ENOENT);
	assert_int_equal(expr__history_pin("$", 0, &pinned), -ENOENT);
	btfx__set_history(f->bx, NULL);
}

static void test_eval_pointers(void **st)
{
	struct fix *f = *st;
	struct value v;
	int col;

	/* a map root is a pointer value */
	assert_int_equal(expr__eval_str("gptr", f->bx, f->src, &v, &col), 0);
	assert_false(v.lvalue);
	assert_int_equal(v.scalar, S + 0x1000);
	assert_int_equal(v.type_id, T.nodep);
	assert_int_equal(expr__eval_str("*gptr", f->bx, f->src, &v, &col), 0);
	assert_true(v.lvalue);
	assert_int_equal(v.addr, S + 0x1000);
	assert_int_equal(v.type_id, T.node);
	assert_int_equal(ival(f, "gptr->id"), 1);
	assert_int_equal(ival(f, "gptr->next->id"), 2);
	assert_int_equal(ival(f, "gptr->next->val"), 200);
	assert_int_equal(ival(f, "(*gptr).val"), 100);
	assert_int_equal(ival(f, "gptr[0].id"), 1);
	assert_int_equal(ival(f, "gptr->next->next"), 0);
	assert_int_equal(ival(f, "glob.head->next->id"), 2);
	assert_int_equal(ival(f, "glob.head == gptr"), 1);
	assert_int_equal(ival(f, "cyc->next->next->next->id"), 11);
	assert_int_equal(ival(f, "gptr->name[2]"), 'e');
	/* casts to addresses and built-in types */
	assert_int_equal(ival(f, "((struct node *)0x100000001040)->id"), 2);
	assert_int_equal(ival(f, "(*(struct node *)0x100000001040).val"), 200);
	assert_int_equal(ival(f, "*(u64 *)0x100000001018"), 100);
	assert_int_equal(ival(f, "*(u32 *)(0x100000000000 + 8 * 2 + 4)"), 3);
	assert_int_equal(ival(f, "*(int *)0x100000000000"), 42);
	assert_int_equal(ival(f, "*(unsigned long *)0x100000001018"), 100);
	assert_int_equal(ival(f, "((node *)0x100000001000)->next->id"), 2);
	assert_int_equal(ival(f, "*(short *)0x100000000006"), 3);
	assert_int_equal(ival(f, "(**(struct node **)0x100000000020).id"), 1);
	/* & and pointer arithmetic scale as in C */
	assert_int_equal(expr__eval_str("&glob.x", f->bx, f->src, &v, &col), 0);
	assert_false(v.lvalue);
	assert_int_equal(v.scalar, S);
	assert_int_equal(ival(f, "*&glob.x"), 42);
	assert_int_equal(ival(f, "*(&glob.x + 1)"), 0x00030002);
	assert_int_equal(ival(f, "&glob.grid[1][2] - &glob.grid[0][0]"), 5);
	assert_int_equal(ival(f, "(gptr + 2)->id"), 2);
	assert_int_equal(ival(f, "(u64)&gptr->next->id - (u64)gptr"), 0x40);
	assert_int_equal(ival(f, "(u64)&gptr->val"), S + 0x1018);
	assert_int_equal(ival(f, "(u64)(&glob)->head"), S + 0x1000);
	/* "(name)" then -, *, & or +: a cast when name is a type and no value */
	assert_int_equal(ival(f, "(pid_t)-1"), -1);
	assert_int_equal(ival(f, "(pid_t)-1 + 3"), 2);
	assert_int_equal(ival(f, "(pid_t)+7"), 7);
	assert_int_equal(ival(f, "(pid_t)*(u64 *)0x100000001018"), 100);
	assert_int_equal(ival(f, "((node_t *)0x100000001040)->id"), 2);
	assert_int_equal(ival(f, "(pid_t)-4294967295"), 1); /* truncated to 32 bits */
	/* a value of that name stays a value: pointer arithmetic on gptr */
	assert_int_equal(ival(f, "(gptr) + 1"), S + 0x1000 + 32);
	/* sizeof, as in C: of a type, of an expression's type, of a slice */
	assert_int_equal(ival(f, "sizeof(struct node)"), 32);
	assert_int_equal(ival(f, "sizeof(node)"), 32);
	assert_int_equal(ival(f, "sizeof *gptr"), 32);
	assert_int_equal(ival(f, "sizeof(gptr)"), 8);
	assert_int_equal(ival(f, "sizeof glob"), 72);
	assert_int_equal(ival(f, "sizeof(glob.grid)"), 24);
	assert_int_equal(ival(f, "sizeof glob.grid[1]"), 12);
	assert_int_equal(ival(f, "sizeof(gptr->name[2:6])"), 4);
	assert_int_equal(ival(f, "sizeof(u16)"), 2);
	assert_int_equal(ival(f, "sizeof(struct node **)"), 8);
	assert_int_equal(ival(f, "sizeof(1 + 2)"), sizeof(1 + 2)); /* int */
	assert_int_equal(ival(f, "sizeof(1 + 2L)"), sizeof(1 + 2L));
	assert_int_equal(ival(f, "((struct node *)((u64)gptr + sizeof(struct node) * 2))->id"), 2);
}

static void test_eval_errors(void **st)
{
	struct fix *f = *st;

	eval_fails(f, "nosuch", -ENOENT, "unknown name 'nosuch'");
	/* did you mean: a root, a member, offsetof's member, by edit distance */
	eval_fails(f, "gptrr->id", -ENOENT, "did you mean 'gptr'?");
	eval_fails(f, "gptr->nxt", -ENOENT,
		   "'nxt' is not a member of struct node (did you mean 'next'?)");
	eval_fails(f, "glob.s3", -ENOENT, "did you mean 's1'?");
	eval_fails(f, "offsetof(struct node, nxet)", -ENOENT, "did you mean 'next'?");
	eval_fails(f, "gptr->zzzzzz", -ENOENT, "'zzzzzz' is not a member of struct node");
	eval_fails(f, "gptr->nope", -ENOENT, "'nope' is not a member of struct node");
	eval_fails(f, "glob.nope", -ENOENT, "'nope' is not a member of struct outer");
	eval_fails(f, "glob.x->y", -EINVAL, "not a pointer");
	eval_fails(f, "glob->x", -EINVAL, "use '.x'");
	eval_fails(f, "gptr.id", -EINVAL, "use '->id'");
	eval_fails(f, "*glob.x", -EINVAL, "cannot dereference 'glob.x'");
	eval_fails(f, "*glob.x", -EINVAL, "int");
	eval_fails(f, "glob.x[0]", -EINVAL, "only arrays and pointers can be indexed");
	eval_fails(f, "glob.grid[2][0]", -ERANGE, "out of range");
	eval_fails(f, "glob.grid[0][3]", -ERANGE, "out of range");
	eval_fails(f, "glob.grid[0][2:1]", -EINVAL, "slice");
	eval_fails(f, "glob.grid[0][1:5]", -ERANGE, "out of range");
	eval_fails(f, "gptr->next->next->id", -EFAULT, "is NULL");
	eval_fails(f, "*gptr->next->next", -EFAULT, "NULL");
	eval_fails(f, "(struct nosuch *)0", -ENOENT, "unknown type 'struct nosuch *'");
	eval_fails(f, "(struct node)gptr", -EINVAL, "cannot cast to 'struct node'");
	eval_fails(f, "struct node", -EINVAL, "is a type");
	eval_fails(f, "sizeof(struct nosuch)", -ENOENT, "unknown type 'struct nosuch'");
	eval_fails(f, "sizeof(nosuch)", -ENOENT, "unknown name 'nosuch'");
	eval_fails(f, "&1", -EINVAL, "cannot take the address");
	eval_fails(f, "glob + 1", -EINVAL, "not a number");
	eval_fails(f, "*(void **)0x100000000020 + 1 == 0 || *(void *)0", -EINVAL,
		   "cannot dereference");
	/* missing page: -ENODATA naming the address */
	eval_fails(f, "*(int *)0x100000002010", -ENODATA, "0x100000002010");
	eval_fails(f, "((struct node *)0x100000002000)->next->id", -ENODATA, "0x100000002008");
	/* outside the arena */
	eval_fails(f, "*(int *)0x10", -ERANGE, "outside the arena");
	{
		struct value v;
		int col;

		/* the value itself is not read by expr__eval: print shows it as
		 * unallocated */
		assert_int_equal(expr__eval_str("*(int *)0x100000002010", f->bx, f->src, &v, &col),
				 0);
		assert_true(v.lvalue);
		assert_int_equal(v.addr, 0x100000002010ULL);
	}
}

/* the layout synth_add_intrusive() describes in BTF, as C lays it out */
struct c_lnode {
	uint64_t next, pprev;
};
struct c_elem {
	uint64_t key;
	struct c_lnode node;
	uint64_t value;
};
struct c_box {
	int tag;
	union {
		struct c_lnode link;
		uint64_t raw;
	};
	struct c_elem items[4];
};

static void test_offsetof_container_of(void **st)
{
	struct fix *f = *st;
	struct value v;
	char tn[64];
	int col;

	/* offsetof as C computes it, through anonymous members and indexes */
	assert_int_equal(ival(f, "offsetof(struct elem, node)"), offsetof(struct c_elem, node));
	assert_int_equal(ival(f, "offsetof(struct elem, value)"), offsetof(struct c_elem, value));
	assert_int_equal(ival(f, "offsetof(struct elem, node.pprev)"),
			 offsetof(struct c_elem, node.pprev));
	assert_int_equal(ival(f, "offsetof(struct box, link.pprev)"),
			 offsetof(struct c_box, link.pprev));
	assert_int_equal(ival(f, "offsetof(struct box, items[2].node.next)"),
			 offsetof(struct c_box, items[2].node.next));
	assert_int_equal(ival(f, "offsetof(struct box, items[1 + 2].value)"),
			 offsetof(struct c_box, items[3].value));
	assert_int_equal(ival(f, "offsetof(struct node, val)"), 24);
	assert_int_equal(ival(f, "offsetof(node_t, name[3])"), 19);
	/* an unsigned long: offsetof - 9 > 0 wraps as in C */
	assert_int_equal(ival(f, "offsetof(struct elem, node) - 9 > 0"), 1);
	assert_int_equal(expr__eval_str("offsetof(struct elem, node)", f->bx, f->src, &v, &col), 0);
	assert_null(v.btf);
	assert_int_equal(v.ctype, EXPR_ULONG);

	/* container_of: PTR - offsetof, typed TYPE *, usable in a path */
	assert_int_equal(ival(f, "container_of(lhead, struct elem, node)->key"), 1);
	assert_int_equal(ival(f, "container_of(lhead->next, struct elem, node)->value"), 200);
	assert_int_equal(ival(f, "container_of(lhead->next->next, struct elem, node)->key"), 3);
	assert_int_equal(ival(f, "(u64)container_of(lhead, struct elem, node)"), S + 0x4000);
	assert_int_equal(ival(f, "container_of(&bx->link.pprev, struct box, link.pprev)->tag"), 7);
	assert_int_equal(ival(f, "container_of(0x100000004008, struct elem, node)->key"), 1);
	assert_int_equal(ival(f, "container_of((void *)lhead, struct elem, node)->key"), 1);
	assert_int_equal(ival(f, "container_of((char *)lhead, struct elem, node)->key"), 1);
	assert_int_equal(
		ival(f, "container_of(&bx->items[2].node, struct box, items[2].node)->tag"), 7);
	assert_int_equal(ival(f, "container_of(&bx->items[2].node, struct elem, node)->key"), 33);
	assert_int_equal(
		expr__eval_str("container_of(lhead, struct elem, node)", f->bx, f->src, &v, &col),
		0);
	assert_false(v.lvalue);
	assert_int_equal(v.scalar, S + 0x4000);
	assert_int_equal(fmt__type_name(v.btf, v.type_id, tn, sizeof(tn)), 0);
	assert_string_equal(tn, "struct elem *");

	/* errors: one line each */
	eval_fails(f, "offsetof(struct elem, nope)", -ENOENT,
		   "'nope' is not a member of struct elem");
	eval_fails(f, "offsetof(struct elem, key.x)", -EINVAL,
		   "'key' is u64, not a struct or union");
	eval_fails(f, "offsetof(struct elem, key[0])", -EINVAL, "'key' is u64, not an array");
	eval_fails(f, "offsetof(struct box, items[4])", -ERANGE, "index 4 is out of range");
	eval_fails(f, "offsetof(struct box, items[-1])", -ERANGE, "index -1 is out of range");
	eval_fails(f, "offsetof(struct flags, b)", -EINVAL, "'b' is a bitfield");
	eval_fails(f, "offsetof(int, x)", -EINVAL, "offsetof: 'int' is not a struct or union");
	eval_fails(f, "offsetof(struct elem *, key)", -EINVAL, "'struct elem *' is not a struct");
	eval_fails(f, "offsetof(struct nosuch, key)", -ENOENT, "unknown type 'struct nosuch'");
	eval_fails(f, "container_of(lhead, struct elem, nope)", -ENOENT,
		   "container_of: 'nope' is not a member of struct elem");
	eval_fails(f, "container_of(lhead, u64, node)", -EINVAL,
		   "container_of: 'u64' is not a struct or union");
	eval_fails(f, "container_of(glob, struct elem, node)", -EINVAL,
		   "container_of: 'glob' is struct outer, not a pointer or an integer");
	eval_fails(f, "container_of(glob.grid, struct elem, node)", -EINVAL,
		   "not a pointer or an integer");
	eval_fails(f, "container_of(glob.d, struct elem, node)", -EINVAL,
		   "not a pointer or an integer");
	eval_fails(f, "container_of(gptr, struct elem, node)", -EINVAL,
		   "'gptr' is struct node *, but member 'node' of struct elem is struct lnode");
	eval_fails(f, "container_of(lhead, struct elem, key)", -EINVAL, "but member 'key'");
	eval_fails(f, "container_of(nosuch, struct elem, node)", -ENOENT, "unknown name 'nosuch'");
}

static void test_reuse(void **st)
{
	struct fix *f = *st;
	struct expr *e;
	int64_t v;
	int col;

	/* one parsed expression, evaluated many times: type names are cached
	 * per btfx and must not leak across btfx objects */
	assert_int_equal(expr__parse("((struct node *)0x100000001000)->val + (u16)1", &e, &col), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(expr__eval_int(e, f->bx, f->src, &v), 0);
		assert_int_equal(v, 101);
	}
	{
		struct btfx *bx2;

		assert_int_equal(btfx__new_from_btf(f->src, build_btf(), &bx2), 0);
		assert_int_equal(expr__eval_int(e, bx2, f->src, &v), 0);
		assert_int_equal(v, 101);
		btfx__free(bx2);
	}
	assert_int_equal(expr__eval_int(e, f->bx, f->src, &v), 0);
	expr__free(e);
	expr__free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test_setup_teardown(test_eval_arith, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eval_c_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eval_c_undefined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eval_globals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eval_pointers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eval_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offsetof_container_of, setup_intrusive,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/* btfq: TAB completion offers exactly the members the evaluator accepts,
 * for a struct with anonymous unions and structs nested inside each other
 * (one behind const, one behind a typedef, a chain deeper than the lookup
 * goes), through '.', '->', typedefs of pointers, slices and non-structs;
 * member offsets through anonymous members; is_ptr; type dumps. */
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
#include "btfq.h"
#include "btfx.h"
#include "expr.h"
#include "format.h"
#include "memsource.h"
#include "sink.h"

#define S 0x100000000000ULL
#define NPAGES 16
#define CHAIN 36 /* nested anonymous structs: more than any lookup looks into */

static uint8_t mem[NPAGES * 4096];
static uint8_t state[NPAGES];
static int t_int, t_leaf, t_deep, t_deep_p, t_chain0;

/* The bit offset of each named member of struct deep, as built below (and
 * as C lays it out: the offsets of the anonymous members add up). */
static struct {
	char name[8];
	uint64_t bit_off;
	uint32_t bitfield;
	int depth; /* anonymous members it is inside */
} want[64];
static int nr_want;

static void want_add(const char *name, uint64_t off, uint32_t bits, int depth)
{
	snprintf(want[nr_want].name, sizeof(want[0].name), "%s", name);
	want[nr_want].bit_off = off;
	want[nr_want].bitfield = bits;
	want[nr_want].depth = depth;
	nr_want++;
}

/*
 * struct leaf { int l1; int l2; };
 * struct deep {
 *	int a;
 *	union {					// anonymous, at 32
 *		int b;
 *		struct {			// anonymous
 *			short c, d;
 *			const union {		// anonymous, behind const, at 32
 *				int e;
 *				unsigned f:3;
 *			};
 *		};
 *	};
 *	anon_t;					// typedef of struct { int g; }, at 96
 *	struct leaf leafs[2];			// 128
 *	struct leaf one;			// 256
 *	struct { int n0; struct { int n1; struct { ... n35 }; }; };	// at 320
 * };
 * typedef const struct deep *deep_p;
 * __arena struct deep deep_glob;
 */
static struct btf *build_btf(void)
{
	struct btf *b = btf__new_empty();
	int sh, uns, u2, cu2, s1, u1, tg, tgd, leafs, inner, var, sec;

	assert_non_null(b);
	nr_want = 0;
	t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	sh = btf__add_int(b, "short", 2, BTF_INT_SIGNED);
	uns = btf__add_int(b, "unsigned int", 4, 0);
	t_leaf = btf__add_struct(b, "leaf", 8);
	btf__add_field(b, "l1", t_int, 0, 0);
	btf__add_field(b, "l2", t_int, 32, 0);

	u2 = btf__add_union(b, NULL, 4);
	btf__add_field(b, "e", t_int, 0, 0);
	btf__add_field(b, "f", uns, 0, 3);
	cu2 = btf__add_const(b, u2);
	s1 = btf__add_struct(b, NULL, 8);
	btf__add_field(b, "c", sh, 0, 0);
	btf__add_field(b, "d", sh, 16, 0);
	btf__add_field(b, NULL, cu2, 32, 0);
	u1 = btf__add_union(b, NULL, 8);
	btf__add_field(b, "b", t_int, 0, 0);
	btf__add_field(b, NULL, s1, 0, 0);
	tg = btf__add_struct(b, NULL, 4);
	btf__add_field(b, "g", t_int, 0, 0);
	tgd = btf__add_typedef(b, "anon_t", tg);
	leafs = btf__add_array(b, t_int, t_leaf, 2);

	/* the chain, innermost first: level k is { int nk; level k+1 } */
	inner = 0;
	for (int k = CHAIN - 1; k >= 0; k--) {
		char n[8];
		int s = btf__add_struct(b, NULL, 4 * (CHAIN - k));

		snprintf(n, sizeof(n), "n%d", k);
		btf__add_field(b, n, t_int, 0, 0);
		if (inner)
			btf__add_field(b, NULL, inner, 32, 0);
		inner = s;
	}
	t_chain0 = inner;

	t_deep = btf__add_struct(b, "deep", 40 + 4 * CHAIN);
	btf__add_field(b, "a", t_int, 0, 0);
	btf__add_field(b, NULL, u1, 32, 0);
	btf__add_field(b, NULL, tgd, 96, 0);
	btf__add_field(b, "leafs", leafs, 128, 0);
	btf__add_field(b, "one", t_leaf, 256, 0);
	btf__add_field(b, NULL, t_chain0, 320, 0);
	want_add("a", 0, 0, 0);
	want_add("b", 32, 0, 1);
	want_add("c", 32, 0, 2);
	want_add("d", 48, 0, 2);
	want_add("e", 64, 0, 3);
	want_add("f", 64, 3, 3);
	want_add("g", 96, 0, 1);
	want_add("leafs", 128, 0, 0);
	want_add("one", 256, 0, 0);
	for (int k = 0; k < CHAIN; k++) {
		char n[8];

		snprintf(n, sizeof(n), "n%d", k);
		want_add(n, 320 + 32 * k, 0, k + 1);
	}

	t_deep_p = btf__add_typedef(b, "deep_p", btf__add_ptr(b, btf__add_const(b, t_deep)));
	var = btf__add_var(b, "deep_glob", BTF_VAR_GLOBAL_ALLOCATED, t_deep);
	sec = btf__add_datasec(b, ".addr_space.1", 40 + 4 * CHAIN);
	assert_true(var > 0 && sec > 0);
	assert_int_equal(btf__add_datasec_var_info(b, var, 0, 40 + 4 * CHAIN), 0);
	return b;
}

struct fx {
	struct source *src;
	struct btfx *bx;
	const struct btf *btf;
};

static int setup(void **st)
{
	struct arena_info ai = { .max_pages = NPAGES,
				 .user_vm_start = S,
				 .user_vm_end = S + NPAGES * 4096ULL,
				 .is_snapshot = true };
	struct root r = { .kind = ROOT_MAP_PTR, .btf_idx = 0, .value = S };
	struct fx *f = calloc(1, sizeof(*f));

	memset(mem, 0, sizeof(mem));
	memset(state, PAGE_FREE, sizeof(state));
	state[0] = PAGE_ALLOCATED;
	assert_non_null(f);
	assert_int_equal(memsource__new(&ai, mem, state, &f->src), 0);
	assert_int_equal(btfx__new_from_btf(f->src, build_btf(), &f->bx), 0);
	assert_non_null(btfx__find_root(f->bx, "deep_glob"));
	snprintf(r.name, sizeof(r.name), "dp");
	r.type_id = t_deep_p;
	assert_int_equal(btfx__add_root(f->bx, &r), 0);
	f->btf = btfx__btf(f->bx, 0);
	*st = f;
	return 0;
}

static int teardown(void **st)
{
	struct fx *f = *st;

	btfx__free(f->bx);
	source__close(f->src);
	free(f);
	return 0;
}

/* ---- completion == evaluation */

struct names {
	char v[128][16];
	int n;
};

static int collect(const struct btfq_member *m, void *ctx)
{
	struct names *c = ctx;

	assert_true(c->n < 128);
	snprintf(c->v[c->n++], sizeof(c->v[0]), "%s", m->name);
	return 0;
}

static bool has(const struct names *c, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->v[i], name))
			return true;
	return false;
}

/* Every member name of every struct and union in the BTF, and one that is
 * none: the names one could type after prefix. */
static void universe(const struct btf *btf, struct names *u)
{
	u->n = 0;
	for (uint32_t i = 1; i < btf__type_cnt(btf); i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const struct btf_member *m;

		if (!btf_is_composite(t))
			continue;
		m = btf_members(t);
		for (int k = 0; k < btf_vlen(t); k++, m++) {
			const char *n = btf__name_by_offset(btf, m->name_off);

			if (n && *n && !has(u, n))
				snprintf(u->v[u->n++], sizeof(u->v[0]), "%s", n);
		}
	}
	snprintf(u->v[u->n++], sizeof(u->v[0]), "nope");
}

/* The candidates after "prefix->" or "prefix." are exactly the names for
 * which "prefix->NAME" evaluates; returns how many there are. */
static int check_prefix(struct fx *f, const char *prefix, bool arrow)
{
	struct names u, cands = { .n = 0 };
	struct value v;
	int col, accepted = 0;

	universe(f->btf, &u);
	assert_true(u.n > CHAIN);
	assert_int_equal(expr__eval_str(prefix, f->bx, f->src, &v, &col), 0);
	assert_int_equal(expr__for_each_member(&v, arrow, collect, &cands), 0);
	for (int i = 0; i < u.n; i++) {
		char text[128];
		struct value mv;
		bool ok;

		snprintf(text, sizeof(text), "%s%s%s", prefix, arrow ? "->" : ".", u.v[i]);
		ok = expr__eval_str(text, f->bx, f->src, &mv, &col) == 0;
		if (ok != has(&cands, u.v[i]))
			fail_msg("'%s': the evaluator %s it, completion %s it", text,
				 ok ? "accepts" : "refuses", ok ? "does not offer" : "offers");
		accepted += ok;
	}
	assert_int_equal(cands.n, accepted); /* and each name once */
	return accepted;
}

static void test_completion_is_evaluation(void **st)
{
	struct fx *f = *st;
	int all = 0;

	/* what C reaches through anonymous members: 32 levels are looked into */
	for (int i = 0; i < nr_want; i++)
		all += want[i].depth <= 32;
	assert_true(all > 20 && all < nr_want);

	assert_int_equal(check_prefix(f, "deep_glob", false), all);
	assert_int_equal(check_prefix(f, "dp", true), all); /* typedef of pointer to const */
	assert_int_equal(check_prefix(f, "(&deep_glob)", true), all); /* a made-up pointer type */
	assert_int_equal(check_prefix(f, "(*dp)", false), all);
	assert_int_equal(check_prefix(f, "deep_glob.one", false), 2);
	assert_int_equal(check_prefix(f, "deep_glob.leafs[1]", false), 2);
	assert_int_equal(check_prefix(f, "dp->leafs", false), 0);
	/* the wrong operator, a slice, not a struct: nothing to offer */
	assert_int_equal(check_prefix(f, "deep_glob", true), 0);
	assert_int_equal(check_prefix(f, "dp", false), 0);
	assert_int_equal(check_prefix(f, "deep_glob.leafs[0:2]", false), 0);
	assert_int_equal(check_prefix(f, "deep_glob.leafs[0:2]", true), 0);
	assert_int_equal(check_prefix(f, "deep_glob.a", false), 0);
	assert_int_equal(check_prefix(f, "deep_glob.a", true), 0);
	assert_int_equal(check_prefix(f, "((unsigned long)dp)", true), 0);
}

/* ---- lookup: offsets and bitfields through anonymous members */

static void test_find_member(void **st)
{
	struct fx *f = *st;

	for (int i = 0; i < nr_want; i++) {
		struct btfq_member m;
		bool found = btfq__find_member(f->btf, t_deep, want[i].name, &m);

		assert_int_equal(found, want[i].depth <= 32);
		if (!found)
			continue;
		assert_string_equal(m.name, want[i].name);
		assert_int_equal(m.bit_off, want[i].bit_off);
		assert_int_equal(m.bitfield_size, want[i].bitfield);
	}
	{
		struct btfq_member m;
		struct value v;
		int col;

		assert_false(btfq__find_member(f->btf, t_deep, "l1", &m));
		assert_false(btfq__find_member(f->btf, t_int, "a", &m));
		/* through the typedef of a pointer: no members, it is not a struct */
		assert_false(btfq__find_member(f->btf, t_deep_p, "a", &m));
		/* the evaluator finds d where btfq says */
		assert_int_equal(expr__eval_str("deep_glob.d", f->bx, f->src, &v, &col), 0);
		assert_int_equal(v.addr, S + 48 / 8);
		assert_int_equal(expr__eval_str("dp->n20", f->bx, f->src, &v, &col), 0);
		assert_int_equal(v.addr, S + (320 + 32 * 20) / 8);
	}
	assert_int_equal(btfq__member_parent(f->btf, t_deep_p, true), t_deep);
	assert_int_equal(btfq__member_parent(f->btf, t_deep_p, false), 0);
	assert_int_equal(btfq__member_parent(f->btf, t_deep, false), t_deep);
	assert_int_equal(btfq__member_parent(f->btf, t_deep, true), 0);
	assert_int_equal(btfq__member_parent(f->btf, t_int, false), 0);
}

static int stop_at_c(const struct btfq_member *m, void *ctx)
{
	++*(int *)ctx;
	return strcmp(m->name, "c") ? 0 : 7;
}

static void test_for_each_stops(void **st)
{
	struct fx *f = *st;
	int seen = 0;

	/* a, b, c in declaration order, then stop with cb's value */
	assert_int_equal(btfq__for_each_member(f->btf, t_deep, stop_at_c, &seen), 7);
	assert_int_equal(seen, 3);
	seen = 0;
	assert_int_equal(btfq__for_each_member(f->btf, t_int, stop_at_c, &seen), 0);
	assert_int_equal(seen, 0);
}

static void test_is_ptr_and_names(void **st)
{
	struct fx *f = *st;
	char a[128], b[128];
	struct strbuf sb = {};

	assert_true(btfq__is_ptr(f->btf, t_deep_p));
	assert_false(btfq__is_ptr(f->btf, t_deep));
	assert_false(btfq__is_ptr(f->btf, t_int));
	assert_false(btfq__is_ptr(f->btf, 0));
	assert_false(btfq__is_ptr(f->btf, 99999));
	/* fmt__type_name is btfq's */
	for (uint32_t i = 0; i < btf__type_cnt(f->btf); i++) {
		assert_int_equal(btfq__type_name(f->btf, i, a, sizeof(a)),
				 fmt__type_name(f->btf, i, b, sizeof(b)));
		assert_string_equal(a, b);
	}
	assert_int_equal(btfq__type_name(f->btf, t_deep_p, a, sizeof(a)), 0);
	assert_string_equal(a, "deep_p");
	/* the declaration, as btf_dump writes it */
	assert_int_equal(btfq__dump_type(f->btf, t_leaf, &sb), 0);
	assert_non_null(sb.buf);
	assert_non_null(strstr(sb.buf, "struct leaf {"));
	assert_non_null(strstr(sb.buf, "\tint l1;"));
	assert_non_null(strstr(sb.buf, "\tint l2;"));
	strbuf_free(&sb);
	memset(&sb, 0, sizeof(sb));
	assert_int_equal(btfq__dump_type(f->btf, t_deep, &sb), 0);
	assert_non_null(strstr(sb.buf, "struct deep {"));
	assert_non_null(strstr(sb.buf, "unsigned int f: 3;"));
	strbuf_free(&sb);
	memset(&sb, 0, sizeof(sb));
	assert_int_equal(btfq__dump_type(f->btf, 99999, &sb), -EINVAL);
	assert_int_equal(sb.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_completion_is_evaluation),
		cmocka_unit_test(test_find_member),
		cmocka_unit_test(test_for_each_stops),
		cmocka_unit_test(test_is_ptr_and_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

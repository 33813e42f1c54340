// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 4 on real arenas: typed decoding. Every fixture scenario is walked
 * through the root the inspector finds by itself (`types` must list the
 * root the fixture names, with its type), with `print ... -j` parsed by the
 * strict JSON parser, and the values are compared with what the fixture
 * wrote (`expect`): the whole list (enum, nested struct, union, 2-D array,
 * bitfields), every hash bucket chain, the tree in order with its dangling
 * pointer, sparse pages, the arena only the kernel knows the address of,
 * the live tracepoint table and the paused churn. Then the errors, each one
 * clear stderr line and exit 1, and values in pages that are not allocated:
 * flagged, never read (the kernel-side page count does not move).
 * Skipped with a reason where BPF arenas are missing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "btfx.h"
#include "error.h"
#include "expr.h"
#include "cli_run.h"
#include "fixture.h"
#include "format.h"
#include "live.h"
#include "sink.h"
#include "source.h"

/* the fixture's layouts, as the loader sees them (offsets, magics) */
#include "../../bpf_fixtures/fx_layout.h"

#define PAGE 4096ULL

static struct fixture F;
/* the same arena through the library, for walks too long for one process per step */
static struct source *LSRC;
static struct btfx *LBX;

static int teardown(void **state)
{
	btfx__free(LBX);
	LBX = NULL;
	source__close(LSRC);
	LSRC = NULL;
	fixture_unload(&F);
	return 0;
}

/* ---- running the CLI -------------------------------------------------- */

/* arena-inspect ARGS: exit 0 and a silent stderr; returns stdout */
static char *inspect_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *inspect_ok(const char *fmt, ...)
{
	char args[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return cli_run(0, CLI_RUN_QUIET, "%s %s", INSPECT_BIN, args);
}

/* ARENA EXPR for the loaded fixture, the expression quoted for the shell */
static const char *arena_expr(char *buf, size_t len, const char *expr)
{
	assert_null(strchr(expr, '\''));
	snprintf(buf, len, "id %u '%s'", F.map_id, expr);
	return buf;
}

static struct json *parse_or_fail(const char *what, const char *out)
{
	char err[160];
	struct json *j = json_parse(out, err, sizeof(err));

	if (!j)
		fail_msg("%s: output is not JSON: %s\n%.400s", what, err, out);
	return j;
}

/* print EXPR -j, parsed */
static struct json *pj(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct json *pj(const char *fmt, ...)
{
	char expr[1024], ae[1200], *out;
	struct json *j;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(expr, sizeof(expr), fmt, ap);
	va_end(ap);
	out = inspect_ok("print %s -j", arena_expr(ae, sizeof(ae), expr));
	j = parse_or_fail(expr, out);
	free(out);
	return j;
}

/* print EXPR (text) */
static char *pt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *pt(const char *fmt, ...)
{
	char expr[1024], ae[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(expr, sizeof(expr), fmt, ap);
	va_end(ap);
	return inspect_ok("print %s", arena_expr(ae, sizeof(ae), expr));
}

/*
 * arena-inspect ARGS must fail: exit 1, nothing on stdout, `lines` lines
 * on stderr, the first "arena-inspect: ..." containing msg. Returns stderr.
 */
static char *inspect_fail(int lines, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static char *inspect_fail(int lines, const char *msg, const char *fmt, ...)
{
	char args[1536], cmd[2048], *out = NULL, *err = NULL, *nl;
	va_list ap;
	int st = -1;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s", INSPECT_BIN, args);
	assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
	if (st != 1 || !err || cli_count_lines(err) != lines || strncmp(err, "arena-inspect: ", 15))
		fail_msg("'%s': exit %d, %d stderr lines (wanted 1 and %d): '%s'", cmd, st,
			 cli_count_lines(err), lines, err ? err : "");
	nl = strchr(err, '\n');
	if (!memmem(err, nl - err, msg, strlen(msg)))
		fail_msg("'%s': stderr '%s' (wanted '%s' in the first line)", cmd, err, msg);
	if (out && *out)
		fail_msg("'%s': failed but printed '%s'", cmd, out);
	free(out);
	return err;
}

/* print EXPR must fail with one line naming msg */
static void print_fails(const char *msg, const char *expr)
{
	char ae[1200];

	free(inspect_fail(1, msg, "print %s", arena_expr(ae, sizeof(ae), expr)));
	free(inspect_fail(1, msg, "print %s -j", arena_expr(ae, sizeof(ae), expr)));
}

/* ---- the library, the same walk in-process ---------------------------- */

static void lib_open(void)
{
	struct selector sel = { .kind = SEL_ID };

	sel.id = F.map_id;
	assert_int_equal(live__open(&sel, NULL, &LSRC), 0);
	assert_int_equal(btfx__open(LSRC, NULL, &LBX), 0);
	assert_true(btfx__nr_btfs(LBX) >= 1);
}

/* expr__eval_str + fmt__value into a JSON sink: the text -j prints */
static char *lib_text(const char *expr)
{
	struct fmt_opts fo = { .max_depth = 16, .max_array = 256, .max_nodes = 100000 };
	struct strbuf sb = { 0 };
	struct sink *s;
	struct value v;
	int col = -1, r;

	r = expr__eval_str(expr, LBX, LSRC, &v, &col);
	if (r)
		fail_msg("'%s': %d %s", expr, r, ai_errmsg());
	fo.path = expr;
	s = sink__new_json(strbuf_write, &sb, false);
	assert_non_null(s);
	r = fmt__value(LBX, LSRC, &v, NULL, s, &fo);
	sink__free(s);
	if (r)
		fail_msg("'%s': fmt %d %s", expr, r, ai_errmsg());
	strbuf_write(&sb, "", 1);
	return sb.buf;
}

static struct json *lj(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct json *lj(const char *fmt, ...)
{
	char expr[1024], *out;
	struct json *j;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(expr, sizeof(expr), fmt, ap);
	va_end(ap);
	out = lib_text(expr);
	j = parse_or_fail(expr, out);
	free(out);
	return j;
}

static int64_t lib_int(const char *expr)
{
	int64_t v = 0;
	struct expr *e;
	int col, r;

	assert_int_equal(expr__parse(expr, &e, &col), 0);
	r = expr__eval_int(e, LBX, LSRC, &v);
	if (r)
		fail_msg("'%s': %d %s", expr, r, ai_errmsg());
	expr__free(e);
	return v;
}

/* ---- JSON checks ------------------------------------------------------- */

static bool json_equal(const struct json *a, const struct json *b)
{
	if (json_type(a) != json_type(b))
		return false;
	switch (json_type(a)) {
	case JSON_NONE:
	case JSON_NULL: return true;
	case JSON_BOOL: return json_bool(a) == json_bool(b);
	case JSON_NUMBER:
		if (json_is_int(a) || json_is_int(b))
			return json_is_int(a) && json_is_int(b) &&
			       json_int(a, 1) == json_int(b, 1) && json_u64(a, 1) == json_u64(b, 1);
		return json_num(a, 0) == json_num(b, 0);
	case JSON_STRING:
		return json_str_len(a) == json_str_len(b) &&
		       !memcmp(json_str(a), json_str(b), json_str_len(a));
	case JSON_ARRAY:
	case JSON_OBJECT:
		if (json_len(a) != json_len(b))
			return false;
		for (size_t i = 0; i < json_len(a); i++) {
			if (json_type(a) == JSON_OBJECT &&
			    strcmp(json_key_at(a, i), json_key_at(b, i)))
				return false;
			if (!json_equal(json_at(a, i), json_at(b, i)))
				return false;
		}
		return true;
	}
	return false;
}

/* a pointer value: null for 0, else {"ptr":"0x..","target":T} and nothing flagged */
static void assert_ptr(const struct json *v, uint64_t addr, const char *target)
{
	if (!addr) {
		if (!json_is_null(v))
			fail_msg("wanted null, got a %d", json_type(v));
		return;
	}
	assert_int_equal(json_type(v), JSON_OBJECT);
	if (json_u64(json_get(v, "ptr"), 0) != addr)
		fail_msg("pointer %s, wanted 0x%llx", json_str(json_get(v, "ptr")),
			 (unsigned long long)addr);
	assert_non_null(json_str(json_get(v, "ptr")));
	assert_memory_equal(json_str(json_get(v, "ptr")), "0x", 2);
	assert_string_equal(json_str(json_get(v, "target")), target);
	assert_null(json_get(v, "unallocated"));
	assert_null(json_get(v, "outside"));
}

static void assert_keys(const struct json *o, const char *const *keys, size_t n)
{
	assert_int_equal(json_type(o), JSON_OBJECT);
	if (json_len(o) != n)
		fail_msg("object has %zu members, wanted %zu", json_len(o), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_key_at(o, i), keys[i]);
}

static uint64_t want_u64(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	assert_non_null(v);
	return json_u64(v, 0);
}

static long long want_int(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	assert_true(json_is_int(v));
	return json_int(v, 0);
}

/* the same number, JSON number against the fixture's number or "0x.." */
static void assert_num(const struct json *got, const struct json *want)
{
	assert_int_equal(json_type(got), JSON_NUMBER);
	assert_true(json_is_int(got));
	if (json_type(want) == JSON_STRING) {
		if (json_u64(got, 1) != json_u64(want, 0))
			fail_msg("%llu, wanted %s", (unsigned long long)json_u64(got, 1),
				 json_str(want));
	} else if (json_int(got, 1) != json_int(want, 0) || json_u64(got, 1) != json_u64(want, 1)) {
		fail_msg("%lld, wanted %lld", json_int(got, 0), json_int(want, 1));
	}
}

/*
 * `types id N -j` lists the root the fixture names, with its type, as a
 * pointer found in a map; the type it points to is among the types.
 * Returns the root's value.
 */
static uint64_t check_root(void)
{
	const char *name = json_str(json_get(F.expect, "root"));
	const char *type = json_str(json_get(F.expect, "root_type"));
	const struct json *roots, *types, *r = NULL;
	char *out, pointee[128];
	struct json *j;
	bool seen = false;

	assert_non_null(name);
	assert_non_null(type);
	out = inspect_ok("types id %u -j", F.map_id);
	j = parse_or_fail("types", out);
	free(out);
	assert_int_equal(json_int(json_get(j, "btf_objects"), 0) >= 1, 1);
	roots = json_get(j, "roots");
	assert_int_equal(json_type(roots), JSON_ARRAY);
	for (size_t i = 0; i < json_len(roots); i++)
		if (!strcmp(json_str(json_get(json_at(roots, i), "name")), name)) {
			assert_null(r); /* once */
			r = json_at(roots, i);
		}
	if (!r)
		fail_msg("root '%s' not among the %zu roots found", name, json_len(roots));
	assert_string_equal(json_str(json_get(r, "type")), type);
	assert_string_equal(json_str(json_get(r, "kind")), "pointer in map");
	assert_string_equal(json_str(json_get(r, "section")), ".bss");
	/* "struct node *" -> "struct node" is a known type */
	snprintf(pointee, sizeof(pointee), "%s", type);
	assert_true(strlen(pointee) > 2 && !strcmp(pointee + strlen(pointee) - 2, " *"));
	pointee[strlen(pointee) - 2] = '\0';
	types = json_get(j, "types");
	for (size_t i = 0; i < json_len(types); i++)
		seen |= !strcmp(json_str(json_at(types, i)), pointee);
	if (!seen)
		fail_msg("type '%s' not listed", pointee);
	{
		uint64_t v = json_u64(json_get(r, "addr"), 0);

		json_free(j);
		assert_true(v >= F.user_vm_start && v < F.user_vm_end);
		return v;
	}
}

static uint32_t page_of(uint64_t addr)
{
	return (addr - F.user_vm_start) / PAGE;
}

/* ---- list -------------------------------------------------------------- */

static const char *const node_keys[] = { "next",   "id",    "name",   "kind", "st",
					 "pl",	   "grid",  "delta",  "prio", "active",
					 "weight", "spare", "balance" };

/* one decoded struct node against expect.nodes[i] */
static void check_node(const struct json *o, const struct json *want)
{
	const struct json *st = json_get(o, "st"), *pl = json_get(o, "pl"),
			  *grid = json_get(o, "grid");
	const struct json *wgrid = json_get(want, "grid");
	uint64_t payload = want_u64(want, "payload");
	char bytes[9] = { 0 };

	assert_keys(o, node_keys, sizeof(node_keys) / sizeof(node_keys[0]));
	assert_ptr(json_get(o, "next"), want_u64(want, "next"), "struct node");
	assert_num(json_get(o, "id"), json_get(want, "id"));
	assert_string_equal(json_str(json_get(o, "name")), json_str(json_get(want, "name")));
	/* enums by name */
	assert_int_equal(json_type(json_get(o, "kind")), JSON_STRING);
	assert_string_equal(json_str(json_get(o, "kind")), json_str(json_get(want, "kind")));
	/* nested struct */
	{
		static const char *const k[] = { "hits", "misses", "flags", "level", "trend" };

		assert_keys(st, k, 5);
		for (int i = 0; i < 5; i++)
			assert_num(json_get(st, k[i]), json_get(want, k[i]));
	}
	/* union: every member over the same 8 bytes */
	{
		static const char *const k[] = { "raw", "half", "bytes" };
		static const char *const h[] = { "lo", "hi" };

		assert_keys(pl, k, 3);
		assert_num(json_get(pl, "raw"), json_get(want, "payload"));
		assert_keys(json_get(pl, "half"), h, 2);
		assert_num(json_path(pl, "half.lo"), json_get(want, "payload_lo"));
		assert_num(json_path(pl, "half.hi"), json_get(want, "payload_hi"));
		assert_true((payload & 0xffffffff) == (uint64_t)want_int(want, "payload_lo"));
		/* char[8]: the bytes up to the first NUL (escapes and all) */
		memcpy(bytes, &payload, 8);
		assert_int_equal(json_type(json_get(pl, "bytes")), JSON_STRING);
		assert_int_equal(json_str_len(json_get(pl, "bytes")), strlen(bytes));
		assert_memory_equal(json_str(json_get(pl, "bytes")), bytes, strlen(bytes));
	}
	/* 2-D array: arrays of arrays */
	assert_int_equal(json_type(grid), JSON_ARRAY);
	assert_int_equal(json_len(grid), 2);
	assert_int_equal(json_len(wgrid), 2);
	for (size_t r = 0; r < 2; r++) {
		assert_int_equal(json_type(json_at(grid, r)), JSON_ARRAY);
		assert_int_equal(json_len(json_at(grid, r)), 3);
		for (size_t c = 0; c < 3; c++)
			assert_num(json_at(json_at(grid, r), c), json_at(json_at(wgrid, r), c));
	}
	assert_num(json_get(o, "delta"), json_get(want, "delta"));
	/* bitfields */
	assert_num(json_get(o, "prio"), json_get(want, "prio"));
	assert_num(json_get(o, "active"), json_get(want, "active"));
	assert_num(json_get(o, "weight"), json_get(want, "weight"));
	assert_int_equal(json_int(json_get(o, "spare"), -1), 0);
	assert_num(json_get(o, "balance"), json_get(want, "balance"));
}

/* the text rendering names the same values, C-like */
static void check_node_text(const char *out, const char *expr, const struct json *want)
{
	const struct json *g = json_get(want, "grid");
	char line[1400];
	uint64_t next = want_u64(want, "next");

	snprintf(line, sizeof(line), "%s = (struct node) {\n", expr);
	if (strncmp(out, line, strlen(line)))
		fail_msg("text starts '%.80s', wanted '%s'", out, line);
#define HAS(...)                                                 \
	do {                                                     \
		snprintf(line, sizeof(line), __VA_ARGS__);       \
		if (!strstr(out, line))                          \
			fail_msg("'%s' not in:\n%s", line, out); \
	} while (0)
	HAS("\t.id = %lld,\n", want_int(want, "id"));
	HAS("\t.name = \"%s\",\n", json_str(json_get(want, "name")));
	HAS("\t.kind = %s,\n", json_str(json_get(want, "kind")));
	HAS("\t\t.hits = %lld,\n", want_int(want, "hits"));
	HAS("\t\t.trend = %lld,\n", want_int(want, "trend"));
	HAS("\t\t\t.hi = %lld,\n", want_int(want, "payload_hi"));
	HAS("\t\t[%lld, %lld, %lld],\n", json_int(json_path(g, "[1][0]"), 0),
	    json_int(json_path(g, "[1][1]"), 0), json_int(json_path(g, "[1][2]"), 0));
	HAS("\t.weight = %lld,\n", want_int(want, "weight"));
	HAS("\t.balance = %lld,\n", want_int(want, "balance"));
	if (next)
		HAS("\t.next = 0x%llx -> struct node,\n", (unsigned long long)next);
	else
		HAS("\t.next = NULL,\n");
#undef HAS
	assert_non_null(strstr(out, "\n}\n"));
}

/* The whole list: by the root's ->next chain and by address, JSON and text. */
static void list_walk(void **state)
{
	const struct json *nodes;
	char chain[1024], *out;
	const char *root;
	long long count;
	struct json *j, *k;

	assert_int_equal(fixture_load("list", &F), 0);
	root = json_str(json_get(F.expect, "root"));
	assert_string_equal(root, "head");
	assert_true(check_root() == want_u64(F.expect, "head"));
	nodes = json_get(F.expect, "nodes");
	count = want_int(F.expect, "count");
	assert_int_equal(json_len(nodes), count);
	assert_int_equal(count, LIST_NODES);
	assert_int_equal(want_int(F.expect, "node_size"), sizeof(struct node));
	snprintf(chain, sizeof(chain), "%s", root);
	for (long long i = 0; i < count; i++) {
		const struct json *want = json_at(nodes, i);
		uint64_t addr = want_u64(want, "addr");

		/* the pointer itself: a link to a struct node */
		j = pj("%s", chain);
		assert_ptr(j, addr, "struct node");
		json_free(j);
		/* *head->next->...: the node */
		j = pj("*%s", chain);
		check_node(j, want);
		/* the same node by its address, as a cast */
		k = pj("*(struct node *)0x%llx", (unsigned long long)addr);
		check_node(k, want);
		assert_true(json_equal(j, k));
		json_free(k);
		/* and by following the next pointer the previous node printed */
		if (i + 1 < count)
			assert_true(json_u64(json_path(j, "next.ptr"), 0) ==
				    want_u64(json_at(nodes, i + 1), "addr"));
		json_free(j);
		/* text */
		{
			char e[1100];

			snprintf(e, sizeof(e), "*%s", chain);
			out = pt("%s", e);
			check_node_text(out, e, want);
			free(out);
		}
		assert_true(strlen(chain) + 8 < sizeof(chain));
		strcat(chain, "->next");
	}
	/* past the last node: NULL */
	j = pj("%s", chain);
	assert_true(json_is_null(j));
	json_free(j);
	out = pt("%s", chain);
	assert_non_null(strstr(out, "= NULL"));
	free(out);
	/* the other root: tail is the last node */
	j = pj("*tail");
	check_node(j, json_at(nodes, count - 1));
	json_free(j);
}

/* Members one by one, -p, and the library agreeing with the CLI byte for byte. */
static void list_members(void **state)
{
	const struct json *n1, *nodes;
	struct json *j, *p;
	char *cli, *lib, *pretty;

	assert_int_equal(fixture_load("list", &F), 0);
	nodes = json_get(F.expect, "nodes");
	n1 = json_at(nodes, 1);
	j = pj("head->next->kind");
	assert_string_equal(json_str(j), json_str(json_get(n1, "kind")));
	json_free(j);
	j = pj("head->next->name");
	assert_string_equal(json_str(j), json_str(json_get(n1, "name")));
	json_free(j);
	j = pj("head->next->grid");
	assert_true(json_equal(j, json_get(n1, "grid")));
	json_free(j);
	j = pj("head->next->grid[1][2]");
	assert_num(j, json_path(n1, "grid[1][2]"));
	json_free(j);
	j = pj("head->next->pl.half.hi");
	assert_num(j, json_get(n1, "payload_hi"));
	json_free(j);
	j = pj("head->next->st.trend");
	assert_num(j, json_get(n1, "trend"));
	json_free(j);
	j = pj("head->next->weight");
	assert_num(j, json_get(n1, "weight"));
	json_free(j);
	j = pj("head->next->balance");
	assert_num(j, json_get(n1, "balance"));
	json_free(j);
	j = pj("(int)head->next->kind");
	assert_num(j, json_get(n1, "kind_value"));
	json_free(j);
	j = pj("head->next->next");
	assert_ptr(j, want_u64(n1, "next"), "struct node");
	json_free(j);
	j = pj("head->next->st");
	assert_int_equal(json_type(j), JSON_OBJECT);
	assert_num(json_get(j, "hits"), json_get(n1, "hits"));
	json_free(j);
	j = pj("&head->next->st");
	assert_ptr(j, want_u64(n1, "addr") + offsetof(struct node, st), "struct stats");
	json_free(j);

	/* -p is the same JSON, indented */
	cli = inspect_ok("print id %u '*head->next' -j", F.map_id);
	pretty = inspect_ok("print id %u '*head->next' -p", F.map_id);
	j = parse_or_fail("-j", cli);
	p = parse_or_fail("-p", pretty);
	assert_true(json_equal(j, p));
	assert_true(cli_count_lines(pretty) > 10);
	assert_int_equal(cli_count_lines(cli), 1);
	json_free(p);
	json_free(j);
	free(pretty);

	/* the library gives the CLI's bytes */
	lib_open();
	lib = lib_text("*head->next");
	assert_string_equal(lib, cli);
	free(lib);
	free(cli);
	for (size_t i = 0; i < json_len(nodes); i++) {
		const struct json *w = json_at(nodes, i);

		j = lj("*(struct node *)0x%llx", (unsigned long long)want_u64(w, "addr"));
		check_node(j, w);
		json_free(j);
	}
	/* integer evaluation of the same members */
	assert_int_equal(lib_int("head->next->grid[1][2]"),
			 json_int(json_path(n1, "grid[1][2]"), -1));
	assert_int_equal(lib_int("head->next->kind == COLOR_GREEN"), 1);
	assert_int_equal(lib_int("head->next->weight"), json_int(json_get(n1, "weight"), -1));
	assert_int_equal(lib_int("head->next->st.trend"), json_int(json_get(n1, "trend"), 0));
	assert_int_equal(lib_int("head->next->next->next->next->id"), 5);
}

/* ---- htab -------------------------------------------------------------- */

struct got_entry {
	uint64_t addr, key, value, next;
	char tag[16];
	int bucket, depth;
	bool matched;
};

/* walk bucket b: from *table->buckets[b], then the next pointers by address */
static size_t walk_bucket(int b, bool cli, struct got_entry *got, size_t n, size_t max)
{
	static const char *const ek[] = { "key", "value", "next", "tag" };
	struct json *j;
	uint64_t addr;
	int depth = 0;

	j = cli ? pj("table->buckets[%d]", b) : lj("table->buckets[%d]", b);
	if (json_is_null(j)) {
		json_free(j);
		return n;
	}
	addr = json_u64(json_get(j, "ptr"), 0);
	assert_string_equal(json_str(json_get(j, "target")), "struct entry");
	json_free(j);
	while (addr) {
		struct got_entry *g = &got[n];

		assert_true(n < max); /* no cycles, no more entries than the table has */
		j = cli ? pj("*(struct entry *)0x%llx", (unsigned long long)addr)
			: lj("*(struct entry *)0x%llx", (unsigned long long)addr);
		assert_keys(j, ek, 4);
		memset(g, 0, sizeof(*g));
		g->addr = addr;
		g->key = json_u64(json_get(j, "key"), 0);
		g->value = json_u64(json_get(j, "value"), 0);
		assert_true(json_is_int(json_get(j, "key")));
		assert_true(json_is_int(json_get(j, "value")));
		snprintf(g->tag, sizeof(g->tag), "%s", json_str(json_get(j, "tag")));
		g->bucket = b;
		g->depth = depth++;
		if (json_is_null(json_get(j, "next"))) {
			g->next = 0;
		} else {
			g->next = json_u64(json_path(j, "next.ptr"), 0);
			assert_ptr(json_get(j, "next"), g->next, "struct entry");
		}
		addr = g->next;
		n++;
		json_free(j);
	}
	return n;
}

static void htab_buckets(void **state)
{
	const struct json *entries;
	struct got_entry *got, *cli_got;
	long long nb, count;
	size_t n = 0;
	struct json *j;

	assert_int_equal(fixture_load("htab", &F), 0);
	assert_string_equal(json_str(json_get(F.expect, "root")), "table");
	assert_true(check_root() == want_u64(F.expect, "table"));
	nb = want_int(F.expect, "nbuckets");
	count = want_int(F.expect, "count");
	entries = json_get(F.expect, "entries");
	assert_int_equal(json_len(entries), count);
	assert_int_equal(want_int(F.expect, "entry_size"), sizeof(struct entry));

	j = pj("*table");
	{
		static const char *const k[] = { "nbuckets", "count", "seed", "buckets" };
		const struct json *b = json_get(j, "buckets");

		assert_keys(j, k, 4);
		assert_int_equal(json_int(json_get(j, "nbuckets"), -1), nb);
		assert_int_equal(json_int(json_get(j, "count"), -1), count);
		assert_num(json_get(j, "seed"), json_get(F.expect, "seed"));
		assert_int_equal(json_type(b), JSON_ARRAY);
		assert_int_equal(json_len(b), nb);
		for (size_t i = 0; i < json_len(b); i++)
			if (!json_is_null(json_at(b, i)))
				assert_string_equal(json_str(json_get(json_at(b, i), "target")),
						    "struct entry");
	}
	json_free(j);

	/* every chain, in-process (300 entries: one CLI run each would take long) */
	lib_open();
	got = calloc(count + 1, sizeof(*got));
	for (int b = 0; b < nb; b++)
		n = walk_bucket(b, false, got, n, count + 1);
	assert_int_equal(n, count);
	/* the set of entries is exactly the fixture's, in the same buckets and depths */
	for (size_t i = 0; i < json_len(entries); i++) {
		const struct json *w = json_at(entries, i);
		uint64_t addr = want_u64(w, "addr");
		struct got_entry *g = NULL;

		for (size_t k = 0; k < n && !g; k++)
			if (got[k].addr == addr)
				g = &got[k];
		if (!g)
			fail_msg("entry at 0x%llx (key %s) not found by the walk",
				 (unsigned long long)addr, json_str(json_get(w, "tag")));
		assert_false(g->matched);
		g->matched = true;
		assert_true(g->key == want_u64(w, "key"));
		assert_true(g->value == want_u64(w, "value"));
		assert_string_equal(g->tag, json_str(json_get(w, "tag")));
		assert_int_equal(g->bucket, want_int(w, "bucket"));
		assert_int_equal(g->depth, want_int(w, "depth"));
		assert_true(g->next == want_u64(w, "next"));
	}
	/* the CLI walks the same chains: the first buckets, and the longest one */
	{
		int longest = 0, best = -1;

		for (size_t i = 0; i < n; i++)
			if (got[i].depth > best) {
				best = got[i].depth;
				longest = got[i].bucket;
			}
		cli_got = calloc(count + 1, sizeof(*cli_got));
		for (int b = 0; b < 3; b++) {
			size_t c = walk_bucket(b, true, cli_got, 0, count + 1);
			size_t first = 0;

			while (first < n && got[first].bucket != b)
				first++;
			for (size_t i = 0; i < c; i++) {
				assert_true(cli_got[i].addr == got[first + i].addr);
				assert_true(cli_got[i].key == got[first + i].key);
				assert_string_equal(cli_got[i].tag, got[first + i].tag);
			}
		}
		{
			size_t c = walk_bucket(longest, true, cli_got, 0, count + 1);

			assert_int_equal(c, best + 1);
		}
		free(cli_got);
	}
	/* a chain as one expression */
	for (size_t i = 0; i < n; i++)
		if (got[i].depth == 1) {
			j = pj("table->buckets[%d]->next->tag", got[i].bucket);
			assert_string_equal(json_str(j), got[i].tag);
			json_free(j);
			break;
		}
	free(got);
}

/* ---- tree -------------------------------------------------------------- */

struct tree_walk {
	long long keys[TREE_NODES + 8];
	int n;
	uint64_t dangling_from, dangling_to;
	int dangling;
};

static void tree_visit(struct tree_walk *w, uint64_t addr, uint64_t parent, int depth)
{
	static const char *const k[] = { "key",	   "depth", "left", "right", "parent", "label",
					 "visits", "color", "leaf", "pad",   "u" };
	const struct json *l, *r;
	struct json *j;
	char label[16];
	long long key;

	assert_true(depth < TREE_MAX_DEPTH);
	j = pj("*(struct tnode *)0x%llx", (unsigned long long)addr);
	assert_keys(j, k, 11);
	key = json_int(json_get(j, "key"), -1);
	assert_int_equal(json_int(json_get(j, "depth"), -1), depth);
	assert_ptr(json_get(j, "parent"), parent, "struct tnode");
	snprintf(label, sizeof(label), "key-%04lld", key);
	assert_string_equal(json_str(json_get(j, "label")), label);
	/* the anonymous union: both views of the same bytes */
	assert_int_equal(json_int(json_path(j, "u.pair[0]"), 0), key);
	assert_int_equal(json_int(json_path(j, "u.pair[1]"), 0), -key);
	l = json_get(j, "left");
	r = json_get(j, "right");
	if (!json_is_null(l)) {
		assert_string_equal(json_str(json_get(l, "target")), "struct tnode");
		tree_visit(w, json_u64(json_get(l, "ptr"), 0), addr, depth + 1);
	}
	assert_true(w->n < TREE_NODES + 8);
	w->keys[w->n++] = key;
	if (json_bool(json_get(r, "unallocated")) == 1) {
		/* the dangling pointer: flagged, not followed */
		w->dangling++;
		w->dangling_from = addr;
		w->dangling_to = json_u64(json_get(r, "ptr"), 0);
	} else if (!json_is_null(r)) {
		assert_string_equal(json_str(json_get(r, "target")), "struct tnode");
		tree_visit(w, json_u64(json_get(r, "ptr"), 0), addr, depth + 1);
	}
	json_free(j);
}

static void tree_inorder(void **state)
{
	const struct json *keys, *d;
	struct tree_walk w = { 0 };
	uint64_t root;
	struct json *j, *k;

	assert_int_equal(fixture_load("tree", &F), 0);
	assert_string_equal(json_str(json_get(F.expect, "root")), "root");
	root = check_root();
	assert_true(root == want_u64(F.expect, "root_addr"));
	j = pj("*root");
	k = pj("*(struct tnode *)0x%llx", (unsigned long long)root);
	assert_true(json_equal(j, k));
	assert_num(json_get(j, "key"), json_get(F.expect, "root_key"));
	json_free(j);
	json_free(k);

	tree_visit(&w, root, 0, 0);
	keys = json_get(F.expect, "keys");
	assert_int_equal(w.n, want_int(F.expect, "count"));
	assert_int_equal(w.n, json_len(keys));
	for (int i = 0; i < w.n; i++)
		assert_int_equal(w.keys[i], json_int(json_at(keys, i), -1));
	/* exactly one dangling pointer, the fixture's */
	d = json_get(F.expect, "dangling");
	assert_int_equal(w.dangling, 1);
	assert_string_equal(json_str(json_get(d, "field")), "right");
	assert_int_equal(want_int(d, "field_offset"), offsetof(struct tnode, right));
	assert_true(w.dangling_from == want_u64(d, "from"));
	assert_true(w.dangling_to == want_u64(d, "to"));
	assert_int_equal(page_of(w.dangling_to), want_int(d, "page"));
}

/* The dangling pointer and what lies behind it. */
static void tree_dangling(void **state)
{
	struct fixture_counts before, after;
	const struct json *d;
	uint64_t from, to;
	char *out, e[256];
	struct json *j;

	assert_int_equal(fixture_load("tree", &F), 0);
	assert_int_equal(fixture_count(&F, &before), 0);
	d = json_get(F.expect, "dangling");
	from = want_u64(d, "from");
	to = want_u64(d, "to");

	/* the node holding it: decoded, the pointer flagged in text and JSON */
	out = pt("*(struct tnode *)0x%llx", (unsigned long long)from);
	snprintf(e, sizeof(e), "\t.right = 0x%llx <unallocated>,\n", (unsigned long long)to);
	if (!strstr(out, e))
		fail_msg("'%s' not in\n%s", e, out);
	snprintf(e, sizeof(e), "\t.key = %lld,\n", want_int(d, "from_key"));
	assert_non_null(strstr(out, e));
	free(out);
	j = pj("*(struct tnode *)0x%llx", (unsigned long long)from);
	assert_int_equal(json_int(json_get(j, "key"), -1), want_int(d, "from_key"));
	assert_true(json_u64(json_path(j, "right.ptr"), 0) == to);
	assert_int_equal(json_bool(json_path(j, "right.unallocated")), 1);
	assert_null(json_path(j, "right.outside"));
	json_free(j);
	/* the pointer alone */
	snprintf(e, sizeof(e), "((struct tnode *)0x%llx)->right", (unsigned long long)from);
	out = pt("%s", e);
	assert_non_null(strstr(out, "<unallocated>"));
	assert_int_equal(cli_count_lines(out), 1);
	free(out);
	j = pj("%s", e);
	assert_true(json_u64(json_get(j, "ptr"), 0) == to);
	assert_int_equal(json_bool(json_get(j, "unallocated")), 1);
	json_free(j);

	/*
	 * *pointer: the struct it names is in a page that is not allocated;
	 * print shows the value flagged and reads nothing (expr.h: the final
	 * lvalue is not read).
	 */
	snprintf(e, sizeof(e), "*((struct tnode *)0x%llx)->right", (unsigned long long)from);
	out = pt("%s", e);
	{
		char want[300];

		snprintf(want, sizeof(want), "%s = <unallocated>\n", e);
		assert_string_equal(out, want);
	}
	free(out);
	j = pj("%s", e);
	assert_int_equal(json_bool(json_get(j, "unallocated")), 1);
	assert_true(json_u64(json_get(j, "addr"), 0) == to);
	json_free(j);
	/* needing its bytes: one clear error, exit 1 */
	snprintf(e, sizeof(e), "0x%llx is in a page that is not allocated",
		 (unsigned long long)(to + offsetof(struct tnode, left)));
	{
		char expr[256];

		snprintf(expr, sizeof(expr), "((struct tnode *)0x%llx)->right->left->key",
			 (unsigned long long)from);
		print_fails(e, expr);
		snprintf(expr, sizeof(expr), "*((struct tnode *)0x%llx)->right->left",
			 (unsigned long long)from);
		print_fails(e, expr);
		snprintf(expr, sizeof(expr), "((struct tnode *)0x%llx)->right->key + 1",
			 (unsigned long long)from);
		snprintf(e, sizeof(e), "0x%llx is in a page that is not allocated",
			 (unsigned long long)to);
		print_fails(e, expr);
	}
	/* the library says -ENODATA */
	lib_open();
	{
		char expr[256];
		struct expr *x;
		int64_t v;
		int col;

		snprintf(expr, sizeof(expr), "((struct tnode *)0x%llx)->right->key + 1",
			 (unsigned long long)from);
		assert_int_equal(expr__parse(expr, &x, &col), 0);
		assert_int_equal(expr__eval_int(x, LBX, LSRC, &v), -ENODATA);
		expr__free(x);
	}
	/* a struct across the boundary: the allocated part decoded, the rest flagged */
	if (page_of(to) > 0 && page_of(from) == page_of(to) - 1) {
		static const char *const k[] = { "key",	   "depth", "left",   "right",
						 "parent", "label", "visits", "color",
						 "leaf",   "pad",   "u" };

		j = pj("*(struct tnode *)0x%llx", (unsigned long long)(to - 4));
		assert_keys(j, k, 11);
		assert_true(json_is_int(json_get(j, "key")));
		for (size_t i = 1; i < 11; i++)
			assert_int_equal(json_bool(json_get(json_at(j, i), "unallocated")), 1);
		assert_true(json_u64(json_path(j, "depth.addr"), 0) == to);
		json_free(j);
	}
	/* none of this allocated a page */
	assert_int_equal(fixture_count(&F, &after), 0);
	assert_int_equal(after.allocated, before.allocated);
}

/* ---- sparse ------------------------------------------------------------ */

static bool in_sorted(const struct json *arr, long long v)
{
	size_t lo = 0, hi = json_len(arr);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		long long m = json_int(json_at(arr, mid), -1);

		if (m == v)
			return true;
		if (m < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void check_sparse_page(const struct json *j, uint64_t addr, const char *expr)
{
	static const char *const k[] = { "index", "magic", "label", "prev" };
	const struct json *pages = json_get(F.expect, "pages");
	uint64_t magic = want_u64(F.expect, "magic");
	uint32_t idx = page_of(addr);
	char label[32];
	struct json *t;

	assert_true(addr % PAGE == 0);
	assert_true(in_sorted(pages, idx));
	assert_keys(j, k, 4);
	assert_true(json_u64(json_get(j, "index"), 0) == idx);
	assert_true(json_u64(json_get(j, "magic"), 0) == (magic | (idx & 0xffff)));
	snprintf(label, sizeof(label), "pg%07u", idx);
	assert_string_equal(json_str(json_get(j, "label")), label);
	/* the index again at offset 4088, through a cast and an index */
	t = pj("((u64 *)(%s))[511]", expr);
	assert_true(json_u64(t, 0) == idx);
	json_free(t);
}

/* hex text: the run of reserved/free pages before the first allocated page
 * is one line; that page's lines, with "*" for repeats, expand to exactly
 * the lines JSON lists one by one; OFFSET is hex, as in the TUI */
static void hex_collapsed(void **state)
{
	const struct json *pages;
	uint64_t first = UINT64_MAX, nlines;
	char want[128], *out, *l, *save = NULL, prev[64] = "";
	struct json *j;
	size_t k = 0, holes = 0;

	assert_int_equal(fixture_load("sparse", &F), 0);
	pages = json_get(F.expect, "pages");
	for (size_t i = 0; i < json_len(pages); i++)
		if ((uint64_t)json_int(json_at(pages, i), 0) < first)
			first = json_int(json_at(pages, i), 0);
	assert_true(first >= SPARSE_GUARD && first != UINT64_MAX);
	out = inspect_ok("hex id %u +0 %llu -j", F.map_id,
			 (unsigned long long)((first + 1) * PAGE));
	j = parse_or_fail("hex -j", out);
	free(out);
	/* JSON as it was: one object per missing page, then 256 lines */
	assert_int_equal(json_len(j), first + PAGE / 16);
	for (size_t i = 0; i < first; i++)
		assert_int_equal(json_bool(json_get(json_at(j, i), "unallocated")), 1);
	out = inspect_ok("hex id %u +0 %llu", F.map_id, (unsigned long long)((first + 1) * PAGE));
	snprintf(want, sizeof(want), "-- pages 0-%llu not allocated (%llu pages, ",
		 (unsigned long long)(first - 1), (unsigned long long)first);
	k = first;
	for (l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long long off, addr, n;
		char hex[64];

		if (strstr(l, "OFFSET") == l + strspn(l, " "))
			continue;
		if (strstr(l, "not allocated")) {
			assert_non_null(strstr(l, want));
			holes++;
			continue;
		}
		if (sscanf(l, "*  (%llu more line", &n) == 1) {
			/* the line above, n more times */
			assert_true(prev[0]);
			for (; n; n--, k++) {
				assert_true(k < json_len(j));
				assert_string_equal(json_str(json_get(json_at(j, k), "hex")), prev);
			}
			continue;
		}
		assert_int_equal(sscanf(l, "%llx %llx", &off, &addr), 2);
		assert_true(k < json_len(j));
		assert_int_equal(off, json_int(json_get(json_at(j, k), "offset"), -1));
		assert_int_equal(addr, json_u64(json_get(json_at(j, k), "addr"), 0));
		snprintf(hex, sizeof(hex), "%.48s", l + 25);
		while (strlen(hex) && hex[strlen(hex) - 1] == ' ')
			hex[strlen(hex) - 1] = 0;
		assert_string_equal(hex, json_str(json_get(json_at(j, k), "hex")));
		snprintf(prev, sizeof(prev), "%s", hex);
		k++;
	}
	assert_int_equal(holes, 1);
	nlines = k;
	assert_int_equal(nlines, json_len(j));
	free(out);
	json_free(j);
	(void)state;
}

static void sparse_pages(void **state)
{
	const struct json *pages, *runs;
	char chain[512], *out;
	uint64_t addr, free_page = 0;
	struct json *j;

	assert_int_equal(fixture_load("sparse", &F), 0);
	assert_string_equal(json_str(json_get(F.expect, "root")), "last");
	addr = check_root();
	assert_true(addr == want_u64(F.expect, "last"));
	assert_true(want_u64(F.expect, "magic") == SPARSE_MAGIC);
	pages = json_get(F.expect, "pages");
	assert_int_equal(json_len(pages), want_int(F.expect, "allocated"));
	/* last, last->prev, ...: each allocated, each with its pattern */
	snprintf(chain, sizeof(chain), "last");
	for (int i = 0; i < 6 && addr; i++) {
		char e[600];

		snprintf(e, sizeof(e), "*%s", chain);
		j = pj("%s", e);
		check_sparse_page(j, addr, chain);
		if (json_is_null(json_get(j, "prev"))) {
			addr = 0;
		} else {
			addr = json_u64(json_path(j, "prev.ptr"), 0);
			assert_ptr(json_get(j, "prev"), addr, "struct sparse_page");
		}
		json_free(j);
		strcat(chain, "->prev");
	}
	j = pj("*first");
	check_sparse_page(j, want_u64(F.expect, "first"), "first");
	json_free(j);
	/* a few more by address, spread over the arena */
	for (size_t i = 0; i < json_len(pages); i += json_len(pages) / 4 + 1) {
		uint64_t a = F.user_vm_start + json_int(json_at(pages, i), 0) * PAGE;
		char e[64];

		snprintf(e, sizeof(e), "(struct sparse_page *)0x%llx", (unsigned long long)a);
		j = pj("*%s", e);
		check_sparse_page(j, a, e);
		json_free(j);
	}

	/* reserved (the NULL guard) and free pages: flagged, never read */
	runs = json_get(F.expect, "reserved_runs");
	assert_int_equal(json_int(json_path(runs, "[0][0]"), -1), 0);
	out = pt("*(struct sparse_page *)0x%llx", (unsigned long long)F.user_vm_start);
	assert_non_null(strstr(out, "= <unallocated>\n"));
	free(out);
	j = pj("*(struct sparse_page *)0x%llx", (unsigned long long)(F.user_vm_start + 8 * PAGE));
	assert_int_equal(json_bool(json_get(j, "unallocated")), 1);
	json_free(j);
	for (uint64_t p = SPARSE_GUARD; p < 100000 && !free_page; p++) {
		bool reserved = false;

		for (size_t r = 0; r < json_len(runs); r++) {
			long long first = json_int(json_path(json_at(runs, r), "[0]"), -1);
			long long n = json_int(json_path(json_at(runs, r), "[1]"), -1);

			reserved |= (long long)p >= first && (long long)p < first + n;
		}
		if (!reserved && !in_sorted(pages, p))
			free_page = p;
	}
	assert_true(free_page != 0);
	j = pj("*(struct sparse_page *)0x%llx",
	       (unsigned long long)(F.user_vm_start + free_page * PAGE));
	assert_int_equal(json_bool(json_get(j, "unallocated")), 1);
	json_free(j);
	j = pj("((struct sparse_page *)0x%llx)->label",
	       (unsigned long long)(F.user_vm_start + free_page * PAGE));
	assert_int_equal(json_bool(json_get(j, "unallocated")), 1);
	json_free(j);
}

/* ---- nouser ------------------------------------------------------------ */

static void nouser_list(void **state)
{
	static const char *const k[] = { "magic", "seq", "crc", "msg", "self", "next" };
	const struct json *list;
	char chain[256];
	struct json *j;

	assert_int_equal(fixture_load("nouser", &F), 0);
	assert_true(F.map_extra == 0);
	assert_string_equal(json_str(json_get(F.expect, "root")), "objs");
	/* the root's value is an address only the kernel could tell us */
	assert_true(check_root() == want_u64(F.expect, "objs"));
	assert_true(want_u64(F.expect, "objs") == want_u64(F.expect, "user_vm_start"));
	assert_true(F.user_vm_start == want_u64(F.expect, "user_vm_start"));
	list = json_get(F.expect, "list");
	assert_int_equal(json_len(list), want_int(F.expect, "count"));
	snprintf(chain, sizeof(chain), "objs");
	for (size_t i = 0; i < json_len(list); i++) {
		const struct json *w = json_at(list, i);
		uint64_t addr = want_u64(w, "addr");

		j = pj("%s", chain);
		assert_ptr(j, addr, "struct nu_obj");
		json_free(j);
		j = pj("*%s", chain);
		assert_keys(j, k, 6);
		assert_num(json_get(j, "magic"), json_get(w, "magic"));
		assert_num(json_get(j, "seq"), json_get(w, "seq"));
		assert_num(json_get(j, "crc"), json_get(w, "crc"));
		assert_string_equal(json_str(json_get(j, "msg")), json_str(json_get(w, "msg")));
		assert_ptr(json_get(j, "self"), want_u64(w, "self"), "struct nu_obj");
		assert_true(want_u64(w, "self") == addr);
		assert_ptr(json_get(j, "next"), want_u64(w, "next"), "struct nu_obj");
		json_free(j);
		strcat(chain, "->next");
	}
	j = pj("%s", chain);
	assert_true(json_is_null(j));
	json_free(j);
	/* and by address, through self */
	j = pj("*objs->next->self->self");
	assert_string_equal(json_str(json_get(j, "msg")), json_str(json_path(list, "[1].msg")));
	json_free(j);
}

/* ---- live -------------------------------------------------------------- */

/* print --format F: GDB's print formats on every scalar of a live struct;
 * JSON keeps the number and adds "text" */
static void print_format(void **state)
{
	char ae[1200], want[64], *out;
	long long magic;
	struct json *j;

	assert_int_equal(fixture_load("live", &F), 0);
	j = pj("*hdr");
	magic = want_int(j, "magic");
	assert_int_equal(magic, LIVE_MAGIC);
	json_free(j);
	/* text: every member in hex, magic among them */
	out = inspect_ok("print %s --format x", arena_expr(ae, sizeof(ae), "*hdr"));
	snprintf(want, sizeof(want), ".magic = 0x%llx,", magic);
	if (!strstr(out, want))
		fail_msg("print --format x *hdr lacks '%s':\n%s", want, out);
	free(out);
	/* zero-padded to the member's size, octal, binary, signed */
	out = inspect_ok("print %s --format z", arena_expr(ae, sizeof(ae), "hdr->magic"));
	snprintf(want, sizeof(want), "hdr->magic = 0x%0*llx\n",
		 (int)(2 * sizeof(((struct live_hdr *)0)->magic)), magic);
	assert_string_equal(out, want);
	free(out);
	out = inspect_ok("print %s --format o", arena_expr(ae, sizeof(ae), "hdr->magic"));
	snprintf(want, sizeof(want), "hdr->magic = 0%llo\n", magic);
	assert_string_equal(out, want);
	free(out);
	out = inspect_ok("print %s --format t", arena_expr(ae, sizeof(ae), "hdr->magic & 7"));
	assert_true(strchr(out, '=') != NULL);
	snprintf(want, sizeof(want), "%d%d%d", (int)(magic >> 2 & 1), (int)(magic >> 1 & 1),
		 (int)(magic & 1));
	/* binary without leading zeros */
	assert_non_null(strstr(out, want + strspn(want, "0")));
	free(out);
	/* JSON: the number as it was, plus "text" */
	out = inspect_ok("print %s --format x -j", arena_expr(ae, sizeof(ae), "*hdr"));
	j = parse_or_fail("print --format x -j", out);
	free(out);
	assert_int_equal(json_int(json_get(json_get(j, "magic"), "value"), -1), magic);
	snprintf(want, sizeof(want), "0x%llx", magic);
	assert_string_equal(json_str(json_get(json_get(j, "magic"), "text")), want);
	json_free(j);
	/* a bad letter: one line, exit 1 */
	free(inspect_fail(1, "--format: 'q' is not one of x d u o t c a s z", "print %s --format q",
			  arena_expr(ae, sizeof(ae), "hdr->magic")));
	/* the CLI has no value history: one clear line */
	free(inspect_fail(1, "no value history here", "print %s",
			  arena_expr(ae, sizeof(ae), "$1")));
	(void)state;
}

static void live_hdr(void **state)
{
	static const char *const tk[] = { "pid",	"tgid",		"comm", "switches",
					  "runtime_ns", "last_seen_ns", "next" };
	const struct json *offs;
	LIBBPF_OPTS(bpf_test_run_opts, ro);
	struct live_bump_args args = { .add = 5 };
	long long gen, bumps, pid;
	struct json *j;
	int fd;

	assert_int_equal(fixture_load("live", &F), 0);
	assert_string_equal(json_str(json_get(F.expect, "root")), "hdr");
	assert_true(check_root() == want_u64(F.expect, "hdr"));
	j = pj("*hdr");
	/* every member, in the order and at the offsets the fixture reports */
	offs = json_get(F.expect, "offsets");
	assert_int_equal(json_len(j), json_len(offs));
	for (size_t i = 0; i < json_len(offs); i++)
		assert_string_equal(json_key_at(j, i), json_key_at(offs, i));
	assert_int_equal(want_int(offs, "magic"), offsetof(struct live_hdr, magic));
	assert_num(json_get(j, "magic"), json_get(F.expect, "magic"));
	assert_int_equal(json_int(json_get(j, "magic"), 0), LIVE_MAGIC);
	gen = want_int(j, "generation");
	bumps = want_int(j, "bumps");
	assert_int_equal(gen, want_int(F.expect, "generation"));
	assert_int_equal(bumps, want_int(F.expect, "bumps"));
	assert_ptr(json_get(j, "table"), want_u64(F.expect, "table"), "struct live_table");
	assert_ptr(json_get(j, "pool"), want_u64(F.expect, "pool"), "struct task_stat");
	assert_true(json_int(json_get(j, "nr_tasks"), -1) >= 1);
	assert_true(json_int(json_get(j, "nr_tasks"), -1) <= want_int(F.expect, "pool_size"));
	json_free(j);
	/* the table and the first pooled task */
	j = pj("*table");
	assert_int_equal(json_int(json_get(j, "nbuckets"), -1), want_int(F.expect, "nbuckets"));
	assert_int_equal(json_int(json_get(j, "pool_size"), -1), want_int(F.expect, "pool_size"));
	assert_int_equal(json_len(json_get(j, "buckets")), want_int(F.expect, "nbuckets"));
	json_free(j);
	j = pj("pool[0]");
	assert_keys(j, tk, 7);
	pid = want_int(j, "pid"); /* may be 0: the idle task switches too */
	assert_int_equal(json_type(json_get(j, "comm")), JSON_STRING);
	assert_true(json_int(json_get(j, "switches"), 0) >= 1);
	assert_true(json_is_int(json_get(j, "last_seen_ns")));
	assert_true(json_is_null(json_get(j, "next")) ||
		    !strcmp(json_str(json_path(j, "next.target")), "struct task_stat"));
	json_free(j);
	/* the same through hdr->pool */
	j = pj("hdr->pool[0].pid");
	assert_int_equal(json_int(j, -1), pid);
	json_free(j);
	/* bump it from BPF, read the change */
	fd = bpf_obj_get(json_str(json_get(F.expect, "bump_prog")));
	assert_true(fd >= 0);
	ro.ctx_in = &args;
	ro.ctx_size_in = sizeof(args);
	assert_int_equal(bpf_prog_test_run_opts(fd, &ro), 0);
	close(fd);
	assert_int_equal(ro.retval, gen + 1);
	j = pj("*hdr");
	assert_int_equal(json_int(json_get(j, "generation"), -1), gen + 1);
	assert_int_equal(json_int(json_get(j, "bumps"), -1), bumps + 5);
	assert_int_equal(json_int(json_get(j, "last_arg"), -1), 5);
	json_free(j);
}

/* ---- caps that show (issue 11 item 1) ---------------------------------- */

/*
 * pool[0:300] on the live fixture is more than print shows by default (256):
 * the cut says so in text and JSON, and --max-elements shows every element,
 * each the same task as pool[i] read on its own.
 */
static void pool_cut(void **state)
{
	char ae[1200], *out, *more;
	const struct json *el;
	struct json *j, *one;
	int n = 0;

	assert_int_equal(fixture_load("live", &F), 0);
	assert_true(want_int(F.expect, "pool_size") >= 300);
	/* JSON: an object that carries the cut and the elements shown */
	j = pj("pool[0:300]");
	assert_int_equal(json_type(j), JSON_OBJECT);
	assert_int_equal(json_bool(json_get(j, "truncated")), 1);
	assert_int_equal(json_int(json_get(j, "total"), -1), 300);
	el = json_get(j, "elements");
	assert_int_equal(json_type(el), JSON_ARRAY);
	assert_int_equal(json_len(el), 256);
	one = pj("pool[255]");
	assert_int_equal(json_int(json_get(json_at(el, 255), "tgid"), -1),
			 json_int(json_get(one, "tgid"), -2));
	json_free(one);
	json_free(j);
	/* text: the 44 not shown, and how to see them */
	out = pt("pool[0:300]");
	more = strstr(out, "\t... 44 more (--max-elements N)\n]");
	if (!more)
		fail_msg("no '... 44 more' line:\n%s",
			 out + (strlen(out) > 400 ? strlen(out) - 400 : 0));
	for (char *p = out; (p = strstr(p, "\t{\n")); p++)
		n++;
	assert_int_equal(n, 256);
	free(out);
	/* --max-elements 1000: all 300, a plain array, no marker */
	out = inspect_ok("print --max-elements 1000 %s -j",
			 arena_expr(ae, sizeof(ae), "pool[0:300]"));
	j = parse_or_fail("--max-elements 1000", out);
	free(out);
	assert_int_equal(json_type(j), JSON_ARRAY);
	assert_int_equal(json_len(j), 300);
	one = pj("pool[299]");
	assert_int_equal(json_int(json_get(json_at(j, 299), "tgid"), -1),
			 json_int(json_get(one, "tgid"), -2));
	json_free(one);
	json_free(j);
	out = inspect_ok("print %s --max-elements 1000", arena_expr(ae, sizeof(ae), "pool[0:300]"));
	assert_null(strstr(out, " more (--max-elements N)"));
	n = 0;
	for (char *p = out; (p = strstr(p, "\t{\n")); p++)
		n++;
	assert_int_equal(n, 300);
	free(out);
	/* a smaller cap cuts the 256 buckets of the table, and says so */
	j = pj("*table");
	assert_int_equal(json_type(json_get(j, "buckets")), JSON_ARRAY);
	json_free(j);
	out = inspect_ok("print --max-elements 10 %s -j", arena_expr(ae, sizeof(ae), "*table"));
	j = parse_or_fail("--max-elements 10", out);
	free(out);
	assert_int_equal(json_bool(json_path(j, "buckets.truncated")), 1);
	assert_int_equal(json_int(json_path(j, "buckets.total"), -1),
			 want_int(F.expect, "nbuckets"));
	assert_int_equal(json_len(json_path(j, "buckets.elements")), 10);
	json_free(j);
	/* a bad cap: one line, exit 1 */
	free(inspect_fail(1, "--max-elements", "print --max-elements 0 %s",
			  arena_expr(ae, sizeof(ae), "pool[0:3]")));
	free(inspect_fail(1, "--max-elements", "print --max-elements x %s",
			  arena_expr(ae, sizeof(ae), "pool[0:3]")));
}

/* ---- churn (paused) ---------------------------------------------------- */

static void churn_paused(void **state)
{
	static const char *const hk[] = { "steps", "serial", "nslots", "live", "slots" };
	static const char *const ok[] = { "serial",   "slot", "npages", "gen",
					  "checksum", "text", "prev" };
	struct fixture_counts c;
	const struct json *slots;
	long long live = 0, serial, checked = 0;
	struct json *j;
	char *cli, *lib;

	assert_int_equal(fixture_load("churn", &F), 0);
	assert_string_equal(json_str(json_get(F.expect, "root")), "state");
	assert_true(check_root() == want_u64(F.expect, "state"));
	assert_int_equal(fixture_cmd(&F, "pause", NULL, NULL), 0);
	assert_int_equal(fixture_count(&F, &c), 0);
	j = pj("*state");
	assert_keys(j, hk, 5);
	assert_true((uint64_t)want_int(j, "steps") == c.fixture_steps);
	assert_true(c.fixture_steps >= (uint64_t)want_int(F.expect, "steps"));
	assert_int_equal(want_int(j, "nslots"), want_int(F.expect, "nslots"));
	serial = want_int(j, "serial");
	slots = json_get(j, "slots");
	assert_int_equal(json_len(slots), CHURN_SLOTS);
	lib_open();
	for (size_t i = 0; i < json_len(slots); i++) {
		const struct json *s = json_at(slots, i);
		struct json *o;
		char text[32];
		uint32_t ser, gen;

		if (json_is_null(s))
			continue;
		live++;
		assert_string_equal(json_str(json_get(s, "target")), "struct churn_obj");
		o = lj("*state->slots[%zu]", i);
		assert_keys(o, ok, 7);
		assert_int_equal(want_int(o, "slot"), i);
		assert_true(want_int(o, "serial") >= 1 && want_int(o, "serial") <= serial);
		assert_true(want_int(o, "npages") >= 1 && want_int(o, "npages") <= CHURN_MAX_RUN);
		ser = want_int(o, "serial");
		gen = want_int(o, "gen");
		assert_int_equal(want_int(o, "checksum"), (uint32_t)(ser * 2654435761U) ^ gen);
		snprintf(text, sizeof(text), "slot%03zu/g%03u", i % 1000, gen % 1000);
		assert_string_equal(json_str(json_get(o, "text")), text);
		json_free(o);
		/* a few through the CLI too: the same bytes */
		if (checked++ < 3) {
			cli = inspect_ok("print id %u '*state->slots[%zu]' -j", F.map_id, i);
			{
				char e[64];

				snprintf(e, sizeof(e), "*state->slots[%zu]", i);
				lib = lib_text(e);
			}
			assert_string_equal(cli, lib);
			free(cli);
			free(lib);
		}
	}
	assert_int_equal(want_int(j, "live"), live);
	json_free(j);
	{
		/* state->live is a __u32: arithmetic on it is unsigned, as in C
		 * (the expected values are computed by the C compiler from the
		 * same field); print and conditions (expr__eval_int) agree */
		__u32 lv = (__u32)live;
		char want[32];

		assert_true(lv < 1000);
		assert_int_equal(lib_int("state->live - 1000 > 0"), lv - 1000 > 0);
		assert_int_equal(lib_int("state->live - 1000 < 0"), 0); /* unsigned: never */
		assert_int_equal(lib_int("(int)state->live - 1000 > 0"), (int)lv - 1000 > 0);
		assert_int_equal(lib_int("state->live - 1000L > 0"), lv - 1000L > 0);
		j = pj("state->live - 1000 > 0");
		assert_int_equal(json_int(j, -1), lv - 1000 > 0);
		json_free(j);
		snprintf(want, sizeof(want), "%u\n", lv - 1000);
		cli = inspect_ok("print id %u 'state->live - 1000' -j", F.map_id);
		assert_string_equal(cli, want);
		free(cli);
		snprintf(want, sizeof(want), "%lld\n", (long long)(lv - 1000LL));
		cli = inspect_ok("print id %u 'state->live - 1000LL' -j", F.map_id);
		assert_string_equal(cli, want);
		free(cli);
		/* the text form names the expression and prints the unsigned value */
		snprintf(want, sizeof(want), "= %u\n", lv - 1000);
		cli = pt("state->live - 1000");
		assert_non_null(strstr(cli, want));
		free(cli);
	}
	/* steps taken while paused show up */
	assert_int_equal(fixture_cmd(&F, "step", "5", NULL), 0);
	j = pj("state->steps");
	assert_true((uint64_t)json_int(j, -1) == c.fixture_steps + 5);
	json_free(j);
	assert_int_equal(fixture_count(&F, &c), 0);
	assert_int_equal(lib_int("state->steps"), c.fixture_steps);
}

/* ---- errors ------------------------------------------------------------ */

/* A parse error: one line, the message with its column and the expression
 * with '_' at that column (stderr is a pipe here, so no caret lines). */
static void parse_error(const char *expr, const char *msg)
{
	char ae[1200], *err, want[1200];
	const char *c;
	int col;

	err = inspect_fail(1, msg, "print %s", arena_expr(ae, sizeof(ae), expr));
	c = strstr(err, "at column ");
	assert_non_null(c);
	col = atoi(c + 10);
	assert_true(col >= 0 && (size_t)col <= strlen(expr));
	snprintf(want, sizeof(want), ": %.*s_%s\n", col, expr, expr + col);
	if (strlen(err) < strlen(want) || strcmp(err + strlen(err) - strlen(want), want))
		fail_msg("'%s': stderr '%s' does not end in '%s'", expr, err, want);
	free(err);
	/* the same with -j: errors are not JSON, stdout stays empty */
	free(inspect_fail(1, msg, "print %s -j", arena_expr(ae, sizeof(ae), expr)));
}

static void cli_errors(void **state)
{
	char e[256];

	assert_int_equal(fixture_load("list", &F), 0);
	/* malformed expressions: the column, in one line */
	parse_error("head->(next", "expected a member name at column 6");
	parse_error("head->next)", "at column 10");
	parse_error("(struct node *", "expected ')' at column 14");
	parse_error("head[1", "expected ']' at column 6");
	parse_error("head->next->", "at column 12");
	parse_error("head @ 2", "at column 5");
	/* names */
	print_fails("'nope' is not a member of struct node", "head->nope");
	print_fails("'nope' is not a member of struct node", "(*head).nope");
	print_fails("unknown name 'nosuchroot'", "nosuchroot");
	/* did you mean: a member, a root (exit 1, one line, the suggestion in it) */
	print_fails("'nxt' is not a member of struct node (did you mean 'next'?)", "head->nxt");
	print_fails("unknown name 'haed' (not a root, a variable or an enum constant; did you mean "
		    "'head'?)",
		    "haed->id");
	/* a command and a selector word, not taken as file names */
	free(inspect_fail(1, "unknown command 'pagess' (did you mean 'pages'?)", "pagess id %u",
			  F.map_id));
	free(inspect_fail(1, "unknown command 'lsit' (did you mean 'list'?)", "lsit"));
	free(inspect_fail(1, "idd: No such file or directory (did you mean 'id'?", "idd %u",
			  F.map_id));
	free(inspect_fail(1, "did you mean 'id'?", "pages idd %u", F.map_id));
	free(inspect_fail(1, "did you mean 'pinned'?", "print pined /sys/fs/bpf/x head"));
	print_fails("unknown type 'struct nosuch *'", "*(struct nosuch *)head");
	print_fails("cannot dereference", "*head->id");
	/* NULL */
	print_fails("cannot dereference 'tail->next': it is NULL", "*tail->next");
	print_fails("'tail->next' is NULL", "tail->next->id");
	print_fails("NULL", "*(struct node *)0");
	/* bounds */
	print_fails("index 5 is out of range for 'head->grid'", "head->grid[5]");
	print_fails("division by zero", "head->id / 0");
	/* outside the arena: below, at the end, a garbage pointer */
	snprintf(e, sizeof(e), "*(struct node *)0x%llx", (unsigned long long)F.user_vm_end);
	print_fails("outside the arena", e);
	snprintf(e, sizeof(e), "*(struct node *)0x%llx",
		 (unsigned long long)(F.user_vm_start - 80));
	print_fails("outside the arena", e);
	print_fails("0x1234 is outside the arena", "*(struct node *)0x1234");
	print_fails("outside the arena", "((struct node *)0x1234)->next->id");
	/* a struct that starts in the arena's last page and runs past its end */
	snprintf(e, sizeof(e), "*(struct node *)0x%llx", (unsigned long long)(F.user_vm_end - 8));
	print_fails("past the end of the arena", e);
	/* the garbage pointer itself is a value: printed, flagged */
	{
		struct json *j = pj("(struct node *)0x1234");

		assert_string_equal(json_str(json_get(j, "ptr")), "0x1234");
		assert_int_equal(json_bool(json_get(j, "outside")), 1);
		assert_null(json_get(j, "target"));
		json_free(j);
	}
	/* the command itself */
	free(inspect_fail(1, "usage: print ARENA EXPR", "print id %u", F.map_id));
}

/* bytes of the raw BTF of the fixture's first program, from the kernel */
static void *prog_btf_raw(uint32_t *size)
{
	struct bpf_prog_info pi;
	__u32 len = sizeof(pi);
	const void *raw;
	struct btf *b;
	void *copy;
	int fd;

	assert_true(F.nr_progs >= 1);
	fd = bpf_prog_get_fd_by_id(F.prog_ids[0]);
	assert_true(fd >= 0);
	memset(&pi, 0, sizeof(pi));
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &pi, &len), 0);
	close(fd);
	assert_true(pi.btf_id != 0);
	b = btf__load_from_kernel_by_id(pi.btf_id);
	assert_non_null(b);
	raw = btf__raw_data(b, size);
	assert_non_null(raw);
	copy = malloc(*size);
	memcpy(copy, raw, *size);
	btf__free(b);
	return copy;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return buf;
}

/* print through --btf FILE fails with one line naming the file */
static void btf_file_fails(const char *file, const char *msg)
{
	char *err = inspect_fail(1, msg, "print id %u --btf %s '*head'", F.map_id, file);

	assert_non_null(strstr(err, file));
	free(err);
	err = inspect_fail(1, msg, "types id %u --btf %s -j", F.map_id, file);
	free(err);
}

static void btf_file_errors(void **state)
{
	char dir[] = "/tmp/it_print.XXXXXX", path[128], obj[512];
	size_t sizes[8], olen = 0;
	uint32_t size;
	uint8_t *raw, *o;
	struct json *a, *b;
	char *out;

	assert_int_equal(fixture_load("list", &F), 0);
	assert_non_null(mkdtemp(dir));
	btf_file_fails("/etc/hostname", "not a valid BTF");
	btf_file_fails("/no/such/btf/file", "No such file");
	snprintf(path, sizeof(path), "%s/empty", dir);
	write_file(path, "", 0);
	btf_file_fails(path, "not a valid BTF");
	unlink(path);

	/* the program's own raw BTF works, and decodes as the found one */
	raw = prog_btf_raw(&size);
	snprintf(path, sizeof(path), "%s/full.btf", dir);
	write_file(path, raw, size);
	out = inspect_ok("print id %u --btf %s '*head' -j", F.map_id, path);
	a = parse_or_fail("--btf", out);
	free(out);
	b = pj("*head");
	assert_true(json_equal(a, b));
	json_free(a);
	json_free(b);
	unlink(path);
	/* truncated copies of it */
	sizes[0] = 1;
	sizes[1] = 4;
	sizes[2] = 24; /* the header alone */
	sizes[3] = 25;
	sizes[4] = size / 3;
	sizes[5] = size / 2;
	sizes[6] = size - 8;
	sizes[7] = size - 1;
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "%s/cut%zu.btf", dir, sizes[i]);
		write_file(path, raw, sizes[i]);
		btf_file_fails(path, "not a valid BTF");
		unlink(path);
	}
	free(raw);

	/* the fixture's .bpf.o, next to the binaries (build/skel/list.bpf.o) */
	snprintf(obj, sizeof(obj), "%s", INSPECT_BIN);
	assert_non_null(strstr(obj, "/ui/arena-inspect"));
	strcpy(strstr(obj, "/ui/arena-inspect"), "/skel/list.bpf.o");
	o = read_file(obj, &olen);
	if (o) {
		const Elf64_Ehdr *eh = (const void *)o;
		size_t cuts[] = { 16, 64, 1024, olen / 2, olen - 64, olen - 1 };

		out = inspect_ok("print id %u --btf %s '*head->next' -j", F.map_id, obj);
		a = parse_or_fail("--btf .o", out);
		free(out);
		assert_int_equal(json_int(json_get(a, "id"), -1), 2);
		json_free(a);
		for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
			snprintf(path, sizeof(path), "%s/cut%zu.o", dir, cuts[i]);
			write_file(path, o, cuts[i]);
			btf_file_fails(path, "not a valid BTF");
			unlink(path);
		}
		/* a whole ELF whose .BTF section is cut short, or claims more than the file */
		assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
		assert_true(eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) <= olen);
		{
			Elf64_Shdr *sh = (void *)(o + eh->e_shoff);
			const char *names = (const char *)o + sh[eh->e_shstrndx].sh_offset;
			Elf64_Shdr *btf_sh = NULL;

			for (int i = 0; i < eh->e_shnum; i++)
				if (!strcmp(names + sh[i].sh_name, ".BTF"))
					btf_sh = &sh[i];
			assert_non_null(btf_sh);
			{
				uint64_t real = btf_sh->sh_size;

				btf_sh->sh_size = real / 2;
				snprintf(path, sizeof(path), "%s/shortbtf.o", dir);
				write_file(path, o, olen);
				btf_file_fails(path, "not a valid BTF");
				unlink(path);
				btf_sh->sh_size = 16;
				write_file(path, o, olen);
				btf_file_fails(path, "not a valid BTF");
				unlink(path);
				btf_sh->sh_size = olen * 4;
				write_file(path, o, olen);
				btf_file_fails(path, "not a valid BTF");
				unlink(path);
				btf_sh->sh_size = real;
			}
		}
		free(o);
	} else {
		print_message("no %s: skipping the .bpf.o cases\n", obj);
	}
	assert_int_equal(rmdir(dir), 0);
}

/* ---- not allocated: flagged, never read -------------------------------- */

static void unallocated_struct(void **state)
{
	struct fixture_counts before, after;
	uint64_t a = 0;
	char *out, want[256];
	struct json *j;

	assert_int_equal(fixture_load("list", &F), 0);
	assert_int_equal(fixture_count(&F, &before), 0);
	/* the nodes are on pages 0..2; page 10 was never allocated */
	for (size_t i = 0; i < json_len(json_get(F.expect, "nodes")); i++)
		assert_true(
			page_of(json_u64(json_path(json_at(json_get(F.expect, "nodes"), i), "addr"),
					 0)) < LIST_PAGES);
	a = F.user_vm_start + 10 * PAGE + 0x40;
	out = pt("*(struct node *)0x%llx", (unsigned long long)a);
	snprintf(want, sizeof(want), "*(struct node *)0x%llx = <unallocated>\n",
		 (unsigned long long)a);
	assert_string_equal(out, want);
	free(out);
	j = pj("*(struct node *)0x%llx", (unsigned long long)a);
	assert_int_equal(json_type(j), JSON_OBJECT);
	assert_int_equal(json_bool(json_get(j, "unallocated")), 1);
	assert_true(json_u64(json_get(j, "addr"), 0) == a);
	json_free(j);
	/* members, arrays and the pointer stored there: flagged alike */
	j = pj("((struct node *)0x%llx)->grid", (unsigned long long)a);
	assert_int_equal(json_bool(json_get(j, "unallocated")), 1);
	json_free(j);
	j = pj("((struct node *)0x%llx)->next", (unsigned long long)a);
	assert_int_equal(json_bool(json_get(j, "unallocated")), 1);
	json_free(j);
	j = pj("(struct node *)0x%llx", (unsigned long long)a);
	assert_int_equal(json_bool(json_get(j, "unallocated")), 1);
	assert_null(json_get(j, "outside"));
	json_free(j);
	/* -p as well */
	out = inspect_ok("print id %u '*(struct node *)0x%llx' -p", F.map_id,
			 (unsigned long long)a);
	j = parse_or_fail("-p", out);
	assert_int_equal(json_bool(json_get(j, "unallocated")), 1);
	json_free(j);
	free(out);
	/* a struct running from page 2 (allocated) into page 3 (not) */
	a = F.user_vm_start + 3 * PAGE - 8;
	j = pj("*(struct node *)0x%llx", (unsigned long long)a);
	assert_keys(j, node_keys, sizeof(node_keys) / sizeof(node_keys[0]));
	assert_int_equal(json_type(json_get(j, "next")),
			 json_is_null(json_get(j, "next")) ? JSON_NULL : JSON_OBJECT);
	assert_null(json_path(j, "next.unallocated"));
	assert_int_equal(json_bool(json_path(j, "id.unallocated")), 1);
	assert_int_equal(json_bool(json_path(j, "balance.unallocated")), 1);
	json_free(j);
	/* nothing was allocated by looking */
	assert_int_equal(fixture_count(&F, &after), 0);
	assert_int_equal(after.allocated, before.allocated);
	assert_int_equal(after.allocated, F.allocated);
}

/*
 * planted's .bss struct my_alloc (struct planted_alloc, not a pointer) is a
 * value in expressions: its members are read from the map's bytes, '->'
 * through its pointers reads the arena, a slice of its array works, and
 * '&' on it fails (it has no arena address), as does a watch of it (a copy
 * never changes); the same from a snapshot.
 */
static void planted_vars(void **state)
{
	char dir[] = "/tmp/it_print.XXXXXX", cmd[600], *out;
	uint64_t node, next, slot1;
	const struct json *s;
	struct json *j;
	int st = -1;

	(void)state;
	assert_int_equal(fixture_load("planted", &F), 0);
	node = json_u64(json_path(F.expect, "var_node"), 0);
	next = json_u64(json_path(F.expect, "var_next"), 0);
	slot1 = json_u64(json_path(F.expect, "var_slot1"), 0);
	assert_true(node && next && slot1);
	j = pj("my_alloc");
	assert_ptr(json_get(j, "root"), node, "struct pnode");
	s = json_get(j, "slots");
	assert_int_equal(json_len(s), 2);
	assert_true(json_is_null(json_at(s, 0)));
	/* into the freed page: shown as unallocated, never read */
	assert_int_equal(json_u64(json_get(json_at(s, 1), "ptr"), 0), slot1);
	assert_true(json_get(json_at(s, 1), "unallocated") != NULL);
	json_free(j);
	j = pj("my_alloc.root->next");
	assert_ptr(j, next, "struct pnode");
	json_free(j);
	j = pj("my_alloc.root->id");
	assert_int_equal(json_int(j, -1), json_int(json_path(F.expect, "var_node_id"), -2));
	json_free(j);
	j = pj("my_alloc.slots[0:2]");
	assert_int_equal(json_len(j), 2);
	assert_int_equal(json_u64(json_get(json_at(j, 1), "ptr"), 0), slot1);
	json_free(j);
	out = pt("my_alloc.slots[1]");
	assert_non_null(strstr(out, "my_alloc.slots[1] = "));
	free(out);
	print_fails("is in the map variable 'my_alloc', not the arena", "&my_alloc");
	print_fails("out of range", "my_alloc.slots[2]");
	/* its bytes are a copy from load time: watching it would show a value
	 * that never changes, so watch refuses it, in one line */
	free(inspect_fail(1, "cannot be watched", "watch id %u my_alloc.magic --count 1",
			  F.map_id));

	/* a snapshot keeps the variable's bytes */
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "%s snapshot id %u -o %s/p.snap >/dev/null", INSPECT_BIN,
		 F.map_id, dir);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
	assert_int_equal(st, 0);
	out = inspect_ok("print %s/p.snap 'my_alloc.root->next' -j", dir);
	j = parse_or_fail("snapshot my_alloc.root->next", out);
	assert_ptr(j, next, "struct pnode");
	json_free(j);
	free(out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(list_walk, teardown),
		cmocka_unit_test_teardown(list_members, teardown),
		cmocka_unit_test_teardown(htab_buckets, teardown),
		cmocka_unit_test_teardown(tree_inorder, teardown),
		cmocka_unit_test_teardown(tree_dangling, teardown),
		cmocka_unit_test_teardown(sparse_pages, teardown),
		cmocka_unit_test_teardown(hex_collapsed, teardown),
		cmocka_unit_test_teardown(nouser_list, teardown),
		cmocka_unit_test_teardown(live_hdr, teardown),
		cmocka_unit_test_teardown(print_format, teardown),
		cmocka_unit_test_teardown(pool_cut, teardown),
		cmocka_unit_test_teardown(churn_paused, teardown),
		cmocka_unit_test_teardown(cli_errors, teardown),
		cmocka_unit_test_teardown(btf_file_errors, teardown),
		cmocka_unit_test_teardown(unallocated_struct, teardown),
		cmocka_unit_test_teardown(planted_vars, teardown),
	};
	const char *why = bpf_test_skip_reason();

	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

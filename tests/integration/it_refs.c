// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 14 item 2 on a real arena: `refs`. On the alist fixture (an
 * intrusive doubly-linked list whose every element's addr/node/next/pprev
 * the loader reports), refs on an element's node address finds exactly
 * the previous element's next field and the next element's pprev field
 * (the head's first for the first element), in text and JSON; the same
 * on a snapshot of it, read as uid 65534 (no root); --page and --size
 * widen the object; on the planted fixture every planted reference to a
 * node or to the freed page, typed and untyped; bad input is one stderr line and exit 1; the kernel
 * page count is unchanged. Skipped with a reason where BPF arenas are
 * missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli_run.h"
#include "fixture.h"
#include "json.h"

static struct fixture F;
static char snap[128];

static int setup(void **state)
{
	(void)state;
	if (fixture_load("alist", &F))
		return -1;
	snprintf(snap, sizeof(snap), "/tmp/it_refs-%d.core", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(snap);
	fixture_unload(&F);
	return 0;
}

/* run CMD: exit 0 and a silent stderr; its stdout */
static char *run_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *run_ok(const char *fmt, ...)
{
	va_list ap;
	char *out;

	va_start(ap, fmt);
	out = cli_vrun(0, CLI_RUN_QUIET, fmt, ap);
	va_end(ap);
	return out;
}

static struct json *refs_json(const char *arena, const char *args)
{
	char err[160], *out = run_ok("%s refs %s %s -j", INSPECT_BIN, arena, args);
	struct json *j = json_parse(out, err, sizeof(err));

	if (!j)
		fail_msg("refs %s -j: not JSON: %s\n%.400s", args, err, out);
	free(out);
	return j;
}

static uint64_t hexval(const struct json *v)
{
	const char *s = json_str(v);

	assert_non_null(s);
	return strtoull(s, NULL, 0);
}

static uint64_t elem_u(size_t i, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "elems[%zu].%s", i, key);
	return hexval(json_path(F.expect, path));
}

/* refs on element i's node gives exactly the expected two locations */
static void check_elem(const char *arena, size_t i, size_t n)
{
	uint64_t node = elem_u(i, "node"), want[2];
	const struct json *refs;
	char args[64], *text, line[128];
	struct json *j;

	/* who holds &node: the previous next (or the head's first), the next pprev */
	want[0] = i ? elem_u(i - 1, "node") : hexval(json_get(F.expect, "list_head"));
	want[1] = i + 1 < n ? elem_u(i + 1, "node") + 8 : 0;
	/* both loader facts agree with the list itself */
	assert_true(elem_u(i, "pprev") == want[0]);
	snprintf(args, sizeof(args), "0x%llx", (unsigned long long)node);
	j = refs_json(arena, args);
	assert_true(hexval(json_path(j, "target.lo")) == node);
	assert_true(hexval(json_path(j, "target.hi")) == node + 1);
	refs = json_get(j, "refs");
	assert_int_equal(json_len(refs), want[1] ? 2 : 1);
	assert_int_equal(json_int(json_get(j, "count"), -1), json_len(refs));
	/* sorted by value, then by location */
	for (size_t k = 0; k < json_len(refs); k++) {
		uint64_t at = hexval(json_get(json_at(refs, k), "at"));

		const struct json *path = json_get(json_at(refs, k), "path");

		assert_true(hexval(json_get(json_at(refs, k), "value")) == node);
		assert_true(at == (want[0] < want[1] || !want[1] ? want[k] : want[1 - k]));
		/* the typed walk reaches the head's first; the nodes' own type is
		 * only declared (no --types), so their links have no path */
		if (!i && at == want[0])
			assert_string_equal(json_str(path), "list_head->first");
		else
			assert_true(json_is_null(path));
	}
	json_free(j);

	text = run_ok("%s refs %s %s", INSPECT_BIN, arena, args);
	for (size_t k = 0; k < 2 && want[k]; k++) {
		const char *at;

		/* then the end of the line or the typed path */
		snprintf(line, sizeof(line), "0x%llx -> 0x%llx (+0)", (unsigned long long)want[k],
			 (unsigned long long)node);
		at = strstr(text, line);
		if (!at || (at[strlen(line)] != '\n' && strncmp(at + strlen(line), "  ", 2)))
			fail_msg("refs %s: no line '%s' in\n%s", args, line, text);
	}
	free(text);
}

static void live_list(void **state)
{
	size_t n = json_len(json_get(F.expect, "elems"));
	struct fixture_counts a, b;
	char arena[32];

	(void)state;
	assert_int_equal(n, 100);
	snprintf(arena, sizeof(arena), "id %u", F.map_id);
	assert_int_equal(fixture_count(&F, &a), 0);
	check_elem(arena, 0, n);
	check_elem(arena, 37, n);
	check_elem(arena, n - 1, n);
	assert_int_equal(fixture_count(&F, &b), 0);
	/* reading every allocated page faulted none in */
	assert_int_equal(a.allocated, b.allocated);
	assert_int_equal(b.allocated, F.allocated);
}

static void snapshot_list(void **state)
{
	size_t n = json_len(json_get(F.expect, "elems"));
	char *a, *b;

	(void)state;
	free(run_ok("%s snapshot id %u -o %s", INSPECT_BIN, F.map_id, snap));
	check_elem(snap, 0, n);
	check_elem(snap, 50, n);
	if (access("/usr/bin/setpriv", X_OK)) {
		fprintf(stderr, "# skipped refs as uid 65534: no /usr/bin/setpriv\n");
		return;
	}
	assert_int_equal(chmod(snap, 0644), 0);
	a = run_ok("%s refs %s 0x%llx -j", INSPECT_BIN, snap,
		   (unsigned long long)elem_u(20, "node"));
	b = run_ok("setpriv --reuid=65534 --regid=65534 --clear-groups %s refs %s 0x%llx -j",
		   INSPECT_BIN, snap, (unsigned long long)elem_u(20, "node"));
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* --page: every reference into the element's page, a superset; --size */
static void wider(void **state)
{
	uint64_t node = elem_u(10, "node"), page = node & ~4095ull;
	const struct json *refs;
	char arena[32], args[64];
	struct json *j;
	size_t inside = 0;

	(void)state;
	snprintf(arena, sizeof(arena), "id %u", F.map_id);
	snprintf(args, sizeof(args), "0x%llx --page", (unsigned long long)node);
	j = refs_json(arena, args);
	assert_true(hexval(json_path(j, "target.lo")) == page);
	assert_true(hexval(json_path(j, "target.hi")) == page + 4096);
	refs = json_get(j, "refs");
	/* more than 32 into one page: the index's crowded-page sort, in (value, at) order */
	assert_true(json_len(refs) > 32);
	for (size_t k = 0; k < json_len(refs); k++) {
		uint64_t v = hexval(json_get(json_at(refs, k), "value"));
		uint64_t at = hexval(json_get(json_at(refs, k), "at"));

		assert_true(v >= page && v < page + 4096);
		if (k) {
			uint64_t pv = hexval(json_get(json_at(refs, k - 1), "value"));
			uint64_t pat = hexval(json_get(json_at(refs, k - 1), "at"));

			assert_true(pv < v || (pv == v && pat < at));
		}
		inside += v == node;
	}
	assert_int_equal(inside, 2);
	json_free(j);
	/* the whole struct elem (48 bytes from addr): its node and its pprev's target */
	snprintf(args, sizeof(args), "0x%llx --size 48", (unsigned long long)elem_u(10, "addr"));
	j = refs_json(arena, args);
	assert_int_equal(json_int(json_get(j, "count"), -1), 2);
	json_free(j);
}

/* the finding of kind k in the planted fixture's expected list (n-th) */
static const struct json *planted_finding(const struct fixture *f, const char *kind, int n)
{
	const struct json *fs = json_get(f->expect, "findings");

	/* refs indexes the arena: the one held in a map (at 0) is not there */
	for (size_t i = 0; i < json_len(fs); i++)
		if (!strcmp(json_str(json_get(json_at(fs, i), "kind")), kind) &&
		    hexval(json_get(json_at(fs, i), "at")) && !n--)
			return json_at(fs, i);
	fail_msg("planted: no finding '%s'", kind);
	return NULL;
}

/*
 * The planted fixture (check's problems, at known addresses): the first
 * node of its sound list is pointed at by hdr->list (typed) and by
 * hdr->misaligned (node + 4); each next node by the one before's next
 * (pnode.next at 8); the freed page 3 by hdr->dangling (typed) and the
 * integer hdr->stash (untyped: only a scan sees it).
 */
static void planted(void **state)
{
	uint64_t hdr, list, lo, prev;
	const struct json *mis, *dang, *stash, *refs;
	struct fixture p;
	struct fixture_counts a, b;
	char arena[32], expr[256], *out;
	struct json *j;

	(void)state;
	assert_int_equal(fixture_load("planted", &p), 0);
	snprintf(arena, sizeof(arena), "id %u", p.map_id);
	assert_int_equal(fixture_count(&p, &a), 0);
	hdr = hexval(json_get(p.expect, "hdr"));
	list = hexval(json_get(p.expect, "list"));
	mis = planted_finding(&p, "misaligned", 0);
	assert_true(hexval(json_get(mis, "value")) == list + 4);

	j = refs_json(arena, "'*hdr->list'");
	assert_true(hexval(json_path(j, "target.lo")) == list);
	assert_true(hexval(json_path(j, "target.hi")) == list + 24); /* sizeof(struct pnode) */
	refs = json_get(j, "refs");
	assert_int_equal(json_len(refs), 2);
	assert_true(hexval(json_get(json_at(refs, 0), "at")) == hdr + 8); /* hdr->list */
	assert_true(hexval(json_get(json_at(refs, 0), "value")) == list);
	assert_true(hexval(json_get(json_at(refs, 1), "at")) == hexval(json_get(mis, "at")));
	assert_int_equal(json_int(json_get(json_at(refs, 1), "offset"), -1), 4);
	/* both typed: the walk from the root hdr names them */
	assert_int_equal(json_bool(json_get(j, "paths_known")), 1);
	assert_string_equal(json_str(json_get(json_at(refs, 0), "path")), "hdr->list");
	assert_string_equal(json_str(json_get(json_at(refs, 1), "path")), "hdr->misaligned");
	json_free(j);

	/* down the list: a pointer expression names what it points at */
	snprintf(expr, sizeof(expr), "'hdr->list");
	prev = list;
	for (int k = 1; k < json_int(json_get(p.expect, "count"), 0); k++) {
		char args[300];

		strcat(expr, "->next");
		snprintf(args, sizeof(args), "%s'", expr);
		j = refs_json(arena, args);
		lo = hexval(json_path(j, "target.lo"));
		refs = json_get(j, "refs");
		assert_int_equal(json_len(refs), 1);
		assert_true(hexval(json_get(json_at(refs, 0), "at")) == prev + 8);
		assert_true(hexval(json_get(json_at(refs, 0), "value")) == lo);
		/* node k is pointed to by node k-1's next: the path names it as
		 * the expression does (without the shell quote) */
		assert_string_equal(json_str(json_get(json_at(refs, 0), "path")), expr + 1);
		assert_true(lo != prev);
		prev = lo;
		json_free(j);
	}

	/* into the freed page: the typed dangling pointer and the untyped stash */
	dang = planted_finding(&p, "dangling", 0);
	stash = planted_finding(&p, "dangling", 1);
	assert_null(json_get(stash, "path"));
	snprintf(expr, sizeof(expr), "0x%llx --page",
		 (unsigned long long)hexval(json_get(dang, "value")));
	j = refs_json(arena, expr);
	refs = json_get(j, "refs");
	assert_int_equal(json_len(refs), 2);
	assert_true(hexval(json_get(json_at(refs, 0), "at")) == hexval(json_get(dang, "at")));
	assert_true(hexval(json_get(json_at(refs, 1), "at")) == hexval(json_get(stash, "at")));
	assert_string_equal(json_str(json_get(json_at(refs, 0), "path")), "hdr->dangling");
	/* the integer: present and null, only the scan saw it */
	assert_non_null(json_get(json_at(refs, 1), "path"));
	assert_true(json_is_null(json_get(json_at(refs, 1), "path")));
	assert_int_equal(json_bool(json_get(j, "paths_cut")), 0);
	json_free(j);

	/* text: the path after the offset */
	out = cli_run(0, CLI_RUN_QUIET, "%s refs %s '*hdr->list'", INSPECT_BIN, arena);
	snprintf(expr, sizeof(expr), "0x%llx -> 0x%llx (+0)  hdr->list\n",
		 (unsigned long long)(hdr + 8), (unsigned long long)list);
	assert_non_null(strstr(out, expr));
	free(out);

	assert_int_equal(fixture_count(&p, &b), 0);
	assert_int_equal(a.allocated, b.allocated);
	assert_int_equal(fixture_unload(&p), 0);
}

static void bad_input(void **state)
{
	static const char *const bad[][2] = {
		{ "0x10", "outside the arena" },
		{ "0x1 --size 0", "--size" },
		{ "0x1 --size x", "--size" },
		{ "", "usage" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char cmd[256], *out = NULL, *err = NULL;
		int st = -1;

		snprintf(cmd, sizeof(cmd), "%s refs id %u %s", INSPECT_BIN, F.map_id, bad[i][0]);
		assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
		assert_int_equal(st, 1);
		assert_string_equal(out, "");
		assert_non_null(strstr(err, bad[i][1]));
		assert_non_null(strchr(err, '\n'));
		assert_true(strchr(err, '\n')[1] == '\0');
		free(out);
		free(err);
	}
}

int main(void)
{
	const char *why = bpf_test_skip_reason();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(live_list), cmocka_unit_test(snapshot_list),
		cmocka_unit_test(wider),     cmocka_unit_test(planted),
		cmocka_unit_test(bad_input),
	};

	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}

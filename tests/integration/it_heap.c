// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 15 on real arenas: `heap`. For every allocator scenario in
 * scenarios[] (its loader states "heap": {"allocator", "objects": [{addr,
 * size, state}], and optionally "pages": [{page, live_count}],
 * "freed_pages", "dangling"}), `heap -j` lists exactly those objects for
 * that allocator; `heap ARENA ADDR` names the object at its first and
 * last byte (and a free slot as free); where the loader lists pages with
 * counts, the allocator's pages are exactly those, each with the u64 the
 * loader read in the page's last 8 bytes; a freed page (and the dangling
 * pointer into it) is "free page", in no allocation; a snapshot gives the
 * same answers. No command allocates a page (the kernel's count before
 * and after). Bad input is one stderr line and exit 1. Skipped with a
 * reason where BPF arenas are missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli_run.h"
#include "fixture.h"
#include "json.h"

/* the scenarios whose loader states "heap" (the lead adds the others') */
static const char *const scenarios[] = { "alist", "sdtalloc", "buddy" };

static struct fixture F;

static int teardown(void **state)
{
	(void)state;
	fixture_unload(&F);
	return 0;
}

static struct json *run_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct json *run_json(const char *fmt, ...)
{
	char msg[160], *out;
	struct json *j;
	va_list ap;

	va_start(ap, fmt);
	out = cli_vrun(0, CLI_RUN_QUIET, fmt, ap);
	va_end(ap);
	j = json_parse(out, msg, sizeof(msg));
	if (!j)
		fail_msg("not JSON: %s\n%.400s", msg, out);
	free(out);
	return j;
}

static uint32_t kernel_allocated(void)
{
	struct fixture_counts c;

	assert_int_equal(fixture_count(&F, &c), 0);
	return c.allocated;
}

/* the allocator named NAME in a heap -j document */
static const struct json *allocator(const struct json *doc, const char *name)
{
	const struct json *as = json_get(doc, "allocators");

	for (size_t i = 0; i < json_len(as); i++)
		if (!strcmp(json_str(json_get(json_at(as, i), "name")) ?: "", name))
			return json_at(as, i);
	fail_msg("heap -j has no allocator '%s'", name);
	return NULL;
}

/* heap ARENA ADDR -j names the object {addr, size, state} */
static void at_object(const char *arena, uint64_t addr, const struct json *want)
{
	struct json *j =
		run_json("%s heap %s 0x%llx -j", INSPECT_BIN, arena, (unsigned long long)addr);

	if (strcmp(json_str(json_get(j, "where")) ?: "", "object"))
		fail_msg("heap 0x%llx: where %s, want object", (unsigned long long)addr,
			 json_str(json_get(j, "where")));
	assert_true(json_u64(json_path(j, "object.addr"), 0) ==
		    json_u64(json_get(want, "addr"), 1));
	assert_int_equal(json_int(json_path(j, "object.size"), -1),
			 json_int(json_get(want, "size"), -2));
	assert_string_equal(json_str(json_path(j, "object.state")),
			    json_str(json_get(want, "state")));
	assert_true(json_u64(json_path(j, "object.offset"), 99) ==
		    addr - json_u64(json_get(want, "addr"), 0));
	json_free(j);
}

/* heap ARENA ADDR -j: its "where" */
static void at_where(const char *arena, uint64_t addr, const char *where)
{
	struct json *j =
		run_json("%s heap %s 0x%llx -j", INSPECT_BIN, arena, (unsigned long long)addr);

	if (strcmp(json_str(json_get(j, "where")) ?: "", where))
		fail_msg("heap 0x%llx: where %s, want %s", (unsigned long long)addr,
			 json_str(json_get(j, "where")), where);
	assert_null(json_get(j, "object"));
	json_free(j);
}

/* heap -j on ARENA against the loader's "heap" */
static void check_arena(const char *arena)
{
	const struct json *want = json_get(F.expect, "heap");
	const char *name = json_str(json_get(want, "allocator"));
	const struct json *wobjs = json_get(want, "objects"), *wpages = json_get(want, "pages");
	const struct json *a, *objs, *pages;
	struct json *doc;
	uint64_t sum = 0;
	size_t nw;

	assert_non_null(name);
	doc = run_json("%s heap %s -j", INSPECT_BIN, arena);
	a = allocator(doc, name);
	objs = json_get(a, "objects");
	nw = json_len(wobjs);
	if (json_len(objs) != nw)
		fail_msg("%s: %zu objects, the loader states %zu", name, json_len(objs), nw);
	for (size_t i = 0; i < nw; i++) {
		const struct json *g = json_at(objs, i), *w = json_at(wobjs, i);

		if (json_u64(json_get(g, "addr"), 0) != json_u64(json_get(w, "addr"), 1) ||
		    json_int(json_get(g, "size"), -1) != json_int(json_get(w, "size"), -2) ||
		    strcmp(json_str(json_get(g, "state")) ?: "",
			   json_str(json_get(w, "state")) ?: ""))
			fail_msg("%s: object %zu is %s +%lld %s, the loader states %s +%lld %s",
				 name, i, json_str(json_get(g, "addr")),
				 json_int(json_get(g, "size"), -1), json_str(json_get(g, "state")),
				 json_str(json_get(w, "addr")), json_int(json_get(w, "size"), -1),
				 json_str(json_get(w, "state")));
	}
	/* one size for every object the loader states: a slab, no external
	 * fragmentation (sdt_alloc); else not (buddy's orders, alist) */
	{
		bool one = nw > 0;

		for (size_t i = 1; i < nw; i++)
			one &= json_int(json_get(json_at(wobjs, i), "size"), -1) ==
			       json_int(json_get(json_at(wobjs, 0), "size"), -2);
		assert_int_equal(json_bool(json_path(a, "stats.fixed_size")), one);
		if (one)
			assert_true(json_num(json_path(a, "stats.fragmentation"), -1) == 0.0);
	}
	/* the first and last byte of the first, a middle and the last object,
	 * and of every free slot among the first 24 */
	for (size_t i = 0; i < nw; i++) {
		const struct json *w = json_at(wobjs, i);
		uint64_t lo = json_u64(json_get(w, "addr"), 0);
		uint64_t sz = json_u64(json_get(w, "size"), 0);
		bool is_free = !strcmp(json_str(json_get(w, "state")) ?: "", "free");

		if (i && i != nw / 2 && i != nw - 1 && !(is_free && i < 24))
			continue;
		at_object(arena, lo, w);
		at_object(arena, lo + sz - 1, w);
	}
	/* page runs by role (sdt_alloc, buddy): exactly the loader's, in order */
	if (wpages && json_get(json_at(wpages, 0), "role")) {
		pages = json_get(a, "pages");
		if (json_len(pages) != json_len(wpages))
			fail_msg("%s: %zu page runs, the loader states %zu", name, json_len(pages),
				 json_len(wpages));
		for (size_t i = 0; i < json_len(wpages); i++) {
			const struct json *g = json_at(pages, i), *w = json_at(wpages, i);
			int64_t first = json_int(json_get(w, "first"), -2);

			assert_int_equal(json_int(json_get(g, "first"), -1), first);
			assert_int_equal(json_int(json_get(g, "last"), -1),
					 first + json_int(json_get(w, "count"), -2) - 1);
			assert_string_equal(json_str(json_get(g, "role")) ?: "",
					    json_str(json_get(w, "role")) ?: "?");
		}
	} else if (wpages) {
		/* pages with the allocator's counts: exactly the loader's, each
		 * with the u64 the loader read in its last 8 bytes */
		pages = json_get(a, "pages");
		assert_int_equal(json_len(pages), json_len(wpages));
		for (size_t i = 0; i < json_len(wpages); i++) {
			const struct json *g = json_at(pages, i), *w = json_at(wpages, i);

			assert_int_equal(json_int(json_get(g, "first"), -1),
					 json_int(json_get(w, "page"), -2));
			assert_int_equal(json_int(json_get(g, "last"), -1),
					 json_int(json_get(w, "page"), -2));
			assert_int_equal(json_int(json_get(g, "live_count"), -1),
					 json_int(json_get(w, "live_count"), -2));
			sum += json_int(json_get(w, "live_count"), 0);
		}
		assert_int_equal(json_int(json_path(a, "stats.counted_live"), -1), sum);
	}
	/* freed pages and the dangling pointer into one: no allocation */
	for (size_t i = 0; i < json_len(json_get(want, "freed_pages")); i++) {
		uint64_t pg = json_int(json_at(json_get(want, "freed_pages"), i), 0);

		at_where(arena, F.user_vm_start + pg * 4096, "free page");
		at_where(arena, F.user_vm_start + pg * 4096 + 4095, "free page");
	}
	if (json_get(want, "dangling"))
		at_where(arena, json_u64(json_path(want, "dangling.value"), 0), "free page");
	json_free(doc);
}

static void each_scenario(void **state)
{
	(void)state;
	for (size_t s = 0; s < sizeof(scenarios) / sizeof(scenarios[0]); s++) {
		char arena[32], snap[128], *live, *saved;
		uint32_t before;

		assert_int_equal(fixture_load(scenarios[s], &F), 0);
		if (!json_get(F.expect, "heap"))
			fail_msg("scenario %s states no \"heap\"", scenarios[s]);
		snprintf(arena, sizeof(arena), "id %u", F.map_id);
		before = kernel_allocated();
		check_arena(arena);
		/* reading every allocator's pages faulted none in */
		assert_int_equal(kernel_allocated(), before);
		assert_int_equal(before, F.allocated);
		/* a snapshot gives the same answers, and the same JSON */
		snprintf(snap, sizeof(snap), "/tmp/it_heap-%d.core", (int)getpid());
		free(cli_run(0, CLI_RUN_QUIET, "%s snapshot %s -o %s", INSPECT_BIN, arena, snap));
		check_arena(snap);
		live = cli_run(0, CLI_RUN_QUIET, "%s heap %s -j", INSPECT_BIN, arena);
		saved = cli_run(0, CLI_RUN_QUIET, "%s heap %s -j", INSPECT_BIN, snap);
		assert_string_equal(live, saved);
		free(live);
		free(saved);
		unlink(snap);
		assert_int_equal(kernel_allocated(), before);
		fixture_unload(&F);
	}
}

/* alist's text lines and its typed object, and its planted lists: the
 * poisoned node's page still counts it (bpf_free left the count alone
 * for a page that stays), so it is in a counted page, in no listed object */
static void alist_text(void **state)
{
	uint64_t head, poisoned;
	char arena[32], *out, want[160];

	(void)state;
	assert_int_equal(fixture_load("alist", &F), 0);
	snprintf(arena, sizeof(arena), "id %u", F.map_id);
	head = json_u64(json_get(F.expect, "list_head"), 0);
	out = cli_run(0, CLI_RUN_QUIET, "%s heap %s 0x%llx", INSPECT_BIN, arena,
		      (unsigned long long)(head + 7));
	snprintf(want, sizeof(want),
		 "0x%llx: live object of page_frag: 0x%llx-0x%llx (8 bytes, +7); root list_head\n",
		 (unsigned long long)(head + 7), (unsigned long long)head,
		 (unsigned long long)(head + 7));
	if (strncmp(out, want, strlen(want)))
		fail_msg("heap ADDR: '%s', want '%s'", out, want);
	/* its type is known (the root's): the value, as print writes it */
	assert_non_null(strstr(out, "(struct arena_list_head)"));
	assert_non_null(strstr(out, ".first = "));
	free(out);
	/* the text summary names the allocator and every page's count */
	out = cli_run(0, CLI_RUN_QUIET, "%s heap %s", INSPECT_BIN, arena);
	for (size_t i = 0; i < json_len(json_path(F.expect, "heap.pages")); i++) {
		const struct json *p = json_at(json_path(F.expect, "heap.pages"), i);

		snprintf(want, sizeof(want), "  page %lld  objects  live count %lld\n",
			 json_int(json_get(p, "page"), -1),
			 json_int(json_get(p, "live_count"), -1));
		if (!strstr(out, want))
			fail_msg("heap: no line '%s' in\n%s", want, out);
	}
	assert_non_null(strstr(out, "unclaimed: 0 pages\n"));
	free(out);
	/* --as on an address in no listed object */
	poisoned = json_u64(json_path(F.expect, "poison.elem"), 0);
	out = cli_run(0, CLI_RUN_QUIET, "%s heap %s 0x%llx --as 'unsigned long'", INSPECT_BIN,
		      arena, (unsigned long long)poisoned);
	snprintf(want, sizeof(want), "*(unsigned long *)0x%llx = %llu\n",
		 (unsigned long long)poisoned, (unsigned long long)2001);
	assert_non_null(strstr(out, "in page_frag's pages (objects), in no object it lists"));
	if (!strstr(out, want))
		fail_msg("heap --as: no '%s' in\n%s", want, out);
	free(out);
	fixture_unload(&F);
}

static void bad_input(void **state)
{
	char arena[32], *err = NULL, *out = NULL, cmd[256];
	const char *bad[] = { "0x1", "nosuch_name", "0x1000 --as 'struct nosuch'", "--as u64",
			      "'1 +'" };
	int status;

	(void)state;
	assert_int_equal(fixture_load("alist", &F), 0);
	snprintf(arena, sizeof(arena), "id %u", F.map_id);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s heap %s %s", INSPECT_BIN, arena, bad[i]);
		assert_int_equal(fixture_run2(cmd, &out, &err, &status), 0);
		if (status != 1 || cli_count_lines(err) != 1 || strncmp(err, "arena-inspect: ", 15))
			fail_msg("%s: status %d, stderr '%s'", cmd, status, err);
		free(out);
		free(err);
	}
	fixture_unload(&F);
}

int main(void)
{
	const char *why = bpf_test_skip_reason();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(each_scenario, teardown),
		cmocka_unit_test_teardown(alist_text, teardown),
		cmocka_unit_test_teardown(bad_input, teardown),
	};

	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

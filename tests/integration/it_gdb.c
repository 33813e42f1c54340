// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 16: GDB (the real one) as the client of `arena-inspect serve`, on
 * the list fixture: `x` prints the fixture's bytes, a page that is not
 * allocated is GDB's "Cannot access memory" (refused by the memory map, and
 * by the stub itself when GDB is told to ask anyway), `info mem` lists the
 * allocated runs the kernel has, a write is refused, and with the DWARF of
 * a -g helper loaded `print *(struct node *)ADDR` shows typed fields. The
 * kernel's page count does not move. Skipped with a reason without gdb or
 * BPF.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "json.h"

static struct fixture F;

static int teardown(void **state)
{
	(void)state;
	fixture_unload(&F);
	return 0;
}

/* gdb -batch over `serve pinned PIN` with the -ex commands in exs; returns
 * stdout+stderr (2>&1), malloc'ed */
static __attribute__((noinline)) char *gdb_run(const char *pre, const char *exs)
{
	char cmd[8192], *out = NULL;
	int status = -1;

	snprintf(cmd, sizeof(cmd),
		 "timeout 60 gdb -nx -batch %s -ex 'target remote | %s serve pinned %s/arena' %s "
		 "</dev/null 2>&1",
		 pre, INSPECT_BIN, F.pin, exs);
	assert_int_equal(fixture_run(cmd, &out, &status), 0);
	if (status != 0)
		fail_msg("gdb exited %d:\n%s", status, out);
	return out;
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static uint64_t expect_u64(const char *path)
{
	const struct json *v = json_path(F.expect, path);

	assert_non_null(v);
	return json_type(v) == JSON_STRING ? strtoull(json_str(v), NULL, 0) : json_u64(v, 0);
}

static void test_gdb(void **state)
{
	struct fixture_counts c0, c1;
	struct json *pages;
	char exs[4096], want[256], *out;
	uint64_t head, next, id, free_addr = 0;
	size_t off = 0;

	(void)state;
	assert_int_equal(fixture_load("list", &F), 0);
	assert_int_equal(fixture_count(&F, &c0), 0);
	head = expect_u64("head");
	next = expect_u64("nodes[0].next");
	id = expect_u64("nodes[0].id");
	pages = fixture_count_json(&F, true);
	assert_non_null(pages);
	/* the first page the kernel says is not allocated */
	for (uint32_t pg = 0; pg < F.max_pages && !free_addr; pg++) {
		const struct json *arr = json_get(pages, "pages");
		bool alloc = false;

		for (size_t i = 0; i < json_len(arr); i++)
			alloc |= (uint32_t)json_int(json_at(arr, i), -1) == pg;
		if (!alloc)
			free_addr = F.user_vm_start + pg * 4096ULL + 16;
	}
	assert_true(free_addr);

	snprintf(exs, sizeof(exs),
		 "-ex 'x/2gx 0x%llx' -ex 'x/2gx 0x%llx' -ex 'info mem' "
		 "-ex 'set mem inaccessible-by-default off' -ex 'x/2gx 0x%llx' "
		 "-ex 'set var *(long *)0x%llx = 1' -ex 'x/2gx 0x%llx' "
		 "-ex 'file %s' -ex 'print *(struct node *)0x%llx' -ex detach",
		 (unsigned long long)head, (unsigned long long)free_addr,
		 (unsigned long long)free_addr, (unsigned long long)head, (unsigned long long)head,
		 GDB_NODE_BIN, (unsigned long long)head);
	out = gdb_run("", exs);

	/* the node's first 16 bytes: next, then id (and the name's first
	 * bytes) as the loader wrote them; twice, the second after the
	 * refused write */
	snprintf(want, sizeof(want), "0x%llx:\t0x%016llx\t0x", (unsigned long long)head,
		 (unsigned long long)next);
	assert_int_equal(count_of(out, want), 2);
	{
		size_t at = strstr(out, want) - out + strlen(want) - 2;
		uint64_t second = strtoull(out + at, NULL, 16);

		assert_int_equal(second & 0xffffffff, id);
	}
	/* refused by the memory map, then by the stub (E14): the same words */
	snprintf(want, sizeof(want), "Cannot access memory at address 0x%llx",
		 (unsigned long long)free_addr);
	assert_int_equal(count_of(out, want), 2);
	/* the write */
	snprintf(want, sizeof(want), "Cannot access memory at address 0x%llx",
		 (unsigned long long)head);
	assert_non_null(strstr(out, want));
	/* info mem: one region per run of the kernel's allocated pages */
	{
		const struct json *arr = json_get(pages, "pages");
		size_t n = json_len(arr), runs = 0;

		assert_true(n > 0);
		for (size_t i = 0; i < n;) {
			size_t j = i + 1;
			uint64_t lo = json_int(json_at(arr, i), 0);

			while (j < n && (uint64_t)json_int(json_at(arr, j), 0) == lo + (j - i))
				j++;
			snprintf(want, sizeof(want), "0x%016llx 0x%016llx",
				 (unsigned long long)(F.user_vm_start + lo * 4096),
				 (unsigned long long)(F.user_vm_start + (lo + j - i) * 4096));
			if (!strstr(out, want))
				fail_msg("info mem lacks %s:\n%s", want, out);
			runs++;
			i = j;
		}
		/* and no other region: each line of `info mem` has " y  \t0x" */
		off = count_of(out, " y  \t0x");
		assert_int_equal(off, runs);
	}
	/* typed, through the helper's DWARF */
	assert_non_null(strstr(out, "id = 1,"));
	assert_non_null(strstr(out, "name = \"alpha\\000"));
	snprintf(want, sizeof(want), "st = {hits = %llu,",
		 (unsigned long long)expect_u64("nodes[0].hits"));
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "kind = COLOR_RED"));
	assert_non_null(strstr(out, "detached"));
	free(out);
	json_free(pages);

	assert_int_equal(fixture_count(&F, &c1), 0);
	assert_int_equal(c1.allocated, c0.allocated);
	fixture_unload(&F);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_gdb, teardown),
	};
	const char *why = bpf_test_skip_reason();
	int st = -1;

	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	if (fixture_run("command -v gdb >/dev/null", NULL, &st) || st) {
		printf("SKIP: gdb is not installed (./dev installs it)\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

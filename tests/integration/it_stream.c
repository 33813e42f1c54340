// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 16: snapshots to stdout and of every arena. `snapshot -o - | cat >
 * f` (a pipe: nothing can be sought) reads back as the `-o f` snapshot of
 * the same arena: `diff` exits 0, and the page map and the bytes of every
 * allocated page are the same (list, and the 4 GiB sparse arena with its
 * thousands of segments). -o - to a terminal and -j with -o - are refused;
 * a reader that goes away is one error line. `snapshot --all -o DIR` writes
 * one file per arena, named by id and name, each the same as its own
 * snapshot. The kernel's page count does not move.
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

static struct fixture F, G;
static char dir[] = "/tmp/it_stream.XXXXXX";

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	fixture_unload(&F);
	fixture_unload(&G);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return 0;
}

/* the two files hold the same arena: diff says so, and pages -j and the hex
 * of every allocated run agree */
static void same_snapshot(const char *a, const char *b, bool every_byte)
{
	char *pa, *pb, err[128];
	struct json *j;

	free(cli_run(0, 0, "%s diff %s %s >/dev/null", INSPECT_BIN, a, b));
	pa = cli_run(0, 0, "%s pages -j %s", INSPECT_BIN, a);
	pb = cli_run(0, 0, "%s pages -j %s", INSPECT_BIN, b);
	assert_string_equal(pa, pb);
	j = json_parse(pa, err, sizeof(err));
	assert_non_null(j);
	/* every byte: hex collapses what is not allocated, shows the rest;
	 * 64 MiB (its limit) at a time (diff compared them already: this is
	 * the user's view of it, for the small arena) */
	if (every_byte) {
		long long size = json_int(json_get(j, "pages"), 0) * 4096, win = 64LL << 20;
		size_t shown = 0;

		assert_true(size > 0);
		for (long long off = 0; off < size; off += win) {
			long long n = size - off < win ? size - off : win;
			char *ha = cli_run(0, 0, "%s hex %s +%lld %lld", INSPECT_BIN, a, off, n);
			char *hb = cli_run(0, 0, "%s hex %s +%lld %lld", INSPECT_BIN, b, off, n);

			assert_string_equal(ha, hb);
			shown += strlen(ha);
			free(ha);
			free(hb);
		}
		assert_true(shown > 1000);
	}
	json_free(j);
	free(pa);
	free(pb);
}

static void stream_is_the_file(struct fixture *f)
{
	struct fixture_counts c0, c1;
	char a[512], b[512];

	assert_int_equal(fixture_count(f, &c0), 0);
	snprintf(a, sizeof(a), "%s/%s-stream.snap", dir, f->scenario);
	snprintf(b, sizeof(b), "%s/%s-file.snap", dir, f->scenario);
	free(cli_run(0, 0, "%s snapshot pinned %s/arena -o - 2>/dev/null | cat > %s", INSPECT_BIN,
		     f->pin, a));
	free(cli_run(0, 0, "%s snapshot pinned %s/arena -o %s >/dev/null", INSPECT_BIN, f->pin, b));
	same_snapshot(a, b, f->max_pages <= 1024);
	assert_int_equal(fixture_count(f, &c1), 0);
	assert_int_equal(c1.allocated, c0.allocated);
}

static void stream_list_and_sparse(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(fixture_load("list", &F), 0);
	stream_is_the_file(&F);
	assert_int_equal(fixture_load("sparse", &G), 0);
	stream_is_the_file(&G);
}

static void stream_refusals(void **state)
{
	char *err = NULL, cmd[1024];
	int st = -1;

	(void)state;
	/* a terminal: script(1) gives the command one */
	snprintf(cmd, sizeof(cmd), "script -qec '%s snapshot pinned %s/arena -o -' /dev/null",
		 INSPECT_BIN, F.pin);
	free(cli_run(1, 0, "%s", cmd));
	free(cli_run(1, 0, "%s snapshot -j pinned %s/arena -o - >/dev/null", INSPECT_BIN, F.pin));
	/* the reader goes away: one line, exit 1, no signal */
	snprintf(cmd, sizeof(cmd),
		 "%s snapshot pinned %s/arena -o - | head -c 10 >/dev/null; exit ${PIPESTATUS[0]}",
		 INSPECT_BIN, G.pin);
	{
		char full[1200];

		snprintf(full, sizeof(full), "bash -c '%s'", cmd);
		assert_int_equal(fixture_run2(full, NULL, &err, &st), 0);
	}
	assert_int_equal(st, 1);
	assert_non_null(strstr(err, "cannot write snapshot stdout"));
	assert_int_equal(cli_count_lines(err), 1);
	free(err);
}

static void snapshot_all(void **state)
{
	char path[600], own[600];

	(void)state;
	free(cli_run(0, 0, "%s snapshot --all -o %s >/dev/null", INSPECT_BIN, dir));
	/* every arena loaded here is there, named by id and name */
	snprintf(path, sizeof(path), "%s/arena-%u-%s.snap", dir, F.map_id, F.map_name);
	snprintf(own, sizeof(own), "%s/list-file.snap", dir);
	assert_int_equal(access(path, R_OK), 0);
	same_snapshot(path, own, true);
	snprintf(path, sizeof(path), "%s/arena-%u-%s.snap", dir, G.map_id, G.map_name);
	snprintf(own, sizeof(own), "%s/sparse-file.snap", dir);
	same_snapshot(path, own, false);
	free(cli_run(1, 0, "%s snapshot --all -o %s/nothere 2>/dev/null", INSPECT_BIN, dir));
	free(cli_run(1, 0, "%s snapshot --all pinned %s/arena -o %s 2>/dev/null", INSPECT_BIN,
		     F.pin, dir));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stream_list_and_sparse),
		cmocka_unit_test(stream_refusals),
		cmocka_unit_test_teardown(snapshot_all, teardown),
	};
	const char *why = bpf_test_skip_reason();

	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

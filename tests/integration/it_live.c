// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 3 on real arenas: attach, exact page maps against what each fixture
 * reports, reads that never change the arena (checked with the fixture's own
 * per-page kernel count, which shares no code with the inspector), the churn
 * race, and the errors. Skipped with a reason where BPF arenas are missing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "compat.h"
#include "error.h"
#include "fixture.h"
#include "live.h"
#include "probe.h"
#include "snapshot.h"
#include "source.h"

static struct fixture F;

static int teardown(void **state)
{
	fixture_unload(&F);
	return 0;
}

/* Run arena-inspect with ARGS; parse stdout as JSON. */
static struct json *inspect_json(const char *args)
{
	char cmd[1024], *out = NULL, err[160];
	struct json *j;
	int st = -1;

	snprintf(cmd, sizeof(cmd), "%s %s", INSPECT_BIN, args);
	assert_int_equal(fixture_run(cmd, &out, &st), 0);
	if (st != 0)
		fail_msg("'%s' exited %d", cmd, st);
	j = json_parse(out, err, sizeof(err));
	if (!j)
		fail_msg("'%s': output is not JSON: %s\n%.300s", cmd, err, out);
	free(out);
	return j;
}

/* pages -j agrees with the fixture, and with the kernel-side count */
static struct json *check_pages(const struct fixture *f)
{
	struct fixture_counts c;
	struct json *j;
	char args[64];

	snprintf(args, sizeof(args), "pages id %u -j", f->map_id);
	j = inspect_json(args);
	assert_int_equal(fixture_count(f, &c), 0);
	assert_int_equal(json_int(json_get(j, "pages"), -1), f->max_pages);
	assert_int_equal(json_int(json_get(j, "allocated"), -1), c.allocated);
	assert_int_equal(json_int(json_get(j, "reserved"), -1), f->reserved);
	assert_int_equal(json_int(json_get(j, "free"), -1),
			 f->max_pages - c.allocated - f->reserved);
	assert_int_equal(json_bool(json_get(j, "stale")), 0);
	assert_true(json_u64(json_get(j, "user_vm_start"), 0) == f->user_vm_start);
	return j;
}

static void count_state(const struct json *j, const char *state, uint64_t *pages)
{
	const struct json *runs = json_get(j, "runs");

	*pages = 0;
	for (size_t i = 0; i < json_len(runs); i++) {
		const struct json *r = json_at(runs, i);

		if (!strcmp(json_str(json_get(r, "state")), state))
			*pages += json_int(json_get(r, "count"), 0);
	}
}

static void scenario_pages(const char *name)
{
	struct json *j;
	uint64_t alloc, resv;

	assert_int_equal(fixture_load(name, &F), 0);
	j = check_pages(&F);
	count_state(j, "allocated", &alloc);
	count_state(j, "reserved", &resv);
	assert_int_equal(alloc, json_int(json_get(j, "allocated"), -1));
	assert_int_equal(resv, F.reserved);
	json_free(j);
}

static void pages_list(void **s)
{
	scenario_pages("list");
}
static void pages_htab(void **s)
{
	scenario_pages("htab");
}
static void pages_tree(void **s)
{
	scenario_pages("tree");
}
static void pages_live(void **s)
{
	scenario_pages("live");
}

/* sparse: every allocated page and every reserved run, exactly */
static void pages_sparse(void **state)
{
	const struct json *want, *rr;
	struct source *src;
	struct pagemap pm;
	struct selector sel = { .kind = SEL_ID };
	uint32_t nres = 0;

	assert_int_equal(fixture_load("sparse", &F), 0);
	json_free(check_pages(&F));
	sel.id = F.map_id;
	assert_int_equal(live__open(&sel, NULL, &src), 0);
	assert_int_equal(source__pagemap(src, &pm), 0);
	want = json_path(F.expect, "pages");
	assert_int_equal(pm.counts[PAGE_ALLOCATED], json_len(want));
	for (size_t i = 0; i < json_len(want); i++)
		assert_int_equal(pm.state[json_int(json_at(want, i), -1)], PAGE_ALLOCATED);
	rr = json_path(F.expect, "reserved_runs");
	for (size_t i = 0; i < json_len(rr); i++) {
		long long first = json_int(json_path(json_at(rr, i), "[0]"), -1);
		long long n = json_int(json_path(json_at(rr, i), "[1]"), -1);

		for (long long p = first; p < first + n; p++)
			assert_int_equal(pm.state[p], PAGE_RESERVED);
		nres += n;
	}
	assert_int_equal(pm.counts[PAGE_RESERVED], nres);
	assert_false(pm.stale);
	pagemap__free(&pm);
	source__close(src);
}

/*
 * The page map from the tree walk against probing every page, the method
 * used on kernels without the range tree (6.9-6.12): the same map, except
 * that reserved pages, which have no memory, read as free there. htab
 * packs objects, tree has a freed page, sparse reserves runs.
 */
static void full_probe_agrees(const char *name)
{
	LIBBPF_OPTS(probe_opts, po, .full_probe = true);
	struct selector sel = { .kind = SEL_ID };
	struct pagemap walk, probe;
	struct source *src, *fsrc;
	struct probe *full;

	assert_int_equal(fixture_load(name, &F), 0);
	sel.id = F.map_id;
	assert_int_equal(live__open(&sel, NULL, &src), 0);
	assert_int_equal(source__pagemap(src, &walk), 0);
	full = probe__open(&po);
	assert_non_null(full);
	assert_int_equal(live__open(&sel, full, &fsrc), 0);
	probe__close(full); /* the source holds its own reference */
	assert_int_equal(source__pagemap(fsrc, &probe), 0);
	source__close(fsrc);
	assert_int_equal(walk.nr_pages, probe.nr_pages);
	for (uint32_t p = 0; p < walk.nr_pages; p++) {
		uint8_t want = walk.state[p] == PAGE_RESERVED ? PAGE_FREE : walk.state[p];

		if (probe.state[p] != want)
			fail_msg("%s page %u: tree walk says %d, probing says %d", name, p,
				 walk.state[p], probe.state[p]);
	}
	assert_int_equal(probe.counts[PAGE_ALLOCATED], walk.counts[PAGE_ALLOCATED]);
	assert_int_equal(probe.counts[PAGE_RESERVED], 0);
	assert_int_equal(walk.counts[PAGE_RESERVED], F.reserved);
	pagemap__free(&walk);
	pagemap__free(&probe);
	source__close(src);
}

static void full_probe_htab(void **s)
{
	full_probe_agrees("htab");
}
static void full_probe_tree(void **s)
{
	full_probe_agrees("tree");
}
static void full_probe_sparse(void **s)
{
	full_probe_agrees("sparse");
}

/* nouser: the creator has exited, only the kernel knows the address */
static void pages_nouser(void **state)
{
	struct json *l;
	char args[64];
	bool seen = false;

	assert_int_equal(fixture_load("nouser", &F), 0);
	assert_true(F.map_extra == 0);
	json_free(check_pages(&F));
	l = inspect_json("list -j");
	for (size_t i = 0; i < json_len(l); i++) {
		const struct json *a = json_at(l, i);

		if (json_int(json_get(a, "id"), -1) != F.map_id)
			continue;
		seen = true;
		assert_true(json_u64(json_get(a, "user_vm_start"), 0) == F.user_vm_start);
		assert_true(json_u64(json_get(a, "map_extra"), 1) == 0);
		assert_int_equal(json_int(json_get(a, "allocated"), -1), F.allocated);
		assert_true(json_len(json_get(a, "progs")) >= 1);
	}
	assert_true(seen);
	json_free(l);
	snprintf(args, sizeof(args), "hex id %u +0 64 -j", F.map_id);
	l = inspect_json(args);
	assert_true(json_len(l) > 0);
	assert_null(json_get(json_at(l, 0), "unallocated"));
	json_free(l);
}

/* Reading a page that is not allocated says so and allocates nothing. */
static void unallocated_read_changes_nothing(void **state)
{
	struct fixture_counts before, after;
	struct selector sel = { .kind = SEL_ID };
	struct source *src;
	struct pagemap pm;
	uint8_t buf[4096 * 3], present[3];
	uint32_t free_page = UINT32_MAX;
	char cmd[256], *out = NULL;
	int st;

	assert_int_equal(fixture_load("list", &F), 0);
	assert_int_equal(fixture_count(&F, &before), 0);
	sel.id = F.map_id;
	assert_int_equal(live__open(&sel, NULL, &src), 0);
	assert_int_equal(source__pagemap(src, &pm), 0);
	for (uint32_t p = 0; p < pm.nr_pages && free_page == UINT32_MAX; p++)
		if (pm.state[p] == PAGE_FREE)
			free_page = p;
	assert_true(free_page != UINT32_MAX);
	/* through the library: not allocated, bytes zero, nothing allocated */
	for (int i = 0; i < 100; i++)
		assert_int_equal(source__read(src, F.user_vm_start + free_page * 4096ULL, buf, 4096,
					      present),
				 1);
	assert_int_equal(present[0], 0);
	assert_int_equal(source__read_exact(src, F.user_vm_start + free_page * 4096ULL, buf, 8),
			 -ENODATA);
	/* through the CLI: marked, never read */
	snprintf(cmd, sizeof(cmd), "%s hex id %u 0x%llx 64", INSPECT_BIN, F.map_id,
		 (unsigned long long)(F.user_vm_start + free_page * 4096ULL));
	assert_int_equal(fixture_run(cmd, &out, &st), 0);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "not allocated"));
	free(out);
	/* the whole arena, every page, a few times */
	for (int i = 0; i < 3; i++) {
		uint8_t *all = malloc(pm.nr_pages * 4096ULL), *pr = malloc(pm.nr_pages);

		assert_true(source__read(src, F.user_vm_start, all, pm.nr_pages * 4096ULL, pr) >=
			    0);
		free(all);
		free(pr);
	}
	assert_int_equal(fixture_count(&F, &after), 0);
	assert_int_equal(after.allocated, before.allocated);
	assert_int_equal(after.allocated, pm.counts[PAGE_ALLOCATED]);
	pagemap__free(&pm);
	source__close(src);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * churn allocates and frees pages all the time. Page, dump and read the
 * whole arena over and over while it runs; then stop it and check that
 * the kernel holds exactly the pages the fixture accounts for.
 */
static void churn_reads_allocate_nothing(void **state)
{
	struct selector sel = { .kind = SEL_ID };
	struct fixture_counts c;
	struct source *src;
	char cmd[256];
	int rounds = 0, st, stale = 0;
	double end;

	assert_int_equal(fixture_load("churn", &F), 0);
	sel.id = F.map_id;
	assert_int_equal(live__open(&sel, NULL, &src), 0);
	end = now_s() + 3;
	while (now_s() < end) {
		struct pagemap pm;
		size_t len = (size_t)src->info.max_pages * 4096;
		uint8_t *all = malloc(len), *pr = malloc(src->info.max_pages);

		assert_int_equal(source__pagemap(src, &pm), 0);
		stale += pm.stale;
		assert_true(source__read(src, F.user_vm_start, all, len, pr) >= 0);
		/* pages listed allocated a moment ago: read them one by one */
		for (uint32_t p = 0; p < pm.nr_pages; p++)
			if (pm.state[p] == PAGE_ALLOCATED)
				assert_true(source__read(src, F.user_vm_start + p * 4096ULL, all,
							 4096, pr) >= 0);
		pagemap__free(&pm);
		free(all);
		free(pr);
		snprintf(cmd, sizeof(cmd),
			 "%s hex id %u +0 0x%x >/dev/null && %s pages id %u -j >/dev/null",
			 INSPECT_BIN, F.map_id, F.max_pages * 4096, INSPECT_BIN, F.map_id);
		assert_int_equal(fixture_run(cmd, NULL, &st), 0);
		assert_int_equal(st, 0);
		rounds++;
	}
	assert_int_equal(fixture_cmd(&F, "pause", NULL, NULL), 0);
	assert_int_equal(fixture_count(&F, &c), 0);
	print_message("churn: %d rounds, %d stale page maps, %llu churn steps, %u pages\n", rounds,
		      stale, (unsigned long long)c.fixture_steps, c.allocated);
	assert_true(c.fixture_steps > 0);
	assert_int_equal(c.allocated, c.fixture_allocated);
	{
		struct pagemap pm;

		assert_int_equal(source__pagemap(src, &pm), 0);
		assert_int_equal(pm.counts[PAGE_ALLOCATED], c.fixture_allocated);
		assert_false(pm.stale);
		pagemap__free(&pm);
	}
	source__close(src);
}

/* The counts and free runs the probe derives from its bitmaps (so that
 * nobody counts a megabyte of states) are the ones the states give. */
static void counts_match_states(void **state)
{
	static const char *const scenarios[] = { "sparse", "tree", "htab", "nouser" };

	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		struct selector sel = { .kind = SEL_ID };
		struct source *src;
		struct pagemap pm, again;

		assert_int_equal(fixture_load(scenarios[i], &F), 0);
		sel.id = F.map_id;
		assert_int_equal(live__open(&sel, NULL, &src), 0);
		assert_int_equal(source__pagemap(src, &pm), 0);
		again = pm;
		pagemap__count(&again);
		print_message("%s: %u free %u allocated %u reserved, %u free runs, largest %u\n",
			      scenarios[i], pm.counts[PAGE_FREE], pm.counts[PAGE_ALLOCATED],
			      pm.counts[PAGE_RESERVED], pm.nr_free_runs, pm.largest_free_run);
		assert_memory_equal(pm.counts, again.counts, sizeof(pm.counts));
		assert_int_equal(pm.nr_free_runs, again.nr_free_runs);
		assert_int_equal(pm.largest_free_run, again.largest_free_run);
		pagemap__free(&pm);
		source__close(src);
		fixture_unload(&F);
	}
}

struct step_ctx {
	uint32_t before, after; /* the fixture's allocated pages */
};

static uint32_t allocated_in(const char *json)
{
	const char *a = json ? strstr(json, "\"fixture_allocated\":") : NULL;

	return a ? (uint32_t)strtoul(a + strlen("\"fixture_allocated\":"), NULL, 10) : 0;
}

/* one churn step between the walk and the check */
static void one_step(void *arg)
{
	struct step_ctx *c = arg;
	char *out = NULL;

	assert_int_equal(fixture_cmd(&F, "step", "1", &out), 0);
	c->after = allocated_in(out);
	free(out);
}

/*
 * The page map's consistency check, which replaced a second tree walk: a
 * change of the tree between the walk and the check must be seen. The
 * churn daemon is paused; each churn step either allocates or frees pages
 * (the allocated count moves: the tree changed) or rewrites an object
 * (no tree change). Every step that moved the count must be seen, and with
 * nothing in between the check must see no change.
 */
static void pagemap_check_sees_changes(void **state)
{
	struct selector sel = { .kind = SEL_ID };
	struct fixture_counts fc;
	struct step_ctx c;
	struct source *src;
	int seen = 0, quiet = 0;
	bool changed;

	assert_int_equal(fixture_load("churn", &F), 0);
	assert_int_equal(fixture_cmd(&F, "pause", NULL, NULL), 0);
	sel.id = F.map_id;
	assert_int_equal(live__open(&sel, NULL, &src), 0);
	assert_int_equal(fixture_count(&F, &fc), 0);
	c.after = fc.fixture_allocated;
	for (int i = 0; i < 200 && seen < 20; i++) {
		c.before = c.after;
		assert_int_equal(
			probe__walk_then_check(live__probe(src), F.map_id, one_step, &c, &changed),
			0);
		if (c.after != c.before) {
			if (!changed)
				fail_msg("step %d: allocated %u -> %u, but the check saw no change",
					 i, c.before, c.after);
			seen++;
		}
		assert_int_equal(
			probe__walk_then_check(live__probe(src), F.map_id, NULL, NULL, &changed),
			0);
		assert_false(changed);
		quiet++;
	}
	print_message("check: %d tree changes seen, %d quiet checks clean\n", seen, quiet);
	assert_true(seen >= 20);
	source__close(src);
}

/* Run arena-inspect ARGS, expect exit STATUS and MSG in one stderr line
 * (stderr is a pipe: fixture_run2 never gives it a terminal). */
static void expect_status(const char *prefix, const char *args, int status, const char *msg)
{
	char cmd[1024], *out = NULL, *err = NULL;
	int st = 0;

	snprintf(cmd, sizeof(cmd), "%s%s %s", prefix, INSPECT_BIN, args);
	assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
	if (st != status || !strstr(err, msg))
		fail_msg("'%s': exit %d, stderr '%s' (wanted %d, '%s')", cmd, st, err, status, msg);
	/* exactly one line */
	assert_non_null(strchr(err, '\n'));
	if (strchr(err, '\n')[1])
		fail_msg("'%s': more than one line on stderr: '%s'", cmd, err);
	if (strncmp(err, "arena-inspect: ", 15))
		fail_msg("'%s': stderr '%s' is not one of our lines", cmd, err);
	free(out);
	free(err);
}

static void expect_fail(const char *prefix, const char *args, const char *msg)
{
	expect_status(prefix, args, 1, msg);
}

/* Errors about expressions and a snapshot without BTF: one line each, the
 * position folded into it, no "note:" before (or after) the error. */
static void expr_errors(void)
{
	char args[512], snap[64], *out = NULL, *err = NULL;
	struct selector sel = { .kind = SEL_ID };
	struct source *src;
	int st;

	/* parse errors: message, column and the text with '_' at the column */
	snprintf(args, sizeof(args), "print id %u 'head->(next'", F.map_id);
	expect_fail("", args, "expected a member name at column 6, found '(': head->_(next");
	snprintf(args, sizeof(args), "print id %u '1 + (2'", F.map_id);
	expect_fail("", args, "expected ')' at column 6, found the end: 1 + (2_");
	snprintf(args, sizeof(args), "print id %u -j '(struct node *'", F.map_id);
	expect_fail("", args, "expected ')' at column 14");
	snprintf(args, sizeof(args), "hex id %u 'head->'", F.map_id);
	expect_fail("", args, "expected a member name at column 6, found the end: head->_");
	snprintf(args, sizeof(args), "watch id %u 'head->(' --count 1", F.map_id);
	expect_fail("", args, "at column 6");
	snprintf(args, sizeof(args), "print id %u '1 << 40'", F.map_id);
	expect_fail("", args, "shift count 40 >= width of int (32 bits)");

	/* a snapshot with no BTF: the error line says so; no note first */
	snprintf(snap, sizeof(snap), "/tmp/it_live_nobtf.%d.snap", (int)getpid());
	sel.id = F.map_id;
	assert_int_equal(live__open(&sel, NULL, &src), 0);
	assert_int_equal(snapshot__write(src, NULL, snap), 0);
	source__close(src);
	snprintf(args, sizeof(args), "print %s head", snap);
	expect_fail("", args,
		    "unknown name 'head' (not a root, a variable or an enum constant) (no BTF "
		    "found for arena");
	snprintf(args, sizeof(args), "print %s 'head->next'", snap);
	expect_fail("", args, "no BTF found");
	snprintf(args, sizeof(args), "print %s '*(struct node *)0x%llx'", snap,
		 (unsigned long long)F.user_vm_start);
	expect_fail("", args, "unknown type 'struct node *' (no BTF loaded)");
	snprintf(args, sizeof(args), "print %s 'head->('", snap);
	expect_fail("", args, "expected a member name at column 6");
	snprintf(args, sizeof(args), "hex %s head", snap);
	expect_fail("", args,
		    "'head': unknown name 'head' (not a root, a variable or an enum constant) (no "
		    "BTF found");
	snprintf(args, sizeof(args), "watch %s head --count 1", snap);
	expect_fail("", args, "no BTF found");
	snprintf(args, sizeof(args), "print %s '*(u64 *)0x10'", snap);
	expect_fail("", args, "outside the arena");
	/* success without BTF: the note, one line, after the output */
	snprintf(args, sizeof(args), "%s print %s '*(u64 *)0x%llx'", INSPECT_BIN, snap,
		 (unsigned long long)F.user_vm_start);
	assert_int_equal(fixture_run2(args, &out, &err, &st), 0);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "= "));
	if (strncmp(err, "arena-inspect: note: no BTF found", 33) || strchr(err, '\n')[1])
		fail_msg("'%s': stderr '%s' (wanted the one note)", args, err);
	free(out);
	free(err);
	unlink(snap);

	/* on a terminal the caret is shown too, after the one-line error */
	if (!access("/usr/bin/script", X_OK)) {
		char cmd[1024];
		const char *l2;

		snprintf(cmd, sizeof(cmd), "script -qec \"%s print id %u '1 + (2'\" /dev/null 2>&1",
			 INSPECT_BIN, F.map_id);
		assert_int_equal(fixture_run2(cmd, &out, NULL, &st), 0);
		assert_non_null(strstr(
			out, "arena-inspect: expected ')' at column 6, found the end: 1 + (2_"));
		l2 = strchr(out, '\n');
		assert_non_null(l2);
		assert_non_null(strstr(l2, "  1 + (2"));
		assert_non_null(strstr(l2, "        ^"));
		free(out);
	}
}

static void errors(void **state)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);
	struct bpf_map_info mi;
	__u32 len = sizeof(mi);
	char args[512];
	int hfd;

	assert_int_equal(fixture_load("list", &F), 0);
	expect_fail("", "pages id 4000000000", "no map with id 4000000000");
	expect_fail("", "pages id x", "not a map id");
	expect_fail("", "pages name no_such_arena_here", "no arena named");
	expect_fail("", "pages pinned /sys/fs/bpf/no/such/pin", "no such pinned object");
	/* the fixture pins its program next to the arena */
	snprintf(args, sizeof(args), "pages pinned %s/prog_list_fill", F.pin);
	assert_int_equal(access(args + 13, F_OK), 0);
	expect_fail("", args, "not a pinned map (it is a program)");
	snprintf(args, sizeof(args), "pages pinned %s", F.pin);
	expect_fail("", args, "is a directory, not a pinned map");
	expect_fail("", "pages pinned /etc/hostname", "not a pinned BPF object (not on a bpffs");
	/* options: one line of ours, not getopt's two */
	expect_fail("", "list --frob", "unknown option '--frob'");
	expect_fail("", "list --btf", "--btf needs an argument");
	/* output that cannot be written (a full disk) is a failure */
	expect_fail("", "list >/dev/full", "cannot write the output: No space left on device");
	snprintf(args, sizeof(args), "pages id %u -j >/dev/full", F.map_id);
	expect_fail("", args, "cannot write the output: No space left on device");
	snprintf(args, sizeof(args), "print id %u '*head' >/dev/full", F.map_id);
	expect_fail("", args, "cannot write the output: No space left on device");
	expect_fail("", "pages /etc/hostname", "not an arena snapshot");
	expr_errors();
	expect_fail("", "pages /no/such/file", "No such file");
	/* a map that is not an arena */
	hfd = bpf_map_create(BPF_MAP_TYPE_HASH, "ait_hash", 4, 4, 8, &o);
	assert_true(hfd >= 0);
	memset(&mi, 0, sizeof(mi));
	assert_int_equal(bpf_obj_get_info_by_fd(hfd, &mi, &len), 0);
	snprintf(args, sizeof(args), "pages id %u", mi.id);
	expect_fail("", args, "is a hash map, not an arena");
	close(hfd);
	/* outside the arena */
	snprintf(args, sizeof(args), "hex id %u 0x10 16", F.map_id);
	expect_fail("", args, "outside the arena");
	snprintf(args, sizeof(args), "hex id %u 0x%llx 16", F.map_id,
		 (unsigned long long)F.user_vm_end);
	expect_fail("", args, "outside the arena");
	/* no permission */
	snprintf(args, sizeof(args), "pages id %u", F.map_id);
	if (!access("/usr/bin/setpriv", X_OK)) {
		expect_fail("setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all ",
			    args, "permission denied");
		expect_fail("setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all ",
			    "list", "permission denied");
	}
}

/*
 * Options belong to the commands that take them (issue 12 item 9). What a
 * command takes is read from its --help and then tried: every option it
 * lists is accepted, every other option of the usage text is refused with
 * one line naming the command (exit 2 for diff). The TUI's are the usage
 * text's common options and those it names "TUI".
 */
struct opt_line {
	char name[32];	  /* long name, without "--" */
	char letter;	  /* 0: none */
	char arg[16];	  /* "FILE", "": no argument */
	char takers[160]; /* the last "(...)" of its line */
};

#define MAX_OPTS 32
#define MAX_CMDS 32

/* The option lines of a help text: "  -j, --json   JSON output (...)" and
 * "      --btf FILE   types ...". Returns how many. */
static int help_options(const char *text, struct opt_line *v)
{
	int n = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *p = l, *eol = strchr(l, '\n') ? strchr(l, '\n') : l + strlen(l);
		const char *open, *close;
		struct opt_line o = {};
		size_t k = 0;

		if (strncmp(p, "  ", 2))
			continue;
		while (*p == ' ')
			p++;
		if (p[0] == '-' && p[1] != '-' && p[2] == ',') {
			o.letter = p[1];
			p += 4;
		}
		if (strncmp(p, "--", 2))
			continue;
		for (p += 2; *p != ' ' && p < eol && k < sizeof(o.name) - 1; p++)
			o.name[k++] = *p;
		k = 0;
		if (p[0] == ' ' && p[1] >= 'A' && p[1] <= 'Z')
			for (p++; *p >= 'A' && *p <= 'Z' && k < sizeof(o.arg) - 1; p++)
				o.arg[k++] = *p;
		/* the usage text ends a line with the commands that take it */
		close = eol > p && eol[-1] == ')' ? eol - 1 : NULL;
		for (open = close; open && open > p && *open != '('; open--)
			;
		if (close && *open == '(')
			snprintf(o.takers, sizeof(o.takers), "%.*s", (int)(close - open - 1),
				 open + 1);
		assert_true(n < MAX_OPTS);
		v[n++] = o;
	}
	return n;
}

static const struct opt_line *find_opt(const struct opt_line *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

/* The usage text: a common option has no list of commands after it (a
 * "(...)" that is not such a list is part of its help), the others name
 * the commands that take it, "TUI" among them, or "every command". */
static bool tui_takes(const struct opt_line *o, char **cmds, int n_cmds)
{
	char buf[sizeof(o->takers)], *save = NULL;
	bool tui = false;

	snprintf(buf, sizeof(buf), "%s", o->takers);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		bool cmd = false;

		w += *w == ' ';
		for (int k = 0; k < n_cmds; k++)
			cmd |= !strcmp(w, cmds[k]);
		if (!strcmp(w, "TUI"))
			tui = true;
		else if (!cmd && strcmp(w, "every command"))
			return true; /* not a list of commands: common */
	}
	return tui || !*o->takers;
}

/* A value each argument kind accepts */
static const char *sample_arg(const char *arg)
{
	if (!strcmp(arg, "N"))
		return "5";
	if (!strcmp(arg, "MS"))
		return "100";
	if (!strcmp(arg, "CMD"))
		return "quit";
	return "/dev/null";
}

/* CMD (NULL: the TUI) given option o, spelled long or by its letter */
static void try_option(const char *cmd, const struct opt_line *o, bool letter, bool takes)
{
	char args[256], spelled[40], want[96], line[512], *out = NULL, *err = NULL;
	const char *rest = !cmd			  ? "/no/such/arena"
			   : !strcmp(cmd, "list") ? ""
			   : !strcmp(cmd, "diff") ? "/no/such/a /no/such/b"
						  : "/no/such/arena";
	int st;

	if (letter)
		snprintf(spelled, sizeof(spelled), "-%c", o->letter);
	else
		snprintf(spelled, sizeof(spelled), "--%s", o->name);
	snprintf(args, sizeof(args), "%s %s %s %s", cmd ? cmd : "", spelled,
		 *o->arg ? sample_arg(o->arg) : "", rest);
	snprintf(want, sizeof(want), "%s does not take %s (see arena-inspect %s%s--help)",
		 cmd ? cmd : "the TUI", spelled, cmd ? cmd : "", cmd ? " " : "");
	if (!takes) {
		/* diff and check exit 2 on trouble (their 1 is an answer) */
		expect_status("", args,
			      cmd && (!strcmp(cmd, "diff") || !strcmp(cmd, "check")) ? 2 : 1, want);
		return;
	}
	snprintf(line, sizeof(line), "%s %s", INSPECT_BIN, args);
	assert_int_equal(fixture_run2(line, &out, &err, &st), 0);
	if (strstr(err, "does not take") || strstr(err, "unknown option") ||
	    strstr(err, "needs an"))
		fail_msg("'%s' lists %s in its help, but: %s", cmd ? cmd : "the TUI", spelled, err);
	free(out);
	free(err);
}

static void options_per_command(void **state)
{
	/* the commands the design names; the usage text may have more */
	static const char *const known[] = { "list",  "pages", "hex",	   "print",
					     "types", "watch", "snapshot", "diff" };
	struct opt_line all[MAX_OPTS], mine[MAX_OPTS];
	char *usage = NULL, *out = NULL, *err = NULL, args[256], *cmds[MAX_CMDS];
	const char *list;
	int st, n_all, n_cmds = 0, n_mine;

	snprintf(args, sizeof(args), "%s --help", INSPECT_BIN);
	assert_int_equal(fixture_run2(args, &usage, NULL, &st), 0);
	assert_int_equal(st, 0);
	n_all = help_options(usage, all);
	assert_non_null(find_opt(all, n_all, "count"));
	assert_non_null(find_opt(all, n_all, "json"));
	/* the commands: "       arena-inspect NAME ..." (the first line is the TUI's) */
	for (const char *l = strstr(usage, "\n       arena-inspect "); l;
	     l = strstr(l + 1, "\n       arena-inspect ")) {
		const char *w = l + strlen("\n       arena-inspect ");

		assert_true(n_cmds < MAX_CMDS);
		cmds[n_cmds++] = strndup(w, strcspn(w, " \n"));
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		bool found = false;

		for (int k = 0; k < n_cmds; k++)
			found |= !strcmp(cmds[k], known[i]);
		if (!found)
			fail_msg("the usage text has no line for '%s'", known[i]);
	}

	/* the unknown-command list: every command of the usage text, no other */
	assert_int_equal(fixture_load("list", &F), 0);
	snprintf(args, sizeof(args), "id %u lsit", F.map_id);
	expect_fail("", args, "unexpected argument 'lsit' (commands: ");
	snprintf(args, sizeof(args), "%s id %u lsit", INSPECT_BIN, F.map_id);
	assert_int_equal(fixture_run2(args, NULL, &err, &st), 0);
	list = strstr(err, "(commands: ") + strlen("(commands: ");
	for (int k = 0, off = 0; k < n_cmds; k++) {
		size_t len = strlen(cmds[k]);

		if (strncmp(list + off, cmds[k], len) ||
		    !strchr(k + 1 < n_cmds ? "," : ")", list[off + len]))
			fail_msg("the unknown-command list '%s' is not the usage text's commands "
				 "(at %s)",
				 err, cmds[k]);
		off += len + 2;
	}
	free(err);

	/* the brief's two: list exits 1, diff 2 (its trouble) */
	expect_fail("", "list --count 5", "list does not take --count");
	snprintf(args, sizeof(args), "diff --count 5 id %u id %u", F.map_id, F.map_id);
	expect_status("", args, 2, "diff does not take --count");

	for (int k = 0; k <= n_cmds; k++) {
		const char *cmd = k < n_cmds ? cmds[k] : NULL;

		if (cmd) {
			char *h2 = NULL;

			snprintf(args, sizeof(args), "%s %s --help", INSPECT_BIN, cmd);
			assert_int_equal(fixture_run2(args, &out, NULL, &st), 0);
			assert_int_equal(st, 0);
			snprintf(args, sizeof(args), "Usage: arena-inspect %s", cmd);
			if (strncmp(out, args, strlen(args)))
				fail_msg("'%s --help' does not begin with its usage line: %.80s",
					 cmd, out);
			n_mine = help_options(out, mine);
			snprintf(args, sizeof(args), "%s %s -h", INSPECT_BIN, cmd);
			assert_int_equal(fixture_run2(args, &h2, NULL, &st), 0);
			assert_string_equal(h2, out);
			free(h2);
			free(out);
		} else {
			n_mine = 0;
			for (int i = 0; i < n_all; i++)
				if (tui_takes(&all[i], cmds, n_cmds))
					mine[n_mine++] = all[i];
		}
		assert_non_null(find_opt(mine, n_mine, "help"));
		for (int i = 0; i < n_all; i++) {
			bool takes = find_opt(mine, n_mine, all[i].name);

			try_option(cmd, &all[i], false, takes);
			if (all[i].letter)
				try_option(cmd, &all[i], true, takes);
		}
		/* and nothing listed that the usage text does not know */
		for (int i = 0; i < n_mine; i++)
			assert_non_null(find_opt(all, n_all, mine[i].name));
	}
	for (int k = 0; k < n_cmds; k++)
		free(cmds[k]);
	free(usage);
}

/*
 * A probe the verifier refuses (AI_TEST_PROBE_FAIL=1 adds a program built
 * to be refused, see probe.h). Without --debug: one error line carrying the
 * verifier's key line. With --debug: libbpf's messages and the verifier log
 * on stderr, and that same key line is one of the log's lines.
 */
static void probe_load_failure_cli(void **state)
{
	char cmd[512], *out = NULL, *err = NULL, *key, *nl;
	const char *refused = "the verifier refused program 'arena_probe_broken': ";
	const char *log;
	int st = 0;

	assert_int_equal(fixture_load("list", &F), 0);
	snprintf(cmd, sizeof(cmd), "pages id %u", F.map_id);
	expect_fail("AI_TEST_PROBE_FAIL=1 ", cmd, refused);
	snprintf(cmd, sizeof(cmd), "id %u", F.map_id); /* the TUI fails before it starts */
	expect_fail("AI_TEST_PROBE_FAIL=1 ", cmd, refused);
	snprintf(cmd, sizeof(cmd), "AI_TEST_PROBE_FAIL=1 %s id %u", INSPECT_BIN, F.map_id);
	assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
	key = strstr(err, refused);
	assert_non_null(key);
	key = strdup(key + strlen(refused));
	assert_non_null(key);
	nl = strchr(key, '\n');
	if (nl)
		*nl = '\0';
	assert_true(strlen(key) > 0);
	free(out);
	free(err);

	snprintf(cmd, sizeof(cmd), "AI_TEST_PROBE_FAIL=1 %s --debug id %u", INSPECT_BIN, F.map_id);
	assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
	assert_int_equal(st, 1);
	assert_non_null(strstr(err, "libbpf: "));
	log = strstr(err, "-- BEGIN PROG LOAD LOG --\n");
	if (!log || !strstr(log, "-- END PROG LOAD LOG --"))
		fail_msg("--debug: no verifier log on stderr: '%.2000s'", err);
	/* the key line of the error is the verifier's own, inside its log */
	{
		char want[400];

		snprintf(want, sizeof(want), "\n%s\n", key);
		if (!strstr(log, want))
			fail_msg("key line '%s' is not a line of the verifier log '%.2000s'", key,
				 log);
	}
	/* and it still ends with the one error line */
	assert_non_null(strstr(err, refused));
	free(out);
	free(err);
	free(key);
	/* without the hook the same probe loads: the failure was the hook's */
	snprintf(cmd, sizeof(cmd), "pages id %u -j", F.map_id);
	json_free(inspect_json(cmd));
}

static int app_prints;

static int app_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	app_prints++;
	return 0;
}

struct logbuf {
	char text[1 << 20];
	size_t len;
	int warns;
};

static void collect(void *ctx, enum ai_log_level level, const char *msg)
{
	struct logbuf *b = ctx;
	size_t n = strlen(msg);

	b->warns += level == AI_LOG_WARN;
	if (n > sizeof(b->text) - 1 - b->len)
		n = sizeof(b->text) - 1 - b->len;
	memcpy(b->text + b->len, msg, n);
	b->len += n;
	b->text[b->len] = '\0';
}

/*
 * The library's side of it: libbpf's messages reach the probe's log
 * callback and not the application's libbpf print callback, which is put
 * back after every load; the error names the verifier's key line; a failed
 * load is retried; sources share one probe by reference.
 */
static void probe_log_and_print_restored(void **state)
{
	static struct logbuf lb;
	LIBBPF_OPTS(probe_opts, po, .log = collect, .log_ctx = &lb);
	struct selector sel = { .kind = SEL_ID };
	struct source *a, *b;
	struct probe *p;
	struct pagemap pm;
	const char *line;

	assert_int_equal(fixture_load("list", &F), 0);
	sel.id = F.map_id;
	libbpf_set_print(app_print);
	p = probe__open(&po);
	assert_non_null(p);

	setenv("AI_TEST_PROBE_FAIL", "1", 1);
	assert_true(live__open(&sel, p, &a) < 0);
	unsetenv("AI_TEST_PROBE_FAIL");
	line = strstr(ai_errmsg(), "the verifier refused program 'arena_probe_broken': ");
	if (!line)
		fail_msg("error without the verifier's words: '%s'", ai_errmsg());
	assert_non_null(strstr(lb.text, "-- BEGIN PROG LOAD LOG --"));
	assert_non_null(strstr(lb.text, strchr(line, ':') + 2));
	assert_true(lb.warns > 0);
	assert_int_equal(app_prints, 0);
	assert_ptr_equal(libbpf_set_print(app_print), app_print);

	/* the same probe loads once the hook is gone */
	lb.len = 0;
	assert_int_equal(live__open(&sel, p, &a), 0);
	assert_int_equal(live__open(&sel, p, &b), 0);
	assert_true(lb.len > 0); /* libbpf's debug messages of the load */
	assert_int_equal(app_prints, 0);
	assert_ptr_equal(libbpf_set_print(app_print), app_print);
	probe__close(p); /* the sources keep it alive */
	assert_int_equal(source__pagemap(a, &pm), 0);
	assert_int_equal(pm.counts[PAGE_ALLOCATED], F.allocated);
	pagemap__free(&pm);
	source__close(a);
	assert_int_equal(source__pagemap(b, &pm), 0);
	assert_int_equal(pm.counts[PAGE_ALLOCATED], F.allocated);
	pagemap__free(&pm);
	source__close(b);
	assert_int_equal(app_prints, 0);
	assert_ptr_equal(libbpf_set_print(NULL), app_print);
}

/* The arena goes away while we hold a source on it. */
/* list and the chooser name owners as bpftool does, comm(pid): this test
 * holds an fd to the arena, so it is an owner whose pid and name it knows;
 * its name holds an ESC, which text shows as \x1b and JSON escapes */
static void owners_comm(void **state)
{
	static const char name[] = "ai-own\x1b[2Jx";
	char want[64], comm_before[32] = "", *out = NULL, *err = NULL, cmd[512];
	const struct json *row = NULL, *owners, *comms;
	struct json *j;
	int fd, st = -1;
	size_t i;

	assert_int_equal(fixture_load("list", &F), 0);
	fd = bpf_map_get_fd_by_id(F.map_id);
	assert_true(fd >= 0);
	assert_int_equal(prctl(PR_GET_NAME, comm_before), 0);
	assert_int_equal(prctl(PR_SET_NAME, name), 0);
	j = inspect_json("list -j");
	for (i = 0; i < json_len(j); i++)
		if (json_int(json_get(json_at(j, i), "id"), -1) == F.map_id)
			row = json_at(j, i);
	assert_non_null(row);
	owners = json_get(row, "owners");
	comms = json_get(row, "owner_comms");
	assert_int_equal(json_len(owners), json_len(comms));
	for (i = 0; i < json_len(owners); i++)
		if (json_int(json_at(owners, i), -1) == getpid())
			break;
	assert_true(i < json_len(owners)); /* we hold an fd: we are an owner */
	assert_string_equal(json_str(json_at(comms, i)), name);
	json_free(j);
	/* text: comm(pid), the name in its printable form */
	snprintf(cmd, sizeof(cmd), "%s list", INSPECT_BIN);
	assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
	assert_int_equal(st, 0);
	snprintf(want, sizeof(want), "ai-own\\x1b[2Jx(%d)", (int)getpid());
	if (!strstr(out, want))
		fail_msg("list lacks '%s':\n%s", want, out);
	assert_null(strchr(out, 0x1b)); /* never the raw ESC */
	free(out);
	free(err);
	prctl(PR_SET_NAME, comm_before);
	close(fd);
	(void)state;
}

static void arena_destroyed_while_attached(void **state)
{
	struct selector sel = { .kind = SEL_ID };
	struct source *src;
	struct pagemap pm;
	uint8_t b[8];

	assert_int_equal(fixture_load("tree", &F), 0);
	sel.id = F.map_id;
	assert_int_equal(live__open(&sel, NULL, &src), 0);
	assert_int_equal(fixture_unload(&F), 0);
	/* programs and pins are gone; the map follows once released */
	for (int i = 0; i < 100; i++) {
		int fd = bpf_map_get_fd_by_id(sel.id);

		if (fd < 0)
			break;
		close(fd);
		usleep(20000);
	}
	assert_int_equal(source__pagemap(src, &pm), -ENOENT);
	assert_non_null(strstr(ai_errmsg(), "no longer exists"));
	assert_int_equal(source__read(src, src->info.user_vm_start, b, 8, NULL), -ENOENT);
	source__close(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(pages_list, teardown),
		cmocka_unit_test_teardown(pages_htab, teardown),
		cmocka_unit_test_teardown(pages_tree, teardown),
		cmocka_unit_test_teardown(pages_live, teardown),
		cmocka_unit_test_teardown(pages_sparse, teardown),
		cmocka_unit_test_teardown(pages_nouser, teardown),
		cmocka_unit_test_teardown(full_probe_htab, teardown),
		cmocka_unit_test_teardown(full_probe_tree, teardown),
		cmocka_unit_test_teardown(full_probe_sparse, teardown),
		cmocka_unit_test_teardown(unallocated_read_changes_nothing, teardown),
		cmocka_unit_test_teardown(churn_reads_allocate_nothing, teardown),
		cmocka_unit_test_teardown(counts_match_states, teardown),
		cmocka_unit_test_teardown(pagemap_check_sees_changes, teardown),
		cmocka_unit_test_teardown(errors, teardown),
		cmocka_unit_test_teardown(options_per_command, teardown),
		cmocka_unit_test_teardown(arena_destroyed_while_attached, teardown),
		cmocka_unit_test_teardown(owners_comm, teardown),
		cmocka_unit_test_teardown(probe_load_failure_cli, teardown),
		cmocka_unit_test_teardown(probe_log_and_print_restored, teardown),
	};
	const char *why = bpf_test_skip_reason();

	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshots of real fixture arenas: every scenario saved with the CLI, then
 * `pages` and `print` compared live vs saved, the bytes compared in-process
 * (diff of the live arena against its snapshot is empty), gdb reads the
 * file, and snapshots of the churning arena stay valid and differ: by
 * pages and bytes, and by typed field (state->steps, old and new).
 * Skipped with a reason where BPF arenas are not available.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/btf.h>
#include "btfx.h"
#include "check.h"
#include "diff.h"
#include "error.h"
#include "fixture.h"
#include "live.h"
#include "probe.h"
#include "probe_abi.h"
#include "refs.h"
#include "snapshot.h"

static char dir[64];

static char *run_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *run_ok(const char *fmt, ...)
{
	char cmd[2048], *out = NULL;
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(fixture_run(cmd, &out, &st), 0);
	if (st != 0)
		fail_msg("'%s' exited with %d", cmd, st);
	return out;
}

/*
 * source__gather on the live arena (one kernel pass) and on its snapshot
 * (no gather op: read item by item) gives the same answers: a field at the
 * start of every page and one across every page boundary.
 */
static void gather_agrees(struct source *live, struct source *snap)
{
	uint32_t np = live->info.max_pages < 512 ? live->info.max_pages : 512, n = 0;
	struct gather_item *a = calloc(2 * np, sizeof(*a)), *b = calloc(2 * np, sizeof(*b));
	uint32_t missing = 0;

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(live->ops->gather);
	assert_null(snap->ops->gather);
	for (uint32_t p = 0; p < np; p++) {
		a[n].off = p * 4096ULL + 8;
		a[n++].len = 16;
		if (p + 1 < np) {
			a[n].off = (p + 1) * 4096ULL - 6;
			a[n++].len = 12;
		}
	}
	memcpy(b, a, n * sizeof(*a));
	assert_int_equal(source__gather(live, a, n), 0);
	assert_int_equal(source__gather(snap, b, n), 0);
	for (uint32_t i = 0; i < n; i++) {
		if (a[i].err != b[i].err)
			fail_msg("gather of 0x%llx+%u: live says %d, snapshot %d",
				 (unsigned long long)a[i].off, a[i].len, a[i].err, b[i].err);
		if (!a[i].err)
			assert_memory_equal(a[i].data, b[i].data, a[i].len);
		missing += a[i].err != 0;
	}
	/* every fixture here has free pages, and a field in each allocated one */
	assert_true(missing > 0 && missing < n);
	free(a);
	free(b);
}

/* a command line, in one of a few static buffers */
static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
	static char b[4][2048];
	static int k;
	char *r = b[k++ % 4];
	va_list ap;

	va_start(ap, f);
	vsnprintf(r, sizeof(b[0]), f, ap);
	va_end(ap);
	return r;
}

/* run a command that must exit with want; returns stdout */
static char *run_st(int want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *run_st(int want, const char *fmt, ...)
{
	char cmd[2048], *out = NULL, *err = NULL;
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
	if (st != want)
		fail_msg("'%s' exited with %d, wanted %d (stderr '%s')", cmd, st, want, err);
	free(err);
	return out;
}

/* diff -j: the exit status is 1 exactly when the summary shows a difference */
static void diff_status_agrees(const char *a, const char *b)
{
	static const char *const counts[] = { "pages_allocated",	"pages_freed",
					      "pages_reserved_changed", "pages_changed",
					      "pages_unreadable",	"ranges",
					      "bytes_changed" };
	char cmd[512], *out = NULL, *err = NULL, key[64];
	struct json *j;
	bool differ;
	int st;

	snprintf(cmd, sizeof(cmd), "%s diff %s %s -j", INSPECT_BIN, a, b);
	assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
	j = json_parse(out, NULL, 0);
	if (!j)
		fail_msg("'%s': exit %d, no JSON (stderr '%s')", cmd, st, err);
	differ = json_bool(json_path(j, "summary.size_differs")) ||
		 json_int(json_path(j, "summary.fields_changed"), 0) > 0;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		snprintf(key, sizeof(key), "summary.%s", counts[i]);
		differ |= json_int(json_path(j, key), -1) != 0;
	}
	if (st != (differ ? 1 : 0))
		fail_msg("'%s': exit %d but the summary says %s", cmd, st,
			 differ ? "different" : "the same");
	json_free(j);
	free(out);
	free(err);
}

/* diff trouble: exit 2, one line on stderr, nothing on stdout */
static void diff_trouble(const char *args, const char *msg)
{
	char cmd[512], *out = NULL, *err = NULL;
	int st;

	snprintf(cmd, sizeof(cmd), "%s diff %s", INSPECT_BIN, args);
	assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
	if (st != 2 || !strstr(err, msg) || !strchr(err, '\n') || strchr(err, '\n')[1])
		fail_msg("'%s': exit %d, stderr '%s' (wanted 2 and one line with '%s')", cmd, st,
			 err, msg);
	if (*out && !strstr(args, ">"))
		fail_msg("'%s': printed '%s'", cmd, out);
	free(out);
	free(err);
}

/* The programs' .bss/.data/.rodata variables, bytes and all, come back
 * from the snapshot as they were read from the maps. */
static void vars_agree(struct source *live, struct source *snap, const char *scenario)
{
	struct btfx *bl, *bs;

	assert_int_equal(btfx__open(live, NULL, &bl), 0);
	assert_int_equal(btfx__open(snap, NULL, &bs), 0);
	assert_false(btfx__vars_cut(bl));
	assert_int_equal(btfx__nr_vars(bs), btfx__nr_vars(bl));
	for (int i = 0; i < btfx__nr_vars(bl); i++) {
		const struct map_var *v = btfx__var(bl, i), *w = btfx__find_var(bs, v->name);

		assert_non_null(w);
		assert_string_equal(w->section, v->section);
		assert_int_equal(w->size, v->size);
		assert_int_equal(w->map_id, v->map_id);
		assert_memory_equal(w->data, v->data, v->size);
		assert_string_equal(
			btf__name_by_offset(w->btf, btf__type_by_id(w->btf, w->type_id)->name_off),
			btf__name_by_offset(v->btf, btf__type_by_id(v->btf, v->type_id)->name_off));
	}
	if (!strcmp(scenario, "list")) {
		/* list.bpf.c counts its nodes in a .bss int (LIST_NODES, 8) */
		const struct map_var *v = btfx__find_var(bl, "nr_nodes");
		int n;

		assert_non_null(v);
		assert_string_equal(v->section, ".bss");
		assert_int_equal(v->size, sizeof(int));
		memcpy(&n, v->data, sizeof(n));
		assert_int_equal(n, 8);
	}
	btfx__free(bs);
	btfx__free(bl);
}

static void live_vs_snapshot(const char *scenario)
{
	struct fixture f;
	char file[128];
	struct selector sel = { .kind = SEL_ID };
	struct source *live, *snap;
	struct diff_stats ds;
	const char *root;
	char *a, *b;
	struct json *j;

	assert_int_equal(fixture_load(scenario, &f), 0);
	snprintf(file, sizeof(file), "%s/%s.core", dir, scenario);

	a = run_ok("%s snapshot id %u -o %s -j", INSPECT_BIN, f.map_id, file);
	j = json_parse(a, NULL, 0);
	assert_non_null(j);
	assert_int_equal(json_int(json_get(j, "pages_saved"), -1), f.allocated);
	assert_int_equal(json_int(json_get(j, "pages_reserved"), -1), f.reserved);
	json_free(j);
	free(a);
	assert_true(snapshot__is_snapshot(file));

	/* the page map, as the CLI prints it, is the same */
	a = run_ok("%s pages id %u -j", INSPECT_BIN, f.map_id);
	b = run_ok("%s pages %s -j", INSPECT_BIN, file);
	assert_string_equal(a, b);
	free(a);
	free(b);

	/* the typed value of the root, decoded offline from the stored BTF */
	root = json_str(json_get(f.expect, "root"));
	if (root) {
		a = run_ok("%s print id %u '*%s' -j", INSPECT_BIN, f.map_id, root);
		b = run_ok("%s print %s '*%s' -j", INSPECT_BIN, file, root);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}

	/* every byte: the live arena against its snapshot */
	sel.id = f.map_id;
	assert_int_equal(live__open(&sel, NULL, &live), 0);
	assert_int_equal(snapshot__open(file, &snap), 0);
	assert_int_equal(snap->info.map_id, f.map_id);
	assert_int_equal(snap->info.user_vm_start, f.user_vm_start);
	assert_int_equal(diff__walk(live, snap, NULL, NULL, NULL, &ds), 0);
	assert_int_equal(ds.pages_allocated + ds.pages_freed + ds.pages_other, 0);
	assert_int_equal(ds.bytes_changed, 0);
	assert_int_equal(ds.pages_compared, f.allocated);
	gather_agrees(live, snap);
	vars_agree(live, snap, scenario);

	/* gdb reads the first allocated page as a core file (./dev installs
	 * gdb: its absence is a broken setup, not a reason to skip) */
	if (access("/usr/bin/gdb", X_OK))
		fail_msg("gdb is not installed (./dev installs it)");
	{
		struct pagemap pm;
		uint64_t want[2], got[2] = { 1, 1 };
		char *out;

		assert_int_equal(source__pagemap(snap, &pm), 0);
		for (uint32_t i = 0; i < pm.nr_pages; i++) {
			uint64_t addr = snap->info.user_vm_start + i * 4096ULL;
			const char *p;

			if (pm.state[i] != PAGE_ALLOCATED)
				continue;
			assert_int_equal(source__read_exact(snap, addr + 16, want, 16), 0);
			out = run_ok("gdb -nx -batch -c %s -ex 'x/2gx 0x%llx' 2>/dev/null", file,
				     (unsigned long long)addr + 16);
			p = strrchr(out, ':');
			assert_non_null(p);
			assert_int_equal(sscanf(p + 1, "%llx %llx", (unsigned long long *)&got[0],
						(unsigned long long *)&got[1]),
					 2);
			assert_memory_equal(got, want, 16);
			free(out);
			break;
		}
		pagemap__free(&pm);
	}
	source__close(snap);
	source__close(live);
	unlink(file);
	assert_int_equal(fixture_unload(&f), 0);
}

static void list(void **state)
{
	live_vs_snapshot("list");
}
static void htab(void **state)
{
	live_vs_snapshot("htab");
}
static void tree(void **state)
{
	live_vs_snapshot("tree");
}
static void sparse(void **state)
{
	live_vs_snapshot("sparse");
}
static void nouser(void **state)
{
	live_vs_snapshot("nouser");
}

/*
 * A sparse arena's snapshot costs in proportion to its allocated pages:
 * its scattered pages are read a chunk (PROBE_BUF_PAGES) at a time through
 * read_runs, not a kernel pass per run of pages; so do the health scan and
 * the refs index. sparse has some 3,000 allocated pages in about as many
 * runs (live_vs_snapshot checks the bytes, it_check and it_refs the scans).
 */
static void sparse_reads_in_chunks(void **state)
{
	struct selector sel = { .kind = SEL_ID };
	struct probe_stats st;
	struct source *live;
	struct pagemap pm;
	struct fixture f;
	char file[128];
	uint64_t chunks;

	assert_int_equal(fixture_load("sparse", &f), 0);
	snprintf(file, sizeof(file), "%s/sparse-chunks.core", dir);
	sel.id = f.map_id;
	assert_int_equal(live__open(&sel, NULL, &live), 0);
	assert_int_equal(source__pagemap(live, &pm), 0);
	chunks = (pm.counts[PAGE_ALLOCATED] + PROBE_BUF_PAGES - 1) / PROBE_BUF_PAGES;
	assert_true(pm.nr_free_runs > 10 * chunks);
	pagemap__free(&pm);
	probe__stats(live__probe(live), NULL, true);
	assert_int_equal(snapshot__write(live, NULL, file), 0);
	probe__stats(live__probe(live), &st, false);
	print_message("sparse: %llu read passes for %llu chunks of pages\n",
		      (unsigned long long)st.read_passes, (unsigned long long)chunks);
	/* a pass or two more for what else the writer reads, not one a run */
	assert_true(st.read_passes <= chunks + 2);

	/* the health scan and the refs index read them the same way (their
	 * chunks are smaller: 64 and 256 pages) */
	{
		struct check_result cr;
		struct refs_index *idx = NULL;

		probe__stats(live__probe(live), NULL, true);
		assert_int_equal(check__run(NULL, live, NULL, &cr), 0);
		probe__stats(live__probe(live), &st, false);
		print_message("sparse: check %llu read passes, %llu pages scanned\n",
			      (unsigned long long)st.read_passes,
			      (unsigned long long)cr.summary.pages_scanned);
		assert_true(st.read_passes <= cr.summary.pages_scanned / 64 + 2);
		assert_int_equal(cr.summary.pages_scanned, f.allocated);
		check__result_free(&cr);
		probe__stats(live__probe(live), NULL, true);
		assert_int_equal(refs__build(live, &idx), 0);
		probe__stats(live__probe(live), &st, false);
		print_message("sparse: refs %llu read passes\n",
			      (unsigned long long)st.read_passes);
		assert_true(st.read_passes <= f.allocated / 256 + 2);
		refs__free(idx);
	}
	source__close(live);
	unlink(file);
	assert_int_equal(fixture_unload(&f), 0);
}

/* `diff A B -j`'s "fields" entry for path, or NULL */
static const struct json *field(const struct json *doc, const char *path)
{
	const struct json *fields = json_get(doc, "fields");

	for (size_t i = 0; i < json_len(fields); i++) {
		const char *p = json_str(json_get(json_at(fields, i), "path"));

		if (p && !strcmp(p, path))
			return json_at(fields, i);
	}
	return NULL;
}

static void churn(void **state)
{
	struct fixture f;
	char f1[128], f2[128], before[32], after[32];
	struct fixture_counts fc;
	const struct json *fld;
	struct diff_stats ds;
	struct source *a, *b;
	struct json *j;
	char *out;

	assert_int_equal(fixture_load("churn", &f), 0);
	snprintf(f1, sizeof(f1), "%s/churn1.core", dir);
	snprintf(f2, sizeof(f2), "%s/churn2.core", dir);
	/* saved while pages come and go: always a valid file */
	for (int i = 0; i < 5; i++) {
		struct pagemap pm;

		free(run_ok("%s snapshot id %u -o %s -j", INSPECT_BIN, f.map_id, f1));
		assert_int_equal(snapshot__open(f1, &a), 0);
		assert_int_equal(source__pagemap(a, &pm), 0);
		pagemap__free(&pm);
		source__close(a);
	}
	assert_int_equal(fixture_cmd(&f, "step", "50", NULL), 0);
	free(run_ok("%s snapshot id %u -o %s", INSPECT_BIN, f.map_id, f2));

	assert_int_equal(snapshot__open(f1, &a), 0);
	assert_int_equal(snapshot__open(f2, &b), 0);
	assert_int_equal(diff__walk(a, b, &(struct diff_opts){ .merge_gap = DIFF_CLI_MERGE_GAP },
				    NULL, NULL, &ds),
			 0);
	assert_true(ds.pages_allocated + ds.pages_freed + ds.bytes_changed > 0);
	source__close(a);
	source__close(b);

	/* different: exit 1, as diff(1) */
	out = run_st(1, "%s diff %s %s -j", INSPECT_BIN, f1, f2);
	j = json_parse(out, NULL, 0);
	assert_non_null(j);
	assert_int_equal(json_int(json_path(j, "summary.pages_allocated"), -1), ds.pages_allocated);
	assert_int_equal(json_int(json_path(j, "summary.pages_freed"), -1), ds.pages_freed);
	assert_int_equal(json_int(json_path(j, "summary.bytes_changed"), -1),
			 (long long)ds.bytes_changed);
	assert_int_equal(json_len(json_get(j, "ranges")), ds.ranges);
	json_free(j);
	free(out);
	free(run_st(1, "%s diff %s %s", INSPECT_BIN, f1, f2));
	/* the same file twice: exit 0 */
	free(run_st(0, "%s diff %s %s", INSPECT_BIN, f1, f1));
	free(run_st(0, "%s diff %s %s -j", INSPECT_BIN, f2, f2));
	/* live against saved works too, its status agreeing with its summary */
	{
		char live[32];

		snprintf(live, sizeof(live), "id %u", f.map_id);
		diff_status_agrees(live, f2);
		diff_status_agrees(f1, f2);
		diff_status_agrees(f2, f2);
	}
	/* trouble: exit 2, whatever went wrong */
	{
		char args[512];

		snprintf(args, sizeof(args), "%s /no/such/file", f1);
		diff_trouble(args, "No such file");
		snprintf(args, sizeof(args), "/no/such/file %s", f1);
		diff_trouble(args, "No such file");
		snprintf(args, sizeof(args), "%s /etc/hostname", f1);
		diff_trouble(args, "not an arena snapshot");
		diff_trouble(f1, "two arenas are needed");
		diff_trouble("", "two arenas are needed");
		snprintf(args, sizeof(args), "%s %s extra", f1, f2);
		diff_trouble(args, "unexpected argument 'extra'");
		snprintf(args, sizeof(args), "--frob %s %s", f1, f2);
		diff_trouble(args, "unknown option '--frob'");
		snprintf(args, sizeof(args), "%s %s --interval x", f1, f2);
		diff_trouble(args, "--interval");
		snprintf(args, sizeof(args), "%s %s --btf", f1, f2);
		diff_trouble(args, "--btf needs an argument");
		snprintf(args, sizeof(args), "%s %s --btf /no/such/btf", f1, f2);
		diff_trouble(args, "/no/such/btf");
		snprintf(args, sizeof(args), "%s %s >/dev/full", f1, f2);
		diff_trouble(args, "No space left on device");
	}

	/* paused: exactly 5 steps between the snapshots, and the diff names
	 * the step counter by its path with both values */
	assert_int_equal(fixture_cmd(&f, "pause", NULL, NULL), 0);
	assert_int_equal(fixture_count(&f, &fc), 0);
	snprintf(before, sizeof(before), "%llu", (unsigned long long)fc.fixture_steps);
	free(run_ok("%s snapshot id %u -o %s", INSPECT_BIN, f.map_id, f1));
	assert_int_equal(fixture_cmd(&f, "step", "5", NULL), 0);
	assert_int_equal(fixture_count(&f, &fc), 0);
	snprintf(after, sizeof(after), "%llu", (unsigned long long)fc.fixture_steps);
	assert_int_equal(strtoull(after, NULL, 10), strtoull(before, NULL, 10) + 5);
	free(run_ok("%s snapshot id %u -o %s", INSPECT_BIN, f.map_id, f2));
	out = run_st(1, "%s diff %s %s -j", INSPECT_BIN, f1, f2);
	j = json_parse(out, NULL, 0);
	assert_non_null(j);
	assert_int_equal(json_bool(json_path(j, "summary.fields_compared")), 1);
	assert_true(json_int(json_path(j, "summary.fields_changed"), 0) >= 1);
	fld = field(j, "state->steps");
	if (!fld)
		fail_msg("no state->steps in the fields of: %s", out);
	assert_string_equal(json_str(json_get(fld, "old")), before);
	assert_string_equal(json_str(json_get(fld, "new")), after);
	json_free(j);
	free(out);
	/* the text output lists it too */
	out = run_st(1, "%s diff %s %s", INSPECT_BIN, f1, f2);
	assert_non_null(strstr(out, "state->steps"));
	free(out);
	/* the same snapshot twice: no fields */
	out = run_st(0, "%s diff %s %s -j", INSPECT_BIN, f2, f2);
	j = json_parse(out, NULL, 0);
	assert_non_null(j);
	assert_int_equal(json_len(json_get(j, "fields")), 0);
	assert_int_equal(json_int(json_path(j, "summary.fields_changed"), -1), 0);
	json_free(j);
	free(out);
	assert_int_equal(fixture_cmd(&f, "resume", NULL, NULL), 0);
	unlink(f1);
	unlink(f2);
	assert_int_equal(fixture_unload(&f), 0);
}

/*
 * Issue 11 item 7: `snapshot -o LINK` replaced the file the link names. Now
 * it is refused with one line and both stay as they were; with --force the
 * link itself becomes the snapshot and the file it named is untouched.
 */
static void symlink_target(void **state)
{
	char victim[128], link[128], *out, *err, *a, *b;
	struct stat vb, sb;
	struct fixture f;
	int st;

	assert_int_equal(fixture_load("list", &f), 0);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	{
		FILE *v = fopen(victim, "w");

		assert_non_null(v);
		fputs("data\n", v);
		fclose(v);
	}
	assert_int_equal(chmod(victim, 0644), 0);
	assert_int_equal(stat(victim, &vb), 0);
	assert_int_equal(symlink("victim", link), 0);

	assert_int_equal(fixture_run2(fmt("%s snapshot id %u -o %s", INSPECT_BIN, f.map_id, link),
				      &out, &err, &st),
			 0);
	assert_int_equal(st, 1);
	assert_non_null(strstr(err, "is a symlink"));
	/* one line */
	assert_true(strlen(err) > 1 && strchr(err, '\n') == err + strlen(err) - 1);
	free(out);
	free(err);
	assert_int_equal(lstat(link, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	assert_int_equal(stat(victim, &sb), 0);
	assert_int_equal(sb.st_ino, vb.st_ino);
	assert_int_equal(sb.st_size, 5);
	assert_int_equal(sb.st_mode & 0777, 0644);

	free(run_ok("%s snapshot id %u -o %s --force", INSPECT_BIN, f.map_id, link));
	assert_int_equal(lstat(link, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(victim, &sb), 0);
	assert_int_equal(sb.st_ino, vb.st_ino);
	assert_int_equal(sb.st_size, 5);
	a = run_ok("%s pages id %u -j", INSPECT_BIN, f.map_id);
	b = run_ok("%s pages %s -j", INSPECT_BIN, link);
	assert_string_equal(a, b);
	free(a);
	free(b);
	unlink(link);
	unlink(victim);
	assert_int_equal(fixture_unload(&f), 0);
}

/*
 * Issue 11 item 14: a snapshot written with sudo was root's and 0600, so
 * the user who asked for it could not open it. As root with SUDO_UID and
 * SUDO_GID set, the new file is theirs (still 0600), and they can read it;
 * garbage in SUDO_UID is ignored; the directory is not given away.
 */
static void sudo_owner(void **state)
{
	char file[128], *a, *b;
	struct fixture f;
	struct stat sb;

	assert_int_equal(fixture_load("list", &f), 0);
	/* nobody must be able to reach the file */
	assert_int_equal(chmod(dir, 0711), 0);
	snprintf(file, sizeof(file), "%s/sudo.core", dir);

	free(run_ok("SUDO_UID=65534 SUDO_GID=65534 %s snapshot id %u -o %s", INSPECT_BIN, f.map_id,
		    file));
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_uid, 65534);
	assert_int_equal(sb.st_gid, 65534);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_uid, 0);
	if (access("/usr/bin/setpriv", X_OK)) {
		fprintf(stderr, "# skipped reading the file as uid 65534: no /usr/bin/setpriv\n");
	} else {
		a = run_ok("%s pages %s -j", INSPECT_BIN, file);
		b = run_ok("setpriv --reuid=65534 --regid=65534 --clear-groups %s pages %s -j",
			   INSPECT_BIN, file);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}

	/* not numbers: ignored, the file stays root's */
	free(run_ok("SUDO_UID='65534; rm -rf /' SUDO_GID=x %s snapshot id %u -o %s", INSPECT_BIN,
		    f.map_id, file));
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_uid, 0);
	assert_int_equal(sb.st_gid, 0);
	free(run_ok("SUDO_UID=-1 SUDO_GID=4294967295 %s snapshot id %u -o %s", INSPECT_BIN,
		    f.map_id, file));
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_uid, 0);
	/* a user without a usable group: the user only */
	free(run_ok("SUDO_UID=65534 SUDO_GID= %s snapshot id %u -o %s", INSPECT_BIN, f.map_id,
		    file));
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_uid, 65534);
	assert_int_equal(sb.st_gid, 0);
	unlink(file);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(fixture_unload(&f), 0);
}

static int setup(void **state)
{
	strcpy(dir, "/tmp/it_snapshot.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list),
		cmocka_unit_test(htab),
		cmocka_unit_test(tree),
		cmocka_unit_test(sparse),
		cmocka_unit_test(nouser),
		cmocka_unit_test(churn),
		cmocka_unit_test(sparse_reads_in_chunks),
		cmocka_unit_test(symlink_target),
		cmocka_unit_test(sudo_owner),
	};
	const char *why = bpf_test_skip_reason();

	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}

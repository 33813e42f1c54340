// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 14 on real arenas: `check`. The planted fixture gives exactly the
 * findings its loader lists (kind, at, value, target state, path), in JSON
 * and text, and its leaked run; so does a snapshot of it. The sound
 * fixtures give nothing (exit 0); tree gives exactly its planted dangling
 * pointer; alist its pointer into the freed page (and, with its types,
 * the poisoned node's next and pprev); churn, paused, only the dangling
 * `prev` links it makes by design. sdtalloc: leaks not judged (its
 * elements are held in a hash map), buddy: exactly its freed-object,
 * leaked-object and asan-poisoned findings, live and from a snapshot.
 * No check allocates a page (the kernel's
 * count before and after). Skipped with a reason where BPF arenas are
 * missing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <inttypes.h>
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

static struct fixture F;

static int teardown(void **state)
{
	(void)state;
	fixture_unload(&F);
	return 0;
}

/* arena-inspect check ARENA ARGS: stdout, exit status want, silent stderr */
static char *check_run(int want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *check_run(int want, const char *fmt, ...)
{
	char args[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	/* want -1 (CLI_RUN_ANY01): 0 or 1, whichever (churn) */
	return cli_run(want, CLI_RUN_QUIET, "%s check %s", INSPECT_BIN, args);
}

static struct json *check_json(int want, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static struct json *check_json(int want, const char *fmt, ...)
{
	char args[1024], msg[128];
	struct json *j;
	va_list ap;
	char *out;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	out = check_run(want, "%s -j", args);
	j = json_parse(out, msg, sizeof(msg));
	if (!j)
		fail_msg("check -j: %s: %s", msg, out);
	free(out);
	return j;
}

static void load(const char *scen)
{
	assert_int_equal(fixture_load(scen, &F), 0);
}

static uint32_t kernel_allocated(void)
{
	struct fixture_counts c;

	assert_int_equal(fixture_count(&F, &c), 0);
	return c.allocated;
}

/* the findings of doc equal want (an array of {kind, at, value,
 * target_state, path?}), element by element */
static void same_findings(const struct json *doc, const struct json *want)
{
	const struct json *got = json_get(doc, "findings");

	if (json_len(got) != json_len(want))
		fail_msg("%zu findings, want %zu", json_len(got), json_len(want));
	for (size_t i = 0; i < json_len(want); i++) {
		const struct json *g = json_at(got, i), *w = json_at(want, i);
		const char *wp = json_str(json_get(w, "path")), *gp = json_str(json_get(g, "path"));

		assert_string_equal(json_str(json_get(g, "kind")), json_str(json_get(w, "kind")));
		assert_int_equal(json_u64(json_get(g, "at"), 0), json_u64(json_get(w, "at"), 1));
		assert_int_equal(json_u64(json_get(g, "value"), 0),
				 json_u64(json_get(w, "value"), 1));
		assert_string_equal(json_str(json_get(g, "target_state")),
				    json_str(json_get(w, "target_state")));
		if (wp)
			assert_string_equal(gp ? gp : "(none)", wp);
		else
			assert_null(gp);
	}
}

static void planted_doc(const struct json *doc)
{
	const struct json *ur = json_get(doc, "unreachable_pages");
	const struct json *wr = json_path(F.expect, "unreachable_pages");

	long long vp = json_int(json_path(F.expect, "var_page"), -1);

	same_findings(doc, json_get(F.expect, "findings"));
	/* the nodes only the .bss struct my_alloc points to are reached */
	for (size_t i = 0; i < json_len(ur); i++)
		if (json_int(json_at(json_at(ur, i), 0), -1) <= vp &&
		    vp <= json_int(json_at(json_at(ur, i), 1), -1))
			fail_msg("page %lld (my_alloc's nodes) called unreachable", vp);
	assert_int_equal(json_len(ur), json_len(wr));
	for (size_t i = 0; i < json_len(wr); i++) {
		assert_int_equal(json_int(json_at(json_at(ur, i), 0), -1),
				 json_int(json_at(json_at(wr, i), 0), -2));
		assert_int_equal(json_int(json_at(json_at(ur, i), 1), -1),
				 json_int(json_at(json_at(wr, i), 1), -2));
	}
	assert_string_equal(json_str(json_path(doc, "summary.reachability")), "judged");
	assert_int_equal(json_int(json_path(doc, "summary.pages_scanned"), -1), F.allocated);
}

static void planted(void **state)
{
	const struct json *want;
	struct json *doc;
	uint32_t before;
	char *out, *line, *save = NULL;
	size_t nl = 0;

	(void)state;
	load("planted");
	before = kernel_allocated();
	doc = check_json(1, "id %u", F.map_id);
	planted_doc(doc);
	json_free(doc);

	/* text: one line per finding with its kind, at, value and path */
	out = check_run(1, "id %u", F.map_id);
	want = json_get(F.expect, "findings");
	line = strtok_r(out, "\n", &save);
	for (size_t i = 0; i < json_len(want); i++, line = strtok_r(NULL, "\n", &save)) {
		const struct json *w = json_at(want, i);
		const char *path = json_str(json_get(w, "path"));
		char head[128];

		assert_non_null(line);
		const char *at = json_str(json_get(w, "at"));
		char where[40];

		/* a value held in a map variable (at 0) is "in map" */
		snprintf(where, sizeof(where), "%s%s", strcmp(at, "0x0") ? "at " : "in map",
			 strcmp(at, "0x0") ? at : "");
		snprintf(head, sizeof(head), "%-10s  %s = %s  ", json_str(json_get(w, "kind")),
			 where, json_str(json_get(w, "value")));
		if (strncmp(line, head, strlen(head)))
			fail_msg("line %zu '%s' does not start with '%s'", i, line, head);
		if (path) {
			size_t l = strlen(line), p = strlen(path);

			assert_true(l > p && !strcmp(line + l - p, path) && line[l - p - 1] == ' ');
		} else {
			assert_int_equal(line[strlen(line) - 1], ')');
		}
		nl++;
	}
	assert_non_null(line);
	assert_string_equal(line, "unreachable pages: 8-10 (3 pages)");
	line = strtok_r(NULL, "\n", &save);
	assert_non_null(line);
	assert_non_null(strstr(line, "3 dangling, 1 reserved, 1 outside, 2 poison, 1 misaligned, "
				     "3 unreachable pages"));
	assert_null(strtok_r(NULL, "\n", &save));
	assert_int_equal(nl, 8);
	free(out);
	assert_int_equal(kernel_allocated(), before);
}

static void planted_snapshot(void **state)
{
	char dir[] = "/tmp/it_check.XXXXXX", cmd[600];
	struct json *doc;
	int st = -1;

	(void)state;
	load("planted");
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "%s snapshot id %u -o %s/p.snap >/dev/null", INSPECT_BIN,
		 F.map_id, dir);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
	assert_int_equal(st, 0);
	/* the file alone answers (its own page map, BTF and roots) */
	doc = check_json(1, "%s/p.snap", dir);
	planted_doc(doc);
	json_free(doc);
	/* and without root, where setpriv can drop it */
	if (!access("/usr/bin/setpriv", X_OK)) {
		char *out = NULL, *err = NULL, msg[128];

		snprintf(cmd, sizeof(cmd),
			 "chmod 755 %s && chmod 644 %s/p.snap && setpriv --reuid=65534 "
			 "--regid=65534 --clear-groups --inh-caps=-all %s check %s/p.snap -j",
			 dir, dir, INSPECT_BIN, dir);
		assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
		if (st != 1 || (err && *err))
			fail_msg("'%s': exit %d, stderr '%s'", cmd, st, err ? err : "");
		doc = json_parse(out, msg, sizeof(msg));
		assert_non_null(doc);
		planted_doc(doc);
		json_free(doc);
		free(out);
		free(err);
	} else {
		print_message("setpriv is missing: the snapshot was checked as root only\n");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
}

/*
 * diff A B --check on two snapshots of planted, the second taken after
 * `arena-fixture run planted_more` (list node 5's next into the freed page,
 * hdr->poison cleared): exactly that finding is new, with its path, and
 * exactly the poison is resolved; A against itself: nothing new, exit 0.
 */
static void planted_diff(void **state)
{
	char dir[] = "/tmp/it_check.XXXXXX", cmd[700], *out, msg[128];
	const struct json *more, *ck, *f;
	struct json *doc;
	uint32_t before;
	int st = -1;

	(void)state;
	load("planted");
	more = json_get(F.expect, "more");
	assert_non_null(more);
	before = kernel_allocated();
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "%s snapshot id %u -o %s/a.snap >/dev/null", INSPECT_BIN,
		 F.map_id, dir);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
	assert_int_equal(st, 0);
	assert_int_equal(fixture_cmd(&F, "run", "planted_more", NULL), 0);
	snprintf(cmd, sizeof(cmd), "%s snapshot id %u -o %s/b.snap >/dev/null", INSPECT_BIN,
		 F.map_id, dir);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
	assert_int_equal(st, 0);

	/* the diff's exit status is the diff's: different */
	out = cli_run(1, CLI_RUN_QUIET, "%s diff %s/a.snap %s/b.snap --check -j", INSPECT_BIN, dir,
		      dir);
	doc = json_parse(out, msg, sizeof(msg));
	if (!doc)
		fail_msg("diff --check -j: %s: %s", msg, out);
	free(out);
	ck = json_get(doc, "check");
	assert_int_equal(json_len(json_get(ck, "new")), 1);
	f = json_at(json_get(ck, "new"), 0);
	assert_string_equal(json_str(json_get(f, "kind")), "dangling");
	assert_int_equal(json_u64(json_get(f, "at"), 0), json_u64(json_get(more, "new_at"), 1));
	assert_int_equal(json_u64(json_get(f, "value"), 0),
			 json_u64(json_get(more, "new_value"), 1));
	assert_string_equal(json_str(json_get(f, "target_state")), "free");
	assert_string_equal(json_str(json_get(f, "path")),
			    "hdr->list->next->next->next->next->next->next");
	assert_int_equal(json_len(json_get(ck, "resolved")), 1);
	f = json_at(json_get(ck, "resolved"), 0);
	assert_string_equal(json_str(json_get(f, "kind")), "poison");
	assert_int_equal(json_u64(json_get(f, "at"), 0),
			 json_u64(json_get(more, "resolved_at"), 1));
	assert_string_equal(json_str(json_get(f, "path")), "hdr->poison");
	assert_int_equal(json_len(json_get(ck, "unreachable_new")), 0);
	assert_int_equal(json_len(json_get(ck, "unreachable_resolved")), 0);
	assert_int_equal(json_bool(json_path(ck, "summary.unreachable_compared")), 1);
	assert_int_equal(json_int(json_path(ck, "summary.new"), -1), 1);
	assert_int_equal(json_int(json_path(ck, "summary.resolved"), -1), 1);
	assert_int_equal(json_int(json_path(ck, "summary.a_findings"), -1),
			 (long long)json_len(json_get(F.expect, "findings")));
	json_free(doc);

	/* text: the section, with the new finding's path */
	out = cli_run(1, CLI_RUN_QUIET, "%s diff %s/a.snap %s/b.snap --check", INSPECT_BIN, dir,
		      dir);
	assert_non_null(strstr(out, "\ncheck:\n"));
	assert_non_null(strstr(out, "hdr->list->next->next->next->next->next->next"));
	free(out);

	/* the same snapshot twice: the same, nothing new */
	out = cli_run(0, CLI_RUN_QUIET, "%s diff %s/a.snap %s/a.snap --check -j", INSPECT_BIN, dir,
		      dir);
	doc = json_parse(out, msg, sizeof(msg));
	assert_non_null(doc);
	assert_int_equal(json_len(json_path(doc, "check.new")), 0);
	assert_int_equal(json_len(json_path(doc, "check.resolved")), 0);
	json_free(doc);
	free(out);
	assert_int_equal(kernel_allocated(), before);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
}

static void sound(void **state)
{
	static const char *const scen[] = { "list", "htab", "sparse", "nouser", "live" };

	(void)state;
	for (size_t i = 0; i < sizeof(scen) / sizeof(scen[0]); i++) {
		struct json *doc;
		uint32_t before;

		load(scen[i]);
		before = kernel_allocated();
		doc = check_json(0, "id %u", F.map_id);
		if (json_len(json_get(doc, "findings")) ||
		    json_len(json_get(doc, "unreachable_pages")))
			fail_msg("%s: findings on a sound arena", scen[i]);
		assert_string_equal(json_str(json_path(doc, "summary.reachability")), "judged");
		assert_true(json_int(json_path(doc, "summary.pages_scanned"), 0) > 0);
		json_free(doc);
		assert_int_equal(kernel_allocated(), before);
		fixture_unload(&F);
	}
}

static void tree(void **state)
{
	const struct json *d, *f;
	struct json *doc;
	const char *path;

	(void)state;
	load("tree");
	d = json_get(F.expect, "dangling");
	doc = check_json(1, "id %u", F.map_id);
	assert_int_equal(json_len(json_get(doc, "findings")), 1);
	assert_int_equal(json_len(json_get(doc, "unreachable_pages")), 0);
	f = json_at(json_get(doc, "findings"), 0);
	assert_string_equal(json_str(json_get(f, "kind")), "dangling");
	assert_int_equal(json_u64(json_get(f, "at"), 0),
			 json_u64(json_get(d, "from"), 1) +
				 json_int(json_get(d, "field_offset"), 1));
	assert_int_equal(json_u64(json_get(f, "value"), 0), json_u64(json_get(d, "to"), 1));
	assert_int_equal(json_int(json_get(f, "target_page"), -1),
			 json_int(json_get(d, "page"), -2));
	path = json_str(json_get(f, "path"));
	/* root, then right from the root down to the largest key */
	assert_non_null(path);
	assert_int_equal(strncmp(path, "root->", 6), 0);
	for (const char *p = path + 4; *p; p += 7)
		assert_int_equal(strncmp(p, "->right", 7), 0);
	json_free(doc);
}

static void alist(void **state)
{
	const struct json *fr, *po, *f;
	struct json *doc;

	(void)state;
	load("alist");
	fr = json_get(F.expect, "freed");
	po = json_get(F.expect, "poison");
	/* no types for the nodes: the scan alone sees the freed page */
	doc = check_json(1, "id %u", F.map_id);
	assert_int_equal(json_len(json_get(doc, "findings")), 1);
	f = json_at(json_get(doc, "findings"), 0);
	assert_string_equal(json_str(json_get(f, "kind")), "dangling");
	assert_int_equal(json_u64(json_get(f, "at"), 0), json_u64(json_get(fr, "from"), 1));
	assert_int_equal(json_u64(json_get(f, "value"), 0), json_u64(json_get(fr, "to"), 1));
	assert_null(json_get(f, "path"));
	assert_int_equal(json_len(json_get(doc, "unreachable_pages")), 0);
	json_free(doc);

	/* with them, the typed walk names it and finds the poisoned node */
	doc = check_json(1,
			 "id %u --types %s/bpf_fixtures/include/fxlist.h --types-cflags "
			 "'-include stdbool.h -D__arena='",
			 F.map_id, SOURCE_DIR);
	assert_int_equal(json_len(json_get(doc, "findings")), 3);
	f = json_at(json_get(doc, "findings"), 0);
	assert_int_equal(json_u64(json_get(f, "at"), 0), json_u64(json_get(fr, "from"), 1));
	assert_string_equal(json_str(json_get(f, "path")), "freed_head->first->next");
	f = json_at(json_get(doc, "findings"), 1);
	assert_string_equal(json_str(json_get(f, "kind")), "poison");
	assert_int_equal(json_u64(json_get(f, "at"), 0), json_u64(json_get(po, "node"), 1));
	assert_int_equal(json_u64(json_get(f, "value"), 0), json_u64(json_get(po, "next"), 1));
	assert_string_equal(json_str(json_get(f, "path")), "poison_head->first->next->next");
	f = json_at(json_get(doc, "findings"), 2);
	assert_string_equal(json_str(json_get(f, "kind")), "poison");
	assert_int_equal(json_u64(json_get(f, "at"), 0), json_u64(json_get(po, "node"), 1) + 8);
	assert_int_equal(json_u64(json_get(f, "value"), 0), json_u64(json_get(po, "pprev"), 1));
	json_free(doc);
}

/* churn's new objects link `prev` to another slot's object, which may be
 * freed later: real dangling pointers, the only findings it may have */
static void churn(void **state)
{
	struct json *doc, *cnt;
	const struct json *fs, *pages;

	(void)state;
	load("churn");
	assert_int_equal(fixture_cmd(&F, "pause", NULL, NULL), 0);
	cnt = fixture_count_json(&F, true);
	assert_non_null(cnt);
	pages = json_get(cnt, "pages");
	doc = check_json(-1, "id %u", F.map_id);
	fs = json_get(doc, "findings");
	for (size_t i = 0; i < json_len(fs); i++) {
		const struct json *f = json_at(fs, i);
		const char *p = json_str(json_get(f, "path"));
		long long tp = json_int(json_get(f, "target_page"), -1);
		unsigned slot;
		char tail[16] = "";

		assert_string_equal(json_str(json_get(f, "kind")), "dangling");
		assert_non_null(p);
		assert_int_equal(sscanf(p, "state->slots[%u]->%15s", &slot, tail), 2);
		assert_string_equal(tail, "prev");
		for (size_t k = 0; k < json_len(pages); k++)
			assert_int_not_equal(json_int(json_at(pages, k), -1), tp);
	}
	assert_int_equal(json_len(json_get(doc, "unreachable_pages")), 0);
	json_free(doc);
	json_free(cnt);
}

/* the one finding of kind in doc: its at, value and target state */
static void one_finding(const struct json *doc, const char *kind, uint64_t at, uint64_t value,
			const char *state)
{
	const struct json *fs = json_get(doc, "findings");
	size_t n = 0;

	for (size_t i = 0; i < json_len(fs); i++) {
		const struct json *f = json_at(fs, i);

		if (strcmp(json_str(json_get(f, "kind")), kind))
			continue;
		n++;
		assert_int_equal(json_u64(json_get(f, "at"), 0), at);
		assert_int_equal(json_u64(json_get(f, "value"), 0), value);
		assert_string_equal(json_str(json_get(f, "target_state")), state);
	}
	if (n != 1)
		fail_msg("%zu %s findings, want 1", n, kind);
}

/* a snapshot of the loaded fixture in dir/NAME */
static void snapshot_to(const char *dir, const char *name)
{
	char cmd[600];
	int st = -1;

	snprintf(cmd, sizeof(cmd), "%s snapshot id %u -o %s/%s >/dev/null", INSPECT_BIN, F.map_id,
		 dir, name);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
	assert_int_equal(st, 0);
}

/*
 * sdtalloc: sched_ext keeps its task contexts outside the arena (task
 * local storage; the fixture, the hash map task_ctxs), so no live element
 * is pointed to from anything check reads but the allocator's own tree.
 * Leaks are not judged, with that map named; the one finding is the live
 * element pointing at a freed one. The same from a snapshot.
 */
static void sdtalloc_doc(const struct json *doc)
{
	const struct json *h = json_path(F.expect, "heap");
	char want[200];

	assert_int_equal(json_len(json_get(doc, "findings")), 1);
	one_finding(doc, "freed-object", json_u64(json_path(h, "peer.at"), 1),
		    json_u64(json_path(h, "peer.value"), 1), "free slot");
	snprintf(want, sizeof(want),
		 "not judged: the programs use map '%s' (%s), which check cannot read",
		 json_str(json_path(h, "held_by.map")), json_str(json_path(h, "held_by.type")));
	assert_string_equal(json_str(json_path(doc, "summary.leaks")), want);
	assert_int_equal(json_int(json_path(doc, "summary.leaked-object"), -1), 0);
	assert_int_equal(json_int(json_path(doc, "summary.live_objects"), -1),
			 json_int(json_path(h, "active_allocs"), -2));
	assert_int_equal(json_len(json_get(doc, "unreachable_pages")), 0);
	assert_string_equal(json_str(json_path(doc, "summary.reachability")), "judged");
}

static void sdtalloc(void **state)
{
	char dir[] = "/tmp/it_check.XXXXXX", cmd[300], want[200];
	const struct json *h;
	struct json *doc;
	uint32_t before;
	char *out;
	int st = -1;

	(void)state;
	load("sdtalloc");
	h = json_path(F.expect, "heap");
	before = kernel_allocated();
	doc = check_json(1, "id %u", F.map_id);
	sdtalloc_doc(doc);
	json_free(doc);
	/* text: the reason on a line of its own */
	out = check_run(1, "id %u", F.map_id);
	snprintf(want, sizeof(want),
		 "\nobject leaks: not judged: the programs use map '%s' (%s), which check "
		 "cannot read\n",
		 json_str(json_path(h, "held_by.map")), json_str(json_path(h, "held_by.type")));
	if (!strstr(out, want))
		fail_msg("no '%s' in '%s'", want + 1, out);
	free(out);
	assert_non_null(mkdtemp(dir));
	snapshot_to(dir, "s.snap");
	doc = check_json(1, "%s/s.snap", dir);
	sdtalloc_doc(doc);
	json_free(doc);
	assert_int_equal(kernel_allocated(), before);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
}

/*
 * buddy: the program keeps its live blocks in .bss blocks[] but one it
 * dropped (leaked-object, at the loader's address); a live block points at
 * a freed one (freed-object; the ASAN shadow calls it poisoned too, the
 * more specific finding wins) and another past the bytes asked for a live
 * one (asan-poisoned). Exactly those three, leaks judged, no unreachable
 * page (the shadow's pages are the ASAN runtime's); live and snapshot.
 */
static void buddy_doc(const struct json *doc)
{
	const struct json *h = json_path(F.expect, "heap");
	uint64_t leak = json_u64(json_path(h, "leak.addr"), 1);

	assert_int_equal(json_len(json_get(doc, "findings")), 3);
	one_finding(doc, "freed-object", json_u64(json_path(h, "peer.at"), 1),
		    json_u64(json_path(h, "peer.to"), 1), "free slot");
	one_finding(doc, "leaked-object", leak, leak, "unreferenced");
	one_finding(doc, "asan-poisoned", json_u64(json_path(h, "poisoned.at"), 1),
		    json_u64(json_path(h, "poisoned.value"), 1), "poisoned");
	assert_string_equal(json_str(json_path(doc, "summary.leaks")), "judged");
	assert_int_equal(json_int(json_path(doc, "summary.live_objects"), -1),
			 json_int(json_path(h, "live"), -2));
	assert_int_equal(json_len(json_get(doc, "unreachable_pages")), 0);
	assert_string_equal(json_str(json_path(doc, "summary.reachability")), "judged");
}

static void buddy(void **state)
{
	char dir[] = "/tmp/it_check.XXXXXX", cmd[300];
	struct json *doc;
	uint32_t before;
	char *out;
	int st = -1;

	(void)state;
	load("buddy");
	before = kernel_allocated();
	doc = check_json(1, "id %u", F.map_id);
	buddy_doc(doc);
	json_free(doc);
	out = check_run(1, "id %u", F.map_id);
	assert_non_null(strstr(out, "\nobject leaks: judged, 1 of "));
	/* the summary counts the allocators' kinds too */
	assert_non_null(strstr(out,
			       "0 misaligned, 1 freed-object, 1 leaked-object, 1 asan-poisoned, "
			       "0 unreachable pages"));
	free(out);
	assert_non_null(mkdtemp(dir));
	snapshot_to(dir, "b.snap");
	doc = check_json(1, "%s/b.snap", dir);
	buddy_doc(doc);
	json_free(doc);
	assert_int_equal(kernel_allocated(), before);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
}

static void trouble(void **state)
{
	char cmd[300], *out = NULL, *err = NULL;
	int st = -1;

	(void)state;
	snprintf(cmd, sizeof(cmd), "%s check /nonexistent/arena.snap", INSPECT_BIN);
	assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
	assert_int_equal(st, 2);
	assert_non_null(err);
	assert_non_null(strstr(err, "arena-inspect: "));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(planted, teardown),
		cmocka_unit_test_teardown(planted_snapshot, teardown),
		cmocka_unit_test_teardown(planted_diff, teardown),
		cmocka_unit_test_teardown(sound, teardown),
		cmocka_unit_test_teardown(tree, teardown),
		cmocka_unit_test_teardown(alist, teardown),
		cmocka_unit_test_teardown(churn, teardown),
		cmocka_unit_test_teardown(sdtalloc, teardown),
		cmocka_unit_test_teardown(buddy, teardown),
	};
	const struct CMUnitTest no_bpf[] = {
		cmocka_unit_test(trouble),
	};
	const char *why = bpf_test_skip_reason();
	int rc = cmocka_run_group_tests(no_bpf, NULL, NULL);

	if (rc)
		return rc;
	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

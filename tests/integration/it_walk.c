// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 13 item 5 on real arenas: `walk`. The list fixture walked from its
 * .bss root `head` through `next` gives every node the loader wrote, in
 * order, with their values, and ends at NULL (JSON and text); --max cuts
 * it visibly; the tree fixture's right spine ends at the pointer into the
 * page the loader freed (unallocated, its page), and walking it faults no
 * page in. Bad options and starts: one stderr line, exit 1. Cycles and
 * poison: their j/k on a synthetic arena in tests/unit/test_walk.c, and
 * the CLI's lines for them on a snapshot of one (snapshot_ends, no BPF).
 * Skipped with a reason where BPF arenas are missing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
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

/* arena-inspect walk id ID ARGS: exit 0 and a silent stderr; its stdout */
static char *walk_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *walk_ok(const char *fmt, ...)
{
	char args[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return cli_run(0, CLI_RUN_QUIET, "%s walk id %u %s", INSPECT_BIN, F.map_id, args);
}

static struct json *walk_json(const char *args)
{
	char err[160], *out = walk_ok("%s -j", args);
	struct json *j = json_parse(out, err, sizeof(err));

	if (!j)
		fail_msg("walk %s -j: not JSON: %s\n%.400s", args, err, out);
	free(out);
	return j;
}

/* walk id ID ARGS fails: exit 1, nothing on stdout, one stderr line with msg */
static void walk_fails(const char *msg, const char *args)
{
	char cmd[1400], *out = NULL, *err = NULL;
	int st = -1;

	snprintf(cmd, sizeof(cmd), "%s walk id %u %s", INSPECT_BIN, F.map_id, args);
	assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
	if (st != 1 || cli_count_lines(err) != 1 || strncmp(err, "arena-inspect: ", 15) ||
	    !strstr(err, msg))
		fail_msg("'%s': exit %d, stderr '%s' (wanted one line with '%s')", cmd, st,
			 err ? err : "", msg);
	if (out && *out)
		fail_msg("'%s': failed but printed '%s'", cmd, out);
	free(out);
	free(err);
}

static uint64_t hex(const struct json *v)
{
	const char *s = json_str(v);

	assert_non_null(s);
	return strtoull(s, NULL, 16);
}

static void list_walk(void **state)
{
	const struct json *nodes, *want;
	struct json *j;
	char *out, line[128];
	size_t n;

	(void)state;
	assert_int_equal(fixture_load("list", &F), 0);
	want = json_get(F.expect, "nodes");
	n = json_len(want);
	assert_int_equal(n, json_int(json_get(F.expect, "count"), -1));
	assert_true(n >= 8);

	j = walk_json("head --next next");
	nodes = json_get(j, "nodes");
	assert_int_equal(json_len(nodes), n);
	assert_int_equal(json_int(json_get(j, "count"), -1), n);
	for (size_t i = 0; i < n; i++) {
		const struct json *g = json_at(nodes, i), *w = json_at(want, i);
		const struct json *v = json_get(g, "value");

		assert_int_equal(json_int(json_get(g, "index"), -1), i);
		assert_int_equal(hex(json_get(g, "addr")), hex(json_get(w, "addr")));
		assert_int_equal(hex(json_get(g, "node")), hex(json_get(w, "addr")));
		assert_int_equal(json_int(json_get(v, "id"), -1), json_int(json_get(w, "id"), -2));
		assert_string_equal(json_str(json_get(v, "name")), json_str(json_get(w, "name")));
		assert_string_equal(json_str(json_get(v, "kind")), json_str(json_get(w, "kind")));
		assert_int_equal(json_int(json_path(v, "st.hits"), -1),
				 json_int(json_get(w, "hits"), -2));
		assert_int_equal(json_int(json_path(v, "grid[1][2]"), -1),
				 json_int(json_path(w, "grid[1][2]"), -2));
		assert_int_equal(json_int(json_get(v, "balance"), -1),
				 json_int(json_get(w, "balance"), -2));
		/* the link the walk followed is the one the loader wrote */
		if (i + 1 < n)
			assert_int_equal(hex(json_path(v, "next.ptr")), hex(json_get(w, "next")));
	}
	assert_string_equal(json_str(json_path(j, "end.reason")), "null");
	json_free(j);

	/* text: a header per node, in order, then the end */
	out = walk_ok("head");
	for (size_t i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "\n#%zu 0x%llx\n", i,
			 (unsigned long long)hex(json_get(json_at(want, i), "addr")));
		/* the first header is the first line */
		if (i ? !strstr(out, line) : strncmp(out, line + 1, strlen(line + 1)))
			fail_msg("no '%s' in the walk's text", line + 1);
	}
	snprintf(line, sizeof(line), "\nend: null (node %zu's next is NULL)\n", n - 1);
	if (!strstr(out, line))
		fail_msg("no '%s' at the end: %s", line + 1, out + strlen(out) - 80);
	free(out);

	/* from the second node and from the tail */
	j = walk_json("'head->next'");
	assert_int_equal(json_int(json_get(j, "count"), -1), n - 1);
	json_free(j);
	j = walk_json("tail");
	assert_int_equal(json_int(json_get(j, "count"), -1), 1);
	assert_int_equal(hex(json_path(j, "nodes[0].addr")), hex(json_get(F.expect, "tail")));
	json_free(j);

	/* --max: at the length the end is still null; below it is max, said */
	{
		char args[64];

		snprintf(args, sizeof(args), "head --max %zu", n);
		j = walk_json(args);
		assert_string_equal(json_str(json_path(j, "end.reason")), "null");
		json_free(j);
		snprintf(args, sizeof(args), "head --max %zu", n - 5);
		j = walk_json(args);
		assert_int_equal(json_int(json_get(j, "count"), -1), n - 5);
		assert_int_equal(json_len(json_get(j, "nodes")), n - 5);
		assert_string_equal(json_str(json_path(j, "end.reason")), "max");
		assert_int_equal(json_int(json_path(j, "end.max"), -1), n - 5);
		assert_string_equal(json_str(json_path(j, "end.note")), "--max N");
		json_free(j);
		out = walk_ok("head --max 2");
		assert_non_null(strstr(
			out, "\nend: max (stopped after 2 nodes, the chain goes on; --max N"));
		free(out);
	}

	/* bad input: one line each */
	walk_fails("usage: walk ARENA START", "");
	walk_fails("'nope' is not a member of struct node", "head --next nope");
	walk_fails("link 'id' of struct node is int, not a pointer", "head --next id");
	walk_fails("not a pointer to a struct: cast it", "arena_base");
	walk_fails("unknown name 'nosuch'", "nosuch");
	walk_fails("unknown type 'struct nosuch'", "head --container 'struct nosuch.x'");
	walk_fails("is not TYPE.MEMBER", "head --container node");
	walk_fails("the start is struct node *, but the container's member is struct stats",
		   "head --container 'struct node.st'");
	walk_fails("'next' is not a member of struct stats",
		   "'(void *)head' --container 'struct node.st'");
	walk_fails("--max: '0' is not a number", "head --max 0");
	walk_fails("--max needs an argument", "head --max");
	assert_int_equal(fixture_unload(&F), 0);
}

/* The tree's right spine ends in the freed page: unallocated, its page,
 * after the node the loader hung the dangling pointer on; no page faulted */
static void tree_dangling(void **state)
{
	const struct json *d, *nodes, *last;
	struct fixture_counts before, after;
	struct json *j;
	char *out, line[200];
	size_t n;

	(void)state;
	assert_int_equal(fixture_load("tree", &F), 0);
	d = json_get(F.expect, "dangling");
	assert_non_null(d);
	assert_string_equal(json_str(json_get(d, "field")), "right");
	assert_int_equal(fixture_count(&F, &before), 0);
	j = walk_json("root --next right");
	nodes = json_get(j, "nodes");
	n = json_len(nodes);
	assert_true(n >= 2);
	assert_int_equal(hex(json_path(nodes, "[0].addr")), hex(json_get(F.expect, "root_addr")));
	assert_int_equal(json_int(json_path(nodes, "[0].value.key"), -1),
			 json_int(json_get(F.expect, "root_key"), -2));
	last = json_at(nodes, n - 1);
	assert_int_equal(hex(json_get(last, "addr")), hex(json_get(d, "from")));
	assert_int_equal(json_int(json_path(last, "value.key"), -1),
			 json_int(json_get(d, "from_key"), -2));
	/* the keys along the right spine grow */
	for (size_t i = 1; i < n; i++)
		assert_true(json_int(json_path(json_at(nodes, i), "value.key"), 0) >
			    json_int(json_path(json_at(nodes, i - 1), "value.key"), 0));
	assert_string_equal(json_str(json_path(j, "end.reason")), "unallocated");
	assert_int_equal(hex(json_path(j, "end.addr")), hex(json_get(d, "to")));
	assert_int_equal(json_int(json_path(j, "end.page"), -1), json_int(json_get(d, "page"), -2));
	json_free(j);
	out = walk_ok("root --next right");
	snprintf(line, sizeof(line),
		 "\nend: unallocated (node %zu's right is 0x%llx, in page %lld, which is not "
		 "allocated)\n",
		 n - 1, (unsigned long long)hex(json_get(d, "to")),
		 json_int(json_get(d, "page"), -1));
	if (!strstr(out, line))
		fail_msg("no '%s' in: %s", line + 1, out + strlen(out) - 120);
	free(out);
	assert_int_equal(fixture_count(&F, &after), 0);
	assert_int_equal(after.allocated, before.allocated);
	assert_int_equal(fixture_unload(&F), 0);
}

/* The ends' text and JSON on a snapshot of the synthetic arena (mksnap,
 * no BPF): the cycle of synth's cyc (node 1 links back to node 0), a
 * poison start, a start in a page that is not allocated */
static void snapshot_ends(void **state)
{
	char snap[] = "/tmp/it_walk.XXXXXX", cmd[512], *out = NULL, err[160];
	struct json *j;
	int st = -1, fd = mkstemp(snap);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s %s", MKSNAP_BIN, snap);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
	assert_int_equal(st, 0);

	snprintf(cmd, sizeof(cmd), "%s walk %s cyc", INSPECT_BIN, snap);
	assert_int_equal(fixture_run(cmd, &out, &st), 0);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "#0 0x100000003000\n"));
	assert_non_null(strstr(out, "\n#1 0x100000003040\n"));
	assert_null(strstr(out, "\n#2 "));
	assert_non_null(
		strstr(out, "\nend: cycle (node 1 points back to node 0 at 0x100000003000)\n"));
	free(out);
	snprintf(cmd, sizeof(cmd), "%s walk %s cyc -j", INSPECT_BIN, snap);
	assert_int_equal(fixture_run(cmd, &out, &st), 0);
	j = json_parse(out, err, sizeof(err));
	assert_non_null(j);
	assert_int_equal(json_int(json_get(j, "count"), -1), 2);
	assert_string_equal(json_str(json_path(j, "end.reason")), "cycle");
	assert_int_equal(json_int(json_path(j, "end.from"), -1), 1);
	assert_int_equal(json_int(json_path(j, "end.to"), -1), 0);
	assert_string_equal(json_str(json_path(j, "end.addr")), "0x100000003000");
	json_free(j);
	free(out);

	snprintf(cmd, sizeof(cmd), "%s walk %s '(struct node *)0x100' -j", INSPECT_BIN, snap);
	assert_int_equal(fixture_run(cmd, &out, &st), 0);
	assert_string_equal(out, "{\"nodes\":[],\"count\":0,\"end\":{\"reason\":\"poison\","
				 "\"value\":\"0x100\",\"name\":\"LIST_POISON1\"}}\n");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s walk %s '(struct node *)0x100000002000'", INSPECT_BIN, snap);
	assert_int_equal(fixture_run(cmd, &out, &st), 0);
	assert_string_equal(out, "end: unallocated (the start is 0x100000002000, in page 2, which "
				 "is not allocated)\n");
	free(out);
	unlink(snap);
}

/*
 * The alist fixture is built as the kernel selftests' arena list: the
 * programs' BTF has struct arena_list_node only as a FWD and no struct elem,
 * so the walk needs the header (--types) and container_of (--container).
 * Every node must come out with the fixture's own values, in list order,
 * and the planted lists must end as planted: cycle, poison, a freed page.
 */
static void alist_container(void **state)
{
	static const char types[] = "--types " SOURCE_DIR "/bpf_fixtures/include/fxlist.h";
	const struct json *elems, *cy, *po, *fr;
	struct fixture_counts before, after;
	struct json *j;
	char args[512];

	(void)state;
	assert_int_equal(fixture_load("alist", &F), 0);
	assert_int_equal(fixture_count(&F, &before), 0);
	elems = json_get(F.expect, "elems");
	snprintf(args, sizeof(args), "'list_head->first' --container 'struct elem.node' %s", types);
	j = walk_json(args);
	assert_int_equal(json_int(json_get(j, "count"), -1), json_len(elems));
	assert_int_equal(json_len(elems), json_int(json_get(F.expect, "count"), -2));
	for (size_t i = 0; i < json_len(elems); i++) {
		const struct json *n = json_at(json_get(j, "nodes"), i), *e = json_at(elems, i);

		assert_int_equal(hex(json_get(n, "addr")), hex(json_get(e, "addr")));
		assert_int_equal(hex(json_get(n, "node")), hex(json_get(e, "node")));
		assert_int_equal(json_int(json_path(n, "value.key"), -1),
				 json_int(json_get(e, "key"), -2));
		assert_int_equal(json_int(json_path(n, "value.value"), -1),
				 json_int(json_get(e, "value"), -2));
		assert_string_equal(json_str(json_path(n, "value.name")),
				    json_str(json_get(e, "name")));
	}
	assert_string_equal(json_str(json_path(j, "end.reason")), "null");
	json_free(j);

	/* without the header the walk says what is missing, in one line */
	walk_fails("only declared", "'list_head->first' --container 'struct arena_list_node.next'");

	cy = json_get(F.expect, "cycle");
	snprintf(args, sizeof(args), "'cycle_head->first' --container 'struct elem.node' %s",
		 types);
	j = walk_json(args);
	assert_string_equal(json_str(json_path(j, "end.reason")), "cycle");
	assert_int_equal(json_int(json_path(j, "end.from"), -1),
			 json_int(json_get(cy, "from_index"), -2));
	assert_int_equal(json_int(json_path(j, "end.to"), -1),
			 json_int(json_get(cy, "to_index"), -2));
	assert_int_equal(json_int(json_get(j, "count"), -1), json_len(json_get(cy, "nodes")));
	json_free(j);

	po = json_get(F.expect, "poison");
	snprintf(args, sizeof(args), "'poison_head->first' --container 'struct elem.node' %s",
		 types);
	j = walk_json(args);
	assert_string_equal(json_str(json_path(j, "end.reason")), "poison");
	assert_int_equal(hex(json_path(j, "end.value")), hex(json_get(po, "next")));
	assert_int_equal(json_int(json_get(j, "count"), -1),
			 json_int(json_get(po, "index"), -2) + 1);
	json_free(j);

	fr = json_get(F.expect, "freed");
	snprintf(args, sizeof(args), "'freed_head->first' --container 'struct elem.node' %s",
		 types);
	j = walk_json(args);
	assert_string_equal(json_str(json_path(j, "end.reason")), "unallocated");
	assert_non_null(fr);
	json_free(j);

	/* and the arena is as it was: no page faulted in by the walks */
	assert_int_equal(fixture_count(&F, &after), 0);
	assert_int_equal(after.allocated, before.allocated);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(list_walk, teardown),
		cmocka_unit_test_teardown(tree_dangling, teardown),
		cmocka_unit_test_teardown(alist_container, teardown),
	};
	const struct CMUnitTest no_bpf[] = {
		cmocka_unit_test(snapshot_ends),
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

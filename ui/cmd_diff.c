// SPDX-License-Identifier: GPL-2.0
/* arena-inspect diff A B: pages allocated/freed, byte ranges changed, and
 * where both sides have types, the changed fields by expression path.
 * Exit status as diff(1) and cmp(1): 0 the same, 1 different, 2 trouble
 * (any error, bad arguments included). */
#include <stdbool.h>
#include <stdio.h>
#include "btfx.h"
#include "check.h"
#include "cli.h"
#include "diff.h"

/* A terminal is no place for a million ranges; JSON gets them all. */
#define TEXT_MAX_RANGES 1000

enum { DIFF_SAME, DIFF_DIFFERENT, DIFF_TROUBLE };

/* Anything that tells the two apart: page states, bytes, sizes, typed
 * fields (roots kept in maps can differ with equal bytes), and pages that
 * vanished between the page map and the read (one side changed). */
static bool differs(const struct diff_stats *st)
{
	return st->pages_allocated || st->pages_freed || st->pages_other || st->pages_changed ||
	       st->pages_unreadable || st->ranges || st->bytes_changed || st->size_differs ||
	       (st->fields_compared && st->fields.changed);
}

/*
 * --check: both sides checked (each with its own types and roots), and
 * what B has that A has not. The JSON section:
 *   "check": {"new": [finding...], "resolved": [finding...],
 *             "unreachable_new": [[first, last]...], "unreachable_resolved": [...],
 *             "summary": {"new": N, "resolved": N, "a_findings": N, "b_findings": N,
 *                         "unreachable_compared": B, "unreachable_new": PAGES,
 *                         "unreachable_resolved": PAGES}}
 * Findings are matched by kind, at and value (check__delta says why). The
 * exit status stays the diff's.
 */
struct diff_check {
	struct check_result a, b;
	struct check_delta d;
};

static void emit_check(void *ctx, struct sink *s)
{
	const struct diff_check *c = ctx;
	const struct check_delta *d = &c->d;

	sink_begin(s, "check", false, NULL);
	sink_begin(s, "new", true, NULL);
	for (uint32_t i = 0; i < d->nr_fresh; i++)
		cli_check_finding(s, d->fresh[i]);
	sink_end(s, true);
	sink_begin(s, "resolved", true, NULL);
	for (uint32_t i = 0; i < d->nr_resolved; i++)
		cli_check_finding(s, d->resolved[i]);
	sink_end(s, true);
	cli_check_runs(s, "unreachable_new", d->fresh_runs, d->nr_fresh_runs);
	cli_check_runs(s, "unreachable_resolved", d->resolved_runs, d->nr_resolved_runs);
	sink_begin(s, "summary", false, NULL);
	sink_u64(s, "new", d->nr_fresh);
	sink_u64(s, "resolved", d->nr_resolved);
	sink_u64(s, "a_findings", c->a.nr_findings);
	sink_u64(s, "b_findings", c->b.nr_findings);
	/* false: a side did not judge reachability (no roots): no page is new */
	sink_bool(s, "unreachable_compared", d->runs_compared);
	sink_u64(s, "unreachable_new", d->fresh_pages);
	sink_u64(s, "unreachable_resolved", d->resolved_pages);
	sink_end(s, false);
	sink_end(s, false);
}

static int run_check(struct source *a, struct btfx *bx_a, struct source *b, struct btfx *bx_b,
		     struct diff_check *c)
{
	if (check__run(bx_a, a, NULL, &c->a))
		return cli_lib_error("diff --check: A");
	if (check__run(bx_b, b, NULL, &c->b))
		return cli_lib_error("diff --check: B");
	if (check__delta(&c->a, &c->b, &c->d))
		return cli_lib_error("diff --check");
	return 0;
}

static int do_diff(int argc, char **argv, const struct cli_opts *o)
{
	struct diff_check dc = { 0 };
	struct diff_opts dopts = { .max_ranges = o->json || o->pretty ? 0 : TEXT_MAX_RANGES,
				   .merge_gap = DIFF_CLI_MERGE_GAP };
	struct diff_stats st;
	struct source *a, *b;
	struct btfx *bx_a = NULL, *bx_b = NULL;
	struct sink *s;
	int used_a, used_b, err;

	if (argc < 2) {
		cli_error("diff: two arenas are needed (diff A B)");
		return DIFF_TROUBLE;
	}
	if (cli_open_arena(argc, argv, &used_a, &a))
		return DIFF_TROUBLE;
	if (used_a >= argc) {
		source__close(a);
		cli_error("diff: the second arena is missing (diff A B)");
		return DIFF_TROUBLE;
	}
	if (cli_open_arena(argc - used_a, argv + used_a, &used_b, &b)) {
		source__close(a);
		return DIFF_TROUBLE;
	}
	if (used_a + used_b < argc) {
		source__close(a);
		source__close(b);
		cli_error("diff: unexpected argument '%s'", argv[used_a + used_b]);
		return DIFF_TROUBLE;
	}
	/* each side its own types and roots: a snapshot carries its own */
	if (cli_open_btf(a, o, &bx_a) || cli_open_btf(b, o, &bx_b)) {
		btfx__free(bx_a);
		source__close(a);
		source__close(b);
		return DIFF_TROUBLE;
	}
	dopts.bx_a = bx_a;
	dopts.bx_b = bx_b;
	if (o->diff_check) {
		if (run_check(a, bx_a, b, bx_b, &dc)) {
			err = -1;
			goto out;
		}
		dopts.extra = emit_check;
		dopts.extra_ctx = &dc;
	}
	dopts.max_fields = DIFF_MAX_FIELDS;
	dopts.max_array = o->max_elements ? o->max_elements : CLI_MAX_ELEMENTS;
	s = cli_sink(o);
	dopts.progress = cli_progress();
	err = diff__emit(a, b, &dopts, s, &st);
	cli_progress_end();
	sink__free(s);
	if (!err && st.fields_compared && st.fields.truncated)
		fprintf(stderr, "arena-inspect: note: showed the first %u of %llu changed fields\n",
			DIFF_MAX_FIELDS, (unsigned long long)st.fields.changed);
	if (!err && st.fields_compared && st.fields.incomplete)
		fprintf(stderr,
			"arena-inspect: note: some typed values were too large to compare in full "
			"(node, depth or element limit; --max-elements N compares more of "
			"arrays)\n");
	if (!err && !st.fields_compared && (btfx__nr_btfs(bx_a) > 0) != (btfx__nr_btfs(bx_b) > 0))
		fprintf(stderr, "arena-inspect: note: only one side has types; changed fields are "
				"not listed\n");
	if (!err && st.ranges_truncated)
		fprintf(stderr,
			"arena-inspect: note: showed the first %d ranges of changed bytes; -j "
			"lists all\n",
			TEXT_MAX_RANGES);
	if (!err && st.size_differs)
		fprintf(stderr,
			"arena-inspect: note: the arenas differ in size (%u and %u pages); "
			"compared the first %u\n",
			a->info.max_pages, b->info.max_pages,
			a->info.max_pages < b->info.max_pages ? a->info.max_pages
							      : b->info.max_pages);
	if (!err && o->diff_check && !dc.d.runs_compared)
		fprintf(stderr, "arena-inspect: note: --check: reachability was not judged on both "
				"sides (no roots); unreachable pages are not compared\n");
	if (err < 0)
		cli_lib_error("diff");
out:
	check__delta_free(&dc.d);
	check__result_free(&dc.a);
	check__result_free(&dc.b);
	btfx__free(bx_a);
	btfx__free(bx_b);
	source__close(a);
	source__close(b);
	if (err < 0)
		return DIFF_TROUBLE;
	return differs(&st) ? DIFF_DIFFERENT : DIFF_SAME;
}

const struct cli_cmd cmd_diff = {
	.name = "diff",
	.run = do_diff,
	.args = "A B",
	.opts = CLI_OPTS_OUTPUT | CLI_OPTS_TYPES | CLI_O(MAX_ELEMENTS) | CLI_O(CHECK),
	.help = "pages allocated/freed, bytes and typed fields changed between two arenas or "
		"snapshots; exit 0 same, 1 different, 2 trouble",
	.trouble = DIFF_TROUBLE,
};

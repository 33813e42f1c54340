// SPDX-License-Identifier: GPL-2.0
/*
 * check.c on the synthetic arena (tests/common/synth.c): sound as built
 * (a list, a cycle, a global, all pages reached); then planted problems
 * found with the typed path or, for an integer, by the scan alone; a page
 * nothing points into is unreachable; without roots reachability is not
 * judged; the walk stops at the cycle and at its node cap, visibly.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "check.h"
#include "error.h"
#include "synth.h"
#include "ticks.h"

static void sound(void **st)
{
	struct fix *f = *st;
	struct check_result r;

	build_mem();
	assert_int_equal(check__run(f->bx, f->src, NULL, &r), 0);
	assert_int_equal(r.nr_findings, 0);
	assert_int_equal(r.nr_runs, 0);
	assert_true(r.summary.judged);
	assert_int_equal(r.summary.pages_scanned, 3);
	assert_false(r.summary.typed_cut);
	/* glob, the two list nodes, the two cycle nodes: each walked once */
	assert_int_equal(r.summary.nodes, 5);
	check__result_free(&r);
}

static void planted(void **st)
{
	struct fix *f = *st;
	struct check_result r;

	build_mem();
	put64(0x1048, S + 0x2010); /* node two's next: into page 2, free */
	put64(0x1018, S + 0x2020); /* node one's u64 val: the same, untyped */
	put64(0x3048, S + 0x3004); /* the cycle's back link, misaligned */
	put64(0x1058, 0x100);	   /* an integer 0x100 is no poison: untyped */
	state[5] = PAGE_ALLOCATED; /* nothing points into it */
	assert_int_equal(check__run(f->bx, f->src, NULL, &r), 0);
	state[5] = PAGE_FREE;
	assert_int_equal(r.nr_findings, 3);
	assert_int_equal(r.findings[0].kind, CHECK_DANGLING);
	assert_int_equal(r.findings[0].at, S + 0x1018);
	assert_int_equal(r.findings[0].value, S + 0x2020);
	assert_null(r.findings[0].path);
	assert_int_equal(r.findings[1].kind, CHECK_DANGLING);
	assert_int_equal(r.findings[1].at, S + 0x1048);
	assert_string_equal(r.findings[1].target_state, "free");
	assert_int_equal(r.findings[1].target_page, 2);
	/* the typed walk is breadth first from the roots in order: gptr
	 * reaches the list before glob.head does */
	assert_string_equal(r.findings[1].path, "gptr->next->next");
	assert_int_equal(r.findings[2].kind, CHECK_MISALIGNED);
	assert_int_equal(r.findings[2].at, S + 0x3048);
	assert_string_equal(r.findings[2].path, "cyc->next->next");
	assert_int_equal(r.summary.counts[CHECK_DANGLING], 2);
	assert_int_equal(r.nr_runs, 1);
	assert_int_equal(r.runs[0].first, 5);
	assert_int_equal(r.runs[0].last, 5);
	assert_int_equal(r.summary.unreachable_pages, 1);
	check__result_free(&r);
	build_mem();
}

static void poison_and_outside(void **st)
{
	struct fix *f = *st;
	struct check_result r;

	build_mem();
	put64(0x1048, 0x122);		      /* LIST_POISON2 in a typed next */
	put64(0x3048, S + NPAGES * 4096 + 8); /* past the last page */
	assert_int_equal(check__run(f->bx, f->src, NULL, &r), 0);
	assert_int_equal(r.nr_findings, 2);
	assert_int_equal(r.findings[0].kind, CHECK_POISON);
	assert_string_equal(r.findings[0].poison, "LIST_POISON2");
	assert_string_equal(r.findings[0].target_state, "poison");
	assert_int_equal(r.findings[1].kind, CHECK_OUTSIDE);
	assert_int_equal(r.findings[1].target_page, UINT32_MAX);
	/* found by both passes, reported once, with its path */
	assert_string_equal(r.findings[1].path, "cyc->next->next");
	check__result_free(&r);
	build_mem();
}

static void no_roots(void **st)
{
	struct fix *f = *st;
	struct check_result r;

	build_mem();
	put64(0x1048, S + 0x2010);
	assert_int_equal(check__run(NULL, f->src, NULL, &r), 0);
	assert_false(r.summary.judged);
	assert_string_equal(r.summary.not_judged, "no roots");
	/* no allocator lists objects here: nothing to judge, said so */
	assert_false(r.summary.leaks_judged);
	assert_int_equal(r.summary.live_objects, 0);
	assert_string_equal(r.summary.leaks_not_judged, "no allocator's objects found");
	assert_int_equal(r.nr_runs, 0);
	assert_int_equal(r.nr_findings, 1); /* the scan still sees it */
	assert_null(r.findings[0].path);
	check__result_free(&r);
	build_mem();
}

/* progress.h: record the ticks; cancel at tick cancel_at (0: never) */
/* progress from the scan, over the arena's pages; cancelled: -ECANCELED,
 * nothing to free */
static void progress_and_cancel(void **st)
{
	struct fix *f = *st;
	struct ticks t = { .monotonic = true };
	struct ai_progress pr = { .cb = ticks_cb, .ctx = &t };
	struct check_opts o = { .progress = &pr };
	struct check_result r;

	build_mem();
	assert_int_equal(check__run(f->bx, f->src, &o, &r), 0);
	assert_true(t.n >= 1);
	assert_true(t.monotonic);
	assert_string_equal(t.what, "checking: scan");
	assert_int_equal(t.last_done, t.total);
	{
		struct pagemap pm;

		/* the scan counts the allocated pages it read */
		assert_int_equal(source__pagemap(f->src, &pm), 0);
		assert_int_equal(t.total, pm.counts[PAGE_ALLOCATED]);
		pagemap__free(&pm);
	}
	check__result_free(&r);
	t = (struct ticks){ .monotonic = true, .cancel_at = 1 };
	assert_int_equal(check__run(f->bx, f->src, &o, &r), -ECANCELED);
	assert_non_null(strstr(ai_errmsg(), "cancelled"));
	assert_int_equal(r.nr_findings, 0);
	assert_null(r.findings);
}

static void node_cap(void **st)
{
	struct fix *f = *st;
	struct check_opts o = { .max_nodes = 2 };
	struct check_result r;

	build_mem();
	assert_int_equal(check__run(f->bx, f->src, &o, &r), 0);
	assert_true(r.summary.typed_cut);
	assert_int_equal(r.summary.nodes, 2);
	check__result_free(&r);
}

/* check__delta: findings matched by kind + at + value (a path that changed
 * is the same problem; at 0 is told apart by path), runs subtracted page by
 * page, no runs compared when a side did not judge reachability */
static void delta(void **st)
{
	struct check_finding fa[] = {
		{ .kind = CHECK_DANGLING, .at = 0, .value = 0x10, .path = "v.a" },
		{ .kind = CHECK_DANGLING, .at = 0x100, .value = 0x200, .path = "x->y" },
		{ .kind = CHECK_POISON, .at = 0x108, .value = 0x100 },
	};
	struct check_finding fb[] = {
		{ .kind = CHECK_DANGLING, .at = 0, .value = 0x10, .path = "v.b" },
		{ .kind = CHECK_DANGLING, .at = 0x100, .value = 0x200, .path = "x->z->y" },
		{ .kind = CHECK_OUTSIDE, .at = 0x108, .value = 0x100 },
	};
	struct check_run ra[] = { { 2, 5 }, { 9, 9 } }, rb[] = { { 1, 3 }, { 5, 10 } };
	struct check_result a = { .findings = fa, .nr_findings = 3, .runs = ra, .nr_runs = 2 };
	struct check_result b = { .findings = fb, .nr_findings = 3, .runs = rb, .nr_runs = 2 };
	struct check_delta d;

	(void)st;
	a.summary.judged = b.summary.judged = true;
	assert_int_equal(check__delta(&a, &b, &d), 0);
	assert_int_equal(d.nr_fresh, 2); /* v.b (in a map), the outside at 0x108 */
	assert_ptr_equal(d.fresh[0], &fb[0]);
	assert_ptr_equal(d.fresh[1], &fb[2]);
	assert_int_equal(d.nr_resolved, 2);
	assert_ptr_equal(d.resolved[0], &fa[0]);
	assert_ptr_equal(d.resolved[1], &fa[2]);
	assert_true(d.runs_compared);
	/* b's 1-3, 5-10 minus a's 2-5, 9: 1, 6-8, 10 */
	assert_int_equal(d.nr_fresh_runs, 3);
	assert_int_equal(d.fresh_runs[0].first, 1);
	assert_int_equal(d.fresh_runs[0].last, 1);
	assert_int_equal(d.fresh_runs[1].first, 6);
	assert_int_equal(d.fresh_runs[1].last, 8);
	assert_int_equal(d.fresh_runs[2].first, 10);
	assert_int_equal(d.fresh_runs[2].last, 10);
	assert_int_equal(d.fresh_pages, 5);
	/* a's minus b's: 4 */
	assert_int_equal(d.nr_resolved_runs, 1);
	assert_int_equal(d.resolved_runs[0].first, 4);
	assert_int_equal(d.resolved_runs[0].last, 4);
	check__delta_free(&d);

	b.summary.judged = false;
	assert_int_equal(check__delta(&a, &b, &d), 0);
	assert_false(d.runs_compared);
	assert_int_equal(d.nr_fresh_runs + d.nr_resolved_runs, 0);
	check__delta_free(&d);
	b.nr_findings = 0;
	assert_int_equal(check__delta(&a, &b, &d), 0);
	assert_int_equal(d.nr_fresh, 0);
	assert_int_equal(d.nr_resolved, 3);
	check__delta_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sound),
		cmocka_unit_test(planted),
		cmocka_unit_test(poison_and_outside),
		cmocka_unit_test(no_roots),
		cmocka_unit_test(node_cap),
		cmocka_unit_test(progress_and_cancel),
		cmocka_unit_test(delta),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

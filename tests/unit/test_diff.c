// SPDX-License-Identifier: GPL-2.0
/* diff: two memory arenas with known differences -> exact page runs and
 * byte ranges, through callbacks and through the JSON sink. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "diff.h"
#include "memsource.h"
#include "snapshot.h"
#include "sink.h"
#include "source.h"

#define NP 12
#define BASE 0x100000000000ULL

static uint8_t da[NP * 4096], db[NP * 4096];
static uint8_t sa[NP], sb[NP];

struct got {
	struct diff_pages pages[16];
	int nr_pages;
	struct diff_range ranges[32];
	int nr_ranges;
};

static int on_pages(void *ctx, const struct diff_pages *p)
{
	struct got *g = ctx;

	assert_true(g->nr_pages < 16);
	g->pages[g->nr_pages++] = *p;
	return 0;
}

static int on_range(void *ctx, const struct diff_range *r)
{
	struct got *g = ctx;

	assert_true(g->nr_ranges < 32);
	g->ranges[g->nr_ranges++] = *r;
	return 0;
}

static const struct diff_cb cb = { .pages = on_pages, .range = on_range };

static void mk(struct source **a, struct source **b)
{
	struct arena_info ai = { .map_id = 3, .max_pages = NP, .user_vm_start = BASE,
				 .user_vm_end = BASE + NP * 4096ULL };

	for (size_t i = 0; i < sizeof(da); i++)
		da[i] = db[i] = (uint8_t)(i * 31 + 7);
	memset(sa, PAGE_FREE, NP);
	memset(sb, PAGE_FREE, NP);
	/* A: 0-3 allocated, 5 reserved, 8 allocated */
	sa[0] = sa[1] = sa[2] = sa[3] = PAGE_ALLOCATED;
	sa[5] = PAGE_RESERVED;
	sa[8] = PAGE_ALLOCATED;
	/* B: 0-2 allocated (3 freed), 5 free again, 6-7 new, 8 still there */
	sb[0] = sb[1] = sb[2] = PAGE_ALLOCATED;
	sb[6] = sb[7] = PAGE_ALLOCATED;
	sb[8] = PAGE_ALLOCATED;
	sb[10] = PAGE_RESERVED;

	db[100] ^= 0xff;			/* page 0: one byte */
	for (int i = 4090; i < 4102; i++)	/* across pages 1 and 2 */
		db[i] ^= 0x5a;
	db[8192 + 200] ^= 1;			/* page 2: two bytes, one apart */
	db[8192 + 202] ^= 1;
	for (int i = 0; i < 4096; i++)		/* page 8: all of it */
		db[8 * 4096 + i] = ~da[8 * 4096 + i];
	da[3 * 4096] ^= 1;			/* page 3 freed in B: not compared */

	assert_int_equal(memsource__new(&ai, da, sa, a), 0);
	assert_int_equal(memsource__new(&ai, db, sb, b), 0);
}

static void exact_pages_and_ranges(void **state)
{
	struct source *a, *b;
	struct diff_stats st;
	struct got g = {};
	static const struct { uint64_t off, len; } want[] = {
		{ 100, 1 }, { 4090, 12 }, { 8392, 1 }, { 8394, 1 }, { 8 * 4096, 4096 },
	};

	mk(&a, &b);
	assert_int_equal(diff__walk(a, b, NULL, &cb, &g, &st), 0);
	assert_int_equal(g.nr_pages, 4);
	assert_int_equal(g.pages[0].first, 3);
	assert_int_equal(g.pages[0].count, 1);
	assert_int_equal(g.pages[0].from, PAGE_ALLOCATED);
	assert_int_equal(g.pages[0].to, PAGE_FREE);
	assert_int_equal(g.pages[1].first, 5);
	assert_int_equal(g.pages[1].from, PAGE_RESERVED);
	assert_int_equal(g.pages[1].to, PAGE_FREE);
	assert_int_equal(g.pages[2].first, 6);
	assert_int_equal(g.pages[2].count, 2);
	assert_int_equal(g.pages[2].from, PAGE_FREE);
	assert_int_equal(g.pages[2].to, PAGE_ALLOCATED);
	assert_int_equal(g.pages[3].first, 10);
	assert_int_equal(g.pages[3].to, PAGE_RESERVED);

	assert_int_equal(g.nr_ranges, 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(g.ranges[i].off, want[i].off);
		assert_int_equal(g.ranges[i].len, want[i].len);
	}
	assert_int_equal(g.ranges[0].old[0], da[100]);
	assert_int_equal(g.ranges[0].new[0], db[100]);
	assert_memory_equal(g.ranges[1].old, da + 4090, 12);
	assert_memory_equal(g.ranges[1].new, db + 4090, 12);
	assert_memory_equal(g.ranges[4].new, db + 8 * 4096, DIFF_SAMPLE);

	assert_int_equal(st.pages_allocated, 2);
	assert_int_equal(st.pages_freed, 1);
	assert_int_equal(st.pages_other, 2);
	assert_int_equal(st.pages_compared, 4);	/* 0, 1, 2, 8 */
	assert_int_equal(st.pages_changed, 4);
	assert_int_equal(st.ranges, 5);
	assert_int_equal(st.bytes_changed, 1 + 12 + 2 + 4096);
	assert_false(st.size_differs);
	source__close(a);
	source__close(b);
}

static void merge_gap_and_limits(void **state)
{
	struct source *a, *b;
	struct diff_stats st;
	struct got g = {};
	struct diff_opts o = { .merge_gap = 1 };

	mk(&a, &b);
	assert_int_equal(diff__walk(a, b, &o, &cb, &g, &st), 0);
	assert_int_equal(g.nr_ranges, 4);
	assert_int_equal(g.ranges[2].off, 8392);
	assert_int_equal(g.ranges[2].len, 3);
	assert_memory_equal(g.ranges[2].old, da + 8392, 3);	/* the equal byte too */
	assert_memory_equal(g.ranges[2].new, db + 8392, 3);
	assert_int_equal(st.bytes_changed, 1 + 12 + 2 + 4096);

	memset(&g, 0, sizeof(g));
	o = (struct diff_opts){ .max_ranges = 2 };
	assert_int_equal(diff__walk(a, b, &o, &cb, &g, &st), 0);
	assert_int_equal(g.nr_ranges, 2);
	assert_true(st.ranges_truncated);

	memset(&g, 0, sizeof(g));
	o = (struct diff_opts){ .pages_only = true };
	assert_int_equal(diff__walk(a, b, &o, &cb, &g, &st), 0);
	assert_int_equal(g.nr_pages, 4);
	assert_int_equal(g.nr_ranges, 0);
	assert_int_equal(st.pages_compared, 0);

	/* the same arena twice: nothing */
	memset(&g, 0, sizeof(g));
	assert_int_equal(diff__walk(a, a, NULL, &cb, &g, &st), 0);
	assert_int_equal(g.nr_pages + g.nr_ranges, 0);
	assert_int_equal(st.pages_compared, 5);
	source__close(a);
	source__close(b);
}

static void json_output(void **state)
{
	struct source *a, *b;
	struct strbuf sbuf = {};
	struct sink *s = sink__new_json(strbuf_write, &sbuf, false);

	mk(&a, &b);
	assert_int_equal(diff__emit(a, b, NULL, s, NULL), 0);
	sink__free(s);
	assert_non_null(sbuf.buf);
	assert_non_null(strstr(sbuf.buf, "\"pages\":["));
	assert_non_null(strstr(sbuf.buf, "\"change\":\"freed\",\"first\":3,\"count\":1"));
	assert_non_null(strstr(sbuf.buf, "\"change\":\"allocated\",\"first\":6,\"count\":2"));
	assert_non_null(strstr(sbuf.buf, "\"addr\":\"0x100000000ffa\",\"offset\":4090,\"len\":12"));
	assert_non_null(strstr(sbuf.buf, "\"bytes_changed\":4111"));
	strbuf_free(&sbuf);

	/* text comes from the same walk */
	s = sink__new_text(strbuf_write, &sbuf);
	assert_int_equal(diff__emit(a, b, NULL, s, NULL), 0);
	sink__free(s);
	assert_non_null(sbuf.buf);
	assert_non_null(strstr(sbuf.buf, "freed"));
	assert_non_null(strstr(sbuf.buf, "0x100000000ffa"));
	strbuf_free(&sbuf);
	source__close(a);
	source__close(b);
}

static void snapshot_against_live(void **state)
{
	char dir[] = "/tmp/test_diff.XXXXXX", p[64];
	struct source *a, *b, *snap;
	struct diff_stats st;
	struct got g = {};

	mk(&a, &b);
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/a.core", dir);
	assert_int_equal(snapshot__write(a, NULL, p), 0);
	assert_int_equal(snapshot__open(p, &snap), 0);
	assert_int_equal(diff__walk(snap, a, NULL, &cb, &g, &st), 0);
	assert_int_equal(g.nr_pages + g.nr_ranges, 0);
	assert_int_equal(diff__walk(snap, b, NULL, &cb, &g, &st), 0);
	assert_int_equal(g.nr_pages, 4);
	assert_int_equal(g.nr_ranges, 5);
	source__close(snap);
	unlink(p);
	rmdir(dir);
	source__close(a);
	source__close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_pages_and_ranges),
		cmocka_unit_test(merge_gap_and_limits),
		cmocka_unit_test(json_output),
		cmocka_unit_test(snapshot_against_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

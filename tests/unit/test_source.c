// SPDX-License-Identifier: GPL-2.0
/* The source interface on a memory arena: bounds, missing pages, counts. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "memsource.h"
#include "source.h"

#define NP 40
#define BASE 0x100000000000ULL

static uint8_t data[NP * 4096];
static uint8_t states[NP];

static struct source *mk(void)
{
	struct arena_info ai = { .map_id = 1,
				 .max_pages = NP,
				 .user_vm_start = BASE,
				 .user_vm_end = BASE + NP * 4096ULL };
	struct source *s;

	memset(states, PAGE_FREE, sizeof(states));
	states[0] = states[1] = states[2] = PAGE_ALLOCATED;
	states[5] = PAGE_RESERVED;
	for (int i = 16; i < 32; i++)
		states[i] = PAGE_ALLOCATED;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i / 4096 + 1);
	assert_int_equal(memsource__new(&ai, data, states, &s), 0);
	return s;
}

static void reads_report_missing_pages(void **state)
{
	struct source *s = mk();
	uint8_t buf[3 * 4096], present[4];

	/* pages 2 (there), 3 and 4 (free) */
	assert_int_equal(source__read(s, BASE + 2 * 4096 + 100, buf, 2 * 4096, present), 2);
	assert_int_equal(present[0], 1);
	assert_int_equal(present[1], 0);
	assert_int_equal(present[2], 0);
	assert_int_equal(buf[0], 3);
	assert_int_equal(buf[4096], 0); /* missing bytes read as zero */
	assert_int_equal(source__read_exact(s, BASE + 4096, buf, 8), 0);
	assert_int_equal(source__read_exact(s, BASE + 5 * 4096, buf, 8), -ENODATA);
	source__close(s);
}

static void reads_outside_the_arena_fail(void **state)
{
	struct source *s = mk();
	uint8_t b[16];

	assert_int_equal(source__read(s, BASE - 1, b, 2, NULL), -ERANGE);
	assert_int_equal(source__read(s, BASE + NP * 4096ULL - 4, b, 8, NULL), -ERANGE);
	assert_int_equal(source__read(s, UINT64_MAX - 2, b, 8, NULL), -ERANGE);
	assert_int_equal(source__read(s, 0, b, 8, NULL), -ERANGE);
	source__close(s);
}

static void pagemap_counts_and_runs(void **state)
{
	struct source *s = mk();
	struct pagemap pm;

	assert_int_equal(source__pagemap(s, &pm), 0);
	assert_int_equal(pm.nr_pages, NP);
	assert_int_equal(pm.counts[PAGE_ALLOCATED], 19);
	assert_int_equal(pm.counts[PAGE_RESERVED], 1);
	assert_int_equal(pm.counts[PAGE_FREE], NP - 20);
	/* free runs: 3-4, 6-15, 32-39 */
	assert_int_equal(pm.nr_free_runs, 3);
	assert_int_equal(pm.largest_free_run, 10);
	pagemap__free(&pm);
	source__close(s);
}

static void counts_agree_with_a_plain_scan(void **state)
{
	struct pagemap pm = { .nr_pages = 4099 };
	uint32_t want[3] = {};

	pm.state = malloc(pm.nr_pages);
	srand(7);
	for (uint32_t i = 0; i < pm.nr_pages; i++) {
		/* long runs with noise, so the 8-at-a-time path and the byte path mix */
		pm.state[i] = (i / 64) % 3 == 0	  ? PAGE_FREE
			      : (i / 64) % 3 == 1 ? PAGE_ALLOCATED
						  : (uint8_t)(rand() % 3);
		want[pm.state[i]]++;
	}
	pagemap__count(&pm);
	for (int k = 0; k < 3; k++)
		assert_int_equal(pm.counts[k], want[k]);
	free(pm.state);
}

/*
 * A source without a gather op (memsource, like a snapshot) answers
 * source__gather item by item, as the probe does: an item is missing when
 * any page it spans is, and refused items (empty, too long, past the end)
 * read as missing rather than failing the batch.
 */
static void gather_without_a_gather_op(void **state)
{
	struct source *s = mk();
	struct gather_item it[] = {
		{ .off = 1 * 4096 + 8, .len = 16 },    /* page 1: there */
		{ .off = 3 * 4096, .len = 8 },	       /* page 3: free */
		{ .off = 5 * 4096 + 100, .len = 4 },   /* page 5: reserved, no memory */
		{ .off = 3 * 4096 - 4, .len = 8 },     /* pages 2 (there) and 3 (free) */
		{ .off = 17 * 4096 - 32, .len = 64 },  /* pages 16 and 17, both there */
		{ .off = 0, .len = 0 },		       /* empty */
		{ .off = 0, .len = 65 },	       /* longer than an item holds */
		{ .off = NP * 4096ULL - 4, .len = 8 }, /* past the end */
	};
	int want[] = { 0, -ENODATA, -ENODATA, -ENODATA, 0, -ENODATA, -ENODATA, -ENODATA };

	assert_null(s->ops->gather);
	for (size_t i = 0; i < sizeof(it) / sizeof(it[0]); i++)
		it[i].err = 1;
	assert_int_equal(source__gather(s, it, sizeof(it) / sizeof(it[0])), 0);
	for (size_t i = 0; i < sizeof(it) / sizeof(it[0]); i++) {
		if (it[i].err != want[i])
			fail_msg("item %zu: err %d, want %d", i, it[i].err, want[i]);
		if (!want[i])
			assert_memory_equal(it[i].data, data + it[i].off, it[i].len);
	}
	source__close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_report_missing_pages),
		cmocka_unit_test(reads_outside_the_arena_fail),
		cmocka_unit_test(pagemap_counts_and_runs),
		cmocka_unit_test(counts_agree_with_a_plain_scan),
		cmocka_unit_test(gather_without_a_gather_op),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

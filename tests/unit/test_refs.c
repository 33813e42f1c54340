// SPDX-License-Identifier: GPL-2.0
/*
 * refs.c's index on a memory arena of 8192 pages (more than one radix
 * digit of pages, 2^11): pseudo-random pointers on scattered allocated
 * pages, a crowded page (more than 32 referrers of one page), the same
 * value held at many places, misaligned values and integers that only look
 * like pointers into a free page. A query over any range gives exactly the
 * (at, value) pairs a brute-force pass over the same bytes finds, in value
 * then at order; a query over nothing gives nothing; a progress callback
 * that asks to stop gets -ECANCELED and no index.
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
#include "memsource.h"
#include "progress.h"
#include "refs.h"

#define NP 8192u
#define PG 4096u
#define BASE 0x100000000000ull

static uint8_t *mem, state[NP];
static struct source *src;

static int setup(void **st)
{
	struct arena_info ai = { .max_pages = NP, .page_size = PG, .user_vm_start = BASE };
	uint64_t x = 88172645463325252ull;

	(void)st;
	mem = calloc(NP, PG);
	assert_non_null(mem);
	for (uint32_t p = 0; p < NP; p++)
		state[p] = p % 3 ? PAGE_ALLOCATED : PAGE_FREE;
	for (uint32_t p = 0; p < NP; p++) {
		if (state[p] != PAGE_ALLOCATED)
			continue;
		for (uint32_t o = 0; o < PG; o += 8) {
			uint64_t v;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			switch (x % 8) {
			case 0: v = BASE + (x >> 20) % ((uint64_t)NP * PG); break; /* any byte */
			case 1: v = BASE + 5 * PG + 64; break; /* crowded page 5, one value */
			case 2: v = BASE + 7 * PG + (x >> 40) % PG; break; /* page 7 */
			case 3: v = (x >> 3) & 0xffffffff; break;	   /* an integer */
			default: v = 0;
			}
			memcpy(mem + (uint64_t)p * PG + o, &v, 8);
		}
	}
	/* one beyond the arena and one below: no entries */
	memcpy(mem + PG + 8, &(uint64_t){ BASE + (uint64_t)NP * PG }, 8);
	memcpy(mem + PG + 16, &(uint64_t){ BASE - 8 }, 8);
	ai.page_shift = 12;
	assert_int_equal(memsource__new(&ai, mem, state, &src), 0);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	source__close(src);
	free(mem);
	return 0;
}

struct got {
	struct refs_entry *e;
	size_t n, cap;
};

static int collect(const struct refs_entry *e, void *ctx)
{
	struct got *g = ctx;

	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 1024;
		g->e = realloc(g->e, g->cap * sizeof(*g->e));
		assert_non_null(g->e);
	}
	g->e[g->n++] = *e;
	return 0;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct refs_entry *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* every allocated page's qwords pointing into [lo, hi) and the arena, sorted */
static void brute(uint64_t lo, uint64_t hi, struct got *g)
{
	for (uint32_t p = 0; p < NP; p++) {
		if (state[p] != PAGE_ALLOCATED)
			continue;
		for (uint32_t o = 0; o < PG; o += 8) {
			uint64_t v;

			memcpy(&v, mem + (uint64_t)p * PG + o, 8);
			/* into the arena: a value past its end is no reference */
			if (v >= lo && v < hi && v - BASE < (uint64_t)NP * PG)
				collect(&(struct refs_entry){ BASE + (uint64_t)p * PG + o, v }, g);
		}
	}
	if (g->n)
		qsort(g->e, g->n, sizeof(*g->e), cmp_ref);
}

static void same(struct refs_index *idx, uint64_t lo, uint64_t hi)
{
	struct got a = { 0 }, b = { 0 };

	assert_int_equal(refs__query(idx, lo, hi, collect, &a), 0);
	brute(lo, hi, &b);
	assert_int_equal(refs__query(idx, lo, hi, NULL, NULL), (long)b.n);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++)
		if (a.e[i].at != b.e[i].at || a.e[i].value != b.e[i].value)
			fail_msg("[0x%llx, 0x%llx) entry %zu: (0x%llx, 0x%llx), want (0x%llx, "
				 "0x%llx)",
				 (unsigned long long)lo, (unsigned long long)hi, i,
				 (unsigned long long)a.e[i].at, (unsigned long long)a.e[i].value,
				 (unsigned long long)b.e[i].at, (unsigned long long)b.e[i].value);
	free(a.e);
	free(b.e);
}

static void sorted_as_brute_force(void **st)
{
	struct refs_index *idx = NULL;

	(void)st;
	assert_int_equal(refs__build(src, &idx), 0);
	assert_int_equal(idx->pages_scanned, NP - (NP + 2) / 3);
	same(idx, BASE, BASE + (uint64_t)NP * PG); /* all of it */
	same(idx, BASE + 5 * PG, BASE + 6 * PG);   /* the crowded page */
	same(idx, BASE + 5 * PG + 64, BASE + 5 * PG + 65);
	same(idx, BASE + 7 * PG + 100, BASE + 7 * PG + 3000);
	same(idx, BASE + 4000 * PG + 12, BASE + 6000 * PG + 7);
	same(idx, BASE + (uint64_t)(NP - 1) * PG, BASE + (uint64_t)NP * PG + 4096);
	assert_int_equal(refs__query(idx, BASE + 10, BASE + 10, NULL, NULL), 0);
	assert_int_equal(refs__query(idx, 0, BASE, NULL, NULL), 0);
	refs__free(idx);
}

static bool stop_at_10(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	int *n = ctx;

	(void)what;
	assert_true(done <= total);
	return ++*n == 10;
}

static void cancelled(void **st)
{
	int n = 0;
	struct ai_progress p = { .cb = stop_at_10, .ctx = &n };
	struct refs_opts o = { .progress = &p };
	struct refs_index *idx = (void *)1;

	(void)st;
	assert_int_equal(refs__build_opts(src, &o, &idx), -ECANCELED);
	assert_null(idx);
	assert_int_equal(n, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sorted_as_brute_force),
		cmocka_unit_test(cancelled),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

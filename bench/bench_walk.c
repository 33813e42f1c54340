// SPDX-License-Identifier: GPL-2.0
/*
 * walk speed (issue 13 item 5): a list of 100,000 struct nodes scattered
 * over their pages, walked with the library's walker (walk.h), beside the
 * reference from the same run: source__read of each node's 8-byte link,
 * in chain order, with nothing else. The walker reads each link twice (a
 * first pass finds the end and any cycle, with O(1) memory), so about 2x
 * the reference is what it should cost. Also walk + format (fmt__value to
 * a text sink, what `walk` prints), and the memory a 1,000,000-node walk
 * with its output streamed adds (max RSS before and after). On a
 * synthetic memsource arena (anyone), then on a live arena through the
 * kernel-side probe (root).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "bench_arena.h"
#include "btfx.h"
#include "error.h"
#include "expr.h"
#include "format.h"
#include "memsource.h"
#include "sink.h"
#include "synth.h"
#include "walk.h"

#define NODE 32 /* synth's struct node: int id; struct node *next (at 8); ... */

static uint64_t slot(uint64_t i, uint64_t n)
{
	return (i * 2654435761ULL) % n * NODE; /* a bijection: n = 2^a 5^b */
}

/* node i at slot(i) of n, linked in order, the last NULL */
static void build(uint8_t *mem, uint64_t user, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t next = i + 1 < n ? user + slot(i + 1, n) : 0;
		uint32_t id = (uint32_t)i;

		memcpy(mem + slot(i, n), &id, 4);
		memcpy(mem + slot(i, n) + 8, &next, 8);
	}
}

static long max_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* walk the n nodes from start; format: each through fmt__value into a
 * text sink whose buffer is emptied per node (streamed). Returns ms. */
static double walk_ms(struct btfx *bx, struct source *src, const struct value *start, uint64_t n,
		      bool format, enum walk_reason want)
{
	struct walk_opts o = { .max = n };
	struct strbuf sb = { 0 };
	struct sink *s = format ? sink__new_text(strbuf_write, &sb) : NULL;
	struct walk_node wn;
	struct walk_end e;
	struct walk *w;
	uint64_t k = 0;
	double t0 = bench_now_ms(), t;

	if (walk__open(bx, src, start, &o, &w)) {
		fprintf(stderr, "walk: %s\n", ai_errmsg());
		exit(1);
	}
	while (walk__next(w, &wn) == 1) {
		if (s) {
			fmt__value(bx, src, &wn.value, NULL, s, NULL);
			sb.len = 0;
		}
		k++;
	}
	t = bench_now_ms() - t0;
	walk__end(w, &e);
	walk__close(w);
	sink__free(s);
	strbuf_free(&sb);
	if (k != n || e.reason != want) {
		fprintf(stderr, "walk: %llu nodes, end %s (wanted %llu, %s)\n",
			(unsigned long long)k, walk__reason_name(e.reason), (unsigned long long)n,
			walk__reason_name(want));
		exit(1);
	}
	return t;
}

static double ref_ms(struct source *src, uint64_t user, uint64_t n)
{
	double t0 = bench_now_ms();
	uint64_t v, sum = 0;

	for (uint64_t i = 0; i < n; i++) {
		if (source__read(src, user + slot(i, n) + 8, &v, 8, NULL)) {
			fprintf(stderr, "reference: %s\n", ai_errmsg());
			exit(1);
		}
		sum += v;
	}
	if (!sum)
		fprintf(stderr, "reference read nothing\n");
	return bench_now_ms() - t0;
}

static void report(const char *what, struct btfx *bx, struct source *src, uint64_t user, uint64_t n)
{
	struct value start = { .btf = btfx__btf(bx, 0),
			       .type_id = T.nodep,
			       .scalar = user + slot(0, n) };
	double r[3], w[3], f;

	for (int i = 0; i < 3; i++) {
		r[i] = ref_ms(src, user, n);
		w[i] = walk_ms(bx, src, &start, n, false, WALK_END_NULL);
	}
	f = walk_ms(bx, src, &start, n, true, WALK_END_NULL);
	printf("%s: %llu nodes: walk %.1f ms (%.2f M nodes/s); reference (source__read of each "
	       "link) %.1f ms: walk/reference %.2fx; walk + format %.1f ms (%.0f k nodes/s)\n",
	       what, (unsigned long long)n, bench_median(w, 3), n / bench_median(w, 3) / 1e3,
	       bench_median(r, 3), bench_median(w, 3) / bench_median(r, 3), f, n / f);
}

static void synthetic(void)
{
	const uint64_t n = 100000, big = 1000000, user = 0x100000000000ULL;
	uint32_t pages = (uint32_t)((big * NODE + 4095) / 4096);
	struct arena_info ai = { .max_pages = pages,
				 .user_vm_start = user,
				 .user_vm_end = user + (uint64_t)pages * 4096,
				 .is_snapshot = true };
	uint8_t *mem = calloc(pages, 4096), *state = malloc(pages);
	struct source *src;
	struct btfx *bx;
	struct value start = { .type_id = 0 };
	long rss0, rss1;
	double t;

	if (!mem || !state) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	memset(state, PAGE_ALLOCATED, pages);
	if (memsource__new(&ai, mem, state, &src) || btfx__new_from_btf(src, build_btf(), &bx)) {
		fprintf(stderr, "memsource: %s\n", ai_errmsg());
		exit(1);
	}
	build(mem, user, n);
	report("memsource", bx, src, user, n);

	/* a million nodes, formatted and streamed: what the walk adds to RSS */
	build(mem, user, big);
	start = (struct value){ .btf = btfx__btf(bx, 0),
				.type_id = T.nodep,
				.scalar = user + slot(0, big) };
	walk_ms(bx, src, &start, 1000, true, WALK_END_MAX); /* warm the formatter's allocations */
	rss0 = max_rss_kb();
	t = walk_ms(bx, src, &start, big, true, WALK_END_NULL);
	rss1 = max_rss_kb();
	printf("memsource: %llu nodes walked and formatted in %.0f ms; max RSS %ld -> %ld KB (+%ld "
	       "KB; the arena itself is %u KB)\n",
	       (unsigned long long)big, t, rss0, rss1, rss1 - rss0, pages * 4);
	btfx__free(bx);
	source__close(src);
	free(mem);
	free(state);
}

static void live(void)
{
	const uint64_t n = 100000;
	uint32_t pages = (uint32_t)((n * NODE + 4095) / 4096);
	struct bench_arena ba;
	struct btfx *bx;
	int r = bench_arena__new("bench_walk", &ba);

	if (r) {
		if (r < 0)
			exit(1);
		return;
	}
	bench_arena__fill(&ba, 0, pages, 1);
	build(ba.base, (uint64_t)(uintptr_t)ba.base, n);
	if (btfx__new_from_btf(ba.src, build_btf(), &bx)) {
		fprintf(stderr, "btfx: %s\n", ai_errmsg());
		exit(1);
	}
	report("live (probe)", bx, ba.src, (uint64_t)(uintptr_t)ba.base, n);
	btfx__free(bx);
	bench_arena__free(&ba);
}

int main(void)
{
	synthetic();
	live();
	return 0;
}

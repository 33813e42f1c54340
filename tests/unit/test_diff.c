// SPDX-License-Identifier: GPL-2.0
/* diff: two memory arenas with known differences -> exact page runs and
 * byte ranges, through callbacks and through the JSON sink; and two copies
 * of the synthetic typed arena (synth.h) differing in a few known fields ->
 * exactly those fields by expression path. */
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
#include <bpf/btf.h>
#include "btfx.h"
#include "diff.h"
#include "error.h"
#include "json.h"
#include "memsource.h"
#include "snapshot.h"
#include "sink.h"
#include "source.h"
#include "ticks.h"
#include "synth.h" /* last: it defines S */

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
	struct arena_info ai = { .map_id = 3,
				 .max_pages = NP,
				 .user_vm_start = BASE,
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

	db[100] ^= 0xff;		  /* page 0: one byte */
	for (int i = 4090; i < 4102; i++) /* across pages 1 and 2 */
		db[i] ^= 0x5a;
	db[8192 + 200] ^= 1; /* page 2: two bytes, one apart */
	db[8192 + 202] ^= 1;
	for (int i = 0; i < 4096; i++) /* page 8: all of it */
		db[8 * 4096 + i] = ~da[8 * 4096 + i];
	da[3 * 4096] ^= 1; /* page 3 freed in B: not compared */

	assert_int_equal(memsource__new(&ai, da, sa, a), 0);
	assert_int_equal(memsource__new(&ai, db, sb, b), 0);
}

/* progress.h: record the ticks; cancel at tick cancel_at (0: never) */
/* progress while comparing bytes, over the common pages; cancelled:
 * -ECANCELED */
static void progress_and_cancel(void **state)
{
	struct source *a, *b;
	struct diff_stats st;
	struct got g = {};
	struct ticks t = { .monotonic = true };
	struct ai_progress pr = { .cb = ticks_cb, .ctx = &t };
	struct diff_opts o = { .progress = &pr };

	mk(&a, &b);
	assert_int_equal(diff__walk(a, b, &o, &cb, &g, &st), 0);
	assert_true(t.n >= 1);
	assert_true(t.monotonic);
	assert_string_equal(t.what, "comparing");
	assert_int_equal(t.last_done, t.total);
	assert_int_equal(t.total, a->info.max_pages);
	t = (struct ticks){ .monotonic = true, .cancel_at = 1 };
	memset(&g, 0, sizeof(g));
	assert_int_equal(diff__walk(a, b, &o, &cb, &g, &st), -ECANCELED);
	assert_non_null(strstr(ai_errmsg(), "cancelled"));
	source__close(a);
	source__close(b);
	(void)state;
}

static void exact_pages_and_ranges(void **state)
{
	struct source *a, *b;
	struct diff_stats st;
	struct got g = {};
	static const struct {
		uint64_t off, len;
	} want[] = {
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
	assert_int_equal(st.pages_compared, 4); /* 0, 1, 2, 8 */
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
	assert_memory_equal(g.ranges[2].old, da + 8392, 3); /* the equal byte too */
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

/* ------------------------------------------------------- the diff object */

/* A source that fails the test when a read touches a page its map does not
 * have allocated: the engine must never read those (a live arena would be
 * asked for pages that are not there). */
struct strict {
	struct source src;
	struct source *inner;
	const uint8_t *state;
	int bad_reads, reads;
};

static int strict_pagemap(struct source *s, struct pagemap *pm)
{
	return source__pagemap(((struct strict *)s)->inner, pm);
}

static int strict_read(struct source *s, uint64_t off, void *buf, size_t len, uint8_t *present)
{
	struct strict *t = (struct strict *)s;

	t->reads++;
	for (uint64_t pg = off >> 12; pg <= (off + len - 1) >> 12; pg++)
		t->bad_reads += t->state[pg] != PAGE_ALLOCATED;
	return t->inner->ops->read(t->inner, off, buf, len, present);
}

static void strict_close(struct source *s)
{
	source__close(((struct strict *)s)->inner);
	free(s);
}

static const struct source_ops strict_ops = {
	.pagemap = strict_pagemap,
	.read = strict_read,
	.close = strict_close,
};

static struct strict *strict_new(struct source *inner, const uint8_t *state)
{
	struct strict *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->src.ops = &strict_ops;
	t->src.info = inner->info;
	t->inner = inner;
	t->state = state;
	return t;
}

static void mk_obj(struct diff **d, struct strict **ta, struct strict **tb)
{
	struct source *a, *b;

	mk(&a, &b);
	*ta = strict_new(a, sa);
	*tb = strict_new(b, sb);
	assert_int_equal(diff__new(&(*ta)->src, &(*tb)->src, NULL, d), 0);
}

static void free_obj(struct diff *d, struct strict *ta, struct strict *tb)
{
	assert_int_equal(ta->bad_reads + tb->bad_reads, 0);
	diff__free(d);
	source__close(&ta->src);
	source__close(&tb->src);
}

/* mk()'s changes in address order, as diff__next reports them */
static const struct {
	enum diff_change_kind kind;
	uint64_t off, len;
} changes[] = {
	{ DIFF_CHANGE_BYTES, 100, 1 },
	{ DIFF_CHANGE_BYTES, 4090, 6 }, /* the end of page 0 */
	{ DIFF_CHANGE_BYTES, 4096, 6 }, /* page 1 starts a change of its own */
	{ DIFF_CHANGE_BYTES, 8392, 1 },
	{ DIFF_CHANGE_BYTES, 8394, 1 },
	{ DIFF_CHANGE_FREED, 3 * 4096, 4096 },
	{ DIFF_CHANGE_RESERVED, 5 * 4096, 4096 },
	{ DIFF_CHANGE_ALLOCATED, 6 * 4096, 2 * 4096 },
	{ DIFF_CHANGE_BYTES, 8 * 4096, 4096 },
	{ DIFF_CHANGE_RESERVED, 10 * 4096, 4096 },
};
#define NCHANGES (sizeof(changes) / sizeof(changes[0]))

static void object_counts(void **state)
{
	struct strict *ta, *tb;
	struct diff *d;
	struct diff_counts c;
	struct diff_stats st;

	mk_obj(&d, &ta, &tb);
	assert_int_equal(diff__base(d), BASE);
	diff__counts(d, &c);
	assert_int_equal(c.allocated, 2);
	assert_int_equal(c.freed, 1);
	assert_int_equal(c.reserved_changed, 2);
	assert_int_equal(c.nr_pages, NP);
	assert_false(c.size_differs);
	assert_int_equal(diff__page(d, DIFF_A, 3), PAGE_ALLOCATED);
	assert_int_equal(diff__page(d, DIFF_B, 3), PAGE_FREE);
	assert_int_equal(diff__page(d, DIFF_B, NP), -1);
	/* the CLI's walk on the same object agrees */
	assert_int_equal(diff__ranges(d, NULL, NULL, &st), 0);
	assert_int_equal(st.pages_allocated, c.allocated);
	assert_int_equal(st.pages_freed, c.freed);
	assert_int_equal(st.pages_other, c.reserved_changed);
	/* a page map given by the caller: page 9 allocated in B now */
	{
		struct pagemap pm;

		assert_int_equal(source__pagemap(&tb->src, &pm), 0);
		pm.state[9] = PAGE_ALLOCATED;
		sb[9] = PAGE_ALLOCATED;
		assert_int_equal(diff__set_pagemap(d, DIFF_B, &pm), 0);
		pagemap__free(&pm);
		diff__counts(d, &c);
		assert_int_equal(c.allocated, 3);
		assert_int_equal(diff__refresh(d), 0);
		diff__counts(d, &c);
		assert_int_equal(c.allocated, 3);
		sb[9] = PAGE_FREE;
		assert_int_equal(diff__refresh(d), 0);
		diff__counts(d, &c);
		assert_int_equal(c.allocated, 2);
	}
	free_obj(d, ta, tb);
}

static void object_next(void **state)
{
	struct strict *ta, *tb;
	struct diff *d;
	struct diff_change ch;
	uint64_t from = 0;

	mk_obj(&d, &ta, &tb);
	for (size_t i = 0; i < NCHANGES; i++) {
		assert_int_equal(diff__next(d, from, 1, 0, &ch), DIFF_FOUND);
		print_message("next %zu: kind %d at +%llu len %llu\n", i, ch.kind,
			      (unsigned long long)(ch.addr - BASE), (unsigned long long)ch.len);
		assert_int_equal(ch.kind, changes[i].kind);
		assert_int_equal(ch.addr, BASE + changes[i].off);
		assert_int_equal(ch.len, changes[i].len);
		from = ch.addr;
	}
	assert_int_equal(diff__next(d, from, 1, 0, &ch), DIFF_NONE);
	from = BASE + NP * 4096ULL;
	for (size_t i = NCHANGES; i-- > 0;) {
		assert_int_equal(diff__next(d, from, -1, 0, &ch), DIFF_FOUND);
		assert_int_equal(ch.kind, changes[i].kind);
		assert_int_equal(ch.addr, BASE + changes[i].off);
		assert_int_equal(ch.len, changes[i].len);
		from = ch.addr;
	}
	assert_int_equal(diff__next(d, from, -1, 0, &ch), DIFF_NONE);
	/* from inside a change: forward skips the rest of it, backward finds its start */
	assert_int_equal(diff__next(d, BASE + 4092, 1, 0, &ch), DIFF_FOUND);
	assert_int_equal(ch.addr, BASE + 4096);
	assert_int_equal(diff__next(d, BASE + 4092, -1, 0, &ch), DIFF_FOUND);
	assert_int_equal(ch.addr, BASE + 4090);
	assert_int_equal(diff__next(d, BASE + 6 * 4096 + 10, 1, 0, &ch), DIFF_FOUND);
	assert_int_equal(ch.addr, BASE + 8 * 4096);
	/* a cap on the pages read: one page a call, then "go on from here" */
	assert_int_equal(diff__next(d, BASE + 4090, 1, 1, &ch), DIFF_MORE);
	assert_int_equal(ch.addr, BASE + 4095);
	assert_int_equal(diff__next(d, ch.addr, 1, 1, &ch), DIFF_FOUND);
	assert_int_equal(ch.addr, BASE + 4096);
	assert_int_equal(diff__next(d, BASE + 4096, -1, 1, &ch), DIFF_FOUND);
	assert_int_equal(ch.addr, BASE + 4090);
	assert_int_equal(diff__next(d, BASE + 4090, -1, 1, &ch), DIFF_FOUND);
	assert_int_equal(ch.addr, BASE + 100);
	assert_int_equal(diff__next(d, BASE + 3 * 4096, -1, 1, &ch), DIFF_FOUND);
	assert_int_equal(ch.addr, BASE + 8394);
	assert_int_equal(diff__next(d, BASE + 8392, -1, 1, &ch), DIFF_MORE);
	assert_int_equal(ch.addr, BASE + 8192); /* page 2 is done */
	assert_int_equal(diff__next(d, ch.addr, -1, 1, &ch), DIFF_FOUND);
	assert_int_equal(ch.addr, BASE + 4096);
	/* the same arena twice: nothing, either way */
	{
		struct diff *same;

		assert_int_equal(diff__new(&ta->src, &ta->src, NULL, &same), 0);
		assert_int_equal(diff__next(same, 0, 1, 0, &ch), DIFF_NONE);
		assert_int_equal(diff__next(same, BASE + NP * 4096ULL, -1, 0, &ch), DIFF_NONE);
		diff__free(same);
	}
	assert_true(ta->reads > 0);
	free_obj(d, ta, tb);
}

static void object_window(void **state)
{
	struct strict *ta, *tb;
	struct diff *d;
	uint8_t mask[8192], pages[3], bytes[32], present[2];

	mk_obj(&d, &ta, &tb);
	/* across the page 0/1 edge: 4090..4101 differ */
	assert_int_equal(diff__window(d, BASE + 4088, 16, NULL, NULL, mask, pages), 12);
	for (int i = 0; i < 16; i++)
		assert_int_equal(mask[i], i >= 2 && i < 14);
	assert_int_equal(pages[0], DIFF_IN_A | DIFF_IN_B);
	assert_int_equal(pages[1], DIFF_IN_A | DIFF_IN_B);
	/* B's bytes from the caller, as the hex view has them */
	memcpy(bytes, db + 8384, 32);
	present[0] = 1;
	assert_int_equal(diff__window(d, BASE + 8384, 32, bytes, present, mask, NULL), 2);
	assert_true(mask[8] && !mask[9] && mask[10]);
	/* page 3 freed in B, page 6 only in B: nothing compared, said per page */
	assert_int_equal(diff__window(d, BASE + 3 * 4096, 8192, NULL, NULL, mask, pages), 0);
	assert_int_equal(pages[0], DIFF_IN_A);
	assert_int_equal(pages[1], 0);
	assert_int_equal(diff__window(d, BASE + 6 * 4096, 16, NULL, NULL, mask, pages), 0);
	assert_int_equal(pages[0], DIFF_IN_B);
	assert_true(diff__window(d, BASE + NP * 4096ULL - 8, 16, NULL, NULL, mask, NULL) < 0);
	free_obj(d, ta, tb);
}

/* ------------------------------------------------------- typed fields */

static uint8_t ma[NPAGES * 4096], mb[NPAGES * 4096], sta[NPAGES], stb[NPAGES];

static void add_roots(struct btfx *bx)
{
	struct root r = { .kind = ROOT_MAP_PTR, .btf_idx = 0, .type_id = T.nodep };

	snprintf(r.section, sizeof(r.section), ".bss");
	snprintf(r.name, sizeof(r.name), "gptr");
	r.value = S + 0x1000;
	assert_int_equal(btfx__add_root(bx, &r), 0);
	snprintf(r.name, sizeof(r.name), "cyc");
	r.value = S + 0x3000;
	assert_int_equal(btfx__add_root(bx, &r), 0);
}

/* A: synth's arena. B: glob.x 42 -> 7, the second list node's val 200 ->
 * 201 and its next NULL -> a new third node, the cycle's second id 11 -> 12. */
static void mk_typed(struct source **a, struct source **b, struct btfx **bxa, struct btfx **bxb)
{
	struct arena_info ai = { .map_id = 0,
				 .max_pages = NPAGES,
				 .user_vm_start = S,
				 .user_vm_end = S + NPAGES * 4096ULL,
				 .is_snapshot = true };

	build_mem();
	memcpy(ma, mem, sizeof(ma));
	memcpy(sta, state, sizeof(sta));
	put32(0, 7);
	put64(0x1058, 201);
	put32(0x3040, 12);
	put64(0x1048, S + 0x1080);
	put32(0x1080, 3);
	put(0x1090, "three", 6);
	put64(0x1098, 300);
	memcpy(mb, mem, sizeof(mb));
	memcpy(stb, state, sizeof(stb));
	assert_int_equal(memsource__new(&ai, ma, sta, a), 0);
	assert_int_equal(memsource__new(&ai, mb, stb, b), 0);
	assert_int_equal(btfx__new_from_btf(*a, build_btf(), bxa), 0);
	add_roots(*bxa);
	if (bxb) {
		assert_int_equal(btfx__new_from_btf(*b, build_btf(), bxb), 0);
		add_roots(*bxb);
	}
}

static const struct {
	const char *path, *old, *new;
} want_fields[] = {
	{ "glob.x", "42", "7" },
	{ "glob.head->next->next", "NULL", "0x100000001080" },
	{ "glob.head->next->val", "200", "201" },
	{ "gptr->next->next", "NULL", "0x100000001080" },
	{ "gptr->next->val", "200", "201" },
	{ "cyc->next->id", "11", "12" },
	/* the new node: B only */
	{ "glob.head->next->next->id", NULL, "3" },
	{ "glob.head->next->next->next", NULL, "NULL" },
	{ "glob.head->next->next->name", NULL, "\"three\"" },
	{ "glob.head->next->next->val", NULL, "300" },
	{ "gptr->next->next->id", NULL, "3" },
	{ "gptr->next->next->next", NULL, "NULL" },
	{ "gptr->next->next->name", NULL, "\"three\"" },
	{ "gptr->next->next->val", NULL, "300" },
};
#define NWANT (sizeof(want_fields) / sizeof(want_fields[0]))

struct fgot {
	char path[NWANT + 8][64], old[NWANT + 8][32], new[NWANT + 8][32];
	bool has_old[NWANT + 8], has_new[NWANT + 8];
	size_t n;
};

static int on_field(void *ctx, const struct diff_field *f)
{
	struct fgot *g = ctx;

	assert_true(g->n < NWANT + 8);
	snprintf(g->path[g->n], sizeof(g->path[0]), "%s", f->path);
	g->has_old[g->n] = f->old != NULL;
	g->has_new[g->n] = f->new != NULL;
	snprintf(g->old[g->n], sizeof(g->old[0]), "%s", f->old ? f->old : "");
	snprintf(g->new[g->n], sizeof(g->new[0]), "%s", f->new ? f->new : "");
	g->n++;
	return 0;
}

static void check_fields(const struct fgot *g)
{
	for (size_t i = 0; i < g->n; i++)
		print_message("field %s: %s -> %s\n", g->path[i], g->old[i], g->new[i]);
	assert_int_equal(g->n, NWANT);
	for (size_t w = 0; w < NWANT; w++) {
		size_t i;

		for (i = 0; i < g->n; i++)
			if (!strcmp(g->path[i], want_fields[w].path))
				break;
		if (i == g->n)
			fail_msg("field %s not reported", want_fields[w].path);
		assert_int_equal(g->has_old[i], want_fields[w].old != NULL);
		assert_int_equal(g->has_new[i], want_fields[w].new != NULL);
		if (want_fields[w].old)
			assert_string_equal(g->old[i], want_fields[w].old);
		assert_string_equal(g->new[i], want_fields[w].new);
	}
}

static void typed_fields(void **state)
{
	struct source *a, *b;
	struct btfx *bxa, *bxb;
	struct diff_field_stats st;
	struct fgot *g = calloc(1, sizeof(*g));

	mk_typed(&a, &b, &bxa, &bxb);
	assert_int_equal(diff__fields(bxa, a, bxb, b, NULL, on_field, g, &st), 0);
	check_fields(g);
	assert_int_equal(st.roots, 3); /* glob, gptr, cyc */
	assert_int_equal(st.changed, NWANT);
	assert_int_equal(st.reported, NWANT);
	assert_false(st.truncated);
	assert_false(st.incomplete);
	assert_int_equal(st.leaves_b, st.leaves_a + 8);
	/* A's types read B too */
	memset(g, 0, sizeof(*g));
	assert_int_equal(diff__fields(bxa, a, NULL, b, NULL, on_field, g, &st), 0);
	check_fields(g);
	/* the same arena twice: nothing */
	memset(g, 0, sizeof(*g));
	assert_int_equal(diff__fields(bxa, a, bxa, a, NULL, on_field, g, &st), 0);
	assert_int_equal(g->n, 0);
	assert_true(st.leaves_a > 40);
	assert_int_equal(st.leaves_a, st.leaves_b);
	/* the cap: the first 3, all counted */
	memset(g, 0, sizeof(*g));
	assert_int_equal(diff__fields(bxa, a, bxb, b, &(struct diff_field_opts){ .max_fields = 3 },
				      on_field, g, &st),
			 0);
	assert_int_equal(g->n, 3);
	assert_int_equal(st.reported, 3);
	assert_int_equal(st.changed, NWANT);
	assert_true(st.truncated);
	/* arrays cut at 2 elements (grid rows, name): not compared in full, said so */
	memset(g, 0, sizeof(*g));
	assert_int_equal(diff__fields(bxa, a, bxb, b, &(struct diff_field_opts){ .max_array = 2 },
				      on_field, g, &st),
			 0);
	assert_true(st.incomplete);
	memset(g, 0, sizeof(*g));
	assert_int_equal(diff__fields(bxa, a, bxb, b, &(struct diff_field_opts){ .max_array = 8 },
				      on_field, g, &st),
			 0);
	assert_false(st.incomplete);
	check_fields(g);
	/* pointers not followed: only glob.x, and cyc/gptr are equal pointers */
	memset(g, 0, sizeof(*g));
	assert_int_equal(diff__fields(bxa, a, bxb, b,
				      &(struct diff_field_opts){ .follow_ptrs = -1 }, on_field, g,
				      &st),
			 0);
	assert_int_equal(g->n, 1);
	assert_string_equal(g->path[0], "glob.x");
	free(g);
	btfx__free(bxa);
	btfx__free(bxb);
	source__close(a);
	source__close(b);
}

static void typed_fields_json(void **state)
{
	struct source *a, *b;
	struct btfx *bxa, *bxb, *none;
	struct strbuf sbuf = {};
	struct sink *s = sink__new_json(strbuf_write, &sbuf, false);
	struct diff_opts o = { .merge_gap = DIFF_CLI_MERGE_GAP };
	struct diff_stats st;
	const struct json *fields;
	struct json *j;
	char err[128];
	size_t seen = 0;

	mk_typed(&a, &b, &bxa, &bxb);
	o.bx_a = bxa;
	o.bx_b = bxb;
	assert_true(diff__has_types(&o));
	assert_int_equal(diff__emit(a, b, &o, s, &st), 0);
	sink__free(s);
	j = json_parse(sbuf.buf, err, sizeof(err));
	if (!j)
		fail_msg("%s: %s", err, sbuf.buf);
	fields = json_get(j, "fields");
	assert_int_equal(json_len(fields), NWANT);
	for (size_t i = 0; i < json_len(fields); i++) {
		const struct json *f = json_at(fields, i);
		const char *p = json_str(json_get(f, "path"));

		for (size_t w = 0; w < NWANT; w++) {
			if (strcmp(p, want_fields[w].path))
				continue;
			seen++;
			if (want_fields[w].old)
				assert_string_equal(json_str(json_get(f, "old")),
						    want_fields[w].old);
			else
				assert_true(json_is_null(json_get(f, "old")));
			assert_string_equal(json_str(json_get(f, "new")), want_fields[w].new);
		}
	}
	assert_int_equal(seen, NWANT);
	assert_int_equal(json_bool(json_path(j, "summary.fields_compared")), 1);
	assert_int_equal(json_int(json_path(j, "summary.fields_changed"), -1), NWANT);
	assert_int_equal(json_bool(json_path(j, "summary.fields_truncated")), 0);
	assert_true(st.fields_compared);
	assert_int_equal(st.fields.changed, NWANT);
	json_free(j);
	strbuf_free(&sbuf);

	/* text comes from the same walk */
	s = sink__new_text(strbuf_write, &sbuf);
	assert_int_equal(diff__emit(a, b, &o, s, NULL), 0);
	sink__free(s);
	assert_non_null(strstr(sbuf.buf, "glob.head->next->val"));
	assert_non_null(strstr(sbuf.buf, "cyc->next->id"));
	strbuf_free(&sbuf);

	/* a side without BTF: no fields */
	assert_int_equal(btfx__open(b, NULL, &none), 0);
	assert_int_equal(btfx__nr_btfs(none), 0);
	o.bx_b = none;
	assert_false(diff__has_types(&o));
	assert_true(diff__fields(bxa, a, none, b, NULL, on_field, NULL, NULL) < 0);
	s = sink__new_json(strbuf_write, &sbuf, false);
	assert_int_equal(diff__emit(a, b, &o, s, &st), 0);
	sink__free(s);
	j = json_parse(sbuf.buf, err, sizeof(err));
	assert_non_null(j);
	assert_null(json_get(j, "fields"));
	assert_int_equal(json_bool(json_path(j, "summary.fields_compared")), 0);
	assert_false(st.fields_compared);
	json_free(j);
	strbuf_free(&sbuf);
	btfx__free(none);
	btfx__free(bxa);
	btfx__free(bxb);
	source__close(a);
	source__close(b);
}

/* An object expanded under different paths on the two sides: A reaches
 * the second list node first as arr[0]->next (arr[1] is then a "seen"
 * pointer), B, with arr[0] NULL, as arr[1]. arr[1]->m in B is compared with
 * arr[0]->next->m in A, so only what really changed is reported. */
static void typed_fields_seen(void **cm_state)
{
	static const struct {
		const char *path, *old, *new;
	} want[] = {
		{ "glob.head->next->val", "200", "201" },
		{ "arr[0]", "0x100000001000", "NULL" },
		{ "arr[0]->id", "1", NULL },
		{ "arr[0]->next", "0x100000001040", NULL },
		{ "arr[0]->next->id", "2", NULL },
		{ "arr[0]->next->next", "NULL", NULL },
		{ "arr[0]->next->name", "\"two\"", NULL },
		{ "arr[0]->next->val", "200", NULL },
		{ "arr[0]->name", "\"one\"", NULL },
		{ "arr[0]->val", "100", NULL },
		{ "arr[1]->val", "200", "201" },
	};
	struct arena_info ai = { .map_id = 0,
				 .max_pages = NPAGES,
				 .user_vm_start = S,
				 .user_vm_end = S + NPAGES * 4096ULL,
				 .is_snapshot = true };
	struct root r = { .kind = ROOT_ARENA_GLOBAL, .btf_idx = 0, .addr = S + 0x3100 };
	struct source *a, *b;
	struct btfx *bxa, *bxb;
	struct btf *btf;
	struct diff_field_stats st;
	struct fgot *g = calloc(1, sizeof(*g));

	build_mem();
	put64(0x3100, S + 0x1000);
	put64(0x3108, S + 0x1040);
	memcpy(ma, mem, sizeof(ma));
	memcpy(sta, state, sizeof(sta));
	put64(0x3100, 0);
	put64(0x1058, 201);
	memcpy(mb, mem, sizeof(mb));
	memcpy(stb, state, sizeof(stb));
	assert_int_equal(memsource__new(&ai, ma, sta, &a), 0);
	assert_int_equal(memsource__new(&ai, mb, stb, &b), 0);
	btf = build_btf();
	r.type_id = btf__add_array(btf, T.i32, T.nodep, 2); /* struct node *[2] */
	assert_int_equal(btfx__new_from_btf(a, btf, &bxa), 0);
	btf = build_btf();
	assert_int_equal(btf__add_array(btf, T.i32, T.nodep, 2), (int)r.type_id);
	assert_int_equal(btfx__new_from_btf(b, btf, &bxb), 0);
	snprintf(r.name, sizeof(r.name), "arr");
	snprintf(r.section, sizeof(r.section), ".addr_space.1");
	assert_int_equal(btfx__add_root(bxa, &r), 0);
	assert_int_equal(btfx__add_root(bxb, &r), 0);

	assert_int_equal(diff__fields(bxa, a, bxb, b, NULL, on_field, g, &st), 0);
	for (size_t i = 0; i < g->n; i++)
		print_message("field %s: %s -> %s\n", g->path[i], g->old[i], g->new[i]);
	assert_int_equal(g->n, sizeof(want) / sizeof(want[0]));
	for (size_t w = 0; w < g->n; w++) {
		size_t i;

		for (i = 0; i < g->n && strcmp(g->path[i], want[w].path); i++)
			;
		if (i == g->n)
			fail_msg("field %s not reported", want[w].path);
		assert_string_equal(g->old[i], want[w].old);
		assert_int_equal(g->has_new[i], want[w].new != NULL);
		if (want[w].new)
			assert_string_equal(g->new[i], want[w].new);
	}
	/* and the other way round */
	memset(g, 0, sizeof(*g));
	assert_int_equal(diff__fields(bxb, b, bxa, a, NULL, on_field, g, &st), 0);
	assert_int_equal(g->n, sizeof(want) / sizeof(want[0]));
	free(g);
	btfx__free(bxa);
	btfx__free(bxb);
	source__close(a);
	source__close(b);
}

/* (d) one value: its changed leaves, by the same matching as the roots */
static void object_value(void **cm_state)
{
	struct source *a, *b;
	struct btfx *bxa, *bxb;
	struct diff_field_stats st;
	struct fgot *g = calloc(1, sizeof(*g));
	struct diff *d;
	size_t n = 0;

	mk_typed(&a, &b, &bxa, &bxb);
	/* the snapshot side without types of its own reads with B's */
	assert_int_equal(diff__new(a, b, &(struct diff_opts){ .bx_b = bxb }, &d), 0);
	assert_ptr_equal(diff__btfx(d, DIFF_A), bxb);
	assert_int_equal(diff__value(d, "gptr", NULL, on_field, g, &st), 0);
	for (size_t w = 0; w < NWANT; w++) {
		if (strncmp(want_fields[w].path, "gptr", 4))
			continue;
		n++;
		for (size_t i = 0; i < g->n; i++) {
			if (strcmp(g->path[i], want_fields[w].path))
				continue;
			assert_string_equal(g->new[i], want_fields[w].new);
			if (want_fields[w].old)
				assert_string_equal(g->old[i], want_fields[w].old);
			else
				assert_false(g->has_old[i]);
		}
	}
	assert_int_equal(g->n, n);
	assert_int_equal(st.roots, 1);
	/* a scalar: one leaf */
	memset(g, 0, sizeof(*g));
	assert_int_equal(diff__value(d, "glob.head->next->val", NULL, on_field, g, &st), 0);
	assert_int_equal(g->n, 1);
	assert_string_equal(g->path[0], "glob.head->next->val");
	assert_string_equal(g->old[0], "200");
	assert_string_equal(g->new[0], "201");
	/* unchanged, and one that does not evaluate on either side */
	memset(g, 0, sizeof(*g));
	assert_int_equal(diff__value(d, "glob.head->id", NULL, on_field, g, &st), 0);
	assert_int_equal(diff__value(d, "glob.nosuch", NULL, on_field, g, &st), 0);
	assert_int_equal(g->n, 0);
	diff__free(d);
	/* no types on either side */
	assert_int_equal(diff__new(a, b, NULL, &d), 0);
	assert_int_equal(diff__value(d, "gptr", NULL, on_field, g, &st), -EINVAL);
	diff__free(d);
	free(g);
	btfx__free(bxa);
	btfx__free(bxb);
	source__close(a);
	source__close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_pages_and_ranges), cmocka_unit_test(progress_and_cancel),
		cmocka_unit_test(merge_gap_and_limits),	  cmocka_unit_test(json_output),
		cmocka_unit_test(snapshot_against_live),  cmocka_unit_test(typed_fields),
		cmocka_unit_test(typed_fields_json),	  cmocka_unit_test(typed_fields_seen),
		cmocka_unit_test(object_counts),	  cmocka_unit_test(object_next),
		cmocka_unit_test(object_window),	  cmocka_unit_test(object_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

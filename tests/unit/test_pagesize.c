// SPDX-License-Identifier: GPL-2.0
/*
 * Arenas whose pages are not 4 KiB (arm64: 16K, 64K): a snapshot of a
 * synthetic arena with 16 KiB pages is read, paged and hex-dumped with the
 * page size it carries, on this (4 KiB) machine; a snapshot whose page
 * size is not a power of two in 4096..65536 is refused with one line.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "diff.h"
#include "error.h"
#include "fixture.h"
#include "json.h"
#include "memsource.h"
#include "snapshot.h"
#include "source.h"

#define P16 16384u
#define NP16 8
#define BASE 0x100000000000ULL

static uint8_t data[NP16 * P16];
/* pages 0, 2, 5 and 7 allocated, 3 reserved, the others free */
static const uint8_t states[NP16] = {
	PAGE_ALLOCATED, PAGE_FREE,	PAGE_ALLOCATED, PAGE_RESERVED,
	PAGE_FREE,	PAGE_ALLOCATED, PAGE_FREE,	PAGE_ALLOCATED
};
static char file[64];

/* Write the 16K arena as a snapshot file and open it. */
static struct source *open_16k(void)
{
	struct arena_info ai = { .map_id = 9,
				 .max_pages = NP16,
				 .user_vm_start = BASE,
				 .user_vm_end = BASE + NP16 * P16,
				 .map_flags = 1 << 10,
				 .page_size = P16 };
	struct source *mem, *s;

	strcpy(ai.name, "arena16k");
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + i / P16 + 1);
	snprintf(file, sizeof(file), "/tmp/test_pagesize.%d.snap", (int)getpid());
	assert_int_equal(memsource__new(&ai, data, states, &mem), 0);
	assert_int_equal(mem->info.page_shift, 14);
	if (snapshot__write(mem, NULL, file))
		fail_msg("snapshot__write: %s", ai_errmsg());
	source__close(mem);
	if (snapshot__open(file, &s))
		fail_msg("snapshot__open: %s", ai_errmsg());
	return s;
}

static void reads_and_pages(void **state)
{
	struct source *s = open_16k();
	static uint8_t buf[NP16 * P16];
	uint8_t present[NP16], b[8];
	struct pagemap pm;

	assert_int_equal(s->info.page_size, P16);
	assert_int_equal(s->info.page_shift, 14);
	assert_int_equal(s->info.max_pages, NP16);
	assert_true(s->info.user_vm_end == BASE + NP16 * P16);
	assert_true(source__size(s) == NP16 * P16);
	assert_true(source__contains(s, BASE + NP16 * P16 - 1, 1));
	assert_false(source__contains(s, BASE + NP16 * P16, 1));

	/* the page map: 8 pages of 16 KiB, as written */
	assert_int_equal(source__pagemap(s, &pm), 0);
	assert_int_equal(pm.nr_pages, NP16);
	assert_memory_equal(pm.state, states, NP16);
	assert_int_equal(pm.counts[PAGE_ALLOCATED], 4);
	assert_int_equal(pm.counts[PAGE_RESERVED], 1);
	pagemap__free(&pm);

	/* the whole arena: one present flag a 16K page */
	assert_int_equal(source__read(s, BASE, buf, sizeof(buf), present), 4);
	for (int i = 0; i < NP16; i++) {
		assert_int_equal(present[i], states[i] == PAGE_ALLOCATED);
		if (present[i]) {
			assert_memory_equal(buf + i * P16, data + i * P16, P16);
		} else {
			for (size_t k = 0; k < P16; k++)
				assert_int_equal(buf[i * P16 + k], 0);
		}
	}
	/* 4K into page 0 is still page 0 (4K pages would call it page 1) */
	assert_int_equal(source__read(s, BASE + 4096, buf, 4096, present), 0);
	assert_int_equal(present[0], 1);
	assert_memory_equal(buf, data + 4096, 4096);
	assert_int_equal(source__read_exact(s, BASE + 2 * P16 + 12288, b, 8), 0);
	assert_memory_equal(b, data + 2 * P16 + 12288, 8);
	/* across the end of page 0 into page 1 (free): two pages, one missing */
	assert_int_equal(source__pages_spanned(s, BASE + P16 - 4, 8), 2);
	assert_int_equal(source__read(s, BASE + P16 - 4, b, 8, present), 1);
	assert_int_equal(present[0], 1);
	assert_int_equal(present[1], 0);
	assert_memory_equal(b, data + P16 - 4, 4);
	/* the reserved page 3, 12K in: not allocated */
	assert_int_equal(source__read_exact(s, BASE + 3 * P16 + 12288, b, 8), -ENODATA);
	source__close(s);
}

static struct json *cli_json(const char *args)
{
	char cmd[512], *out = NULL, *err = NULL, why[128];
	struct json *j;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s", INSPECT_BIN, args);
	assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
	if (st)
		fail_msg("'%s' exited %d: %s", cmd, st, err);
	j = json_parse(out, why, sizeof(why));
	if (!j)
		fail_msg("'%s': not JSON (%s): %.200s", cmd, why, out);
	free(out);
	free(err);
	return j;
}

/* pages and hex on the file through the CLI: addresses and page numbers
 * in 16K pages */
static void cli_pages_and_hex(void **state)
{
	struct source *s = open_16k();
	const struct json *runs, *l;
	char args[256], want[64];
	struct json *j;
	uint64_t next = 0;

	source__close(s);
	snprintf(args, sizeof(args), "pages %s -j", file);
	j = cli_json(args);
	assert_int_equal(json_int(json_get(j, "pages"), -1), NP16);
	assert_int_equal(json_int(json_get(j, "allocated"), -1), 4);
	runs = json_get(j, "runs");
	assert_true(json_len(runs) > 0);
	for (size_t i = 0; i < json_len(runs); i++) {
		const struct json *r = json_at(runs, i);
		uint64_t first = json_u64(json_get(r, "first"), ~0ULL);
		uint64_t count = json_u64(json_get(r, "count"), 0);

		assert_true(first == next);
		assert_true(json_u64(json_get(r, "addr"), 0) == BASE + first * P16);
		for (uint64_t p = first; p < first + count; p++)
			assert_int_equal(states[p] == PAGE_ALLOCATED,
					 !strcmp(json_str(json_get(r, "state")), "allocated"));
		next = first + count;
	}
	assert_true(next == NP16);
	json_free(j);

	/* 16 bytes of free page 1, then page 2 */
	snprintf(args, sizeof(args), "hex %s 0x%llx 32 -j", file,
		 (unsigned long long)(BASE + 2 * P16 - 16));
	j = cli_json(args);
	assert_int_equal(json_len(j), 2);
	l = json_at(j, 0);
	assert_true(json_u64(json_get(l, "addr"), 0) == BASE + 2 * P16 - 16);
	assert_int_equal(json_bool(json_get(l, "unallocated")), 1);
	assert_string_equal(json_str(json_get(l, "hex")), "-- page 1 not allocated --");
	l = json_at(j, 1);
	assert_true(json_u64(json_get(l, "addr"), 0) == BASE + 2 * P16);
	assert_int_equal(json_int(json_get(l, "offset"), -1), 2 * P16);
	snprintf(want, sizeof(want), "%02x %02x", data[2 * P16], data[2 * P16 + 1]);
	assert_int_equal(strncmp(json_str(json_get(l, "hex")), want, 5), 0);
	json_free(j);
	unlink(file);
}

/* The meta note's page size patched to sizes no kernel has */
static void bad_page_sizes(void **state)
{
	static const uint32_t bad[] = { 0, 2048, 12288, 131072, 4097 };
	struct source *s = open_16k();
	uint32_t key[3] = { SNAPSHOT_VERSION, sizeof(struct snapshot_meta), P16 };
	char cmd[256], *out = NULL, *err = NULL;
	size_t len;
	uint8_t *img, *at;
	FILE *f;
	int st;

	source__close(s);
	f = fopen(file, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	img = malloc(len);
	assert_int_equal(fread(img, 1, len, f), len);
	fclose(f);
	at = memmem(img, len, key, sizeof(key));
	assert_non_null(at);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char msg[96];

		memcpy(at + 8, &bad[i], 4);
		f = fopen(file, "wb");
		assert_int_equal(fwrite(img, 1, len, f), len);
		fclose(f);
		assert_int_equal(snapshot__open(file, &s), -EINVAL);
		snprintf(msg, sizeof(msg), "page size %u is not a power of two in 4096..65536",
			 bad[i]);
		if (!strstr(ai_errmsg(), msg))
			fail_msg("page size %u: '%s'", bad[i], ai_errmsg());
		/* and the CLI: that one line, exit 1 */
		snprintf(cmd, sizeof(cmd), "%s pages %s", INSPECT_BIN, file);
		assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
		assert_int_equal(st, 1);
		if (!strstr(err, msg) || strchr(err, '\n')[1])
			fail_msg("'%s': '%s'", cmd, err);
		free(out);
		free(err);
	}
	free(img);
	unlink(file);
}

/* The diff object of two 16K-page sides: changes are found at their place
 * in 16K pages (a byte past the first 4 KiB of a page, a page freed), and
 * a side with other pages is refused with one message. */
static void diff_16k(void **state)
{
	static uint8_t after[NP16 * P16], small[NP16 * 4 * 4096];
	static uint8_t small_st[NP16 * 4];
	uint8_t st2[NP16], mask[32], pages[2];
	struct source *s = open_16k(), *m, *m4;
	struct arena_info ai = s->info;
	struct diff_change ch;
	struct diff *d;
	int n;

	memcpy(after, data, sizeof(after));
	memcpy(st2, states, sizeof(st2));
	after[5 * P16 + 0x3005] ^= 0xff; /* page 5, beyond its first 4 KiB */
	st2[7] = PAGE_FREE;
	ai.is_snapshot = false;
	assert_int_equal(memsource__new(&ai, after, st2, &m), 0);
	assert_int_equal(diff__new(s, m, NULL, &d), 0);

	assert_int_equal(diff__next(d, BASE - 1, 1, 0, &ch), DIFF_FOUND);
	assert_int_equal(ch.kind, DIFF_CHANGE_BYTES);
	assert_int_equal(ch.addr, BASE + 5 * P16 + 0x3005);
	assert_int_equal(ch.len, 1);
	assert_int_equal(diff__next(d, ch.addr, 1, 0, &ch), DIFF_FOUND);
	assert_int_equal(ch.kind, DIFF_CHANGE_FREED);
	assert_int_equal(ch.addr, BASE + 7 * P16);
	assert_int_equal(ch.len, P16);
	/* backwards from the end: the freed page, then the byte */
	assert_int_equal(diff__next(d, BASE + NP16 * P16, -1, 0, &ch), DIFF_FOUND);
	assert_int_equal(ch.addr, BASE + 7 * P16);
	assert_int_equal(diff__next(d, ch.addr, -1, 0, &ch), DIFF_FOUND);
	assert_int_equal(ch.addr, BASE + 5 * P16 + 0x3005);

	/* a window across a 4K edge inside page 5: one page, one byte */
	memset(pages, 0xee, sizeof(pages));
	n = diff__window(d, BASE + 5 * P16 + 0x2ff0, sizeof(mask), NULL, NULL, mask, pages);
	assert_int_equal(n, 1);
	assert_int_equal(mask[0x15], 1);
	assert_int_equal(pages[0], DIFF_IN_A | DIFF_IN_B);
	assert_int_equal(pages[1], 0xee);
	diff__free(d);

	/* the same bytes in 4K pages: refused, not compared page by wrong page */
	ai.page_size = 4096;
	ai.max_pages = NP16 * 4;
	for (size_t i = 0; i < sizeof(small_st); i++)
		small_st[i] = states[i / 4];
	memcpy(small, data, sizeof(small));
	assert_int_equal(memsource__new(&ai, small, small_st, &m4), 0);
	assert_int_equal(diff__new(s, m4, NULL, &d), -EINVAL);
	assert_null(d);
	if (!strstr(ai_errmsg(), "A has 16384-byte pages and B 4096-byte pages"))
		fail_msg("'%s'", ai_errmsg());
	source__close(m4);
	source__close(m);
	source__close(s);
	unlink(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_and_pages),
		cmocka_unit_test(cli_pages_and_hex),
		cmocka_unit_test(bad_page_sizes),
		cmocka_unit_test(diff_16k),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

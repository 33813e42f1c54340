// SPDX-License-Identifier: GPL-2.0
/*
 * mksnap FILE: write the snapshot the non-root screen tests open. It is made
 * without BPF, from the unit tests' synthetic arena (tests/common/synth.c:
 * its BTF, the global on page 0, the two-node list on page 1 and the cycle on
 * page 3) grown to 64 pages with a table of buckets (an array of structs with
 * pointers), pattern pages and reserved runs. Every byte, the snapshot's time
 * and kernel release included, is fixed, so the screens are the same on
 * every run and every machine.
 *
 * Pages (A allocated, R reserved, . free):
 *   0-3  A A . A   synth: glob, list, (free), cycle
 *   4-7  R R R R
 *   8    A         struct table at S + 0x8000 (root tbl)
 *   9-11 A A A     u64 pattern: page * 0x1000 + offset
 *   12-23 free, 24-27 reserved, 28-39 allocated (pattern), 40-63 free
 *
 * mksnap FILE --after: the same arena later, for :diff (nr_diff.sh): the
 * table's nr 4 -> 5 and buckets[1].hits 0 -> 9 (page 8), one qword of the
 * pattern at +0x9100, page 10 freed, pages 12-13 allocated (pattern), page
 * 24 free instead of reserved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "error.h"
#include "memsource.h"
#include "snapshot.h"
#include "synth.h"

#define MK_PAGES 64
#define MK_PAGE 4096ULL
#define MK_TIME_NS 1700000000000000000ULL /* 2023-11-14 22:13:20 UTC */

static uint8_t data[MK_PAGES * MK_PAGE];
static uint8_t pstate[MK_PAGES];

static void mark(unsigned first, unsigned n, uint8_t st)
{
	memset(pstate + first, st, n);
}

static void set64(uint64_t off, uint64_t v)
{
	memcpy(data + off, &v, 8);
}

/* struct bucket { u64 hits; struct node *head; };
 * struct table { int nr; struct bucket buckets[4]; }; returns struct table * */
static int add_table_types(struct btf *b)
{
	int bucket, arr, table;

	bucket = btf__add_struct(b, "bucket", 16);
	btf__add_field(b, "hits", T.u64t, 0, 0);
	btf__add_field(b, "head", T.nodep, 64, 0);
	arr = btf__add_array(b, T.i32, bucket, 4);
	table = btf__add_struct(b, "table", 72);
	btf__add_field(b, "nr", T.i32, 0, 0);
	btf__add_field(b, "buckets", arr, 64, 0);
	return btf__add_ptr(b, table);
}

static void fill_pattern(unsigned first, unsigned n)
{
	for (uint64_t off = first * MK_PAGE; off < (first + n) * MK_PAGE; off += 8)
		set64(off, off);
}

static int add_root(struct btfx *bx, const char *name, uint32_t type_id, uint64_t value)
{
	struct root r = { .kind = ROOT_MAP_PTR, .btf_idx = 0, .type_id = type_id, .value = value };

	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.section, sizeof(r.section), ".bss");
	return btfx__add_root(bx, &r);
}

int main(int argc, char **argv)
{
	struct arena_info ai = {
		.map_id = 7,
		.name = "synth_arena",
		.map_flags = 1u << 10, /* BPF_F_MMAPABLE */
		.max_pages = MK_PAGES,
		.map_extra = S,
		.user_vm_start = S,
		.user_vm_end = S + MK_PAGES * MK_PAGE,
		.is_snapshot = true, /* so the writer keeps the time and release below */
		.snapshot_time_ns = MK_TIME_NS,
		.kernel_release = "6.18.0-synth",
	};
	struct source *src = NULL;
	struct btfx *bx = NULL;
	struct btf *b;
	int tbl_t, err;
	bool after = argc == 3 && !strcmp(argv[2], "--after");

	if (argc != 2 && !after) {
		fprintf(stderr, "usage: mksnap FILE [--after]\n");
		return 2;
	}
	build_mem();
	memcpy(data, mem, sizeof(mem));
	memcpy(pstate, state, sizeof(state));
	mark(NPAGES, MK_PAGES - NPAGES, PAGE_FREE);
	mark(4, 4, PAGE_RESERVED);
	mark(8, 4, PAGE_ALLOCATED);
	mark(24, 4, PAGE_RESERVED);
	mark(28, 12, PAGE_ALLOCATED);
	fill_pattern(9, 3);
	fill_pattern(28, 12);
	/* the table: nr = 4, buckets pointing at both lists and one NULL */
	memcpy(data + 0x8000, &(int){ 4 }, 4);
	set64(0x8008, 3);
	set64(0x8010, S + 0x1000);
	set64(0x8018, 0);
	set64(0x8020, 0);
	set64(0x8028, 7);
	set64(0x8030, S + 0x3000);
	set64(0x8038, 1);
	set64(0x8040, S + 0x1040);
	if (after) {
		memcpy(data + 0x8000, &(int){ 5 }, 4);
		set64(0x8018, 9);
		set64(0x9100, 0x1234);
		mark(10, 1, PAGE_FREE);
		memset(data + 10 * MK_PAGE, 0, MK_PAGE);
		mark(12, 2, PAGE_ALLOCATED);
		fill_pattern(12, 2);
		mark(24, 1, PAGE_FREE);
	}

	b = build_btf();
	tbl_t = add_table_types(b);
	err = memsource__new(&ai, data, pstate, &src);
	if (err)
		btf__free(b);
	else
		err = btfx__new_from_btf(src, b, &bx); /* owns b from here, also on error */
	if (!err)
		err = add_root(bx, "gptr", T.nodep, S + 0x1000);
	if (!err)
		err = add_root(bx, "cyc", T.nodep, S + 0x3000);
	if (!err)
		err = add_root(bx, "tbl", tbl_t, S + 0x8000);
	if (!err)
		err = snapshot__write(src, bx, argv[1]);
	if (err)
		fprintf(stderr, "mksnap: %s\n", ai_errmsg());
	btfx__free(bx);
	source__close(src);
	return err ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/* find: the TUI's byte search on a memory arena: pattern widths and byte
 * order, alignment, wrapping, the page cap, matches across a page edge,
 * and that bytes of free pages never match. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "find.h"
#include "memsource.h"
#include "source.h"

#define NP 8
#define PS 4096
#define BASE 0x100000000000ULL

static uint8_t data[NP * PS];
static uint8_t states[NP];
static struct pagemap pm = { .nr_pages = NP, .state = states };

static struct source *mk(void)
{
	struct arena_info ai = { .map_id = 1,
				 .max_pages = NP,
				 .user_vm_start = BASE,
				 .user_vm_end = BASE + NP * (uint64_t)PS };
	struct source *s;

	memset(data, 0, sizeof(data));
	memset(states, PAGE_FREE, sizeof(states));
	states[1] = states[2] = states[5] = PAGE_ALLOCATED;
	assert_int_equal(memsource__new(&ai, data, states, &s), 0);
	return s;
}

static void patterns_parse_by_kind_and_width(void **state)
{
	struct find_pat fp;
	uint16_t v16 = 0x1234;
	uint32_t v32 = 0x1234;
	uint64_t v64 = 0x1122334455667788ULL;

	assert_int_equal(find__parse("0x12", &fp), 0);
	assert_int_equal(fp.len, 1);
	assert_int_equal(fp.bytes[0], 0x12);
	/* in the arena's (host) byte order, as wide as the digits */
	assert_int_equal(find__parse("0x1234", &fp), 0);
	assert_int_equal(fp.len, 2);
	assert_int_equal(fp.align, 2);
	assert_memory_equal(fp.bytes, &v16, 2);
	assert_int_equal(find__parse("0x00001234", &fp), 0);
	assert_int_equal(fp.len, 4);
	assert_memory_equal(fp.bytes, &v32, 4);
	assert_int_equal(find__parse("0x1122334455667788", &fp), 0);
	assert_int_equal(fp.len, 8);
	assert_int_equal(fp.align, 8);
	assert_memory_equal(fp.bytes, &v64, 8);
	/* bytes and text */
	assert_int_equal(find__parse("\\xde\\xad", &fp), 0);
	assert_int_equal(fp.len, 2);
	assert_memory_equal(fp.bytes, "\xde\xad", 2);
	assert_int_equal(fp.align, 1);
	assert_int_equal(find__parse("a\\\\b\\x00", &fp), 0);
	assert_int_equal(fp.len, 4);
	assert_memory_equal(fp.bytes, "a\\b\0", 4);
	assert_int_equal(find__parse("0xzz", &fp), 0); /* not a value: text */
	assert_int_equal(fp.len, 4);
	/* refused */
	assert_int_equal(find__parse("", &fp), -EINVAL);
	assert_int_equal(find__parse("\\xd", &fp), -EINVAL);
	assert_int_equal(find__parse("ab\\xg0", &fp), -EINVAL);
	assert_int_equal(find__parse("0x11223344556677889", &fp), -EINVAL);
}

static void finds_forward_backward_and_wraps(void **state)
{
	struct source *s = mk();
	struct find_pat fp;
	uint64_t at;

	memcpy(data + 1 * PS + 100, "needle", 6);
	memcpy(data + 5 * PS + 7, "needle", 6);
	/* in a free page: never seen (memsource has the bytes, but they are
	 * not allocated) */
	memcpy(data + 3 * PS, "needle", 6);
	assert_int_equal(find__parse("needle", &fp), 0);
	assert_int_equal(find__next(s, &pm, BASE, 1, &fp, 100, &at), FIND_FOUND);
	assert_int_equal(at, BASE + PS + 100);
	assert_int_equal(find__next(s, &pm, at, 1, &fp, 100, &at), FIND_FOUND);
	assert_int_equal(at, BASE + 5 * PS + 7);
	/* past the last one: around to the first */
	assert_int_equal(find__next(s, &pm, at, 1, &fp, 100, &at), FIND_WRAPPED);
	assert_int_equal(at, BASE + PS + 100);
	/* backward from the first: around to the last */
	assert_int_equal(find__next(s, &pm, at, -1, &fp, 100, &at), FIND_WRAPPED);
	assert_int_equal(at, BASE + 5 * PS + 7);
	assert_int_equal(find__next(s, &pm, at, -1, &fp, 100, &at), FIND_FOUND);
	assert_int_equal(at, BASE + PS + 100);
	/* a single match: found again after a whole turn */
	memset(data + 5 * PS + 7, 0, 6);
	assert_int_equal(find__next(s, &pm, at, 1, &fp, 100, &at), FIND_WRAPPED);
	assert_int_equal(at, BASE + PS + 100);
	assert_int_equal(find__parse("nothere", &fp), 0);
	assert_int_equal(find__next(s, &pm, BASE, 1, &fp, 100, &at), FIND_NONE);
	source__close(s);
}

static void values_are_aligned_and_edges_are_crossed(void **state)
{
	struct source *s = mk();
	struct find_pat fp;
	uint32_t v = 0xcafef00d;
	uint64_t at;

	/* unaligned first, then aligned: only the aligned one is a u32 */
	memcpy(data + 1 * PS + 9, &v, 4);
	memcpy(data + 1 * PS + 16, &v, 4);
	assert_int_equal(find__parse("0xcafef00d", &fp), 0);
	assert_int_equal(find__next(s, &pm, BASE, 1, &fp, 100, &at), FIND_FOUND);
	assert_int_equal(at, BASE + PS + 16);
	/* bytes across the edge of two allocated pages (1 and 2) */
	memcpy(data + 2 * PS - 2, "edge", 4);
	assert_int_equal(find__parse("edge", &fp), 0);
	assert_int_equal(find__next(s, &pm, BASE, 1, &fp, 100, &at), FIND_FOUND);
	assert_int_equal(at, BASE + 2 * PS - 2);
	/* but not across into a free page (5 -> 6) */
	memcpy(data + 6 * PS - 2, "sill", 4);
	assert_int_equal(find__parse("sill", &fp), 0);
	assert_int_equal(find__next(s, &pm, BASE, 1, &fp, 100, &at), FIND_NONE);
	source__close(s);
}

static void the_cap_stops_and_says_where_to_go_on(void **state)
{
	struct source *s = mk();
	struct find_pat fp;
	uint64_t at;

	memcpy(data + 5 * PS + 40, "late", 4);
	assert_int_equal(find__parse("late", &fp), 0);
	/* one page read (1), the next allocated one (2) is where to go on */
	assert_int_equal(find__next(s, &pm, BASE, 1, &fp, 1, &at), FIND_MORE);
	assert_int_equal(at, BASE + 2 * PS - 1);
	assert_int_equal(find__next(s, &pm, at, 1, &fp, 1, &at), FIND_MORE);
	assert_int_equal(at, BASE + 5 * PS - 1);
	assert_int_equal(find__next(s, &pm, at, 1, &fp, 1, &at), FIND_FOUND);
	assert_int_equal(at, BASE + 5 * PS + 40);
	/* backward: from past the end, as a cap at the last page says */
	assert_int_equal(find__next(s, &pm, BASE + NP * PS, -1, &fp, 1, &at), FIND_FOUND);
	assert_int_equal(at, BASE + 5 * PS + 40);
	/* outside the arena otherwise */
	assert_int_equal(find__next(s, &pm, BASE + NP * PS + 1, 1, &fp, 1, &at), -EINVAL);
	source__close(s);
}

static void marks_every_match_in_a_buffer(void **state)
{
	uint8_t buf[32] = "xxabxxabxxxxxxxxxxxxxxxxxxxxxxab", mask[32] = {};
	struct find_pat fp;

	assert_int_equal(find__parse("ab", &fp), 0);
	find__mark(&fp, BASE, buf, sizeof(buf), mask);
	for (int i = 0; i < 32; i++)
		assert_int_equal(mask[i], i == 2 || i == 3 || i == 6 || i == 7 || i >= 30);
	/* a u16 value (the bytes "ab" in the host's order) only where it is
	 * aligned: at even addresses, not with the buffer one byte off */
	{
		uint16_t ab;
		char pat[16];

		memcpy(&ab, "ab", 2);
		snprintf(pat, sizeof(pat), "0x%04x", ab);
		assert_int_equal(find__parse(pat, &fp), 0);
		memset(mask, 0, sizeof(mask));
		find__mark(&fp, BASE, buf, sizeof(buf), mask);
		assert_int_equal(mask[2] + mask[3] + mask[6] + mask[30] + mask[31], 5);
		memset(mask, 0, sizeof(mask));
		find__mark(&fp, BASE + 1, buf, sizeof(buf), mask);
		for (int i = 0; i < 32; i++)
			assert_int_equal(mask[i], 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(patterns_parse_by_kind_and_width),
		cmocka_unit_test(finds_forward_backward_and_wraps),
		cmocka_unit_test(values_are_aligned_and_edges_are_crossed),
		cmocka_unit_test(the_cap_stops_and_says_where_to_go_on),
		cmocka_unit_test(marks_every_match_in_a_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

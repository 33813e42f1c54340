/* SPDX-License-Identifier: GPL-2.0 */
/*
 * find: search an arena's bytes for a pattern, as the TUI's / and ? do.
 *
 * A pattern is one of:
 *  - 0xHEX: an unsigned value in the arena's byte order (the host's: a
 *    snapshot in another byte order is refused when it is opened), as wide
 *    as its digits say: 1-2 digits one byte, 3-4 two, 5-8 four, 9-16 eight
 *    (0x1234 is a u16, 0x00001234 a u32); found only at an address aligned
 *    to that width, as C lays such a field out;
 *  - bytes with \xNN escapes (\xde\xad, ab\x00c; \\ is a backslash);
 *  - else the text itself, byte for byte (case matters).
 *
 * find__next reads only pages the page map says are allocated, through
 * source__read (which never faults a page in), and at most max_pages of
 * them per call: a caller that gets FIND_MORE says so and can go on.
 */
#ifndef ARENA_INSPECT_FIND_H
#define ARENA_INSPECT_FIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "source.h"

#define FIND_MAX_LEN 256

struct find_pat {
	uint8_t bytes[FIND_MAX_LEN];
	size_t len;
	unsigned align; /* a match starts at a multiple of it */
	bool value;	/* 0x...: a number */
};

/* Parse text into fp; -EINVAL with a message for an empty pattern, a
 * value wider than 64 bits, a \x without two hex digits or a pattern longer
 * than FIND_MAX_LEN bytes. */
int find__parse(const char *text, struct find_pat *fp);

enum find_result {
	FIND_NONE,    /* no match in the whole arena */
	FIND_FOUND,   /* *at: the next match */
	FIND_WRAPPED, /* *at: the next match, past the end (start) and around */
	FIND_MORE,    /* max_pages read, none found: go on from *at */
};

/*
 * The next match strictly after from (dir 1), or the previous one strictly
 * before it (dir -1), wrapping around the arena once (the last place looked
 * at is from itself). from may be just before the arena's first byte
 * (dir 1) or just past its last (dir -1), as FIND_MORE's *at. pm gives the page states (its pages
 * past nr_pages are taken as not allocated). Returns enum find_result, or a negative errno with a
 * message.
 */
int find__next(struct source *src, const struct pagemap *pm, uint64_t from, int dir,
	       const struct find_pat *fp, uint32_t max_pages, uint64_t *at);

/* Marks (mask[i] = 1) the bytes of buf[0, len), which sits at addr, that
 * are part of a match that lies wholly inside buf. */
void find__mark(const struct find_pat *fp, uint64_t addr, const uint8_t *buf, size_t len,
		uint8_t *mask);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one symbol set for page states: the CLI's picture (cmd_pages.c) and
 * the TUI's page map (view_pages.c) draw a cell (one page, or a bin of
 * pages) with the same characters and say so in the same legend words.
 *   .  free            r  reserved (no page, not free)
 *   :  o  O  #         allocated: up to a third, two thirds, less than all, all
 * The TUI draws the four allocated levels as shades (░ ▒ ▓ █) where the
 * locale is UTF-8; its cursor cell shows the character above, reversed, so
 * a full cell under the cursor never looks like a hole.
 */
#ifndef ARENA_INSPECT_PAGESYM_H
#define ARENA_INSPECT_PAGESYM_H

#include <stdint.h>

#define PAGESYM_FREE '.'
#define PAGESYM_RESERVED 'r'
#define PAGESYM_LEVELS 4
#define PAGESYM_LEGEND "'.' free, 'r' reserved, ':' 'o' 'O' '#' allocated (1/3, 2/3, most, all)"

static const char pagesym_alloc[PAGESYM_LEVELS] = { ':', 'o', 'O', '#' };

/* alloc of n pages allocated (alloc > 0): the level, 0..PAGESYM_LEVELS-1 */
static inline int pagesym__level(uint32_t alloc, uint32_t n)
{
	if (alloc >= n)
		return 3;
	if ((uint64_t)alloc * 3 <= n)
		return 0;
	return (uint64_t)alloc * 3 <= 2 * (uint64_t)n ? 1 : 2;
}

/* the character of a bin: alloc, resv of its n pages */
static inline char pagesym__char(uint32_t alloc, uint32_t resv, uint32_t n)
{
	if (!alloc)
		return resv ? PAGESYM_RESERVED : PAGESYM_FREE;
	return pagesym_alloc[pagesym__level(alloc, n)];
}

#endif

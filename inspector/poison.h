/* SPDX-License-Identifier: GPL-2.0 */
/*
 * poison: the pointer values that code writes into a link to say "this
 * node is unlinked", so they are ends of a chain rather than bad pointers.
 * One table (poison.c) serves the formatter's "poison" note (and so the
 * leaves' FMT_LEAF_POISON), the walker's "poison" end and the health check.
 */
#ifndef ARENA_INSPECT_POISON_H
#define ARENA_INSPECT_POISON_H

#include <stdint.h>

struct poison {
	uint64_t value;	  /* the value, or the start of a range */
	uint64_t mask;	  /* the bits that must equal value's: ~0 is one value */
	const char *name; /* "LIST_POISON1": what wrote it */
};

/* The table entry v matches, first match wins; NULL when v is no poison
 * value. */
const struct poison *poison__find(uint64_t v);

#endif

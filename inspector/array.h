/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Growing arrays: one helper for every "append to a realloc'd array" in the
 * library, so each caller keeps only its count and capacity.
 */
#ifndef ARENA_INSPECT_ARRAY_H
#define ARENA_INSPECT_ARRAY_H

#include <errno.h>
#include <stdlib.h>
#include "error.h"

/* Make *arr (elements of elem bytes, *cap of them) hold at least need,
 * doubling from 8. Returns 0, or -ENOMEM with the message set; *arr and
 * *cap are unchanged on failure. */
static inline int ai_reserve(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t c;
	void *n;

	if (need <= *cap)
		return 0;
	c = *cap ? *cap * 2 : 8;
	while (c < need)
		c *= 2;
	n = realloc(*arr, c * elem);
	if (!n)
		return ai_err(ENOMEM, "out of memory");
	*arr = n;
	*cap = c;
	return 0;
}

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * manyroots: a snapshot of a small memory arena that holds many roots, for
 * the test and the benchmark of loading them (issue 11 item 11). Plain C,
 * no cmocka: the benchmark uses it too.
 */
#ifndef TESTS_MANYROOTS_H
#define TESTS_MANYROOTS_H

#include <stdint.h>

#define MANYROOTS_BASE 0x100000000000ULL
#define MANYROOTS_PAGES 16

/* Root i is "root%05d", a MAP_PTR of type int whose value is
 * manyroots_value(i), an address in the arena. */
static inline uint64_t manyroots_value(int i)
{
	return MANYROOTS_BASE + (uint64_t)(i % MANYROOTS_PAGES) * 4096 +
	       (i / MANYROOTS_PAGES) % 4096;
}

/* Write it to path. Returns 0 or a negative errno (ai_errmsg() says why). */
int manyroots_write(const char *path, int nr);

#endif

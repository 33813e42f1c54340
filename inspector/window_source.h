/* SPDX-License-Identifier: GPL-2.0 */
/* window_source: a source that serves bytes already read. A reader reads a
 * range of an arena once into a window, then hands &window->s to the
 * formatter and the expression evaluator, so both see the same bytes (the
 * arena changes all the time) and the second costs no reads. Everything
 * outside the window is read from the source under it. */
#ifndef ARENA_INSPECT_WINDOW_SOURCE_H
#define ARENA_INSPECT_WINDOW_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include "source.h"

/* zero-initialised: empty (buf NULL) */
struct window_source {
	struct source s; /* first: the ops get &window_source->s */
	struct source *under;
	uint64_t off; /* arena offset of buf[0] */
	size_t len;
	uint8_t *buf;
	uint8_t *present; /* one per page spanned, from off's page */
};

/* Read [addr, addr + len) of under into w (freeing what w held).
 * Negative errno (arena gone...). */
int window_source__read(struct window_source *w, struct source *under, uint64_t addr, size_t len);
/* w empty again (buf NULL); it is never closed through source__close */
void window_source__free(struct window_source *w);

#endif

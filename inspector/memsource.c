// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "memsource.h"

struct memsource {
	struct source src;
	const uint8_t *data;
	const uint8_t *state;
};

static int mem_pagemap(struct source *s, struct pagemap *pm)
{
	struct memsource *m = (void *)s;

	pm->nr_pages = s->info.max_pages;
	pm->state = malloc(pm->nr_pages ? pm->nr_pages : 1);
	if (!pm->state)
		return ai_err(ENOMEM, "out of memory");
	memcpy(pm->state, m->state, pm->nr_pages);
	return 0;
}

static int mem_read(struct source *s, uint64_t off, void *buf, size_t len, uint8_t *present)
{
	struct memsource *m = (void *)s;
	uint64_t first = off >> 12;
	size_t np = pages_spanned(off, len);

	for (size_t i = 0; i < np; i++) {
		uint64_t pg = first + i;
		uint64_t lo = pg << 12 > off ? pg << 12 : off;
		uint64_t hi = (pg + 1) << 12 < off + len ? (pg + 1) << 12 : off + len;

		present[i] = m->state[pg] == PAGE_ALLOCATED;
		if (present[i])
			memcpy((uint8_t *)buf + (lo - off), m->data + lo, hi - lo);
		else
			memset((uint8_t *)buf + (lo - off), 0, hi - lo);
	}
	return 0;
}

static void mem_close(struct source *s)
{
	free(s);
}

static const struct source_ops mem_ops = {
	.pagemap = mem_pagemap,
	.read = mem_read,
	.close = mem_close,
};

int memsource__new(const struct arena_info *info, const void *data, const uint8_t *state,
		   struct source **out)
{
	struct memsource *m = calloc(1, sizeof(*m));

	if (!m)
		return ai_err(ENOMEM, "out of memory");
	m->src.ops = &mem_ops;
	m->src.info = *info;
	m->data = data;
	m->state = state;
	*out = &m->src;
	return 0;
}

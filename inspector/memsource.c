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
	uint32_t sh = s->info.page_shift;
	uint64_t first = off >> sh;
	size_t np = source__pages_spanned(s, off, len);

	for (size_t i = 0; i < np; i++) {
		uint64_t pg = first + i;
		uint64_t lo = pg << sh > off ? pg << sh : off;
		uint64_t hi = (pg + 1) << sh < off + len ? (pg + 1) << sh : off + len;

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
	struct memsource *m;
	struct arena_info ai = *info;

	/* no page size given: a 4 KiB arena, whatever this machine's is */
	if (arena_info__set_page_size(&ai, ai.page_size ? ai.page_size : AI_PAGE_SIZE_MIN,
				      "memsource"))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return ai_err(ENOMEM, "out of memory");
	m->src.ops = &mem_ops;
	m->src.info = ai;
	m->data = data;
	m->state = state;
	*out = &m->src;
	return 0;
}

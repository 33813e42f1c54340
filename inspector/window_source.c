// SPDX-License-Identifier: GPL-2.0
/*
 * window_source: the bytes of a range of an arena (a chunk of a table's
 * elements, a walk's node), read once and served to every reader of the
 * range; reads outside it go to the source under it. See window_source.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "window_source.h"

static int w_info(struct source *s, struct arena_info *out)
{
	struct window_source *w = (struct window_source *)s;

	return w->under->ops->info(w->under, out);
}

static int w_pagemap(struct source *s, struct pagemap *pm)
{
	struct window_source *w = (struct window_source *)s;

	return w->under->ops->pagemap(w->under, pm);
}

static int w_read(struct source *s, uint64_t off, void *buf, size_t len, uint8_t *present)
{
	struct window_source *w = (struct window_source *)s;
	size_t np = source__pages_spanned(w->under, off, len), first;
	uint64_t page = source__page_size(w->under);

	if (off < w->off || len > w->len || off - w->off > w->len - len)
		return w->under->ops->read(w->under, off, buf, len, present);
	memcpy(buf, w->buf + (off - w->off), len);
	first = off / page - w->off / page;
	memcpy(present, w->present + first, np);
	return 0;
}

static void w_close(struct source *s)
{
	(void)s; /* never closed through source__close */
}

static const struct source_ops window_ops = {
	.info = w_info,
	.pagemap = w_pagemap,
	.read = w_read,
	.close = w_close,
};

int window_source__read(struct window_source *w, struct source *under, uint64_t addr, size_t len)
{
	int r;

	free(w->buf);
	free(w->present);
	*w = (struct window_source){ .s = { .ops = &window_ops, .info = under->info },
				     .under = under,
				     .off = addr - under->info.user_vm_start,
				     .len = len };
	w->buf = malloc(len ? len : 1);
	w->present = calloc(source__pages_spanned(under, addr, len ? len : 1), 1);
	if (!w->buf || !w->present)
		return ai_err(ENOMEM, "out of memory");
	r = source__read(under, addr, w->buf, len, w->present);
	return r < 0 ? r : 0;
}

void window_source__free(struct window_source *w)
{
	free(w->buf);
	free(w->present);
	w->buf = w->present = NULL;
}

/* SPDX-License-Identifier: GPL-2.0 */
/* memsource: a source over memory the caller owns. Unit tests build
 * arenas with it, and nothing here needs BPF. */
#ifndef ARENA_INSPECT_MEMSOURCE_H
#define ARENA_INSPECT_MEMSOURCE_H

#include "source.h"

/* info->max_pages pages of data (max_pages * page_size bytes; a page_size
 * of 0 means AI_PAGE_SIZE_MIN) and one enum page_state per page. Both
 * are borrowed and must outlive the source.
 * Reads of pages whose state is not PAGE_ALLOCATED report them missing. */
int memsource__new(const struct arena_info *info, const void *data, const uint8_t *state,
		   struct source **out);

#endif

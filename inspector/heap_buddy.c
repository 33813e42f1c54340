// SPDX-License-Identifier: GPL-2.0
/* WIP placeholder while the sdt_alloc backend is tested */
#include "heap_backends_ext.h"

static int buddy_detect(const struct heap_ctx *c, void **priv)
{
	(void)c;
	*priv = NULL;
	return 0;
}

const struct heap_backend heap_buddy = { .name = "buddy", .detect = buddy_detect };

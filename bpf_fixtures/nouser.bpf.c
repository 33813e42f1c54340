// SPDX-License-Identifier: GPL-2.0
/*
 * nouser: an arena created without map_extra. The loader maps it wherever
 * the kernel likes and exits, so afterwards only the kernel knows the user
 * address. A short chain of self-describing objects, rooted in .bss `objs`.
 */
#define FX_ARENA_PAGES 16
#include "fx_bpf.h"

struct nu_obj __arena *objs;

static const char msgs[NOUSER_OBJS][32] = {
	"only the kernel knows",
	"where this arena lives",
	"after the loader",
	"has gone away",
};

SEC("syscall")
int nouser_fill(void *ctx)
{
	struct nu_obj __arena *prev = NULL, *first = NULL;
	int i;

#pragma clang loop unroll(disable)
	for (i = 0; i < NOUSER_OBJS; i++) {
		struct nu_obj __arena *o = bump_alloc(sizeof(*o));

		if (!o)
			return -1;
		o->magic = NOUSER_MAGIC | i;
		o->seq = i;
		o->crc = 0xc0ffee00 + i;
		fx_strcpy(o->msg, msgs[i], sizeof(o->msg));
		o->self = o;
		o->next = NULL;
		if (prev)
			prev->next = o;
		if (i == 0)
			first = o;
		prev = o;
	}
	objs = first;
	return 0;
}

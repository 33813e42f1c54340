// SPDX-License-Identifier: GPL-2.0
/*
 * poison: the one table of list poison values (poison.h). Each entry says
 * who writes it; a value here ends a walk as "poison" and is flagged as
 * such by the formatter, instead of being called a bad pointer.
 */
#include <stddef.h>
#include "poison.h"

/* the kernel's POISON_POINTER_DELTA on 64-bit x86 (CONFIG_ILLEGAL_POINTER_VALUE):
 * poison pointers are offset into this non-canonical range so that using
 * one faults */
#define POISON_DELTA 0xdead000000000000ULL

static const struct poison table[] = {
	/* include/linux/poison.h LIST_POISON1 with POISON_POINTER_DELTA 0, as
	 * the BPF selftests' bpf_arena_list.h defines it: list_del() and
	 * hlist_del() write it into the unlinked node's next */
	{ 0x100, ~0ULL, "LIST_POISON1" },
	/* LIST_POISON2, the same: written into pprev (prev) by list_del() */
	{ 0x122, ~0ULL, "LIST_POISON2" },
	/* LIST_POISON2 of older kernels' poison.h (0x200; 0x122 since), which
	 * code copied from them still writes */
	{ 0x200, ~0ULL, "LIST_POISON2 (older kernels)" },
	/* the same three with the kernel's POISON_POINTER_DELTA, for list code
	 * copied from a kernel built with it (x86-64's value) */
	{ POISON_DELTA + 0x100, ~0ULL, "LIST_POISON1" },
	{ POISON_DELTA + 0x122, ~0ULL, "LIST_POISON2" },
	{ POISON_DELTA + 0x200, ~0ULL, "LIST_POISON2 (older kernels)" },
	/* anything else in 0xdead............: the kernel's other poison
	 * pointers (POISON_POINTER_DELTA + TIMER_ENTRY_STATIC 0x300,
	 * TAIL_MAPPING 0x400, ...) and 0xdead... fill patterns; never a user
	 * address (not canonical on x86-64) */
	{ POISON_DELTA, 0xffff000000000000ULL, "POISON_POINTER_DELTA" },
};

const struct poison *poison__find(uint64_t v)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if ((v & table[i].mask) == table[i].value)
			return &table[i];
	return NULL;
}

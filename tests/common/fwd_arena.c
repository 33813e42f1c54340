// SPDX-License-Identifier: GPL-2.0
/* fwd_arena: see fwd_arena.h. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include <bpf/btf.h>
#include "fwd_arena.h"
#include "memsource.h"

#define __arena
#include "../data/fwd_types.h"

static uint8_t fmem[FWD_PAGES * 4096];
static uint8_t fstate[FWD_PAGES];

static void put64(uint64_t off, uint64_t v)
{
	memcpy(fmem + off, &v, 8);
}

int fwd_arena_open(struct source **src, struct btfx **bx)
{
	struct arena_info info = { .map_id = 0,
				   .max_pages = FWD_PAGES,
				   .user_vm_start = FWD_S,
				   .user_vm_end = FWD_S + FWD_PAGES * 4096ULL,
				   .is_snapshot = true };
	struct btf *b = btf__new_empty();
	struct root r = { .kind = ROOT_MAP_PTR, .btf_idx = 0, .value = FWD_S };
	int u64, fwd, nodep, voidp, hdr, hdrp, err;
	struct elem e;

	if (!b)
		return -1;
	u64 = btf__add_int(b, "long long unsigned int", 8, 0);
	u64 = btf__add_typedef(b, "__u64", u64);
	fwd = btf__add_fwd(b, "node", BTF_FWD_STRUCT);
	nodep = btf__add_ptr(b, fwd);
	voidp = btf__add_ptr(b, 0);
	hdr = btf__add_struct(b, "hdr", 24);
	btf__add_field(b, "good", nodep, 0, 0);
	btf__add_field(b, "any", voidp, 64, 0);
	btf__add_field(b, "count", u64, 128, 0);
	hdrp = btf__add_ptr(b, hdr);

	memset(fmem, 0, sizeof(fmem));
	memset(fstate, PAGE_FREE, sizeof(fstate));
	fstate[0] = fstate[1] = fstate[2] = PAGE_ALLOCATED;
	put64(0, FWD_S + 0x1000);
	put64(8, FWD_ELEM);
	put64(16, FWD_NODES);
	for (int i = 0; i < FWD_NODES; i++) {
		struct node n = { .value = (i + 1) * 111ULL,
				  .id = i + 1,
				  .flags = i,
				  .kind = i + 2,
				  .live = i & 1 };

		n.next = i + 1 < FWD_NODES
				 ? (struct node *)(uintptr_t)(FWD_S + 0x1000 + (i + 1) * 0x40)
				 : NULL;
		memcpy(fmem + 0x1000 + i * 0x40, &n, sizeof(n));
	}
	memset(&e, 0, sizeof(e));
	e.tag = 0xe1e;
	e.n.value = 4242;
	e.n.id = 77;
	e.u.lo = 5;
	e.u.hi = 6;
	memcpy(e.name, "elem1", 6);
	memcpy(fmem + 0x2000, &e, sizeof(e));

	err = memsource__new(&info, fmem, fstate, src);
	if (err) {
		btf__free(b);
		return err;
	}
	err = btfx__new_from_btf(*src, b, bx);
	if (err) {
		source__close(*src);
		return err;
	}
	snprintf(r.name, sizeof(r.name), "hdr");
	snprintf(r.section, sizeof(r.section), ".bss");
	r.type_id = hdrp;
	err = btfx__add_root(*bx, &r);
	if (err) {
		btfx__free(*bx);
		source__close(*src);
	}
	return err;
}

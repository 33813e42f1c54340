// SPDX-License-Identifier: GPL-2.0
/*
 * planted: one of each problem the health check finds, at known pages,
 * beside a sound list. Page 0 and PLANTED_RESV_PAGE are reserved, the
 * header (.bss root `hdr`, struct planted_hdr) is on PLANTED_HDR_PAGE, a
 * list of PLANTED_LIST struct pnode on PLANTED_LIST_PAGE, PLANTED_FREED_PAGE
 * is allocated and freed again, and PLANTED_LEAK pages from
 * PLANTED_LEAK_PAGE on are allocated with nothing pointing into them. The
 * header's members each hold one planted value (fx_layout.h). The .bss
 * struct my_alloc is the only way to two nodes on PLANTED_VAR_PAGE and holds
 * one pointer into the freed page (slots[1]). Everything is
 * written as integers copied in one go, so no pointer is made up in BPF.
 */
#define FX_ARENA_PAGES PLANTED_PAGES
#include "fx_bpf.h"

struct planted_hdr __arena *hdr;
/* the program writes nodes as integers: this puts struct pnode's layout in
 * the BTF (else it is only a FWD, and the list is not walked) */
struct pnode pnode_layout;
/* a root that is a struct in .bss, not a pointer (check's variable roots) */
struct planted_alloc my_alloc;

#define PG(n) (arena_base + (__u64)(n) * FX_PAGE_SIZE)

SEC("syscall")
int planted_fill(void *ctx)
{
	__u64 raw[sizeof(struct planted_hdr) / 8];
	__u64 node[sizeof(struct pnode) / 8];
	__u64 va[sizeof(struct planted_alloc) / 8];
	void __arena *h, *l, *f, *k, *v;
	int i;

	if (bpf_arena_reserve_pages(&arena, (void __arena *)PG(0), 1) ||
	    bpf_arena_reserve_pages(&arena, (void __arena *)PG(PLANTED_RESV_PAGE), 1))
		return -1;
	acct.reserved += 2;
	h = fx_alloc_at(PLANTED_HDR_PAGE, 1);
	l = fx_alloc_at(PLANTED_LIST_PAGE, 1);
	f = fx_alloc_at(PLANTED_FREED_PAGE, 1);
	k = fx_alloc_at(PLANTED_LEAK_PAGE, PLANTED_LEAK);
	v = fx_alloc_at(PLANTED_VAR_PAGE, 1);
	if (!h || !l || !f || !k || !v)
		return -1;
	fx_free(f, 1);
#pragma clang loop unroll(disable)
	for (i = 0; i < PLANTED_LIST; i++) {
		node[0] = i;
		node[1] = i + 1 < PLANTED_LIST ? PG(PLANTED_LIST_PAGE) + (i + 1) * sizeof(node) : 0;
		node[2] = i * 1000 + 7;
		fx_put(l + i * sizeof(node), node, sizeof(node));
	}
	/* the leaked pages hold data, no pointers */
	node[0] = 0x4c45414b; /* "LEAK" */
	node[1] = 1;
	node[2] = 2;
	fx_put(k, node, sizeof(node));
	raw[0] = 0x504c414e54454421ULL; /* magic */
	raw[1] = PG(PLANTED_LIST_PAGE);
	raw[2] = PG(PLANTED_FREED_PAGE) + 0x30;
	raw[3] = PG(PLANTED_RESV_PAGE) + 0x18;
	raw[4] = PG(PLANTED_PAGES) + 0x40;
	raw[5] = 0x100;
	raw[6] = PG(PLANTED_LIST_PAGE) + 4;
	raw[7] = PG(0) + 0x10;
	raw[8] = PG(PLANTED_FREED_PAGE) + 0x80;
	fx_put(h, raw, sizeof(raw));
	hdr = h;
	/* my_alloc.root -> node 100 -> node 101, both on PLANTED_VAR_PAGE */
	node[0] = 100;
	node[1] = PG(PLANTED_VAR_PAGE) + sizeof(node);
	node[2] = 0;
	fx_put(v, node, sizeof(node));
	node[0] = 101;
	node[1] = 0;
	fx_put(v + sizeof(node), node, sizeof(node));
	va[0] = 0x4d59414c4c4f4321ULL; /* magic */
	va[1] = PG(PLANTED_VAR_PAGE);
	va[2] = 0;
	va[3] = PG(PLANTED_FREED_PAGE) + 0x100;
	__builtin_memcpy(&my_alloc, va, sizeof(va));
	return 0;
}

/*
 * planted_more (`arena-fixture run planted_more`): one problem more and one
 * fewer, for diff --check: list node 5's next points into the freed page
 * (a new dangling pointer) and hdr->poison is cleared (a poison resolved).
 */
SEC("syscall")
int planted_more(void *ctx)
{
	void __arena *h = hdr;
	__u64 w;

	fx_use_arena(); /* no kfunc here: name the arena for the verifier */
	if (!h)
		return -1;
	w = PG(PLANTED_FREED_PAGE) + PLANTED_MORE_OFF;
	fx_put(h + (PLANTED_LIST_PAGE - PLANTED_HDR_PAGE) * FX_PAGE_SIZE +
		       PLANTED_MORE_NODE * sizeof(struct pnode) +
		       __builtin_offsetof(struct pnode, next),
	       &w, sizeof(w));
	w = 0;
	fx_put(h + __builtin_offsetof(struct planted_hdr, poison), &w, sizeof(w));
	return 0;
}

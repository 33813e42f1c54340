/* SPDX-License-Identifier: GPL-2.0 */
/*
 * synth: a small arena made in memory with BTF built by hand, shared by the
 * expr and format unit tests: ints, a struct node list with a cycle, an
 * anonymous member, a union, bitfields, 2-D arrays, a string, an enum,
 * and two roots (gptr, cyc). Pages: see synth.c's build_mem().
 */
#ifndef TESTS_SYNTH_H
#define TESTS_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include "btfx.h"
#include "source.h"

#define S 0x100000000000ULL /* user_vm_start */
#define NPAGES 16

struct ids {
	int i32, u32, s16, u64, u64t, chr, dbl, boo, node, nodep, name8, st, flags, anon, un, row3,
		grid, outer, var_glob, sec, pid, nodet;
};

extern uint8_t mem[NPAGES * 4096];
extern uint8_t state[NPAGES];
extern struct ids T;

struct fix {
	struct source *src;
	struct btfx *bx;
};

/*
 * Intrusive lists, as the kernel's: types added by synth_add_intrusive()
 *   struct lnode { struct lnode *next; struct lnode **pprev; };      16 bytes
 *   struct elem { u64 key; struct lnode node; u64 value; };          32 bytes
 *   struct box { int tag; union { struct lnode link; u64 raw; };
 *                struct elem items[4]; };                             152 bytes
 * and memory by build_intrusive_mem() (pages 4-6; page 7 not allocated):
 *   page 4: LIST_LEN elems at 0x4000 + 0x40 * i, key i + 1, value
 *           100 * (i + 1), node.next to the next one's node, the last NULL
 *   page 5: 4 elems the same way whose last points back to elem 1 (a cycle)
 *   page 6: 0x6000 -> 0x6040 whose next is LIST_POISON1 (0x100);
 *           0x6100 whose next points into page 7 (0x7008);
 *           0x6200 whose next is 0xdead000000000122;
 *           0x6300 whose next is outside the arena
 * Roots (setup_intrusive): lhead, lcyc, lpois, llost, lpois2, lout (struct
 * lnode *: the first node of each) and bx (struct box * at 0x6800).
 */
#define LIST_LEN 5
struct intrusive_ids {
	int lnode, lnodep, lnodepp, elem, elemp, box, boxp, link_un, items4;
};
extern struct intrusive_ids TI;
void synth_add_intrusive(struct btf *b);
void build_intrusive_mem(void);
int setup_intrusive(void **st);

/* cmocka group setup/teardown: *st becomes a struct fix */
int setup(void **st);
int teardown(void **st);
struct btf *build_btf(void);
/* write into the arena memory at an offset */
void put(uint64_t off, const void *p, size_t n);
void put64(uint64_t off, uint64_t v);
void put32(uint64_t off, uint32_t v);
void build_mem(void);

#endif

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
	int i32, u32, s16, u64, u64t, chr, dbl, boo, node, nodep, name8, st, flags, anon, un,
		row3, grid, outer, var_glob, sec, pid, nodet;
};

extern uint8_t mem[NPAGES * 4096];
extern uint8_t state[NPAGES];
extern struct ids T;

struct fix {
	struct source *src;
	struct btfx *bx;
};

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

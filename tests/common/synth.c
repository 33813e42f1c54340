// SPDX-License-Identifier: GPL-2.0
/* synth: the in-memory arena and hand-built BTF of the unit tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "memsource.h"
#include "synth.h"

uint8_t mem[NPAGES * 4096];
uint8_t state[NPAGES];
struct ids T;

void put(uint64_t off, const void *p, size_t n)
{
	memcpy(mem + off, p, n);
}

void put64(uint64_t off, uint64_t v)
{
	put(off, &v, 8);
}

void put32(uint64_t off, uint32_t v)
{
	put(off, &v, 4);
}

struct btf *build_btf(void)
{
	struct btf *b = btf__new_empty();

	assert_non_null(b);
	T.i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	T.u32 = btf__add_int(b, "unsigned int", 4, 0);
	T.s16 = btf__add_int(b, "short", 2, BTF_INT_SIGNED);
	T.u64 = btf__add_int(b, "long long unsigned int", 8, 0);
	T.u64t = btf__add_typedef(b, "u64", T.u64);
	T.chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	T.dbl = btf__add_float(b, "double", 8);
	T.boo = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	T.name8 = btf__add_array(b, T.i32, T.chr, 8);
	/* struct node { int id; struct node *next; char name[8]; u64 val; } */
	T.node = btf__add_struct(b, "node", 32);
	btf__add_field(b, "id", T.i32, 0, 0);
	btf__add_field(b, "next", T.node + 1, 64, 0);
	btf__add_field(b, "name", T.name8, 128, 0);
	btf__add_field(b, "val", T.u64t, 192, 0);
	T.nodep = btf__add_ptr(b, T.node);
	assert_int_equal(T.nodep, T.node + 1);
	T.st = btf__add_enum(b, "state", 4);
	btf__add_enum_value(b, "IDLE", 0);
	btf__add_enum_value(b, "RUNNING", 1);
	btf__add_enum_value(b, "DEAD", 2);
	/* struct flags { unsigned a:3, b:5; int c:4; } */
	T.flags = btf__add_struct(b, "flags", 4);
	btf__add_field(b, "a", T.u32, 0, 3);
	btf__add_field(b, "b", T.u32, 3, 5);
	btf__add_field(b, "c", T.i32, 8, 4);
	/* union { int u1; struct { short s1, s2; }; } */
	T.anon = btf__add_struct(b, NULL, 4);
	btf__add_field(b, "s1", T.s16, 0, 0);
	btf__add_field(b, "s2", T.s16, 16, 0);
	T.un = btf__add_union(b, NULL, 4);
	btf__add_field(b, "u1", T.i32, 0, 0);
	btf__add_field(b, NULL, T.anon, 0, 0);
	T.row3 = btf__add_array(b, T.i32, T.i32, 3);
	T.grid = btf__add_array(b, T.i32, T.row3, 2);
	/* struct outer: 72 bytes */
	T.outer = btf__add_struct(b, "outer", 72);
	btf__add_field(b, "x", T.i32, 0, 0);
	btf__add_field(b, NULL, T.un, 32, 0);
	btf__add_field(b, "grid", T.grid, 64, 0);
	btf__add_field(b, "head", T.nodep, 256, 0);
	btf__add_field(b, "st", T.st, 320, 0);
	btf__add_field(b, "f", T.flags, 352, 0);
	btf__add_field(b, "name", T.name8, 384, 0);
	btf__add_field(b, "d", T.dbl, 448, 0);
	btf__add_field(b, "ok", T.boo, 512, 0);
	btf__add_field(b, "ch", T.chr, 520, 0);
	T.var_glob = btf__add_var(b, "glob", BTF_VAR_GLOBAL_ALLOCATED, T.outer);
	T.sec = btf__add_datasec(b, ".addr_space.1", 72);
	assert_int_equal(btf__add_datasec_var_info(b, T.var_glob, 0, 72), 0);
	/* typedefs the expression parser cannot know are types */
	T.pid = btf__add_typedef(b, "pid_t", T.i32);
	T.nodet = btf__add_typedef(b, "node_t", T.node);
	return b;
}

/* page 0: glob; page 1: a two-node list; page 2: not allocated;
 * page 3: a two-node cycle */
void build_mem(void)
{
	uint32_t flags;

	memset(mem, 0, sizeof(mem));
	memset(state, PAGE_FREE, sizeof(state));
	state[0] = state[1] = state[3] = PAGE_ALLOCATED;
	put32(0, 42);				/* x */
	put32(4, 0x00030002);			/* u1; s1 = 2, s2 = 3 */
	for (int i = 0; i < 6; i++)
		put32(8 + 4 * i, i);		/* grid */
	put64(32, S + 0x1000);			/* head */
	put32(40, 1);				/* st = RUNNING */
	flags = 5 | (17 << 3) | (0xd << 8);	/* a=5 b=17 c=-3 */
	put32(44, flags);
	put(48, "glob", 5);
	{
		double d = 2.5;

		put(56, &d, 8);
	}
	mem[64] = 1;
	mem[65] = 'Z';
	/* list */
	put32(0x1000, 1);
	put64(0x1008, S + 0x1040);
	put(0x1010, "one", 4);
	put64(0x1018, 100);
	put32(0x1040, 2);
	put64(0x1048, 0);
	put(0x1050, "two", 4);
	put64(0x1058, 200);
	/* cycle */
	put32(0x3000, 10);
	put64(0x3008, S + 0x3040);
	put32(0x3040, 11);
	put64(0x3048, S + 0x3000);
}


int setup(void **st)
{
	struct arena_info ai = { .map_id = 0, .max_pages = NPAGES, .user_vm_start = S,
				 .user_vm_end = S + NPAGES * 4096ULL, .is_snapshot = true };
	struct fix *f = calloc(1, sizeof(*f));
	struct root r = { .kind = ROOT_MAP_PTR, .btf_idx = 0, .value = S + 0x1000 };

	build_mem();
	assert_int_equal(memsource__new(&ai, mem, state, &f->src), 0);
	assert_int_equal(btfx__new_from_btf(f->src, build_btf(), &f->bx), 0);
	snprintf(r.name, sizeof(r.name), "gptr");
	r.type_id = T.nodep;
	snprintf(r.section, sizeof(r.section), ".bss");
	assert_int_equal(btfx__add_root(f->bx, &r), 0);
	r.value = S + 0x3000;
	snprintf(r.name, sizeof(r.name), "cyc");
	assert_int_equal(btfx__add_root(f->bx, &r), 0);
	*st = f;
	return 0;
}

int teardown(void **st)
{
	struct fix *f = *st;

	btfx__free(f->bx);
	source__close(f->src);
	free(f);
	return 0;
}

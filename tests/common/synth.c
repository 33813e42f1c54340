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
struct intrusive_ids TI;

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
	put32(0, 42);	      /* x */
	put32(4, 0x00030002); /* u1; s1 = 2, s2 = 3 */
	for (int i = 0; i < 6; i++)
		put32(8 + 4 * i, i);	    /* grid */
	put64(32, S + 0x1000);		    /* head */
	put32(40, 1);			    /* st = RUNNING */
	flags = 5 | (17 << 3) | (0xd << 8); /* a=5 b=17 c=-3 */
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
	struct arena_info ai = { .map_id = 0,
				 .max_pages = NPAGES,
				 .user_vm_start = S,
				 .user_vm_end = S + NPAGES * 4096ULL,
				 .is_snapshot = true };
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

void synth_add_intrusive(struct btf *b)
{
	TI.lnode = btf__add_struct(b, "lnode", 16);
	btf__add_field(b, "next", TI.lnode + 1, 0, 0);
	btf__add_field(b, "pprev", TI.lnode + 2, 64, 0);
	TI.lnodep = btf__add_ptr(b, TI.lnode);
	TI.lnodepp = btf__add_ptr(b, TI.lnodep);
	assert_int_equal(TI.lnodepp, TI.lnode + 2);
	TI.elem = btf__add_struct(b, "elem", 32);
	btf__add_field(b, "key", T.u64t, 0, 0);
	btf__add_field(b, "node", TI.lnode, 64, 0);
	btf__add_field(b, "value", T.u64t, 192, 0);
	TI.elemp = btf__add_ptr(b, TI.elem);
	TI.link_un = btf__add_union(b, NULL, 16);
	btf__add_field(b, "link", TI.lnode, 0, 0);
	btf__add_field(b, "raw", T.u64t, 0, 0);
	TI.items4 = btf__add_array(b, T.i32, TI.elem, 4);
	TI.box = btf__add_struct(b, "box", 152);
	btf__add_field(b, "tag", T.i32, 0, 0);
	btf__add_field(b, NULL, TI.link_un, 64, 0);
	btf__add_field(b, "items", TI.items4, 192, 0);
	TI.boxp = btf__add_ptr(b, TI.box);
}

/* an elem at off: key, value, node.next = next (0: NULL) */
static void put_elem(uint64_t off, uint64_t key, uint64_t next)
{
	put64(off, key);
	put64(off + 8, next);
	put64(off + 24, key * 100);
}

void build_intrusive_mem(void)
{
	state[4] = state[5] = state[6] = PAGE_ALLOCATED;
	state[7] = PAGE_FREE;
	for (int i = 0; i < LIST_LEN; i++)
		put_elem(0x4000 + 0x40 * i, i + 1,
			 i + 1 < LIST_LEN ? S + 0x4000 + 0x40 * (i + 1) + 8 : 0);
	for (int i = 0; i < 4; i++)
		put_elem(0x5000 + 0x40 * i, i + 1, S + 0x5000 + 0x40 * (i < 3 ? i + 1 : 1) + 8);
	put_elem(0x6000, 1, S + 0x6040 + 8);
	put_elem(0x6040, 2, 0x100);
	put_elem(0x6100, 1, S + 0x7008);
	put_elem(0x6200, 1, 0xdead000000000122ULL);
	put_elem(0x6300, 1, S + NPAGES * 4096ULL + 0x1000);
	/* box: tag 7, link.next -> the first list's node, items[2].key = 33 */
	put32(0x6800, 7);
	put64(0x6808, S + 0x4008);
	put_elem(0x6800 + 24 + 2 * 32, 33, 0);
}

int setup_intrusive(void **st)
{
	static const struct {
		const char *name;
		uint64_t node;
	} roots[] = {
		{ "lhead", S + 0x4008 }, { "lcyc", S + 0x5008 },   { "lpois", S + 0x6008 },
		{ "llost", S + 0x6108 }, { "lpois2", S + 0x6208 }, { "lout", S + 0x6308 },
	};
	struct arena_info ai = { .map_id = 0,
				 .max_pages = NPAGES,
				 .user_vm_start = S,
				 .user_vm_end = S + NPAGES * 4096ULL,
				 .is_snapshot = true };
	struct fix *f = calloc(1, sizeof(*f));
	struct root r = { .kind = ROOT_MAP_PTR, .btf_idx = 0 };
	struct btf *b;

	build_mem();
	build_intrusive_mem();
	assert_int_equal(memsource__new(&ai, mem, state, &f->src), 0);
	b = build_btf();
	synth_add_intrusive(b);
	assert_int_equal(btfx__new_from_btf(f->src, b, &f->bx), 0);
	snprintf(r.section, sizeof(r.section), ".bss");
	r.type_id = TI.lnodep;
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(r.name, sizeof(r.name), "%s", roots[i].name);
		r.value = roots[i].node;
		assert_int_equal(btfx__add_root(f->bx, &r), 0);
	}
	snprintf(r.name, sizeof(r.name), "gptr"); /* as setup()'s */
	r.type_id = T.nodep;
	r.value = S + 0x1000;
	assert_int_equal(btfx__add_root(f->bx, &r), 0);
	snprintf(r.name, sizeof(r.name), "cyc");
	r.value = S + 0x3000;
	assert_int_equal(btfx__add_root(f->bx, &r), 0);
	snprintf(r.name, sizeof(r.name), "bx");
	r.type_id = TI.boxp;
	r.value = S + 0x6800;
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

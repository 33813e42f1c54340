// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: typed printing of arbitrary bytes. The input is the
 * arena: its first NPAGES bytes are the page states, the rest the memory
 * (zero-padded). A fixed BTF with pointers, arrays, bitfields, strings,
 * enums, floats, unions and anonymous members is printed from several
 * roots, following pointers, through a JSON and a text sink.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfx.h"
#include "error.h"
#include "expr.h"
#include "format.h"
#include "memsource.h"
#include "sink.h"

#define S 0x7f0000000000ULL
#define NPAGES 4

static struct btf *proto;
static int t_node, t_nodep, t_big, t_grid, t_tree, t_any;

static void build_btf(void)
{
	struct btf *b = btf__new_empty();
	int i32, u32, s16, chr, u64, dbl, flt, boo, name, e, e64, anon, un, row, fnp, vp, treep,
		cpp, i128;

	i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	u32 = btf__add_int(b, "unsigned int", 4, 0);
	s16 = btf__add_int(b, "short", 2, BTF_INT_SIGNED);
	chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	u64 = btf__add_int(b, "long long unsigned int", 8, 0);
	i128 = btf__add_int(b, "__int128", 16, BTF_INT_SIGNED);
	dbl = btf__add_float(b, "double", 8);
	flt = btf__add_float(b, "float", 4);
	boo = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	name = btf__add_array(b, i32, chr, 12);
	e = btf__add_enum(b, "state", 4);
	btf__add_enum_value(b, "IDLE", 0);
	btf__add_enum_value(b, "RUN", 1);
	btf__add_enum_value(b, "NEG", -1);
	e64 = btf__add_enum64(b, "big", 8, false);
	btf__add_enum64_value(b, "HUGE", 1ULL << 40);
	/* struct node: list + tree links, a bitfield word, a name */
	t_node = btf__add_struct(b, "node", 48);
	btf__add_field(b, "next", t_node + 1, 0, 0);
	btf__add_field(b, "id", i32, 64, 0);
	btf__add_field(b, "a", u32, 96, 3);
	btf__add_field(b, "b", i32, 99, 13);
	btf__add_field(b, "c", e, 112, 2);
	btf__add_field(b, "name", name, 128, 0);
	btf__add_field(b, "prev", t_node + 1, 256, 0);
	btf__add_field(b, "f", flt, 320, 0);
	btf__add_field(b, "ok", boo, 352, 0);
	t_nodep = btf__add_ptr(b, t_node);
	anon = btf__add_struct(b, NULL, 4);
	btf__add_field(b, "lo", s16, 0, 0);
	btf__add_field(b, "hi", s16, 16, 0);
	un = btf__add_union(b, NULL, 8);
	btf__add_field(b, "raw", u64, 0, 0);
	btf__add_field(b, NULL, anon, 0, 0);
	btf__add_field(b, "d", dbl, 0, 0);
	row = btf__add_array(b, i32, t_nodep, 3);
	t_grid = btf__add_array(b, i32, row, 2);
	fnp = btf__add_ptr(b, btf__add_func_proto(b, i32));
	vp = btf__add_ptr(b, 0);
	/* struct tree: children array of pointers, self pointer to array */
	t_tree = btf__add_struct(b, "tree", 72);
	btf__add_field(b, "kids", t_grid, 0, 0);
	btf__add_field(b, "up", t_tree + 1, 384, 0);
	btf__add_field(b, "fn", fnp, 448, 0);
	btf__add_field(b, "opaque", vp, 512, 0);
	treep = btf__add_ptr(b, t_tree);
	(void)treep;
	cpp = btf__add_ptr(b, btf__add_const(b, chr));
	t_big = btf__add_struct(b, "big", 64);
	btf__add_field(b, NULL, un, 0, 0);
	btf__add_field(b, "e64", e64, 64, 0);
	btf__add_field(b, "s", cpp, 128, 0);
	btf__add_field(b, "wide", i128, 256, 0);
	btf__add_field(b, "flag", u64, 384, 1);
	btf__add_field(b, "rest", u64, 385, 63);
	btf__add_field(b, "tail", btf__add_array(b, i32, u32, 0), 448, 0); /* flexible */
	t_any = btf__add_array(b, i32, t_big, 100);
	proto = b;
}

static void discard(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[NPAGES * 4096];
	static const int *types[] = { &t_node, &t_nodep, &t_big, &t_grid, &t_tree, &t_any };
	struct arena_info ai = { .max_pages = NPAGES,
				 .user_vm_start = S,
				 .user_vm_end = S + NPAGES * 4096ULL,
				 .is_snapshot = true };
	uint8_t state[NPAGES] = { 0 };
	struct source *src;
	struct btfx *bx;
	struct btf *b;
	uint32_t sz;
	const void *raw;

	if (!proto)
		build_btf();
	if (size < NPAGES + 2)
		return 0;
	for (int i = 0; i < NPAGES; i++)
		state[i] = data[i] % 3;
	memset(mem, 0, sizeof(mem));
	memcpy(mem, data + NPAGES + 2,
	       size - NPAGES - 2 < sizeof(mem) ? size - NPAGES - 2 : sizeof(mem));
	raw = btf__raw_data(proto, &sz);
	b = btf__new(raw, sz);
	if (!b || memsource__new(&ai, mem, state, &src)) {
		btf__free(b);
		return 0;
	}
	if (btfx__new_from_btf(src, b, &bx)) {
		source__close(src);
		return 0;
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const struct btf *btf = btfx__btf(bx, 0);
		/* two bytes of the input choose where the root starts */
		uint64_t off = ((uint64_t)data[NPAGES] << 8 | data[NPAGES + 1]) * 8 + i * 40;
		struct value v = { .btf = btf,
				   .type_id = *types[i],
				   .lvalue = true,
				   .addr = S + off % (NPAGES * 4096 - 64) };
		struct fmt_opts o = { .follow_ptrs = 1 + (int)(i % 3),
				      .max_array = 1 + (int)i * 7,
				      .max_nodes = 3000,
				      .path = i & 1 ? "(x)->y" : "root" };
		struct sink *sj = sink__new_json(discard, NULL, i & 1);
		struct strbuf sb = { 0 };
		struct sink *st = sink__new_text(strbuf_write, &sb);

		if (*types[i] == t_nodep) {
			/* a pointer value, as a .bss root gives */
			memcpy(&v.scalar, mem + (off % (NPAGES * 4096 - 8)), 8);
			v.lvalue = false;
			v.addr = 0;
		}
		if (i == 5) {
			v.type_id = t_node;
			v.slice_len = 1 + data[0] % 40;
		}
		fmt__value(bx, src, &v, i & 2 ? "key" : NULL, sj, &o);
		fmt__value(bx, src, &v, NULL, st, &o);
		sink__free(sj);
		sink__free(st);
		strbuf_free(&sb);
	}
	btfx__free(bx);
	source__close(src);
	return 0;
}

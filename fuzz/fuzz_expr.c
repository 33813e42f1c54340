// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the expression parser on arbitrary text, and every
 * expression that parses evaluated against a small arena (memsource) with a
 * fixed BTF. The arena's first page is filled with pointers into itself,
 * so '->' chains go somewhere; the other pages mix allocated and missing.
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

#define S 0x100000000000ULL
#define NPAGES 8

static uint8_t mem[NPAGES * 4096];
static uint8_t state[NPAGES] = { 1, 1, 0, 1, 2, 1, 0, 1 };
static struct source *src;
static struct btfx *bx;

static struct btf *build_btf(void)
{
	struct btf *b = btf__new_empty();
	int i32, chr, arr, node, nodep, u64, un, v1, v2;

	i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	u64 = btf__add_int(b, "long long unsigned int", 8, 0);
	btf__add_typedef(b, "u64", u64);
	arr = btf__add_array(b, i32, chr, 8);
	node = btf__add_struct(b, "node", 32);
	btf__add_field(b, "id", i32, 0, 0);
	btf__add_field(b, "flag", i32, 32, 3);
	btf__add_field(b, "next", node + 1, 64, 0);
	btf__add_field(b, "name", arr, 128, 0);
	btf__add_field(b, "val", u64, 192, 0);
	nodep = btf__add_ptr(b, node);
	btf__add_enum(b, "e", 4);
	btf__add_enum_value(b, "A", 1);
	btf__add_enum_value(b, "B", -2);
	un = btf__add_union(b, NULL, 8);
	btf__add_field(b, "x", u64, 0, 0);
	btf__add_field(b, "p", nodep, 0, 0);
	v1 = btf__add_var(b, "g", BTF_VAR_GLOBAL_ALLOCATED, node);
	v2 = btf__add_var(b, "h", BTF_VAR_GLOBAL_ALLOCATED, un);
	btf__add_datasec(b, ".addr_space.1", 40);
	btf__add_datasec_var_info(b, v1, 0, 32);
	btf__add_datasec_var_info(b, v2, 32, 8);
	return b;
}

static void init(void)
{
	struct arena_info ai = { .max_pages = NPAGES,
				 .user_vm_start = S,
				 .user_vm_end = S + NPAGES * 4096ULL,
				 .is_snapshot = true };
	struct root r = { .name = "p", .kind = ROOT_MAP_PTR, .btf_idx = 0, .value = S + 64 };
	const struct btf *b;
	uint32_t id;

	/* node i at 32*i, next -> node (i*7+3) % 512 across every page */
	for (uint64_t i = 0; i < sizeof(mem) / 32; i++) {
		uint64_t next = S + ((i * 7 + 3) % (sizeof(mem) / 32)) * 32;

		memcpy(mem + i * 32, &i, 4);
		memcpy(mem + i * 32 + 8, &next, 8);
		memcpy(mem + i * 32 + 16, "fuzzing!", 8);
	}
	memsource__new(&ai, mem, state, &src);
	btfx__new_from_btf(src, build_btf(), &bx);
	btfx__find_type(bx, "struct node *", &b, &id);
	r.type_id = id;
	btfx__add_root(bx, &r);
}

static void discard(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expr *e;
	struct value v;
	char *text;
	int64_t x;
	int col;

	if (!src)
		init();
	if (size > 4096)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (expr__parse(text, &e, &col) == 0) {
		if (expr__eval(e, bx, src, &v) == 0) {
			struct fmt_opts o = { .follow_ptrs = 2, .max_nodes = 2000, .path = text };
			struct sink *s = sink__new_json(discard, NULL, false);

			fmt__value(bx, src, &v, NULL, s, &o);
			sink__free(s);
		}
		expr__eval_int(e, bx, src, &x);
		expr__free(e);
	} else if (col < 0 || (size_t)col > size) {
		__builtin_trap(); /* a parse error must point into the text */
	}
	free(text);
	return 0;
}

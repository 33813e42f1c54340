// SPDX-License-Identifier: GPL-2.0
/*
 * mk_cycle_snapshot FILE: a small snapshot whose BTF holds a struct S that
 * contains itself by value (invalid C, and BTF that libbpf's btf_dump
 * refuses with "unsatisfiable type cycle"). For the screen test that checks
 * libbpf's messages never reach the terminal behind curses (issue 11).
 */
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfx.h"
#include "error.h"
#include "memsource.h"
#include "snapshot.h"

#define NP 16
#define BASE 0x100000000000ULL

static unsigned char data[NP * 4096];
static unsigned char states[NP];

int main(int argc, char **argv)
{
	struct arena_info ai = { .max_pages = NP,
				 .user_vm_start = BASE,
				 .user_vm_end = BASE + NP * 4096ULL,
				 .map_flags = 1 << 10,
				 .map_extra = BASE };
	struct source *m;
	struct btfx *bx;
	struct btf *btf;
	int i32, s;

	if (argc != 2) {
		fprintf(stderr, "usage: mk_cycle_snapshot FILE\n");
		return 2;
	}
	strcpy(ai.name, "cycle");
	memset(states, PAGE_FREE, sizeof(states));
	states[0] = PAGE_ALLOCATED;
	btf = btf__new_empty();
	if (!btf)
		return 1;
	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	s = btf__add_struct(btf, "S", 8);
	if (i32 < 0 || s < 0 || btf__add_field(btf, "x", i32, 0, 0) ||
	    btf__add_field(btf, "self", s, 32, 0)) {
		fprintf(stderr, "mk_cycle_snapshot: cannot build the BTF\n");
		return 1;
	}
	if (memsource__new(&ai, data, states, &m) || btfx__new_from_btf(m, btf, &bx) ||
	    snapshot__write(m, bx, argv[1])) {
		fprintf(stderr, "mk_cycle_snapshot: %s\n", ai_errmsg());
		return 1;
	}
	btfx__free(bx);
	source__close(m);
	return 0;
}

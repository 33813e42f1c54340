// SPDX-License-Identifier: GPL-2.0
/*
 * fxlist-user: the user-space side of the alist fixture. It includes the
 * same header as alist.bpf.c (include/fxlist.h), the way a sched_ext
 * scheduler's user part includes its intf.h, and is built with -g
 * -fno-eliminate-unused-debug-types, so its DWARF holds every type of the
 * header: the tests pass this binary to `arena-inspect --types`.
 *
 * Run, it prints the layout of those types as the host C compiler sees
 * them, one JSON object: {"TYPE": {"size": N, "members": {"M": OFFSET}}},
 * which the tests compare with the BPF side (the loader's expectations).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#define __arena /* user space: arena pointers are plain pointers */
#include "fxlist.h"

#define MEMBER(type, m) { #m, offsetof(struct type, m) }

struct layout {
	const char *name;
	size_t size;
	struct {
		const char *name;
		size_t off;
	} m[6];
};

static const struct layout layouts[] = {
	{ "arena_list_node",
	  sizeof(struct arena_list_node),
	  { MEMBER(arena_list_node, next), MEMBER(arena_list_node, pprev) } },
	{ "arena_list_head", sizeof(struct arena_list_head), { MEMBER(arena_list_head, first) } },
	{ "elem",
	  sizeof(struct elem),
	  { MEMBER(elem, key), MEMBER(elem, node), MEMBER(elem, value), MEMBER(elem, name) } },
	{ "item",
	  sizeof(struct item),
	  { MEMBER(item, node), MEMBER(item, key), MEMBER(item, value), MEMBER(item, bucket),
	    MEMBER(item, hot) } },
	{ "fxl_table",
	  sizeof(struct fxl_table),
	  { MEMBER(fxl_table, nbuckets), MEMBER(fxl_table, count), MEMBER(fxl_table, buckets) } },
};

int main(void)
{
	/* an empty list, using the header's helpers the way BPF code does */
	struct arena_list_head h = { 0 };
	struct elem e = { .key = 1, .value = 2, .name = "user" };

	fxl_list_add_head(&e.node, &h);
	if (fxl_list_empty(&h) || h.first != &e.node || e.node.pprev != &h.first)
		return 1;
	fxl_list_del(&e.node);
	if (!fxl_list_empty(&h) || (__u64)(size_t)e.node.next != FXL_POISON1)
		return 1;

	printf("{");
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct layout *l = &layouts[i];

		printf("%s\"%s\":{\"size\":%zu,\"members\":{", i ? "," : "", l->name, l->size);
		for (size_t j = 0; j < sizeof(l->m) / sizeof(l->m[0]) && l->m[j].name; j++)
			printf("%s\"%s\":%zu", j ? "," : "", l->m[j].name, l->m[j].off);
		printf("}}");
	}
	printf("}\n");
	return 0;
}

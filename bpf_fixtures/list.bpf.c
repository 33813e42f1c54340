// SPDX-License-Identifier: GPL-2.0
/*
 * list: a singly linked list of LIST_NODES nodes spread over LIST_PAGES
 * pages (node i on page i % LIST_PAGES), rooted in .bss `head`. Every field
 * of struct node gets a value derived from the node's index, so the loader
 * can state them all in its expectations.
 */
#define FX_ARENA_PAGES 64
#include "fx_bpf.h"

struct node __arena *head;
struct node __arena *tail;
int nr_nodes;

static const char names[LIST_NODES][16] = {
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
};

SEC("syscall")
int list_fill(void *ctx)
{
	char __arena *pages = fx_alloc(LIST_PAGES);
	struct node __arena *prev = NULL;
	int i;

	if (!pages)
		return -1;
	/* node 0 is at the start of the first page; set the root here, not in
	 * the loop, where clang would merge the .bss and arena stores into one
	 * instruction the verifier refuses */
	head = (struct node __arena *)pages;
#pragma clang loop unroll(disable)
	for (i = 0; i < LIST_NODES; i++) {
		struct node __arena *n;
		int r, c;

		n = (struct node __arena *)(pages + (i % LIST_PAGES) * FX_PAGE_SIZE +
					    (i / LIST_PAGES) * 256);
		n->next = NULL;
		n->id = i + 1;
		fx_strcpy(n->name, names[i], sizeof(n->name));
		n->kind = (enum color)(i % 4);
		n->st.hits = (__u64)(i + 1) * 1000;
		n->st.misses = i * 7;
		n->st.flags = 0x100 | i;
		n->st.level = i * 3;
		n->st.trend = i % 2 ? -i : i;
		n->pl.raw = 0x1122334455667700ULL | i;
#pragma clang loop unroll(disable)
		for (r = 0; r < 2; r++)
#pragma clang loop unroll(disable)
			for (c = 0; c < 3; c++)
				n->grid[r][c] = i * 10 + r * 3 + c;
		n->delta = -i;
		n->prio = i & 15;
		n->active = i & 1;
		n->weight = i * 100;
		n->spare = 0;
		n->balance = -(__s64)i * 1000000000LL;
		if (prev)
			prev->next = n;
		prev = n;
		nr_nodes++;
	}
	tail = prev;
	return 0;
}

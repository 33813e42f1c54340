// SPDX-License-Identifier: GPL-2.0
/*
 * tree: a binary search tree of TREE_NODES keys 10, 20, ..., 310 inserted
 * in the order ((i * 17) % 31 + 1) * 10, root in .bss `root`. Then one more
 * node is put on a page of its own and hung as the right child of the
 * largest key, and that page is freed: the pointer dangles, as it does in
 * real arena code. .bss records where (dangling_from, dangling_to).
 */
#define FX_ARENA_PAGES 64
#include "fx_bpf.h"

struct tnode __arena *root;
__u64 dangling_from;
__u64 dangling_to;
int nr_tnodes;

static __always_inline int insert(struct tnode __arena *n)
{
	struct tnode __arena *cur = root;
	int d;

	if (!cur) {
		root = n;
		return 0;
	}
#pragma clang loop unroll(disable)
	for (d = 1; d < TREE_MAX_DEPTH; d++) {
		if (n->key < cur->key) {
			if (!cur->left) {
				cur->left = n;
				break;
			}
			cur = cur->left;
		} else {
			if (!cur->right) {
				cur->right = n;
				break;
			}
			cur = cur->right;
		}
	}
	if (d >= TREE_MAX_DEPTH)
		return -1;
	cur->leaf = 0;
	n->parent = cur;
	n->depth = d;
	return 0;
}

static int insert_one(__u32 i, void *ctx)
{
	struct tnode __arena *n = bump_alloc(sizeof(*n));
	int key = ((i * 17) % TREE_NODES + 1) * 10;
	struct tnode nt = {
		.key = key,
		.label = { 'k', 'e', 'y', '-', '0' + (key / 1000) % 10, '0' + (key / 100) % 10,
			   '0' + (key / 10) % 10, '0' + key % 10 },
		.visits = i,
		.color = i & 1,
		.leaf = 1,
		.u.pair = { key, -key },
	};

	if (!n)
		return 1;
	fx_put(n, &nt, sizeof(nt));
	if (insert(n))
		return 1;
	nr_tnodes++;
	return 0;
}

SEC("syscall")
int tree_fill(void *ctx)
{
	struct tnode __arena *max, *lost;
	struct tnode nt = { .key = 9999 };
	int d;

	bpf_loop(TREE_NODES, insert_one, NULL, 0);
	if (nr_tnodes != TREE_NODES)
		return -1;

	/* the dangling pointer: a node on its own page, linked, then freed */
	max = root;
#pragma clang loop unroll(disable)
	for (d = 0; d < TREE_MAX_DEPTH && max && max->right; d++)
		max = max->right;
	if (!max)
		return -1;
	lost = fx_alloc(1);
	if (!lost)
		return -1;
	nt.parent = max;
	fx_put(lost, &nt, sizeof(nt));
	max->right = lost;
	max->leaf = 0;
	dangling_from = (__u64)max;
	dangling_to = (__u64)lost;
	fx_free(lost, 1);
	return 0;
}

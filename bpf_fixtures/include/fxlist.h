/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The types of the alist fixture, written the way BPF arena code writes its
 * headers (the kernel selftests' bpf_arena_list.h and friends): no includes;
 * the includer provides __u8..__u64, bool and __arena (address space 1 in
 * BPF, empty in user space). alist.bpf.c includes it; so does the user-space
 * helper fxlist_user.c, whose DWARF holds every type here; and the tests
 * hand it to `arena-inspect --types` as it is.
 *
 * An intrusive doubly-linked list as in the kernel: the node is embedded in
 * the object (container_of gets back to the object), `pprev` points at the
 * pointer that points at this node (the head's `first` or the previous
 * node's `next`), and list_del leaves the kernel's list poison behind.
 *
 * The BPF program reaches these types only through a `struct
 * arena_list_head *` root and casts, so its BTF holds struct arena_list_node
 * only as a forward declaration and struct elem, struct item and struct
 * fxl_table not at all.
 */
#ifndef FXLIST_H
#define FXLIST_H

struct arena_list_node {
	struct arena_list_node __arena *next;
	struct arena_list_node __arena *__arena *pprev;
};

struct arena_list_head {
	struct arena_list_node __arena *first;
};

/* what list_del writes into a deleted node (the kernel's LIST_POISON1/2) */
#define FXL_POISON1 0x100ULL /* next */
#define FXL_POISON2 0x122ULL /* pprev */

/* the main list's element: the node is NOT at offset 0 */
#define FXL_NAME_LEN 16
struct elem {
	__u64 key;
	struct arena_list_node node;
	__u64 value;
	char name[FXL_NAME_LEN];
};

/* the table's element: the node at offset 0, as in the selftests' arena_list.c */
struct item {
	struct arena_list_node node;
	__u64 key;
	__u32 value;
	__u16 bucket;
	bool hot;
	__u8 pad;
};

/* what the `void *` root table_for_user points at */
#define FXL_BUCKETS 8
struct fxl_table {
	__u32 nbuckets;
	__u32 count;
	struct arena_list_head buckets[FXL_BUCKETS];
};

/*
 * The page-fragment allocator's page: objects (sizes rounded up to 8) are
 * carved downwards from FXL_PAGE_SIZE - 8; the last 8 bytes count the live
 * objects on the page, and the page is freed when the count drops to 0.
 */
#define FXL_PAGE_SIZE 4096
#define FXL_COUNT_OFF (FXL_PAGE_SIZE - 8)

static inline bool fxl_list_empty(const struct arena_list_head __arena *h)
{
	return !h->first;
}

/* list_add_head: n becomes the first node of h */
static inline void fxl_list_add_head(struct arena_list_node __arena *n,
				     struct arena_list_head __arena *h)
{
	struct arena_list_node __arena *first = h->first;

	n->next = first;
	if (first)
		first->pprev = &n->next;
	h->first = n;
	n->pprev = &h->first;
}

/* list_del: unlink n and poison it, so a stale walk stops at 0x100 */
static inline void fxl_list_del(struct arena_list_node __arena *n)
{
	struct arena_list_node __arena *next = n->next;
	struct arena_list_node __arena *__arena *pprev = n->pprev;

	*pprev = next;
	if (next)
		next->pprev = pprev;
	n->next = (struct arena_list_node __arena *)FXL_POISON1;
	n->pprev = (struct arena_list_node __arena * __arena *)FXL_POISON2;
}

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * htab: a chained hash table. The header (bucket heads) and HTAB_ENTRIES
 * entries come from a bump allocator that packs many objects per page.
 * Keys are (i+1) * 2654435761 mod 2^32, bucket = key % HTAB_BUCKETS, and
 * each entry is pushed at the head of its chain. Root: .bss `table`.
 */
#define FX_ARENA_PAGES 256
#include "fx_bpf.h"

struct hash_table __arena *table;

static int insert_one(__u32 i, void *ctx)
{
	struct hash_table __arena *t = table;
	struct entry __arena *e = bump_alloc(sizeof(*e));
	__u64 key = ((__u64)(i + 1) * 2654435761ULL) & 0xffffffffULL;
	__u32 b = key % HTAB_BUCKETS;
	struct entry ne = {
		.key = key,
		.value = key * 3 + i,
		.tag = { 'e', '0' + (i / 100) % 10, '0' + (i / 10) % 10, '0' + i % 10 },
	};

	if (!t || !e)
		return 1;
	ne.next = t->buckets[b & (HTAB_BUCKETS - 1)];
	fx_put(e, &ne, sizeof(ne));
	t->buckets[b & (HTAB_BUCKETS - 1)] = e;
	t->count++;
	return 0;
}

SEC("syscall")
int htab_fill(void *ctx)
{
	struct hash_table __arena *t = bump_alloc(sizeof(*t));
	struct hash_table nt = {
		.nbuckets = HTAB_BUCKETS,
		.seed = 2654435761ULL,
	};

	if (!t)
		return -1;
	/* the page is fresh and zeroed: the buckets are empty already */
	fx_put(t, &nt, 16);
	table = t;
	bpf_loop(HTAB_ENTRIES, insert_one, NULL, 0);
	return t->count == HTAB_ENTRIES ? 0 : -1;
}

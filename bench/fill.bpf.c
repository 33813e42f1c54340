// SPDX-License-Identifier: GPL-2.0
/* Benchmark helper: allocate pages of a big arena in a pattern. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __arena __attribute__((address_space(1)))

void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id,
				    __u64 flags) __ksym;

struct {
	__uint(type, 33);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1 << 20);
} arena SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

#include "fill.h"

struct fill_args fa;

static int fill_one(__u32 i, void *ctx)
{
	__u64 page = fa.first + (__u64)i * fa.stride;
	__u64 __arena *p;

	if (i >= fa.count || page >= (1 << 20))
		return 1;
	p = bpf_arena_alloc_pages(&arena, (void __arena *)(fa.base + page * 4096), 1, -1, 0);
	if (!p)
		return 0; /* already there from a sparser level */
	*p = page;	  /* something to read back */
	fa.done++;
	return 0;
}

SEC("syscall")
int fill(void *ctx)
{
	fa.done = 0;
	bpf_loop(1 << 20, fill_one, NULL, 0);
	return 0;
}

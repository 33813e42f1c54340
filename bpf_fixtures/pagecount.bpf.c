// SPDX-License-Identifier: GPL-2.0
/*
 * pagecount: the independent, brute-force page counter behind
 * `arena-fixture count`. A bpf_map iterator finds the arena by id and
 * probes each page of [first, first + count) with bpf_probe_read_kernel on
 * the arena's kernel mapping: a present page reads fine, a missing one
 * fails, and nothing is ever allocated. Deliberately shares no code with
 * the inspector's page map. Kernel types are declared with
 * preserve_access_index, so CO-RE finds the fields on the running kernel.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "fx_layout.h"

char LICENSE[] SEC("license") = "GPL";

#define KERN_GUARD_HALF (32 * 1024)

struct vm_struct {
	void *addr;
} __attribute__((preserve_access_index));

struct bpf_map {
	__u32 id;
	enum bpf_map_type map_type;
	__u32 max_entries;
	__u64 map_extra;
} __attribute__((preserve_access_index));

struct bpf_arena {
	struct bpf_map map;
	__u64 user_vm_start;
	__u64 user_vm_end;
	struct vm_struct *kern_vm;
} __attribute__((preserve_access_index));

struct bpf_iter_meta;
struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
} __attribute__((preserve_access_index));

struct pc_args args;
struct pc_result res;
__u64 present_bits[PC_MAX_PAGES / 64];

static __u64 kpage0;

static int probe_page(__u32 i, void *ctx)
{
	__u32 page = args.first + i;
	__u8 byte;

	if (i >= args.count || page >= res.max_entries || page >= PC_MAX_PAGES)
		return 1;
	if (bpf_probe_read_kernel(&byte, 1, (void *)(kpage0 + (__u64)page * 4096)) == 0) {
		__u64 w = page / 64;

		res.present++;
		/* keep the bound check where the verifier can see it */
		asm volatile("" : "+r"(w));
		if (w < PC_MAX_PAGES / 64)
			present_bits[w] |= 1ULL << (page % 64);
	}
	return 0;
}

SEC("iter/bpf_map")
int page_count(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct bpf_arena *arena;

	if (!map || BPF_CORE_READ(map, id) != args.map_id)
		return 0;
	res.found = 1;
	res.map_type = BPF_CORE_READ(map, map_type);
	if (res.map_type != 33)
		return 0;
	arena = (void *)map;
	res.max_entries = BPF_CORE_READ(map, max_entries);
	res.map_extra = BPF_CORE_READ(map, map_extra);
	res.user_vm_start = BPF_CORE_READ(arena, user_vm_start);
	res.user_vm_end = BPF_CORE_READ(arena, user_vm_end);
	/* page i lives at kern_vm + half the guard + (u32)user_vm_start + i pages */
	kpage0 = (__u64)BPF_CORE_READ(arena, kern_vm, addr) + KERN_GUARD_HALF +
		 (__u32)res.user_vm_start;
	bpf_loop(PC_CHUNK, probe_page, NULL, 0);
	return 0;
}

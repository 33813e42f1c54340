/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every fixture BPF program needs: the arena address space, the arena
 * kfuncs (declared here: the uapi and libbpf headers of Debian 12 predate
 * arenas), the arena map and the accounting block. Include once per
 * .bpf.c, after defining FX_ARENA_PAGES.
 */
#ifndef ARENA_FIXTURE_BPF_H
#define ARENA_FIXTURE_BPF_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __arena __attribute__((address_space(1)))

#include "fx_layout.h"

#ifndef FX_ARENA_PAGES
#error "define FX_ARENA_PAGES before including fx_bpf.h"
#endif

#define FX_MAP_TYPE_ARENA 33
#define NUMA_NO_NODE (-1)

void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id,
				    __u64 flags) __ksym;
void bpf_arena_free_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym;
int bpf_arena_reserve_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym;

/* map_extra is left out on purpose: libbpf 1.1 rejects a 64-bit value in
 * the BTF definition. The loader creates the map with it. */
struct {
	__uint(type, FX_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, FX_ARENA_PAGES);
} arena SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

/* the fixture's own page accounting, read by `arena-fixture count` */
struct fx_acct acct;

/* user address of page 0, set by the loader before any program runs */
__u64 arena_base;

/* Programs that touch arena memory without calling a kfunc must still name
 * the arena, or the verifier refuses the address-space casts. */
#define fx_use_arena() asm volatile("" ::"r"(&arena))

static __always_inline void __arena *fx_alloc(__u32 pages)
{
	void __arena *p = bpf_arena_alloc_pages(&arena, NULL, pages, NUMA_NO_NODE, 0);

	if (p) {
		acct.allocated += pages;
		acct.allocs += pages;
	}
	return p;
}

static __always_inline void __arena *fx_alloc_at(__u32 page, __u32 pages)
{
	void __arena *want = (void __arena *)(arena_base + (__u64)page * FX_PAGE_SIZE);
	void __arena *p = bpf_arena_alloc_pages(&arena, want, pages, NUMA_NO_NODE, 0);

	if (p) {
		acct.allocated += pages;
		acct.allocs += pages;
	}
	return p;
}

static __always_inline void fx_free(void __arena *p, __u32 pages)
{
	bpf_arena_free_pages(&arena, p, pages);
	acct.allocated -= pages;
	acct.frees += pages;
}

/*
 * Bump allocator: packs objects into pages taken one at a time. State is in
 * .bss so several calls of one program share it. Returns NULL when the
 * arena is full or size is larger than a page. The cursor is kept as an
 * arena pointer, not an integer: clang-19 sometimes stores through the
 * un-cast register of a pointer made from an integer, which the verifier
 * refuses ("R0 invalid mem access 'scalar'").
 */
char __arena *bump_ptr;
__u32 bump_left;

static __always_inline void __arena *bump_alloc(__u32 size)
{
	void __arena *r;

	size = (size + 7) & ~7U;
	if (size > FX_PAGE_SIZE)
		return NULL;
	if (size > bump_left) {
		char __arena *pg = fx_alloc(1);

		if (!pg)
			return NULL;
		bump_ptr = pg;
		bump_left = FX_PAGE_SIZE;
	}
	r = bump_ptr;
	bump_ptr += size;
	bump_left -= size;
	return r;
}

/* xorshift64: deterministic pseudo-random numbers, state in the caller */
static __always_inline __u64 fx_rand(__u64 *s)
{
	__u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/*
 * clang-19 cannot lower memcpy/memset into address space 1 ("cannot lower
 * memory intrinsic"): the empty asm in each byte loop keeps the optimizer
 * from turning it into one.
 */
#define fx_no_memcpy() asm volatile("" ::: "memory")

/*
 * Write an object built on the stack into arena memory, 8 bytes at a time.
 * clang-19 merges neighbouring constant stores into a wider one and then may
 * emit it through the un-cast register of the arena pointer, which the
 * verifier refuses ("R0 invalid mem access 'scalar'"). Building objects on
 * the stack and copying words avoids constant stores into the arena. size
 * must be a multiple of 8; the source must be fully initialised.
 */
typedef __u64 __attribute__((may_alias)) fx_word; /* reads any object type */

static __always_inline void fx_put(void __arena *dst, const void *src, __u32 size)
{
	fx_word __arena *d = dst;
	const fx_word *s = src;
	__u32 i;

#pragma clang loop unroll(disable)
	for (i = 0; i < size / 8; i++) {
		d[i] = s[i];
		fx_no_memcpy();
	}
}

/* copy a NUL-terminated string of at most n-1 chars into arena memory */
static __always_inline void fx_strcpy(char __arena *dst, const char *src, int n)
{
	int i;

#pragma clang loop unroll(disable)
	for (i = 0; i < n - 1 && src[i]; i++) {
		dst[i] = src[i];
		fx_no_memcpy();
	}
#pragma clang loop unroll(disable)
	for (; i < n; i++) {
		dst[i] = 0;
		fx_no_memcpy();
	}
}

#endif

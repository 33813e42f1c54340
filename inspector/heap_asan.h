/* SPDX-License-Identifier: GPL-2.0 */
/*
 * heap_asan.c answers "is this address poisoned?" from the ASAN
 * shadow of sched_ext's lib/alloc/asan where one is in the arena (for
 * check's classification of pointers into poisoned memory).
 */
#ifndef ARENA_INSPECT_HEAP_ASAN_H
#define ARENA_INSPECT_HEAP_ASAN_H

#include "heap.h"

/* Where the ASAN shadow is: the user address of the shadow byte of arena
 * offset 0, and its bytes (the arena's size / 8). */
struct heap_asan {
	uint64_t shadow;
	uint64_t len;
};

/* 1 and *out when the programs' __asan_shadow_memory_dynamic_address
 * (.bss, u32 or u64) is set, its shadow fits in the arena and some page of
 * it is allocated; 0 when there is none. Reads nothing from the arena. */
int heap_asan__find(const struct heap_ctx *c, struct heap_asan *out);

/* Is any byte of [addr, addr + len) poisoned? 1 (*first, may be NULL, gets
 * the first such byte), 0 none; -ENODATA when a shadow page it needs is
 * not allocated (unknown: nothing is read there), -ERANGE outside the
 * arena, or the source's error; with ai_err. */
int heap_asan__poisoned(const struct heap_ctx *c, const struct heap_asan *a, uint64_t addr,
			uint64_t len, uint64_t *first);

/*
 * One address at a time, for a caller that asks for many (check's scan):
 * the shadow pages read are kept in a small cache (a page not allocated
 * is remembered as such, never read). Zero-initialise it; free with
 * heap_asan__cache_free. Returns 1 poisoned, 0 valid, -ENODATA unknown (a
 * shadow page not allocated), -ERANGE outside the arena, -ENOMEM, or the
 * source's error. No message: the caller decides what an unknown means.
 */
#define HEAP_ASAN_CACHE_PAGES 16

struct heap_asan_cache {
	uint8_t *data; /* HEAP_ASAN_CACHE_PAGES pages, lazily */
	uint32_t page[HEAP_ASAN_CACHE_PAGES];
	int8_t state[HEAP_ASAN_CACHE_PAGES]; /* 0 empty, 1 read, -1 not allocated */
};

int heap_asan__byte_poisoned(const struct heap_ctx *c, const struct heap_asan *a,
			     struct heap_asan_cache *cache, uint64_t addr);
void heap_asan__cache_free(struct heap_asan_cache *cache);

#endif

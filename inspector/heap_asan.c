// SPDX-License-Identifier: GPL-2.0
/*
 * sched_ext's ASAN shadow (sched-ext/scx lib/alloc/asan.bpf.c and asan.h,
 * read at commit 192d301; the selftests' newer libarena keeps the same
 * variable as a u64). The runtime's .bss __asan_shadow_memory_dynamic_address
 * is where the shadow map starts (an arena pointer: its low 32 bits are the
 * offset; asan_init puts it in the last eighth of the arena). The shadow
 * byte of address a is at that + ((u32)a >> 3): 0 means the 8-byte granule
 * is valid, 1..7 that its first that many bytes are, a negative value that
 * all are poisoned (the allocators poison with 0xef). asan_init allocates
 * the whole shadow; a shadow page that is not allocated is never read:
 * those addresses are "unknown", not "clean".
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "heap_asan.h"
#include "heap_mem.h"

#define ASAN_SHIFT 3
#define ASAN_VAR "__asan_shadow_memory_dynamic_address"

int heap_asan__find(const struct heap_ctx *c, struct heap_asan *out)
{
	const struct map_var *v = c->bx ? btfx__find_var(c->bx, ASAN_VAR) : NULL;
	uint64_t dyn = 0, size = source__size(c->src), off;
	uint32_t first, n;
	bool any = false;

	memset(out, 0, sizeof(*out));
	if (!v || (v->size != 4 && v->size != 8) || !size)
		return 0;
	memcpy(&dyn, v->data, v->size); /* little-endian: a u32 fills the low half */
	/* the offset, as the arena sees the pointer's low 32 bits */
	off = (uint32_t)((uint32_t)dyn - (uint32_t)c->src->info.user_vm_start);
	if (!dyn || off + (size >> ASAN_SHIFT) > size)
		return 0;
	/* memory sanity: some of it exists */
	first = (uint32_t)(off >> c->src->info.page_shift);
	n = (uint32_t)((size >> ASAN_SHIFT) >> c->src->info.page_shift);
	for (uint32_t p = first; p < first + n && p < c->pm->nr_pages && !any; p++)
		any = c->pm->state[p] == PAGE_ALLOCATED;
	if (!any)
		return 0;
	out->shadow = c->src->info.user_vm_start + off;
	out->len = size >> ASAN_SHIFT;
	return 1;
}

/* the user address of the shadow byte of addr */
static uint64_t shadow_of(const struct heap_ctx *c, const struct heap_asan *a, uint64_t addr)
{
	uint64_t base_lo = (uint32_t)(a->shadow - c->src->info.user_vm_start);

	return c->src->info.user_vm_start +
	       (uint32_t)(base_lo + ((uint32_t)(addr - c->src->info.user_vm_start) >> ASAN_SHIFT));
}

int heap_asan__poisoned(const struct heap_ctx *c, const struct heap_asan *a, uint64_t addr,
			uint64_t len, uint64_t *first)
{
	uint8_t buf[512];
	uint64_t g0, g1;

	if (!len || !source__contains(c->src, addr, len))
		return ai_err(ERANGE, "0x%llx+%llu is not in the arena", (unsigned long long)addr,
			      (unsigned long long)len);
	g0 = addr >> ASAN_SHIFT;
	g1 = (addr + len - 1) >> ASAN_SHIFT;
	/* granule by granule, reading the shadow in pieces */
	for (uint64_t g = g0; g <= g1;) {
		uint64_t n = g1 - g + 1, sh = shadow_of(c, a, g << ASAN_SHIFT);
		int err;

		if (n > sizeof(buf))
			n = sizeof(buf);
		/* a piece does not wrap around the end of the arena */
		if (sh + n > c->src->info.user_vm_start + source__size(c->src))
			n = c->src->info.user_vm_start + source__size(c->src) - sh;
		err = heapm__read(c, sh, buf, n);
		if (err == -ENODATA)
			return ai_err(ENODATA,
				      "the ASAN shadow of 0x%llx is on a page that is not "
				      "allocated",
				      (unsigned long long)(g << ASAN_SHIFT));
		if (err)
			return err;
		for (uint64_t i = 0; i < n; i++, g++) {
			int8_t s = (int8_t)buf[i];
			uint64_t lo = g << ASAN_SHIFT, hi = lo + 7;

			if (!s)
				continue;
			if (lo < addr)
				lo = addr;
			if (hi > addr + len - 1)
				hi = addr + len - 1;
			/* valid: the granule's first s bytes (s > 0) */
			if (s < 0 || (int64_t)(hi & 7) >= s) {
				if (first)
					*first = s < 0 || (int64_t)(lo & 7) >= s
							 ? lo
							 : (lo & ~7ULL) + (uint64_t)s;
				return 1;
			}
		}
	}
	return 0;
}

int heap_asan__byte_poisoned(const struct heap_ctx *c, const struct heap_asan *a,
			     struct heap_asan_cache *cache, uint64_t addr)
{
	uint32_t shift = c->src->info.page_shift, page, slot;
	uint64_t sh, base = c->src->info.user_vm_start;
	int8_t s;

	if (!source__contains(c->src, addr, 1))
		return -ERANGE;
	sh = shadow_of(c, a, addr);
	page = (uint32_t)((sh - base) >> shift);
	slot = page % HEAP_ASAN_CACHE_PAGES;
	if (!cache->data) {
		cache->data = malloc((size_t)HEAP_ASAN_CACHE_PAGES << shift);
		if (!cache->data)
			return -ENOMEM;
	}
	if (!cache->state[slot] || cache->page[slot] != page) {
		int err = heapm__read(c, base + ((uint64_t)page << shift),
				      cache->data + ((size_t)slot << shift), (size_t)1 << shift);

		if (err && err != -ENODATA)
			return err;
		cache->page[slot] = page;
		cache->state[slot] = err ? -1 : 1;
	}
	if (cache->state[slot] < 0)
		return -ENODATA;
	s = (int8_t)cache->data[((size_t)slot << shift) + ((sh - base) & ((1ull << shift) - 1))];
	/* 0: the granule is valid; 1..7: its first s bytes are */
	return s && (s < 0 || (int64_t)(addr & 7) >= s);
}

void heap_asan__cache_free(struct heap_asan_cache *cache)
{
	if (!cache)
		return;
	free(cache->data);
	memset(cache, 0, sizeof(*cache));
}

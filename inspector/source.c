// SPDX-License-Identifier: GPL-2.0
/* The source interface: bounds checks and page map bookkeeping shared by
 * every kind of source, so each implementation only moves bytes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "error.h"
#include "source.h"

int source__info(struct source *s, struct arena_info *out)
{
	int err = 0;

	if (s->ops->info)
		err = s->ops->info(s, &s->info);
	if (!err && out)
		*out = s->info;
	return err;
}

void pagemap__count(struct pagemap *pm)
{
	uint32_t run = 0;

	memset(pm->counts, 0, sizeof(pm->counts));
	pm->nr_free_runs = 0;
	pm->largest_free_run = 0;
	for (uint32_t i = 0; i < pm->nr_pages; i++) {
		uint8_t st;

		/* big arenas are mostly long runs: take 8 equal pages at a time */
		if (i % 8 == 0 && pm->nr_pages - i >= 8) {
			uint64_t w;

			memcpy(&w, pm->state + i, 8);
			if (w == 0 || w == 0x0101010101010101ULL) {
				st = w ? PAGE_ALLOCATED : PAGE_FREE;
				pm->counts[st] += 8;
				if (st == PAGE_FREE) {
					if (!run)
						pm->nr_free_runs++;
					run += 8;
					if (run > pm->largest_free_run)
						pm->largest_free_run = run;
				} else {
					run = 0;
				}
				i += 7;
				continue;
			}
		}
		st = pm->state[i] <= PAGE_RESERVED ? pm->state[i] : PAGE_FREE;

		pm->counts[st]++;
		if (st == PAGE_FREE) {
			if (!run++)
				pm->nr_free_runs++;
			if (run > pm->largest_free_run)
				pm->largest_free_run = run;
		} else {
			run = 0;
		}
	}
}

uint32_t pagemap__next_runs(const struct pagemap *pm, uint32_t *from, uint32_t max_pages,
			    struct page_run *runs, uint32_t max_runs, uint32_t *npages)
{
	const uint8_t *st = pm->state;
	uint32_t n = pm->nr_pages, p = *from, nruns = 0, total = 0;

	while (nruns < max_runs && total < max_pages) {
		uint32_t b;

		while (p < n && st[p] != PAGE_ALLOCATED)
			p++;
		b = p;
		while (b < n && st[b] == PAGE_ALLOCATED && total + (b - p) < max_pages)
			b++;
		if (b == p)
			break;
		runs[nruns++] = (struct page_run){ p, b - p };
		total += b - p;
		p = b;
	}
	*from = p;
	*npages = total;
	return nruns;
}

int source__pagemap(struct source *s, struct pagemap *pm)
{
	int err;

	memset(pm, 0, sizeof(*pm));
	err = s->ops->pagemap(s, pm);
	if (err) {
		pagemap__free(pm);
		return err;
	}
	if (!pm->counted)
		pagemap__count(pm);
	return 0;
}

void pagemap__free(struct pagemap *pm)
{
	if (!pm)
		return;
	free(pm->state);
	pm->state = NULL;
	pm->nr_pages = 0;
}

int source__read(struct source *s, uint64_t addr, void *buf, size_t len, uint8_t *present)
{
	uint8_t one[64], *p = present;
	size_t np = source__pages_spanned(s, addr, len);
	int err, missing = 0;

	if (!len)
		return 0;
	if (!source__contains(s, addr, len))
		return ai_err(ERANGE, "0x%llx+%zu is outside the arena (0x%llx-0x%llx)",
			      (unsigned long long)addr, len,
			      (unsigned long long)s->info.user_vm_start,
			      (unsigned long long)s->info.user_vm_start +
				      (unsigned long long)source__size(s));
	if (!p) {
		p = np <= sizeof(one) ? one : malloc(np);
		if (!p)
			return ai_err(ENOMEM, "out of memory");
	}
	err = s->ops->read(s, addr - s->info.user_vm_start, buf, len, p);
	if (!err) {
		for (size_t i = 0; i < np; i++)
			missing += !p[i];
		err = missing;
	}
	if (!present && p != one)
		free(p);
	return err;
}

int source__read_exact(struct source *s, uint64_t addr, void *buf, size_t len)
{
	int n = source__read(s, addr, buf, len, NULL);

	if (n > 0)
		return ai_err(ENODATA, "0x%llx is in a page that is not allocated",
			      (unsigned long long)addr);
	return n;
}

void source__close(struct source *s)
{
	if (s)
		s->ops->close(s);
}

int source__gather(struct source *s, struct gather_item *items, size_t n)
{
	if (s->ops->gather)
		return s->ops->gather(s, items, n);
	return source__gather_each(s, items, n);
}

int source__gather_each(struct source *s, struct gather_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t pres[2] = { 0, 0 }; /* len <= 64 spans at most two pages */
		int err;

		/* as the probe answers them: refused items read as missing */
		if (!items[i].len || items[i].len > sizeof(items[i].data) ||
		    items[i].off + items[i].len > source__size(s)) {
			items[i].err = -ENODATA;
			continue;
		}
		err = s->ops->read(s, items[i].off, items[i].data, items[i].len, pres);
		if (err)
			return err;
		items[i].err =
			pres[0] && (source__pages_spanned(s, items[i].off, items[i].len) < 2 ||
				    pres[1])
				? 0
				: -ENODATA;
	}
	return 0;
}

uint32_t ai_host_page_size(void)
{
	static uint32_t size;

	if (!size) {
		long v = sysconf(_SC_PAGESIZE);

		/* POSIX says it cannot fail; a kernel of ours has 4K at least */
		size = v >= (long)AI_PAGE_SIZE_MIN ? (uint32_t)v : AI_PAGE_SIZE_MIN;
	}
	return size;
}

int arena_info__set_page_size(struct arena_info *ai, uint64_t page_size, const char *what)
{
	if (page_size < AI_PAGE_SIZE_MIN || page_size > AI_PAGE_SIZE_MAX ||
	    (page_size & (page_size - 1)))
		return ai_err(EINVAL, "%s: page size %llu is not a power of two in %u..%u", what,
			      (unsigned long long)page_size, AI_PAGE_SIZE_MIN, AI_PAGE_SIZE_MAX);
	ai->page_size = page_size;
	ai->page_shift = __builtin_ctzll(page_size);
	return 0;
}

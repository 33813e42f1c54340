// SPDX-License-Identifier: GPL-2.0
/*
 * The probe object: loading the BPF skeleton with libbpf's messages routed
 * to the application's log callback, running the iterator, and the passes
 * built on it: the free-range walk and page probing that make a page map,
 * page reads and gathers. It knows arenas only by map id; what an arena is
 * called and who uses it is live.c's and owners.c's business.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "compat.h"
#include "error.h"
#include "probe.h"
#include "probe_abi.h"
#include "probe_bpf.skel.h"

struct probe {
	int refs;
	struct probe_opts opts;
	struct probe_bpf *skel; /* NULL until loaded */
	int link_fd;
	struct probe_range *ranges;
	struct probe_range *runs;
	uint8_t *pagebuf[2];
	uint32_t page_shift; /* the kernel's page size, log2 */
	uint32_t buf_pages;  /* pages a read pass takes: PROBE_BUF_BYTES of them */
	unsigned next_buf;   /* read_pages alternates between the two */
	struct probe_gather *gather;
	uint64_t *bits;	    /* allocbits: pages found present */
	uint64_t *freebits; /* freebits: pages in the free-range tree */
	struct probe_stats st;
	char why[256]; /* the verifier's key line from the last load */
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

void probe__stats(struct probe *p, struct probe_stats *out, bool reset)
{
	if (out)
		*out = p->st;
	if (reset)
		memset(&p->st, 0, sizeof(p->st));
}

/* ------------------------------------------------------------ open, close */

struct probe *probe__open(const struct probe_opts *opts)
{
	size_t known = offsetof(struct probe_opts, full_probe) + sizeof(opts->full_probe);
	struct probe *p;

	if (opts && opts->sz < sizeof(opts->sz)) {
		errno = EINVAL;
		ai_err(EINVAL, "probe options without a size");
		return NULL;
	}
	/* a newer caller's fields must be zero: we would ignore them */
	for (size_t i = known; opts && i < opts->sz; i++) {
		if (((const char *)opts)[i]) {
			errno = EINVAL;
			ai_err(EINVAL, "probe options this build does not know");
			return NULL;
		}
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		errno = ENOMEM;
		ai_err(ENOMEM, "out of memory");
		return NULL;
	}
	p->refs = 1;
	p->link_fd = -1;
	p->opts.sz = sizeof(p->opts);
	if (opts)
		memcpy(&p->opts, opts, opts->sz < known ? opts->sz : known);
	p->opts.sz = sizeof(p->opts);
	return p;
}

struct probe *probe__get(struct probe *p)
{
	if (p)
		p->refs++;
	return p;
}

/* The probe whose libbpf call is running: libbpf's print callback has no
 * context pointer. Set only between print_begin and print_end. */
static struct probe *printing;

/* Keep the verifier's key line: the last line of its log that is not one of
 * the summary lines ("processed N insns", "verification time", ...). */
static void keep_verifier_line(struct probe *p, const char *msg)
{
	const char *log = strstr(msg, "-- BEGIN PROG LOAD LOG --\n");
	const char *end, *line, *best = NULL;
	size_t best_len = 0;
	char prog[64];

	if (!log)
		return;
	log += strlen("-- BEGIN PROG LOAD LOG --\n");
	end = strstr(log, "-- END PROG LOAD LOG --");
	if (!end)
		end = log + strlen(log);
	for (line = log; line < end;) {
		const char *nl = memchr(line, '\n', end - line);
		size_t len = (nl ? nl : end) - line;

		if (len && strncmp(line, "processed ", 10) &&
		    strncmp(line, "verification time", 17) && strncmp(line, "stack depth", 11) &&
		    strncmp(line, "mark_read", 9)) {
			best = line;
			best_len = len;
		}
		line += len + 1;
	}
	if (!best)
		return;
	/* "libbpf: prog 'NAME': -- BEGIN PROG LOAD LOG --" names the program */
	if (sscanf(msg, "libbpf: prog '%63[^']'", prog) == 1)
		snprintf(p->why, sizeof(p->why), "program '%s': %.*s", prog, (int)best_len, best);
	else
		snprintf(p->why, sizeof(p->why), "%.*s", (int)best_len, best);
}

static int probe_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	struct probe *p = printing;
	char *msg = NULL;
	int n;

	if (!p || (level != LIBBPF_WARN && !p->opts.log))
		return 0;
	n = vasprintf(&msg, fmt, ap);
	if (n < 0)
		return 0;
	if (level == LIBBPF_WARN)
		keep_verifier_line(p, msg);
	if (p->opts.log)
		p->opts.log(p->opts.log_ctx,
			    level == LIBBPF_WARN   ? AI_LOG_WARN
			    : level == LIBBPF_INFO ? AI_LOG_INFO
						   : AI_LOG_DEBUG,
			    msg);
	free(msg);
	return n;
}

/* Our callback around our own libbpf calls; the application's otherwise. */
static libbpf_print_fn_t print_begin(struct probe *p)
{
	printing = p;
	return libbpf_set_print(probe_print);
}

static void print_end(libbpf_print_fn_t old)
{
	libbpf_set_print(old);
	printing = NULL;
}

static void unload(struct probe *p)
{
	libbpf_print_fn_t old;

	if (!p->skel)
		return;
	if (p->ranges)
		munmap(p->ranges, PROBE_MAX_RANGES * sizeof(struct probe_range));
	if (p->runs)
		munmap(p->runs, PROBE_MAX_RUNS * sizeof(struct probe_range));
	for (int i = 0; i < 2; i++)
		if (p->pagebuf[i])
			munmap(p->pagebuf[i], PROBE_BUF_BYTES);
	if (p->gather)
		munmap(p->gather, PROBE_MAX_GATHER * sizeof(struct probe_gather));
	if (p->bits)
		munmap(p->bits, PROBE_BITMAP_WORDS * 8ULL);
	if (p->freebits)
		munmap(p->freebits, PROBE_BITMAP_WORDS * 8ULL);
	old = print_begin(p);
	probe_bpf__destroy(p->skel);
	print_end(old);
	p->skel = NULL;
	p->link_fd = -1;
	p->ranges = p->runs = NULL;
	p->pagebuf[0] = p->pagebuf[1] = NULL;
	p->gather = NULL;
	p->bits = p->freebits = NULL;
}

void probe__close(struct probe *p)
{
	if (!p || --p->refs > 0)
		return;
	unload(p);
	free(p);
}

/* ------------------------------------------------------------ load */

static void *map_mmap(struct bpf_map *m, size_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_SHARED, bpf_map__fd(m), 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Open and load the skeleton, with the broken test program on request. */
static struct probe_bpf *load_skel(struct probe *p)
{
	const char *fail = getenv("AI_TEST_PROBE_FAIL");
	struct probe_bpf *skel = probe_bpf__open();
	int err;

	if (!skel)
		return NULL;
	/* the kernel's page size, given to the program before the load */
	p->page_shift = __builtin_ctz(ai_host_page_size());
	p->buf_pages = PROBE_BUF_BYTES >> p->page_shift;
	skel->rodata->page_shift = p->page_shift;
	if (bpf_map__set_value_size(skel->maps.pagebuf, 1U << p->page_shift) ||
	    bpf_map__set_value_size(skel->maps.pagebuf2, 1U << p->page_shift) ||
	    bpf_map__set_max_entries(skel->maps.pagebuf, p->buf_pages) ||
	    bpf_map__set_max_entries(skel->maps.pagebuf2, p->buf_pages)) {
		probe_bpf__destroy(skel);
		errno = EINVAL;
		return NULL;
	}
	if (fail && !strcmp(fail, "1"))
		bpf_program__set_autoload(skel->progs.arena_probe_broken, true);
	err = probe_bpf__load(skel);
	if (err) {
		probe_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

int probe__load(struct probe *p)
{
	libbpf_print_fn_t old;
	struct bpf_link *link;
	int err;

	if (p->skel)
		return 0;
	p->why[0] = '\0';
	old = print_begin(p);
	p->skel = load_skel(p);
	err = p->skel ? 0 : -errno;
	if (p->skel) {
		link = bpf_program__attach_iter(p->skel->progs.arena_probe, NULL);
		if (!link) {
			err = -errno;
			probe_bpf__destroy(p->skel);
			p->skel = NULL;
			print_end(old);
			return ai_err(-err, "cannot attach the inspector's map iterator: %s",
				      strerror(-err));
		}
		p->skel->links.arena_probe = link;
	}
	print_end(old);
	if (!p->skel) {
		if (p->why[0])
			return ai_err(
				-err,
				"cannot load the inspector's BPF probe: the verifier refused %s",
				p->why);
		if (err == -EPERM || err == -EACCES)
			return ai_err(
				EPERM,
				"cannot load the inspector's BPF probe: permission denied (%s)",
				AI_NEED_ROOT);
		return ai_err(-err,
			      "cannot load the inspector's BPF probe: %s (kernel >= 6.9 with BPF "
			      "arenas and BTF needed)",
			      strerror(-err));
	}
	p->link_fd = bpf_link__fd(p->skel->links.arena_probe);
	p->ranges = map_mmap(p->skel->maps.ranges, PROBE_MAX_RANGES * sizeof(struct probe_range),
			     PROT_READ);
	p->runs = map_mmap(p->skel->maps.runs, PROBE_MAX_RUNS * sizeof(struct probe_range),
			   PROT_READ | PROT_WRITE);
	p->pagebuf[0] = map_mmap(p->skel->maps.pagebuf, PROBE_BUF_BYTES, PROT_READ);
	p->pagebuf[1] = map_mmap(p->skel->maps.pagebuf2, PROBE_BUF_BYTES, PROT_READ);
	p->gather = map_mmap(p->skel->maps.gather, PROBE_MAX_GATHER * sizeof(struct probe_gather),
			     PROT_READ | PROT_WRITE);
	p->bits = map_mmap(p->skel->maps.allocbits, PROBE_BITMAP_WORDS * 8ULL,
			   PROT_READ | PROT_WRITE);
	p->freebits =
		map_mmap(p->skel->maps.freebits, PROBE_BITMAP_WORDS * 8ULL, PROT_READ | PROT_WRITE);
	if (!p->ranges || !p->runs || !p->pagebuf[0] || !p->pagebuf[1] || !p->gather || !p->bits ||
	    !p->freebits) {
		err = errno;
		unload(p);
		return ai_err(err, "cannot map the probe's buffers: %s", strerror(err));
	}
	return 0;
}

/* ------------------------------------------------------------ one pass */

/*
 * One pass of the iterator over all maps. Returns 0, -ENOENT (no such map),
 * -EINVAL (not an arena) or another -errno. The link, the maps and their
 * mappings live as long as the probe; what a pass costs beyond the
 * program's own work is the iterator fd (bpf_iter_create, close) and the
 * program's call for every map on the machine (probe_stats has both).
 */
static int probe_run(struct probe *p, uint32_t id, enum probe_mode mode)
{
	struct probe_args *a = &p->skel->bss->args;
	struct probe_result *r = &p->skel->bss->res;
	uint64_t t0 = now_ns(), t1, t2;
	char buf[64];
	int fd, n;

	a->target_id = id;
	a->mode = mode;
	memset(r, 0, sizeof(*r));
	fd = bpf_iter_create(p->link_fd);
	if (fd < 0)
		return ai_err(errno, "cannot run the probe: %s", strerror(errno));
	t1 = now_ns();
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	t2 = now_ns();
	close(fd);
	p->st.passes++;
	p->st.maps += r->nr_maps;
	p->st.run_ns += t2 - t1;
	p->st.setup_ns += (t1 - t0) + (now_ns() - t2);
	p->st.walk_ns += r->walk_ns;
	p->st.mark_ns += r->mark_ns;
	p->st.probe_ns += r->probe_ns;
	p->st.check_ns += r->check_ns;
	if (n < 0)
		return ai_err(errno, "probe failed: %s", strerror(errno));
	switch (p->skel->bss->res.status) {
	case PROBE_FOUND: return 0;
	case PROBE_NOT_ARENA: return ai_err(EINVAL, "map %u is not an arena", id);
	default: return ai_err(ENOENT, "arena %u no longer exists", id);
	}
}

int probe__info(struct probe *p, uint32_t id, uint64_t *user_vm_start, uint64_t *user_vm_end)
{
	int err = probe__load(p);

	if (!err)
		err = probe_run(p, id, PROBE_INFO);
	if (err)
		return err;
	*user_vm_start = p->skel->bss->res.user_vm_start;
	*user_vm_end = p->skel->bss->res.user_vm_end;
	return 0;
}

/* ------------------------------------------------------------ page map */

#define NOT_FREE 0xff /* a page outside every free range, not probed yet */

/* The next page at or after p whose state is not PAGE_FREE (0), or max.
 * Eight bytes at a time: a sparse arena is mostly free. */
static uint32_t next_not_free(const uint8_t *state, uint32_t p, uint32_t max)
{
	while (p < max && (p & 7)) {
		if (state[p] != PAGE_FREE)
			return p;
		p++;
	}
	while (p + 8 <= max) {
		uint64_t w;

		memcpy(&w, state + p, 8);
		if (w)
			break;
		p += 8;
	}
	while (p < max && state[p] == PAGE_FREE)
		p++;
	return p;
}

static uint32_t next_free(const uint8_t *state, uint32_t p, uint32_t max)
{
	const uint8_t *f = p < max ? memchr(state + p, PAGE_FREE, max - p) : NULL;

	return f ? (uint32_t)(f - state) : max;
}

/* Probe every page outside the free ranges, PROBE_MAX_RUNS runs per pass:
 * the bitmap says which have memory. An arena nobody mapped yet has none. */
static int probe_not_free(struct probe *pr, uint32_t id, bool mapped, const uint8_t *state,
			  uint32_t max)
{
	uint32_t p = 0, nruns = 0;
	int err;

	memset(pr->bits, 0, PROBE_BITMAP_WORDS * 8ULL);
	if (!mapped)
		return 0;
	for (;;) {
		uint32_t end;

		p = next_not_free(state, p, max);
		if (p < max) {
			end = next_free(state, p, max);
			pr->runs[nruns].start = p;
			pr->runs[nruns].last = end - 1;
			nruns++;
			p = end;
		}
		if (nruns == PROBE_MAX_RUNS || (p >= max && nruns)) {
			pr->skel->bss->args.nr_items = nruns;
			err = probe_run(pr, id, PROBE_PAGES);
			if (err)
				return err;
			nruns = 0;
		}
		if (p >= max)
			return 0;
	}
}

/* Pages outside the free ranges: allocated where the probe found memory,
 * else `absent`. Whole bitmap words first: a full arena has 16k of them. */
static void fill_states(const struct probe *pr, uint8_t *state, uint32_t lo, uint32_t hi,
			uint8_t absent)
{
	uint32_t p = lo;

	while (p < hi) {
		uint64_t w = pr->bits[p / 64];

		if (p % 64 == 0 && hi - p >= 64 && (w == ~0ULL || w == 0)) {
			memset(state + p, w ? PAGE_ALLOCATED : absent, 64);
			p += 64;
			continue;
		}
		state[p] = (w >> (p % 64)) & 1 ? PAGE_ALLOCATED : absent;
		p++;
	}
}

/* No tree to walk: probe every page; what has no memory is free. */
static int pagemap_by_probing(struct probe *p, uint32_t id, bool mapped, struct pagemap *pm)
{
	uint32_t max = pm->nr_pages;
	int err;

	memset(pm->state, NOT_FREE, max);
	err = probe_not_free(p, id, mapped, pm->state, max);
	if (err)
		return err;
	fill_states(p, pm->state, 0, max, PAGE_FREE);
	return 0;
}

/* spread[b]: byte i is bit i of b, so eight pages' bits become their eight
 * state bytes with two lookups and no branch */
static uint64_t spread[256];

static void init_spread(void)
{
	for (int b = 0; b < 256; b++) {
		uint64_t v = 0;

		for (int i = 0; i < 8; i++)
			v |= (uint64_t)((b >> i) & 1) << (8 * i);
		spread[b] = v;
	}
}

/* The PAGEMAP pass's two bitmaps into one state byte a page: free where the
 * free bit is set, else allocated where the probe found memory, else
 * reserved. Whole words of one state take a memset. */
static void bits_to_states(const struct probe *p, uint8_t *state, uint32_t max)
{
	const uint64_t ones = 0x0101010101010101ULL;

	if (!spread[1])
		init_spread();
	for (uint32_t w = 0; w * 64ULL < max; w++) {
		uint64_t f = p->freebits[w], a = p->bits[w] & ~f;
		uint32_t base = w * 64, n = max - base < 64 ? max - base : 64;

		if (n == 64 && f == ~0ULL) {
			/* a stretch of free words in one memset: sparse arenas */
			uint32_t e = w + 1;

			while ((e + 1) * 64ULL <= max && p->freebits[e] == ~0ULL)
				e++;
			memset(state + base, PAGE_FREE, (e - w) * 64);
			w = e - 1;
			continue;
		}
		if (n == 64 && !f && (!a || a == ~0ULL)) {
			memset(state + base, a ? PAGE_ALLOCATED : PAGE_RESERVED, 64);
			continue;
		}
		for (uint32_t i = 0; i < n; i += 8) {
			uint64_t fs = spread[(f >> i) & 0xff], as = spread[(a >> i) & 0xff];
			/* FREE 0, ALLOCATED 1, RESERVED 2 */
			uint64_t v = as | ((ones ^ fs ^ as) << 1);

			if (n - i >= 8)
				memcpy(state + base + i, &v, 8);
			else
				for (uint32_t k = 0; k < n - i; k++)
					state[base + i + k] = v >> (8 * k);
		}
	}
}

/*
 * Counts and free runs from the bitmaps, 64 pages at a time, so that the
 * caller need not count a megabyte of states (pm->counted): free pages are
 * the free bits, allocated the present bits outside them, the rest
 * reserved. A free run starts at a free bit whose predecessor (across
 * words too) is not free.
 */
static uint32_t popcount64(uint64_t x)
{
	/* without -mpopcnt __builtin_popcountll is a libgcc call */
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

static void count_bits(const struct probe *p, struct pagemap *pm)
{
	uint32_t max = pm->nr_pages, run = 0, nfree = 0, nalloc = 0, runs = 0, largest = 0;
	uint64_t carry = 0; /* 1: the page before this word is free */

	for (uint32_t w = 0; w * 64ULL < max; w++) {
		uint32_t n = max - w * 64 < 64 ? max - w * 64 : 64;
		uint64_t mask = n == 64 ? ~0ULL : (1ULL << n) - 1;
		uint64_t f = p->freebits[w] & mask, a = p->bits[w] & ~f & mask;
		uint32_t len = 0;

		if (f == ~0ULL) {
			/* a whole free word: most of a sparse arena */
			nfree += 64;
			runs += !carry;
			run += 64;
			if (run > largest)
				largest = run;
			carry = 1;
			continue;
		}
		nfree += popcount64(f);
		nalloc += a == mask ? n : a ? popcount64(a) : 0;
		runs += popcount64(f & ~((f << 1) | carry));
		if (f == mask) {
			run += n;
		} else {
			/* the run from the last word ends in this one's low bits */
			run += __builtin_ctzll(~f);
			if (run > largest)
				largest = run;
			/* the longest run of ones anywhere in the word */
			for (uint64_t x = f; x; x &= x >> 1)
				len++;
			if (len > largest)
				largest = len;
			/* the run that reaches this word's top page goes on */
			run = n == 64 ? (uint32_t)__builtin_clzll(~f) : 0;
		}
		if (run > largest)
			largest = run;
		carry = n == 64 ? f >> 63 : 0;
	}
	pm->counts[PAGE_FREE] = nfree;
	pm->counts[PAGE_ALLOCATED] = nalloc;
	pm->counts[PAGE_RESERVED] = max - nfree - nalloc;
	pm->nr_free_runs = runs;
	pm->largest_free_run = largest;
	pm->counted = true;
}

/*
 * A page map in one pass, and why it is exact (kernel/bpf/arena.c and
 * range_tree.c, 6.18). The pass walks the free-range tree without a lock,
 * marks the free ranges in a bitmap (a range overlapping another means the
 * walk saw the tree mid-change: retry), probes every page outside them,
 * and then checks that the tree did not change while it looked.
 *
 * Every change to an arena's pages (arena_alloc_pages, arena_free_pages,
 * arena_vm_fault, arena_reserve_pages) runs under arena->lock and changes
 * the tree only through range_tree_set() and range_tree_clear(), before it
 * maps pages (alloc, fault) or after it marks them free (free); nothing
 * else writes arena->rt while the map lives (the iterator holds a
 * reference). So as long as the tree does not change, no page is
 * allocated or freed, and a page in the tree has no memory.
 *
 * Each set/clear moves ranges through range_it_remove() and
 * range_it_insert(): it rewrites rn_start/rn_last of a node it keeps, or
 * links a node in or out, which rewrites a child pointer of the parent (or
 * the root), and the rebalancing rotations rewrite child pointers too. The
 * walk records every node's address and range in BFS order; the check
 * (check_tree in probe.bpf.c) re-reads, after the probing, the root and
 * each recorded node's range and two child pointers, which in BFS order
 * must be the next recorded nodes. If all match, the tree's shape and
 * ranges are the ones the walk saw, so nothing changed between the walk's
 * read and the check's read of any field: the free ranges are the tree's
 * at the moment the walk ended, and the probing, in between, saw the
 * memory of those moments. This is the second full walk it replaces, done
 * without its cost: no queue of nodes to build, no pointer chase (all
 * addresses are known, so a batch's loads overlap), no second iterator
 * pass and no comparison in user space.
 *
 * What neither can see is a change undone before the check reads the same
 * field (ABA: a page allocated and freed again between our two reads);
 * the map then shows the arena as it was before and after that change. A
 * count of changes would close that gap and cost two reads: the kernel
 * keeps none (no generation or sequence number for the tree, and the mutex
 * records its owner, not how often it was taken), and counting them
 * ourselves with fentry programs on range_tree_set/clear needs tracing
 * programs, which this machine's kernel refuses (EPERM, even as root).
 *
 * One exception remains, as before: a reserved page that its owner faults
 * in is allocated without a tree change, so it may show as reserved or
 * allocated, each true when it was probed.
 */
int probe__pagemap(struct probe *p, uint32_t id, struct pagemap *pm, uint64_t *start, uint64_t *end)
{
	struct probe_result *r;
	uint32_t max = pm->nr_pages;
	bool have = false;
	int err, tries;

	err = probe__load(p);
	if (err)
		return err;
	r = &p->skel->bss->res;
	if (max > PROBE_BITMAP_WORDS * 64)
		return ai_err(E2BIG, "arena %u has %u pages: at most %u", id, max,
			      PROBE_BITMAP_WORDS * 64);
	for (tries = 0; tries < 4; tries++) {
		uint64_t t0 = now_ns();

		memset(p->freebits, 0, (max + 63) / 64 * 8);
		memset(p->bits, 0, (max + 63) / 64 * 8);
		p->st.user_ns += now_ns() - t0;
		if (p->opts.full_probe)
			err = probe_run(p, id, PROBE_INFO);
		else
			err = probe_run(p, id, PROBE_PAGEMAP);
		if (err)
			return err;
		*start = r->user_vm_start;
		*end = r->user_vm_end;
		if (p->opts.full_probe || r->no_tree)
			return pagemap_by_probing(p, id, r->user_vm_start != 0, pm);
		if (r->broken || r->nr_ranges > PROBE_MAX_RANGES) {
			p->st.retries++;
			continue; /* no usable state from this try */
		}
		t0 = now_ns();
		bits_to_states(p, pm->state, max);
		count_bits(p, pm);
		p->st.user_ns += now_ns() - t0;
		have = true;
		if (!r->changed)
			break;
		p->st.retries++;
	}
	if (!have)
		return ai_err(EAGAIN, "the arena kept changing; no consistent page map");
	pm->stale = tries == 4;
	return 0;
}

int probe__walk_then_check(struct probe *p, uint32_t id, void (*between)(void *ctx), void *ctx,
			   bool *changed)
{
	int err = probe__load(p);

	if (!err)
		err = probe_run(p, id, PROBE_RANGES);
	if (err)
		return err;
	if (p->skel->bss->res.no_tree)
		return ai_err(EOPNOTSUPP, "this kernel's arenas have no free-range tree");
	if (p->skel->bss->res.broken)
		return ai_err(EAGAIN, "the tree changed under the walk");
	if (between)
		between(ctx);
	err = probe_run(p, id, PROBE_CHECK);
	if (err)
		return err;
	*changed = p->skel->bss->res.changed;
	return 0;
}

int probe__count_pages(struct probe *p, uint32_t id, uint32_t first, uint32_t count,
		       uint32_t *allocated)
{
	int err = probe__load(p);

	if (err)
		return err;
	memset(p->bits, 0, PROBE_BITMAP_WORDS * 8ULL);
	p->runs[0].start = first;
	p->runs[0].last = first + count - 1;
	p->skel->bss->args.nr_items = 1;
	err = probe_run(p, id, PROBE_PAGES);
	if (err)
		return err;
	*allocated = p->skel->bss->res.nr_ok;
	return 0;
}

/* ------------------------------------------------------------ reads */

/* One READ pass: pages [pg, pg + n) into page buffer `buf`. */
static int read_pass(struct probe *p, uint32_t id, uint64_t pg, uint32_t n, unsigned buf)
{
	int err;

	p->skel->bss->args.first_page = pg;
	p->skel->bss->args.nr_pages = n;
	p->skel->bss->args.buf = buf;
	err = probe_run(p, id, PROBE_READ);
	if (err)
		return err;
	if (!p->skel->bss->res.user_vm_start)
		return ai_err(ENODATA, "arena %u was never mapped: it has no pages", id);
	p->st.read_passes++;
	p->st.read_bytes += (uint64_t)n << p->page_shift;
	return 0;
}

int probe__read_pages(struct probe *p, uint32_t id, uint32_t first, uint32_t n,
		      const uint8_t **data, uint8_t *present)
{
	unsigned b;
	int err;

	err = probe__load(p);
	if (err)
		return err;
	if (!n || n > p->buf_pages)
		return ai_err(ERANGE, "pages %u+%u: at most %u pages a pass", first, n,
			      p->buf_pages);
	b = p->next_buf;
	err = read_pass(p, id, first, n, b);
	if (err)
		return err;
	p->next_buf ^= 1;
	memcpy(present, p->skel->bss->page_ok, n);
	*data = p->pagebuf[b];
	return 0;
}

int probe__read_runs(struct probe *p, uint32_t id, const struct page_run *runs, uint32_t nruns,
		     const uint8_t **data, uint8_t *present)
{
	uint64_t total = 0;
	unsigned b;
	int err;

	err = probe__load(p);
	if (err)
		return err;
	for (uint32_t i = 0; i < nruns; i++) {
		if (!runs[i].count)
			return ai_err(ERANGE, "an empty run of pages");
		total += runs[i].count;
	}
	if (!nruns || total > p->buf_pages)
		return ai_err(ERANGE, "%llu pages in %u runs: at most %u pages a pass",
			      (unsigned long long)total, nruns, p->buf_pages);
	for (uint32_t i = 0; i < nruns; i++) {
		p->runs[i].start = runs[i].first;
		p->runs[i].last = runs[i].first + runs[i].count - 1;
	}
	b = p->next_buf;
	p->skel->bss->args.nr_items = nruns;
	p->skel->bss->args.buf = b;
	err = probe_run(p, id, PROBE_READ_RUNS);
	if (err)
		return err;
	if (!p->skel->bss->res.user_vm_start)
		return ai_err(ENODATA, "arena %u was never mapped: it has no pages", id);
	p->st.read_passes++;
	p->st.read_bytes += total << p->page_shift;
	p->next_buf ^= 1;
	memcpy(present, p->skel->bss->page_ok, total);
	*data = p->pagebuf[b];
	return 0;
}

int probe__read(struct probe *p, uint32_t id, uint64_t off, void *buf, size_t len, uint8_t *present)
{
	uint64_t first, last;
	uint8_t *dst = buf;
	uint32_t sh;
	int err;

	err = probe__load(p);
	if (err)
		return err;
	sh = p->page_shift;
	first = off >> sh;
	last = (off + len - 1) >> sh;
	for (uint64_t pg = first; pg <= last; pg += p->buf_pages) {
		uint32_t n = last - pg + 1 > p->buf_pages ? p->buf_pages : last - pg + 1;
		uint64_t t0;

		err = read_pass(p, id, pg, n, 0);
		if (err)
			return err;
		t0 = now_ns();
		for (uint32_t i = 0; i < n; i++) {
			uint64_t pgi = pg + i;
			uint64_t lo = pgi << sh > off ? pgi << sh : off;
			uint64_t hi = (pgi + 1) << sh < off + len ? (pgi + 1) << sh : off + len;
			bool ok = p->skel->bss->page_ok[i];

			present[pgi - first] = ok;
			if (ok)
				memcpy(dst + (lo - off),
				       p->pagebuf[0] + ((uint64_t)i << sh) +
					       (lo & ((1ULL << sh) - 1)),
				       hi - lo);
			else
				memset(dst + (lo - off), 0, hi - lo);
		}
		p->st.copy_ns += now_ns() - t0;
	}
	return 0;
}

int probe__gather(struct probe *p, uint32_t id, struct gather_item *items, size_t n)
{
	int err = probe__load(p);

	if (err)
		return err;
	for (size_t base = 0; base < n; base += PROBE_MAX_GATHER) {
		size_t m = n - base > PROBE_MAX_GATHER ? PROBE_MAX_GATHER : n - base;

		for (size_t i = 0; i < m; i++) {
			p->gather[i].off = items[base + i].off;
			p->gather[i].len = items[base + i].len;
		}
		p->skel->bss->args.nr_items = m;
		err = probe_run(p, id, PROBE_GATHER);
		if (err)
			return err;
		for (size_t i = 0; i < m; i++) {
			struct gather_item *it = &items[base + i];

			it->err = p->gather[i].err ? -ENODATA : 0;
			if (!it->err)
				memcpy(it->data, p->gather[i].data, it->len);
		}
	}
	return 0;
}

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
	uint64_t *bits;
	char why[256]; /* the verifier's key line from the last load */
};

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
	old = print_begin(p);
	probe_bpf__destroy(p->skel);
	print_end(old);
	p->skel = NULL;
	p->link_fd = -1;
	p->ranges = p->runs = NULL;
	p->pagebuf[0] = p->pagebuf[1] = NULL;
	p->gather = NULL;
	p->bits = NULL;
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
	if (!p->ranges || !p->runs || !p->pagebuf[0] || !p->pagebuf[1] || !p->gather || !p->bits) {
		err = errno;
		unload(p);
		return ai_err(err, "cannot map the probe's buffers: %s", strerror(err));
	}
	return 0;
}

/* ------------------------------------------------------------ one pass */

/* One pass of the iterator over all maps. Returns 0, -ENOENT (no such map),
 * -EINVAL (not an arena) or another -errno. */
static int probe_run(struct probe *p, uint32_t id, enum probe_mode mode)
{
	struct probe_args *a = &p->skel->bss->args;
	char buf[64];
	int fd, n;

	a->target_id = id;
	a->mode = mode;
	memset(&p->skel->bss->res, 0, sizeof(p->skel->bss->res));
	fd = bpf_iter_create(p->link_fd);
	if (fd < 0)
		return ai_err(errno, "cannot run the probe: %s", strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
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

/* One walk of the free-range tree: its ranges stay in p->ranges (tree level
 * order) until the next probe run. -EAGAIN when the tree changed under it,
 * -EOPNOTSUPP when the kernel has no range tree. */
static int walk_ranges(struct probe *p, uint32_t id, uint32_t *n)
{
	int err = probe_run(p, id, PROBE_RANGES);
	struct probe_result *r = &p->skel->bss->res;

	if (err)
		return err;
	if (r->no_tree || p->opts.full_probe)
		return -EOPNOTSUPP;
	if (r->broken || r->nr_ranges > PROBE_MAX_RANGES)
		return -EAGAIN;
	*n = r->nr_ranges;
	return 0;
}

#define NOT_FREE 0xff /* a page outside every free range, not probed yet */

/* Mark the free ranges in state (everything else NOT_FREE). Ranges of a
 * consistent tree are disjoint: an overlap means it changed under the walk. */
static int mark_free(uint8_t *state, uint32_t max, const struct probe_range *fr, uint32_t nfr)
{
	memset(state, NOT_FREE, max);
	for (uint32_t i = 0; i < nfr; i++) {
		uint32_t len;

		if (fr[i].last < fr[i].start || fr[i].last >= max)
			return -EAGAIN;
		len = fr[i].last - fr[i].start + 1;
		if (memchr(state + fr[i].start, PAGE_FREE, len))
			return -EAGAIN;
		memset(state + fr[i].start, PAGE_FREE, len);
	}
	return 0;
}

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
 * else reserved. Whole bitmap words first: a full arena has 16k of them. */
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

int probe__pagemap(struct probe *p, uint32_t id, bool mapped, struct pagemap *pm)
{
	struct probe_range *r1 = NULL;
	uint32_t n1 = 0, n2 = 0, max = pm->nr_pages;
	bool have = false;
	int err, tries;

	err = probe__load(p);
	if (err)
		return err;
	/*
	 * The walk takes no lock. Walk, probe the pages outside the free
	 * ranges, walk again: if the two walks agree, the map is exact for
	 * that moment. The second walk's ranges are compared in place.
	 */
	for (tries = 0; tries < 4; tries++) {
		err = walk_ranges(p, id, &n1);
		if (err == -EAGAIN)
			continue;
		if (err == -EOPNOTSUPP) {
			err = pagemap_by_probing(p, id, mapped, pm);
			goto out;
		}
		if (err)
			goto out;
		free(r1);
		r1 = malloc((n1 ? n1 : 1) * sizeof(*r1));
		if (!r1) {
			err = ai_err(ENOMEM, "out of memory");
			goto out;
		}
		memcpy(r1, p->ranges, n1 * sizeof(*r1));
		if (mark_free(pm->state, max, r1, n1)) {
			have = false; /* the state of an earlier try is gone */
			continue;
		}
		err = probe_not_free(p, id, mapped, pm->state, max);
		if (err)
			goto out;
		have = true;
		err = walk_ranges(p, id, &n2);
		if (err == -EAGAIN || err == -EOPNOTSUPP)
			continue;
		if (err)
			goto out;
		if (n1 == n2 && !memcmp(r1, p->ranges, n1 * sizeof(*r1)))
			break;
	}
	if (!have) {
		err = ai_err(EAGAIN, "the arena kept changing; no consistent page map");
		goto out;
	}
	pm->stale = tries == 4;
	for (uint32_t pg = next_not_free(pm->state, 0, max); pg < max;) {
		uint32_t end = next_free(pm->state, pg, max);

		fill_states(p, pm->state, pg, end, PAGE_RESERVED);
		pg = next_not_free(pm->state, end, max);
	}
	err = 0;
out:
	free(r1);
	return err;
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

		err = read_pass(p, id, pg, n, 0);
		if (err)
			return err;
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

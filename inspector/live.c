// SPDX-License-Identifier: GPL-2.0
/*
 * The live source. All kernel access goes through the probe (an iterator
 * program that finds the arena by id on every pass), so we hold no fd to the
 * arena between calls: if it is destroyed while we are attached, the next
 * pass simply does not find it and we say so.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "compat.h"
#include "error.h"
#include "live.h"
#include "probe.h"
#include "probe.skel.h"
#include "snapshot.h"

const char selector__usage[] = "id ID | pinned PATH | name NAME | FILE";

#define NEED_ROOT "need root: CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN"

/* ------------------------------------------------------------ the probe */

static struct {
	struct probe *skel;
	int link_fd;
	struct probe_range *ranges;
	struct probe_range *runs;
	uint8_t *pagebuf[2];
	unsigned next_buf; /* read_pages alternates between the two */
	struct probe_gather *gather;
	uint64_t *bits;
} P = { .link_fd = -1 };

static void *map_mmap(struct bpf_map *m, size_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_SHARED, bpf_map__fd(m), 0);

	return p == MAP_FAILED ? NULL : p;
}

static int probe_init(void)
{
	struct bpf_link *link;
	int err;

	if (P.skel)
		return 0;
	/* libbpf's output (the verifier log on a failure) must not reach the
	 * terminal: captured for good, handed to the application's handler */
	ai_libbpf_capture();
	P.skel = probe__open_and_load();
	if (!P.skel) {
		err = -errno;
		if (err == -EPERM || err == -EACCES)
			return ai_err(EPERM, "cannot load the inspector's BPF probe: permission denied (%s)",
				      NEED_ROOT);
		return ai_err(-err, "cannot load the inspector's BPF probe: %s (kernel >= 6.9 with BPF arenas and BTF needed)",
			      strerror(-err));
	}
	link = bpf_program__attach_iter(P.skel->progs.arena_probe, NULL);
	if (!link) {
		err = -errno;
		probe__destroy(P.skel);
		P.skel = NULL;
		return ai_err(-err, "cannot attach the inspector's map iterator: %s", strerror(-err));
	}
	P.skel->links.arena_probe = link;
	P.link_fd = bpf_link__fd(link);
	P.ranges = map_mmap(P.skel->maps.ranges, PROBE_MAX_RANGES * sizeof(struct probe_range), PROT_READ);
	P.runs = map_mmap(P.skel->maps.runs, PROBE_MAX_RUNS * sizeof(struct probe_range),
			  PROT_READ | PROT_WRITE);
	P.pagebuf[0] = map_mmap(P.skel->maps.pagebuf, PROBE_BUF_PAGES * 4096ULL, PROT_READ);
	P.pagebuf[1] = map_mmap(P.skel->maps.pagebuf2, PROBE_BUF_PAGES * 4096ULL, PROT_READ);
	P.gather = map_mmap(P.skel->maps.gather, PROBE_MAX_GATHER * sizeof(struct probe_gather),
			    PROT_READ | PROT_WRITE);
	P.bits = map_mmap(P.skel->maps.allocbits, PROBE_BITMAP_WORDS * 8ULL, PROT_READ | PROT_WRITE);
	if (!P.ranges || !P.runs || !P.pagebuf[0] || !P.pagebuf[1] || !P.gather || !P.bits) {
		err = errno;
		probe__destroy(P.skel);
		P.skel = NULL;
		return ai_err(err, "cannot map the probe's buffers: %s", strerror(err));
	}
	return 0;
}

/* One pass of the iterator over all maps. Returns 0, -ENOENT (no such map),
 * -EINVAL (not an arena) or another -errno. */
static int probe_run(uint32_t id, enum probe_mode mode)
{
	struct probe_args *a = &P.skel->bss->args;
	char buf[64];
	int fd, n;

	a->target_id = id;
	a->mode = mode;
	memset(&P.skel->bss->res, 0, sizeof(P.skel->bss->res));
	fd = bpf_iter_create(P.link_fd);
	if (fd < 0)
		return ai_err(errno, "cannot run the probe: %s", strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	if (n < 0)
		return ai_err(errno, "probe failed: %s", strerror(errno));
	switch (P.skel->bss->res.status) {
	case PROBE_FOUND:
		return 0;
	case PROBE_NOT_ARENA:
		return ai_err(EINVAL, "map %u is not an arena", id);
	default:
		return ai_err(ENOENT, "arena %u no longer exists", id);
	}
}

/* ------------------------------------------------------------ selectors */

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	if (!s || !*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	x = strtoul(s, &end, 0);
	if (errno || *end || x > UINT32_MAX)
		return -EINVAL;
	*v = x;
	return 0;
}

int selector__parse(int argc, char **argv, struct selector *sel, int *used)
{
	memset(sel, 0, sizeof(*sel));
	*used = 0;
	if (argc < 1)
		return ai_err(EINVAL, "expected an arena: %s", selector__usage);
	if (!strcmp(argv[0], "id") || !strcmp(argv[0], "pinned") || !strcmp(argv[0], "name")) {
		if (argc < 2)
			return ai_err(EINVAL, "'%s' needs an argument: %s", argv[0], selector__usage);
		*used = 2;
		if (argv[0][0] == 'i') {
			sel->kind = SEL_ID;
			if (parse_u32(argv[1], &sel->id))
				return ai_err(EINVAL, "'%s' is not a map id", argv[1]);
			return 0;
		}
		sel->kind = argv[0][0] == 'p' ? SEL_PINNED : SEL_NAME;
		if (strlen(argv[1]) >= sizeof(sel->arg))
			return ai_err(ENAMETOOLONG, "'%.40s...' is too long", argv[1]);
		strcpy(sel->arg, argv[1]);
		return 0;
	}
	*used = 1;
	sel->kind = SEL_FILE;
	if (strlen(argv[0]) >= sizeof(sel->arg))
		return ai_err(ENAMETOOLONG, "'%.40s...' is too long", argv[0]);
	strcpy(sel->arg, argv[0]);
	return 0;
}

static int map_info_by_fd(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	/* 6.18 leaves unfilled fields as they were: always start from zero */
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return -errno;
	return 0;
}

static int perm_or(int err, const char *what)
{
	if (err == -EPERM || err == -EACCES)
		return ai_err(EPERM, "%.200s: permission denied (%s)", what, NEED_ROOT);
	return ai_err(-err, "%.200s: %s", what, strerror(-err));
}

static bool on_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && (unsigned long)st.f_type == BPF_FS_MAGIC;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static const char *map_type_name(uint32_t t)
{
	static const char *names[] = {
		"unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash",
		"percpu_array", "stack_trace", "cgroup_array", "lru_hash", "lru_percpu_hash",
		"lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap",
		"xskmap", "sockhash", "cgroup_storage", "reuseport_sockarray",
		"percpu_cgroup_storage", "queue", "stack", "sk_storage", "devmap_hash",
		"struct_ops", "ringbuf", "inode_storage", "task_storage", "bloom_filter",
		"user_ringbuf", "cgrp_storage", "arena",
	};

	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

static int check_arena(const struct bpf_map_info *mi, const char *what)
{
	if (mi->type != AI_MAP_TYPE_ARENA)
		return ai_err(EINVAL, "%.120s (map %u '%s') is a %s map, not an arena", what, mi->id,
			      mi->name, map_type_name(mi->type));
	return 0;
}

/* Resolve a selector to a map id, checking that it is an arena. */
static int resolve_id(const struct selector *sel, uint32_t *id)
{
	struct bpf_map_info mi;
	char what[128], link[64], path[64];
	int fd, err;

	switch (sel->kind) {
	case SEL_ID:
		snprintf(what, sizeof(what), "map id %u", sel->id);
		fd = bpf_map_get_fd_by_id(sel->id);
		if (fd < 0) {
			if (errno == ENOENT)
				return ai_err(ENOENT, "no map with id %u", sel->id);
			return perm_or(-errno, what);
		}
		break;
	case SEL_PINNED:
		snprintf(what, sizeof(what), "%.120s", sel->arg);
		fd = bpf_obj_get(sel->arg);
		if (fd < 0) {
			if (errno == ENOENT)
				return ai_err(ENOENT, "%s: no such pinned object", sel->arg);
			if (errno == EINVAL)
				return ai_err(EINVAL, "%s: not a pinned BPF object (is bpffs mounted?)", sel->arg);
			err = -errno;
			/* the kernel says EACCES for a path outside bpffs, root or not */
			if (err == -EACCES && !on_bpffs(sel->arg))
				return ai_err(EINVAL, "%s: not a pinned BPF object (not on a bpffs such as /sys/fs/bpf)",
					      sel->arg);
			if (err == -EACCES && is_dir(sel->arg))
				return ai_err(EISDIR, "%s is a directory, not a pinned map", sel->arg);
			return perm_or(err, what);
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		err = readlink(path, link, sizeof(link) - 1);
		link[err > 0 ? err : 0] = '\0';
		if (!strstr(link, "bpf-map")) {
			close(fd);
			return ai_err(EINVAL, "%s is not a pinned map (%s)", sel->arg,
				      strstr(link, "prog") ? "it is a program" :
				      strstr(link, "link") ? "it is a link" : "not a map");
		}
		break;
	case SEL_NAME: {
		uint32_t cur = 0, found[16];
		int nfound = 0;

		while (!bpf_map_get_next_id(cur, &cur)) {
			fd = bpf_map_get_fd_by_id(cur);
			if (fd < 0)
				continue;
			if (!map_info_by_fd(fd, &mi) && mi.type == AI_MAP_TYPE_ARENA &&
			    !strcmp(mi.name, sel->arg) && nfound < 16)
				found[nfound++] = mi.id;
			close(fd);
		}
		if (errno == EPERM)
			return perm_or(-EPERM, "listing maps");
		if (nfound == 0)
			return ai_err(ENOENT, "no arena named '%s'", sel->arg);
		if (nfound > 1) {
			char ids[160] = "";
			size_t off = 0;

			for (int i = 0; i < nfound && off < sizeof(ids) - 12; i++)
				off += snprintf(ids + off, sizeof(ids) - off, "%s%u", i ? ", " : "", found[i]);
			return ai_err(EEXIST, "%d arenas are named '%s' (ids %s): use 'id ID'", nfound,
				      sel->arg, ids);
		}
		*id = found[0];
		return 0;
	}
	default:
		return ai_err(EINVAL, "not a live arena selector");
	}
	err = map_info_by_fd(fd, &mi);
	close(fd);
	if (err)
		return perm_or(err, what);
	err = check_arena(&mi, what);
	if (err)
		return err;
	*id = mi.id;
	return 0;
}

/* ------------------------------------------------------------ info */

static int id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Programs whose map_ids contain the arena. */
static void find_progs(struct arena_info *ai)
{
	uint32_t cur = 0;

	ai->nr_progs = 0;
	while (!bpf_prog_get_next_id(cur, &cur)) {
		struct bpf_prog_info pi;
		uint32_t ids[64] = {}; /* the kernel fills it; valgrind cannot see that */
		__u32 len = sizeof(pi);
		int fd = bpf_prog_get_fd_by_id(cur);

		if (fd < 0)
			continue;
		memset(&pi, 0, sizeof(pi));
		pi.nr_map_ids = 64;
		pi.map_ids = (uintptr_t)ids;
		if (!bpf_obj_get_info_by_fd(fd, &pi, &len)) {
			for (uint32_t i = 0; i < pi.nr_map_ids && i < 64; i++) {
				if (ids[i] == ai->map_id && ai->nr_progs < 64) {
					ai->prog_ids[ai->nr_progs++] = cur;
					break;
				}
			}
		}
		close(fd);
	}
}

static void add_owner(struct arena_info *ai, int pid)
{
	for (uint32_t i = 0; i < ai->nr_owners; i++)
		if (ai->owner_pids[i] == pid)
			return;
	if (ai->nr_owners < 64)
		ai->owner_pids[ai->nr_owners++] = pid;
}

/* Does /proc/PID/fdinfo say some fd of PID is this map? */
static bool pid_holds_map(const char *pid, uint32_t map_id)
{
	char path[320], link[64], line[128];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		FILE *f;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, "anon_inode:bpf-map"))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned v;

			if (sscanf(line, "map_id: %u", &v) == 1) {
				found = v == map_id;
				break;
			}
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

static bool pid_maps_arena(const char *pid, uint64_t start)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long long lo;

		if (sscanf(line, "%llx-", &lo) == 1 && lo == start && strstr(line, "bpf-map"))
			found = true;
	}
	fclose(f);
	return found;
}

/* Processes that hold an fd to the arena or map it (our own pid excluded). */
static void find_owners(struct arena_info *ai)
{
	char self[16];
	struct dirent *de;
	DIR *d = opendir("/proc");

	ai->nr_owners = 0;
	if (!d)
		return;
	snprintf(self, sizeof(self), "%d", getpid());
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]) || !strcmp(de->d_name, self))
			continue;
		if ((ai->user_vm_start && pid_maps_arena(de->d_name, ai->user_vm_start)) ||
		    pid_holds_map(de->d_name, ai->map_id))
			add_owner(ai, atoi(de->d_name));
	}
	closedir(d);
	qsort(ai->owner_pids, ai->nr_owners, sizeof(ai->owner_pids[0]), id_cmp);
}

struct live {
	struct source src;
	uint32_t id;
};

/* Refresh everything but programs/owners (cheap: one map info + one pass). */
static int live_basic_info(struct live *l)
{
	struct bpf_map_info mi;
	struct probe_result *r;
	int fd, err;

	fd = bpf_map_get_fd_by_id(l->id);
	if (fd < 0) {
		if (errno == ENOENT)
			return ai_err(ENOENT, "arena %u no longer exists", l->id);
		return perm_or(-errno, "opening the arena");
	}
	err = map_info_by_fd(fd, &mi);
	close(fd);
	if (err)
		return perm_or(err, "reading the arena's info");
	err = check_arena(&mi, "the selected map");
	if (err)
		return err;
	err = probe_init();
	if (err)
		return err;
	err = probe_run(l->id, PROBE_INFO);
	if (err)
		return err;
	r = &P.skel->bss->res;
	l->src.info.map_id = l->id;
	snprintf(l->src.info.name, sizeof(l->src.info.name), "%s", mi.name);
	l->src.info.map_flags = mi.map_flags;
	l->src.info.max_pages = mi.max_entries;
	l->src.info.map_extra = mi.map_extra;
	l->src.info.user_vm_start = r->user_vm_start;
	l->src.info.user_vm_end = r->user_vm_end;
	return 0;
}

static int live_info(struct source *s, struct arena_info *out)
{
	struct live *l = (void *)s;
	int err = live_basic_info(l);

	if (err)
		return err;
	find_progs(&s->info);
	find_owners(&s->info);
	return 0;
}

/* ------------------------------------------------------------ page map */

static bool full_probe;

void live__set_full_probe(bool on)
{
	full_probe = on;
}

/* One walk of the free-range tree: its ranges stay in P.ranges (tree level
 * order) until the next probe run. -EAGAIN when the tree changed under it,
 * -EOPNOTSUPP when the kernel has no range tree. */
static int walk_ranges(uint32_t id, uint32_t *n)
{
	int err = probe_run(id, PROBE_RANGES);
	struct probe_result *r = &P.skel->bss->res;

	if (err)
		return err;
	if (r->no_tree || full_probe)
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
static int probe_not_free(const struct live *l, const uint8_t *state, uint32_t max)
{
	uint32_t p = 0, nruns = 0;
	int err;

	memset(P.bits, 0, PROBE_BITMAP_WORDS * 8ULL);
	if (!l->src.info.user_vm_start)
		return 0;
	for (;;) {
		uint32_t end;

		p = next_not_free(state, p, max);
		if (p < max) {
			end = next_free(state, p, max);
			P.runs[nruns].start = p;
			P.runs[nruns].last = end - 1;
			nruns++;
			p = end;
		}
		if (nruns == PROBE_MAX_RUNS || (p >= max && nruns)) {
			P.skel->bss->args.nr_items = nruns;
			err = probe_run(l->id, PROBE_PAGES);
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
static void fill_states(uint8_t *state, uint32_t lo, uint32_t hi, uint8_t absent)
{
	uint32_t p = lo;

	while (p < hi) {
		uint64_t w = P.bits[p / 64];

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
static int pagemap_by_probing(struct live *l, struct pagemap *pm)
{
	uint32_t max = pm->nr_pages;
	int err;

	memset(pm->state, NOT_FREE, max);
	err = probe_not_free(l, pm->state, max);
	if (err)
		return err;
	fill_states(pm->state, 0, max, PAGE_FREE);
	return 0;
}

static int live_pagemap(struct source *s, struct pagemap *pm)
{
	struct live *l = (void *)s;
	struct probe_range *r1 = NULL;
	uint32_t n1 = 0, n2 = 0, max;
	bool have = false;
	int err = 0, tries;

	err = live_basic_info(l);
	if (err)
		return err;
	max = s->info.max_pages;
	if (max > AI_ARENA_MAX_PAGES)
		return ai_err(E2BIG, "arena %u claims %u pages", l->id, max);
	pm->nr_pages = max;
	pm->state = calloc(max ? max : 1, 1);
	if (!pm->state)
		return ai_err(ENOMEM, "out of memory");

	/*
	 * The walk takes no lock. Walk, probe the pages outside the free
	 * ranges, walk again: if the two walks agree, the map is exact for
	 * that moment. The second walk's ranges are compared in place.
	 */
	for (tries = 0; tries < 4; tries++) {
		err = walk_ranges(l->id, &n1);
		if (err == -EAGAIN)
			continue;
		if (err == -EOPNOTSUPP) {
			err = pagemap_by_probing(l, pm);
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
		memcpy(r1, P.ranges, n1 * sizeof(*r1));
		if (mark_free(pm->state, max, r1, n1)) {
			have = false; /* the state of an earlier try is gone */
			continue;
		}
		err = probe_not_free(l, pm->state, max);
		if (err)
			goto out;
		have = true;
		err = walk_ranges(l->id, &n2);
		if (err == -EAGAIN || err == -EOPNOTSUPP)
			continue;
		if (err)
			goto out;
		if (n1 == n2 && !memcmp(r1, P.ranges, n1 * sizeof(*r1)))
			break;
	}
	if (!have) {
		err = ai_err(EAGAIN, "the arena kept changing; no consistent page map");
		goto out;
	}
	pm->stale = tries == 4;
	for (uint32_t p = next_not_free(pm->state, 0, max); p < max;) {
		uint32_t end = next_free(pm->state, p, max);

		fill_states(pm->state, p, end, PAGE_RESERVED);
		p = next_not_free(pm->state, end, max);
	}
	err = 0;
out:
	free(r1);
	return err;
}

/* ------------------------------------------------------------ reads */

/* One READ pass: pages [pg, pg + n) into page buffer `buf`. */
static int probe_read_pages(struct live *l, uint64_t pg, uint32_t n, unsigned buf)
{
	int err;

	P.skel->bss->args.first_page = pg;
	P.skel->bss->args.nr_pages = n;
	P.skel->bss->args.buf = buf;
	err = probe_run(l->id, PROBE_READ);
	if (err)
		return err;
	if (!P.skel->bss->res.user_vm_start)
		return ai_err(ENODATA, "arena %u was never mapped: it has no pages", l->id);
	return 0;
}

static int live_read_pages(struct source *s, uint32_t first, uint32_t n, const uint8_t **data,
			   uint8_t *present)
{
	struct live *l = (void *)s;
	unsigned b;
	int err;

	if (!n || n > PROBE_BUF_PAGES || first >= s->info.max_pages || n > s->info.max_pages - first)
		return ai_err(ERANGE, "pages %u+%u are outside the arena", first, n);
	err = probe_init();
	if (err)
		return err;
	b = P.next_buf;
	err = probe_read_pages(l, first, n, b);
	if (err)
		return err;
	P.next_buf ^= 1;
	memcpy(present, P.skel->bss->page_ok, n);
	*data = P.pagebuf[b];
	return 0;
}

static int live_read(struct source *s, uint64_t off, void *buf, size_t len, uint8_t *present)
{
	struct live *l = (void *)s;
	uint64_t first = off >> 12, last = (off + len - 1) >> 12;
	uint8_t *dst = buf;
	int err;

	err = probe_init();
	if (err)
		return err;
	for (uint64_t pg = first; pg <= last; pg += PROBE_BUF_PAGES) {
		uint32_t n = last - pg + 1 > PROBE_BUF_PAGES ? PROBE_BUF_PAGES : last - pg + 1;

		err = probe_read_pages(l, pg, n, 0);
		if (err)
			return err;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t p = pg + i;
			uint64_t lo = p << 12 > off ? p << 12 : off;
			uint64_t hi = (p + 1) << 12 < off + len ? (p + 1) << 12 : off + len;
			bool ok = P.skel->bss->page_ok[i];

			present[p - first] = ok;
			if (ok)
				memcpy(dst + (lo - off), P.pagebuf[0] + i * 4096ULL + (lo & 4095), hi - lo);
			else
				memset(dst + (lo - off), 0, hi - lo);
		}
	}
	return 0;
}

int live__gather(struct source *s, struct gather_item *items, size_t n)
{
	struct live *l = (void *)s;
	int err;

	if (!live__is_live(s))
		return ai_err(EOPNOTSUPP, "gather needs a live arena");
	err = probe_init();
	if (err)
		return err;
	for (size_t base = 0; base < n; base += PROBE_MAX_GATHER) {
		size_t m = n - base > PROBE_MAX_GATHER ? PROBE_MAX_GATHER : n - base;

		for (size_t i = 0; i < m; i++) {
			P.gather[i].off = items[base + i].off;
			P.gather[i].len = items[base + i].len;
		}
		P.skel->bss->args.nr_items = m;
		err = probe_run(l->id, PROBE_GATHER);
		if (err)
			return err;
		for (size_t i = 0; i < m; i++) {
			struct gather_item *it = &items[base + i];

			it->err = P.gather[i].err ? -ENODATA : 0;
			if (!it->err)
				memcpy(it->data, P.gather[i].data, it->len);
		}
	}
	return 0;
}

static void live_close(struct source *s)
{
	free(s);
}

static const struct source_ops live_ops = {
	.info = live_info,
	.pagemap = live_pagemap,
	.read = live_read,
	.read_pages = live_read_pages,
	.borrow_max_pages = PROBE_BUF_PAGES,
	.close = live_close,
};

bool live__is_live(const struct source *s)
{
	return s && s->ops == &live_ops;
}

static int live_open_id(uint32_t id, bool full_info, struct source **out)
{
	struct live *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return ai_err(ENOMEM, "out of memory");
	l->src.ops = &live_ops;
	l->id = id;
	err = full_info ? live_info(&l->src, NULL) : live_basic_info(l);
	if (err) {
		free(l);
		return err;
	}
	*out = &l->src;
	return 0;
}

int live__open(const struct selector *sel, struct source **out)
{
	uint32_t id;
	int err = resolve_id(sel, &id);

	if (err)
		return err;
	return live_open_id(id, true, out);
}

int selector__open(const struct selector *sel, struct source **out)
{
	struct stat st;

	if (sel->kind != SEL_FILE)
		return live__open(sel, out);
	if (stat(sel->arg, &st))
		return ai_err(errno, "%s: %s (an ARENA is %s)", sel->arg, strerror(errno),
			      selector__usage);
	if (!S_ISREG(st.st_mode))
		return ai_err(EINVAL, "%s is not a snapshot file (an ARENA is %s)", sel->arg,
			      selector__usage);
	return snapshot__open(sel->arg, out);
}

int source__open_args(int argc, char **argv, int *used, struct source **out)
{
	struct selector sel;
	int err = selector__parse(argc, argv, &sel, used);

	if (err)
		return err;
	return selector__open(&sel, out);
}

int live__list(struct arena_summary **out, int *n)
{
	struct arena_summary *v = NULL;
	uint32_t cur = 0;
	int cnt = 0, cap = 0, err = 0;

	*out = NULL;
	*n = 0;
	while (!bpf_map_get_next_id(cur, &cur)) {
		struct bpf_map_info mi;
		struct source *s;
		struct pagemap pm;
		int fd = bpf_map_get_fd_by_id(cur);

		if (fd < 0)
			continue;
		err = map_info_by_fd(fd, &mi);
		close(fd);
		if (err || mi.type != AI_MAP_TYPE_ARENA)
			continue;
		err = live_open_id(cur, true, &s);
		if (err == -ENOENT)
			continue; /* went away since the id walk */
		if (err) {
			/* the probe cannot load, or no permission: say so, not "no arenas" */
			free(v);
			return err;
		}
		if (cnt == cap) {
			struct arena_summary *nv;

			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				source__close(s);
				free(v);
				return ai_err(ENOMEM, "out of memory");
			}
			v = nv;
		}
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].info = s->info;
		if (!source__pagemap(s, &pm)) {
			v[cnt].allocated = pm.counts[PAGE_ALLOCATED];
			v[cnt].reserved = pm.counts[PAGE_RESERVED];
			pagemap__free(&pm);
		}
		source__close(s);
		cnt++;
	}
	if (errno == EPERM && cnt == 0) {
		free(v);
		return perm_or(-EPERM, "listing maps");
	}
	*out = v;
	*n = cnt;
	return 0;
}

int live__probe_pages(struct source *s, uint32_t first, uint32_t count, uint32_t *allocated)
{
	struct live *l = (void *)s;
	int err;

	if (!live__is_live(s))
		return ai_err(EOPNOTSUPP, "page probing needs a live arena");
	err = live_basic_info(l);
	if (err)
		return err;
	if (!count || first >= s->info.max_pages || count > s->info.max_pages - first)
		return ai_err(ERANGE, "pages %u+%u are outside the arena", first, count);
	memset(P.bits, 0, PROBE_BITMAP_WORDS * 8ULL);
	P.runs[0].start = first;
	P.runs[0].last = first + count - 1;
	P.skel->bss->args.nr_items = 1;
	err = probe_run(l->id, PROBE_PAGES);
	if (err)
		return err;
	*allocated = P.skel->bss->res.nr_ok;
	return 0;
}

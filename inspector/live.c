// SPDX-License-Identifier: GPL-2.0
/*
 * The live source: a selector resolved to a map id, the map's info, and
 * the source operations, each a pass of the probe (probe.c) that finds the
 * arena by id. We hold no fd to the arena between calls: if it is destroyed
 * while we are attached, the next pass does not find it and we say so.
 * Also live__list, every arena on the machine. Who uses an arena (programs,
 * processes) comes from owners.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "compat.h"
#include "error.h"
#include "live.h"
#include "owners.h"
#include "probe.h"
#include "probe_abi.h"

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
		return ai_err(EPERM, "%.200s: permission denied (%s)", what, AI_NEED_ROOT);
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
		"unspec",
		"hash",
		"array",
		"prog_array",
		"perf_event_array",
		"percpu_hash",
		"percpu_array",
		"stack_trace",
		"cgroup_array",
		"lru_hash",
		"lru_percpu_hash",
		"lpm_trie",
		"array_of_maps",
		"hash_of_maps",
		"devmap",
		"sockmap",
		"cpumap",
		"xskmap",
		"sockhash",
		"cgroup_storage",
		"reuseport_sockarray",
		"percpu_cgroup_storage",
		"queue",
		"stack",
		"sk_storage",
		"devmap_hash",
		"struct_ops",
		"ringbuf",
		"inode_storage",
		"task_storage",
		"bloom_filter",
		"user_ringbuf",
		"cgrp_storage",
		"arena",
	};

	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

static int check_arena(const struct bpf_map_info *mi, const char *what)
{
	if (mi->type != AI_MAP_TYPE_ARENA)
		return ai_err(EINVAL, "%.120s (map %u '%s') is a %s map, not an arena", what,
			      mi->id, mi->name, map_type_name(mi->type));
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
				return ai_err(EINVAL,
					      "%s: not a pinned BPF object (is bpffs mounted?)",
					      sel->arg);
			err = -errno;
			/* the kernel says EACCES for a path outside bpffs, root or not */
			if (err == -EACCES && !on_bpffs(sel->arg))
				return ai_err(EINVAL,
					      "%s: not a pinned BPF object (not on a bpffs such as "
					      "/sys/fs/bpf)",
					      sel->arg);
			if (err == -EACCES && is_dir(sel->arg))
				return ai_err(EISDIR, "%s is a directory, not a pinned map",
					      sel->arg);
			return perm_or(err, what);
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		err = readlink(path, link, sizeof(link) - 1);
		link[err > 0 ? err : 0] = '\0';
		if (!strstr(link, "bpf-map")) {
			close(fd);
			return ai_err(EINVAL, "%s is not a pinned map (%s)", sel->arg,
				      strstr(link, "prog")   ? "it is a program"
				      : strstr(link, "link") ? "it is a link"
							     : "not a map");
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
				off += snprintf(ids + off, sizeof(ids) - off, "%s%u", i ? ", " : "",
						found[i]);
			return ai_err(EEXIST, "%d arenas are named '%s' (ids %s): use 'id ID'",
				      nfound, sel->arg, ids);
		}
		*id = found[0];
		return 0;
	}
	default: return ai_err(EINVAL, "not a live arena selector");
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

struct live {
	struct source src;
	uint32_t id;
	struct probe *probe; /* a reference */
};

static const struct source_ops live_ops;

/* Refresh everything but programs/owners (cheap: one map info + one pass). */
static int live_basic_info(struct live *l)
{
	struct bpf_map_info mi;
	uint64_t start, end;
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
	err = probe__info(l->probe, l->id, &start, &end);
	if (err)
		return err;
	l->src.info.map_id = l->id;
	snprintf(l->src.info.name, sizeof(l->src.info.name), "%s", mi.name);
	l->src.info.map_flags = mi.map_flags;
	l->src.info.max_pages = mi.max_entries;
	l->src.info.map_extra = mi.map_extra;
	l->src.info.user_vm_start = start;
	l->src.info.user_vm_end = end;
	/* the kernel's pages: what the arena is made of */
	return arena_info__set_page_size(&l->src.info, ai_host_page_size(), "this kernel");
}

static int live_info(struct source *s, struct arena_info *out)
{
	struct live *l = (void *)s;
	int err = live_basic_info(l);

	if (err)
		return err;
	owners__find_progs(&s->info);
	owners__find_pids(&s->info);
	return 0;
}

/*
 * One kernel pass (probe.c): the pass finds the arena by id, so a gone
 * arena is -ENOENT without a map-info syscall first, and it reads the user
 * address range too (an arena may be mapped for the first time after we
 * opened it); the size (max_entries) never changes. The TUI calls this
 * every tick.
 */
static int live_pagemap(struct source *s, struct pagemap *pm)
{
	struct live *l = (void *)s;
	uint32_t max = s->info.max_pages;
	int err;

	if (max > AI_ARENA_MAX_PAGES)
		return ai_err(E2BIG, "arena %u claims %u pages", l->id, max);
	pm->nr_pages = max;
	/* every byte is written: no need to zero it first */
	pm->state = malloc(max ? max : 1);
	if (!pm->state)
		return ai_err(ENOMEM, "out of memory");
	err = probe__pagemap(l->probe, l->id, pm, &s->info.user_vm_start, &s->info.user_vm_end);
	return err;
}

static int live_read_pages(struct source *s, uint32_t first, uint32_t n, const uint8_t **data,
			   uint8_t *present)
{
	struct live *l = (void *)s;

	if (!n || first >= s->info.max_pages || n > s->info.max_pages - first)
		return ai_err(ERANGE, "pages %u+%u are outside the arena", first, n);
	return probe__read_pages(l->probe, l->id, first, n, data, present);
}

static int live_read_runs(struct source *s, const struct page_run *runs, uint32_t nruns,
			  const uint8_t **data, uint8_t *present)
{
	struct live *l = (void *)s;

	for (uint32_t i = 0; i < nruns; i++)
		if (!runs[i].count || runs[i].first >= s->info.max_pages ||
		    runs[i].count > s->info.max_pages - runs[i].first)
			return ai_err(ERANGE, "pages %u+%u are outside the arena", runs[i].first,
				      runs[i].count);
	return probe__read_runs(l->probe, l->id, runs, nruns, data, present);
}

static int live_read(struct source *s, uint64_t off, void *buf, size_t len, uint8_t *present)
{
	struct live *l = (void *)s;

	return probe__read(l->probe, l->id, off, buf, len, present);
}

static int live_gather(struct source *s, struct gather_item *items, size_t n)
{
	struct live *l = (void *)s;

	return probe__gather(l->probe, l->id, items, n);
}

static void live_close(struct source *s)
{
	struct live *l = (void *)s;

	probe__close(l->probe);
	free(l);
}

static const struct source_ops live_ops = {
	.info = live_info,
	.pagemap = live_pagemap,
	.read = live_read,
	.read_pages = live_read_pages,
	.borrow_max_bytes = PROBE_BUF_BYTES,
	.read_runs = live_read_runs,
	.gather = live_gather,
	.close = live_close,
};

/* probe NULL: a probe of the source's own */
static int live_open_id(uint32_t id, struct probe *probe, bool full_info, struct source **out)
{
	struct live *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return ai_err(ENOMEM, "out of memory");
	l->src.ops = &live_ops;
	l->id = id;
	l->probe = probe ? probe__get(probe) : probe__open(NULL);
	if (!l->probe) {
		free(l);
		return -ENOMEM;
	}
	err = full_info ? live_info(&l->src, NULL) : live_basic_info(l);
	if (err) {
		live_close(&l->src);
		return err;
	}
	*out = &l->src;
	return 0;
}

int live__open(const struct selector *sel, struct probe *probe, struct source **out)
{
	uint32_t id;
	int err = resolve_id(sel, &id);

	if (err)
		return err;
	return live_open_id(id, probe, true, out);
}

int live__list(struct probe *probe, struct arena_summary **out, int *n)
{
	struct probe *own = NULL;
	struct arena_summary *v = NULL;
	uint32_t cur = 0;
	int cnt = 0, cap = 0, err = 0;

	*out = NULL;
	*n = 0;
	if (!probe) {
		/* one probe for every arena listed, not one load each */
		own = probe = probe__open(NULL);
		if (!probe)
			return -ENOMEM;
	}
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
		err = live_open_id(cur, probe, true, &s);
		if (err == -ENOENT)
			continue; /* went away since the id walk */
		if (err)
			goto fail; /* the probe cannot load, or no permission: say so, not "no
				      arenas" */
		if (cnt == cap) {
			struct arena_summary *nv;

			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				source__close(s);
				err = ai_err(ENOMEM, "out of memory");
				goto fail;
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
		err = perm_or(-EPERM, "listing maps");
		goto fail;
	}
	probe__close(own);
	*out = v;
	*n = cnt;
	return 0;
fail:
	probe__close(own);
	free(v);
	return err;
}

struct probe *live__probe(struct source *s)
{
	return s && s->ops == &live_ops ? ((struct live *)s)->probe : NULL;
}

int live__probe_pages(struct source *s, uint32_t first, uint32_t count, uint32_t *allocated)
{
	struct live *l = (void *)s;
	int err;

	if (!s || s->ops != &live_ops)
		return ai_err(EOPNOTSUPP, "page probing needs a live arena");
	err = live_basic_info(l);
	if (err)
		return err;
	if (!count || first >= s->info.max_pages || count > s->info.max_pages - first)
		return ai_err(ERANGE, "pages %u+%u are outside the arena", first, count);
	return probe__count_pages(l->probe, l->id, first, count, allocated);
}

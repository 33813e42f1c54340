// SPDX-License-Identifier: GPL-2.0
/*
 * snapshot_read: open a snapshot file (snapshot.h describes the format,
 * snapshot_write.c writes it) as a source.
 *
 * The headers and notes are read with pread (never mapped: see struct
 * snapsrc) and every structure is checked before use: a snapshot may come
 * from anywhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "snapshot.h"
#include "snapshot_fmt.h"

struct seg {
	uint32_t first, count; /* pages */
	uint64_t off;	       /* file offset */
};

/*
 * The file is never mapped: everything is read with pread into our own
 * buffers. A mapping turns a file that someone rewrites or cuts short while
 * we read it (cp over it, say) into SIGBUS, which a library cannot handle;
 * pread just comes up short, and we say so. The size and mtime seen at open
 * are checked again after parsing and after every read of page data, so a
 * file rewritten in place is reported instead of mixing old and new bytes.
 */
struct snapsrc {
	struct source src;
	size_t size;	       /* at open */
	struct timespec mtime; /* at open */
	int fd;
	char *path;
	uint8_t *notes[16]; /* PT_NOTE contents; the BTF blobs point into them */
	int nr_notes;
	uint8_t *state;	  /* max_pages */
	struct seg *segs; /* by first page */
	uint32_t nr_segs;
	const void **blobs;
	size_t *blob_sizes;
	int nr_blobs;
	struct root *roots;
	int nr_roots;
	struct map_var *vars; /* data points into notes[] */
	int nr_vars;
	struct btfx_map *maps; /* SNAPSHOT_NT_MAPS */
	int nr_maps;
	bool maps_known; /* the note was there */
};

static int snap_pagemap(struct source *s, struct pagemap *pm)
{
	struct snapsrc *ss = (void *)s;

	pm->nr_pages = s->info.max_pages;
	pm->state = malloc(pm->nr_pages ? pm->nr_pages : 1);
	if (!pm->state)
		return ai_err(ENOMEM, "out of memory");
	memcpy(pm->state, ss->state, pm->nr_pages);
	return 0;
}

/* The segment holding page pg, or the first one after it. */
static uint32_t seg_lookup(const struct snapsrc *ss, uint32_t pg)
{
	uint32_t lo = 0, hi = ss->nr_segs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ss->segs[mid].first + ss->segs[mid].count <= pg)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int changed_err(const struct snapsrc *ss)
{
	return ai_err(EIO,
		      "%s: the file changed on disk after it was opened (rewritten or cut short "
		      "while being read); open it again once it is complete",
		      ss->path);
}

/* 0 if the file still has the size and mtime it had at open, else the
 * "changed on disk" error. */
static int check_unchanged(const struct snapsrc *ss)
{
	struct stat st;

	if (fstat(ss->fd, &st))
		return ai_err(errno, "%s: %s", ss->path, strerror(errno));
	if ((uint64_t)st.st_size != ss->size || st.st_mtim.tv_sec != ss->mtime.tv_sec ||
	    st.st_mtim.tv_nsec != ss->mtime.tv_nsec)
		return changed_err(ss);
	return 0;
}

/* len bytes at off, which the size seen at open says are in the file: a
 * short read means the file shrank since. */
static int read_at(struct snapsrc *ss, void *buf, size_t len, uint64_t off)
{
	uint8_t *b = buf;

	while (len) {
		ssize_t n = pread(ss->fd, b, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ai_err(errno, "%s: %s", ss->path, strerror(errno));
		if (n == 0)
			return changed_err(ss);
		b += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int snap_read(struct source *s, uint64_t off, void *buf, size_t len, uint8_t *present)
{
	struct snapsrc *ss = (void *)s;
	uint64_t end = off + len, first = off / source__page_size(s);
	uint32_t k = seg_lookup(ss, first), first_k = k;
	uint8_t *out = buf;

	while (off < end) {
		uint32_t pg = off / source__page_size(s);
		uint64_t chunk_end;
		const struct seg *sg = k < ss->nr_segs ? &ss->segs[k] : NULL;

		if (sg && pg >= sg->first) {
			/* inside segment k: read up to its end */
			int err;

			chunk_end = (uint64_t)(sg->first + sg->count) * source__page_size(s);
			if (chunk_end > end)
				chunk_end = end;
			err = read_at(ss, out, chunk_end - off,
				      sg->off + (off - (uint64_t)sg->first * source__page_size(s)));
			if (err)
				return err;
			k++;
		} else {
			chunk_end = sg ? (uint64_t)sg->first * source__page_size(s) : end;
			if (chunk_end > end)
				chunk_end = end;
			memset(out, 0, chunk_end - off);
		}
		for (uint64_t p = pg; p <= (chunk_end - 1) / source__page_size(s); p++)
			present[p - first] = sg && pg >= sg->first;
		out += chunk_end - off;
		off = chunk_end;
	}
	/* bytes from a file rewritten in place under us are not the snapshot */
	return k > first_k ? check_unchanged(ss) : 0;
}

static int snap_btf_blobs(struct source *s, const void ***blobs, const size_t **sizes, int *n)
{
	struct snapsrc *ss = (void *)s;

	*blobs = ss->blobs;
	*sizes = ss->blob_sizes;
	*n = ss->nr_blobs;
	return 0;
}

static int snap_roots(struct source *s, const struct root **roots, int *n)
{
	struct snapsrc *ss = (void *)s;

	*roots = ss->roots;
	*n = ss->nr_roots;
	return 0;
}

static int snap_vars(struct source *s, const struct map_var **vars, int *n)
{
	struct snapsrc *ss = (void *)s;

	*vars = ss->vars;
	*n = ss->nr_vars;
	return 0;
}

static int snap_maps(struct source *s, const struct btfx_map **maps, int *n)
{
	struct snapsrc *ss = (void *)s;

	*maps = ss->maps;
	*n = ss->nr_maps;
	return ss->maps_known ? 0 : -ENOENT; /* a file from before the note */
}

static void snap_close(struct source *s)
{
	struct snapsrc *ss = (void *)s;

	if (ss->fd >= 0)
		close(ss->fd);
	free(ss->path);
	for (int i = 0; i < ss->nr_notes; i++)
		free(ss->notes[i]);
	free(ss->state);
	free(ss->segs);
	free(ss->blobs);
	free(ss->blob_sizes);
	free(ss->roots);
	free(ss->vars);
	free(ss->maps);
	free(ss);
}

static const struct source_ops snap_ops = {
	.pagemap = snap_pagemap,
	.read = snap_read,
	.btf_blobs = snap_btf_blobs,
	.roots = snap_roots,
	.vars = snap_vars,
	.maps = snap_maps,
	.close = snap_close,
};

struct parse {
	const char *path;
	struct snapsrc *ss;
	const uint8_t *meta; /* descriptors, inside ss->notes[] */
	size_t meta_len;
	const uint8_t *pmap;
	size_t pmap_len;
	const uint8_t *roots;
	size_t roots_len;
	const uint8_t *vars;
	size_t vars_len;
	const uint8_t *maps;
	size_t maps_len;
	struct snapshot_meta m;
	uint64_t page; /* m.page_size, once checked */
	uint32_t nr_btf_seen;
};

static int parse_table(struct parse *p, const char *what, const uint8_t *d, size_t len,
		       size_t min_rec, struct snapshot_table *t)
{
	if (len < sizeof(*t))
		return ai_err(EINVAL, "%s: %s note is truncated (%zu bytes)", p->path, what, len);
	memcpy(t, d, sizeof(*t));
	if (t->version != 1)
		return ai_err(
			EINVAL,
			"%s: %s note version %u is not supported (this arena-inspect reads 1)",
			p->path, what, t->version);
	if (t->hdr_size < sizeof(*t) || t->hdr_size > len || t->rec_size < min_rec ||
	    t->rec_size > 65536 || (uint64_t)t->nr * t->rec_size > len - t->hdr_size)
		return ai_err(EINVAL,
			      "%s: %s note sizes are inconsistent (header %u, record %u x %u, note "
			      "%zu bytes)",
			      p->path, what, t->hdr_size, t->rec_size, t->nr, len);
	return 0;
}

static int parse_meta(struct parse *p)
{
	struct snapshot_meta *m = &p->m;
	struct arena_info *ai = &p->ss->src.info;

	if (!p->meta)
		return ai_err(EINVAL, "%s: not an arena snapshot (no metadata note)", p->path);
	if (p->meta_len < 8)
		return ai_err(EINVAL, "%s: metadata note is truncated (%zu bytes)", p->path,
			      p->meta_len);
	memcpy(m, p->meta, 8);
	if (m->version != SNAPSHOT_VERSION)
		return ai_err(EINVAL,
			      "%s: snapshot format version %u is not supported (this arena-inspect "
			      "reads %u)",
			      p->path, m->version, SNAPSHOT_VERSION);
	if (m->size < sizeof(*m) || m->size > p->meta_len)
		return ai_err(EINVAL, "%s: metadata note is truncated (%u bytes of %zu, need %zu)",
			      p->path, m->size, p->meta_len, sizeof(*m));
	memcpy(m, p->meta, sizeof(*m));
	if (arena_info__set_page_size(ai, m->page_size, p->path))
		return -EINVAL;
	p->page = m->page_size;
	if (!m->max_pages || m->max_pages > MAX_ARENA_PAGES)
		return ai_err(EINVAL, "%s: arena size of %u pages is out of range (1..%u)", p->path,
			      m->max_pages, MAX_ARENA_PAGES);
	if (m->user_vm_start % p->page || m->user_vm_start > UINT64_MAX - m->max_pages * p->page ||
	    (m->user_vm_start && m->user_vm_end != m->user_vm_start + m->max_pages * p->page))
		return ai_err(EINVAL,
			      "%s: arena address range 0x%llx-0x%llx is invalid for %u pages",
			      p->path, (unsigned long long)m->user_vm_start,
			      (unsigned long long)m->user_vm_end, m->max_pages);
	m->name[sizeof(m->name) - 1] = '\0';
	m->kernel_release[sizeof(m->kernel_release) - 1] = '\0';
	m->tool_version[sizeof(m->tool_version) - 1] = '\0';

	memset(ai, 0, sizeof(*ai));
	arena_info__set_page_size(ai, m->page_size, p->path); /* checked above */
	ai->map_id = m->map_id;
	snprintf(ai->name, sizeof(ai->name), "%s", m->name);
	ai->map_flags = m->map_flags;
	ai->max_pages = m->max_pages;
	ai->map_extra = m->map_extra;
	ai->user_vm_start = m->user_vm_start;
	ai->user_vm_end = m->user_vm_start ? m->user_vm_end : 0;
	ai->is_snapshot = true;
	ai->snapshot_time_ns = m->time_ns;
	ai->snapshot_changed = m->flags & SNAPSHOT_F_CHANGED;
	snprintf(ai->kernel_release, sizeof(ai->kernel_release), "%.64s", m->kernel_release);
	return 0;
}

static int parse_pagemap(struct parse *p)
{
	struct snapshot_table t;
	uint32_t n = p->m.max_pages, next = 0;
	int err;

	if (!p->pmap)
		return ai_err(EINVAL, "%s: not an arena snapshot (no page map note)", p->path);
	err = parse_table(p, "page map", p->pmap, p->pmap_len, sizeof(struct snapshot_run), &t);
	if (err)
		return err;
	p->ss->state = malloc(n);
	if (!p->ss->state)
		return ai_err(ENOMEM, "out of memory");
	for (uint32_t i = 0; i < t.nr; i++) {
		struct snapshot_run r;

		memcpy(&r, p->pmap + t.hdr_size + (size_t)i * t.rec_size, sizeof(r));
		if (r.first != next || !r.count || r.count > n - next || r.state > PAGE_RESERVED)
			return ai_err(EINVAL,
				      "%s: page map run %u (pages %u+%u, state %u) is invalid",
				      p->path, i, r.first, r.count, r.state);
		memset(p->ss->state + next, r.state, r.count);
		next += r.count;
	}
	if (next != n)
		return ai_err(EINVAL, "%s: page map covers %u of %u pages", p->path, next, n);
	return 0;
}

static int parse_roots(struct parse *p)
{
	struct snapshot_table t;
	int err;

	if (!p->roots)
		return 0;
	err = parse_table(p, "roots", p->roots, p->roots_len, sizeof(struct snapshot_root), &t);
	if (err)
		return err;
	if (t.nr > 65536)
		return ai_err(EINVAL, "%s: %u roots is too many", p->path, t.nr);
	p->ss->roots = calloc(t.nr ? t.nr : 1, sizeof(struct root));
	if (!p->ss->roots)
		return ai_err(ENOMEM, "out of memory");
	for (uint32_t i = 0; i < t.nr; i++) {
		struct snapshot_root r;
		struct root *o = &p->ss->roots[i];

		memcpy(&r, p->roots + t.hdr_size + (size_t)i * t.rec_size, sizeof(r));
		r.name[sizeof(r.name) - 1] = '\0';
		r.section[sizeof(r.section) - 1] = '\0';
		if (!r.name[0] || r.kind > ROOT_MAP_PTR || r.btf_idx < 0 ||
		    (uint32_t)r.btf_idx >= p->nr_btf_seen)
			return ai_err(EINVAL,
				      "%s: root %u ('%.64s') is invalid (kind %u, BTF %d of %u)",
				      p->path, i, r.name, r.kind, r.btf_idx, p->nr_btf_seen);
		snprintf(o->name, sizeof(o->name), "%s", r.name);
		snprintf(o->section, sizeof(o->section), "%s", r.section);
		o->kind = r.kind;
		o->btf_idx = r.btf_idx;
		o->type_id = r.type_id;
		o->addr = r.addr;
		o->value = r.value;
	}
	p->ss->nr_roots = t.nr;
	return 0;
}

static int parse_vars(struct parse *p)
{
	struct snapshot_table t;
	int err;

	if (!p->vars)
		return 0;
	err = parse_table(p, "variables", p->vars, p->vars_len, sizeof(struct snapshot_var), &t);
	if (err)
		return err;
	if (t.nr > 65536)
		return ai_err(EINVAL, "%s: %u variables is too many", p->path, t.nr);
	p->ss->vars = calloc(t.nr ? t.nr : 1, sizeof(struct map_var));
	if (!p->ss->vars)
		return ai_err(ENOMEM, "out of memory");
	for (uint32_t i = 0; i < t.nr; i++) {
		struct snapshot_var r;
		struct map_var *o = &p->ss->vars[i];

		memcpy(&r, p->vars + t.hdr_size + (size_t)i * t.rec_size, sizeof(r));
		r.name[sizeof(r.name) - 1] = '\0';
		r.section[sizeof(r.section) - 1] = '\0';
		if (!r.name[0] || r.btf_idx < 0 || (uint32_t)r.btf_idx >= p->nr_btf_seen ||
		    r.data_off > p->vars_len || r.size > p->vars_len - r.data_off)
			return ai_err(EINVAL,
				      "%s: variable %u ('%.64s') is invalid (BTF %d of %u, %u "
				      "bytes at %llu of a %zu byte note)",
				      p->path, i, r.name, r.btf_idx, p->nr_btf_seen, r.size,
				      (unsigned long long)r.data_off, p->vars_len);
		snprintf(o->name, sizeof(o->name), "%s", r.name);
		snprintf(o->section, sizeof(o->section), "%s", r.section);
		o->btf_idx = r.btf_idx;
		o->type_id = r.type_id;
		o->map_id = r.map_id;
		o->size = r.size;
		o->data = p->vars + r.data_off;
	}
	p->ss->nr_vars = t.nr;
	return 0;
}

static int parse_maps(struct parse *p)
{
	struct snapshot_table t;
	int err;

	if (!p->maps)
		return 0;
	err = parse_table(p, "maps", p->maps, p->maps_len, sizeof(struct snapshot_map), &t);
	if (err)
		return err;
	if (t.nr > 65536)
		return ai_err(EINVAL, "%s: %u maps is too many", p->path, t.nr);
	p->ss->maps = calloc(t.nr ? t.nr : 1, sizeof(struct btfx_map));
	if (!p->ss->maps)
		return ai_err(ENOMEM, "out of memory");
	for (uint32_t i = 0; i < t.nr; i++) {
		struct snapshot_map r;
		struct btfx_map *o = &p->ss->maps[i];

		memcpy(&r, p->maps + t.hdr_size + (size_t)i * t.rec_size, sizeof(r));
		o->id = r.id;
		o->type = r.type;
		memcpy(o->name, r.name, sizeof(o->name));
		o->name[sizeof(o->name) - 1] = '\0';
	}
	p->ss->nr_maps = t.nr;
	p->ss->maps_known = true;
	return 0;
}

static int add_btf_note(struct parse *p, const uint8_t *d, size_t len)
{
	struct snapsrc *ss = p->ss;
	struct snapshot_btf h;

	if (len < sizeof(h))
		return ai_err(EINVAL, "%s: BTF note is truncated (%zu bytes)", p->path, len);
	memcpy(&h, d, sizeof(h));
	if (h.version != 1)
		return ai_err(EINVAL, "%s: BTF note version %u is not supported", p->path,
			      h.version);
	if (h.hdr_size < sizeof(h) || h.hdr_size > len || h.size != len - h.hdr_size || !h.size ||
	    h.size > MAX_BTF_SIZE)
		return ai_err(EINVAL,
			      "%s: BTF note %u has an invalid size (%u bytes in a %zu byte note)",
			      p->path, h.index, h.size, len);
	if (h.index != (uint32_t)ss->nr_blobs || ss->nr_blobs >= MAX_BTF_NOTES)
		return ai_err(EINVAL, "%s: BTF note %u is out of order (expected %d)", p->path,
			      h.index, ss->nr_blobs);
	if (!(ss->nr_blobs & (ss->nr_blobs - 1)) || !ss->nr_blobs) {
		int cap = ss->nr_blobs ? ss->nr_blobs * 2 : 4;
		const void **b = realloc(ss->blobs, cap * sizeof(*b));
		size_t *s;

		if (!b)
			return ai_err(ENOMEM, "out of memory");
		ss->blobs = b;
		s = realloc(ss->blob_sizes, cap * sizeof(*s));
		if (!s)
			return ai_err(ENOMEM, "out of memory");
		ss->blob_sizes = s;
	}
	ss->blobs[ss->nr_blobs] = d + h.hdr_size;
	ss->blob_sizes[ss->nr_blobs++] = h.size;
	p->nr_btf_seen = ss->nr_blobs;
	return 0;
}

/* Walk the notes in base[0, len), read from offset off of the file. */
static int parse_notes(struct parse *p, const uint8_t *base, uint64_t off, uint64_t len)
{
	uint64_t pos = 0;

	while (pos < len) {
		Elf64_Nhdr nh;
		uint64_t name_at, desc_at, next;
		const char *name;

		if (len - pos < sizeof(nh))
			return ai_err(EINVAL, "%s: truncated note at offset %llu", p->path,
				      (unsigned long long)(off + pos));
		memcpy(&nh, base + pos, sizeof(nh));
		name_at = pos + sizeof(nh);
		desc_at = name_at + align_up(nh.n_namesz, 4);
		next = desc_at + align_up(nh.n_descsz, 4);
		if (desc_at > len || next > len || nh.n_descsz > len - desc_at)
			return ai_err(EINVAL,
				      "%s: note at offset %llu is larger than its segment (name "
				      "%u, data %u bytes)",
				      p->path, (unsigned long long)(off + pos), nh.n_namesz,
				      nh.n_descsz);
		name = (const char *)base + name_at;
		if (nh.n_namesz == sizeof(SNAPSHOT_NOTE_OWNER) &&
		    !memcmp(name, SNAPSHOT_NOTE_OWNER, sizeof(SNAPSHOT_NOTE_OWNER))) {
			const uint8_t *d = base + desc_at;
			int err = 0;

			switch (nh.n_type) {
			case SNAPSHOT_NT_META:
				if (p->meta)
					return ai_err(EINVAL, "%s: two metadata notes", p->path);
				p->meta = d;
				p->meta_len = nh.n_descsz;
				break;
			case SNAPSHOT_NT_PAGEMAP:
				if (p->pmap)
					return ai_err(EINVAL, "%s: two page map notes", p->path);
				p->pmap = d;
				p->pmap_len = nh.n_descsz;
				break;
			case SNAPSHOT_NT_ROOTS:
				if (p->roots)
					return ai_err(EINVAL, "%s: two roots notes", p->path);
				p->roots = d;
				p->roots_len = nh.n_descsz;
				break;
			case SNAPSHOT_NT_VARS:
				if (p->vars)
					return ai_err(EINVAL, "%s: two variables notes", p->path);
				p->vars = d;
				p->vars_len = nh.n_descsz;
				break;
			case SNAPSHOT_NT_MAPS:
				if (p->maps)
					return ai_err(EINVAL, "%s: two maps notes", p->path);
				p->maps = d;
				p->maps_len = nh.n_descsz;
				break;
			case SNAPSHOT_NT_BTF: err = add_btf_note(p, d, nh.n_descsz); break;
			default: break; /* a newer writer's note: skip it */
			}
			if (err)
				return err;
		}
		pos = next;
	}
	return 0;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static int check_segments(struct parse *p)
{
	struct snapsrc *ss = p->ss;
	uint32_t n = p->m.max_pages, alloc = 0, covered = 0;
	uint64_t bytes = 0;

	qsort(ss->segs, ss->nr_segs, sizeof(*ss->segs), seg_cmp);
	for (uint32_t i = 0; i < ss->nr_segs; i++) {
		const struct seg *s = &ss->segs[i];

		if (i && s->first < ss->segs[i - 1].first + ss->segs[i - 1].count)
			return ai_err(
				EINVAL, "%s: overlapping segments at 0x%llx", p->path,
				(unsigned long long)(p->m.user_vm_start + s->first * p->page));
		for (uint32_t pg = s->first; pg < s->first + s->count; pg++)
			if (ss->state[pg] != PAGE_ALLOCATED)
				return ai_err(EINVAL,
					      "%s: segment at 0x%llx holds page %u, which the page "
					      "map says is not allocated",
					      p->path,
					      (unsigned long long)(p->m.user_vm_start +
								   s->first * p->page),
					      pg);
		covered += s->count;
		bytes += s->count * p->page;
	}
	for (uint32_t i = 0; i < n; i++)
		alloc += ss->state[i] == PAGE_ALLOCATED;
	if (alloc != covered)
		return ai_err(EINVAL,
			      "%s: the page map has %u allocated pages, the segments hold %u",
			      p->path, alloc, covered);
	if (p->m.nr_loads != ss->nr_segs || p->m.data_bytes != bytes)
		return ai_err(
			EINVAL,
			"%s: metadata says %u segments (%llu bytes), the file has %u (%llu bytes)",
			p->path, p->m.nr_loads, (unsigned long long)p->m.data_bytes, ss->nr_segs,
			(unsigned long long)bytes);
	if (p->m.nr_btf != (uint32_t)ss->nr_blobs || p->m.nr_roots != (uint32_t)ss->nr_roots)
		return ai_err(EINVAL,
			      "%s: metadata says %u BTF blobs and %u roots, the file has %d and %d",
			      p->path, p->m.nr_btf, p->m.nr_roots, ss->nr_blobs, ss->nr_roots);
	return 0;
}

/* id: the first min(size, EI_NIDENT) bytes of a file of size bytes */
static int ehdr_check(const char *path, const uint8_t *id, size_t size)
{
	if (!size)
		return ai_err(EINVAL, "%s: not an arena snapshot (the file is empty)", path);
	if (size < SELFMAG || memcmp(id, ELFMAG, SELFMAG))
		return ai_err(EINVAL, "%s: not an arena snapshot (bad ELF magic)", path);
	if (size < EI_NIDENT)
		return ai_err(EINVAL, "%s: truncated at offset %zu (ELF header)", path, size);
	if (id[EI_CLASS] != ELFCLASS64)
		return ai_err(EINVAL, "%s: not an arena snapshot (not a 64-bit ELF file)", path);
	if (id[EI_DATA] != HOST_DATA)
		return ai_err(EINVAL,
			      "%s: not an arena snapshot (byte order differs from this machine's)",
			      path);
	if (size < sizeof(Elf64_Ehdr))
		return ai_err(EINVAL, "%s: truncated at offset %zu (ELF header)", path, size);
	return 0;
}

/* The program header count: e_phnum, or section 0's sh_info when there
 * are PN_XNUM or more (the writer does that past 65534 segments). */
static int phdr_count(struct parse *p, const Elf64_Ehdr *eh, uint64_t *phnum)
{
	struct snapsrc *ss = p->ss;
	Elf64_Shdr sh0;
	int err;

	*phnum = eh->e_phnum;
	if (eh->e_phnum != PN_XNUM)
		return 0;
	if (!eh->e_shoff || eh->e_shentsize != sizeof(sh0) || eh->e_shoff > ss->size ||
	    ss->size - eh->e_shoff < sizeof(sh0))
		return ai_err(EINVAL,
			      "%s: not an arena snapshot (PN_XNUM program headers without a "
			      "section header 0 at %llu to count them)",
			      p->path, (unsigned long long)eh->e_shoff);
	err = read_at(ss, &sh0, sizeof(sh0), eh->e_shoff);
	if (err)
		return err;
	*phnum = sh0.sh_info;
	return 0;
}

static int parse_file(struct parse *p)
{
	struct snapsrc *ss = p->ss;
	uint8_t id[EI_NIDENT] = {};
	Elf64_Phdr *phs = NULL;
	uint64_t phnum, notes_total = 0;
	Elf64_Ehdr eh;
	int err;

	/* the header, or what there is of it in a file too small for one */
	err = read_at(ss, id, ss->size < sizeof(id) ? ss->size : sizeof(id), 0);
	if (!err)
		err = ehdr_check(p->path, id, ss->size);
	if (!err)
		err = read_at(ss, &eh, sizeof(eh), 0);
	if (err)
		return err;
	if (eh.e_type != ET_CORE)
		return ai_err(EINVAL, "%s: not an arena snapshot (ELF type %u, not a core file)",
			      p->path, eh.e_type);
	if (eh.e_machine == EM_NONE || eh.e_phentsize != sizeof(Elf64_Phdr))
		return ai_err(EINVAL,
			      "%s: not an arena snapshot (machine %u, program header size %u)",
			      p->path, eh.e_machine, eh.e_phentsize);
	err = phdr_count(p, &eh, &phnum);
	if (err)
		return err;
	if (eh.e_phoff > ss->size || phnum > (ss->size - eh.e_phoff) / sizeof(Elf64_Phdr))
		return ai_err(EINVAL,
			      "%s: truncated at offset %zu (program headers at %llu, %llu of them)",
			      p->path, ss->size, (unsigned long long)eh.e_phoff,
			      (unsigned long long)phnum);
	/* at most size / 56 of them: the file pays for what we allocate */
	phs = malloc(phnum ? phnum * sizeof(*phs) : 1);
	ss->segs = calloc(phnum ? phnum : 1, sizeof(*ss->segs));
	if (!phs || !ss->segs) {
		err = ai_err(ENOMEM, "out of memory");
		goto out;
	}
	err = read_at(ss, phs, phnum * sizeof(*phs), eh.e_phoff);
	if (err)
		goto out;
	/* notes first: the metadata says where the arena is */
	for (uint64_t i = 0; i < phnum; i++) {
		const Elf64_Phdr *ph = &phs[i];
		uint8_t *buf;

		if (ph->p_type != PT_NOTE)
			continue;
		if (ph->p_offset > ss->size || ph->p_filesz > ss->size - ph->p_offset) {
			err = ai_err(EINVAL,
				     "%s: truncated at offset %zu (notes at %llu, %llu bytes)",
				     p->path, ss->size, (unsigned long long)ph->p_offset,
				     (unsigned long long)ph->p_filesz);
			goto out;
		}
		/* notes never overlap in our files: their total is bounded by
		 * the file, and so is what a hostile file makes us allocate */
		notes_total += ph->p_filesz;
		if (ss->nr_notes >= (int)(sizeof(ss->notes) / sizeof(ss->notes[0])) ||
		    notes_total > ss->size) {
			err = ai_err(EINVAL, "%s: too many note segments (%d, %llu bytes)", p->path,
				     ss->nr_notes + 1, (unsigned long long)notes_total);
			goto out;
		}
		buf = malloc(ph->p_filesz ? ph->p_filesz : 1);
		if (!buf) {
			err = ai_err(ENOMEM, "out of memory");
			goto out;
		}
		ss->notes[ss->nr_notes++] = buf;
		err = read_at(ss, buf, ph->p_filesz, ph->p_offset);
		if (!err)
			err = parse_notes(p, buf, ph->p_offset, ph->p_filesz);
		if (err)
			goto out;
	}
	if (!p->meta && !p->pmap) {
		err = ai_err(
			EINVAL,
			"%s: not an arena snapshot (an ELF core file without arena-inspect notes)",
			p->path);
		goto out;
	}
	err = parse_meta(p);
	if (!err)
		err = parse_pagemap(p);
	if (!err)
		err = parse_roots(p);
	if (!err)
		err = parse_vars(p);
	if (!err)
		err = parse_maps(p);
	if (err)
		goto out;
	for (uint64_t i = 0; i < phnum; i++) {
		uint64_t start = p->m.user_vm_start, size = p->m.max_pages * p->page;
		const Elf64_Phdr *ph = &phs[i];
		struct seg *s;

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_offset > ss->size || ph->p_filesz > ss->size - ph->p_offset) {
			err = ai_err(EINVAL,
				     "%s: truncated at offset %zu (segment at 0x%llx needs bytes "
				     "up to %llu)",
				     p->path, ss->size, (unsigned long long)ph->p_vaddr,
				     (unsigned long long)ph->p_offset + ph->p_filesz);
			goto out;
		}
		if (ph->p_filesz != ph->p_memsz || !ph->p_filesz || ph->p_filesz % p->page ||
		    ph->p_offset % p->page || ph->p_vaddr % p->page) {
			err = ai_err(EINVAL,
				     "%s: segment at 0x%llx is not whole pages (offset %llu, "
				     "%llu/%llu bytes)",
				     p->path, (unsigned long long)ph->p_vaddr,
				     (unsigned long long)ph->p_offset,
				     (unsigned long long)ph->p_filesz,
				     (unsigned long long)ph->p_memsz);
			goto out;
		}
		if (!start || ph->p_vaddr < start || ph->p_vaddr - start > size ||
		    ph->p_filesz > size - (ph->p_vaddr - start)) {
			err = ai_err(EINVAL,
				     "%s: segment 0x%llx+%llu is outside the arena (0x%llx-0x%llx)",
				     p->path, (unsigned long long)ph->p_vaddr,
				     (unsigned long long)ph->p_filesz, (unsigned long long)start,
				     (unsigned long long)(start + size));
			goto out;
		}
		s = &ss->segs[ss->nr_segs++];
		s->first = (ph->p_vaddr - start) / p->page;
		s->count = ph->p_filesz / p->page;
		s->off = ph->p_offset;
	}
	err = check_segments(p);
out:
	free(phs);
	return err;
}

int snapshot__open(const char *path, struct source **out)
{
	struct snapsrc *ss;
	struct parse p = { .path = path };
	struct stat st;
	int fd, err;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ai_err(errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		err = ai_err(errno, "%s: %s", path, strerror(errno));
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ai_err(EINVAL, "%s: not an arena snapshot (not a regular file)", path);
	}
	ss = calloc(1, sizeof(*ss));
	if (!ss) {
		close(fd);
		return ai_err(ENOMEM, "out of memory");
	}
	ss->src.ops = &snap_ops;
	ss->size = st.st_size;
	ss->mtime = st.st_mtim;
	ss->fd = fd;
	ss->path = strdup(path);
	if (!ss->path) {
		snap_close(&ss->src);
		return ai_err(ENOMEM, "out of memory");
	}
	p.ss = ss;
	err = parse_file(&p);
	/* a file that changed while we parsed it may have looked broken, or
	 * whole but mixed from two versions: either way, say what happened */
	if (err != -ENOMEM) {
		int e2 = check_unchanged(ss);

		if (e2)
			err = e2;
	}
	if (err) {
		snap_close(&ss->src);
		return err;
	}
	*out = &ss->src;
	return 0;
}

bool snapshot__is_snapshot(const char *path)
{
	uint8_t note[4096]; /* the head of a note: bytes, not a page */
	Elf64_Ehdr eh;
	bool ok = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != HOST_DATA ||
	    eh.e_type != ET_CORE || eh.e_phentsize != sizeof(Elf64_Phdr))
		goto out;
	/* our writer puts the metadata note first in the first PT_NOTE; look
	 * at the first few headers only, this is a cheap check */
	for (unsigned i = 0; i < eh.e_phnum && i < 8 && !ok; i++) {
		Elf64_Phdr ph;
		Elf64_Nhdr nh;
		ssize_t n;

		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) != sizeof(ph))
			break;
		if (ph.p_type != PT_NOTE)
			continue;
		n = pread(fd, note, ph.p_filesz < sizeof(note) ? ph.p_filesz : sizeof(note),
			  ph.p_offset);
		if (n < (ssize_t)(sizeof(nh) + sizeof(SNAPSHOT_NOTE_OWNER)))
			continue;
		memcpy(&nh, note, sizeof(nh));
		ok = nh.n_namesz == sizeof(SNAPSHOT_NOTE_OWNER) &&
		     !memcmp(note + sizeof(nh), SNAPSHOT_NOTE_OWNER, sizeof(SNAPSHOT_NOTE_OWNER));
	}
out:
	close(fd);
	return ok;
}

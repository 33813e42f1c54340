// SPDX-License-Identifier: GPL-2.0
/*
 * snapshot_write: save an arena to an ELF core file (the format is
 * described in snapshot.h; snapshot_read.c reads it back, snapshot_target.c
 * decides where the file goes).
 *
 * Page data goes first, straight from the read buffer to its final file
 * offset, so a 4 GiB arena is never held in memory. Only then are the
 * headers known: a page that was in the page map may have vanished by the
 * time it was read (no data, a segment splits in two), and the page map
 * taken after the read tells whether the arena changed. The header area is
 * reserved before the data with room for such splits; if more pages vanish
 * than there is room for, the snapshot is taken again. libelf then writes
 * the ELF header, program headers, notes and section headers into that
 * area. A section (.arena.data) spans the page data so that libelf's idea
 * of the file size covers it and it neither truncates nor fills it.
 * A stream (-o -) cannot go back: write_stream puts everything but the ELF
 * header after the data instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "snapshot.h"
#include "snapshot_fmt.h"
#include "snapshot_target.h"

#ifndef AI_VERSION
#define AI_VERSION "0.1.0"
#endif

#define CHUNK_PAGES 1024 /* pages per read: 4 MiB with 4 KiB pages */
#define SLACK_MAX 4096	 /* vanished pages the header area has room for */
#define WRITE_TRIES 3

static const char shstrtab[] = "\0.shstrtab\0.note.arena\0.arena.data";
#define STR_SHSTRTAB 1
#define STR_NOTE 11
#define STR_DATA 23

static bool libelf_ready(void)
{
	static int ok = -1;

	if (ok < 0)
		ok = elf_version(EV_CURRENT) != EV_NONE;
	return ok;
}

/* ================================================================ notes */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int buf_grow(struct buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096; /* bytes of notes to start with, not a page */
	uint8_t *n;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	n = realloc(b->p, cap);
	if (!n)
		return -ENOMEM;
	b->p = n;
	b->cap = cap;
	return 0;
}

static size_t note_size(size_t descsz)
{
	return sizeof(Elf64_Nhdr) + align_up(sizeof(SNAPSHOT_NOTE_OWNER), 4) + align_up(descsz, 4);
}

/* Append a note made of two parts (header + payload); returns -ENOMEM. */
static int note_add(struct buf *b, uint32_t type, const void *d1, size_t n1, const void *d2,
		    size_t n2)
{
	Elf64_Nhdr nh = {
		.n_namesz = sizeof(SNAPSHOT_NOTE_OWNER),
		.n_descsz = n1 + n2,
		.n_type = type,
	};
	size_t total = note_size(n1 + n2);
	uint8_t *p;

	if (buf_grow(b, total))
		return -ENOMEM;
	p = b->p + b->len;
	memset(p, 0, total);
	memcpy(p, &nh, sizeof(nh));
	p += sizeof(nh);
	memcpy(p, SNAPSHOT_NOTE_OWNER, sizeof(SNAPSHOT_NOTE_OWNER));
	p += align_up(sizeof(SNAPSHOT_NOTE_OWNER), 4);
	if (n1)
		memcpy(p, d1, n1);
	if (n2)
		memcpy(p + n1, d2, n2);
	b->len += total;
	return 0;
}

/* ================================================================ writing */

struct wblob {
	const void *raw;
	uint32_t size;
};

struct writer {
	struct source *src;
	const char *path;
	int fd;
	struct arena_info info;
	uint64_t page; /* the source's page size */
	uint8_t *buf;  /* 2 x CHUNK_PAGES pages */
	/* what goes into the notes, fixed before the data is read */
	struct wblob *blobs;
	int nr_blobs;
	struct snapshot_root *roots;
	int nr_roots;
	uint8_t *vars; /* SNAPSHOT_NT_VARS data: table, records, bytes */
	size_t vars_len;
	/* SNAPSHOT_NT_MAPS: the programs' maps check cannot read; written
	 * only when bx knows them (maps_known), so that a reader tells
	 * "none" from "unknown" */
	struct snapshot_map *maps;
	int nr_maps;
	bool maps_known;
	size_t fixed_notes; /* META + ROOTS + BTF + VARS notes, bytes */
	/* per attempt */
	struct pagemap pm1, pm2;
	uint8_t *state;	   /* final page states */
	uint8_t *vanished; /* 1: allocated in pm1, missing when read */
	uint32_t nr_saved; /* pm1 allocated pages = data slots */
	uint32_t nr_vanished;
	uint64_t data_off; /* D */
	bool changed;
	const struct ai_progress *progress;
};

static int werr(struct writer *w, int err)
{
	return ai_err(err, "cannot write snapshot %s: %s", w->path, strerror(err));
}

/* All of p at off, or (off < 0: a stream) at the file's position */
static int write_all_at(int fd, const void *p, size_t len, off_t off)
{
	while (len) {
		ssize_t n = off < 0 ? write(fd, p, len) : pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p = (const uint8_t *)p + n;
		len -= n;
		if (off >= 0)
			off += n;
	}
	return 0;
}

static uint32_t count_runs(const uint8_t *state, uint32_t n, bool alloc_only)
{
	uint32_t runs = 0;

	for (uint32_t i = 0; i < n; i++) {
		bool start = i == 0 || state[i] != state[i - 1];

		if (start && (!alloc_only || state[i] == PAGE_ALLOCATED))
			runs++;
	}
	return runs;
}

/* Bytes from offset 0 to the end of the section header table. */
static uint64_t header_size(uint64_t nr_phdr, uint64_t notes_len)
{
	uint64_t notes_off = align_up(sizeof(Elf64_Ehdr) + nr_phdr * sizeof(Elf64_Phdr), 8);
	uint64_t shoff = align_up(notes_off + notes_len + sizeof(shstrtab), 8);

	return shoff + 4 * sizeof(Elf64_Shdr);
}

static uint64_t pagemap_note_len(uint64_t runs)
{
	return note_size(sizeof(struct snapshot_table) + runs * sizeof(struct snapshot_run));
}

/* The data-section variables of bx whose BTF is saved (map: bx's blob
 * index -> the file's, -1: not saved), as one SNAPSHOT_NT_VARS payload. */
static int collect_vars(struct writer *w, struct btfx *bx, const int *map)
{
	int nv = btfx__nr_vars(bx), nr = 0;
	uint64_t hdr = sizeof(struct snapshot_table), len;
	struct snapshot_table t = { .version = 1,
				    .hdr_size = sizeof(t),
				    .rec_size = sizeof(struct snapshot_var) };
	uint64_t data;

	len = hdr;
	for (int i = 0; i < nv; i++) {
		const struct map_var *v = btfx__var(bx, i);

		if (v->btf_idx < 0 || !map || map[v->btf_idx] < 0)
			continue;
		nr++;
		len += sizeof(struct snapshot_var) + align_up(v->size, 8);
	}
	if (!nr)
		return 0;
	w->vars = calloc(1, len);
	if (!w->vars)
		return werr(w, ENOMEM);
	t.nr = nr;
	memcpy(w->vars, &t, sizeof(t));
	data = hdr + (uint64_t)nr * sizeof(struct snapshot_var);
	nr = 0;
	for (int i = 0; i < nv; i++) {
		const struct map_var *v = btfx__var(bx, i);
		struct snapshot_var o = { 0 };

		if (v->btf_idx < 0 || map[v->btf_idx] < 0)
			continue;
		snprintf(o.name, sizeof(o.name), "%s", v->name);
		snprintf(o.section, sizeof(o.section), "%s", v->section);
		o.btf_idx = map[v->btf_idx];
		o.type_id = v->type_id;
		o.map_id = v->map_id;
		o.size = v->size;
		o.data_off = data;
		memcpy(w->vars + hdr + (size_t)nr++ * sizeof(o), &o, sizeof(o));
		memcpy(w->vars + data, v->data, v->size);
		data += align_up(v->size, 8);
	}
	w->vars_len = len;
	return 0;
}

/* BTF blobs, roots and variables from bx; blobs without raw bytes are left
 * out and the roots and variables that name them with them. */
static int collect_btf(struct writer *w, struct btfx *bx)
{
	int nb = btfx__nr_btfs(bx), nr = btfx__nr_roots(bx);
	int *map = NULL, err;

	if (nb > 0) {
		w->blobs = calloc(nb, sizeof(*w->blobs));
		map = calloc(nb, sizeof(*map));
		if (!w->blobs || !map) {
			free(map);
			return werr(w, ENOMEM);
		}
	}
	for (int i = 0; i < nb; i++) {
		uint32_t sz = 0;
		const void *raw = btfx__btf_raw(bx, i, &sz);

		map[i] = -1;
		if (!raw || !sz || sz > MAX_BTF_SIZE)
			continue;
		map[i] = w->nr_blobs;
		w->blobs[w->nr_blobs].raw = raw;
		w->blobs[w->nr_blobs++].size = sz;
	}
	if (nr > 0) {
		w->roots = calloc(nr, sizeof(*w->roots));
		if (!w->roots) {
			free(map);
			return werr(w, ENOMEM);
		}
	}
	for (int i = 0; i < nr; i++) {
		const struct root *r = btfx__root(bx, i);
		struct snapshot_root *o = &w->roots[w->nr_roots];

		if (!r || r->btf_idx < 0 || r->btf_idx >= nb || map[r->btf_idx] < 0)
			continue;
		memset(o, 0, sizeof(*o));
		snprintf(o->name, sizeof(o->name), "%s", r->name);
		snprintf(o->section, sizeof(o->section), "%s", r->section);
		o->kind = r->kind;
		o->btf_idx = map[r->btf_idx];
		o->type_id = r->type_id;
		o->addr = r->addr;
		o->value = r->value;
		w->nr_roots++;
	}
	err = collect_vars(w, bx, map);
	free(map);
	if (!err && btfx__maps_known(bx)) {
		int nm = btfx__nr_unseen_maps(bx);

		w->maps_known = true;
		w->maps = calloc(nm ? nm : 1, sizeof(*w->maps));
		if (!w->maps)
			return werr(w, ENOMEM);
		for (int i = 0; i < nm; i++) {
			const struct btfx_map *m = btfx__unseen_map(bx, i);

			w->maps[i].id = m->id;
			w->maps[i].type = m->type;
			snprintf(w->maps[i].name, sizeof(w->maps[i].name), "%s", m->name);
		}
		w->nr_maps = nm;
	}
	return err;
}

static int build_notes(struct writer *w, struct buf *b, uint32_t nr_loads, uint64_t data_bytes)
{
	struct snapshot_meta m = {
		.version = SNAPSHOT_VERSION,
		.size = sizeof(m),
		.page_size = w->page,
		.map_id = w->info.map_id,
		.map_flags = w->info.map_flags,
		.max_pages = w->info.max_pages,
		.map_extra = w->info.map_extra,
		.user_vm_start = w->info.user_vm_start,
		.user_vm_end = w->info.user_vm_end,
		.flags = w->changed ? SNAPSHOT_F_CHANGED : 0,
		.nr_btf = w->nr_blobs,
		.nr_roots = w->nr_roots,
		.nr_loads = nr_loads,
		.data_bytes = data_bytes,
	};
	struct snapshot_table t = { .version = 1,
				    .hdr_size = sizeof(t),
				    .rec_size = sizeof(struct snapshot_run) };
	struct snapshot_run *runs;
	uint32_t n = w->info.max_pages, nr = 0;
	int err = 0;

	memcpy(m.name, w->info.name, sizeof(m.name));
	m.name[sizeof(m.name) - 1] = '\0';
	if (w->info.is_snapshot) {
		/* a copy of a snapshot keeps where and when it was taken */
		m.time_ns = w->info.snapshot_time_ns;
		snprintf(m.kernel_release, sizeof(m.kernel_release), "%s", w->info.kernel_release);
		if (w->info.snapshot_changed)
			m.flags |= SNAPSHOT_F_CHANGED;
	} else {
		struct timespec ts;
		struct utsname u;

		clock_gettime(CLOCK_REALTIME, &ts);
		m.time_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
		if (!uname(&u))
			snprintf(m.kernel_release, sizeof(m.kernel_release), "%s", u.release);
	}
	snprintf(m.tool_version, sizeof(m.tool_version), "arena-inspect %s", AI_VERSION);

	/* a run ends where the state or the vanished flag changes: a page
	 * freed while being saved splits a run of its new state too */
	for (uint32_t i = 0; i < n; i++)
		nr += i == 0 || w->state[i] != w->state[i - 1] ||
		      w->vanished[i] != w->vanished[i - 1];
	runs = malloc((nr + 1) * sizeof(*runs));
	if (!runs)
		return -ENOMEM;
	nr = 0;
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i + 1;

		while (j < n && w->state[j] == w->state[i] && w->vanished[j] == w->vanished[i])
			j++;
		runs[nr++] = (struct snapshot_run){
			.first = i,
			.count = j - i,
			.state = w->state[i],
			.flags = w->vanished[i] ? SNAPSHOT_RUN_VANISHED : 0,
		};
		i = j;
	}
	t.nr = nr;

	err = note_add(b, SNAPSHOT_NT_META, &m, sizeof(m), NULL, 0);
	if (!err)
		err = note_add(b, SNAPSHOT_NT_PAGEMAP, &t, sizeof(t), runs, nr * sizeof(*runs));
	if (!err && w->nr_roots) {
		struct snapshot_table rt = { .version = 1,
					     .hdr_size = sizeof(rt),
					     .rec_size = sizeof(struct snapshot_root),
					     .nr = w->nr_roots };

		err = note_add(b, SNAPSHOT_NT_ROOTS, &rt, sizeof(rt), w->roots,
			       w->nr_roots * sizeof(*w->roots));
	}
	if (!err && w->vars)
		err = note_add(b, SNAPSHOT_NT_VARS, w->vars, w->vars_len, NULL, 0);
	if (!err && w->maps_known) {
		struct snapshot_table mt = { .version = 1,
					     .hdr_size = sizeof(mt),
					     .rec_size = sizeof(struct snapshot_map),
					     .nr = w->nr_maps };

		err = note_add(b, SNAPSHOT_NT_MAPS, &mt, sizeof(mt), w->maps,
			       w->nr_maps * sizeof(*w->maps));
	}
	for (int i = 0; !err && i < w->nr_blobs; i++) {
		struct snapshot_btf h = {
			.version = 1, .hdr_size = sizeof(h), .index = i, .size = w->blobs[i].size
		};

		err = note_add(b, SNAPSHOT_NT_BTF, &h, sizeof(h), w->blobs[i].raw,
			       w->blobs[i].size);
	}
	free(runs);
	return err;
}

/*
 * Page data is read on the caller's thread (sources need not be thread
 * safe) and written by a second thread, so reading the next chunk overlaps
 * writing this one: a 4 GiB arena costs max(read, write), not the sum.
 */
struct job {
	uint8_t *buf;	     /* CHUNK_PAGES pages */
	const uint8_t *data; /* what to write: buf, or the source's */
	uint8_t present[CHUNK_PAGES];
	uint32_t cnt; /* pages in buf */
	uint64_t off; /* file offset of buf[0] */
	bool full;
};

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job jobs[2];
	int fd;
	uint64_t page;
	int err; /* first write error, positive errno */
	bool done;
	/* a stream (-o -): every slot in order, a page that vanished as
	 * zeros (no segment points at it), nothing skipped or sought */
	const uint8_t *zero;
};

static int write_all(int fd, const void *p, size_t len)
{
	return write_all_at(fd, p, len, -1);
}

static void *writer_thread(void *arg)
{
	struct pipe *q = arg;

	for (int k = 0;; k ^= 1) {
		struct job *j = &q->jobs[k];
		int err = 0;

		pthread_mutex_lock(&q->mu);
		while (!j->full && !q->done)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!j->full) {
			pthread_mutex_unlock(&q->mu);
			return NULL;
		}
		err = q->err;
		pthread_mutex_unlock(&q->mu);
		/* each stretch of present pages in one write */
		for (uint32_t a = 0; !err && a < j->cnt;) {
			uint32_t b = a;

			if (!j->present[a] && q->zero) {
				err = -write_all(q->fd, q->zero, q->page);
				a++;
				continue;
			}
			if (!j->present[a]) {
				a++;
				continue;
			}
			while (b < j->cnt && j->present[b])
				b++;
			if (q->zero)
				err = -write_all(q->fd, j->data + a * q->page, (b - a) * q->page);
			else
				err = -write_all_at(q->fd, j->data + a * q->page, (b - a) * q->page,
						    j->off + a * q->page);
			a = b;
		}
		pthread_mutex_lock(&q->mu);
		if (err && !q->err)
			q->err = err;
		j->full = false;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
	}
}

/* Read every allocated page of pm1 and write it at D + page size * slot
 * (zero: a stream, see struct pipe). */
static int write_data(struct writer *w, const uint8_t *zero)
{
	struct pipe q = { .mu = PTHREAD_MUTEX_INITIALIZER,
			  .cv = PTHREAD_COND_INITIALIZER,
			  .fd = w->fd,
			  .page = w->page,
			  .zero = zero };
	uint32_t n = w->pm1.nr_pages;
	/* a source that reads scattered pages in one call gets a sparse
	 * arena's pages a chunk at a time, not a run at a time */
	bool gather = w->src->ops->read_runs && w->src->ops->borrow_max_bytes >= w->page;
	uint32_t max_gather = gather ? w->src->ops->borrow_max_bytes / w->page : 0;
	struct page_run runs[CHUNK_PAGES];
	uint64_t slot = 0;
	pthread_t th;
	int err = 0, k = 0;

	if (max_gather > CHUNK_PAGES)
		max_gather = CHUNK_PAGES;
	q.jobs[0].buf = w->buf;
	q.jobs[1].buf = w->buf + CHUNK_PAGES * w->page;
	err = pthread_create(&th, NULL, writer_thread, &q);
	if (err)
		return werr(w, err);
	for (uint32_t i = 0; i < n && !err;) {
		struct job *j = &q.jobs[k];
		uint32_t first, cnt, nruns;
		int miss;

		/* the next run of pages (a chunk at most); with read_runs the
		 * next runs up to a chunk, their slots following each other */
		nruns = pagemap__next_runs(&w->pm1, &i, gather ? max_gather : CHUNK_PAGES, runs,
					   gather ? CHUNK_PAGES : 1, &cnt);
		if (!nruns)
			break;
		first = runs[0].first;
		pthread_mutex_lock(&q.mu);
		while (j->full)
			pthread_cond_wait(&q.cv, &q.mu);
		err = q.err;
		pthread_mutex_unlock(&q.mu);
		if (err) {
			err = werr(w, err);
			break;
		}
		if (nruns > 1) {
			const uint8_t *data;

			miss = w->src->ops->read_runs(w->src, runs, nruns, &data, j->present);
			j->data = data;
			for (uint32_t a = 0; miss == 0 && a < cnt; a++)
				miss += !j->present[a];
		} else if (w->src->ops->read_pages &&
			   cnt * w->page <= w->src->ops->borrow_max_bytes) {
			/* zero copy: the writer drains the source's own buffer */
			const uint8_t *data;

			miss = w->src->ops->read_pages(w->src, first, cnt, &data, j->present);
			j->data = data;
			for (uint32_t a = 0; miss == 0 && a < cnt; a++)
				miss += !j->present[a];
		} else {
			miss = source__read(w->src, w->info.user_vm_start + first * w->page, j->buf,
					    cnt * w->page, j->present);
			j->data = j->buf;
		}
		if (miss < 0) {
			err = ai_err(-miss, "cannot write snapshot %s: reading the arena: %s",
				     w->path, ai_errmsg());
			break;
		}
		for (uint32_t r = 0, a = 0; miss && r < nruns; r++) {
			for (uint32_t x = 0; x < runs[r].count; x++, a++) {
				if (!j->present[a]) {
					w->vanished[runs[r].first + x] = 1;
					w->nr_vanished++;
				}
			}
		}
		j->cnt = cnt;
		j->off = w->data_off + slot * w->page;
		pthread_mutex_lock(&q.mu);
		j->full = true;
		pthread_cond_broadcast(&q.cv);
		pthread_mutex_unlock(&q.mu);
		k ^= 1;
		slot += cnt;
		if (ai_progress__tick(w->progress, "saving", slot, w->nr_saved)) {
			err = ai_err(ECANCELED, "snapshot %s: cancelled", w->path);
			break;
		}
	}
	pthread_mutex_lock(&q.mu);
	q.done = true;
	pthread_cond_broadcast(&q.cv);
	pthread_mutex_unlock(&q.mu);
	pthread_join(th, NULL);
	if (!err && q.err)
		err = werr(w, q.err);
	return err;
}

/*
 * The next PT_LOAD from page *i on: a run of finally allocated pages (the
 * settled w->state) and its data at the slots of pm1's allocated pages, in
 * order (final allocated pages are a subset of pm1's, so a run's slots are
 * contiguous). false after the last one. Both writers' program headers.
 */
static bool next_load(const struct writer *w, uint32_t *i, uint32_t *slot, Elf64_Phdr *p)
{
	uint32_t n = w->info.max_pages, j, slot0;

	for (; *i < n && w->state[*i] != PAGE_ALLOCATED; ++*i)
		*slot += w->pm1.state[*i] == PAGE_ALLOCATED;
	if (*i >= n)
		return false;
	j = *i;
	slot0 = *slot;
	while (j < n && w->state[j] == PAGE_ALLOCATED) {
		++*slot;
		j++;
	}
	*p = (Elf64_Phdr){
		.p_type = PT_LOAD,
		.p_flags = PF_R,
		.p_offset = w->data_off + (uint64_t)slot0 * w->page,
		.p_vaddr = w->info.user_vm_start + (uint64_t)*i * w->page,
		.p_filesz = (uint64_t)(j - *i) * w->page,
		.p_memsz = (uint64_t)(j - *i) * w->page,
		.p_align = w->page,
	};
	*i = j;
	return true;
}

/* libelf writes everything but the page data. */
static int write_headers(struct writer *w, const struct buf *notes, uint32_t nr_loads,
			 uint64_t data_len)
{
	uint64_t nr_phdr = 1 + (uint64_t)nr_loads;
	uint64_t notes_off = align_up(sizeof(Elf64_Ehdr) + nr_phdr * sizeof(Elf64_Phdr), 8);
	uint64_t str_off = notes_off + notes->len;
	uint64_t shoff = align_up(str_off + sizeof(shstrtab), 8);
	Elf *e = NULL;
	Elf_Scn *scn;
	Elf_Data *d;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	GElf_Phdr p;
	int err = 0, ph = 0;
	int64_t size;

	errno = 0;
	e = elf_begin(w->fd, ELF_C_WRITE, NULL);
	if (!e)
		goto elf_fail;
	if (!gelf_newehdr(e, ELFCLASS64) || !gelf_getehdr(e, &eh))
		goto elf_fail;
	eh.e_ident[EI_DATA] = HOST_DATA;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = HOST_MACHINE;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(Elf64_Ehdr);
	eh.e_shoff = shoff;
	eh.e_shstrndx = 1;
	if (!gelf_update_ehdr(e, &eh))
		goto elf_fail;
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);

	/* [1] .shstrtab, [2] .note.arena, [3] .arena.data (no Elf_Data: the
	 * pages are already in the file; the section only claims the range) */
	scn = elf_newscn(e);
	if (!scn || !(d = elf_newdata(scn)))
		goto elf_fail;
	d->d_buf = (void *)shstrtab;
	d->d_size = sizeof(shstrtab);
	d->d_type = ELF_T_BYTE;
	d->d_align = 1;
	if (!gelf_getshdr(scn, &sh))
		goto elf_fail;
	sh.sh_name = STR_SHSTRTAB;
	sh.sh_type = SHT_STRTAB;
	sh.sh_offset = str_off;
	sh.sh_size = sizeof(shstrtab);
	sh.sh_addralign = 1;
	if (!gelf_update_shdr(scn, &sh))
		goto elf_fail;

	scn = elf_newscn(e);
	if (!scn || !(d = elf_newdata(scn)))
		goto elf_fail;
	d->d_buf = notes->p;
	d->d_size = notes->len;
	d->d_type = ELF_T_BYTE;
	d->d_align = 4;
	if (!gelf_getshdr(scn, &sh))
		goto elf_fail;
	sh.sh_name = STR_NOTE;
	sh.sh_type = SHT_NOTE;
	sh.sh_offset = notes_off;
	sh.sh_size = notes->len;
	sh.sh_addralign = 4;
	if (!gelf_update_shdr(scn, &sh))
		goto elf_fail;

	scn = elf_newscn(e);
	if (!scn || !gelf_getshdr(scn, &sh))
		goto elf_fail;
	sh.sh_name = STR_DATA;
	sh.sh_type = data_len ? SHT_PROGBITS : SHT_NOBITS;
	sh.sh_offset = w->data_off;
	sh.sh_size = data_len;
	sh.sh_addralign = w->page;
	if (!gelf_update_shdr(scn, &sh))
		goto elf_fail;

	/* after the sections: more than PN_XNUM headers need section 0 */
	if (!gelf_newphdr(e, nr_phdr))
		goto elf_fail;
	p = (GElf_Phdr){
		.p_type = PT_NOTE,
		.p_offset = notes_off,
		.p_filesz = notes->len,
		.p_align = 4,
	};
	if (!gelf_update_phdr(e, ph++, &p))
		goto elf_fail;
	for (uint32_t i = 0, slot = 0; next_load(w, &i, &slot, &p);)
		if (!gelf_update_phdr(e, ph++, &p))
			goto elf_fail;
	size = elf_update(e, ELF_C_WRITE);
	if (size < 0)
		goto elf_fail;
	if (data_len && (uint64_t)size < w->data_off + data_len) {
		/* never happens with the layout above; refuse a short file */
		elf_end(e);
		return ai_err(
			EIO, "cannot write snapshot %s: libelf wrote %lld bytes, expected %llu",
			w->path, (long long)size, (unsigned long long)(w->data_off + data_len));
	}
	elf_end(e);
	return 0;

elf_fail:
	err = errno;
	if (err && err != EINVAL && err != ENOENT) {
		elf_end(e);
		return werr(w, err);
	}
	err = ai_err(EIO, "cannot write snapshot %s: %s", w->path, elf_errmsg(-1));
	elf_end(e);
	return err;
}

static int take_pagemap(struct writer *w, struct pagemap *pm)
{
	int err = source__pagemap(w->src, pm);

	if (err)
		return ai_err(-err, "cannot write snapshot %s: reading the page map: %s", w->path,
			      ai_errmsg());
	if (pm->nr_pages != w->info.max_pages) {
		pagemap__free(pm);
		return ai_err(EIO, "cannot write snapshot %s: page map has %u pages, arena %u",
			      w->path, pm->nr_pages, w->info.max_pages);
	}
	return 0;
}

/* After the data: the second page map says whether the arena changed, and
 * the final page states (w->state) are settled. */
static int settle(struct writer *w)
{
	uint32_t n = w->info.max_pages;
	int err = take_pagemap(w, &w->pm2);

	if (err)
		return err;
	w->changed = w->pm1.stale || w->pm2.stale || w->nr_vanished ||
		     memcmp(w->pm1.state, w->pm2.state, n);
	/* a vanished page is what the second look says, unless that says
	 * allocated again: then we have no data for it and call it free */
	memcpy(w->state, w->pm1.state, n);
	for (uint32_t i = 0; i < n; i++) {
		if (!w->vanished[i])
			continue;
		w->state[i] = w->pm2.state[i] == PAGE_ALLOCATED || w->pm2.state[i] > PAGE_RESERVED
				      ? PAGE_FREE
				      : w->pm2.state[i];
	}
	return 0;
}

static void fill_stats(struct writer *w, struct snapshot_stats *st, uint32_t nr_loads,
		       uint64_t file_size)
{
	struct pagemap fin = { .nr_pages = w->info.max_pages, .state = w->state };

	if (!st)
		return;
	pagemap__count(&fin);
	st->pages_saved = w->nr_saved - w->nr_vanished;
	st->pages_reserved = fin.counts[PAGE_RESERVED];
	st->pages_vanished = w->nr_vanished;
	st->nr_loads = nr_loads;
	st->nr_btf = w->nr_blobs;
	st->nr_roots = w->nr_roots;
	st->file_size = file_size;
	st->changed = w->changed || (w->info.is_snapshot && w->info.snapshot_changed);
}

/* The page map whose allocated pages are saved (pm1): one data slot each */
static int first_pagemap(struct writer *w)
{
	int err = take_pagemap(w, &w->pm1);

	if (err)
		return err;
	w->nr_saved = w->pm1.counts[PAGE_ALLOCATED];
	w->nr_vanished = 0;
	if (w->nr_saved && !w->info.user_vm_start)
		return ai_err(EINVAL,
			      "cannot write snapshot %s: the arena has pages but no user address",
			      w->path);
	return 0;
}

/* One attempt. Returns 1 when the header area turned out too small. */
static int write_attempt(struct writer *w, struct snapshot_stats *st)
{
	struct buf notes = {};
	uint32_t n = w->info.max_pages, runs0, loads0, slack, nr_loads;
	uint64_t reserve, data_len;
	int err;

	err = first_pagemap(w);
	if (err)
		return err;
	runs0 = count_runs(w->pm1.state, n, false);
	loads0 = count_runs(w->pm1.state, n, true);
	slack = w->nr_saved < SLACK_MAX ? w->nr_saved : SLACK_MAX;
	reserve = header_size(1 + (uint64_t)loads0 + slack,
			      w->fixed_notes + pagemap_note_len(runs0 + 2ULL * slack));
	w->data_off = align_up(reserve, w->page);
	memset(w->vanished, 0, n);

	if (ftruncate(w->fd, 0))
		return werr(w, errno);
	err = write_data(w, NULL);
	if (!err)
		err = settle(w);
	if (err)
		return err;
	nr_loads = count_runs(w->state, n, true);
	data_len = (uint64_t)w->nr_saved * w->page;

	err = build_notes(w, &notes, nr_loads, (uint64_t)(w->nr_saved - w->nr_vanished) * w->page);
	if (err) {
		free(notes.p);
		return werr(w, -err);
	}
	if (header_size(1 + (uint64_t)nr_loads, notes.len) > w->data_off) {
		free(notes.p);
		return 1;
	}
	err = write_headers(w, &notes, nr_loads, data_len);
	free(notes.p);
	if (err)
		return err;
	fill_stats(w, st, nr_loads, data_len ? w->data_off + data_len : 0);
	return 0;
}

/* What both writers need before the first page map: the arena's info, the
 * BTF and roots, buffers. w->path names the output in messages. */
static int writer_setup(struct writer *w, struct source *src, struct btfx *bx)
{
	const char *path = w->path;
	size_t n;
	int err;

	if (!libelf_ready())
		return ai_err(EINVAL, "cannot write snapshot %s: libelf: %s", path, elf_errmsg(-1));
	err = source__info(src, &w->info);
	if (err)
		return ai_err(-err, "cannot write snapshot %s: %s", path, ai_errmsg());
	w->page = w->info.page_size;
	if (!w->info.max_pages || w->info.max_pages > MAX_ARENA_PAGES)
		return ai_err(EINVAL, "cannot write snapshot %s: arena has %u pages", path,
			      w->info.max_pages);
	n = w->info.max_pages;
	err = collect_btf(w, bx);
	if (err)
		return err;
	w->fixed_notes = note_size(sizeof(struct snapshot_meta));
	if (w->nr_roots)
		w->fixed_notes += note_size(sizeof(struct snapshot_table) +
					    w->nr_roots * sizeof(struct snapshot_root));
	for (int i = 0; i < w->nr_blobs; i++)
		w->fixed_notes += note_size(sizeof(struct snapshot_btf) + w->blobs[i].size);
	if (w->vars)
		w->fixed_notes += note_size(w->vars_len);
	if (w->maps_known)
		w->fixed_notes += note_size(sizeof(struct snapshot_table) +
					    w->nr_maps * sizeof(struct snapshot_map));
	w->state = malloc(n);
	w->vanished = malloc(n);
	if (!w->state || !w->vanished ||
	    posix_memalign((void **)&w->buf, w->page, 2 * CHUNK_PAGES * w->page)) {
		w->buf = NULL;
		return werr(w, ENOMEM);
	}
	return 0;
}

static void writer_free(struct writer *w)
{
	free(w->buf);
	free(w->state);
	free(w->vanished);
	free(w->blobs);
	free(w->roots);
	free(w->vars);
	free(w->maps);
	pagemap__free(&w->pm1);
	pagemap__free(&w->pm2);
}

static uint64_t elapsed_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000000ULL + t1.tv_nsec - t0->tv_nsec;
}

static int write_file(struct source *src, struct btfx *bx, const struct snapshot_target *t,
		      const struct snapshot_write_opts *opts, struct snapshot_stats *st)
{
	const char *path = t->path;
	struct writer w = {
		.src = src, .path = path, .fd = -1, .progress = opts ? opts->progress : NULL
	};
	struct timespec t0;
	char *tmp = NULL;
	int err, tries = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = writer_setup(&w, src, bx);
	if (err)
		goto out;
	w.fd = snapshot_target__open_temp(t, &tmp);
	if (w.fd < 0) {
		err = w.fd;
		goto out;
	}
	do {
		pagemap__free(&w.pm1);
		pagemap__free(&w.pm2);
		err = write_attempt(&w, st);
	} while (err == 1 && ++tries < WRITE_TRIES);
	if (err == 1) {
		err = ai_err(EAGAIN,
			     "cannot write snapshot %s: more than %d pages vanished while being "
			     "read, %d times; the arena changes too fast",
			     path, SLACK_MAX, WRITE_TRIES);
		goto out;
	}
	if (!err && opts && opts->sudo_owner)
		err = snapshot_target__give_to_sudo_user(t, w.fd);
	if (err)
		goto out;
	if (fsync(w.fd)) {
		err = werr(&w, errno);
		goto out;
	}
	if (close(w.fd)) {
		w.fd = -1;
		err = werr(&w, errno);
		goto out;
	}
	w.fd = -1;
	if (renameat(t->dirfd, tmp, t->dirfd, t->base)) {
		err = werr(&w, errno);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	/* the rename is durable once the directory is */
	if (fsync(t->dirfd) && errno != EINVAL && errno != EROFS) {
		err = werr(&w, errno);
		unlinkat(t->dirfd, t->base, 0);
		goto out;
	}
	if (st)
		st->elapsed_ns = elapsed_since(&t0);
	err = 0;
out:
	if (w.fd >= 0)
		close(w.fd);
	if (tmp)
		unlinkat(t->dirfd, tmp, 0);
	free(tmp);
	writer_free(&w);
	return err;
}

/*
 * A stream (stdout, a pipe): written once, front to back, never sought.
 * Only the ELF header comes before the data, and everything in it is known
 * from the first page map: the data starts at one page (D), takes a slot
 * per allocated page (a page that vanishes while being read is zeros that
 * no segment points at, as a hole is in a file), and the section headers
 * follow it at a fixed place. The program headers, notes and string table
 * come after those, once the second page map has settled the final states,
 * and e_phnum is PN_XNUM: section 0's sh_info holds the count, so nothing
 * before the data depends on how many segments there are.
 *
 *   0             ELF header (e_phoff = P, e_shoff = S, e_phnum = PN_XNUM)
 *   D = page      page data, nr_saved pages
 *   S = D + data  section headers: [0] (sh_info = phnum), .shstrtab,
 *                 .note.arena, .arena.data
 *   P = S + 256   program headers: PT_NOTE, PT_LOAD by address
 *   N             notes, then .shstrtab
 */
static int write_stream(struct writer *w, struct snapshot_stats *st)
{
	struct buf notes = {};
	uint32_t n = w->info.max_pages, nr_loads;
	uint64_t data_len, S, P, N, str_off, total;
	Elf64_Ehdr eh = {};
	Elf64_Shdr sh[4] = {};
	Elf64_Phdr *ph = NULL;
	uint8_t *zero = NULL, *head = NULL;
	uint32_t ph_i = 0;
	int err;

	err = first_pagemap(w);
	if (err)
		return err;
	memset(w->vanished, 0, n);
	w->data_off = w->page;
	data_len = (uint64_t)w->nr_saved * w->page;
	S = w->data_off + data_len;
	P = S + sizeof(sh);

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = HOST_DATA;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = HOST_MACHINE;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = P;
	eh.e_shoff = S;
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = PN_XNUM;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 4;
	eh.e_shstrndx = 1;
	head = calloc(1, w->page);
	zero = calloc(1, w->page);
	if (!head || !zero) {
		err = werr(w, ENOMEM);
		goto out;
	}
	memcpy(head, &eh, sizeof(eh));
	err = -write_all(w->fd, head, w->page);
	if (err) {
		err = werr(w, err);
		goto out;
	}
	err = write_data(w, zero);
	if (!err)
		err = settle(w);
	if (err)
		goto out;
	nr_loads = count_runs(w->state, n, true);
	err = build_notes(w, &notes, nr_loads, (uint64_t)(w->nr_saved - w->nr_vanished) * w->page);
	if (err) {
		err = werr(w, -err);
		goto out;
	}
	N = align_up(P + (1 + (uint64_t)nr_loads) * sizeof(Elf64_Phdr), 8);
	str_off = N + notes.len;
	total = str_off + sizeof(shstrtab);

	sh[0].sh_info = 1 + nr_loads; /* the program header count (PN_XNUM) */
	sh[1] = (Elf64_Shdr){ .sh_name = STR_SHSTRTAB,
			      .sh_type = SHT_STRTAB,
			      .sh_offset = str_off,
			      .sh_size = sizeof(shstrtab),
			      .sh_addralign = 1 };
	sh[2] = (Elf64_Shdr){ .sh_name = STR_NOTE,
			      .sh_type = SHT_NOTE,
			      .sh_offset = N,
			      .sh_size = notes.len,
			      .sh_addralign = 4 };
	sh[3] = (Elf64_Shdr){ .sh_name = STR_DATA,
			      .sh_type = data_len ? SHT_PROGBITS : SHT_NOBITS,
			      .sh_offset = w->data_off,
			      .sh_size = data_len,
			      .sh_addralign = w->page };
	ph = calloc(1 + (size_t)nr_loads, sizeof(*ph));
	if (!ph) {
		err = werr(w, ENOMEM);
		goto out;
	}
	ph[ph_i++] = (Elf64_Phdr){
		.p_type = PT_NOTE, .p_offset = N, .p_filesz = notes.len, .p_align = 4
	};
	for (uint32_t i = 0, slot = 0; next_load(w, &i, &slot, &ph[ph_i]);)
		ph_i++;
	err = -write_all(w->fd, sh, sizeof(sh));
	if (!err)
		err = -write_all(w->fd, ph, ph_i * sizeof(*ph));
	if (!err && N > P + ph_i * sizeof(*ph))
		err = -write_all(w->fd, zero, N - (P + ph_i * sizeof(*ph)));
	if (!err)
		err = -write_all(w->fd, notes.p, notes.len);
	if (!err)
		err = -write_all(w->fd, shstrtab, sizeof(shstrtab));
	if (err) {
		err = werr(w, err);
		goto out;
	}
	fill_stats(w, st, nr_loads, total);
out:
	free(notes.p);
	free(ph);
	free(head);
	free(zero);
	return err;
}

int snapshot__write_fd(struct source *src, struct btfx *bx, int fd, const char *name,
		       struct snapshot_stats *st)
{
	struct writer w = { .src = src, .path = name, .fd = fd };
	struct timespec t0;
	int err;

	if (st)
		memset(st, 0, sizeof(*st));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = writer_setup(&w, src, bx);
	if (!err)
		err = write_stream(&w, st);
	if (!err && st)
		st->elapsed_ns = elapsed_since(&t0);
	writer_free(&w);
	return err;
}

int snapshot__write_opts(struct source *src, struct btfx *bx, const char *path,
			 const struct snapshot_write_opts *opts, struct snapshot_stats *st)
{
	struct snapshot_target t;
	int err;

	if (st)
		memset(st, 0, sizeof(*st));
	err = snapshot_target__open(path, opts && opts->force, &t);
	if (!err)
		err = write_file(src, bx, &t, opts, st);
	snapshot_target__free(&t);
	return err;
}

int snapshot__write_stats(struct source *src, struct btfx *bx, const char *path,
			  struct snapshot_stats *st)
{
	return snapshot__write_opts(src, bx, path, NULL, st);
}

int snapshot__write(struct source *src, struct btfx *bx, const char *path)
{
	return snapshot__write_opts(src, bx, path, NULL, NULL);
}

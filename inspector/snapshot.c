// SPDX-License-Identifier: GPL-2.0
/*
 * snapshot: write an arena to an ELF core file and read it back as a source.
 * The format is described in snapshot.h.
 *
 * Writing. Page data goes first, straight from the read buffer to its final
 * file offset, so a 4 GiB arena is never held in memory. Only then are the
 * headers known: a page that was in the page map may have vanished by the
 * time it was read (no data, a segment splits in two), and the page map
 * taken after the read tells whether the arena changed. The header area is
 * reserved before the data with room for such splits; if more pages vanish
 * than there is room for, the snapshot is taken again. libelf then writes
 * the ELF header, program headers, notes and section headers into that
 * area. A section (.arena.data) spans the page data so that libelf's idea
 * of the file size covers it and it neither truncates nor fills it.
 *
 * Reading. The headers and notes are read with pread (never mapped: see
 * struct snapsrc) and every structure is checked before use: a snapshot
 * may come from anywhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "snapshot.h"

#ifndef AI_VERSION
#define AI_VERSION "0.1.0"
#endif

#define PAGE 4096ULL
#define CHUNK_PAGES 1024	/* 4 MiB per read */
#define SLACK_MAX 4096		/* vanished pages the header area has room for */
#define MAX_ARENA_PAGES (1u << 20) /* 4 GiB: the kernel's limit */
#define MAX_BTF_SIZE (256u << 20)
#define WRITE_TRIES 3

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__riscv)
#define HOST_MACHINE EM_RISCV
#elif defined(__s390x__)
#define HOST_MACHINE EM_S390
#elif defined(__powerpc64__)
#define HOST_MACHINE EM_PPC64
#elif defined(__loongarch__)
#define HOST_MACHINE 258 /* EM_LOONGARCH */
#else
#define HOST_MACHINE EM_NONE
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_DATA ELFDATA2LSB
#else
#define HOST_DATA ELFDATA2MSB
#endif

_Static_assert(sizeof(struct snapshot_meta) == 200, "snapshot_meta layout");
_Static_assert(sizeof(struct snapshot_table) == 16, "snapshot_table layout");
_Static_assert(sizeof(struct snapshot_run) == 16, "snapshot_run layout");
_Static_assert(sizeof(struct snapshot_root) == 128, "snapshot_root layout");
_Static_assert(sizeof(struct snapshot_btf) == 16, "snapshot_btf layout");

static const char shstrtab[] = "\0.shstrtab\0.note.arena\0.arena.data";
#define STR_SHSTRTAB 1
#define STR_NOTE 11
#define STR_DATA 23

static inline uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

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
	size_t cap = b->cap ? b->cap : 4096;
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
	uint8_t *buf;			/* 2 x CHUNK_PAGES pages */
	/* what goes into the notes, fixed before the data is read */
	struct wblob *blobs;
	int nr_blobs;
	struct snapshot_root *roots;
	int nr_roots;
	size_t fixed_notes;		/* META + ROOTS + BTF notes, bytes */
	/* per attempt */
	struct pagemap pm1, pm2;
	uint8_t *state;			/* final page states */
	uint8_t *vanished;		/* 1: allocated in pm1, missing when read */
	uint32_t nr_saved;		/* pm1 allocated pages = data slots */
	uint32_t nr_vanished;
	uint64_t data_off;		/* D */
	bool changed;
};

static int werr(struct writer *w, int err)
{
	return ai_err(err, "cannot write snapshot %s: %s", w->path, strerror(err));
}

static int pwrite_all(int fd, const void *p, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p = (const uint8_t *)p + n;
		len -= n;
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

/* BTF blobs and roots from bx; blobs without raw bytes are left out and the
 * roots that name them with them. */
static int collect_btf(struct writer *w, struct btfx *bx)
{
	int nb = btfx__nr_btfs(bx), nr = btfx__nr_roots(bx);
	int *map = NULL;

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
	free(map);
	return 0;
}

static int build_notes(struct writer *w, struct buf *b, uint32_t nr_loads, uint64_t data_bytes)
{
	struct snapshot_meta m = {
		.version = SNAPSHOT_VERSION,
		.size = sizeof(m),
		.page_size = PAGE,
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
	struct snapshot_table t = { .version = 1, .hdr_size = sizeof(t), .rec_size = sizeof(struct snapshot_run) };
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
		nr += i == 0 || w->state[i] != w->state[i - 1] || w->vanished[i] != w->vanished[i - 1];
	runs = malloc((nr + 1) * sizeof(*runs));
	if (!runs)
		return -ENOMEM;
	nr = 0;
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i + 1;

		while (j < n && w->state[j] == w->state[i] && w->vanished[j] == w->vanished[i])
			j++;
		runs[nr++] = (struct snapshot_run){
			.first = i, .count = j - i, .state = w->state[i],
			.flags = w->vanished[i] ? SNAPSHOT_RUN_VANISHED : 0,
		};
		i = j;
	}
	t.nr = nr;

	err = note_add(b, SNAPSHOT_NT_META, &m, sizeof(m), NULL, 0);
	if (!err)
		err = note_add(b, SNAPSHOT_NT_PAGEMAP, &t, sizeof(t), runs, nr * sizeof(*runs));
	if (!err && w->nr_roots) {
		struct snapshot_table rt = { .version = 1, .hdr_size = sizeof(rt),
					     .rec_size = sizeof(struct snapshot_root), .nr = w->nr_roots };

		err = note_add(b, SNAPSHOT_NT_ROOTS, &rt, sizeof(rt), w->roots,
			       w->nr_roots * sizeof(*w->roots));
	}
	for (int i = 0; !err && i < w->nr_blobs; i++) {
		struct snapshot_btf h = { .version = 1, .hdr_size = sizeof(h), .index = i,
					  .size = w->blobs[i].size };

		err = note_add(b, SNAPSHOT_NT_BTF, &h, sizeof(h), w->blobs[i].raw, w->blobs[i].size);
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
	uint8_t *buf;			/* CHUNK_PAGES pages */
	const uint8_t *data;		/* what to write: buf, or the source's */
	uint8_t present[CHUNK_PAGES];
	uint32_t cnt;			/* pages in buf */
	uint64_t off;			/* file offset of buf[0] */
	bool full;
};

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job jobs[2];
	int fd;
	int err;			/* first write error, positive errno */
	bool done;
};

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

			if (!j->present[a]) {
				a++;
				continue;
			}
			while (b < j->cnt && j->present[b])
				b++;
			err = -pwrite_all(q->fd, j->data + a * PAGE, (b - a) * PAGE, j->off + a * PAGE);
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

/* Read every allocated page of pm1 and write it at D + 4096 * slot. */
static int write_data(struct writer *w)
{
	struct pipe q = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
			  .fd = w->fd };
	const uint8_t *st = w->pm1.state;
	uint32_t n = w->pm1.nr_pages;
	uint64_t slot = 0;
	pthread_t th;
	int err = 0, k = 0;

	q.jobs[0].buf = w->buf;
	q.jobs[1].buf = w->buf + CHUNK_PAGES * PAGE;
	err = pthread_create(&th, NULL, writer_thread, &q);
	if (err)
		return werr(w, err);
	for (uint32_t i = 0; i < n && !err;) {
		struct job *j = &q.jobs[k];
		uint32_t e = i, cnt;
		int miss;

		if (st[i] != PAGE_ALLOCATED) {
			i++;
			continue;
		}
		while (e < n && st[e] == PAGE_ALLOCATED && e - i < CHUNK_PAGES)
			e++;
		cnt = e - i;
		pthread_mutex_lock(&q.mu);
		while (j->full)
			pthread_cond_wait(&q.cv, &q.mu);
		err = q.err;
		pthread_mutex_unlock(&q.mu);
		if (err) {
			err = werr(w, err);
			break;
		}
		if (w->src->ops->read_pages && cnt <= w->src->ops->borrow_max_pages) {
			/* zero copy: the writer drains the source's own buffer */
			const uint8_t *data;

			miss = w->src->ops->read_pages(w->src, i, cnt, &data, j->present);
			j->data = data;
			for (uint32_t a = 0; miss == 0 && a < cnt; a++)
				miss += !j->present[a];
		} else {
			miss = source__read(w->src, w->info.user_vm_start + i * PAGE, j->buf, cnt * PAGE,
					    j->present);
			j->data = j->buf;
		}
		if (miss < 0) {
			err = ai_err(-miss, "cannot write snapshot %s: reading the arena: %s", w->path,
				     ai_errmsg());
			break;
		}
		for (uint32_t a = 0; miss && a < cnt; a++) {
			if (!j->present[a]) {
				w->vanished[i + a] = 1;
				w->nr_vanished++;
			}
		}
		j->cnt = cnt;
		j->off = w->data_off + slot * PAGE;
		pthread_mutex_lock(&q.mu);
		j->full = true;
		pthread_cond_broadcast(&q.cv);
		pthread_mutex_unlock(&q.mu);
		k ^= 1;
		slot += cnt;
		i = e;
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
	sh.sh_addralign = PAGE;
	if (!gelf_update_shdr(scn, &sh))
		goto elf_fail;

	/* after the sections: more than PN_XNUM headers need section 0 */
	if (!gelf_newphdr(e, nr_phdr))
		goto elf_fail;
	{
		GElf_Phdr p = {
			.p_type = PT_NOTE, .p_offset = notes_off,
			.p_filesz = notes->len, .p_align = 4,
		};

		if (!gelf_update_phdr(e, ph++, &p))
			goto elf_fail;
	}
	for (uint32_t i = 0, slot = 0, n = w->info.max_pages; i < n;) {
		uint32_t j = i + 1, slot0 = slot;
		GElf_Phdr p;

		if (w->pm1.state[i] == PAGE_ALLOCATED)
			slot++;
		if (w->state[i] != PAGE_ALLOCATED) {
			i++;
			continue;
		}
		/* final allocated pages are a subset of pm1's: slots are contiguous */
		while (j < n && w->state[j] == PAGE_ALLOCATED) {
			slot++;
			j++;
		}
		p = (GElf_Phdr){
			.p_type = PT_LOAD,
			.p_flags = PF_R,
			.p_offset = w->data_off + slot0 * PAGE,
			.p_vaddr = w->info.user_vm_start + i * PAGE,
			.p_filesz = (j - i) * PAGE,
			.p_memsz = (j - i) * PAGE,
			.p_align = PAGE,
		};
		if (!gelf_update_phdr(e, ph++, &p))
			goto elf_fail;
		i = j;
	}
	size = elf_update(e, ELF_C_WRITE);
	if (size < 0)
		goto elf_fail;
	if (data_len && (uint64_t)size < w->data_off + data_len) {
		/* never happens with the layout above; refuse a short file */
		elf_end(e);
		return ai_err(EIO, "cannot write snapshot %s: libelf wrote %lld bytes, expected %llu",
			      w->path, (long long)size,
			      (unsigned long long)(w->data_off + data_len));
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

/* One attempt. Returns 1 when the header area turned out too small. */
static int write_attempt(struct writer *w, struct snapshot_stats *st)
{
	struct buf notes = {};
	uint32_t n = w->info.max_pages, runs0, loads0, slack, nr_loads;
	uint64_t reserve, data_len;
	int err;

	err = take_pagemap(w, &w->pm1);
	if (err)
		return err;
	w->nr_saved = w->pm1.counts[PAGE_ALLOCATED];
	w->nr_vanished = 0;
	if (w->nr_saved && !w->info.user_vm_start)
		return ai_err(EINVAL, "cannot write snapshot %s: the arena has pages but no user address",
			      w->path);
	runs0 = count_runs(w->pm1.state, n, false);
	loads0 = count_runs(w->pm1.state, n, true);
	slack = w->nr_saved < SLACK_MAX ? w->nr_saved : SLACK_MAX;
	reserve = header_size(1 + (uint64_t)loads0 + slack,
			      w->fixed_notes + pagemap_note_len(runs0 + 2ULL * slack));
	w->data_off = align_up(reserve, PAGE);
	memset(w->vanished, 0, n);

	if (ftruncate(w->fd, 0))
		return werr(w, errno);
	err = write_data(w);
	if (err)
		return err;

	err = take_pagemap(w, &w->pm2);
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
		w->state[i] = w->pm2.state[i] == PAGE_ALLOCATED || w->pm2.state[i] > PAGE_RESERVED ?
				      PAGE_FREE : w->pm2.state[i];
	}
	nr_loads = count_runs(w->state, n, true);
	data_len = (uint64_t)w->nr_saved * PAGE;

	err = build_notes(w, &notes, nr_loads, (uint64_t)(w->nr_saved - w->nr_vanished) * PAGE);
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
	if (st) {
		struct pagemap fin = { .nr_pages = n, .state = w->state };

		pagemap__count(&fin);
		st->pages_saved = w->nr_saved - w->nr_vanished;
		st->pages_reserved = fin.counts[PAGE_RESERVED];
		st->pages_vanished = w->nr_vanished;
		st->nr_loads = nr_loads;
		st->nr_btf = w->nr_blobs;
		st->nr_roots = w->nr_roots;
		st->file_size = data_len ? w->data_off + data_len : 0;
		st->changed = w->changed || (w->info.is_snapshot && w->info.snapshot_changed);
	}
	return 0;
}

/*
 * Where the file goes. Everything happens relative to one open directory:
 * the check of the name, the temp file, the rename. The temp file is
 * created with O_EXCL|O_NOFOLLOW (never through a link someone planted),
 * and rename() replaces the name itself, whatever it is, never a file a
 * symlink there points to. So a symlink at the target is refused unless
 * the caller says force, and then the link is what gets replaced.
 */
struct target {
	const char *path;	/* as given, for messages */
	char *dir;		/* directory part ("." for a bare name) */
	const char *base;	/* file name, inside path */
	int dirfd;
};

static void target_free(struct target *t)
{
	if (t->dirfd >= 0)
		close(t->dirfd);
	free(t->dir);
}

/*
 * A symlink among the directories of the path is followed, as the user
 * expects (/var/run -> /run), unless it sits in a directory that others can
 * write (/tmp) and belongs neither to us nor to that directory's owner: then
 * anyone could have planted it to send the file elsewhere. The kernel's
 * fs.protected_symlinks has the same rule; we do not rely on the sysctl.
 * A sticky directory keeps others from swapping the entries we checked.
 */
static int check_link(const struct target *t, char *pfx)
{
	struct stat ls, ps;
	char *slash;
	int err;

	if (lstat(pfx, &ls) || !S_ISLNK(ls.st_mode))
		return 0; /* not a link; a missing directory fails at open */
	/* the directory holding the link */
	slash = strrchr(pfx, '/');
	if (slash == pfx) {
		err = stat("/", &ps);
	} else if (slash) {
		*slash = '\0';
		err = stat(pfx, &ps);
		*slash = '/';
	} else {
		err = stat(".", &ps);
	}
	if (err || !(ps.st_mode & S_IWOTH) || ls.st_uid == geteuid() || ls.st_uid == ps.st_uid)
		return 0;
	return ai_err(EPERM, "cannot write snapshot %s: %s is a symlink owned by uid %u in a directory others can write; refusing to follow it",
		      t->path, pfx, (unsigned)ls.st_uid);
}

static int check_dirs(const struct target *t)
{
	char *pfx = strdup(t->dir);
	size_t len;
	int err = 0;

	if (!pfx)
		return ai_err(ENOMEM, "cannot write snapshot %s: out of memory", t->path);
	len = strlen(pfx);
	/* every prefix that ends a component: "a", "a/b", ... */
	for (size_t i = 1; i <= len && !err; i++) {
		char save;

		if ((i < len && pfx[i] != '/') || pfx[i - 1] == '/')
			continue;
		save = pfx[i];
		pfx[i] = '\0';
		err = check_link(t, pfx);
		pfx[i] = save;
	}
	free(pfx);
	return err;
}

static int target_open(const char *path, bool force, struct target *t)
{
	const char *slash = strrchr(path, '/');
	struct stat sb;
	int err;

	*t = (struct target){ .path = path, .dirfd = -1 };
	t->base = slash ? slash + 1 : path;
	if (!*t->base || !strcmp(t->base, ".") || !strcmp(t->base, ".."))
		return ai_err(EISDIR, "cannot write snapshot %s: a file name is needed", path);
	if (slash == path)
		t->dir = strdup("/");
	else if (slash)
		t->dir = strndup(path, slash - path);
	else
		t->dir = strdup(".");
	if (!t->dir)
		return ai_err(ENOMEM, "cannot write snapshot %s: out of memory", path);
	err = check_dirs(t);
	if (err)
		return err;
	t->dirfd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->dirfd < 0)
		return ai_err(errno, "cannot write snapshot %s: %s", path, strerror(errno));
	if (fstatat(t->dirfd, t->base, &sb, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : ai_err(errno, "cannot write snapshot %s: %s", path, strerror(errno));
	if (S_ISLNK(sb.st_mode)) {
		char to[256];
		ssize_t n;

		if (force)
			return 0; /* rename replaces the link, not what it names */
		n = readlinkat(t->dirfd, t->base, to, sizeof(to) - 1);
		to[n > 0 ? n : 0] = '\0';
		return ai_err(EEXIST, "cannot write snapshot %s: it is a symlink (to %s); refusing to write through it (--force replaces the link itself)",
			      path, n > 0 ? to : "?");
	}
	/* a rename would swap a device node, FIFO or socket for a regular
	 * file: -o /dev/null must not destroy /dev/null */
	if (S_ISDIR(sb.st_mode))
		return ai_err(EISDIR, "cannot write snapshot %s: it is a directory", path);
	if (!S_ISREG(sb.st_mode))
		return ai_err(EEXIST, "cannot write snapshot %s: it exists and is not a regular file (device, FIFO or socket); refusing to replace it",
			      path);
	return 0;
}

/* A new file .BASE.XXXXXX beside the target, 0600; *tmp is its name. */
static int open_temp(struct writer *w, const struct target *t, char **tmp)
{
	for (int i = 0; i < 100; i++) {
		uint32_t r;
		int fd;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (uint32_t)getpid() * 2654435761u + i;
		if (asprintf(tmp, ".%s.%06x", t->base, r & 0xffffff) < 0) {
			*tmp = NULL;
			return werr(w, ENOMEM);
		}
		fd = openat(t->dirfd, *tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			/* the umask may only take bits away; say 0600 anyway */
			fchmod(fd, 0600);
			return fd;
		}
		free(*tmp);
		*tmp = NULL;
		if (errno != EEXIST)
			return werr(w, errno);
	}
	return werr(w, EEXIST);
}

/*
 * As root under sudo, the file goes to the user who ran sudo (SUDO_UID,
 * SUDO_GID), so that they can open it; a value that is not a number is
 * ignored. Only the temp file we created is given away, before it is
 * renamed into place: never a directory, never a file that was there.
 */
static bool env_id(const char *name, uint32_t *id)
{
	const char *s = getenv(name);
	unsigned long long v = 0;

	if (!s || !*s || strlen(s) > 10)
		return false;
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		v = v * 10 + (*c - '0');
	}
	if (v >= UINT32_MAX) /* (uid_t)-1 means "no change" to chown */
		return false;
	*id = v;
	return true;
}

static int give_to_sudo_user(struct writer *w)
{
	uint32_t uid, gid;
	bool has_gid;

	if (geteuid() != 0 || !env_id("SUDO_UID", &uid))
		return 0;
	has_gid = env_id("SUDO_GID", &gid);
	if (fchown(w->fd, uid, has_gid ? gid : (gid_t)-1))
		return ai_err(errno, "cannot write snapshot %s: giving it to SUDO_UID %u: %s (unset SUDO_UID to keep it root's)",
			      w->path, uid, strerror(errno));
	return 0;
}

static int write_file(struct source *src, struct btfx *bx, const struct target *t,
		      const struct snapshot_write_opts *opts, struct snapshot_stats *st)
{
	const char *path = t->path;
	struct writer w = { .src = src, .path = path, .fd = -1 };
	struct timespec t0, t1;
	char *tmp = NULL;
	int err, tries = 0;
	size_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!libelf_ready())
		return ai_err(EINVAL, "cannot write snapshot %s: libelf: %s", path, elf_errmsg(-1));
	err = source__info(src, &w.info);
	if (err)
		return ai_err(-err, "cannot write snapshot %s: %s", path, ai_errmsg());
	if (!w.info.max_pages || w.info.max_pages > MAX_ARENA_PAGES)
		return ai_err(EINVAL, "cannot write snapshot %s: arena has %u pages", path,
			      w.info.max_pages);
	n = w.info.max_pages;
	err = collect_btf(&w, bx);
	if (err)
		goto out;
	w.fixed_notes = note_size(sizeof(struct snapshot_meta));
	if (w.nr_roots)
		w.fixed_notes += note_size(sizeof(struct snapshot_table) +
					   w.nr_roots * sizeof(struct snapshot_root));
	for (int i = 0; i < w.nr_blobs; i++)
		w.fixed_notes += note_size(sizeof(struct snapshot_btf) + w.blobs[i].size);
	w.state = malloc(n);
	w.vanished = malloc(n);
	if (!w.state || !w.vanished || posix_memalign((void **)&w.buf, PAGE, 2 * CHUNK_PAGES * PAGE)) {
		w.buf = NULL;
		err = werr(&w, ENOMEM);
		goto out;
	}
	w.fd = open_temp(&w, t, &tmp);
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
		err = ai_err(EAGAIN, "cannot write snapshot %s: more than %d pages vanished while being read, %d times; the arena changes too fast",
			     path, SLACK_MAX, WRITE_TRIES);
		goto out;
	}
	if (!err && opts && opts->sudo_owner)
		err = give_to_sudo_user(&w);
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
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (st)
		st->elapsed_ns = (t1.tv_sec - t0.tv_sec) * 1000000000ULL + t1.tv_nsec - t0.tv_nsec;
	err = 0;
out:
	if (w.fd >= 0)
		close(w.fd);
	if (tmp)
		unlinkat(t->dirfd, tmp, 0);
	free(tmp);
	free(w.buf);
	free(w.state);
	free(w.vanished);
	free(w.blobs);
	free(w.roots);
	pagemap__free(&w.pm1);
	pagemap__free(&w.pm2);
	return err;
}

int snapshot__write_opts(struct source *src, struct btfx *bx, const char *path,
			 const struct snapshot_write_opts *opts, struct snapshot_stats *st)
{
	struct target t;
	int err;

	if (st)
		memset(st, 0, sizeof(*st));
	err = target_open(path, opts && opts->force, &t);
	if (!err)
		err = write_file(src, bx, &t, opts, st);
	target_free(&t);
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

/* ================================================================ reading */

struct seg {
	uint32_t first, count;	/* pages */
	uint64_t off;		/* file offset */
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
	size_t size;		/* at open */
	struct timespec mtime;	/* at open */
	int fd;
	char *path;
	uint8_t *notes[16];	/* PT_NOTE contents; the BTF blobs point into them */
	int nr_notes;
	uint8_t *state;		/* max_pages */
	struct seg *segs;	/* by first page */
	uint32_t nr_segs;
	const void **blobs;
	size_t *blob_sizes;
	int nr_blobs;
	struct root *roots;
	int nr_roots;
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
	return ai_err(EIO, "%s: the file changed on disk after it was opened (rewritten or cut short while being read); open it again once it is complete",
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
	uint64_t end = off + len, first = off / PAGE;
	uint32_t k = seg_lookup(ss, first), first_k = k;
	uint8_t *out = buf;

	while (off < end) {
		uint32_t pg = off / PAGE;
		uint64_t chunk_end;
		const struct seg *sg = k < ss->nr_segs ? &ss->segs[k] : NULL;

		if (sg && pg >= sg->first) {
			/* inside segment k: read up to its end */
			int err;

			chunk_end = (uint64_t)(sg->first + sg->count) * PAGE;
			if (chunk_end > end)
				chunk_end = end;
			err = read_at(ss, out, chunk_end - off,
				      sg->off + (off - (uint64_t)sg->first * PAGE));
			if (err)
				return err;
			k++;
		} else {
			chunk_end = sg ? (uint64_t)sg->first * PAGE : end;
			if (chunk_end > end)
				chunk_end = end;
			memset(out, 0, chunk_end - off);
		}
		for (uint64_t p = pg; p <= (chunk_end - 1) / PAGE; p++)
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
	free(ss);
}

static const struct source_ops snap_ops = {
	.pagemap = snap_pagemap,
	.read = snap_read,
	.btf_blobs = snap_btf_blobs,
	.roots = snap_roots,
	.close = snap_close,
};


struct parse {
	const char *path;
	struct snapsrc *ss;
	const uint8_t *meta;	/* descriptors, inside ss->notes[] */
	size_t meta_len;
	const uint8_t *pmap;
	size_t pmap_len;
	const uint8_t *roots;
	size_t roots_len;
	struct snapshot_meta m;
	uint32_t nr_btf_seen;
};

static int parse_table(struct parse *p, const char *what, const uint8_t *d, size_t len,
		       size_t min_rec, struct snapshot_table *t)
{
	if (len < sizeof(*t))
		return ai_err(EINVAL, "%s: %s note is truncated (%zu bytes)", p->path, what, len);
	memcpy(t, d, sizeof(*t));
	if (t->version != 1)
		return ai_err(EINVAL, "%s: %s note version %u is not supported (this arena-inspect reads 1)",
			      p->path, what, t->version);
	if (t->hdr_size < sizeof(*t) || t->hdr_size > len || t->rec_size < min_rec ||
	    t->rec_size > 65536 || (uint64_t)t->nr * t->rec_size > len - t->hdr_size)
		return ai_err(EINVAL, "%s: %s note sizes are inconsistent (header %u, record %u x %u, note %zu bytes)",
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
		return ai_err(EINVAL, "%s: metadata note is truncated (%zu bytes)", p->path, p->meta_len);
	memcpy(m, p->meta, 8);
	if (m->version != SNAPSHOT_VERSION)
		return ai_err(EINVAL, "%s: snapshot format version %u is not supported (this arena-inspect reads %u)",
			      p->path, m->version, SNAPSHOT_VERSION);
	if (m->size < sizeof(*m) || m->size > p->meta_len)
		return ai_err(EINVAL, "%s: metadata note is truncated (%u bytes of %zu, need %zu)",
			      p->path, m->size, p->meta_len, sizeof(*m));
	memcpy(m, p->meta, sizeof(*m));
	if (m->page_size != PAGE)
		return ai_err(EINVAL, "%s: page size %u is not supported", p->path, m->page_size);
	if (!m->max_pages || m->max_pages > MAX_ARENA_PAGES)
		return ai_err(EINVAL, "%s: arena size of %u pages is out of range (1..%u)", p->path,
			      m->max_pages, MAX_ARENA_PAGES);
	if (m->user_vm_start % PAGE || m->user_vm_start > UINT64_MAX - m->max_pages * PAGE ||
	    (m->user_vm_start && m->user_vm_end != m->user_vm_start + m->max_pages * PAGE))
		return ai_err(EINVAL, "%s: arena address range 0x%llx-0x%llx is invalid for %u pages",
			      p->path, (unsigned long long)m->user_vm_start,
			      (unsigned long long)m->user_vm_end, m->max_pages);
	m->name[sizeof(m->name) - 1] = '\0';
	m->kernel_release[sizeof(m->kernel_release) - 1] = '\0';
	m->tool_version[sizeof(m->tool_version) - 1] = '\0';

	memset(ai, 0, sizeof(*ai));
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
			return ai_err(EINVAL, "%s: page map run %u (pages %u+%u, state %u) is invalid",
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
			return ai_err(EINVAL, "%s: root %u ('%.64s') is invalid (kind %u, BTF %d of %u)",
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

static int add_btf_note(struct parse *p, const uint8_t *d, size_t len)
{
	struct snapsrc *ss = p->ss;
	struct snapshot_btf h;

	if (len < sizeof(h))
		return ai_err(EINVAL, "%s: BTF note is truncated (%zu bytes)", p->path, len);
	memcpy(&h, d, sizeof(h));
	if (h.version != 1)
		return ai_err(EINVAL, "%s: BTF note version %u is not supported", p->path, h.version);
	if (h.hdr_size < sizeof(h) || h.hdr_size > len || h.size != len - h.hdr_size || !h.size ||
	    h.size > MAX_BTF_SIZE)
		return ai_err(EINVAL, "%s: BTF note %u has an invalid size (%u bytes in a %zu byte note)",
			      p->path, h.index, h.size, len);
	if (h.index != (uint32_t)ss->nr_blobs || ss->nr_blobs >= 4096)
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
			return ai_err(EINVAL, "%s: note at offset %llu is larger than its segment (name %u, data %u bytes)",
				      p->path, (unsigned long long)(off + pos), nh.n_namesz, nh.n_descsz);
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
			case SNAPSHOT_NT_BTF:
				err = add_btf_note(p, d, nh.n_descsz);
				break;
			default:
				break; /* a newer writer's note: skip it */
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
			return ai_err(EINVAL, "%s: overlapping segments at 0x%llx", p->path,
				      (unsigned long long)(p->m.user_vm_start + s->first * PAGE));
		for (uint32_t pg = s->first; pg < s->first + s->count; pg++)
			if (ss->state[pg] != PAGE_ALLOCATED)
				return ai_err(EINVAL, "%s: segment at 0x%llx holds page %u, which the page map says is not allocated",
					      p->path,
					      (unsigned long long)(p->m.user_vm_start + s->first * PAGE),
					      pg);
		covered += s->count;
		bytes += s->count * PAGE;
	}
	for (uint32_t i = 0; i < n; i++)
		alloc += ss->state[i] == PAGE_ALLOCATED;
	if (alloc != covered)
		return ai_err(EINVAL, "%s: the page map has %u allocated pages, the segments hold %u",
			      p->path, alloc, covered);
	if (p->m.nr_loads != ss->nr_segs || p->m.data_bytes != bytes)
		return ai_err(EINVAL, "%s: metadata says %u segments (%llu bytes), the file has %u (%llu bytes)",
			      p->path, p->m.nr_loads, (unsigned long long)p->m.data_bytes,
			      ss->nr_segs, (unsigned long long)bytes);
	if (p->m.nr_btf != (uint32_t)ss->nr_blobs || p->m.nr_roots != (uint32_t)ss->nr_roots)
		return ai_err(EINVAL, "%s: metadata says %u BTF blobs and %u roots, the file has %d and %d",
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
		return ai_err(EINVAL, "%s: not an arena snapshot (byte order differs from this machine's)", path);
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
		return ai_err(EINVAL, "%s: not an arena snapshot (PN_XNUM program headers without a section header 0 at %llu to count them)",
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
		return ai_err(EINVAL, "%s: not an arena snapshot (machine %u, program header size %u)",
			      p->path, eh.e_machine, eh.e_phentsize);
	err = phdr_count(p, &eh, &phnum);
	if (err)
		return err;
	if (eh.e_phoff > ss->size || phnum > (ss->size - eh.e_phoff) / sizeof(Elf64_Phdr))
		return ai_err(EINVAL, "%s: truncated at offset %zu (program headers at %llu, %llu of them)",
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
			err = ai_err(EINVAL, "%s: truncated at offset %zu (notes at %llu, %llu bytes)",
				     p->path, ss->size, (unsigned long long)ph->p_offset,
				     (unsigned long long)ph->p_filesz);
			goto out;
		}
		/* notes never overlap in our files: their total is bounded by
		 * the file, and so is what a hostile file makes us allocate */
		notes_total += ph->p_filesz;
		if (ss->nr_notes >= (int)(sizeof(ss->notes) / sizeof(ss->notes[0])) || notes_total > ss->size) {
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
		err = ai_err(EINVAL, "%s: not an arena snapshot (an ELF core file without arena-inspect notes)",
			     p->path);
		goto out;
	}
	err = parse_meta(p);
	if (!err)
		err = parse_pagemap(p);
	if (!err)
		err = parse_roots(p);
	if (err)
		goto out;
	for (uint64_t i = 0; i < phnum; i++) {
		uint64_t start = p->m.user_vm_start, size = p->m.max_pages * PAGE;
		const Elf64_Phdr *ph = &phs[i];
		struct seg *s;

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_offset > ss->size || ph->p_filesz > ss->size - ph->p_offset) {
			err = ai_err(EINVAL, "%s: truncated at offset %zu (segment at 0x%llx needs bytes up to %llu)",
				     p->path, ss->size, (unsigned long long)ph->p_vaddr,
				     (unsigned long long)ph->p_offset + ph->p_filesz);
			goto out;
		}
		if (ph->p_filesz != ph->p_memsz || !ph->p_filesz || ph->p_filesz % PAGE ||
		    ph->p_offset % PAGE || ph->p_vaddr % PAGE) {
			err = ai_err(EINVAL, "%s: segment at 0x%llx is not whole pages (offset %llu, %llu/%llu bytes)",
				     p->path, (unsigned long long)ph->p_vaddr,
				     (unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz,
				     (unsigned long long)ph->p_memsz);
			goto out;
		}
		if (!start || ph->p_vaddr < start || ph->p_vaddr - start > size ||
		    ph->p_filesz > size - (ph->p_vaddr - start)) {
			err = ai_err(EINVAL, "%s: segment 0x%llx+%llu is outside the arena (0x%llx-0x%llx)",
				     p->path, (unsigned long long)ph->p_vaddr,
				     (unsigned long long)ph->p_filesz, (unsigned long long)start,
				     (unsigned long long)(start + size));
			goto out;
		}
		s = &ss->segs[ss->nr_segs++];
		s->first = (ph->p_vaddr - start) / PAGE;
		s->count = ph->p_filesz / PAGE;
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
	uint8_t note[4096];
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

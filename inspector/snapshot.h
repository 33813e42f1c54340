/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snapshot: an arena saved as an ELF core file (ET_CORE). One PT_LOAD per
 * run of allocated pages at the pages' user addresses; PT_NOTE notes carry
 * the arena's metadata, the page map, the roots and the BTF blobs. Any ELF
 * tool reads it (readelf -n, gdb -c FILE).
 *
 * File layout (all offsets chosen by us, ELF structure written by libelf):
 *
 *   0         ELF header (ELFCLASS64, host byte order, ET_CORE, host machine)
 *   64        program headers: PT_NOTE, then PT_LOAD by address
 *   ...       notes (owner SNAPSHOT_NOTE_OWNER, 4-byte aligned)
 *   ...       .shstrtab, section headers (.note.arena, .arena.data)
 *   D         page data, page aligned (D = a page multiple); a PT_LOAD's
 *             p_offset is D + page size * (index of its first page among the
 *             pages saved). Holes are left for pages that vanished while
 *             being read, and no segment points at them.
 *
 * A stream (snapshot__write_fd, `-o -`) has the same contents with the
 * data at one page and the section headers, program headers (e_phnum
 * PN_XNUM, the count in section 0's sh_info), notes and .shstrtab after it.
 *
 * Notes, owner "ARENAINSPECT", each versioned and sized so that readers
 * skip fields they do not know (records may grow, never shrink):
 *
 *   SNAPSHOT_NT_META     struct snapshot_meta: map id, name, flags,
 *                        map_extra, user_vm_start/end, max_pages, page
 *                        size, time, kernel release, "changed", tool version
 *   SNAPSHOT_NT_PAGEMAP  struct snapshot_table + struct snapshot_run[]:
 *                        runs covering every page exactly once, in order
 *   SNAPSHOT_NT_ROOTS    struct snapshot_table + struct snapshot_root[]
 *   SNAPSHOT_NT_BTF      struct snapshot_btf + raw BTF, one note per blob
 *   SNAPSHOT_NT_VARS     struct snapshot_table + struct snapshot_var[], then
 *                        the variables' bytes (each record says where, from
 *                        the start of the note's data): the programs'
 *                        .bss/.data/.rodata variables (btfx__var)
 *   SNAPSHOT_NT_MAPS     struct snapshot_table + struct snapshot_map[]: the
 *                        programs' maps that may hold arena pointers check
 *                        cannot read (btfx__unseen_map); present (maybe
 *                        with no record) only when they were known
 *
 * All multi-byte fields are in the file's byte order (EI_DATA), which is
 * the writer's; readers reject other byte orders.
 */
#ifndef ARENA_INSPECT_SNAPSHOT_H
#define ARENA_INSPECT_SNAPSHOT_H

#include "progress.h"
#include "btfx.h"
#include "source.h"

#define SNAPSHOT_NOTE_OWNER "ARENAINSPECT"
#define SNAPSHOT_VERSION 1

enum {
	SNAPSHOT_NT_META = 0x41490001,
	SNAPSHOT_NT_PAGEMAP = 0x41490002,
	SNAPSHOT_NT_ROOTS = 0x41490003,
	SNAPSHOT_NT_BTF = 0x41490004,
	SNAPSHOT_NT_VARS = 0x41490005,
	SNAPSHOT_NT_MAPS = 0x41490006,
};

/* meta.flags */
#define SNAPSHOT_F_CHANGED (1u << 0) /* arena changed while being saved */

struct snapshot_meta {
	uint32_t version;   /* SNAPSHOT_VERSION */
	uint32_t size;	    /* bytes of this record as written */
	uint32_t page_size; /* the arena's: a power of two in 4096..65536 */
	uint32_t map_id;
	uint32_t map_flags;
	uint32_t max_pages;
	uint64_t map_extra;
	uint64_t user_vm_start;
	uint64_t user_vm_end;
	uint64_t time_ns; /* CLOCK_REALTIME */
	uint32_t flags;	  /* SNAPSHOT_F_* */
	uint32_t nr_btf;  /* SNAPSHOT_NT_BTF notes */
	uint32_t nr_roots;
	uint32_t nr_loads;   /* PT_LOAD segments */
	uint64_t data_bytes; /* bytes of page data in segments */
	char name[16];
	char kernel_release[72];
	char tool_version[32];
};

/* Header of a note that holds an array of records */
struct snapshot_table {
	uint32_t version;
	uint32_t hdr_size; /* records start here */
	uint32_t rec_size; /* stride */
	uint32_t nr;
};

/* run.flags */
#define SNAPSHOT_RUN_VANISHED (1u << 0) /* allocated in the page map, gone when read */

struct snapshot_run {
	uint32_t first;
	uint32_t count;
	uint32_t state; /* enum page_state */
	uint32_t flags;
};

struct snapshot_root {
	char name[64];
	char section[32];
	uint32_t kind;	 /* enum root_kind */
	int32_t btf_idx; /* index of the SNAPSHOT_NT_BTF note */
	uint32_t type_id;
	uint32_t pad;
	uint64_t addr;
	uint64_t value;
};

struct snapshot_var {
	char name[64];
	char section[32];
	int32_t btf_idx; /* index of the SNAPSHOT_NT_BTF note */
	uint32_t type_id;
	uint32_t map_id;
	uint32_t size;	   /* bytes of the variable */
	uint64_t data_off; /* from the start of the note's data */
	uint64_t pad;
};

struct snapshot_map {
	uint32_t id;
	uint32_t type; /* enum bpf_map_type; UINT32_MAX: could not be looked at */
	char name[16];
	uint64_t pad;
};

struct snapshot_btf {
	uint32_t version;
	uint32_t hdr_size; /* raw BTF starts here */
	uint32_t index;
	uint32_t size; /* bytes of raw BTF */
};

/* Does the file look like one of our snapshots (ELF magic + our note)?
 * Used by the ARENA grammar to tell FILE from a typo. */
bool snapshot__is_snapshot(const char *path);

/* Open a snapshot as a source. No BPF, no root needed. Every structure is
 * validated; a file that is not a well-formed snapshot is -EINVAL with a
 * message naming the file and what is wrong. The file is read, never
 * mapped: one rewritten or cut short while open (or while being opened)
 * gives -EIO, "changed on disk after it was opened", never a signal. */
int snapshot__open(const char *path, struct source **out);

struct snapshot_stats {
	uint32_t pages_saved; /* allocated pages stored */
	uint32_t pages_reserved;
	uint32_t pages_vanished; /* allocated in the page map, gone when read */
	uint32_t nr_loads;
	uint32_t nr_btf;
	uint32_t nr_roots;
	uint64_t file_size;
	uint64_t elapsed_ns;
	bool changed; /* arena changed while being saved */
};

struct snapshot_write_opts {
	/* path may be a symlink: replace the link itself with the file.
	 * Without it a symlink is refused (-EEXIST). Never is the file the
	 * link points to written. */
	bool force;
	/* as root with SUDO_UID (and SUDO_GID) set to numbers, the new file
	 * is given to that user (the one who ran sudo); nothing else is */
	bool sudo_owner;
	/* ticked while pages are saved ("saving", pages done of the
	 * allocated ones); cancel: -ECANCELED, nothing is left under path.
	 * NULL: none. Borrowed. */
	const struct ai_progress *progress;
};

/* Save src to path: temp file in the same directory (mode 0600, created
 * with O_EXCL|O_NOFOLLOW), fsync, rename over path, fsync of the
 * directory. path must not exist, or be a regular file (replaced, not
 * written into), or a symlink with opts->force. A symlink among the
 * directories is followed unless it lies in a directory others can write
 * and belongs to neither us nor that directory's owner (-EPERM). On error
 * nothing is left under path or the temp name. bx may be NULL (no BTF or
 * roots stored), opts and st too. */
int snapshot__write_opts(struct source *src, struct btfx *bx, const char *path,
			 const struct snapshot_write_opts *opts, struct snapshot_stats *st);
/*
 * Save src as a stream on fd (stdout, a pipe, a socket): written once, in
 * order, never sought or truncated, so `ssh host arena-inspect snapshot ...
 * -o - > f` works. The file reads back as one from snapshot__write (same
 * pages, page map, notes); only its layout differs (snapshot_write.c). A
 * page map that changes while saving is flagged the same way. name names
 * the output in messages ("stdout"). On error, what was written is cut
 * short: the reader refuses it as truncated.
 */
int snapshot__write_fd(struct source *src, struct btfx *bx, int fd, const char *name,
		       struct snapshot_stats *st);
/* The same with the default options, and also without numbers. */
int snapshot__write_stats(struct source *src, struct btfx *bx, const char *path,
			  struct snapshot_stats *st);
int snapshot__write(struct source *src, struct btfx *bx, const char *path);

#endif

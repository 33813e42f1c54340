/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to snapshot_write.c and snapshot_read.c: what both sides of the
 * file format agree on beyond the records in snapshot.h (the limits a
 * reader enforces and a writer respects, the host's ELF byte order and
 * machine, the record sizes). Not for other modules. The page size is not
 * here: it is the arena's (struct arena_info page_size), in the metadata
 * note of each file.
 */
#ifndef ARENA_INSPECT_SNAPSHOT_FMT_H
#define ARENA_INSPECT_SNAPSHOT_FMT_H

#include <elf.h>
#include <stdint.h>
#include "snapshot.h"

#define MAX_ARENA_PAGES (1u << 20) /* 4 GiB: the kernel's limit */
#define MAX_BTF_SIZE (256u << 20)
#define MAX_BTF_NOTES 4096 /* BTF blobs in one file */

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
_Static_assert(sizeof(struct snapshot_var) == 128, "snapshot_var layout");
_Static_assert(sizeof(struct snapshot_map) == 32, "snapshot_map layout");

static inline uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

#endif

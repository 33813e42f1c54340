/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snapshot: an arena saved as an ELF core file (ET_CORE). One PT_LOAD per
 * run of allocated pages at the pages' user addresses; PT_NOTE notes carry
 * the arena's metadata, the page map, the roots and the BTF blobs. Any ELF
 * tool reads it (readelf -n, gdb -c FILE).
 */
#ifndef ARENA_INSPECT_SNAPSHOT_H
#define ARENA_INSPECT_SNAPSHOT_H

#include "btfx.h"
#include "source.h"

/* Does the file look like one of our snapshots (ELF magic + our note)?
 * Used by the ARENA grammar to tell FILE from a typo. */
bool snapshot__is_snapshot(const char *path);

/* Open a snapshot as a source. No BPF, no root needed. */
int snapshot__open(const char *path, struct source **out);

/* Save src to path: temp file in the same directory, fsync, rename, mode
 * 0600. bx may be NULL (no BTF or roots stored). */
int snapshot__write(struct source *src, struct btfx *bx, const char *path);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * owners: who uses an arena. The programs whose map ids contain it (BPF
 * syscalls) and the processes that hold an fd to it or map it (a scan of
 * /proc). Library-internal, for live.c. Both are best effort: what cannot
 * be read (a process that exits, a program without permission) is skipped.
 */
#ifndef ARENA_INSPECT_OWNERS_H
#define ARENA_INSPECT_OWNERS_H

#include "source.h"

/* Fill ai->prog_ids/nr_progs for the arena ai->map_id (at most 64). */
void owners__find_progs(struct arena_info *ai);
/* Fill ai->owner_pids/nr_owners (at most 64, sorted, our own pid left out)
 * from /proc: an fd whose fdinfo names ai->map_id, or a mapping that starts
 * at ai->user_vm_start. */
void owners__find_pids(struct arena_info *ai);

#endif

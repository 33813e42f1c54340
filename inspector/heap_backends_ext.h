/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sched_ext heap backends (issue 15): heap_sdt_alloc.c and
 * heap_buddy.c. heap.c lists them in heap_backends[]; the tests call them
 * directly. heap_buddy also answers "is this address poisoned?" from the
 * ASAN shadow of sched_ext's lib/alloc/asan where one is in the arena.
 */
#ifndef ARENA_INSPECT_HEAP_BACKENDS_EXT_H
#define ARENA_INSPECT_HEAP_BACKENDS_EXT_H

#include "heap.h"

extern const struct heap_backend heap_sdt_alloc, heap_buddy;

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One place for the arena constants that Debian 12's uapi headers (6.1) and
 * libbpf 1.1 do not know yet. A newer uapi/libbpf wins: every fallback is
 * guarded. Values come from the kernel's own BTF (ARENA_FACTS.md).
 */
#ifndef ARENA_INSPECT_COMPAT_H
#define ARENA_INSPECT_COMPAT_H

#include <linux/bpf.h>
#include <bpf/libbpf_version.h>

/* enum bpf_map_type has no macro to test; 6.9+ uapi adds this one beside it. */
#ifndef BPF_F_SEGV_ON_FAULT
#define AI_MAP_TYPE_ARENA 33
#define BPF_F_SEGV_ON_FAULT (1U << 17)
#define BPF_F_NO_USER_CONV (1U << 18)
#else
#define AI_MAP_TYPE_ARENA BPF_MAP_TYPE_ARENA
#endif

#ifndef BPF_F_MMAPABLE
#define BPF_F_MMAPABLE (1U << 10)
#endif

#define AI_LIBBPF_AT_LEAST(maj, min)     \
	(LIBBPF_MAJOR_VERSION > (maj) || \
	 (LIBBPF_MAJOR_VERSION == (maj) && LIBBPF_MINOR_VERSION >= (min)))

/* libbpf >= 1.4 creates and maps arenas before loading programs itself. */
#define AI_LIBBPF_HANDLES_ARENA AI_LIBBPF_AT_LEAST(1, 4)

#define AI_ARENA_MAX_PAGES (1U << 20)

#endif

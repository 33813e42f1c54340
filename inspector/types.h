/* SPDX-License-Identifier: GPL-2.0 */
/*
 * types: BTF from files the user gives (--types FILE), beside the BTF of
 * the programs that use an arena (btfx.c):
 *   - raw BTF, or an ELF object with a .BTF section: read as they are;
 *   - an ELF file with DWARF (a user-space program or object built with
 *     -g): converted to BTF by pahole (dwarves);
 *   - C source or a header: compiled for the host with DWARF by clang-19
 *     (`-g -O0 -fno-eliminate-unused-debug-types`, so types nothing uses
 *     are kept), then converted by pahole. A prelude defines what headers
 *     written for BPF take for granted: __arena and __arg_arena (empty),
 *     __u8..__u64, __s8..__s64, bool and SEC().
 * clang and pahole run without a shell (posix_spawn), with a timeout and
 * their stderr captured: a failure is one line, clang's first error.
 *
 * Converted BTF is cached in $XDG_CACHE_HOME/arena-inspect (default
 * ~/.cache/arena-inspect; directory 0700, files 0600, written to a temp
 * file and renamed, never through a symbolic link, a directory or file that
 * is not ours or that others can write is not used), keyed by a SHA-256 of
 * the input's content, its path, the flags, the prelude and the identity of
 * clang-19 and pahole (path, size, time: no tool is run to find it), and
 * checked against the content of every header the compile read. So a
 * second open runs no tool, and a changed header (or one it includes)
 * converts again. With a tool not installed, an entry made by any version
 * of it is used.
 *
 * Errors are negative errno with a message in ai_errmsg() naming the file;
 * nothing prints.
 */
#ifndef ARENA_INSPECT_TYPES_H
#define ARENA_INSPECT_TYPES_H

#include <stdbool.h>
#include <stddef.h>

struct btf;
struct btfx;

enum types_kind {
	TYPES_RAW_BTF, /* raw BTF (what bpftool btf dump file reads) */
	TYPES_ELF_BTF, /* an ELF object with .BTF */
	TYPES_DWARF,   /* an ELF file with DWARF: pahole */
	TYPES_C,       /* C source or a header: clang-19, then pahole */
};

struct types_opts {
	size_t sz; /* sizeof(struct types_opts) */
	/* words handed to clang (C files only), split at blanks: -I DIR,
	 * -IDIR, -D NAME[=VALUE], -U NAME, -isystem DIR, -include FILE,
	 * -std=...; anything else is refused (-EINVAL) */
	const char *cflags;
	const char *cache_dir; /* NULL: $XDG_CACHE_HOME/arena-inspect, ~/.cache/... */
	bool no_cache;	       /* convert every time, write nothing */
	int timeout_ms;	       /* per tool run; 0: 60000 */
};

struct types_info {
	enum types_kind kind;
	bool cached;	/* the converted BTF came from the cache */
	bool converted; /* clang and/or pahole ran */
	char note[256]; /* "" or why the cache was not used */
};

/* path's types as a new BTF (*out, the caller frees it with btf__free).
 * opts and info may be NULL. */
int types__load(const char *path, const struct types_opts *opts, struct btf **out,
		struct types_info *info);

/* types__load, then btfx__add_types (its conflicts become btfx notes). */
int types__add(struct btfx *bx, const char *path, const struct types_opts *opts,
	       struct types_info *info);

/* "raw BTF", "ELF with .BTF", "DWARF", "C" */
const char *types__kind_name(enum types_kind kind);

/* The cache directory that opts names (for messages and tests). */
int types__cache_dir(const struct types_opts *opts, char *buf, size_t len);

#endif

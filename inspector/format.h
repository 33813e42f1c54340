/* SPDX-License-Identifier: GPL-2.0 */
/*
 * format: a typed value -> sink events. One walk serves the text, JSON and
 * TUI sinks. Every read is bounded and goes through source__read; pointers
 * become links (attrs.followable) when they land in an allocated arena page,
 * and are flagged (unallocated / outside / poison) otherwise, never
 * dereferenced. Depth, array length and total nodes are capped, and pointer
 * cycles are detected, so no input can hang the walk.
 */
#ifndef ARENA_INSPECT_FORMAT_H
#define ARENA_INSPECT_FORMAT_H

#include "expr.h"
#include "sink.h"

struct fmt_opts {
	int max_depth;		/* nesting of structs/arrays, default 16 */
	int max_array;		/* elements shown per array, default 256 */
	int follow_ptrs;	/* levels of pointers to expand inline, default 0 */
	int max_nodes;		/* total values emitted, default 100000 */
	const char *path;	/* expression text of the value, for attrs.path */
};

/* Emit value v under key (NULL at top level). */
int fmt__value(struct btfx *bx, struct source *src, const struct value *v, const char *key,
	       struct sink *sink, const struct fmt_opts *opts);

/* C type name of (btf, id) into buf: "struct node *", "int[4]" */
int fmt__type_name(const struct btf *btf, uint32_t type_id, char *buf, size_t len);

#endif

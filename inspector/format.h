/* SPDX-License-Identifier: GPL-2.0 */
/*
 * format: a typed value -> sink events. One walk serves the text, JSON and
 * TUI sinks. Every read is bounded and goes through source__read; pointers
 * become links (attrs.followable) when they land in an allocated arena page,
 * and are flagged (unallocated / outside / poison) otherwise, never
 * dereferenced unless follow_ptrs asks for it. Depth, array length and total
 * nodes are capped, and pointer cycles are detected, so no input can hang
 * the walk.
 *
 * What is emitted:
 *  - struct/union: an object (sink begin/end) keyed by member name; members
 *    of anonymous structs/unions appear in their parent, as C names them.
 *  - array: an array, at most max_array elements (beyond: attrs.truncated,
 *    attrs.total = the array's length); char arrays: one SK_STR up to the
 *    first NUL of the first max_array bytes (no NUL there and more bytes:
 *    attrs.truncated and attrs.total too).
 *  - integers SK_NUM (char: SK_CHAR, bool: SK_BOOL), enums SK_ENUM (SK_NUM
 *    when no enumerator matches), floats SK_NUM (nan/inf as SK_STR).
 *  - pointers: SK_NULL for 0, else SK_PTR "0x..." with attrs.target (the
 *    pointed-to type) and followable, or unallocated, or outside (+ note
 *    "poison" for list poison values).
 *  - a followed pointer (follow_ptrs > 0) is replaced by the value it points
 *    to, whose attrs.addr is the pointer and attrs.path "*p"; its members'
 *    paths read "p->m". A pointer seen before on the way down is emitted as
 *    a pointer with note "cycle"; one already expanded elsewhere, "seen".
 *  - a value in a page that is not allocated: one value with
 *    attrs.unallocated and no bytes (a struct partly in such a page has its
 *    missing members flagged one by one).
 *  - caps: note "depth" / "limit" with attrs.truncated (also for members
 *    of anonymous structs nested too deep, under the key "..."). A type
 *    name too long for its buffer ends in "...".
 * Every value carries attrs.addr (0 for values with no address), attrs.type
 * (fmt__type_name) and attrs.path (opts->path extended: "head->next",
 * "a.b[3]"; NULL when opts->path is NULL).
 */
#ifndef ARENA_INSPECT_FORMAT_H
#define ARENA_INSPECT_FORMAT_H

#include <stddef.h>
#include "expr.h"
#include "sink.h"

struct fmt_opts {
	int max_depth;	  /* nesting of structs/arrays, default 16 (0: default) */
	int max_array;	  /* elements shown per array, default 256 (0: default) */
	int follow_ptrs;  /* levels of pointers to expand inline, default 0 */
	int max_nodes;	  /* total values emitted, default 100000 (0: default) */
	const char *path; /* expression text of the value, for attrs.path */
	/* GDB's print format letter (fmt__format_ok), 0: each value in its
	 * natural form. Every scalar leaf then also carries attrs.ftext, its
	 * text in that format; /s shows arrays of 1-byte integers as strings. */
	char format;
};

/* One of GDB's print formats: x d u o t c a s z. */
bool fmt__format_ok(char f);
/* An integer's bits (bits wide) in print format f
 * into buf: x hex, z hex zero-padded to the width, o octal, t binary, d
 * signed, u unsigned decimal, c the number and its character ("65 'A'"),
 * a hex (the caller adds what it points at); false for s (and anything
 * else): the natural form stays. */
bool fmt__int_as(char f, uint64_t x, uint32_t bits, char *buf, size_t len);

/* Emit value v under key (NULL at top level). opts may be NULL (defaults).
 * Returns 0, or a negative errno when v cannot be read at all (outside the
 * arena: -ERANGE, arena gone: -ENOENT); nothing is emitted then. */
int fmt__value(struct btfx *bx, struct source *src, const struct value *v, const char *key,
	       struct sink *sink, const struct fmt_opts *opts);

/* C type name of (btf, id) into buf: "struct node *", "int[4]",
 * "char (*)[8]". Returns 0 or -EINVAL for an unknown id (buf says
 * "<bad type N>"). Too long names are cut. */
int fmt__type_name(const struct btf *btf, uint32_t type_id, char *buf, size_t len);

/*
 * Leaves (leaves.c): the same walk flattened into its leaves, for
 * everything that compares or tabulates values (watch, diff, later the
 * health check and table views). Each leaf has ONE text, the same wherever
 * it is shown, and the same as `print` writes the value, less the pointed-to
 * type and the walk's own notes ("cycle", "seen"), which depend on the walk
 * order and not on the value:
 *   value        42, -1, 'a', true, RUNNING, NULL, 0x100000001000, "name"
 *                (strings in double quotes, their bytes as they are)
 *   unallocated  <unallocated>            the value's own page is missing
 *                0x100000005000 <unallocated>   a pointer into a missing page
 *   outside      0x10 <outside arena> <bad pointer>, <outside arena>
 *   poison       0xdead000000000100 <outside arena> <poison>
 *   error        ? <incomplete type>
 *   cut          {...} <depth>, [...] <depth>, ... <limit> (path NULL)
 * A pointer the walk followed (fmt_opts.follow_ptrs) is a leaf of its own,
 * `followed`, with the pointer's path and value, before its pointee's leaves.
 */
enum fmt_leaf_kind {
	FMT_LEAF_VALUE,
	FMT_LEAF_UNALLOCATED,
	FMT_LEAF_OUTSIDE,
	FMT_LEAF_POISON,
	FMT_LEAF_ERROR,
	FMT_LEAF_CUT,
};

struct fmt_leaf {
	const char *path;   /* "head->next->id"; NULL: too long to name, or the
			     * node limit's "..." (or fmt_opts.path NULL) */
	const char *type;   /* C type name ("struct node *" for a followed pointer) */
	const char *target; /* a pointer's pointed-to type, or NULL */
	enum fmt_leaf_kind kind;
	enum sink_kind sk; /* the formatter's kind of the value */
	const char *text;  /* the one rendering above */
	const char *value; /* the bare value: "42", "0x1000", "name" ("" when
			    * it has no bytes: unallocated, outside) */
	const char *note;  /* the formatter's note: "poison", "depth", "seen"... */
	uint64_t addr;	   /* where the value lives (0: no address; a followed
			    * pointer: unknown, 0) */
	uint64_t size;	   /* bytes of its type (0: unknown) */
	bool followed;	   /* a pointer the walk expanded: its pointee follows */
	bool cut;	   /* shown in part only: a char array cut at max_array */
};

/* Non-zero stops the walk; fmt__leaves returns it. The leaf is valid
 * during the call only. */
typedef int (*fmt_leaf_fn)(void *ctx, const struct fmt_leaf *leaf);

struct strbuf;
struct fmt_leaves_info {
	/* in: when set, the value's one-line rendering is appended here, made
	 * of the leaves' texts: {.id = 1, .name = "one", .next = NULL} */
	struct strbuf *line;
	/* out */
	uint64_t leaves; /* leaves passed to cb */
	bool cut;	 /* some of the value was not walked: an array or
			  * char array cut at max_array, the depth or node
			  * limit, a path too long to name */
};

/* Walk v as fmt__value does and call cb for each leaf, in order. opts as
 * for fmt__value (its path names the leaves), info may be NULL. Returns 0,
 * cb's non-zero return, or fmt__value's negative errno (nothing walked). */
int fmt__leaves(struct btfx *bx, struct source *src, const struct value *v,
		const struct fmt_opts *opts, fmt_leaf_fn cb, void *ctx,
		struct fmt_leaves_info *info);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sink: where every output goes. Producers (the typed formatter, the page map,
 * the list of arenas, watch events) emit a tree of events; a sink turns them
 * into C-like text, JSON, or TUI lines. The same walk feeds every sink, so the
 * outputs cannot drift apart.
 *
 * Strings may come from files or the kernel: the text sink shows them in
 * their printable form (printable.h), the JSON sink escapes them, so
 * producers pass them as they are.
 *
 * A cut is never silent. A truncated array (attrs.truncated, attrs.total)
 * is, in text, followed by "... N more (HINT)"; in JSON it is the object
 * {"truncated":true,"total":N,"elements":[...]} instead of the bare array.
 * A cut char array is {"string":"...","truncated":true,"total":N}; a value
 * cut at the depth or node limit is {"truncated":true,"note":"depth"}
 * ("limit").
 *
 * Keys are NULL inside arrays and at the top level. `type` is an optional C
 * type name ("struct node *") that text sinks may show and JSON ignores
 * unless the sink asks for it.
 */
#ifndef ARENA_INSPECT_SINK_H
#define ARENA_INSPECT_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sink_kind {
	SK_NUM,	 /* text is a number literal: 42, -1, 0.5 */
	SK_STR,	 /* text is a string, escaped by the sink */
	SK_BOOL, /* "true" / "false" */
	SK_NULL,
	SK_ENUM, /* text is the symbolic name (JSON: a string) */
	SK_PTR,	 /* text is "0x..." (JSON: a string) */
	SK_CHAR, /* one char, text is its C escape ('a') */
};

/* Extra facts about a value, shown by text and JSON sinks. */
struct sink_attrs {
	uint64_t addr;	    /* where the value lives, 0 if none */
	const char *type;   /* C type name or NULL */
	const char *target; /* pointer: pointed-to type */
	bool unallocated;   /* pointer/value lands in a missing page */
	bool outside;	    /* pointer points outside the arena */
	bool followable;    /* pointer into an allocated arena page */
	bool truncated;	    /* walk stopped early (depth, cycle, limit), or
			     * an array/char array shows only its first elements */
	uint64_t total;	    /* truncated array or char array: its length
			     * (elements shown: the children / the string) */
	bool lines;	    /* SK_STR laid out by the tool in lines (the
			     * page map picture): text keeps its newlines */
	const char *note;   /* short free text: "cycle", "poison" */
	const char *path;   /* expression that names this value: "head->next->id" */
	uint64_t size;	    /* bytes of the value's type (0: unknown) */
	bool deref;	    /* the pointee of a followed pointer: addr is the
			     * pointer's value, path "*P" names it */
	const char *ftext;  /* the value in the print format asked for
			     * (fmt_opts.format: "0x2a"), or NULL: text sinks
			     * show it instead of text, JSON adds "text" */
};

/* What the text sink writes next, for a writer that colours it (the CLI
 * on a terminal, ui/cli.c): the sink reports roles, never escapes. */
enum sink_role {
	SR_NONE, /* plain text again */
	SR_KEY,	 /* a member name, a key */
	SR_TYPE, /* a C type name: "(struct node)", "-> struct node" */
	SR_NUM,
	SR_STR, /* strings and chars */
	SR_ENUM,
	SR_PTR,	    /* a pointer into an allocated page */
	SR_PTR_BAD, /* a pointer into a missing page, or outside the arena */
	SR_NULL,
	SR_NOTE,    /* "<cycle>", "... 44 more" */
	SR_UNALLOC, /* "<unallocated>" */
	SR_HEADER,  /* a table's column names */
};

struct sink;

struct sink_ops {
	void (*begin)(struct sink *s, const char *key, bool array, const struct sink_attrs *a);
	void (*end)(struct sink *s, bool array);
	void (*value)(struct sink *s, const char *key, enum sink_kind kind, const char *text,
		      const struct sink_attrs *a);
	void (*flush)(struct sink *s);
	void (*free)(struct sink *s);
};

typedef void (*sink_write_fn)(void *ctx, const char *buf, size_t len);

struct sink {
	const struct sink_ops *ops;
	sink_write_fn write;
	void *write_ctx;
	/* how the user asks for more elements, shown by the text sink after
	 * a cut array: "--max-elements N". NULL: nothing. */
	const char *more_hint;
	/* text sinks: called with the role of what is written next and
	 * SR_NONE after it; NULL: no roles (JSON never calls it) */
	void (*role)(void *ctx, enum sink_role r);
};

/* Sinks that serialize to a writer. pretty: indent JSON. */
struct sink *sink__new_json(sink_write_fn w, void *ctx, bool pretty);
struct sink *sink__new_text(sink_write_fn w, void *ctx);
void sink__free(struct sink *s);

static inline void sink_begin(struct sink *s, const char *key, bool array,
			      const struct sink_attrs *a)
{
	s->ops->begin(s, key, array, a);
}
static inline void sink_end(struct sink *s, bool array)
{
	s->ops->end(s, array);
}
static inline void sink_value(struct sink *s, const char *key, enum sink_kind k, const char *text,
			      const struct sink_attrs *a)
{
	s->ops->value(s, key, k, text, a);
}
static inline void sink_flush(struct sink *s)
{
	if (s->ops->flush)
		s->ops->flush(s);
}

/* Convenience emitters */
void sink_u64(struct sink *s, const char *key, uint64_t v);
void sink_i64(struct sink *s, const char *key, int64_t v);
void sink_hex(struct sink *s, const char *key, uint64_t v); /* SK_PTR "0x.." */
void sink_str(struct sink *s, const char *key, const char *v);
void sink_bool(struct sink *s, const char *key, bool v);
/* One changed value as an object {"path", "old", "new"}; a NULL side (the
 * path exists on one side only) is null in JSON, "(none)" in text. */
void sink_change(struct sink *s, const char *path, const char *old, const char *new);

/* A writer into a growing buffer, for tests and the TUI. */
struct strbuf {
	char *buf;
	size_t len, cap;
};
void strbuf_write(void *sb, const char *buf, size_t len);
void strbuf_free(struct strbuf *sb);

#endif

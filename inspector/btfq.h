/* SPDX-License-Identifier: GPL-2.0 */
/*
 * btfq: questions about one BTF type, in one place, so that the evaluator,
 * the formatter and the UI give the same answers: its C name, whether it
 * is a pointer, its members as C names them (through anonymous structs and
 * unions), which struct `x->` or `x.` names members of, and its C
 * declaration. Finding a type by name is btfx's (btfx__find_type).
 *
 * Types are (btf, id) pairs; typedefs, const, volatile, restrict and type
 * tags are looked through (btfx_skip_mods). Nothing here allocates except
 * btfq__dump_type, nothing prints; errors are negative errno with a message
 * in ai_errmsg().
 */
#ifndef ARENA_INSPECT_BTFQ_H
#define ARENA_INSPECT_BTFQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;
struct strbuf;

/* C type name of (btf, id) into buf: "struct node *", "int[4]",
 * "char (*)[8]". Returns 0 or -EINVAL for an unknown id (buf says
 * "<bad type N>"). A name too long for buf ends in "...". */
int btfq__type_name(const struct btf *btf, uint32_t id, char *buf, size_t len);

/* Is (btf, id) a pointer, after typedefs and qualifiers? */
bool btfq__is_ptr(const struct btf *btf, uint32_t id);

/* Are (a, ia) and (b, ib) the same type after typedefs and qualifiers?
 * Across BTF objects by their C name, so a forward declaration in one
 * matches the definition in another ("struct node" both). */
bool btfq__same_type(const struct btf *a, uint32_t ia, const struct btf *b, uint32_t ib);

/* A member as `s.name` reaches it: offset from the start of s (members of
 * anonymous members included), its type id (not resolved) and its bitfield
 * width (0: not a bitfield). name is borrowed from btf. */
struct btfq_member {
	const char *name;
	uint32_t type;
	uint64_t bit_off;
	uint32_t bitfield_size;
};

/* Every member that `s.NAME` can name for s of struct/union type id, in
 * declaration order: the named members, and in place of an anonymous
 * struct/union member its own members, recursively (32 levels at most).
 * Stops when cb returns non-zero, and returns that; 0 otherwise (also when
 * id is not a struct or union). */
int btfq__for_each_member(const struct btf *btf, uint32_t id,
			  int (*cb)(const struct btfq_member *m, void *ctx), void *ctx);

/* The member `s.name` is: the first one btfq__for_each_member gives with
 * that name. false when there is none. */
bool btfq__find_member(const struct btf *btf, uint32_t id, const char *name,
		       struct btfq_member *out);

/* The struct or union whose members `x->NAME` (arrow) or `x.NAME` names,
 * for x of type id: with arrow, what a pointer points to; without, the
 * type itself. Returned with typedefs and qualifiers stripped; 0 when x
 * has no members that way (`->` on a struct, `.` on a pointer, an int). */
uint32_t btfq__member_parent(const struct btf *btf, uint32_t id, bool arrow);

/* The C declaration of (btf, id) as libbpf's btf_dump writes it (tabs for
 * indentation), appended to out. btf_dump writes nothing for some types
 * (an int, a pointer), and nothing when it fails on one: out is left as
 * it was then, and the caller shows the type's name instead. libbpf's
 * messages go to its print callback (error.h: ai_libbpf_capture).
 * -EINVAL for an unknown id, -ENOMEM (or btf_dump's error) when no dumper
 * can be made. */
int btfq__dump_type(const struct btf *btf, uint32_t id, struct strbuf *out);

/*
 * The layout of a struct or union, as GDB's `ptype /o` shows it: every
 * member with its offset and size, nested structs and unions (named or
 * anonymous) expanded in place, bitfields with their bit, the holes
 * between members and the padding at the end. One walk, items in order:
 *   MEMBER  a member (depth 0: of the type itself); a struct or union
 *           member is followed by its own items and then an END
 *   END     the end of a nested struct/union (size: its total size)
 *   HOLE    unused bits before the next member (bit_size; size the whole
 *           bytes of it); PADDING the same at the end of a struct
 * Offsets are from the start of the outermost type, in bits
 * (bit_offset) and bytes (offset = bit_offset / 8). Nesting stops at 16
 * levels (MEMBER with truncated). Returns cb's non-zero return, 0, or
 * -EINVAL when id is not a struct or union (through typedefs).
 */
enum btfq_layout_kind {
	BTFQ_LAYOUT_MEMBER,
	BTFQ_LAYOUT_END,
	BTFQ_LAYOUT_HOLE,
	BTFQ_LAYOUT_PADDING,
};

struct btfq_layout_item {
	enum btfq_layout_kind kind;
	int depth;
	const char *name; /* member name ("" anonymous); NULL for holes */
	const char *path; /* "in.x": names from the outermost type */
	uint32_t type;	  /* the member's type id (END: the nested type) */
	uint64_t bit_offset;
	uint64_t offset;
	uint64_t size;	   /* bytes of the type; a hole's whole bytes */
	uint32_t bit_size; /* a bitfield's width, a hole's bits (0: none) */
	bool nested;	   /* MEMBER: a struct or union, expanded next */
	bool in_union;	   /* MEMBER: of a union (no holes there) */
	bool truncated;	   /* MEMBER: nested too deep to expand */
};

int btfq__layout(const struct btf *btf, uint32_t id,
		 int (*cb)(const struct btfq_layout_item *it, void *ctx), void *ctx);

/* The layout as GDB's `ptype /o` writes it, appended to out:
 *   / * offset      |    size * /  type = struct node {
 *   / *      0      |       8 * /    struct node *next;
 *   / * XXX  4-byte hole      * /
 *   ...
 *                                  / * total size (bytes):   24 * /
 *                                }
 * (without the spaces in the comment marks). -EINVAL as btfq__layout. */
int btfq__layout_text(const struct btf *btf, uint32_t id, struct strbuf *out);

#endif

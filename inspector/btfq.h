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

#endif

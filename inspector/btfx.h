/* SPDX-License-Identifier: GPL-2.0 */
/*
 * btfx: the types and roots of one arena.
 *
 * BTF is found from the programs that use the arena (their btf_id, shared
 * objects deduplicated), from a file given by the user (--btf: ELF .bpf.o or
 * raw BTF), or from the blobs stored in a snapshot. Roots are the named
 * places where data starts: __arena globals (DATASEC ".addr_space.1", placed
 * at offset 0 or at the end of the arena, detected), and .bss/.data/.rodata
 * variables of those programs whose value points into the arena (read from
 * the maps without changing them). A snapshot source hands back the roots it
 * stored (source_ops.roots).
 *
 * Ownership: a btfx owns its BTF objects and roots; every pointer it returns
 * is borrowed and valid until btfx__free(). btfx__free(NULL) is a no-op.
 * Errors are negative errno with a message in ai_errmsg(); nothing prints.
 */
#ifndef ARENA_INSPECT_BTFX_H
#define ARENA_INSPECT_BTFX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "source.h"

struct btf;

enum root_kind {
	ROOT_ARENA_GLOBAL, /* __arena global: lives in the arena */
	ROOT_MAP_PTR,	   /* .bss/.data/.rodata pointer into the arena */
};

struct root {
	char name[64];
	enum root_kind kind;
	const struct btf *btf;
	uint32_t type_id; /* type of the variable itself */
	uint64_t addr;	  /* ARENA_GLOBAL: user address of the variable */
	uint64_t value;	  /* MAP_PTR: the pointer value read from the map */
	char section[32]; /* ".bss", ".addr_space.1", ... */
	int btf_idx;	  /* btf == btfx__btf(bx, btf_idx); what snapshots store */
};

struct btfx;

/* btf_file may be NULL. Finding no BTF is not an error: btfx__nr_btfs()==0.
 * A btf_file that is missing is -ENOENT, one that holds no valid BTF is
 * -EINVAL; both messages name the file. */
int btfx__open(struct source *src, const char *btf_file, struct btfx **out);

/* For tests and tools without BPF: one BTF (ownership passes to the btfx,
 * also on error) over src. Arena globals are found as by btfx__open; no
 * program or map is looked at. */
int btfx__new_from_btf(struct source *src, struct btf *btf, struct btfx **out);

void btfx__free(struct btfx *bx);

int btfx__nr_btfs(const struct btfx *bx);
const struct btf *btfx__btf(const struct btfx *bx, int i);
/* raw BTF bytes of blob i (what a snapshot stores) */
const void *btfx__btf_raw(const struct btfx *bx, int i, uint32_t *size);

int btfx__nr_roots(const struct btfx *bx);
const struct root *btfx__root(const struct btfx *bx, int i);
const struct root *btfx__find_root(const struct btfx *bx, const char *name);
/* The value history ($N, expr.h) expressions evaluated against bx see:
 * the caller's, borrowed (it must outlive bx or be unset); NULL: none. */
struct expr_history;
void btfx__set_history(struct btfx *bx, const struct expr_history *h);
const struct expr_history *btfx__history(const struct btfx *bx);

/*
 * Data-section variables: every variable of the programs' .bss, .data and
 * .rodata maps, of any type (structs and arrays too, such as sched_ext's
 * struct scx_allocator or struct scx_alloc_stats), with a copy of its
 * bytes read once when the btfx was opened, without changing the map. A
 * snapshot stores them (source_ops.vars). Pointer variables into the arena
 * are roots as well (ROOT_MAP_PTR). The copy does not follow the map
 * afterwards: reopen the btfx for fresh values. At most BTFX_VARS_MAX_BYTES
 * are kept; btfx__vars_cut() says whether some were left out.
 */
#define BTFX_VARS_MAX_BYTES (64u << 20)

struct map_var {
	char name[64];
	char section[32]; /* ".bss", ".data.foo", ".rodata" */
	const struct btf *btf;
	uint32_t type_id; /* the variable's type (not the VAR) */
	int btf_idx;	  /* btf == btfx__btf(bx, btf_idx) */
	uint32_t map_id;  /* the map it was read from (0: a snapshot) */
	uint32_t size;
	const uint8_t *data; /* size bytes */
};

int btfx__nr_vars(const struct btfx *bx);
const struct map_var *btfx__var(const struct btfx *bx, int i);
/* The first variable of that name (in the order the maps were found) */
const struct map_var *btfx__find_var(const struct btfx *bx, const char *name);
bool btfx__vars_cut(const struct btfx *bx);

/*
 * The maps of the programs that may hold an arena pointer which check
 * cannot read (check's leaked-object is judged only when there is none):
 * every map of the programs but the arena, the data-section arrays read
 * into btfx__var and the map types whose values cannot be a program's
 * data (btfx.c map_can_hold says which and why). A live source records
 * them while it looks at the programs; a snapshot stores them
 * (source_ops.maps). btfx__maps_known() is false when nobody looked
 * (btfx__new_from_btf, a source that does not carry them, a program or
 * map that could not be looked at, more programs than the kernel lists):
 * then it is unknown which maps the programs use.
 */
#define BTFX_MAP_TYPE_UNKNOWN UINT32_MAX /* the map could not be looked at */

struct btfx_map {
	uint32_t id;
	uint32_t type; /* enum bpf_map_type, BTFX_MAP_TYPE_UNKNOWN */
	char name[16]; /* as the kernel has it ("" when unknown) */
};

bool btfx__maps_known(const struct btfx *bx);
int btfx__nr_unseen_maps(const struct btfx *bx);
const struct btfx_map *btfx__unseen_map(const struct btfx *bx, int i);
/* Replace what is known: the list (copied, may be empty) and known. For
 * snapshots and tests. 0 or -ENOMEM. */
int btfx__set_unseen_maps(struct btfx *bx, const struct btfx_map *maps, int n, bool known);
/* "hash", "task_storage", ... (libbpf's names), "map type 40" past them,
 * "unknown" for BTFX_MAP_TYPE_UNKNOWN; into buf */
const char *btfx__map_type_name(uint32_t type, char *buf, size_t len);

/* Add a root (copied). r->btf may be NULL: then r->btf_idx names the BTF.
 * A root with the name of an existing one replaces it. -EINVAL when the
 * BTF index or the type id is invalid. */
int btfx__add_root(struct btfx *bx, const struct root *r);

/* "struct node", "node", "u64", "struct node *", "unsigned long": resolve to
 * a type id in one of the BTFs (earlier BTFs win; built-in integer names
 * work without BTF). Pointer types that no BTF has are made up and live as
 * long as bx. Returns 0 or -ENOENT. */
int btfx__find_type(const struct btfx *bx, const char *name, const struct btf **btf,
		    uint32_t *type_id);

/* Names for TAB completion: calls cb for every root and every other
 * data-section variable (btfx__var; is_type false), and
 * every named struct/union/enum ("struct node") and typedef (is_type true),
 * each name once; stops when cb returns non-zero. */
void btfx__for_each_name(const struct btfx *bx,
			 int (*cb)(const char *name, bool is_type, void *ctx), void *ctx);

/*
 * Type sources beyond the programs' BTF (--types FILE; types.h makes the
 * BTF from a header, DWARF or a BTF file). btf passes to bx, also on
 * error; label names it in notes ("intf.h (C)"). Its types join the
 * lookup by name after the BTFs already there, and complete forward
 * declarations (btfx__complete). A struct or union that it defines with
 * another size than an earlier source is a conflict: one note each
 * (btfx__note), the earlier definition is used and `struct NAME@N` (N the
 * source's index, btfx__btf_label) picks another.
 */
int btfx__add_types(struct btfx *bx, struct btf *btf, const char *label);

/* "BTF id 42 (programs)", "--btf FILE", "snapshot blob 0", "x.h (C)" */
const char *btfx__btf_label(const struct btfx *bx, int i);
/* true for BTF of the programs (or the snapshot or --btf), false for --types */
bool btfx__btf_is_types(const struct btfx *bx, int i);

/* Notes about the types, in the order found: conflicting definitions. */
int btfx__nr_notes(const struct btfx *bx);
const char *btfx__note(const struct btfx *bx, int i);

/*
 * A forward declaration completed: when (*btf, *id), through typedefs and
 * qualifiers, is a FWD (or a named struct/union of size 0 with no
 * members), the first complete struct or union of the same name and kind
 * in the BTFs of bx replaces it (its own BTF first, then every BTF in
 * order). Returns true when it did; else leaves both alone. Results are
 * cached in bx.
 */
bool btfx__complete(const struct btfx *bx, const struct btf **btf, uint32_t *id);

/* Is (btf, id), through typedefs and qualifiers, a struct or union whose
 * layout is unknown (a FWD, or named with size 0 and no members)? */
bool btfx__is_fwd(const struct btf *btf, uint32_t id);

/* The message for a value of incomplete type (btf, id) that bx cannot
 * complete: "struct node is only declared in the BTF of the programs using
 * this arena (its layout is unknown); give its definition with --types
 * FILE" (or "... only declared in FILE ..."). */
void btfx__incomplete_msg(const struct btfx *bx, const struct btf *btf, uint32_t id, char *buf,
			  size_t len);

/* Where __arena globals were found: 0 = offset 0, 1 = end, -1 = none */
enum { BTFX_GLOBALS_NONE = -1, BTFX_GLOBALS_START = 0, BTFX_GLOBALS_END = 1 };
int btfx__globals_placement(const struct btfx *bx);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * expr: C-like paths into arena data, shared by print, the TUI, and watches.
 *
 *   name  a->b.c[3]  *p  &x  (struct t *)0x7f00...  *(u64 *)ADDR  arr[0:8]
 *   root->head->next->name   (node *)ADDR   (u32)-1   p + 1   RUNNING
 *
 * Grammar (C precedence, loosest first):
 *   expr    := expr || expr | expr && expr | | ^ & | == != | < <= > >=
 *              | << >> | + - | * / % | unary
 *   unary   := ( * | & | - | ! | ~ | + ) unary | '(' type ')' unary | postfix
 *              | sizeof unary | sizeof '(' type ')'
 *   postfix := primary { -> name | . name | [ expr ] | [ expr : expr ] }
 *   primary := root | enum constant | number (dec, 0x hex, 0 octal, 0b;
 *              suffixes u l ll in either order)
 *              | offsetof '(' type ',' member ')'
 *              | container_of '(' expr ',' type ',' member ')'
 *              | ( expr ) | type (an error when evaluated: not a value)
 *   member  := name { . name | [ expr ] }     ("node", "node.next", "a[2].b")
 *   type    := struct|union|enum NAME | NAME | C words (unsigned long ...)
 *              followed by '*'s; resolved at evaluation: BTF first, then
 *              built-in u8..u64, s8..s64, int, long, char, bool, size_t...
 * "(name) x" is a cast when a value follows ")" (a name, a number, "(",
 * "!", "~"); with the fixed-width names (u32, s64, ...) whatever follows.
 * Pointer arithmetic scales by the pointee size, as in C.
 *
 * Arithmetic is C's, with LP64 widths (int 32 bits, long and long long 64):
 *  - literals have C's types: decimal int, long, long long; hex, octal and
 *    0b also the unsigned ones (0xffffffff is unsigned int); suffixes u, l,
 *    ll, ul, ull as in C. A decimal literal above LLONG_MAX is unsigned
 *    long long (clang's choice; C gives it no type).
 *  - the integer promotions: char, short, bool and bitfields narrower than
 *    int are int (a 32-bit bitfield keeps its sign, a wider one its type,
 *    as clang does); enums their underlying type (BTF size and sign);
 *    enumerators int, or the enum's type when a value does not fit in int.
 *  - the usual arithmetic conversions for + - * / % & | ^ and comparisons:
 *    (u32)0xffffffff + 1 is 0, (u64)0 - 1 > 0 is 1, x - 1000 > 0 on a
 *    __u32 x is 1 unless x is 1000.
 *  - comparisons, ! && || are int 0 or 1; shifts have the promoted left
 *    operand's type; unary - ~ + promote ( -1u is 4294967295 ); casts cut
 *    and sign- or zero-extend, (bool)x is x != 0; sizeof is unsigned long,
 *    pointer - pointer long.
 *  - offsetof(TYPE, MEMBER) is unsigned long, as C's (TYPE a struct or
 *    union; members of anonymous members are named as C names them; a
 *    bitfield has no offset). container_of(PTR, TYPE, MEMBER) is the
 *    kernel's: a TYPE * whose value is PTR - offsetof(TYPE, MEMBER); PTR is
 *    a pointer to MEMBER's type (or void *, char *) or an integer, and
 *    nothing but PTR itself is read. "offsetof" and "container_of" not
 *    followed by "(" are names like any other.
 *  - where C is undefined: signed overflow wraps (as -fwrapv), so does
 *    INT_MIN / -1 (remainder 0); a shift by a negative count or by the
 *    width of the left type or more is an error (-EDOM, "shift count 64 >=
 *    width of unsigned long (64 bits)"), and so is division by zero.
 *  - floats are read as long (truncated); arithmetic is integer only.
 * A computed result keeps its C type in value.ctype (btf NULL), which is
 * how it is printed: unsigned types print unsigned.
 *
 * Roots: a ROOT_MAP_PTR root is its pointer value (so head->next and *head
 * work); a ROOT_ARENA_GLOBAL root is an lvalue at its address. Any other
 * name of a .bss/.data/.rodata variable (btfx__find_var; a struct such as
 * sched_ext's scx_allocator, an array, a counter) is a place in that
 * variable's bytes (value.var): members and indexes work on it, '->'
 * through a pointer in it reads the arena; '&' on it is an error (it has
 * no arena address).
 * Memory is read only where a value is needed (following ->, indexing
 * through a pointer, arithmetic, expr__eval_int); the final lvalue of
 * expr__eval is not read, so fmt__value can show it as unallocated.
 * Bitfields have no address: they evaluate to an rvalue (value.addr still
 * says where the containing bytes are).
 *
 * Errors: negative errno with a message in ai_errmsg(): -EINVAL syntax
 * ("expected ')' at column 7, found the end") and types ("'next' is not a
 * member of struct node", "cannot dereference 'x': it is int, not a
 * pointer"), -ENOENT unknown root/member/type, -EFAULT through NULL,
 * -ENODATA a page that is not allocated (naming the address), -ERANGE
 * outside the arena or an index out of bounds, -EDOM division by zero or a
 * shift count out of range.
 *
 * A parsed expr may be evaluated many times and against different btfx
 * objects; it caches resolved type names per btfx, so one expr must not be
 * evaluated from two threads at once.
 */
#ifndef ARENA_INSPECT_EXPR_H
#define ARENA_INSPECT_EXPR_H

#include <stdbool.h>
#include <stdint.h>
#include "btfq.h"
#include "btfx.h"
#include "source.h"

/*
 * The C type of a computed integer (a literal, a + b, a < b, sizeof): one of
 * C's integer types after the integer promotions, LP64 widths (int 32 bits,
 * long and long long 64). EXPR_LLONG is 0 so a zeroed value is a signed
 * 64-bit number.
 */
enum expr_ctype {
	EXPR_LLONG,  /* long long */
	EXPR_INT,    /* int */
	EXPR_UINT,   /* unsigned int */
	EXPR_LONG,   /* long */
	EXPR_ULONG,  /* unsigned long */
	EXPR_ULLONG, /* unsigned long long */
	EXPR_NR_CTYPES,
};

/* A typed place in the arena, or a computed scalar. */
struct value {
	/* NULL for a computed integer whose type is ctype (literal, a + b).
	 * May be a BTF that btfx made up to hold pointer types ('&x', casts);
	 * it resolves every id of the BTF it extends and lives as long as the
	 * btfx. */
	const struct btf *btf;
	uint32_t type_id; /* 0 with btf == NULL */
	bool lvalue;	  /* has an address in the arena */
	uint64_t addr;	  /* lvalue: user address (rvalue: where it was read, or 0) */
	/* !lvalue: the value, sign- or zero-extended from its type's width to
	 * 64 bits (so (int)-1 is 0xffff...ff and (u32)-1 is 0xffffffff) */
	uint64_t scalar;
	/* slice arr[a:b]: element count, type_id is the element type and addr
	 * the first element's; 0 when not a slice */
	uint32_t slice_len;
	uint8_t ctype;	  /* btf == NULL: enum expr_ctype */
	uint8_t bitfield; /* a bitfield rvalue: its width in bits (0: not one) */
	/* A place in a data-section variable's bytes (btfx__var: the copy
	 * read when the btfx was opened), not in the arena: lvalue is false
	 * and addr is the offset in var->data ("my_alloc", "my_alloc.slots[1]").
	 * expr__read reads such a value's bytes; a pointer read from them
	 * leads back into the arena. NULL for everything else. */
	const struct map_var *var;
};

/* "int", "unsigned long", ... and whether the type is signed. */
const char *expr__ctype_name(unsigned ctype);
bool expr__ctype_signed(unsigned ctype);

struct expr;

/* Parse. On error returns -EINVAL, *err_col is the 0-based column and
 * ai_errmsg() says what was expected. */
int expr__parse(const char *text, struct expr **out, int *err_col);
void expr__free(struct expr *e);
const char *expr__text(const struct expr *e);

/* Evaluate against a source. Reads only allocated pages through
 * source__read; a missing page is -ENODATA with a message naming the
 * address. */
int expr__eval(const struct expr *e, struct btfx *bx, struct source *src, struct value *out);

/* Evaluate to an integer (conditions, numeric watches): the value's bits
 * as int64_t, by the same C rules as expr__eval (an unsigned long above
 * INT64_MAX comes out negative; only its truth and bits are meaningful). */
int expr__eval_int(const struct expr *e, struct btfx *bx, struct source *src, int64_t *out);

/* The bytes of v at offset off (len of them): from its variable's copy
 * (v->var) or the arena (v->lvalue, through source__read_exact). -ERANGE
 * past the variable's end, -EINVAL for a value that is neither. */
int expr__read(struct source *src, const struct value *v, uint64_t off, void *buf, size_t len);

/* Completion: the members that "EXPR->NAME" (arrow) or "EXPR.NAME"
 * accepts, for v the value of EXPR, by the rules evaluation follows (none
 * on a slice, "." needs a struct or union with an address, "->" a pointer
 * to one); members of anonymous structs and unions are listed in their
 * place (btfq__for_each_member). Stops when cb returns non-zero and
 * returns that, else 0. */
int expr__for_each_member(const struct value *v, bool arrow,
			  int (*cb)(const struct btfq_member *m, void *ctx), void *ctx);

/* offsetof for a type in hand: the byte offset (*off) and the type
 * (*type, in btf) of member path `path` ("next", "node.next", "a[2].b":
 * offsetof's MEMBER) in the struct or union (btf, id), by offsetof's rules
 * and with its messages; an index may be any expression (bx and src
 * evaluate it). -EINVAL a syntax error (the message names the column), or
 * a type that is not a struct or union, -ENOENT no such member. */
int expr__offsetof(struct btfx *bx, struct source *src, const struct btf *btf, uint32_t id,
		   const char *path, uint64_t *off, uint32_t *type);

/*
 * GDB's value history: $N is the N-th value printed (from 1), $ the last,
 * $$ the one before it, $$N the N-th before the last. The caller keeps the
 * values (the TUI's session) and hands them to the evaluator through the
 * btfx (btfx__set_history), so every expression evaluated against that
 * btfx (print, watches, hex, table) sees them. A value is what expr__eval
 * gave: an lvalue is its type at its address, read again when used (the
 * arena is live; GDB keeps the bytes), a computed value its number.
 */
struct expr_history {
	/* the value $n (n >= 1) into *out; -ENOENT (message set) if none */
	int (*get)(void *ctx, uint64_t n, struct value *out);
	uint64_t (*last)(void *ctx); /* the number of the last value, 0: none */
	void *ctx;
};

/* The absolute number of history reference name ("$", "$$2", "$7") when
 * the last value is number last. -ENOENT (message set) when there is no
 * such value, -EINVAL not a reference. */
int expr__history_ref(const char *name, uint64_t last, uint64_t *n);
/* text with every relative reference ($, $$, $$N) made absolute ($N) for
 * last: a watch or a view that evaluates text again later keeps meaning
 * the value it meant now. *out is malloc'ed. -ENOENT as above. */
int expr__history_pin(const char *text, uint64_t last, char **out);

/* Convenience: parse + eval in one go. */
int expr__eval_str(const char *text, struct btfx *bx, struct source *src, struct value *out,
		   int *err_col);

#endif

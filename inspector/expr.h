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
 *   postfix := primary { -> name | . name | [ expr ] | [ expr : expr ] }
 *   primary := root | enum constant | number (dec, 0x hex, 0 octal, 0b)
 *              | ( expr ) | type (an error when evaluated: not a value)
 *   type    := struct|union|enum NAME | NAME | C words (unsigned long ...)
 *              followed by '*'s; resolved at evaluation: BTF first, then
 *              built-in u8..u64, s8..s64, int, long, char, bool, size_t...
 * "(name) x" is a cast when a value follows ")" (a name, a number, "(",
 * "!", "~"); with the fixed-width names (u32, s64, ...) whatever follows.
 * Pointer arithmetic scales by the pointee size, as in C.
 *
 * Roots: a ROOT_MAP_PTR root is its pointer value (so head->next and *head
 * work); a ROOT_ARENA_GLOBAL root is an lvalue at its address.
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
 * outside the arena or an index out of bounds, -EDOM division by zero.
 *
 * A parsed expr may be evaluated many times and against different btfx
 * objects; it caches resolved type names per btfx, so one expr must not be
 * evaluated from two threads at once.
 */
#ifndef ARENA_INSPECT_EXPR_H
#define ARENA_INSPECT_EXPR_H

#include <stdbool.h>
#include <stdint.h>
#include "btfx.h"
#include "source.h"

/* A typed place in the arena, or a computed scalar. */
struct value {
	/* NULL for an untyped scalar (literal, a + b). May be a BTF that btfx
	 * made up to hold pointer types ('&x', casts); it resolves every id of
	 * the BTF it extends and lives as long as the btfx. */
	const struct btf *btf;
	uint32_t type_id;	/* 0 with btf == NULL: plain 64-bit integer */
	bool lvalue;		/* has an address in the arena */
	uint64_t addr;		/* lvalue: user address (rvalue: where it was read, or 0) */
	uint64_t scalar;	/* !lvalue: the value (integers sign-extended, pointers) */
	/* slice arr[a:b]: element count, type_id is the element type and addr
	 * the first element's; 0 when not a slice */
	uint32_t slice_len;
};

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

/* Evaluate to an integer (conditions, numeric watches). */
int expr__eval_int(const struct expr *e, struct btfx *bx, struct source *src, int64_t *out);

/* Convenience: parse + eval in one go. */
int expr__eval_str(const char *text, struct btfx *bx, struct source *src, struct value *out,
		   int *err_col);

#endif

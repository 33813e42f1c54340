/* SPDX-License-Identifier: GPL-2.0 */
/*
 * expr: C-like paths into arena data, shared by print, the TUI, and watches.
 *
 *   name  a->b.c[3]  *p  &x  (struct t *)0x7f00...  *(u64 *)ADDR  arr[0:8]
 *   root->head->next->name   node   struct node   (node *)ADDR
 *
 * Integer literals (dec/hex), comparison and arithmetic operators
 * (+ - * / % == != < <= > >= && || !) are available for watch conditions.
 */
#ifndef ARENA_INSPECT_EXPR_H
#define ARENA_INSPECT_EXPR_H

#include <stdbool.h>
#include <stdint.h>
#include "btfx.h"
#include "source.h"

/* A typed place in the arena, or a computed scalar. */
struct value {
	const struct btf *btf;	/* NULL for an untyped scalar (literal) */
	uint32_t type_id;	/* 0 with btf == NULL: plain 64-bit integer */
	bool lvalue;		/* has an address in the arena */
	uint64_t addr;		/* lvalue: user address */
	uint64_t scalar;	/* !lvalue: the value (integers, pointers) */
	/* slice arr[a:b]: element count; 0 when not a slice */
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

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the expr module: the tree expr_parse.c builds and
 * expr_eval.c walks. A node keeps its source columns for messages, and a
 * type name node caches what the name resolved to in one btfx.
 */
#ifndef ARENA_INSPECT_EXPR_AST_H
#define ARENA_INSPECT_EXPR_AST_H

#include <stdbool.h>
#include <stdint.h>

struct btf;

enum ekind {
	E_NUM,
	E_IDENT,
	E_TYPE,
	E_MEMBER,
	E_ARROW,
	E_INDEX,
	E_SLICE,
	E_DEREF,
	E_ADDR,
	E_CAST,
	E_NEG,
	E_NOT,
	E_BITNOT,
	E_BIN,
	E_SIZEOF,	/* name: sizeof(TYPE); a: sizeof EXPR */
	E_POS,		/* unary plus: the integer promotions, nothing else */
	E_OFFSETOF,	/* name: TYPE; a: the member designator */
	E_CONTAINER_OF, /* name: TYPE; a: PTR; b: the member designator */
	/* the start of a member designator ("node.next", "a[2].b"): a chain
	 * of E_MEMBER and E_INDEX nodes whose innermost a is an E_DESIG */
	E_DESIG,
};

enum binop {
	B_MUL,
	B_DIV,
	B_MOD,
	B_ADD,
	B_SUB,
	B_SHL,
	B_SHR,
	B_LT,
	B_LE,
	B_GT,
	B_GE,
	B_EQ,
	B_NE,
	B_BAND,
	B_BXOR,
	B_BOR,
	B_LAND,
	B_LOR,
};

struct enode {
	enum ekind kind;
	int op;	      /* E_BIN: enum binop; E_NUM: enum expr_ctype */
	int col, end; /* source text [col, end) */
	int depth;
	bool paren; /* E_IDENT written as "(name)": maybe a cast */
	char *name; /* identifier, member, type name ("struct node *") */
	uint64_t num;
	struct enode *a, *b, *c;
	/* type name cache, valid for one btfx (see btfx__serial) */
	uint64_t serial;
	const struct btf *tbtf;
	uint32_t tid;
};

struct expr {
	char *text;
	struct enode *root;
};

/* Parse text as a member designator only ("node.next", "a[2].b"): the
 * root of the tree is its last E_MEMBER or E_INDEX (expr_parse.c). */
int expr__parse_designator(const char *text, struct expr **out, int *err_col);

#endif

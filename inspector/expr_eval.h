/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to expr_eval.c (the evaluator) and expr_builtin.c (casts,
 * sizeof, offsetof, container_of): the evaluation context and the parts
 * of the evaluator both use. Everything else goes through expr.h.
 */
#ifndef ARENA_INSPECT_EXPR_EVAL_H
#define ARENA_INSPECT_EXPR_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "expr.h"
#include "expr_ast.h"
#include "expr_ctype.h"

struct btf;
struct btfx;
struct source;

struct ectx {
	struct btfx *bx;
	struct source *src;
	const char *text;
};

/* the source text of a node, for messages */
#define NT(c, n) (int)((n)->end - (n)->col > 60 ? 60 : (n)->end - (n)->col), (c)->text + (n)->col

static inline struct value scalar(const struct btf *btf, uint32_t id, uint64_t v)
{
	return (struct value){ .btf = btf, .type_id = id, .scalar = v };
}

/* a computed integer of C type ct */
static inline struct value number(unsigned ct, uint64_t v)
{
	return (struct value){ .ctype = ct, .scalar = expr__conv(v, ct) };
}

/* expr_eval.c */
int expr__eval_node(struct ectx *c, const struct enode *n, struct value *out);
void expr__type_name(const struct value *v, char *buf, size_t len);
int expr__load(struct ectx *c, const struct enode *n, const struct value *v, uint64_t *out,
	       bool *sign);
int expr__resolve_type(struct ectx *c, const struct enode *n, const struct btf **btf, uint32_t *id);

/* " (did you mean 'next'?)" for a member name of struct/union id that
 * is not one (suggest.h), or "" */
const char *expr__member_hint(const struct btf *btf, uint32_t id, const char *name, char *buf,
			      size_t len);

/* expr_builtin.c */
int expr__eval_cast(struct ectx *c, const struct enode *n, struct value *out);
int expr__eval_sizeof(struct ectx *c, const struct enode *n, struct value *out);
int expr__eval_offsetof(struct ectx *c, const struct enode *n, struct value *out);
int expr__eval_container_of(struct ectx *c, const struct enode *n, struct value *out);

#endif

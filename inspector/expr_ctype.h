/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the expr module: C's integer types and conversions
 * (expr_ctype.c), as the lexer types literals and the evaluator does
 * arithmetic. The rules are described in expr.h.
 */
#ifndef ARENA_INSPECT_EXPR_CTYPE_H
#define ARENA_INSPECT_EXPR_CTYPE_H

#include <stdbool.h>
#include <stdint.h>
#include "expr.h"

struct btf_type;

/* width in bits of C type ct (enum expr_ctype) */
unsigned expr__ctype_bits(unsigned ct);

/* The C type of an integer literal: its value, decimal or not, its u and
 * l/ll suffixes (suf_l: 0, 1 or 2). */
uint8_t expr__literal_ctype(uint64_t v, bool decimal, bool suf_u, int suf_l);

/* Resolved kind of a value's type: the BTF type after typedefs and
 * qualifiers (*rid its id), or a BTF_KIND_INT of its C type for computed
 * numbers (*rid 0). NULL for a bad type id. */
const struct btf_type *expr__vtype(const struct value *v, uint32_t *rid);
/* signed int or signed enum */
bool expr__is_signed_type(const struct btf_type *t);

/* v cut to bits (1..63; 0 or 64 and more: v as it is), sign- or
 * zero-extended to 64 bits */
uint64_t expr__extend(uint64_t v, unsigned bits, bool sign);
/* v converted to C type ct: cut to its width, sign- or zero-extended */
uint64_t expr__conv(uint64_t v, unsigned ct);

/* The C type v has in arithmetic (after the integer promotions), and the
 * common type of two promoted types (the usual arithmetic conversions). */
unsigned expr__promoted(const struct value *v);
unsigned expr__common_ctype(unsigned a, unsigned b);

#endif

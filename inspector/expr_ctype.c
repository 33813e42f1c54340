// SPDX-License-Identifier: GPL-2.0
/*
 * expr_ctype: C's integer arithmetic for expressions (the rules are in
 * expr.h): the integer types with LP64 widths, the type of a literal, the
 * integer promotions of a value read from BTF, the usual arithmetic
 * conversions, and conversion to a type. Nothing here reads memory.
 */
#include <stdint.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfx_internal.h"
#include "expr_ctype.h"

/* C's integer types with LP64 widths; rank orders int < long < long long */
static const struct {
	const char *name;
	uint8_t bits, rank;
	bool sign;
} ctypes[EXPR_NR_CTYPES] = {
	[EXPR_INT] = { "int", 32, 1, true },
	[EXPR_UINT] = { "unsigned int", 32, 1, false },
	[EXPR_LONG] = { "long", 64, 2, true },
	[EXPR_ULONG] = { "unsigned long", 64, 2, false },
	[EXPR_LLONG] = { "long long", 64, 3, true },
	[EXPR_ULLONG] = { "unsigned long long", 64, 3, false },
};

const char *expr__ctype_name(unsigned ct)
{
	return ct < EXPR_NR_CTYPES ? ctypes[ct].name : "long long";
}

bool expr__ctype_signed(unsigned ct)
{
	return ct < EXPR_NR_CTYPES ? ctypes[ct].sign : true;
}

unsigned expr__ctype_bits(unsigned ct)
{
	return ct < EXPR_NR_CTYPES ? ctypes[ct].bits : 64;
}

static bool ct_fits(uint64_t v, unsigned ct)
{
	if (ctypes[ct].bits == 32)
		return v <= (ctypes[ct].sign ? (uint64_t)INT32_MAX : (uint64_t)UINT32_MAX);
	return ctypes[ct].sign ? v <= (uint64_t)INT64_MAX : true;
}

/*
 * The type of an integer literal (C11 6.4.4.1): the first of the list that
 * holds the value, from int (no suffix), long (l) or long long (ll) on; a
 * decimal literal without u skips the unsigned types, a u suffix skips the
 * signed ones. A decimal too large for long long has no type in C; it is
 * unsigned long long here, as clang makes it (with a warning).
 */
uint8_t expr__literal_ctype(uint64_t v, bool decimal, bool suf_u, int suf_l)
{
	static const uint8_t order[] = { EXPR_INT,   EXPR_UINT,	 EXPR_LONG,
					 EXPR_ULONG, EXPR_LLONG, EXPR_ULLONG };

	for (size_t i = suf_l * 2; i < sizeof(order); i++) {
		if ((suf_u && ctypes[order[i]].sign) ||
		    (decimal && !suf_u && !ctypes[order[i]].sign))
			continue;
		if (ct_fits(v, order[i]))
			return order[i];
	}
	return EXPR_ULLONG;
}

/* resolved kind of a value's type: the BTF kind, or a BTF_KIND_INT of its
 * C type for computed numbers */
const struct btf_type *expr__vtype(const struct value *v, uint32_t *rid)
{
	/* each C type as a BTF int, with the encoding word that follows it */
#define CT_INT(bytes, enc) \
	{ { .info = BTF_KIND_INT << 24, .size = bytes }, ((enc) << 24) | (bytes * 8) }
	static const struct {
		struct btf_type t;
		uint32_t enc;
	} untyped[EXPR_NR_CTYPES] = {
		[EXPR_INT] = CT_INT(4, BTF_INT_SIGNED),	  [EXPR_UINT] = CT_INT(4, 0),
		[EXPR_LONG] = CT_INT(8, BTF_INT_SIGNED),  [EXPR_ULONG] = CT_INT(8, 0),
		[EXPR_LLONG] = CT_INT(8, BTF_INT_SIGNED), [EXPR_ULLONG] = CT_INT(8, 0),
	};
#undef CT_INT
	uint32_t id;

	if (!v->btf) {
		if (rid)
			*rid = 0;
		return &untyped[v->ctype < EXPR_NR_CTYPES ? v->ctype : EXPR_LLONG].t;
	}
	id = btfx_skip_mods(v->btf, v->type_id);
	if (rid)
		*rid = id;
	return btf__type_by_id(v->btf, id);
}

bool expr__is_signed_type(const struct btf_type *t)
{
	if (btf_is_int(t))
		return btf_int_encoding(t) & BTF_INT_SIGNED;
	if (btf_is_any_enum(t))
		return btf_kflag(t);
	return false;
}

uint64_t expr__extend(uint64_t v, unsigned bits, bool sign)
{
	if (bits >= 64 || !bits)
		return v;
	v &= (1ULL << bits) - 1;
	if (sign && (v >> (bits - 1)) & 1)
		v |= ~0ULL << bits;
	return v;
}

/* v converted to C type ct: cut to its width, sign- or zero-extended */
uint64_t expr__conv(uint64_t v, unsigned ct)
{
	return expr__extend(v, ctypes[ct].bits, ctypes[ct].sign);
}

/* 8-byte BTF ints that are long long rather than long: clang's names, and
 * the kernel's u64/s64 (unsigned long long in its headers) */
static bool is_long_long(const struct btf *btf, const struct btf_type *t)
{
	static const char *const kernel[] = { "u64", "__u64", "s64", "__s64" };
	const char *name = btf__name_by_offset(btf, t->name_off);

	if (!name)
		return false;
	if (strstr(name, "long long"))
		return true;
	for (size_t i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++)
		if (!strcmp(name, kernel[i]))
			return true;
	return false;
}

/*
 * The C type a value has in arithmetic: its type after the integer
 * promotions. char, short, bool and bitfields narrower than int become int
 * (a 32-bit bitfield keeps its signedness, a wider one its declared type,
 * as clang does); enums are their underlying type (size and BTF sign);
 * pointers and arrays (which decay) are unsigned long; floats are read as
 * long (arithmetic here is integer only).
 */
unsigned expr__promoted(const struct value *v)
{
	const struct btf_type *t;
	unsigned bits;
	bool sign;

	if (!v->btf)
		return v->ctype < EXPR_NR_CTYPES ? v->ctype : EXPR_LLONG;
	t = v->slice_len ? NULL : expr__vtype(v, NULL);
	if (!t || btf_is_ptr(t) || btf_is_array(t))
		return EXPR_ULONG;
	if (btf_is_float(t))
		return EXPR_LONG;
	if (btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_BOOL))
		return EXPR_INT;
	sign = expr__is_signed_type(t);
	bits = btf_is_int(t) ? btf_int_bits(t) : t->size * 8;
	if (v->bitfield && v->bitfield < bits)
		bits = v->bitfield;
	if (bits < 32)
		return EXPR_INT;
	if (bits == 32 || t->size <= 4)
		return sign ? EXPR_INT : EXPR_UINT;
	if (btf_is_int(t) && is_long_long(v->btf, t))
		return sign ? EXPR_LLONG : EXPR_ULLONG;
	return sign ? EXPR_LONG : EXPR_ULONG;
}

/*
 * C's usual arithmetic conversions on two promoted types: the same
 * signedness takes the higher rank; else the unsigned type when its rank
 * is not lower; else the signed type when it holds every value of the
 * unsigned one (wider); else the unsigned type of the signed one's rank.
 */
unsigned expr__common_ctype(unsigned a, unsigned b)
{
	unsigned u, sg;

	if (a == b)
		return a;
	if (ctypes[a].sign == ctypes[b].sign)
		return ctypes[a].rank >= ctypes[b].rank ? a : b;
	u = ctypes[a].sign ? b : a;
	sg = ctypes[a].sign ? a : b;
	if (ctypes[u].rank >= ctypes[sg].rank)
		return u;
	if (ctypes[sg].bits > ctypes[u].bits)
		return sg;
	for (unsigned i = 0; i < EXPR_NR_CTYPES; i++)
		if (!ctypes[i].sign && ctypes[i].rank == ctypes[sg].rank)
			return i;
	return u;
}

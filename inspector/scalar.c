// SPDX-License-Identifier: GPL-2.0
/*
 * scalar: one scalar of the formatter decoded from its bytes into text:
 * integers of any width (128-bit too), bitfields, bools, chars, enums
 * (their enumerator, else the number) and floats; and what a pointer value
 * that leads outside the arena probably is (a list poison value).
 * Pointers themselves are the walk's (format.c): they need the arena.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "format_int.h"
#include "poison.h"

const char *fmt_poison_note(uint64_t p)
{
	if (poison__find(p))
		return "poison";
	if (p < 0x10000)
		return "bad pointer";
	return NULL;
}

static void fmt_char(uint8_t ch, char *buf, size_t len)
{
	switch (ch) {
	case '\0': snprintf(buf, len, "'\\0'"); return;
	case '\n': snprintf(buf, len, "'\\n'"); return;
	case '\t': snprintf(buf, len, "'\\t'"); return;
	case '\r': snprintf(buf, len, "'\\r'"); return;
	case '\'': snprintf(buf, len, "'\\''"); return;
	case '\\': snprintf(buf, len, "'\\\\'"); return;
	}
	if (ch < 0x20 || ch >= 0x7f)
		snprintf(buf, len, "'\\x%02x'", ch);
	else
		snprintf(buf, len, "'%c'", ch);
}

static void u128_dec(unsigned __int128 v, bool neg, char *buf, size_t len)
{
	char tmp[48];
	int i = sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = '0' + (int)(v % 10);
		v /= 10;
	} while (v && i > 1);
	if (neg)
		tmp[--i] = '-';
	snprintf(buf, len, "%s", tmp + i);
}

static uint64_t get_bits(const uint8_t *b, uint32_t bitoff, uint32_t bits)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < bits && i < 64; i++) {
		uint32_t k = bitoff + i;

		v |= (uint64_t)((b[k / 8] >> (k % 8)) & 1) << i;
	}
	return v;
}

static uint64_t sext(uint64_t v, uint32_t bits)
{
	if (bits && bits < 64 && (v >> (bits - 1)) & 1)
		v |= ~0ULL << bits;
	return v;
}

bool fmt_is_char(const struct btf *btf, const struct btf_type *t)
{
	const char *n;

	if (!btf_is_int(t) || t->size != 1)
		return false;
	if (btf_int_encoding(t) & BTF_INT_CHAR)
		return true;
	n = btf__name_by_offset(btf, t->name_off);
	return n && !strcmp(n, "char");
}

enum sink_kind fmt_scalar(const struct btf *btf, const struct btf_type *t, const uint8_t *b,
			  uint32_t bitoff, uint32_t bitsz, char *text, size_t len, const char **out)
{
	uint64_t x = 0;
	uint32_t bits, off = bitoff;
	bool sign;

	*out = text;
	if (btf_is_float(t)) {
		double d;

		if (t->size == 4) {
			float f;

			memcpy(&f, b, 4);
			d = f;
		} else if (t->size == 8) {
			memcpy(&d, b, 8);
		} else {
			text[0] = '\0';
			for (uint32_t i = 0; i < t->size && i < 16; i++)
				snprintf(text + 2 * i, 3, "%02x", b[t->size - 1 - i]);
			return SK_STR;
		}
		if (isnan(d) || isinf(d)) {
			*out = isnan(d) ? "nan" : d > 0 ? "inf" : "-inf";
			return SK_STR;
		}
		snprintf(text, len, t->size == 4 ? "%.9g" : "%.17g", d);
		return SK_NUM;
	}
	if (btf_is_any_enum(t)) {
		bits = bitsz ? bitsz : t->size * 8;
		if (bits > 64 || t->size > 8)
			bits = 64;
		x = get_bits(b, off, bits);
		sign = btf_kflag(t);
		if (sign)
			x = sext(x, bits);
		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t);

			for (int i = 0; i < btf_vlen(t); i++, e++) {
				uint64_t ev = sign ? (uint64_t)(int64_t)e->val
						   : (uint64_t)(uint32_t)e->val;

				if (ev == x || (bits < 64 && (ev & ((1ULL << bits) - 1)) ==
								     (x & ((1ULL << bits) - 1)))) {
					*out = btf__name_by_offset(btf, e->name_off);
					return SK_ENUM;
				}
			}
		} else {
			const struct btf_enum64 *e = btf_enum64(t);

			for (int i = 0; i < btf_vlen(t); i++, e++) {
				if (btf_enum64_value(e) == x) {
					*out = btf__name_by_offset(btf, e->name_off);
					return SK_ENUM;
				}
			}
		}
		snprintf(text, len, sign ? "%" PRId64 : "%" PRIu64, x);
		return SK_NUM;
	}
	/* integers */
	sign = btf_int_encoding(t) & BTF_INT_SIGNED;
	if (bitsz) {
		bits = bitsz;
	} else {
		bits = btf_int_bits(t);
		off += btf_int_offset(t);
	}
	if (bits > 64) {
		unsigned __int128 v = 0;

		memcpy(&v, b, t->size >= 16 ? 16 : t->size);
		if (sign && (__int128)v < 0)
			u128_dec(-v, true, text, len);
		else
			u128_dec(v, false, text, len);
		return SK_NUM;
	}
	x = get_bits(b, off, bits);
	if (sign)
		x = sext(x, bits);
	if (btf_int_encoding(t) & BTF_INT_BOOL && x <= 1) {
		*out = x ? "true" : "false";
		return SK_BOOL;
	}
	if (fmt_is_char(btf, t) && !bitsz) {
		fmt_char((uint8_t)x, text, len);
		return SK_CHAR;
	}
	snprintf(text, len, sign ? "%" PRId64 : "%" PRIu64, x);
	return SK_NUM;
}

bool fmt_scalar_bits(const struct btf_type *t, const uint8_t *b, uint32_t bitoff, uint32_t bitsz,
		     uint64_t *x, uint32_t *bits, bool *sign)
{
	uint32_t off = bitoff;

	if (btf_is_float(t)) {
		if (t->size != 4 && t->size != 8)
			return false;
		*x = 0;
		memcpy(x, b, t->size);
		*bits = t->size * 8;
		*sign = true;
		return true;
	}
	if (btf_is_any_enum(t)) {
		*bits = bitsz ? bitsz : t->size * 8;
		if (*bits > 64 || t->size > 8)
			*bits = 64;
		*sign = btf_kflag(t);
	} else if (btf_is_int(t)) {
		*sign = btf_int_encoding(t) & BTF_INT_SIGNED;
		if (bitsz) {
			*bits = bitsz;
		} else {
			*bits = btf_int_bits(t);
			off += btf_int_offset(t);
		}
		if (*bits > 64)
			return false;
	} else {
		return false;
	}
	*x = get_bits(b, off, *bits);
	return true;
}

bool fmt__format_ok(char f)
{
	return f && strchr("xduotcasz", f);
}

bool fmt__int_as(char f, uint64_t x, uint32_t bits, char *buf, size_t len)
{
	uint64_t mask = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
	char tmp[80];
	int i;

	if (!bits || bits > 64)
		return false;
	x &= mask;
	switch (f) {
	case 'x':
	case 'a': snprintf(buf, len, "0x%" PRIx64, x); return true;
	case 'z': snprintf(buf, len, "0x%0*" PRIx64, (int)((bits + 3) / 4), x); return true;
	case 'o': snprintf(buf, len, x ? "0%" PRIo64 : "0", x); return true;
	case 'u': snprintf(buf, len, "%" PRIu64, x); return true;
	case 'd': snprintf(buf, len, "%" PRId64, (int64_t)sext(x, bits)); return true;
	case 't':
		/* binary without leading zeros, as GDB */
		i = sizeof(tmp) - 1;
		tmp[i] = '\0';
		do {
			tmp[--i] = '0' + (x & 1);
			x >>= 1;
		} while (x);
		snprintf(buf, len, "%s", tmp + i);
		return true;
	case 'c': {
		/* GDB casts to char (signed here, as on x86) and shows both */
		char ch[16];

		fmt_char((uint8_t)x, ch, sizeof(ch));
		snprintf(buf, len, "%d %s", (int)(int8_t)(uint8_t)x, ch);
		return true;
	}
	}
	return false;
}

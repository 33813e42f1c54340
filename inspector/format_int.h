/* SPDX-License-Identifier: GPL-2.0 */
/* format's own: the scalar decoder (scalar.c) the walk (format.c) uses. */
#ifndef ARENA_INSPECT_FORMAT_INT_H
#define ARENA_INSPECT_FORMAT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sink.h"

struct btf;
struct btf_type;

/* The scalar of type t (not a pointer) at b, bitoff/bitsz for a bitfield
 * (bitsz 0: not one), as text: *out is text (len bytes) or a string of the
 * BTF or a constant. Returns its kind. */
enum sink_kind fmt_scalar(const struct btf *btf, const struct btf_type *t, const uint8_t *b,
			  uint32_t bitoff, uint32_t bitsz, char *text, size_t len,
			  const char **out);
/* The bits of the scalar of type t at b (as fmt_scalar takes it) for a
 * print format: integers, bools, chars and enums their value, floats
 * their representation (GDB's /x reinterprets them). *bits: the width,
 * *sign: a signed type. false: no bits to show (a 128-bit integer, an odd
 * float size). */
bool fmt_scalar_bits(const struct btf_type *t, const uint8_t *b, uint32_t bitoff, uint32_t bitsz,
		     uint64_t *x, uint32_t *bits, bool *sign);
/* "poison" for a value of poison.h's table, "bad pointer" for a small one, or NULL */
const char *fmt_poison_note(uint64_t p);
/* A char (1-byte int named char, or with the char encoding)? */
bool fmt_is_char(const struct btf *btf, const struct btf_type *t);

#endif

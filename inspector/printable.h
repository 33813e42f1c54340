/* SPDX-License-Identifier: GPL-2.0 */
/*
 * printable: strings that come from files or the kernel (arena and program
 * names, owner comm, root names, BTF type/member/enumerator names, char
 * arrays, snapshot fields, file names in messages) made safe to show on a
 * terminal. A snapshot is just a file: its names may hold ESC[2J, an OSC
 * title or clipboard write (ESC]52;...BEL), or bytes that are not UTF-8.
 *
 * The printable form keeps valid, printable UTF-8 as it is and writes
 * everything else as a C escape, so it stays readable and says which bytes
 * were there:
 *  - C0 controls and DEL: \n \t \r, else \xNN (ESC is \x1b)
 *  - bytes that are not part of valid UTF-8 (stray continuation, overlong,
 *    surrogate, > U+10FFFF, cut short): \xNN, one per byte
 *  - C1 controls U+0080..U+009F (a CSI on some terminals) and the invisible
 *    line and direction controls (U+061C, U+200E/F, U+2028..U+202E,
 *    U+2066..U+2069): \uXXXX
 * The text sink (inspector/sink.c) and the TUI's drawing primitive
 * (ui/tui_draw.c draw_strn) pass every string through here, so no caller
 * can forget; the JSON writer escapes the same characters as \u00XX.
 */
#ifndef ARENA_INSPECT_PRINTABLE_H
#define ARENA_INSPECT_PRINTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	AI_PR_QUOTE = 1 << 0, /* inside "...": also \" and \\ */
	AI_PR_LINES = 1 << 1, /* keep \n and \t (text laid out by the tool) */
};

typedef void (*ai_write_fn)(void *ctx, const char *buf, size_t len);

/* Length of the valid UTF-8 sequence at s (at most n bytes), its code
 * point in *cp; 0 when s does not start one (strict: no overlong forms,
 * surrogates or values past U+10FFFF). */
size_t ai_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

/* Code points a terminal must not get raw even though they are valid
 * UTF-8: C0, DEL, C1 and the invisible line/direction controls. */
bool ai_cp_is_control(uint32_t cp);

/* The printable form of s[0, n) through w. */
void ai_printable_write(ai_write_fn w, void *ctx, const char *s, size_t n, unsigned flags);

/* The printable form of s[0, n) into buf (NUL-terminated, never cut inside
 * an escape or a UTF-8 sequence). Returns the length the whole form needs,
 * as snprintf does: >= len means it was cut. */
size_t ai_printable(char *buf, size_t len, const char *s, size_t n, unsigned flags);

/* Printable copy of the C string s (NULL: NULL), malloc'ed; NULL when out
 * of memory. */
char *ai_printable_dup(const char *s, unsigned flags);

/* Does s (a C string) print as itself? */
bool ai_is_printable(const char *s, unsigned flags);

/* The value of a hex digit (either case), -1 for any other character:
 * the one digit reader of expressions, search patterns and the remote
 * protocol. */
static inline int ai_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif

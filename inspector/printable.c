// SPDX-License-Identifier: GPL-2.0
/* printable: names and contents from files or the kernel, safe for a terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "printable.h"

size_t ai_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len;

	if (!n)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0; /* continuation byte, overlong lead (c0, c1) or > f4 */
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool ai_cp_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The escape for one character (cp valid) or one bad byte (cp = -1). */
static size_t escape(char *out, uint32_t cp, unsigned char byte, bool bad, unsigned flags)
{
	if (bad)
		return (size_t)snprintf(out, 8, "\\x%02x", byte);
	switch (cp) {
	case '\n': return flags & AI_PR_LINES ? (out[0] = '\n', 1) : (memcpy(out, "\\n", 2), 2);
	case '\t': return flags & AI_PR_LINES ? (out[0] = '\t', 1) : (memcpy(out, "\\t", 2), 2);
	case '\r': memcpy(out, "\\r", 2); return 2;
	}
	if (cp < 0x80)
		return (size_t)snprintf(out, 8, "\\x%02x", (unsigned)cp);
	return (size_t)snprintf(out, 8, "\\u%04x", (unsigned)cp);
}

void ai_printable_write(ai_write_fn w, void *ctx, const char *str, size_t n, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0, i = 0;

	/* runs of bytes that print as themselves go out in one piece */
	while (i < n) {
		uint32_t cp = 0;
		size_t l = ai_utf8_next(s + i, n - i, &cp);
		char esc[8];
		size_t el;

		if (l && !ai_cp_is_control(cp) &&
		    !((flags & AI_PR_QUOTE) && (cp == '"' || cp == '\\'))) {
			i += l;
			continue;
		}
		if (i > run)
			w(ctx, str + run, i - run);
		if (!l) {
			el = escape(esc, 0, s[i], true, flags);
			l = 1;
		} else if (cp == '"' || cp == '\\') {
			esc[0] = '\\';
			esc[1] = (char)cp;
			el = 2;
		} else {
			el = escape(esc, cp, 0, false, flags);
		}
		w(ctx, esc, el);
		i += l;
		run = i;
	}
	if (i > run)
		w(ctx, str + run, i - run);
}

struct bufw {
	char *buf;
	size_t len, used;
	bool cut;
};

/* keeps whole pieces only: a piece is one escape, one character or a run */
static void buf_write(void *ctx, const char *s, size_t n)
{
	struct bufw *b = ctx;

	if (!b->cut && b->used + n < b->len) {
		memcpy(b->buf + b->used, s, n);
		b->used += n;
		return;
	}
	/* a run that does not fit: take its whole characters that do */
	while (!b->cut && n) {
		uint32_t cp;
		size_t l = ai_utf8_next((const unsigned char *)s, n, &cp);

		if (!l)
			l = 1;
		if (b->used + l >= b->len)
			break;
		memcpy(b->buf + b->used, s, l);
		b->used += l;
		s += l;
		n -= l;
	}
	b->cut = true;
}

static void count_write(void *ctx, const char *s, size_t n)
{
	(void)s;
	*(size_t *)ctx += n;
}

size_t ai_printable(char *buf, size_t len, const char *s, size_t n, unsigned flags)
{
	struct bufw b = { .buf = buf, .len = len };
	size_t need = 0;

	ai_printable_write(count_write, &need, s, n, flags);
	if (!len)
		return need;
	ai_printable_write(buf_write, &b, s, n, flags);
	buf[b.used] = '\0';
	return need;
}

char *ai_printable_dup(const char *s, unsigned flags)
{
	size_t n, need;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s);
	need = ai_printable(NULL, 0, s, n, flags);
	d = malloc(need + 1);
	if (d)
		ai_printable(d, need + 1, s, n, flags);
	return d;
}

bool ai_is_printable(const char *s, unsigned flags)
{
	size_t n = strlen(s);

	return ai_printable(NULL, 0, s, n, flags) == n;
}

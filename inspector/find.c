// SPDX-License-Identifier: GPL-2.0
/*
 * find: the byte search under the TUI's / and ? (find.h). Pages are read one
 * at a time, with the first bytes of the next one when it is allocated too,
 * so a match across a page edge is found; pages that are not allocated are
 * skipped without a read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "find.h"
#include "printable.h"

/* 0x and 1-16 hex digits: the value in its width */
static bool parse_value(const char *text, struct find_pat *fp)
{
	const char *d = text + 2;
	size_t nd = strlen(d);
	uint64_t x = 0;

	if (strncasecmp(text, "0x", 2) || !nd || nd > 16)
		return false;
	for (size_t i = 0; i < nd; i++) {
		if (ai_hexval(d[i]) < 0)
			return false;
		x = x << 4 | ai_hexval(d[i]);
	}
	fp->len = nd <= 2 ? 1 : nd <= 4 ? 2 : nd <= 8 ? 4 : 8;
	fp->align = fp->len;
	fp->value = true;
	switch (fp->len) {
	case 1: fp->bytes[0] = (uint8_t)x; break;
	case 2: {
		uint16_t v = x;

		memcpy(fp->bytes, &v, 2);
		break;
	}
	case 4: {
		uint32_t v = x;

		memcpy(fp->bytes, &v, 4);
		break;
	}
	default: memcpy(fp->bytes, &x, 8); break;
	}
	return true;
}

int find__parse(const char *text, struct find_pat *fp)
{
	size_t n = 0;

	memset(fp, 0, sizeof(*fp));
	fp->align = 1;
	if (!text || !*text)
		return ai_err(-EINVAL, "empty search pattern");
	if (parse_value(text, fp))
		return 0;
	if (!strncasecmp(text, "0x", 2) && strlen(text) > 18 &&
	    strspn(text + 2, "0123456789abcdefABCDEF") == strlen(text + 2))
		return ai_err(-EINVAL, "%s: a value is at most 16 hex digits (64 bits)", text);
	for (const char *p = text; *p; p++) {
		int c = (unsigned char)*p;

		if (n == FIND_MAX_LEN)
			return ai_err(-EINVAL, "search pattern longer than %d bytes", FIND_MAX_LEN);
		if (c == '\\' && p[1] == '\\') {
			p++;
		} else if (c == '\\' && p[1] == 'x') {
			int hi = p[2] ? ai_hexval(p[2]) : -1,
			    lo = hi >= 0 && p[3] ? ai_hexval(p[3]) : -1;

			if (hi < 0 || lo < 0)
				return ai_err(-EINVAL, "\\x needs two hex digits (\\xde) in '%s'",
					      text);
			c = hi << 4 | lo;
			p += 3;
		}
		fp->bytes[n++] = (uint8_t)c;
	}
	fp->len = n;
	return 0;
}

static int state_of(const struct pagemap *pm, uint64_t pg)
{
	return pg < pm->nr_pages ? pm->state[pg] : PAGE_FREE;
}

void find__mark(const struct find_pat *fp, uint64_t addr, const uint8_t *buf, size_t len,
		uint8_t *mask)
{
	if (!fp->len)
		return;
	for (size_t i = 0; i + fp->len <= len; i++) {
		if ((addr + i) % fp->align || memcmp(buf + i, fp->bytes, fp->len))
			continue;
		memset(mask + i, 1, fp->len);
	}
}

int find__next(struct source *src, const struct pagemap *pm, uint64_t from, int dir,
	       const struct find_pat *fp, uint32_t max_pages, uint64_t *at)
{
	uint64_t psz = source__page_size(src), base = src->info.user_vm_start;
	uint64_t np = src->info.max_pages, start, pg;
	size_t nlen = fp->len;
	bool wrapped = false, skip;
	uint32_t reads = 0;
	uint8_t *buf;

	if (!nlen || nlen > psz)
		return ai_err(-EINVAL, "search pattern of %zu bytes", nlen);
	/* just before the first byte or just past the last one: where a
	 * FIND_MORE at the first or last page says to go on from */
	if (np && dir > 0 && from == base - 1)
		start = 0;
	else if (np && dir < 0 && from == base + np * psz)
		start = np - 1;
	else if (np && source__contains(src, from, 1))
		start = (from - base) / psz;
	else
		return ai_err(-EINVAL, "0x%llx is outside the arena", (unsigned long long)from);
	buf = malloc(psz + nlen);
	if (!buf)
		return ai_err(-ENOMEM, "out of memory");
	pg = start;
	/* from at the far edge of its page (where FIND_MORE says to go on):
	 * nothing of that page comes after it, so it is not read (and not
	 * counted) until the search comes round to it again */
	skip = source__contains(src, from, 1) &&
	       (dir > 0 ? (from - base) % psz == psz - 1 : (from - base) % psz == 0);
	for (uint64_t visit = 0; visit <= np; visit++) {
		uint64_t pa = base + pg * psz;

		if (state_of(pm, pg) == PAGE_ALLOCATED && !(visit == 0 && skip)) {
			uint8_t present[2] = {};
			size_t len = psz;

			if (reads++ == max_pages) {
				/* strictly after/before this: the page itself is next */
				*at = dir > 0 ? pa - 1 : pa + psz;
				free(buf);
				return FIND_MORE;
			}
			/* a little of the next page, for matches across the edge */
			if (pg + 1 < np && state_of(pm, pg + 1) == PAGE_ALLOCATED)
				len += nlen - 1;
			if (source__read(src, pa, buf, len, present) >= 0 && present[0]) {
				int64_t last = (int64_t)(len > psz && !present[1] ? psz : len) -
					       (int64_t)nlen;

				for (int64_t i = dir > 0 ? 0 : last; i >= 0 && i <= last;
				     i += dir) {
					uint64_t a = pa + i;
					bool ok = !wrapped ? (dir > 0 ? a > from : a < from)
							   : pg != start || (dir > 0 ? a <= from
										     : a >= from);

					if (!ok || a % fp->align ||
					    memcmp(buf + i, fp->bytes, nlen))
						continue;
					*at = a;
					free(buf);
					return wrapped ? FIND_WRAPPED : FIND_FOUND;
				}
			}
		}
		if (wrapped && pg == start)
			break;
		if (dir > 0 && pg + 1 == np) {
			pg = 0;
			wrapped = true;
		} else if (dir < 0 && pg == 0) {
			pg = np - 1;
			wrapped = true;
		} else {
			pg += dir;
		}
	}
	free(buf);
	return FIND_NONE;
}

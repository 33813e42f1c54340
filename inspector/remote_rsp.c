// SPDX-License-Identifier: GPL-2.0
/*
 * remote_rsp: GDB remote protocol framing, shared by the stub and the
 * client. Pure byte handling: no I/O, so the fuzzer drives it directly.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "printable.h"
#include "remote.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { ST_IDLE, ST_BODY, ST_SUM1, ST_SUM2 };

/*
 * Word-at-a-time helpers: a memory read's bytes pass through the checksum
 * and the escaping on both ends, so those run eight bytes a step (the
 * profile of a 4 MiB read had them as the largest costs, a byte a step).
 */
#define ONES 0x0101010101010101ull
#define LO16 0x00ff00ff00ff00ffull

/* a high bit in each byte of v that is zero (and maybe above one: only
 * "is there one" is asked) */
static inline uint64_t zero_bytes(uint64_t v)
{
	return (v - ONES) & ~v & (ONES << 7);
}

uint8_t rsp_sum(const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t total = 0;
	size_t i = 0;

#ifdef __SSE2__
	{
		/* psadbw: the sum of each 8 bytes, 16 bytes a step */
		__m128i acc = _mm_setzero_si128(), zero = _mm_setzero_si128();

		for (; n - i >= 16; i += 16)
			acc = _mm_add_epi64(
				acc, _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(p + i)), zero));
		total = (uint64_t)_mm_cvtsi128_si64(acc) +
			(uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc));
	}
#endif
	while (n - i >= 8) {
		/* four 16-bit lanes, each gaining at most 510 a word: 128 words
		 * before they could carry into each other */
		size_t words = (n - i) / 8 < 128 ? (n - i) / 8 : 128;
		uint64_t acc = 0;

		for (size_t k = 0; k < words; k++, i += 8) {
			uint64_t x;

			memcpy(&x, p + i, 8);
			acc += (x & LO16) + ((x >> 8) & LO16);
		}
		total += (acc & 0xffff) + (acc >> 16 & 0xffff) + (acc >> 32 & 0xffff) + (acc >> 48);
	}
	for (; i < n; i++)
		total += p[i];
	return (uint8_t)total;
}

void rsp_parser__init(struct rsp_parser *p)
{
	p->state = ST_IDLE;
	p->len = 0;
	p->sum = p->want = 0;
	p->oversize = false;
	p->zc_scan = 0;
	p->zc_sum = 0;
}

enum rsp_event rsp_parser__feed(struct rsp_parser *p, uint8_t c)
{
	int v;

	switch (p->state) {
	case ST_IDLE:
		if (c == '$') {
			p->state = ST_BODY;
			p->len = 0;
			p->sum = 0;
			p->oversize = false;
			return RSP_NONE;
		}
		if (c == '+')
			return RSP_ACK;
		if (c == '-')
			return RSP_NAK;
		if (c == 0x03)
			return RSP_BREAK;
		return RSP_NONE;
	case ST_BODY:
		if (c == '#') {
			p->state = ST_SUM1;
			return RSP_NONE;
		}
		if (c == '$') { /* '$' is never raw in a body: a new packet */
			p->len = 0;
			p->sum = 0;
			p->oversize = false;
			return RSP_NONE;
		}
		p->sum += c;
		/* keep counting (and summing) past the limit, but store nothing:
		 * the packet is answered as too long once its end arrives */
		if (p->len < RSP_PACKET_MAX)
			p->buf[p->len++] = c;
		else
			p->oversize = true;
		return RSP_NONE;
	case ST_SUM1:
		v = ai_hexval(c);
		p->want = v < 0 ? 0 : v << 4;
		p->state = v < 0 ? ST_IDLE : ST_SUM2;
		return v < 0 ? RSP_BADSUM : RSP_NONE;
	default:
		p->state = ST_IDLE;
		v = ai_hexval(c);
		if (v < 0 || (uint8_t)(p->want | v) != p->sum)
			return RSP_BADSUM;
		if (p->oversize)
			return RSP_OVERSIZE;
		p->buf[p->len] = '\0';
		return RSP_PACKET;
	}
}

/*
 * The plain body run at the start of b[0, n): up to the first '#' or '$'
 * (or n); *sum gains its bytes. One pass for finding the end and summing.
 */
static size_t body_run(const uint8_t *b, size_t n, uint8_t *sum)
{
	size_t k = 0;
	uint8_t s = 0;

#ifdef __SSE2__
	{
		const __m128i h = _mm_set1_epi8('#'), d = _mm_set1_epi8('$'),
			      zero = _mm_setzero_si128();
		__m128i acc = zero;

		for (; n - k >= 16; k += 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)(b + k));

			if (_mm_movemask_epi8(
				    _mm_or_si128(_mm_cmpeq_epi8(x, h), _mm_cmpeq_epi8(x, d))))
				break;
			acc = _mm_add_epi64(acc, _mm_sad_epu8(x, zero));
		}
		s = (uint8_t)(_mm_cvtsi128_si64(acc) +
			      _mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc)));
	}
	for (; k < n && b[k] != '#' && b[k] != '$'; k++)
		s += b[k];
#else
	{
		const uint8_t *hh = memchr(b, '#', n), *dd;

		k = hh ? (size_t)(hh - b) : n;
		dd = memchr(b, '$', k);
		if (dd)
			k = dd - b;
		s = rsp_sum(b, k);
	}
#endif
	*sum += s;
	return k;
}

enum rsp_event rsp_parser__feed_buf(struct rsp_parser *p, const uint8_t *buf, size_t n,
				    size_t *used)
{
	size_t i = 0;

	while (i < n) {
		enum rsp_event ev;

		if (p->state == ST_BODY) {
			/* the run up to the next '#' or '$' is plain body */
			size_t j = i + body_run(buf + i, n - i, &p->sum), room, take;

			room = p->len < RSP_PACKET_MAX ? RSP_PACKET_MAX - p->len : 0;
			take = j - i < room ? j - i : room;
			if (j - i > room)
				p->oversize = true;
			memcpy(p->buf + p->len, buf + i, take);
			p->len += take;
			i = j;
			if (i == n)
				break;
		}
		ev = rsp_parser__feed(p, buf[i++]);
		if (ev != RSP_NONE) {
			*used = i;
			return ev;
		}
	}
	*used = i;
	return RSP_NONE;
}

enum rsp_event rsp_parser__feed_zc(struct rsp_parser *p, const uint8_t *buf, size_t n, size_t *used,
				   const uint8_t **body, size_t *len)
{
	size_t i = 0;

	*body = NULL;
	*len = 0;
	while (i < n) {
		enum rsp_event ev;
		size_t k, u;
		uint8_t sum;
		int h1, h2;

		if (p->state != ST_IDLE) {
			/* a packet too long to keep in place: copied, as feed_buf does */
			ev = rsp_parser__feed_buf(p, buf + i, n - i, &u);
			i += u;
			if (ev != RSP_NONE) {
				*used = i;
				return ev;
			}
			continue;
		}
		if (buf[i] != '$') {
			ev = rsp_parser__feed(p, buf[i++]);
			if (ev != RSP_NONE) {
				*used = i;
				return ev;
			}
			continue;
		}
		/* a packet at i: its body scanned where it lies, from where an
		 * earlier call stopped */
		k = i + 1 + p->zc_scan;
		sum = p->zc_sum;
		k += body_run(buf + k, n - k, &sum);
		if (k - i - 1 > RSP_PACKET_MAX) {
			p->zc_scan = p->zc_sum = 0;
			ev = rsp_parser__feed_buf(p, buf + i, n - i, &u);
			i += u;
			if (ev != RSP_NONE) {
				*used = i;
				return ev;
			}
			continue;
		}
		if (k < n && buf[k] == '$') { /* a new packet: this one was cut */
			p->zc_scan = p->zc_sum = 0;
			i = k;
			continue;
		}
		/* the same events, with the same bytes taken, as byte by byte:
		 * a first checksum byte that is no digit is the end already */
		h1 = n - k >= 2 ? ai_hexval(buf[k + 1]) : 0;
		if (h1 < 0) {
			p->zc_scan = p->zc_sum = 0;
			*used = k + 2;
			return RSP_BADSUM;
		}
		if (n - k < 3) { /* not complete yet: wait with it at the start */
			p->zc_scan = k - i - 1;
			p->zc_sum = sum;
			*used = i;
			return RSP_NONE;
		}
		p->zc_scan = p->zc_sum = 0;
		h2 = ai_hexval(buf[k + 2]);
		*used = k + 3;
		if (h2 < 0 || (uint8_t)(h1 << 4 | h2) != sum)
			return RSP_BADSUM;
		*body = buf + i + 1;
		*len = k - i - 1;
		return RSP_PACKET;
	}
	*used = i;
	return RSP_NONE;
}

static bool buf_reserve(struct rsp_buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void rsp_buf__put(struct rsp_buf *b, const void *data, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void rsp_buf__printf(struct rsp_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_reserve(b, n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

static bool needs_escape(uint8_t c)
{
	/* '#' 0x23, '$' 0x24, '*' 0x2a, '}' 0x7d: one compare for most bytes */
	return (c & 0x50) == 0 ? (c == '#' || c == '$' || c == '*') : c == '}';
}

/* How many leading bytes of p[0, n) need no escape; *sum gains theirs
 * (the checksum of the reply, taken in the same pass) */
static size_t plain_run(const uint8_t *p, size_t n, uint8_t *sum)
{
	size_t k = 0, k0 = 0;

#ifdef __SSE2__
	{
		const __m128i a = _mm_set1_epi8('#'), b = _mm_set1_epi8('$'),
			      c = _mm_set1_epi8('*'), d = _mm_set1_epi8('}'),
			      zero = _mm_setzero_si128();
		__m128i acc = zero;

		for (; n - k >= 16; k += 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)(p + k));
			__m128i m = _mm_or_si128(
				_mm_or_si128(_mm_cmpeq_epi8(x, a), _mm_cmpeq_epi8(x, b)),
				_mm_or_si128(_mm_cmpeq_epi8(x, c), _mm_cmpeq_epi8(x, d)));

			if (_mm_movemask_epi8(m))
				break;
			acc = _mm_add_epi64(acc, _mm_sad_epu8(x, zero));
		}
		*sum += (uint8_t)(_mm_cvtsi128_si64(acc) +
				  _mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc)));
		k0 = k;
	}
#endif
	for (; n - k >= 8; k += 8) {
		uint64_t x;

		memcpy(&x, p + k, 8);
		if (zero_bytes(x ^ ('#' * ONES)) | zero_bytes(x ^ ('$' * ONES)) |
		    zero_bytes(x ^ ('*' * ONES)) | zero_bytes(x ^ ('}' * ONES)))
			break; /* one of these 8: find it a byte at a time */
	}
	while (k < n && !needs_escape(p[k]))
		k++;
	*sum += rsp_sum(p + k0, k - k0);
	return k;
}

size_t rsp_buf__put_escaped(struct rsp_buf *b, const uint8_t *data, size_t n, size_t max)
{
	uint8_t sum = 0;

	return rsp_buf__put_escaped_sum(b, data, n, max, &sum);
}

size_t rsp_buf__put_escaped_sum(struct rsp_buf *b, const uint8_t *data, size_t n, size_t max,
				uint8_t *sum)
{
	size_t i = 0, out = 0;

	if (!buf_reserve(b, n * 2 < max ? n * 2 : max))
		return 0;
	while (i < n && out < max) {
		size_t j = i + plain_run(data + i, n - i < max - out ? n - i : max - out, sum);

		/* a run of bytes that need no escape, copied at once */
		memcpy(b->p + b->len, data + i, j - i);
		b->len += j - i;
		out += j - i;
		i = j;
		if (i == n || out + 2 > max)
			break;
		if (out == max)
			break;
		b->p[b->len++] = '}';
		b->p[b->len++] = data[i] ^ 0x20;
		*sum += '}' + (data[i++] ^ 0x20);
		out += 2;
	}
	b->p[b->len] = '\0';
	return i;
}

size_t rsp_unescape(char *s, size_t n)
{
	char *e = memchr(s, '}', n);
	size_t o, i;

	if (!e)
		return n;
	o = i = e - s;
	while (i < n) {
		char *f;
		size_t run;

		/* s[i] is '}' */
		if (++i == n)
			break;
		s[o++] = s[i++] ^ 0x20;
		f = memchr(s + i, '}', n - i);
		run = (f ? (size_t)(f - s) : n) - i;
		memmove(s + o, s + i, run);
		o += run;
		i += run;
	}
	return o;
}

size_t rsp_unescape_to(uint8_t *dst, size_t want, const char *src, size_t n, size_t *used)
{
	size_t o = 0, i = 0;

	while (o < want && i < n) {
		/* no further than the bytes still wanted: a page's bytes are
		 * found without scanning the rest of the reply */
		size_t lim = n - i < want - o ? n - i : want - o;
		const char *e = memchr(src + i, '}', lim);
		size_t run = e ? (size_t)(e - (src + i)) : lim;

		memcpy(dst + o, src + i, run);
		o += run;
		i += run;
		if (o == want || i == n)
			break;
		/* src[i] is '}' */
		if (i + 1 == n) {
			i = n; /* a trailing '}' escapes nothing: dropped */
			break;
		}
		dst[o++] = src[i + 1] ^ 0x20;
		i += 2;
	}
	*used = i;
	return o;
}

void rsp_frame_end(struct rsp_buf *b, uint8_t sum)
{
	static const char hex[] = "0123456789abcdef";
	char tail[3] = { '#', hex[sum >> 4], hex[sum & 15] };

	rsp_buf__put(b, tail, 3);
}

void rsp_frame_in_place(struct rsp_buf *b, size_t body)
{
	rsp_frame_end(b, rsp_sum(b->p + body, b->len - body));
}

void rsp_frame(struct rsp_buf *out, const char *body, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t sum = rsp_sum(body, len);
	char tail[3];

	rsp_buf__put(out, "$", 1);
	rsp_buf__put(out, body, len);
	tail[0] = '#';
	tail[1] = hex[sum >> 4];
	tail[2] = hex[sum & 15];
	rsp_buf__put(out, tail, 3);
}

int rsp_parse_hex(const char *s, const char *lim, const char *stop, uint64_t *v, const char **end)
{
	uint64_t x = 0;
	const char *p = s;

	for (; p < lim && !(stop && *p && strchr(stop, *p)); p++) {
		int d = ai_hexval((uint8_t)*p);

		if (d < 0 || x >> 60)
			return -EINVAL;
		x = x << 4 | d;
	}
	if (p == s)
		return -EINVAL;
	*v = x;
	if (end)
		*end = p;
	return 0;
}

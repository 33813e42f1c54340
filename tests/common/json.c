// SPDX-License-Identifier: GPL-2.0
/*
 * A strict recursive-descent JSON parser. Every read is checked against the
 * end of the input; nesting is bounded so hostile input cannot exhaust the
 * stack. The tree is a plain array-of-children layout.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct json {
	enum json_type type;
	bool b;
	bool is_int; /* integral literal that fits in long long */
	bool is_u64; /* integral, non-negative, fits in uint64_t */
	long long i;
	uint64_t u;
	double d;
	char *s; /* string value (NUL-terminated) */
	size_t slen;
	size_t n; /* children */
	size_t cap;
	struct json **kids;
	char **keys; /* objects only, parallel to kids */
};

struct parser {
	const char *p;
	const char *end;
	const char *start;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct parser *ps, const char *fmt, ...)
{
	int line = 1, col = 1;
	va_list ap;
	size_t off;

	if (ps->failed)
		return;
	ps->failed = true;
	if (!ps->err || !ps->errlen)
		return;
	for (const char *q = ps->start; q < ps->p && q < ps->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	off = snprintf(ps->err, ps->errlen, "line %d, col %d: ", line, col);
	if (off >= ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + off, ps->errlen - off, fmt, ap);
	va_end(ap);
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static struct json *node(struct parser *ps, enum json_type t)
{
	struct json *v = calloc(1, sizeof(*v));

	if (!v)
		fail(ps, "out of memory");
	else
		v->type = t;
	return v;
}

static int add_kid(struct parser *ps, struct json *parent, struct json *kid, char *key)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 4;
		struct json **k = realloc(parent->kids, cap * sizeof(*k));
		char **keys;

		if (!k) {
			fail(ps, "out of memory");
			return -1;
		}
		parent->kids = k;
		if (parent->type == JSON_OBJECT) {
			keys = realloc(parent->keys, cap * sizeof(*keys));
			if (!keys) {
				fail(ps, "out of memory");
				return -1;
			}
			parent->keys = keys;
		}
		parent->cap = cap;
	}
	parent->kids[parent->n] = kid;
	if (parent->type == JSON_OBJECT)
		parent->keys[parent->n] = key;
	parent->n++;
	return 0;
}

static struct json *parse_value(struct parser *ps, int depth);

static int hex4(struct parser *ps, unsigned int *out)
{
	unsigned int v = 0;

	if (ps->end - ps->p < 4) {
		fail(ps, "truncated \\u escape");
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		char c = *ps->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else {
			ps->p--;
			fail(ps, "bad hex digit in \\u escape");
			return -1;
		}
	}
	*out = v;
	return 0;
}

/* length of a valid UTF-8 sequence starting at p (first byte >= 0x80), 0 if invalid */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned int c = p[0], cp;
	int n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (end - p < n)
		return 0;
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

static void put_utf8(char *buf, size_t *len, unsigned int cp)
{
	if (cp < 0x80) {
		buf[(*len)++] = cp;
	} else if (cp < 0x800) {
		buf[(*len)++] = 0xc0 | (cp >> 6);
		buf[(*len)++] = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		buf[(*len)++] = 0xe0 | (cp >> 12);
		buf[(*len)++] = 0x80 | ((cp >> 6) & 0x3f);
		buf[(*len)++] = 0x80 | (cp & 0x3f);
	} else {
		buf[(*len)++] = 0xf0 | (cp >> 18);
		buf[(*len)++] = 0x80 | ((cp >> 12) & 0x3f);
		buf[(*len)++] = 0x80 | ((cp >> 6) & 0x3f);
		buf[(*len)++] = 0x80 | (cp & 0x3f);
	}
}

/* parses a string at ps->p (on the opening quote); the decoded text is never
 * longer than the source, so one allocation of the source length is enough */
static char *parse_string(struct parser *ps, size_t *outlen)
{
	const char *q;
	size_t len = 0;
	char *buf;

	ps->p++; /* the quote */
	for (q = ps->p; q < ps->end && *q != '"'; q++)
		if (*q == '\\' && q + 1 < ps->end)
			q++;
	if (q >= ps->end) {
		fail(ps, "unterminated string");
		return NULL;
	}
	buf = malloc(q - ps->p + 1);
	if (!buf) {
		fail(ps, "out of memory");
		return NULL;
	}
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = *ps->p;

		if (c < 0x20) {
			fail(ps, "control character 0x%02x in string", c);
			goto bad;
		}
		if (c >= 0x80) {
			int n = utf8_len((const unsigned char *)ps->p,
					 (const unsigned char *)ps->end);

			if (!n) {
				fail(ps, "invalid UTF-8 in string");
				goto bad;
			}
			memcpy(buf + len, ps->p, n);
			len += n;
			ps->p += n;
			continue;
		}
		if (c != '\\') {
			buf[len++] = c;
			ps->p++;
			continue;
		}
		ps->p++;
		if (ps->p >= ps->end) {
			fail(ps, "truncated escape");
			goto bad;
		}
		switch (*ps->p++) {
		case '"': buf[len++] = '"'; break;
		case '\\': buf[len++] = '\\'; break;
		case '/': buf[len++] = '/'; break;
		case 'b': buf[len++] = '\b'; break;
		case 'f': buf[len++] = '\f'; break;
		case 'n': buf[len++] = '\n'; break;
		case 'r': buf[len++] = '\r'; break;
		case 't': buf[len++] = '\t'; break;
		case 'u': {
			unsigned int cp, lo;

			if (hex4(ps, &cp))
				goto bad;
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				fail(ps, "lone low surrogate in \\u escape");
				goto bad;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
					fail(ps, "high surrogate without a low one");
					goto bad;
				}
				ps->p += 2;
				if (hex4(ps, &lo))
					goto bad;
				if (lo < 0xdc00 || lo > 0xdfff) {
					fail(ps, "bad low surrogate in \\u escape");
					goto bad;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			put_utf8(buf, &len, cp);
			break;
		}
		default:
			ps->p--;
			fail(ps, "unknown escape '\\%c'", *ps->p);
			goto bad;
		}
	}
	ps->p++; /* the closing quote */
	buf[len] = '\0';
	*outlen = len;
	return buf;
bad:
	free(buf);
	return NULL;
}

static struct json *parse_number(struct parser *ps)
{
	const char *s = ps->p;
	bool integral = true;
	char tmp[512];
	struct json *v;
	size_t n;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
		fail(ps, "bad number");
		return NULL;
	}
	if (*ps->p == '0') {
		ps->p++;
		if (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
			fail(ps, "leading zero in number");
			return NULL;
		}
	} else {
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && *ps->p == '.') {
		integral = false;
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
			fail(ps, "digit expected after '.'");
			return NULL;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		integral = false;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
			fail(ps, "digit expected in exponent");
			return NULL;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	n = ps->p - s;
	if (n >= sizeof(tmp)) {
		fail(ps, "number too long");
		return NULL;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	v = node(ps, JSON_NUMBER);
	if (!v)
		return NULL;
	v->d = strtod(tmp, NULL);
	if (integral) {
		errno = 0;
		v->i = strtoll(tmp, NULL, 10);
		v->is_int = errno == 0;
		if (tmp[0] != '-') {
			errno = 0;
			v->u = strtoull(tmp, NULL, 10);
			v->is_u64 = errno == 0;
		} else if (v->is_int && v->i == 0) {
			v->is_u64 = true; /* "-0" */
		}
	}
	return v;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return false;
	ps->p += n;
	return true;
}

static struct json *parse_array(struct parser *ps, int depth)
{
	struct json *v = node(ps, JSON_ARRAY), *kid;

	if (!v)
		return NULL;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return v;
	}
	for (;;) {
		kid = parse_value(ps, depth + 1);
		if (!kid || add_kid(ps, v, kid, NULL)) {
			json_free(kid);
			json_free(v);
			return NULL;
		}
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return v;
		}
		fail(ps, "',' or ']' expected");
		json_free(v);
		return NULL;
	}
}

static struct json *parse_object(struct parser *ps, int depth)
{
	struct json *v = node(ps, JSON_OBJECT), *kid;
	size_t klen;
	char *key;

	if (!v)
		return NULL;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return v;
	}
	for (;;) {
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '"') {
			fail(ps, "member name (a string) expected");
			goto bad;
		}
		key = parse_string(ps, &klen);
		if (!key)
			goto bad;
		if (strlen(key) != klen || json_get(v, key)) {
			if (strlen(key) != klen)
				fail(ps, "NUL in member name");
			else
				fail(ps, "duplicate key \"%s\"", key);
			free(key);
			goto bad;
		}
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':') {
			free(key);
			fail(ps, "':' expected");
			goto bad;
		}
		ps->p++;
		kid = parse_value(ps, depth + 1);
		if (!kid || add_kid(ps, v, kid, key)) {
			json_free(kid);
			free(key);
			goto bad;
		}
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			return v;
		}
		fail(ps, "',' or '}' expected");
		goto bad;
	}
bad:
	json_free(v);
	return NULL;
}

static struct json *parse_value(struct parser *ps, int depth)
{
	struct json *v;

	if (depth > JSON_MAX_DEPTH) {
		fail(ps, "nested deeper than %d", JSON_MAX_DEPTH);
		return NULL;
	}
	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, "value expected, found the end");
		return NULL;
	}
	switch (*ps->p) {
	case '{': return parse_object(ps, depth);
	case '[': return parse_array(ps, depth);
	case '"':
		v = node(ps, JSON_STRING);
		if (v) {
			v->s = parse_string(ps, &v->slen);
			if (!v->s) {
				free(v);
				v = NULL;
			}
		}
		return v;
	case 't':
	case 'f':
		if (literal(ps, *ps->p == 't' ? "true" : "false")) {
			v = node(ps, JSON_BOOL);
			if (v)
				v->b = ps->p[-1] == 'e' && ps->p[-4] == 't';
			return v;
		}
		break;
	case 'n':
		if (literal(ps, "null"))
			return node(ps, JSON_NULL);
		break;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps);
		break;
	}
	fail(ps, "unexpected character '%c'", *ps->p);
	return NULL;
}

struct json *json_parse_len(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser ps = { .p = text, .start = text, .err = err, .errlen = errlen };
	struct json *v;

	if (err && errlen)
		err[0] = '\0';
	if (!text) {
		fail(&ps, "no input");
		return NULL;
	}
	ps.end = text + len; /* not before: NULL + 0 is undefined */
	if (len > JSON_MAX_INPUT) {
		fail(&ps, "input larger than %u bytes", JSON_MAX_INPUT);
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		ps.p = memchr(text, '\0', len);
		fail(&ps, "NUL byte in input");
		return NULL;
	}
	v = parse_value(&ps, 0);
	if (!v)
		return NULL;
	skip_ws(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "trailing characters after the value");
		json_free(v);
		return NULL;
	}
	return v;
}

struct json *json_parse(const char *text, char *err, size_t errlen)
{
	return json_parse_len(text, text ? strlen(text) : 0, err, errlen);
}

void json_free(struct json *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		json_free(v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->s);
	free(v);
}

enum json_type json_type(const struct json *v)
{
	return v ? v->type : JSON_NONE;
}

size_t json_len(const struct json *v)
{
	return v && (v->type == JSON_ARRAY || v->type == JSON_OBJECT) ? v->n : 0;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT || !key)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return obj->kids[i];
	return NULL;
}

const struct json *json_at(const struct json *v, size_t i)
{
	return i < json_len(v) ? v->kids[i] : NULL;
}

const char *json_key_at(const struct json *obj, size_t i)
{
	if (!obj || obj->type != JSON_OBJECT || i >= obj->n)
		return NULL;
	return obj->keys[i];
}

const struct json *json_path(const struct json *v, const char *path)
{
	char key[256];

	if (!path)
		return NULL;
	while (v && *path) {
		if (*path == '.') {
			path++;
			continue;
		}
		if (*path == '[') {
			char *end;
			unsigned long long i;

			if (path[1] < '0' || path[1] > '9')
				return NULL;
			i = strtoull(path + 1, &end, 10);
			if (*end != ']' || v->type != JSON_ARRAY)
				return NULL;
			v = json_at(v, i);
			path = end + 1;
			continue;
		}
		size_t n = strcspn(path, ".[");

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		v = json_get(v, key);
		path += n;
	}
	return v;
}

const char *json_str(const struct json *v)
{
	return v && v->type == JSON_STRING ? v->s : NULL;
}

size_t json_str_len(const struct json *v)
{
	return v && v->type == JSON_STRING ? v->slen : 0;
}

bool json_is_int(const struct json *v)
{
	return v && v->type == JSON_NUMBER && (v->is_int || v->is_u64);
}

long long json_int(const struct json *v, long long dflt)
{
	return v && v->type == JSON_NUMBER && v->is_int ? v->i : dflt;
}

uint64_t json_u64(const struct json *v, uint64_t dflt)
{
	const char *s;
	char *end;
	uint64_t u;

	if (!v)
		return dflt;
	if (v->type == JSON_NUMBER)
		return v->is_u64 ? v->u : dflt;
	if (v->type != JSON_STRING || !v->slen || v->slen != strlen(v->s))
		return dflt;
	s = v->s;
	if (s[0] == '-' || s[0] == '+' || s[0] == ' ')
		return dflt;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!s[2] || s[2] == '-' || s[2] == '+' || s[2] == ' ')
			return dflt;
		u = strtoull(s + 2, &end, 16);
	} else {
		u = strtoull(s, &end, 10);
	}
	return errno || *end ? dflt : u;
}

double json_num(const struct json *v, double dflt)
{
	return v && v->type == JSON_NUMBER ? v->d : dflt;
}

int json_bool(const struct json *v)
{
	return v && v->type == JSON_BOOL ? v->b : -1;
}

bool json_is_null(const struct json *v)
{
	return v && v->type == JSON_NULL;
}

// SPDX-License-Identifier: GPL-2.0
/* The loader's JSON writer: it only tracks commas and escapes strings. */
#include <string.h>
#include "fx_loader.h"

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

static void jw_sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma[w->depth])
		fputc(',', w->f);
	w->need_comma[w->depth] = true;
}

static void jw_open(struct jw *w, char c)
{
	jw_sep(w);
	fputc(c, w->f);
	if (w->depth < (int)sizeof(w->need_comma) - 1)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void jw_close(struct jw *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj(struct jw *w)
{
	jw_open(w, '{');
}

void jw_obj_end(struct jw *w)
{
	jw_close(w, '}');
}

void jw_arr(struct jw *w)
{
	jw_open(w, '[');
}

void jw_arr_end(struct jw *w)
{
	jw_close(w, ']');
}

static void jw_escaped(struct jw *w, const char *s, size_t max)
{
	fputc('"', w->f);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(w->f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(w->f, "\\u%04x", c);
		else
			fputc(c, w->f);
	}
	fputc('"', w->f);
}

void jw_key(struct jw *w, const char *key)
{
	jw_sep(w);
	jw_escaped(w, key, strlen(key));
	fputc(':', w->f);
	w->after_key = true;
}

void jw_str(struct jw *w, const char *s)
{
	jw_sep(w);
	jw_escaped(w, s, strlen(s));
}

void jw_strn(struct jw *w, const char *s, size_t max)
{
	jw_sep(w);
	jw_escaped(w, s, max);
}

void jw_int(struct jw *w, long long v)
{
	jw_sep(w);
	fprintf(w->f, "%lld", v);
}

void jw_uint(struct jw *w, unsigned long long v)
{
	jw_sep(w);
	fprintf(w->f, "%llu", v);
}

void jw_hex(struct jw *w, unsigned long long v)
{
	jw_sep(w);
	fprintf(w->f, "\"0x%llx\"", v);
}

void jw_bool(struct jw *w, bool v)
{
	jw_sep(w);
	fputs(v ? "true" : "false", w->f);
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_kint(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kuint(struct jw *w, const char *key, unsigned long long v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

void jw_khex(struct jw *w, const char *key, unsigned long long v)
{
	jw_key(w, key);
	jw_hex(w, v);
}

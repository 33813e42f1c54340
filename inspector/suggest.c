// SPDX-License-Identifier: GPL-2.0
/*
 * suggest: one edit distance for every "did you mean" (suggest.h). Two
 * rows of the optimal string alignment table plus the one before them for
 * swaps; a row whose minimum is past the bound ends the work.
 */
#include <stdio.h>
#include <string.h>
#include "suggest.h"

#define WORD_MAX 64

unsigned suggest__distance(const char *a, const char *b, unsigned max)
{
	unsigned rows[3][WORD_MAX + 1], *pp, *p, *c;
	size_t la = strlen(a), lb = strlen(b);

	if (la >= WORD_MAX || lb >= WORD_MAX)
		return max + 1;
	if ((la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (size_t j = 0; j <= lb; j++)
		rows[1][j] = j;
	pp = rows[0];
	p = rows[1];
	c = rows[2];
	for (size_t i = 1; i <= la; i++) {
		unsigned lo;

		c[0] = lo = i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned d = p[j] + 1;

			if (c[j - 1] + 1 < d)
				d = c[j - 1] + 1;
			if (p[j - 1] + cost < d)
				d = p[j - 1] + cost;
			/* a swap of two neighbours ("pgaes") is one edit */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < d)
				d = pp[j - 2] + 1;
			c[j] = d;
			if (d < lo)
				lo = d;
		}
		if (lo > max)
			return max + 1;
		/* rotate: the row before the previous one is needed for swaps */
		{
			unsigned *t = pp;

			pp = p;
			p = c;
			c = t;
		}
	}
	return p[lb] > max ? max + 1 : p[lb];
}

static unsigned bound(const char *word)
{
	return strlen(word) <= 4 ? 1 : 2;
}

void suggest__init(struct suggest *s, const char *word)
{
	s->word = word;
	s->best = NULL;
	s->dist = word ? bound(word) + 1 : 0;
}

void suggest__offer(struct suggest *s, const char *cand)
{
	unsigned d;

	if (!s->word || !cand || !*cand || !strcmp(s->word, cand))
		return;
	d = suggest__distance(s->word, cand, bound(s->word));
	if (d < s->dist) {
		s->dist = d;
		s->best = cand;
	}
}

const char *suggest__best(const struct suggest *s)
{
	return s->best;
}

const char *suggest__hint(const struct suggest *s, char *buf, size_t len)
{
	if (!len)
		return buf;
	buf[0] = '\0';
	if (s->best)
		snprintf(buf, len, " (did you mean '%s'?)", s->best);
	return buf;
}

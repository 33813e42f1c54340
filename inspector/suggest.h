/* SPDX-License-Identifier: GPL-2.0 */
/*
 * suggest: "did you mean": the closest of some candidate words to a word
 * that was not understood (a command, a selector word, a member, a root),
 * by Damerau-Levenshtein distance (optimal string alignment: insertions,
 * deletions, substitutions and swaps of two neighbours cost 1), bounded:
 * a word of up to 4 characters may be 1 edit away, a longer one 2, so a
 * suggestion is a likely typo and never a wild guess.
 */
#ifndef ARENA_INSPECT_SUGGEST_H
#define ARENA_INSPECT_SUGGEST_H

#include <stddef.h>

/* Distance of a and b, or max + 1 when it is more than max (the work
 * stops early; words longer than 63 characters are never close). */
unsigned suggest__distance(const char *a, const char *b, unsigned max);

struct suggest {
	const char *word; /* what was typed */
	const char *best; /* the closest candidate so far (borrowed), NULL */
	unsigned dist;
};

void suggest__init(struct suggest *s, const char *word);
/* One candidate; the first of the closest wins. cand is borrowed until the
 * caller has read suggest__best. */
void suggest__offer(struct suggest *s, const char *cand);
/* The suggestion, or NULL: nothing close enough (or the word itself). */
const char *suggest__best(const struct suggest *s);
/* " (did you mean 'BEST'?)" into buf, or "" with no suggestion: to append
 * to an error message. Returns buf. */
const char *suggest__hint(const struct suggest *s, char *buf, size_t len);

#endif

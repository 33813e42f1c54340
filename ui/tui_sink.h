/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TUI sink: records the formatter's begin/value/end events as a tree of
 * nodes that the struct view shows, expands and follows. The tree belongs
 * to the caller after tui_sink__take() (free with tnode__free()).
 */
#ifndef ARENA_INSPECT_TUI_SINK_H
#define ARENA_INSPECT_TUI_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include "sink.h"

struct tnode {
	char *key;	/* member name, NULL in arrays / at the top */
	int index;	/* position in an array, -1 otherwise */
	bool container; /* struct/union/array */
	bool array;
	enum sink_kind kind; /* leaves */
	char *text;	     /* leaves: the value as text */
	char *ftext;	     /* leaves: text in the print format (print/x), or NULL */
	/* attributes, copied */
	uint64_t addr;
	char *type, *target, *note, *path;
	bool unallocated, outside, followable, truncated;
	uint64_t total; /* truncated array: its length; the "more" node:
			 * how many elements were not shown */

	struct tnode *parent;
	struct tnode **kids;
	int nkids, cap;

	/* view state */
	bool expanded;
	bool changed; /* value differs from the previous refresh */
	bool more;    /* synthetic "more..." node of a truncated array */
};

struct sink *tui_sink__new(void);
/* The tree built so far: a synthetic root whose children are the top-level
 * values. NULL on allocation failure (reported with ai_err). */
struct tnode *tui_sink__take(struct sink *s);
void tnode__free(struct tnode *n);

#endif

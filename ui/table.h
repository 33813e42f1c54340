/* SPDX-License-Identifier: GPL-2.0 */
/* The table view's model, shared by ui/table.c (which builds it: rows and
 * columns from the leaf walk, the filter, the sort) and ui/view_table.c
 * (which draws it and takes the keys and requests). Private to the two. */
#ifndef ARENA_INSPECT_TABLE_H
#define ARENA_INSPECT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;
struct view;

#define TABLE_MAX_ROWS 65536
#define TABLE_MAX_COLS 128
#define TABLE_COL_WIDTH 32	       /* a wider cell is cut (with an ellipsis) */
#define TABLE_CHUNK_BYTES (512 * 1024) /* elements walked (and read) at once */
#define TABLE_MAX_NODES (4 * 1024 * 1024)
#define TABLE_CELL_MAX 256 /* bytes of a cell's text kept */

/* a cell's sort key */
enum cell_num {
	CN_TEXT,  /* not a number (or in a text column) */
	CN_UINT,  /* u */
	CN_INT,	  /* (int64_t)u < 0 */
	CN_FLOAT, /* d */
};

struct cell {
	char *text; /* printable; NULL: no such leaf in this row */
	uint64_t u;
	double d;
	uint8_t num; /* enum cell_num */
};

struct row {
	uint64_t addr;	/* the element's address: its identity */
	uint64_t index; /* in the array (slice: from the array's start) */
	struct cell *cells;
	int ncells;
	char *note; /* the whole element: "<unallocated>", ... */
	bool keep;  /* the filter holds (or there is none) */
};

struct col {
	char *name; /* leaf path relative to the element; "" the element itself */
	int width;
	bool numeric;
};

enum tkind { TK_NONE, TK_ARRAY, TK_POINTER, TK_SLICE, TK_WALK };

struct tview {
	char *spec; /* EXPR as typed; NULL: no table yet */
	/* a walk (:walk, L): spec is START, and how to go on */
	bool walk;
	char *next, *container; /* --next M, --container TYPE.M (NULL: none) */
	uint64_t walk_max;	/* --max N (0: the row cap) */
	char walk_end[300];	/* how the chain ended */

	/* from the last build */
	enum tkind kind;
	char err[400];
	char desc[400];
	char type[128]; /* element type name */
	const struct btf *btf;
	uint32_t elem_id;   /* the element type (as declared) */
	uint32_t member_id; /* struct/union whose members are in scope, 0: none */
	bool elem_ptr;	    /* elements are pointers: their pointees' members */
	uint64_t elem_size;
	uint64_t first; /* address of element 0 */
	uint64_t total; /* elements there are (before the row cap) */
	char *base;	/* elements are base[base0 + i] (NULL: address form) */
	int64_t base0;
	bool rows_capped, cols_capped, cut;

	struct row *rows;
	int nrows;
	struct col *cols;
	int ncols;
	int *vis; /* rows shown, in order */
	int nvis;

	char *filter;	  /* as typed */
	char *filter_tpl; /* with \1 where the element goes */
	int filter_fail;  /* rows it could not be evaluated on */
	char filter_err[300];

	char *sort_name; /* the sort column, by name across rebuilds */
	int sort_dir;	 /* 1 ascending, -1 descending, 0 element order */

	int cur, top;	/* selection, first shown: indexes into vis */
	int ccol, left; /* selected column, first data column shown */
	uint64_t sel_addr;
	bool have_sel;
	bool labels; /* after s/S: letters over the columns for one key */
	char title[200];
};

/* Read every row again (the spec's value may have moved too); v->priv is
 * the struct tview. Errors go to t->err. */
void table__build(struct view *v);
void table__rows_free(struct tview *t);
/* vis: the rows the filter kept, sorted; the selection found again */
void table__order(struct view *v);
/* the sort column's index, -1: element order */
int table__sort_col(const struct tview *t);
/* The element's expression, to open it or evaluate a filter on it. */
void table__elem_expr(const struct tview *t, const struct row *r, char *buf, size_t len);
/* :filter COND with the element's members in scope (\1 the element) */
char *table__filter_template(const struct tview *t, const char *f);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * walk: follow a chain of nodes through a link member (`next`), the way
 * `walk ARENA START --next M --container 'TYPE.M'` and the TUI's table of a
 * list do. An iterator: open it on the first node pointer, take the nodes
 * one at a time (nothing is collected, so a walk of a million nodes needs
 * no more memory than one of ten), then ask how the chain ended.
 *
 *   plain:     START is a `struct node *`; each node is a struct node, and
 *              the next node pointer is node->NEXT (NEXT a member path).
 *   container: an intrusive list: each node pointer points at MEMBER inside
 *              a TYPE (struct elem { ...; struct list_node node; ... }); the
 *              value is the containing TYPE (container_of), and the next
 *              node pointer is read from the node: node->NEXT, NEXT a member
 *              of MEMBER's type. START may be an address then.
 *
 * A chain ends at NULL, at a list poison value (poison.h), at a pointer
 * outside the arena or into a page that is not allocated, where a node
 * points back to an earlier one (a cycle: node k's link is node j), at
 * opts.max nodes, or at an error reading the arena. Memory is read only
 * through source__read: a missing page is never faulted in.
 *
 * How: walk__open runs along the links first (8 bytes a node, Brent's
 * cycle detection, O(1) memory) to learn where the chain ends and how many
 * nodes it has (walk__count); walk__next then goes along it again and
 * gives each node. A chain that changed between the two passes (a live
 * arena) ends with reason error, saying so, never with a node twice.
 *
 * Ownership: a walk borrows bx and src (they must outlive it); the values
 * it gives point into them. Errors are negative errno with a message in
 * ai_errmsg(); nothing prints.
 */
#ifndef ARENA_INSPECT_WALK_H
#define ARENA_INSPECT_WALK_H

#include <stdbool.h>
#include <stdint.h>
#include "btfx.h"
#include "expr.h"
#include "source.h"

#define WALK_DEFAULT_MAX 100000

struct walk_opts {
	const char *next;      /* member path of the link ("next", "node.next"),
				* in the node's type; NULL: "next" */
	const char *container; /* "TYPE.MEMBER" ("struct elem.node"), or NULL */
	uint64_t max;	       /* nodes at most; 0: WALK_DEFAULT_MAX */
};

enum walk_reason {
	WALK_END_NULL,	      /* a link was NULL */
	WALK_END_CYCLE,	      /* node `from` links back to node `to` */
	WALK_END_POISON,      /* a link was a list poison value */
	WALK_END_UNALLOCATED, /* a link pointed into a page that is not allocated */
	WALK_END_OUTSIDE,     /* a link pointed outside the arena */
	WALK_END_MAX,	      /* opts.max nodes given, and the chain goes on */
	WALK_END_ERROR,	      /* reading failed, or the chain changed meanwhile */
};

/* "null", "cycle", "poison", "unallocated", "outside", "max", "error" */
const char *walk__reason_name(enum walk_reason r);

struct walk_end {
	enum walk_reason reason;
	uint64_t count; /* nodes given (walk__count) */
	/* the link value that ended the chain: the pointer outside or into
	 * the missing page, the poison value, the node pointed back to (cycle);
	 * 0 for null, max and error */
	uint64_t ptr;
	uint64_t page;	    /* unallocated: the missing page's index */
	uint64_t to, from;  /* cycle: node `from` (the last given) links to node `to` */
	uint64_t max;	    /* the limit (every reason) */
	const char *poison; /* poison: what writes it ("LIST_POISON1") */
	char msg[256];	    /* error: what went wrong */
};

struct walk_node {
	uint64_t index;	    /* 0 for START */
	uint64_t node;	    /* the node pointer (where the link's struct is) */
	uint64_t addr;	    /* the value's address: the container with
			     * opts.container, else node */
	uint64_t next;	    /* the link read from this node */
	struct value value; /* the value: an lvalue at addr, for fmt__value */
};

struct walk;

/*
 * start: the first node pointer (a pointer; with opts.container also an
 * integer address), as expr__eval gave it. Errors that make the walk
 * impossible: -EINVAL START is not a pointer to a struct or union (plain),
 * a container that is not "TYPE.MEMBER" of a struct/union TYPE, a link that
 * is neither a pointer to the node's type nor an 8-byte integer; -ENOENT
 * an unknown type or member. A chain that ends at once (START NULL) is no
 * error: a walk of 0 nodes.
 */
int walk__open(struct btfx *bx, struct source *src, const struct value *start,
	       const struct walk_opts *opts, struct walk **out);

/* The number of nodes walk__next will give (known at open). */
uint64_t walk__count(const struct walk *w);

/* The next node: 1 and *node filled, 0 at the end (then walk__end says
 * why), or a negative errno when the arena could not be read (the walk
 * ended: reason error). node->value is valid until the walk is closed. */
int walk__next(struct walk *w, struct walk_node *node);

/* How the chain ends. Known at open; after walk__next returned 0 or an
 * error it is final (a chain that changed meanwhile: reason error). */
void walk__end(const struct walk *w, struct walk_end *end);

/* The type of the values (the container's or the node's), for a table's
 * columns before the first node. */
void walk__value_type(const struct walk *w, const struct btf **btf, uint32_t *type_id);

void walk__close(struct walk *w);

#endif

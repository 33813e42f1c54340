// SPDX-License-Identifier: GPL-2.0
/*
 * walk: the chain walker (walk.h).
 *
 * Cycles are found with Brent's algorithm over the sequence of node
 * pointers, not with a set of the nodes seen: a set of a million pointers
 * is tens of MB as a hash table, and a walk must stay within a few MB
 * whatever the chain. Brent needs two pointers and two counters, and at
 * most about 3 (j + cycle length) link reads to see the cycle; a second
 * run from START then finds j, the first node that is seen again (the
 * tortoise from START and a hare cycle-length nodes ahead meet at j), and
 * k = j + cycle length - 1, the node whose link points back to it.
 *
 * Because the cycle is known only after running past it, walk__open does
 * that run first (reading only the 8-byte links) and walk__next walks the
 * chain again to give the nodes, up to the end found: so a cycle gives
 * nodes 0..k once each, and the count is known before the first node. The
 * second pass checks that the chain still ends where the first one found
 * its end; on a live arena that changed meanwhile it ends with an error
 * that says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfq.h"
#include "btfx_internal.h"
#include "error.h"
#include "poison.h"
#include "walk.h"

struct walk {
	struct btfx *bx;
	struct source *src;
	uint64_t start;
	/* the value: the container's type (or the node's), its size */
	const struct btf *vbtf;
	uint32_t vid;
	uint64_t vsize;
	uint64_t coff;	     /* node - value address (offsetof(TYPE, MEMBER)) */
	uint64_t noff;	     /* offset of the link in the node */
	struct walk_end end; /* from the first pass, then final */
	/* the second pass */
	uint64_t idx, cur; /* next node to give, and its pointer */
	uint64_t to_ptr;   /* cycle: node `to`'s pointer, seen on the way */
	bool done;
};

const char *walk__reason_name(enum walk_reason r)
{
	static const char *const names[] = {
		[WALK_END_NULL] = "null",	[WALK_END_CYCLE] = "cycle",
		[WALK_END_POISON] = "poison",	[WALK_END_UNALLOCATED] = "unallocated",
		[WALK_END_OUTSIDE] = "outside", [WALK_END_MAX] = "max",
		[WALK_END_ERROR] = "error",
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

/*
 * Is p a node? 0 and *next its link when it is; 1 when p ends the chain
 * (e says why: null, poison, outside, unallocated, error). Reads the 8
 * bytes of the link only, through source__read.
 */
static int link_of(struct walk *w, uint64_t p, uint64_t *next, struct walk_end *e)
{
	const struct poison *po;
	uint8_t present[2] = { 0, 0 };
	uint64_t v = 0;
	int r;

	e->ptr = p;
	if (!p) {
		e->reason = WALK_END_NULL;
		return 1;
	}
	po = poison__find(p);
	if (po) {
		e->reason = WALK_END_POISON;
		e->poison = po->name;
		return 1;
	}
	/* the link and the whole value must be in the arena */
	if (p < w->coff || !source__contains(w->src, p - w->coff, w->vsize) || p + w->noff < p ||
	    !source__contains(w->src, p + w->noff, 8)) {
		e->reason = WALK_END_OUTSIDE;
		return 1;
	}
	r = source__read(w->src, p + w->noff, &v, 8, present);
	if (r < 0) {
		e->reason = WALK_END_ERROR;
		snprintf(e->msg, sizeof(e->msg), "%s", ai_errmsg());
		return 1;
	}
	if (r > 0) {
		uint64_t first =
			(p + w->noff - w->src->info.user_vm_start) / source__page_size(w->src);

		e->reason = WALK_END_UNALLOCATED;
		e->page = first + (present[0] ? 1 : 0);
		return 1;
	}
	*next = v;
	return 0;
}

/* The first pass: where the chain ends, and its node count (the comment
 * at the top says how). */
static void scan(struct walk *w)
{
	struct walk_end *e = &w->end;
	uint64_t max = w->end.max;
	/* a cycle of j + length <= max nodes is seen by link 3 * max: past
	 * that, the chain has more than max nodes whatever it does */
	uint64_t limit = max > UINT64_MAX / 4 ? UINT64_MAX : 3 * max + 2;
	uint64_t i = 0, t = 0, power = 1, hare = w->start, tort = w->start, next = 0;
	uint64_t lam, mu, a, b;

	for (;;) {
		if (link_of(w, hare, &next, e)) {
			e->count = i;
			break;
		}
		if (i + 1 >= limit) {
			e->count = i + 1;
			break;
		}
		hare = next;
		i++;
		if (hare == tort) {
			/* the cycle: hare is node i, and node t again */
			lam = i - t;
			a = b = w->start;
			for (uint64_t k = 0; k < lam; k++)
				if (link_of(w, b, &b, e))
					goto changed;
			for (mu = 0; a != b; mu++)
				if (mu > t || link_of(w, a, &a, e) || link_of(w, b, &b, e))
					goto changed;
			e->reason = WALK_END_CYCLE;
			e->count = mu + lam;
			e->to = mu;
			e->from = mu + lam - 1;
			e->ptr = a;
			break;
		}
		if (i - t == power) {
			tort = hare;
			t = i;
			power *= 2;
		}
	}
	if (e->count > max) {
		e->reason = WALK_END_MAX;
		e->count = max;
		e->ptr = 0;
	}
	return;
changed:
	e->reason = WALK_END_ERROR;
	e->count = 0;
	snprintf(e->msg, sizeof(e->msg), "the chain changed while it was walked");
}

/* The numeric value of START: a pointer or an integer. */
static int start_value(struct source *src, const struct value *v, const struct btf_type *t,
		       uint64_t *out)
{
	uint8_t buf[8] = { 0 };
	uint32_t sz;
	int err;

	if (!v->btf || (!v->lvalue && !v->var) || v->bitfield) {
		*out = v->scalar;
		return 0;
	}
	sz = btf_is_ptr(t) ? 8 : t->size;
	if (!sz || sz > 8)
		return ai_err(EINVAL, "the start is an integer of %u bytes, not an address", sz);
	err = expr__read(src, v, 0, buf, sz); /* the arena, or a map variable's bytes */
	if (err)
		return err;
	*out = 0;
	memcpy(out, buf, sz); /* little endian, as every arena is */
	return 0;
}

static void name_of(const struct btf *btf, uint32_t id, char *buf, size_t len)
{
	if (btfq__type_name(btf, id, buf, len) < 0)
		snprintf(buf, len, "type %u", id);
}

/* A pointer may point to (btf, id), or to void or char (the kernel's
 * container_of rule): does pointer type pt of pbtf? */
static bool points_to(const struct btf *pbtf, const struct btf_type *pt, const struct btf *btf,
		      uint32_t id)
{
	uint32_t to = btfx_skip_mods(pbtf, pt->type);
	const struct btf_type *tt = btf__type_by_id(pbtf, to);

	if (!to || (tt && btf_is_int(tt) && tt->size == 1))
		return true;
	return btfq__same_type(pbtf, to, btf, id);
}

/* A container type no source defines: say so, and say when the programs
 * only declare it (the usual case for intrusive nodes, see ARENA_FACTS). */
static int container_unknown(const struct btfx *bx, const char *type)
{
	const char *name = type;
	bool is_union = false;
	char msg[320];

	if (!strncmp(name, "struct ", 7))
		name += 7;
	else if (!strncmp(name, "union ", 6))
		name += 6, is_union = true;
	for (int i = 0; name != type && bx && i < btfx__nr_btfs(bx); i++) {
		const struct btf *btf = btfx__btf(bx, i);
		int id = btf__find_by_name_kind(btf, name, BTF_KIND_FWD);

		if (id <= 0)
			id = btf__find_by_name_kind(btf, name,
						    is_union ? BTF_KIND_UNION : BTF_KIND_STRUCT);
		if (id > 0 && btfx__is_fwd(btf, id)) {
			btfx__incomplete_msg(bx, btf, id, msg, sizeof(msg));
			return ai_err(ENOENT, "container: %s", msg);
		}
	}
	return ai_err(ENOENT, "container: unknown type '%s'%s", type,
		      !bx || !btfx__nr_btfs(bx) ? " (no BTF loaded)"
		      : name != type ? " (no type source defines it; --types FILE adds definitions)"
				     : "");
}

/* "TYPE.MEMBER": the container type and the member's offset and type */
static int parse_container(struct walk *w, const char *text, const struct btf **nbtf, uint32_t *nid)
{
	const char *dot = strchr(text, '.');
	const struct btf_type *t;
	char type[160];
	size_t n;
	uint32_t id, mtype;
	int err;

	if (!dot || dot == text || !dot[1])
		return ai_err(EINVAL, "container '%s' is not TYPE.MEMBER (as 'struct elem.node')",
			      text);
	n = dot - text;
	while (n && text[n - 1] == ' ')
		n--;
	while (n && *text == ' ') {
		text++;
		n--;
	}
	if (!n || n >= sizeof(type))
		return ai_err(EINVAL, "container '%s': bad type name", text);
	memcpy(type, text, n);
	type[n] = '\0';
	if (btfx__find_type(w->bx, type, &w->vbtf, &id))
		return container_unknown(w->bx, type);
	w->vid = id;
	t = btf__type_by_id(w->vbtf, btfx_skip_mods(w->vbtf, id));
	if (!t || !btf_is_composite(t))
		return ai_err(EINVAL, "container: '%s' is not a struct or union%s", type,
			      t && btf_is_fwd(t) ? " (only declared: its layout is unknown)" : "");
	err = expr__offsetof(w->bx, w->src, w->vbtf, id, dot + 1, &w->coff, &mtype);
	if (err)
		return ai_err(err, "container '%s.%s': %s", type, dot + 1, ai_errmsg());
	t = btf__type_by_id(w->vbtf, btfx_skip_mods(w->vbtf, mtype));
	if (!t || !btf_is_composite(t)) {
		char tn[128];

		name_of(w->vbtf, mtype, tn, sizeof(tn));
		return ai_err(EINVAL,
			      "container: member '%s' of %s is %s, not a struct or union with a "
			      "link in it",
			      dot + 1, type, tn);
	}
	*nbtf = w->vbtf;
	*nid = btfx_skip_mods(w->vbtf, mtype);
	return 0;
}

int walk__open(struct btfx *bx, struct source *src, const struct value *start,
	       const struct walk_opts *opts, struct walk **out)
{
	const char *next = opts && opts->next ? opts->next : "next";
	const struct btf_type *st, *t;
	const struct btf *nbtf = NULL;
	uint32_t nid = 0, ltype;
	struct walk *w;
	char tn[128], nn[128];
	int err;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return ai_err(ENOMEM, "out of memory");
	w->bx = bx;
	w->src = src;
	w->end.max = opts && opts->max ? opts->max : WALK_DEFAULT_MAX;

	if (start->slice_len) {
		err = ai_err(EINVAL, "the start is a slice, not a pointer");
		goto err;
	}
	st = start->btf ? btf__type_by_id(start->btf, btfx_skip_mods(start->btf, start->type_id))
			: NULL;
	if (start->btf && (!st || !(btf_is_ptr(st) || btf_is_int(st)))) {
		name_of(start->btf, start->type_id, tn, sizeof(tn));
		err = ai_err(EINVAL, "the start is %s, not a pointer", tn);
		goto err;
	}
	if (opts && opts->container) {
		err = parse_container(w, opts->container, &nbtf, &nid);
		if (err)
			goto err;
		if (st && btf_is_ptr(st) && !points_to(start->btf, st, nbtf, nid)) {
			name_of(start->btf, start->type_id, tn, sizeof(tn));
			name_of(nbtf, nid, nn, sizeof(nn));
			err = ai_err(EINVAL, "the start is %s, but the container's member is %s",
				     tn, nn);
			goto err;
		}
	} else {
		if (!st || !btf_is_ptr(st)) {
			err = ai_err(EINVAL, "the start is a number, not a pointer to a struct: "
					     "cast it, as (struct node *)ADDR");
			goto err;
		}
		nbtf = start->btf;
		nid = btfx_skip_mods(nbtf, st->type);
		t = btf__type_by_id(nbtf, nid);
		if (!t || !btf_is_composite(t)) {
			name_of(start->btf, start->type_id, tn, sizeof(tn));
			err = ai_err(
				EINVAL, "the start is %s, not a pointer to a struct or union%s", tn,
				t && btf_is_fwd(t)
					? " (the struct is only declared: its layout is unknown)"
					: "; cast it, as (struct node *)ADDR");
			goto err;
		}
		w->vbtf = nbtf;
		w->vid = nid;
	}
	w->vsize = btfx_size(w->vbtf, w->vid);
	if (!w->vsize)
		w->vsize = 1;
	/* the link: a pointer to the node's type (or void *, char *), or an
	 * 8-byte integer holding an address */
	err = expr__offsetof(bx, src, nbtf, nid, next, &w->noff, &ltype);
	if (err) {
		err = ai_err(err, "link '%s': %s", next, ai_errmsg());
		goto err;
	}
	t = btf__type_by_id(nbtf, btfx_skip_mods(nbtf, ltype));
	if (!t || !((btf_is_ptr(t) && points_to(nbtf, t, nbtf, nid)) ||
		    (btf_is_int(t) && t->size == 8))) {
		name_of(nbtf, ltype, tn, sizeof(tn));
		name_of(nbtf, nid, nn, sizeof(nn));
		err = ai_err(EINVAL, "link '%s' of %s is %s, not a pointer to %s", next, nn, tn,
			     nn);
		goto err;
	}
	err = start_value(src, start, st, &w->start);
	if (err)
		goto err;
	scan(w);
	w->cur = w->start;
	*out = w;
	return 0;
err:
	free(w);
	return err;
}

uint64_t walk__count(const struct walk *w)
{
	return w->end.count;
}

/* The second pass reached the end: does the chain still end there? */
static void check_end(struct walk *w)
{
	struct walk_end *e = &w->end;
	uint64_t want;

	switch (e->reason) {
	case WALK_END_MAX:
	case WALK_END_ERROR: return;
	case WALK_END_CYCLE: want = w->to_ptr; break;
	default: want = e->ptr; break;
	}
	if (w->cur != want) {
		e->reason = WALK_END_ERROR;
		snprintf(e->msg, sizeof(e->msg),
			 "the chain changed while it was walked: node %llu's link is now 0x%llx",
			 (unsigned long long)w->idx - 1, (unsigned long long)w->cur);
	}
}

int walk__next(struct walk *w, struct walk_node *node)
{
	struct walk_end e = { 0 };
	uint64_t next = 0, p = w->cur;

	if (w->done)
		return 0;
	if (w->idx >= w->end.count) {
		w->done = true;
		check_end(w);
		return 0;
	}
	if (link_of(w, p, &next, &e)) {
		w->done = true;
		w->end.reason = WALK_END_ERROR;
		w->end.count = w->idx;
		if (e.reason == WALK_END_ERROR) {
			snprintf(w->end.msg, sizeof(w->end.msg), "%s", e.msg);
			return ai_err(EIO, "%s", e.msg);
		}
		snprintf(w->end.msg, sizeof(w->end.msg),
			 "the chain changed while it was walked: node %llu is now %s",
			 (unsigned long long)w->idx, walk__reason_name(e.reason));
		return 0;
	}
	if (w->end.reason == WALK_END_CYCLE && w->idx == w->end.to)
		w->to_ptr = p;
	*node = (struct walk_node){
		.index = w->idx,
		.node = p,
		.addr = p - w->coff,
		.next = next,
		.value = { .btf = w->vbtf, .type_id = w->vid, .lvalue = true, .addr = p - w->coff },
	};
	w->cur = next;
	w->idx++;
	return 1;
}

void walk__end(const struct walk *w, struct walk_end *end)
{
	*end = w->end;
}

void walk__value_type(const struct walk *w, const struct btf **btf, uint32_t *type_id)
{
	*btf = w->vbtf;
	*type_id = w->vid;
}

void walk__close(struct walk *w)
{
	free(w);
}

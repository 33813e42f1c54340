// SPDX-License-Identifier: GPL-2.0
/*
 * expr_builtin: the type-directed forms of the expression language, split
 * from expr_eval.c: casts, sizeof, offsetof (and expr__offsetof, its form
 * for a type in hand) and container_of. They see the evaluator through
 * expr_eval.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfq.h"
#include "btfx_internal.h"
#include "error.h"
#include "expr.h"
#include "expr_ast.h"
#include "expr_ctype.h"
#include "expr_eval.h"

int expr__eval_cast(struct ectx *c, const struct enode *n, struct value *out)
{
	const struct btf_type *t;
	const struct btf *btf;
	struct value v;
	uint32_t id;
	uint64_t x;
	int err;

	err = expr__resolve_type(c, n, &btf, &id);
	if (!err)
		err = expr__eval_node(c, n->a, &v);
	if (err)
		return err;
	t = btf__type_by_id(btf, btfx_skip_mods(btf, id));
	if (!t || !(btf_is_ptr(t) || btf_is_int(t) || btf_is_any_enum(t)))
		return ai_err(EINVAL,
			      "cannot cast to '%s'; cast an address to a pointer: *(%s *)ADDR",
			      n->name, n->name);
	err = expr__load(c, n->a, &v, &x, NULL);
	if (err)
		return err;
	if (btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_BOOL))
		x = x != 0; /* C's (bool)x */
	else if (!btf_is_ptr(t))
		x = expr__extend(x, t->size * 8, expr__is_signed_type(t));
	*out = scalar(btf, id, x);
	return 0;
}

/* sizeof(TYPE), or sizeof EXPR: the size of the expression's type (a
 * slice: all its elements). Like C, sizeof(name) is a type when no value
 * has that name. The value itself is not read, only the path to it. */
int expr__eval_sizeof(struct ectx *c, const struct enode *n, struct value *out)
{
	const struct btf *btf;
	struct value v;
	uint32_t id;
	long long sz;
	int err;

	if (n->a) {
		err = expr__eval_node(c, n->a, &v);
		if (err && n->a->kind == E_IDENT && c->bx &&
		    !btfx__find_type(c->bx, n->a->name, &btf, &id)) {
			v = scalar(btf, id, 0);
			err = 0;
		}
		if (err)
			return err;
		if (!v.btf) {
			*out = number(EXPR_ULONG, expr__ctype_bits(expr__promoted(&v)) / 8);
			return 0;
		}
		btf = v.btf;
		id = v.type_id;
	} else {
		err = expr__resolve_type(c, n, &btf, &id);
		if (err)
			return err;
	}
	sz = btf__resolve_size(btf, id);
	if (sz < 0)
		return ai_err(EINVAL, "the size of '%.*s' is not known", n->end - n->col,
			      c->text + n->col);
	if (n->a && v.slice_len)
		sz *= v.slice_len;
	*out = number(EXPR_ULONG, (uint64_t)sz); /* size_t */
	return 0;
}

/*
 * offsetof's member designator n (E_MEMBER / E_INDEX over E_DESIG) in the
 * struct or union (btf, sid): its byte offset and the member's type, as
 * C's offsetof computes them (anonymous members looked through, as C
 * names them; an index scales by the element size). A bitfield has no
 * byte offset, as in C. what prefixes messages ("offsetof: ", or "").
 */
static int desig_offset(struct ectx *c, const struct enode *n, const struct btf *btf, uint32_t sid,
			const char *what, uint64_t *off, uint32_t *mtype)
{
	const struct btf_type *t;
	struct value pv;
	char tn[128];
	int err;

	if (n->kind == E_DESIG) {
		*off = 0;
		*mtype = sid;
		return 0;
	}
	err = desig_offset(c, n->a, btf, sid, what, off, mtype);
	if (err)
		return err;
	pv = (struct value){ .btf = btf, .type_id = *mtype };
	t = btf__type_by_id(btf, btfx_skip_mods(btf, *mtype));
	if (n->kind == E_MEMBER) {
		struct btfq_member bm;

		if (!t || !btf_is_composite(t)) {
			expr__type_name(&pv, tn, sizeof(tn));
			return ai_err(EINVAL, "%s'%.*s' is %s, not a struct or union", what,
				      NT(c, n->a), tn);
		}
		if (!btfq__find_member(btf, btfx_skip_mods(btf, *mtype), n->name, &bm)) {
			char hint[96];

			expr__type_name(&pv, tn, sizeof(tn));
			return ai_err(ENOENT, "%s'%s' is not a member of %s%s", what, n->name, tn,
				      expr__member_hint(btf, btfx_skip_mods(btf, *mtype), n->name,
							hint, sizeof(hint)));
		}
		if (bm.bitfield_size || bm.bit_off % 8)
			return ai_err(EINVAL, "%s'%.*s' is a bitfield (it has no byte offset)",
				      what, NT(c, n));
		*off += bm.bit_off / 8;
		*mtype = bm.type;
		return 0;
	}
	/* E_INDEX */
	{
		struct value iv;
		uint64_t i, esz, nelems;
		bool sign;

		if (!t || !btf_is_array(t)) {
			expr__type_name(&pv, tn, sizeof(tn));
			return ai_err(EINVAL, "%s'%.*s' is %s, not an array", what, NT(c, n->a),
				      tn);
		}
		err = expr__eval_node(c, n->b, &iv);
		if (!err)
			err = expr__load(c, n->b, &iv, &i, &sign);
		if (err)
			return err;
		nelems = btf_array(t)->nelems;
		if ((sign && (int64_t)i < 0) || (nelems && i >= nelems))
			return ai_err(ERANGE,
				      "%sindex %lld is out of range for '%.*s' (%llu elements)",
				      what, (long long)i, NT(c, n->a), (unsigned long long)nelems);
		esz = btfx_size(btf, btf_array(t)->type);
		if (!esz)
			return ai_err(EINVAL, "%s'%.*s': elements have no size", what, NT(c, n->a));
		*off += i * esz;
		*mtype = btf_array(t)->type;
		return 0;
	}
}

/* TYPE of offsetof/container_of: a struct or union; *sid without typedefs */
static int outer_type(struct ectx *c, const struct enode *n, const char *what,
		      const struct btf **btf, uint32_t *id, uint32_t *sid)
{
	const struct btf_type *t;
	int err = expr__resolve_type(c, n, btf, id);

	if (err)
		return err;
	*sid = btfx_skip_mods(*btf, *id);
	t = btf__type_by_id(*btf, *sid);
	if (!t || !btf_is_composite(t))
		return ai_err(EINVAL, "%s: '%s' is not a struct or union%s", what, n->name,
			      t && btf_is_fwd(t) ? " (only declared: its layout is unknown)" : "");
	return 0;
}

/* offsetof(TYPE, MEMBER): an unsigned long (size_t), as in C */
int expr__eval_offsetof(struct ectx *c, const struct enode *n, struct value *out)
{
	const struct btf *btf;
	uint32_t id, sid, mtype;
	uint64_t off;
	int err;

	err = outer_type(c, n, "offsetof", &btf, &id, &sid);
	if (!err)
		err = desig_offset(c, n->a, btf, sid, "offsetof: ", &off, &mtype);
	if (err)
		return err;
	*out = number(EXPR_ULONG, off);
	return 0;
}

/*
 * container_of(PTR, TYPE, MEMBER): (TYPE *)((char *)PTR - offsetof(TYPE,
 * MEMBER)), as the kernel's. PTR is a pointer or an integer (an address);
 * a pointer must point to the member's type, or to void or char, as the
 * kernel's static check wants. Nothing is read but PTR's own value.
 */
int expr__eval_container_of(struct ectx *c, const struct enode *n, struct value *out)
{
	const struct btf_type *pt;
	const struct btf *btf, *pb;
	struct value pv;
	uint32_t id, sid, mtype, pid;
	uint64_t off, p;
	char tn[128];
	int err;

	err = outer_type(c, n, "container_of", &btf, &id, &sid);
	if (!err)
		err = desig_offset(c, n->b, btf, sid, "container_of: ", &off, &mtype);
	if (!err)
		err = expr__eval_node(c, n->a, &pv);
	if (err)
		return err;
	pt = pv.slice_len ? NULL : expr__vtype(&pv, NULL);
	if (!pt || !(btf_is_ptr(pt) || btf_is_int(pt))) {
		expr__type_name(&pv, tn, sizeof(tn));
		return ai_err(EINVAL, "container_of: '%.*s' is %s%s, not a pointer or an integer",
			      NT(c, n->a), pv.slice_len ? "a slice of " : "", tn);
	}
	if (btf_is_ptr(pt) && pv.btf) {
		uint32_t to = btfx_skip_mods(pv.btf, pt->type);
		const struct btf_type *tt = btf__type_by_id(pv.btf, to);
		bool generic = !to || (tt && btf_is_int(tt) && tt->size == 1);

		if (!generic && !btfq__same_type(pv.btf, to, btf, mtype)) {
			char mn[128];
			struct value mv = { .btf = btf, .type_id = mtype };

			expr__type_name(&pv, tn, sizeof(tn));
			expr__type_name(&mv, mn, sizeof(mn));
			return ai_err(EINVAL,
				      "container_of: '%.*s' is %s, but member '%.*s' of %s is %s "
				      "(cast the pointer if this is meant)",
				      NT(c, n->a), tn, NT(c, n->b), n->name, mn);
		}
	}
	err = expr__load(c, n->a, &pv, &p, NULL);
	if (!err)
		err = btfx__ptr_to(c->bx, btf, id, &pb, &pid);
	if (err)
		return err;
	*out = scalar(pb, pid, p - off);
	return 0;
}

int expr__offsetof(struct btfx *bx, struct source *src, const struct btf *btf, uint32_t id,
		   const char *path, uint64_t *off, uint32_t *type)
{
	struct ectx c = { .bx = bx, .src = src, .text = path };
	struct expr *e;
	const struct btf_type *t;
	char tn[128];
	int err, col;

	id = btfx_skip_mods(btf, id);
	t = btf__type_by_id(btf, id);
	if (!t || !btf_is_composite(t)) {
		struct value v = { .btf = btf, .type_id = id };

		expr__type_name(&v, tn, sizeof(tn));
		return ai_err(EINVAL, "%s is not a struct or union%s", tn,
			      t && btf_is_fwd(t) ? " (only declared: its layout is unknown)" : "");
	}
	err = expr__parse_designator(path, &e, &col);
	if (err)
		return err;
	c.text = e->text;
	err = desig_offset(&c, e->root, btf, id, "", off, type);
	expr__free(e);
	return err;
}

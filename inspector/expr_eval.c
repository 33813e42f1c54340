// SPDX-License-Identifier: GPL-2.0
/*
 * expr_eval: evaluation of a parsed expression (expr_parse.c) against a
 * btfx and a source: names, members, indexing, dereference, operators.
 * Casts, sizeof, offsetof and container_of are expr_builtin.c's, C's
 * arithmetic rules expr_ctype.c's, member lookup btfq's.
 *
 * Evaluation works on struct value: an lvalue is an address in the arena
 * with a type, an rvalue is a 64-bit scalar with a type (or none), and a
 * value with .var a place in a map variable's copied bytes. Memory is read
 * only where the value of something is needed (following '->', an index
 * through a pointer, arithmetic), always through expr__read (the
 * variable's bytes, or source__read_exact).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfq.h"
#include "btfx_internal.h"
#include "error.h"
#include "expr.h"
#include "expr_ast.h"
#include "expr_ctype.h"
#include "expr_eval.h"
#include "suggest.h"

#define MAX_SLICE (1u << 24)

void expr__type_name(const struct value *v, char *buf, size_t len)
{
	if (!v->btf)
		snprintf(buf, len, "a number");
	else if (btfq__type_name(v->btf, v->type_id, buf, len) < 0)
		snprintf(buf, len, "type %u", v->type_id);
}

int expr__read(struct source *src, const struct value *v, uint64_t off, void *buf, size_t len)
{
	if (v->var) {
		if (v->addr + off < v->addr || v->addr + off > v->var->size ||
		    len > v->var->size - (v->addr + off))
			return ai_err(ERANGE,
				      "%zu bytes at +%llu run past the end of '%s' (%u bytes)", len,
				      (unsigned long long)(v->addr + off), v->var->name,
				      v->var->size);
		memcpy(buf, v->var->data + v->addr + off, len);
		return 0;
	}
	if (!v->lvalue)
		return ai_err(EINVAL, "the value has no place to read from");
	return source__read_exact(src, v->addr + off, buf, len);
}

/* The numeric value of v: integers, enums, bools, pointers; arrays and
 * slices decay to their address. *sign: compare as signed. */
int expr__load(struct ectx *c, const struct enode *n, const struct value *v, uint64_t *out,
	       bool *sign)
{
	const struct btf_type *t = expr__vtype(v, NULL);
	uint8_t buf[8] = { 0 };
	uint64_t x = 0;
	char tn[128];
	int err;

	if (sign)
		*sign = !v->btf;
	if (v->slice_len || (t && btf_is_array(t))) {
		if (v->var)
			return ai_err(EINVAL,
				      "'%.*s' is in the map variable '%s', not the arena: "
				      "it has no address",
				      NT(c, n), v->var->name);
		if (!v->lvalue)
			goto bad;
		*out = v->addr;
		if (sign)
			*sign = false;
		return 0;
	}
	if (!t)
		goto bad;
	if (!btf_is_int(t) && !btf_is_ptr(t) && !btf_is_any_enum(t) && !btf_is_float(t))
		goto bad;
	if (!v->lvalue && !v->var) {
		*out = v->scalar;
	} else {
		uint32_t sz = btf_is_ptr(t) ? 8 : t->size;

		if (btf_is_float(t)) {
			double d = 0;

			if (sz != 4 && sz != 8)
				goto bad;
			err = expr__read(c->src, v, 0, buf, sz);
			if (err)
				return err;
			if (sz == 4) {
				float f;

				memcpy(&f, buf, 4);
				d = f;
			} else {
				memcpy(&d, buf, 8);
			}
			*out = (d >= -9.2e18 && d <= 9.2e18) ? (uint64_t)(int64_t)d : 0;
			if (sign)
				*sign = true;
			return 0;
		}
		if (sz > 8 || !sz)
			goto bad;
		err = expr__read(c->src, v, 0, buf, sz);
		if (err)
			return err;
		memcpy(&x, buf, sz);
		if (btf_is_int(t) && btf_int_bits(t) < sz * 8)
			x >>= btf_int_offset(t);
		*out = expr__extend(x, btf_is_int(t) ? btf_int_bits(t) : sz * 8,
				    expr__is_signed_type(t));
	}
	if (sign && v->btf)
		*sign = expr__is_signed_type(t);
	return 0;
bad:
	expr__type_name(v, tn, sizeof(tn));
	return ai_err(EINVAL, "'%.*s' is %s%s, not a number", NT(c, n), v->btf ? "of type " : "",
		      tn);
}

/* The value of v as C arithmetic sees it: read, promoted (expr__promoted());
 * *ct is its C type and *x its value in that type. */
static int arith(struct ectx *c, const struct enode *n, const struct value *v, uint64_t *x,
		 unsigned *ct)
{
	int err = expr__load(c, n, v, x, NULL);

	if (err)
		return err;
	*ct = expr__promoted(v);
	*x = expr__conv(*x, *ct);
	return 0;
}

/* "X is only declared in ...; give its definition with --types FILE": the
 * error for a value of type (btf, id) whose layout no type source has */
static int incomplete(struct ectx *c, const struct enode *n, const char *what,
		      const struct btf *btf, uint32_t id)
{
	char msg[400];

	btfx__incomplete_msg(c->bx, btf, id, msg, sizeof(msg));
	return ai_err(EINVAL, "%s '%.*s': %s", what, NT(c, n), msg);
}

/* The size of what a pointer of btf points to (pointee), for arithmetic:
 * a forward declaration completed from the type sources; one that cannot
 * be is an error, not a guess; void counts bytes, as GNU C does. */
static int pointee_size(struct ectx *c, const struct enode *n, const struct btf *btf,
			uint32_t pointee, uint64_t *esz)
{
	btfx__complete(c->bx, &btf, &pointee);
	if (btfx__is_fwd(btf, pointee))
		return incomplete(c, n, "cannot do arithmetic on", btf, pointee);
	*esz = btfx_size(btf, pointee);
	if (!*esz)
		*esz = 1;
	return 0;
}

/* Resolve a type name once per btfx. */
int expr__resolve_type(struct ectx *c, const struct enode *n, const struct btf **btf, uint32_t *id)
{
	struct enode *m = (struct enode *)n; /* cache only */
	uint64_t serial = btfx__serial(c->bx);

	if (serial && m->serial == serial) {
		*btf = m->tbtf;
		*id = m->tid;
		return 0;
	}
	if (!c->bx || btfx__find_type(c->bx, n->name, btf, id))
		return ai_err(
			ENOENT, "unknown type '%s'%s", n->name,
			!btfx__nr_btfs(c->bx) ? " (no BTF loaded)"
			: !strncmp(n->name, "struct ", 7) || !strncmp(n->name, "union ", 6)
				? " (no type source defines it; --types FILE adds definitions)"
				: "");
	m->serial = serial;
	m->tbtf = *btf;
	m->tid = *id;
	return 0;
}

/* Does every enumerator of enum t fit in int? */
static bool enum_fits_int(const struct btf_type *t)
{
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t);

		for (int k = 0; k < btf_vlen(t); k++, e++)
			if (!btf_kflag(t) && (uint32_t)e->val > INT32_MAX)
				return false;
		return true;
	}
	for (int k = 0; k < btf_vlen(t); k++) {
		int64_t v = (int64_t)btf_enum64_value(btf_enum64(t) + k);

		if (btf_kflag(t) ? (v < INT32_MIN || v > INT32_MAX) : (uint64_t)v > INT32_MAX)
			return false;
	}
	return true;
}

/* An enumerator's value and C type: int, or the enum's own type when some
 * enumerator does not fit in int (C23, and GCC and clang before it). */
static int enum_constant(struct ectx *c, const char *name, uint64_t *v, unsigned *ct)
{
	for (int b = 0; b < btfx__nr_btfs(c->bx); b++) {
		const struct btf *btf = btfx__btf(c->bx, b);
		uint32_t cnt = btf__type_cnt(btf);

		for (uint32_t i = 1; i < cnt; i++) {
			const struct btf_type *t = btf__type_by_id(btf, i);

			if (btf_is_enum(t)) {
				const struct btf_enum *e = btf_enum(t);

				for (int k = 0; k < btf_vlen(t); k++, e++) {
					if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
						*v = btf_kflag(t) ? (uint64_t)(int64_t)e->val
								  : (uint64_t)(uint32_t)e->val;
						/* a signed 32-bit value always fits */
						*ct = enum_fits_int(t) ? EXPR_INT : EXPR_UINT;
						return 0;
					}
				}
			} else if (btf_is_enum64(t)) {
				const struct btf_enum64 *e = btf_enum64(t);

				for (int k = 0; k < btf_vlen(t); k++, e++) {
					if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
						*v = btf_enum64_value(e);
						*ct = enum_fits_int(t) ? EXPR_INT
						      : btf_kflag(t)   ? EXPR_LONG
								       : EXPR_ULONG;
						return 0;
					}
				}
			}
		}
	}
	return -ENOENT;
}

static int offer_member(const struct btfq_member *m, void *ctx)
{
	suggest__offer(ctx, m->name);
	return 0;
}

const char *expr__member_hint(const struct btf *btf, uint32_t id, const char *name, char *buf,
			      size_t len)
{
	struct suggest sg;

	suggest__init(&sg, name);
	btfq__for_each_member(btf, id, offer_member, &sg);
	return suggest__hint(&sg, buf, len);
}

/* $N, $, $$, $$N: the value history the btfx hands us (expr.h) */
static int eval_history(struct ectx *c, const struct enode *n, struct value *out)
{
	const struct expr_history *h = btfx__history(c->bx);
	uint64_t k;
	int err;

	if (!h || !h->get || !h->last)
		return ai_err(ENOENT, "'%s': no value history here (the TUI's :print keeps one)",
			      n->name);
	err = expr__history_ref(n->name, h->last(h->ctx), &k);
	if (err)
		return err;
	if (!h->last(h->ctx))
		return ai_err(ENOENT, "'%s': the value history is empty (print something first)",
			      n->name);
	return h->get(h->ctx, k, out);
}

static int eval_ident(struct ectx *c, const struct enode *n, struct value *out)
{
	const struct root *r;
	const struct map_var *var;
	uint64_t v;
	unsigned ct;

	if (n->name[0] == '$')
		return eval_history(c, n, out);
	r = btfx__find_root(c->bx, n->name);

	if (r) {
		if (r->kind == ROOT_MAP_PTR) {
			*out = scalar(r->btf, r->type_id, r->value);
		} else {
			*out = (struct value){ .btf = r->btf,
					       .type_id = r->type_id,
					       .lvalue = true,
					       .addr = r->addr };
		}
		return 0;
	}
	var = c->bx ? btfx__find_var(c->bx, n->name) : NULL;
	if (var) {
		*out = (struct value){ .btf = var->btf, .type_id = var->type_id, .var = var };
		return 0;
	}
	if (c->bx && !enum_constant(c, n->name, &v, &ct)) {
		*out = number(ct, v);
		return 0;
	}
	{
		struct suggest sg;

		/* a typo of a root ("hrd" for "hdr") */
		suggest__init(&sg, n->name);
		for (int i = 0; i < btfx__nr_roots(c->bx); i++)
			suggest__offer(&sg, btfx__root(c->bx, i)->name);
		for (int i = 0; i < btfx__nr_vars(c->bx); i++)
			suggest__offer(&sg, btfx__var(c->bx, i)->name);
		if (suggest__best(&sg))
			return ai_err(ENOENT,
				      "unknown name '%s' (not a root, a variable or an enum "
				      "constant; did you mean '%s'?)",
				      n->name, suggest__best(&sg));
		return ai_err(ENOENT,
			      "unknown name '%s' (not a root, a variable or an enum constant)",
			      n->name);
	}
}

static int read_bits(struct ectx *c, const struct value *base, uint64_t bitoff, uint32_t bits,
		     bool sign, uint64_t *out)
{
	uint8_t buf[9] = { 0 };
	uint64_t v = 0;
	size_t nbytes = (bitoff % 8 + bits + 7) / 8;
	int err;

	if (bits > 64 || !bits)
		return ai_err(EINVAL, "bitfield of %u bits", bits);
	err = expr__read(c->src, base, bitoff / 8, buf, nbytes);
	if (err)
		return err;
	for (uint32_t i = 0; i < bits; i++) {
		uint64_t b = bitoff % 8 + i;

		v |= (uint64_t)((buf[b / 8] >> (b % 8)) & 1) << i;
	}
	*out = expr__extend(v, bits, sign);
	return 0;
}

static int member(struct ectx *c, const struct enode *n, struct value *out)
{
	char hint[96];
	const struct btf_type *t;
	struct btfq_member bm;
	struct value base;
	uint64_t bitoff;
	uint32_t sid, mtype, bitsz;
	char tn[128];
	int err;

	err = expr__eval_node(c, n->a, &base);
	if (err)
		return err;
	t = expr__vtype(&base, &sid);
	if (n->kind != E_ARROW && base.btf && !base.slice_len &&
	    btfx__is_fwd(base.btf, base.type_id)) {
		if (!btfx__complete(c->bx, &base.btf, &base.type_id))
			return incomplete(c, n->a, "cannot use", base.btf, base.type_id);
		t = expr__vtype(&base, &sid);
	}
	if (n->kind == E_ARROW) {
		uint64_t p;

		if (!t || base.slice_len || !btf_is_ptr(t)) {
			expr__type_name(&base, tn, sizeof(tn));
			if (t && btf_is_composite(t) && !base.slice_len)
				return ai_err(EINVAL, "'%.*s' is %s, not a pointer; use '.%s'",
					      NT(c, n->a), tn, n->name);
			return ai_err(EINVAL, "'%.*s' is %s, not a pointer to a struct",
				      NT(c, n->a), tn);
		}
		err = expr__load(c, n->a, &base, &p, NULL);
		if (err)
			return err;
		if (!p)
			return ai_err(EFAULT, "'%.*s' is NULL (following '->%s')", NT(c, n->a),
				      n->name);
		base = (struct value){
			.btf = base.btf, .type_id = t->type, .lvalue = true, .addr = p
		};
		/* struct node declared only: its definition from the type sources */
		btfx__complete(c->bx, &base.btf, &base.type_id);
		if (btfx__is_fwd(base.btf, base.type_id))
			return incomplete(c, n->a, "cannot follow", base.btf, base.type_id);
		t = expr__vtype(&base, &sid);
		if (!t || !btf_is_composite(t)) {
			expr__type_name(&base, tn, sizeof(tn));
			return ai_err(EINVAL, "'%.*s' points to %s, not a struct or union",
				      NT(c, n->a), tn);
		}
	} else if (!t || base.slice_len || !btf_is_composite(t)) {
		expr__type_name(&base, tn, sizeof(tn));
		if (t && btf_is_ptr(t) && !base.slice_len)
			return ai_err(EINVAL, "'%.*s' is a pointer (%s); use '->%s'", NT(c, n->a),
				      tn, n->name);
		return ai_err(EINVAL, "'%.*s' is %s, not a struct or union", NT(c, n->a),
			      base.slice_len ? "a slice" : tn);
	}
	if (!base.lvalue && !base.var)
		return ai_err(EINVAL, "'%.*s' has no address", NT(c, n->a));
	t = expr__vtype(&base, &sid);
	if (!btfq__find_member(base.btf, sid, n->name, &bm)) {
		struct value sv = { .btf = base.btf, .type_id = sid };

		expr__type_name(&sv, tn, sizeof(tn));
		return ai_err(ENOENT, "'%s' is not a member of %s%s", n->name, tn,
			      expr__member_hint(base.btf, sid, n->name, hint, sizeof(hint)));
	}
	bitoff = bm.bit_off;
	mtype = bm.type;
	bitsz = bm.bitfield_size;
	if (!bitsz && bitoff % 8 == 0) {
		*out = (struct value){ .btf = base.btf,
				       .type_id = mtype,
				       .lvalue = base.lvalue,
				       .addr = base.addr + bitoff / 8,
				       .var = base.var };
		return 0;
	}
	/* a bitfield has no address of its own: read it now */
	{
		struct value mv = { .btf = base.btf, .type_id = mtype };
		const struct btf_type *mt = expr__vtype(&mv, NULL);
		uint64_t v = 0;

		if (!mt || !(btf_is_int(mt) || btf_is_any_enum(mt)))
			return ai_err(EINVAL, "member '%s' is not byte aligned", n->name);
		if (!bitsz)
			bitsz = btf_is_int(mt) ? btf_int_bits(mt) : mt->size * 8;
		err = read_bits(c, &base, bitoff, bitsz, expr__is_signed_type(mt), &v);
		if (err)
			return err;
		*out = scalar(base.btf, mtype, v);
		out->addr = base.var ? 0 : base.addr + bitoff / 8;
		out->bitfield = bitsz;
		return 0;
	}
}

/* What member() accepts after "->" (arrow) or ".", for completion: the
 * same checks on the value, then btfq's list */
int expr__for_each_member(const struct value *v, bool arrow,
			  int (*cb)(const struct btfq_member *m, void *ctx), void *ctx)
{
	uint32_t sid;

	if (!v->btf || v->slice_len || (!arrow && !v->lvalue && !v->var))
		return 0;
	sid = btfq__member_parent(v->btf, v->type_id, arrow);
	return sid ? btfq__for_each_member(v->btf, sid, cb, ctx) : 0;
}

/* For [] and [:]: the first element's address, the element type and the
 * number of elements (0: unknown, a pointer). */
static int indexable(struct ectx *c, const struct enode *n, const struct value *base,
		     uint64_t *addr, uint32_t *elem, uint64_t *nelems, const struct map_var **var)
{
	const struct btf_type *t = expr__vtype(base, NULL);
	bool placed = base->lvalue || base->var;
	char tn[128];
	int err;

	/* an array in a variable's bytes stays there; a pointer leads into
	 * the arena */
	*var = NULL;
	if (base->slice_len && placed) {
		*var = base->var;
		*addr = base->addr;
		*elem = base->type_id;
		*nelems = base->slice_len;
		return 0;
	}
	if (t && btf_is_array(t) && placed) {
		*var = base->var;
		*addr = base->addr;
		*elem = btf_array(t)->type;
		*nelems = btf_array(t)->nelems;
		if (!*nelems)
			*nelems = UINT64_MAX; /* flexible array member */
		return 0;
	}
	if (t && btf_is_ptr(t)) {
		err = expr__load(c, n, base, addr, NULL);
		if (err)
			return err;
		if (!*addr)
			return ai_err(EFAULT, "'%.*s' is NULL", NT(c, n));
		*elem = t->type;
		*nelems = UINT64_MAX;
		return 0;
	}
	expr__type_name(base, tn, sizeof(tn));
	return ai_err(EINVAL, "'%.*s' is %s; only arrays and pointers can be indexed", NT(c, n),
		      tn);
}

static int elem_size(struct ectx *c, const struct enode *n, const struct btf *btf, uint32_t elem,
		     uint64_t *sz)
{
	*sz = btfx_size(btf, elem);
	if (!*sz)
		return ai_err(EINVAL, "'%.*s': elements have no size (void or incomplete type)",
			      NT(c, n));
	return 0;
}

static int index_op(struct ectx *c, const struct enode *n, struct value *out)
{
	struct value base, iv, jv;
	uint64_t addr, nelems, esz, i, j = 0;
	const struct map_var *var;
	uint32_t elem;
	bool sign;
	int err;

	err = expr__eval_node(c, n->a, &base);
	if (!err)
		err = indexable(c, n->a, &base, &addr, &elem, &nelems, &var);
	if (!err) {
		/* p[i] with p a pointer to a declared-only struct */
		btfx__complete(c->bx, &base.btf, &elem);
		if (btfx__is_fwd(base.btf, elem))
			return incomplete(c, n->a, "cannot index", base.btf, elem);
		err = elem_size(c, n->a, base.btf, elem, &esz);
	}
	if (!err)
		err = expr__eval_node(c, n->b, &iv);
	if (!err)
		err = expr__load(c, n->b, &iv, &i, &sign);
	if (!err && n->c) {
		err = expr__eval_node(c, n->c, &jv);
		if (!err)
			err = expr__load(c, n->c, &jv, &j, &sign);
	}
	if (err)
		return err;
	if (n->kind == E_INDEX) {
		if (nelems != UINT64_MAX && i >= nelems)
			return ai_err(ERANGE,
				      "index %lld is out of range for '%.*s' (%llu elements)",
				      (long long)i, NT(c, n->a), (unsigned long long)nelems);
		*out = (struct value){ .btf = base.btf,
				       .type_id = elem,
				       .lvalue = !var,
				       .addr = addr + i * esz,
				       .var = var };
		return 0;
	}
	if ((int64_t)i < 0 || (int64_t)j <= (int64_t)i)
		return ai_err(EINVAL, "empty or reversed slice [%lld:%lld]", (long long)i,
			      (long long)j);
	if (nelems != UINT64_MAX && j > nelems)
		return ai_err(ERANGE, "slice end %llu is out of range for '%.*s' (%llu elements)",
			      (unsigned long long)j, NT(c, n->a), (unsigned long long)nelems);
	if (j - i > MAX_SLICE)
		return ai_err(ERANGE, "slice of %llu elements is too long",
			      (unsigned long long)(j - i));
	*out = (struct value){ .btf = base.btf,
			       .type_id = elem,
			       .lvalue = !var,
			       .addr = addr + i * esz,
			       .slice_len = (uint32_t)(j - i),
			       .var = var };
	return 0;
}

static int deref(struct ectx *c, const struct enode *n, struct value *out)
{
	const struct btf_type *t, *pt;
	const struct btf *pbtf;
	uint32_t pid;
	struct value v;
	uint64_t p;
	char tn[128];
	int err;

	err = expr__eval_node(c, n->a, &v);
	if (err)
		return err;
	t = expr__vtype(&v, NULL);
	if (v.slice_len || (t && btf_is_array(t) && (v.lvalue || v.var))) {
		const struct map_var *var;
		uint64_t addr, nelems;
		uint32_t elem;

		err = indexable(c, n->a, &v, &addr, &elem, &nelems, &var);
		if (err)
			return err;
		*out = (struct value){
			.btf = v.btf, .type_id = elem, .lvalue = !var, .addr = addr, .var = var
		};
		return 0;
	}
	if (!t || !btf_is_ptr(t)) {
		expr__type_name(&v, tn, sizeof(tn));
		return ai_err(EINVAL, "cannot dereference '%.*s': it is %s, not a pointer",
			      NT(c, n->a), tn);
	}
	pbtf = v.btf;
	pid = t->type;
	/* struct node declared only: its definition from the type sources */
	btfx__complete(c->bx, &pbtf, &pid);
	if (btfx__is_fwd(pbtf, pid))
		return incomplete(c, n->a, "cannot dereference", pbtf, pid);
	pt = btf__type_by_id(pbtf, btfx_skip_mods(pbtf, pid));
	if (pt && btf_is_void(pt) && btfx_skip_mods(pbtf, pid) == 0)
		pt = NULL;
	if (!pt) {
		expr__type_name(&v, tn, sizeof(tn));
		if (btfx_skip_mods(pbtf, pid) == 0)
			return ai_err(EINVAL,
				      "cannot dereference: '%.*s' is a %s: cast it, e.g. *(struct "
				      "NAME *)%.*s",
				      NT(c, n->a), tn, NT(c, n->a));
		return ai_err(EINVAL, "cannot dereference '%.*s' of type %s; cast it first",
			      NT(c, n->a), tn);
	}
	if (btf_is_func_proto(pt)) {
		expr__type_name(&v, tn, sizeof(tn));
		return ai_err(EINVAL, "cannot dereference '%.*s' of type %s; cast it first",
			      NT(c, n->a), tn);
	}
	err = expr__load(c, n->a, &v, &p, NULL);
	if (err)
		return err;
	if (!p)
		return ai_err(EFAULT, "cannot dereference '%.*s': it is NULL", NT(c, n->a));
	*out = (struct value){ .btf = pbtf, .type_id = pid, .lvalue = true, .addr = p };
	return 0;
}

static int addr_of(struct ectx *c, const struct enode *n, struct value *out)
{
	struct value v;
	const struct btf *pb;
	uint32_t pid;
	int err;

	err = expr__eval_node(c, n->a, &v);
	if (err)
		return err;
	if (v.var)
		return ai_err(EINVAL,
			      "cannot take the address of '%.*s': it is in the map variable '%s', "
			      "not the arena",
			      NT(c, n->a), v.var->name);
	if (!v.lvalue || !v.btf)
		return ai_err(EINVAL, "cannot take the address of '%.*s'", NT(c, n->a));
	err = btfx__ptr_to(c->bx, v.btf, v.type_id, &pb, &pid);
	if (err)
		return err;
	*out = scalar(pb, pid, v.addr);
	return 0;
}

/*
 * "(name)-1", "(name)*p", "(name)&x", "(name)+1": C reads these as casts
 * when name is a type, which the parser cannot know (it has no BTF); it
 * read a subtraction, a product... When name is no value but is a type,
 * evaluate the cast of the unary operator instead. The parser's
 * precedence stays: "(T)-a * b" casts -(a * b).
 */
static int maybe_cast(struct ectx *c, const struct enode *n, struct value *out)
{
	static const struct {
		enum binop op;
		enum ekind unary;
	} as_unary[] = {
		{ B_SUB, E_NEG }, { B_MUL, E_DEREF }, { B_BAND, E_ADDR }, { B_ADD, E_POS }
	};
	const struct btf *btf;
	struct enode un, cast_node;
	struct value v;
	uint32_t id;

	if (n->a->kind != E_IDENT || !n->a->paren || !c->bx)
		return 1;
	for (size_t i = 0; i < sizeof(as_unary) / sizeof(as_unary[0]); i++) {
		if ((enum binop)n->op != as_unary[i].op)
			continue;
		if (eval_ident(c, n->a, &v) != -ENOENT ||
		    btfx__find_type(c->bx, n->a->name, &btf, &id))
			return 1;
		un = (struct enode){
			.kind = as_unary[i].unary, .col = n->b->col, .end = n->end, .a = n->b
		};
		cast_node = (struct enode){
			.kind = E_CAST, .col = n->col, .end = n->end, .name = n->a->name, .a = &un
		};
		return expr__eval_node(c, &cast_node, out);
	}
	return 1;
}

/* a << b and a >> b: the type of the promoted left operand; a count that is
 * negative or not below its width is an error (C leaves it undefined) */
static int shift(struct ectx *c, const struct enode *n, uint64_t a, unsigned ct, uint64_t b,
		 unsigned bct, uint64_t *res)
{
	if (expr__ctype_signed(bct) && (int64_t)b < 0)
		return ai_err(EDOM, "negative shift count %lld in '%.*s'", (long long)b, NT(c, n));
	if (b >= expr__ctype_bits(ct))
		return ai_err(EDOM, "shift count %llu >= width of %s (%u bits) in '%.*s'",
			      (unsigned long long)b, expr__ctype_name(ct), expr__ctype_bits(ct),
			      NT(c, n));
	if (n->op == B_SHL)
		*res = expr__conv(a << b, ct); /* a negative or overflowing int wraps */
	else if (expr__ctype_signed(ct) && (int64_t)a < 0)
		*res = ~(~a >> b); /* arithmetic, as GCC and clang do */
	else
		*res = a >> b;
	return 0;
}

/*
 * Binary operators with C's rules: both operands promoted, then brought to
 * their common type (common_ctype); the result has that type, comparisons
 * and && || are int, shifts the left operand's type. Signed overflow wraps
 * (as with -fwrapv) instead of being undefined; INT_MIN / -1 wraps too,
 * and its remainder is 0. Division by zero is -EDOM.
 */
static int binary(struct ectx *c, const struct enode *n, struct value *out)
{
	struct value l, r;
	const struct btf_type *lt, *rt;
	uint64_t a, b, res = 0;
	unsigned ca, cb, ct;
	bool sign;
	int err;

	err = maybe_cast(c, n, out);
	if (err <= 0)
		return err;
	err = expr__eval_node(c, n->a, &l);
	if (!err)
		err = arith(c, n->a, &l, &a, &ca);
	if (err)
		return err;
	if (n->op == B_LAND || n->op == B_LOR) {
		if ((n->op == B_LAND && !a) || (n->op == B_LOR && a)) {
			*out = number(EXPR_INT, n->op == B_LOR);
			return 0;
		}
		err = expr__eval_node(c, n->b, &r);
		if (!err)
			err = arith(c, n->b, &r, &b, &cb);
		if (err)
			return err;
		*out = number(EXPR_INT, b != 0);
		return 0;
	}
	err = expr__eval_node(c, n->b, &r);
	if (!err)
		err = arith(c, n->b, &r, &b, &cb);
	if (err)
		return err;
	lt = l.slice_len ? NULL : expr__vtype(&l, NULL);
	rt = r.slice_len ? NULL : expr__vtype(&r, NULL);
	/* pointer arithmetic scales by the element size, as in C */
	if ((n->op == B_ADD || n->op == B_SUB) && lt && btf_is_ptr(lt) && !(rt && btf_is_ptr(rt))) {
		uint64_t esz;

		err = pointee_size(c, n->a, l.btf, lt->type, &esz);
		if (err)
			return err;
		res = n->op == B_ADD ? a + b * esz : a - b * esz;
		*out = scalar(l.btf, l.type_id, res);
		return 0;
	}
	if (n->op == B_ADD && rt && btf_is_ptr(rt) && !(lt && btf_is_ptr(lt))) {
		uint64_t esz;

		err = pointee_size(c, n->b, r.btf, rt->type, &esz);
		if (err)
			return err;
		*out = scalar(r.btf, r.type_id, b + a * esz);
		return 0;
	}
	if (n->op == B_SUB && lt && rt && btf_is_ptr(lt) && btf_is_ptr(rt)) {
		uint64_t esz;
		int64_t d = (int64_t)(a - b);

		err = pointee_size(c, n->a, l.btf, lt->type, &esz);
		if (err)
			return err;

		if (esz > 1)
			d /= (int64_t)esz;
		*out = number(EXPR_LONG, (uint64_t)d); /* ptrdiff_t */
		return 0;
	}
	if (n->op == B_SHL || n->op == B_SHR) {
		err = shift(c, n, a, ca, b, cb, &res);
		if (err)
			return err;
		*out = number(ca, res);
		return 0;
	}
	ct = expr__common_ctype(ca, cb);
	a = expr__conv(a, ct);
	b = expr__conv(b, ct);
	sign = expr__ctype_signed(ct);
	switch (n->op) {
	case B_ADD: res = a + b; break;
	case B_SUB: res = a - b; break;
	case B_MUL: res = a * b; break;
	case B_DIV:
	case B_MOD:
		if (!b)
			return ai_err(EDOM, "division by zero in '%.*s'", NT(c, n));
		if (sign && (int64_t)b == -1) /* x / -1 without trapping on INT64_MIN / -1 */
			res = n->op == B_DIV ? 0 - a : 0;
		else if (sign)
			res = n->op == B_DIV ? (uint64_t)((int64_t)a / (int64_t)b)
					     : (uint64_t)((int64_t)a % (int64_t)b);
		else
			res = n->op == B_DIV ? a / b : a % b;
		break;
	case B_LT: res = sign ? (int64_t)a < (int64_t)b : a < b; break;
	case B_LE: res = sign ? (int64_t)a <= (int64_t)b : a <= b; break;
	case B_GT: res = sign ? (int64_t)a > (int64_t)b : a > b; break;
	case B_GE: res = sign ? (int64_t)a >= (int64_t)b : a >= b; break;
	case B_EQ: res = a == b; break;
	case B_NE: res = a != b; break;
	case B_BAND: res = a & b; break;
	case B_BXOR: res = a ^ b; break;
	case B_BOR: res = a | b; break;
	}
	if (n->op >= B_LT && n->op <= B_NE)
		ct = EXPR_INT;
	*out = number(ct, res);
	return 0;
}

int expr__eval_node(struct ectx *c, const struct enode *n, struct value *out)
{
	struct value v;
	uint64_t x;
	unsigned ct;
	int err;

	memset(out, 0, sizeof(*out));
	switch (n->kind) {
	case E_NUM: *out = number(n->op, n->num); return 0;
	case E_IDENT: return eval_ident(c, n, out);
	case E_TYPE:
		return ai_err(
			EINVAL,
			"'%s' is a type, not a value; to see memory as one, write *(%s *)ADDR",
			n->name, n->name);
	case E_MEMBER:
	case E_ARROW: return member(c, n, out);
	case E_INDEX:
	case E_SLICE: return index_op(c, n, out);
	case E_DEREF: return deref(c, n, out);
	case E_ADDR: return addr_of(c, n, out);
	case E_CAST: return expr__eval_cast(c, n, out);
	case E_NEG:
	case E_NOT:
	case E_BITNOT:
	case E_POS:
		/* in the promoted type: -x of an unsigned int is an unsigned int */
		err = expr__eval_node(c, n->a, &v);
		if (!err)
			err = arith(c, n->a, &v, &x, &ct);
		if (err)
			return err;
		if (n->kind == E_NOT)
			*out = number(EXPR_INT, !x);
		else
			*out = number(ct, n->kind == E_NEG ? 0 - x : n->kind == E_BITNOT ? ~x : x);
		return 0;
	case E_BIN: return binary(c, n, out);
	case E_SIZEOF: return expr__eval_sizeof(c, n, out);
	case E_OFFSETOF: return expr__eval_offsetof(c, n, out);
	case E_CONTAINER_OF: return expr__eval_container_of(c, n, out);
	case E_DESIG: break; /* only inside offsetof and container_of */
	}
	return ai_err(EINVAL, "bad expression");
}

int expr__eval(const struct expr *e, struct btfx *bx, struct source *src, struct value *out)
{
	struct ectx c = { .bx = bx, .src = src, .text = e->text };

	return expr__eval_node(&c, e->root, out);
}

int expr__eval_int(const struct expr *e, struct btfx *bx, struct source *src, int64_t *out)
{
	struct ectx c = { .bx = bx, .src = src, .text = e->text };
	struct value v;
	uint64_t x;
	int err;

	err = expr__eval_node(&c, e->root, &v);
	if (!err)
		err = expr__load(&c, e->root, &v, &x, NULL);
	if (!err)
		*out = (int64_t)x;
	return err;
}

int expr__eval_str(const char *text, struct btfx *bx, struct source *src, struct value *out,
		   int *err_col)
{
	struct expr *e;
	int err;

	err = expr__parse(text, &e, err_col);
	if (err)
		return err;
	err = expr__eval(e, bx, src, out);
	expr__free(e);
	return err;
}

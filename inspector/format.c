// SPDX-License-Identifier: GPL-2.0
/*
 * format: walk a typed value and emit sink events.
 *
 * Memory is read in views: a struct or (the shown part of) an array is read
 * with one source__read, and its members are decoded from that buffer, so
 * a live arena costs one kernel pass per object rather than one per field.
 * Objects bigger than MAX_VIEW are walked member by member instead. Page
 * presence comes with each view; a pointer's target page is checked with a
 * one-byte read, cached per walk.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfq.h"
#include "btfx_internal.h"
#include "error.h"
#include "format.h"
#include "expr_ctype.h"
#include "format_int.h"

#define MAX_VIEW (1u << 20)
#define PATH_MAX_LEN 1024
#define PAGE_CACHE 64
#define MAX_DEPTH_CAP 256

struct view {
	uint64_t addr;
	size_t len;
	uint8_t *buf;
	uint8_t *present; /* per page, from the page of addr */
	bool imm;	  /* an rvalue: no address, always present */
	bool outside;	  /* the range is not in the arena */
	/* a map variable's bytes (value.var): addr is an offset in them, all
	 * present, no arena address; buf is borrowed (never view_free'd) */
	bool var;
};

struct visit {
	uint64_t addr;
	const struct btf *btf;
	uint32_t id;
	bool on_stack;
};

struct fctx {
	struct btfx *bx;
	struct source *src;
	struct sink *sink;
	struct fmt_opts o;
	int nodes;
	bool stopped;
	int err;
	int follow_level;
	bool deref; /* the next value walked is a followed pointer's pointee */
	struct visit *visits;
	int nr_visits, cap_visits;
	uint64_t pc_page[PAGE_CACHE];
	int8_t pc_state[PAGE_CACHE]; /* 0 unknown, 1 present, 2 missing */
	/* the path of the value being walked; star: it names a pointer and
	 * the value is what it points to */
	bool has_path;
	char path[PATH_MAX_LEN];
	size_t plen;
	bool path_overflow;
	bool star;
};

/* ------------------------------------------------------------ type names */

int fmt__type_name(const struct btf *btf, uint32_t id, char *buf, size_t len)
{
	return btfq__type_name(btf, id, buf, len);
}

/* ------------------------------------------------------------ paths */

static bool postfix_safe(const char *start)
{
	int br = 0;

	for (const char *p = start; *p; p++) {
		if (*p == '[')
			br++;
		else if (*p == ']')
			br--;
		else if (br > 0)
			continue;
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			   (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '$' ||
			   (*p == '-' && p[1] == '>') || (*p == '>' && p > start && p[-1] == '-')))
			return false;
	}
	return br == 0;
}

struct psave {
	size_t plen;
	bool overflow;
	bool star;
};

static struct psave path_save(const struct fctx *c)
{
	return (struct psave){ c->plen, c->path_overflow, c->star };
}

static void path_restore(struct fctx *c, struct psave s)
{
	c->plen = s.plen;
	c->path_overflow = s.overflow;
	c->star = s.star;
	if (c->plen < sizeof(c->path))
		c->path[c->plen] = '\0';
}

static void path_add(struct fctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void path_add(struct fctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->has_path || c->path_overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(c->path + c->plen, sizeof(c->path) - c->plen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(c->path) - c->plen) {
		c->path_overflow = true;
		c->path[c->plen] = '\0';
		return;
	}
	c->plen += n;
}

/* wrap the current path in parentheses, with a star when it names a
 * pointer: "(*p)" */
static void path_wrap(struct fctx *c)
{
	char tmp[PATH_MAX_LEN];

	if (!c->has_path || c->path_overflow)
		return;
	snprintf(tmp, sizeof(tmp), "%s", c->path);
	c->plen = 0;
	path_add(c, c->star ? "(*%s)" : "(%s)", tmp);
	c->star = false;
}

static void path_member(struct fctx *c, const char *name)
{
	path_add(c, c->star ? "->%s" : ".%s", name);
	c->star = false;
}

static void path_index(struct fctx *c, uint64_t i)
{
	if (c->star)
		path_wrap(c);
	path_add(c, "[%" PRIu64 "]", i);
}

/* The path of the current value itself ("*p" for a pointee). */
static const char *path_now(struct fctx *c, char *buf, size_t len)
{
	if (!c->has_path || c->path_overflow)
		return NULL;
	if (!c->star)
		return c->path;
	snprintf(buf, len, postfix_safe(c->path) ? "*%s" : "*(%s)", c->path);
	return buf;
}

/* ------------------------------------------------------------ emitting */

static bool limit_hit(struct fctx *c, const char *key)
{
	struct sink_attrs a = { .truncated = true, .note = "limit" };

	if (c->stopped)
		return true;
	if (c->nodes < c->o.max_nodes)
		return false;
	c->stopped = true;
	sink_value(c->sink, key ? "..." : NULL, SK_STR, "...", &a);
	return true;
}

static void leaf(struct fctx *c, const char *key, enum sink_kind k, const char *text,
		 const struct sink_attrs *a)
{
	if (limit_hit(c, key))
		return;
	c->nodes++;
	sink_value(c->sink, key, k, text, a);
}

/* ------------------------------------------------------------ memory */

static void view_free(struct view *v)
{
	if (!v)
		return;
	free(v->buf);
	free(v->present);
	memset(v, 0, sizeof(*v));
}

/* Read [addr, addr+len) into a new view. Outside the arena is not an
 * error here (the view says so); a source failure is. */
static int view_read(struct fctx *c, uint64_t addr, size_t len, struct view *v)
{
	size_t np = source__pages_spanned(c->src, addr, len ? len : 1);
	int r;

	memset(v, 0, sizeof(*v));
	v->addr = addr;
	v->len = len;
	if (!source__contains(c->src, addr, len ? len : 1)) {
		v->outside = true;
		return 0;
	}
	v->buf = calloc(1, len ? len : 1);
	v->present = calloc(np, 1);
	if (!v->buf || !v->present) {
		view_free(v);
		return ai_err(ENOMEM, "out of memory");
	}
	if (!len)
		return 0;
	r = source__read(c->src, addr, v->buf, len, v->present);
	if (r < 0) {
		view_free(v);
		if (r == -ERANGE) {
			v->addr = addr;
			v->len = len;
			v->outside = true;
			return 0;
		}
		return r;
	}
	return 0;
}

static bool view_covers(const struct view *v, uint64_t addr, size_t len)
{
	return v && !v->outside &&
	       (v->imm ? addr == v->addr && len <= v->len
		       : addr >= v->addr && len <= v->len && addr - v->addr <= v->len - len);
}

/* pages of [addr, addr+len) present in v: 2 all, 1 some, 0 none */
static int view_presence(const struct fctx *c, const struct view *v, uint64_t addr, size_t len)
{
	size_t first, np, n = 0;

	if (v->imm || v->var)
		return 2;
	if (v->outside)
		return 0;
	if (!len)
		len = 1;
	first = (addr >> c->src->info.page_shift) - (v->addr >> c->src->info.page_shift);
	np = source__pages_spanned(c->src, addr, len);
	for (size_t i = 0; i < np; i++)
		n += v->present[first + i] != 0;
	return n == np ? 2 : n ? 1 : 0;
}

static const uint8_t *view_bytes(const struct view *v, uint64_t addr)
{
	return v->buf + (v->imm ? 0 : addr - v->addr);
}

/* Is the page of a (in the arena) allocated? One-byte read, cached. */
static int page_present(struct fctx *c, uint64_t a)
{
	uint64_t pg = a >> c->src->info.page_shift;
	int slot = (int)(pg % PAGE_CACHE);
	uint8_t b, present = 0;
	int r;

	if (c->pc_state[slot] && c->pc_page[slot] == pg)
		return c->pc_state[slot] == 1;
	r = source__read(c->src, a, &b, 1, &present);
	if (r < 0)
		return 0;
	c->pc_page[slot] = pg;
	c->pc_state[slot] = present ? 1 : 2;
	return present;
}

/* ------------------------------------------------------------ the walk */

/* attrs.ftext: the bits in the print format asked for; /a adds where in
 * the arena they point, as GDB adds the symbol: <arena+0x1028> */
static void set_ftext(struct fctx *c, struct sink_attrs *a, uint64_t x, uint32_t bits, char *buf,
		      size_t len)
{
	if (!c->o.format || !fmt__int_as(c->o.format, x, bits, buf, len))
		return;
	if (c->o.format == 'a' && source__contains(c->src, x, 1)) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, " <arena+0x%" PRIx64 ">",
			 x - c->src->info.user_vm_start);
	}
	a->ftext = buf;
}

struct where {
	uint64_t addr;
	uint32_t bitoff; /* bits from addr (bitfields) */
	uint32_t bitsz;	 /* 0: not a bitfield */
};

static void walk(struct fctx *c, const struct btf *btf, uint32_t id, struct where w, struct view *v,
		 const char *key, int depth);

static void fill_attrs(struct fctx *c, struct sink_attrs *a, const struct btf *btf, uint32_t id,
		       const struct view *v, uint64_t addr, char *tbuf, size_t tlen, char *pbuf,
		       size_t plen)
{
	memset(a, 0, sizeof(*a));
	a->addr = v && (v->imm || v->var) ? 0 : addr;
	fmt__type_name(btf, id, tbuf, tlen);
	a->type = tbuf;
	a->path = path_now(c, pbuf, plen);
	a->size = btfx_size(btf, id);
	a->deref = c->deref;
	c->deref = false;
}

static void emit_pointer(struct fctx *c, const struct btf *btf, uint32_t id,
			 const struct btf_type *t, uint64_t p, struct sink_attrs *a,
			 const char *key, int depth)
{
	char text[32], target[256], ftext[80];
	uint32_t tid = t->type, rid;
	const struct btf_type *tt;
	const struct btf *tbtf = btf;
	uint64_t tsz;
	int found = -1;

	/* a pointer to a declared-only struct: its definition from the type
	 * sources (btfx__complete), in the BTF that has it */
	btfx__complete(c->bx, &tbtf, &tid);
	rid = btfx_skip_mods(tbtf, tid);
	tt = btf__type_by_id(tbtf, rid);
	set_ftext(c, a, p, 64, ftext, sizeof(ftext));
	if (!p) {
		leaf(c, key, SK_NULL, "NULL", a);
		return;
	}
	snprintf(text, sizeof(text), "0x%" PRIx64, p);
	fmt__type_name(tbtf, tid, target, sizeof(target));
	if (source__contains(c->src, p, 1)) {
		if (page_present(c, p)) {
			a->followable = true;
			a->target = target;
		} else {
			a->unallocated = true;
		}
	} else {
		a->outside = true;
		a->note = fmt_poison_note(p);
	}
	tsz = tt ? btfx_size(tbtf, rid) : 0;
	if (!a->followable || c->follow_level >= c->o.follow_ptrs || !tsz ||
	    depth >= c->o.max_depth || btf_is_func_proto(tt) || c->stopped) {
		leaf(c, key, SK_PTR, text, a);
		return;
	}
	for (int i = 0; i < c->nr_visits; i++) {
		if (c->visits[i].addr == p && c->visits[i].btf == tbtf && c->visits[i].id == rid) {
			found = i;
			break;
		}
	}
	if (found >= 0) {
		a->note = c->visits[found].on_stack ? "cycle" : "seen";
		a->truncated = true;
		leaf(c, key, SK_PTR, text, a);
		return;
	}
	if (c->nr_visits == c->cap_visits) {
		int cap = c->cap_visits ? c->cap_visits * 2 : 16;
		struct visit *n = realloc(c->visits, cap * sizeof(*n));

		if (!n) {
			leaf(c, key, SK_PTR, text, a);
			return;
		}
		c->visits = n;
		c->cap_visits = cap;
	}
	found = c->nr_visits++;
	c->visits[found] = (struct visit){ p, tbtf, rid, true };
	{
		struct psave s = path_save(c);
		struct where pw = { .addr = p };

		/* the pointee's path is "*P", its members "P->m" */
		if (c->star)
			path_wrap(c);
		c->star = true;
		c->deref = true;
		c->follow_level++;
		walk(c, tbtf, tid, pw, NULL, key, depth + 1);
		c->follow_level--;
		path_restore(c, s);
	}
	c->visits[found].on_stack = false;
}

static void emit_scalar(struct fctx *c, const struct btf *btf, uint32_t id,
			const struct btf_type *t, const uint8_t *b, struct where w,
			struct sink_attrs *a, const char *key, int depth)
{
	char text[64], ftext[80];
	const char *shown;
	enum sink_kind k;
	uint64_t x;
	uint32_t bits;
	bool sign;

	if (btf_is_ptr(t)) {
		uint64_t x;

		memcpy(&x, b, 8);
		emit_pointer(c, btf, id, t, x, a, key, depth);
		return;
	}
	k = fmt_scalar(btf, t, b, w.bitoff, w.bitsz, text, sizeof(text), &shown);
	if (c->o.format && fmt_scalar_bits(t, b, w.bitoff, w.bitsz, &x, &bits, &sign))
		set_ftext(c, a, x, bits, ftext, sizeof(ftext));
	leaf(c, key, k, shown, a);
}

static void emit_members(struct fctx *c, const struct btf *btf, const struct btf_type *t,
			 struct where w, struct view *v, int depth, int anon_depth)
{
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t) && !c->stopped && !c->err; i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		uint32_t boff = btf_member_bit_offset(t, i) + w.bitoff;
		uint32_t bsz = btf_member_bitfield_size(t, i);
		struct where mw = { .addr = w.addr + boff / 8, .bitoff = boff % 8, .bitsz = bsz };

		if (!name || !*name) {
			const struct btf_type *mt =
				btf__type_by_id(btf, btfx_skip_mods(btf, m->type));

			/* members of an anonymous struct/union are the parent's */
			if (mt && btf_is_composite(mt) && !bsz && anon_depth < 16) {
				emit_members(c, btf, mt, mw, v, depth, anon_depth + 1);
			} else if (mt && btf_is_composite(mt) && !bsz) {
				/* nested too deep to show: say so, do not drop it */
				struct sink_attrs da = { .addr = mw.addr,
							 .truncated = true,
							 .note = "depth" };

				leaf(c, "...", SK_STR, "{...}", &da);
			}
			continue;
		}
		{
			struct psave s = path_save(c);

			path_member(c, name);
			walk(c, btf, m->type, mw, v, name, depth + 1);
			path_restore(c, s);
		}
	}
}

/* A char array as a string up to its first NUL, of the n bytes shown out
 * of total: no NUL among them and more bytes in the array is a cut. */
static void emit_string(struct fctx *c, const uint8_t *b, uint64_t n, uint64_t total,
			struct sink_attrs *a, const char *key)
{
	char *s;
	uint64_t l = 0;

	while (l < n && b[l])
		l++;
	if (l == n && n < total) {
		a->truncated = true;
		a->total = total;
	}
	s = malloc(l + 1);
	if (!s) {
		c->err = ai_err(ENOMEM, "out of memory");
		return;
	}
	memcpy(s, b, l);
	s[l] = '\0';
	leaf(c, key, SK_STR, s, a);
	free(s);
}

/* Array elements [0, n) of elem at w.addr; shown: how many to emit. */
static void emit_elements(struct fctx *c, const struct btf *btf, uint32_t elem, uint64_t esz,
			  uint64_t shown, struct where w, struct view *v, int depth)
{
	for (uint64_t i = 0; i < shown && !c->stopped && !c->err; i++) {
		struct psave s = path_save(c);
		struct where ew = { .addr = w.addr + i * esz };

		path_index(c, i);
		walk(c, btf, elem, ew, v, NULL, depth + 1);
		path_restore(c, s);
	}
}

static void walk(struct fctx *c, const struct btf *btf, uint32_t id, struct where w, struct view *v,
		 const char *key, int depth)
{
	uint32_t rid;
	const struct btf_type *t;
	char tbuf[256], pbuf[PATH_MAX_LEN + 8];
	struct sink_attrs a;
	struct view own = { 0 };
	uint64_t size, need, shown = 0, esz = 0, n = 0;
	uint32_t elem = 0;
	bool composite, array;
	int pres = 2;

	if (c->stopped || c->err)
		return;
	/* a declared-only struct: its definition from the type sources */
	btfx__complete(c->bx, &btf, &id);
	rid = btfx_skip_mods(btf, id);
	t = btf__type_by_id(btf, rid);
	fill_attrs(c, &a, btf, id, v, w.addr, tbuf, sizeof(tbuf), pbuf, sizeof(pbuf));
	if (!t || btf_is_void(t) || btf_is_fwd(t) || btf_is_func(t) || btf_is_func_proto(t) ||
	    btf_is_var(t) || btf_is_datasec(t)) {
		a.note = "incomplete type";
		leaf(c, key, SK_STR, "?", &a);
		return;
	}
	composite = btf_is_composite(t);
	array = btf_is_array(t);
	size = btfx_size(btf, rid);
	need = size;
	if (array) {
		elem = btf_array(t)->type;
		n = btf_array(t)->nelems;
		esz = btfx_size(btf, elem);
		shown = n < (uint64_t)c->o.max_array ? n : (uint64_t)c->o.max_array;
		need = shown * esz;
		if (!esz)
			need = 0;
	}
	if ((composite || array) && depth > c->o.max_depth) {
		a.truncated = true;
		a.note = "depth";
		leaf(c, key, SK_STR, array ? "[...]" : "{...}", &a);
		return;
	}
	if (w.bitsz)
		need = (w.bitoff + w.bitsz + 7) / 8;
	/* bytes: from the parent's view, or read now */
	/* (a variable's view covers its type: fmt__value checked) */
	if (!view_covers(v, w.addr, need) && !(v && (v->imm || v->var))) {
		if (need <= MAX_VIEW || !(composite || array)) {
			c->err = view_read(c, w.addr, need, &own);
			if (c->err)
				return;
			v = &own;
		} else {
			v = NULL; /* too big: members read their own */
		}
	}
	if (v && (v->outside || (pres = view_presence(c, v, w.addr, need)) == 0) && need) {
		if (v->outside)
			a.outside = true;
		else
			a.unallocated = true;
		leaf(c, key, SK_NUM, "", &a);
		goto out;
	}
	if (composite) {
		if (limit_hit(c, key))
			goto out;
		c->nodes++;
		sink_begin(c->sink, key, false, &a);
		emit_members(c, btf, t, (struct where){ .addr = w.addr }, v, depth, 0);
		sink_end(c->sink, false);
		goto out;
	}
	if (array) {
		const struct btf_type *et = btf__type_by_id(btf, btfx_skip_mods(btf, elem));

		/* print/s: an array of 1-byte integers is a string too (GDB) */
		if (et &&
		    (fmt_is_char(btf, et) || (c->o.format == 's' && btf_is_int(et) &&
					      et->size == 1 && !btf_int_offset(et))) &&
		    v && pres == 2) {
			emit_string(c, view_bytes(v, w.addr), shown, n, &a, key);
			goto out;
		}
		if (limit_hit(c, key))
			goto out;
		c->nodes++;
		a.truncated = shown < n;
		a.total = a.truncated ? n : 0;
		sink_begin(c->sink, key, true, &a);
		if (esz)
			emit_elements(c, btf, elem, esz, shown, w, v, depth);
		sink_end(c->sink, true);
		goto out;
	}
	if (pres != 2) {
		a.unallocated = true;
		leaf(c, key, SK_NUM, "", &a);
		goto out;
	}
	emit_scalar(c, btf, id, t, view_bytes(v, w.addr), w, &a, key, depth);
out:
	view_free(&own);
}

/* The view of a map variable's bytes for a value in it (value.var) that
 * needs `need` bytes from its offset; -ERANGE when they run past the end */
static int var_view(const struct value *v, struct view *vv, uint64_t need)
{
	const struct map_var *m = v->var;

	if (v->addr > m->size || need > m->size - v->addr)
		return ai_err(ERANGE, "%llu bytes at +%llu run past the end of '%s' (%u bytes)",
			      (unsigned long long)need, (unsigned long long)v->addr, m->name,
			      m->size);
	*vv = (struct view){ .addr = 0, .len = m->size, .buf = (uint8_t *)m->data, .var = true };
	return 0;
}

static void fix_opts(struct fmt_opts *o, const struct fmt_opts *in)
{
	memset(o, 0, sizeof(*o));
	if (in)
		*o = *in;
	if (o->max_depth <= 0)
		o->max_depth = 16;
	if (o->max_depth > MAX_DEPTH_CAP)
		o->max_depth = MAX_DEPTH_CAP;
	if (o->max_array <= 0)
		o->max_array = 256;
	if (o->max_nodes <= 0)
		o->max_nodes = 100000;
	if (o->follow_ptrs < 0)
		o->follow_ptrs = 0;
	if (!fmt__format_ok(o->format))
		o->format = 0;
}

int fmt__value(struct btfx *bx, struct source *src, const struct value *v, const char *key,
	       struct sink *sink, const struct fmt_opts *opts)
{
	struct fctx c = { .bx = bx, .src = src, .sink = sink };
	struct view vv = { 0 };
	struct sink_attrs a;
	char tbuf[256], pbuf[PATH_MAX_LEN + 8], text[32], ftext[80];
	int err = 0;

	fix_opts(&c.o, opts);
	if (c.o.path) {
		const char *p = c.o.path;

		c.has_path = true;
		/* "*p" names the pointee of p: its members are p->m, not (*p).m */
		while (*p == ' ')
			p++;
		if (*p == '*' && p[1] && postfix_safe(p + 1)) {
			snprintf(c.path, sizeof(c.path), "%s", p + 1);
			c.star = true;
		} else {
			snprintf(c.path, sizeof(c.path), postfix_safe(p) ? "%s" : "(%s)", p);
		}
		c.plen = strlen(c.path);
		c.path_overflow = strlen(c.o.path) + 2 >= sizeof(c.path);
	}
	if (!v->btf) {
		/* a computed integer (1 + x, a < b) in its C type: int, unsigned long... */
		memset(&a, 0, sizeof(a));
		a.type = expr__ctype_name(v->ctype);
		a.path = path_now(&c, pbuf, sizeof(pbuf));
		if (expr__ctype_signed(v->ctype))
			snprintf(text, sizeof(text), "%" PRId64, (int64_t)v->scalar);
		else
			snprintf(text, sizeof(text), "%" PRIu64, v->scalar);
		set_ftext(&c, &a, v->scalar, expr__ctype_bits(v->ctype), ftext, sizeof(ftext));
		sink_value(sink, key, SK_NUM, text, &a);
		return 0;
	}
	if (!btf__type_by_id(v->btf, v->type_id))
		return ai_err(EINVAL, "bad type id %u", v->type_id);
	if (v->var &&
	    var_view(v, &vv, btfx_size(v->btf, v->type_id) * (v->slice_len ? v->slice_len : 1)))
		return -ERANGE;
	if (v->slice_len) {
		uint64_t esz = btfx_size(v->btf, v->type_id);
		uint64_t shown = v->slice_len < (uint32_t)c.o.max_array ? v->slice_len
									: (uint64_t)c.o.max_array;
		struct where w = { .addr = v->addr };
		struct view own = { 0 };

		if (!esz)
			return ai_err(EINVAL, "slice of elements with no size");
		if (!v->var && !source__contains(src, v->addr, esz * v->slice_len))
			return ai_err(ERANGE, "0x%" PRIx64 "+%" PRIu64 " is outside the arena",
				      v->addr, esz * v->slice_len);
		memset(&a, 0, sizeof(a));
		a.addr = v->var ? 0 : v->addr; /* a variable's bytes have no address */
		fmt__type_name(v->btf, v->type_id, tbuf, sizeof(tbuf) - 16);
		snprintf(tbuf + strlen(tbuf), 16, "[%u]", v->slice_len);
		a.type = tbuf;
		a.path = path_now(&c, pbuf, sizeof(pbuf));
		a.truncated = shown < v->slice_len;
		a.total = a.truncated ? v->slice_len : 0;
		if (v->var) {
			c.nodes++;
			sink_begin(sink, key, true, &a);
			emit_elements(&c, v->btf, v->type_id, esz, shown, w, &vv, 0);
			sink_end(sink, true);
			err = c.err;
			free(c.visits);
			return err;
		}
		if (shown * esz <= MAX_VIEW) {
			err = view_read(&c, v->addr, shown * esz, &own);
			if (err)
				return err;
		}
		c.nodes++;
		sink_begin(sink, key, true, &a);
		emit_elements(&c, v->btf, v->type_id, esz, shown, w, own.buf ? &own : NULL, 0);
		sink_end(sink, true);
		view_free(&own);
		err = c.err;
	} else if (v->var) {
		walk(&c, v->btf, v->type_id, (struct where){ .addr = v->addr }, &vv, key, 0);
		err = c.err;
	} else if (!v->lvalue) {
		uint8_t buf[8];
		struct view imm = { .buf = buf, .len = 8, .imm = true };

		memcpy(buf, &v->scalar, 8);
		/* a bitfield keeps its width: print/x of a 4-bit -3 is 0xd */
		walk(&c, v->btf, v->type_id, (struct where){ .bitsz = v->bitfield }, &imm, key, 0);
		err = c.err;
	} else {
		uint64_t sz = btfx_size(v->btf, v->type_id);

		if (!source__contains(src, v->addr, sz ? sz : 1)) {
			/* starts inside, ends outside: say so, not "outside" */
			if (source__contains(src, v->addr, 1))
				return ai_err(ERANGE,
					      "0x%" PRIx64 "+%" PRIu64
					      " runs past the end of the arena (0x%" PRIx64 ")",
					      v->addr, sz, src->info.user_vm_end);
			return ai_err(ERANGE, "0x%" PRIx64 " is outside the arena", v->addr);
		}
		walk(&c, v->btf, v->type_id, (struct where){ .addr = v->addr }, NULL, key, 0);
		err = c.err;
	}
	free(c.visits);
	return err;
}

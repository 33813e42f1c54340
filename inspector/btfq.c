// SPDX-License-Identifier: GPL-2.0
/*
 * btfq: the questions about one BTF type that the evaluator, the formatter
 * and the UI all ask (btfq.h): its C name, pointer or not, its members
 * through anonymous structs and unions, the struct `x->`/`x.` names, and
 * its declaration through btf_dump. One walk over the members serves both
 * lookup and listing, so TAB completion offers exactly the names that
 * evaluation accepts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfq.h"
#include "btfx_internal.h"
#include "error.h"
#include "sink.h"

#define MAX_ANON_DEPTH 32 /* nested anonymous members looked into */

/* ------------------------------------------------------------ type names */

static const char *kind_kw(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT: return "struct ";
	case BTF_KIND_UNION: return "union ";
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: return "enum ";
	case BTF_KIND_FWD: return btf_kflag(t) ? "union " : "struct ";
	default: return "";
	}
}

/* decl = fmt with %s replaced by the old decl (vsnprintf: cut, not overflow) */
static __attribute__((noinline)) void decl_wrap(char *decl, size_t len, const char *fmt)
{
	char old[256];

	snprintf(old, sizeof(old), "%s", decl);
	snprintf(decl, len, fmt, old);
}

int btfq__type_name(const struct btf *btf, uint32_t id, char *buf, size_t len)
{
	char decl[256] = "", quals[64] = "";
	const char *base = NULL;
	char basebuf[160];

	if (!len)
		return -EINVAL;
	for (int guard = 0; guard < 64 && !base; guard++) {
		const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
		const char *name;

		if (!id) {
			base = "void";
			break;
		}
		if (!t) {
			snprintf(buf, len, "<bad type %u>", id);
			return -EINVAL;
		}
		name = btf__name_by_offset(btf, t->name_off);
		switch (btf_kind(t)) {
		case BTF_KIND_PTR: {
			const struct btf_type *nt =
				btf__type_by_id(btf, btfx_skip_mods(btf, t->type));

			decl_wrap(decl, sizeof(decl), "*%s");
			if (nt && (btf_is_array(nt) || btf_is_func_proto(nt)))
				decl_wrap(decl, sizeof(decl), "(%s)");
			id = t->type;
			break;
		}
		case BTF_KIND_ARRAY: {
			size_t l = strlen(decl);

			snprintf(decl + l, sizeof(decl) - l, "[%u]", btf_array(t)->nelems);
			id = btf_array(t)->type;
			break;
		}
		case BTF_KIND_FUNC_PROTO:
			decl_wrap(decl, sizeof(decl), "%s(...)");
			id = t->type;
			break;
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT: {
			const char *q = btf_is_const(t)	     ? "const"
					: btf_is_volatile(t) ? "volatile"
							     : "restrict";
			const struct btf_type *nt =
				btf__type_by_id(btf, btfx_skip_mods(btf, t->type));

			if (nt && btf_is_ptr(nt)) {
				/* qualifies a pointer: "char *const" */
				char fmt[32];

				snprintf(fmt, sizeof(fmt), "%s%s%%s", q, decl[0] ? " " : "");
				decl_wrap(decl, sizeof(decl), fmt);
			} else {
				size_t l = strlen(quals);

				snprintf(quals + l, sizeof(quals) - l, "%s ", q);
			}
			id = t->type;
			break;
		}
		case BTF_KIND_TYPE_TAG:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG: id = t->type; break;
		case BTF_KIND_DATASEC:
			snprintf(basebuf, sizeof(basebuf), "section %s", name ? name : "?");
			base = basebuf;
			break;
		default:
			if (name && *name)
				snprintf(basebuf, sizeof(basebuf), "%s%s", kind_kw(t), name);
			else
				snprintf(basebuf, sizeof(basebuf), "%s(anonymous)", kind_kw(t));
			base = basebuf;
			break;
		}
	}
	if (!base)
		base = "<type loop>";
	/* a name too long for buf ends in "..." rather than looking whole */
	if ((size_t)snprintf(buf, len, "%s%s%s%s", quals, base,
			     decl[0] && decl[0] != '[' ? " " : "", decl) >= len &&
	    len > 4)
		memcpy(buf + len - 4, "...", 4);
	return 0;
}

bool btfq__is_ptr(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, btfx_skip_mods(btf, id));

	return t && btf_is_ptr(t);
}

bool btfq__same_type(const struct btf *a, uint32_t ia, const struct btf *b, uint32_t ib)
{
	char na[160], nb[160];

	ia = btfx_skip_mods(a, ia);
	ib = btfx_skip_mods(b, ib);
	if (a == b && ia == ib)
		return true;
	if (btfq__type_name(a, ia, na, sizeof(na)) || btfq__type_name(b, ib, nb, sizeof(nb)))
		return false;
	return !strcmp(na, nb);
}

/* ------------------------------------------------------------ members */

/* The members of struct/union sid, anonymous ones replaced by theirs (as C
 * names them); base is the bit offset of sid in the outermost struct. */
static int walk_members(const struct btf *btf, uint32_t sid, uint64_t base, int depth,
			int (*cb)(const struct btfq_member *m, void *ctx), void *ctx)
{
	const struct btf_type *t = btf__type_by_id(btf, sid);
	const struct btf_member *m;
	int r;

	if (!t || !btf_is_composite(t) || depth > MAX_ANON_DEPTH)
		return 0;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint64_t off = base + btf_member_bit_offset(t, i);

		if (mn && *mn) {
			struct btfq_member bm = {
				.name = mn,
				.type = m->type,
				.bit_off = off,
				.bitfield_size = btf_member_bitfield_size(t, i),
			};

			r = cb(&bm, ctx);
		} else {
			/* anonymous struct/union: its members are ours */
			r = walk_members(btf, btfx_skip_mods(btf, m->type), off, depth + 1, cb,
					 ctx);
		}
		if (r)
			return r;
	}
	return 0;
}

int btfq__for_each_member(const struct btf *btf, uint32_t id,
			  int (*cb)(const struct btfq_member *m, void *ctx), void *ctx)
{
	return walk_members(btf, btfx_skip_mods(btf, id), 0, 0, cb, ctx);
}

struct find_ctx {
	const char *name;
	struct btfq_member *out;
};

static int find_cb(const struct btfq_member *m, void *ctx)
{
	struct find_ctx *f = ctx;

	if (strcmp(m->name, f->name))
		return 0;
	*f->out = *m;
	return 1;
}

bool btfq__find_member(const struct btf *btf, uint32_t id, const char *name,
		       struct btfq_member *out)
{
	struct find_ctx f = { .name = name, .out = out };

	return btfq__for_each_member(btf, id, find_cb, &f) == 1;
}

uint32_t btfq__member_parent(const struct btf *btf, uint32_t id, bool arrow)
{
	uint32_t rid = btfx_skip_mods(btf, id);
	const struct btf_type *t = btf__type_by_id(btf, rid);

	if (t && arrow) {
		if (!btf_is_ptr(t))
			return 0;
		rid = btfx_skip_mods(btf, t->type);
		t = btf__type_by_id(btf, rid);
	}
	return t && btf_is_composite(t) ? rid : 0;
}

/* ------------------------------------------------------------ declarations */

static void dump_printf(void *ctx, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n > 0)
		strbuf_write(ctx, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

int btfq__dump_type(const struct btf *btf, uint32_t id, struct strbuf *out)
{
	struct strbuf sb = {};
	struct btf_dump *d;
	int err;

	if (!btf__type_by_id(btf, id))
		return ai_err(EINVAL, "no type %u in this BTF", id);
	d = btf_dump__new(btf, dump_printf, &sb, NULL);
	if (!d) {
		err = errno ? errno : ENOMEM;
		return ai_err(err, "cannot declare type %u: %s", id, strerror(err));
	}
	if (btf_dump__dump_type(d, id) == 0 && sb.len)
		strbuf_write(out, sb.buf, sb.len);
	btf_dump__free(d);
	strbuf_free(&sb);
	return 0;
}

/* ------------------------------------------------------------ layout */

#define MAX_LAYOUT_DEPTH 16

struct lay {
	const struct btf *btf;
	int (*cb)(const struct btfq_layout_item *it, void *ctx);
	void *ctx;
	char path[512];
};

static int lay_gap(struct lay *l, enum btfq_layout_kind kind, int depth, uint64_t from, uint64_t to)
{
	struct btfq_layout_item it = { .kind = kind, .depth = depth, .path = l->path };

	if (to <= from)
		return 0;
	it.bit_offset = from;
	it.offset = from / 8;
	it.size = (to - from) / 8;
	it.bit_size = (to - from) % 8;
	return l->cb(&it, l->ctx);
}

/* the members of composite sid at bit base; path is the parent's */
static int lay_walk(struct lay *l, uint32_t sid, uint64_t base, int depth)
{
	const struct btf_type *t = btf__type_by_id(l->btf, sid);
	const struct btf_member *m = btf_members(t);
	bool is_union = btf_is_union(t);
	size_t plen = strlen(l->path);
	uint64_t end = 0; /* bits used so far, from the start of sid */
	int r;

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(l->btf, m->name_off);
		uint32_t mid = btfx_skip_mods(l->btf, m->type);
		const struct btf_type *mt = btf__type_by_id(l->btf, mid);
		uint64_t off = btf_member_bit_offset(t, i);
		uint32_t bsz = btf_member_bitfield_size(t, i);
		uint64_t msz = btfx_size(l->btf, m->type);
		struct btfq_layout_item it = {
			.kind = BTFQ_LAYOUT_MEMBER,
			.depth = depth,
			.name = mn ? mn : "",
			.type = m->type,
			.bit_offset = base + off,
			.offset = (base + off) / 8,
			.size = msz,
			.bit_size = bsz,
			.in_union = is_union,
		};

		if (!is_union && off > end &&
		    (r = lay_gap(l, BTFQ_LAYOUT_HOLE, depth, base + end, base + off)))
			return r;
		if (mn && *mn)
			snprintf(l->path + plen, sizeof(l->path) - plen, "%s%s", plen ? "." : "",
				 mn);
		it.path = l->path;
		it.nested = mt && btf_is_composite(mt) && !bsz;
		if (it.nested && depth + 1 >= MAX_LAYOUT_DEPTH) {
			it.nested = false;
			it.truncated = true;
		}
		r = l->cb(&it, l->ctx);
		if (!r && it.nested) {
			r = lay_walk(l, mid, base + off, depth + 1);
			if (!r) {
				struct btfq_layout_item e = { .kind = BTFQ_LAYOUT_END,
							      .depth = depth,
							      .name = it.name,
							      .path = l->path,
							      .type = m->type,
							      .bit_offset = base + off,
							      .offset = (base + off) / 8,
							      .size = msz };

				r = l->cb(&e, l->ctx);
			}
		}
		l->path[plen] = '\0';
		if (r)
			return r;
		if (off + (bsz ? bsz : msz * 8) > end)
			end = off + (bsz ? bsz : msz * 8);
	}
	if (!is_union && (uint64_t)t->size * 8 > end)
		return lay_gap(l, BTFQ_LAYOUT_PADDING, depth, base + end,
			       base + (uint64_t)t->size * 8);
	return 0;
}

int btfq__layout(const struct btf *btf, uint32_t id,
		 int (*cb)(const struct btfq_layout_item *it, void *ctx), void *ctx)
{
	uint32_t sid = btfx_skip_mods(btf, id);
	const struct btf_type *t = btf__type_by_id(btf, sid);
	struct lay l = { .btf = btf, .cb = cb, .ctx = ctx };
	char tn[160];

	if (!t || !btf_is_composite(t)) {
		btfq__type_name(btf, id, tn, sizeof(tn));
		return ai_err(EINVAL, "%s is not a struct or union%s", tn,
			      t && btf_is_fwd(t) ? " (only declared: its layout is unknown)" : "");
	}
	return lay_walk(&l, sid, 0, 0);
}

/* "RET (*name)(T1, T2)" for a pointer to a function prototype, with its
 * parameters as GDB shows them; false for any other type */
static bool declare_fn(const struct btf *btf, uint32_t type, const char *name, char *buf,
		       size_t len)
{
	const struct btf_type *t = btf__type_by_id(btf, btfx_skip_mods(btf, type)), *ft;
	const struct btf_param *p;
	char ret[160], pn[160];
	size_t n;

	if (!t || !btf_is_ptr(t))
		return false;
	ft = btf__type_by_id(btf, t->type);
	if (!ft || !btf_is_func_proto(ft))
		return false;
	btfq__type_name(btf, ft->type, ret, sizeof(ret));
	n = snprintf(buf, len, "%s (*%s)(", ret, name);
	p = btf_params(ft);
	for (int i = 0; i < btf_vlen(ft) && n < len; i++, p++) {
		if (!p->type && i == btf_vlen(ft) - 1)
			snprintf(pn, sizeof(pn), "...");
		else
			btfq__type_name(btf, p->type, pn, sizeof(pn));
		n += snprintf(buf + n, len - n, "%s%s", i ? ", " : "", pn);
	}
	if (n < len)
		n += snprintf(buf + n, len - n, "%s)", btf_vlen(ft) ? "" : "void");
	return true;
}

/* "TYPE NAME" as C declares it: "char name[8]", "void (*fn)(int)" */
static void declare(const struct btf *btf, uint32_t type, const char *name, char *buf, size_t len)
{
	char tn[256];
	char *paren, *bracket;

	if (declare_fn(btf, type, name, buf, len))
		return;
	btfq__type_name(btf, type, tn, sizeof(tn));
	paren = strstr(tn, "(*");
	bracket = strchr(tn, '[');
	if (paren) {
		char *p = paren + 1;

		while (*p == '*')
			p++;
		snprintf(buf, len, "%.*s%s%s", (int)(p - tn), tn, name, p);
	} else if (bracket) {
		snprintf(buf, len, "%.*s%s%s%s", (int)(bracket - tn), tn,
			 bracket > tn && (bracket[-1] == ' ' || bracket[-1] == '*') ? "" : " ",
			 name, bracket);
	} else {
		snprintf(buf, len, "%s%s%s", tn, *name && tn[strlen(tn) - 1] != '*' ? " " : "",
			 name);
	}
}

#define OFFSET_COL 27 /* "/ * offset      |    size * /" */

struct lay_text {
	const struct btf *btf;
	struct strbuf *out;
};

static void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		strbuf_write(sb, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void total_line(struct strbuf *sb, int indent, uint64_t size)
{
	sb_printf(sb, "\n%*s/* total size (bytes): %4llu */\n", indent, "",
		  (unsigned long long)size);
}

static int lay_text_cb(const struct btfq_layout_item *it, void *ctx)
{
	struct lay_text *lt = ctx;
	struct strbuf *sb = lt->out;
	int indent = 4 * (it->depth + 1);
	char decl[400];

	switch (it->kind) {
	case BTFQ_LAYOUT_HOLE:
	case BTFQ_LAYOUT_PADDING: {
		const char *what = it->kind == BTFQ_LAYOUT_HOLE ? "hole" : "padding";

		if (it->bit_size)
			sb_printf(sb, "/* XXX %2u-bit %-7s    */\n", it->bit_size, what);
		if (it->size)
			sb_printf(sb, "/* XXX %2llu-byte %-7s   */\n", (unsigned long long)it->size,
				  what);
		return 0;
	}
	case BTFQ_LAYOUT_END:
		total_line(sb, OFFSET_COL + indent + 4, it->size);
		sb_printf(sb, "%*s}%s%s;\n", OFFSET_COL + indent, "", *it->name ? " " : "",
			  it->name);
		return 0;
	case BTFQ_LAYOUT_MEMBER: break;
	}
	if (it->in_union) /* every member at the union's offset: GDB shows only sizes */
		sb_printf(sb, "/*                %6llu */", (unsigned long long)it->size);
	else if (it->bit_size)
		sb_printf(sb, "/* %6llu:%2u   |  %6llu */", (unsigned long long)it->offset,
			  (unsigned)(it->bit_offset % 8), (unsigned long long)it->size);
	else
		sb_printf(sb, "/* %6llu      |  %6llu */", (unsigned long long)it->offset,
			  (unsigned long long)it->size);
	if (it->nested) {
		btfq__type_name(lt->btf, btfx_skip_mods(lt->btf, it->type), decl, sizeof(decl));
		if (strstr(decl, "(anonymous)"))
			*strstr(decl, " (anonymous)") = '\0';
		sb_printf(sb, "%*s%s {\n", indent, "", decl);
		return 0;
	}
	declare(lt->btf, it->type, it->name, decl, sizeof(decl));
	if (it->bit_size)
		sb_printf(sb, "%*s%s : %u;%s\n", indent, "", decl, it->bit_size,
			  it->truncated ? " /* nested too deep to show */" : "");
	else
		sb_printf(sb, "%*s%s;%s\n", indent, "", decl,
			  it->truncated ? " /* nested too deep to show */" : "");
	return 0;
}

int btfq__layout_text(const struct btf *btf, uint32_t id, struct strbuf *out)
{
	struct lay_text lt = { .btf = btf, .out = out };
	uint32_t sid = btfx_skip_mods(btf, id);
	char tn[256];
	int err;

	btfq__type_name(btf, sid, tn, sizeof(tn));
	if (!btf__type_by_id(btf, sid) || !btf_is_composite(btf__type_by_id(btf, sid)))
		return btfq__layout(btf, id, lay_text_cb, &lt); /* the error */
	sb_printf(out, "/* offset      |    size */  type = %s {\n", tn);
	err = btfq__layout(btf, id, lay_text_cb, &lt);
	if (err)
		return err;
	total_line(out, OFFSET_COL + 4, btfx_size(btf, sid));
	sb_printf(out, "%*s}\n", OFFSET_COL + 2, "");
	return 0;
}

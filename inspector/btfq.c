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
			const struct btf_type *nt = btf__type_by_id(btf, btfx_skip_mods(btf, t->type));

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
			const char *q = btf_is_const(t) ? "const" : btf_is_volatile(t) ? "volatile" : "restrict";
			const struct btf_type *nt = btf__type_by_id(btf, btfx_skip_mods(btf, t->type));

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
		case BTF_KIND_DECL_TAG:
			id = t->type;
			break;
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
	if ((size_t)snprintf(buf, len, "%s%s%s%s", quals, base, decl[0] && decl[0] != '[' ? " " : "",
			     decl) >= len && len > 4)
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

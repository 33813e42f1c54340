// SPDX-License-Identifier: GPL-2.0
/*
 * btfx_types: type lookup in the BTFs of a btfx (btfx.c finds them): a
 * type name to a type id (btfx__find_type, with the built-in integer names
 * for when no BTF has them), pointer types made up on demand (btfx__ptr_to,
 * for '&x' and casts), and the root and type names TAB completion offers
 * (btfx__for_each_name). Questions about one type (its C name, its members,
 * its declaration) are btfq.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "array.h"
#include "btfq.h"
#include "btfx_priv.h"
#include "error.h"

/* The writable BTF where types for values of btf may be added. */
static struct btf *writable_for(struct btfx *bx, const struct btf *btf)
{
	int i = btfx_blob_of(bx, btf);

	if (i < 0)
		return btf == bx->builtin ? bx->builtin : NULL;
	if (!bx->blobs[i].ext) {
		bx->blobs[i].ext = btf__new_empty_split(bx->blobs[i].btf);
		if (!bx->blobs[i].ext)
			return NULL;
	}
	return bx->blobs[i].ext;
}

int btfx__ptr_to(struct btfx *bx, const struct btf *btf, uint32_t id, const struct btf **pbtf,
		 uint32_t *pid)
{
	struct btf *w;
	uint32_t n;
	int r;

	for (int i = 0; bx && i < bx->nr_pc; i++) {
		if (bx->pc[i].btf == btf && bx->pc[i].id == id) {
			*pbtf = bx->pc[i].pbtf;
			*pid = bx->pc[i].pid;
			return 0;
		}
	}
	/* an existing pointer type, searched once */
	n = btf__type_cnt(btf);
	*pbtf = NULL;
	for (uint32_t i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);

		if (t && btf_is_ptr(t) && t->type == id) {
			*pbtf = btf;
			*pid = i;
			break;
		}
	}
	if (!*pbtf) {
		w = bx ? writable_for(bx, btf) : NULL;
		if (!w)
			return ai_err(ENOENT, "no pointer type to type %u", id);
		r = btf__add_ptr(w, id);
		if (r < 0)
			return ai_err(-r, "cannot make a pointer type");
		*pbtf = w;
		*pid = r;
	}
	if (bx && !ai_reserve((void **)&bx->pc, &bx->cap_pc, bx->nr_pc + 1, sizeof(*bx->pc)))
		bx->pc[bx->nr_pc++] = (struct ptr_cache){ btf, id, *pbtf, *pid };
	return 0;
}

struct builtin {
	const char *name;
	uint8_t size;
	uint8_t enc;
};

static const struct builtin builtins[] = {
	{ "u8", 1, 0 },
	{ "u16", 2, 0 },
	{ "u32", 4, 0 },
	{ "u64", 8, 0 },
	{ "s8", 1, BTF_INT_SIGNED },
	{ "s16", 2, BTF_INT_SIGNED },
	{ "s32", 4, BTF_INT_SIGNED },
	{ "s64", 8, BTF_INT_SIGNED },
	{ "__u8", 1, 0 },
	{ "__u16", 2, 0 },
	{ "__u32", 4, 0 },
	{ "__u64", 8, 0 },
	{ "__s8", 1, BTF_INT_SIGNED },
	{ "__s16", 2, BTF_INT_SIGNED },
	{ "__s32", 4, BTF_INT_SIGNED },
	{ "__s64", 8, BTF_INT_SIGNED },
	{ "uint8_t", 1, 0 },
	{ "uint16_t", 2, 0 },
	{ "uint32_t", 4, 0 },
	{ "uint64_t", 8, 0 },
	{ "int8_t", 1, BTF_INT_SIGNED },
	{ "int16_t", 2, BTF_INT_SIGNED },
	{ "int32_t", 4, BTF_INT_SIGNED },
	{ "int64_t", 8, BTF_INT_SIGNED },
	{ "size_t", 8, 0 },
	{ "uintptr_t", 8, 0 },
	{ "char", 1, BTF_INT_SIGNED },
	{ "signed char", 1, BTF_INT_SIGNED },
	{ "unsigned char", 1, 0 },
	{ "short", 2, BTF_INT_SIGNED },
	{ "short int", 2, BTF_INT_SIGNED },
	{ "unsigned short", 2, 0 },
	{ "short unsigned int", 2, 0 },
	{ "unsigned short int", 2, 0 },
	{ "int", 4, BTF_INT_SIGNED },
	{ "signed int", 4, BTF_INT_SIGNED },
	{ "signed", 4, BTF_INT_SIGNED },
	{ "unsigned", 4, 0 },
	{ "unsigned int", 4, 0 },
	{ "long", 8, BTF_INT_SIGNED },
	{ "long int", 8, BTF_INT_SIGNED },
	{ "unsigned long", 8, 0 },
	{ "long unsigned int", 8, 0 },
	{ "unsigned long int", 8, 0 },
	{ "long long", 8, BTF_INT_SIGNED },
	{ "long long int", 8, BTF_INT_SIGNED },
	{ "unsigned long long", 8, 0 },
	{ "long long unsigned int", 8, 0 },
	{ "unsigned long long int", 8, 0 },
	{ "bool", 1, BTF_INT_BOOL },
	{ "_Bool", 1, BTF_INT_BOOL },
};

/* BTF names of the C spellings above (what clang emits) */
static const char *canonical(const char *name)
{
	static const char *const map[][2] = {
		{ "unsigned", "unsigned int" },
		{ "signed", "int" },
		{ "signed int", "int" },
		{ "long", "long int" },
		{ "unsigned long", "long unsigned int" },
		{ "unsigned long int", "long unsigned int" },
		{ "long long", "long long int" },
		{ "unsigned long long", "long long unsigned int" },
		{ "unsigned long long int", "long long unsigned int" },
		{ "short", "short int" },
		{ "unsigned short", "short unsigned int" },
		{ "unsigned short int", "short unsigned int" },
		{ "bool", "_Bool" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i][0], name))
			return map[i][1];
	return name;
}

int btfx__builtin_type(struct btfx *bx, const char *name, const struct btf **btf, uint32_t *id)
{
	const struct builtin *b = NULL;
	int r;

	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]) && !b; i++)
		if (!strcmp(builtins[i].name, name))
			b = &builtins[i];
	if (!b || !bx)
		return -ENOENT;
	if (!bx->builtin) {
		bx->builtin = btf__new_empty();
		if (!bx->builtin)
			return ai_err(ENOMEM, "out of memory");
	}
	r = btf__find_by_name_kind(bx->builtin, name, BTF_KIND_INT);
	if (r > 0) {
		*btf = bx->builtin;
		*id = r;
		return 0;
	}
	r = btf__add_int(bx->builtin, name, b->size, b->enc);
	if (r < 0)
		return ai_err(-r, "cannot add type %s", name);
	*btf = bx->builtin;
	*id = r;
	return 0;
}

static uint32_t complete_in(const struct btf *btf, const char *name, bool want_union);

/* One name without stars, in one BTF. */
static int find_in(const struct btf *btf, const char *name, uint32_t *id)
{
	static const struct {
		const char *kw;
		int kind;
	} tags[] = { { "struct ", BTF_KIND_STRUCT },
		     { "union ", BTF_KIND_UNION },
		     { "enum ", BTF_KIND_ENUM } };
	static const int plain[] = { BTF_KIND_TYPEDEF, BTF_KIND_STRUCT, BTF_KIND_UNION,
				     BTF_KIND_ENUM,    BTF_KIND_INT,	BTF_KIND_FLOAT,
				     BTF_KIND_ENUM64 };
	int r;

	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(tags[i].kw);

		if (strncmp(name, tags[i].kw, l))
			continue;
		/* a struct's complete definition, never a declaration */
		if (tags[i].kind != BTF_KIND_ENUM)
			r = complete_in(btf, name + l, tags[i].kind == BTF_KIND_UNION);
		else
			r = btf__find_by_name_kind(btf, name + l, tags[i].kind);
		if (r <= 0 && tags[i].kind == BTF_KIND_ENUM)
			r = btf__find_by_name_kind(btf, name + l, BTF_KIND_ENUM64);
		if (r <= 0)
			return -ENOENT;
		*id = r;
		return 0;
	}
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		r = btf__find_by_name_kind(btf, name, plain[i]);
		if (r <= 0 && plain[i] == BTF_KIND_INT && canonical(name) != name)
			r = btf__find_by_name_kind(btf, canonical(name), BTF_KIND_INT);
		if (r > 0) {
			*id = r;
			return 0;
		}
	}
	return -ENOENT;
}

int btfx__find_type(const struct btfx *cbx, const char *name, const struct btf **btf,
		    uint32_t *type_id)
{
	/* synthesized types are a cache: logically this does not change bx */
	struct btfx *bx = (struct btfx *)cbx;
	char base[128];
	const char *p, *e;
	size_t n;
	int stars = 0, err = -ENOENT, only = -1;
	uint32_t id = 0;
	const struct btf *b = NULL;

	if (!bx)
		return -ENOENT;
	/* trim, split off trailing stars, collapse inner blanks */
	e = name + strlen(name);
	while (e > name && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '*'))
		stars += *--e == '*';
	p = name;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	n = 0;
	for (; p < e && n < sizeof(base) - 1; p++) {
		bool blank = *p == ' ' || *p == '\t';

		if (blank && n && base[n - 1] == ' ')
			continue;
		base[n++] = blank ? ' ' : *p;
	}
	if (p < e || !n)
		return -ENOENT;
	base[n] = '\0';
	/* "struct node@2": the definition of type source 2 (a conflict's note
	 * names them) */
	{
		char *at = strchr(base, '@'), *end;

		if (at) {
			long k;

			errno = 0;
			k = strtol(at + 1, &end, 10);
			if (at == base || errno || end == at + 1 || *end || k < 0 ||
			    k >= bx->nr_blobs)
				return -ENOENT;
			while (at > base && at[-1] == ' ')
				at--;
			*at = '\0';
			only = (int)k;
		}
	}
	if (!strcmp(base, "void")) {
		if (!stars)
			return -ENOENT;
		/* void is id 0 of any BTF: take the first, or the built-in one */
		if (bx->nr_blobs)
			b = bx->blobs[0].btf;
		else if (btfx__builtin_type(bx, "u8", &b, &id))
			return -ENOENT;
		id = 0;
		err = 0;
	}
	for (int i = 0; err && i < bx->nr_blobs; i++) {
		if (only >= 0 && i != only)
			continue;
		if (!find_in(bx->blobs[i].btf, base, &id)) {
			b = bx->blobs[i].btf;
			err = 0;
		}
	}
	if (err && (only >= 0 || btfx__builtin_type(bx, base, &b, &id)))
		return -ENOENT;
	for (; stars > 0; stars--) {
		if (btfx__ptr_to(bx, b, id, &b, &id))
			return -ENOENT;
	}
	*btf = b;
	*type_id = id;
	return 0;
}

/* ------------------------------------------------------------ names */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void btfx__for_each_name(const struct btfx *bx,
			 int (*cb)(const char *name, bool is_type, void *ctx), void *ctx)
{
	char **names = NULL;
	int nr = 0;
	size_t cap = 0;

	if (!bx)
		return;
	for (int i = 0; i < bx->nr_roots; i++)
		if (cb(bx->roots[i].name, false, ctx))
			return;
	/* data-section variables are values too (expr.h); a root of the same
	 * name was named above, and a name twice (two programs) once */
	for (int i = 0; i < bx->nr_vars; i++) {
		const char *name = bx->vars[i].name;

		if (btfx__find_root(bx, name) || btfx__find_var(bx, name) != &bx->vars[i])
			continue;
		if (cb(name, false, ctx))
			return;
	}
	/* every BTF's names, sorted, each once */
	for (int b = 0; b < bx->nr_blobs; b++) {
		const struct btf *btf = bx->blobs[b].btf;
		uint32_t n = btf__type_cnt(btf);

		for (uint32_t i = 1; i < n; i++) {
			const struct btf_type *t = btf__type_by_id(btf, i);
			const char *name, *kw;
			char *s;

			if (!t || !t->name_off)
				continue;
			switch (btf_kind(t)) {
			case BTF_KIND_STRUCT: kw = "struct "; break;
			case BTF_KIND_UNION: kw = "union "; break;
			case BTF_KIND_ENUM:
			case BTF_KIND_ENUM64: kw = "enum "; break;
			case BTF_KIND_TYPEDEF: kw = ""; break;
			default: continue;
			}
			name = btf__name_by_offset(btf, t->name_off);
			if (!name || !*name)
				continue;
			if (ai_reserve((void **)&names, &cap, nr + 1, sizeof(*names)) ||
			    asprintf(&s, "%s%s", kw, name) < 0)
				goto out;
			names[nr++] = s;
		}
	}
	if (nr)
		qsort(names, nr, sizeof(*names), str_cmp);
	for (int i = 0; i < nr; i++) {
		if (i && !strcmp(names[i], names[i - 1]))
			continue;
		if (cb(names[i], true, ctx))
			break;
	}
out:
	for (int i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

/* ------------------------------------------------------------ completing declarations */

bool btfx__is_fwd(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, btfx_skip_mods(btf, id));

	if (!t)
		return false;
	return btf_is_fwd(t) || (btf_is_composite(t) && !btf_vlen(t) && !t->size && t->name_off);
}

/* a complete struct (union: want_union) named name in btf: its id, or 0 */
static uint32_t complete_in(const struct btf *btf, const char *name, bool want_union)
{
	uint32_t n = btf__type_cnt(btf);

	for (uint32_t i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *tn;

		if (!t || (want_union ? !btf_is_union(t) : !btf_is_struct(t)) ||
		    (!btf_vlen(t) && !t->size))
			continue;
		tn = btf__name_by_offset(btf, t->name_off);
		if (tn && !strcmp(tn, name))
			return i;
	}
	return 0;
}

bool btfx__complete(const struct btfx *cbx, const struct btf **btf, uint32_t *id)
{
	struct btfx *bx = (struct btfx *)cbx; /* the cache only */
	uint32_t rid = btfx_skip_mods(*btf, *id), cid = 0;
	const struct btf_type *t;
	const struct btf *cbtf = NULL;
	const char *name;
	bool want_union;
	int own;

	if (!bx || !btfx__is_fwd(*btf, *id))
		return false;
	for (int i = 0; i < bx->nr_fc; i++) {
		if (bx->fc[i].btf == *btf && bx->fc[i].id == rid) {
			if (!bx->fc[i].cid)
				return false;
			*btf = bx->fc[i].cbtf;
			*id = bx->fc[i].cid;
			return true;
		}
	}
	t = btf__type_by_id(*btf, rid);
	name = btf__name_by_offset(*btf, t->name_off);
	want_union = btf_is_fwd(t) ? btf_kflag(t) : btf_is_union(t);
	own = btfx_blob_of(bx, *btf);
	if (name && *name) {
		if (own >= 0 && (cid = complete_in(bx->blobs[own].btf, name, want_union)))
			cbtf = bx->blobs[own].btf;
		for (int b = 0; !cid && b < bx->nr_blobs; b++) {
			if (b != own && (cid = complete_in(bx->blobs[b].btf, name, want_union)))
				cbtf = bx->blobs[b].btf;
		}
	}
	if (!ai_reserve((void **)&bx->fc, &bx->cap_fc, bx->nr_fc + 1, sizeof(*bx->fc)))
		bx->fc[bx->nr_fc++] = (struct fwd_cache){ *btf, rid, cbtf, cid };
	if (!cid)
		return false;
	*btf = cbtf;
	*id = cid;
	return true;
}

void btfx__incomplete_msg(const struct btfx *bx, const struct btf *btf, uint32_t id, char *buf,
			  size_t len)
{
	char tn[160];
	int b = bx ? btfx_blob_of(bx, btf) : -1;

	btfq__type_name(btf, btfx_skip_mods(btf, id), tn, sizeof(tn));
	/* a file the user gave is named; the programs' BTF (live or kept in
	 * a snapshot) is what the user did not write */
	if (b >= 0 && (bx->blobs[b].types || !strncmp(bx->blobs[b].label, "--btf ", 6)))
		snprintf(buf, len,
			 "%s is only declared in %s (its layout is unknown); give its definition "
			 "with --types FILE",
			 tn, bx->blobs[b].label);
	else
		snprintf(buf, len,
			 "%s is only declared in the BTF of the programs using this arena (its "
			 "layout is unknown); give its definition with --types FILE",
			 tn);
}

/* ------------------------------------------------------------ conflicts */

#define MAX_NOTES 16

struct def {
	const char *name;
	int kind;
	uint32_t size;
};

static int def_cmp(const void *a, const void *b)
{
	const struct def *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind - y->kind;
	return strcmp(x->name, y->name);
}

static int add_note(struct btfx *bx, const char *text)
{
	char *s;

	bx->nr_conflicts++;
	if (bx->nr_notes >= MAX_NOTES)
		return 0;
	s = strdup(text);
	if (!s ||
	    ai_reserve((void **)&bx->notes, &bx->cap_notes, bx->nr_notes + 1, sizeof(*bx->notes))) {
		free(s);
		return ai_err(ENOMEM, "out of memory");
	}
	bx->notes[bx->nr_notes++] = s;
	return 0;
}

/* The complete named structs and unions of btf, sorted by kind and name. */
static struct def *defs_of(const struct btf *btf, size_t *nr)
{
	uint32_t n = btf__type_cnt(btf);
	struct def *d = NULL;
	size_t cap = 0;

	*nr = 0;
	for (uint32_t i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *name;

		if (!t || !btf_is_composite(t) || !t->name_off || (!btf_vlen(t) && !t->size))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (!name || !*name)
			continue;
		if (ai_reserve((void **)&d, &cap, *nr + 1, sizeof(*d))) {
			free(d);
			*nr = 0;
			return NULL;
		}
		d[(*nr)++] = (struct def){ name, btf_kind(t), t->size };
	}
	if (*nr)
		qsort(d, *nr, sizeof(*d), def_cmp);
	return d;
}

int btfx_note_conflicts(struct btfx *bx, int b)
{
	size_t nr = 0;
	struct def *mine = defs_of(bx->blobs[b].btf, &nr);
	bool *done;
	int err = 0;

	if (!mine)
		return 0;
	done = calloc(nr, sizeof(*done));
	if (!done) {
		free(mine);
		return ai_err(ENOMEM, "out of memory");
	}
	/* a merge of sorted lists per earlier source: the first source that
	 * defines a name decides, so each name gives one note at most */
	for (int a = 0; a < b && !err; a++) {
		size_t na = 0, i = 0, k = 0;
		struct def *theirs = defs_of(bx->blobs[a].btf, &na);

		while (i < na && k < nr && !err) {
			int c = def_cmp(&theirs[i], &mine[k]);
			const char *kw = mine[k].kind == BTF_KIND_UNION ? "union" : "struct";
			char text[768];

			if (c < 0) {
				i++;
				continue;
			}
			if (c > 0) {
				k++;
				continue;
			}
			if (!done[k] && theirs[i].size != mine[k].size) {
				snprintf(text, sizeof(text),
					 "%s %s has two layouts: %u bytes in %s (@%d, used), %u "
					 "bytes in %s (@%d); choose with a cast, e.g. *(%s %s@%d "
					 "*)p",
					 kw, mine[k].name, theirs[i].size, bx->blobs[a].label, a,
					 mine[k].size, bx->blobs[b].label, b, kw, mine[k].name, b);
				err = add_note(bx, text);
			}
			done[k] = true;
			k++;
		}
		free(theirs);
	}
	free(done);
	free(mine);
	return err;
}

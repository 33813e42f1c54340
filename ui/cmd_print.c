// SPDX-License-Identifier: GPL-2.0
/* arena-inspect print ARENA EXPR and arena-inspect types ARENA. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <bpf/btf.h>
#include "btfq.h"
#include "btfx.h"
#include "cli.h"
#include "error.h"
#include "expr.h"
#include "format.h"

static int do_print(int argc, char **argv, const struct cli_opts *o)
{
	struct fmt_opts fo = { .max_depth = 16,
			       .max_nodes = 100000,
			       .max_array = o->max_elements ? o->max_elements : CLI_MAX_ELEMENTS,
			       .format = o->format };
	struct source *src;
	struct btfx *bx = NULL;
	struct sink *s;
	struct value v;
	char *text = NULL;
	int used, ret = 1;

	if (cli_open_arena(argc, argv, &used, &src))
		return 1;
	if (used >= argc) {
		source__close(src);
		return cli_error("usage: print ARENA EXPR");
	}
	/* the rest of the words are one expression: print id 3 head -> next */
	if (cli_eval_words(argc - used, argv + used, src, o, &bx, &v, &text))
		goto out;
	fo.path = text;
	s = cli_sink(o);
	if (fmt__value(bx, src, &v, (o->json || o->pretty) ? NULL : text, s, &fo)) {
		sink__free(s);
		cli_lib_error("print");
		goto out;
	}
	sink__free(s);
	ret = 0;
out:
	free(text);
	btfx__free(bx);
	source__close(src);
	return ret;
}

const struct cli_cmd cmd_print = {
	.name = "print",
	.run = do_print,
	.args = "ARENA EXPR",
	.opts = CLI_OPTS_OUTPUT | CLI_OPTS_TYPES | CLI_O(MAX_ELEMENTS) | CLI_O(FORMAT),
	.help = "typed value of an expression (root->next->name, *(struct t *)0x..)",
};

struct names_ctx {
	struct sink *s;
	bool types;
};

static int emit_name(const char *name, bool is_type, void *ctx)
{
	struct names_ctx *c = ctx;

	if (is_type == c->types)
		sink_str(c->s, NULL, name);
	return 0;
}

struct layout_ctx {
	struct sink *s;
	const struct btf *btf;
	bool holes; /* the pass over holes (JSON: a list of its own) */
};

static int layout_json(const struct btfq_layout_item *it, void *ctx)
{
	struct layout_ctx *c = ctx;
	char tn[256];

	if (c->holes != (it->kind == BTFQ_LAYOUT_HOLE || it->kind == BTFQ_LAYOUT_PADDING) ||
	    it->kind == BTFQ_LAYOUT_END)
		return 0;
	sink_begin(c->s, NULL, false, NULL);
	if (c->holes) {
		sink_str(c->s, "kind", it->kind == BTFQ_LAYOUT_HOLE ? "hole" : "padding");
		sink_str(c->s, "in", it->path);
		sink_u64(c->s, "offset", it->offset);
		sink_u64(c->s, "bit_offset", it->bit_offset % 8);
		sink_u64(c->s, "size", it->size);
		sink_u64(c->s, "bit_size", it->bit_size);
	} else {
		fmt__type_name(c->btf, it->type, tn, sizeof(tn));
		sink_str(c->s, "name", it->path);
		sink_str(c->s, "type", tn);
		sink_u64(c->s, "offset", it->offset);
		sink_u64(c->s, "size", it->size);
		sink_u64(c->s, "bit_offset", it->bit_offset % 8);
		sink_u64(c->s, "bit_size", it->bit_size);
		sink_u64(c->s, "depth", it->depth);
	}
	sink_end(c->s, false);
	return 0;
}

/* types ARENA --layout NAME: ptype /o, or its JSON */
static int print_layout(struct btfx *bx, const char *name, const struct cli_opts *o)
{
	const struct btf *btf;
	uint32_t id;
	char tn[256];
	int err;

	if (btfx__find_type(bx, name, &btf, &id))
		return cli_error("types --layout: no type '%s'%s", name,
				 btfx__nr_btfs(bx) ? "" : " (no BTF: give it with --types FILE)");
	btfx__complete(bx, &btf, &id);
	if (btfx__is_fwd(btf, id)) {
		char msg[400];

		btfx__incomplete_msg(bx, btf, id, msg, sizeof(msg));
		return cli_error("types --layout: %s", msg);
	}
	if (o->json || o->pretty) {
		struct sink *s = cli_sink(o);
		struct layout_ctx c = { .s = s, .btf = btf };

		fmt__type_name(btf, id, tn, sizeof(tn));
		sink_begin(s, NULL, false, NULL);
		sink_str(s, "name", tn);
		sink_u64(s, "size",
			 btf__resolve_size(btf, id) > 0 ? (uint64_t)btf__resolve_size(btf, id) : 0);
		sink_begin(s, "members", true, NULL);
		err = btfq__layout(btf, id, layout_json, &c);
		sink_end(s, true);
		c.holes = true;
		sink_begin(s, "holes", true, NULL);
		if (!err)
			btfq__layout(btf, id, layout_json, &c);
		sink_end(s, true);
		sink_end(s, false);
		sink__free(s);
		if (err)
			return cli_lib_error("types --layout");
		return 0;
	}
	{
		struct strbuf sb = {};
		const char *p, *nl;

		err = btfq__layout_text(btf, id, &sb);
		if (err) {
			strbuf_free(&sb);
			return cli_lib_error("types --layout");
		}
		for (p = sb.buf; p && *p; p = nl + 1) {
			nl = strchr(p, '\n');
			if (!nl)
				nl = p + strlen(p);
			cli_line("%.*s", (int)(nl - p), p);
			if (!*nl)
				break;
		}
		strbuf_free(&sb);
	}
	return 0;
}

static int do_types(int argc, char **argv, const struct cli_opts *o)
{
	struct source *src;
	struct btfx *bx = NULL;
	struct sink *s;
	struct names_ctx nc;
	int used;

	if (cli_open_arena(argc, argv, &used, &src))
		return 1;
	if (used < argc) {
		source__close(src);
		return cli_error("types: unexpected argument '%s'", argv[used]);
	}
	if (cli_open_btf(src, o, &bx)) {
		source__close(src);
		return 1;
	}
	if (o->layout) {
		int rc = print_layout(bx, o->layout, o);

		btfx__free(bx);
		source__close(src);
		return rc;
	}
	s = cli_sink(o);
	sink_begin(s, NULL, false, NULL);
	sink_u64(s, "btf_objects", btfx__nr_btfs(bx));
	{
		int pl = btfx__globals_placement(bx);

		sink_str(s, "arena_globals",
			 pl < 0	   ? "none"
			 : pl == 0 ? "offset 0"
				   : "end of arena");
	}
	sink_begin(s, "roots", true, NULL);
	for (int i = 0; i < btfx__nr_roots(bx); i++) {
		const struct root *r = btfx__root(bx, i);
		char tn[128];

		fmt__type_name(r->btf, r->type_id, tn, sizeof(tn));
		sink_begin(s, NULL, false, NULL);
		sink_str(s, "name", r->name);
		sink_str(s, "type", tn);
		sink_str(s, "section", r->section);
		sink_hex(s, "addr", r->kind == ROOT_ARENA_GLOBAL ? r->addr : r->value);
		sink_str(s, "kind",
			 r->kind == ROOT_ARENA_GLOBAL ? "arena global" : "pointer in map");
		sink_end(s, false);
	}
	sink_end(s, true);
	/* where the types come from: struct NAME@INDEX picks one's */
	sink_begin(s, "sources", true, NULL);
	for (int i = 0; i < btfx__nr_btfs(bx); i++) {
		sink_begin(s, NULL, false, NULL);
		sink_u64(s, "index", i);
		sink_str(s, "from", btfx__btf_label(bx, i));
		sink_bool(s, "types", btfx__btf_is_types(bx, i));
		sink_u64(s, "nr_types", btf__type_cnt(btfx__btf(bx, i)) - 1);
		sink_end(s, false);
	}
	sink_end(s, true);
	sink_begin(s, "notes", true, NULL);
	for (int i = 0; i < btfx__nr_notes(bx); i++)
		sink_str(s, NULL, btfx__note(bx, i));
	sink_end(s, true);
	nc.s = s;
	nc.types = true;
	sink_begin(s, "types", true, NULL);
	btfx__for_each_name(bx, emit_name, &nc);
	sink_end(s, true);
	sink_end(s, false);
	sink__free(s);
	btfx__free(bx);
	source__close(src);
	return 0;
}

const struct cli_cmd cmd_types = {
	.name = "types",
	.run = do_types,
	.args = "ARENA",
	.opts = CLI_OPTS_OUTPUT | CLI_OPTS_TYPES | CLI_O(LAYOUT),
	.help = "roots, type sources and types; --layout NAME: offsets, sizes and holes",
};

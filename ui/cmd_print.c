// SPDX-License-Identifier: GPL-2.0
/* arena-inspect print ARENA EXPR and arena-inspect types ARENA. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "btfx.h"
#include "cli.h"
#include "error.h"
#include "expr.h"
#include "format.h"

static int do_print(int argc, char **argv, const struct cli_opts *o)
{
	struct fmt_opts fo = { .max_depth = 16, .max_nodes = 100000,
			       .max_array = o->max_elements ? o->max_elements : CLI_MAX_ELEMENTS };
	struct source *src;
	struct btfx *bx = NULL;
	struct sink *s;
	struct value v;
	char *text = NULL;
	size_t len = 0;
	int used, col = -1, ret = 1, err;

	if (cli_open_arena(argc, argv, &used, &src))
		return 1;
	if (used >= argc) {
		source__close(src);
		return cli_error("usage: print ARENA EXPR");
	}
	/* the rest of the words are one expression: print id 3 head -> next */
	for (int i = used; i < argc; i++)
		len += strlen(argv[i]) + 1;
	text = calloc(1, len + 1);
	if (!text)
		goto out;
	for (int i = used; i < argc; i++) {
		strcat(text, argv[i]);
		if (i + 1 < argc)
			strcat(text, " ");
	}
	if (cli_open_btf(src, o, &bx))
		goto out;
	err = expr__eval_str(text, bx, src, &v, &col);
	if (err) {
		cli_expr_error(NULL, text, col, bx, err);
		goto out;
	}
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
	.opts = CLI_OPTS_OUTPUT | CLI_OPTS_TYPES | CLI_O(MAX_ELEMENTS),
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
	s = cli_sink(o);
	sink_begin(s, NULL, false, NULL);
	sink_u64(s, "btf_objects", btfx__nr_btfs(bx));
	{
		int pl = btfx__globals_placement(bx);

		sink_str(s, "arena_globals", pl < 0 ? "none" : pl == 0 ? "offset 0" : "end of arena");
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
		sink_str(s, "kind", r->kind == ROOT_ARENA_GLOBAL ? "arena global" : "pointer in map");
		sink_end(s, false);
	}
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
	.opts = CLI_OPTS_OUTPUT | CLI_OPTS_TYPES,
	.help = "roots (where data starts) and the types found in BTF",
};

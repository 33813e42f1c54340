// SPDX-License-Identifier: GPL-2.0
/*
 * arena-inspect refs ARENA ADDR|EXPR [--size N | --page]: every 8-byte
 * aligned qword in an allocated page whose value points into the object
 * at ADDR (refs.h). There is no allocator layer yet, so the object is
 * [ADDR, ADDR+1) unless its size is known: --size N, an expression whose
 * type gives it (a struct place, or a pointer to a sized type), or --page
 * (ADDR's whole page). With types, each referrer the typed walk from the
 * roots reached carries its path (check__typed_pointers): text
 * "0xAT -> 0xVALUE (+OFF)  hdr->list", JSON "path" (null: the scan alone
 * found it), "paths_known" (a typed walk ran) and "paths_cut".
 */
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "error.h"
#include "expr.h"
#include "refs.h"
#include "source.h"

/* The object named by WHERE: [*lo, *hi). 1 after printing an error. */
static int resolve_target(struct source *src, struct btfx *bx, const struct cli_opts *o,
			  const char *where, uint64_t *lo, uint64_t *hi)
{
	uint64_t size = 1;
	struct value v;
	int col = 0, err;

	if (cli_parse_addr(src, where, lo)) {
		err = expr__eval_str(where, bx, src, &v, &col);
		if (err) {
			cli_expr_error("", where, col, bx, err);
			return 1;
		}
		if (refs__value_object(src, &v, true, lo, &size)) {
			cli_error("refs: '%s': %s", where, ai_errmsg());
			return 1;
		}
	}
	if (o->refs_size)
		size = o->refs_size;
	if (!source__contains(src, *lo, 1)) {
		uint64_t base = src->info.user_vm_start;

		cli_error("refs: 0x%llx is outside the arena (0x%llx-0x%llx)",
			  (unsigned long long)*lo, (unsigned long long)base,
			  (unsigned long long)(base + source__size(src)));
		return 1;
	}
	if (o->refs_page) {
		*lo &= ~(source__page_size(src) - 1);
		size = source__page_size(src);
	}
	/* clamp at the arena's end, as hex does */
	if (!source__contains(src, *lo, size))
		size = src->info.user_vm_start + source__size(src) - *lo;
	*hi = *lo + size;
	return 0;
}

struct emit {
	struct sink *s;
	const struct refs_index *idx;
	uint64_t lo;
	bool json;
};

static int emit_ref(const struct refs_entry *e, void *ctx)
{
	struct emit *em = ctx;
	const char *path = refs__path(em->idx, e->at);

	if (!em->json) {
		cli_line("0x%llx -> 0x%llx (+%llu)%s%s", (unsigned long long)e->at,
			 (unsigned long long)e->value, (unsigned long long)(e->value - em->lo),
			 path ? "  " : "", path ? path : "");
		return 0;
	}
	sink_begin(em->s, NULL, false, NULL);
	sink_hex(em->s, "at", e->at);
	sink_hex(em->s, "value", e->value);
	sink_u64(em->s, "offset", e->value - em->lo);
	if (path)
		sink_str(em->s, "path", path);
	else
		sink_value(em->s, "path", SK_NULL, "null", NULL);
	sink_end(em->s, false);
	return 0;
}

static int do_refs(int argc, char **argv, const struct cli_opts *o)
{
	struct refs_index *idx = NULL;
	struct btfx *bx = NULL;
	struct refs_opts ro = { 0 };
	struct source *src;
	struct emit em = { .json = o->json || o->pretty };
	uint64_t lo, hi;
	long n;
	int used, ret = 1;

	if (cli_open_arena(argc, argv, &used, &src))
		return 1;
	argc -= used;
	argv += used;
	if (argc < 1) {
		source__close(src);
		return cli_error("usage: refs ARENA ADDR|EXPR [--size N | --page]");
	}
	if (o->refs_size && o->refs_page) {
		cli_error("refs: --size and --page exclude each other");
		goto out;
	}
	char *where = cli_join_words(argc, argv);

	if (!where)
		goto out;
	/* the types: for an expression, and for the typed walk's paths */
	if (cli_open_btf(src, o, &bx) || resolve_target(src, bx, o, where, &lo, &hi)) {
		free(where);
		goto out;
	}
	free(where);
	ro.bx = bx;
	if (refs__build_opts(src, &ro, &idx)) {
		cli_lib_error("refs");
		goto out;
	}
	n = refs__query(idx, lo, hi, NULL, NULL);
	em.lo = lo;
	em.idx = idx;
	if (em.json) {
		em.s = cli_sink(o);
		sink_begin(em.s, NULL, false, NULL);
		sink_begin(em.s, "target", false, NULL);
		sink_hex(em.s, "lo", lo);
		sink_hex(em.s, "hi", hi);
		sink_end(em.s, false);
		sink_begin(em.s, "refs", true, NULL);
		refs__query(idx, lo, hi, emit_ref, &em);
		sink_end(em.s, true);
		sink_u64(em.s, "count", n);
		sink_u64(em.s, "pages_scanned", idx->pages_scanned);
		sink_u64(em.s, "pages_vanished", idx->pages_vanished);
		sink_bool(em.s, "stale", idx->stale);
		/* false: no typed walk ran (no BTF or no roots), so no path is
		 * known; paths_cut: it was cut, a null path may be a typed one */
		sink_bool(em.s, "paths_known", idx->paths_known);
		sink_bool(em.s, "paths_cut", idx->paths_cut);
		sink_end(em.s, false);
		sink__free(em.s);
	} else {
		refs__query(idx, lo, hi, emit_ref, &em);
		cli_line("%ld reference%s into [0x%llx, 0x%llx) (%u allocated pages scanned; %s)",
			 n, n == 1 ? "" : "s", (unsigned long long)lo, (unsigned long long)hi,
			 idx->pages_scanned,
			 !idx->paths_known ? "untyped: no paths (no types or no roots)"
			 : idx->paths_cut  ? "typed paths where the typed walk reached, but it was "
					     "cut (node or depth limit)"
					   : "typed paths where the typed walk reached");
	}
	if (idx->pages_vanished)
		fprintf(stderr,
			"arena-inspect: warning: %u page%s freed while scanned: not "
			"searched\n",
			idx->pages_vanished, idx->pages_vanished == 1 ? "" : "s");
	if (idx->stale)
		fprintf(stderr, "arena-inspect: warning: the arena changed while scanned: "
				"references may be missing\n");
	ret = cli_output_error() ? 1 : 0;
out:
	refs__free(idx);
	btfx__free(bx);
	source__close(src);
	return ret;
}

const struct cli_cmd cmd_refs = {
	.name = "refs",
	.run = do_refs,
	.args = "ARENA ADDR|EXPR",
	.opts = CLI_OPTS_OUTPUT | CLI_OPTS_TYPES | CLI_O(SIZE) | CLI_O(PAGE),
	.help = "every qword in an allocated page that points into the object (or page) at ADDR",
};

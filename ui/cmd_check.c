// SPDX-License-Identifier: GPL-2.0
/*
 * arena-inspect check ARENA [--root EXPR]... [-j|-p]: the health check
 * (check.h). Exit 0 when nothing is found, 1 when something is, 2 on
 * trouble.
 *
 * Text:  one line per finding
 *          dangling    at 0x.. = 0x..  (free page 12)  root->right->right
 *        ("in map" for at 0: the value is in a map variable, not the arena)
 *        then "unreachable pages: 3-5, 9" and the summary line.
 * JSON:  {"findings": [{"kind", "at", "value", "target_state", "target_page"?,
 *         "poison"?, "path"?}], "unreachable_pages": [[first, last]...],
 *         "summary": {"dangling": N, ..., "pages_scanned": N, "nodes": N,
 *         "typed_cut": B, "roots": N, "unreachable": N, "reachability": "judged" |
 *         "not judged (no roots)" | "not judged (too many pointers to follow)",
 *         "leaks": "judged" | "not judged: REASON", "live_objects": N,
 *         "stale": B}}
 *        Text: before the summary line, where an allocator lists live
 *        objects, "object leaks: judged, ..." or "object leaks: not
 *        judged: REASON".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "btfq.h"
#include "check.h"
#include "cli.h"
#include "error.h"
#include "expr.h"

/* exit statuses: 1 is "found something", as diff(1)'s "different" */
enum { CHECK_NONE = 0, CHECK_FOUND = 1, CHECK_TROUBLE = 2 };

static void target_text(const struct check_finding *f, char *buf, size_t len)
{
	if (f->poison)
		snprintf(buf, len, "(%s)", f->poison);
	else if (f->target_page == UINT32_MAX)
		snprintf(buf, len, "(outside the arena)");
	else if (f->target_page == 0 && f->kind == CHECK_POISON)
		snprintf(buf, len, "(%s page 0: the NULL guard)", f->target_state);
	else
		snprintf(buf, len, "(%s page %u)", f->target_state, f->target_page);
}

static void print_text(const struct check_result *r)
{
	const struct check_summary *s = &r->summary;
	char runs[4096], tgt[96], kinds[256];
	size_t n = 0;

	for (uint32_t i = 0; i < r->nr_findings; i++) {
		const struct check_finding *f = &r->findings[i];

		char at[32] = "in map"; /* at 0: a root held in a map variable */

		if (f->at)
			snprintf(at, sizeof(at), "at 0x%llx", (unsigned long long)f->at);
		target_text(f, tgt, sizeof(tgt));
		cli_line("%-10s  %s = 0x%llx  %s%s%s", check__kind_name(f->kind), at,
			 (unsigned long long)f->value, tgt, f->path ? "  " : "",
			 f->path ? f->path : "");
	}
	runs[0] = '\0';
	for (uint32_t i = 0; i < r->nr_runs && n < sizeof(runs) - 64; i++) {
		const struct check_run *u = &r->runs[i];

		if (u->first == u->last)
			n += snprintf(runs + n, sizeof(runs) - n, "%s%u", i ? ", " : "", u->first);
		else
			n += snprintf(runs + n, sizeof(runs) - n, "%s%u-%u", i ? ", " : "",
				      u->first, u->last);
		if (i + 1 < r->nr_runs && n >= sizeof(runs) - 64)
			n += snprintf(runs + n, sizeof(runs) - n, ", ... (-j lists them all)");
	}
	if (r->nr_runs)
		cli_line("unreachable pages: %s (%u pages)", runs, s->unreachable_pages);
	/* only where an allocator lists live objects: elsewhere there is
	 * nothing to judge */
	if (s->live_objects && s->leaks_judged)
		cli_line("object leaks: judged, %u of %llu live objects referenced by nothing",
			 s->counts[CHECK_LEAKED_OBJECT], (unsigned long long)s->live_objects);
	else if (s->live_objects)
		cli_line("object leaks: not judged: %s", s->leaks_not_judged);
	check__counts_text(s, kinds, sizeof(kinds));
	cli_line("%s, %u unreachable pages; %llu pages scanned, %llu typed objects from %u "
		 "roots%s%s%s%s%s",
		 kinds, s->unreachable_pages, (unsigned long long)s->pages_scanned,
		 (unsigned long long)s->nodes, s->nr_roots,
		 s->judged ? "" : "; reachability not judged (", s->judged ? "" : s->not_judged,
		 s->judged ? "" : ")",
		 s->typed_cut ? "; the typed walk was cut (node or depth limit)" : "",
		 s->stale ? "; the arena changed while being checked" : "");
}

void cli_check_finding(struct sink *k, const struct check_finding *f)
{
	sink_begin(k, NULL, false, NULL);
	sink_str(k, "kind", check__kind_name(f->kind));
	sink_hex(k, "at", f->at);
	sink_hex(k, "value", f->value);
	sink_str(k, "target_state", f->target_state);
	if (f->target_page != UINT32_MAX)
		sink_u64(k, "target_page", f->target_page);
	if (f->poison)
		sink_str(k, "poison", f->poison);
	if (f->path)
		sink_str(k, "path", f->path);
	sink_end(k, false);
}

void cli_check_runs(struct sink *k, const char *key, const struct check_run *runs, uint32_t n)
{
	sink_begin(k, key, true, NULL);
	for (uint32_t i = 0; i < n; i++) {
		sink_begin(k, NULL, true, NULL);
		sink_u64(k, NULL, runs[i].first);
		sink_u64(k, NULL, runs[i].last);
		sink_end(k, true);
	}
	sink_end(k, true);
}

static void print_json(const struct cli_opts *o, const struct check_result *r)
{
	const struct check_summary *s = &r->summary;
	struct sink *k = cli_sink(o);

	sink_begin(k, NULL, false, NULL);
	sink_begin(k, "findings", true, NULL);
	for (uint32_t i = 0; i < r->nr_findings; i++)
		cli_check_finding(k, &r->findings[i]);
	sink_end(k, true);
	cli_check_runs(k, "unreachable_pages", r->runs, r->nr_runs);
	sink_begin(k, "summary", false, NULL);
	for (int i = 0; i < CHECK_NR_KINDS; i++)
		sink_u64(k, check__kind_name(i), s->counts[i]);
	sink_u64(k, "unreachable", s->unreachable_pages);
	sink_u64(k, "pages_scanned", s->pages_scanned);
	sink_u64(k, "nodes", s->nodes);
	sink_bool(k, "typed_cut", s->typed_cut);
	sink_u64(k, "roots", s->nr_roots);
	if (s->judged) {
		sink_str(k, "reachability", "judged");
	} else {
		char why[96];

		snprintf(why, sizeof(why), "not judged (%s)", s->not_judged);
		sink_str(k, "reachability", why);
	}
	if (s->leaks_judged) {
		sink_str(k, "leaks", "judged");
	} else {
		char why[200];

		snprintf(why, sizeof(why), "not judged: %s", s->leaks_not_judged);
		sink_str(k, "leaks", why);
	}
	sink_u64(k, "live_objects", s->live_objects);
	sink_bool(k, "stale", s->stale);
	sink_end(k, false);
	sink_end(k, false);
	sink__free(k);
}

/* --root EXPR: an lvalue is an object walked where it is; a pointer rvalue
 * ((struct node *)0x...) is followed. */
static int eval_roots(const struct cli_opts *o, struct btfx *bx, struct source *src,
		      struct check_root *roots)
{
	for (int i = 0; i < o->nr_roots; i++) {
		struct value v;
		int col = -1, err = expr__eval_str(o->roots[i], bx, src, &v, &col);

		if (err)
			return cli_expr_error("--root ", o->roots[i], col, bx, err);
		if (!v.btf)
			return cli_error("--root '%s': an integer has no type to walk; cast it: "
					 "(struct T *)ADDR",
					 o->roots[i]);
		roots[i] = (struct check_root){
			.name = o->roots[i], .btf = v.btf, .type_id = v.type_id, .addr = v.addr
		};
		if (v.var && !btfq__is_ptr(v.btf, v.type_id))
			return cli_error("--root '%s': it is in the map variable '%s', which "
					 "check walks as a root already",
					 o->roots[i], v.var->name);
		if (v.var) { /* a pointer in a map variable: its value */
			roots[i].is_ptr = true;
			roots[i].addr = 0;
			if (expr__read(src, &v, 0, &roots[i].value, 8))
				return cli_error("--root '%s': %s", o->roots[i], ai_errmsg());
		} else if (!v.lvalue) {
			if (!btfq__is_ptr(v.btf, v.type_id))
				return cli_error("--root '%s': neither an object in the arena nor "
						 "a pointer",
						 o->roots[i]);
			roots[i].is_ptr = true;
			roots[i].value = v.scalar;
		}
	}
	return 0;
}

static int do_check(int argc, char **argv, const struct cli_opts *o)
{
	struct check_root roots[16];
	struct check_opts co = { .roots = roots, .nr_roots = o->nr_roots };
	struct check_result r;
	struct btfx *bx = NULL;
	struct source *src;
	int used, ret = CHECK_TROUBLE;

	if (cli_open_arena(argc, argv, &used, &src))
		return CHECK_TROUBLE;
	if (used < argc) {
		cli_error("check: unexpected argument '%s'", argv[used]);
		goto out;
	}
	if (cli_open_btf(src, o, &bx) || eval_roots(o, bx, src, roots))
		goto out;
	co.progress = cli_progress();
	if (check__run(bx, src, &co, &r)) {
		cli_progress_end();
		cli_lib_error("check");
		goto out;
	}
	cli_progress_end();
	if (o->json || o->pretty)
		print_json(o, &r);
	else
		print_text(&r);
	if (cli_output_error())
		cli_error("check: cannot write the output");
	else
		ret = r.nr_findings || r.summary.unreachable_pages ? CHECK_FOUND : CHECK_NONE;
	check__result_free(&r);
out:
	btfx__free(bx);
	source__close(src);
	return ret;
}

const struct cli_cmd cmd_check = {
	.name = "check",
	.run = do_check,
	.args = "ARENA",
	.opts = CLI_OPTS_OUTPUT | CLI_OPTS_TYPES | CLI_O(ROOT),
	.help = "health check: dangling, reserved, outside, poison and misaligned pointers, "
		"unreachable pages",
	.trouble = 2,
};

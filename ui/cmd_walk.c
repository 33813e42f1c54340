// SPDX-License-Identifier: GPL-2.0
/*
 * arena-inspect walk ARENA START [--next MEMBER] [--container 'TYPE.MEMBER']
 * [--max N] [-j|-p]: each node of a chain through the one formatter and
 * sink, as print writes a value, then how the chain ended. Nodes are
 * written as the walker gives them (walk.h), never collected, so a long
 * chain streams.
 *
 * Text:  "#k 0xADDR" then the value, per node; then "end: REASON (...)".
 * JSON:  {"nodes": [{"index", "addr", "node", "value"}...], "count": N,
 *         "end": {"reason": ..., details}}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "btfx.h"
#include "cli.h"
#include "error.h"
#include "expr.h"
#include "format.h"
#include "walk.h"

/* the end as one line of text: "cycle (node 7 points back to node 3 at 0x...)" */
static void end_text(const struct walk_end *e, const char *link, char *buf, size_t len)
{
	unsigned long long last = e->count ? e->count - 1 : 0;
	char who[64];

	if (e->count)
		snprintf(who, sizeof(who), "node %llu's %s", last, link);
	else
		snprintf(who, sizeof(who), "the start");
	switch (e->reason) {
	case WALK_END_NULL: snprintf(buf, len, "null (%s is NULL)", who); break;
	case WALK_END_CYCLE:
		snprintf(buf, len, "cycle (node %llu points back to node %llu at 0x%llx)",
			 (unsigned long long)e->from, (unsigned long long)e->to,
			 (unsigned long long)e->ptr);
		break;
	case WALK_END_POISON:
		snprintf(buf, len, "poison (%s is 0x%llx, %s)", who, (unsigned long long)e->ptr,
			 e->poison);
		break;
	case WALK_END_UNALLOCATED:
		snprintf(buf, len,
			 "unallocated (%s is 0x%llx, in page %llu, which is not allocated)", who,
			 (unsigned long long)e->ptr, (unsigned long long)e->page);
		break;
	case WALK_END_OUTSIDE:
		snprintf(buf, len, "outside (%s is 0x%llx, outside the arena)", who,
			 (unsigned long long)e->ptr);
		break;
	case WALK_END_MAX:
		snprintf(buf, len,
			 "max (stopped after %llu nodes, the chain goes on; --max N to follow it "
			 "further)",
			 (unsigned long long)e->max);
		break;
	case WALK_END_ERROR: snprintf(buf, len, "error (%s)", e->msg); break;
	}
}

static void end_json(struct sink *s, const struct walk_end *e)
{
	sink_begin(s, "end", false, NULL);
	sink_str(s, "reason", walk__reason_name(e->reason));
	switch (e->reason) {
	case WALK_END_NULL: break;
	case WALK_END_CYCLE:
		sink_u64(s, "from", e->from);
		sink_u64(s, "to", e->to);
		sink_hex(s, "addr", e->ptr);
		break;
	case WALK_END_POISON:
		sink_hex(s, "value", e->ptr);
		sink_str(s, "name", e->poison);
		break;
	case WALK_END_UNALLOCATED:
		sink_hex(s, "addr", e->ptr);
		sink_u64(s, "page", e->page);
		break;
	case WALK_END_OUTSIDE: sink_hex(s, "addr", e->ptr); break;
	case WALK_END_MAX:
		sink_u64(s, "max", e->max);
		sink_str(s, "note", "--max N");
		break;
	case WALK_END_ERROR: sink_str(s, "message", e->msg); break;
	}
	sink_end(s, false);
}

static int do_walk(int argc, char **argv, const struct cli_opts *o)
{
	struct fmt_opts fo = { .max_depth = 16,
			       .max_nodes = 100000,
			       .max_array = o->max_elements ? o->max_elements : CLI_MAX_ELEMENTS };
	struct walk_opts wo = { .next = o->walk_next,
				.container = o->walk_container,
				.max = o->walk_max };
	bool json = o->json || o->pretty;
	struct source *src;
	struct btfx *bx = NULL;
	struct walk *w = NULL;
	struct walk_node wn;
	struct walk_end e;
	struct sink *s = NULL;
	struct value v;
	char *text = NULL, line[512];
	int used, ret = 1, r;

	if (cli_open_arena(argc, argv, &used, &src))
		return 1;
	if (used >= argc) {
		source__close(src);
		return cli_error("usage: walk ARENA START [--next MEMBER] [--container "
				 "'TYPE.MEMBER'] [--max N]");
	}
	/* the rest of the words are one expression, as print's */
	if (cli_eval_words(argc - used, argv + used, src, o, &bx, &v, &text))
		goto out;
	if (walk__open(bx, src, &v, &wo, &w)) {
		cli_lib_error("walk");
		goto out;
	}
	s = cli_sink(o);
	if (!s) {
		cli_error("out of memory");
		goto out;
	}
	if (json) {
		sink_begin(s, NULL, false, NULL);
		sink_begin(s, "nodes", true, NULL);
	}
	while ((r = walk__next(w, &wn)) == 1) {
		if (json) {
			sink_begin(s, NULL, false, NULL);
			sink_u64(s, "index", wn.index);
			sink_hex(s, "addr", wn.addr);
			sink_hex(s, "node", wn.node);
		} else {
			cli_line("#%llu 0x%llx", (unsigned long long)wn.index,
				 (unsigned long long)wn.addr);
		}
		if (fmt__value(bx, src, &wn.value, json ? "value" : NULL, s, &fo)) {
			/* a value that cannot be read at all (arena gone) */
			if (json)
				sink_str(s, "value", ai_errmsg());
			else
				cli_line("? %s", ai_errmsg());
		}
		if (json)
			sink_end(s, false);
	}
	walk__end(w, &e);
	if (json) {
		sink_end(s, true);
		sink_u64(s, "count", e.count);
		end_json(s, &e);
		sink_end(s, false);
	} else {
		end_text(&e, wo.next ? wo.next : "next", line, sizeof(line));
		cli_line("end: %s", line);
	}
	sink__free(s);
	s = NULL;
	if (e.reason == WALK_END_ERROR) {
		cli_error("walk: %s", e.msg);
		goto out;
	}
	ret = 0;
out:
	walk__close(w);
	free(text);
	btfx__free(bx);
	source__close(src);
	return ret;
}

const struct cli_cmd cmd_walk = {
	.name = "walk",
	.run = do_walk,
	.args = "ARENA START",
	.opts = CLI_OPTS_OUTPUT | CLI_OPTS_TYPES | CLI_O(MAX_ELEMENTS) | CLI_O(NEXT) |
		CLI_O(CONTAINER) | CLI_O(MAX),
	.help = "follow a chain from START through member M (default next): every node, then how "
		"it ends",
};

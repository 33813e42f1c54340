// SPDX-License-Identifier: GPL-2.0
/*
 * arena-inspect heap ARENA: every allocator the heap backends recognise
 * (heap.h), with its pages, live objects, free slots, fragmentation and
 * notes, then the allocated pages no allocator claims and the pages of
 * __arena globals.
 *
 * arena-inspect heap ARENA ADDR|EXPR [--as TYPE]: the allocation that
 * holds ADDR (pwndbg's `hi`): its start, size, state, allocator, note, and
 * the typed value when the object's type is known or given with --as,
 * through the one formatter, as print writes it.
 *
 * Exit 0 when the arena was read and the question answered (an address in
 * no allocation is an answer: "where" says what holds it); 1 on trouble,
 * an address outside the arena included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "btfx.h"
#include "cli.h"
#include "error.h"
#include "expr.h"
#include "format.h"
#include "heap.h"
#include "refs.h"

static const char *state_name(enum heap_obj_state s)
{
	return s == HEAP_LIVE ? "live" : "free";
}

static void json_run(struct sink *s, const struct heap_pages *r)
{
	sink_begin(s, NULL, false, NULL);
	sink_u64(s, "first", r->first);
	sink_u64(s, "last", (uint64_t)r->first + r->count - 1);
	sink_str(s, "role", r->role ? r->role : "");
	sink_bool(s, "holds_objects", r->holds_objects);
	if (r->counted)
		sink_u64(s, "live_count", r->nr_counted);
	sink_end(s, false);
}

static void json_obj(struct sink *s, const struct heap_obj *ob)
{
	char tn[256];

	sink_begin(s, NULL, false, NULL);
	sink_hex(s, "addr", ob->addr);
	sink_u64(s, "size", ob->size);
	sink_str(s, "state", state_name(ob->state));
	if (ob->btf && ob->type_id) {
		fmt__type_name(ob->btf, ob->type_id, tn, sizeof(tn));
		sink_str(s, "type", tn);
	}
	sink_str(s, "note", ob->note);
	sink_end(s, false);
}

static void json_ranges(struct sink *s, const char *key, const struct heap_range *r, size_t n)
{
	sink_begin(s, key, true, NULL);
	for (size_t i = 0; i < n; i++) {
		sink_begin(s, NULL, true, NULL);
		sink_u64(s, NULL, r[i].first);
		sink_u64(s, NULL, (uint64_t)r[i].first + r[i].count - 1);
		sink_end(s, true);
	}
	sink_end(s, true);
}

static void json_notes(struct sink *s, char **notes, size_t n)
{
	sink_begin(s, "notes", true, NULL);
	for (size_t i = 0; i < n; i++)
		sink_str(s, NULL, notes[i]);
	sink_end(s, true);
}

static void json_stats(struct sink *s, const struct heap_stats *st)
{
	char frag[32];

	sink_begin(s, "stats", false, NULL);
	sink_u64(s, "pages", st->pages);
	sink_u64(s, "object_pages", st->object_pages);
	sink_u64(s, "live_objects", st->live_objects);
	sink_u64(s, "live_bytes", st->live_bytes);
	if (st->counted)
		sink_u64(s, "counted_live", st->counted_live);
	sink_u64(s, "free_slots", st->free_slots);
	sink_u64(s, "free_bytes", st->free_bytes);
	sink_u64(s, "largest_free", st->largest_free);
	sink_bool(s, "fixed_size", st->fixed_size);
	snprintf(frag, sizeof(frag), "%.4f", st->fragmentation);
	sink_value(s, "fragmentation", SK_NUM, frag, NULL);
	sink_end(s, false);
}

static void print_json(const struct cli_opts *o, const struct heap *h)
{
	struct sink *s = cli_sink(o);

	sink_begin(s, NULL, false, NULL);
	sink_begin(s, "allocators", true, NULL);
	for (size_t i = 0; i < h->nr_allocs; i++) {
		const struct heap_alloc *a = &h->allocs[i];

		sink_begin(s, NULL, false, NULL);
		sink_str(s, "name", a->be->name);
		sink_str(s, "title", a->be->title);
		sink_str(s, "version", a->be->version);
		json_stats(s, &a->stats);
		sink_begin(s, "pages", true, NULL);
		for (size_t r = 0; r < a->nr_runs; r++)
			json_run(s, &a->runs[r]);
		sink_end(s, true);
		sink_begin(s, "objects", true, NULL);
		for (size_t k = 0; k < a->nr_objs; k++)
			json_obj(s, &a->objs[k]);
		sink_end(s, true);
		json_notes(s, a->notes, a->nr_notes);
		sink_end(s, false);
	}
	sink_end(s, true);
	sink_u64(s, "unclaimed_count", h->unclaimed_pages);
	json_ranges(s, "unclaimed_pages", h->unclaimed, h->nr_unclaimed);
	json_ranges(s, "globals_pages", h->globals, h->nr_globals);
	json_notes(s, h->notes, h->nr_notes);
	sink_end(s, false);
	sink__free(s);
}

static void text_ranges(const char *what, const struct heap_range *r, size_t n, uint64_t pages)
{
	char buf[200];
	size_t off = 0;

	off += snprintf(buf, sizeof(buf), "%s: %llu page%s", what, (unsigned long long)pages,
			pages == 1 ? "" : "s");
	for (size_t i = 0; i < n && off < sizeof(buf) - 40; i++) {
		if (r[i].count == 1)
			off += snprintf(buf + off, sizeof(buf) - off, "%s %u", i ? "," : "",
					r[i].first);
		else
			off += snprintf(buf + off, sizeof(buf) - off, "%s %u-%u", i ? "," : "",
					r[i].first, r[i].first + r[i].count - 1);
		if (i + 1 < n && off >= sizeof(buf) - 40)
			snprintf(buf + off, sizeof(buf) - off, ", ... (%zu runs; -j lists all)", n);
	}
	cli_line("%s", buf);
}

static void print_text(const struct heap *h)
{
	char tn[256];

	if (!h->nr_allocs) {
		char names[160] = "";
		size_t off = 0;

		for (int i = 0; heap_backends[i] && off < sizeof(names); i++)
			off += snprintf(names + off, sizeof(names) - off, "%s%s", i ? ", " : "",
					heap_backends[i]->name);
		cli_line("no allocator recognised (backends: %s)", names);
	}
	for (size_t i = 0; i < h->nr_allocs; i++) {
		const struct heap_alloc *a = &h->allocs[i];
		const struct heap_stats *st = &a->stats;

		cli_line("%s: %s [%s]", a->be->name, a->be->title, a->be->version);
		cli_line("  pages %llu (%llu with objects); live %llu object%s, %llu bytes%s; free "
			 "%llu slot%s, %llu bytes (largest %llu); fragmentation %.2f%s",
			 (unsigned long long)st->pages, (unsigned long long)st->object_pages,
			 (unsigned long long)st->live_objects, st->live_objects == 1 ? "" : "s",
			 (unsigned long long)st->live_bytes, "", (unsigned long long)st->free_slots,
			 st->free_slots == 1 ? "" : "s", (unsigned long long)st->free_bytes,
			 (unsigned long long)st->largest_free, st->fragmentation,
			 st->fixed_size ? " (fixed-size slots)" : "");
		if (st->counted)
			cli_line("  the allocator counts %llu live object%s (%llu with known "
				 "boundaries, listed below)",
				 (unsigned long long)st->counted_live,
				 st->counted_live == 1 ? "" : "s",
				 (unsigned long long)st->live_objects);
		for (size_t r = 0; r < a->nr_runs; r++) {
			const struct heap_pages *p = &a->runs[r];
			char cnt[48] = "";

			if (p->counted)
				snprintf(cnt, sizeof(cnt), "  live count %llu",
					 (unsigned long long)p->nr_counted);
			if (p->count == 1)
				cli_line("  page %u  %s%s", p->first, p->role ? p->role : "", cnt);
			else
				cli_line("  pages %u-%u  %s%s", p->first, p->first + p->count - 1,
					 p->role ? p->role : "", cnt);
		}
		for (size_t k = 0; k < a->nr_objs; k++) {
			const struct heap_obj *ob = &a->objs[k];

			tn[0] = 0;
			if (ob->btf && ob->type_id)
				fmt__type_name(ob->btf, ob->type_id, tn, sizeof(tn));
			cli_line("  0x%llx +%llu %s%s%s%s%s", (unsigned long long)ob->addr,
				 (unsigned long long)ob->size, state_name(ob->state),
				 tn[0] ? "  " : "", tn, ob->note[0] ? "  " : "", ob->note);
		}
		for (size_t n = 0; n < a->nr_notes; n++)
			cli_line("  note: %s", a->notes[n]);
	}
	text_ranges("unclaimed", h->unclaimed, h->nr_unclaimed, h->unclaimed_pages);
	{
		uint64_t g = 0;

		for (size_t i = 0; i < h->nr_globals; i++)
			g += h->globals[i].count;
		text_ranges("globals", h->globals, h->nr_globals, g);
	}
	for (size_t n = 0; n < h->nr_notes; n++)
		cli_line("note: %s", h->notes[n]);
}

/* ---- heap ARENA ADDR ---- */

/* The address named by the words: a number, or an expression (a pointer
 * names what it points at, an lvalue its place), as refs takes it. */
static int resolve_addr(struct source *src, struct btfx *bx, const char *where, uint64_t *addr)
{
	uint64_t size;
	struct value v;
	int col = 0, err;

	if (!cli_parse_addr(src, where, addr))
		return 0;
	err = expr__eval_str(where, bx, src, &v, &col);
	if (err)
		return cli_expr_error("heap: ", where, col, bx, err);
	if (refs__value_object(src, &v, true, addr, &size))
		return cli_error("heap: '%s': %s", where, ai_errmsg());
	return 0;
}

/* --as TYPE, resolved before anything is printed */
struct as_type {
	const struct btf *btf;
	uint32_t type_id;
};

static int resolve_as(struct btfx *bx, const char *name, struct as_type *as)
{
	char msg[400];

	if (btfx__find_type(bx, name, &as->btf, &as->type_id))
		return cli_error("heap --as: no type '%s'%s", name,
				 btfx__nr_btfs(bx) ? "" : " (no BTF: give it with --types FILE)");
	btfx__complete(bx, &as->btf, &as->type_id);
	if (btfx__is_fwd(as->btf, as->type_id)) {
		btfx__incomplete_msg(bx, as->btf, as->type_id, msg, sizeof(msg));
		return cli_error("heap --as: %s", msg);
	}
	return 0;
}

static int show_value(struct btfx *bx, struct source *src, const struct cli_opts *o,
		      const struct as_type *as, const struct heap_hit *hit, uint64_t addr,
		      struct sink *s, bool json)
{
	struct fmt_opts fo = { .max_depth = 16,
			       .max_nodes = 100000,
			       .max_array = o->max_elements ? o->max_elements : CLI_MAX_ELEMENTS };
	struct value v = { .lvalue = true };
	char label[320], tn[256];

	if (as->btf) {
		v.btf = as->btf;
		v.type_id = as->type_id;
	} else if (hit->where == HEAP_AT_OBJECT && hit->obj->btf && hit->obj->type_id) {
		v.btf = hit->obj->btf;
		v.type_id = hit->obj->type_id;
	} else {
		return 0;
	}
	v.addr = hit->where == HEAP_AT_OBJECT ? hit->obj->addr : addr;
	fmt__type_name(v.btf, v.type_id, tn, sizeof(tn));
	snprintf(label, sizeof(label), "*(%s *)0x%llx", tn, (unsigned long long)v.addr);
	fo.path = label;
	if (fmt__value(bx, src, &v, json ? "value" : label, s, &fo))
		return cli_lib_error("heap");
	return 0;
}

static int heap_at(struct source *src, struct btfx *bx, const struct pagemap *pm,
		   const struct heap *h, const struct cli_opts *o, const struct as_type *as,
		   uint64_t addr)
{
	bool json = o->json || o->pretty;
	struct heap_hit hit;
	struct sink *s;
	char what[200];
	int err;

	heap__lookup(h, pm, addr, &hit);
	if (hit.where == HEAP_AT_OUTSIDE)
		return cli_error("heap: 0x%llx is outside the arena (0x%llx-0x%llx)",
				 (unsigned long long)addr, (unsigned long long)h->base,
				 (unsigned long long)(h->base + source__size(src)));
	s = cli_sink(o);
	if (json) {
		sink_begin(s, NULL, false, NULL);
		sink_hex(s, "addr", addr);
		sink_u64(s, "page", hit.page);
		sink_str(s, "where", heap__where_name(hit.where));
		if (hit.a)
			sink_str(s, "allocator", hit.a->be->name);
		if (hit.run) {
			sink_begin(s, "run", false, NULL);
			sink_u64(s, "first", hit.run->first);
			sink_u64(s, "last", (uint64_t)hit.run->first + hit.run->count - 1);
			sink_str(s, "role", hit.run->role ? hit.run->role : "");
			if (hit.run->counted)
				sink_u64(s, "live_count", hit.run->nr_counted);
			sink_end(s, false);
		}
		if (hit.obj) {
			sink_begin(s, "object", false, NULL);
			sink_hex(s, "addr", hit.obj->addr);
			sink_u64(s, "size", hit.obj->size);
			sink_str(s, "state", state_name(hit.obj->state));
			sink_str(s, "note", hit.obj->note);
			sink_u64(s, "offset", addr - hit.obj->addr);
			sink_end(s, false);
		}
	} else {
		heap__describe(&hit, addr, what, sizeof(what));
		cli_line("0x%llx: %s", (unsigned long long)addr, what);
		if (hit.run && hit.run->counted)
			cli_line("  page %u counts %llu live object%s", hit.page,
				 (unsigned long long)hit.run->nr_counted,
				 hit.run->nr_counted == 1 ? "" : "s");
	}
	err = show_value(bx, src, o, as, &hit, addr, s, json);
	if (json)
		sink_end(s, false);
	sink__free(s);
	return err;
}

static int do_heap(int argc, char **argv, const struct cli_opts *o)
{
	struct pagemap pm = { 0 };
	struct btfx *bx = NULL;
	struct heap *h = NULL;
	struct source *src;
	char *where = NULL;
	int used, ret = 1;

	if (cli_open_arena(argc, argv, &used, &src))
		return 1;
	if (o->heap_as && used >= argc) {
		cli_error("heap: --as TYPE needs an ADDR");
		goto out;
	}
	if (cli_open_btf(src, o, &bx))
		goto out;
	if (used < argc && !(where = cli_join_words(argc - used, argv + used)))
		goto out;
	if (source__pagemap(src, &pm)) {
		cli_lib_error("heap");
		goto out;
	}
	if (heap__open(bx, src, &pm, NULL, &h)) {
		cli_lib_error("heap");
		goto out;
	}
	if (where) {
		struct as_type as = { 0 };
		uint64_t addr;

		if ((o->heap_as && resolve_as(bx, o->heap_as, &as)) ||
		    resolve_addr(src, bx, where, &addr) || heap_at(src, bx, &pm, h, o, &as, addr))
			goto out;
	} else if (o->json || o->pretty) {
		print_json(o, h);
	} else {
		print_text(h);
	}
	if (pm.stale)
		fprintf(stderr, "arena-inspect: warning: the arena changed while its page map was "
				"read: the heap may be out of date\n");
	ret = cli_output_error() ? cli_error("heap: cannot write the output") : 0;
out:
	free(where);
	heap__free(h);
	pagemap__free(&pm);
	btfx__free(bx);
	source__close(src);
	return ret;
}

const struct cli_cmd cmd_heap = {
	.name = "heap",
	.run = do_heap,
	.args = "ARENA [ADDR|EXPR]",
	.opts = CLI_OPTS_OUTPUT | CLI_OPTS_TYPES | CLI_O(MAX_ELEMENTS) | CLI_O(AS),
	.help = "allocators: pages, live objects, free slots, fragmentation; with ADDR the "
		"allocation that holds it",
};

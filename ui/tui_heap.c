// SPDX-License-Identifier: GPL-2.0
/*
 * The TUI's side of the heap (heap.h): `i` on an address (hex cursor,
 * struct field, page map cell) says which allocation holds it, in the text
 * view, where Enter goes to the allocation; and the page map's colour per
 * page owner. The heap itself is the session's (session__heap: built on
 * demand, once per page map refresh).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "format.h"
#include "heap.h"
#include "tui_int.h"

enum role tui_heap_role(int owner)
{
	static const enum role cycle[] = { R_HEAP0, R_HEAP1, R_HEAP2 };

	if (owner == HEAP_OWNER_GLOBALS)
		return R_GLOBALS;
	if (owner < 0)
		return R_UNCLAIMED;
	return cycle[owner % 3];
}

struct lines {
	char **v;
	int n, cap;
};

static void add(struct lines *l, bool heading, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add(struct lines *l, bool heading, const char *fmt, ...)
{
	char *s, *t;
	va_list ap;
	int r;

	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		char **nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return;
		l->v = nv;
		l->cap = cap;
	}
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	if (heading) {
		if (asprintf(&t, "\1%s", s) < 0) {
			free(s);
			return;
		}
		free(s);
		s = t;
	}
	l->v[l->n++] = s;
}

enum request tui_heap_info(struct session *s)
{
	const struct heap *h = session__heap(s);
	uint64_t addr = s->nav.addr, go = 0;
	struct lines l = { 0 };
	struct heap_hit hit;
	char what[400], tn[256];

	if (!h) {
		if (s->src && s->have_pm)
			session__msg(s, true, "heap: %s", ai_errmsg());
		else
			session__msg(s, true, "heap: no arena or page map");
		return REQ_NONE;
	}
	heap__lookup(h, &s->pm, addr, &hit);
	heap__describe(&hit, addr, what, sizeof(what));
	add(&l, true, "Allocation at 0x%llx", (unsigned long long)addr);
	add(&l, false, "%s", what);
	if (hit.a)
		add(&l, false, "allocator: %s, %s [%s]", hit.a->be->name, hit.a->be->title,
		    hit.a->be->version);
	if (hit.run) {
		char cnt[48] = "";

		if (hit.run->counted)
			snprintf(cnt, sizeof(cnt), ", live count %llu",
				 (unsigned long long)hit.run->nr_counted);
		add(&l, false, "pages %u-%u: %s%s", hit.run->first,
		    hit.run->first + hit.run->count - 1, hit.run->role ? hit.run->role : "", cnt);
	}
	if (hit.obj) {
		go = hit.obj->addr;
		if (hit.obj->btf && hit.obj->type_id) {
			fmt__type_name(hit.obj->btf, hit.obj->type_id, tn, sizeof(tn));
			add(&l, false, "type: %s (print *(%s *)0x%llx)", tn, tn,
			    (unsigned long long)hit.obj->addr);
		}
	} else if (hit.run) {
		go = h->base + ((uint64_t)hit.run->first << h->page_shift);
	}
	if (hit.a)
		for (size_t i = 0; i < hit.a->nr_notes; i++)
			add(&l, false, "note: %s", hit.a->notes[i]);
	add(&l, false, "%s", "");
	if (go)
		add(&l, false, "Enter: show 0x%llx in hex   q: back", (unsigned long long)go);
	else
		add(&l, false, "q: back");
	session__nav_text(s, "allocation", l.v, l.n);
	s->nav.text_addr = go;
	return REQ_SHOW_TEXT;
}

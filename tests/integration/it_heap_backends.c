// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 15's sched_ext backends on real fixture arenas, called directly
 * through heap.h (detect, walk, release): on sdtalloc and buddy the walk
 * gives exactly the objects (address, size, state) and the page runs
 * (first, count, role) the fixture's loader states from its program's own
 * books, with no note but the ones about layouts taken from upstream; for
 * sdtalloc the live objects equal alloc_stats.active_allocs, and a wrong
 * active_allocs (written into the pinned .bss) is a note; the buddy
 * fixture's ASAN shadow says exactly which bytes are poisoned (a live block
 * valid for the size asked, a free one but its header, the chunk headers)
 * and "unknown" where no shadow page exists. The same holds on
 * a snapshot of each, read by nobody. Neither backend detects anything on
 * the other fixtures nor on each other's. No walk allocates a page (the
 * kernel's count before and after). Skipped with a reason where BPF
 * arenas are missing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "btfx.h"
#include "cli_run.h"
#include "error.h"
#include "fixture.h"
#include "heap_asan.h"
#include "json.h"
#include "live.h"
#include "snapshot.h"

static struct fixture F;
static char dir[] = "/tmp/it_heap_backends.XXXXXX";

/* ---- what a walk reported ---- */
struct run {
	uint32_t first, count;
	char role[32];
	bool holds;
};

struct got {
	struct run *runs;
	size_t nruns;
	struct heap_obj *objs;
	size_t nobjs;
	char (*notes)[256];
	size_t nnotes;
};

static int on_pages(void *ctx, const struct heap_pages *p)
{
	struct got *g = ctx;

	g->runs = realloc(g->runs, (g->nruns + 1) * sizeof(*g->runs));
	assert_non_null(g->runs);
	g->runs[g->nruns] = (struct run){ p->first, p->count, "", p->holds_objects };
	snprintf(g->runs[g->nruns].role, sizeof(g->runs[0].role), "%s", p->role);
	g->nruns++;
	return 0;
}

static int on_obj(void *ctx, const struct heap_obj *o)
{
	struct got *g = ctx;

	g->objs = realloc(g->objs, (g->nobjs + 1) * sizeof(*g->objs));
	assert_non_null(g->objs);
	g->objs[g->nobjs++] = *o;
	return 0;
}

static int on_note(void *ctx, const char *msg)
{
	struct got *g = ctx;

	g->notes = realloc(g->notes, (g->nnotes + 1) * sizeof(*g->notes));
	assert_non_null(g->notes);
	snprintf(g->notes[g->nnotes++], sizeof(g->notes[0]), "%s", msg);
	return 0;
}

static void got_free(struct got *g)
{
	free(g->runs);
	free(g->objs);
	free(g->notes);
	memset(g, 0, sizeof(*g));
}

/* an opened arena: source, types, page map */
struct opened {
	struct source *src;
	struct btfx *bx;
	struct pagemap pm;
	struct heap_ctx c;
};

static int open_src(struct opened *o, struct source *src)
{
	memset(o, 0, sizeof(*o));
	o->src = src;
	if (btfx__open(src, NULL, &o->bx) || source__pagemap(src, &o->pm))
		return -1;
	o->c = (struct heap_ctx){ .bx = o->bx, .src = src, .pm = &o->pm };
	return 0;
}

static void open_live(struct opened *o, uint32_t map_id)
{
	struct selector sel = { .kind = SEL_ID, .id = map_id };
	struct source *src;

	assert_int_equal(live__open(&sel, NULL, &src), 0);
	assert_int_equal(open_src(o, src), 0);
}

static void close_src(struct opened *o)
{
	pagemap__free(&o->pm);
	btfx__free(o->bx);
	source__close(o->src);
}

/* detect (must find it) and walk b into g; the walk's return value */
static int walk_backend(const struct heap_backend *b, struct opened *o, struct got *g)
{
	struct heap_visitor v = { on_pages, on_obj, on_note, g };
	void *priv = NULL;
	int ret;

	memset(g, 0, sizeof(*g));
	if (b->detect(&o->c, &priv) != 1)
		return -100;
	ret = b->walk(&o->c, priv, &v);
	b->release(priv);
	return ret;
}

static const char *state_name(enum heap_obj_state s)
{
	return s == HEAP_LIVE ? "live" : "free";
}

/* No note but those saying a layout came from upstream (where the types
 * are not complete in the BTF: what the fixtures are built to show). */
static void only_layout_notes(const struct got *g)
{
	for (size_t i = 0; i < g->nnotes; i++)
		if (!strstr(g->notes[i], "is not complete in the BTF"))
			fail_msg("unexpected note: %s", g->notes[i]);
}

/* g's objects and page runs are exactly heap's (the fixture's "heap") */
static void same_as_fixture(const struct got *g, const struct json *heap)
{
	const struct json *objs = json_get(heap, "objects"), *pages = json_get(heap, "pages");

	assert_non_null(objs);
	assert_non_null(pages);
	if (g->nobjs != json_len(objs))
		fail_msg("%zu objects, the fixture has %zu", g->nobjs, json_len(objs));
	for (size_t i = 0; i < g->nobjs; i++) {
		const struct json *w = json_at(objs, i);

		if (g->objs[i].addr != json_u64(json_get(w, "addr"), 1) ||
		    g->objs[i].size != json_u64(json_get(w, "size"), 1) ||
		    strcmp(state_name(g->objs[i].state), json_str(json_get(w, "state"))))
			fail_msg("object %zu: 0x%" PRIx64 " %" PRIu64
				 " %s, the fixture has %s %" PRIu64 " %s",
				 i, g->objs[i].addr, g->objs[i].size, state_name(g->objs[i].state),
				 json_str(json_get(w, "addr")), json_u64(json_get(w, "size"), 0),
				 json_str(json_get(w, "state")));
	}
	if (g->nruns != json_len(pages))
		fail_msg("%zu page runs, the fixture has %zu", g->nruns, json_len(pages));
	for (size_t i = 0; i < g->nruns; i++) {
		const struct json *w = json_at(pages, i);

		if (g->runs[i].first != json_u64(json_get(w, "first"), 0) ||
		    g->runs[i].count != json_u64(json_get(w, "count"), 0) ||
		    strcmp(g->runs[i].role, json_str(json_get(w, "role"))))
			fail_msg("page run %zu: %u+%u %s, the fixture has %" PRIu64 "+%" PRIu64
				 " %s",
				 i, g->runs[i].first, g->runs[i].count, g->runs[i].role,
				 json_u64(json_get(w, "first"), 0),
				 json_u64(json_get(w, "count"), 0), json_str(json_get(w, "role")));
		assert_int_equal(g->runs[i].holds, !strcmp(g->runs[i].role, "objects"));
	}
}

static size_t count_state(const struct got *g, enum heap_obj_state s)
{
	size_t n = 0;

	for (size_t i = 0; i < g->nobjs; i++)
		n += g->objs[i].state == s;
	return n;
}

static const struct heap_obj *obj_at(const struct got *g, uint64_t addr)
{
	for (size_t i = 0; i < g->nobjs; i++)
		if (g->objs[i].addr == addr)
			return &g->objs[i];
	return NULL;
}

static uint32_t kernel_allocated(void)
{
	struct fixture_counts c;

	assert_int_equal(fixture_count(&F, &c), 0);
	return c.allocated;
}

/* ---- sdt_alloc ---- */
static void sdt_checks(const struct got *g, const struct json *heap)
{
	const struct heap_obj *from, *to;

	same_as_fixture(g, heap);
	only_layout_notes(g);
	/* live objects == alloc_stats.active_allocs == the books' live count
	 * (the walk notes a leaf bitmap population that differs) */
	assert_int_equal(count_state(g, HEAP_LIVE), json_u64(json_get(heap, "active_allocs"), 0));
	assert_int_equal(count_state(g, HEAP_LIVE), json_u64(json_get(heap, "live"), 1));
	/* the freed element a live one still points at */
	from = obj_at(g, json_u64(json_path(heap, "peer.from"), 0));
	to = obj_at(g, json_u64(json_path(heap, "peer.to"), 0));
	assert_non_null(from);
	assert_non_null(to);
	assert_int_equal(from->state, HEAP_LIVE);
	assert_int_equal(to->state, HEAP_FREE);
	assert_non_null(strstr(to->note, "genn 1"));
	/* qnodes' pages are no allocator's */
	for (size_t i = 0; i < g->nruns; i++)
		assert_true(g->runs[i].first >= json_u64(json_path(heap, "unowned[0].count"), 0));
}

static int teardown(void **state)
{
	(void)state;
	fixture_unload(&F);
	return 0;
}

/* the .bss of the pinned fixture, with the bytes of variable v replaced by
 * val at offset off within it (found by its current bytes: unique) */
static void poke_bss(const struct map_var *v, uint32_t off, uint64_t val)
{
	char path[300];
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info), key = 0;
	uint8_t *buf, *hit = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/bss", F.pin);
	fd = bpf_obj_get(path);
	assert_true(fd >= 0);
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	buf = malloc(info.value_size);
	assert_non_null(buf);
	assert_int_equal(bpf_map_lookup_elem(fd, &key, buf), 0);
	for (uint32_t i = 0; i + v->size <= info.value_size; i++)
		if (!memcmp(buf + i, v->data, v->size)) {
			assert_null(hit);
			hit = buf + i;
		}
	assert_non_null(hit);
	memcpy(hit + off, &val, sizeof(val));
	assert_int_equal(bpf_map_update_elem(fd, &key, buf, 0), 0);
	free(buf);
	close(fd);
}

/* snapshot the loaded fixture into dir/NAME.core, readable by all */
static void take_snapshot(const char *name, char *file, size_t len)
{
	snprintf(file, len, "%s/%s.core", dir, name);
	free(cli_run(0, CLI_RUN_QUIET, "%s snapshot id %u -o %s", INSPECT_BIN, F.map_id, file));
	assert_int_equal(chmod(file, 0644), 0);
}

/*
 * Walk b on the snapshot file as nobody (a child that drops root): the
 * objects and runs must be heap's. The child's failures are its exit code.
 */
static void walk_as_nobody(const struct heap_backend *b, const char *file, const struct json *heap)
{
	struct passwd *pw = getpwnam("nobody");
	pid_t pid;
	int st;

	if (!pw)
		fail_msg("no user nobody");
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct source *src;
		struct opened o;
		struct got g;
		int bad = 0;

		if (setgid(pw->pw_gid) || setuid(pw->pw_uid) || !getuid())
			_exit(2);
		if (snapshot__open(file, &src) || open_src(&o, src))
			_exit(3);
		if (walk_backend(b, &o, &g))
			_exit(4);
		/* as same_as_fixture, without cmocka in the child */
		bad |= g.nobjs != json_len(json_get(heap, "objects"));
		for (size_t i = 0; !bad && i < g.nobjs; i++) {
			const struct json *w = json_at(json_get(heap, "objects"), i);

			bad |= g.objs[i].addr != json_u64(json_get(w, "addr"), 1) ||
			       g.objs[i].size != json_u64(json_get(w, "size"), 1) ||
			       strcmp(state_name(g.objs[i].state), json_str(json_get(w, "state")));
		}
		bad |= g.nruns != json_len(json_get(heap, "pages"));
		_exit(bad ? 5 : 0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("the walk as nobody failed (status 0x%x)", st);
}

/* Copy file to out with the one occurrence of the len bytes old replaced by
 * new (a snapshot stores page data as it is: hostile contents made to order) */
static void patch_file(const char *file, const char *out, const void *old, const void *new,
		       size_t len)
{
	FILE *f = fopen(file, "rb");
	char *buf, *hit, *again;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc(n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	hit = memmem(buf, n, old, len);
	assert_non_null(hit);
	again = memmem(hit + 1, n - (hit + 1 - buf), old, len);
	assert_null(again);
	memcpy(hit, new, len);
	f = fopen(out, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), (size_t)n);
	fclose(f);
	free(buf);
}

static bool has_note(const struct got *g, const char *what)
{
	for (size_t i = 0; i < g->nnotes; i++)
		if (strstr(g->notes[i], what))
			return true;
	return false;
}

/* The snapshot file with old replaced by new (once) walked by be: the note
 * what is said, and every object is still reported once (nobjs). */
static void walk_patched(const char *file, const char *suffix, const void *old, const void *new,
			 size_t len, const struct heap_backend *be, const char *what, size_t nobjs)
{
	char out[300];
	struct source *src;
	struct opened o;
	struct got g;

	snprintf(out, sizeof(out), "%s.%s", file, suffix);
	patch_file(file, out, old, new, len);
	assert_int_equal(snapshot__open(out, &src), 0);
	assert_int_equal(open_src(&o, src), 0);
	assert_int_equal(walk_backend(be, &o, &g), 0);
	assert_true(has_note(&g, what));
	assert_int_equal(g.nobjs, nobjs);
	got_free(&g);
	close_src(&o);
	unlink(out);
}

/*
 * Hostile trees, made from the snapshot: a live element whose tid says it
 * was freed, and the root linking its one subtree from a second slot. The
 * walk notes both, walks the subtree once, and still reports every object.
 */
static void sdt_corrupt(struct opened *live, const char *file, const struct json *heap)
{
	const struct json *objs = json_get(heap, "objects");
	const struct map_var *al = btfx__find_var(live->bx, "scx_task_allocator");
	uint64_t el = 0, root, chunk, tid[2], tid0[2];
	uint8_t page[4096], bad[4096];

	for (size_t i = 0; i < json_len(objs) && !el; i++)
		if (json_u64(json_get(json_at(objs, i), "idx"), 0) == 7)
			el = json_u64(json_get(json_at(objs, i), "addr"), 0);
	assert_true(el);
	/* the element: its tid (idx 7, genn 0) and the first payload word */
	assert_int_equal(source__read_exact(live->src, el, tid, sizeof(tid)), 0);
	memcpy(tid0, tid, sizeof(tid));
	tid0[0] &= ~0xffffffffULL; /* tid.idx 0: "freed" */
	walk_patched(file, "tid", tid, tid0, sizeof(tid), &heap_sdt_alloc, "but its tid says freed",
		     json_len(objs));

	/* the root's chunk: slot 1 made a second link to slot 0's subtree */
	assert_non_null(al);
	memcpy(&root, al->data + 32, sizeof(root)); /* scx_allocator.root */
	assert_int_equal(source__read_exact(live->src, root + 72, &chunk, 8), 0);
	assert_int_equal(source__read_exact(live->src, chunk, page, sizeof(page)), 0);
	memcpy(bad, page, sizeof(bad));
	memcpy(bad + 8, page, 8);
	walk_patched(file, "dup", page, bad, sizeof(page), &heap_sdt_alloc,
		     "is linked from the tree twice", json_len(objs));
}

static void sdtalloc(void **state)
{
	const struct json *heap;
	struct opened o, s;
	struct source *snap;
	struct got g;
	char file[256];
	uint32_t before;

	(void)state;
	assert_int_equal(fixture_load("sdtalloc", &F), 0);
	heap = json_get(F.expect, "heap");
	assert_string_equal(json_str(json_get(heap, "allocator")), heap_sdt_alloc.name);
	before = kernel_allocated();
	assert_int_equal(before, F.allocated); /* the kernel agrees with the books */

	open_live(&o, F.map_id);
	assert_int_equal(walk_backend(&heap_sdt_alloc, &o, &g), 0);
	sdt_checks(&g, heap);
	got_free(&g);
	/* not a buddy arena, no ASAN shadow */
	{
		void *priv = (void *)1;
		struct heap_asan a;

		assert_int_equal(heap_buddy.detect(&o.c, &priv), 0);
		assert_int_equal(heap_asan__find(&o.c, &a), 0);
	}

	/* a snapshot gives the same, also to nobody */
	take_snapshot("sdtalloc", file, sizeof(file));
	assert_int_equal(snapshot__open(file, &snap), 0);
	assert_int_equal(open_src(&s, snap), 0);
	assert_int_equal(walk_backend(&heap_sdt_alloc, &s, &g), 0);
	sdt_checks(&g, heap);
	got_free(&g);
	close_src(&s);
	walk_as_nobody(&heap_sdt_alloc, file, heap);
	sdt_corrupt(&o, file, heap);
	unlink(file);

	/* a wrong active_allocs is a note that names it */
	{
		const struct map_var *v = btfx__find_var(o.bx, "alloc_stats");
		struct opened o2;
		bool seen = false;

		assert_non_null(v);
		poke_bss(v,
			 offsetof(
				 struct {
					 uint64_t a[4];
					 uint64_t active;
				 },
				 active),
			 json_u64(json_get(heap, "active_allocs"), 0) + 3);
		open_live(&o2, F.map_id);
		assert_int_equal(walk_backend(&heap_sdt_alloc, &o2, &g), 0);
		for (size_t i = 0; i < g.nnotes; i++)
			seen |= strstr(g.notes[i], "active_allocs") != NULL;
		assert_true(seen);
		assert_int_equal(count_state(&g, HEAP_LIVE),
				 json_u64(json_get(heap, "active_allocs"), 0));
		got_free(&g);
		close_src(&o2);
	}
	close_src(&o);
	assert_int_equal(kernel_allocated(), before);
	assert_int_equal(fixture_unload(&F), 0);
}

/* ---- buddy ---- */
static void buddy_checks(const struct got *g, const struct json *heap)
{
	const struct json *objs = json_get(heap, "objects"), *un = json_get(heap, "unowned");
	const struct heap_obj *from, *to;
	char want[64];

	same_as_fixture(g, heap);
	only_layout_notes(g);
	assert_int_equal(count_state(g, HEAP_LIVE), json_u64(json_get(heap, "live"), 0));
	assert_int_equal(count_state(g, HEAP_FREE), json_u64(json_get(heap, "free"), 0));
	/* blocks of several orders, each named in its note */
	for (size_t i = 0; i < g->nobjs; i++) {
		snprintf(want, sizeof(want), "order %" PRIu64,
			 json_u64(json_get(json_at(objs, i), "order"), 99));
		assert_string_equal(g->objs[i].note, want);
	}
	from = obj_at(g, json_u64(json_path(heap, "peer.from"), 0));
	to = obj_at(g, json_u64(json_path(heap, "peer.to"), 0));
	assert_non_null(from);
	assert_non_null(to);
	assert_int_equal(from->state, HEAP_LIVE);
	assert_int_equal(to->state, HEAP_FREE);
	/* qnodes and the lock's page are no allocator's */
	for (size_t i = 0; i < json_len(un); i++) {
		uint64_t f = json_u64(json_get(json_at(un, i), "first"), 0);
		uint64_t n = json_u64(json_get(json_at(un, i), "count"), 0);

		for (size_t k = 0; k < g->nruns; k++)
			assert_true(g->runs[k].first + g->runs[k].count <= f ||
				    g->runs[k].first >= f + n);
	}
}

/* heap_asan on the buddy fixture's shadow, against the loader's books */
static void asan_checks(struct opened *o, const struct json *heap)
{
	const struct json *objs = json_get(heap, "objects"), *un = json_get(heap, "unowned");
	const struct json *chunks = json_get(heap, "chunks");
	uint64_t hdr = json_u64(json_get(heap, "header_bytes"), 0), first = 0;
	struct heap_asan a;

	assert_int_equal(heap_asan__find(&o->c, &a), 1);
	assert_int_equal(a.shadow - F.user_vm_start,
			 json_u64(json_path(heap, "asan.shadow_offset"), 0));
	assert_int_equal(a.len, (uint64_t)F.max_pages * 4096 / 8);
	for (size_t i = 0; i < json_len(chunks); i++)
		assert_int_equal(
			heap_asan__poisoned(&o->c, &a, json_u64(json_at(chunks, i), 0), hdr, NULL),
			0);
	for (size_t i = 0; i < json_len(objs); i++) {
		const struct json *w = json_at(objs, i);
		uint64_t addr = json_u64(json_get(w, "addr"), 0);
		uint64_t size = json_u64(json_get(w, "size"), 0);

		if (!strcmp(json_str(json_get(w, "state")), "live")) {
			uint64_t asked = json_u64(json_get(w, "asked"), 0);

			assert_int_equal(heap_asan__poisoned(&o->c, &a, addr, asked, NULL), 0);
			if (asked < size) {
				assert_int_equal(heap_asan__poisoned(&o->c, &a, addr, size, &first),
						 1);
				assert_int_equal(first, addr + asked);
			}
			continue;
		}
		/* free: poisoned but the {prev_index, next_index} at byte 8 */
		assert_int_equal(heap_asan__poisoned(&o->c, &a, addr, size, &first), 1);
		assert_int_equal(first, addr);
		assert_int_equal(heap_asan__poisoned(&o->c, &a, addr + 8, 8, NULL), 0);
		if (size > 16) {
			assert_int_equal(heap_asan__poisoned(&o->c, &a, addr + 8, size - 8, &first),
					 1);
			assert_int_equal(first, addr + 16);
		}
	}
	/* the lock's page has no shadow page: unknown, not clean */
	for (size_t i = 0; i < json_len(un); i++)
		if (!strcmp(json_str(json_get(json_at(un, i), "what")), "lock"))
			assert_int_equal(
				heap_asan__poisoned(
					&o->c, &a,
					F.user_vm_start +
						json_u64(json_get(json_at(un, i), "first"), 0) *
							4096,
					8, NULL),
				-ENODATA);
	assert_int_equal(heap_asan__poisoned(&o->c, &a, F.user_vm_end, 8, NULL), -ERANGE);
}

/* A cyclic chunk list, made from the snapshot: the oldest chunk's next
 * points back at the newest. Noted; every chunk walked once. */
static void buddy_corrupt(struct opened *live, const char *file, const struct json *heap)
{
	const struct json *chunks = json_get(heap, "chunks");
	uint64_t c0 = json_u64(json_at(chunks, 0), 0), c1 = json_u64(json_at(chunks, 1), 0);
	uint64_t next_off = 41096; /* struct buddy_chunk.next, upstream */
	uint64_t pg = c0 + (next_off & ~4095ULL), next;
	uint8_t page[4096], bad[4096];

	assert_int_equal(json_len(chunks), 2);
	assert_int_equal(source__read_exact(live->src, pg, page, sizeof(page)), 0);
	memcpy(&next, page + (next_off & 4095), 8);
	assert_int_equal(next, 0); /* c0 is the oldest: the end of the list */
	memcpy(bad, page, sizeof(bad));
	memcpy(bad + (next_off & 4095), &c1, 8);
	walk_patched(file, "cycle", page, bad, sizeof(page), &heap_buddy, "(a cycle)",
		     json_len(json_get(heap, "objects")));
}

static void buddy(void **state)
{
	const struct json *heap;
	struct opened o, s;
	struct source *snap;
	struct got g;
	char file[256];
	uint32_t before;

	(void)state;
	assert_int_equal(fixture_load("buddy", &F), 0);
	heap = json_get(F.expect, "heap");
	assert_string_equal(json_str(json_get(heap, "allocator")), heap_buddy.name);
	/* hundreds of thousands of reserved pages, as upstream leaves them */
	assert_true(F.reserved > 200000);
	before = kernel_allocated();
	assert_int_equal(before, F.allocated); /* the kernel agrees with the books */

	open_live(&o, F.map_id);
	assert_int_equal(walk_backend(&heap_buddy, &o, &g), 0);
	buddy_checks(&g, heap);
	got_free(&g);
	asan_checks(&o, heap);
	{
		void *priv = (void *)1;

		assert_int_equal(heap_sdt_alloc.detect(&o.c, &priv), 0);
	}

	take_snapshot("buddy", file, sizeof(file));
	assert_int_equal(snapshot__open(file, &snap), 0);
	assert_int_equal(open_src(&s, snap), 0);
	assert_int_equal(walk_backend(&heap_buddy, &s, &g), 0);
	buddy_checks(&g, heap);
	got_free(&g);
	asan_checks(&s, heap);
	close_src(&s);
	walk_as_nobody(&heap_buddy, file, heap);
	buddy_corrupt(&o, file, heap);
	unlink(file);
	close_src(&o);

	assert_int_equal(kernel_allocated(), before);
	assert_int_equal(fixture_unload(&F), 0);
}

/* neither backend sees its allocator where there is none */
static void no_false_detection(void **state)
{
	static const char *const scen[] = { "list", "htab", "tree", "alist", "planted" };
	static const struct heap_backend *const bs[] = { &heap_sdt_alloc, &heap_buddy };

	(void)state;
	for (size_t i = 0; i < sizeof(scen) / sizeof(scen[0]); i++) {
		struct opened o;

		assert_int_equal(fixture_load(scen[i], &F), 0);
		open_live(&o, F.map_id);
		for (size_t k = 0; k < sizeof(bs) / sizeof(bs[0]); k++) {
			void *priv = (void *)1;

			if (bs[k]->detect(&o.c, &priv) != 0)
				fail_msg("%s detects %s on %s", bs[k]->name, bs[k]->name, scen[i]);
			assert_null(priv);
		}
		{
			struct heap_asan a;

			assert_int_equal(heap_asan__find(&o.c, &a), 0);
		}
		close_src(&o);
		assert_int_equal(fixture_unload(&F), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(sdtalloc, teardown),
		cmocka_unit_test_teardown(buddy, teardown),
		cmocka_unit_test_teardown(no_false_detection, teardown),
	};
	const char *why = bpf_test_skip_reason();
	int ret;

	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	if (!mkdtemp(dir))
		return 1;
	chmod(dir, 0755);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return ret;
}

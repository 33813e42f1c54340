// SPDX-License-Identifier: GPL-2.0
/*
 * The fixtures themselves: for every scenario, load it and check what the
 * kernel reports against what arena-fixture promised (map info, the pinned
 * programs, page counts probed from the kernel side, the expectations),
 * then that unload leaves nothing behind. Skipped with a reason where BPF
 * arenas are not available.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>

#include "compat.h"
#include "cli_run.h"
#include "fixture.h"

#define FX_RUN_DIR "/run/arena-fixture"

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int pinned_fd(const struct fixture *f, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", f->pin, name);
	return bpf_obj_get(path);
}

/* the pinned arena as the kernel describes it */
static void check_map(const struct fixture *f)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd = pinned_fd(f, "arena");

	assert_true(fd >= 0);
	memset(&info, 0, sizeof(info)); /* 6.18 keeps stale fields otherwise */
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	assert_int_equal(info.type, AI_MAP_TYPE_ARENA);
	assert_int_equal(info.id, f->map_id);
	assert_int_equal(info.max_entries, f->max_pages);
	assert_true(info.map_extra == f->map_extra);
	assert_true(info.map_flags & BPF_F_MMAPABLE);
	assert_int_equal(info.map_flags, f->map_flags);
	assert_int_equal(info.key_size, 0);
	assert_int_equal(info.value_size, 0);
	assert_string_equal(info.name, f->map_name);
	close(fd);
}

static bool has_id(const __u32 *ids, int n, __u32 id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* prog id of a pinned program, after checking it uses the arena and has BTF */
static __u32 check_prog(const struct fixture *f, const char *name)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info), map_ids[16];
	int fd = pinned_fd(f, name);

	assert_true(fd >= 0);
	memset(&info, 0, sizeof(info));
	memset(map_ids, 0, sizeof(map_ids));
	info.nr_map_ids = 16;
	info.map_ids = (__u64)(uintptr_t)map_ids;
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	assert_true(info.btf_id != 0);
	assert_true(info.nr_map_ids <= 16);
	assert_true(has_id(map_ids, info.nr_map_ids, f->map_id));
	assert_true(has_id(f->prog_ids, f->nr_progs, info.id));
	close(fd);
	return info.id;
}

/* every prog_* pin: uses the arena, has BTF, is listed in prog_ids */
static void check_progs(const struct fixture *f)
{
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(f->pin);

	assert_non_null(d);
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "prog_", 5))
			continue;
		check_prog(f, e->d_name);
		n++;
	}
	closedir(d);
	assert_int_equal(n, f->nr_progs);
}

/* kernel-side page count == the numbers load printed */
static void check_counts(const struct fixture *f)
{
	struct fixture_counts c;

	assert_int_equal(fixture_count(f, &c), 0);
	assert_int_equal(c.max_pages, f->max_pages);
	assert_true(c.user_vm_start == f->user_vm_start);
	assert_int_equal(c.allocated, f->allocated);
	assert_int_equal(c.reserved, f->reserved);
	assert_int_equal(c.fixture_allocated, f->allocated);
	assert_int_equal(c.free, f->max_pages - f->allocated - f->reserved);
}

static bool in_arena(const struct fixture *f, uint64_t a)
{
	return a >= f->user_vm_start && a < f->user_vm_end;
}

static void check_unload(struct fixture *f)
{
	char pin[sizeof(f->pin)];

	strcpy(pin, f->pin);
	assert_int_equal(fixture_unload(f), 0);
	assert_int_equal(access(pin, F_OK), -1);
	assert_int_equal(errno, ENOENT);
}

static void check_common(struct fixture *f, const char *scenario)
{
	assert_int_equal(fixture_load(scenario, f), 0);
	assert_string_equal(json_str(json_get(f->json, "scenario")), scenario);
	assert_string_equal(json_str(json_get(f->json, "pin")), f->pin);
	assert_true(f->user_vm_end == f->user_vm_start + (uint64_t)f->max_pages * 4096);
	/* the user range never crosses a 4 GiB boundary */
	assert_true((f->user_vm_start >> 32) == ((f->user_vm_end - 1) >> 32));
	check_map(f);
	check_progs(f);
}

/* ---- per scenario ---- */
static void test_list(void **state)
{
	static const char *names[] = { "alpha", "bravo",   "charlie", "delta",
				       "echo",	"foxtrot", "golf",    "hotel" };
	static const char *kinds[] = { "COLOR_RED", "COLOR_GREEN", "COLOR_BLUE", "COLOR_BLACK" };
	struct fixture *f = *state;
	const struct json *nodes;

	check_common(f, "list");
	assert_true(f->map_extra == 0x110000000000ULL);
	check_counts(f);
	assert_string_equal(json_str(json_get(f->expect, "root")), "head");
	nodes = json_get(f->expect, "nodes");
	assert_int_equal(json_len(nodes), 8);
	assert_true(json_u64(json_get(f->expect, "head"), 0) ==
		    json_u64(json_path(nodes, "[0].addr"), 1));
	for (size_t i = 0; i < 8; i++) {
		const struct json *n = json_at(nodes, i);
		uint64_t next = json_u64(json_get(n, "next"), 1);

		assert_true(in_arena(f, json_u64(json_get(n, "addr"), 0)));
		assert_int_equal(json_int(json_get(n, "id"), -1), i + 1);
		assert_string_equal(json_str(json_get(n, "name")), names[i]);
		assert_string_equal(json_str(json_get(n, "kind")), kinds[i % 4]);
		assert_int_equal(json_int(json_get(n, "hits"), -1), (i + 1) * 1000);
		assert_int_equal(json_int(json_path(n, "grid[1][2]"), -1), i * 10 + 5);
		assert_int_equal(json_int(json_get(n, "delta"), 1), -(long long)i);
		if (i < 7)
			assert_true(next == json_u64(json_get(json_at(nodes, i + 1), "addr"), 0));
		else
			assert_true(next == 0 && json_u64(json_get(f->expect, "tail"), 0) ==
							 json_u64(json_get(n, "addr"), 1));
	}
	check_unload(f);
}

static void test_htab(void **state)
{
	struct fixture *f = *state;
	const struct json *entries;
	unsigned int nb;

	check_common(f, "htab");
	check_counts(f);
	nb = json_int(json_get(f->expect, "nbuckets"), 0);
	assert_int_equal(nb, 64);
	assert_int_equal(json_int(json_get(f->expect, "count"), 0), 300);
	assert_true(in_arena(f, json_u64(json_get(f->expect, "table"), 0)));
	entries = json_get(f->expect, "entries");
	assert_int_equal(json_len(entries), 300);
	for (size_t i = 0; i < json_len(entries); i++) {
		const struct json *e = json_at(entries, i);
		uint64_t key = json_u64(json_get(e, "key"), ~0ULL);

		assert_true(key != ~0ULL);
		assert_int_equal(key % nb, json_int(json_get(e, "bucket"), -1));
		assert_true(in_arena(f, json_u64(json_get(e, "addr"), 0)));
		assert_int_equal(json_str_len(json_get(e, "tag")), 4);
	}
	/* packed: 300 entries of 32 bytes plus the header fit in 3 pages */
	assert_int_equal(f->allocated, 3);
	check_unload(f);
}

static void test_tree(void **state)
{
	struct fixture *f = *state;
	const struct json *keys, *pages;
	struct json *cj;
	uint64_t page;

	check_common(f, "tree");
	check_counts(f);
	keys = json_get(f->expect, "keys");
	assert_int_equal(json_len(keys), 31);
	for (size_t i = 0; i < json_len(keys); i++)
		assert_int_equal(json_int(json_at(keys, i), -1), (i + 1) * 10);
	assert_int_equal(json_int(json_path(f->expect, "dangling.from_key"), 0), 310);
	assert_string_equal(json_str(json_path(f->expect, "dangling.field")), "right");
	assert_true(in_arena(f, json_u64(json_path(f->expect, "dangling.to"), 0)));
	page = json_u64(json_path(f->expect, "dangling.page"), ~0ULL);
	assert_true(page < f->max_pages);
	/* the page the pointer leads to is not there any more */
	cj = fixture_count_json(f, true);
	assert_non_null(cj);
	pages = json_get(cj, "pages");
	assert_int_equal(json_len(pages), f->allocated);
	for (size_t i = 0; i < json_len(pages); i++)
		assert_true(json_u64(json_at(pages, i), 0) != page);
	json_free(cj);
	check_unload(f);
}

static void test_sparse(void **state)
{
	struct fixture *f = *state;
	const struct json *want, *got, *runs;
	struct json *cj;
	uint32_t reserved = 0;

	check_common(f, "sparse");
	assert_int_equal(f->max_pages, 1U << 20);
	assert_true((f->map_extra & 0xffffffffULL) == 0);
	assert_true(f->allocated > 2500 && f->allocated <= 3000);
	/* one brute-force pass over all 2^20 pages, with the page list */
	cj = fixture_count_json(f, true);
	assert_non_null(cj);
	assert_int_equal(json_int(json_get(cj, "allocated"), -1), f->allocated);
	assert_int_equal(json_int(json_get(cj, "reserved"), -1), f->reserved);
	assert_int_equal(json_int(json_get(cj, "fixture_allocated"), -1), f->allocated);
	want = json_get(f->expect, "pages");
	got = json_get(cj, "pages");
	assert_int_equal(json_len(want), f->allocated);
	assert_int_equal(json_len(got), json_len(want));
	for (size_t i = 0; i < json_len(want); i++)
		assert_int_equal(json_int(json_at(got, i), -1), json_int(json_at(want, i), -2));
	json_free(cj);

	runs = json_get(f->expect, "reserved_runs");
	assert_true(json_len(runs) >= 1);
	assert_int_equal(json_int(json_path(runs, "[0][0]"), -1), 0);
	assert_int_equal(json_int(json_path(runs, "[0][1]"), -1), 16);
	for (size_t i = 0; i < json_len(runs); i++)
		reserved += json_int(json_at(json_at(runs, i), 1), 0);
	assert_int_equal(reserved, f->reserved);
	assert_true(in_arena(f, json_u64(json_get(f->expect, "first"), 0)));
	check_unload(f);
}

static void test_nouser(void **state)
{
	struct fixture *f = *state;
	struct fixture_counts c;

	check_common(f, "nouser");
	assert_true(f->map_extra == 0); /* check_map: the kernel says 0 too */
	assert_true(f->user_vm_start != 0);
	assert_true(json_u64(json_get(f->expect, "user_vm_start"), 0) == f->user_vm_start);
	/* the loader is gone; the kernel still knows where the arena lives */
	assert_int_equal(fixture_count(f, &c), 0);
	assert_true(c.user_vm_start == f->user_vm_start);
	check_counts(f);
	assert_int_equal(json_len(json_get(f->expect, "list")), 4);
	assert_true(json_u64(json_path(f->expect, "list[0].self"), 0) ==
		    json_u64(json_path(f->expect, "list[0].addr"), 1));
	check_unload(f);
}

static int run_bump(const struct fixture *f, uint64_t add, int *ret)
{
	struct {
		__u64 add;
	} arg = { add };
	LIBBPF_OPTS(bpf_test_run_opts, ro, .ctx_in = &arg, .ctx_size_in = sizeof(arg));
	int fd = pinned_fd(f, "prog_live_bump"), err;

	if (fd < 0)
		return -1;
	err = bpf_prog_test_run_opts(fd, &ro);
	close(fd);
	*ret = ro.retval;
	return err;
}

static void test_live(void **state)
{
	struct fixture *f = *state;
	struct bpf_link_info li;
	__u32 len = sizeof(li), switch_id;
	int fd, ret = 0;

	check_common(f, "live");
	assert_int_equal(json_int(json_path(f->expect, "offsets.bumps"), -1), 8);
	assert_int_equal(json_int(json_path(f->expect, "offsets.generation"), -1), 0);
	/* the tracepoint link outlived the loader, pinned */
	switch_id = check_prog(f, "prog_live_switch");
	fd = pinned_fd(f, "link_live_switch");
	assert_true(fd >= 0);
	memset(&li, 0, sizeof(li));
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &li, &len), 0);
	assert_int_equal(li.prog_id, switch_id);
	close(fd);
	/* live_bump is deterministic: it returns the new generation */
	assert_int_equal(run_bump(f, 5, &ret), 0);
	assert_int_equal(ret, 1);
	assert_int_equal(run_bump(f, 7, &ret), 0);
	assert_int_equal(ret, 2);
	/* tracing programs cannot allocate: the page count stays put */
	sleep_ms(50);
	check_counts(f);
	check_unload(f);
}

static char proc_state(int pid)
{
	char path[64], buf[512], *rp;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fp = fopen(path, "r");
	if (!fp)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	return rp && rp[1] ? rp[2] : 0;
}

static void test_churn(void **state)
{
	struct fixture *f = *state;
	struct fixture_counts a, b, c;
	char *out = NULL;
	int pid, tries;

	check_common(f, "churn");
	pid = json_int(json_get(f->expect, "daemon_pid"), 0);
	assert_true(pid > 0);
	assert_true(proc_state(pid) != 0);
	assert_int_equal(access(json_str(json_get(f->expect, "pidfile")), F_OK), 0);

	/* it changes over time */
	assert_int_equal(fixture_count(f, &a), 0);
	for (tries = 0; tries < 50; tries++) {
		sleep_ms(20);
		assert_int_equal(fixture_count(f, &b), 0);
		if (b.fixture_steps > a.fixture_steps)
			break;
	}
	assert_true(b.fixture_steps > a.fixture_steps);

	/* paused: the kernel's count matches the fixture's books, and holds */
	assert_int_equal(fixture_cmd(f, "pause", NULL, NULL), 0);
	assert_int_equal(proc_state(pid), 'T');
	assert_int_equal(fixture_count(f, &a), 0);
	assert_int_equal(a.allocated, a.fixture_allocated);
	assert_int_equal(a.free, a.max_pages - a.allocated);
	sleep_ms(50);
	assert_int_equal(fixture_count(f, &b), 0);
	assert_true(b.fixture_steps == a.fixture_steps);
	assert_int_equal(b.allocated, a.allocated);

	/* explicit steps are exact */
	assert_int_equal(fixture_cmd(f, "step", "100", &out), 0);
	free(out);
	assert_int_equal(fixture_count(f, &c), 0);
	assert_true(c.fixture_steps == b.fixture_steps + 100);
	assert_int_equal(c.allocated, c.fixture_allocated);
	assert_int_equal(proc_state(pid), 'T'); /* stepping left it paused */

	/* and it goes on after resume */
	assert_int_equal(fixture_cmd(f, "resume", NULL, NULL), 0);
	for (tries = 0; tries < 50; tries++) {
		sleep_ms(20);
		assert_int_equal(fixture_count(f, &a), 0);
		if (a.fixture_steps > c.fixture_steps)
			break;
	}
	assert_true(a.fixture_steps > c.fixture_steps);

	check_unload(f);
	{
		char st = proc_state(pid);

		assert_true(st == 0 || st == 'Z');
	}
}

/* ---- alist: lists as the kernel selftests lay them out ---- */

/* run a shell command line: exit 0 required; returns stdout (malloc'ed) */
static char *run_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *run_ok(const char *fmt, ...)
{
	va_list ap;
	char *out;

	va_start(ap, fmt);
	out = cli_vrun(0, 0, fmt, ap);
	va_end(ap);
	return out;
}

static struct json *run_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct json *run_json(const char *fmt, ...)
{
	char cmd[2048], err[160], *out;
	struct json *j;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out = run_ok("%s", cmd);
	j = json_parse(out, err, sizeof(err));
	if (!j)
		fail_msg("'%s': output is not JSON: %s\n%.400s", cmd, err, out);
	free(out);
	return j;
}

/* types of a `bpftool btf dump ... -j` named NAME (and of KIND unless NULL) */
static int btf_count(const struct json *btf, const char *kind, const char *name)
{
	const struct json *types = json_get(btf, "types");
	int n = 0;

	for (size_t i = 0; i < json_len(types); i++) {
		const struct json *t = json_at(types, i);
		const char *tn = json_str(json_get(t, "name"));

		if (tn && !strcmp(tn, name) &&
		    (!kind || !strcmp(json_str(json_get(t, "kind")), kind)))
			n++;
	}
	return n;
}

static const struct json *btf_struct(const struct json *btf, const char *name)
{
	const struct json *types = json_get(btf, "types");

	for (size_t i = 0; i < json_len(types); i++) {
		const struct json *t = json_at(types, i);
		const char *tn = json_str(json_get(t, "name"));

		if (tn && !strcmp(tn, name) && !strcmp(json_str(json_get(t, "kind")), "STRUCT"))
			return t;
	}
	return NULL;
}

/* byte offset of member M of a BTF STRUCT (bpftool -j), -1 if absent */
static long long btf_member_off(const struct json *st, const char *m)
{
	const struct json *ms = json_get(st, "members");

	for (size_t i = 0; i < json_len(ms); i++) {
		const struct json *x = json_at(ms, i);

		if (!strcmp(json_str(json_get(x, "name")), m))
			return json_int(json_get(x, "bits_offset"), -8) / 8;
	}
	return -1;
}

/* the BTF holds every struct of fxlist.h with the host compiler's layout */
static void check_fxlist_btf(const struct json *btf, const struct json *layout)
{
	for (size_t i = 0; i < json_len(layout); i++) {
		const char *name = json_key_at(layout, i);
		const struct json *l = json_at(layout, i), *ms = json_get(l, "members");
		const struct json *st = btf_struct(btf, name);

		if (!st)
			fail_msg("struct %s is not in the BTF", name);
		assert_int_equal(json_int(json_get(st, "size"), -1),
				 json_int(json_get(l, "size"), -2));
		for (size_t k = 0; k < json_len(ms); k++)
			assert_int_equal(btf_member_off(st, json_key_at(ms, k)),
					 json_int(json_at(ms, k), -2));
	}
}

/* the program's BTF, as bpftool dumps it from the kernel */
static struct json *prog_btf(const struct fixture *f, const char *prog)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = pinned_fd(f, prog);

	assert_true(fd >= 0);
	memset(&info, 0, sizeof(info));
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	close(fd);
	assert_true(info.btf_id != 0);
	return run_json("bpftool btf dump id %u -j", info.btf_id);
}

static uint64_t ehex(const struct json *o, const char *key)
{
	const struct json *v = json_get(o, key);

	if (!v)
		fail_msg("expect has no '%s'", key);
	return json_u64(v, ~0ULL);
}

/* arena-inspect print EXPR -j on the fixture: the pointer's value */
static uint64_t print_ptr(const struct fixture *f, const char *expr)
{
	struct json *j = run_json("%s print pinned %s/arena '%s' -j", INSPECT_BIN, f->pin, expr);
	uint64_t v = json_u64(json_get(j, "ptr"), ~0ULL);

	json_free(j);
	return v;
}

/* a list of struct elem as the loader describes it, in walk order: named
 * PREFIX-KEY, each node's next is the following node and its pprev the
 * address of the pointer to it; with poisoned, the last node's pprev is
 * the poison and not checked here */
static void check_elems(const struct json *elems, const char *prefix, uint64_t head,
			size_t node_off, bool poisoned)
{
	uint64_t pprev = head; /* &head->first: first is at offset 0 */

	for (size_t i = 0; i < json_len(elems); i++) {
		const struct json *e = json_at(elems, i);
		bool last = i + 1 == json_len(elems);
		char name[32];

		assert_true(ehex(e, "node") == ehex(e, "addr") + node_off);
		snprintf(name, sizeof(name), "%s-%llu", prefix,
			 (unsigned long long)json_u64(json_get(e, "key"), 0));
		assert_string_equal(json_str(json_get(e, "name")), name);
		if (!(poisoned && last))
			assert_true(ehex(e, "pprev") == pprev);
		pprev = ehex(e, "node"); /* &node.next: next is at offset 0 */
		if (!last)
			assert_true(ehex(e, "next") == ehex(json_at(elems, i + 1), "node"));
	}
}

static void test_alist(void **state)
{
	static const char *const roots[][2] = {
		{ "list_head", "struct arena_list_head *" },
		{ "table_for_user", "void *" },
		{ "cycle_head", "struct arena_list_head *" },
		{ "poison_head", "struct arena_list_head *" },
		{ "freed_head", "struct arena_list_head *" },
	};
	struct fixture *f = *state;
	const struct json *x, *elems, *buckets, *pages, *cpages, *rl;
	struct json *cj, *layout, *btf, *types;
	size_t node_off, nitems = 0, live = 0;
	uint64_t sum = 0, freed_page;

	check_common(f, "alist");
	assert_true(f->map_extra == 0x160000000000ULL);
	check_counts(f);
	x = f->expect;
	assert_string_equal(json_str(json_get(x, "root")), "list_head");

	/* the BPF side's layout is the host compiler's (fxlist-user's DWARF) */
	layout = run_json("%s", FXLIST_USER_BIN);
	node_off = json_int(json_path(layout, "elem.members.node"), -1);
	assert_int_equal(node_off, 8); /* not 0: container_of is needed */
	assert_int_equal(json_int(json_get(x, "node_offset"), -1), node_off);
	assert_int_equal(json_int(json_get(x, "elem_size"), -1),
			 json_int(json_path(layout, "elem.size"), -2));
	assert_int_equal(json_int(json_get(x, "item_size"), -1),
			 json_int(json_path(layout, "item.size"), -2));
	assert_int_equal(json_int(json_get(x, "item_node_offset"), -1),
			 json_int(json_path(layout, "item.members.node"), -2));
	assert_int_equal(json_int(json_get(x, "table_size"), -1),
			 json_int(json_path(layout, "fxl_table.size"), -2));

	/* the main list: 100 elements, list_add_head order, ends in NULL */
	elems = json_get(x, "elems");
	assert_int_equal(json_len(elems), 100);
	assert_int_equal(json_int(json_get(x, "count"), -1), 100);
	assert_true(ehex(x, "first") == ehex(json_at(elems, 0), "node"));
	for (size_t i = 0; i < 100; i++) {
		const struct json *e = json_at(elems, i);

		assert_true(in_arena(f, ehex(e, "addr")));
		assert_int_equal(json_int(json_get(e, "key"), -1), 99 - i);
		assert_int_equal(json_int(json_get(e, "value"), -1), (99 - i) * 1000 + 7);
	}
	check_elems(elems, "el", ehex(x, "list_head"), node_off, false);
	assert_true(ehex(json_at(elems, 99), "next") == 0);

	/* the void * root's table: 24 items in 8 bucket lists */
	assert_string_equal(json_str(json_get(x, "table_type")), "struct fxl_table");
	assert_true(in_arena(f, ehex(x, "table_for_user")));
	buckets = json_get(x, "buckets");
	assert_int_equal(json_len(buckets), 8);
	for (size_t b = 0; b < json_len(buckets); b++) {
		const struct json *bk = json_at(buckets, b), *items = json_get(bk, "items");

		assert_true(ehex(bk, "head") == ehex(x, "table_for_user") + 8 + 8 * b);
		for (size_t k = 0; k < json_len(items); k++) {
			const struct json *it = json_at(items, k);

			assert_int_equal(json_u64(json_get(it, "key"), 0) % 8, b);
			assert_true(ehex(it, "node") == ehex(it, "addr"));
			assert_true(ehex(it, "next") ==
				    (k + 1 < json_len(items) ? ehex(json_at(items, k + 1), "node")
							     : 0));
		}
		nitems += json_len(items);
	}
	assert_int_equal(nitems, 24);
	assert_int_equal(json_int(json_get(x, "items"), -1), 24);

	/* planted: node 3 points back at node 1 */
	assert_string_equal(json_str(json_path(x, "cycle.kind")), "cycle");
	assert_int_equal(json_int(json_path(x, "cycle.from_index"), -1), 3);
	assert_int_equal(json_int(json_path(x, "cycle.to_index"), -1), 1);
	elems = json_path(x, "cycle.nodes");
	assert_int_equal(json_len(elems), 4);
	check_elems(elems, "cy", ehex(json_get(x, "cycle"), "head"), node_off, false);
	assert_true(ehex(json_at(elems, 3), "next") == ehex(json_at(elems, 1), "node"));
	assert_true(ehex(json_get(x, "cycle"), "from") == ehex(json_at(elems, 3), "node"));
	assert_true(ehex(json_get(x, "cycle"), "to") == ehex(json_at(elems, 1), "node"));

	/* planted: list_del's poison on the last node a walk reaches */
	elems = json_path(x, "poison.nodes");
	assert_int_equal(json_len(elems), 2);
	check_elems(elems, "po", ehex(json_get(x, "poison"), "head"), node_off, true);
	assert_true(ehex(json_get(x, "poison"), "next") == 0x100);
	assert_true(ehex(json_get(x, "poison"), "pprev") == 0x122);
	assert_true(ehex(json_at(elems, 1), "next") == 0x100);
	assert_true(ehex(json_at(elems, 1), "pprev") == 0x122);
	assert_true(ehex(json_get(x, "poison"), "node") == ehex(json_at(elems, 1), "node"));

	/* planted: a next into a freed page, which the kernel agrees is gone */
	elems = json_path(x, "freed.nodes");
	assert_int_equal(json_len(elems), 1);
	check_elems(elems, "fr", ehex(json_get(x, "freed"), "head"), node_off, false);
	freed_page = ehex(json_get(x, "freed"), "page_addr");
	assert_true(ehex(json_at(elems, 0), "next") == ehex(json_get(x, "freed"), "to"));
	assert_true((ehex(json_get(x, "freed"), "to") & ~0xfffULL) == freed_page);
	assert_true(freed_page ==
		    f->user_vm_start + 4096 * json_u64(json_path(x, "freed.page"), 0));

	/* the allocator's pages: the live ones are exactly the kernel's, their
	 * counts sum to the live objects; the freed one is gone */
	cj = fixture_count_json(f, true);
	assert_non_null(cj);
	cpages = json_get(cj, "pages");
	pages = json_path(x, "alloc.pages");
	for (size_t i = 0; i < json_len(pages); i++) {
		const struct json *p = json_at(pages, i);
		bool found = false;

		for (size_t k = 0; k < json_len(cpages); k++)
			found |= json_u64(json_at(cpages, k), ~0ULL) ==
				 json_u64(json_get(p, "index"), ~1ULL);
		assert_int_equal(json_bool(json_get(p, "freed")), !found);
		if (found) {
			sum += json_u64(json_get(p, "count"), 0);
			live++;
		}
	}
	assert_int_equal(live, json_len(cpages));
	assert_int_equal(live, f->allocated);
	assert_true(sum == json_u64(json_path(x, "alloc.live_objects"), 0));
	/* 4 heads + the table, 100 elems, 24 items, cycle 4, poison 3 - 1 freed, f0 */
	assert_int_equal(sum, 5 + 100 + 24 + 4 + 2 + 1);
	json_free(cj);

	/* what the tool can check today: the roots and their first pointers */
	assert_true(print_ptr(f, "list_head->first") == ehex(x, "first"));
	assert_true(print_ptr(f, "table_for_user") == ehex(x, "table_for_user"));
	assert_true(print_ptr(f, "cycle_head->first") == ehex(json_get(x, "cycle"), "first"));
	assert_true(print_ptr(f, "poison_head->first") == ehex(json_get(x, "poison"), "first"));
	assert_true(print_ptr(f, "freed_head->first") == ehex(json_get(x, "freed"), "first"));
	assert_true(print_ptr(f, "list_head") == ehex(x, "list_head"));
	types = run_json("%s types pinned %s/arena -j", INSPECT_BIN, f->pin);
	rl = json_get(types, "roots");
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		bool found = false;

		for (size_t k = 0; k < json_len(rl); k++) {
			const struct json *r = json_at(rl, k);

			if (strcmp(json_str(json_get(r, "name")), roots[i][0]))
				continue;
			assert_string_equal(json_str(json_get(r, "type")), roots[i][1]);
			found = true;
		}
		if (!found)
			fail_msg("types does not list the root %s", roots[i][0]);
	}
	json_free(types);

	/* the BTF the kernel holds: the node only declared, the element absent */
	btf = prog_btf(f, "prog_alist_fill");
	assert_int_equal(btf_count(btf, "FWD", "arena_list_node"), 1);
	assert_int_equal(btf_count(btf, NULL, "arena_list_node"), 1);
	assert_int_equal(btf_count(btf, "STRUCT", "arena_list_head"), 1);
	for (const char *const *n = (const char *const[]){ "elem", "item", "fxl_table", NULL }; *n;
	     n++)
		assert_int_equal(btf_count(btf, NULL, *n), 0);
	assert_int_equal(json_len(json_path(x, "btf.fwd")), 1);
	assert_string_equal(json_str(json_path(x, "btf.fwd[0]")), "arena_list_node");
	json_free(btf);
	json_free(layout);
	check_unload(f);
}

/*
 * The facts --types builds on: pahole turns fxlist-user's DWARF, and the
 * header compiled for the host with clang-19, into BTF holding every type
 * of fxlist.h with the layout the host compiler gave them.
 */
static void test_alist_types(void **state)
{
	char dir[] = "/tmp/ait-fxlist-XXXXXX", cmd[1024];
	struct json *layout, *btf;
	int st;

	(void)state;
	assert_int_equal(fixture_run("command -v pahole clang-19 >/dev/null", NULL, &st), 0);
	if (st != 0) {
		printf("SKIP: test_alist_types: pahole (dwarves) or clang-19 missing\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	layout = run_json("%s", FXLIST_USER_BIN);

	/* a user-space program's DWARF */
	free(run_ok("pahole --btf_encode_detached=%s/user.btf %s", dir, FXLIST_USER_BIN));
	btf = run_json("bpftool btf dump file %s/user.btf -j", dir);
	check_fxlist_btf(btf, layout);
	assert_int_equal(btf_count(btf, "FWD", "arena_list_node"), 0);
	json_free(btf);

	/* the header as it is, the includer's types given on the command line */
	free(run_ok("clang-19 -g -O0 -fno-eliminate-unused-debug-types -x c -include linux/types.h "
		    "-include stdbool.h -D__arena= -c %s/bpf_fixtures/include/fxlist.h -o %s/h.o",
		    SOURCE_DIR, dir));
	free(run_ok("pahole --btf_encode_detached=%s/h.btf %s/h.o", dir, dir));
	btf = run_json("bpftool btf dump file %s/h.btf -j", dir);
	check_fxlist_btf(btf, layout);
	json_free(btf);

	/* without -fno-eliminate-unused-debug-types no type of it is left, and
	 * pahole refuses the object */
	free(run_ok("clang-19 -g -O0 -x c -include linux/types.h -include stdbool.h -D__arena= "
		    "-c %s/bpf_fixtures/include/fxlist.h -o %s/bare.o",
		    SOURCE_DIR, dir));
	snprintf(cmd, sizeof(cmd),
		 "pahole --btf_encode_detached=%s/bare.btf %s/bare.o 2>/dev/null && "
		 "bpftool btf dump file %s/bare.btf | grep -q \"STRUCT 'elem'\"",
		 dir, dir, dir);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
	assert_int_not_equal(st, 0);
	json_free(layout);
	free(run_ok("rm -rf %s", dir));
}

/* ---- the command line's errors ---- */
static void expect_fail(const char *args, const char *msg)
{
	char cmd[1024], *out = NULL, *err = NULL;
	int status = 0;

	snprintf(cmd, sizeof(cmd), "%s %s", FIXTURE_BIN, args);
	assert_int_equal(fixture_run2(cmd, &out, &err, &status), 0);
	if (status != 1 || !strstr(err, msg))
		fprintf(stderr, "'%s': exit %d, stderr: %s\n", cmd, status, err);
	assert_int_equal(status, 1);
	assert_non_null(strstr(err, msg));
	assert_string_equal(out, ""); /* errors print no JSON */
	free(out);
	free(err);
}

static void test_errors(void **state)
{
	struct fixture *f = *state;
	char args[512], *out = NULL;
	int status;

	snprintf(args, sizeof(args), "load nosuch --pin /sys/fs/bpf/ait-%d-bad", (int)getpid());
	expect_fail(args, "unknown scenario 'nosuch'");
	snprintf(args, sizeof(args), "unload --pin /sys/fs/bpf/ait-%d-none", (int)getpid());
	expect_fail(args, "nothing is loaded at");
	expect_fail("load list --pin /tmp/ait-not-bpffs", "not on a BPF filesystem");
	expect_fail("frobnicate", "unknown command");

	assert_int_equal(fixture_load("nouser", f), 0);
	snprintf(args, sizeof(args), "load list --pin %s", f->pin);
	expect_fail(args, "in use");
	snprintf(args, sizeof(args), "step --pin %s 3", f->pin);
	expect_fail(args, "only churn");
	check_unload(f);

	assert_int_equal(fixture_run(FIXTURE_BIN " list", &out, &status), 0);
	assert_int_equal(status, 0);
	for (const char *const *s =
		     (const char *const[]){ "list", "htab", "tree", "sparse", "nouser", "live",
					    "churn", "alist", NULL };
	     *s; s++) {
		char line[32];

		snprintf(line, sizeof(line), "%s ", *s);
		assert_non_null(strstr(out, line));
	}
	free(out);
}

static int setup(void **state)
{
	*state = calloc(1, sizeof(struct fixture));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fixture_unload(f);
	free(f);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_htab, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sparse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nouser, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_churn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alist_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};
	const char *why = bpf_test_skip_reason();

	if (why) {
		printf("SKIP: it_fixtures: %s\n", why);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/* btfx without BPF: __arena globals at offset 0 and at the end of an arena
 * built here, type lookup, names, roots from a snapshot-like source, and
 * --btf files (raw BTF, malformed, missing). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "btfx.h"
#include "error.h"
#include "expr.h"
#include "memsource.h"

#define S 0x100000000000ULL
#define NPAGES 16
#define END_OFF ((NPAGES - 1) * 4096ULL) /* the globals fit in one page */

static uint8_t mem[NPAGES * 4096];
static uint8_t state[NPAGES];
static int t_int, t_node, t_nodep, t_u64t, t_sec;

/* struct node { int id; struct node *next; };
 * __arena int counter; __arena struct node *list; __arena struct node first; */
static struct btf *build_btf(void)
{
	struct btf *b = btf__new_empty();
	int vc, vl, vf, u64;

	assert_non_null(b);
	t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	t_node = btf__add_struct(b, "node", 16);
	btf__add_field(b, "id", t_int, 0, 0);
	btf__add_field(b, "next", t_node + 1, 64, 0);
	t_nodep = btf__add_ptr(b, t_node);
	u64 = btf__add_int(b, "long long unsigned int", 8, 0);
	t_u64t = btf__add_typedef(b, "u64", u64);
	btf__add_enum(b, "color", 4);
	btf__add_enum_value(b, "RED", 0);
	btf__add_union(b, "either", 8);
	btf__add_field(b, "i", t_int, 0, 0);
	vc = btf__add_var(b, "counter", BTF_VAR_GLOBAL_ALLOCATED, t_int);
	vl = btf__add_var(b, "list", BTF_VAR_GLOBAL_ALLOCATED, t_nodep);
	vf = btf__add_var(b, "first", BTF_VAR_GLOBAL_ALLOCATED, t_node);
	t_sec = btf__add_datasec(b, ".addr_space.1", 32);
	btf__add_datasec_var_info(b, vc, 0, 4);
	btf__add_datasec_var_info(b, vl, 8, 8);
	btf__add_datasec_var_info(b, vf, 16, 16);
	return b;
}

/* the globals' bytes at arena offset off: counter, list -> first */
static void put_globals(uint64_t off, int counter)
{
	uint64_t p = S + off + 16;

	memcpy(mem + off, &counter, 4);
	memcpy(mem + off + 8, &p, 8);
	memcpy(mem + off + 16, &counter, 4);
}

static struct source *arena(void)
{
	struct arena_info ai = { .map_id = 0,
				 .max_pages = NPAGES,
				 .user_vm_start = S,
				 .user_vm_end = S + NPAGES * 4096ULL,
				 .is_snapshot = true };
	struct source *src;

	assert_int_equal(memsource__new(&ai, mem, state, &src), 0);
	return src;
}

static void reset(void)
{
	memset(mem, 0, sizeof(mem));
	memset(state, PAGE_FREE, sizeof(state));
}

static int64_t ival(struct btfx *bx, struct source *src, const char *text)
{
	struct value v;
	struct expr *e;
	int64_t x = -999;
	int col;

	(void)v;
	if (expr__parse(text, &e, &col) || expr__eval_int(e, bx, src, &x))
		fail_msg("'%s': %s", text, ai_errmsg());
	expr__free(e);
	return x;
}

static void check_globals(struct btfx *bx, uint64_t base)
{
	const struct root *r;

	assert_int_equal(btfx__nr_roots(bx), 3);
	r = btfx__find_root(bx, "counter");
	assert_non_null(r);
	assert_int_equal(r->kind, ROOT_ARENA_GLOBAL);
	assert_int_equal(r->addr, S + base);
	assert_int_equal(r->type_id, t_int);
	assert_string_equal(r->section, ".addr_space.1");
	assert_ptr_equal(r->btf, btfx__btf(bx, 0));
	assert_int_equal(r->btf_idx, 0);
	r = btfx__find_root(bx, "list");
	assert_int_equal(r->addr, S + base + 8);
	assert_int_equal(r->type_id, t_nodep);
	r = btfx__find_root(bx, "first");
	assert_int_equal(r->addr, S + base + 16);
	assert_null(btfx__find_root(bx, "nosuch"));
}

static void test_globals_at_start(void **st)
{
	struct source *src;
	struct btfx *bx;

	reset();
	state[0] = PAGE_ALLOCATED;
	put_globals(0, 7);
	src = arena();
	assert_int_equal(btfx__new_from_btf(src, build_btf(), &bx), 0);
	assert_int_equal(btfx__globals_placement(bx), BTFX_GLOBALS_START);
	check_globals(bx, 0);
	assert_int_equal(ival(bx, src, "counter"), 7);
	assert_int_equal(ival(bx, src, "list->id"), 7);
	assert_int_equal(ival(bx, src, "(u64)&first == (u64)list"), 1);
	btfx__free(bx);
	source__close(src);
	(void)st;
}

static void test_globals_at_end(void **st)
{
	struct source *src;
	struct btfx *bx;

	reset();
	state[NPAGES - 1] = PAGE_ALLOCATED;
	put_globals(END_OFF, 9);
	src = arena();
	assert_int_equal(btfx__new_from_btf(src, build_btf(), &bx), 0);
	assert_int_equal(btfx__globals_placement(bx), BTFX_GLOBALS_END);
	check_globals(bx, END_OFF);
	assert_int_equal(ival(bx, src, "counter"), 9);
	assert_int_equal(ival(bx, src, "list->id"), 9);
	btfx__free(bx);
	source__close(src);
	(void)st;
}

/* Both windows allocated (page 0 holds ordinary data): the window whose
 * pointer globals point into the arena wins; a tie goes to the end. */
static void test_globals_both_allocated(void **st)
{
	struct source *src;
	struct btfx *bx;
	uint64_t junk = 0x4141414141414141ULL;

	reset();
	state[0] = state[NPAGES - 1] = PAGE_ALLOCATED;
	memcpy(mem + 8, &junk, 8); /* "list" at offset 0 is garbage */
	put_globals(END_OFF, 3);
	src = arena();
	assert_int_equal(btfx__new_from_btf(src, build_btf(), &bx), 0);
	assert_int_equal(btfx__globals_placement(bx), BTFX_GLOBALS_END);
	check_globals(bx, END_OFF);
	btfx__free(bx);

	/* the other way round */
	reset();
	state[0] = state[NPAGES - 1] = PAGE_ALLOCATED;
	put_globals(0, 4);
	memcpy(mem + END_OFF + 8, &junk, 8);
	assert_int_equal(btfx__new_from_btf(src, build_btf(), &bx), 0);
	assert_int_equal(btfx__globals_placement(bx), BTFX_GLOBALS_START);
	check_globals(bx, 0);
	btfx__free(bx);

	/* both plausible (zeros): the end */
	reset();
	state[0] = state[NPAGES - 1] = PAGE_ALLOCATED;
	assert_int_equal(btfx__new_from_btf(src, build_btf(), &bx), 0);
	assert_int_equal(btfx__globals_placement(bx), BTFX_GLOBALS_END);
	btfx__free(bx);
	source__close(src);
	(void)st;
}

static void test_globals_unallocated(void **st)
{
	struct source *src;
	struct btfx *bx;
	struct value v;
	int col;

	reset();
	src = arena();
	assert_int_equal(btfx__new_from_btf(src, build_btf(), &bx), 0);
	assert_int_equal(btfx__globals_placement(bx), BTFX_GLOBALS_START);
	check_globals(bx, 0);
	/* reading one is -ENODATA naming the address */
	assert_int_equal(expr__eval_str("list->id", bx, src, &v, &col), -ENODATA);
	assert_non_null(strstr(ai_errmsg(), "0x100000000008"));
	btfx__free(bx);
	source__close(src);
	(void)st;
}

static void test_no_globals(void **st)
{
	struct btf *b = btf__new_empty();
	struct source *src;
	struct btfx *bx;

	reset();
	btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	src = arena();
	assert_int_equal(btfx__new_from_btf(src, b, &bx), 0);
	assert_int_equal(btfx__globals_placement(bx), BTFX_GLOBALS_NONE);
	assert_int_equal(btfx__nr_roots(bx), 0);
	assert_int_equal(btfx__nr_btfs(bx), 1);
	btfx__free(bx);
	btfx__free(NULL);
	source__close(src);
	(void)st;
}

static void test_find_type(void **st)
{
	struct source *src;
	struct btfx *bx;
	const struct btf *btf, *b2;
	uint32_t id, id2;
	const struct btf_type *t;

	reset();
	src = arena();
	assert_int_equal(btfx__new_from_btf(src, build_btf(), &bx), 0);
	assert_int_equal(btfx__find_type(bx, "struct node", &btf, &id), 0);
	assert_ptr_equal(btf, btfx__btf(bx, 0));
	assert_int_equal(id, t_node);
	assert_int_equal(btfx__find_type(bx, "node", &btf, &id), 0);
	assert_int_equal(id, t_node);
	assert_int_equal(btfx__find_type(bx, "  struct   node  ", &btf, &id), 0);
	assert_int_equal(id, t_node);
	assert_int_equal(btfx__find_type(bx, "struct node *", &btf, &id), 0);
	assert_int_equal(id, t_nodep); /* the existing pointer type */
	assert_int_equal(btfx__find_type(bx, "u64", &btf, &id), 0);
	assert_int_equal(id, t_u64t);
	assert_int_equal(btfx__find_type(bx, "unsigned long long", &btf, &id), 0);
	assert_ptr_equal(btf, btfx__btf(bx, 0));
	assert_int_equal(btfx__find_type(bx, "enum color", &btf, &id), 0);
	assert_int_equal(btfx__find_type(bx, "union either", &btf, &id), 0);
	/* made-up pointer types resolve through their base */
	assert_int_equal(btfx__find_type(bx, "struct node **", &btf, &id), 0);
	t = btf__type_by_id(btf, id);
	assert_true(btf_is_ptr(t));
	assert_int_equal(t->type, t_nodep);
	assert_int_equal(btfx__find_type(bx, "struct node **", &b2, &id2), 0);
	assert_ptr_equal(btf, b2);
	assert_int_equal(id, id2);
	/* built-in names that the BTF lacks */
	assert_int_equal(btfx__find_type(bx, "u16", &btf, &id), 0);
	t = btf__type_by_id(btf, id);
	assert_true(btf_is_int(t));
	assert_int_equal(t->size, 2);
	assert_int_equal(btfx__find_type(bx, "s8 *", &btf, &id), 0);
	assert_int_equal(btfx__find_type(bx, "void *", &btf, &id), 0);
	assert_int_equal(btfx__find_type(bx, "int", &btf, &id), 0);
	assert_int_equal(id, t_int);
	assert_int_equal(btfx__find_type(bx, "struct nosuch", &btf, &id), -ENOENT);
	assert_int_equal(btfx__find_type(bx, "struct", &btf, &id), -ENOENT);
	assert_int_equal(btfx__find_type(bx, "", &btf, &id), -ENOENT);
	assert_int_equal(btfx__find_type(bx, "*", &btf, &id), -ENOENT);
	assert_int_equal(btfx__find_type(bx, "enum node", &btf, &id), -ENOENT);
	btfx__free(bx);
	source__close(src);
	(void)st;
}

struct names {
	char buf[2048];
	int roots, types, stop_after;
};

static int name_cb(const char *name, bool is_type, void *ctx)
{
	struct names *n = ctx;

	strcat(n->buf, is_type ? "T:" : "R:");
	strcat(n->buf, name);
	strcat(n->buf, ";");
	if (is_type)
		n->types++;
	else
		n->roots++;
	return n->stop_after && n->roots + n->types >= n->stop_after;
}

static void test_names(void **st)
{
	struct source *src;
	struct btfx *bx;
	struct names n = { 0 };

	reset();
	src = arena();
	assert_int_equal(btfx__new_from_btf(src, build_btf(), &bx), 0);
	btfx__for_each_name(bx, name_cb, &n);
	assert_string_equal(
		n.buf, "R:counter;R:list;R:first;T:enum color;T:struct node;T:u64;T:union either;");
	memset(&n, 0, sizeof(n));
	n.stop_after = 2;
	btfx__for_each_name(bx, name_cb, &n);
	assert_string_equal(n.buf, "R:counter;R:list;");
	btfx__free(bx);
	source__close(src);
	(void)st;
}

static void test_add_root(void **st)
{
	struct source *src;
	struct btfx *bx;
	struct root r = { .name = "head",
			  .kind = ROOT_MAP_PTR,
			  .btf_idx = 0,
			  .value = S + 16,
			  .section = ".bss" };
	const struct root *got;

	reset();
	state[0] = PAGE_ALLOCATED;
	put_globals(0, 5);
	src = arena();
	assert_int_equal(btfx__new_from_btf(src, build_btf(), &bx), 0);
	r.type_id = t_nodep;
	assert_int_equal(btfx__add_root(bx, &r), 0);
	assert_int_equal(btfx__nr_roots(bx), 4);
	got = btfx__find_root(bx, "head");
	assert_ptr_equal(got->btf, btfx__btf(bx, 0));
	assert_int_equal(ival(bx, src, "head->id"), 5);
	/* same name: replaced */
	r.value = S;
	assert_int_equal(btfx__add_root(bx, &r), 0);
	assert_int_equal(btfx__nr_roots(bx), 4);
	assert_int_equal(ival(bx, src, "head->id"), 5);
	assert_int_equal(ival(bx, src, "(u64)head"), S);
	/* by btf pointer */
	r.btf = btfx__btf(bx, 0);
	r.btf_idx = 77;
	snprintf(r.name, sizeof(r.name), "other");
	assert_int_equal(btfx__add_root(bx, &r), 0);
	assert_int_equal(btfx__find_root(bx, "other")->btf_idx, 0);
	/* bad ones */
	r.btf = NULL;
	r.btf_idx = 3;
	assert_int_equal(btfx__add_root(bx, &r), -EINVAL);
	r.btf_idx = 0;
	r.type_id = 12345;
	assert_int_equal(btfx__add_root(bx, &r), -EINVAL);
	assert_non_null(strstr(ai_errmsg(), "invalid type id"));
	btfx__free(bx);
	source__close(src);
	(void)st;
}

/* A snapshot-like source: BTF blobs and stored roots over a memsource. */
struct snap {
	struct source src;
	struct source *mem;
	const void *blobs[1];
	size_t sizes[1];
	struct root roots[2];
	int nr_roots;
};

static int snap_read(struct source *s, uint64_t off, void *buf, size_t len, uint8_t *present)
{
	struct snap *sn = (void *)s;

	return sn->mem->ops->read(sn->mem, off, buf, len, present);
}

static int snap_blobs(struct source *s, const void ***blobs, const size_t **sizes, int *n)
{
	struct snap *sn = (void *)s;

	*blobs = sn->blobs;
	*sizes = sn->sizes;
	*n = 1;
	return 0;
}

static int snap_roots(struct source *s, const struct root **roots, int *n)
{
	struct snap *sn = (void *)s;

	*roots = sn->roots;
	*n = sn->nr_roots;
	return 0;
}

static void snap_close(struct source *s)
{
	(void)s;
}

static const struct source_ops snap_ops = {
	.read = snap_read,
	.btf_blobs = snap_blobs,
	.close = snap_close,
	.roots = snap_roots,
};

static void test_snapshot_source(void **st)
{
	struct snap sn = { .src.ops = &snap_ops };
	struct btf *b = build_btf();
	struct btfx *bx;
	uint32_t sz;
	const void *raw = btf__raw_data(b, &sz);

	reset();
	state[0] = PAGE_ALLOCATED;
	put_globals(0, 6);
	sn.mem = arena();
	sn.src.info = sn.mem->info;
	sn.blobs[0] = raw;
	sn.sizes[0] = sz;
	sn.roots[0] = (struct root){ .name = "saved",
				     .kind = ROOT_MAP_PTR,
				     .btf_idx = 0,
				     .type_id = t_nodep,
				     .value = S + 16,
				     .section = ".bss" };
	sn.nr_roots = 1;
	assert_int_equal(btfx__open(&sn.src, NULL, &bx), 0);
	assert_int_equal(btfx__nr_btfs(bx), 1);
	assert_int_equal(btfx__nr_roots(bx), 4); /* 3 globals + saved */
	assert_int_equal(btfx__globals_placement(bx), BTFX_GLOBALS_START);
	assert_int_equal(ival(bx, &sn.src, "saved->id"), 6);
	assert_int_equal(ival(bx, &sn.src, "counter"), 6);
	/* raw bytes round-trip */
	{
		uint32_t rsz;
		const void *r2 = btfx__btf_raw(bx, 0, &rsz);

		assert_int_equal(rsz, sz);
		assert_memory_equal(r2, raw, sz);
		assert_null(btfx__btf_raw(bx, 1, &rsz));
		assert_int_equal(rsz, 0);
	}
	btfx__free(bx);

	/* a root naming a blob that is not there */
	sn.roots[0].btf_idx = 1;
	assert_int_equal(btfx__open(&sn.src, NULL, &bx), -EINVAL);
	assert_null(bx);
	assert_non_null(strstr(ai_errmsg(), "saved"));
	sn.roots[0].btf_idx = 0;

	/* a malformed blob */
	sn.sizes[0] = 20;
	assert_int_equal(btfx__open(&sn.src, NULL, &bx), -EINVAL);
	assert_non_null(strstr(ai_errmsg(), "malformed"));
	btf__free(b);
	source__close(sn.mem);
	(void)st;
}

static void test_btf_files(void **st)
{
	char path[] = "/tmp/test_btfx_XXXXXX";
	struct btf *b = build_btf();
	struct source *src;
	struct btfx *bx;
	uint32_t sz;
	const void *raw = btf__raw_data(b, &sz);
	int fd = mkstemp(path);
	FILE *fp;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, raw, sz), (ssize_t)sz);
	close(fd);
	reset();
	state[NPAGES - 1] = PAGE_ALLOCATED;
	put_globals(END_OFF, 8);
	src = arena();
	assert_int_equal(btfx__open(src, path, &bx), 0);
	assert_int_equal(btfx__nr_btfs(bx), 1);
	assert_int_equal(btfx__globals_placement(bx), BTFX_GLOBALS_END);
	assert_int_equal(ival(bx, src, "list->id"), 8);
	btfx__free(bx);

	/* truncated */
	fp = fopen(path, "w");
	fwrite(raw, 1, sz / 2, fp);
	fclose(fp);
	assert_int_equal(btfx__open(src, path, &bx), -EINVAL);
	assert_null(bx);
	assert_non_null(strstr(ai_errmsg(), path));
	/* garbage */
	fp = fopen(path, "w");
	fputs("this is not BTF at all, nor an ELF object\n", fp);
	fclose(fp);
	assert_int_equal(btfx__open(src, path, &bx), -EINVAL);
	assert_non_null(strstr(ai_errmsg(), path));
	assert_non_null(strstr(ai_errmsg(), "not a valid BTF"));
	/* empty */
	fp = fopen(path, "w");
	fclose(fp);
	assert_int_equal(btfx__open(src, path, &bx), -EINVAL);
	unlink(path);
	/* missing */
	assert_int_equal(btfx__open(src, "/nonexistent/x.bpf.o", &bx), -ENOENT);
	assert_non_null(strstr(ai_errmsg(), "/nonexistent/x.bpf.o"));
	/* no file, a snapshot with no BTF: fine, nothing found */
	assert_int_equal(btfx__open(src, NULL, &bx), 0);
	assert_int_equal(btfx__nr_btfs(bx), 0);
	assert_int_equal(btfx__nr_roots(bx), 0);
	assert_int_equal(btfx__globals_placement(bx), BTFX_GLOBALS_NONE);
	{
		const struct btf *tb;
		uint32_t id;
		struct value v;
		int col;

		/* built-in types still work without any BTF */
		assert_int_equal(btfx__find_type(bx, "u32 *", &tb, &id), 0);
		assert_int_equal(expr__eval_str("*(u64 *)0x100000000000", bx, src, &v, &col), 0);
		assert_int_equal(
			expr__eval_str("*(struct node *)0x100000000000", bx, src, &v, &col),
			-ENOENT);
		assert_non_null(strstr(ai_errmsg(), "no BTF"));
	}
	btfx__free(bx);
	btf__free(b);
	source__close(src);
	(void)st;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_globals_at_start),
		cmocka_unit_test(test_globals_at_end),
		cmocka_unit_test(test_globals_both_allocated),
		cmocka_unit_test(test_globals_unallocated),
		cmocka_unit_test(test_no_globals),
		cmocka_unit_test(test_find_type),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_add_root),
		cmocka_unit_test(test_snapshot_source),
		cmocka_unit_test(test_btf_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

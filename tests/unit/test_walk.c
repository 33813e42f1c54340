// SPDX-License-Identifier: GPL-2.0
/* walk: the chain walker on synthetic arenas (synth.h): plain and
 * intrusive (--container) lists, every way a chain ends, Brent's cycle
 * detection against a brute-force answer for many (j, cycle length) pairs,
 * --max at and around the chain's length, and bad inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "btfx.h"
#include "error.h"
#include "expr.h"
#include "memsource.h"
#include "poison.h"
#include "walk.h"
#include "synth.h"

struct run {
	uint64_t node[64], addr[64], key[64];
	int n;
	struct walk_end end;
};

/* walk START with opts; key: the u64 at each value's start (elem.key, or
 * node.id for struct node) */
static int walk_run(struct fix *f, const char *start, const char *next, const char *container,
		    uint64_t max, struct run *r)
{
	struct walk_opts o = { .next = next, .container = container, .max = max };
	struct walk_node wn;
	struct walk *w;
	struct value v;
	int col, err, k;

	memset(r, 0, sizeof(*r));
	if (expr__eval_str(start, f->bx, f->src, &v, &col))
		fail_msg("'%s': %s", start, ai_errmsg());
	err = walk__open(f->bx, f->src, &v, &o, &w);
	if (err)
		return err;
	while ((k = walk__next(w, &wn)) == 1) {
		assert_true(r->n < 64);
		assert_int_equal(wn.index, r->n);
		assert_int_equal(wn.value.addr, wn.addr);
		assert_true(wn.value.lvalue);
		r->node[r->n] = wn.node;
		r->addr[r->n] = wn.addr;
		memcpy(&r->key[r->n], mem + (wn.addr - S), 8);
		r->n++;
	}
	assert_int_equal(k, 0);
	walk__end(w, &r->end);
	assert_int_equal(r->end.count, r->n);
	assert_int_equal(walk__count(w), r->n);
	assert_int_equal(walk__next(w, &wn), 0); /* stays at the end */
	walk__close(w);
	return 0;
}

static void test_plain(void **st)
{
	struct fix *f = *st;
	struct run r;

	/* gptr: two struct nodes, then NULL */
	assert_int_equal(walk_run(f, "gptr", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.node[0], S + 0x1000);
	assert_int_equal(r.node[1], S + 0x1040);
	assert_int_equal((uint32_t)r.key[0], 1);
	assert_int_equal((uint32_t)r.key[1], 2);
	assert_int_equal(r.end.reason, WALK_END_NULL);
	assert_string_equal(walk__reason_name(r.end.reason), "null");
	assert_int_equal(r.end.max, WALK_DEFAULT_MAX);
	/* cyc: node 1 points back to node 0 */
	assert_int_equal(walk_run(f, "cyc", "next", NULL, 0, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.end.reason, WALK_END_CYCLE);
	assert_int_equal(r.end.to, 0);
	assert_int_equal(r.end.from, 1);
	assert_int_equal(r.end.ptr, S + 0x3000);
	/* glob.head: an lvalue pointer is read */
	assert_int_equal(walk_run(f, "glob.head", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.n, 2);
	/* a cast address; NULL is a walk of no node */
	assert_int_equal(walk_run(f, "(struct node *)0x100000001040", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(walk_run(f, "(struct node *)0", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.end.reason, WALK_END_NULL);
	/* a start into a page that is not allocated, outside, poison */
	assert_int_equal(walk_run(f, "(struct node *)0x100000002000", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.end.reason, WALK_END_UNALLOCATED);
	assert_int_equal(r.end.page, 2);
	assert_int_equal(r.end.ptr, S + 0x2000);
	assert_int_equal(walk_run(f, "(struct node *)0x10", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.end.reason, WALK_END_OUTSIDE);
	assert_int_equal(r.end.ptr, 0x10);
	assert_int_equal(walk_run(f, "(struct node *)0x122", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.end.reason, WALK_END_POISON);
	assert_string_equal(r.end.poison, "LIST_POISON2");
	/* the last node whose value would run past the arena's end */
	assert_int_equal(walk_run(f, "(struct node *)0x10000000fff0", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.end.reason, WALK_END_OUTSIDE);
	/* --max 1 */
	assert_int_equal(walk_run(f, "gptr", NULL, NULL, 1, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.end.reason, WALK_END_MAX);
	assert_int_equal(r.end.max, 1);
	assert_int_equal(walk_run(f, "cyc", NULL, NULL, 1, &r), 0);
	assert_int_equal(r.end.reason, WALK_END_MAX);
	assert_int_equal(r.n, 1);
}

static void test_container(void **st)
{
	struct fix *f = *st;
	struct run r;

	assert_int_equal(walk_run(f, "lhead", NULL, "struct elem.node", 0, &r), 0);
	assert_int_equal(r.n, LIST_LEN);
	for (int i = 0; i < LIST_LEN; i++) {
		assert_int_equal(r.addr[i], S + 0x4000 + 0x40 * i);
		assert_int_equal(r.node[i], r.addr[i] + 8);
		assert_int_equal(r.key[i], i + 1);
	}
	assert_int_equal(r.end.reason, WALK_END_NULL);
	/* the same with the link as a path, and the start as an address */
	assert_int_equal(walk_run(f, "0x100000004008", "next", " struct elem . node", 0, &r), 0);
	assert_int_equal(r.n, LIST_LEN);
	/* a container_of start and a plain walk of the nodes */
	assert_int_equal(walk_run(f, "lhead", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.n, LIST_LEN);
	assert_int_equal(r.addr[1], S + 0x4048);
	/* the planted ends */
	assert_int_equal(walk_run(f, "lcyc", NULL, "struct elem.node", 0, &r), 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.end.reason, WALK_END_CYCLE);
	assert_int_equal(r.end.to, 1);
	assert_int_equal(r.end.from, 3);
	assert_int_equal(r.end.ptr, S + 0x5048);
	assert_int_equal(r.key[3], 4);
	assert_int_equal(walk_run(f, "lpois", NULL, "struct elem.node", 0, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.end.reason, WALK_END_POISON);
	assert_int_equal(r.end.ptr, 0x100);
	assert_string_equal(r.end.poison, "LIST_POISON1");
	assert_int_equal(walk_run(f, "lpois2", NULL, "struct elem.node", 0, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.end.reason, WALK_END_POISON);
	assert_int_equal(r.end.ptr, 0xdead000000000122ULL);
	assert_int_equal(walk_run(f, "llost", NULL, "struct elem.node", 0, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.end.reason, WALK_END_UNALLOCATED);
	assert_int_equal(r.end.ptr, S + 0x7008);
	assert_int_equal(r.end.page, 7);
	assert_int_equal(walk_run(f, "lout", NULL, "struct elem.node", 0, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.end.reason, WALK_END_OUTSIDE);
	/* a member of the anonymous union as the container's member: box.link,
	 * whose link leads into the first list (read as boxes from there) */
	assert_int_equal(walk_run(f, "&bx->link", NULL, "struct box.link", 0, &r), 0);
	assert_int_equal(r.n, 1 + LIST_LEN);
	assert_int_equal(r.addr[0], S + 0x6800);
	assert_int_equal(r.addr[1], S + 0x4000);
	assert_int_equal(r.end.reason, WALK_END_NULL);
}

static void bad(struct fix *f, const char *start, const char *next, const char *container, int want,
		const char *msg)
{
	struct walk_opts o = { .next = next, .container = container };
	struct walk *w = (void *)1;
	struct value v;
	int col, err;

	if (expr__eval_str(start, f->bx, f->src, &v, &col))
		fail_msg("'%s': %s", start, ai_errmsg());
	err = walk__open(f->bx, f->src, &v, &o, &w);
	if (err != want)
		fail_msg("'%s' %s %s: %d, want %d (%s)", start, next, container, err, want,
			 ai_errmsg());
	assert_null(w);
	if (!strstr(ai_errmsg(), msg))
		fail_msg("'%s': message '%s' lacks '%s'", start, ai_errmsg(), msg);
}

static void test_bad(void **st)
{
	struct fix *f = *st;

	bad(f, "gptr", "nope", NULL, -ENOENT, "link 'nope': 'nope' is not a member of struct node");
	bad(f, "gptr", "id", NULL, -EINVAL, "link 'id' of struct node is int, not a pointer");
	bad(f, "gptr", "next.x", NULL, -EINVAL, "is struct node *, not a struct or union");
	bad(f, "gptr", "next[", NULL, -EINVAL, "expected a value");
	bad(f, "glob", NULL, NULL, -EINVAL, "the start is struct outer, not a pointer");
	bad(f, "0x100000001000", NULL, NULL, -EINVAL, "cast it, as (struct node *)ADDR");
	bad(f, "&glob.x", NULL, NULL, -EINVAL, "not a pointer to a struct or union");
	bad(f, "glob.grid[0:2]", NULL, NULL, -EINVAL, "a slice");
	bad(f, "lhead", NULL, "elem", -EINVAL, "is not TYPE.MEMBER");
	bad(f, "lhead", NULL, "struct elem.", -EINVAL, "is not TYPE.MEMBER");
	bad(f, "lhead", NULL, "struct nosuch.node", -ENOENT, "unknown type 'struct nosuch'");
	bad(f, "lhead", NULL, "u64.node", -EINVAL, "'u64' is not a struct or union");
	bad(f, "lhead", NULL, "struct elem.nope", -ENOENT, "'nope' is not a member of struct elem");
	bad(f, "lhead", NULL, "struct elem.key", -EINVAL, "member 'key' of struct elem is u64");
	bad(f, "gptr", NULL, "struct elem.node", -EINVAL,
	    "the start is struct node *, but the container's member is struct lnode");
	bad(f, "lhead", "pprev", "struct elem.node", -EINVAL,
	    "link 'pprev' of struct lnode is struct lnode **, not a pointer to struct lnode");
}

/* ---- Brent against brute force on chains of every shape ---- */

#define BIG_PAGES 64
#define BIG_NODES (BIG_PAGES * 4096 / 32)
static uint8_t big[BIG_PAGES * 4096];
static uint8_t big_state[BIG_PAGES];

/* node i of the chain lives at slot perm(i): not in address order */
static uint64_t slot_addr(uint32_t i)
{
	return S + (uint64_t)((i * 2654435761u) % BIG_NODES) * 32;
}

/* a chain of n struct nodes; the last links to node back (-1: NULL) */
static void build_chain(uint32_t n, int64_t back)
{
	memset(big, 0, sizeof(big));
	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = slot_addr(i) - S;
		uint64_t next = i + 1 < n ? slot_addr(i + 1) : back >= 0 ? slot_addr(back) : 0;

		memcpy(big + a, &i, 4);
		memcpy(big + a + 8, &next, 8);
	}
}

static void test_brent(void **st)
{
	static const uint32_t mus[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 100, 1000 };
	static const uint32_t lams[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 100, 999, 2000 };
	struct arena_info ai = { .max_pages = BIG_PAGES,
				 .user_vm_start = S,
				 .user_vm_end = S + BIG_PAGES * 4096ULL,
				 .is_snapshot = true };
	struct source *src;
	struct btfx *bx;
	struct value start;

	(void)st;
	memset(big_state, PAGE_ALLOCATED, sizeof(big_state));
	assert_int_equal(memsource__new(&ai, big, big_state, &src), 0);
	assert_int_equal(btfx__new_from_btf(src, build_btf(), &bx), 0);
	start = (struct value){ .btf = btfx__btf(bx, 0),
				.type_id = T.nodep,
				.scalar = slot_addr(0) };
	for (size_t a = 0; a < sizeof(mus) / sizeof(mus[0]); a++) {
		for (size_t b = 0; b < sizeof(lams) / sizeof(lams[0]); b++) {
			uint32_t mu = mus[a], lam = lams[b], n = mu + lam;
			/* --max below, at and above the node count */
			uint64_t maxes[] = { 0, n - 1, n, n + 1 };

			build_chain(n, mu);
			for (size_t m = 0; m < 4; m++) {
				struct walk_opts o = { .max = maxes[m] };
				struct walk_node wn;
				struct walk_end e;
				struct walk *w;
				uint64_t k = 0;
				bool capped = maxes[m] && maxes[m] < n;

				if (maxes[m] == 0 && m)
					continue;
				assert_int_equal(walk__open(bx, src, &start, &o, &w), 0);
				while (walk__next(w, &wn) == 1) {
					if (wn.node != slot_addr(k))
						fail_msg("j %u length %u: node %llu at 0x%llx", mu,
							 lam, (unsigned long long)k,
							 (unsigned long long)wn.node);
					k++;
				}
				walk__end(w, &e);
				walk__close(w);
				assert_int_equal(k, capped ? maxes[m] : n);
				if (capped) {
					assert_int_equal(e.reason, WALK_END_MAX);
					continue;
				}
				if (e.reason != WALK_END_CYCLE || e.to != mu || e.from != n - 1)
					fail_msg("j %u length %u max %llu: %s %llu -> %llu", mu,
						 lam, (unsigned long long)maxes[m],
						 walk__reason_name(e.reason),
						 (unsigned long long)e.from,
						 (unsigned long long)e.to);
				assert_int_equal(e.ptr, slot_addr(mu));
			}
			/* the same chain without its cycle ends at NULL */
			build_chain(n, -1);
			{
				struct walk_opts o = { .max = n };
				struct walk_node wn;
				struct walk_end e;
				struct walk *w;
				uint64_t k = 0;

				assert_int_equal(walk__open(bx, src, &start, &o, &w), 0);
				while (walk__next(w, &wn) == 1)
					k++;
				walk__end(w, &e);
				walk__close(w);
				assert_int_equal(k, n);
				assert_int_equal(e.reason, WALK_END_NULL);
			}
		}
	}
	btfx__free(bx);
	source__close(src);
}

/* The chain changes between open and the walk (a live arena): the walk
 * says so instead of giving a node twice or a wrong end. */
static void test_changed(void **st)
{
	struct fix *f = *st;
	struct walk_opts o = { .container = "struct elem.node" };
	struct walk_node wn;
	struct walk_end e;
	struct walk *w;
	struct value v;
	int col, n = 0;

	assert_int_equal(expr__eval_str("lhead", f->bx, f->src, &v, &col), 0);
	assert_int_equal(walk__open(f->bx, f->src, &v, &o, &w), 0);
	assert_int_equal(walk__count(w), LIST_LEN);
	/* node 2 now links back to node 0 */
	put64(0x4080 + 8, S + 0x4008);
	while (walk__next(w, &wn) == 1)
		n++;
	walk__end(w, &e);
	walk__close(w);
	assert_int_equal(n, LIST_LEN);
	assert_int_equal(e.reason, WALK_END_ERROR);
	assert_non_null(strstr(e.msg, "changed while it was walked"));
	put64(0x4080 + 8, S + 0x40c8);

	/* the list is cut short: node 3 is in a freed page now */
	assert_int_equal(walk__open(f->bx, f->src, &v, &o, &w), 0);
	state[4] = PAGE_FREE;
	assert_int_equal(walk__next(w, &wn), 0);
	walk__end(w, &e);
	walk__close(w);
	state[4] = PAGE_ALLOCATED;
	assert_int_equal(e.reason, WALK_END_ERROR);
	assert_int_equal(e.count, 0);
	assert_non_null(strstr(e.msg, "node 0 is now unallocated"));
}

static void test_poison_table(void **st)
{
	(void)st;
	assert_string_equal(poison__find(0x100)->name, "LIST_POISON1");
	assert_string_equal(poison__find(0x122)->name, "LIST_POISON2");
	assert_string_equal(poison__find(0xdead000000000100ULL)->name, "LIST_POISON1");
	assert_string_equal(poison__find(0xdead000000000122ULL)->name, "LIST_POISON2");
	assert_non_null(poison__find(0xdead000000000400ULL));
	assert_null(poison__find(0));
	assert_null(poison__find(0x101));
	assert_null(poison__find(S + 0x100));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain, setup_intrusive, teardown),
		cmocka_unit_test_setup_teardown(test_container, setup_intrusive, teardown),
		cmocka_unit_test_setup_teardown(test_bad, setup_intrusive, teardown),
		cmocka_unit_test(test_brent),
		cmocka_unit_test_setup_teardown(test_changed, setup_intrusive, teardown),
		cmocka_unit_test(test_poison_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

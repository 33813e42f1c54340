// SPDX-License-Identifier: GPL-2.0
/*
 * --types on a real arena: the alist fixture, whose programs' BTF has
 * struct arena_list_node only as a forward declaration and struct elem,
 * struct item and struct fxl_table not at all (the loader checks that).
 * The same answers from the fixture's header as it is, from the DWARF of
 * its user-space helper and from raw BTF; without --types, the message
 * that says what is missing; the second open of a header hits the cache
 * (no tool in PATH then), and `types --layout` agrees with the fixture.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "fixture.h"
#include "json.h"

#define HEADER SOURCE_DIR "/bpf_fixtures/include/fxlist.h"

static char tmp[] = "/tmp/ait-types-XXXXXX";

/* arena-inspect ARGS (with ENV before it): its exit status, stdout, stderr */
static int inspect(const char *env, char **out, char **err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int inspect(const char *env, char **out, char **err, const char *fmt, ...)
{
	char args[3000], cmd[4000];
	va_list ap;
	int st = -1;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "env XDG_CACHE_HOME=%s/cache %s %s %s", tmp, env ? env : "",
		 INSPECT_BIN, args);
	assert_int_equal(fixture_run2(cmd, out, err, &st), 0);
	return st;
}

static struct json *print_json(const struct fixture *f, const char *types, const char *expr)
{
	char *out = NULL, *err = NULL, e[160];
	struct json *j;
	int st = inspect(NULL, &out, &err, "print pinned %s/arena %s -j '%s'", f->pin, types, expr);

	if (st)
		fail_msg("print %s '%s': exit %d: %s", types, expr, st, err);
	j = json_parse(out, e, sizeof(e));
	if (!j)
		fail_msg("not JSON: %s: %s", e, out);
	free(out);
	free(err);
	return j;
}

static int setup(void **state)
{
	static struct fixture f;

	if (fixture_load("alist", &f))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fixture_unload(*state);
	return 0;
}

static void test_without_types(void **state)
{
	struct fixture *f = *state;
	char *out = NULL, *err = NULL;

	assert_int_equal(
		inspect(NULL, &out, &err, "print pinned %s/arena '*list_head->first'", f->pin), 1);
	assert_string_equal(
		err, "arena-inspect: cannot dereference 'list_head->first': struct arena_list_node "
		     "is only declared in the BTF of the programs using this arena (its layout is "
		     "unknown); give its definition with --types FILE\n");
	free(out);
	free(err);
	assert_int_equal(
		inspect(NULL, &out, &err, "print pinned %s/arena '*table_for_user'", f->pin), 1);
	assert_string_equal(err, "arena-inspect: cannot dereference: 'table_for_user' is a void *: "
				 "cast it, e.g. *(struct NAME *)table_for_user\n");
	free(out);
	free(err);
}

/* every elem and the table, through the declared-only node and casts */
static void check_with(const struct fixture *f, const char *types)
{
	const struct json *elems = json_get(f->expect, "elems");
	char expr[256];
	struct json *j;

	assert_int_equal(json_len(elems), json_int(json_get(f->expect, "count"), -1));
	j = print_json(f, types, "*list_head->first");
	assert_string_equal(json_str(json_get(json_get(j, "next"), "ptr")),
			    json_str(json_get(json_at(elems, 0), "next")));
	assert_string_equal(json_str(json_get(json_get(j, "pprev"), "ptr")),
			    json_str(json_get(json_at(elems, 0), "pprev")));
	json_free(j);
	j = print_json(f, types, "list_head->first->next->next->next");
	/* first is elem 0's node, ->next elem 1's: three ->next is elem 2's next */
	assert_string_equal(json_str(json_get(j, "ptr")),
			    json_str(json_get(json_at(elems, 2), "next")));
	json_free(j);
	for (size_t i = 0; i < json_len(elems); i++) {
		const struct json *e = json_at(elems, i);

		snprintf(expr, sizeof(expr), "*(struct elem *)%s", json_str(json_get(e, "addr")));
		j = print_json(f, types, expr);
		assert_int_equal(json_int(json_get(j, "key"), -1),
				 json_int(json_get(e, "key"), -2));
		assert_int_equal(json_int(json_get(j, "value"), -1),
				 json_int(json_get(e, "value"), -2));
		assert_string_equal(json_str(json_get(j, "name")), json_str(json_get(e, "name")));
		if (!strcmp(json_str(json_get(e, "next")), "0x0"))
			assert_int_equal(json_type(json_path(j, "node.next")), JSON_NULL);
		else
			assert_string_equal(json_str(json_get(json_path(j, "node.next"), "ptr")),
					    json_str(json_get(e, "next")));
		json_free(j);
	}
	j = print_json(f, types, "*(struct fxl_table *)table_for_user");
	assert_int_equal(json_int(json_get(j, "nbuckets"), -1),
			 json_int(json_get(f->expect, "nbuckets"), -2));
	assert_int_equal(json_int(json_get(j, "count"), -1),
			 json_int(json_get(f->expect, "items"), -2));
	json_free(j);
}

static void test_header(void **state)
{
	check_with(*state, "--types " HEADER);
}

static void test_dwarf(void **state)
{
	check_with(*state, "--types " FXLIST_USER_BIN);
}

static void test_raw_btf(void **state)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "pahole --btf_encode_detached=%s/user.btf %s", tmp,
		 FXLIST_USER_BIN);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
	assert_int_equal(st, 0);
	snprintf(cmd, sizeof(cmd), "--types %s/user.btf", tmp);
	check_with(*state, cmd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* the second open of a header runs no tool: with nothing in PATH it works */
static void test_cache(void **state)
{
	struct fixture *f = *state;
	char *out1 = NULL, *out2 = NULL, *err = NULL, cmd[600], env[600];
	double t0, t1, t2;
	int st;

	snprintf(cmd, sizeof(cmd), "rm -rf %s/cache && cp %s %s/h.h", tmp, HEADER, tmp);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
	t0 = now();
	assert_int_equal(inspect(NULL, &out1, &err,
				 "print pinned %s/arena --types %s/h.h -j '*(struct elem "
				 "*)((__u64)list_head->first - 8)'",
				 f->pin, tmp),
			 0);
	free(err);
	t1 = now();
	snprintf(cmd, sizeof(cmd), "ls %s/cache/arena-inspect/*.btf >/dev/null", tmp);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
	assert_int_equal(st, 0);
	snprintf(env, sizeof(env), "PATH=%s/nothing", tmp);
	assert_int_equal(inspect(env, &out2, &err,
				 "print pinned %s/arena --types %s/h.h -j '*(struct elem "
				 "*)((__u64)list_head->first - 8)'",
				 f->pin, tmp),
			 0);
	t2 = now();
	assert_string_equal(out1, out2);
	free(out2);
	free(err);
	printf("--types header: first open %.1f ms, cached %.1f ms (whole command)\n",
	       (t1 - t0) * 1e3, (t2 - t1) * 1e3);
	/* a changed header converts again, and without clang-19 that fails */
	snprintf(cmd, sizeof(cmd), "echo 'struct extra { int x; };' >> %s/h.h", tmp);
	assert_int_equal(fixture_run(cmd, NULL, &st), 0);
	assert_int_equal(inspect(env, &out2, &err,
				 "print pinned %s/arena --types %s/h.h -j '*(struct elem "
				 "*)((__u64)list_head->first - 8)'",
				 f->pin, tmp),
			 1);
	assert_non_null(strstr(err, "not installed"));
	free(out2);
	free(err);
	assert_int_equal(inspect(NULL, &out2, &err,
				 "print pinned %s/arena --types %s/h.h -j 'sizeof(struct extra)'",
				 f->pin, tmp),
			 0);
	assert_string_equal(out2, "4\n");
	free(out1);
	free(out2);
	free(err);
}

static void test_layout(void **state)
{
	struct fixture *f = *state;
	char *out = NULL, *err = NULL, e[160];
	const struct json *m;
	struct json *j;

	assert_int_equal(inspect(NULL, &out, &err,
				 "types pinned %s/arena --types %s --layout 'struct elem' -j",
				 f->pin, HEADER),
			 0);
	j = json_parse(out, e, sizeof(e));
	assert_non_null(j);
	assert_int_equal(json_int(json_get(j, "size"), -1),
			 json_int(json_get(f->expect, "elem_size"), -2));
	m = json_get(j, "members");
	assert_string_equal(json_str(json_get(json_at(m, 1), "name")), "node");
	assert_int_equal(json_int(json_get(json_at(m, 1), "offset"), -1),
			 json_int(json_get(f->expect, "node_offset"), -2));
	assert_int_equal(json_len(json_get(j, "holes")), 0);
	json_free(j);
	free(out);
	free(err);
	/* the programs' declaration alone has no layout, and says so */
	assert_int_equal(inspect(NULL, &out, &err,
				 "types pinned %s/arena --layout 'struct arena_list_node'", f->pin),
			 1);
	assert_non_null(strstr(err, "no type 'struct arena_list_node'"));
	free(out);
	free(err);
	/* a header clang refuses: its first error, in one line */
	{
		char cmd[600];
		int st;

		snprintf(cmd, sizeof(cmd),
			 "printf 'struct a { int x; };\\nstruct b { nosuch_t y; };\\n' > %s/bad.h",
			 tmp);
		assert_int_equal(fixture_run(cmd, NULL, &st), 0);
	}
	assert_int_equal(inspect(NULL, &out, &err,
				 "print pinned %s/arena --types %s/bad.h '*list_head'", f->pin,
				 tmp),
			 1);
	assert_non_null(strstr(err, "bad.h:2:12: error: unknown type name 'nosuch_t'"));
	assert_non_null(strchr(err, '\n'));
	assert_null(strchr(err, '\n') + 1 < err + strlen(err) ? strchr(strchr(err, '\n') + 1, '\n')
							      : NULL);
	free(out);
	free(err);
}

int main(void)
{
	const char *why = bpf_test_skip_reason();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_types), cmocka_unit_test(test_header),
		cmocka_unit_test(test_dwarf),	      cmocka_unit_test(test_raw_btf),
		cmocka_unit_test(test_cache),	      cmocka_unit_test(test_layout),
	};
	char cmd[600];
	int rc, st;

	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	if (fixture_run("command -v pahole >/dev/null && command -v clang-19 >/dev/null", NULL,
			&st) ||
	    st) {
		printf("SKIP: needs clang-19 and pahole (Debian: dwarves)\n");
		return 77;
	}
	if (!mkdtemp(tmp))
		return 1;
	rc = cmocka_run_group_tests(tests, setup, teardown);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	fixture_run(cmd, NULL, &st);
	return rc;
}

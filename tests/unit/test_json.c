// SPDX-License-Identifier: GPL-2.0
/*
 * tests/common/json.c, the strict parser every -j test relies on: what it
 * accepts, what it refuses (and where it says the error is), duplicate
 * keys, the nesting bound, "0x" addresses as u64, and paths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "json.h"

static struct json *ok(const char *text)
{
	char err[160];
	struct json *j = json_parse(text, err, sizeof(err));

	if (!j)
		fail_msg("rejected valid JSON '%s': %s", text, err);
	return j;
}

/* text must be refused with an error that contains what (may be NULL) */
static void bad(const char *text, const char *what)
{
	char err[160] = "untouched";
	struct json *j = json_parse(text, err, sizeof(err));

	if (j) {
		json_free(j);
		fail_msg("accepted invalid JSON '%s'", text);
	}
	if (strncmp(err, "line ", 5))
		fail_msg("'%s': error '%s' does not say where", text, err);
	if (what && !strstr(err, what))
		fail_msg("'%s': error '%s' (wanted '%s')", text, err, what);
}

static void scalars_at_top_level(void **state)
{
	struct json *j;

	j = ok("42");
	assert_int_equal(json_type(j), JSON_NUMBER);
	assert_true(json_is_int(j));
	assert_int_equal(json_int(j, -1), 42);
	json_free(j);
	j = ok(" \t\r\n\"s\" \n");
	assert_string_equal(json_str(j), "s");
	json_free(j);
	j = ok("true");
	assert_int_equal(json_bool(j), 1);
	json_free(j);
	j = ok("false");
	assert_int_equal(json_bool(j), 0);
	json_free(j);
	j = ok("null");
	assert_true(json_is_null(j));
	assert_int_equal(json_type(j), JSON_NULL);
	json_free(j);
	j = ok("-0");
	assert_true(json_is_int(j));
	assert_int_equal(json_int(j, -1), 0);
	assert_true(json_u64(j, 1) == 0);
	json_free(j);
	j = ok("-12.5e1");
	assert_false(json_is_int(j));
	assert_int_equal(json_int(j, -7), -7);
	assert_true(json_num(j, 0) == -125.0);
	json_free(j);
	j = ok("1E2");
	assert_false(json_is_int(j));
	assert_true(json_num(j, 0) == 100.0);
	json_free(j);
	j = ok("0.0");
	assert_false(json_is_int(j));
	json_free(j);
}

static void numbers_and_their_ranges(void **state)
{
	struct json *j;

	j = ok("[9223372036854775807,-9223372036854775808,9223372036854775808,"
	       "18446744073709551615,18446744073709551616,-9223372036854775809,"
	       "123456789012345678901234567890]");
	assert_int_equal(json_len(j), 7);
	assert_true(json_int(json_at(j, 0), 0) == INT64_MAX);
	assert_true(json_int(json_at(j, 1), 0) == INT64_MIN);
	/* fits u64 only */
	assert_true(json_is_int(json_at(j, 2)));
	assert_int_equal(json_int(json_at(j, 2), -1), -1);
	assert_true(json_u64(json_at(j, 2), 0) == 9223372036854775808ULL);
	assert_true(json_u64(json_at(j, 3), 0) == UINT64_MAX);
	/* fits nothing: a number, but not an integer we can hand out */
	assert_false(json_is_int(json_at(j, 4)));
	assert_true(json_u64(json_at(j, 4), 5) == 5);
	assert_false(json_is_int(json_at(j, 5)));
	assert_int_equal(json_int(json_at(j, 5), 3), 3);
	assert_true(json_num(json_at(j, 6), 0) > 1.2e29);
	/* negative numbers are not u64 */
	json_free(j);
	j = ok("-1");
	assert_true(json_u64(j, 9) == 9);
	assert_int_equal(json_int(j, 0), -1);
	json_free(j);
	j = ok("1.0");
	assert_true(json_u64(j, 9) == 9);
	json_free(j);
}

static void containers(void **state)
{
	struct json *j = ok("{ \"a\" : [1, [2, 3], {}, []], \"b\": {\"c\": \"d\"}, \"e\": null }");
	const struct json *a = json_get(j, "a");

	assert_int_equal(json_type(j), JSON_OBJECT);
	assert_int_equal(json_len(j), 3);
	assert_string_equal(json_key_at(j, 0), "a");
	assert_string_equal(json_key_at(j, 1), "b");
	assert_string_equal(json_key_at(j, 2), "e");
	assert_null(json_key_at(j, 3));
	assert_ptr_equal(json_at(j, 1), json_get(j, "b"));
	assert_int_equal(json_type(a), JSON_ARRAY);
	assert_int_equal(json_len(a), 4);
	assert_null(json_key_at(a, 0));
	assert_int_equal(json_int(json_at(json_at(a, 1), 1), 0), 3);
	assert_int_equal(json_type(json_at(a, 2)), JSON_OBJECT);
	assert_int_equal(json_len(json_at(a, 2)), 0);
	assert_int_equal(json_type(json_at(a, 3)), JSON_ARRAY);
	assert_int_equal(json_len(json_at(a, 3)), 0);
	assert_null(json_at(a, 4));
	assert_true(json_is_null(json_get(j, "e")));
	assert_non_null(json_get(j, "e"));
	assert_null(json_get(j, "zz"));
	assert_null(json_get(a, "a")); /* not an object */
	json_free(j);
	/* a big array is fine */
	{
		size_t n = 100000;
		char *buf = malloc(n * 2 + 3), *p = buf;

		*p++ = '[';
		for (size_t i = 0; i < n; i++) {
			*p++ = '7';
			*p++ = i + 1 < n ? ',' : ']';
		}
		*p = '\0';
		j = ok(buf);
		assert_int_equal(json_len(j), n);
		assert_int_equal(json_int(json_at(j, n - 1), 0), 7);
		json_free(j);
		free(buf);
	}
}

static void strings_and_escapes(void **state)
{
	struct json *j;

	j = ok("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"");
	assert_string_equal(json_str(j), "\" \\ / \b \f \n \r \t");
	json_free(j);
	/* \u: BMP, a surrogate pair, and raw UTF-8 passed through */
	j = ok("\"\\u00e9\\u20AC\\ud83d\\ude00 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	assert_string_equal(json_str(j), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 "
					 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	json_free(j);
	/* an embedded NUL is kept and counted */
	j = ok("\"a\\u0000b\"");
	assert_int_equal(json_str_len(j), 3);
	assert_memory_equal(json_str(j), "a\0b", 4);
	json_free(j);
	j = ok("\"\"");
	assert_string_equal(json_str(j), "");
	assert_int_equal(json_str_len(j), 0);
	json_free(j);
	/* DEL (0x7f) is not a control character for JSON */
	j = ok("\"\x7f\"");
	assert_int_equal(json_str_len(j), 1);
	json_free(j);
}

static void invalid_inputs(void **state)
{
	bad("", "found the end");
	bad("   \n ", "found the end");
	bad("[1,]", NULL);
	bad("[,1]", NULL);
	bad("{\"a\":1,}", "member name");
	bad("{,}", "member name");
	bad("[1 2]", "',' or ']'");
	bad("{\"a\" 1}", "':' expected");
	bad("{\"a\":1 \"b\":2}", "',' or '}'");
	bad("{a:1}", "member name");
	bad("{1:1}", "member name");
	bad("{'a':1}", "member name");
	bad("['a']", "unexpected character");
	bad("[1] // c", "trailing");
	bad("/* c */ 1", "unexpected character");
	bad("1 2", "trailing");
	bad("[1]]", "trailing");
	bad("[1", "',' or ']' expected");
	bad("{\"a\":1", NULL);
	bad("{\"a\":", "found the end");
	bad("NaN", "unexpected character");
	bad("Infinity", "unexpected character");
	bad("-Infinity", "bad number");
	bad("nul", "unexpected character");
	bad("tru", "unexpected character");
	bad("True", "unexpected character");
	bad("nulls", "trailing");
	/* numbers */
	bad("01", "leading zero");
	bad("-01", "leading zero");
	bad("00", "leading zero");
	bad("-", "bad number");
	bad("+1", "unexpected character");
	bad(".5", "unexpected character");
	bad("1.", "digit expected after '.'");
	bad("1.e5", "digit expected after '.'");
	bad("1e", "digit expected in exponent");
	bad("1e+", "digit expected in exponent");
	bad("0x10", "trailing");
	/* strings */
	bad("\"abc", "unterminated string");
	bad("\"abc\\\"", "unterminated string");
	bad("\"a\tb\"", "control character 0x09");
	bad("\"a\nb\"", "control character 0x0a");
	bad("\"\\x41\"", "unknown escape '\\x'");
	bad("\"\\'\"", "unknown escape");
	bad("\"\\u12\"", "\\u");
	bad("\"\\u12G4\"", "bad hex digit");
	bad("\"\\udc00\"", "lone low surrogate");
	bad("\"\\ud800\"", "high surrogate without a low one");
	bad("\"\\ud800\\u0041\"", "bad low surrogate");
	bad("\"\\ud800x\"", "high surrogate without a low one");
	/* invalid UTF-8: overlong, surrogate, truncated, stray continuation, > U+10FFFF */
	bad("\"\xc0\x80\"", "invalid UTF-8");
	bad("\"\xe0\x80\xaf\"", "invalid UTF-8");
	bad("\"\xed\xa0\x80\"", "invalid UTF-8");
	bad("\"\xe2\x82\"", "invalid UTF-8");
	bad("\"\x80\"", "invalid UTF-8");
	bad("\"\xf4\x90\x80\x80\"", "invalid UTF-8");
	bad("\"\xff\"", "invalid UTF-8");
	/* whitespace beyond the four JSON allows */
	bad("\f1", "unexpected character");
	bad("1\v", "trailing");
	bad("\xc2\xa0"
	    "1",
	    "unexpected character");
}

static void errors_say_where(void **state)
{
	char err[160], tiny[12];
	struct json *j;

	j = json_parse("{\n  \"a\" 1}", err, sizeof(err));
	assert_null(j);
	assert_string_equal(err, "line 2, col 7: ':' expected");
	j = json_parse("[1,\n2,\n\n  x]", err, sizeof(err));
	assert_null(j);
	assert_string_equal(err, "line 4, col 3: unexpected character 'x'");
	/* a NUL byte inside the given length */
	j = json_parse_len("[1,\0 2]", 7, err, sizeof(err));
	assert_null(j);
	assert_string_equal(err, "line 1, col 4: NUL byte in input");
	/* a length that stops early; no NUL needed at the end */
	j = json_parse_len("[1,2]xyz", 5, err, sizeof(err));
	assert_non_null(j);
	assert_string_equal(err, "");
	assert_int_equal(json_len(j), 2);
	json_free(j);
	j = json_parse_len("[1,2]", 4, err, sizeof(err));
	assert_null(j);
	/* a short error buffer is cut, still terminated; none at all is fine */
	memset(tiny, 'x', sizeof(tiny));
	assert_null(json_parse("[1,", tiny, sizeof(tiny)));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_memory_equal(tiny, "line 1, co", 10);
	assert_null(json_parse("[1,", NULL, 0));
	assert_null(json_parse("[1,", err, 0));
	/* json_parse(NULL, ...) is meant to say "no input", but json_parse_len
	 * computes NULL + 0 first (UBSan: "applying zero offset to null
	 * pointer"); not tested here until tests/common/json.c checks text
	 * before the arithmetic. */
	/* an error buffer is cleared on success */
	strcpy(err, "stale");
	j = json_parse("1", err, sizeof(err));
	assert_string_equal(err, "");
	json_free(j);
}

static void too_large_input(void **state)
{
	char err[160];
	/* never touched: the size is refused before any byte is read */
	char *big = malloc((size_t)JSON_MAX_INPUT + 1);

	assert_non_null(big);
	assert_null(json_parse_len(big, (size_t)JSON_MAX_INPUT + 1, err, sizeof(err)));
	assert_non_null(strstr(err, "input larger than"));
	free(big);
}

static void duplicate_keys(void **state)
{
	struct json *j;

	bad("{\"a\":1,\"a\":2}", "duplicate key \"a\"");
	bad("{\"a\":1,\"b\":2,\"a\":1}", "duplicate key \"a\"");
	bad("{\"x\":{\"k\":1,\"k\":1}}", "duplicate key \"k\"");
	bad("[{},{\"k\":[],\"k\":{}}]", "duplicate key \"k\"");
	/* keys compare decoded: \u0061 is "a" */
	bad("{\"a\":1,\"\\u0061\":2}", "duplicate key \"a\"");
	/* a NUL in a member name cannot be looked up: refused */
	bad("{\"a\\u0000b\":1}", "NUL in member name");
	/* the same key in different objects, and case, are fine */
	j = ok("{\"a\":1,\"A\":2,\"b\":{\"a\":3},\"c\":[{\"a\":4},{\"a\":5}],\"\":6}");
	assert_int_equal(json_int(json_get(j, "A"), 0), 2);
	assert_int_equal(json_int(json_path(j, "b.a"), 0), 3);
	assert_int_equal(json_int(json_path(j, "c[1].a"), 0), 5);
	assert_int_equal(json_int(json_get(j, ""), 0), 6);
	json_free(j);
}

/* "[[[...]]]": n arrays, the innermost holding inner ("" or "1") */
static char *nested(int n, const char *inner)
{
	size_t len = 2 * (size_t)n + strlen(inner) + 1;
	char *s = malloc(len), *p = s;

	for (int i = 0; i < n; i++)
		*p++ = '[';
	p = stpcpy(p, inner);
	for (int i = 0; i < n; i++)
		*p++ = ']';
	*p = '\0';
	return s;
}

/* objects and arrays mixed: {"k":[{"k":[...]}]} */
static char *nested_mixed(int n)
{
	char *s = malloc(6 * (size_t)n + 2), *p = s;

	for (int i = 0; i < n; i++)
		p = stpcpy(p, (i & 1) ? "[" : "{\"k\":");
	*p++ = '1';
	for (int i = n - 1; i >= 0; i--)
		*p++ = (i & 1) ? ']' : '}';
	*p = '\0';
	return s;
}

/*
 * The depth of a value is the number of containers around it; it may be at
 * most JSON_MAX_DEPTH. So a scalar may sit in JSON_MAX_DEPTH containers,
 * and an empty container in JSON_MAX_DEPTH others.
 */
static void depth_bound(void **state)
{
	char err[160];
	struct json *j;
	char *s;

	s = nested(JSON_MAX_DEPTH, "1");
	j = ok(s);
	free(s);
	{
		const struct json *v = j;

		for (int i = 0; i < JSON_MAX_DEPTH; i++)
			v = json_at(v, 0);
		assert_int_equal(json_int(v, 0), 1);
	}
	json_free(j);
	s = nested(JSON_MAX_DEPTH + 1, "1");
	assert_null(json_parse(s, err, sizeof(err)));
	assert_non_null(strstr(err, "nested deeper than 128"));
	free(s);
	s = nested(JSON_MAX_DEPTH + 1, "");
	json_free(ok(s));
	free(s);
	s = nested(JSON_MAX_DEPTH + 2, "");
	bad(s, "nested deeper than");
	free(s);
	s = nested_mixed(JSON_MAX_DEPTH);
	json_free(ok(s));
	free(s);
	s = nested_mixed(JSON_MAX_DEPTH + 1);
	bad(s, "nested deeper than");
	free(s);
	/* hostile depth: refused quickly, no stack overflow (ASan would see it) */
	s = nested(1000000, "");
	bad(s, "nested deeper than");
	free(s);
	{
		size_t n = 1000000;
		char *o = malloc(5 * n + 1), *p = o;

		for (size_t i = 0; i < n; i++)
			p = stpcpy(p, "{\"\":");
		*p = '\0';
		bad(o, "nested deeper than");
		free(o);
	}
}

static void u64_from_strings(void **state)
{
	struct json *j = ok("[\"0x1f\",\"0X1F\",\"0xffffffffffffffff\",\"0x10000000000000000\","
			    "\"0x\",\"0x-1\",\"0x 1\",\"-1\",\"+1\",\" 1\",\"12abc\",\"\",\"123\","
			    "\"18446744073709551615\",\"18446744073709551616\",\"0x1\\u00002\","
			    "\"0x110000000000\",\"0\",\"0x0\",\"0xg\",true,null,[],{},\"0x+1\"]");

	assert_true(json_u64(json_at(j, 0), 0) == 0x1f);
	assert_true(json_u64(json_at(j, 1), 0) == 0x1f);
	assert_true(json_u64(json_at(j, 2), 0) == UINT64_MAX);
	assert_true(json_u64(json_at(j, 3), 7) == 7); /* overflow */
	assert_true(json_u64(json_at(j, 4), 7) == 7); /* no digits */
	assert_true(json_u64(json_at(j, 5), 7) == 7);
	assert_true(json_u64(json_at(j, 6), 7) == 7);
	assert_true(json_u64(json_at(j, 7), 7) == 7); /* negative */
	assert_true(json_u64(json_at(j, 8), 7) == 7);
	assert_true(json_u64(json_at(j, 9), 7) == 7);
	assert_true(json_u64(json_at(j, 10), 7) == 7); /* junk after digits */
	assert_true(json_u64(json_at(j, 11), 7) == 7); /* empty */
	assert_true(json_u64(json_at(j, 12), 0) == 123);
	assert_true(json_u64(json_at(j, 13), 0) == UINT64_MAX);
	assert_true(json_u64(json_at(j, 14), 7) == 7);
	assert_true(json_u64(json_at(j, 15), 7) == 7); /* embedded NUL */
	assert_true(json_u64(json_at(j, 16), 0) == 0x110000000000ULL);
	assert_true(json_u64(json_at(j, 17), 7) == 0);
	assert_true(json_u64(json_at(j, 18), 7) == 0);
	assert_true(json_u64(json_at(j, 19), 7) == 7);
	for (int i = 20; i < 24; i++)
		assert_true(json_u64(json_at(j, i), 7) == 7);
	assert_true(json_u64(json_at(j, 24), 7) == 7);
	assert_true(json_u64(NULL, 9) == 9);
	/* json_int never reads strings */
	assert_int_equal(json_int(json_at(j, 12), -1), -1);
	json_free(j);
}

static void paths(void **state)
{
	struct json *j = ok("{\"expect\":{\"nodes\":[{\"name\":\"alpha\",\"grid\":[[0,1],[2,3]]},"
			    "{\"name\":\"bravo\"}],\"count\":2},\"prog_ids\":[5,6],"
			    "\"a.b\":1,\"x[0]\":2}");
	struct json *arr = ok("[{\"id\":10},[20,[30]]]");
	char longkey[300];

	assert_string_equal(json_str(json_path(j, "expect.nodes[1].name")), "bravo");
	assert_int_equal(json_int(json_path(j, "expect.nodes[0].grid[1][0]"), -1), 2);
	assert_int_equal(json_int(json_path(j, "expect.count"), -1), 2);
	assert_int_equal(json_int(json_path(j, "prog_ids[1]"), -1), 6);
	assert_ptr_equal(json_path(j, ""), j);
	assert_ptr_equal(json_path(j, "expect"), json_get(j, "expect"));
	/* extra dots are skipped */
	assert_int_equal(json_int(json_path(j, ".expect..count"), -1), 2);
	assert_int_equal(json_int(json_path(j, "expect.nodes[0].grid.[1].[1]"), -1), 3);
	/* a leading index on an array root */
	assert_int_equal(json_int(json_path(arr, "[0].id"), -1), 10);
	assert_int_equal(json_int(json_path(arr, "[1][1][0]"), -1), 30);
	/* missing steps */
	assert_null(json_path(j, "expect.nodes[2]"));
	assert_null(json_path(j, "expect.nodes[2].name"));
	assert_null(json_path(j, "expect.nope.name"));
	assert_null(json_path(j, "prog_ids[99999999999999999999]"));
	assert_null(json_path(j, "expect[0]"));	 /* index on an object */
	assert_null(json_path(j, "prog_ids.x")); /* key on an array */
	assert_null(json_path(j, "prog_ids[x]"));
	assert_null(json_path(j, "prog_ids[-1]"));
	assert_null(json_path(j, "prog_ids[1"));
	assert_null(json_path(j, "prog_ids[]"));
	assert_null(json_path(j, "prog_ids[1]x"));
	assert_null(json_path(j, "expect.count.x"));
	assert_null(json_path(NULL, "a"));
	assert_null(json_path(j, NULL));
	/* keys with '.' or '[' need json_get */
	assert_null(json_path(j, "a.b"));
	assert_int_equal(json_int(json_get(j, "a.b"), -1), 1);
	assert_int_equal(json_int(json_get(j, "x[0]"), -1), 2);
	/* an over-long key is not found rather than cut */
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	assert_null(json_path(j, longkey));
	json_free(arr);
	json_free(j);
}

static void getters_on_null_and_wrong_types(void **state)
{
	struct json *j = ok("[\"s\",1,true]");

	assert_int_equal(json_type(NULL), JSON_NONE);
	assert_int_equal(json_len(NULL), 0);
	assert_null(json_at(NULL, 0));
	assert_null(json_get(NULL, "a"));
	assert_null(json_get(j, NULL));
	assert_null(json_key_at(NULL, 0));
	assert_null(json_str(NULL));
	assert_int_equal(json_str_len(NULL), 0);
	assert_false(json_is_int(NULL));
	assert_int_equal(json_int(NULL, -3), -3);
	assert_true(json_num(NULL, 2.5) == 2.5);
	assert_int_equal(json_bool(NULL), -1);
	assert_false(json_is_null(NULL));
	/* wrong types give the default */
	assert_null(json_str(json_at(j, 1)));
	assert_int_equal(json_str_len(json_at(j, 1)), 0);
	assert_int_equal(json_len(json_at(j, 0)), 0);
	assert_int_equal(json_int(json_at(j, 0), -3), -3);
	assert_true(json_num(json_at(j, 2), 2.5) == 2.5);
	assert_int_equal(json_bool(json_at(j, 1)), -1);
	assert_false(json_is_null(json_at(j, 2)));
	assert_false(json_is_int(json_at(j, 2)));
	json_free(j);
	json_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scalars_at_top_level),
		cmocka_unit_test(numbers_and_their_ranges),
		cmocka_unit_test(containers),
		cmocka_unit_test(strings_and_escapes),
		cmocka_unit_test(invalid_inputs),
		cmocka_unit_test(errors_say_where),
		cmocka_unit_test(too_large_input),
		cmocka_unit_test(duplicate_keys),
		cmocka_unit_test(depth_bound),
		cmocka_unit_test(u64_from_strings),
		cmocka_unit_test(paths),
		cmocka_unit_test(getters_on_null_and_wrong_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

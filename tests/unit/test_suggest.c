// SPDX-License-Identifier: GPL-2.0
/* suggest: the one edit distance behind every "did you mean", and its
 * bound (a typo is suggested, a different word is not). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "suggest.h"

static void test_distance(void **st)
{
	assert_int_equal(suggest__distance("pages", "pages", 2), 0);
	assert_int_equal(suggest__distance("pagess", "pages", 2), 1); /* insertion */
	assert_int_equal(suggest__distance("pags", "pages", 2), 1);   /* deletion */
	assert_int_equal(suggest__distance("pagez", "pages", 2), 1);  /* substitution */
	assert_int_equal(suggest__distance("pgaes", "pages", 2), 1);  /* a swap is one */
	assert_int_equal(suggest__distance("lsit", "list", 2), 1);
	assert_int_equal(suggest__distance("", "id", 2), 2);
	assert_int_equal(suggest__distance("kitten", "sitting", 3), 3);
	/* bounded: past max it says max + 1, whatever the real distance */
	assert_int_equal(suggest__distance("kitten", "sitting", 2), 3);
	assert_int_equal(suggest__distance("a", "abcdefgh", 2), 3);
	(void)st;
}

static void test_best(void **st)
{
	static const char *const cmds[] = { "list", "pages", "hex", "print", "types", "walk" };
	struct suggest sg;
	char hint[64];

	suggest__init(&sg, "pagess");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		suggest__offer(&sg, cmds[i]);
	assert_string_equal(suggest__best(&sg), "pages");
	assert_string_equal(suggest__hint(&sg, hint, sizeof(hint)), " (did you mean 'pages'?)");
	/* a short word may be one edit away only: "hx" -> "hex", not "x" -> "hex" */
	suggest__init(&sg, "hx");
	suggest__offer(&sg, "hex");
	assert_string_equal(suggest__best(&sg), "hex");
	suggest__init(&sg, "zz");
	suggest__offer(&sg, "hex");
	assert_null(suggest__best(&sg));
	assert_string_equal(suggest__hint(&sg, hint, sizeof(hint)), "");
	/* the word itself is no suggestion; the first of equals wins */
	suggest__init(&sg, "id");
	suggest__offer(&sg, "id");
	assert_null(suggest__best(&sg));
	suggest__init(&sg, "typs");
	suggest__offer(&sg, "types");
	suggest__offer(&sg, "type");
	assert_string_equal(suggest__best(&sg), "types");
	/* NULL word: never a suggestion */
	suggest__init(&sg, NULL);
	suggest__offer(&sg, "id");
	assert_null(suggest__best(&sg));
	(void)st;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_best),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

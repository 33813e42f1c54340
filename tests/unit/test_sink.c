// SPDX-License-Identifier: GPL-2.0
/* The text and JSON sinks: one stream of events, two renderings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "sink.h"

static void emit_sample(struct sink *s)
{
	struct sink_attrs ptr = { .target = "struct node", .unallocated = true };

	sink_begin(s, NULL, false, NULL);
	sink_u64(s, "id", 7);
	sink_str(s, "name", "a\"b\n");
	sink_value(s, "next", SK_PTR, "0x1000", &ptr);
	sink_begin(s, "ids", true, NULL);
	sink_u64(s, NULL, 1);
	sink_u64(s, NULL, 2);
	sink_end(s, true);
	sink_begin(s, "empty", false, NULL);
	sink_end(s, false);
	sink_end(s, false);
}

static void json_compact(void **state)
{
	struct strbuf sb = {};
	struct sink *s = sink__new_json(strbuf_write, &sb, false);

	emit_sample(s);
	sink__free(s);
	assert_string_equal(sb.buf, "{\"id\":7,\"name\":\"a\\\"b\\n\",\"next\":{\"ptr\":\"0x1000\","
				    "\"target\":\"struct node\",\"unallocated\":true},\"ids\":[1,2],"
				    "\"empty\":{}}\n");
	strbuf_free(&sb);
}

static void json_pretty_indents(void **state)
{
	struct strbuf sb = {};
	struct sink *s = sink__new_json(strbuf_write, &sb, true);

	emit_sample(s);
	sink__free(s);
	assert_non_null(strstr(sb.buf, "{\n  \"id\": 7,\n"));
	assert_non_null(strstr(sb.buf, "\"ids\": [\n    1,\n    2\n  ]"));
	strbuf_free(&sb);
}

static void json_lines_for_several_top_values(void **state)
{
	struct strbuf sb = {};
	struct sink *s = sink__new_json(strbuf_write, &sb, false);

	sink_begin(s, NULL, false, NULL);
	sink_u64(s, "a", 1);
	sink_end(s, false);
	sink_begin(s, NULL, false, NULL);
	sink_u64(s, "a", 2);
	sink_end(s, false);
	sink__free(s);
	assert_string_equal(sb.buf, "{\"a\":1}\n{\"a\":2}\n");
	strbuf_free(&sb);
}

static void json_escapes_control_and_high_bytes(void **state)
{
	struct strbuf sb = {};
	struct sink *s = sink__new_json(strbuf_write, &sb, false);

	sink_str(s, NULL, "\x01\xff");
	sink__free(s);
	assert_string_equal(sb.buf, "\"\\u0001\\u00ff\"\n");
	strbuf_free(&sb);
}

static void text_table_for_flat_rows(void **state)
{
	struct strbuf sb = {};
	struct sink *s = sink__new_text(strbuf_write, &sb);

	sink_begin(s, NULL, true, NULL);
	for (int i = 0; i < 2; i++) {
		sink_begin(s, NULL, false, NULL);
		sink_u64(s, "id", i ? 12 : 3);
		sink_str(s, "name", i ? "b" : "alpha");
		sink_end(s, false);
	}
	sink_end(s, true);
	sink__free(s);
	assert_string_equal(sb.buf, "ID  NAME\n3   alpha\n12  b\n");
	strbuf_free(&sb);
}

static void text_typed_values_print_as_c(void **state)
{
	struct strbuf sb = {};
	struct sink *s = sink__new_text(strbuf_write, &sb);
	struct sink_attrs st = { .type = "struct node" };
	struct sink_attrs p = { .target = "struct node", .outside = true };

	sink_begin(s, "head", false, &st);
	sink_u64(s, "id", 1);
	sink_str(s, "name", "x");
	sink_value(s, "next", SK_PTR, "0x100", &p);
	sink_end(s, false);
	sink__free(s);
	assert_string_equal(sb.buf, "head = (struct node) {\n\t.id = 1,\n\t.name = \"x\",\n"
				    "\t.next = 0x100 -> struct node <outside arena>,\n}\n");
	strbuf_free(&sb);
}

static void text_key_values_nest(void **state)
{
	struct strbuf sb = {};
	struct sink *s = sink__new_text(strbuf_write, &sb);

	sink_begin(s, NULL, false, NULL);
	sink_u64(s, "pages", 4);
	sink_begin(s, "ids", true, NULL);
	sink_u64(s, NULL, 1);
	sink_u64(s, NULL, 2);
	sink_end(s, true);
	sink_end(s, false);
	sink__free(s);
	assert_string_equal(sb.buf, "pages: 4\nids:\n\t1, 2\n");
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_compact),
		cmocka_unit_test(json_pretty_indents),
		cmocka_unit_test(json_lines_for_several_top_values),
		cmocka_unit_test(json_escapes_control_and_high_bytes),
		cmocka_unit_test(text_table_for_flat_rows),
		cmocka_unit_test(text_typed_values_print_as_c),
		cmocka_unit_test(text_key_values_nest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

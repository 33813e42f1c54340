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
	assert_string_equal(sb.buf,
			    "{\"id\":7,\"name\":\"a\\\"b\\n\",\"next\":{\"ptr\":\"0x1000\","
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

/* C0, DEL, C1 and the invisible direction controls are \u escapes; valid
 * UTF-8 stays as it is; a byte that is not UTF-8 is U+FFFD (JSON cannot
 * carry it), one per byte. */
static void json_escapes_control_and_high_bytes(void **state)
{
	struct strbuf sb = {};
	struct sink *s = sink__new_json(strbuf_write, &sb, false);

	sink_str(s, NULL, "\x01\xff");
	sink_str(s, NULL, "\x1b[2J\x7f\xc2\x9b\xe2\x80\xae\b\f");
	sink_str(s, NULL, "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\x9d");
	/* overlong, surrogate, cut short, > U+10FFFF, stray continuation: 12 bytes */
	sink_str(s, NULL, "\xc0\xaf\xed\xa0\x80\xe2\x82\xf4\x90\x80\x80\x80");
	sink__free(s);
	assert_string_equal(sb.buf, "\"\\u0001\\ufffd\"\n"
				    "\"\\u001b[2J\\u007f\\u009b\\u202e\\b\\f\"\n"
				    "\"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\x9d\"\n"
				    "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\uf"
				    "ffd\\ufffd\\ufffd\\ufffd\"\n");
	strbuf_free(&sb);
}

/* Names and strings from files in text: their printable form, so ESC and
 * friends never reach the terminal; valid UTF-8 is kept. */
static void text_shows_printable_form(void **state)
{
	struct strbuf sb = {};
	struct sink *s = sink__new_text(strbuf_write, &sb);
	struct sink_attrs st = { .type = "struct \x1b]0;t\x07" };
	struct sink_attrs p = { .target = "struct \x1b[2J", .outside = true, .note = "n\x1b" };

	sink_begin(s, "h\x1b[31m", false, &st);
	sink_str(s, "m\x9b\x7f", "a\x1b]52;c;eA==\x07\"\\\xc3\xa9\xff\n\t");
	sink_value(s, "next", SK_PTR, "0x100", &p);
	sink_value(s, "e", SK_ENUM, "E\xc2\x9b", NULL);
	sink_end(s, false);
	sink_begin(s, NULL, false, NULL);
	sink_str(s, "name", "x\ny: 1\x1b[2J");
	sink_end(s, false);
	sink__free(s);
	assert_string_equal(
		sb.buf, "h\\x1b[31m = (struct \\x1b]0;t\\x07) {\n"
			"\t.m\\x9b\\x7f = \"a\\x1b]52;c;eA==\\x07\\\"\\\\\xc3\xa9\\xff\\n\\t\",\n"
			"\t.next = 0x100 -> struct \\x1b[2J <outside arena> <n\\x1b>,\n"
			"\t.e = E\\u009b,\n"
			"}\n"
			"name: x\\ny: 1\\x1b[2J\n");
	strbuf_free(&sb);
}

/* A cut array says how many it did not show, in text and in JSON */
static void cut_arrays_say_so(void **state)
{
	struct sink_attrs cut = { .type = "int[300]", .truncated = true, .total = 300 };
	struct sink_attrs str = { .truncated = true, .total = 10 };
	struct sink_attrs depth = { .truncated = true, .note = "depth" };
	struct strbuf sb = {};
	struct sink *s;

	for (int json = 0; json < 2; json++) {
		s = json ? sink__new_json(strbuf_write, &sb, false)
			 : sink__new_text(strbuf_write, &sb);
		s->more_hint = "--max-elements N";
		sink_begin(s, "a", true, &cut);
		sink_u64(s, NULL, 1);
		sink_u64(s, NULL, 2);
		sink_end(s, true);
		sink_begin(s, NULL, false, NULL);
		sink_value(s, "s", SK_STR, "abcd", &str);
		sink_value(s, "d", SK_STR, "{...}", &depth);
		sink_begin(s, "u", true, &(struct sink_attrs){ .truncated = true, .total = 3 });
		sink_u64(s, NULL, 5);
		sink_end(s, true);
		sink_end(s, false);
		sink__free(s);
	}
	assert_string_equal(sb.buf, "a = (int[300]) [1, 2, ... 298 more (--max-elements N)]\n"
				    "s: abcd ... 6 more (--max-elements N)\n"
				    "d: {...} <depth>\n"
				    "u:\n\t5, ... 2 more (--max-elements N)\n"
				    "{\"truncated\":true,\"total\":300,\"elements\":[1,2]}\n"
				    "{\"s\":{\"string\":\"abcd\",\"truncated\":true,\"total\":10},"
				    "\"d\":{\"truncated\":true,\"note\":\"depth\"},"
				    "\"u\":{\"truncated\":true,\"total\":3,\"elements\":[5]}}\n");
	strbuf_free(&sb);
	/* pretty JSON too */
	s = sink__new_json(strbuf_write, &sb, true);
	sink_begin(s, NULL, true, &cut);
	sink_u64(s, NULL, 1);
	sink_end(s, true);
	sink__free(s);
	assert_string_equal(sb.buf,
			    "{\n  \"truncated\": true,\n  \"total\": 300,\n  \"elements\": [\n"
			    "    1\n  ]\n}\n");
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

/* roles: the text sink says what it writes (the CLI colours by them);
 * recorded here as <ROLE> marks in the text; the text itself is what it
 * was without roles */
static struct strbuf *role_sb;

static void mark_role(void *ctx, enum sink_role r)
{
	static const char *const name[] = { "",	      "<key>",	"<type>",    "<num>",
					    "<str>",  "<enum>", "<ptr>",     "<bad>",
					    "<null>", "<note>", "<unalloc>", "<header>" };

	(void)ctx;
	strbuf_write(role_sb, name[r], strlen(name[r]));
	if (r == SR_NONE)
		strbuf_write(role_sb, "</>", 3);
}

static void text_reports_roles(void **state)
{
	struct strbuf sb = {}, plain = {};
	struct sink *s = sink__new_text(strbuf_write, &sb),
		    *p = sink__new_text(strbuf_write, &plain);
	struct sink_attrs st = { .type = "struct node" };
	struct sink_attrs ok = { .target = "struct node", .followable = true };
	struct sink_attrs bad = { .target = "struct node", .unallocated = true };
	struct sink *both[2] = { s, p };

	role_sb = &sb;
	s->role = mark_role;
	for (int i = 0; i < 2; i++) {
		sink_begin(both[i], "head", false, &st);
		sink_u64(both[i], "id", 1);
		sink_str(both[i], "name", "x");
		sink_value(both[i], "next", SK_PTR, "0x100", &ok);
		sink_value(both[i], "prev", SK_PTR, "0x200", &bad);
		sink_value(both[i], "st", SK_ENUM, "RUNNING", NULL);
		sink_end(both[i], false);
	}
	sink__free(s);
	sink__free(p);
	assert_non_null(strstr(sb.buf, "<key>head</> = <type>(struct node)</> {"));
	assert_non_null(strstr(sb.buf, "<key>.id</> = <num>1</>"));
	assert_non_null(strstr(sb.buf, "<key>.name</> = <str>\"x\"</>"));
	assert_non_null(strstr(sb.buf, "<ptr>0x100</><unalloc><type> -> struct node<unalloc>"));
	assert_non_null(strstr(
		sb.buf, "<bad>0x200</><unalloc><type> -> struct node<unalloc> <unallocated>"));
	assert_non_null(strstr(sb.buf, "<enum>RUNNING</>"));
	assert_non_null(strstr(plain.buf, "\t.prev = 0x200 -> struct node <unallocated>,\n"));
	strbuf_free(&sb);
	strbuf_free(&plain);
	/* JSON has no roles, whatever the writer asks for */
	s = sink__new_json(strbuf_write, &sb, false);
	s->role = mark_role;
	role_sb = &plain;
	sink_u64(s, "id", 1);
	sink__free(s);
	assert_null(plain.buf);
	assert_string_equal(sb.buf, "1\n");
	strbuf_free(&sb);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_compact),
		cmocka_unit_test(json_pretty_indents),
		cmocka_unit_test(json_lines_for_several_top_values),
		cmocka_unit_test(json_escapes_control_and_high_bytes),
		cmocka_unit_test(text_shows_printable_form),
		cmocka_unit_test(cut_arrays_say_so),
		cmocka_unit_test(text_table_for_flat_rows),
		cmocka_unit_test(text_typed_values_print_as_c),
		cmocka_unit_test(text_key_values_nest),
		cmocka_unit_test(text_reports_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

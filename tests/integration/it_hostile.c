// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 11 item 9: escape sequences from files never reach the terminal.
 * Snapshots are built whose arena name, root name, BTF type, member and
 * enumerator names and char array contents hold ESC[2J (clear screen),
 * ESC]0;...BEL (window title), ESC]52;c;...BEL (clipboard), a C1 CSI
 * (U+009B), DEL and bytes that are not UTF-8. `pages`, `types` and `print`
 * (text and JSON), and an error that quotes a hostile file name, must send
 * no C0 control but \n and \t, no DEL and no C1 to stdout or stderr; the
 * text shows the escaped form, the JSON decodes back to the original names.
 * Snapshot files only: no root and no BPF needed.
 *
 * With AI_HOSTILE_CORPUS=DIR set, the files are also written to DIR (the
 * fuzz corpus, fuzz/corpus/fuzz_snapshot).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/btf.h>

#include "btfx.h"
#include "fixture.h"
#include "json.h"
#include "memsource.h"
#include "snapshot.h"
#include "source.h"

#define BASE 0x100000000000ULL
#define NP 4

/* 15 bytes: the arena name field holds 16 with the NUL */
static const char ARENA_NAME[] = "\x1b[2J\x1b]0;pwnd\x07\xff!";
static const char ROOT_NAME[] = "r\x1b]52;c;aGVsbG8=\x07";
static const char TYPE_NAME[] = "t\x1b]0;title\x07";
static const char MEMBER[] = "m\x1b[31m\x7f";
static const char ENUMV[] = "E\x1b[5m\xc2\x9b"
			    "1m";
static const char TEXT[] = "s\x1b[2Jz\xc2\x9b\xfe";

static uint8_t mem[NP * 4096];
static uint8_t states[NP];
static char dir[64];
static char snap[128], badname[160];

static struct btf *hostile_btf(uint32_t *ptr_id)
{
	struct btf *b = btf__new_empty();
	int i32, chr, txt, en, st;

	assert_non_null(b);
	i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	txt = btf__add_array(b, i32, chr, 16);
	en = btf__add_enum(b, "e\x1b[2J", 4);
	assert_true(en > 0);
	assert_int_equal(btf__add_enum_value(b, ENUMV, 1), 0);
	/* struct TYPE_NAME { int MEMBER; char text[16]; enum e st; } */
	st = btf__add_struct(b, TYPE_NAME, 24);
	assert_true(st > 0);
	assert_int_equal(btf__add_field(b, MEMBER, i32, 0, 0), 0);
	assert_int_equal(btf__add_field(b, "text", txt, 32, 0), 0);
	assert_int_equal(btf__add_field(b, "st", en, 160, 0), 0);
	*ptr_id = btf__add_ptr(b, st);
	assert_true(*ptr_id > 0);
	return b;
}

static int setup(void **state)
{
	struct arena_info ai = { .map_id = 9,
				 .max_pages = NP,
				 .user_vm_start = BASE,
				 .user_vm_end = BASE + NP * 4096ULL,
				 .map_flags = 1 << 10,
				 .map_extra = BASE };
	struct root r = { .kind = ROOT_MAP_PTR, .btf_idx = 0, .value = BASE };
	struct source *src;
	struct btfx *bx;
	uint32_t ptr;
	int one = 1;
	const char *corpus = getenv("AI_HOSTILE_CORPUS");

	snprintf(dir, sizeof(dir), "/tmp/ai-hostile-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(sizeof(ARENA_NAME), 16);
	memcpy(ai.name, ARENA_NAME, sizeof(ARENA_NAME));
	memset(states, PAGE_FREE, sizeof(states));
	states[0] = PAGE_ALLOCATED;
	memcpy(mem, &(int){ 7 }, 4);
	memcpy(mem + 4, TEXT, sizeof(TEXT));
	memcpy(mem + 20, &one, 4);
	assert_int_equal(memsource__new(&ai, mem, states, &src), 0);
	assert_int_equal(btfx__new_from_btf(src, hostile_btf(&ptr), &bx), 0);
	r.type_id = ptr;
	snprintf(r.section, sizeof(r.section), ".bss\x1b[2J");
	snprintf(r.name, sizeof(r.name), "%s", ROOT_NAME);
	assert_int_equal(btfx__add_root(bx, &r), 0);
	snprintf(r.name, sizeof(r.name), "clean");
	snprintf(r.section, sizeof(r.section), ".bss");
	assert_int_equal(btfx__add_root(bx, &r), 0);
	snprintf(snap, sizeof(snap), "%s/hostile.snap", dir);
	assert_int_equal(snapshot__write(src, bx, snap), 0);
	if (corpus && *corpus) {
		char p[256];

		snprintf(p, sizeof(p), "%s/hostile-names.snap", corpus);
		assert_int_equal(snapshot__write(src, bx, p), 0);
	}
	btfx__free(bx);
	source__close(src);
	/* a file name that holds escapes, for the messages that quote it */
	snprintf(badname, sizeof(badname), "%s/x\x1b]0;owned\x07.snap", dir);
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	int st;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	fixture_run(cmd, NULL, &st);
	return 0;
}

/* No byte a terminal acts on: C0 but \n and \t, DEL, C1 (as UTF-8) */
static void assert_clean(const char *what, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			fail_msg("%s: byte 0x%02x at %td reaches the terminal:\n%s", what, *p,
				 (const char *)p - s, s);
	}
}

/* arena-inspect ARGS; both streams checked; returns stdout */
static char *run(int want_status, const char *args)
{
	char cmd[1024], *out = NULL, *err = NULL;
	int st = -1;

	snprintf(cmd, sizeof(cmd), "%s %s", INSPECT_BIN, args);
	assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
	if (st != want_status)
		fail_msg("'%s': exit %d (wanted %d), stderr '%s'", args, st, want_status,
			 err ? err : "");
	assert_clean(args, out);
	assert_clean(args, err);
	if (want_status) {
		free(out);
		return err;
	}
	free(err);
	return out;
}

static void has(const char *out, const char *want)
{
	if (!strstr(out, want))
		fail_msg("wanted '%s' in:\n%s", want, out);
}

static struct json *parse(const char *out)
{
	char err[160];
	struct json *j = json_parse(out, err, sizeof(err));

	if (!j)
		fail_msg("not JSON: %s\n%s", err, out);
	return j;
}

static void pages(void **state)
{
	char args[256], *out;
	struct json *j;

	snprintf(args, sizeof(args), "pages '%s'", snap);
	out = run(0, args);
	/* the name is there, in its printable form */
	has(out, "\\x1b[2J\\x1b]0;pwnd\\x07\\xff!");
	free(out);
	snprintf(args, sizeof(args), "pages '%s' -j", snap);
	out = run(0, args);
	has(out, "\\u001b[2J");
	j = parse(out);
	/* the control characters survive JSON; the byte that is not UTF-8
	 * cannot and is U+FFFD */
	assert_string_equal(json_str(json_get(j, "name")), "\x1b[2J\x1b]0;pwnd\x07\xef\xbf\xbd!");
	json_free(j);
	free(out);
}

static void types(void **state)
{
	char args[256], *out;
	struct json *j;
	const struct json *roots;
	bool found = false;

	snprintf(args, sizeof(args), "types '%s'", snap);
	out = run(0, args);
	has(out, "r\\x1b]52;c;aGVsbG8=\\x07");
	has(out, "t\\x1b]0;title\\x07");
	has(out, ".bss\\x1b[2J");
	free(out);
	snprintf(args, sizeof(args), "types '%s' -p", snap);
	out = run(0, args);
	j = parse(out);
	roots = json_get(j, "roots");
	for (size_t i = 0; i < json_len(roots); i++)
		found |= !strcmp(json_str(json_get(json_at(roots, i), "name")), ROOT_NAME);
	assert_true(found);
	json_free(j);
	free(out);
}

static void print(void **state)
{
	char args[256], *out;
	struct json *j;

	snprintf(args, sizeof(args), "print '%s' '*clean'", snap);
	out = run(0, args);
	has(out, "(struct t\\x1b]0;title\\x07)");
	has(out, ".m\\x1b[31m\\x7f = 7");
	has(out, ".text = \"s\\x1b[2Jz\\u009b\\xfe\"");
	has(out, ".st = E\\x1b[5m\\u009b1m");
	free(out);
	snprintf(args, sizeof(args), "print '%s' '*clean' -j", snap);
	out = run(0, args);
	j = parse(out);
	assert_int_equal(json_int(json_get(j, MEMBER), -1), 7);
	assert_string_equal(json_str(json_get(j, "st")), ENUMV);
	assert_string_equal(json_str(json_get(j, "text")), "s\x1b[2Jz\xc2\x9b\xef\xbf\xbd");
	json_free(j);
	free(out);
	/* a value with a hostile member name by itself */
	snprintf(args, sizeof(args), "print '%s' 'clean->text'", snap);
	out = run(0, args);
	has(out, "\"s\\x1b[2Jz\\u009b\\xfe\"");
	free(out);
}

/* messages that quote a file name or a name from the file */
static void errors(void **state)
{
	char args[512], *err;

	snprintf(args, sizeof(args), "pages '%s'", badname);
	err = run(1, args);
	has(err, "x\\x1b]0;owned\\x07.snap");
	free(err);
	/* the same file, cut short: still one clean line */
	snprintf(args, sizeof(args), "head -c 100 '%s' > '%s'", snap, badname);
	{
		int st;

		assert_int_equal(fixture_run(args, NULL, &st), 0);
		assert_int_equal(st, 0);
	}
	snprintf(args, sizeof(args), "types '%s'", badname);
	err = run(1, args);
	has(err, "\\x1b]0;owned\\x07");
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pages),
		cmocka_unit_test(types),
		cmocka_unit_test(print),
		cmocka_unit_test(errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

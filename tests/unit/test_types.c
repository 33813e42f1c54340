// SPDX-License-Identifier: GPL-2.0
/*
 * Type sources (types.c) and forward declarations completed by name
 * (btfx__complete): a "program" BTF that only declares struct node
 * (tests/common/fwd_arena.c), completed from a header, a DWARF object and
 * raw BTF; the honest messages without them; the cache (second open runs
 * no tool, a changed header or included header converts again, a cache
 * directory that is a symlink is not used); clang's first error line;
 * --types-cflags; conflicts; and the layout walk against GDB's ptype /o.
 * Needs clang-19 and pahole (exit 77 without them).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/types.h>
#include <bpf/btf.h>
#include "btfq.h"
#include "btfx.h"
#include "error.h"
#include "expr.h"
#include "format.h"
#include "fwd_arena.h"
#include "json.h"
#include "sink.h"
#include "types.h"

#define __arena
#include "../data/fwd_types.h"

static char tmpdir[] = "/tmp/test_types.XXXXXX";
static char cache[512];

static const char *in_tmp(const char *name)
{
	static char buf[4][600];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
	return buf[k];
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int run(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strlen(de->d_name) > 4 && !strcmp(de->d_name + strlen(de->d_name) - 4, ".btf");
	closedir(d);
	return n;
}

/* the value of EXPR as JSON, parsed */
static struct json *print_json(struct btfx *bx, struct source *src, const char *expr)
{
	struct strbuf sb = { 0 };
	struct sink *s = sink__new_json(strbuf_write, &sb, false);
	struct fmt_opts fo = { .path = expr };
	struct value v;
	struct json *j;
	char err[128];
	int col = -1;

	if (expr__eval_str(expr, bx, src, &v, &col)) {
		print_error("%s: %s\n", expr, ai_errmsg());
		fail();
	}
	assert_int_equal(fmt__value(bx, src, &v, NULL, s, &fo), 0);
	sink__free(s);
	strbuf_write(&sb, "", 1);
	j = json_parse(sb.buf, err, sizeof(err));
	if (!j)
		print_error("%s -> %s (%s)\n", expr, sb.buf, err);
	assert_non_null(j);
	strbuf_free(&sb);
	return j;
}

static int64_t eval_int(struct btfx *bx, struct source *src, const char *expr)
{
	int64_t v = 0;
	struct expr *e;
	int col;

	assert_int_equal(expr__parse(expr, &e, &col), 0);
	if (expr__eval_int(e, bx, src, &v)) {
		print_error("%s: %s\n", expr, ai_errmsg());
		fail();
	}
	expr__free(e);
	return v;
}

static const char *eval_err(struct btfx *bx, struct source *src, const char *expr)
{
	struct value v;
	int col = -1;

	assert_int_not_equal(expr__eval_str(expr, bx, src, &v, &col), 0);
	return ai_errmsg();
}

static struct types_opts topts(void)
{
	struct types_opts o = { .sz = sizeof(o), .cache_dir = cache };

	return o;
}

/* the list and the elem, read through the completed declaration */
static void check_values(struct btfx *bx, struct source *src)
{
	struct json *j;

	for (int i = 0; i < FWD_NODES; i++) {
		char e[128];

		snprintf(e, sizeof(e), "hdr->good%s->value",
			 i == 0	  ? ""
			 : i == 1 ? "->next"
				  : "->next->next");
		assert_int_equal(eval_int(bx, src, e), (i + 1) * 111);
		snprintf(e, sizeof(e), "(*hdr->good%s).kind",
			 i == 0	  ? ""
			 : i == 1 ? "->next"
				  : "->next->next");
		assert_int_equal(eval_int(bx, src, e), i + 2);
	}
	assert_int_equal(eval_int(bx, src, "hdr->good[0].id"), 1);
	/* arithmetic scales by the completed size */
	assert_int_equal(eval_int(bx, src, "(__u64)(hdr->good + 2) - (__u64)hdr->good"),
			 2 * sizeof(struct node));
	assert_int_equal(eval_int(bx, src, "sizeof(*hdr->good)"), sizeof(struct node));
	j = print_json(bx, src, "*hdr->good");
	assert_int_equal(json_int(json_get(j, "value"), -1), 111);
	assert_int_equal(json_int(json_get(j, "id"), -1), 1);
	assert_int_equal(json_int(json_get(j, "flags"), -1), 0);
	assert_int_equal(json_int(json_get(j, "kind"), -1), 2);
	assert_string_equal(json_str(json_get(json_get(j, "next"), "target")), "struct node");
	json_free(j);
	/* a cast to a type that only the type source has */
	j = print_json(bx, src, "*(struct elem *)hdr->any");
	assert_int_equal(json_int(json_get(j, "tag"), -1), 0xe1e);
	assert_int_equal(json_int(json_get(json_get(j, "n"), "value"), -1), 4242);
	assert_int_equal(json_int(json_get(json_get(j, "u"), "hi"), -1), 6);
	assert_string_equal(json_str(json_get(j, "name")), "elem1");
	json_free(j);
	assert_int_equal(eval_int(bx, src, "((struct elem *)hdr->any)->n.id"), 77);
}

static void without_types(void **st)
{
	struct source *src;
	struct btfx *bx;
	char want[300];

	assert_int_equal(fwd_arena_open(&src, &bx), 0);
	snprintf(want, sizeof(want),
		 "cannot dereference 'hdr->good': struct node is only declared in the BTF of the "
		 "programs using this arena (its layout is unknown); give its definition with "
		 "--types FILE");
	assert_string_equal(eval_err(bx, src, "*hdr->good"), want);
	assert_non_null(strstr(eval_err(bx, src, "hdr->good->value"),
			       "struct node is only declared in the BTF of the programs"));
	assert_non_null(
		strstr(eval_err(bx, src, "hdr->good[1]"), "give its definition with --types FILE"));
	/* pointer arithmetic on it is not guessed as bytes */
	assert_non_null(strstr(eval_err(bx, src, "hdr->good + 1"), "only declared"));
	assert_string_equal(eval_err(bx, src, "*hdr->any"),
			    "cannot dereference: 'hdr->any' is a void *: cast it, e.g. *(struct "
			    "NAME *)hdr->any");
	{
		const char *m = eval_err(bx, src, "*(struct elem *)hdr->any");

		assert_string_equal(m, "unknown type 'struct elem *' (no type source defines it; "
				       "--types FILE adds definitions)");
	}
	btfx__free(bx);
	source__close(src);
}

static void from_header(void **st)
{
	struct types_opts o = topts();
	struct types_info info;
	struct source *src;
	struct btfx *bx;

	assert_int_equal(fwd_arena_open(&src, &bx), 0);
	if (types__add(bx, FWD_HEADER, &o, &info))
		print_error("%s\n", ai_errmsg());
	assert_int_equal(info.kind, TYPES_C);
	assert_int_equal(btfx__nr_btfs(bx), 2);
	assert_true(btfx__btf_is_types(bx, 1));
	assert_int_equal(btfx__nr_notes(bx), 0);
	check_values(bx, src);
	btfx__free(bx);
	source__close(src);
}

static void from_dwarf_and_raw(void **st)
{
	struct types_opts o = topts();
	struct types_info info;
	struct source *src;
	struct btfx *bx;
	struct btf *btf;
	const void *raw;
	uint32_t sz;
	char cmd[1200];
	FILE *f;

	/* a user-space object built with -g, as a scheduler's user part is */
	write_file(in_tmp("user.c"),
		   "#include <linux/types.h>\n#include <stdbool.h>\n#define __arena\n"
		   "#include \"" FWD_HEADER "\"\nint main(void) { return 0; }\n");
	snprintf(cmd, sizeof(cmd), "clang-19 -g -O0 -fno-eliminate-unused-debug-types -o %s %s",
		 in_tmp("user"), in_tmp("user.c"));
	assert_int_equal(run(cmd), 0);
	assert_int_equal(fwd_arena_open(&src, &bx), 0);
	assert_int_equal(types__add(bx, in_tmp("user"), &o, &info), 0);
	assert_int_equal(info.kind, TYPES_DWARF);
	check_values(bx, src);
	btfx__free(bx);
	source__close(src);

	/* the same as raw BTF (what --btf takes, and bpftool writes) */
	assert_int_equal(types__load(FWD_HEADER, &o, &btf, &info), 0);
	raw = btf__raw_data(btf, &sz);
	f = fopen(in_tmp("types.btf"), "w");
	assert_non_null(f);
	assert_int_equal(fwrite(raw, 1, sz, f), sz);
	fclose(f);
	btf__free(btf);
	assert_int_equal(fwd_arena_open(&src, &bx), 0);
	assert_int_equal(types__add(bx, in_tmp("types.btf"), &o, &info), 0);
	assert_int_equal(info.kind, TYPES_RAW_BTF);
	assert_false(info.converted);
	check_values(bx, src);
	btfx__free(bx);
	source__close(src);
}

static void cache_hits_and_misses(void **st)
{
	struct types_opts o = topts();
	struct types_info info;
	struct btf *btf;
	struct stat sb;
	char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	char hdr[700], dir[600];

	/* a cache of its own, so that only its entries are counted */
	snprintf(dir, sizeof(dir), "%s/cache2", tmpdir);
	o.cache_dir = dir;
	write_file(in_tmp("inc.h"), "struct inc { int a; };\n");
	snprintf(hdr, sizeof(hdr), "#include \"inc.h\"\nstruct top { struct inc i; __u64 x; };\n");
	write_file(in_tmp("top.h"), hdr);
	assert_int_equal(types__load(in_tmp("top.h"), &o, &btf, &info), 0);
	assert_true(info.converted);
	assert_false(info.cached);
	btf__free(btf);
	assert_int_equal(count_entries(dir), 1);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);

	/* second open: from the cache, and no tool is run: none is found */
	setenv("PATH", tmpdir, 1);
	assert_int_equal(types__load(in_tmp("top.h"), &o, &btf, &info), 0);
	assert_true(info.cached);
	assert_false(info.converted);
	assert_true(btf__find_by_name_kind(btf, "top", BTF_KIND_STRUCT) > 0);
	btf__free(btf);
	/* a header it includes changed: converting is needed, and clang is
	 * not there, so that is said */
	write_file(in_tmp("inc.h"), "struct inc { int a; long b; };\n");
	assert_int_not_equal(types__load(in_tmp("top.h"), &o, &btf, &info), 0);
	assert_non_null(strstr(ai_errmsg(), "not installed"));
	setenv("PATH", path, 1);
	free(path);
	assert_int_equal(types__load(in_tmp("top.h"), &o, &btf, &info), 0);
	assert_true(info.converted);
	assert_int_equal(
		btf__resolve_size(btf, btf__find_by_name_kind(btf, "inc", BTF_KIND_STRUCT)), 16);
	btf__free(btf);
	/* the header itself changed */
	write_file(in_tmp("top.h"),
		   "#include \"inc.h\"\nstruct top { struct inc i; __u64 x, y; };\n");
	assert_int_equal(types__load(in_tmp("top.h"), &o, &btf, &info), 0);
	assert_true(info.converted);
	assert_int_equal(
		btf__resolve_size(btf, btf__find_by_name_kind(btf, "top", BTF_KIND_STRUCT)), 32);
	btf__free(btf);
	assert_int_equal(types__load(in_tmp("top.h"), &o, &btf, &info), 0);
	assert_true(info.cached);
	btf__free(btf);

	/* every file in it is 0600 and ours */
	{
		DIR *d = opendir(dir);
		struct dirent *de;

		assert_non_null(d);
		while ((de = readdir(d))) {
			char p[1200];

			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			assert_int_equal(lstat(p, &sb), 0);
			assert_true(S_ISREG(sb.st_mode));
			assert_int_equal(sb.st_mode & 0777, 0600);
		}
		closedir(d);
	}
}

static void cache_symlink_not_used(void **st)
{
	struct types_opts o = topts();
	struct types_info info;
	struct btf *btf;
	char link[600];

	mkdir(in_tmp("elsewhere"), 0700);
	snprintf(link, sizeof(link), "%s", in_tmp("cachelink"));
	assert_int_equal(symlink(in_tmp("elsewhere"), link), 0);
	o.cache_dir = link;
	assert_int_equal(types__load(FWD_HEADER, &o, &btf, &info), 0);
	assert_true(info.converted);
	assert_non_null(strstr(info.note, "cache not used"));
	btf__free(btf);
	assert_int_equal(count_entries(in_tmp("elsewhere")), 0);
}

static void clang_error_and_cflags(void **st)
{
	struct types_opts o = topts();
	struct types_info info;
	struct btf *btf;
	const char *msg;

	write_file(in_tmp("bad.h"), "struct ok { int a; };\nstruct bad { undefined_t x; };\nstruct "
				    "worse { also_t y; };\n");
	assert_int_not_equal(types__load(in_tmp("bad.h"), &o, &btf, &info), 0);
	msg = ai_errmsg();
	assert_null(strchr(msg, '\n'));
	assert_non_null(strstr(msg, "bad.h:2:"));
	assert_non_null(strstr(msg, "error: unknown type name 'undefined_t'"));

	write_file(in_tmp("cond.h"),
		   "#ifdef WANT\nstruct wanted { int a; };\n#endif\n#include \"sub/inc2.h\"\n");
	mkdir(in_tmp("incdir"), 0700);
	mkdir(in_tmp("incdir/sub"), 0700);
	write_file(in_tmp("incdir/sub/inc2.h"),
		   "struct from_inc { bool b; __s64 s; };\nint unused SEC(\".x\");\n");
	assert_int_not_equal(types__load(in_tmp("cond.h"), &o, &btf, &info), 0);
	{
		char flags[700];

		snprintf(flags, sizeof(flags), "-DWANT -I %s", in_tmp("incdir"));
		o.cflags = flags;
		assert_int_equal(types__load(in_tmp("cond.h"), &o, &btf, &info), 0);
	}
	assert_true(btf__find_by_name_kind(btf, "wanted", BTF_KIND_STRUCT) > 0);
	assert_true(btf__find_by_name_kind(btf, "from_inc", BTF_KIND_STRUCT) > 0);
	btf__free(btf);
	o.cflags = "-o /etc/passwd";
	assert_int_equal(types__load(in_tmp("cond.h"), &o, &btf, &info), -EINVAL);
	assert_non_null(strstr(ai_errmsg(), "'-o' is not passed to clang"));
	/* not C, not ELF, not BTF */
	write_file(in_tmp("bin.dat"), "ab");
	{
		FILE *f = fopen(in_tmp("bin.dat"), "a");

		fputc(0, f);
		fclose(f);
	}
	o.cflags = NULL;
	assert_int_equal(types__load(in_tmp("bin.dat"), &o, &btf, &info), -EINVAL);
	assert_int_equal(types__load(in_tmp("missing.h"), &o, &btf, &info), -ENOENT);
}

static void conflicts(void **st)
{
	struct types_opts o = topts();
	struct source *src;
	struct btfx *bx;
	const struct btf *b;
	uint32_t id;

	write_file(in_tmp("other.h"), "struct node { __u64 value; __u64 pad[7]; };\n");
	assert_int_equal(fwd_arena_open(&src, &bx), 0);
	assert_int_equal(types__add(bx, FWD_HEADER, &o, NULL), 0);
	assert_int_equal(types__add(bx, in_tmp("other.h"), &o, NULL), 0);
	/* once, naming both sizes and how to choose */
	assert_int_equal(btfx__nr_notes(bx), 1);
	assert_non_null(strstr(btfx__note(bx, 0), "struct node has two layouts"));
	assert_non_null(strstr(btfx__note(bx, 0), "64 bytes in"));
	assert_non_null(strstr(btfx__note(bx, 0), "struct node@2"));
	/* the first definition completes the declaration; @2 picks the other */
	assert_int_equal(eval_int(bx, src, "hdr->good->id"), 1);
	assert_int_equal(eval_int(bx, src, "sizeof(struct node)"), sizeof(struct node));
	assert_int_equal(eval_int(bx, src, "sizeof(struct node@2)"), 64);
	/* other.h's pad[0] is at offset 8, where the header's value is */
	assert_int_equal(offsetof(struct node, value), 8);
	assert_int_equal(eval_int(bx, src, "((struct node@2 *)hdr->good)->pad[0]"), 111);
	assert_int_equal(btfx__find_type(bx, "struct node@0", &b, &id), -ENOENT);
	assert_int_equal(btfx__find_type(bx, "struct node@9", &b, &id), -ENOENT);
	btfx__free(bx);
	source__close(src);
}

/* our ptype /o against GDB's, on the object the header compiles to */
static void layout_like_gdb(void **st)
{
	static const char *const names[] = { "struct node", "struct elem" };
	struct types_opts o = topts();
	struct btf *btf;
	char cmd[1500];

	if (run("command -v gdb >/dev/null 2>&1")) {
		print_message("no gdb: layout not compared\n");
		return;
	}
	write_file(in_tmp("lay.c"),
		   "#include <linux/types.h>\n#include <stdbool.h>\n#define __arena\n"
		   "#include \"" FWD_HEADER "\"\n"
		   "struct holes { char a; long b; int c : 3; int d : 9; char e; short f[3]; void "
		   "(*fn)(int); char (*pa)[8]; struct node *arr[2]; };\n"
		   "union u { char c; long l; struct { int x; } s; };\n");
	snprintf(cmd, sizeof(cmd), "clang-19 -g -O0 -fno-eliminate-unused-debug-types -c -o %s %s",
		 in_tmp("lay.o"), in_tmp("lay.c"));
	assert_int_equal(run(cmd), 0);
	assert_int_equal(types__load(in_tmp("lay.o"), &o, &btf, NULL), 0);
	for (size_t i = 0; i < 4; i++) {
		const char *n = i < 2 ? names[i] : i == 2 ? "struct holes" : "union u";
		struct strbuf sb = { 0 };
		char *gdb = NULL;
		size_t glen = 0;
		FILE *p;
		int id = btf__find_by_name_kind(btf, strchr(n, ' ') + 1,
						i == 3 ? BTF_KIND_UNION : BTF_KIND_STRUCT);

		assert_true(id > 0);
		assert_int_equal(btfq__layout_text(btf, id, &sb), 0);
		strbuf_write(&sb, "", 1);
		snprintf(cmd, sizeof(cmd), "gdb -nx -batch -ex 'ptype /o %s' %s 2>/dev/null", n,
			 in_tmp("lay.o"));
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_true(getdelim(&gdb, &glen, '\0', p) > 0);
		pclose(p);
		if (strcmp(sb.buf, gdb))
			print_error("ours:\n%s\ngdb:\n%s\n", sb.buf, gdb);
		assert_string_equal(sb.buf, gdb);
		free(gdb);
		strbuf_free(&sb);
	}
	btf__free(btf);
}

struct lay_count {
	int members, holes, padding, ends;
	uint64_t hole_bytes;
};

static int count_cb(const struct btfq_layout_item *it, void *ctx)
{
	struct lay_count *c = ctx;

	c->members += it->kind == BTFQ_LAYOUT_MEMBER;
	c->ends += it->kind == BTFQ_LAYOUT_END;
	c->holes += it->kind == BTFQ_LAYOUT_HOLE;
	c->padding += it->kind == BTFQ_LAYOUT_PADDING;
	if (it->kind == BTFQ_LAYOUT_HOLE || it->kind == BTFQ_LAYOUT_PADDING)
		c->hole_bytes += it->size * 8 + it->bit_size;
	return 0;
}

/* the walk's members and gaps add up to the type, from C's own layout */
static void layout_items(void **st)
{
	struct types_opts o = topts();
	struct lay_count c = { 0 };
	struct btf *btf;
	int id;

	assert_int_equal(types__load(FWD_HEADER, &o, &btf, NULL), 0);
	id = btf__find_by_name_kind(btf, "elem", BTF_KIND_STRUCT);
	assert_int_equal(btfq__layout(btf, id, count_cb, &c), 0);
	/* tag, n{next value id flags kind live}, u{raw, anon{lo hi}}, name */
	assert_int_equal(c.members, 1 + 1 + 6 + 1 + 1 + 1 + 2 + 1);
	assert_int_equal(c.ends, 3);
	/* tag (4) then n at 8: a 4-byte hole; name[6] at the end: padding */
	assert_int_equal(offsetof(struct elem, n), 8);
	assert_true(c.holes >= 1);
	assert_int_equal(c.padding >= 1, sizeof(struct elem) > offsetof(struct elem, name) + 6);
	assert_int_equal(btfq__layout(btf, btf__find_by_name_kind(btf, "__u64", BTF_KIND_TYPEDEF),
				      count_cb, &c),
			 -EINVAL);
	btf__free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(without_types),
		cmocka_unit_test(from_header),
		cmocka_unit_test(from_dwarf_and_raw),
		cmocka_unit_test(cache_hits_and_misses),
		cmocka_unit_test(cache_symlink_not_used),
		cmocka_unit_test(clang_error_and_cflags),
		cmocka_unit_test(conflicts),
		cmocka_unit_test(layout_like_gdb),
		cmocka_unit_test(layout_items),
	};
	int rc;

	if (run("command -v clang-19 >/dev/null && command -v pahole >/dev/null")) {
		printf("skip: needs clang-19 and pahole (Debian: clang-19, dwarves)\n");
		return 77;
	}
	if (!mkdtemp(tmpdir))
		return 1;
	snprintf(cache, sizeof(cache), "%s/cache", tmpdir);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (!getenv("KEEP_TMP")) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		run(cmd);
	}
	return rc;
}

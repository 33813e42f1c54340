// SPDX-License-Identifier: GPL-2.0
/* Plumbing shared by the sub-commands: errors, sinks, ARENA and addresses. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "error.h"
#include "printable.h"
#include "btfx.h"
#include "expr.h"
#include "probe.h"
#include "selector.h"
#include "types.h"

/* "no BTF found" waits until we know whether an error follows */
static bool btf_note_pending;
static uint32_t btf_note_map_id;
static int errors_printed;
/* notes about the types (conflicts, the cache), each once, until exit */
static char *type_notes[24];
static int nr_type_notes;

static void type_note(const char *text)
{
	for (int i = 0; i < nr_type_notes; i++)
		if (!strcmp(type_notes[i], text))
			return;
	if (nr_type_notes < (int)(sizeof(type_notes) / sizeof(type_notes[0])))
		type_notes[nr_type_notes] = strdup(text);
	if (type_notes[nr_type_notes])
		nr_type_notes++;
}

/* the first failed write to stdout (EPIPE, a full disk) */
static int stdout_errno;

int cli_output_error(void)
{
	return stdout_errno;
}

static void write_stdout(void *ctx, const char *buf, size_t len)
{
	/* remembered, not printed: main reports it in its one line at exit */
	if (fwrite(buf, 1, len, stdout) != len && !stdout_errno)
		stdout_errno = errno ? errno : EIO;
}

static void write_stderr(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	fwrite(buf, 1, len, stderr);
}

/* Messages quote file names, arena and type names: one line, in its
 * printable form, whatever those hold. */
int cli_error(const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	int n;

	errors_printed++;
	fflush(stdout);
	fputs("arena-inspect: ", stderr);
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n >= 0)
		ai_printable_write(write_stderr, NULL, msg, (size_t)n, 0);
	else
		fputs("(out of memory)", stderr);
	free(msg);
	fputc('\n', stderr);
	return 1;
}

void cli_line(const char *fmt, ...)
{
	va_list ap;
	char *line = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ai_printable_write(write_stdout, NULL, line, (size_t)n, 0);
	write_stdout(NULL, "\n", 1);
	free(line);
}

int cli_lib_error(const char *what)
{
	const char *msg = ai_errmsg();

	if (what && *what)
		return cli_error("%s: %s", what, *msg ? msg : "failed");
	return cli_error("%s", *msg ? msg : "failed");
}

struct sink *cli_sink(const struct cli_opts *o)
{
	struct sink *s;

	if (o->json || o->pretty)
		return sink__new_json(write_stdout, NULL, o->pretty);
	s = sink__new_text(write_stdout, NULL);
	if (s)
		s->more_hint = "--max-elements N";
	return s;
}

static struct probe *app_probe;

/* bpftool -d: libbpf's own words, as it writes them */
static void debug_log(void *ctx, enum ai_log_level level, const char *msg)
{
	fputs(msg, stderr);
}

int cli_probe_open(bool debug)
{
	LIBBPF_OPTS(probe_opts, po, .log = debug ? debug_log : NULL);

	app_probe = probe__open(&po);
	if (!app_probe)
		return cli_lib_error(NULL);
	return 0;
}

struct probe *cli_probe(void)
{
	return app_probe;
}

void cli_probe_close(void)
{
	probe__close(app_probe);
	app_probe = NULL;
}

int cli_open_arena(int argc, char **argv, int *used, struct source **src)
{
	if (source__open_args(argc, argv, app_probe, used, src))
		return cli_lib_error(NULL);
	return 0;
}

int cli_parse_addr(const struct source *src, const char *s, uint64_t *addr)
{
	char *end;
	bool rel = *s == '+';
	unsigned long long v;

	errno = 0;
	v = strtoull(s + rel, &end, 0);
	if (errno || end == s + rel || *end)
		return -EINVAL;
	*addr = rel ? src->info.user_vm_start + v : v;
	return 0;
}

int cli_open_btf(struct source *src, const struct cli_opts *o, struct btfx **bx)
{
	LIBBPF_OPTS(types_opts, to, .cflags = o->types_cflags);

	if (btfx__open(src, o->btf_file, bx))
		return cli_lib_error(NULL); /* the message names the file */
	for (int i = 0; i < o->nr_types; i++) {
		struct types_info info;

		if (types__add(*bx, o->types[i], &to, &info)) {
			btfx__free(*bx);
			*bx = NULL;
			return cli_lib_error("--types"); /* names the file */
		}
		if (info.note[0]) {
			char text[400];

			snprintf(text, sizeof(text), "--types %s: %s", o->types[i], info.note);
			type_note(text);
		}
	}
	for (int i = 0; i < btfx__nr_notes(*bx); i++)
		type_note(btfx__note(*bx, i));
	if (btfx__nr_btfs(*bx) == 0) {
		btf_note_pending = true;
		btf_note_map_id = src->info.map_id;
	}
	return 0;
}

int cli_expr_error(const char *what, const char *text, int col, const struct btfx *bx, int err)
{
	size_t len = strlen(text);
	const char *msg = ai_errmsg();

	if (col < 0 || (size_t)col > len) {
		/* evaluation: the message quotes the part that failed */
		if (what)
			return cli_error("%s'%s': %s%s", what, text, msg,
					 cli_btf_hint(bx, err, msg));
		return cli_error("%s%s", msg, cli_btf_hint(bx, err, msg));
	}
	/*
	 * A parse error: the whole of it in one line, the expression with '_'
	 * where the column is, like a cursor ("... at column 6: 1 + (2_"),
	 * at most 60 characters either side.
	 */
	{
		int before = col > 60 ? 60 : col;
		int after = len - col > 60 ? 60 : (int)(len - col);

		cli_error("%s%s: %s%.*s_%.*s%s", what ? what : "", msg, before < col ? "..." : "",
			  before, text + col - before, after, text + col,
			  (size_t)(col + after) < len ? "..." : "");
	}
	/* on a terminal, the compiler-like caret too, as an extra */
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "  %s\n  %*s^\n", text, col, "");
	return 1;
}

void cli_flush_notes(void)
{
	for (int i = 0; i < nr_type_notes; i++) {
		fflush(stdout);
		fputs("arena-inspect: note: ", stderr);
		ai_printable_write(write_stderr, NULL, type_notes[i], strlen(type_notes[i]), 0);
		fputc('\n', stderr);
		free(type_notes[i]);
	}
	nr_type_notes = 0;
	if (!btf_note_pending)
		return;
	btf_note_pending = false;
	if (errors_printed)
		return; /* the error said what mattered, in its one line */
	fflush(stdout);
	fprintf(stderr,
		"arena-inspect: note: no BTF found for arena %u (no program using it has BTF); "
		"use --btf FILE for types, hex views still work\n",
		btf_note_map_id);
}

const char *cli_btf_hint(const struct btfx *bx, int err, const char *msg)
{
	static char hint[160];

	/* an unknown name or type, and nothing to know it from */
	if (err != -ENOENT || !bx || btfx__nr_btfs(bx) > 0 || strstr(msg, "no BTF"))
		return "";
	snprintf(hint, sizeof(hint),
		 " (no BTF found for arena %u: no program using it has BTF; use --btf FILE)",
		 btf_note_map_id);
	return hint;
}

char *cli_join_words(int argc, char **argv)
{
	size_t len = 0;
	char *text;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	text = calloc(1, len + 1);
	if (!text) {
		cli_error("out of memory");
		return NULL;
	}
	for (int i = 0; i < argc; i++) {
		strcat(text, argv[i]);
		if (i + 1 < argc)
			strcat(text, " ");
	}
	return text;
}

int cli_eval_words(int argc, char **argv, struct source *src, const struct cli_opts *o,
		   struct btfx **bx, struct value *v, char **text)
{
	int col = -1, err;

	*text = cli_join_words(argc, argv);
	if (!*text)
		return 1;
	if (cli_open_btf(src, o, bx))
		return 1;
	err = expr__eval_str(*text, *bx, src, v, &col);
	if (err)
		return cli_expr_error(NULL, *text, col, *bx, err);
	return 0;
}

void fmt_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	double v = bytes;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (v == (uint64_t)v)
		snprintf(buf, len, "%llu %s", (unsigned long long)v, unit[u]);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
}

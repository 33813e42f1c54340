// SPDX-License-Identifier: GPL-2.0
/* Plumbing shared by the sub-commands: errors, sinks, ARENA and addresses. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "error.h"
#include "printable.h"
#include "btfx.h"
#include "live.h"

static void write_stdout(void *ctx, const char *buf, size_t len)
{
	if (fwrite(buf, 1, len, stdout) != len) {
		/* EPIPE or a full disk: say so once and stop, no half-silent output */
		static int told;

		if (!told++)
			fprintf(stderr, "arena-inspect: cannot write output: %s\n", strerror(errno));
	}
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

int cli_open_arena(int argc, char **argv, int *used, struct source **src)
{
	if (source__open_args(argc, argv, used, src))
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
	if (btfx__open(src, o->btf_file, bx))
		return cli_lib_error(NULL); /* the message names the file */
	if (btfx__nr_btfs(*bx) == 0)
		fprintf(stderr, "arena-inspect: note: no BTF found for arena %u (no program using it has BTF); "
				"use --btf FILE for types, hex views still work\n",
			src->info.map_id);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/* Plumbing shared by the sub-commands: errors, sinks, ARENA and addresses. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "error.h"
#include "btfx.h"
#include "live.h"

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("arena-inspect: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_lib_error(const char *what)
{
	const char *msg = ai_errmsg();

	if (what && *what)
		return cli_error("%s: %s", what, *msg ? msg : "failed");
	return cli_error("%s", *msg ? msg : "failed");
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

struct sink *cli_sink(const struct cli_opts *o)
{
	if (o->json || o->pretty)
		return sink__new_json(write_stdout, NULL, o->pretty);
	return sink__new_text(write_stdout, NULL);
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

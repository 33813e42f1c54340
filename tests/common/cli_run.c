// SPDX-License-Identifier: GPL-2.0
/* cli_run: see cli_run.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "cli_run.h"
#include "fixture.h"

char *cli_vrun(int want, unsigned flags, const char *fmt, va_list ap)
{
	char cmd[4096], *out = NULL, *err = NULL;
	int st = -1;
	bool bad;

	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
	bad = want == CLI_RUN_ANY01 ? st != 0 && st != 1 : st != want;
	if (bad || ((flags & CLI_RUN_QUIET) && err && *err))
		fail_msg("'%s': exit %d (want %d), stderr '%s'", cmd, st, want, err ? err : "");
	free(err);
	return out;
}

char *cli_run(int want, unsigned flags, const char *fmt, ...)
{
	va_list ap;
	char *out;

	va_start(ap, fmt);
	out = cli_vrun(want, flags, fmt, ap);
	va_end(ap);
	return out;
}

int cli_count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

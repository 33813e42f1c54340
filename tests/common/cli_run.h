/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli_run: run a command line in an integration test and assert on how it
 * ended (cmocka fail_msg naming the command, its status and its stderr).
 * One place for what each it_*.c used to write as its own run_ok.
 */
#ifndef TESTS_CLI_RUN_H
#define TESTS_CLI_RUN_H

#include <stdarg.h>

/* Exit status wanted: a number, or CLI_RUN_ANY01 for 0 or 1 (churn). */
#define CLI_RUN_ANY01 (-1)

enum cli_run_flags {
	CLI_RUN_QUIET = 1, /* stderr must be empty */
};

/* Run the formatted shell command line; it must exit with want (and, with
 * CLI_RUN_QUIET, write nothing on stderr). Returns its stdout (malloc'ed). */
char *cli_run(int want, unsigned flags, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
char *cli_vrun(int want, unsigned flags, const char *fmt, va_list ap);

/* Number of '\n' in s (NULL: 0). */
int cli_count_lines(const char *s);

#endif

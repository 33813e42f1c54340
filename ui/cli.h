/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CLI plumbing shared by the sub-commands (one file per command, cmd_*.c,
 * each exporting one `const struct cli_cmd cmd_NAME`). Errors go through
 * cli_error(), which prints one line on stderr and returns exit status 1.
 */
#ifndef ARENA_INSPECT_CLI_H
#define ARENA_INSPECT_CLI_H

#include <stdbool.h>
#include "sink.h"
#include "source.h"
#include "btfx.h"

struct cli_opts {
	bool json;
	bool pretty;
	bool color;
	const char *btf_file;	/* --btf FILE */
	unsigned interval_ms;	/* --interval MS (watch, TUI) */
	long count;		/* --count N (watch), -1: forever */
	const char *output;	/* -o FILE */
	const char *log;	/* --log FILE */
	int max_elements;	/* --max-elements N: array elements shown, 0: default */
	const char *exec[8];	/* -e CMD: TUI commands to run at start */
	int nr_exec;
};

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv, const struct cli_opts *o);
	const char *usage;	/* "pages ARENA [-j|-p]" */
	const char *help;	/* one line */
};

/* "arena-inspect: <msg>" on stderr; returns 1 (the exit status). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line on stdout (the newline is added), in its printable form: for
 * lines that quote names or values instead of going through a sink. */
void cli_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The library's last message, prefixed by what we were doing. */
int cli_lib_error(const char *what);

/* Array elements print shows by default (--max-elements N) */
#define CLI_MAX_ELEMENTS 256

/* A sink writing to stdout, text or JSON per the options. A cut array
 * says in text how to see it all ("--max-elements N"). */
struct sink *cli_sink(const struct cli_opts *o);

/* Open ARENA from argv (id N | pinned PATH | name NAME | FILE). On error
 * prints the message and returns 1; *used is the number of words taken. */
int cli_open_arena(int argc, char **argv, int *used, struct source **src);

/* Open the BTF for src (honours --btf). Prints a note on stderr when no BTF
 * is found; that is not an error. */
int cli_open_btf(struct source *src, const struct cli_opts *o, struct btfx **bx);

/* Parse an address (0x..., decimal) or +OFF, an offset from the arena start. */
int cli_parse_addr(const struct source *src, const char *s, uint64_t *addr);

#endif

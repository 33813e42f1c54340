// SPDX-License-Identifier: GPL-2.0
/*
 * arena-inspect: entry point. Common options are parsed here, anywhere on the
 * line; the first remaining word picks a sub-command from the table, and
 * anything else is an ARENA for the TUI.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "live.h"
#include "tui.h"

extern const struct cli_cmd cmd_list, cmd_pages, cmd_hex, cmd_print, cmd_types, cmd_watch,
	cmd_snapshot, cmd_diff;

static const struct cli_cmd *const commands[] = {
	&cmd_list, &cmd_pages, &cmd_hex, &cmd_print, &cmd_types,
	&cmd_watch, &cmd_snapshot, &cmd_diff,
};
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: arena-inspect [OPTIONS] [ARENA]          TUI (the chooser without ARENA)\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "       arena-inspect %-40s %s\n", commands[i]->usage, commands[i]->help);
	fprintf(f, "\nARENA := %s   (FILE = a snapshot)\n", selector__usage);
	fprintf(f, "Options:\n"
		   "  -j, --json          JSON output\n"
		   "  -p, --pretty        pretty JSON output\n"
		   "      --btf FILE      types from FILE (ELF object or raw BTF)\n"
		   "      --no-color      no colours (also NO_COLOR)\n"
		   "      --interval MS   refresh / sample interval (default 1000)\n"
		   "      --count N       watch: stop after N samples\n"
		   "  -o, --output FILE   snapshot: file to write\n"
		   "      --log FILE      watch: append every change as JSON lines\n"
		   "      --max-elements N  print, diff: array elements shown/compared (default 256;\n"
		   "                      the TUI: 64 a page)\n"
		   "  -e, --exec CMD      TUI: run a command at start (-e 'print *hdr'); repeatable\n"
		   "  -h, --help          this help\n"
		   "      --version       version\n"
		   "Needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN) and Linux >= 6.9 for live arenas;\n"
		   "snapshot files open without either.\n");
}

static int parse_num(const char *opt, const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	if (errno || *end || end == s || *v < min || *v > max)
		return cli_error("%s: '%s' is not a number in %ld..%ld", opt, s, min, max);
	return 0;
}

/* Output that did not reach its file is a failure with a message: a full
 * disk must not look like success. A reader that went away (EPIPE, as in
 * `| head`) only sets the exit status. */
static int finish_output(int rc)
{
	int err = fflush(stdout) ? errno : 0;

	if (!ferror(stdout) && !err)
		return rc;
	if (err != EPIPE)
		cli_error("cannot write the output: %s", err ? strerror(err) : "write error");
	return 1;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
	return finish_output(run(argc, argv));
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "btf", required_argument, NULL, 'B' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "interval", required_argument, NULL, 'I' },
		{ "count", required_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "log", required_argument, NULL, 'L' },
		{ "max-elements", required_argument, NULL, 'M' },
		{ "exec", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct cli_opts o = { .color = true, .interval_ms = 1000, .count = -1 };
	struct source *src = NULL;
	int c, used;
	long v;

	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		o.color = false;
	/* '+' would stop at the first word; we allow options anywhere */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jpo:e:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = true; break;
		case 'p': o.pretty = true; break;
		case 'B': o.btf_file = optarg; break;
		case 'C': o.color = false; break;
		case 'o': o.output = optarg; break;
		case 'L': o.log = optarg; break;
		case 'e':
			if (o.nr_exec == (int)(sizeof(o.exec) / sizeof(o.exec[0])))
				return cli_error("-e: at most %zu commands",
						 sizeof(o.exec) / sizeof(o.exec[0]));
			o.exec[o.nr_exec++] = optarg;
			break;
		case 'I':
			if (parse_num("--interval", optarg, 10, 3600000, &v))
				return 1;
			o.interval_ms = v;
			break;
		case 'M':
			if (parse_num("--max-elements", optarg, 1, 1L << 24, &v))
				return 1;
			o.max_elements = v;
			break;
		case 'N':
			if (parse_num("--count", optarg, 1, 1L << 40, &v))
				return 1;
			o.count = v;
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("arena-inspect %s\n", AI_VERSION); return 0;
		case ':':
			return cli_error("%s needs an argument (see arena-inspect --help)",
					 argv[optind - 1]);
		default:
			/* one line of our own instead of getopt's */
			if (optopt && optopt != '?')
				return cli_error("unknown option '-%c' (see arena-inspect --help; put -- before an argument that starts with '-')",
						 optopt);
			return cli_error("unknown option '%s' (see arena-inspect --help; put -- before an argument that starts with '-')",
					 argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;

	if (argc > 0) {
		for (size_t i = 0; i < NR_COMMANDS; i++)
			if (!strcmp(argv[0], commands[i]->name))
				return commands[i]->run(argc - 1, argv + 1, &o);
		if (!strcmp(argv[0], "help")) {
			usage(stdout);
			return 0;
		}
		if (cli_open_arena(argc, argv, &used, &src))
			return 1;
		if (used < argc) {
			source__close(src);
			return cli_error("unexpected argument '%s' (commands: list, pages, hex, print, types, watch, snapshot, diff)",
					 argv[used]);
		}
	}
	return tui_run(src, &o);
}

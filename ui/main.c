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
#include "selector.h"
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
		   "      --types FILE    more types: a C header or source (clang-19 + pahole), an ELF\n"
		   "                      with DWARF (pahole), an ELF with .BTF or raw BTF; repeatable;\n"
		   "                      they complete the programs' forward declarations by name\n"
		   "      --types-cflags '-I DIR -D NAME'  for --types headers\n"
		   "      --layout NAME   types: offsets, sizes and holes of NAME (ptype /o)\n"
		   "      --no-color      no colours (also NO_COLOR)\n"
		   "  -d, --debug         libbpf's messages and the verifier log on stderr\n"
		   "      --interval MS   refresh / sample interval (default 1000)\n"
		   "      --count N       watch: stop after N samples\n"
		   "  -o, --output FILE   snapshot: file to write\n"
		   "      --force         snapshot: replace FILE even if it is a symlink (the link, not its target)\n"
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

/* The exit status for trouble: the command's (diff: 2), else 1. */
static int trouble = 1;

static int trouble_of(const struct cli_cmd *cmd)
{
	return cmd->trouble ? cmd->trouble : 1;
}

/* Output that did not reach its file is a failure with a message: a full
 * disk must not look like success. A reader that went away (EPIPE, as in
 * `| head`) only sets the exit status. */
static int finish_output(int rc)
{
	int err = fflush(stdout) ? errno : 0;

	if (!ferror(stdout) && !err)
		return rc;
	if (!err)
		err = cli_output_error(); /* a write that failed before the flush */
	if (err != EPIPE)
		cli_error("cannot write the output: %s", err ? strerror(err) : "write error");
	return trouble;
}

#define OPTSTRING ":jpdo:e:h"

/* A bad option was reported: the exit status is the command's trouble
 * status, so `diff --frob A B` exits 2. getopt permutes argv as it goes,
 * so finish the scan to find the command word. */
static int bad_usage(int argc, char **argv, const struct option *longopts)
{
	while (getopt_long(argc, argv, OPTSTRING, longopts, NULL) != -1)
		;
	for (size_t i = 0; optind < argc && i < NR_COMMANDS; i++)
		if (!strcmp(argv[optind], commands[i]->name))
			return trouble_of(commands[i]);
	return 1;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
	int rc = finish_output(run(argc, argv));

	cli_flush_notes();
	cli_probe_close();
	return rc;
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "btf", required_argument, NULL, 'B' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "debug", no_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'I' },
		{ "count", required_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "log", required_argument, NULL, 'L' },
		{ "max-elements", required_argument, NULL, 'M' },
		{ "exec", required_argument, NULL, 'e' },
		{ "types", required_argument, NULL, 'T' },
		{ "types-cflags", required_argument, NULL, 'K' },
		{ "layout", required_argument, NULL, 'Y' },
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
	while ((c = getopt_long(argc, argv, OPTSTRING, longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = true; break;
		case 'p': o.pretty = true; break;
		case 'B': o.btf_file = optarg; break;
		case 'C': o.color = false; break;
		case 'd': o.debug = true; break;
		case 'o': o.output = optarg; break;
		case 'F': o.force = true; break;
		case 'L': o.log = optarg; break;
		case 'T':
			if (o.nr_types == (int)(sizeof(o.types) / sizeof(o.types[0]))) {
				cli_error("--types: at most %zu files", sizeof(o.types) / sizeof(o.types[0]));
				return bad_usage(argc, argv, longopts);
			}
			o.types[o.nr_types++] = optarg;
			break;
		case 'K': o.types_cflags = optarg; break;
		case 'Y': o.layout = optarg; break;
		case 'e':
			if (o.nr_exec == (int)(sizeof(o.exec) / sizeof(o.exec[0]))) {
				cli_error("-e: at most %zu commands", sizeof(o.exec) / sizeof(o.exec[0]));
				return bad_usage(argc, argv, longopts);
			}
			o.exec[o.nr_exec++] = optarg;
			break;
		case 'I':
			if (parse_num("--interval", optarg, 10, 3600000, &v))
				return bad_usage(argc, argv, longopts);
			o.interval_ms = v;
			break;
		case 'M':
			if (parse_num("--max-elements", optarg, 1, 1L << 24, &v))
				return bad_usage(argc, argv, longopts);
			o.max_elements = v;
			break;
		case 'N':
			if (parse_num("--count", optarg, 1, 1L << 40, &v))
				return bad_usage(argc, argv, longopts);
			o.count = v;
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("arena-inspect %s\n", AI_VERSION); return 0;
		case ':':
			cli_error("%s needs an argument (see arena-inspect --help)", argv[optind - 1]);
			return bad_usage(argc, argv, longopts);
		default:
			/* one line of our own instead of getopt's */
			if (optopt && optopt != '?')
				cli_error("unknown option '-%c' (see arena-inspect --help; put -- before an argument that starts with '-')",
					  optopt);
			else
				cli_error("unknown option '%s' (see arena-inspect --help; put -- before an argument that starts with '-')",
					  argv[optind - 1]);
			return bad_usage(argc, argv, longopts);
		}
	}
	argc -= optind;
	argv += optind;
	if (cli_probe_open(o.debug))
		return 1;

	if (argc > 0) {
		for (size_t i = 0; i < NR_COMMANDS; i++)
			if (!strcmp(argv[0], commands[i]->name)) {
				trouble = trouble_of(commands[i]);
				return commands[i]->run(argc - 1, argv + 1, &o);
			}
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

// SPDX-License-Identifier: GPL-2.0
/*
 * arena-inspect: entry point. It owns the option table and the command
 * table. Options may come anywhere on the line; the first remaining word
 * picks a sub-command (anything else is an ARENA for the TUI), and an option
 * that the command does not declare in its struct cli_cmd is refused. The
 * usage text, each command's --help and the list of commands in errors are
 * generated from the two tables.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "format.h"
#include "selector.h"
#include "suggest.h"
#include "tui.h"

extern const struct cli_cmd cmd_list, cmd_pages, cmd_hex, cmd_print, cmd_types, cmd_walk, cmd_watch,
	cmd_snapshot, cmd_diff, cmd_check, cmd_refs, cmd_heap, cmd_serve;

static const struct cli_cmd *const commands[] = {
	&cmd_list,     &cmd_pages, &cmd_hex,   &cmd_print, &cmd_types, &cmd_walk,  &cmd_watch,
	&cmd_snapshot, &cmd_diff,  &cmd_check, &cmd_refs,  &cmd_heap,  &cmd_serve,
};
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The TUI, when no word names a command: an ARENA, or the chooser. */
static const struct cli_cmd tui = {
	.args = "[ARENA]",
	.help = "TUI (the chooser without ARENA)",
	.opts = CLI_OPTS_TYPES | CLI_O(INTERVAL) | CLI_O(MAX_ELEMENTS) | CLI_O(EXEC) |
		CLI_O(NO_MOUSE),
};

struct cli_option {
	const char *name;     /* --name */
	char letter;	      /* -l, 0: none */
	const char *arg;      /* what its argument is ("FILE"), NULL: no argument */
	const char *synopsis; /* what usage lines show, NULL: nothing */
	const char *help;
};

static const struct cli_option options[NR_CLI_OPTS] = {
	[CLI_OPT_JSON] = { "json", 'j', NULL, "[-j|-p]", "JSON output" },
	[CLI_OPT_PRETTY] = { "pretty", 'p', NULL, NULL, "pretty JSON output" },
	[CLI_OPT_BTF] = { "btf", 0, "FILE", NULL, "types from FILE (ELF object or raw BTF)" },
	[CLI_OPT_NO_COLOR] = { "no-color", 0, NULL, NULL,
			       "no colours (also NO_COLOR; --color=never)" },
	[CLI_OPT_COLOR] = { "color", 0, "WHEN", NULL,
			    "auto (default: when stdout is a terminal), always or never" },
	[CLI_OPT_DEBUG] = { "debug", 'd', NULL, NULL,
			    "libbpf's messages and the verifier log on stderr" },
	[CLI_OPT_INTERVAL] = { "interval", 0, "MS", "[--interval MS]",
			       "refresh / sample interval (default 1000)" },
	[CLI_OPT_COUNT] = { "count", 0, "N", "[--count N]", "stop after N samples" },
	/* required where it is taken: that command's args show it */
	[CLI_OPT_OUTPUT] = { "output", 'o', "FILE", NULL, "file to write" },
	[CLI_OPT_FORCE] = { "force", 0, NULL, "[--force]",
			    "replace FILE even if it is a symlink (the link, not its target)" },
	[CLI_OPT_LOG] = { "log", 0, "FILE", "[--log FILE]", "append every change as JSON lines" },
	[CLI_OPT_MAX_ELEMENTS] = { "max-elements", 0, "N", "[--max-elements N]",
				   "array elements shown/compared (default 256; the TUI: 64 a "
				   "page)" },
	[CLI_OPT_FORMAT] = { "format", 0, "F", "[--format x|d|u|o|t|c|a|s|z]",
			     "every scalar as GDB's print/F: hex, signed, unsigned, octal, binary, "
			     "char, address, string, zero-padded hex" },
	[CLI_OPT_TYPES] = { "types", 0, "FILE", "[--types FILE]...",
			    "more types (repeatable): a C header/source, an ELF with DWARF or "
			    ".BTF, raw BTF" },
	[CLI_OPT_TYPES_CFLAGS] = { "types-cflags", 0, "FLAGS", "[--types-cflags FLAGS]",
				   "-I/-D/-U/-include... for --types headers" },
	[CLI_OPT_LAYOUT] = { "layout", 0, "NAME", "[--layout NAME]",
			     "offsets, sizes and holes of type NAME (as GDB's ptype /o)" },
	[CLI_OPT_NEXT] = { "next", 0, "MEMBER", "[--next MEMBER]",
			   "the link member, a path (default next)" },
	[CLI_OPT_CONTAINER] = { "container", 0, "TYPE.MEMBER", "[--container TYPE.MEMBER]",
				"nodes are MEMBER inside TYPE (intrusive lists); each value is the "
				"TYPE" },
	[CLI_OPT_MAX] = { "max", 0, "N", "[--max N]", "nodes at most (default 100000)" },
	[CLI_OPT_EXEC] = { "exec", 'e', "CMD", "[-e CMD]...",
			   "run a command at start (-e 'print *hdr'); repeatable" },
	[CLI_OPT_NO_MOUSE] = { "no-mouse", 0, NULL, "[--no-mouse]",
			       "leave the mouse to the terminal (also :set mouse off)" },
	[CLI_OPT_SIZE] = { "size", 0, "N", "[--size N]",
			   "the object's size in bytes (default: its type's, else 1)" },
	[CLI_OPT_PAGE] = { "page", 0, NULL, "[--page]", "the object is ADDR's whole page" },
	[CLI_OPT_CHECK] = { "check", 0, NULL, "[--check]",
			    "also the health findings and unreachable pages B has and A has not "
			    "(new), and the other way round (resolved)" },
	[CLI_OPT_ROOT] = { "root", 0, "EXPR", "[--root EXPR]...",
			   "one more root for the typed walk (an object or a pointer)" },
	[CLI_OPT_AS] = { "as", 0, "TYPE", "[--as TYPE]",
			 "show the allocation as TYPE (default: its type when known)" },
	[CLI_OPT_LISTEN] = { "listen", 0, "ADDR:PORT", "[--listen ADDR:PORT]",
			     "serve on TCP (ADDR empty: 127.0.0.1; no authentication!)" },
	[CLI_OPT_ALL] = { "all", 0, NULL, NULL,
			  "every arena on this machine, one file each in -o DIR" },
	[CLI_OPT_HELP] = { "help", 'h', NULL, NULL, "this help" },
	[CLI_OPT_VERSION] = { "version", 0, NULL, NULL, "version" },
};

static unsigned opts_of(const struct cli_cmd *cmd)
{
	return cmd->opts | CLI_OPTS_COMMON;
}

/* "watch ARENA EXPR... [-j|-p] [--interval MS] ...": the command's words,
 * then what its options show */
static const char *synopsis(const struct cli_cmd *cmd, char *buf, size_t size)
{
	size_t off = snprintf(buf, size, "%s%s%s", cmd->name ? cmd->name : "",
			      cmd->name && *cmd->args ? " " : "", cmd->args);

	for (int i = 0; i < NR_CLI_OPTS && off < size; i++)
		if ((opts_of(cmd) & 1u << i) && options[i].synopsis)
			off += snprintf(buf + off, size - off, " %s", options[i].synopsis);
	return buf;
}

/* "  -o, --output FILE      file to write" plus what follows */
static void option_line(FILE *f, int i, const char *more)
{
	const struct cli_option *op = &options[i];
	char left[40];

	snprintf(left, sizeof(left), "%c%c%c --%s%s%s", op->letter ? '-' : ' ',
		 op->letter ? op->letter : ' ', op->letter ? ',' : ' ', op->name,
		 op->arg ? " " : "", op->arg ? op->arg : "");
	fprintf(f, "  %-22s %s%s\n", left, op->help, more);
}

/* " (watch, TUI)": who takes option i, for the usage text */
static const char *takers(int i, char *buf, size_t size)
{
	size_t off = 0, n = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < NR_COMMANDS; k++)
		n += !!(opts_of(commands[k]) & 1u << i);
	if (n == NR_COMMANDS && !(opts_of(&tui) & 1u << i))
		return " (every command)";
	for (size_t k = 0; k < NR_COMMANDS && off < size; k++)
		if (opts_of(commands[k]) & 1u << i)
			off += snprintf(buf + off, size - off, "%s%s", off ? ", " : " (",
					commands[k]->name);
	if (opts_of(&tui) & 1u << i && off < size)
		off += snprintf(buf + off, size - off, "%s", off ? ", TUI" : " (TUI");
	if (off && off < size)
		snprintf(buf + off, size - off, ")");
	return buf;
}

static void usage(FILE *f)
{
	char syn[256], who[256];

	for (size_t i = 0; i <= NR_COMMANDS; i++) {
		const struct cli_cmd *cmd = i ? commands[i - 1] : &tui;

		synopsis(cmd, syn, sizeof(syn));
		fprintf(f, "%s arena-inspect ", i ? "      " : "Usage:");
		if (strlen(syn) > 40)
			fprintf(f, "%s\n       %-54s %s\n", syn, "", cmd->help);
		else
			fprintf(f, "%-40s %s\n", syn, cmd->help);
	}
	fprintf(f, "\nARENA := %s   (FILE = a snapshot)\n", selector__usage);
	fprintf(f, "Options (arena-inspect COMMAND --help: the ones COMMAND takes):\n");
	for (int i = 0; i < NR_CLI_OPTS; i++)
		option_line(f, i, CLI_OPTS_COMMON & 1u << i ? "" : takers(i, who, sizeof(who)));
	fprintf(f, "Needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN) and Linux >= 6.9 for live "
		   "arenas;\n"
		   "snapshot files open without either.\n");
}

/* arena-inspect CMD --help: its usage line and the options it takes */
static void command_help(FILE *f, const struct cli_cmd *cmd)
{
	char syn[256];

	fprintf(f, "Usage: arena-inspect %s\n%s\n", synopsis(cmd, syn, sizeof(syn)), cmd->help);
	if (*cmd->args)
		fprintf(f, "\nARENA := %s   (FILE = a snapshot)\n", selector__usage);
	fprintf(f, "Options:\n");
	for (int i = 0; i < NR_CLI_OPTS; i++)
		if (opts_of(cmd) & 1u << i)
			option_line(f, i, "");
}

/* "list, pages, ...": every command, for the error that wants one */
static const char *command_names(void)
{
	static char buf[256];
	size_t off = 0;

	for (size_t i = 0; i < NR_COMMANDS && off < sizeof(buf); i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? ", " : "",
				commands[i]->name);
	return buf;
}

static const struct cli_cmd *find_command(const char *word)
{
	for (size_t i = 0; word && i < NR_COMMANDS; i++)
		if (!strcmp(word, commands[i]->name))
			return commands[i];
	return NULL;
}
/* "pagess" is a typo of a command, not a snapshot file to open in the
 * TUI: one error line with the suggestion. A word that is a file, or close
 * to no command, is left to the selector (which suggests its own words). */
static bool unknown_command(const char *word)
{
	struct suggest sg;
	struct stat st;
	char hint[96];

	if (strchr(word, '/') || !stat(word, &st))
		return false;
	suggest__init(&sg, word);
	for (size_t i = 0; i < NR_COMMANDS; i++)
		suggest__offer(&sg, commands[i]->name);
	suggest__offer(&sg, "help");
	if (!suggest__best(&sg))
		return false;
	cli_error("unknown command '%s'%s; commands: %s", word,
		  suggest__hint(&sg, hint, sizeof(hint)), command_names());
	return true;
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
	int err;

	cli_color_end();
	err = fflush(stdout) ? errno : 0;

	if (!ferror(stdout) && !err)
		return rc;
	if (!err)
		err = cli_output_error(); /* a write that failed before the flush */
	if (err != EPIPE)
		cli_error("cannot write the output: %s", err ? strerror(err) : "write error");
	return trouble;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
	int rc = finish_output(run(argc, argv));

	cli_flush_notes();
	cli_probe_close();
	return rc;
}

/* getopt_long's tables, made from options[]: a long option returns
 * LONG_ID + its id, a short one its letter */
#define LONG_ID 256
static struct option longopts[NR_CLI_OPTS + 1];
static char optstring[3 * NR_CLI_OPTS + 2];

static void getopt_tables(void)
{
	size_t n = 0;

	optstring[n++] = ':'; /* a missing argument returns ':' */
	for (int i = 0; i < NR_CLI_OPTS; i++) {
		longopts[i] = (struct option){ options[i].name,
					       options[i].arg ? required_argument : no_argument,
					       NULL, LONG_ID + i };
		if (options[i].letter) {
			optstring[n++] = options[i].letter;
			if (options[i].arg)
				optstring[n++] = ':';
		}
	}
	optstring[n] = '\0';
}

static int opt_id(int c)
{
	if (c >= LONG_ID && c < LONG_ID + NR_CLI_OPTS)
		return c - LONG_ID;
	for (int i = 0; c != '?' && c != ':' && i < NR_CLI_OPTS; i++)
		if (options[i].letter == c)
			return i;
	return -1;
}

/* Option id (taken by the command) into o; its argument checked. */
static int set_option(int id, const char *arg, struct cli_opts *o)
{
	long v;

	switch (id) {
	case CLI_OPT_JSON: o->json = true; break;
	case CLI_OPT_PRETTY: o->pretty = true; break;
	case CLI_OPT_BTF: o->btf_file = arg; break;
	case CLI_OPT_NO_COLOR: o->color = false; break;
	case CLI_OPT_COLOR:
		/* given on the line: it wins over NO_COLOR (no-color.org) */
		if (!strcmp(arg, "always") || !strcmp(arg, "auto") || !strcmp(arg, "never")) {
			o->color = strcmp(arg, "never") != 0;
			o->color_always = !strcmp(arg, "always");
			break;
		}
		return cli_error("--color: '%s' is not auto, always or never", arg);
	case CLI_OPT_NO_MOUSE: o->no_mouse = true; break;
	case CLI_OPT_DEBUG: o->debug = true; break;
	case CLI_OPT_OUTPUT: o->output = arg; break;
	case CLI_OPT_FORCE: o->force = true; break;
	case CLI_OPT_LOG: o->log = arg; break;
	case CLI_OPT_EXEC:
		if (o->nr_exec == (int)(sizeof(o->exec) / sizeof(o->exec[0])))
			return cli_error("-e: at most %zu commands",
					 sizeof(o->exec) / sizeof(o->exec[0]));
		o->exec[o->nr_exec++] = arg;
		break;
	case CLI_OPT_INTERVAL:
		if (parse_num("--interval", arg, 10, 3600000, &v))
			return 1;
		o->interval_ms = v;
		break;
	case CLI_OPT_MAX_ELEMENTS:
		if (parse_num("--max-elements", arg, 1, 1L << 24, &v))
			return 1;
		o->max_elements = v;
		break;
	case CLI_OPT_FORMAT:
		if (strlen(arg) != 1 || !fmt__format_ok(arg[0]))
			return cli_error(
				"--format: '%s' is not one of x d u o t c a s z (GDB's print "
				"formats)",
				arg);
		o->format = arg[0];
		break;
	case CLI_OPT_COUNT:
		if (parse_num("--count", arg, 1, 1L << 40, &v))
			return 1;
		o->count = v;
		break;
	case CLI_OPT_TYPES:
		if (o->nr_types == (int)(sizeof(o->types) / sizeof(o->types[0])))
			return cli_error("--types: at most %zu files",
					 sizeof(o->types) / sizeof(o->types[0]));
		o->types[o->nr_types++] = arg;
		break;
	case CLI_OPT_ROOT:
		if (o->nr_roots == (int)(sizeof(o->roots) / sizeof(o->roots[0])))
			return cli_error("--root: at most %zu roots",
					 sizeof(o->roots) / sizeof(o->roots[0]));
		o->roots[o->nr_roots++] = arg;
		break;
	case CLI_OPT_TYPES_CFLAGS: o->types_cflags = arg; break;
	case CLI_OPT_LAYOUT: o->layout = arg; break;
	case CLI_OPT_NEXT: o->walk_next = arg; break;
	case CLI_OPT_CONTAINER: o->walk_container = arg; break;
	case CLI_OPT_MAX:
		if (parse_num("--max", arg, 1, 1L << 40, &v))
			return 1;
		o->walk_max = v;
		break;
	case CLI_OPT_SIZE:
		if (parse_num("--size", arg, 1, 1L << 32, &v))
			return 1;
		o->refs_size = v;
		break;
	case CLI_OPT_PAGE: o->refs_page = true; break;
	case CLI_OPT_AS: o->heap_as = arg; break;
	case CLI_OPT_LISTEN: o->listen = arg; break;
	case CLI_OPT_ALL: o->all = true; break;
	case CLI_OPT_CHECK: o->diff_check = true; break;
	}
	return 0;
}

static int run(int argc, char **argv)
{
	struct cli_opts o = { .color = true, .interval_ms = 1000, .count = -1 };
	const struct cli_cmd *cmd;
	struct source *src = NULL;
	bool help = false, version = false;
	char hint[64], **first;
	int c, idx, used;

	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		o.color = false;
	getopt_tables();
	/*
	 * Options may come anywhere ('+' would stop at the first word), so the
	 * first pass only finds the command word (getopt moves the others
	 * behind the options) and whether help was asked for; the second knows
	 * the command when it takes the options or refuses them.
	 */
	opterr = 0;
	first = malloc((argc + 1) * sizeof(*first));
	if (!first)
		return cli_error("out of memory");
	/* on a copy: the second pass must see the words as they were given,
	 * or `list --btf` would become `--btf list` */
	memcpy(first, argv, (argc + 1) * sizeof(*first));
	while ((c = getopt_long(argc, first, optstring, longopts, NULL)) != -1) {
		help |= opt_id(c) == CLI_OPT_HELP;
		version |= opt_id(c) == CLI_OPT_VERSION;
	}
	if (optind < argc && !strcmp(first[optind], "help")) {
		help = true;
		optind++;
	}
	cmd = find_command(optind < argc ? first[optind] : NULL);
	free(first);
	if (help) {
		if (cmd)
			command_help(stdout, cmd);
		else
			usage(stdout);
		return 0;
	}
	if (version) {
		printf("arena-inspect %s\n", AI_VERSION);
		return 0;
	}
	if (!cmd)
		cmd = &tui;
	trouble = trouble_of(cmd);
	if (cmd->name)
		snprintf(hint, sizeof(hint), "see arena-inspect %s --help", cmd->name);
	else
		snprintf(hint, sizeof(hint), "see arena-inspect --help");

	optind = 0; /* glibc: start again */
	while ((idx = -1, c = getopt_long(argc, argv, optstring, longopts, &idx)) != -1) {
		int id = opt_id(c);

		if (c == ':') {
			cli_error("%s needs an argument (%s)", argv[optind - 1], hint);
			return trouble;
		}
		if (id < 0) {
			/* one line of our own instead of getopt's */
			if (optopt && optopt != '?')
				cli_error("unknown option '-%c' (%s; put -- before an argument "
					  "that starts with '-')",
					  optopt, hint);
			else
				cli_error("unknown option '%s' (%s; put -- before an argument that "
					  "starts with '-')",
					  argv[optind - 1], hint);
			return trouble;
		}
		if (!(opts_of(cmd) & 1u << id)) {
			if (idx >= 0 || !options[id].letter)
				cli_error("%s does not take --%s (%s)",
					  cmd->name ? cmd->name : "the TUI", options[id].name,
					  hint);
			else
				cli_error("%s does not take -%c (%s)",
					  cmd->name ? cmd->name : "the TUI", options[id].letter,
					  hint);
			return trouble;
		}
		if (set_option(id, optarg, &o))
			return trouble;
	}
	argc -= optind;
	argv += optind;
	if (cli_probe_open(o.debug))
		return trouble;

	if (cmd->run)
		return cmd->run(argc - 1, argv + 1, &o);
	if (argc > 0 && unknown_command(argv[0]))
		return 1;
	if (argc > 0) {
		if (cli_open_arena(argc, argv, &used, &src))
			return 1;
		if (used < argc) {
			source__close(src);
			return cli_error("unexpected argument '%s' (commands: %s)", argv[used],
					 command_names());
		}
	}
	return tui_run(src, &o);
}

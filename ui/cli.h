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
#include "progress.h"

struct cli_opts {
	bool json;
	bool pretty;
	bool color;		    /* colours allowed: not --no-color, --color=never, NO_COLOR */
	bool color_always;	    /* --color=always: also when stdout is no terminal */
	bool debug;		    /* -d/--debug: libbpf's messages on stderr */
	const char *btf_file;	    /* --btf FILE */
	unsigned interval_ms;	    /* --interval MS (watch, TUI) */
	long count;		    /* --count N (watch), -1: forever */
	const char *output;	    /* -o FILE */
	bool force;		    /* --force: snapshot -o may replace a symlink (the link) */
	const char *log;	    /* --log FILE */
	int max_elements;	    /* --max-elements N: array elements shown, 0: default */
	char format;		    /* print --format F: GDB's print format letter, 0: none */
	const char *walk_next;	    /* walk --next MEMBER (NULL: "next") */
	const char *walk_container; /* walk --container 'TYPE.MEMBER' */
	unsigned long walk_max;	    /* walk --max N (0: the walker's default) */
	const char *exec[8];	    /* -e CMD: TUI commands to run at start */
	int nr_exec;
	const char *types[16]; /* --types FILE (header, C, DWARF ELF, BTF), in order */
	int nr_types;
	const char *types_cflags; /* --types-cflags '-I DIR -D X' */
	const char *layout;	  /* types --layout NAME */
	uint64_t refs_size;	  /* refs --size N (0: not given) */
	bool refs_page;		  /* refs --page */
	const char *roots[16];	  /* check --root EXPR, in order */
	int nr_roots;
	const char *heap_as; /* heap --as TYPE */
	bool no_mouse;	     /* --no-mouse: the TUI leaves the mouse to the terminal */
	const char *listen;  /* serve --listen ADDR:PORT */
	bool all;	     /* snapshot --all */
	bool diff_check;     /* diff --check: new and resolved health findings */
};

/*
 * The options, by id: each sub-command declares the ones it takes (struct
 * cli_cmd.opts), main.c refuses the others, and the usage text and each
 * command's --help are generated from these declarations.
 */
enum cli_opt {
	CLI_OPT_JSON,
	CLI_OPT_PRETTY,
	CLI_OPT_BTF,
	CLI_OPT_NO_COLOR,
	CLI_OPT_COLOR,
	CLI_OPT_DEBUG,
	CLI_OPT_INTERVAL,
	CLI_OPT_COUNT,
	CLI_OPT_OUTPUT,
	CLI_OPT_FORCE,
	CLI_OPT_LOG,
	CLI_OPT_MAX_ELEMENTS,
	CLI_OPT_FORMAT,
	CLI_OPT_TYPES,
	CLI_OPT_TYPES_CFLAGS,
	CLI_OPT_LAYOUT,
	CLI_OPT_NEXT,
	CLI_OPT_CONTAINER,
	CLI_OPT_MAX,
	CLI_OPT_EXEC,
	CLI_OPT_NO_MOUSE,
	CLI_OPT_SIZE,
	CLI_OPT_PAGE,
	CLI_OPT_ROOT,
	CLI_OPT_AS,
	CLI_OPT_LISTEN,
	CLI_OPT_ALL,
	CLI_OPT_CHECK,
	CLI_OPT_HELP,
	CLI_OPT_VERSION,
	NR_CLI_OPTS
};
#define CLI_O(id) (1u << CLI_OPT_##id)
/* taken by every command and the TUI (main.c adds them; a cmd omits them) */
#define CLI_OPTS_COMMON \
	(CLI_O(NO_COLOR) | CLI_O(COLOR) | CLI_O(DEBUG) | CLI_O(HELP) | CLI_O(VERSION))
/* a command that prints data: text, or JSON (cli_sink) */
#define CLI_OPTS_OUTPUT (CLI_O(JSON) | CLI_O(PRETTY))
/* a command that reads types (cli_open_btf) */
#define CLI_OPTS_TYPES (CLI_O(BTF) | CLI_O(TYPES) | CLI_O(TYPES_CFLAGS))

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv, const struct cli_opts *o);
	const char *args; /* "ARENA WHERE [LEN]": the usage line adds the options */
	const char *help; /* one line */
	unsigned opts;	  /* CLI_O() bits it takes, besides CLI_OPTS_COMMON */
	/* exit status for trouble (bad arguments, errors): 0 means 1; diff
	 * uses 2, as diff(1) and cmp(1), because its 1 means "different" */
	int trouble;
};

struct sink;
struct check_finding;
struct check_run;
/* check's JSON shapes, shared with diff --check (cmd_check.c): one finding
 * {"kind", "at", "value", "target_state", "target_page"?, "poison"?,
 * "path"?}, and key: [[first, last], ...] */
void cli_check_finding(struct sink *k, const struct check_finding *f);
void cli_check_runs(struct sink *k, const char *key, const struct check_run *runs, uint32_t n);

/* "arena-inspect: <msg>" on stderr; returns 1 (the exit status). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line on stdout (the newline is added), in its printable form: for
 * lines that quote names or values instead of going through a sink. */
void cli_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The library's last message, prefixed by what we were doing. */
int cli_lib_error(const char *what);

/* Array elements print shows by default (--max-elements N) */
#define CLI_MAX_ELEMENTS 256

/* The SGR escape ("\033[0;35m") of the TUI's colour for role r
 * (tui_draw.c: one colour table for both) */
const char *draw__sgr(enum sink_role r);

/* Text in colour: --color=always, or auto (the default) with stdout a
 * terminal; never with --no-color, --color=never or NO_COLOR (unless
 * --color=always), never in JSON. Decided once, at the first call. */
bool cli_color(const struct cli_opts *o);
/* Write s in role r on stdout (coloured when cli_color said so), for the
 * lines commands write themselves (hex) */
void cli_role(enum sink_role r);
/* plain attributes again if the output ended in a colour (main, at exit) */
void cli_color_end(void);

/* A sink writing to stdout, text or JSON per the options. A cut array
 * says in text how to see it all ("--max-elements N"). A failed write
 * is not printed; cli_output_error() returns its errno (0: none). */
struct sink *cli_sink(const struct cli_opts *o);
int cli_output_error(void);

/* The probe every live source of this run shares: opened by cli_probe_open
 * (no kernel access until the first live arena needs it), NULL before. Under
 * debug, libbpf's messages and the verifier log go to stderr. */
int cli_probe_open(bool debug);
struct probe *cli_probe(void);
void cli_probe_close(void);

/* Open ARENA from argv (id N | pinned PATH | name NAME | FILE). On error
 * prints the message and returns 1; *used is the number of words taken. */
int cli_open_arena(int argc, char **argv, int *used, struct source **src);

/* Open the BTF for src (honours --btf and --types: each --types FILE is
 * converted (types.h) and added; a failure is one error line naming the
 * file). Conflicting definitions across the sources are notes, printed
 * at exit like the one below (also after an error). Finding no BTF is not an error: a
 * note says so, printed by cli_flush_notes() (main calls it at exit) only
 * when no error line was printed, so the first stderr line of a failure is
 * always the error. An error caused by the missing types says so itself
 * (cli_btf_hint). */
int cli_open_btf(struct source *src, const struct cli_opts *o, struct btfx **bx);
/* An expression that did not parse or evaluate (err, ai_errmsg()) as one
 * line: a parse error (col >= 0) shows the text with '_' at the column, and
 * on a terminal also a caret line under it; an evaluation error is
 * "WHAT'TEXT': message" (print passes what NULL: just the message), with
 * cli_btf_hint. Returns 1. */
int cli_expr_error(const char *what, const char *text, int col, const struct btfx *bx, int err);

/* The words argv[0..argc) joined by spaces, one expression as the shell
 * split it (print id 3 head -> next); NULL after printing the error. */
char *cli_join_words(int argc, char **argv);
struct value;
/* Join the words, open src's BTF (cli_open_btf) and evaluate them into *v.
 * 1 after printing one error line; *text (malloc'ed) and *bx are the
 * caller's to free either way. */
int cli_eval_words(int argc, char **argv, struct source *src, const struct cli_opts *o,
		   struct btfx **bx, struct value *v, char **text);
/* Print the pending notes now (a long-running command after its start). */
void cli_flush_notes(void);
/* " (no BTF found for arena N: ...)" when err (an expression's error, with
 * message msg) is an unknown name or type and bx has no BTF; else "". */
const char *cli_btf_hint(const struct btfx *bx, int err, const char *msg);

/*
 * Progress of long work (progress.h) as one line: "saving: 1200 of 4096
 * pages (29%), 350 pages/s, 8 s left". The meter says when to show it:
 * not before the work has taken 0.2 s (quick work shows nothing; tests set
 * AI_TEST_PROGRESS=1 to see it from the first tick), then at most ten
 * times a second, and the last tick once shown. A total of 0 is work of
 * unknown size (check's typed walk: objects so far). A new `what` with
 * counts starting again is the next phase of the same work, not new work.
 * The CLI draws it on stderr, the TUI on its status line.
 */
struct progress_meter {
	uint64_t t0_ns, last_ns, last_done;
	bool started, shown, finished;
	/* the caller knows the work has taken 0.2 s already (the TUI counts
	 * from the start of the call, before the first tick) */
	bool due;
	char what[48]; /* the phase ("checking: typed walk", "checking: scan") */
};
bool progress_meter__line(struct progress_meter *m, const char *what, uint64_t done, uint64_t total,
			  char *buf, size_t len);
/* The CLI's progress for one long operation: the line on stderr when
 * stderr is a terminal (nothing otherwise; never on stdout, so never in
 * JSON), and Ctrl-C asks the operation to stop (it returns -ECANCELED and
 * cleans up; a second Ctrl-C kills at once). cli_progress_end erases the
 * line and puts SIGINT back; cli_error erases it too. */
const struct ai_progress *cli_progress(void);
void cli_progress_end(void);

/* An arena's owner processes as bpftool shows them: "loader(1234),sh(99)"
 * (a pid whose comm cannot be read alone), "-" for none; cut with "..."
 * when it does not fit. The comm is as the process set it: print it
 * through a sink or draw_str, which make it printable. */
struct arena_info;
void fmt_owners(const struct arena_info *ai, char *buf, size_t len);

/* "4 GiB", "12 KiB", "1.5 MiB" (the CLI and the TUI say sizes alike) */
void fmt_size(uint64_t bytes, char *buf, size_t len);

/* Parse an address (0x..., decimal) or +OFF, an offset from the arena start. */
int cli_parse_addr(const struct source *src, const char *s, uint64_t *addr);

#endif

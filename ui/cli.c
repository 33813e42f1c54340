// SPDX-License-Identifier: GPL-2.0
/* Plumbing shared by the sub-commands: errors, sinks, ARENA and addresses. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "error.h"
#include "printable.h"
#include "btfx.h"
#include "expr.h"
#include "live.h"
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

static void progress_erase(void);
/* stdout is at the start of a line: a progress line may be drawn (on the
 * same terminal it would otherwise cut into a line of output) */
static bool stdout_bol = true;

/* colour: the role asked for and the one the terminal is in; the escape
 * is written lazily, with the text it colours */
static int color_on = -1;
static enum sink_role role_want, role_now;

static void write_stdout(void *ctx, const char *buf, size_t len)
{
	/* output first takes the progress line away; the next tick redraws it */
	progress_erase();
	if (color_on == 1 && role_want != role_now && len) {
		const char *e = draw__sgr(role_want);

		role_now = role_want;
		if (fwrite(e, 1, strlen(e), stdout) != strlen(e) && !stdout_errno)
			stdout_errno = errno ? errno : EIO;
	}
	if (len)
		stdout_bol = buf[len - 1] == '\n';
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

	progress_erase();
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

bool cli_color(const struct cli_opts *o)
{
	const char *term = getenv("TERM");

	if (color_on < 0)
		color_on = !o->json && !o->pretty && o->color &&
			   (o->color_always ||
			    (isatty(STDOUT_FILENO) && term && strcmp(term, "dumb")));
	return color_on == 1;
}

static void sink_role(void *ctx, enum sink_role r)
{
	(void)ctx;
	role_want = r;
}

void cli_role(enum sink_role r)
{
	role_want = r;
}

/* the terminal back to plain at exit (main's finish_output) */
void cli_color_end(void)
{
	if (color_on == 1 && role_now != SR_NONE) {
		fputs(draw__sgr(SR_NONE), stdout);
		role_now = role_want = SR_NONE;
	}
}

struct sink *cli_sink(const struct cli_opts *o)
{
	struct sink *s;

	if (o->json || o->pretty)
		return sink__new_json(write_stdout, NULL, o->pretty);
	s = sink__new_text(write_stdout, NULL);
	if (s) {
		s->more_hint = "--max-elements N";
		if (cli_color(o))
			s->role = sink_role;
	}
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

/* ---- progress ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void fmt_secs(uint64_t s, char *buf, size_t len)
{
	if (s < 60)
		snprintf(buf, len, "%llu s", (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%llu min %llu s", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(buf, len, "%llu h %llu min", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60));
}

bool progress_meter__line(struct progress_meter *m, const char *what, uint64_t done, uint64_t total,
			  char *buf, size_t len)
{
	uint64_t t = now_ns(), el;
	char left[64] = "";
	double rate;

	bool phase = strcmp(m->what, what) != 0;

	/* a new operation: after the last one finished, or counting again in
	 * the same phase */
	if (m->started && (m->finished || (done < m->last_done && !phase)))
		m->started = false;
	snprintf(m->what, sizeof(m->what), "%s", what);
	m->last_done = done;
	m->finished = total && done >= total;
	if (!m->started) {
		m->started = true;
		m->shown = false;
		m->t0_ns = t;
		m->last_ns = 0;
	}
	if (!m->shown && !m->due && (m->finished || t - m->t0_ns < 200000000ULL) &&
	    !(getenv("AI_TEST_PROGRESS") && *getenv("AI_TEST_PROGRESS") == '1'))
		return false;
	if (!total) {
		if (m->last_ns && t - m->last_ns < 100000000ULL)
			return false;
		m->shown = true;
		m->last_ns = t;
		snprintf(buf, len, "%s: %llu so far", what, (unsigned long long)done);
		return true;
	}
	if (done < total && m->last_ns && t - m->last_ns < 100000000ULL)
		return false;
	m->shown = true;
	m->last_ns = t;
	el = t - m->t0_ns;
	/* a rate (and so a time left) needs some time to mean anything */
	rate = el > 50000000ULL ? done / (el / 1e9) : 0;
	if (rate > 0 && done < total) {
		char s[48];

		fmt_secs((uint64_t)((total - done) / rate + 0.5), s, sizeof(s));
		snprintf(left, sizeof(left), ", %s left", s);
	}
	snprintf(buf, len, "%s: %llu of %llu pages (%llu%%)", what, (unsigned long long)done,
		 (unsigned long long)total, (unsigned long long)(total ? done * 100 / total : 100));
	if (rate > 0) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, ", %.0f pages/s%s", rate, left);
	}
	return true;
}

static struct {
	struct ai_progress p;
	struct progress_meter m;
	struct sigaction old_int;
	bool active, shown, tty;
	bool stdout_tty; /* then the line waits for output to end its line */
} P;
static volatile sig_atomic_t interrupted;

/* The first Ctrl-C asks the work to stop; a second one is the default */
static void on_interrupt(int sig)
{
	if (interrupted) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	interrupted = 1;
}

static void progress_erase(void)
{
	if (P.shown) {
		/* CR and erase to the end of the line: the terminal as it was */
		if (write(STDERR_FILENO, "\r\033[K", 4) < 0) {
			/* nothing to do about it */
		}
		P.shown = false;
	}
}

static bool cli_progress_cb(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	char line[200];

	(void)ctx;
	if (P.tty && (stdout_bol || !P.stdout_tty) &&
	    progress_meter__line(&P.m, what, done, total, line, sizeof(line))) {
		fflush(stdout);
		fprintf(stderr, "\r%s (Ctrl-C stops)\033[K", line);
		fflush(stderr);
		P.shown = true;
	}
	return interrupted;
}

const struct ai_progress *cli_progress(void)
{
	struct sigaction sa = { .sa_handler = on_interrupt };

	if (P.active)
		return &P.p;
	memset(&P, 0, sizeof(P));
	P.p.cb = cli_progress_cb;
	P.tty = isatty(STDERR_FILENO) && getenv("TERM") && strcmp(getenv("TERM"), "dumb");
	P.stdout_tty = isatty(STDOUT_FILENO);
	interrupted = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &P.old_int);
	P.active = true;
	return &P.p;
}

void cli_progress_end(void)
{
	if (!P.active)
		return;
	progress_erase();
	sigaction(SIGINT, &P.old_int, NULL);
	P.active = false;
}

void fmt_owners(const struct arena_info *ai, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (uint32_t i = 0; i < ai->nr_owners && i < 64; i++) {
		char comm[64], one[96];
		int n;

		if (live__owner_comm(ai->owner_pids[i], comm, sizeof(comm)) || !comm[0])
			n = snprintf(one, sizeof(one), "%s%d", i ? "," : "", ai->owner_pids[i]);
		else
			n = snprintf(one, sizeof(one), "%s%s(%d)", i ? "," : "", comm,
				     ai->owner_pids[i]);
		if (o + n + 4 >= len) {
			snprintf(buf + o, len - o, "%s", o + 4 < len ? ",..." : "");
			return;
		}
		memcpy(buf + o, one, n + 1);
		o += n;
	}
	if (!ai->nr_owners)
		snprintf(buf, len, "-");
}

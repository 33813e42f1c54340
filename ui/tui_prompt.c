// SPDX-License-Identifier: GPL-2.0
/*
 * The command line: GNU readline driven through its callback interface from
 * the curses input loop, as GDB's TUI does. Curses owns the terminal:
 * readline's terminal preparation is disabled, its input comes from a queue
 * that the loop fills with keys (curses key codes are turned back into the
 * escape sequences readline binds), and its redisplay draws rl_line_buffer
 * into the status window. History lives in the XDG state directory;
 * completion knows commands, roots, type names and struct members.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <readline/history.h>
#include <readline/readline.h>
#include "btfq.h"
#include "error.h"
#include "expr.h"
#include "tui_hist.h"
#include "tui_int.h"

#define HISTORY_MAX 1000

static struct {
	struct tui *t;
	bool active;
	bool commands; /* command line: history and completion */
	prompt_fn fn;
	bool done;
	char *line;	     /* what readline handed back */
	unsigned char q[64]; /* bytes waiting for readline */
	int qlen, qpos;
	int hist_fd; /* the history file (tui_hist.c), -1: none */
	FILE *devnull;
	char prompt[64];
} P;

static void q_push(const char *s)
{
	while (*s && P.qlen < (int)sizeof(P.q))
		P.q[P.qlen++] = (unsigned char)*s++;
}

/* curses key -> the bytes a terminal would have sent */
static void q_key(int key)
{
	static const struct {
		int key;
		const char *seq;
	} seqs[] = {
		{ KEY_LEFT, "\033[D" }, { KEY_RIGHT, "\033[C" },   { KEY_UP, "\033[A" },
		{ KEY_DOWN, "\033[B" }, { KEY_HOME, "\033[H" },	   { KEY_END, "\033[F" },
		{ KEY_DC, "\033[3~" },	{ KEY_BACKSPACE, "\177" }, { KEY_ENTER, "\r" },
	};
	if (P.qpos == P.qlen)
		P.qpos = P.qlen = 0;
	for (size_t i = 0; i < ARRAY_SIZE(seqs); i++)
		if (seqs[i].key == key) {
			q_push(seqs[i].seq);
			return;
		}
	if (key > 0 && key < 256) {
		if (P.qlen < (int)sizeof(P.q))
			P.q[P.qlen++] = (unsigned char)key;
	}
	/* other function keys mean nothing on a command line */
}

static int rl_getc_queue(FILE *f)
{
	/* readline only asks for more than we queued in the middle of a key
	 * sequence; wait for the terminal then, as GDB does */
	while (P.qpos == P.qlen) {
		int key;

		wtimeout(P.t->status.win, -1);
		key = wgetch(P.t->status.win);
		if (key == ERR)
			return EOF;
		q_key(key);
	}
	return P.q[P.qpos++];
}

static int rl_input_available(void)
{
	return P.qpos < P.qlen;
}

static void rl_redisplay_curses(void)
{
	if (P.t)
		P.t->status_dirty = true;
}

static void rl_prep_none(int meta)
{
}

static void rl_deprep_none(void)
{
}

static void on_line(char *line)
{
	rl_callback_handler_remove();
	P.done = true;
	P.line = line;
}

/* ---- completion ---- */

struct cands {
	char **v;
	int n, cap;
	const char *prefix; /* keyword the candidates follow ("struct ") */
};

static struct cands C;

static void cand_add(const char *s)
{
	if (C.n == C.cap) {
		int cap = C.cap ? C.cap * 2 : 64;
		char **nv = realloc(C.v, cap * sizeof(*nv));

		if (!nv)
			return;
		C.v = nv;
		C.cap = cap;
	}
	C.v[C.n] = strdup(s);
	if (C.v[C.n])
		C.n++;
}

static void cands_clear(void)
{
	for (int i = 0; i < C.n; i++)
		free(C.v[i]);
	C.n = 0;
	C.prefix = NULL;
}

static char *gen(const char *text, int state)
{
	static int i;
	size_t len = strlen(text);

	if (!state)
		i = 0;
	while (i < C.n) {
		const char *s = C.v[i++];

		if (!strncmp(s, text, len))
			return strdup(s);
	}
	return NULL;
}

struct names_ctx {
	const char *kw; /* "struct" etc: only those, without the keyword */
	bool roots, types;
};

static int add_name(const char *name, bool is_type, void *ctx)
{
	struct names_ctx *nc = ctx;
	size_t kl;

	if (is_type && !nc->types)
		return 0;
	if (!is_type && !nc->roots)
		return 0;
	if (nc->kw) {
		kl = strlen(nc->kw);
		if (is_type && !strncmp(name, nc->kw, kl) && name[kl] == ' ')
			cand_add(name + kl + 1);
		return 0;
	}
	/* "struct node" is offered after the keyword; typedefs and roots now */
	if (!strchr(name, ' '))
		cand_add(name);
	return 0;
}

static int add_member(const struct btfq_member *m, void *ctx)
{
	cand_add(m->name);
	return 0;
}

/* Members that line[from, to) followed by "->" (arrow) or "." can name:
 * the library's list, the same the evaluator accepts */
static void complete_members(const char *line, int from, int to, bool arrow)
{
	struct tui *t = P.t;
	struct value v;
	char *expr;
	int col;

	if (!t->s->bx || !t->s->src)
		return;
	while (from < to && line[from] == ' ')
		from++;
	expr = strndup(line + from, to - from);
	if (!expr)
		return;
	if (expr__eval_str(expr, t->s->bx, t->s->src, &v, &col) || !v.btf) {
		free(expr);
		return;
	}
	free(expr);
	expr__for_each_member(&v, arrow, add_member, NULL);
}

static const char *const keywords[] = { "struct", "union", "enum" };
/* the expression language's function-like words (expr.h), offered with the
 * names in an expression */
static const char *const expr_words[] = { "sizeof", "offsetof", "container_of" };

/* Commands whose argument is a file name: completed by readline's own
 * file-name completion, with only blanks breaking words (paths hold '.', '-'). */
static bool file_cmd(const char *cmd)
{
	return !strcmp(cmd, "snapshot") || !strcmp(cmd, "diff") || !strcmp(cmd, "log");
}

static void first_word(const char *line, char *cmd, size_t n, int *endp)
{
	int i = 0, p;

	while (line[i] == ' ')
		i++;
	p = i;
	while (line[i] && line[i] != ' ')
		i++;
	snprintf(cmd, n, "%.*s", i - p, line + p);
	*endp = i;
}

#define EXPR_WORD_BREAKS " \t\n()*&,[]=!<>+-|.~^"

static char *word_breaks(void)
{
	char cmd[32];
	int i;

	first_word(rl_line_buffer, cmd, sizeof(cmd), &i);
	return (char *)(rl_point > i && file_cmd(cmd) ? " \t\n" : EXPR_WORD_BREAKS);
}

static char **complete(const char *text, int start, int end)
{
	const char *line = rl_line_buffer;
	char cmd[32] = "", prev[16] = "";
	int i = 0, argstart, p;
	bool expr_cmd, type_cmd;

	rl_attempted_completion_over = 1;
	rl_completion_append_character = ' ';
	cands_clear();
	first_word(line, cmd, sizeof(cmd), &i);
	if (end <= i) {
		/* still on the first word */
		for (int k = 0; cmd__name(k); k++)
			cand_add(cmd__name(k));
		return rl_completion_matches(text, gen);
	}
	while (line[i] == ' ')
		i++;
	argstart = i;
	if (file_cmd(cmd)) {
		rl_attempted_completion_over = 0; /* file names */
		return NULL;
	}
	if (!strcmp(cmd, "help")) {
		for (int k = 0; cmd__name(k); k++)
			cand_add(cmd__name(k));
		return rl_completion_matches(text, gen);
	}
	if (!strcmp(cmd, "set")) {
		/* the setting's name; its value is a number */
		for (int k = 0; start == argstart && cmd__setting_name(k); k++)
			cand_add(cmd__setting_name(k));
		return rl_completion_matches(text, gen);
	}
	expr_cmd = !strcmp(cmd, "print") || !strcmp(cmd, "p") || !strcmp(cmd, "hex") ||
		   !strcmp(cmd, "goto") || !strcmp(cmd, "watch") || !strcmp(cmd, "x");
	type_cmd = !strcmp(cmd, "type");
	if (!expr_cmd && !type_cmd)
		return NULL;
	rl_completion_append_character = '\0';

	/* member after -> or . */
	if (expr_cmd && start >= 1 && line[start - 1] == '.' && start - 1 > argstart) {
		complete_members(line, argstart, start - 1, false);
		return rl_completion_matches(text, gen);
	}
	if (expr_cmd && start >= 2 && line[start - 1] == '>' && line[start - 2] == '-' &&
	    start - 2 > argstart) {
		complete_members(line, argstart, start - 2, true);
		return rl_completion_matches(text, gen);
	}

	/* the word before: struct/union/enum? */
	p = start - 1;
	while (p >= argstart && line[p] == ' ')
		p--;
	if (p >= argstart) {
		int e = p + 1;

		while (p >= argstart && line[p] != ' ' && line[p] != '(')
			p--;
		if (e - (p + 1) < (int)sizeof(prev))
			snprintf(prev, sizeof(prev), "%.*s", e - (p + 1), line + p + 1);
	}
	{
		struct names_ctx nc = { .roots = expr_cmd, .types = true };

		for (size_t k = 0; k < ARRAY_SIZE(keywords); k++)
			if (!strcmp(prev, keywords[k]))
				nc.kw = keywords[k];
		if (nc.kw)
			nc.roots = false;
		else
			for (size_t k = 0; k < ARRAY_SIZE(keywords); k++)
				cand_add(keywords[k]);
		for (size_t k = 0; !nc.kw && expr_cmd && k < ARRAY_SIZE(expr_words); k++)
			cand_add(expr_words[k]);
		if (P.t->s->bx)
			btfx__for_each_name(P.t->s->bx, add_name, &nc);
		if (nc.kw || type_cmd)
			rl_completion_append_character = nc.kw ? '\0' : ' ';
	}
	return rl_completion_matches(text, gen);
}

/* Candidates go on one line above the prompt instead of being printed. */
static void show_matches(char **matches, int num, int max_length)
{
	struct tui *t = P.t;
	size_t len = 0;

	t->hint[0] = 0;
	for (int i = 1; i <= num && len + 2 < sizeof(t->hint); i++) {
		int n = snprintf(t->hint + len, sizeof(t->hint) - len, "%s%s", i > 1 ? "  " : "",
				 matches[i]);

		if (n < 0 || len + n >= sizeof(t->hint)) {
			t->hint[len] = 0;
			break;
		}
		len += n;
	}
	t->views[t->cur].dirty = true;
}

/* ---- the prompt ---- */

static void history_line(const char *line, void *ctx)
{
	add_history(line);
}

/* The history file through one descriptor checked by tui_hist.c (no
 * symbolic links, ours alone); a refusal is one status line, and the TUI
 * goes on without history. */
static void history_open(struct tui *t)
{
	char dir[PATH_MAX], msg[PATH_MAX + 64];
	int err;

	P.hist_fd = -1;
	if (hist__dir(dir, sizeof(dir)))
		return;
	P.hist_fd = hist__open(dir, msg, sizeof(msg));
	if (P.hist_fd < 0) {
		P.hist_fd = -1;
		session__msg(t->s, true, "history not kept: %s", msg);
		return;
	}
	err = hist__read(P.hist_fd, history_line, NULL);
	if (err)
		session__msg(t->s, true, "history: cannot read it: %s", strerror(-err));
}

void prompt__init(struct tui *t)
{
	P.t = t;
	P.devnull = fopen("/dev/null", "w");
	rl_readline_name = "arena-inspect";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_getc_function = rl_getc_queue;
	rl_input_available_hook = rl_input_available;
	rl_redisplay_function = rl_redisplay_curses;
	rl_prep_term_function = rl_prep_none;
	rl_deprep_term_function = rl_deprep_none;
	rl_outstream = P.devnull ? P.devnull : stderr;
	rl_attempted_completion_function = complete;
	rl_completion_display_matches_hook = show_matches;
	rl_completer_word_break_characters = EXPR_WORD_BREAKS;
	rl_completion_word_break_hook = word_breaks;
	rl_completion_query_items = 10000;
	rl_variable_bind("show-all-if-ambiguous", "on");
	rl_variable_bind("bell-style", "none");
	rl_initialize();
	using_history();
	stifle_history(HISTORY_MAX);
	history_open(t);
}

void prompt__exit(struct tui *t)
{
	if (P.active) {
		rl_callback_handler_remove();
		P.active = false;
	}
	if (P.hist_fd >= 0) {
		hist__trim(P.hist_fd, HISTORY_MAX);
		close(P.hist_fd);
		P.hist_fd = -1;
	}
	cands_clear();
	free(C.v);
	C.v = NULL;
	C.cap = 0;
	if (P.devnull)
		fclose(P.devnull);
	P.devnull = NULL;
	rl_outstream = NULL;
	clear_history();
}

bool prompt__active(void)
{
	return P.active;
}

void prompt__open(struct tui *t, const char *prompt, const char *prefill, bool commands,
		  prompt_fn fn)
{
	if (P.active)
		prompt__cancel(t);
	P.t = t;
	P.fn = fn;
	P.commands = commands;
	P.done = false;
	P.line = NULL;
	P.qpos = P.qlen = 0;
	snprintf(P.prompt, sizeof(P.prompt), "%s", prompt);
	rl_attempted_completion_function = commands ? complete : NULL;
	rl_inhibit_completion = !commands;
	using_history();
	rl_callback_handler_install(P.prompt, on_line);
	if (prefill && *prefill) {
		rl_insert_text(prefill);
		rl_point = rl_end;
	}
	P.active = true;
	session__msg_clear(t->s);
	t->status_dirty = true;
	curs_set(1);
}

void prompt__cancel(struct tui *t)
{
	if (!P.active)
		return;
	rl_callback_handler_remove();
	P.active = false;
	P.qpos = P.qlen = 0;
	curs_set(0);
	t->status_dirty = true;
	t->hint[0] = 0;
	t->views[t->cur].dirty = true;
}

static void finish(struct tui *t)
{
	char *line = P.line;
	prompt_fn fn = P.fn;

	P.active = false;
	P.line = NULL;
	curs_set(0);
	t->status_dirty = true;
	t->views[t->cur].dirty = true;
	if (line && *line && P.commands) {
		HIST_ENTRY *last =
			history_length ? history_get(history_base + history_length - 1) : NULL;

		/* no consecutive duplicates, as bash's ignoredups */
		if (!last || strcmp(last->line, line)) {
			int err = P.hist_fd >= 0 ? hist__append(P.hist_fd, line) : 0;

			add_history(line);
			if (err)
				session__msg(t->s, true, "history: cannot write it: %s",
					     strerror(-err));
		}
	}
	fn(t, line);
	free(line);
}

void prompt__key(struct tui *t, int key)
{
	if (key == 27) {
		int next;

		/* Esc alone cancels; Esc + key is Meta-key for readline */
		wtimeout(t->status.win, 0);
		next = wgetch(t->status.win);
		if (next == ERR) {
			prompt_fn fn = P.fn;

			prompt__cancel(t);
			fn(t, NULL);
			return;
		}
		q_key(27);
		q_key(next);
	} else if (key == 7) { /* ^G */
		prompt_fn fn = P.fn;

		prompt__cancel(t);
		fn(t, NULL);
		return;
	} else if (key == KEY_RESIZE) {
		return;
	} else {
		q_key(key);
	}
	while (P.active && !P.done && P.qpos < P.qlen)
		rl_callback_read_char();
	P.qpos = P.qlen = 0;
	if (P.done) {
		P.done = false;
		finish(t);
	}
}

void prompt__draw(struct tui *t)
{
	struct canvas *c = &t->status;
	const char *buf = rl_line_buffer ? rl_line_buffer : "";
	int plen = draw_cols(P.prompt), room = c->width - plen - 1, point = rl_point, from = 0;

	/* scroll sideways so the cursor stays visible */
	if (room < 1)
		room = 1;
	if (point > room)
		from = point - room;
	draw_row(c, 0);
	draw_str(c, R_PROMPT, P.prompt);
	draw_str(c, R_DEFAULT, buf + from);
	draw_fill(c, R_DEFAULT);
	wmove(c->win, 0, plen + point - from < c->width ? plen + point - from : c->width - 1);
	wnoutrefresh(c->win);
}

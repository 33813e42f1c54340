// SPDX-License-Identifier: GPL-2.0
/*
 * The ':' commands, one table: name, arguments, help and handler. The help
 * screen and TAB completion read the same table, and the view registry's
 * commands (views.h) after it. A command works on the session and returns
 * what the engine should do next (a request; REQ_NONE: nothing), with what
 * the request is about in the session's nav.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "btfq.h"
#include "error.h"
#include "expr.h"
#include "format.h"
#include "refs.h"
#include "selector.h"
#include "sink.h"
#include "snapshot.h"
#include "suggest.h"
#include "tui_int.h"
#include "watch.h"

struct tui_cmd {
	const char *name;
	const char *alias;
	const char *args;
	const char *help;
	enum request (*run)(struct session *s, const char *arg);
	/* the argument is an expression: $, $$ and $$N in it are made
	 * absolute first, so a view that evaluates it again keeps meaning
	 * the same history value */
	bool expr;
	bool fmt; /* takes GDB's /F after its name (print/x) */
};

static bool need_arena(struct session *s)
{
	if (!s->src)
		session__msg(s, true, "no arena open");
	return s->src != NULL;
}

static bool need_arg(struct session *s, const char *arg, const char *usage)
{
	if (!*arg)
		session__msg(s, true, "usage: %s", usage);
	return *arg;
}

/* :print[/F] EXPR; no EXPR: the last value again ($), as GDB */
static enum request c_print(struct session *s, const char *arg)
{
	char last[32];

	if (!need_arena(s))
		return REQ_NONE;
	if (!*arg && session__history_last(s)) {
		snprintf(last, sizeof(last), "$%llu", (unsigned long long)session__history_last(s));
		arg = last;
	}
	if (!need_arg(s, arg, "print[/x|d|u|o|t|c|a|s|z] EXPR"))
		return REQ_NONE;
	session__nav_expr(s, arg);
	s->nav.print = true;
	return REQ_SHOW_STRUCT;
}

static enum request c_hex(struct session *s, const char *arg)
{
	uint64_t addr;

	if (!need_arena(s) || !need_arg(s, arg, "hex ADDR|EXPR"))
		return REQ_NONE;
	if (session__resolve_addr(s, arg, &addr))
		return REQ_NONE;
	session__nav_addr(s, addr);
	return REQ_SHOW_HEX;
}

static enum request c_check(struct session *s, const char *arg)
{
	(void)arg;
	return need_arena(s) ? REQ_SHOW_CHECK : REQ_NONE;
}

/* :refs ADDR|EXPR: an lvalue is its own place, a pointer what it points at */
static enum request c_refs(struct session *s, const char *arg)
{
	uint64_t lo, size = 1;
	struct value v;
	int col = -1;

	if (!need_arena(s) || !need_arg(s, arg, "refs ADDR|EXPR"))
		return REQ_NONE;
	if (cli_parse_addr(s->src, arg, &lo)) {
		if (s->bx && !expr__eval_str(arg, s->bx, s->src, &v, &col)) {
			if (refs__value_object(s->src, &v, true, &lo, &size)) {
				session__lib_msg(s, arg);
				return REQ_NONE;
			}
		} else if (session__resolve_addr(s, arg, &lo)) /* says why, as :hex */
			return REQ_NONE;
	}
	session__nav_range(s, lo, size);
	return REQ_SHOW_REFS;
}

/* the page map moves its cursor there; other views leave it to hex */
static enum request c_goto(struct session *s, const char *arg)
{
	uint64_t addr;

	if (!need_arena(s) || !need_arg(s, arg, "goto ADDR|EXPR"))
		return REQ_NONE;
	if (session__resolve_addr(s, arg, &addr))
		return REQ_NONE;
	if (!source__contains(s->src, addr, 1)) {
		session__msg(s, true, "0x%llx is outside the arena", (unsigned long long)addr);
		return REQ_NONE;
	}
	session__nav_addr(s, addr);
	return REQ_GOTO_ADDR;
}

struct lines {
	char **v;
	int n, cap;
};

static void lines_add(struct lines *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 64;
		char **nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n] = strndup(s, len);
	if (l->v[l->n])
		l->n++;
}

/* Lines of text, tabs expanded: the screen shows a tab as "\t" like any
 * other control character, and btf_dump indents with tabs. */
static void lines_from_text(struct lines *l, const char *text)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		char buf[1024];
		size_t o = 0, i;

		for (i = 0; i < len && o < sizeof(buf) - 8; i++) {
			if (text[i] != '\t') {
				buf[o++] = text[i];
				continue;
			}
			do
				buf[o++] = ' ';
			while (o % 8 && o < sizeof(buf) - 8);
		}
		if (i < len) {
			memcpy(buf + o, "...", 3); /* cut: say so */
			o += 3;
		}
		lines_add(l, buf, o);
		text += len + (nl != NULL);
	}
}

static enum request c_type(struct session *s, const char *arg)
{
	const struct btf *btf;
	struct strbuf sb = {};
	struct lines l = {};
	uint32_t id;
	char name[256], head[400];

	if (!need_arena(s) || !need_arg(s, arg, "type NAME"))
		return REQ_NONE;
	if (!s->bx) {
		session__msg(s, true, "%s", s->btf_msg[0] ? s->btf_msg : "no BTF (yet)");
		return REQ_NONE;
	}
	if (btfx__find_type(s->bx, arg, &btf, &id)) {
		session__msg(s, true, "no type '%s' (TAB completes names; :types FILE adds more)",
			     arg);
		return REQ_NONE;
	}
	btfx__complete(s->bx, &btf, &id);
	if (btfx__is_fwd(btf, id)) {
		char msg[400];

		btfx__incomplete_msg(s->bx, btf, id, msg, sizeof(msg));
		session__msg(s, true, "%s", msg);
		return REQ_NONE;
	}
	if (btfq__dump_type(btf, id, &sb)) {
		session__msg(s, true, "cannot show '%s'", arg);
		return REQ_NONE;
	}
	if (fmt__type_name(btf, id, name, sizeof(name)))
		snprintf(name, sizeof(name), "%s", arg);
	snprintf(head, sizeof(head), "/* %s: BTF id %u, %lld bytes */", name, id,
		 (long long)btf__resolve_size(btf, id));
	lines_add(&l, head, strlen(head));
	/* a struct or union: first its layout as GDB's ptype /o shows it */
	if (btfq__member_parent(btf, id, false)) {
		struct strbuf lay = {};

		if (!btfq__layout_text(btf, id, &lay) && lay.len) {
			lines_from_text(&l, lay.buf);
			lines_add(&l, "", 0);
			lines_add(&l, "/* as C declares it: */", 23);
		}
		strbuf_free(&lay);
	}
	if (sb.len)
		lines_from_text(&l, sb.buf);
	else
		lines_add(&l, name, strlen(name));
	strbuf_free(&sb);
	session__nav_text(s, arg, l.v, l.n);
	return REQ_SHOW_TEXT;
}

static enum request c_types(struct session *s, const char *arg)
{
	if (!need_arg(s, arg, "types FILE"))
		return REQ_NONE;
	if (session__add_types(s, arg))
		return REQ_NONE;
	return s->bx ? REQ_TYPES_LOADED : REQ_NONE;
}

static enum request c_watch(struct session *s, const char *arg)
{
	if (!need_arena(s))
		return REQ_NONE;
	if (!*arg)
		return REQ_VIEW_WATCH;
	session__watch_add(s, arg);
	return REQ_NONE;
}

/* :log FILE: the CLI's --log format (ui/cmd_watch.c), one JSON line per
 * event (the session writes it); no argument stops */
static enum request c_log(struct session *s, const char *arg)
{
	uint64_t n = s->log_events;
	char old[256];
	int err;

	if (!*arg && !s->logf) {
		session__msg(s, false,
			     "not logging: log FILE appends every watch event as a JSON line");
		return REQ_NONE;
	}
	if (s->logf) {
		/* stop the current log first, also when switching files */
		snprintf(old, sizeof(old), "%s", s->log_path);
		session__log_flush(s);
		if (!s->logf)
			return REQ_NONE; /* the write error is on the status line */
		err = session__log_stop(s);
		if (err) {
			session__msg(s, true, "cannot write log %s: %s", old, strerror(-err));
			return REQ_NONE;
		}
		if (!*arg) {
			session__msg(s, false, "log %s closed after %llu events", old,
				     (unsigned long long)n);
			return REQ_NONE;
		}
	}
	if (session__log_start(s, arg))
		return REQ_NONE;
	session__msg(s, false, "logging watch events to %s (JSON lines; ':log' stops)", arg);
	return REQ_NONE;
}

/* :snapshot [--force] FILE (--force: FILE may be a symlink; the link is replaced) */
static enum request c_snapshot(struct session *s, const char *arg)
{
	struct snapshot_write_opts wo = { .sudo_owner = true, .progress = session__progress(s) };

	if (!strncmp(arg, "--force", 7) && (arg[7] == ' ' || !arg[7])) {
		wo.force = true;
		arg += 7;
		arg += strspn(arg, " ");
	}
	if (!need_arena(s) || !need_arg(s, arg, "snapshot [--force] FILE"))
		return REQ_NONE;
	if (snapshot__write_opts(s->src, s->bx, arg, &wo, NULL)) {
		session__lib_msg(s, "snapshot");
		return REQ_NONE;
	}
	session__msg(s, false, "saved to %s", arg);
	return REQ_NONE;
}

/* :diff FILE: compare the arena with a snapshot of it; no argument stops */
static enum request c_diff(struct session *s, const char *arg)
{
	const struct arena_info *a, *b;
	struct source *snap;
	uint32_t nalloc, nfreed;
	char *path;

	if (!need_arena(s))
		return REQ_NONE;
	if (!*arg) {
		if (!s->diff_src) {
			session__msg(s, false,
				     "no diff: diff FILE compares the arena with a snapshot of it");
			return REQ_NONE;
		}
		session__msg(s, false, "diff vs %s off", s->diff_path);
		session__diff_set(s, NULL, NULL);
		return REQ_NONE;
	}
	if (snapshot__open(arg, &snap)) {
		session__lib_msg(s, "diff");
		return REQ_NONE;
	}
	a = &s->src->info;
	b = &snap->info;
	if (!b->is_snapshot || b->max_pages != a->max_pages || b->page_size != a->page_size ||
	    b->user_vm_start != a->user_vm_start) {
		session__msg(s, true,
			     "diff: %s is a snapshot of %u pages of %u bytes at 0x%llx, "
			     "not of this arena (%u pages of %u bytes at 0x%llx)",
			     arg, b->max_pages, b->page_size, (unsigned long long)b->user_vm_start,
			     a->max_pages, a->page_size, (unsigned long long)a->user_vm_start);
		source__close(snap);
		return REQ_NONE;
	}
	path = strdup(arg);
	if (!path) {
		source__close(snap);
		session__msg(s, true, "out of memory");
		return REQ_NONE;
	}
	/* takes snap and path, also on error */
	if (session__diff_set(s, snap, path)) {
		session__lib_msg(s, "diff");
		return REQ_NONE;
	}
	session__diff_counts(s, &nalloc, &nfreed);
	session__msg(s, false,
		     "diff vs %s: %u pages allocated and %u freed since; ]/[ in hex: next/previous "
		     "change",
		     arg, nalloc, nfreed);
	return REQ_NONE;
}

static enum request c_open(struct session *s, const char *arg)
{
	char *copy = strdup(arg), *words[8], *save = NULL;
	struct selector sel;
	struct source *src;
	int n = 0, used;

	if (!copy)
		return REQ_NONE;
	for (char *w = strtok_r(copy, " ", &save); w && n < 8; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	if (!n) {
		free(copy);
		return REQ_VIEW_CHOOSER;
	}
	if (selector__parse(n, words, &sel, &used) || selector__open(&sel, cli_probe(), &src)) {
		session__lib_msg(s, "open");
		free(copy);
		return REQ_NONE;
	}
	free(copy);
	session__nav_source(s, src);
	return REQ_OPEN_ARENA;
}

/* ---- :set NAME VALUE: the settings, one table (help and completion
 * read it too) ---- */

struct tui_setting {
	const char *name;
	const char *help;
	int min, max;
	int *(*var)(struct session *s);
	const char *const *words; /* names of min..max (off, on), NULL: a number */
};

static int *v_max_elements(struct session *s)
{
	return &s->max_elements;
}

static int *v_mouse(struct session *s)
{
	return &s->mouse;
}

static int *v_clipboard(struct session *s)
{
	return &s->clipboard;
}

static const char *const off_on[] = { "off", "on" };

/* a change is REQ_SETTINGS_CHANGED to every view and the engine */
static const struct tui_setting settings[] = {
	{ "max-elements", "array elements shown before \"... N more\" (Enter shows N more)", 1,
	  1 << 24, v_max_elements },
	{ "mouse", "on: wheel scrolls, click selects, double click follows (off: --no-mouse)", 0, 1,
	  v_mouse, off_on },
	{ "clipboard",
	  "on: y also copies to the terminal's clipboard (OSC 52, where terminfo has Ms)", 0, 1,
	  v_clipboard, off_on },
};

/* a setting's value as :set shows it */
static const char *setting_value(const struct tui_setting *st, struct session *s, char *buf,
				 size_t len)
{
	int v = *st->var(s);

	if (st->words && v >= st->min && v <= st->max)
		return st->words[v - st->min];
	snprintf(buf, len, "%d", v);
	return buf;
}

const char *cmd__setting_name(int i)
{
	return i >= 0 && i < (int)ARRAY_SIZE(settings) ? settings[i].name : NULL;
}

static enum request c_set(struct session *s, const char *arg)
{
	char name[64], line[512];
	const char *val;
	size_t n = strcspn(arg, " =");
	int len = 0;

	if (!*arg) {
		/* every setting with its value, on the status line */
		for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
			char vb[16];

			len += snprintf(line + len, sizeof(line) - len, "%s%s=%s", i ? "  " : "",
					settings[i].name,
					setting_value(&settings[i], s, vb, sizeof(vb)));
		}
		session__msg(s, false, "%s   (:set NAME VALUE)", line);
		return REQ_NONE;
	}
	snprintf(name, sizeof(name), "%.*s", (int)n, arg);
	val = arg + n;
	while (*val == ' ' || *val == '=')
		val++;
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		const struct tui_setting *st = &settings[i];
		char *end, vb[16];
		long v = -1;

		if (strcmp(name, st->name))
			continue;
		if (!*val) {
			session__msg(s, false, "%s=%s: %s", st->name,
				     setting_value(st, s, vb, sizeof(vb)), st->help);
			return REQ_NONE;
		}
		if (st->words) {
			for (int w = 0; w <= st->max - st->min; w++)
				if (!strcmp(val, st->words[w]))
					v = st->min + w;
			if (v < 0) {
				session__msg(s, true, "set %s: '%s' is not %s or %s", st->name, val,
					     st->words[0], st->words[1]);
				return REQ_NONE;
			}
		} else {
			errno = 0;
			v = strtol(val, &end, 10);
			if (errno || *end || end == val || v < st->min || v > st->max) {
				session__msg(s, true, "set %s: '%s' is not a number in %d..%d",
					     st->name, val, st->min, st->max);
				return REQ_NONE;
			}
		}
		*st->var(s) = (int)v;
		session__msg(s, false, "%s=%s", st->name, setting_value(st, s, vb, sizeof(vb)));
		return REQ_SETTINGS_CHANGED;
	}
	session__msg(s, true, "set: no setting '%s' (:set lists them)", name);
	return REQ_NONE;
}

/* :table EXPR: an array, a slice or a pointer as a table */
static enum request c_table(struct session *s, const char *arg)
{
	if (!need_arena(s))
		return REQ_NONE;
	if (!*arg)
		return REQ_VIEW_TABLE;
	session__nav_expr(s, arg);
	return REQ_SHOW_TABLE;
}

/* :walk START [--next M] [--container TYPE.M]: the table view parses it */
static enum request c_walk(struct session *s, const char *arg)
{
	if (!need_arena(s) ||
	    !need_arg(s, arg, "walk START [--next MEMBER] [--container TYPE.MEMBER]"))
		return REQ_NONE;
	session__nav_expr(s, arg);
	return REQ_SHOW_WALK;
}

/* :filter [COND], :sort [[-]COLUMN]: for the table view */
static enum request c_filter(struct session *s, const char *arg)
{
	if (!need_arena(s))
		return REQ_NONE;
	session__nav_expr(s, *arg ? arg : NULL);
	return REQ_TABLE_FILTER;
}

static enum request c_sort(struct session *s, const char *arg)
{
	if (!need_arena(s))
		return REQ_NONE;
	session__nav_expr(s, *arg ? arg : NULL);
	return REQ_TABLE_SORT;
}

static enum request c_help(struct session *s, const char *arg)
{
	return REQ_HELP;
}

static enum request c_quit(struct session *s, const char *arg)
{
	return REQ_EXIT;
}

static const struct tui_cmd cmds[] = {
	{ "print", "p", "EXPR",
	  "Show a typed value as a tree, as $N (/x /d /u /o /t /c /a /s /z: GDB's formats)",
	  c_print, .expr = true, .fmt = true },
	{ "hex", "x", "ADDR|EXPR", "Hex dump at an address or where an expression points", c_hex,
	  .expr = true },
	{ "goto", NULL, "ADDR|EXPR", "Move the page map or hex cursor there", c_goto,
	  .expr = true },
	{ "type", NULL, "NAME",
	  "Show a type; a struct or union with offsets, sizes and holes (ptype /o)", c_type },
	{ "types", NULL, "FILE",
	  "Add types: a C header or source, a DWARF ELF, an ELF with .BTF or raw BTF", c_types },
	{ "watch", NULL, "[EXPR [if COND | changes]]",
	  "Watch an expression; no argument: the watch pane", c_watch },
	{ "table", NULL, "[EXPR]",
	  "Table of an array of structs (pool, tbl->buckets, arr[0:64]); no argument: the table "
	  "view",
	  c_table, .expr = true },
	{ "walk", NULL, "START [--next M] [--container TYPE.M]",
	  "Table of the nodes of a list from the pointer START", c_walk, .expr = true },
	{ "filter", NULL, "[COND]",
	  "Table rows where COND (members by name: switches > 100); no argument clears", c_filter,
	  .expr = true },
	{ "sort", NULL, "[[-]COLUMN]",
	  "Sort the table by COLUMN (-: descending); no argument: element order", c_sort },
	{ "log", NULL, "[FILE]",
	  "Append every watch event to FILE as JSON lines; no argument stops", c_log },
	{ "snapshot", NULL, "[--force] FILE",
	  "Save the arena to a snapshot file (--force: replace a symlink there)", c_snapshot },
	{ "diff", NULL, "[FILE]", "Compare with a snapshot of this arena; no argument stops",
	  c_diff },
	{ "open", NULL, "[id N | pinned PATH | name NAME | FILE]",
	  "Open another arena (no argument: chooser)", c_open },
	{ "set", NULL, "[NAME [VALUE]]",
	  "Change a setting (max-elements N, mouse on|off, clipboard on|off); no argument lists "
	  "them",
	  c_set },
	{ "check", NULL, "", "Run the health check again (the health view, H)", c_check },
	{ "refs", NULL, "ADDR|EXPR",
	  "Who points into the object at ADDR (its type's size, else 1 byte)", c_refs,
	  .expr = true },
	{ "help", NULL, "", "Keys and commands", c_help },
	{ "quit", "q", "", "Quit", c_quit },
};

/* the table's commands, then the registry's (views.h) */
const char *cmd__name(int i)
{
	if (i >= 0 && i < (int)ARRAY_SIZE(cmds))
		return cmds[i].name;
	return i >= 0 ? views__command(i - ARRAY_SIZE(cmds), NULL, NULL) : NULL;
}

enum request cmd__run(struct session *s, const char *line)
{
	char name[32];
	const char *vc;
	enum request req;
	enum view_id id;
	char fmt = 0;
	size_t n;

	while (*line == ' ')
		line++;
	n = strcspn(line, " /");
	if (!n)
		return REQ_NONE;
	snprintf(name, sizeof(name), "%.*s", (int)n, line);
	line += n;
	/* print/x: GDB's format letter after the name */
	if (*line == '/') {
		size_t fl = strcspn(line + 1, " ");

		fmt = fl == 1 ? line[1] : 0;
		if (!fmt__format_ok(fmt)) {
			session__msg(s, true, "%s/%.*s: the formats are /x /d /u /o /t /c /a /s /z",
				     name, (int)fl, line + 1);
			return REQ_NONE;
		}
		line += 1 + fl;
	}
	while (*line == ' ')
		line++;
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(name, cmds[i].name) && (!cmds[i].alias || strcmp(name, cmds[i].alias)))
			continue;
		if (fmt && !cmds[i].fmt) {
			session__msg(s, true, "%s takes no /%c (print/%c does)", name, fmt, fmt);
			return REQ_NONE;
		}
		/* trailing blanks are never part of an expression */
		{
			char *arg = cmds[i].expr ? session__history_pin(s, line) : strdup(line);
			size_t len;

			if (!arg)
				return REQ_NONE;
			len = strlen(arg);
			while (len && arg[len - 1] == ' ')
				arg[--len] = 0;
			s->nav.fmt = fmt;
			s->nav.print = false;
			req = cmds[i].run(s, arg);
			free(arg);
		}
		return req;
	}
	for (int i = 0; (vc = views__command(i, &id, NULL)); i++) {
		if (strcmp(name, vc))
			continue;
		if (*line) {
			session__msg(s, true, "usage: %s (no arguments)", vc);
			return REQ_NONE;
		}
		return views__request(id);
	}
	{
		struct suggest sg;

		suggest__init(&sg, name);
		for (int i = 0; cmd__name(i); i++)
			suggest__offer(&sg, cmd__name(i));
		for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
			suggest__offer(&sg, cmds[i].alias);
		if (suggest__best(&sg))
			session__msg(s, true,
				     "unknown command '%s' (did you mean '%s'? :help lists them)",
				     name, suggest__best(&sg));
		else
			session__msg(s, true, "unknown command '%s' (:help lists them)", name);
	}
	return REQ_NONE;
}

void cmd__help(void (*cb)(const char *line, bool heading, void *ctx), void *ctx)
{
	char line[256], usage[96];
	const char *vc, *help;

	cb("Commands (':' then TAB completes)", true, ctx);
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		snprintf(usage, sizeof(usage), "%s%s%s%s%s", cmds[i].name, cmds[i].alias ? "|" : "",
			 cmds[i].alias ? cmds[i].alias : "", *cmds[i].args ? " " : "",
			 cmds[i].args);
		snprintf(line, sizeof(line), "  :%-36s %s", usage, cmds[i].help);
		cb(line, false, ctx);
	}
	for (int i = 0; (vc = views__command(i, NULL, &help)); i++) {
		snprintf(line, sizeof(line), "  :%-36s %s", vc, help);
		cb(line, false, ctx);
	}
	cb("", false, ctx);
	cb("Settings (:set NAME VALUE)", true, ctx);
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		snprintf(line, sizeof(line), "  %-37s %s", settings[i].name, settings[i].help);
		cb(line, false, ctx);
	}
}

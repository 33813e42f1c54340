// SPDX-License-Identifier: GPL-2.0
/*
 * The ':' commands, one table: name, arguments, help and handler. The help
 * screen and TAB completion read the same table.
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
#include "format.h"
#include "selector.h"
#include "sink.h"
#include "snapshot.h"
#include "tui_int.h"
#include "watch.h"

struct tui_cmd {
	const char *name;
	const char *alias;
	const char *args;
	const char *help;
	void (*run)(struct tui *t, const char *arg);
};

static bool need_arena(struct tui *t)
{
	if (!t->src)
		tui_msg(t, true, "no arena open");
	return t->src != NULL;
}

static bool need_arg(struct tui *t, const char *arg, const char *usage)
{
	if (!*arg)
		tui_msg(t, true, "usage: %s", usage);
	return *arg;
}

static void c_print(struct tui *t, const char *arg)
{
	if (!need_arena(t) || !need_arg(t, arg, "print EXPR"))
		return;
	tui_struct_open(t, arg);
}

static void c_hex(struct tui *t, const char *arg)
{
	uint64_t addr;

	if (!need_arena(t) || !need_arg(t, arg, "hex ADDR|EXPR"))
		return;
	if (!tui_resolve_addr(t, arg, &addr))
		tui_hex_goto(t, addr);
}

static void c_goto(struct tui *t, const char *arg)
{
	uint64_t addr;

	if (!need_arena(t) || !need_arg(t, arg, "goto ADDR|EXPR"))
		return;
	if (tui_resolve_addr(t, arg, &addr))
		return;
	if (!source__contains(t->src, addr, 1)) {
		tui_msg(t, true, "0x%llx is outside the arena", (unsigned long long)addr);
		return;
	}
	if (t->cur == V_PAGES)
		pages__goto(&t->views[V_PAGES], (addr - t->src->info.user_vm_start) / PAGE_SZ);
	else
		tui_hex_goto(t, addr);
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

static void c_type(struct tui *t, const char *arg)
{
	const struct btf *btf;
	struct strbuf sb = {};
	struct lines l = {};
	uint32_t id;
	char name[256], head[400];

	if (!need_arena(t) || !need_arg(t, arg, "type NAME"))
		return;
	if (!t->bx) {
		tui_msg(t, true, "%s", t->btf_msg[0] ? t->btf_msg : "no BTF (yet)");
		return;
	}
	if (btfx__find_type(t->bx, arg, &btf, &id)) {
		tui_msg(t, true, "no type '%s' (TAB completes names)", arg);
		return;
	}
	if (btfq__dump_type(btf, id, &sb)) {
		tui_msg(t, true, "cannot show '%s'", arg);
		return;
	}
	if (fmt__type_name(btf, id, name, sizeof(name)))
		snprintf(name, sizeof(name), "%s", arg);
	snprintf(head, sizeof(head), "/* %s: BTF id %u, %lld bytes */", name, id,
		 (long long)btf__resolve_size(btf, id));
	lines_add(&l, head, strlen(head));
	if (sb.len)
		lines_from_text(&l, sb.buf);
	else
		lines_add(&l, name, strlen(name));
	strbuf_free(&sb);
	tui_text_show(t, arg, l.v, l.n);
}

static void c_watch(struct tui *t, const char *arg)
{
	if (!need_arena(t))
		return;
	if (!*arg) {
		tui_show(t, V_WATCH);
		return;
	}
	tui_watch_add(t, arg);
}

/* ---- :log FILE: the CLI's --log format (ui/cmd_watch.c), one JSON line
 * per event ---- */

void cmd__log_event(struct tui *t, const struct watch_event *ev)
{
	if (!t->log || t->log_err)
		return;
	cmd__log_initial(t, ev->w); /* a new watch's first event: its start first */
	watch_event__emit(t->log, ev, NULL);
	t->log_events++;
}

/* The value a watch starts from, as `watch --log` writes it: when a watch
 * is added while logging, and for every watch when a log starts. */
void cmd__log_initial(struct tui *t, const struct watch *w)
{
	struct timespec now;
	struct watch_event ev = { .kind = WATCH_EV_STATE, .w = w };

	if (!t->log || t->log_err || w->id <= t->log_initial_id)
		return;
	t->log_initial_id = w->id;
	clock_gettime(CLOCK_REALTIME, &now);
	ev.time_ns = (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec;
	watch_event__emit(t->log, &ev, "initial");
	t->log_events++;
}

static void log_write(void *ctx, const char *buf, size_t len)
{
	struct tui *t = ctx;

	errno = 0;
	if (!t->log_err && fwrite(buf, 1, len, t->logf) != len)
		t->log_err = errno ? errno : EIO;
}

/* Stop logging; -errno when the file did not get everything. */
static int log_stop(struct tui *t)
{
	int err = t->log_err;

	if (!t->logf)
		return 0;
	if (fclose(t->logf) && !err)
		err = errno ? errno : EIO;
	sink__free(t->log);
	free(t->log_path);
	t->log = NULL;
	t->logf = NULL;
	t->log_path = NULL;
	t->log_err = 0;
	t->log_events = 0;
	t->log_initial_id = 0;
	return -err;
}

static void log_failed(struct tui *t, int err)
{
	tui_msg(t, true, "cannot write log %s: %s (logging stopped)", t->log_path, strerror(err));
	log_stop(t);
}

void cmd__log_flush(struct tui *t)
{
	if (!t->logf)
		return;
	errno = 0;
	if (fflush(t->logf) && !t->log_err)
		t->log_err = errno ? errno : EIO;
	if (t->log_err)
		log_failed(t, t->log_err);
}

void cmd__log_close(struct tui *t)
{
	log_stop(t);
}

static void c_log(struct tui *t, const char *arg)
{
	uint64_t n = t->log_events;
	char old[256];
	int fd, err;

	if (!*arg && !t->logf) {
		tui_msg(t, false, "not logging: log FILE appends every watch event as a JSON line");
		return;
	}
	if (t->logf) {
		/* stop the current log first, also when switching files */
		snprintf(old, sizeof(old), "%s", t->log_path);
		cmd__log_flush(t);
		if (!t->logf)
			return;	/* the write error is on the status line */
		err = log_stop(t);
		if (err) {
			tui_msg(t, true, "cannot write log %s: %s", old, strerror(-err));
			return;
		}
		if (!*arg) {
			tui_msg(t, false, "log %s closed after %llu events", old, (unsigned long long)n);
			return;
		}
	}
	fd = open(arg, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	t->logf = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (!t->logf) {
		tui_msg(t, true, "cannot open log %s: %s", arg, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	t->log_path = strdup(arg);
	t->log = sink__new_json(log_write, t, false);
	if (!t->log || !t->log_path) {
		log_stop(t);
		tui_msg(t, true, "out of memory");
		return;
	}
	for (int i = 0; t->ws && i < watchset__count(t->ws); i++)
		cmd__log_initial(t, watchset__get(t->ws, i));
	tui_msg(t, false, "logging watch events to %s (JSON lines; ':log' stops)", arg);
}

/* :snapshot [--force] FILE (--force: FILE may be a symlink; the link is replaced) */
static void c_snapshot(struct tui *t, const char *arg)
{
	struct snapshot_write_opts wo = { .sudo_owner = true };

	if (!strncmp(arg, "--force", 7) && (arg[7] == ' ' || !arg[7])) {
		wo.force = true;
		arg += 7;
		arg += strspn(arg, " ");
	}
	if (!need_arena(t) || !need_arg(t, arg, "snapshot [--force] FILE"))
		return;
	if (snapshot__write_opts(t->src, t->bx, arg, &wo, NULL)) {
		tui_lib_msg(t, "snapshot");
		return;
	}
	tui_msg(t, false, "saved to %s", arg);
}

/* :diff FILE: compare the arena with a snapshot of it; no argument stops */
static void c_diff(struct tui *t, const char *arg)
{
	const struct arena_info *a, *b;
	struct source *snap;
	uint32_t nalloc, nfreed;
	char *path;

	if (!need_arena(t))
		return;
	if (!*arg) {
		if (!t->diff_src) {
			tui_msg(t, false,
				"no diff: diff FILE compares the arena with a snapshot of it");
			return;
		}
		tui_msg(t, false, "diff vs %s off", t->diff_path);
		tui_diff_set(t, NULL, NULL);
		return;
	}
	if (snapshot__open(arg, &snap)) {
		tui_lib_msg(t, "diff");
		return;
	}
	a = &t->src->info;
	b = &snap->info;
	if (!b->is_snapshot || b->max_pages != a->max_pages ||
	    b->user_vm_start != a->user_vm_start) {
		tui_msg(t, true,
			"diff: %s is a snapshot of %u pages at 0x%llx, "
			"not of this arena (%u pages at 0x%llx)",
			arg, b->max_pages, (unsigned long long)b->user_vm_start, a->max_pages,
			(unsigned long long)a->user_vm_start);
		source__close(snap);
		return;
	}
	path = strdup(arg);
	if (!path) {
		source__close(snap);
		tui_msg(t, true, "out of memory");
		return;
	}
	/* takes snap and path, also on error */
	if (tui_diff_set(t, snap, path)) {
		tui_lib_msg(t, "diff");
		return;
	}
	tui_diff_counts(t, &nalloc, &nfreed);
	tui_msg(t, false,
		"diff vs %s: %u pages allocated and %u freed since; ]/[ in hex: next/previous change",
		arg, nalloc, nfreed);
}

static void c_open(struct tui *t, const char *arg)
{
	char *copy = strdup(arg), *words[8], *save = NULL;
	struct selector sel;
	struct source *src;
	int n = 0, used;

	if (!copy)
		return;
	for (char *w = strtok_r(copy, " ", &save); w && n < 8; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	if (!n) {
		free(copy);
		tui_show(t, V_CHOOSER);
		return;
	}
	if (selector__parse(n, words, &sel, &used) || selector__open(&sel, cli_probe(), &src)) {
		tui_lib_msg(t, "open");
		free(copy);
		return;
	}
	free(copy);
	tui_open_arena(t, src);
}

/* ---- :set NAME VALUE: the settings, one table (help and completion
 * read it too) ---- */

struct tui_setting {
	const char *name;
	const char *help;
	int min, max;
	int *(*var)(struct tui *t);
	void (*changed)(struct tui *t);
};

static int *v_max_elements(struct tui *t)
{
	return &t->max_elements;
}

static void max_elements_changed(struct tui *t)
{
	struct__reset_caps(&t->views[V_STRUCT]);
}

static const struct tui_setting settings[] = {
	{ "max-elements", "array elements shown before \"... N more\" (Enter shows N more)",
	  1, 1 << 24, v_max_elements, max_elements_changed },
};

const char *cmd__setting_name(int i)
{
	return i >= 0 && i < (int)ARRAY_SIZE(settings) ? settings[i].name : NULL;
}

static void c_set(struct tui *t, const char *arg)
{
	char name[64], line[512];
	const char *val;
	size_t n = strcspn(arg, " =");
	int len = 0;

	if (!*arg) {
		/* every setting with its value, on the status line */
		for (size_t i = 0; i < ARRAY_SIZE(settings); i++)
			len += snprintf(line + len, sizeof(line) - len, "%s%s=%d", i ? "  " : "",
					settings[i].name, *settings[i].var(t));
		tui_msg(t, false, "%s   (:set NAME VALUE)", line);
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)n, arg);
	val = arg + n;
	while (*val == ' ' || *val == '=')
		val++;
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		const struct tui_setting *st = &settings[i];
		char *end;
		long v;

		if (strcmp(name, st->name))
			continue;
		if (!*val) {
			tui_msg(t, false, "%s=%d: %s", st->name, *st->var(t), st->help);
			return;
		}
		errno = 0;
		v = strtol(val, &end, 10);
		if (errno || *end || end == val || v < st->min || v > st->max) {
			tui_msg(t, true, "set %s: '%s' is not a number in %d..%d", st->name, val,
				st->min, st->max);
			return;
		}
		*st->var(t) = (int)v;
		if (st->changed)
			st->changed(t);
		tui_msg(t, false, "%s=%d", st->name, (int)v);
		return;
	}
	tui_msg(t, true, "set: no setting '%s' (:set lists them)", name);
}

static void c_help(struct tui *t, const char *arg)
{
	tui_help(t);
}

static void c_quit(struct tui *t, const char *arg)
{
	t->quit = true;
}

static const struct tui_cmd cmds[] = {
	{ "print", "p", "EXPR", "Show a typed value as a tree (root->next, *(struct t *)ADDR)", c_print },
	{ "hex", "x", "ADDR|EXPR", "Hex dump at an address or where an expression points", c_hex },
	{ "goto", NULL, "ADDR|EXPR", "Move the page map or hex cursor there", c_goto },
	{ "type", NULL, "NAME", "Show a type (struct node, u64, a typedef)", c_type },
	{ "watch", NULL, "[EXPR [if COND | changes]]", "Watch an expression; no argument: the watch pane", c_watch },
	{ "log", NULL, "[FILE]", "Append every watch event to FILE as JSON lines; no argument stops", c_log },
	{ "snapshot", NULL, "[--force] FILE", "Save the arena to a snapshot file (--force: replace a symlink there)", c_snapshot },
	{ "diff", NULL, "[FILE]", "Compare with a snapshot of this arena; no argument stops", c_diff },
	{ "open", NULL, "[id N | pinned PATH | name NAME | FILE]", "Open another arena (no argument: chooser)", c_open },
	{ "set", NULL, "[NAME [VALUE]]", "Change a setting (max-elements N); no argument lists them", c_set },
	{ "help", NULL, "", "Keys and commands", c_help },
	{ "quit", "q", "", "Quit", c_quit },
};

const char *cmd__name(int i)
{
	return i >= 0 && i < (int)ARRAY_SIZE(cmds) ? cmds[i].name : NULL;
}

void cmd__run(struct tui *t, const char *line)
{
	char name[32];
	size_t n;

	while (*line == ' ')
		line++;
	n = strcspn(line, " ");
	if (!n)
		return;
	snprintf(name, sizeof(name), "%.*s", (int)n, line);
	line += n;
	while (*line == ' ')
		line++;
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(name, cmds[i].name) && (!cmds[i].alias || strcmp(name, cmds[i].alias)))
			continue;
		/* trailing blanks are never part of an expression */
		{
			char *arg = strdup(line);
			size_t len;

			if (!arg)
				return;
			len = strlen(arg);
			while (len && arg[len - 1] == ' ')
				arg[--len] = 0;
			cmds[i].run(t, arg);
			free(arg);
		}
		return;
	}
	tui_msg(t, true, "unknown command '%s' (:help lists them)", name);
}

void cmd__help(void (*cb)(const char *line, bool heading, void *ctx), void *ctx)
{
	char line[256], usage[96];

	cb("Commands (':' then TAB completes)", true, ctx);
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		snprintf(usage, sizeof(usage), "%s%s%s%s%s", cmds[i].name, cmds[i].alias ? "|" : "",
			 cmds[i].alias ? cmds[i].alias : "", *cmds[i].args ? " " : "", cmds[i].args);
		snprintf(line, sizeof(line), "  :%-36s %s", usage, cmds[i].help);
		cb(line, false, ctx);
	}
	cb("", false, ctx);
	cb("Settings (:set NAME VALUE)", true, ctx);
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		snprintf(line, sizeof(line), "  %-37s %s", settings[i].name, settings[i].help);
		cb(line, false, ctx);
	}
}

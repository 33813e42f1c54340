// SPDX-License-Identifier: GPL-2.0
/*
 * The ':' commands, one table: name, arguments, help and handler. The help
 * screen and TAB completion read the same table.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "error.h"
#include "format.h"
#include "live.h"
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

static void lines_from_text(struct lines *l, const char *text)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		lines_add(l, text, len);
		text += len + (nl != NULL);
	}
}

static void dump_printf(void *ctx, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n > 0)
		strbuf_write(ctx, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void c_type(struct tui *t, const char *arg)
{
	const struct btf *btf;
	struct btf_dump *d;
	struct strbuf sb = {};
	struct lines l = {};
	uint32_t id;
	char name[256], head[400];
	const struct btf_type *ty;

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
	ty = btf__type_by_id(btf, id);
	if (fmt__type_name(btf, id, name, sizeof(name)))
		snprintf(name, sizeof(name), "%s", arg);
	snprintf(head, sizeof(head), "/* %s: BTF id %u, %lld bytes */", name, id,
		 (long long)btf__resolve_size(btf, id));
	lines_add(&l, head, strlen(head));
	d = btf_dump__new(btf, dump_printf, &sb, NULL);
	if (!d || !ty) {
		tui_msg(t, true, "cannot show '%s'", arg);
		btf_dump__free(d);
		return;
	}
	if (btf_dump__dump_type(d, id) == 0 && sb.len) {
		strbuf_write(&sb, "", 1);
		lines_from_text(&l, sb.buf);
	} else {
		lines_add(&l, name, strlen(name));
	}
	btf_dump__free(d);
	strbuf_free(&sb);
	tui_text_show(t, arg, l.v, l.n);
}

static void c_watch(struct tui *t, const char *arg)
{
	struct watch *w;
	struct lines l = {};

	if (!need_arena(t))
		return;
	if (!t->bx) {
		tui_msg(t, true, "%s", t->btf_msg[0] ? t->btf_msg : "no BTF (yet)");
		return;
	}
	if (!t->ws && watchset__new(t->src, t->bx, &t->ws)) {
		tui_lib_msg(t, "watch");
		return;
	}
	if (!*arg) {
		/* the watch pane is yet to come: list them as text meanwhile */
		for (int i = 0; i < watchset__count(t->ws); i++) {
			char line[512];

			w = watchset__get(t->ws, i);
			snprintf(line, sizeof(line), "%3d  %-40s %s  (%llu changes)", w->id, w->spec,
				 w->state == WATCH_OK ? (w->value ? w->value : "?") : w->err,
				 (unsigned long long)w->nr_changes);
			lines_add(&l, line, strlen(line));
		}
		if (!l.n) {
			tui_msg(t, false, "no watches: watch EXPR [if COND | changes]");
			return;
		}
		tui_text_show(t, "watches", l.v, l.n);
		return;
	}
	if (watchset__add(t->ws, arg, &w)) {
		tui_lib_msg(t, "watch");
		return;
	}
	/* a first sample now, so the value is there before the next tick */
	watchset__sample(t->ws, NULL, NULL);
	if (w->state == WATCH_OK)
		tui_msg(t, false, "watch %d: %s = %s (changes show here; ':watch' lists them)", w->id,
			w->spec, w->value ? w->value : "?");
	else
		tui_msg(t, true, "watch %d: %s: %s", w->id, w->spec, w->err);
}

static void c_snapshot(struct tui *t, const char *arg)
{
	if (!need_arena(t) || !need_arg(t, arg, "snapshot FILE"))
		return;
	if (snapshot__write(t->src, t->bx, arg)) {
		tui_lib_msg(t, "snapshot");
		return;
	}
	tui_msg(t, false, "saved to %s", arg);
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
	if (selector__parse(n, words, &sel, &used) || selector__open(&sel, &src)) {
		tui_lib_msg(t, "open");
		free(copy);
		return;
	}
	free(copy);
	tui_open_arena(t, src);
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
	{ "watch", NULL, "[EXPR [if COND | changes]]", "Watch an expression; no argument lists watches", c_watch },
	{ "snapshot", NULL, "FILE", "Save the arena to a snapshot file", c_snapshot },
	{ "open", NULL, "[id N | pinned PATH | name NAME | FILE]", "Open another arena (no argument: chooser)", c_open },
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
}

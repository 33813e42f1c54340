// SPDX-License-Identifier: GPL-2.0
/*
 * The ARENA grammar and the one place that picks the kind of source for a
 * selector: live arenas go to live.c, files to snapshot_read.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "live.h"
#include "remote.h"
#include "selector.h"
#include "snapshot.h"
#include "suggest.h"

const char selector__usage[] = "id ID | pinned PATH | name NAME | FILE | remote CMD | remote "
			       "HOST:PORT | ssh://[USER@]HOST[:PORT]/SELECTOR";

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	if (!s || !*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	x = strtoul(s, &end, 0);
	if (errno || *end || x > UINT32_MAX)
		return -EINVAL;
	*v = x;
	return 0;
}

/* "HOST:PORT" (no blank, no '/', a port of digits): TCP; else a command */
static bool is_host_port(const char *w)
{
	const char *c = strrchr(w, ':');

	if (!c || c == w || !c[1] || strpbrk(w, " \t/'\"|;&<>$()"))
		return false;
	for (const char *p = c + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return atol(c + 1) > 0 && atol(c + 1) <= 65535;
}

static int add_word(struct remote_target *t, const char *w, size_t n)
{
	size_t o = strlen(t->cmd);

	/* one word, quoted for the remote shell: 'it'\''s' */
	if (o + 2 * n + 8 >= sizeof(t->cmd))
		return -1;
	if (o)
		t->cmd[o++] = ' ';
	t->cmd[o++] = '\'';
	for (size_t i = 0; i < n; i++) {
		if (w[i] == '\'') {
			if (o + 4 >= sizeof(t->cmd) - 2)
				return -1;
			memcpy(t->cmd + o, "'\\''", 4);
			o += 4;
		} else {
			t->cmd[o++] = w[i];
		}
	}
	t->cmd[o++] = '\'';
	t->cmd[o] = '\0';
	return 0;
}

/* ssh://[USER@]HOST[:PORT]/SELECTOR */
static int parse_ssh(const char *url, struct selector *sel)
{
	struct remote_target *t = &sel->remote;
	const char *h = url + 6, *slash = strchr(h, '/'), *sel_s, *colon;
	size_t hl;

	sel->kind = SEL_REMOTE;
	t->kind = REMOTE_SSH;
	if (!slash || slash == h || !slash[1])
		return ai_err(EINVAL, "'%.200s': expected ssh://[USER@]HOST[:PORT]/SELECTOR", url);
	hl = slash - h;
	/* the port's ':' comes after any USER@, and after the ']' of a [v6] */
	{
		const char *at = memchr(h, '@', hl), *hs = at ? at + 1 : h;
		const char *rb = *hs == '[' ? memchr(hs, ']', slash - hs) : NULL;

		if (*hs == '[')
			colon = rb ? memchr(rb, ':', slash - rb) : NULL;
		else
			colon = memchr(hs, ':', slash - hs);
	}
	if (colon) {
		size_t pl = slash - colon - 1;

		if (!pl || pl >= sizeof(t->port) || strspn(colon + 1, "0123456789") < pl)
			return ai_err(EINVAL, "'%.200s': the port is not a number", url);
		memcpy(t->port, colon + 1, pl);
		hl = colon - h;
	}
	if (!hl || hl >= sizeof(t->host) || h[0] == '-')
		return ai_err(EINVAL, "'%.200s': expected a host", url);
	memcpy(t->host, h, hl);
	/* ssh takes a v6 address without its brackets (USER@::1) */
	{
		char *lb = strchr(t->host, '['), *rb = strchr(t->host, ']');

		if (lb && rb && rb > lb && !rb[1]) {
			*rb = '\0';
			memmove(lb, lb + 1, strlen(lb + 1) + 1);
		}
	}
	sel_s = slash + 1;
	if (!strncmp(sel_s, "id/", 3) || !strncmp(sel_s, "name/", 5)) {
		const char *v = strchr(sel_s, '/') + 1;

		if (!*v)
			return ai_err(EINVAL, "'%.200s': the selector lacks its argument", url);
		if (add_word(t, sel_s, v - 1 - sel_s) || add_word(t, v, strlen(v)))
			goto long_;
	} else if (!strncmp(sel_s, "pinned/", 7)) {
		const char *v = sel_s + 6; /* keep the '/': the path is absolute */

		while (v[1] == '/')
			v++;
		if (!v[1])
			return ai_err(EINVAL, "'%.200s': pinned needs a path", url);
		if (add_word(t, "pinned", 6) || add_word(t, v, strlen(v)))
			goto long_;
	} else {
		if (add_word(t, sel_s, strlen(sel_s)))
			goto long_;
	}
	return 0;
long_:
	return ai_err(ENAMETOOLONG, "'%.40s...' is too long", url);
}

int selector__parse(int argc, char **argv, struct selector *sel, int *used)
{
	memset(sel, 0, sizeof(*sel));
	*used = 0;
	if (argc < 1)
		return ai_err(EINVAL, "expected an arena: %s", selector__usage);
	if (!strncmp(argv[0], "ssh://", 6)) {
		*used = 1;
		return parse_ssh(argv[0], sel);
	}
	if (!strcmp(argv[0], "remote")) {
		struct remote_target *t = &sel->remote;

		if (argc < 2 || !*argv[1])
			return ai_err(EINVAL, "'remote' needs a command or HOST:PORT: %s",
				      selector__usage);
		*used = 2;
		sel->kind = SEL_REMOTE;
		if (is_host_port(argv[1])) {
			const char *c = strrchr(argv[1], ':');
			size_t hl = c - argv[1];

			t->kind = REMOTE_TCP;
			if (argv[1][0] == '[' && c[-1] == ']') {
				argv[1]++;
				hl -= 2;
			}
			if (hl >= sizeof(t->host))
				return ai_err(ENAMETOOLONG, "'%.40s...' is too long", argv[1]);
			memcpy(t->host, argv[1], hl);
			snprintf(t->port, sizeof(t->port), "%s", c + 1);
			return 0;
		}
		t->kind = REMOTE_CMD;
		if (strlen(argv[1]) >= sizeof(t->cmd))
			return ai_err(ENAMETOOLONG, "'%.40s...' is too long", argv[1]);
		strcpy(t->cmd, argv[1]);
		return 0;
	}
	if (!strcmp(argv[0], "id") || !strcmp(argv[0], "pinned") || !strcmp(argv[0], "name")) {
		if (argc < 2)
			return ai_err(EINVAL, "'%s' needs an argument: %s", argv[0],
				      selector__usage);
		*used = 2;
		if (argv[0][0] == 'i') {
			sel->kind = SEL_ID;
			if (parse_u32(argv[1], &sel->id))
				return ai_err(EINVAL, "'%s' is not a map id", argv[1]);
			return 0;
		}
		sel->kind = argv[0][0] == 'p' ? SEL_PINNED : SEL_NAME;
		if (strlen(argv[1]) >= sizeof(sel->arg))
			return ai_err(ENAMETOOLONG, "'%.40s...' is too long", argv[1]);
		strcpy(sel->arg, argv[1]);
		return 0;
	}
	*used = 1;
	sel->kind = SEL_FILE;
	if (strlen(argv[0]) >= sizeof(sel->arg))
		return ai_err(ENAMETOOLONG, "'%.40s...' is too long", argv[0]);
	strcpy(sel->arg, argv[0]);
	return 0;
}

int selector__open(const struct selector *sel, struct probe *probe, struct source **out)
{
	struct stat st;

	if (sel->kind == SEL_REMOTE)
		return remote__open(&sel->remote, out);
	if (sel->kind != SEL_FILE)
		return live__open(sel, probe, out);
	if (stat(sel->arg, &st)) {
		int err = errno;
		static const char *const words[] = { "id", "pinned", "name" };
		struct suggest sg;

		/* "idd 42": a typo of a selector word, not a file name */
		suggest__init(&sg, err == ENOENT && !strchr(sel->arg, '/') ? sel->arg : NULL);
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			suggest__offer(&sg, words[i]);
		if (suggest__best(&sg))
			return ai_err(err, "%s: %s (did you mean '%s'? an ARENA is %s)", sel->arg,
				      strerror(err), suggest__best(&sg), selector__usage);
		return ai_err(err, "%s: %s (an ARENA is %s)", sel->arg, strerror(err),
			      selector__usage);
	}
	if (!S_ISREG(st.st_mode))
		return ai_err(EINVAL, "%s is not a snapshot file (an ARENA is %s)", sel->arg,
			      selector__usage);
	return snapshot__open(sel->arg, out);
}

int source__open_args(int argc, char **argv, struct probe *probe, int *used, struct source **out)
{
	struct selector sel;
	int err = selector__parse(argc, argv, &sel, used);

	if (err)
		return err;
	return selector__open(&sel, probe, out);
}

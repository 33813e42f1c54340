// SPDX-License-Identifier: GPL-2.0
/*
 * The ARENA grammar and the one place that picks the kind of source for a
 * selector: live arenas go to live.c, files to snapshot_read.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "live.h"
#include "selector.h"
#include "snapshot.h"
#include "suggest.h"

const char selector__usage[] = "id ID | pinned PATH | name NAME | FILE";

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

int selector__parse(int argc, char **argv, struct selector *sel, int *used)
{
	memset(sel, 0, sizeof(*sel));
	*used = 0;
	if (argc < 1)
		return ai_err(EINVAL, "expected an arena: %s", selector__usage);
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

// SPDX-License-Identifier: GPL-2.0
/*
 * The view registry's tables (the rows are in views.h): each view's ops,
 * flags, opening key, help heading, request and ':' command, and the Tab
 * cycle. The engine, the key table and the command table read them here.
 */
#include <stdio.h>
#include "tui_int.h"

struct view_row {
	const struct view_ops *ops;
	const char *section;
	int key;
	int flags;
	const char *command;
	const char *help;
	enum request req;
};

#define VIEW_ROW(id, o, sec, k, fl, h, cmd) \
	[V_##id] = { .ops = &o,             \
		     .section = sec,        \
		     .key = k,              \
		     .flags = fl,           \
		     .command = cmd,        \
		     .help = h,             \
		     .req = REQ_VIEW_##id },
static const struct view_row rows[V__NR] = { VIEW_INFO(VIEW_ROW) };
#undef VIEW_ROW

const struct view_ops *views__ops(enum view_id id)
{
	return rows[id].ops;
}

int views__flags(enum view_id id)
{
	return rows[id].flags;
}

const char *views__section(enum view_id id)
{
	return rows[id].section;
}

enum request views__request(enum view_id id)
{
	return rows[id].req;
}

bool views__of_request(enum request req, enum view_id *id)
{
	for (int i = 0; i < V__NR; i++)
		if (rows[i].req == req) {
			*id = i;
			return true;
		}
	return false;
}

int views__cycle(int i)
{
	for (int id = 0; id < V__NR; id++)
		if ((rows[id].flags & VF_CYCLE) && i-- == 0)
			return id;
	return -1;
}

/* a cycle view without a key of its own: Alt and its place in the cycle,
 * 1.. (the digits alone are counts: 10j) */
int views__key(enum view_id id)
{
	if (rows[id].key || !(rows[id].flags & VF_CYCLE))
		return rows[id].key;
	for (int i = 0; views__cycle(i) >= 0; i++)
		if (views__cycle(i) == (int)id)
			return i < 9 ? KEY_ALT('1' + i) : 0;
	return 0;
}

const char *views__command(int i, enum view_id *id, const char **help)
{
	for (int v = 0; v < V__NR; v++) {
		if (!rows[v].command || i-- > 0)
			continue;
		if (id)
			*id = v;
		if (help)
			*help = rows[v].help;
		return rows[v].command;
	}
	return NULL;
}

// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "ticks.h"

bool ticks_cb(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	struct ticks *t = ctx;

	if (t->n && !strcmp(t->what, what) && done < t->last_done)
		t->monotonic = false;
	t->n++;
	t->last_done = done;
	t->total = total;
	snprintf(t->what, sizeof(t->what), "%s", what);
	return t->cancel_at && t->n >= t->cancel_at;
}

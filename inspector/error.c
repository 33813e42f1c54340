// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include "error.h"

static __thread char errbuf[512];

int ai_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return err > 0 ? -err : err;
}

const char *ai_errmsg(void)
{
	return errbuf;
}

void ai_err_clear(void)
{
	errbuf[0] = '\0';
}

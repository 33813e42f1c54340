// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"

static __thread char errbuf[512];

int ai_err(int err, const char *fmt, ...)
{
	char tmp[sizeof(errbuf)];
	va_list ap;

	/* the arguments may quote the previous message: format aside first */
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memcpy(errbuf, tmp, sizeof(errbuf));
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

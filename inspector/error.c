// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
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

static ai_msg_fn msg_fn;
static void *msg_ctx;
static char libbpf_last[512];

void ai_set_msg_handler(ai_msg_fn fn, void *ctx)
{
	msg_fn = fn;
	msg_ctx = ctx;
}

static int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[sizeof(libbpf_last)];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (!n)
		return 0;
	memcpy(libbpf_last, buf, sizeof(buf));
	if (msg_fn)
		msg_fn(buf, msg_ctx);
	return 0;
}

void ai_libbpf_capture(void)
{
	libbpf_set_print(capture_print);
}

const char *ai_libbpf_last(void)
{
	return libbpf_last;
}

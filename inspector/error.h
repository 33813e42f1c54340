/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Errors: every fallible function returns a negative errno (or NULL) and
 * leaves one human sentence in a thread-local buffer that the UI shows.
 * The library itself never prints.
 */
#ifndef ARENA_INSPECT_ERROR_H
#define ARENA_INSPECT_ERROR_H

#include <stdarg.h>

/* Record the message for the failure being returned; returns -err (err > 0) */
int ai_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last message set by ai_err() in this thread ("" if none). */
const char *ai_errmsg(void);
void ai_err_clear(void);

#endif

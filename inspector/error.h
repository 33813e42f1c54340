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

/*
 * libbpf prints through one process-wide callback, to stderr by default.
 * The library never prints: ai_libbpf_capture() installs a callback that
 * keeps libbpf's last warning (ai_libbpf_last()) and hands every warning
 * and info line, trailing newline removed, to the application's message
 * handler, if one is set; debug lines are dropped. An application that
 * calls libbpf itself (the TUI's btf_dump) installs it; the probe swaps in
 * its own callback around its libbpf calls and puts back whichever was
 * installed (probe.h). Not for use from several threads at once.
 */
typedef void (*ai_msg_fn)(const char *msg, void *ctx);
void ai_set_msg_handler(ai_msg_fn fn, void *ctx);
void ai_libbpf_capture(void);
const char *ai_libbpf_last(void);

#endif

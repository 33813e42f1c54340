/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command history file, opened so that nobody else can redirect it:
 * $XDG_STATE_HOME/arena-inspect/history (or ~/.local/state/...). The
 * directory is created 0700 and must be ours and writable by nobody else;
 * the file is opened with O_NOFOLLOW (created 0600) and must be a regular
 * file of ours that nobody else can write. Every check is made on the
 * descriptors that are then used (fstat, openat), never on a name that is
 * opened again, so there is no window between check and use. readline's own
 * read_history/append_history open by name: they are not used.
 * No curses and no readline here (unit-tested on its own).
 */
#ifndef ARENA_INSPECT_TUI_HIST_H
#define ARENA_INSPECT_TUI_HIST_H

#include <stddef.h>

/* The history directory from the environment into buf; -ENOENT when
 * neither XDG_STATE_HOME nor HOME is set. */
int hist__dir(char *buf, size_t len);

/* Open (creating the directory and the file) DIR/history for reading and
 * appending. Returns the fd, or -errno with a one-line reason in msg
 * ("... is a symbolic link", "... is not owned by you", ...). */
int hist__open(const char *dir, char *msg, size_t len);

/* Every line of the file, oldest first, to fn. Returns 0 or -errno. */
int hist__read(int fd, void (*fn)(const char *line, void *ctx), void *ctx);

/* Append one line (a line with a newline in it is not stored). */
int hist__append(int fd, const char *line);

/* Keep only the last max lines of the file. Returns 0 or -errno. */
int hist__trim(int fd, int max);

#endif

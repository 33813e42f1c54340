/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to snapshot_write.c: where a snapshot file goes (snapshot_target.c).
 * The directory is opened once and everything happens relative to it: the
 * checks of the name and of the symlinks on the way, the temp file, the
 * rename. Errors are negative errno with a message naming the path.
 */
#ifndef ARENA_INSPECT_SNAPSHOT_TARGET_H
#define ARENA_INSPECT_SNAPSHOT_TARGET_H

#include <stdbool.h>

struct snapshot_target {
	const char *path; /* as given, for messages */
	char *dir;	  /* directory part ("." for a bare name) */
	const char *base; /* file name, inside path */
	int dirfd;
};

/* Check path and open its directory. *t is set up even on error: call
 * snapshot_target__free(t) in every case. force: a symlink at path is
 * replaced (the link, never what it names). */
int snapshot_target__open(const char *path, bool force, struct snapshot_target *t);
void snapshot_target__free(struct snapshot_target *t);

/* A new file .BASE.XXXXXX beside the target, 0600: its fd, *tmp its name
 * (to free); a negative errno on error, *tmp NULL. */
int snapshot_target__open_temp(const struct snapshot_target *t, char **tmp);

/* As root with SUDO_UID (and SUDO_GID) numbers, give the file we created
 * (fd) to that user; 0 when there is nothing to do. */
int snapshot_target__give_to_sudo_user(const struct snapshot_target *t, int fd);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * The history file, safely: see tui_hist.h. The TUI may run as root with
 * the user's environment, so a history path that leads elsewhere (a
 * symbolic link, a directory someone else can write) must never be
 * written through.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tui_hist.h"

#define HIST_NAME "history"

int hist__dir(char *buf, size_t len)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (state && *state)
		n = snprintf(buf, len, "%s/arena-inspect", state);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.local/state/arena-inspect", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int refuse(char *msg, size_t len, int err, const char *fmt, const char *path)
{
	snprintf(msg, len, fmt, path);
	return -err;
}

int hist__open(const char *dir, char *msg, size_t len)
{
	char parents[PATH_MAX];
	struct stat st;
	int dfd, fd, err;

	if (snprintf(parents, sizeof(parents), "%s", dir) >= (int)sizeof(parents))
		return refuse(msg, len, ENAMETOOLONG, "history directory name too long: %s", dir);
	/* mkdir -p; what is already there is checked below (the last part) */
	for (char *p = parents + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(parents, 0700);
			*p = '/';
		}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = errno;
		snprintf(msg, len, "cannot create %s: %s", dir, strerror(err));
		return -err;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		err = errno;
		if (err == ELOOP || err == ENOTDIR)
			return refuse(msg, len, err, "%s is a symbolic link or not a directory",
				      dir);
		snprintf(msg, len, "cannot open %s: %s", dir, strerror(err));
		return -err;
	}
	if (fstat(dfd, &st)) {
		err = errno;
		close(dfd);
		snprintf(msg, len, "cannot stat %s: %s", dir, strerror(err));
		return -err;
	}
	if (st.st_uid != geteuid()) {
		close(dfd);
		return refuse(msg, len, EPERM, "%s is not owned by you", dir);
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		close(dfd);
		return refuse(msg, len, EPERM, "%s is writable by others", dir);
	}
	/* O_NONBLOCK: a FIFO put there must not hang the open */
	fd = openat(dfd, HIST_NAME,
		    O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	err = errno;
	close(dfd);
	if (fd < 0) {
		if (err == ELOOP)
			return refuse(msg, len, err, "%s/" HIST_NAME " is a symbolic link", dir);
		snprintf(msg, len, "cannot open %s/" HIST_NAME ": %s", dir, strerror(err));
		return -err;
	}
	if (fstat(fd, &st)) {
		err = errno;
		close(fd);
		snprintf(msg, len, "cannot stat %s/" HIST_NAME ": %s", dir, strerror(err));
		return -err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return refuse(msg, len, EINVAL, "%s/" HIST_NAME " is not a regular file", dir);
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		return refuse(msg, len, EPERM, "%s/" HIST_NAME " is not owned by you", dir);
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		close(fd);
		return refuse(msg, len, EPERM, "%s/" HIST_NAME " is writable by others", dir);
	}
	fcntl(fd, F_SETFL, O_APPEND);
	return fd;
}

/* The whole file from offset 0 (the fd's offset is left alone). */
static int slurp(int fd, char **out, size_t *outlen)
{
	size_t cap = 4096, len = 0; /* bytes to start with, not a page */
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;

			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = pread(fd, buf + len, cap - len, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			free(buf);
			return -err;
		}
		if (n == 0)
			break;
		len += n;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

int hist__read(int fd, void (*fn)(const char *line, void *ctx), void *ctx)
{
	char *buf, *p, *end;
	size_t len;
	int err = slurp(fd, &buf, &len);

	if (err)
		return err;
	for (p = buf, end = buf + len; p < end;) {
		char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = strndup(p, n);

		if (!line) {
			free(buf);
			return -ENOMEM;
		}
		if (*line)
			fn(line, ctx);
		free(line);
		p += n + 1;
	}
	free(buf);
	return 0;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w;
		n -= w;
	}
	return 0;
}

int hist__append(int fd, const char *line)
{
	size_t n = strlen(line);
	char *rec;
	int err;

	if (!n || strchr(line, '\n'))
		return 0;
	/* one write, so concurrent sessions do not interleave within a line */
	rec = malloc(n + 1);
	if (!rec)
		return -ENOMEM;
	memcpy(rec, line, n);
	rec[n] = '\n';
	err = write_all(fd, rec, n + 1);
	free(rec);
	return err;
}

int hist__trim(int fd, int max)
{
	char *buf, *p;
	size_t len;
	int lines = 0, err = slurp(fd, &buf, &len);

	if (err)
		return err;
	/* from the end back to the start of the max-th last line */
	p = buf + len;
	if (p > buf && p[-1] == '\n')
		p--;
	while (p > buf) {
		if (p[-1] == '\n' && ++lines == max)
			break;
		p--;
	}
	if (p > buf) {
		size_t keep = len - (p - buf);

		/* O_APPEND: after the truncation the write lands at 0 */
		if (ftruncate(fd, 0))
			err = -errno;
		else
			err = write_all(fd, p, keep);
	}
	free(buf);
	return err;
}

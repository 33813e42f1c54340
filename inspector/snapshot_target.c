// SPDX-License-Identifier: GPL-2.0
/*
 * snapshot_target: where a snapshot file goes, and how it gets there
 * safely: the checks of the name and of the symlinks on the way, the temp
 * file beside the target, and the owner under sudo. snapshot_write.c writes
 * the temp file and renames it over the target.
 *
 * Everything happens relative to one open directory: the check of the
 * name, the temp file, the rename. The temp file is created with
 * O_EXCL|O_NOFOLLOW (never through a link someone planted), and rename()
 * replaces the name itself, whatever it is, never a file a symlink there
 * points to. So a symlink at the target is refused unless the caller says
 * force, and then the link is what gets replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "snapshot_target.h"

static int terr(const struct snapshot_target *t, int err)
{
	return ai_err(err, "cannot write snapshot %s: %s", t->path, strerror(err));
}

void snapshot_target__free(struct snapshot_target *t)
{
	if (t->dirfd >= 0)
		close(t->dirfd);
	free(t->dir);
}

/*
 * A symlink among the directories of the path is followed, as the user
 * expects (/var/run -> /run), unless it sits in a directory that others can
 * write (/tmp) and belongs neither to us nor to that directory's owner: then
 * anyone could have planted it to send the file elsewhere. The kernel's
 * fs.protected_symlinks has the same rule; we do not rely on the sysctl.
 * A sticky directory keeps others from swapping the entries we checked.
 */
static int check_link(const struct snapshot_target *t, char *pfx)
{
	struct stat ls, ps;
	char *slash;
	int err;

	if (lstat(pfx, &ls) || !S_ISLNK(ls.st_mode))
		return 0; /* not a link; a missing directory fails at open */
	/* the directory holding the link */
	slash = strrchr(pfx, '/');
	if (slash == pfx) {
		err = stat("/", &ps);
	} else if (slash) {
		*slash = '\0';
		err = stat(pfx, &ps);
		*slash = '/';
	} else {
		err = stat(".", &ps);
	}
	if (err || !(ps.st_mode & S_IWOTH) || ls.st_uid == geteuid() || ls.st_uid == ps.st_uid)
		return 0;
	return ai_err(EPERM,
		      "cannot write snapshot %s: %s is a symlink owned by uid %u in a directory "
		      "others can write; refusing to follow it",
		      t->path, pfx, (unsigned)ls.st_uid);
}

static int check_dirs(const struct snapshot_target *t)
{
	char *pfx = strdup(t->dir);
	size_t len;
	int err = 0;

	if (!pfx)
		return ai_err(ENOMEM, "cannot write snapshot %s: out of memory", t->path);
	len = strlen(pfx);
	/* every prefix that ends a component: "a", "a/b", ... */
	for (size_t i = 1; i <= len && !err; i++) {
		char save;

		if ((i < len && pfx[i] != '/') || pfx[i - 1] == '/')
			continue;
		save = pfx[i];
		pfx[i] = '\0';
		err = check_link(t, pfx);
		pfx[i] = save;
	}
	free(pfx);
	return err;
}

int snapshot_target__open(const char *path, bool force, struct snapshot_target *t)
{
	const char *slash = strrchr(path, '/');
	struct stat sb;
	int err;

	*t = (struct snapshot_target){ .path = path, .dirfd = -1 };
	t->base = slash ? slash + 1 : path;
	if (!*t->base || !strcmp(t->base, ".") || !strcmp(t->base, ".."))
		return ai_err(EISDIR, "cannot write snapshot %s: a file name is needed", path);
	if (slash == path)
		t->dir = strdup("/");
	else if (slash)
		t->dir = strndup(path, slash - path);
	else
		t->dir = strdup(".");
	if (!t->dir)
		return ai_err(ENOMEM, "cannot write snapshot %s: out of memory", path);
	err = check_dirs(t);
	if (err)
		return err;
	t->dirfd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->dirfd < 0)
		return ai_err(errno, "cannot write snapshot %s: %s", path, strerror(errno));
	if (fstatat(t->dirfd, t->base, &sb, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0
				       : ai_err(errno, "cannot write snapshot %s: %s", path,
						strerror(errno));
	if (S_ISLNK(sb.st_mode)) {
		char to[256];
		ssize_t n;

		if (force)
			return 0; /* rename replaces the link, not what it names */
		n = readlinkat(t->dirfd, t->base, to, sizeof(to) - 1);
		to[n > 0 ? n : 0] = '\0';
		return ai_err(EEXIST,
			      "cannot write snapshot %s: it is a symlink (to %s); refusing to "
			      "write through it (--force replaces the link itself)",
			      path, n > 0 ? to : "?");
	}
	/* a rename would swap a device node, FIFO or socket for a regular
	 * file: -o /dev/null must not destroy /dev/null */
	if (S_ISDIR(sb.st_mode))
		return ai_err(EISDIR, "cannot write snapshot %s: it is a directory", path);
	if (!S_ISREG(sb.st_mode))
		return ai_err(EEXIST,
			      "cannot write snapshot %s: it exists and is not a regular file "
			      "(device, FIFO or socket); refusing to replace it",
			      path);
	return 0;
}

/* A new file .BASE.XXXXXX beside the target, 0600; *tmp is its name. */
int snapshot_target__open_temp(const struct snapshot_target *t, char **tmp)
{
	for (int i = 0; i < 100; i++) {
		uint32_t r;
		int fd;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (uint32_t)getpid() * 2654435761u + i;
		if (asprintf(tmp, ".%s.%06x", t->base, r & 0xffffff) < 0) {
			*tmp = NULL;
			return terr(t, ENOMEM);
		}
		fd = openat(t->dirfd, *tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd >= 0) {
			/* the umask may only take bits away; say 0600 anyway */
			fchmod(fd, 0600);
			return fd;
		}
		free(*tmp);
		*tmp = NULL;
		if (errno != EEXIST)
			return terr(t, errno);
	}
	return terr(t, EEXIST);
}

/*
 * As root under sudo, the file goes to the user who ran sudo (SUDO_UID,
 * SUDO_GID), so that they can open it; a value that is not a number is
 * ignored. Only the temp file we created is given away, before it is
 * renamed into place: never a directory, never a file that was there.
 */
static bool env_id(const char *name, uint32_t *id)
{
	const char *s = getenv(name);
	unsigned long long v = 0;

	if (!s || !*s || strlen(s) > 10)
		return false;
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		v = v * 10 + (*c - '0');
	}
	if (v >= UINT32_MAX) /* (uid_t)-1 means "no change" to chown */
		return false;
	*id = v;
	return true;
}

int snapshot_target__give_to_sudo_user(const struct snapshot_target *t, int fd)
{
	uint32_t uid, gid;
	bool has_gid;

	if (geteuid() != 0 || !env_id("SUDO_UID", &uid))
		return 0;
	has_gid = env_id("SUDO_GID", &gid);
	if (fchown(fd, uid, has_gid ? gid : (gid_t)-1))
		return ai_err(errno,
			      "cannot write snapshot %s: giving it to SUDO_UID %u: %s (unset "
			      "SUDO_UID to keep it root's)",
			      t->path, uid, strerror(errno));
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Who uses an arena: the programs that reference it, found through the BPF
 * syscalls, and the processes that hold an fd to it or map it, found by a
 * scan of /proc. Nothing here touches the arena itself.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "live.h"
#include "owners.h"

static int id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Programs whose map_ids contain the arena. */
void owners__find_progs(struct arena_info *ai)
{
	uint32_t cur = 0;

	ai->nr_progs = 0;
	while (!bpf_prog_get_next_id(cur, &cur)) {
		struct bpf_prog_info pi;
		uint32_t ids[64] = {}; /* the kernel fills it; valgrind cannot see that */
		__u32 len = sizeof(pi);
		int fd = bpf_prog_get_fd_by_id(cur);

		if (fd < 0)
			continue;
		memset(&pi, 0, sizeof(pi));
		pi.nr_map_ids = 64;
		pi.map_ids = (uintptr_t)ids;
		if (!bpf_obj_get_info_by_fd(fd, &pi, &len)) {
			for (uint32_t i = 0; i < pi.nr_map_ids && i < 64; i++) {
				if (ids[i] == ai->map_id && ai->nr_progs < 64) {
					ai->prog_ids[ai->nr_progs++] = cur;
					break;
				}
			}
		}
		close(fd);
	}
}

static void add_owner(struct arena_info *ai, int pid)
{
	for (uint32_t i = 0; i < ai->nr_owners; i++)
		if (ai->owner_pids[i] == pid)
			return;
	if (ai->nr_owners < 64)
		ai->owner_pids[ai->nr_owners++] = pid;
}

/* Does /proc/PID/fdinfo say some fd of PID is this map? */
static bool pid_holds_map(const char *pid, uint32_t map_id)
{
	char path[320], link[64], line[128];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		FILE *f;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, "anon_inode:bpf-map"))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned v;

			if (sscanf(line, "map_id: %u", &v) == 1) {
				found = v == map_id;
				break;
			}
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

static bool pid_maps_arena(const char *pid, uint64_t start)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long long lo;

		if (sscanf(line, "%llx-", &lo) == 1 && lo == start && strstr(line, "bpf-map"))
			found = true;
	}
	fclose(f);
	return found;
}

/* Processes that hold an fd to the arena or map it (our own pid excluded). */
void owners__find_pids(struct arena_info *ai)
{
	char self[16];
	struct dirent *de;
	DIR *d = opendir("/proc");

	ai->nr_owners = 0;
	if (!d)
		return;
	snprintf(self, sizeof(self), "%d", getpid());
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]) || !strcmp(de->d_name, self))
			continue;
		if ((ai->user_vm_start && pid_maps_arena(de->d_name, ai->user_vm_start)) ||
		    pid_holds_map(de->d_name, ai->map_id))
			add_owner(ai, atoi(de->d_name));
	}
	closedir(d);
	qsort(ai->owner_pids, ai->nr_owners, sizeof(ai->owner_pids[0]), id_cmp);
}

int live__owner_comm(int pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0) {
		buf[0] = '\0';
		return -EIO;
	}
	/* the kernel ends it with a newline; a NUL inside would cut it */
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/* The TUI's history file (ui/tui_hist.c, issue 11 item 8): never written
 * through a symbolic link, created 0700/0600, refused when someone else
 * owns it or can write it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "tui_hist.h"

static char tmp[64], dir[256], file[PATH_MAX], victim[PATH_MAX];

static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/test_tui_hist-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(dir, sizeof(dir), "%s/state/arena-inspect", tmp);
	snprintf(file, sizeof(file), "%s/history", dir);
	snprintf(victim, sizeof(victim), "%s/victim", tmp);
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

struct lines {
	char text[1024];
	int n;
};

static void collect(const char *line, void *ctx)
{
	struct lines *l = ctx;

	strncat(l->text, line, sizeof(l->text) - strlen(l->text) - 2);
	strcat(l->text, "|");
	l->n++;
}

static void creates_private_and_keeps_lines(void **state)
{
	struct lines l = {};
	struct stat st;
	char msg[256];
	int fd;

	setenv("XDG_STATE_HOME", tmp, 1);
	assert_int_equal(hist__dir(msg, sizeof(msg)), 0);
	assert_string_equal(msg, strcat(strcpy((char[PATH_MAX]){ 0 }, tmp), "/arena-inspect"));

	fd = hist__open(dir, msg, sizeof(msg));
	assert_true(fd >= 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(hist__append(fd, "print *head"), 0);
	assert_int_equal(hist__append(fd, "two\nlines"), 0); /* not stored */
	for (int i = 0; i < 5; i++) {
		char line[32];

		snprintf(line, sizeof(line), "watch x%d", i);
		assert_int_equal(hist__append(fd, line), 0);
	}
	assert_int_equal(hist__read(fd, collect, &l), 0);
	assert_int_equal(l.n, 6);
	assert_string_equal(l.text, "print *head|watch x0|watch x1|watch x2|watch x3|watch x4|");
	assert_int_equal(hist__trim(fd, 3), 0);
	assert_string_equal(get(file), "watch x2\nwatch x3\nwatch x4\n");
	/* appending after a trim goes to the end, not over the kept lines */
	assert_int_equal(hist__append(fd, "quit"), 0);
	assert_string_equal(get(file), "watch x2\nwatch x3\nwatch x4\nquit\n");
	close(fd);
}

/* the reported bug: the history a link to another file */
static void refuses_a_symbolic_link(void **state)
{
	char msg[256];
	int fd;

	fd = hist__open(dir, msg, sizeof(msg));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(unlink(file), 0);
	put(victim, "precious\n");
	assert_int_equal(symlink(victim, file), 0);
	fd = hist__open(dir, msg, sizeof(msg));
	assert_int_equal(fd, -ELOOP);
	assert_non_null(strstr(msg, "history is a symbolic link"));
	assert_string_equal(get(victim), "precious\n");

	/* a dangling link is not created through either */
	assert_int_equal(unlink(victim), 0);
	assert_int_equal(hist__open(dir, msg, sizeof(msg)), -ELOOP);
	assert_int_equal(access(victim, F_OK), -1);

	/* nor a directory that is a link */
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(mkdir(victim, 0700), 0);
	assert_int_equal(symlink(victim, dir), 0);
	assert_true(hist__open(dir, msg, sizeof(msg)) < 0);
	assert_non_null(strstr(msg, "symbolic link"));
	assert_int_equal(access(strcat(victim, "/history"), F_OK), -1);
}

static void refuses_what_others_can_write(void **state)
{
	char msg[256];
	int fd;

	fd = hist__open(dir, msg, sizeof(msg));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(file, 0622), 0);
	assert_int_equal(hist__open(dir, msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "history is writable by others"));
	assert_int_equal(chmod(file, 0600), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(hist__open(dir, msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "arena-inspect is writable by others"));
	assert_int_equal(chmod(dir, 0700), 0);

	/* a FIFO is refused at once, it does not hang the open or the read */
	assert_int_equal(unlink(file), 0);
	assert_int_equal(mkfifo(file, 0600), 0);
	assert_int_equal(hist__open(dir, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "not a regular file"));
}

static void refuses_what_others_own(void **state)
{
	char msg[256];
	int fd;

	if (geteuid() != 0) {
		skip(); /* giving a file away needs root */
		return;
	}
	fd = hist__open(dir, msg, sizeof(msg));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chown(file, 65534, 65534), 0);
	assert_int_equal(hist__open(dir, msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "history is not owned by you"));
	assert_int_equal(chown(file, 0, 0), 0);
	assert_int_equal(chown(dir, 65534, 65534), 0);
	assert_int_equal(hist__open(dir, msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "arena-inspect is not owned by you"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(creates_private_and_keeps_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_a_symbolic_link, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_what_others_can_write, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_what_others_own, setup, teardown),
	};

	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The churn daemon. Allocating arena pages needs a sleepable program, so a
 * timer inside BPF will not do: a small process runs the pinned churn_step
 * program every few milliseconds until the fixture is unloaded (or its pins
 * vanish). It is double-forked, has no stdio and is found again through
 * its pid file, checked against its name so a recycled pid is never hit.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "fx_loader.h"

#define DAEMON_PERIOD_MS 5
#define DAEMON_PIN_CHECK 100 /* runs between checks that the pins still exist */

int fx_pidfile_path(char *buf, size_t len, const char *pin)
{
	size_t n = strlen(FX_RUN_DIR) + 1;

	if ((size_t)snprintf(buf, len, "%s/%s.pid", FX_RUN_DIR, pin) >= len)
		return fx_err(-ENAMETOOLONG, "pid file path for %s is too long", pin);
	for (char *p = buf + n; *p; p++)
		if (*p == '/')
			*p = '_';
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static __attribute__((noreturn)) void daemon_main(const char *pin)
{
	LIBBPF_OPTS(bpf_test_run_opts, ro);
	struct churn_args args = { .steps = 1 };
	char prog[PATH_MAX], arena[PATH_MAX];
	int fd, null;

	prctl(PR_SET_NAME, FX_DAEMON_COMM);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	for (int i = 3; i < 1024; i++)
		close(i);
	if (fx_pin_path(prog, sizeof(prog), pin, "prog_churn_step") ||
	    fx_pin_path(arena, sizeof(arena), pin, "arena"))
		_exit(1);
	fd = bpf_obj_get(prog);
	if (fd < 0)
		_exit(1);
	ro.ctx_in = &args;
	ro.ctx_size_in = sizeof(args);
	for (unsigned long n = 0;; n++) {
		if (n % DAEMON_PIN_CHECK == 0 && access(arena, F_OK))
			_exit(0); /* unloaded behind our back: nothing left to do */
		if (bpf_prog_test_run_opts(fd, &ro))
			_exit(1);
		sleep_ms(DAEMON_PERIOD_MS);
	}
}

int fx_daemon_start(const char *pin)
{
	char path[PATH_MAX];
	int p[2], status, dpid = 0;
	pid_t pid;
	FILE *f;
	int err = fx_pidfile_path(path, sizeof(path), pin);

	if (err)
		return err;
	if (mkdir(FX_RUN_DIR, 0755) && errno != EEXIST)
		return fx_err(-errno, "cannot create %s: %s", FX_RUN_DIR, strerror(errno));
	if (pipe(p))
		return fx_err(-errno, "cannot start the churn daemon: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = fx_err(-errno, "cannot start the churn daemon: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid == 0) {
		pid_t me;

		close(p[0]);
		setsid();
		me = fork();
		if (me != 0)
			_exit(me < 0);
		me = getpid();
		if (write(p[1], &me, sizeof(me)) != sizeof(me))
			_exit(1);
		close(p[1]);
		daemon_main(pin);
	}
	close(p[1]);
	waitpid(pid, &status, 0);
	if (read(p[0], &dpid, sizeof(dpid)) != sizeof(dpid) || dpid <= 0) {
		close(p[0]);
		return fx_err(-ECHILD, "the churn daemon did not start");
	}
	close(p[0]);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", dpid) < 0 || fclose(f)) {
		err = -errno;
		kill(dpid, SIGKILL);
		return fx_err(err, "cannot write %s: %s", path, strerror(-err));
	}
	return dpid;
}

/* state letter from /proc/PID/stat if its name is ours, else 0 */
static char daemon_state(int pid)
{
	char path[64], buf[512], *rp;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (!strstr(buf, "(" FX_DAEMON_COMM ")"))
		return 0;
	rp = strrchr(buf, ')');
	if (!rp || rp[1] != ' ')
		return 0;
	return rp[2];
}

int fx_daemon_find(const char *pin, bool *stopped)
{
	char path[PATH_MAX];
	int pid = 0;
	char st;
	FILE *f;

	*stopped = false;
	if (fx_pidfile_path(path, sizeof(path), pin))
		return 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 0)
		return 0;
	st = daemon_state(pid);
	if (!st || st == 'Z' || st == 'X')
		return 0;
	*stopped = st == 'T' || st == 't';
	return pid;
}

int fx_daemon_pause(int pid, bool pause)
{
	if (kill(pid, pause ? SIGSTOP : SIGCONT))
		return fx_err(-errno, "cannot signal the churn daemon (pid %d): %s", pid,
			      strerror(errno));
	if (!pause)
		return 0;
	/* stopped means back in user space: no churn_step run is in flight */
	for (int i = 0; i < 2000; i++) {
		char st = daemon_state(pid);

		if (st == 'T' || st == 't')
			return 0;
		if (!st || st == 'Z')
			return fx_err(-ESRCH, "the churn daemon (pid %d) went away", pid);
		sleep_ms(1);
	}
	return fx_err(-ETIMEDOUT, "the churn daemon (pid %d) did not stop", pid);
}

int fx_daemon_stop(const char *pin)
{
	char path[PATH_MAX];
	bool stopped;
	int pid = fx_daemon_find(pin, &stopped);
	int err;

	err = fx_pidfile_path(path, sizeof(path), pin);
	if (err)
		return err;
	if (pid > 0) {
		kill(pid, SIGTERM);
		kill(pid, SIGCONT);
		for (int i = 0; i < 3000; i++) {
			char st = daemon_state(pid);

			if (!st || st == 'Z' || st == 'X')
				break;
			if (i == 2000)
				kill(pid, SIGKILL);
			sleep_ms(1);
		}
	}
	if (unlink(path) && errno != ENOENT)
		return fx_err(-errno, "cannot remove %s: %s", path, strerror(errno));
	return pid > 0;
}

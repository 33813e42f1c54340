// SPDX-License-Identifier: GPL-2.0
/*
 * Test-side driver of arena-fixture. Loaded fixtures are kept in a small
 * registry of fixed buffers so that the exit and signal paths can unload
 * them with nothing but fork/exec/wait (async-signal-safe).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "compat.h"
#include "fixture.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

#define BPFFS "/sys/fs/bpf"
#define PIN_PREFIX "ait-"
#define MAX_LOADED 64

/* ---- running commands ---- */
struct sink {
	char *buf;
	size_t len;
	size_t cap;
};

static int sink_add(struct sink *s, const char *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		char *b;

		while (cap < s->len + n + 1)
			cap *= 2;
		b = realloc(s->buf, cap);
		if (!b)
			return -1;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return 0;
}

int fixture_run2(const char *cmdline, char **out, char **err, int *status)
{
	struct sink so = {}, se = {};
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	struct pollfd pf[2];
	int wst, nopen;
	pid_t pid;

	if (out)
		*out = NULL;
	if (err)
		*err = NULL;
	if (pipe(po) || (err && pipe(pe))) {
		fprintf(stderr, "fixture: cannot run '%s': %s\n", cmdline, strerror(errno));
		goto fail;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fixture: cannot run '%s': %s\n", cmdline, strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		dup2(po[1], 1);
		if (err)
			dup2(pe[1], 2);
		close(po[0]);
		close(po[1]);
		if (err) {
			close(pe[0]);
			close(pe[1]);
		}
		execl("/bin/sh", "sh", "-c", cmdline, (char *)NULL);
		_exit(127);
	}
	close(po[1]);
	po[1] = -1;
	if (err) {
		close(pe[1]);
		pe[1] = -1;
	}
	pf[0] = (struct pollfd){ .fd = po[0], .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = err ? pe[0] : -1, .events = POLLIN };
	nopen = err ? 2 : 1;
	while (nopen > 0) {
		char buf[65536];

		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(pf[i].fd, buf, sizeof(buf));
			if (n > 0) {
				sink_add(i ? &se : &so, buf, n);
			} else if (n == 0 || errno != EINTR) {
				pf[i].fd = -1;
				nopen--;
			}
		}
	}
	close(po[0]);
	if (err)
		close(pe[0]);
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	*status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
	if (!so.buf)
		sink_add(&so, "", 0);
	if (!se.buf)
		sink_add(&se, "", 0);
	if (out)
		*out = so.buf;
	else
		free(so.buf);
	if (err)
		*err = se.buf;
	else
		free(se.buf);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	return -1;
}

int fixture_run(const char *cmdline, char **out, int *status)
{
	return fixture_run2(cmdline, out, NULL, status);
}

/* ---- skip reasons ---- */
const char *bpf_test_skip_reason(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);
	static char why[256];
	struct statfs st;
	int fd;

	if (geteuid() != 0)
		return "needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)";
	if (statfs(BPFFS, &st) || (unsigned long)st.f_type != BPF_FS_MAGIC)
		return "bpffs is not mounted at " BPFFS " (mount -t bpf bpf " BPFFS ")";
	fd = bpf_map_create(AI_MAP_TYPE_ARENA, "ait_probe", 0, 0, 1, &o);
	if (fd < 0) {
		snprintf(why, sizeof(why), "this kernel cannot create BPF arena maps: %s",
			 strerror(errno));
		return why;
	}
	close(fd);
	if (access(FIXTURE_BIN, X_OK)) {
		snprintf(why, sizeof(why), "%s is not built", FIXTURE_BIN);
		return why;
	}
	return NULL;
}

/* ---- the registry of loaded pins, and cleanup ---- */
static char loaded[MAX_LOADED][256];
static volatile sig_atomic_t loaded_used[MAX_LOADED];
static bool cleanup_installed;

/* async-signal-safe: fork, exec, wait */
static void unload_pin_raw(const char *pin)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 1);
		execl(FIXTURE_BIN, "arena-fixture", "unload", "--pin", pin, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
}

static void unload_all(void)
{
	for (int i = 0; i < MAX_LOADED; i++) {
		if (loaded_used[i]) {
			loaded_used[i] = 0;
			unload_pin_raw(loaded[i]);
		}
	}
}

static void on_signal(int sig)
{
	unload_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_cleanup(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT };

	if (cleanup_installed)
		return;
	cleanup_installed = true;
	atexit(unload_all);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa = { .sa_handler = on_signal }, old;

		sigemptyset(&sa.sa_mask);
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
	}
}

static int register_pin(const char *pin)
{
	for (int i = 0; i < MAX_LOADED; i++) {
		if (!loaded_used[i]) {
			snprintf(loaded[i], sizeof(loaded[i]), "%s", pin);
			loaded_used[i] = 1;
			return 0;
		}
	}
	fprintf(stderr, "fixture: more than %d fixtures loaded at once\n", MAX_LOADED);
	return -1;
}

static void unregister_pin(const char *pin)
{
	for (int i = 0; i < MAX_LOADED; i++)
		if (loaded_used[i] && !strcmp(loaded[i], pin))
			loaded_used[i] = 0;
}

/* pins of earlier test processes that were killed before they could clean up */
static void sweep_stale(void)
{
	static bool swept;
	struct dirent *e;
	DIR *d;

	if (swept)
		return;
	swept = true;
	d = opendir(BPFFS);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char pin[300];
		int pid, n;

		if (sscanf(e->d_name, PIN_PREFIX "%d-%d", &pid, &n) != 2 || pid == getpid())
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(pin, sizeof(pin), BPFFS "/%s", e->d_name);
		unload_pin_raw(pin);
	}
	closedir(d);
}

/* ---- load / unload ---- */
static bool plain_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-'))
			return false;
	return true;
}

static void copy_str(char *dst, size_t len, const struct json *v)
{
	snprintf(dst, len, "%s", json_str(v) ? json_str(v) : "");
}

int fixture_load(const char *scenario, struct fixture *f)
{
	static int seq;
	char cmd[1024], err[256];
	const struct json *ids;
	char *out = NULL;
	int status;

	memset(f, 0, sizeof(*f));
	if (!plain_word(scenario)) {
		fprintf(stderr, "fixture: bad scenario name '%s'\n", scenario);
		return -1;
	}
	install_cleanup();
	sweep_stale();
	snprintf(f->pin, sizeof(f->pin), BPFFS "/" PIN_PREFIX "%d-%d", (int)getpid(), seq++);
	snprintf(f->scenario, sizeof(f->scenario), "%s", scenario);
	if (register_pin(f->pin))
		return -1;
	snprintf(cmd, sizeof(cmd), "%s load %s --pin %s", FIXTURE_BIN, scenario, f->pin);
	if (fixture_run(cmd, &out, &status) || status != 0) {
		fprintf(stderr, "fixture: '%s' failed (exit %d)\n", cmd, status);
		free(out);
		unregister_pin(f->pin);
		return -1;
	}
	f->loaded = true;
	f->json = json_parse(out, err, sizeof(err));
	free(out);
	if (!f->json) {
		fprintf(stderr, "fixture: load %s printed bad JSON: %s\n", scenario, err);
		fixture_unload(f);
		return -1;
	}
	f->expect = json_get(f->json, "expect");
	f->map_id = json_int(json_get(f->json, "map_id"), 0);
	copy_str(f->map_name, sizeof(f->map_name), json_get(f->json, "map_name"));
	f->map_flags = json_int(json_get(f->json, "map_flags"), 0);
	f->map_extra = json_u64(json_get(f->json, "map_extra"), ~0ULL);
	f->user_vm_start = json_u64(json_get(f->json, "user_vm_start"), 0);
	f->user_vm_end = json_u64(json_get(f->json, "user_vm_end"), 0);
	f->max_pages = json_int(json_get(f->json, "max_pages"), 0);
	f->allocated = json_int(json_get(f->json, "allocated_pages"), -1);
	f->reserved = json_int(json_get(f->json, "reserved_pages"), -1);
	ids = json_get(f->json, "prog_ids");
	for (size_t i = 0; i < json_len(ids) && i < FIXTURE_MAX_PROGS; i++)
		f->prog_ids[f->nr_progs++] = json_int(json_at(ids, i), 0);
	if (!f->map_id || !f->user_vm_start || !f->max_pages || f->map_extra == ~0ULL ||
	    !f->expect || !f->nr_progs) {
		fprintf(stderr, "fixture: load %s printed JSON without the expected fields\n",
			scenario);
		fixture_unload(f);
		return -1;
	}
	return 0;
}

int fixture_unload(struct fixture *f)
{
	char cmd[1024];
	int status, ret = 0;

	if (!f->loaded)
		return 0;
	snprintf(cmd, sizeof(cmd), "%s unload --pin %s", FIXTURE_BIN, f->pin);
	if (fixture_run(cmd, NULL, &status) || status != 0) {
		fprintf(stderr, "fixture: '%s' failed (exit %d)\n", cmd, status);
		ret = -1;
	}
	unregister_pin(f->pin);
	json_free(f->json);
	f->json = NULL;
	f->expect = NULL;
	f->loaded = false;
	return ret;
}

int fixture_cmd(const struct fixture *f, const char *verb, const char *arg, char **out)
{
	char cmd[1024];
	int status;

	if (out)
		*out = NULL;
	if (!plain_word(verb) || (arg && !plain_word(arg))) {
		fprintf(stderr, "fixture: bad command '%s %s'\n", verb, arg ? arg : "");
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "%s %s --pin %s %s", FIXTURE_BIN, verb, f->pin, arg ? arg : "");
	if (fixture_run(cmd, out, &status) || status != 0) {
		fprintf(stderr, "fixture: '%s' failed (exit %d)\n", cmd, status);
		if (out) {
			free(*out);
			*out = NULL;
		}
		return -1;
	}
	return 0;
}

struct json *fixture_count_json(const struct fixture *f, bool pages)
{
	char *out = NULL, err[256];
	struct json *j;

	if (fixture_cmd(f, "count", pages ? "--pages" : NULL, &out))
		return NULL;
	j = json_parse(out, err, sizeof(err));
	if (!j)
		fprintf(stderr, "fixture: count printed bad JSON: %s\n", err);
	free(out);
	return j;
}

int fixture_count(const struct fixture *f, struct fixture_counts *c)
{
	struct json *j = fixture_count_json(f, false);

	memset(c, 0, sizeof(*c));
	if (!j)
		return -1;
	c->allocated = json_int(json_get(j, "allocated"), 0);
	c->reserved = json_int(json_get(j, "reserved"), 0);
	c->free = json_int(json_get(j, "free"), 0);
	c->fixture_allocated = json_int(json_get(j, "fixture_allocated"), 0);
	c->fixture_steps = json_u64(json_get(j, "fixture_steps"), 0);
	c->user_vm_start = json_u64(json_get(j, "user_vm_start"), 0);
	c->max_pages = json_int(json_get(j, "max_pages"), 0);
	json_free(j);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * count, step, pause and resume: the commands that look at or drive a
 * pinned fixture. count probes every page from the kernel side with the
 * fixture's own iterator (pagecount.bpf.c), independent of the inspector.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "fx_loader.h"
#include "pagecount.skel.h"

static int run_iter(struct bpf_link *link)
{
	char buf[256];
	ssize_t n;
	int fd = bpf_iter_create(bpf_link__fd(link));

	if (fd < 0)
		return fx_err(-errno, "cannot start the page counter: %s", strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0) {
		int err = -errno;

		close(fd);
		return fx_err(err, "page counter failed: %s", strerror(-err));
	}
	close(fd);
	return 0;
}

int fx_cmd_count(const char *pin, bool list_pages)
{
	const struct scenario *sc;
	struct bpf_map_info info;
	struct pagecount *pc = NULL;
	struct bpf_link *link = NULL;
	struct fx_acct acct = {};
	struct jw w;
	int fd, err;

	fd = fx_open_pinned_arena(pin, &info);
	if (fd < 0)
		return fd;
	sc = scenario_of_pin(pin);
	if (!sc) {
		err = fx_err(-ENOENT, "%s holds an arena but no fixture programs", pin);
		goto out;
	}
	err = fx_read_acct(pin, sc, &acct);
	if (err)
		goto out;
	pc = pagecount__open_and_load();
	if (!pc) {
		err = -errno;
		fx_libbpf_dump();
		err = fx_err(err, "cannot load the page counter: %s", strerror(-err));
		goto out;
	}
	pc->bss->args.map_id = info.id;
	link = bpf_program__attach_iter(pc->progs.page_count, NULL);
	if (!link) {
		err = -errno;
		fx_libbpf_dump();
		err = fx_err(err, "cannot attach the page counter: %s", strerror(-err));
		goto out;
	}
	/* short runs, so no single read() holds the CPU for seconds */
	for (__u32 first = 0; first < info.max_entries; first += PC_CHUNK) {
		pc->bss->args.first = first;
		pc->bss->args.count = PC_CHUNK;
		err = run_iter(link);
		if (err)
			goto out;
		if (!pc->bss->res.found) {
			err = fx_err(-ENOENT, "arena map id %u vanished while counting", info.id);
			goto out;
		}
	}
	if (pc->bss->res.map_type != 33) {
		err = fx_err(-EINVAL, "map id %u is not an arena", info.id);
		goto out;
	}

	jw_init(&w, stdout);
	jw_obj(&w);
	jw_kstr(&w, "scenario", sc->name);
	jw_kuint(&w, "map_id", info.id);
	jw_khex(&w, "user_vm_start", pc->bss->res.user_vm_start);
	jw_khex(&w, "user_vm_end", pc->bss->res.user_vm_end);
	jw_kuint(&w, "max_pages", pc->bss->res.max_entries);
	jw_kuint(&w, "allocated", pc->bss->res.present);
	jw_kuint(&w, "reserved", acct.reserved);
	jw_kuint(&w, "free", pc->bss->res.max_entries - pc->bss->res.present - acct.reserved);
	jw_kuint(&w, "fixture_allocated", acct.allocated);
	jw_kuint(&w, "fixture_steps", acct.steps);
	if (list_pages) {
		jw_key(&w, "pages");
		jw_arr(&w);
		for (__u32 p = 0; p < pc->bss->res.max_entries && p < PC_MAX_PAGES; p++)
			if (pc->bss->present_bits[p / 64] & (1ULL << (p % 64)))
				jw_uint(&w, p);
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
	fputc('\n', stdout);
	fflush(stdout);
	err = 0;
out:
	bpf_link__destroy(link);
	pagecount__destroy(pc);
	close(fd);
	return err;
}

int fx_cmd_step(const char *pin, unsigned int n)
{
	LIBBPF_OPTS(bpf_test_run_opts, ro);
	struct churn_args args = { .steps = n };
	const struct scenario *sc;
	char path[PATH_MAX];
	struct fx_acct acct;
	bool stopped = false;
	int pid, fd, err;

	sc = scenario_of_pin(pin);
	if (!sc)
		return fx_err(-ENOENT, "nothing is loaded at %s", pin);
	if (!sc->daemon)
		return fx_err(-EINVAL, "scenario %s at %s has no steps (only churn has)", sc->name,
			      pin);
	err = fx_pin_path(path, sizeof(path), pin, "prog_churn_step");
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return fx_err(-errno, "cannot open %s: %s", path, strerror(errno));
	/* one runner at a time: hold the daemon while we step */
	pid = fx_daemon_find(pin, &stopped);
	if (pid > 0 && !stopped) {
		err = fx_daemon_pause(pid, true);
		if (err)
			goto out;
	}
	ro.ctx_in = &args;
	ro.ctx_size_in = sizeof(args);
	if (bpf_prog_test_run_opts(fd, &ro))
		err = fx_err(-errno, "cannot run %s: %s", path, strerror(errno));
	if (pid > 0 && !stopped) {
		int e = fx_daemon_pause(pid, false);

		if (!err)
			err = e;
	}
	if (!err)
		err = fx_read_acct(pin, sc, &acct);
	if (!err)
		printf("{\"steps\":%llu,\"fixture_allocated\":%u}\n",
		       (unsigned long long)acct.steps, acct.allocated);
out:
	close(fd);
	return err;
}

int fx_cmd_pause(const char *pin, bool pause)
{
	bool stopped;
	int pid = fx_daemon_find(pin, &stopped);

	if (pid <= 0) {
		if (!scenario_of_pin(pin))
			return fx_err(-ENOENT, "nothing is loaded at %s", pin);
		return fx_err(-ESRCH, "no churn daemon runs for %s", pin);
	}
	if (stopped == pause)
		return 0;
	return fx_daemon_pause(pid, pause);
}

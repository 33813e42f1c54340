// SPDX-License-Identifier: GPL-2.0
/*
 * arena-fixture: load known arenas for tests and the demo, pin them, and
 * look at them from the kernel side. See bpf_fixtures/README.md.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "fx_loader.h"

static const char usage[] =
	"Usage: arena-fixture load SCENARIO [--pin DIR]   load, fill and pin; print JSON\n"
	"       arena-fixture unload [--pin DIR]          stop churn, remove the pins and DIR\n"
	"       arena-fixture list                        the scenarios\n"
	"       arena-fixture count [--pin DIR] [--pages] pages probed from the kernel side "
	"(JSON)\n"
	"       arena-fixture step [--pin DIR] [N]        churn: run N steps now (default 1)\n"
	"       arena-fixture pause|resume [--pin DIR]    churn: stop or restart the daemon\n"
	"       arena-fixture run PROG [--pin DIR]        run the pinned syscall program\n"
	"                                                 DIR/prog_PROG once (planted_more)\n"
	"DIR defaults to " FX_DEFAULT_PIN ".\n";

/* run PROG: a pinned SEC("syscall") program of a loaded scenario, once; it
 * must return 0 (planted_more plants one more problem) */
static int cmd_run(const char *pin, const char *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, ro);
	char path[PATH_MAX];
	int fd, err;

	if (strchr(prog, '/') ||
	    snprintf(path, sizeof(path), "%s/prog_%s", pin, prog) >= (int)sizeof(path))
		return fx_err(-EINVAL, "bad program name '%s'", prog);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return fx_err(-errno, "no pinned program %s: %s", path, strerror(errno));
	err = bpf_prog_test_run_opts(fd, &ro);
	if (err)
		err = fx_err(-errno, "cannot run %s: %s", path, strerror(errno));
	else if (ro.retval)
		err = fx_err(-EIO, "%s returned %d", path, (int)ro.retval);
	close(fd);
	return err;
}

static int cmd_list(void)
{
	for (int i = 0; scenario_at(i); i++)
		printf("%-8s %s\n", scenario_at(i)->name, scenario_at(i)->desc);
	return 0;
}

int main(int argc, char **argv)
{
	static char pin[PATH_MAX] = FX_DEFAULT_PIN;
	const char *verb, *pos = NULL;
	bool pages = false;
	unsigned long n = 1;
	int err;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	verb = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *val = NULL;

		if (!strcmp(a, "--pin")) {
			if (++i >= argc) {
				fx_err(-EINVAL, "--pin needs a directory");
				return 1;
			}
			val = argv[i];
		} else if (!strncmp(a, "--pin=", 6)) {
			val = a + 6;
		} else if (!strcmp(a, "--pages")) {
			pages = true;
			continue;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fx_err(-EINVAL, "unknown option '%s'", a);
			return 1;
		} else if (!pos) {
			pos = a;
			continue;
		} else {
			fx_err(-EINVAL, "unexpected argument '%s'", a);
			return 1;
		}
		if (!val[0] || strlen(val) >= sizeof(pin)) {
			fx_err(-EINVAL, "bad pin directory '%s'", val);
			return 1;
		}
		strcpy(pin, val);
		for (size_t l = strlen(pin); l > 1 && pin[l - 1] == '/'; l--)
			pin[l - 1] = '\0';
	}
	if (pos && (!strcmp(verb, "list") || !strcmp(verb, "unload") || !strcmp(verb, "count") ||
		    !strcmp(verb, "pause") || !strcmp(verb, "resume"))) {
		fx_err(-EINVAL, "%s takes no argument '%s'", verb, pos);
		return 1;
	}
	fx_libbpf_capture();

	if (!strcmp(verb, "list")) {
		err = cmd_list();
	} else if (!strcmp(verb, "load")) {
		if (!pos) {
			fx_err(-EINVAL, "load needs a scenario (see: arena-fixture list)");
			return 1;
		}
		err = fx_cmd_load(pos, pin);
	} else if (!strcmp(verb, "unload")) {
		err = fx_cmd_unload(pin);
	} else if (!strcmp(verb, "count")) {
		err = fx_cmd_count(pin, pages);
	} else if (!strcmp(verb, "step")) {
		if (pos) {
			char *end;

			errno = 0;
			n = strtoul(pos, &end, 10);
			if (errno || *end || !n || n > 100000) {
				fx_err(-EINVAL, "step count '%s' must be 1..100000", pos);
				return 1;
			}
		}
		err = fx_cmd_step(pin, n);
	} else if (!strcmp(verb, "run")) {
		if (!pos) {
			fx_err(-EINVAL, "run needs a program name (planted_more)");
			return 1;
		}
		err = cmd_run(pin, pos);
	} else if (!strcmp(verb, "pause") || !strcmp(verb, "resume")) {
		err = fx_cmd_pause(pin, !strcmp(verb, "pause"));
	} else {
		fx_err(-EINVAL, "unknown command '%s' (try arena-fixture --help)", verb);
		return 1;
	}
	return err ? 1 : 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fixture: load known arenas for integration tests through the
 * arena-fixture tool (FIXTURE_BIN), and run commands (INSPECT_BIN, ...)
 * capturing their output.
 *
 * Typical test:
 *
 *	int main(void)
 *	{
 *		const char *why = bpf_test_skip_reason();
 *
 *		if (why) {
 *			printf("SKIP: %s\n", why);
 *			return 77;                     // ctest: skipped
 *		}
 *		...
 *	}
 *	static void test_x(void **state)
 *	{
 *		struct fixture f;
 *
 *		assert_int_equal(fixture_load("list", &f), 0);
 *		... f.map_id, f.user_vm_start, json_path(f.expect, "nodes[0].name") ...
 *		fixture_unload(&f);
 *	}
 *
 * Pins go to /sys/fs/bpf/ait-<pid>-<n>. Every loaded fixture is remembered
 * and unloaded at exit, on SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGABRT too, so a
 * failing test leaves no pins behind; fixture_load also removes pins left by
 * test processes that died (SIGKILL). Still call fixture_unload() in
 * teardown. Functions return 0 on success and -1 after printing one line on
 * stderr. Not thread-safe.
 */
#ifndef TESTS_FIXTURE_H
#define TESTS_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"

#define FIXTURE_MAX_PROGS 16

struct fixture {
	char scenario[32];
	char pin[256]; /* bpffs directory holding arena, bss, prog_*, link_* */
	uint32_t map_id;
	char map_name[32];
	uint32_t map_flags;
	uint64_t map_extra; /* 0 for "nouser" */
	uint64_t user_vm_start;
	uint64_t user_vm_end;
	uint32_t max_pages;
	uint32_t allocated; /* pages allocated at load time */
	uint32_t reserved;  /* pages reserved at load time */
	uint32_t prog_ids[FIXTURE_MAX_PROGS];
	int nr_progs;
	struct json *json;	   /* the whole `load` output; owned */
	const struct json *expect; /* json's "expect" object; borrowed */
	bool loaded;
};

/* What `arena-fixture count` measured from the kernel side. */
struct fixture_counts {
	uint32_t allocated;	    /* pages present, probed one by one */
	uint32_t reserved;	    /* the fixture's own knowledge */
	uint32_t free;		    /* max_pages - allocated - reserved */
	uint32_t fixture_allocated; /* the fixture's own accounting */
	uint64_t fixture_steps;	    /* churn steps so far (0 elsewhere) */
	uint64_t user_vm_start;	    /* from the kernel's struct bpf_arena */
	uint32_t max_pages;
};

/*
 * NULL when BPF integration tests can run here (root, bpffs mounted at
 * /sys/fs/bpf, arena maps creatable, FIXTURE_BIN built), else the reason.
 */
const char *bpf_test_skip_reason(void);

/* Load SCENARIO (list, htab, tree, sparse, nouser, live, churn) into a fresh
 * pin dir and fill *f from the tool's JSON. */
int fixture_load(const char *scenario, struct fixture *f);
/* Unload (stops churn's daemon, removes the pins) and free f->json.
 * Idempotent: 0 when f is not loaded. */
int fixture_unload(struct fixture *f);

/* `arena-fixture count`: page counts probed from the kernel side. */
int fixture_count(const struct fixture *f, struct fixture_counts *c);
/* The same as a JSON tree (caller json_free()s); with pages, also the
 * "pages" array of allocated page numbers. NULL on error. */
struct json *fixture_count_json(const struct fixture *f, bool pages);
/* Other verbs on a loaded fixture: "step" (arg: count or NULL), "pause",
 * "resume", "run" (arg: a pinned program, planted_more). *out (may be
 * NULL) gets stdout, malloc'ed. */
int fixture_cmd(const struct fixture *f, const char *verb, const char *arg, char **out);

/*
 * Run a shell command line; *out gets its stdout (malloc'ed, NUL-terminated;
 * pass NULL to discard); stderr passes through to ours. *status is the exit
 * code, or 128 + signal number. Returns -1 only if the command could not be
 * run at all.
 */
int fixture_run(const char *cmdline, char **out, int *status);
/* The same, capturing stderr into *err (malloc'ed) as well. */
int fixture_run2(const char *cmdline, char **out, char **err, int *status);

#endif

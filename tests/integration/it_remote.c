// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 16: our client against our server. Every CLI command on `remote
 * 'arena-inspect serve pinned PIN'` gives what it gives on `pinned PIN`,
 * byte for byte (stdout, stderr and exit status), text and -j, on the
 * fixtures that exercise them: list (print, walk, refs, watch), tree (a
 * dangling pointer), planted (check's findings), alist (FWD types, roots
 * from the map), htab, sparse (a 4 GiB page map, hex across holes). A
 * remote snapshot (-o FILE and -o -) is `diff`-equal to a local one, and
 * `diff` of remote and local exits 0. TCP (serve --listen) answers the
 * same; a listen address that is not loopback draws the warning. Bad peers
 * (garbage, endless bytes, a server that dies mid-session, a wrong
 * selector on the far side) are one error line and exit 1, never a hang.
 * A watch refresh over remote is one qArenaGather, not a read a field.
 * heap (-j, ADDR) and check on sdtalloc, buddy and alist, whose backends
 * read the programs' .bss variables (the arena-vars object), are the same.
 * The kernel's page count does not move.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli_run.h"
#include "fixture.h"
#include "json.h"

static struct fixture F;
static char dir[] = "/tmp/it_remote.XXXXXX";

static int teardown(void **state)
{
	(void)state;
	fixture_unload(&F);
	return 0;
}

struct result {
	char *out, *err;
	int status;
};

static void run3(const char *cmd, struct result *r)
{
	if (fixture_run2(cmd, &r->out, &r->err, &r->status))
		fail_msg("cannot run %s", cmd);
}

static void free3(struct result *r)
{
	free(r->out);
	free(r->err);
}

/* `arena-inspect SUB ARENA TAIL` on the pin and through serve: the same */
static void same(const char *sub, const char *tail)
{
	char lc[4096], rc[4096];
	struct result l, r;

	snprintf(lc, sizeof(lc), "%s %s pinned %s/arena %s", INSPECT_BIN, sub, F.pin, tail);
	snprintf(rc, sizeof(rc), "%s %s remote '%s serve pinned %s/arena' %s", INSPECT_BIN, sub,
		 INSPECT_BIN, F.pin, tail);
	run3(lc, &l);
	run3(rc, &r);
	if (l.status != r.status || strcmp(l.out, r.out) || strcmp(l.err, r.err))
		fail_msg("%s %s differs over remote:\nlocal (%d): %.600s\nstderr %.300s\nremote "
			 "(%d): %.600s\nstderr %.300s",
			 sub, tail, l.status, l.out, l.err, r.status, r.out, r.err);
	/* a command that does nothing would pass: these all print */
	if (!*l.out && !*l.err)
		fail_msg("%s %s printed nothing", sub, tail);
	free3(&l);
	free3(&r);
}

static void every_command(const char *scenario, const char *const *cmds)
{
	struct fixture_counts c0, c1;

	assert_int_equal(fixture_load(scenario, &F), 0);
	assert_int_equal(fixture_count(&F, &c0), 0);
	for (int i = 0; cmds[i]; i += 2)
		same(cmds[i], cmds[i + 1]);
	assert_int_equal(fixture_count(&F, &c1), 0);
	assert_int_equal(c1.allocated, c0.allocated);
	fixture_unload(&F);
}

static void remote_list(void **state)
{
	static const char *const cmds[] = {
		"pages", "",
		"pages", "-j",
		"hex",	 "+0 256",
		"hex",	 "+0x2f00 0x1400",
		"print", "'*head'",
		"print", "-j '*head'",
		"print", "'head->next->name'",
		"print", "'*(struct node *)0x7'",
		"types", "",
		"types", "--layout node",
		"walk",	 "head",
		"walk",	 "head -j",
		"check", "",
		"check", "-j",
		"refs",	 "'head->next'",
		"refs",	 "-j 'head->next'",
		"print", "nosuchname",
		NULL,	 NULL,
	};

	(void)state;
	every_command("list", cmds);
}

static void remote_others(void **state)
{
	static const char *const tree[] = { "print", "'*root'",		 "check", "-j",
					    "walk",  "root --next left", NULL,	  NULL };
	static const char *const planted[] = { "check",	       "",   "check", "-j", "refs",
					       "'*hdr->list'", NULL, NULL };
	static const char *const alist[] = { "types",	     "",   "check", "-j", "print",
					     "'*list_head'", NULL, NULL };
	static const char *const htab[] = {
		"print", "'table->buckets[3]'", "check", "", "pages", "", NULL, NULL
	};
	static const char *const sparse[] = { "pages",	     "-j",    "pages",	  "",	"hex",
					      "+0 0x200000", "print", "'*first'", NULL, NULL };

	(void)state;
	every_command("tree", tree);
	every_command("planted", planted);
	every_command("alist", alist);
	every_command("htab", htab);
	every_command("sparse", sparse);
}

/* the allocator backends read .bss variables (alloc_stats, struct
 * scx_allocator, struct buddy) and check walks struct variables as roots:
 * over remote they come as the arena-vars object */
static void remote_vars(void **state)
{
	static const char *const sdtalloc[] = { "heap", "-j",	 "heap", "",   "check",
						"-j",	"check", "",	 NULL, NULL };
	static const char *const buddy[] = { "heap", "-j", "heap", "", "check", "-j", NULL, NULL };
	static const char *const alist[] = { "heap", "-j", "check", "-j", NULL, NULL };
	char *out;
	struct json *j;
	const struct json *o;
	char addr[32];

	(void)state;
	every_command("sdtalloc", sdtalloc);
	every_command("buddy", buddy);
	every_command("alist", alist);
	/* heap ADDR: the allocation at the first live object's address */
	assert_int_equal(fixture_load("sdtalloc", &F), 0);
	out = cli_run(0, 0, "%s heap pinned %s/arena -j", INSPECT_BIN, F.pin);
	j = json_parse(out, NULL, 0);
	assert_non_null(j);
	o = json_path(j, "allocators[0].objects[0].addr");
	assert_non_null(o);
	snprintf(addr, sizeof(addr), "%s", json_str(o));
	json_free(j);
	free(out);
	{
		static char tail[64];
		const char *cmds[] = { "heap", tail, NULL, NULL };

		snprintf(tail, sizeof(tail), "%s -j", addr);
		fixture_unload(&F);
		every_command("sdtalloc", cmds);
	}
}

static void remote_snapshot_diff_watch(void **state)
{
	char *out;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(fixture_load("list", &F), 0);
	free(cli_run(0, 0, "%s snapshot pinned %s/arena -o %s/l.snap >/dev/null", INSPECT_BIN,
		     F.pin, dir));
	free(cli_run(0, 0, "%s snapshot remote '%s serve pinned %s/arena' -o %s/r.snap >/dev/null",
		     INSPECT_BIN, INSPECT_BIN, F.pin, dir));
	free(cli_run(0, 0,
		     "%s snapshot remote '%s serve pinned %s/arena' -o - 2>/dev/null > %s/s.snap",
		     INSPECT_BIN, INSPECT_BIN, F.pin, dir));
	free(cli_run(0, 0, "%s diff %s/l.snap %s/r.snap >/dev/null", INSPECT_BIN, dir, dir));
	free(cli_run(0, 0, "%s diff %s/l.snap %s/s.snap >/dev/null", INSPECT_BIN, dir, dir));
	/* the BTF came along: the remote snapshot prints typed */
	out = cli_run(0, 0, "%s print %s/r.snap 'head->name'", INSPECT_BIN, dir);
	assert_non_null(strstr(out, "\"alpha\""));
	free(out);
	free(cli_run(0, 0, "%s diff remote '%s serve pinned %s/arena' pinned %s/arena >/dev/null",
		     INSPECT_BIN, INSPECT_BIN, F.pin, F.pin));
	/* watch: the same samples, but for their time stamps */
	{
		char lc[2048], rc[2048];
		struct result l, r;

		snprintf(lc, sizeof(lc),
			 "%s watch pinned %s/arena 'head->id' 'head->name' --count 2 --interval 50 "
			 "| "
			 "cut -d' ' -f2-",
			 INSPECT_BIN, F.pin);
		snprintf(rc, sizeof(rc),
			 "%s watch remote '%s serve pinned %s/arena' 'head->id' 'head->name' "
			 "--count 2 "
			 "--interval 50 | cut -d' ' -f2-",
			 INSPECT_BIN, INSPECT_BIN, F.pin);
		run3(lc, &l);
		run3(rc, &r);
		assert_int_equal(l.status, 0);
		assert_true(strlen(l.out) > 10);
		assert_string_equal(l.out, r.out);
		free3(&l);
		free3(&r);
	}
	/* a refresh is one round trip (qArenaGather), not one a field: the
	 * requests on the wire, through a tee in front of the stub */
	{
		int reads[2], gathers[2], counts[2] = { 2, 6 };

		for (int k = 0; k < 2; k++) {
			char *o = cli_run(
				0, 0,
				"%s watch remote 'tee %s/wire | %s serve pinned %s/arena' "
				"'head->id' 'head->name' 'head->next->id' --count %d "
				"--interval 20 >/dev/null && grep -o 'qArenaRead' %s/wire | "
				"wc -l && grep -o 'qArenaGather' %s/wire | wc -l",
				INSPECT_BIN, dir, INSPECT_BIN, F.pin, counts[k], dir, dir);

			assert_int_equal(sscanf(o, "%d %d", &reads[k], &gathers[k]), 2);
			free(o);
		}
		/* the first sample evaluates (reads), each later one gathers */
		assert_int_equal(gathers[0], counts[0] - 1);
		assert_int_equal(gathers[1], counts[1] - 1);
		assert_int_equal(reads[1], reads[0]);
	}
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		(void)!system(cmd);
	}
	fixture_unload(&F);
}

/* serve --listen ADDR:0 in the background; *port from its stderr line */
static pid_t serve_tcp(const char *addr, int *port, char *errfile, size_t size)
{
	char cmd[2048];
	pid_t pid;

	snprintf(errfile, size, "/tmp/it_remote_serve.%d.err", (int)getpid());
	snprintf(cmd, sizeof(cmd), "exec %s serve pinned %s/arena --listen %s 2>%s </dev/null",
		 INSPECT_BIN, F.pin, addr, errfile);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	*port = 0;
	for (int i = 0; i < 100 && !*port; i++) {
		FILE *f = fopen(errfile, "r");
		char line[512];

		usleep(50000);
		while (f && fgets(line, sizeof(line), f)) {
			char *p = strstr(line, "serving on ");

			if (p && strchr(p, ':') && strstr(p, "one client at a time"))
				*port = atoi(strrchr(strtok(p + 11, " "), ':') + 1);
		}
		if (f)
			fclose(f);
	}
	if (!*port)
		fail_msg("serve --listen %s did not say its port", addr);
	return pid;
}

static void remote_tcp(void **state)
{
	char lc[1024], rc[1024], errfile[128];
	struct result l, r;
	int port, st;
	pid_t pid;

	(void)state;
	assert_int_equal(fixture_load("list", &F), 0);
	pid = serve_tcp("127.0.0.1:0", &port, errfile, sizeof(errfile));
	snprintf(lc, sizeof(lc), "%s print pinned %s/arena -j '*head'", INSPECT_BIN, F.pin);
	run3(lc, &l);
	/* two clients one after the other: the server takes the next */
	for (int i = 0; i < 2; i++) {
		snprintf(rc, sizeof(rc), "%s print remote 127.0.0.1:%d -j '*head'", INSPECT_BIN,
			 port);
		run3(rc, &r);
		assert_int_equal(r.status, 0);
		assert_string_equal(l.out, r.out);
		free3(&r);
	}
	free3(&l);
	{
		char *err = NULL;
		FILE *f = fopen(errfile, "r");
		size_t n = 0;

		assert_non_null(f);
		assert_true(getdelim(&err, &n, '\0', f) > 0);
		fclose(f);
		assert_null(strstr(err, "warning"));
		free(err);
	}
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	/* an address that is not loopback: the warning */
	pid = serve_tcp("0.0.0.0:0", &port, errfile, sizeof(errfile));
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	{
		char *err = NULL;
		FILE *f = fopen(errfile, "r");
		size_t n = 0;

		assert_non_null(f);
		assert_true(getdelim(&err, &n, '\0', f) > 0);
		fclose(f);
		assert_non_null(strstr(err, "warning: serving on 0.0.0.0:0, which is not a "
					    "loopback address: the GDB protocol has no "
					    "authentication"));
		free(err);
	}
	unlink(errfile);
	/* a bad --listen */
	free(cli_run(1, 0, "%s serve pinned %s/arena --listen nonsense 2>/dev/null", INSPECT_BIN,
		     F.pin));
	fixture_unload(&F);
}

/* one stderr line, exit 1, within the time limit the command runs under */
static void one_error_line(const char *arena_words, const char *want)
{
	char cmd[2048];
	struct result r;

	snprintf(cmd, sizeof(cmd), "timeout 20 %s pages %s", INSPECT_BIN, arena_words);
	run3(cmd, &r);
	if (r.status != 1 || cli_count_lines(r.err) != 1 || !strstr(r.err, want))
		fail_msg("%s: exit %d, stderr '%s' (want one line with '%s')", cmd, r.status, r.err,
			 want);
	free3(&r);
}

static void remote_bad_peers(void **state)
{
	char words[1024], cmd[2048];
	struct result r;

	(void)state;
	assert_int_equal(fixture_load("list", &F), 0);
	one_error_line("remote 'printf garbage'", "remote 'printf garbage': the connection");
	one_error_line("remote 'cat /dev/zero'", "not an arena-inspect stub");
	/* a peer that answers and is gone before our first request is sent:
	 * what it answered is the diagnosis, not the write that failed (a
	 * race: one in ten runs lost it before) */
	for (int i = 0; i < 30; i++)
		one_error_line("remote 'printf \"+\\$OK#9a\"; cat /dev/null'",
			       "not an arena-inspect stub");
	one_error_line("remote 'exit 3'", "remote 'exit 3': the connection");
	one_error_line("remote 127.0.0.1:1", "cannot connect");
	snprintf(words, sizeof(words), "remote '%s serve pinned %s/nothere'", INSPECT_BIN, F.pin);
	one_error_line(words, "no such pinned object");
	one_error_line("remote", "'remote' needs a command or HOST:PORT");
	one_error_line("ssh://", "expected ssh://");
	one_error_line("ssh://host:x/id/1", "the port is not a number");
	/* the server goes away in the middle of a watch */
	snprintf(cmd, sizeof(cmd),
		 "timeout 30 %s watch remote 'timeout 1 %s serve pinned %s/arena' 'head->id' "
		 "--interval 100 --count 100",
		 INSPECT_BIN, INSPECT_BIN, F.pin);
	run3(cmd, &r);
	if (r.status != 1 || cli_count_lines(r.err) != 1 || !strstr(r.err, "the connection"))
		fail_msg("watch, server gone: exit %d, stderr '%s'", r.status, r.err);
	free3(&r);
	fixture_unload(&F);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(remote_list, teardown),
		cmocka_unit_test_teardown(remote_others, teardown),
		cmocka_unit_test_teardown(remote_vars, teardown),
		cmocka_unit_test_teardown(remote_snapshot_diff_watch, teardown),
		cmocka_unit_test_teardown(remote_tcp, teardown),
		cmocka_unit_test_teardown(remote_bad_peers, teardown),
	};
	const char *why = bpf_test_skip_reason();

	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

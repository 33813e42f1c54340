// SPDX-License-Identifier: GPL-2.0
/*
 * arena-inspect snapshot ARENA -o FILE|-: save an arena as an ELF core file,
 * or stream it to stdout (-o -, for ssh host ... > f). snapshot --all -o DIR:
 * every arena on this machine, one file each.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "live.h"
#include "selector.h"
#include "snapshot.h"

/* Save src to output (a file, or "-": stdout) and say what was saved.
 * gone_ok (--all): an arena that went away is a note, not a failure. */
static int save_one(struct source *src, const struct cli_opts *o, const char *output, bool gone_ok)
{
	struct snapshot_write_opts wo = { .force = o->force, .sudo_owner = true };
	bool stream = !strcmp(output, "-");
	struct snapshot_stats st;
	struct btfx *bx = NULL;
	double secs, mib;
	int err;

	if (cli_open_btf(src, o, &bx))
		return 1;
	if (stream) {
		/* a reader that goes away is an error line, not a silent death */
		signal(SIGPIPE, SIG_IGN);
		err = snapshot__write_fd(src, bx, STDOUT_FILENO, "stdout", &st);
	} else {
		wo.progress = cli_progress();
		err = snapshot__write_opts(src, bx, output, &wo, &st);
	}
	cli_progress_end();
	if (err) {
		btfx__free(bx);
		if (gone_ok && err == -ENOENT) {
			fprintf(stderr,
				"arena-inspect: note: arena %u went away before it was saved\n",
				src->info.map_id);
			return 0;
		}
		return cli_lib_error(NULL);
	}
	secs = st.elapsed_ns / 1e9;
	mib = (double)st.pages_saved * source__page_size(src) / (1 << 20);
	if (o->json || o->pretty) {
		struct sink *s = cli_sink(o);
		char rate[32];

		sink_begin(s, NULL, false, NULL);
		sink_str(s, "file", output);
		sink_u64(s, "id", src->info.map_id);
		sink_str(s, "name", src->info.name);
		sink_hex(s, "user_vm_start", src->info.user_vm_start);
		sink_u64(s, "pages", src->info.max_pages);
		sink_u64(s, "pages_saved", st.pages_saved);
		sink_u64(s, "pages_reserved", st.pages_reserved);
		sink_u64(s, "pages_vanished", st.pages_vanished);
		sink_u64(s, "segments", st.nr_loads);
		sink_u64(s, "btf_blobs", st.nr_btf);
		sink_u64(s, "roots", st.nr_roots);
		sink_u64(s, "file_size", st.file_size);
		sink_u64(s, "elapsed_ns", st.elapsed_ns);
		snprintf(rate, sizeof(rate), "%.3f", secs > 0 ? mib / 1024 / secs : 0);
		sink_value(s, "gib_per_s", SK_NUM, rate, NULL);
		sink_bool(s, "changed", st.changed);
		sink_end(s, false);
		sink_flush(s);
		sink__free(s);
	} else if (stream) {
		/* stdout is the file: what was saved goes to stderr */
		fprintf(stderr,
			"arena-inspect: saved arena %u to stdout: %u pages (%.1f MiB) in %u "
			"segment%s, %u reserved, %u BTF, %u root%s, %.3f s\n",
			src->info.map_id, st.pages_saved, mib, st.nr_loads,
			st.nr_loads == 1 ? "" : "s", st.pages_reserved, st.nr_btf, st.nr_roots,
			st.nr_roots == 1 ? "" : "s", secs);
		if (st.changed)
			fprintf(stderr,
				"arena-inspect: note: the arena changed while being saved (%u "
				"page%s vanished); the snapshot is marked as changed\n",
				st.pages_vanished, st.pages_vanished == 1 ? "" : "s");
	} else {
		cli_line("saved arena %u '%s' to %s: %u pages (%.1f MiB) in %u segment%s, %u "
			 "reserved, "
			 "%u BTF, %u root%s, %.3f s",
			 src->info.map_id, src->info.name, output, st.pages_saved, mib, st.nr_loads,
			 st.nr_loads == 1 ? "" : "s", st.pages_reserved, st.nr_btf, st.nr_roots,
			 st.nr_roots == 1 ? "" : "s", secs);
		if (st.changed)
			fprintf(stderr,
				"arena-inspect: note: the arena changed while being saved (%u "
				"page%s vanished); "
				"the snapshot is marked as changed\n",
				st.pages_vanished, st.pages_vanished == 1 ? "" : "s");
	}
	btfx__free(bx);
	return 0;
}

/* DIR/arena-ID-NAME.snap, the name cut to what is safe in a file name */
static void all_path(char *buf, size_t size, const char *dir, const struct arena_info *ai)
{
	char name[AI_NAME_LEN + 1];
	size_t i;

	for (i = 0; i < AI_NAME_LEN && ai->name[i]; i++) {
		unsigned char c = ai->name[i];

		name[i] = isalnum(c) || c == '_' || c == '-' || c == '.' ? c : '_';
	}
	name[i] = '\0';
	snprintf(buf, size, "%s/arena-%u%s%s.snap", dir, ai->map_id, i ? "-" : "", name);
}

/* snapshot --all -o DIR: every arena; one that fails (or went away since
 * the list) is an error line, the others are still saved; exit 1 then */
static int save_all(const struct cli_opts *o)
{
	struct arena_summary *v = NULL;
	struct stat sb;
	int n = 0, failed = 0, err;

	if (!strcmp(o->output, "-"))
		return cli_error("snapshot --all: -o DIR must be a directory, not stdout");
	if (stat(o->output, &sb) || !S_ISDIR(sb.st_mode))
		return cli_error("snapshot --all: %s is not a directory (snapshot --all -o DIR)",
				 o->output);
	if (live__list(cli_probe(), &v, &n))
		return cli_lib_error("listing the arenas");
	if (!n)
		fprintf(stderr, "arena-inspect: note: there are no arenas on this machine\n");
	for (int i = 0; i < n; i++) {
		struct selector sel = { .kind = SEL_ID, .id = v[i].info.map_id };
		struct source *src;
		char path[4096 + 64];

		all_path(path, sizeof(path), o->output, &v[i].info);
		err = selector__open(&sel, cli_probe(), &src);
		if (err == -ENOENT) {
			fprintf(stderr,
				"arena-inspect: note: arena %u went away before it was saved\n",
				sel.id);
			continue;
		}
		if (err) {
			cli_lib_error(NULL);
			failed++;
			continue;
		}
		failed += save_one(src, o, path, true) != 0;
		source__close(src);
	}
	free(v);
	return failed ? 1 : 0;
}

static int do_snapshot(int argc, char **argv, const struct cli_opts *o)
{
	struct source *src;
	int used, rc;

	if (!o->output)
		return cli_error("snapshot: -o FILE is required (snapshot ARENA -o FILE|-, "
				 "snapshot --all -o DIR)");
	if (o->all) {
		if (argc > 0)
			return cli_error("snapshot --all takes no ARENA ('%s')", argv[0]);
		return save_all(o);
	}
	if (!strcmp(o->output, "-")) {
		if (isatty(STDOUT_FILENO))
			return cli_error("snapshot: -o - writes the snapshot to stdout, which is a "
					 "terminal; redirect it (-o - > FILE) or give -o FILE");
		if (o->json || o->pretty)
			return cli_error("snapshot: -j/-p describe the file on stdout, which -o - "
					 "uses for the snapshot itself");
	}
	if (cli_open_arena(argc, argv, &used, &src))
		return 1;
	if (used < argc) {
		source__close(src);
		return cli_error("snapshot: unexpected argument '%s'", argv[used]);
	}
	rc = save_one(src, o, o->output, false);
	source__close(src);
	return rc;
}

const struct cli_cmd cmd_snapshot = {
	.name = "snapshot",
	.run = do_snapshot,
	.args = "ARENA -o FILE|- | --all -o DIR",
	.opts = CLI_OPTS_OUTPUT | CLI_OPTS_TYPES | CLI_O(OUTPUT) | CLI_O(FORCE) | CLI_O(ALL),
	.help = "save the arena (pages, page map, BTF, roots) as an ELF core file (-o -: to "
		"stdout; --all: every arena, one file each in DIR)",
};

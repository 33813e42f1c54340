// SPDX-License-Identifier: GPL-2.0
/* arena-inspect snapshot ARENA -o FILE: save an arena as an ELF core file. */
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "snapshot.h"

static int do_snapshot(int argc, char **argv, const struct cli_opts *o)
{
	struct snapshot_write_opts wo = { .force = o->force, .sudo_owner = true };
	struct snapshot_stats st;
	struct btfx *bx = NULL;
	struct source *src;
	double secs, mib;
	int used;

	if (!o->output)
		return cli_error("snapshot: -o FILE is required (snapshot ARENA -o FILE)");
	if (cli_open_arena(argc, argv, &used, &src))
		return 1;
	if (used < argc) {
		source__close(src);
		return cli_error("snapshot: unexpected argument '%s'", argv[used]);
	}
	if (cli_open_btf(src, o, &bx)) {
		source__close(src);
		return 1;
	}
	wo.progress = cli_progress();
	if (snapshot__write_opts(src, bx, o->output, &wo, &st)) {
		cli_progress_end();
		btfx__free(bx);
		source__close(src);
		return cli_lib_error(NULL);
	}
	cli_progress_end();
	secs = st.elapsed_ns / 1e9;
	mib = (double)st.pages_saved * source__page_size(src) / (1 << 20);
	if (o->json || o->pretty) {
		struct sink *s = cli_sink(o);
		char rate[32];

		sink_begin(s, NULL, false, NULL);
		sink_str(s, "file", o->output);
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
	} else {
		cli_line("saved arena %u '%s' to %s: %u pages (%.1f MiB) in %u segment%s, %u "
			 "reserved, "
			 "%u BTF, %u root%s, %.3f s",
			 src->info.map_id, src->info.name, o->output, st.pages_saved, mib,
			 st.nr_loads, st.nr_loads == 1 ? "" : "s", st.pages_reserved, st.nr_btf,
			 st.nr_roots, st.nr_roots == 1 ? "" : "s", secs);
		if (st.changed)
			fprintf(stderr,
				"arena-inspect: note: the arena changed while being saved (%u "
				"page%s vanished); "
				"the snapshot is marked as changed\n",
				st.pages_vanished, st.pages_vanished == 1 ? "" : "s");
	}
	btfx__free(bx);
	source__close(src);
	return 0;
}

const struct cli_cmd cmd_snapshot = {
	.name = "snapshot",
	.run = do_snapshot,
	.args = "ARENA -o FILE",
	.opts = CLI_OPTS_OUTPUT | CLI_OPTS_TYPES | CLI_O(OUTPUT) | CLI_O(FORCE),
	.help = "save the arena (pages, page map, BTF, roots) as an ELF core file",
};

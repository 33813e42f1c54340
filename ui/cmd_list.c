// SPDX-License-Identifier: GPL-2.0
/* arena-inspect list: every arena on this machine. */
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "live.h"

void emit_arena_info(struct sink *s, const struct arena_info *ai, int64_t allocated,
		     int64_t reserved, bool table);

static void emit_ids(struct sink *s, const char *key, const uint32_t *ids, uint32_t n, bool table)
{
	char buf[256];
	size_t off = 0;

	if (!table) {
		sink_begin(s, key, true, NULL);
		for (uint32_t i = 0; i < n; i++)
			sink_u64(s, NULL, ids[i]);
		sink_end(s, true);
		return;
	}
	buf[0] = '\0';
	for (uint32_t i = 0; i < n && off < sizeof(buf) - 12; i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s%u", i ? "," : "", ids[i]);
	sink_str(s, key, n ? buf : "-");
}

/* One arena as a flat object: a table row in text, an object in JSON. */
void emit_arena_info(struct sink *s, const struct arena_info *ai, int64_t allocated,
		     int64_t reserved, bool table)
{
	sink_begin(s, NULL, false, NULL);
	sink_u64(s, "id", ai->map_id);
	sink_str(s, "name", ai->name);
	sink_u64(s, "pages", ai->max_pages);
	if (allocated >= 0)
		sink_u64(s, "allocated", allocated);
	if (reserved >= 0)
		sink_u64(s, "reserved", reserved);
	sink_hex(s, "map_extra", ai->map_extra);
	sink_hex(s, "user_vm_start", ai->user_vm_start);
	if (!table) {
		sink_hex(s, "user_vm_end", ai->user_vm_end);
		sink_u64(s, "map_flags", ai->map_flags);
	}
	emit_ids(s, "progs", ai->prog_ids, ai->nr_progs, table);
	if (table) {
		/* bpftool's comm(pid) */
		char owners[1024];

		fmt_owners(ai, owners, sizeof(owners));
		sink_str(s, "owners", owners);
	} else {
		/* JSON: the pids as before, and their comm, in the same order
		 * ("" when it cannot be read) */
		emit_ids(s, "owners", (const uint32_t *)ai->owner_pids, ai->nr_owners, false);
		sink_begin(s, "owner_comms", true, NULL);
		for (uint32_t i = 0; i < ai->nr_owners; i++) {
			char comm[64];

			live__owner_comm(ai->owner_pids[i], comm, sizeof(comm));
			sink_str(s, NULL, comm);
		}
		sink_end(s, true);
	}
	sink_end(s, false);
}

static int do_list(int argc, char **argv, const struct cli_opts *o)
{
	struct arena_summary *v;
	struct sink *s;
	int n;

	if (argc > 0)
		return cli_error("list: unexpected argument '%s'", argv[0]);
	if (live__list(cli_probe(), &v, &n))
		return cli_lib_error("list");
	if (n == 0 && !o->json && !o->pretty) {
		free(v);
		fprintf(stderr, "no arenas on this machine\n");
		return 0;
	}
	s = cli_sink(o);
	sink_begin(s, NULL, true, NULL);
	for (int i = 0; i < n; i++)
		emit_arena_info(s, &v[i].info, v[i].allocated, v[i].reserved,
				!o->json && !o->pretty);
	sink_end(s, true);
	sink__free(s);
	free(v);
	return 0;
}

const struct cli_cmd cmd_list = {
	.name = "list",
	.run = do_list,
	.args = "",
	.opts = CLI_OPTS_OUTPUT,
	.help = "every arena: id, name, pages, allocated, user address, programs, owners",
};

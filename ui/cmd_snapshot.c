// SPDX-License-Identifier: GPL-2.0
/* arena-inspect snapshot ARENA -o FILE (being implemented) */
#include "cli.h"

static int do_snapshot(int argc, char **argv, const struct cli_opts *o)
{
	return cli_error("snapshot: not implemented yet");
}

const struct cli_cmd cmd_snapshot = {
	.name = "snapshot",
	.run = do_snapshot,
	.usage = "snapshot ARENA -o FILE [-j|-p]",
	.help = "save the arena (pages, page map, BTF, roots) as an ELF core file",
};

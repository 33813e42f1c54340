// SPDX-License-Identifier: GPL-2.0
/* arena-inspect diff A B (being implemented) */
#include "cli.h"

static int do_diff(int argc, char **argv, const struct cli_opts *o)
{
	return cli_error("diff: not implemented yet");
}

const struct cli_cmd cmd_diff = {
	.name = "diff",
	.run = do_diff,
	.usage = "diff A B [-j|-p]",
	.help = "pages allocated/freed and bytes changed between two arenas or snapshots",
};

// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_node: a user-space program built with -g whose DWARF holds the list
 * fixture's struct node (fx_layout.h), for GDB's `file` in it_gdb: the
 * types an arena's owner would have in its own binary.
 */
#include "../../bpf_fixtures/fx_layout.h"

struct node gdb_node_example;

int main(void)
{
	return gdb_node_example.id;
}

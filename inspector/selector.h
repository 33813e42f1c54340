/* SPDX-License-Identifier: GPL-2.0 */
/*
 * selector: the ARENA grammar, parsed in one place for the CLI and the TUI
 * command line, and turned into a source: a live arena (live.h) or a
 * snapshot file (snapshot.h). This module calls both; they know nothing of
 * it beyond the struct selector a live open takes.
 */
#ifndef ARENA_INSPECT_SELECTOR_H
#define ARENA_INSPECT_SELECTOR_H

#include <stdint.h>
#include "remote.h"
#include "source.h"

struct probe; /* probe.h */

enum selector_kind { SEL_ID, SEL_PINNED, SEL_NAME, SEL_FILE, SEL_REMOTE };

struct selector {
	enum selector_kind kind;
	uint32_t id;
	char arg[4096];		     /* path, name or file */
	struct remote_target remote; /* SEL_REMOTE */
};

/* The grammar, for help texts. */
extern const char selector__usage[];

/*
 * Parse the ARENA grammar: "id N", "pinned PATH", "name NAME", a FILE (a
 * snapshot), "remote CMD", "remote HOST:PORT" or
 * "ssh://[USER@]HOST[:PORT]/SELECTOR" where SELECTOR is id/N, name/NAME,
 * pinned/PATH (PATH absolute on the host) or a FILE path (relative to the
 * remote home; //PATH for an absolute one). *used: words consumed. -EINVAL
 * with a message on error.
 */
int selector__parse(int argc, char **argv, struct selector *sel, int *used);

/* Open whatever the selector names: a live arena (through probe, see
 * live__open; NULL: one of its own) or a snapshot file. */
int selector__open(const struct selector *sel, struct probe *probe, struct source **out);

/* Parse and open in one step. argv/argc: the words; *used: how many words
 * were consumed. */
int source__open_args(int argc, char **argv, struct probe *probe, int *used, struct source **out);

#endif

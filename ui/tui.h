/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tui: the full-screen inspector (ncurses + a readline command line).
 *
 * tui_run() owns the terminal from start to finish: it restores it on
 * return, on SIGINT/SIGTERM (a clean quit) and on crash signals (endwin,
 * then the signal is re-raised). It takes ownership of src (closed on
 * return); src NULL opens the arena chooser. Returns the exit status.
 *
 * AI_TUI_EXIT_AFTER_FIRST_DRAW=1 in the environment makes tui_run return 0
 * right after the first screen is on the terminal (time-to-first-screen
 * benchmarks).
 */
#ifndef ARENA_INSPECT_TUI_H
#define ARENA_INSPECT_TUI_H

#include "cli.h"
#include "source.h"

int tui_run(struct source *src, const struct cli_opts *o);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * Time to the first TUI screen on a 4 GiB arena (issue 5: within 100 ms of
 * start), measured from fork to the program's exit with
 * AI_TUI_EXIT_AFTER_FIRST_DRAW=1 in a pseudo-terminal, beside the same
 * data path without a UI (`pages -j`), and the page map's refresh cost
 * beside the refresh tick it must fit in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "bench_arena.h"
#include "live.h"

int main(int argc, char **argv)
{
	char bin[4096], id[32];
	struct bench_arena ba;
	struct pagemap pm;
	double tui, cli, t0, pm_ms;
	int err = bench_arena__new("bench_tui", &ba);

	if (err)
		return err < 0;
	/* the inspector sits beside this benchmark in the build tree */
	snprintf(bin, sizeof(bin), "%s", argv[0]);
	strcpy(strrchr(bin, '/') ? strrchr(bin, '/') + 1 : bin, "../ui/arena-inspect");
	bench_arena__fill(&ba, 0, BENCH_NPAGES / 1000, 1000);
	snprintf(id, sizeof(id), "%u", ba.src->info.map_id);
	{
		char *tui_argv[] = { bin, "id", id, NULL };
		char *cli_argv[] = { bin, "pages", "id", id, "-j", NULL };

		tui = bench_run_ms(tui_argv, true);
		cli = bench_run_ms(cli_argv, false);
	}
	t0 = bench_now_ms();
	source__pagemap(ba.src, &pm);
	pm_ms = bench_now_ms() - t0;
	pagemap__free(&pm);
	printf("bench_tui: 4 GiB arena, 0.1%% allocated\n");
	printf("first screen (start to first draw):   %7.1f ms   target 100 ms (%s); same data "
	       "without UI (pages -j) %6.1f ms, ratio %.2fx\n",
	       tui, tui <= 100 ? "met" : "MISSED", cli, tui / cli);
	printf("page map refresh in the TUI's tick:   %7.3f ms   tick 1000 ms (%.3f%% of it)\n",
	       pm_ms, pm_ms / 10);
	bench_arena__free(&ba);
	return 0;
}

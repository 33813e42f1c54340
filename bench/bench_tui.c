// SPDX-License-Identifier: GPL-2.0
/*
 * Time to the first TUI screen on a 4 GiB arena (issue 5: within 100 ms of
 * start), measured from fork to the program's exit with
 * AI_TUI_EXIT_AFTER_FIRST_DRAW=1 in a pseudo-terminal, beside the same
 * data path without a UI (`pages -j`), and the live refresh's cost (the
 * page map, every tick) at 0.1%, 10% and 100% beside the tick it must fit in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "bench_arena.h"
#include "live.h"
#include "probe.h"

/*
 * The TUI's live refresh (session__refresh, every tick) is one
 * source__pagemap: the same one-pass page map as `pages`. Median of 15
 * such refreshes, with the probe's own count of kernel passes, as a share
 * of the default 1000 ms tick.
 */
static void refresh_share(struct bench_arena *ba, const char *label, uint32_t stride)
{
	struct probe *pr = live__probe(ba->src);
	struct probe_stats st;
	struct pagemap pm;
	double t[15], ms;

	bench_arena__fill(ba, 0, BENCH_NPAGES / stride, stride);
	probe__stats(pr, NULL, true);
	for (int i = 0; i < 15; i++) {
		double t0 = bench_now_ms();

		if (source__pagemap(ba->src, &pm)) {
			fprintf(stderr, "bench_tui: page map failed\n");
			exit(1);
		}
		t[i] = bench_now_ms() - t0;
		pagemap__free(&pm);
	}
	probe__stats(pr, &st, false);
	ms = bench_median(t, 15);
	printf("live refresh at %-5s (median of 15): %8.3f ms   tick 1000 ms (%.3f%% of it); "
	       "%.1f kernel pass(es) a refresh, iterator setup %.3f ms of it\n",
	       label, ms, ms / 10, st.passes / 15.0, st.setup_ns / 15e6);
}

int main(int argc, char **argv)
{
	char bin[4096], id[32];
	struct bench_arena ba;
	double tui, cli;
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
	printf("bench_tui: 4 GiB arena, 0.1%% allocated\n");
	printf("first screen (start to first draw):   %7.1f ms   target 100 ms (%s); same data "
	       "without UI (pages -j) %6.1f ms, ratio %.2fx\n",
	       tui, tui <= 100 ? "met" : "MISSED", cli, tui / cli);
	refresh_share(&ba, "0.1%", 1000);
	refresh_share(&ba, "10%", 10);
	refresh_share(&ba, "100%", 1);
	bench_arena__free(&ba);
	return 0;
}

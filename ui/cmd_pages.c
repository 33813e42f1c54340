// SPDX-License-Identifier: GPL-2.0
/* arena-inspect pages ARENA: the page map as counts, runs and a picture. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "pagesym.h"
#include "source.h"

static const char *state_name[] = { "free", "allocated", "reserved" };

#define PIC_COLS 64
#define PIC_ROWS 32

static char *picture(const struct pagemap *pm, uint32_t *per_cell)
{
	uint32_t cells = PIC_COLS * PIC_ROWS;
	uint32_t per = (pm->nr_pages + cells - 1) / cells;
	uint32_t ncell, col = 0;
	char *pic, *p;

	if (!per)
		per = 1;
	ncell = (pm->nr_pages + per - 1) / per;
	pic = malloc(ncell + ncell / PIC_COLS + 2);
	if (!pic)
		return NULL;
	p = pic;
	for (uint32_t c = 0; c < ncell; c++) {
		uint32_t lo = c * per, hi = lo + per < pm->nr_pages ? lo + per : pm->nr_pages;
		uint32_t cnt[3] = {};

		for (uint32_t i = lo; i < hi; i++)
			cnt[pm->state[i] <= PAGE_RESERVED ? pm->state[i] : 0]++;
		*p++ = pagesym__char(cnt[PAGE_ALLOCATED], cnt[PAGE_RESERVED], hi - lo);
		if (++col == PIC_COLS && c + 1 < ncell) {
			*p++ = '\n';
			col = 0;
		}
	}
	*p = '\0';
	*per_cell = per;
	return pic;
}

static int do_pages(int argc, char **argv, const struct cli_opts *o)
{
	struct source *src;
	struct pagemap pm;
	struct sink *s;
	bool json = o->json || o->pretty;
	uint64_t base;
	int used, err;

	if (cli_open_arena(argc, argv, &used, &src))
		return 1;
	if (used < argc) {
		source__close(src);
		return cli_error("pages: unexpected argument '%s'", argv[used]);
	}
	err = source__pagemap(src, &pm);
	if (err) {
		source__close(src);
		return cli_lib_error("pages");
	}
	base = src->info.user_vm_start;
	s = cli_sink(o);
	sink_begin(s, NULL, false, NULL);
	sink_u64(s, "id", src->info.map_id);
	sink_str(s, "name", src->info.name);
	sink_hex(s, "user_vm_start", base);
	sink_u64(s, "pages", pm.nr_pages);
	sink_u64(s, "allocated", pm.counts[PAGE_ALLOCATED]);
	sink_u64(s, "reserved", pm.counts[PAGE_RESERVED]);
	sink_u64(s, "free", pm.counts[PAGE_FREE]);
	sink_u64(s, "free_runs", pm.nr_free_runs);
	sink_u64(s, "largest_free_run", pm.largest_free_run);
	sink_bool(s, "stale", pm.stale);
	sink_begin(s, "runs", true, NULL);
	for (uint32_t i = 0; i < pm.nr_pages;) {
		uint32_t j = i;

		while (j < pm.nr_pages && pm.state[j] == pm.state[i])
			j++;
		/* free runs are the background; text shows only what is in use */
		if (json || pm.state[i] != PAGE_FREE) {
			sink_begin(s, NULL, false, NULL);
			sink_str(s, "state",
				 state_name[pm.state[i] <= PAGE_RESERVED ? pm.state[i] : 0]);
			sink_u64(s, "first", i);
			sink_u64(s, "count", j - i);
			sink_hex(s, "addr",
				 base ? base + ((uint64_t)i << src->info.page_shift) : 0);
			sink_end(s, false);
		}
		i = j;
	}
	sink_end(s, true);
	if (!json) {
		uint32_t per = 1;
		char *pic = picture(&pm, &per);
		char legend[160];

		snprintf(legend, sizeof(legend), "one cell = %u page%s: %s", per,
			 per == 1 ? "" : "s", PAGESYM_LEGEND);
		sink_str(s, "legend", legend);
		if (pic) {
			char *with_nl;

			if (asprintf(&with_nl, "\n%s", pic) > 0) {
				/* the one string whose newlines are ours */
				struct sink_attrs la = { .lines = true };

				sink_value(s, "map", SK_STR, with_nl, &la);
				free(with_nl);
			}
			free(pic);
		}
	}
	sink_end(s, false);
	sink__free(s);
	pagemap__free(&pm);
	source__close(src);
	return 0;
}

const struct cli_cmd cmd_pages = {
	.name = "pages",
	.run = do_pages,
	.args = "ARENA",
	.opts = CLI_OPTS_OUTPUT,
	.help = "page map: allocated / reserved / free runs, counts and a picture",
};

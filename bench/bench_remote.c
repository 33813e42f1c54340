// SPDX-License-Identifier: GPL-2.0
/*
 * Remote sources (issue 16), each figure beside the local one from the same
 * run, on the benchmarks' 4 GiB arena with 10% of its pages allocated
 * (every tenth) and a 64 MiB run: the page map over `remote 'arena-inspect
 * serve id N'` (a local pipe) vs the live source (target: within 2x), a
 * 4 MiB read as `hex` does it (target: within 2x), the `hex` command on
 * 4 MiB end to end, and bulk reads (read_pages, what snapshot uses) over
 * the pipe vs local (target: >= 50%, or what bounds them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_arena.h"
#include "error.h"
#include "remote.h"

#define RUN_FIRST 500000u /* 64 MiB of allocated pages from here */
#define RUN_PAGES 16384u
#define HEX_BYTES (4u << 20)

static double pagemap_ms(struct source *s)
{
	double v[5];

	for (int i = 0; i < 5; i++) {
		struct pagemap pm;
		double t0 = bench_now_ms();

		if (source__pagemap(s, &pm)) {
			fprintf(stderr, "bench_remote: page map: %s\n", ai_errmsg());
			exit(1);
		}
		v[i] = bench_now_ms() - t0;
		pagemap__free(&pm);
	}
	return bench_median(v, 5);
}

static double read_ms(struct source *s, uint8_t *buf)
{
	uint64_t addr = s->info.user_vm_start + (uint64_t)RUN_FIRST * 4096;
	double v[5];

	for (int i = 0; i < 5; i++) {
		double t0 = bench_now_ms();

		if (source__read(s, addr, buf, HEX_BYTES, NULL)) {
			fprintf(stderr, "bench_remote: read: %s\n", ai_errmsg());
			exit(1);
		}
		v[i] = bench_now_ms() - t0;
	}
	return bench_median(v, 5);
}

/* read_pages over the 64 MiB run, in the source's largest batches: GB/s */
static double bulk_gbs(struct source *s)
{
	uint32_t batch = s->ops->borrow_max_bytes / 4096;
	static uint8_t present[4096];
	double v[3];

	if (batch > sizeof(present))
		batch = sizeof(present);
	for (int k = 0; k < 3; k++) {
		double t0 = bench_now_ms();

		for (uint32_t p = RUN_FIRST; p < RUN_FIRST + RUN_PAGES; p += batch) {
			const uint8_t *data;

			if (s->ops->read_pages(s, p, batch, &data, present) < 0) {
				fprintf(stderr, "bench_remote: read_pages: %s\n", ai_errmsg());
				exit(1);
			}
		}
		v[k] = (double)RUN_PAGES * 4096 / ((bench_now_ms() - t0) * 1e6);
	}
	return bench_median(v, 3);
}

static double hex_cmd_ms(const char *arena)
{
	char cmd[1024];
	double v[3];

	snprintf(cmd, sizeof(cmd), "%s hex %s +0x%x %u >/dev/null", INSPECT_BIN, arena,
		 RUN_FIRST * 4096, HEX_BYTES);
	for (int i = 0; i < 3; i++) {
		double t0 = bench_now_ms();

		if (system(cmd)) {
			fprintf(stderr, "bench_remote: %s failed\n", cmd);
			exit(1);
		}
		v[i] = bench_now_ms() - t0;
	}
	return bench_median(v, 3);
}

int main(void)
{
	struct remote_target t = { .kind = REMOTE_CMD };
	struct bench_arena ba;
	struct source *rs;
	char local[64], remote[4200];
	double pl, pr, rl, rr, hl, hr, bl, br;
	uint8_t *buf = malloc(HEX_BYTES);
	int err = bench_arena__new("bench_remote", &ba);

	if (err)
		return err > 0 ? 0 : 1;
	if (!buf)
		return 1;
	bench_arena__fill(&ba, 0, BENCH_NPAGES / 10, 10);
	bench_arena__fill(&ba, RUN_FIRST, RUN_PAGES, 1);
	snprintf(t.cmd, sizeof(t.cmd), "%s serve id %u", INSPECT_BIN, ba.src->info.map_id);
	if (remote__open(&t, &rs)) {
		fprintf(stderr, "bench_remote: %s\n", ai_errmsg());
		return 1;
	}
	printf("bench_remote: 4 GiB arena, 10%% allocated + a 64 MiB run; remote = `remote '%s'`\n",
	       t.cmd);
	pl = pagemap_ms(ba.src);
	pr = pagemap_ms(rs);
	printf("page map:         local %7.2f ms  remote %7.2f ms  ratio %.2fx (target <= 2x)\n",
	       pl, pr, pr / pl);
	rl = read_ms(ba.src, buf);
	rr = read_ms(rs, buf);
	printf("4 MiB read:       local %7.2f ms  remote %7.2f ms  ratio %.2fx (target <= 2x)\n",
	       rl, rr, rr / rl);
	snprintf(local, sizeof(local), "id %u", ba.src->info.map_id);
	snprintf(remote, sizeof(remote), "remote '%s'", t.cmd);
	hl = hex_cmd_ms(local);
	hr = hex_cmd_ms(remote);
	printf("hex 4 MiB (CLI):  local %7.1f ms  remote %7.1f ms  ratio %.2fx (process, probe and "
	       "formatting included)\n",
	       hl, hr, hr / hl);
	bl = bulk_gbs(ba.src);
	br = bulk_gbs(rs);
	printf("bulk read_pages:  local %6.2f GB/s  remote %6.2f GB/s  %.0f%% of local (target >= "
	       "50%%; bounded by the pipe: one copy in the stub, the socket, one unescape)\n",
	       bl, br, 100 * br / bl);
	source__close(rs);
	bench_arena__free(&ba);
	free(buf);
	return 0;
}

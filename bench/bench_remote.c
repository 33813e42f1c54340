// SPDX-License-Identifier: GPL-2.0
/*
 * Remote sources (issue 16), each figure beside the local one from the same
 * run, on the benchmarks' 4 GiB arena with 10% of its pages allocated
 * (every tenth) and a 64 MiB run: the page map over `remote 'arena-inspect
 * serve id N'` (a local pipe) vs the live source (target: within 2x), a
 * 4 MiB read as `hex` does it (target: within 2x), the `hex` command on
 * 4 MiB end to end, and bulk reads (read_pages, what snapshot uses) over
 * the pipe vs local (target: >= 50%, or what bounds them); then the TUI's
 * first screen over ssh to 127.0.0.1 (a private sshd, started by
 * tests/screen/sshd.sh as the ssh screen test starts it), from the
 * connection up: its time less that of `ssh true` over the same sshd, as a
 * ratio to the 300 ms target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>
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

/*
 * The ssh part runs in a second process of this program, under bash with
 * the private sshd up (sshd.sh's sshd_start sets SSHD_PORT and exports
 * AI_SSH, AI_REMOTE_BIN); it prints its own lines.
 */
static int ssh_part(const char *id)
{
	const char *port = getenv("SSHD_PORT"), *ssh = getenv("AI_SSH");
	char url[256], cmd[1024];
	double t[5], ssh_ms, tui_ms;

	if (!port || !ssh)
		return 1;
	snprintf(cmd, sizeof(cmd), "%s -p %s root@127.0.0.1 true", ssh, port);
	for (int i = 0; i < 5; i++) {
		double t0 = bench_now_ms();

		if (system(cmd)) {
			fprintf(stderr, "bench_remote: %s failed\n", cmd);
			return 1;
		}
		t[i] = bench_now_ms() - t0;
	}
	ssh_ms = bench_median(t, 5);
	snprintf(url, sizeof(url), "ssh://root@127.0.0.1:%s/id/%s", port, id);
	{
		char *argv[] = { INSPECT_BIN, url, NULL };

		tui_ms = bench_run_ms(argv, true);
	}
	if (tui_ms < 0)
		return 1;
	printf("TUI over ssh:     first screen %6.1f ms  ssh true %6.1f ms  after the connection "
	       "%6.1f ms = %.2fx of the 300 ms target (%s)\n",
	       tui_ms, ssh_ms, tui_ms - ssh_ms, (tui_ms - ssh_ms) / 300,
	       tui_ms - ssh_ms <= 300 ? "met" : "MISSED");
	return 0;
}

/* bash: source sshd.sh, start the sshd, run ssh_part, stop it (trap) */
static void ssh_tui(const char *self, uint32_t id)
{
	char cmd[8192];
	int rc;

	snprintf(
		cmd, sizeof(cmd),
		"bash -c 'INSPECT_BIN=\"$1\"; . \"$2\"; d=$(mktemp -d /tmp/bench_ssh.XXXXXX) || "
		"exit 1; trap \"sshd_stop; rm -rf $d\" EXIT; sshd_start \"$d/ssh\" >&2 || exit $?; "
		"SSHD_PORT=$SSHD_PORT \"$3\" --ssh-part %u' bench_ssh '%s' "
		"'%s/tests/screen/sshd.sh' '%s'",
		id, INSPECT_BIN, SOURCE_DIR, self);
	fflush(stdout);
	rc = system(cmd);
	if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77)
		printf("TUI over ssh:     skipped (no OpenSSH server: ./dev installs it)\n");
	else if (rc)
		printf("TUI over ssh:     FAILED (exit %d; sshd.sh's message above)\n",
		       WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
}

int main(int argc, char **argv)
{
	struct remote_target t = { .kind = REMOTE_CMD };
	char self[4096];
	struct bench_arena ba;
	struct source *rs;
	char local[64], remote[4200];
	double pl, pr, rl, rr, hl, hr, bl, br;
	uint8_t *buf = malloc(HEX_BYTES);
	int err;

	if (argc == 3 && !strcmp(argv[1], "--ssh-part"))
		return ssh_part(argv[2]);
	err = bench_arena__new("bench_remote", &ba);

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
	       "50%%; bounded by CPU a byte: local is one BPF copy, borrowed; remote adds the "
	       "escape scan "
	       "and copy, the checksum, two socket copies, the scan and the unescape into place)\n",
	       bl, br, 100 * br / bl);
	source__close(rs);
	/* our own path: the ssh part runs this program again */
	if (realpath(argv[0], self))
		ssh_tui(self, ba.src->info.map_id);
	bench_arena__free(&ba);
	free(buf);
	return 0;
}

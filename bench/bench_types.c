// SPDX-License-Identifier: GPL-2.0
/*
 * --types speed (issue 13): a header of 200 structs (generated here, each
 * with a nested struct, a bitfield, an array and pointers to the next one)
 * opened the first time (clang-19 + pahole) and again from the cache,
 * side by side as a ratio. The cache is a fresh directory of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "bench_arena.h"
#include "error.h"
#include "types.h"

#define NSTRUCTS 200
#define RUNS 5

static void gen_header(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	for (int i = 0; i < NSTRUCTS; i++)
		fprintf(f, "struct s%d;\n", i);
	for (int i = 0; i < NSTRUCTS; i++)
		fprintf(f,
			"struct s%d {\n\tstruct s%d __arena *next;\n\t__u64 key;\n"
			"\tstruct { __u32 lo, hi; } half;\n\t__u16 flags : 3, kind : 5;\n"
			"\tchar name[%d];\n\tbool live;\n};\n",
			i, (i + 1) % NSTRUCTS, 8 + i % 24);
	fclose(f);
}

int main(void)
{
	char dir[] = "/tmp/bench-types-XXXXXX", hdr[64], cache[64], cmd[128];
	double first = 0, cached = 1e9;

	if (system("command -v clang-19 >/dev/null && command -v pahole >/dev/null")) {
		printf("bench_types: skipped (needs clang-19 and pahole)\n");
		return 0;
	}
	if (!mkdtemp(dir))
		return 1;
	snprintf(hdr, sizeof(hdr), "%s/many.h", dir);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	gen_header(hdr);
	for (int r = 0; r < RUNS; r++) {
		struct types_opts o = { .sz = sizeof(o), .cache_dir = cache };
		struct types_info info;
		struct btf *btf;
		double t0, t;

		if (r == 0 || r == 1) {
			/* r 0 warms the page cache; r 1 is the measured first open */
			snprintf(cmd, sizeof(cmd), "rm -rf %s", cache);
			if (system(cmd))
				return 1;
		}
		t0 = bench_now_ms();
		if (types__load(hdr, &o, &btf, &info)) {
			fprintf(stderr, "bench_types: %s\n", ai_errmsg());
			return 1;
		}
		t = bench_now_ms() - t0;
		if (btf__type_cnt(btf) < NSTRUCTS) {
			fprintf(stderr, "bench_types: only %u types\n", btf__type_cnt(btf));
			return 1;
		}
		btf__free(btf);
		if (r == 1)
			first = t;
		else if (r > 1 && info.cached && t < cached)
			cached = t;
	}
	printf("--types header of %d structs: first open %.1f ms (clang-19 + pahole), cached %.2f "
	       "ms: %.0fx faster\n",
	       NSTRUCTS, first, cached, first / cached);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? 1 : 0;
}

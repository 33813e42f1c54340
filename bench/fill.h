/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BENCH_FILL_H
#define BENCH_FILL_H

/* fill.bpf.c's arguments, shared with the benchmarks */
struct fill_args {
	unsigned long long base; /* user address of page 0 */
	unsigned int first;
	unsigned int count;
	unsigned int stride;
	unsigned int done;
};

#endif

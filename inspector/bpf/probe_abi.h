/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Record layout shared by the inspector's own BPF program (probe.bpf.c) and
 * user space (probe.c). The probe is a bpf_map iterator: it finds the arena by
 * map id and reads the kernel's struct bpf_arena with bpf_probe_read_kernel,
 * which fails on a missing page instead of faulting one in.
 */
#ifndef ARENA_INSPECT_PROBE_ABI_H
#define ARENA_INSPECT_PROBE_ABI_H

#define PROBE_BUF_BYTES (4U << 20)	  /* per READ pass */
#define PROBE_BUF_PAGES 1024		  /* pages a READ pass takes at most (4 KiB pages) */
#define PROBE_MAX_RANGES ((1U << 19) + 2) /* worst case: every other page free */
#define PROBE_MAX_RUNS 65536		  /* non-free runs probed per PAGES pass */
#define PROBE_MAX_GATHER 16384		  /* scattered fields per GATHER pass */
#define PROBE_GATHER_MAX_LEN 64
#define PROBE_BITMAP_WORDS ((1U << 20) / 64)

enum probe_mode {
	PROBE_INFO = 0,	  /* just the arena's fields */
	PROBE_RANGES = 1, /* free ranges from arena->rt, in tree level order */
	PROBE_PAGES = 2,  /* probe every page of the runs given in `runs` */
	PROBE_READ = 3,	  /* copy pages [first_page, +nr_pages) into pagebuf */
	PROBE_GATHER = 4, /* copy each item of `gather` */
	/* RANGES, then (unless the walk broke) the free ranges into `freebits`,
	 * the pages outside them probed into `allocbits`, and CHECK: the whole
	 * page map in one pass (probe.c says why that is exact) */
	PROBE_PAGEMAP = 5,
	/* re-read the nodes the last RANGES walk recorded in `queue`: sets
	 * `changed` when the tree is not the one the walk saw */
	PROBE_CHECK = 6,
	/* copy the pages of the first nr_items runs in `runs`, in order, into
	 * pagebuf (buf 0) or pagebuf2, at most PROBE_BUF_PAGES in all */
	PROBE_READ_RUNS = 7,
};

enum probe_status {
	PROBE_NOT_FOUND = 0,
	PROBE_FOUND = 1,
	PROBE_NOT_ARENA = 2,
};

struct probe_range {
	unsigned int start;
	unsigned int last; /* inclusive, like the kernel's rn_last */
};

struct probe_gather {
	unsigned int off; /* arena offset */
	unsigned int len; /* <= PROBE_GATHER_MAX_LEN */
	int err;	  /* 0 or -EFAULT (page not there) */
	unsigned int pad;
	unsigned char data[PROBE_GATHER_MAX_LEN];
};

struct probe_args {
	unsigned int target_id;
	unsigned int mode;
	unsigned int first_page;
	unsigned int nr_pages;
	unsigned int nr_items; /* runs for PAGES, items for GATHER */
	unsigned int buf;      /* READ: 0 pagebuf, 1 pagebuf2 */
};

struct probe_result {
	unsigned int status;
	unsigned int map_flags;
	unsigned int max_entries;
	unsigned int nr_ranges;
	unsigned long long map_extra;
	unsigned long long user_vm_start;
	unsigned long long user_vm_end;
	unsigned long long kern_vm_start; /* first arena page, guard skipped */
	unsigned int broken;		  /* tree changed under the walk */
	unsigned int nr_ok;		  /* pages or items read fine */
	unsigned int no_tree;		  /* RANGES: no arena->rt (6.9-6.12 keep
					   * free pages in a maple tree) */
	unsigned int changed;		  /* CHECK: the tree differs from the walk's */
	unsigned int nr_maps;		  /* maps the iterator showed us in this pass */
	unsigned int pad;
	/* the pass's phases, bpf_ktime_get_ns() deltas, for the bench */
	unsigned long long walk_ns;
	unsigned long long mark_ns;
	unsigned long long probe_ns;
	unsigned long long check_ns;
};

#endif

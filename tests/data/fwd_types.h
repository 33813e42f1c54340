/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The definitions that the synthetic "program" BTF of
 * tests/common/fwd_arena.c only declares (struct node is a FWD there), and
 * a type that it does not have at all (struct elem). Written as a BPF
 * header is: __arena, __u64 and bool come from the prelude that
 * --types gives it. Types here are only reached through pointers or not
 * used at all, as in real BPF code.
 */
#ifndef FWD_TYPES_H
#define FWD_TYPES_H

struct node {
	struct node __arena *next;
	__u64 value;
	__u32 id;
	__u16 flags : 3, kind : 5;
	bool live;
};

struct elem {
	__u32 tag;
	struct node n;
	union {
		__u64 raw;
		struct {
			__u32 lo, hi;
		};
	} u;
	char name[6];
};

#endif

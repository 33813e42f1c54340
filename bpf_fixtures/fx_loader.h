/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arena-fixture internals. main.c parses the command line; fx_core.c
 * creates, maps, loads and pins an arena fixture; scenarios.c and
 * scen_*.c fill one scenario each and state what a test may expect;
 * fx_count.c counts pages from the kernel side; fx_daemon.c drives churn.
 *
 * Errors: every function that can fail prints ONE message on stderr
 * ("arena-fixture: ...") at the place that knows the cause and returns a
 * negative errno; callers just propagate.
 */
#ifndef ARENA_FIXTURE_LOADER_H
#define ARENA_FIXTURE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include <bpf/libbpf.h>

#include "fx_layout.h"

#define FX_DEFAULT_PIN "/sys/fs/bpf/arena-fixture"
#define FX_RUN_DIR "/run/arena-fixture"
#define FX_DAEMON_COMM "afx-churn"
#define FX_MAX_PINS 32

/* ---- messages ---- */
#define FX_EPERM_MSG "BPF not permitted (need root: CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)"
int fx_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* libbpf's warnings are kept and shown only when something fails */
void fx_libbpf_capture(void);
void fx_libbpf_dump(void);

/* ---- a tiny JSON writer (commas and escaping) ---- */
struct jw {
	FILE *f;
	int depth;
	bool need_comma[32];
	bool after_key;
};
void jw_init(struct jw *w, FILE *f);
void jw_obj(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t max); /* char arrays */
void jw_int(struct jw *w, long long v);
void jw_uint(struct jw *w, unsigned long long v);
void jw_hex(struct jw *w, unsigned long long v); /* "0x..." */
void jw_bool(struct jw *w, bool v);
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kint(struct jw *w, const char *key, long long v);
void jw_kuint(struct jw *w, const char *key, unsigned long long v);
void jw_khex(struct jw *w, const char *key, unsigned long long v);

/* ---- one load in progress ---- */
struct fx {
	const struct scenario *sc;
	const char *pin;
	__u64 map_extra;
	__u32 pages;
	int arena_fd;
	void *base; /* the loader's mapping == user_vm_start */
	__u64 user_vm_start;
	__u32 map_id;
	__u32 map_flags;
	char map_name[16];
	struct jw *expect; /* positioned inside "expect": {...} */
	__u32 prog_ids[FX_MAX_PINS];
	int nr_progs;
	char *pins[FX_MAX_PINS]; /* made so far, removed again on failure */
	int nr_pins;
	struct fx_acct acct; /* copied from .bss after filling */
};

/* the scenario table */
struct scenario {
	const char *name;
	const char *desc;
	__u64 map_extra; /* 0: let the kernel choose at mmap time */
	__u32 pages;
	size_t acct_off; /* offset of `acct` in the scenario's .bss */
	bool daemon;	 /* churn: keep changing until unloaded */
	/* open, fx_arena_load, fill, write expectations, fx_pin_object */
	int (*load)(struct fx *fx);
};
const struct scenario *scenario_find(const char *name);
const struct scenario *scenario_at(int i); /* NULL past the end */
/* the scenario pinned at DIR (from its programs' pin names), or NULL */
const struct scenario *scenario_of_pin(const char *pin);
/* scenarios with a file of their own (scen_NAME.c) */
int alist_load(struct fx *fx);
int planted_load(struct fx *fx);
int sdtalloc_load(struct fx *fx);
int buddy_load(struct fx *fx);

/*
 * Create the arena map (with map_extra), mmap it, hand it to the object and
 * load the skeleton. With libbpf >= 1.4 libbpf does the creating and mapping
 * itself. Fills fx->arena_fd, base, user_vm_start, map_id.
 */
int fx_arena_load(struct fx *fx, struct bpf_object_skeleton *s, struct bpf_map *arena);
/* run a SEC("syscall") program once; *ret gets its return value */
int fx_run_prog(const struct bpf_program *prog, void *ctx, size_t ctx_len, int *ret);
/* pin the arena (DIR/arena), .bss (DIR/bss) and every program (DIR/prog_NAME) */
int fx_pin_object(struct fx *fx, struct bpf_object *obj);
int fx_pin_link(struct fx *fx, struct bpf_link *link, const char *name);
/* pointer into the loader's mapping for a user address, NULL if outside */
void *fx_ptr(const struct fx *fx, __u64 uaddr, size_t len);
void fx_unpin_all(struct fx *fx);

/* ---- commands ---- */
int fx_cmd_load(const char *scenario, const char *pin);
int fx_cmd_unload(const char *pin);
int fx_cmd_count(const char *pin, bool pages);
int fx_cmd_step(const char *pin, unsigned int n);
int fx_cmd_pause(const char *pin, bool pause);

/* ---- helpers shared by the commands ---- */
int fx_check_bpffs(const char *pin);
int fx_pin_path(char *buf, size_t len, const char *pin, const char *name);
/* open DIR/arena, fail with a clear message when nothing is loaded there */
int fx_open_pinned_arena(const char *pin, struct bpf_map_info *info);
/* read the fixture's accounting from DIR/bss */
int fx_read_acct(const char *pin, const struct scenario *sc, struct fx_acct *acct);

/* churn daemon (fx_daemon.c) */
int fx_daemon_start(const char *pin); /* its pid, or a negative errno */
int fx_daemon_stop(const char *pin);  /* 1 stopped one, 0 none ran, < 0 error */
/* pid of the daemon for DIR, 0 if none runs; *stopped: it is paused */
int fx_daemon_find(const char *pin, bool *stopped);
/* SIGSTOP and wait until it is stopped (outside any BPF run), or SIGCONT */
int fx_daemon_pause(int pid, bool pause);
int fx_pidfile_path(char *buf, size_t len, const char *pin);

#endif

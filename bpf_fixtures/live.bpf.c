// SPDX-License-Identifier: GPL-2.0
/*
 * live: the demo. A sched_switch program keeps per-task statistics (pid,
 * comm, switches, runtime) in an arena hash table, so values change all the
 * time. Tracing programs cannot allocate arena pages, so live_setup (a
 * syscall program) preallocates a pool of LIVE_POOL entries first and the
 * tracepoint only takes entries from it. live_bump changes the header
 * deterministically for tests: generation += 1, bumps += arg, last_arg = arg.
 * Roots: .bss `hdr` (also `table` and `pool`).
 */
#define FX_ARENA_PAGES 1024
#include "fx_bpf.h"
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
} __attribute__((preserve_access_index));

struct live_hdr __arena *hdr;
/* also reachable from hdr; as .bss roots of their own they keep the full
 * struct definitions in the BTF (behind a member pointer clang emits only a
 * forward declaration) */
struct live_table __arena *table;
struct task_stat __arena *pool;
__u64 pool_used;
__u64 lost_inserts; /* bucket head changed under us: entry not linked */
__u64 cpu_last[LIVE_MAX_CPUS];

/*
 * Claim pool entries atomically across CPUs. The build's default BPF CPU (v1)
 * has no fetching atomics in C, but the instruction is there: spell it.
 */
static __always_inline __u64 fetch_add(__u64 *p, __u64 v)
{
	asm volatile("%[v] = atomic_fetch_add((u64 *)(%[p] + 0), %[v])"
		     : [v] "+r"(v)
		     : [p] "r"(p)
		     : "memory");
	return v;
}

#define LIVE_POOL_PAGES ((LIVE_POOL * sizeof(struct task_stat) + FX_PAGE_SIZE - 1) / FX_PAGE_SIZE)

SEC("syscall")
int live_setup(void *ctx)
{
	struct live_hdr __arena *h = bump_alloc(sizeof(*h));
	struct live_table __arena *t = bump_alloc(sizeof(*t));
	struct task_stat __arena *p = fx_alloc(LIVE_POOL_PAGES);
	__u32 tfields[2] = { LIVE_BUCKETS, LIVE_POOL }; /* nbuckets, pool_size */
	struct live_hdr nh = { .magic = LIVE_MAGIC };

	if (!h || !t || !p)
		return -1;
	/* fresh pages are zeroed: the buckets are empty already */
	fx_put(t, tfields, sizeof(tfields));
	nh.table = t;
	nh.pool = p;
	fx_put(h, &nh, sizeof(nh));
	table = t;
	pool = p;
	hdr = h;
	return 0;
}

static __always_inline struct task_stat __arena *task_entry(struct live_hdr __arena *h,
							    struct task_struct *task, __u32 pid)
{
	struct live_table __arena *t = h->table;
	__u32 b = (pid * 2654435761U) & (LIVE_BUCKETS - 1);
	struct task_stat __arena *e, *head;
	struct task_stat ne = {};
	__u64 idx;
	int i;

	if (!t)
		return NULL;
	head = t->buckets[b];
	e = head;
#pragma clang loop unroll(disable)
	for (i = 0; i < 64 && e; i++) {
		if (e->pid == pid)
			return e;
		e = e->next;
	}
	idx = fetch_add(&pool_used, 1);
	if (idx >= LIVE_POOL) {
		h->dropped++;
		return NULL;
	}
	e = h->pool + idx;
	ne.pid = pid;
	ne.tgid = BPF_CORE_READ(task, tgid);
	bpf_probe_read_kernel(ne.comm, sizeof(ne.comm), task->comm);
	ne.next = head;
	fx_put(e, &ne, sizeof(ne));
	/* another CPU may have linked a task into this bucket meanwhile:
	 * then this one stays unlinked (counted) rather than losing that one */
	if (t->buckets[b] != head) {
		lost_inserts++;
		return e;
	}
	t->buckets[b] = e;
	h->nr_tasks++;
	return e;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(live_switch, _Bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct live_hdr __arena *h = hdr;
	__u64 now = bpf_ktime_get_ns();
	__u32 cpu = bpf_get_smp_processor_id();
	struct task_stat __arena *e;
	__u64 last;
	__u32 pid;

	fx_use_arena();
	if (!h)
		return 0;
	h->switches++;
	if (cpu >= LIVE_MAX_CPUS)
		return 0;
	last = cpu_last[cpu];
	cpu_last[cpu] = now;
	pid = BPF_CORE_READ(prev, pid);
	if (pid == 0) /* the idle tasks: one per CPU, all pid 0 */
		return 0;
	e = task_entry(h, prev, pid);
	if (!e)
		return 0;
	e->switches++;
	if (last && now > last)
		e->runtime_ns += now - last;
	e->last_seen_ns = now;
	return 0;
}

SEC("syscall")
int live_bump(struct live_bump_args *args)
{
	struct live_hdr __arena *h = hdr;
	__u64 add = args->add;

	fx_use_arena();
	if (!h)
		return -1;
	h->bumps += add;
	h->last_arg = add;
	h->generation++;
	return (int)h->generation;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * churn: pages come and go. Each step picks a pseudo-random slot: an empty
 * slot gets a new object on 1..CHURN_MAX_RUN fresh pages; a full one is
 * either freed or rewritten. The loader's daemon runs churn_step every few
 * milliseconds until the fixture is unloaded; `arena-fixture step` runs it
 * on demand. .bss `acct` counts pages allocated minus freed and steps.
 * Root: .bss `state` (the header page with the slot table).
 */
#define FX_ARENA_PAGES CHURN_PAGES
#include "fx_bpf.h"

struct churn_hdr __arena *state;
__u64 rng = 0x2545f4914f6cdd1dULL;

SEC("syscall")
int churn_setup(void *ctx)
{
	struct churn_hdr __arena *h = fx_alloc(1);
	/* steps, serial, then nslots and live (u32 each, little endian) */
	__u64 head[3] = { 0, 0, CHURN_SLOTS };

	if (!h)
		return -1;
	/* the page is zeroed: copy the counters, the slots are empty */
	fx_put(h, head, sizeof(head));
	state = h;
	return 0;
}

/* a whole object, built on the stack and copied in one go */
static __always_inline void put_obj(struct churn_obj __arena *o, __u64 serial, __u32 slot,
				    __u32 npages, __u32 gen, struct churn_obj __arena *prev)
{
	struct churn_obj no = {
		.serial = serial,
		.slot = slot,
		.npages = npages,
		.gen = gen,
		.checksum = (__u32)(serial * 2654435761U) ^ gen,
		.text = { 's', 'l', 'o', 't', '0' + (slot / 100) % 10, '0' + (slot / 10) % 10,
			  '0' + slot % 10, '/', 'g', '0' + (gen / 100) % 10, '0' + (gen / 10) % 10,
			  '0' + gen % 10 },
		.prev = prev,
	};

	fx_put(o, &no, sizeof(no));
}

static int step_one(__u32 i, void *ctx)
{
	struct churn_hdr __arena *h = state;
	__u64 r = fx_rand(&rng);
	__u32 slot = r % CHURN_SLOTS;
	struct churn_obj __arena *o;
	__u32 npages;

	if (!h)
		return 1;
	o = h->slots[slot];
	if (o && (r & 0x100)) {
		npages = o->npages;
		if (npages < 1 || npages > CHURN_MAX_RUN)
			return 1; /* someone scribbled on it: stop, keep the books right */
		h->slots[slot] = NULL;
		h->live--;
		fx_free(o, npages);
	} else if (o) {
		h->serial++;
		put_obj(o, h->serial, slot, o->npages, o->gen + 1, o->prev);
		acct.rewrites++;
	} else {
		npages = 1 + (r >> 20) % CHURN_MAX_RUN;
		o = fx_alloc(npages);
		if (!o)
			return 0; /* full for now */
		h->serial++;
		put_obj(o, h->serial, slot, npages, 0, h->slots[(slot + 1) % CHURN_SLOTS]);
		h->slots[slot] = o;
		h->live++;
	}
	h->steps++;
	acct.steps++;
	return 0;
}

SEC("syscall")
int churn_step(struct churn_args *args)
{
	__u32 n = args->steps;

	if (n > 100000)
		n = 100000;
	bpf_loop(n, step_one, NULL, 0);
	return 0;
}

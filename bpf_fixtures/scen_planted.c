// SPDX-License-Identifier: GPL-2.0
/*
 * The planted scenario (planted.bpf.c): one of each problem the health
 * check finds. `expect` lists exactly what `arena-inspect check` must
 * report: the findings in address order (kind, at, value, target_state,
 * path; no path for the integer only the scan sees; first the one in the
 * .bss struct my_alloc, at 0) and the unreachable page run. The loader
 * reads the sound list through its own mapping, only on its page, and
 * never touches the freed or reserved pages.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "fx_loader.h"
#include "planted.skel.h"

#define UADDR(p) ((__u64)(uintptr_t)(p))

struct planted_find {
	const char *kind;
	size_t off; /* in struct planted_hdr */
	const char *state;
	const char *path; /* NULL: untyped */
};

/* in address order, as check reports them */
static const struct planted_find planted_finds[] = {
	{ "dangling", offsetof(struct planted_hdr, dangling), "free", "hdr->dangling" },
	{ "reserved", offsetof(struct planted_hdr, reserved), "reserved", "hdr->reserved" },
	{ "outside", offsetof(struct planted_hdr, outside), "outside", "hdr->outside" },
	{ "poison", offsetof(struct planted_hdr, poison), "poison", "hdr->poison" },
	{ "misaligned", offsetof(struct planted_hdr, misaligned), "allocated", "hdr->misaligned" },
	{ "poison", offsetof(struct planted_hdr, guard), "reserved", "hdr->guard" },
	{ "dangling", offsetof(struct planted_hdr, stash), "free", NULL },
};

static int planted_expect(struct fx *fx, struct planted *s)
{
	struct jw *j = fx->expect;
	__u64 ha = UADDR(s->bss->hdr), base = fx->user_vm_start;
	const struct planted_hdr *h = fx_ptr(fx, ha, sizeof(*h));
	const struct planted_alloc *ma;
	const struct pnode *vn;
	__u64 a;
	int n = 0;

	if (!h || ha != base + PLANTED_HDR_PAGE * FX_PAGE_SIZE)
		return fx_err(-EFAULT, "planted: hdr is not on page %d", PLANTED_HDR_PAGE);
	for (a = UADDR(h->list); a; n++) {
		const struct pnode *p = fx_ptr(fx, a, sizeof(*p));

		if (!p || n >= PLANTED_LIST || (a - base) / FX_PAGE_SIZE != PLANTED_LIST_PAGE ||
		    p->id != (__u64)n)
			return fx_err(-EIO, "planted: the list is not as built");
		a = UADDR(p->next);
	}
	if (n != PLANTED_LIST)
		return fx_err(-EIO, "planted: the list has %d nodes", n);
	jw_khex(j, "root", ha);
	jw_kstr(j, "root_type", "struct planted_hdr *");
	jw_khex(j, "hdr", ha);
	jw_khex(j, "list", UADDR(h->list));
	jw_kint(j, "count", n);
	jw_kint(j, "freed_page", PLANTED_FREED_PAGE);
	jw_key(j, "reserved_pages");
	jw_arr(j);
	jw_int(j, 0);
	jw_int(j, PLANTED_RESV_PAGE);
	jw_arr_end(j);
	ma = &s->bss->my_alloc;
	if (UADDR(ma->root) != base + PLANTED_VAR_PAGE * FX_PAGE_SIZE)
		return fx_err(-EFAULT, "planted: my_alloc.root is not on page %d",
			      PLANTED_VAR_PAGE);
	vn = fx_ptr(fx, UADDR(ma->root), sizeof(*vn));
	if (!vn)
		return fx_err(-EIO, "planted: my_alloc's node is not readable");
	jw_khex(j, "var_node", UADDR(ma->root));
	jw_kint(j, "var_node_id", vn->id);
	jw_khex(j, "var_next", UADDR(vn->next));
	jw_khex(j, "var_slot1", UADDR(ma->slots[1]));
	jw_kint(j, "var_page", PLANTED_VAR_PAGE);
	/* what `arena-fixture run planted_more` changes (diff --check) */
	jw_key(j, "more");
	jw_obj(j);
	jw_khex(j, "new_at",
		UADDR(h->list) + PLANTED_MORE_NODE * sizeof(struct pnode) +
			offsetof(struct pnode, next));
	jw_khex(j, "new_value", base + PLANTED_FREED_PAGE * FX_PAGE_SIZE + PLANTED_MORE_OFF);
	jw_khex(j, "resolved_at", ha + offsetof(struct planted_hdr, poison));
	jw_obj_end(j);
	jw_key(j, "findings");
	jw_arr(j);
	/* in the .bss map, not the arena: at 0 */
	jw_obj(j);
	jw_kstr(j, "kind", "dangling");
	jw_khex(j, "at", 0);
	jw_khex(j, "value", UADDR(ma->slots[1]));
	jw_kstr(j, "target_state", "free");
	jw_kstr(j, "path", "my_alloc.slots[1]");
	jw_obj_end(j);
	for (size_t i = 0; i < sizeof(planted_finds) / sizeof(planted_finds[0]); i++) {
		const struct planted_find *f = &planted_finds[i];
		__u64 v;

		memcpy(&v, (const char *)h + f->off, sizeof(v));
		jw_obj(j);
		jw_kstr(j, "kind", f->kind);
		jw_khex(j, "at", ha + f->off);
		jw_khex(j, "value", v);
		jw_kstr(j, "target_state", f->state);
		if (f->path)
			jw_kstr(j, "path", f->path);
		jw_obj_end(j);
	}
	jw_arr_end(j);
	jw_key(j, "unreachable_pages");
	jw_arr(j);
	jw_arr(j);
	jw_int(j, PLANTED_LEAK_PAGE);
	jw_int(j, PLANTED_LEAK_PAGE + PLANTED_LEAK - 1);
	jw_arr_end(j);
	jw_arr_end(j);
	return 0;
}

int planted_load(struct fx *fx)
{
	struct planted *s = planted__open();
	int err;

	if (!s) {
		err = -errno;
		fx_libbpf_dump();
		return fx_err(err ? err : -EINVAL, "cannot open the planted programs");
	}
	err = fx_arena_load(fx, s->skeleton, s->maps.arena);
	if (!err) {
		s->bss->arena_base = fx->user_vm_start;
		err = fx_run_prog(s->progs.planted_fill, NULL, 0, NULL);
	}
	if (!err) {
		fx->acct = s->bss->acct;
		err = planted_expect(fx, s);
	}
	if (!err)
		err = fx_pin_object(fx, s->obj);
	planted__destroy(s);
	return err;
}

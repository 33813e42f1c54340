// SPDX-License-Identifier: GPL-2.0
/*
 * remote_stub: a GDB remote stub over a source (the packets it answers are
 * listed in remote.h). Memory is read through source__read, which never
 * faults a page in; a page that is not allocated is an error to GDB, never
 * a page of zeros, and writes are refused: the inspector changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btfx.h"
#include "error.h"
#include "remote.h"
#include "snapshot.h"

/* E NN: NN is the errno in decimal, as gdbserver's E01 is a number */
#define E_FAULT "E14" /* EFAULT: GDB says "Cannot access memory at address" */
#define E_ACCES "E13" /* EACCES: writes */
#define E_INVAL "E22" /* EINVAL: a packet we cannot parse */

#if defined(__aarch64__)
#define G_REGS 33 /* x0..x30, sp, pc */
#else
#define G_REGS 17 /* rax..r15, rip */
#endif

struct remote_stub {
	struct source *src;
	struct btfx *bx;
	char host[128];
	bool noack;
	/* the qXfer object being read in chunks: made at offset 0 */
	char obj_name[96];
	struct rsp_buf obj;
	bool obj_valid;
	uint8_t *rbuf;	  /* RSP_PACKET_MAX bytes of memory being read */
	uint8_t *present; /* a flag per page of rbuf */
	/* the reply's checksum, when its handler took it while escaping
	 * (qArenaRead: the bytes are not read again to frame them) */
	bool sum_known;
	uint8_t body_sum;
};

int remote_stub__new(struct source *src, struct btfx *bx, const char *host,
		     struct remote_stub **out)
{
	struct remote_stub *st = calloc(1, sizeof(*st));

	*out = NULL;
	if (!st)
		return ai_err(ENOMEM, "out of memory");
	st->src = src;
	st->bx = bx;
	snprintf(st->host, sizeof(st->host), "%s", host ? host : "");
	st->rbuf = malloc(RSP_PACKET_MAX);
	st->present = malloc(RSP_PACKET_MAX / AI_PAGE_SIZE_MIN + 2);
	if (!st->rbuf || !st->present) {
		remote_stub__free(st);
		return ai_err(ENOMEM, "out of memory");
	}
	*out = st;
	return 0;
}

void remote_stub__free(struct remote_stub *st)
{
	if (!st)
		return;
	free(st->obj.p);
	free(st->rbuf);
	free(st->present);
	free(st);
}

static void reply_errno(struct rsp_buf *r, int err)
{
	err = err < 0 ? -err : err;
	rsp_buf__printf(r, "E%02d", err > 0 && err < 100 ? err : EIO);
}

/* ================================================================ memory */

/*
 * Read [addr, addr + len) for an m or x packet: the bytes of the leading
 * allocated pages, cut at the first page that is not (so GDB gets what
 * there is, and asks again at the missing page, which is then an error).
 * Returns the bytes read into st->rbuf, or a negative errno.
 */
static long read_mem(struct remote_stub *st, uint64_t addr, uint64_t len)
{
	struct source *s = st->src;
	uint64_t start = s->info.user_vm_start, end = start + source__size(s);
	uint64_t ps = source__page_size(s), n;
	size_t np, good = 0;
	int err;

	if (!source__contains(s, addr, 1))
		return -EFAULT;
	if (len > RSP_PACKET_MAX)
		len = RSP_PACKET_MAX;
	n = len < end - addr ? len : end - addr;
	np = source__pages_spanned(s, addr, n);
	/* the first page alone first: a read that starts in a hole (GDB
	 * asks at the hole after a short reply) costs one page, not len */
	if (np > 1) {
		uint64_t first = (addr | (ps - 1)) + 1 - addr;

		err = source__read(s, addr, st->rbuf, first, st->present);
		if (err < 0)
			return err == -ERANGE ? -EFAULT : err;
		if (!st->present[0])
			return -EFAULT;
	}
	err = source__read(s, addr, st->rbuf, n, st->present);
	if (err < 0)
		return err == -ERANGE ? -EFAULT : err;
	while (good < np && st->present[good])
		good++;
	if (!good)
		return -EFAULT;
	if (good < np)
		n = ((addr & ~(ps - 1)) + good * ps) - addr;
	return n;
}

static void do_read(struct remote_stub *st, const char *b, size_t len, bool binary,
		    struct rsp_buf *r)
{
	static const char hex[] = "0123456789abcdef";
	const char *lim = b + len, *p;
	uint64_t addr, n;
	long got;

	if (rsp_parse_hex(b + 1, lim, ",", &addr, &p) || p >= lim || *p != ',' ||
	    rsp_parse_hex(p + 1, lim, NULL, &n, NULL)) {
		rsp_buf__put(r, E_INVAL, 3);
		return;
	}
	if (!n) {
		rsp_buf__put(r, binary ? "b" : "", binary ? 1 : 0);
		return;
	}
	/* what fits in one reply: hex is two bytes a byte; binary at worst
	 * two too, and put_escaped stops where it would not fit */
	if (!binary && n > (RSP_PACKET_MAX - 16) / 2)
		n = (RSP_PACKET_MAX - 16) / 2;
	got = read_mem(st, addr, n);
	if (got < 0) {
		if (got == -EFAULT)
			rsp_buf__put(r, E_FAULT, 3);
		else
			reply_errno(r, (int)got);
		return;
	}
	if (binary) {
		rsp_buf__put(r, "b", 1);
		rsp_buf__put_escaped(r, st->rbuf, got, RSP_PACKET_MAX - 16);
		return;
	}
	for (long i = 0; i < got; i++) {
		char h[2] = { hex[st->rbuf[i] >> 4], hex[st->rbuf[i] & 15] };

		rsp_buf__put(r, h, 2);
	}
}

/*
 * qArenaRead:ADDR,LEN (our client's read, source__read's contract in one
 * round trip): "b", one byte per page spanned (1: allocated, 0: not), then
 * the bytes of the allocated pages only, escaped. LEN must leave room for
 * that in one reply; outside the arena is E14 as for m.
 */
static void do_arena_read(struct remote_stub *st, const char *b, size_t len, struct rsp_buf *r)
{
	struct source *s = st->src;
	const char *lim = b + len, *p;
	uint64_t addr, n, ps = source__page_size(s);
	const uint8_t *data;
	uint8_t sum;
	size_t np;
	int err;

	if (rsp_parse_hex(b + 11, lim, ",", &addr, &p) || p >= lim || *p != ',' ||
	    rsp_parse_hex(p + 1, lim, NULL, &n, NULL) || !n || n > RSP_PACKET_MAX) {
		rsp_buf__put(r, E_INVAL, 3);
		return;
	}
	np = source__pages_spanned(s, addr, n);
	if (2 * n + np + 16 > RSP_PACKET_MAX) {
		rsp_buf__put(r, E_INVAL, 3);
		return;
	}
	if (!source__contains(s, addr, n)) {
		rsp_buf__put(r, E_FAULT, 3);
		return;
	}
	if (s->ops->read_pages && !(addr % ps) && !(n % ps) && n <= s->ops->borrow_max_bytes) {
		/* whole pages: escaped from the source's own buffer, no copy */
		err = s->ops->read_pages(s, (addr - s->info.user_vm_start) / ps, np, &data,
					 st->present);
	} else {
		err = source__read(s, addr, st->rbuf, n, st->present);
		data = st->rbuf;
	}
	if (err < 0) {
		reply_errno(r, err);
		return;
	}
	rsp_buf__put(r, "b", 1);
	rsp_buf__put(r, st->present, np);
	sum = 'b' + rsp_sum(st->present, np);
	for (size_t i = 0; i < np; i++) {
		uint64_t pg = (addr / ps + i) * ps;
		uint64_t lo = pg > addr ? pg : addr, hi = pg + ps < addr + n ? pg + ps : addr + n;

		if (st->present[i])
			rsp_buf__put_escaped_sum(r, data + (lo - addr), hi - lo, 2 * (hi - lo),
						 &sum);
	}
	st->body_sum = sum;
	st->sum_known = true;
}

/*
 * qArenaGather:OFF,LEN;OFF,LEN;... (our client's gather, source__gather in
 * one round trip; OFF is the arena offset, LEN <= 64, as gather_item):
 * "b", one byte an item (1: every page it spans is allocated, 0: not, or
 * an item the source refuses), then the bytes of the items that are
 * there, escaped, in order. At most REMOTE_GATHER_MAX items a packet.
 */
static void do_arena_gather(struct remote_stub *st, const char *b, size_t len, struct rsp_buf *r)
{
	const char *lim = b + len, *p = b + 13;
	struct gather_item *items;
	size_t n = 0;
	int err;

	items = malloc(REMOTE_GATHER_MAX * sizeof(*items));
	if (!items) {
		reply_errno(r, ENOMEM);
		return;
	}
	while (p < lim) {
		uint64_t off, l;

		if (n == REMOTE_GATHER_MAX || rsp_parse_hex(p, lim, ",", &off, &p) || p >= lim ||
		    *p != ',' || rsp_parse_hex(p + 1, lim, ";", &l, &p) || l > UINT32_MAX ||
		    (p < lim && *p++ != ';')) {
			rsp_buf__put(r, E_INVAL, 3);
			free(items);
			return;
		}
		items[n].off = off;
		items[n].len = (uint32_t)l;
		items[n++].err = 0;
	}
	err = source__gather(st->src, items, n);
	if (err < 0) {
		reply_errno(r, err);
		free(items);
		return;
	}
	rsp_buf__put(r, "b", 1);
	for (size_t i = 0; i < n; i++)
		rsp_buf__put(r, items[i].err ? "\0" : "\1", 1);
	for (size_t i = 0; i < n; i++)
		if (!items[i].err)
			rsp_buf__put_escaped(r, items[i].data, items[i].len, 2 * items[i].len);
	free(items);
}

/* ================================================================ qXfer objects */

static int make_memory_map(struct remote_stub *st, struct rsp_buf *o)
{
	struct source *s = st->src;
	struct pagemap pm;
	uint64_t ps = source__page_size(s);
	int err = source__pagemap(s, &pm);

	if (err)
		return err;
	rsp_buf__printf(o, "<?xml version=\"1.0\"?>\n"
			   "<!DOCTYPE memory-map PUBLIC \"+//IDN gnu.org//DTD GDB Memory Map "
			   "V1.0//EN\" \"http://sourceware.org/gdb/gdb-memory-map.dtd\">\n"
			   "<memory-map>\n");
	/* allocated runs only: a reserved page is not free but has no
	 * memory, and a free one none either; GDB refuses addresses outside
	 * these regions before it even asks */
	for (uint32_t i = 0; i < pm.nr_pages;) {
		uint32_t j = i;

		if (pm.state[i] != PAGE_ALLOCATED) {
			i++;
			continue;
		}
		while (j < pm.nr_pages && pm.state[j] == PAGE_ALLOCATED)
			j++;
		rsp_buf__printf(o, "  <memory type=\"ram\" start=\"0x%llx\" length=\"0x%llx\"/>\n",
				(unsigned long long)(s->info.user_vm_start + i * ps),
				(unsigned long long)((j - i) * ps));
		i = j;
	}
	rsp_buf__printf(o, "</memory-map>\n");
	pagemap__free(&pm);
	return 0;
}

static void make_target_xml(struct rsp_buf *o)
{
	/*
	 * The architecture only, no registers: GDB then uses that
	 * architecture's own register set (64-bit addresses), and g/p answer
	 * every register as unavailable. GDB 13 rejects a description that
	 * names registers but lacks the architecture's core feature, and
	 * without a description it assumes 32-bit i386 and cuts addresses.
	 */
	rsp_buf__printf(o, "<?xml version=\"1.0\"?>\n"
			   "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
			   "<target version=\"1.0\">\n"
#if defined(__x86_64__)
			   "  <architecture>i386:x86-64</architecture>\n"
#elif defined(__aarch64__)
			   "  <architecture>aarch64</architecture>\n"
#endif
			   "</target>\n");
}

static void put_hexstr(struct rsp_buf *o, const char *key, const char *s, size_t max)
{
	rsp_buf__printf(o, "%s=", key);
	for (size_t i = 0; i < max && s[i]; i++)
		rsp_buf__printf(o, "%02x", (uint8_t)s[i]);
	rsp_buf__put(o, "\n", 1);
}

static int make_info(struct remote_stub *st, struct rsp_buf *o)
{
	struct arena_info ai;
	int err = source__info(st->src, &ai);

	if (err)
		return err;
	rsp_buf__printf(o, "version=%d\nbyte_order=%s\n", REMOTE_INFO_VERSION,
			__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "le" : "be");
	rsp_buf__printf(o, "map_id=%u\nmap_flags=0x%x\nmax_pages=%u\nmap_extra=0x%llx\n", ai.map_id,
			ai.map_flags, ai.max_pages, (unsigned long long)ai.map_extra);
	rsp_buf__printf(o, "user_vm_start=0x%llx\nuser_vm_end=0x%llx\npage_size=%u\n",
			(unsigned long long)ai.user_vm_start, (unsigned long long)ai.user_vm_end,
			ai.page_size);
	rsp_buf__printf(o, "is_snapshot=%d\nsnapshot_time_ns=%llu\nsnapshot_changed=%d\n",
			ai.is_snapshot, (unsigned long long)ai.snapshot_time_ns,
			ai.snapshot_changed);
	rsp_buf__printf(o, "prog_ids=");
	for (uint32_t i = 0; i < ai.nr_progs && i < 64; i++)
		rsp_buf__printf(o, "%s%u", i ? "," : "", ai.prog_ids[i]);
	rsp_buf__printf(o, "\nowner_pids=");
	for (uint32_t i = 0; i < ai.nr_owners && i < 64; i++)
		rsp_buf__printf(o, "%s%d", i ? "," : "", ai.owner_pids[i]);
	rsp_buf__printf(o, "\nnr_btf=%d\n", st->bx ? btfx__nr_btfs(st->bx) : 0);
	for (int i = 0; st->bx && i < btfx__nr_btfs(st->bx); i++) {
		char key[32];
		const char *l = btfx__btf_label(st->bx, i);

		snprintf(key, sizeof(key), "btf_label_%d", i);
		put_hexstr(o, key, l ? l : "", 256);
	}
	/* names as hex: they are the kernel's bytes, not ours to trust */
	put_hexstr(o, "name", ai.name, sizeof(ai.name));
	put_hexstr(o, "kernel_release", ai.kernel_release, sizeof(ai.kernel_release));
	put_hexstr(o, "host", st->host, sizeof(st->host));
	return 0;
}

static int make_pagemap(struct remote_stub *st, struct rsp_buf *o)
{
	struct pagemap pm;
	uint8_t hdr[8];
	int err = source__pagemap(st->src, &pm);

	if (err)
		return err;
	for (int i = 0; i < 4; i++) {
		hdr[i] = pm.nr_pages >> (8 * i);
		hdr[4 + i] = i == 0 ? pm.stale : 0;
	}
	rsp_buf__put(o, hdr, sizeof(hdr));
	rsp_buf__put(o, pm.state, pm.nr_pages);
	pagemap__free(&pm);
	return 0;
}

static int make_btf(struct remote_stub *st, const char *annex, struct rsp_buf *o)
{
	const void *raw = NULL;
	uint32_t size = 0;
	char *end;
	long i = strtol(annex, &end, 10);

	if (!*annex || *end || i < 0 || !st->bx || i >= btfx__nr_btfs(st->bx))
		return -ENOENT;
	raw = btfx__btf_raw(st->bx, i, &size);
	if (raw)
		rsp_buf__put(o, raw, size);
	return 0;
}

static int make_roots(struct remote_stub *st, struct rsp_buf *o)
{
	int n = st->bx ? btfx__nr_roots(st->bx) : 0;

	for (int i = 0; i < n; i++) {
		const struct root *r = btfx__root(st->bx, i);
		struct snapshot_root sr = {};

		if (!r || r->btf_idx < 0)
			continue;
		snprintf(sr.name, sizeof(sr.name), "%s", r->name);
		snprintf(sr.section, sizeof(sr.section), "%s", r->section);
		sr.kind = r->kind;
		sr.btf_idx = r->btf_idx;
		sr.type_id = r->type_id;
		sr.addr = r->addr;
		sr.value = r->value;
		rsp_buf__put(o, &sr, sizeof(sr));
	}
	return 0;
}

/*
 * The data-section variables (btfx__var) as a snapshot's SNAPSHOT_NT_VARS
 * note stores them: struct snapshot_table, struct snapshot_var records,
 * then the bytes, each variable's 8-byte aligned at its data_off (from the
 * start of the object). btf_idx is the arena-btf annex.
 */
static int make_vars(struct remote_stub *st, struct rsp_buf *o)
{
	int nv = st->bx ? btfx__nr_vars(st->bx) : 0, nb = st->bx ? btfx__nr_btfs(st->bx) : 0;
	struct snapshot_table t = { .version = 1,
				    .hdr_size = sizeof(t),
				    .rec_size = sizeof(struct snapshot_var) };
	static const uint8_t zero[8];
	uint64_t data;

	for (int i = 0; i < nv; i++) {
		const struct map_var *v = btfx__var(st->bx, i);

		t.nr += v->btf_idx >= 0 && v->btf_idx < nb;
	}
	rsp_buf__put(o, &t, sizeof(t));
	data = sizeof(t) + (uint64_t)t.nr * sizeof(struct snapshot_var);
	for (int i = 0; i < nv; i++) {
		const struct map_var *v = btfx__var(st->bx, i);
		struct snapshot_var r = {};

		if (v->btf_idx < 0 || v->btf_idx >= nb)
			continue;
		snprintf(r.name, sizeof(r.name), "%s", v->name);
		snprintf(r.section, sizeof(r.section), "%s", v->section);
		r.btf_idx = v->btf_idx;
		r.type_id = v->type_id;
		r.map_id = v->map_id;
		r.size = v->size;
		r.data_off = data;
		data += (v->size + 7) & ~7ull;
		rsp_buf__put(o, &r, sizeof(r));
	}
	for (int i = 0; i < nv; i++) {
		const struct map_var *v = btfx__var(st->bx, i);

		if (v->btf_idx < 0 || v->btf_idx >= nb)
			continue;
		rsp_buf__put(o, v->data, v->size);
		rsp_buf__put(o, zero, -v->size & 7);
	}
	return 0;
}

/*
 * The programs' maps that check cannot read (btfx__unseen_map), as a
 * snapshot's SNAPSHOT_NT_MAPS note stores them: struct snapshot_table, then
 * struct snapshot_map records. Offered (qSupported) only when btfx knows
 * them, so a client never takes "unknown" for "none".
 */
static int make_maps(struct remote_stub *st, struct rsp_buf *o)
{
	struct snapshot_table t = { .version = 1,
				    .hdr_size = sizeof(t),
				    .rec_size = sizeof(struct snapshot_map) };

	if (!btfx__maps_known(st->bx))
		return -ENOENT;
	t.nr = btfx__nr_unseen_maps(st->bx);
	rsp_buf__put(o, &t, sizeof(t));
	for (uint32_t i = 0; i < t.nr; i++) {
		const struct btfx_map *m = btfx__unseen_map(st->bx, i);
		struct snapshot_map r = { .id = m->id, .type = m->type };

		memcpy(r.name, m->name, sizeof(r.name));
		rsp_buf__put(o, &r, sizeof(r));
	}
	return 0;
}

/* obj "memory-map" annex "" etc.: (re)make the object into st->obj */
static int make_object(struct remote_stub *st, const char *obj, const char *annex)
{
	struct rsp_buf *o = &st->obj;
	int err;

	o->len = 0;
	o->oom = false;
	if (!strcmp(obj, "memory-map") && !*annex)
		err = make_memory_map(st, o);
	else if (!strcmp(obj, "features") && !strcmp(annex, "target.xml"))
		err = (make_target_xml(o), 0);
	else if (!strcmp(obj, "arena-info") && !*annex)
		err = make_info(st, o);
	else if (!strcmp(obj, "arena-pagemap") && !*annex)
		err = make_pagemap(st, o);
	else if (!strcmp(obj, "arena-btf"))
		err = make_btf(st, annex, o);
	else if (!strcmp(obj, "arena-roots") && !*annex)
		err = make_roots(st, o);
	else if (!strcmp(obj, "arena-vars") && !*annex)
		err = make_vars(st, o);
	else if (!strcmp(obj, "arena-maps") && !*annex)
		err = make_maps(st, o);
	else
		return -ENOENT;
	if (!err && o->oom)
		err = -ENOMEM;
	return err;
}

/* qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH */
static void do_xfer(struct remote_stub *st, const char *b, size_t len, struct rsp_buf *r)
{
	const char *lim = b + len, *p = b + 6, *q;
	char obj[32], annex[64], key[sizeof(st->obj_name)];
	uint64_t off, n;
	size_t take, mpos;

	q = memchr(p, ':', lim - p);
	if (!q || (size_t)(q - p) >= sizeof(obj))
		goto bad;
	memcpy(obj, p, q - p);
	obj[q - p] = '\0';
	p = q + 1;
	if (lim - p < 5 || memcmp(p, "read:", 5)) {
		rsp_buf__put(r, "", 0); /* write: not supported */
		return;
	}
	p += 5;
	q = memchr(p, ':', lim - p);
	if (!q || (size_t)(q - p) >= sizeof(annex))
		goto bad;
	memcpy(annex, p, q - p);
	annex[q - p] = '\0';
	if (rsp_parse_hex(q + 1, lim, ",", &off, &p) || p >= lim || *p != ',' ||
	    rsp_parse_hex(p + 1, lim, NULL, &n, NULL))
		goto bad;
	snprintf(key, sizeof(key), "%s:%s", obj, annex);
	if (!off || !st->obj_valid || strcmp(key, st->obj_name)) {
		int err;

		st->obj_valid = false;
		err = make_object(st, obj, annex);
		if (err == -ENOENT && !strcmp(obj, "features")) {
			rsp_buf__put(r, "E00", 3);
			return;
		}
		if (err) {
			if (err == -ENOENT)
				rsp_buf__put(r, "", 0); /* an object we do not have */
			else
				reply_errno(r, err);
			return;
		}
		snprintf(st->obj_name, sizeof(st->obj_name), "%s", key);
		st->obj_valid = true;
	}
	if (off >= st->obj.len) {
		rsp_buf__put(r, "l", 1);
		return;
	}
	if (n > RSP_PACKET_MAX - 16)
		n = RSP_PACKET_MAX - 16;
	mpos = r->len;
	rsp_buf__put(r, "m", 1); /* 'l' if this chunk is the end */
	take = rsp_buf__put_escaped(r, (const uint8_t *)st->obj.p + off,
				    st->obj.len - off < n ? st->obj.len - off : n, n);
	if (off + take >= st->obj.len && !r->oom)
		r->p[mpos] = 'l';
	return;
bad:
	rsp_buf__put(r, E_INVAL, 3);
}

/* ================================================================ dispatch */

static bool is(const char *b, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && !memcmp(b, word, n);
}

int remote_stub__handle(struct remote_stub *st, const char *b, size_t len, struct rsp_buf *r,
			bool *no_reply)
{
	*no_reply = false;
	if (!len)
		return 0;
	switch (b[0]) {
	case '?': rsp_buf__put(r, "S05", 3); return 0;
	case 'g':
		/*
		 * No CPU here, but GDB wants a PC to show a frame: without one
		 * `target remote` fails half way ("PC register is not
		 * available") and GDB then reads no memory. x86-64's first 17
		 * registers (rax..r15, rip) read as zero; the rest are not in
		 * the reply and p has the empty reply, so they are unavailable.
		 */
		for (int i = 0; i < G_REGS; i++)
			rsp_buf__put(r, "0000000000000000", 16);
		return 0;
	case 'G':
	case 'P':
	case 'M':
	case 'X': rsp_buf__put(r, E_ACCES, 3); return 0;
	case 'm':
	case 'x': do_read(st, b, len, b[0] == 'x', r); return 0;
	case 'H':
	case 'T': rsp_buf__put(r, "OK", 2); return 0;
	case 'D': rsp_buf__put(r, "OK", 2); return 1;
	case 'k': *no_reply = true; return 1;
	case 'c':
	case 's':
	case 'C':
	case 'S':
		/* nothing runs here: stopped again at once */
		rsp_buf__put(r, "S05", 3);
		return 0;
	case 'q':
		if (is(b, len, "qSupported")) {
			rsp_buf__printf(
				r,
				"PacketSize=%x;QStartNoAckMode+;qXfer:memory-map:read+;"
				"qXfer:features:read+;binary-upload+;qXfer:arena-info:read+;"
				"qXfer:arena-pagemap:read+;qXfer:arena-btf:read+;"
				"qXfer:arena-roots:read+;qXfer:arena-vars:read+;qArenaRead+;"
				"qArenaGather+%s",
				RSP_PACKET_MAX,
				btfx__maps_known(st->bx) ? ";qXfer:arena-maps:read+" : "");
		} else if (is(b, len, "qArenaRead:")) {
			do_arena_read(st, b, len, r);
		} else if (is(b, len, "qArenaGather:")) {
			do_arena_gather(st, b, len, r);
		} else if (is(b, len, "qAttached")) {
			rsp_buf__put(r, "1", 1);
		} else if (is(b, len, "qXfer:")) {
			do_xfer(st, b, len, r);
		} else if (is(b, len, "qSymbol")) {
			rsp_buf__put(r, "OK", 2);
		} else if (is(b, len, "qfThreadInfo")) {
			rsp_buf__put(r, "m1", 2);
		} else if (is(b, len, "qsThreadInfo")) {
			rsp_buf__put(r, "l", 1);
		} else if (len == 2 && b[1] == 'C') {
			rsp_buf__put(r, "QC1", 3);
		}
		return 0;
	case 'Q':
		if (is(b, len, "QStartNoAckMode")) {
			rsp_buf__put(r, "OK", 2);
			st->noack = true; /* from the next packet on: this OK is acked */
		}
		return 0;
	case 'v':
		if (is(b, len, "vKill")) {
			rsp_buf__put(r, "OK", 2);
			return 1;
		}
		return 0; /* vMustReplyEmpty, vCont?, ...: the empty reply */
	default: return 0;
	}
}

/* ================================================================ the loop */

static int write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p = (const char *)p + w;
		n -= w;
	}
	return 0;
}

int remote_stub__serve(struct remote_stub *st, int in, int out)
{
	struct rsp_parser *ps = malloc(sizeof(*ps));
	struct rsp_buf reply = {};
	char ibuf[65536];
	int err = 0, end = 0;

	if (!ps)
		return ai_err(ENOMEM, "out of memory");
	rsp_parser__init(ps);
	st->noack = false;
	while (!end && !err) {
		ssize_t n = read(in, ibuf, sizeof(ibuf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno == ECONNRESET ? 0
						  : ai_err(errno, "reading: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break; /* the peer went away: a clean end */
		for (size_t i = 0, used; i < (size_t)n && !end && !err; i += used) {
			enum rsp_event ev =
				rsp_parser__feed_buf(ps, (uint8_t *)ibuf + i, n - i, &used);
			bool was_noack = st->noack, no_reply = false;
			size_t body;

			if (ev == RSP_BADSUM) {
				if (!st->noack)
					err = write_all(out, "-", 1);
				continue;
			}
			if (ev == RSP_BREAK) {
				/* GDB's ^C (0x03 between packets): stopped by SIGINT,
				 * which GDB waits for before it takes a command again;
				 * no ack, it is not a packet */
				err = write_all(out, "$S02#b5", 7);
				if (err == -EPIPE || err == -ECONNRESET) {
					err = 0;
					end = 1;
				} else if (err < 0) {
					err = ai_err(-err, "writing: %s", strerror(-err));
				}
				continue;
			}
			if (ev != RSP_PACKET && ev != RSP_OVERSIZE)
				continue;
			/* the ack and the packet's '$' first, the body after them:
			 * the reply is framed where it is built, not copied */
			reply.len = 0;
			reply.oom = false;
			body = was_noack ? 1 : 2;
			rsp_buf__put(&reply, &"+$"[2 - body], body);
			if (reply.oom) {
				err = ai_err(ENOMEM, "out of memory");
				break;
			}
			st->sum_known = false;
			if (ev == RSP_OVERSIZE)
				rsp_buf__put(&reply, "E07", 3); /* E2BIG: too long */
			else
				end = remote_stub__handle(st, ps->buf, ps->len, &reply, &no_reply);
			if (reply.oom) {
				reply.len = body;
				reply.oom = false;
				st->sum_known = false;
				rsp_buf__put(&reply, "E12", 3); /* ENOMEM */
			}
			if (no_reply)
				reply.len = body - 1; /* the ack alone, if any */
			else if (st->sum_known)
				rsp_frame_end(&reply, st->body_sum);
			else
				rsp_frame_in_place(&reply, body);
			if (reply.oom)
				err = ai_err(ENOMEM, "out of memory");
			else if (reply.len)
				err = write_all(out, reply.p, reply.len);
			if (err == -EPIPE || err == -ECONNRESET) {
				err = 0; /* the peer went away */
				end = 1;
			} else if (err < 0) {
				err = ai_err(-err, "writing: %s", strerror(-err));
			}
		}
	}
	free(reply.p);
	free(ps);
	return err;
}

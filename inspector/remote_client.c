// SPDX-License-Identifier: GPL-2.0
/*
 * remote_client: a source that talks to `arena-inspect serve` (remote.h)
 * over a command's stdio (remote CMD, ssh) or TCP. Every op is one or a few
 * packets: the info and the page map are the arena-* qXfer objects, fetched
 * again each time they are asked for (so a live view refreshes), memory is
 * x reads, a page the stub says is not allocated (E14) reads as missing,
 * never as zeros that look real (qArenaRead: the page flags and the bytes
 * of the pages that are there, in one reply). The peer's stderr (ssh's messages) is
 * collected, not passed to our terminal (the TUI owns it), and its last
 * line goes into the error when the peer fails.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "btfx.h"
#include "error.h"
#include "remote.h"
#include "snapshot.h"

#define REPLY_TIMEOUT_MS 60000 /* no reply from the peer for this long: give up */
#define CONNECT_TIMEOUT_MS 10000
#define WLOST_TIMEOUT_MS 1000 /* the peer stopped reading: what it sent before */
/* a read reply fits even if every byte is escaped, with its page flags */
#define READ_CHUNK (RSP_PACKET_MAX / 2 - 4096)
#define BULK_BYTES (4u << 20) /* read_pages: 4 MiB a call */
/* a whole packet fits after the part of another that waits, and several
 * pipelined replies arrive in one recv */
#define RECV_BUF (4u << 20)
#define SOCK_BUF (4 << 20)

struct rsrc {
	struct source src;
	char peer[160]; /* for messages: "ssh://host", "host:port", "remote 'cmd'" */
	int fd;		/* the connection (a socket either way) */
	int errfd;	/* the child's stderr, -1 for TCP */
	pid_t pid;	/* the child, 0 for TCP */
	bool noack, dead;
	bool wlost; /* a send found the peer not reading (EPIPE) */
	struct rsp_parser *ps;
	uint8_t *rbuf;	   /* RECV_BUF */
	size_t rpos, rlen; /* bytes of rbuf not parsed yet (pipelined replies) */
	size_t nopkt;	   /* bytes taken since the last packet */
	char *pkt;	   /* the last packet's body (NUL-terminated), in rbuf or ps */
	size_t pkt_len;
	int inflight; /* requests sent, replies not read */
	struct rsp_buf out;
	char errtail[512]; /* the child's last stderr bytes */
	size_t errlen;
	/* btf_blobs / roots: fetched once */
	bool btf_done;
	const void **blobs;
	size_t *sizes;
	char (*labels)[64];
	int nr_blobs;
	struct root *roots;
	int nr_roots;
	/* vars: fetched with them when the stub has arena-vars; their data
	 * points into vars_obj */
	bool has_vars, has_gather;
	/* maps: the stub offers arena-maps only when it knows them */
	bool has_maps;
	struct btfx_map *maps;
	int nr_maps;
	struct rsp_buf req; /* a long request's body (gather) */
	struct rsp_buf vars_obj;
	struct map_var *vars;
	int nr_vars;
	/* read_pages: two buffers, used in turn */
	uint8_t *bulk[2];
	int bulk_k;
};

/* ================================================================ transport */

static void drain_stderr(struct rsrc *r)
{
	char buf[4096];
	ssize_t n;

	if (r->errfd < 0)
		return;
	while ((n = read(r->errfd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (r->errlen == sizeof(r->errtail) - 1) {
				memmove(r->errtail, r->errtail + 256, r->errlen - 256);
				r->errlen -= 256;
			}
			r->errtail[r->errlen++] = buf[i];
		}
	}
	r->errtail[r->errlen] = '\0';
	if (n == 0) {
		close(r->errfd);
		r->errfd = -1;
	}
}

/* The last non-empty line the peer wrote on stderr, or "" */
static const char *last_err_line(struct rsrc *r)
{
	static __thread char line[256];
	char *e;
	size_t n;

	drain_stderr(r);
	n = r->errlen;
	while (n && (r->errtail[n - 1] == '\n' || r->errtail[n - 1] == '\r'))
		n--;
	e = r->errtail + n;
	while (e > r->errtail && e[-1] != '\n')
		e--;
	snprintf(line, sizeof(line), "%.*s", (int)(r->errtail + n - e), e);
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	return line;
}

/* The peer is gone or broke the protocol: one message for every op after */
static int peer_fail(struct rsrc *r, int err, const char *what)
{
	const char *tail;

	if (r->dead)
		return -err;
	r->dead = true;
	/* the child may still be writing why it stops (ssh's own error) */
	if (r->pid) {
		struct pollfd p = { .fd = r->errfd, .events = POLLIN };

		for (int i = 0; i < 20 && r->errfd >= 0 && poll(&p, 1, 50) > 0; i++)
			drain_stderr(r);
	}
	tail = last_err_line(r);
	return ai_err(err, "%s: %s%s%s", r->peer, what, *tail ? ": " : "", tail);
}

static int send_raw(struct rsrc *r, const void *p, size_t n)
{
	while (n) {
		ssize_t w = send(r->fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EPIPE || errno == ECONNRESET) && !r->wlost) {
			/* the peer stopped reading, and maybe wrote why first (a
			 * reply, ssh's message): the next recv_packet reads what
			 * is there, for a while, and fails on what it finds */
			r->wlost = true;
			return 0;
		}
		if (w < 0 && r->wlost)
			return 0;
		if (w < 0)
			return peer_fail(r, EPIPE, "the connection was lost (writing)");
		p = (const char *)p + w;
		n -= w;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Wait for the next packet (acks skipped): r->pkt, r->pkt_len, valid until
 * the next call. The packet is parsed where recv put it (rsp_parser__feed_zc),
 * not copied: the bytes after it stay in rbuf for the next call, and a
 * packet cut by the end of what arrived waits at the start of the buffer
 * for its rest. Bounded both ways: a peer that sends no packet in
 * REPLY_TIMEOUT_MS, or more bytes than the largest packet without one
 * (garbage, /dev/zero), is an error, not a hang.
 */
static int recv_packet(struct rsrc *r)
{
	int64_t deadline = now_ms() + (r->wlost ? WLOST_TIMEOUT_MS : REPLY_TIMEOUT_MS);
	uint8_t *buf = r->rbuf;

	for (;;) {
		struct pollfd p[2] = { { .fd = r->fd, .events = POLLIN },
				       { .fd = r->errfd, .events = POLLIN } };
		int np = r->errfd >= 0 ? 2 : 1, rc;
		int64_t left = deadline - now_ms();
		ssize_t n;

		/* what the last recv brought beyond the last reply first */
		while (r->rpos < r->rlen) {
			size_t used, len;
			const uint8_t *body;
			enum rsp_event ev = rsp_parser__feed_zc(
				r->ps, buf + r->rpos, r->rlen - r->rpos, &used, &body, &len);

			r->rpos += used;
			if (ev == RSP_PACKET) {
				r->nopkt = 0;
				r->pkt = body ? (char *)body : r->ps->buf;
				r->pkt_len = body ? len : r->ps->len;
				r->pkt[r->pkt_len] = '\0'; /* over the '#' (or p->buf's end) */
				r->inflight--;
				/* a stub sends one reply a request: more is garbage */
				if (!r->inflight && r->rpos < r->rlen)
					return peer_fail(r, EPROTO, "bytes after a reply");
				if (!r->noack)
					return send_raw(r, "+", 1);
				return 0;
			}
			r->nopkt += used;
			if (ev == RSP_BADSUM || ev == RSP_OVERSIZE)
				return peer_fail(r, EPROTO,
						 "a reply with a bad checksum or length");
			if (ev == RSP_NONE)
				break; /* a packet not complete yet at rpos, or all taken */
		}
		if (r->nopkt + (r->rlen - r->rpos) > 2 * (size_t)RSP_PACKET_MAX + 64)
			return peer_fail(r, EPROTO,
					 "not an arena-inspect stub (no packet in what it sent)");
		/* room for a whole packet after what waits: move it to the start
		 * (rarely: the buffer holds several packets) */
		if (r->rpos == r->rlen) {
			r->rpos = r->rlen = 0;
		} else if (RECV_BUF - r->rlen < RSP_PACKET_MAX + 64) {
			memmove(buf, buf + r->rpos, r->rlen - r->rpos);
			r->rlen -= r->rpos;
			r->rpos = 0;
		}
		rc = left <= 0 ? 0 : poll(p, np, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0)
			return r->wlost ? peer_fail(r, EPIPE, "the connection was lost (writing)")
					: peer_fail(r, ETIMEDOUT, "no reply for 60 s");
		if (np == 2 && p[1].revents)
			drain_stderr(r);
		if (!p[0].revents)
			continue;
		n = recv(r->fd, buf + r->rlen, RECV_BUF - r->rlen, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return peer_fail(r, ECONNRESET, "the connection closed");
		r->rlen += n;
	}
}

/* Send one request; its reply is read by recv_packet (in order). */
static int send_request(struct rsrc *r, const char *body, size_t len)
{
	int err;

	if (r->dead)
		return ai_err(ECONNRESET, "%s: the connection was lost earlier", r->peer);
	r->out.len = 0;
	rsp_frame(&r->out, body, len);
	if (r->out.oom)
		return ai_err(ENOMEM, "out of memory");
	err = send_raw(r, r->out.p, r->out.len);
	if (!err)
		r->inflight++;
	return err;
}

/* Send one request and wait for its reply (r->pkt, r->pkt_len). */
static int request(struct rsrc *r, const char *body, size_t len)
{
	int err;

	err = send_request(r, body, len);
	if (!err)
		err = recv_packet(r);
	return err;
}

static int requestf(struct rsrc *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int requestf(struct rsrc *r, const char *fmt, ...)
{
	char body[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	return request(r, body, n);
}

/* "E NN" -> -NN, or 0 when the reply is not an error */
static int reply_error(const struct rsrc *r)
{
	const char *b = r->pkt;

	if (r->pkt_len == 3 && b[0] == 'E' && b[1] >= '0' && b[1] <= '9' && b[2] >= '0' &&
	    b[2] <= '9')
		return -((b[1] - '0') * 10 + (b[2] - '0')) ?: -EIO;
	return 0;
}

/* A whole qXfer object into out (malloc'ed, NUL-terminated). */
static int xfer(struct rsrc *r, const char *obj, const char *annex, struct rsp_buf *out)
{
	uint64_t off = 0;

	out->len = 0;
	for (;;) {
		size_t n;
		int err = requestf(r, "qXfer:%s:read:%s:%llx,%x", obj, annex,
				   (unsigned long long)off, READ_CHUNK);

		if (err)
			return err;
		err = reply_error(r);
		if (err)
			return ai_err(-err, "%s: reading %s: error %d", r->peer, obj, -err);
		if (!r->pkt_len || (r->pkt[0] != 'm' && r->pkt[0] != 'l'))
			return peer_fail(r, EPROTO, "not an arena-inspect stub (no arena objects)");
		n = rsp_unescape(r->pkt + 1, r->pkt_len - 1);
		rsp_buf__put(out, r->pkt + 1, n);
		if (out->oom)
			return ai_err(ENOMEM, "out of memory");
		off += n;
		if (r->pkt[0] == 'l')
			break;
		if (!n)
			return peer_fail(r, EPROTO, "an empty chunk that is not the last");
	}
	if (!out->p)
		rsp_buf__put(out, "", 0);
	return 0;
}

/* ================================================================ source ops */

static const char *info_val(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == '=')
			return p + kl + 1;
	return NULL;
}

static uint64_t info_u64(const char *text, const char *key, bool *ok)
{
	const char *v = info_val(text, key);
	char *end;
	uint64_t x;

	if (!v) {
		*ok = false;
		return 0;
	}
	errno = 0;
	x = strtoull(v, &end, 0);
	if (errno || (*end && *end != '\n'))
		*ok = false;
	return x;
}

static void info_hexstr(const char *text, const char *key, char *out, size_t size)
{
	const char *v = info_val(text, key);
	size_t o = 0;

	for (; v && o + 1 < size; v += 2) {
		unsigned int c;

		if (sscanf(v, "%2x", &c) != 1 || v[0] == '\n' || v[1] == '\n' || !v[1])
			break;
		out[o++] = c;
	}
	out[o] = '\0';
}

static uint32_t info_list(const char *text, const char *key, void *out, uint32_t max)
{
	const char *v = info_val(text, key);
	uint32_t n = 0;

	while (v && *v && *v != '\n' && n < max) {
		char *end;
		long x = strtol(v, &end, 10);

		if (end == v)
			break;
		((int32_t *)out)[n++] = (int32_t)x;
		v = *end == ',' ? end + 1 : end;
	}
	return n;
}

static int rs_info(struct source *s, struct arena_info *ai)
{
	struct rsrc *r = (void *)s;
	struct rsp_buf b = {};
	struct arena_info n = {};
	bool ok = true;
	int err = xfer(r, "arena-info", "", &b);

	if (err)
		goto out;
	if (info_u64(b.p, "version", &ok) != REMOTE_INFO_VERSION || !ok) {
		err = peer_fail(r, EPROTO, "arena-info of another version");
		goto out;
	}
	if (strncmp(info_val(b.p, "byte_order") ?: "",
		    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "le\n" : "be\n", 3)) {
		err = ai_err(EPROTO, "%s: the peer's byte order differs from ours", r->peer);
		goto out;
	}
	n.map_id = info_u64(b.p, "map_id", &ok);
	n.map_flags = info_u64(b.p, "map_flags", &ok);
	n.max_pages = info_u64(b.p, "max_pages", &ok);
	n.map_extra = info_u64(b.p, "map_extra", &ok);
	n.user_vm_start = info_u64(b.p, "user_vm_start", &ok);
	n.user_vm_end = info_u64(b.p, "user_vm_end", &ok);
	n.is_snapshot = info_u64(b.p, "is_snapshot", &ok);
	n.snapshot_time_ns = info_u64(b.p, "snapshot_time_ns", &ok);
	n.snapshot_changed = info_u64(b.p, "snapshot_changed", &ok);
	n.nr_progs = info_list(b.p, "prog_ids", n.prog_ids, 64);
	n.nr_owners = info_list(b.p, "owner_pids", n.owner_pids, 64);
	info_hexstr(b.p, "name", n.name, sizeof(n.name));
	info_hexstr(b.p, "kernel_release", n.kernel_release, sizeof(n.kernel_release));
	if (!ok || n.max_pages > (1u << 24) ||
	    arena_info__set_page_size(&n, info_u64(b.p, "page_size", &ok), r->peer)) {
		err = peer_fail(r, EPROTO, "an arena-info we do not understand");
		goto out;
	}
	/* the host as the user named it (the title shows it) */
	memcpy(n.host, s->info.host, sizeof(n.host));
	*ai = n;
out:
	free(b.p);
	return err;
}

static int rs_pagemap(struct source *s, struct pagemap *pm)
{
	struct rsrc *r = (void *)s;
	struct rsp_buf b = {};
	uint32_t np;
	int err = xfer(r, "arena-pagemap", "", &b);

	if (err)
		goto out;
	if (b.len < 8) {
		err = peer_fail(r, EPROTO, "a page map without its header");
		goto out;
	}
	np = (uint8_t)b.p[0] | (uint8_t)b.p[1] << 8 | (uint8_t)b.p[2] << 16 |
	     (uint32_t)(uint8_t)b.p[3] << 24;
	if (np != s->info.max_pages || b.len != 8 + (size_t)np) {
		err = ai_err(EIO, "%s: page map of %u pages (%zu bytes), the arena has %u", r->peer,
			     np, b.len, s->info.max_pages);
		goto out;
	}
	pm->nr_pages = np;
	pm->stale = b.p[4] & 1;
	pm->state = malloc(np ? np : 1);
	if (!pm->state) {
		err = ai_err(ENOMEM, "out of memory");
		goto out;
	}
	memcpy(pm->state, b.p + 8, np);
	for (uint32_t i = 0; i < np; i++)
		if (pm->state[i] > PAGE_RESERVED)
			pm->state[i] = PAGE_FREE;
out:
	free(b.p);
	return err;
}

/*
 * Reads go in chunks of READ_CHUNK, up to PIPELINE requests ahead once acks
 * are off: the stub reads the next chunk while we take this one apart.
 */
#define PIPELINE 4

static int send_read(struct rsrc *r, uint64_t addr, uint64_t len)
{
	char body[64];
	int n = snprintf(body, sizeof(body), "qArenaRead:%llx,%llx", (unsigned long long)addr,
			 (unsigned long long)len);

	return send_request(r, body, n);
}

static int rs_read(struct source *s, uint64_t off, void *buf, size_t len, uint8_t *present)
{
	struct rsrc *r = (void *)s;
	uint64_t ps = source__page_size(s), first = off / ps;
	uint8_t *out = buf;
	size_t done = 0, sent = 0;
	int depth = r->noack ? PIPELINE : 1, err = 0;

	while (done < len) {
		uint64_t at = off + done, want = len - done;
		size_t np, n, pos, used;
		const char *esc;

		while (!err && sent < len && (sent - done) / READ_CHUNK < (size_t)depth) {
			uint64_t w = len - sent < READ_CHUNK ? len - sent : READ_CHUNK;

			err = send_read(r, s->info.user_vm_start + off + sent, w);
			sent += w;
		}
		if (!err)
			err = recv_packet(r);
		if (!err && (err = reply_error(r)))
			err = ai_err(-err, "%s: reading 0x%llx: error %d", r->peer,
				     (unsigned long long)(s->info.user_vm_start + at), -err);
		if (err) {
			/* the replies still coming belong to no one: end here */
			if (r->inflight)
				peer_fail(r, -err, "a read failed");
			return err;
		}
		if (want > READ_CHUNK)
			want = READ_CHUNK;
		np = source__pages_spanned(s, at, want);
		if (!r->pkt_len || r->pkt[0] != 'b' || r->pkt_len < 1 + np)
			return peer_fail(r, EPROTO, "a memory reply we do not understand");
		esc = r->pkt + 1 + np;
		n = r->pkt_len - 1 - np;
		/* the present pages' bytes, in order, unescaped straight into
		 * place; zeros for the others */
		pos = 0;
		for (size_t i = 0; i < np; i++) {
			uint64_t pg = (at / ps + i) * ps;
			uint64_t lo = pg > at ? pg : at,
				 hi = pg + ps < at + want ? pg + ps : at + want;
			bool there = r->pkt[1 + i] == 1;

			present[at / ps + i - first] = there;
			if (!there) {
				memset(out + (lo - off), 0, hi - lo);
				continue;
			}
			if (rsp_unescape_to(out + (lo - off), hi - lo, esc + pos, n - pos, &used) !=
			    hi - lo)
				return peer_fail(r, EPROTO, "a memory reply of the wrong length");
			pos += used;
		}
		if (pos != n)
			return peer_fail(r, EPROTO, "a memory reply of the wrong length");
		done += want;
	}
	return 0;
}

static int rs_read_pages(struct source *s, uint32_t first, uint32_t n, const uint8_t **data,
			 uint8_t *present)
{
	struct rsrc *r = (void *)s;
	uint64_t ps = source__page_size(s);
	uint8_t *b;

	if ((uint64_t)n * ps > BULK_BYTES)
		return ai_err(EINVAL, "read_pages: %u pages is more than %u bytes", n, BULK_BYTES);
	b = r->bulk[r->bulk_k];
	if (!b) {
		b = r->bulk[r->bulk_k] = malloc(BULK_BYTES);
		if (!b)
			return ai_err(ENOMEM, "out of memory");
	}
	r->bulk_k ^= 1;
	*data = b;
	return rs_read(s, (uint64_t)first * ps, b, (size_t)n * ps, present);
}

/*
 * arena-vars: a SNAPSHOT_NT_VARS payload (remote.h); checked as the
 * snapshot reader checks the note, so a record that points outside the
 * object or at a BTF blob the stub does not have is a protocol error.
 */
/*
 * gather: qArenaGather packets of up to REMOTE_GATHER_MAX items, all sent
 * before the first reply is read once acks are off: a watch's refresh is
 * one round trip, not one a field. A stub without it: item by item.
 */
static int send_gather(struct rsrc *r, const struct gather_item *items, size_t n)
{
	struct rsp_buf *b = &r->req;

	b->len = 0;
	rsp_buf__put(b, "qArenaGather:", 13);
	for (size_t i = 0; i < n; i++)
		rsp_buf__printf(b, "%s%llx,%x", i ? ";" : "", (unsigned long long)items[i].off,
				items[i].len);
	if (b->oom)
		return ai_err(ENOMEM, "out of memory");
	return send_request(r, b->p, b->len);
}

static int recv_gather(struct rsrc *r, struct gather_item *items, size_t n)
{
	size_t pos = 0, used;
	const char *esc;
	int err = recv_packet(r);

	if (!err && (err = reply_error(r)))
		return ai_err(-err, "%s: gathering %zu fields: error %d", r->peer, n, -err);
	if (err)
		return err;
	if (r->pkt_len < 1 + n || r->pkt[0] != 'b')
		return peer_fail(r, EPROTO, "a gather reply we do not understand");
	esc = r->pkt + 1 + n;
	for (size_t i = 0; i < n; i++) {
		struct gather_item *it = &items[i];

		it->err = r->pkt[1 + i] == 1 ? 0 : -ENODATA;
		if (it->err) {
			memset(it->data, 0, sizeof(it->data));
			continue;
		}
		if (it->len > sizeof(it->data) ||
		    rsp_unescape_to(it->data, it->len, esc + pos, r->pkt_len - 1 - n - pos,
				    &used) != it->len)
			return peer_fail(r, EPROTO, "a gather reply of the wrong length");
		pos += used;
	}
	if (pos != r->pkt_len - 1 - n)
		return peer_fail(r, EPROTO, "a gather reply of the wrong length");
	return 0;
}

static int rs_gather(struct source *s, struct gather_item *items, size_t n)
{
	struct rsrc *r = (void *)s;
	size_t sent = 0, done = 0;
	int depth = r->noack ? PIPELINE : 1, err = 0;

	if (!r->has_gather)
		return source__gather_each(s, items, n);
	while (done < n) {
		while (!err && sent < n && (sent - done) / REMOTE_GATHER_MAX < (size_t)depth) {
			size_t k = n - sent < REMOTE_GATHER_MAX ? n - sent : REMOTE_GATHER_MAX;

			err = send_gather(r, items + sent, k);
			sent += k;
		}
		if (!err) {
			size_t k = n - done < REMOTE_GATHER_MAX ? n - done : REMOTE_GATHER_MAX;

			err = recv_gather(r, items + done, k);
			done += k;
		}
		if (err) {
			if (r->inflight)
				peer_fail(r, -err, "a gather failed");
			return err;
		}
	}
	return 0;
}

static int load_vars(struct rsrc *r, int nb)
{
	struct rsp_buf *b = &r->vars_obj;
	struct snapshot_table t;
	int err = xfer(r, "arena-vars", "", b);

	if (err)
		return err;
	if (b->len < sizeof(t))
		return peer_fail(r, EPROTO, "an arena-vars object without its header");
	memcpy(&t, b->p, sizeof(t));
	if (t.version != 1 || t.hdr_size < sizeof(t) || t.hdr_size > b->len ||
	    t.rec_size < sizeof(struct snapshot_var) || t.rec_size > 65536 || t.nr > 65536 ||
	    (uint64_t)t.nr * t.rec_size > b->len - t.hdr_size)
		return peer_fail(r, EPROTO, "an arena-vars object we do not understand");
	r->vars = calloc(t.nr ? t.nr : 1, sizeof(*r->vars));
	if (!r->vars)
		return ai_err(ENOMEM, "out of memory");
	for (uint32_t i = 0; i < t.nr; i++) {
		struct snapshot_var sv;
		struct map_var *o = &r->vars[i];

		memcpy(&sv, b->p + t.hdr_size + (size_t)i * t.rec_size, sizeof(sv));
		sv.name[sizeof(sv.name) - 1] = '\0';
		sv.section[sizeof(sv.section) - 1] = '\0';
		if (!sv.name[0] || sv.btf_idx < 0 || sv.btf_idx >= nb || sv.data_off > b->len ||
		    sv.size > b->len - sv.data_off)
			return peer_fail(r, EPROTO, "an arena-vars record we do not understand");
		snprintf(o->name, sizeof(o->name), "%s", sv.name);
		snprintf(o->section, sizeof(o->section), "%s", sv.section);
		o->btf_idx = sv.btf_idx;
		o->type_id = sv.type_id;
		o->map_id = sv.map_id;
		o->size = sv.size;
		o->data = (const uint8_t *)b->p + sv.data_off;
	}
	r->nr_vars = t.nr;
	return 0;
}

/* arena-maps: a SNAPSHOT_NT_MAPS payload (remote.h) */
static int load_maps(struct rsrc *r)
{
	struct rsp_buf b = {};
	struct snapshot_table t;
	int err = xfer(r, "arena-maps", "", &b);

	if (!err && b.len < sizeof(t))
		err = peer_fail(r, EPROTO, "an arena-maps object without its header");
	if (!err) {
		memcpy(&t, b.p, sizeof(t));
		if (t.version != 1 || t.hdr_size < sizeof(t) || t.hdr_size > b.len ||
		    t.rec_size < sizeof(struct snapshot_map) || t.rec_size > 65536 ||
		    t.nr > 65536 || (uint64_t)t.nr * t.rec_size > b.len - t.hdr_size)
			err = peer_fail(r, EPROTO, "an arena-maps object we do not understand");
	}
	if (!err && !(r->maps = calloc(t.nr ? t.nr : 1, sizeof(*r->maps))))
		err = ai_err(ENOMEM, "out of memory");
	for (uint32_t i = 0; !err && i < t.nr; i++) {
		struct snapshot_map sm;

		memcpy(&sm, (const uint8_t *)b.p + t.hdr_size + (size_t)i * t.rec_size, sizeof(sm));
		r->maps[i].id = sm.id;
		r->maps[i].type = sm.type;
		memcpy(r->maps[i].name, sm.name, sizeof(r->maps[i].name));
		r->maps[i].name[sizeof(r->maps[i].name) - 1] = '\0';
		r->nr_maps++;
	}
	free(b.p);
	return err;
}

static int load_btf(struct rsrc *r)
{
	struct arena_info ai;
	struct rsp_buf b = {};
	bool ok = true;
	int err, nb;

	if (r->btf_done)
		return 0;
	err = xfer(r, "arena-info", "", &b);
	if (err)
		return err;
	nb = info_u64(b.p, "nr_btf", &ok);
	(void)ai;
	if (!ok || nb < 0 || nb > 4096) {
		free(b.p);
		return peer_fail(r, EPROTO, "an arena-info we do not understand (nr_btf)");
	}
	r->blobs = calloc(nb ? nb : 1, sizeof(*r->blobs));
	r->sizes = calloc(nb ? nb : 1, sizeof(*r->sizes));
	r->labels = calloc(nb ? nb : 1, sizeof(*r->labels));
	if (!r->blobs || !r->sizes || !r->labels) {
		free(b.p);
		return ai_err(ENOMEM, "out of memory");
	}
	for (int i = 0; i < nb; i++) {
		char annex[32];
		struct rsp_buf blob = {};

		snprintf(annex, sizeof(annex), "btf_label_%d", i);
		info_hexstr(b.p, annex, r->labels[i], sizeof(r->labels[i]));
		snprintf(annex, sizeof(annex), "%d", i);
		err = xfer(r, "arena-btf", annex, &blob);
		if (err) {
			free(blob.p);
			free(b.p);
			return err;
		}
		r->blobs[i] = blob.p;
		r->sizes[i] = blob.len;
		r->nr_blobs++;
	}
	err = xfer(r, "arena-roots", "", &b);
	if (!err) {
		size_t nr = b.len / sizeof(struct snapshot_root);

		r->roots = calloc(nr ? nr : 1, sizeof(*r->roots));
		if (!r->roots)
			err = ai_err(ENOMEM, "out of memory");
		for (size_t i = 0; !err && i < nr; i++) {
			struct snapshot_root sr;
			struct root *o = &r->roots[r->nr_roots];

			memcpy(&sr, b.p + i * sizeof(sr), sizeof(sr));
			sr.name[sizeof(sr.name) - 1] = '\0';
			sr.section[sizeof(sr.section) - 1] = '\0';
			if (sr.btf_idx < 0 || sr.btf_idx >= nb || sr.kind > ROOT_MAP_PTR)
				continue; /* btfx would refuse it; the others still work */
			snprintf(o->name, sizeof(o->name), "%s", sr.name);
			snprintf(o->section, sizeof(o->section), "%s", sr.section);
			o->kind = sr.kind;
			o->btf_idx = sr.btf_idx;
			o->type_id = sr.type_id;
			o->addr = sr.addr;
			o->value = sr.value;
			r->nr_roots++;
		}
	}
	free(b.p);
	if (!err && r->has_vars)
		err = load_vars(r, nb);
	if (!err && r->has_maps)
		err = load_maps(r);
	if (!err)
		r->btf_done = true;
	return err;
}

static int rs_btf_blobs(struct source *s, const void ***blobs, const size_t **sizes, int *n)
{
	struct rsrc *r = (void *)s;
	int err = load_btf(r);

	if (err)
		return err;
	*blobs = r->blobs;
	*sizes = r->sizes;
	*n = r->nr_blobs;
	return 0;
}

static const char *rs_btf_label(struct source *s, int i)
{
	struct rsrc *r = (void *)s;

	return r->btf_done && i >= 0 && i < r->nr_blobs && r->labels[i][0] ? r->labels[i] : NULL;
}

static int rs_roots(struct source *s, const struct root **roots, int *n)
{
	struct rsrc *r = (void *)s;
	int err = load_btf(r);

	if (err)
		return err;
	*roots = r->roots;
	*n = r->nr_roots;
	return 0;
}

static int rs_maps(struct source *s, const struct btfx_map **maps, int *n)
{
	struct rsrc *r = (void *)s;
	int err = load_btf(r);

	if (err)
		return err;
	*maps = r->maps;
	*n = r->nr_maps;
	return r->has_maps ? 0 : -ENOENT; /* the stub does not know them */
}

static int rs_vars(struct source *s, const struct map_var **vars, int *n)
{
	struct rsrc *r = (void *)s;
	int err = load_btf(r);

	if (err)
		return err;
	*vars = r->vars;
	*n = r->nr_vars;
	return 0;
}

static void rs_close(struct source *s)
{
	struct rsrc *r = (void *)s;

	if (r->fd >= 0) {
		if (!r->dead) {
			/* detach: the stub ends the session (no reply wanted
			 * beyond OK, and we do not wait for it) */
			r->out.len = 0;
			rsp_frame(&r->out, "D", 1);
			if (!r->out.oom)
				(void)!send(r->fd, r->out.p, r->out.len, MSG_NOSIGNAL);
		}
		close(r->fd);
	}
	if (r->pid > 0) {
		int st;

		/* the stub ends on EOF and ssh with it; do not wait for ever */
		for (int i = 0; i < 100 && waitpid(r->pid, &st, WNOHANG) == 0; i++) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			if (i == 50)
				kill(r->pid, SIGTERM);
			nanosleep(&ts, NULL);
		}
		if (waitpid(r->pid, &st, WNOHANG) == 0) {
			kill(r->pid, SIGKILL);
			waitpid(r->pid, &st, 0);
		}
	}
	if (r->errfd >= 0)
		close(r->errfd);
	for (int i = 0; i < r->nr_blobs; i++)
		free((void *)r->blobs[i]);
	free(r->blobs);
	free(r->sizes);
	free(r->labels);
	free(r->roots);
	free(r->vars);
	free(r->vars_obj.p);
	free(r->maps);
	free(r->req.p);
	free(r->bulk[0]);
	free(r->bulk[1]);
	free(r->out.p);
	free(r->ps);
	free(r->rbuf);
	free(r);
}

static const struct source_ops remote_ops = {
	.info = rs_info,
	.pagemap = rs_pagemap,
	.read = rs_read,
	.read_pages = rs_read_pages,
	.borrow_max_bytes = BULK_BYTES,
	.btf_blobs = rs_btf_blobs,
	.roots = rs_roots,
	.vars = rs_vars,
	.maps = rs_maps,
	.gather = rs_gather,
	.btf_label = rs_btf_label,
	.close = rs_close,
};

/* ================================================================ connecting */

/* ' -> '\'' : one word for the remote shell */
static int shell_quote(char *out, size_t size, const char *w)
{
	size_t o = 0;

	if (o + 1 >= size)
		return -1;
	out[o++] = '\'';
	for (; *w; w++) {
		if (*w == '\'') {
			if (o + 4 >= size)
				return -1;
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else {
			if (o + 1 >= size)
				return -1;
			out[o++] = *w;
		}
	}
	if (o + 2 > size)
		return -1;
	out[o++] = '\'';
	out[o] = '\0';
	return 0;
}

static int spawn(struct rsrc *r, char *const argv[])
{
	int sv[2], ep[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return ai_err(errno, "%s: socketpair: %s", r->peer, strerror(errno));
	/* room for a whole reply in the socket: the stub writes it in one go
	 * while we take the last one apart (as root past wmem_max; a failure
	 * leaves the default, which works, only slower) */
	for (int i = 0; i < 2; i++) {
		int sz = SOCK_BUF;

		if (setsockopt(sv[i], SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
			(void)setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	}
	if (pipe2(ep, O_CLOEXEC)) {
		close(sv[0]);
		close(sv[1]);
		return ai_err(errno, "%s: pipe: %s", r->peer, strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		close(ep[0]);
		close(ep[1]);
		return ai_err(errno, "%s: fork: %s", r->peer, strerror(errno));
	}
	if (pid == 0) {
		/* the child: the socket is its stdin and stdout, the pipe its
		 * stderr; a new process group, so the TUI's ^C is ours alone */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0 || dup2(ep[1], 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	close(ep[1]);
	r->fd = sv[0];
	r->errfd = ep[0];
	fcntl(r->errfd, F_SETFL, O_NONBLOCK);
	r->pid = pid;
	return 0;
}

static int connect_tcp(struct rsrc *r, const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *a;
	int rc = getaddrinfo(host, port, &hints, &res), err = 0;

	if (rc)
		return ai_err(EHOSTUNREACH, "%s: %s", r->peer, gai_strerror(rc));
	for (a = res; a; a = a->ai_next) {
		int fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			err = errno;
			continue;
		}
		/* non-blocking, so an address that never answers is an error
		 * after CONNECT_TIMEOUT_MS, not the kernel's two minutes */
		fcntl(fd, F_SETFL, O_NONBLOCK);
		if (!connect(fd, a->ai_addr, a->ai_addrlen) || errno == EINPROGRESS) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			socklen_t el = sizeof(err);

			err = 0;
			if (poll(&p, 1, CONNECT_TIMEOUT_MS) != 1)
				err = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el))
				err = errno;
			if (!err) {
				fcntl(fd, F_SETFL, 0);
				r->fd = fd;
				freeaddrinfo(res);
				return 0;
			}
			errno = err;
		}
		err = errno;
		close(fd);
	}
	freeaddrinfo(res);
	return ai_err(err ? err : ECONNREFUSED, "%s: cannot connect: %s", r->peer,
		      strerror(err ? err : ECONNREFUSED));
}

/* argv for ssh: $AI_SSH split on blanks, [-p PORT], --, HOST, one remote
 * command line ($AI_REMOTE_BIN serve WORDS, each word quoted) */
static int ssh_argv(const struct remote_target *t, char *store, size_t size, char **argv, int max)
{
	const char *ssh = getenv("AI_SSH"), *bin = getenv("AI_REMOTE_BIN");
	char qbin[1024];
	size_t o = 0;
	int n = 0;

	if (!ssh || !*ssh)
		ssh = "ssh";
	if (!bin || !*bin)
		bin = "arena-inspect";
	if (strlen(ssh) >= size / 2 || shell_quote(qbin, sizeof(qbin), bin))
		return -1;
	strcpy(store, ssh);
	o = strlen(store) + 1;
	for (char *tok = strtok(store, " \t"); tok && n < max - 8; tok = strtok(NULL, " \t"))
		argv[n++] = tok;
	if (!n)
		return -1;
	if (*t->port) {
		argv[n++] = "-p";
		argv[n++] = (char *)t->port;
	}
	argv[n++] = "--";
	argv[n++] = (char *)t->host;
	if (o + strlen(qbin) + strlen(t->cmd) + 16 > size)
		return -1;
	argv[n++] = store + o;
	o += sprintf(store + o, "%s serve %s", qbin, t->cmd) + 1;
	argv[n] = NULL;
	return n;
}

int remote__open(const struct remote_target *t, struct source **out)
{
	struct rsrc *r = calloc(1, sizeof(*r));
	char store[8192], *argv[64];
	int err;

	*out = NULL;
	if (!r)
		return ai_err(ENOMEM, "out of memory");
	r->src.ops = &remote_ops;
	r->fd = r->errfd = -1;
	r->ps = malloc(sizeof(*r->ps));
	r->rbuf = malloc(RECV_BUF);
	if (!r->ps || !r->rbuf) {
		free(r->ps);
		free(r->rbuf);
		free(r);
		return ai_err(ENOMEM, "out of memory");
	}
	rsp_parser__init(r->ps);
	switch (t->kind) {
	case REMOTE_CMD:
		snprintf(r->peer, sizeof(r->peer), "remote '%.140s'", t->cmd);
		snprintf(r->src.info.host, sizeof(r->src.info.host), "%.120s", t->cmd);
		{
			char *sh[] = { "/bin/sh", "-c", (char *)t->cmd, NULL };

			err = spawn(r, sh);
		}
		break;
	case REMOTE_TCP:
		snprintf(r->peer, sizeof(r->peer), "remote %.120s:%s", t->host, t->port);
		snprintf(r->src.info.host, sizeof(r->src.info.host), "%.100s:%.8s", t->host,
			 t->port);
		err = connect_tcp(r, t->host, t->port);
		break;
	default:
		snprintf(r->peer, sizeof(r->peer), "ssh://%.120s%s%s", t->host, *t->port ? ":" : "",
			 t->port);
		snprintf(r->src.info.host, sizeof(r->src.info.host), "%.120s", t->host);
		if (ssh_argv(t, store, sizeof(store), argv, 64) < 0)
			err = ai_err(E2BIG, "%s: the ssh command line is too long", r->peer);
		else
			err = spawn(r, argv);
		break;
	}
	if (err)
		goto fail;
	/* the handshake: our stub announces its arena objects */
	err = requestf(r, "qSupported:arena-inspect+");
	if (!err && (!strstr(r->pkt, "qXfer:arena-info:read+") || !strstr(r->pkt, "qArenaRead+")))
		err = peer_fail(r, EPROTO, "not an arena-inspect stub (qSupported)");
	/* a stub of before the variables: the rest still works */
	if (!err)
		r->has_vars = strstr(r->pkt, "qXfer:arena-vars:read+") != NULL;
	if (!err)
		r->has_gather = strstr(r->pkt, "qArenaGather+") != NULL;
	if (!err)
		r->has_maps = strstr(r->pkt, "qXfer:arena-maps:read+") != NULL;
	if (!err)
		err = requestf(r, "QStartNoAckMode");
	if (!err && !strcmp(r->pkt, "OK"))
		r->noack = true;
	if (!err)
		err = rs_info(&r->src, &r->src.info);
	if (err)
		goto fail;
	*out = &r->src;
	return 0;
fail:
	r->dead = true; /* no detach on a connection that never worked */
	rs_close(&r->src);
	return err;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * remote: the GDB Remote Serial Protocol over an arena, both ends.
 *
 *   framing   rsp_parser (bytes in -> packets, acks, errors) and
 *             rsp_frame (a reply -> "$data#xx"): pure, no I/O, fuzzed
 *   stub      remote_stub: answers GDB (and our client) from a source;
 *             `arena-inspect serve` drives it over stdio or TCP
 *   client    remote__open: a source that speaks to a stub over a
 *             command's stdio, a TCP socket or ssh
 *
 * What the stub serves (README "serve" has the user's view):
 *   m ADDR,LEN / x ADDR,LEN   memory through source__read: never a page
 *                             faulted in. A read that starts in a page that
 *                             is not allocated (or outside the arena) is E14
 *                             (EFAULT); one that runs into such a page is
 *                             answered short, up to that page, as the
 *                             protocol allows. x replies "b" + binary (GDB 16
 *                             form, announced as binary-upload+).
 *   M, X                      refused: E0d (EACCES), the arena is read only
 *   qXfer:memory-map:read     the allocated runs as RAM regions
 *   qXfer:features:read       target.xml: one 64-bit register (rip)
 *   qXfer:arena-info:read     "key=value\n" lines (REMOTE_INFO_VERSION)
 *   qXfer:arena-pagemap:read  8-byte header (u32 pages, u32 flags, little
 *                             endian; flag 1 = stale) + one state byte a page
 *   qXfer:arena-btf:read:N    raw BTF blob N (arena-info says how many)
 *   qXfer:arena-roots:read    struct snapshot_root records (snapshot.h)
 *   qXfer:arena-vars:read     the data-section variables: a SNAPSHOT_NT_VARS
 *                             payload (snapshot.h), btf_idx = arena-btf annex
 *   qXfer:arena-maps:read     the programs' maps check cannot read: a
 *                             SNAPSHOT_NT_MAPS payload; offered only when the
 *                             stub knows them ("unknown" is never "none")
 *   qArenaRead:ADDR,LEN       our client's read: page flags + the present bytes
 *   qArenaGather:OFF,LEN;...  our client's gather: item flags + their bytes
 *   ?, g, p, qAttached, H, D, k, vMustReplyEmpty, QStartNoAckMode, ...
 *   0x03 (GDB's ^C)           S02: stopped by SIGINT
 *   unknown packets           the empty reply
 * A qXfer object is made when it is read at offset 0 and kept for the
 * reads of its later chunks, so a reader that reads it in order gets one
 * consistent copy.
 */
#ifndef ARENA_INSPECT_REMOTE_H
#define ARENA_INSPECT_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "source.h"

/* Largest packet body we accept, and announce as PacketSize; replies are
 * cut to fit it too (a short memory read is allowed by the protocol). */
#define RSP_PACKET_MAX 0x100000u
#define REMOTE_INFO_VERSION 1
/* Items in one qArenaGather: its reply fits a packet even if every byte
 * is escaped (1 + 64 * 2 bytes an item) */
#define REMOTE_GATHER_MAX 4096u

/* ================================================================ framing */

enum rsp_event {
	RSP_NONE,     /* nothing complete yet */
	RSP_PACKET,   /* a packet with a good checksum: buf[0..len) */
	RSP_BADSUM,   /* a packet with a wrong checksum: NAK it */
	RSP_OVERSIZE, /* a packet longer than RSP_PACKET_MAX: dropped */
	RSP_ACK,      /* '+' */
	RSP_NAK,      /* '-' */
	RSP_BREAK,    /* 0x03 outside a packet (GDB's interrupt) */
};

struct rsp_parser {
	int state;
	uint8_t sum, want;
	size_t len;
	bool oversize;
	/* feed_zc: body bytes of the packet at the buffer's start already
	 * scanned (and their sum), while it waits for its end */
	size_t zc_scan;
	uint8_t zc_sum;
	char buf[RSP_PACKET_MAX + 1]; /* NUL-terminated for the dispatcher */
};

void rsp_parser__init(struct rsp_parser *p);
/* Feed one byte; returns what it completed. Bytes outside a packet other
 * than '+', '-', 0x03 and '$' are ignored; a '$' inside a packet starts a
 * new one (the old one was cut). Never fails. */
enum rsp_event rsp_parser__feed(struct rsp_parser *p, uint8_t c);
/* The same over buf[0, n) up to the first event (returned; RSP_NONE when
 * none): *used is how many bytes it took. A packet's body is copied and
 * summed a run at a time, not byte by byte. */
enum rsp_event rsp_parser__feed_buf(struct rsp_parser *p, const uint8_t *buf, size_t n,
				    size_t *used);

/*
 * The same without the copy: a packet that lies whole in buf is returned
 * where it is (*body, *len point into buf; *body is NULL for a packet that
 * was copied into p->buf as feed_buf does, one longer than RSP_PACKET_MAX
 * on the way to RSP_OVERSIZE). RSP_NONE with *used < n: a packet starts at
 * buf[*used] and has not ended; call again with those bytes at the start
 * of buf and more after them (the scan goes on where it stopped). Events
 * and bytes taken are those of rsp_parser__feed byte by byte.
 */
enum rsp_event rsp_parser__feed_zc(struct rsp_parser *p, const uint8_t *buf, size_t n, size_t *used,
				   const uint8_t **body, size_t *len);

/* A growable byte buffer; free with free(b->p). */
struct rsp_buf {
	char *p;
	size_t len, cap;
	bool oom; /* a grow failed: the content is cut */
};

void rsp_buf__put(struct rsp_buf *b, const void *data, size_t n);
void rsp_buf__printf(struct rsp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append data in the protocol's binary form ('#', '$', '}', '*' escaped as
 * '}' c^0x20), as much of it as fits in max escaped bytes; returns the
 * number of data bytes taken. */
size_t rsp_buf__put_escaped(struct rsp_buf *b, const uint8_t *data, size_t n, size_t max);
/* The same, adding the escaped bytes' sum to *sum (the checksum taken in
 * the same pass) */
size_t rsp_buf__put_escaped_sum(struct rsp_buf *b, const uint8_t *data, size_t n, size_t max,
				uint8_t *sum);
/* Undo the escaping in place; returns the new length (a trailing '}' is
 * dropped). */
size_t rsp_unescape(char *s, size_t n);
/* Undo the escaping of src[0, n) into dst until want bytes are out or src
 * ends: returns the bytes written, *used the bytes of src taken. */
size_t rsp_unescape_to(uint8_t *dst, size_t want, const char *src, size_t n, size_t *used);
/* The protocol's checksum: the sum of the bytes, mod 256 */
uint8_t rsp_sum(const void *data, size_t n);
/* out = "$" body "#" checksum */
void rsp_frame(struct rsp_buf *out, const char *body, size_t len);
/* b holds "...$" then a body from b->p[body] on: append "#" checksum (a
 * reply framed where it was built, not copied) */
void rsp_frame_in_place(struct rsp_buf *b, size_t body);
/* The same when the body's sum is known */
void rsp_frame_end(struct rsp_buf *b, uint8_t sum);
/* Parse "HEX" up to a delimiter in stop (or the end); -EINVAL on no digit
 * or overflow. *end: first byte after the digits. */
int rsp_parse_hex(const char *s, const char *lim, const char *stop, uint64_t *v, const char **end);

/* ================================================================ stub */

struct btfx;
struct remote_stub;

/* A stub over src. bx (optional) provides the BTF blobs and roots served
 * as arena-btf / arena-roots; host (optional) the host name arena-info
 * gives. All three are borrowed. */
int remote_stub__new(struct source *src, struct btfx *bx, const char *host,
		     struct remote_stub **out);
void remote_stub__free(struct remote_stub *st);

/* Answer one packet body (len bytes, NUL at body[len]) into reply (the
 * body, not framed). Returns 1 when the session ends after this reply
 * (D, k: k has no reply), else 0. Never fails: errors are E NN replies. */
int remote_stub__handle(struct remote_stub *st, const char *body, size_t len, struct rsp_buf *reply,
			bool *no_reply);

/* Serve one session on in/out (file descriptors) until the peer detaches,
 * kills or goes away (EOF, EPIPE): 0. A read or write error other than
 * those is a negative errno with a message. Only protocol bytes are
 * written to out. */
int remote_stub__serve(struct remote_stub *st, int in, int out);

/* ================================================================ client */

enum remote_kind {
	REMOTE_CMD, /* sh -c CMD, the protocol on its stdin/stdout */
	REMOTE_TCP, /* HOST:PORT */
	REMOTE_SSH, /* ssh [-p PORT] [USER@]HOST arena-inspect serve WORDS */
};

struct remote_target {
	enum remote_kind kind;
	char cmd[4096]; /* REMOTE_CMD: the command; REMOTE_SSH: the selector words,
			 * each shell-quoted, joined by spaces */
	char host[256]; /* REMOTE_TCP/SSH: host (SSH: "user@host" as given) */
	char port[16];	/* "" for SSH without :PORT */
};

/*
 * Open a remote source. REMOTE_SSH runs $AI_SSH (default "ssh", split on
 * spaces) with "[-p PORT] [USER@]HOST -- $AI_REMOTE_BIN serve WORDS"
 * (default "arena-inspect"); authentication is OpenSSH's. The source's
 * info.host names the peer. Errors (the command failing, the peer going
 * away, a reply we do not understand) are negative errno with one message.
 */
int remote__open(const struct remote_target *t, struct source **out);

#endif

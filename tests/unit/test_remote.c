// SPDX-License-Identifier: GPL-2.0
/*
 * The GDB remote framing and the stub on a memory arena: checksums, acks,
 * a '$' that restarts a packet, oversized packets, escaping, m/x reads
 * (E14 for a page that is not allocated, short replies at one), writes
 * refused, qXfer objects in chunks, detach and kill.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "memsource.h"
#include "remote.h"
#include "selector.h"

#define NP 8
#define BASE 0x100000000000ULL

static uint8_t data[NP * 4096];
static uint8_t states[NP];

static struct source *mk(void)
{
	struct arena_info ai = { .map_id = 7,
				 .max_pages = NP,
				 .user_vm_start = BASE,
				 .user_vm_end = BASE + NP * 4096ULL };
	struct source *s;

	memset(states, PAGE_FREE, sizeof(states));
	states[0] = states[1] = states[4] = PAGE_ALLOCATED;
	states[2] = PAGE_RESERVED;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + i / 4096);
	data[5] = '#'; /* needs escaping in x replies */
	data[6] = '}';
	assert_int_equal(memsource__new(&ai, data, states, &s), 0);
	return s;
}

static enum rsp_event feed(struct rsp_parser *p, const char *s)
{
	enum rsp_event ev = RSP_NONE;

	for (; *s; s++) {
		ev = rsp_parser__feed(p, (uint8_t)*s);
		if (ev != RSP_NONE && s[1])
			return -1; /* an event before the end: not what we wanted */
	}
	return ev;
}

static void framing(void **state)
{
	static struct rsp_parser p;
	struct rsp_buf b = {};

	rsp_parser__init(&p);
	rsp_frame(&b, "qSupported", 10);
	assert_string_equal(b.p, "$qSupported#37");
	assert_int_equal(feed(&p, b.p), RSP_PACKET);
	assert_string_equal(p.buf, "qSupported");
	assert_int_equal(feed(&p, "$qSupported#38"), RSP_BADSUM);
	assert_int_equal(feed(&p, "$qSupported#3z"), RSP_BADSUM);
	/* a '$' inside a packet starts it again */
	assert_int_equal(feed(&p, "$m12$g#67"), RSP_PACKET);
	assert_string_equal(p.buf, "g");
	assert_int_equal(feed(&p, "+"), RSP_ACK);
	assert_int_equal(feed(&p, "-"), RSP_NAK);
	assert_int_equal(rsp_parser__feed(&p, 3), RSP_BREAK);
	/* too long: dropped, reported once its checksum is right */
	{
		uint8_t sum = 0;
		char tail[4];

		static uint8_t big[RSP_PACKET_MAX + 10];
		size_t used;

		assert_int_equal(rsp_parser__feed(&p, '$'), RSP_NONE);
		memset(big, 'a', sizeof(big));
		for (size_t i = 0; i < sizeof(big); i++)
			sum += 'a';
		assert_int_equal(rsp_parser__feed_buf(&p, big, sizeof(big), &used), RSP_NONE);
		assert_int_equal(used, sizeof(big));
		snprintf(tail, sizeof(tail), "#%02x", sum);
		assert_int_equal(feed(&p, tail), RSP_OVERSIZE);
	}
	/* feed_buf: the same events as byte by byte, stopping after each */
	{
		const char *stream = "+$m1,2#fc$bad#00-$$qX}]#7d!junk$g#67";
		static struct rsp_parser q;
		enum rsp_event want[16], got[16];
		size_t nw = 0, ng = 0, len = strlen(stream), used;

		rsp_parser__init(&q);
		for (size_t i = 0; i < len; i++) {
			enum rsp_event ev = rsp_parser__feed(&q, (uint8_t)stream[i]);

			if (ev != RSP_NONE)
				want[nw++] = ev;
		}
		rsp_parser__init(&q);
		for (size_t i = 0; i < len; i += used) {
			enum rsp_event ev = rsp_parser__feed_buf(&q, (const uint8_t *)stream + i,
								 len - i, &used);

			assert_true(used > 0);
			if (ev != RSP_NONE)
				got[ng++] = ev;
		}
		assert_int_equal(ng, nw);
		assert_memory_equal(got, want, nw * sizeof(want[0]));
		assert_string_equal(q.buf, "g");
	}
	b.len = 0;
	{
		const uint8_t raw[] = { 'a', '#', '$', '}', '*', 'b' };
		char esc[16];

		assert_int_equal(rsp_buf__put_escaped(&b, raw, sizeof(raw), 100), sizeof(raw));
		assert_int_equal(b.len, 10);
		memcpy(esc, b.p, b.len);
		assert_int_equal(rsp_unescape(esc, b.len), sizeof(raw));
		assert_memory_equal(esc, raw, sizeof(raw));
		/* cut where an escape would not fit */
		b.len = 0;
		assert_int_equal(rsp_buf__put_escaped(&b, raw, sizeof(raw), 2), 1);
	}
	free(b.p);
}

static const char *ask(struct remote_stub *st, struct rsp_buf *r, const char *pkt, int *end)
{
	bool no_reply;

	r->len = 0;
	if (r->p)
		r->p[0] = '\0';
	*end = remote_stub__handle(st, pkt, strlen(pkt), r, &no_reply);
	return r->p ? r->p : "";
}

/*
 * The word-at-a-time paths (checksum, escape scan, unescape into place,
 * parsing in place) against the plain byte-by-byte definitions, on data
 * with the special bytes at every position and streams cut anywhere.
 */
static uint8_t naive_sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += p[i];
	return s;
}

static void fast_paths(void **state)
{
	static const uint8_t special[] = { '#', '$', '*', '}', 0x03, 0 };
	static uint8_t buf[4096 + 64], out[4096 + 64];
	struct rsp_buf b = {};

	(void)state;
	srand(16);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = rand() & 1 ? 0xff : (uint8_t)rand();
	for (size_t off = 0; off < 16; off++)
		for (size_t n = 0; n < 300; n++)
			assert_int_equal(rsp_sum(buf + off, n), naive_sum(buf + off, n));
	assert_int_equal(rsp_sum(buf, sizeof(buf)), naive_sum(buf, sizeof(buf)));
	/* one special byte at each position of runs of 0..63 bytes */
	for (size_t n = 1; n < 64; n++)
		for (size_t at = 0; at < n; at++)
			for (size_t k = 0; k < sizeof(special); k++) {
				uint8_t in[64], sum = 0;
				size_t want = 0;

				memset(in, 'a', sizeof(in));
				in[at] = special[k];
				b.len = 0;
				assert_int_equal(rsp_buf__put_escaped_sum(&b, in, n, 2 * n, &sum),
						 n);
				assert_int_equal(sum, naive_sum((uint8_t *)b.p, b.len));
				for (size_t i = 0; i < n; i++)
					want += (in[i] == '#' || in[i] == '$' || in[i] == '*' ||
						 in[i] == '}')
							? 2
							: 1;
				assert_int_equal(b.len, want);
				for (size_t i = 0; i < b.len; i++)
					assert_true(b.p[i] != '#' && b.p[i] != '$' &&
						    b.p[i] != '*');
				/* back in two parts: the cut may fall inside an escape */
				for (size_t cut = 0; cut <= n; cut++) {
					size_t u1, u2;

					assert_int_equal(rsp_unescape_to(out, cut, b.p, b.len, &u1),
							 cut);
					assert_int_equal(rsp_unescape_to(out + cut, n - cut,
									 b.p + u1, b.len - u1, &u2),
							 n - cut);
					assert_int_equal(u1 + u2, b.len);
					assert_memory_equal(out, in, n);
				}
			}
	free(b.p);
}

/* feed_zc over a stream delivered in random pieces gives the events and
 * bodies of rsp_parser__feed byte by byte */
static void parse_in_place(void **state)
{
	static struct rsp_parser a, z;
	static uint8_t stream[1 << 16], win[1 << 16];
	struct rsp_buf f = {};
	size_t n = 0;

	(void)state;
	srand(17);
	while (n < sizeof(stream) - 3000) {
		int kind = rand() % 8;
		char body[2048];
		size_t len = rand() % (rand() % 4 ? 64 : sizeof(body));

		for (size_t i = 0; i < len; i++)
			body[i] = rand() % 64
					  ? 'a' + rand() % 26
					  : "ab#$}*\x03+-0x"[rand() % 11] ^ (rand() % 3 ? 0 : 0x20);
		if (kind < 4) { /* a good packet (its body may hold '#'/'$': cut there) */
			f.len = 0;
			rsp_frame(&f, body, len);
			memcpy(stream + n, f.p, f.len);
			n += f.len;
		} else if (kind == 4) { /* a bad checksum, or a bad digit */
			f.len = 0;
			rsp_frame(&f, body, len);
			f.p[f.len - 1 - rand() % 2] = rand() % 2 ? 'z' : '0';
			memcpy(stream + n, f.p, f.len);
			n += f.len;
		} else { /* bytes between packets, a cut packet */
			memcpy(stream + n, body, len);
			n += len;
			if (kind == 7)
				stream[n++] = '$';
		}
	}
	free(f.p);
	rsp_parser__init(&a);
	rsp_parser__init(&z);
	{
		size_t pos = 0, wlen = 0, wpos = 0;

		/* the reference events, in order */
		enum rsp_event ev[1 << 14];
		char *bodies[1 << 14];
		size_t nev = 0, got = 0, waits = 0;

		for (size_t i = 0; i < n; i++) {
			enum rsp_event e = rsp_parser__feed(&a, stream[i]);

			if (e == RSP_NONE)
				continue;
			assert_true(nev < 1 << 14);
			ev[nev] = e;
			bodies[nev++] = e == RSP_PACKET ? strdup(a.buf) : NULL;
		}
		while (pos < n || wpos < wlen) {
			size_t add = 1 + rand() % 700, used, len;
			const uint8_t *body;
			enum rsp_event e;

			if (add > n - pos)
				add = n - pos;
			/* the caller's side: what waits moves to the start */
			memmove(win, win + wpos, wlen - wpos);
			wlen -= wpos;
			wpos = 0;
			memcpy(win + wlen, stream + pos, add);
			wlen += add;
			pos += add;
			for (;;) {
				e = rsp_parser__feed_zc(&z, win + wpos, wlen - wpos, &used, &body,
							&len);
				wpos += used;
				if (e == RSP_NONE) {
					waits += wpos < wlen;
					break;
				}
				assert_true(got < nev);
				assert_int_equal(e, ev[got]);
				if (e == RSP_PACKET) {
					if (!body) {
						body = (const uint8_t *)z.buf;
						len = z.len;
					}
					assert_int_equal(len, strlen(bodies[got]));
					assert_memory_equal(body, bodies[got], len);
				}
				got++;
			}
			if (pos == n && add == 0)
				break;
		}
		assert_int_equal(got, nev);
		assert_true(nev > 100);
		assert_true(waits > 50); /* packets cut by a window's end */
		for (size_t i = 0; i < nev; i++)
			free(bodies[i]);
	}
}

static void stub_reads(void **state)
{
	struct source *s = mk();
	struct remote_stub *st;
	struct rsp_buf r = {};
	char pkt[128], want[64];
	int end;

	assert_int_equal(remote_stub__new(s, NULL, "h1", &st), 0);
	assert_non_null(strstr(ask(st, &r, "qSupported:xmlRegisters=i386", &end), "PacketSize="));
	snprintf(pkt, sizeof(pkt), "m%llx,4", BASE + 4);
	snprintf(want, sizeof(want), "%02x%02x%02x%02x", data[4], data[5], data[6], data[7]);
	assert_string_equal(ask(st, &r, pkt, &end), want);
	/* binary: "b" + escaped bytes */
	snprintf(pkt, sizeof(pkt), "x%llx,3", BASE + 4);
	ask(st, &r, pkt, &end);
	assert_int_equal(r.len, 6);
	assert_memory_equal(r.p, "b\x1c}\x03}]", 6); /* 0x1c, '#', '}' */
	/* page 2 is reserved, 3 free: E14 */
	snprintf(pkt, sizeof(pkt), "m%llx,8", BASE + 2 * 4096);
	assert_string_equal(ask(st, &r, pkt, &end), "E14");
	snprintf(pkt, sizeof(pkt), "x%llx,8", BASE + 3 * 4096 + 8);
	assert_string_equal(ask(st, &r, pkt, &end), "E14");
	/* outside the arena */
	snprintf(pkt, sizeof(pkt), "m%llx,8", BASE - 8);
	assert_string_equal(ask(st, &r, pkt, &end), "E14");
	snprintf(pkt, sizeof(pkt), "m%llx,8", BASE + NP * 4096ULL);
	assert_string_equal(ask(st, &r, pkt, &end), "E14");
	/* from page 1 into page 2: cut at the page */
	snprintf(pkt, sizeof(pkt), "m%llx,20", BASE + 2 * 4096 - 8);
	assert_int_equal(strlen(ask(st, &r, pkt, &end)), 16);
	/* the arena's end: cut there */
	snprintf(pkt, sizeof(pkt), "m%llx,ffffffff", BASE + NP * 4096ULL - 4);
	assert_string_equal(ask(st, &r, pkt, &end), "E14"); /* page 7 is free */
	/* qArenaRead: page flags, then the present pages' bytes only */
	snprintf(pkt, sizeof(pkt), "qArenaRead:%llx,3000", BASE + 4096 - 8);
	ask(st, &r, pkt, &end);
	assert_int_equal(r.p[0], 'b');
	assert_memory_equal(r.p + 1, "\x01\x01\x00\x00", 4); /* 2 reserved, 3 free */
	{
		size_t n = rsp_unescape(r.p + 5, r.len - 5);

		assert_int_equal(n, 8 + 4096);
		assert_memory_equal(r.p + 5, data + 4096 - 8, n);
	}
	snprintf(pkt, sizeof(pkt), "qArenaRead:%llx,%x", BASE, RSP_PACKET_MAX);
	assert_string_equal(ask(st, &r, pkt, &end), "E22"); /* no room for the reply */
	snprintf(pkt, sizeof(pkt), "qArenaRead:%llx,10", BASE + NP * 4096ULL - 8);
	assert_string_equal(ask(st, &r, pkt, &end), "E14");
	/* qArenaGather: a flag an item, then the bytes of those there */
	ask(st, &r, "qArenaGather:0,4;2000,8;ffc,8;1000,40;7000,0;fffffff0,8;4,3", &end);
	assert_int_equal(r.p[0], 'b');
	assert_memory_equal(r.p + 1, "\x01\x00\x01\x01\x00\x00\x01", 7);
	{
		uint8_t got[4 + 8 + 0x40 + 3], w[sizeof(got)];
		size_t used;

		memcpy(w, data, 4);
		memcpy(w + 4, data + 0xffc, 8);
		memcpy(w + 12, data + 0x1000, 0x40);
		memcpy(w + 12 + 0x40, data + 4, 3); /* '#', '}': escaped */
		assert_int_equal(rsp_unescape_to(got, sizeof(got), r.p + 8, r.len - 8, &used),
				 sizeof(got));
		assert_int_equal(used, r.len - 8);
		assert_memory_equal(got, w, sizeof(got));
	}
	assert_string_equal(ask(st, &r, "qArenaGather:", &end), "b");
	assert_string_equal(ask(st, &r, "qArenaGather:1", &end), "E22");
	assert_string_equal(ask(st, &r, "qArenaGather:1,zz", &end), "E22");
	assert_string_equal(ask(st, &r, "qArenaGather:1,2;;3,4", &end), "E22");
	/* bad packets */
	assert_string_equal(ask(st, &r, "m", &end), "E22");
	assert_string_equal(ask(st, &r, "mzz,1", &end), "E22");
	assert_string_equal(ask(st, &r, "m1,", &end), "E22");
	assert_string_equal(ask(st, &r, "m1ffffffffffffffff1,1", &end), "E22");
	/* writes refused */
	snprintf(pkt, sizeof(pkt), "M%llx,1:00", BASE);
	assert_string_equal(ask(st, &r, pkt, &end), "E13");
	snprintf(pkt, sizeof(pkt), "X%llx,1:a", BASE);
	assert_string_equal(ask(st, &r, pkt, &end), "E13");
	assert_int_equal(data[0], 0);
	/* what GDB needs */
	assert_string_equal(ask(st, &r, "?", &end), "S05");
	assert_string_equal(ask(st, &r, "qAttached", &end), "1");
	assert_string_equal(ask(st, &r, "vMustReplyEmpty", &end), "");
	assert_string_equal(ask(st, &r, "qSomethingNew", &end), "");
	assert_int_equal(end, 0);
	assert_string_equal(ask(st, &r, "D", &end), "OK");
	assert_int_equal(end, 1);
	ask(st, &r, "k", &end);
	assert_int_equal(end, 1);
	remote_stub__free(st);
	free(r.p);
	source__close(s);
}

static void stub_objects(void **state)
{
	struct source *s = mk();
	struct remote_stub *st;
	struct rsp_buf r = {}, all = {};
	char pkt[128];
	int end;

	assert_int_equal(remote_stub__new(s, NULL, "h1", &st), 0);
	/* the memory map in chunks of 50 bytes */
	for (size_t off = 0;; off += r.len - 1) {
		snprintf(pkt, sizeof(pkt), "qXfer:memory-map:read::%zx,32", off);
		ask(st, &r, pkt, &end);
		assert_true(r.len >= 1 && (r.p[0] == 'm' || r.p[0] == 'l'));
		rsp_buf__put(&all, r.p + 1, r.len - 1);
		if (r.p[0] == 'l')
			break;
	}
	assert_non_null(strstr(all.p, "<memory type=\"ram\" start=\"0x100000000000\" "
				      "length=\"0x2000\"/>"));
	assert_non_null(strstr(all.p, "start=\"0x100000004000\" length=\"0x1000\""));
	assert_null(strstr(all.p, "0x100000002000")); /* reserved: no memory */
	/* the page map */
	ask(st, &r, "qXfer:arena-pagemap:read::0,1000", &end);
	assert_int_equal(r.p[0], 'l');
	assert_int_equal(r.len, 1 + 8 + NP);
	assert_int_equal(r.p[1], NP);
	assert_memory_equal(r.p + 9, states, NP);
	/* the info */
	ask(st, &r, "qXfer:arena-info:read::0,1000", &end);
	assert_non_null(strstr(r.p, "\nmap_id=7\n"));
	assert_non_null(strstr(r.p, "\nhost=6831\n"));
	/* unknown objects and annexes */
	assert_string_equal(ask(st, &r, "qXfer:nothing:read::0,10", &end), "");
	assert_string_equal(ask(st, &r, "qXfer:arena-btf:read:0:0,10", &end), "");
	assert_string_equal(ask(st, &r, "qXfer:features:read:other.xml:0,10", &end), "E00");
	assert_string_equal(ask(st, &r, "qXfer:arena-info:read::zz", &end), "E22");
	ask(st, &r, "qXfer:features:read:target.xml:0,1000", &end);
	assert_non_null(strstr(r.p, "<target"));
	remote_stub__free(st);
	free(r.p);
	free(all.p);
	source__close(s);
}

/* a whole session over a socketpair: acks, NAK on a bad checksum, no-ack
 * mode, and a clean end when the peer goes away mid-packet */
static void stub_session(void **state)
{
	struct source *s = mk();
	struct remote_stub *st;
	int in[2], out[2];
	char buf[4096];
	ssize_t n;
	const char *script = "+$qSupported#37$?#3e$?#3f$QStartNoAckMode#b0$?#3f$m10";

	assert_int_equal(remote_stub__new(s, NULL, "", &st), 0);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(write(in[1], script, strlen(script)), (ssize_t)strlen(script));
	close(in[1]); /* the peer vanishes in the middle of "$m10" */
	assert_int_equal(remote_stub__serve(st, in[0], out[1]), 0);
	close(out[1]);
	n = read(out[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	/* + reply, - (bad sum), + S05, + OK, then S05 without an ack */
	assert_non_null(strstr(buf, "+$PacketSize="));
	assert_non_null(strstr(buf, "-+$S05#b8+$OK#9a$S05#b8"));
	assert_true(strlen(strstr(buf, "$OK#9a")) == strlen("$OK#9a$S05#b8"));
	close(in[0]);
	close(out[0]);
	remote_stub__free(st);
	source__close(s);
}

/* GDB's interrupt (^C sends 0x03 between packets): a stop by SIGINT */
static void stub_interrupt(void **state)
{
	struct source *s = mk();
	struct remote_stub *st;
	int in[2], out[2];
	char buf[4096];
	ssize_t n;
	const char *script = "\x03+$c#63\x03$D#44";

	(void)state;
	assert_int_equal(remote_stub__new(s, NULL, "", &st), 0);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(write(in[1], script, strlen(script)), (ssize_t)strlen(script));
	close(in[1]);
	assert_int_equal(remote_stub__serve(st, in[0], out[1]), 0);
	close(out[1]);
	n = read(out[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	/* S02 (no ack: not a packet), continue: + S05, S02 again, detach */
	assert_string_equal(buf, "$S02#b5+$S05#b8$S02#b5+$OK#9a");
	close(in[0]);
	close(out[0]);
	remote_stub__free(st);
	source__close(s);
}

static void selectors(void **state)
{
	struct selector sel;
	int used;
	char *a1[] = { "ssh://u@h:2222/pinned//sys/fs/bpf/x", "more" };
	char *a2[] = { "remote", "127.0.0.1:9000" };
	char *a3[] = { "remote", "arena-inspect serve id 3" };
	char *a4[] = { "ssh://h/name/it's" };
	char *a5[] = { "ssh://h//tmp/x.snap" };
	char *a6[] = { "ssh://[fe80::1]:22/id/7" };
	char *bad[] = { "ssh://",	 "ssh://h",    "ssh://h/", "ssh://h:port/id/1",
			"ssh://-x/id/1", "ssh://h/id/" };

	assert_int_equal(selector__parse(2, a1, &sel, &used), 0);
	assert_int_equal(used, 1);
	assert_int_equal(sel.kind, SEL_REMOTE);
	assert_int_equal(sel.remote.kind, REMOTE_SSH);
	assert_string_equal(sel.remote.host, "u@h");
	assert_string_equal(sel.remote.port, "2222");
	assert_string_equal(sel.remote.cmd, "'pinned' '/sys/fs/bpf/x'");
	assert_int_equal(selector__parse(2, a2, &sel, &used), 0);
	assert_int_equal(used, 2);
	assert_int_equal(sel.remote.kind, REMOTE_TCP);
	assert_string_equal(sel.remote.host, "127.0.0.1");
	assert_string_equal(sel.remote.port, "9000");
	assert_int_equal(selector__parse(2, a3, &sel, &used), 0);
	assert_int_equal(sel.remote.kind, REMOTE_CMD);
	assert_string_equal(sel.remote.cmd, "arena-inspect serve id 3");
	assert_int_equal(selector__parse(1, a4, &sel, &used), 0);
	assert_string_equal(sel.remote.cmd, "'name' 'it'\\''s'");
	assert_int_equal(selector__parse(1, a5, &sel, &used), 0);
	assert_string_equal(sel.remote.cmd, "'/tmp/x.snap'");
	assert_int_equal(selector__parse(1, a6, &sel, &used), 0);
	assert_string_equal(sel.remote.host, "fe80::1");
	assert_string_equal(sel.remote.port, "22");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(selector__parse(1, &bad[i], &sel, &used), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(framing),	  cmocka_unit_test(stub_reads),
		cmocka_unit_test(stub_objects),	  cmocka_unit_test(stub_session),
		cmocka_unit_test(selectors),	  cmocka_unit_test(fast_paths),
		cmocka_unit_test(parse_in_place), cmocka_unit_test(stub_interrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

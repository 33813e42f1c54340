// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer over the GDB remote stub: the bytes are a stream from a peer,
 * fed to the packet parser; every packet it completes is answered by the
 * stub over a memory arena (some pages allocated, some reserved, some
 * free), as `serve` would. Nothing may crash, leak, or write past a reply.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "memsource.h"
#include "remote.h"

#define NP 16
#define BASE 0x100000000000ULL

/*
 * rsp_parser__feed_zc (the client's parser, in place) over the same bytes,
 * given in pieces of varying size as recv would, must see the events and
 * bodies rsp_parser__feed sees byte by byte.
 */
static void check_in_place(const uint8_t *data, size_t size)
{
	static struct rsp_parser a, z;
	static uint8_t win[1 << 16];
	size_t pos = 0, wlen = 0, wpos = 0, ai = 0, step = size * 2654435761u;

	if (size > sizeof(win) - 1)
		return;
	rsp_parser__init(&a);
	rsp_parser__init(&z);
	while (pos < size) {
		size_t add = 1 + (step = step * 1103515245 + 12345) % 97, used, len;
		const uint8_t *body;
		enum rsp_event e;

		if (add > size - pos)
			add = size - pos;
		memmove(win, win + wpos, wlen - wpos);
		wlen -= wpos;
		wpos = 0;
		memcpy(win + wlen, data + pos, add);
		wlen += add;
		pos += add;
		while ((e = rsp_parser__feed_zc(&z, win + wpos, wlen - wpos, &used, &body, &len)) !=
		       RSP_NONE) {
			enum rsp_event ea = RSP_NONE;

			wpos += used;
			while (ai < size && (ea = rsp_parser__feed(&a, data[ai++])) == RSP_NONE)
				;
			if (ea != e)
				abort();
			if (e == RSP_PACKET) {
				if (!body) {
					body = (const uint8_t *)z.buf;
					len = z.len;
				}
				if (len != a.len || memcmp(body, a.buf, len))
					abort();
			}
		}
		wpos += used;
	}
	/* nothing the reference saw after the last zc event */
	while (ai < size)
		if (rsp_parser__feed(&a, data[ai++]) != RSP_NONE)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[NP * 4096], state[NP];
	static struct rsp_parser p;
	static struct source *src;
	struct remote_stub *st;
	struct rsp_buf reply = {}, frame = {};

	if (!src) {
		struct arena_info ai = { .map_id = 1,
					 .max_pages = NP,
					 .user_vm_start = BASE,
					 .user_vm_end = BASE + NP * 4096ULL };

		for (int i = 0; i < NP; i++)
			state[i] = i % 3 == 0	? PAGE_ALLOCATED
				   : i % 3 == 1 ? PAGE_FREE
						: PAGE_RESERVED;
		for (size_t i = 0; i < sizeof(mem); i++)
			mem[i] = (uint8_t)(i * 31);
		if (memsource__new(&ai, mem, state, &src))
			abort();
	}
	if (remote_stub__new(src, NULL, "fuzz", &st))
		abort();
	rsp_parser__init(&p);
	/* odd lengths: byte by byte; even: in runs (feed_buf), as serve does */
	for (size_t i = 0, used = 1; i < size; i += used) {
		enum rsp_event ev = size & 1 ? rsp_parser__feed(&p, data[i])
					     : rsp_parser__feed_buf(&p, data + i, size - i, &used);
		bool no_reply;

		if (ev != RSP_PACKET)
			continue;
		if (p.buf[p.len] != '\0')
			abort();
		reply.len = 0;
		remote_stub__handle(st, p.buf, p.len, &reply, &no_reply);
		if (reply.len > RSP_PACKET_MAX)
			abort(); /* a reply must fit what we announce */
		frame.len = 0;
		rsp_frame(&frame, reply.p ? reply.p : "", reply.len);
		if (reply.len) {
			/* a reply read back as a packet is the same reply */
			struct rsp_parser *q = malloc(sizeof(*q));

			if (!q)
				abort();
			rsp_parser__init(q);
			for (size_t k = 0; k < frame.len; k++)
				if (rsp_parser__feed(q, frame.p[k]) == RSP_PACKET &&
				    (q->len != reply.len || memcmp(q->buf, reply.p, reply.len)))
					abort();
			free(q);
		}
	}
	free(reply.p);
	free(frame.p);
	remote_stub__free(st);
	check_in_place(data, size);
	return 0;
}

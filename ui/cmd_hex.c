// SPDX-License-Identifier: GPL-2.0
/* arena-inspect hex ARENA WHERE [LEN]: hex + ASCII, missing pages marked. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "error.h"
#include "expr.h"
#include "source.h"

#define HEX_MAX_LEN (64U << 20)

/* WHERE: an address, +offset, or an expression whose value is an address
 * (a pointer) or whose place is one (a struct). */
int cli_resolve_where(struct source *src, const struct cli_opts *o, const char *where,
		      uint64_t *addr, struct btfx **bxp)
{
	struct btfx *bx = NULL;
	struct value v;
	int col = 0, err;

	if (!cli_parse_addr(src, where, addr))
		return 0;
	if (cli_open_btf(src, o, &bx))
		return 1;
	err = expr__eval_str(where, bx, src, &v, &col);
	if (err) {
		cli_expr_error("", where, col, bx, err);
		btfx__free(bx);
		return 1;
	}
	*addr = v.lvalue ? v.addr : v.scalar;
	/* a pointer in a map variable shows where it points; the variable
	 * itself is not in the arena */
	if (v.var && (!btfq__is_ptr(v.btf, v.type_id) || expr__read(src, &v, 0, addr, 8))) {
		cli_error("'%s' is in the map variable '%s', not in the arena", where, v.var->name);
		btfx__free(bx);
		return 1;
	}
	if (bxp)
		*bxp = bx;
	else
		btfx__free(bx);
	return 0;
}

static void hex_ascii(const uint8_t *b, size_t n, char *hex, size_t hlen, char *asc)
{
	size_t h = 0;

	for (size_t i = 0; i < 16; i++) {
		if (i < n)
			h += snprintf(hex + h, hlen - h, "%02x%s", b[i], i == 7 ? "  " : " ");
		else
			h += snprintf(hex + h, hlen - h, "%s", i == 7 ? "    " : "   ");
		asc[i] = i < n ? (isprint(b[i]) ? b[i] : '.') : ' ';
	}
	hex[h ? h - 1 : 0] = '\0';
	asc[16] = '\0';
}

/* JSON: one object per line and per missing page, as it always was */
static void emit_line(struct sink *s, uint64_t addr, uint64_t off, const uint8_t *b, size_t n)
{
	char hex[16 * 3 + 2], asc[17];

	hex_ascii(b, n, hex, sizeof(hex), asc);
	sink_begin(s, NULL, false, NULL);
	sink_hex(s, "addr", addr);
	sink_u64(s, "offset", off);
	sink_str(s, "hex", hex);
	sink_str(s, "ascii", asc);
	sink_end(s, false);
}

static void emit_hole(struct sink *s, uint64_t addr, uint64_t off, uint64_t page)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "-- page %llu not allocated --", (unsigned long long)page);
	sink_begin(s, NULL, false, NULL);
	sink_hex(s, "addr", addr);
	sink_u64(s, "offset", off);
	sink_str(s, "hex", msg);
	sink_str(s, "ascii", "");
	sink_bool(s, "unallocated", true);
	sink_end(s, false);
}

/*
 * Text: the hex view's layout (OFFSET from the arena start in hex, as the
 * TUI shows it, then the address), a run of pages that are not allocated
 * as one line, and lines equal to the one above as one "*" line saying how
 * many (hexdump, xxd -a), so a mostly empty page is a few lines.
 */
struct text_hex {
	uint8_t prev[16];
	bool have_prev;
	uint64_t repeats;
};

static void text_repeats(struct text_hex *t)
{
	cli_role(SR_NOTE);
	if (t->repeats)
		cli_line("*  (%llu more line%s the same as the one above)",
			 (unsigned long long)t->repeats, t->repeats == 1 ? "" : "s");
	cli_role(SR_NONE);
	t->repeats = 0;
}

static void text_line(struct text_hex *t, uint64_t addr, uint64_t off, const uint8_t *b, size_t n)
{
	char hex[16 * 3 + 2], asc[17];

	if (n == 16 && t->have_prev && !memcmp(t->prev, b, 16)) {
		t->repeats++;
		return;
	}
	text_repeats(t);
	hex_ascii(b, n, hex, sizeof(hex), asc);
	cli_line("%9llx  %012llx  %-49s |%.*s|", (unsigned long long)off, (unsigned long long)addr,
		 hex, (int)n, asc);
	t->have_prev = n == 16;
	if (n == 16)
		memcpy(t->prev, b, 16);
}

static void text_hole(struct text_hex *t, uint64_t addr, uint64_t off, uint64_t page,
		      uint64_t pages, uint64_t page_size)
{
	char size[32];

	text_repeats(t);
	t->have_prev = false;
	cli_role(SR_UNALLOC);
	if (pages == 1) {
		cli_line("%9llx  %012llx  -- page %llu not allocated --", (unsigned long long)off,
			 (unsigned long long)addr, (unsigned long long)page);
		cli_role(SR_NONE);
		return;
	}
	fmt_size(pages * page_size, size, sizeof(size));
	cli_line("%9llx  %012llx  -- pages %llu-%llu not allocated (%llu pages, %s) --",
		 (unsigned long long)off, (unsigned long long)addr, (unsigned long long)page,
		 (unsigned long long)(page + pages - 1), (unsigned long long)pages, size);
	cli_role(SR_NONE);
}

/* The dump's bytes, HEX_CHUNK_PAGES at a time with progress between: a
 * whole arena's 64 MiB say how far they got on a terminal (cli_progress),
 * and Ctrl-C stops the reading */
#define HEX_CHUNK_PAGES 1024

static int read_chunks(struct source *src, uint64_t addr, uint64_t len, uint8_t *buf,
		       uint8_t *present)
{
	const struct ai_progress *pr = cli_progress();
	uint64_t pg = source__page_size(src), total = source__pages_spanned(src, addr, len);
	uint64_t done = 0;

	for (uint64_t c = addr; c < addr + len;) {
		uint64_t end = ((c / pg) + HEX_CHUNK_PAGES) * pg;
		size_t n;

		if (end > addr + len)
			end = addr + len;
		n = source__pages_spanned(src, c, end - c);
		if (source__read(src, c, buf + (c - addr), end - c, present + done) < 0) {
			cli_progress_end();
			return cli_lib_error("hex");
		}
		done += n;
		c = end;
		if (ai_progress__tick(pr, "reading", done, total)) {
			cli_progress_end();
			return cli_error("hex: cancelled");
		}
	}
	cli_progress_end();
	return 0;
}

static int do_hex(int argc, char **argv, const struct cli_opts *o)
{
	struct source *src;
	uint64_t addr, len = 256, base;
	uint8_t *buf = NULL, *present = NULL;
	struct sink *s;
	struct text_hex th = { 0 };
	int used, ret = 1;
	bool json = o->json || o->pretty;

	if (cli_open_arena(argc, argv, &used, &src))
		return 1;
	argc -= used;
	argv += used;
	if (argc < 1 || argc > 2) {
		source__close(src);
		return cli_error("usage: hex ARENA WHERE [LEN]");
	}
	if (cli_resolve_where(src, o, argv[0], &addr, NULL))
		goto out;
	if (argc == 2) {
		char *end;

		errno = 0;
		len = strtoull(argv[1], &end, 0);
		if (errno || *end || !len || len > HEX_MAX_LEN) {
			cli_error("hex: LEN must be 1..%u bytes, not '%s'", HEX_MAX_LEN, argv[1]);
			goto out;
		}
	}
	base = src->info.user_vm_start;
	if (!source__contains(src, addr, 1)) {
		cli_error("hex: 0x%llx is outside the arena (0x%llx-0x%llx)",
			  (unsigned long long)addr, (unsigned long long)base,
			  (unsigned long long)(base + source__size(src)));
		goto out;
	}
	/* clamp to the arena end rather than fail on a long dump */
	if (!source__contains(src, addr, len))
		len = base + source__size(src) - addr;
	buf = malloc(len);
	present = malloc(source__pages_spanned(src, addr, len));
	if (!buf || !present) {
		cli_error("hex: out of memory");
		goto out;
	}
	if (read_chunks(src, addr, len, buf, present))
		goto out;
	s = json ? cli_sink(o) : NULL;
	if (s)
		sink_begin(s, NULL, true, NULL);
	else {
		cli_color(o);
		cli_role(SR_HEADER);
		cli_line("%9s  %-12s  %-49s %s", "OFFSET", "ADDRESS",
			 "00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f", " ASCII");
		cli_role(SR_NONE);
	}
	for (uint64_t p = addr; p < addr + len;) {
		size_t pg = (p >> src->info.page_shift) - (addr >> src->info.page_shift);
		uint64_t page_end = (p | (source__page_size(src) - 1)) + 1;

		if (!present[pg]) {
			uint64_t first = p, pages = 0;

			/* missing pages: their bytes are never read; a run of them
			 * is one line in text */
			for (;
			     p < addr + len &&
			     !present[(p >> src->info.page_shift) - (addr >> src->info.page_shift)];
			     p = (p | (source__page_size(src) - 1)) + 1) {
				if (s)
					emit_hole(s, p, p - base,
						  (p - base) >> src->info.page_shift);
				pages++;
			}
			if (!s)
				text_hole(&th, first, first - base,
					  (first - base) >> src->info.page_shift, pages,
					  source__page_size(src));
			continue;
		}
		size_t n = 16 - (p & 15);

		if (p + n > page_end)
			n = page_end - p;
		if (p + n > addr + len)
			n = addr + len - p;
		if (s)
			emit_line(s, p, p - base, buf + (p - addr), n);
		else
			text_line(&th, p, p - base, buf + (p - addr), n);
		p += n;
	}
	if (s) {
		sink_end(s, true);
		sink__free(s);
	} else {
		text_repeats(&th);
	}
	ret = 0;
out:
	free(buf);
	free(present);
	source__close(src);
	return ret;
}

const struct cli_cmd cmd_hex = {
	.name = "hex",
	.run = do_hex,
	.args = "ARENA WHERE [LEN]",
	.opts = CLI_OPTS_OUTPUT | CLI_OPTS_TYPES,
	.help = "hex + ASCII dump; unallocated runs and repeated lines collapsed, never read",
};

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

static void emit_line(struct sink *s, uint64_t addr, uint64_t off, const uint8_t *b, size_t n)
{
	char hex[16 * 3 + 2], asc[17];
	size_t h = 0;

	for (size_t i = 0; i < 16; i++) {
		if (i < n)
			h += snprintf(hex + h, sizeof(hex) - h, "%02x%s", b[i],
				      i == 7 ? "  " : " ");
		else
			h += snprintf(hex + h, sizeof(hex) - h, "%s", i == 7 ? "    " : "   ");
		asc[i] = i < n ? (isprint(b[i]) ? b[i] : '.') : ' ';
	}
	hex[h ? h - 1 : 0] = '\0';
	asc[16] = '\0';
	sink_begin(s, NULL, false, NULL);
	sink_hex(s, "addr", addr);
	sink_u64(s, "offset", off);
	sink_str(s, "hex", hex);
	sink_str(s, "ascii", asc);
	sink_end(s, false);
}

static int do_hex(int argc, char **argv, const struct cli_opts *o)
{
	struct source *src;
	uint64_t addr, len = 256, base;
	uint8_t *buf = NULL, *present = NULL;
	struct sink *s;
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
	if (source__read(src, addr, buf, len, present) < 0) {
		cli_lib_error("hex");
		goto out;
	}
	s = cli_sink(o);
	sink_begin(s, NULL, true, NULL);
	for (uint64_t p = addr; p < addr + len;) {
		size_t pg = (p >> src->info.page_shift) - (addr >> src->info.page_shift);
		uint64_t page_end = (p | (source__page_size(src) - 1)) + 1;

		if (!present[pg]) {
			char msg[64];

			/* one line per missing page: its bytes are never read */
			snprintf(msg, sizeof(msg), "-- page %llu not allocated --",
				 (unsigned long long)((p - base) >> src->info.page_shift));
			sink_begin(s, NULL, false, NULL);
			sink_hex(s, "addr", p);
			sink_u64(s, "offset", p - base);
			sink_str(s, "hex", msg);
			sink_str(s, "ascii", "");
			if (json)
				sink_bool(s, "unallocated", true);
			sink_end(s, false);
			p = page_end;
			continue;
		}
		size_t n = 16 - (p & 15);

		if (p + n > addr + len)
			n = addr + len - p;
		emit_line(s, p, p - base, buf + (p - addr), n);
		p += n;
	}
	sink_end(s, true);
	sink__free(s);
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
	.help = "hex + ASCII dump; pages that are not allocated are marked, never read",
};

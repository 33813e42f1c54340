// SPDX-License-Identifier: GPL-2.0
/*
 * btfx_globals: the roots for __arena globals (btfx.c finds the BTF and
 * the other roots). libbpf >= 1.4 copies DATASEC ".addr_space.1" into the
 * arena, at offset 0 (older libbpf, and newer libbpf on kernels without
 * full-range ld_imm64 offsets) or at the end (arena_size -
 * round_up(sec_size, page size)). Which one is decided by, in order:
 *   1. the programs' xlated instructions: libbpf's relocations become
 *      constants user_vm_start + offset, so an offset that falls in one
 *      candidate window and not the other settles it (live arenas);
 *   2. which window's pages are all allocated: libbpf writes the
 *      initial values through its mapping, which allocates them, while
 *      bpf_arena_alloc_pages hands out the lowest free pages first, so
 *      the last pages are rarely allocated for any other reason;
 *   3. when both windows are allocated: pointer-typed globals must hold
 *      0 or an arena address; the window where more of them do wins,
 *      a tie goes to the end (page 0 is usually ordinary data then);
 *   4. when neither is allocated: offset 0 (what this kernel gets).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfx_priv.h"
#include "error.h"

static const struct btf_type *find_datasec(const struct btf *btf, const char *name, uint32_t *id)
{
	int r = btf__find_by_name_kind(btf, name, BTF_KIND_DATASEC);

	if (r <= 0)
		return NULL;
	*id = r;
	return btf__type_by_id(btf, r);
}

/* Pointer-typed globals in the window at off: +1 if 0 or in the arena, -1
 * for anything else (3. in the comment at the top). */
static int window_plausibility(const struct btfx *bx, const struct btf *btf,
			       const struct btf_type *sec, const uint8_t *buf, uint64_t len)
{
	const struct btf_var_secinfo *vi = btf_var_secinfos(sec);
	int score = 0;

	for (int i = 0; i < btf_vlen(sec); i++, vi++) {
		const struct btf_type *var = btf__type_by_id(btf, vi->type);
		const struct btf_type *t;
		uint64_t v;

		if (!var || !btf_is_var(var))
			continue;
		t = btf__type_by_id(btf, btfx_skip_mods(btf, var->type));
		if (!t || !btf_is_ptr(t) || vi->size != 8 || vi->offset + 8ULL > len)
			continue;
		memcpy(&v, buf + vi->offset, 8);
		score += (!v || source__contains(bx->src, v, 1)) ? 1 : -1;
	}
	return score;
}

struct window {
	uint64_t off;
	bool all_present;
	int present_pages;
	int score;
};

static int probe_window(struct btfx *bx, const struct btf *btf, const struct btf_type *sec,
			struct window *w)
{
	uint64_t len = sec->size;
	size_t np = source__pages_spanned(bx->src, w->off, len);
	uint8_t *buf, *present;
	int err;

	buf = malloc(len);
	present = calloc(np ? np : 1, 1);
	if (!buf || !present) {
		free(buf);
		free(present);
		return ai_err(ENOMEM, "out of memory");
	}
	err = source__read(bx->src, bx->src->info.user_vm_start + w->off, buf, len, present);
	if (err >= 0) {
		for (size_t i = 0; i < np; i++)
			w->present_pages += present[i];
		w->all_present = err == 0;
		w->score = window_plausibility(bx, btf, sec, buf, len);
		err = 0;
	}
	free(buf);
	free(present);
	return err;
}

static int insn_votes(const struct btfx *bx, uint64_t lo, uint64_t len)
{
	int n = 0;

	for (int i = 0; i < bx->nr_insn_offs; i++)
		n += bx->insn_offs[i] >= lo && bx->insn_offs[i] - lo < len;
	return n;
}

static int choose_placement(struct btfx *bx, const struct btf *btf, const struct btf_type *sec,
			    uint64_t *base)
{
	uint64_t size = btfx_arena_size(bx->src), len = sec->size;
	struct window start = { .off = 0 }, end = { 0 };
	int vs, ve, err;

	end.off =
		size - ((len + source__page_size(bx->src) - 1) & ~(source__page_size(bx->src) - 1));
	if (end.off == 0) {
		/* the section fills the arena: both rules give offset 0 */
		*base = 0;
		return BTFX_GLOBALS_START;
	}
	vs = insn_votes(bx, start.off, len);
	ve = insn_votes(bx, end.off, len);
	if (vs != ve && (!vs || !ve)) {
		*base = vs ? start.off : end.off;
		return vs ? BTFX_GLOBALS_START : BTFX_GLOBALS_END;
	}
	err = probe_window(bx, btf, sec, &start);
	if (!err)
		err = probe_window(bx, btf, sec, &end);
	if (err)
		return err;
	if (start.all_present != end.all_present) {
		*base = start.all_present ? start.off : end.off;
		return start.all_present ? BTFX_GLOBALS_START : BTFX_GLOBALS_END;
	}
	if (start.all_present) {
		*base = start.score > end.score ? start.off : end.off;
		return start.score > end.score ? BTFX_GLOBALS_START : BTFX_GLOBALS_END;
	}
	if (end.present_pages > start.present_pages) {
		*base = end.off;
		return BTFX_GLOBALS_END;
	}
	*base = 0;
	return BTFX_GLOBALS_START;
}

int btfx_find_arena_globals(struct btfx *bx)
{
	struct source *src = bx->src;

	bx->placement = BTFX_GLOBALS_NONE;
	if (!src->info.user_vm_start || !src->info.max_pages)
		return 0;
	for (int b = 0; b < bx->nr_blobs; b++) {
		const struct btf *btf = bx->blobs[b].btf;
		const struct btf_type *sec;
		const struct btf_var_secinfo *vi;
		uint64_t base = 0;
		uint32_t sec_id;
		int pl;

		sec = find_datasec(btf, ".addr_space.1", &sec_id);
		if (!sec || !sec->size || sec->size > btfx_arena_size(src))
			continue;
		pl = choose_placement(bx, btf, sec, &base);
		if (pl < 0)
			return pl;
		if (bx->placement == BTFX_GLOBALS_NONE)
			bx->placement = pl;
		vi = btf_var_secinfos(sec);
		for (int i = 0; i < btf_vlen(sec); i++, vi++) {
			const struct btf_type *var = btf__type_by_id(btf, vi->type);
			struct root r = { .kind = ROOT_ARENA_GLOBAL, .btf = btf, .btf_idx = b };
			const char *name;

			if (!var || !btf_is_var(var) || vi->offset >= sec->size)
				continue;
			name = btf__name_by_offset(btf, var->name_off);
			if (!name || !*name || btfx__find_root(bx, name))
				continue;
			snprintf(r.name, sizeof(r.name), "%s", name);
			snprintf(r.section, sizeof(r.section), ".addr_space.1");
			r.type_id = var->type;
			r.addr = src->info.user_vm_start + base + vi->offset;
			if (btfx_add_root(bx, &r))
				return -ENOMEM;
		}
	}
	return 0;
}

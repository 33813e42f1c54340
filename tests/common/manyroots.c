// SPDX-License-Identifier: GPL-2.0
/* manyroots: see manyroots.h */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfx.h"
#include "error.h"
#include "manyroots.h"
#include "memsource.h"
#include "snapshot.h"

int manyroots_write(const char *path, int nr)
{
	static uint8_t data[MANYROOTS_PAGES * 4096], state[MANYROOTS_PAGES];
	struct arena_info ai = { .map_id = 9,
				 .max_pages = MANYROOTS_PAGES,
				 .user_vm_start = MANYROOTS_BASE,
				 .user_vm_end = MANYROOTS_BASE + MANYROOTS_PAGES * 4096ULL };
	struct root r = { .kind = ROOT_MAP_PTR, .btf_idx = 0 };
	struct source *src = NULL;
	struct btfx *bx = NULL;
	struct btf *btf;
	int err;

	snprintf(ai.name, sizeof(ai.name), "manyroots");
	memset(state, PAGE_ALLOCATED, sizeof(state));
	btf = btf__new_empty();
	if (!btf)
		return ai_err(ENOMEM, "out of memory");
	r.type_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	err = memsource__new(&ai, data, state, &src);
	if (!err)
		err = btfx__new_from_btf(src, btf, &bx); /* takes btf, also on error */
	else
		btf__free(btf);
	snprintf(r.section, sizeof(r.section), ".bss");
	for (int i = 0; !err && i < nr; i++) {
		snprintf(r.name, sizeof(r.name), "root%05d", i);
		r.value = manyroots_value(i);
		err = btfx__add_root(bx, &r);
	}
	if (!err)
		err = snapshot__write(src, bx, path);
	btfx__free(bx);
	source__close(src);
	return err;
}

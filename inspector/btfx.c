// SPDX-License-Identifier: GPL-2.0
/*
 * btfx: find the BTF of an arena and the roots into it, and own them (the
 * btfx object, its getters). Looking types up by name is btfx_types.c's,
 * placing the __arena globals btfx_globals.c's.
 *
 * Arenas carry no BTF of their own (map btf_id is 0), so the types come from
 * the programs that use the arena, from a file, or from a snapshot. Roots
 * come from two places:
 *
 *  - __arena globals: libbpf >= 1.4 copies DATASEC ".addr_space.1" into the
 *    arena, at offset 0 or at the end (btfx_globals.c decides which);
 *  - .bss/.data/.rodata variables of the same programs whose value is a
 *    pointer into the arena (or a u64 inside [user_vm_start, user_vm_end)),
 *    read once from the array maps with bpf_map_lookup_elem, which changes
 *    nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "array.h"
#include "btfx_priv.h"
#include "compat.h"
#include "error.h"

static uint64_t next_serial;

/* Take ownership of btf; keep a copy of its raw bytes for snapshots. */
static int add_btf_labeled(struct btfx *bx, struct btf *btf, uint32_t kernel_id, const char *label);

static int add_btf(struct btfx *bx, struct btf *btf, uint32_t kernel_id)
{
	char label[64];

	snprintf(label, sizeof(label), "BTF id %u (programs)", kernel_id);
	return add_btf_labeled(bx, btf, kernel_id, kernel_id ? label : "BTF");
}

static int add_btf_labeled(struct btfx *bx, struct btf *btf, uint32_t kernel_id, const char *label)
{
	struct blob *n;
	const void *raw;
	uint32_t sz = 0;

	n = realloc(bx->blobs, (bx->nr_blobs + 1) * sizeof(*n));
	if (!n) {
		btf__free(btf);
		return ai_err(ENOMEM, "out of memory");
	}
	bx->blobs = n;
	n = &bx->blobs[bx->nr_blobs];
	memset(n, 0, sizeof(*n));
	raw = btf__raw_data(btf, &sz);
	if (raw && sz) {
		n->raw = malloc(sz);
		if (!n->raw) {
			btf__free(btf);
			return ai_err(ENOMEM, "out of memory");
		}
		memcpy(n->raw, raw, sz);
		n->raw_size = sz;
	}
	n->label = strdup(label);
	if (!n->label) {
		free(n->raw);
		btf__free(btf);
		return ai_err(ENOMEM, "out of memory");
	}
	n->btf = btf;
	n->kernel_id = kernel_id;
	bx->nr_blobs++;
	return 0;
}

/* The kernel BTF object id, loaded once per btfx. Returns the blob index. */
static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap);

/*
 * A program's BTF by kernel id. Done by hand rather than with
 * btf__load_from_kernel_by_id so that the buffer the kernel fills is one we
 * zeroed first: memory checkers cannot see the kernel's write.
 */
static struct btf *btf_from_kernel(uint32_t id)
{
	struct bpf_btf_info info;
	__u32 len = sizeof(info);
	struct btf *btf = NULL;
	void *buf = NULL;
	int fd = bpf_btf_get_fd_by_id(id), err;

	if (fd < 0)
		return NULL;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		goto out;
	buf = calloc(1, info.btf_size ? info.btf_size : 1);
	if (!buf)
		goto out;
	len = sizeof(info);
	err = info.btf_size;
	memset(&info, 0, sizeof(info));
	info.btf = (uintptr_t)buf;
	info.btf_size = err;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		goto out;
	btf = btf__new(buf, info.btf_size); /* NULL and errno on error */
out:
	err = errno;
	free(buf);
	close(fd);
	errno = err;
	return btf;
}

static int get_kernel_btf(struct btfx *bx, uint32_t id)
{
	libbpf_print_fn_t old;
	struct btf *btf;
	int err;

	for (int i = 0; i < bx->nr_blobs; i++)
		if (bx->blobs[i].kernel_id == id)
			return i;
	old = libbpf_set_print(quiet_print);
	btf = btf_from_kernel(id);
	err = errno;
	libbpf_set_print(old);
	if (!btf)
		return err ? -err : -ENOENT;
	err = add_btf(bx, btf, id);
	return err ? err : bx->nr_blobs - 1;
}

static size_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ULL;
	return h ^ (h >> 29);
}

/* The slot of name in the index: its root's, or the empty one where it
 * would go. The index is never full (see add_root). */
static int *root_slot(const struct btfx *bx, const char *name)
{
	size_t mask = bx->cap_root_idx - 1;

	for (size_t i = name_hash(name) & mask;; i = (i + 1) & mask) {
		int *slot = &bx->root_idx[i];

		if (!*slot || !strcmp(bx->roots[*slot - 1].name, name))
			return slot;
	}
}

static int root_index_grow(struct btfx *bx, size_t need)
{
	size_t cap = bx->cap_root_idx ? bx->cap_root_idx : 64;
	int *old = bx->root_idx;

	while (cap < 2 * need)
		cap *= 2;
	if (cap == bx->cap_root_idx)
		return 0;
	bx->root_idx = calloc(cap, sizeof(*bx->root_idx));
	if (!bx->root_idx) {
		bx->root_idx = old;
		return ai_err(ENOMEM, "out of memory");
	}
	bx->cap_root_idx = cap;
	free(old);
	for (int i = 0; i < bx->nr_roots; i++)
		*root_slot(bx, bx->roots[i].name) = i + 1;
	return 0;
}

/* A root whose name is taken replaces the one there, in its place. */
int btfx_add_root(struct btfx *bx, const struct root *r)
{
	int *slot;

	if (root_index_grow(bx, bx->nr_roots + 1))
		return -ENOMEM;
	slot = root_slot(bx, r->name);
	if (*slot) {
		bx->roots[*slot - 1] = *r;
		return 0;
	}
	if (ai_reserve((void **)&bx->roots, &bx->cap_roots, bx->nr_roots + 1, sizeof(*r)))
		return -ENOMEM;
	bx->roots[bx->nr_roots++] = *r;
	*slot = bx->nr_roots;
	return 0;
}

int btfx_add_var(struct btfx *bx, const struct map_var *v)
{
	struct map_var *o;
	uint8_t *data;

	for (int i = 0; i < bx->nr_vars; i++)
		if (bx->vars[i].map_id && bx->vars[i].map_id == v->map_id &&
		    !strcmp(bx->vars[i].name, v->name))
			return 0; /* a map several programs share */
	if (v->size > BTFX_VARS_MAX_BYTES - bx->var_bytes) {
		bx->vars_cut = true;
		return 0;
	}
	if ((size_t)bx->nr_vars == bx->cap_vars) {
		size_t cap = bx->cap_vars ? bx->cap_vars * 2 : 16;
		struct map_var *n = realloc(bx->vars, cap * sizeof(*n));

		if (!n)
			return ai_err(ENOMEM, "out of memory");
		bx->vars = n;
		bx->cap_vars = cap;
	}
	data = malloc(v->size ? v->size : 1);
	if (!data)
		return ai_err(ENOMEM, "out of memory");
	memcpy(data, v->data, v->size);
	o = &bx->vars[bx->nr_vars++];
	*o = *v;
	o->name[sizeof(o->name) - 1] = '\0';
	o->section[sizeof(o->section) - 1] = '\0';
	o->data = data;
	bx->var_bytes += v->size;
	return 0;
}

int btfx__add_root(struct btfx *bx, const struct root *r)
{
	struct root c = *r;
	int idx;

	if (c.btf)
		idx = btfx_blob_of(bx, c.btf);
	else
		idx = c.btf_idx;
	if (idx < 0 || idx >= bx->nr_blobs)
		return ai_err(EINVAL, "root '%.64s' names a BTF object that was not loaded",
			      r->name);
	c.btf = bx->blobs[idx].btf;
	c.btf_idx = idx;
	if (!btf__type_by_id(c.btf, c.type_id))
		return ai_err(EINVAL, "root '%.64s' has an invalid type id %u", r->name,
			      r->type_id);
	c.name[sizeof(c.name) - 1] = '\0';
	c.section[sizeof(c.section) - 1] = '\0';
	return btfx_add_root(bx, &c);
}

/* ------------------------------------------------------------ programs and maps */

static bool prog_uses_map(int fd, uint32_t map_id, struct bpf_prog_info *pi, uint32_t *ids,
			  uint32_t max_ids)
{
	__u32 len = sizeof(*pi);

	/* kernel 6.18 keeps fields it does not fill: always start from zero */
	memset(pi, 0, sizeof(*pi));
	pi->nr_map_ids = max_ids;
	pi->map_ids = (uintptr_t)ids;
	if (bpf_obj_get_info_by_fd(fd, pi, &len))
		return false;
	for (uint32_t i = 0; i < pi->nr_map_ids && i < max_ids; i++)
		if (ids[i] == map_id)
			return true;
	return false;
}

/* Arena offsets that appear as ld_imm64 constants in the xlated program:
 * user_vm_start + off (or a map-value reference to the arena, + off). */
static void scan_xlated(struct btfx *bx, int fd, uint32_t xlated_len)
{
	struct bpf_prog_info pi;
	struct bpf_insn *insns;
	uint64_t lo = bx->src->info.user_vm_start, size = btfx_arena_size(bx->src);
	__u32 len = sizeof(pi);
	uint32_t n;

	if (!xlated_len || xlated_len > (64u << 20) || !lo)
		return;
	insns = calloc(1, xlated_len); /* zeroed: valgrind cannot see the kernel fill it */
	if (!insns)
		return;
	memset(&pi, 0, sizeof(pi));
	pi.xlated_prog_len = xlated_len;
	pi.xlated_prog_insns = (uintptr_t)insns;
	if (bpf_obj_get_info_by_fd(fd, &pi, &len) || pi.xlated_prog_len > xlated_len) {
		free(insns);
		return;
	}
	n = pi.xlated_prog_len / sizeof(*insns);
	for (uint32_t i = 0; i + 1 < n; i++) {
		uint64_t v, off;

		if (insns[i].code != (BPF_LD | BPF_DW | BPF_IMM))
			continue;
		v = (uint32_t)insns[i].imm | ((uint64_t)(uint32_t)insns[i + 1].imm << 32);
		if (insns[i].src_reg == 0 && v >= lo && v - lo < size)
			off = v - lo;
		else if (insns[i].src_reg == BPF_PSEUDO_MAP_VALUE &&
			 (uint32_t)insns[i].imm == bx->src->info.map_id)
			off = (uint32_t)insns[i + 1].imm;
		else {
			i++;
			continue;
		}
		i++;
		if (bx->nr_insn_offs < 4096) { /* offsets kept, a cap: not a page */
			uint64_t *o = realloc(bx->insn_offs, (bx->nr_insn_offs + 1) * sizeof(*o));

			if (!o)
				break;
			bx->insn_offs = o;
			bx->insn_offs[bx->nr_insn_offs++] = off;
		}
	}
	free(insns);
}

static bool is_data_section(const char *name)
{
	static const char *const pfx[] = { ".bss", ".data", ".rodata" };

	for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
		size_t l = strlen(pfx[i]);

		if (!strncmp(name, pfx[i], l) && (name[l] == '\0' || name[l] == '.'))
			return true;
	}
	return false;
}

static bool map_name_is_data(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot && is_data_section(dot);
}

/* One .bss/.data/.rodata map: roots for its pointers into the arena.
 * *read: its variables were read (check sees what it holds). */
static int map_roots(struct btfx *bx, uint32_t map_id, bool *read)
{
	struct source *src = bx->src;
	struct bpf_map_info mi;
	__u32 len = sizeof(mi);
	const struct btf_type *sec;
	const struct btf_var_secinfo *vi;
	const struct btf *btf;
	const char *secname;
	uint8_t *val = NULL;
	uint32_t key = 0;
	int fd, b, err = 0;

	*read = false;
	fd = bpf_map_get_fd_by_id(map_id);
	if (fd < 0)
		return 0;
	memset(&mi, 0, sizeof(mi));
	if (bpf_obj_get_info_by_fd(fd, &mi, &len) || mi.type != BPF_MAP_TYPE_ARRAY || !mi.btf_id ||
	    !mi.btf_value_type_id || !mi.value_size || mi.value_size > (64u << 20) ||
	    !map_name_is_data(mi.name))
		goto out;
	b = get_kernel_btf(bx, mi.btf_id);
	if (b < 0)
		goto out;
	btf = bx->blobs[b].btf;
	sec = btf__type_by_id(btf, mi.btf_value_type_id);
	if (!sec || !btf_is_datasec(sec))
		goto out;
	secname = btf__name_by_offset(btf, sec->name_off);
	if (!secname || !is_data_section(secname))
		goto out;
	val = calloc(1, mi.value_size);
	if (!val) {
		err = ai_err(ENOMEM, "out of memory");
		goto out;
	}
	if (bpf_map_lookup_elem(fd, &key, val))
		goto out;
	*read = true;
	vi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec) && !err; i++, vi++) {
		const struct btf_type *var = btf__type_by_id(btf, vi->type);
		struct map_var v = { .btf = btf, .btf_idx = b, .map_id = map_id };
		const char *name;

		if (!var || !btf_is_var(var) || !vi->size ||
		    (uint64_t)vi->offset + vi->size > mi.value_size)
			continue;
		name = btf__name_by_offset(btf, var->name_off);
		if (!name || !*name)
			continue;
		snprintf(v.name, sizeof(v.name), "%s", name);
		snprintf(v.section, sizeof(v.section), "%s", secname);
		v.type_id = var->type;
		v.size = vi->size;
		v.data = val + vi->offset;
		err = btfx_add_var(bx, &v);
	}
	vi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec) && !err; i++, vi++) {
		const struct btf_type *var = btf__type_by_id(btf, vi->type), *t;
		struct root r = { .kind = ROOT_MAP_PTR, .btf = btf, .btf_idx = b };
		const char *name;
		uint64_t v;
		bool ok;

		if (!var || !btf_is_var(var) || vi->size != 8 || vi->offset + 8ULL > mi.value_size)
			continue;
		t = btf__type_by_id(btf, btfx_skip_mods(btf, var->type));
		if (!t)
			continue;
		memcpy(&v, val + vi->offset, 8);
		if (btf_is_ptr(t))
			ok = source__contains(src, v, 1);
		else if (btf_is_int(t) && t->size == 8)
			ok = src->info.user_vm_end
				     ? v >= src->info.user_vm_start && v < src->info.user_vm_end
				     : source__contains(src, v, 1);
		else
			ok = false;
		name = btf__name_by_offset(btf, var->name_off);
		if (!ok || !name || !*name || btfx__find_root(bx, name))
			continue;
		snprintf(r.name, sizeof(r.name), "%s", name);
		snprintf(r.section, sizeof(r.section), "%s", secname);
		r.type_id = var->type;
		r.value = v;
		if (btfx_add_root(bx, &r)) {
			err = -ENOMEM;
			break;
		}
	}
out:
	free(val);
	close(fd);
	return err;
}

#define MAX_IDS 256

/*
 * Can a map of this kind hold an arena pointer that the program put there
 * to keep an object (so that an object nothing in the arena or the data
 * sections points to is still in use)? Only where the values are data the
 * program chooses. Not: program arrays (program ids), perf event, cgroup,
 * device, CPU, XDP socket and socket maps (the kernel's objects), stack
 * traces (instruction addresses), struct_ops (the kernel's ops struct,
 * with no arena pointer member), a bloom filter (only hashes of values:
 * nothing can be read back out of it), ring buffers (records handed to
 * the other side and gone from the map; what the reader keeps is in its
 * own memory, which check cannot see in any case) and the arena itself; a
 * .kconfig array is filled by libbpf from the kernel's configuration and
 * read-only to the programs. Everything else can, map types this code
 * does not know included: hash and array maps of any flavour, per-CPU
 * ones, LPM tries, queues and stacks, task, inode, socket and cgroup
 * local storage, maps of maps (their inner maps are not even listed).
 */
static bool map_can_hold(const struct bpf_map_info *mi)
{
	const char *dot = strchr(mi->name, '.');

	switch (mi->type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_STACK_TRACE:
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
	case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
	case BPF_MAP_TYPE_STRUCT_OPS:
	case BPF_MAP_TYPE_BLOOM_FILTER:
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF:
	case AI_MAP_TYPE_ARENA: return false;
	case BPF_MAP_TYPE_ARRAY:
		return !(dot && !strcmp(dot, ".kconfig") && (mi->map_flags & BPF_F_RDONLY_PROG));
	default: return true;
	}
}

static int add_unseen(struct btfx *bx, uint32_t id, uint32_t type, const char *name)
{
	struct btfx_map *n = realloc(bx->unseen, (bx->nr_unseen + 1) * sizeof(*n));

	if (!n)
		return ai_err(ENOMEM, "out of memory");
	bx->unseen = n;
	n += bx->nr_unseen++;
	*n = (struct btfx_map){ .id = id, .type = type };
	snprintf(n->name, sizeof(n->name), "%s", name);
	return 0;
}

/* A map of the programs that map_roots did not read: recorded when it
 * can hold an arena pointer (or cannot be looked at). */
static int map_unseen(struct btfx *bx, uint32_t map_id)
{
	struct bpf_map_info mi;
	__u32 len = sizeof(mi);
	int fd = bpf_map_get_fd_by_id(map_id), err = 0;

	memset(&mi, 0, sizeof(mi));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &mi, &len))
		err = add_unseen(bx, map_id, BTFX_MAP_TYPE_UNKNOWN, "");
	else if (map_can_hold(&mi))
		err = add_unseen(bx, map_id, mi.type, mi.name);
	if (fd >= 0)
		close(fd);
	return err;
}

/* The programs that use the arena (the live source found them when it
 * opened): their BTF, the constants they hold, and their data maps.
 * Failures to look at one program (it went away, no permission) skip it:
 * no BTF is not an error. */
static int discover_programs(struct btfx *bx)
{
	const struct arena_info *ai = &bx->src->info;
	uint32_t arena_id = ai->map_id;
	uint32_t *maps = NULL, nr_maps = 0, cap_maps = 0;
	uint32_t *ids;
	int err = 0;

	ids = calloc(MAX_IDS, sizeof(*ids));
	if (!ids)
		return ai_err(ENOMEM, "out of memory");
	/* the source lists at most 64 programs: with 64 there may be more */
	bx->maps_known = ai->nr_progs < sizeof(ai->prog_ids) / sizeof(ai->prog_ids[0]);
	for (uint32_t p = 0; p < ai->nr_progs; p++) {
		struct bpf_prog_info pi;
		int fd = bpf_prog_get_fd_by_id(ai->prog_ids[p]);

		if (fd < 0) { /* gone, or not ours to see: its maps are unknown */
			bx->maps_known = false;
			continue;
		}
		if (!prog_uses_map(fd, arena_id, &pi, ids, MAX_IDS)) {
			bx->maps_known = false;
			close(fd);
			continue;
		}
		if (pi.nr_map_ids > MAX_IDS)
			bx->maps_known = false;
		if (pi.btf_id)
			get_kernel_btf(bx, pi.btf_id);
		for (uint32_t i = 0; i < pi.nr_map_ids && i < MAX_IDS; i++) {
			bool seen = ids[i] == arena_id;

			for (uint32_t j = 0; j < nr_maps && !seen; j++)
				seen = maps[j] == ids[i];
			if (seen)
				continue;
			if (nr_maps == cap_maps) {
				uint32_t *n =
					realloc(maps, (cap_maps ? cap_maps * 2 : 16) * sizeof(*n));

				if (!n) {
					err = ai_err(ENOMEM, "out of memory");
					close(fd);
					goto out;
				}
				maps = n;
				cap_maps = cap_maps ? cap_maps * 2 : 16;
			}
			maps[nr_maps++] = ids[i];
		}
		scan_xlated(bx, fd, pi.xlated_prog_len);
		close(fd);
	}
	for (uint32_t i = 0; i < nr_maps && !err; i++) {
		bool read;

		err = map_roots(bx, maps[i], &read);
		if (!err && !read)
			err = map_unseen(bx, maps[i]);
	}
out:
	free(maps);
	free(ids);
	return err;
}

/* ------------------------------------------------------------ open */

static struct btfx *btfx_alloc(struct source *src)
{
	struct btfx *bx = calloc(1, sizeof(*bx));

	if (!bx)
		return NULL;
	bx->src = src;
	bx->placement = BTFX_GLOBALS_NONE;
	bx->serial = __atomic_add_fetch(&next_serial, 1, __ATOMIC_RELAXED);
	return bx;
}

/*
 * libbpf reports why a parse failed through its print callback (stderr by
 * default). The library must not print, so while parsing the callback is
 * swapped for one that keeps the last warning for our own message. The
 * callback is process-wide: btfx__open is not meant to race with other
 * libbpf users in another thread.
 */
static __thread char libbpf_msg[160];

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[sizeof(libbpf_msg)];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	memcpy(libbpf_msg, buf, sizeof(buf));
	return 0;
}

static int load_file(struct btfx *bx, const char *path)
{
	libbpf_print_fn_t old;
	struct btf *btf;
	int err;

	if (access(path, R_OK))
		return ai_err(errno, "%s: %s", path, strerror(errno));
	libbpf_msg[0] = '\0';
	old = libbpf_set_print(quiet_print);
	btf = btf__parse(path, NULL);
	err = errno;
	libbpf_set_print(old);
	if (!btf) {
		if (err == ENOENT)
			return ai_err(EINVAL, "%s: no .BTF section in this ELF object", path);
		return ai_err(EINVAL, "%s: not a valid BTF file or ELF object with BTF (%s)", path,
			      libbpf_msg[0] ? libbpf_msg : strerror(err ? err : EINVAL));
	}
	{
		char label[300];

		snprintf(label, sizeof(label), "--btf %s", path);
		return add_btf_labeled(bx, btf, 0, label);
	}
}

static struct btf *quiet_btf_new(const void *data, size_t size)
{
	libbpf_print_fn_t old = libbpf_set_print(quiet_print);
	struct btf *btf = btf__new(data, size);

	libbpf_set_print(old);
	return btf;
}

static int load_snapshot(struct btfx *bx)
{
	struct source *src = bx->src;
	const void **blobs = NULL;
	const size_t *sizes = NULL;
	const struct root *roots = NULL;
	int n = 0, base = bx->nr_blobs, err;

	if (!src->ops->btf_blobs)
		return 0;
	err = src->ops->btf_blobs(src, &blobs, &sizes, &n);
	if (err)
		return err;
	for (int i = 0; i < n; i++) {
		struct btf *btf;

		char label[64];

		if (sizes[i] > UINT32_MAX || !(btf = quiet_btf_new(blobs[i], sizes[i])))
			return ai_err(EINVAL, "BTF blob %d of the snapshot is malformed", i);
		if (src->ops->btf_label && src->ops->btf_label(src, i))
			snprintf(label, sizeof(label), "%s", src->ops->btf_label(src, i));
		else
			snprintf(label, sizeof(label), "snapshot BTF blob %d", i);
		err = add_btf_labeled(bx, btf, 0, label);
		if (err)
			return err;
	}
	if (src->ops->vars) {
		const struct map_var *vars = NULL;
		int nv = 0;

		err = src->ops->vars(src, &vars, &nv);
		for (int i = 0; !err && i < nv; i++) {
			struct map_var v = vars[i];

			if (v.btf_idx < 0 || v.btf_idx >= bx->nr_blobs - base)
				return ai_err(EINVAL,
					      "snapshot variable '%.64s' names BTF blob %d of %d",
					      v.name, v.btf_idx, bx->nr_blobs - base);
			v.btf_idx += base;
			v.btf = bx->blobs[v.btf_idx].btf;
			err = btfx_add_var(bx, &v);
		}
		if (err)
			return err;
	}
	if (src->ops->maps) {
		const struct btfx_map *maps = NULL;
		int nm = 0;

		/* -ENOENT: the source does not know (an older snapshot) */
		err = src->ops->maps(src, &maps, &nm);
		if (!err)
			err = btfx__set_unseen_maps(bx, maps, nm, true);
		else if (err == -ENOENT)
			err = 0;
		if (err)
			return err;
	}
	if (!src->ops->roots)
		return 0;
	err = src->ops->roots(src, &roots, &n);
	if (err)
		return err;
	for (int i = 0; i < n; i++) {
		struct root r = roots[i];

		r.btf = NULL;
		if (r.btf_idx < 0 || r.btf_idx >= bx->nr_blobs - base)
			return ai_err(EINVAL, "snapshot root '%.64s' names BTF blob %d of %d",
				      r.name, r.btf_idx, bx->nr_blobs - base);
		r.btf_idx += base;
		err = btfx__add_root(bx, &r);
		if (err)
			return err;
	}
	return 0;
}

int btfx__open(struct source *src, const char *btf_file, struct btfx **out)
{
	struct btfx *bx = btfx_alloc(src);
	/* a remote arena's programs are on its host: its BTF comes with it */
	bool snapshot = src->info.is_snapshot || !src->info.map_id || src->info.host[0];
	int err = 0;

	*out = NULL;
	if (!bx)
		return ai_err(ENOMEM, "out of memory");
	if (btf_file)
		err = load_file(bx, btf_file);
	if (!err)
		err = load_snapshot(bx);
	if (!err && !snapshot)
		err = discover_programs(bx);
	if (!err)
		err = btfx_find_arena_globals(bx);
	if (err) {
		btfx__free(bx);
		return err;
	}
	*out = bx;
	return 0;
}

int btfx__new_from_btf(struct source *src, struct btf *btf, struct btfx **out)
{
	struct btfx *bx = btfx_alloc(src);
	int err;

	*out = NULL;
	if (!bx) {
		btf__free(btf);
		return ai_err(ENOMEM, "out of memory");
	}
	err = add_btf(bx, btf, 0);
	if (!err)
		err = btfx_find_arena_globals(bx);
	if (err) {
		btfx__free(bx);
		return err;
	}
	*out = bx;
	return 0;
}

void btfx__free(struct btfx *bx)
{
	if (!bx)
		return;
	/* split BTFs first: they refer to their bases */
	for (int i = 0; i < bx->nr_blobs; i++) {
		btf__free(bx->blobs[i].ext);
		btf__free(bx->blobs[i].btf);
		free(bx->blobs[i].raw);
		free(bx->blobs[i].label);
	}
	for (int i = 0; i < bx->nr_notes; i++)
		free(bx->notes[i]);
	free(bx->notes);
	for (int i = 0; i < bx->nr_vars; i++)
		free((void *)bx->vars[i].data);
	free(bx->vars);
	free(bx->unseen);
	free(bx->fc);
	btf__free(bx->builtin);
	free(bx->blobs);
	free(bx->roots);
	free(bx->root_idx);
	free(bx->pc);
	free(bx->insn_offs);
	free(bx);
}

/* ------------------------------------------------------------ getters */

int btfx__nr_vars(const struct btfx *bx)
{
	return bx ? bx->nr_vars : 0;
}

const struct map_var *btfx__var(const struct btfx *bx, int i)
{
	return bx && i >= 0 && i < bx->nr_vars ? &bx->vars[i] : NULL;
}

const struct map_var *btfx__find_var(const struct btfx *bx, const char *name)
{
	for (int i = 0; bx && i < bx->nr_vars; i++)
		if (!strcmp(bx->vars[i].name, name))
			return &bx->vars[i];
	return NULL;
}

bool btfx__vars_cut(const struct btfx *bx)
{
	return bx && bx->vars_cut;
}

bool btfx__maps_known(const struct btfx *bx)
{
	return bx && bx->maps_known;
}

int btfx__nr_unseen_maps(const struct btfx *bx)
{
	return bx ? bx->nr_unseen : 0;
}

const struct btfx_map *btfx__unseen_map(const struct btfx *bx, int i)
{
	return bx && i >= 0 && i < bx->nr_unseen ? &bx->unseen[i] : NULL;
}

int btfx__set_unseen_maps(struct btfx *bx, const struct btfx_map *maps, int n, bool known)
{
	struct btfx_map *m = NULL;

	if (n > 0) {
		m = malloc((size_t)n * sizeof(*m));
		if (!m)
			return ai_err(ENOMEM, "out of memory");
		memcpy(m, maps, (size_t)n * sizeof(*m));
		for (int i = 0; i < n; i++)
			m[i].name[sizeof(m[i].name) - 1] = '\0';
	}
	free(bx->unseen);
	bx->unseen = m;
	bx->nr_unseen = n > 0 ? n : 0;
	bx->maps_known = known;
	return 0;
}

const char *btfx__map_type_name(uint32_t type, char *buf, size_t len)
{
	const char *s = type == BTFX_MAP_TYPE_UNKNOWN ? "unknown"
			: type == 32		      ? "cgrp_storage"
			: type == AI_MAP_TYPE_ARENA   ? "arena"
						      : libbpf_bpf_map_type_str(type);

	if (s)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "map type %u", type);
	return buf;
}

int btfx__nr_btfs(const struct btfx *bx)
{
	return bx ? bx->nr_blobs : 0;
}

const struct btf *btfx__btf(const struct btfx *bx, int i)
{
	return bx && i >= 0 && i < bx->nr_blobs ? bx->blobs[i].btf : NULL;
}

const void *btfx__btf_raw(const struct btfx *bx, int i, uint32_t *size)
{
	if (!bx || i < 0 || i >= bx->nr_blobs) {
		*size = 0;
		return NULL;
	}
	*size = bx->blobs[i].raw_size;
	return bx->blobs[i].raw;
}

int btfx__nr_roots(const struct btfx *bx)
{
	return bx ? bx->nr_roots : 0;
}

const struct root *btfx__root(const struct btfx *bx, int i)
{
	return bx && i >= 0 && i < bx->nr_roots ? &bx->roots[i] : NULL;
}

const struct root *btfx__find_root(const struct btfx *bx, const char *name)
{
	const int *slot;

	if (!bx || !bx->nr_roots)
		return NULL;
	slot = root_slot(bx, name);
	return *slot ? &bx->roots[*slot - 1] : NULL;
}

int btfx__globals_placement(const struct btfx *bx)
{
	return bx ? bx->placement : BTFX_GLOBALS_NONE;
}

const char *btfx__btf_label(const struct btfx *bx, int i)
{
	return bx && i >= 0 && i < bx->nr_blobs ? bx->blobs[i].label : NULL;
}

bool btfx__btf_is_types(const struct btfx *bx, int i)
{
	return bx && i >= 0 && i < bx->nr_blobs && bx->blobs[i].types;
}

int btfx__nr_notes(const struct btfx *bx)
{
	return bx ? bx->nr_notes : 0;
}

const char *btfx__note(const struct btfx *bx, int i)
{
	return bx && i >= 0 && i < bx->nr_notes ? bx->notes[i] : NULL;
}

int btfx__add_types(struct btfx *bx, struct btf *btf, const char *label)
{
	int err = add_btf_labeled(bx, btf, 0, label ? label : "--types");

	if (err)
		return err;
	bx->blobs[bx->nr_blobs - 1].types = true;
	/* names may resolve differently now: caches keyed by the serial
	 * (expr's resolved type names) start again; completions too */
	bx->serial = __atomic_add_fetch(&next_serial, 1, __ATOMIC_RELAXED);
	bx->nr_fc = 0;
	return btfx_note_conflicts(bx, bx->nr_blobs - 1);
}

uint64_t btfx__serial(const struct btfx *bx)
{
	return bx ? bx->serial : 0;
}

void btfx__set_history(struct btfx *bx, const struct expr_history *h)
{
	if (bx)
		bx->history = h;
}

const struct expr_history *btfx__history(const struct btfx *bx)
{
	return bx ? bx->history : NULL;
}

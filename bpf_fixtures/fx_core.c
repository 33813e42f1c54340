// SPDX-License-Identifier: GPL-2.0
/*
 * Creating, mapping, loading and pinning a fixture arena, and the load and
 * unload commands. The libbpf 1.1 recipe (ARENA_FACTS.md): create the arena
 * ourselves with map_extra, mmap it so the verifier sees a user address,
 * reuse its fd in the object, then load.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/magic.h>

#include "compat.h"
#include "fx_loader.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

int fx_err(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("arena-fixture: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return err < 0 ? err : -EINVAL;
}

/* ---- libbpf messages: kept, shown when something failed ---- */
static char libbpf_log[1 << 16];
static size_t libbpf_log_len;
static bool libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (libbpf_verbose)
		return vfprintf(stderr, fmt, ap);
	if (level > LIBBPF_WARN)
		return 0;
	/* keep the newest half when full: the verifier's verdict is at the end */
	if (libbpf_log_len > sizeof(libbpf_log) - 1024) {
		size_t keep = sizeof(libbpf_log) / 2;

		memmove(libbpf_log, libbpf_log + libbpf_log_len - keep, keep);
		libbpf_log_len = keep;
	}
	n = vsnprintf(libbpf_log + libbpf_log_len, sizeof(libbpf_log) - libbpf_log_len, fmt, ap);
	if (n > 0)
		libbpf_log_len += (size_t)n < sizeof(libbpf_log) - libbpf_log_len
					  ? (size_t)n
					  : sizeof(libbpf_log) - libbpf_log_len - 1;
	return n;
}

void fx_libbpf_capture(void)
{
	libbpf_verbose = getenv("ARENA_FIXTURE_VERBOSE") != NULL;
	libbpf_set_print(libbpf_print);
}

void fx_libbpf_dump(void)
{
	if (libbpf_log_len)
		fwrite(libbpf_log, 1, libbpf_log_len, stderr);
	libbpf_log_len = 0;
}

/* ---- paths and bpffs ---- */
int fx_pin_path(char *buf, size_t len, const char *pin, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", pin, name) >= len)
		return fx_err(-ENAMETOOLONG, "pin path %s/%s is too long", pin, name);
	return 0;
}

int fx_check_bpffs(const char *pin)
{
	char dir[PATH_MAX];
	struct statfs st;
	char *slash;

	if (pin[0] != '/')
		return fx_err(-EINVAL, "pin dir '%s' must be an absolute path", pin);
	if (strlen(pin) >= sizeof(dir))
		return fx_err(-ENAMETOOLONG, "pin dir '%s' is too long", pin);
	strcpy(dir, pin);
	/* the nearest existing ancestor decides which filesystem we pin on */
	while (statfs(dir, &st) != 0) {
		if (errno != ENOENT)
			return fx_err(-errno, "cannot check %s: %s", dir, strerror(errno));
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return fx_err(-ENOENT, "%s is not on a BPF filesystem", pin);
		*slash = '\0';
	}
	if ((unsigned long)st.f_type != BPF_FS_MAGIC)
		return fx_err(-ENOTSUP,
			      "%s is not on a BPF filesystem (bpffs not mounted? try: mount -t bpf "
			      "bpf /sys/fs/bpf)",
			      pin);
	return 0;
}

/* 0 when BPF arenas can be created here, else the one clear message */
static int fx_check_bpf(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);
	int fd = bpf_map_create(AI_MAP_TYPE_ARENA, "afx_probe", 0, 0, 1, &o);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EPERM || errno == EACCES)
		return fx_err(-EPERM, FX_EPERM_MSG);
	if (errno == EINVAL)
		return fx_err(-EOPNOTSUPP, "this kernel cannot create BPF arena maps (type 33): %s",
			      strerror(errno));
	return fx_err(-errno, "cannot create a BPF arena map: %s", strerror(errno));
}

static int mkdir_p(const char *path, bool *created)
{
	char buf[PATH_MAX];

	*created = false;
	if (strlen(path) >= sizeof(buf))
		return fx_err(-ENAMETOOLONG, "pin dir '%s' is too long", path);
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return fx_err(-errno, "cannot create %s: %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0755) == 0)
		*created = true;
	else if (errno != EEXIST)
		return fx_err(-errno, "cannot create %s: %s", buf, strerror(errno));
	return 0;
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return true;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			empty = false;
			break;
		}
	}
	closedir(d);
	return empty;
}

/* ---- the arena ---- */
int fx_arena_load(struct fx *fx, struct bpf_object_skeleton *s, struct bpf_map *arena)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int err;

#if AI_LIBBPF_HANDLES_ARENA
	/* libbpf >= 1.4 creates and maps the arena itself */
	size_t sz = 0;

	bpf_map__set_max_entries(arena, fx->pages);
	if (fx->map_extra)
		bpf_map__set_map_extra(arena, fx->map_extra);
	err = bpf_object__load_skeleton(s);
	if (err) {
		fx_libbpf_dump();
		return fx_err(err, "cannot load scenario %s: %s", fx->sc->name, strerror(-err));
	}
	fx->arena_fd = dup(bpf_map__fd(arena));
	fx->base = (void *)bpf_map__initial_value(arena, &sz); /* const before 1.3 */
	if (fx->arena_fd < 0 || !fx->base)
		return fx_err(-EINVAL, "libbpf did not map the arena of scenario %s", fx->sc->name);
#else
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE,
		    .map_extra = fx->map_extra);
	char name[16];
	void *want = (void *)(uintptr_t)fx->map_extra;
	int flags = MAP_SHARED | (want ? MAP_FIXED_NOREPLACE : 0);

	snprintf(name, sizeof(name), "%s_arena", fx->sc->name);
	fx->arena_fd = bpf_map_create(AI_MAP_TYPE_ARENA, name, 0, 0, fx->pages, &o);
	if (fx->arena_fd < 0) {
		if (errno == EPERM || errno == EACCES)
			return fx_err(-EPERM, FX_EPERM_MSG);
		return fx_err(-errno, "cannot create the arena of scenario %s: %s", fx->sc->name,
			      strerror(errno));
	}
	fx->base = mmap(want, (size_t)fx->pages * FX_PAGE_SIZE, PROT_READ | PROT_WRITE, flags,
			fx->arena_fd, 0);
	if (fx->base == MAP_FAILED) {
		fx->base = NULL;
		return fx_err(-errno, "cannot map the arena of scenario %s at %p: %s", fx->sc->name,
			      want, strerror(errno));
	}
	err = bpf_map__reuse_fd(arena, fx->arena_fd);
	if (err)
		return fx_err(err, "cannot hand the arena to libbpf: %s", strerror(-err));
	err = bpf_object__load_skeleton(s);
	if (err) {
		fx_libbpf_dump();
		return fx_err(err, "cannot load the programs of scenario %s: %s", fx->sc->name,
			      strerror(-err));
	}
#endif
	fx->user_vm_start = (uintptr_t)fx->base;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fx->arena_fd, &info, &len))
		return fx_err(-errno, "cannot read the arena's map info: %s", strerror(errno));
	fx->map_id = info.id;
	fx->map_flags = info.map_flags;
	snprintf(fx->map_name, sizeof(fx->map_name), "%s", info.name);
	return 0;
}

int fx_run_prog(const struct bpf_program *prog, void *ctx, size_t ctx_len, int *ret)
{
	LIBBPF_OPTS(bpf_test_run_opts, ro, .ctx_in = ctx, .ctx_size_in = ctx_len);
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &ro);

	if (err)
		return fx_err(-errno, "cannot run program %s: %s", bpf_program__name(prog),
			      strerror(errno));
	if (ret)
		*ret = (int)ro.retval;
	else if (ro.retval)
		return fx_err(-EIO, "program %s failed (returned %d)", bpf_program__name(prog),
			      (int)ro.retval);
	return 0;
}

void *fx_ptr(const struct fx *fx, __u64 uaddr, size_t len)
{
	__u64 size = (__u64)fx->pages * FX_PAGE_SIZE;

	if (uaddr < fx->user_vm_start || uaddr - fx->user_vm_start > size ||
	    len > size - (uaddr - fx->user_vm_start))
		return NULL;
	return (char *)fx->base + (uaddr - fx->user_vm_start);
}

/* ---- pins ---- */
static int fx_pin_fd(struct fx *fx, int fd, const char *name)
{
	char path[PATH_MAX];
	int err;

	if (fx->nr_pins >= FX_MAX_PINS)
		return fx_err(-E2BIG, "too many pins for one fixture");
	err = fx_pin_path(path, sizeof(path), fx->pin, name);
	if (err)
		return err;
	if (bpf_obj_pin(fd, path))
		return fx_err(-errno, "cannot pin %s: %s", path, strerror(errno));
	fx->pins[fx->nr_pins++] = strdup(path);
	return 0;
}

int fx_pin_object(struct fx *fx, struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char name[128];
	int err;

	err = fx_pin_fd(fx, fx->arena_fd, "arena");
	if (err)
		return err;
	bpf_object__for_each_map(map, obj)
	{
		const char *n = bpf_map__name(map);
		size_t l = strlen(n);

		if (l >= 4 && !strcmp(n + l - 4, ".bss")) {
			err = fx_pin_fd(fx, bpf_map__fd(map), "bss");
			if (err)
				return err;
		}
	}
	bpf_object__for_each_program(prog, obj)
	{
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		snprintf(name, sizeof(name), "prog_%s", bpf_program__name(prog));
		err = fx_pin_fd(fx, bpf_program__fd(prog), name);
		if (err)
			return err;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			return fx_err(-errno, "cannot read the info of program %s: %s",
				      bpf_program__name(prog), strerror(errno));
		if (fx->nr_progs < FX_MAX_PINS)
			fx->prog_ids[fx->nr_progs++] = info.id;
	}
	return 0;
}

int fx_pin_link(struct fx *fx, struct bpf_link *link, const char *name)
{
	char n[128];

	snprintf(n, sizeof(n), "link_%s", name);
	return fx_pin_fd(fx, bpf_link__fd(link), n);
}

void fx_unpin_all(struct fx *fx)
{
	while (fx->nr_pins > 0) {
		char *p = fx->pins[--fx->nr_pins];

		unlink(p);
		free(p);
	}
}

int fx_open_pinned_arena(const char *pin, struct bpf_map_info *info)
{
	char path[PATH_MAX];
	__u32 len = sizeof(*info);
	int fd, err;

	err = fx_pin_path(path, sizeof(path), pin, "arena");
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno == ENOENT)
			return fx_err(-ENOENT, "nothing is loaded at %s (no %s)", pin, path);
		if (errno == EPERM || errno == EACCES)
			return fx_err(-EPERM, FX_EPERM_MSG);
		return fx_err(-errno, "cannot open %s: %s", path, strerror(errno));
	}
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len)) {
		err = fx_err(-errno, "cannot read the map info of %s: %s", path, strerror(errno));
		close(fd);
		return err;
	}
	if (info->type != AI_MAP_TYPE_ARENA) {
		close(fd);
		return fx_err(-EINVAL, "%s is not an arena (map type %u)", path, info->type);
	}
	return fd;
}

int fx_read_acct(const char *pin, const struct scenario *sc, struct fx_acct *acct)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info), key = 0;
	char path[PATH_MAX];
	void *val = NULL;
	int fd, err;

	err = fx_pin_path(path, sizeof(path), pin, "bss");
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return fx_err(-errno, "cannot open %s: %s", path, strerror(errno));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = fx_err(-errno, "cannot read the map info of %s: %s", path, strerror(errno));
		goto out;
	}
	if (info.value_size < sc->acct_off + sizeof(*acct)) {
		err = fx_err(-EINVAL, "%s is too small for scenario %s", path, sc->name);
		goto out;
	}
	val = calloc(1, info.value_size);
	if (!val) {
		err = fx_err(-ENOMEM, "out of memory");
		goto out;
	}
	if (bpf_map_lookup_elem(fd, &key, val)) {
		err = fx_err(-errno, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	memcpy(acct, (char *)val + sc->acct_off, sizeof(*acct));
	err = 0;
out:
	free(val);
	close(fd);
	return err;
}

/* ---- load ---- */
static void print_load_json(const struct fx *fx, const char *expect, size_t expect_len)
{
	struct jw w;

	jw_init(&w, stdout);
	jw_obj(&w);
	jw_kstr(&w, "scenario", fx->sc->name);
	jw_kstr(&w, "pin", fx->pin);
	jw_kuint(&w, "map_id", fx->map_id);
	jw_kstr(&w, "map_name", fx->map_name);
	jw_kuint(&w, "map_flags", fx->map_flags);
	jw_khex(&w, "map_extra", fx->map_extra);
	jw_khex(&w, "user_vm_start", fx->user_vm_start);
	jw_khex(&w, "user_vm_end", fx->user_vm_start + (__u64)fx->pages * FX_PAGE_SIZE);
	jw_kuint(&w, "max_pages", fx->pages);
	jw_kuint(&w, "allocated_pages", fx->acct.allocated);
	jw_kuint(&w, "reserved_pages", fx->acct.reserved);
	jw_key(&w, "prog_ids");
	jw_arr(&w);
	for (int i = 0; i < fx->nr_progs; i++)
		jw_uint(&w, fx->prog_ids[i]);
	jw_arr_end(&w);
	jw_key(&w, "expect");
	fwrite(expect, 1, expect_len, stdout);
	jw_obj_end(&w);
	fputc('\n', stdout);
	fflush(stdout);
}

int fx_cmd_load(const char *name, const char *pin)
{
	const struct scenario *sc = scenario_find(name);
	struct fx fx = { .arena_fd = -1 };
	char *buf = NULL;
	size_t len = 0;
	bool created = false;
	struct jw w;
	FILE *mem;
	int err;

	if (!sc)
		return fx_err(-ENOENT, "unknown scenario '%s' (see: arena-fixture list)", name);
	err = fx_check_bpffs(pin);
	if (err)
		return err;
	if (access(pin, F_OK) == 0 && !dir_is_empty(pin))
		return fx_err(-EBUSY, "pin dir %s is in use (arena-fixture unload --pin %s)", pin,
			      pin);
	err = fx_check_bpf();
	if (err)
		return err;
	err = mkdir_p(pin, &created);
	if (err)
		return err;

	mem = open_memstream(&buf, &len);
	if (!mem) {
		err = fx_err(-ENOMEM, "out of memory");
		goto out;
	}
	jw_init(&w, mem);
	jw_obj(&w);
	fx.sc = sc;
	fx.pin = pin;
	fx.map_extra = sc->map_extra;
	fx.pages = sc->pages;
	fx.expect = &w;
	err = sc->load(&fx);
	jw_obj_end(&w);
	if (fclose(mem) && !err)
		err = fx_err(-ENOMEM, "out of memory");
	if (!err)
		print_load_json(&fx, buf, len);
out:
	if (err) {
		fx_unpin_all(&fx);
		if (created)
			rmdir(pin);
	}
	for (int i = 0; i < fx.nr_pins; i++)
		free(fx.pins[i]);
	free(buf);
	if (fx.base)
		munmap(fx.base, (size_t)fx.pages * FX_PAGE_SIZE);
	if (fx.arena_fd >= 0)
		close(fx.arena_fd);
	return err;
}

/* ---- unload ---- */
static bool is_fixture_pin(const char *n)
{
	return !strcmp(n, "arena") || !strcmp(n, "bss") || !strncmp(n, "prog_", 5) ||
	       !strncmp(n, "link_", 5);
}

int fx_cmd_unload(const char *pin)
{
	char path[PATH_MAX];
	struct dirent *e;
	bool found = false;
	int err = 0;
	DIR *d;

	if (pin[0] != '/')
		return fx_err(-EINVAL, "pin dir '%s' must be an absolute path", pin);
	/* the daemon first: it would notice the missing pins, but later */
	if (fx_daemon_stop(pin) > 0)
		found = true;
	d = opendir(pin);
	if (!d) {
		if (errno == ENOENT && !found)
			return fx_err(-ENOENT, "nothing is loaded at %s", pin);
		if (errno == ENOENT)
			return 0;
		return fx_err(-errno, "cannot open %s: %s", pin, strerror(errno));
	}
	while ((e = readdir(d))) {
		if (!is_fixture_pin(e->d_name))
			continue;
		if (fx_pin_path(path, sizeof(path), pin, e->d_name))
			continue;
		if (unlink(path) && !err)
			err = fx_err(-errno, "cannot remove %s: %s", path, strerror(errno));
		found = true;
	}
	closedir(d);
	if (err)
		return err;
	if (!found) {
		if (dir_is_empty(pin))
			rmdir(pin); /* left over from an interrupted load */
		return fx_err(-ENOENT, "nothing is loaded at %s", pin);
	}
	if (rmdir(pin)) {
		if (errno == ENOTEMPTY)
			return fx_err(-ENOTEMPTY,
				      "removed the fixture's pins, but %s holds other files; left "
				      "it in place",
				      pin);
		return fx_err(-errno, "cannot remove %s: %s", pin, strerror(errno));
	}
	return 0;
}

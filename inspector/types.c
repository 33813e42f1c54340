// SPDX-License-Identifier: GPL-2.0
/*
 * types: BTF from the files the user gives (types.h): the API, what kind
 * of file it is, the prelude, clang-19 and pahole run without a shell.
 * The cache of what they made (and its SHA-256 keys) is types_cache.c's.
 * The BTF then joins a btfx (btfx__add_types), where forward declarations
 * are completed from it by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "btfx.h"
#include "error.h"
#include "types.h"
#include "types_priv.h"

extern char **environ;

#define CLANG "clang-19"
#define PAHOLE "pahole"
#define MAX_STDERR (64u << 10)

/* What headers written for BPF take for granted (types.h). A typedef may
 * be repeated in C11, so a header that defines them too still compiles;
 * true/false are left alone (vmlinux.h has them as an enum). */
static const char prelude[] = "/* arena-inspect --types prelude */\n"
			      "#define __arena\n"
			      "#define __arg_arena\n"
			      "#define SEC(name) __attribute__((section(name), used))\n"
			      "typedef unsigned char __u8;\n"
			      "typedef signed char __s8;\n"
			      "typedef unsigned short __u16;\n"
			      "typedef signed short __s16;\n"
			      "typedef unsigned int __u32;\n"
			      "typedef signed int __s32;\n"
			      "typedef unsigned long long __u64;\n"
			      "typedef signed long long __s64;\n"
			      "typedef _Bool bool;\n";

const char *types__kind_name(enum types_kind kind)
{
	switch (kind) {
	case TYPES_RAW_BTF: return "raw BTF";
	case TYPES_ELF_BTF: return "ELF with .BTF";
	case TYPES_DWARF: return "DWARF";
	case TYPES_C: return "C";
	}
	return "?";
}

/* ------------------------------------------------------------ tools */

/* tool's path in $PATH, and its identity (path, size, mtime): which
 * version made a cached entry, found without running it */
static int find_tool(const char *name, char *path, size_t len, struct sha256 *id)
{
	const char *p = getenv("PATH");
	struct stat st;

	if (!p || !*p)
		p = "/usr/local/bin:/usr/bin:/bin";
	while (*p) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n && snprintf(path, len, "%.*s/%s", (int)n, p, name) < (int)len &&
		    !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK)) {
			char real[PATH_MAX];

			if (id) {
				types__sha_str(id, realpath(path, real) ? real : path);
				types__sha_update(id, &st.st_size, sizeof(st.st_size));
				types__sha_update(id, &st.st_mtim, sizeof(st.st_mtim));
			}
			return 0;
		}
		p += n + (e != NULL);
	}
	return -ENOENT;
}

/* "first line of what it said" from captured stderr: clang's first line
 * with "error:", else the first non-empty line */
static void first_line(const char *text, char *out, size_t len)
{
	const char *l = strstr(text, "error:");
	const char *e;

	if (l) {
		while (l > text && l[-1] != '\n')
			l--;
	} else {
		l = text;
		while (*l == '\n')
			l++;
	}
	e = strchr(l, '\n');
	snprintf(out, len, "%.*s", e ? (int)(e - l) : (int)strlen(l), l);
	if (!*out)
		snprintf(out, len, "(it said nothing)");
}

int64_t types__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Run argv[0] (a path) with stdin and stdout on /dev/null and stderr into
 * a buffer, for at most timeout_ms (then it is killed). The child gets the
 * default signal dispositions and an empty mask: the TUI ignores SIGPIPE
 * and blocks some signals, which must not reach the compiler.
 */
static int run_tool(const char *file, char *const argv[], int timeout_ms, char *what, size_t wlen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	char *err = calloc(1, MAX_STDERR + 1);
	size_t elen = 0;
	int pfd[2], rc, status = 0;
	int64_t deadline = types__now_ms() + timeout_ms;
	bool timed_out = false;
	pid_t pid;

	if (!err)
		return ai_err(ENOMEM, "out of memory");
	if (pipe2(pfd, O_CLOEXEC)) {
		free(err);
		return ai_err(errno, "pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, file, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(pfd[1]);
	if (rc) {
		close(pfd[0]);
		free(err);
		return ai_err(rc, "cannot run %s: %s", file, strerror(rc));
	}
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int64_t left = deadline - types__now_ms();
		char tmp[4096];
		ssize_t n;

		if (left <= 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		rc = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			continue; /* a timeout: checked above */
		n = read(pfd[0], tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (elen < MAX_STDERR) {
			size_t k = MAX_STDERR - elen < (size_t)n ? MAX_STDERR - elen : (size_t)n;

			memcpy(err + elen, tmp, k);
			elen += k;
		}
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		free(err);
		return ai_err(ETIMEDOUT, "%s did not finish within %d ms (killed)", argv[0],
			      timeout_ms);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		first_line(err, what, wlen);
		free(err);
		if (WIFSIGNALED(status))
			return ai_err(ECHILD, "%s was killed by signal %d: %s", argv[0],
				      WTERMSIG(status), what);
		return ai_err(ECHILD, "%s failed: %s", argv[0], what);
	}
	free(err);
	return 0;
}

/* ------------------------------------------------------------ kinds */

static bool elf_has(int fd, bool *btf, bool *dwarf)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	*btf = *dwarf = false;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return false;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e)
		return false;
	if (elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx)) {
		elf_end(e);
		return false;
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (!strcmp(name, ".BTF"))
			*btf = true;
		else if (!strcmp(name, ".debug_info"))
			*dwarf = true;
	}
	elf_end(e);
	return true;
}

/* What path is, from its first bytes (and an ELF's sections). */
static int detect(const char *path, int fd, enum types_kind *kind)
{
	uint8_t head[4096];
	ssize_t n = pread(fd, head, sizeof(head), 0);
	bool btf, dwarf;

	if (n < 0)
		return ai_err(errno, "%s: %s", path, strerror(errno));
	if (n >= 2 && head[0] == 0x9f && head[1] == 0xeb) {
		*kind = TYPES_RAW_BTF;
		return 0;
	}
	if (n >= 4 && !memcmp(head, "\177ELF", 4)) {
		if (!elf_has(fd, &btf, &dwarf))
			return ai_err(EINVAL, "%s: not a valid ELF file", path);
		/* .BTF is read as it is (a BPF object built with -g has both) */
		if (btf) {
			*kind = TYPES_ELF_BTF;
			return 0;
		}
		if (dwarf) {
			*kind = TYPES_DWARF;
			return 0;
		}
		return ai_err(EINVAL,
			      "%s: an ELF file with neither DWARF (.debug_info) nor .BTF; build it "
			      "with -g",
			      path);
	}
	if (memchr(head, 0, n))
		return ai_err(EINVAL, "%s: not BTF, an ELF file or C source (binary data)", path);
	*kind = TYPES_C;
	return 0;
}

/* ------------------------------------------------------------ conversion */

#define MAX_ARGS 96

/* --types-cflags split at blanks into argv; only flags that say where
 * headers are and what is defined pass (no -o, no plugins) */
static int split_cflags(const char *cflags, char **words, int max, int *nr, char **store)
{
	static const char *const ok[] = { "-I",	     "-D",	 "-U",	       "-isystem",
					  "-iquote", "-include", "-idirafter", "-std=" };
	static const char *const with_arg[] = { "-I",	   "-D",       "-U",	    "-isystem",
						"-iquote", "-include", "-idirafter" };
	char *s, *save = NULL, *w;
	bool need_arg = false;

	*nr = 0;
	*store = NULL;
	if (!cflags || !*cflags)
		return 0;
	s = strdup(cflags);
	if (!s)
		return ai_err(ENOMEM, "out of memory");
	*store = s;
	for (w = strtok_r(s, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		bool good = need_arg;

		for (size_t i = 0; !good && i < sizeof(ok) / sizeof(ok[0]); i++)
			good = !strncmp(w, ok[i], strlen(ok[i]));
		if (!good)
			return ai_err(EINVAL,
				      "--types-cflags: '%s' is not passed to clang (only -I, -D, "
				      "-U, -isystem, -iquote, -idirafter, -include and -std=)",
				      w);
		if (*nr >= max)
			return ai_err(E2BIG, "--types-cflags: too many words");
		if (need_arg) {
			need_arg = false;
		} else {
			for (size_t i = 0; i < sizeof(with_arg) / sizeof(with_arg[0]); i++)
				if (!strcmp(w, with_arg[i]))
					need_arg = true;
		}
		words[(*nr)++] = w;
	}
	if (need_arg)
		return ai_err(EINVAL, "--types-cflags: '%s' needs an argument", words[*nr - 1]);
	return 0;
}

struct work {
	char dir[PATH_MAX];
	bool made;
};

static void work_done(struct work *w)
{
	static const char *const files[] = { "prelude.h", "out.o", "out.d", "out.btf" };
	char p[PATH_MAX + 16];

	if (!w->made)
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", w->dir, files[i]);
		unlink(p);
	}
	rmdir(w->dir);
}

/* A private directory for the tools' files: in the cache directory when
 * there is one (mkdtemp makes it 0700), else in $TMPDIR. */
static int work_make(struct work *w, const char *cache)
{
	const char *tmp = getenv("TMPDIR");

	int n;

	if (cache)
		n = snprintf(w->dir, sizeof(w->dir), "%s/.work-XXXXXX", cache);
	else
		n = snprintf(w->dir, sizeof(w->dir), "%s/arena-inspect-XXXXXX",
			     tmp && *tmp ? tmp : "/tmp");
	if (n < 0 || (size_t)n >= sizeof(w->dir) - 16)
		return ai_err(ENAMETOOLONG, "work directory name too long");
	if (!mkdtemp(w->dir))
		return ai_err(errno, "cannot make a work directory %s: %s", w->dir,
			      strerror(errno));
	w->made = true;
	return 0;
}

/* file names in a depfile ("out.o: a.h b\ c.h \<nl> d.h"), made absolute */
static int parse_deps(const char *dfile, const char *skip_dir, char ***deps, int *nr)
{
	char *buf, *p, name[PATH_MAX], real[PATH_MAX];
	size_t len = 0, n;
	FILE *f = fopen(dfile, "re");
	int cap = 0;

	*deps = NULL;
	*nr = 0;
	if (!f)
		return -errno;
	buf = malloc(1 << 20);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[len] = '\0';
	p = strchr(buf, ':');
	p = p ? p + 1 : buf + len;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || (*p == '\\' && p[1] == '\n'))
			p += *p == '\\' ? 2 : 1;
		if (!*p)
			break;
		n = 0;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && n < sizeof(name) - 1) {
			if (*p == '\\' && (p[1] == ' ' || p[1] == '#'))
				p++;
			else if (*p == '\\' && p[1] == '\n')
				break;
			name[n++] = *p++;
		}
		name[n] = '\0';
		if (!n)
			break;
		if (!realpath(name, real) || strchr(real, '\n') ||
		    !strncmp(real, skip_dir, strlen(skip_dir)))
			continue;
		if (*nr == cap) {
			char **nd = realloc(*deps, (cap ? cap * 2 : 16) * sizeof(*nd));

			if (!nd)
				break;
			*deps = nd;
			cap = cap ? cap * 2 : 16;
		}
		(*deps)[*nr] = strdup(real);
		if ((*deps)[*nr])
			(*nr)++;
	}
	free(buf);
	return 0;
}

static int read_btf_file(const char *path, const char *what, struct btf **out)
{
	struct btf *btf;
	int err;

	btf = btf__parse_raw(path);
	err = errno;
	if (!btf)
		return ai_err(err ? err : EINVAL, "%s: pahole wrote no valid BTF (%s)", what,
			      strerror(err ? err : EINVAL));
	if (btf__type_cnt(btf) <= 1) {
		btf__free(btf);
		return ai_err(ENOENT, "%s: no types in it", what);
	}
	*out = btf;
	return 0;
}

/* clang (for C) and pahole in work dir w: the BTF, and for C the files
 * the compile read */
static int convert(const char *path, enum types_kind kind, char **cflags, int nr_cflags,
		   const char *clang, const char *pahole, int timeout_ms, struct work *w,
		   struct btf **out, char ***deps, int *nr_deps)
{
	char pre[PATH_MAX + 16], obj[PATH_MAX + 16], dep[PATH_MAX + 16], btfp[PATH_MAX + 16];
	char enc[PATH_MAX + 40], what[512];
	char *argv[MAX_ARGS + 24];
	const char *input = path;
	int a = 0, err;

	snprintf(pre, sizeof(pre), "%s/prelude.h", w->dir);
	snprintf(obj, sizeof(obj), "%s/out.o", w->dir);
	snprintf(dep, sizeof(dep), "%s/out.d", w->dir);
	snprintf(btfp, sizeof(btfp), "%s/out.btf", w->dir);
	if (kind == TYPES_C) {
		FILE *f = fopen(pre, "wxe");

		if (!f || fputs(prelude, f) < 0 || fclose(f))
			return ai_err(EIO, "cannot write the prelude in %s", w->dir);
		argv[a++] = (char *)CLANG;
		argv[a++] = "-g";
		argv[a++] = "-O0";
		argv[a++] = "-fno-eliminate-unused-debug-types";
		argv[a++] = "-w";
		argv[a++] = "-fno-color-diagnostics";
		argv[a++] = "-include";
		argv[a++] = pre;
		for (int i = 0; i < nr_cflags; i++)
			argv[a++] = cflags[i];
		argv[a++] = "-MD";
		argv[a++] = "-MF";
		argv[a++] = dep;
		argv[a++] = "-c";
		argv[a++] = "-o";
		argv[a++] = obj;
		argv[a++] = "-x";
		argv[a++] = "c";
		argv[a++] = "--";
		argv[a++] = (char *)path;
		argv[a] = NULL;
		err = run_tool(clang, argv, timeout_ms, what, sizeof(what));
		if (err)
			return ai_err(-err, "%s: %s", path, ai_errmsg());
		input = obj;
		parse_deps(dep, w->dir, deps, nr_deps);
	}
	a = 0;
	snprintf(enc, sizeof(enc), "--btf_encode_detached=%s", btfp);
	argv[a++] = (char *)PAHOLE;
	argv[a++] = enc;
	argv[a++] = (char *)input;
	argv[a] = NULL;
	err = run_tool(pahole, argv, timeout_ms, what, sizeof(what));
	if (err)
		return ai_err(-err, "%s: %s", path, ai_errmsg());
	return read_btf_file(btfp, path, out);
}

int types__load(const char *path, const struct types_opts *opts, struct btf **out,
		struct types_info *info)
{
	struct types_info dummy;
	struct types_opts o = { 0 };
	struct sha256 key, tools;
	char key_hex[65], tools_hex[65], name[320], cache[PATH_MAX], real[PATH_MAX];
	char clang[PATH_MAX], pahole[PATH_MAX];
	char *cflags[MAX_ARGS], *cstore = NULL, **deps = NULL;
	int nr_cflags = 0, nr_deps = 0, fd, dfd = -1, err;
	bool have_tools;
	struct work w = { .made = false };
	struct stat st;

	*out = NULL;
	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (opts)
		memcpy(&o, opts, opts->sz && opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (o.timeout_ms <= 0)
		o.timeout_ms = 60000;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ai_err(errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return ai_err(EINVAL, "%s: not a regular file", path);
	}
	err = detect(path, fd, &info->kind);
	if (err) {
		close(fd);
		return err;
	}
	if (info->kind == TYPES_RAW_BTF || info->kind == TYPES_ELF_BTF) {
		struct btf *btf;

		close(fd);
		btf = btf__parse(path, NULL);
		if (!btf)
			return ai_err(EINVAL, "%s: not valid %s (%s)", path,
				      types__kind_name(info->kind),
				      strerror(errno ? errno : EINVAL));
		*out = btf;
		return 0;
	}
	if (info->kind == TYPES_C) {
		err = split_cflags(o.cflags, cflags, MAX_ARGS, &nr_cflags, &cstore);
		if (err)
			goto out_fd;
	}
	/* the key: what goes in, and the tools that would convert it */
	types__sha_init(&key);
	types__sha_str(&key, "arena-inspect types 1");
	types__sha_str(&key, types__kind_name(info->kind));
	if (info->kind == TYPES_C) {
		/* relative #includes resolve from the file's directory */
		types__sha_str(&key, realpath(path, real) ? real : path);
		for (int i = 0; i < nr_cflags; i++)
			types__sha_str(&key, cflags[i]);
		types__sha_str(&key, prelude);
	}
	err = types__sha_file(fd, &key, TYPES_MAX_INPUT);
	close(fd);
	fd = -1;
	if (err) {
		err = ai_err(-err, "%s: %s", path, err == -EFBIG ? "too big" : strerror(-err));
		goto out;
	}
	types__sha_hex(&key, key_hex);
	types__sha_init(&tools);
	have_tools = !find_tool(PAHOLE, pahole, sizeof(pahole), &tools);
	if (info->kind == TYPES_C)
		have_tools &= !find_tool(CLANG, clang, sizeof(clang), &tools);
	types__sha_hex(&tools, tools_hex);
	snprintf(name, sizeof(name), "%s-%.16s.btf", key_hex, tools_hex);

	if (!o.no_cache) {
		if (types__cache_dir(&o, cache, sizeof(cache)))
			snprintf(info->note, sizeof(info->note),
				 "cache not used: neither XDG_CACHE_HOME nor HOME is set");
		else
			dfd = types__cache_open(cache, info->note, sizeof(info->note));
	}
	if (dfd >= 0 && (have_tools || types__newest_entry(dfd, key_hex, name, sizeof(name)))) {
		size_t len = 0;
		char *buf = types__cache_read(dfd, name, &len);

		if (buf) {
			*out = types__entry_parse(buf, len);
			free(buf);
			if (*out) {
				info->cached = true;
				err = 0;
				goto out;
			}
		}
	}
	if (!have_tools) {
		err = ai_err(ENOENT, "%s: %s needs %s, which is not installed (Debian: %s)", path,
			     types__kind_name(info->kind),
			     find_tool(PAHOLE, pahole, sizeof(pahole), NULL) ? "pahole" : CLANG,
			     find_tool(PAHOLE, pahole, sizeof(pahole), NULL) ? "dwarves"
									     : "clang-19");
		goto out;
	}
	err = work_make(&w, dfd >= 0 ? cache : NULL);
	if (err)
		goto out;
	err = convert(path, info->kind, cflags, nr_cflags, clang, pahole, o.timeout_ms, &w, out,
		      &deps, &nr_deps);
	if (err)
		goto out;
	info->converted = true;
	if (dfd >= 0 && types__write_entry(dfd, name, *out, deps, nr_deps))
		snprintf(info->note, sizeof(info->note), "the converted types could not be cached");
out:
	work_done(&w);
out_fd:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	for (int i = 0; i < nr_deps; i++)
		free(deps[i]);
	free(deps);
	free(cstore);
	return err;
}

int types__add(struct btfx *bx, const char *path, const struct types_opts *opts,
	       struct types_info *info)
{
	struct types_info dummy;
	struct btf *btf;
	char label[300];
	int err;

	if (!info)
		info = &dummy;
	err = types__load(path, opts, &btf, info);
	if (err)
		return err;
	snprintf(label, sizeof(label), "%s (%s)", path, types__kind_name(info->kind));
	return btfx__add_types(bx, btf, label);
}

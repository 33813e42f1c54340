// SPDX-License-Identifier: GPL-2.0
/*
 * types_cache: the cache of what --types conversions made (types.c runs
 * them): the directory ($XDG_CACHE_HOME/arena-inspect, made 0700, refused
 * when not ours), reading and writing entries without following links,
 * checking an entry's dependencies, and the SHA-256 behind the keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "types.h"
#include "types_priv.h"

#define CACHE_MAGIC "arena-inspect types cache 1\n"
#define MAX_BTF (256u << 20)

/* ------------------------------------------------------------ SHA-256 */

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) +
			      K[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

		h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
	s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

void types__sha_init(struct sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memset(s, 0, sizeof(*s));
	memcpy(s->h, iv, sizeof(iv));
}

void types__sha_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->len += len;
	while (len) {
		size_t k = 64 - s->n < len ? 64 - s->n : len;

		memcpy(s->buf + s->n, p, k);
		s->n += k, p += k, len -= k;
		if (s->n == 64) {
			sha_block(s, s->buf);
			s->n = 0;
		}
	}
}

/* a string with its NUL, so that fields cannot run into each other */
void types__sha_str(struct sha256 *s, const char *str)
{
	types__sha_update(s, str ? str : "", strlen(str ? str : "") + 1);
}

/* the digest as 64 hex digits */
void types__sha_hex(struct sha256 *s, char out[65])
{
	uint64_t bits = s->len * 8;
	uint8_t pad = 0x80, z = 0, lenb[8];

	types__sha_update(s, &pad, 1);
	while (s->n != 56)
		types__sha_update(s, &z, 1);
	for (int i = 0; i < 8; i++)
		lenb[i] = bits >> (56 - 8 * i);
	types__sha_update(s, lenb, 8);
	for (int i = 0; i < 8; i++)
		snprintf(out + 8 * i, 9, "%08x", s->h[i]);
}

/* The hash of a file's content; -errno when it cannot be read. */
int types__sha_file(int fd, struct sha256 *s, uint64_t max)
{
	static __thread uint8_t buf[1 << 16];
	uint64_t total = 0;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return 0;
		total += n;
		if (total > max)
			return -EFBIG;
		types__sha_update(s, buf, n);
	}
}

static int sha_path(const char *path, char out[65])
{
	struct sha256 s;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), err;

	if (fd < 0)
		return -errno;
	types__sha_init(&s);
	err = types__sha_file(fd, &s, TYPES_MAX_INPUT);
	close(fd);
	if (!err)
		types__sha_hex(&s, out);
	return err;
}

/* ------------------------------------------------------------ the cache */

int types__cache_dir(const struct types_opts *o, char *buf, size_t len)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	if (o && o->cache_dir)
		n = snprintf(buf, len, "%s", o->cache_dir);
	else if (x && *x)
		n = snprintf(buf, len, "%s/arena-inspect", x);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.cache/arena-inspect", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The cache directory, made 0700 when missing, opened without following
 * a symlink; refused (with why in note) when it is not ours or others can
 * write it. Returns the fd or -errno. */
int types__cache_open(const char *dir, char *note, size_t nlen)
{
	char parents[PATH_MAX];
	struct stat st;
	int dfd;

	if (snprintf(parents, sizeof(parents), "%s", dir) >= (int)sizeof(parents)) {
		snprintf(note, nlen, "cache directory name too long");
		return -ENAMETOOLONG;
	}
	for (char *p = parents + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(parents, 0700);
			*p = '/';
		}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(note, nlen, "cache not used: cannot create %.150s: %s", dir,
			 strerror(errno));
		return -errno;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(note, nlen, "cache not used: %.150s: %s", dir,
			 errno == ELOOP || errno == ENOTDIR ? "a symbolic link or not a directory"
							    : strerror(errno));
		return -errno;
	}
	if (fstat(dfd, &st) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(note, nlen, "cache not used: %.150s is not yours or others can write it",
			 dir);
		close(dfd);
		return -EPERM;
	}
	return dfd;
}

/* A regular file of ours in dfd, read whole; NULL when there is none or
 * it is not to be trusted (a link, not ours, writable by others). */
char *types__cache_read(int dfd, const char *name, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) || st.st_size > (off_t)MAX_BTF + (16 << 20) ||
	    !(buf = malloc(st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

/* write data under name in dfd: a temp file (0600, O_EXCL|O_NOFOLLOW)
 * renamed over it, so a reader sees the old entry or the new one */
static int cache_write(int dfd, const char *name, const void *hdr, size_t hlen, const void *data,
		       size_t dlen)
{
	char tmp[64];
	uint64_t r = 0;
	int fd, err = 0;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint64_t)types__now_ms() ^ (uint64_t)getpid() << 32;
	snprintf(tmp, sizeof(tmp), ".tmp-%016llx", (unsigned long long)r);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	for (int part = 0; part < 2 && !err; part++) {
		const char *p = part ? data : hdr;
		size_t left = part ? dlen : hlen;

		while (left) {
			ssize_t n = write(fd, p, left);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				err = n < 0 ? -errno : -EIO;
				break;
			}
			p += n, left -= n;
		}
	}
	if (close(fd) && !err)
		err = -errno;
	if (!err && renameat(dfd, tmp, dfd, name))
		err = -errno;
	if (err)
		unlinkat(dfd, tmp, 0);
	return err;
}

/*
 * An entry: CACHE_MAGIC, "dep HASH PATH" lines (every file the compile
 * read, as clang's depfile names them), "end", then the raw BTF. It is
 * used only when every dep still has its hash.
 */
struct btf *types__entry_parse(char *buf, size_t len)
{
	size_t ml = strlen(CACHE_MAGIC);
	char *p = buf + ml, *end;

	if (len < ml || memcmp(buf, CACHE_MAGIC, ml))
		return NULL;
	for (;;) {
		char *nl = memchr(p, '\n', buf + len - p), hash[65];

		if (!nl)
			return NULL;
		*nl = '\0';
		if (!strcmp(p, "end")) {
			p = nl + 1;
			break;
		}
		if (strncmp(p, "dep ", 4) || nl - p < 4 + 64 + 2 || p[4 + 64] != ' ')
			return NULL;
		if (sha_path(p + 4 + 64 + 1, hash) || memcmp(hash, p + 4, 64))
			return NULL; /* a header changed: convert again */
		p = nl + 1;
	}
	end = buf + len;
	return end > p ? btf__new(p, end - p) : NULL;
}

/* The newest "KEY-*.btf" in dfd: what a tool that is not installed now
 * made before */
bool types__newest_entry(int dfd, const char *key, char *name, size_t len)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	struct timespec best = { 0 };
	bool found = false;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		struct stat st;

		if (strncmp(de->d_name, key, 64) || de->d_name[64] != '-' ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		if (!found || st.st_mtim.tv_sec > best.tv_sec ||
		    (st.st_mtim.tv_sec == best.tv_sec && st.st_mtim.tv_nsec > best.tv_nsec)) {
			best = st.st_mtim;
			snprintf(name, len, "%s", de->d_name);
			found = true;
		}
	}
	closedir(d);
	return found;
}

/* the entry: magic, deps with their hashes, end, raw BTF */
int types__write_entry(int dfd, const char *name, struct btf *btf, char **deps, int nr_deps)
{
	size_t cap = 256 + (size_t)nr_deps * (PATH_MAX + 72), len;
	char *hdr = malloc(cap), hash[65];
	const void *raw;
	uint32_t rsz = 0;
	int err;

	if (!hdr)
		return -ENOMEM;
	len = snprintf(hdr, cap, "%s", CACHE_MAGIC);
	for (int i = 0; i < nr_deps; i++) {
		if (sha_path(deps[i], hash)) {
			free(hdr);
			return -ENOENT; /* cannot be checked later: do not cache */
		}
		len += snprintf(hdr + len, cap - len, "dep %s %s\n", hash, deps[i]);
	}
	len += snprintf(hdr + len, cap - len, "end\n");
	raw = btf__raw_data(btf, &rsz);
	err = raw ? cache_write(dfd, name, hdr, len, raw, rsz) : -ENOMEM;
	free(hdr);
	return err;
}

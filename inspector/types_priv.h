/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to types.c (kinds of file, running clang-19 and pahole, the
 * prelude) and types_cache.c (the cache and its SHA-256 keys): what one
 * uses of the other. Everything else goes through types.h.
 */
#ifndef ARENA_INSPECT_TYPES_PRIV_H
#define ARENA_INSPECT_TYPES_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;

#define TYPES_MAX_INPUT (1ULL << 30) /* 1 GiB: a big DWARF ELF */

/* types_cache.c: SHA-256 */
struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t n;
};

void types__sha_init(struct sha256 *s);
void types__sha_update(struct sha256 *s, const void *data, size_t len);
void types__sha_str(struct sha256 *s, const char *str);
void types__sha_hex(struct sha256 *s, char out[65]);
int types__sha_file(int fd, struct sha256 *s, uint64_t max);

/* types_cache.c: the cache directory and its entries */
int types__cache_open(const char *dir, char *note, size_t nlen);
char *types__cache_read(int dfd, const char *name, size_t *len);
struct btf *types__entry_parse(char *buf, size_t len);
bool types__newest_entry(int dfd, const char *key, char *name, size_t len);
int types__write_entry(int dfd, const char *name, struct btf *btf, char **deps, int nr_deps);

/* types.c */
int64_t types__now_ms(void);

#endif

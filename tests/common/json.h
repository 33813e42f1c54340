/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json: a small, strict JSON parser (RFC 8259) with a read-only tree, for
 * tests that check `-j` output and arena-fixture's JSON.
 *
 * Strict means: exactly one value (whitespace around it is fine), no
 * trailing commas, no comments, no NaN/Infinity, no leading zeros, no
 * control characters or invalid UTF-8 in strings, only the standard
 * escapes (\u with proper surrogate pairs), and no duplicate keys in an
 * object. Bounded: nesting depth <= JSON_MAX_DEPTH, input <= JSON_MAX_INPUT.
 *
 * Ownership: json_parse() returns the root; json_free(root) frees the whole
 * tree. Every other pointer (nodes, keys, strings) is borrowed from the
 * tree and lives until json_free(). All getters accept NULL and then return
 * NULL / 0 / the default, so lookups chain without checks:
 *
 *	struct json *doc = json_parse(out, err, sizeof(err));
 *	assert_non_null(doc);            // err says "line 1, col 7: ..."
 *	long long id = json_int(json_get(doc, "map_id"), -1);
 *	const char *n = json_str(json_path(doc, "expect.nodes[0].name"));
 *	uint64_t a = json_u64(json_get(doc, "user_vm_start"), 0); // "0x..."
 *	for (size_t i = 0; i < json_len(arr); i++) ... json_at(arr, i) ...
 *	json_free(doc);
 */
#ifndef TESTS_JSON_H
#define TESTS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 128
#define JSON_MAX_INPUT (256u << 20)

enum json_type {
	JSON_NONE = 0, /* only for a NULL node: "not there" */
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json;

/*
 * Parse NUL-terminated text. On error returns NULL and, if err is not NULL,
 * writes "line L, col C: what went wrong" into err (errlen bytes).
 */
struct json *json_parse(const char *text, char *err, size_t errlen);
/* The same for len bytes that need not end in NUL (a NUL byte is an error). */
struct json *json_parse_len(const char *text, size_t len, char *err, size_t errlen);
/* Free a tree returned by json_parse*(); NULL is fine. */
void json_free(struct json *root);

enum json_type json_type(const struct json *v);
/* Members of an object or elements of an array; 0 for anything else. */
size_t json_len(const struct json *v);
/* Member of an object by key; NULL if v is not an object or has no such key. */
const struct json *json_get(const struct json *obj, const char *key);
/* Element i of an array, or member i of an object (in input order). */
const struct json *json_at(const struct json *v, size_t i);
/* Key of member i of an object; NULL otherwise. */
const char *json_key_at(const struct json *obj, size_t i);
/*
 * Walk a path of keys and indexes: "expect.nodes[2].name", "[0].id",
 * "prog_ids[1]". NULL if any step is missing. Keys cannot contain '.' or
 * '[' here; use json_get() for those.
 */
const struct json *json_path(const struct json *v, const char *path);

/* String value (NUL-terminated; *len gets the byte length, which counts an
 * embedded \u0000); NULL if v is not a string. */
const char *json_str(const struct json *v);
size_t json_str_len(const struct json *v);
/* true when v is a number written without fraction or exponent that fits
 * in long long (json_int) or in uint64_t (json_u64) */
bool json_is_int(const struct json *v);
/* Integer value, or dflt if v is not an integer number that fits. */
long long json_int(const struct json *v, long long dflt);
/* Unsigned 64-bit value from a non-negative integer number, or from a
 * string "0x<hex>" or "<decimal>" (how addresses are written); else dflt. */
uint64_t json_u64(const struct json *v, uint64_t dflt);
/* Any number as a double, or dflt. */
double json_num(const struct json *v, double dflt);
/* 1 for true, 0 for false, -1 if v is not a boolean. */
int json_bool(const struct json *v);
bool json_is_null(const struct json *v);

#endif

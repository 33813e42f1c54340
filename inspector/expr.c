// SPDX-License-Identifier: GPL-2.0
/*
 * expr: a small C expression language over arena data.
 *
 * The parser is recursive descent over a lexer that can be restarted at
 * any column, which is all the lookahead the one ambiguity of C casts
 * needs: "(name)" is a cast when a value follows it ("(u64)x"), a
 * parenthesised name otherwise ("(x) - 1"). Type names are resolved at
 * evaluation time, because an expression may be parsed before any BTF is
 * loaded (watches, the command line) and evaluated against several.
 *
 * Evaluation works on struct value: an lvalue is an address in the arena
 * with a type, an rvalue is a 64-bit scalar with a type (or none). Memory
 * is read only where the value of something is needed (following '->', an
 * index through a pointer, arithmetic), always through source__read_exact.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfx_internal.h"
#include "error.h"
#include "expr.h"
#include "format.h"

#define MAX_DEPTH 200	  /* nesting of the tree, so no input can blow the stack */
#define MAX_NODES 4096
#define MAX_SLICE (1u << 24)

enum ekind {
	E_NUM, E_IDENT, E_TYPE, E_MEMBER, E_ARROW, E_INDEX, E_SLICE,
	E_DEREF, E_ADDR, E_CAST, E_NEG, E_NOT, E_BITNOT, E_BIN,
	E_SIZEOF,	/* name: sizeof(TYPE); a: sizeof EXPR */
	E_POS,		/* unary plus: the integer promotions, nothing else */
};

enum binop {
	B_MUL, B_DIV, B_MOD, B_ADD, B_SUB, B_SHL, B_SHR, B_LT, B_LE, B_GT, B_GE,
	B_EQ, B_NE, B_BAND, B_BXOR, B_BOR, B_LAND, B_LOR,
};

struct enode {
	enum ekind kind;
	int op;			/* E_BIN: enum binop; E_NUM: enum expr_ctype */
	int col, end;		/* source text [col, end) */
	int depth;
	bool paren;		/* E_IDENT written as "(name)": maybe a cast */
	char *name;		/* identifier, member, type name ("struct node *") */
	uint64_t num;
	struct enode *a, *b, *c;
	/* type name cache, valid for one btfx (see btfx__serial) */
	uint64_t serial;
	const struct btf *tbtf;
	uint32_t tid;
};

struct expr {
	char *text;
	struct enode *root;
};

/* ------------------------------------------------------------ lexer */

enum tkind { T_EOF, T_IDENT, T_NUM, T_PUNCT, T_BAD };

struct token {
	enum tkind kind;
	int col, len;
	uint64_t num;
	bool num_overflow;
	uint8_t ctype;		/* T_NUM: the literal's C type */
};

static const char *const puncts[] = {
	"->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
	"(", ")", "[", "]", ".", ":", "*", "&", "+", "-", "/", "%", "<", ">", "!", "~", "^", "|",
};

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int digit_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* C's integer types with LP64 widths; rank orders int < long < long long */
static const struct {
	const char *name;
	uint8_t bits, rank;
	bool sign;
} ctypes[EXPR_NR_CTYPES] = {
	[EXPR_INT] = { "int", 32, 1, true },
	[EXPR_UINT] = { "unsigned int", 32, 1, false },
	[EXPR_LONG] = { "long", 64, 2, true },
	[EXPR_ULONG] = { "unsigned long", 64, 2, false },
	[EXPR_LLONG] = { "long long", 64, 3, true },
	[EXPR_ULLONG] = { "unsigned long long", 64, 3, false },
};

const char *expr__ctype_name(unsigned ct)
{
	return ct < EXPR_NR_CTYPES ? ctypes[ct].name : "long long";
}

bool expr__ctype_signed(unsigned ct)
{
	return ct < EXPR_NR_CTYPES ? ctypes[ct].sign : true;
}

static bool ct_fits(uint64_t v, unsigned ct)
{
	if (ctypes[ct].bits == 32)
		return v <= (ctypes[ct].sign ? (uint64_t)INT32_MAX : (uint64_t)UINT32_MAX);
	return ctypes[ct].sign ? v <= (uint64_t)INT64_MAX : true;
}

/*
 * The type of an integer literal (C11 6.4.4.1): the first of the list that
 * holds the value, from int (no suffix), long (l) or long long (ll) on; a
 * decimal literal without u skips the unsigned types, a u suffix skips the
 * signed ones. A decimal too large for long long has no type in C; it is
 * unsigned long long here, as clang makes it (with a warning).
 */
static uint8_t literal_ctype(uint64_t v, bool decimal, bool suf_u, int suf_l)
{
	static const uint8_t order[] = { EXPR_INT, EXPR_UINT, EXPR_LONG, EXPR_ULONG, EXPR_LLONG,
					 EXPR_ULLONG };

	for (size_t i = suf_l * 2; i < sizeof(order); i++) {
		if ((suf_u && ctypes[order[i]].sign) || (decimal && !suf_u && !ctypes[order[i]].sign))
			continue;
		if (ct_fits(v, order[i]))
			return order[i];
	}
	return EXPR_ULLONG;
}

static void lex(const char *s, int pos, struct token *t)
{
	memset(t, 0, sizeof(*t));
	while (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')
		pos++;
	t->col = pos;
	if (!s[pos]) {
		t->kind = T_EOF;
		return;
	}
	if (is_ident_start(s[pos])) {
		int e = pos;

		while (is_ident_char(s[e]))
			e++;
		t->kind = T_IDENT;
		t->len = e - pos;
		return;
	}
	if (s[pos] >= '0' && s[pos] <= '9') {
		int base = 10, e = pos, suf_l = 0;
		bool suf_u = false;
		uint64_t v = 0;

		if (s[e] == '0' && (s[e + 1] == 'x' || s[e + 1] == 'X')) {
			base = 16;
			e += 2;
			if (digit_val(s[e]) >= 16) {
				t->kind = T_BAD;
				t->len = e - pos;
				return;
			}
		} else if (s[e] == '0' && s[e + 1] == 'b' && (s[e + 2] == '0' || s[e + 2] == '1')) {
			base = 2;
			e += 2;
		} else if (s[e] == '0') {
			base = 8;
		}
		for (; digit_val(s[e]) < base; e++) {
			uint64_t d = digit_val(s[e]);

			if (v > (UINT64_MAX - d) / base)
				t->num_overflow = true;
			v = v * base + d;
		}
		/* C's suffixes: u, l, ll (not lL), in either order */
		for (;;) {
			if ((s[e] == 'u' || s[e] == 'U') && !suf_u) {
				suf_u = true;
				e++;
			} else if ((s[e] == 'l' || s[e] == 'L') && !suf_l) {
				suf_l = s[e + 1] == s[e] ? 2 : 1;
				e += suf_l;
			} else {
				break;
			}
		}
		t->kind = is_ident_char(s[e]) ? T_BAD : T_NUM;
		if (t->kind == T_BAD)
			while (is_ident_char(s[e]))
				e++;
		t->num = v;
		t->ctype = literal_ctype(v, base == 10, suf_u, suf_l);
		t->len = e - pos;
		return;
	}
	for (size_t i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
		size_t l = strlen(puncts[i]);

		if (!strncmp(s + pos, puncts[i], l)) {
			t->kind = T_PUNCT;
			t->len = l;
			return;
		}
	}
	t->kind = T_BAD;
	t->len = 1;
}

/* ------------------------------------------------------------ parser */

struct parser {
	const char *s;
	struct token tok;	/* current */
	int depth;
	int nodes;
	int err_col;
	bool failed;
};

static void next(struct parser *p)
{
	lex(p->s, p->tok.col + p->tok.len, &p->tok);
}

static bool is_p(const struct token *t, const char *s, const char *punct)
{
	return t->kind == T_PUNCT && (size_t)t->len == strlen(punct) && !strncmp(s + t->col, punct, t->len);
}

static bool is_word(const struct token *t, const char *s, const char *w)
{
	return t->kind == T_IDENT && (size_t)t->len == strlen(w) && !strncmp(s + t->col, w, t->len);
}

/* "<message> at column N<suffix>" */
static int fail_at(struct parser *p, int col, const char *suffix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail_at(struct parser *p, int col, const char *suffix, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (p->failed)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->failed = true;
	p->err_col = col;
	return ai_err(EINVAL, "%s at column %d%s", msg, col, suffix);
}

#define fail(p, col, ...) fail_at(p, col, "", __VA_ARGS__)

/* "expected X at column N, found 'y'" */
static int unexpected(struct parser *p, const char *wanted)
{
	const struct token *t = &p->tok;
	char found[64];

	if (t->kind == T_BAD && t->len > 1)
		return fail(p, t->col, "bad number '%.*s'", t->len > 32 ? 32 : t->len, p->s + t->col);
	if (t->kind == T_EOF)
		snprintf(found, sizeof(found), ", found the end");
	else
		snprintf(found, sizeof(found), ", found '%.*s'", t->len > 32 ? 32 : t->len,
			 p->s + t->col);
	return fail_at(p, t->col, found, "expected %s", wanted);
}

static void node_free(struct enode *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	node_free(n->c);
	free(n->name);
	free(n);
}

static struct enode *mk(struct parser *p, enum ekind k, int col, struct enode *a, struct enode *b)
{
	struct enode *n;
	int d = 0;

	if (a && a->depth > d)
		d = a->depth;
	if (b && b->depth > d)
		d = b->depth;
	if (d + 1 > MAX_DEPTH || ++p->nodes > MAX_NODES) {
		fail(p, col, "expression too complex");
		goto err;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		p->failed = true;
		p->err_col = col;
		ai_err(ENOMEM, "out of memory");
		goto err;
	}
	n->kind = k;
	n->col = col;
	n->end = col;
	n->a = a;
	n->b = b;
	n->depth = d + 1;
	return n;
err:
	node_free(a);
	node_free(b);
	return NULL;
}

static struct enode *parse_expr(struct parser *p);
static struct enode *parse_unary(struct parser *p);

static bool is_c_type_word(const struct token *t, const char *s)
{
	static const char *const w[] = { "unsigned", "signed", "int",	   "long", "short", "char",
					 "void",     "bool",   "_Bool",	   "const", "volatile",
					 "struct",   "union",  "enum" };

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (is_word(t, s, w[i]))
			return true;
	return false;
}

static bool is_fixed_width_name(const struct token *t, const char *s)
{
	static const char *const w[] = {
		"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "__u8", "__u16", "__u32",
		"__u64", "__s8", "__s16", "__s32", "__s64", "uint8_t", "uint16_t", "uint32_t",
		"uint64_t", "int8_t", "int16_t", "int32_t", "int64_t", "size_t", "uintptr_t",
	};

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (is_word(t, s, w[i]))
			return true;
	return false;
}

static bool is_qualifier(const struct token *t, const char *s)
{
	return is_word(t, s, "const") || is_word(t, s, "volatile") || is_word(t, s, "restrict");
}

/* Is "(" at the current token the start of a cast? */
static bool looks_like_cast(struct parser *p)
{
	struct token t, u;

	lex(p->s, p->tok.col + p->tok.len, &t);
	if (t.kind != T_IDENT)
		return false;
	if (is_c_type_word(&t, p->s))
		return true;
	lex(p->s, t.col + t.len, &u);
	/* the kernel's fixed-width names are types whatever follows:
	 * "(u32)-1", "(u64)*p" */
	if (is_p(&u, p->s, ")") && is_fixed_width_name(&t, p->s))
		return true;
	if (is_p(&u, p->s, "*")) {
		/* (name *...) : only a type can be followed by stars and ')' */
		while (is_p(&u, p->s, "*") || is_qualifier(&u, p->s))
			lex(p->s, u.col + u.len, &u);
		return is_p(&u, p->s, ")");
	}
	if (!is_p(&u, p->s, ")"))
		return false;
	/* "(name)" then something that can only start a value */
	lex(p->s, u.col + u.len, &u);
	return u.kind == T_IDENT || u.kind == T_NUM || is_p(&u, p->s, "(") || is_p(&u, p->s, "!") ||
	       is_p(&u, p->s, "~");
}

/* type-name: qualifiers, "struct X" | words, then stars. Returns the
 * normalized text ("struct node *", "unsigned long") in a new string. */
static char *parse_type_name(struct parser *p)
{
	char buf[256];
	size_t n = 0;
	int stars = 0, words = 0;
	bool tagged = false;

	while (is_qualifier(&p->tok, p->s))
		next(p);
	if (is_word(&p->tok, p->s, "struct") || is_word(&p->tok, p->s, "union") ||
	    is_word(&p->tok, p->s, "enum")) {
		n = snprintf(buf, sizeof(buf), "%.*s ", p->tok.len, p->s + p->tok.col);
		next(p);
		if (p->tok.kind != T_IDENT || is_c_type_word(&p->tok, p->s)) {
			unexpected(p, "a type name");
			return NULL;
		}
		tagged = true;
	}
	while (p->tok.kind == T_IDENT) {
		if (is_qualifier(&p->tok, p->s)) {
			next(p);
			continue;
		}
		/* several words only for C's own names: unsigned long int */
		if (words && (tagged || !is_c_type_word(&p->tok, p->s)))
			break;
		if (words && n < sizeof(buf) - 1)
			buf[n++] = ' ';
		if (n + p->tok.len >= sizeof(buf) - 32) {
			fail(p, p->tok.col, "type name too long");
			return NULL;
		}
		memcpy(buf + n, p->s + p->tok.col, p->tok.len);
		n += p->tok.len;
		words++;
		next(p);
		if (tagged)
			break;
	}
	if (!words) {
		unexpected(p, "a type name");
		return NULL;
	}
	while (is_p(&p->tok, p->s, "*") || is_qualifier(&p->tok, p->s)) {
		if (is_p(&p->tok, p->s, "*"))
			stars++;
		if (stars > 8) {
			fail(p, p->tok.col, "too many '*'");
			return NULL;
		}
		next(p);
	}
	if (stars)
		buf[n++] = ' ';
	while (stars--)
		buf[n++] = '*';
	buf[n] = '\0';
	return strdup(buf);
}

static struct enode *parse_primary(struct parser *p)
{
	struct token t = p->tok;
	struct enode *n;

	if (t.kind == T_NUM) {
		if (t.num_overflow) {
			fail(p, t.col, "number '%.*s' is too large", t.len, p->s + t.col);
			return NULL;
		}
		n = mk(p, E_NUM, t.col, NULL, NULL);
		if (!n)
			return NULL;
		n->num = t.num;
		n->op = t.ctype;
		n->end = t.col + t.len;
		next(p);
		return n;
	}
	if (t.kind == T_IDENT) {
		if (is_c_type_word(&t, p->s)) {
			/* a bare type: "struct node" */
			n = mk(p, E_TYPE, t.col, NULL, NULL);
			if (!n)
				return NULL;
			n->name = parse_type_name(p);
			n->end = p->tok.col;
			if (!n->name) {
				node_free(n);
				return NULL;
			}
			return n;
		}
		n = mk(p, E_IDENT, t.col, NULL, NULL);
		if (!n)
			return NULL;
		n->name = strndup(p->s + t.col, t.len);
		n->end = t.col + t.len;
		if (!n->name) {
			node_free(n);
			ai_err(ENOMEM, "out of memory");
			p->failed = true;
			return NULL;
		}
		next(p);
		return n;
	}
	if (is_p(&t, p->s, "(")) {
		next(p);
		n = parse_expr(p);
		if (!n)
			return NULL;
		if (!is_p(&p->tok, p->s, ")")) {
			unexpected(p, "')'");
			node_free(n);
			return NULL;
		}
		n->paren = n->kind == E_IDENT;
		n->col = t.col;
		n->end = p->tok.col + 1;
		next(p);
		return n;
	}
	unexpected(p, "a value");
	return NULL;
}

static struct enode *parse_postfix(struct parser *p)
{
	struct enode *n = parse_primary(p);

	while (n) {
		struct token t = p->tok;

		if (is_p(&t, p->s, "->") || is_p(&t, p->s, ".")) {
			bool arrow = t.len == 2;

			next(p);
			if (p->tok.kind != T_IDENT) {
				unexpected(p, "a member name");
				node_free(n);
				return NULL;
			}
			n = mk(p, arrow ? E_ARROW : E_MEMBER, n->col, n, NULL);
			if (!n)
				return NULL;
			n->name = strndup(p->s + p->tok.col, p->tok.len);
			if (!n->name) {
				node_free(n);
				ai_err(ENOMEM, "out of memory");
				p->failed = true;
				return NULL;
			}
			n->end = p->tok.col + p->tok.len;
			next(p);
		} else if (is_p(&t, p->s, "[")) {
			struct enode *i, *j = NULL;

			next(p);
			i = parse_expr(p);
			if (!i) {
				node_free(n);
				return NULL;
			}
			if (is_p(&p->tok, p->s, ":")) {
				next(p);
				j = parse_expr(p);
				if (!j) {
					node_free(n);
					node_free(i);
					return NULL;
				}
			}
			if (!is_p(&p->tok, p->s, "]")) {
				unexpected(p, "']'");
				node_free(n);
				node_free(i);
				node_free(j);
				return NULL;
			}
			n = mk(p, j ? E_SLICE : E_INDEX, n->col, n, i);
			if (!n) {
				node_free(j);
				return NULL;
			}
			n->c = j;
			n->end = p->tok.col + 1;
			next(p);
		} else {
			break;
		}
	}
	return n;
}

/* "(" type-name ")" at the current token: the type's text, the tokens
 * consumed; *end is the column after the ")". */
static char *parse_paren_type(struct parser *p, int *end)
{
	char *type;

	next(p);
	type = parse_type_name(p);
	if (!type)
		return NULL;
	if (!is_p(&p->tok, p->s, ")")) {
		free(type);
		unexpected(p, "')'");
		return NULL;
	}
	*end = p->tok.col + 1;
	next(p);
	return type;
}

static struct enode *parse_unary(struct parser *p)
{
	static const struct {
		const char *op;
		enum ekind kind;
	} ops[] = { { "*", E_DEREF }, { "&", E_ADDR }, { "-", E_NEG }, { "!", E_NOT }, { "~", E_BITNOT },
		    { "+", E_POS } };
	struct token t = p->tok;
	struct enode *n;

	if (++p->depth > MAX_DEPTH) {
		fail(p, t.col, "expression too deeply nested");
		return NULL;
	}
	if (is_p(&t, p->s, "(") && looks_like_cast(p)) {
		int end;
		char *type = parse_paren_type(p, &end);

		if (!type)
			return NULL;
		n = parse_unary(p);
		if (n)
			n = mk(p, E_CAST, t.col, n, NULL);
		if (!n) {
			free(type);
			return NULL;
		}
		n->name = type;
		n->end = n->a->end;
		p->depth--;
		return n;
	}
	if (is_word(&t, p->s, "sizeof")) {
		next(p);
		if (is_p(&p->tok, p->s, "(") && looks_like_cast(p)) {
			/* sizeof(TYPE): the same test as a cast's "(TYPE)" */
			int end;
			char *type = parse_paren_type(p, &end);

			if (!type)
				return NULL;
			n = mk(p, E_SIZEOF, t.col, NULL, NULL);
			if (!n) {
				free(type);
				return NULL;
			}
			n->name = type;
			n->end = end;
		} else {
			n = parse_unary(p);
			if (n)
				n = mk(p, E_SIZEOF, t.col, n, NULL);
			if (n)
				n->end = n->a->end;
		}
		p->depth--;
		return n;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!is_p(&t, p->s, ops[i].op))
			continue;
		next(p);
		n = parse_unary(p);
		if (n)
			n = mk(p, ops[i].kind, t.col, n, NULL);
		if (n)
			n->end = n->a->end;
		p->depth--;
		return n;
	}
	n = parse_postfix(p);
	p->depth--;
	return n;
}

/* binary operators by precedence level, loosest first */
static const struct {
	const char *op;
	enum binop bop;
	int level;
} binops[] = {
	{ "||", B_LOR, 0 }, { "&&", B_LAND, 1 }, { "|", B_BOR, 2 }, { "^", B_BXOR, 3 },
	{ "&", B_BAND, 4 }, { "==", B_EQ, 5 }, { "!=", B_NE, 5 }, { "<", B_LT, 6 },
	{ "<=", B_LE, 6 }, { ">", B_GT, 6 }, { ">=", B_GE, 6 }, { "<<", B_SHL, 7 },
	{ ">>", B_SHR, 7 }, { "+", B_ADD, 8 }, { "-", B_SUB, 8 }, { "*", B_MUL, 9 },
	{ "/", B_DIV, 9 }, { "%", B_MOD, 9 },
};
#define NR_LEVELS 10

static struct enode *parse_binary(struct parser *p, int level)
{
	struct enode *l;

	if (level >= NR_LEVELS)
		return parse_unary(p);
	l = parse_binary(p, level + 1);
	while (l) {
		const char *hit = NULL;
		enum binop bop = 0;
		struct enode *r;
		int col = p->tok.col;

		for (size_t i = 0; i < sizeof(binops) / sizeof(binops[0]); i++) {
			if (binops[i].level == level && is_p(&p->tok, p->s, binops[i].op)) {
				hit = binops[i].op;
				bop = binops[i].bop;
			}
		}
		if (!hit)
			break;
		next(p);
		r = parse_binary(p, level + 1);
		if (!r) {
			node_free(l);
			return NULL;
		}
		l = mk(p, E_BIN, col, l, r);
		if (!l)
			return NULL;
		l->op = bop;
		l->col = l->a->col;
		l->end = l->b->end;
	}
	return l;
}

static struct enode *parse_expr(struct parser *p)
{
	struct enode *n;

	if (++p->depth > MAX_DEPTH) {
		fail(p, p->tok.col, "expression too deeply nested");
		return NULL;
	}
	n = parse_binary(p, 0);
	p->depth--;
	return n;
}

int expr__parse(const char *text, struct expr **out, int *err_col)
{
	struct parser p = { .s = text };
	struct expr *e;
	struct enode *n;

	*out = NULL;
	if (err_col)
		*err_col = -1;
	lex(text, 0, &p.tok);
	if (p.tok.kind == T_EOF) {
		if (err_col)
			*err_col = p.tok.col;
		return ai_err(EINVAL, "empty expression at column %d", p.tok.col);
	}
	n = parse_expr(&p);
	if (n && p.tok.kind != T_EOF) {
		unexpected(&p, is_p(&p.tok, text, ")") ? "an operator (unbalanced ')')" : "an operator or the end");
		node_free(n);
		n = NULL;
	}
	if (!n) {
		if (err_col)
			*err_col = p.err_col;
		return -EINVAL;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->text = strdup(text))) {
		free(e);
		node_free(n);
		return ai_err(ENOMEM, "out of memory");
	}
	e->root = n;
	*out = e;
	return 0;
}

void expr__free(struct expr *e)
{
	if (!e)
		return;
	node_free(e->root);
	free(e->text);
	free(e);
}

const char *expr__text(const struct expr *e)
{
	return e ? e->text : "";
}

/* ------------------------------------------------------------ evaluation */

struct ectx {
	struct btfx *bx;
	struct source *src;
	const char *text;
};

/* the source text of a node, for messages */
#define NT(c, n) (int)((n)->end - (n)->col > 60 ? 60 : (n)->end - (n)->col), (c)->text + (n)->col

static void type_name(const struct value *v, char *buf, size_t len)
{
	if (!v->btf)
		snprintf(buf, len, "a number");
	else if (fmt__type_name(v->btf, v->type_id, buf, len) < 0)
		snprintf(buf, len, "type %u", v->type_id);
}

/* resolved kind of a value's type: the BTF kind, or a BTF_KIND_INT of its
 * C type for computed numbers */
static const struct btf_type *vtype(const struct value *v, uint32_t *rid)
{
	/* each C type as a BTF int, with the encoding word that follows it */
#define CT_INT(bytes, enc) { { .info = BTF_KIND_INT << 24, .size = bytes }, ((enc) << 24) | (bytes * 8) }
	static const struct {
		struct btf_type t;
		uint32_t enc;
	} untyped[EXPR_NR_CTYPES] = {
		[EXPR_INT] = CT_INT(4, BTF_INT_SIGNED), [EXPR_UINT] = CT_INT(4, 0),
		[EXPR_LONG] = CT_INT(8, BTF_INT_SIGNED), [EXPR_ULONG] = CT_INT(8, 0),
		[EXPR_LLONG] = CT_INT(8, BTF_INT_SIGNED), [EXPR_ULLONG] = CT_INT(8, 0),
	};
#undef CT_INT
	uint32_t id;

	if (!v->btf) {
		if (rid)
			*rid = 0;
		return &untyped[v->ctype < EXPR_NR_CTYPES ? v->ctype : EXPR_LLONG].t;
	}
	id = btfx_skip_mods(v->btf, v->type_id);
	if (rid)
		*rid = id;
	return btf__type_by_id(v->btf, id);
}

static bool is_signed_type(const struct btf_type *t)
{
	if (btf_is_int(t))
		return btf_int_encoding(t) & BTF_INT_SIGNED;
	if (btf_is_any_enum(t))
		return btf_kflag(t);
	return false;
}

static uint64_t extend(uint64_t v, unsigned bits, bool sign)
{
	if (bits >= 64 || !bits)
		return v;
	v &= (1ULL << bits) - 1;
	if (sign && (v >> (bits - 1)) & 1)
		v |= ~0ULL << bits;
	return v;
}

static struct value scalar(const struct btf *btf, uint32_t id, uint64_t v)
{
	return (struct value){ .btf = btf, .type_id = id, .scalar = v };
}

/* v converted to C type ct: cut to its width, sign- or zero-extended */
static uint64_t conv(uint64_t v, unsigned ct)
{
	return extend(v, ctypes[ct].bits, ctypes[ct].sign);
}

/* a computed integer of C type ct */
static struct value number(unsigned ct, uint64_t v)
{
	return (struct value){ .ctype = ct, .scalar = conv(v, ct) };
}

/* 8-byte BTF ints that are long long rather than long: clang's names, and
 * the kernel's u64/s64 (unsigned long long in its headers) */
static bool is_long_long(const struct btf *btf, const struct btf_type *t)
{
	static const char *const kernel[] = { "u64", "__u64", "s64", "__s64" };
	const char *name = btf__name_by_offset(btf, t->name_off);

	if (!name)
		return false;
	if (strstr(name, "long long"))
		return true;
	for (size_t i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++)
		if (!strcmp(name, kernel[i]))
			return true;
	return false;
}

/*
 * The C type a value has in arithmetic: its type after the integer
 * promotions. char, short, bool and bitfields narrower than int become int
 * (a 32-bit bitfield keeps its signedness, a wider one its declared type,
 * as clang does); enums are their underlying type (size and BTF sign);
 * pointers and arrays (which decay) are unsigned long; floats are read as
 * long (arithmetic here is integer only).
 */
static unsigned promoted(const struct value *v)
{
	const struct btf_type *t;
	unsigned bits;
	bool sign;

	if (!v->btf)
		return v->ctype < EXPR_NR_CTYPES ? v->ctype : EXPR_LLONG;
	t = v->slice_len ? NULL : vtype(v, NULL);
	if (!t || btf_is_ptr(t) || btf_is_array(t))
		return EXPR_ULONG;
	if (btf_is_float(t))
		return EXPR_LONG;
	if (btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_BOOL))
		return EXPR_INT;
	sign = is_signed_type(t);
	bits = btf_is_int(t) ? btf_int_bits(t) : t->size * 8;
	if (v->bitfield && v->bitfield < bits)
		bits = v->bitfield;
	if (bits < 32)
		return EXPR_INT;
	if (bits == 32 || t->size <= 4)
		return sign ? EXPR_INT : EXPR_UINT;
	if (btf_is_int(t) && is_long_long(v->btf, t))
		return sign ? EXPR_LLONG : EXPR_ULLONG;
	return sign ? EXPR_LONG : EXPR_ULONG;
}

/*
 * C's usual arithmetic conversions on two promoted types: the same
 * signedness takes the higher rank; else the unsigned type when its rank
 * is not lower; else the signed type when it holds every value of the
 * unsigned one (wider); else the unsigned type of the signed one's rank.
 */
static unsigned common_ctype(unsigned a, unsigned b)
{
	unsigned u, sg;

	if (a == b)
		return a;
	if (ctypes[a].sign == ctypes[b].sign)
		return ctypes[a].rank >= ctypes[b].rank ? a : b;
	u = ctypes[a].sign ? b : a;
	sg = ctypes[a].sign ? a : b;
	if (ctypes[u].rank >= ctypes[sg].rank)
		return u;
	if (ctypes[sg].bits > ctypes[u].bits)
		return sg;
	for (unsigned i = 0; i < EXPR_NR_CTYPES; i++)
		if (!ctypes[i].sign && ctypes[i].rank == ctypes[sg].rank)
			return i;
	return u;
}

/* The numeric value of v: integers, enums, bools, pointers; arrays and
 * slices decay to their address. *sign: compare as signed. */
static int load(struct ectx *c, const struct enode *n, const struct value *v, uint64_t *out,
		bool *sign)
{
	const struct btf_type *t = vtype(v, NULL);
	uint8_t buf[8] = { 0 };
	uint64_t x = 0;
	char tn[128];
	int err;

	if (sign)
		*sign = !v->btf;
	if (v->slice_len || (t && btf_is_array(t))) {
		if (!v->lvalue)
			goto bad;
		*out = v->addr;
		if (sign)
			*sign = false;
		return 0;
	}
	if (!t)
		goto bad;
	if (!btf_is_int(t) && !btf_is_ptr(t) && !btf_is_any_enum(t) && !btf_is_float(t))
		goto bad;
	if (!v->lvalue) {
		*out = v->scalar;
	} else {
		uint32_t sz = btf_is_ptr(t) ? 8 : t->size;

		if (btf_is_float(t)) {
			double d = 0;

			if (sz != 4 && sz != 8)
				goto bad;
			err = source__read_exact(c->src, v->addr, buf, sz);
			if (err)
				return err;
			if (sz == 4) {
				float f;

				memcpy(&f, buf, 4);
				d = f;
			} else {
				memcpy(&d, buf, 8);
			}
			*out = (d >= -9.2e18 && d <= 9.2e18) ? (uint64_t)(int64_t)d : 0;
			if (sign)
				*sign = true;
			return 0;
		}
		if (sz > 8 || !sz)
			goto bad;
		err = source__read_exact(c->src, v->addr, buf, sz);
		if (err)
			return err;
		memcpy(&x, buf, sz);
		if (btf_is_int(t) && btf_int_bits(t) < sz * 8)
			x >>= btf_int_offset(t);
		*out = extend(x, btf_is_int(t) ? btf_int_bits(t) : sz * 8, is_signed_type(t));
	}
	if (sign && v->btf)
		*sign = is_signed_type(t);
	return 0;
bad:
	type_name(v, tn, sizeof(tn));
	return ai_err(EINVAL, "'%.*s' is %s%s, not a number", NT(c, n), v->btf ? "of type " : "", tn);
}

/* The value of v as C arithmetic sees it: read, promoted (promoted());
 * *ct is its C type and *x its value in that type. */
static int arith(struct ectx *c, const struct enode *n, const struct value *v, uint64_t *x,
		 unsigned *ct)
{
	int err = load(c, n, v, x, NULL);

	if (err)
		return err;
	*ct = promoted(v);
	*x = conv(*x, *ct);
	return 0;
}

static int eval(struct ectx *c, const struct enode *n, struct value *out);

/* Resolve a type name once per btfx. */
static int resolve_type(struct ectx *c, const struct enode *n, const struct btf **btf, uint32_t *id)
{
	struct enode *m = (struct enode *)n; /* cache only */
	uint64_t serial = btfx__serial(c->bx);

	if (serial && m->serial == serial) {
		*btf = m->tbtf;
		*id = m->tid;
		return 0;
	}
	if (!c->bx || btfx__find_type(c->bx, n->name, btf, id))
		return ai_err(ENOENT, "unknown type '%s'%s", n->name,
			      btfx__nr_btfs(c->bx) ? "" : " (no BTF loaded)");
	m->serial = serial;
	m->tbtf = *btf;
	m->tid = *id;
	return 0;
}

/* Does every enumerator of enum t fit in int? */
static bool enum_fits_int(const struct btf_type *t)
{
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t);

		for (int k = 0; k < btf_vlen(t); k++, e++)
			if (!btf_kflag(t) && (uint32_t)e->val > INT32_MAX)
				return false;
		return true;
	}
	for (int k = 0; k < btf_vlen(t); k++) {
		int64_t v = (int64_t)btf_enum64_value(btf_enum64(t) + k);

		if (btf_kflag(t) ? (v < INT32_MIN || v > INT32_MAX) : (uint64_t)v > INT32_MAX)
			return false;
	}
	return true;
}

/* An enumerator's value and C type: int, or the enum's own type when some
 * enumerator does not fit in int (C23, and GCC and clang before it). */
static int enum_constant(struct ectx *c, const char *name, uint64_t *v, unsigned *ct)
{
	for (int b = 0; b < btfx__nr_btfs(c->bx); b++) {
		const struct btf *btf = btfx__btf(c->bx, b);
		uint32_t cnt = btf__type_cnt(btf);

		for (uint32_t i = 1; i < cnt; i++) {
			const struct btf_type *t = btf__type_by_id(btf, i);

			if (btf_is_enum(t)) {
				const struct btf_enum *e = btf_enum(t);

				for (int k = 0; k < btf_vlen(t); k++, e++) {
					if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
						*v = btf_kflag(t) ? (uint64_t)(int64_t)e->val
								  : (uint64_t)(uint32_t)e->val;
						/* a signed 32-bit value always fits */
						*ct = enum_fits_int(t) ? EXPR_INT : EXPR_UINT;
						return 0;
					}
				}
			} else if (btf_is_enum64(t)) {
				const struct btf_enum64 *e = btf_enum64(t);

				for (int k = 0; k < btf_vlen(t); k++, e++) {
					if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
						*v = btf_enum64_value(e);
						*ct = enum_fits_int(t) ? EXPR_INT
						      : btf_kflag(t)   ? EXPR_LONG
								       : EXPR_ULONG;
						return 0;
					}
				}
			}
		}
	}
	return -ENOENT;
}

static int eval_ident(struct ectx *c, const struct enode *n, struct value *out)
{
	const struct root *r = btfx__find_root(c->bx, n->name);
	uint64_t v;
	unsigned ct;

	if (r) {
		if (r->kind == ROOT_MAP_PTR) {
			*out = scalar(r->btf, r->type_id, r->value);
		} else {
			*out = (struct value){ .btf = r->btf, .type_id = r->type_id, .lvalue = true,
					       .addr = r->addr };
		}
		return 0;
	}
	if (c->bx && !enum_constant(c, n->name, &v, &ct)) {
		*out = number(ct, v);
		return 0;
	}
	return ai_err(ENOENT, "unknown name '%s' (not a root or an enum constant)", n->name);
}

/* Find member name in struct/union sid, looking into anonymous members as C
 * does. *bitoff accumulates; *bitsz is the bitfield size (0: none). */
static bool find_member(const struct btf *btf, uint32_t sid, const char *name, int depth,
			uint64_t *bitoff, uint32_t *mtype, uint32_t *bitsz)
{
	const struct btf_type *t = btf__type_by_id(btf, sid);
	const struct btf_member *m;

	if (!t || !btf_is_composite(t) || depth > 32)
		return false;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint64_t off = btf_member_bit_offset(t, i);

		if (mn && *mn) {
			if (strcmp(mn, name))
				continue;
			*bitoff += off;
			*mtype = m->type;
			*bitsz = btf_member_bitfield_size(t, i);
			return true;
		}
		/* anonymous struct/union: its members are ours */
		{
			uint64_t sub = *bitoff + off;

			if (find_member(btf, btfx_skip_mods(btf, m->type), name, depth + 1, &sub, mtype,
					bitsz)) {
				*bitoff = sub;
				return true;
			}
		}
	}
	return false;
}

static int read_bits(struct ectx *c, uint64_t addr, uint64_t bitoff, uint32_t bits, bool sign,
		     uint64_t *out)
{
	uint8_t buf[9] = { 0 };
	uint64_t v = 0;
	size_t nbytes = (bitoff % 8 + bits + 7) / 8;
	int err;

	if (bits > 64 || !bits)
		return ai_err(EINVAL, "bitfield of %u bits", bits);
	err = source__read_exact(c->src, addr + bitoff / 8, buf, nbytes);
	if (err)
		return err;
	for (uint32_t i = 0; i < bits; i++) {
		uint64_t b = bitoff % 8 + i;

		v |= (uint64_t)((buf[b / 8] >> (b % 8)) & 1) << i;
	}
	*out = extend(v, bits, sign);
	return 0;
}

static int member(struct ectx *c, const struct enode *n, struct value *out)
{
	const struct btf_type *t;
	struct value base;
	uint64_t bitoff = 0;
	uint32_t sid, mtype, bitsz;
	char tn[128];
	int err;

	err = eval(c, n->a, &base);
	if (err)
		return err;
	t = vtype(&base, &sid);
	if (n->kind == E_ARROW) {
		uint64_t p;

		if (!t || base.slice_len || !btf_is_ptr(t)) {
			type_name(&base, tn, sizeof(tn));
			if (t && btf_is_composite(t) && !base.slice_len)
				return ai_err(EINVAL, "'%.*s' is %s, not a pointer; use '.%s'",
					      NT(c, n->a), tn, n->name);
			return ai_err(EINVAL, "'%.*s' is %s, not a pointer to a struct", NT(c, n->a),
				      tn);
		}
		err = load(c, n->a, &base, &p, NULL);
		if (err)
			return err;
		if (!p)
			return ai_err(EFAULT, "'%.*s' is NULL (following '->%s')", NT(c, n->a),
				      n->name);
		base = (struct value){ .btf = base.btf, .type_id = t->type, .lvalue = true, .addr = p };
		t = vtype(&base, &sid);
		if (!t || !btf_is_composite(t)) {
			type_name(&base, tn, sizeof(tn));
			return ai_err(EINVAL, "'%.*s' points to %s, not a struct or union",
				      NT(c, n->a), tn);
		}
	} else if (!t || base.slice_len || !btf_is_composite(t)) {
		type_name(&base, tn, sizeof(tn));
		if (t && btf_is_ptr(t) && !base.slice_len)
			return ai_err(EINVAL, "'%.*s' is a pointer (%s); use '->%s'", NT(c, n->a), tn,
				      n->name);
		return ai_err(EINVAL, "'%.*s' is %s, not a struct or union", NT(c, n->a),
			      base.slice_len ? "a slice" : tn);
	}
	if (!base.lvalue)
		return ai_err(EINVAL, "'%.*s' has no address", NT(c, n->a));
	if (!find_member(base.btf, sid, n->name, 0, &bitoff, &mtype, &bitsz)) {
		struct value sv = { .btf = base.btf, .type_id = sid };

		type_name(&sv, tn, sizeof(tn));
		return ai_err(ENOENT, "'%s' is not a member of %s", n->name, tn);
	}
	if (!bitsz && bitoff % 8 == 0) {
		*out = (struct value){ .btf = base.btf, .type_id = mtype, .lvalue = true,
				       .addr = base.addr + bitoff / 8 };
		return 0;
	}
	/* a bitfield has no address of its own: read it now */
	{
		struct value mv = { .btf = base.btf, .type_id = mtype };
		const struct btf_type *mt = vtype(&mv, NULL);
		uint64_t v = 0;

		if (!mt || !(btf_is_int(mt) || btf_is_any_enum(mt)))
			return ai_err(EINVAL, "member '%s' is not byte aligned", n->name);
		if (!bitsz)
			bitsz = btf_is_int(mt) ? btf_int_bits(mt) : mt->size * 8;
		err = read_bits(c, base.addr, bitoff, bitsz, is_signed_type(mt), &v);
		if (err)
			return err;
		*out = scalar(base.btf, mtype, v);
		out->addr = base.addr + bitoff / 8;
		out->bitfield = bitsz;
		return 0;
	}
}

/* For [] and [:]: the first element's address, the element type and the
 * number of elements (0: unknown, a pointer). */
static int indexable(struct ectx *c, const struct enode *n, const struct value *base,
		     uint64_t *addr, uint32_t *elem, uint64_t *nelems)
{
	const struct btf_type *t = vtype(base, NULL);
	char tn[128];
	int err;

	if (base->slice_len && base->lvalue) {
		*addr = base->addr;
		*elem = base->type_id;
		*nelems = base->slice_len;
		return 0;
	}
	if (t && btf_is_array(t) && base->lvalue) {
		*addr = base->addr;
		*elem = btf_array(t)->type;
		*nelems = btf_array(t)->nelems;
		if (!*nelems)
			*nelems = UINT64_MAX; /* flexible array member */
		return 0;
	}
	if (t && btf_is_ptr(t)) {
		err = load(c, n, base, addr, NULL);
		if (err)
			return err;
		if (!*addr)
			return ai_err(EFAULT, "'%.*s' is NULL", NT(c, n));
		*elem = t->type;
		*nelems = UINT64_MAX;
		return 0;
	}
	type_name(base, tn, sizeof(tn));
	return ai_err(EINVAL, "'%.*s' is %s; only arrays and pointers can be indexed", NT(c, n),
		      tn);
}

static int elem_size(struct ectx *c, const struct enode *n, const struct btf *btf, uint32_t elem,
		     uint64_t *sz)
{
	*sz = btfx_size(btf, elem);
	if (!*sz)
		return ai_err(EINVAL, "'%.*s': elements have no size (void or incomplete type)",
			      NT(c, n));
	return 0;
}

static int index_op(struct ectx *c, const struct enode *n, struct value *out)
{
	struct value base, iv, jv;
	uint64_t addr, nelems, esz, i, j = 0;
	uint32_t elem;
	bool sign;
	int err;

	err = eval(c, n->a, &base);
	if (!err)
		err = indexable(c, n->a, &base, &addr, &elem, &nelems);
	if (!err)
		err = elem_size(c, n->a, base.btf, elem, &esz);
	if (!err)
		err = eval(c, n->b, &iv);
	if (!err)
		err = load(c, n->b, &iv, &i, &sign);
	if (!err && n->c) {
		err = eval(c, n->c, &jv);
		if (!err)
			err = load(c, n->c, &jv, &j, &sign);
	}
	if (err)
		return err;
	if (n->kind == E_INDEX) {
		if (nelems != UINT64_MAX && i >= nelems)
			return ai_err(ERANGE, "index %lld is out of range for '%.*s' (%llu elements)",
				      (long long)i, NT(c, n->a), (unsigned long long)nelems);
		*out = (struct value){ .btf = base.btf, .type_id = elem, .lvalue = true,
				       .addr = addr + i * esz };
		return 0;
	}
	if ((int64_t)i < 0 || (int64_t)j <= (int64_t)i)
		return ai_err(EINVAL, "empty or reversed slice [%lld:%lld]", (long long)i, (long long)j);
	if (nelems != UINT64_MAX && j > nelems)
		return ai_err(ERANGE, "slice end %llu is out of range for '%.*s' (%llu elements)",
			      (unsigned long long)j, NT(c, n->a), (unsigned long long)nelems);
	if (j - i > MAX_SLICE)
		return ai_err(ERANGE, "slice of %llu elements is too long",
			      (unsigned long long)(j - i));
	*out = (struct value){ .btf = base.btf, .type_id = elem, .lvalue = true,
			       .addr = addr + i * esz, .slice_len = (uint32_t)(j - i) };
	return 0;
}

static int deref(struct ectx *c, const struct enode *n, struct value *out)
{
	const struct btf_type *t, *pt;
	struct value v;
	uint64_t p;
	char tn[128];
	int err;

	err = eval(c, n->a, &v);
	if (err)
		return err;
	t = vtype(&v, NULL);
	if (v.slice_len || (t && btf_is_array(t) && v.lvalue)) {
		uint64_t addr, nelems;
		uint32_t elem;

		err = indexable(c, n->a, &v, &addr, &elem, &nelems);
		if (err)
			return err;
		*out = (struct value){ .btf = v.btf, .type_id = elem, .lvalue = true, .addr = addr };
		return 0;
	}
	if (!t || !btf_is_ptr(t)) {
		type_name(&v, tn, sizeof(tn));
		return ai_err(EINVAL, "cannot dereference '%.*s': it is %s, not a pointer",
			      NT(c, n->a), tn);
	}
	pt = btf__type_by_id(v.btf, btfx_skip_mods(v.btf, t->type));
	if (!pt || btf_is_void(pt) || btf_is_func_proto(pt) || btf_is_fwd(pt)) {
		type_name(&v, tn, sizeof(tn));
		return ai_err(EINVAL, "cannot dereference '%.*s' of type %s; cast it first",
			      NT(c, n->a), tn);
	}
	err = load(c, n->a, &v, &p, NULL);
	if (err)
		return err;
	if (!p)
		return ai_err(EFAULT, "cannot dereference '%.*s': it is NULL", NT(c, n->a));
	*out = (struct value){ .btf = v.btf, .type_id = t->type, .lvalue = true, .addr = p };
	return 0;
}

static int addr_of(struct ectx *c, const struct enode *n, struct value *out)
{
	struct value v;
	const struct btf *pb;
	uint32_t pid;
	int err;

	err = eval(c, n->a, &v);
	if (err)
		return err;
	if (!v.lvalue || !v.btf)
		return ai_err(EINVAL, "cannot take the address of '%.*s'", NT(c, n->a));
	err = btfx__ptr_to(c->bx, v.btf, v.type_id, &pb, &pid);
	if (err)
		return err;
	*out = scalar(pb, pid, v.addr);
	return 0;
}

static int cast(struct ectx *c, const struct enode *n, struct value *out)
{
	const struct btf_type *t;
	const struct btf *btf;
	struct value v;
	uint32_t id;
	uint64_t x;
	int err;

	err = resolve_type(c, n, &btf, &id);
	if (!err)
		err = eval(c, n->a, &v);
	if (err)
		return err;
	t = btf__type_by_id(btf, btfx_skip_mods(btf, id));
	if (!t || !(btf_is_ptr(t) || btf_is_int(t) || btf_is_any_enum(t)))
		return ai_err(EINVAL, "cannot cast to '%s'; cast an address to a pointer: *(%s *)ADDR",
			      n->name, n->name);
	err = load(c, n->a, &v, &x, NULL);
	if (err)
		return err;
	if (btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_BOOL))
		x = x != 0; /* C's (bool)x */
	else if (!btf_is_ptr(t))
		x = extend(x, t->size * 8, is_signed_type(t));
	*out = scalar(btf, id, x);
	return 0;
}

/* sizeof(TYPE), or sizeof EXPR: the size of the expression's type (a
 * slice: all its elements). Like C, sizeof(name) is a type when no value
 * has that name. The value itself is not read, only the path to it. */
static int size_of(struct ectx *c, const struct enode *n, struct value *out)
{
	const struct btf *btf;
	struct value v;
	uint32_t id;
	long long sz;
	int err;

	if (n->a) {
		err = eval(c, n->a, &v);
		if (err && n->a->kind == E_IDENT && c->bx &&
		    !btfx__find_type(c->bx, n->a->name, &btf, &id)) {
			v = scalar(btf, id, 0);
			err = 0;
		}
		if (err)
			return err;
		if (!v.btf) {
			*out = number(EXPR_ULONG, ctypes[promoted(&v)].bits / 8);
			return 0;
		}
		btf = v.btf;
		id = v.type_id;
	} else {
		err = resolve_type(c, n, &btf, &id);
		if (err)
			return err;
	}
	sz = btf__resolve_size(btf, id);
	if (sz < 0)
		return ai_err(EINVAL, "the size of '%.*s' is not known", n->end - n->col, c->text + n->col);
	if (n->a && v.slice_len)
		sz *= v.slice_len;
	*out = number(EXPR_ULONG, (uint64_t)sz); /* size_t */
	return 0;
}

/*
 * "(name)-1", "(name)*p", "(name)&x", "(name)+1": C reads these as casts
 * when name is a type, which the parser cannot know (it has no BTF); it
 * read a subtraction, a product... When name is no value but is a type,
 * evaluate the cast of the unary operator instead. The parser's
 * precedence stays: "(T)-a * b" casts -(a * b).
 */
static int maybe_cast(struct ectx *c, const struct enode *n, struct value *out)
{
	static const struct {
		enum binop op;
		enum ekind unary;
	} as_unary[] = { { B_SUB, E_NEG }, { B_MUL, E_DEREF }, { B_BAND, E_ADDR }, { B_ADD, E_POS } };
	const struct btf *btf;
	struct enode un, cast_node;
	struct value v;
	uint32_t id;

	if (n->a->kind != E_IDENT || !n->a->paren || !c->bx)
		return 1;
	for (size_t i = 0; i < sizeof(as_unary) / sizeof(as_unary[0]); i++) {
		if ((enum binop)n->op != as_unary[i].op)
			continue;
		if (eval_ident(c, n->a, &v) != -ENOENT ||
		    btfx__find_type(c->bx, n->a->name, &btf, &id))
			return 1;
		un = (struct enode){ .kind = as_unary[i].unary, .col = n->b->col, .end = n->end,
				     .a = n->b };
		cast_node = (struct enode){ .kind = E_CAST, .col = n->col, .end = n->end,
					    .name = n->a->name, .a = &un };
		return eval(c, &cast_node, out);
	}
	return 1;
}

/* a << b and a >> b: the type of the promoted left operand; a count that is
 * negative or not below its width is an error (C leaves it undefined) */
static int shift(struct ectx *c, const struct enode *n, uint64_t a, unsigned ct, uint64_t b,
		 unsigned bct, uint64_t *res)
{
	if (ctypes[bct].sign && (int64_t)b < 0)
		return ai_err(EDOM, "negative shift count %lld in '%.*s'", (long long)b, NT(c, n));
	if (b >= ctypes[ct].bits)
		return ai_err(EDOM, "shift count %llu >= width of %s (%u bits) in '%.*s'",
			      (unsigned long long)b, ctypes[ct].name, ctypes[ct].bits, NT(c, n));
	if (n->op == B_SHL)
		*res = conv(a << b, ct); /* a negative or overflowing int wraps */
	else if (ctypes[ct].sign && (int64_t)a < 0)
		*res = ~(~a >> b); /* arithmetic, as GCC and clang do */
	else
		*res = a >> b;
	return 0;
}

/*
 * Binary operators with C's rules: both operands promoted, then brought to
 * their common type (common_ctype); the result has that type, comparisons
 * and && || are int, shifts the left operand's type. Signed overflow wraps
 * (as with -fwrapv) instead of being undefined; INT_MIN / -1 wraps too,
 * and its remainder is 0. Division by zero is -EDOM.
 */
static int binary(struct ectx *c, const struct enode *n, struct value *out)
{
	struct value l, r;
	const struct btf_type *lt, *rt;
	uint64_t a, b, res = 0;
	unsigned ca, cb, ct;
	bool sign;
	int err;

	err = maybe_cast(c, n, out);
	if (err <= 0)
		return err;
	err = eval(c, n->a, &l);
	if (!err)
		err = arith(c, n->a, &l, &a, &ca);
	if (err)
		return err;
	if (n->op == B_LAND || n->op == B_LOR) {
		if ((n->op == B_LAND && !a) || (n->op == B_LOR && a)) {
			*out = number(EXPR_INT, n->op == B_LOR);
			return 0;
		}
		err = eval(c, n->b, &r);
		if (!err)
			err = arith(c, n->b, &r, &b, &cb);
		if (err)
			return err;
		*out = number(EXPR_INT, b != 0);
		return 0;
	}
	err = eval(c, n->b, &r);
	if (!err)
		err = arith(c, n->b, &r, &b, &cb);
	if (err)
		return err;
	lt = l.slice_len ? NULL : vtype(&l, NULL);
	rt = r.slice_len ? NULL : vtype(&r, NULL);
	/* pointer arithmetic scales by the element size, as in C */
	if ((n->op == B_ADD || n->op == B_SUB) && lt && btf_is_ptr(lt) &&
	    !(rt && btf_is_ptr(rt))) {
		uint64_t esz = btfx_size(l.btf, lt->type);

		if (!esz)
			esz = 1; /* void *: bytes, as GNU C does */
		res = n->op == B_ADD ? a + b * esz : a - b * esz;
		*out = scalar(l.btf, l.type_id, res);
		return 0;
	}
	if (n->op == B_ADD && rt && btf_is_ptr(rt) && !(lt && btf_is_ptr(lt))) {
		uint64_t esz = btfx_size(r.btf, rt->type);

		*out = scalar(r.btf, r.type_id, b + a * (esz ? esz : 1));
		return 0;
	}
	if (n->op == B_SUB && lt && rt && btf_is_ptr(lt) && btf_is_ptr(rt)) {
		uint64_t esz = btfx_size(l.btf, lt->type);
		int64_t d = (int64_t)(a - b);

		if (esz > 1)
			d /= (int64_t)esz;
		*out = number(EXPR_LONG, (uint64_t)d); /* ptrdiff_t */
		return 0;
	}
	if (n->op == B_SHL || n->op == B_SHR) {
		err = shift(c, n, a, ca, b, cb, &res);
		if (err)
			return err;
		*out = number(ca, res);
		return 0;
	}
	ct = common_ctype(ca, cb);
	a = conv(a, ct);
	b = conv(b, ct);
	sign = ctypes[ct].sign;
	switch (n->op) {
	case B_ADD: res = a + b; break;
	case B_SUB: res = a - b; break;
	case B_MUL: res = a * b; break;
	case B_DIV:
	case B_MOD:
		if (!b)
			return ai_err(EDOM, "division by zero in '%.*s'", NT(c, n));
		if (sign && (int64_t)b == -1) /* x / -1 without trapping on INT64_MIN / -1 */
			res = n->op == B_DIV ? 0 - a : 0;
		else if (sign)
			res = n->op == B_DIV ? (uint64_t)((int64_t)a / (int64_t)b)
					     : (uint64_t)((int64_t)a % (int64_t)b);
		else
			res = n->op == B_DIV ? a / b : a % b;
		break;
	case B_LT: res = sign ? (int64_t)a < (int64_t)b : a < b; break;
	case B_LE: res = sign ? (int64_t)a <= (int64_t)b : a <= b; break;
	case B_GT: res = sign ? (int64_t)a > (int64_t)b : a > b; break;
	case B_GE: res = sign ? (int64_t)a >= (int64_t)b : a >= b; break;
	case B_EQ: res = a == b; break;
	case B_NE: res = a != b; break;
	case B_BAND: res = a & b; break;
	case B_BXOR: res = a ^ b; break;
	case B_BOR: res = a | b; break;
	}
	if (n->op >= B_LT && n->op <= B_NE)
		ct = EXPR_INT;
	*out = number(ct, res);
	return 0;
}

static int eval(struct ectx *c, const struct enode *n, struct value *out)
{
	struct value v;
	uint64_t x;
	unsigned ct;
	int err;

	memset(out, 0, sizeof(*out));
	switch (n->kind) {
	case E_NUM:
		*out = number(n->op, n->num);
		return 0;
	case E_IDENT:
		return eval_ident(c, n, out);
	case E_TYPE:
		return ai_err(EINVAL, "'%s' is a type, not a value; to see memory as one, write *(%s *)ADDR",
			      n->name, n->name);
	case E_MEMBER:
	case E_ARROW:
		return member(c, n, out);
	case E_INDEX:
	case E_SLICE:
		return index_op(c, n, out);
	case E_DEREF:
		return deref(c, n, out);
	case E_ADDR:
		return addr_of(c, n, out);
	case E_CAST:
		return cast(c, n, out);
	case E_NEG:
	case E_NOT:
	case E_BITNOT:
	case E_POS:
		/* in the promoted type: -x of an unsigned int is an unsigned int */
		err = eval(c, n->a, &v);
		if (!err)
			err = arith(c, n->a, &v, &x, &ct);
		if (err)
			return err;
		if (n->kind == E_NOT)
			*out = number(EXPR_INT, !x);
		else
			*out = number(ct, n->kind == E_NEG ? 0 - x : n->kind == E_BITNOT ? ~x : x);
		return 0;
	case E_BIN:
		return binary(c, n, out);
	case E_SIZEOF:
		return size_of(c, n, out);
	}
	return ai_err(EINVAL, "bad expression");
}

int expr__eval(const struct expr *e, struct btfx *bx, struct source *src, struct value *out)
{
	struct ectx c = { .bx = bx, .src = src, .text = e->text };

	return eval(&c, e->root, out);
}

int expr__eval_int(const struct expr *e, struct btfx *bx, struct source *src, int64_t *out)
{
	struct ectx c = { .bx = bx, .src = src, .text = e->text };
	struct value v;
	uint64_t x;
	int err;

	err = eval(&c, e->root, &v);
	if (!err)
		err = load(&c, e->root, &v, &x, NULL);
	if (!err)
		*out = (int64_t)x;
	return err;
}

int expr__eval_str(const char *text, struct btfx *bx, struct source *src, struct value *out,
		   int *err_col)
{
	struct expr *e;
	int err;

	err = expr__parse(text, &e, err_col);
	if (err)
		return err;
	err = expr__eval(e, bx, src, out);
	expr__free(e);
	return err;
}

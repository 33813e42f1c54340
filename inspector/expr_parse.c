// SPDX-License-Identifier: GPL-2.0
/*
 * expr_parse: the lexer and parser of the expression language (expr.h),
 * making the tree of expr_ast.h; expr_eval.c evaluates it.
 *
 * The parser is recursive descent over a lexer that can be restarted at
 * any column, which is all the lookahead the one ambiguity of C casts
 * needs: "(name)" is a cast when a value follows it ("(u64)x"), a
 * parenthesised name otherwise ("(x) - 1"). Type names are resolved at
 * evaluation time, because an expression may be parsed before any BTF is
 * loaded (watches, the command line) and evaluated against several.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "expr.h"
#include "expr_ast.h"
#include "expr_ctype.h"
#include "printable.h"
#include "sink.h"

#define MAX_DEPTH 200  /* nesting of the tree, so no input can blow the stack */
#define MAX_NODES 4096 /* tree nodes of one expression */

/* ------------------------------------------------------------ lexer */

enum tkind { T_EOF, T_IDENT, T_NUM, T_PUNCT, T_BAD };

struct token {
	enum tkind kind;
	int col, len;
	uint64_t num;
	bool num_overflow;
	uint8_t ctype; /* T_NUM: the literal's C type */
};

static const char *const puncts[] = {
	"->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "(", ")", "[", "]", ".",
	":",  ",",  "*",  "&",	"+",  "-",  "/",  "%",	"<",  ">", "!", "~", "^", "|",
};

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* a digit's value in any base up to 16; 99 (no base) for anything else */
static int digit_val(char c)
{
	int v = ai_hexval((unsigned char)c);

	return v < 0 ? 99 : v;
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
	if (s[pos] == '$') {
		/* GDB's value history: $ $$ $N $$N, a name the evaluator
		 * looks up in the history (expr_eval.c) */
		int e = pos + 1;

		if (s[e] == '$')
			e++;
		while (s[e] >= '0' && s[e] <= '9')
			e++;
		t->kind = is_ident_char(s[e]) ? T_BAD : T_IDENT;
		t->len = e - pos;
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
		t->ctype = expr__literal_ctype(v, base == 10, suf_u, suf_l);
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
	struct token tok; /* current */
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
	return t->kind == T_PUNCT && (size_t)t->len == strlen(punct) &&
	       !strncmp(s + t->col, punct, t->len);
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
		return fail(p, t->col, "bad number '%.*s'", t->len > 32 ? 32 : t->len,
			    p->s + t->col);
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
	static const char *const w[] = { "unsigned", "signed", "int",	"long",	 "short",
					 "char",     "void",   "bool",	"_Bool", "const",
					 "volatile", "struct", "union", "enum" };

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (is_word(t, s, w[i]))
			return true;
	return false;
}

static bool is_fixed_width_name(const struct token *t, const char *s)
{
	static const char *const w[] = {
		"u8",	   "u16",     "u32",	 "u64",	     "s8",	  "s16",      "s32",
		"s64",	   "__u8",    "__u16",	 "__u32",    "__u64",	  "__s8",     "__s16",
		"__s32",   "__s64",   "uint8_t", "uint16_t", "uint32_t",  "uint64_t", "int8_t",
		"int16_t", "int32_t", "int64_t", "size_t",   "uintptr_t",
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
	/* "struct node@2": that type source's definition (btfx__find_type) */
	if (tagged && p->tok.kind == T_BAD && p->s[p->tok.col] == '@') {
		int e = p->tok.col + 1;

		while (p->s[e] >= '0' && p->s[e] <= '9' && e - p->tok.col < 6)
			e++;
		if (e == p->tok.col + 1) {
			fail(p, e, "expected a type source number after '@'");
			return NULL;
		}
		n += snprintf(buf + n, sizeof(buf) - n, "@%.*s", e - p->tok.col - 1,
			      p->s + p->tok.col + 1);
		lex(p->s, e, &p->tok);
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

static bool expect_p(struct parser *p, const char *punct, const char *wanted)
{
	if (is_p(&p->tok, p->s, punct)) {
		next(p);
		return true;
	}
	unexpected(p, wanted);
	return false;
}

/* The member name at the current token, as a node of kind (E_MEMBER,
 * E_ARROW) over base; base is freed on any error. Used by postfix '.'/'->'
 * and by offsetof's member paths. */
static struct enode *member_node(struct parser *p, enum ekind kind, int col, struct enode *base)
{
	struct enode *n;

	if (p->tok.kind != T_IDENT) {
		unexpected(p, "a member name");
		node_free(base);
		return NULL;
	}
	n = mk(p, kind, col, base, NULL);
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
	return n;
}

/*
 * A member designator as offsetof takes it: NAME { . NAME | [ expr ] }
 * ("node", "node.next", "a[2].b"). Built as E_MEMBER and E_INDEX nodes
 * over an E_DESIG leaf, which stands for the struct the path starts in.
 */
static struct enode *parse_designator(struct parser *p)
{
	int col = p->tok.col;
	struct enode *n;
	bool first = true;

	if (p->tok.kind != T_IDENT) {
		unexpected(p, "a member name");
		return NULL;
	}
	n = mk(p, E_DESIG, col, NULL, NULL);
	while (n) {
		if (first || is_p(&p->tok, p->s, ".")) {
			if (!first)
				next(p);
			first = false;
			n = member_node(p, E_MEMBER, col, n);
		} else if (is_p(&p->tok, p->s, "[")) {
			struct enode *i;

			int end;

			next(p);
			i = parse_expr(p);
			if (i && !is_p(&p->tok, p->s, "]"))
				unexpected(p, "']'");
			if (!i || !is_p(&p->tok, p->s, "]")) {
				node_free(i);
				node_free(n);
				return NULL;
			}
			end = p->tok.col + 1;
			next(p);
			n = mk(p, E_INDEX, col, n, i);
			if (n)
				n->end = end;
		} else {
			break;
		}
	}
	return n;
}

/*
 * offsetof(TYPE, MEMBER) and container_of(PTR, TYPE, MEMBER), the kernel's
 * (and C's) names, at the current token (the word; "(" follows). MEMBER
 * is a designator (parse_designator).
 */
static struct enode *parse_builtin(struct parser *p, bool container)
{
	struct token t = p->tok;
	struct enode *n, *ptr = NULL, *d;
	char *type;

	next(p); /* the word */
	next(p); /* "(" */
	if (container) {
		ptr = parse_expr(p);
		if (!ptr || !expect_p(p, ",", "','")) {
			node_free(ptr);
			return NULL;
		}
	}
	type = parse_type_name(p);
	if (!type || !expect_p(p, ",", "','")) {
		free(type);
		node_free(ptr);
		return NULL;
	}
	d = parse_designator(p);
	if (!d || !is_p(&p->tok, p->s, ")")) {
		if (d)
			unexpected(p, "')'");
		node_free(d);
		node_free(ptr);
		free(type);
		return NULL;
	}
	n = container ? mk(p, E_CONTAINER_OF, t.col, ptr, d) : mk(p, E_OFFSETOF, t.col, d, NULL);
	if (!n) {
		free(type);
		return NULL;
	}
	n->name = type;
	n->end = p->tok.col + 1;
	next(p);
	return n;
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
		bool off = is_word(&t, p->s, "offsetof"), cont = is_word(&t, p->s, "container_of");

		if (off || cont) {
			struct token u;

			lex(p->s, t.col + t.len, &u);
			if (is_p(&u, p->s, "("))
				return parse_builtin(p, cont);
		}
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
			n = member_node(p, arrow ? E_ARROW : E_MEMBER, n->col, n);
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
	} ops[] = { { "*", E_DEREF }, { "&", E_ADDR },	 { "-", E_NEG },
		    { "!", E_NOT },   { "~", E_BITNOT }, { "+", E_POS } };
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
	{ "&", B_BAND, 4 }, { "==", B_EQ, 5 },	 { "!=", B_NE, 5 }, { "<", B_LT, 6 },
	{ "<=", B_LE, 6 },  { ">", B_GT, 6 },	 { ">=", B_GE, 6 }, { "<<", B_SHL, 7 },
	{ ">>", B_SHR, 7 }, { "+", B_ADD, 8 },	 { "-", B_SUB, 8 }, { "*", B_MUL, 9 },
	{ "/", B_DIV, 9 },  { "%", B_MOD, 9 },
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
		unexpected(&p, is_p(&p.tok, text, ")") ? "an operator (unbalanced ')')"
						       : "an operator or the end");
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

int expr__parse_designator(const char *text, struct expr **out, int *err_col)
{
	struct parser p = { .s = text };
	struct expr *e;
	struct enode *n;

	*out = NULL;
	*err_col = -1;
	lex(text, 0, &p.tok);
	n = parse_designator(&p);
	if (n && p.tok.kind != T_EOF) {
		unexpected(&p, "'.', '[' or the end");
		node_free(n);
		n = NULL;
	}
	if (!n) {
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

/* $ is the last value (number last), $$ the one before, $$N N before it */
static int hist_number(const char *s, int len, uint64_t last, uint64_t *n)
{
	bool rel = len >= 2 && s[1] == '$';
	const char *d = s + 1 + rel;
	uint64_t k = 0;

	for (; d < s + len; d++) {
		if (k > UINT64_MAX / 10 - 10)
			return ai_err(ERANGE, "history number '%.*s' is too large", len, s);
		k = k * 10 + (uint64_t)(*d - '0');
	}
	if (len == 1) {
		k = 0; /* $: the last */
		rel = true;
	} else if (rel && len == 2) {
		k = 1; /* $$ */
	}
	if (!rel) {
		*n = k;
		return 0;
	}
	if (!last)
		return ai_err(ENOENT, "'%.*s': the value history is empty (print something first)",
			      len, s);
	if (k >= last)
		return ai_err(ENOENT, "'%.*s': the value history holds $1..$%" PRIu64, len, s,
			      last);
	*n = last - k;
	return 0;
}

int expr__history_ref(const char *name, uint64_t last, uint64_t *n)
{
	if (!name || name[0] != '$')
		return ai_err(EINVAL, "not a history reference");
	return hist_number(name, (int)strlen(name), last, n);
}

int expr__history_pin(const char *text, uint64_t last, char **out)
{
	struct strbuf sb = {};
	struct token t;
	int pos = 0, done = 0, err;

	*out = NULL;
	for (lex(text, pos, &t); t.kind != T_EOF; lex(text, pos, &t)) {
		uint64_t n;
		char num[32];

		pos = t.col + (t.len ? t.len : 1);
		if (t.kind != T_IDENT || text[t.col] != '$')
			continue;
		err = hist_number(text + t.col, t.len, last, &n);
		if (err) {
			strbuf_free(&sb);
			return err;
		}
		snprintf(num, sizeof(num), "$%" PRIu64, n);
		strbuf_write(&sb, text + done, t.col - done);
		strbuf_write(&sb, num, strlen(num));
		done = pos;
	}
	strbuf_write(&sb, text + done, strlen(text + done));
	if (!sb.buf)
		return ai_err(ENOMEM, "out of memory");
	*out = sb.buf;
	return 0;
}

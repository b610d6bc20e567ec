/* json.c: the JSON writer and reader of the results files (json.h). A
 * small hand-written parser: the format is small and fixed, and its numbers
 * must keep all their digits. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

/* ---- writing ---------------------------------------------------------------------- */

void json_u64(rl_strbuf *b, uint64_t v) { rl_sb_printf(b, "%llu", (unsigned long long)v); }

/* Doubles round-trip with %.17g; NaN and infinities become null. */
void json_double(rl_strbuf *b, double v)
{
	if (isfinite(v))
		rl_sb_printf(b, "%.17g", v);
	else
		rl_sb_put(b, "null");
}

void json_bool(rl_strbuf *b, int v) { rl_sb_put(b, v ? "true" : "false"); }

void json_string(rl_strbuf *b, const char *s)
{
	rl_sb_put(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char esc[2] = {'\\', (char)c};
			rl_sb_add(b, esc, 2);
		} else if (c < 0x20) {
			rl_sb_printf(b, "\\u%04x", c);
		} else {
			rl_sb_add(b, s, 1);
		}
	}
	rl_sb_put(b, "\"");
}

void json_key(rl_strbuf *b, const char *key)
{
	if (b->len && b->p[b->len - 1] != '{')
		rl_sb_put(b, ",");
	json_string(b, key);
	rl_sb_put(b, ":");
}

void json_open(rl_strbuf *b, const char *key, const char *bracket)
{
	json_key(b, key);
	rl_sb_put(b, bracket);
}

void json_u64_list(rl_strbuf *b, const uint64_t *v, size_t n, size_t stride)
{
	rl_sb_put(b, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			rl_sb_put(b, ",");
		json_u64(b, *(const uint64_t *)((const char *)v + i * stride));
	}
	rl_sb_put(b, "]");
}

void json_field_u64(rl_strbuf *b, const char *key, uint64_t v)
{
	json_key(b, key);
	json_u64(b, v);
}

void json_field_double(rl_strbuf *b, const char *key, double v)
{
	json_key(b, key);
	json_double(b, v);
}

void json_field_bool(rl_strbuf *b, const char *key, int v)
{
	json_key(b, key);
	json_bool(b, v);
}

void json_field_string(rl_strbuf *b, const char *key, const char *s)
{
	json_key(b, key);
	json_string(b, s);
}

/* ---- reading ---------------------------------------------------------------------- */


void jv_free(jv *v)
{
	free(v->text);
	for (size_t i = 0; i < v->n; i++) {
		jv_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	memset(v, 0, sizeof *v);
}

typedef struct jparser {
	const char *start, *p, *end;
	const char *err;         /* what was expected, NULL while fine */
	int depth;
	double bytes, budget;    /* the tree's memory so far, and the most it may take */
} jparser;

/* Counts an allocation of n bytes of the tree (with malloc's overhead)
 * against the budget: a line of a million tiny values makes a tree many
 * times its own size. 0, or -1 ("budget"). */
static int jtake(jparser *ps, double n)
{
	ps->bytes += n + 16.0;
	if (ps->bytes > ps->budget) {
		if (!ps->err)
			ps->err = "budget";
		return -1;
	}
	return 0;
}

static void skip_ws(jparser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int jfail(jparser *ps, const char *what)
{
	if (!ps->err)
		ps->err = what;
	return -1;
}

static void put_utf8(char *out, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xC0 | cp >> 6);
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xE0 | cp >> 12);
		out[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[(*n)++] = (char)(0xF0 | cp >> 18);
		out[(*n)++] = (char)(0x80 | (cp >> 12 & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	}
}

static int hex4(const char *s, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
		           : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
		if (d > 15)
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static int parse_string(jparser *ps, char **out)
{
	ps->p++;   /* the opening quote */
	const char *s = ps->p, *q = s;
	while (q < ps->end && *q != '"')   /* its extent: unescaping only shrinks */
		q += *q == '\\' && q + 1 < ps->end ? 2 : 1;
	size_t n = 0;
	if (jtake(ps, (double)(q - s) + 1.0))
		return -1;
	char *buf = malloc((size_t)(q - s) + 1);
	if (!buf)
		return jfail(ps, "memory");
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;
		if (c < 0x20) {
			free(buf);
			return jfail(ps, "a control character escaped in a string");
		}
		if (c != '\\') {
			buf[n++] = (char)c;
			ps->p++;
			continue;
		}
		if (ps->end - ps->p < 2) {
			free(buf);
			return jfail(ps, "a complete escape");
		}
		char x = ps->p[1];
		ps->p += 2;
		switch (x) {
		case '"': buf[n++] = '"'; break;
		case '\\': buf[n++] = '\\'; break;
		case '/': buf[n++] = '/'; break;
		case 'b': buf[n++] = '\b'; break;
		case 'f': buf[n++] = '\f'; break;
		case 'n': buf[n++] = '\n'; break;
		case 'r': buf[n++] = '\r'; break;
		case 't': buf[n++] = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (ps->end - ps->p < 4 || hex4(ps->p, &cp)) {
				free(buf);
				return jfail(ps, "four hex digits after \\u");
			}
			ps->p += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
			    ps->p[1] == 'u' && !hex4(ps->p + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				ps->p += 6;
			}
			put_utf8(buf, &n, cp);
			break;
		}
		default:
			free(buf);
			return jfail(ps, "a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)");
		}
	}
	if (ps->p >= ps->end) {
		free(buf);
		return jfail(ps, "the closing quote of a string");
	}
	ps->p++;
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* Past the run of digits at q (q itself when there is none). */
static const char *skip_digits(const char *q, const char *end)
{
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	return q;
}

static int parse_number(jparser *ps, jv *v)
{
	const char *s = ps->p, *q = s;
	if (q < ps->end && *q == '-')
		q++;
	const char *digits = q;
	if ((q = skip_digits(q, ps->end)) == digits)
		return jfail(ps, "a value");
	if (q < ps->end && *q == '.') {
		const char *f = ++q;
		if ((q = skip_digits(q, ps->end)) == f)
			return jfail(ps, "digits after the decimal point");
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < ps->end && (*q == '+' || *q == '-'))
			q++;
		const char *x = q;
		if ((q = skip_digits(q, ps->end)) == x)
			return jfail(ps, "digits in the exponent");
	}
	v->type = 'd';
	if (jtake(ps, (double)(q - s) + 1.0))
		return -1;
	v->text = malloc((size_t)(q - s) + 1);
	if (!v->text)
		return jfail(ps, "memory");
	memcpy(v->text, s, (size_t)(q - s));
	v->text[q - s] = '\0';
	ps->p = q;
	return 0;
}

static int parse_value(jparser *ps, jv *v);

static int push_item(jparser *ps, jv *v, char *key)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 8;
		if (jtake(ps, (double)(cap - v->cap) * (double)(sizeof(jv) + (v->type == 'o' ? sizeof(char *) : 0))))
			return -1;
		jv *items = realloc(v->items, cap * sizeof *items);
		if (!items)
			return jfail(ps, "memory");
		v->items = items;
		if (v->type == 'o') {
			char **keys = realloc(v->keys, cap * sizeof *keys);
			if (!keys)
				return jfail(ps, "memory");
			v->keys = keys;
		}
		v->cap = cap;
	}
	memset(&v->items[v->n], 0, sizeof v->items[v->n]);
	if (v->type == 'o')
		v->keys[v->n] = key;
	v->n++;
	return 0;
}

static int parse_container(jparser *ps, jv *v, char open)
{
	char close = open == '[' ? ']' : '}';
	v->type = open == '[' ? 'a' : 'o';
	if (++ps->depth > 32)
		return jfail(ps, "less nesting (at most 32 levels)");
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		skip_ws(ps);
		if (v->type == 'o') {
			if (ps->p >= ps->end || *ps->p != '"')
				return jfail(ps, "a quoted key");
			if (parse_string(ps, &key))
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				return jfail(ps, "':' after a key");
			}
			ps->p++;
		}
		if (push_item(ps, v, key)) {
			free(key);
			return -1;
		}
		if (parse_value(ps, &v->items[v->n - 1]))
			return -1;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return 0;
		}
		return jfail(ps, open == '[' ? "',' or ']'" : "',' or '}'");
	}
}

static int literal(jparser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return jfail(ps, "a value");
	ps->p += n;
	return 0;
}

static int parse_value(jparser *ps, jv *v)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return jfail(ps, "a value");
	switch (*ps->p) {
	case '{':
	case '[':
		return parse_container(ps, v, *ps->p);
	case '"':
		v->type = 's';
		return parse_string(ps, &v->text);
	case 't':
		v->type = 'b';
		v->boolean = 1;
		return literal(ps, "true");
	case 'f':
		v->type = 'b';
		return literal(ps, "false");
	case 'n':
		v->type = 'z';
		return literal(ps, "null");
	default:
		return parse_number(ps, v);
	}
}

int json_parse(const char *text, size_t len, double budget, jv *root, const char **expected,
               size_t *column)
{
	jparser ps = {text, text, text + len, NULL, 0, 0, budget};
	memset(root, 0, sizeof *root);
	int rc = parse_value(&ps, root);
	skip_ws(&ps);
	if (rc == 0 && ps.p != ps.end)
		rc = jfail(&ps, "the end of the line after one JSON value");
	*expected = rc ? (ps.err ? ps.err : "a value") : NULL;
	*column = (size_t)(ps.p - ps.start) + 1;
	return rc;
}

const jv *json_get(const jv *obj, const char *key)
{
	if (!obj || obj->type != 'o')
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

int json_to_u64(const jv *v, uint64_t *out)
{
	if (!v || v->type != 'd' || !v->text[0] || strspn(v->text, "0123456789") != strlen(v->text))
		return -1;
	errno = 0;
	unsigned long long x = strtoull(v->text, NULL, 10);
	if (errno == ERANGE)
		return -1;
	*out = (uint64_t)x;
	return 0;
}


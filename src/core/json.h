/* json.h: the small JSON of relush's results files (core-internal). The
 * writer appends to an rl_strbuf; the reader builds a DOM whose numbers keep
 * their text, so 64-bit (and 128-bit) integers are read exactly, which a
 * reader going through doubles would round. */
#ifndef RELUSH_JSON_H
#define RELUSH_JSON_H

#include <stddef.h>
#include <stdint.h>
#include "relush/strbuf.h"

/* ---- writing ---- */
void json_u64(rl_strbuf *b, uint64_t v);
/* Doubles round-trip with %.17g; NaN and infinities become null. */
void json_double(rl_strbuf *b, double v);
void json_bool(rl_strbuf *b, int v);
void json_string(rl_strbuf *b, const char *s);
/* "key": with the comma before it unless it opens an object */
void json_key(rl_strbuf *b, const char *key);
/* "key": and the bracket ("{" or "[") that opens its value */
void json_open(rl_strbuf *b, const char *key, const char *bracket);
/* "key":value, the key as by json_key */
void json_field_u64(rl_strbuf *b, const char *key, uint64_t v);
void json_field_double(rl_strbuf *b, const char *key, double v);
void json_field_bool(rl_strbuf *b, const char *key, int v);
void json_field_string(rl_strbuf *b, const char *key, const char *s);
/* n integers stride bytes apart, as a list */
void json_u64_list(rl_strbuf *b, const uint64_t *v, size_t n, size_t stride);

/* ---- reading ---- */
typedef struct jv {
	char type;               /* 'z' null, 'b' boolean, 'd' number, 's' string, 'a' array, 'o' object */
	int boolean;
	char *text;              /* number token or unescaped string */
	size_t n, cap;
	struct jv *items;        /* array items, object values */
	char **keys;             /* object keys */
} jv;

void jv_free(jv *v);
/* Parses text[0..len) as exactly one JSON value (whitespace around it) into
 * *root, the tree taking at most budget bytes. 0, or -1 with *expected set to
 * what was expected there ("memory" and "budget" for the two limits) and
 * *column to the 1-based column; *root is then partly filled: jv_free it. */
int json_parse(const char *text, size_t len, double budget, jv *root, const char **expected,
               size_t *column);
/* obj[key], or NULL when obj is no object or has no such key */
const jv *json_get(const jv *obj, const char *key);
/* v as a non-negative integer below 2^64: 0, or -1 */
int json_to_u64(const jv *v, uint64_t *out);

#endif

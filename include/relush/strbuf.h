/* strbuf.h: the one growable string buffer of relush (JSON lines, CSV
 * tables, plot files). Appending never fails loudly: the first failure is
 * remembered (oom, and err when a budget is set) and the caller checks once
 * at the end, so building a long text needs no error path per piece. */
#ifndef RELUSH_STRBUF_H
#define RELUSH_STRBUF_H

#include <stddef.h>
#include "relush/err.h"

typedef struct rl_strbuf {
	char *p;                 /* NUL-terminated text, NULL while empty */
	size_t len, cap;
	int oom;                 /* set by the first failed append */
	const char *budget;      /* non-NULL: growth is checked against the memory
	                          * limit (rl_mem_check) under this name */
	rl_err err;              /* why, once oom is set */
} rl_strbuf;

/* Start from a zeroed rl_strbuf (= {0}). */
void rl_sb_add(rl_strbuf *b, const char *s, size_t n);
void rl_sb_put(rl_strbuf *b, const char *s);
void rl_sb_printf(rl_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text (caller frees; "" when nothing was added), or NULL after a
 * failure; the text is handed over or freed either way, oom and err stay. */
char *rl_sb_take(rl_strbuf *b);
void rl_sb_free(rl_strbuf *b);

#endif

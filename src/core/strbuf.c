/* strbuf.c: the growable string buffer (relush/strbuf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "relush/alloc.h"
#include "relush/strbuf.h"

static void fail(rl_strbuf *b, const char *why)
{
	if (!b->oom)
		rl_fail(&b->err, "%s %s", why, b->budget ? b->budget : "a text");
	b->oom = 1;
}

void rl_sb_add(rl_strbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (b->budget && rl_mem_check((double)cap, b->budget, &b->err)) {
			b->oom = 1;
			return;
		}
		char *p = realloc(b->p, cap);
		if (!p) {
			fail(b, "out of memory building");
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void rl_sb_put(rl_strbuf *b, const char *s) { rl_sb_add(b, s, strlen(s)); }

void rl_sb_printf(rl_strbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fail(b, "a format error building");
		return;
	}
	if ((size_t)n < sizeof small) {
		rl_sb_add(b, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		fail(b, "out of memory building");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rl_sb_add(b, big, (size_t)n);
	free(big);
}

char *rl_sb_take(rl_strbuf *b)
{
	char *p = b->p;
	if (b->oom) {
		free(p);
		p = NULL;
	} else if (!p) {
		p = calloc(1, 1);
	}
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void rl_sb_free(rl_strbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

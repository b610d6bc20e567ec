/* csv.c: the one CSV writer (see relush/csv.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "relush/alloc.h"
#include "relush/csv.h"
#include "relush/files.h"

static void put(rl_csv *c, const char *s, size_t n)
{
	if (c->out_of_memory)
		return;
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 256;
		while (cap < c->len + n + 1)
			cap *= 2;
		if (rl_mem_check((double)cap, "the CSV table", &c->err)) {
			c->out_of_memory = 1;
			return;
		}
		char *d = realloc(c->data, cap);
		if (!d) {
			c->out_of_memory = 1;
			rl_fail(&c->err, "out of memory writing CSV");
			return;
		}
		c->data = d;
		c->cap = cap;
	}
	memcpy(c->data + c->len, s, n);
	c->len += n;
	c->data[c->len] = 0;
}

static void next_cell(rl_csv *c)
{
	if (c->cells++)
		put(c, ",", 1);
}

void csv_number(rl_csv *c, double v)
{
	next_cell(c);
	if (isnan(v))
		return;
	char buf[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	put(c, buf, strlen(buf));
}

static void put_escaped(rl_csv *c, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			put(c, "\"", 1);   /* a quote inside a quoted cell is doubled */
		put(c, s, 1);
	}
}

void csv_text(rl_csv *c, const char *text, const char *suffix)
{
	next_cell(c);
	int quote = strpbrk(text, ",\"\n\r") || strpbrk(suffix, ",\"\n\r");
	if (quote)
		put(c, "\"", 1);
	put_escaped(c, text);
	put_escaped(c, suffix);
	if (quote)
		put(c, "\"", 1);
}

void csv_end_row(rl_csv *c)
{
	put(c, "\n", 1);
	c->cells = 0;
}

char *csv_finish(rl_csv *c, rl_err *e)
{
	char *s = c->out_of_memory ? NULL : c->data ? c->data : calloc(1, 1);
	if (!s) {
		free(c->data);
		if (c->out_of_memory)
			*e = c->err;
		else
			rl_fail(e, "out of memory writing CSV");
	}
	memset(c, 0, sizeof *c);
	return s;
}

void csv_discard(rl_csv *c)
{
	free(c->data);
	memset(c, 0, sizeof *c);
}

int csv_write(rl_csv *c, const char *path, rl_err *e)
{
	char *s = csv_finish(c, e);
	if (!s)
		return -1;
	int r = rl_write_atomic(path, s, strlen(s), e);
	free(s);
	return r;
}

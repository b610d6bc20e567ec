/* csv.c: the one CSV writer (see relush/csv.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "relush/alloc.h"
#include "relush/csv.h"
#include "relush/files.h"
#include "relush/strbuf.h"

static void put(rl_csv *c, const char *s, size_t n)
{
	c->text.budget = "the CSV table";   /* checked against limits.memory */
	rl_sb_add(&c->text, s, n);
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
	char *s = rl_sb_take(&c->text);
	if (!s) {
		if (c->text.oom)
			*e = c->text.err;
		else
			rl_fail(e, "out of memory writing CSV");
	}
	memset(c, 0, sizeof *c);
	return s;
}

void csv_discard(rl_csv *c)
{
	rl_sb_free(&c->text);
	memset(c, 0, sizeof *c);
}

int csv_write(rl_csv *c, const char *path, rl_err *e)
{
	return rl_write_text(path, csv_finish(c, e), e);
}

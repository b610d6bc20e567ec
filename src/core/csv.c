/* csv.c: CSV tables (see relush/csv.h). The text grows in one buffer whose
 * size is checked against the memory budget. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "relush/alloc.h"
#include "relush/csv.h"
#include "relush/files.h"

struct rl_csv {
	size_t ncols;
	char *text;
	size_t len, cap;
};

static int append(rl_csv *t, const char *s, size_t n, rl_err *e)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		while (cap < t->len + n + 1)
			cap *= 2;
		if (rl_mem_check((double)cap, "the CSV table", e))
			return -1;
		char *text = realloc(t->text, cap);
		if (!text)
			return rl_fail(e, "out of memory building the CSV table");
		t->text = text;
		t->cap = cap;
	}
	memcpy(t->text + t->len, s, n);
	t->len += n;
	t->text[t->len] = '\0';
	return 0;
}

/* A cell quoted when it holds a separator, a quote or a line break. */
static int text_cell(rl_csv *t, const char *s, rl_err *e)
{
	if (!strpbrk(s, ",\"\n\r"))
		return append(t, s, strlen(s), e);
	if (append(t, "\"", 1, e))
		return -1;
	for (const char *p = s; *p; p++)
		if (append(t, p, 1, e) || (*p == '"' && append(t, "\"", 1, e)))
			return -1;
	return append(t, "\"", 1, e);
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v. */
static int number_cell(rl_csv *t, double v, rl_err *e)
{
	if (isnan(v))
		return 0;
	char buf[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return append(t, buf, strlen(buf), e);
}

rl_csv *csv_new(size_t ncols, const char *const *columns, rl_err *e)
{
	rl_csv *t = rl_calloc(1, sizeof *t, "the CSV table", e);
	if (!t)
		return NULL;
	t->ncols = ncols;
	for (size_t j = 0; j < ncols; j++)
		if ((j && append(t, ",", 1, e)) || text_cell(t, columns[j], e)) {
			csv_free(t);
			return NULL;
		}
	if (append(t, "\n", 1, e)) {
		csv_free(t);
		return NULL;
	}
	return t;
}

void csv_free(rl_csv *t)
{
	if (t) {
		free(t->text);
		free(t);
	}
}

int csv_row(rl_csv *t, const double *values, const char *const *text, rl_err *e)
{
	for (size_t j = 0; j < t->ncols; j++) {
		if (j && append(t, ",", 1, e))
			return -1;
		if (text && text[j] ? text_cell(t, text[j], e) : number_cell(t, values[j], e))
			return -1;
	}
	return append(t, "\n", 1, e);
}

int csv_write(const rl_csv *t, const char *path, rl_err *e)
{
	return rl_write_atomic(path, t->text, t->len, e);
}

/* csv.h: tables written as CSV (RFC 4180) for pandas, R and spreadsheets:
 * a header of named columns, then one row per record. Numbers are written
 * as the shortest decimal that reads back as the same double, missing
 * values (NaN) as empty cells; names are quoted when they need it. */
#ifndef RELUSH_CSV_H
#define RELUSH_CSV_H

#include <stddef.h>
#include "relush/err.h"

typedef struct rl_csv rl_csv;

/* An empty table with ncols named columns; NULL with a message. */
rl_csv *csv_new(size_t ncols, const char *const *columns, rl_err *e);
void csv_free(rl_csv *t);
/* Appends one row: a number per column (NaN for an empty cell), or, where
 * text is non-NULL and text[j] is non-NULL, that text in column j. */
int csv_row(rl_csv *t, const double *values, const char *const *text, rl_err *e);
/* Writes the table to path through rl_write_atomic. */
int csv_write(const rl_csv *t, const char *path, rl_err *e);

#endif

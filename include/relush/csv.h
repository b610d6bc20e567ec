/* csv.h: the one CSV writer (plot data, sweep tables): the form pandas'
 * read_csv and R's read.csv read without options. Cells are separated by
 * commas, rows end in "\n", text is quoted when it holds a comma, quote or
 * line break, numbers are the shortest decimal that reads back exactly and
 * NaN is an empty cell. */
#ifndef RELUSH_CSV_H
#define RELUSH_CSV_H

#include <stddef.h>
#include "relush/err.h"
#include "relush/strbuf.h"

typedef struct rl_csv {
	rl_strbuf text;          /* the table so far, with its first failure */
	size_t cells;            /* cells in the current row */
} rl_csv;

void csv_number(rl_csv *c, double v);
/* text followed by suffix ("" for none), as one cell */
void csv_text(rl_csv *c, const char *text, const char *suffix);
void csv_end_row(rl_csv *c);
/* Every cell goes into one growing text whose size is checked against the
 * memory budget (limits.memory); the first failure is kept and reported by
 * csv_finish. Start from a zeroed rl_csv. */

/* The text (caller frees), or NULL with e filled; c is emptied either way. */
char *csv_finish(rl_csv *c, rl_err *e);
/* Finishes c and writes it to path with rl_write_atomic. */
int csv_write(rl_csv *c, const char *path, rl_err *e);
/* Drops an unfinished table (an error path); c is emptied. */
void csv_discard(rl_csv *c);

#endif

/* plot_impl.h: what the plot files share (src/plot, not installed): the
 * axes (axes.c), UTF-8 text measures (text.c) and the string buffer every
 * back end writes into, the core's rl_strbuf. */
#ifndef RELUSH_PLOT_IMPL_H
#define RELUSH_PLOT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include "plot/plot.h"
#include "relush/strbuf.h"

/* ---- the string buffer ---- */
typedef rl_strbuf sbuf;
static inline void sb_putn(sbuf *b, const char *s, size_t n) { rl_sb_add(b, s, n); }
static inline void sb_puts(sbuf *b, const char *s) { rl_sb_put(b, s); }
#define sb_printf rl_sb_printf
/* Hands the string over, or frees it and fails when memory ran out. */
static inline char *sb_finish(sbuf *b, rl_err *e)
{
	char *s = b->p ? rl_sb_take(b) : NULL;
	if (!s) {
		rl_sb_free(b);
		rl_fail(e, "out of memory while drawing the plot");
	}
	return s;
}

/* ---- axes (axes.c) ---- */
#define MAX_TICKS 64

typedef struct axis {
	bool log;
	double lo, hi;               /* in axis units: the value, or log10 of it */
	int nticks;
	double tick[MAX_TICKS];      /* axis units */
	char label[MAX_TICKS][48];
} axis;

double axis_frac(const axis *a, double v);
void setup_axes(const plot *p, axis *ax, axis *ay, int xtarget, int ytarget);

/* ---- text (text.c) ---- */
size_t utf8_seq_len(unsigned char c);
size_t text_columns(const char *s);

#endif

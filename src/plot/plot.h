/* plot.h: line plots with one renderer and three back ends: a terminal
 * canvas (Unicode braille, 2x4 dots per character cell, or plain ASCII), a
 * standalone SVG file and a CSV file. Plain C: no Lua, no curses, so the
 * text back end is testable anywhere and the shell, the view and scripts
 * share it.
 *
 * A plot has one x vector and any number of series over it. A series value
 * may be NaN, which leaves a gap in its curve (and an empty CSV cell). On a
 * log axis every finite value must be > 0; the axes handle values down to
 * the smallest double (1e-300 and below) because all positions are computed
 * from log10 of the value, never from the value itself. */
#ifndef RELUSH_PLOT_H
#define RELUSH_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include "relush/err.h"

/* How a series is drawn. */
enum plot_style {
	PLOT_LINE,     /* a solid line (the default) */
	PLOT_DASHED,   /* a dashed line: bounds, predictions */
	PLOT_DOTTED,
	PLOT_POINTS    /* markers only: measurements */
};

typedef struct plot_series {
	char *name;
	double *y;            /* n values (NaN: no value at that x) */
	double *lo, *hi;      /* an error band, both NULL or both n values */
	enum plot_style style;
	int colour;           /* palette index (0-based); -1: the series' own, k */
} plot_series;

/* A horizontal (vertical == false: y = value) or vertical (x = value)
 * reference line, drawn thin and grey with its label. */
typedef struct plot_ref {
	char *label;          /* may be NULL */
	double value;
	bool vertical;
} plot_ref;

typedef struct plot {
	size_t n;             /* points per series */
	double *x;            /* n finite values */
	size_t nseries;
	plot_series *series;
	size_t nrefs;
	plot_ref *refs;
	char *title, *xlabel, *ylabel;   /* NULL when absent */
	bool logx, logy;
	/* Axis limits: NaN means "from the data". */
	double xmin, xmax, ymin, ymax;
} plot;

/* ---- building ------------------------------------------------------------- */
/* A new plot over x[0..n-1] (copied), with no series, linear axes and
 * automatic limits. n >= 1. NULL with a message on failure. */
plot *plot_new(const double *x, size_t n, rl_err *e);
void plot_free(plot *p);
/* Strings are copied; any may be NULL. */
int plot_set_labels(plot *p, const char *title, const char *xlabel, const char *ylabel, rl_err *e);
/* Adds a series of p->n values (copied); lo and hi are both NULL or both
 * given. Returns its index, or -1 with a message. Its colour is then
 * series[index].colour (-1 by default: the index's palette entry; a bound
 * and its measurement can share a colour). */
int plot_add_series(plot *p, const char *name, const double *y, const double *lo,
                    const double *hi, enum plot_style style, rl_err *e);
int plot_add_ref(plot *p, const char *label, double value, bool vertical, rl_err *e);
/* Checks the whole plot before drawing: at least one series; every x finite
 * (and > 0 on a log x axis); every y, lo, hi finite or NaN (and > 0 on a log
 * y axis); each series with at least one value; lo <= hi; the limits
 * consistent. The message names the series and the index. */
int plot_check(const plot *p, rl_err *e);

/* ---- terminal ------------------------------------------------------------- */
typedef struct plot_text_opts {
	int width, height;    /* the whole picture in character cells */
	bool ascii;           /* plain ASCII instead of braille */
	bool colour;          /* ANSI colours per series (braille and ASCII) */
} plot_text_opts;

#define PLOT_PALETTE 10       /* colours before they repeat */
#define PLOT_TEXT_MIN_WIDTH 24
#define PLOT_TEXT_MIN_HEIGHT 8
#define PLOT_TEXT_MAX 1000

/* Defaults: 72 x 20, braille when the locale is UTF-8, no colour. */
void plot_text_defaults(plot_text_opts *o);
/* Does the environment's locale (LC_ALL, LC_CTYPE, LANG) use UTF-8? */
bool plot_locale_utf8(void);
/* Renders p as exactly o->height lines of exactly o->width display columns
 * (ANSI colour codes aside), each ending in '\n'. Returns a malloc'ed
 * string, or NULL with a message. */
char *plot_text(const plot *p, const plot_text_opts *o, rl_err *e);

/* ---- files (written to a temporary file renamed into place) -------------- */
typedef struct plot_svg_opts {
	int width, height;    /* pixels; defaults 760 x 460 */
} plot_svg_opts;
void plot_svg_defaults(plot_svg_opts *o);
/* A standalone SVG document (a malloc'ed string) / written to path. */
char *plot_svg_string(const plot *p, const plot_svg_opts *o, rl_err *e);
int plot_write_svg(const plot *p, const char *path, const plot_svg_opts *o, rl_err *e);
/* CSV: a header "x,<name>[,<name>_lo,<name>_hi],..." then one row per x;
 * values round-trip exactly; NaN is an empty cell. */
char *plot_csv_string(const plot *p, rl_err *e);
int plot_write_csv(const plot *p, const char *path, rl_err *e);

/* ---- the shell's Lua binding (lplot.c) -------------------------------------
 * Defines the global table `plot` (also package.loaded.relush.plot) and
 * registers its help entries. Declared without lua.h so this header stays
 * free of Lua. */
struct lua_State;
void plot_open_lua(struct lua_State *L);

#endif

/* render.h: the one renderer of the live view. It draws a model into an
 * abstract grid, given the view's state (scroll position, aggregation,
 * colours, glyph set); term.c shows the grid with ncurses and grid.c turns
 * it into text for view.snapshot. */
#ifndef RELUSH_VIEW_RENDER_H
#define RELUSH_VIEW_RENDER_H

#include "view/grid.h"
#include "view/model.h"

/* How active fractions are shown. */
enum view_colours {
	VIEW_RAMP = 0,    /* a density ramp of characters (no colours, NO_COLOR, text) */
	VIEW_COLOUR8,     /* the 8 ANSI colours */
	VIEW_COLOUR256    /* a 256-colour gradient */
};

/* The character ramp for an active fraction f in (0, 1]: RAMP[ceil(9 f) - 1].
 * A dead neuron is 'x' in every mode (on its colour in colour, so the
 * legend, the help and the demos can say "x"); a layer no point reaches is
 * blank (a dim dot in colour). The Monte Carlo raster uses the same ramp
 * for the share of X living after a layer in one trial, 'x' where the
 * trial's net died (its last point), and a blank below it. */
#define VIEW_RAMP_CHARS ".:-=+*#%@"
#define VIEW_RAMP_LEVELS 9

/* Sizes below these show "terminal too small" instead of the view. */
#define VIEW_MIN_WIDTH 60
#define VIEW_MIN_HEIGHT 8

typedef struct view_state {
	int colours;          /* enum view_colours */
	int unicode;          /* UTF-8 block and box glyphs (else ASCII) */
	int interactive;      /* draw the key line (not in snapshots) */
	int agg;              /* neurons per heat cell; 0: as many as fit (auto) */
	size_t top_layer;     /* vertical scroll: first layer row shown (0-based) */
	size_t first_cell;    /* horizontal scroll: first heat cell shown */
	int help;             /* the help box is shown */
	int help_top;         /* its first line shown, when it is taller than the screen */
	int paused;           /* the display is frozen */
	int engine_paused;    /* the computation is paused (p) */
	int log_y;            /* the P(alive) chart has a log axis (y) */
	int contrast;         /* the high-contrast palette (c): glyphs on strong colours */
	/* Filled by view_render, for the key handler: */
	int layer_rows;       /* layers on screen */
	int row_h;            /* screen rows per layer (they grow to use the height) */
	int cell_w;           /* screen columns per heat cell (they grow for narrow nets) */
	int heat_cols;        /* heat cells on screen */
	int agg_used;         /* neurons per cell in the last frame */
	size_t cells_total;   /* heat cells of the widest layer */
	int too_small;
	int help_hidden;      /* help lines that do not fit (0: the box fits) */
} view_state;

/* Draws the whole screen into g (its size is the screen's). */
void view_render(const view_model *m, view_state *s, view_grid *g);

/* Rows a snapshot needs to show every layer (and, for Monte Carlo, the curve). */
int view_render_full_height(const view_model *m, const view_state *s);

/* The character for an active fraction (level 1..9) and the colour level
 * (1..VIEW_HEAT_LEVELS); f in (0, 1]. */
int view_ramp_level(double f);
int view_heat_level(double f);

/* Shared by the renderer's parts (render.c, chart.c, inputs.c). */
void view_fmt_prob(char *buf, size_t len, double p);    /* %.4f, or %.3g when tiny */
/* view_fmt_prob with 1 - p known more accurately (gap; NAN: 1 - p), never
 * "1" below 1 nor "0" above 0 (relush/probtext.h); len limits the text */
void view_fmt_bound(char *buf, size_t len, double p, double gap);
#define VIEW_PROB_DIGITS 3   /* significant digits of d in "1 - d" */
void view_fmt_count(char *buf, size_t len, double v);   /* 12.3k, 4.56M */
/* chart.c: pads a probability axis range [lo, hi] (log10 units on a log
 * axis) to a readable minimum span plus a margin, kept within [0, 1]
 * (<= 0 on a log axis). Also the sweep view's (sweep_view.c). */
void view_prob_range_pad(double *lo, double *hi, int log_axis);
/* The running P(alive) chart in the rectangle at (x, y), w x h. */
void view_draw_chart(const view_model *m, const view_state *s, view_grid *g,
                     int x, int y, int w, int h);

#endif

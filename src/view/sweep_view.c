/* sweep_view.c: the live view of a whole sweep, mc.sweep{..., view = true}.
 * One screen for all the points: P(alive) with its 95 % interval, L and U
 * against the swept parameter, a point added as each run finishes, and
 * the running point's progress (trials done, rate). It is the sweep's
 * observer (src/lua/sweep_observer.h): each point's mc reports the
 * engine's own progress structure here (mc_observer.h), and a finished
 * point's estimate is read from the same counts, C to C. q or Esc stops
 * the sweep (its finished points are returned); Ctrl-C restores the
 * terminal and goes on to the shell, which stops the whole command (the
 * finished points wait in mc.partial_sweep). Without a usable terminal
 * (TERM=dumb, output not a terminal) the sweep runs as usual and the
 * view's text is printed at its end. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curses.h>
#include <lauxlib.h>
#include "relush/bounds.h"
#include "relush/interrupt.h"
#include "relush/mat.h"
#include "relush/probtext.h"
#include "lua/sweep_observer.h"
#include "view/grid.h"
#include "view/render.h"
#include "view/session.h"
#include "view/term.h"
#include "view/view.h"

#define KEY_ESCAPE 27
#define TEXT_WIDTH 80       /* the printed snapshot */
#define TEXT_CHART_ROWS 14
#define LABEL_MAX 64
#define Z95 1.959963984540054

/* Distinct per curve, also without colour. */
static const char curve_marks[] = "ox+*#@%&";

typedef struct sweep_point {
	size_t x_index, curve;
	char label[LABEL_MAX];
	double p, lo, hi, lower, upper;   /* from the run's final counts */
	double lower_death;               /* 1 - L, accurate when tiny (bound_death) */
	uint64_t trials;
	double rate;
} sweep_point;

typedef struct sweep_view {
	int active;          /* a sweep is followed */
	int terminal;        /* drawn in the terminal (else printed at the end) */
	int left;            /* q, Esc or a signal closed the view */
	char x_name[32];
	size_t x_count, planned, curves;
	char (*x_text)[16];  /* per x position: its value as text */
	sweep_point *points; /* the finished ones */
	size_t count;
	/* the running point */
	int running;
	sweep_point cur;
	uint64_t done, total, alive;
	double last_draw;
	view_grid grid;
} sweep_view;

static sweep_view sv;

/* ---- drawing ------------------------------------------------------------------ */

typedef struct axis {
	double lo, hi;       /* in axis units (log10 on a log axis) */
	int log, top, rows;
} axis;

static double axis_value(const axis *a, double v)
{
	if (!a->log)
		return v;
	return v > 0 ? log10(v) : a->lo;
}

static int axis_row(const axis *a, double v)
{
	double t = (a->hi - axis_value(a, v)) / (a->hi - a->lo);
	long r = lround(t * (a->rows - 1));
	return a->top + (r < 0 ? 0 : r > a->rows - 1 ? a->rows - 1 : (int)r);
}

/* y range over every finished point's estimate, interval, L and U (when
 * below 1); a log axis when the values span more than a factor of 20, as
 * P(alive) across depths does. */
static void choose_axis(axis *a)
{
	double lo = INFINITY, hi = -INFINITY, pos_lo = INFINITY;
	for (size_t i = 0; i < sv.count; i++) {
		const sweep_point *q = &sv.points[i];
		double v[5] = {q->p, q->lo, q->hi, q->lower, q->upper < 1 ? q->upper : NAN};
		for (int k = 0; k < 5; k++) {
			if (!isfinite(v[k]))
				continue;
			if (v[k] < lo) lo = v[k];
			if (v[k] > hi) hi = v[k];
			if (v[k] > 0 && v[k] < pos_lo) pos_lo = v[k];
		}
	}
	if (!(hi >= lo)) {
		lo = 0;
		hi = 1;
	}
	a->log = hi > 0 && isfinite(pos_lo) && hi / pos_lo > 20;
	if (a->log) {
		lo = log10(pos_lo);
		hi = log10(hi);
	}
	view_prob_range_pad(&lo, &hi, a->log);
	a->lo = lo;
	a->hi = hi;
}

static int x_column(size_t x_index, int left, int width)
{
	return left + (int)((2 * x_index + 1) * (size_t)width / (2 * sv.x_count));
}

static int draw_chart(view_grid *g, int top, int rows, int unicode)
{
	axis a = {0, 0, 0, top, rows};
	choose_axis(&a);
	const int left = 10, width = g->width - left - 1;
	const char *vline = unicode ? "\xe2\x94\x82" : "|", *hline = unicode ? "\xe2\x94\x80" : "-";
	for (int r = 0; r < rows; r++) {
		view_grid_glyph(g, left - 1, top + r, vline, VS_DIM);
		/* a tick label every fourth row, and on the last unless one is near */
		if (r % 4 == 0 || (r == rows - 1 && r % 4 >= 2)) {
			double t = r == rows - 1 ? a.lo : a.hi - (a.hi - a.lo) * r / (rows - 1);
			/* on a linear axis, the digits that tell labels 4 rows apart
			 * (at 3, P near 1 was labelled 0.999 twice); 8 columns hold 6 */
			int sig = 3;
			double step = (a.hi - a.lo) * 4 / (rows - 1);
			if (!a.log && t != 0 && step > 0) {
				int need = (int)ceil(log10(fabs(t) / step)) + 1;
				sig = need < 3 ? 3 : need > 6 ? 6 : need;
			}
			view_grid_printf(g, 0, top + r, VS_DIM, "%8.*g", sig, a.log ? pow(10, t) : t);
		}
	}
	view_grid_fill(g, left - 1, top + rows, width + 1, hline, VS_DIM);
	view_grid_printf(g, 0, top - 1, VS_HEADER, "P(alive)%s", a.log ? " (log scale)" : "");
	/* x tick labels that do not overlap */
	int free_from = left - 1;
	for (size_t i = 0; i < sv.x_count; i++) {
		const char *t = sv.x_text[i];     /* empty until its first point runs */
		int x = x_column(i, left, width) - (int)strlen(t) / 2;
		if (x >= free_from) {
			view_grid_text(g, x, top + rows + 1, t, VS_DIM);
			free_from = x + (int)strlen(t) + 1;
		}
	}
	view_grid_printf(g, 0, top + rows + 1, VS_HEADER, "%.8s", sv.x_name);
	/* each finished point: interval, bounds, then the estimate on top */
	for (size_t i = 0; i < sv.count; i++) {
		const sweep_point *q = &sv.points[i];
		int x = x_column(q->x_index, left, width);
		if (sv.curves > 1 && width / (int)sv.x_count >= 5)
			x += (int)(q->curve % 3) - 1;     /* side by side at one x */
		int r_hi = axis_row(&a, q->hi), r_lo = axis_row(&a, q->lo);
		for (int r = r_hi; r <= r_lo; r++)
			view_grid_glyph(g, x, r, unicode ? "\xe2\x94\x82" : "|", VS_BAND);
		/* a log axis has no place for 0 (P where no trial lived, a bound
		 * that underflowed): such a bound is left out, and such an estimate
		 * sits on the x axis, below every row, as the legend says; on the
		 * bottom row it read as a value there, below L */
		if (q->upper < 1 && (!a.log || q->upper > 0) && axis_value(&a, q->upper) <= a.hi)
			view_grid_glyph(g, x, axis_row(&a, q->upper), "=", VS_UPPER);
		if (!a.log || q->lower > 0)
			view_grid_glyph(g, x, axis_row(&a, q->lower), "-", VS_LOWER);
		char mark[2] = {curve_marks[q->curve % (sizeof curve_marks - 1)], 0};
		view_grid_glyph(g, x, a.log && !(q->p > 0) ? top + rows : axis_row(&a, q->p), mark, VS_CURVE);
	}
	return a.log;
}

/* Whether the chart shows an estimate of 0 on its log axis (on the x axis) */
static int zero_on_log_axis(void)
{
	axis a = {0, 0, 0, 0, 2};
	choose_axis(&a);
	for (size_t i = 0; a.log && i < sv.count; i++)
		if (!(sv.points[i].p > 0))
			return 1;
	return 0;
}

/* The table's columns after the label, most needed first: a narrow screen
 * leaves out whole columns from the end, never a cut number. */
enum { COL_P, COL_CI, COL_L, COL_RATIO, COL_TRIALS, COL_COUNT };
static const struct { const char *head, *fmt; int width; } table_cols[COL_COUNT] = {
	{"P(alive)", " %*s", 10}, {"95% interval", "  %-*s", 22}, {"L", " %*s", 10}, {"P/L", " %*s", 7},
	{"trials", " %*s", 9}};     /* width: with the spaces before */
#define COL_SPACES(c) ((c) == COL_CI ? 2 : 1)
/* a cell's text with its NUL; each end of the interval, within "[a, b]" */
#define CELL_LEN(c) ((size_t)(table_cols[c].width - COL_SPACES(c) + 1))
#define CI_END_LEN ((22 - 2 - 4) / 2 + 1)

static void draw_table(view_grid *g, int top, int rows)
{
	if (rows < 1)
		return;
	/* the label column as wide as the longest label, within the screen */
	int label = 5;
	for (size_t i = 0; i < sv.count; i++)
		if ((int)strlen(sv.points[i].label) > label)
			label = (int)strlen(sv.points[i].label);
	int room = g->width - 2 - table_cols[COL_P].width;
	if (label > room)
		label = room > 5 ? room : 5;
	int shown = 0, used = 2 + label;
	while (shown < COL_COUNT && used + table_cols[shown].width <= g->width) {
		used += table_cols[shown].width;
		shown++;
	}
	int x = view_grid_printf(g, 0, top, VS_HEADER, "  %-*s", label, "point");
	for (int c = 0; c < shown; c++)
		x = view_grid_printf(g, x, top, VS_HEADER, table_cols[c].fmt,
		                     table_cols[c].width - COL_SPACES(c), table_cols[c].head);
	size_t first = sv.count > (size_t)rows ? sv.count - (size_t)rows : 0;
	for (size_t i = first; i < sv.count; i++) {
		const sweep_point *q = &sv.points[i];
		char cell[COL_COUNT][48];
		/* never "1" below 1 nor "0" above 0, in the columns' widths */
		char lo[CI_END_LEN], hi[CI_END_LEN];
		prob_text(cell[COL_P], CELL_LEN(COL_P), "%.4g", q->p, NAN, VIEW_PROB_DIGITS);
		prob_text(lo, sizeof lo, "%.4g", q->lo, NAN, VIEW_PROB_DIGITS);
		prob_text(hi, sizeof hi, "%.4g", q->hi, NAN, VIEW_PROB_DIGITS);
		snprintf(cell[COL_CI], sizeof cell[COL_CI], "[%s, %s]", lo, hi);
		prob_text(cell[COL_L], CELL_LEN(COL_L), "%.4g", q->lower, q->lower_death, VIEW_PROB_DIGITS);
		if (q->lower > 0)
			snprintf(cell[COL_RATIO], sizeof cell[COL_RATIO], "%.3g", q->p / q->lower);
		else
			snprintf(cell[COL_RATIO], sizeof cell[COL_RATIO], "-");
		snprintf(cell[COL_TRIALS], sizeof cell[COL_TRIALS], "%llu", (unsigned long long)q->trials);
		int y = top + 1 + (int)(i - first);
		x = view_grid_printf(g, 0, y, VS_TEXT, "%c %-*.*s", curve_marks[q->curve % (sizeof curve_marks - 1)],
		                     label, label, q->label);
		for (int c = 0; c < shown; c++)
			x = view_grid_printf(g, x, y, VS_TEXT, table_cols[c].fmt,
			                     table_cols[c].width - COL_SPACES(c), cell[c]);
	}
}

/* The whole screen: title, running point, chart, legend, table, keys. */
static void render(view_grid *g, int chart_rows, int unicode)
{
	view_grid_clear(g);
	/* the header lines shorten and leave out whole fields, never cut a number */
	char what[96], what_short[96], done[64], done_short[64];
	snprintf(what, sizeof what, "mc.sweep: P(alive) against %s", sv.x_name);
	snprintf(what_short, sizeof what_short, "P(alive) against %s", sv.x_name);
	snprintf(done, sizeof done, ", %zu of %zu points done", sv.count, sv.planned);
	snprintf(done_short, sizeof done_short, ", %zu/%zu done", sv.count, sv.planned);
	view_field title[] = {
		{{what, what_short, NULL}, VS_TITLE, VIEW_FIELD_ALWAYS},
		{{done, done_short, NULL}, VS_TITLE, VIEW_FIELD_ALWAYS},
	};
	view_grid_fit(g, 0, 0, g->width, title, 2);
	if (sv.running) {
		double pct = sv.total ? 100.0 * (double)sv.done / (double)sv.total : 0;
		unsigned long long n = (unsigned long long)sv.done, total = (unsigned long long)sv.total;
		char point[96], trials[64], trials_short[32], rate[48], p[48];
		snprintf(point, sizeof point, "running %s: ", sv.cur.label);
		snprintf(trials, sizeof trials, "%llu of %llu trials (%.0f%%)", n, total, pct);
		snprintf(trials_short, sizeof trials_short, "%.0f%% of %llu", pct, total);
		snprintf(rate, sizeof rate, ", %.3g trials/s", sv.cur.rate);
		char so_far[24];
		prob_text(so_far, sizeof so_far, "%.4g", sv.done ? (double)sv.alive / (double)sv.done : 0.0, NAN,
		          VIEW_PROB_DIGITS);
		snprintf(p, sizeof p, ", P so far %s", so_far);
		view_field running[] = {
			{{point, NULL}, VS_TEXT, VIEW_FIELD_ALWAYS},
			{{trials, trials_short, NULL}, VS_TEXT, VIEW_FIELD_ALWAYS},
			{{rate, NULL}, VS_TEXT, 2},
			{{p, NULL}, VS_TEXT, 3},
		};
		view_grid_fit(g, 0, 1, g->width, running, 4);
	} else if (sv.count == sv.planned) {
		view_grid_text(g, 0, 1, "every point finished", VS_TEXT);
	} else if (sv.left) {
		view_grid_text(g, 0, 1, "stopped: the finished points are kept", VS_WARN);
	}
	int top = 3;
	draw_chart(g, top, chart_rows, unicode);
	int y = top + chart_rows + 2;
	/* the legend: its glyphs are drawn over their fields' first characters */
	char curves[64] = "";
	if (sv.curves > 1) {           /* the markers in use, one per curve */
		size_t k = 0;
		k += (size_t)snprintf(curves + k, sizeof curves - k, "  ");
		for (size_t c = 0; c < sv.curves && c < 5; c++)
			k += (size_t)snprintf(curves + k, sizeof curves - k, "%c ", curve_marks[c]);
		snprintf(curves + k, sizeof curves - k, "%s", sv.curves > 5 ? "...: curves" : ": curves");
	}
	int zero = zero_on_log_axis();
	view_field legend[] = {
		{{"o P(alive)  ", NULL}, VS_DIM, VIEW_FIELD_ALWAYS},
		{{"| 95% interval  ", "| 95%  ", NULL}, VS_DIM, 4},
		{{"- L lower bound  ", "- L  ", NULL}, VS_DIM, 5},
		{{"= U upper bound", "= U", NULL}, VS_DIM, 5},
		{{curves[0] ? curves : NULL, NULL}, VS_DIM, 3},
		{{zero ? "  on the x axis: P = 0" : NULL, zero ? "  on axis: P = 0" : NULL, NULL}, VS_DIM, 6},
	};
	int at[6];
	view_grid_fit_at(g, 0, y, g->width, legend, 6, at);
	view_grid_glyph(g, at[0], y, "o", VS_CURVE);
	if (at[1] >= 0)
		view_grid_glyph(g, at[1], y, unicode ? "\xe2\x94\x82" : "|", VS_BAND);
	if (at[2] >= 0)
		view_grid_glyph(g, at[2], y, "-", VS_LOWER);
	if (at[3] >= 0)
		view_grid_glyph(g, at[3], y, "=", VS_UPPER);
	for (size_t c = 0; at[4] >= 0 && c < sv.curves && c < 5; c++) {
		char mark[2] = {curve_marks[c], 0};
		view_grid_glyph(g, at[4] + 2 + 2 * (int)c, y, mark, VS_CURVE);
	}
	int table_rows = g->height - (y + 2) - 2;
	draw_table(g, y + 2, table_rows);
	view_field keys = sv.running || sv.count < sv.planned
		? (view_field){{"q/Esc stop the sweep (finished points kept)   Ctrl-C stop the command",
		                "q/Esc stop the sweep (points kept)   Ctrl-C stop the command",
		                "q/Esc stop the sweep", NULL}, VS_STATUS, VIEW_FIELD_ALWAYS}
		: (view_field){{"q/Esc leave", NULL}, VS_STATUS, VIEW_FIELD_ALWAYS};
	if (sv.terminal)
		view_grid_fit(g, 0, g->height - 1, g->width, &keys, 1);
}

/* Rows of the chart for a screen of height rows with n table rows. */
static int chart_rows_for(int height)
{
	int table = (int)sv.count + 1;
	int rest = height - 3 - 2 - 2 - 1;     /* title, axis labels, legend, keys */
	int rows = rest - table;
	if (rows < 6)
		rows = rest - 2 > 6 ? 6 : rest - 2;
	return rows < 3 ? 3 : rows;
}

static void frame(void)
{
	int w, h;
	view_term_size(&w, &h);
	if (w != sv.grid.width || h != sv.grid.height) {
		view_grid_free(&sv.grid);
		if (view_grid_init(&sv.grid, w, h))
			return;
	}
	render(&sv.grid, chart_rows_for(h), view_term_unicode());
	view_term_draw(&sv.grid, 0);
	sv.last_draw = rl_now();
}

static void print_text(void)
{
	view_grid g;
	int height = 3 + TEXT_CHART_ROWS + 2 + 2 + (int)sv.count + 1 + 1;
	if (view_grid_init(&g, TEXT_WIDTH, height))
		return;
	render(&g, TEXT_CHART_ROWS, 0);
	char *text = view_grid_to_text(&g);
	view_grid_free(&g);
	if (text) {
		fputs(text, stdout);
		fflush(stdout);
	}
	free(text);
}

/* Polls keys; 1 when the user leaves or a signal came (*sig set). */
static int poll_keys(int *sig)
{
	int dirty = 0;
	for (int key = view_term_key(0); key != VIEW_KEY_NONE; key = view_term_key(0)) {
		if (key == 'q' || key == 'Q' || key == KEY_ESCAPE)
			return 1;
		dirty = 1;                /* a resize or Ctrl-L: draw again */
	}
	if ((*sig = view_term_signal()) != 0)
		return 1;
	if (dirty)
		frame();
	return 0;
}

/* Leaves the terminal at once; a signal the view took goes on to the shell. */
static void leave(int sig)
{
	sv.left = 1;
	rl_pause_set(0);
	view_term_close();
	view_grid_free(&sv.grid);
	sv.terminal = 0;
	if (sig)
		view_term_reraise(sig);
}

/* ---- the observer of each point's run (mc_observer.h) ----------------------------- */

static int run_begin(void *ctx, const mc_config *cfg)
{
	(void)ctx;
	if (!sv.active || sv.left)
		return -1;
	const rl_net_spec *s = cfg->spec;
	sv.cur.lower = bound_lower(s->widths, s->depth);
	sv.cur.lower_death = bound_death(s->widths, s->depth);
	sv.cur.upper = bound_upper(s->widths, s->depth, (double)s->input, mat_nonnegative(cfg->X),
	                           s->bias.kind == LAW_ZERO);
	sv.running = 1;
	sv.done = sv.alive = 0;
	sv.total = cfg->trials;
	sv.cur.rate = 0;
	if (sv.terminal)
		frame();
	return 0;
}

static int run_progress(void *ctx, const mc_progress *p)
{
	(void)ctx;
	if (!sv.active)
		return 0;
	if (sv.left)
		return !p->final;
	sv.done = p->done;
	sv.total = p->total;
	sv.alive = p->counts->alive_trials;
	sv.cur.rate = p->rate;
	if (p->final) {
		sv.running = 0;
		if (p->done >= p->total && !p->interrupt && p->counts->trials > 0
		    && sv.count < sv.planned) {
			sweep_point *q = &sv.points[sv.count++];
			*q = sv.cur;
			q->trials = p->counts->trials;
			q->p = (double)p->counts->alive_trials / (double)p->counts->trials;
			mc_wilson(p->counts->alive_trials, p->counts->trials, Z95, &q->lo, &q->hi);
		}
		if (sv.terminal) {
			int sig = view_term_signal();
			if (p->interrupt || sig)
				leave(sig);            /* Ctrl-C: the shell stops the command */
			else
				frame();
		}
		return 0;
	}
	if (!sv.terminal)
		return 0;
	int sig = 0;
	if (poll_keys(&sig)) {
		leave(sig);
		return 1;
	}
	if (rl_now() - sv.last_draw >= VIEW_FRAME_INTERVAL)
		frame();
	return 0;
}

static void run_end(void *ctx, int ok)
{
	(void)ctx;
	(void)ok;
	sv.running = 0;
}

static rlua_mc_observer run_observer = {run_begin, run_progress, run_end, NULL};

/* ---- the sweep's observer (sweep_observer.h) ---------------------------------------- */

static void sweep_free(void)
{
	view_grid_free(&sv.grid);
	free(sv.points);
	free(sv.x_text);
	memset(&sv, 0, sizeof sv);
}

static int sweep_begin(void *ctx, const char *x_name, size_t x_count, size_t points)
{
	(void)ctx;
	if (sv.active) {
		fprintf(stderr, "mc.sweep: no live view: another sweep is shown; this one runs without it\n");
		return -1;
	}
	sweep_free();
	sv.points = calloc(points, sizeof *sv.points);
	sv.x_text = calloc(x_count, sizeof *sv.x_text);
	if (!sv.points || !sv.x_text) {
		fprintf(stderr, "mc.sweep: no live view: not enough memory for %zu points\n", points);
		sweep_free();
		return -1;
	}
	snprintf(sv.x_name, sizeof sv.x_name, "%s", x_name);
	sv.x_count = x_count;
	sv.planned = points;
	sv.curves = points / x_count;
	char why[256];
	int usable = view_term_check(why, sizeof why);
	if (usable < 0)
		fprintf(stderr, "mc.sweep: no live view: %s; the sweep goes on and the view's text is "
		        "printed at its end\n", why);
	if (usable > 0) {
		if (view_term_open(why, sizeof why)) {
			fprintf(stderr, "mc.sweep: no live view: %s; the sweep goes on without it\n", why);
			sweep_free();
			return -1;
		}
		sv.terminal = 1;
	}
	sv.active = 1;
	return 0;
}

static void sweep_point_at(void *ctx, size_t x_index, size_t curve, const char *label)
{
	(void)ctx;
	if (!sv.active || x_index >= sv.x_count)
		return;
	memset(&sv.cur, 0, sizeof sv.cur);
	sv.cur.x_index = x_index;
	sv.cur.curve = curve;
	snprintf(sv.cur.label, sizeof sv.cur.label, "%s", label);
	if (!sv.x_text[x_index][0]) {
		/* "depth = 8, width = 3": the x value is the first part's
		 * (a list such as widths = {2,3} up to its brace) */
		const char *v = strstr(label, " = ");
		v = v ? v + 3 : label;
		size_t n = v[0] == '{' ? strcspn(v, "}") + (strchr(v, '}') ? 1 : 0) : strcspn(v, ",");
		if (n >= sizeof sv.x_text[0])
			n = sizeof sv.x_text[0] - 1;
		memcpy(sv.x_text[x_index], v, n);
		sv.x_text[x_index][n] = 0;
	}
}

static int sweep_left(void *ctx)
{
	(void)ctx;
	return sv.active && sv.left;
}

static void sweep_end(void *ctx, int finished)
{
	(void)ctx;
	if (!sv.active)
		return;
	if (sv.terminal && finished && !sv.left) {
		/* the whole curve stays until the user leaves */
		frame();
		for (;;) {
			int key = view_term_key(200);
			int sig = view_term_signal();
			if (sig == SIGINT)
				rl_interrupt_clear();   /* the sweep is over: Ctrl-C only leaves, like q */
			else if (sig)
				leave(sig);             /* SIGTERM goes on once the terminal is restored */
			if (sig)
				break;
			if (key == 'q' || key == 'Q' || key == KEY_ESCAPE)
				break;
			if (key != VIEW_KEY_NONE)
				frame();
		}
	}
	if (sv.terminal)
		view_term_close();
	else if (finished && !sv.left)
		print_text();
	rl_pause_set(0);
	sweep_free();
}

static rlua_sweep_observer the_sweep_observer = {sweep_begin, sweep_point_at, sweep_left, sweep_end,
                                                 &run_observer, NULL};

void view_sweep_register(lua_State *L)
{
	lua_pushlightuserdata(L, &the_sweep_observer);
	lua_setfield(L, LUA_REGISTRYINDEX, SWEEP_OBSERVER_KEY);
}

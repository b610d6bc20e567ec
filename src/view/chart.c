/* chart.c: the Monte Carlo view's P(alive) chart: the running estimate
 * with its 95 % interval against trials, and the lower bound L (and the
 * upper bound U when it is in range) as reference lines. The paper's main
 * comparison is P against L, so the y range follows the estimate, its
 * interval and L rather than spanning 0..1 (where P = 0.067 and L = 0.041
 * would share a row); a log axis (key y) shows tiny probabilities. The
 * heading prints P/L and P - L. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "view/render.h"
#include "relush/probtext.h"

typedef struct yaxis {
	double lo, hi;   /* in axis units (log10 p on a log axis) */
	int log;
} yaxis;

static double to_axis(const yaxis *a, double p)
{
	if (!a->log)
		return p;
	return p > 0 ? log10(p) : a->lo;
}

/* Sub-row of p (0 = top) among subrows; clamped into the plot. */
static int row_of(const yaxis *a, double p, int subrows)
{
	double t = (a->hi - to_axis(a, p)) / (a->hi - a->lo);
	long sub = lround(t * (subrows - 1));
	return sub < 0 ? 0 : sub > subrows - 1 ? subrows - 1 : (int)sub;
}

static void widen(double *lo, double *hi, double v)
{
	if (!isfinite(v))
		return;
	if (v < *lo) *lo = v;
	if (v > *hi) *hi = v;
}

/* The range: every estimate on the curve, the current interval and L; U
 * only when it would not more than double the span (else it is printed
 * above the chart). Returns whether U is drawn. */
static int choose_range(const view_model *m, int log_axis, int bounds, yaxis *a)
{
	a->log = log_axis;
	a->lo = -4;               /* to_axis's floor until the range is known */
	a->hi = 0;
	double lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < m->curve_len; i++)
		if (!log_axis || m->curve[i].p > 0)
			widen(&lo, &hi, to_axis(a, m->curve[i].p));
	if (!log_axis || m->ci_lo > 0)
		widen(&lo, &hi, to_axis(a, m->ci_lo));
	widen(&lo, &hi, to_axis(a, m->ci_hi));
	if (bounds && (!log_axis || m->lower > 0))
		widen(&lo, &hi, to_axis(a, m->lower));
	if (!(hi >= lo)) {              /* nothing yet */
		lo = log_axis ? -4 : 0;
		hi = log_axis ? 0 : 1;
	}
	int with_u = 0;
	double u = bounds ? to_axis(a, m->upper) : NAN;
	if (isfinite(u) && u - lo <= 2 * (hi - lo) + (log_axis ? 0.3 : 0.02)) {
		widen(&lo, &hi, u);
		with_u = 1;
	}
	view_prob_range_pad(&lo, &hi, log_axis);
	a->lo = lo;
	a->hi = hi;
	return with_u;
}

void view_prob_range_pad(double *lo, double *hi, int log_axis)
{
	double span = *hi - *lo, min_span = log_axis ? 0.2 : 0.002;
	if (span < min_span) {
		double mid = (*hi + *lo) / 2;
		*lo = mid - min_span / 2;
		*hi = mid + min_span / 2;
		span = min_span;
	}
	*lo -= 0.08 * span;
	*hi += 0.08 * span;
	if (!log_axis) {
		if (*lo < 0) *lo = 0;
		if (*hi > 1) *hi = 1;
	} else if (*hi > 0) {
		*hi = 0;
	}
}

/* The labels at the right of the chart each take a row of their own, the
 * nearest free one to their line's, the estimate's first: written on one
 * row, "P 0.0001" over "L 0.000179" read "P 0.000179", a number neither is. */
typedef struct label_rows {
	int row[3], n;
} label_rows;

static int take_row(label_rows *u, int want, int top, int h)
{
	for (int d = 0; d < h; d++)
		for (int sign = -1; sign <= 1; sign += 2) {
			int r = want + sign * d, taken = r < top || r >= top + h;
			for (int k = 0; k < u->n && !taken; k++)
				taken = u->row[k] == r;
			if (!taken && u->n < 3) {
				u->row[u->n++] = r;
				return r;
			}
		}
	return -1;
}

/* cols: the label's width on screen, which a "1 - d" must fit */
static void axis_label(char *buf, size_t len, int cols, const yaxis *a, double v)
{
	if (a->log)
		snprintf(buf, len, "%.3g", pow(10, v));
	else
		snprintf(buf, len, v != 0 && fabs(v) < 1e-3 ? "%.2e" : "%.4f", v);
	prob_text_fix(buf, (size_t)cols + 1 < len ? (size_t)cols + 1 : len, v, NAN, VIEW_PROB_DIGITS);
}

static void draw_heading(const view_model *m, const view_state *s, view_grid *g, int x, int y,
                         int end, int bounds, int with_u)
{
	x = view_grid_text(g, x, y, s->log_y ? "P(alive), log axis  " : "P(alive)  ", VS_HEADER);
	view_grid_glyph(g, x++, y, s->unicode ? "\xe2\x96\x80" : "*", VS_CURVE);
	x = view_grid_text(g, x, y, " P  ", VS_DIM);
	view_grid_glyph(g, x++, y, s->unicode ? "\xe2\x96\x91" : ":", VS_BAND);
	x = view_grid_text(g, x, y, " 95%  ", VS_DIM);
	if (!bounds) {
		view_field why = {{m->flip ? "(no L, U: they hold before the flip only)"
		                           : "(no L, U: they hold for the plain chain only)",
		                   m->flip ? "(no L, U: flipped nets)" : "(no L, U: not a plain chain)",
		                   "(no L, U)", NULL}, VS_DIM, VIEW_FIELD_ALWAYS};
		view_grid_fit(g, x, y, end - x, &why, 1);
		return;
	}
	view_grid_glyph(g, x++, y, s->unicode ? "\xe2\x94\x80" : "-", VS_LOWER);
	x = view_grid_text(g, x, y, " L  ", VS_DIM);
	char p[48] = "", d[48] = "", u[48] = "", num[32];
	if (with_u) {
		view_grid_glyph(g, x++, y, s->unicode ? "\xe2\x95\x90" : "=", VS_UPPER);
		x = view_grid_text(g, x, y, " U  ", VS_DIM);
	} else if (isfinite(m->upper)) {
		view_fmt_prob(num, sizeof num, m->upper);
		snprintf(u, sizeof u, "(U above: %s) ", num);
	}
	if (isfinite(m->p_alive) && m->lower > 0) {
		snprintf(p, sizeof p, " P/L %.3f", m->p_alive / m->lower);
		snprintf(d, sizeof d, "  P-L %+.4g", m->p_alive - m->lower);
	}
	/* whole fields only: what does not fit is left out, never cut */
	view_field f[] = {
		{{u[0] ? u : NULL, NULL}, VS_DIM, 4},
		{{p[0] ? p : NULL, NULL}, VS_HEADER, 3},
		{{d[0] ? d : NULL, NULL}, VS_HEADER, 2},
	};
	view_grid_fit(g, x, y, end - x, f, 3);
}

static int draw_curve(const view_model *m, const view_state *s, view_grid *g, const yaxis *a,
                      int plot_x, int top, int plot_w, int plot_h);

void view_draw_chart(const view_model *m, const view_state *s, view_grid *g,
                     int x0, int y0, int w, int h)
{
	int axis_w = 8, plot_x = x0 + axis_w + 1, plot_w = w - axis_w - 12, plot_h = h - 2;
	if (plot_h < 2 || plot_w < 10)
		return;
	int bounds = view_model_bounds_apply(m);
	yaxis a;
	int with_u = choose_range(m, s->log_y, bounds, &a);
	draw_heading(m, s, g, x0, y0, x0 + w, bounds, with_u);

	int top = y0 + 1;
	char buf[32];
	for (int k = 0; k < 3; k++) {       /* top, middle and bottom labels */
		int r = k * (plot_h - 1) / 2;
		/* the ends exactly: hi - (hi - lo) is not always lo (0 printed as 2.17e-19) */
		double v = r == 0 ? a.hi : r == plot_h - 1 ? a.lo : a.hi - (a.hi - a.lo) * r / (plot_h - 1);
		axis_label(buf, sizeof buf, axis_w, &a, v);
		view_grid_printf(g, x0, top + r, VS_DIM, "%*.*s", axis_w, axis_w, buf);
	}
	for (int r = 0; r < plot_h; r++)
		view_grid_glyph(g, plot_x - 1, top + r, s->unicode ? "\xe2\x94\x82" : "|", VS_DIM);
	int axis_y = top + plot_h;
	view_grid_glyph(g, plot_x - 1, axis_y, s->unicode ? "\xe2\x94\x94" : "+", VS_DIM);
	view_grid_fill(g, plot_x, axis_y, plot_w, s->unicode ? "\xe2\x94\x80" : "-", VS_DIM);
	view_grid_text(g, plot_x, axis_y, "0", VS_DIM);
	view_fmt_count(buf, sizeof buf, (double)m->total);
	view_grid_text(g, plot_x + plot_w - (int)strlen(buf), axis_y, buf, VS_DIM);

	/* reference lines, labelled at the right once the estimate's label has its row */
	double refs[2] = {bounds && with_u ? m->upper : NAN, bounds ? m->lower : NAN};
	int ref_row[2] = {-1, -1}, ref_style[2] = {VS_UPPER, VS_LOWER};
	const char *ref_glyph[2] = {s->unicode ? "\xe2\x95\x90" : "=", s->unicode ? "\xe2\x94\x80" : "-"};
	const char *ref_label[2] = {"U", "L"};
	for (int k = 0; k < 2; k++) {
		if (!isfinite(refs[k]) || (a.log && !(refs[k] > 0)))
			continue;
		ref_row[k] = top + row_of(&a, refs[k], plot_h);
		view_grid_fill(g, plot_x, ref_row[k], plot_w, ref_glyph[k], ref_style[k]);
	}
	label_rows used = {{0}, 0};
	int last_row = draw_curve(m, s, g, &a, plot_x, top, plot_w, plot_h);
	/* the labels right of the plot: "P " or "L " and what fits the margin */
	size_t label_len = (size_t)(x0 + w - (plot_x + plot_w + 1)) - 2 + 1;
	if (label_len > sizeof buf)
		label_len = sizeof buf;
	if (last_row >= 0 && isfinite(m->p_alive)) {   /* the estimate, labelled */
		view_fmt_prob(buf, label_len, m->p_alive);
		view_grid_printf(g, plot_x + plot_w + 1, take_row(&used, last_row, top, plot_h), VS_CURVE, "P %s", buf);
	}
	for (int k = 1; k >= 0; k--) {              /* L, then U */
		int row = ref_row[k] < 0 ? -1 : take_row(&used, ref_row[k], top, plot_h);
		if (row < 0)
			continue;
		view_fmt_bound(buf, label_len, refs[k], k == 1 ? m->lower_death : NAN);
		view_grid_printf(g, plot_x + plot_w + 1, row, ref_style[k], "%s %s", ref_label[k], buf);
	}
}

/* The estimate with its interval against trials; returns the row where
 * the curve ends (-1 when nothing is drawn). */
static int draw_curve(const view_model *m, const view_state *s, view_grid *g, const yaxis *a,
                      int plot_x, int top, int plot_w, int plot_h)
{
	if (m->curve_len == 0 || m->total == 0)
		return -1;
	/* column c covers trials up to (c + 1) / plot_w of the run */
	size_t i = 0;
	int last_row = -1;
	for (int c = 0; c < plot_w; c++) {
		double upto = (double)(c + 1) / plot_w * (double)m->total;
		if (m->curve[0].trials > upto)
			continue;
		while (i + 1 < m->curve_len && m->curve[i + 1].trials <= upto)
			i++;
		const view_sample *sm = &m->curve[i];
		if (i + 1 == m->curve_len && upto - sm->trials >= (double)m->total / plot_w)
			break;   /* beyond the trials done */
		int hi_row = row_of(a, sm->hi, plot_h), lo_row = row_of(a, sm->lo, plot_h);
		for (int r = hi_row; r <= lo_row; r++)
			view_grid_glyph(g, plot_x + c, top + r, s->unicode ? "\xe2\x96\x91" : ":", VS_BAND);
		if (s->unicode) {
			int sub = row_of(a, sm->p, 2 * plot_h);
			view_grid_glyph(g, plot_x + c, top + sub / 2,
			                sub % 2 ? "\xe2\x96\x84" : "\xe2\x96\x80", VS_CURVE);
			last_row = top + sub / 2;
		} else {
			last_row = top + row_of(a, sm->p, plot_h);
			view_grid_glyph(g, plot_x + c, last_row, "*", VS_CURVE);
		}
	}
	return last_row;
}

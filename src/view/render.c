/* render.c: the live view's one renderer. It lays the screen out (title,
 * summary, one heatmap row per layer with its living-points bar and
 * numbers, the running P(alive) curve for Monte Carlo, legend, key line)
 * and draws it into a view_grid; nothing here knows about ncurses. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "view/render.h"

typedef struct layout {
	int W, H;
	int fixed_top;          /* rows above the column heading */
	int colhdr_y, layers_y, layer_rows;
	int curve_y, curve_h;
	int legend_y, status_y; /* status_y < 0: no key line */
	int lab_w, heat_x, heat_w, right_x, bar_w;
} layout;

/* ---- small helpers ---------------------------------------------------------- */

int view_ramp_level(double f)
{
	int level = (int)ceil(f * VIEW_RAMP_LEVELS);
	return level < 1 ? 1 : level > VIEW_RAMP_LEVELS ? VIEW_RAMP_LEVELS : level;
}

int view_heat_level(double f)
{
	int level = (int)ceil(f * VIEW_HEAT_LEVELS);
	return level < 1 ? 1 : level > VIEW_HEAT_LEVELS ? VIEW_HEAT_LEVELS : level;
}

static int digits(size_t v)
{
	int d = 1;
	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static void fmt_prob(char *buf, size_t len, double p)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p != 0 && p < 1e-3)
		snprintf(buf, len, "%.3g", p);
	else
		snprintf(buf, len, "%.4f", p);
}

static void fmt_count(char *buf, size_t len, double v)
{
	if (v >= 1e9)
		snprintf(buf, len, "%.2fG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

static void fmt_secs(char *buf, size_t len, double s)
{
	if (!isfinite(s))
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
	else
		snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
}

/* "depth 8, width 16" or "depth 3, widths 4..64" */
static void describe_widths(const view_model *m, char *buf, size_t len)
{
	size_t lo = m->max_width;
	for (size_t l = 0; l < m->depth; l++)
		if (m->layers[l].width < lo)
			lo = m->layers[l].width;
	if (lo == m->max_width)
		snprintf(buf, len, "depth %zu, width %zu", m->depth, lo);
	else
		snprintf(buf, len, "depth %zu, widths %zu..%zu", m->depth, lo, m->max_width);
}

/* ---- layout ---------------------------------------------------------------------- */

static int right_width(const view_model *m, int bar_w)
{
	return m->mc ? 29 + bar_w : 20 + bar_w;
}

static void columns(const view_model *m, int W, layout *lo)
{
	lo->lab_w = digits(m->depth) > 5 ? digits(m->depth) : 5;
	lo->bar_w = clampi(W / 8, 6, 24);
	lo->heat_x = lo->lab_w + 1;
	lo->heat_w = W - lo->lab_w - 2 - right_width(m, lo->bar_w);
	lo->right_x = lo->heat_x + lo->heat_w + 1;
}

static int fixed_rows(const view_model *m, const view_state *s)
{
	return (m->mc ? 4 : 3) + 1 + (s->interactive ? 1 : 0);
}

/* Rows of the curve panel for a given number of free rows. */
static int curve_rows(const view_model *m, int avail)
{
	if (!m->mc || avail < 12)
		return 0;
	int layers = (int)(m->depth < (size_t)avail / 2 ? m->depth : (size_t)avail / 2);
	return avail - layers;
}

/* Rows of the curve panel in a snapshot. */
#define SNAPSHOT_CURVE_ROWS 14

static int make_layout(const view_model *m, const view_state *s, int W, int H, layout *lo)
{
	memset(lo, 0, sizeof *lo);
	lo->W = W;
	lo->H = H;
	columns(m, W, lo);
	int avail = H - fixed_rows(m, s);
	if (W < VIEW_MIN_WIDTH || H < VIEW_MIN_HEIGHT || avail < 1 || lo->heat_w < 8)
		return -1;
	lo->fixed_top = m->mc ? 3 : 2;
	lo->colhdr_y = lo->fixed_top;
	lo->layers_y = lo->colhdr_y + 1;
	if (s->interactive) {
		lo->curve_h = curve_rows(m, avail);
		lo->layer_rows = avail - lo->curve_h;
	} else {   /* a snapshot is as tall as its content */
		int layers = (int)(m->depth < (size_t)avail ? m->depth : (size_t)avail);
		lo->curve_h = m->mc && avail - layers >= 6 ? avail - layers : 0;
		lo->layer_rows = avail - lo->curve_h;
	}
	lo->curve_y = lo->layers_y + lo->layer_rows;
	/* the legend follows the content; the key line stays at the bottom */
	int shown = (int)(m->depth < (size_t)lo->layer_rows ? m->depth : (size_t)lo->layer_rows);
	lo->legend_y = lo->curve_h ? lo->curve_y + lo->curve_h : lo->layers_y + shown;
	lo->status_y = s->interactive ? H - 1 : -1;
	return 0;
}

int view_render_full_height(const view_model *m, const view_state *s)
{
	int rows = fixed_rows(m, s) + (int)(m->depth > 0 ? m->depth : 1);
	if (m->mc)
		rows += SNAPSHOT_CURVE_ROWS;
	return rows < VIEW_MIN_HEIGHT ? VIEW_MIN_HEIGHT : rows;
}

/* ---- heatmap ------------------------------------------------------------------ */

/* Narrow nets keep their numbers next to the heatmap: the heat area
 * shrinks to the cells it needs (but keeps room for its heading). */
static void shrink_heat(const view_model *m, layout *lo, int agg)
{
	size_t need = (m->max_width + (size_t)agg - 1) / (size_t)agg;
	int keep = lo->heat_w < 38 ? lo->heat_w : 38;
	if (need < (size_t)lo->heat_w)
		lo->heat_w = (int)need > keep ? (int)need : keep;
	lo->right_x = lo->heat_x + lo->heat_w + 1;
}

static int auto_agg(const view_model *m, int heat_w)
{
	size_t w = m->max_width ? m->max_width : 1;
	size_t agg = (w + (size_t)heat_w - 1) / (size_t)heat_w;
	return agg < 1 ? 1 : (int)agg;
}

static void draw_heat_cell(const view_state *s, view_grid *g,
                           const view_layer *v, size_t cell, int agg, int x, int y)
{
	size_t first = cell * (size_t)agg;
	if (first >= v->width)
		return;
	size_t last = first + (size_t)agg < v->width ? first + (size_t)agg : v->width;
	if (!v->reached) {
		if (s->colours != VIEW_RAMP)
			view_grid_glyph(g, x, y, s->unicode ? "\xc2\xb7" : ".", VS_UNREACHED);
		return;
	}
	double sum = 0;
	size_t dead = 0;
	for (size_t j = first; j < last; j++) {
		sum += v->active[j];
		dead += v->active[j] == 0.0;
	}
	double f = sum / (double)(last - first);
	if (dead == last - first) {
		view_grid_glyph(g, x, y, s->colours == VIEW_RAMP ? "x" : " ", VS_DEAD);
	} else if (s->colours == VIEW_RAMP) {
		char c[2] = {VIEW_RAMP_CHARS[view_ramp_level(f) - 1], 0};
		view_grid_glyph(g, x, y, c, VS_TEXT);
	} else {
		view_grid_glyph(g, x, y, " ", VS_HEAT0 + view_heat_level(f));
	}
}

/* A bar of w columns filled to fraction f (eighths with Unicode). Any
 * non-zero fraction shows at least a sliver, and only 1 fills the bar. */
static void draw_bar(view_grid *g, const view_state *s, int x, int y, int w, double f)
{
	static const char *const eighths[] = {"", "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d",
		"\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89"};
	const char *empty = s->unicode ? "\xc2\xb7" : ".";
	view_grid_fill(g, x, y, w, empty, VS_DIM);
	if (!(f > 0))
		return;
	int units = s->unicode ? 8 : 1;
	long total = (long)w * units, n = lround(f * (double)total);
	if (n == 0)
		n = 1;
	if (n >= total && f < 1)
		n = total - 1;
	if (n > total)
		n = total;
	for (int i = 0; i < w && n > 0; i++, n -= units) {
		if (n >= units)
			view_grid_glyph(g, x + i, y, s->unicode ? "\xe2\x96\x88" : "#", VS_BAR);
		else
			view_grid_glyph(g, x + i, y, eighths[n], VS_BAR);
	}
}

static void draw_layer_row(const view_model *m, view_state *s, view_grid *g,
                           const layout *lo, size_t l, int y, int agg)
{
	const view_layer *v = &m->layers[l];
	const char *sep = s->unicode ? "\xe2\x94\x82" : "|";
	view_grid_printf(g, 0, y, VS_TEXT, "%*zu", lo->lab_w, l + 1);
	view_grid_glyph(g, lo->heat_x - 1, y, sep, VS_DIM);
	view_grid_glyph(g, lo->right_x - 1, y, sep, VS_DIM);
	if (m->have_activity)
		for (int c = 0; c < lo->heat_w; c++)
			draw_heat_cell(s, g, v, s->first_cell + (size_t)c, agg, lo->heat_x + c, y);
	else if (l == s->top_layer)
		view_grid_text(g, lo->heat_x, y, "(no per-neuron activity)", VS_DIM);
	int x = lo->right_x;
	char buf[32];
	double living_frac = m->points ? v->living / (double)m->points : NAN;
	if (!m->mc) {
		view_grid_printf(g, x, y, v->dead ? VS_DEAD : VS_TEXT, "%5zu", v->dead);
		draw_bar(g, s, x + 6, y, lo->bar_w, living_frac);
		x += 6 + lo->bar_w;
		view_grid_printf(g, x, y, VS_TEXT, " %6.0f", v->living);
		if (isnan(v->active_pct))
			view_grid_printf(g, x + 7, y, VS_DIM, " %6s", "-");
		else
			view_grid_printf(g, x + 7, y, VS_TEXT, " %6.1f", v->active_pct);
		return;
	}
	if (isnan(v->mean_dead))
		view_grid_printf(g, x, y, VS_DIM, "%6s", "-");
	else
		view_grid_printf(g, x, y, VS_TEXT, "%6.2f", v->mean_dead);
	draw_bar(g, s, x + 7, y, lo->bar_w, living_frac);
	x += 7 + lo->bar_w;
	if (isnan(v->living))
		view_grid_printf(g, x, y, VS_DIM, " %7s", "-");
	else
		view_grid_printf(g, x, y, VS_TEXT, " %7.2f", v->living);
	fmt_prob(buf, sizeof buf, v->survival);
	view_grid_printf(g, x + 8, y, isnan(v->survival) ? VS_DIM : VS_TEXT, " %6.6s", buf);
	snprintf(buf, sizeof buf, "%.4f", v->hazard_bound);
	view_grid_printf(g, x + 15, y, VS_DIM, " %6.6s", buf);
}

static void draw_column_header(const view_model *m, const view_state *s, view_grid *g,
                               const layout *lo, int agg)
{
	int y = lo->colhdr_y;
	view_grid_printf(g, 0, y, VS_HEADER, "%*s", lo->lab_w, "layer");
	/* the longest heading that fits */
	char what[3][96];
	const char *unit = agg == 1 ? "neuron" : "neurons", *mode = s->agg == 0 && agg > 1 ? " (auto)" : "";
	snprintf(what[0], sizeof what[0], " active fraction, 1 cell = %d %s%s", agg, unit, mode);
	snprintf(what[1], sizeof what[1], " active, 1 cell = %d %s%s", agg, unit, mode);
	snprintf(what[2], sizeof what[2], " 1 cell = %d %s", agg, unit);
	int k = 0;
	while (k < 2 && (int)strlen(what[k]) > lo->heat_w)
		k++;
	char shown[96];
	snprintf(shown, sizeof shown, "%.*s", lo->heat_w, what[k]);
	view_grid_text(g, lo->heat_x, y, shown, VS_HEADER);
	int x = lo->right_x;
	if (!m->mc) {
		view_grid_printf(g, x, y, VS_HEADER, "%5s", "dead");
		view_grid_printf(g, x + 6, y, VS_HEADER, "%-*s", lo->bar_w + 7, "living points");
		view_grid_printf(g, x + 6 + lo->bar_w + 7, y, VS_HEADER, " %6s", "act %");
	} else {
		view_grid_printf(g, x, y, VS_HEADER, "%6s", "dead");
		view_grid_printf(g, x + 7, y, VS_HEADER, "%-*s", lo->bar_w + 8, "living points");
		view_grid_printf(g, x + 7 + lo->bar_w + 8, y, VS_HEADER, " %6s %6s", "surv", "1-2^-n");
	}
}

/* ---- the P(alive) curve ------------------------------------------------------------ */

static int y_of(double p, double ymin, double ymax, int subrows)
{
	double t = (ymax - p) / (ymax - ymin);
	int sub = (int)lround(t * (subrows - 1));
	return clampi(sub, 0, subrows - 1);
}

static void draw_curve(const view_model *m, const view_state *s, view_grid *g, const layout *lo)
{
	int y0 = lo->curve_y, h = lo->curve_h;
	int axis_w = 7, plot_x = axis_w + 1, plot_w = lo->W - plot_x - 3, plot_h = h - 2;
	if (plot_h < 2 || plot_w < 10)
		return;
	int x = view_grid_text(g, 0, y0, "P(alive) against trials   ", VS_HEADER);
	view_grid_glyph(g, x++, y0, s->unicode ? "\xe2\x96\x80" : "*", VS_CURVE);
	x = view_grid_text(g, x, y0, " estimate  ", VS_DIM);
	view_grid_glyph(g, x++, y0, s->unicode ? "\xe2\x96\x91" : ":", VS_BAND);
	x = view_grid_text(g, x, y0, " 95% interval  ", VS_DIM);
	view_grid_glyph(g, x++, y0, s->unicode ? "\xe2\x94\x80" : "-", VS_LOWER);
	x = view_grid_text(g, x, y0, " L  ", VS_DIM);
	view_grid_glyph(g, x++, y0, s->unicode ? "\xe2\x95\x90" : "=", VS_UPPER);
	view_grid_text(g, x, y0, " U", VS_DIM);

	double ymin = 1, ymax = 0;
	for (size_t i = 0; i < m->curve_len; i++) {
		if (m->curve[i].lo < ymin) ymin = m->curve[i].lo;
		if (m->curve[i].hi > ymax) ymax = m->curve[i].hi;
	}
	if (isfinite(m->lower)) { if (m->lower < ymin) ymin = m->lower; if (m->lower > ymax) ymax = m->lower; }
	if (isfinite(m->upper)) { if (m->upper < ymin) ymin = m->upper; if (m->upper > ymax) ymax = m->upper; }
	if (ymax < ymin) { ymin = 0; ymax = 1; }
	double pad = (ymax - ymin) * 0.05 + 1e-3;
	ymin = ymin - pad < 0 ? 0 : ymin - pad;
	ymax = ymax + pad > 1 ? 1 : ymax + pad;

	int top = y0 + 1;
	char buf[32];
	snprintf(buf, sizeof buf, "%.4f", ymax);
	view_grid_printf(g, 0, top, VS_DIM, "%*s", axis_w, buf);
	snprintf(buf, sizeof buf, "%.4f", ymin);
	view_grid_printf(g, 0, top + plot_h - 1, VS_DIM, "%*s", axis_w, buf);
	for (int r = 0; r < plot_h; r++)
		view_grid_glyph(g, axis_w, top + r, s->unicode ? "\xe2\x94\x82" : "|", VS_DIM);
	int axis_y = top + plot_h;
	view_grid_glyph(g, axis_w, axis_y, s->unicode ? "\xe2\x94\x94" : "+", VS_DIM);
	view_grid_fill(g, plot_x, axis_y, plot_w, s->unicode ? "\xe2\x94\x80" : "-", VS_DIM);
	view_grid_text(g, plot_x, axis_y, "0", VS_DIM);
	fmt_count(buf, sizeof buf, (double)m->total);
	view_grid_text(g, plot_x + plot_w - (int)strlen(buf), axis_y, buf, VS_DIM);

	/* reference lines, labelled at the right */
	double refs[2] = {m->upper, m->lower};
	int ref_style[2] = {VS_UPPER, VS_LOWER};
	const char *ref_glyph[2] = {s->unicode ? "\xe2\x95\x90" : "=", s->unicode ? "\xe2\x94\x80" : "-"};
	const char *ref_label[2] = {"U", "L"};
	for (int k = 0; k < 2; k++) {
		if (!isfinite(refs[k]))
			continue;
		int row = top + y_of(refs[k], ymin, ymax, plot_h);
		view_grid_fill(g, plot_x, row, plot_w, ref_glyph[k], ref_style[k]);
		view_grid_text(g, plot_x + plot_w + 1, row, ref_label[k], ref_style[k]);
	}
	if (m->curve_len == 0 || m->total == 0)
		return;
	/* column c covers trials up to (c + 1) / plot_w of the run */
	size_t i = 0;
	for (int c = 0; c < plot_w; c++) {
		double upto = (double)(c + 1) / plot_w * (double)m->total;
		if (m->curve[0].trials > upto)
			continue;
		while (i + 1 < m->curve_len && m->curve[i + 1].trials <= upto)
			i++;
		const view_sample *sm = &m->curve[i];
		if (i + 1 == m->curve_len && upto - sm->trials >= (double)m->total / plot_w)
			break;   /* beyond the trials done */
		int hi_row = y_of(sm->hi, ymin, ymax, plot_h), lo_row = y_of(sm->lo, ymin, ymax, plot_h);
		for (int r = hi_row; r <= lo_row; r++)
			view_grid_glyph(g, plot_x + c, top + r, s->unicode ? "\xe2\x96\x91" : ":", VS_BAND);
		if (s->unicode) {
			int sub = y_of(sm->p, ymin, ymax, 2 * plot_h);
			view_grid_glyph(g, plot_x + c, top + sub / 2,
			                sub % 2 ? "\xe2\x96\x84" : "\xe2\x96\x80", VS_CURVE);
		} else {
			view_grid_glyph(g, plot_x + c, top + y_of(sm->p, ymin, ymax, plot_h), "*", VS_CURVE);
		}
	}
}

/* ---- title, summary, legend, key line, help -------------------------------------- */

static void draw_top(const view_model *m, const view_state *s, view_grid *g)
{
	char desc[128], buf[64], lo_s[32], up_s[32];
	describe_widths(m, desc, sizeof desc);
	int x = view_grid_text(g, 0, 0, m->mc ? "relush mc  " : "relush view  ", VS_TITLE);
	x = view_grid_text(g, x, 0, desc, VS_TITLE);
	if (m->input)
		x = view_grid_printf(g, x, 0, VS_TITLE, ", input %zu", m->input);
	if (m->points)
		view_grid_printf(g, x, 0, VS_TITLE, "; X: %zu points", m->points);
	const char *state = NULL;
	int state_style = VS_TITLE;
	if (s->paused)
		state = "PAUSED", state_style = VS_WARN;
	else if (m->mc && m->interrupted)
		state = "interrupted", state_style = VS_WARN;
	else if (m->mc)
		state = m->final ? "done" : "running";
	if (state)
		view_grid_text(g, g->width - (int)strlen(state), 0, state, state_style);
	fmt_prob(lo_s, sizeof lo_s, m->lower);
	fmt_prob(up_s, sizeof up_s, m->upper);
	if (!m->mc) {
		double pct = m->points ? 100.0 * (double)m->living / (double)m->points : 0;
		x = view_grid_printf(g, 0, 1, VS_TEXT, "living %zu of %zu points (%.1f%%): ",
		                     m->living, m->points, pct);
		x = view_grid_text(g, x, 1, m->living ? "alive" : "dead", m->living ? VS_TEXT : VS_DEAD);
		view_grid_printf(g, x, 1, VS_DIM, "   P(alive) bounds L %s  U %s", lo_s, up_s);
		return;
	}
	char rate[32], el[32], eta[32];
	fmt_count(rate, sizeof rate, m->rate);
	fmt_secs(el, sizeof el, m->elapsed);
	fmt_secs(eta, sizeof eta, m->final ? 0 : m->eta);
	double pct = m->total ? 100.0 * (double)m->done / (double)m->total : 0;
	view_grid_printf(g, 0, 1, VS_TEXT, "trials %llu / %llu (%.1f%%)   %s trials/s   elapsed %s   ETA %s",
	                 (unsigned long long)m->done, (unsigned long long)m->total, pct, rate, el, eta);
	char p[32], a[32], b[32];
	fmt_prob(p, sizeof p, m->p_alive);
	fmt_prob(a, sizeof a, m->ci_lo);
	fmt_prob(b, sizeof b, m->ci_hi);
	snprintf(buf, sizeof buf, "%llu alive", (unsigned long long)m->alive_trials);
	x = view_grid_printf(g, 0, 2, VS_TEXT, "P(alive) %s  95%% [%s, %s]  (%s)", p, a, b, buf);
	view_grid_printf(g, x, 2, VS_DIM, "   L %s  U %s", lo_s, up_s);
}

static void draw_legend(const view_model *m, const view_state *s, view_grid *g, const layout *lo)
{
	int y = lo->legend_y, x = 0;
	const char *what = m->mc ? "active on trials x points: " : "active on points: ";
	x = view_grid_text(g, x, y, what, VS_DIM);
	if (s->colours == VIEW_RAMP) {
		x = view_grid_text(g, x, y, "0% " VIEW_RAMP_CHARS " 100%", VS_TEXT);
		x = view_grid_text(g, x, y, "   ", VS_TEXT);
		view_grid_glyph(g, x++, y, "x", VS_DEAD);
		x = view_grid_text(g, x, y, " dead   blank: no point reaches", VS_DIM);
	} else {
		x = view_grid_text(g, x, y, "0% ", VS_TEXT);
		for (int k = 1; k <= VIEW_HEAT_LEVELS; k++)
			view_grid_glyph(g, x++, y, " ", VS_HEAT0 + k);
		x = view_grid_text(g, x, y, " 100%   ", VS_TEXT);
		view_grid_glyph(g, x++, y, " ", VS_DEAD);
		x = view_grid_text(g, x, y, " dead  ", VS_DIM);
		view_grid_glyph(g, x++, y, s->unicode ? "\xc2\xb7" : ".", VS_UNREACHED);
		view_grid_text(g, x, y, " no point reaches", VS_DIM);
	}
}

static void draw_status(const view_model *m, const view_state *s, view_grid *g, const layout *lo,
                        size_t last_layer)
{
	int y = lo->status_y;
	if (y < 0)
		return;
	view_grid_fill(g, 0, y, g->width, " ", VS_STATUS);
	const char *keys = m->mc && m->final
		? " q: back to the prompt  arrows/PgUp/PgDn: scroll  +/-: aggregate  ?: help"
		: m->mc ? " q: stop  space: pause  arrows/PgUp/PgDn: scroll  +/-: aggregate  ?: help"
		        : " q: quit  arrows/PgUp/PgDn: scroll  +/-: aggregate  ?: help";
	const char *compact = m->mc && m->final ? " q:back  arrows/PgUp/PgDn:scroll  +/-:aggregate  ?:help"
		: m->mc ? " q:stop  space:pause  arrows/PgUp/PgDn:scroll  +/-:aggregate  ?:help"
		        : " q:quit  arrows/PgUp/PgDn:scroll  +/-:aggregate  ?:help";
	char pos[64];
	snprintf(pos, sizeof pos, " layers %zu-%zu/%zu ", m->depth ? s->top_layer + 1 : 0,
	         last_layer, m->depth);
	if ((int)(strlen(keys) + strlen(pos)) > g->width)
		keys = compact;
	view_grid_text(g, 0, y, keys, VS_STATUS);
	int x = g->width - (int)strlen(pos);
	if (x > (int)strlen(keys))
		view_grid_text(g, x, y, pos, VS_STATUS);
}

static const char *const help_lines[] = {
	"relush view: keys",
	"",
	"q, Esc      leave the view; a running Monte Carlo run",
	"            stops and keeps its partial result (interrupted)",
	"space       pause / resume the display (Monte Carlo)",
	"Up, Down    scroll the layers one row",
	"PgUp, PgDn  scroll the layers one page; Home, End: ends",
	"Left, Right scroll the neurons of wide layers",
	"+, -        more / fewer neurons per heat cell; 0: auto",
	"?           this help (any key closes it)",
	"",
	"A cell's colour is the fraction of points (Monte Carlo:",
	"trials x points) reaching the layer on which its neurons",
	"are active; dead: active on no reaching point.",
	NULL
};

static void draw_help(const view_state *s, view_grid *g)
{
	int n = 0, w = 0;
	for (; help_lines[n]; n++)
		if ((int)strlen(help_lines[n]) > w)
			w = (int)strlen(help_lines[n]);
	int bw = w + 4, bh = n + 2;
	int x0 = (g->width - bw) / 2, y0 = (g->height - bh) / 2;
	if (x0 < 0) x0 = 0;
	if (y0 < 0) y0 = 0;
	const char *h = s->unicode ? "\xe2\x94\x80" : "-", *v = s->unicode ? "\xe2\x94\x82" : "|";
	for (int y = y0; y < y0 + bh; y++)
		view_grid_fill(g, x0, y, bw, " ", VS_TEXT);
	view_grid_fill(g, x0 + 1, y0, bw - 2, h, VS_DIM);
	view_grid_fill(g, x0 + 1, y0 + bh - 1, bw - 2, h, VS_DIM);
	for (int y = y0 + 1; y < y0 + bh - 1; y++) {
		view_grid_glyph(g, x0, y, v, VS_DIM);
		view_grid_glyph(g, x0 + bw - 1, y, v, VS_DIM);
	}
	view_grid_glyph(g, x0, y0, s->unicode ? "\xe2\x94\x8c" : "+", VS_DIM);
	view_grid_glyph(g, x0 + bw - 1, y0, s->unicode ? "\xe2\x94\x90" : "+", VS_DIM);
	view_grid_glyph(g, x0, y0 + bh - 1, s->unicode ? "\xe2\x94\x94" : "+", VS_DIM);
	view_grid_glyph(g, x0 + bw - 1, y0 + bh - 1, s->unicode ? "\xe2\x94\x98" : "+", VS_DIM);
	for (int i = 0; i < n; i++)
		view_grid_text(g, x0 + 2, y0 + 1 + i, help_lines[i], i == 0 ? VS_HEADER : VS_TEXT);
}

static void draw_too_small(const view_model *m, const view_state *s, view_grid *g)
{
	char lines[3][64];
	int need_h = fixed_rows(m, s) + 1 > VIEW_MIN_HEIGHT ? fixed_rows(m, s) + 1 : VIEW_MIN_HEIGHT;
	snprintf(lines[0], sizeof lines[0], "terminal too small: %dx%d", g->width, g->height);
	snprintf(lines[1], sizeof lines[1], "the view needs %dx%d", VIEW_MIN_WIDTH, need_h);
	snprintf(lines[2], sizeof lines[2], "enlarge it, or q");
	int y = g->height > 3 ? (g->height - 3) / 2 : 0;
	for (int i = 0; i < 3; i++) {
		int x = (g->width - (int)strlen(lines[i])) / 2;
		view_grid_text(g, x < 0 ? 0 : x, y + i, lines[i], i == 0 ? VS_WARN : VS_TEXT);
	}
}

/* ---- the screen ------------------------------------------------------------------ */

void view_render(const view_model *m, view_state *s, view_grid *g)
{
	view_grid_clear(g);
	layout lo;
	s->too_small = make_layout(m, s, g->width, g->height, &lo) != 0;
	if (s->too_small) {
		draw_too_small(m, s, g);
		return;
	}
	int agg = s->agg > 0 ? s->agg : auto_agg(m, lo.heat_w);
	if ((size_t)agg > m->max_width && m->max_width > 0)
		agg = (int)m->max_width;
	shrink_heat(m, &lo, agg);
	s->agg_used = agg;
	s->heat_cols = lo.heat_w;
	s->layer_rows = lo.layer_rows;
	s->cells_total = (m->max_width + (size_t)agg - 1) / (size_t)agg;
	/* keep the scroll position inside the content */
	size_t max_cell = s->cells_total > (size_t)lo.heat_w ? s->cells_total - (size_t)lo.heat_w : 0;
	if (s->first_cell > max_cell)
		s->first_cell = max_cell;
	size_t max_top = m->depth > (size_t)lo.layer_rows ? m->depth - (size_t)lo.layer_rows : 0;
	if (s->top_layer > max_top)
		s->top_layer = max_top;

	draw_top(m, s, g);
	draw_column_header(m, s, g, &lo, agg);
	size_t l = s->top_layer;
	for (int r = 0; r < lo.layer_rows && l < m->depth; r++, l++)
		draw_layer_row(m, s, g, &lo, l, lo.layers_y + r, agg);
	if (lo.curve_h > 0)
		draw_curve(m, s, g, &lo);
	draw_legend(m, s, g, &lo);
	draw_status(m, s, g, &lo, l);
	if (s->help)
		draw_help(s, g);
}

/* render.c: the live view's one renderer. It lays the screen out (title,
 * summary, one row per layer, legend, key line; for Monte Carlo the
 * P(alive) chart of chart.c) and draws it into a view_grid; nothing here
 * knows about ncurses. A single net's layer rows are heatmaps of its
 * neurons' activity. A Monte Carlo run's are not: averaged over trials
 * every neuron is active on ~half the points by symmetry, a uniform block.
 * They show instead what varies with death: a rolling raster of recent
 * trials (the share of X living after each layer, the layer where the
 * last point died) and per layer the share of points killed there, the
 * dead-neuron rate, P(some point alive after l) and the per-point survival
 * beside its bound 1 - 2^-n_l. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "view/render.h"
#include "relush/probtext.h"

typedef struct layout {
	int W, H;
	int fixed_top;          /* rows above the column heading */
	int colhdr_y, layers_y, layer_rows;
	int curve_y, curve_h;
	int legend_y, status_y; /* status_y < 0: no key line */
	int lab_w, heat_x, heat_w, right_x, bar_w;
	int row_h, cell_w;      /* rows per layer, columns per heat cell */
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

void view_fmt_bound(char *buf, size_t len, double p, double gap)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p != 0 && p < 1e-3)
		snprintf(buf, len, "%.3g", p);
	else
		snprintf(buf, len, "%.4f", p);
	prob_text_fix(buf, len, p, gap, VIEW_PROB_DIGITS);
}

void view_fmt_prob(char *buf, size_t len, double p) { view_fmt_bound(buf, len, p, NAN); }

void view_fmt_count(char *buf, size_t len, double v)
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

/* Monte Carlo columns right of the bar: died % (6), dead % (7), P(>l),
 * surv/pt and 1-2^-n (8 each). */
#define MC_RIGHT_COLS 37
/* Layers grow to at most this many rows, heat cells to this many columns. */
#define MAX_ROW_H 5
#define MAX_CELL_W 16

static int right_width(const view_model *m, int bar_w)
{
	return m->mc ? MC_RIGHT_COLS + bar_w : 20 + bar_w;
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
	return (m->mc ? 5 : 3) + 1 + (s->interactive ? 1 : 0);
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
	lo->fixed_top = m->mc ? 4 : 2;
	lo->colhdr_y = lo->fixed_top;
	lo->layers_y = lo->colhdr_y + 1;
	lo->row_h = 1;
	if (s->interactive) {
		/* Monte Carlo layers get half the rows (the chart the rest);
		 * few layers grow taller to use them. */
		int chart = m->mc && avail >= 12;
		int area = chart ? avail / 2 : avail;
		if (chart && m->depth > (size_t)area && m->depth + 12 <= (size_t)avail)
			area = (int)m->depth;    /* every layer on one screen, the chart keeps 12 rows */
		int row_h = m->depth > 0 && (size_t)area / m->depth > 1 ? area / (int)m->depth : 1;
		lo->row_h = row_h > MAX_ROW_H ? MAX_ROW_H : row_h;
		lo->layer_rows = area / lo->row_h;
		if (chart) {
			if (m->depth < (size_t)lo->layer_rows)
				lo->layer_rows = (int)m->depth;
			lo->curve_h = avail - lo->layer_rows * lo->row_h;
		}
	} else {   /* a snapshot is as tall as its content */
		int layers = (int)(m->depth < (size_t)avail ? m->depth : (size_t)avail);
		lo->curve_h = m->mc && avail - layers >= 6 ? avail - layers : 0;
		lo->layer_rows = avail - lo->curve_h;
	}
	lo->curve_y = lo->layers_y + lo->layer_rows * lo->row_h;
	/* the legend follows the content; the key line stays at the bottom */
	int shown = (int)(m->depth < (size_t)lo->layer_rows ? m->depth : (size_t)lo->layer_rows);
	lo->legend_y = lo->curve_h ? lo->curve_y + lo->curve_h : lo->layers_y + shown * lo->row_h;
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

/* ---- heatmap (a single net) and raster (Monte Carlo) ------------------------------ */

/* Narrow nets keep their numbers next to the heatmap: the heat area
 * shrinks to the cells it needs (but keeps room for its heading); on a
 * terminal a narrow net's cells first grow to fill the width. */
static void shrink_heat(const view_model *m, const view_state *s, layout *lo, int agg)
{
	lo->cell_w = 1;
	if (m->mc)                  /* the raster fills the width with trials */
		return;
	size_t need = (m->max_width + (size_t)agg - 1) / (size_t)agg;
	if (s->interactive && agg == 1 && need > 0 && need * 2 <= (size_t)lo->heat_w) {
		size_t w = (size_t)lo->heat_w / need;
		lo->cell_w = w > MAX_CELL_W ? MAX_CELL_W : (int)w;
		need *= (size_t)lo->cell_w;
	}
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

/* A fraction f in (0, 1] as one cell: the ramp character (text, or the
 * high-contrast palette's glyph on its colour) or a heat colour. */
static void draw_fraction(const view_state *s, view_grid *g, int x, int y, double f)
{
	char c[2] = {VIEW_RAMP_CHARS[view_ramp_level(f) - 1], 0};
	if (s->colours == VIEW_RAMP)
		view_grid_glyph(g, x, y, c, VS_TEXT);
	else
		view_grid_glyph(g, x, y, s->contrast ? c : " ", VS_HEAT0 + view_heat_level(f));
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
	if (dead == last - first)
		view_grid_glyph(g, x, y, "x", VS_DEAD);
	else
		draw_fraction(s, g, x, y, sum / (double)(last - first));
}

/* Column c of the raster (newest trial at the right): the share of X
 * living after layer l in that trial; 'x' where its last point died. */
static void draw_raster_cell(const view_model *m, const view_state *s, view_grid *g,
                             const layout *lo, size_t l, int c, int y)
{
	const float *col = view_model_raster_column(m, (size_t)(lo->heat_w - 1 - c));
	if (!col)
		return;
	int x = lo->heat_x + c;
	if (col[l] > 0)
		draw_fraction(s, g, x, y, col[l]);
	else if (l == 0 || col[l - 1] > 0)
		view_grid_glyph(g, x, y, "x", VS_DEAD);
	else if (s->colours != VIEW_RAMP)
		view_grid_glyph(g, x, y, s->unicode ? "\xc2\xb7" : ".", VS_UNREACHED);
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

/* gap: 1 - p when known more accurately (view_fmt_bound) */
static void print_prob(view_grid *g, int x, int y, int w, double p, double gap)
{
	char buf[32];
	view_fmt_bound(buf, sizeof buf, p, gap);
	/* "1 - d" wider than the column: the shortest form that fits */
	if ((int)strlen(buf) > w && p > 0.5 && (size_t)w < sizeof buf)
		view_fmt_bound(buf, (size_t)w + 1, p, gap);
	/* a small probability in exponent form can be wider than its column
	 * (7.33e-05 in 7): fewer digits, never a cut number (7.33e-0) */
	for (int digits = 2; (int)strlen(buf) > w && digits >= 1; digits--)
		snprintf(buf, sizeof buf, "%.*g", digits, p);
	view_grid_printf(g, x, y, isnan(p) ? VS_DIM : VS_TEXT, " %*.*s", w, w, buf);
}

/* The Monte Carlo numbers of layer l: died here (bar scaled to the layer
 * that kills most, and %), dead-neuron %, P(>l), surv/pt, 1-2^-n. */
static void draw_mc_numbers(const view_model *m, view_grid *g, const view_state *s,
                            const layout *lo, size_t l, int y, double max_died)
{
	const view_layer *v = &m->layers[l];
	int x = lo->right_x;
	draw_bar(g, s, x, y, lo->bar_w, max_died > 0 ? v->died_share / max_died : 0);
	x += lo->bar_w;
	if (isnan(v->died_share))
		view_grid_printf(g, x, y, VS_DIM, " %5s", "-");
	else
		view_grid_printf(g, x, y, VS_TEXT, " %5.1f", 100 * v->died_share);
	if (isnan(v->dead_rate))
		view_grid_printf(g, x + 6, y, VS_DIM, " %6s", "-");
	else
		view_grid_printf(g, x + 6, y, VS_TEXT, " %6.1f", 100 * v->dead_rate);
	print_prob(g, x + 13, y, 7, v->p_after, NAN);
	print_prob(g, x + 21, y, 7, v->survival, NAN);
	if (view_model_bounds_apply(m))
		print_prob(g, x + 29, y, 7, v->hazard_bound, v->hazard);
	else
		view_grid_printf(g, x + 29, y, VS_DIM, " %7s", "n/a");
}

static void draw_layer_row(const view_model *m, view_state *s, view_grid *g,
                           const layout *lo, size_t l, int y, int agg, double max_died)
{
	const view_layer *v = &m->layers[l];
	const char *sep = s->unicode ? "\xe2\x94\x82" : "|";
	for (int r = 0; r < lo->row_h; r++) {   /* the cells fill every row of the layer */
		view_grid_glyph(g, lo->heat_x - 1, y + r, sep, VS_DIM);
		view_grid_glyph(g, lo->right_x - 1, y + r, sep, VS_DIM);
		for (int c = 0; c < lo->heat_w; c++) {
			if (m->mc)
				draw_raster_cell(m, s, g, lo, l, c, y + r);
			else if (m->have_activity)
				draw_heat_cell(s, g, v, s->first_cell + (size_t)(c / lo->cell_w), agg,
				               lo->heat_x + c, y + r);
		}
	}
	view_grid_printf(g, 0, y, VS_TEXT, "%*zu", lo->lab_w, l + 1);
	if (m->mc && !m->raster && l == s->top_layer)
		view_grid_printf(g, lo->heat_x, y, VS_DIM, "(no trial raster: %s)", m->raster_off);
	if (m->mc) {
		draw_mc_numbers(m, g, s, lo, l, y, max_died);
		return;
	}
	int x = lo->right_x;
	double living_frac = m->points ? v->living / (double)m->points : NAN;
	view_grid_printf(g, x, y, v->dead ? VS_DEAD : VS_TEXT, "%5zu", v->dead);
	draw_bar(g, s, x + 6, y, lo->bar_w, living_frac);
	x += 6 + lo->bar_w;
	view_grid_printf(g, x, y, VS_TEXT, " %6.0f", v->living);
	if (isnan(v->active_pct))
		view_grid_printf(g, x + 7, y, VS_DIM, " %6s", "-");
	else
		view_grid_printf(g, x + 7, y, VS_TEXT, " %6.1f", v->active_pct);
}

static void draw_column_header(const view_model *m, const view_state *s, view_grid *g,
                               const layout *lo, int agg)
{
	int y = lo->colhdr_y;
	view_grid_printf(g, 0, y, VS_HEADER, "%*s", lo->lab_w, "layer");
	/* the longest heading that fits, in whole words */
	if (m->mc) {
		view_field f = {{" recent trials (newest right): share of X living", " recent trials: X living",
		                 " trials", NULL}, VS_HEADER, VIEW_FIELD_ALWAYS};
		view_grid_fit(g, lo->heat_x, y, lo->heat_w, &f, 1);
	} else {
		const char *unit = agg == 1 ? "neuron" : "neurons";
		char what[3][64], wide[32] = "";
		if (lo->cell_w > 1)       /* grown cells say so (the terminal tests read it) */
			snprintf(wide, sizeof wide, ", %d cols each", lo->cell_w);
		snprintf(what[0], sizeof what[0], " active fraction, 1 cell = %d %s", agg, unit);
		snprintf(what[1], sizeof what[1], " active, 1 cell = %d %s", agg, unit);
		snprintf(what[2], sizeof what[2], " 1 cell = %d %s", agg, unit);
		view_field f[] = {
			{{what[0], what[1], what[2], NULL}, VS_HEADER, VIEW_FIELD_ALWAYS},
			{{s->agg == 0 && agg > 1 ? " (auto)" : NULL, NULL}, VS_HEADER, 1},
			{{wide, NULL}, VS_HEADER, 4},
		};
		view_grid_fit(g, lo->heat_x, y, lo->heat_w, f, 3);
	}
	int x = lo->right_x;
	if (!m->mc) {
		view_grid_printf(g, x, y, VS_HEADER, "%5s", "dead");
		view_grid_printf(g, x + 6, y, VS_HEADER, "%-*s", lo->bar_w + 7, "living points");
		view_grid_printf(g, x + 6 + lo->bar_w + 7, y, VS_HEADER, " %6s", "act %");
	} else {
		/* per point, or with stats = "alive" per net: never one label for both */
		view_field f = m->point_stats
			? (view_field){{"points killed %", "pts killed %", NULL}, VS_HEADER, VIEW_FIELD_ALWAYS}
			: (view_field){{"nets died here %", "nets died %", NULL}, VS_HEADER, VIEW_FIELD_ALWAYS};
		view_grid_fit(g, x, y, lo->bar_w + 6, &f, 1);
		view_grid_printf(g, x + lo->bar_w + 6, y, VS_HEADER, " %6s %7s %7s %7s",
		                 "dead%", "P(>l)", "surv/pt", "1-2^-n");
	}
}

/* ---- title, summary, legend, key line, help -------------------------------------- */

/* The bounds as fields: the plain chain's L and U (the label shortens
 * before the numbers go), or why none are shown. lead goes before each. */
typedef struct bounds_text {
	char full[96], mid[96], brief[96];
} bounds_text;

static view_field bounds_field(const view_model *m, const char *lead, bounds_text *t)
{
	char lo_s[32], up_s[32];
	/* L is below 1 for every net: "L 1.0000" of a wide net read as a net
	 * that cannot die; 1 - L from bound_death says how far */
	view_fmt_bound(lo_s, sizeof lo_s, m->lower, m->lower_death);
	view_fmt_prob(up_s, sizeof up_s, m->upper);
	const char *only = m->flip ? "nets before the flip" : "the plain chain";
	if (view_model_bounds_apply(m)) {
		snprintf(t->full, sizeof t->full, "%splain-chain bounds: L %s  U %s", lead, lo_s, up_s);
		snprintf(t->mid, sizeof t->mid, "%sbounds: L %s  U %s", lead, lo_s, up_s);
		snprintf(t->brief, sizeof t->brief, "%sL %s  U %s", lead, lo_s, up_s);
	} else {
		snprintf(t->full, sizeof t->full, "%sno bounds shown: L and U hold for %s only", lead, only);
		const char *brief = m->flip ? "unflipped nets" : "plain chain";
		snprintf(t->mid, sizeof t->mid, "%sno bounds shown (L, U: %s only)", lead, brief);
		snprintf(t->brief, sizeof t->brief, "%sno bounds (%s only)", lead, brief);
	}
	return (view_field){{t->full, t->mid, t->brief, NULL}, VS_DIM, 9};
}

/* The top line: what is shown, and the state at the right. Fields give
 * way whole, least important first (the trial, the input size, the
 * prefix); the widths are never dropped. */
static void draw_title(const view_model *m, const view_state *s, view_grid *g)
{
	const char *state = NULL;
	int state_style = VS_TITLE;
	if (s->engine_paused && m->mc && !m->final)
		state = "PAUSED (computation)", state_style = VS_WARN;
	else if (s->paused)
		state = "PAUSED", state_style = VS_WARN;
	else if (m->mc && m->interrupted)
		state = "interrupted", state_style = VS_WARN;
	else if (m->mc)
		state = m->final ? "done" : "running";
	char desc[128], input[32] = "", arch[48], trial[48] = "", pts[48] = "", pts_short[48] = "";
	describe_widths(m, desc, sizeof desc);
	if (m->input)
		snprintf(input, sizeof input, ", input %zu", m->input);
	snprintf(arch, sizeof arch, ", %s%s", arch_name(m->arch), m->flip ? ", flipped" : "");
	if (!m->mc && m->trial)
		snprintf(trial, sizeof trial, ", trial %llu", (unsigned long long)m->trial);
	if (m->points) {
		snprintf(pts, sizeof pts, "; X: %zu point%s", m->points, m->points == 1 ? "" : "s");
		snprintf(pts_short, sizeof pts_short, "; %zu point%s", m->points, m->points == 1 ? "" : "s");
	}
	view_field f[] = {
		{{m->mc ? "relush mc  " : "relush view  ", NULL}, VS_TITLE, 3},
		{{desc, NULL}, VS_TITLE, VIEW_FIELD_ALWAYS},
		{{input, NULL}, VS_TITLE, 2},
		{{arch, NULL}, VS_TITLE, 6},
		{{trial, NULL}, VS_TITLE, 1},
		{{pts, pts_short, NULL}, VS_TITLE, 5},
	};
	int room = g->width - (state ? (int)strlen(state) + 1 : 0);
	view_grid_fit(g, 0, 0, room, f, (int)(sizeof f / sizeof f[0]));
	if (state)
		view_grid_text(g, g->width - (int)strlen(state), 0, state, state_style);
}

static void draw_top(const view_model *m, const view_state *s, view_grid *g)
{
	draw_title(m, s, g);
	bounds_text bt;
	char a[96], b[96], c[96], d[96];
	if (!m->mc) {
		double pct = m->points ? 100.0 * (double)m->living / (double)m->points : 0;
		snprintf(a, sizeof a, "living %zu of %zu point%s (%.1f%%): ", m->living, m->points,
		         m->points == 1 ? "" : "s", pct);
		snprintf(b, sizeof b, "living %zu of %zu (%.1f%%): ", m->living, m->points, pct);
		view_field f[] = {
			{{a, b, NULL}, VS_TEXT, 8},
			{{m->living ? "alive" : "dead", NULL}, m->living ? VS_TEXT : VS_DEAD, VIEW_FIELD_ALWAYS},
			bounds_field(m, "   ", &bt),
		};
		view_grid_fit(g, 0, 1, g->width, f, 3);
		return;
	}
	char rate[32], el[32], eta[32];
	view_fmt_count(rate, sizeof rate, m->rate);
	fmt_secs(el, sizeof el, m->elapsed);
	fmt_secs(eta, sizeof eta, m->final ? 0 : m->eta);
	double pct = m->total ? 100.0 * (double)m->done / (double)m->total : 0;
	unsigned long long done = (unsigned long long)m->done, total = (unsigned long long)m->total;
	char t1[64], t2[64], r1[48], r2[48], e1[48];
	snprintf(t1, sizeof t1, "trials %llu / %llu (%.1f%%)", done, total, pct);
	snprintf(t2, sizeof t2, "trials %llu/%llu %.1f%%", done, total, pct);
	snprintf(r1, sizeof r1, "   %s trials/s", rate);
	snprintf(r2, sizeof r2, "   %s/s", rate);
	snprintf(a, sizeof a, "   elapsed %s", el);
	snprintf(e1, sizeof e1, "   ETA %s", eta);
	view_field progress[] = {     /* the ETA stays on a narrow screen */
		{{t1, t2, NULL}, VS_TEXT, VIEW_FIELD_ALWAYS},
		{{r1, r2, NULL}, VS_TEXT, 3},
		{{a, NULL}, VS_TEXT, 2},
		{{e1, NULL}, VS_TEXT, 5},
	};
	view_grid_fit(g, 0, 1, g->width, progress, 4);
	char p[32], lo_s[32], hi_s[32];
	view_fmt_prob(p, sizeof p, m->p_alive);
	view_fmt_prob(lo_s, sizeof lo_s, m->ci_lo);
	view_fmt_prob(hi_s, sizeof hi_s, m->ci_hi);
	snprintf(a, sizeof a, "P(alive) %s", p);
	snprintf(b, sizeof b, "  95%% [%s, %s]", lo_s, hi_s);
	snprintf(c, sizeof c, "  (%llu alive)", (unsigned long long)m->alive_trials);
	view_field alive[] = {
		{{a, NULL}, VS_TEXT, VIEW_FIELD_ALWAYS},
		{{b, NULL}, VS_TEXT, 4},
		{{c, NULL}, VS_TEXT, 2},
	};
	view_grid_fit(g, 0, 2, g->width, alive, 3);
	/* the paper's comparison on a line of its own */
	c[0] = d[0] = '\0';
	if (view_model_bounds_apply(m) && isfinite(m->p_alive) && m->lower > 0) {
		snprintf(c, sizeof c, "   P/L %.3f", m->p_alive / m->lower);
		snprintf(d, sizeof d, "  P-L %+.4g", m->p_alive - m->lower);
	}
	view_field cmp[] = {
		bounds_field(m, "", &bt),
		{{c[0] ? c : NULL, NULL}, VS_TEXT, 3},
		{{d[0] ? d : NULL, NULL}, VS_TEXT, 2},
	};
	view_grid_fit(g, 0, 3, g->width, cmp, 3);
}

/* The legend under the layers: what a cell's shade means, the dead mark
 * (an x in every mode, on its colour in colour) and the unreached cells.
 * Colour swatches and the dot are glyphs drawn over the placeholders of
 * their fields, so the line shortens and drops whole fields like text. */
static void draw_legend(const view_model *m, const view_state *s, view_grid *g, const layout *lo)
{
	int y = lo->legend_y, ramp = s->colours == VIEW_RAMP;
	char scale[64], scale_short[64], swatches[VIEW_HEAT_LEVELS + 1];
	memset(swatches, ' ', VIEW_HEAT_LEVELS);
	swatches[VIEW_HEAT_LEVELS] = '\0';
	snprintf(scale, sizeof scale, "0%% %s 100%%   ", ramp ? VIEW_RAMP_CHARS : swatches);
	snprintf(scale_short, sizeof scale_short, "0%% %s 100%%  ", ramp ? VIEW_RAMP_CHARS : swatches);
	const char *blank[2];
	if (m->mc)
		blank[0] = ramp ? "  blank: dead above" : "  . dead above", blank[1] = NULL;
	else if (ramp)
		blank[0] = "   blank: no point reaches", blank[1] = "   blank: unreached";
	else
		blank[0] = "  . no point reaches", blank[1] = "  . unreached";
	view_field f[] = {
		{{m->mc ? "X living per trial: " : "active on points: ", m->mc ? "X living: " : "active: ", NULL},
		 VS_DIM, 2},
		{{scale, scale_short, NULL}, VS_TEXT, VIEW_FIELD_ALWAYS},
		{{"x", NULL}, VS_DEAD, VIEW_FIELD_ALWAYS},
		{{m->mc ? " net died" : " dead", NULL}, VS_DIM, VIEW_FIELD_ALWAYS},
		{{blank[0], blank[1], NULL}, VS_DIM, 3},
	};
	int at[5];
	int end = view_grid_fit_at(g, 0, y, g->width, f, 5, at);
	if (!ramp && at[1] >= 0)
		for (int k = 1; k <= VIEW_HEAT_LEVELS; k++) {
			char c[2] = {VIEW_RAMP_CHARS[view_ramp_level(k / (double)VIEW_HEAT_LEVELS) - 1], 0};
			view_grid_glyph(g, at[1] + 2 + k, y, s->contrast ? c : " ", VS_HEAT0 + k);
		}
	if (!ramp && at[4] >= 0)
		view_grid_glyph(g, at[4] + 2, y, s->unicode ? "\xc2\xb7" : ".", VS_UNREACHED);
	if (m->mc && s->interactive && end + 26 <= g->width)
		view_grid_text(g, g->width - 23, y, "? explains the columns", VS_DIM);
}

static void draw_status(const view_model *m, const view_state *s, view_grid *g, const layout *lo,
                        size_t last_layer)
{
	int y = lo->status_y;
	if (y < 0)
		return;
	view_grid_fill(g, 0, y, g->width, " ", VS_STATUS);
	const char *keys = m->mc && m->final
		? " q: back to the prompt  arrows/PgUp/PgDn: scroll  y: log axis  c: contrast  ?: help"
		: m->mc ? " q: stop  p: pause run  space: freeze  arrows: scroll  y: log axis  c: contrast  ?: help"
		: m->fixed ? " q: quit  arrows/PgUp/PgDn: scroll  +/-: aggregate  c: contrast  ?: help"
		        : " q: quit  n: new net  arrows/PgUp/PgDn: scroll  +/-: aggregate  c: contrast  ?: help";
	const char *compact = m->mc && m->final ? " q:back  arrows:scroll  y:log  c:contrast  ?:help"
		: m->mc ? " q:stop  p:pause  space:freeze  arrows:scroll  y:log  ?:help"
		: m->fixed ? " q:quit  arrows:scroll  +/-:aggregate  ?:help"
		        : " q:quit  n:new net  arrows:scroll  +/-:aggregate  ?:help";
	const char *brief = m->mc && m->final ? " q:back  arrows:scroll  ?:help"
		: m->mc ? " q:stop  p:pause  arrows:scroll  ?:help"
		: m->fixed ? " q:quit  arrows:scroll  ?:help"
		        : " q:quit  n:new net  arrows:scroll  ?:help";
	const char *minimal = m->mc && m->final ? " q:back  ?:help" : m->mc ? " q:stop  ?:help" : " q:quit  ?:help";
	/* where the screen is: the layers, and the neurons when not all fit */
	char layers[64], range[2][64] = {"", ""}, pos[2][128];
	snprintf(layers, sizeof layers, "  layers %zu-%zu/%zu ", m->depth ? s->top_layer + 1 : 0,
	         last_layer, m->depth);
	if (!m->mc && s->cells_total > (size_t)s->heat_cols) {
		size_t agg = (size_t)s->agg_used, first = s->first_cell * agg + 1;
		size_t last = (s->first_cell + (size_t)s->heat_cols) * agg;
		if (last > m->max_width)
			last = m->max_width;
		snprintf(range[0], sizeof range[0], "  neurons %zu-%zu of %zu", first, last, m->max_width);
		snprintf(range[1], sizeof range[1], "  neurons %zu-%zu/%zu", first, last, m->max_width);
	}
	snprintf(pos[0], sizeof pos[0], "%s%s", range[0], layers);
	snprintf(pos[1], sizeof pos[1], "%s%s", range[1], layers);
	int k = 0;
	while (k < 2 && (int)(strlen(minimal) + strlen(pos[k])) > g->width)
		k++;
	int room = g->width - (k < 2 ? (int)strlen(pos[k]) : 0);
	view_field f = {{keys, compact, brief, minimal}, VS_STATUS, VIEW_FIELD_ALWAYS};
	view_grid_fit(g, 0, y, room, &f, 1);
	if (k < 2)
		view_grid_text(g, room, y, pos[k], VS_STATUS);
}

/* The help box; "M" lines are for Monte Carlo only, "N" lines for a
 * single net only, " " lines for both (the first character is dropped). */
static const char *const help_lines[] = {
	" relush view: keys",
	" ",
	" q, Esc      leave the view; a running Monte Carlo run",
	"             stops and keeps its partial result (interrupted)",
	"Mp           pause / resume the computation itself",
	"Mspace       freeze / unfreeze the display (the run goes on)",
	"Nn           draw the next random net (trial + 1)",
	"My           P(alive) chart: linear / log axis",
	" c           high-contrast palette (projectors)",
	" Up, Down    scroll the layers one row",
	" PgUp, PgDn  scroll the layers one page; Home, End: ends",
	"NLeft, Right scroll the neurons of wide layers",
	"N+, -        more / fewer neurons per heat cell; 0: auto",
	" ?           this help; any key closes it (Up/Down scroll a tall one)",
	" ",
	"NA cell's colour (without colours, a character of .:-=+*#%@) is",
	"Nthe fraction of the points reaching the layer on which its",
	"Nneurons are active; x: dead (no point activates them); blank",
	"N(a dot in colour): no point reaches the layer.",
	"MPer layer l, over the trials so far:",
	"M raster      one column per recent trial (replayed from its",
	"M             seed): share of X living after l; x: that trial's",
	"M             net died at l (its last living point died there)",
	"M points killed %  share of all trials x points killed at l (the",
	"M             bar is scaled to the layer that kills most); with",
	"M             stats = \"alive\" the column is nets died here %:",
	"M             share of nets whose last point died at l",
	"M dead%       neurons inactive on every reaching point, % of n_l",
	"M P(>l)       P(some point of X alive after l): the network",
	"M             survives l layers; P(>k) is P(alive)",
	"M surv/pt     P(a point alive after l | alive before l)",
	"M 1-2^-n      the plain chain's per-point factor of L, the value",
	"M             surv/pt is compared with (per point, not per net)",
	NULL
};

/* Where a help line's wrapped rest continues: under its text (after the
 * key column's run of spaces, or its own indent); 0 for prose. */
static int help_indent(const char *line)
{
	int lead = (int)strspn(line, " ");
	const char *gap = strstr(line + lead, "  ");
	if (!gap || gap - line > 18)
		return lead;
	return (int)(gap - line) + (int)strspn(gap, " ");
}

/* Does this source line continue the one before it (an indented rest of
 * an entry, or a line of a prose paragraph after another)? */
static int help_continues(const char *line, const char *prev)
{
	if (!prev || !*prev || !*line)
		return 0;
	if ((int)strspn(line, " ") >= 8)
		return 1;
	return help_indent(line) == 0 && help_indent(prev) == 0 && strchr(prev, ':') == NULL;
}

#define HELP_MAX_LINES 96
#define HELP_LINE_LEN 128

/* Appends line to out, wrapped at a space to at most width columns (a word
 * longer than that is the one thing cut). */
static void help_wrap(const char *line, int width, char out[][HELP_LINE_LEN], int *n)
{
	int indent = help_indent(line), first = 1;
	while (*n < HELP_MAX_LINES) {
		int pad = first ? 0 : indent, room = width - pad;
		int len = (int)strlen(line);
		if (room < 8)             /* too narrow to indent: start at the left */
			pad = 0, room = width;
		int take = len;
		if (len > room) {
			take = room;
			while (take > 0 && line[take] != ' ')
				take--;
			if (take == 0)
				take = room;
		}
		snprintf(out[(*n)++], HELP_LINE_LEN, "%*s%.*s", pad, "", take, line);
		line += take;
		line += strspn(line, " ");
		if (!*line)
			break;
		first = 0;
	}
}

/* The help box, centred; on a screen too small for it, as much as fits:
 * lines wrapped to the box's width, and when it is too tall a window of
 * lines that Up/Down/PgUp/PgDn scroll (s->help_top), with a line saying so. */
static void draw_help(const view_model *m, view_state *s, view_grid *g)
{
	/* the entries: source lines joined with the lines that continue them */
	char entries[48][512];
	const char *prev = NULL;
	int n_entries = 0, w = 0;
	for (int i = 0; help_lines[i]; i++) {
		char kind = help_lines[i][0];
		const char *line = help_lines[i] + 1;
		if ((kind == 'M' && !m->mc) || (kind == 'N' && m->mc))
			continue;
		if ((int)strlen(line) > w)
			w = (int)strlen(line);
		if (n_entries > 0 && help_continues(line, prev)) {
			char *e = entries[n_entries - 1];
			size_t len = strlen(e);
			snprintf(e + len, sizeof entries[0] - len, " %s", line + strspn(line, " "));
		} else if (n_entries < 48) {
			snprintf(entries[n_entries++], sizeof entries[0], "%s", line);
		}
		prev = line;
	}
	int bw = w + 4 < g->width ? w + 4 : g->width;
	int text_w = bw - 4 > 0 ? bw - 4 : 0;
	char lines[HELP_MAX_LINES][HELP_LINE_LEN];
	int n = 0;
	for (int i = 0; i < n_entries; i++)
		help_wrap(entries[i], text_w, lines, &n);
	int shown = n + 2 <= g->height ? n : g->height - 3;     /* - borders - the scroll line */
	if (shown < 1)
		shown = 1;
	int hidden = n - shown;
	s->help_hidden = hidden > 0 ? hidden : 0;
	if (s->help_top > s->help_hidden)
		s->help_top = s->help_hidden;
	int bh = shown + 2 + (hidden > 0);
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
	char cut[HELP_LINE_LEN];
	for (int i = 0; i < shown; i++) {
		int k = i + s->help_top;
		snprintf(cut, sizeof cut, "%.*s", text_w, lines[k]);
		view_grid_text(g, x0 + 2, y0 + 1 + i, cut, k == 0 ? VS_HEADER : VS_TEXT);
	}
	if (hidden > 0) {
		char more[3][96];
		snprintf(more[0], sizeof more[0], "lines %d-%d of %d: Up/Down scroll, other keys close",
		         s->help_top + 1, s->help_top + shown, n);
		snprintf(more[1], sizeof more[1], "lines %d-%d of %d: Up/Down scroll",
		         s->help_top + 1, s->help_top + shown, n);
		snprintf(more[2], sizeof more[2], "%d-%d/%d: Up/Down", s->help_top + 1, s->help_top + shown, n);
		view_field f = {{more[0], more[1], more[2], NULL}, VS_WARN, VIEW_FIELD_ALWAYS};
		view_grid_fit(g, x0 + 2, y0 + 1 + shown, text_w, &f, 1);
	}
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
	shrink_heat(m, s, &lo, agg);
	s->agg_used = agg;
	s->heat_cols = m->mc ? lo.heat_w : lo.heat_w / lo.cell_w;
	s->layer_rows = lo.layer_rows;
	s->row_h = lo.row_h;
	s->cell_w = lo.cell_w;
	s->cells_total = m->mc ? 0 : (m->max_width + (size_t)agg - 1) / (size_t)agg;
	/* keep the scroll position inside the content */
	size_t max_cell = s->cells_total > (size_t)s->heat_cols ? s->cells_total - (size_t)s->heat_cols : 0;
	if (s->first_cell > max_cell)
		s->first_cell = max_cell;
	size_t max_top = m->depth > (size_t)lo.layer_rows ? m->depth - (size_t)lo.layer_rows : 0;
	if (s->top_layer > max_top)
		s->top_layer = max_top;
	double max_died = 0;
	for (size_t k = 0; m->mc && k < m->depth; k++)
		if (m->layers[k].died_share > max_died)
			max_died = m->layers[k].died_share;

	draw_top(m, s, g);
	draw_column_header(m, s, g, &lo, agg);
	size_t l = s->top_layer;
	for (int r = 0; r < lo.layer_rows && l < m->depth; r++, l++)
		draw_layer_row(m, s, g, &lo, l, lo.layers_y + r * lo.row_h, agg, max_died);
	if (lo.curve_h > 0)
		view_draw_chart(m, s, g, 0, lo.curve_y, lo.W, lo.curve_h);
	draw_legend(m, s, g, &lo);
	draw_status(m, s, g, &lo, l);
	if (s->help)
		draw_help(m, s, g);
}

/* test_render.c: the live view's renderer at every screen width from the
 * smallest it accepts to 140 columns, for a class of models (single nets
 * and Monte Carlo runs, plain and other architectures, flipped, deep, wide,
 * huge counts) and states (running, paused, interrupted, done, snapshot or
 * terminal): no text on the screen is cut at its edge or inside a number or
 * word (the grid records every cut), and the fields that must stay (L and U,
 * the ETA, P(alive), the neurons shown when a layer is scrolled) do. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "view/render.h"

#define MAX_WIDTH 140
#define HEIGHT 30

typedef struct scenario {
	const char *name;
	int mc, arch, flip, point_stats;
	size_t depth, width, points;
	int wide_scroll;     /* a wide net scrolled to its middle at 1 neuron a cell */
} scenario;

static const scenario scenarios[] = {
	{"plain net", 0, ARCH_PLAIN, 0, 1, 12, 3, 64, 0},
	{"residual net", 0, ARCH_RESIDUAL, 0, 1, 4, 4, 64, 0},
	{"flipped net", 0, ARCH_PLAIN, 1, 1, 6, 5, 64, 0},
	{"dense net", 0, ARCH_DENSE, 0, 1, 3, 7, 1000000, 0},
	{"wide net scrolled", 0, ARCH_PLAIN, 0, 1, 6, 500, 64, 1},
	{"deep net", 0, ARCH_BATCHNORM, 0, 1, 12345, 2, 3, 0},
	{"mc plain", 1, ARCH_PLAIN, 0, 1, 24, 3, 64, 0},
	{"mc residual", 1, ARCH_RESIDUAL, 0, 1, 8, 4, 64, 0},
	{"mc flipped", 1, ARCH_PLAIN, 1, 1, 8, 2, 64, 0},
	{"mc stats alive", 1, ARCH_PLAIN, 0, 0, 16, 3, 1000000, 0},
	{"mc deep", 1, ARCH_SKIP, 0, 1, 5000, 2, 64, 0},
};

static void fill(view_model *m, const scenario *sc, int state)
{
	m->arch = (rl_arch)sc->arch;
	m->flip = sc->flip;
	m->point_stats = sc->point_stats;
	/* numbers with many digits, so a cut shows */
	m->lower = 0.028283041;
	m->upper = 0.252812347;
	m->trial = 123456789;
	m->living = sc->points / 3;
	for (size_t l = 0; l < m->depth; l++) {
		view_layer *v = &m->layers[l];
		v->reached = 1;
		v->dead = l % v->width;
		v->living = (double)m->living;
		v->active_pct = 47.25;
		for (size_t j = 0; v->active && j < v->width; j++)
			v->active[j] = (j + l) % 4 == 0 ? 0.0 : 0.125 * (double)((j + l) % 8 + 1);
		v->died_share = 0.0123456;
		v->dead_rate = 0.3312;
		v->p_after = 0.7312345;
		v->survival = 0.87654;
	}
	if (!sc->mc)
		return;
	m->done = 123456789012ull;
	m->total = 999999999999ull;
	m->alive_trials = 98765432109ull;
	m->elapsed = 3725.5;
	m->rate = 1.234e6;
	m->eta = 98765.4;
	m->p_alive = 0.0311111;
	m->ci_lo = 0.0310001;
	m->ci_hi = 0.0312222;
	m->final = state == 3;
	m->interrupted = state == 4;
	size_t living[5000];
	for (size_t l = 0; l < m->depth && l < 5000; l++)
		living[l] = l < 10 ? sc->points - l : 0;
	for (uint64_t t = 1; m->raster && t <= 200; t++)
		view_model_raster_push(m, t, living);
	/* a running P(alive) curve around the estimate, as the engine's progress gives it */
	for (int k = 0; k < 50 && (size_t)k < m->curve_cap; k++) {
		double p = 0.03 + 0.00005 * k;
		m->curve[k] = (view_sample){(double)(k + 1) * 2.4e9, p, p - 0.001, p + 0.001};
		m->curve_len = (size_t)k + 1;
	}
	m->done = 123456789012ull;
	m->p_alive = 0.0311111;
	m->ci_lo = 0.0310001;
	m->ci_hi = 0.0312222;
}

/* Is word in the line as a whole word (spaces or the line's ends around)? */
static int has_word(const char *line, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = strstr(line, word); p; p = strstr(p + 1, word))
		if ((p == line || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0' || p[n] == '\n'))
			return 1;
	return 0;
}

/* Row y of the grid as text. */
static void row_text(const view_grid *g, int y, char *out, size_t len)
{
	size_t k = 0;
	for (int x = 0; x < g->width && k + 5 < len; x++) {
		size_t n = strlen(g->cells[(size_t)y * (size_t)g->width + (size_t)x].glyph);
		memcpy(out + k, g->cells[(size_t)y * (size_t)g->width + (size_t)x].glyph, n);
		k += n;
	}
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
}

static int screen_has_word(const view_grid *g, int rows, const char *word, int *row)
{
	char line[4 * MAX_WIDTH + 8];
	for (int y = 0; y < rows && y < g->height; y++) {
		row_text(g, y, line, sizeof line);
		if (has_word(line, word)) {
			*row = y;
			return 1;
		}
	}
	return 0;
}

/* One scenario in one state at every width; returns the problems found. */
static int check_widths(const scenario *sc, int state, int interactive, char *why, size_t why_len)
{
	size_t *widths = malloc(sc->depth * sizeof *widths);
	view_model m;
	int problems = 0;
	for (size_t l = 0; l < sc->depth; l++)
		widths[l] = sc->width;
	if (!widths || view_model_init(&m, sc->mc, widths, sc->depth, 3, sc->points)) {
		snprintf(why, why_len, "out of memory");
		free(widths);
		return 1;
	}
	fill(&m, sc, state);
	for (int w = VIEW_MIN_WIDTH; w <= MAX_WIDTH; w++) {
		view_state s;
		memset(&s, 0, sizeof s);
		s.interactive = interactive;
		s.paused = state == 1;
		s.engine_paused = state == 2;
		s.colours = VIEW_RAMP;
		if (sc->wide_scroll) {
			s.agg = 1;
			s.first_cell = 250;
		}
		int h = interactive ? HEIGHT : view_render_full_height(&m, &s);
		view_grid g;
		if (view_grid_init(&g, w, h)) {
			problems++;
			break;
		}
		view_render(&m, &s, &g);
		unsigned long rows = h < 32 ? (1ul << h) - 1 : ~0ul;
		int at;
		const char *missing = NULL;
		if (s.too_small)
			missing = "the view (too small)";
		else if (g.cut_rows & rows)
			missing = "uncut text";
		else if (view_model_bounds_apply(&m) && !screen_has_word(&g, 4, "0.0283", &at))
			missing = "L 0.0283";
		else if (view_model_bounds_apply(&m) && !screen_has_word(&g, 4, "0.2528", &at))
			missing = "U 0.2528";
		else if (!view_model_bounds_apply(&m) && !screen_has_word(&g, 4, "bounds", &at)
		         && !screen_has_word(&g, 4, "no", &at))
			missing = "why no bounds";
		else if (sc->mc && !(screen_has_word(&g, 2, "ETA", &at)))
			missing = "ETA";
		else if (sc->mc && !(screen_has_word(&g, 3, "P(alive)", &at)))
			missing = "P(alive)";
		else if (sc->wide_scroll && interactive && !screen_has_word(&g, h, "neurons", &at))
			missing = "the neurons shown";
		if (missing) {
			char line[4 * MAX_WIDTH + 8];
			int y = 0;
			while (y < 31 && !(g.cut_rows >> y & 1))
				y++;
			row_text(&g, y < h ? y : 0, line, sizeof line);
			if (!problems)
				snprintf(why, why_len, "width %d: %s; row %d: '%s'", w, missing, y, line);
			problems++;
		}
		view_grid_free(&g);
	}
	view_model_free(&m);
	free(widths);
	return problems;
}

/* The words of the help box (between its borders, every line shown), in
 * order, separated by single spaces. */
static int help_words(const view_model *m, int width, char *out, size_t len)
{
	view_state s;
	memset(&s, 0, sizeof s);
	s.interactive = 1;
	s.help = 1;
	s.colours = VIEW_RAMP;
	view_grid g;
	if (view_grid_init(&g, width, 90))
		return -1;
	view_render(m, &s, &g);
	size_t k = 0;
	int x0 = -1, x1 = -1, inside = 0;
	out[0] = '\0';
	for (int y = 0; y < g.height; y++) {
		char line[4 * MAX_WIDTH + 8];
		row_text(&g, y, line, sizeof line);
		if (!inside && strstr(line, "+-")) {
			x0 = (int)(strstr(line, "+-") - line);
			x1 = (int)(strrchr(line, '+') - line);
			inside = 1;
			continue;
		}
		if (!inside)
			continue;
		if (strncmp(line + x0, "+-", 2) == 0)
			break;
		for (int x = x0 + 1; x < x1 && x < (int)strlen(line) && k + 2 < len; x++) {
			char c = line[x];
			if (c != ' ' || (k > 0 && out[k - 1] != ' '))
				out[k++] = c;
		}
		if (k > 0 && out[k - 1] != ' ' && k + 2 < len)
			out[k++] = ' ';
		out[k] = '\0';
	}
	view_grid_free(&g);
	return s.help_hidden;
}

static const char *const state_names[] = {"live", "paused", "computation paused", "done",
                                          "interrupted"};

int main(void)
{
	for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
		const scenario *sc = &scenarios[i];
		int states = sc->mc ? 5 : 2;
		for (int state = 0; state < states; state++)
			for (int interactive = 0; interactive <= 1; interactive++) {
				char why[1024] = "";
				int bad = check_widths(sc, state, interactive, why, sizeof why);
				if (bad)
					tap_diag("%s", why);
				tap_ok(bad == 0, "%s, %s, %s: widths %d-%d, nothing cut, the key fields shown",
				       sc->name, state_names[state], interactive ? "terminal" : "snapshot",
				       VIEW_MIN_WIDTH, MAX_WIDTH);
			}
	}
	/* the help box at every width: its lines wrap at spaces, so it says
	 * the same words, in the same order, as on a screen wide enough for it */
	for (int mc = 0; mc <= 1; mc++) {
		const scenario *sc = &scenarios[mc ? 6 : 0];
		size_t widths[24];
		view_model m;
		for (size_t l = 0; l < sc->depth; l++)
			widths[l] = sc->width;
		view_model_init(&m, sc->mc, widths, sc->depth, 3, sc->points);
		fill(&m, sc, 0);
		static char wide[8192], narrow[8192];
		help_words(&m, MAX_WIDTH, wide, sizeof wide);
		int bad = 0;
		for (int w = VIEW_MIN_WIDTH; w < MAX_WIDTH && !bad; w++) {
			int hidden = help_words(&m, w, narrow, sizeof narrow);
			if (hidden != 0 || strcmp(wide, narrow) != 0) {
				tap_diag("width %d: '%s'", w, narrow);
				bad = 1;
			}
		}
		tap_ok(!bad && strlen(wide) > 200, "%s help box: the same words at widths %d-%d (wrapped, not cut)",
		       sc->name, VIEW_MIN_WIDTH, MAX_WIDTH);
		view_model_free(&m);
	}
	/* the fitter itself: a class of field sets and widths */
	for (int width = 0; width <= 40; width++) {
		view_grid g;
		view_grid_init(&g, 60, 1);
		view_field f[] = {
			{{"alpha 0.12345", "a 0.12345", NULL}, VS_TEXT, VIEW_FIELD_ALWAYS},
			{{" beta 2.5", NULL}, VS_TEXT, 2},
			{{" gamma 37.125", " g 37.125", NULL}, VS_TEXT, 5},
		};
		int end = view_grid_fit(&g, 3, 0, width, f, 3);
		char line[128];
		row_text(&g, 0, line, sizeof line);
		const char *text = strlen(line) >= 3 ? line + 3 : "";
		/* the rule: abbreviate the least important first, then drop it;
		 * the longest of these that fits is shown */
		static const char *const steps[] = {
			"alpha 0.12345 beta 2.5 gamma 37.125", "alpha 0.12345 beta 2.5 g 37.125",
			"a 0.12345 beta 2.5 g 37.125", "a 0.12345 g 37.125", "a 0.12345", NULL};
		int k = 0;
		while (steps[k + 1] && (int)strlen(steps[k]) > width)
			k++;
		int fits = (int)strlen(steps[k]) <= width;
		int ok = fits ? strcmp(text, steps[k]) == 0 && g.cut_rows == 0 && end - 3 == (int)strlen(text)
		              : g.cut_rows == 1 && (int)strlen(text) <= width     /* cut, and marked */
		                && strncmp(text, steps[k], strlen(text)) == 0;
		tap_ok(ok, "view_grid_fit in %d columns: '%s'", width, text);
		view_grid_free(&g);
	}
	return tap_done();
}

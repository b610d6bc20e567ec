/* model.c: filling the view's model from a death report or from the Monte
 * Carlo engine's counts. Fractions are computed here once, so the renderer
 * and the text snapshot show exactly the numbers a report would. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "view/model.h"

/* Samples kept for the P(alive) curve; when full, every other one goes. */
#define CURVE_CAP 1024

int view_model_init(view_model *m, int mc, const size_t *widths, size_t depth,
                    size_t input, size_t points)
{
	memset(m, 0, sizeof *m);
	m->mc = mc;
	m->depth = depth;
	m->input = input;
	m->points = points;
	m->p_alive = m->ci_lo = m->ci_hi = NAN;
	m->lower = m->upper = m->lower_death = NAN;
	m->eta = INFINITY;
	m->layers = calloc(depth ? depth : 1, sizeof *m->layers);
	if (!m->layers)
		return -1;
	for (size_t l = 0; l < depth; l++) {
		view_layer *v = &m->layers[l];
		v->width = widths[l];
		if (widths[l] > m->max_width)
			m->max_width = widths[l];
		v->active = mc ? NULL : calloc(widths[l], sizeof *v->active);
		if (!mc && !v->active) {
			view_model_free(m);
			return -1;
		}
		v->living = v->active_pct = v->survival = NAN;
		v->died_share = v->dead_rate = v->p_after = NAN;
		v->hazard_bound = -expm1(-(double)widths[l] * log(2.0));
		v->hazard = ldexp(1.0, widths[l] < 2000 ? -(int)widths[l] : -2000);
	}
	if (mc) {
		m->curve = calloc(CURVE_CAP, sizeof *m->curve);
		if (!m->curve) {
			view_model_free(m);
			return -1;
		}
		m->curve_cap = CURVE_CAP;
		m->curve_step = 0;
		/* the raster is a luxury: left out for very deep nets */
		if (depth <= 4096)
			m->raster = calloc(VIEW_RASTER_COLUMNS * depth, sizeof *m->raster);
		if (!m->raster)
			m->raster_off = "too deep to keep";
	}
	return 0;
}

void view_model_free(view_model *m)
{
	if (m->layers)
		for (size_t l = 0; l < m->depth; l++)
			free(m->layers[l].active);
	free(m->layers);
	free(m->curve);
	free(m->raster);
	memset(m, 0, sizeof *m);
}

void view_model_from_death(view_model *m, const rl_death_report *r)
{
	m->have_activity = 1;
	m->living = r->living;
	for (size_t l = 0; l < m->depth && l < r->depth; l++) {
		const rl_layer_stats *st = &r->layers[l];
		view_layer *v = &m->layers[l];
		v->reached = st->reaching > 0;
		v->living = (double)st->living;
		v->dead = st->dead_neurons;
		double sum = 0;
		for (size_t j = 0; j < v->width; j++) {
			v->active[j] = st->reaching ? (double)st->active[j] / (double)st->reaching : 0.0;
			sum += (double)st->active[j];
		}
		/* the same expression as the DeathReport's "active %" column */
		v->active_pct = st->reaching ? 100.0 * sum / ((double)st->reaching * (double)v->width) : NAN;
	}
}

void view_model_from_counts(view_model *m, const mc_counts *c)
{
	int point_stats = c->stats == MC_STATS_ALL;
	m->point_stats = point_stats;
	double trials = (double)c->trials;
	for (size_t l = 0; l < m->depth && l < c->depth; l++) {
		const mc_layer_counts *lc = &c->layers[l];
		view_layer *v = &m->layers[l];
		v->reached = lc->trials_reaching > 0;
		v->p_after = c->trials ? (double)lc->trials_living / trials : NAN;
		v->survival = point_stats && lc->points_reaching
		              ? (double)lc->points_living / (double)lc->points_reaching : NAN;
		v->living = point_stats && c->trials ? (double)lc->points_living / trials : NAN;
		v->dead_rate = point_stats && lc->trials_reaching
		               ? (double)lc->dead_neurons / (double)lc->trials_reaching / (double)v->width
		               : NAN;
		if (!c->trials)
			v->died_share = NAN;
		else if (point_stats && c->points)
			v->died_share = (double)(lc->points_reaching - lc->points_living) /
			                (trials * (double)c->points);
		else
			v->died_share = c->died_at ? (double)c->died_at[l] / trials : NAN;
	}
}

int view_model_bounds_apply(const view_model *m)
{
	/* flipped nets are chosen by X: U does not bound them, nor does the
	 * ratio P/L mean what it does for drawn nets (theory.md §8) */
	return m->arch == ARCH_PLAIN && !m->flip;
}

const float *view_model_raster_column(const view_model *m, size_t age)
{
	if (!m->raster || age >= m->raster_len)
		return NULL;
	size_t slot = (m->raster_head + m->raster_len - 1 - age) % VIEW_RASTER_COLUMNS;
	return m->raster + slot * m->depth;
}

void view_model_raster_push(view_model *m, uint64_t trial, const size_t *living)
{
	if (!m->raster)
		return;
	size_t slot;
	if (m->raster_len < VIEW_RASTER_COLUMNS) {
		slot = (m->raster_head + m->raster_len++) % VIEW_RASTER_COLUMNS;
	} else {
		slot = m->raster_head;
		m->raster_head = (m->raster_head + 1) % VIEW_RASTER_COLUMNS;
	}
	float *col = m->raster + slot * m->depth;
	for (size_t l = 0; l < m->depth; l++)
		col[l] = m->points ? (float)((double)living[l] / (double)m->points) : 0.0f;
	m->raster_last = trial;
}

static void curve_append(view_model *m, double trials, double p, double lo, double hi)
{
	if (!m->curve)
		return;
	if (m->curve_len > 0) {
		view_sample *last = &m->curve[m->curve_len - 1];
		if (trials <= last->trials) {        /* the same point again: refresh it */
			*last = (view_sample){trials, p, lo, hi};
			return;
		}
		if (m->curve_step > 0 && m->curve_len > 1 &&
		    trials - m->curve[m->curve_len - 2].trials < m->curve_step) {
			*last = (view_sample){trials, p, lo, hi};
			return;
		}
	}
	if (m->curve_len == m->curve_cap) {
		size_t k = 0;
		for (size_t i = 0; i < m->curve_len; i += 2)
			m->curve[k++] = m->curve[i];
		m->curve[k - 1] = m->curve[m->curve_len - 1];
		m->curve_len = k;
		m->curve_step = m->curve_step > 0 ? 2 * m->curve_step : trials / (double)k;
	}
	m->curve[m->curve_len++] = (view_sample){trials, p, lo, hi};
}

void view_model_progress(view_model *m, const mc_progress *p, double rate, double eta)
{
	m->done = p->done;
	m->total = p->total;
	m->alive_trials = p->counts->alive_trials;
	m->elapsed = p->elapsed;
	m->rate = rate;
	m->eta = eta;
	if (m->done > 0) {
		m->p_alive = (double)m->alive_trials / (double)m->done;
		mc_wilson(m->alive_trials, m->done, 1.959963984540054, &m->ci_lo, &m->ci_hi);
		curve_append(m, (double)m->done, m->p_alive, m->ci_lo, m->ci_hi);
	}
}

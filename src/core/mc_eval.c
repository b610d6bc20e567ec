/* mc_eval.c: evaluating one Monte Carlo trial (explicit, Gram, lazy,
 * reference), with the run's read-only plan and each worker's workspace.
 * A trial's counts are committed only when it completes. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_BLAS
#include <cblas.h>
#endif
#include "relush/alignment.h"
#include "relush/alloc.h"
#include "relush/bounds.h"
#include "relush/env.h"
#include "relush/flip.h"
#include "relush/scale.h"
#include "mc_impl.h"

/* ---- the shared, read-only plan of a run ------------------------------------ */



static size_t layer_p(const mc_plan *pl, size_t l)
{
	size_t fan = l == 1 ? pl->spec.input : pl->spec.widths[l - 2];
	return fan + (pl->spec.bias.kind != LAW_ZERO);
}

void mci_plan_free(mc_plan *pl)
{
	free(pl->Xt);
	free(pl->layer);
	free(pl->coords1);
	free(pl->rank_after1);
	mci_plan_free_single(pl);
	net_spec_free(&pl->spec);
}

/* Lazy evaluation pays when the first point usually survives: it then costs
 * one point's pass instead of all of them. When networks usually die every
 * point is visited anyway, and breadth first (explicit kernels) is faster. */
static int choose_lazy(const mc_plan *pl)
{
	const mc_config *cfg = pl->cfg;
	if (cfg->stats != MC_STATS_ALIVE || !pl->gaussian || !pl->fast)
		return 0;
	if (cfg->method == MC_METHOD_GRAM)
		return 1;
	if (cfg->method == MC_METHOD_EXPLICIT)
		return 0;
	return pl->m == 1 || bound_lower(pl->spec.widths, pl->spec.depth) >= rl_env_number("RELUSH_MC_LAZY_L", 0.5, 0);
}

static int gram_cheaper(const mc_plan *pl, size_t l, size_t m, size_t rank);

/* Layer 1's Gram basis of X (have_basis1), or none when auto evaluates
 * layer 1 explicitly: the rank so far only grows, so Gram-Schmidt stops as
 * soon as it makes the Gram layer the dearer one, long before the basis is
 * whole on wide inputs. A basis that is computed is the same either way. */
static int plan_basis1(mc_plan *pl, rl_err *e)
{
	int may_stop = pl->cfg->method == MC_METHOD_AUTO && !pl->lazy;
	size_t d = pl->spec.input, p = layer_p(pl, 1), m = pl->m, r = p < m ? p : m;
	gram_layer g;
	gram_layer_init(&g, p, pl->spec.widths[0]);
	double *a = malloc((p + 1) * sizeof *a), *work = malloc((p + 1) * sizeof *work);
	double *c = malloc((r + 2) * sizeof *c);
	pl->coords1_ld = r + 1;
	pl->coords1 = rl_calloc(m, pl->coords1_ld * sizeof(double), "the Gram basis of X", e);
	pl->rank_after1 = rl_calloc(m, sizeof(size_t), "the Gram basis of X", e);
	int rc = 0;
	if (!a || !work || !c || !pl->coords1 || !pl->rank_after1) {
		rc = rl_fail(e, "out of memory computing the Gram basis of X");
		goto out;
	}
	for (size_t q = 0; q < m; q++) {
		const double *x = mat_row(pl->X, q);
		for (size_t i = 0; i < d; i++)
			a[i] = pl->layer[0].sd_w * x[i];
		if (p > d)
			a[d] = pl->layer[0].sd_b;
		size_t rk = gram_reveal(&g, a, c, work, 0);
		if (rk == (size_t)-1) {
			rc = rl_fail(e, "out of memory computing the Gram basis of X");
			goto out;
		}
		if (may_stop && !gram_cheaper(pl, 1, m, rk)) {
			free(pl->coords1);
			free(pl->rank_after1);
			pl->coords1 = NULL;
			pl->rank_after1 = NULL;
			goto out;
		}
		memcpy(pl->coords1 + q * pl->coords1_ld, c, rk * sizeof *c);
		pl->rank_after1[q] = rk;
	}
	pl->rank1 = g.rank;
	pl->have_basis1 = 1;
out:
	gram_layer_free(&g);
	free(a);
	free(work);
	free(c);
	return rc;
}

static int small_kernels = 1;

void mci_set_small_kernels(int on)
{
	small_kernels = on;
}

/* The kernels for this CPU, chosen once per run: on the AVX-512 path,
 * mc_small.h's step for small layers (it hands wider ones to the general
 * kernel) and its scaling of drawn weights. */
static void plan_kernels(mc_plan *pl)
{
	pl->dense = kernel_dense();
	pl->finish = kernel_finish();
	pl->dense_single = kernel_dense_single();
	pl->scale = mci_scale;
	pl->scale_single = mci_scale_single;
#ifdef HAVE_AVX512
	if (small_kernels && kernel_get_path() == KERNEL_PATH_AVX512) {
		pl->dense = mc_small_dense_avx512;
		pl->dense_single = mc_small_dense_single_avx512;
		pl->scale = mc_small_scale_avx512;
		pl->scale_single = mc_small_scale_single_avx512;
		pl->small_step = mc_small_step_avx512;
		pl->small_step_single = mc_small_step_single_avx512;
	}
#endif
}

/* Asking every layer and living count is cheap next to a run when there
 * are few of them (a small net's trials take microseconds, and the
 * estimate is most of a layer's bookkeeping); beyond this many questions
 * a layer's own work dwarfs its estimate, and trials ask as they go. */
#define MC_EXPLICIT_ONLY_CHECKS 65536.0

static int plan_explicit_only(const mc_plan *pl)
{
	if (!pl->gaussian || pl->cfg->method == MC_METHOD_EXPLICIT)
		return 1;
	if (pl->cfg->method == MC_METHOD_GRAM || (double)pl->depth * (double)pl->m > MC_EXPLICIT_ONLY_CHECKS)
		return 0;
	for (size_t l = 1; l <= pl->depth; l++)
		for (size_t m = 1; m <= pl->m; m++)
			if (mci_layer_uses_gram(pl, l, m))
				return 0;
	return 1;
}

int mci_plan_init(mc_plan *pl, const mc_config *cfg, rl_err *e)
{
	memset(pl, 0, sizeof *pl);
	pl->cfg = cfg;
	if (net_spec_copy(&pl->spec, cfg->spec, e))
		return -1;
	const rl_net_spec *s = &pl->spec;
	pl->X = cfg->X;
	pl->m = cfg->X->rows;
	pl->pad = kernel_pad(pl->m);
	pl->depth = s->depth;
	pl->gaussian = mci_gaussian_net(s);
	pl->fast = mci_fast_path(cfg);
	pl->max_width = s->input;
	plan_kernels(pl);
	pl->cost_variate = rl_env_number("RELUSH_MC_NS_VARIATE", MC_NS_VARIATE, 1e-300);
	pl->blas_min = rl_env_number("RELUSH_MC_BLAS_MIN", MC_BLAS_MIN, 0);
#ifdef HAVE_BLAS
	pl->use_blas = pl->blas_min > 0;
#endif
	pl->layer = rl_calloc(s->depth, sizeof *pl->layer, "the Monte Carlo plan", e);
	if (!pl->layer) {
		mci_plan_free(pl);
		return -1;
	}
	for (size_t l = 1; l <= s->depth; l++) {
		size_t n = s->widths[l - 1], fan = net_fan_in(s, l);
		if (n > pl->max_width)
			pl->max_width = n;
		if (n * fan > pl->max_params)
			pl->max_params = n * fan;
		mc_plan_layer *layer = &pl->layer[l - 1];
		layer->neuron_offset = pl->neuron_total;
		pl->neuron_total += n;
		layer->sd_w = law_sd(s->weights.kind, law_param(&s->weights, fan, n));
		layer->sd_b = s->bias.kind == LAW_ZERO ? 0.0 : law_sd(s->bias.kind, law_param(&s->bias, fan, n));
	}
	if (!pl->fast)
		return 0;
	pl->lazy = choose_lazy(pl);
	if (pl->lazy || (cfg->method == MC_METHOD_GRAM && pl->gaussian))
		pl->max_params = 0;   /* weights are never drawn: no room needed for them */
	pl->Xt = rl_calloc(s->input, pl->pad * sizeof(double), "the transposed input set", e);
	if (!pl->Xt) {
		mci_plan_free(pl);
		return -1;
	}
	for (size_t q = 0; q < pl->m; q++)
		for (size_t i = 0; i < s->input; i++)
			pl->Xt[i * pl->pad + q] = mat_row(cfg->X, q)[i];
	if ((pl->gaussian && cfg->method != MC_METHOD_EXPLICIT && plan_basis1(pl, e)) ||
	    mci_plan_init_single(pl, e)) {
		mci_plan_free(pl);
		return -1;
	}
	pl->explicit_only = plan_explicit_only(pl);
	pl->small = mci_small_applies(pl);
	return 0;
}

/* ---- per-thread workspace ---------------------------------------------------- */





void mci_worker_free(mc_worker *w)
{
	free(w->H[0]);
	free(w->H[1]);
	free(w->W);
	free(w->b);
	free(w->Z);
	free(w->a);
	free(w->c);
	free(w->work);
	free(w->z);
	free(w->h);
	free(w->scratch);
	free(w->active);
	free(w->rec.reaching);
	free(w->rec.alive_after);
	free(w->rec.dead_neurons);
	free(w->rec.active_unit);
	free(w->rec.cosine);
	gram_layer_free(&w->gram);
	mci_draw_free(&w->draw);
	if (w->lazy_layers)
		for (size_t l = 0; l < w->plan->depth; l++)
			gram_layer_free(&w->lazy_layers[l]);
	free(w->lazy_layers);
	free(w->lazy_stamp);
	mci_worker_free_single(w);
	mc_counts_free(&w->local);
	memset(w, 0, sizeof *w);
}

double mci_worker_bytes(const mc_plan *pl)
{
	double rows = (double)pl->max_width, pad = (double)pl->pad;
	double bytes = 8.0 * (2.0 * rows * pad + (double)pl->max_params + rows);
	if (pl->use_blas)
		bytes += 8.0 * rows * pad;
	bytes += 64.0 * rows + 8.0 * 6.0 * rows + 24.0 * (double)pl->depth;
	/* mc_draw: its buffers in the run's precision, its layout */
	bytes += (pl->single ? 4.0 : 8.0) * (MC_DRAW_BUF + MC_DRAW_SMALL) + 32.0 * (double)pl->depth;
	return bytes + mci_worker_bytes_single(pl);
}

int mci_worker_init(mc_worker *w, mc_plan *pl, rl_err *e)
{
	memset(w, 0, sizeof *w);
	w->plan = pl;
	const char *what = "the Monte Carlo workspace";
	size_t rows = pl->max_width + 2, depth = pl->depth;
	if (mc_counts_init(&w->local, depth, pl->m, pl->cfg->stats,
	                   pl->cfg->neuron_activity ? pl->neuron_total : 0, e))
		return -1;
	w->rec.reaching = rl_calloc(depth, sizeof(uint64_t), what, e);
	w->rec.alive_after = rl_calloc(depth, sizeof(uint64_t), what, e);
	w->rec.dead_neurons = rl_calloc(depth, sizeof(uint64_t), what, e);
	w->rec.active_unit = rl_calloc(depth, sizeof(uint8_t), what, e);
	w->active = rl_calloc(rows, sizeof(uint64_t), what, e);
	if (!w->rec.reaching || !w->rec.alive_after || !w->rec.dead_neurons || !w->rec.active_unit ||
	    !w->active)
		goto fail;
	if (pl->cfg->alignment &&
	    (mc_counts_want_alignment(&w->local, e) ||
	     !(w->rec.cosine = rl_calloc(depth, sizeof(double), what, e))))
		goto fail;
	if (!pl->fast)
		return 0;
	for (int k = 0; k < 2; k++)
		if (!(w->H[k] = rl_calloc(rows, pl->pad * sizeof(double), what, e)))
			goto fail;
	w->W = rl_calloc(pl->max_params ? pl->max_params : 1, sizeof(double), what, e);
	w->b = rl_calloc(rows, sizeof(double), what, e);
	w->a = rl_calloc(rows, sizeof(double), what, e);
	w->c = rl_calloc(rows + 2, sizeof(double), what, e);
	w->work = rl_calloc(rows, sizeof(double), what, e);
	w->z = rl_calloc(rows, sizeof(double), what, e);
	w->h = rl_calloc(rows, sizeof(double), what, e);
	if (!w->W || !w->b || !w->a || !w->c || !w->work || !w->z || !w->h)
		goto fail;
	if (pl->use_blas && !(w->Z = rl_calloc(rows, pl->pad * sizeof(double), what, e)))
		goto fail;
	if (mci_draw_init(&w->draw, pl, e))
		goto fail;
	w->scratch = aligned_alloc(64, rows * KERNEL_SCRATCH);
	if (!w->scratch) {
		rl_fail(e, "out of memory for %s", what);
		goto fail;
	}
	memset(w->scratch, 0, rows * KERNEL_SCRATCH);
	if (mci_worker_init_single(w, e))
		goto fail;
	if (pl->lazy) {
		w->lazy_layers = rl_calloc(depth, sizeof *w->lazy_layers, what, e);
		w->lazy_stamp = rl_calloc(depth, sizeof *w->lazy_stamp, what, e);
		if (!w->lazy_layers || !w->lazy_stamp)
			goto fail;
		for (size_t l = 1; l <= depth; l++)
			gram_layer_init(&w->lazy_layers[l - 1], layer_p(pl, l), pl->spec.widths[l - 1]);
	}
	return 0;
fail:
	mci_worker_free(w);
	return -1;
}

/* ---- evaluating one trial ---------------------------------------------------- */

static void record_start(trial_record *rec)
{
	rec->reached = 0;
	rec->living = 0;
	rec->died = 0;
	rec->layers_explicit = rec->layers_gram = 0;
	rec->lazy = rec->reference = 0;
}

/* Neurons active on no reaching point; adds the activity to the counts. */
static uint64_t layer_dead(mc_worker *w, size_t l, size_t n)
{
	uint64_t dead = 0;
	uint64_t *na = w->local.neuron_active;
	for (size_t j = 0; j < n; j++) {
		dead += w->active[j] == 0;
		if (na)
			na[w->plan->layer[l - 1].neuron_offset + j] += w->active[j];
		w->active[j] = 0;
	}
	return dead;
}

/* Is the Gram sampler clearly cheaper than an explicit layer for layer l on
 * m living points whose a-vectors span r dimensions? The estimate grows with
 * r (also in floating point: rounding is monotone), which plan_basis1 uses to
 * stop as soon as layer 1 is known to go explicit. */
static int gram_cheaper(const mc_plan *pl, size_t l, size_t m, size_t rank)
{
	double n = (double)pl->spec.widths[l - 1], fan = (double)net_fan_in(&pl->spec, l);
	double p = (double)layer_p(pl, l), mm = (double)m, cv = pl->cost_variate, r = (double)rank;
	double expl = MC_NS_LAYER + cv * n * p + MC_NS_KERNEL_FMA * mm * n * (fan + 2.0), gram;
	if (l == 1)   /* X's basis is computed once per run */
		gram = MC_NS_LAYER + mm * (MC_NS_GRAM_POINT / 3 + MC_NS_GRAM_FMA * (r * n + n)) + cv * r * n;
	else
		gram = MC_NS_LAYER + mm * (MC_NS_GRAM_POINT + MC_NS_GRAM_FMA * (2.0 * r * p + r * n + 2.0 * p + 2.0 * n))
		       + cv * r * n;
	/* Explicit layers keep the trial replayable: Gram only when clearly cheaper. */
	return gram * MC_GRAM_MARGIN < expl;
}

/* The cheaper way to evaluate layer l on m living points. */
int mci_layer_uses_gram(const mc_plan *pl, size_t l, size_t m)
{
	mc_method method = pl->cfg->method;
	if (pl->explicit_only || !pl->gaussian || method == MC_METHOD_EXPLICIT)
		return 0;
	if (method == MC_METHOD_GRAM)
		return 1;
	if (l == 1)   /* no basis: plan_basis1 found layer 1 explicit */
		return pl->have_basis1 && gram_cheaper(pl, 1, m, pl->rank1);
	size_t p = layer_p(pl, l);
	return gram_cheaper(pl, l, m, m < p ? m : p);
}

/* Explicit layer: weights drawn exactly as net_create draws them. */
static size_t layer_explicit(mc_worker *w, uint64_t trial, size_t l, const double *Hin,
                             size_t m, double *Hout)
{
	const mc_plan *pl = w->plan;
	size_t n = pl->spec.widths[l - 1], p = net_fan_in(&pl->spec, l);
	const void *W, *b;
	mci_draw_layer(w, trial, l, &W, &b);
#ifdef HAVE_BLAS
	if (pl->use_blas && (double)m * (double)n * (double)p >= pl->blas_min) {
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m, (int)p,
		            1.0, W, (int)p, Hin, (int)pl->pad, 0.0, w->Z, (int)pl->pad);
		return pl->finish(w->Z, pl->pad, b, n, m, Hout, pl->pad, w->active, w->scratch);
	}
#endif
	return pl->dense(W, b, n, p, Hin, pl->pad, m, Hout, pl->pad, w->active, w->scratch);
}

/* h = ReLU(z); is some z_j > 0? Branch-free: the signs are coin flips, so
 * branches on them would be mispredicted half the time. */
static int relu_any(const double *restrict z, double *restrict h, size_t n)
{
	uint64_t alive = 0;
	for (size_t j = 0; j < n; j++) {
		uint64_t bits, mask = -(uint64_t)(z[j] > 0.0);
		memcpy(&bits, &z[j], sizeof bits);
		bits &= mask;
		alive |= mask;
		memcpy(&h[j], &bits, sizeof bits);
	}
	return alive != 0;
}

/* Does z (n entries) have an active neuron? Counts activity. */
static int point_test(mc_worker *w, const double *z, size_t n)
{
	unsigned alive = 0;
	for (size_t j = 0; j < n; j++) {
		unsigned act = z[j] > 0.0;
		alive |= act;
		w->active[j] += act;
	}
	return alive != 0;
}

/* Gram layer, breadth first: the living points revealed in order. Hin and
 * Hout hold doubles, or floats in a single-precision trial (the sampler
 * computes in double; its outputs are rounded to floats there). */
int mci_layer_gram(mc_worker *w, uint64_t trial, size_t l, const void *Hin,
                   size_t m, void *Hout, size_t *living)
{
	const mc_plan *pl = w->plan;
	size_t n = pl->spec.widths[l - 1], p = layer_p(pl, l), fan = net_fan_in(&pl->spec, l);
	gram_layer *g = &w->gram;
	gram_layer_shape(g, p, n);
	gram_layer_reset(g, pl->spec.seed, trial, l);
	double sw = pl->layer[l - 1].sd_w, sb = pl->layer[l - 1].sd_b;
	int single = pl->single;
	size_t pos = 0, ld = single ? pl->pad_single : pl->pad;
	if (l == 1 && gram_draw_rows(g, pl->rank1))
		return -1;
	for (size_t q = 0; q < m; q++) {
		const double *c;
		size_t r;
		if (l == 1) {
			c = pl->coords1 + q * pl->coords1_ld;
			r = pl->rank_after1[q];
		} else {
			for (size_t i = 0; i < fan; i++)
				w->a[i] = sw * (single ? (double)((const float *)Hin)[i * ld + q]
				                       : ((const double *)Hin)[i * ld + q]);
			if (p > fan)
				w->a[fan] = sb;
			r = gram_reveal(g, w->a, w->c, w->work, 1);
			if (r == (size_t)-1)
				return -1;
			c = w->c;
		}
		gram_combine(g, c, r, w->z);
		if (point_test(w, w->z, n)) {
			relu_any(w->z, w->h, n);
			for (size_t j = 0; j < n; j++)
				if (single)
					((float *)Hout)[j * ld + pos] = (float)w->h[j];
				else
					((double *)Hout)[j * ld + pos] = w->h[j];
			pos++;
		}
	}
	*living = pos;
	return 0;
}

/* Breadth first: every living point through layer after layer. */
static int trial_breadth(mc_worker *w, uint64_t trial)
{
	mc_plan *pl = w->plan;
	trial_record *rec = &w->rec;
	const double *Hin = pl->Xt;
	size_t m = pl->m;
	int out = 0;
	for (size_t l = 1; l <= pl->depth; l++) {
		if (mci_stop_requested(w->shared))
			return TRIAL_ABORTED;
		size_t living;
		double *Hout = w->H[out];
		if (mci_layer_uses_gram(pl, l, m)) {
			if (mci_layer_gram(w, trial, l, Hin, m, Hout, &living))
				return TRIAL_FAILED;
			rec->layers_gram++;
		} else {
			living = layer_explicit(w, trial, l, Hin, m, Hout);
			rec->layers_explicit++;
		}
		if (mci_layer_recorded(w, l, m, living))
			return TRIAL_DONE;
		Hin = Hout;
		out ^= 1;
		m = living;
	}
	rec->living = m;
	return TRIAL_DONE;
}

int mci_layer_recorded(mc_worker *w, size_t l, size_t m, size_t living)
{
	trial_record *rec = &w->rec;
	rec->reached = l;
	rec->reaching[l - 1] = m;
	rec->alive_after[l - 1] = living;
	rec->dead_neurons[l - 1] = layer_dead(w, l, w->plan->spec.widths[l - 1]);
	if (living == 0) {
		rec->died = l;
		rec->living = 0;
		return 1;
	}
	return 0;
}

/* Lazy: points one at a time, depth first, until one lives through every
 * layer. Layer l's state is reset the first time this trial touches it. */
static int trial_lazy(mc_worker *w, uint64_t trial)
{
	mc_plan *pl = w->plan;
	trial_record *rec = &w->rec;
	size_t d = pl->spec.input, worst = 0;
	rec->lazy = 1;
	for (size_t q = 0; q < pl->m; q++) {
		const double *h = mat_row(pl->X, q);
		size_t died = 0;
		for (size_t l = 1; l <= pl->depth; l++) {
			if (mci_stop_requested(w->shared))
				return TRIAL_ABORTED;
			gram_layer *g = &w->lazy_layers[l - 1];
			size_t n = pl->spec.widths[l - 1], fan = l == 1 ? d : pl->spec.widths[l - 2];
			if (w->lazy_stamp[l - 1] != trial) {
				gram_layer_reset(g, pl->spec.seed, trial, l);
				w->lazy_stamp[l - 1] = trial;
			}
			const double *c;
			size_t r;
			if (l == 1) {
				c = pl->coords1 + q * pl->coords1_ld;
				r = pl->rank_after1[q];
				if (gram_draw_rows(g, r))
					return TRIAL_FAILED;
			} else {
				double sw = pl->layer[l - 1].sd_w;
				for (size_t i = 0; i < fan; i++)
					w->a[i] = sw * h[i];
				if (g->p > fan)
					w->a[fan] = pl->layer[l - 1].sd_b;
				r = gram_reveal(g, w->a, w->c, w->work, 1);
				if (r == (size_t)-1)
					return TRIAL_FAILED;
				c = w->c;
			}
			gram_combine(g, c, r, w->z);
			int alive = relu_any(w->z, w->h, n);
			if (l > rec->reached)
				rec->reached = l;
			if (!alive) {
				died = l;
				break;
			}
			h = w->h;
		}
		if (!died) {
			rec->living = 1;   /* at least one; the rest was never looked at */
			rec->died = 0;
			return TRIAL_DONE;
		}
		if (died > worst)
			worst = died;
	}
	rec->died = worst;
	rec->living = 0;
	return TRIAL_DONE;
}

/* The reference: a whole net_create + net_death per trial. Handles every
 * architecture net_death knows. */
static int trial_reference(mc_worker *w, uint64_t trial)
{
	mc_plan *pl = w->plan;
	trial_record *rec = &w->rec;
	rl_err e;
	rec->reference = 1;
	if (mci_stop_requested(w->shared))
		return TRIAL_ABORTED;
	rl_net *net = net_create(&pl->spec, trial, &e);
	if (!net) {
		w->err = e;
		return TRIAL_FAILED;
	}
	rl_death_report *rep;
	if (pl->cfg->flip) {
		/* Sign flipping changes the net in place; its report is the
		 * flipped net's net_death. */
		rl_flip_report *fr = net_flip(net, pl->X, 0, &e);
		rep = fr ? fr->death : NULL;
		if (fr) {
			fr->death = NULL;
			flip_report_free(fr);
		}
		if (rep && rec->cosine) {   /* measure the flipped net */
			death_report_free(rep);
			rep = alignment_measure(net, pl->X, rec->cosine, &e);
		}
	} else if (rec->cosine) {
		rep = alignment_measure(net, pl->X, rec->cosine, &e);
	} else {
		rep = net_death(net, pl->X, &e);
	}
	net_free(net);
	if (!rep) {
		w->err = e;
		return TRIAL_FAILED;
	}
	/* Batch norm keeps every point in the batch, so a layer past the last
	 * strictly living point can still have an active unit. */
	for (size_t l = 1; l <= pl->depth; l++)
		rec->active_unit[l - 1] = (uint8_t)rep->layers[l - 1].has_active_unit;
	size_t worst = 0;
	for (size_t i = 0; i < rep->points; i++)
		if (rep->dead_at[i] > worst)
			worst = rep->dead_at[i];
	for (size_t l = 1; l <= pl->depth; l++) {
		const rl_layer_stats *st = &rep->layers[l - 1];
		if (st->reaching == 0)
			break;
		rec->reached = l;
		rec->reaching[l - 1] = st->reaching;
		rec->alive_after[l - 1] = st->living;
		rec->dead_neurons[l - 1] = st->dead_neurons;
		if (w->local.neuron_active)
			for (size_t j = 0; j < st->width; j++)
				w->local.neuron_active[pl->layer[l - 1].neuron_offset + j] += st->active[j];
	}
	rec->living = rep->living;
	rec->died = rep->living ? 0 : worst;
	death_report_free(rep);
	return TRIAL_DONE;
}

void mci_record_commit(mc_counts *c, const trial_record *rec)
{
	c->trials++;
	c->layers_explicit += rec->layers_explicit;
	c->layers_gram += rec->layers_gram;
	c->trials_lazy += (uint64_t)rec->lazy;
	c->trials_reference += (uint64_t)rec->reference;
	if (rec->living)
		c->alive_trials++;
	else if (rec->died)
		c->died_at[rec->died - 1]++;
	if (rec->lazy) {
		/* Only network-level facts are known. */
		size_t last = rec->living ? c->depth : rec->died;
		for (size_t l = 0; l < last; l++) {
			c->layers[l].trials_reaching++;
			c->layers[l].trials_living += l + 1 < last || rec->living;
			c->layers[l].trials_active_unit += l + 1 < last || rec->living;
		}
		c->trials_all_active += rec->living > 0;
		return;
	}
	for (size_t l = 0; l < rec->reached; l++) {
		mc_layer_counts *x = &c->layers[l];
		x->trials_reaching++;
		x->trials_living += rec->alive_after[l] > 0;
		x->points_reaching += rec->reaching[l];
		x->points_living += rec->alive_after[l];
		x->dead_neurons += rec->dead_neurons[l];
		if (!rec->reference)  /* only living points are evaluated */
			x->trials_active_unit += rec->alive_after[l] > 0;
	}
	if (rec->reference) {
		int all = 1;
		for (size_t l = 0; l < c->depth; l++) {
			c->layers[l].trials_active_unit += rec->active_unit[l];
			all &= rec->active_unit[l];
		}
		c->trials_all_active += (uint64_t)all;
	} else {
		c->trials_all_active += rec->living > 0;
	}
	if (c->alignment && rec->cosine)
		alignment_sum_add(c->alignment, rec->cosine);
	c->living_sum += rec->living;
	uint64_t lo, hi;
	mci_u64_square(rec->living, &lo, &hi);
	mci_u128_add(c->living_sq, lo, hi);
	if (rec->living < c->min_living)
		c->min_living = rec->living;
}

int mci_run_trial(mc_worker *w, uint64_t trial)
{
	record_start(&w->rec);
	if (!w->plan->fast)
		return trial_reference(w, trial);
	if (w->plan->lazy)
		return trial_lazy(w, trial);
	if (w->plan->small)
		return mci_trial_small(w, trial);
	if (w->plan->single)
		return mci_trial_single(w, trial);
	return trial_breadth(w, trial);
}


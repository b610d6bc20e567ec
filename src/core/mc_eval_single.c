/* mc_eval_single.c: Monte Carlo trials in float32 (precision = "single").
 * A trial draws each layer's weights in float32 as net_create draws them
 * for a single-precision spec (net_draw_layer_single; small layers a group
 * at a time, mc_draw.c) and runs it through the float
 * kernel (kernel_impl.h in float32), on X rounded to floats; the counts are
 * recorded as in the double path (mc_eval.c). The Gram and lazy samplers
 * draw pre-activations, not weights, and compute in double in either
 * precision: a single run with method = "gram", or one that auto runs
 * lazily, uses them unchanged, and a layer auto gives the Gram sampler
 * (where it is clearly cheaper, as in double) reads the float trial's
 * points and rounds its outputs to floats. */
#include <stdlib.h>
#include "relush/alloc.h"
#include "mc_impl.h"

void mci_plan_free_single(mc_plan *pl)
{
	free(pl->Xt_single);
	pl->Xt_single = NULL;
}

int mci_plan_init_single(mc_plan *pl, rl_err *e)
{
	const mc_config *cfg = pl->cfg;
	pl->single = pl->fast && pl->spec.precision == PRECISION_SINGLE && !pl->lazy &&
	             cfg->method != MC_METHOD_GRAM;
	if (!pl->single)
		return 0;
	size_t d = pl->spec.input;
	pl->pad_single = kernel_pad_single(pl->m);
	pl->Xt_single = rl_calloc(d, pl->pad_single * sizeof(float), "the transposed input set", e);
	if (!pl->Xt_single)
		return -1;
	for (size_t q = 0; q < pl->m; q++)
		for (size_t i = 0; i < d; i++)
			pl->Xt_single[i * pl->pad_single + q] = (float)mat_row(pl->X, q)[i];
	return 0;
}

double mci_worker_bytes_single(const mc_plan *pl)
{
	if (!pl->single)
		return 0.0;
	double rows = (double)pl->max_width + 2.0;
	return 4.0 * (2.0 * rows * (double)pl->pad_single + (double)pl->max_params + rows);
}

int mci_worker_init_single(mc_worker *w, rl_err *e)
{
	const mc_plan *pl = w->plan;
	if (!pl->single)
		return 0;
	const char *what = "the Monte Carlo workspace";
	size_t rows = pl->max_width + 2;
	for (int k = 0; k < 2; k++)
		if (!(w->H_single[k] = rl_calloc(rows, pl->pad_single * sizeof(float), what, e)))
			return -1;
	w->W_single = rl_calloc(pl->max_params ? pl->max_params : 1, sizeof(float), what, e);
	w->b_single = w->W_single ? rl_calloc(rows, sizeof(float), what, e) : NULL;
	return w->b_single ? 0 : -1;
}

void mci_worker_free_single(mc_worker *w)
{
	free(w->H_single[0]);
	free(w->H_single[1]);
	free(w->W_single);
	free(w->b_single);
}

int mci_trial_single(mc_worker *w, uint64_t trial)
{
	mc_plan *pl = w->plan;
	const float *Hin = pl->Xt_single;
	size_t m = pl->m, ld = pl->pad_single;
	int out = 0;
	for (size_t l = 1; l <= pl->depth; l++) {
		if (mci_stop_requested(w->shared))
			return TRIAL_ABORTED;
		size_t n = pl->spec.widths[l - 1], p = net_fan_in(&pl->spec, l), living;
		if (mci_layer_uses_gram(pl, l, m)) {
			if (mci_layer_gram(w, trial, l, Hin, m, w->H_single[out], &living))
				return TRIAL_FAILED;
			w->rec.layers_gram++;
		} else {
			const void *W, *b;
			mci_draw_layer(w, trial, l, &W, &b);
			living = pl->dense_single(W, b, n, p, Hin, ld, m,
			                          w->H_single[out], ld, w->active, w->scratch);
			w->rec.layers_explicit++;
		}
		if (mci_layer_recorded(w, l, m, living))
			return TRIAL_DONE;
		Hin = w->H_single[out];
		out ^= 1;
		m = living;
	}
	w->rec.living = m;
	return TRIAL_DONE;
}

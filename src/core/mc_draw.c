/* mc_draw.c: the weights and biases of an explicit Monte Carlo layer,
 * exactly as net_draw_layer (or, for precision = "single",
 * net_draw_layer_single with rng_normal_streams_float) draws them. Small Gaussian layers (a P1-sized
 * net has 16 weights a layer) are drawn several layers at a time with
 * rng_normal_streams: one call per layer and stream cost more than the
 * variates themselves. Zero biases are not drawn (net_draw_layer writes
 * zeros): they point at a row of zeros. A trial that dies early leaves the rest of its
 * group unused; groups are kept short (MC_DRAW_GROUP) so that this waste
 * stays small. */
#include <stdlib.h>
#include <string.h>
#include "relush/alloc.h"
#include "mc_impl.h"

int mci_draw_init(mc_draw *d, const mc_plan *pl, rl_err *e)
{
	memset(d, 0, sizeof *d);
	if (!pl->gaussian || pl->lazy)
		return 0;
	const char *what = "the Monte Carlo workspace";
	d->offset = rl_calloc(pl->depth, sizeof *d->offset, what, e);
	d->weights = rl_calloc(pl->depth, sizeof *d->weights, what, e);
	d->stream = rl_calloc(2 * pl->depth, sizeof *d->stream, what, e);
	d->len = rl_calloc(2 * pl->depth, sizeof *d->len, what, e);
	d->buf = rl_calloc(MC_DRAW_BUF, sizeof *d->buf, what, e);
	d->zeros = rl_calloc(MC_DRAW_SMALL, sizeof *d->zeros, what, e);
	d->buf_single = rl_calloc(MC_DRAW_BUF, sizeof *d->buf_single, what, e);
	d->zeros_single = rl_calloc(MC_DRAW_SMALL, sizeof *d->zeros_single, what, e);
	if (!d->offset || !d->weights || !d->stream || !d->len || !d->buf || !d->zeros ||
	    !d->buf_single || !d->zeros_single)
		return -1;
	for (size_t l = 1; l <= pl->depth; l++)
		d->weights[l - 1] = pl->spec.widths[l - 1] * net_fan_in(&pl->spec, l);
	return 0;
}

void mci_scale(double *x, size_t n, double s)
{
	for (size_t i = 0; i < n; i++)
		x[i] *= s;
}

void mci_scale_single(float *x, size_t n, double s)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (float)(s * (double)x[i]);
}

void mci_draw_free(mc_draw *d)
{
	free(d->offset);
	free(d->weights);
	free(d->stream);
	free(d->len);
	free(d->buf);
	free(d->zeros);
	free(d->buf_single);
	free(d->zeros_single);
	memset(d, 0, sizeof *d);
}

/* Lays out the group of layers l, l + 1, ... while they are small and the
 * group has room (layer l always: it is small, so it fits MC_DRAW_BUF): their offsets, streams and lengths; returns the number
 * of streams and sets d->first, d->last. */
static size_t group_layout(mc_draw *d, const mc_plan *pl, uint64_t trial, size_t l)
{
	const rl_net_spec *s = &pl->spec;
	size_t used = 0, count = 0, last = l;
	for (; last <= pl->depth; last++) {
		size_t n = s->widths[last - 1], wn = d->weights[last - 1];
		size_t nb = s->bias.kind == LAW_ZERO ? 0 : n;
		if (wn + n > MC_DRAW_SMALL || (used > 0 && used + wn + nb > MC_DRAW_GROUP))
			break;
		d->offset[last - 1] = used;
		d->stream[count] = RNG_STREAM_WEIGHTS(last);
		d->len[count++] = wn;
		if (nb) {
			d->stream[count] = RNG_STREAM_BIAS(last);
			d->len[count++] = nb;
		}
		used += wn + nb;
	}
	d->trial = trial;
	d->first = l;
	d->last = last - 1;
	return count;
}

static void draw_group(mc_draw *d, const mc_plan *pl, uint64_t trial, size_t l)
{
	const rl_net_spec *s = &pl->spec;
	size_t count = group_layout(d, pl, trial, l);
	rng_normal_streams(s->seed, trial, d->stream, d->len, count, d->buf);
	d->single = 0;
	/* Scaled as law_draw scales them (sd_w is the normal law's parameter). */
	for (size_t k = l; k <= d->last; k++) {
		size_t n = s->widths[k - 1], wn = d->weights[k - 1];
		double *W = d->buf + d->offset[k - 1];
		pl->scale(W, wn, pl->sd_w[k - 1]);
		if (s->bias.kind != LAW_ZERO)   /* right after the weights */
			pl->scale(W + wn, n, pl->sd_b[k - 1]);
	}
}

/* draw_group in float32. */
static void draw_group_single(mc_draw *d, const mc_plan *pl, uint64_t trial, size_t l)
{
	const rl_net_spec *s = &pl->spec;
	size_t count = group_layout(d, pl, trial, l);
	rng_normal_streams_float(s->seed, trial, d->stream, d->len, count, d->buf_single);
	d->single = 1;
	/* Scaled as law_draw_single scales them: the product in double, rounded. */
	for (size_t k = l; k <= d->last; k++) {
		size_t n = s->widths[k - 1], wn = d->weights[k - 1];
		float *W = d->buf_single + d->offset[k - 1];
		pl->scale_single(W, wn, pl->sd_w[k - 1]);
		if (s->bias.kind != LAW_ZERO)
			pl->scale_single(W + wn, n, pl->sd_b[k - 1]);
	}
}

/* Is layer l of trial in the group drawn (in floats when single)? */
static int group_has(const mc_draw *d, uint64_t trial, size_t l, int single)
{
	return d->trial == trial && l >= d->first && l <= d->last && d->last != 0 && d->single == single;
}

/* Is layer l drawn with its group (small enough, and groups set up)?
 * Otherwise it is drawn alone, as net_draw_layer(_single) draws it. */
static int drawn_in_group(const mc_draw *d, const mc_plan *pl, size_t l)
{
	return d->buf && d->weights[l - 1] + pl->spec.widths[l - 1] <= MC_DRAW_SMALL;
}

void mci_draw_layer(mc_worker *w, uint64_t trial, size_t l, const double **W, const double **b)
{
	const mc_plan *pl = w->plan;
	mc_draw *d = &w->draw;
	if (!drawn_in_group(d, pl, l)) {
		net_draw_layer(&pl->spec, trial, l, w->W, w->b);
		*W = w->W;
		*b = w->b;
		return;
	}
	if (!group_has(d, trial, l, 0))
		draw_group(d, pl, trial, l);
	*W = d->buf + d->offset[l - 1];
	*b = pl->spec.bias.kind == LAW_ZERO ? d->zeros : *W + d->weights[l - 1];
}

void mci_draw_layer_single(mc_worker *w, uint64_t trial, size_t l, const float **W, const float **b)
{
	const mc_plan *pl = w->plan;
	mc_draw *d = &w->draw;
	if (!drawn_in_group(d, pl, l)) {
		net_draw_layer_single(&pl->spec, trial, l, w->W_single, w->b_single);
		*W = w->W_single;
		*b = w->b_single;
		return;
	}
	if (!group_has(d, trial, l, 1))
		draw_group_single(d, pl, trial, l);
	*W = d->buf_single + d->offset[l - 1];
	*b = pl->spec.bias.kind == LAW_ZERO ? d->zeros_single : *W + d->weights[l - 1];
}

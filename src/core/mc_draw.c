/* mc_draw.c: the weights and biases of an explicit Monte Carlo layer,
 * exactly as net_draw_layer (or, in a single-precision run,
 * net_draw_layer_single with rng_normal_streams_float) draws them. A run
 * draws in one precision, the plan's: the group buffer holds doubles, or
 * floats when the plan is single. Small Gaussian layers (a P1-sized
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

/* The layout of every group, fixed for the run: small layers' streams in
 * layer order (stream_at[k - 1] is layer k's first), the parameters
 * before layer k in that order (param_at[k - 1]: a group starting at
 * layer first holds layer k at param_at[k - 1] - param_at[first - 1]),
 * and the last layer of the group that starts at each layer. A group
 * takes layers l, l + 1, ... while they are small and it has room (layer
 * l always: it is small, so it fits MC_DRAW_BUF). */
static void draw_layout(mc_draw *d, const mc_plan *pl)
{
	const rl_net_spec *s = &pl->spec;
	size_t count = 0, used = 0;
	for (size_t k = 1; k <= pl->depth; k++) {
		size_t n = s->widths[k - 1], wn = d->weights[k - 1];
		size_t nb = s->bias.kind == LAW_ZERO ? 0 : n;
		d->stream_at[k - 1] = count;
		d->param_at[k - 1] = used;
		if (wn + n > MC_DRAW_SMALL)
			continue;
		d->stream[count] = RNG_STREAM_WEIGHTS(k);
		d->len[count++] = wn;
		if (nb) {
			d->stream[count] = RNG_STREAM_BIAS(k);
			d->len[count++] = nb;
		}
		used += wn + nb;
	}
	d->stream_at[pl->depth] = count;
	d->param_at[pl->depth] = used;
	for (size_t l = 1; l <= pl->depth; l++) {
		size_t last = l;
		while (last < pl->depth && d->weights[last] + s->widths[last] <= MC_DRAW_SMALL &&
		       d->param_at[last + 1] - d->param_at[l - 1] <= MC_DRAW_GROUP)
			last++;
		d->group_last[l - 1] = last;
	}
}

/* n zeroed elements of size bytes on whole cache lines (n * size is a
 * multiple of MC_CACHE_LINE). The group buffer is filled by the
 * generator's vector stores and read by the step a layer at a time: where
 * malloc put it and the zeros, P1 in single precision ran 2 to 3 % slower
 * than on cache lines (scripts/bench/mc_bench.lua, best of 8). */
_Static_assert(MC_DRAW_BUF * sizeof(float) % MC_CACHE_LINE == 0 &&
               MC_DRAW_SMALL * sizeof(float) % MC_CACHE_LINE == 0,
               "the draw buffers are whole cache lines in either precision");
static void *draw_buffer(size_t n, size_t size, const char *what, rl_err *e)
{
	void *p = aligned_alloc(MC_CACHE_LINE, n * size);
	if (!p) {
		rl_fail(e, "out of memory for %s", what);
		return NULL;
	}
	return memset(p, 0, n * size);
}

int mci_draw_init(mc_draw *d, const mc_plan *pl, rl_err *e)
{
	memset(d, 0, sizeof *d);
	if (!pl->gaussian || pl->lazy)
		return 0;
	const char *what = "the Monte Carlo workspace";
	size_t size = pl->single ? sizeof(float) : sizeof(double);
	d->param_at = rl_calloc(pl->depth + 1, sizeof *d->param_at, what, e);
	d->stream_at = rl_calloc(pl->depth + 1, sizeof *d->stream_at, what, e);
	d->group_last = rl_calloc(pl->depth, sizeof *d->group_last, what, e);
	d->weights = rl_calloc(pl->depth, sizeof *d->weights, what, e);
	d->stream = rl_calloc(2 * pl->depth, sizeof *d->stream, what, e);
	d->len = rl_calloc(2 * pl->depth, sizeof *d->len, what, e);
	d->buf = draw_buffer(MC_DRAW_BUF, size, what, e);
	d->zeros = d->buf ? draw_buffer(MC_DRAW_SMALL, size, what, e) : NULL;
	if (!d->param_at || !d->stream_at || !d->group_last || !d->weights || !d->stream || !d->len ||
	    !d->buf || !d->zeros)
		return -1;
	for (size_t l = 1; l <= pl->depth; l++)
		d->weights[l - 1] = pl->spec.widths[l - 1] * net_fan_in(&pl->spec, l);
	draw_layout(d, pl);
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
	free(d->param_at);
	free(d->stream_at);
	free(d->group_last);
	free(d->weights);
	free(d->stream);
	free(d->len);
	free(d->buf);
	free(d->zeros);
	memset(d, 0, sizeof *d);
}

static void scale_run(mc_draw *d, const mc_plan *pl, size_t start, size_t len, double f)
{
	if (pl->single)
		pl->scale_single((float *)d->buf + start, len, f);
	else
		pl->scale((double *)d->buf + start, len, f);
}

/* Scales the group drawn as law_draw (law_draw_single) scales them: each
 * layer's weights by sd_w, its biases by sd_b (the normal law's
 * parameters); consecutive runs with the same factor in one call (P1's
 * layers 2 .. 32 share theirs). */
static void scale_group(mc_draw *d, const mc_plan *pl)
{
	const rl_net_spec *s = &pl->spec;
	size_t start = 0, len = 0, at = 0;
	double f = 0.0;
	for (size_t k = d->first; k <= d->last; k++)
		for (int bias = 0; bias < 2; bias++) {
			size_t count = !bias ? d->weights[k - 1] : s->bias.kind == LAW_ZERO ? 0 : s->widths[k - 1];
			double g = bias ? pl->layer[k - 1].sd_b : pl->layer[k - 1].sd_w;
			if (count == 0)
				continue;
			if (len && g != f) {
				scale_run(d, pl, start, len, f);
				start = at;
				len = 0;
			}
			f = g;
			len += count;
			at += count;
		}
	if (len)
		scale_run(d, pl, start, len, f);
}

/* Draws the group of trial that starts at layer l (floats scaled with the
 * product in double, rounded). */
static void draw_group(mc_draw *d, const mc_plan *pl, uint64_t trial, size_t l)
{
	d->trial = trial;
	d->first = l;
	d->last = d->group_last[l - 1];
	size_t first = d->stream_at[l - 1], count = d->stream_at[d->last] - first;
	if (pl->single)
		rng_normal_streams_float(pl->spec.seed, trial, d->stream + first, d->len + first, count,
		                         d->buf);
	else
		rng_normal_streams(pl->spec.seed, trial, d->stream + first, d->len + first, count, d->buf);
	scale_group(d, pl);
}

/* Is layer l of trial in the group drawn? */
static int group_has(const mc_draw *d, uint64_t trial, size_t l)
{
	return d->trial == trial && l >= d->first && l <= d->last && d->last != 0;
}

/* Is layer l drawn with its group (small enough, and groups set up)?
 * Otherwise it is drawn alone, as net_draw_layer(_single) draws it. */
static int drawn_in_group(const mc_draw *d, const mc_plan *pl, size_t l)
{
	return d->buf && d->weights[l - 1] + pl->spec.widths[l - 1] <= MC_DRAW_SMALL;
}

void mci_draw_layer(mc_worker *w, uint64_t trial, size_t l, const void **W, const void **b)
{
	const mc_plan *pl = w->plan;
	mc_draw *d = &w->draw;
	if (!drawn_in_group(d, pl, l)) {
		if (pl->single) {
			net_draw_layer_single(&pl->spec, trial, l, w->W_single, w->b_single);
			*W = w->W_single;
			*b = w->b_single;
		} else {
			net_draw_layer(&pl->spec, trial, l, w->W, w->b);
			*W = w->W;
			*b = w->b;
		}
		return;
	}
	if (!group_has(d, trial, l))
		draw_group(d, pl, trial, l);
	size_t size = pl->single ? sizeof(float) : sizeof(double);
	const char *weights = (const char *)d->buf + size * (d->param_at[l - 1] - d->param_at[d->first - 1]);
	*W = weights;
	*b = pl->spec.bias.kind == LAW_ZERO ? d->zeros : weights + size * d->weights[l - 1];
}

/* flip.c: the sign-flipping scheme of theory.md §8 (see relush/flip.h). The
 * flip happens inside net_death's pass through its pre-activation hook, so
 * every layer is flipped on exactly the points that reach it alive, with
 * the same semantics as a death report for every architecture. */
#include <math.h>
#include <stdlib.h>
#include "relush/alloc.h"
#include "relush/flip.h"

typedef struct flip_ctx {
	rl_net *net;
	rl_flip_report *rep;
} flip_ctx;

/* Negates neuron j of layer l: its weights, its bias and its column of Z. */
static void negate_neuron(rl_net *net, size_t l, size_t j, double *Z, size_t rows, size_t n)
{
	size_t fan_in = net_fan_in(&net->spec, l);
	double *w = net->W[l - 1] + j * fan_in;
	for (size_t i = 0; i < fan_in; i++)
		w[i] = -w[i];
	net->b[l - 1][j] = -net->b[l - 1][j];
	net->changed |= NET_FLIPPED;
	for (size_t r = 0; r < rows; r++)
		Z[r * n + j] = -Z[r * n + j];
}

static int flip_layer(void *ctx, size_t l, double *Z, size_t rows, size_t n,
                      const size_t *point_of_row, const size_t *dead_at, rl_err *e)
{
	flip_ctx *c = ctx;
	rl_flip_layer *fl = &c->rep->layers[l - 1];
	(void)e;
	for (size_t j = 0; j < n; j++) {
		size_t pos = 0, neg = 0;
		for (size_t r = 0; r < rows; r++) {
			if (dead_at[point_of_row[r]])
				continue;
			double z = Z[r * n + j];
			pos += z > 0.0;
			neg += z < 0.0;
			fl->ties += z == 0.0;
		}
		if (pos < neg) {
			negate_neuron(c->net, l, j, Z, rows, n);
			fl->flipped++;
		}
	}
	return 0;
}

void flip_report_free(rl_flip_report *r)
{
	if (!r)
		return;
	death_report_free(r->death);
	free(r->layers);
	free(r);
}

double flip_floor(size_t l)
{
	return ldexp(1.0, l > 2000 ? -2000 : -(int)l);
}

rl_flip_report *net_flip(rl_net *net, const rl_mat *X, int compare, rl_err *e)
{
	/* X is checked by the pass (net_death_hooked), before the net changes */
	const rl_net_spec *s = &net->spec;
	rl_flip_report *rep = rl_calloc(1, sizeof *rep, "the flip report", e);
	if (!rep)
		return NULL;
	rep->points = X->rows;
	rep->depth = s->depth;
	rep->layers = rl_calloc(s->depth, sizeof *rep->layers, "the flip report", e);
	if (!rep->layers) {
		flip_report_free(rep);
		return NULL;
	}
	for (size_t l = 0; l < s->depth; l++)
		rep->layers[l].width = s->widths[l];
	if (compare) {
		rl_death_report *before = net_death(net, X, e);
		if (!before) {
			flip_report_free(rep);
			return NULL;
		}
		for (size_t l = 0; l < s->depth; l++)
			rep->layers[l].living_before = before->layers[l].living;
		rep->living_before = before->living;
		rep->compared = 1;
		death_report_free(before);
	}
	/* The pass allocates everything before its first layer, so a failure
	 * leaves the net untouched. */
	flip_ctx ctx = {net, rep};
	rl_pass_hooks hooks = {flip_layer, NULL, &ctx};
	rep->death = net_death_hooked(net, X, &hooks, e);
	if (!rep->death) {
		flip_report_free(rep);
		return NULL;
	}
	return rep;
}

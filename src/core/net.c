/* net.c: network specifications and their random draws (see relush/net.h).
 * Each layer's parameters come from their own rng streams, so any layer of
 * any trial can be drawn on its own: the Monte Carlo engine draws layers one
 * at a time and stops early, and replay draws the same numbers in full. */
#include <stdlib.h>
#include <string.h>
#include "relush/env.h"
#include "relush/alloc.h"
#include "relush/net.h"

const char *arch_name(rl_arch a)
{
	static const char *const names[] = {"plain", "residual", "dense", "skip", "batchnorm"};
	return a <= ARCH_BATCHNORM ? names[a] : "?";
}

const char *precision_name(rl_precision p)
{
	return p == PRECISION_SINGLE ? "single" : "double";
}

int precision_parse(const char *name, rl_precision *p)
{
	if (strcmp(name, "double") == 0)
		*p = PRECISION_DOUBLE;
	else if (strcmp(name, "single") == 0)
		*p = PRECISION_SINGLE;
	else
		return -1;
	return 0;
}

int precision_from_env(rl_precision *p)
{
	const char *s = getenv("RELUSH_PRECISION");
	return s && *s && precision_parse(s, p) == 0;
}

rl_precision precision_default(void)
{
	rl_precision p = PRECISION_DOUBLE;
	precision_from_env(&p);
	return p;
}

size_t net_fan_in(const rl_net_spec *s, size_t l)
{
	if (s->arch == ARCH_DENSE) {
		size_t fan = s->input;
		for (size_t j = 1; j < l; j++)
			fan += s->widths[j - 1];
		return fan;
	}
	return l == 1 ? s->input : s->widths[l - 2];
}

void net_round_to_precision(rl_net *n)
{
	const rl_net_spec *s = &n->spec;
	if (s->precision != PRECISION_SINGLE)
		return;
	for (size_t l = 1; l <= s->depth; l++) {
		size_t width = s->widths[l - 1], count = width * net_fan_in(s, l);
		for (size_t i = 0; i < count; i++)
			n->W[l - 1][i] = (float)n->W[l - 1][i];
		for (size_t i = 0; i < width; i++)
			n->b[l - 1][i] = (float)n->b[l - 1][i];
	}
}

size_t net_output_width(const rl_net_spec *s)
{
	size_t total = 0;
	switch (s->arch) {
	case ARCH_DENSE:
		return net_fan_in(s, s->depth) + s->widths[s->depth - 1];
	case ARCH_SKIP:
		for (size_t l = 0; l < s->depth; l++)
			total += s->widths[l];
		return total;
	default:
		return s->widths[s->depth - 1];
	}
}

double net_param_count(const rl_net_spec *s)
{
	/* the dense fan-in kept as a running sum: net_fan_in would make this
	 * quadratic in the depth, and it runs before the memory check */
	double count = 0.0, dense_fan = (double)s->input;
	for (size_t l = 1; l <= s->depth; l++) {
		double fan = s->arch == ARCH_DENSE ? dense_fan : (double)net_fan_in(s, l);
		count += (double)s->widths[l - 1] * (fan + 1.0);
		dense_fan += (double)s->widths[l - 1];
	}
	return count;
}

int net_spec_copy(rl_net_spec *dst, const rl_net_spec *src, rl_err *e)
{
	*dst = *src;
	dst->widths = malloc(src->depth * sizeof *dst->widths);
	if (!dst->widths)
		return rl_fail(e, "out of memory copying a network specification");
	memcpy(dst->widths, src->widths, src->depth * sizeof *dst->widths);
	return 0;
}

void net_spec_free(rl_net_spec *s)
{
	free(s->widths);
	s->widths = NULL;
}

int net_spec_validate(const rl_net_spec *s, rl_err *e)
{
	if (s->depth < 1 || s->depth > NET_MAX_DEPTH)
		return rl_fail(e, "depth must be between 1 and %u, got %zu", NET_MAX_DEPTH, s->depth);
	if (s->input < 1 || s->input > NET_MAX_WIDTH)
		return rl_fail(e, "input dimension must be between 1 and %u, got %zu", NET_MAX_WIDTH, s->input);
	double dense_fan = (double)s->input;
	for (size_t l = 1; l <= s->depth; l++) {
		size_t n = s->widths[l - 1];
		if (n < 1 || n > NET_MAX_WIDTH)
			return rl_fail(e, "width of layer %zu must be between 1 and %u, got %zu",
			               l, NET_MAX_WIDTH, n);
		size_t prev = l == 1 ? s->input : s->widths[l - 2];
		if (s->arch == ARCH_RESIDUAL && n != prev)
			return rl_fail(e, "a residual net needs every layer as wide as its input "
			               "(h_l = h_{l-1} + ReLU(...)), but layer %zu has width %zu "
			               "and its input has %zu; use equal widths and input = width", l, n, prev);
		if (s->precision == PRECISION_SINGLE) {
			/* the margin of scale.h: a draw is at most 64 sds, and floats end near 2^128 */
			size_t fan = net_fan_in(s, l);
			double sw = law_sd(s->weights.kind, law_param(&s->weights, fan, n));
			double sb = law_sd(s->bias.kind, law_param(&s->bias, fan, n));
			if (sw > 0x1p64 || sb > 0x1p64)
				return rl_fail(e, "numbers out of range: layer %zu's %s sd %g is beyond what floats "
				               "(precision = \"single\") hold reliably (2^64 = %g); scale it nearer 1 "
				               "or use precision = \"double\"",
				               l, sw > 0x1p64 ? "weights" : "biases", sw > 0x1p64 ? sw : sb, 0x1p64);
		}
		dense_fan += (double)n;
		if (dense_fan > 1e15)
			return rl_fail(e, "the dense net's representation grows too wide");
	}
	/* the parameters, and per layer two pointers, a width and two heap
	 * blocks' bookkeeping: a million thin layers cost more than their weights */
	return rl_mem_check(8.0 * net_param_count(s) + 96.0 * (double)s->depth, "the network's weights", e);
}

void net_draw_layer_single(const rl_net_spec *s, uint64_t trial, size_t l, float *W, float *b)
{
	size_t n = s->widths[l - 1], fan_in = net_fan_in(s, l);
	rl_rng r;
	rng_init(&r, s->seed, trial, RNG_STREAM_WEIGHTS(l));
	law_draw_single(s->weights.kind, law_param(&s->weights, fan_in, n), &r, W, n * fan_in);
	rng_init(&r, s->seed, trial, RNG_STREAM_BIAS(l));
	law_draw_single(s->bias.kind, law_param(&s->bias, fan_in, n), &r, b, n);
}

/* A single-precision law's draws widened into out, in chunks of a multiple
 * of 4 (the stream reads as in one call). */
static void draw_single_wide(const rl_law *law, size_t fan_in, size_t n, rl_rng *r, double *out,
                             size_t count)
{
	float chunk[256];
	for (size_t done = 0; done < count; done += 256) {
		size_t m = count - done < 256 ? count - done : 256;
		law_draw_single(law->kind, law_param(law, fan_in, n), r, chunk, m);
		for (size_t i = 0; i < m; i++)
			out[done + i] = chunk[i];
	}
}

void net_draw_layer(const rl_net_spec *s, uint64_t trial, size_t l, double *W, double *b)
{
	size_t n = s->widths[l - 1], fan_in = net_fan_in(s, l);
	rl_rng r;
	int single = s->precision == PRECISION_SINGLE;
	rng_init(&r, s->seed, trial, RNG_STREAM_WEIGHTS(l));
	if (single)
		draw_single_wide(&s->weights, fan_in, n, &r, W, n * fan_in);
	else
		law_draw(s->weights.kind, law_param(&s->weights, fan_in, n), &r, W, n * fan_in);
	rng_init(&r, s->seed, trial, RNG_STREAM_BIAS(l));
	if (single)
		draw_single_wide(&s->bias, fan_in, n, &r, b, n);
	else
		law_draw(s->bias.kind, law_param(&s->bias, fan_in, n), &r, b, n);
}

/* An empty net of this shape: every pointer NULL, so net_free is safe at
 * any point of the construction. */
static rl_net *net_alloc(const rl_net_spec *s, rl_err *e)
{
	if (net_spec_validate(s, e))
		return NULL;
	rl_net *net = calloc(1, sizeof *net);
	if (!net || net_spec_copy(&net->spec, s, e)) {
		free(net);
		rl_fail(e, "out of memory creating a network");
		return NULL;
	}
	net->W = calloc(s->depth, sizeof *net->W);
	net->b = calloc(s->depth, sizeof *net->b);
	if (!net->W || !net->b) {
		net_free(net);
		rl_fail(e, "out of memory creating a network of depth %zu", s->depth);
		return NULL;
	}
	for (size_t l = 1; l <= s->depth; l++) {
		size_t n = s->widths[l - 1];
		net->W[l - 1] = rl_calloc(n * net_fan_in(s, l), sizeof(double), "the network's weights", e);
		net->b[l - 1] = rl_calloc(n, sizeof(double), "the network's biases", e);
		if (!net->W[l - 1] || !net->b[l - 1]) {
			net_free(net);
			return NULL;
		}
	}
	return net;
}

rl_net *net_create(const rl_net_spec *s, uint64_t trial, rl_err *e)
{
	rl_net *net = net_alloc(s, e);
	if (!net)
		return NULL;
	net->trial = trial;
	for (size_t l = 1; l <= s->depth; l++)
		net_draw_layer(s, trial, l, net->W[l - 1], net->b[l - 1]);
	return net;
}

rl_net *net_clone(const rl_net *src, rl_err *e)
{
	rl_net *net = net_alloc(&src->spec, e);
	if (!net)
		return NULL;
	net->trial = src->trial;
	net->changed = src->changed;
	for (size_t l = 1; l <= src->spec.depth; l++) {
		size_t n = src->spec.widths[l - 1];
		memcpy(net->W[l - 1], src->W[l - 1], n * net_fan_in(&src->spec, l) * sizeof(double));
		memcpy(net->b[l - 1], src->b[l - 1], n * sizeof(double));
	}
	return net;
}

void net_free(rl_net *net)
{
	if (!net)
		return;
	for (size_t l = 0; net->W && l < net->spec.depth; l++)
		free(net->W[l]);
	for (size_t l = 0; net->b && l < net->spec.depth; l++)
		free(net->b[l]);
	free(net->W);
	free(net->b);
	net_spec_free(&net->spec);
	free(net);
}

/* net.h: a fully connected ReLU network at initialisation. Layer l (1-based)
 * has widths[l-1] neurons; its weights form an n_l x fan_in(l) row-major
 * matrix (row j: neuron j's incoming weights) drawn from rng stream
 * (seed, trial, RNG_STREAM_WEIGHTS(l)), its biases from RNG_STREAM_BIAS(l).
 * So trial i of a Monte Carlo run and net_create(spec, i) are the same net. */
#ifndef RELUSH_NET_H
#define RELUSH_NET_H

#include <stddef.h>
#include <stdint.h>
#include "relush/err.h"
#include "relush/law.h"

typedef enum {
	ARCH_PLAIN = 0,  /* h_l = ReLU(W_l h_{l-1} + b_l) */
	ARCH_RESIDUAL,   /* h_l = h_{l-1} + ReLU(W_l h_{l-1} + b_l) */
	ARCH_DENSE,      /* h_l = concat(h_{l-1}, ReLU(W_l h_{l-1} + b_l)) */
	ARCH_SKIP,       /* plain chain, every h_l feeds the output */
	ARCH_BATCHNORM   /* pre-activations normalised over the input set */
} rl_arch;

/* The arithmetic a net is evaluated in. Single: its drawn weights and
 * biases are float32 values (law_draw_single), its inputs are
 * rounded to float32 at every layer and each pre-activation is computed in
 * float32 (kernel.h's float kernels: the same operations, in the same order,
 * in the Monte Carlo engine and in net_death, so a replayed trial decides
 * every sign as its run did). Double is 0: a zeroed spec is double. */
typedef enum { PRECISION_DOUBLE = 0, PRECISION_SINGLE } rl_precision;
const char *precision_name(rl_precision p);
/* "double" or "single" into *p: 0, or -1 for any other name. */
int precision_parse(const char *name, rl_precision *p);
/* RELUSH_PRECISION into *p and 1 when it is set (rl_env_check has refused
 * bad values); else 0 and *p unchanged. */
int precision_from_env(rl_precision *p);
/* RELUSH_PRECISION when set, else the default of nets, double (a Monte
 * Carlo run given no precision chooses its own: precision_for_inputs). */
rl_precision precision_default(void);

/* Limits that keep every size computation far from overflow. */
#define NET_MAX_DEPTH  100000000u
#define NET_MAX_WIDTH  100000000u

typedef struct rl_net_spec {
	size_t depth;        /* k >= 1 */
	size_t input;        /* n_0 = d >= 1 */
	size_t *widths;      /* depth entries, each >= 1 (owned) */
	rl_law weights;
	rl_law bias;         /* kind LAW_ZERO for zero biases */
	rl_arch arch;
	uint64_t seed;
	rl_precision precision;
} rl_net_spec;

/* What has changed a net's parameters since they were drawn or loaded:
 * it is then no longer trial `trial` of its spec (nor the file's net). */
enum { NET_FLIPPED = 1, NET_TRAINED = 2 };

typedef struct rl_net {
	rl_net_spec spec;
	uint64_t trial;
	double **W;          /* W[l-1]: widths[l-1] x net_fan_in(spec, l) */
	double **b;          /* b[l-1]: widths[l-1] */
	unsigned changed;    /* NET_FLIPPED | NET_TRAINED, 0 as drawn or loaded */
} rl_net;

/* Deep-copies src into dst (dst->widths freshly allocated). */
int net_spec_copy(rl_net_spec *dst, const rl_net_spec *src, rl_err *e);
void net_spec_free(rl_net_spec *s);
/* Checks widths, arch constraints (residual needs equal widths) and that the
 * parameters fit in memory; the message names what is wrong. */
int net_spec_validate(const rl_net_spec *s, rl_err *e);
size_t net_fan_in(const rl_net_spec *s, size_t l);   /* l is 1-based */
size_t net_output_width(const rl_net_spec *s);
double net_param_count(const rl_net_spec *s);
const char *arch_name(rl_arch a);

/* Draws layer l of trial `trial` into W (n_l x fan_in) and b (n_l); a
 * single-precision spec draws with law_draw_single (float32 values). */
void net_draw_layer(const rl_net_spec *s, uint64_t trial, size_t l, double *W, double *b);
/* The same draws as floats, for a single-precision spec. */
void net_draw_layer_single(const rl_net_spec *s, uint64_t trial, size_t l, float *W, float *b);

/* A single-precision net holds float32 weights and biases (what its
 * evaluations compute with, what net:weights shows and net:save writes):
 * rounds them to floats after they were set in double (relu.load, a
 * training step); a double-precision net is left as it is. */
void net_round_to_precision(rl_net *n);

rl_net *net_create(const rl_net_spec *s, uint64_t trial, rl_err *e);
rl_net *net_clone(const rl_net *n, rl_err *e);
void net_free(rl_net *n);

#endif

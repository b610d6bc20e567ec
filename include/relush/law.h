/* law.h: the symmetric continuous laws that weights and biases are drawn
 * from, and the default scale rules (He: variance 2/fan_in; Glorot: variance
 * 2/(fan_in + fan_out)). Everything the paper proves needs only symmetry,
 * independence and continuity, so every law here has those three. */
#ifndef RELUSH_LAW_H
#define RELUSH_LAW_H

#include <stddef.h>
#include "relush/rng.h"

typedef enum { LAW_ZERO = 0, LAW_NORMAL, LAW_UNIFORM, LAW_LAPLACE } rl_law_kind;
typedef enum { SCALE_FIXED = 0, SCALE_HE, SCALE_GLOROT } rl_scale_rule;

typedef struct rl_law {
	rl_law_kind kind;
	rl_scale_rule rule;  /* how param is found when not fixed */
	double param;        /* normal: sd; uniform: a in U(-a, a); laplace: b */
} rl_law;

/* The largest parameter (and sd) accepted: every law's standard variate is
 * below 64 in size (its uniforms are at least 2^-54: a normal radius is at
 * most 8.7, a Laplace variate at most 37.5), so no draw overflows to inf. */
#define LAW_SCALE_MAX 1e306

/* The parameter for a layer with this fan-in and fan-out. */
double law_param(const rl_law *law, size_t fan_in, size_t fan_out);
/* Standard deviation of the law with parameter param. */
double law_sd(rl_law_kind kind, double param);
/* Fill out[0..n) with draws of the law (parameter already resolved). */
void law_draw(rl_law_kind kind, double param, rl_rng *r, double *out, size_t n);
/* The same for a single-precision net, in float32: normal draws are
 * param * z, z from the float32 generator (rng_normal_float), the product
 * in double rounded to float; uniform and Laplace draws are law_draw's
 * doubles rounded to float. */
void law_draw_single(rl_law_kind kind, double param, rl_rng *r, float *out, size_t n);
const char *law_name(rl_law_kind kind);

#endif

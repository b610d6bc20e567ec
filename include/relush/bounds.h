/* bounds.h: the paper's bounds as exact, instant functions (theory.md §3 to §5).
 *
 * Everything is computed in log space with log1p/expm1/ldexp, so depths up to
 * 1e12 and beyond, widths and input dimensions up to 1e6 and beyond neither
 * underflow, overflow nor lose tiny death probabilities.
 *
 * Conventions
 * - A network is given either as a list of widths (const size_t *widths, k
 *   entries, every width >= 1; k == 0 is the empty network, L = U = 1) or, in
 *   the *_uniform forms, as a uniform width n and depth k given as doubles
 *   (integer-valued, n >= 1, k >= 0; any finite magnitude is accepted, e.g.
 *   k = 1e12, n = 1e6).
 * - The value functions below do not validate: callers pass valid arguments
 *   (bound_check_* validate and word the error). Functions that can fail take
 *   an rl_err * and return -1.
 * - Accuracy: logs are accurate to a few ulps whatever the arguments.
 *   Probabilities are exact (the double nearest the fraction, in fact the
 *   fraction itself) whenever the product's fraction fits in 53 bits;
 *   otherwise they are exp of a log summed in long double, and their relative
 *   error is below 1e-13 down to the smallest normal double (about 2e-16 with
 *   x86's 64-bit long double significand; where long double is no wider than
 *   double it grows to |log| 2^-52, up to 2e-13 near underflow). Subnormal
 *   results carry the absolute error of subnormal rounding. Death
 *   probabilities (1 - L) are accurate relative to themselves even when tiny
 *   (-expm1 of the log).
 *
 * Tiny factors. A factor 1 - 2^-e with a huge exponent e (width 1e6, or the
 * upper bound's e = n_l (n_{l-1}+1) of 1e12) has log -2^-e, below the
 * smallest double. Such terms are not dropped but summed exactly in a scaled
 * accumulator (value s * 2^-m): when every factor is like that the log is
 * the correctly rounded sum, a subnormal or 0 only when the true value is;
 * when a larger term is present they are negligible and vanish in rounding as
 * they should. The probability itself is then exactly 1.0 (the true value
 * rounds to 1) and the death probability is -expm1(log), i.e. the tiny log. */
#ifndef RELUSH_BOUNDS_H
#define RELUSH_BOUNDS_H

#include <stddef.h>
#include <stdint.h>
#include "relush/err.h"

/* ---- argument checks (fill e with a sentence naming `what`, return -1) ---- */
/* An integer-valued finite number >= min (widths: min 1, depths: min 0). */
int bound_check_count(double v, double min, const char *what, rl_err *e);
/* A probability strictly inside (0, 1). */
int bound_check_prob(double p, const char *what, rl_err *e);

/* ---- lower bound L = prod_l (1 - 2^-n_l)  (theory.md §3.1) --------------------- */
double bound_log_lower(const size_t *widths, size_t k);
double bound_lower(const size_t *widths, size_t k);
/* 1 - L, accurate when tiny (n = 64, k = 1e6 gives 5.42e-14, not 0). */
double bound_death(const size_t *widths, size_t k);

double bound_log_lower_uniform(double n, double k);
double bound_lower_uniform(double n, double k);
double bound_death_uniform(double n, double k);

/* ---- upper bound (theory.md §4.1) ----------------------------------------------
 * U = prod_{l=L0}^{k} (1 - 2^-e_l), e_l = n_l (n_{l-1} + 1), n_0 = d.
 * orthant != 0: the input set lies in the non-negative orthant and layer 1's
 *   factor is included (L0 = 1; U in theory.md); orthant == 0: general inputs,
 *   layer 1 contributes nothing (L0 = 2, "U_hidden").
 * zero_bias != 0: biases are identically 0 and the tighter e_l = n_l n_{l-1}
 *   holds (the +1 form is valid either way).
 * d is the input dimension, an integer >= 1. */
double bound_log_upper(const size_t *widths, size_t k, double d, int orthant, int zero_bias);
double bound_upper(const size_t *widths, size_t k, double d, int orthant, int zero_bias);
double bound_log_upper_uniform(double n, double k, double d, int orthant, int zero_bias);
double bound_upper_uniform(double n, double k, double d, int orthant, int zero_bias);

/* ---- union bound min(1, m L) for an m-point input set (theory.md §4.4) -------- */
double bound_union(const size_t *widths, size_t k, double m);
double bound_union_uniform(double n, double k, double m);

/* ---- sign-flip guarantee (theory.md §8): living fraction >= 2^-k ------------- */
double bound_flip_fraction(double k);
double bound_log_flip_fraction(double k);

/* ---- sandwich exp(-2 ln2 S) <= L <= exp(-S), S = sum 2^-n_l (theory.md §5.1) -- */
typedef struct bound_sandwich {
	double sum;    /* S */
	double lower;  /* exp(-2 ln2 S) */
	double value;  /* L */
	double upper;  /* exp(-S) */
} bound_sandwich;
void bound_sandwich_of(const size_t *widths, size_t k, bound_sandwich *out);
void bound_sandwich_uniform(double n, double k, bound_sandwich *out);

/* ---- inverse questions (doc/theory.md §5.3), decided exactly ----------------
 * Both compare the exact real L(n, k) = (1 - 2^-n)^k with p, never a rounded
 * L: the power is bracketed in wide binary floating point (rounded down and
 * up) until p lies outside the bracket, or computed exactly (bound_search.c).
 * width_for: the least uniform width n >= 1 with L(n, k) >= p (k >= 0 an
 *   integer-valued finite double, p in (0, 1)); n <= 1078 always.
 * depth_for: the greatest depth K >= 0 with L(n, K) >= p (0 when even one
 *   layer is below p). exact = 1: K < 2^63, held exactly in k (value = K
 *   rounded to a double). exact = 0: K >= 2^63 and value is the greatest
 *   double <= K, or +inf when even the largest double reaches p.
 * Both fail only on allocation-free impossibilities: when (1 - 2^-n)^k and p
 * agree to more than 24576 bits without being equal (an error says so). */
typedef struct bound_depth {
	int exact;
	uint64_t k;
	double value;
} bound_depth;
int bound_width_for(double k, double p, double *n, rl_err *e);
int bound_depth_for(double n, double p, bound_depth *out, rl_err *e);

/* ---- whole-space count (theory.md §4.5) -----------------------------------------
 * P(some x in R^d kills layer 1) = 2^-n sum_{i=0}^{d} C(n, i) for a first
 * layer of width n >= 1 on all of R^d (d >= 0; d = 0 is the single point 0
 * with random biases). q = 1 - p is computed on its own so both are accurate
 * when tiny; log_p is finite even when p underflows. Exact for n <= 62; for
 * larger n binomials are summed in long-double log space (relative accuracy
 * ~1e-12 at n = 1e6). */
typedef struct bound_space {
	double p, q, log_p;
} bound_space;
int bound_whole_space(double n, double d, bound_space *out, rl_err *e);

/* ---- per-layer table (theory.md §3.4) ------------------------------------------ */
typedef struct bound_layer {
	size_t layer;          /* 1-based */
	double width;          /* n_l */
	double survival;       /* 1 - 2^-n_l: P(alive after l | alive before l) */
	double hazard;         /* 2^-n_l */
	double cumulative;     /* L_l, equal to bound_lower(widths, l) */
	double log_cumulative; /* log L_l */
	double death;          /* 1 - L_l, accurate when tiny */
} bound_layer;
/* Fills rows[0..k-1]. */
void bound_layers(const size_t *widths, size_t k, bound_layer *rows);
/* The same for the uniform net, rows for layers 1..k. */
void bound_layers_uniform(double n, size_t k, bound_layer *rows);

/* ---- width schedules: the limit of L as depth grows (theory.md §5.4) -----------
 * The schedule is a callback giving n_l for layer l >= 1: it returns 0 and
 * sets *width (an integer >= 1), 1 when the network has no layer l (and then
 * none beyond it), or -1 with a message in e.
 *
 * Method.
 * 1. Layers 1..K (K = opts layers) are summed one by one: `partial` = L_K
 *    and `sum` = sum_{l<=K} 2^-n_l are exact. L_K is a rigorous upper bound
 *    of the limit whatever the schedule does later (every factor is <= 1).
 * 2. Beyond K the schedule is probed at 16 points per octave up to layer
 *    2^62 (`horizon`). If n_l is non-decreasing after K (checked at every
 *    probe: `monotone`), the hazard sum sum_{K<l<=H} -log(1-2^-n_l) lies in
 *    [tail_lo, tail_hi] (each block between probes is bounded by its end
 *    points), so lower <= L_H <= upper rigorously, and upper bounds the
 *    limit. If a probe breaks monotonicity, upper falls back to partial and
 *    lower is only an estimate.
 * 3. Beyond the horizon nothing is known about a black-box schedule, so the
 *    rest is an estimate, clearly labelled: Cauchy condensation (sum a_l < inf
 *    iff sum 2^j a_{2^j} < inf for non-increasing a_l) turns the question into
 *    the decay of c_j = 2^j (-log(1-2^-n(2^j))), j <= 62; c_j ~ C j^-s is
 *    fitted on j = 16..31 against j = 32..62. `positive` (inf_k L_k > 0) is
 *    s > 1; `rest` estimates sum_{j>62} c_j (inf when s <= 1) and `limit` =
 *    L_H's bracket midpoint (in log space) times exp(-rest).
 * When the schedule ends (the callback returns 1) everything is exact up to
 * the bracket of step 2: positive = 1, rest = 0. */
typedef int (*bound_schedule_fn)(void *ctx, uint64_t layer, double *width, rl_err *e);

typedef struct bound_schedule_result {
	uint64_t layers;     /* K: layers summed one by one */
	double sum;          /* sum_{l<=K} 2^-n_l */
	double log_partial;  /* log L_K */
	double partial;      /* L_K */
	int finite;          /* the schedule ends; depth = its last layer */
	uint64_t depth;      /* last layer when finite, else 0 */
	uint64_t horizon;    /* H: last layer covered by steps 1-2 */
	uint64_t probes;     /* callback calls in step 2 */
	int monotone;        /* every probe agreed with non-decreasing widths */
	double tail_lo, tail_hi; /* bracket of sum_{K<l<=H} -log(1 - 2^-n_l) */
	double lower, upper; /* bracket of L_H (rigorous when monotone) */
	double decay;        /* fitted s (inf when the c_j vanish, -inf..) */
	double rest;         /* estimated hazard beyond H (inf: divergent) */
	double limit;        /* estimate of lim_k L_k */
	int positive;        /* estimate of inf_k L_k > 0 (exact when finite) */
} bound_schedule_result;

/* layers: K >= 0 (the Lua default is 1e5). Returns -1 when the callback
 * fails or the run is interrupted. */
int bound_schedule(bound_schedule_fn fn, void *ctx, uint64_t layers,
                   bound_schedule_result *out, rl_err *e);

#endif

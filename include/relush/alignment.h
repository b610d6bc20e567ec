/* alignment.h: how the hidden representations of the points of X line up
 * with depth, the mechanism behind P(alive) converging to the lower bound
 * (theory.md §6). The measure at layer l is the mean pairwise cosine of the
 * living points' representations h_l; its prediction is the infinite-width
 * arc-cosine kernel map (Cho & Saul 2009)
 *     c' = f(c) = (sqrt(1 - c^2) + (pi - arccos c) c) / pi,
 * which holds for zero-bias plain (and skip: the same chain) nets with
 * Gaussian pre-activations: exactly for normal weights at infinite width,
 * and via the central limit theorem from layer 2 on for other laws.
 *
 * Starting cosine: f is convex, so applying it to the mean input cosine
 * would understate the mean of f over the pairs. The prediction therefore
 * averages the l-fold map over the pairs of X: predicted(l) = mean over
 * pairs {x, y} of distinct non-zero points of f^l(cos(x, y)). At infinite
 * width no point dies, so it averages over all such pairs and depends on X
 * and the depth only. For more than ALIGN_MAX_POINTS non-zero points it
 * uses that many evenly spaced ones, and for more than ALIGN_MAX_PAIRS
 * pairs it iterates the map on ALIGN_MAX_PAIRS bins of the input cosines
 * (by bin mean; f^l is 1-Lipschitz, so the error is under 1/ALIGN_MAX_PAIRS
 * and in practice of second order). */
#ifndef RELUSH_ALIGNMENT_H
#define RELUSH_ALIGNMENT_H

#include <stddef.h>
#include <stdint.h>
#include "relush/death.h"

#define ALIGN_MAX_POINTS 2048
#define ALIGN_MAX_PAIRS 4096

typedef struct rl_alignment_report {
	size_t points, depth;
	size_t input_points;  /* non-zero points of X behind input_cosine and predicted */
	double input_cosine;  /* mean pairwise cosine of those points; NaN with < 2 */
	int predicts;         /* alignment_applies(spec) */
	size_t *living;       /* [depth] points living after layer l (for skip nets:
	                         the chain's, as in the death report's layers) */
	double *cosine;       /* [depth] mean pairwise cosine of their h_l; NaN with < 2 */
	double *predicted;    /* [depth] the prediction; NaN when it does not apply */
} rl_alignment_report;

/* One net on X: measured next to predicted. */
rl_alignment_report *net_alignment(const rl_net *net, const rl_mat *X, rl_err *e);
void alignment_report_free(rl_alignment_report *r);

/* The arc-cosine map f (its argument clamped to [-1, 1]). */
double alignment_map(double c);
/* Whether the prediction applies: plain or skip nets with zero biases. */
int alignment_applies(const rl_net_spec *s);
/* predicted[l - 1] for l = 1..depth as described above, the input set's
 * own mean pairwise cosine, and the number of non-zero points used; NaNs
 * when X has fewer than 2 non-zero points. Polls rl_interrupted(). */
int alignment_predict(const rl_mat *X, size_t depth, double *predicted,
                      double *input_cosine, size_t *used, rl_err *e);

/* One pass of net_death that also writes each layer's mean living-pair
 * cosine into cosine[depth] (NaN where fewer than 2 points live) and
 * returns the death report, equal to net_death(net, X). */
rl_death_report *alignment_measure(const rl_net *net, const rl_mat *X, double *cosine,
                                   rl_err *e);

/* Sums over Monte Carlo trials (mc{alignment=true}). Each trial's cosine
 * is added as an integer, round(cosine * ALIGN_FIXED_SCALE), so the sums
 * are exact and the same whatever the order, thread count or sharding
 * (resolution 6e-8; room for 5e11 trials). For mc, per trial:
 *     before the run: alignment_predict(X, depth, predicted, &c0, &used, e)
 *                     once, and alignment_sum_init per worker;
 *     per trial:      rep = alignment_measure(net, X, cosine, &e) in place
 *                     of net_death (after net_flip when flipping: measure
 *                     the flipped net), and at commit time
 *                     alignment_sum_add(&worker_sum, cosine);
 *     at the end:     alignment_sum_merge into the total; report per layer
 *                     alignment_sum_mean, alignment_sum_se, trials[l] and
 *                     predicted[l] (the prediction does not depend on the
 *                     trial; NaN unless alignment_applies(spec)). */
#define ALIGN_FIXED_SCALE 16777216.0   /* 2^24 */

typedef struct rl_alignment_sum {
	size_t depth;
	uint64_t *trials;   /* [depth] trials with at least 2 living points after layer l */
	int64_t *sum;       /* [depth] sum of round(cosine * scale) */
	uint64_t *sum_sq;   /* [depth] sum of round(cosine^2 * scale) */
} rl_alignment_sum;

int alignment_sum_init(rl_alignment_sum *a, size_t depth, rl_err *e);
void alignment_sum_free(rl_alignment_sum *a);
/* Adds one trial's cosine[depth]; NaN entries are skipped. */
void alignment_sum_add(rl_alignment_sum *a, const double *cosine);
void alignment_sum_merge(rl_alignment_sum *dst, const rl_alignment_sum *src);
/* Mean over the trials that had a cosine at layer l (1-based), and its
 * standard error; NaN without trials (the se also with one trial). */
double alignment_sum_mean(const rl_alignment_sum *a, size_t l);
double alignment_sum_se(const rl_alignment_sum *a, size_t l);

#endif

/* scale.h: whether a network's values on an input set stay inside the range
 * a double holds reliably. Death depends only on the signs of the
 * pre-activations, but those signs are only computed right while the values
 * neither overflow (inf, then inf - inf = NaN) nor sink into the subnormals
 * (where precision, and at last the value, is lost). Rather than answer
 * wrongly, relush refuses networks and input sets whose typical sizes leave
 * 2^-SCALE_LOG2_MAX .. 2^SCALE_LOG2_MAX (a margin of 2^62 either side of the
 * double range for the fluctuations of random layers). Batch norm squares
 * its pre-activations (the variance), so it gets half the exponent range. */
#ifndef RELUSH_SCALE_H
#define RELUSH_SCALE_H

#include "relush/mat.h"
#include "relush/net.h"

#define SCALE_LOG2_MAX 960
#define SCALE_LOG2_MAX_SQUARED 480   /* where values are squared (batch norm) */
/* The same margin of 2^62 inside float32's range (precision = single). */
#define SCALE_LOG2_MAX_SINGLE 64
#define SCALE_LOG2_MAX_SINGLE_SQUARED 32

/* The exponent that brings the largest |x_i| into [0.5, 1) (0 when every
 * x_i is 0): x scaled by 2^-exponent (exact) has squares that neither
 * overflow nor vanish, so norms and dot products of far-from-1 vectors are
 * computed on it and scaled back. */
int scale_exponent(const double *x, size_t n);

/* 0 when every coordinate of X is finite and the typical pre-activation of
 * every layer of a net of spec s, on the largest and on the smallest
 * non-zero point of X, lies in the range above; otherwise -1 with a message
 * giving the layer, the size, the scales involved and what to change. */
int net_check_scale(const rl_net_spec *s, const rl_mat *X, rl_err *e);

/* The precision a Monte Carlo run on X takes when none is given: single
 * (about twice as fast, its sign decisions differing from double's far
 * below the Monte Carlo error) when net_check_scale accepts the net in
 * single (typical values, and in deep nets their drift, inside the range
 * floats hold reliably) and float32 resolves X's geometry (its largest
 * point within 64 times its spread: not a shrunk set or a far-off cluster);
 * double otherwise. Depends on s's widths, laws and arch and on X only, so
 * every shard and thread of a run chooses alike. */
rl_precision precision_for_inputs(const rl_net_spec *s, const rl_mat *X);

#endif

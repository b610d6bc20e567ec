/* mc_small.h: the fused layer step for small layers (at most
 * MC_SMALL_WIDTH neurons) and the scaling of their drawn weights, AVX-512
 * only (mc_small_avx512.c), core-internal.
 * A P1-sized net (4 x 4 layers, a few dozen living points) spends its
 * kernel time in the step's bookkeeping, not in multiply-adds: these
 * copies keep a layer's accumulators, counts and masks in registers, take
 * the points one vector at a time (less waste on the last, partial block)
 * and compact the survivors in registers as they store them. They compute
 * exactly what kernel_dense_avx512 and kernel_dense_single_avx512 compute
 * (the same signature, the same multiply-add chain per pre-activation:
 * z = b_j, then z = fma(w_ji, h_i, z) for i = 0 .. p-1, the same ReLU,
 * survivors and activity counts), so a run gives the same counts with or
 * without them; tests/unit/test_mc.c checks it over many shapes. */
#ifndef RELUSH_MC_SMALL_H
#define RELUSH_MC_SMALL_H

#include "kernel.h"

#define MC_SMALL_WIDTH 8
#define MC_SMALL_LANES 8           /* doubles a vector */
#define MC_SMALL_LANES_SINGLE 16   /* floats */

kernel_dense_fn mc_small_dense_avx512;
kernel_dense_single_fn mc_small_dense_single_avx512;

/* The same step on a net of small layers only (mc_small.c's trial loop),
 * n <= MC_SMALL_WIDTH: Hin holds `slots` columns of which the dead points'
 * are all zeros; with compact the survivors are compacted as above, without
 * every column keeps its place (a dead point's becomes zeros). Returns the
 * survivors, which are the next layer's slots only when compacted. */
typedef size_t mc_small_step_fn(const double *W, const double *b, size_t n, size_t p,
                                const double *Hin, size_t ldi, size_t slots,
                                double *Hout, size_t ldo, uint64_t *active, int compact);
typedef size_t mc_small_step_single_fn(const float *W, const float *b, size_t n, size_t p,
                                       const float *Hin, size_t ldi, size_t slots,
                                       float *Hout, size_t ldo, uint64_t *active, int compact);
mc_small_step_fn mc_small_step_avx512;
mc_small_step_single_fn mc_small_step_single_avx512;

/* Scaling a small layer's standard normals into its weights (mc_draw.c):
 * x[i] = s x[i] in double, and for floats x[i] = (float)(s (double)x[i]),
 * the products law_draw and law_draw_single take; the portable loops in
 * mc_draw.c compute the same values one at a time. */
typedef void mc_scale_fn(double *x, size_t n, double s);
typedef void mc_scale_single_fn(float *x, size_t n, double s);
mc_scale_fn mc_small_scale_avx512;
mc_scale_single_fn mc_small_scale_single_avx512;

#endif

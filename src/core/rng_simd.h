/* rng_simd.h: what rng.c and the SIMD kernels (rng_impl.h, compiled as
 * rng_avx2.c and rng_avx512.c) share: the Philox constants, the law codes
 * and the kernels' entry points.
 * Every kernel fills out[0..n) from the blocks ctr[0], ctr[0]+1, ... of
 * stream r (block index modulo 2^32) exactly as the scalar code in rng.c
 * does, bit for bit; the caller advances the counter. */
#ifndef RELUSH_RNG_SIMD_H
#define RELUSH_RNG_SIMD_H

#include <stddef.h>
#include "relush/rng.h"

/* Philox4x32 multipliers and Weyl key increments (Salmon et al. 2011). */
#define RNG_PHILOX_M0 0xD2511F53u
#define RNG_PHILOX_M1 0xCD9E8D57u
#define RNG_PHILOX_W0 0x9E3779B9u
#define RNG_PHILOX_W1 0xBB67AE85u
#define RNG_PHILOX_ROUNDS 10

/* 2*pi rounded to double: the Box-Muller angle is u * RNG_TWO_PI in every
 * path, so the product rounds identically everywhere. */
#define RNG_TWO_PI 0x1.921fb54442d18p+2

/* 2*pi rounded to float, for the float32 Box-Muller (rng_normal_float). */
#define RNG_TWO_PI_F 0x1.921fb6p+2f

enum rng_law { RNG_LAW_NORMAL, RNG_LAW_UNIFORM, RNG_LAW_LAPLACE };

typedef void rng_fill_fn(const rl_rng *r, enum rng_law law, double *out, size_t n);

rng_fill_fn rng_fill_avx2;
rng_fill_fn rng_fill_avx512;

/* out[2k], out[2k + 1] = the variates of block block[k] of stream
 * stream[k] (seed and trial from r) for k < blocks. */
typedef void rng_fill_blocks_fn(const rl_rng *r, enum rng_law law, const uint32_t *block,
                                const uint32_t *stream, size_t blocks, double *out);

rng_fill_blocks_fn rng_fill_blocks_avx2;
rng_fill_blocks_fn rng_fill_blocks_avx512;

/* rng_normal_float's kernels: out[0..n) from blocks ctr[0], ctr[0]+1, ...,
 * four floats a block, equal to rng.c's scalar code bit for bit. */
typedef void rng_fill_float_fn(const rl_rng *r, float *out, size_t n);
rng_fill_float_fn rng_fill_normal_float_avx2;
rng_fill_float_fn rng_fill_normal_float_avx512;

/* out[4k .. 4k + 3] = the four float variates of block block[k] of stream
 * stream[k] (seed and trial from r) for k < blocks: rng_normal_streams_float's
 * kernels. */
typedef void rng_fill_blocks_float_fn(const rl_rng *r, const uint32_t *block,
                                      const uint32_t *stream, size_t blocks, float *out);
rng_fill_blocks_float_fn rng_fill_blocks_normal_float_avx2;
rng_fill_blocks_float_fn rng_fill_blocks_normal_float_avx512;

#endif

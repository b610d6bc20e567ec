/* kernel.h: the Monte Carlo engine's inner loops (internal to src/core).
 *
 * Layout: a layer's representations are stored feature-major, one row per
 * feature and one column per living point (row i at H + i * ld), so the SIMD
 * lanes run over points. Rows are padded: a buffer for m points has at least
 * kernel_pad(m) columns, all readable (the kernels read whole blocks and mask
 * the lanes past m).
 *
 * A layer step takes the living points' representations Hin (p rows, m
 * columns), computes z = W h + b for every point, and writes ReLU(z) of the
 * points that survive (some z_j > 0) compacted to the left of Hout (n rows).
 * It returns the number of survivors and adds to active[j] the number of
 * points where neuron j is active. scratch: n * KERNEL_SCRATCH bytes,
 * 64-byte aligned, zeroed once (the kernels leave it zeroed). Hout must not
 * overlap Hin or Z; Hout and Z need kernel_pad(m) readable columns. */
#ifndef RELUSH_KERNEL_H
#define RELUSH_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include "relush/rng.h"

#define KERNEL_BLOCK 16   /* padding unit: the widest block, two vectors of 8 doubles */
#define KERNEL_SCRATCH 64 /* bytes of scratch per neuron */

static inline size_t kernel_pad(size_t m)
{
	return (m + KERNEL_BLOCK - 1) / KERNEL_BLOCK * KERNEL_BLOCK;
}

/* The fused layer: pre-activation, ReLU, death test and compaction in one
 * pass. W is n x p row-major, b has n entries. */
typedef size_t kernel_dense_fn(const double *W, const double *b, size_t n, size_t p,
                               const double *Hin, size_t ldi, size_t m,
                               double *Hout, size_t ldo, uint64_t *active, void *scratch);
/* The same after a separate product: Z (n rows, ldz) holds W h without the
 * bias; adds b, tests, applies ReLU and compacts into Hout. */
typedef size_t kernel_finish_fn(const double *Z, size_t ldz, const double *b, size_t n,
                                size_t m, double *Hout, size_t ldo, uint64_t *active,
                                void *scratch);

kernel_dense_fn kernel_dense_base, kernel_dense_avx2, kernel_dense_avx512;
kernel_finish_fn kernel_finish_base, kernel_finish_avx2, kernel_finish_avx512;

/* The float32 kernel (precision = "single", kernel_impl.h with
 * KERNEL_SINGLE): the fused layer on floats, padded to
 * kernel_pad_single(m) columns. */
#define KERNEL_BLOCK_SINGLE 32   /* two vectors of 16 floats */
static inline size_t kernel_pad_single(size_t m)
{
	return (m + KERNEL_BLOCK_SINGLE - 1) / KERNEL_BLOCK_SINGLE * KERNEL_BLOCK_SINGLE;
}
typedef size_t kernel_dense_single_fn(const float *W, const float *b, size_t n, size_t p,
                                      const float *Hin, size_t ldi, size_t m,
                                      float *Hout, size_t ldo, uint64_t *active, void *scratch);
kernel_dense_single_fn kernel_dense_single_base, kernel_dense_single_avx2, kernel_dense_single_avx512;

/* The float32 pre-activations alone, Z = W H + b (n rows, ldz >=
 * kernel_pad_single(m) columns, all written), each z the chain of
 * kernel_dense_single: a single-precision net's reference evaluation. */
typedef void kernel_preact_single_fn(const float *W, const float *b, size_t n, size_t p,
                                     const float *Hin, size_t ldi, size_t m, float *Z, size_t ldz);
kernel_preact_single_fn kernel_preact_single_base, kernel_preact_single_avx2,
	kernel_preact_single_avx512;

typedef enum { KERNEL_PATH_AUTO = 0, KERNEL_PATH_BASE, KERNEL_PATH_AVX2, KERNEL_PATH_AVX512 } kernel_path;
/* The kernels for this CPU (or the forced path). */
kernel_dense_fn *kernel_dense(void);
kernel_finish_fn *kernel_finish(void);
kernel_dense_single_fn *kernel_dense_single(void);
kernel_preact_single_fn *kernel_preact_single(void);
/* Does the float kernel of the current path fuse its multiply-adds (one
 * rounding each: AVX2, AVX-512) or round product and sum apart (base)? */
int kernel_single_fused(void);
int kernel_set_path(kernel_path p);   /* -1 when this CPU/build cannot run p */
kernel_path kernel_get_path(void);
const char *kernel_path_name(kernel_path p);

/* ---- the Gram sampler (gram.c) ---------------------------------------------
 * One layer's revealed state in one trial: an orthonormal basis Q of the
 * rows a = [sd_w h, sd_b] of the points revealed so far, and for each basis
 * vector the n standard normal coordinates G[k][0..n) of the neurons'
 * scaled parameter vectors along it. A point's pre-activations are then
 * z_j = sum_k c_k G[k][j] with c = its coordinates in the basis; a point
 * that leaves the span adds a basis vector and draws its row of G, from
 * stream RNG_STREAM_GRAM(l) at block k * ceil(n / 2), so the variates are
 * the same whatever order of evaluation (breadth or depth first). */
typedef struct gram_layer {
	size_t p, n;           /* length of a, neurons */
	size_t rank, cap;      /* basis vectors in use, allocated */
	double *Q;             /* cap x p */
	double *G;             /* cap x n */
	size_t drawn;          /* rows of G drawn (>= rank for a precomputed basis) */
	size_t q_size, g_size; /* doubles allocated for Q and G */
	rl_rng rng;
} gram_layer;

/* Relative tolerance on |a_perp|^2 / |a|^2 below which a point is taken to
 * lie in the span of the earlier ones (its leftover component would change
 * its pre-activations by less than 1e-8 of their scale). */
#define GRAM_TOL2 1e-16

void gram_layer_init(gram_layer *g, size_t p, size_t n);
void gram_layer_free(gram_layer *g);
/* Reuses g's buffers for a layer of another shape (empty basis). */
void gram_layer_shape(gram_layer *g, size_t p, size_t n);
/* Starts a trial: forgets the basis, positions the stream. */
void gram_layer_reset(gram_layer *g, uint64_t seed, uint64_t trial, size_t layer);
/* Makes sure rows 0..rows-1 of G are drawn. Returns -1 on allocation failure. */
int gram_draw_rows(gram_layer *g, size_t rows);
/* Coordinates of a (p entries) in the basis, extending it when a leaves
 * the span: c must hold rank + 1 entries; returns the new rank, or
 * (size_t)-1 on allocation failure. With draw == 0 the rows of G are not
 * drawn (precomputing a basis shared by every trial). */
size_t gram_reveal(gram_layer *g, const double *a, double *c, double *work, int draw);
/* z[0..n) = sum_{k < r} c_k G[k]. */
void gram_combine(const gram_layer *g, const double *c, size_t r, double *z);

#endif

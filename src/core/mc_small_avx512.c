/* mc_small_avx512.c: the fused step of small layers (mc_small.h) in
 * double and float32, compiled for AVX-512F + FMA and run only when the
 * kernel path is AVX-512 (mc_eval.c chooses). Each width 1 .. MC_SMALL_WIDTH
 * gets its own copy (the width is a constant there), so every neuron's
 * accumulator, activity counter and mask stays in a register. Compiler
 * extensions are allowed in SIMD kernel files (see STYLE.md). */
#include <immintrin.h>
#include <stdint.h>
#include "mc_small.h"

#define SMALL_INLINE static inline __attribute__((always_inline))

/* One vector of 8 points at a time: pre-activations of the n neurons,
 * the points where each is positive (and the lane holds a point), the
 * survivors (some neuron positive) compressed to the left and stored at
 * pos (a whole vector: the lanes past the survivors lie inside this block
 * of the padded row, free until a later block overwrites them). The
 * activity counts are scalar popcounts of the masks: the vector pipes are
 * the busy ones (multiply-adds, compares, compresses), the integer ones
 * are idle. */
SMALL_INLINE size_t dense_pd(const double *W, const double *b, const size_t n, size_t p,
                             const double *Hin, size_t ldi, size_t m, double *Hout, size_t ldo,
                             uint64_t *active)
{
	uint64_t cnt[MC_SMALL_WIDTH];
	const __m512d zero = _mm512_setzero_pd();
#pragma GCC unroll 8
	for (size_t j = 0; j < n; j++)
		cnt[j] = 0;
	size_t pos = 0;
	for (size_t blk = 0; blk < m; blk += 8) {
		size_t len = m - blk;
		__mmask8 valid = len >= 8 ? (__mmask8)0xFFu : (__mmask8)((1u << len) - 1u);
		__m512d acc[MC_SMALL_WIDTH];
#pragma GCC unroll 8
		for (size_t j = 0; j < n; j++)
			acc[j] = _mm512_set1_pd(b[j]);
		for (size_t i = 0; i < p; i++) {
			__m512d h = _mm512_loadu_pd(Hin + i * ldi + blk);
#pragma GCC unroll 8
			for (size_t j = 0; j < n; j++)
				acc[j] = _mm512_fmadd_pd(_mm512_set1_pd(W[j * p + i]), h, acc[j]);
		}
		__mmask8 k[MC_SMALL_WIDTH], any = 0;
#pragma GCC unroll 8
		for (size_t j = 0; j < n; j++) {
			k[j] = _mm512_mask_cmp_pd_mask(valid, acc[j], zero, _CMP_GT_OQ);
			any |= k[j];
			cnt[j] += (uint64_t)__builtin_popcount(k[j]);
		}
#pragma GCC unroll 8
		for (size_t j = 0; j < n; j++)
			_mm512_storeu_pd(Hout + j * ldo + pos,
			                 _mm512_maskz_compress_pd(any, _mm512_maskz_mov_pd(k[j], acc[j])));
		pos += (size_t)__builtin_popcount(any);
	}
#pragma GCC unroll 8
	for (size_t j = 0; j < n; j++)
		active[j] += cnt[j];
	return pos;
}

/* The same on 16 floats a vector. */
SMALL_INLINE size_t dense_ps(const float *W, const float *b, const size_t n, size_t p,
                             const float *Hin, size_t ldi, size_t m, float *Hout, size_t ldo,
                             uint64_t *active)
{
	uint64_t cnt[MC_SMALL_WIDTH];
	const __m512 zero = _mm512_setzero_ps();
#pragma GCC unroll 8
	for (size_t j = 0; j < n; j++)
		cnt[j] = 0;
	size_t pos = 0;
	for (size_t blk = 0; blk < m; blk += 16) {
		size_t len = m - blk;
		__mmask16 valid = len >= 16 ? (__mmask16)0xFFFFu : (__mmask16)((1u << len) - 1u);
		__m512 acc[MC_SMALL_WIDTH];
#pragma GCC unroll 8
		for (size_t j = 0; j < n; j++)
			acc[j] = _mm512_set1_ps(b[j]);
		for (size_t i = 0; i < p; i++) {
			__m512 h = _mm512_loadu_ps(Hin + i * ldi + blk);
#pragma GCC unroll 8
			for (size_t j = 0; j < n; j++)
				acc[j] = _mm512_fmadd_ps(_mm512_set1_ps(W[j * p + i]), h, acc[j]);
		}
		__mmask16 k[MC_SMALL_WIDTH], any = 0;
#pragma GCC unroll 8
		for (size_t j = 0; j < n; j++) {
			k[j] = _mm512_mask_cmp_ps_mask(valid, acc[j], zero, _CMP_GT_OQ);
			any |= k[j];
			cnt[j] += (uint64_t)__builtin_popcount(k[j]);
		}
#pragma GCC unroll 8
		for (size_t j = 0; j < n; j++)
			_mm512_storeu_ps(Hout + j * ldo + pos,
			                 _mm512_maskz_compress_ps(any, _mm512_maskz_mov_ps(k[j], acc[j])));
		pos += (size_t)__builtin_popcount(any);
	}
#pragma GCC unroll 8
	for (size_t j = 0; j < n; j++)
		active[j] += cnt[j];
	return pos;
}

#define SMALL_CASES(f) \
	SMALL_CASE(f, 1) SMALL_CASE(f, 2) SMALL_CASE(f, 3) SMALL_CASE(f, 4) \
	SMALL_CASE(f, 5) SMALL_CASE(f, 6) SMALL_CASE(f, 7) SMALL_CASE(f, 8)
#define SMALL_CASE(f, w) case w: return f(W, b, w, p, Hin, ldi, m, Hout, ldo, active);

size_t mc_small_dense_avx512(const double *W, const double *b, size_t n, size_t p,
                             const double *Hin, size_t ldi, size_t m,
                             double *Hout, size_t ldo, uint64_t *active, void *scratch)
{
	(void)scratch;
	switch (n) {
	SMALL_CASES(dense_pd)
	default: return kernel_dense_avx512(W, b, n, p, Hin, ldi, m, Hout, ldo, active, scratch);
	}
}

size_t mc_small_dense_single_avx512(const float *W, const float *b, size_t n, size_t p,
                                    const float *Hin, size_t ldi, size_t m,
                                    float *Hout, size_t ldo, uint64_t *active, void *scratch)
{
	switch (n) {
	SMALL_CASES(dense_ps)
	default: return kernel_dense_single_avx512(W, b, n, p, Hin, ldi, m, Hout, ldo, active, scratch);
	}
}

void mc_small_scale_avx512(double *x, size_t n, double s)
{
	__m512d sv = _mm512_set1_pd(s);
	size_t i = 0;
	for (; i + 8 <= n; i += 8)
		_mm512_storeu_pd(x + i, _mm512_mul_pd(sv, _mm512_loadu_pd(x + i)));
	if (i < n) {
		__mmask8 k = (__mmask8)((1u << (n - i)) - 1u);
		_mm512_mask_storeu_pd(x + i, k, _mm512_mul_pd(sv, _mm512_maskz_loadu_pd(k, x + i)));
	}
}

/* Floats widened exactly, multiplied and rounded once in double, then
 * rounded to float (to nearest, as the cast does). */
void mc_small_scale_single_avx512(float *x, size_t n, double s)
{
	__m512d sv = _mm512_set1_pd(s);
	size_t i = 0;
	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(x + i, _mm512_cvtpd_ps(_mm512_mul_pd(sv, _mm512_cvtps_pd(_mm256_loadu_ps(x + i)))));
	if (i < n) {
		__mmask8 k = (__mmask8)((1u << (n - i)) - 1u);
		__m256 v = _mm512_castps512_ps256(_mm512_maskz_loadu_ps((__mmask16)k, x + i));
		__m256 r = _mm512_cvtpd_ps(_mm512_mul_pd(sv, _mm512_cvtps_pd(v)));
		_mm512_mask_storeu_ps(x + i, (__mmask16)k, _mm512_castps256_ps512(r));
	}
}

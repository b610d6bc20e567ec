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

/* The step on doubles (8 a vector) and floats (16): mc_small_impl.h's
 * body with each type's vector, mask and intrinsics. */
#define SMALL_FN dense_pd
#define SMALL_T double
#define SMALL_V __m512d
#define SMALL_MASK __mmask8
#define SMALL_LANES 8
#define SMALL_SET1 _mm512_set1_pd
#define SMALL_ZERO _mm512_setzero_pd
#define SMALL_LOADU _mm512_loadu_pd
#define SMALL_STOREU _mm512_storeu_pd
#define SMALL_FMADD _mm512_fmadd_pd
#define SMALL_CMP_MASK _mm512_mask_cmp_pd_mask
#define SMALL_MASKZ_MOV _mm512_maskz_mov_pd
#define SMALL_COMPRESS _mm512_maskz_compress_pd
#include "mc_small_impl.h"

#define SMALL_FN dense_ps
#define SMALL_T float
#define SMALL_V __m512
#define SMALL_MASK __mmask16
#define SMALL_LANES 16
#define SMALL_SET1 _mm512_set1_ps
#define SMALL_ZERO _mm512_setzero_ps
#define SMALL_LOADU _mm512_loadu_ps
#define SMALL_STOREU _mm512_storeu_ps
#define SMALL_FMADD _mm512_fmadd_ps
#define SMALL_CMP_MASK _mm512_mask_cmp_ps_mask
#define SMALL_MASKZ_MOV _mm512_maskz_mov_ps
#define SMALL_COMPRESS _mm512_maskz_compress_ps
#include "mc_small_impl.h"

#define SMALL_CASES(f, compact) \
	SMALL_CASE(f, 1, compact) SMALL_CASE(f, 2, compact) SMALL_CASE(f, 3, compact) \
	SMALL_CASE(f, 4, compact) SMALL_CASE(f, 5, compact) SMALL_CASE(f, 6, compact) \
	SMALL_CASE(f, 7, compact) SMALL_CASE(f, 8, compact)
#define SMALL_CASE(f, w, compact) case w: return f(W, b, w, p, Hin, ldi, m, Hout, ldo, active, compact);

/* The entry points of one element type: the drop-in kernel (wider layers
 * go to the general one) and the small-net step (n <= MC_SMALL_WIDTH, the
 * caller's promise; m is the slots there, mc_small.h). */
#define SMALL_ENTRIES(T, step, dense, general, body) \
	size_t dense(const T *W, const T *b, size_t n, size_t p, const T *Hin, size_t ldi, size_t m, \
	             T *Hout, size_t ldo, uint64_t *active, void *scratch) \
	{ \
		switch (n) { \
		SMALL_CASES(body, 1) \
		default: return general(W, b, n, p, Hin, ldi, m, Hout, ldo, active, scratch); \
		} \
	} \
	size_t step(const T *W, const T *b, size_t n, size_t p, const T *Hin, size_t ldi, size_t m, \
	            T *Hout, size_t ldo, uint64_t *active, int compact) \
	{ \
		if (compact) { \
			switch (n) { \
			SMALL_CASES(body, 1) \
			} \
		} else { \
			switch (n) { \
			SMALL_CASES(body, 0) \
			} \
		} \
		return 0; \
	}

SMALL_ENTRIES(double, mc_small_step_avx512, mc_small_dense_avx512, kernel_dense_avx512, dense_pd)
SMALL_ENTRIES(float, mc_small_step_single_avx512, mc_small_dense_single_avx512,
              kernel_dense_single_avx512, dense_ps)

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

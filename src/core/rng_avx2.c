/* rng_avx2.c: the AVX2 kernel of rng.c (compiled with -mavx2 -mfma, run
 * only when the CPU has both). Philox runs on 4 blocks per register, one
 * block per 64-bit lane holding a 32-bit word in its low half, so that
 * _mm256_mul_epu32 gives the full 32x32->64 products; two registers are in
 * flight at once to hide the multiplier's latency. Only the low halves are
 * meaningful: high halves carry garbage that the multiplier ignores and the
 * conversion to doubles masks off. Results equal rng.c's scalar code bit for
 * bit (same integer-to-double mapping, SLEEF u10 log/sincos with FMA). */
#include <immintrin.h>
#include <sleef.h>
#include <string.h>
#include "rng_simd.h"

#define LANES 4                   /* blocks per register */
#define GROUPS 2                  /* registers in flight per step */
#define STEP (GROUPS * LANES * 2) /* doubles per step */

typedef struct {
	__m256i k0[RNG_PHILOX_ROUNDS], k1[RNG_PHILOX_ROUNDS];
	__m256i stream, trial_lo, trial_hi;
} philox_keys;

static void keys_init(philox_keys *ks, const rl_rng *r)
{
	uint32_t k0 = r->key[0], k1 = r->key[1];
	for (int round = 0; round < RNG_PHILOX_ROUNDS; round++) {
		ks->k0[round] = _mm256_set1_epi64x(k0);
		ks->k1[round] = _mm256_set1_epi64x(k1);
		k0 += RNG_PHILOX_W0;
		k1 += RNG_PHILOX_W1;
	}
	ks->stream = _mm256_set1_epi64x(r->ctr[1]);
	ks->trial_lo = _mm256_set1_epi64x(r->ctr[2]);
	ks->trial_hi = _mm256_set1_epi64x(r->ctr[3]);
}

/* c[g][0] holds the block indices of group g; on return c[g][0..3] hold
 * the four output words of each block (low halves). */
static inline __attribute__((always_inline))
void philox(__m256i c[GROUPS][4], int groups, const philox_keys *ks)
{
	const __m256i m0 = _mm256_set1_epi64x(RNG_PHILOX_M0);
	const __m256i m1 = _mm256_set1_epi64x(RNG_PHILOX_M1);
	for (int g = 0; g < groups; g++) {
		c[g][1] = ks->stream;
		c[g][2] = ks->trial_lo;
		c[g][3] = ks->trial_hi;
	}
	/* unrolled: the round keys stay in registers */
#pragma GCC unroll 10
	for (int round = 0; round < RNG_PHILOX_ROUNDS; round++)
		for (int g = 0; g < groups; g++) {
			__m256i p0 = _mm256_mul_epu32(c[g][0], m0);
			__m256i p1 = _mm256_mul_epu32(c[g][2], m1);
			/* c ^ k first: it does not wait for the product */
			c[g][0] = _mm256_xor_si256(_mm256_srli_epi64(p1, 32),
			                           _mm256_xor_si256(c[g][1], ks->k0[round]));
			c[g][1] = p1;
			c[g][2] = _mm256_xor_si256(_mm256_srli_epi64(p0, 32),
			                           _mm256_xor_si256(c[g][3], ks->k1[round]));
			c[g][3] = p0;
		}
}

/* u = k * 2^-53 from the 53 top bits k of hi:lo (k = 0 read as 1/2). The
 * two halves convert exactly through the 2^52 exponent trick and their sum
 * (< 2^53) is exact, so this equals the scalar (double)k. */
static inline __m256d u01(__m256i lo, __m256i hi)
{
	const __m256i magic = _mm256_set1_epi64x(0x4330000000000000);
	const __m256d two52 = _mm256_set1_pd(0x1p52);
	__m256i hi32 = _mm256_srli_epi64(_mm256_slli_epi64(hi, 32), 32);
	__m256i lo21 = _mm256_srli_epi64(_mm256_slli_epi64(lo, 32), 43);
	__m256d h = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(hi32, magic)), two52);
	__m256d l = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(lo21, magic)), two52);
	__m256d k = _mm256_add_pd(_mm256_mul_pd(h, _mm256_set1_pd(0x1p21)), l);
	k = _mm256_max_pd(k, _mm256_set1_pd(0.5));
	return _mm256_mul_pd(k, _mm256_set1_pd(0x1p-53));
}

/* log u, negated unless bit 0 of lo is set: the Laplace variate. */
static inline __m256d laplace(__m256d u, __m256i lo)
{
	__m256i flip = _mm256_xor_si256(_mm256_slli_epi64(lo, 63), _mm256_set1_epi64x(INT64_MIN));
	return _mm256_xor_pd(Sleef_logd4_u10avx2(u), _mm256_castsi256_pd(flip));
}

/* Stores the pairs (a[j], b[j]) of four blocks in block order. */
static inline void store_pairs(double *out, __m256d a, __m256d b)
{
	__m256d lo = _mm256_unpacklo_pd(a, b), hi = _mm256_unpackhi_pd(a, b);
	_mm256_storeu_pd(out, _mm256_permute2f128_pd(lo, hi, 0x20));
	_mm256_storeu_pd(out + 4, _mm256_permute2f128_pd(lo, hi, 0x31));
}

/* Variates of blocks block .. block + groups*4 - 1 into out. */
static inline __attribute__((always_inline))
void step(enum rng_law law, __m256i block, int groups, const philox_keys *ks, double *out)
{
	__m256i c[GROUPS][4];
	for (int g = 0; g < groups; g++)
		c[g][0] = _mm256_add_epi32(block, _mm256_set1_epi64x(LANES * g));
	philox(c, groups, ks);
	for (int g = 0; g < groups; g++) {
		__m256d u0 = u01(c[g][0], c[g][1]), u1 = u01(c[g][2], c[g][3]);
		__m256d a, b;
		switch (law) {
		case RNG_LAW_NORMAL: {
			__m256d radius = _mm256_sqrt_pd(_mm256_mul_pd(_mm256_set1_pd(-2.0),
			                                              Sleef_logd4_u10avx2(u0)));
			Sleef___m256d_2 sc = Sleef_sincosd4_u10avx2(_mm256_mul_pd(u1, _mm256_set1_pd(RNG_TWO_PI)));
			a = _mm256_mul_pd(radius, sc.y);
			b = _mm256_mul_pd(radius, sc.x);
			break;
		}
		case RNG_LAW_LAPLACE:
			a = laplace(u0, c[g][0]);
			b = laplace(u1, c[g][2]);
			break;
		default:
			a = u0;
			b = u1;
			break;
		}
		store_pairs(out + 2 * LANES * g, a, b);
	}
}

void rng_fill_avx2(const rl_rng *r, enum rng_law law, double *out, size_t n)
{
	philox_keys ks;
	keys_init(&ks, r);
	/* Lane j of block holds ctr[0] + j; 32-bit adds wrap modulo 2^32 and
	 * leave the high halves zero. */
	__m256i block = _mm256_add_epi32(_mm256_set1_epi64x(r->ctr[0]), _mm256_setr_epi64x(0, 1, 2, 3));
	const __m256i advance = _mm256_set1_epi64x(STEP / 2), one_group = _mm256_set1_epi64x(LANES);
	size_t i = 0;
	for (; i + STEP <= n; i += STEP) {
		step(law, block, GROUPS, &ks, out + i);
		block = _mm256_add_epi32(block, advance);
	}
	/* The tail one register at a time, so that short fills stay cheap. */
	for (; i < n; i += LANES * 2) {
		if (i + LANES * 2 <= n) {
			step(law, block, 1, &ks, out + i);
		} else {
			double tail[LANES * 2];
			step(law, block, 1, &ks, tail);
			memcpy(out + i, tail, (n - i) * sizeof *out);
		}
		block = _mm256_add_epi32(block, one_group);
	}
}

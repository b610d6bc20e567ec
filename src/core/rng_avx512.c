/* rng_avx512.c: the AVX-512 kernel of rng.c (compiled with -mavx512f
 * -mavx512dq -mfma, run only when the CPU has them). The same scheme as
 * rng_avx2.c with 8 blocks per register: Philox in 64-bit lanes whose low
 * halves hold the 32-bit words (_mm512_mul_epu32 for the products), two
 * registers in flight, then SLEEF's AVX-512 u10 log/sincos. Results equal
 * rng.c's scalar code bit for bit. */
#include <immintrin.h>
#include <sleef.h>
#include <string.h>
#include "rng_simd.h"

#define LANES 8                   /* blocks per register */
#define GROUPS 2                  /* registers in flight per step */
#define STEP (GROUPS * LANES * 2) /* doubles per step */

typedef struct {
	__m512i k0[RNG_PHILOX_ROUNDS], k1[RNG_PHILOX_ROUNDS];
	__m512i stream, trial_lo, trial_hi;
} philox_keys;

static void keys_init(philox_keys *ks, const rl_rng *r)
{
	uint32_t k0 = r->key[0], k1 = r->key[1];
	for (int round = 0; round < RNG_PHILOX_ROUNDS; round++) {
		ks->k0[round] = _mm512_set1_epi64(k0);
		ks->k1[round] = _mm512_set1_epi64(k1);
		k0 += RNG_PHILOX_W0;
		k1 += RNG_PHILOX_W1;
	}
	ks->stream = _mm512_set1_epi64(r->ctr[1]);
	ks->trial_lo = _mm512_set1_epi64(r->ctr[2]);
	ks->trial_hi = _mm512_set1_epi64(r->ctr[3]);
}

static inline __attribute__((always_inline))
void philox(__m512i c[GROUPS][4], int groups, const philox_keys *ks)
{
	const __m512i m0 = _mm512_set1_epi64(RNG_PHILOX_M0);
	const __m512i m1 = _mm512_set1_epi64(RNG_PHILOX_M1);
	for (int g = 0; g < groups; g++) {
		c[g][1] = ks->stream;
		c[g][2] = ks->trial_lo;
		c[g][3] = ks->trial_hi;
	}
	/* unrolled: the round keys stay in registers */
#pragma GCC unroll 10
	for (int round = 0; round < RNG_PHILOX_ROUNDS; round++)
		for (int g = 0; g < groups; g++) {
			__m512i p0 = _mm512_mul_epu32(c[g][0], m0);
			__m512i p1 = _mm512_mul_epu32(c[g][2], m1);
			/* 0x96 is the three-way xor */
			c[g][0] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), c[g][1],
			                                    ks->k0[round], 0x96);
			c[g][1] = p1;
			c[g][2] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), c[g][3],
			                                    ks->k1[round], 0x96);
			c[g][3] = p0;
		}
}

/* u = k * 2^-53 from the 53 top bits k of hi:lo (k = 0 read as 1/2);
 * k < 2^53 converts exactly. */
static inline __m512d u01(__m512i lo, __m512i hi)
{
	__m512i word = _mm512_or_si512(_mm512_slli_epi64(hi, 32),
	                               _mm512_and_si512(lo, _mm512_set1_epi64(0xFFFFFFFF)));
	__m512d k = _mm512_cvtepu64_pd(_mm512_srli_epi64(word, 11));
	k = _mm512_max_pd(k, _mm512_set1_pd(0.5));
	return _mm512_mul_pd(k, _mm512_set1_pd(0x1p-53));
}

/* log u, negated unless bit 0 of lo is set: the Laplace variate. */
static inline __m512d laplace(__m512d u, __m512i lo)
{
	__m512i flip = _mm512_xor_si512(_mm512_slli_epi64(lo, 63), _mm512_set1_epi64(INT64_MIN));
	return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(Sleef_logd8_u10avx512f(u)), flip));
}

/* Stores the pairs (a[j], b[j]) of eight blocks in block order. */
static inline void store_pairs(double *out, __m512d a, __m512d b)
{
	const __m512i first = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
	const __m512i second = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
	_mm512_storeu_pd(out, _mm512_permutex2var_pd(a, first, b));
	_mm512_storeu_pd(out + 8, _mm512_permutex2var_pd(a, second, b));
}

/* Variates of blocks block .. block + groups*8 - 1 into out. */
static inline __attribute__((always_inline))
void step(enum rng_law law, __m512i block, int groups, const philox_keys *ks, double *out)
{
	__m512i c[GROUPS][4];
	for (int g = 0; g < groups; g++)
		c[g][0] = _mm512_add_epi32(block, _mm512_set1_epi64(LANES * g));
	philox(c, groups, ks);
	for (int g = 0; g < groups; g++) {
		__m512d u0 = u01(c[g][0], c[g][1]), u1 = u01(c[g][2], c[g][3]);
		__m512d a, b;
		switch (law) {
		case RNG_LAW_NORMAL: {
			__m512d radius = _mm512_sqrt_pd(_mm512_mul_pd(_mm512_set1_pd(-2.0),
			                                              Sleef_logd8_u10avx512f(u0)));
			Sleef___m512d_2 sc = Sleef_sincosd8_u10avx512f(_mm512_mul_pd(u1, _mm512_set1_pd(RNG_TWO_PI)));
			a = _mm512_mul_pd(radius, sc.y);
			b = _mm512_mul_pd(radius, sc.x);
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

void rng_fill_avx512(const rl_rng *r, enum rng_law law, double *out, size_t n)
{
	philox_keys ks;
	keys_init(&ks, r);
	/* Lane j of block holds ctr[0] + j; 32-bit adds wrap modulo 2^32 and
	 * leave the high halves zero. */
	__m512i block = _mm512_add_epi32(_mm512_set1_epi64(r->ctr[0]),
	                                 _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
	const __m512i advance = _mm512_set1_epi64(STEP / 2), one_group = _mm512_set1_epi64(LANES);
	size_t i = 0;
	for (; i + STEP <= n; i += STEP) {
		step(law, block, GROUPS, &ks, out + i);
		block = _mm512_add_epi32(block, advance);
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
		block = _mm512_add_epi32(block, one_group);
	}
}

/* rng_impl.h: the body of the SIMD Gaussian/uniform/Laplace kernels of
 * rng.c, included by rng_avx2.c and rng_avx512.c, each compiled with its
 * own ISA flags and with RNG_NAME(x) naming its copy (as kernel_impl.h
 * does for the layer kernels). The few operations that differ between the
 * ISAs are defined once at the top per ISA; the Philox rounds, the
 * variates and the fill loop below are written once.
 *
 * Philox runs on LANES blocks per register, one block per 64-bit lane
 * holding a 32-bit word in its low half, so that mul_epu32 gives the full
 * 32x32->64 products; two registers are in flight at once to hide the
 * multiplier's latency. Only the low halves are meaningful: high halves
 * carry garbage that the multiplier ignores and the conversion to doubles
 * masks off. Results equal rng.c's scalar code bit for bit (same
 * integer-to-double mapping, SLEEF u10 log/sincos with FMA). Included only
 * by the SIMD kernel files, where compiler extensions are allowed. */
#include <immintrin.h>
#include <sleef.h>
#include <string.h>
#include "rng_simd.h"

#if defined(__AVX512F__) && defined(__AVX512DQ__)
/* ---- AVX-512: 8 blocks per register */
#define LANES 8
typedef __m512i rvi;
typedef __m512d rvd;
typedef Sleef___m512d_2 rvd2;
#define VI_SET1(x) _mm512_set1_epi64((long long)(x))
#define VI_LANE_INDEX() _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7)
/* LANES 32-bit words from p, one in the low half of each 64-bit lane */
#define VI_LOAD_U32(p) _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(const void *)(p)))
#define VI_ADD32(a, b) _mm512_add_epi32(a, b)
#define VI_MUL_EPU32(a, b) _mm512_mul_epu32(a, b)
#define VI_SRLI64(a, k) _mm512_srli_epi64(a, k)
#define VI_SLLI64(a, k) _mm512_slli_epi64(a, k)
#define VI_XOR(a, b) _mm512_xor_si512(a, b)
/* 0x96 is the three-way xor */
#define VI_XOR3(a, b, c) _mm512_ternarylogic_epi64(a, b, c, 0x96)
#define VD_SET1(x) _mm512_set1_pd(x)
#define VD_MUL(a, b) _mm512_mul_pd(a, b)
#define VD_MAX(a, b) _mm512_max_pd(a, b)
#define VD_SQRT(a) _mm512_sqrt_pd(a)
#define VD_XOR_BITS(d, i) _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(d), i))
#define SLEEF_LOG Sleef_logd8_u10avx512f
#define SLEEF_SINCOS Sleef_sincosd8_u10avx512f

/* k = the 53 top bits of hi:lo as a double; k < 2^53 converts exactly. */
static inline rvd top53(rvi lo, rvi hi)
{
	__m512i word = _mm512_or_si512(_mm512_slli_epi64(hi, 32),
	                               _mm512_and_si512(lo, _mm512_set1_epi64(0xFFFFFFFF)));
	return _mm512_cvtepu64_pd(_mm512_srli_epi64(word, 11));
}

/* Stores the pairs (a[j], b[j]) of the register's blocks in block order. */
static inline void store_pairs(double *out, rvd a, rvd b)
{
	const __m512i first = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
	const __m512i second = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
	_mm512_storeu_pd(out, _mm512_permutex2var_pd(a, first, b));
	_mm512_storeu_pd(out + 8, _mm512_permutex2var_pd(a, second, b));
}

#elif defined(__AVX2__) && defined(__FMA__)
/* ---- AVX2: 4 blocks per register */
#define LANES 4
typedef __m256i rvi;
typedef __m256d rvd;
typedef Sleef___m256d_2 rvd2;
#define VI_SET1(x) _mm256_set1_epi64x((long long)(x))
#define VI_LANE_INDEX() _mm256_setr_epi64x(0, 1, 2, 3)
#define VI_LOAD_U32(p) _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)(const void *)(p)))
#define VI_ADD32(a, b) _mm256_add_epi32(a, b)
#define VI_MUL_EPU32(a, b) _mm256_mul_epu32(a, b)
#define VI_SRLI64(a, k) _mm256_srli_epi64(a, k)
#define VI_SLLI64(a, k) _mm256_slli_epi64(a, k)
#define VI_XOR(a, b) _mm256_xor_si256(a, b)
/* c ^ k first: it does not wait for the product a */
#define VI_XOR3(a, b, c) _mm256_xor_si256(a, _mm256_xor_si256(b, c))
#define VD_SET1(x) _mm256_set1_pd(x)
#define VD_MUL(a, b) _mm256_mul_pd(a, b)
#define VD_MAX(a, b) _mm256_max_pd(a, b)
#define VD_SQRT(a) _mm256_sqrt_pd(a)
#define VD_XOR_BITS(d, i) _mm256_xor_pd(d, _mm256_castsi256_pd(i))
#define SLEEF_LOG Sleef_logd4_u10avx2
#define SLEEF_SINCOS Sleef_sincosd4_u10avx2

/* k = the 53 top bits of hi:lo as a double. AVX2 has no 64-bit integer
 * conversion: the two halves convert exactly through the 2^52 exponent
 * trick and their sum (< 2^53) is exact, so this equals the scalar
 * (double)k. */
static inline rvd top53(rvi lo, rvi hi)
{
	const __m256i magic = _mm256_set1_epi64x(0x4330000000000000);
	const __m256d two52 = _mm256_set1_pd(0x1p52);
	__m256i hi32 = _mm256_srli_epi64(_mm256_slli_epi64(hi, 32), 32);
	__m256i lo21 = _mm256_srli_epi64(_mm256_slli_epi64(lo, 32), 43);
	__m256d h = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(hi32, magic)), two52);
	__m256d l = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(lo21, magic)), two52);
	return _mm256_add_pd(_mm256_mul_pd(h, _mm256_set1_pd(0x1p21)), l);
}

/* Stores the pairs (a[j], b[j]) of the register's blocks in block order. */
static inline void store_pairs(double *out, rvd a, rvd b)
{
	__m256d lo = _mm256_unpacklo_pd(a, b), hi = _mm256_unpackhi_pd(a, b);
	_mm256_storeu_pd(out, _mm256_permute2f128_pd(lo, hi, 0x20));
	_mm256_storeu_pd(out + 4, _mm256_permute2f128_pd(lo, hi, 0x31));
}

#else
#error "rng_impl.h is compiled only with -mavx2 -mfma or -mavx512f -mavx512dq -mfma"
#endif

/* ---- the same for every ISA */

#define GROUPS 2                  /* registers in flight per step */
#define STEP (GROUPS * LANES * 2) /* doubles per step */

typedef struct {
	rvi k0[RNG_PHILOX_ROUNDS], k1[RNG_PHILOX_ROUNDS];
	rvi stream, trial_lo, trial_hi;
} philox_keys;

static void keys_init(philox_keys *ks, const rl_rng *r)
{
	uint32_t k0 = r->key[0], k1 = r->key[1];
	for (int round = 0; round < RNG_PHILOX_ROUNDS; round++) {
		ks->k0[round] = VI_SET1(k0);
		ks->k1[round] = VI_SET1(k1);
		k0 += RNG_PHILOX_W0;
		k1 += RNG_PHILOX_W1;
	}
	ks->stream = VI_SET1(r->ctr[1]);
	ks->trial_lo = VI_SET1(r->ctr[2]);
	ks->trial_hi = VI_SET1(r->ctr[3]);
}

/* c[g][0] holds the block indices of group g and c[g][1] their streams;
 * on return c[g][0..3] hold the four output words of each block (low
 * halves). */
static inline __attribute__((always_inline))
void philox(rvi c[GROUPS][4], int groups, const philox_keys *ks)
{
	const rvi m0 = VI_SET1(RNG_PHILOX_M0);
	const rvi m1 = VI_SET1(RNG_PHILOX_M1);
	for (int g = 0; g < groups; g++) {
		c[g][2] = ks->trial_lo;
		c[g][3] = ks->trial_hi;
	}
	/* unrolled: the round keys stay in registers */
#pragma GCC unroll 10
	for (int round = 0; round < RNG_PHILOX_ROUNDS; round++)
		for (int g = 0; g < groups; g++) {
			rvi p0 = VI_MUL_EPU32(c[g][0], m0);
			rvi p1 = VI_MUL_EPU32(c[g][2], m1);
			c[g][0] = VI_XOR3(VI_SRLI64(p1, 32), c[g][1], ks->k0[round]);
			c[g][1] = p1;
			c[g][2] = VI_XOR3(VI_SRLI64(p0, 32), c[g][3], ks->k1[round]);
			c[g][3] = p0;
		}
}

/* u = k * 2^-53 from the 53 top bits k of hi:lo (k = 0 read as 1/2). */
static inline rvd u01(rvi lo, rvi hi)
{
	rvd k = VD_MAX(top53(lo, hi), VD_SET1(0.5));
	return VD_MUL(k, VD_SET1(0x1p-53));
}

/* log u, negated unless bit 0 of lo is set: the Laplace variate. */
static inline rvd laplace(rvd u, rvi lo)
{
	rvi flip = VI_XOR(VI_SLLI64(lo, 63), VI_SET1(INT64_MIN));
	return VD_XOR_BITS(SLEEF_LOG(u), flip);
}

/* The variates of the blocks whose Philox outputs are in c, into out in
 * block order. */
static inline __attribute__((always_inline))
void variates(enum rng_law law, rvi c[GROUPS][4], int groups, double *out)
{
	for (int g = 0; g < groups; g++) {
		rvd u0 = u01(c[g][0], c[g][1]), u1 = u01(c[g][2], c[g][3]);
		rvd a, b;
		switch (law) {
		case RNG_LAW_NORMAL: {
			rvd radius = VD_SQRT(VD_MUL(VD_SET1(-2.0), SLEEF_LOG(u0)));
			rvd2 sc = SLEEF_SINCOS(VD_MUL(u1, VD_SET1(RNG_TWO_PI)));
			a = VD_MUL(radius, sc.y);
			b = VD_MUL(radius, sc.x);
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

/* Variates of blocks block .. block + groups*LANES - 1 into out. */
static inline __attribute__((always_inline))
void step(enum rng_law law, rvi block, int groups, const philox_keys *ks, double *out)
{
	rvi c[GROUPS][4];
	for (int g = 0; g < groups; g++) {
		c[g][0] = VI_ADD32(block, VI_SET1(LANES * g));
		c[g][1] = ks->stream;
	}
	philox(c, groups, ks);
	variates(law, c, groups, out);
}

void RNG_NAME(rng_fill)(const rl_rng *r, enum rng_law law, double *out, size_t n)
{
	philox_keys ks;
	keys_init(&ks, r);
	/* Lane j of block holds ctr[0] + j; 32-bit adds wrap modulo 2^32 and
	 * leave the high halves zero. */
	rvi block = VI_ADD32(VI_SET1(r->ctr[0]), VI_LANE_INDEX());
	const rvi advance = VI_SET1(STEP / 2), one_group = VI_SET1(LANES);
	size_t i = 0;
	for (; i + STEP <= n; i += STEP) {
		step(law, block, GROUPS, &ks, out + i);
		block = VI_ADD32(block, advance);
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
		block = VI_ADD32(block, one_group);
	}
}

void RNG_NAME(rng_fill_blocks)(const rl_rng *r, enum rng_law law, const uint32_t *block,
                               const uint32_t *stream, size_t blocks, double *out)
{
	philox_keys ks;
	keys_init(&ks, r);
	size_t k = 0;
	for (; k + GROUPS * LANES <= blocks; k += GROUPS * LANES) {
		rvi c[GROUPS][4];
		for (int g = 0; g < GROUPS; g++) {
			c[g][0] = VI_LOAD_U32(block + k + LANES * g);
			c[g][1] = VI_LOAD_U32(stream + k + LANES * g);
		}
		philox(c, GROUPS, &ks);
		variates(law, c, GROUPS, out + 2 * k);
	}
	for (; k < blocks; k += LANES) {
		uint32_t bl[LANES] = {0}, st[LANES] = {0};
		size_t len = blocks - k < LANES ? blocks - k : LANES;
		memcpy(bl, block + k, len * sizeof *bl);
		memcpy(st, stream + k, len * sizeof *st);
		rvi c[GROUPS][4];
		c[0][0] = VI_LOAD_U32(bl);
		c[0][1] = VI_LOAD_U32(st);
		philox(c, 1, &ks);
		double tail[LANES * 2];
		variates(law, c, 1, tail);
		memcpy(out + 2 * k, tail, 2 * len * sizeof *out);
	}
}

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
 * integer-to-double mapping, SLEEF u35 log/sincos with FMA). Included only
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
#define SLEEF_LOG Sleef_logd8_u35avx512f
#define SLEEF_SINCOS Sleef_sincosd8_u35avx512f

/* k = the 53 top bits of hi:lo as a double; k < 2^53 converts exactly. */
static inline rvd top53(rvi lo, rvi hi)
{
	__m512i word = _mm512_or_si512(_mm512_slli_epi64(hi, 32),
	                               _mm512_and_si512(lo, _mm512_set1_epi64(0xFFFFFFFF)));
	return _mm512_cvtepu64_pd(_mm512_srli_epi64(word, 11));
}

/* float32 (rng_normal_float): 16 blocks in one register of floats */
typedef __m512 rvf;
typedef Sleef___m512_2 rvf2;
#define VF_SET1(x) _mm512_set1_ps(x)
#define VF_MUL(a, b) _mm512_mul_ps(a, b)
#define VF_SQRT(a) _mm512_sqrt_ps(a)
#define SLEEF_LOGF Sleef_logf16_u35avx512f
#define SLEEF_SINCOSF Sleef_sincosf16_u35avx512f

/* The low words of two registers of blocks (blocks 0-7 in a, 8-15 in b) as
 * u = (2j + 1) 2^-24, j their top 23 bits, 16 floats in block order. */
static inline rvf u24_pack(rvi a, rvi b)
{
	__m512i w = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(a)),
	                               _mm512_cvtepi64_epi32(b), 1);
	w = _mm512_or_si512(_mm512_slli_epi32(_mm512_srli_epi32(w, 9), 1), _mm512_set1_epi32(1));
	return _mm512_mul_ps(_mm512_cvtepi32_ps(w), _mm512_set1_ps(0x1p-24f));
}

/* Stores z0[t], z1[t], z2[t], z3[t] for t = 0..15 (block t's four floats)
 * in block order: a 4 x 16 transpose. */
static inline void store_quads(float *out, rvf z0, rvf z1, rvf z2, rvf z3)
{
	__m512 a = _mm512_unpacklo_ps(z0, z1), b = _mm512_unpackhi_ps(z0, z1);
	__m512 c = _mm512_unpacklo_ps(z2, z3), d = _mm512_unpackhi_ps(z2, z3);
	/* per 128-bit lane L: e holds block 4L, f 4L+1, g 4L+2, h 4L+3 */
	__m512 e = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(a), _mm512_castps_pd(c)));
	__m512 f = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(a), _mm512_castps_pd(c)));
	__m512 g = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(b), _mm512_castps_pd(d)));
	__m512 h = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(b), _mm512_castps_pd(d)));
	__m512 p = _mm512_shuffle_f32x4(e, f, 0x44), q = _mm512_shuffle_f32x4(g, h, 0x44);
	__m512 r = _mm512_shuffle_f32x4(e, f, 0xEE), t = _mm512_shuffle_f32x4(g, h, 0xEE);
	_mm512_storeu_ps(out, _mm512_shuffle_f32x4(p, q, 0x88));
	_mm512_storeu_ps(out + 16, _mm512_shuffle_f32x4(p, q, 0xDD));
	_mm512_storeu_ps(out + 32, _mm512_shuffle_f32x4(r, t, 0x88));
	_mm512_storeu_ps(out + 48, _mm512_shuffle_f32x4(r, t, 0xDD));
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
#define SLEEF_LOG Sleef_logd4_u35avx2
#define SLEEF_SINCOS Sleef_sincosd4_u35avx2

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

/* float32 (rng_normal_float): 8 blocks in one register of floats */
typedef __m256 rvf;
typedef Sleef___m256_2 rvf2;
#define VF_SET1(x) _mm256_set1_ps(x)
#define VF_MUL(a, b) _mm256_mul_ps(a, b)
#define VF_SQRT(a) _mm256_sqrt_ps(a)
#define SLEEF_LOGF Sleef_logf8_u35avx2
#define SLEEF_SINCOSF Sleef_sincosf8_u35avx2

/* The low words of two registers of blocks (blocks 0-3 in a, 4-7 in b) as
 * u = (2j + 1) 2^-24, j their top 23 bits, 8 floats in block order. */
static inline rvf u24_pack(rvi a, rvi b)
{
	const __m256i even = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
	__m256i w = _mm256_permute2x128_si256(_mm256_permutevar8x32_epi32(a, even),
	                                      _mm256_permutevar8x32_epi32(b, even), 0x20);
	w = _mm256_or_si256(_mm256_slli_epi32(_mm256_srli_epi32(w, 9), 1), _mm256_set1_epi32(1));
	return _mm256_mul_ps(_mm256_cvtepi32_ps(w), _mm256_set1_ps(0x1p-24f));
}

/* Stores z0[t], z1[t], z2[t], z3[t] for t = 0..7 in block order. */
static inline void store_quads(float *out, rvf z0, rvf z1, rvf z2, rvf z3)
{
	__m256 a = _mm256_unpacklo_ps(z0, z1), b = _mm256_unpackhi_ps(z0, z1);
	__m256 c = _mm256_unpacklo_ps(z2, z3), d = _mm256_unpackhi_ps(z2, z3);
	/* per 128-bit lane L: e holds block 4L, f 4L+1, g 4L+2, h 4L+3 */
	__m256 e = _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(a), _mm256_castps_pd(c)));
	__m256 f = _mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(a), _mm256_castps_pd(c)));
	__m256 g = _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(b), _mm256_castps_pd(d)));
	__m256 h = _mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(b), _mm256_castps_pd(d)));
	_mm256_storeu_ps(out, _mm256_permute2f128_ps(e, f, 0x20));
	_mm256_storeu_ps(out + 8, _mm256_permute2f128_ps(g, h, 0x20));
	_mm256_storeu_ps(out + 16, _mm256_permute2f128_ps(e, f, 0x31));
	_mm256_storeu_ps(out + 24, _mm256_permute2f128_ps(g, h, 0x31));
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

/* ---- float32 normal variates (rng_normal_float): two registers of blocks
 * give one register of each word, four floats a block (rng.c's
 * block_normal_float, lane for lane) */

#define STEP_FLOAT (GROUPS * LANES * 4)   /* floats per step */

/* The four floats of each block whose Philox outputs are in c (GROUPS
 * registers), into out in block order. */
static inline __attribute__((always_inline))
void variates_float(rvi c[GROUPS][4], float *out)
{
	rvf z[4];
	for (int k = 0; k < 4; k += 2) {
		rvf u0 = u24_pack(c[0][k], c[1][k]), u1 = u24_pack(c[0][k + 1], c[1][k + 1]);
		rvf radius = VF_SQRT(VF_MUL(VF_SET1(-2.0f), SLEEF_LOGF(u0)));
		rvf2 sc = SLEEF_SINCOSF(VF_MUL(u1, VF_SET1(RNG_TWO_PI_F)));
		z[k] = VF_MUL(radius, sc.y);
		z[k + 1] = VF_MUL(radius, sc.x);
	}
	store_quads(out, z[0], z[1], z[2], z[3]);
}

static inline __attribute__((always_inline))
void step_float(rvi block, const philox_keys *ks, float *out)
{
	rvi c[GROUPS][4];
	for (int g = 0; g < GROUPS; g++) {
		c[g][0] = VI_ADD32(block, VI_SET1(LANES * g));
		c[g][1] = ks->stream;
	}
	philox(c, GROUPS, ks);
	variates_float(c, out);
}

void RNG_NAME(rng_fill_normal_float)(const rl_rng *r, float *out, size_t n)
{
	philox_keys ks;
	keys_init(&ks, r);
	rvi block = VI_ADD32(VI_SET1(r->ctr[0]), VI_LANE_INDEX());
	const rvi advance = VI_SET1(STEP_FLOAT / 4);
	size_t i = 0;
	for (; i + STEP_FLOAT <= n; i += STEP_FLOAT) {
		step_float(block, &ks, out + i);
		block = VI_ADD32(block, advance);
	}
	if (i < n) {
		float tail[STEP_FLOAT];
		step_float(block, &ks, tail);
		memcpy(out + i, tail, (n - i) * sizeof *out);
	}
}

void RNG_NAME(rng_fill_blocks_normal_float)(const rl_rng *r, const uint32_t *block,
                                            const uint32_t *stream, size_t blocks, float *out)
{
	philox_keys ks;
	keys_init(&ks, r);
	size_t k = 0;
	for (;; k += GROUPS * LANES) {
		rvi c[GROUPS][4];
		uint32_t bl[GROUPS * LANES], st[GROUPS * LANES];
		const uint32_t *pb = block + k, *ps = stream + k;
		size_t len = blocks - k < GROUPS * LANES ? blocks - k : GROUPS * LANES;
		if (len == 0)
			break;
		if (len < GROUPS * LANES) {   /* the tail, padded with block 0 of stream 0 */
			memset(bl, 0, sizeof bl);
			memset(st, 0, sizeof st);
			memcpy(bl, pb, len * sizeof *bl);
			memcpy(st, ps, len * sizeof *st);
			pb = bl;
			ps = st;
		}
		for (int g = 0; g < GROUPS; g++) {
			c[g][0] = VI_LOAD_U32(pb + LANES * g);
			c[g][1] = VI_LOAD_U32(ps + LANES * g);
		}
		philox(c, GROUPS, &ks);
		if (len == GROUPS * LANES) {
			variates_float(c, out + 4 * k);
		} else {
			float tail[4 * GROUPS * LANES];
			variates_float(c, tail);
			memcpy(out + 4 * k, tail, 4 * len * sizeof *out);
			break;
		}
	}
}

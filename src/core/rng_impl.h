/* rng_impl.h: the body of the SIMD Gaussian/uniform/Laplace kernels of
 * rng.c, included by rng_avx2.c and rng_avx512.c, each compiled with its
 * own ISA flags and with RNG_NAME(x) naming its copy (as kernel_impl.h
 * does for the layer kernels). The few operations that differ between the
 * ISAs are defined once at the top per ISA; the Philox rounds, the
 * variates and the fill loops below are written once.
 *
 * Philox runs on LANES blocks per register, one block per 64-bit lane
 * holding a 32-bit word in its low half, so that mul_epu32 gives the full
 * 32x32->64 products; GROUPS registers are in flight at once to hide the
 * multiplier's latency. Only the low halves are meaningful: high halves
 * carry garbage that the multiplier ignores and the conversions mask off.
 * Each register of words becomes variates without a transpose: doubles
 * from the 64-bit lanes x1:x0 and x3:x2, floats from the lanes x2:x0 (a
 * block's two radii) and x3:x1 (its two angles), so one interleave of
 * the two results stores them in block order. Results equal rng.c's
 * scalar code bit for bit (same integer-to-float mapping, SLEEF u35
 * log/sincos with FMA). Included only by the SIMD kernel files, where
 * compiler extensions are allowed. */
#include <immintrin.h>
#include <sleef.h>
#include <string.h>
#include "rng_simd.h"

#if defined(__AVX512F__) && defined(__AVX512DQ__)
/* ---- AVX-512: 8 blocks per register */
#define LANES 8
#define GROUPS 4   /* registers in flight: 16 of the 32 hold Philox state (4 measured best) */
typedef __m512i rvi;
typedef __m512d rvd;
typedef Sleef___m512d_2 rvd2;
#define VI_SET1(x) _mm512_set1_epi64((long long)(x))
#define VI_LANE_INDEX() _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7)
/* LANES 32-bit words from p, one in the low half of each 64-bit lane */
#define VI_LOAD_U32(p) _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(const void *)(p)))
/* the same for the first k < LANES words (the others 0), reading only those */
#define VI_LOAD_U32_FIRST(p, k) \
	_mm512_cvtepu32_epi64(_mm512_castsi512_si256( \
		_mm512_maskz_loadu_epi32((__mmask16)((1u << (k)) - 1u), (const void *)(p))))
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

/* hi:lo of each lane: the low words of lo below those of hi (the high
 * halves of lo carry garbage, see above). */
#define VI_PAIR(lo, hi) _mm512_mask_blend_epi32(0xAAAA, lo, _mm512_slli_epi64(hi, 32))

/* k = the 53 top bits of hi:lo as a double; k < 2^53 converts exactly. */
static inline rvd top53(rvi lo, rvi hi)
{
	return _mm512_cvtepu64_pd(_mm512_srli_epi64(VI_PAIR(lo, hi), 11));
}

/* float32 (rng_normal_float): the 16 32-bit words of a register as floats */
typedef __m512 rvf;
typedef Sleef___m512_2 rvf2;
#define VF_SET1(x) _mm512_set1_ps(x)
#define VF_MUL(a, b) _mm512_mul_ps(a, b)
#define VF_SQRT(a) _mm512_sqrt_ps(a)
#define SLEEF_LOGF Sleef_logf16_u35avx512f
#define SLEEF_SINCOSF Sleef_sincosf16_u35avx512f
#define VI_SET1_32(x) _mm512_set1_epi32(x)
#define VI_SRLI32(a, k) _mm512_srli_epi32(a, k)
#define VI_OR(a, b) _mm512_or_si512(a, b)
#define VF_FROM_I32(a) _mm512_cvtepi32_ps(a)

/* a[0], b[0], a[1], b[1], ...: its first register (ZIP_LO) and its second
 * (ZIP_HI), one permute each */
#define VD_ZIP_LO(a, b) _mm512_permutex2var_pd(a, _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), b)
#define VD_ZIP_HI(a, b) _mm512_permutex2var_pd(a, _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15), b)
#define VF_ZIP_LO(a, b) _mm512_permutex2var_ps(a, _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, \
                                                                    4, 20, 5, 21, 6, 22, 7, 23), b)
#define VF_ZIP_HI(a, b) _mm512_permutex2var_ps(a, _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, \
                                                                    12, 28, 13, 29, 14, 30, 15, 31), b)
#define VD_STOREU(p, a) _mm512_storeu_pd(p, a)
#define VF_STOREU(p, a) _mm512_storeu_ps(p, a)

#elif defined(__AVX2__) && defined(__FMA__)
/* ---- AVX2: 4 blocks per register */
#define LANES 4
#define GROUPS 2   /* 8 of the 16 registers hold Philox's state */
typedef __m256i rvi;
typedef __m256d rvd;
typedef Sleef___m256d_2 rvd2;
#define VI_SET1(x) _mm256_set1_epi64x((long long)(x))
#define VI_LANE_INDEX() _mm256_setr_epi64x(0, 1, 2, 3)
#define VI_LOAD_U32(p) _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)(const void *)(p)))
#define VI_LOAD_U32_FIRST(p, k) _mm256_cvtepu32_epi64(_mm_maskload_epi32((const int *)(const void *)(p), \
	_mm_cmpgt_epi32(_mm_set1_epi32((int)(k)), _mm_setr_epi32(0, 1, 2, 3))))
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

#define VI_PAIR(lo, hi) _mm256_blend_epi32(lo, _mm256_slli_epi64(hi, 32), 0xAA)

/* float32 (rng_normal_float): the 8 32-bit words of a register as floats */
typedef __m256 rvf;
typedef Sleef___m256_2 rvf2;
#define VF_SET1(x) _mm256_set1_ps(x)
#define VF_MUL(a, b) _mm256_mul_ps(a, b)
#define VF_SQRT(a) _mm256_sqrt_ps(a)
#define SLEEF_LOGF Sleef_logf8_u35avx2
#define SLEEF_SINCOSF Sleef_sincosf8_u35avx2
#define VI_SET1_32(x) _mm256_set1_epi32(x)
#define VI_SRLI32(a, k) _mm256_srli_epi32(a, k)
#define VI_OR(a, b) _mm256_or_si256(a, b)
#define VF_FROM_I32(a) _mm256_cvtepi32_ps(a)

/* a[0], b[0], a[1], b[1], ...: the unpacks interleave within 128-bit
 * halves, so the first register is both low halves, the second both high
 * ones */
#define VD_ZIP_LO(a, b) _mm256_permute2f128_pd(_mm256_unpacklo_pd(a, b), _mm256_unpackhi_pd(a, b), 0x20)
#define VD_ZIP_HI(a, b) _mm256_permute2f128_pd(_mm256_unpacklo_pd(a, b), _mm256_unpackhi_pd(a, b), 0x31)
#define VF_ZIP_LO(a, b) _mm256_permute2f128_ps(_mm256_unpacklo_ps(a, b), _mm256_unpackhi_ps(a, b), 0x20)
#define VF_ZIP_HI(a, b) _mm256_permute2f128_ps(_mm256_unpacklo_ps(a, b), _mm256_unpackhi_ps(a, b), 0x31)
#define VD_STOREU(p, a) _mm256_storeu_pd(p, a)
#define VF_STOREU(p, a) _mm256_storeu_ps(p, a)

#else
#error "rng_impl.h is compiled only with -mavx2 -mfma or -mavx512f -mavx512dq -mfma"
#endif

/* ---- the same for every ISA */

#define STEP (GROUPS * LANES)     /* blocks per step */

/* Each 32-bit word w as u = (2j + 1) 2^-24, j its top 23 bits: (w >> 8) | 1
 * is 2j + 1. */
static inline rvf u24(rvi w)
{
	w = VI_OR(VI_SRLI32(w, 8), VI_SET1_32(1));
	return VF_MUL(VF_FROM_I32(w), VF_SET1(0x1p-24f));
}

/* Stores a[0], b[0], a[1], b[1], ... (2 LANES doubles). */
static inline void store_pairs(double *out, rvd a, rvd b)
{
	VD_STOREU(out, VD_ZIP_LO(a, b));
	VD_STOREU(out + LANES, VD_ZIP_HI(a, b));
}

/* The same for floats (4 LANES: a float register holds 2 LANES). */
static inline void store_pairs_float(float *out, rvf a, rvf b)
{
	VF_STOREU(out, VF_ZIP_LO(a, b));
	VF_STOREU(out + 2 * LANES, VF_ZIP_HI(a, b));
}

typedef struct {
	rvi k0[RNG_PHILOX_ROUNDS], k1[RNG_PHILOX_ROUNDS];
	rvi stream, trial_hi;
	/* The first round's product of the trial's low word is the same in
	 * every block: first_p1 is that product, first_c0 its high word ^ k0. */
	rvi first_p1, first_c0;
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
	uint64_t p1 = (uint64_t)RNG_PHILOX_M1 * r->ctr[2];
	ks->stream = VI_SET1(r->ctr[1]);
	ks->trial_hi = VI_SET1(r->ctr[3]);
	ks->first_p1 = VI_SET1(p1);
	ks->first_c0 = VI_SET1((uint32_t)(p1 >> 32) ^ r->key[0]);
}

/* c[g][0] holds the block indices of group g and c[g][1] their streams;
 * on return c[g][0..3] hold the four output words of each block (low
 * halves). */
static inline __attribute__((always_inline))
void philox(rvi c[GROUPS][4], int groups, const philox_keys *ks)
{
	const rvi m0 = VI_SET1(RNG_PHILOX_M0);
	const rvi m1 = VI_SET1(RNG_PHILOX_M1);
#pragma GCC unroll 8
	for (int g = 0; g < groups; g++) {   /* round 1, with ctr[2] = the trial's low word */
		rvi p0 = VI_MUL_EPU32(c[g][0], m0);
		c[g][0] = VI_XOR(ks->first_c0, c[g][1]);
		c[g][1] = ks->first_p1;
		c[g][2] = VI_XOR3(VI_SRLI64(p0, 32), ks->trial_hi, ks->k1[0]);
		c[g][3] = p0;
	}
	/* unrolled, rounds and groups: the state and the round keys stay in
	 * registers (a loop over groups would keep the state in memory) */
#pragma GCC unroll 10
	for (int round = 1; round < RNG_PHILOX_ROUNDS; round++)
#pragma GCC unroll 8
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

/* The two variates of each block whose Philox outputs are in c, into out
 * in block order. */
static inline __attribute__((always_inline))
void variates(enum rng_law law, rvi c[GROUPS][4], int groups, double *out)
{
#pragma GCC unroll 8
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

/* The four float32 normals of each block whose Philox outputs are in c,
 * into out in block order (rng.c's block_normal_float, lane for lane). The
 * register of words x0 and x2 (a block's two radii) and the one of x1 and
 * x3 (its two angles) hold, word for word, the pairs in output order. */
static inline __attribute__((always_inline))
void variates_float(rvi c[GROUPS][4], int groups, float *out)
{
#pragma GCC unroll 8
	for (int g = 0; g < groups; g++) {
		rvf u0 = u24(VI_PAIR(c[g][0], c[g][2])), u1 = u24(VI_PAIR(c[g][1], c[g][3]));
		rvf radius = VF_SQRT(VF_MUL(VF_SET1(-2.0f), SLEEF_LOGF(u0)));
		rvf2 sc = SLEEF_SINCOSF(VF_MUL(u1, VF_SET1(RNG_TWO_PI_F)));
		store_pairs_float(out + 4 * LANES * g, VF_MUL(radius, sc.y), VF_MUL(radius, sc.x));
	}
}

/* The variates of the blocks in c (per: 2 doubles or 4 floats a block). */
static inline __attribute__((always_inline))
void block_variates(int per, enum rng_law law, rvi c[GROUPS][4], int groups, void *out)
{
	if (per == 2)
		variates(law, c, groups, out);
	else
		variates_float(c, groups, out);
}

/* Philox and the variates of the first `groups` registers of c (1 to
 * GROUPS) into out. A short fill is latency-bound one register at a
 * time (each Philox round waits for the multiplier): here each count is
 * its own unrolled case, its registers in flight together. */
static inline __attribute__((always_inline))
void tail_registers(int per, enum rng_law law, rvi c[GROUPS][4], int groups,
                    const philox_keys *ks, void *out)
{
	switch (groups) {
#if GROUPS > 3
	case 4:
		philox(c, 4, ks);
		block_variates(per, law, c, 4, out);
		break;
	case 3:
		philox(c, 3, ks);
		block_variates(per, law, c, 3, out);
		break;
#endif
	case 2:
		philox(c, 2, ks);
		block_variates(per, law, c, 2, out);
		break;
	default:
		philox(c, 1, ks);
		block_variates(per, law, c, 1, out);
		break;
	}
}

/* The first `values` variates of those registers into out: straight when
 * they fill the registers, else through a buffer (out has room for no
 * more). */
static inline __attribute__((always_inline))
void tail_variates(int per, enum rng_law law, rvi c[GROUPS][4], int groups,
                   const philox_keys *ks, void *out, size_t values)
{
	if (values == (size_t)groups * LANES * (size_t)per) {
		tail_registers(per, law, c, groups, ks, out);
		return;
	}
	double tail[STEP * 2];   /* room for 2 doubles or 4 floats a block */
	tail_registers(per, law, c, groups, ks, tail);
	memcpy(out, tail, values * (per == 2 ? sizeof(double) : sizeof(float)));
}

/* Fills out with the variates of blocks ctr[0], ctr[0] + 1, ... (modulo
 * 2^32) of stream r: n doubles (per = 2) or floats (per = 4). */
static inline __attribute__((always_inline))
void fill(int per, const rl_rng *r, enum rng_law law, void *out, size_t n)
{
	const size_t size = per == 2 ? sizeof(double) : sizeof(float);
	philox_keys ks;
	keys_init(&ks, r);
	/* Lane j of block holds ctr[0] + j; 32-bit adds wrap modulo 2^32 and
	 * leave the high halves zero. */
	rvi block = VI_ADD32(VI_SET1(r->ctr[0]), VI_LANE_INDEX());
	const rvi one_group = VI_SET1(LANES);
	char *dst = out;
	size_t i = 0;
	rvi c[GROUPS][4];
	for (; i + STEP * per <= n; i += STEP * per, dst += STEP * per * size) {
#pragma GCC unroll 8
		for (int g = 0; g < GROUPS; g++) {
			c[g][0] = block;
			c[g][1] = ks.stream;
			block = VI_ADD32(block, one_group);
		}
		philox(c, GROUPS, &ks);
		block_variates(per, law, c, GROUPS, dst);
	}
	/* The tail: the registers it needs, in flight together. */
	if (i < n) {
		size_t blocks = (n - i + per - 1) / per;
		for (int g = 0; g < GROUPS; g++) {
			c[g][0] = block;
			c[g][1] = ks.stream;
			block = VI_ADD32(block, one_group);
		}
		tail_variates(per, law, c, (int)((blocks + LANES - 1) / LANES), &ks, dst, n - i);
	}
}

/* out = the variates of block block[k] of stream stream[k] for k < blocks,
 * per a block. */
static inline __attribute__((always_inline))
void fill_blocks(int per, const rl_rng *r, enum rng_law law, const uint32_t *block,
                 const uint32_t *stream, size_t blocks, void *out)
{
	const size_t size = per == 2 ? sizeof(double) : sizeof(float);
	philox_keys ks;
	keys_init(&ks, r);
	char *dst = out;
	size_t k = 0;
	rvi c[GROUPS][4];
	for (; k + STEP <= blocks; k += STEP, dst += STEP * per * size) {
#pragma GCC unroll 8
		for (int g = 0; g < GROUPS; g++) {
			c[g][0] = VI_LOAD_U32(block + k + LANES * g);
			c[g][1] = VI_LOAD_U32(stream + k + LANES * g);
		}
		philox(c, GROUPS, &ks);
		block_variates(per, law, c, GROUPS, dst);
	}
	if (k < blocks) {   /* the tail: the registers it needs, in flight together */
		size_t len = blocks - k;
		int groups = (int)((len + LANES - 1) / LANES);
		for (int g = 0; g < groups; g++) {   /* only the blocks asked for are read */
			size_t at = k + (size_t)g * LANES, n = blocks - at < LANES ? blocks - at : LANES;
			c[g][0] = n == LANES ? VI_LOAD_U32(block + at) : VI_LOAD_U32_FIRST(block + at, n);
			c[g][1] = n == LANES ? VI_LOAD_U32(stream + at) : VI_LOAD_U32_FIRST(stream + at, n);
		}
		tail_variates(per, law, c, groups, &ks, dst, len * (size_t)per);
	}
}

void RNG_NAME(rng_fill)(const rl_rng *r, enum rng_law law, double *out, size_t n)
{
	fill(2, r, law, out, n);
}

void RNG_NAME(rng_fill_blocks)(const rl_rng *r, enum rng_law law, const uint32_t *block,
                               const uint32_t *stream, size_t blocks, double *out)
{
	fill_blocks(2, r, law, block, stream, blocks, out);
}

void RNG_NAME(rng_fill_normal_float)(const rl_rng *r, float *out, size_t n)
{
	fill(4, r, RNG_LAW_NORMAL, out, n);
}

void RNG_NAME(rng_fill_blocks_normal_float)(const rl_rng *r, const uint32_t *block,
                                            const uint32_t *stream, size_t blocks, float *out)
{
	fill_blocks(4, r, RNG_LAW_NORMAL, block, stream, blocks, out);
}

/* rng.c: Philox4x32-10 streams (relush/rng.h): the block function, the
 * scalar variate code and the run-time choice between it and the SIMD
 * kernels (rng_impl.h compiled per ISA), which reproduce it bit for bit.
 *
 * From one block x[0..3] come two 64-bit words, w0 = x[1]:x[0] and
 * w1 = x[3]:x[2]. Each word gives u = k * 2^-53 from its top 53 bits k
 * (k = 0 is read as 1/2, so u is never 0 or 1), and
 *   uniform: the two u;
 *   normal:  Box-Muller on (u0, u1): r = sqrt(-2 log u0), t = 2 pi u1,
 *            giving r cos t then r sin t;
 *   laplace: -log u, negated when bit 0 of the word is set.
 * log and sincos are SLEEF's u35 functions: their 3.5 ulp are far below
 * anything a Monte Carlo estimate resolves, and they cost less than u10.
 * The scalar ones are the same algorithm as the vector ones, with FMA when
 * the CPU has it, so scalar and vector paths give identical doubles. A CPU without FMA (none of the SIMD
 * paths runs there) gets SLEEF's non-FMA scalar code, whose normal and
 * Laplace variates may differ in the last bit from an FMA machine's;
 * uniform variates are the same everywhere. */
#include "config.h"
#include <math.h>
#include <pthread.h>
#include <sleef.h>
#include <stdatomic.h>
#include <string.h>
#include "relush/rng.h"
#include "cpu.h"
#include "rng_simd.h"

void rng_init(rl_rng *r, uint64_t seed, uint64_t trial, uint32_t stream)
{
	r->key[0] = (uint32_t)seed;
	r->key[1] = (uint32_t)(seed >> 32);
	r->ctr[0] = 0;
	r->ctr[1] = stream;
	r->ctr[2] = (uint32_t)trial;
	r->ctr[3] = (uint32_t)(trial >> 32);
}

static inline void philox_block(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
	uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
	uint32_t k0 = key[0], k1 = key[1];
	for (int round = 0; round < RNG_PHILOX_ROUNDS; round++) {
		uint64_t p0 = (uint64_t)RNG_PHILOX_M0 * c0;
		uint64_t p1 = (uint64_t)RNG_PHILOX_M1 * c2;
		c0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
		c1 = (uint32_t)p1;
		c2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
		c3 = (uint32_t)p0;
		k0 += RNG_PHILOX_W0;
		k1 += RNG_PHILOX_W1;
	}
	out[0] = c0;
	out[1] = c1;
	out[2] = c2;
	out[3] = c3;
}

void rng_philox(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
	philox_block(ctr, key, out);
}

/* ---- scalar variates */

/* SLEEF's scalar functions: purecfma mirrors the AVX2/AVX-512 kernels
 * (which use FMA); purec is for CPUs without FMA, where no kernel runs.
 * sleef.h declares the purecfma ones only when this file is compiled for
 * FMA (FP_FAST_FMA), but this file is built for any x86-64 and calls them
 * only after checking the CPU, so they are declared here (with the exact
 * type of their purec twins, which sleef.h gives a const return type). */
#if defined(__x86_64__) || defined(__i386__)
#define RNG_X86 1
__typeof__(Sleef_logd1_u35purec) Sleef_logd1_u35purecfma;
__typeof__(Sleef_sincosd1_u35purec) Sleef_sincosd1_u35purecfma;
__typeof__(Sleef_logf1_u35purec) Sleef_logf1_u35purecfma;
__typeof__(Sleef_sincosf1_u35purec) Sleef_sincosf1_u35purecfma;
#endif
static __typeof__(Sleef_logd1_u35purec) *scalar_log;
static __typeof__(Sleef_sincosd1_u35purec) *scalar_sincos;
static __typeof__(Sleef_logf1_u35purec) *scalar_logf;
static __typeof__(Sleef_sincosf1_u35purec) *scalar_sincosf;

static inline double u01(uint32_t lo, uint32_t hi)
{
	uint64_t k = ((uint64_t)hi << 21) | (lo >> 11);
	return (k ? (double)k : 0.5) * 0x1p-53;
}

static inline void block_variates(enum rng_law law, const uint32_t x[4], double v[2])
{
	double u0 = u01(x[0], x[1]), u1 = u01(x[2], x[3]);
	switch (law) {
	case RNG_LAW_NORMAL: {
		double radius = sqrt(-2.0 * scalar_log(u0));
		Sleef_double_2 sc = scalar_sincos(u1 * RNG_TWO_PI);
		v[0] = radius * sc.y;
		v[1] = radius * sc.x;
		break;
	}
	case RNG_LAW_UNIFORM:
		v[0] = u0;
		v[1] = u1;
		break;
	case RNG_LAW_LAPLACE: {
		double l0 = scalar_log(u0), l1 = scalar_log(u1);
		v[0] = (x[0] & 1u) ? l0 : -l0;
		v[1] = (x[2] & 1u) ? l1 : -l1;
		break;
	}
	}
}

static void rng_fill_scalar(const rl_rng *r, enum rng_law law, double *out, size_t n)
{
	uint32_t ctr[4] = { r->ctr[0], r->ctr[1], r->ctr[2], r->ctr[3] }, x[4];
	size_t i;
	for (i = 0; i + 2 <= n; i += 2, ctr[0]++) {
		philox_block(ctr, r->key, x);
		block_variates(law, x, out + i);
	}
	if (i < n) {
		double pair[2];
		philox_block(ctr, r->key, x);
		block_variates(law, x, pair);
		out[i] = pair[0];
	}
}

/* ---- float32 normal variates (rng_normal_float): four from a block, the
 * Box-Muller pairs (x0, x1) and (x2, x3), each word giving the odd 24-bit
 * numerator of u = (2j + 1) 2^-24 (exact in a float, never 0 or 1) */

static inline float u24(uint32_t x)
{
	return (float)(int32_t)((x >> 9) << 1 | 1u) * 0x1p-24f;
}

static inline void block_normal_float(const uint32_t x[4], float v[4])
{
	for (int k = 0; k < 4; k += 2) {
		float radius = sqrtf(-2.0f * scalar_logf(u24(x[k])));
		Sleef_float_2 sc = scalar_sincosf(u24(x[k + 1]) * RNG_TWO_PI_F);
		v[k] = radius * sc.y;
		v[k + 1] = radius * sc.x;
	}
}

static void rng_fill_normal_float_scalar(const rl_rng *r, float *out, size_t n)
{
	uint32_t ctr[4] = { r->ctr[0], r->ctr[1], r->ctr[2], r->ctr[3] }, x[4];
	size_t i;
	for (i = 0; i + 4 <= n; i += 4, ctr[0]++) {
		philox_block(ctr, r->key, x);
		block_normal_float(x, out + i);
	}
	if (i < n) {
		float quad[4];
		philox_block(ctr, r->key, x);
		block_normal_float(x, quad);
		for (size_t k = 0; i + k < n; k++)
			out[i + k] = quad[k];
	}
}

/* ---- run-time choice of the path */

static void rng_setup(void);
static cpu_path_choice rng_paths = CPU_PATH_CHOICE(rng_setup);

static void rng_setup(void)
{
	const cpu_features *cpu = cpu_get();
#ifdef RNG_X86
	scalar_log = cpu->fma ? Sleef_logd1_u35purecfma : Sleef_logd1_u35purec;
	scalar_sincos = cpu->fma ? Sleef_sincosd1_u35purecfma : Sleef_sincosd1_u35purec;
	scalar_logf = cpu->fma ? Sleef_logf1_u35purecfma : Sleef_logf1_u35purec;
	scalar_sincosf = cpu->fma ? Sleef_sincosf1_u35purecfma : Sleef_sincosf1_u35purec;
#else
	/* No SIMD path runs off x86, so no kernel has to be matched bit for bit. */
	scalar_log = Sleef_logd1_u35purec;
	scalar_sincos = Sleef_sincosd1_u35purec;
	scalar_logf = Sleef_logf1_u35purec;
	scalar_sincosf = Sleef_sincosf1_u35purec;
#endif
	cpu_path_init(&rng_paths, cpu->avx2, cpu->avx512dq);
}

/* Sets up the scalar functions too, at the first call. */
static inline rng_path current_path(void)
{
	return (rng_path)cpu_path_get(&rng_paths);
}

int rng_set_path(rng_path p)
{
	return cpu_path_set(&rng_paths, (int)p);
}

rng_path rng_get_path(void)
{
	return current_path();
}

const char *rng_path_name(rng_path p)
{
	switch (p) {
	case RNG_PATH_AUTO: return "auto";
	case RNG_PATH_SCALAR: return "scalar";
	case RNG_PATH_AVX2: return "avx2";
	case RNG_PATH_AVX512: return "avx512";
	}
	return "unknown";
}

/* Below this many variates a vector step costs more than the scalar code,
 * which gives the same numbers. */
#define RNG_SIMD_MIN 6

static void rng_fill(rl_rng *r, enum rng_law law, double *out, size_t n)
{
	rng_path path = current_path();   /* also sets up the scalar functions */
	switch (n < RNG_SIMD_MIN ? RNG_PATH_SCALAR : path) {
#ifdef HAVE_AVX2
	case RNG_PATH_AVX2:
		rng_fill_avx2(r, law, out, n);
		break;
#endif
#ifdef HAVE_AVX512
	case RNG_PATH_AVX512:
		rng_fill_avx512(r, law, out, n);
		break;
#endif
	default:
		rng_fill_scalar(r, law, out, n);
		break;
	}
	/* A stream holds 2^32 blocks; the block index wraps modulo 2^32. */
	r->ctr[0] += (uint32_t)(n / 2 + n % 2);
}

static void rng_fill_blocks_scalar(const rl_rng *r, enum rng_law law, const uint32_t *block,
                                   const uint32_t *stream, size_t blocks, double *out)
{
	for (size_t k = 0; k < blocks; k++) {
		uint32_t ctr[4] = { block[k], stream[k], r->ctr[2], r->ctr[3] }, x[4];
		philox_block(ctr, r->key, x);
		block_variates(law, x, out + 2 * k);
	}
}

static void rng_fill_blocks_float_scalar(const rl_rng *r, const uint32_t *block,
                                         const uint32_t *stream, size_t blocks, float *out)
{
	for (size_t k = 0; k < blocks; k++) {
		uint32_t ctr[4] = { block[k], stream[k], r->ctr[2], r->ctr[3] }, x[4];
		philox_block(ctr, r->key, x);
		block_normal_float(x, out + 4 * k);
	}
}

/* Blocks gathered per kernel call: enough to fill the vectors, few
 * enough to stay on the stack. */
#define RNG_GATHER 128

/* Blocks of many streams gathered for one kernel call: per variates a
 * block, 2 doubles (rng_normal_streams) or 4 floats
 * (rng_normal_streams_float). */
typedef struct {
	size_t per, size;           /* variates a block, bytes a variate */
	rng_fill_blocks_fn *fill;
	rng_fill_blocks_float_fn *fill_float;
	rl_rng r;
	size_t pending;
	uint32_t block[RNG_GATHER], stream[RNG_GATHER];
	uint8_t keep[RNG_GATHER];   /* variates kept of each block: per, fewer at a stream's end */
	int partial;                /* some pending block keeps fewer than per */
	double scratch[2 * RNG_GATHER];   /* room for 2 doubles or 4 floats a block */
} rng_gather;

/* Fills the pending blocks and appends their kept variates to out;
 * returns the end of what it wrote. */
static char *gather_flush(rng_gather *g, char *out)
{
	/* every block kept whole: straight into out */
	void *dst = g->partial ? (void *)g->scratch : (void *)out;
	if (g->per == 2)
		g->fill(&g->r, RNG_LAW_NORMAL, g->block, g->stream, g->pending, dst);
	else
		g->fill_float(&g->r, g->block, g->stream, g->pending, dst);
	if (!g->partial) {
		out += g->pending * g->per * g->size;
	} else {
		const char *src = (const char *)g->scratch;
		for (size_t b = 0; b < g->pending; b++) {
			memcpy(out, src + b * g->per * g->size, g->keep[b] * g->size);
			out += g->keep[b] * g->size;
		}
	}
	g->pending = 0;
	g->partial = 0;
	return out;
}

/* The first len[k] variates of each stream stream[k], per a block, into
 * out: rng_normal_streams (per = 2) and rng_normal_streams_float (4). */
static void gather_streams(size_t per, uint64_t seed, uint64_t trial, const uint32_t *stream,
                           const size_t *len, size_t count, char *out)
{
	rng_gather g;
	g.per = per;
	g.size = per == 2 ? sizeof(double) : sizeof(float);
	g.fill = rng_fill_blocks_scalar;
	g.fill_float = rng_fill_blocks_float_scalar;
	switch (current_path()) {
#ifdef HAVE_AVX2
	case RNG_PATH_AVX2:
		g.fill = rng_fill_blocks_avx2;
		g.fill_float = rng_fill_blocks_normal_float_avx2;
		break;
#endif
#ifdef HAVE_AVX512
	case RNG_PATH_AVX512:
		g.fill = rng_fill_blocks_avx512;
		g.fill_float = rng_fill_blocks_normal_float_avx512;
		break;
#endif
	default: break;
	}
	rng_init(&g.r, seed, trial, 0);
	g.pending = 0;
	g.partial = 0;
	for (size_t k = 0; k < count; k++) {
		/* a stream holds 2^32 blocks, as in rng_fill */
		size_t blocks = len[k] / per + (len[k] % per != 0);
		for (size_t b = 0; b < blocks;) {
			size_t take = blocks - b < RNG_GATHER - g.pending ? blocks - b : RNG_GATHER - g.pending;
			/* a plain loop without divisions: the compiler vectorizes it */
			for (size_t j = 0; j < take; j++) {
				g.block[g.pending + j] = (uint32_t)(b + j);
				g.stream[g.pending + j] = stream[k];
				g.keep[g.pending + j] = (uint8_t)per;
			}
			g.pending += take;
			b += take;
			if (b == blocks && len[k] % per) {   /* the stream's last block, kept in part */
				g.keep[g.pending - 1] = (uint8_t)(len[k] % per);
				g.partial = 1;
			}
			if (g.pending == RNG_GATHER)
				out = gather_flush(&g, out);
		}
	}
	if (g.pending)
		gather_flush(&g, out);
}

void rng_normal_streams(uint64_t seed, uint64_t trial, const uint32_t *stream,
                        const size_t *len, size_t count, double *out)
{
	gather_streams(2, seed, trial, stream, len, count, (char *)out);
}

void rng_normal_streams_float(uint64_t seed, uint64_t trial, const uint32_t *stream,
                              const size_t *len, size_t count, float *out)
{
	gather_streams(4, seed, trial, stream, len, count, (char *)out);
}

void rng_normal(rl_rng *r, double *out, size_t n)
{
	rng_fill(r, RNG_LAW_NORMAL, out, n);
}

void rng_uniform(rl_rng *r, double *out, size_t n)
{
	rng_fill(r, RNG_LAW_UNIFORM, out, n);
}

void rng_laplace(rl_rng *r, double *out, size_t n)
{
	rng_fill(r, RNG_LAW_LAPLACE, out, n);
}

/* Below this many floats a vector step costs more than the scalar code. */
#define RNG_SIMD_MIN_FLOAT 12

void rng_normal_float(rl_rng *r, float *out, size_t n)
{
	rng_path path = current_path();
	switch (n < RNG_SIMD_MIN_FLOAT ? RNG_PATH_SCALAR : path) {
#ifdef HAVE_AVX2
	case RNG_PATH_AVX2:
		rng_fill_normal_float_avx2(r, out, n);
		break;
#endif
#ifdef HAVE_AVX512
	case RNG_PATH_AVX512:
		rng_fill_normal_float_avx512(r, out, n);
		break;
#endif
	default:
		rng_fill_normal_float_scalar(r, out, n);
		break;
	}
	r->ctr[0] += (uint32_t)(n / 4 + (n % 4 != 0));
}

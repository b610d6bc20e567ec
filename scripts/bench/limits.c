/* limits.c: this machine's limits for the Monte Carlo benchmark, on one
 * core: Gaussian variates per second from the engine's own RNG (rng_normal,
 * and rng_normal_float for precision = "single", 4096 a call, the size of a
 * weight block); the SIMD Box-Muller limit, i.e.
 * the transform alone (SLEEF's widest vector log, sincos and a square root
 * on ready uniforms, no generator) in double and in single precision, which
 * no Box-Muller generator can beat; Philox4x32-10 blocks per second alone
 * (the engine's counter generator, no conversions), which with the
 * transform bounds any Box-Muller generator built on it; and GEMM FLOP/s of the BLAS alone
 * (dgemm and sgemm, single-threaded) and of the engine's fused kernels (double
 * and float32), for
 * the layer shapes of the benchmark configurations. Built (with
 * -march=native: it measures this machine) and run by scripts/bench/run;
 * prints "name value" lines. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sleef.h>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif
#ifdef HAVE_BLAS
#include <cblas.h>
void openblas_set_num_threads(int);
#endif
#include "relush/interrupt.h"
#include "relush/rng.h"
#include "core/kernel.h"

/* Calls pass() until `seconds` have gone by; returns items per second,
 * pass() producing per_pass items each time. */
static double per_second(void (*pass)(void), size_t per_pass, double seconds)
{
	double t0 = rl_now(), t;
	size_t n = 0;
	do {
		pass();
		n += per_pass;
		t = rl_now() - t0;
	} while (t < seconds);
	return (double)n / t;
}

/* The engine's own generator, 4096 variates a call, 64 calls a pass. */
static void engine_pass(void)
{
	static double buf[4096];
	static rl_rng r;
	if (r.key[0] == 0)
		rng_init(&r, 1, 1, 2);
	for (int k = 0; k < 64; k++)
		rng_normal(&r, buf, 4096);
}

/* The engine's float32 generator (precision = "single"), the same way. */
static void engine_float_pass(void)
{
	static float buf[4096];
	static rl_rng r;
	if (r.key[0] == 0)
		rng_init(&r, 1, 1, 2);
	for (int k = 0; k < 64; k++)
		rng_normal_float(&r, buf, 4096);
}

/* Box-Muller on BM_N ready uniform pairs a pass with the widest SLEEF
 * vectors this build can use (u35: the fastest accuracy SLEEF offers). */
#define BM_N 4096
#define BM_TWO_PI 6.283185307179586
static double bm_u0[BM_N], bm_u1[BM_N], bm_out[2 * BM_N];
static float bm_u0f[BM_N], bm_u1f[BM_N], bm_outf[2 * BM_N];

#if defined(__AVX512F__)
#define BM_ISA "avx512"
static void bm_double_pass(void)
{
	for (int i = 0; i < BM_N; i += 8) {
		__m512d r = _mm512_sqrt_pd(_mm512_mul_pd(_mm512_set1_pd(-2.0),
		                                         Sleef_logd8_u35avx512f(_mm512_loadu_pd(bm_u0 + i))));
		Sleef___m512d_2 sc = Sleef_sincosd8_u35avx512f(_mm512_mul_pd(_mm512_loadu_pd(bm_u1 + i),
		                                                             _mm512_set1_pd(BM_TWO_PI)));
		_mm512_storeu_pd(bm_out + 2 * i, _mm512_mul_pd(r, sc.x));
		_mm512_storeu_pd(bm_out + 2 * i + 8, _mm512_mul_pd(r, sc.y));
	}
}
static void bm_float_pass(void)
{
	for (int i = 0; i < BM_N; i += 16) {
		__m512 r = _mm512_sqrt_ps(_mm512_mul_ps(_mm512_set1_ps(-2.0f),
		                                        Sleef_logf16_u35avx512f(_mm512_loadu_ps(bm_u0f + i))));
		Sleef___m512_2 sc = Sleef_sincosf16_u35avx512f(_mm512_mul_ps(_mm512_loadu_ps(bm_u1f + i),
		                                                             _mm512_set1_ps((float)BM_TWO_PI)));
		_mm512_storeu_ps(bm_outf + 2 * i, _mm512_mul_ps(r, sc.x));
		_mm512_storeu_ps(bm_outf + 2 * i + 16, _mm512_mul_ps(r, sc.y));
	}
}
#elif defined(__AVX2__) && defined(__FMA__)
#define BM_ISA "avx2"
static void bm_double_pass(void)
{
	for (int i = 0; i < BM_N; i += 4) {
		__m256d r = _mm256_sqrt_pd(_mm256_mul_pd(_mm256_set1_pd(-2.0),
		                                         Sleef_logd4_u35avx2(_mm256_loadu_pd(bm_u0 + i))));
		Sleef___m256d_2 sc = Sleef_sincosd4_u35avx2(_mm256_mul_pd(_mm256_loadu_pd(bm_u1 + i),
		                                                          _mm256_set1_pd(BM_TWO_PI)));
		_mm256_storeu_pd(bm_out + 2 * i, _mm256_mul_pd(r, sc.x));
		_mm256_storeu_pd(bm_out + 2 * i + 4, _mm256_mul_pd(r, sc.y));
	}
}
static void bm_float_pass(void)
{
	for (int i = 0; i < BM_N; i += 8) {
		__m256 r = _mm256_sqrt_ps(_mm256_mul_ps(_mm256_set1_ps(-2.0f),
		                                        Sleef_logf8_u35avx2(_mm256_loadu_ps(bm_u0f + i))));
		Sleef___m256_2 sc = Sleef_sincosf8_u35avx2(_mm256_mul_ps(_mm256_loadu_ps(bm_u1f + i),
		                                                         _mm256_set1_ps((float)BM_TWO_PI)));
		_mm256_storeu_ps(bm_outf + 2 * i, _mm256_mul_ps(r, sc.x));
		_mm256_storeu_ps(bm_outf + 2 * i + 8, _mm256_mul_ps(r, sc.y));
	}
}
#else
#define BM_ISA "scalar"
static void bm_double_pass(void)
{
	for (int i = 0; i < BM_N; i++) {
		double r = sqrt(-2.0 * Sleef_logd1_u35purec(bm_u0[i]));
		Sleef_double_2 sc = Sleef_sincosd1_u35purec(bm_u1[i] * BM_TWO_PI);
		bm_out[2 * i] = r * sc.x;
		bm_out[2 * i + 1] = r * sc.y;
	}
}
static void bm_float_pass(void)
{
	for (int i = 0; i < BM_N; i++) {
		float r = sqrtf(-2.0f * Sleef_logf1_u35purec(bm_u0f[i]));
		Sleef_float_2 sc = Sleef_sincosf1_u35purec(bm_u1f[i] * (float)BM_TWO_PI);
		bm_outf[2 * i] = r * sc.x;
		bm_outf[2 * i + 1] = r * sc.y;
	}
}
#endif

/* Philox4x32-10 alone: the rounds on blocks of counters, PH_GROUPS
 * registers in flight, nothing converted or stored but a checksum. Any
 * Box-Muller generator on Philox pays this and the transform, so with the
 * Box-Muller rate above it bounds what the engine's generator can reach
 * (bench.py prints that ceiling). One block per 64-bit lane, as rng_impl.h
 * runs it. */
#define PH_BLOCKS 4096
static unsigned long long ph_sink;
#if defined(__AVX512F__)
#define PH_LANES 8
#define PH_GROUPS 4
typedef __m512i ph_v;
#define PH_SET1(x) _mm512_set1_epi64((long long)(x))
#define PH_MUL(a, b) _mm512_mul_epu32(a, b)
#define PH_HI(a) _mm512_srli_epi64(a, 32)
#define PH_XOR3(a, b, c) _mm512_ternarylogic_epi64(a, b, c, 0x96)
#define PH_ADD(a, b) _mm512_add_epi64(a, b)
#define PH_SUM(a) ((unsigned long long)_mm512_reduce_add_epi64(a))
#elif defined(__AVX2__)
#define PH_LANES 4
#define PH_GROUPS 2
typedef __m256i ph_v;
#define PH_SET1(x) _mm256_set1_epi64x((long long)(x))
#define PH_MUL(a, b) _mm256_mul_epu32(a, b)
#define PH_HI(a) _mm256_srli_epi64(a, 32)
#define PH_XOR3(a, b, c) _mm256_xor_si256(a, _mm256_xor_si256(b, c))
#define PH_ADD(a, b) _mm256_add_epi64(a, b)
#define PH_SUM(a) ((unsigned long long)(_mm256_extract_epi64(a, 0) + _mm256_extract_epi64(a, 3)))
#endif
#ifdef PH_LANES
static void philox_pass(void)
{
	const ph_v m0 = PH_SET1(0xD2511F53u), m1 = PH_SET1(0xCD9E8D57u);
	ph_v k0[10], k1[10], sum = PH_SET1(0);
	for (int r = 0; r < 10; r++) {
		k0[r] = PH_SET1(0x9E3779B9u * (unsigned)r + 1u);
		k1[r] = PH_SET1(0xBB67AE85u * (unsigned)r + 2u);
	}
	for (int b = 0; b < PH_BLOCKS; b += PH_LANES * PH_GROUPS) {
		ph_v c[PH_GROUPS][4];
		for (int g = 0; g < PH_GROUPS; g++) {
			c[g][0] = PH_SET1(b + g);
			c[g][1] = c[g][2] = c[g][3] = PH_SET1(7);
		}
#pragma GCC unroll 10
		for (int r = 0; r < 10; r++)
#pragma GCC unroll 4
			for (int g = 0; g < PH_GROUPS; g++) {
				ph_v p0 = PH_MUL(c[g][0], m0), p1 = PH_MUL(c[g][2], m1);
				c[g][0] = PH_XOR3(PH_HI(p1), c[g][1], k0[r]);
				c[g][1] = p1;
				c[g][2] = PH_XOR3(PH_HI(p0), c[g][3], k1[r]);
				c[g][3] = p0;
			}
		for (int g = 0; g < PH_GROUPS; g++)
			sum = PH_ADD(sum, PH_ADD(PH_ADD(c[g][0], c[g][1]), PH_ADD(c[g][2], c[g][3])));
	}
	ph_sink += PH_SUM(sum);
}
#else
static void philox_pass(void)
{
	const uint32_t key[2] = {1, 2};
	for (uint32_t b = 0; b < PH_BLOCKS; b++) {
		uint32_t ctr[4] = {b, 7, 7, 7}, out[4];
		rng_philox(ctr, key, out);
		ph_sink += out[0] ^ out[3];
	}
}
#endif

static void bm_setup(void)
{
	for (int i = 0; i < BM_N; i++) {
		bm_u0[i] = (i + 0.5) / BM_N;
		bm_u1[i] = (BM_N - i - 0.25) / BM_N;
		bm_u0f[i] = (float)bm_u0[i];
		bm_u1f[i] = (float)bm_u1[i];
	}
}

/* Entry i of an array of doubles, or of floats when single. */
static void put(void *a, size_t i, double v, int single)
{
	if (single)
		((float *)a)[i] = (float)v;
	else
		((double *)a)[i] = v;
}

/* FLOP/s of Z (n x m) = W (n x p) H (p x m) by the BLAS (dgemm or sgemm) or
 * the fused kernel (double or float32, precision = "single"). */
static double gemm_flops(size_t n, size_t p, size_t m, int blas, int single, double seconds)
{
	size_t pad = single ? kernel_pad_single(m) : kernel_pad(m), size = single ? 4 : 8;
	void *W = malloc(n * p * size), *H = malloc(p * pad * size);
	void *Z = malloc(n * pad * size), *b = calloc(n, size);
	uint64_t *active = calloc(n, sizeof *active);
	void *scratch = aligned_alloc(64, (n + 1) * KERNEL_SCRATCH);
	memset(scratch, 0, (n + 1) * KERNEL_SCRATCH);
	for (size_t i = 0; i < n * p; i++)
		put(W, i, (double)(i % 7) - 3.0, single);
	for (size_t i = 0; i < p * pad; i++)
		put(H, i, (double)(i % 5) * 0.1, single);
	double t0 = rl_now(), t;
	size_t reps = 0;
	do {
#ifdef HAVE_BLAS
		if (blas && single)
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m, (int)p,
			            1.0f, W, (int)p, H, (int)pad, 0.0f, Z, (int)pad);
		else if (blas)
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m, (int)p,
			            1.0, W, (int)p, H, (int)pad, 0.0, Z, (int)pad);
		else
#endif
		if (single)
			kernel_dense_single()(W, b, n, p, H, pad, m, Z, pad, active, scratch);
		else
			kernel_dense()(W, b, n, p, H, pad, m, Z, pad, active, scratch);
		reps++;
		t = rl_now() - t0;
	} while (t < seconds);
	(void)blas;
	free(W);
	free(H);
	free(Z);
	free(b);
	free(active);
	free(scratch);
	return 2.0 * (double)n * (double)p * (double)m * (double)reps / t;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 0.5;
#ifdef HAVE_BLAS
	openblas_set_num_threads(1);
#endif
	printf("rng_path %s\n", rng_path_name(rng_get_path()));
	printf("kernel_path %s\n", kernel_path_name(kernel_get_path()));
	printf("variates_per_s %.4g\n", per_second(engine_pass, 64 * 4096, seconds));
	printf("variates_float_per_s %.4g\n", per_second(engine_float_pass, 64 * 4096, seconds));
	bm_setup();
	printf("boxmuller_double_per_s %.4g\n", per_second(bm_double_pass, 2 * BM_N, seconds));
	printf("boxmuller_float_per_s %.4g\n", per_second(bm_float_pass, 2 * BM_N, seconds));
	printf("boxmuller_isa %s\n", BM_ISA);
	printf("philox_blocks_per_s %.4g\n", per_second(philox_pass, PH_BLOCKS, seconds));
	static const struct { const char *name; size_t n, p, m; } shapes[] = {
		{"P1", 4, 4, 64}, {"P2", 64, 64, 256}, {"P4a", 128, 784, 1000}, {"P4b", 128, 128, 1000},
	};
	for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
		size_t n = shapes[s].n, p = shapes[s].p, m = shapes[s].m;
#ifdef HAVE_BLAS
		printf("blas_flops_%s %.4g\n", shapes[s].name, gemm_flops(n, p, m, 1, 0, seconds));
		printf("sgemm_flops_%s %.4g\n", shapes[s].name, gemm_flops(n, p, m, 1, 1, seconds));
#endif
		printf("kernel_flops_%s %.4g\n", shapes[s].name, gemm_flops(n, p, m, 0, 0, seconds));
		printf("kernel_single_flops_%s %.4g\n", shapes[s].name, gemm_flops(n, p, m, 0, 1, seconds));
	}
	return 0;
}

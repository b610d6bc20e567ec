/* kernel_impl.h: the body of the layer kernels, included by kernel.c,
 * kernel_avx2.c and kernel_avx512.c, each compiled with its own ISA flags
 * and with KERNEL_NAME(x) naming its copies. Written with GCC vector
 * extensions so one source serves every ISA. A vector is the ISA's own
 * register (KL doubles: 8 in a zmm, 4 in a ymm, 2 in an xmm or NEON
 * register): vectors wider than the hardware made GCC split them through
 * the stack, and the AVX2 copy spent more instructions moving halves than
 * multiplying. A block is two vectors of points (KB = 2 KL <= KERNEL_BLOCK,
 * so a block never reads past the padded columns).
 * Included only by the SIMD kernel files, where compiler extensions are
 * allowed (see STYLE.md). */
#include <string.h>
#if defined(__AVX__)
#include <immintrin.h>
#endif
#include "kernel.h"

/* The helpers below pass vectors between static inline functions only, so
 * the psABI note about such arguments does not concern us. */
#pragma GCC diagnostic ignored "-Wpsabi"

#if defined(__AVX512F__)
#define KL 8
#elif defined(__AVX__)
#define KL 4
#else
#define KL 2
#endif
#define KB (2 * KL)   /* points per block */

typedef double kvd __attribute__((vector_size(KL * 8)));
typedef long long kvl __attribute__((vector_size(KL * 8)));

#define NEUR 4   /* neurons per register block */

static inline kvd kload(const double *p)
{
	kvd v;
	memcpy(&v, p, sizeof v);
	return v;
}

/* Vectors go by pointer or through macros: passing vectors by value to a
 * function draws psABI notes. */
#define KSTORE(p, v) do { kvd kv_ = (v); memcpy((p), &kv_, sizeof kv_); } while (0)

#if KL == 8
#define KLANES(x) {x, x, x, x, x, x, x, x}
#define KINDEX {0, 1, 2, 3, 4, 5, 6, 7}
#elif KL == 4
#define KLANES(x) {x, x, x, x}
#define KINDEX {0, 1, 2, 3}
#else
#define KLANES(x) {x, x}
#define KINDEX {0, 1}
#endif

static inline kvd ksplat(double x)
{
	return (kvd)KLANES(x);
}

static inline kvl klanes_below(long long k)
{
	const kvl idx = KINDEX;
	kvl kk = KLANES(k);
	return idx < kk;
}

/* Bit t set when lane t of v is non-zero. */
static inline unsigned kmask(const kvl *v)
{
#if defined(__AVX512F__)
	__m512i x = (__m512i)*v;
	return (unsigned)_mm512_test_epi64_mask(x, x);
#elif KL == 4
	return (unsigned)_mm256_movemask_pd((__m256d)*v);
#else
	unsigned m = 0;
	for (int t = 0; t < KL; t++)
		m |= (unsigned)((*v)[t] != 0) << t;
	return m;
#endif
}

/* The epilogue of a vector of KL pre-activations z of neuron j: ReLU(z) to
 * out, and the lanes where z > 0 (and valid) counted for neuron j and OR-ed
 * into the block's alive mask. With AVX-512 the masks are mask registers
 * and the counts scalar popcounts; elsewhere they are vectors of lanes,
 * counted per lane in cnt and summed at the end (kflush_counts). */
#if defined(__AVX512F__)
typedef __mmask8 kmask_t;
#define KZERO ((kmask_t)0)
#define KVALID(len) ((kmask_t)((len) >= 8 ? 0xFFu : (len) <= 0 ? 0u : (1u << (len)) - 1u))
#define KBITS(m) ((unsigned)(m))
#define kepilogue(z, valid, out, j, alive) do { \
		__m512d kz_ = (__m512d)(z); \
		__mmask8 k_ = _mm512_cmp_pd_mask(kz_, _mm512_setzero_pd(), _CMP_GT_OQ) & (valid); \
		active[j] += (uint64_t)__builtin_popcount(k_); \
		(alive) |= k_; \
		_mm512_storeu_pd((out), _mm512_maskz_mov_pd(k_, kz_)); \
	} while (0)
#define KFLUSH() ((void)cnt)
#else
typedef kvl kmask_t;
#define KZERO ((kvl)KLANES(0))
#define KVALID(len) klanes_below((long long)(len))
#define KBITS(m) kmask(&(m))
#define kepilogue(z, valid, out, j, alive) do { \
		kvd kz_ = (z); \
		kvl kpos_ = (kz_ > ksplat(0.0)) & (valid); \
		cnt[j] -= kpos_; \
		(alive) |= kpos_; \
		KSTORE((out), (kvd)((kvl)kz_ & kpos_)); \
	} while (0)
#define KFLUSH() kflush_counts(cnt, n, active)
#endif

/* Keeps the columns of the block at pos whose bit is set in mask, moving
 * them left in place. Which points die is a coin flip per point, so this
 * is written without branches on the mask. */
static void kcompact(double *Hout, size_t ldo, size_t n, size_t pos, unsigned mask, size_t len)
{
	unsigned full = len >= 32 ? 0xFFFFFFFFu : (1u << len) - 1u;
	if ((mask & full) == full)
		return;
#if defined(__AVX512F__)
	/* Compressed in registers and stored whole: a compress straight to
	 * memory is microcoded on AMD's Zen 4 (~100 cycles; perf showed it
	 * taking a sixth of P1's time). The whole stores write past the kept
	 * columns only inside this block's 16 columns, which are free. */
	__mmask8 m0 = (__mmask8)(mask & 0xFFu), m1 = (__mmask8)(mask >> 8);
	int c0 = __builtin_popcount(mask & 0xFFu);
	for (size_t j = 0; j < n; j++) {
		double *row = Hout + j * ldo + pos;
		__m512d a = _mm512_loadu_pd(row), b = _mm512_loadu_pd(row + 8);
		_mm512_storeu_pd(row, _mm512_maskz_compress_pd(m0, a));
		_mm512_storeu_pd(row + c0, _mm512_maskz_compress_pd(m1, b));
	}
#else
	for (size_t j = 0; j < n; j++) {
		double *row = Hout + j * ldo + pos;
		size_t c = 0;
		for (size_t t = 0; t < len; t++) {
			row[c] = row[t];
			c += mask >> t & 1u;
		}
	}
#endif
}

/* Sums the per-lane counts into active[] and clears them. */
#if !defined(__AVX512F__)
static void kflush_counts(kvl *cnt, size_t n, uint64_t *active)
{
	for (size_t j = 0; j < n; j++) {
		long long s = 0;
		for (int t = 0; t < KL; t++)
			s += cnt[j][t];
		active[j] += (uint64_t)s;
		cnt[j] = (kvl)KLANES(0);
	}
}
#endif

/* The per-neuron lane counters (scratch: n vectors, 64-byte aligned, zero on
 * entry and left zero) are summed into active[] at the end. Each lane adds
 * at most one per block, so it cannot overflow. */
size_t KERNEL_NAME(kernel_dense)(const double *W, const double *b, size_t n, size_t p,
                                 const double *Hin, size_t ldi, size_t m,
                                 double *Hout, size_t ldo, uint64_t *active, void *scratch)
{
	kvl *cnt = scratch;
	size_t pos = 0;
	for (size_t blk = 0; blk < m; blk += KB) {
		size_t len = m - blk < KB ? m - blk : KB;
		kmask_t v0 = KVALID((long long)len), v1 = KVALID((long long)len - KL);
		kmask_t alive0 = KZERO, alive1 = KZERO;
		const double *hb = Hin + blk;
		size_t j = 0;
		for (; j + NEUR <= n; j += NEUR) {
			kvd a00 = ksplat(b[j]), a01 = a00, a10 = ksplat(b[j + 1]), a11 = a10;
			kvd a20 = ksplat(b[j + 2]), a21 = a20, a30 = ksplat(b[j + 3]), a31 = a30;
			const double *w0 = W + j * p, *w1 = w0 + p, *w2 = w1 + p, *w3 = w2 + p;
			for (size_t i = 0; i < p; i++) {
				kvd h0 = kload(hb + i * ldi), h1 = kload(hb + i * ldi + KL);
				kvd s0 = ksplat(w0[i]), s1 = ksplat(w1[i]), s2 = ksplat(w2[i]), s3 = ksplat(w3[i]);
				a00 += s0 * h0; a01 += s0 * h1;
				a10 += s1 * h0; a11 += s1 * h1;
				a20 += s2 * h0; a21 += s2 * h1;
				a30 += s3 * h0; a31 += s3 * h1;
			}
			double *o = Hout + j * ldo + pos;
			kepilogue(a00, v0, o, j, alive0);
			kepilogue(a01, v1, o + KL, j, alive1);
			kepilogue(a10, v0, o + ldo, j + 1, alive0);
			kepilogue(a11, v1, o + ldo + KL, j + 1, alive1);
			kepilogue(a20, v0, o + 2 * ldo, j + 2, alive0);
			kepilogue(a21, v1, o + 2 * ldo + KL, j + 2, alive1);
			kepilogue(a30, v0, o + 3 * ldo, j + 3, alive0);
			kepilogue(a31, v1, o + 3 * ldo + KL, j + 3, alive1);
		}
		for (; j < n; j++) {
			kvd a0 = ksplat(b[j]), a1 = a0;
			const double *w = W + j * p;
			for (size_t i = 0; i < p; i++) {
				kvd s = ksplat(w[i]);
				a0 += s * kload(hb + i * ldi);
				a1 += s * kload(hb + i * ldi + KL);
			}
			double *o = Hout + j * ldo + pos;
			kepilogue(a0, v0, o, j, alive0);
			kepilogue(a1, v1, o + KL, j, alive1);
		}
		unsigned mask = KBITS(alive0) | KBITS(alive1) << KL;
		kcompact(Hout, ldo, n, pos, mask, len);
		pos += (size_t)__builtin_popcount(mask);
	}
	KFLUSH();
	return pos;
}

size_t KERNEL_NAME(kernel_finish)(const double *Z, size_t ldz, const double *b, size_t n,
                                  size_t m, double *Hout, size_t ldo, uint64_t *active,
                                  void *scratch)
{
	kvl *cnt = scratch;
	size_t pos = 0;
	for (size_t blk = 0; blk < m; blk += KB) {
		size_t len = m - blk < KB ? m - blk : KB;
		kmask_t v0 = KVALID((long long)len), v1 = KVALID((long long)len - KL);
		kmask_t alive0 = KZERO, alive1 = KZERO;
		for (size_t j = 0; j < n; j++) {
			kvd bj = ksplat(b[j]);
			const double *z = Z + j * ldz + blk;
			double *o = Hout + j * ldo + pos;
			kepilogue(kload(z) + bj, v0, o, j, alive0);
			kepilogue(kload(z + KL) + bj, v1, o + KL, j, alive1);
		}
		unsigned mask = KBITS(alive0) | KBITS(alive1) << KL;
		kcompact(Hout, ldo, n, pos, mask, len);
		pos += (size_t)__builtin_popcount(mask);
	}
	KFLUSH();
	return pos;
}

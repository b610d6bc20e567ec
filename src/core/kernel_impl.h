/* kernel_impl.h: the body of the layer kernels, one source for every ISA
 * and both precisions. Each includer is a three-line file compiled with
 * its ISA's flags, with KERNEL_NAME(x) naming its copies and KERNEL_SINGLE
 * saying the precision: kernel.c and kernel_single.c (any CPU),
 * kernel_avx2.c and kernel_single_avx2.c, kernel_avx512.c and
 * kernel_single_avx512.c. In double it gives kernel_dense and
 * kernel_finish, in float32 (precision = "single") kernel_dense_single.
 *
 * Written with GCC vector extensions so one source serves every ISA. A
 * vector is the ISA's own register (KL numbers: 8 doubles or 16 floats in
 * a zmm, 4 or 8 in a ymm, 2 or 4 in an xmm or NEON register): vectors wider
 * than the hardware made GCC split them through the stack, and the AVX2
 * copy spent more instructions moving halves than multiplying. A block is
 * two vectors of points (KB = 2 KL <= KERNEL_BLOCK or KERNEL_BLOCK_SINGLE,
 * so a block never reads past the padded columns).
 *
 * Every pre-activation is one chain z = b_j, then z = z + w_ji h_i for
 * i = 0 .. p-1 in order: fused multiply-adds (one rounding each) on the
 * AVX2 and AVX-512 copies, written as intrinsics so that no compiler
 * choice changes them, and a product then a sum (two roundings) in the
 * portable copies, which are compiled without contraction. forward.c
 * computes a single-precision net's pre-activations with the same chain
 * (kernel_single_fused says which), so net_death on a replayed trial
 * decides every sign as the Monte Carlo run did. Blocking over neurons and
 * points changes no chain.
 *
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

#ifndef KERNEL_SINGLE
#define KERNEL_SINGLE 0
#endif

/* The precision's number and lane types, its lanes per register (KL) and
 * its intrinsics: K512(op) and K256(op) name the AVX-512 and AVX form of
 * op for this precision (_mm512_op_pd or _mm512_op_ps, ...), K512_CMP_MASK
 * its AVX-512 comparison into a mask. */
#if KERNEL_SINGLE
typedef float kreal;
typedef int klane;
#define K512(op) _mm512_##op##_ps
#define K512_CMP_MASK _mm512_cmp_ps_mask
#define K256(op) _mm256_##op##_ps
#if defined(__AVX512F__)
#define KL 16
#elif defined(__AVX__)
#define KL 8
#else
#define KL 4
#endif
#else
typedef double kreal;
typedef long long klane;
#define K512(op) _mm512_##op##_pd
#define K512_CMP_MASK _mm512_cmp_pd_mask
#define K256(op) _mm256_##op##_pd
#if defined(__AVX512F__)
#define KL 8
#elif defined(__AVX__)
#define KL 4
#else
#define KL 2
#endif
#endif
#define KB (2 * KL)   /* points per block */
#define KFULL ((1u << KL) - 1u)   /* every lane of a vector */

typedef kreal kvd __attribute__((vector_size(KL * sizeof(kreal))));
typedef klane kvl __attribute__((vector_size(KL * sizeof(kreal))));

/* Neurons per register block: 2 x NEUR accumulators, two vectors of points
 * and a broadcast weight stay in registers (32 zmm; 16 ymm or xmm). */
#if KERNEL_SINGLE && KL == 16
#define NEUR 8
#else
#define NEUR 4
#endif

static inline kvd kload(const kreal *p)
{
	kvd v;
	memcpy(&v, p, sizeof v);
	return v;
}

/* Vectors go by pointer or through macros: passing vectors by value to a
 * function draws psABI notes. */
#define KSTORE(p, v) do { kvd kv_ = (v); memcpy((p), &kv_, sizeof kv_); } while (0)

#define KLANES_2(x) x, x
#define KLANES_4(x) KLANES_2(x), KLANES_2(x)
#define KLANES_8(x) KLANES_4(x), KLANES_4(x)
#define KLANES_16(x) KLANES_8(x), KLANES_8(x)
#define KLANES_OF(n, x) KLANES_##n(x)
#define KLANES_N(n, x) KLANES_OF(n, x)
#define KLANES(x) {KLANES_N(KL, x)}   /* x in every lane */

static inline kvd ksplat(kreal x)
{
	return (kvd)KLANES(x);
}

/* acc + s h, fused where the ISA has FMA (see the top of the file). */
#if defined(__AVX512F__)
#define KFMA(acc, s, h) ((kvd)K512(fmadd)(s, h, acc))
#elif defined(__AVX__)
#define KFMA(acc, s, h) ((kvd)K256(fmadd)(s, h, acc))
#else
#define KFMA(acc, s, h) ((acc) + (s) * (h))
#endif

static inline kvl klanes_below(klane k)
{
	kvl idx;
	for (int t = 0; t < KL; t++)
		idx[t] = t;
	return idx < k;
}

/* Bit t set when lane t of v is non-zero. */
static inline unsigned kmask(const kvl *v)
{
#if defined(__AVX__) && !defined(__AVX512F__)
	return (unsigned)K256(movemask)((kvd)*v);
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
#if KERNEL_SINGLE
typedef __mmask16 kmask_t;
#else
typedef __mmask8 kmask_t;
#endif
#define KZERO ((kmask_t)0)
#define KVALID(len) ((kmask_t)((len) >= KL ? KFULL : (len) <= 0 ? 0u : (1u << (len)) - 1u))
#define KBITS(m) ((unsigned)(m))
#define kepilogue(z, valid, out, j, alive) do { \
		kvd kz_ = (z); \
		kmask_t k_ = K512_CMP_MASK(kz_, K512(setzero)(), _CMP_GT_OQ) & (valid); \
		active[j] += (uint64_t)__builtin_popcount(k_); \
		(alive) |= k_; \
		K512(storeu)((out), K512(maskz_mov)(k_, kz_)); \
	} while (0)
#define KFLUSH() ((void)cnt)
#else
typedef kvl kmask_t;
#define KZERO ((kvl)KLANES(0))
#define KVALID(len) klanes_below((klane)(len))
#define KBITS(m) kmask(&(m))
#define kepilogue(z, valid, out, j, alive) do { \
		kvd kz_ = (z); \
		kvl kpos_ = (kz_ > ksplat(0)) & (valid); \
		cnt[j] -= kpos_; \
		(alive) |= kpos_; \
		KSTORE((out), (kvd)((kvl)kz_ & kpos_)); \
	} while (0)
#define KFLUSH() kflush_counts(cnt, n, active)

/* Sums the per-lane counts into active[] and clears them. */
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

/* Keeps the columns of the block at pos whose bit is set in mask, moving
 * them left in place. Which points die is a coin flip per point, so this
 * is written without branches on the mask. */
static void kcompact(kreal *Hout, size_t ldo, size_t n, size_t pos, unsigned mask, size_t len)
{
	unsigned full = len >= 32 ? 0xFFFFFFFFu : (1u << len) - 1u;
	if ((mask & full) == full)
		return;
#if defined(__AVX512F__)
	/* Compressed in registers and stored whole: a compress straight to
	 * memory is microcoded on AMD's Zen 4 (~100 cycles; perf showed it
	 * taking a sixth of P1's time). The whole stores write past the kept
	 * columns only inside this block's KB columns, which are free. */
	kmask_t m0 = (kmask_t)(mask & KFULL), m1 = (kmask_t)(mask >> KL);
	int c0 = __builtin_popcount(mask & KFULL);
	for (size_t j = 0; j < n; j++) {
		kreal *row = Hout + j * ldo + pos;
		kvd a = (kvd)K512(loadu)(row), b = (kvd)K512(loadu)(row + KL);
		K512(storeu)(row, K512(maskz_compress)(m0, a));
		K512(storeu)(row + c0, K512(maskz_compress)(m1, b));
	}
#else
	for (size_t j = 0; j < n; j++) {
		kreal *row = Hout + j * ldo + pos;
		size_t c = 0;
		for (size_t t = 0; t < len; t++) {
			row[c] = row[t];
			c += mask >> t & 1u;
		}
	}
#endif
}

/* A block of points, columns blk .. blk + len - 1 of the input: the valid
 * lanes of its two vectors, and the lanes some neuron finds alive (the
 * epilogues OR them in). */
typedef struct kblock {
	size_t len;
	kmask_t valid0, valid1, alive0, alive1;
} kblock;

static inline kblock kblock_start(size_t blk, size_t m)
{
	size_t len = m - blk < KB ? m - blk : KB;
	kblock bk = {len, KVALID((klane)len), KVALID((klane)len - KL), KZERO, KZERO};
	return bk;
}

/* Keeps the block's living points, compacted from column pos of Hout (n
 * rows); returns the next free column. */
static inline size_t kblock_keep(const kblock *bk, kreal *Hout, size_t ldo, size_t n, size_t pos)
{
	unsigned mask = KBITS(bk->alive0) | KBITS(bk->alive1) << KL;
	kcompact(Hout, ldo, n, pos, mask, bk->len);
	return pos + (size_t)__builtin_popcount(mask);
}

/* acc0[k] and acc1[k] = the pre-activations of neuron j + k (k < NEUR)
 * at the block's two vectors of points hb: each the chain b_j, then
 * + w_ji h_i for i = 0 .. p - 1 (see the top of the file). */
static inline __attribute__((always_inline))
void kchains(const kreal *W, const kreal *b, size_t j, size_t p, const kreal *hb, size_t ldi,
             kvd *acc0, kvd *acc1)
{
#pragma GCC unroll 8
	for (int k = 0; k < NEUR; k++)
		acc0[k] = acc1[k] = ksplat(b[j + (size_t)k]);
	const kreal *w = W + j * p;
	for (size_t i = 0; i < p; i++) {
		kvd h0 = kload(hb + i * ldi), h1 = kload(hb + i * ldi + KL);
#pragma GCC unroll 8
		for (int k = 0; k < NEUR; k++) {
			kvd s = ksplat(w[(size_t)k * p + i]);
			acc0[k] = KFMA(acc0[k], s, h0);
			acc1[k] = KFMA(acc1[k], s, h1);
		}
	}
}

/* The same chain for neuron j alone. */
static inline __attribute__((always_inline))
void kchain(const kreal *W, const kreal *b, size_t j, size_t p, const kreal *hb, size_t ldi,
            kvd *a0, kvd *a1)
{
	kvd x0 = ksplat(b[j]), x1 = x0;
	const kreal *w = W + j * p;
	for (size_t i = 0; i < p; i++) {
		kvd s = ksplat(w[i]);
		x0 = KFMA(x0, s, kload(hb + i * ldi));
		x1 = KFMA(x1, s, kload(hb + i * ldi + KL));
	}
	*a0 = x0;
	*a1 = x1;
}

/* The outputs of neuron j at a block, a0 and a1 its two vectors of
 * pre-activations: stored as they are at column col of row (raw), or
 * through the epilogue (ReLU, counts, the block's alive masks). */
#define KOUT(raw, a0, a1, row, col, j, bk) do { \
		if (raw) { \
			KSTORE((row) + (col), a0); \
			KSTORE((row) + (col) + KL, a1); \
		} else { \
			kepilogue(a0, (bk).valid0, (row) + (col), j, (bk).alive0); \
			kepilogue(a1, (bk).valid1, (row) + (col) + KL, j, (bk).alive1); \
		} \
	} while (0)

/* One loop for the fused layer (raw = 0: kernel_dense and
 * kernel_dense_single) and for the pre-activations alone (raw = 1:
 * kernel_preact_single, Z = W H + b stored whole blocks at a time into
 * Hout), so that both compute the same chains; raw is a constant in each
 * caller. Returns the living points (raw: m). */
static inline __attribute__((always_inline))
size_t klayer(int raw, const kreal *W, const kreal *b, size_t n, size_t p, const kreal *Hin,
              size_t ldi, size_t m, kreal *Hout, size_t ldo, uint64_t *active, kvl *cnt)
{
	size_t pos = 0;
	(void)cnt;   /* unused where the counts are popcounts or raw */
	(void)active;
	for (size_t blk = 0; blk < m; blk += KB) {
		kblock bk = kblock_start(blk, m);
		const kreal *hb = Hin + blk;
		size_t col = raw ? blk : pos, j = 0;
		for (; j + NEUR <= n; j += NEUR) {
			kvd acc0[NEUR], acc1[NEUR];
			kchains(W, b, j, p, hb, ldi, acc0, acc1);
#pragma GCC unroll 8
			for (int k = 0; k < NEUR; k++)
				KOUT(raw, acc0[k], acc1[k], Hout + (j + (size_t)k) * ldo, col, j + (size_t)k, bk);
		}
		for (; j < n; j++) {
			kvd a0, a1;
			kchain(W, b, j, p, hb, ldi, &a0, &a1);
			KOUT(raw, a0, a1, Hout + j * ldo, col, j, bk);
		}
		pos = raw ? blk + KB : kblock_keep(&bk, Hout, ldo, n, pos);
	}
	return raw ? m : pos;
}

#if KERNEL_SINGLE
#define KERNEL_DENSE KERNEL_NAME(kernel_dense_single)
#else
#define KERNEL_DENSE KERNEL_NAME(kernel_dense)
#endif

/* The per-neuron lane counters (scratch: n vectors, 64-byte aligned, zero on
 * entry and left zero) are summed into active[] at the end. Each lane adds
 * at most one per block, so it cannot overflow. */
size_t KERNEL_DENSE(const kreal *W, const kreal *b, size_t n, size_t p,
                    const kreal *Hin, size_t ldi, size_t m,
                    kreal *Hout, size_t ldo, uint64_t *active, void *scratch)
{
	kvl *cnt = scratch;
	size_t pos = klayer(0, W, b, n, p, Hin, ldi, m, Hout, ldo, active, cnt);
	KFLUSH();
	return pos;
}

#if KERNEL_SINGLE
/* The pre-activations alone: Z = W H + b, n rows of m columns (ldz; whole
 * blocks are written, so kernel_pad_single(m) columns), each the chain the
 * fused kernel above computes. A single-precision net's reference
 * evaluation (forward.c) multiplies here, so it decides every sign as the
 * Monte Carlo kernel does, at the kernel's speed. */
void KERNEL_NAME(kernel_preact_single)(const float *W, const float *b, size_t n, size_t p,
                                       const float *Hin, size_t ldi, size_t m, float *Z, size_t ldz)
{
	klayer(1, W, b, n, p, Hin, ldi, m, Z, ldz, NULL, NULL);
}
#endif

#if !KERNEL_SINGLE
/* Only the double path multiplies a layer through BLAS (mc_eval.c). */
size_t KERNEL_NAME(kernel_finish)(const double *Z, size_t ldz, const double *b, size_t n,
                                  size_t m, double *Hout, size_t ldo, uint64_t *active,
                                  void *scratch)
{
	kvl *cnt = scratch;
	size_t pos = 0;
	for (size_t blk = 0; blk < m; blk += KB) {
		kblock bk = kblock_start(blk, m);
		for (size_t j = 0; j < n; j++) {
			kvd bj = ksplat(b[j]);
			const double *z = Z + j * ldz + blk;
			double *o = Hout + j * ldo + pos;
			kepilogue(kload(z) + bj, bk.valid0, o, j, bk.alive0);
			kepilogue(kload(z + KL) + bj, bk.valid1, o + KL, j, bk.alive1);
		}
		pos = kblock_keep(&bk, Hout, ldo, n, pos);
	}
	KFLUSH();
	return pos;
}
#endif

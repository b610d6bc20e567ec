/* kernel_single_impl.h: the float32 layer kernel (precision = "single"),
 * included after kernel_impl.h by kernel.c, kernel_avx2.c and
 * kernel_avx512.c, each compiled with its own ISA flags and KERNEL_NAME(x)
 * naming its copy. The same fused step as kernel_impl.h's double kernel
 * (pre-activation, ReLU, death test and compaction in registers) on vectors
 * of SL floats: 16 in a zmm, 8 in a ymm, 4 in an xmm or NEON register.
 *
 * Every pre-activation is one chain z = b_j, then z = z + w_ji h_i for
 * i = 0 .. p-1 in order: fused multiply-adds (one rounding each) on the
 * AVX2 and AVX-512 copies, written as intrinsics so that no compiler
 * choice changes them, and a product then a sum (two roundings) in the
 * portable copy, which is compiled without contraction. forward.c computes
 * a single-precision net's pre-activations with the same chain
 * (kernel_single_fused says which), so net_death on a replayed trial
 * decides every sign as the Monte Carlo run did. Blocking over neurons and
 * points changes no chain. Float buffers are padded to kernel_pad_single(m)
 * columns. Included only by the SIMD kernel files, where compiler
 * extensions are allowed (see STYLE.md). */

#if defined(__AVX512F__)
#define SL 16
#elif defined(__AVX__)
#define SL 8
#else
#define SL 4
#endif
#define SB (2 * SL)   /* points per block: KERNEL_BLOCK_SINGLE at most */
/* Neurons per register block: 2 x SNEUR accumulators, two vectors of points
 * and a broadcast weight stay in registers (32 zmm; 16 ymm or xmm). */
#if SL == 16
#define SNEUR 8
#else
#define SNEUR 4
#endif

typedef float svf __attribute__((vector_size(SL * 4)));
typedef int svi __attribute__((vector_size(SL * 4)));

static inline svf sload(const float *p)
{
	svf v;
	memcpy(&v, p, sizeof v);
	return v;
}

#define SSTORE(p, v) do { svf sv_ = (v); memcpy((p), &sv_, sizeof sv_); } while (0)

#if SL == 16
#define SLANES(x) {x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x}
#elif SL == 8
#define SLANES(x) {x, x, x, x, x, x, x, x}
#else
#define SLANES(x) {x, x, x, x}
#endif

static inline svf ssplat(float x)
{
	return (svf)SLANES(x);
}

#if defined(__AVX512F__)
#define SFMA(a, s, h) ((svf)_mm512_fmadd_ps((__m512)(s), (__m512)(h), (__m512)(a)))
#elif defined(__AVX__)
#define SFMA(a, s, h) ((svf)_mm256_fmadd_ps((__m256)(s), (__m256)(h), (__m256)(a)))
#else
#define SFMA(a, s, h) ((a) + (s) * (h))
#endif

static inline svi slanes_below(int k)
{
	svi idx;
	for (int t = 0; t < SL; t++)
		idx[t] = t;
	return idx < k;
}

/* As kernel_impl.h's kepilogue, for SL floats. */
#if defined(__AVX512F__)
typedef __mmask16 smask_t;
#define SZERO ((smask_t)0)
#define SVALID(len) ((smask_t)((len) >= 16 ? 0xFFFFu : (len) <= 0 ? 0u : (1u << (len)) - 1u))
#define SBITS(m) ((unsigned)(m))
#define sepilogue(z, valid, out, j, alive) do { \
		__m512 sz_ = (__m512)(z); \
		__mmask16 k_ = _mm512_cmp_ps_mask(sz_, _mm512_setzero_ps(), _CMP_GT_OQ) & (valid); \
		active[j] += (uint64_t)__builtin_popcount(k_); \
		(alive) |= k_; \
		_mm512_storeu_ps((out), _mm512_maskz_mov_ps(k_, sz_)); \
	} while (0)
#define SFLUSH() ((void)cnt)
#else
static inline unsigned smask(const svi *v)
{
#if defined(__AVX__)
	return (unsigned)_mm256_movemask_ps((__m256)*v);
#else
	unsigned m = 0;
	for (int t = 0; t < SL; t++)
		m |= (unsigned)((*v)[t] != 0) << t;
	return m;
#endif
}
typedef svi smask_t;
#define SZERO ((svi){0})
#define SVALID(len) slanes_below((int)(len))
#define SBITS(m) smask(&(m))
#define sepilogue(z, valid, out, j, alive) do { \
		svf sz_ = (z); \
		svi spos_ = (sz_ > (svf){0}) & (valid); \
		cnt[j] -= spos_; \
		(alive) |= spos_; \
		SSTORE((out), (svf)((svi)sz_ & spos_)); \
	} while (0)
#define SFLUSH() sflush_counts(cnt, n, active)

/* Sums the per-lane counts into active[] and clears them. A lane adds at
 * most one per block of SB points, so an int holds it. */
static void sflush_counts(svi *cnt, size_t n, uint64_t *active)
{
	for (size_t j = 0; j < n; j++) {
		long long s = 0;
		for (int t = 0; t < SL; t++)
			s += cnt[j][t];
		active[j] += (uint64_t)s;
		cnt[j] = (svi){0};
	}
}
#endif

/* kcompact for floats: keeps the block's columns whose bit is set. */
static void scompact(float *Hout, size_t ldo, size_t n, size_t pos, unsigned mask, size_t len)
{
	unsigned full = len >= 32 ? 0xFFFFFFFFu : (1u << len) - 1u;
	if ((mask & full) == full)
		return;
#if defined(__AVX512F__)
	__mmask16 m0 = (__mmask16)(mask & 0xFFFFu), m1 = (__mmask16)(mask >> 16);
	int c0 = __builtin_popcount(mask & 0xFFFFu);
	for (size_t j = 0; j < n; j++) {
		float *row = Hout + j * ldo + pos;
		__m512 a = _mm512_loadu_ps(row), b = _mm512_loadu_ps(row + 16);
		_mm512_mask_compressstoreu_ps(row, m0, a);
		_mm512_mask_compressstoreu_ps(row + c0, m1, b);
	}
#else
	for (size_t j = 0; j < n; j++) {
		float *row = Hout + j * ldo + pos;
		size_t c = 0;
		for (size_t t = 0; t < len; t++) {
			row[c] = row[t];
			c += mask >> t & 1u;
		}
	}
#endif
}

size_t KERNEL_NAME(kernel_dense_single)(const float *W, const float *b, size_t n, size_t p,
                                        const float *Hin, size_t ldi, size_t m,
                                        float *Hout, size_t ldo, uint64_t *active, void *scratch)
{
	svi *cnt = scratch;
	size_t pos = 0;
	for (size_t blk = 0; blk < m; blk += SB) {
		size_t len = m - blk < SB ? m - blk : SB;
		smask_t v0 = SVALID((int)len), v1 = SVALID((int)len - SL);
		smask_t alive0 = SZERO, alive1 = SZERO;
		const float *hb = Hin + blk;
		size_t j = 0;
		for (; j + SNEUR <= n; j += SNEUR) {
			svf acc0[SNEUR], acc1[SNEUR];
#pragma GCC unroll 8
			for (int k = 0; k < SNEUR; k++)
				acc0[k] = acc1[k] = ssplat(b[j + k]);
			const float *w = W + j * p;
			for (size_t i = 0; i < p; i++) {
				svf h0 = sload(hb + i * ldi), h1 = sload(hb + i * ldi + SL);
#pragma GCC unroll 8
				for (int k = 0; k < SNEUR; k++) {
					svf s = ssplat(w[(size_t)k * p + i]);
					acc0[k] = SFMA(acc0[k], s, h0);
					acc1[k] = SFMA(acc1[k], s, h1);
				}
			}
#pragma GCC unroll 8
			for (int k = 0; k < SNEUR; k++) {
				float *o = Hout + (j + (size_t)k) * ldo + pos;
				sepilogue(acc0[k], v0, o, j + (size_t)k, alive0);
				sepilogue(acc1[k], v1, o + SL, j + (size_t)k, alive1);
			}
		}
		for (; j < n; j++) {
			svf a0 = ssplat(b[j]), a1 = a0;
			const float *w = W + j * p;
			for (size_t i = 0; i < p; i++) {
				svf s = ssplat(w[i]);
				a0 = SFMA(a0, s, sload(hb + i * ldi));
				a1 = SFMA(a1, s, sload(hb + i * ldi + SL));
			}
			float *o = Hout + j * ldo + pos;
			sepilogue(a0, v0, o, j, alive0);
			sepilogue(a1, v1, o + SL, j, alive1);
		}
		unsigned mask = SBITS(alive0) | SBITS(alive1) << SL;
		scompact(Hout, ldo, n, pos, mask, len);
		pos += (size_t)__builtin_popcount(mask);
	}
	SFLUSH();
	return pos;
}

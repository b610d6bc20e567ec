/* mc_small_impl.h: the body of mc_small_avx512.c's step, included once
 * per element type (double, float) with SMALL_FN naming the copy, SMALL_T
 * the element, SMALL_V and SMALL_MASK its vector and mask, SMALL_LANES
 * the points a vector holds and SMALL_* the intrinsics; it undefines them
 * all at its end. Included only by that SIMD file (see STYLE.md).
 *
 * One vector of points at a time: pre-activations of the n neurons (the
 * chain z = b_j, then z = fma(w_ji, h_i, z) for i = 0 .. p-1, as the
 * general kernels compute it), the points where each is positive (and the
 * lane holds a point: one of the first `slots` columns), and the
 * survivors (some neuron positive). With compact, the survivors are
 * compressed to the left and stored at pos (a whole vector: the lanes past
 * them lie inside this block of the padded row, free until a later block
 * overwrites them); without, every column stays where it is and a dead
 * point's is all zeros (mc_small.c says when that is exact). Returns the
 * survivors. The activity counts are scalar popcounts of the masks: the
 * vector pipes are the busy ones (multiply-adds, compares, compresses),
 * the integer ones are idle. */

SMALL_INLINE size_t SMALL_FN(const SMALL_T *W, const SMALL_T *b, const size_t n, size_t p,
                             const SMALL_T *Hin, size_t ldi, size_t slots, SMALL_T *Hout, size_t ldo,
                             uint64_t *active, const int compact)
{
	uint64_t cnt[MC_SMALL_WIDTH];
	const SMALL_V zero = SMALL_ZERO();
#pragma GCC unroll 8
	for (size_t j = 0; j < n; j++)
		cnt[j] = 0;
	size_t pos = 0;
	for (size_t blk = 0; blk < slots; blk += SMALL_LANES) {
		size_t len = slots - blk;
		SMALL_MASK valid = len >= SMALL_LANES ? (SMALL_MASK)~0u : (SMALL_MASK)((1u << len) - 1u);
		SMALL_V acc[MC_SMALL_WIDTH];
#pragma GCC unroll 8
		for (size_t j = 0; j < n; j++)
			acc[j] = SMALL_SET1(b[j]);
		for (size_t i = 0; i < p; i++) {
			SMALL_V h = SMALL_LOADU(Hin + i * ldi + blk);
#pragma GCC unroll 8
			for (size_t j = 0; j < n; j++)
				acc[j] = SMALL_FMADD(SMALL_SET1(W[j * p + i]), h, acc[j]);
		}
		SMALL_MASK k[MC_SMALL_WIDTH], any = 0;
#pragma GCC unroll 8
		for (size_t j = 0; j < n; j++) {
			k[j] = SMALL_CMP_MASK(valid, acc[j], zero, _CMP_GT_OQ);
			any |= k[j];
			cnt[j] += (uint64_t)__builtin_popcount(k[j]);
		}
		if (compact) {
#pragma GCC unroll 8
			for (size_t j = 0; j < n; j++)
				SMALL_STOREU(Hout + j * ldo + pos, SMALL_COMPRESS(any, SMALL_MASKZ_MOV(k[j], acc[j])));
		} else {
#pragma GCC unroll 8
			for (size_t j = 0; j < n; j++)
				SMALL_STOREU(Hout + j * ldo + blk, SMALL_MASKZ_MOV(k[j], acc[j]));
		}
		pos += (size_t)__builtin_popcount(any);
	}
#pragma GCC unroll 8
	for (size_t j = 0; j < n; j++)
		active[j] += cnt[j];
	return pos;
}

#undef SMALL_FN
#undef SMALL_T
#undef SMALL_V
#undef SMALL_MASK
#undef SMALL_LANES
#undef SMALL_SET1
#undef SMALL_ZERO
#undef SMALL_LOADU
#undef SMALL_STOREU
#undef SMALL_FMADD
#undef SMALL_CMP_MASK
#undef SMALL_MASKZ_MOV
#undef SMALL_COMPRESS

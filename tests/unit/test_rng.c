/* test_rng.c: the counter-based RNG (relush/rng.h). Philox known answers,
 * the counter layout and the block-to-variate mapping, independence from
 * batch sizes, distinct streams, bit-identical SIMD and scalar paths, and
 * moment and Kolmogorov-Smirnov checks of the three laws (fixed seeds,
 * tolerances of 4 standard errors), that many streams drawn at once
 * (rng_normal_streams, rng_normal_streams_float) equal one call per
 * stream, and that the RNG and the
 * layer kernels offer exactly the paths the CPU features (cpu.c) and the
 * build allow. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "relush/rng.h"
#include "core/cpu.h"
#include "core/kernel.h"
#include "tap.h"

typedef void fill_fn(rl_rng *r, double *out, size_t n);

static const struct law {
	const char *name;
	fill_fn *fill;
} laws[] = {
	{ "normal", rng_normal },
	{ "uniform", rng_uniform },
	{ "laplace", rng_laplace },
};
#define NLAWS (sizeof laws / sizeof laws[0])

static void *xmalloc(size_t bytes)
{
	void *p = malloc(bytes);
	if (!p) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	return p;
}

/* ---- Philox and the counter layout */

static void test_known_answers(void)
{
	/* Random123's kat_vectors for philox4x32_10: ctr, key -> out. */
	static const uint32_t kat[3][10] = {
		{ 0, 0, 0, 0, 0, 0,
		  0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 },
		{ 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
		  0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd },
		{ 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
		  0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 },
	};
	for (int t = 0; t < 3; t++) {
		uint32_t out[4];
		rng_philox(kat[t], kat[t] + 4, out);
		tap_ok(memcmp(out, kat[t] + 6, sizeof out) == 0,
		       "philox4x32-10 known answer %d (%08x %08x %08x %08x)",
		       t + 1, out[0], out[1], out[2], out[3]);
	}
}

static void test_layout(void)
{
	rl_rng r;
	rng_init(&r, 0x0123456789abcdefull, 0xfedcba9876543210ull, 77);
	tap_ok(r.key[0] == 0x89abcdef && r.key[1] == 0x01234567,
	       "key = seed (low 32 bits, high 32 bits)");
	tap_ok(r.ctr[0] == 0 && r.ctr[1] == 77 && r.ctr[2] == 0x76543210 && r.ctr[3] == 0xfedcba98,
	       "ctr = (block 0, stream, trial low, trial high)");
	double v[5];
	rng_normal(&r, v, 5);
	tap_ok(r.ctr[0] == 3, "5 variates advance the stream by 3 blocks");
	rng_uniform(&r, v, 4);
	tap_ok(r.ctr[0] == 5, "4 more advance it by 2");
	rng_laplace(&r, v, 0);
	tap_ok(r.ctr[0] == 5, "0 variates do not advance it");
}

/* The documented mapping from a block to variates, recomputed here from
 * rng_philox with libm. */
static double word_u01(uint32_t lo, uint32_t hi)
{
	uint64_t k = (((uint64_t)hi << 32) | lo) >> 11;
	return k == 0 ? 0x1p-54 : (double)k * 0x1p-53;
}

static void test_mapping(void)
{
	enum { BLOCKS = 64 };
	rl_rng r;
	double uni[2 * BLOCKS], nor[2 * BLOCKS], lap[2 * BLOCKS];
	rng_init(&r, 42, 3, 9);
	rng_uniform(&r, uni, 2 * BLOCKS);
	rng_init(&r, 42, 3, 9);
	rng_normal(&r, nor, 2 * BLOCKS);
	rng_init(&r, 42, 3, 9);
	rng_laplace(&r, lap, 2 * BLOCKS);
	int uni_ok = 1, nor_ok = 1, lap_ok = 1;
	uint32_t ctr[4] = { 0, 9, 3, 0 }, key[2] = { 42, 0 }, x[4];
	for (int b = 0; b < BLOCKS; b++, ctr[0]++) {
		rng_philox(ctr, key, x);
		double u0 = word_u01(x[0], x[1]), u1 = word_u01(x[2], x[3]);
		uni_ok &= uni[2 * b] == u0 && uni[2 * b + 1] == u1;
		/* Box-Muller: radius^2 = -2 log u0 and angle 2 pi u1 */
		double z0 = nor[2 * b], z1 = nor[2 * b + 1];
		double r2 = -2 * log(u0), angle = atan2(z1, z0);
		if (angle < 0)
			angle += 2 * M_PI;
		nor_ok &= fabs(z0 * z0 + z1 * z1 - r2) <= 1e-13 * r2 &&
		          fabs(angle - 2 * M_PI * u1) <= 1e-12;
		/* Laplace: magnitude -log u, negative when bit 0 of the word is set */
		double m0 = -log(u0), m1 = -log(u1);
		lap_ok &= fabs(fabs(lap[2 * b]) - m0) <= 1e-15 * m0 &&
		          fabs(fabs(lap[2 * b + 1]) - m1) <= 1e-15 * m1 &&
		          (signbit(lap[2 * b]) != 0) == (int)(x[0] & 1) &&
		          (signbit(lap[2 * b + 1]) != 0) == (int)(x[2] & 1);
	}
	tap_ok(uni_ok, "uniform variates are the top 53 bits of each 64-bit word times 2^-53");
	tap_ok(nor_ok, "normal variates are Box-Muller on the block's two uniforms");
	tap_ok(lap_ok, "laplace variates are -log u with the sign from bit 0 of the word");
}

/* ---- streams and batches */

/* Variates are a pure function of block positions: a call of n variates
 * starting at block b returns variates 2b .. 2b+n-1 of the stream. */
static void test_batches(void)
{
	static const size_t sizes[] = { 7, 1, 10, 3, 2, 5, 0, 8, 13, 4, 31, 6, 17, 9, 40, 2, 1, 64 };
	enum { TOTAL = 512 };
	for (size_t l = 0; l < NLAWS; l++) {
		double whole[TOTAL], part[TOTAL];
		rl_rng r;
		rng_init(&r, 2024, 5, RNG_STREAM_WEIGHTS(3));
		laws[l].fill(&r, whole, TOTAL);
		rng_init(&r, 2024, 5, RNG_STREAM_WEIGHTS(3));
		int ok = 1;
		size_t block = 0;
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			laws[l].fill(&r, part, sizes[s]);
			ok &= memcmp(part, whole + 2 * block, sizes[s] * sizeof(double)) == 0;
			block += (sizes[s] + 1) / 2;
			ok &= r.ctr[0] == block;
		}
		tap_ok(ok, "%s: each batch of odd or even size continues at the next block", laws[l].name);

		rng_init(&r, 2024, 5, RNG_STREAM_WEIGHTS(3));
		laws[l].fill(&r, part, 10);
		laws[l].fill(&r, part + 10, 8);
		laws[l].fill(&r, part + 18, 4);
		tap_ok(memcmp(part, whole, 22 * sizeof(double)) == 0,
		       "%s: fills of 10, 8 and 4 equal one fill of 22", laws[l].name);

		rng_init(&r, 2024, 5, RNG_STREAM_WEIGHTS(3));
		r.ctr[0] = 100;
		laws[l].fill(&r, part, 9);
		tap_ok(memcmp(part, whole + 200, 9 * sizeof(double)) == 0,
		       "%s: starting at block 100 gives variates 200.. of the stream", laws[l].name);
	}
}

static void test_names(void)
{
	static const struct { uint64_t seed, trial; uint32_t stream; } names[] = {
		{ 1, 0, 0 }, { 2, 0, 0 }, { 1ull << 32 | 1, 0, 0 },
		{ 1, 1, 0 }, { 1, 1ull << 32, 0 }, { 1, 0, 1 }, { 1, 0, RNG_STREAM_BIAS(1) },
		{ 1, 0, RNG_STREAM_INPUTS },
	};
	enum { NNAMES = sizeof names / sizeof names[0], N = 16 };
	double v[NNAMES][N], again[N];
	for (int i = 0; i < NNAMES; i++) {
		rl_rng r;
		rng_init(&r, names[i].seed, names[i].trial, names[i].stream);
		rng_normal(&r, v[i], N);
	}
	int differ = 1;
	for (int i = 0; i < NNAMES; i++)
		for (int j = i + 1; j < NNAMES; j++)
			for (int k = 0; k < N; k++)
				differ &= v[i][k] != v[j][k];
	tap_ok(differ, "streams differing in seed, seed high word, trial, trial high word or "
	       "stream id share no variate");
	int same = 1;
	for (int i = 0; i < NNAMES; i++) {
		rl_rng r;
		rng_init(&r, names[i].seed, names[i].trial, names[i].stream);
		rng_normal(&r, again, N);
		same &= memcmp(again, v[i], sizeof again) == 0;
	}
	tap_ok(same, "the same (seed, trial, stream) gives the same variates");
}

/* ---- SIMD paths against the scalar path */

static int64_t ulps(double a, double b)
{
	int64_t ia, ib;
	memcpy(&ia, &a, sizeof ia);
	memcpy(&ib, &b, sizeof ib);
	if (ia < 0)
		ia = INT64_MIN - ia;
	if (ib < 0)
		ib = INT64_MIN - ib;
	return ia > ib ? ia - ib : ib - ia;
}

/* Fills n variates with path p into a guarded buffer at out + offset. */
static int fill_with(rng_path p, const struct law *law, rl_rng r, double *buf, size_t offset,
                     size_t n, uint32_t *end_block)
{
	const double guard = -12345.0;
	for (size_t i = 0; i < n + offset + 8; i++)
		buf[i] = guard;
	rng_set_path(p);
	law->fill(&r, buf + offset, n);
	*end_block = r.ctr[0];
	for (size_t i = 0; i < offset; i++)
		if (buf[i] != guard)
			return 0;
	for (size_t i = offset + n; i < offset + n + 8; i++)
		if (buf[i] != guard)
			return 0;
	return 1;
}

static void test_paths(void)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33,
		63, 64, 65, 100, 127, 1001, 4096, 100003 };
	static const struct { uint64_t seed, trial; uint32_t stream, block; } names[] = {
		{ 0, 0, 0, 0 }, { 12345, 7, RNG_STREAM_WEIGHTS(1), 0 },
		{ 0xdeadbeefcafef00dull, 1ull << 40, RNG_STREAM_BIAS(9), 3 },
		{ 99, 123456789, RNG_STREAM_INPUTS, 0xfffffff0u },   /* wraps past 2^32 */
		{ 1ull << 63, ~0ull, 0xffffffffu, 1000001 },
	};
	enum { MAXN = 100003, PAD = 16 };
	double *want = xmalloc((MAXN + PAD) * sizeof *want);
	double *got = xmalloc((MAXN + PAD) * sizeof *got);

	tap_ok(rng_set_path(RNG_PATH_SCALAR) == 0 && rng_get_path() == RNG_PATH_SCALAR,
	       "the scalar path is always available");
	tap_ok(rng_set_path((rng_path)42) == -1, "an unknown path is refused");
	for (rng_path p = RNG_PATH_AVX2; p <= RNG_PATH_AVX512; p++) {
		if (rng_set_path(p) != 0) {
			tap_ok(rng_get_path() != p, "# SKIP %s path: not available on this CPU/build",
			       rng_path_name(p));
			continue;
		}
		int cases = 0, equal = 0, guards = 1, counters = 1;
		int64_t worst = 0;
		for (size_t l = 0; l < NLAWS; l++)
			for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
				for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
					size_t n = sizes[s], offset = (k + s) % 4;
					rl_rng r;
					uint32_t end_scalar, end_simd;
					rng_init(&r, names[k].seed, names[k].trial, names[k].stream);
					r.ctr[0] = names[k].block;
					guards &= fill_with(RNG_PATH_SCALAR, &laws[l], r, want, 0, n, &end_scalar);
					guards &= fill_with(p, &laws[l], r, got, offset, n, &end_simd);
					counters &= end_scalar == end_simd;
					cases++;
					if (memcmp(want, got + offset, n * sizeof *want) == 0)
						equal++;
					for (size_t i = 0; i < n; i++) {
						int64_t d = ulps(want[i], got[offset + i]);
						worst = d > worst ? d : worst;
					}
				}
		tap_diag("%s vs scalar: %d of %d fills identical, largest difference %lld ulp",
		         rng_path_name(p), equal, cases, (long long)worst);
		tap_ok(equal == cases, "%s path gives bit-identical variates to the scalar path "
		       "(3 laws, 5 streams, n from 0 to 100003, unaligned outputs)", rng_path_name(p));
		tap_ok(guards, "%s path writes exactly out[0..n)", rng_path_name(p));
		tap_ok(counters, "%s path advances the stream like the scalar path", rng_path_name(p));
	}
	tap_ok(rng_set_path(RNG_PATH_AUTO) == 0 && rng_get_path() != RNG_PATH_AUTO,
	       "auto picks a concrete path (%s)", rng_path_name(rng_get_path()));
	free(want);
	free(got);
}

/* rng_normal_streams (single = 0) or rng_normal_streams_float (single =
 * 1) against rng_init + rng_normal (rng_normal_float) per stream, on every
 * path: stream lengths 0, odd and even (for floats also not multiples of
 * 4), one block to several gathers (the kernel's unit is 128 blocks),
 * streams anywhere in the id space. */
static void test_streams(int single)
{
	static const size_t shapes[][6] = {
		{ 0 }, { 1 }, { 2, 3 }, { 16, 16, 16, 16, 16, 16 }, { 8, 0, 7, 33, 1, 64 },
		{ 255, 256, 257 }, { 1000, 3, 17 }, { 5, 6, 7, 9, 10, 11 }, { 512, 4, 513, 2 },
	};
	static const uint32_t ids[] = { RNG_STREAM_WEIGHTS(1), RNG_STREAM_BIAS(1), RNG_STREAM_WEIGHTS(2),
		RNG_STREAM_GRAM(5), 0xffffffffu, 0 };
	static const uint64_t seeds[][2] = { { 1, 0 }, { 12345, 1ull << 40 }, { ~0ull, 987654321 } };
	enum { MAXV = 6 * 1000 + 16 };
	const char *fn = single ? "rng_normal_float" : "rng_normal";
	double *want = xmalloc(MAXV * sizeof *want), *got = xmalloc(MAXV * sizeof *got);
	float *wantf = xmalloc(MAXV * sizeof *wantf), *gotf = xmalloc(MAXV * sizeof *gotf);
	for (rng_path p = RNG_PATH_SCALAR; p <= RNG_PATH_AVX512; p++) {
		if (rng_set_path(p) != 0) {
			tap_ok(1, "# SKIP %s streams on the %s path: not available", fn, rng_path_name(p));
			continue;
		}
		int equal = 1, guard = 1, cases = 0;
		for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++)
			for (size_t sd = 0; sd < sizeof seeds / sizeof seeds[0]; sd++) {
				size_t len[6], count = 0, total = 0;
				for (; count < 6 && (count == 0 || shapes[sh][count]); count++) {
					len[count] = shapes[sh][count];
					total += len[count];
				}
				size_t pos = 0;
				for (size_t k = 0; k < count; k++) {
					rl_rng r;
					rng_init(&r, seeds[sd][0], seeds[sd][1], ids[k]);
					if (single)
						rng_normal_float(&r, wantf + pos, len[k]);
					else
						rng_normal(&r, want + pos, len[k]);
					pos += len[k];
				}
				for (size_t i = 0; i < total + 8; i++) {
					got[i] = -7.0;
					gotf[i] = -7.0f;
				}
				if (single) {
					rng_normal_streams_float(seeds[sd][0], seeds[sd][1], ids, len, count, gotf);
					equal &= memcmp(wantf, gotf, total * sizeof *gotf) == 0;
				} else {
					rng_normal_streams(seeds[sd][0], seeds[sd][1], ids, len, count, got);
					equal &= memcmp(want, got, total * sizeof *got) == 0;
				}
				for (size_t i = total; i < total + 8; i++)
					guard &= single ? gotf[i] == -7.0f : got[i] == -7.0;
				cases++;
			}
		tap_ok(equal, "%s path: many streams at once equal one %s per stream (%d shapes)",
		       rng_path_name(p), fn, cases);
		tap_ok(guard, "%s path: many streams at once (%s) write exactly the variates asked for",
		       rng_path_name(p), fn);
	}
	rng_set_path(RNG_PATH_AUTO);
	free(want);
	free(got);
	free(wantf);
	free(gotf);
}

/* One detection serves both modules: each SIMD path is offered exactly
 * when it was built and the CPU has what it needs. */
static void test_cpu_paths(void)
{
	const cpu_features *cpu = cpu_get();
	tap_ok(cpu_get() == cpu, "the CPU features are read once");
	tap_ok((!cpu->avx2 || cpu->fma) && (!cpu->avx512f || cpu->fma) && (!cpu->avx512dq || cpu->avx512f),
	       "features are consistent (fma %d, avx2 %d, avx512f %d, avx512dq %d)",
	       cpu->fma, cpu->avx2, cpu->avx512f, cpu->avx512dq);
#if defined(__x86_64__) || defined(__i386__)
	__builtin_cpu_init();
	tap_ok(cpu->avx2 == (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")),
	       "avx2 is reported as the CPU has it");
#else
	tap_ok(!cpu->fma && !cpu->avx2 && !cpu->avx512f, "no x86 features off x86");
#endif
	int built_avx2 = 0, built_avx512 = 0;
#ifdef HAVE_AVX2
	built_avx2 = 1;
#endif
#ifdef HAVE_AVX512
	built_avx512 = 1;
#endif
	tap_ok((rng_set_path(RNG_PATH_AVX2) == 0) == (built_avx2 && cpu->avx2) &&
	       (rng_set_path(RNG_PATH_AVX512) == 0) == (built_avx512 && cpu->avx512dq),
	       "the RNG offers avx2 iff built and the CPU has AVX2+FMA, avx512 iff AVX-512F/DQ");
	tap_ok((kernel_set_path(KERNEL_PATH_AVX2) == 0) == (built_avx2 && cpu->avx2) &&
	       (kernel_set_path(KERNEL_PATH_AVX512) == 0) == (built_avx512 && cpu->avx512f),
	       "the layer kernels offer avx2 iff built and the CPU has AVX2+FMA, avx512 iff AVX-512F");
	tap_ok(rng_set_path(RNG_PATH_AUTO) == 0 && kernel_set_path(KERNEL_PATH_AUTO) == 0,
	       "both go back to their best path (rng %s, kernels %s)", rng_path_name(rng_get_path()),
	       kernel_path_name(kernel_get_path()));
}

/* ---- distributions */

typedef struct {
	double n, s1, s2, s3, s4, sabs, pair, lag;
} sums;

/* Raw power sums over n variates from stream r, in chunks. pair sums the
 * products of a block's two variates, lag those of neighbouring blocks. */
static sums draw_sums(fill_fn *fill, rl_rng *r, size_t n, double centre)
{
	enum { CHUNK = 1 << 16 };
	double *x = xmalloc(CHUNK * sizeof *x), prev = 0;
	sums t = { 0 };
	for (size_t done = 0; done < n; done += CHUNK) {
		size_t m = n - done < CHUNK ? n - done : CHUNK;
		sums c = { 0 };
		fill(r, x, m);
		for (size_t i = 0; i < m; i++) {
			double d = x[i] - centre, d2 = d * d;
			c.s1 += d;
			c.s2 += d2;
			c.s3 += d2 * d;
			c.s4 += d2 * d2;
			c.sabs += fabs(d);
			if (i % 2)
				c.pair += (x[i - 1] - centre) * d;
			else if (i || done)
				c.lag += prev * d;
			prev = d;
		}
		t.s1 += c.s1; t.s2 += c.s2; t.s3 += c.s3; t.s4 += c.s4;
		t.sabs += c.sabs; t.pair += c.pair; t.lag += c.lag;
	}
	t.n = (double)n;
	free(x);
	return t;
}

static void central(const sums *t, double *mean, double *m2, double *m3, double *m4)
{
	double a = t->s1 / t->n, b = t->s2 / t->n, c = t->s3 / t->n, d = t->s4 / t->n;
	*mean = a;
	*m2 = b - a * a;
	*m3 = c - 3 * a * b + 2 * a * a * a;
	*m4 = d - 4 * a * c + 6 * a * a * b - 3 * a * a * a * a;
}

/* The moments of a normal generator (10^7 draws): mean, variance,
 * skewness, kurtosis and neighbours' covariances within 4 sigma. */
static void check_normal_moments(fill_fn *fill, const char *name, uint64_t seed)
{
	const size_t n = 10000000;
	rl_rng r;
	rng_set_path(RNG_PATH_AUTO);
	rng_init(&r, seed, 1, RNG_STREAM_WEIGHTS(1));
	sums t = draw_sums(fill, &r, n, 0);
	double mean, m2, m3, m4, N = t.n;
	central(&t, &mean, &m2, &m3, &m4);
	tap_diag("%s, %s path, %zu draws", name, rng_path_name(rng_get_path()), n);
	static const char *const what[] = {"mean", "variance", "skewness", "excess kurtosis",
		"covariance of neighbours in a pair", "covariance across pairs"};
	const double got[] = {mean, m2, m3 / pow(m2, 1.5), m4 / (m2 * m2) - 3, t.pair / (N / 2),
	                      t.lag / (N / 2 - 1)};
	const double want[] = {0, 1, 0, 0, 0, 0}, var[] = {1, 2, 6, 24, 2, 2};
	for (int k = 0; k < 6; k++) {
		char label[96];
		snprintf(label, sizeof label, "%s: %s", name, what[k]);
		tap_sigma(got[k], want[k], sqrt(var[k] / N), 4, label);
	}
}

static void test_normal_moments(void)
{
	check_normal_moments(rng_normal, "normal", 20240601);
}

/* ---- float32 normal variates (rng_normal_float) ---------------------------- */

/* rng_normal_float widened to doubles, for draw_sums and the KS test (in
 * chunks of 2^16, a multiple of 4: the stream reads as in one fill). */
static void normal_float_wide(rl_rng *r, double *out, size_t n)
{
	static float buf[1 << 16];
	for (size_t done = 0; done < n; done += 1 << 16) {
		size_t m = n - done < (1 << 16) ? n - done : (1 << 16);
		rng_normal_float(r, buf, m);
		for (size_t i = 0; i < m; i++)
			out[done + i] = buf[i];
	}
}

static void test_float(void)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 7, 11, 12, 13, 31, 32, 33, 63, 64, 65,
		100, 127, 1001, 4096, 100003 };
	enum { MAXN = 100003, PAD = 8 };
	float *want = xmalloc((MAXN + PAD) * sizeof *want), *got = xmalloc((MAXN + 2 * PAD) * sizeof *got);
	for (rng_path p = RNG_PATH_AVX2; p <= RNG_PATH_AVX512; p++) {
		if (rng_set_path(p) != 0) {
			tap_ok(rng_get_path() != p, "# SKIP float %s path: not available", rng_path_name(p));
			continue;
		}
		int equal = 1, guards = 1, counters = 1;
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
			for (uint32_t start = 0; start < 2; start++) {
				size_t n = sizes[s], offset = s % 4;
				rl_rng a, b;
				rng_init(&a, 0xdeadbeefull + s, 1ull << 40, RNG_STREAM_WEIGHTS(3));
				a.ctr[0] = start ? 0xfffffff0u : 0;   /* the block index wraps */
				b = a;
				rng_set_path(RNG_PATH_SCALAR);
				rng_normal_float(&a, want, n);
				rng_set_path(p);
				for (size_t i = 0; i < n + 2 * PAD; i++)
					got[i] = -12345.0f;
				rng_normal_float(&b, got + offset, n);
				equal &= memcmp(want, got + offset, n * sizeof *want) == 0;
				for (size_t i = 0; i < offset; i++)
					guards &= got[i] == -12345.0f;
				for (size_t i = offset + n; i < offset + n + PAD; i++)
					guards &= got[i] == -12345.0f;
				counters &= a.ctr[0] == b.ctr[0];
			}
		tap_ok(equal, "float normals: the %s path is bit-identical to the scalar path "
		       "(n from 0 to 100003, unaligned, across the block wrap)", rng_path_name(p));
		tap_ok(guards && counters, "float normals: the %s path writes exactly out[0..n) and "
		       "advances the stream by ceil(n/4) blocks", rng_path_name(p));
	}
	rng_set_path(RNG_PATH_AUTO);
	/* The k-th variate is the same whatever the batch sizes (multiples of 4). */
	rl_rng r, q;
	rng_init(&r, 7, 3, RNG_STREAM_WEIGHTS(2));
	q = r;
	rng_normal_float(&r, want, 1000);
	int same = 1;
	for (size_t i = 0; i < 1000; i += 40) {
		rng_normal_float(&q, got, 40);
		same &= memcmp(want + i, got, 40 * sizeof *got) == 0;
	}
	tap_ok(same && r.ctr[0] == q.ctr[0] && r.ctr[0] == 250, "float normals: 25 fills of 40 equal one of 1000");
	free(want);
	free(got);

	check_normal_moments(normal_float_wide, "float normal", 20240602);
}

static void test_uniform_laplace_moments(void)
{
	const size_t n = 2000000;
	rl_rng r;
	rng_init(&r, 77, 2, RNG_STREAM_BIAS(2));
	sums t = draw_sums(rng_uniform, &r, n, 0.5);
	double mean, m2, m3, m4, N = t.n;
	central(&t, &mean, &m2, &m3, &m4);
	/* U(0,1): variance 1/12, fourth central moment 1/80 */
	tap_sigma(mean + 0.5, 0.5, sqrt(1.0 / 12 / N), 4, "uniform mean");
	tap_sigma(m2, 1.0 / 12, sqrt((1.0 / 80 - 1.0 / 144) / N), 4, "uniform variance");
	tap_sigma(t.pair / (N / 2), 0, sqrt(2 / N) / 12, 4,
	          "uniform: covariance of a block's two variates");

	rng_init(&r, 77, 2, RNG_STREAM_BIAS(3));
	t = draw_sums(rng_laplace, &r, n, 0);
	central(&t, &mean, &m2, &m3, &m4);
	/* Laplace(0,1): variance 2, fourth moment 24; |x| ~ Exp(1) */
	tap_sigma(mean, 0, sqrt(2 / N), 4, "laplace mean");
	tap_sigma(m2, 2, sqrt((24.0 - 4) / N), 4, "laplace variance");
	tap_sigma(t.sabs / N, 1, sqrt(1 / N), 4, "laplace mean absolute value");
	tap_sigma(t.pair / (N / 2), 0, sqrt(2 / N) * 2, 4,
	          "laplace: covariance of a block's two variates");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double cdf_normal(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }
static double cdf_uniform(double x) { return x; }
static double cdf_laplace(double x) { return x < 0 ? 0.5 * exp(x) : 1 - 0.5 * exp(-x); }

/* sqrt(N) times the Kolmogorov-Smirnov distance of n draws from cdf. */
static double ks_statistic(fill_fn *fill, double (*cdf)(double), uint64_t seed, size_t n,
                           double lo, double hi, int *in_range)
{
	double *x = xmalloc(n * sizeof *x), d = 0;
	rl_rng r;
	rng_init(&r, seed, 0, RNG_STREAM_INPUTS);
	fill(&r, x, n);
	qsort(x, n, sizeof *x, cmp_double);
	*in_range = x[0] > lo && x[n - 1] < hi;
	for (size_t i = 0; i < n; i++) {
		double f = cdf(x[i]);
		d = fmax(d, fmax(f - (double)i / n, (double)(i + 1) / n - f));
	}
	free(x);
	return d * sqrt((double)n);
}

static void test_ks(void)
{
	/* P(sqrt(N) D > 1.95) ~ 0.001 for large N (Kolmogorov distribution). */
	static const struct {
		const char *name;
		fill_fn *fill;
		double (*cdf)(double);
		size_t n;
		double lo, hi;
	} cases[] = {
		{ "normal", rng_normal, cdf_normal, 1000000, -9, 9 },
		{ "float normal", normal_float_wide, cdf_normal, 1000000, -5.78, 5.78 },
		{ "uniform", rng_uniform, cdf_uniform, 500000, 0, 1 },
		{ "laplace", rng_laplace, cdf_laplace, 500000, -38, 38 },
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		int in_range;
		double k = ks_statistic(cases[c].fill, cases[c].cdf, 31337 + c, cases[c].n,
		                        cases[c].lo, cases[c].hi, &in_range);
		tap_diag("%s: sqrt(N) D = %.4f over %zu draws", cases[c].name, k, cases[c].n);
		tap_ok(k < 1.95, "%s passes Kolmogorov-Smirnov at the 0.1%% level", cases[c].name);
		tap_ok(in_range, "%s draws lie strictly inside (%g, %g)", cases[c].name,
		       cases[c].lo, cases[c].hi);
	}
}

int main(void)
{
	test_known_answers();
	test_layout();
	test_mapping();
	test_batches();
	test_names();
	test_paths();
	test_streams(0);
	test_streams(1);
	test_cpu_paths();
	test_normal_moments();
	test_float();
	test_uniform_laplace_moments();
	test_ks();
	return tap_done();
}

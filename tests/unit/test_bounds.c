/* test_bounds.c: the bounds engine against theory.md §10.1 (exact fractions are
 * compared with ==), against independent long-double references, at the
 * extremes of the parameter range, and by property tests with a fixed seed. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "relush/bounds.h"
#include "tap.h"

#define REL 1e-12

/* ---- independent references ---------------------------------------------- */
/* (1 - 2^-n)^k by plain long-double multiplication (error ~ k * 1e-19). */
static long double ref_lower(int n, long k)
{
	long double f = 1.0L - ldexpl(1.0L, -n), p = 1.0L;
	for (long i = 0; i < k; i++)
		p *= f;
	return p;
}

/* 1 - (1 - x)^k = sum_j (-1)^(j+1) C(k, j) x^j, for k x small: no
 * cancellation against 1, so tiny death probabilities come out exact. */
static long double ref_death(int n, double k)
{
	long double x = ldexpl(1.0L, -n), term = 1.0L, sum = 0.0L;
	for (int j = 1; j < 200; j++) {
		term *= -((long double)k - j + 1) / j * x;
		sum -= term;
		if (fabsl(term) < 1e-30L * fabsl(sum))
			break;
	}
	return sum;
}

/* A reproducible generator for the property tests (splitmix64). */
static uint64_t rng_state = 0x5eed2024u;
static uint64_t next_u64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}
static unsigned uniform_int(unsigned lo, unsigned hi) { return lo + next_u64() % (hi - lo + 1); }
static double uniform01(void) { return (double)(next_u64() >> 11) * 0x1p-53; }

static void fill(size_t *w, size_t k, size_t n)
{
	for (size_t i = 0; i < k; i++)
		w[i] = n;
}

/* ---- theory.md §10.1: lower bound ------------------------------------------------ */
static void test_lower_exact(void)
{
	static const struct { int n, k; double num, den; } cases[] = {
		{2, 3, 27, 64}, {1, 1, 1, 2}, {1, 5, 1, 32}, {1, 20, 1, 1048576},
		{2, 10, 59049, 1048576}, {3, 10, 282475249, 1073741824},
		{4, 10, 576650390625.0, 1099511627776.0},
	};
	size_t w[32];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double want = cases[i].num / cases[i].den;
		fill(w, cases[i].k, cases[i].n);
		tap_ok(bound_lower_uniform(cases[i].n, cases[i].k) == want,
		       "L(n=%d, k=%d) == %.0f/%.0f exactly", cases[i].n, cases[i].k,
		       cases[i].num, cases[i].den);
		tap_ok(bound_lower(w, cases[i].k) == want, "L(widths=[%d]*%d) == %.0f/%.0f exactly",
		       cases[i].n, cases[i].k, cases[i].num, cases[i].den);
		tap_ok(bound_death_uniform(cases[i].n, cases[i].k) == 1.0 - want,
		       "1 - L(n=%d, k=%d) exact", cases[i].n, cases[i].k);
		tap_rel(bound_log_lower_uniform(cases[i].n, cases[i].k), log(want), REL,
		        "log L matches log of the fraction");
	}
	size_t mixed[] = {3, 5, 2};
	tap_ok(bound_lower(mixed, 3) == 651.0 / 1024.0, "L([3,5,2]) == 651/1024 exactly");
	tap_ok(bound_death(mixed, 3) == 373.0 / 1024.0, "1 - L([3,5,2]) == 373/1024 exactly");
	tap_ok(bound_lower(mixed, 0) == 1.0 && bound_log_lower(mixed, 0) == 0.0,
	       "the empty network has L = 1");
}

static void test_lower_decimal(void)
{
	static const struct { int n; long k; double notes; } cases[] = {
		{5, 32, 0.3620552893}, {8, 100, 0.6761164651}, {10, 1000, 0.3764237981},
		{16, 1000, 0.9848569217},
	};
	static size_t w[1000];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int n = cases[i].n;
		long k = cases[i].k;
		double ref = (double)ref_lower(n, k);
		fill(w, (size_t)k, (size_t)n);
		tap_rel(bound_lower_uniform(n, (double)k), ref, REL, "L(n, k) vs long-double product");
		tap_rel(bound_lower(w, (size_t)k), ref, REL, "L(widths) vs long-double product");
		tap_ok(fabs(bound_lower_uniform(n, (double)k) - cases[i].notes) <= 5e-11,
		       "L(n=%d, k=%ld) = %.10f as in theory.md §10.1", n, k, cases[i].notes);
	}
	tap_rel(bound_log_lower_uniform(10, 1000), -0.9770396478266128, REL,
	        "log L(n=10, k=1000) = -0.9770396478266128");
	fill(w, 1000, 10);
	tap_rel(bound_log_lower(w, 1000), -0.9770396478266128, REL,
	        "log L([10]*1000) = -0.9770396478266128");
}

static void test_death(void)
{
	double d = bound_death_uniform(64, 1e6);
	tap_rel(d, 5.4210108624e-14, 1e-9, "death(64, 1e6) = 5.4210108624e-14");
	tap_rel(d, (double)ref_death(64, 1e6), REL, "death(64, 1e6) vs binomial series");
	tap_ok(bound_lower_uniform(64, 1e6) < 1.0 || d > 0.0, "death(64, 1e6) is not lost");
	d = bound_death_uniform(30, 1000);
	tap_ok(fabs(d - 9.313221414e-07) <= 5e-16, "death(30, 1000) = 9.313221414e-07 as in theory.md §10.1");
	tap_rel(d, (double)ref_death(30, 1000), REL, "death(30, 1000) vs binomial series");
	static size_t w[1000];
	fill(w, 1000, 30);
	tap_rel(bound_death(w, 1000), (double)ref_death(30, 1000), REL,
	        "death([30]*1000) vs binomial series");

	double ll = bound_log_lower_uniform(1, 2000);
	tap_rel(ll, -2000 * log(2.0), 1e-15, "log L(1, 2000) = -2000 log 2");
	tap_ok(isfinite(ll), "log L(1, 2000) is finite (no -inf)");
	tap_ok(bound_lower_uniform(1, 2000) == 0.0 && bound_death_uniform(1, 2000) == 1.0,
	       "L(1, 2000) underflows to 0 only as a probability");
	tap_rel(bound_log_lower_uniform(2, 1e12), 1e12 * log1p(-0.25), REL, "log L(2, 1e12)");
	tap_rel(bound_death_uniform(60, 1e12), (double)ref_death(60, 1e12), REL,
	        "death(60, 1e12) vs series");
}

/* Factors whose logs are below the smallest double are summed, not dropped. */
static void test_tiny_factors(void)
{
	tap_ok(bound_log_lower_uniform(1070, 1048576) == -ldexp(1, -1050),
	       "log L(1070, 2^20) = -2^-1050 exactly (each term is below 2^-1069)");
	static size_t w[1024];
	fill(w, 1024, 1080);
	tap_ok(bound_log_lower(w, 1024) == -ldexp(1, -1070),
	       "log L([1080]*1024) = -2^-1070 though each term underflows");
	tap_ok(bound_death(w, 1024) == ldexp(1, -1070), "death([1080]*1024) = 2^-1070");
	tap_ok(bound_lower(w, 1024) == 1.0, "L([1080]*1024) rounds to 1");
	size_t u[] = {1060, 1};
	tap_ok(bound_log_upper(u, 2, 1, 1, 1) == -ldexp(1, -1059),
	       "log U with every exponent 1060 (zero bias) = -2^-1059");
	tap_ok(bound_log_lower_uniform(1e6, 1e12) == 0.0 && bound_lower_uniform(1e6, 1e12) == 1.0,
	       "n = 1e6, k = 1e12: log L rounds to 0 (true value -1e12 2^-1e6)");
	tap_ok(bound_log_upper_uniform(1e6, 1e12, 1e6, 1, 0) == 0.0,
	       "U with exponents 1e12: log rounds to 0 without overflow");
	tap_ok(bound_log_lower_uniform(2000, 1e300) == -ldexp(1e300, -2000),
	       "log L(2000, 1e300) = -1e300 2^-2000");
	double small = log1p(-0.125);
	size_t mix[] = {3, 1080};
	tap_ok(bound_log_lower(mix, 2) == small, "a negligible tiny term vanishes in rounding");
}

/* ---- upper bound ------------------------------------------------------------- */
static void test_upper(void)
{
	static const struct { double d; size_t k, w[3]; double num, den; } cases[] = {
		{1, 1, {1}, 3, 4}, {2, 1, {1}, 7, 8}, {1, 1, {2}, 15, 16}, {2, 1, {2}, 63, 64},
		{3, 1, {2}, 255, 256}, {1, 2, {1, 1}, 9, 16}, {2, 3, {2, 2, 2}, 250047, 262144},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double want = cases[i].num / cases[i].den;
		tap_ok(bound_upper(cases[i].w, cases[i].k, cases[i].d, 1, 0) == want,
		       "U(d=%g, %zu layers of %zu) == %.0f/%.0f exactly", cases[i].d, cases[i].k,
		       cases[i].w[0], cases[i].num, cases[i].den);
		tap_ok(bound_upper_uniform(cases[i].w[0], cases[i].k, cases[i].d, 1, 0) == want,
		       "uniform form agrees");
	}
	size_t w[10] = {2, 2, 2};
	tap_ok(bound_upper(w, 3, 2, 0, 0) == 3969.0 / 4096.0, "U_hidden([2,2,2]) == 3969/4096");
	tap_ok(bound_upper_uniform(2, 3, 7, 0, 0) == 3969.0 / 4096.0,
	       "U_hidden(2, 3) == 3969/4096 whatever d");
	fill(w, 10, 1);
	tap_ok(bound_upper(w, 10, 5, 0, 0) == 19683.0 / 262144.0, "U_hidden([1]*10) == (3/4)^9");
	tap_rel(bound_upper(w, 10, 5, 0, 0), 0.0750846863, 1e-9, "U_hidden([1]*10) = 0.0750846863");
	tap_ok(bound_upper_uniform(1, 10, 5, 0, 0) == 19683.0 / 262144.0, "uniform form agrees");
	size_t one[] = {2};
	tap_ok(bound_upper(one, 1, 3, 0, 0) == 1.0, "U_hidden of one layer is 1");
	tap_ok(bound_upper(one, 1, 3, 1, 1) == 63.0 / 64.0, "zero bias: exponent n d = 6");
	size_t twos[] = {2, 2, 2};
	tap_rel(bound_upper(twos, 3, 2, 1, 0), 0.9538536072, 1e-10, "U(d=2, [2,2,2]) = 0.9538536072");
	size_t net[] = {3, 3};
	tap_ok(fabs(bound_upper(net, 2, 2, 1, 0) - 0.998) < 0.0005, "U(n=3, k=2, d=2) ~ 0.998");
}

/* ---- union, sandwich, flip --------------------------------------------------- */
static void test_union_sandwich(void)
{
	size_t w[] = {2, 2, 2};
	tap_ok(bound_union(w, 3, 2) == 27.0 / 32.0, "union([2,2,2], m=2) = 2 * 27/64");
	tap_ok(bound_union(w, 3, 3) == 1.0, "union capped at 1");
	tap_ok(bound_union_uniform(2, 3, 2) == 27.0 / 32.0, "uniform union agrees");
	tap_rel(bound_union_uniform(1, 2000, 1e300), exp(log(1e300) - 2000 * log(2.0)), REL,
	        "union with an underflowed L is still m L");

	bound_sandwich s;
	bound_sandwich_uniform(2, 10, &s);
	tap_ok(s.sum == 2.5, "sandwich(2, 10): S = 2.5");
	tap_ok(s.lower == 0.03125, "sandwich lower exp(-2 ln2 S) = 0.03125 exactly");
	tap_ok(s.value == 59049.0 / 1048576.0 && fabs(s.value - 0.05631) < 5e-6,
	       "sandwich value L = 0.05631");
	tap_rel(s.upper, exp(-2.5), 1e-15, "sandwich upper exp(-S)");
	tap_ok(fabs(s.upper - 0.08208) < 5e-6, "sandwich upper = 0.08208 as in theory.md §10.1");
	size_t ten[10];
	fill(ten, 10, 2);
	bound_sandwich t;
	bound_sandwich_of(ten, 10, &t);
	tap_ok(t.sum == s.sum && t.lower == s.lower && t.value == s.value && t.upper == s.upper,
	       "widths form of the sandwich agrees");
	size_t ones[4] = {1, 1, 1, 1};
	bound_sandwich_of(ones, 4, &t);
	tap_ok(t.lower == t.value, "sandwich lower is attained when every width is 1");

	tap_ok(bound_flip_fraction(10) == 0.0009765625, "flip guarantee 2^-10 = 0.0009765625");
	tap_rel(bound_log_flip_fraction(5000), -5000 * log(2.0), 1e-15, "log flip guarantee 2^-5000");
}

/* ---- inverse questions ---------------------------------------------------------- */
static void test_width_for(void)
{
	static const double ks[] = {1, 2, 5, 10, 20, 50, 100, 1000, 1e4, 1e6};
	static const struct { double p; int n[10]; } table[] = {
		{0.5, {1, 2, 3, 4, 5, 7, 8, 11, 14, 21}},
		{0.9, {4, 5, 6, 7, 8, 9, 10, 14, 17, 24}},
		{0.99, {7, 8, 9, 10, 11, 13, 14, 17, 20, 27}},
	};
	rl_err e;
	for (int t = 0; t < 3; t++)
		for (int i = 0; i < 10; i++) {
			double n = -1;
			int rc = bound_width_for(ks[i], table[t].p, &n, &e);
			tap_ok(rc == 0 && n == table[t].n[i], "n_min(k=%g, p=%g) = %d (got %g)", ks[i],
			       table[t].p, table[t].n[i], n);
		}
	double n, p = 0.5, k = 1e12;
	tap_ok(bound_width_for(k, p, &n, &e) == 0, "width_for(1e12, 0.5) succeeds");
	tap_ok(bound_lower_uniform(n, k) >= p, "width_for(1e12, 0.5) = %g reaches 0.5", n);
	tap_ok(bound_lower_uniform(n - 1, k) < p, "width %g - 1 does not", n);
	tap_ok(n == ceil(-log2(-expm1(log(p) / k))), "and it is the n_min formula of theory.md");
	tap_ok(bound_width_for(0, 0.5, &n, &e) == 0 && n == 1, "depth 0 needs width 1");

	tap_ok(bound_width_for(10, 1.0, &n, &e) == -1 && strstr(e.msg, "probability"),
	       "p = 1 is refused: %s", e.msg);
	tap_ok(bound_width_for(10, 0.0, &n, &e) == -1, "p = 0 is refused");
	tap_ok(bound_width_for(10, NAN, &n, &e) == -1, "p = NaN is refused");
	tap_ok(bound_width_for(1.5, 0.5, &n, &e) == -1 && strstr(e.msg, "depth"),
	       "depth 1.5 is refused: %s", e.msg);
	tap_ok(bound_width_for(INFINITY, 0.5, &n, &e) == -1, "depth inf is refused");
	tap_ok(bound_width_for(-1, 0.5, &n, &e) == -1, "depth -1 is refused");
}

static void test_depth_for(void)
{
	rl_err e;
	bound_depth k;
	tap_ok(bound_depth_for(2, 0.5, &k, &e) == 0 && k.exact && k.k == 2,
	       "depth_for(2, 0.5) = 2 (9/16 >= 1/2)");
	tap_ok(bound_depth_for(1, 0.6, &k, &e) == 0 && k.exact && k.k == 0, "depth_for(1, 0.6) = 0");
	tap_ok(bound_depth_for(1, 0.5, &k, &e) == 0 && k.k == 1, "depth_for(1, 0.5) = 1 (tie counts)");
	tap_ok(bound_depth_for(10, 0.5, &k, &e) == 0 && k.value == floor(log(0.5) / log1p(-ldexp(1, -10))),
	       "depth_for(10, 0.5) = floor(log p / log(1 - 2^-n))");
	/* near-ties where L rounded to a double reaches p but L does not */
	tap_ok(bound_depth_for(64, 1 - 0x1p-53, &k, &e) == 0 && k.exact && k.k == 2048,
	       "depth_for(64, 1 - 2^-53) = 2048");
	tap_ok(bound_depth_for(60, 1 - 0x1p-53, &k, &e) == 0 && k.exact && k.k == 128,
	       "depth_for(60, 1 - 2^-53) = 128");
	tap_ok(bound_depth_for(64, 0.999999999, &k, &e) == 0 && k.exact && k.k == 18446743561ULL,
	       "depth_for(64, 0.999999999) = 18446743561");
	tap_ok(bound_depth_for(80, 1 - 1e-12, &k, &e) == 0 && k.exact,
	       "depth_for(80, 1 - 1e-12) answers (once an internal error)");
	tap_ok(bound_depth_for(20, 0x1p-1074, &k, &e) == 0 && k.exact,
	       "depth_for(20, 5e-324) answers (once an internal error)");
	tap_ok(bound_depth_for(70, 0.5, &k, &e) == 0 && !k.exact && k.value >= 0x1p63 &&
	       k.value == floor(k.value), "depth_for(70, 0.5) is a double beyond 2^63");
	tap_ok(bound_depth_for(2000, 0.5, &k, &e) == 0 && isinf(k.value), "depth_for(2000, .5) = inf");
	tap_ok(bound_depth_for(0, 0.5, &k, &e) == -1 && strstr(e.msg, "width"),
	       "width 0 is refused: %s", e.msg);
	tap_ok(bound_depth_for(3, 1.5, &k, &e) == -1, "p = 1.5 is refused");
	double n;
	tap_ok(bound_width_for(3, 1 - 0x1p-53, &n, &e) == 0 && n == 55,
	       "width_for(3, 1 - 2^-53) = 55: (1 - 2^-54)^3 < 1 - 2^-53");
}

/* ---- whole-space count -------------------------------------------------------------- */
static void test_whole_space(void)
{
	bound_space s;
	rl_err e;
	static const struct { double n; double num, den; } cases[] = {{2, 3, 4}, {3, 1, 2}, {5, 3, 16}};
	for (int i = 0; i < 3; i++) {
		bound_whole_space(cases[i].n, 1, &s, &e);
		tap_ok(s.p == cases[i].num / cases[i].den && s.q == 1 - s.p,
		       "whole_space(n=%g, d=1) = %.0f/%.0f", cases[i].n, cases[i].num, cases[i].den);
	}
	tap_ok(bound_whole_space(1, 1, &s, &e) == 0 && s.p == 1.0 && s.q == 0.0, "n <= d gives 1");
	tap_ok(bound_whole_space(4, 0, &s, &e) == 0 && s.p == 1.0 / 16, "d = 0 gives 2^-n");
	/* Exact integer sums (n <= 62) against the long-double path (n > 62)
	 * through Pascal's rule: S(n, d) = S(n-1, d) + S(n-1, d-1). */
	bound_space a, b, c;
	bound_whole_space(62, 20, &a, &e);
	bound_whole_space(62, 19, &b, &e);
	bound_whole_space(63, 20, &c, &e);
	tap_rel(c.p, (a.p + b.p) / 2, 1e-14, "n = 63 (long double) agrees with n = 62 (exact)");
	bound_whole_space(100, 1, &s, &e);
	tap_rel(s.p, ldexp(101, -100), 1e-13, "whole_space(100, 1) = 101 / 2^100");
	bound_whole_space(100, 98, &s, &e);
	tap_rel(s.q, ldexp(101, -100), 1e-13, "1 - whole_space(100, 98) = 101 / 2^100 (tiny q)");
	bound_whole_space(1e6, 1, &s, &e);
	tap_rel(s.log_p, log(1e6 + 1) - 1e6 * log(2.0), 1e-12,
	        "log whole_space(1e6, 1) is finite and right");
	tap_ok(s.p == 0.0 && s.q == 1.0, "whole_space(1e6, 1) underflows only as a probability");
	/* P(X <= 999) for X ~ Bin(2000, 1/2) = (1 - P(X = 1000)) / 2. */
	long double mode = 1.0L;
	for (int i = 1; i <= 1000; i++)
		mode *= (1000.0L + i) / (4.0L * i);
	bound_whole_space(2000, 999, &s, &e);
	tap_rel(s.p, (double)((1.0L - mode) / 2.0L), 1e-12, "whole_space(2000, 999) by symmetry");
	bound_whole_space(2000, 1000, &a, &e);
	tap_rel(a.p, (double)((1.0L + mode) / 2.0L), 1e-12, "whole_space(2000, 1000) by symmetry");
	bound_whole_space(1001, 300, &a, &e);
	bound_whole_space(1001, 700, &b, &e);
	tap_rel(a.p + b.p, 1.0, 1e-14, "p(n, d) + p(n, n-d-1) = 1");
	tap_rel(a.p, b.q, 1e-13, "and q is the complement computed on its own");
	bound_whole_space(1e6, 5e5, &s, &e);
	tap_ok(s.p > 0.5 && s.p < 0.5 + 1e-3, "whole_space(1e6, 5e5) just above 1/2");
	tap_ok(bound_whole_space(0, 1, &s, &e) == -1 && strstr(e.msg, "width"), "width 0 refused");
	tap_ok(bound_whole_space(3, 0.5, &s, &e) == -1 && strstr(e.msg, "dimension"),
	       "d = 0.5 refused: %s", e.msg);
}

/* ---- per-layer table ---------------------------------------------------------------- */
static void test_layers(void)
{
	size_t w[] = {3, 1, 4, 2, 5};
	const double survival[] = {0.875, 0.5, 0.9375, 0.75, 0.96875};
	bound_layer rows[5];
	bound_layers(w, 5, rows);
	int ok = 1;
	for (size_t l = 0; l < 5; l++)
		ok &= rows[l].layer == l + 1 && rows[l].width == w[l] && rows[l].survival == survival[l] &&
		      rows[l].hazard == 1 - survival[l] && rows[l].cumulative == bound_lower(w, l + 1) &&
		      rows[l].death == bound_death(w, l + 1) &&
		      rows[l].log_cumulative == bound_log_lower(w, l + 1);
	tap_ok(ok, "layers([3,1,4,2,5]): survival 0.875 0.5 0.9375 0.75 0.96875, cumulative L_l");
	bound_layers_uniform(4, 5, rows);
	ok = 1;
	for (size_t l = 0; l < 5; l++)
		ok &= rows[l].survival == 0.9375 && rows[l].cumulative == bound_lower_uniform(4, l + 1);
	tap_ok(ok, "uniform layers agree with L(n, l)");
}

/* ---- schedules ---------------------------------------------------------------------- */
typedef struct { int kind; uint64_t calls, end; } sched;

static int sched_fn(void *ctx, uint64_t l, double *w, rl_err *e)
{
	sched *s = ctx;
	s->calls++;
	if (s->end && l > s->end)
		return 1;
	switch (s->kind) {
	case 0: *w = ceil(2 * log2((double)l + 1)); break;
	case 1: *w = ceil(log2((double)l + 1)); break;
	case 2: *w = (double)(3 + l % 2); break;                 /* periodic */
	case 3: *w = 10; break;
	case 4: *w = 0; break;                                    /* invalid */
	case 5: return rl_fail(e, "boom at %llu", (unsigned long long)l);
	}
	return 0;
}

static void test_schedule(void)
{
	rl_err e;
	bound_schedule_result r, q;
	sched s = {0, 0, 0};
	tap_ok(bound_schedule(sched_fn, &s, 1000000, &r, &e) == 0, "schedule 2 log2(l+1) runs");
	tap_ok(fabs(r.partial - 0.5586) < 5e-5, "prod_{l<=1e6} = 0.5586 (theory.md §10.1), got %.6f", r.partial);
	tap_ok(r.positive && !r.finite && r.monotone && r.horizon == (uint64_t)1 << 62,
	       "converges, probed to 2^62, monotone");
	tap_ok(r.lower <= r.limit && r.limit <= r.upper && r.upper <= r.partial,
	       "lower <= limit <= upper <= partial");
	tap_ok(r.upper / r.lower - 1 < 1e-5, "bracket is tight: [%.10f, %.10f]", r.lower, r.upper);
	tap_ok(r.rest < 1e-12 && r.decay > 1, "tail beyond 2^62 negligible (rest %g, decay %g)",
	       r.rest, r.decay);
	s.calls = 0;
	tap_ok(bound_schedule(sched_fn, &s, 10, &q, &e) == 0 && q.lower <= r.lower &&
	       r.upper <= q.upper && q.lower <= r.limit && r.limit <= q.upper,
	       "with only 10 exact layers the bracket is wider and contains the other");
	tap_ok(q.probes < 2000, "and needs few probes (%llu)", (unsigned long long)q.probes);

	s = (sched){1, 0, 0};
	bound_schedule(sched_fn, &s, 1000000, &r, &e);
	tap_ok(fabs(r.partial - 3.4e-5) < 0.05e-5, "prod ceil(log2(l+1)) to 1e6 = 3.4e-5 (%g)",
	       r.partial);
	tap_ok(!r.positive && r.limit == 0.0 && isinf(r.rest), "diverges: limit 0");
	tap_ok(r.upper < 1e-12, "and the rigorous upper bound at 2^62 is tiny (%g)", r.upper);

	s = (sched){3, 0, 5};
	size_t five[] = {10, 10, 10, 10, 10};
	bound_schedule(sched_fn, &s, 100, &r, &e);
	tap_ok(r.finite && r.depth == 5 && r.partial == bound_lower(five, 5) && r.limit == r.partial,
	       "a schedule ending at 5 layers is exact");
	s = (sched){3, 0, 1000};
	bound_schedule(sched_fn, &s, 100, &r, &e);
	tap_ok(r.finite && r.depth == 1000 && r.horizon == 1000, "end found by probing (%llu)",
	       (unsigned long long)r.depth);
	tap_rel(r.lower, bound_lower_uniform(10, 1000), 1e-13, "constant blocks: lower exact");
	tap_rel(r.upper, bound_lower_uniform(10, 1000), 1e-13, "constant blocks: upper exact");

	s = (sched){2, 0, 0};
	bound_schedule(sched_fn, &s, 100, &r, &e);
	tap_ok(!r.monotone && r.upper == r.partial && !r.positive, "periodic: not monotone, diverges");
	s = (sched){4, 0, 0};
	tap_ok(bound_schedule(sched_fn, &s, 100, &r, &e) == -1 && strstr(e.msg, "layer 1"),
	       "width 0 from the schedule is refused: %s", e.msg);
	s = (sched){5, 0, 0};
	tap_ok(bound_schedule(sched_fn, &s, 100, &r, &e) == -1 && strstr(e.msg, "boom"),
	       "callback errors pass through");
}

/* ---- properties ------------------------------------------------------------------------ */
static void test_properties(void)
{
	size_t w[16], v[17];
	int le_upper = 1, mono_width = 1, anti_depth = 1, uni = 1;
	for (int t = 0; t < 2000; t++) {
		size_t k = uniform_int(1, 12);
		for (size_t i = 0; i < k; i++)
			w[i] = uniform_int(1, t % 2 ? 12 : 70);
		double d = uniform_int(1, 12);
		double L = bound_lower(w, k), ll = bound_log_lower(w, k);
		for (int orthant = 0; orthant < 2; orthant++)
			for (int zb = 0; zb < 2; zb++)
				le_upper &= L <= bound_upper(w, k, d, orthant, zb) &&
				            ll <= bound_log_upper(w, k, d, orthant, zb);
		/* one width up: L does not decrease. Values may move across the
		 * exact/exp paths, so allow 2 ulps there; logs must be monotone. */
		memcpy(v, w, sizeof w);
		size_t i = uniform_int(0, (unsigned)k - 1);
		v[i] += uniform_int(1, 5);
		mono_width &= bound_log_lower(v, k) >= ll && bound_lower(v, k) >= L * (1 - 2 * DBL_EPSILON);
		/* one layer more: L does not increase */
		memcpy(v, w, sizeof w);
		v[k] = uniform_int(1, 70);
		anti_depth &= bound_log_lower(v, k + 1) <= ll &&
		              bound_lower(v, k + 1) <= L * (1 + 2 * DBL_EPSILON);
		fill(v, k, w[0]);
		uni &= fabs(bound_lower(v, k) - bound_lower_uniform((double)w[0], (double)k)) <=
		       1e-15 * bound_lower(v, k);
	}
	tap_ok(le_upper, "L <= U for 2000 random nets, every (orthant, zero_bias)");
	tap_ok(mono_width, "L is monotone in each width");
	tap_ok(anti_depth, "L is antitone in depth");
	tap_ok(uni, "widths and (n, k) forms agree");

	int inverse = 1, depth_ok = 1;
	rl_err e;
	for (int t = 0; t < 500; t++) {
		double k = floor(exp(uniform01() * log(1e12))) + 1, p = 0.01 + 0.98 * uniform01(), n;
		bound_depth kk;
		if (bound_width_for(k, p, &n, &e))
			inverse = 0;
		inverse &= bound_lower_uniform(n, k) >= p && (n == 1 || bound_lower_uniform(n - 1, k) < p);
		if (bound_depth_for(n, p, &kk, &e))
			inverse = 0;
		inverse &= kk.value >= k;
		if (n > 1 && bound_depth_for(n - 1, p, &kk, &e) == 0)
			inverse &= kk.value < k;
		double m = uniform_int(1, 45);
		if (bound_depth_for(m, p, &kk, &e))
			depth_ok = 0;
		depth_ok &= kk.exact && bound_lower_uniform(m, kk.value) >= p &&
		            bound_lower_uniform(m, kk.value + 1) < p;
		if (bound_width_for(kk.value, p, &n, &e) == 0)
			depth_ok &= n <= m;
		if (bound_width_for(kk.value + 1, p, &n, &e) == 0)
			depth_ok &= n > m;
	}
	tap_ok(inverse, "width_for is exact at the boundary and inverse to depth_for");
	tap_ok(depth_ok, "depth_for is exact at the boundary and inverse to width_for");
}

static void test_checks(void)
{
	rl_err e;
	tap_ok(bound_check_count(0, 1, "width", &e) == -1 && strstr(e.msg, "width must be an integer >= 1"),
	       "width 0: %s", e.msg);
	tap_ok(bound_check_count(1.5, 1, "width", &e) == -1, "width 1.5 refused");
	tap_ok(bound_check_count(NAN, 0, "depth", &e) == -1 && strstr(e.msg, "finite"),
	       "depth NaN: %s", e.msg);
	tap_ok(bound_check_count(1e12, 0, "depth", &e) == 0, "depth 1e12 accepted");
	tap_ok(bound_check_prob(-0.1, "p", &e) == -1 && strstr(e.msg, "between 0 and 1"),
	       "p -0.1: %s", e.msg);
}

int main(void)
{
	test_lower_exact();
	test_lower_decimal();
	test_death();
	test_tiny_factors();
	test_upper();
	test_union_sandwich();
	test_width_for();
	test_depth_for();
	test_whole_space();
	test_layers();
	test_schedule();
	test_properties();
	test_checks();
	return tap_done();
}

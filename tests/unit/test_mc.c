/* test_mc.c: the Monte Carlo engine against the paper's exact values (theory.md
 * §10.2) and against itself: explicit, Gram and lazy evaluation agree in
 * distribution, the fast kernels agree with the reference net_death trial
 * for trial, and counts are identical for any thread count, chunk size,
 * kernel path or sharding. Statistical checks use fixed seeds and 4 sigma. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "relush/bounds.h"
#include "relush/death.h"
#include "relush/inputs.h"
#include "relush/interrupt.h"
#include "relush/mc.h"
#include "core/kernel.h"
#include "core/mc_impl.h"

static size_t widths_buf[64];

static rl_net_spec make_spec(size_t k, size_t n, size_t d, rl_law_kind wl, rl_law_kind bl, uint64_t seed)
{
	for (size_t l = 0; l < k; l++)
		widths_buf[l] = n;
	rl_net_spec s = {
		.depth = k, .input = d, .widths = widths_buf,
		.weights = {wl, SCALE_HE, 0.0},
		.bias = {bl, SCALE_FIXED, bl == LAW_ZERO ? 0.0 : 1.0},
		.arch = ARCH_PLAIN, .seed = seed,
	};
	return s;
}

static mc_result *run(const rl_net_spec *s, const rl_mat *X, uint64_t trials, mc_method method,
                      mc_stats stats, unsigned threads)
{
	mc_config c = {.spec = s, .X = X, .trials = trials, .threads = threads, .method = method, .stats = stats};
	rl_err e;
	mc_result *r = mc_run(&c, &e);
	if (!r)
		tap_diag("mc_run failed: %s", e.msg);
	return r;
}

static double p_alive(const mc_result *r) { return (double)r->counts.alive_trials / (double)r->counts.trials; }
static double se_p(double p, uint64_t T) { return sqrt(p * (1.0 - p) / (double)T); }

static int counts_equal(const mc_counts *a, const mc_counts *b)
{
	if (a->trials != b->trials || a->alive_trials != b->alive_trials || a->living_sum != b->living_sum ||
	    a->living_sq[0] != b->living_sq[0] || a->living_sq[1] != b->living_sq[1] ||
	    a->min_living != b->min_living)
		return 0;
	for (size_t l = 0; l < a->depth; l++) {
		if (a->died_at[l] != b->died_at[l])
			return 0;
		if (memcmp(&a->layers[l], &b->layers[l], sizeof a->layers[l]))
			return 0;
	}
	return 1;
}

/* ---- small layers: mc_small.h's step against the general kernel ------------ */

/* Two runs of the same configuration, with and without mc_small.h's step
 * (on the AVX-512 path; elsewhere both are the general kernel): every
 * count equal, the per-neuron activity too. */
static int small_step_agrees(const rl_net_spec *s, const rl_mat *X, mc_stats stats, mc_method method,
                             uint64_t trials, unsigned threads)
{
	rl_err e;
	mc_config cfg = {.spec = s, .X = X, .trials = trials, .threads = threads, .method = method,
	                 .stats = stats, .neuron_activity = 1};
	mci_set_small_kernels(0);
	mc_result *gen = mc_run(&cfg, &e);
	mci_set_small_kernels(1);
	mc_result *small = mc_run(&cfg, &e);
	int ok = gen && small && counts_equal(&gen->counts, &small->counts) &&
	         gen->counts.layers_explicit == small->counts.layers_explicit &&
	         gen->counts.layers_gram == small->counts.layers_gram &&
	         gen->counts.trials_lazy == small->counts.trials_lazy;
	size_t neurons = 0;
	for (size_t l = 0; l < s->depth; l++)
		neurons += s->widths[l];
	ok = ok && !memcmp(gen->counts.neuron_active, small->counts.neuron_active,
	                   neurons * sizeof *gen->counts.neuron_active);
	mc_result_free(gen);
	mc_result_free(small);
	return ok;
}

/* Classes of small nets: every width 1 .. 9 (8 is the step's widest, 9
 * goes to the general kernel; none a multiple of 16 float lanes), depth 1
 * and deeper, point counts around the vector sizes (1, 7, 8, 9, 15 .. 17,
 * 31 .. 33, 64, 100), points that die at layer 1 (zero rows with zero
 * biases), both bias laws, both precisions, stats all and alive, explicit
 * and auto, one and two threads; many seeds. */
static void test_small_layers(void)
{
	rl_err e;
	static const size_t points[] = {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100};
	static size_t widths[16];
	int runs = 0, agree = 0, first_bad = -1;
	for (int k = 0; k < 48; k++) {
		size_t m = points[k % 12], d = 1 + (size_t)(k % 5), depth = k % 7 == 0 ? 1 : 2 + (size_t)(k % 13);
		for (size_t l = 0; l < depth; l++)
			widths[l] = 1 + (size_t)((k + 3 * l) % 9);
		if (k % 4 == 1)   /* P1's shape, 4 x 4 throughout */
			for (size_t l = 0; l < depth; l++)
				widths[l] = 4;
		int zero_bias = k % 3 != 2;
		rl_net_spec s = make_spec(depth, 4, d, LAW_NORMAL, zero_bias ? LAW_ZERO : LAW_NORMAL,
		                          1000 + (uint64_t)k);
		s.widths = widths;
		s.precision = k % 2 ? PRECISION_SINGLE : PRECISION_DOUBLE;
		rl_mat *X = inputs_gaussian(m, d, 1.0, 50 + (uint64_t)k, &e);
		if (!X)
			continue;
		if (k % 6 < 3)   /* a third of the points at 0: with zero biases they die at layer 1 */
			for (size_t q = 0; q < m; q += 3)
				memset(mat_row(X, q), 0, d * sizeof(double));
		mc_stats stats = k % 4 < 2 ? MC_STATS_ALL : MC_STATS_ALIVE;
		mc_method method = k % 5 == 0 ? MC_METHOD_AUTO : MC_METHOD_EXPLICIT;
		runs++;
		if (small_step_agrees(&s, X, stats, method, 150, 1 + (unsigned)(k % 2)))
			agree++;
		else if (first_bad < 0)
			first_bad = k;
		mat_free(X);
	}
	tap_ok(runs == 48 && agree == runs,
	       "small layers (widths 1-9, depth 1-14, 1-100 points, both precisions): the small-layer "
	       "step and the general kernel give identical counts (%d of %d agree, first differing case %d)",
	       agree, runs, first_bad);
	/* P1 itself: 64 Gaussian points in d = 2, 32 layers of 4, stats alive */
	for (int single = 0; single < 2; single++) {
		rl_net_spec s = make_spec(32, 4, 2, LAW_NORMAL, LAW_ZERO, 1);
		s.precision = single ? PRECISION_SINGLE : PRECISION_DOUBLE;
		rl_mat *X = inputs_gaussian(64, 2, 1.0, 1, &e);
		tap_ok(X && small_step_agrees(&s, X, MC_STATS_ALIVE, MC_METHOD_AUTO, 3000, 2),
		       "P1 (%s): 3000 trials with and without the small-layer step give identical counts",
		       single ? "single" : "double");
		mat_free(X);
	}
}

/* ---- small exact pieces ---------------------------------------------------- */

static void test_helpers(void)
{
	double lo, hi;
	mc_wilson(50, 100, 1.959963984540054, &lo, &hi);
	tap_ok(fabs(lo - 0.4038315) < 1e-6 && fabs(hi - 0.5961685) < 1e-6, "Wilson 50/100 = [0.40383, 0.59617]");
	mc_wilson(0, 10, 1.959963984540054, &lo, &hi);
	tap_ok(lo == 0.0 && fabs(hi - 0.2775328) < 1e-6, "Wilson 0/10 = [0, 0.27753]");
	mc_wilson(10, 10, 1.959963984540054, &lo, &hi);
	tap_ok(hi == 1.0 && fabs(lo - 0.7224672) < 1e-6, "Wilson 10/10 = [0.72247, 1]");

	int ok = 1;
	uint64_t sizes[] = {1, 7, 100, 1000003, UINT64_MAX / 3};
	for (size_t s = 0; s < 5; s++)
		for (uint64_t n = 1; n <= 9 && n <= sizes[s]; n++) {
			uint64_t next = 1, total = 0;
			for (uint64_t i = 1; i <= n; i++) {
				uint64_t first, count;
				mc_shard_range(sizes[s], i, n, &first, &count);
				ok &= first == next && count >= sizes[s] / n && count <= sizes[s] / n + 1;
				next = first + count;
				total += count;
			}
			ok &= total == sizes[s];
		}
	tap_ok(ok, "shard ranges are contiguous, balanced and cover 1..T (T up to 2^64/3)");

	mc_counts a, b;
	rl_err e;
	mc_counts_init(&a, 1, 1, MC_STATS_ALL, 0, &e);
	mc_counts_init(&b, 1, 1, MC_STATS_ALL, 0, &e);
	b.living_sq[0] = UINT64_MAX;
	b.living_sq[1] = 2;
	a.living_sq[0] = 5;
	mc_counts_add(&a, &b, 0);
	tap_ok(a.living_sq[0] == 4 && a.living_sq[1] == 3, "128-bit sums carry");
	mc_counts_free(&a);
	mc_counts_free(&b);
}

/* ---- theory.md §10.2 ------------------------------------------------------------------ */

/* 1: a single point lives with probability L exactly, for every law. */
static void test_single_point(void)
{
	static const struct { size_t n, k; } cases[] = {{1, 1}, {1, 3}, {2, 3}, {2, 10}, {3, 10}, {4, 10}};
	static const struct { rl_law_kind w, b; const char *name; } laws[] = {
		{LAW_NORMAL, LAW_ZERO, "normal/zero"}, {LAW_NORMAL, LAW_NORMAL, "normal/normal"},
		{LAW_UNIFORM, LAW_UNIFORM, "uniform/uniform"}, {LAW_LAPLACE, LAW_LAPLACE, "laplace/laplace"},
	};
	rl_err e;
	rl_mat *X = inputs_point(3, &e);
	uint64_t T = 20000;
	for (size_t a = 0; a < 4; a++)
		for (size_t c = 0; c < 6; c++) {
			rl_net_spec s = make_spec(cases[c].k, cases[c].n, 3, laws[a].w, laws[a].b, 100 + 10 * a + c);
			double L = bound_lower(s.widths, s.depth);
			mc_method methods[] = {MC_METHOD_EXPLICIT, MC_METHOD_GRAM};
			for (int mth = 0; mth < (laws[a].w == LAW_NORMAL ? 2 : 1); mth++) {
				mc_result *r = run(&s, X, T, methods[mth], MC_STATS_ALL, 2);
				char what[128];
				snprintf(what, sizeof what, "single point, %s, n=%zu k=%zu, %s: P(alive) = L = %.6f",
				         laws[a].name, cases[c].n, cases[c].k, mc_method_name(methods[mth]), L);
				tap_sigma(p_alive(r), L, se_p(L, T), 4.0, what);
				mc_result_free(r);
			}
		}
	mat_free(X);
}

/* 2: per-layer conditional survival of a point is 1 - 2^-n_l. */
static void test_layer_survival(void)
{
	size_t w[] = {3, 1, 4, 2, 5};
	rl_net_spec s = make_spec(5, 1, 2, LAW_NORMAL, LAW_ZERO, 7);
	s.widths = w;
	rl_err e;
	rl_mat *X = inputs_point(2, &e);
	mc_result *r = run(&s, X, 40000, MC_METHOD_EXPLICIT, MC_STATS_ALL, 2);
	for (size_t l = 1; l <= 5; l++) {
		double want = 1.0 - ldexp(1.0, -(int)w[l - 1]);
		double got = mc_layer_survival(&r->counts, l);
		double se = se_p(want, r->counts.layers[l - 1].points_reaching);
		char what[96];
		snprintf(what, sizeof what, "widths [3,1,4,2,5]: survival at layer %zu = %.5f", l, want);
		tap_sigma(got, want, se, 4.0, what);
	}
	mc_result_free(r);
	mat_free(X);
}

/* 3 and 4: mean F = L on a finite set; L <= P(alive) <= min(U, mL). */
static void test_finite_set(void)
{
	rl_err e;
	rl_mat *X = inputs_gaussian(64, 2, 1.0, 11, &e);
	static const struct { size_t n, k; } cases[] = {{3, 8}, {2, 4}, {4, 16}};
	uint64_t T = 20000;
	for (size_t c = 0; c < 3; c++) {
		rl_net_spec s = make_spec(cases[c].k, cases[c].n, 2, LAW_NORMAL, LAW_ZERO, 21 + c);
		double L = bound_lower(s.widths, s.depth);
		double U = bound_upper(s.widths, s.depth, 2, 0, 1), mL = bound_union(s.widths, s.depth, 64);
		mc_method methods[] = {MC_METHOD_EXPLICIT, MC_METHOD_GRAM};
		for (int mth = 0; mth < 2; mth++) {
			mc_result *r = run(&s, X, T, methods[mth], MC_STATS_ALL, 2);
			mc_summary S;
			mc_summarize(r, &S);
			char what[160];
			snprintf(what, sizeof what, "64 Gaussian points, n=%zu k=%zu, %s: mean F = L = %.4f",
			         cases[c].n, cases[c].k, mc_method_name(methods[mth]), L);
			tap_sigma(S.fraction, L, S.fraction_se, 4.0, what);
			double se = se_p(S.p_alive, T);
			snprintf(what, sizeof what, "n=%zu k=%zu, %s: L %.4f <= P(alive) %.4f <= min(U, mL) %.4f",
			         cases[c].n, cases[c].k, mc_method_name(methods[mth]), L, S.p_alive, fmin(U, mL));
			tap_ok(S.p_alive >= L - 4 * se && S.p_alive <= fmin(U, mL) + 4 * se, "%s", what);
			tap_ok(r->lower == L && r->union_bound == mL, "result carries L and min(1, mL)");
			mc_result_free(r);
		}
	}
	mat_free(X);
}

/* 5: the shrinking set x0 + eps (X - x0) tends to L as eps -> 0. */
static void test_shrinking(void)
{
	rl_err e;
	rl_mat *X = inputs_gaussian(32, 3, 1.0, 5, &e);
	rl_net_spec s = make_spec(8, 2, 3, LAW_NORMAL, LAW_ZERO, 77);
	double L = bound_lower(s.widths, s.depth), eps[] = {10, 1, 0.3, 0.1, 0.01, 0};
	double p[6];
	uint64_t T = 20000;
	for (int i = 0; i < 6; i++) {
		rl_mat *Y = inputs_shrink(X, eps[i], &e);
		mc_result *r = run(&s, Y, T, MC_METHOD_AUTO, MC_STATS_ALL, 2);
		p[i] = p_alive(r);
		tap_diag("shrinking set eps = %g: P(alive) = %.4f (L = %.4f)", eps[i], p[i], L);
		mc_result_free(r);
		mat_free(Y);
	}
	int decreasing = 1;
	for (int i = 1; i < 6; i++)
		decreasing &= p[i] <= p[i - 1] + 4 * sqrt(2.0) * se_p(p[i - 1], T);
	tap_ok(decreasing, "shrinking set: P(alive) never grows as eps shrinks (within 4 sigma)");
	tap_ok(p[0] - p[4] > 4 * sqrt(2.0) * se_p(p[0], T), "shrinking set: eps = 10 is clearly above eps = 0.01");
	tap_sigma(p[5], L, se_p(L, T), 4.0, "shrinking set: eps = 0 gives L");
	tap_sigma(p[4], L, se_p(L, T), 4.0, "shrinking set: eps = 0.01 is within 4 sigma of L");
	mat_free(X);
}

/* 6: one layer on the orthant box {0, R e_i} with random biases: 1 - 2^-n(d+1) = U. */
static void test_orthant(void)
{
	static const struct { size_t d, n; } cases[] = {{1, 1}, {2, 1}, {1, 2}, {2, 2}};
	rl_err e;
	for (size_t c = 0; c < 4; c++) {
		rl_mat *X = inputs_orthant(cases[c].d, 1e6, &e);
		rl_net_spec s = make_spec(1, cases[c].n, cases[c].d, LAW_NORMAL, LAW_NORMAL, 300 + c);
		uint64_t T = 40000;
		mc_result *r = run(&s, X, T, MC_METHOD_AUTO, MC_STATS_ALL, 2);
		double want = 1.0 - ldexp(1.0, -(int)(cases[c].n * (cases[c].d + 1)));
		char what[96];
		snprintf(what, sizeof what, "one layer on the orthant, d=%zu n=%zu: P(alive) = %.6f",
		         cases[c].d, cases[c].n, want);
		tap_sigma(p_alive(r), want, se_p(want, T), 4.0, what);
		tap_ok(fabs(r->upper - want) < 1e-15, "U (orthant, with biases) equals it: %.6f", r->upper);
		mc_result_free(r);
		mat_free(X);
	}
}

/* ---- methods agree --------------------------------------------------------------- */

static void compare(const char *name, const rl_net_spec *s, const rl_mat *X, uint64_t T)
{
	mc_result *ex = run(s, X, T, MC_METHOD_EXPLICIT, MC_STATS_ALL, 2);
	mc_result *gr = run(s, X, T, MC_METHOD_GRAM, MC_STATS_ALL, 2);
	mc_result *lz = run(s, X, T, MC_METHOD_GRAM, MC_STATS_ALIVE, 2);
	mc_result *au = run(s, X, T, MC_METHOD_AUTO, MC_STATS_ALIVE, 2);
	double p1 = p_alive(ex), p2 = p_alive(gr), pool = (p1 + p2) / 2;
	double se = sqrt(pool * (1 - pool) * 2.0 / (double)T);
	char what[160];
	snprintf(what, sizeof what, "%s: explicit %.4f vs gram %.4f (two-proportion z)", name, p1, p2);
	tap_sigma(p1 - p2, 0.0, se > 0 ? se : 1e-300, 4.0, what);
	mc_summary a, b;
	mc_summarize(ex, &a);
	mc_summarize(gr, &b);
	snprintf(what, sizeof what, "%s: mean F explicit %.4f vs gram %.4f", name, a.fraction, b.fraction);
	double sef = sqrt(a.fraction_se * a.fraction_se + b.fraction_se * b.fraction_se);
	tap_sigma(a.fraction - b.fraction, 0.0, sef > 0 ? sef : 1e-300, 4.0, what);
	int same = lz->counts.alive_trials == gr->counts.alive_trials &&
	           memcmp(lz->counts.died_at, gr->counts.died_at, s->depth * sizeof(uint64_t)) == 0;
	tap_ok(same, "%s: lazy (stats alive) equals gram trial for trial: %llu alive", name,
	       (unsigned long long)lz->counts.alive_trials);
	tap_ok(lz->counts.trials_lazy == T, "%s: stats alive + gram ran lazily", name);
	double p3 = p_alive(au);
	pool = (p1 + p3) / 2;
	se = sqrt(pool * (1 - pool) * 2.0 / (double)T);
	snprintf(what, sizeof what, "%s: explicit %.4f vs auto/alive %.4f", name, p1, p3);
	tap_sigma(p1 - p3, 0.0, se > 0 ? se : 1e-300, 4.0, what);
	mc_result_free(ex);
	mc_result_free(gr);
	mc_result_free(lz);
	mc_result_free(au);
}

static void test_methods_agree(void)
{
	rl_err e;
	rl_mat *X1 = inputs_gaussian(1, 5, 1.0, 1, &e);
	rl_mat *X64 = inputs_gaussian(64, 2, 1.0, 2, &e);
	rl_mat *X16 = inputs_gaussian(16, 8, 1.0, 3, &e);
	rl_mat *X8 = inputs_gaussian(8, 12, 1.0, 4, &e);
	rl_net_spec s;
	s = make_spec(6, 2, 5, LAW_NORMAL, LAW_ZERO, 41);
	compare("m=1 d=5 n=2 k=6", &s, X1, 20000);
	s = make_spec(12, 3, 2, LAW_NORMAL, LAW_ZERO, 42);
	compare("m=64 > n: d=2 n=3 k=12", &s, X64, 20000);
	s = make_spec(10, 3, 2, LAW_NORMAL, LAW_NORMAL, 43);
	compare("m=64 d=2 n=3 k=10, normal biases", &s, X64, 20000);
	s = make_spec(8, 4, 8, LAW_NORMAL, LAW_ZERO, 44);
	compare("m=16 d=8 n=4 k=8", &s, X16, 20000);
	s = make_spec(6, 20, 12, LAW_NORMAL, LAW_NORMAL, 45);
	compare("m=8 < n: d=12 n=20 k=6, normal biases", &s, X8, 10000);
	mat_free(X1);
	mat_free(X64);
	mat_free(X16);
	mat_free(X8);
}

/* ---- exactness: threads, chunks, kernels, shards, reference ------------------------ */

static void test_reproducible(void)
{
	rl_err e;
	rl_mat *X = inputs_gaussian(40, 3, 1.0, 9, &e);
	rl_net_spec s = make_spec(16, 3, 3, LAW_NORMAL, LAW_NORMAL, 1234);
	mc_config c = {.spec = &s, .X = X, .trials = 3000};
	mc_method methods[] = {MC_METHOD_EXPLICIT, MC_METHOD_GRAM, MC_METHOD_AUTO};
	for (int m = 0; m < 3; m++) {
		c.method = methods[m];
		c.threads = 1;
		c.chunk = 0;
		mc_result *a = mc_run(&c, &e);
		c.threads = 2;
		mc_result *b = mc_run(&c, &e);
		c.chunk = 7;
		c.threads = 3;
		mc_result *d = mc_run(&c, &e);
		tap_ok(counts_equal(&a->counts, &b->counts), "%s: threads=1 and threads=2 give identical counts",
		       mc_method_name(methods[m]));
		tap_ok(counts_equal(&a->counts, &d->counts), "%s: threads=3 with chunks of 7 gives identical counts",
		       mc_method_name(methods[m]));
		/* shards merge to the whole run */
		mc_counts sum;
		mc_counts_init(&sum, s.depth, X->rows, MC_STATS_ALL, 0, &e);
		c.chunk = 0;
		c.threads = 2;
		for (uint64_t i = 1; i <= 3; i++) {
			c.shard_index = i;
			c.shard_count = 3;
			mc_result *p = mc_run(&c, &e);
			mc_counts_add(&sum, &p->counts, 0);
			mc_result_free(p);
		}
		c.shard_index = c.shard_count = 0;
		tap_ok(counts_equal(&a->counts, &sum), "%s: shards {1,3}, {2,3}, {3,3} add up to the whole run",
		       mc_method_name(methods[m]));
		mc_counts_free(&sum);
		mc_result_free(a);
		mc_result_free(b);
		mc_result_free(d);
	}
	mat_free(X);
}

/* Layer 1's Gram basis of X is computed only when some trial can use it: on
 * wide full-rank inputs auto evaluates layer 1 explicitly, so its plan has
 * no basis and its counts are bit for bit the explicit method's; on
 * low-rank inputs auto takes the Gram layer with the basis gram computes. */
static void test_auto_basis(void)
{
	rl_err e;
	struct { size_t m, d, n; } wide[] = {{200, 100, 32}, {300, 60, 16}, {100, 200, 8}};
	for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++) {
		rl_mat *X = inputs_gaussian(wide[i].m, wide[i].d, 1.0, 20 + i, &e);
		rl_net_spec s = make_spec(4, wide[i].n, wide[i].d, LAW_NORMAL, LAW_ZERO, 77 + i);
		mc_config c = {.spec = &s, .X = X, .trials = 200, .method = MC_METHOD_AUTO};
		mc_plan pl;
		tap_ok(mci_plan_init(&pl, &c, &e) == 0 && !pl.have_basis1 && !pl.coords1 && !pl.rank_after1,
		       "auto, m=%zu d=%zu n=%zu: no Gram basis of X in the plan", wide[i].m, wide[i].d, wide[i].n);
		mci_plan_free(&pl);
		for (unsigned t = 1; t <= 2; t++) {
			c.threads = t;
			c.method = MC_METHOD_AUTO;
			mc_result *a = mc_run(&c, &e);
			c.method = MC_METHOD_EXPLICIT;
			mc_result *x = mc_run(&c, &e);
			tap_ok(a && x && a->counts.layers_gram == 0 && counts_equal(&a->counts, &x->counts),
			       "auto, m=%zu d=%zu n=%zu, threads=%u: explicit layers, counts identical to explicit's",
			       wide[i].m, wide[i].d, wide[i].n, t);
			mc_result_free(a);
			mc_result_free(x);
		}
		mat_free(X);
	}
	/* Points in a k-dimensional subspace of R^d. */
	struct { size_t m, d, k, n; } low[] = {{200, 100, 3, 32}, {300, 60, 1, 16}};
	for (size_t i = 0; i < sizeof low / sizeof low[0]; i++) {
		rl_mat *G = inputs_gaussian(low[i].m, low[i].k, 1.0, 30 + i, &e);
		rl_mat *B = inputs_gaussian(low[i].k, low[i].d, 1.0, 40 + i, &e);
		rl_mat *X = mat_new(low[i].m, low[i].d, &e);
		for (size_t q = 0; q < low[i].m; q++)
			for (size_t j = 0; j < low[i].d; j++)
				for (size_t k = 0; k < low[i].k; k++)
					mat_row(X, q)[j] += mat_row(G, q)[k] * mat_row(B, k)[j];
		rl_net_spec s = make_spec(4, low[i].n, low[i].d, LAW_NORMAL, LAW_ZERO, 88 + i);
		mc_config ca = {.spec = &s, .X = X, .trials = 1, .method = MC_METHOD_AUTO};
		mc_config cg = ca;
		cg.method = MC_METHOD_GRAM;
		mc_plan pa, pg;
		int ok = mci_plan_init(&pa, &ca, &e) == 0 && mci_plan_init(&pg, &cg, &e) == 0;
		tap_ok(ok && pa.have_basis1 && pg.have_basis1 && pa.rank1 == low[i].k && pa.rank1 == pg.rank1 &&
		       pa.coords1_ld == pg.coords1_ld && mci_layer_uses_gram(&pa, 1, low[i].m) &&
		       !memcmp(pa.coords1, pg.coords1, low[i].m * pa.coords1_ld * sizeof(double)) &&
		       !memcmp(pa.rank_after1, pg.rank_after1, low[i].m * sizeof(size_t)),
		       "auto, m=%zu points of rank %zu in R^%zu: layer 1 by Gram, with gram's basis",
		       low[i].m, low[i].k, low[i].d);
		mci_plan_free(&pa);
		mci_plan_free(&pg);
		mat_free(G);
		mat_free(B);
		mat_free(X);
	}
}

/* kernel_preact_single (a single-precision net's reference pre-activations,
 * forward.c) on every kernel path against its definition, the scalar chain
 * z_j = b_j, then z_j + w_ji h_i for i = 0 .. p - 1: fused (fmaf) on the
 * FMA paths, a product then a sum on the portable one. Shapes cross the
 * kernel's units (8 neurons, blocks of 32 points, the padding); values
 * span magnitudes so that the two roundings and the one differ. */
static void test_preact_single(void)
{
	static const size_t shapes[][3] = {   /* n, p, m */
		{1, 1, 1}, {3, 5, 17}, {8, 16, 32}, {9, 7, 33}, {17, 50, 70}, {64, 64, 64}, {5, 300, 3},
	};
	kernel_path paths[] = {KERNEL_PATH_BASE, KERNEL_PATH_AVX2, KERNEL_PATH_AVX512};
	for (int pa = 0; pa < 3; pa++) {
		if (kernel_set_path(paths[pa])) {
			tap_ok(1, "# SKIP kernel_preact_single on the %s path: not available",
			       kernel_path_name(paths[pa]));
			continue;
		}
		int fused = kernel_single_fused(), equal = 1, differ = 0;
		for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
			size_t n = shapes[sh][0], p = shapes[sh][1], m = shapes[sh][2];
			size_t pad = kernel_pad_single(m);
			float *W = malloc(n * p * sizeof *W), *b = malloc(n * sizeof *b);
			float *H = calloc(p * pad, sizeof *H), *Z = malloc(n * pad * sizeof *Z);
			uint64_t x = 88172645463325252ull + sh;
			for (size_t k = 0; k < n * p + n + p * m; k++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				float v = (float)((double)(x >> 11) * 0x1p-53 * 2.0 - 1.0) *
				          (float)(1u << (x % 9));   /* magnitudes 1 to 256 */
				if (k < n * p)
					W[k] = v;
				else if (k < n * p + n)
					b[k - n * p] = v;
				else
					H[(k - n * p - n) / m * pad + (k - n * p - n) % m] = v;
			}
			kernel_preact_single()(W, b, n, p, H, pad, m, Z, pad);
			for (size_t j = 0; j < n; j++)
				for (size_t r = 0; r < m; r++) {
					float z = b[j], unfused = b[j];
					for (size_t i = 0; i < p; i++) {
						z = fused ? fmaf(W[j * p + i], H[i * pad + r], z)
						          : z + W[j * p + i] * H[i * pad + r];
						unfused = unfused + W[j * p + i] * H[i * pad + r];
					}
					equal &= memcmp(&z, &Z[j * pad + r], sizeof z) == 0;
					differ |= fused && z != unfused;
				}
			free(W);
			free(b);
			free(H);
			free(Z);
		}
		tap_ok(equal, "kernel_preact_single on the %s path: every z the scalar %s chain, bit for bit",
		       kernel_path_name(paths[pa]), fused ? "fused (fmaf)" : "product-then-sum");
		if (fused)
			tap_ok(differ, "the %s path's test values tell a fused chain from an unfused one",
			       kernel_path_name(paths[pa]));
	}
	kernel_set_path(KERNEL_PATH_AUTO);
}

/* A run of s on X (explicit, 60 trials, two threads) on every kernel
 * path, and when generators is set on every generator path, against the
 * reference net_create + net_death, trial for trial. */
static void against_reference_paths(const rl_net_spec *s, const rl_mat *X, const char *name,
                                    int generators)
{
	rl_err e;
	mc_config cfg = {.spec = s, .X = X, .trials = 60, .threads = 2,
	                 .method = MC_METHOD_EXPLICIT, .reference = 1};
	mc_result *ref = mc_run(&cfg, &e);
	cfg.reference = 0;
	kernel_path paths[] = {KERNEL_PATH_BASE, KERNEL_PATH_AVX2, KERNEL_PATH_AVX512};
	rng_path first = generators ? RNG_PATH_SCALAR : RNG_PATH_AUTO;
	rng_path last = generators ? RNG_PATH_AVX512 : RNG_PATH_AUTO;
	for (int p = 0; p < 3; p++) {
		if (kernel_set_path(paths[p])) {
			tap_diag("kernel path %s not available here", kernel_path_name(paths[p]));
			continue;
		}
		for (rng_path rp = first; rp <= last; rp++) {
			if (rng_set_path(rp))
				continue;
			mc_result *fast = mc_run(&cfg, &e);
			tap_ok(ref && fast && counts_equal(&ref->counts, &fast->counts),
			       "%s: %s kernels%s%s equal net_death trial for trial", name,
			       kernel_path_name(paths[p]), generators ? " with the generator " : "",
			       generators ? rng_path_name(rp) : "");
			mc_result_free(fast);
		}
		rng_set_path(RNG_PATH_AUTO);
	}
	kernel_set_path(KERNEL_PATH_AUTO);
	mc_result_free(ref);
}

/* The fused kernels (every ISA path) against the reference net_death. */
static void test_against_reference(void)
{
	rl_err e;
	rl_mat *X = inputs_gaussian(50, 4, 1.0, 10, &e);
	rl_mat *Xw = inputs_gaussian(300, 40, 1.0, 12, &e);
	struct { rl_net_spec s; const rl_mat *X; const char *name; } cases[4];
	static size_t w1[12], w2[6];
	/* small layers drawn in groups (mc_draw.c), with a wide one between
	 * them and groups that end where the next layer would not fit */
	static size_t w3[6] = {3, 40, 3, 3, 12, 2};
	for (int l = 0; l < 12; l++)
		w1[l] = (size_t)(2 + l % 4);
	for (int l = 0; l < 6; l++)
		w2[l] = l == 0 ? 70 : 33;
	cases[0].s = make_spec(12, 3, 4, LAW_NORMAL, LAW_NORMAL, 5);
	cases[0].s.widths = w1;
	cases[0].X = X;
	cases[0].name = "narrow mixed widths, normal biases";
	cases[1].s = make_spec(10, 5, 4, LAW_UNIFORM, LAW_ZERO, 6);
	cases[1].s.widths = widths_buf;
	cases[1].X = X;
	cases[1].name = "uniform weights, zero bias";
	cases[2].s = make_spec(6, 33, 40, LAW_LAPLACE, LAW_LAPLACE, 7);
	cases[2].s.widths = w2;
	cases[2].X = Xw;
	cases[2].name = "wide layers (BLAS), laplace";
	cases[3].s = make_spec(6, 3, 4, LAW_NORMAL, LAW_NORMAL, 8);
	cases[3].s.widths = w3;
	cases[3].X = X;
	cases[3].name = "small layers drawn in groups around a wide one, normal biases";
	for (int c = 0; c < 4; c++)
		against_reference_paths(&cases[c].s, cases[c].X, cases[c].name, 0);
	/* precision = "single": small layers drawn in groups
	 * (rng_normal_streams_float) against net_create's per-layer draws, on
	 * every kernel and generator path */
	for (int k = 0; k < 4; k++) {
		int c = k < 2 ? 0 : 3, zero_bias = k % 2;
		rl_net_spec s = cases[c].s;
		s.precision = PRECISION_SINGLE;
		if (zero_bias)
			s.bias = (rl_law){LAW_ZERO, SCALE_FIXED, 0.0};
		char name[160];
		snprintf(name, sizeof name, "single, %s%s", cases[c].name, zero_bias ? " (here zero)" : "");
		against_reference_paths(&s, cases[c].X, name, 1);
	}
	/* the drawn parameters themselves, bit for bit: a worker's small layers
	 * (drawn in groups) against net_draw_layer(_single) layer by layer, in
	 * order and after jumps back, for both precisions and bias laws */
	for (int k = 0; k < 8; k++) {
		int c = k % 4 < 2 ? 0 : 3, zero_bias = k % 2, single = k >= 4;
		rl_net_spec s = cases[c].s;
		s.precision = single ? PRECISION_SINGLE : PRECISION_DOUBLE;
		if (zero_bias)
			s.bias = (rl_law){LAW_ZERO, SCALE_FIXED, 0.0};
		mc_config cfg = {.spec = &s, .X = cases[c].X, .trials = 10, .threads = 1,
		                 .method = MC_METHOD_EXPLICIT};
		for (rng_path rp = RNG_PATH_SCALAR; rp <= RNG_PATH_AVX512; rp++) {
			if (rng_set_path(rp))
				continue;
			mc_plan pl;
			mc_worker w;
			memset(&w, 0, sizeof w);
			int ok = mci_plan_init(&pl, &cfg, &e) == 0;
			w.plan = &pl;
			ok = ok && pl.single == single && mci_draw_init(&w.draw, &pl, &e) == 0 && w.draw.buf;
			size_t big = 2 * 40 * 40;
			double *Wd = calloc(big, sizeof *Wd), *bd = calloc(big, sizeof *bd);
			float *Wf = calloc(big, sizeof *Wf), *bf = calloc(big, sizeof *bf);
			w.W = calloc(big, sizeof *w.W);
			w.b = calloc(big, sizeof *w.b);
			w.W_single = calloc(big, sizeof *w.W_single);
			w.b_single = calloc(big, sizeof *w.b_single);
			ok = ok && Wd && bd && Wf && bf && w.W && w.b && w.W_single && w.b_single;
			static const size_t order[] = {1, 2, 3, 4, 5, 6, 3, 1, 6, 2, 5, 4};
			for (uint64_t t = 1; ok && t <= 6; t++)
				for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
					size_t l = order[i] <= s.depth ? order[i] : s.depth;
					size_t n = s.widths[l - 1], wn = n * net_fan_in(&s, l);
					const void *W, *b;   /* floats when the plan is single */
					mci_draw_layer(&w, t, l, &W, &b);
					if (single) {
						net_draw_layer_single(&s, t, l, Wf, bf);
						ok &= !memcmp(W, Wf, wn * sizeof *Wf) && !memcmp(b, bf, n * sizeof *bf);
					} else {
						net_draw_layer(&s, t, l, Wd, bd);
						ok &= !memcmp(W, Wd, wn * sizeof *Wd) && !memcmp(b, bd, n * sizeof *bd);
					}
				}
			tap_ok(ok, "%s, %s%s, %s generator: the worker's layer draws equal net_draw_layer%s bit for bit",
			       single ? "single" : "double", cases[c].name, zero_bias ? " (here zero)" : "",
			       rng_path_name(rp), single ? "_single" : "");
			free(Wd);
			free(bd);
			free(Wf);
			free(bf);
			free(w.W);
			free(w.b);
			free(w.W_single);
			free(w.b_single);
			mci_draw_free(&w.draw);
			mci_plan_free(&pl);
		}
		rng_set_path(RNG_PATH_AUTO);
	}
	/* trial i alone (shard i of T) is net_create(spec, i) + net_death */
	rl_net_spec s = make_spec(6, 3, 4, LAW_NORMAL, LAW_ZERO, 99);
	int ok = 1;
	for (uint64_t i = 1; i <= 20; i++) {
		mc_config cfg = {.spec = &s, .X = X, .trials = 20, .threads = 1, .method = MC_METHOD_EXPLICIT,
		                 .shard_index = i, .shard_count = 20};
		mc_result *r = mc_run(&cfg, &e);
		rl_net *net = net_create(&s, i, &e);
		rl_death_report *d = net_death(net, X, &e);
		ok &= r->first_trial == i && r->counts.trials == 1 && r->counts.living_sum == d->living;
		for (size_t l = 0; l < s.depth; l++)
			ok &= r->counts.layers[l].points_living == d->layers[l].living;
		death_report_free(d);
		net_free(net);
		mc_result_free(r);
	}
	tap_ok(ok, "trial i of a run is net_create(spec, i): same living points at every layer (20 trials)");
	mat_free(X);
	mat_free(Xw);
}

/* Other architectures go through net_create + net_death. */
static void test_other_arch(void)
{
	rl_err e;
	rl_mat *X = inputs_gaussian(16, 4, 1.0, 3, &e);
	rl_net_spec s = make_spec(12, 4, 4, LAW_NORMAL, LAW_ZERO, 8);
	s.arch = ARCH_RESIDUAL;
	mc_result *r = run(&s, X, 500, MC_METHOD_AUTO, MC_STATS_ALL, 2);
	tap_ok(r && r->counts.alive_trials == 500 && r->counts.trials_reference == 500,
	       "residual nets run through the reference path and all live");
	mc_result_free(r);
	mat_free(X);
}

/* mc{alignment=true}: per-layer cosine sums, exact across threads. */
static void test_alignment(void)
{
	rl_err e;
	rl_mat *X = inputs_gaussian(16, 32, 1.0, 4, &e);
	rl_net_spec s = make_spec(10, 32, 32, LAW_NORMAL, LAW_ZERO, 12);
	mc_config c = {.spec = &s, .X = X, .trials = 60, .threads = 1, .alignment = 1};
	mc_result *a = mc_run(&c, &e);
	c.threads = 2;
	c.chunk = 3;
	mc_result *b = mc_run(&c, &e);
	int same = a && b;
	for (size_t l = 0; same && l < s.depth; l++)
		same &= a->counts.alignment->sum[l] == b->counts.alignment->sum[l] &&
		        a->counts.alignment->trials[l] == b->counts.alignment->trials[l];
	tap_ok(same, "alignment sums are identical for 1 and 2 threads");
	int rising = 1;
	for (size_t l = 2; l <= s.depth; l++)
		rising &= alignment_sum_mean(a->counts.alignment, l) > alignment_sum_mean(a->counts.alignment, l - 1);
	tap_ok(rising, "the mean living-pair cosine rises with depth (%.3f -> %.3f)",
	       alignment_sum_mean(a->counts.alignment, 1), alignment_sum_mean(a->counts.alignment, s.depth));
	tap_ok(a->align_predicted && fabs(a->align_predicted[0] - alignment_sum_mean(a->counts.alignment, 1)) < 0.1,
	       "layer 1 is near the arc-cosine prediction");
	mc_result_free(a);
	mc_result_free(b);
	mat_free(X);
}

/* ---- interrupts, progress, errors ------------------------------------------------------- */

static int interrupt_after(const mc_progress *p, void *ctx)
{
	int *calls = ctx;
	(*calls)++;
	if (p->done > 0 && !p->final)
		rl_interrupt_request();
	return 0;
}

static int count_final(const mc_progress *p, void *ctx)
{
	if (p->final)
		(*(int *)ctx)++;
	return 0;
}

static int stop_now(const mc_progress *p, void *ctx)
{
	(void)p;
	(*(int *)ctx)++;
	return 1;
}

static void test_interrupt(void)
{
	rl_err e;
	rl_mat *X = inputs_gaussian(256, 64, 1.0, 3, &e);
	rl_net_spec s = make_spec(20, 64, 64, LAW_NORMAL, LAW_ZERO, 8);
	int calls = 0;
	mc_config c = {.spec = &s, .X = X, .trials = 100000000, .threads = 2, .method = MC_METHOD_EXPLICIT,
	               .progress = interrupt_after, .progress_ctx = &calls, .progress_interval = 0.02};
	mc_result *r = mc_run(&c, &e);
	tap_ok(r && r->interrupted && r->counts.trials > 0 && r->counts.trials < c.trials,
	       "an interrupt returns a partial result marked interrupted (%llu trials)",
	       r ? (unsigned long long)r->counts.trials : 0ull);
	tap_ok(!rl_interrupted(), "the interrupt is consumed, so the session goes on");
	mc_summary S;
	mc_summarize(r, &S);
	tap_ok(S.fraction >= 0 && S.fraction <= 1 && r->counts.layers[0].trials_reaching == r->counts.trials,
	       "the partial counts are consistent");
	mc_result_free(r);
	calls = 0;
	c.progress = stop_now;
	r = mc_run(&c, &e);
	tap_ok(r && r->interrupted && calls >= 1, "a progress callback returning non-zero stops the run");
	mc_result_free(r);
	c.trials = 50;
	calls = 0;
	c.progress = count_final;
	r = mc_run(&c, &e);
	tap_ok(r && !r->interrupted && r->counts.trials == 50 && calls == 1,
	       "a run completes with exactly one final progress call");
	mc_result_free(r);
	rl_interrupt_clear();
	mat_free(X);
}

static void test_errors(void)
{
	rl_err e;
	rl_mat *X = inputs_gaussian(4, 3, 1.0, 3, &e);
	rl_net_spec s = make_spec(3, 2, 2, LAW_NORMAL, LAW_ZERO, 8);
	mc_config c = {.spec = &s, .X = X, .trials = 10};
	tap_ok(!mc_run(&c, &e) && strstr(e.msg, "dimension 3") && strstr(e.msg, "input is 2"),
	       "X of the wrong dimension: %s", e.msg);
	s.input = 3;
	c.trials = 0;
	tap_ok(!mc_run(&c, &e) && strstr(e.msg, "trials"), "trials = 0: %s", e.msg);
	c.trials = 10;
	s.weights.kind = LAW_UNIFORM;
	c.method = MC_METHOD_GRAM;
	tap_ok(!mc_run(&c, &e) && strstr(e.msg, "gram") && strstr(e.msg, "uniform"),
	       "gram with uniform weights: %s", e.msg);
	c.method = MC_METHOD_AUTO;
	c.shard_index = 3;
	c.shard_count = 2;
	tap_ok(!mc_run(&c, &e) && strstr(e.msg, "shard"), "shard {3, 2}: %s", e.msg);
	mat_free(X);
}

int main(void)
{
	test_helpers();
	test_single_point();
	test_layer_survival();
	test_finite_set();
	test_shrinking();
	test_orthant();
	test_methods_agree();
	test_reproducible();
	test_auto_basis();
	test_against_reference();
	test_preact_single();
	test_small_layers();
	test_other_arch();
	test_alignment();
	test_interrupt();
	test_errors();
	return tap_done();
}

/* test_core.c: the engine's networks, input sets and death reports: the
 * reference forward pass, reproducibility, the single-point law and the
 * mean living fraction (theory.md §3.1, §3.3), and error handling. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "relush/alloc.h"
#include "relush/death.h"
#include "relush/inputs.h"
#include "relush/net.h"

static size_t widths_35[] = {3, 1, 4, 2, 5};
static size_t widths_2x10[] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2};

static rl_net_spec spec_of(size_t *widths, size_t depth, size_t input, rl_law w, rl_law b)
{
	rl_net_spec s = {depth, input, widths, w, b, ARCH_PLAIN, 1, PRECISION_DOUBLE};
	return s;
}

static double lower_of(const size_t *w, size_t k)
{
	double p = 1.0;
	for (size_t l = 0; l < k; l++)
		p *= 1.0 - ldexp(1.0, -(int)w[l]);
	return p;
}

/* Fraction of T nets (trials 0..T-1 of one seed) in which the point lives. */
static double single_point_rate(rl_net_spec *s, const rl_mat *X, size_t T)
{
	size_t living = 0;
	for (size_t t = 0; t < T; t++) {
		rl_err e;
		rl_net *net = net_create(s, t, &e);
		rl_death_report *r = net_death(net, X, &e);
		living += r->living;
		death_report_free(r);
		net_free(net);
	}
	return (double)living / (double)T;
}

static void test_single_point_law(void)
{
	const rl_law laws[] = {{LAW_NORMAL, SCALE_HE, 0}, {LAW_UNIFORM, SCALE_HE, 0}, {LAW_LAPLACE, SCALE_HE, 0}};
	const rl_law biases[] = {{LAW_ZERO, SCALE_FIXED, 0}, {LAW_NORMAL, SCALE_FIXED, 0.5}};
	const size_t T = 20000;
	rl_err e;
	for (int shape = 0; shape < 2; shape++) {
		size_t *w = shape ? widths_2x10 : widths_35, k = shape ? 10 : 5;
		size_t d = 3;
		rl_mat *X = inputs_gaussian(1, d, 1.0, 99, &e);
		for (int li = 0; li < 3; li++)
			for (int bi = 0; bi < 2; bi++) {
				rl_net_spec s = spec_of(w, k, d, laws[li], biases[bi]);
				s.seed = 1000 + 10 * (uint64_t)li + (uint64_t)bi + 100 * (uint64_t)shape;
				double want = lower_of(w, k), got = single_point_rate(&s, X, T);
				char what[160];
				snprintf(what, sizeof what, "single-point law, %s, %s weights, %s bias",
				         shape ? "(n,k)=(2,10)" : "widths {3,1,4,2,5}", law_name(laws[li].kind),
				         biases[bi].kind == LAW_ZERO ? "zero" : "normal");
				tap_sigma(got, want, sqrt(want * (1 - want) / (double)T), 4.0, what);
			}
		mat_free(X);
	}
}

/* E[F] = L for any finite X without degenerate points (theory.md §3.3). */
static void test_mean_fraction(void)
{
	rl_err e;
	size_t w[8] = {3, 3, 3, 3, 3, 3, 3, 3};
	rl_mat *X = inputs_gaussian(64, 2, 1.0, 5, &e);
	rl_net_spec s = spec_of(w, 8, 2, (rl_law){LAW_NORMAL, SCALE_HE, 0}, (rl_law){LAW_ZERO, SCALE_FIXED, 0});
	s.seed = 77;
	const size_t T = 20000;
	double sum = 0, sumsq = 0;
	for (size_t t = 0; t < T; t++) {
		rl_net *net = net_create(&s, t, &e);
		rl_death_report *r = net_death(net, X, &e);
		double F = (double)r->living / (double)r->points;
		sum += F;
		sumsq += F * F;
		death_report_free(r);
		net_free(net);
	}
	double mean = sum / (double)T, var = (sumsq / (double)T - mean * mean) * (double)T / (double)(T - 1);
	tap_sigma(mean, lower_of(w, 8), sqrt(var / (double)T), 4.0, "mean living fraction = L on 64 Gaussian points, n=3, k=8");
	mat_free(X);
}

static void test_reproducible(void)
{
	rl_err e;
	size_t w[3] = {5, 4, 3};
	rl_net_spec s = spec_of(w, 3, 2, (rl_law){LAW_LAPLACE, SCALE_HE, 0}, (rl_law){LAW_UNIFORM, SCALE_FIXED, 0.3});
	s.seed = 42;
	rl_net *a = net_create(&s, 0, &e), *b = net_create(&s, 0, &e), *c;
	int same = 1;
	for (size_t l = 1; l <= 3; l++) {
		same &= memcmp(a->W[l - 1], b->W[l - 1], w[l - 1] * net_fan_in(&s, l) * sizeof(double)) == 0;
		same &= memcmp(a->b[l - 1], b->b[l - 1], w[l - 1] * sizeof(double)) == 0;
	}
	tap_ok(same, "same seed gives bit-identical weights and biases");
	s.seed = 43;
	c = net_create(&s, 0, &e);
	tap_ok(memcmp(a->W[0], c->W[0], 10 * sizeof(double)) != 0, "a different seed gives different weights");
	rl_net *d = net_create(&s, 1, &e);
	tap_ok(memcmp(c->W[0], d->W[0], 10 * sizeof(double)) != 0, "a different trial gives different weights");
	rl_net *cl = net_clone(a, &e);
	tap_ok(cl && memcmp(cl->W[2], a->W[2], 12 * sizeof(double)) == 0 && cl->b[1][3] == a->b[1][3],
	       "net_clone copies every parameter");
	net_free(a); net_free(b); net_free(c); net_free(d); net_free(cl);
}

/* The empirical variance of the drawn weights matches each law's default
 * scale (variance 2/fan_in). */
static void test_law_scales(void)
{
	rl_err e;
	size_t w[1] = {400};
	const rl_law_kind kinds[] = {LAW_NORMAL, LAW_UNIFORM, LAW_LAPLACE};
	const double kurt[] = {3.0, 1.8, 6.0};
	for (int i = 0; i < 3; i++) {
		rl_net_spec s = spec_of(w, 1, 250, (rl_law){kinds[i], SCALE_HE, 0}, (rl_law){LAW_ZERO, SCALE_FIXED, 0});
		rl_net *net = net_create(&s, 0, &e);
		size_t n = 400 * 250;
		double m2 = 0;
		for (size_t j = 0; j < n; j++)
			m2 += net->W[0][j] * net->W[0][j];
		m2 /= (double)n;
		double want = 2.0 / 250.0, se = want * sqrt((kurt[i] - 1.0) / (double)n);
		char what[80];
		snprintf(what, sizeof what, "%s weights have variance 2/fan_in", law_name(kinds[i]));
		tap_sigma(m2, want, se, 4.0, what);
		net_free(net);
	}
	rl_law g = {LAW_NORMAL, SCALE_GLOROT, 0};
	tap_rel(law_param(&g, 100, 300), sqrt(2.0 / 400.0), 1e-15, "glorot sd is sqrt(2/(fan_in+fan_out))");
	rl_law u = {LAW_UNIFORM, SCALE_HE, 0};
	tap_rel(law_param(&u, 6, 1), 1.0, 1e-15, "he-uniform bound is sqrt(6/fan_in)");
	rl_law lp = {LAW_LAPLACE, SCALE_HE, 0};
	tap_rel(law_param(&lp, 4, 1), 0.5, 1e-15, "laplace scale is sqrt(1/fan_in)");
}

static void test_death_semantics(void)
{
	rl_err e;
	/* A hand-made net: layer 1 (2 neurons) kills x = (-1, -1) and keeps (1, 1). */
	size_t w[2] = {2, 1};
	rl_net_spec s = spec_of(w, 2, 2, (rl_law){LAW_NORMAL, SCALE_HE, 0}, (rl_law){LAW_ZERO, SCALE_FIXED, 0});
	rl_net *net = net_create(&s, 0, &e);
	double W1[] = {1, 1, 2, 1}, W2[] = {-1, 1};
	memcpy(net->W[0], W1, sizeof W1);
	memcpy(net->W[1], W2, sizeof W2);
	rl_mat *X = mat_new(3, 2, &e);
	double pts[] = {-1, -1, 1, 1, 1, 3};
	memcpy(X->data, pts, sizeof pts);
	/* (1,1): z1 = (2, 3) -> h1 = (2,3), z2 = 1 > 0: living.
	 * (1,3): z1 = (4, 5) -> z2 = 1: living. (-1,-1): dies at layer 1. */
	rl_death_report *r = net_death(net, X, &e);
	tap_ok(r->dead_at[0] == 1 && r->dead_at[1] == 0 && r->dead_at[2] == 0, "dead_at marks the killing layer");
	tap_ok(r->living == 2 && r->layers[0].reaching == 3 && r->layers[0].living == 2 &&
	       r->layers[1].reaching == 2, "per-layer reaching and living counts");
	tap_ok(r->layers[0].active[0] == 2 && r->layers[0].active[1] == 2 && r->layers[0].dead_neurons == 0,
	       "active counts are over the reaching points");
	net->W[1][1] = -1; /* z2 = -h1 - h2 < 0 on every living point */
	death_report_free(r);
	r = net_death(net, X, &e);
	tap_ok(r->living == 0 && r->dead_at[1] == 2 && r->layers[1].dead_neurons == 1, "a dead layer kills every point");
	death_report_free(r);
	/* with a positive bias, a dead point would be revived; it stays dead */
	net->b[1][0] = 10.0;
	net->W[1][0] = -100;
	r = net_death(net, X, &e);
	tap_ok(r->dead_at[0] == 1, "a dead point stays dead even when a bias would revive it");
	rl_mat *out = net_forward(net, X, &e);
	tap_ok(out && out->rows == 3 && out->cols == 1 && out->data[0] == 10.0,
	       "forward is the true network function (the bias revives the output)");
	mat_free(out);
	death_report_free(r);
	net_free(net);
	mat_free(X);
}

static void test_errors(void)
{
	rl_err e;
	size_t w[2] = {4, 4};
	rl_net_spec s = spec_of(w, 2, 3, (rl_law){LAW_NORMAL, SCALE_HE, 0}, (rl_law){LAW_ZERO, SCALE_FIXED, 0});
	rl_net *net = net_create(&s, 0, &e);
	rl_mat *X = inputs_gaussian(5, 2, 1.0, 1, &e);
	tap_ok(net_death(net, X, &e) == NULL && strstr(e.msg, "dimension 2") != NULL,
	       "dimension mismatch is refused: %s", e.msg);
	size_t big[2] = {10000000, 10000000};
	rl_net_spec huge = spec_of(big, 2, 10000000, s.weights, s.bias);
	tap_ok(net_create(&huge, 0, &e) == NULL && strstr(e.msg, "memory") != NULL,
	       "a net larger than memory is refused at once: %s", e.msg);
	tap_ok(inputs_gaussian((size_t)1e9, 1000, 1.0, 1, &e) == NULL && strstr(e.msg, "limit") != NULL,
	       "an input set larger than memory is refused: %s", e.msg);
	size_t resw[2] = {4, 5};
	rl_net_spec res = spec_of(resw, 2, 4, s.weights, s.bias);
	res.arch = ARCH_RESIDUAL;
	tap_ok(net_spec_validate(&res, &e) == -1 && strstr(e.msg, "residual") != NULL,
	       "residual with unequal widths is refused: %s", e.msg);
	tap_ok(inputs_load("/nonexistent/x.csv", &e) == NULL && strstr(e.msg, "cannot read") != NULL && strstr(e.msg, "no such file") != NULL,
	       "missing file: %s", e.msg);
	char path[] = "/tmp/relush-test-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fputs("# comment\n1, 2\n3 4\n5,x6\n", f);
	fclose(f);
	tap_ok(inputs_load(path, &e) == NULL && strstr(e.msg, ":4:3:") != NULL,
	       "malformed file gives line and column: %s", e.msg);
	f = fopen(path, "w");
	fputs("1,2\n\n3;4 # two\n5 6\n", f);
	fclose(f);
	rl_mat *Y = inputs_load(path, &e);
	tap_ok(Y && Y->rows == 3 && Y->cols == 2 && Y->data[5] == 6.0, "CSV, semicolons, blanks and comments load");
	f = fopen(path, "w");
	fputs("1,2\n3\n", f);
	fclose(f);
	tap_ok(inputs_load(path, &e) == NULL && strstr(e.msg, ":2:") != NULL, "ragged rows are refused: %s", e.msg);
	tap_ok(inputs_save(X, path, &e) == 0, "save writes the file");
	rl_mat *Z = inputs_load(path, &e);
	tap_ok(Z && memcmp(Z->data, X->data, 10 * sizeof(double)) == 0, "save then load round-trips exactly");
	unlink(path);
	mat_free(X); mat_free(Y); mat_free(Z);
	net_free(net);
}

static void test_inputs(void)
{
	rl_err e;
	rl_mat *O = inputs_orthant(3, 5.0, &e);
	tap_ok(O->rows == 4 && O->data[0] == 0 && mat_row(O, 2)[1] == 5.0 && mat_row(O, 2)[0] == 0,
	       "orthant set is 0 and R e_i");
	rl_mat *S = inputs_sphere(10, 4, 3, &e);
	double norm = 0;
	for (int j = 0; j < 4; j++)
		norm += mat_row(S, 7)[j] * mat_row(S, 7)[j];
	tap_rel(norm, 1.0, 1e-14, "sphere points have norm 1");
	rl_mat *Sh = inputs_shrink(S, 0.0, &e);
	tap_ok(memcmp(mat_row(Sh, 9), mat_row(S, 0), 4 * sizeof(double)) == 0, "shrink by 0 collapses to the first point");
	rl_mat *U = inputs_uniform(1000, 2, -2, 3, 9, &e);
	int inside = 1;
	for (size_t i = 0; i < 2000; i++)
		inside &= U->data[i] > -2 && U->data[i] < 3;
	tap_ok(inside, "uniform points lie in the box");
	mat_free(O); mat_free(S); mat_free(Sh); mat_free(U);
}

int main(void)
{
	test_death_semantics();
	test_reproducible();
	test_law_scales();
	test_inputs();
	test_errors();
	test_single_point_law();
	test_mean_fraction();
	return tap_done();
}

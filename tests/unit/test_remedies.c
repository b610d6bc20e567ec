/* test_remedies.c: the paper's remedies in the engine: the
 * sign-flip guarantee (theory.md §8, §10.2 item 7), the architectures' forward
 * semantics and death rates (theory.md §7, §10.2 item 8), and the alignment of
 * representations against the arc-cosine prediction (theory.md §6.2), with a
 * tolerance derived from the finite-width fluctuations of the cosine. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "relush/alignment.h"
#include "relush/death.h"
#include "relush/flip.h"
#include "relush/inputs.h"
#include "relush/net.h"
#include "relush/rng.h"

static const rl_law HE = {LAW_NORMAL, SCALE_HE, 0.0};
static const rl_law ZERO = {LAW_ZERO, SCALE_FIXED, 0.0};

static rl_net_spec spec_of(size_t *widths, size_t depth, size_t input, rl_law w, rl_law b,
                           rl_arch arch, uint64_t seed)
{
	rl_net_spec s = {depth, input, widths, w, b, arch, seed, PRECISION_DOUBLE};
	return s;
}

static double lower_of(const size_t *w, size_t k)
{
	double p = 1.0;
	for (size_t l = 0; l < k; l++)
		p *= 1.0 - ldexp(1.0, -(int)w[l]);
	return p;
}

/* A small integer in [lo, hi] from the rng. */
static size_t pick(rl_rng *r, size_t lo, size_t hi)
{
	double u;
	rng_uniform(r, &u, 1);
	size_t v = lo + (size_t)(u * (double)(hi - lo + 1));
	return v > hi ? hi : v;
}

/* Each neuron of b is the same as in a, or negated as a whole (weights are
 * continuous, so the first weight tells which). */
static int neurons_equal_or_negated(const rl_net *a, const rl_net *b)
{
	for (size_t l = 1; l <= a->spec.depth; l++) {
		size_t n = a->spec.widths[l - 1], fan = net_fan_in(&a->spec, l);
		const double *wa = a->W[l - 1], *wb = b->W[l - 1];
		for (size_t j = 0; j < n; j++) {
			double sign = wb[j * fan] == wa[j * fan] ? 1.0 : -1.0;
			if (b->b[l - 1][j] != sign * a->b[l - 1][j])
				return 0;
			for (size_t i = 0; i < fan; i++)
				if (wb[j * fan + i] != sign * wa[j * fan + i])
					return 0;
		}
	}
	return 1;
}

static int same_report(const rl_death_report *a, const rl_death_report *b)
{
	if (a->living != b->living || a->points != b->points)
		return 0;
	for (size_t i = 0; i < a->points; i++)
		if (a->dead_at[i] != b->dead_at[i])
			return 0;
	for (size_t l = 0; l < a->depth; l++)
		if (a->layers[l].reaching != b->layers[l].reaching ||
		    a->layers[l].living != b->layers[l].living ||
		    a->layers[l].dead_neurons != b->layers[l].dead_neurons)
			return 0;
	return 1;
}

/* ---- sign flipping ------------------------------------------------------------ */

/* theory.md §10.2 item 7 over 1000 random nets and input sets: widths 1..4 per
 * layer, depth 1..20, input dimension 1..4, 2..64 Gaussian points, zero
 * and random biases, three weight laws, plain/skip/batchnorm. */
static void test_flip_guarantee(void)
{
	const rl_law laws[] = {HE, {LAW_UNIFORM, SCALE_HE, 0}, {LAW_LAPLACE, SCALE_HE, 0}};
	const rl_arch archs[] = {ARCH_PLAIN, ARCH_PLAIN, ARCH_SKIP, ARCH_BATCHNORM};
	size_t below_floor = 0, layer_halved = 0, ties = 0, mismatch = 0, not_negation = 0;
	size_t before_wrong = 0, failures = 0, nets = 1000;
	double worst_margin = INFINITY;
	rl_rng r;
	rng_init(&r, 606, 0, 1);
	for (size_t t = 0; t < nets; t++) {
		size_t widths[20], depth = pick(&r, 1, 20), d = pick(&r, 1, 4), m = pick(&r, 2, 64);
		for (size_t l = 0; l < depth; l++)
			widths[l] = pick(&r, 1, 4);
		rl_law bias = t % 2 ? (rl_law){LAW_NORMAL, SCALE_FIXED, 0.5} : ZERO;
		rl_net_spec s = spec_of(widths, depth, d, laws[t % 3], bias, archs[t % 4], 7000 + t);
		rl_err e;
		rl_net *net = net_create(&s, t, &e), *orig = net ? net_clone(net, &e) : NULL;
		rl_mat *X = inputs_gaussian(m, d, 1.0, 8000 + t, &e);
		rl_death_report *unflipped = orig ? net_death(orig, X, &e) : NULL;
		rl_flip_report *fr = unflipped ? net_flip(net, X, 1, &e) : NULL;
		rl_death_report *check = fr ? net_death(net, X, &e) : NULL;
		if (!check) {
			failures++;
			tap_diag("net %zu failed: %s", t, e.msg);
		} else {
			double F = (double)fr->death->living / (double)m, floor_k = flip_floor(depth);
			below_floor += F < floor_k;
			if (F / floor_k < worst_margin)
				worst_margin = F / floor_k;
			for (size_t l = 0; l < depth; l++) {
				const rl_layer_stats *st = &fr->death->layers[l];
				layer_halved += 2 * st->living < st->reaching;
				ties += fr->layers[l].ties;
				before_wrong += fr->layers[l].living_before != unflipped->layers[l].living;
			}
			before_wrong += fr->living_before != unflipped->living;
			mismatch += !same_report(fr->death, check);
			not_negation += !neurons_equal_or_negated(orig, net);
		}
		death_report_free(check);
		flip_report_free(fr);
		death_report_free(unflipped);
		mat_free(X);
		net_free(orig);
		net_free(net);
	}
	tap_ok(failures == 0, "flip: all %zu random nets evaluated", nets);
	tap_ok(below_floor == 0, "flip: living fraction >= 2^-k in every one of %zu nets "
	       "(violations %zu, smallest F / 2^-k = %.3g)", nets, below_floor, worst_margin);
	tap_ok(layer_halved == 0, "flip: every layer keeps at least half of its living points "
	       "(violations %zu)", layer_halved);
	tap_ok(ties == 0, "flip: no exact-zero pre-activations on Gaussian inputs (%zu)", ties);
	tap_ok(mismatch == 0, "flip: the report's death report is net_death of the flipped net "
	       "(%zu differ)", mismatch);
	tap_ok(not_negation == 0, "flip: every neuron is kept or negated as a whole (%zu nets not)",
	       not_negation);
	tap_ok(before_wrong == 0, "flip: living_before is net_death of the unflipped net (%zu differ)",
	       before_wrong);
}

/* Width 1, zero bias: after layer 1 (at least half of X lives) every
 * living point sits on one ray, so the flip keeps all of them forever. */
static void test_flip_width_one(void)
{
	size_t widths[20], failures = 0, first_short = 0, changed = 0, nets = 200;
	for (size_t l = 0; l < 20; l++)
		widths[l] = 1;
	for (size_t t = 0; t < nets; t++) {
		size_t depth = 2 + t % 19, m = 5 + t % 60, d = 1 + t % 4;
		rl_net_spec s = spec_of(widths, depth, d, HE, ZERO, ARCH_PLAIN, 31);
		rl_err e;
		rl_net *net = net_create(&s, t, &e);
		rl_mat *X = inputs_gaussian(m, d, 1.0, 900 + t, &e);
		rl_flip_report *fr = net && X ? net_flip(net, X, 0, &e) : NULL;
		if (!fr) {
			failures++;
		} else {
			size_t first = fr->death->layers[0].living;
			first_short += 2 * first < m;
			for (size_t l = 1; l < depth; l++)
				changed += fr->death->layers[l].living != first;
		}
		flip_report_free(fr);
		mat_free(X);
		net_free(net);
	}
	tap_ok(failures == 0, "flip width 1: all nets evaluated");
	tap_ok(first_short == 0, "flip width 1: at least half of X lives after layer 1 (%zu short)",
	       first_short);
	tap_ok(changed == 0, "flip width 1: the living count after layer 1 is kept at every "
	       "later depth (%zu layers changed it)", changed);
}

/* x = 0 with zero biases is inactive under either sign: counted as ties,
 * and the tie form of the guarantee ceil((reaching - ties) / 2) holds. */
static void test_flip_ties(void)
{
	size_t widths[] = {3, 2, 2, 1, 3};
	rl_net_spec s = spec_of(widths, 5, 2, HE, ZERO, ARCH_PLAIN, 5);
	rl_err e;
	size_t violations = 0, zero_living = 0, ties_seen = 0;
	for (size_t t = 0; t < 50; t++) {
		rl_net *net = net_create(&s, t, &e);
		rl_mat *X = inputs_gaussian(7, 2, 1.0, 40 + t, &e);
		X->data[0] = X->data[1] = 0.0;   /* point 1 is the origin */
		rl_flip_report *fr = net_flip(net, X, 0, &e);
		zero_living += fr->death->dead_at[0] != 1;
		ties_seen += fr->layers[0].ties;
		for (size_t l = 0; l < 5; l++) {
			const rl_layer_stats *st = &fr->death->layers[l];
			size_t ties = fr->layers[l].ties;
			size_t floor = st->reaching > ties ? (st->reaching - ties + 1) / 2 : 0;
			violations += st->living < floor;
		}
		flip_report_free(fr);
		mat_free(X);
		net_free(net);
	}
	tap_ok(zero_living == 0, "flip ties: the origin dies at layer 1 whatever the signs");
	tap_ok(ties_seen == 50 * 3, "flip ties: the origin's 3 zero pre-activations are counted "
	       "as ties in each of 50 nets (%zu)", ties_seen);
	tap_ok(violations == 0, "flip ties: each layer keeps ceil((reaching - ties) / 2) (%zu "
	       "violations)", violations);
}

static void test_flip_errors(void)
{
	size_t widths[] = {3, 3};
	rl_net_spec s = spec_of(widths, 2, 3, HE, ZERO, ARCH_PLAIN, 9);
	rl_err e;
	rl_net *net = net_create(&s, 0, &e), *orig = net_clone(net, &e);
	rl_mat *X = inputs_gaussian(5, 4, 1.0, 1, &e);
	rl_flip_report *fr = net_flip(net, X, 1, &e);
	tap_ok(!fr && strstr(e.msg, "dimension 4") && strstr(e.msg, "expects 3"),
	       "flip on a dimension mismatch fails: %s", e.msg);
	tap_ok(memcmp(net->W[0], orig->W[0], 9 * sizeof(double)) == 0, "a failed flip leaves the net as it was");
	mat_free(X);
	net_free(net);
	s.arch = ARCH_BATCHNORM;
	net = net_create(&s, 0, &e);
	X = inputs_gaussian(1, 3, 1.0, 1, &e);
	fr = net_flip(net, X, 0, &e);
	tap_ok(!fr && strstr(e.msg, "at least 2 points"), "batchnorm on one point fails: %s", e.msg);
	rl_death_report *d = net_death(net, X, &e);
	tap_ok(!d && strstr(e.msg, "batchnorm"), "net_death refuses it too: %s", e.msg);
	mat_free(X);
	net_free(net);
	net_free(orig);
	tap_ok(flip_floor(10) == 0.0009765625, "flip_floor(10) = 2^-10 (theory.md §10.1)");
}

/* ---- architectures ------------------------------------------------------------ */

/* An independent reference forward pass for one point, written from theory.md §7
 * §5 (skip: the concatenation of every h_l; batchnorm needs the batch and
 * is checked separately). */
static void reference_point(const rl_net *net, const double *x, double *out)
{
	const rl_net_spec *s = &net->spec;
	double h[256], z[64];
	size_t cur = s->input, col = 0;
	memcpy(h, x, cur * sizeof *h);
	for (size_t l = 1; l <= s->depth; l++) {
		size_t n = s->widths[l - 1], fan = net_fan_in(s, l);
		for (size_t j = 0; j < n; j++) {
			double acc = net->b[l - 1][j];
			for (size_t i = 0; i < fan; i++)
				acc += net->W[l - 1][j * fan + i] * h[i];
			z[j] = acc > 0 ? acc : 0;
		}
		if (s->arch == ARCH_RESIDUAL)
			for (size_t j = 0; j < n; j++)
				h[j] += z[j];
		else if (s->arch == ARCH_DENSE) {
			memcpy(h + cur, z, n * sizeof *h);
			cur += n;
		} else {
			memcpy(h, z, n * sizeof *h);
			cur = n;
		}
		if (s->arch == ARCH_SKIP) {
			memcpy(out + col, z, n * sizeof *out);
			col += n;
		}
	}
	if (s->arch != ARCH_SKIP)
		memcpy(out, h, cur * sizeof *out);
}

static void test_arch_forward(void)
{
	const rl_arch archs[] = {ARCH_PLAIN, ARCH_RESIDUAL, ARCH_DENSE, ARCH_SKIP};
	size_t equal[] = {4, 4, 4}, mixed[] = {3, 5, 2};
	rl_err e;
	for (int a = 0; a < 4; a++) {
		size_t *w = archs[a] == ARCH_RESIDUAL ? equal : mixed;
		rl_net_spec s = spec_of(w, 3, 4, HE, (rl_law){LAW_NORMAL, SCALE_FIXED, 0.3}, archs[a], 77);
		rl_net *net = net_create(&s, 0, &e);
		rl_mat *X = inputs_gaussian(6, 4, 1.0, 5, &e);
		rl_mat *out = net_forward(net, X, &e);
		double worst = 0.0, want[256];
		int shape_ok = out->cols == net_output_width(&s);
		for (size_t i = 0; i < X->rows && shape_ok; i++) {
			reference_point(net, mat_row(X, i), want);
			for (size_t c = 0; c < out->cols; c++)
				worst = fmax(worst, fabs(mat_row(out, i)[c] - want[c]));
		}
		tap_ok(shape_ok && worst < 1e-12, "%s forward matches the theory.md §7 formula (%zu outputs, "
		       "worst %.2g)", arch_name(archs[a]), out->cols, worst);
		mat_free(out);
		mat_free(X);
		net_free(net);
	}
	/* batch norm: every neuron's pre-activations centred and scaled over X */
	size_t w[] = {5, 3};
	rl_net_spec s = spec_of(w, 2, 3, HE, ZERO, ARCH_BATCHNORM, 3);
	rl_net *net = net_create(&s, 0, &e);
	rl_mat *X = inputs_gaussian(10, 3, 1.0, 2, &e);
	rl_mat *out = net_forward(net, X, &e);
	double H[10][5], worst = 0.0;
	for (size_t i = 0; i < 10; i++)
		memcpy(H[i], mat_row(X, i), 3 * sizeof(double));
	size_t cur = 3;
	for (size_t l = 1; l <= 2; l++) {
		size_t n = w[l - 1];
		double Z[10][5];
		for (size_t j = 0; j < n; j++) {
			double mean = 0, var = 0;
			for (size_t i = 0; i < 10; i++) {
				Z[i][j] = 0;
				for (size_t k = 0; k < cur; k++)
					Z[i][j] += net->W[l - 1][j * cur + k] * H[i][k];
				mean += Z[i][j] / 10;
			}
			for (size_t i = 0; i < 10; i++)
				var += (Z[i][j] - mean) * (Z[i][j] - mean) / 10;
			for (size_t i = 0; i < 10; i++)
				Z[i][j] = fmax(0.0, (Z[i][j] - mean) / sqrt(var + 1e-5));
		}
		for (size_t i = 0; i < 10; i++)
			memcpy(H[i], Z[i], n * sizeof(double));
		cur = n;
	}
	for (size_t i = 0; i < 10; i++)
		for (size_t j = 0; j < 3; j++)
			worst = fmax(worst, fabs(mat_row(out, i)[j] - H[i][j]));
	tap_ok(worst < 1e-12, "batchnorm forward normalises each neuron over X (worst %.2g)", worst);
	mat_free(out);
	mat_free(X);
	/* a batch of equal points is refused: every column would be constant
	 * and every point die at layer 1 whatever the weights */
	X = mat_new(8, 3, &e);
	for (size_t i = 0; i < 8; i++) {
		mat_row(X, i)[0] = 0.1;
		mat_row(X, i)[1] = 0.7;
		mat_row(X, i)[2] = 1.0 / 3.0;
	}
	{
		rl_net *n2 = net_create(&s, 0, &e);
		rl_death_report *r = net_death(n2, X, &e);
		tap_ok(r == NULL && strstr(e.msg, "2 distinct points") != NULL,
		       "batchnorm on 8 copies of one point is refused: %s", r ? "(accepted)" : e.msg);
		death_report_free(r);
		net_free(n2);
	}
	/* distinct points that differ only in coordinate 0, which layer 1's
	 * weights ignore: every layer-1 column is constant and must normalise
	 * to exactly 0, so every point dies at layer 1 and no unit is active */
	for (size_t i = 0; i < 8; i++)
		mat_row(X, i)[0] = 0.1 * (double)(i + 1);
	size_t loud = 0, dead_first = 0;
	for (size_t t = 0; t < 40; t++) {
		rl_net *n2 = net_create(&s, t, &e);
		for (size_t j = 0; j < s.widths[0]; j++)
			n2->W[0][j * 3] = 0.0;
		rl_death_report *r = net_death(n2, X, &e);
		loud += r->layers[0].has_active_unit;
		for (size_t i = 0; i < 8; i++)
			dead_first += r->dead_at[i] == 1;
		death_report_free(r);
		net_free(n2);
	}
	tap_ok(loud == 0 && dead_first == 8 * 40, "batchnorm on equal points: constant neurons "
	       "normalise to exactly 0 (active layers %zu, points dead at 1: %zu of 320)", loud, dead_first);
	mat_free(X);
	net_free(net);
}

/* Mean and standard error of per-net living fractions. */
typedef struct frac_stats {
	double sum, sum_sq;
	size_t nets, alive_nets, all_living_nets, every_layer_active;
} frac_stats;

static frac_stats death_stats(rl_net_spec *s, const rl_mat *X, size_t T)
{
	frac_stats f = {0};
	for (size_t t = 0; t < T; t++) {
		rl_err e;
		rl_net *net = net_create(s, t, &e);
		rl_death_report *r = net_death(net, X, &e);
		double F = (double)r->living / (double)r->points;
		f.sum += F;
		f.sum_sq += F * F;
		f.nets++;
		f.alive_nets += r->living > 0;
		f.all_living_nets += r->living == r->points;
		int every = 1;
		for (size_t l = 0; l < r->depth; l++)
			every &= r->layers[l].has_active_unit;
		f.every_layer_active += every;
		death_report_free(r);
		net_free(net);
	}
	return f;
}

static double frac_mean(const frac_stats *f) { return f->sum / (double)f->nets; }
static double frac_se(const frac_stats *f)
{
	double n = (double)f->nets, m = frac_mean(f);
	return sqrt(fmax(0.0, (f->sum_sq / n - m * m) / (n - 1.0)));
}

/* theory.md §10.2 item 8: n = 4, m = 64 Gaussian points in d = 4. */
static void test_arch_death(void)
{
	size_t w[32];
	for (size_t l = 0; l < 32; l++)
		w[l] = 4;
	rl_err e;
	rl_mat *X = inputs_gaussian(64, 4, 1.0, 808, &e);
	const size_t T = 400, k = 16;
	const rl_law biases[] = {ZERO, {LAW_NORMAL, SCALE_FIXED, 0.5}};
	for (int bi = 0; bi < 2; bi++) {
		const char *b = bi ? "normal bias" : "zero bias";
		/* each architecture its own seed, so the checks are independent */
		rl_net_spec s = spec_of(w, k, 4, HE, biases[bi], ARCH_RESIDUAL, 1100 + (uint64_t)bi);
		frac_stats f = death_stats(&s, X, T);
		tap_ok(f.all_living_nets == T, "residual (%s): P(alive) = 1 and F = 1 in all %zu nets (%zu)",
		       b, T, f.all_living_nets);
		s.arch = ARCH_DENSE;
		s.seed += 10;
		f = death_stats(&s, X, T);
		tap_ok(f.all_living_nets == T, "dense (%s): P(alive) = 1 and F = 1 in all %zu nets (%zu)",
		       b, T, f.all_living_nets);
		s.arch = ARCH_SKIP;
		s.seed += 10;
		f = death_stats(&s, X, T);
		tap_sigma(frac_mean(&f), 1.0 - 1.0 / 16.0, frac_se(&f), 4.0,
		          bi ? "skip (normal bias): mean F = 1 - 2^-n_1 = 0.9375"
		             : "skip (zero bias): mean F = 1 - 2^-n_1 = 0.9375");
		s.arch = ARCH_BATCHNORM;
		s.seed += 10;
		f = death_stats(&s, X, T);
		tap_ok(f.every_layer_active == T, "batchnorm (%s): every layer keeps an active unit "
		       "in all %zu nets (%zu)", b, T, f.every_layer_active);
		tap_sigma(frac_mean(&f), lower_of(w, k), frac_se(&f), 4.0,
		          bi ? "batchnorm (normal bias): strict mean F = L_16"
		             : "batchnorm (zero bias): strict mean F = L_16");
		s.arch = ARCH_PLAIN;
		s.seed += 10;
		f = death_stats(&s, X, T);
		tap_sigma(frac_mean(&f), lower_of(w, k), frac_se(&f), 4.0,
		          bi ? "plain control (normal bias): mean F = L_16"
		             : "plain control (zero bias): mean F = L_16");
	}
	mat_free(X);
}

/* ---- alignment ------------------------------------------------------------------- */

static void test_alignment_map(void)
{
	/* theory.md §6.2: the iterates from c = 0 */
	const double want[] = {0.3183, 0.4937, 0.6048, 0.6810, 0.7359};
	double c = 0.0;
	int ok = 1;
	for (int i = 0; i < 5; i++) {
		c = alignment_map(c);
		ok &= fabs(c - want[i]) < 5e-5;
	}
	tap_ok(ok, "arc-cosine map iterates from 0: 0.3183 0.4937 0.6048 0.6810 0.7359");
	c = 0.0;
	double at[33];
	for (int i = 1; i <= 32; i++)
		at[i] = c = alignment_map(c);
	tap_ok(fabs(at[8] - 0.8344) < 5e-5 && fabs(at[16] - 0.9295) < 5e-5 && fabs(at[32] - 0.9747) < 5e-5,
	       "arc-cosine map: 0.8344 at 8, 0.9295 at 16, 0.9747 at 32 (%.4f %.4f %.4f)",
	       at[8], at[16], at[32]);
	tap_ok(alignment_map(1.0) == 1.0 && alignment_map(-1.0) == 0.0, "f(1) = 1, f(-1) = 0");
}

/* The brute-force mean over living pairs of the cosine of their h_l: the
 * net cut after layer l, its forward output and its death report (for
 * batchnorm the forward pass runs on every point, as the pass does). */
static double brute_cosine(const rl_net *net, const rl_mat *X, size_t layer, size_t *living)
{
	rl_net_spec s;
	rl_err e;
	net_spec_copy(&s, &net->spec, &e);
	s.depth = layer;
	rl_net *head = net_create(&s, net->trial, &e);
	for (size_t l = 0; l < layer; l++) {
		size_t cnt = s.widths[l] * net_fan_in(&s, l + 1);
		memcpy(head->W[l], net->W[l], cnt * sizeof(double));
		memcpy(head->b[l], net->b[l], s.widths[l] * sizeof(double));
	}
	rl_death_report *r = net_death(head, X, &e);
	rl_mat *out = net_forward(head, X, &e);
	size_t w = out->cols;
	double sum = 0.0;
	size_t pairs = 0;
	*living = 0;
	for (size_t i = 0; i < X->rows; i++) {
		if (r->dead_at[i])
			continue;
		++*living;
		for (size_t j = i + 1; j < X->rows; j++) {
			if (r->dead_at[j])
				continue;
			const double *a = mat_row(out, i), *b = mat_row(out, j);
			double ab = 0, aa = 0, bb = 0;
			for (size_t c = 0; c < w; c++) {
				ab += a[c] * b[c];
				aa += a[c] * a[c];
				bb += b[c] * b[c];
			}
			sum += ab / sqrt(aa * bb);
			pairs++;
		}
	}
	death_report_free(r);
	mat_free(out);
	net_free(head);
	net_spec_free(&s);
	return pairs ? sum / (double)pairs : NAN;
}

static void test_alignment_measure(void)
{
	const rl_arch archs[] = {ARCH_PLAIN, ARCH_RESIDUAL, ARCH_DENSE, ARCH_BATCHNORM};
	size_t w[] = {3, 3, 3, 3, 3, 3};
	rl_err e;
	rl_mat *X = inputs_gaussian(12, 3, 1.0, 17, &e);
	for (int a = 0; a < 4; a++) {
		rl_net_spec s = spec_of(w, 6, 3, HE, ZERO, archs[a], 55);
		double worst = 0.0;
		int living_ok = 1;
		for (size_t t = 0; t < 10; t++) {
			rl_net *net = net_create(&s, t, &e);
			rl_alignment_report *r = net_alignment(net, X, &e);
			for (size_t l = 1; l <= 6; l++) {
				size_t living;
				double want = brute_cosine(net, X, l, &living);
				living_ok &= living == r->living[l - 1];
				if (isnan(want) != isnan(r->cosine[l - 1]))
					worst = INFINITY;
				else if (!isnan(want))
					worst = fmax(worst, fabs(want - r->cosine[l - 1]));
			}
			alignment_report_free(r);
			net_free(net);
		}
		tap_ok(worst < 1e-12 && living_ok, "%s alignment: the mean living-pair cosine equals "
		       "the brute-force pairwise mean (worst %.2g)", arch_name(archs[a]), worst);
	}
	mat_free(X);
}

/* The prediction with 2 points is f^l(cos); with many pairs (binned) it
 * stays within 1e-3 of the exact pair average. */
static void test_alignment_predict(void)
{
	rl_err e;
	rl_mat *X = inputs_gaussian(2, 3, 1.0, 3, &e);
	double pred[20], c0;
	size_t used;
	alignment_predict(X, 20, pred, &c0, &used, &e);
	const double *x = mat_row(X, 0), *y = mat_row(X, 1);
	double c = (x[0] * y[0] + x[1] * y[1] + x[2] * y[2]) /
	           sqrt((x[0] * x[0] + x[1] * x[1] + x[2] * x[2]) * (y[0] * y[0] + y[1] * y[1] + y[2] * y[2]));
	int ok = fabs(c0 - c) < 1e-15 && used == 2;
	for (int l = 0; l < 20; l++) {
		c = alignment_map(c);
		ok &= fabs(pred[l] - c) < 1e-15;
	}
	tap_ok(ok, "prediction for 2 points is the iterated map of their cosine");
	mat_free(X);

	X = inputs_gaussian(120, 2, 1.0, 4, &e);   /* 7140 pairs: binned */
	alignment_predict(X, 20, pred, &c0, &used, &e);
	double worst = 0.0, exact[20] = {0};
	size_t pairs = 0;
	for (size_t i = 0; i < 120; i++)
		for (size_t j = i + 1; j < 120; j++) {
			const double *a = mat_row(X, i), *b = mat_row(X, j);
			double v = (a[0] * b[0] + a[1] * b[1]) / sqrt((a[0] * a[0] + a[1] * a[1]) * (b[0] * b[0] + b[1] * b[1]));
			for (int l = 0; l < 20; l++)
				exact[l] += v = alignment_map(v);
			pairs++;
		}
	for (int l = 0; l < 20; l++)
		worst = fmax(worst, fabs(pred[l] - exact[l] / (double)pairs));
	tap_ok(worst < 1e-3, "binned prediction (7140 pairs) within 1e-3 of the exact pair average (%.2g)", worst);
	/* the map of the mean cosine is below the mean of the map (f convex) */
	tap_ok(alignment_map(c0) < pred[0], "f(mean input cosine) %.4f < mean f(cos) %.4f: the "
	       "pair average matters", alignment_map(c0), pred[0]);
	mat_free(X);

	X = mat_new(3, 2, &e);   /* one non-zero point: no pairs */
	X->data[0] = 1.0;
	alignment_predict(X, 4, pred, &c0, &used, &e);
	tap_ok(isnan(pred[0]) && isnan(c0) && used == 1, "fewer than 2 non-zero points: no prediction");
	mat_free(X);

	/* a deep net: the collapsed iteration agrees with the plain one */
	X = inputs_gaussian(40, 3, 1.0, 6, &e);
	double *deep = malloc(100000 * sizeof *deep);
	alignment_predict(X, 100000, deep, &c0, &used, &e);
	c = 0.0;
	for (int i = 0; i < 100000; i++)
		c = alignment_map(c);
	tap_ok(fabs(deep[99999] - c) < 1e-7 && deep[99999] <= 1.0,
	       "prediction at depth 1e5 (%.12f) next to the trajectory from 0 (%.12f)", deep[99999], c);
	free(deep);
	mat_free(X);
}

/* Finite-width fluctuations of one layer (normal weights). Given the
 * previous representations, a layer's pre-activations at two points are
 * n i.i.d. Gaussian pairs (u, v) with correlation rho = the previous
 * cosine, and the new cosine is c^ = S_ab / sqrt(S_aa S_bb) over a =
 * ReLU(u), b = ReLU(v). The delta method gives Var c^ = s(rho)^2 / n and
 * E c^ - f(rho) = beta(rho) / n + O(n^-2), with s and beta from the
 * moments of (ab, a^2, b^2), computed here by quadrature. */
#define NOISE_GRID 101
static double noise_sd[NOISE_GRID], noise_bias[NOISE_GRID];

static void noise_moments(double rho, double *sd, double *bias)
{
	const int N = 300;
	const double L = 8.0, h = 2.0 * L / N, s = sqrt(fmax(0.0, 1.0 - rho * rho));
	double E[3] = {0}, EE[3][3] = {{0}};
	for (int i = 0; i < N; i++) {
		double x = -L + (i + 0.5) * h, px = exp(-x * x / 2.0);
		for (int j = 0; j < N; j++) {
			double y = -L + (j + 0.5) * h, p = px * exp(-y * y / 2.0) * h * h / (2.0 * M_PI);
			double v = rho * x + s * y, a = x > 0 ? x : 0, b = v > 0 ? v : 0;
			double X[3] = {a * b, a * a, b * b};
			for (int k = 0; k < 3; k++) {
				E[k] += p * X[k];
				for (int q = 0; q < 3; q++)
					EE[k][q] += p * X[k] * X[q];
			}
		}
	}
	double A = E[0], B = E[1], C = E[2], cov[3][3];
	for (int k = 0; k < 3; k++)
		for (int q = 0; q < 3; q++)
			cov[k][q] = EE[k][q] - E[k] * E[q];
	double g[3] = {1.0 / sqrt(B * C), -0.5 * A * pow(B, -1.5) / sqrt(C), -0.5 * A / sqrt(B) * pow(C, -1.5)};
	double H[3][3] = {
		{0.0, -0.5 * pow(B, -1.5) / sqrt(C), -0.5 / sqrt(B) * pow(C, -1.5)},
		{0.0, 0.75 * A * pow(B, -2.5) / sqrt(C), 0.25 * A * pow(B, -1.5) * pow(C, -1.5)},
		{0.0, 0.0, 0.75 * A / sqrt(B) * pow(C, -2.5)}};
	H[1][0] = H[0][1];
	H[2][0] = H[0][2];
	H[2][1] = H[1][2];
	double var = 0.0, b = 0.0;
	for (int k = 0; k < 3; k++)
		for (int q = 0; q < 3; q++) {
			var += g[k] * g[q] * cov[k][q];
			b += 0.5 * H[k][q] * cov[k][q];
		}
	*sd = sqrt(fmax(var, 0.0));
	*bias = b;
}

static void noise_table(void)
{
	for (int i = 0; i < NOISE_GRID; i++)
		noise_moments(-1.0 + 2.0 * i / (NOISE_GRID - 1), &noise_sd[i], &noise_bias[i]);
}

static double noise_at(const double *table, double rho)
{
	double x = (rho + 1.0) / 2.0 * (NOISE_GRID - 1);
	int i = (int)x;
	if (i >= NOISE_GRID - 1)
		return table[NOISE_GRID - 1];
	if (i < 0)
		return table[0];
	return table[i] + (x - i) * (table[i + 1] - table[i]);
}

/* Per pair, the error e_l = c^_l - f^l(c_0) follows e_l = f'(c) e_{l-1} +
 * noise + bias to first order, with 0 <= f' <= 1, plus the curvature term
 * f''(c) Var(e_{l-1}) / 2 (f'' = 1 / (pi sqrt(1 - c^2))). Propagating the
 * variance V and the bias B of each pair along its trajectory and
 * averaging (Minkowski: sd of a mean <= mean of the sds), the mean over
 * pairs and over N nets deviates from the prediction by at most
 * 4 mean(sqrt V) / sqrt(N) + mean |B| at 4 sigma. */
static void alignment_tolerance(const rl_mat *X, size_t n, size_t depth, size_t nets, double *tol)
{
	size_t m = X->rows, pairs = 0;
	double *sd_sum = calloc(depth, sizeof *sd_sum), *bias_sum = calloc(depth, sizeof *bias_sum);
	for (size_t i = 0; i < m; i++)
		for (size_t j = i + 1; j < m; j++) {
			const double *a = mat_row(X, i), *b = mat_row(X, j);
			double ab = 0, aa = 0, bb = 0;
			for (size_t k = 0; k < X->cols; k++) {
				ab += a[k] * b[k];
				aa += a[k] * a[k];
				bb += b[k] * b[k];
			}
			double c = ab / sqrt(aa * bb), V = 0.0, B = 0.0;
			for (size_t l = 0; l < depth; l++) {
				double slope = 1.0 - acos(fmax(-1.0, fmin(1.0, c))) / M_PI;
				double curve = 1.0 / (M_PI * sqrt(fmax(1e-12, 1.0 - c * c)));
				double s = noise_at(noise_sd, c);
				B = slope * fabs(B) + fabs(noise_at(noise_bias, c)) / (double)n + 0.5 * curve * V;
				V = slope * slope * V + s * s / (double)n;
				c = alignment_map(c);
				sd_sum[l] += sqrt(V);
				bias_sum[l] += B;
			}
			pairs++;
		}
	for (size_t l = 0; l < depth; l++)
		tol[l] = 4.0 * sd_sum[l] / (double)pairs / sqrt((double)nets) + bias_sum[l] / (double)pairs;
	free(sd_sum);
	free(bias_sum);
}

/* Width 512, a few nets, a few dozen points: the measured mean cosine
 * rises with depth and follows the prediction within the derived tolerance. */
static void test_alignment_width(void)
{
	const size_t n = 512, depth = 16, nets = 4, m = 24;
	const size_t inputs[] = {512, 3};
	size_t w[16];
	for (size_t l = 0; l < depth; l++)
		w[l] = n;
	noise_table();
	rl_err e;
	for (int k = 0; k < 2; k++) {
		size_t d = inputs[k];
		rl_mat *X = inputs_gaussian(m, d, 1.0, 1234 + (uint64_t)k, &e);
		rl_net_spec s = spec_of(w, depth, d, HE, ZERO, ARCH_PLAIN, 4321 + (uint64_t)k);
		double mean[16] = {0}, pred[16], tol[16];
		int failed = 0;
		for (size_t t = 0; t < nets; t++) {
			rl_net *net = net_create(&s, t, &e);
			rl_alignment_report *r = net ? net_alignment(net, X, &e) : NULL;
			if (!r) {
				failed = 1;
				net_free(net);
				break;
			}
			for (size_t l = 0; l < depth; l++)
				mean[l] += r->cosine[l] / (double)nets;
			memcpy(pred, r->predicted, sizeof pred);
			alignment_report_free(r);
			net_free(net);
		}
		if (failed) {
			tap_ok(0, "alignment width 512: %s", e.msg);
			mat_free(X);
			continue;
		}
		alignment_tolerance(X, n, depth, nets, tol);
		int follows = 1;
		double worst_z = 0.0;
		for (size_t l = 0; l < depth; l++) {
			follows &= fabs(mean[l] - pred[l]) <= tol[l];
			worst_z = fmax(worst_z, fabs(mean[l] - pred[l]) / tol[l]);
		}
		tap_diag("d = %zu: layer, measured, predicted, tolerance", d);
		for (size_t l = 0; l < depth; l++)
			tap_diag("  %2zu  %.4f  %.4f  %.4f", l + 1, mean[l], pred[l], tol[l]);
		tap_ok(follows, "alignment width 512, input %zu: the mean cosine follows the arc-cosine "
		       "prediction at every layer within the derived tolerance (worst |gap| / tol %.2f)",
		       d, worst_z);
		const size_t at[] = {1, 2, 4, 8, 16};
		int rises = 1;
		for (int i = 1; i < 5; i++)
			rises &= mean[at[i] - 1] > mean[at[i - 1] - 1];
		tap_ok(rises, "alignment width 512, input %zu: the mean cosine rises with depth "
		       "(%.3f %.3f %.3f %.3f %.3f at 1 2 4 8 16)", d, mean[0], mean[1], mean[3], mean[7], mean[15]);
		mat_free(X);
	}
}

static void test_alignment_sums(void)
{
	rl_err e;
	rl_alignment_sum a, b, all;
	alignment_sum_init(&a, 3, &e);
	alignment_sum_init(&b, 3, &e);
	alignment_sum_init(&all, 3, &e);
	double trials[6][3] = {{0.1, 0.5, NAN}, {0.3, 0.7, 0.9}, {-0.2, 0.6, 0.95},
	                       {0.25, NAN, NAN}, {0.0, 0.55, 0.91}, {0.4, 0.65, 0.97}};
	for (int t = 0; t < 6; t++) {
		alignment_sum_add(t % 2 ? &a : &b, trials[t]);
		alignment_sum_add(&all, trials[t]);
	}
	alignment_sum_merge(&a, &b);
	int same = 1;
	for (size_t l = 0; l < 3; l++)
		same &= a.trials[l] == all.trials[l] && a.sum[l] == all.sum[l] && a.sum_sq[l] == all.sum_sq[l];
	tap_ok(same, "alignment sums: merging in another order gives identical sums");
	tap_ok(all.trials[0] == 6 && all.trials[1] == 5 && all.trials[2] == 4, "alignment sums skip NaN layers");
	tap_ok(fabs(alignment_sum_mean(&all, 1) - 0.85 / 6) < 1e-7, "alignment mean over trials");
	double m2 = (0.5 + 0.7 + 0.6 + 0.55 + 0.65) / 5, v = 0;
	for (int t = 0; t < 6; t++)
		if (!isnan(trials[t][1]))
			v += (trials[t][1] - m2) * (trials[t][1] - m2) / 4;
	tap_ok(fabs(alignment_sum_se(&all, 2) - sqrt(v / 5)) < 1e-6, "alignment standard error");
	alignment_sum_free(&a);
	alignment_sum_free(&b);
	alignment_sum_free(&all);
}

int main(void)
{
	test_flip_guarantee();
	test_flip_width_one();
	test_flip_ties();
	test_flip_errors();
	test_arch_forward();
	test_arch_death();
	test_alignment_map();
	test_alignment_measure();
	test_alignment_predict();
	test_alignment_width();
	test_alignment_sums();
	return tap_done();
}

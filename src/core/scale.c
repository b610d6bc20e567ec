/* scale.c: refuses networks and input sets whose values a double cannot
 * hold reliably (see relush/scale.h).
 *
 * Sizes are followed in log2, so the check itself never overflows: with
 * T = |h|^2 the squared norm of a point's representation, a pre-activation
 * w . h + b has second moment E z^2 = sd_w^2 T + sd_b^2 (independent,
 * centred weights and biases), and ReLU keeps half of it on average, so a
 * plain layer of n neurons gives T' = n E z^2 / 2. Residual and dense layers
 * add T' to the T they carry forward; batch norm resets the scale to
 * n / 2. This is the typical size, not a bound: random layers fluctuate
 * around it, which the margin in SCALE_LOG2_MAX absorbs. */
#include <math.h>
#include <stdio.h>
#include "relush/law.h"
#include "relush/scale.h"

/* log2(2^a + 2^b), with -INFINITY for 0. */
static double log2_add(double a, double b)
{
	if (a < b) {
		double t = a;
		a = b;
		b = t;
	}
	if (b == -INFINITY)
		return a;
	return a + log2(1.0 + exp2(b - a));
}

int scale_exponent(const double *x, size_t n)
{
	double big = 0.0;
	for (size_t i = 0; i < n; i++)
		if (fabs(x[i]) > big)
			big = fabs(x[i]);
	int ex;
	frexp(big, &ex);
	return ex;
}

/* log2 |x|^2 of a point whose squares overflow or underflow (scaled by a
 * power of two, exact); -INFINITY for the zero point. */
static double log2_norm2_scaled(const double *x, size_t d)
{
	int ex = scale_exponent(x, d);
	double s = 0.0;
	for (size_t i = 0; i < d; i++) {
		double t = ldexp(x[i], -ex);
		s += t * t;
	}
	return s == 0.0 ? -INFINITY : log2(s) + 2.0 * ex;
}

static double law_log2_sd(const rl_law *law, size_t fan, size_t n)
{
	if (law->kind == LAW_ZERO)
		return -INFINITY;
	return log2(law_sd(law->kind, law_param(law, fan, n)));
}

/* A random layer multiplies a living point's squared norm by R, E R = 1
 * for the laws' scales, but log R has a negative mean and a spread, so over
 * many narrow layers real points move far from the typical size: 0.29 of
 * an octave a layer at width 8 with normal weights, so a zero-bias net of
 * width 16 takes its points below the doubles after ~9000 layers and below
 * the floats after ~900, and reads them as dead. With normal weights the n
 * pre-activations are independent normals given the point, so exactly
 * R = (2/n) chi2_k with k ~ Bin(n, 1/2) active neurons (k >= 1: the point
 * lives), E ln chi2_k = psi(k/2) + ln 2 and Var ln chi2_k = psi'(k/2); wide
 * layers take the delta method, Var R = (4/n)(kurt/2 - 1/4), and heavier
 * laws (Laplace, kurtosis up to 6) add their excess by it. The typical size
 * less the drift and 6 sd of the spread must stay inside 2^-DRIFT_LOG2 ..
 * 2^DRIFT_LOG2 for a point's norm (floats: 2^-100, so that coordinates
 * times weights stay normal floats; doubles likewise above 2^-1022), but
 * only while a point can still be alive: with zero biases a point lives l
 * layers with probability prod (1 - 2^-n) exactly, and past 2^-50 no run
 * could see what becomes of it. Only zero-bias chains walk so: biases pull
 * a point back to their own scale (which the typical size checks), batch
 * norm resets it, residual and dense nets carry it forward. */
#define DRIFT_LOG2_SINGLE 100
#define DRIFT_LOG2_DOUBLE 980
#define DRIFT_LIVING_LOG2 (-50.0)
#define DRIFT_EXACT_WIDTH 64

static double digamma(double x)
{
	double r = 0.0;
	for (; x < 6.0; x += 1.0)
		r -= 1.0 / x;
	double f = 1.0 / (x * x);
	return r + log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f / 252));
}

static double trigamma(double x)
{
	double r = 0.0;
	for (; x < 6.0; x += 1.0)
		r += 1.0 / (x * x);
	double f = 1.0 / (x * x);
	return r + 1.0 / x + f / 2.0 + f / x * (1.0 / 6 - f * (1.0 / 30 - f / 42));
}

/* The mean and variance of ln R for a layer of n neurons, weights of
 * kurtosis kurt, given that the point lives. */
static void layer_log_ratio(size_t n, double kurt, double *mean, double *var)
{
	double excess = 4.0 / (double)n * (kurt - 3.0) / 2.0;   /* Var R beyond a normal's */
	if (n > DRIFT_EXACT_WIDTH) {
		double var_r = 4.0 / (double)n * 1.25 + excess;
		*mean = -var_r / 2.0;
		*var = var_r;
		return;
	}
	/* k ~ Bin(n, 1/2) given k >= 1 */
	double p = exp2(-(double)n), mass = 0.0, m1 = 0.0, m2 = 0.0, tri = 0.0;
	for (size_t k = 1; k <= n; k++) {
		p = p * (double)(n - k + 1) / (double)k;
		double d = digamma(k / 2.0);
		mass += p;
		m1 += p * d;
		m2 += p * d * d;
		tri += p * trigamma(k / 2.0);
	}
	m1 /= mass;
	m2 /= mass;
	tri /= mass;
	*mean = log(2.0 / (double)n) + M_LN2 + m1 - excess / 2.0;
	*var = tri + (m2 - m1 * m1) + excess;
}

/* The kurtosis of a pre-activation is at most the weights' (a point with
 * one non-zero coordinate), and at least a normal's (many of them). */
static double law_kurtosis(rl_law_kind k)
{
	return k == LAW_LAPLACE ? 6.0 : 3.0;
}

/* Follows a point of squared norm 2^t0 through the layers; fails at the
 * first layer whose typical pre-activation leaves the range. */
static int follow(const rl_net_spec *s, double t0, const char *which, rl_err *e)
{
	double t = t0;
	double drift = 0.0, spread2 = 0.0;   /* of log2 |h|^2 */
	double living = 0.0;                 /* log2 P(a point lives so far), zero biases */
	size_t last_n = 0;
	double lr_mean = 0.0, lr_var = 0.0;  /* layer_log_ratio of width last_n */
	int single = s->precision == PRECISION_SINGLE, bn = s->arch == ARCH_BATCHNORM;
	int limit = single ? (bn ? SCALE_LOG2_MAX_SINGLE_SQUARED : SCALE_LOG2_MAX_SINGLE)
	                   : (bn ? SCALE_LOG2_MAX_SQUARED : SCALE_LOG2_MAX);
	if (single && t0 != -INFINITY && fabs(t0 / 2.0) > limit)
		return rl_fail(e, "numbers out of range: the %s point of the input set (layer 1's input) "
		               "has size about 2^%.0f, outside 2^-%d .. 2^%d, where floats (precision = "
		               "\"single\") hold it reliably%s; scale the input set nearer 1 or use "
		               "precision = \"double\"", which, t0 / 2.0, limit, limit,
		               bn ? " (batch norm squares them)" : "");
	for (size_t l = 1; l <= s->depth; l++) {
		size_t n = s->widths[l - 1], fan = net_fan_in(s, l);
		double lw = law_log2_sd(&s->weights, fan, n), lb = law_log2_sd(&s->bias, fan, n);
		/* (a zero law, -INFINITY, is exact in floats; a loaded net has one,
		 * its values known only when computed: check_finite in forward.c) */
		if (single && ((lw != -INFINITY && fabs(lw) > limit) || (lb != -INFINITY && fabs(lb) > limit)))
			return rl_fail(e, "numbers out of range: layer %zu's weights sd %.3g or biases sd %.3g "
			               "is outside 2^-%d .. 2^%d, where floats (precision = \"single\") hold "
			               "them reliably%s; scale them nearer 1 or use precision = \"double\"",
			               l, exp2(lw), exp2(lb), limit, limit, bn ? " (batch norm squares them)" : "");
		double z2 = log2_add(2.0 * lw + t, 2.0 * lb);
		if (z2 == -INFINITY)
			return 0;   /* the zero point of a zero-bias net: dead, exactly */
		double size = z2 / 2.0;
		if (size > limit || size < -limit) {
			char bias[48], point[32];
			if (t0 == -INFINITY)   /* the zero point has size 0, not 2^0 */
				snprintf(point, sizeof point, "size 0");
			else
				snprintf(point, sizeof point, "size 2^%.0f", t0 / 2.0);
			if (lb == -INFINITY)
				snprintf(bias, sizeof bias, "zero biases");
			else
				snprintf(bias, sizeof bias, "biases sd %.3g", exp2(lb));
			return rl_fail(e, "numbers out of range: on the %s point of the input set "
			               "(%s), layer %zu's pre-activations would be about 2^%.0f "
			               "(weights sd %.3g, %s), outside 2^-%d .. 2^%d, where %s "
			               "hold them reliably%s; scale the input set, the weights or the "
			               "biases nearer 1 (with zero biases only the signs matter, so any "
			               "positive scale of the weights or of the points gives the same "
			               "deaths)%s",
			               which, point, l, size, exp2(lw), bias, limit,
			               limit, single ? "floats (precision = \"single\")" : "doubles",
			               bn ? " (batch norm squares them)" : "",
			               single ? ", or use precision = \"double\"" : "");
		}
		double layer = log2((double)n) + z2 - 1.0;
		if (s->arch == ARCH_BATCHNORM)
			t = log2((double)n) - 1.0;
		else if (s->arch == ARCH_DENSE)
			t = log2_add(t, layer);
		else if (s->arch == ARCH_RESIDUAL && t != -INFINITY)
			/* h + r with r = ReLU(z): |h + r|^2 = |h|^2 + 2 h.r + |r|^2, and
			 * h.r = sum h_j ReLU(z_j) reaches sqrt(n) |h| E ReLU(z) =
			 * |h| sqrt(|r|^2 / pi) when h's coordinates are all positive,
			 * as they become after a few layers (3.1 |h|^2 a layer for He) */
			t = log2_add(log2_add(t, layer), 1.0 + (t + layer) / 2.0 - 0.5 * log2(M_PI));
		else
			t = layer;   /* (a residual net's zero point: h = 0, so h + r = r) */
		/* Residual and dense nets carry the point (or the input) forward:
		 * it neither dies nor shrinks, so only the growing side counts */
		/* Only a zero-bias chain walks: batch norm resets the scale every
		 * layer, residual and dense nets carry the point forward (the
		 * residual bound above already takes the largest growth), and
		 * biases pull a point back to their own scale. */
		int walks = (s->arch == ARCH_PLAIN || s->arch == ARCH_SKIP) && s->bias.kind == LAW_ZERO;
		if (!walks || t == -INFINITY || living < DRIFT_LIVING_LOG2)
			continue;
		living += log1p(-exp2(-(double)n)) / M_LN2;
		if (n != last_n) {
			layer_log_ratio(n, law_kurtosis(s->weights.kind), &lr_mean, &lr_var);
			last_n = n;
		}
		drift -= lr_mean / M_LN2;
		spread2 += lr_var / (M_LN2 * M_LN2);
		double low = (t - drift - 6.0 * sqrt(spread2)) / 2.0, high = (t - drift + 6.0 * sqrt(spread2)) / 2.0;
		int range = single ? DRIFT_LOG2_SINGLE : DRIFT_LOG2_DOUBLE;
		int shrinks = low < -range;
		if (shrinks || high > range)
			return rl_fail(e, "numbers out of range: in %s the %s point of the input set may reach "
			               "a size of 2^%.0f by layer %zu (the typical size 2^%.0f moved by the "
			               "drift and spread of %zu random layers of width about %zu, 6 sd), outside "
			               "2^-%d .. 2^%d, where %s hold points reliably; %s",
			               single ? "float32 (precision = \"single\")" : "doubles", which,
			               shrinks ? low : high, l, t / 2.0, l, n, range,
			               range, single ? "floats" : "doubles",
			               single ? "use precision = \"double\" (or fewer or wider layers)"
			                      : shrinks ? "use fewer or wider layers, or biases (they keep "
			                                  "points from shrinking without bound)"
			                                : "use fewer or narrower layers");
	}
	return 0;
}

int net_check_scale(const rl_net_spec *s, const rl_mat *X, rl_err *e)
{
	/* One pass per point of ordinary size: net_death checks its input set on
	 * every call, once per trial in reference Monte Carlo runs. Squared norms
	 * in range are compared as they are, the rest in log2. */
	double lo = INFINITY, hi = -INFINITY, lo2 = INFINITY, hi2 = 0.0;
	int zero = 0;
	for (size_t q = 0; q < X->rows; q++) {
		const double *x = mat_row(X, q);
		double n2 = 0.0;
		for (size_t i = 0; i < X->cols; i++)
			n2 += x[i] * x[i];
		if (n2 >= 0x1p-900 && n2 <= 0x1p900) {   /* finite, and ordinary */
			lo2 = n2 < lo2 ? n2 : lo2;
			hi2 = n2 > hi2 ? n2 : hi2;
			continue;
		}
		for (size_t i = 0; i < X->cols; i++)
			if (!isfinite(x[i]))
				return rl_fail(e, "the input set has a non-finite coordinate (%g at point %zu, "
				               "coordinate %zu); every coordinate must be a finite number",
				               x[i], q + 1, i + 1);
		double t = log2_norm2_scaled(x, X->cols);
		if (t == -INFINITY) {
			zero = 1;
			continue;
		}
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	if (hi2 > 0.0) {
		lo = fmin(lo, log2(lo2));
		hi = fmax(hi, log2(hi2));
	}
	/* A zero point's size is the biases'. */
	if (zero && follow(s, -INFINITY, "zero", e))
		return -1;
	if (hi == -INFINITY)
		return 0;
	if (follow(s, hi, "largest", e))
		return -1;
	return lo < hi ? follow(s, lo, "smallest non-zero", e) : 0;
}

/* Whether float32 resolves the input set's geometry: rounding moves each
 * coordinate by up to 2^-24 of the point's size, so the points' offsets from
 * one another are distorted by 2^-24 times size / spread. Sets whose largest
 * point is more than PRECISION_AUTO_RATIO times their spread (shrunk sets,
 * far-off clusters) keep double, where that distortion would approach the
 * rate of sign disagreements the engine allows (1e-5). */
#define PRECISION_AUTO_RATIO 64.0

static int resolved_in_floats(const rl_mat *X)
{
	size_t m = X->rows, d = X->cols;
	if (m < 2)
		return 1;   /* one point: no geometry to keep */
	double size2 = 0.0, spread2 = 0.0;
	for (size_t i = 0; i < d; i++) {
		double c = 0.0;
		for (size_t q = 0; q < m; q++)
			c += mat_row(X, q)[i];
		c /= (double)m;
		for (size_t q = 0; q < m; q++) {
			double t = mat_row(X, q)[i] - c;
			spread2 += t * t;
		}
	}
	spread2 /= (double)m;
	for (size_t q = 0; q < m; q++) {
		double n2 = 0.0;
		for (size_t i = 0; i < d; i++)
			n2 += mat_row(X, q)[i] * mat_row(X, q)[i];
		size2 = n2 > size2 ? n2 : size2;
	}
	/* (copies of one point: no geometry either) */
	return spread2 == 0.0 || size2 <= PRECISION_AUTO_RATIO * PRECISION_AUTO_RATIO * spread2;
}

rl_precision precision_for_inputs(const rl_net_spec *s, const rl_mat *X)
{
	rl_net_spec single = *s;
	single.precision = PRECISION_SINGLE;
	rl_err e;   /* (what single would refuse runs in double, or is refused there) */
	if (net_check_scale(&single, X, &e) || !resolved_in_floats(X))
		return PRECISION_DOUBLE;
	return PRECISION_SINGLE;
}

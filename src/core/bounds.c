/* bounds.c: the paper's bounds in log space (theory.md §3 to §5; see bounds.h for
 * the accuracy contract). Every product of factors 1 - 2^-e goes through one
 * accumulator, so lower and upper bounds, per-layer tables and schedules
 * share the same careful arithmetic. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "relush/bounds.h"
#include "relush/interrupt.h"

/* ---- the accumulator ------------------------------------------------------
 * Holds log prod (1 - 2^-e)^count. Terms with e < 54 are summed with
 * Neumaier compensation. For e >= 54, log1p(-2^-e) = -2^-e to within half an
 * ulp (the next term is 2^-2e / 2), and 2^-e may be subnormal or 0, so these
 * are kept exactly as tail_s * 2^-tail_m and only rounded once at the end.
 * While the product's fraction fits in 53 bits (sum of e * count <= 53) it is
 * also formed directly, which is exact. */
typedef struct acc {
	double sum, comp;
	long double lsum, lcomp; /* the same sum in long double, for the value */
	double tail_s, tail_m;
	double bits;
	double exact;
} acc;

#define SMALL_EXP 54.0
#define EXACT_BITS 53.0

static void acc_init(acc *a)
{
	memset(a, 0, sizeof *a);
	a->exact = 1.0;
}

static void neumaier(double *sum, double *comp, double x)
{
	double t = *sum + x;
	if (fabs(*sum) >= fabs(x))
		*comp += (*sum - t) + x;
	else
		*comp += (x - t) + *sum;
	*sum = t;
}

static void neumaier_long(long double *sum, long double *comp, long double x)
{
	long double t = *sum + x;
	if (fabsl(*sum) >= fabsl(x))
		*comp += (*sum - t) + x;
	else
		*comp += (x - t) + *sum;
	*sum = t;
}

/* ldexp with a double exponent clamped to a range where the result is 0 or
 * exact anyway, so exponents of 1e12 do not overflow the int argument. */
static double ldexp_clamped(double x, double exponent)
{
	if (exponent < -4000.0)
		exponent = -4000.0;
	if (exponent > 4000.0)
		exponent = 4000.0;
	return ldexp(x, (int)exponent);
}

static void tail_add(acc *a, double e, double count)
{
	if (a->tail_s == 0.0) {
		a->tail_s = count;
		a->tail_m = e;
	} else if (e < a->tail_m) {
		a->tail_s = ldexp_clamped(a->tail_s, e - a->tail_m) + count;
		a->tail_m = e;
	} else {
		a->tail_s += ldexp_clamped(count, a->tail_m - e);
	}
}

/* Multiplies the product by (1 - 2^-e)^count; e >= 1 integer, count >= 0. */
static void acc_add(acc *a, double e, double count)
{
	if (count <= 0.0)
		return;
	a->bits += e * count;
	if (a->bits <= EXACT_BITS) {
		double f = 1.0 - ldexp(1.0, -(int)e);
		for (double i = 0; i < count; i++)
			a->exact *= f;
	}
	if (e < SMALL_EXP) {
		neumaier(&a->sum, &a->comp, count * log1p(-ldexp(1.0, -(int)e)));
		neumaier_long(&a->lsum, &a->lcomp, (long double)count * log1pl(-ldexpl(1.0L, -(int)e)));
	} else
		tail_add(a, e, count);
}

static int acc_is_exact(const acc *a) { return a->bits <= EXACT_BITS; }

static double acc_log(const acc *a)
{
	double sum = a->sum, comp = a->comp;
	if (a->tail_s != 0.0)
		neumaier(&sum, &comp, -ldexp_clamped(a->tail_s, -a->tail_m));
	return sum + comp;
}

/* exp of the log: an absolute error d in the log is a relative error d in the
 * value, and |log| reaches 745 before underflow, so a double log (error ~|log|
 * 2^-53) would cost up to 2e-13. The long double sum (64-bit significand on
 * x86) keeps it near 1e-16; see bounds.h for the contract. */
static double acc_value(const acc *a)
{
	if (acc_is_exact(a))
		return a->exact;
	long double log_value = a->lsum + a->lcomp;
	if (a->tail_s != 0.0)
		log_value -= ldexpl((long double)a->tail_s, (int)fmax(-20000.0, -a->tail_m));
	return (double)expl(log_value);
}

static double acc_death(const acc *a)
{
	/* 1 - exact is exact too: its fraction has no more bits than exact's. */
	return acc_is_exact(a) ? 1.0 - a->exact : 0.0 - expm1(acc_log(a));  /* 0.0 - : never -0 */
}

/* -log(1 - 2^-n): a layer's contribution to the hazard sum. */
static double neg_log_survival(double n)
{
	if (n < SMALL_EXP)
		return -log1p(-ldexp(1.0, -(int)n));
	return ldexp_clamped(1.0, -n);
}

/* ---- argument checks ------------------------------------------------------- */
int bound_check_count(double v, double min, const char *what, rl_err *e)
{
	if (isnan(v))
		return rl_fail(e, "%s must be a finite integer >= %.0f, got nan", what, min);
	if (isinf(v))
		return rl_fail(e, "%s must be a finite integer >= %.0f, got %s", what, min,
		               v > 0 ? "inf" : "-inf");
	if (v != floor(v))
		return rl_fail(e, "%s must be an integer >= %.0f, got %.17g", what, min, v);
	if (v < min)
		return rl_fail(e, "%s must be an integer >= %.0f, got %.17g", what, min, v);
	return 0;
}

int bound_check_prob(double p, const char *what, rl_err *e)
{
	if (isnan(p))
		return rl_fail(e, "%s must be a probability strictly between 0 and 1, got nan", what);
	if (!(p > 0.0 && p < 1.0))
		return rl_fail(e, "%s must be a probability strictly between 0 and 1, got %.17g",
		               what, p);
	return 0;
}

/* ---- lower bound ------------------------------------------------------------ */
static void lower_acc(acc *a, const size_t *widths, size_t k)
{
	acc_init(a);
	for (size_t l = 0; l < k; l++)
		acc_add(a, (double)widths[l], 1.0);
}

double bound_log_lower(const size_t *widths, size_t k)
{
	acc a;
	lower_acc(&a, widths, k);
	return acc_log(&a);
}

double bound_lower(const size_t *widths, size_t k)
{
	acc a;
	lower_acc(&a, widths, k);
	return acc_value(&a);
}

double bound_death(const size_t *widths, size_t k)
{
	acc a;
	lower_acc(&a, widths, k);
	return acc_death(&a);
}

/* The lower bound's accumulator for k layers of width n each. */
static void uniform_acc(acc *a, double n, double k)
{
	acc_init(a);
	acc_add(a, n, k);
}

double bound_log_lower_uniform(double n, double k)
{
	acc a;
	uniform_acc(&a, n, k);
	return acc_log(&a);
}

double bound_lower_uniform(double n, double k)
{
	acc a;
	uniform_acc(&a, n, k);
	if (acc_is_exact(&a))
		return a.exact;
	/* 1 - 2^-n is exact for n <= 53 and pow's internal extra precision
	 * beats exp(k log1p(..)) when |log L| is large. */
	if (n < SMALL_EXP)
		return pow(1.0 - ldexp(1.0, -(int)n), k);
	return acc_value(&a);
}

double bound_death_uniform(double n, double k)
{
	acc a;
	uniform_acc(&a, n, k);
	return acc_death(&a);
}

/* ---- upper bound ----------------------------------------------------------- */
static void upper_acc(acc *a, const size_t *widths, size_t k, double d, int orthant,
                      int zero_bias)
{
	double plus = zero_bias ? 0.0 : 1.0;
	acc_init(a);
	for (size_t l = orthant ? 0 : 1; l < k; l++) {
		double fan_in = l ? (double)widths[l - 1] : d;
		acc_add(a, (double)widths[l] * (fan_in + plus), 1.0);
	}
}

double bound_log_upper(const size_t *widths, size_t k, double d, int orthant, int zero_bias)
{
	acc a;
	upper_acc(&a, widths, k, d, orthant, zero_bias);
	return acc_log(&a);
}

double bound_upper(const size_t *widths, size_t k, double d, int orthant, int zero_bias)
{
	acc a;
	upper_acc(&a, widths, k, d, orthant, zero_bias);
	return acc_value(&a);
}

static void upper_uniform_acc(acc *a, double n, double k, double d, int orthant,
                              int zero_bias)
{
	double plus = zero_bias ? 0.0 : 1.0;
	acc_init(a);
	if (k >= 1.0 && orthant)
		acc_add(a, n * (d + plus), 1.0);
	if (k >= 2.0)
		acc_add(a, n * (n + plus), k - 1.0);
}

double bound_log_upper_uniform(double n, double k, double d, int orthant, int zero_bias)
{
	acc a;
	upper_uniform_acc(&a, n, k, d, orthant, zero_bias);
	return acc_log(&a);
}

double bound_upper_uniform(double n, double k, double d, int orthant, int zero_bias)
{
	acc a;
	upper_uniform_acc(&a, n, k, d, orthant, zero_bias);
	return acc_value(&a);
}

/* ---- union bound -------------------------------------------------------------- */
static double union_of(double lower, double log_lower, double m)
{
	if (log(m) + log_lower >= 0.0)
		return 1.0;
	if (lower >= DBL_MIN)
		return fmin(1.0, m * lower);
	return exp(log(m) + log_lower);
}

double bound_union(const size_t *widths, size_t k, double m)
{
	acc a;
	lower_acc(&a, widths, k);
	return union_of(acc_value(&a), acc_log(&a), m);
}

double bound_union_uniform(double n, double k, double m)
{
	return union_of(bound_lower_uniform(n, k), bound_log_lower_uniform(n, k), m);
}

/* ---- sign-flip guarantee ------------------------------------------------------- */
double bound_flip_fraction(double k) { return ldexp_clamped(1.0, -k); }
double bound_log_flip_fraction(double k) { return -k * 0.69314718055994530942; }

/* ---- sandwich ------------------------------------------------------------------ */
/* exp(-2 ln2 S) is written 2^(-2S): exact when S is a small dyadic. */
static void sandwich_fill(double sum, double value, bound_sandwich *out)
{
	out->sum = sum;
	out->lower = exp2(-2.0 * sum);
	out->value = value;
	out->upper = exp(-sum);
}

void bound_sandwich_of(const size_t *widths, size_t k, bound_sandwich *out)
{
	double sum = 0.0, comp = 0.0;
	for (size_t l = 0; l < k; l++)
		neumaier(&sum, &comp, ldexp_clamped(1.0, -(double)widths[l]));
	sandwich_fill(sum + comp, bound_lower(widths, k), out);
}

void bound_sandwich_uniform(double n, double k, bound_sandwich *out)
{
	sandwich_fill(ldexp_clamped(k, -n), bound_lower_uniform(n, k), out);
}

/* ---- whole-space count ------------------------------------------------------------ */
/* 2^-n sum_{i<=j} C(n, i) for n <= 62 with exact integers (Pascal's row). */
static void space_exact(unsigned n, unsigned j, bound_space *out)
{
	uint64_t row[64] = {1};
	for (unsigned r = 1; r <= n; r++)
		for (unsigned i = r; i > 0; i--)
			row[i] += row[i - 1];
	uint64_t below = 0;
	for (unsigned i = 0; i <= j; i++)
		below += row[i];
	uint64_t all = (uint64_t)1 << n;
	out->p = ldexp((double)below, -(int)n);
	out->q = ldexp((double)(all - below), -(int)n);
	out->log_p = log(out->p);
}

/* Beyond this many terms the sum runs from i = j downwards (below). */
#define SPACE_FORWARD_TERMS 10000000.0
#define SPACE_BACKWARD_TERMS 20000000.0

/* The same for large j: 2^-n C(n, j) sum_k t_k with t_0 = 1 and t_{k+1} =
 * t_k (j-k)/(n-j+k+1), a ratio below 1 and falling, so the terms shrink at
 * least geometrically and the sum stops when they no longer count.
 * log(2^-n C(n, j)) comes from Stirling's series, written in u = (n-2j)/n
 * so that nothing of size n log 2 is subtracted; for j > 1e7 the terms left
 * out are below 1e-22. Fails when the sum would need more than
 * SPACE_BACKWARD_TERMS terms (j within ~1e-6 n of n/2 with n > 1e13). */
static int space_log_cdf_backward(double n, double j, long double *log_cdf, rl_err *e)
{
	const long double pi = 3.141592653589793238462643383279502884L;
	long double nn = (long double)n, jj = (long double)j, rest = nn - jj;
	long double u = (nn - 2.0L * jj) / nn;
	long double log_term = -jj * log1pl(-u) - rest * log1pl(u)
	                       + 0.5L * logl(nn / (2.0L * pi * jj * rest))
	                       + 1.0L / (12.0L * nn) - 1.0L / (12.0L * jj) - 1.0L / (12.0L * rest);
	long double term = 1.0L, sum = 1.0L;
	for (long double k = 0.0L;; k += 1.0L) {
		long double ratio = (jj - k) / (rest + k + 1.0L);
		term *= ratio;
		sum += term;
		/* what is left is below term * ratio / (1 - ratio) */
		if (ratio <= 0.0L || term * ratio < 1e-21L * sum * (1.0L - ratio))
			break;
		if (k >= SPACE_BACKWARD_TERMS)
			return rl_fail(e, "whole_space cannot sum C(%.17g, i) up to i = %.17g exactly: d is "
			               "too close to n/2 for a width this large (more than 2e7 terms)", n, j);
		if (fmodl(k, 1048576.0L) == 0.0L && rl_interrupted())
			return rl_fail(e, "whole_space was interrupted");
	}
	*log_cdf = log_term + logl(sum);
	return 0;
}

/* log of 2^-n sum_{i<=j} C(n, i) for j < n/2, in long double: terms are
 * built by C(n, i) = C(n, i-1) (n-i+1)/i and renormalised by 2^8000 so the
 * sum never overflows; relative error ~ j * 1e-19. Large j: see above. */
static int space_log_cdf(double n, double j, long double *log_cdf, rl_err *e)
{
	if (j > SPACE_FORWARD_TERMS)
		return space_log_cdf_backward(n, j, log_cdf, e);
	const long double ln2 = 0.693147180559945309417232121458176568L;
	long double term = 1.0L, sum = 1.0L, scale = 0.0L;
	long double nn = (long double)n;
	uint64_t steps = 0;
	for (double i = 1.0; i <= j; i++) {
		term *= (nn - (long double)i + 1.0L) / (long double)i;
		sum += term;
		if (term > 0x1p8000L) {
			term = ldexpl(term, -8000);
			sum = ldexpl(sum, -8000);
			scale += 8000.0L;
		}
		if (++steps % 1048576 == 0 && rl_interrupted())
			return rl_fail(e, "whole_space was interrupted");
	}
	*log_cdf = logl(sum) + (scale - nn) * ln2;
	return 0;
}

int bound_whole_space(double n, double d, bound_space *out, rl_err *e)
{
	if (bound_check_count(n, 1.0, "width", e) || bound_check_count(d, 0.0, "input dimension", e))
		return -1;
	if (d >= n) {
		out->p = 1.0;
		out->q = 0.0;
		out->log_p = 0.0;
		return 0;
	}
	if (n <= 62.0) {
		space_exact((unsigned)n, (unsigned)d, out);
		return 0;
	}
	long double lc;
	if (2.0 * d < n) {
		if (space_log_cdf(n, d, &lc, e))
			return -1;
		out->log_p = (double)lc;
		out->p = exp(out->log_p);
		out->q = -expm1(out->log_p);
	} else {
		/* By symmetry P(X > d) = P(X <= n - d - 1), and n - d - 1 < n/2. */
		if (space_log_cdf(n, n - d - 1.0, &lc, e))
			return -1;
		out->q = exp((double)lc);
		out->p = -expm1((double)lc);
		out->log_p = log1p(-out->q);
	}
	return 0;
}

/* ---- per-layer table ------------------------------------------------------------- */
static void layer_row(bound_layer *row, size_t l, double n)
{
	row->layer = l;
	row->width = n;
	row->hazard = ldexp_clamped(1.0, -n);
	row->survival = 1.0 - row->hazard;
}

void bound_layers(const size_t *widths, size_t k, bound_layer *rows)
{
	acc a;
	acc_init(&a);
	for (size_t l = 0; l < k; l++) {
		acc_add(&a, (double)widths[l], 1.0);
		layer_row(&rows[l], l + 1, (double)widths[l]);
		rows[l].cumulative = acc_value(&a);
		rows[l].log_cumulative = acc_log(&a);
		rows[l].death = acc_death(&a);
	}
}

void bound_layers_uniform(double n, size_t k, bound_layer *rows)
{
	for (size_t l = 0; l < k; l++) {
		layer_row(&rows[l], l + 1, n);
		rows[l].cumulative = bound_lower_uniform(n, (double)(l + 1));
		rows[l].log_cumulative = bound_log_lower_uniform(n, (double)(l + 1));
		rows[l].death = bound_death_uniform(n, (double)(l + 1));
	}
}

/* ---- width schedules ---------------------------------------------------------------- */
#define HORIZON_LOG2 62
#define PROBES_PER_OCTAVE 16

/* log c_j + shift ln 2, c_j = 2^j (-log(1 - 2^-n)): Cauchy's condensed term
 * for layer 2^j, as a logarithm. c_j itself is 2^(j - n) for wide layers
 * and underflows to 0 past n = j + 1074, which would read a constant width
 * of 2000 as a summable schedule (its sum of 2^-n_l is infinite); shift
 * (the least wide width, or 0) keeps j - n exact for widths past 2^53. */
static double log_condensed(double n, int j, double shift)
{
	const double ln2 = 0.69314718055994530942;
	if (n < SMALL_EXP)
		return log(neg_log_survival(n)) + j * ln2;
	return ((double)j - (n - shift)) * ln2;
}

/* log(sum exp(x_j)) for j = lo..hi; -inf when every x_j is -inf. */
static double log_sum(const double *x, int lo, int hi)
{
	double top = -INFINITY;
	for (int j = lo; j <= hi; j++)
		top = fmax(top, x[j]);
	if (isinf(top))
		return top;
	double sum = 0.0;
	for (int j = lo; j <= hi; j++)
		sum += exp(x[j] - top);
	return top + log(sum);
}

/* log sum_{j=lo}^{hi} j^-s, by log-sum-exp around the largest term. */
static double log_power_sum(int lo, int hi, double s)
{
	double top = -INFINITY;
	for (int j = lo; j <= hi; j++)
		top = fmax(top, -s * log(j));
	double sum = 0.0;
	for (int j = lo; j <= hi; j++)
		sum += exp(-s * log(j) - top);
	return top + log(sum);
}

/* Fits c_j ~ C j^-s on j = 16..31 against 32..62 and estimates sum_{j>62} c_j,
 * from lc[j] = log c_j + log_shift (-inf where nothing was probed). */
static void fit_tail(const double *lc, double log_shift, bound_schedule_result *out)
{
	double log_early = log_sum(lc, 16, 31), log_late = log_sum(lc, 32, HORIZON_LOG2);
	if (isinf(log_late)) {
		out->decay = INFINITY;
		out->rest = 0.0;
		return;
	}
	if (isinf(log_early)) {
		out->decay = -INFINITY;
		out->rest = INFINITY;
		return;
	}
	/* ratio(s) = sum_late j^-s / sum_early j^-s decreases in s. */
	double want = log_late - log_early;
	double lo = -60.0, hi = 1000.0;
	if (want >= log_power_sum(32, HORIZON_LOG2, lo) - log_power_sum(16, 31, lo)) {
		out->decay = lo;
	} else if (want <= log_power_sum(32, HORIZON_LOG2, hi) - log_power_sum(16, 31, hi)) {
		out->decay = hi;
	} else {
		for (int it = 0; it < 200; it++) {
			double mid = 0.5 * (lo + hi);
			if (log_power_sum(32, HORIZON_LOG2, mid) - log_power_sum(16, 31, mid) > want)
				lo = mid;
			else
				hi = mid;
		}
		out->decay = 0.5 * (lo + hi);
	}
	double s = out->decay;
	if (s <= 1.0) {
		out->rest = INFINITY;
		return;
	}
	/* C = late / sum_late j^-s; sum_{j>62} j^-s ~ integral from 62.5. */
	double edge = HORIZON_LOG2 + 0.5;
	out->rest = exp(log_late - log_shift - log_power_sum(32, HORIZON_LOG2, s) + (1.0 - s) * log(edge)
	                - log(s - 1.0));
}

/* Calls fn and checks its width; 0 ok, 1 end of schedule, -1 error. */
static int schedule_width(bound_schedule_fn fn, void *ctx, uint64_t l, double *w, rl_err *e)
{
	int r = fn(ctx, l, w, e);
	if (r != 0)
		return r;
	if (bound_check_count(*w, 1.0, "schedule width", e))
		return rl_fail(e, "the schedule gave a bad width for layer %llu: widths must be "
		               "integers >= 1, got %.17g", (unsigned long long)l, isnan(*w) ? NAN : *w);
	return 0;
}

/* The probe points beyond K: K+1, then floor(2^(i/16)) up to 2^62. */
static uint64_t next_probe(uint64_t after, int *i)
{
	for (; *i <= HORIZON_LOG2 * PROBES_PER_OCTAVE; (*i)++) {
		uint64_t v;
		if (*i % PROBES_PER_OCTAVE == 0)
			v = (uint64_t)1 << (*i / PROBES_PER_OCTAVE);
		else
			v = (uint64_t)floor(exp2((double)*i / PROBES_PER_OCTAVE));
		if (v > after)
			return v;
	}
	return 0;
}

static int schedule_exact(bound_schedule_fn fn, void *ctx, uint64_t layers, acc *a,
                          double *n_at, double *last_width, bound_schedule_result *out,
                          rl_err *e)
{
	double sum = 0.0, comp = 0.0;
	for (uint64_t l = 1; l <= layers; l++) {
		double w;
		int r = schedule_width(fn, ctx, l, &w, e);
		if (r < 0)
			return -1;
		if (r == 1) {
			out->finite = 1;
			out->depth = l - 1;
			break;
		}
		acc_add(a, w, 1.0);
		neumaier(&sum, &comp, ldexp_clamped(1.0, -w));
		if ((l & (l - 1)) == 0)
			n_at[(int)log2((double)l)] = w;
		*last_width = w;
		out->layers = l;
		if ((l & 0xffff) == 0 && rl_interrupted())
			return rl_fail(e, "schedule was interrupted at layer %llu", (unsigned long long)l);
	}
	out->sum = sum + comp;
	out->log_partial = acc_log(a);
	out->partial = acc_value(a);
	return 0;
}

/* The last layer before `end` (which has none) that has a width, > `from`. */
static int schedule_find_end(bound_schedule_fn fn, void *ctx, uint64_t from, uint64_t end,
                             uint64_t *last, double *width, rl_err *e)
{
	while (end - from > 1) {
		uint64_t mid = from + (end - from) / 2;
		double w;
		int r = schedule_width(fn, ctx, mid, &w, e);
		if (r < 0)
			return -1;
		if (r == 1) {
			end = mid;
		} else {
			from = mid;
			*width = w;
		}
	}
	*last = from;
	return 0;
}

int bound_schedule(bound_schedule_fn fn, void *ctx, uint64_t layers,
                   bound_schedule_result *out, rl_err *e)
{
	const uint64_t horizon = (uint64_t)1 << HORIZON_LOG2;
	double n_at[HORIZON_LOG2 + 1];
	double last_width = 0.0;
	acc a;
	memset(out, 0, sizeof *out);
	for (int j = 0; j <= HORIZON_LOG2; j++)
		n_at[j] = NAN;
	if (layers > horizon)
		layers = horizon;
	acc_init(&a);
	if (schedule_exact(fn, ctx, layers, &a, n_at, &last_width, out, e))
		return -1;
	out->monotone = 1;
	if (out->finite || out->layers == horizon) {
		out->horizon = out->layers;
		out->lower = out->upper = out->limit = out->partial;
		out->decay = INFINITY;
		out->positive = 1;
		return 0;
	}

	/* Step 2: probes. Block (prev, probe] has widths in [n(prev), n(probe)]
	 * when the schedule is non-decreasing, so its hazard sum lies between
	 * count * g(n(probe)) and count * g(n(prev)); the first block (K, K+1]
	 * holds one layer and is exact. */
	acc tail_lo, tail_hi;
	acc_init(&tail_lo);
	acc_init(&tail_hi);
	uint64_t prev = out->layers;
	double prev_width = last_width;
	int i = 0;
	for (uint64_t probe = prev + 1; probe != 0 && probe <= horizon;
	     probe = next_probe(probe, &i)) {
		double w;
		int r = schedule_width(fn, ctx, probe, &w, e);
		out->probes++;
		if (r < 0)
			return -1;
		if (r == 1) {
			out->finite = 1;
			if (schedule_find_end(fn, ctx, prev, probe, &probe, &w, e))
				return -1;
			out->depth = probe;
			if (probe == prev)
				break;
		}
		if (prev > 0 && w < prev_width)
			out->monotone = 0;
		double count = (double)(probe - prev);
		acc_add(&tail_lo, w, count);
		acc_add(&tail_hi, prev == out->layers ? w : prev_width, count);
		if ((probe & (probe - 1)) == 0)
			n_at[(int)log2((double)probe)] = w;
		prev = probe;
		prev_width = w;
		if (out->finite)
			break;
	}
	out->horizon = prev;
	if (out->finite && out->depth == out->layers) { /* it ended right after K */
		out->lower = out->upper = out->limit = out->partial;
		out->decay = INFINITY;
		out->positive = 1;
		return 0;
	}
	out->tail_lo = -acc_log(&tail_lo);
	out->tail_hi = -acc_log(&tail_hi);
	out->lower = exp(out->log_partial - out->tail_hi);
	out->upper = out->monotone ? exp(out->log_partial - out->tail_lo) : out->partial;

	/* Step 3: beyond the horizon, an estimate. */
	if (out->finite) {
		out->decay = INFINITY;
		out->rest = 0.0;
		out->positive = 1;
	} else {
		/* the fit reads only ratios of the c_j, so a common factor
		 * 2^-shift may be left out, and put back into rest */
		double shift = INFINITY;
		for (int j = 0; j <= HORIZON_LOG2; j++)
			if (!isnan(n_at[j]))
				shift = fmin(shift, n_at[j]);
		if (!(shift >= SMALL_EXP))
			shift = 0.0;
		double lc[HORIZON_LOG2 + 1];
		for (int j = 0; j <= HORIZON_LOG2; j++)
			lc[j] = isnan(n_at[j]) ? -INFINITY : log_condensed(n_at[j], j, shift);
		fit_tail(lc, shift * 0.69314718055994530942, out);
		out->positive = out->decay > 1.0;
	}
	double mid = 0.5 * (out->tail_lo + out->tail_hi);
	out->limit = isinf(out->rest) ? 0.0 : exp(out->log_partial - mid - out->rest);
	return 0;
}

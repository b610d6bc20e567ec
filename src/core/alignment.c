/* alignment.c: mean pairwise cosines of the living points' representations,
 * layer by layer, and their infinite-width arc-cosine prediction (see
 * relush/alignment.h). The measure runs inside net_death's pass; the mean
 * over pairs comes from the sum of the unit vectors, O(m width) a layer:
 * |sum u_i|^2 = sum_i |u_i|^2 + 2 sum_{i<j} cos(h_i, h_j). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "relush/alignment.h"
#include "relush/alloc.h"
#include "relush/interrupt.h"
#include "relush/scale.h"

double alignment_map(double c)
{
	if (c > 1.0)
		c = 1.0;
	if (c < -1.0)
		c = -1.0;
	return (sqrt(1.0 - c * c) + (M_PI - acos(c)) * c) / M_PI;
}

int alignment_applies(const rl_net_spec *s)
{
	return (s->arch == ARCH_PLAIN || s->arch == ARCH_SKIP) && s->bias.kind == LAW_ZERO;
}

/* ---- measuring ---------------------------------------------------------------- */

typedef struct measure_ctx {
	double *cosine;   /* [depth] */
	double *sum;      /* scratch: the sum of unit vectors */
	size_t sum_width;
} measure_ctx;

/* Representations may be as large as 2^960 or as small as 2^-960
 * (relush/scale.h), where squares overflow or underflow: those rows are
 * measured scaled by a power of two, which is exact. */
static double row_norm(const double *h, size_t w)
{
	double s = 0.0;
	for (size_t i = 0; i < w; i++)
		s += h[i] * h[i];
	if (s >= 0x1p-900 && s <= 0x1p900)
		return sqrt(s);
	int ex = scale_exponent(h, w);
	s = 0.0;
	for (size_t i = 0; i < w; i++) {
		double t = ldexp(h[i], -ex);
		s += t * t;
	}
	return ldexp(sqrt(s), ex);
}

static int measure_layer(void *ctx, size_t l, const double *H, size_t rows, size_t width,
                         const size_t *point_of_row, const size_t *dead_at, rl_err *e)
{
	measure_ctx *c = ctx;
	(void)e;
	memset(c->sum, 0, width * sizeof *c->sum);
	double units = 0.0;   /* sum of |u_i|^2, 1 up to rounding */
	size_t count = 0;
	for (size_t r = 0; r < rows; r++) {
		const double *h = H + r * width;
		double norm = row_norm(h, width);
		if (dead_at[point_of_row[r]] || norm == 0.0)
			continue;
		double self = 0.0;
		for (size_t i = 0; i < width; i++) {
			double u = h[i] / norm;
			c->sum[i] += u;
			self += u * u;
		}
		units += self;
		count++;
	}
	if (count < 2)
		return 0;
	double total = 0.0;
	for (size_t i = 0; i < width; i++)
		total += c->sum[i] * c->sum[i];
	c->cosine[l - 1] = (total - units) / ((double)count * (double)(count - 1));
	return 0;
}

/* The widest representation the pass hands to the layer hook. */
static size_t widest_representation(const rl_net_spec *s)
{
	size_t w = 1;
	for (size_t l = 1; l <= s->depth; l++) {
		size_t width = s->widths[l - 1];
		if (s->arch == ARCH_DENSE)
			width += net_fan_in(s, l);
		if (width > w)
			w = width;
	}
	return w;
}

rl_death_report *alignment_measure(const rl_net *net, const rl_mat *X, double *cosine,
                                   rl_err *e)
{
	if (net_check_input(&net->spec, X, e))
		return NULL;
	for (size_t l = 0; l < net->spec.depth; l++)
		cosine[l] = NAN;
	measure_ctx ctx = {cosine, NULL, widest_representation(&net->spec)};
	ctx.sum = rl_calloc(ctx.sum_width, sizeof(double), "the alignment measure", e);
	if (!ctx.sum)
		return NULL;
	rl_pass_hooks hooks = {NULL, measure_layer, &ctx};
	rl_death_report *rep = net_death_hooked(net, X, &hooks, e);
	free(ctx.sum);
	return rep;
}

/* ---- predicting ---------------------------------------------------------------- */

/* The pairs' cosines as (value, weight) entries: one per pair, or one per
 * occupied bin when there are too many pairs. */
typedef struct pair_entries {
	double *value, *weight;
	size_t count;
	double pairs, cosine_sum;
} pair_entries;

static double pair_cosine(const rl_mat *X, size_t a, size_t b, const double *norm)
{
	const double *x = mat_row(X, a), *y = mat_row(X, b);
	double dot = 0.0;
	for (size_t i = 0; i < X->cols; i++)
		dot += x[i] * y[i];
	double c = dot / (norm[a] * norm[b]);
	if (!isfinite(c) || fabs(dot) < 0x1p-900) {
		/* The products overflowed or sank into the subnormals: the cosine of
		 * the points scaled by powers of two is the same, exactly. */
		int ea = scale_exponent(x, X->cols), eb = scale_exponent(y, X->cols);
		dot = 0.0;
		for (size_t i = 0; i < X->cols; i++)
			dot += ldexp(x[i], -ea) * ldexp(y[i], -eb);
		c = dot / (ldexp(norm[a], -ea) * ldexp(norm[b], -eb));
	}
	return c > 1.0 ? 1.0 : c < -1.0 ? -1.0 : c;
}

/* Indices of the non-zero points, at most ALIGN_MAX_POINTS evenly spaced. */
static size_t chosen_points(const rl_mat *X, const double *norm, size_t *chosen)
{
	size_t nonzero = 0;
	for (size_t i = 0; i < X->rows; i++)
		nonzero += norm[i] > 0.0;
	size_t want = nonzero < ALIGN_MAX_POINTS ? nonzero : ALIGN_MAX_POINTS, k = 0, seen = 0;
	for (size_t i = 0; i < X->rows && k < want; i++) {
		if (norm[i] == 0.0)
			continue;
		/* take the seen-th non-zero point when it is the next evenly spaced one */
		if ((double)seen >= floor((double)k * (double)nonzero / (double)want))
			chosen[k++] = i;
		seen++;
	}
	return k;
}

static int collect_pairs(const rl_mat *X, const double *norm, const size_t *chosen, size_t u,
                         pair_entries *p, rl_err *e)
{
	p->pairs = (double)u * (double)(u - 1) / 2.0;
	int binned = p->pairs > ALIGN_MAX_PAIRS;
	size_t slots = binned ? ALIGN_MAX_PAIRS : (size_t)p->pairs;
	p->value = rl_calloc(slots, sizeof(double), "the alignment prediction", e);
	p->weight = p->value ? rl_calloc(slots, sizeof(double), "the alignment prediction", e) : NULL;
	if (!p->weight)
		return -1;
	size_t k = 0;
	for (size_t a = 0; a < u; a++) {
		if ((a & 63) == 0 && rl_interrupted())
			return rl_fail(e, "the alignment prediction was interrupted");
		for (size_t b = a + 1; b < u; b++) {
			double c = pair_cosine(X, chosen[a], chosen[b], norm);
			p->cosine_sum += c;
			if (!binned) {
				p->value[k] = c;
				p->weight[k++] = 1.0;
				continue;
			}
			size_t bin = (size_t)((c + 1.0) / 2.0 * ALIGN_MAX_PAIRS);
			if (bin >= ALIGN_MAX_PAIRS)
				bin = ALIGN_MAX_PAIRS - 1;
			p->value[bin] += c;
			p->weight[bin] += 1.0;
		}
	}
	if (!binned) {
		p->count = k;
		return 0;
	}
	for (size_t bin = 0; bin < ALIGN_MAX_PAIRS; bin++)
		if (p->weight[bin] > 0.0) {
			p->value[p->count] = p->value[bin] / p->weight[bin];
			p->weight[p->count++] = p->weight[bin];
		}
	return 0;
}

/* Iterates the map on every entry, layer by layer. Trajectories from
 * different starts merge as they approach 1; once they agree to 1e-13 they
 * are collapsed into one, so very deep nets cost O(depth). */
static int iterate_map(pair_entries *p, size_t depth, double *predicted, rl_err *e)
{
	for (size_t l = 1; l <= depth; l++) {
		double mean = 0.0, lo = 2.0, hi = -2.0;
		for (size_t k = 0; k < p->count; k++) {
			p->value[k] = alignment_map(p->value[k]);
			mean += p->weight[k] * p->value[k];
			lo = p->value[k] < lo ? p->value[k] : lo;
			hi = p->value[k] > hi ? p->value[k] : hi;
		}
		predicted[l - 1] = mean / p->pairs;
		if (p->count > 1 && hi - lo <= 1e-13) {
			p->value[0] = predicted[l - 1];
			p->weight[0] = p->pairs;
			p->count = 1;
		}
		if ((l & 255) == 0 && rl_interrupted())
			return rl_fail(e, "the alignment prediction was interrupted at layer %zu", l);
	}
	return 0;
}

int alignment_predict(const rl_mat *X, size_t depth, double *predicted,
                      double *input_cosine, size_t *used, rl_err *e)
{
	for (size_t l = 0; l < depth; l++)
		predicted[l] = NAN;
	*input_cosine = NAN;
	*used = 0;
	double *norm = rl_calloc(X->rows, sizeof(double), "the alignment prediction", e);
	size_t *chosen = norm ? rl_calloc(X->rows, sizeof(size_t), "the alignment prediction", e) : NULL;
	if (!chosen) {
		free(norm);
		return -1;
	}
	for (size_t i = 0; i < X->rows; i++)
		norm[i] = row_norm(mat_row(X, i), X->cols);
	size_t u = chosen_points(X, norm, chosen);
	pair_entries p = {0};
	*used = u;
	int rc = 0;
	if (u >= 2) {
		rc = collect_pairs(X, norm, chosen, u, &p, e);
		if (!rc) {
			*input_cosine = p.cosine_sum / p.pairs;
			rc = iterate_map(&p, depth, predicted, e);
		}
	}
	free(p.value);
	free(p.weight);
	free(norm);
	free(chosen);
	return rc;
}

/* ---- one net's report ---------------------------------------------------------- */

void alignment_report_free(rl_alignment_report *r)
{
	if (!r)
		return;
	free(r->living);
	free(r->cosine);
	free(r->predicted);
	free(r);
}

rl_alignment_report *net_alignment(const rl_net *net, const rl_mat *X, rl_err *e)
{
	const rl_net_spec *s = &net->spec;
	if (net_check_input(s, X, e))
		return NULL;
	rl_alignment_report *r = rl_calloc(1, sizeof *r, "the alignment report", e);
	if (!r)
		return NULL;
	r->points = X->rows;
	r->depth = s->depth;
	r->predicts = alignment_applies(s);
	r->living = rl_calloc(s->depth, sizeof *r->living, "the alignment report", e);
	r->cosine = r->living ? rl_calloc(s->depth, sizeof(double), "the alignment report", e) : NULL;
	r->predicted = r->cosine ? rl_calloc(s->depth, sizeof(double), "the alignment report", e) : NULL;
	if (!r->predicted || alignment_predict(X, s->depth, r->predicted, &r->input_cosine,
	                                       &r->input_points, e)) {
		alignment_report_free(r);
		return NULL;
	}
	if (!r->predicts)
		for (size_t l = 0; l < s->depth; l++)
			r->predicted[l] = NAN;
	rl_death_report *death = alignment_measure(net, X, r->cosine, e);
	if (!death) {
		alignment_report_free(r);
		return NULL;
	}
	for (size_t l = 0; l < s->depth; l++)
		r->living[l] = death->layers[l].living;
	death_report_free(death);
	return r;
}

/* ---- sums over trials ------------------------------------------------------------ */

int alignment_sum_init(rl_alignment_sum *a, size_t depth, rl_err *e)
{
	memset(a, 0, sizeof *a);
	a->depth = depth;
	a->trials = rl_calloc(depth, sizeof *a->trials, "the alignment sums", e);
	a->sum = a->trials ? rl_calloc(depth, sizeof *a->sum, "the alignment sums", e) : NULL;
	a->sum_sq = a->sum ? rl_calloc(depth, sizeof *a->sum_sq, "the alignment sums", e) : NULL;
	if (!a->sum_sq) {
		alignment_sum_free(a);
		return -1;
	}
	return 0;
}

void alignment_sum_free(rl_alignment_sum *a)
{
	free(a->trials);
	free(a->sum);
	free(a->sum_sq);
	memset(a, 0, sizeof *a);
}

void alignment_sum_add(rl_alignment_sum *a, const double *cosine)
{
	for (size_t l = 0; l < a->depth; l++) {
		double c = cosine[l];
		if (isnan(c))
			continue;
		a->trials[l]++;
		a->sum[l] += (int64_t)llround(c * ALIGN_FIXED_SCALE);
		a->sum_sq[l] += (uint64_t)llround(c * c * ALIGN_FIXED_SCALE);
	}
}

void alignment_sum_merge(rl_alignment_sum *dst, const rl_alignment_sum *src)
{
	for (size_t l = 0; l < dst->depth && l < src->depth; l++) {
		dst->trials[l] += src->trials[l];
		dst->sum[l] += src->sum[l];
		dst->sum_sq[l] += src->sum_sq[l];
	}
}

double alignment_sum_mean(const rl_alignment_sum *a, size_t l)
{
	if (l < 1 || l > a->depth || a->trials[l - 1] == 0)
		return NAN;
	return (double)a->sum[l - 1] / ALIGN_FIXED_SCALE / (double)a->trials[l - 1];
}

double alignment_sum_se(const rl_alignment_sum *a, size_t l)
{
	if (l < 1 || l > a->depth || a->trials[l - 1] < 2)
		return NAN;
	double n = (double)a->trials[l - 1], mean = alignment_sum_mean(a, l);
	double var = ((double)a->sum_sq[l - 1] / ALIGN_FIXED_SCALE - n * mean * mean) / (n - 1.0);
	return sqrt(var > 0.0 ? var / n : 0.0);
}

/* forward.c: the reference evaluation of a network on an input set: the
 * network function (net_forward) and the death report (net_death). It is
 * written for clarity and exactness; the Monte Carlo engine has its own
 * fused kernels and is tested against this file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "relush/alloc.h"
#include "relush/death.h"
#include "relush/interrupt.h"
#include "relush/scale.h"
#include "kernel.h"

/* Batch-norm epsilon, as in common frameworks: a neuron whose pre-activations
 * are all equal on the batch normalises to 0, i.e. inactive. */
#define BN_EPS 1e-5

/* A pass polls the interrupt flag before a layer only when that layer is
 * big enough to matter (so small per-trial passes inside Monte Carlo, which
 * polls on its own, are never cut in the middle). */
#define POLL_WORK 4194304.0

static int interrupted_before(size_t rows, size_t fan_in, size_t n, rl_err *e)
{
	if ((double)rows * (double)fan_in * (double)n >= POLL_WORK && rl_interrupted())
		return rl_fail(e, "interrupted");
	return 0;
}

/* Z (rows x n) = H (rows x fan_in) W^T + b (b NULL: no bias). */
void net_preactivate(const double *H, size_t rows, size_t fan_in,
                        const double *W, const double *b, size_t n, double *Z)
{
	for (size_t r = 0; r < rows; r++) {
		const double *h = H + r * fan_in;
		double *z = Z + r * n;
		for (size_t j = 0; j < n; j++) {
			const double *w = W + j * fan_in;
			double s = 0.0;
			for (size_t i = 0; i < fan_in; i++)
				s += w[i] * h[i];
			z[j] = b ? s + b[j] : s;
		}
	}
}

/* The sum of A[r][j] - shift over the rows, compensated (Neumaier): values
 * that cancel exactly, such as the pre-activations a, b, -b, -a, 0 of a
 * symmetric set and its centre, sum to exactly 0. */
static double column_sum(const double *A, size_t rows, size_t n, size_t j, double shift)
{
	double sum = 0.0, comp = 0.0;
	for (size_t r = 0; r < rows; r++) {
		double v = A[r * n + j] - shift, t = sum + v;
		comp += fabs(sum) >= fabs(v) ? (sum - t) + v : (v - t) + sum;
		sum = t;
	}
	return sum + comp;
}

/* The float copies a single-precision net's pre-activations are computed
 * in, sized for the widest layer: H transposed (points in columns, rows
 * padded to kernel_pad_single; the padding is never written, so it stays
 * zero), the pre-activations in the same layout, W and b. */
typedef struct single_scratch {
	float *Ht, *Zt, *Wf, *bf;
} single_scratch;

/* Floats a single_scratch needs for rows points, fan-ins up to w and
 * layers up to n neurons. */
static double single_scratch_floats(size_t rows, size_t w, size_t n)
{
	double pad = (double)kernel_pad_single(rows);
	return pad * (double)w + pad * (double)n + (double)n * (double)w + (double)n;
}

static void single_scratch_layout(single_scratch *sc, float *block, size_t rows, size_t w, size_t n)
{
	size_t pad = kernel_pad_single(rows);
	sc->Ht = block;
	sc->Zt = sc->Ht + pad * w;
	sc->Wf = sc->Zt + pad * n;
	sc->bf = sc->Wf + n * w;
}

/* The same in float32 (a single-precision net): H, W and b rounded to
 * floats and each z_j one chain from b_j, exactly as the float kernel of
 * the current path computes it (kernel_impl.h: fused multiply-adds on the
 * FMA paths, a product and a sum on the portable one; tests/unit/test_mc.c
 * holds the kernel to that chain), by that kernel itself. A libm call per
 * fmaf made the reference evaluation of a single-precision net (batch
 * norm, residual, dense, skip, flipping) slower than in double. */
static void preactivate_single(const double *H, size_t rows, size_t fan_in,
                               const double *W, const double *b, size_t n, double *Z,
                               const single_scratch *sc)
{
	size_t pad = kernel_pad_single(rows);
	for (size_t r = 0; r < rows; r++)
		for (size_t i = 0; i < fan_in; i++)
			sc->Ht[i * pad + r] = (float)H[r * fan_in + i];
	for (size_t k = 0; k < n * fan_in; k++)
		sc->Wf[k] = (float)W[k];
	for (size_t j = 0; j < n; j++)
		sc->bf[j] = b ? (float)b[j] : 0.0f;
	kernel_preact_single()(sc->Wf, sc->bf, n, fan_in, sc->Ht, pad, rows, sc->Zt, pad);
	for (size_t r = 0; r < rows; r++)
		for (size_t j = 0; j < n; j++)
			Z[r * n + j] = sc->Zt[j * pad + r];
}

/* Rounds count values to float32 (a single-precision net's values between
 * layers). The representation of a residual net, h + ReLU(z) of two floats,
 * rounds here once from its exact double sum: double has more than 2 x 24
 * + 2 bits, so that double rounding gives the float sum itself. */
static void round_single(double *A, size_t count)
{
	for (size_t i = 0; i < count; i++)
		A[i] = (float)A[i];
}

/* A layer's pre-activations in the net's precision (sc: a
 * single-precision net's float copies). */
static void preactivate(const rl_net_spec *s, const double *H, size_t rows, size_t fan_in,
                        const double *W, const double *b, size_t n, double *Z,
                        const single_scratch *sc)
{
	if (s->precision == PRECISION_SINGLE)
		preactivate_single(H, rows, fan_in, W, b, n, Z, sc);
	else
		net_preactivate(H, rows, fan_in, W, b, n, Z);
}

/* The mean of column j of A (rows x n) with one correction pass: a column
 * whose values are all equal gets exactly that value, and a rounded mean a
 * few ulps off would otherwise give them random signs once subtracted. Both
 * sums are compensated, so the centre of a symmetric set (pre-activations
 * cancelling exactly) is centred to exactly 0, a tie (theory.md §7.3), not
 * to a random sign from rounding. */
static double column_mean(const double *A, size_t rows, size_t n, size_t j)
{
	double mean = column_sum(A, rows, n, j, 0.0) / (double)rows;
	return mean + column_sum(A, rows, n, j, mean) / (double)rows;
}

/* Normalises every column of Z over its rows (gamma = 1, beta = 0). A
 * column whose values are all equal must normalise to exactly 0
 * (inactive), which column_mean's correction pass ensures; BN_EPS would
 * otherwise magnify a mean a few ulps off into random signs. centred: the
 * columns' mean is 0 already (layer 1 of a pass, whose input X was
 * centred: W (x - mean x) averages to W 0), so it is not subtracted again;
 * subtracting the rounding noise of W (x_i - mean x) summed over the
 * points would give a point at the mean of X, whose pre-activations are
 * exactly 0, random signs, and it would live (theory.md §7.3). */
static void batchnorm_columns(double *Z, size_t rows, size_t n, double *inv_sd, int centred)
{
	for (size_t j = 0; j < n; j++) {
		double mean = centred ? 0.0 : column_mean(Z, rows, n, j), var = 0.0;
		for (size_t r = 0; r < rows; r++) {
			double d = Z[r * n + j] - mean;
			var += d * d;
		}
		double inv = 1.0 / sqrt(var / (double)rows + BN_EPS);
		if (inv_sd)
			inv_sd[j] = inv;
		for (size_t r = 0; r < rows; r++)
			Z[r * n + j] = (Z[r * n + j] - mean) * inv;
	}
}

void net_batchnorm(double *Z, size_t rows, size_t n, double *inv_sd)
{
	batchnorm_columns(Z, rows, n, inv_sd, 0);
}

/* Batch norm's layer 1 sees W x_i + b only through its centred values
 * W (x_i - mean x), so X is centred first (the same correction pass as
 * above): identical in exact arithmetic, and it keeps the signs of points
 * that differ by a few ulps, whose W x_i - W x_j would otherwise be
 * rounding noise (catastrophic cancellation). Later layers see normalised,
 * well-scaled values. */
static void batchnorm_centre_input(double *H, size_t rows, size_t cols)
{
	for (size_t c = 0; c < cols; c++) {
		double mean = column_mean(H, rows, cols, c);
		for (size_t r = 0; r < rows; r++)
			H[r * cols + c] -= mean;
	}
}

/* The points of X that batch norm centres to exactly 0 (x equal to the
 * mean of X, as batchnorm_centre_input computes it): every pre-activation
 * there is 0 at layer 1, a tie, so they can never live. 0 when the column
 * means cannot be allocated (the count is only a note in reports). */
size_t net_batchnorm_mean_rows(const rl_mat *X)
{
	double *mean = malloc(X->cols * sizeof *mean);
	if (!mean)
		return 0;
	for (size_t c = 0; c < X->cols; c++)
		mean[c] = column_mean(X->data, X->rows, X->cols, c);
	size_t at_mean = 0;
	for (size_t r = 0; r < X->rows; r++) {
		const double *x = mat_row(X, r);
		size_t c = 0;
		while (c < X->cols && x[c] - mean[c] == 0.0)
			c++;
		at_mean += c == X->cols;
	}
	free(mean);
	return at_mean;
}

size_t net_never_living(const rl_net_spec *s, const rl_mat *X)
{
	if (s->arch == ARCH_BATCHNORM)
		return net_batchnorm_mean_rows(X);
	return s->bias.kind == LAW_ZERO ? mat_zero_rows(X) : 0;
}

/* The next representation from the current one (H, width `cur`) and the
 * pre-activations Z (width n); returns its width. out must hold
 * rows x (cur + n) doubles. */
size_t net_next_representation(rl_arch arch, const double *H, size_t rows, size_t cur,
                                  const double *Z, size_t n, double *out)
{
	for (size_t r = 0; r < rows; r++) {
		const double *h = H + r * cur, *z = Z + r * n;
		switch (arch) {
		case ARCH_RESIDUAL:
			for (size_t j = 0; j < n; j++)
				out[r * n + j] = h[j] + (z[j] > 0.0 ? z[j] : 0.0);
			break;
		case ARCH_DENSE: {
			double *o = out + r * (cur + n);
			memcpy(o, h, cur * sizeof *o);
			for (size_t j = 0; j < n; j++)
				o[cur + j] = z[j] > 0.0 ? z[j] : 0.0;
			break;
		}
		default:
			for (size_t j = 0; j < n; j++)
				out[r * n + j] = z[j] > 0.0 ? z[j] : 0.0;
			break;
		}
	}
	return arch == ARCH_DENSE ? cur + n : n;
}

/* The steps of a pass around the pre-activations, in the net's precision.
 * A single-precision net holds float32 values between its layers, so that
 * net_forward returns, and net_death decides on, what a float32 engine
 * computes: X rounded to floats (the Monte Carlo float kernel's input,
 * mc_eval_single.c), residual sums h + ReLU(z) and dense concatenations of
 * floats, and batch norm's outputs rounded to floats. Batch norm's
 * statistics (the centring of X and of each layer, the variance) stay in
 * double, compensated as above, and only its results are rounded: the
 * engine has no float batch norm, its reference path (mc_eval.c) runs this
 * very code, and the double statistics keep ties at the mean exact. */
static void input_in_precision(const rl_net_spec *s, double *H, size_t rows, size_t cols)
{
	if (s->arch == ARCH_BATCHNORM)
		batchnorm_centre_input(H, rows, cols);
	else if (s->precision == PRECISION_SINGLE)
		round_single(H, rows * cols);
}

static void normalise_in_precision(const rl_net_spec *s, size_t l, double *Z, size_t rows, size_t n)
{
	if (s->arch != ARCH_BATCHNORM)
		return;
	batchnorm_columns(Z, rows, n, NULL, l == 1);   /* layer 1's input is centred */
	if (s->precision == PRECISION_SINGLE)
		round_single(Z, rows * n);
}

static size_t next_in_precision(const rl_net_spec *s, const double *H, size_t rows, size_t cur,
                                const double *Z, size_t n, double *out)
{
	size_t width = net_next_representation(s->arch, H, rows, cur, Z, n, out);
	if (s->arch == ARCH_RESIDUAL && s->precision == PRECISION_SINGLE)
		round_single(out, rows * width);
	return width;
}

static size_t max_width(const rl_net_spec *s)
{
	size_t w = s->input;
	for (size_t l = 1; l <= s->depth; l++) {
		size_t f = net_fan_in(s, l) + s->widths[l - 1];
		if (f > w)
			w = f;
	}
	return w;
}

/* Every point of X equals the first (compared as numbers: -0 == 0). */
static int all_rows_equal(const rl_mat *X)
{
	for (size_t r = 1; r < X->rows; r++)
		for (size_t c = 0; c < X->cols; c++)
			if (X->data[r * X->cols + c] != X->data[c])
				return 0;
	return 1;
}

int net_check_input(const rl_net_spec *s, const rl_mat *X, rl_err *e)
{
	if (X->cols != s->input)
		return rl_fail(e, "the input set has dimension %zu but the network expects %zu "
		               "(its 'input' size)", X->cols, s->input);
	if (X->rows < 1)
		return rl_fail(e, "the input set is empty");
	/* One point normalises to 0 in every neuron: every point would die at
	 * layer 1 whatever the weights (frameworks refuse this batch too). */
	if (s->arch == ARCH_BATCHNORM && X->rows < 2)
		return rl_fail(e, "a batchnorm net normalises each neuron over the input set, "
		               "which needs at least 2 points, got 1");
	/* The same holds for any number of copies of one point: every
	 * pre-activation equals its neuron's mean, so every point would die at
	 * layer 1 and theory.md 7.3's E[F] = L would not hold. */
	if (s->arch == ARCH_BATCHNORM && all_rows_equal(X))
		return rl_fail(e, "a batchnorm net normalises each neuron over the input set, "
		               "which needs at least 2 distinct points, got %zu copies of one point",
		               X->rows);
	return net_check_scale(s, X, e);
}

/* net_check_scale knows a net's laws, not its values: weights loaded from
 * a file (relu.load) or changed by training are not covered by it. A
 * pre-activation that overflowed (inf, or NaN from inf - inf) makes its
 * sign, and so every death after it, meaningless: refuse rather than
 * answer. Checked on the values actually computed, so no net is refused
 * that computes correctly. */
/* A chain (plain, skip) point that lives on pre-activations all below this
 * is about to sink into the subnormals, where the next layers would read it
 * as dead: net_check_scale foresees that for drawn nets (the drift of deep
 * zero-bias chains), and this catches it in the values of any net, loaded
 * or trained ones included. Doubles: 2^-960, floats: 2^-100. */
static int check_not_sinking(const rl_net_spec *s, const double *Z, size_t rows, size_t n, size_t layer,
                             rl_err *e)
{
	if (s->arch != ARCH_PLAIN && s->arch != ARCH_SKIP)
		return 0;   /* batch norm rescales, residual and dense nets carry h */
	int single = s->precision == PRECISION_SINGLE;
	double floor = single ? 0x1p-100 : 0x1p-960;
	for (size_t r = 0; r < rows; r++) {
		double big = 0.0;
		for (size_t j = 0; j < n; j++)
			big = Z[r * n + j] > big ? Z[r * n + j] : big;
		if (big > 0.0 && big < floor)
			return rl_fail(e, "layer %zu's pre-activations at a living point are all below 2^-%d "
			               "(the largest %g): the next layers would sink into the subnormals of "
			               "%s and read the point as dead; the weights or the points are too "
			               "small (with zero biases, scaling a layer's weights or the points by a "
			               "positive number changes no death)%s",
			               layer, single ? 100 : 960, big, single ? "floats" : "doubles",
			               single ? ", or use precision = \"double\"" : "");
	}
	return 0;
}

static int check_finite(const double *Z, size_t count, size_t layer, rl_arch arch, rl_err *e)
{
	/* (single precision: a float overflow is inf, caught here as well) */
	/* batch norm squares them for the variance: those squares must stay
	 * finite too (else the variance is inf and every value normalises to 0) */
	double limit = arch == ARCH_BATCHNORM ? 0x1p500 : INFINITY;
	for (size_t i = 0; i < count; i++)
		if (!(fabs(Z[i]) < limit))
			return rl_fail(e, "layer %zu's pre-activations overflow the range of a double (%g%s): "
			               "their signs, and so the deaths, cannot be computed; the weights "
			               "or the points are too large (with zero biases, scaling a layer's "
			               "weights or the points by a positive number changes no death)",
			               layer, Z[i], isfinite(Z[i]) ? ", whose square batch norm needs" : "");
	return 0;
}

static int check_dims(const rl_net *net, const rl_mat *X, rl_err *e)
{
	return net_check_input(&net->spec, X, e);
}

/* Scratch for a pass: two representation buffers and the pre-activations;
 * for a single-precision net also the float copies its kernel reads. */
typedef struct pass_buffers {
	double *H, *next, *Z;
	float *single;
	single_scratch sc;
} pass_buffers;

static void buffers_free(pass_buffers *p)
{
	free(p->H);
	free(p->next);
	free(p->Z);
	free(p->single);
}

static int buffers_alloc(pass_buffers *p, const rl_net_spec *s, size_t rows, rl_err *e)
{
	size_t w = max_width(s), n = 0;
	for (size_t l = 0; l < s->depth; l++)
		if (s->widths[l] > n)
			n = s->widths[l];
	double floats = s->precision == PRECISION_SINGLE ? single_scratch_floats(rows, w, n) : 0.0;
	double need = 8.0 * (double)rows * (2.0 * (double)w + (double)n) + 4.0 * floats;
	memset(p, 0, sizeof *p);
	if (rl_mem_check(need, "evaluating the network", e))
		return -1;
	p->H = rl_calloc(rows * w, sizeof(double), "evaluating the network", e);
	p->next = p->H ? rl_calloc(rows * w, sizeof(double), "evaluating the network", e) : NULL;
	p->Z = p->next ? rl_calloc(rows * n, sizeof(double), "evaluating the network", e) : NULL;
	if (p->Z && floats > 0.0)
		p->single = rl_calloc((size_t)floats, sizeof(float), "evaluating the network", e);
	if (!p->Z || (floats > 0.0 && !p->single)) {
		buffers_free(p);
		return -1;
	}
	if (p->single)
		single_scratch_layout(&p->sc, p->single, rows, w, n);
	return 0;
}

rl_mat *net_forward(const rl_net *net, const rl_mat *X, rl_err *e)
{
	const rl_net_spec *s = &net->spec;
	pass_buffers p;
	if (check_dims(net, X, e) || buffers_alloc(&p, s, X->rows, e))
		return NULL;
	rl_mat *out = mat_new(X->rows, net_output_width(s), e);
	if (!out) {
		buffers_free(&p);
		return NULL;
	}
	size_t rows = X->rows, cur = s->input, skip_col = 0;
	memcpy(p.H, X->data, rows * cur * sizeof(double));
	input_in_precision(s, p.H, rows, cur);
	for (size_t l = 1; l <= s->depth; l++) {
		size_t n = s->widths[l - 1];
		if (interrupted_before(rows, cur, n, e)) {
			mat_free(out);
			buffers_free(&p);
			return NULL;
		}
		/* batch norm's centring removes a bias exactly; adding it first
		 * would only round away the small differences between points */
		preactivate(s, p.H, rows, cur, net->W[l - 1],
		            s->arch == ARCH_BATCHNORM ? NULL : net->b[l - 1], n, p.Z, &p.sc);
		if (check_finite(p.Z, rows * n, l, s->arch, e) || check_not_sinking(s, p.Z, rows, n, l, e)) {
			mat_free(out);
			buffers_free(&p);
			return NULL;
		}
		normalise_in_precision(s, l, p.Z, rows, n);
		cur = next_in_precision(s, p.H, rows, cur, p.Z, n, p.next);
		double *t = p.H; p.H = p.next; p.next = t;
		if (s->arch == ARCH_SKIP) {
			for (size_t r = 0; r < rows; r++)
				memcpy(mat_row(out, r) + skip_col, p.H + r * n, n * sizeof(double));
			skip_col += n;
		}
	}
	if (s->arch != ARCH_SKIP)
		memcpy(out->data, p.H, rows * cur * sizeof(double));
	buffers_free(&p);
	return out;
}

void death_report_free(rl_death_report *r)
{
	if (!r)
		return;
	for (size_t l = 0; r->layers && l < r->depth; l++)
		free(r->layers[l].active);
	free(r->layers);
	free(r->dead_at);
	free(r);
}

static rl_death_report *report_alloc(const rl_net_spec *s, size_t points, rl_err *e)
{
	rl_death_report *r = rl_calloc(1, sizeof *r, "the death report", e);
	if (!r)
		return NULL;
	r->points = points;
	r->depth = s->depth;
	r->dead_at = rl_calloc(points, sizeof *r->dead_at, "the death report", e);
	r->layers = r->dead_at ? rl_calloc(s->depth, sizeof *r->layers, "the death report", e) : NULL;
	size_t l = 0;
	for (; r->layers && l < s->depth; l++) {
		r->layers[l].width = s->widths[l];
		if (!(r->layers[l].active = rl_calloc(s->widths[l], sizeof(size_t), "the death report", e)))
			break;
	}
	if (l < s->depth || !r->layers) {
		death_report_free(r);
		return NULL;
	}
	return r;
}

static int row_is_zero(const double *h, size_t w)
{
	for (size_t i = 0; i < w; i++)
		if (h[i] != 0.0)
			return 0;
	return 1;
}

/* Batch norm needs every point of the batch to compute its statistics, so
 * its rows are never dropped; other architectures propagate only the points
 * still alive. The hooks let sign flipping and alignment act inside this
 * very pass, so they share its semantics for every architecture. */
rl_death_report *net_death_hooked(const rl_net *net, const rl_mat *X,
                                  const rl_pass_hooks *hooks, rl_err *e)
{
	const rl_net_spec *s = &net->spec;
	pass_buffers p;
	if (check_dims(net, X, e))
		return NULL;
	rl_death_report *rep = report_alloc(s, X->rows, e);
	size_t *point_of_row = rep ? rl_calloc(X->rows, sizeof(size_t), "the death report", e) : NULL;
	if (!point_of_row || buffers_alloc(&p, s, X->rows, e)) {
		free(point_of_row);
		death_report_free(rep);
		return NULL;
	}
	rep->orthant = mat_nonnegative(X);
	int keep_all = s->arch == ARCH_BATCHNORM, failed = 0;
	size_t rows = X->rows, cur = s->input, alive = X->rows;
	memcpy(p.H, X->data, rows * cur * sizeof(double));
	input_in_precision(s, p.H, rows, cur);
	for (size_t r = 0; r < rows; r++)
		point_of_row[r] = r;
	for (size_t l = 1; l <= s->depth; l++) {
		size_t n = s->widths[l - 1];
		rl_layer_stats *st = &rep->layers[l - 1];
		st->reaching = alive;
		if (interrupted_before(rows, cur, n, e)) {
			failed = 1;
			break;
		}
		/* batch norm's centring removes a bias exactly; adding it first
		 * would only round away the small differences between points */
		preactivate(s, p.H, rows, cur, net->W[l - 1],
		            s->arch == ARCH_BATCHNORM ? NULL : net->b[l - 1], n, p.Z, &p.sc);
		if (check_finite(p.Z, rows * n, l, s->arch, e) || check_not_sinking(s, p.Z, rows, n, l, e)) {
			failed = 1;
			break;
		}
		normalise_in_precision(s, l, p.Z, rows, n);
		if (hooks && hooks->preact &&
		    hooks->preact(hooks->ctx, l, p.Z, rows, n, point_of_row, rep->dead_at, e)) {
			failed = 1;
			break;
		}
		size_t width = next_in_precision(s, p.H, rows, cur, p.Z, n, p.next);
		size_t kept = 0;
		for (size_t r = 0; r < rows; r++) {
			const double *z = p.Z + r * n;
			size_t point = point_of_row[r], active = 0;
			int was_alive = rep->dead_at[point] == 0;
			for (size_t j = 0; j < n; j++)
				if (z[j] > 0.0) {
					active++;
					if (was_alive)
						st->active[j]++;
				}
			if (active)
				st->has_active_unit = 1;
			int dies = (s->arch == ARCH_RESIDUAL || s->arch == ARCH_DENSE)
			           ? row_is_zero(p.next + r * width, width) : active == 0;
			if (was_alive && dies)
				rep->dead_at[point] = l;
			if (keep_all || (was_alive && !dies)) {
				if (kept != r)
					memmove(p.next + kept * width, p.next + r * width, width * sizeof(double));
				point_of_row[kept++] = point;
			}
			if (was_alive && !dies)
				st->living++;
		}
		alive = st->living;
		for (size_t j = 0; j < n; j++)
			st->dead_neurons += st->active[j] == 0;
		double *t = p.H; p.H = p.next; p.next = t;
		rows = kept;
		cur = width;
		if (hooks && hooks->layer &&
		    hooks->layer(hooks->ctx, l, p.H, rows, cur, point_of_row, rep->dead_at, e)) {
			failed = 1;
			break;
		}
		if (rows == 0) {
			for (size_t k = l + 1; k <= s->depth; k++)
				rep->layers[k - 1].dead_neurons = s->widths[k - 1];
			break;
		}
	}
	free(point_of_row);
	buffers_free(&p);
	if (failed) {
		death_report_free(rep);
		return NULL;
	}
	/* Skip connections: every layer feeds the output, so a point keeps a
	 * path to the output unless the chain died at the very first layer. */
	if (s->arch == ARCH_SKIP)
		for (size_t i = 0; i < rep->points; i++)
			if (rep->dead_at[i] > 1)
				rep->dead_at[i] = 0;
	for (size_t i = 0; i < rep->points; i++)
		rep->living += rep->dead_at[i] == 0;
	return rep;
}

rl_death_report *net_death(const rl_net *net, const rl_mat *X, rl_err *e)
{
	return net_death_hooked(net, X, NULL, e);
}

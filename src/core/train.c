/* train.c: full-batch gradient descent and Adam on mean squared error (see
 * relush/train.h). The forward pass keeps every layer's representation and
 * ReLU input, using forward.c's own layer steps so that the trained function
 * is the evaluated one; the backward pass is written per architecture. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "relush/alloc.h"
#include "relush/death.h"
#include "relush/interrupt.h"
#include "relush/train.h"

rl_train_opts train_default_opts(void)
{
	rl_train_opts o = {100, 0.01, TRAIN_GD, 0.9, 0.999, 1e-8};
	return o;
}

const char *train_method_name(rl_train_method m)
{
	return m == TRAIN_ADAM ? "adam" : "gd";
}

/* Width of the representation after layer l (l = 0: the input). */
static size_t rep_width(const rl_net_spec *s, size_t l)
{
	if (l == 0)
		return s->input;
	return s->arch == ARCH_DENSE ? net_fan_in(s, l) + s->widths[l - 1] : s->widths[l - 1];
}

/* What a forward pass keeps for the backward one. H[l] (l = 0..depth) is
 * the representation after layer l, Z[l-1] layer l's ReLU input (normalised
 * for batchnorm), inv_sd[l-1] its columns' 1/sd (batchnorm only). */
typedef struct pass_cache {
	size_t rows, depth;
	double **H, **Z, **inv_sd;
	double *out;             /* rows x net_output_width */
} pass_cache;

static void cache_free(pass_cache *c)
{
	rl_free_arrays(c->H, c->depth + 1);
	rl_free_arrays(c->Z, c->depth);
	rl_free_arrays(c->inv_sd, c->depth);
	free(c->out);
	memset(c, 0, sizeof *c);
}

static int cache_alloc(pass_cache *c, const rl_net_spec *s, size_t rows, rl_err *e)
{
	static const char what[] = "training the network";
	double need = (double)rows * (double)net_output_width(s);
	for (size_t l = 0; l <= s->depth; l++)
		need += (double)rows * ((double)rep_width(s, l) + (l ? (double)s->widths[l - 1] + 1.0 : 0.0));
	memset(c, 0, sizeof *c);
	if (rl_mem_check(8.0 * need, what, e))
		return -1;
	c->rows = rows;
	c->depth = s->depth;
	c->H = rl_calloc(s->depth + 1, sizeof *c->H, what, e);
	c->Z = c->H ? rl_calloc(s->depth, sizeof *c->Z, what, e) : NULL;
	c->inv_sd = c->Z ? rl_calloc(s->depth, sizeof *c->inv_sd, what, e) : NULL;
	c->out = c->inv_sd ? rl_calloc(rows * net_output_width(s), sizeof(double), what, e) : NULL;
	if (!c->out) {
		cache_free(c);
		return -1;
	}
	for (size_t l = 0; l <= s->depth; l++) {
		if (!(c->H[l] = rl_calloc(rows * rep_width(s, l), sizeof(double), what, e)))
			goto fail;
		if (l == 0)
			continue;
		if (!(c->Z[l - 1] = rl_calloc(rows * s->widths[l - 1], sizeof(double), what, e)) ||
		    !(c->inv_sd[l - 1] = rl_calloc(s->widths[l - 1], sizeof(double), what, e)))
			goto fail;
	}
	return 0;
fail:
	cache_free(c);
	return -1;
}

/* The forward pass into c; returns the loss. */
static double forward_cached(const rl_net *net, const rl_mat *X, const rl_mat *Y, pass_cache *c)
{
	const rl_net_spec *s = &net->spec;
	size_t rows = X->rows, out_w = net_output_width(s), skip_col = 0;
	memcpy(c->H[0], X->data, rows * s->input * sizeof(double));
	for (size_t l = 1; l <= s->depth; l++) {
		size_t n = s->widths[l - 1], cur = rep_width(s, l - 1);
		net_preactivate(c->H[l - 1], rows, cur, net->W[l - 1], net->b[l - 1], n, c->Z[l - 1]);
		if (s->arch == ARCH_BATCHNORM)
			net_batchnorm(c->Z[l - 1], rows, n, c->inv_sd[l - 1]);
		net_next_representation(s->arch, c->H[l - 1], rows, cur, c->Z[l - 1], n, c->H[l]);
		if (s->arch == ARCH_SKIP) {
			for (size_t r = 0; r < rows; r++)
				memcpy(c->out + r * out_w + skip_col, c->H[l] + r * n, n * sizeof(double));
			skip_col += n;
		}
	}
	if (s->arch != ARCH_SKIP)
		memcpy(c->out, c->H[s->depth], rows * out_w * sizeof(double));
	double sum = 0.0;
	for (size_t i = 0; i < rows * out_w; i++) {
		double d = c->out[i] - Y->data[i];
		sum += d * d;
	}
	return sum / ((double)rows * (double)out_w);
}

int train_check(const rl_net *net, const rl_mat *X, const rl_mat *Y, rl_err *e)
{
	if (net_check_input(&net->spec, X, e))
		return -1;
	size_t out_w = net_output_width(&net->spec);
	if (Y->rows != X->rows || Y->cols != out_w)
		return rl_fail(e, "the targets y must have one row per point of X (%zu) and one column "
		               "per output of the net (%zu), got %zu x %zu", X->rows, out_w, Y->rows, Y->cols);
	for (size_t i = 0; i < Y->rows * Y->cols; i++)
		if (!isfinite(Y->data[i]))
			return rl_fail(e, "the targets y must be finite numbers, but entry %zu is not", i + 1);
	for (size_t i = 0; i < X->rows * X->cols; i++)
		if (!isfinite(X->data[i]))
			return rl_fail(e, "the inputs X must be finite numbers, but entry %zu is not", i + 1);
	return 0;
}

double train_loss(const rl_net *net, const rl_mat *X, const rl_mat *Y, rl_err *e)
{
	pass_cache c;
	if (train_check(net, X, Y, e) || cache_alloc(&c, &net->spec, X->rows, e))
		return NAN;
	double loss = forward_cached(net, X, Y, &c);
	cache_free(&c);
	return loss;
}

void gradient_free(rl_gradient *g)
{
	if (!g)
		return;
	rl_free_arrays(g->dW, g->depth);
	rl_free_arrays(g->db, g->depth);
	free(g);
}

static rl_gradient *gradient_alloc(const rl_net_spec *s, rl_err *e)
{
	static const char what[] = "the gradient";
	rl_gradient *g = rl_calloc(1, sizeof *g, what, e);
	if (!g)
		return NULL;
	g->depth = s->depth;
	g->dW = rl_calloc(s->depth, sizeof *g->dW, what, e);
	g->db = g->dW ? rl_calloc(s->depth, sizeof *g->db, what, e) : NULL;
	size_t l = 1;
	for (; g->db && l <= s->depth; l++) {
		size_t n = s->widths[l - 1];
		if (!(g->dW[l - 1] = rl_calloc(n * net_fan_in(s, l), sizeof(double), what, e)) ||
		    !(g->db[l - 1] = rl_calloc(n, sizeof(double), what, e)))
			break;
	}
	if (l <= s->depth || !g->db) {
		gradient_free(g);
		return NULL;
	}
	return g;
}

/* Batchnorm's backward step, per column: with y = (z - mean) * inv_sd,
 * dz = inv_sd * (dy - mean(dy) - y * mean(dy * y)), exact with the eps. */
static void batchnorm_backward(double *dZ, const double *Y, const double *inv_sd,
                               size_t rows, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		double mean_d = 0.0, mean_dy = 0.0;
		for (size_t r = 0; r < rows; r++) {
			mean_d += dZ[r * n + j];
			mean_dy += dZ[r * n + j] * Y[r * n + j];
		}
		mean_d /= (double)rows;
		mean_dy /= (double)rows;
		for (size_t r = 0; r < rows; r++)
			dZ[r * n + j] = inv_sd[j] * (dZ[r * n + j] - mean_d - Y[r * n + j] * mean_dy);
	}
}

/* Backward pass from the cache into g. G holds dLoss/dH[l] as it goes down
 * (rows x the widest representation), dZ one layer's dLoss/dZ, prev the
 * next G. */
static void backward(const rl_net *net, const rl_mat *Y, const pass_cache *c, rl_gradient *g,
                     double *G, double *dZ, double *prev)
{
	const rl_net_spec *s = &net->spec;
	size_t rows = c->rows, k = s->depth, out_w = net_output_width(s);
	double scale = 2.0 / ((double)rows * (double)out_w);
	/* dLoss/dout; for skip nets the last layer's slice of it */
	size_t skip_col = out_w - (s->arch == ARCH_SKIP ? s->widths[k - 1] : out_w);
	size_t top = rep_width(s, k);
	for (size_t r = 0; r < rows; r++)
		for (size_t j = 0; j < top; j++) {
			size_t i = r * out_w + skip_col + j;
			G[r * top + j] = scale * (c->out[i] - Y->data[i]);
		}
	for (size_t l = k; l >= 1; l--) {
		size_t n = s->widths[l - 1], cur = rep_width(s, l - 1), width = rep_width(s, l);
		size_t offset = s->arch == ARCH_DENSE ? cur : 0;   /* the layer's own units in H[l] */
		const double *Z = c->Z[l - 1], *W = net->W[l - 1], *H = c->H[l - 1];
		for (size_t r = 0; r < rows; r++)
			for (size_t j = 0; j < n; j++)
				dZ[r * n + j] = Z[r * n + j] > 0.0 ? G[r * width + offset + j] : 0.0;
		if (s->arch == ARCH_BATCHNORM)
			batchnorm_backward(dZ, Z, c->inv_sd[l - 1], rows, n);
		double *dW = g->dW[l - 1], *db = g->db[l - 1];
		for (size_t r = 0; r < rows; r++)
			for (size_t j = 0; j < n; j++) {
				double d = dZ[r * n + j];
				if (d == 0.0)
					continue;
				db[j] += d;
				for (size_t i = 0; i < cur; i++)
					dW[j * cur + i] += d * H[r * cur + i];
			}
		if (l == 1)
			break;
		/* dLoss/dH[l-1]: through the weights, plus the identity paths */
		if (s->arch == ARCH_SKIP)
			skip_col -= cur;
		for (size_t r = 0; r < rows; r++)
			for (size_t i = 0; i < cur; i++) {
				double v = 0.0;
				if (s->arch == ARCH_RESIDUAL || s->arch == ARCH_DENSE)
					v = G[r * width + i];
				else if (s->arch == ARCH_SKIP)
					v = scale * (c->out[r * out_w + skip_col + i] - Y->data[r * out_w + skip_col + i]);
				for (size_t j = 0; j < n; j++)
					v += dZ[r * n + j] * W[j * cur + i];
				prev[r * cur + i] = v;
			}
		memcpy(G, prev, rows * cur * sizeof(double));
	}
}

static size_t widest(const rl_net_spec *s)
{
	size_t w = 0;
	for (size_t l = 0; l <= s->depth; l++)
		if (rep_width(s, l) > w)
			w = rep_width(s, l);
	return w;
}

/* Scratch of one gradient computation: the cache and three buffers. */
typedef struct grad_work {
	pass_cache c;
	double *G, *dZ, *prev;
} grad_work;

static void work_free(grad_work *w)
{
	cache_free(&w->c);
	free(w->G);
	free(w->dZ);
	free(w->prev);
}

static int work_alloc(grad_work *w, const rl_net_spec *s, size_t rows, rl_err *e)
{
	memset(w, 0, sizeof *w);
	if (cache_alloc(&w->c, s, rows, e))
		return -1;
	size_t wide = widest(s);
	w->G = rl_calloc(rows * wide, sizeof(double), "training the network", e);
	w->dZ = w->G ? rl_calloc(rows * wide, sizeof(double), "training the network", e) : NULL;
	w->prev = w->dZ ? rl_calloc(rows * wide, sizeof(double), "training the network", e) : NULL;
	if (!w->prev) {
		work_free(w);
		return -1;
	}
	return 0;
}

static void gradient_zero(rl_gradient *g, const rl_net_spec *s)
{
	for (size_t l = 1; l <= s->depth; l++) {
		size_t n = s->widths[l - 1];
		memset(g->dW[l - 1], 0, n * net_fan_in(s, l) * sizeof(double));
		memset(g->db[l - 1], 0, n * sizeof(double));
	}
}

static void gradient_compute(const rl_net *net, const rl_mat *X, const rl_mat *Y,
                             grad_work *w, rl_gradient *g)
{
	gradient_zero(g, &net->spec);
	g->loss = forward_cached(net, X, Y, &w->c);
	backward(net, Y, &w->c, g, w->G, w->dZ, w->prev);
}

rl_gradient *train_gradient(const rl_net *net, const rl_mat *X, const rl_mat *Y, rl_err *e)
{
	grad_work w;
	if (train_check(net, X, Y, e) || work_alloc(&w, &net->spec, X->rows, e))
		return NULL;
	rl_gradient *g = gradient_alloc(&net->spec, e);
	if (g)
		gradient_compute(net, X, Y, &w, g);
	work_free(&w);
	return g;
}

double gradient_layer_norm(const rl_gradient *g, const rl_net *net, size_t l)
{
	size_t n = net->spec.widths[l - 1], fan = net_fan_in(&net->spec, l);
	double sum = 0.0;
	for (size_t i = 0; i < n * fan; i++)
		sum += g->dW[l - 1][i] * g->dW[l - 1][i];
	for (size_t j = 0; j < n; j++)
		sum += g->db[l - 1][j] * g->db[l - 1][j];
	return sqrt(sum);
}

void train_report_free(rl_train_report *r)
{
	if (!r)
		return;
	free(r->loss);
	free(r->grad_first);
	free(r->grad_last);
	free(r);
}

/* One parameter array's update. m and v are Adam's moments (NULL for gd);
 * t is the 1-based step. */
static void update(double *p, const double *grad, double *m, double *v, size_t count,
                   const rl_train_opts *o, size_t t)
{
	if (o->method == TRAIN_GD) {
		for (size_t i = 0; i < count; i++)
			p[i] -= o->rate * grad[i];
		return;
	}
	double c1 = 1.0 - pow(o->beta1, (double)t), c2 = 1.0 - pow(o->beta2, (double)t);
	for (size_t i = 0; i < count; i++) {
		m[i] = o->beta1 * m[i] + (1.0 - o->beta1) * grad[i];
		v[i] = o->beta2 * v[i] + (1.0 - o->beta2) * grad[i] * grad[i];
		p[i] -= o->rate * (m[i] / c1) / (sqrt(v[i] / c2) + o->eps);
	}
}

static int check_opts(const rl_train_opts *o, rl_err *e)
{
	if (!(o->rate > 0.0) || !isfinite(o->rate))
		return rl_fail(e, "the learning rate must be a finite number > 0, got %g", o->rate);
	if (o->method == TRAIN_ADAM &&
	    (!(o->beta1 >= 0.0 && o->beta1 < 1.0) || !(o->beta2 >= 0.0 && o->beta2 < 1.0) || !(o->eps > 0.0)))
		return rl_fail(e, "Adam needs 0 <= beta1, beta2 < 1 and eps > 0");
	if (o->steps > 100000000u)
		return rl_fail(e, "steps must be at most 100000000, got %zu", o->steps);
	return 0;
}

static rl_train_report *report_alloc(size_t steps, size_t depth, rl_err *e)
{
	static const char what[] = "the training report";
	rl_train_report *r = rl_calloc(1, sizeof *r, what, e);
	if (!r)
		return NULL;
	r->steps = steps;
	r->depth = depth;
	r->loss = rl_calloc(steps + 1, sizeof(double), what, e);
	r->grad_first = r->loss ? rl_calloc(depth, sizeof(double), what, e) : NULL;
	r->grad_last = r->grad_first ? rl_calloc(depth, sizeof(double), what, e) : NULL;
	if (!r->grad_last) {
		train_report_free(r);
		return NULL;
	}
	return r;
}

rl_train_report *net_train(rl_net *net, const rl_mat *X, const rl_mat *Y,
                           const rl_train_opts *opts, rl_err *e)
{
	const rl_net_spec *s = &net->spec;
	if (check_opts(opts, e) || train_check(net, X, Y, e))
		return NULL;
	grad_work w;
	memset(&w, 0, sizeof w);
	rl_train_report *rep = report_alloc(opts->steps, s->depth, e);
	rl_gradient *g = rep ? gradient_alloc(s, e) : NULL;
	rl_gradient *m = g && opts->method == TRAIN_ADAM ? gradient_alloc(s, e) : NULL;
	rl_gradient *v = m ? gradient_alloc(s, e) : NULL;
	int failed = !g || (opts->method == TRAIN_ADAM && !v) || work_alloc(&w, s, X->rows, e);
	for (size_t t = 0; !failed; t++) {
		gradient_compute(net, X, Y, &w, g);
		rep->loss[t] = g->loss;
		for (size_t l = 1; l <= s->depth; l++) {
			double norm = gradient_layer_norm(g, net, l);
			if (t == 0)
				rep->grad_first[l - 1] = norm;
			if (t == opts->steps)
				rep->grad_last[l - 1] = norm;
		}
		if (!isfinite(g->loss)) {
			failed = rl_fail(e, "the loss became %g after %zu steps: the learning rate is too "
			                 "high for this net, lower it", g->loss, t);
			break;
		}
		if (t == opts->steps)
			break;
		net->changed |= NET_TRAINED;
		for (size_t l = 1; l <= s->depth; l++) {
			size_t n = s->widths[l - 1], fan = net_fan_in(s, l);
			update(net->W[l - 1], g->dW[l - 1], m ? m->dW[l - 1] : NULL,
			       v ? v->dW[l - 1] : NULL, n * fan, opts, t + 1);
			update(net->b[l - 1], g->db[l - 1], m ? m->db[l - 1] : NULL,
			       v ? v->db[l - 1] : NULL, n, opts, t + 1);
		}
		net_round_to_precision(net);   /* the step is taken in double */
		if (rl_interrupted())
			failed = rl_fail(e, "interrupted after %zu of %zu steps", t + 1, opts->steps);
	}
	work_free(&w);
	gradient_free(g);
	gradient_free(m);
	gradient_free(v);
	if (failed) {
		train_report_free(rep);
		return NULL;
	}
	return rep;
}

/* test_train.c: training on mean squared error (relush/train.h). The
 * backward pass of every architecture is checked against central finite
 * differences of the loss for every weight and bias, on several random nets
 * and input sets; the loss is checked against net_forward; a dead net (every
 * point of X dead, zero biases) has a gradient of exactly 0 and a loss that
 * never moves under gradient descent or Adam. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "relush/death.h"
#include "relush/inputs.h"
#include "relush/net.h"
#include "relush/train.h"

static const rl_law HE = {LAW_NORMAL, SCALE_HE, 0.0};
static const rl_law ZERO = {LAW_ZERO, SCALE_FIXED, 0.0};
static const rl_law SMALL = {LAW_NORMAL, SCALE_FIXED, 0.2};

/* Random targets of the net's output shape. */
static rl_mat *targets(const rl_net *net, size_t rows, uint64_t seed)
{
	rl_err e;
	return inputs_gaussian(rows, net_output_width(&net->spec), 1.0, seed, &e);
}

/* Largest |analytic - numeric| / max(1e-3, |analytic|, |numeric|) over every
 * parameter of the net. A central difference with step h has truncation
 * error O(h^2) and rounding error O(eps / h); a ReLU kink within h of a
 * pre-activation has probability O(h) with continuous weights. */
static double fd_error(rl_net *net, const rl_mat *X, const rl_mat *Y, const rl_gradient *g)
{
	const double h = 1e-6;
	double worst = 0.0;
	rl_err e;
	for (size_t l = 1; l <= net->spec.depth; l++) {
		size_t n = net->spec.widths[l - 1], fan = net_fan_in(&net->spec, l);
		for (size_t which = 0; which < 2; which++) {
			double *p = which ? net->b[l - 1] : net->W[l - 1];
			const double *grad = which ? g->db[l - 1] : g->dW[l - 1];
			size_t count = which ? n : n * fan;
			for (size_t i = 0; i < count; i++) {
				double keep = p[i];
				p[i] = keep + h;
				double up = train_loss(net, X, Y, &e);
				p[i] = keep - h;
				double down = train_loss(net, X, Y, &e);
				p[i] = keep;
				double numeric = (up - down) / (2.0 * h);
				double scale = fmax(1e-3, fmax(fabs(numeric), fabs(grad[i])));
				double err = fabs(numeric - grad[i]) / scale;
				if (err > worst)
					worst = err;
			}
		}
	}
	return worst;
}

static double forward_loss(const rl_net *net, const rl_mat *X, const rl_mat *Y)
{
	rl_err e;
	rl_mat *out = net_forward(net, X, &e);
	double sum = 0.0;
	for (size_t i = 0; i < out->rows * out->cols; i++)
		sum += (out->data[i] - Y->data[i]) * (out->data[i] - Y->data[i]);
	sum /= (double)(out->rows * out->cols);
	mat_free(out);
	return sum;
}

/* Whether some pre-activation is exactly 0, where ReLU has a kink and a
 * central difference measures half the one-sided slope: with continuous
 * weights this happens only to a point that died at a layer of a zero-bias
 * net (its later pre-activations are all 0); the convention ReLU'(0) = 0
 * there is checked by the dead-net tests. Batchnorm nets keep dead points
 * in the batch, whose normalised values are not 0. */
static int on_kink(const rl_net *net, const rl_mat *X)
{
	rl_err e;
	rl_death_report *r = net_death(net, X, &e);
	int chain_deaths = 0;
	for (size_t l = 0; l < r->depth; l++)
		chain_deaths += r->layers[l].reaching != r->layers[l].living;
	death_report_free(r);
	return chain_deaths && net->spec.bias.kind == LAW_ZERO && net->spec.arch != ARCH_BATCHNORM;
}

static void check_architecture(rl_arch arch)
{
	/* shapes: narrowing, widening, and equal widths (residual needs them) */
	size_t shapes[3][4] = {{4, 3, 2, 0}, {2, 5, 3, 4}, {3, 3, 3, 3}};
	size_t depths[3] = {3, 4, 4};
	double worst = 0.0, loss_gap = 0.0;
	int nets = 0;
	for (int shape = 0; shape < 3; shape++) {
		if (arch == ARCH_RESIDUAL && shape < 2)
			continue;
		for (uint64_t seed = 1; seed <= 6; seed++) {
			size_t input = arch == ARCH_RESIDUAL ? 3 : 2 + (size_t)seed % 2;
			rl_law bias = seed % 2 ? SMALL : ZERO;
			rl_net_spec s = {depths[shape], input, shapes[shape], HE, bias, arch, seed, PRECISION_DOUBLE};
			rl_err e;
			rl_net *net = net_create(&s, 0, &e);
			rl_mat *X = inputs_gaussian(5 + seed, input, 1.0, 100 + seed, &e);
			if (on_kink(net, X)) {
				mat_free(X);
				net_free(net);
				continue;
			}
			rl_mat *Y = targets(net, X->rows, 200 + seed);
			rl_gradient *g = train_gradient(net, X, Y, &e);
			double err = fd_error(net, X, Y, g);
			double gap = fabs(g->loss - forward_loss(net, X, Y)) / fmax(1.0, g->loss);
			worst = fmax(worst, err);
			loss_gap = fmax(loss_gap, gap);
			nets++;
			gradient_free(g);
			mat_free(X);
			mat_free(Y);
			net_free(net);
		}
	}
	tap_diag("%s: %d nets, worst relative gradient error %.3g", arch_name(arch), nets, worst);
	tap_ok(nets >= 6, "%s: %d nets away from a kink checked", arch_name(arch), nets);
	tap_ok(worst < 1e-5, "%s: gradient matches finite differences for every parameter", arch_name(arch));
	tap_ok(loss_gap < 1e-14, "%s: training loss is the loss of net_forward", arch_name(arch));
}

/* A zero-bias plain net of width 2 that kills every point of X: the first
 * seed from 1 that does (deep narrow nets die with high probability). */
static rl_net *dead_net(size_t *widths, size_t depth, const rl_mat *X, rl_arch arch)
{
	rl_err e;
	for (uint64_t seed = 1; seed < 10000; seed++) {
		rl_net_spec s = {depth, X->cols, widths, HE, ZERO, arch, seed, PRECISION_DOUBLE};
		rl_net *net = net_create(&s, 0, &e);
		rl_death_report *r = net_death(net, X, &e);
		int dead = r->living == 0;
		death_report_free(r);
		if (dead)
			return net;
		net_free(net);
	}
	return NULL;
}

static void check_dead(rl_arch arch, rl_train_method method)
{
	size_t widths[12] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1};
	rl_err e;
	rl_mat *X = inputs_gaussian(16, 2, 1.0, 7, &e);
	rl_net *net = dead_net(widths, 12, X, arch);
	if (!tap_ok(net != NULL, "%s: a dead net was found", arch_name(arch))) {
		mat_free(X);
		return;
	}
	rl_mat *Y = targets(net, X->rows, 8);
	rl_gradient *g = train_gradient(net, X, Y, &e);
	int zero = 1;
	for (size_t l = 1; l <= net->spec.depth; l++)
		zero = zero && gradient_layer_norm(g, net, l) == 0.0;
	tap_ok(zero, "%s (seed %llu): a dead net's gradient is exactly 0 in every layer",
	       arch_name(arch), (unsigned long long)net->spec.seed);
	rl_train_opts o = train_default_opts();
	o.method = method;
	o.steps = 50;
	o.rate = 0.1;
	rl_train_report *r = net_train(net, X, Y, &o, &e);
	int constant = r != NULL;
	for (size_t t = 0; r && t <= r->steps; t++)
		constant = constant && r->loss[t] == r->loss[0] && r->loss[0] == g->loss;
	tap_ok(constant, "%s, %s: a dead net's loss never moves in 50 steps",
	       arch_name(arch), train_method_name(method));
	train_report_free(r);
	gradient_free(g);
	mat_free(Y);
	mat_free(X);
	net_free(net);
}

/* A live net learns: gradient descent lowers the loss of a small problem. */
static void check_descent(void)
{
	size_t widths[2] = {8, 1};
	rl_net_spec s = {2, 2, widths, HE, SMALL, ARCH_PLAIN, 3, PRECISION_DOUBLE};
	rl_err e;
	rl_net *net = net_create(&s, 0, &e);
	rl_mat *X = inputs_gaussian(32, 2, 1.0, 9, &e);
	rl_mat *Y = mat_new(32, 1, &e);
	for (size_t i = 0; i < 32; i++)
		Y->data[i] = fabs(mat_row(X, i)[0]);
	for (int m = 0; m < 2; m++) {
		rl_net *copy = net_clone(net, &e);
		rl_train_opts o = train_default_opts();
		o.method = m ? TRAIN_ADAM : TRAIN_GD;
		o.steps = 300;
		o.rate = m ? 0.02 : 0.05;
		rl_train_report *r = net_train(copy, X, Y, &o, &e);
		tap_ok(r && r->loss[r->steps] < 0.5 * r->loss[0],
		       "%s halves the loss of |x1| on a live net (%.4g -> %.4g)", train_method_name(o.method),
		       r ? r->loss[0] : NAN, r ? r->loss[r->steps] : NAN);
		tap_ok(r && fabs(r->loss[r->steps] - train_loss(copy, X, Y, &e)) == 0.0,
		       "%s: the last loss is the trained net's loss", train_method_name(o.method));
		train_report_free(r);
		net_free(copy);
	}
	mat_free(X);
	mat_free(Y);
	net_free(net);
}

static void check_errors(void)
{
	size_t widths[2] = {3, 2};
	rl_net_spec s = {2, 2, widths, HE, ZERO, ARCH_PLAIN, 1, PRECISION_DOUBLE};
	rl_err e;
	rl_net *net = net_create(&s, 0, &e);
	rl_mat *X = inputs_gaussian(4, 2, 1.0, 1, &e);
	rl_mat *Y = mat_new(4, 1, &e);
	e.msg[0] = 0;
	tap_ok(train_gradient(net, X, Y, &e) == NULL && strstr(e.msg, "one column per output"),
	       "targets of the wrong shape are refused: %s", e.msg);
	rl_train_opts o = train_default_opts();
	o.rate = -1;
	mat_free(Y);
	Y = mat_new(4, 2, &e);
	tap_ok(net_train(net, X, Y, &o, &e) == NULL && strstr(e.msg, "learning rate"),
	       "a negative rate is refused: %s", e.msg);
	/* a residual net cannot die, so a far too high rate diverges */
	size_t equal[2] = {2, 2};
	rl_net_spec rs = {2, 2, equal, HE, ZERO, ARCH_RESIDUAL, 1, PRECISION_DOUBLE};
	rl_net *res = net_create(&rs, 0, &e);
	o = train_default_opts();
	o.rate = 1e300;
	o.steps = 200;
	for (size_t i = 0; i < 8; i++)
		Y->data[i] = 1e3;
	rl_train_report *r = net_train(res, X, Y, &o, &e);
	net_free(res);
	tap_ok(r == NULL && strstr(e.msg, "too high"), "a diverging rate is reported: %s", e.msg);
	train_report_free(r);
	mat_free(X);
	mat_free(Y);
	net_free(net);
}

int main(void)
{
	rl_arch archs[] = {ARCH_PLAIN, ARCH_RESIDUAL, ARCH_DENSE, ARCH_SKIP, ARCH_BATCHNORM};
	for (size_t a = 0; a < 5; a++)
		check_architecture(archs[a]);
	check_dead(ARCH_PLAIN, TRAIN_GD);
	check_dead(ARCH_PLAIN, TRAIN_ADAM);
	check_descent();
	check_errors();
	return tap_done();
}

/* train.h: gradient descent on mean squared error, to show why death
 * matters: a dead net's gradient is exactly zero, so it cannot learn. The
 * network function is the one net_forward evaluates (every architecture:
 * plain, residual, dense, skip, batchnorm); the loss is
 * mean over points and output columns of (f(x) - y)^2, and every weight and
 * bias is trained. It is small and exact, for demonstration, not a training
 * framework: full-batch steps, no output layer of its own (the net's last
 * representation is its output), ReLU'(0) = 0 (inactive, as for death). */
#ifndef RELUSH_TRAIN_H
#define RELUSH_TRAIN_H

#include <stddef.h>
#include "relush/err.h"
#include "relush/mat.h"
#include "relush/net.h"

typedef enum { TRAIN_GD = 0, TRAIN_ADAM } rl_train_method;

typedef struct rl_train_opts {
	size_t steps;            /* parameter updates (0: only the gradient) */
	double rate;             /* learning rate > 0 */
	rl_train_method method;
	double beta1, beta2, eps;  /* Adam's constants */
} rl_train_opts;

/* Defaults: 100 steps of plain gradient descent at rate 0.01; Adam's
 * constants 0.9, 0.999, 1e-8. */
rl_train_opts train_default_opts(void);
const char *train_method_name(rl_train_method m);

/* The gradient of the loss at the net's current parameters: dW[l-1] and
 * db[l-1] have the shapes of net->W[l-1] and net->b[l-1]. */
typedef struct rl_gradient {
	size_t depth;
	double loss;
	double **dW, **db;
} rl_gradient;

/* Checks X against the net (net_check_input) and Y: one row per point of X
 * and net_output_width columns, every entry finite. */
int train_check(const rl_net *net, const rl_mat *X, const rl_mat *Y, rl_err *e);
/* The loss only (a forward pass). NAN after filling e on failure. */
double train_loss(const rl_net *net, const rl_mat *X, const rl_mat *Y, rl_err *e);
rl_gradient *train_gradient(const rl_net *net, const rl_mat *X, const rl_mat *Y, rl_err *e);
void gradient_free(rl_gradient *g);
/* sqrt(|dW_l|^2 + |db_l|^2) for layer l (1-based). */
double gradient_layer_norm(const rl_gradient *g, const rl_net *net, size_t l);

typedef struct rl_train_report {
	size_t steps, depth;
	double *loss;            /* steps + 1: before each step, then after the last */
	double *grad_first;      /* per layer: gradient norm at the starting parameters */
	double *grad_last;       /* per layer: gradient norm at the final parameters */
} rl_train_report;

/* Trains net in place. Polls the interrupt flag between steps (then fails
 * with "interrupted", leaving the parameters of the steps made). */
rl_train_report *net_train(rl_net *net, const rl_mat *X, const rl_mat *Y,
                           const rl_train_opts *opts, rl_err *e);
void train_report_free(rl_train_report *r);

#endif

/* death.h: evaluating a network on an input set. A point is dead from the
 * first layer at which every neuron is inactive (pre-activation <= 0); it
 * stays dead even if random biases would make later outputs non-zero
 * (theory.md §1.4). Per-layer statistics are over the points that reach the layer
 * alive. */
#ifndef RELUSH_DEATH_H
#define RELUSH_DEATH_H

#include <stddef.h>
#include "relush/mat.h"
#include "relush/net.h"

typedef struct rl_layer_stats {
	size_t width;
	size_t reaching;      /* points alive on entry */
	size_t living;        /* points alive after this layer */
	size_t dead_neurons;  /* neurons inactive on every reaching point */
	size_t *active;       /* per neuron: reaching points where it is active */
	int has_active_unit;  /* some neuron active on some point (even dead ones) */
} rl_layer_stats;

typedef struct rl_death_report {
	size_t points, depth;
	size_t living;        /* points alive after the last layer */
	size_t *dead_at;      /* per point: 0 if living, else the 1-based layer */
	rl_layer_stats *layers;
	int orthant;          /* X lies in the non-negative orthant */
} rl_death_report;

rl_death_report *net_death(const rl_net *net, const rl_mat *X, rl_err *e);
void death_report_free(rl_death_report *r);

/* Whether X can be fed to nets of spec s: its dimension is s->input, it has
 * a point, and a batchnorm net has at least 2 points to normalise over.
 * net_death and net_forward check this; callers may check it up front.
 * It also checks that the values stay in range (net_check_scale). */
int net_check_input(const rl_net_spec *s, const rl_mat *X, rl_err *e);

/* Hooks into the pass of net_death, for algorithms that act layer by layer
 * with exactly its semantics for every architecture (sign flipping,
 * alignment). The pass carries rows: the points still living, or every
 * point for batchnorm nets. Row r is point point_of_row[r] (0-based) and is
 * living while dead_at[point_of_row[r]] == 0 (for skip nets this is the
 * chain's death; the skip rule is applied after the pass). A hook returns 0
 * to go on, or -1 after filling e to stop (net_death_hooked returns NULL). */
typedef struct rl_pass_hooks {
	/* Layer l's pre-activations Z (rows x n, normalised over the rows for
	 * batchnorm), before the ReLU. The hook may negate columns of Z if it
	 * negates the same neurons' weights and biases in the net: negation is
	 * exact in floating point and commutes with the normalisation, so the
	 * rest of the pass is then the pass of the modified net, bit for bit. */
	int (*preact)(void *ctx, size_t l, double *Z, size_t rows, size_t n,
	              const size_t *point_of_row, const size_t *dead_at, rl_err *e);
	/* The representation after layer l, H (rows x width), once the deaths at
	 * layer l are recorded; points that died at l are no longer among the
	 * rows unless the net is batchnorm. Not called for the layers after the
	 * one where the last row died. */
	int (*layer)(void *ctx, size_t l, const double *H, size_t rows, size_t width,
	             const size_t *point_of_row, const size_t *dead_at, rl_err *e);
	void *ctx;
} rl_pass_hooks;

/* net_death with hooks (either may be NULL; hooks NULL is net_death). */
rl_death_report *net_death_hooked(const rl_net *net, const rl_mat *X,
                                  const rl_pass_hooks *hooks, rl_err *e);

/* The network function h_k on every point (outputs are the last layer's
 * representation; for skip nets the concatenation of all layer outputs). */
rl_mat *net_forward(const rl_net *net, const rl_mat *X, rl_err *e);

/* The pass's two layer steps, shared with training (train.c) so that the
 * trained function is the evaluated one bit for bit (except batch norm's
 * layer 1, which the evaluation computes on centred X without the bias and
 * does not centre again: equal in exact arithmetic): Z (rows x n) =
 * H (rows x fan_in) W^T + b, and batch normalisation of every column of Z
 * over its rows (gamma 1, beta 0); inv_sd, when not NULL, receives each
 * column's 1/sqrt(var + eps), which the backward pass needs. */
void net_preactivate(const double *H, size_t rows, size_t fan_in,
                     const double *W, const double *b, size_t n, double *Z);
void net_batchnorm(double *Z, size_t rows, size_t n, double *inv_sd);
/* How many points of X batch norm centres to exactly 0 (those equal to
 * the mean of X): ties at layer 1 that can never live (theory.md §7.3). */
size_t net_batchnorm_mean_rows(const rl_mat *X);
/* The points of X that no net of spec s can keep alive, because every
 * pre-activation there is exactly 0 (ties): the points at the mean of X
 * with batch norm, the zero points when the biases are 0, else none. */
size_t net_never_living(const rl_net_spec *s, const rl_mat *X);
/* The representation after a layer from the one before it (H, width cur)
 * and the layer's ReLU inputs Z (width n); returns its width. out holds
 * rows x (cur + n) doubles. */
size_t net_next_representation(rl_arch arch, const double *H, size_t rows, size_t cur,
                               const double *Z, size_t n, double *out);

#endif

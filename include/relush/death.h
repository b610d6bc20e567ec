/* death.h: evaluating a network on an input set. A point is dead from the
 * first layer at which every neuron is inactive (pre-activation <= 0); it
 * stays dead even if random biases would make later outputs non-zero
 * (NOTES §1). Per-layer statistics are over the points that reach the layer
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

/* The network function h_k on every point (outputs are the last layer's
 * representation; for skip nets the concatenation of all layer outputs). */
rl_mat *net_forward(const rl_net *net, const rl_mat *X, rl_err *e);

#endif

/* flip.h: the sign-flipping scheme (theory.md §8). Layer by layer from the
 * input side, every neuron that is active on fewer of the living points
 * than it is inactive on has its incoming weights and bias negated, which
 * negates its pre-activation at every point. Each neuron is then active on
 * at least half of the living points, so each layer keeps at least half of
 * them and a k-layer net keeps at least a fraction 2^-k of X, for every draw.
 *
 * Ties: a pre-activation of exactly 0 is inactive under either sign (ReLU(0)
 * = 0, and death means no pre-activation > 0). Such zeros are counted, not
 * resolved: a neuron with pos points > 0 and neg points < 0 is flipped when
 * pos < neg (pos == neg keeps its sign), and layer l then keeps at least
 * ceil((reaching - ties) / 2) points, ties being the living (point, neuron)
 * pairs at layer l whose pre-activation is exactly 0. With continuous laws
 * ties have probability 0 except at degenerate points (x = 0 with zero
 * biases, or a batchnorm neuron that is constant on X), so in practice each
 * layer keeps at least half.
 *
 * Every architecture is flipped through the pass of net_death (the
 * batchnorm neurons on their normalised pre-activations; residual and dense
 * nets flip their branch neurons, although their points never die). */
#ifndef RELUSH_FLIP_H
#define RELUSH_FLIP_H

#include <stddef.h>
#include "relush/death.h"

typedef struct rl_flip_layer {
	size_t width;
	size_t flipped;        /* neurons negated */
	size_t ties;           /* living (point, neuron) pre-activations exactly 0 */
	size_t living_before;  /* points living after this layer in the unflipped net
	                          (0 when net_flip was not asked to compare) */
} rl_flip_layer;

typedef struct rl_flip_report {
	size_t points, depth;
	int compared;               /* living_before fields are filled */
	size_t living_before;       /* points living in the unflipped net */
	rl_flip_layer *layers;      /* [depth] */
	rl_death_report *death;     /* the flipped net on X: equal to net_death(net, X)
	                               after the call; reaching and living per layer */
} rl_flip_report;

/* Flips net in place on X and returns the report (free with
 * flip_report_free). With compare, the unflipped net is first evaluated on
 * X (one extra pass) to fill the living_before counts. On failure (X does
 * not fit the net, out of memory) the net is left unchanged and NULL is
 * returned with the message in e.
 *
 * For the Monte Carlo engine (mc{flip=true}), per trial on a drawn net:
 *     rl_flip_report *fr = net_flip(net, X, 0, &e);
 *     rl_death_report *rep = fr->death;   (exactly net_death(net, X) of
 *     fr->death = NULL;                      the flipped net; the caller may
 *     flip_report_free(fr);                  take it over like this)
 * which costs one pass, like net_death. */
rl_flip_report *net_flip(rl_net *net, const rl_mat *X, int compare, rl_err *e);
void flip_report_free(rl_flip_report *r);

/* The guaranteed floor on the living fraction after l layers: 2^-l. */
double flip_floor(size_t l);

#endif

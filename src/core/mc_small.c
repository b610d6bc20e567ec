/* mc_small.c: the trial loop of a net whose layers are all small (at most
 * MC_SMALL_WIDTH neurons) and all explicit, on the AVX-512 path, in either
 * precision: mc_small.h's step layer after layer, recorded as mc_eval.c
 * records a breadth-first trial, with the same counts.
 *
 * Compacting the survivors of every layer costs a compress per row and
 * vector, the step's dearest part after its multiply-adds, yet it only
 * pays when the living points then fit in fewer vectors. A zero-bias net
 * can leave a dead point's column in place as zeros: its pre-activations
 * are then exactly +0 (z starts at b = +0, and each w * 0 is a zero whose
 * sum with +0 is +0), never positive, so it stays dead and is never
 * counted active, as if it had been dropped. Such a net compacts a layer's
 * output only when the points living on entry fit in fewer vectors than
 * the columns they occupy; a net with biases compacts every layer. */
#include "mc_impl.h"

int mci_small_applies(const mc_plan *pl)
{
	if (!pl->small_step || !pl->fast || pl->lazy || !pl->explicit_only || pl->use_blas)
		return 0;
	for (size_t l = 0; l < pl->depth; l++)
		if (pl->spec.widths[l] > MC_SMALL_WIDTH)
			return 0;
	return 1;
}

static size_t vectors(size_t columns, size_t lanes)
{
	return (columns + lanes - 1) / lanes;
}

/* Polling the interrupt every layer costs more than a small layer's
 * bookkeeping; every this many layers keeps a trial's reaction within
 * microseconds. */
#define SMALL_POLL_LAYERS 16

int mci_trial_small(mc_worker *w, uint64_t trial)
{
	const mc_plan *pl = w->plan;
	int single = pl->single, zero_bias = pl->spec.bias.kind == LAW_ZERO;
	size_t lanes = single ? MC_SMALL_LANES_SINGLE : MC_SMALL_LANES;
	size_t ld = single ? pl->pad_single : pl->pad;
	const void *Hin = single ? (const void *)pl->Xt_single : (const void *)pl->Xt;
	size_t m = pl->m, slots = pl->m;   /* living points, and the columns they occupy */
	size_t p = pl->spec.input;         /* a plain net: layer l's fan-in is layer l - 1's width */
	int out = 0;
	for (size_t l = 1; l <= pl->depth; l++) {
		if ((l - 1) % SMALL_POLL_LAYERS == 0 && mci_stop_requested(w->shared))
			return TRIAL_ABORTED;
		size_t n = pl->spec.widths[l - 1], living;
		int compact = !zero_bias || vectors(m, lanes) < vectors(slots, lanes);
		const void *W, *b;
		mci_draw_layer(w, trial, l, &W, &b);
		if (single) {
			living = pl->small_step_single(W, b, n, p, Hin, ld, slots, w->H_single[out], ld,
			                               w->active, compact);
			Hin = w->H_single[out];
		} else {
			living = pl->small_step(W, b, n, p, Hin, ld, slots, w->H[out], ld, w->active, compact);
			Hin = w->H[out];
		}
		w->rec.layers_explicit++;
		if (mci_layer_recorded(w, l, m, living))
			return TRIAL_DONE;
		if (compact)
			slots = living;
		m = living;
		p = n;
		out ^= 1;
	}
	w->rec.living = m;
	return TRIAL_DONE;
}

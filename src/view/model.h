/* model.h: what the live view shows, independent of how it is drawn. A
 * model is filled either from one death report (the static view of a net on
 * an input set) or from the Monte Carlo engine's progress snapshots (counts
 * summed over trials); the renderer (render.h) reads nothing else. */
#ifndef RELUSH_VIEW_MODEL_H
#define RELUSH_VIEW_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "relush/death.h"
#include "relush/mc.h"

typedef struct view_layer {
	size_t width;
	double *active;        /* per neuron: active fraction over the reaching
	                          points (MC: over trials x reaching points) */
	int reached;           /* some point (MC: some trial) reached the layer */
	size_t dead;           /* neurons never active on a reaching point */
	double living;         /* points living after the layer (MC: mean per trial) */
	double active_pct;     /* mean active %: 100 sum(active) / (reaching width) */
	double mean_dead;      /* MC: dead neurons per reaching trial */
	double survival;       /* MC: P(alive after l | alive before l) over trials */
	double hazard_bound;   /* 1 - 2^-n_l, the lower bound's factor */
} view_layer;

/* One point of the running P(alive) curve. */
typedef struct view_sample {
	double trials, p, lo, hi;
} view_sample;

typedef struct view_model {
	int mc;                /* 0: one net on X; 1: a Monte Carlo run */
	size_t depth, input, points, max_width;
	view_layer *layers;
	int have_activity;     /* per-neuron fractions are known (MC may lack them) */
	/* a single net */
	size_t living;         /* points living after the last layer */
	/* Monte Carlo */
	uint64_t done, total, alive_trials;
	double elapsed, rate, eta;
	double p_alive, ci_lo, ci_hi;
	double lower, upper;   /* L and U for this run */
	int final, interrupted;
	view_sample *curve;
	size_t curve_len, curve_cap;
	double curve_step;     /* trials between kept samples (grows as the curve is thinned) */
} view_model;

/* Allocates the layers for the given widths; 0, or -1 when out of memory. */
int view_model_init(view_model *m, int mc, const size_t *widths, size_t depth,
                    size_t input, size_t points);
void view_model_free(view_model *m);

/* Fills a static model from a death report. */
void view_model_from_death(view_model *m, const rl_death_report *r);

/* Updates an MC model from a progress snapshot of the engine's counts. The
 * per-neuron fractions are read when counts->neuron_active is there. */
void view_model_from_counts(view_model *m, const mc_counts *c);
/* Records the run's progress (trials, time, P(alive) and its Wilson
 * interval) and appends a point to the curve. */
void view_model_progress(view_model *m, uint64_t done, uint64_t total, uint64_t alive_trials,
                         double elapsed, double rate, double eta);

#endif

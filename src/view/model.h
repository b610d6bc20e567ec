/* model.h: what the live view shows, independent of how it is drawn. A
 * model is filled either from one death report (the static view of a net on
 * an input set) or from the Monte Carlo engine's progress snapshots (counts
 * summed over trials) and the recent trials the view replays for its
 * raster; the renderer (render.h) reads nothing else. */
#ifndef RELUSH_VIEW_MODEL_H
#define RELUSH_VIEW_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "relush/death.h"
#include "relush/mc.h"
#include "relush/net.h"

typedef struct view_layer {
	size_t width;
	double *active;        /* single net: per neuron, active fraction over the
	                          reaching points */
	int reached;           /* some point (MC: some trial) reached the layer */
	size_t dead;           /* neurons never active on a reaching point */
	double living;         /* points living after the layer */
	double active_pct;     /* mean active %: 100 sum(active) / (reaching width) */
	/* Monte Carlo: quantities that vary with death (NaN when undefined) */
	double died_share;     /* "points killed %": share of trials x points killed
	                          at this layer (stats "alive": "nets died here %",
	                          the share of nets whose last point died here) */
	double dead_rate;      /* dead neurons / width, over reaching trials */
	double p_after;        /* P(some point alive after l): trials_living / trials */
	double survival;       /* per point: P(alive after l | alive before l) */
	double hazard_bound;   /* 1 - 2^-n_l, the lower bound's factor */
	double hazard;         /* 2^-n_l, exact (1 - hazard_bound is 0 when n_l >= 54) */
} view_layer;

/* One point of the running P(alive) curve. */
typedef struct view_sample {
	double trials, p, lo, hi;
} view_sample;

/* The rolling trial raster: for recent trials, the share of X living after
 * each layer (a ring of columns, one per trial, depth values each). */
#define VIEW_RASTER_COLUMNS 512

typedef struct view_model {
	int mc;                /* 0: one net on X; 1: a Monte Carlo run */
	size_t depth, input, points, max_width;
	view_layer *layers;
	int have_activity;     /* per-neuron fractions are known (a single net) */
	rl_arch arch;          /* the bounds L and U hold for the plain chain only */
	int flip;              /* sign-flipped nets: L and U are shown for drawn nets only */
	int point_stats;       /* MC: counts per point (stats "all"); else per net only,
	                          and died_share is the share of nets dying at a layer */
	uint64_t trial;        /* single net: its trial (n draws the next one) */
	int fixed;             /* single net with no law to draw from (relu.load): no n */
	/* a single net */
	size_t living;         /* points living after the last layer */
	/* Monte Carlo */
	uint64_t done, total, alive_trials;
	double elapsed, rate, eta;
	double p_alive, ci_lo, ci_hi;
	double lower, upper;   /* L and U for this run */
	double lower_death;    /* 1 - L, accurate when tiny (bound_death) */
	int final, interrupted;
	view_sample *curve;
	size_t curve_len, curve_cap;
	double curve_step;     /* trials between kept samples (grows as the curve is thinned) */
	float *raster;         /* [VIEW_RASTER_COLUMNS][depth], or NULL (too deep) */
	size_t raster_len, raster_head;  /* columns filled; the oldest's slot */
	uint64_t raster_last;  /* the newest trial in the raster (0: none) */
	const char *raster_off; /* why there is no raster (NULL: there is one) */
} view_model;

/* Do the plain chain's bounds L and U apply to the model's nets? */
int view_model_bounds_apply(const view_model *m);
/* The living shares of the trial column age (0: the newest). */
const float *view_model_raster_column(const view_model *m, size_t age);
/* Appends a trial's column (living points per layer, of m->points). */
void view_model_raster_push(view_model *m, uint64_t trial, const size_t *living);

/* Allocates the layers for the given widths; 0, or -1 when out of memory. */
int view_model_init(view_model *m, int mc, const size_t *widths, size_t depth,
                    size_t input, size_t points);
void view_model_free(view_model *m);

/* Fills a static model from a death report. */
void view_model_from_death(view_model *m, const rl_death_report *r);

/* Updates an MC model from a progress snapshot of the engine's counts. */
void view_model_from_counts(view_model *m, const mc_counts *c);
/* Records the run's progress from the engine's report p (trials, time,
 * P(alive) and its Wilson interval) and appends a point to the curve; rate
 * and eta are the view's own, which leave its pauses out. */
void view_model_progress(view_model *m, const mc_progress *p, double rate, double eta);

#endif

/* mc.h: the Monte Carlo engine. Trial t (1-based) draws a fresh network from
 * the counter-based rng keyed by (seed, t) and evaluates it on the fixed input
 * set X; the engine counts, over trials, whether the network is alive, how
 * many points live, where points and networks die, and how many neurons are
 * dead. Every count is an integer summed exactly, and each trial depends only
 * on (seed, t), so results are bit-identical whatever the thread count, the
 * chunking or the sharding.
 *
 * How a layer is evaluated (per trial, per layer, on the living points only):
 * - explicit: the layer's weights are drawn by net_draw_layer (so trial t is
 *   net_create(spec, t) and can be replayed) and multiplied in a fused kernel
 *   (pre-activation, ReLU and death test in registers) or, for wide layers, a
 *   BLAS product followed by the fused test;
 * - gram: Gaussian weights only. The pre-activations on the m living points
 *   are drawn directly from their joint law N(0, A A^T), A = [sd_w H, sd_b 1],
 *   through an orthonormal basis of the points' rows of A built by
 *   Gram-Schmidt: O(m r p + r n) instead of O(n p m), r = rank <= min(m, p);
 * - lazy (stats = MC_STATS_ALIVE with a Gaussian net): the same sampler taken
 *   point by point, depth first; the trial stops as soon as one point lives
 *   through every layer. It reveals the same variates as gram in the same
 *   order, so its alive/died-at counts equal gram's trial for trial.
 * Architectures other than plain, and sign flipping, go through net_create
 * (+ net_flip) + net_death, trial by trial: the reference evaluation. */
#ifndef RELUSH_MC_H
#define RELUSH_MC_H

#include <stddef.h>
#include <stdint.h>
#include "relush/alignment.h"
#include "relush/err.h"
#include "relush/mat.h"
#include "relush/net.h"

typedef enum { MC_METHOD_AUTO = 0, MC_METHOD_EXPLICIT, MC_METHOD_GRAM } mc_method;
typedef enum { MC_STATS_ALL = 0, MC_STATS_ALIVE } mc_stats;

/* Per-layer sums over trials. A trial "reaches" layer l when some point is
 * alive on entry. The point counts and dead_neurons are only filled with
 * MC_STATS_ALL. */
typedef struct mc_layer_counts {
	uint64_t trials_reaching;  /* trials with a living point entering the layer */
	uint64_t trials_living;    /* trials with a living point after it */
	uint64_t points_reaching;  /* sum of points alive on entry */
	uint64_t points_living;    /* sum of points alive after the layer */
	uint64_t dead_neurons;     /* sum over reaching trials of neurons inactive on every reaching point */
} mc_layer_counts;

typedef struct mc_counts {
	size_t depth, points;
	mc_stats stats;
	uint64_t trials;           /* trials counted */
	uint64_t alive_trials;     /* some point living after the last layer */
	uint64_t living_sum;       /* sum of living points (MC_STATS_ALL) */
	uint64_t living_sq[2];     /* sum of living^2 as a 128-bit number: [0] low, [1] high */
	uint64_t min_living;       /* UINT64_MAX before the first trial */
	uint64_t *died_at;         /* [depth]: dead networks whose last point died at layer l+1 */
	mc_layer_counts *layers;   /* [depth] */
	uint64_t *neuron_active;   /* optional (mc_config.neuron_activity): per neuron of every
	                              layer (layer-major), reaching points where it is active */
	/* How the work was done, for the report and the replay check. */
	uint64_t layers_explicit;  /* layer evaluations with drawn weights */
	uint64_t layers_gram;      /* layer evaluations by the Gram sampler (breadth first) */
	uint64_t trials_lazy;      /* trials run point by point */
	uint64_t trials_reference; /* trials run by net_create + net_death */
	rl_alignment_sum *alignment; /* optional (mc_config.alignment): per-layer sums of the
	                              mean pairwise cosine of the living points */
} mc_counts;

/* Progress, reported from the calling thread at most every interval. */
typedef struct mc_progress {
	uint64_t done, total;      /* trials counted / trials of this run */
	double elapsed, rate, eta; /* seconds, trials per second, seconds left */
	const mc_counts *counts;   /* a consistent snapshot of the counts so far */
	int final;                 /* last call, after the workers stopped */
} mc_progress;
/* Returns 0 to go on, non-zero to stop the run (the result is then partial
 * and marked interrupted, like an interrupt). */
typedef int (*mc_progress_fn)(const mc_progress *p, void *ctx);

typedef struct mc_config {
	const rl_net_spec *spec;   /* copied by mc_run; spec->input must equal X->cols */
	const rl_mat *X;           /* the input set, fixed across trials */
	uint64_t trials;           /* the trial space: trials 1..trials */
	uint64_t shard_index;      /* run shard shard_index (1-based) of shard_count; */
	uint64_t shard_count;      /*   0/0 or 1/1 runs every trial */
	unsigned threads;          /* 0: every online core */
	mc_method method;
	mc_stats stats;
	int flip;                  /* sign-flip every trial's net on X first (net_flip) */
	int reference;             /* force net_create + net_death for every trial (tests) */
	int neuron_activity;       /* fill counts.neuron_active (the live view) */
	int alignment;             /* measure each trial's alignment (net_alignment); runs the
	                              reference evaluation */
	uint64_t chunk;            /* trials per work unit; 0 adapts (~20 ms a unit) */
	mc_progress_fn progress;
	void *progress_ctx;
	double progress_interval;  /* seconds between progress calls; 0: 0.05 */
} mc_config;

typedef struct mc_result {
	mc_counts counts;
	uint64_t first_trial, last_trial;   /* this run's trials (last < first when empty) */
	uint64_t requested;                 /* last_trial - first_trial + 1 */
	unsigned threads;
	double seconds;
	int interrupted;                    /* stopped early: counts cover part of the trials */
	int lazy;                           /* trials ran point by point */
	double lower, upper, union_bound;   /* L, U (orthant/zero-bias aware), min(1, m L) */
	/* With mc_config.alignment: the arc-cosine prediction per layer (NaN
	 * when it does not apply) and X's own mean pairwise cosine. */
	double *align_predicted;            /* [depth] or NULL */
	double input_cosine;
} mc_result;

/* Derived statistics of a result. */
typedef struct mc_summary {
	double p_alive, ci_lo, ci_hi;       /* Wilson 95 % */
	double fraction, fraction_se, min_fraction;  /* NaN with MC_STATS_ALIVE */
} mc_summary;

/* Checks the configuration (dimensions, method against the laws, options);
 * the message says what is wrong and what is accepted. */
int mc_validate(const mc_config *cfg, rl_err *e);
mc_result *mc_run(const mc_config *cfg, rl_err *e);
void mc_result_free(mc_result *r);

void mc_summarize(const mc_result *r, mc_summary *s);
/* Per-layer rates; NaN when undefined (no trial reached the layer). */
double mc_layer_survival(const mc_counts *c, size_t l);     /* points: living / reaching */
double mc_layer_net_survival(const mc_counts *c, size_t l); /* trials: living / reaching */
double mc_layer_dead_rate(const mc_counts *c, size_t l, size_t width);

/* Wilson score interval for k successes in n trials at normal quantile z. */
void mc_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi);
/* Shard i (1-based) of N of trials 1..T: first and count; contiguous ranges
 * whose union is 1..T, sizes differing by at most one. */
void mc_shard_range(uint64_t trials, uint64_t i, uint64_t n, uint64_t *first, uint64_t *count);
/* Online cores. */
unsigned mc_default_threads(void);
const char *mc_method_name(mc_method m);

/* Counts helpers (exact integer arithmetic; used for merging shards too). */
int mc_counts_init(mc_counts *c, size_t depth, size_t points, mc_stats stats,
                   size_t neuron_total, rl_err *e);
/* Adds the alignment sums to c (before use). */
int mc_counts_want_alignment(mc_counts *c, rl_err *e);
void mc_counts_free(mc_counts *c);
void mc_counts_add(mc_counts *dst, const mc_counts *src, size_t neuron_total);
double mc_u128_to_double(const uint64_t v[2]);

#endif

/* mc_impl.h: what the Monte Carlo engine's files share (core-internal):
 * mc_counts.c (exact counts and statistics), mc_eval.c (the plan, the
 * workers' workspace and the evaluation of one trial) and mc.c
 * (configuration and the threaded run). */
#ifndef RELUSH_MC_IMPL_H
#define RELUSH_MC_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "relush/mc.h"
#include "relush/death.h"
#include "kernel.h"
#include "mc_small.h"

/* ---- tuning (measured on the benchmark machine, see scripts/bench) ------- */

/* Estimated costs in nanoseconds on one core, for choosing between an
 * explicit and a Gram layer (measured with scripts/bench: a Gaussian variate
 * ~5 ns through the SIMD rng, a multiply-add ~0.15 ns in the fused kernel,
 * ~0.7 ns in the Gram sampler's short loops, plus fixed costs per layer and
 * per revealed point). */
#define MC_NS_VARIATE 5.0
#define MC_NS_KERNEL_FMA 0.15
#define MC_NS_GRAM_FMA 0.7
#define MC_NS_LAYER 150.0
#define MC_NS_GRAM_POINT 60.0
/* Explicit layers with at least this many multiply-adds (points x n x fan_in)
 * go through the BLAS, when there is one; 0 never. Measured on the
 * benchmark machine (scripts/bench/limits.c): Debian's OpenBLAS 0.3.21 does
 * 8-10 GFLOP/s on these shapes and the fused kernel 18-41, so the BLAS never
 * wins there; RELUSH_MC_BLAS_MIN turns it on for other machines. */
#define MC_BLAS_MIN 0
/* auto takes a Gram layer only when its estimated cost is this many times
 * below the explicit one. */
#define MC_GRAM_MARGIN 1.5
/* Memory a run's counts and result take per layer, besides the workers'. */
#define MC_BYTES_PER_LAYER 1024.0
/* Explicit layers with at most MC_DRAW_SMALL parameters (n * fan weights
 * and n biases) are drawn in groups of layers holding at most
 * MC_DRAW_GROUP, or one layer when it alone holds more (mc_draw.c).
 * Groups of 64 (four of P1's layers) measured faster than 128 or 256 on
 * P1: a trial that dies leaves less of its last group unused. */
#define MC_DRAW_SMALL 128
#define MC_DRAW_GROUP 64
#define MC_DRAW_BUF (MC_DRAW_GROUP > MC_DRAW_SMALL ? MC_DRAW_GROUP : MC_DRAW_SMALL)
/* Adaptive chunks aim at this many seconds of work. */
#define MC_CHUNK_SECONDS 0.02

/* ---- the shared, read-only plan of a run ------------------------------------ */

/* What the plan knows of one layer. */
typedef struct mc_plan_layer {
	double sd_w, sd_b;       /* the sd of its weights' and its biases' laws */
	size_t neuron_offset;    /* the start of its neurons in neuron_active */
} mc_plan_layer;

typedef struct mc_plan {
	const mc_config *cfg;
	rl_net_spec spec;        /* own copy */
	const rl_mat *X;
	size_t m, pad, depth, max_width, max_params, neuron_total;
	double *Xt;              /* d x pad, feature-major */
	int gaussian, fast, lazy;
	mc_plan_layer *layer;    /* [depth]: layer l's at layer[l - 1] */
	/* Layer 1's Gram basis of X, the same in every trial; none (have_basis1
	 * 0, coords1 NULL) when auto evaluates layer 1 explicitly. */
	int have_basis1;
	size_t rank1;
	size_t coords1_ld;       /* stride of coords1: min(p, m) + 1, fixed before rank1 is known */
	double *coords1;         /* m rows: point q's coordinates (zero past its rank) */
	size_t *rank_after1;     /* [m]: basis size after point q */
	double cost_variate, blas_min;
	int use_blas;
	/* No layer goes to the Gram sampler, whatever its living points
	 * (mci_layer_uses_gram is 0 for every l and m <= the run's m): known at
	 * the start, so trials skip the per-layer cost estimate. */
	int explicit_only;
	kernel_dense_fn *dense;  /* the kernels for this CPU, chosen once per run */
	kernel_finish_fn *finish;
	mc_scale_fn *scale;      /* drawn normals into small layers' weights (mc_draw.c) */
	mc_scale_single_fn *scale_single;
	/* A net of small layers only (mc_small.c): its steps (NULL off the
	 * AVX-512 path), and whether its trials take that loop. */
	mc_small_step_fn *small_step;
	mc_small_step_single_fn *small_step_single;
	int small;
	/* precision = "single" on drawn weights (mc_eval_single.c) */
	int single;              /* explicit layers in float32 */
	size_t pad_single;       /* kernel_pad_single(m) */
	float *Xt_single;        /* d x pad_single, X rounded to floats */
	kernel_dense_single_fn *dense_single;
} mc_plan;

/* ---- per-thread workspace ---------------------------------------------------- */

/* What one trial did, committed to the counts only when the trial completes
 * (an interrupted trial leaves no trace). */
typedef struct trial_record {
	size_t reached;           /* layers entered with a living point */
	uint64_t living;          /* points living after the last layer */
	size_t died;              /* layer where the last point died (0: alive) */
	uint64_t *reaching, *alive_after, *dead_neurons;  /* [depth] */
	uint8_t *active_unit;     /* [depth], reference trials: the layer had an active unit */
	size_t layers_explicit, layers_gram;
	int lazy, reference;
	double *cosine;           /* [depth] with alignment, else NULL */
} trial_record;

/* The parameters of small explicit layers, drawn a group of layers at a
 * time (mc_draw.c). */
typedef struct mc_draw {
	/* in the run's precision: doubles, floats when the plan is single */
	void *buf;                /* the group from layer first: layer k's W at
	                             param_at[k - 1] - param_at[first - 1], its b right after */
	void *zeros;              /* [MC_DRAW_SMALL] the biases of a zero-bias net */
	size_t *weights;          /* [depth] n * fan of each layer */
	/* the run's fixed layout (mc_draw.c, draw_layout) */
	uint32_t *stream;         /* [2 depth] small layers' streams, in layer order */
	size_t *len;              /* [2 depth] and their lengths */
	size_t *stream_at;        /* [depth + 1] layer k's first stream, stream_at[k - 1] */
	size_t *param_at;         /* [depth + 1] small layers' parameters before layer k */
	size_t *group_last;       /* [depth] the last layer of the group starting at layer l */
	uint64_t trial;           /* the group drawn: layers first..last of trial */
	size_t first, last;       /* last == 0: none */
} mc_draw;

/* Each worker starts on its own cache line and fills whole lines: the
 * counts at its end are written every trial and the next worker's plan and
 * shared pointers at its start are read every layer, so two workers sharing
 * a line would slow each other down (false sharing). */
#define MC_CACHE_LINE 64
typedef struct mc_worker {
	_Alignas(MC_CACHE_LINE) mc_plan *plan;
	struct mc_shared *shared;
	pthread_t thread;
	double *H[2], *W, *b, *Z, *a, *c, *work, *z, *h;
	float *H_single[2], *W_single, *b_single;   /* precision = "single" */
	void *scratch;
	uint64_t *active;         /* [max_width] per-layer neuron activity */
	gram_layer gram;          /* breadth-first: the current layer */
	mc_draw draw;
	gram_layer *lazy_layers;  /* lazy: one per layer */
	uint64_t *lazy_stamp;     /* trial each lazy layer was last reset for */
	trial_record rec;
	mc_counts local;
	/* why a trial failed (TRIAL_FAILED), when it knows more than "out of
	 * memory" (a reference trial's net_death), and which trial */
	rl_err err;
	uint64_t failed_trial;
} mc_worker;

/* ---- the run's shared state (mc.c) -------------------------------------------- */

typedef struct mc_shared {
	mc_plan *plan;
	uint64_t first, count;
	_Atomic uint64_t next;       /* offset of the next unclaimed trial */
	_Atomic int stop;            /* interrupt, callback or failure */
	_Atomic int failed;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	mc_counts total;             /* guarded by lock */
	unsigned running;            /* workers still going, guarded by lock */
	uint64_t chunk_fixed;
	unsigned threads;
} mc_shared;

/* what mci_run_trial returns */
enum { TRIAL_DONE = 0, TRIAL_ABORTED = 1, TRIAL_FAILED = 2 };


void mci_u128_add(uint64_t acc[2], uint64_t lo, uint64_t hi);
void mci_u64_square(uint64_t x, uint64_t *lo, uint64_t *hi);
void mci_counts_clear(mc_counts *c, size_t neuron_total);
void mci_counts_copy(mc_counts *dst, const mc_counts *src, size_t neuron_total);
void mci_plan_free(mc_plan *pl);
int mci_plan_init(mc_plan *pl, const mc_config *cfg, rl_err *e);
void mci_worker_free(mc_worker *w);
double mci_worker_bytes(const mc_plan *pl);
int mci_worker_init(mc_worker *w, mc_plan *pl, rl_err *e);
void mci_record_commit(mc_counts *c, const trial_record *rec);
int mci_run_trial(mc_worker *w, uint64_t trial);
int mci_gaussian_net(const rl_net_spec *s);
int mci_fast_path(const mc_config *cfg);
int mci_stop_requested(const mc_shared *sh);
int mci_draw_init(mc_draw *d, const mc_plan *pl, rl_err *e);
void mci_draw_free(mc_draw *d);
/* The portable scaling loops (mc_small.h's mc_scale_fn). */
mc_scale_fn mci_scale;
mc_scale_single_fn mci_scale_single;
/* Layer l's weights (n x fan, row-major) and biases in trial, as
 * net_draw_layer draws them: doubles, or floats as net_draw_layer_single
 * draws them when the plan is single; valid until the next call. */
void mci_draw_layer(mc_worker *w, uint64_t trial, size_t l, const void **W, const void **b);
/* Records layer l's outcome (m points reached it, living left it) in the
 * trial's record; 1 when no point lives on (the trial is over). */
int mci_layer_recorded(mc_worker *w, size_t l, size_t m, size_t living);
/* Does auto (or gram) evaluate layer l on m living points by the Gram
 * sampler? And that evaluation: Hin and Hout hold doubles, or floats when
 * the plan is single; 0, or -1 when out of memory. */
int mci_layer_uses_gram(const mc_plan *pl, size_t l, size_t m);
int mci_layer_gram(mc_worker *w, uint64_t trial, size_t l, const void *Hin, size_t m,
                   void *Hout, size_t *living);

/* precision = "single" (mc_eval_single.c): the plan's and the workers'
 * float buffers (nothing when the run is not single), and a trial whose
 * explicit layers run in the float kernel. */
int mci_plan_init_single(mc_plan *pl, rl_err *e);
void mci_plan_free_single(mc_plan *pl);
double mci_worker_bytes_single(const mc_plan *pl);
int mci_worker_init_single(mc_worker *w, rl_err *e);
void mci_worker_free_single(mc_worker *w);
int mci_trial_single(mc_worker *w, uint64_t trial);

/* Whether runs on the AVX-512 kernel path use mc_small.h (its step for
 * small layers, its scaling of drawn weights: 1, the default) or the
 * general kernel and the portable loops (0): the two give the same counts,
 * and tests compare them. Set before a run. */
void mci_set_small_kernels(int on);
/* A net of small layers, explicit throughout, with mc_small.h's steps:
 * its trials run mci_trial_small (either precision). */
int mci_small_applies(const mc_plan *pl);
int mci_trial_small(mc_worker *w, uint64_t trial);

#endif

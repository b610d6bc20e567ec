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
/* The fourth method name users and results files give, after the three
 * above: "reference" is explicit with cfg.reference set. */
enum { MC_METHOD_REFERENCE = MC_METHOD_GRAM + 1 };
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
	uint64_t trials_active_unit; /* trials in which some neuron of the layer was active on some
	                              point; with batch norm over all of X (it revives dead points),
	                              else over the living points, where it equals trials_living */
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
	uint64_t trials_all_active; /* trials in which every layer had an active unit (see
	                              mc_layer_counts.trials_active_unit) */
	rl_alignment_sum *alignment; /* optional (mc_config.alignment): per-layer sums of the
	                              mean pairwise cosine of the living points */
} mc_counts;

/* Progress, reported from the calling thread at most every interval. */
typedef struct mc_progress {
	uint64_t done, total;      /* trials counted / trials of this run */
	double elapsed, rate, eta; /* seconds, trials per second, seconds left */
	const mc_counts *counts;   /* a consistent snapshot of the counts so far */
	int final;                 /* last call, after the workers stopped */
	int interrupt;             /* final: an interrupt (Ctrl-C) stopped the run; the flag
	                              itself is consumed by then */
} mc_progress;
/* Returns 0 to go on, non-zero to stop the run (the result is then partial
 * and marked interrupted, like an interrupt). */
typedef int (*mc_progress_fn)(const mc_progress *p, void *ctx);

typedef struct mc_config {
	const rl_net_spec *spec;   /* copied by mc_run; spec->input must equal X->cols */
	const rl_mat *X;           /* the input set, fixed across trials */
	int x_default;             /* X is relush's default input set (named in reports) */
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
/* The precision a run of cfg takes when none is given: precision_for_inputs
 * (relush/scale.h), from X and the net alone, not from the method, flip or
 * alignment, so that runs compared across them (reference against
 * explicit, skip against plain) draw the same nets. */
rl_precision mc_choose_precision(const mc_config *cfg);
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
/* The cores this process may run on (its affinity mask, which batch
 * schedulers and taskset restrict), else the online cores. */
unsigned mc_default_threads(void);
const char *mc_method_name(mc_method m);

/* Counts helpers (exact integer arithmetic; used for merging shards too). */
int mc_counts_init(mc_counts *c, size_t depth, size_t points, mc_stats stats,
                   size_t neuron_total, rl_err *e);
/* Adds the alignment sums to c (before use). */
int mc_counts_want_alignment(mc_counts *c, rl_err *e);
void mc_counts_free(mc_counts *c);
void mc_counts_add(mc_counts *dst, const mc_counts *src, size_t neuron_total);

/* The settings read from the environment that decide how "auto" evaluates
 * (RELUSH_MC_NS_VARIATE, RELUSH_MC_LAZY_L, RELUSH_MC_BLAS_MIN); a run's
 * counts depend on them, so records carry them. */
typedef struct mc_tuning {
	double ns_variate, lazy_l, blas_min;
} mc_tuning;
void mc_tuning_get(mc_tuning *t);

/* ---- records (mc_record.c) ---------------------------------------------------
 * A record is one line of a JSON Lines results file: the experiment (every
 * setting that decides the counts: the network spec, X's shape and checksum,
 * trials, method, stats, flip, alignment, the tuning and the relush version),
 * the part of the trial space it counted (shard i of N: trials first..last),
 * the raw integer counts, the values derived from the experiment (bounds,
 * the alignment prediction) and timing. The records of the shards of one
 * experiment merge into the record of the whole run, count for count. */
enum { MC_FMA_NONE, MC_FMA_FUSED, MC_FMA_UNFUSED };

typedef struct mc_record {
	/* the experiment */
	rl_net_spec spec;            /* owned */
	uint64_t trials;             /* the trial space 1..trials */
	mc_method method;
	int reference;               /* method "reference" */
	mc_stats stats;
	int flip, alignment;
	size_t x_rows, x_cols;
	uint64_t x_checksum;         /* mc_checksum(X) */
	int x_default;               /* X is the default input set (INPUTS_DEFAULT_NAME) */
	size_t never_living;         /* net_never_living(spec, X): ties, named in reports */
	mc_tuning tuning;
	char version[32];            /* relush's */
	int generator;               /* what drew its numbers: mc_generator_name */
	int float32_fma;             /* a single-precision run's float32 multiply-adds: MC_FMA_FUSED or
	                                MC_FMA_UNFUSED (relush -v), which differ in last bits;
	                                MC_FMA_NONE for double runs and lines that do not say */
	/* the piece */
	uint64_t shard_index, shard_count;  /* 1/1 for a whole run, also a merged one */
	mc_result result;            /* counts (owned), result.first_trial..last_trial, timing */
	uint64_t pieces;             /* shard runs merged into this record (1: one run) */
	char kernel[16];             /* layer kernels that ran ("avx512"; "mixed" after a merge) */
	char host[64];
	double finished;             /* Unix time the run ended (the latest piece's) */
	/* where it came from, for messages */
	char source[256];            /* a path, or e.g. "result 2" */
	size_t line, lines;          /* its line in the file (0: not from a file), lines in the file */
	char note[1024];             /* a merge's remark (an interrupted piece superseded), or "" */
} mc_record;

/* The random number generators relush has drawn with, oldest first
 * (0 .. mc_generator_current()): a name for each change to the numbers that
 * any (seed, trial, stream) gives. Records name theirs ("generator" in a
 * results line; lines without it came from generator 0), merges never mix
 * two, and r:replay refuses a trial the running generator would rebuild as
 * a different network. NULL past the last. */
const char *mc_generator_name(int g);
int mc_generator_current(void);

/* The engine's code paths on this CPU and build, as `relush --version`
 * prints them: the layer kernels, whether their float32 multiply-adds are
 * fused, and the generator's. Results agree bit for bit between machines
 * whose paths agree; a single-precision run in a build that does not fuse
 * (the portable kernels) differs in last bits, so in rare sign decisions. */
const char *mc_engine_paths(void);

/* FNV-1a (64 bits) over rows and cols (8 bytes each, little-endian) and
 * then every entry's IEEE-754 bits (8 bytes, little-endian), row by row. */
uint64_t mc_checksum(const rl_mat *X);
/* The record of a run of cfg: takes res over (res is freed, even on error). */
mc_record *mc_record_new(const mc_config *cfg, mc_result *res, rl_err *e);
void mc_record_free(mc_record *r);
/* How messages name a record: "a.jsonl" (a one-line file), "a.jsonl line 3",
 * or the source as is. */
const char *mc_record_label(const mc_record *r, char *buf, size_t len);
/* The invariants of a real run's counts (alive + died = trials, every
 * count within its trials and points, sums of squares consistent, ...):
 * 0, or -1 with the field and what it must be written into field and why. */
int mc_record_check_counts(const mc_record *r, char *field, size_t flen, char *why, size_t wlen);
/* Would summing the pieces' counts overflow (they are checked one by one,
 * not together)? 0, or -1 with why. */
int mc_merge_check_sums(mc_record *const *pieces, size_t n, char *why, size_t wlen);
/* Is the record's trial range exactly its shard's (a run that was not
 * interrupted)? */
int mc_record_complete(const mc_record *r);

/* One line of JSON (malloc'ed, no newline); doubles printed with %.17g. */
char *mc_record_to_json(const mc_record *r, rl_err *e);
/* Parses one line; source, line and lines name it in messages. */
mc_record *mc_record_from_json(const char *text, size_t len, const char *source,
                               size_t line, size_t lines, rl_err *e);
/* Every record of a JSON Lines file (blank lines skipped), in order. */
int mc_records_load(const char *path, mc_record ***out, size_t *count, rl_err *e);
void mc_records_free(mc_record **recs, size_t count);
/* Writes the records as lines of path, after the file's current lines when
 * append is set, atomically: the whole new content goes to a temporary file
 * in the same folder, which is flushed to disk and renamed over path, so a
 * reader (or a crash) sees the old file or the new one, never a part. One
 * writer per file: concurrent appends to the same file can lose a line. */
int mc_records_save(const char *path, mc_record *const *recs, size_t count, int append, rl_err *e);
/* Checks before a long run that path's folder exists and is writable. */
int mc_records_check_path(const char *path, rl_err *e);

/* Merges the pieces of one experiment into the record of the whole run.
 * They must agree on every setting of the experiment and X's checksum, be
 * complete (not interrupted), and their trial ranges must cover 1..trials
 * exactly once; otherwise the message says which pieces disagree on what,
 * which shards appear twice, or which are missing. Seconds are summed (the
 * work done), threads the most any piece used. */
mc_record *mc_merge(mc_record *const *pieces, size_t count, rl_err *e);
/* The same for a sweep: the pieces are grouped by experiment (in the order
 * each experiment first appears) and each group merged. An incomplete
 * experiment that differs from another incomplete one in one setting is
 * reported as that mismatch. */
int mc_merge_sweep(mc_record *const *pieces, size_t count, mc_record ***out, size_t *nout, rl_err *e);

#endif

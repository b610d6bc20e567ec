/* mc.c: the Monte Carlo engine (see relush/mc.h): configuration checks, the
 * per-trial evaluation (explicit, Gram, lazy, reference), exact counting,
 * and the threads. The calling thread only coordinates: it waits on the
 * workers, polls the interrupt flag and calls the progress callback, so
 * callbacks never run on a worker thread. */
#ifdef __linux__
#define _GNU_SOURCE   /* sched_getaffinity: the cores a batch scheduler gave us */
#endif
#include "config.h"
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_BLAS
#include <cblas.h>
#endif
#include "relush/alignment.h"
#include "relush/alloc.h"
#include "relush/env.h"
#include "relush/bounds.h"
#include "relush/death.h"
#include "relush/flip.h"
#include "relush/interrupt.h"
#include "relush/mc.h"
#include "relush/scale.h"
#include "kernel.h"

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
/* Adaptive chunks aim at this many seconds of work. */
#define MC_CHUNK_SECONDS 0.02

/* A value relush cannot use is refused at start-up (rl_env_check); here it
 * falls back to the default, so no NaN ever reaches a results file. */
void mc_tuning_get(mc_tuning *t)
{
	t->ns_variate = rl_env_number("RELUSH_MC_NS_VARIATE", MC_NS_VARIATE, 1e-300);
	t->lazy_l = rl_env_number("RELUSH_MC_LAZY_L", 0.5, 0);
	t->blas_min = rl_env_number("RELUSH_MC_BLAS_MIN", MC_BLAS_MIN, 0);
}

/* ---- small exact helpers --------------------------------------------------- */

static void u128_add(uint64_t acc[2], uint64_t lo, uint64_t hi)
{
	uint64_t s = acc[0] + lo;
	acc[1] += hi + (s < lo);
	acc[0] = s;
}

/* x * x as a 128-bit number. */
static void u64_square(uint64_t x, uint64_t *lo, uint64_t *hi)
{
	uint64_t a = x & 0xFFFFFFFFu, b = x >> 32;
	uint64_t aa = a * a, ab = a * b, bb = b * b;
	uint64_t mid = ab << 1;                        /* 2ab mod 2^64 */
	uint64_t mid_hi = (ab >> 63) + 0;              /* carry of 2ab beyond 64 bits */
	uint64_t l = aa + (mid << 32);
	uint64_t carry = l < aa;
	*lo = l;
	*hi = bb + (mid >> 32) + (mid_hi << 32) + carry;
}

void mc_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi)
{
	if (n == 0) {
		*lo = 0.0;
		*hi = 1.0;
		return;
	}
	double nn = (double)n, p = (double)k / nn, z2 = z * z;
	double denom = 1.0 + z2 / nn;
	double centre = (p + z2 / (2.0 * nn)) / denom;
	double half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
	*lo = k == 0 ? 0.0 : fmax(0.0, centre - half);
	*hi = k == n ? 1.0 : fmin(1.0, centre + half);
}

void mc_shard_range(uint64_t trials, uint64_t i, uint64_t n, uint64_t *first, uint64_t *count)
{
	if (n == 0 || i == 0 || i > n) {
		*first = 1;
		*count = trials;
		return;
	}
	/* Shard i gets q or q + 1 trials; no product can overflow. */
	uint64_t q = trials / n, r = trials % n, k = i - 1;
	*first = 1 + k * q + (k < r ? k : r);
	*count = q + (k < r ? 1 : 0);
}

unsigned mc_default_threads(void)
{
#ifdef __linux__
	/* Slurm, taskset and containers restrict the affinity mask: one
	 * thread per core we may run on, not per core of the machine. */
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) >= 1)
		return (unsigned)CPU_COUNT(&set);
#endif
	long c = sysconf(_SC_NPROCESSORS_ONLN);
	return c >= 1 ? (unsigned)c : 1u;
}

const char *mc_method_name(mc_method m)
{
	switch (m) {
	case MC_METHOD_AUTO: return "auto";
	case MC_METHOD_EXPLICIT: return "explicit";
	case MC_METHOD_GRAM: return "gram";
	}
	return "?";
}

/* ---- counts --------------------------------------------------------------- */

int mc_counts_init(mc_counts *c, size_t depth, size_t points, mc_stats stats,
                   size_t neuron_total, rl_err *e)
{
	memset(c, 0, sizeof *c);
	c->depth = depth;
	c->points = points;
	c->stats = stats;
	c->min_living = UINT64_MAX;
	c->died_at = rl_calloc(depth, sizeof *c->died_at, "the Monte Carlo counts", e);
	c->layers = c->died_at ? rl_calloc(depth, sizeof *c->layers, "the Monte Carlo counts", e) : NULL;
	if (c->layers && neuron_total)
		c->neuron_active = rl_calloc(neuron_total, sizeof *c->neuron_active,
		                             "the per-neuron activity counts", e);
	if (!c->layers || (neuron_total && !c->neuron_active)) {
		mc_counts_free(c);
		return -1;
	}
	return 0;
}

int mc_counts_want_alignment(mc_counts *c, rl_err *e)
{
	c->alignment = calloc(1, sizeof *c->alignment);
	if (!c->alignment)
		return rl_fail(e, "out of memory for the alignment sums");
	if (alignment_sum_init(c->alignment, c->depth, e)) {
		free(c->alignment);
		c->alignment = NULL;
		return -1;
	}
	return 0;
}

void mc_counts_free(mc_counts *c)
{
	if (c->alignment) {
		alignment_sum_free(c->alignment);
		free(c->alignment);
		c->alignment = NULL;
	}
	free(c->died_at);
	free(c->layers);
	free(c->neuron_active);
	c->died_at = NULL;
	c->layers = NULL;
	c->neuron_active = NULL;
}

/* Zeroes the sums, keeping the arrays. */
static void counts_clear(mc_counts *c, size_t neuron_total)
{
	c->trials = c->alive_trials = c->living_sum = 0;
	c->living_sq[0] = c->living_sq[1] = 0;
	c->min_living = UINT64_MAX;
	c->layers_explicit = c->layers_gram = c->trials_lazy = c->trials_reference = 0;
	c->trials_all_active = 0;
	memset(c->died_at, 0, c->depth * sizeof *c->died_at);
	memset(c->layers, 0, c->depth * sizeof *c->layers);
	if (c->neuron_active)
		memset(c->neuron_active, 0, neuron_total * sizeof *c->neuron_active);
	if (c->alignment) {
		rl_alignment_sum *a = c->alignment;
		memset(a->trials, 0, a->depth * sizeof *a->trials);
		memset(a->sum, 0, a->depth * sizeof *a->sum);
		memset(a->sum_sq, 0, a->depth * sizeof *a->sum_sq);
	}
}

void mc_counts_add(mc_counts *dst, const mc_counts *src, size_t neuron_total)
{
	dst->trials += src->trials;
	dst->alive_trials += src->alive_trials;
	dst->living_sum += src->living_sum;
	u128_add(dst->living_sq, src->living_sq[0], src->living_sq[1]);
	if (src->min_living < dst->min_living)
		dst->min_living = src->min_living;
	dst->layers_explicit += src->layers_explicit;
	dst->layers_gram += src->layers_gram;
	dst->trials_lazy += src->trials_lazy;
	dst->trials_reference += src->trials_reference;
	dst->trials_all_active += src->trials_all_active;
	for (size_t l = 0; l < dst->depth; l++) {
		dst->died_at[l] += src->died_at[l];
		mc_layer_counts *d = &dst->layers[l];
		const mc_layer_counts *s = &src->layers[l];
		d->trials_reaching += s->trials_reaching;
		d->trials_living += s->trials_living;
		d->points_reaching += s->points_reaching;
		d->points_living += s->points_living;
		d->dead_neurons += s->dead_neurons;
		d->trials_active_unit += s->trials_active_unit;
	}
	if (dst->neuron_active && src->neuron_active)
		for (size_t j = 0; j < neuron_total; j++)
			dst->neuron_active[j] += src->neuron_active[j];
	if (dst->alignment && src->alignment)
		alignment_sum_merge(dst->alignment, src->alignment);
}

static void counts_copy(mc_counts *dst, const mc_counts *src, size_t neuron_total)
{
	counts_clear(dst, neuron_total);
	mc_counts_add(dst, src, neuron_total);
}

/* ---- derived statistics ---------------------------------------------------- */

void mc_summarize(const mc_result *r, mc_summary *s)
{
	const mc_counts *c = &r->counts;
	double T = (double)c->trials, m = (double)c->points;
	s->p_alive = c->trials ? (double)c->alive_trials / T : NAN;
	mc_wilson(c->alive_trials, c->trials, 1.959963984540054, &s->ci_lo, &s->ci_hi);
	if (c->trials == 0) {
		s->ci_lo = s->ci_hi = NAN;
	}
	s->fraction = s->fraction_se = s->min_fraction = NAN;
	if (c->stats != MC_STATS_ALL || c->trials == 0)
		return;
	s->fraction = (double)c->living_sum / (T * m);
	s->min_fraction = (double)c->min_living / m;
	if (c->trials > 1) {
		/* Sample variance of the living counts from exact integer sums. */
		long double s1 = (long double)c->living_sum;
		long double s2 = ldexpl((long double)c->living_sq[1], 64) + (long double)c->living_sq[0];
		long double var = (s2 - s1 * s1 / (long double)T) / (long double)(T - 1.0);
		if (var < 0)
			var = 0;
		s->fraction_se = (double)(sqrtl(var / (long double)T) / (long double)m);
	}
}

double mc_layer_survival(const mc_counts *c, size_t l)
{
	const mc_layer_counts *x = &c->layers[l - 1];
	if (c->stats != MC_STATS_ALL || x->points_reaching == 0)
		return NAN;
	return (double)x->points_living / (double)x->points_reaching;
}

double mc_layer_net_survival(const mc_counts *c, size_t l)
{
	const mc_layer_counts *x = &c->layers[l - 1];
	return x->trials_reaching ? (double)x->trials_living / (double)x->trials_reaching : NAN;
}

double mc_layer_dead_rate(const mc_counts *c, size_t l, size_t width)
{
	const mc_layer_counts *x = &c->layers[l - 1];
	if (c->stats != MC_STATS_ALL || x->trials_reaching == 0)
		return NAN;
	return (double)x->dead_neurons / ((double)x->trials_reaching * (double)width);
}

/* ---- configuration --------------------------------------------------------- */

static int gaussian_net(const rl_net_spec *s)
{
	return s->weights.kind == LAW_NORMAL && (s->bias.kind == LAW_NORMAL || s->bias.kind == LAW_ZERO);
}

/* The engine's own fast path handles plain nets without flipping. */
static int fast_path(const mc_config *cfg)
{
	return !cfg->reference && !cfg->flip && !cfg->alignment && cfg->spec->arch == ARCH_PLAIN;
}

int mc_validate(const mc_config *cfg, rl_err *e)
{
	const rl_net_spec *s = cfg->spec;
	if (!s || !cfg->X)
		return rl_fail(e, "mc needs a network specification and an input set");
	if (s->depth < 1 || s->depth > NET_MAX_DEPTH)
		return rl_fail(e, "depth must be between 1 and %u, got %zu", NET_MAX_DEPTH, s->depth);
	for (size_t l = 0; l < s->depth; l++)
		if (s->widths[l] < 1 || s->widths[l] > NET_MAX_WIDTH)
			return rl_fail(e, "width of layer %zu must be between 1 and %u, got %zu",
			               l + 1, NET_MAX_WIDTH, s->widths[l]);
	if (cfg->X->rows < 1)
		return rl_fail(e, "the input set X is empty; give at least one point");
	if (cfg->X->cols != s->input)
		return rl_fail(e, "X has dimension %zu but the network's input is %zu "
		               "(leave 'input' out to take X's dimension)", cfg->X->cols, s->input);
	if (cfg->trials < 1)
		return rl_fail(e, "trials must be at least 1");
	if (cfg->shard_count || cfg->shard_index) {
		if (cfg->shard_count < 1 || cfg->shard_index < 1 || cfg->shard_index > cfg->shard_count)
			return rl_fail(e, "shard must be {i, N} with 1 <= i <= N, got {%llu, %llu}",
			               (unsigned long long)cfg->shard_index,
			               (unsigned long long)cfg->shard_count);
		if (cfg->shard_count > cfg->trials)
			return rl_fail(e, "shard {%llu, %llu}: more shards than trials (%llu); "
			               "use at most as many shards as trials",
			               (unsigned long long)cfg->shard_index,
			               (unsigned long long)cfg->shard_count,
			               (unsigned long long)cfg->trials);
	}
	if (cfg->method == MC_METHOD_GRAM && !gaussian_net(s))
		return rl_fail(e, "method 'gram' samples Gaussian pre-activations, so it needs normal "
		               "weights (he, glorot or normal) and normal or zero biases; these "
		               "weights are %s and biases %s: use method 'explicit' or 'auto'",
		               law_name(s->weights.kind), law_name(s->bias.kind));
	if (cfg->method == MC_METHOD_GRAM && s->arch != ARCH_PLAIN)
		return rl_fail(e, "method 'gram' supports arch 'plain' only, got '%s': use method "
		               "'explicit' or 'auto'", arch_name(s->arch));
	if (!fast_path(cfg)) {
		/* net_create draws whole networks: check they fit, and that X suits
		 * the architecture (batchnorm needs two points). */
		if (net_spec_validate(s, e) || net_check_input(s, cfg->X, e))
			return -1;
	} else if (net_check_scale(s, cfg->X, e)) {
		return -1;   /* (net_check_input checks it on the other path) */
	}
	/* Before any work: what grows with the depth. The counts (the run's,
	 * a snapshot, one per worker, the record's copy) take ~56 bytes a layer
	 * each, and the result reaches Lua as a table per layer (~500 bytes,
	 * measured): 1 KiB a layer plus the workers' counts bounds it. A run
	 * too deep for the limit is refused now, not after it has run. */
	unsigned threads = cfg->threads ? cfg->threads : mc_default_threads();
	if (rl_mem_check((double)s->depth * (MC_BYTES_PER_LAYER + 64.0 * threads),
	                 "the counts and result of a run this deep", e))
		return -1;
	return 0;
}

/* ---- the shared, read-only plan of a run ------------------------------------ */

typedef struct mc_plan {
	const mc_config *cfg;
	rl_net_spec spec;        /* own copy */
	const rl_mat *X;
	size_t m, pad, depth, max_width, max_params, neuron_total;
	size_t *neuron_offset;   /* [depth] start of layer l's neurons in neuron_active */
	double *Xt;              /* d x pad, feature-major */
	int gaussian, fast, lazy;
	double *sd_w, *sd_b;     /* [depth] */
	/* Layer 1's Gram basis of X, the same in every trial. */
	int have_basis1;
	size_t rank1;
	size_t coords1_ld;       /* stride of coords1: min(p, m) + 1, fixed before rank1 is known */
	double *coords1;         /* m rows: point q's coordinates (zero past its rank) */
	size_t *rank_after1;     /* [m]: basis size after point q */
	double cost_variate, blas_min;
	int use_blas;
	kernel_dense_fn *dense;  /* the kernels for this CPU, chosen once per run */
	kernel_finish_fn *finish;
} mc_plan;

static size_t layer_p(const mc_plan *pl, size_t l)
{
	size_t fan = l == 1 ? pl->spec.input : pl->spec.widths[l - 2];
	return fan + (pl->spec.bias.kind != LAW_ZERO);
}

static void plan_free(mc_plan *pl)
{
	free(pl->Xt);
	free(pl->sd_w);
	free(pl->sd_b);
	free(pl->coords1);
	free(pl->rank_after1);
	free(pl->neuron_offset);
	net_spec_free(&pl->spec);
}

/* Lazy evaluation pays when the first point usually survives: it then costs
 * one point's pass instead of all of them. When networks usually die every
 * point is visited anyway, and breadth first (explicit kernels) is faster. */
static int choose_lazy(const mc_plan *pl)
{
	const mc_config *cfg = pl->cfg;
	if (cfg->stats != MC_STATS_ALIVE || !pl->gaussian || !pl->fast)
		return 0;
	if (cfg->method == MC_METHOD_GRAM)
		return 1;
	if (cfg->method == MC_METHOD_EXPLICIT)
		return 0;
	return pl->m == 1 || bound_lower(pl->spec.widths, pl->spec.depth) >= rl_env_number("RELUSH_MC_LAZY_L", 0.5, 0);
}

static int plan_basis1(mc_plan *pl, rl_err *e)
{
	size_t d = pl->spec.input, p = layer_p(pl, 1), m = pl->m, r = p < m ? p : m;
	gram_layer g;
	gram_layer_init(&g, p, pl->spec.widths[0]);
	double *a = malloc((p + 1) * sizeof *a), *work = malloc((p + 1) * sizeof *work);
	double *c = malloc((r + 2) * sizeof *c);
	pl->coords1_ld = r + 1;
	pl->coords1 = rl_calloc(m, pl->coords1_ld * sizeof(double), "the Gram basis of X", e);
	pl->rank_after1 = rl_calloc(m, sizeof(size_t), "the Gram basis of X", e);
	int rc = 0;
	if (!a || !work || !c || !pl->coords1 || !pl->rank_after1) {
		rc = rl_fail(e, "out of memory computing the Gram basis of X");
		goto out;
	}
	for (size_t q = 0; q < m; q++) {
		const double *x = mat_row(pl->X, q);
		for (size_t i = 0; i < d; i++)
			a[i] = pl->sd_w[0] * x[i];
		if (p > d)
			a[d] = pl->sd_b[0];
		size_t rk = gram_reveal(&g, a, c, work, 0);
		if (rk == (size_t)-1) {
			rc = rl_fail(e, "out of memory computing the Gram basis of X");
			goto out;
		}
		memcpy(pl->coords1 + q * pl->coords1_ld, c, rk * sizeof *c);
		pl->rank_after1[q] = rk;
	}
	pl->rank1 = g.rank;
	pl->have_basis1 = 1;
out:
	gram_layer_free(&g);
	free(a);
	free(work);
	free(c);
	return rc;
}

static int plan_init(mc_plan *pl, const mc_config *cfg, rl_err *e)
{
	memset(pl, 0, sizeof *pl);
	pl->cfg = cfg;
	if (net_spec_copy(&pl->spec, cfg->spec, e))
		return -1;
	const rl_net_spec *s = &pl->spec;
	pl->X = cfg->X;
	pl->m = cfg->X->rows;
	pl->pad = kernel_pad(pl->m);
	pl->depth = s->depth;
	pl->gaussian = gaussian_net(s);
	pl->fast = fast_path(cfg);
	pl->max_width = s->input;
	pl->dense = kernel_dense();
	pl->finish = kernel_finish();
	pl->cost_variate = rl_env_number("RELUSH_MC_NS_VARIATE", MC_NS_VARIATE, 1e-300);
	pl->blas_min = rl_env_number("RELUSH_MC_BLAS_MIN", MC_BLAS_MIN, 0);
#ifdef HAVE_BLAS
	pl->use_blas = pl->blas_min > 0;
#endif
	pl->neuron_offset = rl_calloc(s->depth, sizeof(size_t), "the Monte Carlo plan", e);
	pl->sd_w = rl_calloc(s->depth, sizeof(double), "the Monte Carlo plan", e);
	pl->sd_b = rl_calloc(s->depth, sizeof(double), "the Monte Carlo plan", e);
	if (!pl->neuron_offset || !pl->sd_w || !pl->sd_b) {
		plan_free(pl);
		return -1;
	}
	for (size_t l = 1; l <= s->depth; l++) {
		size_t n = s->widths[l - 1], fan = net_fan_in(s, l);
		if (n > pl->max_width)
			pl->max_width = n;
		if (n * fan > pl->max_params)
			pl->max_params = n * fan;
		pl->neuron_offset[l - 1] = pl->neuron_total;
		pl->neuron_total += n;
		pl->sd_w[l - 1] = law_sd(s->weights.kind, law_param(&s->weights, fan, n));
		pl->sd_b[l - 1] = s->bias.kind == LAW_ZERO ? 0.0 : law_sd(s->bias.kind, law_param(&s->bias, fan, n));
	}
	if (!pl->fast)
		return 0;
	pl->lazy = choose_lazy(pl);
	if (pl->lazy || (cfg->method == MC_METHOD_GRAM && pl->gaussian))
		pl->max_params = 0;   /* weights are never drawn: no room needed for them */
	pl->Xt = rl_calloc(s->input, pl->pad * sizeof(double), "the transposed input set", e);
	if (!pl->Xt) {
		plan_free(pl);
		return -1;
	}
	for (size_t q = 0; q < pl->m; q++)
		for (size_t i = 0; i < s->input; i++)
			pl->Xt[i * pl->pad + q] = mat_row(cfg->X, q)[i];
	if (pl->gaussian && cfg->method != MC_METHOD_EXPLICIT && plan_basis1(pl, e)) {
		plan_free(pl);
		return -1;
	}
	return 0;
}

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
	void *scratch;
	uint64_t *active;         /* [max_width] per-layer neuron activity */
	gram_layer gram;          /* breadth-first: the current layer */
	gram_layer *lazy_layers;  /* lazy: one per layer */
	uint64_t *lazy_stamp;     /* trial each lazy layer was last reset for */
	trial_record rec;
	mc_counts local;
} mc_worker;

static void worker_free(mc_worker *w)
{
	free(w->H[0]);
	free(w->H[1]);
	free(w->W);
	free(w->b);
	free(w->Z);
	free(w->a);
	free(w->c);
	free(w->work);
	free(w->z);
	free(w->h);
	free(w->scratch);
	free(w->active);
	free(w->rec.reaching);
	free(w->rec.alive_after);
	free(w->rec.dead_neurons);
	free(w->rec.active_unit);
	free(w->rec.cosine);
	gram_layer_free(&w->gram);
	if (w->lazy_layers)
		for (size_t l = 0; l < w->plan->depth; l++)
			gram_layer_free(&w->lazy_layers[l]);
	free(w->lazy_layers);
	free(w->lazy_stamp);
	mc_counts_free(&w->local);
	memset(w, 0, sizeof *w);
}

static double worker_bytes(const mc_plan *pl)
{
	double rows = (double)pl->max_width, pad = (double)pl->pad;
	double bytes = 8.0 * (2.0 * rows * pad + (double)pl->max_params + rows);
	if (pl->use_blas)
		bytes += 8.0 * rows * pad;
	bytes += 64.0 * rows + 8.0 * 6.0 * rows + 24.0 * (double)pl->depth;
	return bytes;
}

static int worker_init(mc_worker *w, mc_plan *pl, rl_err *e)
{
	memset(w, 0, sizeof *w);
	w->plan = pl;
	const char *what = "the Monte Carlo workspace";
	size_t rows = pl->max_width + 2, depth = pl->depth;
	if (mc_counts_init(&w->local, depth, pl->m, pl->cfg->stats,
	                   pl->cfg->neuron_activity ? pl->neuron_total : 0, e))
		return -1;
	w->rec.reaching = rl_calloc(depth, sizeof(uint64_t), what, e);
	w->rec.alive_after = rl_calloc(depth, sizeof(uint64_t), what, e);
	w->rec.dead_neurons = rl_calloc(depth, sizeof(uint64_t), what, e);
	w->rec.active_unit = rl_calloc(depth, sizeof(uint8_t), what, e);
	w->active = rl_calloc(rows, sizeof(uint64_t), what, e);
	if (!w->rec.reaching || !w->rec.alive_after || !w->rec.dead_neurons || !w->rec.active_unit ||
	    !w->active)
		goto fail;
	if (pl->cfg->alignment &&
	    (mc_counts_want_alignment(&w->local, e) ||
	     !(w->rec.cosine = rl_calloc(depth, sizeof(double), what, e))))
		goto fail;
	if (!pl->fast)
		return 0;
	for (int k = 0; k < 2; k++)
		if (!(w->H[k] = rl_calloc(rows, pl->pad * sizeof(double), what, e)))
			goto fail;
	w->W = rl_calloc(pl->max_params ? pl->max_params : 1, sizeof(double), what, e);
	w->b = rl_calloc(rows, sizeof(double), what, e);
	w->a = rl_calloc(rows, sizeof(double), what, e);
	w->c = rl_calloc(rows + 2, sizeof(double), what, e);
	w->work = rl_calloc(rows, sizeof(double), what, e);
	w->z = rl_calloc(rows, sizeof(double), what, e);
	w->h = rl_calloc(rows, sizeof(double), what, e);
	if (!w->W || !w->b || !w->a || !w->c || !w->work || !w->z || !w->h)
		goto fail;
	if (pl->use_blas && !(w->Z = rl_calloc(rows, pl->pad * sizeof(double), what, e)))
		goto fail;
	w->scratch = aligned_alloc(64, rows * KERNEL_SCRATCH);
	if (!w->scratch) {
		rl_fail(e, "out of memory for %s", what);
		goto fail;
	}
	memset(w->scratch, 0, rows * KERNEL_SCRATCH);
	if (pl->lazy) {
		w->lazy_layers = rl_calloc(depth, sizeof *w->lazy_layers, what, e);
		w->lazy_stamp = rl_calloc(depth, sizeof *w->lazy_stamp, what, e);
		if (!w->lazy_layers || !w->lazy_stamp)
			goto fail;
		for (size_t l = 1; l <= depth; l++)
			gram_layer_init(&w->lazy_layers[l - 1], layer_p(pl, l), pl->spec.widths[l - 1]);
	}
	return 0;
fail:
	worker_free(w);
	return -1;
}

/* ---- evaluating one trial ---------------------------------------------------- */

enum { TRIAL_DONE = 0, TRIAL_ABORTED = 1, TRIAL_FAILED = 2 };

static int stop_requested(const struct mc_shared *sh);

static void record_start(trial_record *rec)
{
	rec->reached = 0;
	rec->living = 0;
	rec->died = 0;
	rec->layers_explicit = rec->layers_gram = 0;
	rec->lazy = rec->reference = 0;
}

/* Neurons active on no reaching point; adds the activity to the counts. */
static uint64_t layer_dead(mc_worker *w, size_t l, size_t n)
{
	uint64_t dead = 0;
	uint64_t *na = w->local.neuron_active;
	for (size_t j = 0; j < n; j++) {
		dead += w->active[j] == 0;
		if (na)
			na[w->plan->neuron_offset[l - 1] + j] += w->active[j];
		w->active[j] = 0;
	}
	return dead;
}

/* The cheaper way to evaluate layer l on m living points. */
static int layer_uses_gram(const mc_plan *pl, size_t l, size_t m)
{
	mc_method method = pl->cfg->method;
	if (!pl->gaussian || method == MC_METHOD_EXPLICIT)
		return 0;
	if (method == MC_METHOD_GRAM)
		return 1;
	double n = (double)pl->spec.widths[l - 1], fan = (double)net_fan_in(&pl->spec, l);
	double p = (double)layer_p(pl, l), mm = (double)m, cv = pl->cost_variate;
	double expl = MC_NS_LAYER + cv * n * p + MC_NS_KERNEL_FMA * mm * n * (fan + 2.0);
	double r = l == 1 ? (double)pl->rank1 : (mm < p ? mm : p), gram;
	if (l == 1)   /* X's basis is computed once per run */
		gram = MC_NS_LAYER + mm * (MC_NS_GRAM_POINT / 3 + MC_NS_GRAM_FMA * (r * n + n)) + cv * r * n;
	else
		gram = MC_NS_LAYER + mm * (MC_NS_GRAM_POINT + MC_NS_GRAM_FMA * (2.0 * r * p + r * n + 2.0 * p + 2.0 * n))
		       + cv * r * n;
	/* Explicit layers keep the trial replayable: Gram only when clearly cheaper. */
	return gram * MC_GRAM_MARGIN < expl;
}

/* Explicit layer: weights drawn exactly as net_create draws them. */
static size_t layer_explicit(mc_worker *w, uint64_t trial, size_t l, const double *Hin,
                             size_t m, double *Hout)
{
	const mc_plan *pl = w->plan;
	size_t n = pl->spec.widths[l - 1], p = net_fan_in(&pl->spec, l);
	net_draw_layer(&pl->spec, trial, l, w->W, w->b);
#ifdef HAVE_BLAS
	if (pl->use_blas && (double)m * (double)n * (double)p >= pl->blas_min) {
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m, (int)p,
		            1.0, w->W, (int)p, Hin, (int)pl->pad, 0.0, w->Z, (int)pl->pad);
		return pl->finish(w->Z, pl->pad, w->b, n, m, Hout, pl->pad, w->active, w->scratch);
	}
#endif
	return pl->dense(w->W, w->b, n, p, Hin, pl->pad, m, Hout, pl->pad, w->active, w->scratch);
}

/* h = ReLU(z); is some z_j > 0? Branch-free: the signs are coin flips, so
 * branches on them would be mispredicted half the time. */
static int relu_any(const double *restrict z, double *restrict h, size_t n)
{
	uint64_t alive = 0;
	for (size_t j = 0; j < n; j++) {
		uint64_t bits, mask = -(uint64_t)(z[j] > 0.0);
		memcpy(&bits, &z[j], sizeof bits);
		bits &= mask;
		alive |= mask;
		memcpy(&h[j], &bits, sizeof bits);
	}
	return alive != 0;
}

/* Does z (n entries) have an active neuron? Counts activity. */
static int point_test(mc_worker *w, const double *z, size_t n)
{
	unsigned alive = 0;
	for (size_t j = 0; j < n; j++) {
		unsigned act = z[j] > 0.0;
		alive |= act;
		w->active[j] += act;
	}
	return alive != 0;
}

/* Gram layer, breadth first: the living points revealed in order. */
static int layer_gram(mc_worker *w, uint64_t trial, size_t l, const double *Hin,
                      size_t m, double *Hout, size_t *living)
{
	const mc_plan *pl = w->plan;
	size_t n = pl->spec.widths[l - 1], p = layer_p(pl, l), fan = net_fan_in(&pl->spec, l);
	gram_layer *g = &w->gram;
	gram_layer_shape(g, p, n);
	gram_layer_reset(g, pl->spec.seed, trial, l);
	double sw = pl->sd_w[l - 1], sb = pl->sd_b[l - 1];
	size_t pos = 0, ld = pl->pad;
	if (l == 1 && gram_draw_rows(g, pl->rank1))
		return -1;
	for (size_t q = 0; q < m; q++) {
		const double *c;
		size_t r;
		if (l == 1) {
			c = pl->coords1 + q * pl->coords1_ld;
			r = pl->rank_after1[q];
		} else {
			for (size_t i = 0; i < fan; i++)
				w->a[i] = sw * Hin[i * ld + q];
			if (p > fan)
				w->a[fan] = sb;
			r = gram_reveal(g, w->a, w->c, w->work, 1);
			if (r == (size_t)-1)
				return -1;
			c = w->c;
		}
		gram_combine(g, c, r, w->z);
		if (point_test(w, w->z, n)) {
			relu_any(w->z, w->h, n);
			for (size_t j = 0; j < n; j++)
				Hout[j * ld + pos] = w->h[j];
			pos++;
		}
	}
	*living = pos;
	return 0;
}

/* Breadth first: every living point through layer after layer. */
static int trial_breadth(mc_worker *w, uint64_t trial)
{
	mc_plan *pl = w->plan;
	trial_record *rec = &w->rec;
	const double *Hin = pl->Xt;
	size_t m = pl->m;
	int out = 0;
	for (size_t l = 1; l <= pl->depth; l++) {
		if (stop_requested(w->shared))
			return TRIAL_ABORTED;
		size_t n = pl->spec.widths[l - 1], living;
		double *Hout = w->H[out];
		if (layer_uses_gram(pl, l, m)) {
			if (layer_gram(w, trial, l, Hin, m, Hout, &living))
				return TRIAL_FAILED;
			rec->layers_gram++;
		} else {
			living = layer_explicit(w, trial, l, Hin, m, Hout);
			rec->layers_explicit++;
		}
		rec->reached = l;
		rec->reaching[l - 1] = m;
		rec->alive_after[l - 1] = living;
		rec->dead_neurons[l - 1] = layer_dead(w, l, n);
		if (living == 0) {
			rec->died = l;
			rec->living = 0;
			return TRIAL_DONE;
		}
		Hin = Hout;
		out ^= 1;
		m = living;
	}
	rec->living = m;
	return TRIAL_DONE;
}

/* Lazy: points one at a time, depth first, until one lives through every
 * layer. Layer l's state is reset the first time this trial touches it. */
static int trial_lazy(mc_worker *w, uint64_t trial)
{
	mc_plan *pl = w->plan;
	trial_record *rec = &w->rec;
	size_t d = pl->spec.input, worst = 0;
	rec->lazy = 1;
	for (size_t q = 0; q < pl->m; q++) {
		const double *h = mat_row(pl->X, q);
		size_t died = 0;
		for (size_t l = 1; l <= pl->depth; l++) {
			if (stop_requested(w->shared))
				return TRIAL_ABORTED;
			gram_layer *g = &w->lazy_layers[l - 1];
			size_t n = pl->spec.widths[l - 1], fan = l == 1 ? d : pl->spec.widths[l - 2];
			if (w->lazy_stamp[l - 1] != trial) {
				gram_layer_reset(g, pl->spec.seed, trial, l);
				w->lazy_stamp[l - 1] = trial;
			}
			const double *c;
			size_t r;
			if (l == 1) {
				c = pl->coords1 + q * pl->coords1_ld;
				r = pl->rank_after1[q];
				if (gram_draw_rows(g, r))
					return TRIAL_FAILED;
			} else {
				double sw = pl->sd_w[l - 1];
				for (size_t i = 0; i < fan; i++)
					w->a[i] = sw * h[i];
				if (g->p > fan)
					w->a[fan] = pl->sd_b[l - 1];
				r = gram_reveal(g, w->a, w->c, w->work, 1);
				if (r == (size_t)-1)
					return TRIAL_FAILED;
				c = w->c;
			}
			gram_combine(g, c, r, w->z);
			int alive = relu_any(w->z, w->h, n);
			if (l > rec->reached)
				rec->reached = l;
			if (!alive) {
				died = l;
				break;
			}
			h = w->h;
		}
		if (!died) {
			rec->living = 1;   /* at least one; the rest was never looked at */
			rec->died = 0;
			return TRIAL_DONE;
		}
		if (died > worst)
			worst = died;
	}
	rec->died = worst;
	rec->living = 0;
	return TRIAL_DONE;
}

/* The reference: a whole net_create + net_death per trial. Handles every
 * architecture net_death knows. */
static int trial_reference(mc_worker *w, uint64_t trial)
{
	mc_plan *pl = w->plan;
	trial_record *rec = &w->rec;
	rl_err e;
	rec->reference = 1;
	if (stop_requested(w->shared))
		return TRIAL_ABORTED;
	rl_net *net = net_create(&pl->spec, trial, &e);
	if (!net)
		return TRIAL_FAILED;
	rl_death_report *rep;
	if (pl->cfg->flip) {
		/* Sign flipping changes the net in place; its report is the
		 * flipped net's net_death. */
		rl_flip_report *fr = net_flip(net, pl->X, 0, &e);
		rep = fr ? fr->death : NULL;
		if (fr) {
			fr->death = NULL;
			flip_report_free(fr);
		}
		if (rep && rec->cosine) {   /* measure the flipped net */
			death_report_free(rep);
			rep = alignment_measure(net, pl->X, rec->cosine, &e);
		}
	} else if (rec->cosine) {
		rep = alignment_measure(net, pl->X, rec->cosine, &e);
	} else {
		rep = net_death(net, pl->X, &e);
	}
	net_free(net);
	if (!rep)
		return TRIAL_FAILED;
	/* Batch norm keeps every point in the batch, so a layer past the last
	 * strictly living point can still have an active unit. */
	for (size_t l = 1; l <= pl->depth; l++)
		rec->active_unit[l - 1] = (uint8_t)rep->layers[l - 1].has_active_unit;
	size_t worst = 0;
	for (size_t i = 0; i < rep->points; i++)
		if (rep->dead_at[i] > worst)
			worst = rep->dead_at[i];
	for (size_t l = 1; l <= pl->depth; l++) {
		const rl_layer_stats *st = &rep->layers[l - 1];
		if (st->reaching == 0)
			break;
		rec->reached = l;
		rec->reaching[l - 1] = st->reaching;
		rec->alive_after[l - 1] = st->living;
		rec->dead_neurons[l - 1] = st->dead_neurons;
		if (w->local.neuron_active)
			for (size_t j = 0; j < st->width; j++)
				w->local.neuron_active[pl->neuron_offset[l - 1] + j] += st->active[j];
	}
	rec->living = rep->living;
	rec->died = rep->living ? 0 : worst;
	death_report_free(rep);
	return TRIAL_DONE;
}

static void record_commit(mc_counts *c, const trial_record *rec)
{
	c->trials++;
	c->layers_explicit += rec->layers_explicit;
	c->layers_gram += rec->layers_gram;
	c->trials_lazy += (uint64_t)rec->lazy;
	c->trials_reference += (uint64_t)rec->reference;
	if (rec->living)
		c->alive_trials++;
	else if (rec->died)
		c->died_at[rec->died - 1]++;
	if (rec->lazy) {
		/* Only network-level facts are known. */
		size_t last = rec->living ? c->depth : rec->died;
		for (size_t l = 0; l < last; l++) {
			c->layers[l].trials_reaching++;
			c->layers[l].trials_living += l + 1 < last || rec->living;
			c->layers[l].trials_active_unit += l + 1 < last || rec->living;
		}
		c->trials_all_active += rec->living > 0;
		return;
	}
	for (size_t l = 0; l < rec->reached; l++) {
		mc_layer_counts *x = &c->layers[l];
		x->trials_reaching++;
		x->trials_living += rec->alive_after[l] > 0;
		x->points_reaching += rec->reaching[l];
		x->points_living += rec->alive_after[l];
		x->dead_neurons += rec->dead_neurons[l];
		if (!rec->reference)  /* only living points are evaluated */
			x->trials_active_unit += rec->alive_after[l] > 0;
	}
	if (rec->reference) {
		int all = 1;
		for (size_t l = 0; l < c->depth; l++) {
			c->layers[l].trials_active_unit += rec->active_unit[l];
			all &= rec->active_unit[l];
		}
		c->trials_all_active += (uint64_t)all;
	} else {
		c->trials_all_active += rec->living > 0;
	}
	if (c->alignment && rec->cosine)
		alignment_sum_add(c->alignment, rec->cosine);
	c->living_sum += rec->living;
	uint64_t lo, hi;
	u64_square(rec->living, &lo, &hi);
	u128_add(c->living_sq, lo, hi);
	if (rec->living < c->min_living)
		c->min_living = rec->living;
}

static int run_trial(mc_worker *w, uint64_t trial)
{
	record_start(&w->rec);
	if (!w->plan->fast)
		return trial_reference(w, trial);
	if (w->plan->lazy)
		return trial_lazy(w, trial);
	return trial_breadth(w, trial);
}

/* ---- threads ------------------------------------------------------------------ */

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

static int stop_requested(const mc_shared *sh)
{
	return atomic_load_explicit(&((mc_shared *)sh)->stop, memory_order_relaxed) || rl_interrupted();
}

static void *worker_main(void *arg)
{
	mc_worker *w = arg;
	mc_shared *sh = w->shared;
	const mc_plan *pl = w->plan;
	uint64_t chunk = sh->chunk_fixed ? sh->chunk_fixed : 1;
	int done = 0;
	while (!done && !stop_requested(sh)) {
		if (rl_paused()) {
			/* paused (the view's p key): claim nothing until resumed or stopped */
			struct timespec nap = {0, 10 * 1000 * 1000};
			nanosleep(&nap, NULL);
			continue;
		}
		uint64_t start = atomic_fetch_add(&sh->next, chunk);
		if (start >= sh->count)
			break;
		uint64_t end = start + chunk < sh->count ? start + chunk : sh->count;
		double t0 = rl_now();
		for (uint64_t k = start; k < end; k++) {
			int rc = run_trial(w, sh->first + k);
			if (rc == TRIAL_DONE) {
				record_commit(&w->local, &w->rec);
				continue;
			}
			if (rc == TRIAL_FAILED) {
				atomic_store(&sh->failed, 1);
				atomic_store(&sh->stop, 1);
			}
			done = 1;
			break;
		}
		pthread_mutex_lock(&sh->lock);
		mc_counts_add(&sh->total, &w->local, pl->neuron_total);
		pthread_mutex_unlock(&sh->lock);
		counts_clear(&w->local, pl->neuron_total);
		if (!sh->chunk_fixed) {
			/* Chunks of ~20 ms keep the shared counter and lock cold while
			 * the end of the run stays balanced across threads. */
			double dt = rl_now() - t0;
			if (dt < MC_CHUNK_SECONDS / 2)
				chunk *= 2;
			else if (dt > MC_CHUNK_SECONDS * 2 && chunk > 1)
				chunk /= 2;
			uint64_t left = sh->count - (start < sh->count ? end : sh->count);
			uint64_t cap = left / (4 * (uint64_t)sh->threads) + 1;
			if (chunk > cap)
				chunk = cap;
		}
	}
	pthread_mutex_lock(&sh->lock);
	sh->running--;
	pthread_cond_signal(&sh->wake);
	pthread_mutex_unlock(&sh->lock);
	return NULL;
}

#ifdef HAVE_BLAS
static void blas_single_thread(void)
{
	/* Our threads split the trials; a BLAS spawning its own threads inside
	 * each would oversubscribe the cores. */
	openblas_set_num_threads(1);
}
#endif

static void timespec_after(struct timespec *ts, double seconds)
{
	clock_gettime(CLOCK_REALTIME, ts);
	double ns = (double)ts->tv_nsec + seconds * 1e9;
	ts->tv_sec += (time_t)(ns / 1e9);
	ts->tv_nsec = (long)fmod(ns, 1e9);
}

static void fill_bounds(mc_result *r, const mc_plan *pl)
{
	const rl_net_spec *s = &pl->spec;
	r->lower = bound_lower(s->widths, s->depth);
	r->upper = bound_upper(s->widths, s->depth, (double)s->input, mat_nonnegative(pl->X),
	                       s->bias.kind == LAW_ZERO);
	r->union_bound = bound_union(s->widths, s->depth, (double)pl->m);
}

/* Calls the progress callback with a snapshot; returns its verdict. */
static int report_progress(const mc_config *cfg, mc_shared *sh, mc_counts *snap,
                           double t0, int final, int interrupt)
{
	pthread_mutex_lock(&sh->lock);
	counts_copy(snap, &sh->total, sh->plan->neuron_total);
	pthread_mutex_unlock(&sh->lock);
	mc_progress pr;
	pr.done = snap->trials;
	pr.total = sh->count;
	pr.elapsed = rl_now() - t0;
	pr.rate = pr.elapsed > 0 ? (double)pr.done / pr.elapsed : 0.0;
	pr.eta = pr.rate > 0 ? (double)(pr.total - pr.done) / pr.rate : INFINITY;
	pr.counts = snap;
	pr.final = final;
	pr.interrupt = interrupt;
	return cfg->progress(&pr, cfg->progress_ctx);
}

mc_result *mc_run(const mc_config *cfg, rl_err *e)
{
	if (mc_validate(cfg, e))
		return NULL;
	mc_plan pl;
	if (plan_init(&pl, cfg, e))
		return NULL;
#ifdef HAVE_BLAS
	/* Only when the BLAS is used: the call wakes OpenBLAS's thread pool,
	 * whose spinning would steal the cores from our workers. */
	static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
	if (pl.use_blas)
		pthread_once(&blas_once, blas_single_thread);
#endif
	mc_result *res = calloc(1, sizeof *res);
	mc_shared sh;
	memset(&sh, 0, sizeof sh);
	uint64_t first, count;
	mc_shard_range(cfg->trials, cfg->shard_index, cfg->shard_count, &first, &count);
	unsigned threads = cfg->threads ? cfg->threads : mc_default_threads();
	if ((uint64_t)threads > count)
		threads = (unsigned)count;
	mc_worker *workers = aligned_alloc(MC_CACHE_LINE, threads * sizeof *workers);
	if (workers)
		memset(workers, 0, threads * sizeof *workers);
	mc_counts snap;
	memset(&snap, 0, sizeof snap);
	if (!res || !workers) {
		rl_fail(e, "out of memory starting the Monte Carlo run");
		goto fail;
	}
	if (pl.fast && rl_mem_check(worker_bytes(&pl) * threads, "the Monte Carlo workspace", e))
		goto fail;
	size_t nt = cfg->neuron_activity ? pl.neuron_total : 0;
	if (mc_counts_init(&sh.total, pl.depth, pl.m, cfg->stats, nt, e) ||
	    mc_counts_init(&snap, pl.depth, pl.m, cfg->stats, nt, e) ||
	    (cfg->alignment && mc_counts_want_alignment(&sh.total, e)))
		goto fail;
	if (cfg->alignment) {
		res->input_cosine = NAN;
		res->align_predicted = rl_calloc(pl.depth, sizeof(double), "the alignment prediction", e);
		if (!res->align_predicted)
			goto fail;
		size_t used;
		if (alignment_applies(&pl.spec)) {
			if (alignment_predict(pl.X, pl.depth, res->align_predicted, &res->input_cosine, &used, e))
				goto fail;
		} else {
			for (size_t l = 0; l < pl.depth; l++)
				res->align_predicted[l] = NAN;
		}
	}
	for (unsigned k = 0; k < threads; k++) {
		if (worker_init(&workers[k], &pl, e))
			goto fail;
		workers[k].shared = &sh;
	}
	sh.plan = &pl;
	sh.first = first;
	sh.count = count;
	sh.threads = threads;
	sh.chunk_fixed = cfg->chunk;
	sh.running = threads;
	pthread_mutex_init(&sh.lock, NULL);
	pthread_cond_init(&sh.wake, NULL);
	double t0 = rl_now();
	unsigned started = 0;
	for (; started < threads; started++)
		if (pthread_create(&workers[started].thread, NULL, worker_main, &workers[started]))
			break;
	pthread_mutex_lock(&sh.lock);
	sh.running -= threads - started;   /* workers may already have finished */
	pthread_mutex_unlock(&sh.lock);
	if (started == 0) {
		rl_fail(e, "could not start a Monte Carlo thread");
		pthread_mutex_destroy(&sh.lock);
		pthread_cond_destroy(&sh.wake);
		goto fail;
	}
	/* Coordinate: wake every interval (or when a worker ends), poll the
	 * interrupt flag, report progress. */
	double interval = cfg->progress_interval > 0 ? cfg->progress_interval : 0.05;
	double wait = interval < 0.05 ? interval : 0.05, last_report = t0;
	pthread_mutex_lock(&sh.lock);
	while (sh.running > 0) {
		struct timespec ts;
		timespec_after(&ts, wait);
		pthread_cond_timedwait(&sh.wake, &sh.lock, &ts);
		if (sh.running == 0)
			break;
		pthread_mutex_unlock(&sh.lock);
		if (rl_interrupted())
			atomic_store(&sh.stop, 1);
		double now = rl_now();
		if (cfg->progress && !atomic_load(&sh.stop) && now - last_report >= interval) {
			last_report = now;
			if (report_progress(cfg, &sh, &snap, t0, 0, 0))
				atomic_store(&sh.stop, 1);
		}
		pthread_mutex_lock(&sh.lock);
	}
	pthread_mutex_unlock(&sh.lock);
	for (unsigned k = 0; k < started; k++)
		pthread_join(workers[k].thread, NULL);
	res->seconds = rl_now() - t0;
	if (atomic_load(&sh.failed)) {
		rl_fail(e, "the Monte Carlo run ran out of memory in a worker");
		pthread_mutex_destroy(&sh.lock);
		pthread_cond_destroy(&sh.wake);
		goto fail;
	}
	int interrupted = sh.total.trials < count, by_interrupt = interrupted && rl_interrupted();
	if (by_interrupt)
		rl_interrupt_clear();   /* consumed: the session goes on with the partial result */
	if (cfg->progress)
		report_progress(cfg, &sh, &snap, t0, 1, by_interrupt);
	pthread_mutex_destroy(&sh.lock);
	pthread_cond_destroy(&sh.wake);
	res->counts = sh.total;
	memset(&sh.total, 0, sizeof sh.total);
	res->first_trial = first;
	res->last_trial = first + count - 1;
	res->requested = count;
	res->threads = threads;
	res->interrupted = interrupted;
	res->lazy = pl.lazy;
	fill_bounds(res, &pl);
	for (unsigned k = 0; k < threads; k++)
		worker_free(&workers[k]);
	free(workers);
	mc_counts_free(&snap);
	plan_free(&pl);
	return res;
fail:
	if (workers)
		for (unsigned k = 0; k < threads; k++)
			if (workers[k].plan)
				worker_free(&workers[k]);
	free(workers);
	mc_counts_free(&sh.total);
	mc_counts_free(&snap);
	if (res)
		free(res->align_predicted);
	free(res);
	plan_free(&pl);
	return NULL;
}

void mc_result_free(mc_result *r)
{
	if (!r)
		return;
	mc_counts_free(&r->counts);
	free(r->align_predicted);
	free(r);
}

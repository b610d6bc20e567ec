/* mc.c: the Monte Carlo engine (see relush/mc.h): configuration checks and
 * the threaded run; the per-trial evaluation is mc_eval.c's, the exact
 * counts mc_counts.c's. The calling thread only coordinates: it waits on the
 * workers, polls the interrupt flag and calls the progress callback, so
 * callbacks never run on a worker thread. */
#include "config.h"
#include <math.h>
#include <pthread.h>
#include <stdio.h>
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
#include "mc_impl.h"

/* ---- tuning (measured on the benchmark machine, see scripts/bench) ------- */

/* A value relush cannot use is refused at start-up (rl_env_check); here it
 * falls back to the default, so no NaN ever reaches a results file. */
void mc_tuning_get(mc_tuning *t)
{
	t->ns_variate = rl_env_number("RELUSH_MC_NS_VARIATE", MC_NS_VARIATE, 1e-300);
	t->lazy_l = rl_env_number("RELUSH_MC_LAZY_L", 0.5, 0);
	t->blas_min = rl_env_number("RELUSH_MC_BLAS_MIN", MC_BLAS_MIN, 0);
}

/* ---- configuration --------------------------------------------------------- */

int mci_gaussian_net(const rl_net_spec *s)
{
	return s->weights.kind == LAW_NORMAL && (s->bias.kind == LAW_NORMAL || s->bias.kind == LAW_ZERO);
}

/* The engine's own fast path handles plain nets without flipping. */
int mci_fast_path(const mc_config *cfg)
{
	return !cfg->reference && !cfg->flip && !cfg->alignment && cfg->spec->arch == ARCH_PLAIN;
}

const char *mc_engine_paths(void)
{
	static char text[128];
	snprintf(text, sizeof text, "kernels %s (float32 multiply-adds %s), generator %s",
	         kernel_path_name(kernel_get_path()), kernel_single_fused() ? "fused" : "unfused",
	         rng_path_name(rng_get_path()));
	return text;
}

rl_precision mc_choose_precision(const mc_config *cfg)
{
	return precision_for_inputs(cfg->spec, cfg->X);
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
	if (cfg->method == MC_METHOD_GRAM && !mci_gaussian_net(s))
		return rl_fail(e, "method 'gram' samples Gaussian pre-activations, so it needs normal "
		               "weights (he, glorot or normal) and normal or zero biases; these "
		               "weights are %s and biases %s: use method 'explicit' or 'auto'",
		               law_name(s->weights.kind), law_name(s->bias.kind));
	if (cfg->method == MC_METHOD_GRAM && s->arch != ARCH_PLAIN)
		return rl_fail(e, "method 'gram' supports arch 'plain' only, got '%s': use method "
		               "'explicit' or 'auto'", arch_name(s->arch));
	if (!mci_fast_path(cfg)) {
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

/* ---- threads ------------------------------------------------------------------ */



int mci_stop_requested(const mc_shared *sh)
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
	while (!done && !mci_stop_requested(sh)) {
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
			int rc = mci_run_trial(w, sh->first + k);
			if (rc == TRIAL_DONE) {
				mci_record_commit(&w->local, &w->rec);
				continue;
			}
			if (rc == TRIAL_FAILED) {
				w->failed_trial = sh->first + k;
				atomic_store(&sh->failed, 1);
				atomic_store(&sh->stop, 1);
			}
			done = 1;
			break;
		}
		pthread_mutex_lock(&sh->lock);
		mc_counts_add(&sh->total, &w->local, pl->neuron_total);
		pthread_mutex_unlock(&sh->lock);
		mci_counts_clear(&w->local, pl->neuron_total);
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
	mci_counts_copy(snap, &sh->total, sh->plan->neuron_total);
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
	if (mci_plan_init(&pl, cfg, e))
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
	if (pl.fast && rl_mem_check(mci_worker_bytes(&pl) * threads, "the Monte Carlo workspace", e))
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
		if (mci_worker_init(&workers[k], &pl, e))
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
		/* the first failure that says why, else the only other cause */
		const mc_worker *why = NULL;
		for (unsigned k = 0; k < started && !why; k++)
			if (workers[k].err.msg[0])
				why = &workers[k];
		if (why)
			rl_fail(e, "trial %llu: %s", (unsigned long long)why->failed_trial, why->err.msg);
		else
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
		mci_worker_free(&workers[k]);
	free(workers);
	mc_counts_free(&snap);
	mci_plan_free(&pl);
	return res;
fail:
	if (workers)
		for (unsigned k = 0; k < threads; k++)
			if (workers[k].plan)
				mci_worker_free(&workers[k]);
	free(workers);
	mc_counts_free(&sh.total);
	mc_counts_free(&snap);
	if (res)
		free(res->align_predicted);
	free(res);
	mci_plan_free(&pl);
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


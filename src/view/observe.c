/* observe.c: the live view as the Monte Carlo engine's observer. mc{...,
 * view = true} calls it (mc_observer.h) from the engine's progress
 * callback with the engine's own progress structure; the model is filled
 * from those counts directly, C to C. Besides the counts, the view replays
 * a few recent trials itself (net_create(spec, t) [+ net_flip] + net_death
 * on X, the nets r:replay(t) returns) for its rolling raster, within a
 * small time budget per frame so the run keeps its cores. When the
 * terminal cannot show the view (TERM=dumb, unknown) the run goes on
 * without it, says so, and the view's text is printed at the end. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "relush/bounds.h"
#include "relush/death.h"
#include "relush/flip.h"
#include "relush/interrupt.h"
#include "lua/mc_observer.h"
#include "view/session.h"
#include "view/term.h"
#include "view/view.h"

/* Seconds of replay per frame (live) and for the printed text at the end
 * (at least one trial is replayed per frame); nets costing more than
 * REPLAY_MAX_OPS multiply-adds per trial get no raster. */
#define REPLAY_BUDGET 0.002
#define REPLAY_BUDGET_FINAL 0.25
#define REPLAY_MAX_OPS 2e7
#define BATCH_WIDTH 80

typedef struct observer {
	view_mc_session v;
	rl_net_spec spec;        /* a copy: the run's nets, for the replays */
	int have_spec;
	const rl_mat *X;         /* the run's input set (alive while mc runs) */
	int flip;
	uint64_t first;          /* the run's first trial (its shard's) */
	double replay_secs;      /* the last replay's duration */
	double paused_since;     /* when the engine was paused (p), or 0 */
	double paused_secs;      /* seconds paused so far: not counted in the rate */
	size_t *living;          /* per layer, for one replayed trial */
} observer;

static observer obs;

static void observer_reset(int print)
{
	if (obs.v.active)
		view_mc_end(&obs.v, print);
	if (obs.have_spec)
		net_spec_free(&obs.spec);
	obs.have_spec = 0;
	free(obs.living);
	obs.living = NULL;
	obs.X = NULL;
}

/* Replays trial t into the raster; -1 when it cannot (memory, X). */
static int replay_one(uint64_t t)
{
	view_model *m = &obs.v.model;
	rl_err e;
	rl_net *net = net_create(&obs.spec, t, &e);
	if (!net)
		return -1;
	rl_death_report *r = NULL;
	if (obs.flip) {
		rl_flip_report *fr = net_flip(net, obs.X, 0, &e);
		if (fr) {
			r = fr->death;
			fr->death = NULL;
			flip_report_free(fr);
		}
	} else {
		r = net_death(net, obs.X, &e);
	}
	net_free(net);
	if (!r)
		return -1;
	for (size_t l = 0; l < m->depth; l++)
		obs.living[l] = l < r->depth ? r->layers[l].living : 0;
	death_report_free(r);
	view_model_raster_push(m, t, obs.living);
	return 0;
}

/* Fills the raster up to the run's newest trial within budget seconds:
 * the newest trials first in mind (older ones are skipped, not queued). */
static void replay_recent(uint64_t done, double budget)
{
	view_model *m = &obs.v.model;
	if (!m->raster || done == 0)
		return;
	uint64_t newest = obs.first + done - 1;
	if (newest <= m->raster_last)
		return;
	uint64_t from = m->raster_last >= obs.first ? m->raster_last + 1 : obs.first;
	/* as many as the last replay's time says fit in the budget */
	double fit = obs.replay_secs > 0 ? budget / obs.replay_secs : budget >= 0.1 ? 128 : 8;
	uint64_t k = fit < 1 ? 1 : fit > VIEW_RASTER_COLUMNS ? VIEW_RASTER_COLUMNS : (uint64_t)fit;
	if (newest - from + 1 > k)
		from = newest - k + 1;
	double t0 = rl_now();
	for (uint64_t t = from; t <= newest; t++) {
		double s = rl_now();
		if (replay_one(t)) {
			m->raster_off = "a replay failed";
			return;
		}
		obs.replay_secs = rl_now() - s;
		if (rl_now() - t0 > budget)
			break;
	}
}

static int observer_begin(void *ctx, const mc_config *cfg)
{
	(void)ctx;
	observer_reset(0);                /* a run that never ended (an error elsewhere) */
	char why[256];
	if (view_term_check(why, sizeof why) < 0)
		fprintf(stderr, "mc: no live view: %s; the run goes on without it and its text is "
		        "printed at the end\n", why);
	const rl_net_spec *s = cfg->spec;
	rl_err e;
	if (net_spec_copy(&obs.spec, s, &e)) {
		fprintf(stderr, "mc: no live view: %s\n", e.msg);
		return -1;
	}
	obs.have_spec = 1;
	obs.X = cfg->X;
	obs.flip = cfg->flip;
	obs.replay_secs = 0;
	obs.paused_since = obs.paused_secs = 0;
	uint64_t count;
	mc_shard_range(cfg->trials, cfg->shard_index, cfg->shard_count, &obs.first, &count);
	obs.living = calloc(s->depth, sizeof *obs.living);
	if (!obs.living || view_model_init(&obs.v.model, 1, s->widths, s->depth, s->input,
	                                   cfg->X->rows)) {
		fprintf(stderr, "mc: no live view: not enough memory for the view of this run\n");
		observer_reset(0);
		return -1;
	}
	view_model *m = &obs.v.model;
	/* the cost of one replay, decided from the sizes (timings jitter on a
	 * loaded machine) */
	double ops = 0;
	for (size_t l = 1; l <= s->depth; l++)
		ops += (double)s->widths[l - 1] * (double)net_fan_in(s, l) * (double)(cfg->X->rows + 1);
	if (ops > REPLAY_MAX_OPS && m->raster) {
		free(m->raster);
		m->raster = NULL;
		m->raster_off = "trials too large to replay live";
	}
	m->arch = s->arch;
	m->flip = cfg->flip;
	m->point_stats = cfg->stats == MC_STATS_ALL;
	m->lower = bound_lower(s->widths, s->depth);
	m->lower_death = bound_death(s->widths, s->depth);
	m->upper = bound_upper(s->widths, s->depth, (double)s->input, mat_nonnegative(cfg->X),
	                       s->bias.kind == LAW_ZERO);
	if (view_mc_begin(&obs.v, why, sizeof why)) {
		fprintf(stderr, "mc: no live view: %s; the run goes on without it\n", why);
		view_model_free(&obs.v.model);
		observer_reset(0);
		return -1;
	}
	return 0;
}

static int observer_progress(void *ctx, const mc_progress *p)
{
	(void)ctx;
	if (!obs.v.active)
		return 0;
	view_model *m = &obs.v.model;
	if (obs.v.left && !p->final)
		return 1;                     /* the user left; the engine is stopping */
	/* the rate and ETA of the time the engine ran, pauses left out */
	double now = rl_now();
	if (rl_paused() && obs.paused_since == 0)
		obs.paused_since = now;
	if (!rl_paused() && obs.paused_since > 0) {
		obs.paused_secs += now - obs.paused_since;
		obs.paused_since = 0;
	}
	double ran = p->elapsed - obs.paused_secs - (obs.paused_since > 0 ? now - obs.paused_since : 0);
	double rate = ran > 0 ? (double)p->done / ran : p->rate;
	double eta = rate > 0 ? (double)(p->total - p->done) / rate : p->eta;
	if (!obs.v.state.paused || p->final) {
		view_model_from_counts(m, p->counts);
		view_model_progress(m, p, rate, eta);
		if (obs.v.terminal || p->final)
			replay_recent(p->done, obs.v.terminal ? REPLAY_BUDGET : REPLAY_BUDGET_FINAL);
	}
	m->final = p->final;
	m->interrupted = p->final && p->done < p->total;
	int sig = 0;
	if (p->final) {
		/* after a Ctrl-C (mc_run clears the flag before this last report,
		 * so p->interrupt tells) the view closes without waiting for q */
		if (!obs.v.left && !p->interrupt)
			view_mc_step(&obs.v, &sig);
		else if (!obs.v.left)   /* a Ctrl-C the view took is passed on */
			sig = view_term_signal();
		if (obs.v.terminal)
			view_term_close();
		if (sig)
			view_term_reraise(sig);
		return 0;
	}
	int stop = view_mc_step(&obs.v, &sig);
	if (stop) {
		m->interrupted = 1;
		view_term_close();           /* leave at once; the final call ends the session */
		if (sig)
			view_term_reraise(sig);
	}
	return stop;
}

static void observer_end(void *ctx, int ok)
{
	(void)ctx;
	observer_reset(ok);
}

static rlua_mc_observer the_observer = {observer_begin, observer_progress, observer_end, NULL};

void view_observer_register(lua_State *L)
{
	lua_pushlightuserdata(L, &the_observer);
	lua_setfield(L, LUA_REGISTRYINDEX, MC_OBSERVER_KEY);
}

int view_observer_busy(void)
{
	return obs.v.active;
}

void view_observer_close(void)
{
	observer_reset(0);
}

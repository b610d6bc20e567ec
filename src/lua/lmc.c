/* lmc.c: mc(opts), the Monte Carlo engine from Lua, and its result: a plain
 * table of numbers (relush.McResult) that prints as an aligned report, whose
 * replay(i) method rebuilds trial i's network and whose save(path) method
 * writes it as a line of JSON. mc is a callable table: mc.merge merges the
 * shards of an experiment (results or JSON Lines files) into the whole run,
 * mc.load reads a results file, and mc.shard is the default shard (set by
 * relush --shard i/N). Progress goes to an optional Lua function, to the
 * live view's C observer when one is registered (mc_observer.h), and to a
 * progress bar on stderr when stderr is a terminal. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "rlua.h"
#include "mc_observer.h"
#include "relush/bounds.h"
#include "relush/flip.h"
#include "relush/inputs.h"
#include "relush/interrupt.h"
#include "relush/mc.h"
#include "lmc_impl.h"

/* The accepted values of method and stats. methods[i] is mc_method i, and
 * methods[MC_METHOD_REFERENCE] "reference". */
static const char *const methods[] = {"auto", "explicit", "gram", "reference", NULL};
static const char *const stats_names[] = {"all", "alive", NULL};

/* mc's options: relu's, then its own. The ones with a kind are parsed into
 * the mc_config by rlua_read_options, in this order; the others by mc_l.
 * threads 0 (absent) means every core; method holds MC_METHOD_REFERENCE
 * until mc_l turns it into explicit + reference. */
_Static_assert(sizeof(mc_method) == sizeof(int) && sizeof(mc_stats) == sizeof(int),
               "mc's enum options are stored as int");
const rlua_option rlua_mc_options[] = {
	RLUA_OPTIONS_OF(rlua_relu_options),
	RLUA_OPTION("X"),
	RLUA_INT_OPTION("trials", mc_config, trials, 10000, 1, (lua_Integer)1 << 53),
	RLUA_INT_OPTION("threads", mc_config, threads, 0, 1, 1024),
	RLUA_BOOL_OPTION("flip", mc_config, flip, 0),
	RLUA_BOOL_OPTION("alignment", mc_config, alignment, 0),
	RLUA_NAME_OPTION("method", mc_config, method, methods, MC_METHOD_AUTO),
	RLUA_NAME_OPTION("stats", mc_config, stats, stats_names, MC_STATS_ALL),
	RLUA_OPTION("view"),
	RLUA_INT_OPTION("chunk", mc_config, chunk, 0, 0, (lua_Integer)1 << 53),
	RLUA_OPTION("shard"), RLUA_OPTION("out"), RLUA_OPTION("progress"),
	{0}
};

/* The note an error of a progress callback gets when mc kept its partial
 * result: " (the partial result of N trials is kept in mc.partial)". */
#define NOTE_HEAD " (the partial result of "
#define NOTE_TAIL " is kept in mc.partial)"

/* ---- boxes: everything malloc'ed is owned by a userdata, so an error at
 * any point leaves nothing behind ---------------------------------------- */



typedef struct result_box {
	mc_result *r;
	rl_mat *X;               /* the default input set, when mc made one */
} result_box;

static void run_free(void *p)
{
	run_box *b = p;
	net_spec_free(&b->spec);
	mc_record_free(b->rec);
	mat_free(b->flip_X);
	free(b);
}

static void result_free(void *p)
{
	result_box *b = p;
	mc_result_free(b->r);
	mat_free(b->X);
	free(b);
}

run_box *lmc_push_run_box(lua_State *L)
{
	return rlua_box_new(L, RLUA_MC_RUN, sizeof(run_box), run_free);
}

/* The run behind the value at idx (an McResult), or NULL. */
run_box *lmc_to_run(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	if (!lua_istable(L, idx))
		return NULL;
	lua_getfield(L, LUA_REGISTRYINDEX, MC_RUNS_KEY);
	lua_pushvalue(L, idx);
	lua_rawget(L, -2);
	rlua_box *box = rlua_box_test(L, -1, RLUA_MC_RUN);
	run_box *b = box ? box->p : NULL;
	lua_pop(L, 2);
	return b && b->rec ? b : NULL;
}

/* ---- options ------------------------------------------------------------------ */

/* shard = {i, N}; nil takes mc.shard (relush --shard i/N), false runs
 * every trial whatever mc.shard says. */
static void shard_option(lua_State *L, int t, mc_config *cfg)
{
	const char *from = "";
	int type = lua_getfield(L, t, "shard");
	if (type == LUA_TNIL) {
		lua_pop(L, 1);
		lua_getfield(L, LUA_REGISTRYINDEX, MC_TABLE_KEY);
		type = lua_istable(L, -1) ? lua_getfield(L, -1, "shard") : LUA_TNIL;
		lua_remove(L, -2);
		from = "(the default mc.shard, set by relush --shard i/N) ";
		if (type == LUA_TBOOLEAN && !lua_toboolean(L, -1))
			type = LUA_TNIL;
	}
	if (type == LUA_TNIL || (type == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		rlua_option_error(L, "shard", "%smust be a table {i, N} (run shard i of N) or false, got %s",
		                  from, rlua_got(L, -1));
	int s = lua_gettop(L);
	lua_Integer v[2];
	for (int k = 0; k < 2; k++) {
		lua_geti(L, s, k + 1);
		int isnum;
		v[k] = lua_tointegerx(L, -1, &isnum);
		if (!isnum || v[k] < 1)
			rlua_option_error(L, "shard", "%smust be {i, N} with integers 1 <= i <= N, got %s at %d",
			                  from, rlua_describe(L, -1), k + 1);
		lua_pop(L, 1);
	}
	if (v[0] > v[1])
		rlua_option_error(L, "shard", "%smust be {i, N} with 1 <= i <= N, got {%lld, %lld}", from,
		                  (long long)v[0], (long long)v[1]);
	cfg->shard_index = (uint64_t)v[0];
	cfg->shard_count = (uint64_t)v[1];
	lua_pop(L, 1);
	/* a fresh seed is the process's own: the shards would be pieces of
	 * N different experiments, which no merge can join */
	int seeded = lua_getfield(L, t, "seed") != LUA_TNIL;
	lua_pop(L, 1);
	if (cfg->shard_count > 1 && !seeded && !rlua_seed_from_env())
		rlua_option_error(L, "shard", "%sshard {%lld, %lld} needs a seed: without one each shard draws a fresh seed "
		                  "of its own, and shards of different seeds never merge; give seed = <integer>, the "
		                  "same in every shard (or set RELUSH_SEED)", from, (long long)v[0], (long long)v[1]);
}

/* ---- mc(opts) ---------------------------------------------------------------------- */

/* mc.partial = the result at res; 1 when stored. */
static int keep_in_partial(lua_State *L, int res)
{
	int top = lua_gettop(L), kept = 0;
	lua_getfield(L, LUA_REGISTRYINDEX, "relush.module");
	if (lua_istable(L, -1) && lua_getfield(L, -1, "mc") == LUA_TTABLE) {
		lua_pushvalue(L, res);
		lua_setfield(L, -2, "partial");
		kept = 1;
	}
	lua_settop(L, top);
	return kept;
}

/* mc_l's stack: the options, then what it anchors for the whole call. */
enum {
	ARG_OPTS = 1,
	SLOT_RUN,          /* run_box: the spec's widths, then the record */
	SLOT_RESULT,       /* result_box: the engine's result and a default X; user value: X */
	SLOT_PROGRESS,     /* opts.progress */
	SLOT_OBSERVER,     /* the live view's observer (registry) */
	SLOT_OUT           /* opts.out */
};

/* No precision given (neither opts.precision nor RELUSH_PRECISION): the run
 * takes single where X and the net allow it and double elsewhere
 * (mc_choose_precision), so the common run is the fast one and shrunk,
 * far-scaled or very deep runs keep the arithmetic they need. A given one
 * is read again here, so that an options table whose __index answers
 * differently each time still gets what this read says, checked. */
static void choose_precision(lua_State *L, rl_net_spec *spec, const mc_config *cfg)
{
	rl_precision p;
	int given = lua_getfield(L, ARG_OPTS, "precision") != LUA_TNIL;
	lua_pop(L, 1);
	if (given)
		spec->precision = rlua_precision_option(L, ARG_OPTS);
	else if (!precision_from_env(&p))
		spec->precision = mc_choose_precision(cfg);
}

static int mc_l(lua_State *L)
{
	if (lua_type(L, ARG_OPTS) != LUA_TTABLE)
		rlua_arg_error(L, ARG_OPTS, lua_pushfstring(L, "expected a table of options such as "
		               "mc{depth = 10, width = 4, trials = 1000}, got %s", rlua_got(L, ARG_OPTS)));
	lua_settop(L, ARG_OPTS);
	int input_given = lua_getfield(L, ARG_OPTS, "input") != LUA_TNIL;
	lua_pop(L, 1);
	/* The box first, so the spec's widths are owned (and freed by __gc) from
	 * the moment they are allocated, whatever raises later. */
	run_box *sb = lmc_push_run_box(L);                        /* SLOT_RUN */
	rlua_parse_net_spec(L, ARG_OPTS, &sb->spec, 0, rlua_mc_options);
	lua_settop(L, SLOT_RUN);
	rl_net_spec *spec = &sb->spec;
	result_box *rb = rlua_box_new(L, NULL, sizeof *rb, result_free);   /* SLOT_RESULT */

	const rl_mat *X = NULL;
	if (lua_getfield(L, ARG_OPTS, "X") != LUA_TNIL) {
		X = rlua_to_matrix(L, -1);
		if (!X)
			rlua_option_error(L, "X", "must be an input set (a Matrix, e.g. inputs.gaussian(64, 2)), got %s",
			                  rlua_matrix_got(L, -1));
		if (!input_given)
			spec->input = X->cols;
		else if (X->cols != spec->input)
			rlua_option_error(L, "X", "has dimension %d but input = %d; leave 'input' out to take X's dimension",
			                  (int)X->cols, (int)spec->input);
	}
	/* X may come from an __index metamethod and be referenced nowhere
	 * else: the box anchors it for the whole call */
	lua_setiuservalue(L, SLOT_RESULT, 1);
	int default_inputs = 0;   /* X is relush's default input set, named in the report */
	if (!X) {
		rl_err e;
		rb->X = inputs_default(spec->input, &e);
		if (!rb->X)
			return rlua_engine_error(L, &e);
		X = rb->X;
		default_inputs = 1;
	}

	mc_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.spec = spec;
	cfg.X = X;
	cfg.x_default = default_inputs;
	rlua_read_options(L, ARG_OPTS, rlua_mc_options, &cfg);
	if (!cfg.threads)
		cfg.threads = mc_default_threads();
	int method = (int)cfg.method;
	cfg.method = method == MC_METHOD_REFERENCE ? MC_METHOD_EXPLICIT : (mc_method)method;
	cfg.reference = method == MC_METHOD_REFERENCE;
	choose_precision(L, spec, &cfg);
	if (method == MC_METHOD_GRAM && (cfg.flip || cfg.alignment))
		rlua_option_error(L, "method", "the Gram sampler draws no weights, so it cannot %s; "
		                  "use method = 'explicit' or 'auto' with %s = true",
		                  cfg.flip ? "flip signs" : "measure alignment", cfg.flip ? "flip" : "alignment");
	int view = rlua_opt_bool_field(L, ARG_OPTS, "view", 0);
	shard_option(L, ARG_OPTS, &cfg);

	progress_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.L = L;
	ctx.spec = spec;
	ctx.bar = rlua_terminal_escapes(2);   /* it redraws itself with "\r\033[K" */
	int type = lua_getfield(L, ARG_OPTS, "progress");           /* SLOT_PROGRESS */
	if (type == LUA_TFUNCTION)
		ctx.user_fn = SLOT_PROGRESS;
	else if (type == LUA_TBOOLEAN)
		ctx.bar = ctx.bar && lua_toboolean(L, SLOT_PROGRESS);
	else if (type != LUA_TNIL)
		rlua_option_error(L, "progress", "must be true, false or a function(p), got %s",
		                  rlua_got(L, SLOT_PROGRESS));
	lua_getfield(L, LUA_REGISTRYINDEX, MC_OBSERVER_KEY);         /* SLOT_OBSERVER */
	rlua_mc_observer *observer = view && lua_islightuserdata(L, SLOT_OBSERVER) ? lua_touserdata(L, SLOT_OBSERVER) : NULL;
	const char *out = NULL;
	if (lua_getfield(L, ARG_OPTS, "out") != LUA_TNIL) {       /* SLOT_OUT */
		if (lua_type(L, SLOT_OUT) != LUA_TSTRING)
			rlua_option_error(L, "out", "must be the name of a results file (a string such as "
			                  "\"results.jsonl\"), got %s", rlua_got(L, SLOT_OUT));
		out = lua_tostring(L, SLOT_OUT);
		const char *nul = rlua_nul_in_path(L, SLOT_OUT);   /* the file would be named by its start */
		if (nul)
			rlua_option_error(L, "out", "%s", nul);
	}
	rl_err e;
	if (mc_validate(&cfg, &e))
		return rlua_engine_error(L, &e);
	if (out && mc_records_check_path(out, &e))   /* before the run: nothing computed is lost */
		rlua_option_error(L, "out", "%s", e.msg);
	if (observer && observer->begin(observer->ctx, &cfg) == 0) {
		ctx.view = observer;   /* (else it said why, and the run goes on without it) */
		ctx.bar = 0;
	}
	if (ctx.user_fn && !rb->X) {
		/* Lua code runs during the run and may close X (<close>): the run
		 * works on its own copy */
		if (!(rb->X = mat_clone(X, &e)))
			return rlua_engine_error(L, &e);
		cfg.X = X = rb->X;
	}
	if (ctx.bar || ctx.user_fn || ctx.view) {
		cfg.progress = lmc_on_progress;
		cfg.progress_ctx = &ctx;
	}
	ctx.lower = bound_lower(spec->widths, spec->depth);
	ctx.upper = bound_upper(spec->widths, spec->depth, (double)spec->input, mat_nonnegative(X),
	                        spec->bias.kind == LAW_ZERO);
	ctx.points = X->rows;
	rb->r = mc_run(&cfg, &e);
	if (ctx.view)
		/* closed before any error is raised, so the error is printed on a
		 * restored terminal and not lost on the alternate screen */
		ctx.view->end(ctx.view->ctx, !ctx.failed && rb->r);
	if (ctx.failed) {
		/* Nothing computed is lost: the trials counted before the error
		 * become a partial result (marked interrupted) in mc.partial. */
		lua_Integer kept = 0;
		if (rb->r && rb->r->counts.trials > 0) {
			mc_record *rec = mc_record_new(&cfg, rb->r, &e);
			rb->r = NULL;
			if (rec) {
				sb->rec = rec;
				if (cfg.flip)
					sb->flip_X = mat_clone(X, &e);
				lmc_push_result(L, rec, SLOT_RUN);
				if (keep_in_partial(L, lua_gettop(L)))
					kept = (lua_Integer)rec->result.counts.trials;
			}
		}
		lua_rawgeti(L, LUA_REGISTRYINDEX, ctx.err_ref);
		luaL_unref(L, LUA_REGISTRYINDEX, ctx.err_ref);
		if (kept && lua_type(L, -1) == LUA_TSTRING) {
			/* an mc run inside this one's callback failed with the same
			 * error: its note is stale (mc.partial is now this run's) */
			size_t len;
			const char *msg = lua_tolstring(L, -1, &len);
			const char *note = strstr(msg, NOTE_HEAD), *end = NOTE_TAIL;
			size_t keep = len, tail = strlen(end);
			if (note && len >= tail && strcmp(msg + len - tail, end) == 0)
				keep = (size_t)(note - msg);
			lua_pushlstring(L, msg, keep);
			lua_pushfstring(L, "%s" NOTE_HEAD "%I trials" NOTE_TAIL, lua_tostring(L, -1), kept);
		}
		return lua_error(L);
	}
	if (!rb->r)
		return rlua_engine_error(L, &e);
	mc_record *rec = mc_record_new(&cfg, rb->r, &e);     /* takes the result over */
	rb->r = NULL;
	if (!rec)
		return rlua_engine_error(L, &e);
	sb->rec = rec;
	if (cfg.flip && !(sb->flip_X = mat_clone(X, &e)))
		return rlua_engine_error(L, &e);
	lmc_push_result(L, rec, SLOT_RUN);
	if (rec->result.interrupted)
		/* Ctrl-C stops the whole command in the shell, so the caller may
		 * never receive this result: it is kept in mc.partial too. */
		keep_in_partial(L, lua_gettop(L));
	if (out && mc_records_save(out, &rec, 1, 1, &e)) {
		/* the finished result is not lost: it waits in mc.partial */
		keep_in_partial(L, lua_gettop(L));
		return luaL_error(L, "mc: the run finished but its result could not be saved (%s); "
		                  "the complete result is kept in mc.partial: save it elsewhere with "
		                  "mc.partial:save(path)", e.msg);
	}
	return 1;
}

/* mc(opts) through the mc table's __call: the table itself comes first. */
static int mc_call(lua_State *L)
{
	lua_remove(L, 1);
	return mc_l(L);
}

/* ---- r:replay(i [, X]) -------------------------------------------------------------- */

/* Trial i's network as the run measured it: drawn from the record's
 * spec and, for a flip = true run, flipped on X. */
static rl_net *replay_net(const mc_record *rec, uint64_t i, const rl_mat *X, rl_err *e)
{
	rl_net *net = net_create(&rec->spec, i, e);
	if (!net || !rec->flip)
		return net;
	rl_flip_report *fr = net_flip(net, X, 0, e);
	if (!fr) {
		net_free(net);
		return NULL;
	}
	flip_report_free(fr);
	return net;
}

static int replay_l(lua_State *L)
{
	run_box *rb = lmc_to_run(L, 1);
	if (!rb)
		return rlua_arg_error(L, 1, lua_pushfstring(L, "expected a Monte Carlo result (from mc{...}, "
		                      "mc.merge or mc.load), got %s", rlua_got(L, 1)));
	const mc_record *rec = rb->rec;
	const mc_counts *c = &rec->result.counts;
	uint64_t first = rec->result.first_trial, last = rec->result.last_trial;
	if (last < first)
		return luaL_error(L, "r:replay: this result holds no trials (it was stopped before its first)");
	/* the range is this run's trials, said whatever was given (0, 2^63, 31 of 30) */
	lua_Integer i = rlua_check_int(L, 2, "trial (one of this run's)", (lua_Integer)first, (lua_Integer)last);
	const rl_mat *X = NULL;
	if (!lua_isnoneornil(L, 3)) {
		X = rlua_to_matrix(L, 3);
		if (!X)
			return rlua_arg_error(L, 3, lua_pushfstring(L, "X must be the run's input set (a Matrix), got %s",
			                     rlua_got(L, 3)));
		uint64_t sum = mc_checksum(X);
		if (sum != rec->x_checksum) {
			char want[24], got[24];
			snprintf(want, sizeof want, "%016llx", (unsigned long long)rec->x_checksum);
			snprintf(got, sizeof got, "%016llx", (unsigned long long)sum);
			return rlua_arg_error(L, 3, lua_pushfstring(L, "X is not this run's input set (the run's X: "
			                     "%I points in d = %I, checksum fnv1a64:%s; this X: %I points in d = %I, "
			                     "checksum fnv1a64:%s)", (lua_Integer)rec->x_rows, (lua_Integer)rec->x_cols,
			                     want, (lua_Integer)X->rows, (lua_Integer)X->cols, got));
		}
	}
	if (rec->generator != mc_generator_current())
		return luaL_error(L, "r:replay: this result's numbers were drawn by the generator '%s'; this "
		                  "relush draws with '%s', so trial %I would be a different network "
		                  "(replay it with the relush that ran it)",
		                  mc_generator_name(rec->generator), mc_generator_name(mc_generator_current()), i);
	if (c->layers_gram || c->trials_lazy)
		return luaL_error(L, "r:replay: this run evaluated its networks with %s, which draws the "
		                  "pre-activations without ever drawing the weights, so trial %I's network "
		                  "cannot be rebuilt; run mc with method = \"explicit\" to replay trials "
		                  "(its trial %I is a different random network)",
		                  c->trials_lazy ? "lazy (point by point)" : "the Gram sampler", i, i);
	const rl_mat *flip_X = rb->flip_X ? rb->flip_X : X;
	if (rec->flip && !flip_X)
		return luaL_error(L, "r:replay: this flip = true result came from a file, which records X's "
		                  "checksum but not X, and trial %I's network is flipped on X; pass the run's "
		                  "input set: r:replay(%I, X)", i, i);
	rl_err e;
	rlua_box *box = rlua_new_net(L);   /* box first, then acquire */
	if (!(box->p = replay_net(rec, (uint64_t)i, flip_X, &e)))
		return rlua_engine_error(L, &e);
	return 1;
}

/* ---- registration ------------------------------------------------------------------------ */

static const rlua_api mc_api[] = {
	{"mc", "mc", "mc{depth=, width= | widths=, X=, trials=, seed=, threads=, method=, stats=, shard=, out=, ...}",
	 "Monte Carlo estimate of neuron death. Every relu option (depth, width, widths, input, weights, "
	 "bias, arch, seed, precision: \"single\" runs the explicit and reference evaluations in float32, "
	 "recorded in the result, which mc.merge never mixes with double; Gram and lazy sampling stay "
	 "double; without precision or RELUSH_PRECISION mc takes single where floats hold the values and "
	 "resolve X (its largest point within 64 times its spread), double for shrunk, far-off or "
	 "far-scaled sets and deep narrow nets, theory.md §9.7; r.precision tells which; see relush(1)) plus: X (the input set, a Matrix, fixed across trials; default the one "
	 "default input set of net:death() and view(): 64 standard Gaussian points, seed 1, named in the "
	 "report; input defaults to its dimension), trials (default 10000), seed (trial i's net is "
	 "a pure function of seed and i), threads (default: every core; results are identical for any "
	 "count), method (\"auto\" default: per layer the cheaper of \"explicit\" (drawn weights, the only "
	 "one that can replay) and \"gram\" (exact Gaussian sampler of the pre-activations, normal laws "
	 "only); \"reference\" evaluates each trial with net_create + net:death; every method refuses, "
	 "naming the layer, nets and input sets whose values would leave 2^-960 .. 2^960, see relush(1), "
	 "Numbers out of range), stats (\"all\" default, "
	 "or \"alive\": only P(alive) and died_at, which lets Gaussian nets run point by point and stop "
	 "at the first point that lives), shard ({i, N}: only the i-th of N contiguous slices of the "
	 "trials, which mc.merge puts back together exactly; default mc.shard, which relush --shard i/N sets; "
	 "false runs every trial; N > 1 needs a seed, or RELUSH_SEED, since fresh seeds differ between the "
	 "shards' processes and such pieces never merge), out (a results file: the result is appended to it as a line of JSON, "
	 "see r:save; a path that cannot be written (a folder, a missing folder, one where no file can be made, a "
	 "read-only file) or a file that is not a results file is refused before the run, as bad option 'out' to 'mc'), progress (false hides the stderr bar; a function(p) gets progress tables and may "
	 "return false to stop), view (live view, when available), chunk (trials per work unit; results "
	 "never depend on it), flip (true: sign-flip each trial's net on X first, see net:flip; runs the reference evaluation), alignment (true: per layer the mean pairwise cosine of the living points averaged over trials, next to the arc-cosine prediction, see net:alignment; runs the reference evaluation). Returns an McResult: p_alive, ci {lo, hi} "
	 "(Wilson 95%), fraction (mean living fraction F), fraction_se, min_fraction, trials, "
	 "alive_trials, died_at (per layer: dead networks whose last point died there), layers (per "
	 "layer: survival of points, bound 1-2^-n, net_survival, dead_rate of neurons, counts), lower, "
	 "upper, union (the plain chain's L, U, mL; the printout gives other architectures their "
	 "own statements, theory.md §7), p_all_active (equals p_alive only for plain nets, "
	 "theory.md §7.5), seconds, rate, seed, interrupted, pieces, checksum (of X), version. Ctrl-C stops "
	 "the run: its partial result (interrupted = true, the trials finished so far) is kept in "
	 "mc.partial, and in the shell the whole command or script stops too (a script exits with "
	 "status 130). mc is a table you can call: "
	 "see also mc.merge, mc.load and mc.shard.",
	 "r = mc{depth=32, width=4, X=inputs.gaussian(64, 2), trials=20000, seed=1}",
	 .fn = mc_call, .options = rlua_mc_options},
	{"r:replay", "mc", "r:replay(i)",
	 "Trial i's network (a Net) of a Monte Carlo result, rebuilt from the seed: the same weights, "
	 "so r:replay(i):death(X) is that trial's death report. i runs over the result's trials "
	 "(first_trial..last_trial); for flip = true runs the net comes flipped on X, as measured. Only for runs whose networks were drawn (method \"explicit\" or "
	 "\"reference\", or \"auto\" when it drew every layer, as r.evaluation == \"explicit\" shows); "
	 "the Gram and lazy samplers never draw weights, so replay raises an error there.",
	 "r = mc{depth=8, width=3, X=X, trials=100, method=\"explicit\"}; print(r:replay(7):death(X))",
	 .fn = replay_l, .type = RLUA_MC_RESULT},
	{"r:save", "mc", "r:save(path [, mode])",
	 "Writes the result as one line of JSON (JSON Lines) to path: appended to the file's lines "
	 "(mode \"a\", the default) or replacing them (\"w\"). Results go only to a new or empty file "
	 "or a results file (its first line a results line): any other file (a CSV, notes) is refused "
	 "before a byte is written, so a mistyped path damages nothing and r can be saved elsewhere. The line holds everything needed to "
	 "merge it exactly: the configuration (every option, the seed, method, stats, arch, laws, widths, "
	 "input dimension, X's FNV-1a checksum and the relush version), the shard i/N and its trial "
	 "range, the raw integer counts (alive trials, the sums of F and F^2, per-layer counts, died_at) "
	 "and timing; doubles are printed with %.17g. The write is atomic: the new content goes to a "
	 "temporary file beside path, flushed to disk and renamed over it, so readers never see half a "
	 "line (one writer per file). Also a list of results (mc.load, mc.merge with sweep). Returns r.",
	 "r = mc{depth=8, width=3, trials=1000, seed=1}; r:save(\"results.jsonl\")",
	 .fn = lmc_save_l, .type = RLUA_MC_RESULT},
	{"mc.merge", "mc", "mc.merge(pieces [, {sweep = true}])",
	 "Merges the shards of one experiment into the result of the whole run, identical count for "
	 "count to running it unsharded. pieces: a results file name, or a list of file names (every "
	 "line of each is a piece), results (mc{...}) and lists of results. The pieces must agree on "
	 "every setting and X's checksum, be complete (not interrupted), and cover the trials exactly "
	 "once; otherwise the error says which, e.g. \"a.jsonl has seed 1 but b.jsonl has seed 2\", "
	 "\"shard 3/8 appears twice (a.jsonl line 1 and c.jsonl line 2)\", \"shards 2, 5 of 8 are "
	 "missing\". seconds is the sum of the pieces' (the work done) and rate trials per second of it; "
	 "pieces says how many runs were merged; r:replay and r:save work on the result (replaying a flip "
	 "= true result read from a file needs X: r:replay(i, X)). With sweep = true the pieces may hold "
	 "many experiments (a sweep's shard files): each is merged and a list of results is returned, in "
	 "the order the experiments first appear.",
	 "r = mc.merge{\"shard1.jsonl\", \"shard2.jsonl\", \"shard3.jsonl\"}",
	 .fn = lmc_merge_l, .options = lmc_merge_options},
	{"mc.load", "mc", "mc.load(path)",
	 "Reads a JSON Lines results file (written by r:save or mc{..., out = path}) as a list of "
	 "results, one per line, as they are (not merged). The list prints as a table, one line per "
	 "result (with a column for each of precision, generator, method, stats, flip, input, points, "
	 "X and first trial in which the results differ), and can be saved (list:save(path)) or merged (mc.merge(list)).",
	 "for i, r in ipairs(mc.load(\"results.jsonl\")) do print(i, r.p_alive) end", .fn = lmc_load_l},
	{0}
};

static const rlua_type mc_types[] = {
	RLUA_BOX_TYPE(RLUA_MC_RUN, NULL),
	RLUA_REPORT_TYPE(RLUA_MC_RESULT, lmc_result_tostring),   /* methods: mc_api */
	{0}
};

static void mc_setup(lua_State *L, int module)
{
	static const luaL_Reg results_meta[] = {{"__tostring", lmc_results_tostring}, {NULL, NULL}};
	static const luaL_Reg results_methods[] = {{"save", lmc_save_l}, {"csv", lmc_results_csv_l}, {NULL, NULL}};
	rlua_new_metatable(L, RLUA_MC_RESULTS, results_meta, results_methods);
	/* mc: a callable table, so it can hold merge, load and the shard default */
	lua_createtable(L, 0, 3);
	lua_createtable(L, 0, 1);
	lua_setmetatable(L, -2);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, MC_TABLE_KEY);
	lua_setfield(L, module, "mc");
}

/* mc's __call, merge, load, r:replay, r:save; the side table: result -> run */
const rlua_binding rlua_mc_binding = {.types = mc_types, .setup = mc_setup, .api = mc_api,
                                      .weak_keys = MC_RUNS_KEY};

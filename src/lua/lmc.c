/* lmc.c: mc(opts), the Monte Carlo engine from Lua, and its result: a plain
 * table of numbers (relush.McResult) that prints as an aligned report, whose
 * replay(i) method rebuilds trial i's network and whose save(path) method
 * writes it as a line of JSON. mc is a callable table: mc.merge merges the
 * shards of an experiment (results or JSON Lines files) into the whole run,
 * mc.load reads a results file, and mc.shard is the default shard (set by
 * relush --shard i/N). Progress goes to an optional Lua function, to the
 * live view's hook when one is registered, and to a progress bar on stderr
 * when stderr is a terminal. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "rlua.h"
#include "relush/bounds.h"
#include "relush/flip.h"
#include "relush/inputs.h"
#include "relush/interrupt.h"
#include "relush/mc.h"

#define RLUA_MC_RESULT  "relush.McResult"
#define RLUA_MC_RESULTS "relush.McResults"  /* a list of results: mc.load, mc.merge{..., sweep = true} */
#define RLUA_MC_RUN     "relush.McRun"
#define RLUA_MC_BOX     "relush.McBox"
#define RLUA_MC_PIECES  "relush.McPieces"
#define MC_RUNS_KEY     "relush.mc_runs"    /* registry: result table -> McRun (weak keys) */
#define MC_TABLE_KEY    "rlua.mc_table"     /* registry: the mc table, for its shard default */
#define VIEW_HOOK_KEY   "relush.view_hook"

static const char *const mc_options[] = {
	"X", "trials", "threads", "flip", "method", "stats", "view", "shard", "out",
	"progress", "chunk", "alignment", NULL
};

/* ---- boxes: everything malloc'ed is owned by a userdata, so an error at
 * any point leaves nothing behind ---------------------------------------- */

/* What a result table stands for: its record (settings, counts, timing),
 * kept out of the user's sight for replay, save and merge. */
typedef struct run_box {
	rl_net_spec spec;        /* mc{}'s parsed options, until the record has them */
	mc_record *rec;
	rl_mat *flip_X;          /* with flip = true: X, to flip the replayed net on */
} run_box;

typedef struct result_box {
	mc_result *r;
	rl_mat *X;               /* the default input set, when mc made one */
} result_box;

static int run_gc(lua_State *L)
{
	run_box *b = luaL_checkudata(L, 1, RLUA_MC_RUN);
	net_spec_free(&b->spec);
	mc_record_free(b->rec);
	mat_free(b->flip_X);
	b->rec = NULL;
	b->flip_X = NULL;
	return 0;
}

static int box_gc(lua_State *L)
{
	result_box *b = luaL_checkudata(L, 1, RLUA_MC_BOX);
	mc_result_free(b->r);
	mat_free(b->X);
	b->r = NULL;
	b->X = NULL;
	return 0;
}

static run_box *push_run_box(lua_State *L)
{
	run_box *b = lua_newuserdatauv(L, sizeof *b, 0);
	memset(b, 0, sizeof *b);
	luaL_setmetatable(L, RLUA_MC_RUN);
	return b;
}

/* The run behind the value at idx (an McResult), or NULL. */
static run_box *to_run(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	if (!lua_istable(L, idx))
		return NULL;
	lua_getfield(L, LUA_REGISTRYINDEX, MC_RUNS_KEY);
	lua_pushvalue(L, idx);
	lua_rawget(L, -2);
	run_box *b = luaL_testudata(L, -1, RLUA_MC_RUN);
	lua_pop(L, 2);
	return b && b->rec ? b : NULL;
}

/* ---- options ------------------------------------------------------------------ */

static int option_string(lua_State *L, int t, const char *field, const char *const *names, int def)
{
	int v = def;
	int type = lua_getfield(L, t, field);
	if (type != LUA_TNIL) {
		const char *s = type == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		for (v = 0; s && names[v]; v++)
			if (strcmp(s, names[v]) == 0)
				break;
		if (!s || !names[v]) {
			char list[160] = "";
			for (int i = 0; names[i]; i++) {
				strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
				strncat(list, names[i], sizeof list - strlen(list) - 1);
			}
			rlua_option_error(L, field, "must be one of %s; got %s", list, luaL_tolstring(L, -1, NULL));
		}
	}
	lua_pop(L, 1);
	return v;
}

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
		rlua_option_error(L, "shard", "%smust be a table {i, N} (run shard i of N) or false, got a %s",
		                  from, luaL_typename(L, -1));
	int s = lua_gettop(L);
	lua_Integer v[2];
	for (int k = 0; k < 2; k++) {
		lua_geti(L, s, k + 1);
		int isnum;
		v[k] = lua_tointegerx(L, -1, &isnum);
		if (!isnum || v[k] < 1)
			rlua_option_error(L, "shard", "%smust be {i, N} with integers 1 <= i <= N, got %s at %d",
			                  from, luaL_tolstring(L, -1, NULL), k + 1);
		lua_pop(L, 1);
	}
	if (v[0] > v[1])
		rlua_option_error(L, "shard", "%smust be {i, N} with 1 <= i <= N, got {%d, %d}", from,
		                  (int)v[0], (int)v[1]);
	cfg->shard_index = (uint64_t)v[0];
	cfg->shard_count = (uint64_t)v[1];
	lua_pop(L, 1);
}

/* ---- progress ----------------------------------------------------------------- */

typedef struct progress_ctx {
	lua_State *L;
	int user_fn;             /* stack index of the progress function, or 0 */
	int view_fn;             /* stack index of the view hook, or 0 */
	int bar;                 /* draw the stderr bar */
	int bar_drawn;
	int failed;              /* a callback raised an error: its message is at err_idx */
	int err_ref;
	const rl_net_spec *spec;
	size_t points;
	double lower, upper;
} progress_ctx;

static void push_layer_progress(lua_State *L, const mc_counts *c, const rl_net_spec *s)
{
	lua_createtable(L, (int)(c->depth < 1u << 24 ? c->depth : 0), 0);
	size_t offset = 0;
	for (size_t l = 0; l < c->depth; l++) {
		const mc_layer_counts *x = &c->layers[l];
		lua_createtable(L, 0, 6);
		rlua_set_integer(L, "width", (lua_Integer)s->widths[l]);
		rlua_set_integer(L, "trials_reaching", (lua_Integer)x->trials_reaching);
		rlua_set_integer(L, "trials_living", (lua_Integer)x->trials_living);
		rlua_set_integer(L, "reaching", (lua_Integer)x->points_reaching);
		rlua_set_integer(L, "living", (lua_Integer)x->points_living);
		rlua_set_integer(L, "dead_neurons", (lua_Integer)x->dead_neurons);
		if (c->neuron_active) {
			lua_createtable(L, (int)s->widths[l], 0);
			for (size_t j = 0; j < s->widths[l]; j++) {
				lua_pushinteger(L, (lua_Integer)c->neuron_active[offset + j]);
				lua_rawseti(L, -2, (lua_Integer)j + 1);
			}
			lua_setfield(L, -2, "active");
		}
		offset += s->widths[l];
		lua_rawseti(L, -2, (lua_Integer)l + 1);
	}
}

static void push_progress(lua_State *L, const mc_progress *p, const progress_ctx *ctx)
{
	const mc_counts *c = p->counts;
	lua_createtable(L, 0, 12);
	rlua_set_integer(L, "done", (lua_Integer)p->done);
	rlua_set_integer(L, "total", (lua_Integer)p->total);
	rlua_set_number(L, "elapsed", p->elapsed);
	rlua_set_number(L, "rate", p->rate);
	rlua_set_number(L, "eta", p->eta);
	rlua_set_bool(L, "final", p->final);
	rlua_set_integer(L, "alive_trials", (lua_Integer)c->alive_trials);
	if (c->trials) {
		double lo, hi;
		mc_wilson(c->alive_trials, c->trials, 1.959963984540054, &lo, &hi);
		rlua_set_number(L, "p_alive", (double)c->alive_trials / (double)c->trials);
		lua_createtable(L, 2, 0);
		lua_pushnumber(L, lo);
		lua_rawseti(L, -2, 1);
		lua_pushnumber(L, hi);
		lua_rawseti(L, -2, 2);
		lua_setfield(L, -2, "ci");
	}
	rlua_set_number(L, "lower", ctx->lower);
	rlua_set_number(L, "upper", ctx->upper);
	rlua_set_integer(L, "points", (lua_Integer)ctx->points);
	rlua_set_integer(L, "input", (lua_Integer)ctx->spec->input);
	rlua_set_integer(L, "seed", (lua_Integer)ctx->spec->seed);
	rlua_set_bool(L, "interrupted", p->final && p->done < p->total);
	push_layer_progress(L, c, ctx->spec);
	lua_setfield(L, -2, "layers");
}

/* Calls fn (at stack index idx) with a progress table; 1 means stop. */
/* Builds the progress table and calls the function, all inside lua_pcall:
 * an error (even a memory error while building the table) must not jump
 * out of mc_run while its worker threads are running. */
typedef struct progress_call {
	progress_ctx *ctx;
	const mc_progress *p;
} progress_call;

static int progress_trampoline(lua_State *L)
{
	progress_call *pc = lua_touserdata(L, 2);
	lua_pushvalue(L, 1);
	push_progress(L, pc->p, pc->ctx);
	lua_call(L, 1, 1);
	return 1;
}

static int call_progress_fn(progress_ctx *ctx, int idx, const mc_progress *p)
{
	lua_State *L = ctx->L;
	progress_call pc = {ctx, p};
	lua_pushcfunction(L, progress_trampoline);
	lua_pushvalue(L, idx);
	lua_pushlightuserdata(L, &pc);
	if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
		/* Ctrl-C while the function ran: the shell's hook raised
		 * "interrupted" in it; that is the run's interrupt, not an error. */
		if (rl_interrupted()) {
			lua_pop(L, 1);
			return 1;
		}
		ctx->failed = 1;
		ctx->err_ref = luaL_ref(L, LUA_REGISTRYINDEX);
		return 1;
	}
	int stop = lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1);
	lua_pop(L, 1);
	return stop;
}

static void draw_bar(progress_ctx *ctx, const mc_progress *p)
{
	if (p->final) {
		if (ctx->bar_drawn)
			fputs("\r\033[K", stderr);
		fflush(stderr);
		return;
	}
	if (p->elapsed < 0.5)   /* quick runs draw nothing */
		return;
	double frac = p->total ? (double)p->done / (double)p->total : 0.0;
	char bar[31];
	int full = (int)(frac * 30.0);
	for (int i = 0; i < 30; i++)
		bar[i] = i < full ? '=' : (i == full ? '>' : ' ');
	bar[30] = '\0';
	char eta[32];
	if (isfinite(p->eta))
		snprintf(eta, sizeof eta, "%.1f s", p->eta);
	else
		snprintf(eta, sizeof eta, "?");
	fprintf(stderr, "\r\033[Kmc [%s] %llu/%llu %5.1f%%  %.4g trials/s  ETA %s", bar,
	        (unsigned long long)p->done, (unsigned long long)p->total, 100.0 * frac, p->rate, eta);
	fflush(stderr);
	ctx->bar_drawn = 1;
}

static int on_progress(const mc_progress *p, void *arg)
{
	progress_ctx *ctx = arg;
	int stop = 0;
	if (ctx->bar)
		draw_bar(ctx, p);
	if (rl_interrupted() && !p->final)
		return 1;   /* stopping: no Lua code until the engine has consumed the interrupt */
	if (!ctx->failed && ctx->view_fn)
		stop |= call_progress_fn(ctx, ctx->view_fn, p);
	if (!ctx->failed && ctx->user_fn)
		stop |= call_progress_fn(ctx, ctx->user_fn, p);
	return stop || ctx->failed;
}

/* ---- the result table ------------------------------------------------------------- */

static void push_pair(lua_State *L, double a, double b)
{
	lua_createtable(L, 2, 0);
	lua_pushnumber(L, a);
	lua_rawseti(L, -2, 1);
	lua_pushnumber(L, b);
	lua_rawseti(L, -2, 2);
}

static void set_maybe(lua_State *L, const char *field, double v)
{
	if (!isnan(v))
		rlua_set_number(L, field, v);
}

static const char *evaluation_name(const mc_counts *c)
{
	if (c->trials_reference)
		return "reference";
	if (c->trials_lazy)
		return "lazy";
	if (c->layers_gram && c->layers_explicit)
		return "mixed";
	if (c->layers_gram)
		return "gram";
	return "explicit";
}

static const char *record_method(const mc_record *rec)
{
	return rec->reference ? "reference" : mc_method_name(rec->method);
}

/* Pushes the result table of rec and remembers run (at run_idx) for it. */
static void push_result(lua_State *L, const mc_record *rec, int run_idx)
{
	const mc_result *r = &rec->result;
	const mc_counts *c = &r->counts;
	const rl_net_spec *s = &rec->spec;
	run_idx = lua_absindex(L, run_idx);
	mc_summary S;
	mc_summarize(r, &S);
	lua_createtable(L, 0, 40);
	int t = lua_gettop(L);
	rlua_set_integer(L, "trials", (lua_Integer)c->trials);
	rlua_set_integer(L, "alive_trials", (lua_Integer)c->alive_trials);
	set_maybe(L, "p_alive", S.p_alive);
	/* For batch norm the two differ: a strictly dead net can keep an active
	 * unit in every layer, because normalising over X revives dead points. */
	rlua_set_integer(L, "all_active_trials", (lua_Integer)c->trials_all_active);
	rlua_set_number(L, "p_all_active", c->trials ? (double)c->trials_all_active / (double)c->trials : 0.0);
	if (!isnan(S.ci_lo)) {
		push_pair(L, S.ci_lo, S.ci_hi);
		lua_setfield(L, t, "ci");
	}
	set_maybe(L, "fraction", S.fraction);
	set_maybe(L, "fraction_se", S.fraction_se);
	set_maybe(L, "min_fraction", S.min_fraction);
	rlua_set_number(L, "lower", r->lower);
	rlua_set_number(L, "upper", r->upper);
	rlua_set_number(L, "union", r->union_bound);
	rlua_set_number(L, "seconds", r->seconds);
	rlua_set_number(L, "rate", r->seconds > 0 ? (double)c->trials / r->seconds : 0.0);
	rlua_set_integer(L, "seed", (lua_Integer)s->seed);
	rlua_set_bool(L, "interrupted", r->interrupted);
	rlua_set_string(L, "method", record_method(rec));
	rlua_set_string(L, "evaluation", evaluation_name(c));
	rlua_set_string(L, "stats", rec->stats == MC_STATS_ALIVE ? "alive" : "all");
	rlua_set_integer(L, "threads", (lua_Integer)r->threads);
	rlua_set_integer(L, "points", (lua_Integer)c->points);
	rlua_set_integer(L, "input", (lua_Integer)s->input);
	rlua_set_integer(L, "depth", (lua_Integer)s->depth);
	rlua_set_string(L, "arch", arch_name(s->arch));
	rlua_set_integer(L, "first_trial", (lua_Integer)r->first_trial);
	rlua_set_integer(L, "last_trial", (lua_Integer)r->last_trial);
	rlua_set_integer(L, "requested", (lua_Integer)r->requested);
	rlua_set_integer(L, "pieces", (lua_Integer)rec->pieces);
	char sum[32];
	snprintf(sum, sizeof sum, "fnv1a64:%016llx", (unsigned long long)rec->x_checksum);
	rlua_set_string(L, "checksum", sum);
	rlua_set_string(L, "version", rec->version);
	if (rec->line > 0) {
		char where[300];
		rlua_set_string(L, "source", mc_record_label(rec, where, sizeof where));
	}
	if (c->alignment)
		set_maybe(L, "input_cosine", r->input_cosine);
	if (rec->shard_count > 1) {
		lua_createtable(L, 2, 0);
		lua_pushinteger(L, (lua_Integer)rec->shard_index);
		lua_rawseti(L, -2, 1);
		lua_pushinteger(L, (lua_Integer)rec->shard_count);
		lua_rawseti(L, -2, 2);
		lua_setfield(L, t, "shard");
	}
	lua_createtable(L, (int)(s->depth < 1u << 24 ? s->depth : 0), 0);
	for (size_t l = 0; l < s->depth; l++) {
		lua_pushinteger(L, (lua_Integer)s->widths[l]);
		lua_rawseti(L, -2, (lua_Integer)l + 1);
	}
	lua_setfield(L, t, "widths");
	lua_createtable(L, (int)(s->depth < 1u << 24 ? s->depth : 0), 0);
	for (size_t l = 0; l < s->depth; l++) {
		lua_pushinteger(L, (lua_Integer)c->died_at[l]);
		lua_rawseti(L, -2, (lua_Integer)l + 1);
	}
	lua_setfield(L, t, "died_at");
	lua_createtable(L, (int)(s->depth < 1u << 24 ? s->depth : 0), 0);
	for (size_t l = 1; l <= s->depth; l++) {
		const mc_layer_counts *x = &c->layers[l - 1];
		size_t n = s->widths[l - 1];
		lua_createtable(L, 0, 10);
		rlua_set_integer(L, "width", (lua_Integer)n);
		set_maybe(L, "survival", mc_layer_survival(c, l));
		rlua_set_number(L, "bound", -expm1(-(double)n * log(2.0)));
		set_maybe(L, "net_survival", mc_layer_net_survival(c, l));
		set_maybe(L, "dead_rate", mc_layer_dead_rate(c, l, n));
		rlua_set_integer(L, "trials_reaching", (lua_Integer)x->trials_reaching);
		rlua_set_integer(L, "trials_living", (lua_Integer)x->trials_living);
		rlua_set_integer(L, "died", (lua_Integer)c->died_at[l - 1]);
		rlua_set_integer(L, "trials_active_unit", (lua_Integer)x->trials_active_unit);
		if (c->alignment) {
			set_maybe(L, "alignment", alignment_sum_mean(c->alignment, l));
			set_maybe(L, "alignment_se", alignment_sum_se(c->alignment, l));
			rlua_set_integer(L, "alignment_trials", (lua_Integer)c->alignment->trials[l - 1]);
			if (r->align_predicted)
				set_maybe(L, "alignment_predicted", r->align_predicted[l - 1]);
		}
		if (c->stats == MC_STATS_ALL) {
			rlua_set_integer(L, "reaching", (lua_Integer)x->points_reaching);
			rlua_set_integer(L, "living", (lua_Integer)x->points_living);
			rlua_set_integer(L, "dead_neurons", (lua_Integer)x->dead_neurons);
		}
		lua_rawseti(L, -2, (lua_Integer)l);
	}
	lua_setfield(L, t, "layers");
	luaL_setmetatable(L, RLUA_MC_RESULT);
	/* remember the run for replay, save and merge, out of the user's sight */
	lua_getfield(L, LUA_REGISTRYINDEX, MC_RUNS_KEY);
	lua_pushvalue(L, t);
	lua_pushvalue(L, run_idx);
	lua_rawset(L, -3);
	lua_pop(L, 1);
}

/* Pushes the result table of the record at *slot, which it takes over
 * (*slot is then NULL; until then whoever owns the slot frees it on an
 * error); flip_X (may be NULL) is cloned for replay. */
static void push_record(lua_State *L, mc_record **slot, const rl_mat *flip_X)
{
	run_box *b = push_run_box(L);
	mc_record *rec = b->rec = *slot;
	*slot = NULL;
	if (flip_X && rec->flip) {
		rl_err e;
		if (!(b->flip_X = mat_clone(flip_X, &e)))
			rlua_engine_error(L, &e);
	}
	push_result(L, rec, -1);
	lua_remove(L, -2);
}

/* ---- mc(opts) ---------------------------------------------------------------------- */

static int mc_l(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	int input_given = lua_getfield(L, 1, "input") != LUA_TNIL;
	lua_pop(L, 1);
	/* The box first, so the spec's widths are owned (and freed by __gc) from
	 * the moment they are allocated, whatever raises later. */
	run_box *sb = push_run_box(L);                        /* index 2 */
	rlua_parse_net_spec(L, 1, &sb->spec, 0, mc_options);
	lua_settop(L, 2);
	rl_net_spec *spec = &sb->spec;
	result_box *rb = lua_newuserdatauv(L, sizeof *rb, 0);  /* index 3 */
	rb->r = NULL;
	rb->X = NULL;
	luaL_setmetatable(L, RLUA_MC_BOX);

	const rl_mat *X = NULL;
	if (lua_getfield(L, 1, "X") != LUA_TNIL) {
		X = rlua_to_matrix(L, -1);
		if (!X)
			rlua_option_error(L, "X", "must be an input set (a Matrix, e.g. inputs.gaussian(64, 2)), got a %s",
			                  luaL_typename(L, -1));
		if (!input_given)
			spec->input = X->cols;
		else if (X->cols != spec->input)
			rlua_option_error(L, "X", "has dimension %d but input = %d; leave 'input' out to take X's dimension",
			                  (int)X->cols, (int)spec->input);
	}
	lua_pop(L, 1);   /* X stays referenced by the options table */
	if (!X) {
		rl_err e;
		rb->X = inputs_point(spec->input, &e);
		if (!rb->X)
			return rlua_engine_error(L, &e);
		X = rb->X;
	}

	mc_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.spec = spec;
	cfg.X = X;
	cfg.trials = (uint64_t)rlua_opt_int_field(L, 1, "trials", 10000, 1, (lua_Integer)1 << 53);
	cfg.threads = (unsigned)rlua_opt_int_field(L, 1, "threads", mc_default_threads(), 1, 1024);
	cfg.flip = rlua_opt_bool_field(L, 1, "flip", 0);
	cfg.alignment = rlua_opt_bool_field(L, 1, "alignment", 0);
	static const char *const methods[] = {"auto", "explicit", "gram", "reference", NULL};
	static const char *const stats_names[] = {"all", "alive", NULL};
	int method = option_string(L, 1, "method", methods, 0);
	cfg.method = method == 3 ? MC_METHOD_EXPLICIT : (mc_method)method;
	cfg.reference = method == 3;
	cfg.stats = (mc_stats)option_string(L, 1, "stats", stats_names, 0);
	if (method == 2 && (cfg.flip || cfg.alignment))
		rlua_option_error(L, "method", "the Gram sampler draws no weights, so it cannot %s; "
		                  "use method = 'explicit' or 'auto' with %s = true",
		                  cfg.flip ? "flip signs" : "measure alignment", cfg.flip ? "flip" : "alignment");
	int view = rlua_opt_bool_field(L, 1, "view", 0);
	cfg.chunk = (uint64_t)rlua_opt_int_field(L, 1, "chunk", 0, 0, (lua_Integer)1 << 53);
	shard_option(L, 1, &cfg);

	progress_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.L = L;
	ctx.spec = spec;
	ctx.bar = isatty(2);
	int type = lua_getfield(L, 1, "progress");                  /* index 4 */
	if (type == LUA_TFUNCTION)
		ctx.user_fn = 4;
	else if (type == LUA_TBOOLEAN)
		ctx.bar = ctx.bar && lua_toboolean(L, 4);
	else if (type != LUA_TNIL)
		rlua_option_error(L, "progress", "must be true, false or a function(p), got a %s",
		                  luaL_typename(L, 4));
	lua_getfield(L, LUA_REGISTRYINDEX, VIEW_HOOK_KEY);           /* index 5 */
	if (view && lua_isfunction(L, 5)) {
		ctx.view_fn = 5;
		ctx.bar = 0;
		cfg.neuron_activity = 1;
	}
	const char *out = NULL;
	if (lua_getfield(L, 1, "out") != LUA_TNIL) {              /* index 6 */
		if (lua_type(L, 6) != LUA_TSTRING)
			rlua_option_error(L, "out", "must be the name of a results file (a string such as "
			                  "\"results.jsonl\"), got a %s", luaL_typename(L, 6));
		out = lua_tostring(L, 6);
	}
	if (ctx.bar || ctx.user_fn || ctx.view_fn) {
		cfg.progress = on_progress;
		cfg.progress_ctx = &ctx;
	}
	rl_err e;
	if (mc_validate(&cfg, &e) || (out && mc_records_check_path(out, &e)))
		return rlua_engine_error(L, &e);
	ctx.lower = bound_lower(spec->widths, spec->depth);
	ctx.upper = bound_upper(spec->widths, spec->depth, (double)spec->input, mat_nonnegative(X),
	                        spec->bias.kind == LAW_ZERO);
	ctx.points = X->rows;
	rb->r = mc_run(&cfg, &e);
	if (ctx.view_fn && (ctx.failed || !rb->r)) {
		/* the view is showing: hook(nil) closes it, so the error is
		 * printed on a restored terminal and not lost on the alternate screen */
		lua_pushvalue(L, ctx.view_fn);
		lua_pushnil(L);
		lua_pcall(L, 1, 0, 0);
	}
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
				push_result(L, rec, 2);
				int res = lua_gettop(L);
				lua_getfield(L, LUA_REGISTRYINDEX, "relush.module");
				if (lua_istable(L, -1) && lua_getfield(L, -1, "mc") == LUA_TTABLE) {
					lua_pushvalue(L, res);
					lua_setfield(L, -2, "partial");
					kept = (lua_Integer)rec->result.counts.trials;
				}
			}
		}
		lua_rawgeti(L, LUA_REGISTRYINDEX, ctx.err_ref);
		luaL_unref(L, LUA_REGISTRYINDEX, ctx.err_ref);
		if (kept && lua_type(L, -1) == LUA_TSTRING)
			lua_pushfstring(L, "%s (the partial result of %I trials is kept in mc.partial)",
			                lua_tostring(L, -1), kept);
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
	push_result(L, rec, 2);
	if (out && mc_records_save(out, &rec, 1, 1, &e))
		return luaL_error(L, "mc: the run finished but its result could not be saved (%s); "
		                  "the result is lost unless you run it again", e.msg);
	return 1;
}

/* mc(opts) through the mc table's __call: the table itself comes first. */
static int mc_call(lua_State *L)
{
	lua_remove(L, 1);
	return mc_l(L);
}

/* ---- r:replay(i [, X]) -------------------------------------------------------------- */

static int replay_l(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	run_box *rb = to_run(L, 1);
	if (!rb)
		return luaL_argerror(L, 1, "expected a Monte Carlo result (from mc{...}, mc.merge or mc.load)");
	const mc_record *rec = rb->rec;
	const mc_counts *c = &rec->result.counts;
	uint64_t first = rec->result.first_trial, last = rec->result.last_trial;
	lua_Integer i = rlua_check_int(L, 2, "trial", 1, LUA_MAXINTEGER);
	const rl_mat *X = NULL;
	if (!lua_isnoneornil(L, 3)) {
		X = rlua_to_matrix(L, 3);
		if (!X)
			return luaL_argerror(L, 3, lua_pushfstring(L, "X must be the run's input set (a Matrix), got a %s",
			                     luaL_typename(L, 3)));
		uint64_t sum = mc_checksum(X);
		if (sum != rec->x_checksum) {
			char want[24], got[24];
			snprintf(want, sizeof want, "%016llx", (unsigned long long)rec->x_checksum);
			snprintf(got, sizeof got, "%016llx", (unsigned long long)sum);
			return luaL_argerror(L, 3, lua_pushfstring(L, "X is not this run's input set (the run's X: "
			                     "%I points in d = %I, checksum fnv1a64:%s; this X: %I points in d = %I, "
			                     "checksum fnv1a64:%s)", (lua_Integer)rec->x_rows, (lua_Integer)rec->x_cols,
			                     want, (lua_Integer)X->rows, (lua_Integer)X->cols, got));
		}
	}
	if ((uint64_t)i < first || (uint64_t)i > last)
		return luaL_argerror(L, 2, lua_pushfstring(L, "trial must be between %I and %I (the trials "
		                     "of this run), got %I", (lua_Integer)first, (lua_Integer)last, i));
	if (c->layers_gram || c->trials_lazy)
		return luaL_error(L, "replay: this run evaluated its networks with %s, which draws the "
		                  "pre-activations without ever drawing the weights, so trial %I's network "
		                  "cannot be rebuilt; run mc with method = \"explicit\" to replay trials "
		                  "(its trial %I is a different random network)",
		                  c->trials_lazy ? "lazy (point by point)" : "the Gram sampler", i, i);
	const rl_mat *flip_X = rb->flip_X ? rb->flip_X : X;
	if (rec->flip && !flip_X)
		return luaL_error(L, "replay: this flip = true result came from a file, which records X's "
		                  "checksum but not X, and trial %I's network is flipped on X; pass the run's "
		                  "input set: r:replay(%I, X)", i, i);
	rl_err e;
	rl_net *net = net_create(&rec->spec, (uint64_t)i, &e);
	if (!net)
		return rlua_engine_error(L, &e);
	rlua_push_net(L, net);   /* owned by Lua from here */
	if (rec->flip) {         /* the run measured the flipped net */
		rl_flip_report *fr = net_flip(net, flip_X, 0, &e);
		if (!fr)
			return rlua_engine_error(L, &e);
		flip_report_free(fr);
	}
	return 1;
}

/* ---- printing ------------------------------------------------------------------------- */

static double numf(lua_State *L, int t, const char *k)
{
	lua_getfield(L, t, k);
	double v = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : NAN;
	lua_pop(L, 1);
	return v;
}

/* A string field, copied out: once popped, a string produced by an __index
 * function could be collected. Four buffers in turn, so one printf can use
 * up to four fields. */
static const char *strf(lua_State *L, int t, const char *k)
{
	static char ring[4][64];
	static unsigned next;
	char *buf = ring[next++ % 4];
	lua_getfield(L, t, k);
	const char *s = lua_tostring(L, -1);
	snprintf(buf, sizeof ring[0], "%s", s ? s : "?");
	lua_pop(L, 1);
	return buf;
}

static void fmt(char *buf, size_t len, double v, const char *f)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, f, v);
}

static void fmt_prob(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (v != 0 && (fabs(v) < 1e-3 || fabs(1 - v) < 1e-6))
		snprintf(buf, len, "%.4g", v);
	else
		snprintf(buf, len, "%.4f", v);
}

/* Pushes the (empty) per-layer table, anchored on the stack so an error
 * while filling it cannot leak it; push it before any luaL_Buffer. */
static rlua_table *layer_table_push(lua_State *L)
{
	static const char *const headers[] = {"layer", "width", "survival", "1-2^-n", "net survival",
	                                      "dead neurons", "died here", "cosine", "predicted"};
	int top = lua_gettop(L);
	lua_getfield(L, 1, "layers");
	int layers = lua_gettop(L);
	lua_geti(L, layers, 1);
	int align = lua_istable(L, -1) && lua_getfield(L, -1, "alignment_trials") != LUA_TNIL;
	lua_settop(L, top);
	return rlua_table_push(L, align ? 9 : 7, headers);
}

static void layer_table(lua_State *L, luaL_Buffer *b, rlua_table *tab, int stats_all)
{
	lua_getfield(L, 1, "layers");
	int layers = lua_gettop(L);
	lua_Integer depth = luaL_len(L, layers);
	double trials = numf(L, 1, "trials");
	for (lua_Integer l = 1; l <= depth; l++) {
		if (depth > 30 && l == 16) {
			char gap[48];
			snprintf(gap, sizeof gap, "(%lld layers not shown)", (long long)(depth - 25));
			const char *row[] = {"...", "", "", "", "", "", gap, "", ""};
			rlua_table_row(tab, row);
			l = depth - 9;
		}
		lua_geti(L, layers, l);
		int x = lua_gettop(L);
		char c[9][40];
		snprintf(c[0], 40, "%lld", (long long)l);
		snprintf(c[1], 40, "%.0f", numf(L, x, "width"));
		fmt_prob(c[2], 40, stats_all ? numf(L, x, "survival") : NAN);
		fmt_prob(c[3], 40, numf(L, x, "bound"));
		fmt_prob(c[4], 40, numf(L, x, "net_survival"));
		double dr = numf(L, x, "dead_rate");
		if (isnan(dr))
			snprintf(c[5], 40, "-");
		else
			snprintf(c[5], 40, "%.1f%%", 100.0 * dr);
		double died = numf(L, x, "died");
		if (trials > 0)
			snprintf(c[6], 40, "%.0f (%.2f%%)", died, 100.0 * died / trials);
		else
			snprintf(c[6], 40, "-");
		fmt(c[7], 40, numf(L, x, "alignment"), "%.4f");
		fmt(c[8], 40, numf(L, x, "alignment_predicted"), "%.4f");
		const char *row[] = {c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]};
		rlua_table_row(tab, row);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	rlua_table_emit(tab, b);
}

static int result_tostring(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	/* The tables' boxes go below the buffer, which needs the stack top. */
	static const char *const headers[] = {"", "measured", "", "bounds"};
	rlua_table *t = rlua_table_push(L, 4, headers);
	rlua_table *layers_tab = layer_table_push(L);
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	double trials = numf(L, 1, "trials"), requested = numf(L, 1, "requested");
	double points = numf(L, 1, "points"), depth = numf(L, 1, "depth");
	int stats_all = strcmp(strf(L, 1, "stats"), "all") == 0;
	lua_getfield(L, 1, "interrupted");
	int interrupted = lua_toboolean(L, -1);
	lua_pop(L, 1);
	char shape[80];
	lua_getfield(L, 1, "widths");
	lua_Integer k = luaL_len(L, -1);
	int uniform = 1;
	lua_geti(L, -1, 1);
	lua_Integer w0 = lua_tointeger(L, -1);
	lua_pop(L, 1);
	for (lua_Integer l = 2; l <= k; l++) {
		lua_geti(L, -1, l);
		uniform &= lua_tointeger(L, -1) == w0;
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (uniform)
		snprintf(shape, sizeof shape, "%.0f layers of width %lld", depth, (long long)w0);
	else
		snprintf(shape, sizeof shape, "%.0f layers of widths %lld...", depth, (long long)w0);
	char line[600], shard[64] = "";
	if (lua_getfield(L, 1, "shard") == LUA_TTABLE) {
		lua_geti(L, -1, 1);
		lua_geti(L, -2, 2);
		snprintf(shard, sizeof shard, ", shard %lld/%lld", (long long)lua_tointeger(L, -2),
		         (long long)lua_tointeger(L, -1));
		lua_pop(L, 2);
	}
	lua_pop(L, 1);
	double pieces = numf(L, 1, "pieces");
	snprintf(line, sizeof line,
	         "Monte Carlo: %s net, %s, on %.0f point%s in d = %.0f\n"
	         "  %.0f trials (trials %.0f..%.0f%s), seed %.0f, method %s (%s), %.0f thread%s, "
	         "%.3g s, %.4g trials/s\n",
	         strf(L, 1, "arch"), shape, points, points == 1 ? "" : "s", numf(L, 1, "input"),
	         trials, numf(L, 1, "first_trial"), numf(L, 1, "last_trial"), shard, numf(L, 1, "seed"),
	         strf(L, 1, "method"), strf(L, 1, "evaluation"), numf(L, 1, "threads"),
	         numf(L, 1, "threads") == 1 ? "" : "s", numf(L, 1, "seconds"), numf(L, 1, "rate"));
	luaL_addstring(&b, line);
	if (pieces > 1) {
		snprintf(line, sizeof line, "  merged from %.0f shard runs (seconds: their sum; rate: trials "
		         "per second of that work)\n", pieces);
		luaL_addstring(&b, line);
	}
	if (interrupted) {
		snprintf(line, sizeof line, "  PARTIAL RESULT: %.0f of %.0f trials counted, the run was interrupted\n",
		         trials, requested);
		luaL_addstring(&b, line);
	}
	luaL_addstring(&b, "\n");

	char v[4][120];
	double lo = NAN, hi = NAN;
	if (lua_getfield(L, 1, "ci") == LUA_TTABLE) {
		lua_geti(L, -1, 1);
		lo = lua_tonumber(L, -1);
		lua_geti(L, -2, 2);
		hi = lua_tonumber(L, -1);
		lua_pop(L, 2);
	}
	lua_pop(L, 1);
	double lower = numf(L, 1, "lower"), upper = numf(L, 1, "upper"), uni = numf(L, 1, "union");
	char a[24], bnd[24], c2[24], d2[24];
	fmt_prob(v[0], 120, numf(L, 1, "p_alive"));
	fmt_prob(a, 24, lo);
	fmt_prob(bnd, 24, hi);
	snprintf(v[1], 120, "95%% CI [%s, %s]", a, bnd);
	fmt_prob(a, 24, lower);
	fmt_prob(c2, 24, upper);
	fmt_prob(d2, 24, uni);
	snprintf(v[2], 120, "L %s <= P <= U %s, mL %s", a, c2, d2);
	{
		const char *row[] = {"P(alive)", v[0], v[1], v[2]};
		rlua_table_row(t, row);
	}
	snprintf(v[0], 120, "%.0f", numf(L, 1, "alive_trials"));
	snprintf(v[1], 120, "of %.0f trials", trials);
	{
		const char *row[] = {"alive trials", v[0], v[1], ""};
		rlua_table_row(t, row);
	}
	if (stats_all) {
		fmt_prob(v[0], 120, numf(L, 1, "fraction"));
		fmt(a, 24, numf(L, 1, "fraction_se"), "%.2g");
		snprintf(v[1], 120, "se %s", a);
		fmt_prob(a, 24, lower);
		snprintf(v[2], 120, "E[F] = L %s", a);
		const char *row[] = {"mean F", v[0], v[1], v[2]};
		rlua_table_row(t, row);
		fmt_prob(v[0], 120, numf(L, 1, "min_fraction"));
		const char *row2[] = {"min F", v[0], "", ""};
		rlua_table_row(t, row2);
	} else {
		const char *row[] = {"mean F", "-", "(stats = \"alive\")", ""};
		rlua_table_row(t, row);
	}
	if (strcmp(strf(L, 1, "arch"), "batchnorm") == 0) {
		fmt_prob(v[0], 120, numf(L, 1, "p_all_active"));
		snprintf(v[1], 120, "%.0f trials", numf(L, 1, "all_active_trials"));
		const char *row[] = {"every layer active", v[0], v[1], "(batch norm)"};
		rlua_table_row(t, row);
	}
	rlua_table_emit(t, &b);
	luaL_addstring(&b, "\n");
	layer_table(L, &b, layers_tab, stats_all);
	luaL_pushresult(&b);
	size_t len;
	const char *s = lua_tolstring(L, -1, &len);
	lua_pushlstring(L, s, len ? len - 1 : 0);
	return 1;
}

/* A list of results (mc.load, mc.merge{..., sweep = true}): one line each. */
static int results_tostring(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	static const char *const headers[] = {"#", "arch", "depth", "widths", "seed", "trials", "alive",
	                                      "P(alive)", "95% CI", "mean F", "pieces"};
	lua_Integer n = luaL_len(L, 1);
	rlua_table *t = rlua_table_push(L, 11, headers);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_geti(L, 1, i);
		int r = lua_gettop(L);
		char c[11][48], a[20], b[20];
		snprintf(c[0], 48, "%lld", (long long)i);
		snprintf(c[1], 48, "%s", strf(L, r, "arch"));
		snprintf(c[2], 48, "%.0f", numf(L, r, "depth"));
		c[3][0] = '\0';
		if (lua_getfield(L, r, "widths") == LUA_TTABLE) {
			lua_Integer k = luaL_len(L, -1), shown = 0;
			int uniform = 1;
			lua_geti(L, -1, 1);
			lua_Integer w0 = lua_tointeger(L, -1);
			lua_pop(L, 1);
			size_t used = 0;
			for (lua_Integer l = 1; l <= k; l++) {
				lua_geti(L, -1, l);
				lua_Integer w = lua_tointeger(L, -1);
				lua_pop(L, 1);
				uniform &= w == w0;
				if (shown < 4 && used < 40)
					used += (size_t)snprintf(c[3] + used, 48 - used, l > 1 ? ",%lld" : "%lld", (long long)w);
				shown++;
			}
			if (uniform)
				snprintf(c[3], 48, "%lld", (long long)w0);
			else if (k > 4)
				snprintf(c[3] + used, 48 - used, ",...");
		}
		lua_pop(L, 1);
		snprintf(c[4], 48, "%.0f", numf(L, r, "seed"));
		snprintf(c[5], 48, "%.0f", numf(L, r, "trials"));
		snprintf(c[6], 48, "%.0f", numf(L, r, "alive_trials"));
		fmt_prob(c[7], 48, numf(L, r, "p_alive"));
		double lo = NAN, hi = NAN;
		if (lua_getfield(L, r, "ci") == LUA_TTABLE) {
			lua_geti(L, -1, 1);
			lua_geti(L, -2, 2);
			lo = lua_tonumber(L, -2);
			hi = lua_tonumber(L, -1);
			lua_pop(L, 2);
		}
		lua_pop(L, 1);
		fmt_prob(a, sizeof a, lo);
		fmt_prob(b, sizeof b, hi);
		snprintf(c[8], 48, "[%s, %s]", a, b);
		fmt_prob(c[9], 48, numf(L, r, "fraction"));
		snprintf(c[10], 48, "%.0f", numf(L, r, "pieces"));
		const char *row[11];
		for (int j = 0; j < 11; j++)
			row[j] = c[j];
		rlua_table_row(t, row);
		lua_settop(L, r - 1);
	}
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	lua_pushfstring(L, "%I Monte Carlo result%s\n", n, n == 1 ? "" : "s");
	luaL_addvalue(&b);
	rlua_table_emit(t, &b);
	luaL_pushresult(&b);
	size_t len;
	const char *s = lua_tolstring(L, -1, &len);
	lua_pushlstring(L, s, len ? len - 1 : 0);
	return 1;
}

/* Pushes a McResults list of the records recs[0..n), taking each over
 * (recs[i] is NULL once taken); flip_X are candidate input sets for
 * replaying flipped nets, matched by checksum. */
static void push_results(lua_State *L, mc_record **recs, size_t n, const rl_mat *const *flip_X, size_t nflip)
{
	lua_createtable(L, n < (1u << 24) ? (int)n : 0, 0);
	int list = lua_gettop(L);
	for (size_t i = 0; i < n; i++) {
		const rl_mat *X = NULL;
		for (size_t k = 0; k < nflip && recs[i]->flip && !X; k++)
			if (mc_checksum(flip_X[k]) == recs[i]->x_checksum)
				X = flip_X[k];
		push_record(L, &recs[i], X);
		lua_rawseti(L, list, (lua_Integer)i + 1);
	}
	luaL_setmetatable(L, RLUA_MC_RESULTS);
}

static int is_results_list(lua_State *L, int idx)
{
	if (!lua_getmetatable(L, idx))
		return 0;
	luaL_getmetatable(L, RLUA_MC_RESULTS);
	int yes = lua_rawequal(L, -1, -2);
	lua_pop(L, 2);
	return yes;
}

/* ---- r:save(path [, mode]) ------------------------------------------------------------ */

static int save_l(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	const char *path = luaL_checkstring(L, 2);
	static const char *const modes[] = {"a", "w", NULL};
	int replace = luaL_checkoption(L, 3, "a", modes);
	lua_settop(L, 3);
	size_t n = 1;
	run_box *one = to_run(L, 1);
	if (!one) {
		if (!is_results_list(L, 1))
			return luaL_argerror(L, 1, "expected a Monte Carlo result or a list of them "
			                     "(from mc{...}, mc.merge or mc.load)");
		n = (size_t)luaL_len(L, 1);
	}
	mc_record **recs = lua_newuserdatauv(L, (n ? n : 1) * sizeof *recs, 0);
	if (one) {
		recs[0] = one->rec;
	} else {
		for (size_t i = 0; i < n; i++) {
			lua_geti(L, 1, (lua_Integer)i + 1);
			run_box *b = to_run(L, -1);
			if (!b)
				return luaL_argerror(L, 1, lua_pushfstring(L, "item %I of the list is not a Monte Carlo result",
				                     (lua_Integer)i + 1));
			recs[i] = b->rec;
			lua_pop(L, 1);
		}
	}
	rl_err e;
	if (mc_records_check_path(path, &e) || mc_records_save(path, recs, n, !replace, &e))
		return luaL_error(L, "save: %s", e.msg);
	lua_settop(L, 1);
	return 1;
}

/* ---- mc.merge(pieces [, opts]) and mc.load(path) ----------------------------------------- */

/* The pieces of a merge: records loaded from files (owned) and relabelled
 * shallow copies of results' records (whose arrays stay the results'). */
typedef struct pieces_box {
	mc_record **list;        /* what is merged, in order */
	unsigned char *owned;    /* list[i] came from a file: mc_record_free; else free */
	size_t n, cap;
	const rl_mat **flip_X;   /* the results' input sets, for replaying flipped nets */
	size_t nflip;
} pieces_box;

static int pieces_gc(lua_State *L)
{
	pieces_box *p = luaL_checkudata(L, 1, RLUA_MC_PIECES);
	for (size_t i = 0; i < p->n; i++) {
		if (p->owned[i])
			mc_record_free(p->list[i]);
		else
			free(p->list[i]);
	}
	free(p->list);
	free(p->owned);
	free(p->flip_X);
	memset(p, 0, sizeof *p);
	return 0;
}

/* Room for extra more pieces; -1 when out of memory. */
static int pieces_reserve(pieces_box *p, size_t extra)
{
	if (p->n + extra <= p->cap)
		return 0;
	size_t cap = p->cap ? p->cap : 16;
	while (cap < p->n + extra)
		cap *= 2;
	mc_record **list = realloc(p->list, cap * sizeof *list);
	if (!list)
		return -1;
	p->list = list;
	unsigned char *own = realloc(p->owned, cap);
	if (!own)
		return -1;
	p->owned = own;
	const rl_mat **fx = realloc(p->flip_X, cap * sizeof *fx);
	if (!fx)
		return -1;
	p->flip_X = fx;
	p->cap = cap;
	return 0;
}

/* Adds rec (owned: from a file; else a shallow copy); frees it and raises
 * when out of memory. */
static void pieces_add(lua_State *L, pieces_box *p, mc_record *rec, int owned)
{
	if (pieces_reserve(p, 1)) {
		if (owned)
			mc_record_free(rec);
		else
			free(rec);
		luaL_error(L, "mc.merge: out of memory collecting the pieces");
	}
	p->list[p->n] = rec;
	p->owned[p->n] = (unsigned char)owned;
	p->n++;
}

/* Every record of the file at path, taken over by p. */
static void pieces_file(lua_State *L, pieces_box *p, const char *path)
{
	mc_record **recs;
	size_t n;
	rl_err e;
	if (mc_records_load(path, &recs, &n, &e))
		luaL_error(L, "mc.merge: %s", e.msg);
	if (pieces_reserve(p, n)) {
		mc_records_free(recs, n);
		luaL_error(L, "out of memory reading '%s'", path);
	}
	for (size_t i = 0; i < n; i++)
		pieces_add(L, p, recs[i], 1);   /* cannot fail: the room is there */
	free(recs);
}

/* A result table at idx: a shallow copy of its record named by label,
 * unless it came from a file (its file and line name it better). */
static void pieces_result(lua_State *L, pieces_box *p, int idx, const char *label)
{
	run_box *b = to_run(L, idx);
	mc_record *copy = malloc(sizeof *copy);
	if (!copy)
		luaL_error(L, "mc.merge: out of memory collecting the pieces");
	*copy = *b->rec;
	if (copy->line == 0)
		snprintf(copy->source, sizeof copy->source, "%s", label);
	pieces_add(L, p, copy, 0);
	if (b->flip_X)
		p->flip_X[p->nflip++] = b->flip_X;
}

static void pieces_collect(lua_State *L, pieces_box *p, int arg)
{
	if (lua_type(L, arg) == LUA_TSTRING) {
		pieces_file(L, p, lua_tostring(L, arg));
		return;
	}
	if (lua_istable(L, arg) && to_run(L, arg)) {
		pieces_result(L, p, arg, "the result");
		return;
	}
	if (!lua_istable(L, arg))
		luaL_argerror(L, arg, lua_pushfstring(L, "expected a list of results files and results "
		              "(e.g. {\"a.jsonl\", \"b.jsonl\"}), got a %s", luaL_typename(L, arg)));
	lua_Integer n = luaL_len(L, arg);
	if (n == 0)
		luaL_argerror(L, arg, "nothing to merge: the list is empty; give results files (\"a.jsonl\") "
		              "or results");
	for (lua_Integer i = 1; i <= n; i++) {
		lua_geti(L, arg, i);
		int v = lua_gettop(L);
		char label[48];
		snprintf(label, sizeof label, "result %lld", (long long)i);
		if (lua_type(L, v) == LUA_TSTRING) {
			pieces_file(L, p, lua_tostring(L, v));
		} else if (lua_istable(L, v) && to_run(L, v)) {
			pieces_result(L, p, v, label);
		} else if (lua_istable(L, v) && is_results_list(L, v)) {
			lua_Integer m = luaL_len(L, v);
			for (lua_Integer j = 1; j <= m; j++) {
				lua_geti(L, v, j);
				snprintf(label, sizeof label, "result %lld[%lld]", (long long)i, (long long)j);
				if (to_run(L, -1))
					pieces_result(L, p, lua_gettop(L), label);
				lua_pop(L, 1);
			}
		} else {
			luaL_argerror(L, arg, lua_pushfstring(L, "item %I must be a results file name, a Monte "
			              "Carlo result or a list of them (mc.load), got a %s", i, luaL_typename(L, v)));
		}
		lua_settop(L, v - 1);
	}
}

static pieces_box *push_pieces(lua_State *L)
{
	pieces_box *p = lua_newuserdatauv(L, sizeof *p, 0);
	memset(p, 0, sizeof *p);
	luaL_setmetatable(L, RLUA_MC_PIECES);
	return p;
}

static int merge_l(lua_State *L)
{
	int sweep = 0;
	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		static const char *const known[] = {"sweep", NULL};
		rlua_check_option_names(L, 2, known);
		sweep = rlua_opt_bool_field(L, 2, "sweep", 0);
	}
	if (lua_isnoneornil(L, 1))
		return luaL_argerror(L, 1, "expected the pieces to merge: results files and results, "
		                     "e.g. mc.merge{\"a.jsonl\", \"b.jsonl\"}");
	lua_settop(L, 2);
	pieces_box *p = push_pieces(L);                        /* index 3 */
	pieces_collect(L, p, 1);
	rl_err e;
	pieces_box *merged = push_pieces(L);                   /* index 4: owns the merged records */
	if (!sweep) {
		mc_record *rec = mc_merge(p->list, p->n, &e);
		if (!rec)
			return luaL_error(L, "mc.merge: %s", e.msg);
		pieces_add(L, merged, rec, 1);
		const rl_mat *X = NULL;
		for (size_t k = 0; k < p->nflip && !X; k++)
			if (mc_checksum(p->flip_X[k]) == rec->x_checksum)
				X = p->flip_X[k];
		push_record(L, &merged->list[0], X);
		return 1;
	}
	mc_record **out;
	size_t n;
	if (mc_merge_sweep(p->list, p->n, &out, &n, &e))
		return luaL_error(L, "mc.merge: %s", e.msg);
	if (pieces_reserve(merged, n)) {
		mc_records_free(out, n);
		return luaL_error(L, "mc.merge: out of memory");
	}
	for (size_t i = 0; i < n; i++)
		pieces_add(L, merged, out[i], 1);
	free(out);
	push_results(L, merged->list, merged->n, p->flip_X, p->nflip);
	return 1;
}

static int load_l(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	mc_record **recs;
	size_t n;
	rl_err e;
	if (mc_records_load(path, &recs, &n, &e))
		return luaL_error(L, "mc.load: %s", e.msg);
	pieces_box *p = push_pieces(L);   /* frees what is not yet a result on error */
	if (pieces_reserve(p, n)) {
		mc_records_free(recs, n);
		return luaL_error(L, "mc.load: out of memory reading '%s'", path);
	}
	for (size_t i = 0; i < n; i++)
		pieces_add(L, p, recs[i], 1);
	free(recs);
	push_results(L, p->list, p->n, NULL, 0);   /* each result takes its record over */
	return 1;
}

/* ---- registration ------------------------------------------------------------------------ */

static const rlua_help mc_help[] = {
	{"mc", "mc", "mc{depth=, width= | widths=, X=, trials=, seed=, threads=, method=, stats=, shard=, out=, ...}",
	 "Monte Carlo estimate of neuron death. Every relu option (depth, width, widths, input, weights, "
	 "bias, arch, seed) plus: X (the input set, a Matrix, fixed across trials; default one point "
	 "(1, ..., 1); input defaults to its dimension), trials (default 10000), seed (trial i's net is "
	 "a pure function of seed and i), threads (default: every core; results are identical for any "
	 "count), method (\"auto\" default: per layer the cheaper of \"explicit\" (drawn weights, the only "
	 "one that can replay) and \"gram\" (exact Gaussian sampler of the pre-activations, normal laws "
	 "only); \"reference\" evaluates each trial with net_create + net:death), stats (\"all\" default, "
	 "or \"alive\": only P(alive) and died_at, which lets Gaussian nets run point by point and stop "
	 "at the first point that lives), shard ({i, N}: only the i-th of N contiguous slices of the "
	 "trials, which mc.merge puts back together exactly; default mc.shard, which relush --shard i/N sets; "
	 "false runs every trial), out (a results file: the result is appended to it as a line of JSON, "
	 "see r:save), progress (false hides the stderr bar; a function(p) gets progress tables and may "
	 "return false to stop), view (live view, when available), chunk (trials per work unit; results "
	 "never depend on it), flip (true: sign-flip each trial's net on X first, see net:flip; runs the reference evaluation), alignment (true: per layer the mean pairwise cosine of the living points averaged over trials, next to the arc-cosine prediction, see net:alignment; runs the reference evaluation). Returns an McResult: p_alive, ci {lo, hi} "
	 "(Wilson 95%), fraction (mean living fraction F), fraction_se, min_fraction, trials, "
	 "alive_trials, died_at (per layer: dead networks whose last point died there), layers (per "
	 "layer: survival of points, bound 1-2^-n, net_survival, dead_rate of neurons, counts), lower, "
	 "upper, union, seconds, rate, seed, interrupted, pieces, checksum (of X), version. Ctrl-C stops "
	 "the run and returns the partial result with interrupted = true. mc is a table you can call: "
	 "see also mc.merge, mc.load and mc.shard.",
	 "r = mc{depth=32, width=4, X=inputs.gaussian(64, 2), trials=20000, seed=1}"},
	{"r:replay", "mc", "r:replay(i)",
	 "Trial i's network (a Net) of a Monte Carlo result, rebuilt from the seed: the same weights, "
	 "so r:replay(i):death(X) is that trial's death report. i runs over the result's trials "
	 "(first_trial..last_trial); for flip = true runs the net comes flipped on X, as measured. Only for runs whose networks were drawn (method \"explicit\" or "
	 "\"reference\", or \"auto\" when it drew every layer, as r.evaluation == \"explicit\" shows); "
	 "the Gram and lazy samplers never draw weights, so replay raises an error there.",
	 "r = mc{depth=8, width=3, X=X, trials=100, method=\"explicit\"}; print(r:replay(7):death(X))"},
	{"r:save", "mc", "r:save(path [, mode])",
	 "Writes the result as one line of JSON (JSON Lines) to path: appended to the file's lines "
	 "(mode \"a\", the default) or replacing them (\"w\"). The line holds everything needed to "
	 "merge it exactly: the configuration (every option, the seed, method, stats, arch, laws, widths, "
	 "input dimension, X's FNV-1a checksum and the relush version), the shard i/N and its trial "
	 "range, the raw integer counts (alive trials, the sums of F and F^2, per-layer counts, died_at) "
	 "and timing; doubles are printed with %.17g. The write is atomic: the new content goes to a "
	 "temporary file beside path, flushed to disk and renamed over it, so readers never see half a "
	 "line (one writer per file). Also a list of results (mc.load, mc.merge with sweep). Returns r.",
	 "r = mc{depth=8, width=3, trials=1000, seed=1}; r:save(\"results.jsonl\")"},
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
	 "r = mc.merge{\"shard1.jsonl\", \"shard2.jsonl\", \"shard3.jsonl\"}"},
	{"mc.load", "mc", "mc.load(path)",
	 "Reads a JSON Lines results file (written by r:save or mc{..., out = path}) as a list of "
	 "results, one per line, as they are (not merged). The list prints as a table, one line per "
	 "result, and can be saved (list:save(path)) or merged (mc.merge(list)).",
	 "for i, r in ipairs(mc.load(\"results.jsonl\")) do print(i, r.p_alive) end"},
	{NULL, NULL, NULL, NULL, NULL}
};

void rlua_open_mc(lua_State *L, int module)
{
	module = lua_absindex(L, module);
	luaL_newmetatable(L, RLUA_MC_RUN);
	lua_pushcfunction(L, run_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);
	luaL_newmetatable(L, RLUA_MC_BOX);
	lua_pushcfunction(L, box_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);
	luaL_newmetatable(L, RLUA_MC_PIECES);
	lua_pushcfunction(L, pieces_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);
	luaL_newmetatable(L, RLUA_MC_RESULT);
	lua_pushcfunction(L, result_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_newtable(L);
	lua_pushcfunction(L, replay_l);
	lua_setfield(L, -2, "replay");
	lua_pushcfunction(L, save_l);
	lua_setfield(L, -2, "save");
	lua_pushcfunction(L, rlua_result_csv);
	lua_setfield(L, -2, "csv");
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	luaL_newmetatable(L, RLUA_MC_RESULTS);
	lua_pushcfunction(L, results_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_newtable(L);
	lua_pushcfunction(L, save_l);
	lua_setfield(L, -2, "save");
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	lua_newtable(L);                       /* result -> run, weak keys */
	lua_newtable(L);
	lua_pushstring(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_setfield(L, LUA_REGISTRYINDEX, MC_RUNS_KEY);
	/* mc: a callable table, so it can hold merge, load and the shard default */
	lua_createtable(L, 0, 3);
	lua_pushcfunction(L, merge_l);
	lua_setfield(L, -2, "merge");
	lua_pushcfunction(L, load_l);
	lua_setfield(L, -2, "load");
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, mc_call);
	lua_setfield(L, -2, "__call");
	lua_setmetatable(L, -2);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, MC_TABLE_KEY);
	lua_setfield(L, module, "mc");
	rlua_help_register(L, module, mc_help);
	const char *names[32];
	size_t n = 0;
	for (size_t i = 0; rlua_relu_options[i] && n < 20; i++)
		names[n++] = rlua_relu_options[i];
	for (size_t i = 0; mc_options[i] && n < 31; i++)
		names[n++] = mc_options[i];
	names[n] = NULL;
	rlua_register_options(L, module, "mc", names);
}

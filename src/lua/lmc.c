/* lmc.c: mc(opts), the Monte Carlo engine from Lua, and its result: a plain
 * table of numbers (relush.McResult) that prints as an aligned report and
 * whose replay(i) method rebuilds trial i's network. Progress goes to an
 * optional Lua function, to the live view's hook when one is registered,
 * and to a progress bar on stderr when stderr is a terminal. */
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

#define RLUA_MC_RESULT "relush.McResult"
#define RLUA_MC_SPEC   "relush.McSpec"
#define RLUA_MC_BOX    "relush.McBox"
#define MC_SPECS_KEY   "relush.mc_specs"   /* registry: result table -> McSpec (weak keys) */
#define VIEW_HOOK_KEY  "relush.view_hook"

static const char *const mc_options[] = {
	"X", "trials", "threads", "flip", "method", "stats", "view", "shard",
	"progress", "chunk", "alignment", NULL
};

/* ---- boxes: everything malloc'ed is owned by a userdata, so an error at
 * any point leaves nothing behind ---------------------------------------- */

typedef struct spec_box {
	rl_net_spec spec;
	int replayable;          /* every layer of every trial drawn by net_draw_layer */
	const char *how;         /* how the trials were evaluated */
	uint64_t first, last;
	rl_mat *flip_X;          /* with flip = true: X, to flip the replayed net on */
} spec_box;

typedef struct result_box {
	mc_result *r;
	rl_mat *X;               /* the default input set, when mc made one */
} result_box;

static int spec_gc(lua_State *L)
{
	spec_box *b = luaL_checkudata(L, 1, RLUA_MC_SPEC);
	net_spec_free(&b->spec);
	mat_free(b->flip_X);
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

static void shard_option(lua_State *L, int t, mc_config *cfg)
{
	if (lua_getfield(L, t, "shard") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		rlua_option_error(L, "shard", "must be a table {i, N} (run shard i of N), got a %s",
		                  luaL_typename(L, -1));
	int s = lua_gettop(L);
	lua_Integer v[2];
	for (int k = 0; k < 2; k++) {
		lua_geti(L, s, k + 1);
		int isnum;
		v[k] = lua_tointegerx(L, -1, &isnum);
		if (!isnum || v[k] < 1)
			rlua_option_error(L, "shard", "must be {i, N} with integers 1 <= i <= N, got %s at %d",
			                  luaL_tolstring(L, -1, NULL), k + 1);
		lua_pop(L, 1);
	}
	if (v[0] > v[1])
		rlua_option_error(L, "shard", "must be {i, N} with 1 <= i <= N, got {%d, %d}", (int)v[0], (int)v[1]);
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
static int call_progress_fn(progress_ctx *ctx, int idx, const mc_progress *p)
{
	lua_State *L = ctx->L;
	lua_pushvalue(L, idx);
	push_progress(L, p, ctx);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
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

static void push_result(lua_State *L, const mc_result *r, const mc_config *cfg, const char *method,
                        const char *stats, int spec_idx)
{
	const mc_counts *c = &r->counts;
	const rl_net_spec *s = cfg->spec;
	mc_summary S;
	mc_summarize(r, &S);
	lua_createtable(L, 0, 40);
	int t = lua_gettop(L);
	rlua_set_integer(L, "trials", (lua_Integer)c->trials);
	rlua_set_integer(L, "alive_trials", (lua_Integer)c->alive_trials);
	set_maybe(L, "p_alive", S.p_alive);
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
	rlua_set_string(L, "method", method);
	rlua_set_string(L, "evaluation", evaluation_name(c));
	rlua_set_string(L, "stats", stats);
	rlua_set_integer(L, "threads", (lua_Integer)r->threads);
	rlua_set_integer(L, "points", (lua_Integer)c->points);
	rlua_set_integer(L, "input", (lua_Integer)s->input);
	rlua_set_integer(L, "depth", (lua_Integer)s->depth);
	rlua_set_string(L, "arch", arch_name(s->arch));
	rlua_set_integer(L, "first_trial", (lua_Integer)r->first_trial);
	rlua_set_integer(L, "last_trial", (lua_Integer)r->last_trial);
	rlua_set_integer(L, "requested", (lua_Integer)r->requested);
	if (c->alignment)
		set_maybe(L, "input_cosine", r->input_cosine);
	if (cfg->shard_count) {
		lua_createtable(L, 2, 0);
		lua_pushinteger(L, (lua_Integer)cfg->shard_index);
		lua_rawseti(L, -2, 1);
		lua_pushinteger(L, (lua_Integer)cfg->shard_count);
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
	/* remember the spec for replay, out of the user's sight */
	lua_getfield(L, LUA_REGISTRYINDEX, MC_SPECS_KEY);
	lua_pushvalue(L, t);
	lua_pushvalue(L, spec_idx);
	lua_rawset(L, -3);
	lua_pop(L, 1);
}

/* ---- mc(opts) ---------------------------------------------------------------------- */

static int mc_l(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	int input_given = lua_getfield(L, 1, "input") != LUA_TNIL;
	lua_pop(L, 1);
	rl_net_spec parsed;
	rlua_parse_net_spec(L, 1, &parsed, 0, mc_options);
	spec_box *sb = lua_newuserdatauv(L, sizeof *sb, 0);   /* index 2 */
	memset(sb, 0, sizeof *sb);
	sb->spec = parsed;
	luaL_setmetatable(L, RLUA_MC_SPEC);
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
	if (ctx.bar || ctx.user_fn || ctx.view_fn) {
		cfg.progress = on_progress;
		cfg.progress_ctx = &ctx;
	}
	rl_err e;
	if (mc_validate(&cfg, &e))
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
		lua_rawgeti(L, LUA_REGISTRYINDEX, ctx.err_ref);
		luaL_unref(L, LUA_REGISTRYINDEX, ctx.err_ref);
		return lua_error(L);
	}
	if (!rb->r)
		return rlua_engine_error(L, &e);
	const mc_counts *c = &rb->r->counts;
	sb->replayable = c->layers_gram == 0 && c->trials_lazy == 0;
	sb->how = c->trials_lazy ? "lazy (point by point)" : "the Gram sampler";
	sb->first = rb->r->first_trial;
	sb->last = rb->r->last_trial;
	if (cfg.flip && !(sb->flip_X = mat_clone(X, &e)))
		return rlua_engine_error(L, &e);
	push_result(L, rb->r, &cfg, methods[method], stats_names[cfg.stats], 2);
	return 1;
}

/* ---- r:replay(i) -------------------------------------------------------------------- */

static int replay_l(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, LUA_REGISTRYINDEX, MC_SPECS_KEY);
	lua_pushvalue(L, 1);
	lua_rawget(L, -2);
	spec_box *sb = luaL_testudata(L, -1, RLUA_MC_SPEC);
	if (!sb)
		return luaL_argerror(L, 1, "expected a Monte Carlo result (from mc{...})");
	lua_Integer i = rlua_check_int(L, 2, "trial", 1, LUA_MAXINTEGER);
	if ((uint64_t)i < sb->first || (uint64_t)i > sb->last)
		return luaL_argerror(L, 2, lua_pushfstring(L, "trial must be between %I and %I (the trials "
		                     "of this run), got %I", (lua_Integer)sb->first, (lua_Integer)sb->last, i));
	if (!sb->replayable)
		return luaL_error(L, "replay: this run evaluated its networks with %s, which draws the "
		                  "pre-activations without ever drawing the weights, so trial %I's network "
		                  "cannot be rebuilt; run mc with method = \"explicit\" to replay trials "
		                  "(its trial %I is a different random network)", sb->how, i, i);
	rl_err e;
	rl_net *net = net_create(&sb->spec, (uint64_t)i, &e);
	if (!net)
		return rlua_engine_error(L, &e);
	rlua_push_net(L, net);   /* owned by Lua from here */
	if (sb->flip_X) {        /* the run measured the flipped net */
		rl_flip_report *fr = net_flip(net, sb->flip_X, 0, &e);
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

static const char *strf(lua_State *L, int t, const char *k)
{
	lua_getfield(L, t, k);
	const char *s = lua_tostring(L, -1);   /* the result table keeps it alive */
	lua_pop(L, 1);
	return s ? s : "?";
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

static void layer_table(lua_State *L, luaL_Buffer *b, int stats_all)
{
	static const char *const headers[] = {"layer", "width", "survival", "1-2^-n", "net survival",
	                                      "dead neurons", "died here", "cosine", "predicted"};
	lua_getfield(L, 1, "layers");
	int layers = lua_gettop(L);
	lua_Integer depth = luaL_len(L, layers);
	lua_geti(L, layers, 1);
	int align = lua_istable(L, -1) && lua_getfield(L, -1, "alignment_trials") != LUA_TNIL;
	lua_settop(L, layers);
	int ncols = align ? 9 : 7;
	rlua_table *tab = rlua_table_new(ncols, headers);
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
	char line[600];
	snprintf(line, sizeof line,
	         "Monte Carlo: %s net, %s, on %.0f point%s in d = %.0f\n"
	         "  %.0f trials (trials %.0f..%.0f), seed %.0f, method %s (%s), %.0f thread%s, "
	         "%.3g s, %.4g trials/s\n",
	         strf(L, 1, "arch"), shape, points, points == 1 ? "" : "s", numf(L, 1, "input"),
	         trials, numf(L, 1, "first_trial"), numf(L, 1, "last_trial"), numf(L, 1, "seed"),
	         strf(L, 1, "method"), strf(L, 1, "evaluation"), numf(L, 1, "threads"),
	         numf(L, 1, "threads") == 1 ? "" : "s", numf(L, 1, "seconds"), numf(L, 1, "rate"));
	luaL_addstring(&b, line);
	if (interrupted) {
		snprintf(line, sizeof line, "  PARTIAL RESULT: %.0f of %.0f trials counted, the run was interrupted\n",
		         trials, requested);
		luaL_addstring(&b, line);
	}
	luaL_addstring(&b, "\n");

	static const char *const headers[] = {"", "measured", "", "bounds"};
	rlua_table *t = rlua_table_new(4, headers);
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
	rlua_table_emit(t, &b);
	luaL_addstring(&b, "\n");
	layer_table(L, &b, stats_all);
	luaL_pushresult(&b);
	size_t len;
	const char *s = lua_tolstring(L, -1, &len);
	lua_pushlstring(L, s, len ? len - 1 : 0);
	return 1;
}

/* ---- registration ------------------------------------------------------------------------ */

static const rlua_help mc_help[] = {
	{"mc", "mc", "mc{depth=, width= | widths=, X=, trials=, seed=, threads=, method=, stats=, shard=, ...}",
	 "Monte Carlo estimate of neuron death. Every relu option (depth, width, widths, input, weights, "
	 "bias, arch, seed) plus: X (the input set, a Matrix, fixed across trials; default one point "
	 "(1, ..., 1); input defaults to its dimension), trials (default 10000), seed (trial i's net is "
	 "a pure function of seed and i), threads (default: every core; results are identical for any "
	 "count), method (\"auto\" default: per layer the cheaper of \"explicit\" (drawn weights, the only "
	 "one that can replay) and \"gram\" (exact Gaussian sampler of the pre-activations, normal laws "
	 "only); \"reference\" evaluates each trial with net_create + net:death), stats (\"all\" default, "
	 "or \"alive\": only P(alive) and died_at, which lets Gaussian nets run point by point and stop "
	 "at the first point that lives), shard ({i, N}: only the i-th of N contiguous slices of the "
	 "trials), progress (false hides the stderr bar; a function(p) gets progress tables and may "
	 "return false to stop), view (live view, when available), chunk (trials per work unit; results "
	 "never depend on it), flip (true: sign-flip each trial's net on X first, see net:flip; runs the reference evaluation), alignment (true: per layer the mean pairwise cosine of the living points averaged over trials, next to the arc-cosine prediction, see net:alignment; runs the reference evaluation). Returns an McResult: p_alive, ci {lo, hi} "
	 "(Wilson 95%), fraction (mean living fraction F), fraction_se, min_fraction, trials, "
	 "alive_trials, died_at (per layer: dead networks whose last point died there), layers (per "
	 "layer: survival of points, bound 1-2^-n, net_survival, dead_rate of neurons, counts), lower, "
	 "upper, union, seconds, rate, seed, interrupted. Ctrl-C stops the run and returns the partial "
	 "result with interrupted = true.",
	 "r = mc{depth=32, width=4, X=inputs.gaussian(64, 2), trials=20000, seed=1}"},
	{"r:replay", "mc", "r:replay(i)",
	 "Trial i's network (a Net) of a Monte Carlo result, rebuilt from the seed: the same weights, "
	 "so r:replay(i):death(X) is that trial's death report. i runs over the result's trials "
	 "(first_trial..last_trial); for flip = true runs the net comes flipped on X, as measured. Only for runs whose networks were drawn (method \"explicit\" or "
	 "\"reference\", or \"auto\" when it drew every layer, as r.evaluation == \"explicit\" shows); "
	 "the Gram and lazy samplers never draw weights, so replay raises an error there.",
	 "r = mc{depth=8, width=3, X=X, trials=100, method=\"explicit\"}; print(r:replay(7):death(X))"},
	{NULL, NULL, NULL, NULL, NULL}
};

void rlua_open_mc(lua_State *L, int module)
{
	module = lua_absindex(L, module);
	luaL_newmetatable(L, RLUA_MC_SPEC);
	lua_pushcfunction(L, spec_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);
	luaL_newmetatable(L, RLUA_MC_BOX);
	lua_pushcfunction(L, box_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);
	luaL_newmetatable(L, RLUA_MC_RESULT);
	lua_pushcfunction(L, result_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_newtable(L);
	lua_pushcfunction(L, replay_l);
	lua_setfield(L, -2, "replay");
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	lua_newtable(L);                       /* result -> spec, weak keys */
	lua_newtable(L);
	lua_pushstring(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_setfield(L, LUA_REGISTRYINDEX, MC_SPECS_KEY);
	lua_pushcfunction(L, mc_l);
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

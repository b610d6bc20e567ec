/* lview.c: the Lua side of the live view: the global `view` (a table whose
 * __call shows a net or runs a Monte Carlo experiment in the view),
 * view.snapshot (the same screen as text), and the progress hook that
 * mc{..., view = true} calls. Every Lua error is raised only after the
 * terminal has been restored. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "relush/alloc.h"
#include "relush/bounds.h"
#include "relush/inputs.h"
#include "lua/rlua.h"
#include "view/session.h"
#include "view/term.h"
#include "view/view.h"

/* Default input set of view(net): the same as net:death()'s. */
#define DEFAULT_POINTS 64
#define DEFAULT_SEED 1
#define BATCH_WIDTH 80

/* The Monte Carlo view being shown (one at a time) and the counts read from
 * the progress tables into it. */
static view_mc_session mc_view;
static mc_counts hook_counts;
static int hook_counts_ready;

/* ---- the static view of one net ----------------------------------------------- */

/* A model owned by a userdata, so an error at any point frees it. */
typedef struct model_box {
	view_model m;
	int ready;
} model_box;

static int model_box_gc(lua_State *L)
{
	model_box *b = luaL_checkudata(L, 1, "relush.ViewModel");
	if (b->ready)
		view_model_free(&b->m);
	b->ready = 0;
	return 0;
}

static model_box *new_model_box(lua_State *L)
{
	model_box *b = lua_newuserdatauv(L, sizeof *b, 0);
	memset(b, 0, sizeof *b);
	if (luaL_newmetatable(L, "relush.ViewModel")) {
		lua_pushcfunction(L, model_box_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	return b;
}

static int push_model_box(lua_State *L)
{
	new_model_box(L);
	return 1;
}

static void free_report(void *ud) { death_report_free(ud); }

/* Evaluates net (arg 1) on X (arg 2, or the default set) and pushes a
 * model box filled from the death report. */
static view_model *push_net_model(lua_State *L, const char *fn)
{
	rl_net *net = rlua_check_net(L, 1);
	rl_err e;
	if (lua_isnoneornil(L, 2)) {
		rl_mat *X = inputs_gaussian(DEFAULT_POINTS, net->spec.input, 1.0, DEFAULT_SEED, &e);
		if (!X) {
			rlua_engine_error(L, &e);
			return NULL;
		}
		lua_settop(L, 1);
		rlua_push_matrix(L, X);
	}
	rl_mat *X = rlua_check_matrix(L, 2);
	if (X->cols != net->spec.input)
		luaL_argerror(L, 2, lua_pushfstring(L, "X has %d columns but the net's input dimension is %d",
		                                    (int)X->cols, (int)net->spec.input));
	rl_death_report *r = net_death(net, X, &e);
	if (!r) {
		rlua_engine_error(L, &e);
		return NULL;
	}
	/* the box is a Lua allocation that may fail: r must not leak then */
	rlua_push_protected(L, push_model_box, r, free_report);
	model_box *b = lua_touserdata(L, -1);
	const rl_net_spec *s = &net->spec;
	if (view_model_init(&b->m, 0, s->widths, s->depth, s->input, X->rows)) {
		death_report_free(r);
		luaL_error(L, "%s: not enough memory for the view of a net of depth %d", fn, (int)s->depth);
	}
	b->ready = 1;
	view_model_from_death(&b->m, r);
	b->m.lower = exp(bound_log_lower(s->widths, s->depth));
	b->m.upper = exp(bound_log_upper(s->widths, s->depth, (double)s->input, r->orthant,
	                                 s->bias.kind == LAW_ZERO));
	death_report_free(r);
	return &b->m;
}

static void print_text(lua_State *L, const view_model *m, int width, int unicode)
{
	char *text = view_snapshot_text(m, width, unicode);
	if (!text)
		luaL_error(L, "view: not enough memory for the text of the view");
	fputs(text, stdout);
	fflush(stdout);
	free(text);
}

/* One view at a time: a view started from inside another (a progress
 * function, say) would close the terminal under it. */
static void check_no_view_open(lua_State *L)
{
	if (view_term_is_open())
		luaL_error(L, "view: a view is already open; leave it (q) before starting another");
}

static int show_net(lua_State *L)
{
	check_no_view_open(L);
	view_model *m = push_net_model(L, "view");
	if (!view_term_usable()) {
		print_text(L, m, BATCH_WIDTH, 0);
		return 0;
	}
	char err[256];
	int status = view_run_static(m, err, sizeof err);
	if (status < 0)
		return luaL_error(L, "view: %s", err);
	if (status > 0)
		view_term_reraise(status);   /* Ctrl-C reaches the shell as usual */
	return 0;
}

/* ---- Monte Carlo: the progress hook -------------------------------------------- */


static void hook_reset(int print)
{
	if (mc_view.active)
		view_mc_end(&mc_view, print);
	if (hook_counts_ready)
		mc_counts_free(&hook_counts);
	hook_counts_ready = 0;
}

/* A count from the progress table: >= 0, NaN and strings as def, floats
 * beyond the integers clamped (a cast would be undefined). */
static lua_Integer int_field(lua_State *L, int t, const char *k, lua_Integer def)
{
	lua_getfield(L, t, k);
	lua_Integer v = def;
	if (lua_isinteger(L, -1)) {
		v = lua_tointeger(L, -1);
	} else if (lua_type(L, -1) == LUA_TNUMBER) {
		double d = lua_tonumber(L, -1);
		v = isnan(d) ? def : d >= 9.2e18 ? LUA_MAXINTEGER : d <= 0 ? 0 : (lua_Integer)d;
	}
	lua_pop(L, 1);
	return v < 0 ? 0 : v;
}

static double num_field(lua_State *L, int t, const char *k, double def)
{
	lua_getfield(L, t, k);
	double v = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : def;
	lua_pop(L, 1);
	return v;
}

static int bool_field(lua_State *L, int t, const char *k)
{
	lua_getfield(L, t, k);
	int v = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return v;
}

/* The widths of the run from p.layers (pushed list at idx). Returns the depth
 * and an array in a userdata pushed on the stack, or 0 (nothing pushed)
 * when there is no usable layer list. */
static size_t layer_widths(lua_State *L, int layers, size_t **widths)
{
	/* the table comes from lmc.c, but the hook is reachable from Lua
	 * (debug.getregistry()): sizes are checked like any input */
	lua_Integer len = rlua_len(L, layers, "the layers");
	*widths = NULL;
	if (len < 1 || len > (lua_Integer)NET_MAX_DEPTH)
		return 0;
	size_t depth = (size_t)len;
	rl_err e;
	if (rl_mem_check((double)depth * sizeof **widths, "the view's list of widths", &e))
		return 0;
	/* on the stack, not malloc'ed: reading the layers may raise an error */
	*widths = lua_newuserdatauv(L, depth * sizeof **widths, 0);
	for (size_t l = 0; l < depth; l++) {
		lua_geti(L, layers, (lua_Integer)l + 1);
		lua_Integer w = lua_istable(L, -1) ? int_field(L, lua_gettop(L), "width", 0) : 0;
		lua_pop(L, 1);
		(*widths)[l] = w > 0 ? (w < (lua_Integer)NET_MAX_WIDTH ? (size_t)w : NET_MAX_WIDTH) : 1;
	}
	return depth;
}

/* The run's points: p.points, else layer 1's reaching points per trial
 * (every point enters layer 1 in every trial); 0 when unknown. */
static size_t run_points(lua_State *L, int p, int layers)
{
	lua_Integer done = int_field(L, p, "done", 0), points = int_field(L, p, "points", 0);
	if (points == 0 && done > 0) {
		lua_geti(L, layers, 1);
		if (lua_istable(L, -1))
			points = int_field(L, lua_gettop(L), "reaching", 0) / done;
		lua_pop(L, 1);
	}
	return (size_t)points;
}

/* Opens the session on the first progress call of a run. */
static int hook_begin(lua_State *L, int p, int layers, char *err, size_t errlen)
{
	size_t *widths = NULL;
	size_t depth = layer_widths(L, layers, &widths);
	if (depth == 0) {
		snprintf(err, errlen, "the progress table has no layers (or more than %u)", NET_MAX_DEPTH);
		return -1;
	}
	size_t neurons = 0;
	for (size_t l = 0; l < depth; l++)
		neurons += widths[l];         /* <= 1e8 layers of <= 1e8: no overflow */
	size_t points = run_points(L, p, layers);
	rl_err e;
	/* the model's and the counts' per-neuron arrays */
	if (rl_mem_check(16.0 * (double)neurons + 64.0 * (double)depth, "the view of this run", &e)) {
		snprintf(err, errlen, "%.200s", e.msg);
		return -1;
	}
	int failed = view_model_init(&mc_view.model, 1, widths, depth,
	                             (size_t)int_field(L, p, "input", 0), points) != 0;
	if (!failed && mc_counts_init(&hook_counts, depth, points, MC_STATS_ALL, neurons, &e)) {
		view_model_free(&mc_view.model);
		failed = 1;
	}
	if (failed) {
		snprintf(err, errlen, "not enough memory for the view of this run");
		return -1;
	}
	hook_counts_ready = 1;
	if (view_mc_begin(&mc_view, err, errlen)) {
		mc_counts_free(&hook_counts);
		hook_counts_ready = 0;
		view_model_free(&mc_view.model);
		return -1;
	}
	return 0;
}

/* Copies p.layers into hook_counts and the model. */
static void hook_read_layers(lua_State *L, int layers, uint64_t done)
{
	mc_counts *c = &hook_counts;
	view_model *m = &mc_view.model;
	c->trials = done;
	int have_active = 1, point_stats = 0;
	size_t offset = 0;
	for (size_t l = 0; l < c->depth; l++) {
		lua_geti(L, layers, (lua_Integer)l + 1);
		int t = lua_gettop(L);
		mc_layer_counts *lc = &c->layers[l];
		if (lua_istable(L, t)) {
			lc->trials_reaching = (uint64_t)int_field(L, t, "trials_reaching", 0);
			lc->trials_living = (uint64_t)int_field(L, t, "trials_living", 0);
			lc->points_reaching = (uint64_t)int_field(L, t, "reaching", 0);
			lc->points_living = (uint64_t)int_field(L, t, "living", 0);
			lc->dead_neurons = (uint64_t)int_field(L, t, "dead_neurons", 0);
			point_stats |= lc->points_reaching > 0;
			if (lua_getfield(L, t, "active") == LUA_TTABLE) {
				size_t w = m->layers[l].width;
				for (size_t j = 0; j < w; j++) {
					lua_geti(L, -1, (lua_Integer)j + 1);
					lua_Integer a = lua_tointeger(L, -1);
					c->neuron_active[offset + j] = a > 0 ? (uint64_t)a : 0;
					lua_pop(L, 1);
				}
			} else {
				have_active = 0;
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		offset += m->layers[l].width;
	}
	c->stats = point_stats || done == 0 ? MC_STATS_ALL : MC_STATS_ALIVE;
	uint64_t *na = c->neuron_active;
	if (!have_active)
		c->neuron_active = NULL;
	view_model_from_counts(m, c);
	c->neuron_active = na;
}

/* registry["relush.view_hook"](p): one progress call of mc{..., view = true}. */
static int view_hook(lua_State *L)
{
	if (!lua_istable(L, 1)) {      /* the run ended without a final call */
		hook_reset(0);
		lua_pushboolean(L, 1);
		return 1;
	}
	lua_getfield(L, 1, "layers");
	int layers = lua_gettop(L);
	if (!lua_istable(L, layers)) {
		hook_reset(0);
		return luaL_error(L, "view: the progress table has no 'layers' list");
	}
	char err[256];
	uint64_t done = (uint64_t)int_field(L, 1, "done", 0);
	/* a new run while an old one was never closed: start afresh */
	if (mc_view.active && ((size_t)rlua_len(L, layers, "the layers") != mc_view.model.depth ||
	                       done < mc_view.model.done))
		hook_reset(0);
	if (!mc_view.active && hook_begin(L, 1, layers, err, sizeof err))
		return luaL_error(L, "view: %s", err);
	view_model *m = &mc_view.model;
	int final = bool_field(L, 1, "final");
	if (mc_view.left && !final) {  /* the user left; the engine is stopping */
		lua_pushboolean(L, 0);
		return 1;
	}
	if (!mc_view.state.paused || final) {
		hook_read_layers(L, layers, done);
		view_model_progress(m, done, (uint64_t)int_field(L, 1, "total", 0),
		                    (uint64_t)int_field(L, 1, "alive_trials", 0), num_field(L, 1, "elapsed", 0),
		                    num_field(L, 1, "rate", 0), num_field(L, 1, "eta", INFINITY));
		m->lower = num_field(L, 1, "lower", NAN);
		m->upper = num_field(L, 1, "upper", NAN);
		if (m->points == 0)
			m->points = run_points(L, 1, layers);
	}
	m->final = final;
	m->interrupted = (final && m->done < m->total) || bool_field(L, 1, "interrupted");
	if (final) {
		int sig = 0;
		/* a Ctrl-C that stopped the run before the view had the terminal
		 * (it came to the shell's handler): leave, as a Ctrl-C in the view does */
		if (!mc_view.left && !bool_field(L, 1, "sigint"))
			view_mc_step(&mc_view, &sig);
		hook_reset(1);
		if (sig)
			view_term_reraise(sig);
		lua_pushboolean(L, 1);
		return 1;
	}
	int sig = 0;
	int stop = view_mc_step(&mc_view, &sig);
	if (stop) {
		m->interrupted = 1;
		view_term_close();           /* leave at once; the final call ends the session */
		if (sig)
			view_term_reraise(sig);
	}
	lua_pushboolean(L, !stop);
	return 1;
}

/* view(mc_options): mc{..., view = true}, with the view closed whatever
 * happens to the run. */
static int show_mc(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	check_no_view_open(L);
	lua_getglobal(L, "package");
	lua_getfield(L, -1, "loaded");
	lua_getfield(L, -1, "relush");
	/* mc is a callable table (it also holds mc.merge and mc.load) */
	int mc_type = lua_istable(L, -1) ? lua_getfield(L, -1, "mc") : LUA_TNIL;
	if (mc_type != LUA_TFUNCTION && mc_type != LUA_TTABLE)
		return luaL_error(L, "view: the relush module has no mc function");
	lua_newtable(L);                 /* a copy of the options with view = true */
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_settable(L, -4);
	}
	lua_pushboolean(L, 1);
	lua_setfield(L, -2, "view");
	/* The terminal opens before the run, so its start-up cost is not
	 * taken out of the experiment's first progress call. */
	char err[256];
	if (view_term_usable() && view_term_open(err, sizeof err))
		return luaL_error(L, "view: %s", err);
	int ok = lua_pcall(L, 1, 1, 0) == LUA_OK;
	hook_reset(0);
	view_term_close();
	if (!ok)
		return lua_error(L);
	return 1;
}

/* ---- view(...) and view.snapshot ------------------------------------------------ */

static int view_call(lua_State *L)
{
	lua_remove(L, 1);                /* the view table itself (__call) */
	if (luaL_testudata(L, 1, RLUA_NET))
		return show_net(L);
	if (lua_istable(L, 1) && !lua_getmetatable(L, 1))
		return show_mc(L);
	return luaL_argerror(L, 1, lua_pushfstring(L, "expected a Net (view(net [, X])) or a table of "
	                     "mc options (view{depth=..., width=..., ...}), got a %s", luaL_typename(L, 1)));
}

static int push_text(lua_State *L)
{
	lua_pushstring(L, lua_touserdata(L, 1));
	return 1;
}

static int view_snapshot(lua_State *L)
{
	int width = BATCH_WIDTH, unicode = 0;
	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		static const char *const known[] = {"width", "unicode", NULL};
		rlua_check_option_names(L, 3, known);
		width = (int)rlua_opt_int_field(L, 3, "width", BATCH_WIDTH, VIEW_MIN_WIDTH, 10000);
		unicode = rlua_opt_bool_field(L, 3, "unicode", 0);
		lua_settop(L, 2);
	}
	view_model *m = push_net_model(L, "view.snapshot");
	rl_err e;
	if (rl_mem_check(view_snapshot_bytes(m, width, unicode), "the text of this snapshot", &e))
		return rlua_engine_error(L, &e);
	char *text = view_snapshot_text(m, width, unicode);
	if (!text)
		return luaL_error(L, "view.snapshot: not enough memory for the text");
	rlua_push_protected(L, push_text, text, free);   /* the copy may fail: text must not leak */
	free(text);
	return 1;
}

static const rlua_help view_help[] = {
	{"view", "view", "view(net [, X]) | view(mc_options)",
	 "Shows the live view in the terminal: one heatmap row per layer, one cell per neuron "
	 "(neurons aggregated into cells when a layer is wider than the screen), coloured by the "
	 "fraction of the points reaching the layer on which the neuron is active, dead neurons "
	 "marked, and beside each row the points still living (bar and count), the dead neurons "
	 "and the mean active %. X defaults to net:death()'s 64 Gaussian points. view{...} takes "
	 "mc's options and runs mc{..., view = true}: the Monte Carlo view adds the running "
	 "P(alive) with its 95 % interval against trials, L and U as reference lines, trials "
	 "done, rate and ETA, and each layer's survival beside 1 - 2^-n. Keys: q or Esc leaves "
	 "(a running experiment stops and keeps its partial result, marked interrupted), space "
	 "pauses the display, arrows, PgUp and PgDn scroll, + and - change the aggregation, 0 "
	 "makes it automatic, ? shows help. When standard output is not a terminal it prints "
	 "view.snapshot's text instead.",
	 "view(relu(8, 16), inputs.gaussian(64, 16))"},
	{"view.snapshot", "view", "view.snapshot(net [, X [, {width = 80, unicode = false}]])",
	 "Returns the view of net on X as text, as the terminal would show it without colours: "
	 "every layer's row with its active fractions as the character ramp .:-=+*#%@ (the "
	 "ceil(9 f)-th character for an active fraction f > 0), x for a dead neuron and a blank "
	 "where no point reaches the layer; then its dead neurons, living points (bar and count) "
	 "and mean active % (the DeathReport's numbers). width is the number of columns (>= 60).",
	 "print(view.snapshot(relu(8, 16), inputs.gaussian(64, 16)))"},
	{NULL, NULL, NULL, NULL, NULL}
};

void view_open_lua(lua_State *L)
{
	int top = lua_gettop(L);
	lua_newtable(L);                 /* view */
	lua_pushcfunction(L, view_snapshot);
	lua_setfield(L, -2, "snapshot");
	lua_newtable(L);                 /* its metatable */
	lua_pushcfunction(L, view_call);
	lua_setfield(L, -2, "__call");
	lua_setmetatable(L, -2);
	lua_setglobal(L, "view");

	lua_pushcfunction(L, view_hook);
	lua_setfield(L, LUA_REGISTRYINDEX, VIEW_HOOK_REGISTRY_KEY);

	lua_getglobal(L, "package");
	if (lua_istable(L, -1)) {
		lua_getfield(L, -1, "loaded");
		if (lua_istable(L, -1) && lua_getfield(L, -1, "relush") == LUA_TTABLE)
			rlua_help_register(L, lua_gettop(L), view_help);
	}
	lua_settop(L, top);
}

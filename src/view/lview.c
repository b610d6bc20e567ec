/* lview.c: the Lua side of the live view: the global `view` (a table whose
 * __call shows a net or runs a Monte Carlo experiment in the view),
 * view.snapshot (the same screen as text) and view.inputs (inputs.c).
 * mc{..., view = true} reaches the view through its C observer
 * (observe.c). Every Lua error is raised only after the terminal has been
 * restored. */
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

#define BATCH_WIDTH 80


/* ---- the static view of one net ----------------------------------------------- */

static void *make_report(const rl_net *net, const rl_mat *X, rl_err *e) { return net_death(net, X, e); }
static void free_report(void *r) { death_report_free(r); }
static void free_model(void *m) { view_model_free(m); free(m); }

/* Evaluates net (arg 1) on X (arg 2, or the default set) and pushes a
 * model box filled from the death report. */
static view_model *push_net_model(lua_State *L, const char *fn)
{
	rl_net *net = rlua_check_net(L, 1);
	rl_mat *X = rlua_default_inputs(L, 2, net->spec.input);   /* net:death()'s and mc's */
	if (X->cols != net->spec.input)
		rlua_arg_error(L, 2, lua_pushfstring(L, "X has %d columns but the net's input dimension is %d",
		                                    (int)X->cols, (int)net->spec.input));
	int is_default;
	rlua_box *report = rlua_net_report(L, make_report, free_report, &is_default);
	const rl_death_report *r = report->p;
	rlua_box *b = rlua_box_push(L, NULL, free_model);   /* box first, then acquire */
	const rl_net_spec *s = &net->spec;
	view_model *m = calloc(1, sizeof *m);
	if (!m || view_model_init(m, 0, s->widths, s->depth, s->input, X->rows)) {
		free(m);
		luaL_error(L, "%s: not enough memory for the view of a net of depth %d", fn, (int)s->depth);
	}
	b->p = m;
	view_model_from_death(m, r);
	m->arch = s->arch;
	m->trial = net->trial;
	m->lower = exp(bound_log_lower(s->widths, s->depth));
	m->lower_death = bound_death(s->widths, s->depth);
	m->upper = exp(bound_log_upper(s->widths, s->depth, (double)s->input, r->orthant,
	                               s->bias.kind == LAW_ZERO));
	rlua_box_free(report);
	lua_remove(L, -2);   /* the model's box stays */
	return m;
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

/* Key n: the next trial of the same spec on the same X. */
typedef struct renew_ctx {
	const rl_net *net;
	const rl_mat *X;
} renew_ctx;

static int renew_net(void *arg, view_model *m)
{
	renew_ctx *c = arg;
	rl_err e;
	rl_net *next = net_create(&c->net->spec, m->trial + 1, &e);
	if (!next)
		return -1;
	rl_death_report *r = net_death(next, c->X, &e);
	net_free(next);
	if (!r)
		return -1;
	view_model_from_death(m, r);
	m->trial++;
	death_report_free(r);
	return 0;
}

/* Not a terminal the view can use: the text, and why when it is one. */
static int text_instead(lua_State *L, const view_model *m)
{
	char why[256];
	int t = view_term_check(why, sizeof why);
	if (t == 1)
		return 0;
	if (t < 0)
		fprintf(stderr, "view: %s; printing the view's text instead\n", why);
	print_text(L, m, BATCH_WIDTH, 0);
	return 1;
}

static int show_net(lua_State *L)
{
	check_no_view_open(L);
	view_model *m = push_net_model(L, "view");
	if (text_instead(L, m))
		return 0;
	renew_ctx rc = {rlua_check_net(L, 1), rlua_check_matrix(L, 2)};
	/* a net loaded from a file has no law to draw its next trial from */
	m->fixed = rc.net->spec.weights.kind == LAW_ZERO;
	char err[256];
	int status = view_run_static(m, m->fixed ? NULL : renew_net, &rc, err, sizeof err);
	if (status < 0)
		return luaL_error(L, "view: %s", err);
	if (status > 0)
		view_term_reraise(status);   /* Ctrl-C reaches the shell as usual */
	return 0;
}

/* view(mc_options): mc{..., view = true}, with the view closed whatever
 * happens to the run. */
static int show_mc(lua_State *L)
{
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
	if (!ok)
		view_observer_close();
	view_term_close();
	if (!ok) {
		/* mc, called from here, knows not the user's line and names
		 * itself: "bad option 'depth' to 'mc' (...)" becomes "stdin:1:
		 * bad option 'depth' to 'view' (...)", as mc{...} itself would say */
		const char *msg = lua_tostring(L, -1);
		static const char bad[] = "bad option '";
		const char *close = msg && strncmp(msg, bad, sizeof bad - 1) == 0
		                    ? strchr(msg + sizeof bad - 1, '\'') : NULL;
		const char *rest = close;
		if (rest != NULL && strncmp(rest + 1, " to '", 5) == 0)
			rest = strchr(rest + 6, '\'');   /* the end of the name mc gave */
		if (close != NULL && rest != NULL) {
			luaL_where(L, 1);
			lua_pushlstring(L, msg, (size_t)(close + 1 - msg));
			lua_pushliteral(L, " to 'view'");
			lua_pushstring(L, rest + 1);
			lua_concat(L, 4);
		}
		return lua_error(L);
	}
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
	return rlua_arg_error(L, 1, lua_pushfstring(L, "expected a Net (view(net [, X])) or a table of "
	                     "mc options (view{depth=..., width=..., ...}), got %s", rlua_got(L, 1)));
}

static const rlua_option snapshot_options[] = {RLUA_OPTION("width"), RLUA_OPTION("unicode"), {0}};

static int view_snapshot(lua_State *L)
{
	int width = BATCH_WIDTH, unicode = 0;
	if (!lua_isnoneornil(L, 3)) {
		rlua_check_options_table(L, 3);
		rlua_check_options(L, 3, snapshot_options);
		width = (int)rlua_opt_int_field(L, 3, "width", BATCH_WIDTH, VIEW_MIN_WIDTH, 10000);
		unicode = rlua_opt_bool_field(L, 3, "unicode", 0);
		lua_settop(L, 2);
	}
	view_model *m = push_net_model(L, "view.snapshot");
	rl_err e;
	if (rl_mem_check(view_snapshot_bytes(m, width, unicode), "the text of this snapshot", &e))
		return rlua_engine_error(L, &e);
	rlua_box *text = rlua_box_push(L, NULL, free);   /* the copy may fail: text must not leak */
	if (!(text->p = view_snapshot_text(m, width, unicode)))
		return luaL_error(L, "view.snapshot: not enough memory for the text");
	return rlua_box_push_string(L, text);
}

static const rlua_api view_api[] = {
	{"view", "view", "view(net [, X]) | view(mc_options)",
	 "Shows the live view in the terminal. view(net [, X]): one heatmap row per layer, one cell "
	 "per neuron (neurons aggregated into cells when a layer is wider than the screen; cells and "
	 "rows grow when the net is narrow or shallow), coloured by the fraction of the points "
	 "reaching the layer on which the neuron is active, dead neurons marked x, and beside each row "
	 "the points still living (bar and count), the dead neurons and the mean active %. X "
	 "defaults to net:death()'s 64 Gaussian points. The header names the architecture; the "
	 "bounds L and U are shown, labelled, for the plain chain only (not for flip = true runs). "
	 "view{...} takes mc's "
	 "options and runs mc{..., view = true}. The Monte Carlo view shows what dies where: a "
	 "rolling raster with one column per recent trial (replayed from its seed) and one row per "
	 "layer, coloured by the share of X still living, x where the trial's net died (its last "
	 "point); per layer 'points killed %' (share of trials x points killed there; with stats = "
	 "\"alive\" 'nets died here %', the share of nets whose last point died there, the report's "
	 "'nets died here' as a share), 'dead%' (dead-neuron rate), "
	 "'P(>l)' (P(some point alive after l)) and 'surv/pt' (per-point survival) beside its "
	 "bound '1-2^-n'; and the chart of P(alive) with its 95 % interval against trials, L (and U "
	 "when in range) as lines, its y range following P and L, with P/L and P - L printed. "
	 "Keys: q or Esc leaves (a running experiment stops and keeps its partial result, marked "
	 "interrupted), p pauses and resumes the computation itself, space freezes the display, n "
	 "draws the next random net (single net; not for a net from relu.load), y switches the chart to a log axis, c the "
	 "high-contrast palette (or RELUSH_PALETTE=contrast), arrows, PgUp and PgDn scroll (the key line "
	 "names the neurons shown when a layer is wider than the screen), + and - "
	 "change the aggregation, 0 makes it automatic, ? shows help and explains the columns. When "
	 "standard output is not a terminal, or the terminal cannot show the view (TERM=dumb, an "
	 "unknown TERM), it prints view.snapshot's text instead (mc runs without the view, says so "
	 "and prints its last frame).",
	 "view(relu(8, 16), inputs.gaussian(64, 16))", .fn = view_call, .options = rlua_mc_options},
	{"view.snapshot", "view", "view.snapshot(net [, X [, {width = 80, unicode = false}]])",
	 "Returns the view of net on X as text, as the terminal would show it without colours: "
	 "every layer's row with its active fractions as the character ramp .:-=+*#%@ (the "
	 "ceil(9 f)-th character for an active fraction f > 0), x for a dead neuron and a blank "
	 "where no point reaches the layer; then its dead neurons, living points (bar and count) "
	 "and mean active % (the DeathReport's numbers). width is the number of columns (>= 60).",
	 "print(view.snapshot(relu(8, 16), inputs.gaussian(64, 16)))",
	 .fn = view_snapshot, .options = snapshot_options},
	{"view.inputs", "view", "view.inputs(net [, X [, {width = 80, height = 30, radius = 2, text = false}]])",
	 "For nets with 2 inputs: draws the input plane with each point marked by the layer that "
	 "killed it (1-9, a-z for 10-35, + deeper; o alive), coloured from early to late deaths, and "
	 "the share each layer kills. Without X every cell is the point at its centre, a grid on "
	 "[-radius, radius]^2, so the regions a net abandons show; with X its points are drawn where "
	 "they fall. In a terminal it stays until q; otherwise it prints the picture in width x "
	 "height characters, and text = true returns that text instead.",
	 "view.inputs(relu(12, 2, {input = 2, seed = 7}))",
	 .fn = view_inputs_lua, .options = view_inputs_options},
	{0}
};

void view_open_lua(lua_State *L)
{
	int top = lua_gettop(L);
	lua_newtable(L);                 /* view: a callable table (view_api) */
	lua_setglobal(L, "view");
	rlua_api_register_globals(L, view_api);

	view_observer_register(L);
	view_sweep_register(L);

	lua_settop(L, top);
}

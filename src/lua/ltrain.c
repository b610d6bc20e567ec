/* ltrain.c: net:train(X, y [, opts]), the TrainReport it returns, and
 * net:gradient(X, y): the reason death matters, in one call. A dead net's
 * gradient is exactly zero, so its loss never moves (relush/train.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "rlua.h"
#include "relush/train.h"

#define RLUA_TRAIN "relush.TrainReport"

static const char *const train_methods[] = {"gd", "adam", NULL};
static const rlua_option train_options[] = {
	RLUA_OPTION("steps"), RLUA_OPTION("rate"), RLUA_OPTION_VALUES("method", train_methods),
	RLUA_OPTION("beta1"), RLUA_OPTION("beta2"), RLUA_OPTION("eps"), {0}
};

/* The targets at arg as a Matrix (pushed, owning it, or the argument itself):
 * a Matrix, a list of numbers (one column) or a list of rows (inputs.from). */
static rl_mat *check_targets(lua_State *L, int arg)
{
	rl_mat *Y = rlua_to_matrix(L, arg);
	if (Y)
		return Y;
	if (lua_type(L, arg) != LUA_TTABLE)
		rlua_arg_error(L, arg, lua_pushfstring(L, "the targets y must be a Matrix, a list of "
		              "numbers or a list of rows, got a %s", luaL_typename(L, arg)));
	lua_Integer m = luaL_len(L, arg);
	if (m >= 1 && lua_geti(L, arg, 1) == LUA_TTABLE) {
		lua_pop(L, 1);
		lua_getfield(L, LUA_REGISTRYINDEX, "relush.module");
		lua_getfield(L, -1, "inputs");
		lua_getfield(L, -1, "from");
		lua_pushvalue(L, arg);
		lua_call(L, 1, 1);
		return rlua_check_matrix(L, -1);
	}
	lua_settop(L, lua_gettop(L) - (m >= 1));
	if (m < 1)
		rlua_arg_error(L, arg, "the targets y are an empty list: give one target per point of X");
	rl_err e;
	rlua_box *box = rlua_new_matrix(L);   /* box first, then acquire */
	rl_mat *Y1 = box->p = mat_new((size_t)m, 1, &e);
	if (!Y1)
		rlua_engine_error(L, &e);
	for (lua_Integer i = 1; i <= m; i++) {
		lua_geti(L, arg, i);
		if (lua_type(L, -1) != LUA_TNUMBER)
			rlua_arg_error(L, arg, lua_pushfstring(L, "target %I is a %s, not a number", i,
			                                      luaL_typename(L, -1)));
		Y1->data[i - 1] = lua_tonumber(L, -1);
		lua_pop(L, 1);
	}
	return Y1;
}

static rl_train_opts check_opts(lua_State *L, int t)
{
	rl_train_opts o = train_default_opts();
	if (lua_isnoneornil(L, t))
		return o;
	rlua_check_options_table(L, t);
	rlua_check_options(L, t, train_options);
	if (lua_getfield(L, t, "method") != LUA_TNIL) {
		const char *m = lua_tostring(L, -1);
		if (lua_type(L, -1) != LUA_TSTRING || (strcmp(m, "gd") && strcmp(m, "adam"))) {
			const char *near = lua_type(L, -1) == LUA_TSTRING ? rlua_nearest(m, train_methods) : NULL;
			rlua_option_error(L, "method", "must be 'gd' (plain gradient descent) or 'adam', got %s%s%s%s",
			                  rlua_describe(L, -1), near ? " (did you mean '" : "", near ? near : "",
			                  near ? "'?)" : "");
		}
		o.method = strcmp(m, "adam") == 0 ? TRAIN_ADAM : TRAIN_GD;
	}
	lua_pop(L, 1);
	o.steps = (size_t)rlua_opt_int_field(L, t, "steps", (lua_Integer)o.steps, 0, 100000000);
	o.rate = rlua_opt_number_field(L, t, "rate", o.rate);
	if (!(o.rate > 0))
		rlua_option_error(L, "rate", "the learning rate must be > 0, got %g", o.rate);
	o.beta1 = rlua_opt_number_field(L, t, "beta1", o.beta1);
	o.beta2 = rlua_opt_number_field(L, t, "beta2", o.beta2);
	o.eps = rlua_opt_number_field(L, t, "eps", o.eps);
	return o;
}

static void push_list(lua_State *L, const double *v, size_t n, const char *field)
{
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		lua_pushnumber(L, v[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, field);
}

static void push_train_table(lua_State *L, const rl_train_report *r, const rl_train_opts *o, size_t points)
{
	lua_createtable(L, 0, 10);
	rlua_set_string(L, "method", train_method_name(o->method));
	rlua_set_number(L, "rate", o->rate);
	rlua_set_integer(L, "steps", (lua_Integer)r->steps);
	rlua_set_integer(L, "points", (lua_Integer)points);
	rlua_set_number(L, "initial_loss", r->loss[0]);
	rlua_set_number(L, "final_loss", r->loss[r->steps]);
	push_list(L, r->loss, r->steps + 1, "loss");
	push_list(L, r->grad_first, r->depth, "grad_norm");
	push_list(L, r->grad_last, r->depth, "grad_norm_final");
	luaL_setmetatable(L, RLUA_TRAIN);
}

static void free_train(void *r) { train_report_free(r); }

static int net_train_l(lua_State *L)
{
	rl_net *net = rlua_check_net(L, 1);
	rl_mat *X = rlua_check_matrix(L, 2);
	rl_train_opts o = check_opts(L, 4);
	rl_mat *Y = check_targets(L, 3);
	rl_err e;
	rlua_box *box = rlua_box_push(L, NULL, free_train);   /* box first, then acquire */
	rl_train_report *r = box->p = net_train(net, X, Y, &o, &e);
	if (!r)
		return rlua_engine_error(L, &e);
	push_train_table(L, r, &o, X->rows);
	rlua_box_free(box);
	return 1;
}

static void push_gradient_table(lua_State *L, const rl_gradient *g, const rl_net *net)
{
	const rl_net_spec *s = &net->spec;
	lua_createtable(L, 0, 2);
	rlua_set_number(L, "loss", g->loss);
	lua_createtable(L, (int)s->depth, 0);
	for (size_t l = 1; l <= s->depth; l++) {
		size_t n = s->widths[l - 1], fan = net_fan_in(s, l);
		lua_createtable(L, 0, 3);
		rlua_set_number(L, "norm", gradient_layer_norm(g, net, l));
		lua_createtable(L, (int)n, 0);
		for (size_t j = 0; j < n; j++) {
			lua_createtable(L, (int)fan, 0);
			for (size_t i = 0; i < fan; i++) {
				lua_pushnumber(L, g->dW[l - 1][j * fan + i]);
				lua_rawseti(L, -2, (lua_Integer)i + 1);
			}
			lua_rawseti(L, -2, (lua_Integer)j + 1);
		}
		lua_setfield(L, -2, "W");
		push_list(L, g->db[l - 1], n, "b");
		lua_rawseti(L, -2, (lua_Integer)l);
	}
	lua_setfield(L, -2, "layers");
}

static void free_gradient(void *g) { gradient_free(g); }

/* net:gradient(X, y): the loss and the gradient per layer, without
 * changing the net. */
static int net_gradient_l(lua_State *L)
{
	rl_net *net = rlua_check_net(L, 1);
	rl_mat *X = rlua_check_matrix(L, 2);
	rl_mat *Y = check_targets(L, 3);
	rl_err e;
	rlua_box *box = rlua_box_push(L, NULL, free_gradient);   /* box first, then acquire */
	rl_gradient *g = box->p = train_gradient(net, X, Y, &e);
	if (!g)
		return rlua_engine_error(L, &e);
	push_gradient_table(L, g, net);
	rlua_box_free(box);
	return 1;
}

/* t[field][i] as a number; NaN when it is missing (as rlua_num_field). */
static double list_number(lua_State *L, int t, const char *field, lua_Integer i)
{
	lua_getfield(L, t, field);
	lua_geti(L, -1, i);
	double v = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : NAN;
	lua_pop(L, 2);
	return v;
}

static int train_tostring(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "method");
	lua_getfield(L, 1, "rate");
	lua_getfield(L, 1, "steps");
	lua_getfield(L, 1, "points");
	lua_getfield(L, 1, "initial_loss");
	lua_getfield(L, 1, "final_loss");
	double first = lua_tonumber(L, -2), last = lua_tonumber(L, -1);
	char a[32], b[32], ratio[48];
	rlua_fmt_number(a, sizeof a, first);
	rlua_fmt_number(b, sizeof b, last);
	if (first > 0)
		snprintf(ratio, sizeof ratio, "%.3g of the initial loss", last / first);
	else
		snprintf(ratio, sizeof ratio, "the initial loss was 0");
	char head[400];
	snprintf(head, sizeof head,
	         "TrainReport: %s, %lld steps at rate %g on %lld points\n"
	         "  mean squared error %s -> %s (%s)%s\n"
	         "  grad norm: sqrt(|dL/dW_l|^2 + |dL/db_l|^2) per layer, at start and end\n\n",
	         lua_tostring(L, -6), (long long)lua_tointeger(L, -4), lua_tonumber(L, -5),
	         (long long)lua_tointeger(L, -3), a, b, ratio,
	         first == last ? "\n  the loss never moved: a dead net has a gradient of exactly 0" : "");
	lua_settop(L, 1);
	static const char *const headers[] = {"layer", "grad norm at start", "at end"};
	rlua_table *t = rlua_table_push(L, 3, headers);
	lua_getfield(L, 1, "grad_norm");
	lua_Integer depth = luaL_len(L, -1);
	lua_pop(L, 1);
	for (lua_Integer l = 1; l <= depth; l++) {
		char c[3][32];
		snprintf(c[0], 32, "%lld", (long long)l);
		rlua_fmt_number(c[1], 32, list_number(L, 1, "grad_norm", l));
		rlua_fmt_number(c[2], 32, list_number(L, 1, "grad_norm_final", l));
		const char *cells[3] = {c[0], c[1], c[2]};
		rlua_table_row(t, cells);
	}
	return rlua_push_table_report(L, head, t);
}

static const rlua_api train_api[] = {
	{"net:train", "net", "net:train(X, y [, opts])",
	 "Trains the net in place on mean squared error, mean over points and outputs of "
	 "(f(x) - y)^2, with full-batch plain gradient descent or Adam, for every architecture; "
	 "y is a Matrix, a list of numbers (one output) or a list of rows, one per point of X, "
	 "with the net's output width. Options: steps (100), rate (0.01), method ('gd' or "
	 "'adam'), beta1, beta2, eps (Adam: 0.9, 0.999, 1e-8). Returns a TrainReport: loss "
	 "(per step, steps + 1 values), grad_norm and grad_norm_final (per layer, at the start "
	 "and at the end), initial_loss, final_loss. A net on which every point of X is dead "
	 "(zero biases) has a gradient of exactly 0: its loss never moves; net:flip(X) first "
	 "brings it back. ReLU'(0) is taken as 0, as for death. A single-precision net (precision = "
	 "'single') is trained in double arithmetic and its weights and biases are rounded to float32 "
	 "after each step, so it keeps float32 weights.",
	 "net = relu{widths={2,2,2,2,2,2,1}, seed=3}; X = inputs.gaussian(32, 2, {seed=1}); "
	 "y = {}; for i = 1, #X do y[i] = math.abs(X[i][1]) end; net:train(X, y, {method='adam', steps=200})",
	 .fn = net_train_l, .type = RLUA_NET, .options = train_options},
	{"net:gradient", "net", "net:gradient(X, y)",
	 "The loss of net:train at the net's current parameters and its gradient: {loss, "
	 "layers = {{W = dL/dW_l (rows as net:weights), b = dL/db_l, norm}, ...}}. The net is "
	 "not changed.",
	 "relu(3, 2, {seed=1}):gradient(inputs.gaussian(8, 2, {seed=2}), inputs.gaussian(8, 2, {seed=3}))",
	 .fn = net_gradient_l, .type = RLUA_NET},
	{0}
};

static const rlua_type train_types[] = {RLUA_REPORT_TYPE(RLUA_TRAIN, train_tostring), {0}};
const rlua_binding rlua_train_binding = {.types = train_types, .api = train_api};

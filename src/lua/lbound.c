/* lbound.c: the bound.* functions, thin bindings over relush/bounds.h.
 * A network is given as a list of widths or as a uniform width and depth
 * (n, k); k may be a float such as 1e12 as long as it is integer-valued.
 * The empty list is depth 0 in both forms: L_0 = 1, the empty product. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rlua.h"
#include "relush/alloc.h"
#include "relush/bounds.h"

#define RLUA_BOUND_LAYERS   "relush.BoundLayers"
#define RLUA_BOUND_SCHEDULE "relush.BoundSchedule"
#define LAYERS_MAX_DEPTH 100000 /* a Lua table per row: ~30 MB */
#define LAYERS_ROW_BYTES 270.0  /* a row's table (7 fields) and its slot: 320 measured with the C row */
#define SCHEDULE_DEFAULT_LAYERS 100000

/* An integer-valued finite number >= min: Lua integers, or floats such as
 * 1e12 (beyond what rlua_check_int takes: depths may exceed 2^63). */
static double check_count(lua_State *L, int arg, const char *what, double min)
{
	rl_err e;
	if (lua_type(L, arg) != LUA_TNUMBER)
		return rlua_arg_error(L, arg, lua_pushfstring(L, "%s must be an integer >= %d, got %s",
		                                             what, (int)min, rlua_got(L, arg)));
	double v = lua_tonumber(L, arg);
	if (bound_check_count(v, min, what, &e))
		rlua_arg_error(L, arg, e.msg);
	return v;
}

static double check_prob(lua_State *L, int arg)
{
	rl_err e;
	if (lua_type(L, arg) != LUA_TNUMBER)
		return rlua_arg_error(L, arg, lua_pushfstring(L, "p must be a probability strictly "
		                                             "between 0 and 1, got %s", rlua_got(L, arg)));
	double p = lua_tonumber(L, arg);
	if (bound_check_prob(p, "p", &e))
		rlua_arg_error(L, arg, e.msg);
	return p;
}

/* nil gives def; anything else must be a boolean. */
static int opt_bool(lua_State *L, int arg, const char *what, int def)
{
	if (lua_isnoneornil(L, arg))
		return def;
	if (lua_type(L, arg) != LUA_TBOOLEAN)
		return rlua_arg_error(L, arg, lua_pushfstring(L, "%s must be true or false, got %s", what,
		                                             rlua_got(L, arg)));
	return lua_toboolean(L, arg);
}

/* Pushes an integer when v is one that fits, else a float (or inf). */
static void push_count(lua_State *L, double v)
{
	if (v == floor(v) && fabs(v) <= 9007199254740992.0)
		lua_pushinteger(L, (lua_Integer)v);
	else
		lua_pushnumber(L, v);
}

/* ---- the network argument: widths list, or width n and depth k ------------ */
typedef struct net_arg {
	const size_t *widths; /* NULL for the uniform form */
	size_t count;
	double n, k;
} net_arg;

/* Returns how many arguments the network took (1 or 2). The widths form
 * pushes an anchor userdata, so callers first lua_settop to their full
 * argument count to keep optional arguments where they are. */
static int check_net(lua_State *L, int arg, net_arg *a)
{
	memset(a, 0, sizeof *a);
	if (lua_type(L, arg) == LUA_TTABLE) {
		a->widths = rlua_check_widths(L, arg, "widths", &a->count);
		return 1;
	}
	if (lua_type(L, arg) != LUA_TNUMBER)
		return rlua_arg_error(L, arg, lua_pushfstring(L, "expected a list of widths or a width "
		                                             "and a depth, got %s", rlua_got(L, arg)));
	a->n = check_count(L, arg, "width", 1);
	a->k = check_count(L, arg + 1, "depth", 0);
	return 2;
}

/* bound.lower, bound.log_lower and bound.death: one value of the network
 * argument, from its widths or from the uniform width and depth. */
static int net_bound(lua_State *L, double (*of_widths)(const size_t *widths, size_t k),
                     double (*uniform)(double n, double k))
{
	net_arg a;
	lua_settop(L, 2);  /* the widths anchor goes above the arguments */
	check_net(L, 1, &a);
	lua_pushnumber(L, a.widths ? of_widths(a.widths, a.count) : uniform(a.n, a.k));
	return 1;
}

static int bound_lower_l(lua_State *L) { return net_bound(L, bound_lower, bound_lower_uniform); }
static int bound_log_lower_l(lua_State *L) { return net_bound(L, bound_log_lower, bound_log_lower_uniform); }
static int bound_death_l(lua_State *L) { return net_bound(L, bound_death, bound_death_uniform); }

static int bound_upper_l(lua_State *L)
{
	net_arg a;
	lua_settop(L, 5);  /* the widths anchor goes above the arguments */
	int arg = 1 + check_net(L, 1, &a);
	double d = check_count(L, arg, "input dimension", 1);
	int orthant = opt_bool(L, arg + 1, "orthant", 1);
	int zero_bias = opt_bool(L, arg + 2, "zero_bias", 0);
	lua_pushnumber(L, a.widths ? bound_upper(a.widths, a.count, d, orthant, zero_bias)
	                           : bound_upper_uniform(a.n, a.k, d, orthant, zero_bias));
	return 1;
}

static int bound_union_l(lua_State *L)
{
	net_arg a;
	lua_settop(L, 3);  /* the widths anchor goes above the arguments */
	int arg = 1 + check_net(L, 1, &a);
	double m = check_count(L, arg, "number of points", 1);
	lua_pushnumber(L, a.widths ? bound_union(a.widths, a.count, m) : bound_union_uniform(a.n, a.k, m));
	return 1;
}

static int bound_sandwich_l(lua_State *L)
{
	net_arg a;
	bound_sandwich s;
	lua_settop(L, 2);  /* the widths anchor goes above the arguments */
	check_net(L, 1, &a);
	if (a.widths)
		bound_sandwich_of(a.widths, a.count, &s);
	else
		bound_sandwich_uniform(a.n, a.k, &s);
	lua_pushnumber(L, s.lower);
	lua_pushnumber(L, s.value);
	lua_pushnumber(L, s.upper);
	lua_pushnumber(L, s.sum);
	return 4;
}

static int bound_width_for_l(lua_State *L)
{
	double k = check_count(L, 1, "depth", 0), p = check_prob(L, 2), n;
	rl_err e;
	if (bound_width_for(k, p, &n, &e))
		return rlua_engine_error(L, &e);
	push_count(L, n);
	return 1;
}

static int bound_depth_for_l(lua_State *L)
{
	double n = check_count(L, 1, "width", 1), p = check_prob(L, 2);
	bound_depth k;
	rl_err e;
	if (bound_depth_for(n, p, &k, &e))
		return rlua_engine_error(L, &e);
	if (k.exact)
		lua_pushinteger(L, (lua_Integer)k.k);
	else
		lua_pushnumber(L, k.value);
	return 1;
}

static int bound_whole_space_l(lua_State *L)
{
	double n = check_count(L, 1, "width", 1), d = check_count(L, 2, "input dimension", 0);
	bound_space s;
	rl_err e;
	if (bound_whole_space(n, d, &s, &e))
		return rlua_engine_error(L, &e);
	lua_pushnumber(L, s.p);
	lua_pushnumber(L, s.q);
	return 2;
}

static int bound_flip_l(lua_State *L)
{
	double k = check_count(L, 1, "depth", 0);
	lua_pushnumber(L, bound_flip_fraction(k));
	return 1;
}

/* ---- bound.layers ---------------------------------------------------------------- */
static int layers_tostring(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Integer depth = rlua_len(L, 1, "the layers");
	char lower[32], death[32], head[128];
	rlua_fmt_prob(lower, sizeof lower, rlua_num_field(L, 1, "lower"), rlua_num_field(L, 1, "death"));
	rlua_fmt_prob(death, sizeof death, rlua_num_field(L, 1, "death"), NAN);
	snprintf(head, sizeof head, "Lower bound per layer: %lld layer%s, L = %s, 1 - L = %s\n\n",
	         (long long)depth, rlua_s((double)depth), lower, death);
	static const char *const headers[] = {"layer", "width", "survival 1-2^-n", "hazard 2^-n",
	                                      "cumulative L", "death 1-L"};
	rlua_table *t = rlua_table_push(L, 6, headers);
	static const char *const fields[] = {"layer", "width", "survival", "hazard", "cumulative", "death"};
	/* the rows the table really holds, whatever its __len says */
	lua_Integer rows = (lua_Integer)lua_rawlen(L, 1);
	for (lua_Integer l = 1; l <= depth && l <= rows; l++) {
		if (rlua_table_gap(t, depth < rows ? depth : rows, &l, "the table: t[i] of t = bound.layers(...)"))
			continue;
		char c[6][32];
		lua_geti(L, 1, l);
		for (int j = 0; j < 2; j++)
			rlua_fmt_number(c[j], sizeof c[j], rlua_num_field(L, -1, fields[j]));
		/* survival and L are below 1 by hazard and death: never "1" */
		rlua_fmt_prob(c[2], sizeof c[2], rlua_num_field(L, -1, "survival"), rlua_num_field(L, -1, "hazard"));
		rlua_fmt_prob(c[3], sizeof c[3], rlua_num_field(L, -1, "hazard"), NAN);
		rlua_fmt_prob(c[4], sizeof c[4], rlua_num_field(L, -1, "cumulative"), rlua_num_field(L, -1, "death"));
		rlua_fmt_prob(c[5], sizeof c[5], rlua_num_field(L, -1, "death"), NAN);
		lua_pop(L, 1);
		const char *row[] = {c[0], c[1], c[2], c[3], c[4], c[5]};
		rlua_table_row(t, row);
	}
	return rlua_push_table_report(L, head, t);
}

static int bound_layers_l(lua_State *L)
{
	net_arg a;
	lua_settop(L, 2);  /* the widths anchor goes above the arguments */
	check_net(L, 1, &a);
	size_t depth = a.widths ? a.count : (size_t)a.k;
	char depth_text[32];
	snprintf(depth_text, sizeof depth_text, "%.17g", a.widths ? (double)a.count : a.k);
	if (a.widths ? a.count > LAYERS_MAX_DEPTH : a.k > LAYERS_MAX_DEPTH)
		return rlua_arg_error(L, a.widths ? 1 : 2,
		                     lua_pushfstring(L, "a per-layer table takes at most %d layers, got %s "
		                                     "(bound.lower and bound.death take any depth)",
		                                     LAYERS_MAX_DEPTH, depth_text));
	/* checked before the work, so the memory budget gives a message naming
	 * the table rather than Lua's bare "not enough memory" half-way */
	rl_err e;
	if (rl_mem_check((double)depth * (LAYERS_ROW_BYTES + sizeof(bound_layer)), "bound.layers' "
	                 "per-layer table", &e))
		return rlua_engine_error(L, &e);
	bound_layer *rows = lua_newuserdatauv(L, (depth ? depth : 1) * sizeof *rows, 0);
	if (a.widths)
		bound_layers(a.widths, a.count, rows);
	else
		bound_layers_uniform(a.n, depth, rows);
	lua_createtable(L, (int)depth, 3);
	for (size_t l = 0; l < depth; l++) {
		lua_createtable(L, 0, 7);
		rlua_set_integer(L, "layer", (lua_Integer)rows[l].layer);
		push_count(L, rows[l].width);
		lua_setfield(L, -2, "width");
		rlua_set_number(L, "survival", rows[l].survival);
		rlua_set_number(L, "hazard", rows[l].hazard);
		rlua_set_number(L, "cumulative", rows[l].cumulative);
		rlua_set_number(L, "log_cumulative", rows[l].log_cumulative);
		rlua_set_number(L, "death", rows[l].death);
		lua_rawseti(L, -2, (lua_Integer)l + 1);
	}
	rlua_set_number(L, "lower", depth ? rows[depth - 1].cumulative : 1.0);
	rlua_set_number(L, "log_lower", depth ? rows[depth - 1].log_cumulative : 0.0);
	rlua_set_number(L, "death", depth ? rows[depth - 1].death : 0.0);
	luaL_setmetatable(L, RLUA_BOUND_LAYERS);
	return 1;
}

/* ---- bound.schedule ----------------------------------------------------------------- */
typedef struct schedule_ctx {
	lua_State *L;
	int fn;          /* stack index of the schedule function */
	int lua_error;   /* the function raised: its error object is on top */
	uint64_t layer;
} schedule_ctx;

static int schedule_call(void *ctx_, uint64_t layer, double *width, rl_err *e)
{
	schedule_ctx *ctx = ctx_;
	lua_State *L = ctx->L;
	ctx->layer = layer;
	lua_pushvalue(L, ctx->fn);
	lua_pushinteger(L, (lua_Integer)layer);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
		ctx->lua_error = 1;
		return -1;
	}
	int type = lua_type(L, -1);
	if (type == LUA_TNIL) {
		lua_pop(L, 1);
		return 1;
	}
	if (type != LUA_TNUMBER) {
		rl_fail(e, "the schedule gave a %s for layer %llu: widths must be integers >= 1 "
		        "(or nil after the last layer)", luaL_typename(L, -1), (unsigned long long)layer);
		lua_pop(L, 1);
		return -1;
	}
	*width = lua_tonumber(L, -1);
	lua_pop(L, 1);
	return 0;
}

static void set_count(lua_State *L, const char *field, double v)
{
	push_count(L, v);
	lua_setfield(L, -2, field);
}

/* lo rounded down and hi rounded up to the fewest significant digits that
 * keep the printed bracket within 10 times the true one: the digits that are
 * known, and no more. Returns the digits used (0 when not finite). */
static int fmt_bracket(char *out, size_t size, double lo, double hi)
{
	if (!isfinite(lo) || !isfinite(hi) || lo > hi || lo < 0.0) {
		snprintf(out, size, "[%.10g, %.10g]", lo, hi);
		return 0;
	}
	double top = fmax(fabs(hi), DBL_MIN);
	int digits = 1;
	for (; digits < 17; digits++) {
		double unit = pow(10.0, floor(log10(top)) - digits + 1);
		if (ceil(hi / unit) * unit - floor(lo / unit) * unit <= fmax(10.0 * (hi - lo), 4e-16 * top))
			break;
	}
	double unit = pow(10.0, floor(log10(top)) - digits + 1);
	/* nextafter: never let the decimal rounding of printf move inwards */
	double down = nextafter(floor(lo / unit) * unit, -INFINITY);
	double up = nextafter(ceil(hi / unit) * unit, INFINITY);
	snprintf(out, size, "[%.*g, %.*g]", digits, fmax(down, 0.0), digits, up);
	return digits;
}

/* v to `digits` significant digits, rounded up (dir > 0), down (dir < 0) or
 * to nearest, so a printed bound never moves inwards. */
static void fmt_outward(char *out, size_t size, double v, int digits, int dir)
{
	if (dir == 0 || !isfinite(v) || v <= 0.0) {
		snprintf(out, size, "%.*g", digits, v);
		return;
	}
	/* a value those digits hold exactly (a lower bound of exactly 1) as it
	 * is: floor(1 / 1e-9) * 1e-9 would print it as 0.999999999 */
	snprintf(out, size, "%.*g", digits, v);
	if (strtod(out, NULL) == v)
		return;
	double unit = pow(10.0, floor(log10(v)) - digits + 1);
	double r = dir > 0 ? nextafter(ceil(v / unit) * unit, INFINITY)
	                   : nextafter(floor(v / unit) * unit, -INFINITY);
	snprintf(out, size, "%.*g", digits, r);
}

static int schedule_tostring(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	/* The bracket is the point, so its numbers get 10 digits. */
	static const struct { const char *field, *meaning; int digits; } rows[] = {
		{"limit", "estimate of lim L_k (includes the extrapolated rest)", 10},
		{"positive", "estimate: the limit is > 0 (sum of 2^-n_l finite)", 0},
		{"bracket", "[lower, upper] rounded outwards: the digits known", 0},
		{"upper", "upper bound of the limit (rigorous if f is non-decreasing)", 10},
		{"lower", "lower bound of L at the horizon (rigorous if f is non-decreasing)", 10},
		{"partial", "L after the exactly summed layers (exact)", 10},
		{"sum", "sum of 2^-n_l over those layers (exact)", 10},
		{"layers", "layers summed one by one", 0},
		{"horizon", "last layer covered by the bracket", 0},
		{"probes", "schedule calls beyond the exact layers", 0},
		{"monotone", "widths non-decreasing at every probe (not checked between them)", 0},
		{"finite", "the schedule ends (f returned nil)", 0},
		{"depth", "its last layer (when finite)", 0},
		{"decay", "fitted s in c_j ~ j^-s (Cauchy condensation)", 0},
		{"rest", "estimated hazard beyond the horizon", 0},
	};
	static const char *const headers[] = {"quantity", "value", "meaning"};
	rlua_table *t = rlua_table_push(L, 3, headers);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char value[80];
		int type = lua_getfield(L, 1, rows[i].field);
		if (strcmp(rows[i].field, "limit") == 0 && type == LUA_TNUMBER) {
			/* an estimate: only as many digits as the bracket below knows */
			char bracket[80];
			int digits = fmt_bracket(bracket, sizeof bracket, rlua_num_field(L, 1, "lower"),
			                         rlua_num_field(L, 1, "upper"));
			snprintf(value, sizeof value, "~%.*g", digits ? digits : 3, lua_tonumber(L, -1));
		} else if (strcmp(rows[i].field, "bracket") == 0) {
			fmt_bracket(value, sizeof value, rlua_num_field(L, 1, "lower"), rlua_num_field(L, 1, "upper"));
		} else if (type == LUA_TBOOLEAN)
			snprintf(value, sizeof value, "%s", lua_toboolean(L, -1) ? "yes" : "no");
		else if (type == LUA_TNUMBER && rows[i].digits)
			fmt_outward(value, sizeof value, lua_tonumber(L, -1), rows[i].digits,
			            strcmp(rows[i].field, "upper") == 0 ? 1 :
			            strcmp(rows[i].field, "lower") == 0 ? -1 : 0);
		else if (type == LUA_TNUMBER)
			rlua_fmt_number(value, sizeof value, lua_tonumber(L, -1));
		else
			snprintf(value, sizeof value, "-");
		lua_pop(L, 1);
		const char *row[] = {rows[i].field, value, rows[i].meaning};
		rlua_table_row(t, row);
	}
	return rlua_push_table_report(L, "Width schedule: the limit of the lower bound as depth grows\n\n", t);
}

static const rlua_option schedule_options[] = {RLUA_OPTION("layers"), {0}};

static int bound_schedule_l(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	lua_Integer layers = SCHEDULE_DEFAULT_LAYERS;
	if (!lua_isnoneornil(L, 2)) {
		rlua_check_options_table(L, 2);
		rlua_check_options(L, 2, schedule_options);
		layers = rlua_opt_int_field(L, 2, "layers", SCHEDULE_DEFAULT_LAYERS, 0,
		                            (lua_Integer)1 << 62);
	}
	lua_settop(L, 2);
	schedule_ctx ctx = {L, 1, 0, 0};
	bound_schedule_result r;
	rl_err e;
	if (bound_schedule(schedule_call, &ctx, (uint64_t)layers, &r, &e)) {
		if (!ctx.lua_error)
			return rlua_engine_error(L, &e);
		if (lua_type(L, -1) == LUA_TSTRING) {   /* named bound.schedule, also through pcall */
			rl_fail(&e, "the schedule function failed at layer %lld: %s", (long long)ctx.layer,
			        lua_tostring(L, -1));
			return rlua_engine_error(L, &e);
		}
		return lua_error(L);   /* an error object that is not a string goes on as it is */
	}
	lua_createtable(L, 0, 20);
	set_count(L, "layers", (double)r.layers);
	rlua_set_number(L, "sum", r.sum);
	rlua_set_number(L, "partial", r.partial);
	rlua_set_number(L, "log_partial", r.log_partial);
	rlua_set_bool(L, "finite", r.finite);
	if (r.finite)
		set_count(L, "depth", (double)r.depth);
	set_count(L, "horizon", (double)r.horizon);
	set_count(L, "probes", (double)r.probes);
	rlua_set_bool(L, "monotone", r.monotone);
	rlua_set_number(L, "tail_lo", r.tail_lo);
	rlua_set_number(L, "tail_hi", r.tail_hi);
	rlua_set_number(L, "lower", r.lower);
	rlua_set_number(L, "upper", r.upper);
	rlua_set_number(L, "decay", r.decay);
	rlua_set_number(L, "rest", r.rest);
	rlua_set_number(L, "limit", r.limit);
	rlua_set_bool(L, "positive", r.positive);
	luaL_setmetatable(L, RLUA_BOUND_SCHEDULE);
	return 1;
}

/* ---- registration --------------------------------------------------------------- */
static const rlua_api bound_api[] = {
	{"bound.lower", "bounds", "bound.lower(widths) | bound.lower(n, k)",
	 "The lower bound L = prod_l (1 - 2^-n_l) on P(network alive), which is exactly "
	 "P(a given point is living) (theory.md §3.1). Give a list of widths, or a uniform width n "
	 "and depth k; k may be a float such as 1e12 if it is an integer. The empty list {} is depth 0, as (n, 0) "
	 "is, for every bound of a network: L = 1, the empty product (zero layers always survive). Exact fractions "
	 "come out exact; otherwise computed in log space.",
	 "bound.lower{3, 5, 2}  --> 0.6357421875 (= 651/1024)", .fn = bound_lower_l},
	{"bound.log_lower", "bounds", "bound.log_lower(widths) | bound.log_lower(n, k)",
	 "log L, finite even when L underflows to 0 (bound.log_lower(1, 2000) = -2000 log 2).",
	 "bound.log_lower(1, 2000)", .fn = bound_log_lower_l},
	{"bound.death", "bounds", "bound.death(widths) | bound.death(n, k)",
	 "1 - L, the probability that a given point is dead, accurate when tiny: "
	 "bound.death(64, 1e6) is 5.42e-14, where 1 - bound.lower(64, 1e6) gives 0.",
	 "bound.death(64, 1e6)", .fn = bound_death_l},
	{"bound.upper", "bounds",
	 "bound.upper(widths, d [, orthant [, zero_bias]]) | bound.upper(n, k, d [, orthant [, zero_bias]])",
	 "The upper bound U = prod (1 - 2^-(n_l (n_{l-1} + 1))) with n_0 = d (theory.md §4.1). "
	 "orthant (default true): the inputs lie in the non-negative orthant, so layer 1's "
	 "factor is included; false leaves it out (general inputs, U_hidden). zero_bias "
	 "(default false): biases are all 0, which allows the tighter exponent n_l n_{l-1}. "
	 "Exponents beyond any integer (1e12) are handled exactly.",
	 "bound.upper({2, 2, 2}, 2)  --> 0.9538536072 (= 250047/262144)", .fn = bound_upper_l},
	{"bound.union", "bounds", "bound.union(widths, m) | bound.union(n, k, m)",
	 "The union bound min(1, m L) on P(alive) for an input set of m points (theory.md §4.4); "
	 "often tighter than U.",
	 "bound.union(4, 64, 64)", .fn = bound_union_l},
	{"bound.sandwich", "bounds", "bound.sandwich(widths) | bound.sandwich(n, k)",
	 "Returns lo, L, hi, S with S = sum 2^-n_l and exp(-2 ln2 S) = lo <= L <= hi = exp(-S) "
	 "(theory.md §5.1): L > 0 in the limit exactly when S stays finite.",
	 "lo, L, hi, S = bound.sandwich(2, 10)  --> 0.03125 0.0563 0.0821 2.5", .fn = bound_sandwich_l},
	{"bound.width_for", "bounds", "bound.width_for(k, p)",
	 "The least uniform width n with L(n, k) >= p, p in (0, 1): width need grow only like "
	 "log2 k. Exact for every k and p: the real (1 - 2^-n)^k is compared with p, never a "
	 "rounded L (theory.md §5.3), so near-ties such as width_for(3, 1 - 2^-53) = 55 are "
	 "right.",
	 "bound.width_for(1e12, 0.5)  --> 41", .fn = bound_width_for_l},
	{"bound.depth_for", "bounds", "bound.depth_for(n, p)",
	 "The greatest depth k with L(n, k) >= p (0 if one layer is already below p), decided "
	 "exactly (theory.md §5.3). An integer while k < 2^63; beyond, the greatest float <= k "
	 "(an integer-valued float); inf when even the largest double reaches p (n above about "
	 "1020).",
	 "bound.depth_for(10, 0.5)  --> 709", .fn = bound_depth_for_l},
	{"bound.whole_space", "bounds", "bound.whole_space(n, d)",
	 "Returns p, q: p = 2^-n sum_{i<=d} C(n, i), the probability that some input x in all "
	 "of R^d kills a first layer of width n with random biases (theory.md §4.5; 1 when n <= d), "
	 "and q = 1 - p, each accurate when tiny. Exact for n <= 62; n and d up to 1e6 and beyond. "
	 "With zero biases (relu's default) x = 0 always kills (a tie) and a non-zero x does with "
	 "probability 2^(1-n) sum_{i<d} C(n-1, i) instead.",
	 "bound.whole_space(5, 1)  --> 0.1875 0.8125", .fn = bound_whole_space_l},
	{"bound.flip", "bounds", "bound.flip(k)",
	 "The sign-flip guarantee 2^-k: after net:flip(X) at least this fraction of the points "
	 "of X is living in a k-layer net (theory.md §8), on every draw without ties (no "
	 "pre-activation exactly 0, which a density excludes except at the zero point with zero "
	 "biases: that point is dead in every net).",
	 "bound.flip(10)  --> 0.0009765625", .fn = bound_flip_l},
	{"bound.layers", "bounds", "bound.layers(widths) | bound.layers(n, k)",
	 "A per-layer table (theory.md §3.4): each row has layer, width, survival 1 - 2^-n_l "
	 "(P(alive after l | alive before l)), hazard 2^-n_l, cumulative L_l, log_cumulative "
	 "and death 1 - L_l; fields lower, log_lower and death give the totals. Prints as an "
	 "aligned table. At most 100000 layers.",
	 "bound.layers{3, 1, 4, 2, 5}", .fn = bound_layers_l},
	{"bound.schedule", "bounds", "bound.schedule(f [, {layers=100000}])",
	 "The limit of L as depth grows when layer l has width f(l) (f returns nil after the "
	 "last layer of a finite net). Layers 1..layers are summed exactly (partial, sum: "
	 "partial bounds the limit from above). Beyond, f is probed 16 times per octave up to "
	 "layer 2^62: if f is non-decreasing there, lower <= L(2^62) <= upper rigorously "
	 "(monotone says only that the probed widths never decrease: a schedule dipping between "
	 "probes passes it, and its L(2^62) may lie far below lower). The rest is an estimate, clearly marked: limit, positive (the "
	 "limit is > 0, i.e. sum 2^-n_l < inf) and rest come from Cauchy condensation, fitting "
	 "2^j (-log(1 - 2^-f(2^j))) ~ j^-decay; positive is decay > 1. The printout shows the "
	 "limit with only the digits the bracket knows, and the bracket rounded outwards "
	 "(theory.md §5.4).",
	 "bound.schedule(function(l) return math.ceil(2 * math.log(l + 1, 2)) end)",
	 .fn = bound_schedule_l, .options = schedule_options},
	{0}
};

static const rlua_type bound_types[] = {
	RLUA_REPORT_TYPE(RLUA_BOUND_LAYERS, layers_tostring),
	RLUA_REPORT_TYPE(RLUA_BOUND_SCHEDULE, schedule_tostring),
	{0}
};
const rlua_binding rlua_bound_binding = {.types = bound_types, .api = bound_api};   /* module.bound */

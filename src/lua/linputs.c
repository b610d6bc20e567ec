/* linputs.c: the inputs.* constructors of input sets (Matrix values). */
#include <math.h>
#include "rlua.h"
#include "relush/inputs.h"

#define MAX_COUNT ((lua_Integer)1 << 40)

/* The Matrix box on top of the stack when the engine made m, else its error. */
static int made_or_fail(lua_State *L, const rl_mat *m, const rl_err *e)
{
	return m ? 1 : rlua_engine_error(L, e);
}

/* Seed from an options table at t (0: none) or a fresh one. */
static uint64_t seed_option(lua_State *L, int t)
{
	if (t && lua_getfield(L, t, "seed") != LUA_TNIL) {
		lua_pop(L, 1);
		return (uint64_t)rlua_opt_int_field(L, t, "seed", 0, 0, LUA_MAXINTEGER);
	}
	if (t)
		lua_pop(L, 1);
	return rlua_fresh_seed(L);
}

/* The options of the functions that take a table (the API table below). */
static const rlua_option gaussian_options[] = {RLUA_OPTION("sd"), RLUA_OPTION("seed"), {0}};
static const rlua_option uniform_options[] = {RLUA_OPTION("seed"), RLUA_OPTION("lo"), RLUA_OPTION("hi"), {0}};
static const rlua_option sphere_options[] = {RLUA_OPTION("seed"), {0}};

static int opts_table(lua_State *L, int arg, const rlua_option *known)
{
	if (lua_isnoneornil(L, arg))
		return 0;
	rlua_check_options_table(L, arg);
	rlua_check_options(L, arg, known);
	return arg;
}

static int inputs_gaussian_l(lua_State *L)
{
	lua_Integer m = rlua_check_int(L, 1, "number of points m", 1, MAX_COUNT);
	lua_Integer d = rlua_check_int(L, 2, "dimension d", 1, NET_MAX_WIDTH);
	int t = opts_table(L, 3, gaussian_options);
	double sd = t ? rlua_opt_number_field(L, t, "sd", 1.0) : 1.0;
	if (!(sd > 0))
		return rlua_option_error(L, "sd", "must be > 0, got %g", sd);
	rl_err e;
	rlua_box *box = rlua_new_matrix(L);   /* box first, then acquire */
	return made_or_fail(L, box->p = inputs_gaussian((size_t)m, (size_t)d, sd, seed_option(L, t), &e), &e);
}

static int inputs_uniform_l(lua_State *L)
{
	lua_Integer m = rlua_check_int(L, 1, "number of points m", 1, MAX_COUNT);
	lua_Integer d = rlua_check_int(L, 2, "dimension d", 1, NET_MAX_WIDTH);
	double lo = 0.0, hi = 1.0;
	int t = 0;
	if (lua_type(L, 3) == LUA_TTABLE) {
		t = opts_table(L, 3, uniform_options);
		lo = rlua_opt_number_field(L, t, "lo", 0.0);
		hi = rlua_opt_number_field(L, t, "hi", 1.0);
	} else {
		if (!lua_isnoneornil(L, 3))
			lo = rlua_check_finite(L, 3, "lo");
		if (!lua_isnoneornil(L, 4))
			hi = rlua_check_finite(L, 4, "hi");
		t = opts_table(L, 5, uniform_options);
	}
	rl_err e;
	if (!(hi > lo)) {   /* named as the API writes it, also through pcall */
		rl_fail(&e, "lo must be below hi, got lo = %.17g, hi = %.17g", lo, hi);
		return rlua_engine_error(L, &e);
	}
	rlua_box *box = rlua_new_matrix(L);   /* box first, then acquire */
	return made_or_fail(L, box->p = inputs_uniform((size_t)m, (size_t)d, lo, hi, seed_option(L, t), &e), &e);
}

static int inputs_point_l(lua_State *L)
{
	lua_Integer d = rlua_check_int(L, 1, "dimension d", 1, NET_MAX_WIDTH);
	rl_err e;
	rlua_box *box = rlua_new_matrix(L);   /* box first, then acquire */
	return made_or_fail(L, box->p = inputs_point((size_t)d, &e), &e);
}

static int inputs_sphere_l(lua_State *L)
{
	lua_Integer m = rlua_check_int(L, 1, "number of points m", 1, MAX_COUNT);
	lua_Integer d = rlua_check_int(L, 2, "dimension d", 1, NET_MAX_WIDTH);
	int t = opts_table(L, 3, sphere_options);
	rl_err e;
	rlua_box *box = rlua_new_matrix(L);   /* box first, then acquire */
	return made_or_fail(L, box->p = inputs_sphere((size_t)m, (size_t)d, seed_option(L, t), &e), &e);
}

static int inputs_orthant_l(lua_State *L)
{
	lua_Integer d = rlua_check_int(L, 1, "dimension d", 1, NET_MAX_WIDTH);
	double R = lua_isnoneornil(L, 2) ? 1.0 : rlua_check_finite(L, 2, "radius R");
	if (!(R > 0))
		rlua_arg_error(L, 2, lua_pushfstring(L, "radius R must be > 0, got %f", R));
	rl_err e;
	rlua_box *box = rlua_new_matrix(L);   /* box first, then acquire */
	return made_or_fail(L, box->p = inputs_orthant((size_t)d, R, &e), &e);
}

static int inputs_shrink_l(lua_State *L)
{
	rl_mat *X = rlua_check_matrix(L, 1);
	double eps = rlua_check_finite(L, 2, "eps");
	if (eps < 0)
		rlua_arg_error(L, 2, lua_pushfstring(L, "eps must be >= 0, got %f", eps));
	rl_err e;
	rlua_box *box = rlua_new_matrix(L);   /* box first, then acquire */
	return made_or_fail(L, box->p = inputs_shrink(X, eps, &e), &e);
}

static int inputs_load_l(lua_State *L)
{
	const char *path = rlua_check_path_like(L, 1, "points.csv");
	int kind = rlua_numpy_kind(path, 1);
	if (kind)
		return rlua_load_numpy_inputs(L, kind);
	if (!lua_isnoneornil(L, 2))
		return rlua_arg_error(L, 2, "a member name is for .npz archives only");
	rl_err e;
	rlua_box *box = rlua_new_matrix(L);   /* box first, then acquire */
	return made_or_fail(L, box->p = inputs_load(path, &e), &e);
}

static int inputs_from_l(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Integer m = rlua_len(L, 1, "the list of points");
	if (m < 1)
		rlua_arg_error(L, 1, "expected a non-empty list of points (each a list of numbers)");
	lua_geti(L, 1, 1);
	if (lua_type(L, -1) != LUA_TTABLE)
		rlua_arg_error(L, 1, "expected a list of points, each a list of numbers; point 1 is not a list");
	lua_Integer d = rlua_len(L, -1, "a point");
	lua_pop(L, 1);
	if (d < 1)
		rlua_arg_error(L, 1, "point 1 is empty: every point needs at least one coordinate");
	rl_err e;
	rlua_box *box = rlua_new_matrix(L);   /* box first: errors below cannot leak X */
	rl_mat *X = box->p = mat_new((size_t)m, (size_t)d, &e);
	if (!X)
		return rlua_engine_error(L, &e);
	for (lua_Integer i = 1; i <= m; i++) {
		if (lua_geti(L, 1, i) != LUA_TTABLE)
			rlua_arg_error(L, 1, lua_pushfstring(L, "point %I is a %s, not a list of numbers", i, luaL_typename(L, -1)));
		lua_Integer di = rlua_len(L, -1, "a point");
		if (di != d)
			rlua_arg_error(L, 1, lua_pushfstring(L, "point %I has %I coordinates but point 1 has %I",
			                                    i, di, d));
		for (lua_Integer j = 1; j <= d; j++) {
			lua_geti(L, -1, j);
			if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(lua_tonumber(L, -1)))
				rlua_arg_error(L, 1, lua_pushfstring(L, "point %I, coordinate %I must be a finite number", i, j));
			mat_row(X, (size_t)i - 1)[j - 1] = lua_tonumber(L, -1);
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	return 1;
}

static const rlua_api inputs_api[] = {
	{"inputs.gaussian", "inputs", "inputs.gaussian(m, d [, {sd=1, seed=}])",
	 "m points with independent N(0, sd^2) coordinates in dimension d. Without a "
	 "seed each call draws a new set; with one the set is reproducible. An sd so large that a "
	 "coordinate overflows is refused.",
	 "X = inputs.gaussian(64, 2, {seed=1})", .fn = inputs_gaussian_l, .options = gaussian_options},
	{"inputs.uniform", "inputs", "inputs.uniform(m, d [, lo, hi [, {seed=}]])",
	 "m points uniform in the box [lo, hi]^d (default [0, 1]^d, which lies in the "
	 "non-negative orthant, so the upper bound includes the first layer's factor). lo and hi "
	 "are finite; the points stay finite and inside the box even when hi - lo overflows.",
	 "X = inputs.uniform(64, 2)", .fn = inputs_uniform_l, .options = uniform_options},
	{"inputs.point", "inputs", "inputs.point(d)",
	 "The single point (1, ..., 1) in dimension d. On one point the probability of a "
	 "living network equals the lower bound exactly (theory.md §3.2).",
	 "relu(10, 2):death(inputs.point(2))", .fn = inputs_point_l},
	{"inputs.sphere", "inputs", "inputs.sphere(m, d [, {seed=}])",
	 "m points uniform on the unit sphere in dimension d.",
	 "X = inputs.sphere(100, 3)", .fn = inputs_sphere_l, .options = sphere_options},
	{"inputs.orthant", "inputs", "inputs.orthant(d [, R])",
	 "The d + 1 points 0 and R e_1, ..., R e_d (R = 1 by default). With zero biases a single "
	 "layer is dead on them exactly when it is dead on the whole non-negative orthant, for any R; "
	 "with random biases only approximately, for large R (a neuron with bias b < 0 and weights in "
	 "(0, -b/R] is dead on the corners, not on the orthant), hence R = 1e6 below.",
	 "X = inputs.orthant(3, 1e6)", .fn = inputs_orthant_l},
	{"inputs.shrink", "inputs", "inputs.shrink(X, eps)",
	 "A copy of X pulled towards its first point x0: each x becomes x0 + eps (x - x0). "
	 "As eps goes to 0 the set shrinks to one point and P(alive) falls to the lower bound. "
	 "An eps that makes a coordinate overflow is refused, naming it.",
	 "Y = inputs.shrink(inputs.gaussian(32, 3), 0.1)", .fn = inputs_shrink_l},
	{"inputs.load", "inputs", "inputs.load(path [, member])",
	 "Reads points from a text file: one point per line, values separated by commas, "
	 "semicolons or blanks; '#' starts a comment. Bad data gives its line and column. "
	 "A .npy file (NumPy's np.save: float16, float32, float64 or integer dtypes, C or Fortran order, "
	 "either byte order; integers beyond 2^53 that a double would round are refused) gives one point per row of a 2-D array, or one point for a 1-D "
	 "array; an .npz archive (np.savez, np.savez_compressed) the array named member. A NumPy "
	 "file saved without its suffix is known by its first bytes; pipes and folders are refused.",
	 "X = inputs.load('points.csv')", .fn = inputs_load_l},
	{"inputs.from", "inputs", "inputs.from(rows)",
	 "An input set from a Lua list of points, each a list of numbers of the same length.",
	 "X = inputs.from{{1, 0}, {0, 1}, {-1, -1}}", .fn = inputs_from_l},
	{0}
};

const rlua_binding rlua_inputs_binding = {.api = inputs_api};   /* module.inputs */

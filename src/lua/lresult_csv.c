/* lresult_csv.c: r:csv(path), a Monte Carlo result's per-layer table as
 * CSV (one row per layer, named columns), and results:csv(path) for a list
 * of results (a sweep: one row per result, its options as columns), for
 * pandas and R. The tables are written by the engine's CSV writer
 * (relush/csv.h), as every CSV is. */
#include <math.h>
#include <stdio.h>
#include "rlua.h"
#include "relush/csv.h"
#include "relush/law.h"
#include "relush/mc.h"

/* The per-layer fields in the order of the columns; a field no layer has
 * (alignment without flip, counts with stats = "alive") is left out. */
static const char *const layer_fields[] = {
	"width", "survival", "bound", "net_survival", "dead_rate", "trials_reaching",
	"trials_living", "died", "trials_active_unit", "reaching", "living", "dead_neurons",
	"alignment", "alignment_se", "alignment_trials", "alignment_predicted", NULL
};
#define NFIELDS (sizeof layer_fields / sizeof layer_fields[0] - 1)

static int csv_gc(lua_State *L)
{
	rl_csv **box = lua_touserdata(L, 1);
	if (!box)
		return 0;
	csv_free(*box);
	*box = NULL;
	return 0;
}

int rlua_result_csv(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	const char *path = luaL_checkstring(L, 2);
	lua_settop(L, 2);
	if (lua_getfield(L, 1, "layers") != LUA_TTABLE)
		return luaL_argerror(L, 1, "expected a Monte Carlo result (from mc{...}) with its layers table");
	int layers = lua_gettop(L);
	lua_Integer depth = luaL_len(L, layers);
	const char *columns[NFIELDS + 1];
	size_t field_of[NFIELDS], ncols = 0;
	columns[ncols++] = "layer";
	for (size_t f = 0; f < NFIELDS; f++) {
		int present = 0;
		for (lua_Integer l = 1; l <= depth && !present; l++) {
			if (lua_geti(L, layers, l) == LUA_TTABLE)
				present = lua_getfield(L, -1, layer_fields[f]) == LUA_TNUMBER, lua_pop(L, 1);
			lua_pop(L, 1);
		}
		if (present) {
			field_of[ncols - 1] = f;
			columns[ncols++] = layer_fields[f];
		}
	}
	rl_csv **box = lua_newuserdatauv(L, sizeof *box, 0);
	*box = NULL;
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, csv_gc);
	lua_setfield(L, -2, "__gc");
	lua_setmetatable(L, -2);
	rl_err e;
	if (!(*box = csv_new(ncols, columns, &e)))
		return rlua_engine_error(L, &e);
	for (lua_Integer l = 1; l <= depth; l++) {
		double row[NFIELDS + 1];
		row[0] = (double)l;
		if (lua_geti(L, layers, l) != LUA_TTABLE)
			return luaL_argerror(L, 1, lua_pushfstring(L, "layers[%I] is not a table", l));
		for (size_t c = 1; c < ncols; c++) {
			lua_getfield(L, -1, layer_fields[field_of[c - 1]]);
			row[c] = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : NAN;
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		if (csv_row(*box, row, NULL, &e))
			return rlua_engine_error(L, &e);
	}
	if (csv_write(*box, path, &e))
		return rlua_engine_error(L, &e);
	lua_settop(L, 1);
	return 1;
}

/* ---- a list of results ---------------------------------------------------- */

/* The columns of a sweep's table: the options, then what was measured. */
enum {
	C_RESULT, C_ARCH, C_DEPTH, C_INPUT, C_WIDTH, C_WIDTHS, C_WEIGHTS, C_WEIGHTS_SCALE, C_WEIGHTS_PARAM,
	C_BIAS, C_BIAS_SCALE, C_BIAS_PARAM, C_POINTS, C_SEED, C_TRIALS, C_METHOD, C_STATS, C_FLIP,
	C_ALIVE_TRIALS, C_P_ALIVE, C_CI_LOW, C_CI_HIGH, C_FRACTION, C_FRACTION_SE, C_MIN_FRACTION,
	C_LOWER, C_UPPER, C_INTERRUPTED, C_PIECES, NCOLS
};
static const char *const sweep_columns[NCOLS] = {
	"result", "arch", "depth", "input", "width", "widths", "weights", "weights_scale", "weights_param",
	"bias", "bias_scale", "bias_param", "points", "seed", "trials", "method", "stats", "flip",
	"alive_trials", "p_alive", "ci_low", "ci_high", "fraction", "fraction_se", "min_fraction",
	"lower", "upper", "interrupted", "pieces"
};

static double number_field(lua_State *L, int t, const char *k)
{
	double v = lua_getfield(L, t, k) == LUA_TNUMBER ? lua_tonumber(L, -1) : NAN;
	lua_pop(L, 1);
	return v;
}

/* A string field, left on the stack to keep it alive until the row is
 * written; "" when absent. */
static const char *text_field(lua_State *L, int t, const char *k)
{
	if (lua_getfield(L, t, k) == LUA_TSTRING)
		return lua_tostring(L, -1);
	return "";
}

static const char *scale_text(rl_scale_rule r)
{
	return r == SCALE_HE ? "he" : r == SCALE_GLOROT ? "glorot" : "fixed";
}

/* The widths as "4 4 2" (pushed), and the common width or NaN. */
static double push_widths(lua_State *L, int r)
{
	double common = NAN;
	luaL_Buffer b;
	if (lua_getfield(L, r, "widths") != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_pushliteral(L, "");
		return NAN;
	}
	int w = lua_gettop(L);
	lua_Integer n = luaL_len(L, w);
	luaL_buffinit(L, &b);
	for (lua_Integer l = 1; l <= n; l++) {
		char num[32];
		lua_geti(L, w, l);
		double v = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : NAN;
		lua_pop(L, 1);
		snprintf(num, sizeof num, l > 1 ? " %.17g" : "%.17g", v);
		luaL_addstring(&b, num);
		common = l == 1 ? v : common == v ? common : NAN;
	}
	luaL_pushresult(&b);
	lua_remove(L, w);
	return common;
}

int rlua_results_csv(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	const char *path = luaL_checkstring(L, 2);
	lua_settop(L, 2);
	lua_Integer n = luaL_len(L, 1);
	rl_csv **box = lua_newuserdatauv(L, sizeof *box, 0);
	*box = NULL;
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, csv_gc);
	lua_setfield(L, -2, "__gc");
	lua_setmetatable(L, -2);
	rl_err e;
	if (!(*box = csv_new(NCOLS, sweep_columns, &e)))
		return rlua_engine_error(L, &e);
	int base = lua_gettop(L);
	for (lua_Integer i = 1; i <= n; i++) {
		if (lua_geti(L, 1, i) != LUA_TTABLE)
			return luaL_argerror(L, 1, lua_pushfstring(L, "entry %I is a %s, not a Monte Carlo result", i,
			                                           luaL_typename(L, -1)));
		int r = lua_gettop(L);
		double v[NCOLS];
		const char *text[NCOLS] = {NULL};
		for (int c = 0; c < NCOLS; c++)
			v[c] = NAN;
		v[C_RESULT] = (double)i;
		text[C_ARCH] = text_field(L, r, "arch");
		v[C_DEPTH] = number_field(L, r, "depth");
		v[C_INPUT] = number_field(L, r, "input");
		v[C_WIDTH] = push_widths(L, r);
		text[C_WIDTHS] = lua_tostring(L, -1);
		v[C_POINTS] = number_field(L, r, "points");
		char seed[32] = "";                 /* as an integer: a seed above 2^53 is not a double */
		if (lua_getfield(L, r, "seed") == LUA_TNUMBER && lua_isinteger(L, -1))
			snprintf(seed, sizeof seed, "%lld", (long long)lua_tointeger(L, -1));
		lua_pop(L, 1);
		text[C_SEED] = seed;
		v[C_TRIALS] = number_field(L, r, "trials");
		text[C_METHOD] = text_field(L, r, "method");
		text[C_STATS] = text_field(L, r, "stats");
		v[C_ALIVE_TRIALS] = number_field(L, r, "alive_trials");
		v[C_P_ALIVE] = number_field(L, r, "p_alive");
		if (lua_getfield(L, r, "ci") == LUA_TTABLE) {
			lua_geti(L, -1, 1);
			lua_geti(L, -2, 2);
			v[C_CI_LOW] = lua_type(L, -2) == LUA_TNUMBER ? lua_tonumber(L, -2) : NAN;
			v[C_CI_HIGH] = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : NAN;
			lua_pop(L, 2);
		}
		lua_pop(L, 1);
		v[C_FRACTION] = number_field(L, r, "fraction");
		v[C_FRACTION_SE] = number_field(L, r, "fraction_se");
		v[C_MIN_FRACTION] = number_field(L, r, "min_fraction");
		v[C_LOWER] = number_field(L, r, "lower");
		v[C_UPPER] = number_field(L, r, "upper");
		if (lua_getfield(L, r, "interrupted") == LUA_TBOOLEAN)
			text[C_INTERRUPTED] = lua_toboolean(L, -1) ? "true" : "false";
		lua_pop(L, 1);
		v[C_PIECES] = number_field(L, r, "pieces");
		/* the laws and flip are not fields of the result: its record has them */
		const mc_record *rec = rlua_result_record(L, r);
		text[C_WEIGHTS] = text[C_BIAS] = text[C_WEIGHTS_SCALE] = text[C_BIAS_SCALE] = text[C_FLIP] = "";
		if (rec) {
			const rl_law *w = &rec->spec.weights, *b = &rec->spec.bias;
			text[C_WEIGHTS] = law_name(w->kind);
			text[C_WEIGHTS_SCALE] = scale_text(w->rule);
			v[C_WEIGHTS_PARAM] = w->rule == SCALE_FIXED ? w->param : NAN;
			text[C_BIAS] = law_name(b->kind);
			text[C_BIAS_SCALE] = b->kind == LAW_ZERO ? "" : scale_text(b->rule);
			v[C_BIAS_PARAM] = b->kind != LAW_ZERO && b->rule == SCALE_FIXED ? b->param : NAN;
			text[C_FLIP] = rec->flip ? "true" : "false";
		}
		if (csv_row(*box, v, text, &e))
			return rlua_engine_error(L, &e);
		lua_settop(L, base);
	}
	if (csv_write(*box, path, &e))
		return rlua_engine_error(L, &e);
	lua_settop(L, 1);
	return 1;
}

static const rlua_help result_csv_help[] = {
	{"r:csv", "mc", "r:csv(path)",
	 "Writes the result's per-layer table as CSV: a header of named columns (layer, width, "
	 "survival, bound, net_survival, dead_rate, the trial and point counts, and the alignment "
	 "columns when measured), then one row per layer, numbers in full precision, a missing "
	 "value as an empty cell; pandas.read_csv and R's read.csv read it directly. Returns r.",
	 "r = mc{depth = 10, width = 8, trials = 1000}; r:csv('layers.csv')"},
	{"results:csv", "mc", "results:csv(path)",
	 "Writes a list of results (mc.load, mc.merge with sweep = true) as CSV, one row per result: "
	 "its options (arch, depth, input, width (empty when the widths differ), widths (\"4 4 2\"), "
	 "weights, weights_scale, weights_param, bias, bias_scale, bias_param, points, seed, trials, "
	 "method, stats, flip) then what was measured (alive_trials, p_alive, ci_low, ci_high, fraction, "
	 "fraction_se, min_fraction, lower, upper, interrupted, pieces). A parameter a scale rule "
	 "sets (he, glorot) is an empty cell. Returns the list.",
	 "s = mc.load('sweep.jsonl'); s:csv('sweep.csv')"},
	{NULL, NULL, NULL, NULL, NULL}
};

void rlua_open_result_csv(lua_State *L, int module)
{
	rlua_help_register(L, module, result_csv_help);
}

/* lresult_csv.c: r:csv(path), a Monte Carlo result's per-layer table as
 * CSV (one row per layer, named columns) for pandas and R, and list:csv(path)
 * for a list of results (mc.load, a merged sweep): one row per result. The
 * tables are written by the engine's CSV writer (relush/csv.h), as every
 * CSV is. */
#include <math.h>
#include <string.h>
#include "lmc_impl.h"
#include "relush/csv.h"

/* The per-layer fields in the order of the columns; a field no layer has
 * (alignment without flip, counts with stats = "alive") is left out. */
static const char *const layer_fields[] = {
	"width", "survival", "bound", "net_survival", "dead_rate", "trials_reaching",
	"trials_living", "died", "trials_active_unit", "reaching", "living", "dead_neurons",
	"alignment", "alignment_se", "alignment_trials", "alignment_predicted", NULL
};
#define NFIELDS (sizeof layer_fields / sizeof layer_fields[0] - 1)

/* Reads raw: r.layers and its entries are the user's to change, and a
 * lying __len or an __index that makes up layers must not run on and on. */
static int result_csv_l(lua_State *L)
{
	if (!lmc_to_run(L, 1))
		rlua_arg_error(L, 1, lua_pushfstring(L, "expected a Monte Carlo result (from mc{...}, "
		               "mc.merge or mc.load), got %s", rlua_got(L, 1)));
	const char *path = rlua_check_path_like(L, 2, "results.csv");
	lua_settop(L, 2);
	lua_pushliteral(L, "layers");
	if (lua_rawget(L, 1) != LUA_TTABLE)
		return rlua_arg_error(L, 1, lua_pushfstring(L, "r.layers must be the result's per-layer "
		                      "table, got %s", rlua_got(L, -1)));
	int layers = lua_gettop(L);
	lua_Integer depth = (lua_Integer)lua_rawlen(L, layers);
	size_t field_of[NFIELDS], nfields = 0;
	for (size_t f = 0; f < NFIELDS; f++) {
		int present = 0;
		for (lua_Integer l = 1; l <= depth && !present; l++) {
			if (lua_rawgeti(L, layers, l) == LUA_TTABLE) {
				lua_pushstring(L, layer_fields[f]);
				present = lua_rawget(L, -2) == LUA_TNUMBER;
				lua_pop(L, 1);
			}
			lua_pop(L, 1);
		}
		if (present)
			field_of[nfields++] = f;
	}
	/* boxed: a Lua error part way (a layers entry that is not a table) cannot leak it */
	rl_csv *box = rlua_push_csv(L);
	csv_text(box, "layer", "");
	for (size_t c = 0; c < nfields; c++)
		csv_text(box, layer_fields[field_of[c]], "");
	csv_end_row(box);
	for (lua_Integer l = 1; l <= depth; l++) {
		if (lua_rawgeti(L, layers, l) != LUA_TTABLE)
			return rlua_arg_error(L, 1, lua_pushfstring(L, "r.layers[%I] must be a layer's table, "
			                      "got %s", l, rlua_got(L, -1)));
		lua_pushinteger(L, l);
		rlua_csv_cell(L, box, -1);
		lua_pop(L, 1);
		for (size_t c = 0; c < nfields; c++) {
			lua_pushstring(L, layer_fields[field_of[c]]);
			if (lua_rawget(L, -2) != LUA_TNUMBER) {
				lua_pop(L, 1);
				lua_pushnil(L);
			}
			rlua_csv_cell(L, box, -1);   /* counts as integers, every digit */
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		csv_end_row(box);
	}
	rl_err e;
	return rlua_return_receiver(L, csv_write(box, path, &e), &e);
}

/* The columns of a list's rows: the experiment, then what it counted, as a
 * sweep's s:csv names them (ci_lo and ci_hi from ci; shard as "i/N", empty
 * for a whole run; widths as "{4,4,4}"). */
static const char *const result_fields[] = {
	"arch", "depth", "widths", "input", "points", "precision", "seed", "method", "stats", "flip", "checksum",
	"p_alive", "ci_lo", "ci_hi", "lower", "upper", "fraction", "fraction_se", "min_fraction", "trials",
	"alive_trials", "first_trial", "last_trial", "shard", "interrupted", "pieces", "seconds", NULL
};

/* U bounds a run only for a plain net as drawn (not flipped): elsewhere its
 * cell is empty, as in s:csv and the sweep's table. */
static int upper_bounds(lua_State *L, int r)
{
	int plain = lua_getfield(L, r, "arch") == LUA_TSTRING && strcmp(lua_tostring(L, -1), "plain") == 0;
	int flipped = lua_getfield(L, r, "flip") == LUA_TBOOLEAN && lua_toboolean(L, -1);
	lua_pop(L, 2);
	return plain && !flipped;
}

/* Pushes the cell of field f of the result at r: a number, a string or nil. */
static void push_result_cell(lua_State *L, int r, const char *f)
{
	if (strcmp(f, "upper") == 0 && !upper_bounds(L, r)) {
		lua_pushnil(L);
		return;
	}
	int ci_at = strcmp(f, "ci_lo") == 0 ? 1 : strcmp(f, "ci_hi") == 0 ? 2 : 0;
	int type = lua_getfield(L, r, ci_at ? "ci" : f);
	if (ci_at) {
		if (type == LUA_TTABLE)
			lua_geti(L, -1, ci_at);
		else
			lua_pushnil(L);
		lua_remove(L, -2);
	} else if (type == LUA_TTABLE) {
		/* widths {4, 4} or shard {i, N}: every entry, as text */
		int list = lua_gettop(L), shard = strcmp(f, "shard") == 0;
		luaL_Buffer b;
		luaL_buffinit(L, &b);
		if (!shard)
			luaL_addchar(&b, '{');
		for (lua_Integer k = 1; lua_geti(L, list, k) == LUA_TNUMBER; k++) {
			if (k > 1)
				luaL_addchar(&b, shard ? '/' : ',');
			luaL_addvalue(&b);
		}
		lua_pop(L, 1);
		if (!shard)
			luaL_addchar(&b, '}');
		luaL_pushresult(&b);
		lua_remove(L, list);
	} else if (type == LUA_TNIL && strcmp(f, "shard") == 0) {
		lua_pushliteral(L, "");
		lua_remove(L, -2);
	}
}

int lmc_results_csv_l(lua_State *L)
{
	if (!lmc_is_results_list(L, 1))
		rlua_arg_error(L, 1, lua_pushfstring(L, "expected a list of Monte Carlo results (from mc.load or "
		               "mc.merge with sweep = true), got %s", rlua_got(L, 1)));
	const char *path = rlua_check_path_like(L, 2, "results.csv");
	lua_settop(L, 2);
	lua_Integer n = rlua_len(L, 1, "the list of results");
	rl_csv *box = rlua_push_csv(L);
	for (size_t c = 0; result_fields[c]; c++)
		csv_text(box, result_fields[c], "");
	csv_end_row(box);
	for (lua_Integer i = 1; i <= n; i++) {
		if (lua_geti(L, 1, i) != LUA_TTABLE || !lmc_to_run(L, -1))
			return rlua_arg_error(L, 1, lua_pushfstring(L, "item %I of the list is not a Monte Carlo result", i));
		int r = lua_gettop(L);
		for (size_t c = 0; result_fields[c]; c++) {
			push_result_cell(L, r, result_fields[c]);
			rlua_csv_cell(L, box, -1);   /* counts and seeds as integers, every digit */
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		csv_end_row(box);
	}
	rl_err e;
	return rlua_return_receiver(L, csv_write(box, path, &e), &e);
}

static const rlua_api result_csv_api[] = {
	{"r:csv", "mc", "r:csv(path)",
	 "Writes the result's per-layer table as CSV: a header of named columns (layer, width, "
	 "survival, bound, net_survival, dead_rate, the trial and point counts, and the alignment "
	 "columns when measured), then one row per layer, numbers in full precision, a missing "
	 "value as an empty cell; pandas.read_csv and R's read.csv read it directly. Returns r. "
	 "A list of results (mc.load, mc.merge with sweep = true, e.g. a sharded sweep put back "
	 "together) has list:csv(path): one row per result with the columns arch, depth, widths, "
	 "input, points, precision, seed, method, stats, flip, checksum, p_alive, ci_lo, ci_hi, "
	 "lower, upper (empty where it does not bound the run: other architectures, flip), fraction, fraction_se, min_fraction, trials, alive_trials, first_trial, "
	 "last_trial, shard, interrupted, pieces, seconds.",
	 "r = mc{depth = 10, width = 8, trials = 1000}; r:csv('layers.csv')",
	 .fn = result_csv_l, .type = RLUA_MC_RESULT},
	{0}
};

const rlua_binding rlua_result_csv_binding = {.api = result_csv_api};

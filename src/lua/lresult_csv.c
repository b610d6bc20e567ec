/* lresult_csv.c: r:csv(path), a Monte Carlo result's per-layer table as
 * CSV (one row per layer, named columns) for pandas and R. The table is
 * written by the engine's CSV writer (relush/csv.h), as every CSV is. */
#include <math.h>
#include <string.h>
#include "rlua.h"
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

static const rlua_api result_csv_api[] = {
	{"r:csv", "mc", "r:csv(path)",
	 "Writes the result's per-layer table as CSV: a header of named columns (layer, width, "
	 "survival, bound, net_survival, dead_rate, the trial and point counts, and the alignment "
	 "columns when measured), then one row per layer, numbers in full precision, a missing "
	 "value as an empty cell; pandas.read_csv and R's read.csv read it directly. Returns r.",
	 "r = mc{depth = 10, width = 8, trials = 1000}; r:csv('layers.csv')",
	 .fn = result_csv_l, .type = RLUA_MC_RESULT},
	{0}
};

const rlua_binding rlua_result_csv_binding = {.api = result_csv_api};

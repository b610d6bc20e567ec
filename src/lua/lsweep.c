/* lsweep.c: mc.sweep{...}, a grid of Monte Carlo runs in one call, the
 * SweepResults list it returns (printed as a table, :plot(), :csv(path)),
 * and r:plot() for one McResult (per-layer survival against 1 - 2^-n).
 * The orchestration is Lua (below, as a chunk): it only calls mc and
 * plot.lines, which are already C. The C part here is what Lua lacks: the
 * engine's CSV writer, the report table formatter, and the hooks that hand
 * a sweep with view = true to the view's C observer (sweep_observer.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rlua.h"
#include "relush/csv.h"
#include "sweep_observer.h"

#define RLUA_SWEEP "relush.SweepResults"   /* Sweep.__name in sweep_chunk */

/* write_csv(path, headers, rows): one CSV row per row of the list, cells
 * numbers (exact), strings, booleans or nil (empty), through csv.h. */
static int write_csv_l(lua_State *L)
{
	const char *path = rlua_check_path(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	luaL_checktype(L, 3, LUA_TTABLE);
	lua_Integer ncols = luaL_len(L, 2), nrows = luaL_len(L, 3);
	rl_csv *c = rlua_push_csv(L);   /* boxed: a Lua error below cannot leak it */
	for (lua_Integer j = 1; j <= ncols; j++) {
		lua_geti(L, 2, j);
		csv_text(c, luaL_tolstring(L, -1, NULL), "");
		lua_pop(L, 2);
	}
	csv_end_row(c);
	for (lua_Integer i = 1; i <= nrows; i++) {
		lua_geti(L, 3, i);
		for (lua_Integer j = 1; j <= ncols; j++) {
			int type = lua_geti(L, -1, j);
			if (type == LUA_TNUMBER) {
				csv_number(c, lua_tonumber(L, -1));
			} else if (type == LUA_TNIL) {
				csv_number(c, NAN);
			} else {
				csv_text(c, luaL_tolstring(L, -1, NULL), "");
				lua_pop(L, 1);
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		csv_end_row(c);
	}
	rl_err e;
	if (csv_write(c, path, &e))
		return luaL_error(L, "csv: %s", e.msg);
	return 0;
}

/* format_table(headers, rows): the aligned table every report prints. */
static int format_table_l(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checktype(L, 2, LUA_TTABLE);
	int ncols = (int)luaL_len(L, 1);
	if (ncols < 1 || ncols > 32)
		return luaL_error(L, "format_table: 1 to 32 columns, got %d", ncols);
	luaL_checkstack(L, 2 * ncols + 8, "format_table");
	const char *headers[32];
	for (int j = 0; j < ncols; j++) {
		lua_geti(L, 1, j + 1);
		headers[j] = luaL_tolstring(L, -1, NULL);
		lua_replace(L, -2);   /* the string stays on the stack while it is used */
	}
	rlua_table *t = rlua_table_push(L, ncols, headers);
	lua_Integer nrows = luaL_len(L, 2);
	for (lua_Integer i = 1; i <= nrows; i++) {
		const char *cells[32];
		lua_geti(L, 2, i);
		int row = lua_gettop(L);
		for (int j = 0; j < ncols; j++) {
			if (lua_geti(L, row, j + 1) == LUA_TNIL) {
				lua_pop(L, 1);
				lua_pushliteral(L, "");
			} else {
				luaL_tolstring(L, -1, NULL);
				lua_replace(L, -2);
			}
			cells[j] = lua_tostring(L, -1);
		}
		rlua_table_row(t, cells);
		lua_settop(L, row - 1);
	}
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	rlua_table_emit(t, &b);
	luaL_pushresult(&b);
	return 1;
}

/* fmt(x): a number as reports print it; nil (a statistic the run did not
 * take, such as the mean F of stats = "alive") as "-". */
static int fmt_l(lua_State *L)
{
	if (lua_isnoneornil(L, 1)) {
		lua_pushliteral(L, "-");
		return 1;
	}
	char buf[48];
	rlua_fmt_number(buf, sizeof buf, luaL_checknumber(L, 1));
	lua_pushstring(L, buf);
	return 1;
}

static int fresh_seed_l(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)(rlua_fresh_seed(L) & 0x7fffffffffffffffull));
	return 1;
}


/* ---- the sweep's guard and the sweep view's hooks (sweep_observer.h) ------------ */

/* Every sweep holds one, closed when the sweep ends however it ends: with
 * view = true it follows the sweep through the view's observer, which it
 * puts at registry[MC_OBSERVER_KEY] in place of the single-run view (and
 * restores); when the sweep is stopped (Ctrl-C, an error) it says where
 * the finished points wait. Its uservalue is the results list. */
typedef struct sweep_guard {
	rlua_sweep_observer *observer;   /* NULL: no view */
	int saved_ref;
	int open;                        /* the view follows the sweep */
	int closed;
} sweep_guard;

static sweep_guard *check_guard(lua_State *L)
{
	return luaL_checkudata(L, 1, "relush.SweepGuard");
}

/* close_guard(guard, true) at the end; also the guard's __close (argument 2
 * the error, nil when the block ended well) and __gc. Idempotent. */
static int guard_close_l(lua_State *L)
{
	sweep_guard *g = check_guard(L);
	if (g->closed)
		return 0;
	g->closed = 1;
	int finished = lua_type(L, 2) == LUA_TBOOLEAN && lua_toboolean(L, 2);
	int failed = lua_gettop(L) >= 2 && !lua_isnil(L, 2) && lua_type(L, 2) != LUA_TBOOLEAN;
	if (g->open) {
		g->open = 0;
		lua_rawgeti(L, LUA_REGISTRYINDEX, g->saved_ref);
		lua_setfield(L, LUA_REGISTRYINDEX, MC_OBSERVER_KEY);
		luaL_unref(L, LUA_REGISTRYINDEX, g->saved_ref);
		/* the terminal is restored before anything is printed */
		g->observer->end(g->observer->ctx, finished);
	}
	if (failed && lua_getiuservalue(L, 1, 1) == LUA_TTABLE) {
		lua_Integer kept = (lua_Integer)lua_rawlen(L, -1);
		if (kept > 0) {
			fprintf(stderr, "mc.sweep: stopped; its %lld finished point%s %s in mc.partial_sweep\n",
			        (long long)kept, kept == 1 ? "" : "s", kept == 1 ? "is" : "are");
			fflush(stderr);
		}
	}
	return 0;
}

/* open_guard(results, view, x_name, x_count, points): the guard; with view
 * it follows the sweep when a sweep view is registered (not in a stock Lua
 * with require "relush") and can follow it. */
static int guard_open_l(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	int view = lua_toboolean(L, 2);
	const char *x_name = luaL_checkstring(L, 3);
	lua_Integer x_count = luaL_checkinteger(L, 4), points = luaL_checkinteger(L, 5);
	sweep_guard *g = lua_newuserdatauv(L, sizeof *g, 1);
	memset(g, 0, sizeof *g);
	g->saved_ref = LUA_NOREF;
	if (luaL_newmetatable(L, "relush.SweepGuard")) {
		lua_pushcfunction(L, guard_close_l);
		lua_setfield(L, -2, "__close");
		lua_pushcfunction(L, guard_close_l);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	lua_pushvalue(L, 1);
	lua_setiuservalue(L, -2, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, SWEEP_OBSERVER_KEY);
	rlua_sweep_observer *o = lua_touserdata(L, -1);
	lua_pop(L, 1);
	if (!view || !o || x_count < 1 || points < 1)
		return 1;
	lua_getfield(L, LUA_REGISTRYINDEX, MC_OBSERVER_KEY);
	g->saved_ref = luaL_ref(L, LUA_REGISTRYINDEX);   /* before anything is open */
	if (o->begin(o->ctx, x_name, (size_t)x_count, (size_t)points)) {
		luaL_unref(L, LUA_REGISTRYINDEX, g->saved_ref);
		return 1;
	}
	g->observer = o;
	g->open = 1;
	lua_pushlightuserdata(L, o->mc);
	lua_setfield(L, LUA_REGISTRYINDEX, MC_OBSERVER_KEY);
	return 1;
}

/* view_point(guard, x_index, curve, label): 1-based indices from Lua */
static int view_point_l(lua_State *L)
{
	sweep_guard *g = check_guard(L);
	lua_Integer x_index = luaL_checkinteger(L, 2), curve = luaL_checkinteger(L, 3);
	const char *label = luaL_checkstring(L, 4);
	if (g->open && !g->closed && x_index >= 1 && curve >= 1)
		g->observer->point(g->observer->ctx, (size_t)x_index - 1, (size_t)curve - 1, label);
	return 0;
}

static int view_left_l(lua_State *L)
{
	sweep_guard *g = check_guard(L);
	lua_pushboolean(L, g->open && !g->closed && g->observer->left(g->observer->ctx));
	return 1;
}

/* The options of s:plot and r:plot (Lua, below), checked by these two C
 * functions, whose errors name the methods. */
static const rlua_option sweep_plot_options[] = {
	RLUA_OPTION("logy"), RLUA_OPTION("logx"), RLUA_OPTION("svg"), RLUA_OPTION("csv"), {0}
};
static const rlua_option result_plot_options[] = {RLUA_OPTION("svg"), {0}};

/* The plot options' names and kinds (flags true or false, paths strings),
 * checked before plot.lines sees them, so that an error names the call the
 * user made and where. */
static void check_plot_options(lua_State *L, const rlua_option *opts, const char *fname)
{
	rlua_check_options_for(L, 1, opts, fname);
	for (const rlua_option *o = opts; o->name; o++) {
		int type = lua_getfield(L, 1, o->name);
		int path = strcmp(o->name, "svg") == 0 || strcmp(o->name, "csv") == 0;
		if (type != LUA_TNIL && path && type != LUA_TSTRING)
			rlua_option_error_to(L, fname, o->name, "expected a file path (a string such as "
			                     "'plot.%s'), got %s", o->name, rlua_got(L, -1));
		if (type != LUA_TNIL && !path && type != LUA_TBOOLEAN)
			rlua_option_error_to(L, fname, o->name, "must be true or false, got %s", rlua_got(L, -1));
		lua_pop(L, 1);
	}
}

static int check_sweep_plot_options(lua_State *L)
{
	check_plot_options(L, sweep_plot_options, "Sweep:plot");
	return 0;
}

static int check_result_plot_options(lua_State *L)
{
	check_plot_options(L, result_plot_options, "r:plot");
	return 0;
}

static const char sweep_chunk[] =
"-- arguments: the module, and C helpers: the CSV writer, the table\n"
"-- formatter, the number formatter, a fresh seed, the sweep guard and the view hooks\n"
"local module, write_csv, format_table, fmt, fresh_seed, open_guard, view_point, view_left, close_guard,\n"
"  check_sweep_plot_options, check_result_plot_options = ...\n"
"\n"
"-- options whose own value is a list: a sweep over them is a list of lists\n"
"local list_valued = {widths = true, shard = true}\n"
"-- the parameter put on the x axis, when several are swept: the first here\n"
"local axis_order = {\"depth\", \"width\", \"widths\", \"input\", \"trials\", \"bias\", \"weights\", \"arch\", \"X\", \"seed\"}\n"
"\n"
"local function plain_list(v)\n"
"  return type(v) == \"table\" and getmetatable(v) == nil and v[1] ~= nil\n"
"end\n"
"\n"
"local function sweep_values(name, v)\n"
"  if list_valued[name] then\n"
"    return plain_list(v) and type(v[1]) == \"table\" and v or nil\n"
"  end\n"
"  return plain_list(v) and v or nil\n"
"end\n"
"\n"
"-- An option value as a table cell and a CSV cell: numbers stay numbers.\n"
"local function value_text(v)\n"
"  if type(v) == \"table\" and getmetatable(v) == nil then\n"
"    if v[1] ~= nil then\n"
"      local parts = {}\n"
"      for i, x in ipairs(v) do parts[i] = tostring(x) end\n"
"      return \"{\" .. table.concat(parts, \",\") .. \"}\"\n"
"    end\n"
"    local parts = {}\n"
"    for k, x in pairs(v) do parts[#parts + 1] = tostring(k) .. \"=\" .. tostring(x) end\n"
"    table.sort(parts)\n"
"    return \"{\" .. table.concat(parts, \",\") .. \"}\"\n"
"  end\n"
"  if type(v) == \"userdata\" and v.rows then\n"
"    return (\"%dx%d points\"):format(v.rows, v.cols)\n"
"  end\n"
"  if math.type(v) == \"float\" and v == math.floor(v) and math.abs(v) < 2^53 then\n"
"    return tostring(math.tointeger(v))\n"
"  end\n"
"  return tostring(v)\n"
"end\n"
"\n"
"local Sweep = {}\n"
"Sweep.__index = Sweep\n"
"Sweep.__name = \"relush.SweepResults\"\n"
"\n"
"local function rank(name)\n"
"  for i, n in ipairs(axis_order) do if n == name then return i end end\n"
"  return #axis_order + 1\n"
"end\n"
"\n"
"local function sweep(opts)\n"
"  if type(opts) ~= \"table\" then\n"
"    error(\"bad argument #1 to 'mc.sweep' (expected an options table such as \" ..\n"
"          \"{depth = {1, 2, 4, 8}, width = 3}, got a \" .. type(opts) .. \")\", 2)\n"
"  end\n"
"  local names, fixed = {}, {}\n"
"  for k, v in pairs(opts) do\n"
"    if type(k) ~= \"string\" then\n"
"      error(\"bad argument #1 to 'mc.sweep' (options are named, e.g. depth = {1, 2, 4}; got a \" ..\n"
"            type(k) .. \" key)\", 2)\n"
"    end\n"
"    if sweep_values(k, v) then names[#names + 1] = k else fixed[k] = v end\n"
"  end\n"
"  -- an empty list sweeps nothing; an empty law table (weights, bias) is a law\n"
"  for k, v in pairs(opts) do\n"
"    if type(v) == \"table\" and getmetatable(v) == nil and next(v) == nil and k ~= \"weights\"\n"
"       and k ~= \"bias\" then\n"
"      error((\"mc.sweep: option '%s' is an empty list; give it at least one value\"):format(k), 2)\n"
"    end\n"
"  end\n"
"  if #names == 0 then\n"
"    error(\"mc.sweep: no option is a list; make at least one a list of values, \" ..\n"
"          \"e.g. mc.sweep{depth = {1, 2, 4, 8}, width = 3}\", 2)\n"
"  end\n"
"  table.sort(names, function(a, b)\n"
"    local ra, rb = rank(a), rank(b)\n"
"    if ra ~= rb then return ra < rb end\n"
"    return a < b\n"
"  end)\n"
"  -- one seed for every point, so the points differ only by what is swept\n"
"  if fixed.seed == nil and not opts.seed then fixed.seed = fresh_seed() end\n"
"  local results = setmetatable({swept = names, params = {}, fixed = fixed}, Sweep)\n"
"  -- every swept list is a list: no holes (a nil would run as the default,\n"
"  -- unasked), no other keys; the grid's size is counted in doubles, so a\n"
"  -- product past 2^63 cannot wrap to a small or negative count\n"
"  local index, total, size = {}, 1, 1.0\n"
"  for i, name in ipairs(names) do\n"
"    local v, n = opts[name], #opts[name]\n"
"    for k in pairs(v) do\n"
"      if math.type(k) ~= \"integer\" or k < 1 or k > n then\n"
"        error((\"mc.sweep: option '%s' must be a list of values, but it has the key %s \" ..\n"
"               \"besides its %d entries\"):format(name,\n"
"               type(k) == \"string\" and (\"'\" .. k .. \"'\") or math.type(k) and tostring(k) or \"of type \" .. type(k), n), 2)\n"
"      end\n"
"    end\n"
"    for j = 1, n do\n"
"      if v[j] == nil then\n"
"        error((\"mc.sweep: option '%s' has no value at position %d of %d (a hole in the \" ..\n"
"               \"list); list the values without gaps\"):format(name, j, n), 2)\n"
"      end\n"
"    end\n"
"    index[i] = 1; size = size * n\n"
"  end\n"
"  if size > 2^53 then\n"
"    error((\"mc.sweep: the grid has %.4g points, more than 2^53 (every combination of \" ..\n"
"           \"the swept lists runs); sweep fewer values\"):format(size), 2)\n"
"  end\n"
"  for i, name in ipairs(names) do total = total * #opts[name] end\n"
"  -- the finished points so far, should Ctrl-C or an error stop the sweep\n"
"  module.mc.partial_sweep = results\n"
"  -- view = true: one view of the whole sweep (its points reach it in C)\n"
"  local guard <close> = open_guard(results, fixed.view, names[1], #opts[names[1]], total)\n"
"  for _ = 1, total do\n"
"    local o, p, where = {}, {}, {}\n"
"    for k, v in pairs(fixed) do o[k] = v end\n"
"    for i, name in ipairs(names) do\n"
"      local v = opts[name][index[i]]\n"
"      o[name], p[name] = v, v\n"
"      where[#where + 1] = name .. \" = \" .. value_text(v)\n"
"    end\n"
"    do\n"
"      local curve, stride = 1, 1\n"
"      for i = 2, #names do\n"
"        curve = curve + (index[i] - 1) * stride\n"
"        stride = stride * #opts[names[i]]\n"
"      end\n"
"      view_point(guard, index[1], curve, table.concat(where, \", \"))\n"
"    end\n"
"    local ok, r = pcall(module.mc, o)\n"
"    if not ok then\n"
"      error((\"mc.sweep: at %s: %s\"):format(table.concat(where, \", \"), tostring(r)), 2)\n"
"    end\n"
"    if view_left(guard) then\n"
"      -- q in the view: the sweep stops with its finished points\n"
"      if not r.interrupted then\n"
"        results[#results + 1] = r\n"
"        results.params[#results] = p\n"
"      end\n"
"      results.stopped = #results < total\n"
"      break\n"
"    end\n"
"    results[#results + 1] = r\n"
"    results.params[#results] = p\n"
"    -- the first name varies fastest, so each run of x values is one curve\n"
"    for i = 1, #names do\n"
"      index[i] = index[i] + 1\n"
"      if index[i] <= #opts[names[i]] then break end\n"
"      index[i] = 1\n"
"    end\n"
"  end\n"
"  close_guard(guard, true)\n"
"  module.mc.partial_sweep = nil\n"
"  return results\n"
"end\n"
"\n"
"-- A Sweep method's self, read raw into a plain copy: the methods are\n"
"-- reachable as getmetatable(s).__tostring(t) with any t, and a lying __len\n"
"-- or an endless __index or __pairs must not run them without end.\n"
"local function check_self(self, method)\n"
"  local function bad(what, v)\n"
"    error((\"bad self to '%s' (expected the SweepResults of mc.sweep: %s, got a %s)\"):format(\n"
"          method, what, type(v)), 4)\n"
"  end\n"
"  if type(self) ~= \"table\" then bad(\"a table\", self) end\n"
"  local swept, params, fixed = rawget(self, \"swept\"), rawget(self, \"params\"), rawget(self, \"fixed\")\n"
"  if type(swept) ~= \"table\" then bad(\"swept, a list of option names\", swept) end\n"
"  if type(params) ~= \"table\" then bad(\"params, a table per result\", params) end\n"
"  if type(fixed) ~= \"table\" then bad(\"fixed, the options not swept\", fixed) end\n"
"  local copy = {swept = {}, params = {}, fixed = {}, stopped = rawget(self, \"stopped\")}\n"
"  for j = 1, rawlen(swept) do\n"
"    local name = rawget(swept, j)\n"
"    if type(name) ~= \"string\" then bad((\"swept[%d], an option name\"):format(j), name) end\n"
"    copy.swept[j] = name\n"
"  end\n"
"  if #copy.swept == 0 then bad(\"swept, at least one option name\", nil) end\n"
"  for i = 1, rawlen(self) do\n"
"    local r, p = rawget(self, i), rawget(params, i)\n"
"    if type(r) ~= \"table\" then bad((\"[%d], an McResult\"):format(i), r) end\n"
"    if type(p) ~= \"table\" then bad((\"params[%d], the swept values of result %d\"):format(i, i), p) end\n"
"    copy[i], copy.params[i] = r, p\n"
"  end\n"
"  for k, v in next, fixed do copy.fixed[k] = v end\n"
"  return copy\n"
"end\n"
"\n"
"local function ratio(r)\n"
"  if r.lower and r.lower > 0 then return r.p_alive / r.lower end\n"
"  return 0 / 0\n"
"end\n"
"\n"
"function Sweep:__tostring()\n"
"  self = check_self(self, \"__tostring\")\n"
"  local headers = {}\n"
"  for i, name in ipairs(self.swept) do headers[i] = name end\n"
"  for _, h in ipairs{\"P(alive)\", \"95% CI\", \"L\", \"U\", \"P/L\", \"mean F\", \"trials\"} do\n"
"    headers[#headers + 1] = h\n"
"  end\n"
"  -- mc chooses each run's precision (deep or shrunk points may need\n"
"  -- double): shown when the rows differ\n"
"  local mixed = false\n"
"  for _, r in ipairs(self) do mixed = mixed or r.precision ~= self[1].precision end\n"
"  if mixed then headers[#headers + 1] = \"precision\" end\n"
"  local rows = {}\n"
"  for i, r in ipairs(self) do\n"
"    local row = {}\n"
"    for j, name in ipairs(self.swept) do row[j] = value_text(self.params[i][name]) end\n"
"    row[#row + 1] = fmt(r.p_alive)\n"
"    row[#row + 1] = \"[\" .. fmt(r.ci[1]) .. \", \" .. fmt(r.ci[2]) .. \"]\"\n"
"    row[#row + 1] = fmt(r.lower)\n"
"    row[#row + 1] = r.upper and fmt(r.upper) or \"-\"\n"
"    row[#row + 1] = fmt(ratio(r))\n"
"    row[#row + 1] = fmt(r.fraction)\n"
"    row[#row + 1] = fmt(r.trials)\n"
"    if mixed then row[#row + 1] = r.precision end\n"
"    rows[i] = row\n"
"  end\n"
"  local first, arch_swept = self[1], false\n"
"  for _, name in ipairs(self.swept) do if name == \"arch\" then arch_swept = true end end\n"
"  local nets = arch_swept and \"nets\" or ((first and first.arch or \"plain\") .. \" nets\")\n"
"  local inputs = \"\"\n"
"  if first and first.inputs then\n"
"    inputs = \"  input set: \" .. first.inputs .. \"\\n\"\n"
"  elseif first and self.fixed.X then\n"
"    inputs = (\"  input set: the given X, %d points in d = %d\\n\"):format(first.points, first.input)\n"
"  end\n"
"  local head = (\"Sweep of %d Monte Carlo runs over %s: %s, seed %s\\n%s\"):format(\n"
"    #self, table.concat(self.swept, \", \"), nets, tostring(self.fixed.seed or \"swept\"), inputs)\n""  if self.stopped then\n"
"    head = head .. \"  stopped in the view (q): the finished points only\\n\"\n"
"  end\n"
"  -- flipped nets are chosen by X: L and U describe the nets before the flip\n"
"  for _, r in ipairs(self) do\n"
"    if r.flip then\n"
"      head = head .. \"  flipped nets (flip = true): L, U and P/L are for the nets before the flip\\n\"\n"
"      break\n"
"    end\n"
"  end\n"
"  return head .. format_table(headers, rows)\n"
"end\n"
"\n"
"-- The curves of a sweep: x is the first swept option; the other swept\n"
"-- options split the results into curves, one per combination.\n"
"local function curves(self)\n"
"  local xname = self.swept[1]\n"
"  local numeric = true\n"
"  for i = 1, #self do\n"
"    if type(self.params[i][xname]) ~= \"number\" then numeric = false end\n"
"  end\n"
"  local xs, xindex, groups, order, xlabels = {}, {}, {}, {}, {}\n"
"  for i, r in ipairs(self) do\n"
"    local xv = self.params[i][xname]\n"
"    local xkey = value_text(xv)\n"
"    if not xindex[xkey] then\n"
"      xs[#xs + 1] = numeric and xv or #xs + 1\n"
"      xindex[xkey] = #xs\n"
"      xlabels[#xs] = #xs .. \" \" .. xkey\n"
"    end\n"
"    local label = {}\n"
"    for j = 2, #self.swept do\n"
"      label[#label + 1] = self.swept[j] .. \"=\" .. value_text(self.params[i][self.swept[j]])\n"
"    end\n"
"    local key = table.concat(label, \" \")\n"
"    if not groups[key] then groups[key] = {}; order[#order + 1] = key end\n"
"    groups[key][xindex[xkey]] = r\n"
"  end\n"
"  return xname, numeric, xs, groups, order, xlabels\n"
"end\n"
"\n"
"function Sweep:plot(o)\n"
"  self = check_self(self, \"plot\")\n"
"  if #self == 0 then error(\"s:plot: the sweep has no results to plot\", 2) end\n"
"  o = o or {}\n"
"  if type(o) ~= \"table\" then\n"
"    error(\"bad argument #1 to 'plot' (expected an options table such as {logy = true, svg = 'sweep.svg'}, got a \" .. type(o) .. \")\", 2)\n"
"  end\n""  check_sweep_plot_options(o)\n"
"  local plot = module.plot\n"
"  if not plot then error(\"Sweep:plot needs the relush shell's plot module (plot.lines)\", 2) end\n"
"  local xname, numeric, xs, groups, order, xlabels = curves(self)\n"
"  local series, nan = {}, 0 / 0\n"
"  for g, key in ipairs(order) do\n"
"    local p, lo, hi, L, U, any_u = {}, {}, {}, {}, {}, false\n"
"    for i = 1, #xs do\n"
"      local r = groups[key][i]\n"
"      p[i] = r and r.p_alive or nan\n"
"      lo[i] = r and r.ci[1] or nan\n"
"      hi[i] = r and r.ci[2] or nan\n"
"      L[i] = r and r.lower or nan\n"
"      U[i] = r and r.upper or nan\n"
"      if r and r.upper and r.upper < 1 then any_u = true end\n"
"      if o.logy then\n"
"        if not (p[i] > 0) then p[i] = nan end\n"
"        if not (lo[i] > 0) then lo[i] = hi[i] end\n"
"      end\n"
"    end\n"
"    local suffix = key ~= \"\" and (\" \" .. key) or \"\"\n"
"    local colour = (g - 1) % 10 + 1\n"
"    series[#series + 1] = {name = \"P\" .. suffix, y = p, lo = lo, hi = hi, color = colour}\n"
"    series[#series + 1] = {name = \"L\" .. suffix, y = L, style = \"dashed\", color = colour}\n"
"    if any_u then series[#series + 1] = {name = \"U\" .. suffix, y = U, style = \"dotted\", color = colour} end\n"
"  end\n"
"  local p = plot.lines{\n"
"    x = xs, series = series,\n"
"    xlabel = numeric and xname or (xname .. \": \" .. table.concat(xlabels, \", \")),\n"
"    ylabel = \"P(alive), 95% CI; L lower, U upper bound\",\n"
"    title = \"P(alive) against \" .. xname,\n"
"    logy = o.logy, logx = o.logx,\n"
"  }\n"
"  if o.svg then p:svg(o.svg) end\n"
"  if o.csv then p:csv(o.csv) end\n"
"  return p\n"
"end\n"
"\n"
"-- one row per result: every option given (swept or fixed) then the result\n"
"function Sweep:csv(path)\n"
"  self = check_self(self, \"csv\")\n"
"  if type(path) ~= \"string\" then\n"
"    error(\"bad argument #1 to 'csv' (expected a file path such as 'sweep.csv', got a \" .. type(path) .. \")\", 2)\n"
"  end\n"
"  local options = {}\n"
"  for _, name in ipairs(self.swept) do options[#options + 1] = name end\n"
"  local fixed_names = {}\n"
"  for k, v in pairs(self.fixed) do\n"
"    if type(v) ~= \"function\" and k ~= \"progress\" and k ~= \"view\" then fixed_names[#fixed_names + 1] = k end\n"
"  end\n"
"  table.sort(fixed_names)\n"
"  for _, k in ipairs(fixed_names) do options[#options + 1] = k end\n"
"  local given = {}\n"
"  for _, k in ipairs(options) do given[k] = true end\n"
"  local fields = {}\n"
"  for _, k in ipairs{\"arch\", \"input\", \"points\", \"precision\"} do\n"
"    if not given[k] then fields[#fields + 1] = k end\n"
"  end\n"
"  for _, k in ipairs{\"p_alive\", \"ci_lo\", \"ci_hi\", \"lower\", \"upper\", \"fraction\", \"fraction_se\",\n"
"                     \"min_fraction\", \"trials\", \"alive_trials\", \"seconds\"} do\n"
"    if not given[k] then fields[#fields + 1] = k end\n"
"  end\n"
"  local headers = {}\n"
"  for _, k in ipairs(options) do headers[#headers + 1] = k end\n"
"  for _, k in ipairs(fields) do headers[#headers + 1] = k end\n"
"  local rows = {}\n"
"  for i, r in ipairs(self) do\n"
"    local row = {}\n"
"    for j, k in ipairs(options) do\n"
"      local v = self.params[i][k]\n"
"      if v == nil then v = self.fixed[k] end\n"
"      row[j] = type(v) == \"number\" and v or value_text(v)\n"
"    end\n"
"    -- by index: a value a run does not have (fraction with stats = 'alive')\n"
"    -- is an empty cell, not a shift of the rest\n"
"    for f, k in ipairs(fields) do\n"
"      local v\n"
"      if k == \"ci_lo\" then v = r.ci[1] elseif k == \"ci_hi\" then v = r.ci[2] else v = r[k] end\n"
"      row[#options + f] = v\n"
"    end\n"
"    rows[i] = row\n"
"  end\n"
"  write_csv(path, headers, rows)\n"
"  return path\n"
"end\n"
"\n"
"-- r:plot() for one McResult: per layer the survival of points next to 1 - 2^-n\n"
"local function result_plot(r, o)\n"
"  o = o or {}\n"
"  if type(o) ~= \"table\" then\n"
"    error(\"bad argument #1 to 'plot' (expected an options table such as {svg = 'layers.svg'}, got a \" .. type(o) .. \")\", 2)\n"
"  end\n"
"  check_result_plot_options(o)\n"
"  local plot = module.plot\n"
"  if not plot then error(\"r:plot needs the relush shell's plot module (plot.lines)\", 2) end\n"
"  if type(r) ~= \"table\" then\n"
"    error(\"bad self to 'plot' (expected an McResult, got a \" .. type(r) .. \")\", 2)\n"
"  end\n"
"  -- read raw and bounded: any table can reach this as r.plot(t)\n"
"  local x, surv, bound, net, layers = {}, {}, {}, {}, rawget(r, \"layers\")\n"
"  for l = 1, type(layers) == \"table\" and rawlen(layers) or 0 do\n"
"    local layer = rawget(layers, l)\n"
"    if type(layer) ~= \"table\" then\n"
"      error((\"bad self to 'plot' (r.layers[%d] must be a layer's table, got a %s)\"):format(l, type(layer)), 2)\n"
"    end\n"
"    x[l], surv[l], bound[l], net[l] = l, layer.survival or 0 / 0, layer.bound or 0 / 0, layer.net_survival or 0 / 0\n"
"  end\n"
"  if #x == 0 then error(\"r:plot: this result has no per-layer table (run mc with stats = 'all')\", 2) end\n"
"  local p = plot.lines{\n"
"    x = x,\n"
"    series = {\n"
"      {name = \"survival of points\", y = surv, color = 1},\n"
"      {name = \"1 - 2^-n (per point)\", y = bound, style = \"dashed\", color = 1},\n"
"      {name = \"net survival\", y = net, style = \"dotted\", color = 2},\n"
"    },\n"
"    xlabel = \"layer l\",\n"
"    ylabel = \"fraction of reaching points living after l\",\n"
"    title = (\"%s net, P(alive) %s\"):format(r.arch or \"?\", fmt(r.p_alive or 0 / 0)),\n"
"  }\n"
"  if o.svg then p:svg(o.svg) end\n"
"  return p\n"
"end\n"
"\n"
"return sweep, result_plot\n";

/* mc.sweep, r:plot and the sweep's methods are written in Lua (sweep_chunk):
 * their entries document them and sweep_setup puts them in place. */
static const rlua_api sweep_api[] = {
	{"mc.sweep", "mc", "mc.sweep{opt = value or {values...}, ...}",
	 "A grid of mc runs in one call: every mc option may be a list of values (widths, "
	 "shard: a list of lists; X: a list of input sets), and mc runs once per combination "
	 "with the other options as given. Without a seed one fresh seed is drawn and used for "
	 "every point, so a sweep gives the same numbers as separate mc calls with that seed. "
	 "Returns a SweepResults list of McResults (in grid order, the first swept option "
	 "varying fastest) with params[i] (the swept values of result i), swept (their names), "
	 "fixed (the other options); it prints as a table, and has :plot() and :csv(path). "
	 "view=true shows one live view of the sweep: P(alive) with its interval, L and U against "
	 "the swept option, a point added as each run finishes, and the running point's trials and "
	 "rate; q or Esc stops the sweep and returns the finished points (s.stopped = true); Ctrl-C "
	 "stops the whole command and leaves the finished points in mc.partial_sweep, and says so "
	 "(also after an error, with or without the view); on TERM=dumb or without a terminal the view's text is printed at the end.",
	 "s = mc.sweep{depth = {1, 2, 4, 8, 16, 32, 64}, width = 3, X = inputs.gaussian(64, 3, {seed = 1}), "
	 "trials = 2000, seed = 1}; print(s); s:plot()", .fn = NULL, .options = rlua_mc_options},
	{"Sweep:plot", "mc", "s:plot([{logy=, logx=, svg=path, csv=path}])",
	 "The sweep as a Plot (plot.lines) against the first swept option: P(alive) with its 95% "
	 "interval, the lower bound L (dashed, same colour) and the upper bound U (dotted) when it "
	 "is below 1; one curve per combination of the other swept options. Prints in the "
	 "terminal; p:svg(path) or {svg = path} writes SVG.",
	 "mc.sweep{depth = {2, 4, 8}, width = 2, trials = 1000, seed = 1}:plot{logy = true}",
	 .type = RLUA_SWEEP, .options = sweep_plot_options},
	{"Sweep:csv", "mc", "s:csv(path)",
	 "Writes the sweep as CSV, one row per result: a column per option given (swept first, "
	 "then the fixed ones), then arch, input, points and the precision the run took (those not "
	 "given as options), then p_alive, ci_lo, ci_hi, lower, upper, fraction, fraction_se, "
	 "min_fraction, trials, alive_trials, seconds; the form pandas.read_csv and R's read.csv "
	 "read. Returns path.",
	 "mc.sweep{depth = {2, 4, 8}, width = 2, trials = 1000, seed = 1}:csv('sweep.csv')",
	 .type = RLUA_SWEEP},
	{"r:plot", "mc", "r:plot([{svg = path}])",
	 "One McResult's layers as a Plot: per layer the survival of the points that reach it, "
	 "next to the per-point bound 1 - 2^-n_l (dashed), and the net survival (dotted).",
	 "mc{depth = 16, width = 3, X = inputs.gaussian(64, 3, {seed = 1}), trials = 2000, seed = 1}:plot()",
	 .type = RLUA_MC_RESULT, .options = result_plot_options},
	{0}
};

static void sweep_setup(lua_State *L, int module)
{
	if (luaL_loadbufferx(L, sweep_chunk, sizeof sweep_chunk - 1, "=mc.sweep", "t") != LUA_OK)
		lua_error(L);
	lua_pushvalue(L, module);
	lua_pushcfunction(L, write_csv_l);
	lua_pushcfunction(L, format_table_l);
	lua_pushcfunction(L, fmt_l);
	lua_pushcfunction(L, fresh_seed_l);
	lua_pushcfunction(L, guard_open_l);
	lua_pushcfunction(L, view_point_l);
	lua_pushcfunction(L, view_left_l);
	lua_pushcfunction(L, guard_close_l);
	lua_pushcfunction(L, check_sweep_plot_options);
	lua_pushcfunction(L, check_result_plot_options);
	lua_call(L, 11, 2);
	/* r:plot on every McResult */
	luaL_getmetatable(L, RLUA_MC_RESULT);
	if (lua_getfield(L, -1, "__index") != LUA_TTABLE)
		luaL_error(L, "sweep_setup: open mc (rlua_mc_binding) first");
	lua_pushvalue(L, -3);
	lua_setfield(L, -2, "plot");
	lua_pop(L, 3);
	lua_getfield(L, module, "mc");
	lua_insert(L, -2);
	lua_setfield(L, -2, "sweep");
	lua_pop(L, 1);
}

const rlua_binding rlua_sweep_binding = {.setup = sweep_setup, .api = sweep_api};

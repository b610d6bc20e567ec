/* lsweep.c: mc.sweep{...}, a grid of Monte Carlo runs in one call, the
 * SweepResults list it returns (printed as a table, :plot(), :csv(path)),
 * and r:plot() for one McResult (per-layer survival against 1 - 2^-n).
 * The orchestration is Lua (below, as a chunk): it only calls mc and
 * plot.lines, which are already C. The C part here is what Lua lacks: the
 * engine's CSV writer (the report formatters it is given are
 * rlua_table.c's); the guard that hands
 * a sweep with view = true to the view's C observer is lsweep_guard.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rlua.h"
#include "relush/csv.h"
#include "lsweep_guard.h"
#include "lmc_impl.h"

#define RLUA_SWEEP "relush.SweepResults"   /* Sweep.__name in sweep_chunk */

/* write_csv(path, headers, rows): one CSV row per row of the list, cells
 * numbers (exact; integers with every digit), strings, booleans or nil
 * (empty), through csv.h. A file error is returned (nil, message) for the
 * Lua caller to raise at the user's line. */
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
			lua_geti(L, -1, j);
			rlua_csv_cell(L, c, -1);
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		csv_end_row(c);
	}
	rl_err e;
	if (csv_write(c, path, &e)) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s", e.msg);
		return 2;
	}
	lua_pushboolean(L, 1);
	return 1;
}

/* A fresh seed, and whether RELUSH_SEED makes it the same in every process. */
static int fresh_seed_l(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)(rlua_fresh_seed(L) & 0x7fffffffffffffffull));
	lua_pushboolean(L, rlua_seed_from_env());
	return 2;
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
		if (type == LUA_TSTRING && path)   /* before any plotting */
			rlua_check_writable_option(L, fname, o->name, lua_tostring(L, -1));
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

/* What a value is, for a message: rlua_got's words ("nil", "a table", "a
 * relush.DeathReport"), without running a metamethod. */
static int got_l(lua_State *L)
{
	lua_pushstring(L, rlua_got(L, 1));
	return 1;
}

/* r:plot's receiver: nil when it is a Monte Carlo result, else the message
 * (raised by the Lua caller at the user's line). A report with layers of
 * its own (a DeathReport) is not one: its survival is not a result's. */
static int result_self_error(lua_State *L)
{
	if (lmc_to_run(L, 1))
		return 0;
	lua_pushfstring(L, "bad argument #1 to 'plot' (expected a Monte Carlo result (from mc{...}, "
	                "mc.merge or mc.load), got %s)", rlua_got(L, 1));
	return 1;
}

/* mc.sweep's option names are mc's: checked before the first run, so that
 * a misspelt one is named as an option of the sweep, with mc's list. */
static int check_sweep_options(lua_State *L)
{
	rlua_check_options_for(L, 1, rlua_mc_options, "mc.sweep");
	return 0;
}

static const char sweep_chunk[] =
"-- arguments: the module, and C helpers: the CSV writer, the table\n"
"-- formatter, the number formatter, a fresh seed, the sweep guard and the view hooks\n"
"local module, write_csv, format_table, fmt, fresh_seed, open_guard, view_point, view_left, close_guard,\n"
"  check_sweep_plot_options, check_result_plot_options, check_sweep_options, result_self_error, got,\n"
"  fmt_prob = ...\n"
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
"  -- an integer-valued float (seed = 2^60, trials = 1e6) as the integer mc\n"
"  -- reads it, every digit (tostring gives 1.1529215046068e+18)\n"
"  if math.type(v) == \"float\" and math.tointeger(v) then\n"
"    return tostring(math.tointeger(v))\n"
"  end\n"
"  return tostring(v)\n"
"end\n"
"\n"
"-- The swept values' labels, one per list position: their text, except\n"
"-- that distinct values whose text coincides (input sets of one shape,\n"
"-- law tables, functions) are told apart by position, \"X[2] 32x3 points\",\n"
"-- so that rows, curves and the view never mistake one run for another.\n"
"local function value_labels(name, list)\n"
"  local labels, seen, clash = {}, {}, false\n"
"  for j = 1, #list do\n"
"    local v = list[j]\n"
"    labels[j] = value_text(v)\n"
"    local other = seen[labels[j]]\n"
"    if other ~= nil and not rawequal(other, v) then clash = true end\n"
"    seen[labels[j]] = v\n"
"  end\n"
"  if clash then\n"
"    for j = 1, #list do\n"
"      if type(list[j]) ~= \"number\" then labels[j] = (\"%s[%d] %s\"):format(name, j, labels[j]) end\n"
"    end\n"
"  end\n"
"  return labels\n"
"end\n"
"\n"
"-- The label of result i's value of option name (a sweep made by hand or\n"
"-- copied may have no labels: its values' text then)\n"
"local function label_of(self, i, name)\n"
"  local l = self.labels and self.labels[i]\n"
"  if type(l) == \"table\" and type(l[name]) == \"string\" then return l[name] end\n"
"  return value_text(self.params[i][name])\n"
"end\n"
"\n"
"-- \"name=value\" in a curve's legend and the view; a label that already\n"
"-- names its option (\"X[2] 32x3 points\") as it is\n"
"local function named(name, label, sep)\n"
"  if label:sub(1, #name + 1) == name .. \"[\" then return label end\n"
"  return name .. (sep or \"=\") .. label\n"
"end\n"
"\n"
"-- Runs f(...) and returns its result; an error it raises (a file that\n"
"-- cannot be written, a plot that cannot be drawn) is raised again at the\n"
"-- user's line, as error(msg, level) in the caller would, not at this chunk's\n"
"local function as_user(level, f, ...)\n"
"  local ok, r = pcall(f, ...)\n"
"  if not ok then\n"
"    error((tostring(r):gsub(\"^mc%.sweep:%d+: \", \"\")), level + 1)\n"
"  end\n"
"  return r\n"
"end\n"
"\n"
"-- Options that another option, when given, overrides: widths sets every\n"
"-- layer's width and so the depth. A sweep labels each row with what it was\n"
"-- given, so it refuses these pairs rather than label rows with a value\n"
"-- that had no effect.\n"
"local overridden_by = {{\"depth\", \"widths\"}, {\"width\", \"widths\"}}\n"
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
"          \"{depth = {1, 2, 4, 8}, width = 3}, got \" .. got(opts) .. \")\", 2)\n"
"  end\n"
"  local names, fixed = {}, {}\n"
"  for k, v in pairs(opts) do\n"
"    if type(k) ~= \"string\" then\n"
"      error(\"bad argument #1 to 'mc.sweep' (options are named, e.g. depth = {1, 2, 4}; got \" ..\n"
"            got(k) .. \" key)\", 2)\n"
"    end\n"
"    if sweep_values(k, v) then names[#names + 1] = k else fixed[k] = v end\n"
"  end\n"
"  check_sweep_options(opts)   -- mc's option names, misspelt ones named before any run\n"
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
"  for _, pair in ipairs(overridden_by) do\n"
"    local name, by = pair[1], pair[2]\n"
"    if opts[name] ~= nil and opts[by] ~= nil then\n"
"      error((\"mc.sweep: options '%s' and '%s' are both given, but '%s' overrides '%s' (it sets \"\n"
"             .. \"every layer's width and the depth), so the rows would be labelled with a '%s' \"\n"
"             .. \"that had no effect; give '%s' alone, or sweep depth and width without widths\"):format(\n"
"             name, by, by, name, name, by), 2)\n"
"    end\n"
"  end\n"
"  table.sort(names, function(a, b)\n"
"    local ra, rb = rank(a), rank(b)\n"
"    if ra ~= rb then return ra < rb end\n"
"    return a < b\n"
"  end)\n"
"  -- one seed for every point, so the points differ only by what is swept\n"
"  if fixed.seed == nil and not opts.seed then\n"
"    local seed, from_env = fresh_seed()\n"
"    -- a fresh seed is this process's own: sharded, it would make each\n"
"    -- shard a piece of another experiment, and no merge joins those\n"
"    local shard = opts.shard\n"
"    if shard == nil then shard = module.mc.shard end\n"
"    if type(shard) == \"table\" and not from_env and math.type(shard[2]) and shard[2] > 1 then\n"
"      error((\"mc.sweep: shard {%s, %s} needs a seed: without one each shard draws a fresh seed of its own, \" ..\n"
"             \"and shards of different seeds never merge; give seed = <integer>, the same in every shard \" ..\n"
"             \"(or set RELUSH_SEED)\"):format(tostring(shard[1]), tostring(shard[2])), 2)\n"
"    end\n"
"    fixed.seed = seed\n"
"  end\n"
"  local results = setmetatable({swept = names, params = {}, fixed = fixed, labels = {}}, Sweep)\n"
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
"  local labels = {}\n"
"  for _, name in ipairs(names) do labels[name] = value_labels(name, opts[name]) end\n"
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
"    local o, p, where, lab = {}, {}, {}, {}\n"
"    for k, v in pairs(fixed) do o[k] = v end\n"
"    for i, name in ipairs(names) do\n"
"      local v = opts[name][index[i]]\n"
"      o[name], p[name], lab[name] = v, v, labels[name][index[i]]\n"
"      where[#where + 1] = named(name, lab[name], \" = \")\n"
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
"      error((\"mc.sweep: at %s: %s\"):format(table.concat(where, \", \"),\n"
"            (tostring(r):gsub(\"^mc%.sweep:%d+: \", \"\"))), 2)\n"
"    end\n"
"    if view_left(guard) then\n"
"      -- q in the view: the sweep stops with its finished points\n"
"      if not r.interrupted then\n"
"        results[#results + 1] = r\n"
"        results.params[#results], results.labels[#results] = p, lab\n"
"      end\n"
"      results.stopped = #results < total\n"
"      break\n"
"    end\n"
"    results[#results + 1] = r\n"
"    results.params[#results], results.labels[#results] = p, lab\n"
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
"  -- what: the field that is wrong (\"swept (a list of option names)\"), v its value;\n"
"  -- is: what is wrong with it, when not its type\n"
"  local function bad(what, v, is)\n"
"    error((\"bad self to '%s' (expected the SweepResults of mc.sweep, got %s%s)\"):format(method, got(self),\n"
"          what and (\" whose %s is %s\"):format(what, is or got(v)) or \"\"), 4)\n"
"  end\n"
"  if type(self) ~= \"table\" then bad() end\n"
"  local swept, params, fixed = rawget(self, \"swept\"), rawget(self, \"params\"), rawget(self, \"fixed\")\n"
"  if type(swept) ~= \"table\" then bad(\"swept (a list of option names)\", swept) end\n"
"  if type(params) ~= \"table\" then bad(\"params (a table per result)\", params) end\n"
"  if type(fixed) ~= \"table\" then bad(\"fixed (the options not swept)\", fixed) end\n"
"  local copy = {swept = {}, params = {}, fixed = {}, stopped = rawget(self, \"stopped\")}\n"
"  for j = 1, rawlen(swept) do\n"
"    local name = rawget(swept, j)\n"
"    if type(name) ~= \"string\" then bad((\"swept[%d] (an option name)\"):format(j), name) end\n"
"    copy.swept[j] = name\n"
"  end\n"
"  if #copy.swept == 0 then bad(\"swept (a list of option names)\", nil, \"empty\") end\n"
"  for i = 1, rawlen(self) do\n"
"    local r, p = rawget(self, i), rawget(params, i)\n"
"    if type(r) ~= \"table\" then bad((\"[%d] (a Monte Carlo result)\"):format(i), r) end\n"
"    if type(p) ~= \"table\" then bad((\"params[%d] (the swept values of result %d)\"):format(i, i), p) end\n"
"    copy[i], copy.params[i] = r, p\n"
"  end\n"
"  for k, v in next, fixed do copy.fixed[k] = v end\n"
"  -- the labels are optional (a sweep built by hand): strings only\n"
"  local labels = rawget(self, \"labels\")\n"
"  if type(labels) == \"table\" then\n"
"    copy.labels = {}\n"
"    for i = 1, #copy do\n"
"      local l, c = rawget(labels, i), {}\n"
"      if type(l) == \"table\" then\n"
"        for _, name in ipairs(copy.swept) do\n"
"          local text = rawget(l, name)\n"
"          if type(text) == \"string\" then c[name] = text end\n"
"        end\n"
"      end\n"
"      copy.labels[i] = c\n"
"    end\n"
"  end\n"
"  return copy\n"
"end\n"
"\n"
"-- A result's field as a table cell: a shard {i, N} as \"i/N\"\n"
"local function field_text(r, f)\n"
"  local v = r[f]\n"
"  if f == \"shard\" then\n"
"    return type(v) == \"table\" and (tostring(v[1]) .. \"/\" .. tostring(v[2])) or \"-\"\n"
"  end\n"
"  if v == nil then return \"-\" end\n"
"  return value_text(v)\n"
"end\n"
"\n"
"-- The fields, of those a run can differ in besides its swept options, in\n"
"-- which the results differ (not the swept ones: their column is there)\n"
"local function varying_fields(self)\n"
"  local swept, out = {}, {}\n"
"  for _, name in ipairs(self.swept) do swept[name] = true end\n"
"  for _, f in ipairs{\"precision\", \"generator\", \"method\", \"stats\", \"flip\", \"shard\", \"interrupted\"} do\n"
"    if not swept[f] then\n"
"      for i = 2, #self do\n"
"        if field_text(self[i], f) ~= field_text(self[1], f) then\n"
"          out[#out + 1] = f\n"
"          break\n"
"        end\n"
"      end\n"
"    end\n"
"  end\n"
"  return out\n"
"end\n"
"\n"
"-- a value a log axis can hold, else a gap\n"
"local function positive(v)\n"
"  if v > 0 then return v end\n"
"  return 0 / 0\n"
"end\n"
"\n"
"-- U where it bounds the run: the plain chain's upper bound holds for a\n"
"-- plain net as drawn; a residual or dense net keeps every non-zero point,\n"
"-- a skip net every point layer 1 keeps, batch norm defeats its argument\n"
"-- and flipping revives points (theory.md, architectures): nil there. L\n"
"-- stays: every architecture keeps P >= L (r's printout says how)\n"
"local function upper_of(r)\n"
"  if (r.arch == nil or r.arch == \"plain\") and not r.flip then return r.upper end\n"
"  return nil\n"
"end\n"
"\n"
"-- 1 - L from the run's widths (bound.death): L of a wide net is 1 as a\n"
"-- double, yet below 1; nil when the result holds no widths\n"
"local function lower_gap(r)\n"
"  if type(r.widths) ~= \"table\" or r.widths[1] == nil then return nil end\n"
"  local ok, gap = pcall(module.bound.death, r.widths)\n"
"  return ok and gap or nil\n"
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
"  -- what the rows differ in besides the swept options (mc chooses each\n"
"  -- run's precision: deep or shrunk points may need double; a sweep put\n"
"  -- together from pieces may mix generators or shards): a column each\n"
"  local varying = varying_fields(self)\n"
"  for _, f in ipairs(varying) do headers[#headers + 1] = f end\n"
"  local rows = {}\n"
"  for i, r in ipairs(self) do\n"
"    local row = {}\n"
"    for j, name in ipairs(self.swept) do row[j] = label_of(self, i, name) end\n"
"    row[#row + 1] = fmt_prob(r.p_alive)\n"
"    row[#row + 1] = \"[\" .. fmt_prob(r.ci[1]) .. \", \" .. fmt_prob(r.ci[2]) .. \"]\"\n"
"    row[#row + 1] = fmt_prob(r.lower, lower_gap(r))\n"
"    row[#row + 1] = upper_of(r) and fmt_prob(upper_of(r)) or \"-\"\n"
"    row[#row + 1] = fmt(ratio(r))\n"
"    row[#row + 1] = fmt_prob(r.fraction)\n"
"    row[#row + 1] = fmt(r.trials)\n"
"    for _, f in ipairs(varying) do row[#row + 1] = field_text(r, f) end\n"
"    rows[i] = row\n"
"  end\n"
"  local first, arch_swept = self[1], false\n"
"  for _, name in ipairs(self.swept) do if name == \"arch\" then arch_swept = true end end\n"
"  local nets = arch_swept and \"nets\" or ((first and first.arch or \"plain\") .. \" nets\")\n"
"  local inputs = \"\"\n"
"  local x_swept = false\n"
"  for _, name in ipairs(self.swept) do x_swept = x_swept or name == \"X\" or name == \"input\" end\n"
"  if x_swept then\n"
"    inputs = \"\"   -- one per row: the X (or input) column\n"
"  elseif first and first.inputs then\n"
"    inputs = \"  input set: \" .. first.inputs .. \"\\n\"\n"
"  elseif first and self.fixed.X then\n"
"    inputs = (\"  input set: the given X, %d points in d = %d\\n\"):format(first.points, first.input)\n"
"  end\n"
"  local head = (\"Sweep of %d Monte Carlo runs over %s: %s, seed %s\\n%s\"):format(\n"
"    #self, table.concat(self.swept, \", \"), nets, self.fixed.seed and value_text(self.fixed.seed) or \"swept\", inputs)\n"
"  if self.stopped then\n"
"    head = head .. \"  stopped in the view (q): the finished points only\\n\"\n"
"  end\n"
"  -- trials is the count run: say when that is not the count asked for\n"
"  for _, r in ipairs(self) do\n"
"    if type(r.shard) == \"table\" then\n"
"      head = head .. (\"  shard %s of each run: trials counts its share\\n\"):format(field_text(r, \"shard\"))\n"
"      break\n"
"    end\n"
"  end\n"
"  for _, r in ipairs(self) do\n"
"    if r.interrupted then\n"
"      head = head .. \"  interrupted: trials counts the trials run before the stop\\n\"\n"
"      break\n"
"    end\n"
"  end\n"
"  -- flipped nets are chosen by X: L and U describe the nets before the flip\n"
"  for _, r in ipairs(self) do\n"
"    if r.flip then\n"
"      head = head .. \"  flipped nets (flip = true): L and P/L are for the nets before the flip\\n\"\n"
"      break\n"
"    end\n"
"  end\n"
"  -- U bounds plain nets as drawn only: say why a row has none\n"
"  for _, r in ipairs(self) do\n"
"    if r.upper and not upper_of(r) then\n"
"      head = head .. \"  U is the plain chain's upper bound: '-' for residual, dense, skip and batch-norm \" ..\n"
"        \"nets, which it does not bound (L still does), and for flipped ones\\n\"\n"
"      break\n"
"    end\n"
"  end\n"
"  return head .. format_table(headers, rows)\n"
"end\n"
"\n"
"-- The curves of a sweep: x is the first swept option; the other swept\n"
"-- options split the results into curves, one per combination. Values are\n"
"-- told apart by their labels (two input sets of one shape are two points);\n"
"-- a result whose place is taken (a value listed twice, pieces of one\n"
"-- sweep put together) starts a curve of its own, \"#2\": no run hides another.\n"
"-- Integers past 2^53 (seeds) have no exact double: they are categories.\n"
"local function curves(self)\n"
"  local xname = self.swept[1]\n"
"  local numeric = true\n"
"  for i = 1, #self do\n"
"    local v = self.params[i][xname]\n"
"    if type(v) ~= \"number\" or (math.type(v) == \"integer\" and math.abs(v) > 2^53) then numeric = false end\n"
"  end\n"
"  local xs, xindex, groups, order, xlabels = {}, {}, {}, {}, {}\n"
"  for i, r in ipairs(self) do\n"
"    local xkey = label_of(self, i, xname)\n"
"    if not xindex[xkey] then\n"
"      xs[#xs + 1] = numeric and self.params[i][xname] or #xs + 1\n"
"      xindex[xkey] = #xs\n"
"      xlabels[#xs] = #xs .. \" \" .. xkey\n"
"    end\n"
"    local label = {}\n"
"    for j = 2, #self.swept do\n"
"      label[#label + 1] = named(self.swept[j], label_of(self, i, self.swept[j]))\n"
"    end\n"
"    local base, copy = table.concat(label, \" \"), 1\n"
"    local key = base\n"
"    while groups[key] and groups[key][xindex[xkey]] do\n"
"      copy = copy + 1\n"
"      key = (base ~= \"\" and base .. \" \" or \"\") .. \"#\" .. copy\n"
"    end\n"
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
"    error(\"bad argument #1 to 'plot' (expected an options table such as {logy = true, svg = 'sweep.svg'}, got \" .. got(o) .. \")\", 2)\n"
"  end\n"
"  check_sweep_plot_options(o)\n"
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
"      U[i] = r and upper_of(r) or nan\n"
"      if r and upper_of(r) and upper_of(r) < 1 then any_u = true end\n"
"      if o.logy then\n"
"        -- a log axis has no place for 0 (P of a run where no trial lived,\n"
"        -- a bound that underflowed): every such value, of every series, is a gap\n"
"        p[i], L[i], U[i] = positive(p[i]), positive(L[i]), positive(U[i])\n"
"        if not (hi[i] > 0) then lo[i], hi[i] = nan, nan\n"
"        elseif not (lo[i] > 0) then lo[i] = hi[i] end\n"
"      end\n"
"    end\n"
"    local suffix = key ~= \"\" and (\" \" .. key) or \"\"\n"
"    local colour = (g - 1) % 10 + 1\n"
"    series[#series + 1] = {name = \"P\" .. suffix, y = p, lo = lo, hi = hi, color = colour}\n"
"    series[#series + 1] = {name = \"L\" .. suffix, y = L, style = \"dashed\", color = colour}\n"
"    if any_u then series[#series + 1] = {name = \"U\" .. suffix, y = U, style = \"dotted\", color = colour} end\n"
"  end\n"
"  -- a series with no value left (every L 0 on a log axis) is left out, and\n"
"  -- the title says so; with nothing left there is nothing to draw\n"
"  local kept, empty = {}, {}\n"
"  for _, s in ipairs(series) do\n"
"    local any = false\n"
"    for i = 1, #xs do any = any or s.y[i] == s.y[i] end\n"
"    if any then kept[#kept + 1] = s else empty[#empty + 1] = s.name end\n"
"  end\n"
"  if #kept == 0 then\n"
"    error(\"s:plot: nothing to draw on a log y axis: every P(alive), L and U is 0 (a log axis \" ..\n"
"          \"holds values > 0); plot without logy\", 2)\n"
"  end\n"
"  local title = \"P(alive) against \" .. xname\n"
"  if #empty > 0 then title = title .. \" (0 at every point, left out: \" .. table.concat(empty, \", \") .. \")\" end\n"
"  local p = as_user(2, plot.lines, {\n"
"    x = xs, series = kept,\n"
"    xlabel = numeric and xname or (xname .. \": \" .. table.concat(xlabels, \", \")),\n"
"    ylabel = \"P(alive), 95% CI; L lower, U upper bound\",\n"
"    title = title,\n"
"    logy = o.logy, logx = o.logx,\n"
"  })\n"
"  if o.svg then as_user(2, p.svg, p, o.svg) end\n"
"  if o.csv then as_user(2, p.csv, p, o.csv) end\n"
"  return p\n"
"end\n"
"\n"
"-- The result columns of s:csv, after the options: what each run took and\n"
"-- counted. trials is the count run (a shard's share, or fewer when\n"
"-- interrupted), shard is \"i/N\" (empty for a whole run)\n"
"local csv_fields = {\"arch\", \"input\", \"points\", \"precision\", \"p_alive\", \"ci_lo\", \"ci_hi\", \"lower\",\n"
"                    \"upper\", \"fraction\", \"fraction_se\", \"min_fraction\", \"trials\", \"alive_trials\",\n"
"                    \"shard\", \"interrupted\", \"seconds\"}\n"
"\n"
"-- one row per result: every option given (swept or fixed) then the result;\n"
"-- an option named as a result column (trials, precision, ...) is written as\n"
"-- name_option, so each column means one thing on every row\n"
"function Sweep:csv(path)\n"
"  self = check_self(self, \"csv\")\n"
"  if type(path) ~= \"string\" then\n"
"    error(\"bad argument #1 to 'csv' (expected a file path such as 'sweep.csv', got \" .. got(path) .. \")\", 2)\n"
"  end\n"
"  local options = {}\n"
"  for _, name in ipairs(self.swept) do options[#options + 1] = name end\n"
"  local fixed_names = {}\n"
"  for k, v in pairs(self.fixed) do\n"
"    if type(v) ~= \"function\" and k ~= \"progress\" and k ~= \"view\" then fixed_names[#fixed_names + 1] = k end\n"
"  end\n"
"  table.sort(fixed_names)\n"
"  for _, k in ipairs(fixed_names) do options[#options + 1] = k end\n"
"  local is_field = {}\n"
"  for _, k in ipairs(csv_fields) do is_field[k] = true end\n"
"  local headers = {}\n"
"  for _, k in ipairs(options) do headers[#headers + 1] = is_field[k] and (k .. \"_option\") or k end\n"
"  for _, k in ipairs(csv_fields) do headers[#headers + 1] = k end\n"
"  local rows = {}\n"
"  for i, r in ipairs(self) do\n"
"    local row = {}\n"
"    -- a number option with an integer value (seed = 2^60, trials = 1e6, as\n"
"    -- mc reads them) is written as that integer, every digit: as a float\n"
"    -- it would print as 1.152921504606847e+18\n"
"    for j, k in ipairs(options) do\n"
"      local v = self.params[i][k]\n"
"      if v ~= nil then\n"
"        row[j] = type(v) == \"number\" and (math.tointeger(v) or v) or label_of(self, i, k)\n"
"      else\n"
"        v = self.fixed[k]\n"
"        row[j] = type(v) == \"number\" and (math.tointeger(v) or v) or value_text(v)\n"
"      end\n"
"    end\n"
"    -- by index: a value a run does not have (fraction with stats = 'alive',\n"
"    -- the shard of a whole run) is an empty cell, not a shift of the rest\n"
"    for f, k in ipairs(csv_fields) do\n"
"      local v\n"
"      if k == \"ci_lo\" then v = r.ci[1] elseif k == \"ci_hi\" then v = r.ci[2]\n"
"      elseif k == \"shard\" then v = type(r.shard) == \"table\" and field_text(r, \"shard\") or nil\n"
"      elseif k == \"upper\" then v = upper_of(r)\n"
"      else v = r[k] end\n"
"      row[#options + f] = v\n"
"    end\n"
"    rows[i] = row\n"
"  end\n"
"  local ok, err = write_csv(path, headers, rows)\n"
"  if not ok then error(\"s:csv: \" .. tostring(err), 2) end\n"
"  return path\n"
"end\n"
"\n"
"-- r:plot() for one McResult: per layer the survival of points next to 1 - 2^-n\n"
"local function result_plot(r, o)\n"
"  local bad_self = result_self_error(r)\n"
"  if bad_self then error(bad_self, 2) end\n"
"  o = o or {}\n"
"  if type(o) ~= \"table\" then\n"
"    error(\"bad argument #1 to 'plot' (expected an options table such as {svg = 'layers.svg'}, got \" .. got(o) .. \")\", 2)\n"
"  end\n"
"  check_result_plot_options(o)\n"
"  local plot = module.plot\n"
"  if not plot then error(\"r:plot needs the relush shell's plot module (plot.lines)\", 2) end\n"
"  -- read raw and bounded: r.layers is the user's to change\n"
"  local x, surv, bound, net, layers = {}, {}, {}, {}, rawget(r, \"layers\")\n"
"  for l = 1, type(layers) == \"table\" and rawlen(layers) or 0 do\n"
"    local layer = rawget(layers, l)\n"
"    if type(layer) ~= \"table\" then\n"
"      error((\"bad self to 'plot' (r.layers[%d] must be a layer's table, got %s)\"):format(l, got(layer)), 2)\n"
"    end\n"
"    local function number(v) return type(v) == \"number\" and v or 0 / 0 end\n"
"    x[l], surv[l], bound[l], net[l] = l, number(layer.survival), number(layer.bound), number(layer.net_survival)\n"
"  end\n"
"  -- stats = \"alive\" counts only whether each trial's net kept a living\n"
"  -- point: no layer has a survival to draw\n"
"  local measured = false\n"
"  for l = 1, #x do measured = measured or surv[l] == surv[l] end\n"
"  if #x == 0 or not measured then\n"
"    if rawget(r, \"stats\") == \"alive\" then\n"
"      error(\"r:plot: this result was run with stats = \\\"alive\\\", which records P(alive) only, \" ..\n"
"            \"not the per-layer survival the plot draws; run mc again with stats = \\\"all\\\" \" ..\n"
"            \"(the default) to plot its layers\", 2)\n"
"    end\n"
"    error((\"r:plot: this result has no per-layer %s to plot (run mc with stats = \\\"all\\\", the default)\"):format(\n"
"          #x == 0 and \"table\" or \"survival\"), 2)\n"
"  end\n"
"  -- a series the result lacks is left out, not drawn as nothing\n"
"  local series = {{name = \"survival of points\", y = surv, color = 1}}\n"
"  -- 1 - 2^-n is an unflipped plain chain's per-point survival: the legend says whose\n"
"  local flipped, arch = rawget(r, \"flip\") == true, rawget(r, \"arch\")\n"
"  local whose = flipped and \", before the flip\" or (arch ~= \"plain\" and arch ~= \"batchnorm\") and \", plain chain\" or \"\"\n"
"  for _, s in ipairs{{name = \"1 - 2^-n (per point\" .. whose .. \")\", y = bound, style = \"dashed\", color = 1},\n"
"                     {name = \"net survival\", y = net, style = \"dotted\", color = 2}} do\n"
"    local any = false\n"
"    for l = 1, #x do any = any or s.y[l] == s.y[l] end\n"
"    if any then series[#series + 1] = s end\n"
"  end\n"
"  local p = as_user(2, plot.lines, {\n"
"    x = x,\n"
"    series = series,\n"
"    xlabel = \"layer l\",\n"
"    ylabel = \"fraction of reaching points living after l\",\n"
"    title = (\"%s net%s, P(alive) %s\"):format(tostring(arch or \"?\"), flipped and \", flipped\" or \"\", fmt_prob(r.p_alive or 0 / 0)),\n"
"  })\n"
"  if o.svg then as_user(2, p.svg, p, o.svg) end\n"
"  return p\n"
"end\n"
"\n"
"return sweep, result_plot, Sweep.plot, value_text\n";

/* mc.sweep, r:plot and the sweep's methods are written in Lua (sweep_chunk):
 * their entries document them and sweep_setup puts them in place. */
static const rlua_api sweep_api[] = {
	{"mc.sweep", "mc", "mc.sweep{opt = value or {values...}, ...}",
	 "A grid of mc runs in one call (its options are mc's; a misspelt one is refused before any run): every mc "
	 "option may be a list of values (widths, shard: a list of lists; X: a list of input sets), and mc runs once per "
	 "combination with the other options as given. Without a seed one fresh seed is drawn and used for every point, "
	 "so a sweep gives the same numbers as separate mc calls with that seed. Swept values whose text coincides "
	 "(input sets of one shape, law tables) are labelled by their position, 'X[2] 32x3 points', in the table, CSV, "
	 "plot and view. widths sets every layer's width and the depth, so a sweep refuses depth or width given with "
	 "widths (the rows would carry a value that had no effect). Returns a SweepResults list of McResults (in grid "
	 "order, the first swept option varying fastest) with params[i] (the swept values of result i), swept (their "
	 "names), fixed (the other options); it prints as a table (with a column for each of precision, generator, "
	 "method, stats, flip, shard, interrupted in which the rows differ, and trials the count run), and has :plot() "
	 "and :csv(path). view=true shows one live view of the sweep: P(alive) with its interval, L and U against the "
	 "swept option, a point added as each run finishes, and the running point's trials and rate; q or Esc stops the "
	 "sweep and returns the finished points (s.stopped = true); Ctrl-C stops the whole command and leaves the "
	 "finished points in mc.partial_sweep, and says so (also after an error, with or without the view); on TERM=dumb "
	 "or without a terminal the view's text is printed at the end.",
	 "s = mc.sweep{depth = {1, 2, 4, 8, 16, 32, 64}, width = 3, X = inputs.gaussian(64, 3, {seed = 1}), "
	 "trials = 2000, seed = 1}; print(s); s:plot()", .fn = NULL, .options = rlua_mc_options},
	{"Sweep:plot", "mc", "s:plot([{logy=, logx=, svg=path, csv=path}])",
	 "The sweep as a Plot (plot.lines) against the first swept option: P(alive) with its 95% interval, the lower "
	 "bound L (dashed, same colour) and the upper bound U (dotted) when it is below 1 and bounds the run (plain "
	 "nets, no flipping: the table shows '-' and the CSV an empty cell elsewhere); one curve per combination of the "
	 "other swept options (a value listed twice starts a second curve, '#2'). With logy every value <= 0 (P where no "
	 "trial lived, a bound that underflowed) is a gap and a series with no value left is left out, as the title "
	 "says. Prints in the terminal; p:svg(path) or {svg = path} writes SVG. A path (svg, csv) that cannot be written "
	 "(a folder, a missing one) is refused before plotting; errors name the caller's line. A list of results "
	 "(mc.load, mc.merge with sweep = true) has list:plot: x is the first setting its results differ in (depth, "
	 "width(s), input, points, arch, flip, seed, X; one the others decide left out; else 'result', the place in the "
	 "list): a merged sharded sweep plots as the whole.",
	 "mc.sweep{depth = {2, 4, 8}, width = 2, trials = 1000, seed = 1}:plot{logy = true}",
	 .type = RLUA_SWEEP, .options = sweep_plot_options},
	{"Sweep:csv", "mc", "s:csv(path)",
	 "Writes the sweep as CSV, one row per result: a column per option given (swept first, then the fixed ones; an "
	 "option named as a result column, such as trials or precision, is written as trials_option), then arch, input, "
	 "points, the precision the run took, p_alive, ci_lo, ci_hi, lower, upper, fraction, fraction_se, min_fraction, "
	 "trials (the count run: a shard's share, fewer when interrupted), alive_trials, shard ('i/N', empty for a whole "
	 "run), interrupted, seconds; integers (seeds, counts) with every digit; the form pandas.read_csv and R's "
	 "read.csv read. Returns path.",
	 "mc.sweep{depth = {2, 4, 8}, width = 2, trials = 1000, seed = 1}:csv('sweep.csv')",
	 .type = RLUA_SWEEP},
	{"r:plot", "mc", "r:plot([{svg = path}])",
	 "One McResult's layers as a Plot: per layer the survival of the points reaching it, next to 1 - 2^-n_l (dashed; "
	 "the unflipped plain chain's, as the legend says for flipped, residual, dense, skip results), the net survival "
	 "(dotted). A result of stats = 'alive' has no per-layer survival: r:plot says so (run with stats = 'all'). An "
	 "svg path that cannot be written is refused before plotting.",
	 "mc{depth = 16, width = 3, X = inputs.gaussian(64, 3, {seed = 1}), trials = 2000, seed = 1}:plot()",
	 .type = RLUA_MC_RESULT, .options = result_plot_options},
	{0}
};

static void sweep_setup(lua_State *L, int module)
{
	if (luaL_loadbufferx(L, sweep_chunk, sizeof sweep_chunk - 1, RLUA_OWN_CHUNK("mc.sweep"), "t") != LUA_OK)
		lua_error(L);
	lua_pushvalue(L, module);
	lua_pushcfunction(L, write_csv_l);
	lua_pushcfunction(L, rlua_format_table_l);
	lua_pushcfunction(L, rlua_fmt_l);
	lua_pushcfunction(L, fresh_seed_l);
	lua_pushcfunction(L, lsweep_guard_open);
	lua_pushcfunction(L, lsweep_view_point);
	lua_pushcfunction(L, lsweep_view_left);
	lua_pushcfunction(L, lsweep_guard_close);
	lua_pushcfunction(L, check_sweep_plot_options);
	lua_pushcfunction(L, check_result_plot_options);
	lua_pushcfunction(L, check_sweep_options);
	lua_pushcfunction(L, result_self_error);
	lua_pushcfunction(L, got_l);
	lua_pushcfunction(L, rlua_fmt_prob_l);
	lua_call(L, 15, 4);
	lmc_results_plot_setup(L);   /* list:plot, through the sweep's plot and value_text */
	/* r:plot on every McResult */
	rlua_add_method(L, RLUA_MC_RESULT, "plot", "sweep_setup");
	lua_getfield(L, module, "mc");
	lua_insert(L, -2);
	lua_setfield(L, -2, "sweep");
	lua_pop(L, 1);
}

const rlua_binding rlua_sweep_binding = {.setup = sweep_setup, .api = sweep_api};

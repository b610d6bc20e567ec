/* lresults_plot.c: list:plot() for a list of Monte Carlo results (mc.load
 * of several lines, a sharded sweep put back together by mc.merge with
 * sweep = true). Such a list has lost the sweep's option names, so the
 * settings its results differ in are read back from the results (depth,
 * width, input, arch, flip, seed, X) and the list is handed to the
 * sweep's own s:plot as a sweep over them: one plot code, the same curves
 * and bounds as the sweep the pieces came from. */
#include "rlua.h"
#include "lmc_impl.h"

static const char results_plot_chunk[] =
"-- arguments: the sweep's plot method and value text, the metatables of a\n"
"-- result and of a list\n"
"local sweep_plot, value_text, result_meta, list_meta = ...\n"
"\n"
"-- the settings a result records, in the order a sweep puts them on the\n"
"-- x axis: the first the results differ in is x, the others split curves\n"
"local fields = {\"depth\", \"width\", \"widths\", \"input\", \"points\", \"arch\", \"flip\", \"seed\", \"X\"}\n"
"\n"
"-- the one width of a result's layers, or nil when they differ\n"
"local function width_of(r)\n"
"  local w = rawget(r, \"widths\")\n"
"  if type(w) ~= \"table\" or w[1] == nil then return nil end\n"
"  for _, n in ipairs(w) do if n ~= w[1] then return nil end end\n"
"  return w[1]\n"
"end\n"
"\n"
"-- result r's value of a setting (numbers stay numbers, for the x axis)\n"
"local function value(r, f)\n"
"  if f == \"width\" then return width_of(r) end\n"
"  if f == \"widths\" then return value_text(rawget(r, \"widths\")) end\n"
"  if f == \"X\" then return rawget(r, \"checksum\") end\n"
"  return rawget(r, f)\n"
"end\n"
"local text = value_text\n"
"\n"
"return function(self, o)\n"
"  if type(self) ~= \"table\" or getmetatable(self) ~= list_meta then\n"
"    error(\"bad self to 'plot' (expected a list of Monte Carlo results, from mc.load or \" ..\n"
"          \"mc.merge with sweep = true, got a \" .. type(self) .. \")\", 2)\n"
"  end\n"
"  local n = rawlen(self)\n"
"  if n == 0 then error(\"list:plot: the list has no results to plot\", 2) end\n"
"  local list = {}\n"
"  for i = 1, n do\n"
"    local r = rawget(self, i)\n"
"    if type(r) ~= \"table\" or getmetatable(r) ~= result_meta then\n"
"      error((\"bad self to 'plot' (item %d of the list is not a Monte Carlo result, got a %s)\"):format(\n"
"            i, type(r)), 2)\n"
"    end\n"
"    list[i] = r\n"
"  end\n"
"  -- width when every result's layers share one width, else widths\n"
"  local uniform = true\n"
"  for i = 1, n do uniform = uniform and width_of(list[i]) ~= nil end\n"
"  -- a setting counts when the results differ in it and the settings kept\n"
"  -- so far do not already decide it (input and X follow the width when\n"
"  -- mc chose them): it would only repeat them in every curve's name\n"
"  local swept, keys = {}, {}\n"
"  for i = 1, n do keys[i] = \"\" end\n"
"  for _, f in ipairs(fields) do\n"
"    if (f ~= \"width\" or uniform) and (f ~= \"widths\" or not uniform) then\n"
"      local seen, decided = {}, true\n"
"      for i = 1, n do\n"
"        local t = text(value(list[i], f))\n"
"        if seen[keys[i]] == nil then seen[keys[i]] = t elseif seen[keys[i]] ~= t then decided = false end\n"
"      end\n"
"      if not decided then\n"
"        swept[#swept + 1] = f\n"
"        for i = 1, n do keys[i] = keys[i] .. \"\\0\" .. text(value(list[i], f)) end\n"
"      end\n"
"    end\n"
"  end\n"
"  -- results that differ in none of them (repeats, one result) stand side\n"
"  -- by side, in the order of the list\n"
"  if #swept == 0 then swept[1] = \"result\" end\n"
"  local sweep = {swept = swept, params = {}, labels = {}, fixed = {}}\n"
"  for i = 1, n do\n"
"    local p, l = {}, {}\n"
"    for _, f in ipairs(swept) do\n"
"      local v = f == \"result\" and i or value(list[i], f)\n"
"      p[f], l[f] = v, text(v)\n"
"    end\n"
"    sweep[i], sweep.params[i], sweep.labels[i] = list[i], p, l\n"
"  end\n"
"  local ok, plot = pcall(sweep_plot, sweep, o)\n"
"  if not ok then\n"
"    local msg = tostring(plot):gsub(\"^list:plot:%d+: \", \"\")\n"
"    error((msg:gsub(\"^s:plot:\", \"list:plot:\")), 2)\n"
"  end\n"
"  return plot\n"
"end\n";

/* Puts list:plot on the lists of results; the sweep's plot method and its
 * value_text (an option value's text) are on the top of the stack and are
 * taken. */
void lmc_results_plot_setup(lua_State *L)
{
	if (luaL_loadbufferx(L, results_plot_chunk, sizeof results_plot_chunk - 1, RLUA_OWN_CHUNK("list:plot"), "t") != LUA_OK)
		lua_error(L);
	lua_insert(L, -3);
	luaL_getmetatable(L, RLUA_MC_RESULT);
	luaL_getmetatable(L, RLUA_MC_RESULTS);
	lua_call(L, 4, 1);
	rlua_add_method(L, RLUA_MC_RESULTS, "plot", "lmc_results_plot_setup");
}

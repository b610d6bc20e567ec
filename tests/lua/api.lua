-- api.lua: the API table (rlua_api entries, src/lua/api.c) against what it
-- registered. Every registered function has a help entry at the place its
-- name says, every help entry of a method names its type, and every option
-- with a fixed set of values accepts each of them and refuses a near miss
-- with "did you mean" that value. Classes over the whole table: a new
-- entry is checked without changing this file (except the one minimal call
-- a new table-taking function needs, which the test asks for by name).
local t = require "tap"
local relush = require "relush"
local help, names, types, options = relush._help, relush._names, relush._types, relush._options

t.ok(type(help) == "table" and type(names) == "table" and type(types) == "table"
  and type(options) == "table", "the module has the API table's registries")

-- The value a registry name stands for: "a.b" in the module or the
-- globals, "p:m" in the method table of the entry's type, "a" itself.
-- A type's metatable is in the Lua registry (luaL_newmetatable), or, for
-- a type made in Lua (a sweep's results), found on a sample of it.
local sample_mt = {}
for _, v in ipairs{mc.sweep{depth = {1, 2}, width = 2, trials = 4, seed = 1, progress = false}} do
  local mt = getmetatable(v)
  sample_mt[mt.__name] = mt
end
local function methods_of_type(name)
  local mt = debug.getregistry()[name] or sample_mt[name]
  if type(mt) ~= "table" then return nil end
  return type(mt.__index) == "table" and mt.__index or mt.__methods
end
local function resolve(name)
  local p, m = name:match("^([%w_]+):([%w_]+)$")
  if p then
    local e = help[name]
    local methods = e and e.type and methods_of_type(e.type)
    return methods and methods[m]
  end
  local a, b = name:match("^([%w_]+)%.([%w_]+)$")
  if a then
    local owner = relush[a] or _G[a]
    return type(owner) == "table" and rawget(owner, b) or nil
  end
  local v = relush[name] or _G[name]
  if type(v) == "table" then   -- a callable table: its function is __call
    local mt = getmetatable(v)
    return type(mt) == "table" and mt.__call or nil
  end
  return v
end

-- ---- every registered function: a help entry, and found where its name says
do
  local count, bad = 0, {}
  for fn, name in pairs(names) do
    count = count + 1
    if type(fn) ~= "function" or type(name) ~= "string" or not help[name] then
      bad[#bad + 1] = tostring(name) .. " (no help entry)"
    elseif resolve(name) ~= fn then
      bad[#bad + 1] = name .. " (not in place)"
    end
  end
  t.ok(count >= 40, "the API table registered " .. count .. " functions")
  t.none(bad, "every registered function has its help entry and sits where its name says")
end

-- ---- every method entry names its type, and the type its variable
do
  local bad = {}
  for name, e in pairs(help) do
    local p, m = name:match("^([%w_]+):([%w_]+)$")
    if p and e.topic ~= "guide" then
      if type(e.type) ~= "string" then
        bad[#bad + 1] = name .. " (no type)"
      elseif types[e.type] ~= p then
        bad[#bad + 1] = name .. " (" .. e.type .. " is written " .. tostring(types[e.type]) .. ")"
      elseif type(resolve(name)) ~= "function" then
        bad[#bad + 1] = name .. " (no such method)"
      end
    end
  end
  t.none(bad, "every method entry names its type, whose methods it is")
end

-- ---- every entry with a C function is in _names: help(f) needs no guessing
do
  local bad = {}
  for name, e in pairs(help) do
    local f = resolve(name)
    if type(f) == "function" and debug.getinfo(f, "S").what == "C" and names[f] == nil then
      bad[#bad + 1] = name
    end
  end
  t.none(bad, "every C function of an entry is named by the registry")
end

-- ---- options with fixed values: each accepted, a near miss refused with
-- "did you mean" it. One minimal call per function that has such options.
local X = inputs.gaussian(4, 2, {seed = 1})
local tmp = os.tmpname()
local npz = tmp .. ".npz"
relu(2, 2, {seed = 1, input = 2}):save(npz)
local calls = {
  relu = function(o) o.depth, o.width, o.seed = 2, 2, 1; return relu(o) end,
  mc = function(o)
    o.depth, o.width, o.trials, o.seed, o.progress, o.X = 2, 2, 4, 1, false, X
    return mc(o)
  end,
  -- mc's options, taken by mc.sweep (the option swept over its one value)
  -- and by view{...} (without a terminal it prints the view's text)
  ["mc.sweep"] = function(o)
    local k, v = next(o)
    o[k] = {v}
    o.depth, o.width, o.trials, o.seed, o.progress, o.X = 2, 2, 4, 1, false, X
    return mc.sweep(o)
  end,
  view = function(o)
    o.depth, o.width, o.trials, o.seed, o.progress, o.X = 2, 2, 4, 1, false, X
    return view(o)
  end,
  ["net:train"] = function(o) o.steps = 1; return relu(2, 2, {seed = 1}):train(X, {0, 1, 0, 1}, o) end,
  ["relu.load"] = function(o) return relu.load(npz, o) end,
}
do
  local values, missing = 0, {}
  for fn, list in pairs(options) do
    for _, opt in ipairs(list) do
      local accepted = list[opt]
      if type(accepted) == "table" then
        local call = calls[fn]
        if not call then
          missing[#missing + 1] = fn
        else
          for _, v in ipairs(accepted) do
            values = values + 1
            -- accepted: whatever else the call says, it does not refuse this option
            local ok, err = pcall(call, {[opt] = v})
            t.ok(ok or not tostring(err):find("option '" .. opt .. "'", 1, true),
              ("%s{%s = %q} is accepted%s"):format(fn, opt, v, ok and "" or (" (" .. tostring(err) .. ")")))
            local miss = v .. "x"
            t.raises(function() call({[opt] = miss}) end, {opt, "did you mean '" .. v .. "'"},
              ("%s{%s = %q} is refused with did you mean %q"):format(fn, opt, miss, v))
          end
        end
      end
    end
  end
  table.sort(missing)
  t.ok(values >= 20, "options with fixed values: " .. values .. " values")
  t.is(#missing, 0, "every function with fixed option values has a minimal call here" ..
    (#missing > 0 and (": add " .. table.concat(missing, ", ")) or ""))
end
os.remove(npz)
os.remove(tmp)

-- ---- every option name is checked: a near miss is refused with "did you
-- mean", and the error names the function as the API table does ("net:train")
do
  local bad = {}
  for fn, list in pairs(options) do
    local call = calls[fn]
    if call then
      for _, opt in ipairs(list) do
        local miss = opt .. "x"   -- (names of one or two letters have no near miss)
        local ok, err = pcall(call, {[miss] = 1})
        -- (mc.sweep passes its options on to mc: "mc.sweep: ... to 'mc'")
        local named = tostring(err):find("to '" .. fn .. "'", 1, true) or tostring(err):find(fn .. ": ", 1, true)
        if #opt >= 3 and (ok or not tostring(err):find("did you mean '" .. opt .. "'", 1, true) or not named) then
          bad[#bad + 1] = fn .. "{" .. miss .. "}"
        end
      end
    end
  end
  t.none(bad, "a misspelt option name is refused with did you mean, naming the function as the API does")
end

-- ---- every entry whose signature shows an options table ({name=...}) has
-- its options in the table, so a misspelt one is refused, not ignored
-- (Plot:svg{widht = 100}, s:plot{lgoy = true} and r:plot{svgg = ...} were)
do
  local bad = {}
  for name, e in pairs(help) do
    -- mc.sweep takes mc's options; limits.memory and mc.shard are values
    local opts = (e.signature or ""):match("{([^{}]*)}")
    if opts and opts:find("^%s*[%a_][%w_]*%s*=") and name ~= "mc.sweep" and not options[name] then
      bad[#bad + 1] = name
    end
  end
  t.none(bad, "every signature with an options table has its options in the API table")
  local s = mc.sweep{depth = {1, 2}, width = 2, trials = 10, seed = 1, progress = false}
  local cases = {
    {"Plot:svg", function() return plot.lines{x = {1, 2}, series = {{y = {1, 2}}}}:svg(tmp .. ".svg", {widht = 400}) end, "width"},
    {"Sweep:plot", function() return s:plot{lgoy = true} end, "logy"},
    {"r:plot", function() return s[1]:plot{svgg = tmp .. ".svg"} end, "svg"},
  }
  for _, c in ipairs(cases) do
    t.raises(c[2], {"to '" .. c[1] .. "'", "did you mean '" .. c[3] .. "'"},
             c[1] .. ": a misspelt option is refused, naming the method and the option meant")
  end
  os.remove(tmp .. ".svg")
end

-- ---- a file path is a string: a number is not taken for a file's name
-- (s:plot{svg = 5} wrote a file named 5)
do
  local p = plot.lines{x = {1, 2}, series = {{y = {1, 2}}}}
  local net = relu(2, 2, {seed = 1, input = 2})
  local r = mc{depth = 2, width = 2, trials = 10, seed = 1, progress = false}
  local s = mc.sweep{depth = {1, 2}, width = 2, trials = 10, seed = 1, progress = false}
  -- the example in the message is a file of the kind the function writes
  -- or reads (not 'out.svg' for a results file)
  local cases = {
    {"Plot:svg", function() return p:svg(5) end, "plot.svg"},
    {"Plot:csv", function() return p:csv(5) end, "plot.csv"},
    {"X:save", function() return X:save(5) end, "points.csv"},
    {"net:save", function() return net:save(5) end, "net.npz"},
    {"r:save", function() return r:save(5) end, "results.jsonl"},
    {"r:csv", function() return r:csv(5) end, "results.csv"},
    {"Sweep:csv", function() return s:csv(5) end, "sweep.csv"},
    {"Sweep:plot{svg=}", function() return s:plot{svg = 5} end, "plot.svg"},
    {"r:plot{svg=}", function() return r:plot{svg = 5} end, "plot.svg"},
    {"relu.load", function() return relu.load(5) end, "init.npz"},
    {"inputs.load", function() return inputs.load(5) end, "points.csv"},
    {"mc.load", function() return mc.load(5) end, "results.jsonl"},
  }
  for _, c in ipairs(cases) do
    t.raises(c[2], {"expected a file path", "'" .. c[3] .. "'"}, c[1] .. " refuses a number for a path")
  end
  t.ok(io.open("5") == nil, "... and wrote no file named 5")
end

-- ---- an argument error names the function the user called, also through
-- pcall or an alias, where the call site gives Lua no name: every
-- registered function and method called with wrong-typed arguments (a
-- coroutine, which none accepts; for a method, also after a receiver of
-- its type) raises a message naming it ('relu', 'relush.inputs.gaussian',
-- 'relush.Net.death', 'view.inputs'), never '?' nor the metamethod
-- 'index' that reached it
do
  local co = coroutine.create(function() end)
  local net = relu(2, 2, {seed = 1})
  local receivers = {
    ["relush.Net"] = net, ["relush.Matrix"] = X,
    ["relush.McResult"] = mc{depth = 2, width = 2, trials = 4, seed = 1, progress = false},
    ["relush.Plot"] = plot and plot.lines{x = {1, 2}, series = {{y = {1, 2}}}},
  }
  local closed = relu(2, 2, {seed = 1})
  getmetatable(closed).__close(closed)
  local closed_X = inputs.gaussian(2, 2, {seed = 1})
  getmetatable(closed_X).__close(closed_X)
  local calls, raised, bad, silent = 0, 0, {}, {}
  local function try(name, f, ...)
    calls = calls + 1
    local ok, err = pcall(f, ...)
    if ok then return true end
    raised = raised + 1
    err = tostring(err)
    if err:find("'?'", 1, true) or err:find("'index'", 1, true) then
      bad[#bad + 1] = name .. ": " .. err
    end
  end
  for fn, name in pairs(names) do
    local e = help[name]
    if name ~= "help" then   -- help explains any value: it raises for none
      -- a coroutine first: no function takes one there
      if try(name, fn, co, co, co) then silent[#silent + 1] = name end
      local self = e and e.type and receivers[e.type]
      if self then
        try(name .. " (after its receiver)", fn, self, co, co)
        local short = name:match(":(.*)")
        -- as users write it (Lua names it), and through a computed key
        -- (Lua's name for it is '?')
        try(name .. " (as self:" .. short .. "())", load("local s, a, b = ...; return s:" .. short .. "(a, b)"),
          self, co, co)
        try(name .. " (as self[k]())", function() local r = self[short](self, co, co); return r end)
      end
    end
  end
  -- a closed Net or Matrix: its methods are still found, and they say so
  for _, m in ipairs{"death", "weights", "clone", "forward"} do
    try("net:" .. m .. " on a closed net", load("local n = ...; return n:" .. m .. "(1)"), closed)
    try("net:" .. m .. " on a closed net, through pcall", function() return pcall(closed[m], closed, 1) end)
  end
  try("net.depth on a closed net", function() return closed.depth end)
  try("net[1]", function() return net[1] end)
  try("X:save on a closed X", function() return closed_X:save("x.csv") end)
  try("X[1] on a closed X", function() return closed_X[1] end)
  try("X[{}]", function() return X[{}] end)
  t.none(silent, "every function refuses a coroutine as its first argument")
  t.ok(calls > 100 and raised > 100, ("%d wrong-typed calls, %d raised (a method may ignore "
    .. "arguments it does not take)"):format(calls, raised))
  t.none(bad, "argument errors name the function the user called", "; ")
  t.raises(function() return pcall(relu, co) and nil or error(select(2, pcall(relu, co))) end,
    {"bad argument #1 to 'relu'"}, "relu through pcall is named 'relu'")
  local r = receivers["relush.McResult"]
  t.raises(function() error(select(2, pcall(r.save, r, 5))) end,
    {"bad argument #2 to 'relush.McResult.save'", "'results.jsonl'"},
    "r.save through pcall: named by its type, the receiver counted as argument 1")
  t.raises(function() return closed:death() end, {"'death'", "has been closed"},
    "net:death() on a closed net names death")
end

-- ---- mc's options include relu's (the table says so; no list is glued)
do
  local mc_opts = {}
  for _, o in ipairs(options.mc) do mc_opts[o] = true end
  local lacking = {}
  for _, o in ipairs(options.relu) do
    if not mc_opts[o] then lacking[#lacking + 1] = o end
    if options.relu[o] and options.mc[o] then
      t.is(table.concat(options.mc[o], ","), table.concat(options.relu[o], ","),
        "mc{" .. o .. "=} accepts relu's values")
    end
  end
  t.is(#lacking, 0, "mc takes every relu option" ..
    (#lacking > 0 and (": lacks " .. table.concat(lacking, ", ")) or ""))
end

t.done()

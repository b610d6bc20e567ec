-- hostile.lua: Lua code that attacks the values C is using: a progress
-- callback that closes or drops X while mc runs; option
-- tables and lists whose __index builds values referenced nowhere else and
-- collects garbage; mc.merge lists whose __index drops earlier results;
-- plot labels from __index; lying __len. Each must give the same numbers
-- as the plain call (or a clear error), never a crash: in the sanitizer
-- build (make check-sanitizers) any use after free fails this test.
local t = require "tap"

local function full_gc() collectgarbage(); collectgarbage() end

------------------------------------------------------------ X closed or dropped mid-run
do
  local opts = {depth = 6, width = 8, trials = 3000, seed = 1, threads = 2, chunk = 50}
  local function run(X, progress)
    local o = {X = X, progress = progress}
    for k, v in pairs(opts) do o[k] = v end
    return mc(o)
  end
  local base = run(inputs.gaussian(40, 6, {seed = 1}))

  local X = inputs.gaussian(40, 6, {seed = 1})
  local calls = 0
  local r = run(X, function()
    calls = calls + 1
    if X then local c <close> = X end   -- frees X's data on the first call
    full_gc()
  end)
  t.ok(calls >= 1, "the progress callback ran (" .. calls .. " calls)")
  t.is(r.alive_trials, base.alive_trials, "X closed (<close>) by the progress callback: the run's counts are unchanged")
  t.is(r.trials, 3000, "... and every trial ran")

  local o = {X = inputs.gaussian(40, 6, {seed = 1})}
  for k, v in pairs(opts) do o[k] = v end
  o.progress = function() o.X = nil; full_gc() end
  r = mc(o)
  t.is(r.alive_trials, base.alive_trials, "X dropped from the options (o.X = nil; collectgarbage()) mid-run: counts unchanged")

end

------------------------------------------------------------ options from __index that collect garbage
do
  local plain = mc{depth = 4, width = 3, trials = 1000, seed = 1, X = inputs.gaussian(8, 2, {seed = 3})}
  local lazy = setmetatable({depth = 4, width = 3, trials = 1000, seed = 1}, {__index = function(_, k)
    full_gc()
    if k == "X" then return inputs.gaussian(8, 2, {seed = 3}) end
  end})
  local r = mc(lazy)
  t.is(r.alive_trials, plain.alive_trials, "mc: X built by __index (referenced nowhere else) while __index collects garbage")

  -- every option through __index, strings built on the fly
  local all = setmetatable({}, {__index = function(_, k)
    full_gc()
    local v = ({depth = 4, width = 3, trials = 500, seed = 2, method = "exp" .. "licit",
                stats = "a" .. "ll", arch = "pla" .. "in"})[k]
    full_gc()
    return v
  end})
  local ok, res = pcall(mc, all)
  local direct = mc{depth = 4, width = 3, trials = 500, seed = 2, method = "explicit", stats = "all", arch = "plain"}
  t.ok(ok and res.alive_trials == direct.alive_trials, "mc: every option from __index (fresh strings, GC in between)")

  local net = relu(setmetatable({}, {__index = function(_, k)
    full_gc()
    return ({depth = 3, width = 4, seed = 9, weights = "nor" .. "mal"})[k]
  end}))
  t.is(net:death(inputs.gaussian(16, 4, {seed = 1})).living,
       relu{depth = 3, width = 4, seed = 9, weights = "normal"}:death(inputs.gaussian(16, 4, {seed = 1})).living,
       "relu: options from __index with GC give the same network")
end

------------------------------------------------------------ mc.merge lists that drop their results
do
  local function shards()
    return {mc{depth = 3, width = 3, trials = 300, seed = 4, shard = {1, 3}},
            mc{depth = 3, width = 3, trials = 300, seed = 4, shard = {2, 3}},
            mc{depth = 3, width = 3, trials = 300, seed = 4, shard = {3, 3}}}
  end
  local plain = mc.merge(shards())
  local held, nexti = shards(), 1
  local list = setmetatable({}, {
    __len = function() return 3 end,
    __index = function(_, i)
      local v = held[i]
      if i == nexti then held[i - 1] = nil; nexti = i + 1 end   -- drop the one before
      full_gc()
      return v
    end})
  local m = mc.merge(list)
  full_gc()
  t.ok(m.trials == 300 and m.alive_trials == plain.alive_trials and m.pieces == 3,
       "mc.merge of a list whose __index drops earlier results merges them all")
  t.ok(tostring(m):find("300", 1, true), "... and the merged result prints")

  -- results built by __index, referenced by nothing else
  local fresh = setmetatable({}, {__len = function() return 3 end, __index = function(_, i)
    full_gc()
    return mc{depth = 3, width = 3, trials = 300, seed = 4, shard = {i, 3}}
  end})
  m = mc.merge(fresh)
  full_gc()
  t.is(m.alive_trials, plain.alive_trials, "mc.merge of results that only __index holds")
end

------------------------------------------------------------ plot labels from __index
do
  local p = plot.lines(setmetatable({x = {1, 2, 3}, series = {{name = "s", y = {1, 4, 9}}}}, {__index = function(_, k)
    full_gc()
    if k == "title" or k == "xlabel" or k == "ylabel" then return (k .. "-label"):rep(2) end
  end}))
  full_gc()
  local text = p:text{width = 60, height = 12}
  t.ok(text:find("title-labeltitle-label", 1, true) and text:find("xlabel-label", 1, true),
       "plot.lines: labels from __index (fresh strings, GC in between) are copied")
end

------------------------------------------------------------ lying __len
do
  local function lie(n) return setmetatable({}, {__len = function() return n end}) end
  for _, n in ipairs{2 ^ 40 // 1, math.maxinteger, -5} do
    local r = mc{depth = 3, width = 3, trials = 10, seed = 1}
    r.widths = lie(n)
    local layers = r.layers
    r.layers = setmetatable(layers, {__len = function() return n end})
    local ok, s = pcall(tostring, r)
    t.ok(ok and s:find("P(alive)", 1, true), "a result whose widths and layers claim __len = " .. n .. " prints what it holds")
    ok = pcall(tostring, setmetatable({r}, {__len = function() return n end}))
    t.ok(ok, "... and so does a list of results claiming " .. n)
    t.raises(function() return relu{widths = lie(n)} end, {"widths"}, "relu{widths = __len " .. n .. "} is refused")
    t.raises(function() return inputs.from(lie(n)) end, {"from"}, "inputs.from of a list claiming " .. n .. " is refused")
  end
  -- a __len backed by __index is a real list
  local proxy = setmetatable({}, {__len = function() return 3 end, __index = function(_, i)
    if type(i) == "number" and i >= 1 and i <= 3 then return 4 end
  end})
  t.is(relu{widths = proxy, input = 2, seed = 1}.depth, 3, "a list whose __len and __index agree is accepted")
end

------------------------------------------------------------ hostile values in error messages
do
  -- A bad option value is described in the message without its metamethods:
  -- a __tostring that raises, yields nonsense or collects garbage must not
  -- replace the function's own message (which names the option) nor run.
  local ran = 0
  local function evil()
    return setmetatable({}, {__tostring = function() ran = ran + 1; collectgarbage(); error("__tostring ran") end,
                             __name = "Evil"})
  end
  local X = inputs.gaussian(4, 2, {seed = 1})
  local cases = {
    {"relu arch", function() return relu{depth = 2, width = 2, arch = evil()} end, {"arch", "got a table"}},
    {"relu widths entry", function() return relu{widths = {2, evil()}} end, {"widths", "entry 2", "got a table"}},
    {"relu positional width", function() return relu(2, evil()) end, {"got a table"}},
    {"net:train method", function() return relu(2, 2, {input = 2, seed = 1}):train(X, {1, 0, 1, 0}, {method = evil()}) end,
     {"method", "got a table"}},
    {"mc arch", function() return mc{depth = 2, width = 2, trials = 10, arch = evil()} end, {"arch", "got a table"}},
    {"mc method", function() return mc{depth = 2, width = 2, trials = 10, method = evil()} end, {"method", "got a table"}},
    {"mc stats", function() return mc{depth = 2, width = 2, trials = 10, stats = evil()} end, {"stats", "got a table"}},
    {"mc shard entry", function() return mc{depth = 2, width = 2, trials = 10, shard = {evil(), 2}} end,
     {"shard", "got a table"}},
    {"limits.memory", function() limits.memory = evil() end, {"limits.memory", "got a table"}},
    {"limits[evil]", function() limits[evil()] = 1 end, {"unknown limit", "a table"}},
    {"plot.lines with a table as an option name",
     function() return plot.lines{x = {1, 2}, series = {{y = {1, 2}}}, [evil()] = 1} end, {"unknown option", "a table"}},
  }
  for _, c in ipairs(cases) do
    t.raises(c[2], c[3], c[1] .. ": an option value whose __tostring raises gets the function's own message")
  end
  t.is(ran, 0, "... and no __tostring ran")
  -- strings and numbers are still shown as they are
  t.raises(function() return relu{depth = 2, width = 2, arch = "plian"} end, {"'plian'", "did you mean 'plain'"},
           "relu arch: a misspelt name is quoted, with the nearest name")
  t.raises(function() limits.memory = 1.5 end, {"got 1.5"}, "limits.memory: a bad number is shown")
end

------------------------------------------------------------ a sweep's methods given any table
do
  -- getmetatable(s).__tostring (and :plot, :csv, r:plot) take any table as
  -- self: a lying __len, an endless __index or __pairs must end in a result
  -- or a clear error, each within a budget of Lua instructions
  local s = mc.sweep{depth = {1, 2}, width = 2, trials = 50, seed = 1, progress = false}
  local Sweep, r_plot = getmetatable(s), s[1].plot
  local endless = {__index = function(_, k) if math.type(k) then return s[1] end end,
                   __len = function() return math.maxinteger end}
  local endless_params = setmetatable({}, {__index = function() return {depth = 1} end,
                                           __len = function() return math.maxinteger end})
  local endless_fixed = setmetatable({}, {__pairs = function()
    local i = 0
    return function() i = i + 1; return "k" .. i, i end
  end})
  local selves = {
    {"a lying __len and an endless __index", setmetatable({swept = s.swept, params = endless_params, fixed = s.fixed}, endless)},
    {"results and params that lie, besides two real results", setmetatable({s[1], s[2], swept = s.swept, params = endless_params, fixed = s.fixed}, endless)},
    {"a fixed table with an endless __pairs", {s[1], s[2], swept = s.swept, params = s.params, fixed = endless_fixed}},
    {"swept with an endless __index", {s[1], swept = setmetatable({}, endless), params = s.params, fixed = s.fixed}},
    {"a number", 5}, {"an empty table", {}}, {"a result that is a number", {7, swept = s.swept, params = s.params, fixed = s.fixed}},
    {"a result with no params", {s[1], s[2], swept = s.swept, params = {}, fixed = s.fixed}},
    {"layers with an endless __index", {layers = setmetatable({}, {__index = function() return {survival = 1} end})}},
  }
  local dir = require("proc").tmpdir()
  local calls = {
    {"__tostring", function(x) return Sweep.__tostring(x) end},
    {"plot", function(x) return Sweep.plot(x) end},
    {"csv", function(x) return Sweep.csv(x, dir .. "/s.csv") end},
    {"r:plot", function(x) return r_plot(x) end},
  }
  for _, c in ipairs(calls) do
    for _, v in ipairs(selves) do
      local budget = 0
      debug.sethook(function() budget = budget + 1; if budget > 100 then error("runaway") end end, "", 1e5)
      local ok, e = pcall(c[2], v[2])
      debug.sethook()
      e = tostring(e)
      t.ok(ok or (not e:find("runaway") and (e:find("bad self to", 1, true) or e:find("has no per-layer table", 1, true)
                                              or e:find("no results to plot", 1, true)
                                              or e:find("expected a Monte Carlo result", 1, true))),
           ("Sweep %s given %s: ends, with a result or a clear error (%s)"):format(c[1], v[1], tostring(ok or e)))
    end
  end
  os.execute("rm -rf " .. require("proc").q(dir))
  -- the real sweep still prints its two points
  t.ok(select(2, tostring(s):gsub("\n%s*%d ", "")) == 2, "a real sweep still prints a row per point")
end

------------------------------------------------------------ every method given a wrong self
do
  -- each method of each type (and the Lua-written r:plot, s:plot, s:csv)
  -- called on another type's object, a report, a file handle or a plain
  -- value: an error naming the method (never '?') that says what it got,
  -- a relush object by its type ("got a relush.DeathReport"), never "a
  -- userdata" alone; and never a result computed from the wrong object
  -- (r:csv and r:plot once read any table's layers: a DeathReport's
  -- survival plotted as a result's, with "P(alive) nan")
  local dir = require("proc").tmpdir()
  local X = inputs.gaussian(4, 2, {seed = 1})
  local net = relu(2, 2, {seed = 1, input = 2})
  local r = mc{depth = 2, width = 2, trials = 20, seed = 1, progress = false}
  local s = mc.sweep{depth = {1, 2}, width = 2, trials = 20, seed = 1, progress = false}
  local p = plot.lines{x = {1, 2}, series = {{y = {1, 2}}}}
  local sample = {["relush.Net"] = net, ["relush.Matrix"] = X, ["relush.McResult"] = r, ["relush.Plot"] = p,
                  ["relush.SweepResults"] = s}
  local others = {{"relush.Net", net}, {"relush.Matrix", X}, {"relush.McResult", r}, {"relush.Plot", p},
                  {"relush.SweepResults", s}, {"relush.DeathReport", net:death(X)}, {"relush.NetBounds", net:bounds()},
                  {"FILE*", io.stdout}, {"a number", 5}, {"a string", "s"}, {"a table", {}}, {"nil", nil}}
  local methods = {}
  for f, name in pairs(relush._names) do
    local entry = relush._help[name]
    if name:find(":", 1, true) and entry.type then methods[#methods + 1] = {name, f, entry.type} end
  end
  methods[#methods + 1] = {"r:plot", r.plot, "relush.McResult"}
  methods[#methods + 1] = {"Sweep:plot", s.plot, "relush.SweepResults"}
  methods[#methods + 1] = {"Sweep:csv", s.csv, "relush.SweepResults"}
  r:save(dir .. "/list.jsonl", "w")
  local list = mc.load(dir .. "/list.jsonl")
  os.remove(dir .. "/list.jsonl")
  sample["relush.McResults"] = list
  others[#others + 1] = {"relush.McResults", list}
  methods[#methods + 1] = {"list:csv", list.csv, "relush.McResults"}
  table.sort(methods, function(a, b) return a[1] < b[1] end)
  t.ok(#methods >= 18, "methods found: " .. #methods)
  local bad = {}
  for _, m in ipairs(methods) do
    local short = m[1]:match("[:.](%w+)$")
    for _, o in ipairs(others) do
      -- r:save saves a list of results too (its help says so)
      if o[1] ~= m[3] and not (m[1] == "r:save" and o[1] == "relush.McResults") then
        local ok, e = pcall(m[2], o[2], dir .. "/out." .. short)
        e = tostring(e)
        if ok or not e:find(short, 1, true) or e:find("'?'", 1, true) or not e:find(o[1], 1, true)
           or e:find("a userdata", 1, true) and not e:find("(FILE*)", 1, true) then
          bad[#bad + 1] = ("%s on %s: %s"):format(m[1], o[1], ok and "no error" or e)
        end
      end
    end
    t.ok(sample[m[3]] ~= nil, m[1] .. ": its type's object is among the selves tried")
  end
  t.none(bad, "every method given a wrong self says so, naming the method and what it got")
  local names = io.popen("ls " .. require("proc").q(dir)):read("a")
  t.is(names, "", "... and no method wrote a file for a wrong self")
  os.execute("rm -rf " .. require("proc").q(dir))
end

------------------------------------------------------------ every metamethod given a wrong self
do
  -- a metamethod taken from a relush type's metatable and called by hand
  -- (getmetatable(net).__len(5), __index, __tostring, __gc, __close) on a
  -- plain value or another type's object: named as 'relush.Net.__len'
  -- (never '?', as pcall once made it), saying what it got; nothing freed
  local X = inputs.gaussian(4, 2, {seed = 1})
  local net = relu(2, 2, {seed = 1, input = 2})
  local r = mc{depth = 2, width = 2, trials = 20, seed = 1, progress = false}
  local objects = {net, X, r, net:death(X), net:bounds(), net:clone():flip(X), net:alignment(X), bound.layers(2, 2),
                   plot.lines{x = {1, 2}, series = {{y = {1, 2}}}},
                   net:clone():train(X, inputs.gaussian(4, 2, {seed = 2}), {steps = 1}),
                   bound.schedule(function() return 2 end, {layers = 3})}
  local wrong = {{"a number", 5}, {"a string", "s"}, {"a table", {}}, {"nil", nil}}
  local bad, called = {}, 0
  for i, o in ipairs(objects) do
    local mt = getmetatable(o)
    local other = objects[i % #objects + 1]
    for k, f in pairs(mt) do
      if type(f) == "function" and k:sub(1, 2) == "__" then
        for _, w in ipairs{wrong[1], wrong[2], wrong[3], wrong[4], {getmetatable(other).__name, other}} do
          called = called + 1
          local ok, e = pcall(f, w[2], "depth")
          e = tostring(e)
          -- __gc and __close are one function: either name is its own
          local name = (k == "__gc" or k == "__close") and "'" .. mt.__name .. ".__" or "'" .. mt.__name .. "." .. k .. "'"
          if ok or not e:find(name, 1, true) or e:find("'?'", 1, true) or not e:find(w[1], 1, true) then
            bad[#bad + 1] = ("%s.%s on %s: %s"):format(mt.__name, k, w[1], ok and "no error" or e)
          end
        end
      end
    end
  end
  t.ok(called >= 5 * 15, "metamethods called by hand: " .. called)
  t.none(bad, "every metamethod given a wrong self names itself with its type and says what it got")
  t.ok(#net == 2 and #X == 4 and tostring(r):find("P(alive)", 1, true), "... and the objects tried are whole")
end

------------------------------------------------------------ mc inside mc's callback, to the C stack's end
do
  -- each run's progress callback starts another run until Lua's C stack
  -- overflows: one clear error, whose note about mc.partial is said once
  -- (each run added its own, though only the outermost's was still true)
  local depth = 0
  local function run()
    depth = depth + 1
    return mc{depth = 2, width = 2, trials = 2000, chunk = 10, threads = 1, seed = 1,
              progress = function() if depth < 1000 then run() end end}
  end
  local ok, e = pcall(run)
  e = tostring(e)
  local _, notes = e:gsub("is kept in mc%.partial", "")
  t.ok(not ok and depth > 10 and e:find("stack overflow", 1, true) and notes == 1,
       ("mc nested %d deep in its callbacks: one error, its mc.partial note once (%d): %s"):format(depth, notes,
        e:sub(1, 200)))
  t.ok(mc.partial and mc.partial.interrupted ~= nil and mc.partial.trials > 0, "... and mc.partial holds a result")
end

------------------------------------------------------------ __gc or __close called by hand
do
  -- a Matrix, Net or Plot whose finaliser ran by hand (twice, then used):
  -- every later use is an error saying it was closed, never "a userdata"
  local kinds = {
    {"input set", function() return inputs.gaussian(4, 2, {seed = 1}) end, {
      function(X) return #X end, function(X) return X[1] end, function(X) return X.rows end,
      function(X) return relu(2, 2, {seed = 1, input = 2}):death(X) end,
      function(X) return mc{X = X, depth = 2, width = 2, trials = 5, progress = false} end,
    }},
    {"network", function() return relu(2, 2, {seed = 1, input = 2}) end, {
      function(n) return n:death(inputs.gaussian(4, 2, {seed = 1})) end, function(n) return n:weights(1) end,
      function(n) return n:clone() end,
    }},
    {"plot", function() return plot.lines{x = {1, 2}, series = {{y = {1, 2}}}} end, {
      function(p) return p:csv(os.tmpname()) end,
    }},
  }
  for _, k in ipairs(kinds) do
    for _, how in ipairs{"__gc", "__close"} do
      for i, use in ipairs(k[3]) do
        local o = k[2]()
        local mt = getmetatable(o)
        mt[how](o); mt[how](o)
        local ok, e = pcall(use, o)
        e = tostring(e)
        t.ok(not ok and (e:find("closed", 1, true) or e:find("freed", 1, true)) and not e:find("a userdata", 1, true),
             ("%s after %s by hand, use %d: an error naming it closed (%s)"):format(k[1], how, i, e))
      end
    end
  end
  full_gc()
end

------------------------------------------------------------ Ctrl-C in a slow progress callback
do
  -- one SIGINT (what Ctrl-C sends) while the callback busy-loops: the run
  -- stops, and the callback is not entered again for the final report
  -- (which used to need a second Ctrl-C). In relush one Ctrl-C stops the
  -- whole script (exit 130), so the run is a script of its own, which logs
  -- every entry into its callback to a file.
  local proc = require "proc"
  local RELUSH = os.getenv("RELUSH") or arg[-1]
  local dir = proc.tmpdir()
  proc.spit(dir .. "/slow.lua", [[
local entered = 0
mc{depth = 3, width = 3, trials = 1e8, seed = 1, threads = 2, progress = function()
  entered = entered + 1
  local f = io.open("entered.log", "a"); f:write("entered\n"); f:close()
  if entered > 1 then return end
  -- os.execute ignores SIGINT while its child runs, so the kill comes later
  os.execute("(sleep 0.2; kill -INT $PPID) &")
  while true do end   -- only the interrupt ends this
end}
print("not reached")
]])
  local out, err, status = proc.run(dir, RELUSH, "slow.lua", "", nil, "timeout 60")
  t.ok(status == 130 and out == "" and err:find("interrupted", 1, true),
       "one SIGINT stops mc inside a slow progress callback, and the script (exit " .. tostring(status) .. "): " .. err)
  local _, entries = proc.slurp(dir .. "/entered.log"):gsub("entered\n", "")
  t.is(entries, 1, "... and the callback is not entered again for the final report")
  os.execute("rm -rf " .. proc.q(dir))
end

t.done()

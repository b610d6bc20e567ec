-- fuzz.lua: API fuzzing. Calls every function and method of the relush
-- API (the module table and its sub-tables, the shell's globals, the help
-- registry, and the metatables of every relush type: Net, Matrix, the
-- reports, bound tables, Monte Carlo results, plots, limits ...) with
-- random, missing, wrong-typed, huge, negative, NaN, infinite and nested
-- arguments and option tables, tens of thousands of times. Every call must
-- return or raise a Lua error; a crash, a hang, a sanitizer report or a
-- leak fails the test.
--
-- Run by `make check` as `relush tests/fuzz/fuzz.lua` (the driver). The
-- driver runs the calls in a child relush (the worker) so that it can
-- report a crash with the call that caused it: the worker's standard output
-- (what print, help and view write) goes to /dev/null, standard input is
-- /dev/null (so view() prints its snapshot instead of taking the
-- terminal), it runs in a scratch folder (files the API writes stay
-- there), with RELUSH_MEM_LIMIT=64M so that huge sizes fail at once and
-- RELUSH_SEED set so that unseeded nets repeat too, under `timeout`. It
-- logs each call before making it; the driver prints TAP, one line per
-- batch of calls.
--
-- The worker also runs with RELUSH_FAULT_INJECTION, and a tenth of the
-- calls are made with 1 in 3 to 300 of the Lua heap's allocations failing:
-- every "not enough memory" path must raise its error and leak nothing.
--
-- Environment: RELUSH_FUZZ_CALLS (default 50000), RELUSH_FUZZ_SEED (default
-- 1; "random" picks one from the clock; the seed is always printed, and the
-- same seed makes the same calls), RELUSH_FUZZ_BATCH (calls per TAP line,
-- default 1000), RELUSH_FUZZ_TIMEOUT (seconds, default 1200).
--
-- Hostile Lua: option tables and lists come with metatables
-- whose __index and __len collect garbage (and build values referenced
-- nowhere else), __len lies, and callbacks (progress, schedules, __index)
-- collect garbage, close objects with <close> (a Net, a Matrix, a Plot that
-- C may be using) and empty the option tables of the call they are in. The
-- mc and view option tables keep their tamed values behind such proxies.
--
-- After the calls, a REPL phase pipes lines into `relush -i` whose results
-- (random values, API objects, lying metatables) go through the shell's
-- pretty printer.
--
-- Not fuzzed, on purpose: the Lua standard library (not ours; os.exit would
-- end the worker), the REPL's line editing (readline on a terminal; driven
-- by the terminal tests), the view on a terminal (it would wait for keys:
-- the worker's standard streams are not terminals, so view() takes its
-- batch path), and registry["relush.fault_injection"] (the fuzzer's own
-- tool).
-- Calls that would only be slow, not wrong, are made cheap: Monte Carlo
-- trials are capped at 64, bound.schedule's layers (summed one by one, up
-- to 2^62 on request) at 1e5, option tables of mc, view and bound.schedule
-- lose their metatables (an __index could ask for any of these), and sizes
-- whose work (not memory) is large are scaled down; sizes whose memory is
-- large are kept, since they must fail at once against the memory limit.

local RELUSH = os.getenv("RELUSH") or arg[-1]

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return "" end
  local s = f:read("a")
  f:close()
  return s
end

---------------------------------------------------------------------------
-- the driver
---------------------------------------------------------------------------
if arg[1] ~= "--worker" and arg[1] ~= "--repl" then
  local t = require "tap"
  local calls = math.tointeger(tonumber(os.getenv("RELUSH_FUZZ_CALLS") or "")) or 50000
  local batch = math.tointeger(tonumber(os.getenv("RELUSH_FUZZ_BATCH") or "")) or 1000
  local limit = math.tointeger(tonumber(os.getenv("RELUSH_FUZZ_TIMEOUT") or "")) or 1200
  local seed = os.getenv("RELUSH_FUZZ_SEED") or "1"
  if seed == "random" then seed = tostring(os.time() % 1000000) end
  seed = math.tointeger(tonumber(seed)) or 1
  t.diag(string.format("seed %d, %d calls (replay: RELUSH_FUZZ_SEED=%d RELUSH_FUZZ_CALLS=%d)",
                       seed, calls, seed, calls))
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. q(dir)))
  local script = debug.getinfo(1, "S").source:gsub("^@", "")
  if script:sub(1, 1) ~= "/" then script = os.getenv("PWD") .. "/" .. script end
  local status_file, log_file, err_file = dir .. "/status", dir .. "/calls.log", dir .. "/stderr"
  local cmd = string.format(
    "cd %s && RELUSH_MEM_LIMIT=64M RELUSH_SEED=%d RELUSH_FAULT_INJECTION=1 RELUSH_HISTORY=/dev/null timeout -k 10 %d %s %s --worker %d %d %d %s %s " ..
    "</dev/null >/dev/null 2>%s",
    q(dir), seed, limit, q(RELUSH), q(script), seed, calls, batch, q(status_file), q(log_file), q(err_file))
  local started = os.time()
  local _, how, code = os.execute(cmd)
  local seconds = os.time() - started
  -- one TAP line per batch the worker finished
  local done, finished, targets_seen = 0, false, {}
  for line in slurp(status_file):gmatch("[^\n]+") do
    local k, n, ok, err, secs = line:match("^batch (%d+) (%d+) (%d+) (%d+) ([%d.]+)$")
    if k then
      done = done + tonumber(n)
      t.ok(true, string.format("batch %d: %d calls returned or raised a Lua error (%d returned, %d errors, %.1f s)",
                               k, n, ok, err, secs))
    elseif line == "finished" then
      finished = true
    elseif line:match("^target ") then
      targets_seen[#targets_seen + 1] = line:gsub("^target (%S+) (%d+) (%d+)", "%1 %2/%3")
    end
  end
  if #targets_seen > 0 then
    t.diag(string.format("%d functions and methods fuzzed (name calls/returned):", #targets_seen))
    for i = 1, #targets_seen, 6 do t.diag(table.concat(targets_seen, "  ", i, math.min(i + 5, #targets_seen))) end
  end
  local stderr = slurp(err_file)
  local clean = how == "exit" and code == 0
  if not clean then
    local last = {}
    for l in slurp(log_file):gmatch("[^\n]+") do
      last[#last + 1] = l
      if #last > 3 then table.remove(last, 1) end
    end
    t.diag(string.format("the worker ended with %s %s after %d s", how, tostring(code), seconds))
    if how == "exit" and code == 124 then t.diag("(timeout: a call did not return)") end
    for _, l in ipairs(last) do t.diag("last calls: " .. l) end
  end
  t.ok(finished and clean, string.format("the worker made every call and exited cleanly (%s %s)", how, tostring(code)))
  local reports = {}
  for l in stderr:gmatch("[^\n]+") do
    if l:find("Sanitizer", 1, true) or l:find("runtime error:", 1, true) or l:find("fatal signal", 1, true)
       or l:find("PANIC", 1, true) then
      reports[#reports + 1] = l
    end
  end
  if #reports > 0 or not clean then
    local shown = 0
    for l in stderr:gmatch("[^\n]+") do
      shown = shown + 1
      if shown > 60 then break end
      t.diag("stderr: " .. l)
    end
  end
  t.is(#reports, 0, "no sanitizer report, runtime error or crash message")
  t.ok(done >= calls, string.format("%d calls made (%d asked for) in %d s", done, calls, seconds))

  -- the REPL phase: random values printed by the shell's pretty printer
  local values = math.max(calls // 25, 100)
  local lines = {}
  for i = 1, values do lines[i] = "fz(" .. i .. ")" end
  local f = assert(io.open(dir .. "/repl.in", "w"))
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
  local repl_err = dir .. "/repl.err"
  local _, rhow, rcode = os.execute(string.format(
    "cd %s && RELUSH_MEM_LIMIT=64M RELUSH_SEED=%d RELUSH_HISTORY=/dev/null timeout -k 10 %d %s -i %s --repl %d " ..
    "<repl.in >/dev/null 2>%s", q(dir), seed, limit, q(RELUSH), q(script), seed, q(repl_err)))
  local rstderr, rreports = slurp(repl_err), 0
  for l in rstderr:gmatch("[^\n]+") do
    if l:find("Sanitizer", 1, true) or l:find("runtime error:", 1, true) or l:find("fatal signal", 1, true) then
      rreports = rreports + 1
      t.diag("repl stderr: " .. l)
    end
  end
  if not (rhow == "exit" and rcode == 0) then
    local shown = 0
    for l in rstderr:gmatch("[^\n]+") do
      shown = shown + 1
      if shown > 40 then break end
      t.diag("repl stderr: " .. l)
    end
  end
  t.ok(rhow == "exit" and rcode == 0 and rreports == 0,
       string.format("the REPL printed %d lines of random values (pretty printer): %s %s, no report",
                     values, rhow, tostring(rcode)))
  clean = clean and rhow == "exit" and rcode == 0 and rreports == 0
  if clean then os.execute("rm -rf " .. q(dir)) else t.diag("files kept in " .. dir) end
  t.done()
end

---------------------------------------------------------------------------
-- the worker
---------------------------------------------------------------------------
local mode, seed = arg[1], tonumber(arg[2])
local calls, batch, status, log
if mode == "--worker" then
  calls, batch = tonumber(arg[3]), tonumber(arg[4])
  status = assert(io.open(arg[5], "w"))
  log = assert(io.open(arg[6], "w"))
end
local relush = require "relush"
math.randomseed(seed)
local R = math.random

local function pick(list) return list[R(#list)] end
local function chance(p) return R() < p end

-- ---- values -------------------------------------------------------------

local nan, inf = 0 / 0, math.huge
local small_ints = {0, 1, 2, 3, 4, 5, 8, -1, -2}
local big_numbers = {
  1e3, 1e4, 1e6, 1e7, 1e9, 1e12, 1e15, 1e18, 1e300, 2^31 - 1, 2^31, 2^32, 2^53, 2^53 + 2, 2^63,
  math.maxinteger, math.mininteger, -2^31, -1e9, 4294967295, 100000001, 1e8,
}
local odd_numbers = {nan, -nan, inf, -inf, 0.5, -0.0, 1e-300, 5e-324, 3.7, -2.5, 1 / 3, 1e-9, 0.999999}
local words = {
  "", "a", "he", "glorot", "normal", "uniform", "laplace", "zero", "plain", "residual", "dense",
  "skip", "batchnorm", "auto", "explicit", "gram", "reference", "all", "alive", "line", "dashed",
  "dotted", "points", "red", "nan", "inf", "-1", "1e9", "2G", "64M", "0x10", "%s%s%n%d", "\0", "a\0b",
  "fuzz.csv", "fuzz.svg", "out/none/x.csv", "/nonexistent/x.csv", ".", "..", "memory", "rows",
  "cols", "depth", "width", "widths", "input", "seed", "layers", "__index", "__gc", "ÿÿ", "\255\254",
}
-- the option names any function takes, for option tables
local option_names = {}
for _, list in pairs(relush._options or {}) do
  for _, name in ipairs(list) do option_names[#option_names + 1] = name end
end
for _, w in ipairs{"x", "y", "name", "lo", "hi", "style", "color", "label", "sd", "a", "scale", "law",
                   "width", "height", "ascii", "colour", "unicode", "i", "N"} do
  option_names[#option_names + 1] = w
end

-- the shell's allocation-failure injection (RELUSH_FAULT_INJECTION): on
-- for a tenth of the calls, so that the "not enough memory" paths of the
-- bindings run too, and must not leak or crash
local fault = debug.getregistry()["relush.fault_injection"]

-- Lua runs a finalizer only if its call gets memory: a __gc whose call hits
-- an injected fault is lost (Lua frees the object without it), and a box's
-- C memory with it, which LeakSanitizer then reports. So while faults are
-- injected the collector is stopped (call_target) and the callbacks'
-- collections run with the faults paused: the fuzz tests relush's
-- out-of-memory paths, not that rule of Lua's.
local faulting             -- {rate, seed} while a call runs with faults
local function gc(what)
  if faulting then fault(false) end
  collectgarbage(what)
  if faulting then fault(faulting[1], faulting[2]) end
end
local samples = {}          -- objects of every relush type, renewed each batch
local found = {}            -- objects with a metatable returned by calls
local depth_now = 0         -- nesting of callbacks that call the API

local gen, gen_option_table, call_random

local function gen_number()
  local r = R()
  if r < 0.45 then return pick(small_ints)
  elseif r < 0.6 then return R(1, 16)
  elseif r < 0.8 then return pick(big_numbers)
  else return pick(odd_numbers) end
end

local function gen_string()
  local r = R()
  if r < 0.7 then return pick(words) end
  if r < 0.8 then return string.rep("x", pick{100, 1000, 100000}) end
  local n, t = R(0, 12), {}
  for i = 1, n do t[i] = string.char(R(0, 255)) end
  return (table.concat(t):gsub("/", "_"))   -- no paths outside the scratch folder
end

local function gen_list(depth)
  local r, n, t = R(), R(0, 6), {}
  for i = 1, n do
    if r < 0.5 then t[i] = R(1, 5)
    elseif r < 0.7 then t[i] = gen_number()
    else t[i] = gen(depth + 1) end
  end
  if chance(0.1) then t[R(1, 8)] = gen(depth + 1) end     -- holes
  return t
end

-- tables whose metamethods lie or fail
-- a proxy for t: every read goes through __index (and # through __len),
-- which collects garbage first, so values only the proxy hands out must be
-- anchored by whoever takes them
local function gc_proxy(t)
  return setmetatable({}, {
    __index = function(_, k)
      if chance(0.5) then gc() else gc("step") end
      local v = rawget(t, k)
      if type(v) == "string" and chance(0.5) then v = (v .. "#"):sub(1, #v) end   -- a fresh copy
      return v
    end,
    __len = function() gc("step"); return #t end,
    __pairs = function() return next, t, nil end,
  })
end

local function gen_tricky_table(depth)
  local kind = R(9)
  if kind == 7 then return gc_proxy(gen_list(depth)) end
  if kind == 8 then return gc_proxy(gen_option_table(nil, depth)) end
  if kind == 9 then
    -- a list of fresh objects that __index builds and nothing else holds
    return setmetatable({}, {__len = function() return R(0, 3) end, __index = function(_, i)
      gc()
      if type(i) ~= "number" then return nil end
      local ok, v = pcall(pick{function() return inputs.gaussian(R(1, 4), R(1, 3), {seed = R(0, 9)}) end,
                              function() return mc{depth = 2, width = 2, trials = R(1, 16), seed = 1, progress = false} end,
                              function() return relu(2, 2, {seed = R(0, 9)}) end,
                              function() return "fresh " .. R(1e6) end})
      return ok and v or nil
    end})
  end
  if kind == 1 then
    return setmetatable({}, {__len = function() return pick{0, -1, 1, 3, 2^31, 1e12, math.maxinteger} end})
  elseif kind == 2 then
    return setmetatable({}, {__len = function() return pick{2.5, "x", nan} end})
  elseif kind == 3 then
    return setmetatable({}, {__index = function() error("tricky index") end})
  elseif kind == 4 then
    return setmetatable({}, {__index = function(_, k) return type(k) == "number" and k <= 4 and R(1, 4) or nil end,
                             __len = function() return 4 end})
  elseif kind == 5 then
    local t = gen_list(depth)
    t[1] = t                                              -- a cycle
    return t
  else
    return setmetatable(gen_list(depth), {__index = function() return gen(depth + 1) end})
  end
end

local current_args       -- the arguments of the call being made (callbacks may empty them)

-- callbacks that attack what C is using: collect garbage, close a sample
-- (<close> frees a Net's, a Matrix's or a Plot's memory at once), or empty
-- the option tables of the call they run in (o.X = nil; collectgarbage())
local hostile_callbacks = {
  function() gc(); return true end,
  function()
    local s = samples[R(math.max(#samples, 1))]
    local mt = s and debug.getmetatable(s.value)
    if mt and rawget(mt, "__close") then local c <close> = s.value end
    gc()
    return true
  end,
  function()
    for _, a in ipairs(current_args or {}) do
      -- not _G itself (an argument gen can pick): wiping it took the fuzz's
      -- own globals (limits) whenever a progress callback fired, which
      -- depends on the machine's load
      if type(a) == "table" and not debug.getmetatable(a) and a ~= _G then
        for k in next, a do rawset(a, k, nil) end
      end
    end
    gc()
    return pick{true, nil}
  end,
  function(...)
    for _, a in ipairs{...} do
      local mt = debug.getmetatable(a)
      if mt and rawget(mt, "__close") then local c <close> = a end
    end
    gc()
  end,
}

local function gen_function(depth)
  local r = R()
  if r < 0.15 then return pick(hostile_callbacks) end
  r = R()
  if r < 0.3 then
    local v = gen(depth + 1)
    return function() return v end
  elseif r < 0.45 then
    return function(l) return type(l) == "number" and l <= 3 and R(1, 6) or nil end
  elseif r < 0.55 then
    return function() error(pick{"callback error", {}, nil, setmetatable({}, {__tostring = function() error("x") end})}) end
  elseif r < 0.65 then
    return function() return false end
  elseif r < 0.75 then
    return function() if coroutine.isyieldable() then coroutine.yield(1) end return true end
  else
    -- calls back into the API, from inside a C function that called it
    return function(...)
      if depth_now < 2 then
        depth_now = depth_now + 1
        pcall(call_random, ...)
        depth_now = depth_now - 1
      end
      return pick{true, false, nil, 1, "x"}
    end
  end
end

function gen(depth)
  depth = depth or 0
  local r = R()
  if depth > 2 then r = r * 0.55 end                      -- no deep nesting
  if r < 0.05 then return nil
  elseif r < 0.1 then return chance(0.5)
  elseif r < 0.35 then return gen_number()
  elseif r < 0.47 then return gen_string()
  elseif r < 0.55 then
    if #samples > 0 then return pick(samples).value end
    return gen_number()
  elseif r < 0.6 then
    if #found > 0 then return pick(found) end
    return gen_list(depth)
  elseif r < 0.72 then return gen_list(depth)
  elseif r < 0.82 then return gen_option_table(nil, depth)
  elseif r < 0.87 then return gen_tricky_table(depth)
  elseif r < 0.95 then return gen_function(depth)
  else return pick{io.stdout, coroutine.create(print), print, relush, _G, limits or {}} end
end

-- an option table: names this function takes (or any function takes),
-- sometimes positional entries and unknown names
function gen_option_table(names, depth)
  local t, n = {}, R(0, 5)
  for _ = 1, n do
    local name
    if names and #names > 0 and chance(0.7) then name = pick(names)
    elseif chance(0.8) then name = pick(option_names)
    else name = gen_string() end
    t[name] = gen((depth or 0) + 1)
  end
  if chance(0.15) then t[1], t[2] = gen_number(), gen_number() end
  if chance(0.05) then t[true] = 1 end
  return t
end

-- ---- plausible arguments ---------------------------------------------------
-- Calls that succeed reach deeper code than calls that fail at the first
-- check, so about half the calls start from valid arguments, then one or two
-- of them are mutated.

local function S(kind)
  for _ = 1, 8 do
    local s = pick(samples)
    if s and s.kind == kind then return s.value end
  end
  for _, s in ipairs(samples) do if s.kind == kind then return s.value end end
  return nil
end

local function small() return R(1, 5) end
local function net_options()
  local o = {}
  if chance(0.5) then o.seed = R(0, 100) end
  if chance(0.3) then o.bias = pick{0, 0.1, 1, "he", {law = "uniform", a = 0.5}} end
  if chance(0.3) then o.weights = pick{"he", "glorot", "normal", "uniform", "laplace", {law = "normal", sd = 2}} end
  if chance(0.3) then o.arch = pick{"plain", "residual", "dense", "skip", "batchnorm"} end
  if chance(0.2) then o.input = small() end
  return o
end

local plausible
plausible = {
  ["relu"] = function() if chance(0.5) then return {small(), small(), net_options()} end
    local o = net_options(); o.depth, o.width = small(), small(); return {o} end,
  ["inputs.gaussian"] = function() return {small() * 3, small(), {seed = R(0, 9), sd = 1}} end,
  ["inputs.uniform"] = function() return {small() * 3, small(), -1, 1} end,
  ["inputs.point"] = function() return {small()} end,
  ["inputs.sphere"] = function() return {small() * 3, small()} end,
  ["inputs.orthant"] = function() return {small(), 2} end,
  ["inputs.shrink"] = function() return {S("matrix"), 0.5} end,
  ["inputs.load"] = function() return {pick{"fuzz.csv", "loadme.csv", "nofile.csv", "."}} end,
  ["inputs.from"] = function() return {{{1, 2}, {3, 4}, {5, 6}}} end,
  ["mc"] = function()
    local o = net_options(); o.depth, o.width, o.trials = small(), small(), R(1, 64)
    if chance(0.3) then o.X = S("matrix"); o.input = nil end
    if chance(0.2) then o.method = pick{"auto", "explicit", "gram", "reference"} end
    if chance(0.2) then o.stats = pick{"all", "alive"} end
    if chance(0.1) then o.shard = {1, 2} end
    if chance(0.1) then o.threads = R(1, 3) end
    if chance(0.1) then o.progress = gen_function(0) end
    if chance(0.1) then o.progress = pick(hostile_callbacks) end
    if chance(0.1) then o.flip = true end
    return {o} end,
  ["mc.merge"] = function()
    local list = {}
    for i = 1, R(1, 3) do
      local ok, r = pcall(mc, {depth = 2, width = 2, trials = 12, seed = 3, shard = {i, 3}, progress = false})
      list[i] = ok and r or nil
    end
    return {chance(0.5) and gc_proxy(list) or list}
  end,
  ["bound.lower"] = function() return chance(0.5) and {{3, 4, 2}} or {small(), small()} end,
  ["bound.upper"] = function() return {{2, 3}, small(), chance(0.5), chance(0.5)} end,
  ["bound.union"] = function() return {{2, 3}, small()} end,
  ["bound.width_for"] = function() return {small() * 10, 0.5} end,
  ["bound.depth_for"] = function() return {small(), 0.5} end,
  ["bound.whole_space"] = function() return {small(), small()} end,
  ["bound.flip"] = function() return {small()} end,
  ["bound.layers"] = function() return {{3, 1, 4}} end,
  ["bound.schedule"] = function() return {function(l) return math.ceil(2 * math.log(l + 1, 2)) end, {layers = R(1, 1000)}} end,
  ["plot.lines"] = function() return {{x = {1, 2, 3}, series = {{name = "a", y = {1, 0.5, 0.25}, lo = {0.9, 0.4, 0.2}, hi = {1, 0.6, 0.3}}},
                                         logy = chance(0.5), refs = {{y = 0.5, label = "half"}}}} end,
  ["view"] = function() return {S("net"), S("matrix")} end,
  ["view.snapshot"] = function() return {S("net"), S("matrix"), {width = R(60, 200)}} end,
  ["help"] = function() return {pick{"relu", "net:death", "mc", "nothing", relush.relu}} end,
}
do   -- plot options (labels, series) and the series list read through GC-ing proxies
  local lines = plausible["plot.lines"]
  plausible["plot.lines"] = function()
    local args = lines()
    args[1].title, args[1].xlabel = "t" .. R(1e6), "x" .. R(1e6)
    if chance(0.3) then args[1].series = gc_proxy(args[1].series) end
    if chance(0.4) then args[1] = gc_proxy(args[1]) end
    return args
  end
end
plausible["bound.log_lower"] = plausible["bound.lower"]
plausible["bound.death"] = plausible["bound.lower"]
plausible["bound.sandwich"] = plausible["bound.lower"]
-- an input set the net self can take (its input dimension, >= 2 points)
local function X_for(self)
  local ok, d = pcall(function() return self.input end)
  if ok and math.type(d) == "integer" and d >= 1 and d <= 64 then
    local okX, X = pcall(inputs.gaussian, R(2, 8), d, {seed = R(0, 99)})
    if okX then return X end
  end
  return S("matrix")
end
local method_args = {
  weights = function(self) return {R(1, 3)} end, bias = function(self) return {R(1, 3)} end,
  forward = function(self) return {X_for(self)} end, death = function(self) return {X_for(self)} end,
  flip = function(self) return {X_for(self)} end, alignment = function(self) return {X_for(self)} end,
  __index = function() return {pick{"rows", "cols", "depth", "input", "widths", "seed", "arch", "memory", 1, 2, 0, -1, 1e9, nan}} end,
  __newindex = function() return {"memory", pick{"64M", 64 * 2^20, 2^21, "1.5G", "65536K"}} end,
  save = function() return {pick{"fuzz.csv", "saved.csv", "/nonexistent/x.csv", "."}} end,
  replay = function() return {1} end, svg = function() return {"fuzz.svg", {width = 300, height = 200}} end,
  csv = function() return {"fuzz.csv"} end, text = function() return {{width = R(20, 100), height = R(5, 30), ascii = chance(0.5)}} end,
}
-- NumPy files: nets and points saved as .npz/.npy, read back by relu.load
-- and inputs.load (which also meet the CSV files written under those names)
plausible["relu.load"] = function() return {pick{"fuzz.npz", "nofile.npz", "fuzz.csv", "."}, chance(0.3) and {arch = pick{"plain", "residual", "dense"}} or nil} end
do
  local save_csv = method_args.save
  method_args.save = function(self) if chance(0.3) then return {pick{"fuzz.npz", "fuzz.npy"}} end return save_csv(self) end
  local load_csv = plausible["inputs.load"]
  plausible["inputs.load"] = function() if chance(0.3) then return {pick{"fuzz.npy", "fuzz.npz"}, chance(0.5) and pick{"0.weight", "2.bias"} or nil} end return load_csv() end
end

-- ---- what is cheap enough to run -------------------------------------------
-- Memory is bounded by RELUSH_MEM_LIMIT; time is not. Scale down what would
-- only take long: Monte Carlo trials, and work (not memory) that grows as
-- depth x width^2 x points.

local function num(v) return type(v) == "number" and v == v and v or nil end

-- a table's own fields, without its metatable
local function plain(t)
  local c = {}
  for k, v in next, t do c[k] = v end
  return c
end

local function tame_mc(o)
  if type(o) ~= "table" then return end
  local tr = num(rawget(o, "trials"))
  if tr == nil and rawget(o, "trials") == nil then rawset(o, "trials", R(1, 64))
  elseif tr and tr > 64 and tr <= 2^53 and tr == math.floor(tr) then rawset(o, "trials", 64) end
  local th = num(rawget(o, "threads"))
  if th and th > 4 and th <= 1024 then rawset(o, "threads", 4) end
  local d, w = num(rawget(o, "depth")) or num(rawget(o, 1)), num(rawget(o, "width")) or num(rawget(o, 2))
  local X = rawget(o, "X")
  local points = (type(X) == "userdata" and getmetatable(X) and (pcall(function() return X.rows end))) and X.rows or 1
  if d and w and d >= 1 and w >= 1 and d * w * w * points > 1e6 and d * w * (w + 1) * 8 < 64 * 2^20 then
    rawset(o, "depth", 1); rawset(o, "width", 2); rawset(o, 1, nil); rawset(o, 2, nil)
  end
  if type(rawget(o, "widths")) == "table" and not getmetatable(rawget(o, "widths")) then
    local sum = 0
    for _, v in ipairs(rawget(o, "widths")) do sum = sum + (num(v) or 0) ^ 2 end
    if sum * points > 1e6 and sum * 8 < 64 * 2^20 then rawset(o, "widths", {2, 2}) end
  end
end

local function tame(name, args)
  -- options read through __index could ask for any number of trials or
  -- layers: those tables go in without their metatables
  if name == "mc" or name == "view" then
    if type(args[1]) == "table" and debug.getmetatable(args[1]) then args[1] = plain(args[1]) end
    tame_mc(args[1])
    -- the tamed options, read through a proxy that collects garbage
    if type(args[1]) == "table" and chance(0.3) then args[1] = gc_proxy(args[1]) end
  end
  if name == "bound.schedule" and type(args[2]) == "table" then
    if debug.getmetatable(args[2]) then args[2] = plain(args[2]) end
    local l = num(rawget(args[2], "layers"))
    if l and l > 1e5 and l <= 2^62 then rawset(args[2], "layers", 1e5) end
  end
  -- a net of depth x width^2 that fits in memory but is slow to draw
  if name == "relu" then
    local d, w = num(args[1]), num(args[2])
    if type(args[1]) == "table" and not getmetatable(args[1]) then
      d, w = num(rawget(args[1], "depth")), num(rawget(args[1], "width"))
    end
    if d and w and d >= 1 and w >= 1 and d * w * w > 2e6 and d * w * (w + 1) * 8 < 64 * 2^20 then
      return false
    end
  end
  if name == "inputs.gaussian" or name == "inputs.uniform" or name == "inputs.sphere" then
    local m, d = num(args[1]), num(args[2])
    if m and d and m >= 1 and d >= 1 and m * d > 1e6 and m * d * 8 < 64 * 2^20 then return false end
  end
  return true
end

-- ---- targets --------------------------------------------------------------

local targets, seen = {}, {}
local function add_target(name, fn, self_kind)
  if type(fn) ~= "function" and not (type(fn) == "table" and getmetatable(fn) and getmetatable(fn).__call) then return end
  local key = tostring(fn) .. (self_kind or "")
  if seen[key] then return end
  seen[key] = true
  targets[#targets + 1] = {name = name, fn = fn, self_kind = self_kind}
end

-- the module, its sub-tables, the shell's globals
local function walk(prefix, t)
  for k, v in pairs(t) do
    if type(k) == "string" and k:sub(1, 1) ~= "_" then
      local name = prefix and (prefix .. "." .. k) or k
      if type(v) == "table" and v ~= relush and v ~= _G then
        add_target(name, v)                             -- callable tables (view)
        if not prefix then walk(name, v) end
      else
        add_target(name, v)
      end
    end
  end
end
walk(nil, relush)
for _, g in ipairs{"help", "view", "plot"} do
  if _G[g] ~= nil then
    add_target(g, _G[g])
    if type(_G[g]) == "table" then walk(g, _G[g]) end
  end
end

-- samples of every type; their metatables give the methods
local function make_samples()
  samples = {}
  local function sample(kind, f)
    local ok, v = pcall(f)
    if ok and v ~= nil then samples[#samples + 1] = {kind = kind, value = v} end
    return ok and v or nil
  end
  local s = R(0, 1000)
  local net = sample("net", function() return relu(3, 4, {seed = s}) end)
  sample("net", function() return relu{widths = {2, 3, 1}, input = 2, arch = pick{"plain", "dense", "skip", "residual"}, seed = s} end)
  local X = sample("matrix", function() return inputs.gaussian(6, 4, {seed = s}) end)
  sample("matrix", function() return inputs.uniform(3, 2, {seed = s}) end)
  sample("report", function() return net:death(X) end)
  sample("report", function() return net:clone():flip(X) end)
  sample("report", function() return net:bounds() end)
  sample("report", function() return net:alignment(X) end)
  sample("report", function() return bound.layers{3, 4} end)
  sample("report", function() return bound.schedule(function(l) return l <= 3 and 4 or nil end) end)
  local r = sample("mc", function() return mc{depth = 2, width = 3, trials = 16, seed = s, method = "explicit", progress = false} end)
  sample("mc", function() return mc{depth = 3, width = 2, trials = 8, seed = s, X = X, progress = false} end)
  sample("net", function() return r:replay(1) end)
  sample("plot", function() return plot.lines{x = {1, 2}, series = {{name = "a", y = {1, 2}}}} end)
  sample("limits", function() return limits end)
  for _, f in ipairs(found) do samples[#samples + 1] = {kind = "found", value = f} end
end

-- every function in the metatables of relush types (from the registry, so
-- internal types count too) and in their method tables
local function add_type_targets()
  for k, mt in pairs(debug.getregistry()) do
    if type(k) == "string" and k:match("^relush%.") and type(mt) == "table" and rawget(mt, "__name") == k then
      local kind = k:gsub("^relush%.", "")
      for mk, mv in pairs(mt) do
        if type(mv) == "function" then add_target(kind .. "." .. tostring(mk), mv, k) end
        if type(mv) == "table" and (mk == "__index" or mk == "__methods") then
          for name, f in pairs(mv) do add_target(kind .. ":" .. tostring(name), f, k) end
        end
      end
    elseif type(k) == "string" and k:match("^relush%.") and type(mt) == "function" and mt ~= fault then
      add_target("registry." .. k, mt)
    end
  end
end

-- an object whose metatable is the registry's type name tn
local function object_of(tn)
  local candidates = {}
  for _, s in ipairs(samples) do
    local mt = debug.getmetatable(s.value)
    if mt and mt == debug.getregistry()[tn] then candidates[#candidates + 1] = s.value end
  end
  return #candidates > 0 and pick(candidates) or nil
end

-- ---- one call ----------------------------------------------------------------

local function describe(v, depth)
  depth = depth or 0
  local tv = type(v)
  if tv == "string" then
    if #v > 40 then return string.format("<string of %d bytes>", #v) end
    return '"' .. v:gsub('[%c"\\\128-\255]', function(c) return string.format("\\%d", c:byte()) end) .. '"'
  end
  if tv == "number" then return math.type(v) == "integer" and tostring(v) or string.format("%.17g", v) end
  if tv == "table" then
    local mt = debug.getmetatable(v)
    if mt and rawget(mt, "__name") then return "<" .. tostring(rawget(mt, "__name")) .. ">" end
    if depth > 1 then return "{...}" end
    local parts, n = {}, 0
    for k, x in next, v do
      n = n + 1
      if n > 8 then parts[#parts + 1] = "..."; break end
      parts[#parts + 1] = (type(k) == "string" and k:match("^[%a_][%w_]*$") and k or "[" .. describe(k, depth + 1) .. "]")
                          .. "=" .. describe(x, depth + 1)
    end
    return (mt and "<table with metatable>" or "") .. "{" .. table.concat(parts, ", ") .. "}"
  end
  if tv == "userdata" then
    local mt = debug.getmetatable(v)
    return "<" .. tostring(mt and rawget(mt, "__name") or "userdata") .. ">"
  end
  return "<" .. tv .. ">"
end

local function options_for(name)
  local o = relush._options or {}
  return o[name] or o[name:gsub("^relush%.", "")]
end

local function make_args(target)
  local args, n = {}, 0
  local r = R()
  local method = target.self_kind ~= nil
  local mname = target.name:match(":(.+)$")
  if r < 0.55 then
    -- plausible, then mutated a little
    local p = plausible[target.name] or method_args[mname or target.name:match("%.(__%a+)$") or ""]
    local self = method and (object_of(target.self_kind) or gen()) or nil
    args = p and p(self) or {}
    n = #args
    if method then
      table.insert(args, 1, self)
      n = n + 1
    end
    for _ = 1, (chance(0.4) and 0 or R(1, 2)) do
      local i = R(math.max(n + 1, 1))
      if method and i == 1 and chance(0.7) then i = math.min(2, n + 1) end
      local o = options_for(target.name)
      if type(args[i]) == "table" and not getmetatable(args[i]) and chance(0.5) then
        local k = o and chance(0.6) and pick(o) or pick(option_names)
        args[i][k] = gen(1)
      else
        args[i] = gen()
      end
      if i > n then n = i end
    end
  else
    -- anything
    n = R(0, 5)
    for i = 1, n do args[i] = gen() end
    if method and chance(0.7) then args[1] = object_of(target.self_kind) or args[1] end
    local o = options_for(target.name)
    if o and chance(0.5) then
      local i = R(1, math.max(n, 1))
      args[i] = gen_option_table(o)
      if i > n then n = i end
    end
  end
  return args, n
end

local per_target = {}      -- name -> {calls, returned}
local fuzz_limit = limits.memory   -- RELUSH_MEM_LIMIT, put back after any call that changed it

local function call_target(target, args, n)
  if not tame(target.name, args) then return true end
  current_args = args
  local st = per_target[target.name] or {0, 0}
  per_target[target.name] = st
  st[1] = st[1] + 1
  local ok, res
  -- faults start inside the protected call: unpacking the arguments may be
  -- the allocation that fails
  local rate, fault_seed = fault and chance(0.1) and R(3, 300), R(1, 1e9)
  local function body()
    if rate then
      faulting = {rate, fault_seed}
      collectgarbage("stop")
      fault(rate, fault_seed)
    end
    return target.fn(table.unpack(args, 1, n))
  end
  if chance(0.03) then
    -- from inside a coroutine, where callbacks may try to yield
    local co = coroutine.create(body)
    ok, res = coroutine.resume(co)
    if rate then fault(false); faulting = nil end      -- resuming allocates outside any pcall
    while ok and coroutine.status(co) == "suspended" do ok, res = coroutine.resume(co) end
  else
    ok, res = pcall(body)
  end
  if rate then
    fault(false)
    faulting = nil
    collectgarbage("restart")
  end
  if ok then st[2] = st[2] + 1 end
  if ok and (type(res) == "userdata" or type(res) == "table") and debug.getmetatable(res) and res ~= limits then
    if #found < 40 then found[#found + 1] = res else found[R(40)] = res end
  end
  -- render what came back: tostring and # go through C too
  if ok and res ~= nil and chance(0.3) then pcall(tostring, res) end
  -- the fuzz may set limits.memory; the next call gets the fuzz's limit back
  -- (a higher one could take the machine's memory, a lower one the worker's)
  if limits.memory ~= fuzz_limit then limits.memory = fuzz_limit end
  return ok
end

-- __gc and __close end a sample's life: picked less often, so that the
-- other methods mostly see live objects
local function pick_target()
  local target = pick(targets)
  if target.name:find("__gc", 1, true) or target.name:find("__close", 1, true) then
    if chance(0.8) then target = pick(targets) end
  end
  return target
end

function call_random()
  local target = pick_target()
  local args, n = make_args(target)
  return call_target(target, args, n)
end

-- ---- the run --------------------------------------------------------------------

-- a file for inputs.load to read
do
  local f = io.open("loadme.csv", "w")
  f:write("# points\n1, 2, 3\n4 5 6\n7;8;9\n")
  f:close()
end

make_samples()
add_type_targets()

-- The REPL phase: fz(i) returns random values (API objects, reports,
-- tables with lying metatables, cycles, deep nesting); the driver feeds
-- "fz(1)", "fz(2)", ... to `relush -i fuzz.lua --repl SEED`, whose REPL
-- prints every result with the shell's pretty printer.
if mode == "--repl" then
  local makers = {
    function() return gen() end,
    function() return pick(samples).value end,
    function() return gen_tricky_table(0) end,
    function() return gen_list(0) end,
    function() return gen_option_table(nil, 0) end,
  }
  function fz(i)
    math.randomseed(seed * 1000003 + i)
    if i % 50 == 0 then make_samples() end
    local v = {}
    for k = 1, R(1, 3) do v[k] = pick(makers)() end
    return table.unpack(v, 1, 3)
  end
  return
end

log:write(string.format("# %d targets:", #targets))
for _, tg in ipairs(targets) do log:write(" ", tg.name) end
log:write("\n")
log:flush()

local made, b = 0, 0
while made < calls do
  b = b + 1
  local started = os.clock()
  local ok_count, err_count = 0, 0
  make_samples()
  for _ = 1, math.min(batch, calls - made) do
    local target = pick_target()
    local args, n = make_args(target)
    local parts = {}
    for i = 1, n do parts[i] = describe(args[i]) end
    log:write(target.name, "(", table.concat(parts, ", "), ")\n")
    log:flush()
    if call_target(target, args, n) then ok_count = ok_count + 1 else err_count = err_count + 1 end
    made = made + 1
  end
  status:write(string.format("batch %d %d %d %d %.2f\n", b, ok_count + err_count, ok_count, err_count, os.clock() - started))
  status:flush()
  add_type_targets()        -- types created on first use (the view's model)
  if b % 5 == 0 then found = {} end
  collectgarbage()
end
samples, found = nil, nil
collectgarbage()
local names = {}
for name in pairs(per_target) do names[#names + 1] = name end
table.sort(names)
for _, name in ipairs(names) do
  status:write(string.format("target %s %d %d\n", name, per_target[name][1], per_target[name][2]))
end
status:write("finished\n")
status:close()
log:close()
-- the script ends normally: the shell closes the Lua state, every __gc
-- runs, and LeakSanitizer checks that nothing was left behind

-- precision.lua: precision = "single" against "double". How often float32
-- decides a sign otherwise than double on P2-sized nets (256 points, d 64,
-- 20 layers of 64), measured and bounded; replay in the precision a run ran
-- in, count for count; threads and shards bit-identical; the precision in
-- results, files and merges; RELUSH_PRECISION; float32 values out of
-- net:forward in every architecture. Fixed seeds throughout.
local t = require "tap"
local proc = require "proc"

local function with(...)
  local o = {}
  for _, part in ipairs{...} do for k, v in pairs(part) do o[k] = v end end
  return o
end

-- ---- sign disagreements per neuron-point -----------------------------------
-- The same float32 weights computed in both precisions (net:save, then
-- relu.load in double). A skip net's output is every layer's ReLU(z), so
-- h > 0 is z > 0 at every neuron of every layer on every point (points that
-- died keep going, so every decision of the net is counted).
local X = inputs.gaussian(256, 64, {seed = 21})
local NETS, disagree, total, maxrel = 4, 0, 0, 0
local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p '" .. dir .. "'"))
for s = 1, NETS do
  local single = relu{depth = 20, width = 64, arch = "skip", seed = 100 + s, precision = "single"}
  single:save(dir .. "/net.npz")
  local double = relu.load(dir .. "/net.npz", {arch = "skip", precision = "double"})
  local hd, hs = double:forward(X), single:forward(X)
  for i = 1, #X do
    local a, b = hd[i], hs[i]
    for j = 1, #a do
      total = total + 1
      if (a[j] > 0) ~= (b[j] > 0) then disagree = disagree + 1 end
      maxrel = math.max(maxrel, math.abs(a[j] - b[j]))
    end
  end
end
os.execute("rm -rf '" .. dir .. "'")
local rate = disagree / total
t.diag(string.format("sign disagreements single vs double: %d of %d neuron-points (%.3g each)",
                     disagree, total, rate))
-- (activations are about 1 in size: floats round them at about 6e-8)
t.ok(maxrel > 1e-12 and maxrel < 1e-4, string.format("single computes in float32: the activations "
     .. "differ from double's by up to %.3g", maxrel))
t.ok(total == NETS * 256 * 20 * 64, "every neuron-point of the P2-sized nets compared")
t.ok(rate < 1e-5, string.format("single and double disagree on %.3g of the signs, below 1e-5", rate))

-- ---- the Monte Carlo estimates agree (4 sigma) -------------------------------
local Xs = inputs.gaussian(32, 4, {seed = 3})
local cfg = {depth = 6, width = 3, X = Xs, trials = 3000, seed = 9, method = "explicit"}
local rd, rs = mc(with(cfg, {precision = "double"})), mc(with(cfg, {precision = "single"}))
t.is(rs.precision, "single", "the result says its precision")
t.is(rd.precision, "double", "... in double too")
local p = (rd.alive_trials + rs.alive_trials) / (2 * cfg.trials)
t.sigma(rs.p_alive - rd.p_alive, 0, math.sqrt(2 * p * (1 - p) / cfg.trials) + 1e-300, 4,
        "P(alive) in single agrees with double")

-- ---- auto mixes Gram layers (double) into a float trial where they are cheaper
do
  local r = mc{depth = 10, width = 4, X = inputs.gaussian(1, 64, {seed = 4}), trials = 4000, seed = 3,
               precision = "single"}
  t.is(r.evaluation, "mixed", "single precision, one point in d = 64: auto runs layer 1 by the Gram sampler")
  local L = bound.lower{4, 4, 4, 4, 4, 4, 4, 4, 4, 4}
  t.sigma(r.p_alive, L, math.sqrt(L * (1 - L) / r.trials), 4, "... and P(alive) of one point is L")
end

-- ---- replay: trial i in single, count for count, on P2-sized sets -------------
do
  local o = {depth = 20, width = 64, X = X, trials = 12, seed = 5, precision = "single", method = "explicit"}
  local r = mc(o)
  local ok = true
  for i = 1, o.trials do
    local one = mc(with(o, {shard = {i, o.trials}}))
    local net = r:replay(i)
    local d = net:death(X)
    ok = ok and net.precision == "single" and one.alive_trials == (d.alive and 1 or 0)
    for l = 1, o.depth do ok = ok and one.layers[l].living == d.layers[l].living end
  end
  t.ok(ok, "r:replay(i):death(X) reproduces every layer's count of a single-precision trial")
end
do
  local X8 = inputs.gaussian(40, 5, {seed = 2})
  local o = {depth = 12, width = 4, X = X8, trials = 400, seed = 7, precision = "single", method = "explicit"}
  local r1, r2 = mc(with(o, {threads = 1})), mc(with(o, {threads = 2}))
  local same = r1.alive_trials == r2.alive_trials and r1.fraction == r2.fraction
  for l = 1, o.depth do same = same and r1.layers[l].living == r2.layers[l].living end
  t.ok(same, "single precision: threads = 1 and 2 give identical counts")
  local pieces = {}
  for i = 1, 3 do pieces[i] = mc(with(o, {shard = {i, 3}})) end
  local m = mc.merge(pieces)
  t.ok(m.alive_trials == r1.alive_trials and m.fraction == r1.fraction and m.precision == "single",
       "single precision: three shards merge into the whole run")
  -- flipping keeps 2^-k of the points on the float values it computes
  local fl = mc(with(o, {flip = true, method = "auto", trials = 200}))
  t.ok(fl.min_fraction >= 2 ^ -12, "single precision, flip = true: at least 2^-k of the points live")
  t.is(fl:replay(5).precision, "single", "a flip run replays in single")

  -- ---- records: saved, loaded, refused when mixed
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p '" .. dir .. "'"))
  local f = dir .. "/single.jsonl"
  r1:save(f, "w")
  t.ok(proc.slurp(f):find('"precision":"single"', 1, true), "the results line records the precision")
  t.is(mc.load(f)[1].precision, "single", "mc.load reads it back")
  local half = {mc(with(o, {shard = {1, 2}})), mc(with(o, {shard = {2, 2}, precision = "double"}))}
  t.raises(function() return mc.merge(half) end, {"precision single", "precision double"},
           "merging a single and a double shard is refused, naming both precisions")
  local old = proc.slurp(f):gsub('"precision":"single",', "")
  proc.spit(dir .. "/old.jsonl", old)
  local ok, err = pcall(mc.load, dir .. "/old.jsonl")
  t.ok(ok and err[1].precision == "double", "a results line without precision (older relush) reads as double")
  os.execute("rm -rf '" .. dir .. "'")
end

-- ---- mc without a precision chooses one from its input set ------------------------
-- Single where floats hold the net's values and resolve X's geometry (the
-- largest point within 64 times the set's spread), double elsewhere; the
-- run is then the explicit run of that precision, count for count.
do
  local G = inputs.gaussian(40, 3, {seed = 21})
  local far = {}
  for i = 1, 40 do far[i] = {G[i][1] + 1e3, G[i][2], G[i][3]} end
  local cases = {
    {"Gaussian points", G, "single"},
    {"uniform points in [0, 1]^3", inputs.uniform(40, 3, {seed = 22}), "single"},
    {"points on the sphere", inputs.sphere(40, 3, {seed = 23}), "single"},
    {"the orthant's corners", inputs.orthant(3), "single"},
    {"one point", inputs.point(3), "single"},
    {"a set shrunk by 0.1", inputs.shrink(G, 0.1), "single"},
    {"a set shrunk by 1e-3", inputs.shrink(G, 1e-3), "double"},
    {"a cluster 1000 away from 0", inputs.from(far), "double"},
    {"points of size 2^80", inputs.gaussian(40, 3, {sd = 2 ^ 80, seed = 24}), "double"},
    {"points of size 2^-80", inputs.gaussian(40, 3, {sd = 2 ^ -80, seed = 25}), "double"},
  }
  for _, c in ipairs(cases) do
    local o = {depth = 5, width = 3, X = c[2], trials = 300, seed = 31, method = "explicit"}
    local r = mc(o)
    t.is(r.precision, c[3], "mc without precision on " .. c[1] .. " runs in " .. c[3])
    local e = mc(with(o, {precision = c[3]}))
    t.ok(r.alive_trials == e.alive_trials and r.fraction == e.fraction,
         "... and counts exactly as precision = '" .. c[3] .. "' (" .. c[1] .. ")")
  end
  -- deep nets: real points drift from the typical size (narrow plain layers
  -- shrink them, Laplace weights twice as fast, residual layers grow them)
  local deep = {
    {"600 plain layers of width 8", {depth = 600, width = 8}, "double"},
    {"100 plain layers of width 8", {depth = 100, width = 8}, "single"},
    {"400 plain layers of width 64", {depth = 400, width = 64}, "single"},
    {"150 Laplace layers of width 8", {depth = 150, width = 8, weights = "laplace"}, "double"},
    {"150 residual layers of width 16", {depth = 150, width = 16, arch = "residual"}, "double"},
    {"300 plain layers of width 6 with biases", {depth = 300, width = 6, bias = 0.5}, "single"},
  }
  for _, c in ipairs(deep) do
    local o = with({X = inputs.gaussian(16, c[2].width, {seed = 26}), trials = 40, seed = 3,
                    method = "explicit"}, c[2])
    local r = mc(o)
    t.is(r.precision, c[3], "mc without precision on " .. c[1] .. " runs in " .. c[3])
    local e = mc(with(o, {precision = c[3]}))
    t.ok(r.alive_trials == e.alive_trials and r.fraction == e.fraction,
         "... and counts exactly as precision = '" .. c[3] .. "' (" .. c[1] .. ")")
    if c[3] == "double" then
      t.raises(function() return mc(with(o, {precision = "single"})) end,
               {"out of range", "single", "layer", "precision = \"double\""},
               "precision = 'single' on " .. c[1] .. " is refused, naming the layer")
    end
  end
  -- the choice depends on X and the net, not on how a run computes, so runs
  -- compared across methods draw the same nets
  local pick = {}
  for _, m in ipairs{"explicit", "reference", "auto"} do
    pick[m] = mc{depth = 4, width = 3, X = G, trials = 10, seed = 1, method = m}.precision
  end
  t.ok(pick.explicit == pick.reference and pick.reference == pick.auto,
       "explicit, reference and auto runs choose alike (" .. pick.explicit .. ")")
  -- copies of one point have no geometry to lose, as one point has none
  t.is(mc{depth = 3, width = 3, X = inputs.from{{1, 2, 3}, {1, 2, 3}}, trials = 10, seed = 1}.precision,
       "single", "copies of one point run in single, like the one point")
  local wide = mc{depth = 3, width = 3, X = G, trials = 10, seed = 1, weights = {law = "normal", sd = 2 ^ 70}}
  t.is(wide.precision, "double", "weights of sd 2^70 (beyond floats' range) keep double")
  t.is(mc{depth = 3, width = 3, X = G, trials = 10, seed = 1, precision = "double"}.precision, "double",
       "an explicit precision is kept")
  t.is(relu{depth = 2, width = 3}.precision, "double", "nets from relu stay double by default")
end

-- ---- the option and the environment -----------------------------------------
t.raises(function() return relu{depth = 2, width = 2, precision = "half"} end,
         {"precision", "\"double\" or \"single\"", "half"}, "relu refuses an unknown precision")
t.raises(function() return mc{depth = 2, width = 2, trials = 2, precision = 32} end,
         {"precision", "\"double\" or \"single\""}, "mc refuses a precision that is not a name")
local sh = function(env, chunk)
  local h = io.popen(env .. " " .. proc.q(os.getenv("RELUSH")) .. " -e " .. proc.q(chunk) .. " 2>&1")
  local out = h:read("a")
  h:close()
  return out
end
t.ok(sh("RELUSH_PRECISION=single", "print(relu{depth=1, width=1}.precision)"):find("single", 1, true),
     "RELUSH_PRECISION=single makes single the default")
t.ok(sh("RELUSH_PRECISION=double", "print(mc{depth=2, width=2, X=inputs.gaussian(8, 2), trials=2}.precision)"):find("double", 1, true),
     "RELUSH_PRECISION=double is kept by mc, which otherwise chooses single for that set")
t.ok(sh("RELUSH_PRECISION=half", "print(1)"):find("RELUSH_PRECISION='half' is not valid", 1, true),
     "a bad RELUSH_PRECISION is refused at start-up, naming what it accepts")
do
  local net, floats = relu{depth = 3, width = 5, precision = "single", seed = 1, bias = {law = "uniform", a = 1}}, true
  for l = 1, 3 do
    for _, row in ipairs(net:weights(l)) do
      for _, w in ipairs(row) do floats = floats and w == string.unpack("f", string.pack("f", w)) end
    end
    for _, b in ipairs(net:bias(l)) do floats = floats and b == string.unpack("f", string.pack("f", b)) end
  end
  t.ok(floats, "a single-precision net's weights and biases are float32 values")
  t.is(relu.load and net.precision, "single", "net.precision says single")
end
-- ... whatever gave them: drawn, loaded from a double net's file, trained
-- (either method, every architecture), flipped
do
  local function all_floats(net)
    for l = 1, net.depth do
      for _, row in ipairs(net:weights(l)) do
        for _, w in ipairs(row) do if w ~= string.unpack("f", string.pack("f", w)) then return false end end
      end
      for _, b in ipairs(net:bias(l)) do if b ~= string.unpack("f", string.pack("f", b)) then return false end end
    end
    return true
  end
  local X = inputs.gaussian(16, 3, {seed = 4})
  local dir = require("proc").tmpdir()
  for _, arch in ipairs{"plain", "residual", "dense", "skip", "batchnorm"} do
    local o = {depth = 3, width = 3, input = 3, arch = arch, seed = 2, bias = {law = "normal", sd = 0.1}}
    local double = relu(o)
    double:save(dir .. "/net.npz")
    o.precision = "single"
    local ways = {
      {"drawn", function() return relu(o) end},
      {"relu.load{precision = 'single'} of a double net", function()
        return relu.load(dir .. "/net.npz", {arch = arch, precision = "single"}) end},
    }
    for _, method in ipairs{"gd", "adam"} do
      ways[#ways + 1] = {"trained (" .. method .. ")", function()
        local net = relu(o)
        local Y = {}
        for i = 1, #X do Y[i] = {} for j = 1, net:forward(X).cols do Y[i][j] = 0.25 * i / #X end end
        net:train(X, Y, {method = method, steps = 3, rate = 0.01})
        return net
      end}
    end
    ways[#ways + 1] = {"flipped", function() local net = relu(o); net:flip(X); return net end}
    for _, w in ipairs(ways) do
      local net = w[2]()
      t.ok(net.precision == "single" and all_floats(net),
           ("%s single-precision net %s: its weights and biases are float32 values"):format(arch, w[1]))
    end
  end
  os.execute("rm -rf " .. require("proc").q(dir))
end
-- ---- a single-precision net computes and returns float32 values ----------------
-- For every architecture, weight law and bias law: every value net:forward
-- returns is a float32, and the dead/alive pattern it shows, layer by layer
-- (the net's first k layers loaded back with keys, whose output, or for skip
-- its last layer's block, is a zero row exactly where the point has no active
-- unit at layer k, or for residual and dense a zero representation), is
-- net:death's dead_at and the counts of the mc trial replayed.
do
  local function is_float(x) return x == string.unpack("f", string.pack("f", x)) end
  local X = inputs.gaussian(24, 4, {seed = 8})
  local dir = proc.tmpdir()
  local depth, width, TRIALS = 5, 4, 3
  local bad_float, bad_pattern, bad_counts, cases = {}, {}, {}, 0
  for _, arch in ipairs{"plain", "residual", "dense", "skip", "batchnorm"} do
    for _, law in ipairs{"he", {law = "uniform", a = 1}, {law = "laplace", scale = 0.5}} do
      for _, bias in ipairs{0, {law = "normal", sd = 0.3}, {law = "uniform", a = 0.5}} do
        local o = {depth = depth, width = width, input = 4, X = X, trials = TRIALS, seed = 11, arch = arch,
                   weights = law, bias = bias, precision = "single",
                   method = arch == "plain" and "explicit" or "reference"}
        local r = mc(o)
        local name = ("%s, weights %s, bias %s"):format(arch, type(law) == "table" and law.law or law,
                                                         type(bias) == "table" and bias.law or bias)
        for i = 1, TRIALS do
          cases = cases + 1
          local net, one = r:replay(i), mc(with(o, {shard = {i, TRIALS}}))
          local d = net:death(X)
          net:save(dir .. "/net.npz")
          local out = net:forward(X)
          for p = 1, #X do
            for _, v in ipairs(out[p]) do if not is_float(v) then bad_float[name] = true end end
          end
          local dead, keys = {}, {}
          for p = 1, #X do dead[p] = 0 end
          for k = 1, depth do
            keys[k] = tostring(2 * (k - 1))
            local prefix = relu.load(dir .. "/net.npz", {keys = keys, arch = arch, precision = "single"})
            local h = prefix:forward(X)
            for p = 1, #X do
              local row, zero = h[p], true
              for j = #row - (arch == "skip" and width or #row) + 1, #row do
                if not is_float(row[j]) then bad_float[name] = true end
                zero = zero and row[j] == 0
              end
              if zero and dead[p] == 0 then dead[p] = k end
            end
          end
          local living = 0
          for p = 1, #X do
            if arch == "skip" and dead[p] > 1 then dead[p] = 0 end
            if dead[p] == 0 then living = living + 1 end
            if d.dead_at[p] ~= dead[p] then bad_pattern[name] = true end
          end
          if d.living ~= living or one.alive_trials ~= (living > 0 and 1 or 0)
             or math.floor(one.fraction * #X + 0.5) ~= living then bad_counts[name] = true end
          for l = 1, depth do
            if one.layers[l].living ~= d.layers[l].living then bad_counts[name] = true end
          end
        end
      end
    end
  end
  os.execute("rm -rf " .. proc.q(dir))
  local function names(set)
    local list = {}
    for k in pairs(set) do list[#list + 1] = k end
    table.sort(list)
    return #list == 0 and "none" or table.concat(list, "; ")
  end
  t.is(cases, 5 * 3 * 3 * TRIALS, "every architecture x weight law x bias law x trial evaluated")
  t.is(names(bad_float), "none", "a single-precision net's forward values are all float32")
  t.is(names(bad_pattern), "none",
       "net:forward's dead/alive pattern, layer by layer, is net:death's dead_at")
  t.is(names(bad_counts), "none", "... and the replayed mc trial's counts")
end
t.done()

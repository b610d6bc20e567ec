-- properties.lua: every Monte Carlo method gives the same answer on every
-- class of input set, or refuses it with a clear message. The classes are the
-- ones that broke samplers before: zero points (first, middle, last),
-- duplicates, collinear and rank-deficient sets, one point, more and fewer
-- points than dimensions, coordinates scaled by powers of two far from 1, and
-- huge or tiny weight and bias scales. For each, the Gram sampler, the lazy
-- sampler (stats = "alive"), the explicit kernels and the reference
-- (net_create + net:death) agree within 4 standard errors on P(alive), mean F
-- and min F. Gram and lazy share their randomness (and give the same
-- P(alive) count), explicit and reference theirs; the two families are
-- compared through standard errors only.
-- Where the answer is known exactly (one point, duplicates) it is checked
-- too. Fixed seeds throughout.
local t = require "tap"

-- tests/lua/single.sh runs this file again with RELUSH_PRECISION=single.
-- Floats hold sizes reliably only within 2^-64 .. 2^64: there the classes
-- scaled beyond (FLOAT_OUT below) must be refused with a clear message,
-- and every other class runs and agrees as in double.
local SINGLE = relu{depth = 1, width = 1}.precision == "single"
local FLOAT_OUT = {"2^500", "2^-500", "1e155", "1e-165", "2^400", "sd 2^60", "sd 2^-60", "2^300",
                   "2^-300", "2^-150"}
local function beyond_float(name)
  for _, s in ipairs(FLOAT_OUT) do if name:find(s, 1, true) then return true end end
  return false
end

local TRIALS = 2000
local D = 8
local base = {depth = 5, width = 3, trials = TRIALS, seed = 11, threads = 1}
-- Narrow deep nets often kill every point (min F is then 0 everywhere); wide
-- shallow ones rarely kill any, so min F is a real test there (and at width
-- 24 a point dies with probability about 2^-23: min F is 1 unless a sampler
-- loses points).
local nets = {{"", {}}, {" [wide]", {depth = 2, width = 10}}, {" [wider]", {depth = 2, width = 24}}}

local function with(...)
  local o = {}
  for _, part in ipairs{...} do for k, v in pairs(part) do o[k] = v end end
  return o
end

local function rows_of(X)
  local r = {}
  for i = 1, #X do r[i] = X[i] end
  return r
end

local function zero(d) local z = {} for i = 1, d do z[i] = 0 end return z end
local function scaled(x, s) local y = {} for i, v in ipairs(x) do y[i] = v * s end return y end
local function combo(a, u, b, v)
  local y = {}
  for i = 1, #u do y[i] = a * u[i] + b * v[i] end
  return y
end

local G = rows_of(inputs.gaussian(24, D, {seed = 5}))

-- ---- agreement within 4 sigma ------------------------------------------------

-- P(alive): two-proportion z with the pooled standard error.
local function p_agree(a, b, what)
  local n1, n2 = a.trials, b.trials
  local p = (a.alive_trials + b.alive_trials) / (n1 + n2)
  local se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
  local d = a.alive_trials / n1 - b.alive_trials / n2
  if se == 0 then return t.is(d, 0, what) end
  return t.sigma(d, 0, se, 4, what)
end

-- Mean F: the difference of two independent means.
local function f_agree(a, b, what)
  local se = math.sqrt(a.fraction_se ^ 2 + b.fraction_se ^ 2)
  if se == 0 then return t.is(a.fraction, b.fraction, what) end
  return t.sigma(a.fraction - b.fraction, 0, se, 4, what)
end

-- Trials of run opts whose F is at most v, read trial by trial (a shard of
-- one trial is that trial: results do not depend on sharding).
local function count_at_most(opts, v)
  local c = 0
  for i = 1, opts.trials do
    local r = mc(with(opts, {shard = {i, opts.trials}}))
    if r.fraction <= v + 1e-12 then c = c + 1 end
  end
  return c
end

-- Min F: when the minima differ, the run with the smaller minimum v saw some
-- trials with F <= v and the other saw none; the two frequencies must agree
-- within 4 sigma (two-proportion z), or one sampler misses a value (or
-- invents one).
local function min_agree(a, oa, b, ob, what)
  if a.min_fraction == b.min_fraction then
    return t.ok(true, what .. " (both " .. a.min_fraction .. ")")
  end
  if b.min_fraction < a.min_fraction then a, oa, b, ob = b, ob, a, oa end
  local c = count_at_most(oa, a.min_fraction)
  local n1, n2 = a.trials, b.trials
  local p = c / (n1 + n2)
  local se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
  return t.sigma(c / n1, 0, se, 4, string.format("%s (min %.4g seen %d times, other min %.4g)",
                                                  what, a.min_fraction, c, b.min_fraction))
end

-- Runs every method on one configuration and compares them.
local function check_class(name, opts)
  local run, o = {}, {}
  if SINGLE and beyond_float(name) then
    for _, m in ipairs{"gram", "explicit", "reference"} do
      t.raises(function() return mc(with(base, opts, {method = m})) end,
               {"out of range", "precision = \"single\"", "precision = \"double\""},
               name .. ": " .. m .. " in single precision refuses, beyond the range of floats")
    end
    return nil
  end
  for _, m in ipairs{"gram", "explicit", "reference"} do
    o[m] = with(base, opts, {method = m})
    run[m] = mc(o[m])
  end
  o.lazy = with(base, opts, {method = "gram", stats = "alive"})
  run.lazy = mc(o.lazy)
  t.is(run.lazy.evaluation, "lazy", name .. ": stats = 'alive' ran the lazy sampler")
  -- Lazy reveals the points in the same order and reads the same variates
  -- as the Gram sampler, so the two agree trial for trial.
  t.is(run.lazy.alive_trials, run.gram.alive_trials, name .. ": lazy and gram agree trial for trial")
  for _, m in ipairs{"gram", "lazy", "explicit"} do
    p_agree(run[m], run.reference, name .. ": P(alive) " .. m .. " vs reference")
  end
  for _, m in ipairs{"gram", "explicit"} do
    f_agree(run[m], run.reference, name .. ": mean F " .. m .. " vs reference")
    min_agree(run[m], o[m], run.reference, o.reference, name .. ": min F " .. m .. " vs reference")
  end
  return run
end

-- ---- the classes ---------------------------------------------------------------

local z = zero(D)
local classes = {
  {"zero point first", {G[1], G[2], z, G[3]}, 0},
  {"zero point first (m <= d)", {z, G[1], G[2]}, 0},
  {"zero point in the middle", {G[1], z, G[2]}, 0},
  {"zero point last", {G[1], G[2], z}, 0},
  {"two zero points and one other", {z, z, G[4]}, 0},
  {"duplicates", {G[5], G[5], G[5]}, 0},
  {"duplicates interleaved", {G[6], G[7], G[6], G[7], G[6]}, 0},
  {"collinear, positive multiples", {G[8], scaled(G[8], 2), scaled(G[8], 0.5), scaled(G[8], 3)}, 0},
  {"collinear, both directions", {G[9], scaled(G[9], -1), scaled(G[9], 2.5)}, 0},
  {"rank 2 in R^8 (6 points)", {combo(1, G[10], 0, G[11]), combo(0, G[10], 1, G[11]),
     combo(1, G[10], 1, G[11]), combo(2, G[10], -1, G[11]), combo(-0.5, G[10], 3, G[11]),
     combo(1, G[10], -1, G[11])}, 0},
  {"one point", {G[12]}, 0},
  {"coordinates x 2^500", {scaled(G[13], 2 ^ 500), scaled(G[14], 2 ^ 500), scaled(G[15], 2 ^ 500)}, 0},
  {"coordinates x 2^-500", {scaled(G[13], 2 ^ -500), scaled(G[14], 2 ^ -500), scaled(G[15], 2 ^ -500)}, 0},
  {"coordinates x 1e155", {scaled(G[16], 1e155), scaled(G[17], 1e155)}, 0},
  {"coordinates x 1e-165", {scaled(G[16], 1e-165), scaled(G[17], 1e-165)}, 0},
  {"mixed scales 2^400, 2^-400 and 0", {scaled(G[18], 2 ^ 400), scaled(G[19], 2 ^ -400), z}, 0},
}
-- The degenerate classes again with random biases (the zero point then lives
-- through its biases; duplicates stay identical).
for i = 1, 11 do
  local c = classes[i]
  classes[#classes + 1] = {c[1] .. ", normal biases", c[2], 0.5}
end

-- More points than dimensions (the layer-1 basis fills up) and fewer.
for _, b in ipairs{0, 0.5} do
  local tag = b > 0 and ", normal biases" or ""
  classes[#classes + 1] = {"m > d (24 points in R^3)" .. tag, rows_of(inputs.gaussian(24, 3, {seed = 6})), b}
  classes[#classes + 1] = {"m < d (3 points in R^16)" .. tag, rows_of(inputs.gaussian(3, 16, {seed = 7})), b}
end

for _, c in ipairs(classes) do for _, net in ipairs(nets) do
  local X = inputs.from(c[2])
  local name = c[1] .. net[1]
  local run = check_class(name, with({X = X, bias = c[3]}, net[2]))
  if c[1]:find("^duplicates$") or c[1]:find("^collinear, positive") and c[3] == 0
     or c[1]:find("^duplicates, normal") or c[1]:find("^one point") then
    -- Identical points (and, with zero biases, positive multiples) share their
    -- fate: F is 0 or 1, so mean F is exactly P(alive), and P(alive) is the
    -- one-point law L = prod (1 - 2^-n_l).
    for _, m in ipairs{"gram", "explicit", "reference"} do
      local r = run[m]
      t.ok(r.fraction == r.p_alive and (r.min_fraction == 0 or r.min_fraction == 1),
           name .. ": " .. m .. ": every trial has F = 0 or 1 (mean F " .. r.fraction
           .. ", P(alive) " .. r.p_alive .. ")")
      local L = bound.lower(net[2].depth and {net[2].width, net[2].width} or {3, 3, 3, 3, 3})
      t.sigma(r.p_alive, L, math.sqrt(L * (1 - L) / r.trials), 4, name .. ": " .. m .. ": P(alive) = L")
    end
  end
end end

-- A zero point in a zero-bias net has every pre-activation exactly 0: it is
-- dead at layer 1 in every trial, whatever the method, so with one other
-- point F is 1/2 when the net lives and 0 when it dies.
for _, net in ipairs(nets) do
  local X = inputs.from{z, G[20]}
  for _, m in ipairs{"gram", "explicit", "reference"} do
    local r = mc(with(base, {X = X, method = m}, net[2]))
    t.ok(math.abs(r.fraction - r.p_alive / 2) <= 1e-12 and r.min_fraction <= 0.5,
         "zero point, zero biases" .. net[1] .. ", " .. m .. ": the zero point never lives (mean F "
         .. r.fraction .. ", P(alive) " .. r.p_alive .. ")")
  end
end

-- ---- weight and bias scales ------------------------------------------------------

local X4 = inputs.from{G[21], G[22], G[23], G[24]}
local scale_classes = {
  {"weights sd 2^60", {weights = {law = "normal", sd = 2 ^ 60}}},
  {"weights sd 2^-60", {weights = {law = "normal", sd = 2 ^ -60}}},
  {"weights sd 2^60, biases sd 2^-200", {weights = {law = "normal", sd = 2 ^ 60}, bias = 2 ^ -200}},
  {"biases sd 2^300", {bias = 2 ^ 300}},
  {"biases sd 2^-300", {bias = 2 ^ -300}},
  {"weights sd 2^-150, biases sd 2^-150", {weights = {law = "normal", sd = 2 ^ -150}, bias = 2 ^ -150}},
}
for _, c in ipairs(scale_classes) do
  for _, net in ipairs(nets) do check_class(c[1] .. net[1], with({X = X4}, c[2], net[2])) end
end

-- Beyond the range doubles hold reliably, every method refuses, naming the
-- layer and the scales, and the session goes on.
local refused = {
  {"weights sd 1e100 (depth 5)", {weights = {law = "normal", sd = 1e100}}, X4},
  {"weights sd 1e-100, zero biases", {weights = {law = "normal", sd = 1e-100}}, X4},
  {"biases sd 1e300", {bias = 1e300}, X4},
  {"coordinates x 2^1000, zero biases", {}, inputs.from{scaled(G[1], 2 ^ 1000)}},
  {"coordinates x 2^-1000, zero biases", {}, inputs.from{scaled(G[1], 2 ^ -1000), G[2]}},
}
for _, c in ipairs(refused) do
  for _, m in ipairs{"gram", "explicit", "reference", "lazy"} do
    local opts = with(base, {X = c[3]}, c[2], m == "lazy" and {method = "gram", stats = "alive"}
                      or {method = m})
    t.raises(function() return mc(opts) end, {"out of range", "layer", "scale"},
             c[1] .. ": " .. m .. " refuses with a clear message")
  end
  local ok, net = pcall(relu, with({depth = 5, width = 3, input = D, seed = 1}, c[2]))
  if SINGLE and not ok then   -- floats cannot even hold such weights
    t.ok(tostring(net):find("out of range", 1, true), c[1] .. ": relu in single precision refuses: " .. tostring(net))
  else
    t.raises(function() return net:forward(c[3]) end, {"out of range"}, c[1] .. ": net:forward refuses")
    t.raises(function() return net:death(c[3]) end, {"out of range"}, c[1] .. ": net:death refuses")
  end
end
-- Batch norm squares its pre-activations (their variance): half the range.
t.raises(function() return mc(with(base, {X = inputs.from{scaled(G[1], 2 ^ 500), G[2]}, arch = "batchnorm"})) end,
         {"out of range", "batch norm squares them"}, "batchnorm, coordinates x 2^500: refused")
-- Deep zero-bias nets: real points shrink by ~1.8/n octaves a layer, so past
-- ~7000 layers of width 16 they fall below the doubles and would read as
-- dead (P(alive) 0 against L = 0.74 at 20000 layers): refused, naming the
-- layer, by every method and by net:death; biases floor the shrinking.
for _, w in ipairs{16, 64} do
  local depth = ({[16] = 8000, [64] = 30000})[w]
  local o = {depth = depth, width = w, X = inputs.gaussian(4, w, {seed = 3}), trials = 2, seed = 1}
  for _, m in ipairs{"gram", "explicit", "reference", "lazy"} do
    t.raises(function() return mc(with(o, m == "lazy" and {method = "gram", stats = "alive"} or {method = m})) end,
             {"out of range", "layer", "drift", SINGLE and "precision = \"double\"" or "biases"},
             ("%d zero-bias layers of width %d: %s refuses (points would sink out of range)"):format(depth, w, m))
  end
  if not SINGLE then
    t.raises(function() return relu(depth, w, {seed = 1}):death(o.X) end, {"out of range", "drift"},
             ("%d zero-bias layers of width %d: net:death refuses"):format(depth, w))
  end
  t.ok(pcall(mc, with(o, {bias = 0.1, depth = depth // 10, method = "explicit"})),
       ("width %d with biases 0.1: %d layers run (biases floor the shrinking)"):format(w, depth // 10))
end
-- Only a living point can drift out of range, and one lives l layers of
-- width 4 with probability (15/16)^l exactly: past ~540 layers, below 2^-50,
-- nothing any run could see. 3000 such layers run in double (floats, whose
-- range the drift leaves within those 540 layers, refuse).
do
  local o = {depth = 3000, width = 4, X = inputs.gaussian(4, 4, {seed = 3}), trials = 20, seed = 1, method = "explicit"}
  if SINGLE then
    t.raises(function() return mc(o) end, {"out of range", "drift"}, "3000 zero-bias layers of width 4: single refuses")
  else
    local ok, r = pcall(mc, o)
    t.ok(ok and r.alive_trials == 0, "3000 zero-bias layers of width 4 run in double (a point outlives 540 layers "
         .. "with probability below 2^-50): " .. tostring(ok and r.p_alive or r))
  end
end
-- Batch norm over copies of one point normalises every neuron to 0, as over
-- a single point: every point would die at layer 1 whatever the weights, so
-- E[F] = L (theory.md 7.3) fails. Refused, by every method and every net
-- function, whatever the number of copies; -0 and 0 are the same point.
do
  local p, z, nz = G[3], zero(D), zero(D)
  for i = 1, D do nz[i] = -0.0 end
  local sets = {{"2 copies", {p, p}}, {"3 copies", {p, p, p}}, {"10 copies", {p, p, p, p, p, p, p, p, p, p}},
                {"zero point twice", {z, z}}, {"0 and -0", {z, nz}}}
  local bn = relu{depth = 3, width = 3, input = D, arch = "batchnorm", seed = 1}
  for _, c in ipairs(sets) do
    local X = inputs.from(c[2])
    for _, m in ipairs{"auto", "explicit", "reference"} do  -- (gram is plain only)
      t.raises(function() return mc(with(base, {X = X, arch = "batchnorm", method = m})) end,
               {"2 distinct points", #c[2] .. " copies"}, "batchnorm, " .. c[1] .. ": " .. m .. " refuses")
    end
    t.raises(function() return mc(with(base, {X = X, arch = "batchnorm", stats = "alive"})) end,
             {"2 distinct points"}, "batchnorm, " .. c[1] .. ": stats = alive refuses")
    for _, f in ipairs{"forward", "death", "flip"} do
      t.raises(function() return bn[f](bn, X) end, {"2 distinct points"}, "batchnorm, " .. c[1] .. ": net:" .. f .. " refuses")
    end
    -- plain nets take the same set: each point is judged on its own
    t.is(mc(with(base, {X = X, trials = 200})).trials, 200, "plain, " .. c[1] .. ": accepted")
  end
  -- one coordinate apart, in the first or the last point, is a real set
  local q = scaled(p, 1); q[D] = q[D] + 1
  for _, pts in ipairs{{p, p, q}, {q, p, p}} do
    t.is(mc(with(base, {X = inputs.from(pts), arch = "batchnorm", trials = 200})).trials, 200,
         "batchnorm, copies plus one distinct point: accepted")
  end
end
-- Batch norm over points a few ulps apart: its layer 1 sees only W (x_i -
-- mean x), so {p, p + d} must behave like {0, d} (d the exact difference).
-- Computing W p + W d - W p in doubles used to round d away (P(alive) 0.75
-- instead of 0.86 at d ~ 2^-52 |p|). For zero and non-zero biases.
-- (Points 2^-40 apart are one float: in double precision whatever the default.)
do
  local p, v = scaled(G[4], 1), G[5]
  for _, k in ipairs{20, 40, 50, 52} do
    local q, d = {}, {}
    for i = 1, D do q[i] = p[i] + 2 ^ -k * v[i]; d[i] = q[i] - p[i] end
    for _, bias in ipairs{"zero", {law = "normal", sd = 1}} do
      local o = {arch = "batchnorm", bias = bias, method = "reference", precision = "double"}
      local near = mc(with(base, o, {X = inputs.from{p, q}}))
      local apart = mc(with(base, o, {X = inputs.from{zero(D), d}}))
      local what = string.format("batchnorm, two points 2^-%d apart, bias %s", k, type(bias) == "table" and "normal" or bias)
      p_agree(near, apart, what .. ": P(alive) as for {0, d}")
      f_agree(near, apart, what .. ": mean F as for {0, d}")
    end
  end
end
t.is(mc(with(base, {X = X4})).trials, TRIALS, "the session goes on after the refusals")

-- The alignment measures (cosines) are scale invariant too: the same numbers
-- on X, 2^600 X and 2^-600 X, whose squared norms overflow or underflow
-- (doubles: floats refuse such sets).
do
  local base = with(base, {precision = "double"})
  local function close(u, v, tol)
    return type(u) == "number" and type(v) == "number" and (u == v or math.abs(u - v) <= tol)
  end
  local net = relu(4, 4, {input = D, seed = 2, precision = "double"})
  local a1 = net:alignment(X4)
  local r1 = mc(with(base, {X = X4, alignment = true, trials = 200}))
  for _, sc in ipairs{2 ^ 600, 2 ^ -600} do
    local Y = inputs.from{scaled(G[21], sc), scaled(G[22], sc), scaled(G[23], sc), scaled(G[24], sc)}
    local a = net:alignment(Y)
    local same = close(a.input_cosine, a1.input_cosine, 1e-15)
    for l = 1, 4 do same = same and close(a.layers[l].cosine, a1.layers[l].cosine, 1e-15) end
    t.ok(same, string.format("net:alignment on X x 2^%d gives X's cosines", math.floor(math.log(sc, 2) + 0.5)))
    local r = mc(with(base, {X = Y, alignment = true, trials = 200}))
    same = r.alive_trials == r1.alive_trials
    for l = 1, base.depth do
      same = same and close(r.layers[l].alignment, r1.layers[l].alignment, 1e-12)
    end
    t.ok(same, string.format("mc alignment on X x 2^%d gives X's cosines", math.floor(math.log(sc, 2) + 0.5)))
  end
end

-- ---- input constructors never return non-finite coordinates -----------------------

local function finite(X)
  for i = 1, #X do
    for _, v in ipairs(X[i]) do if v ~= v or v == math.huge or v == -math.huge then return false end end
  end
  return true
end
do
  local X = inputs.uniform(64, 2, -1e308, 1e308, {seed = 3})
  local lo, hi = math.huge, -math.huge
  for i = 1, #X do for _, v in ipairs(X[i]) do lo = math.min(lo, v); hi = math.max(hi, v) end end
  t.ok(finite(X) and lo >= -1e308 and hi <= 1e308 and lo < -1e307 and hi > 1e307,
       "inputs.uniform(-1e308, 1e308) is finite, inside the range and spread over it")
  t.ok(finite(inputs.uniform(8, 2, -1.7976931348623157e308, 1.7976931348623157e308)),
       "inputs.uniform over the whole double range is finite")
  local path = os.tmpname()
  X:save(path)
  t.is(#inputs.load(path), 64, "and saves to a file inputs.load reads back")
  os.remove(path)
  local Y = inputs.from{{-1e308, 0}, {1e308, 0}}
  t.ok(finite(inputs.shrink(Y, 0.5)), "inputs.shrink: a finite result whose difference overflows stays finite")
  t.is(inputs.shrink(Y, 0.5)[2][1], 0.0, "inputs.shrink: x0 + eps (x - x0) computed exactly in halves")
end
t.raises(function() return inputs.shrink(inputs.from{{0, 1}, {1, 1}}, 1e308 * 10) end,
         {"eps", "finite"}, "inputs.shrink(X, inf) is refused")
t.raises(function() return inputs.shrink(inputs.from{{-1e308, 0}, {1e308, 0}}, 1e308) end,
         {"eps", "beyond the largest double"}, "inputs.shrink(X, 1e308) overflowing is refused")
t.raises(function() return inputs.gaussian(64, 2, {sd = 1e308}) end,
         {"sd", "beyond the largest double"}, "inputs.gaussian with sd 1e308 overflowing is refused")
t.raises(function() return inputs.orthant(3, 1e308 * 10) end, {"radius"}, "inputs.orthant(d, inf) is refused")
t.raises(function() return inputs.from{{1, 1e308 * 10}} end, {"finite"}, "inputs.from with inf is refused")

-- Nor do law scales that would draw infinite weights or biases (a normal
-- variate reaches about 8.7, a Laplace one 37.5).
for _, law in ipairs{{weights = {law = "normal", sd = 1e308}}, {weights = {law = "laplace", scale = 1e307}},
                     {weights = {law = "uniform", a = 1e307}}, {bias = 1e307},
                     {bias = {law = "normal", sd = 1e307}}} do
  local key = next(law)
  t.raises(function() return relu(2, 200, with({seed = 1}, law)) end, {key, "too large", "1e306"},
           "relu with a " .. key .. " scale above 1e306 is refused")
end
do
  local net = relu(1, 200, {input = 200, weights = {law = "laplace", sd = 1e306}, bias = 1e306, seed = 1,
                          precision = "double"})
  local all = true
  for _, row in ipairs(net:weights(1)) do all = all and finite({row}) end
  t.ok(all and finite({net:bias(1)}), "scales of 1e306 draw finite weights and biases")
end

t.done()

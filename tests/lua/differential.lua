-- differential.lua: a randomised differential test of the Monte Carlo engine.
-- Over a few hundred random small configurations (every weight law and scale
-- rule, every bias law, every architecture, random widths, random input sets
-- with zero points, duplicates, multiples and extreme scales), trial i of
-- mc{method = "reference"} and of the fast methods is compared with an
-- evaluation written here from the definitions, on the weights of trial i
-- (r:replay(i)): which points die at which layer. The Gram and lazy samplers
-- draw other numbers than the explicit weights, so they are compared with
-- the reference through standard errors (4 sigma) on random Gaussian
-- configurations. Fixed seeds.
local t = require "tap"

math.randomseed(20071)
local R = math.random

local function pick(list) return list[R(#list)] end
local function log_uniform(lo2, hi2) return 2 ^ (lo2 + (hi2 - lo2) * R()) end

-- ---- the definitions, written out ----------------------------------------------

local BN_EPS = 1e-5   -- as in forward.c and the usual frameworks

-- Normalises every column of Z over its rows (the same operations in the
-- same order as the engine, so the same bits: one correction pass on the mean).
local function column_mean(Z, j)
  local rows = #Z
  local mean = 0.0
  for r = 1, rows do mean = mean + Z[r][j] end
  mean = mean / rows
  local corr = 0.0
  for r = 1, rows do corr = corr + (Z[r][j] - mean) end
  return mean + corr / rows
end

-- centred: layer 1, whose input X was centred, so its columns average to
-- 0 and are not centred again (theory.md 7.3: a point at the mean of X
-- keeps its pre-activations exactly 0)
local function batchnorm(Z, n, centred)
  local rows = #Z
  for j = 1, n do
    local mean = centred and 0.0 or column_mean(Z, j)
    local var = 0.0
    for r = 1, rows do local d = Z[r][j] - mean; var = var + d * d end
    local inv = 1.0 / math.sqrt(var / rows + BN_EPS)
    for r = 1, rows do Z[r][j] = (Z[r][j] - mean) * inv end
  end
end

local function relu(z) return z > 0.0 and z or 0.0 end

-- dead_at per point: 0 if living, else the layer that killed it. A point dies
-- at the first layer where no neuron is active (plain, skip, batch norm) or
-- where its whole representation is zero (residual, dense); batch norm keeps
-- every point in the batch; a skip net keeps every point whose chain
-- survived layer 1 (every later layer feeds the output).
local function evaluate(net, X, arch)
  local m = #X
  local H, dead, carried = {}, {}, {}
  for p = 1, m do H[p] = X[p]; dead[p] = 0; carried[p] = p end
  if arch == "batchnorm" then
    -- batch norm sees W x + b only centred: W (x - mean x), with no bias
    -- (theory.md 7.3); the engine centres X first, with the same operations
    local d = #X[1]
    for p = 1, m do H[p] = {} end
    for i = 1, d do
      local mean = column_mean(X, i)
      for p = 1, m do H[p][i] = X[p][i] - mean end
    end
  end
  for l = 1, net.depth do
    local W, b = net:weights(l), net:bias(l)
    local n = #b
    local Z = {}
    for k, p in ipairs(carried) do
      local h, z = H[p], {}
      for j = 1, n do
        local s, w = 0.0, W[j]
        for i = 1, #h do s = s + w[i] * h[i] end
        z[j] = arch == "batchnorm" and s or s + b[j]
      end
      Z[k] = z
    end
    if arch == "batchnorm" then batchnorm(Z, n, l == 1) end
    local next_carried = {}
    for k, p in ipairs(carried) do
      local z, h, new = Z[k], H[p], {}
      local active = false
      for j = 1, n do if z[j] > 0.0 then active = true end end
      if arch == "residual" then
        for j = 1, n do new[j] = h[j] + relu(z[j]) end
      elseif arch == "dense" then
        for i = 1, #h do new[i] = h[i] end
        for j = 1, n do new[#h + j] = relu(z[j]) end
      else
        for j = 1, n do new[j] = relu(z[j]) end
      end
      local dies = not active
      if arch == "residual" or arch == "dense" then
        dies = true
        for i = 1, #new do if new[i] ~= 0.0 then dies = false end end
      end
      local was_alive = dead[p] == 0
      if was_alive and dies then dead[p] = l end
      H[p] = new
      if arch == "batchnorm" or (was_alive and not dies) then next_carried[#next_carried + 1] = p end
    end
    carried = next_carried
    if #carried == 0 then break end
  end
  if arch == "skip" then
    for p = 1, m do if dead[p] > 1 then dead[p] = 0 end end
  end
  return dead
end

-- ---- random configurations -----------------------------------------------------------

local ARCHS = {"plain", "residual", "dense", "skip", "batchnorm"}
local function random_weights()
  return pick{
    function() return "he" end, function() return "glorot" end, function() return "normal" end,
    function() return "uniform" end, function() return "laplace" end,
    function() return {law = "normal", sd = log_uniform(-40, 40)} end,
    function() return {law = "uniform", a = log_uniform(-40, 40)} end,
    function() return {law = "laplace", scale = log_uniform(-40, 40)} end,
    function() return {law = "uniform"} end,
  }()
end
local function random_bias()
  return pick{
    function() return 0 end,
    function() return log_uniform(-30, 30) end,
    function() return {law = "normal", sd = log_uniform(-30, 30)} end,
    function() return {law = "uniform", a = log_uniform(-30, 30)} end,
    function() return {law = "laplace", scale = log_uniform(-30, 30)} end,
  }()
end

-- Random points with degenerate features mixed in.
local function random_points(m, d)
  local rows, scale = {}, pick{1, 1, 1, log_uniform(-400, 400)}
  for p = 1, m do
    local kind = p > 1 and R(6) or 1
    local row = {}
    if kind == 2 then            -- the zero point
      for i = 1, d do row[i] = 0.0 end
    elseif kind == 3 then        -- a duplicate
      row = rows[R(p - 1)]
    elseif kind == 4 then        -- a multiple (positive or negative)
      local c = pick{2, 0.5, -1, 3, -0.25}
      for i, v in ipairs(rows[R(p - 1)]) do row[i] = c * v end
    else
      for i = 1, d do row[i] = scale * (2 * R() - 1) end
    end
    rows[p] = row
  end
  return rows
end

local function describe(c)
  local function law(x)
    if type(x) ~= "table" then return tostring(x) end
    local s = x.law
    for _, k in ipairs{"sd", "a", "scale"} do if x[k] then s = s .. " " .. k .. "=" .. string.format("%.3g", x[k]) end end
    return "{" .. s .. "}"
  end
  return string.format("#%d %s widths {%s} d=%d m=%d weights %s bias %s seed %d", c.id, c.arch,
                       table.concat(c.widths, ","), c.input, #c.points, law(c.weights), law(c.bias), c.seed)
end

local function random_config(id, arch)
  local depth, d = R(4), R(5)
  local widths = {}
  for l = 1, depth do widths[l] = R(5) end
  if arch == "residual" then for l = 1, depth do widths[l] = d end end
  local m = R(arch == "batchnorm" and 2 or 1, 6)
  return {id = id, arch = arch, widths = widths, input = d, weights = random_weights(),
          bias = random_bias(), seed = R(1, 1000000), points = random_points(m, d)}
end

-- ---- trial by trial against the definitions --------------------------------------------

local CONFIGS, TRIALS = 500, 4
local mismatches, compared, shown = 0, 0, 0
local arch_count, refused_copies = {}, 0
for id = 1, CONFIGS do
  local arch = ARCHS[(id - 1) % #ARCHS + 1]
  local c = random_config(id, arch)
  local X = inputs.from(c.points)
  local opts = {widths = c.widths, input = c.input, weights = c.weights, bias = c.bias, arch = arch,
                X = X, trials = TRIALS, seed = c.seed, threads = 1}
  local methods = arch == "plain" and {"reference", "explicit", "auto"} or {"reference", "auto"}
  -- Batch norm on copies of one point normalises everything to 0: refused
  -- (like a single point), by every method and by net:death.
  local copies = arch == "batchnorm"
  for p = 2, #c.points do
    for i = 1, c.input do copies = copies and c.points[p][i] == c.points[1][i] end
  end
  if copies then
    refused_copies = refused_copies + 1
    for _, method in ipairs{"reference", "explicit", "auto"} do
      t.raises(function() return mc(setmetatable({method = method}, {__index = opts})) end,
               {"2 distinct points"}, describe(c) .. ": " .. method .. " refuses copies of one point")
    end
    t.raises(function() return _G.relu{widths = c.widths, input = c.input, arch = arch}:death(X) end,
             {"2 distinct points"}, describe(c) .. ": net:death refuses copies of one point")
  end
  local ref = not copies and mc(setmetatable({method = "reference"}, {__index = opts}))
  for i = 1, copies and 0 or TRIALS do
    local dead = evaluate(ref:replay(i), c.points, arch)
    local living = 0
    for _, v in ipairs(dead) do if v == 0 then living = living + 1 end end
    for _, method in ipairs(methods) do
      local one = mc(setmetatable({method = method, shard = {i, TRIALS}}, {__index = opts}))
      compared = compared + 1
      local got = math.floor(one.fraction * #c.points + 0.5)
      if got ~= living or one.alive_trials ~= (living > 0 and 1 or 0) then
        mismatches = mismatches + 1
        if shown < 5 then
          shown = shown + 1
          t.diag(string.format("%s trial %d method %s: %d living, the definitions give %d",
                               describe(c), i, method, got, living))
        end
      end
    end
    -- net:death on the same net agrees point by point.
    local rep = ref:replay(i):death(X)
    for p = 1, #dead do
      compared = compared + 1
      if rep.dead_at[p] ~= dead[p] then
        mismatches = mismatches + 1
        if shown < 5 then
          shown = shown + 1
          t.diag(string.format("%s trial %d point %d: net:death says dead at %d, the definitions %d",
                               describe(c), i, p, rep.dead_at[p], dead[p]))
        end
      end
    end
  end
  arch_count[arch] = (arch_count[arch] or 0) + 1
end
for _, arch in ipairs(ARCHS) do
  t.ok(arch_count[arch] >= 100, string.format("%d random %s configurations", arch_count[arch] or 0, arch))
end
t.is(mismatches, 0, string.format("%d trial and point comparisons with the definitions: no mismatch", compared))

-- ---- Gram and lazy against the reference, statistically ---------------------------------

-- Random Gaussian plain configurations (the samplers' domain); each is run
-- with enough trials for a 4-sigma comparison of P(alive) and mean F.
local GAUSSIAN, N = 120, 800
local worst, worst_what, bad = 0, "", 0
local function z_of(a, b)
  local p = (a.alive_trials + b.alive_trials) / (a.trials + b.trials)
  local se = math.sqrt(p * (1 - p) * (1 / a.trials + 1 / b.trials))
  local d = a.alive_trials / a.trials - b.alive_trials / b.trials
  if se == 0 then return d == 0 and 0 or math.huge end
  return math.abs(d) / se
end
local function zf_of(a, b)
  local se = math.sqrt(a.fraction_se ^ 2 + b.fraction_se ^ 2)
  if se == 0 then return a.fraction == b.fraction and 0 or math.huge end
  return math.abs(a.fraction - b.fraction) / se
end
for id = 1, GAUSSIAN do
  local c = random_config(1000 + id, "plain")
  c.weights = pick{"he", "glorot", "normal", {law = "normal", sd = log_uniform(-40, 40)}}
  c.bias = pick{0, log_uniform(-30, 30), {law = "normal", sd = log_uniform(-30, 30)}}
  local opts = {widths = c.widths, input = c.input, weights = c.weights, bias = c.bias,
                X = inputs.from(c.points), trials = N, seed = c.seed, threads = 1}
  local function run(extra) return mc(setmetatable(extra, {__index = opts})) end
  local ref, gram, lazy = run{method = "reference"}, run{method = "gram"},
                          run{method = "gram", stats = "alive"}
  for what, z in pairs{["P(alive) gram"] = z_of(gram, ref), ["P(alive) lazy"] = z_of(lazy, ref),
                       ["mean F gram"] = zf_of(gram, ref)} do
    if z > 4 then
      bad = bad + 1
      t.diag(string.format("%s: %s vs reference: z = %.2f", describe(c), what, z))
    end
    if z > worst then worst, worst_what = z, describe(c) .. " " .. what end
  end
end
t.diag(string.format("largest z: %.2f (%s)", worst, worst_what))
t.is(bad, 0, string.format("%d random Gaussian configurations: gram and lazy agree with the reference " ..
                           "within 4 sigma (largest z %.2f)", GAUSSIAN, worst))

t.done()

-- remedies.lua: net:flip, the architectures through net:death, and
-- net:alignment, from Lua. Fixed seeds; statistical checks at
-- 4 standard errors.
local t = require "tap"

-- ---- net:flip: the report, in place
do
  local net = relu(20, 2, {seed = 3})
  local X = inputs.gaussian(64, 2, {seed = 1})
  local keep = net:clone()
  local before = net:death(X)
  local r = net:flip(X)
  t.is(getmetatable(r).__name, "relush.FlipReport", "net:flip returns a FlipReport")
  t.is(r.living_before, before.living, "living_before is the unflipped net's living count")
  t.is(net:death(X).living, r.living, "the net is flipped in place: net:death agrees with the report")
  t.is(keep:death(X).living, before.living, "a clone taken before keeps the original")
  t.is(#r.layers, 20, "one row per layer")
  t.is(r.floor, 2^-20, "floor = 2^-k")
  t.ok(r.fraction >= r.floor, "fraction after flipping >= 2^-k")
  local flipped = 0
  for l = 1, 20 do flipped = flipped + r.layers[l].flipped end
  t.is(r.flipped, flipped, "flipped totals the layers")
  -- each neuron is kept or negated as a whole
  local whole = true
  for l = 1, 20 do
    local W0, W1, b0, b1 = keep:weights(l), net:weights(l), keep:bias(l), net:bias(l)
    for j = 1, #W0 do
      local s = W1[j][1] == W0[j][1] and 1 or -1
      if b1[j] ~= s * b0[j] then whole = false end
      for i = 1, #W0[j] do if W1[j][i] ~= s * W0[j][i] then whole = false end end
    end
  end
  t.ok(whole, "every neuron is kept or negated as a whole")
  local text = tostring(r)
  t.ok(text:find("FlipReport", 1, true) and text:find("floor 2^-l", 1, true) and
       text:find("unflipped", 1, true), "a FlipReport prints as a table")
  t.is(net:clone():flip(X).flipped, 0, "flipping again changes nothing")
end

-- ---- the guarantee from Lua: random nets and input sets
do
  local below, halved, nets = 0, 0, 300
  for i = 1, nets do
    local depth, d, m = 1 + i % 20, 1 + i % 4, 2 + (7 * i) % 63
    local widths = {}
    for l = 1, depth do widths[l] = 1 + (i * 3 + l * 5) % 4 end
    local net = relu{widths = widths, input = d, bias = i % 2 == 0 and 0 or 0.5,
                     weights = ({"he", "uniform", "laplace"})[i % 3 + 1], seed = i}
    local r = net:flip(inputs.gaussian(m, d, {seed = 500 + i}))
    if r.fraction < 2^-depth then below = below + 1 end
    for l = 1, depth do
      local L = r.layers[l]
      if 2 * L.living < L.reaching then halved = halved + 1 end
    end
  end
  t.is(below, 0, "flip: living fraction >= 2^-k in all " .. nets .. " random nets")
  t.is(halved, 0, "flip: every layer keeps at least half of its living points")
end

-- ---- width 1, zero bias: the count after layer 1 is kept at every depth
do
  local changed, short = 0, 0
  for i = 1, 60 do
    local X = inputs.gaussian(20 + i, 3, {seed = i})
    local r = relu(20, 1, {input = 3, seed = 100 + i}):flip(X)
    local first = r.layers[1].living
    if 2 * first < #X then short = short + 1 end
    for l = 2, 20 do if r.layers[l].living ~= first then changed = changed + 1 end end
  end
  t.is(short, 0, "width 1: at least half of X lives after layer 1")
  t.is(changed, 0, "width 1: that count is kept unchanged at every later depth")
end

-- ---- every architecture can be flipped; residual and dense lose no point
do
  local X = inputs.gaussian(40, 3, {seed = 9})
  for _, arch in ipairs{"residual", "dense", "skip", "batchnorm"} do
    local net = relu(12, 3, {arch = arch, seed = 4})
    local r = net:flip(X)
    t.is(net:death(X).living, r.living, arch .. ": the flipped net's death report agrees")
    if arch == "residual" or arch == "dense" then
      t.is(r.living, #X, arch .. ": every point still lives after flipping")
    else
      t.ok(r.fraction >= r.floor, arch .. ": fraction >= 2^-k after flipping")
    end
  end
end

-- ---- ties: the origin with zero biases
do
  local X = inputs.from{{0, 0}, {1, 2}, {-1, 0.5}, {0.3, -2}}
  local r = relu(4, 3, {input = 2, seed = 8}):flip(X)
  t.is(r.layers[1].ties, 3, "the origin's 3 zero pre-activations are counted as ties")
  t.ok(r.layers[1].living >= math.ceil((4 - 3) / 2), "the tie form of the guarantee holds")
end

-- ---- errors
t.raises(function() relu(3, 3):flip() end, {"flip", "input set X", "required"}, "flip without X")
t.raises(function() relu(3, 3):flip(inputs.gaussian(5, 4)) end,
         {"flip", "dimension 4", "expects 3"}, "flip on a dimension mismatch")
t.raises(function() relu(3, 3):flip({1, 2, 3}) end, {"flip"}, "flip on a non-Matrix")
t.raises(function() relu(3, 3, {arch = "batchnorm"}):flip(inputs.gaussian(1, 3)) end,
         {"batchnorm", "at least 2 points"}, "batchnorm flip on one point")
t.raises(function() relu(3, 3, {arch = "batchnorm"}):death(inputs.gaussian(1, 3)) end,
         {"batchnorm", "at least 2 points"}, "batchnorm death on one point")
t.raises(function() relu(3, 3):alignment(inputs.gaussian(5, 2)) end,
         {"alignment", "dimension 2", "expects 3"}, "alignment on a dimension mismatch")
t.raises(function() relu{widths = {4, 4}, input = 3, arch = "residual"} end,
         {"residual", "width"}, "residual with mismatched widths")

-- ---- architectures through net:death (theory.md §10.2 item 8): n = 4, 64 points
local function death_stats(arch, T, k, bias)
  local X = inputs.gaussian(64, 4, {seed = 42})
  local sum, sq, all_living, every_active = 0, 0, 0, 0
  for i = 1, T do
    local r = relu(k, 4, {arch = arch, bias = bias, seed = (bias == 0 and 10000 or 20000) + i}):death(X)
    sum = sum + r.fraction
    sq = sq + r.fraction ^ 2
    if r.living == r.points then all_living = all_living + 1 end
    local every = true
    for l = 1, k do every = every and r.layers[l].has_active_unit end
    if every then every_active = every_active + 1 end
  end
  local mean = sum / T
  return {mean = mean, se = math.sqrt(math.max(0, (sq / T - mean ^ 2) / (T - 1))),
          all_living = all_living, every_active = every_active}
end

do
  local T, k = 300, 12
  local L = (1 - 2^-4) ^ k
  for _, bias in ipairs{0, 0.5} do
    local b = bias == 0 and " (zero bias)" or " (normal bias)"
    t.is(death_stats("residual", T, k, bias).all_living, T, "residual: P(alive) = 1, F = 1" .. b)
    t.is(death_stats("dense", T, k, bias).all_living, T, "dense: P(alive) = 1, F = 1" .. b)
    local s = death_stats("skip", T, k, bias)
    t.sigma(s.mean, 1 - 2^-4, s.se, 4, "skip: mean F = 1 - 2^-n_1" .. b)
    s = death_stats("batchnorm", T, k, bias)
    t.is(s.every_active, T, "batchnorm: every layer keeps an active unit" .. b)
    t.sigma(s.mean, L, s.se, 4, "batchnorm: strict mean F = L" .. b)
  end
end

-- ---- net:alignment
do
  local net = relu(4, 5, {input = 3, seed = 21})
  local X = inputs.gaussian(10, 3, {seed = 22})
  local r = net:alignment(X)
  t.is(getmetatable(r).__name, "relush.AlignmentReport", "net:alignment returns an AlignmentReport")
  t.is(#r.layers, 4, "one row per layer")
  t.ok(r.predicts, "a zero-bias plain net gets a prediction")
  -- the same numbers by hand: h_l from net:weights, cosines of living pairs
  local function cos(a, b)
    local ab, aa, bb = 0, 0, 0
    for i = 1, #a do ab = ab + a[i] * b[i]; aa = aa + a[i] ^ 2; bb = bb + b[i] ^ 2 end
    return ab / math.sqrt(aa * bb)
  end
  local function f(c) return (math.sqrt(1 - c * c) + (math.pi - math.acos(c)) * c) / math.pi end
  local H, living = {}, {}
  for i = 1, #X do H[i] = X[i]; living[i] = true end
  local c0, pairs0 = 0, 0
  for i = 1, #X do for j = i + 1, #X do c0 = c0 + cos(X[i], X[j]); pairs0 = pairs0 + 1 end end
  t.near(r.input_cosine, c0 / pairs0, 1e-12, "input_cosine is the mean pairwise cosine of X")
  local worst, worst_pred = 0, 0
  for l = 1, 4 do
    local W, b = net:weights(l), net:bias(l)
    for i = 1, #X do
      local h, any = {}, false
      for j = 1, #W do
        local z = b[j]
        for k = 1, #H[i] do z = z + W[j][k] * H[i][k] end
        h[j] = z > 0 and z or 0
        any = any or z > 0
      end
      H[i] = h
      living[i] = living[i] and any
    end
    local s, n, ps = 0, 0, 0
    for i = 1, #X do
      for j = i + 1, #X do
        if living[i] and living[j] then s = s + cos(H[i], H[j]); n = n + 1 end
        local c = cos(X[i], X[j])
        for _ = 1, l do c = f(c) end
        ps = ps + c
      end
    end
    if n > 0 then worst = math.max(worst, math.abs(s / n - r.layers[l].cosine)) end
    worst_pred = math.max(worst_pred, math.abs(ps / pairs0 - r.layers[l].predicted))
  end
  t.ok(worst < 1e-12, "cosines match a plain-Lua computation (worst " .. worst .. ")")
  t.ok(worst_pred < 1e-12, "predictions are the pair-averaged iterated map (worst " .. worst_pred .. ")")
  t.ok(tostring(r):find("AlignmentReport", 1, true) and tostring(r):find("predicted", 1, true),
       "an AlignmentReport prints as a table")
  t.is(relu(3, 4, {bias = 0.3}):alignment().predicts, false, "random biases: no prediction")
  local res = relu(3, 4, {arch = "residual", seed = 1}):alignment()
  t.ok(res.layers[1].predicted == nil and res.layers[1].cosine ~= nil,
       "residual: cosine measured, prediction nil")
  t.is(relu(3, 4):alignment().points, 64, "without X: 64 default points")
end

-- alignment rises with depth and tracks the prediction in a wide net
do
  local X = inputs.gaussian(24, 128, {seed = 7})
  local sums, preds, nets = {}, nil, 3
  for i = 1, nets do
    local r = relu(16, 128, {seed = 70 + i}):alignment(X)
    for l = 1, 16 do sums[l] = (sums[l] or 0) + r.layers[l].cosine / nets end
    preds = r.layers
  end
  t.ok(sums[1] < sums[2] and sums[2] < sums[4] and sums[4] < sums[8] and sums[8] < sums[16],
       string.format("alignment rises with depth: %.3f %.3f %.3f %.3f %.3f",
                     sums[1], sums[2], sums[4], sums[8], sums[16]))
  -- the C test derives the tolerance; here a generous bound of
  -- 4 * 0.8 * sqrt(l / (n * nets)) (0.8 bounds the one-layer sd times sqrt(n))
  local ok = true
  for l = 1, 16 do
    if math.abs(sums[l] - preds[l].predicted) > 4 * 0.8 * math.sqrt(l / (128 * nets)) then ok = false end
  end
  t.ok(ok, "width 128: the mean cosine stays near the arc-cosine prediction")
end

-- The 2^-k guarantee and its one real exception: with zero biases the zero
-- point has pre-activation 0 at every neuron (a tie), so it is dead in every
-- net, flipped or not. On every draw: sets without zero points keep at least
-- 2^-k of X and the report claims it; sets with m0 zero points keep at least
-- 2^-k of the others; a set of zero points keeps none, and the report does
-- not claim the floor for it.
do
  local function zeros(m, d) local r = {} for i = 1, m do r[i] = {} for j = 1, d do r[i][j] = 0 end end return r end
  local mixed = zeros(3, 3)
  for i = 1, 5 do mixed[#mixed + 1] = inputs.gaussian(1, 3, {seed = 100 + i})[1] end
  local classes = {
    {"gaussian", function(s) return inputs.gaussian(12, 3, {seed = s}) end, 0},
    {"d = 1", function(s) return inputs.gaussian(7, 1, {seed = s}) end, 0},
    {"duplicates", function(s) local p = inputs.gaussian(1, 3, {seed = s})[1] return inputs.from{p, p, p} end, 0},
    {"3 zero points and 5 others", function() return inputs.from(mixed) end, 3},
    {"zero points only", function() return inputs.from(zeros(4, 3)) end, 4},
  }
  for _, c in ipairs(classes) do
    for _, k in ipairs{1, 4, 12} do
      local below, claimed_wrongly, worst = 0, 0, 1
      for s = 1, 100 do
        local X = c[2](s)
        local m = #X
        local f = relu(k, 1 + s % 3, {input = #X[1], seed = s}):flip(X)
        local floor = bound.flip(k) * (m - c[3]) / m
        if f.fraction < floor then below = below + 1 end
        worst = math.min(worst, f.fraction)
        local claims = tostring(f):find("guaranteed >=", 1, true) ~= nil
        if claims and f.fraction < f.floor then claimed_wrongly = claimed_wrongly + 1 end
        if c[3] == 0 and f.ties == 0 and not claims then claimed_wrongly = claimed_wrongly + 1 end
      end
      t.is(below, 0, string.format("flip, %s, k = %d: F >= 2^-k (m - m0) / m on 100 draws (worst %.4g)", c[1], k, worst))
      t.is(claimed_wrongly, 0, string.format("flip, %s, k = %d: the report claims 2^-k exactly when it holds", c[1], k))
    end
  end
  local f = relu(3, 2, {input = 3, seed = 1}):flip(inputs.from(zeros(2, 3)))
  t.ok(f.fraction == 0 and tostring(f):find("only without ties: 4 pre-activations were exactly 0", 1, true),
       "zero points, zero biases: F = 0 and the report says the floor needs no ties")
end

t.done()

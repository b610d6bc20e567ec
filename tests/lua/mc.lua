-- mc.lua: the Lua face of the Monte Carlo engine: mc{...} options and
-- errors, result fields, printing, replay, progress, interrupts, and the
-- exactness promises (threads, chunks, shards). The statistics themselves are
-- tested at length in tests/unit/test_mc.c; here a few at 4 sigma.
local t = require "tap"
local relush = require "relush"

local X = inputs.gaussian(64, 2, {seed = 3})
local function se(p, n) return math.sqrt(p * (1 - p) / n) end

-- ---- result fields
local r = mc{depth = 8, width = 3, X = X, trials = 4000, seed = 1}
for _, f in ipairs{"p_alive", "fraction", "fraction_se", "min_fraction", "lower", "upper",
                   "union", "seconds", "rate"} do
  t.ok(type(r[f]) == "number", "result field " .. f .. " is a number")
end
for _, f in ipairs{"trials", "alive_trials", "seed", "points", "depth", "first_trial", "last_trial"} do
  t.ok(math.type(r[f]) == "integer", "result field " .. f .. " is an integer")
end
t.is(r.trials, 4000, "trials counted")
t.is(r.interrupted, false, "not interrupted")
t.is(r.seed, 1, "seed recorded")
t.ok(r.ci[1] <= r.p_alive and r.p_alive <= r.ci[2], "Wilson interval contains p_alive")
t.is(#r.layers, 8, "one layer entry per layer")
t.is(#r.died_at, 8, "died_at has one entry per layer")
local died = 0
for l = 1, 8 do died = died + r.died_at[l] end
t.is(died + r.alive_trials, r.trials, "died_at counts every dead network once")
t.near(r.lower, (7 / 8) ^ 8, 1e-14, "lower bound L = (7/8)^8")
t.ok(r.layers[3].survival > 0.8 and r.layers[3].bound == 0.875, "layer fields survival and bound")
t.ok(r.layers[2].dead_rate >= 0 and r.layers[2].net_survival <= 1, "layer fields dead_rate and net_survival")
t.sigma(r.fraction, r.lower, r.fraction_se, 4, "mean F = L")
t.ok(r.rate > 0 and r.seconds > 0, "timing fields")
local text = tostring(r)
t.ok(text:find("P(alive)", 1, true) and text:find("L 0.3436", 1, true) and text:find("mean F", 1, true),
     "the report prints P(alive), L and mean F")
t.ok(getmetatable(r).__name == "relush.McResult", "__name is relush.McResult")

-- the default input set is net:death()'s: 64 Gaussian points, seed 1, named
-- in the report; a spread set, so P(alive) stands clearly above L
local one = mc{depth = 10, width = 2, trials = 20000, seed = 5}
t.is(one.points, 64, "without X, the default input set of 64 points")
local given = mc{depth = 10, width = 2, trials = 20000, seed = 5, X = inputs.gaussian(64, 2, {seed = 1})}
t.is(one.alive_trials, given.alive_trials, "the default is inputs.gaussian(64, d, {seed = 1})")
t.is(one.fraction, given.fraction, "... the same numbers")
t.ok(one.inputs and one.inputs:find("64 standard Gaussian points, seed 1", 1, true) and
     tostring(one):find("input set: the default", 1, true), "the report names the default input set")
t.ok(given.inputs == nil and not tostring(given):find("input set: the default", 1, true),
     "a given X is not called the default")
t.ok(one.p_alive - one.lower > 4 * se(one.lower, 20000), "P(alive) stands above L on the default set")
t.ok(relu(3, 2, {seed = 1}):death().inputs == one.inputs, "net:death() names the same default")
-- a single point lives with probability L
local point = mc{depth = 10, width = 2, trials = 20000, seed = 5, X = inputs.point(2)}
t.sigma(point.p_alive, point.lower, se(point.lower, 20000), 4, "single point: P(alive) = L")
-- ties: a zero point with zero biases can never live, and reports say so
for _, d in ipairs{2, 3, 5} do
  local r = mc{depth = 1, width = 2, X = inputs.orthant(d), trials = 2000, seed = 1}
  t.is(r.never_living, 1, ("orthant(%d): one point (the origin) can never live"):format(d))
  t.ok(tostring(r):find("can never live", 1, true), ("orthant(%d): the report says so"):format(d))
  local death = relu(2, 3, {input = d, seed = 1}):death(inputs.orthant(d))
  t.is(death.never_living, 1, ("orthant(%d): net:death names the tie too"):format(d))
  t.is(death.dead_at[1], 1, ("orthant(%d): the origin dies at layer 1"):format(d))
end
t.is(mc{depth = 1, width = 2, X = inputs.orthant(2), bias = 0.1, trials = 100, seed = 1}.never_living, nil,
     "with random biases the origin is no tie")
-- batch norm centres X, so a point equal to the mean of X (the centre of a
-- symmetric set, or a point between two others) has every pre-activation 0:
-- a tie that never lives. Reports name it; mean F = L (m - m0) / m, and L on
-- the same set without it (mean F 0.21 against E[F] = L 0.42 was printed
-- silently for {0, p, p, 2p})
for _, c in ipairs{
  {X = {{-1}, {0}, {1}}, m0 = 1},
  {X = {{0, 0, 0}, {1, 2, 3}, {1, 2, 3}, {2, 4, 6}}, m0 = 2},
  {X = {{1, 1}, {-1, 1}, {1, -1}, {-1, -1}, {0, 0}}, m0 = 1},
  {X = {{2, 5}, {4, 7}, {3, 6}}, m0 = 1},
  {X = {{1, 0}, {0, 1}, {3, 3}}, m0 = 0},
} do
  local X = inputs.from(c.X)
  local T = 40000
  local r = mc{depth = 3, width = 2, input = #c.X[1], X = X, arch = "batchnorm", trials = T, seed = 21, progress = false}
  local m = #c.X
  local what = ("batch norm on %d points, %d at the mean"):format(m, c.m0)
  t.is(r.never_living, c.m0 > 0 and c.m0 or nil, what .. ": never_living")
  t.is(tostring(r):find("the mean of X", 1, true) ~= nil, c.m0 > 0, what .. ": the report names the tie")
  t.sigma(r.fraction, r.lower * (m - c.m0) / m, r.fraction_se, 4, what .. ": mean F = L (m - m0) / m")
  local d = relu(3, 2, {input = #c.X[1], arch = "batchnorm", seed = 5}):death(X)
  t.is(d.never_living, c.m0 > 0 and c.m0 or nil, what .. ": net:death names it too")
end

-- the class, not only symmetric sets: any point at the mean of X is a tie,
-- also when the other points' pre-activations do not cancel exactly in
-- doubles ({(3,0), (0,3), (0,0), (1,1)}: layer 1 used to centre W (x - mean x)
-- again, whose rounding noise gave the tie random signs, so it lived in 139
-- of 200 nets and mean F was 0.79 against L (m - m0) / m = 0.62); random
-- dyadic sets with their exact mean added at a random place; and a set whose
-- computed mean is a point of X though the exact mean is 9e-18 away ({0.1,
-- 0.2, 0.3}, named a tie but living in every net before): the reports, the
-- nets and the run agree on which points are ties
do
  math.randomseed(77)
  local sets = {{pts = {{3, 0}, {0, 3}, {0, 0}, {1, 1}}, tie = 4}, {pts = {{0.1}, {0.2}, {0.3}}, tie = 2},
                {pts = {{0.1, 1}, {0.2, 2}, {0.3, 3.5}}}}
  for _ = 1, 4 do
    local d, pts, mean = math.random(1, 4), {}, {}
    local n = 2 ^ math.random(1, 3)   -- the others: their mean is exact in doubles
    for j = 1, d do mean[j] = 0 end
    for i = 1, n do
      pts[i] = {}
      for j = 1, d do pts[i][j] = math.random(-2 ^ 20, 2 ^ 20) / 2 ^ math.random(0, 30); mean[j] = mean[j] + pts[i][j] / n end
    end
    local at = math.random(1, n + 1)
    table.insert(pts, at, mean)
    sets[#sets + 1] = {pts = pts, tie = at}
  end
  for s, c in ipairs(sets) do
    local X, m, d, m0 = inputs.from(c.pts), #c.pts, #c.pts[1], c.tie and 1 or 0
    for _, prec in ipairs{"double", "single"} do
      local what = ("batch norm, set %d (%d points in d = %d, %d at the mean), %s"):format(s, m, d, m0, prec)
      local r = mc{depth = 3, width = 3, input = d, X = X, arch = "batchnorm", trials = 20000, seed = 3,
                   precision = prec, progress = false}
      t.is(r.never_living or 0, m0, what .. ": never_living")
      t.sigma(r.fraction, r.lower * (m - m0) / m, r.fraction_se, 4, what .. ": mean F = L (m - m0) / m")
      local named, lived = 0, 0
      for seed = 1, 100 do
        local dr = relu{depth = 3, width = 3, input = d, arch = "batchnorm", seed = seed, precision = prec}:death(X)
        named = named + ((dr.never_living or 0) == m0 and 1 or 0)
        lived = lived + ((c.tie and dr.dead_at[c.tie] ~= 1) and 1 or 0)
      end
      t.is(named, 100, what .. ": net:death names the tie in each of 100 nets")
      t.is(lived, 0, what .. ": the tie dies at layer 1 in each of 100 nets")
    end
  end
end

-- the orthant's corners stand for the whole orthant in the single-layer
-- experiment (help "single_layer", inputs.orthant, man page): with zero biases
-- for any R (without the origin), with random biases only for large R; at
-- R = 1 a neuron with b < 0 and weights in (0, -b] is dead on the corners but
-- not on the orthant, so P(alive) falls below U (the docs said R = 1 would do)
for _, c in ipairs{{n = 1, d = 1}, {n = 2, d = 2}, {n = 1, d = 3}, {n = 3, d = 1}} do
  local T = 100000
  local Uz, Ub = bound.upper({c.n}, c.d, true, true), bound.upper({c.n}, c.d, true, false)
  local what = ("n = %d, d = %d"):format(c.n, c.d)
  for _, R in ipairs{1, 1e3} do
    local O, rows = inputs.orthant(c.d, R), {}
    for i = 2, c.d + 1 do rows[#rows + 1] = O[i] end
    local r = mc{depth = 1, width = c.n, X = inputs.from(rows), trials = T, seed = 11, progress = false}
    t.sigma(r.p_alive, Uz, se(Uz, T), 4, what .. ", zero biases, corners without the origin, R = " .. R ..
            ": P(alive) = U (zero-bias exponent)")
  end
  local big = mc{depth = 1, width = c.n, X = inputs.orthant(c.d, 1e6), bias = 1, trials = T, seed = 12,
                 progress = false}
  t.sigma(big.p_alive, Ub, se(Ub, T), 4, what .. ", N(0, 1) biases, inputs.orthant(d, 1e6): P(alive) = U")
  local unit = mc{depth = 1, width = c.n, X = inputs.orthant(c.d), bias = 1, trials = T, seed = 12,
                  progress = false}
  t.ok(unit.p_alive + 4 * se(Ub, T) < Ub, what .. ", N(0, 1) biases, R = 1: P(alive) " ..
       unit.p_alive .. " is below U " .. Ub .. " (why R must be large)")
end
t.is(mc{depth = 1, width = 2, X = inputs.gaussian(8, 2, {seed = 1}), trials = 100, seed = 1}.never_living, nil,
     "no zero point, no tie")
t.is(mc{widths = {3, 4}, X = inputs.gaussian(5, 7, {seed = 1}), trials = 10}.input, 7,
     "input defaults to X's dimension")

-- ---- exactness: threads, chunks, shards
local function same(a, b)
  if a.alive_trials ~= b.alive_trials or a.fraction ~= b.fraction or a.min_fraction ~= b.min_fraction then
    return false
  end
  for l = 1, #a.layers do
    if a.died_at[l] ~= b.died_at[l] or a.layers[l].living ~= b.layers[l].living
       or a.layers[l].dead_neurons ~= b.layers[l].dead_neurons then return false end
  end
  return true
end
local base = {depth = 12, width = 3, X = X, trials = 3000, seed = 9, bias = 0.5}
local function with(extra)
  local o = {}
  for k, v in pairs(base) do o[k] = v end
  for k, v in pairs(extra) do o[k] = v end
  return mc(o)
end
local r1 = with{threads = 1}
t.ok(same(r1, with{threads = 2}), "threads = 1 and threads = 2 give identical counts")
t.ok(same(r1, with{threads = 2, chunk = 5}), "chunk = 5 gives identical counts")
local alive, living = 0, 0
for i = 1, 3 do
  local s = with{shard = {i, 3}}
  alive = alive + s.alive_trials
  living = living + s.fraction * s.points * s.trials
end
t.is(alive, r1.alive_trials, "shards {1,3}..{3,3} add up to the whole run (alive)")
t.near(living, r1.fraction * 64 * 3000, 1e-12, "shards add up to the whole run (living points)")
local g1, g2 = with{method = "gram", threads = 1}, with{method = "gram", threads = 2}
t.ok(same(g1, g2), "gram: threads = 1 and 2 identical")
local z = (r1.p_alive - g1.p_alive) / math.sqrt(2 * se(r1.p_alive, 3000) ^ 2 + 1e-300)
t.ok(math.abs(z) <= 4, string.format("explicit and gram agree (z = %.2f)", z))
local lz = with{method = "gram", stats = "alive"}
t.is(lz.alive_trials, g1.alive_trials, "lazy stats = 'alive' equals gram trial for trial")
t.is(lz.evaluation, "lazy", "stats = 'alive' with gram runs lazily")
t.ok(lz.fraction == nil and lz.layers[1].survival == nil and lz.layers[1].net_survival ~= nil,
     "stats = 'alive' reports only network-level statistics")

-- ---- replay
local X8 = inputs.gaussian(20, 4, {seed = 2})
local ex = mc{depth = 6, width = 3, X = X8, trials = 30, seed = 77, method = "explicit"}
t.is(ex.evaluation, "explicit", "method explicit draws every layer")
local ok = true
for i = 1, 30, 7 do
  local single = mc{depth = 6, width = 3, X = X8, trials = 30, seed = 77, method = "explicit", shard = {i, 30}}
  local d = ex:replay(i):death(X8)
  ok = ok and single.first_trial == i and single.alive_trials == (d.alive and 1 or 0)
       and math.abs(single.fraction - d.fraction) < 1e-15
  for l = 1, 6 do ok = ok and single.layers[l].living == d.layers[l].living end
end
t.ok(ok, "r:replay(i):death(X) reproduces trial i's counts at every layer")
t.is(ex:replay(4).depth, 6, "replay returns a Net")
-- every value outside this run's trials says the range, whatever its size
for _, i in ipairs{31, 0, -1, 2^53, 2^63, math.maxinteger, math.mininteger} do
  t.raises(function() return ex:replay(i) end, {"trial (one of this run's) must be an integer from 1 to 30", "got"},
           "replay out of range: " .. tostring(i))
end
t.raises(function() return ex:replay(2.5) end, {"trial", "must be an integer", "2.5"}, "replay of a fraction")
t.raises(function() return g1:replay(1) end, {"method = \"explicit\"", "cannot be rebuilt"},
         "replay of a Gram run explains why not")
t.raises(function() return lz:replay(1) end, {"lazy"}, "replay of a lazy run explains why not")
local rr = mc{depth = 3, width = 3, X = X8, trials = 5, seed = 1, method = "reference"}
t.is(rr.evaluation, "reference", "method reference uses net_create + net:death")
t.is(rr:replay(2):death(X8).living, mc{depth = 3, width = 3, X = X8, trials = 5, seed = 1,
     method = "explicit", shard = {2, 5}}.fraction * 20, "reference and explicit draw the same nets")

-- Nets of small layers (P1's shape: 64 points in d = 2, 32 layers of 4) run
-- their own loop (src/core/mc_small.c): with stats = "alive", in both
-- precisions, trial i alone (its shard) is r:replay(i):death(X): alive or
-- not, and the layer where its last point died.
for _, precision in ipairs{"double", "single"} do
  local Xp = inputs.gaussian(64, 2, {seed = 3})
  local opts = {depth = 32, width = 4, X = Xp, trials = 40, seed = 5, stats = "alive",
                precision = precision, progress = false}
  local whole = mc(opts)
  local agree, dead_trials = true, 0
  for i = 1, 40 do
    opts.shard = {i, 40}
    local one, d = mc(opts), whole:replay(i):death(Xp)
    local last = 0
    for _, at in ipairs(d.dead_at) do if at > last then last = at end end
    local died_at = 0
    for l = 1, 32 do if one.layers[l].died == 1 then died_at = l end end
    agree = agree and one.alive_trials == (d.alive and 1 or 0) and died_at == (d.alive and 0 or last)
    dead_trials = dead_trials + (d.alive and 0 or 1)
  end
  t.ok(agree and dead_trials > 0 and dead_trials < 40,
       string.format("P1's shape, %s, stats alive: trial i alone is r:replay(i):death(X), alive or the layer "
                     .. "its last point died (40 trials, %d dead)", precision, dead_trials))
end

-- ---- other architectures and flipping go through the reference path
local res = mc{depth = 10, width = 4, arch = "residual", X = inputs.gaussian(8, 4, {seed = 1}), trials = 200, seed = 2}
t.is(res.p_alive, 1, "residual nets are always alive")
local fl = mc{depth = 12, width = 2, X = X, trials = 200, seed = 4, flip = true}
t.ok(fl.min_fraction >= 2 ^ -12, "flip = true keeps at least 2^-k of the points")
-- flipped nets are chosen by X: L <= P <= U and E[F] = L are the unflipped
-- nets' (P = 1 > U here); every architecture's report says so, shows the
-- floor 2^-k, and the result says flip = true (before, the report printed
-- "L 0.0156 <= P <= U 0.0312" next to P = 1)
for _, arch in ipairs{"plain", "batchnorm", "skip", "residual", "dense"} do
  local Xf = inputs.gaussian(5, 2, {seed = 1})
  local rf = mc{depth = 6, width = arch == "residual" and 2 or 1, input = 2, X = Xf, trials = 500, seed = 1,
                flip = true, arch = arch, progress = false}
  local text = tostring(rf)
  t.ok(rf.flip == true and not text:find("<= P <=", 1, true) and not text:find("E%[F%] = L %d")
       and text:find("before the flip", 1, true) and text:find("2^-k 0.0156", 1, true),
       arch .. ", flip = true: the report marks the bounds as the unflipped nets' and shows 2^-k")
end
-- with m0 ties (zero points, zero biases) the floor the report shows is
-- 2^-k (m - m0) / m, which min F keeps (it showed 2^-k = 0.5 next to min F
-- 0.25 for three zero points and one other)
for _, c in ipairs{{m0 = 3, k = 1}, {m0 = 1, k = 3}, {m0 = 5, k = 2}} do
  local rows = {}
  for i = 1, c.m0 do rows[i] = {0, 0} end
  rows[#rows + 1] = {1, 2}
  rows[#rows + 1] = {-0.5, 1}
  local m = #rows
  local rt = mc{depth = c.k, width = 2, X = inputs.from(rows), flip = true, trials = 300, seed = 2, progress = false}
  local floor = 2 ^ -c.k * (m - c.m0) / m
  local text = tostring(rt)
  t.ok(text:find(("F >= 2^-k (m - m0)/m %.4f, m0 = %d ties"):format(floor, c.m0), 1, true) ~= nil,
       ("flip, %d zero points of %d, k = %d: the report shows the floor 2^-k (m - m0)/m"):format(c.m0, m, c.k))
  t.ok(rt.min_fraction >= floor, ("... and min F %g keeps it"):format(rt.min_fraction))
end
local plain_fl = mc{depth = 6, width = 1, input = 2, X = inputs.gaussian(5, 2, {seed = 1}), trials = 500, seed = 1, flip = true}
t.ok(plain_fl.p_alive > plain_fl.upper, "flipped, P(alive) exceeds the plain chain's U: why it is not claimed")
t.is(mc{depth = 2, width = 2, trials = 10, seed = 1}.flip, false, "flip = false in an ordinary result")
local fl1 = mc{depth = 12, width = 2, X = X, trials = 200, seed = 4, flip = true, shard = {5, 200}}
t.is(fl:replay(5):death(X).living, math.floor(fl1.fraction * 64 + 0.5),
     "replay of a flip run returns the flipped net, as measured")

local al = mc{depth = 8, width = 32, X = inputs.gaussian(16, 32, {seed = 2}), trials = 40, seed = 3, alignment = true}
t.ok(al.layers[8].alignment > al.layers[1].alignment and al.layers[8].alignment_predicted ~= nil
     and al.input_cosine ~= nil, "alignment = true: per-layer cosine rising, with the prediction")
t.ok(tostring(al):find("predicted", 1, true), "the report shows the alignment columns")

-- ---- progress, view hook, interrupts
local calls, last = 0, nil
local big = {depth = 20, width = 64, X = inputs.gaussian(256, 64, {seed = 1}), trials = 1e8, seed = 3,
             threads = 2, progress = function(p) calls = calls + 1; last = p; return p.done == 0 end}
local part = mc(big)
t.ok(part.interrupted and part.trials > 0 and part.trials < 1e8,
     "a progress function returning false stops the run: partial result, interrupted = true")
t.ok(calls >= 1 and last.total == 1e8 and type(last.rate) == "number" and #last.layers == 20,
     "progress tables carry done, total, rate and layers")
t.ok(tostring(part):find("PARTIAL RESULT", 1, true), "the report says the result is partial")
t.is(mc{depth = 2, width = 2, trials = 10, seed = 1}.trials, 10, "the session goes on after a stop")
-- view = true reaches the live view through its C observer (mc_observer.h;
-- its frames are tested in tests/lua/view.lua); anything else registered
-- there is ignored, never called
local registry = debug.getregistry()
local observer = registry["relush.mc_observer"]
t.is(type(observer), "userdata", "the live view is registered as the engine's C observer")
registry["relush.mc_observer"] = io.stdout
t.is(mc{depth = 4, width = 3, X = X, trials = 100, seed = 1, view = true}.trials, 100,
     "view = true with something else registered runs without a view")
registry["relush.mc_observer"] = observer
t.is(mc{depth = 4, width = 3, X = X, trials = 100, seed = 1, view = true}.trials, 100,
     "view = true without a view is accepted")
t.raises(function() mc{depth = 2, width = 2, trials = 100, progress = function() error("boom") end} end,
         {"boom"}, "an error in the progress function propagates")
-- a real SIGINT (what Ctrl-C sends) while mc runs: in the shell it stops
-- the whole script (status 130); the script ends, so the one-line message
-- says the partial result is lost (only out= keeps it); run in a child relush
do
  local proc = require "proc"
  local dir = proc.tmpdir()
  proc.spit(dir .. "/int.lua", [[
local sent = false
mc.partial = nil
local r = mc{depth = 20, width = 64, X = inputs.gaussian(256, 64, {seed = 1}), trials = 1e8, seed = 3,
             threads = 2, progress = function(p)
  -- os.execute ignores SIGINT while its child runs, so the kill comes later
  if not sent and p.done > 0 then sent = true; os.execute("(sleep 0.1; kill -INT $PPID) &") end
end}
print("went on", r.trials)
]])
  local out, err, status = proc.run(dir, os.getenv("RELUSH") or arg[-1], "int.lua", "", nil, "timeout 120")
  local counted, requested = err:match("relush: interrupted at int%.lua:%d+: mc stopped after (%d+) of (%d+) trials; " ..
                                       "the script ends here, so that partial result is lost " ..
                                       "%(only a run given out= has saved it, to its file%)\n")
  t.is(status, 130, "SIGINT stops mc and the script: exit status 130")
  t.ok(counted and tonumber(counted) < 1e8 and requested == "100000000",
       "... saying how many trials were counted and that the result is lost: " .. err)
  t.is(out, "", "... and the script does not go on after the interrupted call")
  os.execute("rm -rf " .. proc.q(dir))
end
t.is(mc{depth = 2, width = 2, trials = 10, seed = 1}.trials, 10, "and the session goes on")

-- ---- bad options
local function bad(opts, frags, what) t.raises(function() return mc(opts) end, frags, what) end
bad({depth = 3, width = 2, trails = 10}, {"trails"}, "unknown option name")
bad({depth = 3, width = 2, trials = 0}, {"trials"}, "trials <= 0")
bad({depth = 3, width = 2, trials = -5}, {"trials"}, "negative trials")
bad({depth = 3, width = 2, weights = "uniform", method = "gram"}, {"gram", "uniform"},
    "gram with uniform weights")
bad({depth = 3, width = 2, bias = {law = "laplace", sd = 1}, method = "gram"}, {"gram", "laplace"},
    "gram with Laplace biases")
bad({depth = 3, width = 2, input = 3, X = X}, {"X", "dimension 2", "input = 3"}, "X of the wrong dimension")
bad({depth = 3, width = 2, X = {1, 2}}, {"X", "Matrix"}, "X not a Matrix")
bad({depth = 3, width = 2, method = "fast"}, {"method", "auto, explicit, gram"}, "unknown method")
bad({depth = 3, width = 2, stats = "some"}, {"stats", "all, alive"}, "unknown stats")
bad({depth = 3, width = 2, shard = {3, 2}}, {"shard"}, "shard i > N")
bad({depth = 3, width = 2, trials = 2, shard = {1, 3}, seed = 1}, {"more shards than trials"}, "more shards than trials")
bad({depth = 3, width = 2, threads = 0}, {"threads"}, "threads = 0")

-- ---- help and man page
local man
local srcdir = os.getenv("RELUSH_SRCDIR")
if srcdir then
  local f = io.open(srcdir .. "/man/relush.1")
  if f then man = f:read("a"); f:close() end
end
for _, name in ipairs{"mc", "r:replay"} do
  local h = relush._help[name]
  t.ok(h and h.topic == "mc" and #h.summary > 0 and #h.signature > 0 and #h.example > 0,
       "help entry for " .. name)
  if man then
    t.ok(man:find(".B " .. name, 1, true), "man page entry for " .. name)
  else
    t.skip("man page entry for " .. name, "RELUSH_SRCDIR is not set or has no man/relush.1")
  end
end
local ex_env = setmetatable({X = X}, {__index = _G})
t.ok(pcall(load(relush._help["r:replay"].example, "example", "t", ex_env)), "the r:replay help example runs")

-- batch norm: every layer keeps an active unit in every trial (theory.md §7.3),
-- while strict point death still kills some nets; other nets: the two agree
do
  local bn = mc{depth = 32, width = 4, input = 4, X = inputs.gaussian(64, 4, {seed = 2}),
                arch = "batchnorm", trials = 400, seed = 5}
  t.is(bn.all_active_trials, 400, "batchnorm: every layer has an active unit in every trial")
  t.ok(bn.p_alive < 1, "batchnorm: strict P(alive) stays below 1 (" .. bn.p_alive .. ")")
  t.ok(tostring(bn):find("every layer active", 1, true), "batchnorm results print the active-unit rate")
  for _, m in ipairs{"explicit", "gram"} do
    local p = mc{depth = 8, width = 3, X = inputs.gaussian(32, 3, {seed = 1}), trials = 1000, seed = 1, method = m}
    t.is(p.all_active_trials, p.alive_trials, "plain nets (" .. m .. "): every layer active iff alive")
    t.is(p.layers[8].trials_active_unit, p.layers[8].trials_living, "plain nets (" .. m .. "): per-layer counts agree")
  end
end

-- an error in the middle of a run keeps what was computed: the partial
-- result (marked interrupted) is in mc.partial and the message says so
do
  local ok, err = pcall(mc, {depth = 3, width = 3, trials = 1e8, threads = 2, seed = 3,
                             progress = function(p) if p.done > 0 then error("stop here") end end})
  t.ok(not ok and tostring(err):find("stop here", 1, true) and tostring(err):find("mc.partial", 1, true),
       "an error raised by progress propagates and names mc.partial")
  local p = mc.partial
  t.ok(p and p.interrupted and p.trials > 0 and p.trials < 1e8, "mc.partial holds the trials counted before the error")
  t.ok(p and p.p_alive > 0 and p.p_alive <= 1 and p.ci, "the partial result is a full result")
end

-- A trial that fails in a worker says which trial and why (here a memory
-- limit lowered during the run refuses the next reference net), not a
-- generic "out of memory in a worker"
do
  local ok, err = pcall(mc, {depth = 50, width = 64, X = inputs.gaussian(16, 64, {seed = 1}), trials = 4000,
                             seed = 1, method = "reference", threads = 1, progress = function() limits.memory = "1M" end})
  limits.memory = nil
  t.ok(not ok and tostring(err):find("trial %d+: the network's weights would need") ~= nil
       and tostring(err):find("more than the limit", 1, true) ~= nil,
       "a failed trial names itself and the engine's reason: " .. tostring(err))
end

t.done()

-- demo_claims.lua: what the demos' narrations claim holds for the values
-- their steps compute, and not only for the seeds they are written with.
-- Each demo of scripts/demo runs here step by step in one environment (as
-- demo() runs it), once as written and again with every `seed = N` of its
-- code moved to other seeds, so a claim that held only by the luck of one
-- draw ("this net is dead") fails. Exact claims (theorems: a flipped net
-- lives, a residual net keeps every point) are checked exactly;
-- statistical ones (P(alive) sits on U, comes down to L) within 4 standard
-- errors.
local t = require "tap"

local srcdir = os.getenv("RELUSH_SRCDIR") or "."

-- run demo NAME with its seeds moved by SHIFT; its globals come back
local function run(name, shift)
  local d = dofile(srcdir .. "/scripts/demo/" .. name .. ".lua")
  local env = setmetatable({}, {__index = _G})
  -- the demos' views are the live view's business (tests/term/demo.sh);
  -- here only their numbers count, and print stays quiet for TAP
  env.view = setmetatable({snapshot = view.snapshot}, {__call = function() end})
  env.print = function() end
  local results = {}
  for i, step in ipairs(d.steps) do
    local code = step[2]:gsub("seed = (%d+)", function(s) return "seed = " .. (tonumber(s) + shift) end)
    code = code:gsub(",%s*view = true", "")
    local f = assert(load(code, ("demo %s step %d"):format(name, i), "t", env))
    results[i] = table.pack(f())
  end
  return env, results
end

local function se(p, n) return math.sqrt(math.max(p * (1 - p), 1 / n) / n) end
-- P measured on n trials agrees with the exact q within 4 standard errors
local function on(p, q, n) return math.abs(p - q) <= 4 * se(q, n) end

local shifts = {0, 101, 7919}

for _, k in ipairs(shifts) do
  local tag = (" (seeds moved by %d)"):format(k)

  -- depth: P(alive) >= L and falls with depth
  do
    local e = run("depth", k)
    t.ok(e.r.ci[2] >= e.r.lower, "depth: P(alive) is not below L" .. tag)
    local falls = true
    for i = 2, #e.s do
      local a, b = e.s[i - 1], e.s[i]
      if b.p_alive > a.p_alive + 4 * (se(a.p_alive, a.trials) + se(b.p_alive, b.trials)) then falls = false end
    end
    t.ok(falls, "depth: P(alive) falls with depth" .. tag)
  end

  -- width: L and P(alive) rise with width
  do
    local e = run("width", k)
    local rises = true
    for i = 2, #e.s do
      local a, b = e.s[i - 1], e.s[i]
      if b.lower < a.lower or b.p_alive + 4 * (se(a.p_alive, a.trials) + se(b.p_alive, b.trials)) < a.p_alive then rises = false end
    end
    t.ok(rises, "width: L and P(alive) rise with width" .. tag)
  end

  -- shrink: at eps = 0 (one point 64 times) P(alive) is L; a spread X does better
  do
    local e = run("shrink", k)
    local n = #e.eps
    t.is(e.eps[n], 0, "shrink: the last eps is 0")
    t.ok(on(e.P[n], e.L[n], 4000), ("shrink: at eps = 0 P(alive) %.4f is L %.4f%s"):format(e.P[n], e.L[n], tag))
    t.ok(e.P[1] > e.L[1] + 4 * se(e.L[1], 4000), "shrink: the spread-out X lives more often than L" .. tag)
  end

  -- single_layer: the origin is a tie; P(alive) = U on the unit vectors, and
  -- with biases on the orthant
  do
    local e, res = run("single_layer", k)
    t.is(res[2][1].never_living, 1, "single_layer: the origin is named a tie" .. tag)
    t.ok(on(e.r.p_alive, e.r.upper, e.r.trials), ("single_layer: P %.4f = U %.4f%s"):format(e.r.p_alive, e.r.upper, tag))
    local U = bound.upper({2}, 3, true, false)
    t.ok(on(e.b.p_alive, U, e.b.trials), ("single_layer: with biases P %.4f = U %.4f%s"):format(e.b.p_alive, U, tag))
    local all = true
    for i = 1, #e.s do
      if not on(e.s[i].p_alive, e.s[i].upper, e.s[i].trials) then all = false end
      if e.s[i].lower >= e.s[i].upper then all = false end
    end
    t.ok(all, "single_layer: P = U at every width of the sweep, L below" .. tag)
  end

  -- flip: the net shown is dead; flipped, it keeps >= half a layer; every
  -- flipped net lives, almost every plain one dies
  do
    local e, res = run("flip", k)
    t.ok(not res[1][1].alive and res[1][1].living == 0, "flip: the net of step 1 keeps no point alive" .. tag)
    local f = e.r
    local halves = f.living > 0 and f.fraction >= f.floor
    for _, l in ipairs(f.layers) do
      if l.reaching > 0 and l.living * 2 < l.reaching then halves = false end
    end
    t.ok(halves, "flip: flipping keeps at least half the points a layer, 2^-k of X" .. tag)
    t.ok(e.net:death(e.X).living > 0, "flip: the flipped net's living points never drop to 0" .. tag)
    t.is(e.flipped.p_alive, 1, "flip: every flipped net lives" .. tag)
    t.ok(e.plain.p_alive < 0.05, ("flip: almost every plain net dies (P %.4f)%s"):format(e.plain.p_alive, tag))
  end

  -- architectures: residual and dense keep every point; skip loses a point
  -- only in layer 1 (F = 1 - 2^-n); batch norm's points die as plain ones
  do
    local e = run("architectures", k)
    local res, dense, skip, bn = e.s[2], e.s[3], e.s[4], e.s[5]
    t.ok(res.arch == "residual" and dense.arch == "dense" and skip.arch == "skip" and bn.arch == "batchnorm",
         "architectures: the sweep's rows in the order of its list")
    t.ok(res.p_alive == 1 and res.fraction == 1 and dense.p_alive == 1 and dense.fraction == 1,
         "architectures: residual and dense nets lose no point" .. tag)
    local q = 1 - 2 ^ -3
    t.ok(math.abs(skip.fraction - q) <= 4 * skip.fraction_se + 1e-12,
         ("architectures: skip's mean F %.4f is 1 - 2^-3%s"):format(skip.fraction, tag))
    t.ok(math.abs(bn.fraction - bn.lower) <= 4 * bn.fraction_se + 1e-12,
         ("architectures: batchnorm's mean F %.4f is L %.4f%s"):format(bn.fraction, bn.lower, tag))
    t.is(e.res:death(e.X).living, #e.X, "architectures: the residual net keeps every point" .. tag)
  end

  -- alignment: the cosine grows layer by layer, as predicted
  do
    local e = run("alignment", k)
    local grows = true
    for l = 2, #e.p do
      if e.p[l] <= e.p[l - 1] then grows = false end
    end
    t.ok(grows, "alignment: the predicted cosine grows at every layer" .. tag)
    t.ok(e.c[#e.c] > e.c[1] and e.c[#e.c] > 0.8,
         ("alignment: the measured cosine grows towards 1 (%.3f -> %.3f)%s"):format(e.c[1], e.c[#e.c], tag))
  end

  -- trainability: the net is dead, its loss never moves and its gradients
  -- are 0; flipped, its loss falls
  do
    local e, res = run("trainability", k)
    t.ok(not res[1][1].alive, "trainability: the net of step 1 is dead" .. tag)
    local flat = true
    for i = 1, #e.dead.loss do if e.dead.loss[i] ~= e.dead.loss[1] then flat = false end end
    for i = 1, #e.dead.grad_norm do
      if e.dead.grad_norm[i] ~= 0 or e.dead.grad_norm_final[i] ~= 0 then flat = false end
    end
    t.ok(flat, "trainability: the dead net's loss never moves, its gradients are 0" .. tag)
    t.ok(e.alive.final_loss < e.alive.initial_loss, "trainability: the flipped net's loss falls" .. tag)
  end
end

t.done()

-- flip.lua: the sign-flipping guarantee (theory.md §8, §10.2 item 7).
--   relush scripts/paper/flip.lua [--quick] [--out DIR]
-- For widths 1..4 and depths up to 20, with zero and normal biases, draws
-- nets, flips each on a Gaussian input set with net:flip(X), and prints
-- per setting the mean living fraction without and with flipping, the
-- smallest fraction after flipping next to the floor 2^-k, and the
-- smallest per-layer survival (also written to DIR/flip.csv). Checks
-- (PASS/FAIL, exit 1 on a failure): min F >= 2^-k and every layer keeps at
-- least half of its living points; without flipping mean F = L (4 standard
-- errors); with width 1 and zero bias the count after layer 1 is kept at
-- every later depth.
-- this file's folder, wherever the script is started from (relush, dofile, paper)
local here = debug.getinfo(1, "S").source:match("^@(.*)/") or "."
package.path = here .. "/?.lua;" .. package.path
local common = require "common"

local run = common.start("flip", "the sign-flipping scheme against the floor 2^-k", {...})
local trials = run:pick(400, 60)
local points, dim = run:pick(1000, 200), 2
local widths, depths = {1, 2, 3, 4}, {1, 2, 5, 10, 20}
print(("%d nets per setting, %d Gaussian points in d = %d"):format(trials, points, dim))

local rows, min_margin, min_survival_all = {}, math.huge, math.huge
local figure = {}   -- zero-bias results for the plot: figure[n][k]
local mean_ok, width_one_ok = true, true
for _, bias in ipairs{0, 1} do
  for _, n in ipairs(widths) do
    for _, k in ipairs(depths) do
      local X = inputs.gaussian(points, dim, {seed = 100 * n + k})
      local sum_before, sum_after, min_after, min_survival = 0, 0, math.huge, math.huge
      local alive_before, alive_after = 0, 0
      for t = 1, trials do
        local net = relu(k, n, {input = dim, bias = bias, seed = 1e6 * (bias + 1) + 1000 * n * k + t})
        local r = net:flip(X)
        sum_before = sum_before + r.fraction_before
        sum_after = sum_after + r.fraction
        min_after = math.min(min_after, r.fraction)
        if r.living_before > 0 then alive_before = alive_before + 1 end
        if r.alive then alive_after = alive_after + 1 end
        for l = 1, k do
          local L = r.layers[l]
          if L.reaching > 0 then min_survival = math.min(min_survival, L.living / L.reaching) end
          if n == 1 and bias == 0 and l > 1 and L.living ~= r.layers[1].living then width_one_ok = false end
        end
      end
      local lower = (1 - 2 ^ -n) ^ k
      local mean_before = sum_before / trials
      -- F lies in [0, 1] with mean L, so its variance is at most L (1 - L):
      -- a standard error that stays honest when only a few nets live
      local se = math.sqrt(lower * (1 - lower) / trials)
      if math.abs(mean_before - lower) > 4 * se then
        mean_ok = false
        print(("  mean F %.4g is more than 4 se (%.3g) from L = %.4g at width %d, depth %d, bias %s")
              :format(mean_before, se, lower, n, k, bias == 0 and "0" or "N(0,1)"))
      end
      min_margin = math.min(min_margin, min_after / 2 ^ -k)
      min_survival_all = math.min(min_survival_all, min_survival)
      rows[#rows + 1] = {bias == 0 and "0" or "N(0,1)", n, k, mean_before, lower,
                         alive_before / trials, sum_after / trials, min_after, 2 ^ -k,
                         min_survival, alive_after / trials}
      if bias == 0 then
        figure[n] = figure[n] or {}
        figure[n][k] = {before = mean_before, after = sum_after / trials, min = min_after}
      end
    end
  end
end
run:csv({"bias", "width", "depth", "mean_F", "lower", "p_alive", "flipped_mean_F", "min_F",
         "floor", "min_survival", "p_alive_flipped"}, rows)
-- The figure: living fraction against depth (zero biases), with and without
-- flipping, the smallest flipped fraction over all widths, and the floor.
do
  local series, few, floor, lowest = {}, {}, {}, {}
  for i, k in ipairs(depths) do
    floor[i], lowest[i] = 2.0 ^ -k, math.huge
    for _, n in ipairs(widths) do lowest[i] = math.min(lowest[i], figure[n][k].min) end
  end
  for c, n in ipairs(widths) do
    local after, before = {}, {}
    for i, k in ipairs(depths) do
      after[i] = figure[n][k].after
      before[i] = figure[n][k].before > 0 and figure[n][k].before or common.nan
    end
    series[#series + 1] = {name = "flipped, n = " .. n, y = after, color = c}
    series[#series + 1] = {name = "not flipped, n = " .. n, y = before, style = "dashed", color = c}
    if n == 1 or n == 4 then few[#few + 1] = series[#series - 1]; few[#few + 1] = series[#series] end
  end
  series[#series + 1] = {name = "smallest flipped F (any n)", y = lowest, style = "points", color = 8}
  series[#series + 1] = {name = "floor 2^-k", y = floor, style = "dotted", color = 8}
  few[#few + 1] = series[#series - 1]
  few[#few + 1] = series[#series]
  run:figure({x = depths, series = series, logy = true,
              title = ("Living fraction with and without sign flipping (mean of %d nets, zero biases)"):format(trials),
              xlabel = "depth k", ylabel = "living fraction F"},
             {series = few, title = "flipped or not, n = 1 and 4 (all n in the SVG)"})
end
run:table({"bias", "width", "depth", "mean F", "L", "P(alive)", "flipped mean F", "min F",
           "floor 2^-k", "min survival", "P(alive) flipped"}, rows, nil, 3)

run:check(min_margin >= 1, "the living fraction after flipping is >= 2^-k in every net",
          ("smallest F / 2^-k = %.3g"):format(min_margin))
run:check(min_survival_all >= 0.5, "every layer keeps at least half of its living points",
          ("smallest survival %.4f"):format(min_survival_all))
run:check(mean_ok, "without flipping, mean F = L within 4 standard errors in every setting")
run:check(width_one_ok, "width 1, zero bias: the living count after layer 1 is kept at every later depth")
run:finish()

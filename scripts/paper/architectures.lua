-- architectures.lua: how the architectures change neuron death (theory.md §7,
-- §10.2 item 8).
--   relush scripts/paper/architectures.lua [--quick] [--out DIR]
-- Width 4, 64 Gaussian points in d = 4, He weights, zero biases; for each
-- arch and depth, over many nets: P(alive), the mean living fraction F
-- next to its prediction, P(every layer keeps an active unit on X) and the
-- mean fraction of points whose output is non-zero (also written to
-- DIR/architectures.csv). Checks (PASS/FAIL, exit 1 on a failure):
-- residual and dense P(alive) = 1 and F = 1; skip mean F = 1 - 2^-n_1;
-- batchnorm keeps an active unit in every layer with probability 1 and its
-- strict mean F equals L; plain mean F equals L.
-- this file's folder, wherever the script is started from (relush, dofile, paper)
local here = debug.getinfo(1, "S").source:match("^@(.*)/") or "."
package.path = here .. "/?.lua;" .. package.path
local common = require "common"

local run = common.start("architectures", "death in plain, residual, dense, skip and batchnorm nets", {...})
local trials = run:pick(3000, 300)
local n, dim, points = 4, 4, 64
local depths = {4, 16, 64}
local archs = {"plain", "residual", "dense", "skip", "batchnorm"}
local X = inputs.gaussian(points, dim, {seed = 1})

-- The fraction of points whose network output (net:forward) is non-zero.
local function nonzero_outputs(out)
  local count = 0
  for i = 1, #out do
    local row = out[i]
    for j = 1, #row do
      if row[j] ~= 0 then count = count + 1; break end
    end
  end
  return count / #out
end

-- What the notes predict for mean F.
local function predicted_F(arch, k)
  if arch == "residual" or arch == "dense" then return 1 end
  if arch == "skip" then return 1 - 2 ^ -n end
  return (1 - 2 ^ -n) ^ k
end

print(("width %d, %d Gaussian points in d = %d, He weights, zero bias, %d nets per row")
      :format(n, points, dim, trials))
local rows, results = {}, {}
for _, arch in ipairs(archs) do
  for _, k in ipairs(depths) do
    local alive, sum, sq, every, outputs = 0, 0, 0, 0, 0
    for t = 1, trials do
      local net = relu(k, n, {arch = arch, seed = 1e6 * k + t})
      local r = net:death(X)
      if r.alive then alive = alive + 1 end
      sum = sum + r.fraction
      sq = sq + r.fraction ^ 2
      local all = true
      for l = 1, k do all = all and r.layers[l].has_active_unit end
      if all then every = every + 1 end
      outputs = outputs + nonzero_outputs(net:forward(X))
    end
    local mean, want = sum / trials, predicted_F(arch, k)
    -- the empirical standard error, but never below the one of independent
    -- points (the points of one net are positively correlated), which
    -- keeps it honest when only a few nets live
    local se = math.sqrt(math.max(0, (sq / trials - mean ^ 2) / (trials - 1)))
    se = math.max(se, math.sqrt(want * (1 - want) / (trials * points)))
    local res = {arch = arch, k = k, p_alive = alive / trials, F = mean, se = se,
                 every = every / trials, want = want}
    results[#results + 1] = res
    rows[#rows + 1] = {arch, k, res.p_alive, mean, res.se, res.want, res.every, outputs / trials}
  end
end
run:csv({"arch", "depth", "p_alive", "mean_F", "se", "predicted_F", "p_every_layer_active",
         "nonzero_outputs"}, rows)
-- The figure: P(alive) (lines) and mean F (markers) against depth per arch,
-- with the plain lower bound L for reference.
do
  local styles = {plain = "line", residual = "line", dense = "dashed", skip = "dotted", batchnorm = "line"}
  local series, few, L = {}, {}, {}
  for i, k in ipairs(depths) do L[i] = (1 - 2 ^ -n) ^ k end
  for c, arch in ipairs(archs) do
    local P, F = {}, {}
    for _, r in ipairs(results) do
      if r.arch == arch then
        for i, k in ipairs(depths) do
          if r.k == k then P[i], F[i] = r.p_alive, r.F end
        end
      end
    end
    series[#series + 1] = {name = "P(alive) " .. arch, y = P, style = styles[arch], color = c}
    series[#series + 1] = {name = "mean F " .. arch, y = F, style = "points", color = c}
    few[#few + 1] = series[#series - 1]
  end
  series[#series + 1] = {name = "L = (1 - 2^-n)^k", y = L, style = "dotted", color = 8}
  few[#few + 1] = series[#series]
  run:figure({x = depths, series = series, logx = true, ymin = 0, ymax = 1,
              title = ("Architectures, width %d, %d points in d = %d (residual, dense, skip: P(alive) = 1)")
                      :format(n, points, dim),
              xlabel = "depth k", ylabel = "P(alive) and mean living fraction"},
             {series = few, ylabel = "P(alive)", title = "per architecture (mean F in the SVG)"})
end
run:table({"arch", "depth", "P(alive)", "mean F", "se", "predicted F", "P(every layer active)",
           "output != 0"}, rows, nil, 2)
print("  predicted F: 1 for residual and dense, 1 - 2^-n_1 for skip,")
print("  L = (1 - 2^-n)^k for plain and for batchnorm's strict per-point death;")
print("  'output != 0' counts non-zero network outputs (batchnorm revives points")
print("  whose representation was zero).")
print()

for _, r in ipairs(results) do
  local what = ("%s, depth %d: "):format(r.arch, r.k)
  if r.arch == "residual" or r.arch == "dense" then
    run:check(r.p_alive == 1 and r.F == 1, what .. "P(alive) = 1 and F = 1")
  elseif r.arch == "batchnorm" then
    run:check(r.every == 1, what .. "every layer keeps an active unit in every net")
    run:check(math.abs(r.F - r.want) <= 4 * r.se, what .. "strict mean F = L within 4 se",
              ("%.4f vs %.4f, se %.2g"):format(r.F, r.want, r.se))
  else
    run:check(math.abs(r.F - r.want) <= 4 * r.se, what .. "mean F as predicted within 4 se",
              ("%.4f vs %.4f, se %.2g"):format(r.F, r.want, r.se))
  end
end
run:finish()

-- width_for_depth.lua: how wide a net of depth k must be for the lower
-- bound L = (1 - 2^-n)^k to reach p = 0.5, 0.9, 0.99, for k = 10 .. 10^6
-- (theory.md §5.2, §10.1), and a Monte Carlo check at the small depths.
-- Claims: depth can grow without limit with a good chance of a living net
-- if width grows too, and only logarithmically: n_min = log2 k - log2
-- ln(1/p) rounded up. At n_min the measured P(alive) is L (one point) and
-- at least p (one point and 64 Gaussian points); at n_min - 1 one point
-- lives with probability L(n_min - 1) < p.
-- this file's folder, wherever the script is started from (relush, dofile, paper)
local here = debug.getinfo(1, "S").source:match("^@(.*)/") or "."
package.path = here .. "/?.lua;" .. package.path
local common = require "common"
local fmt = common.fmt
local log2 = function(v) return math.log(v, 2) end

local run = common.start("width_for_depth", "the width a depth needs, from the bounds and by Monte Carlo", {...})
local ps = {0.5, 0.9, 0.99}
local trials = run:pick(40000, 4000)
local mc_depths = run:pick({10, 20, 50, 100}, {10, 20, 50})

-- ---- the bound, on a fine log grid of depths
local ks, seen = {}, {}
for i = 0, 100 do
  local k = math.floor(10 ^ (1 + i / 20) + 0.5)
  if not seen[k] then seen[k] = true; ks[#ks + 1] = k end
end
local rows, nmin = {}, {}
for j, p in ipairs(ps) do
  nmin[j] = {}
  for i, k in ipairs(ks) do
    local n = bound.width_for(k, p)
    nmin[j][i] = n
  end
end

-- ---- Monte Carlo at the small depths: one point (P = L exactly) and 64 points
local X64 = inputs.gaussian(64, 2, {seed = 2})
local measured, checks_mc = {}, {}
for j, p in ipairs(ps) do
  measured[j] = {}
  for _, k in ipairs(mc_depths) do
    local n = bound.width_for(k, p)
    local one = mc{depth = k, width = n, X = inputs.point(n), trials = trials, seed = 7}
    local below = n > 1 and mc{depth = k, width = n - 1, X = inputs.point(n - 1), trials = trials, seed = 8}
    local many = mc{depth = k, width = n, X = X64, trials = trials, seed = 9}
    measured[j][k] = {n = n, one = one, below = below, many = many}
  end
end

-- ---- CSV: the bound on the grid, with the measurements where there are some
for j, p in ipairs(ps) do
  for i, k in ipairs(ks) do
    local m = measured[j][k]
    rows[#rows + 1] = {p, k, nmin[j][i], log2(k) - log2(math.log(1 / p)), bound.lower(nmin[j][i], k),
                       nmin[j][i] > 1 and bound.lower(nmin[j][i] - 1, k) or 0,
                       m and m.one.p_alive or common.nan, m and m.one.trials or common.nan,
                       m and m.below and m.below.p_alive or common.nan, m and m.many.p_alive or common.nan}
  end
end
run:csv({"p", "depth", "width", "log2_approx", "L_at_width", "L_at_width_minus_1",
         "mc_one_point", "mc_trials", "mc_one_point_width_minus_1", "mc_64_points"}, rows)

-- ---- the figure: n_min(k) for each p, the log2 approximation, MC-checked widths
local series = {}
for j, p in ipairs(ps) do
  local approx, checked = {}, {}
  for i, k in ipairs(ks) do
    approx[i] = log2(k) - log2(math.log(1 / p))
    checked[i] = measured[j][k] and nmin[j][i] or common.nan
  end
  series[#series + 1] = {name = "n_min p=" .. p, y = nmin[j], color = j}
  series[#series + 1] = {name = "log2 approx p=" .. p, y = approx, style = "dotted", color = j}
  series[#series + 1] = {name = "MC-checked p=" .. p, y = checked, style = "points", color = j}
end
run:figure{x = ks, series = series, logx = true,
           title = "Width needed for P(alive) >= p at depth k (lower bound)",
           xlabel = "depth k", ylabel = "width n"}

-- ---- summary
local shown = {10, 100, 1000, 10000, 100000, 1000000}
local headers, summary = {"p"}, {}
for _, k in ipairs(shown) do headers[#headers + 1] = "k=" .. fmt(k) end
for j, p in ipairs(ps) do
  local line = {p}
  for _, k in ipairs(shown) do line[#line + 1] = bound.width_for(k, p) end
  summary[#summary + 1] = line
end
run:table(headers, summary, "least width n with L(n, k) >= p")

local mrows = {}
for j, p in ipairs(ps) do
  for _, k in ipairs(mc_depths) do
    local m = measured[j][k]
    mrows[#mrows + 1] = {p, k, m.n, m.one.p_alive, m.one.lower, m.many.p_alive,
                         m.below and m.below.p_alive or common.nan, m.below and m.below.lower or common.nan}
  end
end
run:table({"p", "depth", "n_min", "MC 1 point", "L", "MC 64 points", "MC n_min-1", "L(n_min-1)"}, mrows,
          ("Monte Carlo at n_min (%d trials each)"):format(trials))

-- ---- checks
local notes = {
  [0.5] = {1, 2, 3, 4, 5, 7, 8, 11, 14, 21},
  [0.9] = {4, 5, 6, 7, 8, 9, 10, 14, 17, 24},
  [0.99] = {7, 8, 9, 10, 11, 13, 14, 17, 20, 27},
}
local notes_k = {1, 2, 5, 10, 20, 50, 100, 1000, 10000, 1000000}
local mismatch = {}
for _, p in ipairs(ps) do
  for i, k in ipairs(notes_k) do
    local n = bound.width_for(k, p)
    if n ~= notes[p][i] then mismatch[#mismatch + 1] = ("k=%d p=%s: %d, theory.md %d"):format(k, p, n, notes[p][i]) end
  end
end
run:check(#mismatch == 0, "n_min(k, p) matches the theory.md §10.1 table (30 values)",
          #mismatch > 0 and table.concat(mismatch, "; ") or nil)

local worst = 0
for j, p in ipairs(ps) do
  for i, k in ipairs(ks) do
    local excess = nmin[j][i] - (log2(k) - log2(math.log(1 / p)))
    if excess < 0 or excess >= 1.1 then worst = math.max(worst, math.abs(excess)) end
  end
end
-- n_min = ceil(-log2(1 - p^(1/k))) and -log2(1 - p^(1/k)) exceeds
-- log2 k - log2 ln(1/p) by less than 0.06 for k >= 10: so the excess is in [0, 1.1).
run:check(worst == 0, ("width grows like log2 k: n_min - (log2 k - log2 ln(1/p)) in [0, 1.1) for k = 10..1e6"),
          worst > 0 and ("off by " .. fmt(worst)) or nil)
local grow = bound.width_for(1e6, 0.9) - bound.width_for(1e3, 0.9)
run:check(grow == 10, ("a thousand times deeper needs %d more neurons per layer (p = 0.9, k = 1e3 -> 1e6)"):format(grow))

local bad = {}
for j, p in ipairs(ps) do
  for _, k in ipairs(mc_depths) do
    local m = measured[j][k]
    local lo4, hi4 = common.wilson(m.one.alive_trials, m.one.trials, 4)
    if lo4 > m.one.lower or hi4 < m.one.lower then bad[#bad + 1] = ("one point k=%d p=%s"):format(k, p) end
    local _, mhi = common.wilson(m.many.alive_trials, m.many.trials, 4)
    if mhi < p then bad[#bad + 1] = ("64 points k=%d p=%s: %s"):format(k, p, fmt(m.many.p_alive)) end
    if m.below then
      local blo, bhi = common.wilson(m.below.alive_trials, m.below.trials, 4)
      if blo > m.below.lower or bhi < m.below.lower then bad[#bad + 1] = ("n_min-1 k=%d p=%s"):format(k, p) end
    end
  end
end
run:check(#bad == 0, ("MC at n_min: one point gives L, 64 points give >= p, n_min-1 gives L(n_min-1) < p (%d depths x 3 p)"):format(#mc_depths),
          #bad > 0 and table.concat(bad, "; ") or nil)
run:finish()

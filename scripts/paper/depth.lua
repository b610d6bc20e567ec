-- depth.lua: P(alive) against depth for widths 2, 3, 4, 6, 8 on one fixed
-- input set (64 Gaussian points in d = 2, He weights, zero biases), with
-- the lower bound L and the upper bound U (theory.md §10.3).
-- Claims: L <= P(alive) <= U at every point; P(alive) approaches L quickly
-- with depth: the ratio P/L stops growing after a few layers, and the
-- wider the net the closer the plateau is to 1 (theory.md §6.1). Also E[F] = L (§3.3).
-- Runs sharded: with --shard i/N (or relush --shard i/N) it only writes its
-- shard's results; --from with every shard's file then finishes the run,
-- with the same table, CSV and checks as an unsharded run (common.lua).
-- this file's folder, wherever the script is started from (relush, dofile, paper)
local here = debug.getinfo(1, "S").source:match("^@(.*)/") or "."
package.path = here .. "/?.lua;" .. package.path
local common = require "common"
local fmt = common.fmt

local run = common.start("depth", "P(alive) against depth, with L and U", {...}, {shardable = true})
local widths = {2, 3, 4, 6, 8}
local depths = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128}
local trials = run:pick(50000, 5000)
local X = inputs.gaussian(64, 2, {seed = 1})

local rows, by = {}, {}
for _, n in ipairs(widths) do
  by[n] = {}
  for _, k in ipairs(depths) do
    local r = run:mc{depth = k, width = n, X = X, trials = trials, seed = 1000 + n}
    local lo4, hi4 = common.wilson(r.alive_trials, r.trials, 4)
    local row = {n = n, k = k, r = r, lo4 = lo4, hi4 = hi4, ratio = r.p_alive / r.lower}
    by[n][k] = row
    rows[#rows + 1] = {n, k, r.trials, r.alive_trials, r.p_alive, r.ci[1], r.ci[2],
                       r.lower, r.upper, row.ratio, r.fraction, r.fraction_se}
  end
end

-- sharded (--shard i/N): this shard's results are in its file; merge with --from
if run.shard then return run:finish_shard() end

run:csv({"width", "depth", "trials", "alive_trials", "p_alive", "ci_lo", "ci_hi",
         "lower", "upper", "ratio", "fraction", "fraction_se"}, rows)

-- ---- the figure: MC points with 95% bars, L dashed in the same colour, U
-- dotted for n = 2 (for n >= 3 it is within 0.3% of 1 at every depth here)
local series, few = {}, {}
local floor = 1e-4
for c, n in ipairs(widths) do
  local P, lo, hi, L, U = {}, {}, {}, {}, {}
  for i, k in ipairs(depths) do
    local r = by[n][k].r
    P[i], lo[i], hi[i], L[i], U[i] = r.p_alive, r.ci[1], r.ci[2], r.lower, r.upper
    -- no living net: no point on a log axis; a bar reaching 0 ends at the floor
    if P[i] <= 0 then P[i], lo[i], hi[i] = common.nan, common.nan, common.nan
    else lo[i] = math.max(lo[i], floor / 10) end
  end
  local s = {{name = "P n=" .. n, y = P, lo = lo, hi = hi, style = "points", color = c},
             {name = "L n=" .. n, y = L, style = "dashed", color = c}}
  if n == 2 then s[3] = {name = "U n=2", y = U, style = "dotted", color = c} end
  for _, e in ipairs(s) do
    series[#series + 1] = e
    if n == 2 or n == 4 or n == 8 then few[#few + 1] = e end
  end
end
run:figure({x = depths, series = series, logx = true, logy = true, ymin = floor, ymax = 1,
            title = "P(alive) against depth: 64 Gaussian points in d = 2",
            xlabel = "depth k", ylabel = "P(alive)"},
           {series = few, title = "P(alive) against depth, n = 2, 4, 8 (all widths in the SVG)"})

-- ---- summary: the ratio P/L per width and depth
local shown = {1, 2, 4, 8, 16, 32, 64, 128}
local headers, summary = {"width"}, {}
for _, k in ipairs(shown) do headers[#headers + 1] = "k=" .. k end
for _, n in ipairs(widths) do
  local line = {"P/L n=" .. n}
  for _, k in ipairs(shown) do
    local row = by[n][k]
    line[#line + 1] = row.r.alive_trials >= 20 and tonumber(string.format("%.3f", row.ratio)) or common.nan
  end
  summary[#summary + 1] = line
end
run:table(headers, summary, ("P(alive) / L (%d trials per point; '-': fewer than 20 living nets; "
                             .. "every depth in depth.csv)"):format(trials))

-- ---- checks
local outside = {}
for _, n in ipairs(widths) do
  for _, k in ipairs(depths) do
    local row = by[n][k]
    if row.hi4 < row.r.lower or row.lo4 > row.r.upper then
      outside[#outside + 1] = ("n=%d k=%d: P=%s L=%s U=%s"):format(n, k, fmt(row.r.p_alive), fmt(row.r.lower), fmt(row.r.upper))
    end
  end
end
run:check(#outside == 0, ("L <= P(alive) <= U within 4 sigma at all %d points"):format(#widths * #depths),
          #outside > 0 and table.concat(outside, "; ") or nil)

local bad_f = {}
for _, n in ipairs(widths) do
  for _, k in ipairs(depths) do
    local r = by[n][k].r
    -- F lies in [0, 1] with mean L, so Var F <= L (1 - L): the sample's se,
    -- which is 0 when no trial lived (likely where trials * L is ~1), is
    -- floored by that bound. The 64 points of a trial are not independent
    -- (a dead net kills them all): the floor counts trials, not points.
    local se = math.max(r.fraction_se, math.sqrt(r.lower * (1 - r.lower) / r.trials))
    if math.abs(r.fraction - r.lower) > 4 * se + 1e-12 then
      bad_f[#bad_f + 1] = ("n=%d k=%d: F=%s L=%s"):format(n, k, fmt(r.fraction), fmt(r.lower))
    end
  end
end
run:check(#bad_f == 0, "mean living fraction E[F] = L within 4 sigma at every point",
          #bad_f > 0 and table.concat(bad_f, "; ") or nil)

-- The ratio levels off: for n = 6 and 8 it no longer grows from k = 64 to
-- k = 128 (one-sided, 4 sigma of the difference; the ratio's se is se(P)/L).
local function ratio_se(row)
  local r = row.r
  return math.sqrt(math.max(r.p_alive * (1 - r.p_alive), 1 / r.trials) / r.trials) / r.lower
end
for _, n in ipairs{6, 8} do
  local a, b = by[n][64], by[n][128]
  local tol = 4 * math.sqrt(ratio_se(a) ^ 2 + ratio_se(b) ^ 2)
  run:check(b.ratio - a.ratio <= tol,
            ("n=%d: P/L has levelled off (k=64: %.3f, k=128: %.3f, growth <= %.3f = 4 sigma)"):format(n, a.ratio, b.ratio, tol))
end
-- Wider nets sit closer to L: at k = 32 (well measured for every width
-- from 4 on) the ratio falls with width; for n = 8 it is within 15% of L.
local r4, r6, r8 = by[4][32], by[6][32], by[8][32]
run:check(r4.ratio - 4 * ratio_se(r4) > r6.ratio + 4 * ratio_se(r6) and
          r6.ratio - 4 * ratio_se(r6) > r8.ratio + 4 * ratio_se(r8),
          ("at k=32, P/L falls with width: n=4 %.3f > n=6 %.3f > n=8 %.3f"):format(r4.ratio, r6.ratio, r8.ratio))
local r8d = by[8][128]
run:check(r8d.ratio + 4 * ratio_se(r8d) < 1.15,
          ("n=8 stays close to L: P/L = %.3f at k=64, %.3f at k=128 (< 1.15)"):format(by[8][64].ratio, r8d.ratio))
run:finish()

-- shrink.lua: P(alive) as the input set shrinks to a point (theory.md §10.2
-- item 5): X = x0 + eps (E - x0) for 32 Gaussian points E in d = 3, a net
-- of depth 8 and width 2 (He weights, zero biases).
-- Claim (the paper's tightness result for the lower bound): P(alive) -> L
-- as eps -> 0, and P(alive) = L exactly when X is a single point.
-- this file's folder, wherever the script is started from (relush, dofile, paper)
local here = debug.getinfo(1, "S").source:match("^@(.*)/") or "."
package.path = here .. "/?.lua;" .. package.path
local common = require "common"
local fmt = common.fmt

local run = common.start("shrink", "P(alive) as the input set shrinks to one point", {...})
local n, k = 2, 8
local trials = run:pick(200000, 20000)
local E = inputs.gaussian(32, 3, {seed = 3})
local epsilons = {10, 3, 1, 0.6, 0.3, 0.2, 0.1, 0.05, 0.03, 0.01, 0.003, 0.001, 0}

local results = {}
for i, eps in ipairs(epsilons) do
  local r = mc{depth = k, width = n, X = inputs.shrink(E, eps), trials = trials, seed = 11}
  local lo4, hi4 = common.wilson(r.alive_trials, r.trials, 4)
  results[i] = {eps = eps, r = r, lo4 = lo4, hi4 = hi4}
end
local L = results[1].r.lower

local rows = {}
for _, e in ipairs(results) do
  local r = e.r
  rows[#rows + 1] = {e.eps, r.trials, r.alive_trials, r.p_alive, r.ci[1], r.ci[2], r.lower, r.upper,
                     r.p_alive / r.lower, r.fraction}
end
run:csv({"eps", "trials", "alive_trials", "p_alive", "ci_lo", "ci_hi", "lower", "upper", "ratio", "fraction"}, rows)

-- ---- the figure (eps > 0 on a log axis; eps = 0 is in the table)
local xs, P, lo, hi, Lc = {}, {}, {}, {}, {}
for _, e in ipairs(results) do
  if e.eps > 0 then
    xs[#xs + 1] = e.eps
    P[#P + 1], lo[#lo + 1], hi[#hi + 1], Lc[#Lc + 1] = e.r.p_alive, e.r.ci[1], e.r.ci[2], L
  end
end
run:figure{x = xs, logx = true, ymin = 0,
           series = {{name = "P(alive), 95% band", y = P, lo = lo, hi = hi},
                     {name = ("lower bound L = %.4f"):format(L), y = Lc, style = "dashed"}},
           title = ("P(alive) as X shrinks to a point: 32 points in d = 3, n = %d, k = %d"):format(n, k),
           xlabel = "eps (X = x0 + eps (E - x0))", ylabel = "P(alive)"}

local summary = {}
for _, e in ipairs(results) do
  summary[#summary + 1] = {e.eps, e.r.p_alive, e.r.ci[1], e.r.ci[2], e.r.p_alive / L}
end
run:table({"eps", "P(alive)", "95% lo", "95% hi", "P / L"}, summary,
          ("L = %s, U = %s (%d trials per eps)"):format(fmt(L), fmt(results[1].r.upper), trials))

-- ---- checks
local below = {}
for _, e in ipairs(results) do
  if e.hi4 < L then below[#below + 1] = "eps=" .. e.eps end
end
run:check(#below == 0, "P(alive) >= L within 4 sigma for every eps", #below > 0 and table.concat(below, ", ") or nil)
local point = results[#results]
run:check(point.lo4 <= L and L <= point.hi4,
          ("one point (eps = 0): P(alive) = %s equals L = %s within 4 sigma"):format(fmt(point.r.p_alive), fmt(L)))
local function se(r) return math.sqrt(math.max(r.p_alive * (1 - r.p_alive), 1 / r.trials) / r.trials) end
-- Monotone while shrinking (eps <= 1; beyond 1 the set only grows in scale,
-- which zero-bias nets ignore, so P levels off there).
local up = {}
for i = 2, #results do
  local a, b = results[i - 1].r, results[i].r
  if results[i - 1].eps > 1 then goto next end
  if b.p_alive > a.p_alive + 4 * math.sqrt(se(a) ^ 2 + se(b) ^ 2) then up[#up + 1] = "eps=" .. results[i].eps end
  ::next::
end
run:check(#up == 0, "P(alive) does not grow as eps shrinks from 1 to 0 (4 sigma)", #up > 0 and table.concat(up, ", ") or nil)
local big, small = results[3].r, results[#results - 1].r
run:check(big.p_alive - 4 * se(big) > L + 0.02,
          ("the full set (eps = 1) is well above L: P = %s"):format(fmt(big.p_alive)))
-- Convergence: the excess P - L at the smallest eps is under a tenth of the
-- excess of the full set, both taken at their 4-sigma unfavourable ends.
local excess_small = small.p_alive - L + 4 * se(small)
local excess_big = big.p_alive - L - 4 * se(big)
run:check(excess_small <= 0.1 * excess_big,
          ("P(alive) -> L: at eps = %s, P - L = %s, under a tenth of %s at eps = 1 (4 sigma)"):format(
            results[#results - 1].eps, fmt(small.p_alive - L), fmt(big.p_alive - L)))
run:finish()

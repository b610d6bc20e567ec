-- single_layer.lua: the upper bound is exact for one layer on the largest
-- input set (theory.md §4.3, §10.2 item 6). A single layer of width n with
-- N(0, 1) biases is dead on the whole non-negative orthant of R^d exactly
-- when every weight and bias is <= 0, so P(alive) = 1 - 2^-n(d+1) = U.
-- The orthant is represented by its extreme points 0 and R e_i with R =
-- 1e6 (inputs.orthant), on which the death events coincide.
-- Claims: the measured P(dead) equals 2^-n(d+1) for every (d, n) within
-- 4 sigma; the lower bound (1 - 2^-n, exact for one point) is far from it.
-- this file's folder, wherever the script is started from (relush, dofile, paper)
local here = debug.getinfo(1, "S").source:match("^@(.*)/") or "."
package.path = here .. "/?.lua;" .. package.path
local common = require "common"
local fmt = common.fmt

local run = common.start("single_layer", "the upper bound's tightness for one layer on the orthant", {...})
local trials = run:pick(1000000, 100000)
local dims = {1, 2, 3}
local widths = {1, 2, 3, 4}

local cases, rows = {}, {}
for _, d in ipairs(dims) do
  local X = inputs.orthant(d, 1e6)
  for _, n in ipairs(widths) do
    local r = mc{depth = 1, width = n, X = X, bias = 1, trials = trials, seed = 100 * d + n}
    local U = bound.upper({n}, d, true, false)
    local dead = r.trials - r.alive_trials
    local lo4, hi4 = common.wilson(dead, r.trials, 4)
    local c = {d = d, n = n, e = n * (d + 1), r = r, U = U, L = bound.lower(n, 1), dead = dead,
               lo4 = lo4, hi4 = hi4}
    cases[#cases + 1] = c
    rows[#rows + 1] = {d, n, c.e, r.trials, dead, dead / r.trials, 1 - U, r.p_alive, U, c.L}
  end
end
run:csv({"d", "width", "exponent", "trials", "dead_trials", "p_dead", "bound_p_dead", "p_alive", "upper", "lower"}, rows)

-- ---- the figure: P(dead) against the exponent n(d+1); every (d, n) on 2^-e
local xs, index = {}, {}
for _, c in ipairs(cases) do
  if not index[c.e] then index[c.e] = true; xs[#xs + 1] = c.e end
end
table.sort(xs)
local pos = {}
for i, e in ipairs(xs) do pos[e] = i end
local line = {}
for i, e in ipairs(xs) do line[i] = 2.0 ^ -e end
local series = {{name = "1 - U = 2^-n(d+1)", y = line, style = "dashed", color = 8}}
for j, d in ipairs(dims) do
  local y, lo, hi = {}, {}, {}
  for i = 1, #xs do y[i], lo[i], hi[i] = common.nan, common.nan, common.nan end
  for _, c in ipairs(cases) do
    if c.d == d and c.dead > 0 then
      local i = pos[c.e]
      local clo, chi = common.wilson(c.dead, c.r.trials, 1.96)
      y[i], lo[i], hi[i] = c.dead / c.r.trials, math.max(clo, 1e-7), chi
    end
  end
  series[#series + 1] = {name = ("MC P(dead), d = %d"):format(d), y = y, lo = lo, hi = hi, style = "points", color = j}
end
run:figure{x = xs, series = series, logy = true,
           title = "One layer on the orthant: P(dead) = 2^-n(d+1) exactly",
           xlabel = "exponent n(d+1)", ylabel = "P(dead)"}

local summary = {}
for _, c in ipairs(cases) do
  summary[#summary + 1] = {c.d, c.n, c.r.p_alive, c.U, c.L, c.dead, c.r.trials * (1 - c.U)}
end
run:table({"d", "n", "P(alive)", "U", "L", "dead nets", "expected"}, summary,
          ("%d trials per case"):format(trials))

-- ---- checks
local off = {}
for _, c in ipairs(cases) do
  if c.lo4 > 1 - c.U or c.hi4 < 1 - c.U then
    off[#off + 1] = ("d=%d n=%d: P(dead)=%s, 2^-%d=%s"):format(c.d, c.n, fmt(c.dead / c.r.trials), c.e, fmt(1 - c.U))
  end
end
run:check(#off == 0, ("P(alive) = U = 1 - 2^-n(d+1) within 4 sigma in all %d cases"):format(#cases),
          #off > 0 and table.concat(off, "; ") or nil)
local loose = 0
for _, c in ipairs(cases) do
  local alive_lo = 1 - c.hi4
  if alive_lo > c.L then loose = loose + 1 end
end
run:check(loose == #cases, ("the lower bound is not tight here: P(alive) > L = 1 - 2^-n in %d of %d cases"):format(loose, #cases))
run:finish()

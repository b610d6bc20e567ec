-- alignment.lua: the mechanism behind P(alive) -> L (theory.md §6.1,
-- §6.2): deep ReLU nets line the representations of all points up along
-- one ray, after which every layer treats X like a single point.
--   relush scripts/paper/alignment.lua [--quick] [--out DIR]
-- 32 Gaussian points in d = 16, He weights, zero biases, depth 32; for
-- widths 16, 64 and 256 the mean over nets of net:alignment(X)'s cosine
-- per layer, next to the infinite-width arc-cosine prediction averaged over
-- the pairs of X, and the map applied to the mean input cosine (too low:
-- the map is convex); also written to DIR/alignment.csv. Checks (PASS/FAIL,
-- exit 1 on a failure): the cosine rises with depth for every width, and
-- for width 256 it follows the prediction within
-- 4 sqrt(l) s / sqrt(n T) + l b / n at every layer l, where s = 0.8 bounds
-- the one-layer standard deviation of the cosine times sqrt(n) and b = 0.3
-- its bias times n (delta method, derived in tests/unit/test_remedies.c),
-- and the map's slope is at most 1.
-- this file's folder, wherever the script is started from (relush, dofile, paper)
local here = debug.getinfo(1, "S").source:match("^@(.*)/") or "."
package.path = here .. "/?.lua;" .. package.path
local common = require "common"

local run = common.start("alignment", "the alignment of representations against the arc-cosine map", {...})
local nets = run:pick(20, 4)
local depth, points, dim = 32, 32, 16
local widths = {16, 64, 256}
local X = inputs.gaussian(points, dim, {seed = 1})

local function f(c) return (math.sqrt(1 - c * c) + (math.pi - math.acos(c)) * c) / math.pi end

print(("%d Gaussian points in d = %d, He weights, zero bias, depth %d, %d nets/width")
      :format(points, dim, depth, nets))
local mean, living, predicted, input_cosine = {}, {}, nil, nil
for _, n in ipairs(widths) do
  mean[n], living[n] = {}, {}
  for l = 1, depth do mean[n][l], living[n][l] = 0, 0 end
  for t = 1, nets do
    local r = relu(depth, n, {input = dim, seed = 1000 * n + t}):alignment(X)
    for l = 1, depth do
      local row = r.layers[l]
      -- a net whose points died leaves no cosine: count the others
      if row.cosine then
        mean[n][l] = mean[n][l] + row.cosine
        living[n][l] = living[n][l] + 1
      end
    end
    predicted, input_cosine = r.layers, r.input_cosine
  end
  for l = 1, depth do mean[n][l] = living[n][l] > 0 and mean[n][l] / living[n][l] or 0 / 0 end
end

local headers = {"layer", "predicted", "f^l(mean c0)"}
local csv_headers = {"layer", "predicted", "map_of_mean"}
for _, n in ipairs(widths) do
  headers[#headers + 1] = "n=" .. n
  csv_headers[#csv_headers + 1] = "cosine_n" .. n
end
local rows, csv_rows = {}, {}
local c_of_mean = input_cosine
rows[1] = {"input", input_cosine, input_cosine}
csv_rows[1] = {0, input_cosine, input_cosine}
for _, n in ipairs(widths) do
  rows[1][#rows[1] + 1] = input_cosine
  csv_rows[1][#csv_rows[1] + 1] = input_cosine
end
for l = 1, depth do
  c_of_mean = f(c_of_mean)
  local row = {tostring(l), predicted[l].predicted, c_of_mean}
  for _, n in ipairs(widths) do row[#row + 1] = mean[n][l] end
  rows[#rows + 1] = row
  local csv_row = {l}
  for j = 2, #row do csv_row[j] = row[j] end
  csv_rows[#csv_rows + 1] = csv_row
end

run:csv(csv_headers, csv_rows)
-- The figure: the measured cosines per width against the prediction.
do
  local xs, series = {}, {}
  local function column(j)
    local c = {}
    for i, row in ipairs(csv_rows) do c[i] = row[j] end
    return c
  end
  for i, row in ipairs(csv_rows) do xs[i] = row[1] end
  for j, n in ipairs(widths) do
    series[#series + 1] = {name = "measured, n = " .. n, y = column(3 + j), color = j}
  end
  series[#series + 1] = {name = "arc-cosine prediction", y = column(2), style = "dashed", color = 8}
  series[#series + 1] = {name = "map of the mean input cosine", y = column(3), style = "dotted", color = 4}
  run:figure{x = xs, series = series, ymax = 1,
             title = ("Mean pairwise cosine of the representations (%d nets per width)"):format(nets),
             xlabel = "layer (0: the input)", ylabel = "mean cosine"}
end
run:table(headers, rows)
print("  columns n=...: the mean over nets of the mean pairwise cosine of the living")
print("  points' representations; predicted: the arc-cosine map iterated on each")
print("  pair's input cosine and averaged; f^l(mean c0): the map iterated on the mean")
print("  input cosine instead.")
print()

for _, n in ipairs(widths) do
  local m = mean[n]
  run:check(m[1] < m[2] and m[2] < m[4] and m[4] < m[8] and m[8] < m[16] and m[16] < m[32],
            ("width %d: the cosine rises with depth"):format(n),
            ("%.3f %.3f %.3f %.3f %.3f %.3f at 1 2 4 8 16 32"):format(m[1], m[2], m[4], m[8], m[16], m[32]))
end
local n, worst, ok = 256, 0, true
for l = 1, depth do
  local tol = 4 * math.sqrt(l) * 0.8 / math.sqrt(n * nets) + l * 0.3 / n
  local gap = math.abs(mean[n][l] - predicted[l].predicted)
  worst = math.max(worst, gap / tol)
  if not (gap <= tol) then ok = false end
end
run:check(ok, "width 256: the cosine follows the prediction within the tolerance at every layer",
          ("largest gap / tolerance %.2f"):format(worst))
run:finish()

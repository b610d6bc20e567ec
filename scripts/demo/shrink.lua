-- demo "shrink": when the points of X close in on one point, P(alive)
-- comes down to the single-point value L.
return {
  title = "A tight input set lives like one point",
  steps = {
    {[[A single point lives with probability exactly L. A spread-out input set does better, because different points die in different nets. inputs.shrink(X, eps) moves every point towards the set's first point: x0 + eps (x - x0); eps = 0 leaves 64 copies of one point.]],
     [[X = inputs.gaussian(64, 3, {seed = 1})
eps = {1, 0.5, 0.2, 0.1, 0.05, 0.02, 0}
return inputs.shrink(X, 0.1)]]},
    {[[P(alive) for each eps, with the same random nets (same seed) at depth 16 and width 3. As eps goes to 0 the estimate comes down to L.]],
     [[P, lo, hi, L = {}, {}, {}, {}
for i, e in ipairs(eps) do
  local r = mc{X = inputs.shrink(X, e), depth = 16, width = 3,
               trials = 4000, seed = 1}
  P[i], lo[i], hi[i], L[i] = r.p_alive, r.ci[1], r.ci[2], r.lower
  print(("eps = %-5g  P(alive) = %.4f  95%% CI [%.4f, %.4f]  L = %.4f")
    :format(e, P[i], lo[i], hi[i], L[i]))
end]]},
    {[[The same numbers as a plot against eps.]],
     [[return plot.lines{x = eps, series = {
    {name = "P(alive)", y = P, lo = lo, hi = hi},
    {name = "L", y = L, style = "dashed", color = 1}},
  xlabel = "eps (spread of X)", ylabel = "P(alive)",
  title = "Shrinking X to a point, depth 16, width 3"}]]},
  },
}

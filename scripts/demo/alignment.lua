-- demo "alignment": deep random nets line the points of X up on one ray.
return {
  title = "Why deep nets treat X like one point",
  steps = {
    {[[Why does P(alive) / L stop growing with depth, as if X were one point? (It approaches L itself only for wide layers, doc/theory.md §6.) Each random ReLU layer pulls representations closer: the cosine between two points' representations grows towards 1 with depth. The arc-cosine kernel (Cho and Saul) predicts it for infinitely wide layers, where it rises at every layer; one net of width 64 follows the prediction with some wander, so a layer can lower the measured cosine a little.]],
     [[X = inputs.gaussian(16, 64, {seed = 1})
a = relu(12, 64, {seed = 1}):alignment(X)
return a]]},
    {[[Measured and predicted cosine against the layer.]],
     [[xs, c, p = {}, {}, {}
for l, layer in ipairs(a.layers) do
  xs[l], c[l], p[l] = l, layer.cosine, layer.predicted
end
return plot.lines{x = xs, series = {
    {name = "measured cosine", y = c},
    {name = "arc-cosine prediction", y = p, style = "dashed"}},
  xlabel = "layer", ylabel = "mean cosine between points",
  title = "Alignment of representations"}]]},
    {[[Once the points are aligned, a layer kills all of them or none: the net behaves as on a single point, and P(alive) / L settles, as demo "depth" showed.]],
     [[return mc.sweep{depth = {4, 16, 48}, width = 3,
  X = inputs.gaussian(32, 3, {seed = 1}), trials = 2000, seed = 1}]]},
  },
}

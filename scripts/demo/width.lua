-- demo "width": wider layers keep nets alive; how wide for a given depth.
return {
  title = "Width saves",
  steps = {
    {[[Each layer of width n kills a point that reaches it with probability about 2^-n (all n neurons inactive). So width protects exponentially. Here P(alive) at depth 24 for widths 2 to 8.]],
     [[X = inputs.gaussian(64, 2, {seed = 1})
s = mc.sweep{width = {2, 3, 4, 5, 6, 8}, depth = 24, input = 2, X = X,
             trials = 3000, seed = 1}
return s]]},
    {[[Plotted against width: the lower bound L (dashed) rises to 1 quickly, and the measured P(alive) with it.]],
     [[return s:plot()]]},
    {[[The bound answers the design question directly: the width needed so that a net of depth k is alive with probability at least p, and the depth a given width survives.]],
     [[return ("width for depth 100 at p = 0.99: %d;  depth that width 8 survives at p = 0.5: %d"):format(
  bound.width_for(100, 0.99), bound.depth_for(8, 0.5))]]},
    {[[Depth and width together, as a grid: one curve per width, P against depth.]],
     [[g = mc.sweep{depth = {2, 4, 8, 16, 32}, width = {2, 4}, input = 2, X = X,
             trials = 2000, seed = 1}
return g:plot{logy = true}]]},
  },
}

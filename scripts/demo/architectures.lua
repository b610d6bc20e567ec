-- demo "architectures": residual, dense, skip and batchnorm against plain.
return {
  title = "Architectures that do not die",
  steps = {
    {[[A residual block adds its input back (h + ReLU(W h + b)), a dense net concatenates every layer's input, a skip net feeds every layer to the output, and batchnorm normalises each neuron over X. Same depth, width and seed for all five:]],
     [[X = inputs.gaussian(64, 3, {seed = 1})
s = mc.sweep{arch = {"plain", "residual", "dense", "skip", "batchnorm"},
  depth = 24, width = 3, X = X, trials = 2000, seed = 1}
return s]]},
    {[[Residual and dense nets never lose a non-zero point (the identity path carries it). A skip net loses a point only if the first layer kills it. Batchnorm keeps an active neuron in every layer, but each point still dies with the plain probability.]],
     [[return s:plot()]]},
    {[[One residual net, layer by layer: neurons can be dead, but no point is. (In a terminal, the live view: q comes back here.)]],
     [[res = relu(12, 3, {arch = "residual", seed = 2})
view(res, X)]]},
  },
}

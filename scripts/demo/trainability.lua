-- demo "trainability": a dead net cannot learn; the same net flipped can.
return {
  title = "Dead nets cannot learn",
  steps = {
    {[[Why care about death? Training follows the gradient, and a dead net's gradient is exactly zero: every path from the loss back to a weight passes through a layer where no neuron is active. A small regression problem: learn y = |x1| + 1/2 from 64 points, with a net of 11 layers of width 2 and an output neuron, which is dead on X in about 24 draws out of 25 (the loop skips a draw that lives).]],
     [[X = inputs.gaussian(64, 2, {seed = 1})
y = {}
for i = 1, #X do y[i] = math.abs(X[i][1]) + 0.5 end
seed = 2
net = relu{widths = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1}, seed = seed}
while net:death(X).alive do
  seed = seed + 1
  net = relu{widths = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1}, seed = seed}
end
return net:death(X)]]},
    {[[Train it with Adam for 300 steps. The gradient norm of every layer is 0 and the loss never moves.]],
     [[dead = net:clone():train(X, y, {method = "adam", steps = 300})
return dead]]},
    {[[Now the same net after sign flipping on X: its points live, the gradient flows, and the loss falls.]],
     [[flipped = net:clone()
flipped:flip(X)
alive = flipped:train(X, y, {method = "adam", steps = 300})
return alive]]},
    {[[Side by side: the loss of the dead net (flat) and of the flipped net, per step.]],
     [[steps = {}
for i = 1, #dead.loss do steps[i] = i - 1 end
return plot.lines{x = steps, series = {
    {name = "dead net", y = dead.loss, style = "dotted"},
    {name = "flipped net", y = alive.loss}},
  xlabel = "step", ylabel = "mean squared error",
  title = "Training: dead against flipped", logy = true}]]},
  },
}

-- demo "flip": the sign-flipping scheme revives any dead net.
return {
  title = "Sign flipping brings dead nets back",
  steps = {
    {[[A deep narrow net is almost surely dead: depth 20 and width 2 keep a point of X alive in fewer than 1 net in 100. This one keeps none (in the rare draw that lives, the loop takes the next seed).]],
     [[X = inputs.gaussian(64, 2, {seed = 1})
seed = 3
net = relu(20, 2, {seed = seed})
while net:death(X).alive do seed = seed + 1; net = relu(20, 2, {seed = seed}) end
return net:death(X)]]},
    {[[Sign flipping goes layer by layer: a neuron active on fewer than half of the living points gets its weights and bias negated, which negates its pre-activation everywhere. Each layer then keeps at least half the points, so at least a fraction 2^-k of X survives k layers, for every draw.]],
     [[r = net:flip(X)
return r]]},
    {[[The flipped net, layer by layer: living points never drop to zero.]],
     [[return view.snapshot(net, X)]]},
    {[[Over many random nets: without flipping almost all die; with flipping every one lives (P(alive) = 1).]],
     [[plain = mc{depth = 20, width = 2, X = X, trials = 2000, seed = 1}
flipped = mc{depth = 20, width = 2, X = X, trials = 2000, seed = 1,
             flip = true}
return ("P(alive): plain %.4f, flipped %.4f"):format(
  plain.p_alive, flipped.p_alive)]]},
  },
}

-- demo "depth": deep narrow ReLU nets die, and P(alive) falls with depth
-- towards the lower bound L = prod (1 - 2^-n_l). Run: demo "depth".
return {
  title = "Depth kills",
  steps = {
    {[[A ReLU network is dead on an input set X when, at some layer, every neuron is inactive on every point: from there on the output is constant and nothing can be learned. Here is one random net of depth 12 and width 3 on 64 Gaussian points in three dimensions. Each row is a layer, each cell a neuron; x marks a neuron that is dead on all the points that reach it. (In a terminal this is the live view: q comes back here.)]],
     [[X = inputs.gaussian(64, 3, {seed = 1})
net = relu(12, 3, {seed = 4})
view(net, X)]]},
    {[[The death report says which layer killed each point. A point dies at the first layer where all of its neurons are inactive; once dead it stays dead.]],
     [[return net:death(X)]]},
    {[[One net is one draw. Monte Carlo draws many: P(alive) is the fraction of random nets of this shape that keep at least one point of X alive. The paper proves L <= P(alive) <= U, with L = prod over layers of (1 - 2^-n_l). Watch the estimate settle in the live view (q comes back here).]],
     [[r = mc{depth = 12, width = 3, X = X, trials = 100000, seed = 1,
       view = true}
return ("P(alive) = %.4f, L = %.4f, P/L = %.2f"):format(
  r.p_alive, r.lower, r.p_alive / r.lower)]]},
    {[[Now the same experiment at depths from 1 to 48, in one line. P(alive) falls with depth, and its ratio to L settles: deep nets treat all of X like a single point, and a single point lives with probability exactly L.]],
     [[s = mc.sweep{depth = {1, 2, 4, 8, 16, 24, 32, 48}, width = 3, X = X,
             trials = 4000, seed = 1}
return s]]},
    {[[On a log scale P and L fall together, a straight line: death is exponential in depth, at a rate set by the width.]],
     [[return s:plot{logy = true}]]},
  },
}

-- demo "single_layer": one layer, the upper bound U, the tie at the origin.
return {
  title = "One layer: the upper bound U and a tie",
  steps = {
    {[[For a single layer the paper's upper bound is tight for inputs in the non-negative orthant: P(alive) <= U. inputs.orthant(d) gives the d unit vectors (times R) and the origin 0.]],
     [[X = inputs.orthant(3)
return X]]},
    {[[With zero biases the origin gives every neuron a pre-activation of exactly 0: it is inactive under any weights, so that point can never live. It is a tie, not a failure of the theorem: P(alive) counts the net alive if any point lives.]],
     [[net = relu(1, 4, {input = 3, seed = 1})
return net:death(X)]]},
    {[[To test the upper bound properly, leave the origin out: it can never live, so it only adds ties. On the unit vectors alone a single zero-bias layer is dead exactly when all n d weights are negative, so P(alive) = 1 - 2^-(n d) = U: the bound is attained, and the estimate sits on it up to Monte Carlo error (its 95% interval misses the true value in about 1 run in 20).]],
     [[E = inputs.from{X[2], X[3], X[4]}
r = mc{depth = 1, width = 2, input = 3, X = E, trials = 20000, seed = 1}
return ("P(alive) = %.4f, 95%% CI [%.4f, %.4f], L = %.4f, U = %.4f")
  :format(r.p_alive, r.ci[1], r.ci[2], r.lower, r.upper)]]},
    {[[The paper's own experiment keeps the origin and gives the biases a law, N(0, 1): then the origin is no tie, the layer is dead on the orthant exactly when all n (d + 1) weights and biases are negative, and U = 1 - 2^-(n (d + 1)) (bound.upper with zero_bias = false).]],
     [[b = mc{depth = 1, width = 2, X = inputs.orthant(3, 1e6), bias = 1,
       trials = 20000, seed = 1}
return ("P(alive) = %.4f, 95%% CI [%.4f, %.4f], U = %.4f"):format(
  b.p_alive, b.ci[1], b.ci[2], bound.upper({2}, 3, true, false))]]},
    {[[Width sweep of the single layer: P equals U up to Monte Carlo error at every width, well above L (a 95% interval misses the true value 1 time in 20, so with other seeds one width may sit just outside its interval).]],
     [[s = mc.sweep{width = {1, 2, 3, 4, 6}, depth = 1, input = 3, X = E,
             trials = 10000, seed = 1}
return s]]},
  },
}

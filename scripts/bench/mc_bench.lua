-- mc_bench.lua: one Monte Carlo benchmark run, for scripts/bench/run.
-- usage: relush mc_bench.lua m d width depth trials stats threads method [precision]
-- X is m Gaussian points in d dimensions (seed 1); the net is plain, He
-- weights, zero biases, seed 1. Prints: trials seconds rate p_alive
-- evaluation precision.
local m, d, width, depth, trials = tonumber(arg[1]), tonumber(arg[2]), tonumber(arg[3]),
  tonumber(arg[4]), tonumber(arg[5])
local stats, threads, method = arg[6] or "all", tonumber(arg[7] or 1), arg[8] or "auto"
local precision = arg[9]   -- nil: the default (RELUSH_PRECISION, else mc's choice)
local X = inputs.gaussian(m, d, {seed = 1})
local r = mc{depth = depth, width = width, X = X, trials = trials, seed = 1,
             stats = stats, threads = threads, method = method, progress = false,
             precision = precision}
print(string.format("%d %.6f %.6g %.6f %s %s", r.trials, r.seconds, r.rate, r.p_alive, r.evaluation,
                    r.precision))

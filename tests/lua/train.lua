-- train.lua: net:train and net:gradient from Lua: dead nets do
-- not learn (gradient exactly 0, loss constant), the same nets flipped do
-- (loss at least halved on a small regression problem), every architecture
-- trains, and bad arguments are named. The finite-difference check of the
-- gradient for every architecture is in tests/unit/test_train.c.
local t = require "tap"

local X = inputs.gaussian(32, 2, {seed = 1})
-- a small regression problem a ReLU net can fit: y = |x1| + 1/2
local y = {}
for i = 1, #X do y[i] = math.abs(X[i][1]) + 0.5 end

-- ---- dead nets: the first few seeds whose deep narrow net kills every point
local widths = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1}
local dead = {}
for seed = 1, 400 do
  local net = relu{widths = widths, input = 2, seed = seed}
  if net:death(X).living == 0 then dead[#dead + 1] = net end
  if #dead == 4 then break end
end
t.is(#dead, 4, "four dead nets of widths 2,...,2,1 found among the first seeds")

for _, net in ipairs(dead) do
  local g = net:gradient(X, y)
  local zero = true
  for l = 1, net.depth do if g.layers[l].norm ~= 0 then zero = false end end
  t.ok(zero, ("seed %d: the dead net's gradient is exactly 0 in every layer"):format(net.seed))
  for _, method in ipairs{"gd", "adam"} do
    local r = net:clone():train(X, y, {method = method, steps = 100, rate = 0.01})
    local constant = #r.loss == 101
    for i = 2, #r.loss do if r.loss[i] ~= r.loss[1] then constant = false end end
    t.ok(constant, ("seed %d, %s: the dead net's loss never moves (%g)"):format(net.seed, method, r.loss[1]))
  end
  local flipped = net:clone()
  flipped:flip(X)
  t.ok(flipped:death(X).living > 0, ("seed %d: the flipped net has living points"):format(net.seed))
  local r = flipped:train(X, y, {method = "adam", steps = 300, rate = 0.01})
  t.ok(r.final_loss <= 0.5 * r.initial_loss,
       ("seed %d: the flipped net halves its loss (%.4g -> %.4g)"):format(net.seed, r.initial_loss, r.final_loss))
end

-- ---- every architecture trains through the same call
for _, arch in ipairs{"plain", "residual", "dense", "skip", "batchnorm"} do
  local net = relu{widths = {4, 4, 4}, input = 4, arch = arch, bias = 0.1, seed = 5}
  local Xa = inputs.gaussian(24, 4, {seed = 2})
  local out = net:forward(Xa).cols
  local rows = {}
  for i = 1, #Xa do
    local row = {}
    for j = 1, out do row[j] = math.abs(Xa[i][(j - 1) % 4 + 1]) end
    rows[i] = row
  end
  local before = net:gradient(Xa, rows).loss
  local r = net:train(Xa, rows, {method = "adam", steps = 150, rate = 0.01})
  t.is(r.initial_loss, before, arch .. ": initial_loss is net:gradient's loss")
  t.ok(r.final_loss < r.initial_loss, ("%s: Adam lowers the loss (%.4g -> %.4g)"):format(arch, r.initial_loss, r.final_loss))
  t.is(net:gradient(Xa, rows).loss, r.final_loss, arch .. ": the net was trained in place")
  t.is(#r.grad_norm, 3, arch .. ": one gradient norm per layer")
end

-- ---- the report prints, and the gradient has the weights' shapes
do
  local net = relu(3, 2, {seed = 1, bias = 0.1})
  local Y = inputs.gaussian(8, 2, {seed = 3})
  local g = net:gradient(inputs.gaussian(8, 2, {seed = 2}), Y)
  t.is(#g.layers[2].W, 2, "dW has one row per neuron")
  t.is(#g.layers[2].W[1], 2, "dW rows have fan-in entries")
  t.is(#g.layers[2].b, 2, "db has one entry per neuron")
  local r = net:train(inputs.gaussian(8, 2, {seed = 2}), Y, {steps = 5})
  t.is(getmetatable(r).__name, "relush.TrainReport", "net:train returns a TrainReport")
  t.ok(tostring(r):find("gd, 5 steps at rate 0.01 on 8 points", 1, true), "the report names method, steps, rate and points")
  t.ok(tostring(dead[1]:clone():train(X, y, {steps = 3})):find("never moved", 1, true),
       "a dead net's report says its loss never moved")
end

-- ---- errors name the argument
do
  local net = relu(2, 2, {seed = 1})
  t.raises(function() net:train(X, {1, 2}) end, {"one row per point"}, "too few targets")
  t.raises(function() net:train(X, y, {method = "sgd"}) end, {"method", "'gd'", "'adam'"}, "unknown method")
  t.raises(function() net:train(X, y, {rate = 0}) end, {"rate", "> 0"}, "rate 0")
  t.raises(function() net:train(X, y, {steps = -1}) end, {"steps"}, "negative steps")
  t.raises(function() net:train(X, y, {speed = 1}) end, {"speed"}, "unknown option")
  t.raises(function() net:train(X, "y") end, {"targets", "Matrix"}, "targets of the wrong type")
  t.raises(function() net:train(X, {1, "a"}) end, {"target 2"}, "a non-number target")
end

t.done()

-- net.lua: the Lua API of networks, input sets and death reports.
local t = require "tap"

-- shape fields, as in the README's first example
local net = relu(20, 64)
t.is(net.depth, 20, "net.depth")
t.is(#net.widths, 20, "#net.widths")
t.is(net.widths[1], 64, "net.widths[1]")
t.is(net.input, 64, "input defaults to width")
t.is(#net, 20, "#net is the depth")
net.widths[1] = 3
t.is(net.widths[1], 64, "net.widths is a fresh list")

-- the -e acceptance line, through the real binary
local relush = os.getenv("RELUSH")
if relush then
  local p = io.popen(relush .. [[ -e 'net = relu(20,64); print(net.depth, #net.widths, net.widths[1], net.input)']])
  local out = p:read("a"); p:close()
  t.is(out, "20\t20\t64\t64\n", "relush -e prints 20 20 64 64")
else
  t.skip("relush -e prints 20 20 64 64", "RELUSH (the built shell) is not set")
end

-- forward == plain Lua ReLU(W h + b), for every weight and bias law
local function lua_forward(n, X)
  local out = {}
  for i = 1, #X do
    local h = X[i]
    for l = 1, n.depth do
      local W, b, z = n:weights(l), n:bias(l), {}
      for j = 1, #W do
        local s = 0
        for k = 1, #h do s = s + W[j][k] * h[k] end
        s = s + b[j]
        z[j] = s > 0 and s or 0
      end
      h = z
    end
    out[i] = h
  end
  return out
end

local laws = {"he", "glorot", "normal", "uniform", "laplace", {law = "normal", sd = 0.3},
              {law = "uniform", a = 0.7}, {law = "laplace", scale = 0.2}}
local biases = {0, 0.5, {law = "uniform", a = 0.1}, {law = "laplace", scale = 0.3}, "normal"}
for i, w in ipairs(laws) do
  local b = biases[(i - 1) % #biases + 1]
  local n = relu{widths = {5, 7, 3}, input = 4, weights = w, bias = b, seed = i}
  local X = inputs.gaussian(6, 4, {seed = i})
  local got, want = n:forward(X), lua_forward(n, X)
  local worst = 0
  for p = 1, 6 do
    for j = 1, 3 do
      local g, e = got[p][j], want[p][j]
      local rel = (g == e) and 0 or math.abs(g - e) / math.max(math.abs(e), 1e-300)
      if rel > worst then worst = rel end
    end
  end
  t.ok(worst <= 1e-12, "forward matches plain Lua for weights " ..
       (type(w) == "table" and w.law or w) .. " (worst rel " .. worst .. ")")
end

-- a law table's missing fields are the option's own: an empty table is the
-- option's default (weights he, bias zero: not He-normal biases), a scale
-- without a law is a normal law with that scale (for bias as for weights,
-- as a number bias is the sd of normal biases), a law without a scale is
-- the law's name; each the same net, draw for draw, as the form it stands for
do
  local function same_net(a, b)
    if tostring(a) ~= tostring(b) then return false end
    for l = 1, a.depth do
      local wa, wb, ba, bb = a:weights(l), b:weights(l), a:bias(l), b:bias(l)
      for j = 1, #ba do
        if ba[j] ~= bb[j] then return false end
        for k = 1, #wa[j] do if wa[j][k] ~= wb[j][k] then return false end end
      end
    end
    return true
  end
  local wrong = {}
  local function check(option, value, equivalent, what)
    for _, arch in ipairs{"plain", "residual"} do
      local base = {widths = arch == "plain" and {4, 3, 4} or {4, 4, 4}, input = 4, seed = 7, arch = arch}
      local a, b = {}, {}
      for k, v in pairs(base) do a[k], b[k] = v, v end
      a[option], b[option] = value, equivalent
      if not same_net(relu(a), relu(b)) then
        wrong[#wrong + 1] = option .. " = " .. what .. " (" .. arch .. "): " .. tostring(relu(a))
      end
    end
  end
  for _, option in ipairs{"weights", "bias"} do
    check(option, {}, nil, "{}")
    for _, sd in ipairs{0.25, 2} do
      check(option, {sd = sd}, {law = "normal", sd = sd}, "{sd = " .. sd .. "}")
    end
    for _, name in ipairs{"he", "glorot", "normal", "uniform", "laplace"} do
      check(option, {law = name}, name, "{law = '" .. name .. "'}")
    end
  end
  check("bias", {sd = 0.25}, 0.25, "{sd = 0.25} (as the number 0.25)")
  check("bias", {law = "zero"}, 0, "{law = 'zero'} (as 0)")
  t.none(wrong, "a law table's missing fields are the option's own default", "; ")
  local zero = relu(3, 4, {bias = {}, seed = 1})
  local all_zero = true
  for l = 1, 3 do for _, v in ipairs(zero:bias(l)) do all_zero = all_zero and v == 0 end end
  t.ok(all_zero and tostring(zero):find("bias zero", 1, true), "bias = {} gives zero biases: " .. tostring(zero))
  -- mc records what ran: bias = {} is saved as the zero law, as the default
  local r1 = mc{depth = 3, width = 3, trials = 50, seed = 2, progress = false, bias = {}}
  local r2 = mc{depth = 3, width = 3, trials = 50, seed = 2, progress = false}
  t.ok(r1.p_alive == r2.p_alive and r1.fraction == r2.fraction and r1.upper == r2.upper,
    "mc with bias = {} runs the default experiment (zero biases)")
  local path = os.tmpname()
  os.remove(path)
  r1:save(path)
  local f = io.open(path)
  local line = f:read("l")
  f:close()
  os.remove(path)
  t.ok(line:find('"bias":{"law":"zero"', 1, true), "... and its saved results line says the bias law is zero")
end

-- weights layout: n_l rows of n_{l-1} numbers
local n = relu{widths = {3, 2}, input = 5, seed = 1}
t.is(#n:weights(1), 3, "weights(1) has n_1 rows")
t.is(#n:weights(1)[1], 5, "weights(1) rows have n_0 numbers")
t.is(#n:weights(2)[1], 3, "weights(2) rows have n_1 numbers")
t.is(#n:bias(2), 2, "bias(2) has n_2 numbers")

-- reproducibility
local a, b = relu(4, 6, {seed = 7}), relu(4, 6, {seed = 7})
local same = true
for l = 1, 4 do
  local wa, wb = a:weights(l), b:weights(l)
  for j = 1, 6 do for k = 1, 6 do same = same and wa[j][k] == wb[j][k] end end
end
t.ok(same, "same seed, same weights")
local X = inputs.gaussian(50, 6, {seed = 3})
local ra, rb = a:death(X), b:death(X)
local same_report = ra.living == rb.living
for i = 1, 50 do same_report = same_report and ra.dead_at[i] == rb.dead_at[i] end
t.ok(same_report, "same seed, same death report")
t.ok(relu(4, 6, {seed = 8}):weights(1)[1][1] ~= a:weights(1)[1][1], "different seed, different weights")
t.ok(relu(4, 6).seed ~= relu(4, 6).seed, "unseeded nets get fresh seeds")
local c = a:clone()
t.is(c:weights(3)[2][5], a:weights(3)[2][5], "clone copies weights")

-- net:bounds()
local nb = relu{widths = {3, 1, 4, 2, 5}, seed = 1}:bounds()
t.is(nb.lower, 9765 / 32768, "net:bounds().lower is L exactly (7/8 * 1/2 * 15/16 * 3/4 * 31/32)")
t.is(#nb.layers, 5, "net:bounds().layers has a row per layer")
t.is(nb.layers[2].survival, 0.5, "per-layer survival 1 - 2^-n")
t.ok(nb.upper >= nb.lower and nb.upper_general >= nb.upper, "L <= U(orthant) <= U(general)")
t.ok(tostring(nb):find("Bounds on P%(alive%)"), "net:bounds() prints")
t.is(nb.arch, "plain", "net:bounds().arch")
-- L and U are the plain chain's: every other architecture's printout says so
-- and gives its own statement (a residual net has P(alive) = 1 > U, as
-- mc shows here, so "Bounds on P(alive)" would be false for it)
local own = {residual = "§7.1", dense = "§7.2", skip = "§7.4", batchnorm = "§7.3"}
for arch, section in pairs(own) do
  local b = relu(3, 2, {arch = arch, seed = 1}):bounds()
  local text = tostring(b)
  t.ok(b.arch == arch and not text:find("Bounds on P(alive)", 1, true)
       and text:find("plain chain", 1, true) and text:find("the " .. arch .. " net itself", 1, true)
       and text:find(section, 1, true),
       "net:bounds() of a " .. arch .. " net labels L, U as the plain chain's and cites " .. section)
end
local rr = mc{depth = 3, width = 2, arch = "residual", trials = 2000, seed = 1, progress = false}
t.ok(rr.p_alive == 1 and relu(3, 2, {arch = "residual"}):bounds().upper_general < 1,
     "a residual net's P(alive) = 1 exceeds the plain chain's U (why the label matters)")
-- past 100000 layers there is no per-layer table: the printout says so
for _, depth in ipairs{100001, 250000} do
  local deep = relu(depth, 1):bounds()
  local text = tostring(deep)
  t.ok(deep.layers == nil and not text:find("nil", 1, true) and text:find("no per-layer table", 1, true),
       "net:bounds() of " .. depth .. " layers prints without a table, and no 'nil'")
end

-- death report fields
local r = relu(30, 2, {seed = 5}):death(inputs.gaussian(64, 2, {seed = 1}))
t.is(r.points, 64, "report.points")
t.is(#r.dead_at, 64, "one dead_at per point")
t.is(#r.layers, 30, "one layer entry per layer")
local living = 0
for i = 1, 64 do if r.dead_at[i] == 0 then living = living + 1 end end
t.is(r.living, living, "living = number of dead_at == 0")
t.is(r.alive, living > 0, "alive iff some point lives")
t.is(r.fraction, living / 64, "fraction = living / points")
t.near(r.lower, (0.75) ^ 30, 1e-12, "report.lower is L")
t.ok(r.upper >= r.lower and r.upper <= 1, "report.upper lies in [L, 1]")
local reaching_ok = true
for l = 2, 30 do reaching_ok = reaching_ok and r.layers[l].reaching == r.layers[l - 1].living end
t.ok(reaching_ok, "each layer's reaching points are the previous layer's living ones")
local s = tostring(r)
t.ok(s:find("DeathReport") and s:find("survival") and s:find("dead neurons"), "report prints as a table")
local default = relu(3, 4, {seed = 1}):death()
t.is(default.points, 64, "death() uses 64 default points")

-- input sets
local G = inputs.gaussian(10, 3, {seed = 2})
t.is(#G, 10, "#X")
t.is(G.rows, 10, "X.rows")
t.is(G.cols, 3, "X.cols")
t.is(#G[4], 3, "X[i] is a row")
t.is(G[11], nil, "X[#X + 1] is nil")
local rows_seen = 0
for i, row in ipairs(G) do rows_seen = rows_seen + 1 end
t.is(rows_seen, 10, "ipairs(X) walks every row and stops")
t.is(inputs.gaussian(10, 3, {seed = 2})[4][2], G[4][2], "seeded input sets are reproducible")
local F = inputs.from{{1, 2}, {3, 4}, {5, 6}}
t.is(F[3][2], 6, "inputs.from")
local path = os.tmpname()
F:save(path)
local L2 = inputs.load(path)
t.is(L2[2][1], 3, "save then load")
os.remove(path)
t.is(inputs.point(4)[1][4], 1, "inputs.point(d) is (1,...,1)")
t.is(#inputs.orthant(5, 2), 6, "orthant has d+1 points")
t.is(inputs.orthant(5, 2)[3][2], 2, "orthant point i+1 is R e_i")
local U = inputs.uniform(20, 2, -1, 1, {seed = 1})
t.ok(U[5][1] >= -1 and U[5][1] <= 1, "uniform in the box")
local Sh = inputs.shrink(G, 0)
t.is(Sh[7][3], G[1][3], "shrink(X, 0) collapses to the first point")
t.ok(tostring(G):find("Matrix: 10 points x 3"), "a Matrix prints its shape")

-- the module from a stock lua5.4
local moddir = os.getenv("RELUSH_MODULE_DIR")
local lua = io.popen("command -v lua5.4"):read("l")
if moddir and lua and lua ~= "" then
  -- a sanitizer build's module needs its runtime loaded first (LD_PRELOAD)
  local asan = io.popen(string.format("ldd '%s/relush.so' 2>/dev/null | awk '/libasan/ {print $3}'", moddir)):read("l")
  local preload = asan and asan ~= "" and string.format("LD_PRELOAD='%s' ", asan) or ""
  local cmd = string.format([[%sLUA_CPATH='%s/?.so' %s -e 'local r = require "relush"; print(r.relu(3, 5).depth)']],
                            preload, moddir, lua)
  local p = io.popen(cmd)
  t.is(p:read("a"), "3\n", "require 'relush' works from a stock lua5.4")
  p:close()
else
  t.ok(true, "# SKIP lua5.4 not installed")
end

-- tostring(net) says when flip or train changed the parameters (the net is
-- then no longer trial 0 of its seed, nor a file's net), and clones keep it
do
  local X = inputs.gaussian(16, 2, {seed = 1})
  local net = relu(6, 2, {seed = 1})
  t.ok(not tostring(net):find("then", 1, true), "a net as drawn says nothing of changes: " .. tostring(net))
  local rep = net:flip(X)
  local flipped = tostring(net):find(", then flipped", 1, true) ~= nil
  t.ok((rep.flipped > 0) == flipped, "after net:flip (" .. rep.flipped .. " neurons flipped): " .. tostring(net))
  local one = relu(2, 1, {input = 2, seed = 3})
  one:train(X, (function() local y = {} for i = 1, 16 do y[i] = 1 end return y end)(), {steps = 3})
  t.ok(tostring(one):find(", then trained", 1, true) and tostring(one:clone()):find(", then trained", 1, true),
       "after net:train, and in its clone: " .. tostring(one))
end

t.done()

-- loaded_scale.lua: nets whose weights come from a file (relu.load), where
-- the laws-based scale check (doc/theory.md §9) cannot see the values.
-- A net whose pre-activations overflow is refused by every single-net
-- evaluation (forward, death, flip, alignment) in every architecture,
-- naming the layer; a plain or skip net with large but representable
-- weights gives the same deaths as the same net unscaled (with zero
-- biases, a positive scale per layer changes no sign). NumPy scales them.
local t = require "tap"
local proc = require "proc"

local PY = "/usr/bin/python3"
local dir = proc.tmpdir()
local function path(name) return dir .. "/" .. name end

if not os.execute(PY .. " -c 'import numpy' >/dev/null 2>&1") then
  t.skip("loaded nets with extreme weights", PY .. " with NumPy is not installed (apt-get install python3-numpy)")
  t.done()
end

-- scaled(src, dst, scales): the state dict src with layer i's weights
-- multiplied by scales[i], written by NumPy
local function scaled(src, dst, scales)
  proc.spit(path("w.py"), ([[
import numpy as np
d = dict(np.load("%s"))
for i, s in enumerate([%s]):
    d["%%d.weight" %% (2 * i)] = d["%%d.weight" %% (2 * i)] * s
np.savez("%s", **d)
]]):format(path(src), table.concat(scales, ", "), path(dst)))
  assert(os.execute(("cd %s && %s w.py"):format(proc.q(dir), PY)), "NumPy writes " .. dst)
end

local X = inputs.gaussian(32, 4, {seed = 3})
for _, arch in ipairs{"plain", "residual", "dense", "skip", "batchnorm"} do
  relu{depth = 3, width = 4, input = 4, arch = arch, seed = 1}:save(path(arch .. ".npz"))
  scaled(arch .. ".npz", arch .. "-huge.npz", {"1e200", "1e200", "1"})
  local net = relu.load(path(arch .. "-huge.npz"), {arch = arch})
  local all = true
  for _, f in ipairs{"forward", "death", "flip", "alignment"} do
    local ok, err = pcall(net[f], net, X)
    if ok or not tostring(err):find("overflow", 1, true) or not tostring(err):find("layer", 1, true) then
      all = false
      t.diag(arch .. " " .. f .. ": " .. tostring(err))
    end
  end
  t.ok(all, arch .. ": a loaded net whose pre-activations overflow is refused by forward, death, flip and alignment, naming the layer")
end

-- plain and skip nets with zero biases: a positive scale per layer changes no sign
for _, arch in ipairs{"plain", "skip"} do
  scaled(arch .. ".npz", arch .. "-large.npz", {"1e150", "1e-100", "1e100"})
  local a = relu.load(path(arch .. "-large.npz"), {arch = arch}):death(X)
  local b = relu.load(path(arch .. ".npz"), {arch = arch}):death(X)
  local same = a.living == b.living
  for i = 1, X.rows do same = same and a.dead_at[i] == b.dead_at[i] end
  t.ok(same, arch .. ": weights scaled by 1e150, 1e-100, 1e100 (values stay representable) kill exactly "
       .. "the points the unscaled net kills (" .. b.living .. " of 32 living)")
end

-- The other side: loaded nets whose living points sink toward the
-- subnormals (small weights, zero biases) are refused at the layer where
-- that shows, not read as dead; in each precision, for plain and skip
for _, c in ipairs{{"double", 1e-9, 40}, {"single", 1e-3, 20}} do
  for _, arch in ipairs{"plain", "skip"} do
    local f = path("small-" .. c[1] .. "-" .. arch .. ".npz")
    relu(c[3], 16, {seed = 3, weights = {law = "normal", sd = c[2]}}):save(f)
    local net = relu.load(f, {arch = arch, precision = c[1]})
    t.raises(function() return net:death(inputs.gaussian(8, 16, {seed = 4})) end,
             {"layer", "living point", "subnormals"},
             ("a loaded %s net in %s with weights of sd %g: death refuses where points sink"):format(arch, c[1], c[2]))
  end
end

os.execute("rm -rf " .. proc.q(dir))
t.done()

-- numpy.lua: NumPy and PyTorch files. Files written by NumPy itself (the
-- fixtures are generated at test time by tests/lua/lib/numpy_fixtures.py
-- with Debian's python3-numpy) load with the values NumPy holds: every
-- dtype, order, byte order and format version, .npz members stored and
-- deflated; malformed files fail with clear errors inside the memory
-- budget; X:save writes .npy that NumPy reads back bit for bit; relu.load
-- builds nets from state dicts whose forward pass matches NumPy's (and,
-- where python3-torch is installed, a real nn.Sequential's) to 1e-12
-- relative; net:save then relu.load gives identical weights; r:csv.
local t = require "tap"
local proc = require "proc"
local q, slurp = proc.q, proc.slurp

local SRCDIR = os.getenv("RELUSH_SRCDIR") or "."
local PY = "/usr/bin/python3"
local dir = proc.tmpdir()
local function path(name) return dir .. "/" .. name end
local function py(code)
  proc.spit(path("script.py"), code)
  local ok = os.execute(("cd %s && %s script.py >py.out 2>py.err"):format(q(dir), PY))
  return ok, slurp(path("py.out")), slurp(path("py.err"))
end

local have_numpy = os.execute(PY .. " -c 'import numpy' >/dev/null 2>&1")
if not have_numpy then
  t.ok(true, "# SKIP " .. PY .. " with NumPy is not installed (apt-get install python3-numpy)")
  t.done()
end
local made = os.execute(("%s %s %s"):format(PY, q(SRCDIR .. "/tests/lua/lib/numpy_fixtures.py"), q(dir)))
t.ok(made, "NumPy writes the fixtures")
local M = {}
assert(load(slurp(path("manifest.lua")), "manifest", "t", M))()

-- every value equal to NumPy's (as float64), shape as expected
local function same_values(X, case, what)
  local ok = X.rows == case.rows and X.cols == case.cols
  local k = 0
  for i = 1, X.rows do
    local row = X[i]
    for j = 1, X.cols do
      k = k + 1
      if ok and row[j] ~= case.values[k] then
        ok = false
        t.diag(("%s: (%d, %d) is %.17g, NumPy has %.17g"):format(what, i, j, row[j], case.values[k]))
      end
    end
  end
  return t.ok(ok, what)
end

-- Norm-wise relative difference max|X - want| / max|want|: a forward pass
-- sums in another order than NumPy, so an output that cancels to near 0 (or
-- a ReLU output at 0) differs by rounding at the scale of the terms, which
-- no element-wise relative bound can hold.
local function close_values(X, case, rel, what)
  local worst, scale, k = 0, 0, 0
  for i = 1, X.rows do
    local row = X[i]
    for j = 1, X.cols do
      k = k + 1
      local want = case.values[k]
      worst = math.max(worst, math.abs(row[j] - want))
      scale = math.max(scale, math.abs(want))
    end
  end
  worst = worst / math.max(scale, 1e-300)
  t.diag(("%s: largest difference %.3g of the largest output"):format(what, worst))
  return t.ok(X.rows == case.rows and X.cols == case.cols and worst <= rel, what)
end

---------------------------------------------------------------- .npy: the good files
for _, case in ipairs(M.good) do
  local ok, X = pcall(inputs.load, path(case.file))
  if ok then same_values(X, case, case.file .. " (" .. case.what .. ")")
  else t.ok(false, case.file .. ": " .. tostring(X)) end
end

---------------------------------------------------------------- .npz members
for _, case in ipairs(M.archives) do
  local ok, X = pcall(inputs.load, path(case.file), case.member)
  local what = case.file .. (case.member and (" member " .. case.member) or " (its only member)")
  if ok then same_values(X, case, what) else t.ok(false, what .. ": " .. tostring(X)) end
end
do
  local X = inputs.load(path("data.npz"), "train_x.npy")
  t.is(X.rows, 4, "a member may be named with its .npy suffix")
  t.raises(function() inputs.load(path("data.npz"), "nope") end, {"no array 'nope'", "'train_x'", "'test_x'"},
    "a missing member is an error listing the members")
  t.raises(function() inputs.load(path("data.npz")) end, {"holds 2 arrays", "name one"},
    "an archive of several arrays needs a member name")
  t.raises(function() inputs.load(path("X.npy"), "x") end, {"only for .npz"}, "a .npy file takes no member name")
  t.raises(function() inputs.load(path("nothere.npy")) end, {"cannot open", "nothere.npy"}, "a missing file is named")
end

---------------------------------------------------------------- malformed files
do
  limits.memory = "64M"
  local before = collectgarbage("count")
  for _, case in ipairs(M.bad) do
    local ok, err = pcall(inputs.load, path(case.file), case.file:match("%.npz$") and "train_x" or nil)
    local msg = tostring(err)
    local good = not ok
    for _, w in ipairs(case.words) do
      if not msg:find(w, 1, true) then good = false end
    end
    if not good then t.diag(case.file .. ": " .. (ok and "loaded" or msg)) end
    t.ok(good, ("%s fails cleanly: %s"):format(case.file, msg:gsub("^.-: ", "", 1)))
  end
  t.ok(#M.bad >= 20, #M.bad .. " malformed files")
  collectgarbage()
  t.ok(collectgarbage("count") - before < 1024, "the failed loads leave no Lua garbage behind")
  t.is(relu(2, 3, {seed = 1}).depth, 2, "the session goes on after the errors")
  limits.memory = nil
end

---------------------------------------------------------------- X:save("X.npy")
do
  local X = inputs.gaussian(7, 3, {seed = 5})
  X:save(path("saved.npy"))
  local Y = inputs.load(path("saved.npy"))
  local same = Y.rows == 7 and Y.cols == 3
  for i = 1, 7 do for j = 1, 3 do same = same and X[i][j] == Y[i][j] end end
  t.ok(same, "X:save('X.npy') then inputs.load gives X back bit for bit")
  local values = {}
  for i = 1, 7 do for j = 1, 3 do values[#values + 1] = ("%.17g"):format(X[i][j]) end end
  local ok, out, err = py(([[
import numpy as np
a = np.load(%q)
assert a.dtype == np.float64 and a.shape == (7, 3) and a.flags.c_contiguous, (a.dtype, a.shape)
print(",".join(repr(float(v)) for v in a.ravel()))
]]):format(path("saved.npy")))
  local back, good = {}, ok
  for v in out:gmatch("[^,\n]+") do back[#back + 1] = tonumber(v) end
  for k = 1, #values do good = good and back[k] == tonumber(values[k]) end
  t.ok(good and #back == 21, "NumPy reads the saved .npy as a 7 x 3 float64 array, bit for bit" .. (ok and "" or ": " .. err))
  t.raises(function() X:save("/nonexistent/dir/x.npy") end, {"cannot write", "/nonexistent/dir/x.npy"},
    "an unwritable .npy path is named")
end

---------------------------------------------------------------- files by content, not only by name
do
  -- a NumPy file is known by its first bytes whatever its name (no suffix,
  -- upper case); pipes and folders are refused at once, never waited on
  local Xs = inputs.gaussian(5, 3, {seed = 8})
  local function same(A, B)
    local ok = A.rows == B.rows and A.cols == B.cols
    for i = 1, A.rows do for j = 1, A.cols do ok = ok and A[i][j] == B[i][j] end end
    return ok
  end
  for _, name in ipairs{"plain.npy", "UPPER.NPY", "no_suffix", "wrong.csv"} do
    local npy = path(name)
    os.execute(("cp %s %s"):format(q(path("saved_x.npy")), q(npy)))
  end
  Xs:save(path("saved_x.npy"))
  for _, name in ipairs{"plain.npy", "UPPER.NPY", "no_suffix", "wrong.csv"} do
    os.execute(("cp %s %s"):format(q(path("saved_x.npy")), q(path(name))))
    local ok, Y = pcall(inputs.load, path(name))
    t.ok(ok and same(Xs, Y), "a .npy file named '" .. name .. "' loads as NumPy's format" .. (ok and "" or ": " .. tostring(Y)))
  end
  for _, name in ipairs{"data_copy", "DATA.NPZ"} do
    os.execute(("cp %s %s"):format(q(path("data.npz")), q(path(name))))
    local ok, Y = pcall(inputs.load, path(name), "train_x")
    t.ok(ok and Y.rows == 4, "an .npz archive named '" .. name .. "' loads its member" .. (ok and "" or ": " .. tostring(Y)))
  end
  for _, name in ipairs{"upper.NPY", "arr.npz"} do
    Xs:save(path(name))
    t.ok(same(Xs, inputs.load(path(name))), "X:save('" .. name .. "') writes NumPy's format and reads back bit for bit")
  end
  Xs:save(path("named.x.npz"), "train_x")
  t.ok(same(Xs, inputs.load(path("named.x.npz"), "train_x")), "X:save(path.npz, 'train_x') names the array")
  Xs:save(path("suffixed.npz"), "train_x.npy")
  t.ok(same(Xs, inputs.load(path("suffixed.npz"), "train_x")) and same(Xs, inputs.load(path("suffixed.npz"), "train_x.npy")),
    "X:save(path.npz, 'train_x.npy') names the array train_x, as inputs.load reads names")
  local ok, out, err = py(([[
import numpy as np
a, b = np.load(%q), np.load(%q)
print(list(a.keys()), a["arr_0"].shape, list(b.keys()), b["train_x"].dtype)
]]):format(path("arr.npz"), path("named.x.npz")))
  t.is(ok and out, "['arr_0'] (5, 3) ['train_x'] float64\n", "NumPy reads X:save's .npz: arr_0 by default, as np.savez names it" .. (ok and "" or ": " .. err))
  t.raises(function() Xs:save(path("x.csv"), "train_x") end, {"array name", ".npz"}, "an array name with a CSV path is an error")
  t.raises(function() Xs:save(path("x.npz"), "") end, {"array name", "empty"}, "an empty array name is an error")
  t.raises(function() relu.load(path("saved_x.npy")) end, {"saved_x.npy", ".npy file", "np.savez"},
    "relu.load of a .npy file says it needs an .npz state dict")
  os.execute(("mkfifo %s %s && mkdir %s"):format(q(path("pipe.npy")), q(path("pipe.npz")), q(path("folder.npy"))))
  for _, case in ipairs{{inputs.load, "pipe.npy", "a pipe"}, {inputs.load, "pipe.npz", "a pipe"},
                        {relu.load, "pipe.npz", "a pipe"}, {inputs.load, "folder.npy", "a folder"}} do
    t.raises(function() case[1](path(case[2]), case[2]:match("npz$") and case[1] == inputs.load and "x" or nil) end,
      {case[2], "not a regular file", case[3]}, case[2] .. " is refused at once (no wait for a writer)")
  end
end

---------------------------------------------------------------- state dicts
do
  local X = inputs.load(path("X.npy"))
  local net = relu.load(path("init.npz"))
  t.is(net.depth, 3, "relu.load: three layers from 0.weight, 2.weight, 10.weight (ordered by number, not text)")
  t.is(net.input, 3, "... input dimension from the first weight's columns")
  t.ok(net.widths[1] == 5 and net.widths[2] == 4 and net.widths[3] == 2, "... widths from the rows")
  close_values(net:forward(X), M.forward, 1e-12, "the forward pass matches NumPy's to 1e-12 relative")
  t.ok(tostring(net):find("init.npz", 1, true), "tostring names the file: " .. tostring(net))

  close_values(relu.load(path("nested.npz")):forward(X), M.nested, 1e-12,
    "layers.0/3/12.weight, float32, no biases, deflated: forward matches NumPy")
  close_values(relu.load(path("named.npz"), {keys = {"fc1", "out.weight"}}):forward(X), M.named, 1e-12,
    "keys={'fc1', 'out.weight'} picks named layers (other arrays ignored): forward matches NumPy")
  close_values(relu.load(path("stems.npz")):forward(X), M.stems, 1e-12,
    "fc1, fc2, fc10 (saved as sorted text) are ordered by number: forward matches NumPy")
  close_values(relu.load(path("stems2.npz")):forward(X), M.stems2, 1e-12,
    "layer2.0, layer11.0: forward matches NumPy")
  close_values(relu.load(path("residual.npz"), {arch = "residual"}):forward(X), M.residual, 1e-12,
    "arch='residual': forward matches NumPy's h + relu(W h + b)")

  -- net:save then relu.load: bitwise identical, same keys
  net:flip(X)
  net:save(path("flipped.npz"))
  local back = relu.load(path("flipped.npz"))
  local same = back.depth == net.depth
  for l = 1, net.depth do
    local W1, W2, b1, b2 = net:weights(l), back:weights(l), net:bias(l), back:bias(l)
    for i = 1, #W1 do
      same = same and b1[i] == b2[i]
      for j = 1, #W1[i] do same = same and W1[i][j] == W2[i][j] end
    end
  end
  t.ok(same, "net:save then relu.load gives bitwise identical weights and biases")
  local ok, out = py(([[
import numpy as np
print(" ".join(sorted(np.load(%q).keys())))
]]):format(path("flipped.npz")))
  local want = {}
  for _, k in ipairs(M.forward.keys) do want[#want + 1] = k end
  table.sort(want)
  t.is(ok and out:gsub("\n$", ""), table.concat(want, " "), "net:save writes the keys it was loaded with")
  net:clone():save(path("clone.npz"))
  ok, out = py(([[
import numpy as np
print(" ".join(sorted(np.load(%q).keys())))
]]):format(path("clone.npz")))
  t.is(ok and out:gsub("\n$", ""), table.concat(want, " "), "... and so does its net:clone()")
  local n2 = relu.load(path("nested.npz"))
  n2:save(path("nested_back.npz"))
  ok, out = py(([[
import numpy as np
z = np.load(%q)
print(" ".join(sorted(z.keys())), z["layers.3.weight"].dtype, z["layers.3.weight"].shape)
]]):format(path("nested_back.npz")))
  t.is(ok and out, "layers.0.weight layers.12.weight layers.3.weight float64 (3, 4)\n",
    "a net without biases saves without biases, under its nested names")
  -- keys with non-ASCII letters (Python identifiers may hold them) come
  -- back to NumPy unchanged: the archive marks its names as UTF-8
  ok = py(([[
import numpy as np
np.savez(%q, **{"schicht_ä.0.weight": np.ones((2, 3)), "schicht_ä.0.bias": np.ones(2), "ß.weight": np.ones((1, 2))})
]]):format(path("unicode.npz")))
  relu.load(path("unicode.npz"), {keys = {"schicht_ä.0", "ß"}}):save(path("unicode_back.npz"))
  ok, out = py(([[
import numpy as np
print(" ".join(sorted(np.load(%q).keys())))
]]):format(path("unicode_back.npz")))
  t.is(ok and out, "schicht_ä.0.bias schicht_ä.0.weight ß.weight\n", "non-ASCII keys are written as UTF-8 names NumPy reads back")
  local fresh = relu{widths = {3, 2}, input = 4, seed = 3, bias = 0.1}
  fresh:save(path("fresh.npz"))
  local f2 = relu.load(path("fresh.npz"))
  t.ok(f2:weights(2)[2][3] == fresh:weights(2)[2][3] and f2:bias(1)[3] == fresh:bias(1)[3] and f2.input == 4,
    "a relu{} net saves as 0.weight, 0.bias, 2.weight, 2.bias and loads back identical")

  for _, case in ipairs(M.bad_state) do
    local opts = case.file:find("residual") and {arch = "residual"} or nil
    t.raises(function() relu.load(path(case.file), opts) end, case.words, case.file .. " is a clear error")
  end
  t.raises(function() relu.load(path("named.npz"), {keys = {"fc2"}}) end, {"keys[1] = 'fc2'", "'fc1.weight'"},
    "a key that is not in the archive is named, with what is there")
  -- one array listed twice, by any spelling: the net would save two members
  -- of one name (which np.load and relu.load cannot tell apart)
  for _, keys in ipairs{{"0", "0"}, {"0", "2", "0.weight"}, {"2.weight", "10", "2"}} do
    t.raises(function() relu.load(path("init.npz"), {keys = keys}) end, {"names '" .. keys[#keys]:gsub("%.weight$", "") .. ".weight' again", "listed once"},
      "keys = {" .. table.concat(keys, ", ") .. "} lists a layer twice: refused")
  end
  t.raises(function() relu.load(path("init.npz"), {keys = "0"}) end, {"keys", "list"}, "keys must be a list")
  -- keys that are not a plain list of strings: errors naming the entry (a
  -- number once crashed the message formatting), and a proxy list whose
  -- __index makes a new string each call while collecting garbage (the
  -- strings must stay alive: the sanitizer build checks this)
  t.raises(function() relu.load(path("named.npz"), {keys = {"fc1", 2}}) end, {"keys", "entry 2", "string", "number"},
    "a key that is not a string is named by its position")
  t.raises(function() relu.load(path("named.npz"), {keys = {}}) end, {"keys", "between 1 and", "got 0"},
    "an empty keys list is an error")
  t.raises(function() relu.load(path("named.npz"), {keys = setmetatable({}, {__len = function() return 1e15 end})}) end,
    {"keys", "got 1000000000000000"}, "a lying __len is an error, before any allocation")
  local proxy = setmetatable({}, {__len = function() return 2 end, __index = function(_, i)
    -- member names with their .npy suffix: strings no constant of this file holds
    local name = (i == 1 and "fc" .. tostring(i) or "ou" .. "t") .. ".weight" .. ".npy"
    collectgarbage(); collectgarbage()
    return name
  end})
  local pn = relu.load(path("named.npz"), {keys = proxy})
  collectgarbage()
  close_values(pn:forward(X), M.named, 1e-12, "keys from a proxy whose __index makes new strings and collects garbage")
  t.raises(function() relu.load(path("init.npz"), {arch = "cnn"}) end, {"arch", "plain"}, "arch is checked")
  t.raises(function() relu.load(path("init.npz"), {nope = 1}) end, {"nope"}, "unknown options are named")
  t.raises(function() net:save(path("x.npy")) end, {".npz"}, "net:save wants an .npz path")
end

---------------------------------------------------------------- PyTorch
do
  local have_torch = os.execute(PY .. " -c 'import torch' >/dev/null 2>&1")
  if not have_torch then
    t.ok(true, "# SKIP python3-torch is not installed: the nn.Sequential round trip is not run")
  else
    local ok, out, err = py(([[
import numpy as np, torch
torch.manual_seed(7)
model = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.ReLU(), torch.nn.Linear(6, 4), torch.nn.ReLU()).double()
np.savez(%q, **{k: v.detach().numpy() for k, v in model.state_dict().items()})
X = np.load(%q)
Y = model(torch.from_numpy(X)).detach().numpy()
print("{" + ",".join(repr(float(v)) for v in Y.ravel()) + "}")
]]):format(path("torch.npz"), path("X.npy")))
    t.ok(ok, "PyTorch exports an nn.Sequential's state dict" .. (ok and "" or ": " .. err))
    local values = load("return " .. (ok and out or "{}"))()
    local net = relu.load(path("torch.npz"))
    close_values(net:forward(inputs.load(path("X.npy"))), {rows = 16, cols = 4, values = values}, 1e-12,
      "relush's forward pass matches PyTorch's to 1e-12 relative")
    net:flip(inputs.load(path("X.npy")))
    net:save(path("torch_flipped.npz"))
    local w = net:weights(2)
    ok, out, err = py(([[
import numpy as np, torch
model = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.ReLU(), torch.nn.Linear(6, 4), torch.nn.ReLU()).double()
model.load_state_dict({k: torch.from_numpy(v) for k, v in np.load(%q).items()})
print(repr(float(model[2].weight[1, 2])))
]]):format(path("torch_flipped.npz")))
    t.is(ok and tonumber(out), w[2][3], "load_state_dict takes the flipped net back" .. (ok and "" or ": " .. err))

    -- torch.save's own files (ZIP archives of a pickle, for a state dict and
    -- for a tensor, with and without a suffix) are refused with the export
    ok, out, err = py(([[
import torch
torch.manual_seed(7)
model = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.ReLU())
torch.save(model.state_dict(), %q)
torch.save(torch.randn(5, 3), %q)
torch.save(model.state_dict(), %q)
]]):format(path("model.pt"), path("points.pt"), path("model_pth")))
    t.ok(ok, "PyTorch saves a state dict and a tensor with torch.save" .. (ok and "" or ": " .. err))
    for _, c in ipairs{{relu.load, "model.pt"}, {relu.load, "model_pth"}, {inputs.load, "points.pt"},
                       {inputs.load, "model.pt", "0.weight"}} do
      t.raises(function() c[1](path(c[2]), c[3]) end, {c[2], "PyTorch file (torch.save)", "np.savez"},
        (c[1] == relu.load and "relu.load" or "inputs.load") .. " of torch.save's " .. c[2] .. " says to export with NumPy")
    end

    -- a model with a BatchNorm between its Linear layers: refused without
    -- keys (naming the BatchNorm's arrays), read with them; the saved
    -- layers go back with strict=False, the BatchNorm's left as they were
    ok, out, err = py(([[
import numpy as np, torch
nn = torch.nn
torch.manual_seed(3)
model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2), nn.ReLU()).double()
np.savez(%q, **{k: v.detach().numpy() for k, v in model.state_dict().items()})
]]):format(path("bn.npz")))
    t.ok(ok, "PyTorch exports a model with a BatchNorm1d" .. (ok and "" or ": " .. err))
    t.raises(function() relu.load(path("bn.npz")) end, {"'1.running_mean'", "keys="}, "... relu.load names its running_mean and asks for keys")
    local bn = relu.load(path("bn.npz"), {keys = {"0", "3"}})
    t.ok(bn.depth == 2 and bn.input == 3 and bn.widths[2] == 2, "... keys={'0', '3'} reads its Linear layers")
    bn:flip(inputs.load(path("X.npy")))
    bn:save(path("bn_flipped.npz"))
    ok, out, err = py(([[
import numpy as np, torch
nn = torch.nn
model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2), nn.ReLU()).double()
r = model.load_state_dict({k: torch.from_numpy(v) for k, v in np.load(%q).items()}, strict=False)
print(sorted(r.missing_keys), r.unexpected_keys, repr(float(model[3].weight[1, 2])))
]]):format(path("bn_flipped.npz")))
    local missing, value = (out or ""):match("^(.-%]) %[%] (%S+)\n$")
    t.ok(ok and missing == "['1.bias', '1.running_mean', '1.running_var', '1.weight']"
      and tonumber(value) == bn:weights(2)[2][3],
      "... load_state_dict(strict=False) takes the flipped Linear layers back (got: " .. tostring(out) .. "), only the BatchNorm's keys missing" .. (ok and "" or ": " .. err))
  end
end

---------------------------------------------------------------- r:csv
do
  local r = mc{depth = 3, width = 4, trials = 200, seed = 2}
  r:csv(path("r.csv"))
  local text = slurp(path("r.csv"))
  local header = text:match("^[^\n]*")
  t.ok(header:find("^layer,width,survival,") ~= nil, "r:csv: a header of named columns: " .. header)
  local rows = 0
  for line in text:gmatch("[^\n]+") do rows = rows + 1 end
  t.is(rows, 1 + 3, "... one row per layer")
  local ok, out, err = py(([[
import csv
rows = list(csv.DictReader(open(%q)))
print(len(rows), rows[1]["layer"], rows[1]["width"], rows[2]["dead_neurons"])
]]):format(path("r.csv")))
  t.is(ok and out, ("3 2 4 %d\n"):format(r.layers[3].dead_neurons), "Python's csv reads it by column name" .. (ok and "" or ": " .. err))
  local first = text:match("\n([^\n]*)")
  local survival = tonumber(first:match("^[^,]*,[^,]*,([^,]*)"))
  t.is(survival, r.layers[1].survival, "... numbers read back exactly")
  t.raises(function() r:csv("/nonexistent/dir/r.csv") end, {"cannot write", "/nonexistent/dir/r.csv"}, "an unwritable path is named")
end

os.execute("rm -rf " .. q(dir))
t.done()

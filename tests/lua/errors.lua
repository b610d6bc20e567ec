-- errors.lua: bad input meets a clear error naming the argument; nothing
-- crashes and the session goes on.
local t = require "tap"

t.raises(function() relu(0, 5) end, {"#1", "relu", "depth"}, "relu(0,5)")
t.raises(function() relu(5, -1) end, {"#2", "relu", "width", "-1"}, "relu(5,-1)")
t.raises(function() relu(5, 1.5) end, {"#2", "width", "integer", "1.5"}, "relu(5,1.5)")
t.raises(function() relu{widths = {}} end, {"widths", "at least one"}, "relu{widths={}}")
t.raises(function() relu{widths = {3, 0}} end, {"widths", "entry 2"}, "relu{widths={3,0}}")
t.raises(function() relu(5, 5, {weights = "bogus"}) end, {"weights", "bogus", "he"}, "unknown weight law")
t.raises(function() relu(5, 5, {wieghts = "he"}) end, {"wieghts", "unknown option"}, "misspelt option")
t.raises(function() relu(5, 5, {bias = -1}) end, {"bias", ">= 0"}, "negative bias sd")
t.raises(function() relu(5, 5, {arch = "cnn"}) end, {"arch", "residual"}, "unknown arch")
t.raises(function() relu(5, 5, {weights = {law = "uniform", scale = 1}}) end, {"weights", "'a'"}, "wrong law parameter")
-- a law table with a key that is no name: said as it is, never as ''
t.raises(function() relu(5, 5, {weights = {"uniform"}}) end, {"weights", "named fields", "write {law = 'uniform'}"},
         "a law written as a list entry: the table that was meant")
t.raises(function() relu(5, 5, {bias = {[true] = 1}}) end, {"bias", "named fields", "the key a boolean"},
         "a law table with a boolean key")
t.raises(function() relu(5, 5, {weights = {{}}}) end, {"weights", "named fields", "the key 1"},
         "a law table holding a table at key 1")
t.raises(function() relu(5, 5, {seed = -3}) end, {"seed"}, "negative seed")
-- the class of integer arguments written as floats: every one below 2^63 is
-- the integer it stands for (9.21e18 was refused as 'must be an integer >= 0'),
-- and one at or past 2^63 is refused naming the whole range
for _, s in ipairs{9.21e18, 2^63 - 1024, 2^62 + 2^10, 1e18} do
	t.is(relu{depth = 1, width = 1, seed = s}.seed, math.tointeger(s), ("relu seed = %.17g"):format(s))
	t.is(mc{depth = 1, width = 1, trials = 1, seed = s, progress = false}.seed, math.tointeger(s),
	     ("mc seed = %.17g"):format(s))
	t.is(inputs.gaussian(2, 2, {seed = s})[1][1], inputs.gaussian(2, 2, {seed = math.tointeger(s)})[1][1],
	     ("inputs.gaussian seed = %.17g is the integer's"):format(s))
end
-- a refusal on the zero point says its size is 0 (it said 2^0)
for _, sd in ipairs{1e-300, 1e300} do
	t.raises(function() mc{depth = 2, width = 2, X = inputs.from{{0, 0}, {1, 1}}, trials = 10, bias = {sd = sd}} end,
	         {"on the zero point of the input set (size 0)"}, ("zero point, biases sd %g: its size is 0"):format(sd))
end
for _, s in ipairs{2^63, 2^64, 1e300} do
	t.raises(function() relu{depth = 1, width = 1, seed = s} end, {"seed", "from 0 to 9223372036854775807"},
	         ("relu seed = %g states the range"):format(s))
	t.raises(function() mc{depth = 1, width = 1, trials = 1, seed = s} end, {"seed", "from 0 to 9223372036854775807"},
	         ("mc seed = %g states the range"):format(s))
end
t.raises(function() relu{depth = 3} end, {"bad option 'width'", "depth and width"}, "missing width")
t.raises(function() mc{} end, {"'mc'", "depth and width"}, "mc{} names mc and what it needs")
-- the class: a net without depth or width says which is missing, whatever
-- else the table holds and whichever function builds the net
for _, fn in ipairs{{"relu", relu}, {"mc", mc}} do
	for _, case in ipairs{{{}, "depth"}, {{weights = {}}, "depth"}, {{width = 4}, "depth"},
	                      {{depth = 3}, "width"}, {{bias = 1, arch = "plain"}, "depth"}} do
		t.raises(function() fn[2](case[1]) end,
		         {"bad option '" .. case[2] .. "' to '" .. fn[1] .. "'", "is missing", "depth and width"},
		         fn[1] .. " without " .. case[2] .. " says it is missing")
	end
end
t.raises(function() mc{depth = 2, width = 2, trials = 1e30} end, {"trials", "from 1 to"}, "huge trials states the range")
t.raises(function() mc{depth = 2, width = 2, trials = 0/0} end, {"trials", "got nan"}, "NaN trials reads nan")
t.raises(function() mc{depth = 2, width = 2, flip = true, method = "gram"} end, {"method", "flip"}, "flip with gram is refused")
t.raises(function() mc{depth = 2, width = 2, alignment = true, method = "gram"} end, {"method", "alignment"}, "alignment with gram is refused")
t.raises(function() relu{widths = {4, 5}, input = 3, arch = "residual"} end, {"residual", "width"}, "residual mismatch")
t.raises(function() inputs.gaussian(-1, 2) end, {"#1", "gaussian", "m"}, "inputs.gaussian(-1,2)")
t.raises(function() inputs.gaussian(10, 0/0) end, {"#2", "dimension"}, "NaN dimension")
t.raises(function() relu(3, 4):death(inputs.gaussian(5, 3)) end, {"dimension 3", "expects 4"}, "net/input mismatch")
t.raises(function() relu(3, 4):forward(inputs.gaussian(5, 3)) end, {"dimension 3"}, "forward mismatch")
t.raises(function() relu(3, 4):death(42) end, {"#1", "input set"}, "death with a number")
t.raises(function() relu(10, 1e7) end, {"#2", "relu", "width 10000000", "memory", "limit"}, "relu(10,1e7) exceeds memory, naming the width")
t.raises(function() inputs.gaussian(1e9, 1e3) end, {"memory"}, "inputs.gaussian(1e9,1e3) exceeds memory")
t.raises(function() inputs.load("/nonexistent/file.csv") end, {"load", "cannot read", "no such file"}, "missing file")
local path = os.tmpname()
local f = io.open(path, "w"); f:write("1,2\n3,oops\n"); f:close()
t.raises(function() inputs.load(path) end, {":2:3:", "oops"}, "malformed file names line and column")
-- numbers a double cannot hold are refused, never changed: too large (inf)
-- and, the same class, non-zero but below the smallest subnormal (strtod
-- reads them as 0, which made the point the zero point); a true zero and
-- the smallest subnormal still read
for _, case in ipairs{{"1e999", "finite"}, {"-1e999", "finite"}, {"4e-400", "too small"},
                      {"-4e-400", "too small"}, {"0x1p-1080", "too small"},
                      {"2.4703282292062327e-324", "too small"}} do
  f = io.open(path, "w"); f:write("1,2\n3," .. case[1] .. "\n"); f:close()
  t.raises(function() inputs.load(path) end, {":2:3:", case[1], case[2]},
           "a value a double cannot hold (" .. case[1] .. ") is refused, naming line and column")
end
f = io.open(path, "w"); f:write("0e-400,5e-324\n-0,1e-310\n"); f:close()
local Z = inputs.load(path)
t.ok(Z[1][1] == 0 and Z[1][2] == 5e-324 and Z[2][1] == 0 and Z[2][2] == 1e-310,
     "zeros (0e-400, -0) and subnormals (5e-324, 1e-310) read as written")
os.remove(path)
t.raises(function() inputs.from{{1, 2}, {3}} end, {"point 2"}, "ragged rows")
t.raises(function() relu(3, 4):weights(4) end, {"layer", "1 to 3"}, "layer out of range")
t.raises(function() inputs.shrink(inputs.point(2), -1) end, {"eps"}, "negative eps")
-- a law given the wrong parameter names the right one once ("takes 'sd' (or
-- 'sd')" before); a bias number that is not finite says finite (inf is >= 0)
for law, param in pairs{normal = "sd", uniform = "a", laplace = "scale"} do
  for _, wrong in ipairs{"sd", "a", "scale"} do
    if wrong ~= param and wrong ~= "sd" then
      t.raises(function() relu(2, 2, {weights = {law = law, [wrong] = 1}}) end,
               {"the " .. law .. " law takes '" .. param .. "'", "not '" .. wrong .. "'"},
               law .. " law given " .. wrong .. " names " .. param)
      local ok, err = pcall(relu, 2, 2, {weights = {law = law, [wrong] = 1}})
      t.ok(not ok and not tostring(err):find("'sd' (or 'sd')", 1, true), law .. ": no doubled 'sd'")
    end
  end
end
for _, param in ipairs{"sd", "a", "scale"} do
  t.raises(function() relu(2, 2, {bias = {law = "zero", [param] = 1}}) end, {"zero law", "'" .. param .. "'"},
           "the zero law given a " .. param .. " is refused, not dropped")
end
for _, v in ipairs{0/0, 1/0, -1/0, -1} do
  t.raises(function() relu(2, 2, {bias = v}) end, {"bias", "finite number >= 0", "got " .. tostring(v):gsub("^%-nan", "nan")},
           "bias = " .. tostring(v) .. " is refused as not a finite sd >= 0")
end

-- after all that, the session still works
t.is(relu(2, 3).depth, 2, "the session goes on after errors")

-- relush -e exits 1 on each, never with a signal
local relush = os.getenv("RELUSH")
if relush then
  for _, chunk in ipairs{"relu(0,5)", "relu(5,-1)", "relu(5,1.5)", "relu{widths={}}",
                         "relu(5,5,{weights='bogus'})", "inputs.gaussian(-1,2)",
                         "relu(3,4):death(inputs.gaussian(5,3))", "relu(10,1e7)",
                         "inputs.load('/nonexistent')"} do
    local ok, how, code = os.execute(relush .. " -e \"" .. chunk .. "\" 2>/dev/null")
    t.ok(how == "exit" and code == 1, "relush -e '" .. chunk .. "' exits 1 (" .. how .. " " .. tostring(code) .. ")")
  end
else
  t.skip("relush -e exits 1 on bad arguments", "RELUSH (the built shell) is not set")
end
-- a call without a name of its own (pcall, a local alias) still names the
-- function in an argument error, for every namespace table
for _, c in ipairs{{"inputs", "gaussian", {"a", 2}}, {"bound", "width_for", {"x"}}, {"relu", "load", {5}},
                   {"mc", "load", {5}}} do
  local ok, err = pcall(_G[c[1]][c[2]], table.unpack(c[3]))
  t.ok(not ok and tostring(err):find("to 'relush." .. c[1] .. "." .. c[2] .. "'", 1, true),
       c[1] .. "." .. c[2] .. " through pcall is named in its argument error: " .. tostring(err))
end
t.is(require("relush.inputs"), inputs, "relush's tables are its submodules (require 'relush.inputs')")
-- An error of the engine (not of an argument's type) names the function as
-- the API writes it, however it was called: "load:" said neither which load
-- (relu.load, inputs.load) nor, through pcall, anything at all.
do
  local dir = require("proc").tmpdir()
  local f = assert(io.open(dir .. "/bad.npz", "wb")); f:write("xx"); f:close()
  f = assert(io.open(dir .. "/bad.npy", "wb")); f:write("xx"); f:close()
  local net, X = relu(2, 2, {seed = 1}), inputs.gaussian(3, 2, {seed = 1})
  local cases = {
    {"relu.load", function() return relu.load(dir .. "/bad.npz") end},
    {"relu.load", function() return pcall(relu.load, dir .. "/bad.npz") end},
    {"inputs.load", function() return inputs.load(dir .. "/bad.npy") end},
    {"inputs.load", function() local load = inputs.load; return load(dir .. "/bad.npy") end},
    {"net:train", function() return net:train(X, {1, 2}) end},
    {"net:train", function() return net.train(net, X, {1, 2}) end},
    {"inputs.uniform", function() return pcall(inputs.uniform, 3, 2, 1, 0) end},
    {"r:replay", function()   -- a flip = true result from a file needs X to replay
      mc{depth = 2, width = 2, trials = 5, seed = 1, flip = true, X = X, progress = false}:save(dir .. "/f.jsonl", "w")
      local r = mc.load(dir .. "/f.jsonl")[1]
      return pcall(r.replay, r, 1)
    end},
    {"bound.schedule", function() return pcall(bound.schedule, function() error("mine") end) end},
    {"bound.schedule", function() return bound.schedule(function() return 0 / 0 end) end},
  }
  for _, c in ipairs(cases) do
    local ok, e, e2 = pcall(c[2])
    local failed = not ok or e == false
    if ok and e == false then e = e2 end   -- the inner pcall's message
    t.ok(failed and tostring(e):find(c[1] .. ": ", 1, true) and not tostring(e):find("-nan", 1, true),
         "an engine error names " .. c[1] .. ": " .. tostring(e))
  end
  os.execute("rm -rf " .. require("proc").q(dir))
end

-- A name of a megabyte (an option, a limit, a demo) is shown cut, with
-- "...", in a message of a few hundred bytes, never copied whole.
do
  local long = ("x"):rep(1 << 20)
  local net, X = relu(2, 2, {seed = 1}), inputs.gaussian(4, 2, {seed = 1})
  local calls = {
    {"relu", function() return relu{depth = 2, width = 2, [long] = 1} end},
    {"mc", function() return mc{depth = 2, width = 2, trials = 5, [long] = 1} end},
    {"mc.sweep", function() return mc.sweep{depth = {1, 2}, width = 2, trials = 5, [long] = 1} end},
    {"plot.lines", function() return plot.lines{x = {1}, series = {{y = {1}}}, [long] = 1} end},
    {"view.inputs", function() return view.inputs(net, X, {[long] = 1}) end},
    {"net:train", function() return net:train(X, {{1, 1}, {1, 1}, {1, 1}, {1, 1}}, {[long] = 1}) end},
    {"inputs.gaussian", function() return inputs.gaussian(2, 2, {[long] = 1}) end},
    {"limits", function() limits[long] = 1 end},
    {"limits.memory", function() limits.memory = long end},
    {"relu arch", function() return relu(2, 2, {arch = long}) end},
    {"demo", function() return demo(long) end},
    {"paper", function() return paper(long) end},
  }
  for _, c in ipairs(calls) do
    local ok, e = pcall(c[2])
    e = tostring(e)
    t.ok(not ok and #e < 2000 and e:find(("x"):rep(40) .. "...", 1, true),
         ("%s with a name of 1 MiB: a short message (%d bytes) showing it cut"):format(c[1], #e))
  end
end

t.done()

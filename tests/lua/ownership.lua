-- ownership.lua: every binding that hands a C object to Lua (a Net, a
-- Matrix, a report, a Monte Carlo result, a plot, a rendered text, the
-- table and CSV builders) is run with its k-th Lua allocation failing, for
-- k = 1, 2, ... until the call no longer reaches a k-th allocation. Each
-- call must return or raise "not enough memory"; the objects it made are
-- boxed before they exist (rlua_box), so none leaks and none is freed
-- twice: in the sanitizer build (make check-sanitizers) LeakSanitizer and
-- AddressSanitizer fail this test on either.
--
-- The calls run in a child relush with RELUSH_FAULT_INJECTION set (the
-- shell's registry function "relush.fault_injection"("at", k)); this
-- script is that child when given --worker.
local proc = require "proc"
local RELUSH = os.getenv("RELUSH") or arg[-1]

if arg[1] == "--worker" then
  local fault = assert(debug.getregistry()["relush.fault_injection"], "RELUSH_FAULT_INJECTION is not set")
  local dir = arg[2]
  local net = relu(3, 4, {seed = 1})
  local X = inputs.gaussian(8, 4, {seed = 2})
  local y = inputs.gaussian(8, 4, {seed = 3})
  net:save(dir .. "/net.npz")
  X:save(dir .. "/X.npy")
  local r = mc{depth = 3, width = 4, trials = 20, seed = 1, threads = 1}
  local rf = mc{depth = 3, width = 4, trials = 20, seed = 1, threads = 1, flip = true, X = X}
  r:save(dir .. "/r.jsonl", "w")
  local s1 = mc{depth = 3, width = 4, trials = 20, seed = 1, threads = 1, shard = {1, 2}}
  mc{depth = 3, width = 4, trials = 20, seed = 1, threads = 1, shard = {2, 2}}:save(dir .. "/s2.jsonl", "w")
  local net2, X2 = relu(3, 4, {input = 2, seed = 1}), inputs.gaussian(8, 2, {seed = 2})
  local p = plot.lines{x = {1, 2, 3}, series = {{name = "a", y = {1, 2, 3}}}}
  local reports = {net:death(X), net:flip(X), net:alignment(X), net:clone():train(X, y, {steps = 2}),
                   bound.layers{4, 4, 4}, r, mc.load(dir .. "/r.jsonl")}
  local calls = {
    {"relu", function() return relu(3, 4, {seed = 1}) end},
    {"relu.load", function() return relu.load(dir .. "/net.npz") end},
    {"inputs.gaussian", function() return inputs.gaussian(8, 4, {seed = 1}) end},
    {"inputs.from", function() return inputs.from{{1, 2}, {3, 4}} end},
    {"inputs.load", function() return inputs.load(dir .. "/X.npy") end},
    {"net:forward", function() return net:forward(X) end},
    {"net:death", function() return net:death() end},
    {"net:clone", function() return net:clone() end},
    {"net:flip", function() return net:flip(X) end},
    {"net:alignment", function() return net:alignment() end},
    {"net:train", function() return net:clone():train(X, y, {steps = 2}) end},
    {"net:gradient", function() return net:gradient(X, y) end},
    {"mc", function() return mc{depth = 3, width = 4, trials = 20, seed = 1, threads = 1} end},
    {"r:replay", function() return rf:replay(2) end},
    {"r:csv", function() return r:csv(dir .. "/r.csv") end},
    {"mc.load", function() return mc.load(dir .. "/r.jsonl") end},
    {"mc.merge", function() return mc.merge{s1, dir .. "/s2.jsonl"} end},
    {"plot.lines", function() return plot.lines{x = {1, 2, 3}, series = {{name = "a", y = {1, 2, 3}}}} end},
    {"plot:text", function() return p:text{width = 40, height = 12} end},
    {"view.snapshot", function() return view.snapshot(net, X) end},
    {"view.inputs", function() return view.inputs(net2, X2, {text = true}) end},
    {"tostring(reports)", function()
      local s = {}
      for i, v in ipairs(reports) do s[i] = tostring(v) end
      return s
    end},
  }
  for _, c in ipairs(calls) do
    local name, f = c[1], c[2]
    local k, failed, other = 0, 0, nil
    repeat
      k = k + 1
      fault("at", k)
      local ok, err = pcall(f)
      local fired = fault(false)
      collectgarbage()
      collectgarbage()
      if not ok then
        failed = failed + 1
        if fired == 0 or not tostring(err):find("not enough memory", 1, true) then
          other = other or ("k = " .. k .. ": " .. tostring(err))
        end
      end
    until fired == 0 or k >= 5000
    print(("%s\t%d\t%d\t%s"):format(name, k, failed, other or ""))
  end
  return
end

local t = require "tap"
local dir = proc.tmpdir()
local script = arg[0]:sub(1, 1) == "/" and arg[0] or (os.getenv("PWD") .. "/" .. arg[0])
local out, err, status = proc.run(dir, RELUSH, proc.q(script) .. " --worker " .. proc.q(dir), "",
                                  "RELUSH_FAULT_INJECTION=1 LUA_PATH=" .. proc.q(os.getenv("LUA_PATH") or ""),
                                  "timeout 600")
t.ok(status == 0, "the worker ran every call under failing allocations and exited cleanly" ..
     (status == 0 and "" or (" (status " .. tostring(status) .. "): " .. err:sub(1, 2000))))
local seen = 0
for line in out:gmatch("[^\n]+") do
  local name, k, failed, other = line:match("^(.-)\t(%d+)\t(%d+)\t(.*)$")
  if name then
    seen = seen + 1
    k, failed = tonumber(k), tonumber(failed)
    t.ok(k > 1 and k < 5000 and failed == k - 1,
         ("%s: each of its first %d allocations failing raises an error, the next run returns"):format(name, k - 1))
    t.is(other, "", name .. ": every failure is 'not enough memory' from an injected fault")
  end
end
t.is(seen, 22, "every constructor was run")
os.execute("rm -rf " .. proc.q(dir))
t.done()

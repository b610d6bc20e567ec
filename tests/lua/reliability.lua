-- reliability.lua: the fault cases that are not fuzzing: the
-- memory budget (limits.memory, RELUSH_MEM_LIMIT, the Lua heap), sizes
-- that must fail at once, files never left half written (a relush killed
-- with SIGKILL while saving), -i after an error keeping the script's
-- globals, and regressions the API fuzzer found.
local t = require "tap"

local RELUSH = os.getenv("RELUSH") or arg[-1]
local tmpdir = os.tmpname()
os.remove(tmpdir)
assert(os.execute("mkdir -p '" .. tmpdir .. "'"))

local proc = require "proc"
local q, spit = proc.q, proc.spit
local function slurp(path) return proc.slurp(path, false) or nil end

-- run(args, input [, env]): stdout, stderr, exit status of a relush that
-- `timeout` ends after 120 s (a guard against hangs, not a timing check)
local function run(args, input, env) return proc.run(tmpdir, RELUSH, args, input, env, "timeout 120") end

---------------------------------------------------------------- limits.memory
do
  t.ok(type(limits) == "table", "limits is a global table")
  local default = limits.memory
  t.ok(math.type(default) == "integer" and default > 0, "limits.memory reads the limit in bytes: " .. tostring(default))
  limits.memory = "2G"
  t.is(limits.memory, 2 * 1024 ^ 3 // 1, "limits.memory = '2G' sets 2 GiB")
  limits.memory = "512M"
  t.is(limits.memory, 512 * 1024 ^ 2 // 1, "... '512M' sets 512 MiB")
  limits.memory = "1.5GiB"
  t.is(limits.memory, 3 * 512 * 1024 ^ 2 // 1, "... '1.5GiB' sets 1.5 GiB")
  limits.memory = 123456789
  t.is(limits.memory, 123456789, "... a number sets bytes")
  t.ok(tostring(limits):find("117.7 MiB", 1, true) and tostring(limits):find("set by limits.memory", 1, true),
    "tostring(limits) shows the limit and where it comes from: " .. tostring(limits))
  local seen = {}
  for k, v in pairs(limits) do seen[#seen + 1] = k .. "=" .. tostring(v) end
  t.is(table.concat(seen, ","), "memory=123456789", "pairs(limits) lists memory")
  limits.memory = nil
  t.is(limits.memory, default, "limits.memory = nil restores the default")
  t.raises(function() limits.memory = 1000 end, {"limits.memory", ">= 1048576", "got 1000"},
    "a limit below 1 MiB is refused")
  for _, big in ipairs{9.21e18, 2^63, "9000000T"} do
    t.raises(function() limits.memory = big end, {"limits.memory", "below 9.2e18"},
      "a limit of " .. tostring(big) .. " bytes is refused naming the upper end")
  end
  t.raises(function() limits.memory = "lots" end, {"limits.memory", "\"2G\"", "got 'lots'"},
    "an unreadable size is refused")
  t.raises(function() limits.memory = 0 / 0 end, {"limits.memory"}, "NaN is refused")
  t.raises(function() limits.memory = {} end, {"limits.memory", "got a table"}, "a table is refused")
  t.raises(function() limits.time = 5 end, {"unknown limit 'time'", "memory"}, "an unknown limit is refused")
  t.is(limits.memory, default, "... and a refused value leaves the limit as it was")

  limits.memory = "64M"
  t.raises(function() return inputs.gaussian(3000, 3000) end, {"68.7 MiB", "64.0 MiB", "limits.memory"},
    "an input set over the limit fails, giving both sizes")
  local ok = pcall(inputs.gaussian, 100, 100)
  t.ok(ok, "... one under it works")
  local big = pcall(function() local x = {} for i = 1, 2e7 do x[i] = i end return x end)
  t.ok(not big, "the Lua heap stays under the limit too (a 2e7-entry table fails)")
  limits.memory = nil
  collectgarbage()
  t.ok(pcall(function() local x = {} for i = 1, 1e6 do x[i] = i end end), "... and works again once the limit is back")
end

---------------------------------------------------------------- sizes that fail at once
do
  local script = [[
local function try(what, f)
  local ok, err = pcall(f)
  print(what, ok, (tostring(err):gsub("\n.*", "")))
end
try("relu", function() return relu(10, 1e7) end)
try("gaussian", function() return inputs.gaussian(1e9, 1e3) end)
try("mc", function() return mc{width = 1e6, depth = 1e6, progress = false} end)
try("relu_deep", function() return relu(1e8, 10) end)
try("orthant", function() return inputs.orthant(1e8) end)
print("still here", relu(2, 3, {seed = 1}).depth)
]]
  spit(tmpdir .. "/sizes.lua", script)
  local out, err, st = run("sizes.lua", "", "RELUSH_MEM_LIMIT=1G")
  for _, name in ipairs{"relu", "gaussian", "mc", "relu_deep", "orthant"} do
    local line = out:match(name .. "\t[^\n]*") or ""
    t.ok(line:find("\tfalse\t", 1, true) and line:find("memory", 1, true) and line:find("limit", 1, true),
      name .. " of an impossible size fails with the memory message: " .. line)
  end
  t.ok(out:find("still here\t2", 1, true), "... and the session goes on")
  t.is(st, 0, "... to a clean exit")
  t.is(err, "", "... with nothing on stderr")
  t.ok(out:match("relu\t[^\n]*1%.0 GiB"), "RELUSH_MEM_LIMIT=1G sets the limit the message gives")
end

---------------------------------------------------------------- -i after an error
do
  spit(tmpdir .. "/broken.lua", "kept = 42\nlocal net = relu(2, 3)\nnet_of_script = net\nerror('the script broke')\n")
  local out, err, st = run("-i broken.lua", "print(kept, net_of_script.depth)\n")
  t.ok(err:find("the script broke", 1, true), "relush -i script.lua reports the script's error")
  t.is(out, "42\t2\n", "... then runs the REPL with the script's globals intact")
  t.is(st, 0, "... which exits 0 at the end of its input")
  out, err = run("-i -e 'kept = 7; error(\"chunk broke\")'", "print(kept)\n")
  t.ok(err:find("chunk broke", 1, true) and out == "7\n", "the same after an error in a -e chunk")
  out, err, st = run("broken.lua", "print(kept)\n")
  t.is(st, 1, "without -i an error still ends relush with status 1")
  t.is(out, "", "... and no REPL")
end

---------------------------------------------------------------- nothing lost: SIGKILL while saving
do
  -- The old file, and a new matrix big enough that saving it takes a while.
  local target, reference = tmpdir .. "/points.csv", tmpdir .. "/reference.csv"
  local make = "X = inputs.gaussian(20000, 16, {seed = 3})"
  local _, _, st = run(string.format("-e %s", q(make .. "; X:save('reference.csv')")))
  local new = slurp(reference) or ""
  t.ok(st == 0 and #new > 1e6, string.format("the new file, saved once in full, has %d bytes", #new))
  local old = "1,2\n3,4\n"
  local kills, outcome = 8, {old = 0, new = 0, other = 0}
  local pidfile, flag = tmpdir .. "/saver.pid", tmpdir .. "/saved.flag"
  -- a relush saving over and over, flagging its first complete save
  local saver = make .. "; local n = 0; while true do X:save('points.csv'); n = n + 1; " ..
                "if n == 1 then io.open('saved.flag', 'w'):close() end end"
  for i = 1, kills do
    spit(target, old)
    os.remove(pidfile)
    os.remove(flag)
    -- killed with SIGKILL after a while: on odd rounds only once a save has
    -- finished (the file must then be the new one), on even rounds anywhen
    local wait_for = i % 2 == 1 and flag or pidfile
    local cmd = string.format(
      "cd %s && (RELUSH_HISTORY=/dev/null %s -e %s >/dev/null 2>&1 & echo $! >%s; wait) >/dev/null 2>&1 & " ..
      "i=0; while [ ! -e %s ] && [ $i -lt 1000 ]; do sleep 0.02; i=$((i+1)); done; sleep %.2f; " ..
      "kill -9 $(cat %s); sleep 0.2",
      q(tmpdir), q(RELUSH), q(saver), q(pidfile), q(wait_for), 0.03 * i, q(pidfile))
    os.execute(cmd)
    local got = slurp(target)
    if got == old then outcome.old = outcome.old + 1
    elseif got == new then outcome.new = outcome.new + 1
    else outcome.other = outcome.other + 1 end
  end
  t.diag(string.format("after %d kills: old file %d times, complete new file %d times, anything else %d times",
                       kills, outcome.old, outcome.new, outcome.other))
  t.is(outcome.other, 0, "a relush killed (SIGKILL) while X:save writes leaves the old file or the complete new one")
  t.ok(outcome.new >= kills // 2, "... (the new one whenever a save had finished before the kill)")
  os.execute("rm -f " .. q(tmpdir) .. "/points.csv.tmp.*")
end

---------------------------------------------------------------- X:save keeps links and devices
do
  local X = inputs.from{{1, 2}, {3, 4}}
  spit(tmpdir .. "/real.csv", "old\n")
  os.execute(string.format("ln -sf real.csv %s", q(tmpdir .. "/link.csv")))
  X:save(tmpdir .. "/link.csv")
  local _, _, is_link = os.execute("test -L " .. q(tmpdir .. "/link.csv"))
  t.is(is_link, 0, "X:save through a symlink leaves the link in place")
  t.is(slurp(tmpdir .. "/real.csv"), "1,2\n3,4\n", "... and writes its target")
  local out = run([[-e 'inputs.from{{5, 6}}:save("/dev/stdout")']])
  t.is(out, "5,6\n", "X:save('/dev/stdout') writes to standard output (a device is written in place)")
  local _, _, is_char = os.execute("test -c /dev/null")
  t.is(is_char, 0, "... and /dev/null is still a device")
  spit(tmpdir .. "/nul.csv", "1,2\n3,4\0005\n")
  t.raises(function() return inputs.load(tmpdir .. "/nul.csv") end, {"nul.csv:2", "NUL byte"},
    "inputs.load refuses a line holding a NUL byte (a binary file) instead of reading half of it")
end

---------------------------------------------------------------- found by the API fuzzer
do
  local net = relu(3, 4, {seed = 1})
  local mt = getmetatable("")
  local ok = pcall(net.bounds, net, "rows", inputs.gaussian(2, 4))
  t.ok(ok and getmetatable("") == mt and ("x"):upper() == "X",
    "net:bounds with extra arguments leaves the string metatable alone")
  local b = net:bounds("extra")
  t.ok(type(b) == "table" and b.lower ~= nil, "... and returns the bounds table")

  local r = net:death(inputs.gaussian(4, 4, {seed = 1}))
  r.layers[1].width = 1e15          -- a report is a table a script may change
  t.ok(pcall(tostring, r), "a report whose layer width was changed still prints (no endless loop)")

  local p, q2 = bound.whole_space(1e18, 1e15)
  t.ok(p == 0 and q2 == 1, "bound.whole_space(1e18, 1e15) returns at once (was a summation of 1e15 terms)")
  local p2 = bound.whole_space(3e7, 14999900)
  t.near(p2, 0.48550871, 1e-6, "bound.whole_space(3e7, 14999900) (summed downwards) ~ the normal limit")
  t.raises(function() return bound.whole_space(1e18, 5e17 - 1) end, {"whole_space", "too close to n/2"},
    "bound.whole_space near the centre of a huge width says it cannot, instead of looping")

  local layers = bound.layers{3, 4}
  setmetatable(layers, {__index = getmetatable(layers).__index, __tostring = getmetatable(layers).__tostring,
                        __len = function() return math.maxinteger end})
  t.ok(pcall(tostring, layers), "bound.layers' table printed with a lying __len prints the rows it holds")
end

os.execute("rm -rf " .. q(tmpdir))
t.done()

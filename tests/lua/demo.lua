-- demo.lua: the teaching mode. demo() lists the guided demos;
-- every demo runs to its end in batch (no terminal: no key waits), showing
-- each step's Lua and result; paper(name) runs a paper script inside the
-- session, where a failed check or os.exit is reported and the session goes
-- on, and the scripts find common.lua wherever they are started from.
local t = require "tap"
local proc = require "proc"

local relush = os.getenv("RELUSH")
local srcdir = os.getenv("RELUSH_SRCDIR") or "."
local dir = proc.tmpdir()

-- ---- demo(): the list
local listing = proc.run(dir, relush, "-e 'demo()'")
local names = {}
for name in listing:gmatch('demo "([%w_]+)"') do names[#names + 1] = name end
t.ok(#names >= 8, ("demo() lists at least 8 demos (%d)"):format(#names))
local wanted = {"depth", "width", "shrink", "single_layer", "flip", "architectures", "alignment", "trainability"}
local listed = {}
for _, n in ipairs(names) do listed[n] = true end
for _, n in ipairs(wanted) do t.ok(listed[n], "demo() lists " .. n) end

-- ---- every demo runs to the end in batch, without waiting for keys
for _, name in ipairs(names) do
  local out, err, status = proc.run(dir, relush, "-e " .. proc.q('demo "' .. name .. '"'), "", nil, "timeout 300")
  local steps = tonumber(out:match("demo " .. name .. ": done %((%d+) steps%)"))
  t.ok(status == 0 and steps ~= nil and steps >= 3,
       ("demo %s runs all its steps in batch (%s steps, exit %s)"):format(name, tostring(steps), tostring(status)))
  if status ~= 0 then t.diag(err) end
  local shown = 0
  for _ in out:gmatch("\n  > ") do shown = shown + 1 end
  t.ok(shown >= (steps or 1), ("demo %s shows the Lua of its steps (%d lines)"):format(name, shown))
  local headers = 0
  for _ in out:gmatch("== demo " .. name .. ", step %d+ of %d+") do headers = headers + 1 end
  t.is(headers, steps, ("demo %s: one narrated header per step"):format(name))
  t.ok(not out:find("\27", 1, true), ("demo %s: no escape codes when not a terminal"):format(name))
end

-- a demo with a plot prints it in batch
do
  local out = proc.run(dir, relush, "-e " .. proc.q('demo "depth"'), "", nil, "timeout 300")
  t.ok(out:find("P(alive) against depth", 1, true), "demo depth prints its plot in batch")
end

-- ---- errors: an unknown demo names the demos
do
  local _, err, status = proc.run(dir, relush, "-e " .. proc.q('demo "nope"'))
  t.ok(status ~= 0 and err:find("no demo named 'nope'", 1, true) and err:find("depth", 1, true),
       "an unknown demo is refused, naming the demos")
  t.raises(function() demo(3) end, {"demo", "name"}, "demo(3) names the argument")
end

-- ---- a demo of one's own, through RELUSH_DEMO_DIR; a failing step fails the run in batch
do
  local own = proc.tmpdir()
  proc.spit(own .. "/mine.lua", [[return {title = "Mine", steps = {
    {"first", "x = 6 * 7\nreturn x"},
    {"second", "return x + 1"},
    {"third", "error('boom')"},
  }}]])
  local out, err, status = proc.run(dir, relush, "-e " .. proc.q('demo "mine"'), "", "RELUSH_DEMO_DIR=" .. proc.q(own))
  t.ok(out:find("\n42\n", 1, true) and out:find("\n43\n", 1, true), "steps share their globals (42, then 43)")
  t.ok(status ~= 0 and err:find("demo mine, step 3 failed", 1, true) and err:find("boom", 1, true),
       "a failing step fails the demo in batch and says which step")
  local list = proc.run(dir, relush, "-e 'demo()'", "", "RELUSH_DEMO_DIR=" .. proc.q(own))
  t.ok(list:find('demo "mine"', 1, true) and list:find('demo "depth"', 1, true),
       "RELUSH_DEMO_DIR adds to the installed demos")
  os.execute("rm -rf " .. proc.q(own))
end

-- ---- paper(): inside the session, os.exit never closes it
do
  local own = proc.tmpdir()
  proc.spit(own .. "/failing.lua", "print('checking'); os.exit(1)")
  local out, _, status = proc.run(dir, relush,
    "-e " .. proc.q('ok = paper "failing"; print("still here", ok)'), "", "RELUSH_PAPER_DIR=" .. proc.q(own))
  t.ok(status == 0 and out:find("checking", 1, true) and out:find("still here\tfalse", 1, true),
       "a paper script's os.exit(1) is reported; the session goes on and paper returns false")
  t.ok(out:find("a check failed", 1, true), "the failure is reported")
  local out2 = proc.run(dir, relush,
    "-e " .. proc.q('a, e = arg, os.exit; paper "failing"; print(type(os.exit), arg == a and os.exit == e)'), "", "RELUSH_PAPER_DIR=" .. proc.q(own))
  t.ok(out2:find("function\ttrue", 1, true), "os.exit and arg are given back after the script")
  os.execute("rm -rf " .. proc.q(own))
  local _, err3, status3 = proc.run(dir, relush, "-e " .. proc.q("paper 'nope'"))
  t.ok(status3 ~= 0 and err3:find("no script named 'nope'", 1, true) and err3:find("depth", 1, true),
       "an unknown paper script is refused, naming the scripts")
end

-- paper() lists the scripts, common.lua left out
do
  local out = proc.run(dir, relush, "-e 'paper()'")
  local n = 0
  for _ in out:gmatch('\n  paper "[%w_]+"') do n = n + 1 end
  t.ok(n >= 7 and out:find('paper "depth"', 1, true) and not out:find('paper "common"', 1, true),
       ("paper() lists the paper scripts (%d)"):format(n))
end

-- a real paper script from the session, and by dofile from another folder
do
  local out, err, status = proc.run(dir, relush,
    "-e " .. proc.q('print("ok:", paper("single_layer", "--quick", "--out", "res"))'), "", nil, "timeout 300")
  t.ok(status == 0 and out:find("single_layer: 2 checks, 0 failed", 1, true) and out:find("ok:\ttrue", 1, true),
       "paper('single_layer', '--quick') runs its checks in the session and returns true")
  if status ~= 0 then t.diag(err) end
  t.ok(proc.slurp(dir .. "/res/single_layer.csv") ~= "", "it writes its CSV where --out says")
  local chunk = ("arg = {[0] = 'x', '--quick', '--out', 'res2'}; dofile(%q)"):format(srcdir .. "/scripts/paper/single_layer.lua")
  local out2, err2, status2 = proc.run(dir, relush, "-e " .. proc.q(chunk), "", nil, "timeout 300")
  t.ok(status2 == 0 and out2:find("single_layer: 2 checks", 1, true),
       "dofile of a paper script from another folder finds common.lua")
  if status2 ~= 0 then t.diag(err2) end
end

os.execute("rm -rf " .. proc.q(dir))
t.done()

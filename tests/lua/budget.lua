-- budget.lua: the memory budget everywhere. Each
-- reader (inputs.load, mc.load, mc.merge, relush merge, r:save appending to
-- a big file) and each huge requested shape runs in a child relush under
-- RELUSH_MEM_LIMIT, started by tests/unit/peak_rss, which reports the
-- child's peak resident set size (getrusage): it must fail with a clear
-- message (or succeed) and stay within the limit plus a fixed margin. Then
-- invalid RELUSH_* values are refused naming the accepted forms, and
-- print(limits) says where the limit comes from.
local t = require "tap"
local proc = require "proc"
local q, spit, slurp = proc.q, proc.spit, proc.slurp

local RELUSH = os.getenv("RELUSH") or arg[-1]
local PEAK = os.getenv("RELUSH_PEAK_RSS")
local sanitized = os.getenv("SANITIZED_BUILD") == "1"
local dir = proc.tmpdir()

-- what relush needs besides the budget: the binary, libraries, the Lua
-- heap's slack for small blocks (16 MiB) and stdio
local MARGIN_MIB = 48

-- runs `relush args` (after `pre |` when given) under the limit; returns
-- peak MiB, exit status, stdout and stderr
local function measured(limit, args, pre)
  local out, err, rss = dir .. "/out", dir .. "/err", dir .. "/rss"
  os.remove(rss)
  local cmd = string.format("cd %s && %s RELUSH_MEM_LIMIT=%s RELUSH_HISTORY=/dev/null timeout 120 %s %s %s %s >%s 2>%s",
    q(dir), pre and (pre .. " |") or "", limit, q(PEAK), q(rss), q(RELUSH), args, q(out), q(err))
  os.execute(cmd)
  local kib, status = slurp(rss):match("^(%d+) (%d+)")
  return (tonumber(kib) or 0) / 1024, tonumber(status), slurp(out), slurp(err)
end

local function mib(limit) return tonumber(limit:match("^(%d+)M$")) end

-- check(limit, args, pre, want, what): the message holds want (or, when
-- want is true, the command succeeded) and the peak stays within the limit
-- plus the margin
local figures = {}
local function check(limit, args, pre, want, what)
  local peak, status, out, err = measured(limit, args, pre)
  local said = want == true and status == 0 or (status ~= 0 and err:find(want, 1, true) ~= nil)
  t.ok(said, what .. ": " .. (want == true and "works" or "fails saying '" .. want .. "'") ..
       (said and "" or " (exit " .. tostring(status) .. ": " .. err:sub(1, 300):gsub("\n", " ") .. ")"))
  local bound = mib(limit) + MARGIN_MIB
  figures[#figures + 1] = string.format("%-58s limit %5s  peak %6.1f MiB", what, limit, peak)
  if sanitized then
    t.skip(what .. ": peak RSS within the limit + " .. MARGIN_MIB .. " MiB",
           "the sanitizers' shadow memory and quarantine inflate RSS")
  else
    t.ok(peak > 0 and peak <= bound, string.format("%s: peak RSS %.1f MiB <= %d MiB (limit + %d MiB)",
         what, peak, bound, MARGIN_MIB))
  end
end

local function e(code) return "-e " .. q(code) end

---------------------------------------------------------------- readers
-- /dev/zero: a NUL byte at once
check("100M", e("inputs.load('/dev/zero')"), nil, "NUL byte", "inputs.load('/dev/zero')")
check("100M", e("mc.load('/dev/zero')"), nil, "NUL byte", "mc.load('/dev/zero')")
check("100M", e("mc.merge{'/dev/zero'}"), nil, "NUL byte", "mc.merge{'/dev/zero'}")
check("100M", "merge /dev/zero", nil, "NUL byte", "relush merge /dev/zero")
-- appending to a device writes in place and never reads it back
check("100M", e("mc{depth=2,width=2,trials=5,seed=1}:save('/dev/zero')"), nil, true, "r:save('/dev/zero') (append)")
check("100M", e("mc{depth=2,width=2,trials=5,seed=1,out='/dev/zero'}"), nil, true, "mc{out = '/dev/zero'}")
-- an endless line (no newline ever) from a pipe: the line limit
check("100M", e("inputs.load('/dev/stdin')"), "yes 1, | tr -d '\\n'", "longer than the limit",
      "inputs.load of an endless line (a pipe)")
check("100M", e("mc.load('/dev/stdin')"), "yes '{\"a\":' | tr -d '\\n'", "longer than the limit",
      "mc.load of an endless line (a pipe)")
check("100M", "merge /dev/stdin", "yes '[[[[' | tr -d '\\n'", "longer than the limit",
      "relush merge of an endless line (a pipe)")
-- endless short lines: the points themselves reach the limit
check("100M", e("inputs.load('/dev/stdin')"), "yes 1,2,3,4,5,6,7,8", "more than the limit",
      "inputs.load of endless points (a pipe)")
-- endless result lines: the file limit
do
  local line = slurp((function()
    local p = dir .. "/one.jsonl"
    mc{depth = 2, width = 2, trials = 10, seed = 1}:save(p, "w")
    return p
  end)()):gsub("\n", "")
  spit(dir .. "/line.txt", line .. "\n")
  check("100M", e("mc.load('/dev/stdin')"), "yes \"$(cat " .. q(dir .. "/line.txt") .. ")\"",
        "more than the limit", "mc.load of endless result lines (a pipe)")
end
-- a line of ten million tiny JSON values (20 MB, under the line limit):
-- the parse tree would be many times the line; the parser's budget stops it
do
  local f = assert(io.open(dir .. "/tiny.jsonl", "w"))
  f:write('{"format":[', string.rep("1,", 10000000), '1]}\n')
  f:close()
  check("100M", e("mc.load('tiny.jsonl')"), nil, "more than half the memory limit",
        "mc.load of a 20 MB line of 1e7 tiny values")
  os.remove(dir .. "/tiny.jsonl")
end
-- a big regular file is refused before reading
do
  local big = dir .. "/big.jsonl"
  os.execute("truncate -s 300M " .. q(big))
  check("100M", e("mc.load(" .. string.format("%q", big) .. ")"), nil, "larger than the limit",
        "mc.load of a 300 MiB file under 100M (refused before reading)")
  -- r:save appending to it copies the file, it does not hold it in memory
  -- (a results file: a results line, then 150 MiB)
  os.remove(big)
  mc{depth = 2, width = 2, trials = 10, seed = 1, progress = false}:save(big)
  os.execute("truncate -s 150M " .. q(big))
  check("64M", e("mc{depth=2,width=2,trials=10,seed=1}:save(" .. string.format("%q", big) .. ")"), nil, true,
        "r:save appending to a 150 MiB file under 64M")
  local f = io.open(big, "rb")
  local size = f:seek("end")
  f:close()
  t.ok(size > 150 * 2 ^ 20, "... and the file grew by the line (" .. size .. " bytes)")
  os.remove(big)
end

-- a real shard line of shard {1, 2^27}: listing the missing shards takes
-- no memory proportional to N
do
  local p = dir .. "/wide.jsonl"
  mc{depth = 2, width = 2, trials = 2 ^ 28, seed = 1, shard = {1, 2 ^ 27}}:save(p, "w")
  check("100M", "merge " .. q(p), nil, "134217727 in all", "relush merge of one shard {1, 2^27} line")
end

---------------------------------------------------------------- huge requested shapes
check("200M", e("relu(10, 1e7)"), nil, "more than the limit", "relu(10, 1e7)")
check("200M", e("inputs.gaussian(1e9, 1e3)"), nil, "more than the limit", "inputs.gaussian(1e9, 1e3)")
check("200M", e("inputs.orthant(1e6)"), nil, "more than the limit", "inputs.orthant(1e6)")
check("200M", e("view.snapshot(relu(20000, 1), nil, {width = 10000})"), nil, "more than the limit",
      "view.snapshot(relu(20000, 1), nil, {width = 10000})")
check("1024M", e("mc{depth = 2e7, width = 1, trials = 1}"), nil, "more than the limit",
      "mc{depth = 2e7, width = 1, trials = 1} (refused before the run)")
check("200M", e("mc{depth = 2, width = 1e5, trials = 1, X = inputs.gaussian(1000, 1e3)}"), nil,
      "more than the limit", "mc with a 1000 x 1e5 layer")
check("200M", e("local t = {} for i = 1, 1e8 do t[i] = i end"), nil, "not enough memory",
      "a Lua table of 1e8 entries")
check("200M", e("print(mc{depth = 1e5, width = 1, trials = 1}.trials)"), nil, true,
      "mc{depth = 1e5} fits under 200M")

for _, f in ipairs(figures) do t.diag(f) end

-- a Lua table per row: checked before it is built, named in the message
check("16M", e("bound.layers(3, 100000)"), nil, "bound.layers' per-layer table",
      "bound.layers(3, 100000) (a table of 100000 rows)")
check("64M", e("print(#bound.layers(3, 100000))"), nil, true, "bound.layers(3, 100000) within a 64M limit")

---------------------------------------------------------------- RELUSH_* values
do
  local function env_run(assign)
    return proc.run(dir, RELUSH, e("print(limits)"), "", assign, "timeout 60")
  end
  for _, bad in ipairs{"'2 G'", "abc", "-1", "0", "512K", "''1e400''"} do
    local out, err, status = env_run("RELUSH_MEM_LIMIT=" .. bad)
    t.ok(status == 2 and err:find("RELUSH_MEM_LIMIT", 1, true) and err:find("512M", 1, true) and
         err:find("2G", 1, true) and out == "",
         "RELUSH_MEM_LIMIT=" .. bad .. " is refused, naming the accepted forms: " .. err:gsub("\n", ""))
  end
  for _, c in ipairs{{"RELUSH_MC_NS_VARIATE", "nan"}, {"RELUSH_MC_NS_VARIATE", "-1"},
                     {"RELUSH_MC_LAZY_L", "inf"}, {"RELUSH_MC_BLAS_MIN", "lots"},
                     {"RELUSH_SEED", "-3"}, {"RELUSH_SEED", "12abc"}} do
    local _, err, status = env_run(c[1] .. "=" .. c[2])
    t.ok(status == 2 and err:find(c[1] .. "='" .. c[2] .. "'", 1, true) and err:find("must be", 1, true),
         c[1] .. "=" .. c[2] .. " is refused: " .. err:gsub("\n", ""))
  end
  local out, _, status = env_run("RELUSH_MEM_LIMIT=300M RELUSH_MC_NS_VARIATE=2.5 RELUSH_SEED=0x2a")
  t.ok(status == 0 and out:find("from RELUSH_MEM_LIMIT=300M", 1, true),
       "valid values are taken; print(limits) says the limit comes from RELUSH_MEM_LIMIT: " .. out:gsub("\n", ""))
  out = env_run("")
  t.ok(out:find("3/4 of physical memory", 1, true), "... or from physical memory when it is not set: " .. out:gsub("\n", ""))
  out = proc.run(dir, RELUSH, e("limits.memory = '1G'; print(limits)"), "", "RELUSH_MEM_LIMIT=300M", "timeout 60")
  t.ok(out:find("set by limits.memory", 1, true), "... or from limits.memory once set: " .. out:gsub("\n", ""))
  out = proc.run(dir, RELUSH, e("mc{depth=2,width=2,trials=5,seed=1}:save('ns.jsonl','w'); print(#mc.load('ns.jsonl'))"),
                 "", "RELUSH_MC_NS_VARIATE=2.5", "timeout 60")
  t.is(out, "1\n", "a results file written with a tuning variable set loads back")
end

os.execute("rm -rf " .. q(dir))
t.done()

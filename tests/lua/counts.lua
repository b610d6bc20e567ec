-- counts.lua: merges check their counts. Every
-- kind of real run (each architecture, method, stats, flip, alignment, the
-- view's neuron activity, shards, interrupted runs) writes counts that pass
-- the reader's invariants and merge back to the single run; each class of
-- edited count that no run can produce is refused naming the file, the
-- line and the invariant; a complete line supersedes an interrupted one of
-- the same shard, and the merge says so.
local t = require "tap"
local proc = require "proc"
local q, spit, slurp = proc.q, proc.spit, proc.slurp

local RELUSH = os.getenv("RELUSH") or arg[-1]
local dir = proc.tmpdir()

------------------------------------------------------------ real runs pass the checks
do
  local X = inputs.gaussian(6, 3, {seed = 2})
  local configs = {
    {depth = 4, width = 3, X = X},
    {depth = 4, width = 3, X = X, method = "gram"},
    {depth = 4, width = 3, X = X, stats = "alive"},
    {depth = 4, width = 3, X = X, method = "reference"},
    {depth = 4, width = 3, X = X, arch = "residual"},
    {depth = 4, width = 3, X = X, arch = "dense"},
    {depth = 4, width = 3, X = X, arch = "skip"},
    {depth = 4, width = 3, X = X, arch = "batchnorm"},
    {depth = 4, width = 3, X = X, flip = true},
    {depth = 4, width = 3, X = X, alignment = true},
    {depth = 6, width = 2, X = inputs.gaussian(40, 2, {seed = 5}), weights = "uniform", bias = 0.3},
    {depth = 3, widths = {5, 2, 4}, X = X},
  }
  for i, c in ipairs(configs) do
    local path = dir .. "/real" .. i .. ".jsonl"
    local whole
    for s = 1, 3 do
      local o = {trials = 300, seed = 10 + i, shard = {s, 3}, out = path}
      for k, v in pairs(c) do o[k] = v end
      mc(o)
    end
    local o = {trials = 300, seed = 10 + i}
    for k, v in pairs(c) do o[k] = v end
    whole = mc(o)
    local ok, m = pcall(mc.merge, path)
    local what = (c.method or c.stats or c.arch or (c.flip and "flip") or (c.alignment and "alignment") or
                  (c.widths and "widths") or (c.weights and "uniform weights") or "plain")
    t.ok(ok and m.trials == 300 and m.alive_trials == whole.alive_trials,
         "a real " .. what .. " run's shards pass every check and merge to the whole run" .. (ok and "" or ": " .. tostring(m)))
  end
  -- a partial (interrupted) result and a run with the view's neuron activity
  local path = dir .. "/partial.jsonl"
  local r = mc{depth = 3, width = 3, trials = 1000000, seed = 3, progress = function() return false end}
  r:save(path, "w")
  local ok, back = pcall(mc.load, path)
  t.ok(ok and back[1].trials == r.trials and r.interrupted and r.trials < 1000000, "an interrupted run's partial counts pass the checks (" .. r.trials .. " trials)")
end

------------------------------------------------------------ edited counts are refused
do
  local path = dir .. "/good.jsonl"
  mc{depth = 3, width = 3, trials = 200, seed = 1, X = inputs.gaussian(4, 3, {seed = 1}), alignment = true}:save(path, "w")
  mc{depth = 3, width = 3, trials = 200, seed = 7}:save(path)
  local lines = {}
  for l in slurp(path):gmatch("[^\n]+") do lines[#lines + 1] = l end
  -- each edit applies to line 2 (so the message must name the line)
  local function edited(k, line, pattern, repl)
    local text = line:gsub(pattern, repl, 1)
    assert(text ~= line, "the edit " .. pattern .. " applies")
    local p = dir .. "/edit" .. k .. ".jsonl"
    spit(p, lines[1] .. "\n" .. text .. "\n")
    return p
  end
  local cases = {
    {lines[2], '"living_sum":%d+', '"living_sum":18446744073709551615', "counts.living_sum",
     "living_sum = 2^64 - 1 (it would wrap to a plausible mean F)"},
    {lines[2], '"alive_trials":%d+', '"alive_trials":-500', "counts.alive_trials", "alive_trials = -500"},
    {lines[2], '"died_at":%[%d+', '"died_at":[1000000000000', "counts.died_at", "died_at[1] = 1e12"},
    {lines[2], '"alive_trials":(%d+)', function(a) return '"alive_trials":' .. (a + 1) end, "counts.died_at",
     "alive_trials one more than the trials that did not die"},
    {lines[2], '"trials_reaching":%[%d+', '"trials_reaching":[199', "counts.layers",
     "trials_reaching[1] below trials"},
    {lines[2], '"living_sq":%d+', '"living_sq":1', "counts.living_sq", "living_sq below living_sum"},
    {lines[2], '"points_living":%[%d+', '"points_living":[100000', "counts.layers",
     "points_living above points_reaching"},
    {lines[2], '"dead_neurons":%[%d+', '"dead_neurons":[100000', "counts.layers.dead_neurons",
     "dead_neurons above trials_reaching x width"},
    {lines[2], '"min_living":%d+', '"min_living":100000', "counts.min_living", "min_living above the points"},
    {lines[2], '"trials_all_active":%d+', '"trials_all_active":9999', "counts", "trials_all_active above trials"},
    -- settings no mc call takes (a seed past 2^63 read back as -1)
    {lines[2], '"seed":%d+', '"seed":18446744073709551615', "config.seed", "seed = 2^64 - 1"},
    {lines[2], '"seed":%d+', '"seed":9223372036854775808', "config.seed", "seed = 2^63"},
    {lines[2], '"trials":%d+', '"trials":9007199254740993', "config.trials", "trials = 2^53 + 1"},
    {lines[2], '"trials":%d+', '"trials":0', "config.trials", "trials = 0"},
    {lines[2], '"never_living":%d+', '"never_living":65', "config.X.never_living", "never_living above X's 64 points"},
    {lines[2], '"default":true', '"default":"yes"', "config.X.default", "default not a boolean"},
  }
  for k, c in ipairs(cases) do
    local p = edited(k, c[1], c[2], c[3])
    local ok, err = pcall(mc.load, p)
    err = tostring(err)
    t.ok(not ok and err:find(p .. " line 2", 1, true) and err:find(c[4], 1, true),
         "refused, naming the file, line 2 and " .. c[4] .. ": " .. c[5] .. ": " .. err)
    local out, msg, status = proc.run(dir, RELUSH, "merge " .. q(p), "", nil, "timeout 60")
    t.ok(status ~= 0 and msg:find("line 2", 1, true), "... and relush merge refuses it too (exit " .. tostring(status) .. ")")
  end
  -- line 1: the alignment sums
  local p = dir .. "/edit-align.jsonl"
  spit(p, (lines[1]:gsub('"sum":%[%-?%d+', '"sum":[9223372036854775807', 1)) .. "\n")
  local ok, err = pcall(mc.load, p)
  t.ok(not ok and tostring(err):find("counts.alignment", 1, true),
       "an alignment sum beyond trials x 2^24 is refused (it overflowed the merge): " .. tostring(err))
  -- two pieces whose checked sums overflow together
  local a = dir .. "/half-a.jsonl"
  mc{depth = 2, width = 2, trials = 2, seed = 1, shard = {1, 2}, out = a}
  mc{depth = 2, width = 2, trials = 2, seed = 1, shard = {2, 2}, out = a}
  t.ok(pcall(mc.merge, a), "two real halves merge")
end

------------------------------------------------------------ an interrupted line and its rerun
do
  local path = dir .. "/rerun.jsonl"
  -- trials heavy enough (a few ms each on one thread) that the first
  -- progress report, at ~50 ms, comes long before the shard's 2000 trials
  -- are done, however fast the machine
  local X = inputs.gaussian(2000, 40, {seed = 1})
  local o = {depth = 3, width = 40, X = X, trials = 4000, seed = 1, out = path, threads = 1}
  local function with(extra)
    local c = {}
    for k, v in pairs(o) do c[k] = v end
    for k, v in pairs(extra) do c[k] = v end
    return c
  end
  local cut = mc(with{shard = {1, 2}, progress = function() return false end})
  t.ok(cut.interrupted and cut.trials < 2000, "shard 1/2 interrupted after " .. cut.trials .. " trials (line 1)")
  mc(with{shard = {2, 2}})
  t.raises(function() return mc.merge(path) end, {"line 1", "interrupted", "run it again"},
           "an interrupted line without a rerun still stops the merge")
  mc(with{shard = {1, 2}})
  local ok, m = pcall(mc.merge, path)
  local whole = mc{depth = 3, width = 40, X = X, trials = 4000, seed = 1}
  t.ok(ok and m.trials == 4000 and m.alive_trials == whole.alive_trials,
       "the complete rerun (line 3) supersedes the interrupted line 1: the merge equals the single run")
  t.ok(ok and type(m.superseded) == "string" and m.superseded:find("line 1", 1, true) and
       m.superseded:find("line 3", 1, true), "... and the merged result says so: " .. tostring(ok and m.superseded))
  local out, err, status = proc.run(dir, RELUSH, "merge " .. q(path), "", nil, "timeout 60")
  t.ok(status == 0 and err:find("note:", 1, true) and err:find("left out", 1, true),
       "relush merge says which line was left out: " .. err:gsub("\n", " "))
end

------------------------------------------------------------ messages that used to mislead
do
  t.raises(function() return mc{depth = 2, width = 2, trials = 10, shard = {2 ^ 40 + 5, 2 ^ 40}} end,
           {"got {1099511627781, 1099511627776}"}, "shard = {2^40 + 5, 2^40} is quoted as given, not as {5, 0}")
  local path = dir .. "/param.jsonl"
  mc{depth = 2, width = 2, trials = 10, seed = 1, shard = {1, 2}}:save(path, "w")
  mc{depth = 2, width = 2, trials = 10, seed = 1, shard = {2, 2}}:save(path)
  local one, two = slurp(path):match("^([^\n]+)\n([^\n]+)\n$")
  spit(path, one .. "\n" .. two:gsub('("weights":{[^}]-"param":)0}', "%1-0}", 1) .. "\n")
  local ok, err = pcall(mc.merge, path)
  local left, right = tostring(err):match("line 1 has (.-) but .- line 2 has (.-);")
  t.ok(not ok and left and right and left ~= right,
       "a weights-parameter mismatch shows two different texts: " .. tostring(err))
end

os.execute("rm -rf " .. q(dir))
t.done()

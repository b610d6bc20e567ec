-- shard.lua: sharded sweeps from Lua and from the shell: mc{..., shard, out},
-- r:save, mc.load, mc.merge (results, files, sweeps, and its errors), the
-- default shard (relush --shard i/N sets mc.shard), `relush merge`, the
-- cluster recipes in scripts/cluster and the sharded depth experiment
-- (scripts/paper/depth.lua --shard, --from). Merging is also tested count
-- for count, in C, by tests/unit/test_shard.c.
local t = require "tap"
local relush = require "relush"

local RELUSH = os.getenv("RELUSH") or arg[-1]
local SRCDIR = os.getenv("RELUSH_SRCDIR") or "."
local tmp = os.tmpname()
os.remove(tmp)
assert(os.execute("mkdir -p '" .. tmp .. "'"))
local function path(name) return tmp .. "/" .. name end
local proc = require "proc"
local q, slurp, spit = proc.q, proc.slurp, proc.spit
-- sh(cmd): stdout, stderr, exit status of a shell command run in tmp
local function sh(cmd, env)
  local out, err = path("stdout"), path("stderr")
  local _, _, status = os.execute(("cd %s && env RELUSH=%s RELUSH_HISTORY=/dev/null %s %s >%s 2>%s")
    :format(q(tmp), q(RELUSH), env or "", cmd, q(out), q(err)))
  return slurp(out), slurp(err), status
end

-- Every count a result exposes, compared exactly.
local same = require("results").same
local function with(base, extra)
  local o = {progress = false}
  for k, v in pairs(base) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

local X = inputs.gaussian(24, 2, {seed = 5})
local configs = {
  {name = "explicit, all stats", opts = {depth = 8, width = 3, X = X, trials = 2000, seed = 11,
                                        method = "explicit", bias = 0.3}},
  {name = "gram, stats alive (lazy)", opts = {depth = 10, width = 4, X = inputs.gaussian(8, 4, {seed = 6}),
                                             trials = 2000, seed = 12, method = "gram", stats = "alive"}},
  {name = "flip = true", opts = {depth = 6, width = 2, X = X, trials = 400, seed = 13, flip = true}},
  {name = "skip arch", opts = {depth = 5, width = 3, X = X, trials = 400, seed = 14, arch = "skip"}},
}

-- ---- merged shards equal the single run, through files and as tables
local wholes = {}
for c, cfg in ipairs(configs) do
  local whole = mc(with(cfg.opts))
  wholes[c] = whole
  for _, N in ipairs{1, 3, 8} do
    local file = path(("c%d-n%d.jsonl"):format(c, N))
    local pieces = {}
    for i = N, 1, -1 do   -- in reverse: the order never matters
      pieces[#pieces + 1] = mc(with(cfg.opts, {shard = {i, N}, out = file, threads = 1 + i % 2}))
    end
    local ok, field = same(mc.merge(file), whole)
    t.ok(ok, ("%s: %d shard%s saved to one file and merged equal the single run%s")
      :format(cfg.name, N, N == 1 and "" or "s", ok and "" or " (differs in " .. field .. ")"))
    ok, field = same(mc.merge(pieces), whole)
    t.ok(ok, ("%s: %d shard results merged as tables equal the single run%s")
      :format(cfg.name, N, ok and "" or " (differs in " .. field .. ")"))
  end
end

-- ---- results files: save, load, round trip
local whole = wholes[1]
local f1 = path("whole.jsonl")
t.is(whole:save(f1, "w"), whole, "r:save returns r")
local back = mc.merge(f1)
t.ok(same(back, whole), "round trip: r:save then mc.merge of the one file equals the result")
t.is(back.pieces, 1, "... from one piece")
whole:save(f1)
t.is(select(2, slurp(f1):gsub("\n", "")), 2, "r:save appends a line; mode \"w\" replaced the file")
local loaded = mc.load(f1)
t.is(#loaded, 2, "mc.load reads every line")
t.ok(same(loaded[1], whole) and same(loaded[2], whole), "mc.load's results are the saved ones")
t.ok(tostring(loaded):find("2 Monte Carlo results", 1, true), "a list of results prints as a table")
t.is(loaded[2].source, f1 .. " line 2", "a loaded result knows its file and line")
t.raises(function() return mc.merge(f1) end, {"the whole run (trials 1..2000) appears twice", "line 1", "line 2"},
         "the same run twice in a file is refused")

-- ---- a result read back, or merged, prints as the run did: what the report
-- says of X (the default input set, points that can never live) is part of
-- the record, for every input set and architecture that names it
local sym = inputs.from{{1, 0}, {-1, 0}, {0, 0}, {0, 2}, {0, -2}}   -- (0, 0) is 0 and the mean
local kinds = {
  {name = "the default input set", opts = {}},
  {name = "zero points, zero biases", opts = {X = inputs.orthant(3)}},
  {name = "zero points, biases", opts = {X = inputs.orthant(3), bias = 0.5}},
  {name = "batch norm, a point at the mean", opts = {X = sym, arch = "batchnorm"}},
  {name = "batch norm, the default set", opts = {arch = "batchnorm"}},
  {name = "flip, alignment", opts = {X = inputs.orthant(3), flip = true, alignment = true}},
  {name = "stats alive", opts = {X = sym, stats = "alive"}},
}
for _, k in ipairs(kinds) do
  local o = with({depth = 3, width = 3, trials = 60, seed = 3}, k.opts)
  local r = mc(o)
  local f = path("printed.jsonl")
  r:save(f, "w")
  t.is(tostring(mc.load(f)[1]), tostring(r), k.name .. ": mc.load gives back the printed result")
  t.is(tostring(mc.merge(f)), tostring(r), k.name .. ": mc.merge of its file prints the same")
  local m = mc.merge{mc(with(o, {shard = {1, 2}})), mc(with(o, {shard = {2, 2}}))}
  t.ok(m.inputs == r.inputs and m.never_living == r.never_living and m.tie == r.tie,
       k.name .. ": merged shards name X and its ties as the single run (" .. tostring(r.inputs) .. ", " ..
       tostring(r.never_living) .. ", " .. tostring(r.tie) .. ")")
end
do -- a line written before relush kept them reads as before: no name, no ties
  local r = mc(with({depth = 3, width = 3, trials = 60, seed = 3, X = inputs.orthant(3)}))
  r:save(path("older.jsonl"), "w")
  local line, n = slurp(path("older.jsonl")):gsub(',"default":false,"never_living":1', "")
  spit(path("older.jsonl"), line)
  local ok, old = pcall(mc.load, path("older.jsonl"))
  t.ok(n == 1 and ok and old[1].never_living == nil and old[1].inputs == nil and same(old[1], r),
       "a results line without config.X.default and never_living loads, naming no ties" .. (ok and "" or ": " .. tostring(old)))
end
local f2 = path("list.jsonl")
loaded:save(f2, "w")
t.is(#mc.load(f2), 2, "a list of results saves as one line each")
t.ok(whole.checksum:match("^fnv1a64:%x+$") and whole.version == relush.version and whole.pieces == 1,
     "results carry X's checksum, the relush version and the number of pieces")
local line = slurp(path("c1-n3.jsonl")):match("^[^\n]*")
for _, key in ipairs{'"seed":11', '"method":"explicit"', '"stats":"all"', '"arch":"plain"', '"widths":[3,3,3,3,3,3,3,3]',
                     '"input":2', '"weights":{"law":"normal","scale":"he"', '"bias":{"law":"normal","scale":"fixed","param":0.29999999999999999}',
                     '"shard":{"i":3,"n":3,', '"alive_trials":', '"living_sum":', '"living_sq":', '"died_at":[',
                     '"dead_neurons":[', '"relush":"' .. relush.version .. '"', '"seconds":', '"checksum":"fnv1a64:'} do
  t.ok(line:find(key, 1, true), "a result line holds " .. key)
end

-- ---- float32 multiply-adds: single-precision pieces from a machine that
-- fuses them and one that does not differ in last bits, so never merge
do
  local o = with(configs[1].opts, {precision = "single", trials = 300})
  local f = path("fma.jsonl")
  for i = 1, 3 do mc(with(o, {shard = {i, 3}})):save(f, i == 1 and "w" or "a") end
  local lines = {}
  for l in io.lines(f) do lines[#lines + 1] = l end
  local this = lines[1]:match('"float32_fma":"(%a+)"')
  t.ok((this == "fused" or this == "unfused") and mc.load(f)[1].float32_fma == this,
       "a single-precision result and its line say whether float32 multiply-adds were fused: " .. tostring(this))
  local other = this == "fused" and "unfused" or "fused"
  local edited = lines[2]:gsub('"float32_fma":"%a+"', '"float32_fma":"' .. other .. '"')
  spit(f, lines[1] .. "\n" .. edited .. "\n" .. lines[3] .. "\n")
  t.raises(function() return mc.merge(f) end, {"line 1 has float32 multiply-adds " .. this,
           "line 2 has float32 multiply-adds " .. other, "relush -v", 'precision = "double"'},
           "a piece from a machine that " .. (this == "fused" and "does not fuse" or "fuses") .. " is refused, saying why")
  spit(f, lines[1] .. "\n" .. lines[2]:gsub('"float32_fma":"%a+",', "") .. "\n" .. lines[3] .. "\n")
  t.ok(same(mc.merge(f), mc(o)), "a line that does not say (an older relush) merges with the others")
  local d = mc(with(configs[1].opts, {precision = "double", trials = 300}))
  d:save(f, "w")
  t.ok(slurp(f):find('"float32_fma":"none"', 1, true) and d.float32_fma == nil,
       "a double-precision run does no float32 arithmetic: float32_fma none")
end

-- ---- the generator: named in every result; a line without it is the first's
t.ok(type(whole.generator) == "string" and line:find('"generator":"' .. whole.generator .. '"', 1, true),
     "a result and its line name the generator that drew its numbers (" .. tostring(whole.generator) .. ")")
do
  local f = path("generator.jsonl")
  local out = assert(io.open(f, "w"))
  out:write((line:gsub('"generator":"[^"]*",', "")), "\n")
  out:close()
  t.is(mc.load(f)[1].generator, "philox4x32-10 sleef-u10",
       "a results line without a generator (older relush) reads as the first generator")
  out = assert(io.open(f, "w"))
  out:write((line:gsub('"generator":"[^"]*"', '"generator":"xorshift"')), "\n")
  out:close()
  t.raises(function() return mc.load(f) end, {"config.generator", "a generator this relush knows"},
           "a results line naming an unknown generator is refused, naming the field")
  -- a piece another generator drew: never merged, never replayed
  out = assert(io.open(f, "w"))
  out:write((line:gsub('"generator":"[^"]*"', '"generator":"philox4x32-10 sleef-u10"')), "\n")
  out:close()
  local old = mc.load(f)[1]
  t.ok(old.generator ~= whole.generator, "this relush draws with a newer generator than the first")
  local others = {}
  for i = 1, 3 do others[i] = i == 3 and old or mc(with(configs[1].opts, {shard = {i, 3}})) end
  t.raises(function() return mc.merge(others) end, {"generator philox4x32-10 sleef-u10",
           "generator " .. whole.generator, "another relush drew one of them"},
           "pieces drawn by different generators are refused, naming both")
  t.raises(function() return old:replay(old.first_trial) end,
           {"replay", "philox4x32-10 sleef-u10", whole.generator, "different network"},
           "a result another generator drew is not replayed")
end

-- ---- the merged result: fields, printing, replay
local pieces = {}
for i = 1, 3 do pieces[i] = mc(with(configs[1].opts, {shard = {i, 3}})) end
t.ok(pieces[2].shard[1] == 2 and pieces[2].shard[2] == 3 and pieces[2].first_trial == 668,
     "a shard's result has shard {i, N} and its trial range")
t.ok(tostring(pieces[2]):find("shard 2/3", 1, true), "a shard's report says which shard")
local merged = mc.merge(pieces)
t.ok(merged.pieces == 3 and merged.shard == nil and merged.first_trial == 1 and merged.last_trial == 2000,
     "the merged result covers every trial, from 3 pieces")
t.near(merged.seconds, pieces[1].seconds + pieces[2].seconds + pieces[3].seconds, 1e-12,
       "its seconds are the pieces' summed")
t.ok(tostring(merged):find("merged from 3 shard runs", 1, true), "its report says it was merged")
local X1 = configs[1].opts.X
t.ok(merged:replay(1500):death(X1).living == whole:replay(1500):death(X1).living and
     merged:replay(1500):weights(2)[1][1] == whole:replay(1500):weights(2)[1][1],
     "r:replay(i) on a merged result rebuilds the single run's trial i")
local flips = {}
local fcfg = configs[3].opts
for i = 1, 2 do flips[i] = mc(with(fcfg, {shard = {i, 2}, out = path("flip.jsonl")})) end
local fwhole = wholes[3]
t.is(mc.merge(flips):replay(300):death(X).living, fwhole:replay(300):death(X).living,
     "replay of a merged flip result (from results) flips on X")
local ffile = mc.merge(path("flip.jsonl"))
t.raises(function() return ffile:replay(300) end, {"r:replay(300, X)"},
         "replay of a flip result from a file asks for X")
t.is(ffile:replay(300, X):death(X).living, fwhole:replay(300):death(X).living, "... and works with it")
t.raises(function() return ffile:replay(300, inputs.gaussian(24, 2, {seed = 99})) end,
         {"not this run's input set"}, "... and checks that X is the run's")
t.raises(function() return mc.merge(path("c2-n3.jsonl")):replay(1) end, {"lazy"},
         "a merged lazy result cannot replay either")

-- ---- errors that say which
local function shard_file(name, seed, list, N)
  local p = path(name)
  os.remove(p)
  for _, i in ipairs(list) do mc(with(configs[1].opts, {seed = seed, trials = 800, shard = {i, N}, out = p})) end
  return p
end
local a, b = shard_file("a.jsonl", 1, {1}, 2), shard_file("b.jsonl", 2, {2}, 2)
t.raises(function() return mc.merge{a, b} end, {"a.jsonl has seed 1 but ", "b.jsonl has seed 2"},
         "pieces with different seeds: the error names both files and seeds")
t.raises(function() return mc.merge{mc(with(configs[1].opts, {shard = {1, 2}})), mc(with(configs[1].opts, {shard = {2, 2}, seed = 2}))} end,
         {"result 1 has seed 11 but result 2 has seed 2"}, "... and results by their place in the list")
t.raises(function() return mc.merge{mc(with(configs[1].opts, {shard = {1, 2}})),
                                    mc(with(configs[1].opts, {shard = {2, 2}, X = inputs.gaussian(24, 2, {seed = 6})}))} end,
         {"X checksum", "a different input set"}, "pieces on different input sets are refused")
local a3, b3, c3 = shard_file("a3.jsonl", 1, {3}, 8), shard_file("b3.jsonl", 1, {2, 4, 5, 6, 7, 8}, 8),
                   shard_file("c3.jsonl", 1, {1, 3}, 8)
t.raises(function() return mc.merge{a3, b3, c3} end, {"shard 3/8 appears twice (", "a3.jsonl line 1 and ", "c3.jsonl line 2)"},
         "a duplicate shard: the error names both lines")
local m1 = shard_file("m1.jsonl", 1, {1, 3, 4, 6, 7, 8}, 8)
t.raises(function() return mc.merge(m1) end, {"shards 2, 5 of 8 are missing"}, "missing shards are named")
t.raises(function() return mc.merge{} end, {"nothing to merge"}, "an empty list")
t.raises(function() return mc.merge() end, {"bad argument #1", "mc.merge{"}, "no argument")
t.raises(function() return mc.merge{42} end, {"item 1 must be a results file name"}, "a number among the pieces")
t.raises(function() return mc.merge(path("none.jsonl")) end, {"cannot read", "no such file"}, "a missing file")
spit(path("junk.jsonl"), "hello\n")
t.raises(function() return mc.merge(path("junk.jsonl")) end, {"junk.jsonl is not valid JSON"}, "a file that is not JSON")
t.raises(function() return mc.merge(a, {sweeps = true}) end, {"sweeps"}, "an unknown merge option")
t.raises(function() return mc{depth = 2, width = 2, trials = 10, out = 5} end, {"bad option 'out'", "results file"},
         "out must be a file name")
t.raises(function() return mc{depth = 2, width = 2, trials = 10, out = path("no/such/dir/r.jsonl")} end,
         {"does not exist"}, "out in a missing folder is refused before the run")
t.raises(function() return getmetatable(whole).__index.save({}, path("x.jsonl")) end,
         {"expected a Monte Carlo result"}, "save needs a result")
t.raises(function() return whole:save(path("x.jsonl"), "x") end, {"bad argument #2", "the mode must be 'a'", "or 'w'", "got 'x'"},
         "save's mode is \"a\" or \"w\"")

-- ---- sweeps: many experiments in the same files
local sweep_files = {}
for i = 1, 3 do
  sweep_files[i] = path("sweep" .. i .. ".jsonl")
  os.remove(sweep_files[i])
  for _, k in ipairs{4, 8} do
    mc(with(configs[1].opts, {depth = k, trials = 600, shard = {i, 3}, out = sweep_files[i]}))
  end
end
local swept = mc.merge(sweep_files, {sweep = true})
t.ok(#swept == 2 and swept[1].depth == 4 and swept[2].depth == 8 and
     same(swept[2], mc(with(configs[1].opts, {depth = 8, trials = 600}))),
     "sweep = true merges each experiment, in the order they appear")
t.ok(tostring(swept):find("2 Monte Carlo results", 1, true), "the merged sweep prints as a table")
t.raises(function() return mc.merge(sweep_files) end, {"has widths {3, 3, 3, 3} but", "has widths {3, 3, 3, 3, 3, 3, 3, 3}"},
         "without sweep = true, several experiments are a mismatch")

-- a sharded mc.sweep put back together writes the CSV the whole sweep
-- writes: the same numbers in every column they share, row for row
local function read_csv(file)
  local rows, header = {}, nil
  for line in io.lines(file) do
    local cells, at = {}, 1
    while at <= #line + 1 do   -- a cell is "quoted" (no quotes inside here) or plain
      local cell, after = line:match('^"([^"]*)",?()', at)
      if not cell then cell, after = line:match("^([^,]*),?()", at) end
      cells[#cells + 1] = cell
      at = after
      if at > #line and line:sub(-1) ~= "," then break end
    end
    if not header then header = cells
    else
      local row = {}
      for k, name in ipairs(header) do row[name] = cells[k] end
      rows[#rows + 1] = row
    end
  end
  return rows, header
end
do
  local grid = {depth = {3, 6}, width = {2, 3}, flip = {false, true}, X = X, trials = 90, seed = 21}
  local whole_sweep = mc.sweep(with(grid))
  whole_sweep:csv(path("whole_sweep.csv"))
  local files = {}
  for i = 1, 4 do
    files[i] = path(("grid.shard-%d-of-4.jsonl"):format(i))
    os.remove(files[i])
    mc.sweep(with(grid, {shard = {i, 4}, out = files[i]}))
  end
  local merged = mc.merge(files, {sweep = true})
  t.is(merged:csv(path("merged_sweep.csv")), merged, "a merged sweep has list:csv, which returns the list")
  local want, got = read_csv(path("whole_sweep.csv")), read_csv(path("merged_sweep.csv"))
  local agree, differs = #want == #got and #got == 8, nil
  for k = 1, #want do
    local w, g = want[k], got[k] or {}
    if g.depth ~= w.depth or g.flip ~= w.flip or g.widths ~= "{" .. (w.width .. ","):rep(tonumber(w.depth)):sub(1, -2) .. "}" then
      agree, differs = false, differs or ("row " .. k .. " is another experiment")
    end
    for _, f in ipairs{"p_alive", "ci_lo", "ci_hi", "lower", "upper", "fraction", "fraction_se", "min_fraction",
                       "trials", "alive_trials", "precision", "arch", "interrupted"} do
      if g[f] ~= w[f] then agree, differs = false, differs or ("row " .. k .. " " .. f .. ": " .. tostring(g[f]) .. " vs " .. tostring(w[f])) end
    end
    if g.pieces ~= "4" or g.shard ~= "" or g.seed ~= "21" then agree, differs = false, differs or ("row " .. k .. " pieces/shard/seed") end
  end
  t.ok(agree, "the merged sharded sweep's CSV holds the whole sweep's numbers, row for row" .. (differs and " (" .. differs .. ")" or ""))
  local loaded = mc.load(files[2])
  loaded:csv(path("loaded.csv"))
  local rows = read_csv(path("loaded.csv"))
  t.ok(#rows == 8 and rows[1].shard == "2/4" and rows[1].pieces == "1" and tonumber(rows[1].trials) == loaded[1].trials,
       "mc.load's list:csv has a row per line, each its shard's counts")
  t.raises(function() return getmetatable(merged).__index.csv({}, path("x.csv")) end, {"list of Monte Carlo results"},
           "list:csv needs a list of results")
end

-- ---- the default shard: mc.shard (relush --shard i/N)
mc.shard = {2, 3}
local d = mc(with(configs[1].opts))
t.ok(d.shard and d.shard[1] == 2 and d.first_trial == 668, "mc.shard is the default shard")
t.ok(mc(with(configs[1].opts, {shard = false})).trials == 2000, "shard = false runs every trial")
t.ok(mc(with(configs[1].opts, {shard = {1, 2}})).last_trial == 1000, "shard = {i, N} overrides mc.shard")
mc.shard = {4, 3}
t.raises(function() return mc(with(configs[1].opts)) end, {"mc.shard", "1 <= i <= N"}, "a bad mc.shard is named")
mc.shard = nil

-- ---- the shell: --shard and relush merge
do
  local out, err, st = sh(q(RELUSH) .. " --shard 2/3 -e 'print(mc.shard[1], mc.shard[2])'")
  t.is(out, "2\t3\n", "relush --shard 2/3 sets mc.shard = {2, 3}")
  for _, bad in ipairs{"0/3", "4/3", "x", "2/", "1/3/4"} do
    out, err, st = sh(q(RELUSH) .. " --shard " .. bad .. " -e 'print(1)'")
    t.ok(st == 2 and err:find("'--shard' needs i/N", 1, true), "--shard " .. bad .. " is a usage error (exit 2)")
  end
  out, err, st = sh(q(RELUSH) .. " --shard")
  t.ok(st == 2 and err:find("needs i/N", 1, true), "--shard without a value is a usage error")
  out, err, st = sh(q(RELUSH) .. " --shard=1/2 -e 'print(mc.shard[2])'")
  t.is(out, "2\n", "--shard=i/N works too")

  -- a shard without a seed would draw its own: refused before the run, in
  -- every way a shard is asked for; RELUSH_SEED makes fresh seeds agree
  local unseeded = {
    {"mc with shard", "mc{depth = 2, width = 2, trials = 10, shard = {1, 2}}", "bad option 'shard' to 'mc'"},
    {"mc under --shard", "--shard 2/3 -e 'mc{depth = 2, width = 2, trials = 10}'", "the default mc.shard"},
    {"mc.sweep with shard", "mc.sweep{depth = {2, 3}, width = 2, trials = 10, shard = {2, 2}}", "mc.sweep: shard {2, 2}"},
    {"mc.sweep under --shard", "--shard 1/2 -e 'mc.sweep{depth = {2, 3}, width = 2, trials = 10}'", "mc.sweep: shard {1, 2}"},
  }
  for _, u in ipairs(unseeded) do
    local cmd = u[2]:find("^%-%-") and u[2] or "-e '" .. u[2] .. "'"
    out, err, st = sh(q(RELUSH) .. " " .. cmd .. " 2>&1", "RELUSH_SEED=")
    t.ok(st == 1 and err:find(u[3], 1, true) and err:find("needs a seed", 1, true) and
         err:find("RELUSH_SEED", 1, true) and not err:find("Monte Carlo"),
         u[1] .. " but no seed is refused before running, naming the cure: " .. err:gsub("\n.*", ""))
  end
  out, err, st = sh(q(RELUSH) .. " -e 'print(mc{depth = 2, width = 2, trials = 10, shard = {1, 1}, progress = false}.trials)'",
                    "RELUSH_SEED=")
  t.is(out, "10\n", "one shard of one needs no seed")
  for i = 1, 2 do
    os.remove(path(("env%d.jsonl"):format(i)))
    sh(q(RELUSH) .. (" --shard %d/2 -e 'mc{depth = 3, width = 2, trials = 40, progress = false, out = \"env%d.jsonl\"}; " ..
       "mc.sweep{depth = {2, 3}, width = 2, trials = 40, progress = false, out = \"env%d.jsonl\"}'"):format(i, i, i),
       "RELUSH_SEED=42")
  end
  local env_ok, env_merged = pcall(mc.merge, {path("env1.jsonl"), path("env2.jsonl")}, {sweep = true})
  t.ok(env_ok and #env_merged == 3 and env_merged[1].trials == 40,
       "with RELUSH_SEED the unseeded shards of mc and mc.sweep merge: " .. tostring(env_ok or env_merged))

  spit(path("exp.lua"), [[
local X = inputs.gaussian(24, 2, {seed = 5})
local i, N = mc.shard[1], mc.shard[2]
mc{depth = 8, width = 3, X = X, trials = 2000, seed = 11, method = "explicit", bias = 0.3, progress = false,
   out = ("cli.shard-%d-of-%d.jsonl"):format(i, N)}
]])
  for i = 1, 4 do os.remove(path(("cli.shard-%d-of-4.jsonl"):format(i))) end
  local all = true
  for i = 1, 4 do
    out, err, st = sh(q(RELUSH) .. (" --shard %d/4 exp.lua"):format(i))
    all = all and st == 0
  end
  t.ok(all, "four runs of a script with relush --shard i/4")
  out, err, st = sh(q(RELUSH) .. " merge cli.shard-1-of-4.jsonl cli.shard-2-of-4.jsonl cli.shard-3-of-4.jsonl cli.shard-4-of-4.jsonl -o cli.jsonl")
  t.is(st, 0, "relush merge exits 0")
  t.ok(out:find("Monte Carlo: plain net", 1, true) and out:find("merged from 4 shard runs", 1, true) and
       out:find("P(alive)", 1, true), "relush merge prints the merged result as the REPL does")
  t.ok(same(mc.merge(path("cli.jsonl")), whole), "relush merge -o saves a result equal to the single run")
  out, err, st = sh(q(RELUSH) .. " merge cli.shard-1-of-4.jsonl cli.shard-3-of-4.jsonl cli.shard-4-of-4.jsonl")
  t.ok(st == 1 and err == "relush merge: shard 2 of 4 is missing; merge every shard of the experiment\n",
       "relush merge with a shard missing exits 1 and says which: " .. err)
  out, err, st = sh(q(RELUSH) .. " merge a.jsonl b.jsonl")
  t.ok(st == 1 and err:find("a.jsonl has seed 1 but ", 1, true) and err:find("b.jsonl has seed 2", 1, true),
       "relush merge of mismatched files says which")
  out, err, st = sh(q(RELUSH) .. " merge --sweep sweep1.jsonl sweep2.jsonl sweep3.jsonl -o swept.jsonl")
  t.ok(st == 0 and out:find("2 Monte Carlo results", 1, true) and #mc.load(path("swept.jsonl")) == 2,
       "relush merge --sweep merges every experiment of a sweep")
  out, err, st = sh(q(RELUSH) .. " merge")
  t.ok(st == 2 and err:find("usage: relush merge", 1, true), "relush merge without files is a usage error")
  out, err, st = sh(q(RELUSH) .. " merge -x a.jsonl")
  t.ok(st == 2 and err:find("'-x'", 1, true), "relush merge rejects unknown options")
  out, err, st = sh(q(RELUSH) .. " merge -h")
  t.ok(st == 0 and out:find("--sweep", 1, true), "relush merge -h explains it")
  out = sh(q(RELUSH) .. " -h")
  t.ok(out:find("--shard i/N", 1, true) and out:find("relush merge", 1, true), "relush -h mentions --shard and merge")

  -- ---- the cluster recipes, without a cluster
  local slurm, par = q(SRCDIR .. "/scripts/cluster/slurm.sh"), q(SRCDIR .. "/scripts/cluster/parallel.sh")
  for i = 1, 4 do os.remove(path(("cli.shard-%d-of-3.jsonl"):format(i))) end
  all = true
  for i = 0, 2 do   -- an array numbered from 0
    out, err, st = sh("sh " .. slurm .. " exp.lua", ("SLURM_ARRAY_TASK_ID=%d SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=2"):format(i))
    all = all and st == 0
  end
  t.ok(all and same(mc.merge{path("cli.shard-1-of-3.jsonl"), path("cli.shard-2-of-3.jsonl"), path("cli.shard-3-of-3.jsonl")}, whole),
       "scripts/cluster/slurm.sh: array tasks 0..2 run shards 1..3 of 3, which merge into the single run")
  out, err, st = sh("sh " .. slurm .. " exp.lua")
  t.ok(st ~= 0 and err:find("sbatch --array", 1, true), "slurm.sh outside an array explains itself")
  -- arrays with gaps (as Slurm describes --array=1,3,5 and 1-16:2): task ids
  -- are no shard numbers there, so every task refuses before running
  for _, gap in ipairs{{"1,3,5", {1, 3, 5}, "MIN=1 SLURM_ARRAY_TASK_MAX=5 SLURM_ARRAY_TASK_COUNT=3"},
                       {"1-16:2", {1, 7, 15}, "MIN=1 SLURM_ARRAY_TASK_MAX=15 SLURM_ARRAY_TASK_COUNT=8 SLURM_ARRAY_TASK_STEP=2"},
                       {"0-9:3", {0, 9}, "MIN=0 SLURM_ARRAY_TASK_MAX=9 SLURM_ARRAY_TASK_COUNT=4 SLURM_ARRAY_TASK_STEP=3"}} do
    local refused = true
    for _, id in ipairs(gap[2]) do
      out, err, st = sh("sh " .. slurm .. " exp.lua", ("RELUSH=false SLURM_ARRAY_TASK_ID=%d SLURM_ARRAY_TASK_%s"):format(id, gap[3]))
      refused = refused and st == 2 and err:find("with gaps", 1, true) ~= nil and err:find("SHARDS=N", 1, true) ~= nil
    end
    t.ok(refused, "slurm.sh in an array with gaps (--array=" .. gap[1] .. ") refuses in every task: " .. err:gsub("\n$", ""))
  end
  out, err, st = sh("sh " .. slurm .. " exp.lua", "RELUSH=echo SHARDS=4 SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=3 " ..
                    "SLURM_ARRAY_TASK_MAX=3 SLURM_ARRAY_TASK_COUNT=1")
  t.ok(st == 0 and out == "--shard 3/4 exp.lua\n", "... while a re-run of one task with SHARDS set runs that shard")
  for i = 1, 5 do os.remove(path(("cli.shard-%d-of-5.jsonl"):format(i))) end
  out, err, st = sh("sh " .. par .. " -j 2 5 exp.lua")
  local files = {}
  for i = 1, 5 do files[i] = path(("cli.shard-%d-of-5.jsonl"):format(i)) end
  t.ok(st == 0 and same(mc.merge(files), whole), "scripts/cluster/parallel.sh runs 5 shards that merge into the single run")
  out, err, st = sh("sh " .. par .. " 0 exp.lua")
  t.is(st, 2, "parallel.sh refuses N = 0")

  -- ---- the depth experiment, sharded and merged, gives the unsharded table
  local depth = q(SRCDIR .. "/scripts/paper/depth.lua")
  out, err, st = sh(q(RELUSH) .. " " .. depth .. " --quick --out whole")
  t.is(st, 0, "depth.lua --quick runs whole")
  all = true
  for i = 1, 3 do
    out, err, st = sh(q(RELUSH) .. (" --shard %d/3 "):format(i) .. depth .. " --quick --out parts")
    all = all and st == 0 and out:find("--from parts/depth.shard-*-of-3.jsonl", 1, true) ~= nil
  end
  out, err, st = sh(q(RELUSH) .. " " .. depth .. " --quick --out parts --shard 2/3")
  t.ok(all and st == 0, "depth.lua runs as 3 shards (relush --shard i/3, or its own --shard i/3)")
  out, err, st = sh(q(RELUSH) .. " " .. depth .. " --quick --out parts --from parts/depth.shard-1-of-3.jsonl "
                    .. "parts/depth.shard-2-of-3.jsonl parts/depth.shard-3-of-3.jsonl")
  t.ok(st == 0 and out:find("6 checks, 0 failed", 1, true), "depth.lua --from merges the shards and runs its checks")
  local w, p = slurp(path("whole/depth.csv")), slurp(path("parts/depth.csv"))
  t.ok(#w > 1000 and w == p, "the merged depth.csv is the unsharded one, byte for byte")
  out, err, st = sh(q(RELUSH) .. " " .. depth .. " --out parts --from parts/depth.shard-1-of-3.jsonl")
  t.ok(st == 1 and err:find("--from", 1, true), "depth.lua --from with the wrong files says so")
  out, err, st = sh(q(RELUSH) .. " --shard 1/2 " .. q(SRCDIR .. "/scripts/paper/shrink.lua") .. " --quick --out parts")
  t.ok(st == 1 and err:find("does not run sharded", 1, true), "a paper script that cannot shard refuses --shard")
end

os.execute("rm -rf " .. q(tmp))
t.done()

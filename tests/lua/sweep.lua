-- sweep.lua: mc.sweep: a sweep is exactly the separate mc runs
-- it stands for, over one option and over a grid; it prints as a table,
-- plots (terminal and SVG) and writes a CSV with one row per result; r:plot
-- draws one result's layers; errors name what is wrong.
local t = require "tap"
local proc = require "proc"

local tmp = proc.tmpdir()

local X = inputs.gaussian(32, 3, {seed = 1})
local depths = {1, 2, 4, 8, 16, 32, 64}

-- ---- a sweep over 7 depths is 7 mc calls with the same seed
local s = mc.sweep{depth = depths, width = 3, X = X, trials = 2000, seed = 7, progress = false}
t.is(#s, 7, "one result per depth")
t.is(getmetatable(s).__name, "relush.SweepResults", "a SweepResults list")
local same = true
for i, k in ipairs(depths) do
  local r = mc{depth = k, width = 3, X = X, trials = 2000, seed = 7, progress = false}
  local q = s[i]
  if s.params[i].depth ~= k or q.depth ~= k or q.p_alive ~= r.p_alive or q.alive_trials ~= r.alive_trials
     or q.fraction ~= r.fraction or q.ci[1] ~= r.ci[1] or q.ci[2] ~= r.ci[2] or q.lower ~= r.lower
     or q.upper ~= r.upper or q.min_fraction ~= r.min_fraction then
    same = false
    t.diag(("depth %d: sweep %s, mc %s"):format(k, q.p_alive, r.p_alive))
  end
  for l = 1, k do
    if q.layers[l].survival ~= r.layers[l].survival then same = false end
  end
end
t.ok(same, "every number of the sweep equals the separate mc call's (p_alive, ci, F, bounds, layers)")

-- ---- a grid: the first swept option varies fastest
local g = mc.sweep{depth = {2, 4}, width = {2, 3}, trials = 300, seed = 3, progress = false}
t.is(#g, 4, "a 2 x 2 grid gives 4 results")
local order = {}
for i = 1, #g do order[i] = g.params[i].depth .. "x" .. g.params[i].width end
t.is(table.concat(order, " "), "2x2 4x2 2x3 4x3", "depth (the x axis) varies fastest")
local r43 = mc{depth = 4, width = 3, trials = 300, seed = 3, progress = false}
t.is(g[4].p_alive, r43.p_alive, "a grid point equals its mc call")
t.is(table.concat(g.swept, ","), "depth,width", "swept names the swept options")

-- ---- lists of input sets, of names, of lists
do
  local sets = {inputs.shrink(X, 1), inputs.shrink(X, 0.1), inputs.point(3)}
  local xs = mc.sweep{X = sets, depth = 8, width = 3, trials = 500, seed = 2, progress = false}
  local same_x = #xs == 3
  for i, set in ipairs(sets) do
    local r = mc{X = set, depth = 8, width = 3, trials = 500, seed = 2, progress = false}
    if xs[i].alive_trials ~= r.alive_trials or xs[i].points ~= r.points then same_x = false end
  end
  t.ok(same_x, "a sweep over a list of input sets equals the separate runs")
  local a = mc.sweep{arch = {"plain", "residual", "skip"}, depth = 6, width = 2, trials = 300, seed = 1, progress = false}
  t.is(a[2].arch, "residual", "a sweep over architectures runs each")
  t.ok(a:plot():text{width = 78, height = 20, ascii = true}:find("1 plain, 2 residual, 3 skip", 1, true),
       "names on the x axis are listed by index")
  a:csv(tmp .. "/arch.csv")
  local arch_csv = proc.slurp(tmp .. "/arch.csv")
  t.ok(arch_csv:find("\nresidual,", 1, true), "CSV: a text option is a text cell")
  local w = mc.sweep{widths = {{2, 3}, {3, 2}}, trials = 300, seed = 1, progress = false}
  t.is(#w, 2, "widths: a list of lists is a sweep")
  t.is(w[2].widths[1], 3, "... each point gets its own widths")
  w:csv(tmp .. "/widths.csv")
  t.ok(proc.slurp(tmp .. "/widths.csv"):find('"{2,3}"', 1, true), "CSV: a list option is one quoted cell")
  local one = mc.sweep{widths = {2, 3}, seed = {1, 2}, trials = 100, progress = false}
  t.is(#one, 2, "widths = {2, 3} is one net's widths, not a sweep")
end

-- ---- without a seed: one seed for every point, reported
local u = mc.sweep{depth = {1, 3}, width = 2, trials = 200, progress = false}
t.ok(math.type(u.fixed.seed) == "integer", "a sweep without a seed draws one")
t.is(u[1].seed, u[2].seed, "and every point uses it")

-- ---- printing
local text = tostring(s)
t.ok(text:find("Sweep of 7 Monte Carlo runs over depth", 1, true), "the table names what is swept")
local lines = 0
for _ in text:gmatch("\n") do lines = lines + 1 end
t.ok(lines >= 9, "a header, a rule and one row per result")
t.ok(text:find("P/L", 1, true) and text:find("95% CI", 1, true), "columns P/L and 95% CI")

-- ---- plot and CSV exist
local p = s:plot{logy = true, svg = tmp .. "/sweep.svg"}
t.is(getmetatable(p).__name, "relush.Plot", "s:plot returns a Plot")
t.ok(proc.slurp(tmp .. "/sweep.svg"):find("<svg", 1, true), "s:plot{svg=} writes an SVG")
t.ok(p:text{width = 78, height = 20, ascii = true}:find("depth", 1, true), "the plot labels its x axis")
local gp = g:plot()
t.is(#gp, 2, "a grid plot has the x values of its first swept option")
local legend = gp:text{width = 78, height = 24, ascii = true}
t.ok(legend:find("width=2", 1, true) and legend:find("width=3", 1, true), "one curve per value of the other option")

t.is(s:csv(tmp .. "/sweep.csv"), tmp .. "/sweep.csv", "s:csv returns its path")
local csv = proc.slurp(tmp .. "/sweep.csv")
local rows = {}
for line in csv:gmatch("[^\n]+") do rows[#rows + 1] = line end
t.is(#rows, 8, "CSV: a header and one row per result")
local function cells(line) local c = {} for v in (line .. ","):gmatch('("?[^"]-"?),') do c[#c + 1] = v end return c end
local head = cells(rows[1])
t.is(head[1], "depth", "CSV: the swept option comes first")
local col = {}
for i, h in ipairs(head) do col[h] = i end
t.ok(col.width and col.seed and col.trials and col.p_alive and col.ci_lo and col.lower, "CSV: fixed options and results are columns")
t.ok(col.precision and cells(rows[2])[col.precision] == s[1].precision, "CSV: the precision each run took is a column")
local row7 = cells(rows[8])
t.is(#row7, #head, "CSV: every row has a cell per column")
t.is(tonumber(row7[col.depth]), 64, "CSV: the last row is depth 64")
t.is(tonumber(row7[col.p_alive]), s[7].p_alive, "CSV: numbers read back exactly")

-- ---- r:plot: one result's layers
local one = s[5]
local rp = one:plot{svg = tmp .. "/layers.svg"}
t.is(getmetatable(rp).__name, "relush.Plot", "r:plot returns a Plot")
t.is(#rp, 16, "r:plot: one x per layer")
local rtext = rp:text{width = 100, height = 20, ascii = true}
t.ok(rtext:find("1 - 2^-n", 1, true) and rtext:find("survival", 1, true), "r:plot: survival next to 1 - 2^-n")
t.ok(proc.slurp(tmp .. "/layers.svg"):find("<svg", 1, true), "r:plot{svg=} writes an SVG")

-- ---- view = true: the same numbers; without a terminal the sweep view's
-- text is printed at the end, each finished point on its row
do
  local relush = os.getenv("RELUSH")
  if not relush then
    t.ok(true, "# SKIP RELUSH is set by make check")
  else
    proc.spit(tmp .. "/view.lua", [[
local X = inputs.gaussian(32, 3, {seed = 1})
local depths = {1, 2, 4, 8, 16, 32, 64}
local a = mc.sweep{depth = depths, width = 3, X = X, trials = 2000, seed = 7, progress = false}
local b = mc.sweep{depth = depths, width = 3, X = X, trials = 2000, seed = 7, view = true}
local same = #a == 7 and #b == 7
for i = 1, #a do
  local p, q = a[i], b[i]
  if p.alive_trials ~= q.alive_trials or p.p_alive ~= q.p_alive or p.ci[1] ~= q.ci[1]
     or p.ci[2] ~= q.ci[2] or p.fraction ~= q.fraction or p.lower ~= q.lower or p.upper ~= q.upper
     or p.layers[p.depth].survival ~= q.layers[q.depth].survival then same = false end
  io.stderr:write(("ROW depth = %d|%.4g|%.4g\n"):format(depths[i], q.p_alive, q.lower))
end
io.stderr:write("SAME ", tostring(same), "\n")
io.stderr:write("PARTIAL ", tostring(mc.partial_sweep), "\n")
local g = mc.sweep{depth = {2, 4}, width = {2, 3}, trials = 300, seed = 3, view = true}
io.stderr:write("GRID ", #g, "\n")
]])
    local out, err, status = proc.run(tmp, relush, proc.q(tmp .. "/view.lua"), "")
    t.ok(status, "a sweep with view = true runs in batch" .. (status and "" or (": " .. err)))
    t.ok(err:find("SAME true", 1, true), "view = true gives the same numbers as without it")
    t.ok(err:find("PARTIAL nil", 1, true), "a finished sweep leaves nothing in mc.partial_sweep")
    t.ok(out:find("mc.sweep: P(alive) against depth, 7 of 7 points done", 1, true),
         "the sweep view's text is printed at the end")
    local rows, shown = 0, 0
    for label, p, lower in err:gmatch("ROW ([^|]+)|([^|]+)|([^\n]+)") do
      rows = rows + 1
      local pat = "\no " .. label:gsub("%p", "%%%0") .. "%s+" .. p:gsub("%p", "%%%0")
      local line = out:match(pat .. "[^\n]*")
      if line and line:find(lower, 1, true) then shown = shown + 1 end
    end
    t.is(shown, 7, "every point's row shows its P(alive) and L")
    t.ok(out:find("P(alive) (log scale)", 1, true) and out:find("95% interval", 1, true),
         "the chart's axis and legend are printed")
    t.ok(err:find("GRID 4", 1, true) and out:find("\nx depth = 2, width = 3", 1, true)
         and out:find("o x : curves", 1, true), "a grid's curves get their own markers")
  end
end

-- flipped nets are chosen by X: the table's L and P/L are the unflipped
-- nets' and U, which P = 1 exceeds (U = 0.031 below), is left out; the
-- header says so
local fs = mc.sweep{depth = {2, 6}, width = 1, input = 2, X = inputs.gaussian(5, 2, {seed = 1}), flip = true,
                    trials = 200, seed = 1, progress = false}
t.ok(fs[2].p_alive > fs[2].upper and tostring(fs):find("before the flip", 1, true),
     "a sweep of flipped nets marks L and P/L as the nets' before the flip")
t.ok(not tostring(s):find("before the flip", 1, true), "an ordinary sweep has no such line")

-- ---- errors
t.raises(function() mc.sweep(3) end, {"mc.sweep", "options table"}, "a non-table")
t.raises(function() mc.sweep{depth = 3, width = 2} end, {"no option is a list"}, "nothing swept")
for _, name in ipairs{"depth", "width", "seed", "trials", "shard"} do
  local o = {depth = 2, width = 2, trials = 10}
  o[name] = {}
  t.raises(function() mc.sweep(o) end, {"'" .. name .. "'", "empty list"},
           "an empty list for " .. name .. " is named as such (not 'no option is a list')")
end
t.is(#mc.sweep{depth = {1, 2}, width = 2, trials = 10, bias = {}, progress = false}, 2,
     "an empty law table (bias = {}) is a law, not an empty list")
t.raises(function() mc.sweep{depth = {2, 0}, width = 2, trials = 10, progress = false} end,
         {"depth = 0", "depth"}, "a bad value names the point")
t.raises(function() s:csv() end, {"csv", "path"}, "csv without a path")
-- a swept list with a hole would run its nil as the option's default, unasked
-- (bias = nil is zero biases); keys other than 1..n are not values either
for _, case in ipairs{
  {name = "depth", v = {1, nil, 3}, fixed = {width = 2}},
  {name = "width", v = {2, nil, nil, 4}, fixed = {depth = 2}},
  {name = "bias", v = {1, nil, 3}, fixed = {depth = 2, width = 2}},
  {name = "seed", v = {1, nil, 2}, fixed = {depth = 2, width = 2}},
  {name = "widths", v = {{2, 2}, nil, {3}}, fixed = {}},
} do
  local o = {trials = 10, progress = false}
  for k, v in pairs(case.fixed) do o[k] = v end
  o[case.name] = case.v
  t.raises(function() mc.sweep(o) end, {"mc.sweep", "'" .. case.name .. "'", "position 2", "hole"},
           "a hole in the swept " .. case.name .. " is refused, not run as the default")
  o[case.name] = {case.v[1], case.v[1], extra = case.v[1]}
  t.raises(function() mc.sweep(o) end, {"mc.sweep", "'" .. case.name .. "'", "'extra'"},
           "a named key in the swept " .. case.name .. " list is refused")
end
-- the grid's size is a product of the lists' lengths: past 2^63 an integer
-- product wraps (65536^4 = 2^64 wrapped to 0 and the sweep returned no
-- results); counted in doubles, anything past 2^53 is refused before running
local long = {}
for i = 1, 65536 do long[i] = i end
for _, n in ipairs{4, 5} do
  local o = {depth = long, width = long, trials = 10, progress = false}
  local extra = {"seed", "input", "bias"}
  for j = 3, n do o[extra[j - 2]] = long end
  t.raises(function() mc.sweep(o) end, {"mc.sweep", "grid", "2^53"},
           ("a grid of 65536^%d points is refused, not wrapped"):format(n))
end

-- a sweep whose runs took different precisions (mc chooses each: 100
-- layers of width 8 fit floats, 300 do not) shows them in its table
do
  local mix = mc.sweep{depth = {100, 300}, width = 8, X = inputs.gaussian(8, 8, {seed = 2}), trials = 20,
                       seed = 3, progress = false}
  t.ok(mix[1].precision == "single" and mix[2].precision == "double", "mc chose single at depth 100, double at 300")
  local text = tostring(mix)
  t.ok(text:find("precision", 1, true) and text:find("single", 1, true) and text:find("double", 1, true),
       "the printed sweep has a precision column when its rows differ")
  local same = mc.sweep{depth = {2, 4}, width = 8, X = inputs.gaussian(8, 8, {seed = 2}), trials = 20, seed = 3,
                        progress = false}
  t.ok(not tostring(same):find("precision", 1, true), "... and none when they agree")
end

-- plot options are checked, kinds too, and an error names the call made and
-- where (the user's line), not relush's own Lua inside mc.sweep
for _, c in ipairs{{s, "plot", {logy = "x"}, "Sweep:plot", "true or false"},
                   {s, "plot", {svg = 5}, "Sweep:plot", "file path"},
                   {s, "plot", {bogus = 1}, "Sweep:plot", "unknown option"},
                   {s[1], "plot", {svg = {}}, "r:plot", "file path"}} do
  local ok, err = pcall(c[1][c[2]], c[1], c[3])
  err = tostring(err)
  t.ok(not ok and err:find("to '" .. c[4] .. "'", 1, true) and err:find(c[5], 1, true)
       and not err:find("mc.sweep:", 1, true), c[4] .. " refuses " .. next(c[3]) .. ", naming itself: " .. err)
end

-- stats = "alive" takes no mean F: the table prints '-', the CSV an empty
-- cell, and every later column stays under its header
do
  local a = mc.sweep{depth = {10, 20}, width = 8, trials = 200, seed = 1, stats = "alive", progress = false}
  local ok, text = pcall(tostring, a)
  t.ok(ok and text:find("mean F", 1, true), "a stats = 'alive' sweep prints: " .. tostring(text):sub(1, 80))
  a:csv(tmp .. "/alive.csv")
  local lines = {}
  for line in proc.slurp(tmp .. "/alive.csv"):gmatch("[^\n]+") do lines[#lines + 1] = line end
  local h, r1 = cells(lines[1]), cells(lines[2])
  local at = {}
  for i, name in ipairs(h) do at[name] = i end
  t.ok(#r1 == #h and r1[at.fraction] == "" and tonumber(r1[at.alive_trials]) == a[1].alive_trials
       and tonumber(r1[at.trials]) == 200, "CSV of a stats = 'alive' sweep: fraction empty, the rest under its headers")
end

-- ---- CSV and tables keep every digit of an integer: seeds past 2^53
-- (a fresh seed almost always is), counts
do
  -- a CSV line's cells, quoted ones ("{1,4}") unquoted
  local function split(line)
    local out, i = {}, 1
    while i <= #line + 1 do
      if line:sub(i, i) == '"' then
        local j = line:find('"', i + 1, true)
        out[#out + 1] = line:sub(i + 1, j - 1)
        i = j + 2
      else
        local j = line:find(",", i, true) or #line + 1
        out[#out + 1] = line:sub(i, j - 1)
        i = j + 1
      end
    end
    return out
  end
  local function csv_table(path)
    local lines = {}
    for line in proc.slurp(path):gmatch("[^\n]+") do lines[#lines + 1] = line end
    local h, at, out = split(lines[1]), {}, {}
    for i, name in ipairs(h) do at[name] = i end
    for i = 2, #lines do out[#out + 1] = split(lines[i]) end
    return h, at, out
  end
  for _, seed in ipairs{1234567890123456789, 2^62 + 1, false} do
    local o = {depth = {2, 3}, width = 2, trials = 20, progress = false}
    if seed then o.seed = math.tointeger(seed) end
    local b = mc.sweep(o)
    b:csv(tmp .. "/seed.csv")
    local _, at, rows2 = csv_table(tmp .. "/seed.csv")
    t.is(rows2[1][at.seed], tostring(b.fixed.seed), "CSV: the seed " .. tostring(b.fixed.seed) .. " with every digit")
    t.is(rows2[2][at.trials], "20", "CSV: counts as integers")
  end
  -- the same for integers written as floats (seed = 2^60, trials = 2e1), fixed
  -- or swept, past 2^53 too: the CSV cell and the printout hold the integer
  -- the run used, every digit, never 1.152921504606847e+18
  for _, seed in ipairs{2^60, 2^53 + 2, 1e15, 2^62} do
    local want = tostring(math.tointeger(seed))
    local b = mc.sweep{depth = {2, 3}, width = 2, trials = 2e1, seed = seed, progress = false}
    b:csv(tmp .. "/seed.csv")
    local _, at, rows2 = csv_table(tmp .. "/seed.csv")
    t.is(rows2[1][at.seed], tostring(b[1].seed), "CSV: the float seed " .. want .. " as the run's integer")
    t.is(rows2[1][at.seed], want, "CSV: the float seed " .. want .. " with every digit")
    t.is(rows2[2][at.trials_option], "20", "CSV: trials = 2e1 as the integer 20")
    t.ok(tostring(b):find("seed " .. want, 1, true), "printout: the float seed " .. want .. " with every digit")
    local sw = mc.sweep{seed = {seed, 7}, depth = 2, width = 2, trials = 5, progress = false}
    sw:csv(tmp .. "/seed.csv")
    _, at, rows2 = csv_table(tmp .. "/seed.csv")
    t.is(rows2[1][at.seed], want, "CSV: the swept float seed " .. want .. " with every digit")
    t.ok(tostring(sw):find("\n *" .. want .. " ", 1), "printout: the swept float seed " .. want .. " with every digit")
  end
  local rs = mc{depth = 3, width = 2, trials = 50, seed = 1234567890123456789, precision = "single", progress = false}
  local rd = mc{depth = 3, width = 2, trials = 50, seed = 1234567890123456789, precision = "double", progress = false}
  local merged = tostring(mc.merge({rs, rd}, {sweep = true}))
  t.ok(merged:find("1234567890123456789", 1, true), "a results list prints the seed with every digit")
  -- so do one result (it printed seed 1234567890123456768, the nearest double) and a net
  rs:save(tmp .. "/one.jsonl", "w")
  for _, r in ipairs{rs, rd, mc.load(tmp .. "/one.jsonl")[1]} do
    t.ok(tostring(r):find("seed 1234567890123456789,", 1, true), "an mc result prints its seed with every digit")
  end
  t.ok(tostring(relu{depth = 1, width = 1, seed = 1234567890123456789}):find("seed 1234567890123456789", 1, true),
       "a net prints its seed with every digit")
  -- rows that differ only in precision (or generator, method, ...) say so
  t.ok(merged:find("precision", 1, true) and merged:find("single", 1, true) and merged:find("double", 1, true),
       "a merged sweep of single and double runs shows the precision column")
  -- sweeping precision: its column once
  local pr = tostring(mc.sweep{depth = 3, width = 3, trials = 100, seed = 1, progress = false,
                               precision = {"double", "single"}})
  local _, count = pr:gsub("precision", "")
  t.is(count, 2, "a sweep over precision names it once in the title and once as a column")

  -- seeds past 2^53 on the x axis have no exact double: one x each, by index
  local sd = mc.sweep{seed = {1234567890123456789, 1234567890123456790}, depth = 2, width = 2, trials = 10,
                      progress = false}
  sd:plot():csv(tmp .. "/seeds.csv")
  local _, sdat, sdrows = csv_table(tmp .. "/seeds.csv")
  t.ok(sdrows[1][sdat.x] == "1" and sdrows[2][sdat.x] == "2", "a plot over seeds past 2^53: one x per seed")

  -- ---- a list of input sets of one shape: rows, curves and CSV tell them apart
  local G = inputs.gaussian(32, 3, {seed = 7})
  local Xs = {G, inputs.shrink(G, 0.1), inputs.shrink(G, 0.01)}
  local xs = mc.sweep{depth = {4, 8}, width = 2, X = Xs, trials = 200, seed = 3, progress = false}
  local text = tostring(xs)
  t.ok(text:find("X[1] 32x3 points", 1, true) and text:find("X[2] 32x3 points", 1, true)
       and text:find("X[3] 32x3 points", 1, true), "input sets of one shape are labelled by position")
  xs:csv(tmp .. "/xs.csv")
  local _, at, xrows = csv_table(tmp .. "/xs.csv")
  t.is(xrows[3][at.X], "X[2] 32x3 points", "CSV: each row names its input set")
  local xp = xs:plot()
  xp:csv(tmp .. "/xs_plot.csv")
  local ph, pat, prow = csv_table(tmp .. "/xs_plot.csv")
  local seen, dup = {}, false
  for _, name in ipairs(ph) do dup = dup or seen[name]; seen[name] = true end
  t.ok(not dup and pat["P X[1] 32x3 points"] and pat["P X[3] 32x3 points"], "one curve per input set, no header twice")
  t.is(tonumber(prow[1][pat["P X[2] 32x3 points"]]), xs[3].p_alive, "each curve holds its own runs' values")
  local one_x = mc.sweep{depth = 8, width = 2, X = Xs, trials = 200, seed = 3, progress = false}
  t.is(#one_x:plot(), 3, "a sweep over input sets alone: one x per input set")
  -- a value listed twice is two runs: two curves, neither hides the other
  local twice = mc.sweep{depth = {2, 2, 3}, width = 2, trials = 50, seed = 3, progress = false}
  twice:plot():csv(tmp .. "/twice.csv")
  local _, tat = csv_table(tmp .. "/twice.csv")
  t.ok(tat["P"] and tat["P #2"], "a repeated value starts a second curve")

  -- ---- trials is the count run; shard and interrupted runs say so
  local sh = mc.sweep{depth = {2, 3}, width = 2, trials = 1000, shard = {1, 4}, seed = 1, progress = false}
  sh:csv(tmp .. "/shard.csv")
  local _, sat, srows = csv_table(tmp .. "/shard.csv")
  t.ok(srows[1][sat.trials] == "250" and srows[1][sat.shard] == "1/4" and sat.trials_option
       and srows[1][sat.trials_option] == "1000", "CSV of a shard: trials run 250, shard 1/4, trials_option 1000")
  t.ok(tostring(sh):find("shard 1/4", 1, true), "the table says the rows are a shard")
  local calls = 0
  local cut = mc.sweep{depth = {2, 3}, width = 2, trials = 2000000, seed = 1,
                       progress = function() calls = calls + 1; return false end}
  cut:csv(tmp .. "/cut.csv")
  local _, cat, crows = csv_table(tmp .. "/cut.csv")
  t.ok(crows[1][cat.interrupted] == "true" and tonumber(crows[1][cat.trials]) == cut[1].trials
       and cut[1].trials < 2000000, "CSV of an interrupted run: interrupted true, trials the count run")

  -- ---- a log y axis: 0 and underflowed values of any series are gaps
  local deep = mc.sweep{depth = {1, 1100}, width = 1, trials = 50, seed = 2, progress = false}
  local ok, lp = pcall(deep.plot, deep, {logy = true})
  t.ok(ok, "s:plot{logy = true} with P, L and U 0 at one point" .. (ok and "" or ": " .. tostring(lp)))
  if ok then
    lp:csv(tmp .. "/log.csv")
    local _, lat, lrows = csv_table(tmp .. "/log.csv")
    t.ok(lrows[2][lat.P] == "" and lrows[2][lat.L] == "" and tonumber(lrows[1][lat.L]) == 0.5,
         "P and L are gaps where 0, values elsewhere")
  end
  local dead = mc.sweep{depth = {1100, 1200}, width = 1, trials = 20, seed = 2, progress = false}
  t.raises(function() dead:plot{logy = true} end, {"nothing to draw", "logy"},
           "a log plot of nothing but zeros says so")

  -- ---- r:plot of a stats = "alive" result says what to run instead
  local ra = mc{depth = 4, width = 3, trials = 50, seed = 2, progress = false, stats = "alive"}
  t.raises(function() ra:plot() end, {'stats = "alive"', 'stats = "all"'}, "r:plot of stats = 'alive'")

  -- ---- file errors carry the user's line
  for _, c in ipairs{{function() xs:plot{svg = tmp} end, "s:plot{svg = folder}"},
                     {function() xs:plot{csv = tmp} end, "s:plot{csv = folder}"},
                     {function() xs:csv(tmp) end, "s:csv(folder)"},
                     {function() xs[1]:plot{svg = tmp} end, "r:plot{svg = folder}"}} do
    local ok2, err = pcall(c[1])
    err = tostring(err)
    t.ok(not ok2 and err:find("sweep.lua:%d+:") and not err:find("mc.sweep:", 1, true),
         c[2] .. " errs at the user's line: " .. err)
  end

  -- ---- an option another one overrides is refused, both named
  for _, o in ipairs{{depth = {4, 8}, widths = {{2, 3, 2, 3}, {3, 2, 3, 2}}},
                     {width = {2, 3}, widths = {2, 3, 2}},
                     {depth = 4, widths = {{2, 3}, {3, 2}}}} do
    o.trials, o.seed, o.progress = 10, 1, false
    local name = o.depth and "'depth'" or "'width'"
    t.raises(function() mc.sweep(o) end, {name, "'widths'", "overrides"}, "mc.sweep refuses " .. name .. " with widths")
  end
end

-- ---- U only where it bounds: the plain chain's upper bound is no bound
-- for residual, dense, skip or batch-norm nets (P = 1 > U on X with a
-- point != 0) or flipped ones: the table shows '-', the CSV an empty cell,
-- the plot no U curve; plain rows keep it. L bounds every architecture.
do
  local archs = {"plain", "residual", "skip", "batchnorm", "dense"}
  local a = mc.sweep{arch = archs, depth = 6, width = 3, trials = 400, seed = 1, progress = false}
  local f = mc.sweep{flip = {false, true}, depth = 6, width = 3, trials = 400, seed = 1, progress = false}
  local wrong = {}
  for _, sw in ipairs{a, f} do
    local text = tostring(sw)
    sw:csv(tmp .. "/bounds.csv")
    local lines = {}
    for line in proc.slurp(tmp .. "/bounds.csv"):gmatch("[^\n]+") do lines[#lines + 1] = line end
    local at = {}
    for i, name in ipairs(cells(lines[1])) do at[name] = i end
    for i, r in ipairs(sw) do
      local applies = r.arch == "plain" and not r.flip
      local what = r.arch .. (r.flip and " flipped" or "")
      -- the table row: name, P, CI (two tokens), L, U, ...
      local label = sw.params[i].arch or tostring(sw.params[i].flip)
      local row
      for line in text:gmatch("[^\n]+") do
        if line:match("^" .. label .. "%s") then row = line end
      end
      local tok = {}
      for w in (row or ""):gmatch("%S+") do tok[#tok + 1] = w end
      local u_cell, csv_u = tok[6], cells(lines[i + 1])[at.upper]
      if applies then
        if u_cell == "-" or tonumber(csv_u) ~= r.upper then wrong[#wrong + 1] = what .. " lost U" end
      elseif u_cell ~= "-" or csv_u ~= "" then
        wrong[#wrong + 1] = what .. " shows U (" .. tostring(u_cell) .. ", csv " .. tostring(csv_u) .. ")"
      end
      if r.arch ~= "plain" and not r.flip and r.p_alive < r.lower then wrong[#wrong + 1] = what .. ": P < L" end
    end
    t.ok(text:find("U is the plain chain's upper bound", 1, true), "the table says why rows have no U")
  end
  t.none(wrong, "table and CSV show U exactly for plain unflipped nets")
  local rs = mc.sweep{depth = {2, 4}, width = 3, arch = "residual", trials = 200, seed = 1, progress = false}
  rs:plot{csv = tmp .. "/bounds_plot.csv"}
  local head = proc.slurp(tmp .. "/bounds_plot.csv"):match("[^\n]+")
  t.ok(head:find("L", 1, true) and not head:find("U", 1, true), "a residual sweep's plot has L and no U curve (" .. head .. ")")
end

-- ---- a misspelt option, swept or fixed, is named as mc.sweep's before any
-- run (with mc's list and the nearest name), not as an error of the first run
do
  local wrong = {}
  for _, o in ipairs{{depthx = {2, 3}, width = 2}, {depth = {2, 3}, widht = 2}, {depth = {2, 3}, width = 2, trails = 10},
                     {depth = 2, width = 2, sede = {1, 2}}} do
    o.progress = false
    mc.partial_sweep = nil
    local ok, err = pcall(mc.sweep, o)
    local bad
    for k in pairs(o) do if k ~= "depth" and k ~= "width" and k ~= "progress" then bad = k end end
    if ok or not tostring(err):find("bad option '" .. bad .. "' to 'mc.sweep' (unknown option; did you mean", 1, true)
       or tostring(err):find("at ", 1, true) or mc.partial_sweep ~= nil then
      wrong[#wrong + 1] = bad .. ": " .. tostring(err)
    end
  end
  t.none(wrong, "misspelt sweep options are refused as mc.sweep's, before any run")
end

os.execute("rm -rf " .. proc.q(tmp))
t.done()

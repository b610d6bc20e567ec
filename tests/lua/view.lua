-- view.lua: the live view's text renderer (view.snapshot), its batch-mode
-- print, the Monte Carlo frame and view.inputs, checked
-- against net:death and mc.
local t = require "tap"

local RAMP = ".:-=+*#%@"

-- The character the view draws for a group of neurons: 'x' when all are
-- dead, blank when no point reaches the layer, else the ramp at the mean
-- active fraction (the ceil(9 f)-th character).
local function expected_cell(layer, first, last)
  if layer.reaching == 0 then return " " end
  local sum, dead = 0, 0
  for j = first, last do
    local f = layer.active[j] / layer.reaching
    sum = sum + f
    if f == 0 then dead = dead + 1 end
  end
  if dead == last - first + 1 then return "x" end
  local level = math.ceil(sum / (last - first + 1) * 9)
  level = math.max(1, math.min(9, level))
  return RAMP:sub(level, level)
end

-- Layer rows of an ASCII snapshot: {layer, heat, dead, bar, living, act}.
local function rows_of(text)
  local rows = {}
  for line in text:gmatch("[^\n]*") do
    local l, heat, dead, bar, living, act =
      line:match("^%s*(%d+)|(.-)|%s*(%d+) ([#%.]+)%s+(%d+)%s+(%S+)$")
    if l then
      rows[#rows + 1] = {layer = tonumber(l), heat = heat, dead = tonumber(dead), bar = bar,
                         living = tonumber(living), act = act}
    end
  end
  return rows
end

local function act_pct(layer)
  if layer.reaching == 0 then return "-" end
  local sum = 0
  for j = 1, layer.width do sum = sum + layer.active[j] end
  return string.format("%.1f", 100 * sum / (layer.reaching * layer.width))
end

-- Every row of a snapshot against the death report, cell by cell.
local function check_snapshot(net, X, opts, what)
  local text = view.snapshot(net, X, opts)
  local r = net:death(X)
  local rows = rows_of(text)
  t.is(#rows, net.depth, what .. ": one row per layer")
  local agg = tonumber(text:match("1 cell = (%d+) neuron")) or 0
  local cells_ok, numbers_ok, bars_ok = true, true, true
  for l, row in ipairs(rows) do
    local layer = r.layers[l]
    if row.layer ~= l or row.dead ~= layer.dead_neurons or row.living ~= layer.living
       or row.act ~= act_pct(layer) then
      numbers_ok = false
      t.diag(string.format("%s layer %d: got dead %s living %s act %s, want %d %d %s", what, l,
             row.dead, row.living, row.act, layer.dead_neurons, layer.living, act_pct(layer)))
    end
    local cells = math.ceil(layer.width / agg)
    for c = 1, cells do
      local first = (c - 1) * agg + 1
      local want = expected_cell(layer, first, math.min(first + agg - 1, layer.width))
      if row.heat:sub(c, c) ~= want then
        cells_ok = false
        t.diag(string.format("%s layer %d cell %d: got '%s', want '%s'", what, l, c,
               row.heat:sub(c, c), want))
      end
    end
    if row.heat:sub(cells + 1):match("%S") then cells_ok = false end
    local filled = select(2, row.bar:gsub("#", ""))
    if (layer.living == X.rows) ~= (filled == #row.bar) or (layer.living > 0) ~= (filled > 0) then
      bars_ok = false
    end
  end
  t.ok(agg >= 1, what .. ": the aggregation is shown (1 cell = " .. agg .. ")")
  t.ok(numbers_ok, what .. ": dead neurons, living points and active % equal net:death(X)'s")
  t.ok(cells_ok, what .. ": every heat cell is the ramp character of its active fraction")
  t.ok(bars_ok, what .. ": the living bars are full only when every point lives, empty only when none")
  return text, r
end

-- the acceptance net, and a few others
local net = relu(8, 16, {seed = 11})
local X = inputs.gaussian(64, 16, {seed = 12})
local text, r = check_snapshot(net, X, nil, "relu(8,16)")
t.ok(text:find("living " .. r.living .. " of 64 points", 1, true), "the summary gives the living points")
t.ok(text:find("1 cell = 1 neuron", 1, true), "16 neurons fit: 1 cell = 1 neuron")
for line in text:gmatch("[^\n]+") do
  if #line > 80 then t.ok(false, "a line is wider than 80 columns: " .. line) end
end

check_snapshot(relu(3, 500, {input = 4, seed = 3}), inputs.gaussian(32, 4, {seed = 4}), nil,
               "wide layers")
local wide = view.snapshot(relu(3, 500, {input = 4, seed = 3}), inputs.gaussian(32, 4, {seed = 4}))
t.ok(wide:find("1 cell = %d+ neurons %(auto%)"), "wide layers are aggregated automatically")
check_snapshot(relu(4, 300, {input = 4, seed = 3}), inputs.gaussian(32, 4, {seed = 4}),
               {width = 200}, "width 200")
check_snapshot(relu{widths = {3, 40, 2, 7}, input = 3, seed = 5}, inputs.gaussian(50, 3, {seed = 6}),
               nil, "mixed widths")

-- a net that dies: the rows after the death have no point reaching them
local dying, dX
for seed = 1, 200 do
  local n = relu(12, 2, {seed = seed})
  local x = inputs.gaussian(8, 2, {seed = seed})
  local d = n:death(x)
  if not d.alive and d.layers[12].reaching == 0 then dying, dX = n, x; break end
end
t.ok(dying ~= nil, "found a seeded relu(12, 2) that dies before its last layer")
if dying then
  local dtext = check_snapshot(dying, dX, nil, "a dead net")
  t.ok(dtext:find(": dead", 1, true), "the summary says the net is dead")
end

-- the default input set is net:death()'s
t.is(view.snapshot(net), view.snapshot(net, inputs.gaussian(64, 16, {seed = 1})),
     "X defaults to 64 Gaussian points with seed 1, as in net:death()")

-- Unicode glyphs on request, the same numbers
local u = view.snapshot(net, X, {unicode = true})
t.ok(u:find("\u{2502}") and u:find("\u{2588}"), "unicode = true draws box and block glyphs")
t.ok(not text:find("[\128-\255]"), "the default snapshot is plain ASCII")

-- errors name the argument and what is accepted
t.raises(function() view.snapshot("net") end, {"bad argument #1", "expected a Net (from relu), got a string"},
         "snapshot of a string")
t.raises(function() view.snapshot(net, inputs.gaussian(4, 3)) end, {"bad argument #2", "16"},
         "X of the wrong dimension")
t.raises(function() view.snapshot(net, X, {width = 10}) end, {"width", "60"}, "width below 60")
t.raises(function() view.snapshot(net, X, {colour = true}) end, {"colour"}, "unknown option")
t.raises(function() view(42) end, {"bad argument #1", "Net"}, "view(42)")

-- help entries
local help = package.loaded.relush._help
t.ok(help.view and help.view.summary:find("heatmap"), "help entry for view")
t.ok(help["view.snapshot"] and help["view.snapshot"].example ~= "", "help entry for view.snapshot")

-- batch mode: with stdout not a terminal, view() prints the snapshot
local relush = os.getenv("RELUSH")
if relush then
  local chunk = "view(relu(8, 16, {seed = 11}), inputs.gaussian(64, 16, {seed = 12}))"
  local p = io.popen(relush .. " -e '" .. chunk .. "' 2>&1 </dev/null")
  local out = p:read("a")
  p:close()
  t.is(out, text, "view(net, X) with stdout redirected prints view.snapshot(net, X)")

  -- view{...} runs mc with the view: the same numbers as without it, and
  -- the final frame printed
  local mc_chunk = [[
    local X = inputs.gaussian(64, 2, {seed = 1})
    local o = {depth = 32, width = 4, X = X, trials = 2e4, seed = 5}
    local a = mc(o)
    o.view = true
    local b = mc(o)
    o.view = nil
    local c = view(o)
    local same = a.alive_trials == b.alive_trials and a.alive_trials == c.alive_trials
      and a.fraction == b.fraction and a.fraction == c.fraction and a.trials == c.trials
    for l = 1, 32 do
      for k, v in pairs(a.layers[l]) do
        if type(v) == "number" and v == v and (b.layers[l][k] ~= v or c.layers[l][k] ~= v) then
          same = false
        end
      end
    end
    print("SAME " .. tostring(same) .. " " .. a.alive_trials)
  ]]
  p = io.popen(relush .. " -e '" .. mc_chunk .. "' 2>&1 </dev/null")
  out = p:read("a")
  p:close()
  local frames = select(2, out:gsub("relush mc ", ""))
  t.is(frames, 2, "mc{view = true} and view{...} each print their final frame")
  t.ok(out:find("trials 20000 / 20000 (100.0%)", 1, true), "the frame shows every trial done")
  t.ok(out:find("SAME true", 1, true), "mc with the view gives the same counts as without it")
  local alive = out:match("SAME true (%d+)")
  t.ok(alive and out:find("(" .. alive .. " alive)", 1, true), "the frame shows the run's alive trials")
  local mrows = 0
  for line in out:gmatch("[^\n]+") do
    if line:match("^%s*%d+|") then mrows = mrows + 1 end
  end
  t.is(mrows, 64, "each frame has a row for each of the 32 layers")
  t.ok(out:find("P(alive)  *", 1, true) and out:find("- L", 1, true),
       "the frame has the P(alive) curve with L")
end

-- The Monte Carlo frame: the per-layer numbers are the result's,
-- they vary with death, and the chart compares P with L.
if relush then
  local chunk = [[
    r = mc{depth = 24, width = 3, X = inputs.gaussian(64, 2, {seed = 1}), trials = 2e4, seed = 3,
           view = true}
    for l = 1, 24 do
      local L = r.layers[l]
      print(string.format("WANT %d %.1f %.1f %.4f %.4f", l, 100 * (L.reaching - L.living) / (r.trials * 64),
                          100 * L.dead_rate, L.trials_living / r.trials, L.survival))
    end
    print(string.format("PL %.3f %.4f %.4f %d", r.p_alive / r.lower, r.p_alive, r.lower, r.trials))
  ]]
  local p = io.popen(relush .. " -e '" .. chunk .. "' 2>&1 </dev/null")
  local out = p:read("a")
  p:close()
  local want, got = {}, {}
  for l, a, b, c, d in out:gmatch("WANT (%d+) (%S+) (%S+) (%S+) (%S+)") do
    want[tonumber(l)] = table.concat({a, b, c, d}, " ")
  end
  for line in out:gmatch("[^\n]+") do
    local l, rest = line:match("^%s*(%d+)|[^|]*|[#.]+%s+(.*)$")
    if l then got[tonumber(l)] = rest:gsub("%s+", " "):gsub(" [%d.]+$", "") end
  end
  local same = #want == 24
  for l = 1, 24 do
    if got[l] ~= want[l] then
      same = false
      t.diag(string.format("layer %d: frame %s, result %s", l, tostring(got[l]), tostring(want[l])))
    end
  end
  t.ok(same, "MC frame: points killed %, dead %, P(>l) and surv/pt of every layer are the result's")
  -- P(>l) falls with depth: layer 2 against layer 20, far beyond 4 standard errors
  local p2 = tonumber((want[2] or ""):match("%S+ %S+ (%S+)"))
  local p20 = tonumber((want[20] or ""):match("%S+ %S+ (%S+)"))
  local se = p2 and math.sqrt(p2 * (1 - p2) / 2e4 + p20 * (1 - p20) / 2e4)
  t.ok(p2 and p20 and p2 - p20 > 4 * se, string.format("the layer display is not uniform: P(>2) %s, P(>20) %s",
       tostring(p2), tostring(p20)))
  local ratio, pa, lo = out:match("PL (%S+) (%S+) (%S+)")
  t.ok(ratio and out:find("P/L " .. ratio, 1, true), "the chart prints P/L = " .. tostring(ratio))
  -- P and L are labelled on different rows of the chart
  local prow, lrow
  local n = 0
  for line in out:gmatch("[^\n]+") do
    n = n + 1
    if pa and line:find("P " .. pa, 1, true) and line:find("|", 1, true) then prow = n end
    if lo and line:find("L " .. lo, 1, true) and line:find("|", 1, true) then lrow = n end
  end
  t.ok(prow and lrow and prow ~= lrow, string.format("P %s and L %s on different chart rows (%s, %s)",
       tostring(pa), tostring(lo), tostring(prow), tostring(lrow)))
  t.ok(out:find("plain-chain bounds: L", 1, true), "the bounds are labelled as the plain chain's")

  -- one label, one quantity: the frame's per-point column, its per-net
  -- column (stats = "alive") and the report's count of nets have their own
  -- names, and the per-net column is the report's count as a share
  for _, stats in ipairs{"all", "alive"} do
    local run = [[r = mc{depth = 12, width = 3, X = inputs.gaussian(64, 2, {seed = 1}), trials = 5000,
                 seed = 2, stats = "]] .. stats .. [[", view = true}
      for l = 1, 12 do print(string.format("NETS %d %.1f", l, 100 * r.died_at[l] / r.trials)) end
      print("REPORT") print(r)]]
    p = io.popen(relush .. " -e '" .. run .. "' 2>&1 </dev/null")
    out = p:read("a")
    p:close()
    local frame, report = out:match("^(.-)\nREPORT\n(.*)$")
    frame, report = frame or "", report or ""
    local per_point, per_net = frame:find("points killed %", 1, true), frame:find("nets died here %", 1, true)
    t.ok(report:find("nets died here", 1, true) and not report:find("points killed", 1, true)
         and (stats == "all" and per_point and not per_net or stats == "alive" and per_net and not per_point),
         "stats = " .. stats .. ": the frame's column is " .. (stats == "all" and "points killed %" or
         "nets died here %") .. ", the report's nets died here, no label for two quantities")
    if stats == "alive" then
      local same, rows = true, 0
      for l, want in frame:gmatch("NETS (%d+) (%S+)") do
        local row = frame:match("\n%s*" .. l .. "|[^\n]-|[#.]+%s+(%S+)")
        rows = rows + 1
        if row ~= want then
          same = false
          t.diag(string.format("layer %s: frame %s, died_at share %s", l, tostring(row), want))
        end
      end
      t.ok(same and rows == 12, "nets died here % is the report's died_at as a share of the trials")
    end
  end

  -- the chart's labels at the right say what the result says, each on a
  -- row of its own, whatever rows P, L and U fall on: P = 0 (deep narrow),
  -- P near L (one point), P near U (one layer on the orthant), L and U
  -- both near 1 (wide and shallow); and its axis ends are the range's ends
  -- (a linear axis from 0 labels 0, not 2.17e-19)
  -- a value below 1 that %.4f rounds to 1 is "1 - d", here in the 8
  -- columns right of the chart "1-d" at one digit (gap: 1 - v, exact)
  local function fmt_prob(v, gap)
    if v ~= v then return "-" end
    if v ~= 0 and v < 1e-3 then return (("%.3g"):format(v)) end
    local text = ("%.4f"):format(v)
    gap = gap or 1 - v
    if tonumber(text) == 1 and gap > 0 then return ("1-%.1g"):format(gap) end
    return text
  end
  for _, o in ipairs{"depth = 40, width = 2, trials = 5000, seed = 3",
                     "depth = 30, width = 2, trials = 20000, seed = 5, X = inputs.point(2)",
                     "depth = 1, width = 2, trials = 2000, seed = 5, X = inputs.orthant(2)",
                     "depth = 3, width = 30, trials = 300, seed = 2",
                     "depth = 12, width = 3, trials = 4000, seed = 7"} do
    p = io.popen(relush .. " -e 'r = mc{" .. o .. ", view = true}; print(string.format(\"RESULT %.17g %.17g %.17g %.17g\", " ..
                 "r.p_alive, r.lower, r.upper, bound.death(r.widths)))' 2>&1 </dev/null")
    out = p:read("a")
    p:close()
    local pa, lo, up, death = out:match("RESULT (%S+) (%S+) (%S+) (%S+)")
    local want = {P = fmt_prob(tonumber(pa)), L = fmt_prob(tonumber(lo), tonumber(death)), U = fmt_prob(tonumber(up))}
    local chart = out:match("\nP%(alive%)  %*.-\n(.-)\n%s+%+0") or ""
    local seen, right, axis_ok = {}, true, true
    for line in chart:gmatch("[^\n]+") do
      local label, body = line:match("^(........)|(.*)$")
      local v = tonumber(label or "")
      if v and v ~= 0 and v < 1e-12 then axis_ok = false end
      local what, value = (body or ""):match("%s([PLU]) (%S+)%s*$")
      if what then
        if seen[what] or value ~= want[what] then
          right = false
          t.diag(("mc{%s}: chart label %s %s, result %s"):format(o, what, value, want[what]))
        end
        seen[what] = true
      end
    end
    t.ok(right and seen.P and seen.L, ("mc{%s}: the chart labels P %s and L %s (and U when drawn), one a row"):format(
         o, want.P, want.L))
    t.ok(axis_ok and chart ~= "", ("mc{%s}: the chart's axis labels are the range's ends and middle"):format(o))
  end

  -- a layer row's P(>l) below 1e-4 (deep runs) is in exponent form, wider
  -- than its 7 columns at 3 digits: it shows fewer digits, never a cut
  -- number (7.33e-05 was shown as 7.33e-0)
  do
    p = io.popen(relush .. " -e 'r = mc{depth = 36, width = 2, trials = 3e5, seed = 1, view = true}; " ..
                 "for l = 1, 36 do print(string.format(\"PGT %d %.17g\", l, r.layers[l].trials_living / r.trials)) end' " ..
                 "2>&1 </dev/null")
    out = p:read("a")
    p:close()
    local want, small, right = {}, 0, true
    for l, v in out:gmatch("PGT (%d+) (%S+)") do want[tonumber(l)] = tonumber(v) end
    for line in out:gmatch("[^\n]+") do
      local l, rest = line:match("^%s*(%d+)|[^|]*|[#.]+%s+(.*)$")
      local v = l and want[tonumber(l)]
      if v then
        local shown = rest:match("^%S+%s+%S+%s+(%S+)")
        local fits = false
        for _, f in ipairs{"%.4f", "%.3g", "%.2g", "%.1g"} do
          if f:format(v) == shown and #shown <= 7 then fits = true end
        end
        if v > 0 and v < 1e-4 then small = small + 1 end
        if not fits then
          right = false
          t.diag(("layer %s: P(>l) shown as %s, result %.6g"):format(l, tostring(shown), v))
        end
      end
    end
    t.ok(right and small > 0, ("MC frame: every P(>l) is the result's, whole in its column (%d below 1e-4)"):format(small))
  end

  -- a residual net: no plain-chain bounds
  p = io.popen(relush .. " -e 'mc{depth = 6, width = 3, arch = \"residual\", trials = 200, view = true}' 2>&1 </dev/null")
  out = p:read("a")
  p:close()
  t.ok(out:find("residual", 1, true) and out:find("no bounds shown", 1, true)
       and out:find("n/a", 1, true) and not out:find("L 0.", 1, true),
       "a residual run names its architecture and leaves the plain chain's bounds out")

  -- flipped nets are chosen by X: U does not bound them (P = 1 > U here), so
  -- the view shows no L, U and says why
  p = io.popen(relush .. " -e 'mc{depth = 6, width = 1, X = inputs.gaussian(5, 2, {seed = 1}), input = 2, " ..
               "flip = true, trials = 200, view = true}' 2>&1 </dev/null")
  out = p:read("a")
  p:close()
  t.ok(out:find("flipped", 1, true) and out:find("before the flip", 1, true)
       and not out:find("plain-chain bounds: L", 1, true) and not out:find("L 0.0156", 1, true),
       "a flip = true run shows no L, U, saying they hold before the flip only")
end

-- view() of a residual net: the header names it, no bounds
do
  local text = view.snapshot(relu(4, 4, {arch = "residual", seed = 2}))
  t.ok(text:find("residual", 1, true) and text:find("no bounds shown", 1, true),
       "view.snapshot of a residual net names it and shows no plain-chain bounds")
  text = view.snapshot(relu(4, 4, {seed = 2}))
  t.ok(text:find("plain-chain bounds: L", 1, true), "a plain net's bounds are labelled as such")
  -- L is below 1 for every net: one that would print as 1.0000 is shown
  -- as 1 - (1 - L), the reports' form, with 1 - L computed accurately
  for _, c in ipairs{{20, 64}, {3, 30}, {2, 16}, {12, 3}} do
    local depth, width = c[1], c[2]
    local header = view.snapshot(relu(depth, width, {seed = 1}))
    local L = bound.lower(width, depth)
    local want = L >= 0.99995 and ("L 1 - %.3g"):format(bound.death(width, depth)) or ("L %.4f"):format(L)
    t.ok(header:find(want .. "  U", 1, true), ("view of relu(%d, %d): the header shows %s"):format(depth, width, want))
  end
end

-- view.inputs: every cell of the plane is marked by the layer that kills its
-- centre (net:death on the same grid), o where it lives
do
  local net = relu(6, 3, {input = 2, seed = 4})
  local text = view.inputs(net, nil, {width = 80, height = 30, text = true})
  local h, w = 30 - 7, 80 - 11
  if w > 2 * h then w = 2 * h else h = w // 2 end
  local rows = {}
  for r = 0, h - 1 do
    for c = 0, w - 1 do
      rows[#rows + 1] = {-2 + 4 * (c + 0.5) / w, 2 - 4 * (r + 0.5) / h}
    end
  end
  local d = net:death(inputs.from(rows))
  local lines = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
  local same, marks = true, {}
  for r = 0, h - 1 do
    local line = lines[2 + r + 1] or ""
    for c = 0, w - 1 do
      local k = d.dead_at[r * w + c + 1]
      local want = k == 0 and "o" or (k < 10 and tostring(k) or string.char(87 + k))
      local got = line:sub(9 + c + 1, 9 + c + 1)
      marks[got] = true
      if got ~= want then same = false end
    end
  end
  t.ok(same, "view.inputs: each cell shows the layer that killed its centre (or o)")
  local kinds = 0
  for _ in pairs(marks) do kinds = kinds + 1 end
  t.ok(kinds >= 2, "view.inputs: the plane is not uniform (" .. kinds .. " marks)")
  t.ok(text:find("alive after all 6 layers", 1, true), "view.inputs: the summary")
  local ok, err = pcall(view.inputs, relu(2, 3))
  t.ok(not ok and err:find("2 inputs", 1, true), "view.inputs of a net with 3 inputs: " .. tostring(err))
end

-- view.inputs with X at extreme scales: the axis labels fit their column
-- (not cut: 9.97e+29 for 9.97e+299) and say the range's size; a set whose
-- points all coincide at a huge value still shows its point once; points
-- spread over (-1e250, 1e250) land in many columns, not all in the first
-- (scales beyond 2^960 either way are refused by the range check, which
-- tests/lua/properties.lua tests)
do
  local net = relu(6, 2, {input = 2, seed = 3})
  local function plane(X)
    local text = view.inputs(net, X, {width = 80, height = 30, text = true})
    local lines = {}
    for line in (text .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
    return text, lines
  end
  local function labels(lines)
    local out = {}
    for _, line in ipairs(lines) do
      local label = line:match("^ *([-+%d.e]+)|")
      if label then out[#out + 1] = label end
    end
    return out
  end
  for _, scale in ipairs{1e-250, 1e-5, 1, 1e5, 1e20, 1e250} do
    local X = inputs.uniform(200, 2, -scale, scale, {seed = 1})
    local text, lines = plane(X)
    local ls = labels(lines)
    local fits = #ls == 2
    for _, l in ipairs(ls) do
      local v = tonumber(l)
      if not v or math.abs(v) < scale * 0.5 or math.abs(v) > scale * 2 then fits = false end
    end
    local cols = {}
    for _, line in ipairs(lines) do
      local body = line:match("^ *[-+%d.e]*|(.*)$")
      if body then
        for c = 1, #body do
          if body:sub(c, c):match("[%w]") then cols[c] = true end
        end
      end
    end
    local ncols = 0
    for _ in pairs(cols) do ncols = ncols + 1 end
    t.ok(fits and ncols > 10, ("view.inputs at scale %g: labels %s, points in %d columns"):format(
         scale, table.concat(ls, " and "), ncols))
  end
  local path = os.tmpname()
  local f = io.open(path, "w")
  f:write("1e20,1e20\n1e20,1e20\n")
  f:close()
  local text, lines = plane(inputs.load(path))
  os.remove(path)
  local marks = 0
  for _, line in ipairs(lines) do
    local body = line:match("^ *[-+%d.e]*|(.*)$")
    if body then marks = marks + select(2, body:gsub("[%w]", "")) end
  end
  local ls = labels(lines)
  t.ok(marks == 1 and #ls == 2 and tonumber(ls[1]) and tonumber(ls[2]) > 9e19,
       "view.inputs of two equal points at 1e20: one mark, finite labels (" .. table.concat(ls, ", ") .. ")")
end

-- plurals in the view's titles and summaries: "X: 1 point", "1 of 1 point",
-- "after the 1 layer"; "64 points", "all 6 layers"
do
  local one = view.snapshot(relu(1, 3, {seed = 1}), inputs.point(3))
  t.ok(one:find("X: 1 point\n", 1, true) and one:find("of 1 point (", 1, true) and not one:find("1 points", 1, true),
       "view of one point: 'X: 1 point', 'of 1 point'")
  local many = view.snapshot(relu(2, 3, {seed = 1}), inputs.gaussian(64, 3, {seed = 1}))
  t.ok(many:find("X: 64 points", 1, true) and many:find("of 64 points (", 1, true), "view of 64 points: plural")
  local plane = view.inputs(relu(1, 2, {input = 2, seed = 1}), inputs.from{{1, 1}}, {text = true})
  t.ok(plane:find("X: 1 point\n", 1, true) and plane:find("alive after the 1 layer:", 1, true),
       "view.inputs of one point and one layer: singular")
end

-- README's capture of the Monte Carlo view (trials = 2e5, seed = 1)
-- reproduces: every line but the rate/time line and the chart's path
do
  local srcdir = os.getenv("RELUSH_SRCDIR") or "."
  local f = io.open(srcdir .. "/README.md")
  local readme = f and f:read("a") or ""
  if f then f:close() end
  local capture = readme:match("\n```\n(relush mc  depth 24, width 3[^`]*)```")
  if capture and relush then
    local p = io.popen(relush .. " -e 'mc{depth = 24, width = 3, X = inputs.gaussian(64, 2, {seed = 1}), " ..
                       "trials = 2e5, seed = 1, view = true}' 2>&1 </dev/null")
    local fresh = p:read("a")
    p:close()
    local function steady(text)   -- the lines that must reproduce
      local out, chart = {}, false
      for line in text:gmatch("[^\n]+") do
        local in_chart = chart and (line:find("^ *[%d.]*|") or line:find("^ *%+0"))
        if not line:find("trials/s", 1, true) and not in_chart then out[#out + 1] = line end
        chart = chart or line:find("^P%(alive%)  ") ~= nil
      end
      return #out .. " lines\n" .. table.concat(out, "\n")
    end
    t.is(steady(fresh), steady(capture), "README's capture of the Monte Carlo view reproduces")
  else
    t.ok(capture ~= nil, "README has the capture of the Monte Carlo view")
  end
end

-- view{...} with a bad mc option names view and the user's line, as
-- mc{...} names mc (mc, called from view, knows neither)
do
  for _, c in ipairs{{{depth = 2, width = 2, trails = 5}, "trails", "did you mean 'trials'"},
                     {{depth = 2}, "width", "give depth and width"},
                     {{depth = 2, width = 2, trials = -1}, "trials", "got -1"}} do
    local ok, err = pcall(function() view(c[1]) end)
    t.ok(not ok and tostring(err):find("view%.lua:%d+: bad option '" .. c[2] .. "' to 'view' %(")
         and tostring(err):find(c[3], 1, true), "view{...}: " .. tostring(err):sub(1, 100))
  end
end

t.done()

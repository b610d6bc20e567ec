-- prob_print.lua: every printed probability, bound and survival follows one
-- rule (README "Definitions", relush/probtext.h): a value in (0, 1) never
-- prints as the text of 1 or of 0 (a bound 1 - 1e-18 read as "1" says the
-- net cannot die), exactly 1 and 0 print as themselves. Each place is
-- printed with one field set to a value of the class and with it set to
-- 0.25; the words that differ are the value's, and none may read as 1 or 0.
local t = require "tap"

-- the words of a printout; "1 - d" is one word
local function words(text)
  local list = {}
  for w in text:gsub("1 %- ", "1-"):gmatch("[^%s%[%],()=<>:;]+") do
    if not w:match("^%-+$") then list[w] = (list[w] or 0) + 1 end   -- not a table's rule line
  end
  return list
end

-- the words of `with` that `base` has fewer of
local function new_words(with, base)
  local a, b, out = words(with), words(base), {}
  for w, n in pairs(a) do
    if n > (b[w] or 0) then out[#out + 1] = w end
  end
  table.sort(out)
  return out
end

-- gap: 1 - v when a place takes it from a field of its own (L's death)
local values = {
  {v = 1, name = "1"},
  {v = 1 - 2^-53, name = "1 - 2^-53"},
  {v = 1, gap = 1e-18, name = "1 - 1e-18"},
  {v = 1 - 1e-6, name = "1 - 1e-6"},
  {v = 0.99995, name = "0.99995"},
  {v = 1e-300, name = "1e-300"},
  {v = 0, name = "0"},
}

local function check(place, field, value, text, base)
  local new = new_words(text, base)
  local shows_one, shows_zero = false, false
  for _, w in ipairs(new) do
    shows_one = shows_one or tonumber(w) == 1
    shows_zero = shows_zero or tonumber(w) == 0
  end
  local below_one = value.v < 1 or (value.gap or 0) > 0
  local ok
  if value.v == 0 then
    ok = shows_zero
  elseif not below_one then
    ok = shows_one
  else
    ok = #new > 0 and not shows_one and not shows_zero
  end
  t.ok(ok, ("%s: %s = %s prints as %s"):format(place, field, value.name, table.concat(new, " ")))
end

-- a place: the printout of one object (made once: a run's report names its
-- time) with one field set by set(obj, v, gap); opts.gap: the place takes
-- 1 - v from a field of its own (L's death), so 1 - 1e-18 can reach it;
-- opts.computes_gap: it computes 1 - v from the widths, so v = 1 cannot
local function each_value(place, field, make, set, opts)
  opts = opts or {}
  local obj = make()
  set(obj, 0.25)
  local base = tostring(obj)
  for _, value in ipairs(values) do
    if not (opts.computes_gap and value.v == 1) and (value.gap == nil or opts.gap) then
      set(obj, value.v, value.gap)
      check(place, field, value, tostring(obj), base)
    end
  end
end

-- the gap field follows a value near 1; below 1/2 it keeps the base's
local function field_setter(name, gap_name)
  return function(o, v, gap)
    o[name] = v
    if gap_name then o[gap_name] = gap or (v > 0.5 and 1 - v or 0.75) end
  end
end

-- net:death's DeathReport: L (its 1 - L from lower_death) and U
local net = relu(3, 2, {seed = 1})
each_value("net:death()", "lower", function() return net:death() end, field_setter("lower", "lower_death"),
  {gap = true})
each_value("net:death()", "upper", function() return net:death() end, field_setter("upper"))

-- net:bounds: L (1 - L from death), U for the orthant and general inputs
each_value("net:bounds()", "lower", function() return net:bounds() end, field_setter("lower", "death"), {gap = true})
each_value("net:bounds()", "upper", function() return net:bounds() end, field_setter("upper"))
each_value("net:bounds()", "upper_general", function() return net:bounds() end, field_setter("upper_general"))

-- bound.layers: the header's L and its rows' survival, cumulative L and death
each_value("bound.layers", "lower", function() return bound.layers(2, 3) end, field_setter("lower", "death"),
  {gap = true})
each_value("bound.layers", "[2].survival", function() return bound.layers(2, 3) end,
  function(o, v, gap) field_setter("survival", "hazard")(o[2], v, gap) end, {gap = true})
each_value("bound.layers", "[2].cumulative", function() return bound.layers(2, 3) end,
  function(o, v, gap) field_setter("cumulative", "death")(o[2], v, gap) end, {gap = true})

-- net:flip's FlipReport: a layer's kept share (survival) and living fraction
for _, f in ipairs{"survival", "fraction"} do
  each_value("net:flip()", "layers[2]." .. f, function() return net:flip(inputs.gaussian(4, 2, {seed = 1})) end, function(o, v) o.layers[2][f] = v end)
end

-- mc's report: P(alive) and its interval, U, mL, mean and min F, and a
-- layer's survival and net survival (L and 1-2^-n take 1 - L and 2^-n from
-- the widths: the relu(20, 64) runs below)
local X = inputs.gaussian(4, 2, {seed = 1})
local function run() return mc{depth = 3, width = 2, X = X, trials = 50, seed = 1} end
for _, f in ipairs{"p_alive", "upper", "union", "fraction", "min_fraction"} do
  each_value("mc report", f, run, field_setter(f))
end
each_value("mc report", "ci[1]", run, function(o, v) o.ci = {v, 0.75} end)
each_value("mc report", "ci[2]", run, function(o, v) o.ci = {0.125, v} end)
each_value("mc report", "layers[2].survival", run, function(o, v) o.layers[2].survival = v end)
each_value("mc report", "layers[2].net_survival", run, function(o, v) o.layers[2].net_survival = v end)
each_value("mc report", "lower", run, field_setter("lower"), {computes_gap = true})

-- mc.sweep's table: P(alive), its interval, L, U and mean F of a row
local function sweep() return mc.sweep{depth = {2, 3}, width = 2, X = X, trials = 50, seed = 1} end
for _, f in ipairs{"p_alive", "upper", "fraction"} do
  each_value("mc.sweep table", f, sweep, function(o, v) o[1][f] = v end)
end
each_value("mc.sweep table", "ci[1]", sweep, function(o, v) o[1].ci = {v, 0.75} end)
each_value("mc.sweep table", "ci[2]", sweep, function(o, v) o[1].ci = {0.125, v} end)
each_value("mc.sweep table", "lower", sweep, function(o, v) o[1].lower = v end, {computes_gap = true})

-- L of relu(20, 64) is 1 - 1.0842e-18, 1 as a double: every place that
-- prints it says how far below 1 it is, from the widths
local wide = relu(20, 64, {seed = 1})
local death = bound.death(64, 20)
local function says_gap(text) return text:find("1 - " .. ("%.5g"):format(death), 1, true) ~= nil end
t.ok(says_gap(tostring(wide:death())), "net:death() of relu(20, 64) prints L as 1 - (1 - L)")
t.ok(says_gap(tostring(wide:bounds())), "net:bounds() of relu(20, 64) prints L as 1 - (1 - L)")
t.ok(says_gap(tostring(bound.layers(64, 20))), "bound.layers(64, 20) prints L as 1 - (1 - L)")
local r = mc{depth = 20, width = 64, trials = 10, seed = 1}
t.ok(says_gap(tostring(r)), "mc's report on relu(20, 64) prints L as 1 - (1 - L)")
t.ok(tostring(r):find("1 - " .. ("%.5g"):format(2^-64), 1, true), "mc's report prints 1-2^-64 as 1 - 2^-64")
local s = mc.sweep{depth = {20}, width = 64, trials = 10, seed = 1}
t.ok(says_gap(tostring(s)), "mc.sweep's table on relu(20, 64) prints L as 1 - (1 - L)")
t.ok(tostring(wide:death()):find("1 - " .. ("%.5g"):format(2^-64), 1, true),
  "net:death() of relu(20, 64) prints 1-2^-n as 1 - 2^-64")

t.done()

-- bounds.lua: the bound.* API against theory.md §10.1 (fractions compared with
-- ==), independent references computed here, argument errors, property
-- tests with a fixed seed, and help/man entries for every function.
local t = require "tap"
local relush = require "relush"
local bound = relush.bound
local log, exp, floor, ceil = math.log, math.exp, math.floor, math.ceil

-- ---- independent references -------------------------------------------------
local function product(n, k)            -- (1 - 2^-n)^k by plain multiplication
  local p = 1.0
  for _ = 1, k do p = p * (1 - 2.0 ^ -n) end
  return p
end

local function death_series(n, k)       -- 1 - (1 - x)^k = sum (-1)^(j+1) C(k,j) x^j
  local x, term, sum = 2.0 ^ -n, 1.0, 0.0
  for j = 1, 200 do
    term = -term * (k - j + 1) / j * x
    sum = sum - term
    if math.abs(term) < 1e-30 * math.abs(sum) then break end
  end
  return sum
end

local function rep(n, k) local w = {} for i = 1, k do w[i] = n end return w end

-- ---- lower bound: theory.md §10.1 ----------------------------------------------------
local fractions = {
  {2, 3, 27 / 64}, {1, 1, 1 / 2}, {1, 5, 1 / 32}, {1, 20, 2.0 ^ -20},
  {2, 10, 59049 / 1048576}, {3, 10, 282475249 / 1073741824},
  {4, 10, 576650390625 / 1099511627776},
}
for _, c in ipairs(fractions) do
  local n, k, want = c[1], c[2], c[3]
  t.is(bound.lower(n, k), want, ("lower(%d, %d) is the exact fraction"):format(n, k))
  t.is(bound.lower(rep(n, k)), want, ("lower([%d]*%d) is the exact fraction"):format(n, k))
  t.is(bound.death(n, k), 1 - want, ("death(%d, %d) is exact"):format(n, k))
end
t.is(bound.lower{3, 5, 2}, 651 / 1024, "lower{3,5,2} = 651/1024")
t.is(bound.lower{3, 5, 2.0}, 651 / 1024, "integer-valued floats are widths too")

local decimals = {{5, 32, 0.3620552893}, {8, 100, 0.6761164651}, {10, 1000, 0.3764237981},
                  {16, 1000, 0.9848569217}}
for _, c in ipairs(decimals) do
  local n, k, notes = c[1], c[2], c[3]
  t.near(bound.lower(n, k), product(n, k), 1e-12, ("lower(%d, %d) vs direct product"):format(n, k))
  t.near(bound.lower(rep(n, k)), product(n, k), 1e-12, ("lower([%d]*%d) vs product"):format(n, k))
  t.ok(math.abs(bound.lower(n, k) - notes) <= 5e-11, ("lower(%d, %d) = %.10f (theory.md §10.1)"):format(n, k, notes))
end
t.near(bound.log_lower(10, 1000), -0.9770396478266128, 1e-15, "log_lower(10, 1000)")
t.near(bound.log_lower(rep(10, 1000)), -0.9770396478266128, 1e-15, "log_lower([10]*1000)")

-- ---- tiny death probabilities and huge depths --------------------------------------
t.near(bound.death(64, 1e6), 5.4210108624e-14, 1e-9, "death(64, 1e6) = 5.4210108624e-14")
t.near(bound.death(64, 1e6), death_series(64, 1e6), 1e-12, "death(64, 1e6) vs series")
t.ok(1 - product(64, 1e6) == 0, "where the naive product gives a death probability of 0")
t.ok(math.abs(bound.death(30, 1000) - 9.313221414e-07) <= 5e-16, "death(30, 1000) (theory.md §10.1)")
t.near(bound.death(30, 1000), death_series(30, 1000), 1e-12, "death(30, 1000) vs series")
t.near(bound.log_lower(1, 2000), -2000 * log(2), 1e-15, "log_lower(1, 2000) = -2000 log 2")
t.ok(bound.log_lower(1, 2000) > -math.huge, "log_lower(1, 2000) is not -inf")
t.is(bound.lower(1, 2000), 0.0, "lower(1, 2000) underflows only as a probability")
t.near(bound.log_lower(20, 1e12), 1e12 * log(1 - 2 ^ -20), 1e-12, "depth 1e12 as a float")
t.is(bound.log_lower(1e6, 1e12), 0.0, "width 1e6, depth 1e12: log rounds to 0 (true -1e12 2^-1e6)")

-- ---- upper bound ---------------------------------------------------------------------
local uppers = {
  {1, {1}, 3 / 4}, {2, {1}, 7 / 8}, {1, {2}, 15 / 16}, {2, {2}, 63 / 64}, {3, {2}, 255 / 256},
  {1, {1, 1}, 9 / 16}, {2, {2, 2, 2}, 250047 / 262144},
}
for _, c in ipairs(uppers) do
  local d, w, want = c[1], c[2], c[3]
  t.is(bound.upper(w, d), want, ("upper(%d layers of %d, d=%d) exact, orthant by default"):format(#w, w[1], d))
  t.is(bound.upper(w[1], #w, d), want, "(n, k, d) form agrees")
  t.is(bound.upper(w, d, true, false), want, "explicit orthant=true, zero_bias=false")
end
t.is(bound.upper({2, 2, 2}, 2, false), 3969 / 4096, "U_hidden([2,2,2]) = (63/64)^2")
t.is(bound.upper(2, 3, 9, false), 3969 / 4096, "U_hidden(2, 3) whatever d")
t.is(bound.upper(rep(1, 10), 4, false), (3 / 4) ^ 9, "U_hidden([1]*10) = (3/4)^9")
t.ok(math.abs(bound.upper(rep(1, 10), 4, false) - 0.0750846863) < 5e-11, "= 0.0750846863 (theory.md §10.1)")
t.is(bound.upper({2}, 3, true, true), 63 / 64, "zero_bias: exponent n d")
t.is(bound.log_lower(1, 1), log(0.5), "sanity: log_lower(1, 1)")
t.is(bound.upper(1e6, 1e12, 1e6), 1.0, "exponents of 1e12 neither overflow nor fail")

-- ---- union, sandwich, flip, whole space -----------------------------------------------
t.is(bound.union({2, 2, 2}, 2), 27 / 32, "union([2,2,2], 2) = 2 L")
t.is(bound.union(2, 3, 3), 1.0, "union is capped at 1")
local lo, L, hi, S = bound.sandwich(2, 10)
t.is(S, 2.5, "sandwich(2, 10): S = 2.5")
t.is(lo, 0.03125, "sandwich lower = 0.03125")
t.is(L, 59049 / 1048576, "sandwich value = L")
t.near(hi, exp(-2.5), 1e-15, "sandwich upper = exp(-S)")
t.ok(math.abs(L - 0.05631) < 5e-6 and math.abs(hi - 0.08208) < 5e-6, "0.03125 <= 0.05631 <= 0.08208")
local lo2, L2, hi2, S2 = bound.sandwich(rep(2, 10))
t.ok(lo2 == lo and L2 == L and hi2 == hi and S2 == S, "widths form of sandwich agrees")
t.is(bound.flip(10), 0.0009765625, "flip guarantee 2^-10")
for _, c in ipairs{{2, 3 / 4}, {3, 1 / 2}, {5, 3 / 16}} do
  local p, q = bound.whole_space(c[1], 1)
  t.ok(p == c[2] and q == 1 - c[2], ("whole_space(%d, 1) = %g"):format(c[1], c[2]))
end
local p, q = bound.whole_space(100, 98)
t.near(q, 101 * 2.0 ^ -100, 1e-13, "whole_space(100, 98): tiny q = 101 / 2^100")
t.is(select(1, bound.whole_space(2, 5)), 1.0, "n <= d: p = 1")
-- whole_space counts the orthants an affine line meets: it is the law with
-- random biases. Checked on drawn nets (d = 1: some x kills layer 1 when the
-- half-lines {x : w_j x + b_j <= 0} share a point). With zero biases x = 0
-- always ties and a non-zero x kills with Cover's 2^(1-n) instead, which the
-- help and man page now say rather than leaving the default nets implied.
local function some_x_kills(net)
  local W, b = net:weights(1), net:bias(1)
  local lo, hi = -math.huge, math.huge
  for j = 1, #b do
    local w = W[j][1]
    if w > 0 then hi = math.min(hi, -b[j] / w)
    elseif w < 0 then lo = math.max(lo, -b[j] / w)
    elseif b[j] > 0 then return false end
  end
  return lo <= hi and (lo ~= 0 or hi ~= 0 or #b == 0)
end
local N = 20000
for n = 1, 5 do
  for _, bias in ipairs{1, 0} do
    local killed = 0
    for s = 1, N do
      local net = relu(1, n, {input = 1, bias = bias, seed = 1000000 * n + s})
      if bias == 0 then
        -- a non-zero x kills when every weight has the sign opposite to x
        local W, pos, neg = net:weights(1), 0, 0
        for j = 1, n do if W[j][1] > 0 then pos = pos + 1 else neg = neg + 1 end end
        if pos == n or neg == n then killed = killed + 1 end
      elseif some_x_kills(net) then
        killed = killed + 1
      end
    end
    local want = bias == 1 and bound.whole_space(n, 1) or 2.0 ^ (1 - n)
    t.sigma(killed / N, want, math.sqrt(want * (1 - want) / N + 1 / N ^ 2), 4,
            ("some x in R kills a width-%d layer, %s: %s"):format(n, bias == 1 and "N(0,1) biases" or "zero biases (x != 0)",
             bias == 1 and "bound.whole_space" or "2^(1-n)"))
  end
end

-- ---- inverse questions -------------------------------------------------------------------
local ks = {1, 2, 5, 10, 20, 50, 100, 1000, 1e4, 1e6}
local nmin = {
  [0.5] = {1, 2, 3, 4, 5, 7, 8, 11, 14, 21},
  [0.9] = {4, 5, 6, 7, 8, 9, 10, 14, 17, 24},
  [0.99] = {7, 8, 9, 10, 11, 13, 14, 17, 20, 27},
}
for _, pr in ipairs{0.5, 0.9, 0.99} do
  local got, ok = {}, true
  for i, k in ipairs(ks) do
    got[i] = bound.width_for(k, pr)
    ok = ok and got[i] == nmin[pr][i]
  end
  t.ok(ok, ("n_min(k, p=%g) = %s"):format(pr, table.concat(got, " ")))
end
local n = bound.width_for(1e12, 0.5)
t.is(math.type(n), "integer", "width_for returns an integer")
t.ok(bound.lower(n, 1e12) >= 0.5, ("width_for(1e12, 0.5) = %d reaches 0.5"):format(n))
t.ok(bound.lower(n - 1, 1e12) < 0.5, "and one less does not")
local k = bound.depth_for(10, 0.5)
t.ok(bound.lower(10, k) >= 0.5 and bound.lower(10, k + 1) < 0.5, ("depth_for(10, 0.5) = %d at the boundary"):format(k))
t.is(bound.depth_for(2000, 0.5), math.huge, "depth_for beyond the largest double is inf")
for c, want in pairs{[0] = 0.38532, [1] = 0.62074, [2] = 0.78787, [3] = 0.88762} do
  local w = ceil(log(1e6, 2)) + c
  local got = bound.lower(w, 1e6)
  t.ok(math.abs(got - want) < 5e-6 and math.abs(got / exp(-1e6 * 2.0 ^ -w) - 1) < 1e-6,
       ("limit n = log2 k + %d at k = 1e6: %.5f ~ exp(-k 2^-n)"):format(c, want))
end

-- ---- per-layer table -------------------------------------------------------------------------
local tab = bound.layers{3, 1, 4, 2, 5}
local survival = {0.875, 0.5, 0.9375, 0.75, 0.96875}
local ok, prefix = #tab == 5, {}
for l, row in ipairs(tab) do
  prefix[l] = row.width
  ok = ok and row.layer == l and row.survival == survival[l] and row.hazard == 1 - survival[l]
          and row.cumulative == bound.lower(prefix) and row.death == bound.death(prefix)
end
t.ok(ok, "layers{3,1,4,2,5}: survival, hazard, cumulative per layer")
t.is(tab.lower, bound.lower{3, 1, 4, 2, 5}, "layers().lower is L")
t.is(getmetatable(tab).__name, "relush.BoundLayers", "layers table has a named metatable")
local text = tostring(tab)
local lines, widths = {}, {}
for line in text:gmatch("[^\n]+") do lines[#lines + 1] = line end
t.ok(text:find("survival", 1, true) and text:find("cumulative", 1, true), "printout has a header")
for i = #lines - 6, #lines do widths[#widths + 1] = #lines[i] end
t.ok(#lines >= 7 and widths[1] == widths[3] and widths[3] == widths[7], "printout rows are aligned")
t.is(#bound.layers(4, 10), 10, "layers(n, k) form")

-- ---- schedules ---------------------------------------------------------------------------------
local function log2ceil(a) return function(l) return ceil(a * log(l + 1, 2)) end end
local r = bound.schedule(log2ceil(2), {layers = 1000000})
t.ok(math.abs(r.partial - 0.5586) < 5e-5, ("prod_{l<=1e6} = 0.5586 (theory.md §10.1), got %.6f"):format(r.partial))
t.ok(r.positive and r.monotone and not r.finite, "2 log2(l+1): positive, monotone")
t.ok(r.lower <= r.limit and r.limit <= r.upper and r.upper <= r.partial, "lower <= limit <= upper <= partial")
t.is(r.layers, 1000000, "layers summed")
t.is(getmetatable(r).__name, "relush.BoundSchedule", "schedule result has a named metatable")
t.ok(tostring(r):find("limit", 1, true), "schedule result prints")
local r2 = bound.schedule(log2ceil(1), {layers = 1000000})
t.ok(math.abs(r2.partial - 3.4e-5) < 0.05e-5, ("ceil(log2(l+1)): prod to 1e6 = 3.4e-5 (%g)"):format(r2.partial))
t.ok(not r2.positive and r2.limit == 0 and r2.rest == math.huge, "diverges: limit 0")
-- the class of divergent schedules includes widths so large that 2^-n_l
-- underflows (any constant width: sum 2^-n = inf), and of convergent ones
-- those shifted by a large width: condensation works in log space
-- a bound its printed digits hold exactly prints as it is (lower = 1 printed
-- as 0.999999999), others rounded outwards
for _, c in ipairs{{function() return 2000 end, "1"}, {function(l) if l < 5 then return 1 end end, "0.0625"}} do
  local text = tostring(bound.schedule(c[1]))
  t.ok(text:find("\nlower +" .. c[2]:gsub("%.", "%%.") .. " ") and text:find("\nupper +" .. c[2]:gsub("%.", "%%.") .. " "),
       "schedule printout: lower and upper exactly " .. c[2])
end
for _, base in ipairs{1, 80, 1100, 2000, 2^60, 1e300} do
  local c = bound.schedule(function() return base end)
  t.ok(not c.positive and c.limit == 0 and c.rest == math.huge and c.decay < 1,
       ("constant width %g diverges: limit 0 (positive %s, decay %g)"):format(base, tostring(c.positive), c.decay))
  local g = bound.schedule(function(l) return base + ceil(log(l + 1, 2)) end)
  t.ok(base >= 2^53 or not g.positive and g.limit == 0,
       ("%g + ceil(log2(l+1)) diverges (positive %s)"):format(base, tostring(g.positive)))
  local g2 = bound.schedule(function(l) return base + ceil(2 * log(l + 1, 2)) end)
  t.ok(base >= 2^53 or g2.positive and g2.limit > 0 and g2.decay > 1,
       ("%g + ceil(2 log2(l+1)) converges (positive %s, decay %g)"):format(base, tostring(g2.positive), g2.decay))
end
local w5 = {3, 1, 4, 2, 5}
local r3 = bound.schedule(function(l) return w5[l] end)
t.ok(r3.finite and r3.depth == 5 and r3.limit == bound.lower(w5), "a finite schedule is exact")
r3 = bound.schedule(function(l) return w5[l] end, {layers = 5})
t.ok(r3.finite and r3.depth == 5 and r3.limit == bound.lower(w5), "also when it ends right after layers")
r3 = bound.schedule(function(l) return l <= 1000 and 10 or nil end, {layers = 100})
t.ok(r3.finite and r3.depth == 1000 and r3.lower <= bound.lower(10, 1000) * (1 + 1e-13)
     and r3.upper >= bound.lower(10, 1000) * (1 - 1e-13), "the end of a long schedule is found by probing")
t.raises(function() bound.schedule(function() return 0 end) end, {"layer 1", "integers >= 1"},
         "schedule width 0 is refused")
t.raises(function() bound.schedule(function(l) if l > 3 then error("boom") end return 2 end) end,
         {"layer 4", "boom"}, "schedule function errors name the layer")
t.raises(function() bound.schedule(function() return 2 end, {depth = 3}) end, {"unknown option"},
         "schedule options are checked")

-- ---- argument errors ---------------------------------------------------------------------------
local errors = {
  {function() return bound.lower(0, 3) end, {"#1", "'lower'", "width must be an integer >= 1", "got 0"}},
  {function() return bound.lower(2.5, 3) end, {"#1", "width", "2.5"}},
  {function() return bound.lower(2, 1.5) end, {"#2", "depth must be an integer", "1.5"}},
  {function() return bound.lower(2, -1) end, {"#2", "depth"}},
  {function() return bound.lower(2, 0 / 0) end, {"#2", "depth", "nan"}},
  {function() return bound.lower(2, math.huge) end, {"#2", "depth", "inf"}},
  {function() return bound.log_lower(0 / 0, 2) end, {"#1", "width", "nan"}},
  {function() return bound.death(math.huge, 2) end, {"#1", "width", "inf"}},
  {function() return bound.lower{2, 0} end, {"widths[2]", "got 0"}},
  {function() return bound.lower{2, 1.5} end, {"widths[2]", "integer"}},
  {function() return bound.lower("wide") end, {"#1", "list of widths"}},
  {function() return bound.lower(2) end, {"#2", "depth"}},
  {function() return bound.upper({2}, 0) end, {"#2", "input dimension"}},
  {function() return bound.upper({2}, 2, "yes") end, {"#3", "orthant must be true or false"}},
  {function() return bound.upper(2, 3, 2, true, 1) end, {"#5", "zero_bias"}},
  {function() return bound.union({2}, 0) end, {"#2", "number of points"}},
  {function() return bound.width_for(10, 1) end, {"#2", "p must be a probability", "got 1"}},
  {function() return bound.width_for(10, 0) end, {"#2", "p must be a probability"}},
  {function() return bound.width_for(10, 0 / 0) end, {"#2", "p must be", "nan"}},
  {function() return bound.width_for(1.5, 0.5) end, {"#1", "'width_for'", "depth", "1.5"}},
  {function() return bound.depth_for(0, 0.5) end, {"#1", "width"}},
  {function() return bound.depth_for(3, 1.2) end, {"#2", "p must be"}},
  {function() return bound.whole_space(3, -1) end, {"#2", "input dimension"}},
  {function() return bound.whole_space(0.5, 1) end, {"#1", "width"}},
  {function() return bound.layers(2, 2e5) end, {"#2", "at most 100000"}},
  {function() return bound.schedule(5) end, {"#1", "function expected"}},
  {function() return bound.schedule(log2ceil(2), {layers = -1}) end, {"layers"}},
  {function() return bound.flip(-2) end, {"#1", "depth"}},
}
for i, c in ipairs(errors) do
  t.raises(c[1], c[2], ("argument error %d names the argument: %s"):format(i, c[2][#c[2]]))
end

-- ---- depth 0: the empty widths list is the net of width n and depth 0 ----------------
-- theory.md §3.1: L_0 is the empty product, so zero layers survive with
-- probability 1. Every function taking a network agrees, whichever form it
-- is given in (bound.lower({}) once refused while bound.lower(n, 0) gave 1).
do
  local takers = {
    {"lower", {}, 1}, {"log_lower", {}, 0}, {"death", {}, 0},
    {"upper", {3}, 1}, {"upper", {1, false}, 1}, {"upper", {2, true, true}, 1},
    {"union", {5}, 1}, {"sandwich", {}, 1},
  }
  local differ = {}
  for _, c in ipairs(takers) do
    local empty = table.pack(bound[c[1]]({}, table.unpack(c[2])))
    if empty[1] ~= c[3] then differ[#differ + 1] = c[1] .. "({}) = " .. tostring(empty[1]) end
    for _, n in ipairs{1, 2, 7, 64} do
      local uniform = table.pack(bound[c[1]](n, 0, table.unpack(c[2])))
      for i = 1, math.max(empty.n, uniform.n) do
        if empty[i] ~= uniform[i] then
          differ[#differ + 1] = ("%s: value %d of {} is %s, of (%d, 0) %s"):format(c[1], i, tostring(empty[i]),
                                                                                   n, tostring(uniform[i]))
        end
      end
    end
  end
  t.none(differ, "every bound of a network gives the empty widths list the value of depth 0 (the empty product)")
  local tab = bound.layers({})
  t.ok(#tab == 0 and tab.lower == 1 and tab.log_lower == 0 and tab.death == 0
       and tostring(tab):find("0 layers", 1, true),
       "bound.layers({}) is the table of no layers, L = 1, as bound.layers(n, 0)")
end

-- ---- properties (fixed seed) ---------------------------------------------------------------------
math.randomseed(20240601)
local le_upper, mono, anti, inverse = true, true, true, true
for _ = 1, 400 do
  local depth, w = math.random(1, 10), {}
  for i = 1, depth do w[i] = math.random(1, 40) end
  local d = math.random(1, 10)
  local Lw, logL = bound.lower(w), bound.log_lower(w)
  for _, orth in ipairs{true, false} do
    for _, zb in ipairs{true, false} do
      le_upper = le_upper and Lw <= bound.upper(w, d, orth, zb)
    end
  end
  local v = table.move(w, 1, depth, 1, {})
  local i = math.random(1, depth)
  v[i] = v[i] + math.random(1, 5)
  -- values may switch between the exact and the log path: 2 ulps of slack
  mono = mono and bound.log_lower(v) >= logL and bound.lower(v) >= Lw * (1 - 4.5e-16)
  v = table.move(w, 1, depth, 1, {})
  v[depth + 1] = math.random(1, 40)
  anti = anti and bound.log_lower(v) <= logL and bound.lower(v) <= Lw * (1 + 4.5e-16)
  local kk = floor(exp(math.random() * log(1e12))) + 1
  local pp = 0.01 + 0.98 * math.random()
  local nn = bound.width_for(kk, pp)
  inverse = inverse and bound.lower(nn, kk) >= pp and (nn == 1 or bound.lower(nn - 1, kk) < pp)
            and bound.depth_for(nn, pp) >= kk and (nn == 1 or bound.depth_for(nn - 1, pp) < kk)
  local m = math.random(1, 40)
  local km = bound.depth_for(m, pp)
  inverse = inverse and bound.lower(m, km) >= pp and bound.lower(m, km + 1) < pp
            and bound.width_for(km, pp) <= m and bound.width_for(km + 1, pp) > m
end
t.ok(le_upper, "L <= U for random widths, d, orthant, zero_bias")
t.ok(mono, "L is monotone in each width")
t.ok(anti, "L is antitone in depth")
t.ok(inverse, "width_for and depth_for are inverse at the boundary")

-- ---- help and man page ---------------------------------------------------------------------------
local names = {}
for name in pairs(bound) do names[#names + 1] = name end
table.sort(names)
local man
local srcdir = os.getenv("RELUSH_SRCDIR")
if srcdir then
  local f = io.open(srcdir .. "/man/relush.1")
  if f then man = f:read("a"); f:close() end
end
for _, name in ipairs(names) do
  local h = relush._help["bound." .. name]
  t.ok(h and h.topic == "bounds" and #h.summary > 0 and #h.signature > 0,
       "help entry for bound." .. name)
  local chunk = h and load(h.example, "example", "t", setmetatable({bound = bound}, {__index = _G}))
  t.ok(chunk and pcall(chunk), "help example of bound." .. name .. " runs")
  if man then
    t.ok(man:find("bound." .. name, 1, true), "man page entry for bound." .. name)
  else
    t.skip("man page entry for bound." .. name, "RELUSH_SRCDIR is not set or has no man/relush.1")
  end
end

-- a death probability that underflows is +0, never -0 (which prints "-0.0")
t.is(1 / bound.death(1e6, 1e12), math.huge, "bound.death(1e6, 1e12) is +0")
t.done()

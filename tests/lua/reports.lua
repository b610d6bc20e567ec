-- reports.lua: what the printed reports claim holds for the architecture
-- they describe (doc/theory.md §7), and the schedule printout shows only the
-- digits its rigorous bracket knows (§5.4).
local t = require "tap"

local X = inputs.gaussian(8, 3, {seed = 2})
local runs = {}
for _, arch in ipairs{"plain", "skip", "residual", "dense", "batchnorm"} do
  runs[arch] = mc{depth = 12, width = 3, trials = 2000, seed = 1, arch = arch, X = X}
end

-- the report's bounds column is the architecture's own
local function report(arch) return tostring(runs[arch]) end
t.ok(report("plain"):find("<= P <= U", 1, true) and report("plain"):find("E[F] = L", 1, true),
  "plain: L <= P <= U and E[F] = L")
for _, arch in ipairs{"skip", "residual", "dense", "batchnorm"} do
  t.ok(not report(arch):find("<= P <= U", 1, true), arch .. ": no plain-chain L <= P <= U claim")
end
t.ok(report("skip"):find("E[F] = 1-2^-n1 0.8750", 1, true), "skip: E[F] = 1 - 2^-n1")
t.ok(not report("skip"):find("E[F] = L", 1, true), "skip: no E[F] = L claim")
t.ok(report("batchnorm"):find("E[F] = L", 1, true) and report("batchnorm"):find("mL", 1, true),
  "batchnorm: L <= P <= mL and E[F] = L (P(x living) = L still holds)")
for _, arch in ipairs{"residual", "dense"} do
  t.ok(report(arch):find("P = 1", 1, true) and not report(arch):find("E[F] = L", 1, true),
    arch .. ": P = 1, no E[F] = L claim")
end

-- and what is printed holds, within 4 standard errors
local function within(r, mean, name)
  local se = math.sqrt(mean * (1 - mean) / r.trials)
  t.ok(math.abs(r.fraction - mean) <= 4 * se + 1e-12,
    ("%s: mean F %.4f vs %.4f (4 se = %.4f)"):format(name, r.fraction, mean, 4 * se))
end
within(runs.skip, 1 - 2 ^ -3, "skip")
t.ok(runs.skip.p_alive >= 1 - 2 ^ -3 - 4 * math.sqrt(0.875 * 0.125 / 2000), "skip: P >= 1 - 2^-n1")
t.ok(runs.skip.p_alive > runs.skip.upper, "skip: P exceeds the plain chain's U, which is why it is not printed")
t.is(runs.residual.p_alive, 1.0, "residual: P(alive) = 1")
t.is(runs.dense.p_alive, 1.0, "dense: P(alive) = 1")
within(runs.batchnorm, bound.lower(3, 12), "batchnorm")

-- p_all_active against P(alive), as the man page states
t.is(runs.plain.p_all_active, runs.plain.p_alive, "plain: p_all_active = P(alive)")
for _, arch in ipairs{"residual", "dense", "skip"} do
  t.ok(runs[arch].p_all_active < runs[arch].p_alive,
    ("%s: p_all_active %.4f < P(alive) %.4f"):format(arch, runs[arch].p_all_active, runs[arch].p_alive))
end
t.is(runs.skip.p_all_active, runs.plain.p_alive, "skip: p_all_active is the plain chain's P(alive)")
t.ok(runs.batchnorm.p_all_active == 1 and runs.batchnorm.p_alive < 1,
  "batchnorm: p_all_active = 1 above the strict P(alive)")

-- the schedule printout: the bracket rounded outwards, the limit no finer
for _, f in ipairs{function(l) return math.ceil(2 * math.log(l + 1, 2)) end,
                   function(l) return 3 + math.floor(math.log(l, 2)) * 2 end} do
  local s = bound.schedule(f, {layers = 2000})
  local text = tostring(s)
  local lo, hi = text:match("bracket%s+%[([^,]+), ([^%]]+)%]")
  t.ok(lo and tonumber(lo) <= s.lower and tonumber(hi) >= s.upper,
    ("bracket [%s, %s] contains [%.17g, %.17g]"):format(lo, hi, s.lower, s.upper))
  local shown = text:match("limit%s+~(%S+)")
  local digits = #shown:gsub("^0%.0*", ""):gsub("%.", "")
  local known = #lo:gsub("^0%.0*", ""):gsub("%.", "")
  t.ok(digits <= math.max(#hi:gsub("^0%.0*", ""):gsub("%.", ""), known),
    ("limit ~%s has no more digits than the bracket"):format(shown))
  t.ok(not text:find(("%.14g"):format(s.limit), 1, true), "the 14-digit limit is not printed")
end

-- every per-layer table is cut the same way when long: the first 15 and the
-- last 10 layers, a "..." row, and a line naming the hidden layers and where
-- they all are; 30 layers or fewer print whole
local Xs = inputs.gaussian(4, 2, {seed = 1})
local makers = {
  ["bound.layers"] = function(k) return bound.layers(2, k) end,
  ["mc"] = function(k) return mc{depth = k, width = 2, trials = 20, seed = 1} end,
  ["net:death"] = function(k) return relu(k, 2, {seed = 1}):death(Xs) end,
  ["net:flip"] = function(k) return relu(k, 2, {seed = 1}):flip(Xs) end,
  ["net:alignment"] = function(k) return relu(k, 2, {seed = 1}):alignment(Xs) end,
}
for name, make in pairs(makers) do
  for _, k in ipairs{30, 31, 100, 100000} do
    if k <= 100 or name == "bound.layers" then
      local text = tostring(make(k))
      local rows, last = 0, nil
      for line in text:gmatch("[^\n]+") do
        local l = tonumber(line:match("^%s*(%d+)%s"))
        if l then rows, last = rows + 1, l end
      end
      local note = text:match("%(layers 16 to (%d+) of (%d+) not shown; all are in [^)]+%)")
      if k <= 30 then
        t.ok(not note and last == k and rows >= k, name .. " at depth " .. k .. " prints every layer")
      else
        t.ok(note and text:find("\n%.%.%.") and last == k and rows <= 25 + 1,
             name .. " at depth " .. k .. " shows 25 layers and says which " .. (k - 25) .. " are hidden")
      end
    end
  end
end

t.done()

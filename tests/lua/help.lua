-- help.lua: the help registry (module._help) against the live API and the
-- manual. Every function of the module and its tables, every global
-- function outside Lua's own, and every method of the types reachable from
-- sample objects needs an entry; every entry must name something real and
-- appear in man/relush.1. help(), completion and the man page read the same
-- registry (built from the API table, src/lua/api.c), so this test is what
-- keeps them from drifting apart. tests/lua/api.lua checks the table itself.
local t = require "tap"
local relush = require "relush"
local reg = relush._help

t.ok(type(reg) == "table", "the module has a help registry")

-- ---- every entry is complete
do
  local bad = {}
  for name, e in pairs(reg) do
    for _, field in ipairs{"topic", "signature", "summary", "example"} do
      if type(e[field]) ~= "string" or e[field] == "" then
        bad[#bad + 1] = name .. "." .. field
      end
    end
  end
  t.none(bad, "every entry has topic, signature, summary and example", ": missing ")
end

-- ---- module functions and tables of functions
local function callable(v)
  if type(v) == "function" then return true end
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__call ~= nil
end

local missing = {}
local function need(name)
  if not reg[name] then missing[#missing + 1] = name end
end

for k, v in pairs(relush) do
  if type(k) == "string" and k:sub(1, 1) ~= "_" then
    if callable(v) then
      need(k)
    end
    if type(v) == "table" then
      for k2, v2 in pairs(v) do
        if type(k2) == "string" and k2:sub(1, 1) ~= "_" and callable(v2) then
          need(k .. "." .. k2)
        end
      end
    end
  end
end

-- ---- globals that are not Lua's own
local lua_base = {}
for name in ([[assert collectgarbage dofile error getmetatable ipairs load loadfile
  next pairs pcall print rawequal rawget rawlen rawset require select setmetatable
  tonumber tostring type xpcall warn]]):gmatch("%S+") do lua_base[name] = true end
local lua_libraries = {}
for name in ("_G string table math io os coroutine debug utf8 package"):gmatch("%S+") do
  lua_libraries[name] = true
end
for k, v in pairs(_G) do
  if type(k) == "string" and callable(v) and not lua_base[k] then need(k) end
  -- (the global relush is the module itself, checked above)
  if type(k) == "string" and type(v) == "table" and not lua_libraries[k] and relush[k] ~= v
     and v ~= relush then
    for k2, v2 in pairs(v) do
      if type(k2) == "string" and k2:sub(1, 1) ~= "_" and callable(v2) then
        need(k .. "." .. k2)
      end
    end
  end
end

-- ---- methods of the types reachable from sample objects
local samples = {}
local function sample(what, make)
  local ok, v = pcall(make)
  if ok and v ~= nil then samples[#samples + 1] = {what = what, value = v} end
  return ok and v or nil
end
local net = sample("net", function() return relu(3, 4, {seed = 1}) end)
local X = sample("matrix", function() return inputs.gaussian(6, 4, {seed = 1}) end)
sample("death report", function() return net:death(X) end)
if mc then
  local r = sample("mc result", function() return mc{depth = 2, width = 3, trials = 16, seed = 1} end)
  if r and r.replay then sample("replayed net", function() return r:replay(1) end) end
end
if net and net.flip then sample("flip report", function() return net:clone():flip(X) end) end
if net and net.bounds then sample("net bounds", function() return net:bounds() end) end
if net and net.alignment then sample("alignment", function() return net:alignment(X) end) end
if bound and bound.layers then sample("bound layers", function() return bound.layers{3, 4} end) end
if plot and plot.lines then sample("plot", function() return plot.lines{x = {1, 2}, series = {{name = "a", y = {1, 2}}}} end) end
if bound and bound.schedule then sample("bound schedule", function() return bound.schedule(function(l) return l <= 3 and 4 or nil end) end) end
t.ok(#samples >= 3, "sample objects: " .. #samples)

local function methods_of(v)
  local mt = getmetatable(v)
  if type(mt) ~= "table" then return nil end
  local m = type(mt.__index) == "table" and mt.__index or mt.__methods
  return type(m) == "table" and m or nil
end

-- prefix ("net") -> sample, for field entries like "net.depth"
local prefix_sample = {}
local seen_types = {}
for _, s in ipairs(samples) do
  local mt = getmetatable(s.value)
  local methods = methods_of(s.value)
  if methods and not seen_types[mt] then
    seen_types[mt] = true
    local names = {}
    for m, f in pairs(methods) do
      if type(m) == "string" and m:sub(1, 1) ~= "_" and type(f) == "function" then
        names[#names + 1] = m
      end
    end
    -- the type's variable name, from the API table: _types[metatable name]
    local best = relush._types and relush._types[mt.__name]
    for _, m in ipairs(names) do
      need((best or ("<" .. s.what .. ">")) .. ":" .. m)
    end
    if best then prefix_sample[best] = s.value end
  end
end

table.sort(missing)
t.is(#missing, 0, "every function and method of the API has a help entry" ..
  (#missing > 0 and (": missing " .. table.concat(missing, ", ")) or ""))

-- ---- every entry names something real
do
  local stale = {}
  for name, entry in pairs(reg) do
    local ok = false
    local p, m = name:match("^([%w_]+):([%w_]+)$")
    if type(entry) == "table" and entry.topic == "guide" then
      ok = true   -- a how-to (help "single_layer"), not an API name
    elseif p then
      local s = prefix_sample[p]
      local methods = s and methods_of(s)
      ok = methods ~= nil and type(methods[m]) == "function"
      if not s then
        -- a type none of the samples reached: accept a method of any sample
        for _, smp in ipairs(samples) do
          local ms = methods_of(smp.value)
          if ms and type(ms[m]) == "function" then ok = true end
        end
      end
    else
      local a, b = name:match("^([%w_]+)%.([%w_]+)$")
      if a then
        local owner = relush[a] or _G[a]
        if type(owner) == "table" then
          ok = owner[b] ~= nil
        elseif a == "relush" then
          ok = relush[b] ~= nil
        elseif prefix_sample[a] then
          ok = prefix_sample[a][b] ~= nil
        else
          for _, smp in ipairs(samples) do
            local okf, v = pcall(function() return smp.value[b] end)
            if okf and v ~= nil then ok = true end
          end
        end
      else
        ok = relush[name] ~= nil or _G[name] ~= nil
        -- a guide: an entry that is its own topic, read with help "name"
        ok = ok or (reg[name].topic == name and reg[name].signature == 'help "' .. name .. '"')
      end
    end
    if not ok then stale[#stale + 1] = name end
  end
  table.sort(stale)
  t.is(#stale, 0, "every registry entry names a real function, method or field" ..
    (#stale > 0 and (": stale " .. table.concat(stale, ", ")) or ""))
end

-- ---- completion's option lists name real options
do
  local options = relush._options
  t.ok(type(options) == "table" and type(options.relu) == "table" and #options.relu > 0,
    "module._options.relu lists relu's options for completion")
  local unknown = {}
  -- explained in the function's own help, or, for a function that takes
  -- another's options ("every mc option", "mc's options"), in that one's
  local function explains(e, opt)
    return e and (e.summary:find(opt, 1, true) or e.signature:find(opt, 1, true))
  end
  local function borrowed(e, opt)
    for owner, list in pairs(options) do
      if e ~= reg[owner] and (e.summary:find(owner .. " option", 1, true) or e.summary:find(owner .. "'s option", 1, true)) then
        for _, o in ipairs(list) do
          if o == opt and explains(reg[owner], opt) then return true end
        end
      end
    end
    return false
  end
  for fn, list in pairs(options or {}) do
    for _, opt in ipairs(list) do
      local e = reg[fn]
      if not (explains(e, opt) or (e and borrowed(e, opt))) then
        unknown[#unknown + 1] = fn .. "{" .. opt .. "}"
      end
    end
  end
  table.sort(unknown)
  -- every function whose signature takes an options table has its option
  -- list (so completion offers the names there): mc.sweep{, view(mc_options)
  local without = {}
  for name, e in pairs(reg) do
    local sig = e.signature or ""
    local takes = sig:find("[%w_%]%)]%s*{") or sig:find("opts") or sig:find("options")
    if takes and not sig:find("^[%w_.:]+%s*=") and not options[name] then without[#without + 1] = name end
  end
  table.sort(without)
  t.none(without, "every function taking an options table has its option names for completion")
  t.is(#unknown, 0, "every completed option is explained in its function's help" ..
    (#unknown > 0 and (": not in the help text: " .. table.concat(unknown, ", ")) or ""))
end

-- ---- the manual
do
  local srcdir = os.getenv("RELUSH_SRCDIR") or "."
  local f = io.open(srcdir .. "/man/relush.1", "r")
  t.ok(f ~= nil, "man/relush.1 exists")
  local text = f and f:read("a") or ""
  if f then f:close() end
  -- plain text: drop font escapes and zero-width marks, unescape hyphens
  text = text:gsub("\\f%[[^%]]*%]", ""):gsub("\\f%(..", ""):gsub("\\f.", "")
             :gsub("\\&", ""):gsub("\\%%", ""):gsub("\\%-", "-"):gsub("\\e", "\\")
  local absent = {}
  for name in pairs(reg) do
    if not text:find(name, 1, true) then absent[#absent + 1] = name end
  end
  table.sort(absent)
  t.is(#absent, 0, "every registry name appears in man/relush.1" ..
    (#absent > 0 and (": absent " .. table.concat(absent, ", ")) or ""))
end

t.done()

-- paper.lua: the paper scripts run quick under make check:
-- shrink.lua in detail (CSV columns, SVG series and band), and every other
-- script passing its own claims and writing its CSV and SVG.
local t = require "tap"
local xml = require "xmlcheck"

local relush, srcdir = os.getenv("RELUSH"), os.getenv("RELUSH_SRCDIR")
if not relush or not srcdir then
  t.ok(true, "# SKIP RELUSH and RELUSH_SRCDIR are set by make check")
  t.done()
end

local dir = os.tmpname()
os.remove(dir)
local script = srcdir .. "/scripts/paper/shrink.lua"

local function run(args)
  local f = io.popen(("'%s' '%s' %s 2>&1; echo \"exit=$?\""):format(relush, script, args))
  local out = f:read("a")
  f:close()
  return out, tonumber(out:match("exit=(%d+)%s*$"))
end

local out, status = run("--quick --out '" .. dir .. "'")
t.is(status, 0, "shrink.lua --quick exits 0")
t.ok(out:find("PASS", 1, true) and not out:find("FAIL", 1, true), "its checks pass")
t.ok(out:find("P(alive)", 1, true) and out:find("eps", 1, true), "it prints a figure and a table")

local csv = io.open(dir .. "/shrink.csv")
t.ok(csv, "shrink.csv is written into --out")
if csv then
  local header = csv:read("l")
  local rows = 0
  for line in csv:lines() do
    if line:match("^[%d.e-]+,%d+,%d+,") then rows = rows + 1 end
  end
  csv:close()
  t.is(header, "eps,trials,alive_trials,p_alive,ci_lo,ci_hi,lower,upper,ratio,fraction", "CSV header")
  t.is(rows, 13, "one CSV row per eps")
end

local f = io.open(dir .. "/shrink.svg")
local svg = f and f:read("a") or ""
if f then f:close() end
local ok, err = xml.check(svg)
t.ok(ok, "shrink.svg is well-formed XML" .. (err and (": " .. err) or ""))
local lint = xml.xmllint(dir .. "/shrink.svg")
t.ok(lint ~= false, lint == nil and "# SKIP xmllint is not installed" or "xmllint accepts shrink.svg")
local series = 0
for _ in svg:gmatch('class="series"') do series = series + 1 end
t.is(series, 2, "the SVG has its two series (P(alive) and L)")
t.ok(svg:find('class="band"', 1, true), "the SVG draws the confidence band")

-- Every other script, quick: its own claims pass and it writes CSV + SVG.
for _, name in ipairs{"depth", "width_for_depth", "single_layer", "flip", "architectures", "alignment"} do
  local f = io.popen(("'%s' '%s/scripts/paper/%s.lua' --quick --out '%s' 2>&1; echo \"exit=$?\""):format(
    relush, srcdir, name, dir))
  local text = f:read("a")
  f:close()
  local code = tonumber(text:match("exit=(%d+)%s*$"))
  t.ok(code == 0 and text:find("PASS", 1, true) and not text:find("FAIL", 1, true),
       name .. ".lua --quick passes its own checks")
  local svgf = io.open(dir .. "/" .. name .. ".svg")
  local body = svgf and svgf:read("a") or ""
  if svgf then svgf:close() end
  local csvf = io.open(dir .. "/" .. name .. ".csv")
  if csvf then csvf:close() end
  t.ok(csvf and xml.check(body) and body:find('class="series"', 1, true),
       name .. ".lua writes its CSV and a well-formed SVG with series")
  -- its tables, titles and notes fit a 78-column terminal (the check
  -- lines quote numbers and may be longer; plots, with their box-drawing
  -- and braille characters, are sized by plot:text)
  local wide
  for line in text:gmatch("[^\n]+") do
    if not line:match("^PASS") and not line:match("^FAIL") and not line:match("^wrote ")
       and not line:find("\xE2[\x94-\x95\xA0-\xA3]") and utf8.len(line) and utf8.len(line) > 78 then
      wide = wide or line
    end
  end
  t.ok(wide == nil, name .. ".lua prints its tables and notes within 78 columns" ..
       (wide and (" (got: " .. wide .. ")") or ""))
end

local _, bad = run("--bogus")
t.is(bad, 2, "an unknown argument is a usage error (exit 2)")

os.execute("rm -rf '" .. dir .. "'")
t.done()

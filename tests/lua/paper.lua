-- paper.lua: a smoke test of the paper scripts (issue 8): the cheapest one,
-- scripts/paper/shrink.lua --quick, runs with the built shell, passes its
-- own checks and writes a CSV and a well-formed SVG with its two series.
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

local _, bad = run("--bogus")
t.is(bad, 2, "an unknown argument is a usage error (exit 2)")

os.execute("rm -rf '" .. dir .. "'")
t.done()

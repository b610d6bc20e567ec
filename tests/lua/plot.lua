-- plot.lua: plot.lines and its three back ends: the SVG is
-- well-formed with one group per series, the CSV holds the data exactly,
-- the terminal rendering has the asked dimensions in braille and ASCII,
-- log axes reach 1e-300, and bad input meets a clear error.
local t = require "tap"
local xml = require "xmlcheck"

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p '" .. dir .. "'"))

local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function lines_of(s)
  local out = {}
  for line in s:gmatch("([^\n]*)\n") do out[#out + 1] = line end
  return out
end

local function count(s, pattern)
  local n = 0
  for _ in s:gmatch(pattern) do n = n + 1 end
  return n
end

-- ---- a plot like the depth experiment's
local depth = {1, 2, 4, 8, 16, 32, 64}
local L, U, P, lo, hi = {}, {}, {}, {}, {}
for i, k in ipairs(depth) do
  L[i] = 0.75 ^ k
  U[i] = (1 - 2 ^ -6) ^ (k - 1)
  P[i] = math.min(1, 1.8 * L[i])
  lo[i], hi[i] = 0.9 * P[i], math.min(1, 1.1 * P[i])
end
local p = plot.lines{
  x = depth, logx = true, logy = true,
  title = "P(alive) & depth <n=2>", xlabel = "depth k", ylabel = "P(alive)",
  series = {
    {name = "Monte Carlo", y = P, lo = lo, hi = hi, style = "points"},
    {name = "lower bound L", y = L, style = "dashed", color = 1},
    {name = "upper bound U", y = U},
  },
  refs = {{y = 0.5, label = "p = 0.5"}, {x = 10}},
}
t.is(getmetatable(p).__name, "relush.Plot", "plot.lines returns a relush.Plot")
t.is(#p, 7, "#p counts the x values")

-- ---- SVG
local svg_path = dir .. "/depth.svg"
t.is(p:svg(svg_path), svg_path, "p:svg returns the path")
local svg = slurp(svg_path) or ""
local counts = {}
local ok, err = xml.check(svg, counts)
t.ok(ok, "the SVG is well-formed XML" .. (err and (": " .. err) or ""))
local lint = xml.xmllint(svg_path)
if lint == nil then
  t.ok(true, "# SKIP xmllint is not installed")
else
  t.ok(lint, "xmllint --noout accepts the SVG")
end
t.ok(svg:match("^<%?xml") and svg:find("<svg xmlns=\"http://www.w3.org/2000/svg\"", 1, true),
     "a standalone SVG document")
t.is(count(svg, 'class="series"'), 3, "one series group per series")
t.is(count(svg, 'class="band"'), 0, "points with lo/hi are error bars, not a band")
t.is(count(svg, 'class="errorbars"'), 1, "the Monte Carlo series has error bars")
t.is(counts.circle and counts.circle >= 7, true, "one marker per Monte Carlo point")
t.ok(svg:find("stroke-dasharray=\"7 4\"", 1, true), "the dashed series is dashed")
t.is(count(svg, 'stroke="#1f77b4"'), 3, "color = 1 shares the first series' colour")
t.ok(svg:find("P(alive) &amp; depth &lt;n=2&gt;", 1, true), "the title is escaped")
t.ok(svg:find('class="legend"', 1, true) and svg:find(">upper bound U<", 1, true), "a legend names the series")
t.ok(svg:find('class="refs"', 1, true) and svg:find(">p = 0.5<", 1, true), "reference lines with their label")
t.ok(svg:find(">depth k<", 1, true) and svg:find(">P(alive)<", 1, true), "axis labels")
local leftovers = io.popen("ls -a '" .. dir .. "'"):read("a")
t.ok(not leftovers:find("tmp", 1, true), "no temporary file is left behind")

-- a band for a line series with lo/hi
local band = plot.lines{x = {1, 2, 3}, series = {{name = "m", y = {1, 2, 3}, lo = {0.5, 1.5, 2.5}, hi = {1.5, 2.5, 3.5}}}}
band:svg(dir .. "/band.svg")
local bsvg = slurp(dir .. "/band.svg")
t.ok(xml.check(bsvg), "a banded plot is well-formed")
t.is(count(bsvg, 'class="band"'), 1, "a line series with lo/hi gets a band")

-- ---- CSV
local csv_path = dir .. "/depth.csv"
t.is(p:csv(csv_path), csv_path, "p:csv returns the path")
local csv = lines_of(slurp(csv_path) or "")
t.is(#csv, 8, "CSV: a header and one row per x")
t.is(csv[1], "x,Monte Carlo,Monte Carlo_lo,Monte Carlo_hi,lower bound L,upper bound U", "CSV header")
local row_ok = true
for i = 1, 7 do
  local f = {}
  for v in (csv[i + 1] .. ","):gmatch("([^,]*),") do f[#f + 1] = tonumber(v) end
  local want = {depth[i], P[i], lo[i], hi[i], L[i], U[i]}
  for j = 1, 6 do row_ok = row_ok and f[j] == want[j] end
end
t.ok(row_ok, "CSV values read back exactly")
local gap = plot.lines{x = {1, 2, 3}, series = {{name = 'a "quoted", name', y = {1, 0/0, 3}}}}
gap:csv(dir .. "/gap.csv")
t.is(slurp(dir .. "/gap.csv"), 'x,"a ""quoted"", name"\n1,1\n2,\n3,3\n', "CSV: quoting and an empty cell for NaN")

-- ---- terminal
local function check_dims(s, w, h, what)
  local ls = lines_of(s)
  local dims = #ls == h and s:sub(-1) == "\n"
  for _, line in ipairs(ls) do dims = dims and utf8.len(line) == w end
  if not dims then t.diag(what .. ": " .. #ls .. " lines, first " .. tostring(utf8.len(ls[1] or ""))) end
  return dims
end
local braille = p:text{width = 60, height = 15, ascii = false}
t.ok(check_dims(braille, 60, 15, "braille"), "braille rendering is 15 lines of 60 columns")
t.ok(braille:find("[\226][\160-\163][\128-\191]"), "the braille rendering uses U+2800 patterns")
t.ok(braille:find("depth k", 1, true) and braille:find("lower bound L", 1, true), "xlabel and legend in the terminal")
local big = p:text{width = 100, height = 30, ascii = false}
t.ok(check_dims(big, 100, 30, "braille big"), "braille rendering is 30 lines of 100 columns")
local ascii = p:text{width = 50, height = 12, ascii = true}
t.ok(check_dims(ascii, 50, 12, "ascii"), "ASCII rendering is 12 lines of 50 columns")
t.ok(not ascii:find("[\128-\255]"), "the ASCII rendering is pure ASCII")
t.ok(ascii:find("*", 1, true) and ascii:find("|", 1, true), "ASCII has marks and an axis")
local coloured = p:text{width = 60, height = 15, ascii = false, colour = true}
t.ok(coloured:find("\27[", 1, true) and check_dims(coloured:gsub("\27%[%d+m", ""), 60, 15, "colour"),
     "colour adds ANSI codes only")
t.ok(coloured:find("\27[94m", 1, true) and not coloured:find("\27[34m", 1, true),
     "the first series is bright blue (readable on dark backgrounds), not dark blue")
-- without colour (NO_COLOR, a vt100) braille lines look alike: each series
-- carries its own glyph at its data points and in its legend
do
  local xs, below, above = {}, {}, {}
  for i = 1, 9 do xs[i], below[i], above[i] = i, i, i + 6 end
  local two = plot.lines{x = xs, series = {{name = "first", y = below}, {name = "second", y = above}}}
  for _, colour in ipairs{false, true} do
    local text = two:text{width = 70, height = 24, ascii = false, colour = colour}:gsub("\27%[%d+m", "")
    local o, x, legend = 0, 0, nil
    for _, line in ipairs(lines_of(text)) do
      if line:find("\u{2524}") or line:find("\u{2502}") then    -- the plot area (axis)
        local body = line:gsub("^[^\u{2524}\u{2502}]*[\u{2524}\u{2502}]", "")
        o = o + select(2, body:gsub("o", ""))
        x = x + select(2, body:gsub("x", ""))
      elseif line:find("first", 1, true) then
        legend = line
      end
    end
    local mode = colour and "with colour" or "without colour"
    t.is(o, 9, "braille " .. mode .. ": the first series has its glyph o at each of its 9 points")
    t.is(x, 9, "braille " .. mode .. ": the second series has its glyph x at each of its 9 points")
    t.ok(legend and legend:find("o[\226][\160-\163][\128-\191] first")
         and legend:find("x[\226][\160-\163][\128-\191] second"),
         "braille " .. mode .. ": the legend shows each series' glyph" .. (legend and (": " .. legend) or ""))
  end
  -- many points: markers about every 6 columns, not on every point
  local many_x, many_y = {}, {}
  for i = 1, 500 do many_x[i], many_y[i] = i, math.sin(i / 40) end
  local dense = plot.lines{x = many_x, series = {{name = "dense", y = many_y}}}
  local marks = select(2, dense:text{width = 72, height = 20, ascii = false}:gsub("o", ""))
  t.ok(marks >= 5 and marks <= 16, "a dense series gets about one glyph per 6 columns (" .. marks .. ")")
end
t.is(select(2, tostring(p):gsub("\n", "")), 20, "tostring(p) is the default 20-line rendering")
t.is(tostring(p), p:text(), "tostring(p) equals p:text() off a terminal")

-- ---- log axes down to 1e-300 (and a subnormal)
local tiny = plot.lines{x = {1, 2, 3, 4}, logy = true,
                        series = {{name = "tiny", y = {1, 1e-100, 1e-300, 5e-324}}}}
local tt = tiny:text{width = 60, height = 16, ascii = false}
t.ok(check_dims(tt, 60, 16, "tiny"), "a log axis to 5e-324 renders")
t.ok(tt:find("1e-300", 1, true) or tt:find("1e-200", 1, true), "log ticks label the tiny decades")
tiny:svg(dir .. "/tiny.svg")
local tsvg = slurp(dir .. "/tiny.svg")
t.ok(xml.check(tsvg) and not tsvg:find("nan", 1, true) and not tsvg:find("inf", 1, true),
     "the SVG of a 1e-300 plot has finite coordinates")
tiny:csv(dir .. "/tiny.csv")
t.ok(slurp(dir .. "/tiny.csv"):find("\n3,1e-300\n", 1, true), "1e-300 round-trips through the CSV")
local lx = plot.lines{x = {1e-300, 1e-150, 1}, logx = true, series = {{y = {1, 2, 3}}}}
t.ok(check_dims(lx:text{ascii = true}, 72, 20, "logx"), "a log x axis from 1e-300 renders")
t.ok(lx:text{ascii = true}:find("series 1", 1, true), "an unnamed series is named in the legend")

-- ---- errors
t.raises(function() plot.lines{x = {1, 2, 3}, series = {{y = {1, 2}}}} end,
         {"plot.lines", "series[1].y", "2 values", "x has 3"}, "mismatched lengths")
t.raises(function() plot.lines{x = {1, 2}, series = {{y = {1, "two"}}}} end,
         {"series[1].y[2]", "must be a number", "two"}, "a string value")
t.raises(function() plot.lines{x = {1, {}}, series = {{y = {1, 2}}}} end,
         {"'x'", "x[2]", "must be a number"}, "a table in x")
t.raises(function() plot.lines{x = {1, 2}, series = {}} end, {"series", "at least one series"}, "no series")
t.raises(function() plot.lines{x = {1, 2}} end, {"series", "nothing"}, "missing series")
t.raises(function() plot.lines{x = {}, series = {{y = {}}}} end, {"'x'", "empty"}, "empty x")
t.raises(function() plot.lines{x = {1, 2}, series = {{name = "e", y = {}}}} end, {"series[1].y", "empty"}, "empty y")
t.raises(function() plot.lines{x = {1, 2}, series = {{name = "n", y = {0/0, 0/0}}}} end,
         {"series 'n'", "no values"}, "all-NaN series")
t.raises(function() plot.lines{x = {1, 2}, logy = true, series = {{name = "z", y = {1, 0}}}} end,
         {"series 'z'", "y[2]", "log y axis", "> 0"}, "zero on a log y axis")
t.raises(function() plot.lines{x = {1, 2}, logy = true, series = {{name = "neg", y = {1, -1e-300}}}} end,
         {"log y axis", "> 0"}, "negative value on a log y axis")
t.raises(function() plot.lines{x = {0, 1}, logx = true, series = {{y = {1, 2}}}} end,
         {"x[1]", "log x axis"}, "zero on a log x axis")
t.raises(function() plot.lines{x = {1, 2}, logy = true, series = {{name = "b", y = {1, 2}, lo = {0, 1}, hi = {2, 3}}}} end,
         {"series 'b'", "lo[1]", "log y axis"}, "a band touching 0 on a log axis")
t.raises(function() plot.lines{x = {1, 2}, series = {{y = {1, 1 / 0}}}} end, {"y[2]", "finite"}, "infinite value")
t.raises(function() plot.lines{x = {1, 2}, series = {{y = {1, 2}, lo = {1, 2}}}} end, {"lo", "hi"}, "lo without hi")
t.raises(function() plot.lines{x = {1, 2}, series = {{y = {1, 2}, lo = {1, 3}, hi = {2, 2}}}} end,
         {"lo[2]", "above hi[2]"}, "lo above hi")
t.raises(function() plot.lines{x = {1, 2}, series = {{y = {1, 2}, style = "wavy"}}} end,
         {"style", "dashed", "wavy"}, "unknown style")
t.raises(function() plot.lines{x = {1, 2}, series = {{y = {1, 2}, marker = "o"}}} end,
         {"series[1]", "marker"}, "unknown series field")
t.raises(function() plot.lines{x = {1, 2}, series = {{y = {1, 2}, color = 11}}} end,
         {"series[1].color", "1 to 10"}, "colour out of the palette")
t.raises(function() plot.lines{x = {1, 2}, sereis = {}} end, {"sereis", "unknown option"}, "misspelt option")
t.raises(function() plot.lines(42) end, {"#1", "table"}, "not a table")
-- values so large that a linear axis's span (1e308 - -1e308) or its rounded-out
-- end overflows: the plot had no tick labels ("-nan" on x); refused wherever
-- they are given (y, lo/hi, x, reference lines, limits), accepted on log axes
-- and at 1e307, where every tick is labelled
for _, case in ipairs{
  {"y", {x = {1, 2}, series = {{name = "s", y = {1e308, -1e308}}}}},
  {"y", {x = {1, 2}, series = {{name = "s", y = {1.7e308, 0}}}}},
  {"hi", {x = {1, 2}, series = {{name = "s", y = {1, 2}, lo = {0, 0}, hi = {2, 1.5e308}}}}},
  {"x[1]", {x = {-1e308, 1e308}, series = {{y = {1, 2}}}}},
  {"reference line 2", {x = {1, 2}, series = {{y = {1, 2}}}, refs = {{y = 1}, {y = -1e308}}}},
  {"ymax", {x = {1, 2}, series = {{y = {1, 2}}}, ymax = 1e308}},
} do
  t.raises(function() plot.lines(case[2]) end, {case[1], "1e307"},
           "a linear axis past +-1e307 is refused (" .. case[1] .. ")")
end
local function labels(p)
  local n = 0
  for line in tostring(p):gmatch("[^\n]+") do
    if line:match("^%s*%-?[%d.]+e?%d*%s*\226") then n = n + 1 end
  end
  return n
end
local edge = plot.lines{x = {1, 2}, series = {{name = "s", y = {1e307, -1e307}}}}
t.ok(labels(edge) >= 2 and not tostring(edge):find("nan"), "values at +-1e307 plot with labelled ticks")
t.ok(labels(plot.lines{x = {1, 2}, logy = true, series = {{name = "s", y = {1e-300, 1.7e308}}}}) >= 2,
     "a log axis takes values up to the largest double, with labelled ticks")
t.raises(function() plot.lines{x = {1, 2}, series = {{y = {1, 2}}}, refs = {{y = 1, x = 2}}} end,
         {"refs[1]", "exactly one"}, "a ref with both x and y")
t.raises(function() plot.lines{x = {1, 2}, series = {{y = {1, 2}}}, ymin = 3, ymax = 1} end,
         {"ymin", "below ymax"}, "inverted limits")
t.raises(function() p:text{width = 5} end, {"width", "24"}, "text too narrow")
t.raises(function() p:text{height = 100000} end, {"height"}, "text too tall")
t.raises(function() p:text{wdith = 50} end, {"wdith", "unknown option"}, "misspelt text option")
t.raises(function() p:svg("/nonexistent-dir/x.svg") end, {"Plot:svg", "cannot write", "/nonexistent-dir/x.svg"}, "unwritable SVG path")
t.raises(function() p:csv("/nonexistent-dir/x.csv") end, {"Plot:csv", "cannot write"}, "unwritable CSV path")
t.raises(function() p:svg() end, {"#1", "string"}, "svg without a path")

-- ---- help
local help = package.loaded.relush and package.loaded.relush._help or {}
for _, name in ipairs{"plot.lines", "Plot:svg", "Plot:csv", "Plot:text"} do
  local h = help[name]
  t.ok(h and h.topic == "plot" and h.signature ~= "" and h.summary ~= "" and h.example ~= "",
       "help entry " .. name)
end
t.ok(load(help["plot.lines"].example), "the plot.lines example compiles")

os.execute("rm -rf '" .. dir .. "'")
-- saving respects links and devices: a symlink stays a link to the new
-- content, and writing to /dev/null leaves the device in place
do
  local dir = os.tmpname(); os.remove(dir); os.execute("mkdir -p '" .. dir .. "'")
  local f = io.open(dir .. "/target.csv", "w"); f:write("old\n"); f:close()
  os.execute("ln -s target.csv '" .. dir .. "/link.csv'")
  local p = plot.lines{x = {1, 2, 3}, series = {{name = "a", y = {1, 2, 3}}}}
  p:csv(dir .. "/link.csv")
  local kind = io.popen("stat -c %F '" .. dir .. "/link.csv'"):read("l")
  t.is(kind, "symbolic link", "csv through a symlink keeps the link")
  t.is(io.open(dir .. "/target.csv"):read("l"), "x,a", "... and replaces its target's content")
  p:csv("/dev/null")
  t.is(io.popen("stat -c %F /dev/null"):read("l"), "character special file", "writing to /dev/null leaves the device")
  os.execute("rm -rf '" .. dir .. "'")
end
-- y tick labels tell their ticks apart at any scale: values within 1e-12
-- of 1 (a bound L of a wide net), around 10^6 and 10^8 (counts), around
-- 0.5 within 1e-9, and ordinary ones; each label is a different number and
-- they fall from the top of the axis down
for _, c in ipairs{{1, 1e-12}, {1 - 1e-9, 1e-10}, {1e6, 3}, {123456789, 0.01}, {0.5, 1e-9}, {0.3, 0.1},
                   {-2e7, 1}, {1e-8, 1e-12}} do
  local m, d = c[1], c[2]
  local text = plot.lines{x = {1, 2, 3}, series = {{name = "a", y = {m, m + d, m - d}}}}:text{width = 60, height = 12,
                                                                                                 ascii = true}
  local values, ok = {}, true
  for line in text:gmatch("[^\n]+") do
    local label = line:match("^%s*(%S+)%+")
    if label and label ~= "" then values[#values + 1] = tonumber(label) end
  end
  for i = 2, #values do
    if not (values[i - 1] and values[i] and values[i - 1] > values[i]) then ok = false end
  end
  t.ok(ok and #values >= 2, ("y ticks around %g within %g have distinct falling labels (%d)"):format(m, d, #values))
end

t.done()

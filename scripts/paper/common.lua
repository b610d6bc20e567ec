-- common.lua: what the paper scripts share. Each script is run as
--   relush scripts/paper/NAME.lua [--quick] [--out DIR]
-- and writes DIR/NAME.csv (its results table) and DIR/NAME.svg (its
-- figure), prints the figure in the terminal and a summary table, and
-- checks the paper's claim it reproduces: one PASS/FAIL line per check,
-- exit status 1 when any check fails, so `make paper` is also a test.
--
-- A script written for it (depth.lua) also runs sharded: with --shard i/N
-- (or relush --shard i/N) its Monte Carlo runs (run:mc) count only shard i
-- of their trials and append their results to DIR/NAME.shard-i-of-N.jsonl,
-- and nothing else happens; once every shard has run, --from FILES...
-- merges them (mc.merge, sweep) and the script goes on as if it had run
-- whole: the same tables, CSV, figure and checks.
--
-- Statistical checks use 4-sigma intervals (Wilson with z = 4), so a true
-- claim fails by chance about once in 15000 checks; the tables show the
-- usual 95% intervals.
local M = {}

local Run = {}
Run.__index = Run

M.nan = 0 / 0
M.columns = 78    -- printed lines fit a 78-column terminal

local function usage(name, status)
  local out = status == 0 and io.stdout or io.stderr
  out:write(("usage: relush scripts/paper/%s.lua [--quick] [--out DIR] [--shard i/N | --from FILES...]\n"):format(name),
            "  --quick    fewer trials and points (the whole paper in under 5 minutes)\n",
            "  --out DIR  where NAME.csv and NAME.svg go (default: results)\n",
            "  --shard i/N      run shard i of N only, into DIR/NAME.shard-i-of-N.jsonl (depth.lua)\n",
            "  --from FILES...  merge the shards' files and finish as a whole run would\n")
  os.exit(status)
end

-- Wall-clock seconds (os.clock counts CPU time of every thread).
local function wall()
  local f = io.popen("date +%s.%N 2>/dev/null")
  local t = f and tonumber(f:read("l"))
  if f then f:close() end
  return t or os.time()
end

-- Starts a run: reads the command line (the script's ... or arg). opts:
-- shardable = true when the script takes its Monte Carlo results from run:mc.
function M.start(name, what, argv, opts)
  argv = argv or arg or {}
  local run = setmetatable({name = name, quick = false, out = "results", checks = 0, failures = 0}, Run)
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if a == "--quick" then
      run.quick = true
    elseif a == "--out" then
      run.out = argv[i + 1] or usage(name, 2)
      i = i + 1
    elseif a:match("^%-%-out=") then
      run.out = a:sub(7)
    elseif a == "--shard" or a:match("^%-%-shard=") then
      local v = a == "--shard" and argv[i + 1] or a:sub(9)
      if a == "--shard" then i = i + 1 end
      local si, sn = tostring(v):match("^(%d+)/(%d+)$")
      si, sn = tonumber(si), tonumber(sn)
      if not si or si < 1 or si > sn then
        io.stderr:write(("relush: %s.lua: --shard needs i/N with 1 <= i <= N, got '%s'\n"):format(name, tostring(v)))
        usage(name, 2)
      end
      mc.shard = {si, sn}
    elseif a == "--from" then
      run.from = {}
      while argv[i + 1] and not argv[i + 1]:match("^%-%-") do
        run.from[#run.from + 1] = argv[i + 1]
        i = i + 1
      end
      if #run.from == 0 then usage(name, 2) end
    elseif a == "-h" or a == "--help" then
      usage(name, 0)
    else
      io.stderr:write(("relush: %s.lua: unknown argument '%s'\n"):format(name, a))
      usage(name, 2)
    end
    i = i + 1
  end
  if os.getenv("RELUSH_PAPER_QUICK") == "1" then run.quick = true end
  run.shard = mc and mc.shard or nil
  if run.shard and not (opts and opts.shardable) then
    error(("%s.lua does not run sharded (only scripts written for it, such as depth.lua, do); "
           .. "run it without --shard"):format(name), 0)
  end
  if run.shard and run.from then
    error(("%s.lua: --from merges the shards' files; run it without --shard"):format(name), 0)
  end
  if not os.execute("mkdir -p '" .. run.out:gsub("'", "'\\''") .. "'") then
    error(("%s: cannot create the results folder '%s'"):format(name, run.out), 0)
  end
  run.started = wall()
  if run.shard then
    run.shard_file = ("%s/%s.shard-%d-of-%d.jsonl"):format(run.out, name, run.shard[1], run.shard[2])
    os.remove(run.shard_file)   -- a shard run again starts its file afresh
  elseif run.from then
    local ok, merged = pcall(mc.merge, run.from, {sweep = true})
    if not ok then error(("%s.lua --from: %s"):format(name, tostring(merged):gsub("^mc%.merge: ", "")), 0) end
    run.merged, run.taken = merged, 0
  end
  M.print_wrapped(("== %s: %s%s%s"):format(name, what, run.quick and " (--quick)" or "",
                  run.shard and (" (shard %d/%d)"):format(run.shard[1], run.shard[2]) or
                  run.from and (" (merged from %d files)"):format(#run.from) or ""), "   ")
  return run
end

-- mc(opts), or its shard appended to the shard's file, or (--from) the
-- next merged result, which must be the same experiment point.
function Run:mc(opts)
  if self.merged then
    self.taken = self.taken + 1
    local r = self.merged[self.taken]
    local depth = opts.widths and #opts.widths or opts.depth
    local width = opts.widths and opts.widths[1] or opts.width
    if not r or r.depth ~= depth or r.widths[1] ~= width or r.seed ~= opts.seed
       or r.trials ~= opts.trials or (opts.X and r.points ~= opts.X.rows) then
      error(("%s.lua --from: experiment %d of this run (depth %s, width %s, seed %s, %s trials) %s: "
             .. "give every shard file of one run with the same settings (--quick or not)")
            :format(self.name, self.taken, depth, width, opts.seed, opts.trials,
                    r and ("is not the merged files' experiment %d (depth %d, width %d, seed %d, %d trials)")
                          :format(self.taken, r.depth, r.widths[1], r.seed, r.trials)
                      or "is missing from the merged files"), 0)
    end
    return r
  end
  if self.shard then
    local o = {}
    for k, v in pairs(opts) do o[k] = v end
    o.out = self.shard_file
    return mc(o)
  end
  return mc(opts)
end

-- Ends a shard's run: what it wrote and how to merge.
function Run:finish_shard()
  local n, N = self.shard[1], self.shard[2]
  print(("shard %d/%d: wrote %s"):format(n, N, self.shard_file))
  print(("when every shard has run: relush scripts/paper/%s.lua%s --out %s --from %s/%s.shard-*-of-%d.jsonl")
        :format(self.name, self.quick and " --quick" or "", self.out, self.out, self.name, N))
  io.stdout:flush()
end

-- full or quick setting
function Run:pick(full, quick)
  if self.quick then return quick end
  return full
end

function Run:path(ext) return self.out .. "/" .. self.name .. "." .. ext end

-- ---- numbers -------------------------------------------------------------

-- Compact, readable numbers for tables: integers plainly, probabilities
-- with 4 significant digits, tiny ones in exponent form.
function M.fmt(v, digits)
  if type(v) ~= "number" then return tostring(v) end
  if v ~= v then return "-" end
  if math.type(v) == "integer" or (v == math.floor(v) and math.abs(v) < 1e15) then
    return string.format("%d", math.floor(v))
  end
  local a = math.abs(v)
  if v > 0.99995 and v < 1 then               -- would print as 1: show how near
    local decimals = math.min(15, math.ceil(-math.log(1 - v, 10)) + 2)
    return (string.format("%." .. decimals .. "f", v):gsub("0+$", ""))
  end
  if a ~= 0 and (a < 1e-3 or a >= 1e6) then return string.format("%." .. ((digits or 4) - 1) .. "e", v) end
  return string.format("%." .. (digits or 4) .. "g", v)
end

-- Wilson score interval for k successes in n trials at z sigmas.
function M.wilson(k, n, z)
  z = z or 4
  local p = k / n
  local z2 = z * z
  local centre = (p + z2 / (2 * n)) / (1 + z2 / n)
  local half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
  return math.max(0, centre - half), math.min(1, centre + half)
end

-- A copy of list with values <= 0 (which a log axis cannot show) as NaN.
function M.positive(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = (v > 0) and v or M.nan end
  return out
end

-- ---- output --------------------------------------------------------------

-- Writes a CSV (header + rows of numbers/strings) through a temporary file
-- renamed into place.
local function csv_cell(v)
  if type(v) == "number" then
    if v ~= v then return "" end
    if math.type(v) == "integer" then return tostring(v) end
    local s = string.format("%.15g", v)
    if tonumber(s) ~= v then s = string.format("%.17g", v) end
    return s
  end
  v = tostring(v)
  if v:find('[,"\n]') then v = '"' .. v:gsub('"', '""') .. '"' end
  return v
end

function Run:csv(headers, rows)
  local path = self:path("csv")
  local tmp = path .. ".tmp"
  local f = assert(io.open(tmp, "w"))
  local cells = {}
  for i, h in ipairs(headers) do cells[i] = csv_cell(h) end
  f:write(table.concat(cells, ","), "\n")
  for _, row in ipairs(rows) do
    for i = 1, #headers do cells[i] = csv_cell(row[i] == nil and M.nan or row[i]) end
    f:write(table.concat(cells, ","), "\n")
  end
  assert(f:close())
  assert(os.rename(tmp, path))
  return path
end

-- Prints text wrapped at word boundaries to fit M.columns.
local function print_wrapped(text, indent)
  local line = ""
  for word in text:gmatch("%S+") do
    if line ~= "" and utf8.len(line) + 1 + utf8.len(word) > M.columns then
      print(line)
      line = indent .. word
    else
      line = line == "" and word or (line .. " " .. word)
    end
  end
  if line ~= "" then print(line) end
end
M.print_wrapped = print_wrapped

-- Prints an aligned table: numbers right-aligned, text left-aligned. A
-- table wider than M.columns is printed in parts, each repeating the first
-- `keys` columns (default 1), so every line fits a 78-column terminal.
function Run:table(headers, rows, title, keys)
  local width, text = {}, {}
  for j, h in ipairs(headers) do width[j] = utf8.len(h) end
  for i, row in ipairs(rows) do
    text[i] = {}
    for j = 1, #headers do
      local s = M.fmt(row[j])
      text[i][j] = s
      width[j] = math.max(width[j], utf8.len(s))
    end
  end
  if title then print_wrapped(title, "  ") end
  local numeric = {}
  for j = 1, #headers do numeric[j] = rows[1] and type(rows[1][j]) == "number" end
  -- the parts: the key columns, then as many others as fit
  keys = math.min(keys or 1, #headers)
  local parts, used = {}, 2
  for j = 1, keys do used = used + width[j] + 2 end
  local part = {}
  for j = keys + 1, #headers do
    if #part > 0 and used + width[j] > M.columns then
      parts[#parts + 1] = part
      part, used = {}, 2
      for k = 1, keys do used = used + width[k] + 2 end
    end
    part[#part + 1] = j
    used = used + width[j] + 2
  end
  if #part > 0 or #parts == 0 then parts[#parts + 1] = part end
  local function line(cells, cols)
    local out = {}
    for _, j in ipairs(cols) do
      local s = cells[j]
      local pad = string.rep(" ", width[j] - utf8.len(s))
      out[#out + 1] = numeric[j] and (pad .. s) or (s .. pad)
    end
    print("  " .. table.concat(out, "  "):gsub("%s+$", ""))
  end
  for p, others in ipairs(parts) do
    local cols = {}
    for j = 1, keys do cols[#cols + 1] = j end
    for _, j in ipairs(others) do cols[#cols + 1] = j end
    if #parts > 1 then print(("  (part %d of %d)"):format(p, #parts)) end
    line(headers, cols)
    local rule = {}
    for _, j in ipairs(cols) do rule[j] = string.rep("-", width[j]) end
    line(rule, cols)
    for i = 1, #rows do line(text[i], cols) end
    print()
  end
end

-- Builds the figure, writes NAME.svg, prints it in the terminal. A figure
-- with many series can give `terminal`: fields replacing opts' for the
-- terminal version (e.g. fewer series, which braille cannot tell apart).
function Run:figure(opts, terminal)
  local p = plot.lines(opts)
  p:svg(self:path("svg"))
  local shown = p
  if terminal then
    local o = {}
    for k, v in pairs(opts) do o[k] = v end
    for k, v in pairs(terminal) do o[k] = v end
    shown = plot.lines(o)
  end
  print(shown:text{width = 78, height = 24})
  return p
end

-- ---- checks -------------------------------------------------------------------

function Run:check(cond, what, detail)
  self.checks = self.checks + 1
  if not cond then self.failures = self.failures + 1 end
  print(("%s  %s%s"):format(cond and "PASS" or "FAIL", what, detail and ("  (" .. detail .. ")") or ""))
  return cond
end

-- Ends the run: the files written, the verdict, exit 1 on any failure.
function Run:finish()
  if self.merged and self.taken ~= #self.merged then
    error(("%s.lua --from: the files hold %d experiments but this run used %d: give the shard files "
           .. "of one run with the same settings"):format(self.name, #self.merged, self.taken), 0)
  end
  local seconds = wall() - self.started
  print(("wrote %s and %s"):format(self:path("csv"), self:path("svg")))
  print(("%s: %d checks, %d failed, %.1f s"):format(self.name, self.checks, self.failures, seconds))
  io.stdout:flush()
  if self.failures > 0 then os.exit(1) end
end

return M

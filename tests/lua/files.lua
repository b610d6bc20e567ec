-- files.lua: every save goes through the core's one writer (rl_write_atomic,
-- rl_append_atomic), so the file-safety rules are tested here for each of
-- them: X:save, r:save (replace and append), mc{out=}, Plot:csv and Plot:svg.
-- A symlink is kept and its target written (also a dangling one); a FIFO is
-- written in place when read and refused at once when nobody reads it (never
-- a hang, never replaced); character devices stay devices; a read-only file
-- is refused (checked as a non-root user); a symlink planted at a temporary
-- name is never followed; a file size limit (RLIMIT_FSIZE, a full disk's
-- twin) leaves the old file whole and mc keeps its finished result; the
-- mode of a replaced file is kept. Only files in a fresh temporary folder
-- are touched (FIFOs and links made there, /dev/null only written to).
local t = require "tap"
local proc = require "proc"
local q, spit, slurp = proc.q, proc.spit, proc.slurp

local RELUSH = os.getenv("RELUSH") or arg[-1]
local dir = proc.tmpdir()

local function sh(cmd) return os.execute(cmd) end
local function out_of(cmd)
  local f = io.popen(cmd)
  local s = f:read("a")
  f:close()
  return (s:gsub("%s+$", ""))
end
-- the file type as lstat sees it: "regular file", "symbolic link", "fifo", ...
local function kind(path) return out_of("stat -c %F " .. q(path) .. " 2>/dev/null") end
local function mode(path) return out_of("stat -L -c %a " .. q(path)) end
local function listing() return out_of("ls -A " .. q(dir)) end

local X = inputs.gaussian(3, 2, {seed = 1})
local r = mc{depth = 2, width = 3, trials = 20, seed = 1}
local p = plot.lines{x = {1, 2, 3}, series = {{name = "s", y = {1, 4, 9}}}}

-- a results file's content (results writers write only over results)
local results_line
do
  local path = dir .. "/one.jsonl"
  r:save(path)
  results_line = slurp(path)
  os.remove(path)
end

-- each writer: a save to path, how to recognise its content, and an old
-- content it may write over
local writers = {
  {"X:save", function(path) X:save(path) end, "0.%d+,", "old\n"},
  {"r:save(path, 'w')", function(path) r:save(path, "w") end, '"alive_trials"', results_line},
  {"r:save(path) (append)", function(path) r:save(path) end, '"alive_trials"', results_line},
  {"mc{out=}", function(path) mc{depth = 2, width = 3, trials = 20, seed = 1, out = path} end, '"alive_trials"',
   results_line},
  {"Plot:csv", function(path) p:csv(path) end, "x,s", "old\n"},
  {"Plot:svg", function(path) p:svg(path) end, "<svg", "old\n"},
}

for k, w in ipairs(writers) do
  local name, save, mark, old = w[1], w[2], w[3], w[4]
  local base = dir .. "/w" .. k

  -- a symlink stays a link; its target gets the content
  spit(base .. ".target", old)
  sh("ln -s " .. q(base .. ".target") .. " " .. q(base .. ".link"))
  local ok, err = pcall(save, base .. ".link")
  t.ok(ok and kind(base .. ".link") == "symbolic link" and slurp(base .. ".target"):find(mark),
       name .. ": through a symlink, the link stays and its target is written" .. (ok and "" or ": " .. tostring(err)))

  -- a dangling symlink: the file it names is created, the link stays
  sh("ln -s " .. q(base .. ".new") .. " " .. q(base .. ".dangling"))
  ok, err = pcall(save, base .. ".dangling")
  t.ok(ok and kind(base .. ".dangling") == "symbolic link" and slurp(base .. ".new"):find(mark),
       name .. ": through a dangling symlink, the file it names is created" .. (ok and "" or ": " .. tostring(err)))

  -- the mode of a replaced file is kept
  spit(base .. ".mode", old)
  sh("chmod 640 " .. q(base .. ".mode"))
  ok = pcall(save, base .. ".mode")
  t.ok(ok and mode(base .. ".mode") == "640", name .. ": a replaced file keeps its mode (640)")

  -- a FIFO being read is written in place and stays a FIFO
  local fifo = base .. ".fifo"
  sh("mkfifo " .. q(fifo))
  local reader = io.open(fifo, "r+")   -- O_RDWR: a reader that never blocks
  ok, err = pcall(save, fifo)
  local got = ok and reader:read(4) or ""
  reader:close()
  t.ok(ok and #got == 4 and kind(fifo) == "fifo",
       name .. ": a FIFO with a reader is written in place and stays a FIFO" .. (ok and "" or ": " .. tostring(err)))

  -- a FIFO nobody reads: refused at once, not replaced
  ok, err = pcall(save, fifo)
  t.ok(not ok and tostring(err):find("nobody is reading", 1, true) and kind(fifo) == "fifo",
       name .. ": a FIFO nobody reads is refused at once and stays a FIFO: " .. tostring(err))

  -- /dev/null stays a device
  ok, err = pcall(save, "/dev/null")
  t.ok(ok and kind("/dev/null") == "character special file",
       name .. ": /dev/null is written in place and stays a device" .. (ok and "" or ": " .. tostring(err)))

  -- a folder is refused
  ok, err = pcall(save, dir)
  t.ok(not ok and tostring(err):find("folder", 1, true), name .. ": a folder is refused: " .. tostring(err))
  -- ... by the function the user called, named as the API writes it (r:save
  -- said "save:", which any save could be)
  local api = name:match("^[%w:.]+")   -- "mc{out=}": mc
  -- (or, for an option, as "bad option 'out' to 'mc'")
  t.ok(tostring(err):find(api .. ": ", 1, true) or tostring(err):find("to '" .. api .. "'", 1, true),
       name .. ": the message names " .. api)
end

---------------------------------------------------------- planted temporary names
do
  -- the pid of this relush, to plant links at the names a writer using
  -- predictable temporary names (target.tmp.<pid>[.n]) would take
  local pid = slurp("/proc/self/stat"):match("^(%d+)")
  local victim = dir .. "/victim"
  spit(victim, "precious\n")
  -- results go to a results file, the others to a CSV file
  local target, results = dir .. "/planted.csv", dir .. "/planted.jsonl"
  for _, suffix in ipairs{"", ".0", ".1", ".2", ".3"} do
    sh("ln -s " .. q(victim) .. " " .. q(target .. ".tmp." .. pid .. suffix))
    sh("ln -s " .. q(victim) .. " " .. q(results .. ".tmp." .. pid .. suffix))
  end
  for _, w in ipairs(writers) do w[2](w[4] == results_line and results or target) end
  t.is(slurp(victim), "precious\n", "symlinks planted at target.tmp.<pid>[.n] are never written through")
  t.ok(slurp(target):find("<svg", 1, true) and slurp(results):find('"alive_trials"', 1, true),
       "... and the saves reached the targets")
  local left = 0
  for name in listing():gmatch("[^\n]+") do
    if name:find("^planted%.%a+%.tmp%.") and not name:find("^planted%.%a+%.tmp%." .. pid) then left = left + 1 end
  end
  t.is(left, 0, "... and leave no temporary file behind")
end

---------------------------------------------------------------- /dev/stdout into a pipe
do
  local code = "r = mc{depth=2,width=2,trials=5,seed=1}; r:save('/dev/stdout'); r:save('/dev/stdout', 'w')"
  local out = out_of(string.format("cd %s && RELUSH_HISTORY=/dev/null timeout 60 %s -e %s </dev/null 2>&1 | cat; echo status=$?",
                                   q(dir), q(RELUSH), q(code)))
  t.ok(out:find("status=0", 1, true) and select(2, out:gsub('"alive_trials"', "")) == 2,
       "r:save('/dev/stdout') into a pipe writes the line (append and replace) and does not hang")
end

-- a pipe whose reader has gone (| head -c 10): the save fails with a
-- message and the session goes on (no SIGPIPE death)
do
  local code = "r = mc{depth=2,width=2,trials=5,seed=1}; for i = 1, 3 do os.execute('sleep 0.3'); " ..
               "local ok, e = pcall(r.save, r, '/dev/stdout'); io.stderr:write(tostring(ok), ' ', ok and '' or e, '\\n') end; " ..
               "io.stderr:write('alive\\n')"
  local said = out_of(string.format("cd %s && RELUSH_HISTORY=/dev/null timeout 60 %s -e %s 2>%s </dev/null | head -c 10 >/dev/null; cat %s",
                                    q(dir), q(RELUSH), q(code), q(dir .. "/pipe.err"), q(dir .. "/pipe.err")))
  t.ok(said:find("reader has gone away", 1, true) and said:find("alive", 1, true),
       "r:save('/dev/stdout') after the pipe's reader left fails with a message and the session goes on: " ..
       said:gsub("\n", " / "))
end

---------------------------------------------------------------- read-only files
do
  -- root may write anything, so this runs as nobody when we are root
  local me = out_of("id -u")
  local prefix, why = "", nil
  if me == "0" then
    if not os.execute("command -v setpriv >/dev/null 2>&1") then
      why = "running as root without setpriv"
    else
      prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups "
    end
  end
  local rodir = dir .. "/ro"
  sh("mkdir " .. q(rodir) .. " && chmod 777 " .. q(rodir))
  local probe = prefix .. "test -x " .. q(RELUSH) .. " && " .. prefix .. "test -w " .. q(rodir)
  if not why and not os.execute(probe) then why = "the non-root user cannot run " .. RELUSH end
  if why then
    t.skip("read-only files are refused", why)
  else
    local cases = {
      {"X:save", "inputs.gaussian(2,2,{seed=1}):save(%s)"},
      {"r:save 'w'", "mc{depth=2,width=2,trials=5,seed=1}:save(%s, 'w')"},
      {"r:save (append)", "mc{depth=2,width=2,trials=5,seed=1}:save(%s)"},
      {"mc{out=}", "mc{depth=2,width=2,trials=5,seed=1,out=%s}"},
      {"Plot:csv", "plot.lines{x={1,2},series={{y={1,2}}}}:csv(%s)"},
    }
    for i, c in ipairs(cases) do
      local path = rodir .. "/ro" .. i
      spit(path, "read-only content\n")
      sh("chmod 444 " .. q(path) .. (me == "0" and " && chown 65534:65534 " .. q(path) .. " " .. q(rodir) or ""))
      local code = "local ok, e = pcall(function() " .. c[2]:format(string.format("%q", path)) ..
                   " end); io.write(ok and 'SAVED' or e)"
      local cmd = string.format("cd %s && env RELUSH_HISTORY=/dev/null %s timeout 60 %s -e %s 2>&1",
                                q(rodir), me == "0" and prefix or "", q(RELUSH), q(code))
      local said = out_of(cmd)
      t.ok(said:find("read-only", 1, true) and slurp(path) == "read-only content\n" and mode(path) == "444",
           c[1] .. ": a read-only file (0444) is refused and left as it was: " .. said)
    end
  end
end

---------------------------------------------------------------- a file size limit (disk full)
do
  -- dash and bash count ulimit -f in 512- or 1024-byte blocks: 64 blocks
  -- is at most 64 KiB, and every old file below is 200 KiB
  local old = string.rep("an old line that must survive\n", 7000)
  -- results are added only to results
  local old_results = string.rep(results_line, math.ceil(#old / #results_line))
  local cases = {
    {"X:save", "X = inputs.gaussian(5000, 10, {seed=1}); X:save(%s)"},
    {"r:save (append)", "mc{depth=2,width=2,trials=5,seed=1}:save(%s)", old_results},
    {"Plot:csv", "local x = {} for i = 1, 20000 do x[i] = i end plot.lines{x=x,series={{y=x}}}:csv(%s)"},
  }
  for i, c in ipairs(cases) do
    local path = dir .. "/full" .. i
    local old = c[3] or old
    spit(path, old)
    local code = "local ok, e = pcall(function() " .. c[2]:format(string.format("%q", path)) ..
                 " end); io.write(ok and 'SAVED' or e)"
    local said = out_of(string.format("cd %s && ulimit -f 64 && RELUSH_HISTORY=/dev/null timeout 60 %s -e %s 2>&1",
                                      q(dir), q(RELUSH), q(code)))
    t.ok(said:find("too large", 1, true) and slurp(path) == old,
         c[1] .. " over a file size limit fails with a message and leaves the old file whole: " .. said)
  end
  -- mc{out=}: the run finished; its result is kept in mc.partial
  local path = dir .. "/full-mc"
  old = old_results
  spit(path, old)
  local code = [[local ok, e = pcall(mc, {depth=3,width=3,trials=200,seed=5,out=]] .. string.format("%q", path) .. [[})
io.write(tostring(e), "\n", tostring(mc.partial and mc.partial.trials), " ", tostring(mc.partial and mc.partial.interrupted), "\n")
mc.partial:save(]] .. string.format("%q", dir .. "/rescued.jsonl") .. [[)]]
  local said = out_of(string.format("cd %s && ulimit -f 64 && RELUSH_HISTORY=/dev/null timeout 60 %s -e %s 2>&1",
                                    q(dir), q(RELUSH), q(code)))
  t.ok(said:find("could not be saved", 1, true) and said:find("mc.partial", 1, true) and slurp(path) == old,
       "mc{out=} over a file size limit says so, leaving the old file whole: " .. said:gsub("\n", " / "))
  t.ok(said:find("\n200 false", 1, true), "... and the complete result (200 trials) is kept in mc.partial")
  local rescued = mc.load(dir .. "/rescued.jsonl")[1]
  t.ok(rescued and rescued.trials == 200, "... which saves elsewhere and loads back")
end

-- Results are written only where results are: a new file, an empty one (or
-- blank lines only), or a file whose first line is a results line. Every
-- results writer refuses any other file before writing a byte (appending
-- would damage it, and the results could not be read back; replacing would
-- lose it), saying which file and what is accepted; nothing computed is
-- lost: mc{out=} refuses before its run, r:save leaves r to be saved
-- elsewhere, a file changed during a run keeps the result in mc.partial.
do
  local foreign = {
    {"a CSV file", "x,y\n1,2\n3,4\n"},
    {"a line without a newline", "notes"},
    {"JSON that is not a result", '{"a": 1}\n' .. results_line},
    {"blank lines, then text", "\n  \n\t\nx,y\n"},
    {"text, then results", "x,y\n" .. results_line},
    {"a NUL byte", "a\0b\n"},
  }
  local function run_relush(args, code)
    return out_of(string.format("cd %s && RELUSH_HISTORY=/dev/null timeout 60 %s %s%s 2>&1; echo status=$?",
                                q(dir), q(RELUSH), args, code and (" -e " .. q(code)) or ""))
  end
  local shard_piece = dir .. "/piece.jsonl"
  r:save(shard_piece, "w")
  local results_writers = {
    {"r:save (append)", function(path) return r:save(path) end},
    {"r:save(path, 'w')", function(path) return r:save(path, "w") end},
    {"a list's :save (mc.load)", function(path) return mc.load(shard_piece):save(path) end},
    {"mc{out=}", function(path) return mc{depth = 2, width = 2, trials = 10, seed = 1, progress = false, out = path} end},
    {"mc.sweep{out=}", function(path)
       return mc.sweep{depth = {1, 2}, width = 2, trials = 10, seed = 1, progress = false, out = path} end},
    {"relush merge -o", function(path)
       local said = run_relush("merge " .. q(shard_piece) .. " -o " .. q(path))
       if not said:find("status=0", 1, true) then error(said) end end},
    {"relush --shard 1/2 with mc{out=}", function(path)
       local said = run_relush("--shard 1/2", "mc{depth=2,width=2,trials=10,seed=1,progress=false,out="
                               .. string.format("%q", path) .. "}")
       if not said:find("status=0", 1, true) then error(said) end end},
  }
  for i, w in ipairs(results_writers) do
    local refused = {}
    for j, f in ipairs(foreign) do
      local path = dir .. "/foreign" .. i .. "-" .. j .. ".csv"
      spit(path, f[2])
      local ok, err = pcall(w[2], path)
      err = tostring(err)
      if ok or slurp(path) ~= f[2] or not err:find(path, 1, true)
         or not (err:find("is not a relush results file", 1, true) or err:find("NUL byte", 1, true))
         or not err:find("give another path", 1, true) then
        refused[#refused + 1] = f[1] .. (ok and " (written)" or ": " .. err)
      end
    end
    t.none(refused, w[1] .. " refuses every file that is not a results file, naming it, and leaves it whole", "; ")
    local welcome = {}
    for j, content in ipairs{false, "", "\n \n", results_line} do
      local path = dir .. "/welcome" .. i .. "-" .. j .. ".jsonl"
      if content then spit(path, content) end
      local ok, err = pcall(w[2], path)
      local loaded_ok, loaded = pcall(mc.load, path)
      if not ok or not loaded_ok or #loaded < 1 then
        welcome[#welcome + 1] = (content and ("%q"):format(content):sub(1, 20) or "a new file") .. ": "
                                .. tostring(ok and loaded or err)
      end
    end
    t.none(welcome, w[1] .. " writes a new file, an empty one, blank lines and a results file, which load back", "; ")
  end
  -- refused before the run: nothing is computed that could be lost
  local path = dir .. "/before.csv"
  spit(path, "x,y\n")
  local ran = false
  local ok = pcall(mc, {depth = 2, width = 2, trials = 10, seed = 1, out = path,
                        progress = function() ran = true end})
  t.ok(not ok and not ran, "mc{out=} refuses a non-results file before its run starts")
  -- r:save refused: r is whole and saves elsewhere
  t.ok(not pcall(r.save, r, path) and r:save(dir .. "/elsewhere.jsonl") and
       mc.load(dir .. "/elsewhere.jsonl")[1].trials == r.trials, "... r:save refused, r saves elsewhere")
  -- the file became a CSV during the run: the finished result is kept
  local during = dir .. "/during.jsonl"
  local ok2, err = pcall(mc, {depth = 2, width = 4, trials = 4000, seed = 3, out = during, chunk = 64,
                              progress = function() spit(during, "x,y\n") end})
  t.ok(not ok2 and tostring(err):find("mc.partial", 1, true) and slurp(during) == "x,y\n"
       and mc.partial and mc.partial.trials == 4000,
       "a file that stopped being a results file during the run is left whole; the result waits in mc.partial: "
       .. tostring(err))
end

-- A NUL byte in a path: the C file functions stop at it, so "a\0b.csv"
-- used to write (or read) the file "a". Every function taking a path refuses
-- it, shows it with the NUL as \0, and touches no file. (r:save, mc.load and
-- mc{out=} are lmc.c's and not covered yet.)
do
  local X = inputs.gaussian(4, 2, {seed = 1})
  local r = mc{depth = 2, width = 2, X = X, trials = 10, seed = 1}
  local net = relu(2, 2, {input = 2, seed = 1})
  local p = plot.lines{x = {1, 2}, series = {{name = "s", y = {1, 2}}}}
  local takers = {
    {"X:save", function(path) return X:save(path) end},
    {"inputs.load", function(path) return inputs.load(path) end},
    {"net:save", function(path) return net:save(path) end},
    {"relu.load", function(path) return relu.load(path) end},
    {"r:csv", function(path) return r:csv(path) end},
    {"Plot:csv", function(path) return p:csv(path) end},
    {"Plot:svg", function(path) return p:svg(path) end},
    {"r:save", function(path) return r:save(path) end},
    {"mc.load", function(path) return mc.load(path) end},
    {"mc{out=}", function(path) return mc{depth = 2, width = 2, trials = 10, seed = 1, out = path} end},
    {"mc.merge of a list of files", function(path) return mc.merge{path} end},
  }
  spit(dir .. "/nul", "0.5,1\n")   -- what a truncated read would find
  for _, c in ipairs(takers) do
    for _, tail in ipairs{"\0.csv", "\0.npz", "\0.svg", "\0"} do
      local path = dir .. "/nul" .. tail
      t.raises(function() return c[2](path) end, {"NUL byte", "nul\\0"},
               c[1] .. ": a path with a NUL byte ('" .. tail:gsub("%z", "\\0") .. "') is refused")
    end
  end
  t.is(slurp(dir .. "/nul"), "0.5,1\n", "... and the file named by the part before the NUL is untouched")
end

-- Every option naming a file written after the work (mc{out=},
-- mc.sweep{out=}, r:plot{svg=}, s:plot{svg=, csv=}) is checked before the
-- work starts, for each kind of path that cannot be written: a folder, a
-- missing folder, a folder where no file can be made (/proc: access() lets
-- root through, so the check makes and removes a temporary file, as the
-- write would). The error names the option and the call; nothing ran, and
-- nothing was created.
do
  local s = mc.sweep{depth = {1, 2}, width = 2, trials = 10, seed = 1, progress = false}
  local ran
  local function count() ran = true end
  local takers = {
    {"out", "mc", function(path) return mc{depth = 2, width = 2, trials = 10, seed = 1, out = path, progress = count} end},
    {"out", "mc", function(path)
       return mc.sweep{depth = {1, 2}, width = 2, trials = 10, seed = 1, out = path, progress = count} end},
    {"svg", "r:plot", function(path) return r:plot{svg = path} end},
    {"svg", "Sweep:plot", function(path) return s:plot{svg = path} end},
    {"csv", "Sweep:plot", function(path) return s:plot{csv = path} end},
  }
  local before = listing()
  local bad = {}
  for _, w in ipairs(takers) do
    for _, path in ipairs{dir, dir .. "/missing/out.x", "/proc/relush-never/out.x", "/proc/relush-never.x"} do
      ran = false
      local ok, err = pcall(w[3], path)
      err = tostring(err)
      if ok or ran or not err:find("bad option '" .. w[1] .. "' to '" .. w[2] .. "'", 1, true)
         or not err:find(path, 1, true) then
        bad[#bad + 1] = w[2] .. "{" .. w[1] .. " = " .. path .. "}: " .. (ok and "accepted" or ran and "ran first" or err)
      end
    end
  end
  t.none(bad, "each option naming a file written after the work refuses an unwritable path before the work")
  t.is(listing(), before, "... and no file or temporary file was left behind")
  -- relush merge -o likewise, before reading and merging its files
  local piece = dir .. "/merge-piece.jsonl"
  r:save(piece, "w")
  local merged = {}
  for _, path in ipairs{dir, dir .. "/missing/out.x", "/proc/relush-never.x"} do
    local said = out_of(string.format("RELUSH_HISTORY=/dev/null timeout 60 %s merge %s -o %s 2>&1; echo status=$?",
                                      q(RELUSH), q(piece), q(path)))
    if said:find("status=0", 1, true) or not said:find("-o: ", 1, true) or not said:find(path, 1, true)
       or said:find("P(alive)", 1, true) then
      merged[#merged + 1] = path .. ": " .. said
    end
  end
  t.none(merged, "relush merge -o refuses an unwritable path before merging, naming -o")
  os.remove(piece)
end

os.execute("chmod -R u+w " .. q(dir) .. "; rm -rf " .. q(dir))
t.done()

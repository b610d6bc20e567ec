-- readme.lua: the README's sample sessions print what relush prints. Each
-- ```text block right after a line "<!-- sample session -->" holds commands
-- ("> " lines, "  " or ">> " continuing them) each followed by its output;
-- the commands run in one fresh relush (-i, standard input, 80 columns, no
-- colour) in a scratch folder and each output must equal the README's, up
-- to what differs between runs and machines: seconds, trials/s and the
-- thread count. With RELUSH_README_UPDATE=1 the blocks are rewritten with
-- the real output instead (run from the source tree after a change that
-- alters the output).
local t = require "tap"
local proc = require "proc"
local RELUSH = os.getenv("RELUSH") or arg[-1]
local srcdir = os.getenv("RELUSH_SRCDIR") or "."
local path = srcdir .. "/README.md"
local update = os.getenv("RELUSH_README_UPDATE") == "1"

local MARK = "<!-- sample session -->"
local SEP = "@@readme-sample-end@@"

-- tabs as the terminal shows them (stops every 8 columns), as in the README
local function expand(text)
  return (text:gsub("[^\n]*", function(line)
    local col, out = 0, {}
    for ch in line:gmatch(utf8.charpattern) do
      if ch == "\t" then
        local n = 8 - col % 8
        out[#out + 1] = (" "):rep(n)
        col = col + n
      else
        out[#out + 1] = ch
        col = col + 1
      end
    end
    return table.concat(out)
  end))
end

-- what varies between runs and machines
local function steady(text)
  return (text:gsub("[%d.e+]+ s, [%d.e+]+ trials/s", "T s, R trials/s")
              :gsub("%d+ threads?", "N threads")
              :gsub("[ \t]+\n", "\n"))
end

local lines = {}
for line in (proc.slurp(path) .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
if lines[#lines] == "" then lines[#lines] = nil end

-- the blocks: {first = index of the first line inside, last = of the last,
-- steps = {{command = lines, output = lines}}}
local blocks = {}
local i = 1
while i <= #lines do
  if lines[i] == MARK and lines[i + 1] == "```text" then
    local b = {first = i + 2, steps = {}}
    local j = i + 2
    while lines[j] and lines[j] ~= "```" do
      local line = lines[j]
      local cmd = line:match("^> (.*)$")
      local cont = line:match("^>> (.*)$")
      local step = b.steps[#b.steps]
      if cmd then
        b.steps[#b.steps + 1] = {command = {cmd}, output = {}}
      elseif cont and step and #step.output == 0 then
        step.command[#step.command + 1] = cont
      elseif step then
        step.output[#step.output + 1] = line
      end
      j = j + 1
    end
    b.last = j - 1
    blocks[#blocks + 1] = b
    i = j
  end
  i = i + 1
end
t.ok(#blocks >= 3, "the README marks its sample sessions: " .. #blocks)

local dir = proc.tmpdir()
local replaced = {}
for n, b in ipairs(blocks) do
  local input = {}
  for _, s in ipairs(b.steps) do
    input[#input + 1] = table.concat(s.command, "\n")
    input[#input + 1] = "print(" .. string.format("%q", SEP) .. ")"
  end
  local out, err, status = proc.run(dir, RELUSH, "-i", table.concat(input, "\n") .. "\n",
                                    "NO_COLOR=1 COLUMNS=80 LINES=40", "timeout 600")
  t.ok(status == 0 and err == "", "sample session " .. n .. " runs" .. (err ~= "" and (": " .. err) or ""))
  local outputs = {}
  for piece in (out):gmatch("(.-)" .. SEP:gsub("%p", "%%%0") .. "\n") do
    outputs[#outputs + 1] = expand((piece:gsub("\n$", "")))
  end
  local text = {}
  for k, s in ipairs(b.steps) do
    local shown = table.concat(s.output, "\n")
    local real = outputs[k] or "(no output: the session ended)"
    local first = s.command[1]
    if not update then
      local same = steady(shown) == steady(real)
      if not same then t.diag("README shows:\n" .. shown .. "\nrelush prints:\n" .. real) end
      t.ok(same, "sample session " .. n .. ": '" .. first:sub(1, 50) .. "' prints what the README shows")
    end
    text[#text + 1] = "> " .. first
    for c = 2, #s.command do text[#text + 1] = ">> " .. s.command[c] end
    if real ~= "" then text[#text + 1] = (real:gsub("[ \t]+\n", "\n"):gsub("[ \t]+$", "")) end
  end
  replaced[n] = table.concat(text, "\n")
end
os.execute("rm -rf " .. proc.q(dir))

if update then
  local new, at = {}, 1
  for n, b in ipairs(blocks) do
    for k = at, b.first - 1 do new[#new + 1] = lines[k] end
    new[#new + 1] = replaced[n]
    at = b.last + 1
  end
  for k = at, #lines do new[#new + 1] = lines[k] end
  proc.spit(path, table.concat(new, "\n") .. "\n")
  t.ok(true, "README.md rewritten with the real output of " .. #blocks .. " sessions")
end
t.done()

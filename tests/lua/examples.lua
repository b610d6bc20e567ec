-- examples.lua: every example of the help registry (module._help) and of
-- help's guides (module._guides: help "paper", "arch", ...) runs without an
-- error. The examples are documentation users copy, so each runs as a user
-- would: typed at the prompt of a fresh relush, in a folder holding the
-- files examples read (points.csv, results.jsonl, shard files), after a
-- prelude that defines the variables examples refer to (net, X, r, p).
-- Checked: exit status 0 and nothing on stderr; and for a guide's claim
-- that states a relation (item.check, e.g. P(alive) = L within 4 standard
-- errors), that the numbers the example printed bear it out.
local t = require "tap"
local proc = require "proc"
local relush = require "relush"
local RELUSH = os.getenv("RELUSH") or arg[-1]

local dir = proc.tmpdir()

-- the files the examples read, made by the API itself
local setup = [[
inputs.gaussian(10, 2, {seed=1}):save("points.csv")
mc{depth=8, width=3, trials=1000, seed=1}:save("results.jsonl")
for i = 1, 3 do mc{depth=4, width=3, trials=300, seed=2, shard={i, 3}, out="shard" .. i .. ".jsonl"} end
]]
proc.spit(dir .. "/setup.lua", setup)
local _, err, status = proc.run(dir, RELUSH, "setup.lua", "", nil, "timeout 120")
t.ok(status == 0 and err == "", "the example files are made" .. (err ~= "" and (": " .. err) or ""))

-- the variables examples use without defining them
local prelude = [[
net = relu(3, 4, {seed=1})
X = inputs.gaussian(16, 2, {seed=1})
r = mc{depth=4, width=3, X=X, trials=100, seed=1, method="explicit"}
p = plot.lines{x={1, 2, 4, 8}, series={{name="L", y={0.75, 0.56, 0.32, 0.1}}}}
]]

local examples = {}
for name, e in pairs(relush._help) do
  if type(e.example) == "string" and e.example ~= "" then
    examples[#examples + 1] = {what = "help(" .. name .. ")", code = e.example}
  end
end
for name, g in pairs(relush._guides or {}) do
  for i, item in ipairs(g.items) do
    examples[#examples + 1] = {what = 'help "' .. name .. '" #' .. i, code = item.example,
                               claim = item.claim, check = item.check}
  end
end
table.sort(examples, function(a, b) return a.what < b.what end)
t.ok(#examples >= 40, "the registry and the guides hold examples: " .. #examples)
t.ok(relush._guides and relush._guides.paper and #relush._guides.paper.items >= 8,
     'help "paper" lists the claims of the paper with their one-liners')

-- typed at the prompt, as users copy them (the REPL reads stdin: an
-- expression prints its value; an error goes to stderr)
for _, ex in ipairs(examples) do
  local out, err, st = proc.run(dir, RELUSH, "-i", prelude .. ex.code .. "\n", "NO_COLOR=1 COLUMNS=100",
                                "timeout 120")
  local ok = st == 0 and err == ""
  if not ok then t.diag(ex.what .. ": " .. ex.code .. "\n#   status " .. tostring(st) .. ": " .. err) end
  t.ok(ok, "the example of " .. ex.what .. " runs")
end

-- the stated relations, checked on the example's own results (typed after it)
local checked = 0
for _, ex in ipairs(examples) do
  if ex.check then
    checked = checked + 1
    local code = prelude .. ex.code .. "\nprint('CHECK ' .. tostring(" .. ex.check .. "))\n"
    local out, err = proc.run(dir, RELUSH, "-i", code, "NO_COLOR=1 COLUMNS=100", "timeout 120")
    local holds = out:find("CHECK true", 1, true) ~= nil
    if not holds then t.diag(ex.what .. ": " .. ex.check .. "\n" .. out .. err) end
    t.ok(holds, ex.what .. ": the claim '" .. ex.claim .. "' holds for the printed numbers")
  end
end
t.ok(checked >= 8, "the guides state relations to check: " .. checked)

os.execute("rm -rf " .. proc.q(dir))
t.done()

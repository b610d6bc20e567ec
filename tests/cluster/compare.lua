-- compare.lua: relush compare.lua A.jsonl B.jsonl exits 0 when the two files
-- hold the same Monte Carlo result count for count (tests/lua/lib/results.lua),
-- else prints the first field that differs and exits 1. Used by the cluster
-- tests to check that merged shards are the single run.
local same = require("results").same
local a, b = mc.load(arg[1]), mc.load(arg[2])
if #a ~= 1 or #b ~= 1 then
  io.stderr:write(("compare.lua: expected one result in each file, got %d and %d\n"):format(#a, #b))
  os.exit(1)
end
local ok, field = same(a[1], b[1])
if not ok then
  io.stderr:write(("compare.lua: %s and %s differ in %s\n"):format(arg[1], arg[2], field))
  os.exit(1)
end
print(("same: %d trials, %d alive"):format(a[1].trials, a[1].alive_trials))

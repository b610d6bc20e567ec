-- exp.lua: the experiment the cluster tests shard. Unsharded it writes
-- single.jsonl; as shard i of N (relush --shard i/N) r.shard-i-of-N.jsonl.
-- FAIL_SHARD=i makes shard i fail before it counts anything, as a task
-- that a node lost would.
local shard = mc.shard
if shard and os.getenv("FAIL_SHARD") == tostring(shard[1]) then
  error(("shard %d fails on purpose (FAIL_SHARD)"):format(shard[1]))
end
local out = shard and ("r.shard-%d-of-%d.jsonl"):format(shard[1], shard[2]) or "single.jsonl"
local r = mc{depth = 8, width = 3, X = inputs.gaussian(24, 2, {seed = 5}), bias = 0.3,
             trials = 6000, seed = 11, progress = false, out = out}
print(("threads %d"):format(r.threads))

-- results.lua: comparing Monte Carlo results count for count, shared by the
-- tests that check that shards merge into the single run (tests/lua/shard.lua,
-- tests/cluster/*.sh through tests/cluster/compare.lua).
local M = {}

-- true when every count and statistic a result exposes is the same in a and
-- b (NaN equals NaN); else false and the name of the first field that differs
function M.same(a, b)
  local function eq(x, y) return x == y or (x ~= x and y ~= y) end
  for _, f in ipairs{"trials", "alive_trials", "p_alive", "fraction", "fraction_se", "min_fraction",
                     "lower", "upper", "union", "evaluation", "first_trial", "last_trial", "checksum"} do
    if not eq(a[f], b[f]) then return false, f end
  end
  if (a.ci == nil) ~= (b.ci == nil) or (a.ci and (a.ci[1] ~= b.ci[1] or a.ci[2] ~= b.ci[2])) then
    return false, "ci"
  end
  if #a.layers ~= #b.layers then return false, "#layers" end
  for l = 1, #a.layers do
    if a.died_at[l] ~= b.died_at[l] then return false, "died_at[" .. l .. "]" end
    for _, f in ipairs{"reaching", "living", "dead_neurons", "trials_reaching", "trials_living", "died",
                       "survival", "net_survival", "dead_rate", "alignment", "alignment_trials"} do
      if not eq(a.layers[l][f], b.layers[l][f]) then return false, "layers[" .. l .. "]." .. f end
    end
  end
  return true
end

return M

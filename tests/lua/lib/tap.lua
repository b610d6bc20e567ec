-- tap.lua: TAP output for the Lua API tests, run by src/relush.
-- Every check prints "ok N - what" or "not ok N - what"; done() the plan.
local M = {}
local count, failed = 0, 0

local function emit(cond, what)
  count = count + 1
  if not cond then failed = failed + 1 end
  io.write((cond and "ok " or "not ok ") .. count .. " - " .. tostring(what) .. "\n")
  io.flush()
  return cond
end

function M.diag(...) io.write("# ", table.concat({...}, " "), "\n") end
function M.ok(cond, what) return emit(cond and true or false, what) end

function M.is(got, want, what)
  local ok = got == want
  if not ok then M.diag(what .. ": got " .. tostring(got) .. ", want " .. tostring(want)) end
  return emit(ok, what)
end

-- none(list, what [, lead]): a class check found nothing wrong; the
-- description lists what it found (sorted, after lead, ": " by default)
function M.none(list, what, lead)
  table.sort(list)
  return M.is(#list, 0, what .. (#list > 0 and ((lead or ": ") .. table.concat(list, ", ")) or ""))
end

-- relative tolerance: |got - want| <= rel * |want| (exact when want == 0)
function M.near(got, want, rel, what)
  local ok = type(got) == "number" and (got == want or math.abs(got - want) <= rel * math.abs(want))
  if not ok then M.diag(string.format("%s: got %.17g, want %.17g", what, tonumber(got) or 0/0, want)) end
  return emit(ok, what)
end

-- statistical: |got - want| <= k * se, with the z printed for the record
function M.sigma(got, want, se, k, what)
  local z = se > 0 and (got - want) / se or 0
  M.diag(string.format("%s: got %.6g, want %.6g, se %.3g, z %.2f", what, got, want, se, z))
  return emit(math.abs(got - want) <= k * se, what)
end

-- f must raise an error whose message contains every given fragment
function M.raises(f, fragments, what)
  local ok, err = pcall(f)
  if ok then M.diag(what .. ": no error raised"); return emit(false, what) end
  err = tostring(err)
  for _, frag in ipairs(type(fragments) == "table" and fragments or {fragments}) do
    if not err:find(frag, 1, true) then
      M.diag(what .. ": error was: " .. err .. " (missing '" .. frag .. "')")
      return emit(false, what)
    end
  end
  return emit(true, what)
end

-- a check that cannot run here, counted as skipped with the reason printed
function M.skip(what, why) return emit(true, what .. " # SKIP " .. why) end

function M.done()
  io.write("1.." .. count .. "\n")
  os.exit(failed == 0 and 0 or 1)
end

return M

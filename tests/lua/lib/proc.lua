-- proc.lua: helpers the Lua tests share for running the built relush and
-- handling files: shell quoting, reading and writing whole files, a fresh
-- temporary folder, and running relush with input, capturing its output.
local M = {}

-- quotes s for /bin/sh
function M.q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- the file's whole content, or `missing` (default "") when it cannot be read
function M.slurp(path, missing)
  local f = io.open(path, "rb")
  if not f then
    if missing == nil then return "" end
    return missing
  end
  local s = f:read("a")
  f:close()
  return s
end

function M.spit(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

-- a new empty folder
function M.tmpdir()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. M.q(dir)))
  return dir
end

-- run(dir, relush, args, input, env, guard): stdout, stderr and exit status
-- of relush run in dir with the given stdin; guard, when given, is a
-- command prefix such as "timeout 120" (against hangs, not a timing check)
function M.run(dir, relush, args, input, env, guard)
  local inpath, out, err = dir .. "/in", dir .. "/out", dir .. "/err"
  M.spit(inpath, input or "")
  local cmd = string.format("cd %s && env RELUSH_HISTORY=/dev/null %s %s %s %s <%s >%s 2>%s",
    M.q(dir), env or "", guard or "", M.q(relush), args, M.q(inpath), M.q(out), M.q(err))
  local _, _, status = os.execute(cmd)
  return M.slurp(out), M.slurp(err), status
end

return M

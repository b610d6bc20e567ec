-- xmlcheck.lua: a small well-formedness checker for the SVG the plots
-- write (elements balanced, one root, attributes quoted and unique, '&'
-- only in entities, no '<' in text or attributes). Not a full XML parser:
-- enough to catch a broken writer without depending on xmllint.
local M = {}

local function check_entities(s, where)
  for amp in s:gmatch("&[^;]*;?") do
    if not (amp:match("^&[%a][%w]*;$") or amp:match("^&#%d+;$") or amp:match("^&#x%x+;$")) then
      return nil, "bad entity '" .. amp .. "' in " .. where
    end
  end
  if s:find("<", 1, true) then return nil, "'<' in " .. where end
  return true
end

local function check_attributes(attrs, tag)
  local seen, rest = {}, attrs
  while true do
    rest = rest:gsub("^%s+", "")
    if rest == "" then return true end
    local name, quote, value, after = rest:match("^([%a_:][%w_:%.%-]*)%s*=%s*(['\"])(.-)%2(.*)$")
    if not name then return nil, "malformed attributes in <" .. tag .. ">: " .. rest:sub(1, 40) end
    if seen[name] then return nil, "duplicate attribute " .. name .. " in <" .. tag .. ">" end
    seen[name] = true
    local ok, err = check_entities(value, "attribute " .. name)
    if not ok then return nil, err end
    if after ~= "" and not after:match("^%s") then
      return nil, "attributes not separated by space in <" .. tag .. ">"
    end
    rest = after
  end
end

-- Returns true, or nil and a message. counts[tag] gets the element counts.
function M.check(text, counts)
  counts = counts or {}
  local stack, roots, pos = {}, 0, 1
  text = text:gsub("^%s*<%?xml.-%?>", "")
  while true do
    local lt = text:find("<", pos, true)
    local chunk = text:sub(pos, (lt or #text + 1) - 1)
    if #stack == 0 and chunk:match("%S") then return nil, "text outside the root element" end
    local ok, err = check_entities(chunk, "text")
    if not ok then return nil, err end
    if not lt then break end
    if text:sub(lt, lt + 3) == "<!--" then
      local e = text:find("-->", lt + 4, true)
      if not e then return nil, "unterminated comment" end
      pos = e + 3
    else
      local gt = text:find(">", lt, true)
      if not gt then return nil, "unterminated tag" end
      local tag = text:sub(lt + 1, gt - 1)
      pos = gt + 1
      local close = tag:match("^/([%a_][%w_:%.%-]*)%s*$")
      if close then
        local top = table.remove(stack)
        if top ~= close then return nil, "</" .. close .. "> closes <" .. tostring(top) .. ">" end
      else
        local name, attrs, selfclose = tag:match("^([%a_][%w_:%.%-]*)(.-)(/?)$")
        if not name then return nil, "malformed tag <" .. tag .. ">" end
        local aok, aerr = check_attributes(attrs, name)
        if not aok then return nil, aerr end
        counts[name] = (counts[name] or 0) + 1
        if #stack == 0 then roots = roots + 1 end
        if selfclose == "" then stack[#stack + 1] = name end
      end
    end
  end
  if #stack > 0 then return nil, "unclosed <" .. stack[#stack] .. ">" end
  if roots ~= 1 then return nil, roots .. " root elements" end
  return true
end

-- xmllint --noout on a file: true/false, or nil when xmllint is missing.
function M.xmllint(path)
  local have = os.execute("command -v xmllint >/dev/null 2>&1")
  if not have then return nil end
  return os.execute("xmllint --noout '" .. path .. "' 2>/dev/null") and true or false
end

return M

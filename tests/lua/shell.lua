-- shell.lua: the relush binary without a terminal: options, exit status,
-- errors, the arg table, scripts on stdin, Ctrl-C in batch mode, and the
-- REPL's evaluation, pretty printer and help() through a pipe (relush -i).
local t = require "tap"

local RELUSH = os.getenv("RELUSH") or arg[-1]
local tmpdir = os.tmpname()
os.remove(tmpdir)
assert(os.execute("mkdir -p '" .. tmpdir .. "'"))

local proc = require "proc"
local relush = require "relush"
local q, slurp, spit = proc.q, proc.slurp, proc.spit

-- run(args, input [, env]): stdout, stderr, exit status of relush
local function run(args, input, env) return proc.run(tmpdir, RELUSH, args, input, env) end

-- repl(lines): the output of the REPL reading lines from a pipe
local function repl(lines, env)
  return run("-i", lines, env)
end

---------------------------------------------------------------- options
do
  local out, err, st = run([[-e 'net = relu(20,64); print(net.depth, #net.widths, net.widths[1], net.input)']])
  t.is(out, "20\t20\t64\t64\n", "-e runs a chunk with the API as globals")
  t.is(st, 0, "... and exits 0")
  t.is(err, "", "... with nothing on stderr")

  out, err, st = run("-v")
  t.ok(out:match("^relush %d+%.%d+%.%d+"), "-v prints the version")
  t.is(st, 0, "-v exits 0")

  out, err, st = run("-h")
  t.ok(out:find("usage: relush [options] [script.lua [args...]]", 1, true), "-h prints the usage on stdout")
  t.ok(out:find("-e chunk", 1, true) and out:find("-i", 1, true), "-h lists the options")
  t.is(st, 0, "-h exits 0")

  out, err, st = run("-x")
  t.is(st, 2, "an unknown option exits 2")
  t.ok(err:find("'-x'", 1, true) and err:find("usage: relush", 1, true), "... naming the option, with the usage line")
  t.is(out, "", "... and nothing on stdout")

  out, err, st = run("-e")
  t.is(st, 2, "-e without a chunk exits 2")
  t.ok(err:find("'-e'", 1, true) and err:find("usage:", 1, true), "... naming -e, with the usage line")

  out, err, st = run([[-e 'x = 1' -e 'x = x * 10' -e 'print(x)']])
  t.is(out, "10\n", "several -e chunks run in order")

  out = run([[-e 'print(require("relush").relu == relu, require("relush") == package.loaded.relush)']])
  t.is(out, "true\ttrue\n", 'require "relush" returns the module the globals come from')

  out = run([[-e 'print(_help == nil, _options == nil, type(require("relush")._help))']])
  t.is(out, "true\ttrue\ttable\n", "fields starting with _ stay in the module only")

  out = run([[-e 'print(type(help))']])
  t.is(out, "function\n", "help is a global")
end

---------------------------------------------------------------- scripts
do
  spit(tmpdir .. "/args.lua", "print(select('#', ...), ...)\nprint(arg[0], arg[1], arg[2], arg[-1], arg[-2])\n")
  local out, err, st = run("-e 'y=1' args.lua one two")
  t.is(out, "2\tone\ttwo\nargs.lua\tone\ttwo\ty=1\t-e\n", "a script gets its arguments in ... and arg (negative: before it)")
  t.is(st, 0, "... and exits 0")

  out, err, st = run("-- args.lua -x")
  t.is(out, "1\t-x\nargs.lua\t-x\tnil\t--\t" .. RELUSH .. "\n", "-- ends the options")

  spit(tmpdir .. "/fail.lua", "local function inner()\n  error('it broke')\nend\ninner()\n")
  out, err, st = run("fail.lua")
  t.is(st, 1, "a Lua error exits 1")
  t.ok(err:find("fail.lua:2: it broke", 1, true), "... with file:line and the message on stderr")
  t.ok(err:find("stack traceback:", 1, true) and err:find("fail.lua:4: in main chunk", 1, true),
    "... and a short traceback")
  t.ok(not err:find("[C]: in ?", 1, true), "... without the shell's own frame")
  t.is(out, "", "... and nothing on stdout")

  out, err, st = run([[-e 'relu(0, 5)']])
  t.is(st, 1, "a bad argument to the API exits 1")
  t.ok(err:find("bad argument #1 to 'relu'", 1, true), "... with the API's message")

  spit(tmpdir .. "/syntax.lua", "x = = 1\n")
  out, err, st = run("syntax.lua")
  t.is(st, 1, "a syntax error exits 1")
  t.ok(err:find("syntax.lua:1:", 1, true), "... naming file and line")

  out, err, st = run("no_such_script.lua")
  t.is(st, 1, "a missing script exits 1")
  t.ok(err:find("cannot open no_such_script.lua", 1, true), "... saying it cannot be opened")

  out, err, st = run("", "print(1+1)\n")
  t.is(out, "2\n", "stdin that is not a terminal runs as a script: prints 2 and nothing else")
  t.is(err, "", "... nothing on stderr")
  t.is(st, 0, "... exit 0")

  out, err, st = run("- a b", "print(...)\n")
  t.is(out, "a\tb\n", "'-' reads the script from stdin, with arguments")

  out, err, st = run("", "error('piped')\n")
  t.is(st, 1, "an error in a piped script exits 1")
  t.ok(err:find("stdin:1: piped", 1, true), "... with stdin:line")

  local libdir = tmpdir .. "/lib"
  os.execute("mkdir -p " .. q(libdir))
  spit(libdir .. "/shell_test_mod.lua", "return {answer = 42}\n")
  out = run([[-e 'print(require("shell_test_mod").answer)']], "", "LUA_PATH=" .. q(libdir .. "/?.lua"))
  t.is(out, "42\n", "LUA_PATH is honoured")
end

---------------------------------------------------------------- Ctrl-C in batch mode
do
  local errpath, rcpath = tmpdir .. "/int_err", tmpdir .. "/int_rc"
  -- The loop ends by itself after 20 s, so a lost signal fails the test
  -- instead of hanging it; the script says when it is running.
  local script = [[io.stderr:write("started\n") io.stderr:flush() ]] ..
                 [[local t0 = os.time() while os.time() - t0 < 20 do end]]
  local cmd = string.format(
    "cd %s && (RELUSH_HISTORY=/dev/null %s -e %s 2>%s & pid=$!; " ..
    "i=0; while ! grep -q started %s 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; " ..
    "kill -INT $pid; wait $pid; echo $? >%s)",
    q(tmpdir), q(RELUSH), q(script), q(errpath), q(errpath), q(rcpath))
  os.execute(cmd)
  t.is(tonumber(slurp(rcpath)), 130, "Ctrl-C ends a script with status 130")
  t.ok(slurp(errpath):find("interrupted", 1, true), "... after printing 'interrupted'")
end

---------------------------------------------------------------- the REPL through a pipe
do
  local out, err, st = repl("1 + 1\n")
  t.is(out, "2\n", "an expression prints its value (no prompt without a terminal)")
  t.is(st, 0, "end of input ends the REPL with status 0")

  out = repl('"a", 2, nil\n')
  t.is(out, "a\t2\tnil\n", "several results are separated by tabs")

  out = repl("x = 41; x + 1\n")
  t.is(out, "42\n", "the last expression after ';' prints")

  out = repl("x = 1\nx + 1;\nprint(x)\n")
  t.is(out, "1\n", "a trailing ';' suppresses printing")

  out = repl("for i = 1, 3 do\nprint(i) end\n")
  t.is(out, "1\n2\n3\n", "a chunk continues over lines")

  out, err = repl("error('first')\nprint('second')\n")
  t.is(out, "second\n", "the session goes on after an error")
  t.ok(err:find("stdin:1: first", 1, true), "... which is reported on stderr")
  t.ok(not err:find("traceback", 1, true), "... without a traceback that only repeats its position")

  out, err = repl("local function f() error('deep') end f()\n")
  t.ok(err:find("stack traceback:", 1, true) and err:find("in local 'f'", 1, true),
    "an error inside a function shows a short traceback")

  out = repl("x = 5\nprint(x)\n")
  t.is(out, "5\n", "globals persist between commands")

  out, err = repl("for i = 1, 3 do\n")
  t.ok(err:find("'end' expected", 1, true), "input ending inside a chunk reports the syntax error")

  out = repl(":time\n1\n:time\n")
  t.ok(out:match("^timing on\n1\n%(%d+%.%d+ s%)\ntiming off\n$"), ":time toggles timing")

  out, err = repl(":bogus\n")
  t.ok(err:find("unknown command ':bogus'", 1, true), "an unknown : command is named")
end

---------------------------------------------------------------- pretty printer
do
  local out = repl('{3, 1, b = {true}, a = "s"}\n')
  t.is(out, '{3, 1, a = "s", b = {true}}\n', "tables print sorted, sequence first")

  out = repl("c = {} c.self = c\nc\n")
  t.is(out, "{self = <cycle>}\n", "cycles are marked")

  out = repl("{{{{{{1}}}}}}\n")
  t.is(out, "{{{{{...}}}}}\n", "nesting stops at a depth limit")

  out = repl("l = {} for i = 1, 100 do l[i] = i end\nl\n")
  t.ok(out:find("... (80 more)", 1, true) and out:find("20,", 1, true) and not out:find("21,", 1, true),
    "long lists are elided with a count")

  out = repl("{[1.5] = 1, [true] = 2, ['a b'] = 3, x10 = 4, x9 = 5}\n")
  t.is(out, '{[1.5] = 1, ["a b"] = 3, x9 = 5, x10 = 4, [true] = 2}\n', "keys: numbers, strings (naturally), others; odd keys bracketed")

  out = repl("1/3\n{1/3}\n2.0\n{2.0, 3}\n0/0 ~= 0/0\n")
  t.is(out, "0.33333333333333\n{0.333333}\n2.0\n{2.0, 3}\ntrue\n", "numbers: full precision alone, 6 digits in tables, floats stay floats")

  out = repl('"raw\\tstring"\n{"q\\"uote\\n"}\n')
  t.is(out, 'raw\tstring\n{"q\\"uote\\n"}\n', "strings print raw alone and quoted in tables")

  out = repl("setmetatable({}, {__tostring = function() return 'T!' end})\n")
  t.is(out, "T!\n", "__tostring is honoured")

  out = repl("setmetatable({}, {__pretty = function() return 'P!' end, __tostring = function() return 'T' end})\n")
  t.is(out, "P!\n", "__pretty wins over __tostring")

  out = repl("relu\ninputs.gaussian\nprint\n")
  t.is(out, "function: relu\nfunction: inputs.gaussian\nfunction: print\n", "functions print with their names")

  out = repl("relu(3, 4, {seed = 1}):death()\n")
  t.ok(out:find("DeathReport", 1, true) and out:find("layer", 1, true), "a DeathReport prints as its table")

  out = repl("w = {} for i = 1, 40 do w['key' .. i] = {i, 'text'} end\nw\n", "COLUMNS=50")
  local longest = 0
  for line in out:gmatch("[^\n]+") do longest = math.max(longest, #line) end
  t.ok(longest <= 50 and select(2, out:gsub("\n", "")) > 20, "wide tables fold to fit the width (COLUMNS=50)")
  t.ok(out:find("key9 = ", 1, true) < out:find("key10 = ", 1, true), "string keys sort naturally (key9 before key10)")
end

---------------------------------------------------------------- help()
do
  local reg = require("relush")._help
  local out = repl("help()\n")
  t.ok(out:find("construction", 1, true) and out:find(reg.relu.signature, 1, true), "help() lists the API by topic")
  local missing = {}
  for name, e in pairs(reg) do
    if not out:find(e.signature, 1, true) then missing[#missing + 1] = name end
  end
  t.is(#missing, 0, "help() lists every registry entry" .. (#missing > 0 and (": missing " .. table.concat(missing, ", ")) or ""))

  out = repl("help(relu)\n")
  t.ok(out:find(reg.relu.signature, 1, true) and out:find(reg.relu.example, 1, true),
    "help(relu) shows the signature and the example")
  t.ok(out:find(reg.relu.summary:sub(1, 30), 1, true), "... and the explanation")

  out = repl('help "death"\n')
  t.ok(out:find(reg["net:death"].signature, 1, true), 'help "death" finds net:death')

  out = repl("net = relu(2, 3)\nhelp(net)\n")
  local all = true
  for name in pairs(reg) do
    if name:match("^net:") and not out:find(name, 1, true) then all = false end
  end
  t.ok(all and out:find("relush.Net", 1, true), "help(net) lists every method of a net")

  out = repl("help(inputs)\n")
  t.ok(out:find("inputs.gaussian", 1, true) and out:find("inputs.load", 1, true), "help(inputs) lists the inputs functions")

  out = repl("help(print)\nhelp(function() end)\nhelp(42)\nhelp 'zzzz_nothing'\n")
  t.ok(out:find("standard Lua function", 1, true), "help(print) points to the Lua manual")
  t.ok(out:find("not part of the relush API", 1, true), "help(own function) says it has none")
  t.ok(out:find("No help for a number", 1, true), "help(42) says what it can explain")
  t.ok(out:find('No help entry matches "zzzz_nothing"', 1, true), "an unknown topic is named")

  out = repl("help 'bounds'\n")
  local topic_ok = true
  for name, e in pairs(reg) do
    if e.topic == "bounds" and not out:find(e.signature, 1, true) then topic_ok = false end
  end
  t.ok(topic_ok, 'help "bounds" lists the topic')

  -- full entries for the API's tables, nil, the guides
  out = repl("help(mc)\nhelp(view)\nhelp(plot)\n")
  t.ok(out:find(reg.mc.signature, 1, true) and out:find(reg.mc.example, 1, true),
       "help(mc) shows mc's full entry")
  t.ok(reg.view == nil or (out:find(reg.view.signature, 1, true) and out:find(reg.view.example, 1, true)
       and not out:find("table fields", 1, true)), "help(view) shows view's full entry")
  t.ok(reg["plot.lines"] == nil or (out:find(reg["plot.lines"].example, 1, true)
       and (reg["Plot:svg"] == nil or out:find(reg["Plot:svg"].signature, 1, true))),
       "help(plot) shows plot.lines in full and the plot topic")
  out = repl("help(nil)\nhelp(no_such_variable)\n")
  local _, nils = out:gsub("the value given is nil", "")
  t.ok(nils == 2 and not out:find("construction", 1, true), "help(nil) says the value is nil, not the whole API")
  for name, g in pairs(relush._guides) do
    out = repl("help '" .. name .. "'\n")
    local all_items = true
    for _, item in ipairs(g.items) do
      if not (out:find(item.example, 1, true) and out:find(item.section, 1, true)) then all_items = false end
    end
    t.ok(out:find(g.title, 1, true) and all_items and out:find("doc/theory.md", 1, true),
         'help "' .. name .. '" explains it with one-liners and doc/theory.md sections')
  end
  -- every entry's first sentence appears whole (wrapped, never cut), at 120
  -- columns and at 40; a period inside parentheses or after an
  -- abbreviation ("(e.g. ...)") does not end a sentence
  local function first_sentence(text)
    local depth = 0
    for i = 1, #text do
      local c = text:sub(i, i)
      if c == "(" then depth = depth + 1
      elseif c == ")" and depth > 0 then depth = depth - 1
      elseif c == "\n" then return text:sub(1, i - 1)
      elseif c == "." and depth == 0 and text:sub(i + 1, i + 1):match("^%s?$") then
        local word = text:sub(1, i - 1):match("[^%s(]*$")
        local abbrev = word:match("^%a%.%a[%.%a]*$") or ({etc=1, vs=1, cf=1, al=1, approx=1, resp=1, Fig=1, Eq=1, no=1})[word]
        if not abbrev then return text:sub(1, i) end
      end
    end
    return text
  end
  for _, cols in ipairs{120, 40} do
    out = repl("help()\n", "COLUMNS=" .. cols)
    local flat = out:gsub("%s+", " ")
    local cut = {}
    for name, e in pairs(reg) do
      local first = first_sentence(e.summary)
      if not flat:find((first:gsub("%s+", " ")), 1, true) then cut[#cut + 1] = name end
    end
    table.sort(cut)
    t.ok(#cut == 0 and flat:find('help "paper"', 1, true),
         "help() at " .. cols .. " columns shows every description whole and lists the guides" ..
         (#cut > 0 and (": cut " .. table.concat(cut, ", ")) or ""))
  end

  -- shortcuts, did you mean
  out = repl("?relu\nmc?\n? arch\n")
  t.ok(out:find(reg.relu.signature, 1, true) and out:find(reg.mc.signature, 1, true)
       and out:find("arch: architectures", 1, true), "?relu, mc? and ? arch show help")
  local err
  out, err = repl("net = relu(2, 3)\nnet:deth()\nprnt(1)\nrelu{depht=3}\nhelp 'residul'\nmc{depth=2, width=2, method='gramm'}\n")
  t.ok(err:find("method 'deth'); did you mean 'death'?", 1, true), "net:deth() suggests death: " .. err)
  t.ok(err:find("global 'prnt'); did you mean 'print'?", 1, true), "a misspelled global suggests the name")
  t.ok(err:find("did you mean 'depth'?", 1, true), "relu{depht=3} suggests depth")
  t.ok(err:find("did you mean 'gram'?", 1, true), "a misspelled option value suggests the value")
  t.ok(out:find('did you mean "residual"?', 1, true), "a misspelled help topic suggests the guide")

  -- reports fold to narrow terminals as tables do; headers sit over their columns
  out = repl("mc{depth=3, width=2, trials=100, seed=1}\nrelu(3, 2, {seed=1}):death(inputs.gaussian(4, 2, {seed=1}))\n" ..
             "relu(3, 2, {seed=1}):flip(inputs.gaussian(4, 2, {seed=1}))\n", "COLUMNS=40")
  local long = {}
  for line in out:gmatch("[^\n]+") do
    if #line > 40 and line:find("%S%s+%S") then long[#long + 1] = line end
  end
  t.ok(#long == 0 and out:find("died here", 1, true) and out:find("dead neurons", 1, true),
       "reports fold at 40 columns" .. (#long > 0 and (": " .. table.concat(long, " | ")) or ""))
  out = repl("mc{depth=3, width=2, trials=100, seed=1}\n", "COLUMNS=120")
  local header = out:match("\n(layer[^\n]*died here)\n")
  local row = out:match("\n(    1 [^\n]*%))\n")
  t.ok(header and row and #header == #row, "the header 'died here' ends over its column")

  -- did you mean, by class of misspelling: a swap, a missing letter, an
  -- extra letter, a case change, a prefix; a word near nothing gets none
  local function message(opts) local ok, e = pcall(relu, opts) return ok and "" or tostring(e) end
  local cases = {
    {{depht = 3, width = 2}, "depth"}, {{wdth = 2, depth = 2}, "width"}, {{seedd = 1, depth = 2, width = 2}, "seed"},
    {{Arch = "plain", depth = 2, width = 2}, "arch"}, {{depth = 2, width = 2, arch = "res"}, "residual"},
    {{depth = 2, width = 2, arch = "Dense"}, "dense"}, {{depth = 2, width = 2, weights = "glorto"}, "glorot"},
  }
  local wrong = {}
  for _, c in ipairs(cases) do
    if not message(c[1]):find("did you mean '" .. c[2] .. "'", 1, true) then wrong[#wrong + 1] = c[2] end
  end
  t.ok(#wrong == 0, "misspelled options and values suggest the nearest name" ..
       (#wrong > 0 and (": missed " .. table.concat(wrong, ", ")) or ""))
  t.ok(not message{banana = 1, depth = 2, width = 2}:find("did you mean", 1, true)
       and message{banana = 1, depth = 2, width = 2}:find("the options are", 1, true),
       "a word near no option gets the list, not a guess")

  -- _ and the relush global
  out = repl("1 + 1\n_\n_ * 3\nx = 5;\n_\nprint(relush == require 'relush', relush.version == require('relush').version)\n")
  t.is(out, "2\n2\n6\n6\ntrue\ttrue\n", "_ holds the last printed value; relush is the module")
end

---------------------------------------------------------------- the first keys of a big table
-- A table with more keys than print shows its smallest keys in order
-- (numbers, then strings in natural order, then booleans), whatever order
-- they were inserted in, and how many more there are; with few keys, all.
do
  local cmd = "math.randomseed(7); local names = {} for i = 1, 5000 do names[i] = 'k' .. i end " ..
              "for i = #names, 2, -1 do local j = math.random(i); names[i], names[j] = names[j], names[i] end " ..
              "t = {} for _, k in ipairs(names) do t[k] = 1 end t[-1] = 1; t[0.5] = 1; t[true] = 1\nt\n"
  local out = repl(cmd)
  local shown = {}
  for key in out:gmatch("\n  ([^\n]-) = 1,") do shown[#shown + 1] = key end
  local want = {"[-1]", "[0.5]"}
  for i = 1, 30 do want[#want + 1] = "k" .. i end
  t.is(table.concat(shown, " "), table.concat(want, " "), "a table of 5003 keys shows its 32 smallest, sorted")
  t.ok(out:find("... (4971 more keys)", 1, true), "... and how many more")
  out = repl("t = {} for _, k in ipairs{'b', 'k10', 'a', 'k9', 3.5} do t[k] = 1 end t[false] = 1\nt\n")
  t.is(out, "{[3.5] = 1, a = 1, b = 1, k9 = 1, k10 = 1, [false] = 1}\n", "a few keys print all, sorted")
end

---------------------------------------------------------------- a number keeps its unit
-- A report's prose wraps at the width without starting a line with a
-- number's unit ("0.0031" / "s,"), and loses no word, at every width.
do
  local body = "  100 trials (trials 1..100), seed 1, method auto (explicit), 2 threads, " ..
               "0.0031 s, 3.221e+04 trials/s on 1 point in d = 2 and 12 % of 7 ms more text here"
  local obj = "setmetatable({}, {__name = 'relush.Fake', __tostring = function() return " ..
              "'Header\\n" .. body .. "' end})\n"
  local bad, lost = {}, {}
  for cols = 30, 110 do
    local out = repl(obj, "COLUMNS=" .. cols)
    local prev
    for line in out:gmatch("[^\n]+") do
      local first = line:match("^%s+(%S+)")
      if prev and first and (first:match("^[%%a-z][^%s]?[^%s]?$") and prev:match("%d$")) then
        bad[#bad + 1] = cols .. ": '" .. prev .. "' / '" .. first .. "'"
      end
      prev = line:match("(%S+)%s*$")
    end
    if out:gsub("%s+", " "):gsub(" $", "") ~= ("Header " .. body):gsub("%s+", " ") then lost[#lost + 1] = cols end
  end
  t.ok(#bad == 0, "no line starts with a number's unit" .. (bad[1] and (": " .. bad[1]) or ""))
  t.ok(#lost == 0, "wrapping loses no word" .. (lost[1] and (" (at " .. lost[1] .. " columns)") or ""))
end

---------------------------------------------------------------- help(relush), ? alone
-- The module is the whole API: help(relush) and ?relush list it as help()
-- does (not only relush.version); "?" alone is help().
do
  local whole = repl("help()\n")
  t.ok(whole:find("construction", 1, true) and whole:find("mc{", 1, true), "help() lists the API")
  for _, cmd in ipairs{"help(relush)", "?relush", "relush?", "help(require 'relush')", "?", "help ''", "help '  '"} do
    t.is(repl(cmd .. "\n"), whole, cmd .. " lists the whole API as help() does")
  end
end

-- a query that matches nothing is echoed on one line, a long one cut
do
  for _, q0 in ipairs{"string.rep('a', 1e5)", "'x\\ny'", "string.rep('z', 61)"} do
    local out = repl("help(" .. q0 .. ")\n")
    t.ok(#out < 200 and select(2, out:gsub("\n", "")) == 1 and out:find("No help entry matches", 1, true),
         "help(" .. q0 .. ") answers in one short line: " .. out:sub(1, 120))
  end
end

---------------------------------------------------------------- help at 40 columns
-- help() in a narrow terminal (COLUMNS=40 through a pipe): descriptions go
-- under their signatures instead of one word a line at column 34; prose
-- lines fit; only a signature (code, not split) may be longer. Same at 80.
do
  for _, cols in ipairs{40, 60, 80} do
    for _, call in ipairs{"help()", "help(relu)", "help(mc)", "help 'paper'", "help(relu(2, 2))"} do
      local out = run("-e " .. q(call), nil, "COLUMNS=" .. cols)
      -- headings (column 0), signatures (column 2) and one-liners to type
      -- ("> ...") are code, not wrapped; two one-word lines in a row at a
      -- far column are the bug this checks
      local long, lonely, n, prev_alone = {}, 0, 0, false
      for line in out:gmatch("[^\n]+") do
        n = n + 1
        local indent = #line:match("^ *")
        if #line > cols and indent > 2 and not line:find("^ *> ") then long[#long + 1] = line end
        local alone = indent >= 20 and not line:find(" ", indent + 1, true)
        if alone and prev_alone then lonely = lonely + 1 end
        prev_alone = alone
      end
      t.ok(n > 3 and #long == 0 and lonely == 0,
           ("%s at %d columns: prose fits (%d longer lines), no word left alone at a far column (%d)")
           :format(call, cols, #long, lonely) .. (long[1] and (": " .. long[1]) or ""))
    end
  end
end

---------------------------------------------------------------- did you mean: the right table
-- A misspelled field is looked for in the table it was looked up in, when
-- the line shows it as a plain chain (a global, a local, a path), not
-- among every name of the API: a library's names, the API's tables, a
-- user's tables, a string's methods; a word near nothing in that table gets
-- no guess from elsewhere. Through -e, the REPL (a pipe) and a file.
do
  local cases = {
    {"math.sine(1)", "sin"}, {"string.fromat('%d', 1)", "format"}, {"table.inser({}, 1)", "insert"},
    {"inputs.gausian(3, 2)", "gaussian"}, {"bound.lowr{3}", "lower"},
    {"local t = {alpha = 1}; t.alpah()", "alpha"}, {"x = {y = {deepname = 1}}; x.y.deepnam()", "deepname"},
    {"local s = 'x'; s:uper()", "upper"}, {"local value = 3; print(valeu + 1)", "value"},
    {"print(relu(2, 2).dpth + 1)", "depth"}, {"net = relu(2, 2); net:deth()", "death"},
    {"inputs.g(3, 2)", nil}, {"math.zzzzzz()", nil}, {"local t = {alpha = 1}; t.beta()", nil},
  }
  local wrong = {}
  for _, c in ipairs(cases) do
    local _, err = run("-e " .. q(c[1]))
    local got = err:match("did you mean '([^']*)'")
    if got ~= c[2] then wrong[#wrong + 1] = c[1] .. " -> " .. tostring(got) end
    local out, rerr = repl(c[1] .. "\n")
    got = (out .. rerr):match("did you mean '([^']*)'")
    if got ~= c[2] then wrong[#wrong + 1] = "(REPL) " .. c[1] .. " -> " .. tostring(got) end
  end
  t.ok(#wrong == 0, "a misspelled field is looked for in its own table" ..
       (#wrong > 0 and (": " .. table.concat(wrong, "; ")) or ""))
  spit(tmpdir .. "/fields.lua", "local m = math\nlocal value = 1\nprint(m.sine(value))\n")
  local _, err = run("fields.lua")
  t.ok(err:find("fields.lua:3: attempt to call a nil value (field 'sine'); did you mean 'sin'?", 1, true),
       "... also in a script, through a local: " .. err:match("[^\n]*"))
end

os.execute("rm -rf " .. q(tmpdir))
t.done()

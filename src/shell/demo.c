/* demo.c: the teaching mode's two shell globals. demo([name]) lists the
 * guided demonstrations or runs one: narrated steps read from
 * scripts/demo/NAME.lua, each showing the Lua it runs and its result,
 * paced by a key in a terminal (space or right arrow: next, left arrow:
 * back, q: leave), straight through without waiting otherwise. paper(name,
 * args...) runs scripts/paper/NAME.lua inside the session: its os.exit
 * (a failed check) ends the script, never the shell. The step logic is a
 * Lua chunk (below); C gives it what Lua lacks: one raw key press, the
 * terminal's width, a folder listing and where the scripts are installed. */
#include "config.h"
#include <dirent.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <lua.h>
#include <lauxlib.h>
#include "shell/shell.h"
#include "lua/rlua.h"

/* Paced only when both ends are a terminal: in a pipe or a test, a demo
 * prints every step and never waits. */
static int interactive_l(lua_State *L)
{
	lua_pushboolean(L, isatty(STDIN_FILENO) && isatty(STDOUT_FILENO));
	return 1;
}

/* Whether the screen may be cleared before a step (not TERM=dumb). */
static int escapes_l(lua_State *L)
{
	lua_pushboolean(L, rlua_terminal_escapes(STDOUT_FILENO));
	return 1;
}

static int width_l(lua_State *L)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	int w = 80;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		w = ws.ws_col;
	else if (cols && atoi(cols) > 0)
		w = atoi(cols);
	lua_pushinteger(L, w);
	return 1;
}

/* One byte from stdin within ms milliseconds, or -1. */
static int byte_within(int ms)
{
	struct pollfd p = {STDIN_FILENO, POLLIN, 0};
	unsigned char c;
	if (poll(&p, 1, ms) <= 0 || read(STDIN_FILENO, &c, 1) != 1)
		return -1;
	return c;
}

/* read_key(): "next", "back" or "quit", from one key press in raw mode
 * ("stop" when no key came: end of input or Ctrl-C). An
 * escape sequence is read whole (arrows: ESC [ C / ESC [ D, or ESC O C),
 * so only Esc alone leaves; other sequences and keys mean next. */
static int read_key_l(lua_State *L)
{
	struct termios saved, raw;
	int have_tty = tcgetattr(STDIN_FILENO, &saved) == 0;
	if (have_tty) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	const char *key = "next";
	unsigned char c;
	if (read(STDIN_FILENO, &c, 1) != 1) {
		/* end of input, or Ctrl-C (the shell's handler made read fail):
		 * the line of the step prompt ends here, since the interrupt
		 * stops the demo before its Lua can end it */
		key = "stop";
		fflush(stdout);
		if (write(STDOUT_FILENO, "\n", 1) < 0) {
			/* nothing to do: the terminal is gone */
		}
	} else if (c == 'q' || c == 'Q' || c == 3 || c == 4) {
		key = "quit";
	} else if (c == 'b' || c == 'p' || c == 127 || c == 8) {
		key = "back";
	} else if (c == 27) {
		int c1 = byte_within(50);
		if (c1 < 0) {
			key = "quit";          /* Esc alone */
		} else {
			int c2 = byte_within(50), last = c2;
			/* the rest of a longer sequence (ESC [ 1 ; 5 D ...) */
			while (last >= 0 && !(last >= 0x40 && last <= 0x7e && last != '[' && last != 'O'))
				last = byte_within(20);
			if ((c1 == '[' || c1 == 'O') && last == 'D')
				key = "back";
		}
	}
	if (have_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	lua_pushstring(L, key);
	return 1;
}

static int list_lua_l(lua_State *L)
{
	const char *dir = luaL_checkstring(L, 1);
	lua_newtable(L);
	DIR *d = opendir(dir);
	if (!d)
		return 1;
	struct dirent *ent;
	lua_Integer n = 0;
	while ((ent = readdir(d)) != NULL) {
		size_t len = strlen(ent->d_name);
		if (len > 4 && strcmp(ent->d_name + len - 4, ".lua") == 0 && ent->d_name[0] != '.') {
			lua_pushlstring(L, ent->d_name, len - 4);
			lua_rawseti(L, -2, ++n);
		}
	}
	closedir(d);
	return 1;
}

/* Where the scripts are: $RELUSH_DEMO_DIR / $RELUSH_PAPER_DIR, the
 * installed copies, then the source tree this binary was built from (so
 * the build tree works before `make install`). */
static void push_dirs(lua_State *L, const char *env, const char *installed, const char *source)
{
	lua_newtable(L);
	lua_Integer n = 0;
	const char *e = getenv(env);
	if (e && *e) {
		lua_pushstring(L, e);
		lua_rawseti(L, -2, ++n);
	}
	lua_pushstring(L, installed);
	lua_rawseti(L, -2, ++n);
	lua_pushstring(L, source);
	lua_rawseti(L, -2, ++n);
}

static const char demo_chunk[] =
"-- arguments: the folders to search (demo, paper), and C helpers\n"
"local demo_dirs, paper_dirs, read_key, interactive, list_lua, width, escapes = ...\n"
"\n"
"local function find(dirs, name)\n"
"  for _, dir in ipairs(dirs) do\n"
"    local path = dir .. \"/\" .. name .. \".lua\"\n"
"    local f = io.open(path, \"r\")\n"
"    if f then f:close(); return path end\n"
"  end\n"
"end\n"
"\n"
"local function names(dirs, skip)\n"
"  local seen, out = {}, {}\n"
"  for _, dir in ipairs(dirs) do\n"
"    for _, n in ipairs(list_lua(dir)) do\n"
"      if not seen[n] and not (skip and skip[n]) then seen[n] = true; out[#out + 1] = n end\n"
"    end\n"
"  end\n"
"  table.sort(out)\n"
"  return out\n"
"end\n"
"\n"
"local function load_demo(name)\n"
"  local path = find(demo_dirs, name)\n"
"  if not path then return nil end\n"
"  local chunk, err = loadfile(path, \"t\")\n"
"  if not chunk then error(\"demo '\" .. name .. \"': \" .. err, 0) end\n"
"  local d = chunk()\n"
"  if type(d) ~= \"table\" or type(d.steps) ~= \"table\" or #d.steps == 0 then\n"
"    error(\"demo '\" .. name .. \"' (\" .. path .. \") must return {title = ..., steps = {...}}\", 0)\n"
"  end\n"
"  return d, path\n"
"end\n"
"\n"
"-- the demos in their teaching order first, the others after\n"
"local order = {\"depth\", \"width\", \"shrink\", \"single_layer\", \"flip\", \"architectures\", \"alignment\", \"trainability\"}\n"
"\n"
"local function demo_list()\n"
"  local all = names(demo_dirs)\n"
"  local rank = {}\n"
"  for i, n in ipairs(order) do rank[n] = i end\n"
"  table.sort(all, function(a, b)\n"
"    local ra, rb = rank[a] or 99, rank[b] or 99\n"
"    if ra ~= rb then return ra < rb end\n"
"    return a < b\n"
"  end)\n"
"  return all\n"
"end\n"
"\n"
"local function wrap(text, cols)\n"
"  local out = {}\n"
"  for para in (text .. \"\\n\"):gmatch(\"(.-)\\n\") do\n"
"    local line = \"\"\n"
"    for word in para:gmatch(\"%S+\") do\n"
"      if #line > 0 and #line + 1 + #word > cols then out[#out + 1] = line; line = word\n"
"      else line = #line > 0 and (line .. \" \" .. word) or word end\n"
"    end\n"
"    out[#out + 1] = line\n"
"  end\n"
"  return table.concat(out, \"\\n\")\n"
"end\n"
"\n"
"local function show_step(name, d, i, live)\n"
"  local step = d.steps[i]\n"
"  local text, code = step.text or step[1] or \"\", step.code or step[2]\n"
"  local cols = math.max(40, math.min(width(), 100)) - 2\n"
"  if live and escapes() then io.write(\"\\27[H\\27[2J\") end\n"
"  local head = (\"== demo %s, step %d of %d: %s \"):format(name, i, #d.steps, d.title or name)\n"
"  print(head .. string.rep(\"=\", math.max(3, cols - #head)))\n"
"  print(wrap(text, cols))\n"
"  if code then\n"
"    print()\n"
"    for line in (code:gsub(\"%s+$\", \"\") .. \"\\n\"):gmatch(\"(.-)\\n\") do print(\"  > \" .. line) end\n"
"    print()\n"
"    io.stdout:flush()\n"
"    local chunk, err = load(code, \"=demo \" .. name .. \" step \" .. i, \"t\", _ENV)\n"
"    local results = chunk and table.pack(pcall(chunk)) or {n = 2, false, err}\n"
"    if not results[1] then\n"
"      print(\"error: \" .. tostring(results[2]))\n"
"      return false, results[2]\n"
"    end\n"
"    for k = 2, results.n do print(tostring(results[k])) end\n"
"  end\n"
"  io.stdout:flush()\n"
"  return true\n"
"end\n"
"\n"
"local function run(name)\n"
"  local d, path = load_demo(name)\n"
"  if not d then\n"
"    error((\"demo: no demo named '%s'; the demos are: %s (demo() lists them)\"):format(\n"
"      #name > 60 and name:sub(1, 40) .. \"...\" or name, table.concat(demo_list(), \", \")), 0)\n"
"  end\n"
"  local live = interactive()\n"
"  local i = 1\n"
"  while i <= #d.steps do\n"
"    local ok, err = show_step(name, d, i, live)\n"
"    if not ok and not live then\n"
"      error((\"demo %s, step %d failed: %s\"):format(name, i, tostring(err)), 0)\n"
"    end\n"
"    if not live then\n"
"      print()\n"
"      i = i + 1\n"
"    else\n"
"      io.write((\"\\n[step %d/%d]  space or -> next   <- back   q leaves\"):format(i, #d.steps))\n"
"      io.stdout:flush()\n"
"      local key = read_key()\n"
"      if key == \"stop\" then return end   -- its line ended by read_key\n"
"      io.write(\"\\n\")\n"
"      if key == \"quit\" then return end\n"
"      if key == \"back\" then i = math.max(1, i - 1)\n"
"      elseif i == #d.steps then break\n"
"      else i = i + 1 end\n"
"    end\n"
"  end\n"
"  print((\"demo %s: done (%d steps). demo() lists the others.\"):format(name, #d.steps))\n"
"end\n"
"\n"
"local function demo(name)\n"
"  if name == nil then\n"
"    local lines = {\"Guided demonstrations, each a few narrated steps (space or -> next, <- back, q leaves):\"}\n"
"    for _, n in ipairs(demo_list()) do\n"
"      local ok, d = pcall(load_demo, n)\n"
"      local title = ok and d and d.title or \"(cannot be read)\"\n"
"      lines[#lines + 1] = (\"  demo %-16s %s\"):format('\"' .. n .. '\"', title)\n"
"    end\n"
"    print(table.concat(lines, \"\\n\"))\n"
"    return\n"
"  end\n"
"  if type(name) ~= \"string\" then\n"
"    error(\"bad argument #1 to 'demo' (a demo name such as \\\"depth\\\", got a \" .. type(name) .. \")\", 2)\n"
"  end\n"
"  run(name)\n"
"end\n"
"\n"
"-- paper(name, args...): a paper script inside the session. Its os.exit\n"
"-- (a failed check, --help) ends the script, not the shell.\n"
"local exit_mt = {}\n"
"local function paper(name, ...)\n"
"  local skip = {common = true}\n"
"  if name == nil then\n"
"    print(\"Paper scripts (paper \\\"name\\\" runs one; options as on its command line, e.g. paper(\\\"depth\\\", \\\"--quick\\\")):\")\n"
"    for _, n in ipairs(names(paper_dirs, skip)) do print(\"  paper \\\"\" .. n .. \"\\\"\") end\n"
"    return\n"
"  end\n"
"  if type(name) ~= \"string\" then\n"
"    error((\"bad argument #1 to 'paper' (a script name such as \\\"depth\\\"; the scripts are: %s)\"):format(\n"
"      table.concat(names(paper_dirs, skip), \", \")), 2)\n"
"  end\n"
"  local path = not skip[name] and find(paper_dirs, name)\n"
"  if not path then\n"
"    error((\"paper: no script named '%s'; the scripts are: %s\"):format(\n"
"      #name > 60 and name:sub(1, 40) .. \"...\" or name, table.concat(names(paper_dirs, skip), \", \")), 2)\n"
"  end\n"
"  local chunk, err = loadfile(path, \"t\")\n"
"  if not chunk then error(\"paper: \" .. err, 2) end\n"
"  local saved_exit, saved_arg = os.exit, arg\n"
"  os.exit = function(status) error(setmetatable({status = status}, exit_mt), 0) end\n"
"  arg = table.pack(...)\n"
"  arg[0] = path\n"
"  local ok, e = pcall(chunk, ...)\n"
"  os.exit, arg = saved_exit, saved_arg\n"
"  if ok then return true end\n"
"  if getmetatable(e) == exit_mt then\n"
"    if e.status == nil or e.status == true or e.status == 0 then return true end\n"
"    print((\"paper %s: the script ended with status %s (a check failed or an argument was wrong); \"\n"
"           .. \"the session goes on\"):format(name, tostring(e.status)))\n"
"    return false\n"
"  end\n"
"  error(e, 0)\n"
"end\n"
"\n"
"return demo, paper\n";

static const rlua_api demo_api[] = {
	{"demo", "shell", "demo([name])",
	 "Guided demonstrations for a class: demo() lists them, demo \"depth\" runs one. Each is "
	 "a few short narrated steps; every step shows the Lua it runs (to retype), runs it and "
	 "shows the result, a plot or a report. In a terminal a key paces it: space or the right "
	 "arrow goes on, the left arrow goes back, q leaves. Without a terminal (relush -e "
	 "'demo \"flip\"' > out.txt) every step runs in turn without waiting. The demos are Lua "
	 "files in scripts/demo (installed in the package's data folder; RELUSH_DEMO_DIR adds a "
	 "folder of your own).",
	 "demo \"depth\"", .fn = NULL},
	{"paper", "shell", "paper(name [, args...])",
	 "Runs the paper script scripts/paper/NAME.lua inside the session, with args as on its "
	 "command line (e.g. \"--quick\", \"--out\", \"dir\"): its figure, table, CSV and SVG "
	 "files and PASS/FAIL checks. A failed check is reported and the session goes on; "
	 "returns true when every check passed. paper() lists the scripts.",
	 "paper(\"single_layer\", \"--quick\")", .fn = NULL},
	{"single_layer", "guide", "help \"single_layer\"",
	 "How to test the single-layer upper bound U properly. U is exact for one layer on inputs in "
	 "the non-negative orthant, represented by inputs.orthant(d, R): the origin and R e_i. With "
	 "zero biases (the default) the origin has every pre-activation exactly 0, a tie: it can "
	 "never live and reports say so; leave it out (X = inputs.from{O[2], ..., O[d+1]}) and compare "
	 "with U = 1 - 2^-(n d) = bound.upper({n}, d, true, true), for any R. Or keep it, draw biases "
	 "(bias = 1) and take R large, inputs.orthant(d, 1e6): then U = 1 - 2^-(n (d + 1)) = "
	 "bound.upper({n}, d, true, false), the experiment of paper \"single_layer\". With random "
	 "biases R matters: at R = 1 a neuron with bias b < 0 and weights in (0, -b] is dead on the "
	 "corners though not on the orthant, and P(alive) falls well below U (about 0.92 against 0.984 "
	 "for n = d = 2). demo \"single_layer\" walks through both.",
	 "O = inputs.orthant(3); mc{depth = 1, width = 2, X = inputs.from{O[2], O[3], O[4]}, trials = 20000, seed = 1}",
	 .fn = NULL},
	{0}
};

void shell_open_demo(lua_State *L)
{
	if (luaL_loadbufferx(L, demo_chunk, sizeof demo_chunk - 1, RLUA_OWN_CHUNK("demo"), "t") != LUA_OK)
		lua_error(L);
	push_dirs(L, "RELUSH_DEMO_DIR", RELUSH_PKGDATADIR "/demo", RELUSH_SOURCE_DIR "/scripts/demo");
	push_dirs(L, "RELUSH_PAPER_DIR", RELUSH_PKGDATADIR "/paper", RELUSH_SOURCE_DIR "/scripts/paper");
	lua_pushcfunction(L, read_key_l);
	lua_pushcfunction(L, interactive_l);
	lua_pushcfunction(L, list_lua_l);
	lua_pushcfunction(L, width_l);
	lua_pushcfunction(L, escapes_l);
	lua_call(L, 7, 2);
	lua_setglobal(L, "paper");
	lua_setglobal(L, "demo");
	rlua_api_register_globals(L, demo_api);   /* their help (they are Lua functions) */
}

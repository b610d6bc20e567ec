#!/bin/sh
# view.sh: the live view in a real terminal, driven through tmux
# on a private socket: the heatmap rows against net:death(X) (numbers and,
# cell by cell, the colours or ramp characters), q back to a working prompt
# with the terminal intact, resizing, TERM=vt100 and NO_COLOR, Ctrl-C and
# SIGTERM, stdout redirected to a file, and the Monte Carlo view (live
# counter, q keeps the partial result, the same numbers as without the
# view, and its overhead on benchmark P1, reported as a diagnostic), and
# what dies where and the P/L chart in 130x45, p pausing the
# engine, resizing then tput and the next view, escape sequences under
# TERM=vt100, TERM=dumb and unknown TERMs, view.inputs.
. "${RELUSH_SRCDIR:-$(dirname "$0")/../..}/tests/term/lib.sh"
# the panes here run sh (the stty checks need a shell around relush), so
# they are this test's own; the socket, scratch folder, clean-up and TAP
# lines are lib.sh's
TMP=$term_tmp
tm() { term_tmux "$@"; }
# lib.sh's ok, with the counts the plan line at the end reads
count=0 failed=0
ok() { term_ok "$1" "$2"; count=$term_count; failed=$((term_failed > 0)); }
# same_stty A B: the two saved `stty -a` outputs are equal (else the diff)
same_stty() {
	cmp -s "$TMP/$1" "$TMP/$2" && return 0
	diff "$TMP/$1" "$TMP/$2" | sed 's/^/#   /'
	return 1
}

capture() { tm capture-pane -p -t view "$@" 2>/dev/null; }
# wait_for PATTERN [TENTHS]: until the pane shows the (grep -E) pattern
wait_for() {
	i=0
	while [ "$i" -lt "${2:-100}" ]; do
		capture > "$TMP/pane"
		grep -Eq -- "$1" "$TMP/pane" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	diag "timed out waiting for /$1/; the pane shows:"
	sed 's/^/#   /' "$TMP/pane"
	return 1
}
type_line() { tm send-keys -t view -l "$1"; tm send-keys -t view Enter; }
# start WIDTH HEIGHT VAR=VALUE...: a pane running sh with that environment
# (a second session keeps the server up between panes)
start() {
	w=$1 h=$2
	shift 2
	tm has-session -t keep 2>/dev/null || tm new-session -d -s keep -x 20 -y 5 cat
	tm kill-session -t view >/dev/null 2>&1
	tm new-session -d -s view -x "$w" -y "$h" \
		"env -u LC_ALL -u LC_CTYPE -u NO_COLOR VIEW_TMP=$TMP RELUSH_HISTORY=/dev/null PS1='sh\$ ' $* sh"
	wait_for 'sh\$' 50
}
start_relush() {
	type_line "stty -a > $TMP/sh.before; $RELUSH"
	wait_for 'help\(\) lists' 100
}

# ---- the net and what net:death(X) says about it ----------------------------------
cat > "$TMP/setup.lua" <<'EOF'
net = relu(8, 16, {seed = 11})
X = inputs.gaussian(64, 16, {seed = 12})
local d = net:death(X)
local f = assert(io.open(os.getenv("VIEW_TMP") .. "/expected", "w"))
for l = 1, net.depth do
  local L = d.layers[l]
  local s = 0
  for j = 1, L.width do s = s + L.active[j] end
  f:write(l, " ", L.dead_neurons, " ", L.living, " ",
          L.reaching > 0 and string.format("%.1f", 100 * s / (L.reaching * L.width)) or "-")
  for j = 1, L.width do
    f:write(" ", L.reaching > 0 and string.format("%.17g", L.active[j] / L.reaching) or "-1")
  end
  f:write("\n")
end
f:close()
-- the terminal's modes as a program run from the prompt sees them
function stty(name) os.execute("stty -a > " .. os.getenv("VIEW_TMP") .. "/" .. name) end
stty("lua.before")
EOF

# check.lua CAPTURE MODE: the pane (with escapes) against the expected rows.
# MODE: 256, 8 (colour of each heat cell) or ramp (its character).
cat > "$TMP/check.lua" <<'EOF'
local capture, mode = arg[1], arg[2]
local dir = os.getenv("VIEW_TMP")
local RAMP = ".:-=+*#%@"
local HEAT256 = {54, 55, 56, 61, 25, 31, 30, 36, 37, 43, 42, 78, 114, 148, 184, 226}
local HEAT8 = {4, 6, 2, 3, 7}   -- blue, cyan, green, yellow, white
local DEAD = {["256"] = 160, ["8"] = 1}

local expected = {}
for line in io.lines(dir .. "/expected") do
  local w = {}
  for x in line:gmatch("%S+") do w[#w + 1] = x end
  local e = {dead = tonumber(w[2]), living = tonumber(w[3]), act = w[4], f = {}}
  for j = 5, #w do e.f[#e.f + 1] = tonumber(w[j]) end
  expected[tonumber(w[1])] = e
end

local function sgr(params, bg)
  local p = {}
  for x in (params .. ";"):gmatch("(%d*);") do p[#p + 1] = tonumber(x) or 0 end
  local k = 1
  while k <= #p do
    local v = p[k]
    if v == 0 or v == 49 then bg = nil
    elseif (v == 48 or v == 38) and p[k + 1] == 5 then
      if v == 48 then bg = p[k + 2] end
      k = k + 2
    elseif (v == 48 or v == 38) and p[k + 1] == 2 then k = k + 4
    elseif v >= 40 and v <= 47 then bg = v - 40
    elseif v >= 100 and v <= 107 then bg = v - 100 + 8
    end
    k = k + 1
  end
  return bg
end

local function cells_of(s)
  local cells, bg, i = {}, nil, 1
  while i <= #s do
    local c = s:byte(i)
    if c == 27 and s:sub(i + 1, i + 1) == "[" then
      local j = s:find("[@-~]", i + 2)
      if s:sub(j, j) == "m" then bg = sgr(s:sub(i + 2, j - 1), bg) end
      i = j + 1
    else
      local n = c < 0x80 and 1 or c < 0xE0 and 2 or c < 0xF0 and 3 or 4
      cells[#cells + 1] = {ch = s:sub(i, i + n - 1), bg = bg}
      i = i + n
    end
  end
  return cells
end

local problems, rows = {}, 0
local function problem(fmt, ...) problems[#problems + 1] = string.format(fmt, ...) end
local header = false
local dead_cells = 0
local cell_w = 1      -- narrow nets' cells grow: "..., N cols each"
for line in io.lines(capture) do
  local wide = line:match("(%d+) cols each")
  if wide then cell_w = tonumber(wide) end
  local cells = cells_of(line)
  local text = {}
  for k, c in ipairs(cells) do text[k] = c.ch end
  text = table.concat(text)
  if text:find("1 cell = 1 neuron", 1, true) then header = true end
  local l = tonumber(text:match("^%s*(%d+)|") or text:match("^%s*(%d+)\226\148\130"))
  if l then
    rows = rows + 1
    local e = expected[l]
    local sep = 0
    for k, c in ipairs(cells) do
      if c.ch == "|" or c.ch == "\226\148\130" then sep = k; break end
    end
    local right = text:match("[|\226\148\130]%s*(%d+ %S+%s+%d+%s+%S+)%s*$")
    local dead, living, act = (right or ""):match("^(%d+) %S+%s+(%d+)%s+(%S+)$")
    if not e then
      problem("layer %s is not in the expected rows", l)
    elseif tonumber(dead) ~= e.dead or tonumber(living) ~= e.living or act ~= e.act then
      problem("layer %d: dead %s living %s act %s, want %d %d %s", l, tostring(dead),
              tostring(living), tostring(act), e.dead, e.living, e.act)
    else
      for j, f in ipairs(e.f) do
        local c = cells[sep + (j - 1) * cell_w + 1] or {ch = "?"}
        for k = 2, cell_w do   -- every column of a grown cell alike
          local o = cells[sep + (j - 1) * cell_w + k] or {}
          if o.ch ~= c.ch or o.bg ~= c.bg then c = {ch = "?"} end
        end
        local want, got
        if mode == "ramp" then
          want = f < 0 and " " or f == 0 and "x" or RAMP:sub(math.ceil(f * 9), math.ceil(f * 9))
          got = c.ch
        elseif f < 0 then
          want, got = "\194\183", c.ch
        elseif f == 0 then   -- the x the legend and help speak of, on the dead colour
          want, got = DEAD[mode] .. " x", tostring(c.bg) .. " " .. c.ch
        else
          local k = math.max(1, math.min(16, math.ceil(f * 16)))
          want = mode == "256" and HEAT256[k] or HEAT8[(k - 1) * 5 // 16 + 1]
          got = c.bg
        end
        if f == 0 then dead_cells = dead_cells + 1 end
        if want ~= got then
          problem("layer %d neuron %d (f = %.4f): got %s, want %s", l, j, f, tostring(got), tostring(want))
        end
      end
    end
  end
end
if rows ~= 8 then problem("%d heatmap rows, want 8", rows) end
if dead_cells == 0 then problem("no dead neuron's cell was checked") end
if not header then problem("no '1 cell = 1 neuron' heading") end
for _, p in ipairs(problems) do print("# " .. p) end
print(#problems == 0 and "RESULT ok" or "RESULT fail")
EOF

# check_pane MODE DESCRIPTION: capture with escapes and check it
check_pane() {
	capture -e > "$TMP/pane.esc"
	VIEW_TMP=$TMP "$RELUSH" "$TMP/check.lua" "$TMP/pane.esc" "$1" > "$TMP/check.out" 2>&1
	grep '^# ' "$TMP/check.out"
	grep -q '^RESULT ok' "$TMP/check.out"
	ok $? "$2"
}

# echo_line: types a line that saves `stty -a` as lua.after and then prints
# echo42-N, N new each time: an earlier call's output, still on the screen
# the view restores, must not pass for this one's (the wait would end before
# stty had written the file it compares)
echo_n=0
echo_line() {
	echo_n=$((echo_n + 1))
	echo_typed="stty(\"lua.after\"); print((\"echo%d-%d\"):format(40 + 2, $echo_n))"
	type_line "$echo_typed"
}

# leave_view: q, then a working prompt that echoes what is typed, and the
# terminal modes as they were before the view
leave_view() {
	tm send-keys -t view q
	wait_for '^> *$' 50
	ok $? "$1: q returns to the prompt"
	echo_line
	wait_for "^echo42-$echo_n\$" 50 && grep -q "^> $echo_typed" "$TMP/pane"
	ok $? "$1: typed text echoes and runs after the view"
	same_stty lua.before lua.after
	ok $? "$1: stty -a is unchanged by the view"
}

quit_relush() {
	tm send-keys -t view C-d
	wait_for 'sh\$ *$' 50
	type_line "stty -a > $TMP/sh.after; echo typed-\$((6 * 7))"
	wait_for 'typed-42' 50 && same_stty sh.before sh.after
	ok $? "$1: after relush exits the shell's terminal is as before and echoes"
}

# ---- 1. view(net, X) in 80x24 and 200x60 panes, 256 colours ------------------------
for size in 80x24 200x60; do
	w=${size%x*} h=${size#*x}
	start "$w" "$h" TERM=tmux-256color LANG=C.UTF-8
	start_relush
	type_line "dofile(os.getenv('VIEW_TMP') .. '/setup.lua'); view(net, X)"
	wait_for 'q: ?quit' 100
	ok $? "$size: view(relu(8,16), inputs.gaussian(64,16)) opens the view"
	check_pane 256 "$size: 8 heatmap rows whose numbers and cell colours match net:death(X)"
	grep -q '100%   x dead' "$TMP/pane"
	ok $? "$size: the legend's x is the mark the dead cells carry"
	last=$(capture | sed -n "${h}p")
	case $last in *"q: quit"*|*"q:quit"*) s=0 ;; *) s=1 ;; esac
	ok $s "$size: the key line is on the last row"
	leave_view "$size"
	quit_relush "$size"
done

# 8 colours (TERM=screen): the gradient folds into blue, cyan, green, yellow, white
start 80 24 TERM=screen LANG=C.UTF-8
start_relush
type_line "dofile(os.getenv('VIEW_TMP') .. '/setup.lua'); view(net, X)"
wait_for 'q: ?quit' 100
check_pane 8 "TERM=screen: 8 heatmap rows in the 8-colour gradient match net:death(X)"
leave_view "TERM=screen"
quit_relush "TERM=screen"

# ---- 2. resizing ------------------------------------------------------------------------
start 80 24 TERM=tmux-256color LANG=C.UTF-8
start_relush
type_line "dofile(os.getenv('VIEW_TMP') .. '/setup.lua'); view(net, X)"
wait_for 'q: ?quit' 100
bar_width() { capture | sed -n 4p | sed 's/█/#/g; s/·/./g; s/.*│ *[0-9]* \([#.]*\) .*/\1/' | awk '{ print length($0) }'; }
b80=$(bar_width)
tm resize-window -t view -x 120 -y 40
wait_for 'q: ?quit' 30 && sleep 0.3
last=$(capture | sed -n 40p)
b120=$(bar_width)
case $last in *"q: quit"*|*"q:quit"*) s=0 ;; *) s=1 ;; esac
[ "$b80" = 10 ] && [ "$b120" = 15 ] || s=1
ok $s "resize to 120x40 redraws at the new size (key line on row 40, bars $b80 -> $b120 columns)"
check_pane 256 "after the resize the rows still match net:death(X)"
tm resize-window -t view -x 40 -y 10
wait_for 'terminal too small: 40x10' 30
ok $? "a 40x10 pane says the terminal is too small"
tm resize-window -t view -x 80 -y 24
wait_for 'q: ?quit' 30 && sleep 0.2
last=$(capture | sed -n 24p)
case $last in *"q: quit"*|*"q:quit"*) s=0 ;; *) s=1 ;; esac
ok $s "back to 80x24 the view is drawn again"
leave_view "resize"

# keys: help, aggregation, scrolling (a wide, deep net)
type_line "view(relu(60, 300, {input = 4, seed = 2}), inputs.gaussian(16, 4, {seed = 3}))"
wait_for 'q: ?quit' 100
grep -Eq '1 cell = [0-9]+ neurons \(auto\)' "$TMP/pane"
ok $? "a 300-wide net is aggregated automatically, and the heading says so"
tm send-keys -t view +
wait_for '1 cell = [0-9]+ neurons +dead' 20
ok $? "+ coarsens the aggregation (no longer automatic)"
tm send-keys -t view -
tm send-keys -t view -
tm send-keys -t view -
tm send-keys -t view -
tm send-keys -t view -
tm send-keys -t view -
wait_for '1 cell = 1 neuron' 20
ok $? "- down to 1 cell = 1 neuron"
# the key line names the neurons on screen, as many as a layer row has cells
shown_cells() { sed -n 4p "$TMP/pane" | sed 's/│/|/g' | awk -F'|' '{ print length($2) }'; }
wait_for 'neurons 1-[0-9]+ of 300' 20
range=$(grep -Eo 'neurons [0-9]+-[0-9]+ of 300' "$TMP/pane")
last=$(echo "$range" | sed 's/neurons 1-\([0-9]*\) .*/\1/')
[ -n "$last" ] && [ "$last" = "$(shown_cells)" ]
ok $? "at 1 neuron a cell the key line says which neurons are shown ($range, $(shown_cells) cells)"
tm send-keys -t view Right
step=$((last / 8))    # Right moves an eighth of the cells shown
wait_for "neurons $((step + 1))-$((last + step)) of 300" 20
ok $? "Right scrolls the neurons, and the range follows ($(grep -Eo 'neurons [0-9]+-[0-9]+ of 300' "$TMP/pane"))"
tm send-keys -t view Left
wait_for 'neurons 1-[0-9]+ of 300' 20
ok $? "Left scrolls back to neuron 1"
tm send-keys -t view NPage
wait_for 'layers [0-9][0-9]+-' 20
ok $? "PgDn scrolls the layers"
tm send-keys -t view End
wait_for 'layers [0-9]+-60/60' 20
ok $? "End shows the last layer"
tm send-keys -t view '?'
wait_for 'relush view: keys' 20
ok $? "? shows the help"
tm send-keys -t view x
sleep 0.2
capture | grep -q 'relush view: keys'
ok $((1 - $?)) "any key closes the help"
tm send-keys -t view Escape
wait_for '^> *$' 30
ok $? "Esc leaves the view"

# Ctrl-C inside the view: the terminal is restored, the shell says interrupted
type_line "view(net, X)"
wait_for 'q: ?quit' 100
tm send-keys -t view C-c
wait_for '^interrupted' 30
ok $? "Ctrl-C leaves the view and interrupts the call"
leave_view_ctrlc() {
	echo_line
	wait_for "^echo42-$echo_n\$" 50 && same_stty lua.before lua.after
	ok $? "after Ctrl-C the prompt works and stty -a is unchanged"
}
leave_view_ctrlc
quit_relush "resize and keys"

# ---- 3. no colours: TERM=vt100, NO_COLOR=1 ---------------------------------------------
for env in "TERM=vt100 LANG=C" "TERM=tmux-256color NO_COLOR=1 LANG=C.UTF-8"; do
	start 80 24 $env
	start_relush
	type_line "dofile(os.getenv('VIEW_TMP') .. '/setup.lua'); view(net, X)"
	wait_for 'q: ?quit' 100
	check_pane ramp "$env: the heat cells are the character ramp of net:death(X)'s fractions"
	grep -q '0% \.:-=+\*#%@ 100%' "$TMP/pane"
	ok $? "$env: the legend shows the ramp"
	capture -e | grep -Eq "$(printf '\033')\[([0-9;]*;)?(4[0-8]|10[0-7])(;[0-9;]*)?m"
	ok $((1 - $?)) "$env: no background colours are drawn"
	leave_view "$env"
	quit_relush "$env"
done
start 80 24 TERM=vt100 LANG=C
start_relush
type_line "dofile(os.getenv('VIEW_TMP') .. '/setup.lua'); view(net, X)"
wait_for 'q: ?quit' 100
capture > "$TMP/ascii"
grep -q '^    1|' "$TMP/ascii" && ! grep -q '│' "$TMP/ascii"
ok $? "LANG=C: ASCII glyphs only"
tm send-keys -t view q
wait_for '^> *$' 50
quit_relush "vt100"

# ---- 4. SIGTERM in the view, and stdout redirected to a file -----------------------------
start 80 24 TERM=tmux-256color LANG=C.UTF-8
type_line "stty -a > $TMP/sh.before; $RELUSH -e 'io.open(os.getenv(\"VIEW_TMP\") .. \"/pid\", \"w\"):write(io.open(\"/proc/self/stat\"):read(\"n\")):close(); view(relu(8, 16))'"
wait_for 'q: ?quit' 100
kill -TERM "$(cat "$TMP/pid")"
wait_for 'sh\$ *$' 50
type_line "stty -a > $TMP/sh.after; echo typed-\$((6 * 7))"
wait_for 'typed-42' 50 && same_stty sh.before sh.after
ok $? "SIGTERM in the view: relush ends and the terminal is restored"

chunk="dofile(os.getenv('VIEW_TMP') .. '/setup.lua'); view(net, X)"
type_line "$RELUSH -e \"$chunk\" > $TMP/batch.txt; echo exit-\$?"
wait_for 'exit-[0-9]' 100
grep -q 'exit-0' "$TMP/pane"
ok $? "view() with stdout redirected to a file (stdin a terminal) succeeds"
VIEW_TMP=$TMP "$RELUSH" -e "dofile(os.getenv('VIEW_TMP') .. '/setup.lua'); io.write(view.snapshot(net, X))" \
	> "$TMP/snapshot.txt" 2>/dev/null </dev/null
cmp -s "$TMP/batch.txt" "$TMP/snapshot.txt" && [ "$(grep -c '^ *[0-9]*|' "$TMP/batch.txt")" = 8 ]
ok $? "the file holds the text snapshot: 8 layer rows, equal to view.snapshot(net, X)"

# ---- 5. the Monte Carlo view ------------------------------------------------------------------
P1="depth = 32, width = 4, X = inputs.gaussian(64, 2, {seed = 1}), seed = 5"
cat > "$TMP/mc.lua" <<'EOF'
-- records the progress calls the run makes (the view gets the same ones
-- through its C observer)
calls = {}
function rec(p) calls[#calls + 1] = p.done end
function increasing(list)
  for i = 2, #list do if list[i] < list[i - 1] then return false end end
  return true
end
function same(a, b)
  if a.alive_trials ~= b.alive_trials or a.trials ~= b.trials or a.fraction ~= b.fraction
     or a.min_fraction ~= b.min_fraction then return false end
  for l = 1, #a.layers do
    for k, v in pairs(a.layers[l]) do
      if type(v) == "number" and v == v and b.layers[l][k] ~= v then return false end
    end
  end
  return true
end
EOF
start 80 24 TERM=tmux-256color LANG=C.UTF-8
start_relush
type_line "dofile(os.getenv('VIEW_TMP') .. '/mc.lua')"
# a longer run to watch the counter: 2e4 trials take ~0.15 s here, three
# progress calls at the engine's 50 ms interval
type_line "r = mc{$P1, trials = 3e5, threads = 1, view = true, progress = rec}"
seen=""
i=0
while [ "$i" -lt 300 ]; do
	capture > "$TMP/pane"
	t=$(sed -n 's/^trials \([0-9]*\) \/ 300000.*/\1/p' "$TMP/pane")
	[ -n "$t" ] && case " $seen " in *" $t "*) ;; *) seen="$seen $t" ;; esac
	grep -q 'done$' "$TMP/pane" && break
	sleep 0.05
	i=$((i + 1))
done
n=$(echo $seen | wc -w)
diag "trial counters seen on screen:$seen"
[ "$n" -ge 5 ]
ok $? "the trial counter updates on screen while the run goes on ($n values seen)"
grep -q 'P(alive)  ▀ P' "$TMP/pane" && grep -q '─* L 0' "$TMP/pane"
ok $? "the P(alive) curve is drawn with the L line"
tm send-keys -t view q
wait_for '^> *$' 50
type_line "print('calls', #calls, increasing(calls), r.interrupted)"
wait_for '^calls[[:space:]]+[0-9]' 50
n=$(sed -n 's/^calls[[:space:]]*\([0-9]*\)[[:space:]]*true[[:space:]]*false.*/\1/p' "$TMP/pane")
[ -n "$n" ] && [ "$n" -ge 5 ]
ok $? "the run made ${n:-no} progress calls with a counter that never goes back; it completed"

# the acceptance run: the same numbers with and without the view
type_line "calls = {}; r1 = mc{$P1, trials = 2e4, view = true, progress = rec}"
wait_for 'done$' 100
tm send-keys -t view q
wait_for '^> *$' 50
type_line "r2 = mc{$P1, trials = 2e4}; print('same', same(r1, r2), r1.alive_trials, r1.trials, #calls, r1.seconds)"
wait_for '^same[[:space:]]+(true|false)[[:space:]]' 100
diag "the 2e4-trial run: $(awk '/^same[ \t]/ { print $5 " progress calls in " $6 " s" }' "$TMP/pane")"
grep -Eq '^same[[:space:]]+true[[:space:]]+[0-9]+[[:space:]]+20000' "$TMP/pane"
ok $? "mc{depth=32, width=4, X=inputs.gaussian(64,2), trials=2e4, view=true} ends with the same numbers as without the view"

# q during a run: the partial result, marked interrupted
type_line "r3 = mc{$P1, trials = 1e8, threads = 1, view = true}"
wait_for 'running$' 100
sleep 0.5
tm send-keys -t view q
wait_for '^> *$' 50
type_line "print('partial', r3.interrupted, r3.trials > 0 and r3.trials < 1e8)"
wait_for '^partial[[:space:]]+(true|false)' 50
grep -Eq '^partial[[:space:]]+true[[:space:]]+true' "$TMP/pane"
ok $? "q stops a running experiment and keeps its partial result, marked interrupted"

# space pauses the display, not the run
type_line "r4 = mc{$P1, trials = 1e8, threads = 1, view = true}"
wait_for 'running$' 100
tm send-keys -t view Space
wait_for 'PAUSED$' 20
a=$(sed -n 's/^trials \([0-9]*\) .*/\1/p' "$TMP/pane")
sleep 0.4
b=$(capture | sed -n 's/^trials \([0-9]*\) .*/\1/p')
[ -n "$a" ] && [ "$a" = "$b" ]
ok $? "space freezes the display (counter $a, then $b)"
tm send-keys -t view Space
sleep 0.4
c=$(capture | sed -n 's/^trials \([0-9]*\) .*/\1/p')
[ -n "$c" ] && [ "$c" != "$b" ]
ok $? "space again resumes it (counter $c)"
tm send-keys -t view C-c
wait_for '^> *$' 50
type_line "print('ctrlc', r4, mc.partial.interrupted, mc.partial.trials > 0)"
wait_for '^ctrlc[[:space:]]+' 50
grep -Eq '^ctrlc[[:space:]]+nil[[:space:]]+true[[:space:]]+true' "$TMP/pane"
ok $? "Ctrl-C in the Monte Carlo view stops the command (r4 stays unset) and keeps the partial result in mc.partial"
# one Ctrl-C in the view of an mc inside a loop stops the loop, as without the view
type_line "for i = 1, 5 do mc{$P1, trials = 1e8, threads = 1, view = true}; print('loop', i) end"
sleep 1
tm send-keys -t view C-c
wait_for '^> *$' 50
s=$?
capture | grep -q '^loop' && s=1
ok $s "Ctrl-C in the view of an mc inside a loop stops the whole loop"

# overhead on benchmark P1 (reported, not asserted: timings are not tests):
# trials/s of the same run without the view, with mc{..., view = true}, and
# with view{...} (which opens the terminal before the run starts)
type_line "function rate(kind, v) io.open(os.getenv('VIEW_TMP') .. '/rate.' .. kind, 'a'):write(v, '\\n'):close() end"
k=0
while [ "$k" -lt 7 ]; do
	type_line "rate('none', mc{$P1, trials = 2e4}.rate)"
	type_line "rv = mc{$P1, trials = 2e4, view = true}"
	wait_for 'done$' 100
	tm send-keys -t view q
	wait_for '^> *$' 50
	type_line "rate('mc', rv.rate); rv = view{$P1, trials = 2e4}"
	wait_for 'done$' 100
	tm send-keys -t view q
	wait_for '^> *$' 50
	type_line "rate('view', rv.rate)"
	k=$((k + 1))
done
sleep 0.5
median() { sort -g "$TMP/rate.$1" | sed -n 4p; }
none=$(median none) with_mc=$(median mc) with_view=$(median view)
diag "P1 (2e4 trials, all cores), median of 7 runs: $none trials/s without the view,"
diag "  $with_mc with mc{..., view = true}, $with_view with view{...}"
diag "P1 throughput ratio with/without the view: $(awk -v a="$with_mc" -v b="$none" 'BEGIN { printf "%.3f", a / b }') (mc{view=true}), $(awk -v a="$with_view" -v b="$none" 'BEGIN { printf "%.3f", a / b }') (view{...})"
quit_relush "mc"

# ---- 6. what dies where, the chart, terminal manners ----------------------------
A15="depth = 24, width = 3, X = inputs.gaussian(64, 2, {seed = 1}), trials = 3e8"
start 130 45 TERM=tmux-256color LANG=C.UTF-8
start_relush
type_line "r15 = mc{$A15, view = true}"
wait_for 'running$' 100
sleep 2
capture > "$TMP/a15"
sed 's/^/#   /' "$TMP/a15" | head -48
# P and L labelled on different rows of the chart, P/L printed
prow=$(grep -n '│.* P 0\.[0-9]*$' "$TMP/a15" | cut -d: -f1)
lrow=$(grep -n '│.* L 0\.[0-9]*$' "$TMP/a15" | cut -d: -f1)
[ -n "$prow" ] && [ -n "$lrow" ] && [ "$prow" != "$lrow" ] && grep -Eq 'P/L [0-9]+\.[0-9]+ +P-L [-+]' "$TMP/a15"
ok $? "130x45, depth 24 width 3: P (row ${prow:-?}) and L (row ${lrow:-?}) on different chart rows, P/L and P-L printed"
# the per-layer quantity P(>l): layer 2 against layer 20 (every layer is on screen)
pl() { sed -n "s/^ *$1│[^│]*│[^ ]* *[0-9.]* *[0-9.]* *\([0-9.]*\) .*/\1/p" "$TMP/a15"; }
p2=$(pl 2) p20=$(pl 20)
diag "P(>l): layer 2 $p2, layer 20 $p20"
[ -n "$p2" ] && [ -n "$p20" ] && awk -v a="$p2" -v b="$p20" 'BEGIN { exit !(a > 0.9 && b < 0.3) }'
ok $? "the layer display is not uniform: P(>l) $p2 at layer 2, $p20 at layer 20"
grep -q 'points killed %' "$TMP/a15" && grep -q 'P(>l) surv/pt  1-2^-n' "$TMP/a15"
ok $? "the columns are labelled in a header"
tm send-keys -t view '?'
wait_for 'surv/pt     P\(a point alive' 20
ok $? "? explains the columns"
tm send-keys -t view Escape
sleep 0.3
# p pauses the computation itself
tm send-keys -t view p
wait_for 'PAUSED \(computation\)$' 20
sleep 0.6    # the chunks in flight when p was pressed end
a=$(capture | sed -n 's/^trials \([0-9]*\) .*/\1/p')
sleep 0.5
b=$(capture | sed -n 's/^trials \([0-9]*\) .*/\1/p')
[ -n "$a" ] && [ "$a" = "$b" ]
s1=$?
tm send-keys -t view p
sleep 0.5
c=$(capture | sed -n 's/^trials \([0-9]*\) .*/\1/p')
[ $s1 -eq 0 ] && [ -n "$c" ] && [ "$c" -gt "$b" ]
ok $? "p pauses the run (trials $a, $b) and p resumes it ($c)"
tm send-keys -t view y
wait_for 'P\(alive\), log axis' 20
ok $? "y switches the chart to a log axis"
tm send-keys -t view q
wait_for '^> *$' 50
type_line "print('r15', r15.interrupted, r15.trials > tonumber('$c'))"
wait_for '^r15[[:space:]]+(true|false)' 50
grep -Eq '^r15[[:space:]]+true[[:space:]]+true' "$TMP/pane"
ok $? "after the pause the engine went on; q kept the partial result"

# a Ctrl-C in the first milliseconds of a view closes it like a later one:
# back at the prompt without q, whenever it lands
for delay in 0 0.02 0.1; do
	tm send-keys -t view -l "rc = mc{$A15, view = true}"
	tm send-keys -t view Enter
	sleep $delay
	tm send-keys -t view C-c
	wait_for '^> *$' 50
	s=$?
	capture | grep -q 'q: stop\|q: back' && s=1
	ok $s "Ctrl-C $delay s after starting a view closes it (no q needed)"
done
type_line 'print("after" .. "-ctrl-c")'
wait_for '^after-ctrl-c' 50
ok $? "the prompt works after the early Ctrl-Cs"

# resizing during a view: the next view and tput cols use the new size
type_line "view(relu(8, 16, {seed = 11}))"
wait_for 'q: ?quit' 100
tm resize-window -t view -x 100 -y 30
wait_for 'q: ?quit' 30 && sleep 0.3
tm send-keys -t view q
wait_for '^> *$' 50
type_line "os.execute('tput cols; tput lines')"
wait_for '^30$' 50
grep -q '^100$' "$TMP/pane"
ok $? "after a resize during a view, tput cols and lines say 100 and 30"
type_line "view(relu(8, 16, {seed = 11}))"
wait_for 'q: ?quit' 100
sleep 0.2
last=$(capture | sed -n 30p)
w=$(capture | sed -n 30p | awk '{ print length($0) }')
case $last in *"q: quit"*|*"q:quit"*) s=0 ;; *) s=1 ;; esac
capture | sed -n 1p | grep -q '^relush view' || s=1
ok $s "the next view is drawn at 100x30 (key line on row 30)"
# c: the high-contrast palette draws the ramp glyphs on its colours
row() { capture | grep -m1 '^ *1│' | sed 's/^ *1│\([^│]*\)│.*/\1/'; }
before=$(row)
tm send-keys -t view c
sleep 0.3
after=$(row)
echo "$before" | grep -q '^ *$' && echo "$after" | grep -q '[.:=+*#%@-]'
ok $? "c switches to the high-contrast palette (glyphs: '$after')"
# n: the next random net of the same kind
tm send-keys -t view n
wait_for '^relush view .*, trial 1;' 20
ok $? "n draws the next net (trial 1) and shows it"
tm send-keys -t view q
wait_for '^> *$' 50
# a net loaded from a file has no law to draw from: no n, and n changes nothing
type_line "relu(6, 2, {seed = 3}):save(os.getenv('VIEW_TMP') .. '/l.npz'); ln = relu.load(os.getenv('VIEW_TMP') .. '/l.npz')"
type_line "view(ln, inputs.gaussian(16, 2, {seed = 1}))"
wait_for '^relush view' 20
before=$(capture | sed -n 1p)
tm send-keys -t view n
sleep 0.5
after=$(capture | sed -n 1p)
s=0
[ "$before" = "$after" ] || s=1
capture | grep -q 'n: new net\|n:new net' && s=1
ok $s "view of a net from relu.load: no n key, and n leaves the net as it is"
tm send-keys -t view q
wait_for '^> *$' 50
tm resize-window -t view -x 130 -y 45    # back to the size the shell started at
sleep 0.3
quit_relush "the chart and terminal manners"

# an End key under a TERM that does not match (vt100 knows no End) does not stop a run
start 100 30 TERM=vt100 LANG=C
start_relush
type_line "re = mc{$A15, view = true, threads = 1}"
wait_for 'running$' 100
tm send-keys -t view End
tm send-keys -t view Home
tm send-keys -t view M-x
sleep 0.6
capture > "$TMP/pane"
grep -q 'running$' "$TMP/pane"
ok $? "End, Home and Alt-x under TERM=vt100 are not taken as Esc: the run goes on"
tm send-keys -t view Escape
wait_for '^> *$' 30
ok $? "Esc alone still leaves"
quit_relush "vt100"

# TERM=dumb: the text snapshot instead of a blank screen; an unknown TERM
# runs mc without the view and says so
start 100 30 TERM=dumb LANG=C
type_line "$RELUSH -e 'view(relu(8, 16, {seed = 11}))'; echo done-\$?"
wait_for 'done-[0-9]' 100
grep -q 'cannot move the cursor' "$TMP/pane" && [ "$(grep -c '^ *[0-9]*|' "$TMP/pane")" = 8 ]
ok $? "TERM=dumb: view() says why and prints the text snapshot (8 layer rows)"
start 100 30 TERM=xyzzy-unknown LANG=C
type_line "$RELUSH -e 'r = mc{depth = 6, width = 3, trials = 2000, view = true}; print(\"trials\", r.trials)' 2> $TMP/unknown.err; echo done-\$?"
wait_for 'done-[0-9]' 100
grep -q "no live view: the terminal type 'xyzzy-unknown'" "$TMP/unknown.err" && grep -Eq '^trials[[:space:]]+2000' "$TMP/pane" && grep -q '^relush mc' "$TMP/pane"
ok $? "an unknown TERM: mc{view = true} runs without the view, says so and prints the text"
grep -q 'done-0' "$TMP/pane"
ok $? "... and exits 0"

# view.inputs in the terminal: the plane, q leaves
start 100 30 TERM=tmux-256color LANG=C.UTF-8
start_relush
type_line "view.inputs(relu(12, 2, {input = 2, seed = 7}))"
wait_for 'killed at layer' 100
ok $? "view.inputs draws the input plane in the terminal"
tm send-keys -t view q
wait_for '^> *$' 30
ok $? "q leaves view.inputs"
quit_relush "view.inputs"

# small terminals (61x12, 80x24): the title gives way to the state word
# by shortening or leaving out whole fields, the ETA stays on the screen, and the help box (taller than
# the screen) shows a window with its borders that Up/Down scroll
for size in 61x12 80x24; do
	w=${size%x*} h=${size#*x}
	start "$w" "$h" TERM=tmux-256color LANG=C.UTF-8
	start_relush
	type_line "rs = mc{$A15, view = true}"
	wait_for 'running$' 100
	sleep 0.3
	capture > "$TMP/small"
	sed -n 1p "$TMP/small" | grep -Eq 'points +running$'
	ok $? "$size: the title and the state word do not run together ($(sed -n 1p "$TMP/small"))"
	sed -n 2p "$TMP/small" | grep -Eq 'ETA [0-9]'
	ok $? "$size: the ETA is on the screen"
	tm send-keys -t view '?'
	wait_for 'lines 1-[0-9]+ of [0-9]+: Up/Down scroll' 20
	s=$?
	capture | grep -q '└' || s=1
	ok $s "$size: a help box taller than the screen shows a window of it with its borders"
	tm send-keys -t view Down
	wait_for 'lines 2-[0-9]+ of' 20
	ok $? "$size: Down scrolls the help"
	tm send-keys -t view NPage NPage NPage NPage
	wait_for 'surv/pt is compared with' 20
	ok $? "$size: the help scrolls to its last line"
	tm send-keys -t view x
	sleep 0.3
	! capture | grep -q 'Up/Down scroll' && capture | grep -q 'running$'
	ok $? "$size: another key closes the help; the run goes on"
	tm send-keys -t view q
	wait_for '^> *$' 50
	quit_relush "small $size"
done

echo "1..$count"
exit $failed

# Ctrl-C during a running computation returns to the prompt with
# "interrupted", keeps the session (globals, next command), both for Lua
# loops and for long C calls. One Ctrl-C stops the whole command (a loop of
# mc calls, also through pcall); an interrupted mc leaves its partial result
# in mc.partial and says so in one line; a script exits 130.
. "${RELUSH_SRCDIR:-$(dirname "$0")/../..}/tests/term/lib.sh"

# ctrl_c_within_1s REGEX DESCRIPTION [THEN]: presses Ctrl-C, then checks
# that a line matching REGEX (and then one matching THEN) comes within 1 s.
ctrl_c_within_1s() {
	t0=$(now)
	term_keys C-c
	term_wait "$1" 2 && { [ -z "${3:-}" ] || term_wait "$3" 1; }
	status=$?
	t1=$(now)
	ok $status "$2"
	elapsed=$(awk "BEGIN{print $t1 - $t0}")
	diag "done after $elapsed s"
	awk "BEGIN{exit !($elapsed < 1)}"
	ok $? "... within 1 s"
}
# ctrl_c_to_prompt REGEX DESCRIPTION: ... and back at the prompt.
ctrl_c_to_prompt() { ctrl_c_within_1s "$1" "$2" '^> $'; }

term_start
ok $? "the shell starts"

term_line 'kept = 42; n = 0; while true do n = n + 1 end'
sleep 0.5
ctrl_c_to_prompt 'interrupted$' "Ctrl-C stops a Lua loop and returns to the prompt"

term_clear
term_line 'print(kept, n > 0)'
term_wait '^42[[:space:]]+true$'
ok $? "globals are kept and the next command works"

# A long computation in C. mc polls the engine's interrupt flag between
# chunks; without mc (before the Monte Carlo binding landed) a loop of
# net:forward calls in C is interrupted between calls by the Lua hook.
term_clear
term_cmd 'long_c = mc ~= nil and function() return mc{depth=64, width=64, X=inputs.gaussian(512, 64), trials=1e9} end or function() local net, X = relu(8, 128), inputs.gaussian(2000, 128) while true do net:forward(X) end end'
term_line 'long_c()'
sleep 1
ctrl_c_to_prompt 'interrupted' "Ctrl-C stops a long C computation"

term_clear
term_line 'net = relu(3, 4); print(net.depth, kept)'
term_wait '^3[[:space:]]+42$'
ok $? "the next command works after an interrupted C call"

term_clear
term_line 'for i = 1, 3 do collectgarbage() end print(collectgarbage("count") < 1e5)'
term_wait '^true$'
ok $? "memory is released after interrupts"

# Code from a file says where it was stopped; the prompt's own lines do not.
printf 'function spin()\n  local n = 0\n  while true do n = n + 1 end\nend\n' > "$term_tmp/spin_lib.lua"
term_clear
term_line 'dofile("spin_lib.lua"); spin()'
sleep 0.5
ctrl_c_to_prompt 'interrupted at spin_lib.lua:3$' "Ctrl-C in a function from a file says where it stopped"

# One Ctrl-C stops the whole command: a loop of mc calls (each of which
# stops early and returns a partial result) does not go on to the next.
# (Each call runs for seconds, so the Ctrl-C lands inside the first.)
term_clear
term_line 'count = 0; for i = 1, 100 do local r = mc{depth=50, width=8, X=inputs.gaussian(64, 8), trials=1e6}; count = i end'
sleep 1
ctrl_c_to_prompt 'interrupted' "Ctrl-C stops a loop of mc calls and returns to the prompt"
term_clear
term_line 'print("count", count)'
term_wait '^count[[:space:]]+0$'
ok $? "... and the loop did not go on after the interrupted call"

# Also through the user's own pcall: the interrupt is raised again.
term_clear
term_line 'for i = 1, 1e6 do pcall(mc, {depth=20, width=8, trials=1e4}) end'
sleep 1
term_keys C-c
term_wait 'interrupted' 1 && term_wait '^> $' 1
ok $? "Ctrl-C stops a loop that catches errors with pcall"

# Code running in a coroutine (hooks belong to one coroutine, and the
# signal handler reaches only the main one): a loop inside coroutine.wrap,
# a coroutine resumed in a loop (resume catches the error as pcall does),
# and a generator called in a loop, each stopped by one Ctrl-C.
for cmd in \
	'co = coroutine.wrap(function() local n = 0 while true do n = n + 1 end end); co()' \
	'co = coroutine.create(function() while true do end end); for i = 1, 10 do print(coroutine.resume(co)) end' \
	'g = coroutine.wrap(function() for i = 1, 1e9 do coroutine.yield(i) end end); while true do g() end' \
	'co = coroutine.wrap(function() return coroutine.wrap(function() while true do end end)() end); co()'; do
	term_clear
	term_line "$cmd"
	sleep 0.5
	ctrl_c_to_prompt '(^|\^C)interrupted$' "Ctrl-C stops a loop in a coroutine: ${cmd%%;*}"
done
term_clear
term_line 'print(coroutine.wrap(function(a) coroutine.yield(a + 1) end)(1), select(2, pcall(coroutine.create, 5)))'
term_wait "^2[[:space:]]+bad argument #1 to '(coroutine\\.)?create' \(function expected, got number\)$"
ok $? "coroutines still work, and their errors name create"

# A shell command Ctrl-C kills (os.execute: system() ignores SIGINT in
# relush while it waits, so only the command sees it): the loop around it
# stops too, as bash stops its loops.
term_clear
term_line 'n = 0; for i = 1, 100 do os.execute("sleep 5"); n = i end'
sleep 0.5
ctrl_c_to_prompt '(^|\^C)interrupted$' "Ctrl-C stops a loop of os.execute calls"
term_clear
term_line 'print("n", n, os.execute("exit 3"))'
term_wait '^n[[:space:]]+0[[:space:]]+nil[[:space:]]+exit[[:space:]]+3$'
ok $? "... at the first call; os.execute still returns what Lua's does"

# r = mc{...} typed alone: the partial result is kept in mc.partial and one
# line says so.
term_clear
term_line 'mc.partial = nil; r = mc{depth=20, width=16, trials=1e9}'
term_wait 'ETA ([0-9]+d [0-9]{2}h|[0-9]+h [0-9]{2}m|[0-9]+m [0-9]{2}s|[0-9]+s)$' 3
ok $? "the progress bar shows a human ETA"
# the bar fits the terminal, measured at each redraw: a line wider than
# the terminal would wrap, and each redraw ("\r" to its last row) would
# leave a copy of it on the screen
# (the pane is wiped by tmux: keys like C-l typed now would reach relush)
for cols in 48 30; do
	term_resize $cols 40
	term_tmux send-keys -R -t relush
	term_tmux clear-history -t relush
	sleep 1.5   # several redraws (about one every 50 ms)
	rows=$(term_tmux capture-pane -p -t relush | grep -c '^mc ')
	widest=$(term_tmux capture-pane -p -t relush | awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }')
	kept=$(term_tmux capture-pane -p -t relush | grep '^mc ' | tail -n 1)
	[ "$rows" -eq 1 ] && [ "$widest" -lt $cols ] && printf '%s\n' "$kept" | grep -Eq '^mc \[[=> ]{10,30}\] +[0-9.]+%'
	ok $? "in $cols columns the bar is one row narrower than the terminal, percent kept: '$kept'"
done
term_resize 100 40
term_tmux send-keys -R -t relush
term_tmux clear-history -t relush
term_keys C-c
term_wait '^interrupted: mc stopped after [0-9]+ of 1000000000 trials; its partial result is in mc.partial$' 2
ok $? "an interrupted mc says how far it got and where its partial result is"
term_wait '^> $' 1
lines=$(term_screen | grep -v '^[[:space:]]*$' | grep -vc '^> ')
[ "$lines" -eq 1 ]
ok $? "... in one line (got $lines)"
term_clear
term_line 'print(r == nil, mc.partial.interrupted, mc.partial.trials > 0, mc.partial.trials < 1e9)'
term_wait '^true[[:space:]]+true[[:space:]]+true[[:space:]]+true$'
ok $? "... r is left unset and mc.partial holds the partial result"
term_clear
term_line 'mc.partial'
term_wait '^  [0-9]+ trials \(those finished before the interrupt, among trials 1\.\.1000000000\), seed'
ok $? "... whose header says which trials were counted"

# A script of such a loop exits 130 within 1 s of Ctrl-C.
cat > "$term_tmp/loop.lua" <<'EOF'
for i = 1, 100 do
  local r = mc{depth=50, width=8, X=inputs.gaussian(64, 8), trials=1e8}
  print(i, r.interrupted)
end
EOF
term_run "env NO_COLOR=1 RELUSH_HISTORY=/dev/null '$RELUSH' loop.lua"
sleep 1.5
ctrl_c_within_1s '^\[exited 130\]$' "an interrupted script exits with status 130"
term_screen | grep -Eq 'relush: interrupted at loop.lua:[23]: mc stopped after [0-9]+ of 100000000 trials; the script ends here, so that partial result is lost \(only a run given out= has saved it, to its file\)$'
ok $? "... and says where, what was interrupted, and that its partial result is lost"
! term_screen | grep -Eq '^1[[:space:]]'
ok $? "... without finishing the loop body"
# with -i the session goes on after the script: the partial result is kept
term_run "env NO_COLOR=1 RELUSH_HISTORY=/dev/null '$RELUSH' -i loop.lua"
sleep 1.5
term_keys C-c
term_wait 'mc stopped after [0-9]+ of 100000000 trials; its partial result is in mc.partial$' 2 && term_wait '^> $' 2
ok $? "relush -i loop.lua stopped by Ctrl-C says the partial result is in mc.partial"
term_line 'mc.partial.interrupted'
term_wait '^true$' 2
ok $? "... and it is there at the prompt"

# A script stopped in Lua code says where.
printf 'local n = 0\nwhile true do\n  n = n + 1\nend\n' > "$term_tmp/spin.lua"
term_run "env NO_COLOR=1 RELUSH_HISTORY=/dev/null '$RELUSH' spin.lua"
sleep 0.5
term_keys C-c
term_wait '^\[exited 130\]$' 2 && term_screen | grep -Eq 'relush: interrupted at spin.lua:[2-4]$'
ok $? "a script stopped in a Lua loop exits 130 saying where it stopped"

# ... and a script stopped in a shell command it runs.
printf 'for i = 1, 100 do\n  os.execute("sleep 5")\nend\n' > "$term_tmp/shloop.lua"
term_run "env NO_COLOR=1 RELUSH_HISTORY=/dev/null '$RELUSH' shloop.lua"
sleep 0.5
term_keys C-c
term_wait '^\[exited 130\]$' 2 && term_screen | grep -Eq 'relush: interrupted at shloop.lua:2$'
ok $? "a script stopped in os.execute exits 130 saying where it stopped"

# ... also in a coroutine of a script.
printf 'local co = coroutine.wrap(function()\n  while true do end\nend)\nco()\n' > "$term_tmp/cospin.lua"
term_run "env NO_COLOR=1 RELUSH_HISTORY=/dev/null '$RELUSH' cospin.lua"
sleep 0.5
term_keys C-c
term_wait '^\[exited 130\]$' 2 && term_screen | grep -Eq 'relush: interrupted at cospin.lua:2$'
ok $? "a script stopped in a coroutine exits 130 saying where it stopped"

# ... and a script stopped inside relush's own Lua code (mc.sweep's loop,
# a loaded chunk of the module): the place named is the user's line that
# called it, never a line of relush's code.
printf 'local x = 1\ns = mc.sweep{depth = {50, 60}, width = 8, trials = 1e8, progress = false}\n' > "$term_tmp/sweep.lua"
term_run "env NO_COLOR=1 RELUSH_HISTORY=/dev/null '$RELUSH' sweep.lua"
sleep 1
term_keys C-c
term_wait '^\[exited 130\]$' 2 && term_screen | grep -Eq 'relush: interrupted at sweep.lua:2: mc stopped'
s=$?
term_screen | grep -q 'relush:mc.sweep' && s=1
ok $s "a script stopped inside mc.sweep names its own line, not mc.sweep's"

term_done

# Ctrl-C during a running computation returns to the prompt with
# "interrupted", keeps the session (globals, next command), both for Lua
# loops and for long C calls.
. "${RELUSH_SRCDIR:-$(dirname "$0")/../..}/tests/term/lib.sh"

term_start
ok $? "the shell starts"

term_line 'kept = 42; n = 0; while true do n = n + 1 end'
sleep 0.5
t0=$(now)
term_keys C-c
term_wait 'interrupted$' 1 && term_wait '^> $' 1
status=$?
t1=$(now)
ok $status "Ctrl-C stops a Lua loop and returns to the prompt"
elapsed=$(awk "BEGIN{print $t1 - $t0}")
diag "back at the prompt after $elapsed s"
awk "BEGIN{exit !($elapsed < 1)}"
ok $? "... within 1 s"

term_clear
term_line 'print(kept, n > 0)'
term_wait '^42[[:space:]]+true$'
ok $? "globals are kept and the next command works"

# A long computation in C. mc polls the engine's interrupt flag between
# chunks; without mc (before the Monte Carlo binding landed) a loop of
# net:forward calls in C is interrupted between calls by the Lua hook.
term_clear
term_line 'long_c = mc ~= nil and function() return mc{depth=64, width=64, X=inputs.gaussian(512, 64), trials=1e9} end or function() local net, X = relu(8, 128), inputs.gaussian(2000, 128) while true do net:forward(X) end end'
term_line 'long_c()'
sleep 1
t0=$(now)
term_keys C-c
term_wait 'interrupted$' 1 && term_wait '^> $' 1
status=$?
t1=$(now)
ok $status "Ctrl-C stops a long C computation"
elapsed=$(awk "BEGIN{print $t1 - $t0}")
diag "back at the prompt after $elapsed s"
awk "BEGIN{exit !($elapsed < 1)}"
ok $? "... within 1 s"

term_clear
term_line 'net = relu(3, 4); print(net.depth, kept)'
term_wait '^3[[:space:]]+42$'
ok $? "the next command works after an interrupted C call"

term_clear
term_line 'for i = 1, 3 do collectgarbage() end print(collectgarbage("count") < 1e5)'
term_wait '^true$'
ok $? "memory is released after interrupts"

term_done

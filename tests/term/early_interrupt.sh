# early_interrupt.sh: a Ctrl-C that comes before the live view has taken
# the terminal. The shell's handler gets it and the run
# stops at once; the view then opens only for the final report and must
# leave without waiting for q; the command stops and the partial result
# waits in mc.partial. The run's set-up
# (copying and transposing a 100000-point X) is long enough that the Ctrl-C
# always lands before the view opens.
. "${RELUSH_SRCDIR:-$(dirname "$0")/../..}/tests/term/lib.sh"

term_start
ok $? "the shell starts"
term_line 'X = inputs.gaussian(100000, 64, {seed = 1}); print("ready")'
term_wait '^ready' 20
ok $? "a 100000-point X is ready"

term_clear
term_line 'r = mc{depth = 2, width = 1, X = X, trials = 1e9, view = true}'
sleep 0.1
term_keys C-c
term_wait '^> $' 30
ok $? "a Ctrl-C before the view opened: back at the prompt without pressing q"
term_clear
term_line 'print(r, mc.partial.interrupted, mc.partial.trials < 1e9)'
term_wait '^nil[[:space:]]+true[[:space:]]+true$' 5
ok $? "the command stopped (r unset) and the partial result is kept in mc.partial, marked interrupted"
term_clear
term_line 'print(mc{depth = 2, width = 2, trials = 10, seed = 1}.trials)'
term_wait '^10$' 5
ok $? "the next command works"
term_done

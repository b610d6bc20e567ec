# The REPL in a real terminal: evaluation like lua.c, continuation lines,
# reports, errors, help, Ctrl-C at the prompt, :time, Ctrl-D.
. "${RELUSH_SRCDIR:-$(dirname "$0")/../..}/tests/term/lib.sh"

term_start
ok $? "the shell starts and shows the prompt"
term_screen | grep -q 'help()'
ok $? "the banner points to help()"

term_line 'net = relu(20,64); net:death()'
term_wait 'DeathReport' 10 && term_wait '^[[:space:]]+20[[:space:]]' 5
ok $? "net = relu(20,64); net:death() prints the death report"
term_screen | grep -Eq '^layer +width'
ok $? "the report is an aligned table with a header"

term_clear
term_line '1 + 1'
term_wait '^2$'
ok $? "an expression prints its value without ="
term_line '"a", 2, nil'
term_wait '^a[[:space:]]+2[[:space:]]+nil$'
ok $? "several results print separated by tabs"
term_line 'x = 41; x + 1'
term_wait '^42$'
ok $? "the value of the last statement after ';' prints"
term_cmd 'x + 2;'
term_line 'print("after")'
term_wait '^after$' && ! term_screen | grep -q '^43$'
ok $? "a trailing ';' suppresses printing"

term_clear
term_line 'for i=1,3 do'
term_wait '^>> '
ok $? "an unfinished chunk continues on a >> prompt"
term_line 'print(i) end'
term_wait '^3$' && term_screen | grep -A3 'print(i) end' | tr '\n' ' ' | grep -q '1 2 3'
ok $? "the two-line for loop prints 1 2 3"

term_clear
term_line '{3, 1, b = {true}, a = "s"}'
term_wait '^\{3, 1, a = "s", b = \{true\}\}$'
ok $? "tables print sorted on one line"
term_line 't = {} t.t = t; t'
term_wait '<cycle>'
ok $? "cycles are marked"

term_clear
term_line 'error("boom")'
term_wait 'stdin:1: boom'
ok $? "an error prints its message"
term_line 'local function f() error("deep") end f()'
term_wait 'stack traceback:' && term_wait "in local 'f'"
ok $? "an error in a function shows a short traceback"
term_screen | grep -q '\[C\]: in ?'
ok $((! $?)) "the traceback has no shell-internal frame"
term_line 'print(x)'
term_wait '^41$'
ok $? "the session goes on after errors, globals kept"

term_clear
term_line 'help()'
term_wait 'construction' && term_wait 'relu\(depth, width'
ok $? "help() lists the API by topic"
if command -v less >/dev/null 2>&1; then
	# longer than the 40-line pane: less waits at its ':' prompt
	term_wait '^:[[:space:]]*$' 3
	ok $? "help() is paged through less at a terminal"
	# Ctrl-C belongs to less while it runs: after q the help command is
	# not reported "interrupted"
	term_keys C-c
	sleep 0.2
	term_keys q
	term_wait '^> $' 3
	ok $? "... and q returns to the prompt"
	! term_screen | grep -q 'interrupted'
	ok $? "... a Ctrl-C in less does not report the help command interrupted"
else
	ok 0 "# SKIP no less: help() prints plainly"
	ok 0 "# SKIP no less"
	ok 0 "# SKIP no less"
fi
term_clear
term_line '?relu'
term_wait '^relu\(depth, width' && term_wait 'Example:'
ok $? "?relu shows help(relu)"
term_clear
term_line 'inputs.gaussian?'
term_wait '^inputs\.gaussian\(m, d'
ok $? "inputs.gaussian? shows its help"
term_clear
term_line 'net = relu(2, 3); net:deth()'
term_wait "did you mean 'death'\?"
ok $? "net:deth() suggests death"
term_clear
term_cmd '1 + 1'
term_line '_'
term_wait_count '^2$' 2
ok $? "_ after 1 + 1 is 2"
term_clear
term_line 'help(relu)'
term_wait 'Example:'
ok $? "help(relu) shows the signature, explanation and example"
term_clear
term_line 'help "death"'
term_wait 'net:death'
ok $? 'help "death" finds net:death'
term_clear
term_line 'help(net)'
term_wait 'net:forward'
ok $? "help(net) lists the methods of a net"

term_clear
term_type 'this line is dropped'
sleep 0.2
term_keys C-c
term_wait '\^C$'
term_line 'print("fresh")'
term_wait '^fresh$' && ! term_screen | grep -q 'dropped.*fresh'
ok $? "Ctrl-C at the prompt clears the line"

term_clear
term_line ':time'
term_wait 'timing on'
term_line '2 + 3'
term_wait '^\([0-9]+\.[0-9]+ s\)$'
ok $? ":time prints the wall time of each command"
term_line ':time'
term_wait 'timing off'
ok $? ":time toggles it off"

term_keys C-d
term_wait '^\[exited 0\]'
ok $? "Ctrl-D on an empty line exits with status 0"

# help() through a PAGER that names no program: as without PAGER (the
# text is not swallowed by "sh: not found"); TERM=dumb: plainly, no less
# stopping on "terminal is not fully functional"
TERM_ENV='PAGER=no_such_pager_for_relush' term_start
term_line 'help()'
term_wait 'relu\(depth, width' 3
s=$?
term_screen | grep -q 'not found' && s=1
ok $s "help() with a PAGER that does not exist still shows the help"
term_keys q
term_wait '^> $' 3
TERM_ENV='TERM=dumb' term_start
term_line 'help()'
term_wait 'See relush\(1\)' 3 && term_wait '^> $' 2
s=$?
term_screen | grep -q 'not fully functional' && s=1
ok $s "help() with TERM=dumb prints plainly to the end"

# TERM=dumb (Emacs' M-x shell): no escape code at all reaches the terminal,
# though NO_COLOR is unset: an error (coloured elsewhere), a plot, mc's
# progress bar (which redraws itself with them), a demo step (the screen
# is cleared before each elsewhere). The pane's raw output is recorded.
TERM_COLOUR=1 TERM_ENV='TERM=dumb' term_start
: > "$term_tmp/raw"
term_tmux pipe-pane -o -t relush "cat >> '$term_tmp/raw'"
term_cmd 'error("an error")'
term_cmd 'print(plot.lines{x = {1, 2}, series = {{y = {1, 2}}, {y = {2, 1}}}})'
term_line 'r = mc{depth = 30, width = 16, trials = 1e9}'
sleep 1.5   # past the half second before a bar is drawn
term_keys C-c
term_wait '(^|\^C)interrupted: mc stopped' 3
term_line 'demo "flip"'
term_wait '^\[step 1/4\]' 10
term_keys q
term_wait '^> $' 3
term_tmux pipe-pane -t relush
ok $? "TERM=dumb: the session runs (its raw output recorded, $(wc -c < "$term_tmp/raw") bytes)"
esc=$(printf '\033')
! grep -q "$esc" "$term_tmp/raw" && grep -q 'an error' "$term_tmp/raw"
ok $? "TERM=dumb: no escape code in anything relush wrote"

term_done

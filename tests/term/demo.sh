# The teaching mode in a terminal: demo "flip" driven through
# its steps with keys: space and the right arrow go on, the left arrow goes
# back, q leaves to the prompt with the demo's globals kept; a demo run to
# its last step ends by itself.
. "${RELUSH_SRCDIR:-$(dirname "$0")/../..}/tests/term/lib.sh"

# waits until the last non-empty line matches (the step prompt of the demo)
last_is() {
	i=0
	while [ $i -lt 200 ]; do
		if term_last 1 | grep -Eq -- "$1"; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	diag "timed out waiting for a last line /$1/; the screen ends with:"
	term_last 4 | sed 's/^/#   /'
	return 1
}

term_start
term_line 'demo "flip"'
last_is '^\[step 1/4\]'
ok $? "demo \"flip\" shows step 1 and waits for a key"
term_screen | grep -q '^  > net = relu(20, 2, {seed = seed})$'
ok $? "the step shows the Lua it runs"
term_screen | grep -q 'network DEAD'
ok $? "and its result"
term_keys Space
last_is '^\[step 2/4\]'
ok $? "space goes to step 2"
term_screen | grep -q 'FlipReport'
ok $? "step 2 runs net:flip"
term_keys Right
last_is '^\[step 3/4\]'
ok $? "the right arrow goes to step 3"
term_keys Left
last_is '^\[step 2/4\]'
ok $? "the left arrow goes back to step 2"
term_keys End
last_is '^\[step 3/4\]'
ok $? "another key sequence (End) is read whole and goes on, never leaves"
term_keys q
last_is '^> $'
ok $? "q leaves to the prompt"
term_line 'print(net.depth, #X)'
term_wait '^20[[:space:]]+64$'
ok $? "the demo's globals stay for the class to retype and change"

term_clear
term_line 'demo "trainability"'
last_is '^\[step 1/4\]'
for step in 2 3 4; do
	term_keys Space
	last_is "^\\[step $step/4\\]"
done
term_keys Space
term_wait '^demo trainability: done \(4 steps\)'
ok $? "space on the last step ends the demo"
last_is '^> $'
ok $? "... back at the prompt"

# Ctrl-C at the step prompt stops the demo as it stops any command: the
# prompt's line ends, then "interrupted" alone (no place in relush's own
# demo code), and the session goes on.
term_clear
term_line 'demo "flip"'
last_is '^\[step 1/4\]'
term_keys C-c
last_is '^> $'
term_screen | grep -q '^interrupted$' && term_screen | grep -Eq '^\[step 1/4\].*leaves$'
ok $? "Ctrl-C at a step's prompt: 'interrupted' on its own line, back at the prompt"
term_cmd 'print("after the demo")'
term_screen | grep -q '^after the demo$'
ok $? "... and the session goes on"

term_keys C-d
term_wait '^\[exited 0\]'
ok $? "the session ends normally"
term_done

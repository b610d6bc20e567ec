# The command line in a terminal: -i runs a script then the REPL; colour
# only when stdout is a terminal and NO_COLOR is unset; stdin that is not
# a terminal runs as a script without prompts or escape codes.
. "${RELUSH_SRCDIR:-$(dirname "$0")/../..}/tests/term/lib.sh"

esc=$(printf '\033')
screen_escapes() { term_tmux capture-pane -p -e -J -S -100 -t relush; }

cat > "$term_tmp/setup.lua" <<'LUA'
from_script = 7 * 6
print("script ran with " .. tostring(arg[1]))
LUA
term_start -i setup.lua first
ok $? "relush -i script.lua shows the prompt"
term_screen | grep -q '^script ran with first$'
ok $? "... after running the script with its arguments"
term_line 'from_script'
term_wait '^42$'
ok $? "the script's globals are there in the REPL"
screen_escapes | grep -q "$esc\\["
ok $((! $?)) "NO_COLOR=1: no escape codes"
term_keys C-d
term_wait '^\[exited 0\]'

TERM_COLOUR=1
term_start
term_line 'error("red")'
term_wait 'stdin:1: red'
screen_escapes | grep '^' | grep -q "$esc\\[[0-9;]*m> "
ok $? "colour: the prompt is coloured"
screen_escapes | grep -q "$esc\\[31mstdin:1: red"
ok $? "colour: errors are red"
term_line 'relu(3, 4):death()'
term_wait 'DeathReport'
screen_escapes | grep -q "$esc\\[1mDeathReport"
ok $? "colour: a report's header line is bold"
term_keys C-d
term_wait '^\[exited 0\]'
TERM_COLOUR=0

# stdin is a pipe, stdout the terminal: a script, no prompt, no escapes
term_run "env -u NO_COLOR RELUSH_HISTORY=/dev/null TERM=xterm-256color LUA_PATH='${LUA_PATH:-}' sh -c \"printf 'print(1+1)\\\\n' | '$RELUSH'\""
term_wait '^\[exited 0\]'
ok $? "printf 'print(1+1)\\n' | relush exits 0 in a terminal"
[ "$(term_screen | grep -v '^[[:space:]]*$' | grep -v '^\[exited')" = "2" ]
ok $? "... and prints 2 and nothing else"
screen_escapes | grep -q "$esc\\["
ok $((! $?)) "... without escape codes"

term_done

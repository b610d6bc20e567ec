# History: a command from one session is recalled with Up in the next;
# the default path under XDG_STATE_HOME / ~/.local/state; duplicates are
# folded and the file capped; a path that cannot be used warns once and
# the session goes on; /dev/null means no history, silently.
. "${RELUSH_SRCDIR:-$(dirname "$0")/../..}/tests/term/lib.sh"

TERM_HISTORY="$term_tmp/hist"
term_start
ok $? "session 1 starts"
term_cmd 'history_marker = 12345'
term_cmd 'dup = 1'
term_cmd 'dup = 1'
term_line 'print(history_marker)'
term_wait '^12345$'
term_line 'dup = 1'
term_keys C-d
term_wait '^\[exited 0\]'
ok $? "session 1 ends with Ctrl-D"
grep -qx 'history_marker = 12345' "$term_tmp/hist"
ok $? "the history file holds the command"
[ "$(grep -cx 'dup = 1' "$term_tmp/hist")" -eq 1 ]
ok $? "duplicates are folded"
[ "$(tail -n 1 "$term_tmp/hist")" = "dup = 1" ]
ok $? "the latest of equal entries is the one kept"

term_start
term_keys Up Up Up
term_wait '^> history_marker = 12345$'
ok $? "Up in the next session recalls the command"
term_keys Enter
term_wait '^> print\(history_marker\)|^> history_marker = 12345$'
term_line 'print(history_marker + 1)'
term_wait '^12346$'
ok $? "the recalled command runs"
term_keys C-d
term_wait '^\[exited 0\]'
ok $? "the session ends cleanly on Ctrl-D"

# The cap: a long file is cut to the most recent entries on exit.
awk 'BEGIN { for (i = 1; i <= 1500; i++) print "old_entry_" i " = " i }' > "$term_tmp/hist"
term_start
term_line 'print("capped")'
term_wait '^capped$'
term_keys C-d
term_wait '^\[exited 0\]'
ok $? "the session ends cleanly on Ctrl-D"
n=$(grep -vc '^#[0-9]' "$term_tmp/hist")
diag "history entries after exit: $n"
[ "$n" -le 1000 ] && tail -n 1 "$term_tmp/hist" | grep -q 'print("capped")' &&
	grep -q 'old_entry_1500 = 1500' "$term_tmp/hist"
ok $? "the file is capped, keeping the most recent entries"

# A command typed over several lines comes back as one entry.
TERM_HISTORY="$term_tmp/hist_multi"
term_start
term_line 'function multi_line()'
term_line '  return 77'
term_line 'end'
term_line 'print("after multi")'
term_wait '^after multi$'
term_keys C-d
term_wait '^\[exited 0\]'
term_start
term_keys Up Up
sleep 0.3
term_keys Enter
term_line 'print(multi_line())'
term_wait '^77$'
ok $? "a multi-line command is one history entry in the next session"
term_keys Up Up Up
sleep 0.3
term_screen | grep -q '^> function multi_line()$'
ok $? "... shown with its lines"
term_keys C-c
term_keys C-d
term_wait '^\[exited 0\]'

# ... with its empty lines: inside a long string they are part of the
# value (readline drops empty lines when it reads a file). Two sessions, so
# the entry also goes through the rewrite on exit.
TERM_HISTORY="$term_tmp/hist_blank"
term_start
term_line 'blank_s = [[a'
term_line ''
term_line ''
term_line 'b]]'
term_line 'print("len", #blank_s)'
term_wait '^len[[:space:]]+5$'
term_keys C-d
term_wait '^\[exited 0\]'
for session in 2 3; do
	term_start
	term_keys Up Up
	sleep 0.3
	term_keys Enter
	term_clear
	term_line 'print("len", #blank_s)'
	term_wait '^len[[:space:]]+5$'
	ok $? "a multi-line string with empty lines comes back from history whole (session $session)"
	term_keys C-d
	term_wait '^\[exited 0\]'
done

# The default path: $XDG_STATE_HOME/relush/history, else ~/.local/state.
TERM_HISTORY=
TERM_ENV="XDG_STATE_HOME='$term_tmp/state'"
term_start
term_line 'xdg_marker = 1'
term_keys C-d
term_wait '^\[exited 0\]'
ok $? "the session ends cleanly on Ctrl-D"
grep -qx 'xdg_marker = 1' "$term_tmp/state/relush/history"
ok $? "without RELUSH_HISTORY the file is \$XDG_STATE_HOME/relush/history"
TERM_ENV=
term_start
term_line 'home_marker = 1'
term_keys C-d
term_wait '^\[exited 0\]'
ok $? "the session ends cleanly on Ctrl-D"
grep -qx 'home_marker = 1' "$term_tmp/.local/state/relush/history"
ok $? "... else ~/.local/state/relush/history"

# A path that cannot be used: its folder is a file.
: > "$term_tmp/not_a_folder"
TERM_HISTORY="$term_tmp/not_a_folder/history"
term_start
term_cmd 'print("one")'
term_line 'print("two")'
term_wait '^two$'
ok $? "the session goes on with an unusable history path"
[ "$(term_screen | grep -c 'history file')" -eq 1 ]
ok $? "it warns exactly once"
term_keys C-d
term_wait '^\[exited 0\]'
ok $? "and exits cleanly"

TERM_HISTORY=/dev/null
term_start
term_line 'print("quiet")'
term_wait '^quiet$'
term_keys C-d
term_wait '^\[exited 0\]'
ok $? "the session ends cleanly on Ctrl-D"
term_screen | grep -q 'history file'
ok $((! $?)) "RELUSH_HISTORY=/dev/null: no history, no warning"
[ -c /dev/null ]
ok $? "/dev/null is left alone"

term_done

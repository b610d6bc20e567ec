# Terminal safety: a relush that dies on a signal (a crash, SIGTERM,
# SIGQUIT) at the prompt or while the view is on screen gives the terminal
# back as it found it: `stty -a` in the pane's shell is the same before and
# after, and the alternate screen of the view is left.
. "${RELUSH_SRCDIR:-$(dirname "$0")/../..}/tests/term/lib.sh"

# crash_run NAME SIGNAL CHUNK WAIT_REGEX: in a fresh pane, saves `stty -a`,
# starts relush (which writes its pid, then runs CHUNK and waits at the
# prompt), sends SIGNAL once the screen matches WAIT_REGEX, then saves
# `stty -a` again in the same shell. Sets crash_status to relush's exit
# status as the shell saw it; 1 on a timeout.
crash_run() {
	name=$1 sig=$2 chunk=$3 regex=$4
	pidfile="$term_tmp/$name.pid"
	rm -f "$pidfile" "$term_tmp/$name.before" "$term_tmp/$name.after"
	pid_chunk="local f = io.open('$pidfile', 'w'); f:write(io.open('/proc/self/stat'):read('n')); f:close()"
	term_run "stty -a >'$name.before'; env -u TMUX TERM=xterm-256color NO_COLOR=1 RELUSH_HISTORY=/dev/null HOME='$term_tmp' '$RELUSH' -e \"$pid_chunk\" -e \"$chunk\" -i; echo \"[status \$?]\"; stty -a >'$name.after'; echo '[after saved]'"
	crash_status=1
	term_wait "$regex" 10 || return 1
	sleep 0.3
	pid=$(cat "$pidfile" 2>/dev/null)
	[ -n "$pid" ] || { diag "no pid file"; return 1; }
	alt_before=$(term_tmux display -p -t relush '#{alternate_on}')
	kill -s "$sig" "$pid"
	term_wait '^\[after saved\]' 10 || return 1
	crash_status=$(term_screen | sed -n 's/^\[status \([0-9]*\)\]$/\1/p' | tail -n 1)
	alt_after=$(term_tmux display -p -t relush '#{alternate_on}')
	return 0
}

same_stty() {
	if cmp -s "$term_tmp/$1.before" "$term_tmp/$1.after"; then
		return 0
	fi
	diag "stty -a differs:"
	diff "$term_tmp/$1.before" "$term_tmp/$1.after" | sed 's/^/#   /'
	return 1
}

# ---- at the prompt (readline has the terminal in its own modes)
crash_run prompt_segv SEGV "x = 1" '^> $'
ok $? "relush at the prompt receives SIGSEGV"
[ "$crash_status" = 139 ]
ok $? "... dies of it (status $crash_status, 128 + 11)"
same_stty prompt_segv
ok $? "... and the terminal modes are as before"
term_screen | grep -q 'fatal signal SIGSEGV'
ok $? "... saying it was a fatal signal"

crash_run prompt_term TERM "x = 1" '^> $'
ok $? "relush at the prompt receives SIGTERM"
[ "$crash_status" = 143 ]
ok $? "... dies of it (status $crash_status, 128 + 15)"
same_stty prompt_term
ok $? "... and the terminal modes are as before"

crash_run prompt_abrt ABRT "x = 1" '^> $'
ok $? "relush at the prompt receives SIGABRT"
[ "$crash_status" = 134 ]
ok $? "... dies of it (status $crash_status, 128 + 6)"
same_stty prompt_abrt
ok $? "... and the terminal modes are as before"

# ---- in the view (ncurses: cbreak, no echo, alternate screen, no cursor)
view_chunk="view(relu(6, 8, {seed = 1}), inputs.gaussian(16, 8, {seed = 1}))"
crash_run view_segv SEGV "$view_chunk" 'layer'
ok $? "relush showing the view receives SIGSEGV"
[ "$alt_before" = 1 ]
ok $? "... (the view was on the alternate screen)"
[ "$crash_status" = 139 ]
ok $? "... dies of it (status $crash_status)"
same_stty view_segv
ok $? "... and the terminal modes are as before"
[ "$alt_after" = 0 ]
ok $? "... and the alternate screen is left"

crash_run view_term TERM "$view_chunk" 'layer'
ok $? "relush showing the view receives SIGTERM"
[ "$crash_status" = 143 ]
ok $? "... dies of it (status $crash_status)"
same_stty view_term
ok $? "... and the terminal modes are as before"
[ "$alt_after" = 0 ]
ok $? "... and the alternate screen is left"

crash_run view_quit QUIT "$view_chunk" 'layer'
ok $? "relush showing the view receives SIGQUIT"
same_stty view_quit
ok $? "... and the terminal modes are as before"

term_done

# sweep_view.sh: mc.sweep{..., view = true}: one view of the
# whole sweep in which the P(alive) curve grows a point per finished run,
# with the running point's progress; q stops the sweep and keeps the
# finished points; Ctrl-C stops the whole command and leaves the finished
# points in mc.partial_sweep; the terminal works after each; TERM=dumb
# prints the view's text at the end.
. "${RELUSH_SRCDIR:-$(dirname "$0")/../..}/tests/term/lib.sh"

sweep='mc.sweep{depth = {1, 2, 4, 8, 16, 32, 64}, width = 3, X = inputs.gaussian(64, 3, {seed = 1}), seed = 1, view = true'

term_start
ok $? "the shell starts"

# 7 depths, long enough per point that the points are seen to appear
term_line "s = $sweep, trials = 1e6}"
term_wait 'P\(alive\) against depth, 0 of 7 points done' 20 && term_wait 'running depth = 1: [0-9]+ of 1000000 trials' 20
ok $? "the sweep view opens on the first point's progress (trials done of 1000000)"
term_wait 'running depth = 1: .*trials/s' 20
ok $? "... with its rate"
term_wait '1 of 7 points done' 60 && term_wait '^o depth = 1 +1 ' 5
ok $? "the first point appears in the chart's table when its run finishes"
term_wait '2 of 7 points done' 60 && term_wait '^o depth = 2 ' 5 && term_wait '^o depth = 1 ' 1
ok $? "the second point appears next to the first"
term_screen | grep -Eq '^depth +1 +2 '
ok $? "the x axis is labelled with the swept values"
term_screen | grep -q 'q/Esc stop the sweep'
ok $? "the key line says q stops the sweep"
term_keys q
term_wait '^> $' 10
ok $? "q leaves the view and the prompt comes back"
term_clear
term_line 'print(#s >= 2 and #s < 7, s.stopped, s[1].depth, s[2].depth, mc.partial_sweep)'
term_wait '^true[[:space:]]+true[[:space:]]+1[[:space:]]+2[[:space:]]+nil$' 5
ok $? "q stopped the sweep: its finished points are returned, marked stopped"

# a whole sweep: every point, then the view waits for q
term_clear
term_line "s = $sweep, trials = 3000}"
term_wait '7 of 7 points done' 60 && term_wait '^o depth = 64 ' 5 && term_wait 'q/Esc leave' 5
ok $? "a finished sweep shows all 7 points and waits for q"
term_keys q
term_wait '^> $' 10
term_clear
term_line 'print(#s, s.stopped)'
term_wait '^7[[:space:]]+nil$' 5
ok $? "... and returns all 7 results"

# Ctrl-C: the whole command stops (the loop too); the finished points stay
term_clear
term_line "n = 0; for i = 1, 3 do t = $sweep, trials = 1e6}; n = i end"
term_wait '1 of 7 points done' 60
term_keys C-c
term_wait 'interrupted' 10 && term_wait '^> $' 5
ok $? "Ctrl-C in the sweep view: the terminal is restored and the command is interrupted"
term_screen | grep -Eq '^mc.sweep: stopped; its [0-9]+ finished points? (is|are) in mc.partial_sweep$'
ok $? "... and it says where the finished points are"
term_clear
term_line 'print(n, t, #mc.partial_sweep >= 1, mc.partial_sweep[1].depth, mc.partial.interrupted)'
term_wait '^0[[:space:]]+nil[[:space:]]+true[[:space:]]+1[[:space:]]+true$' 5
ok $? "the loop stopped; the finished points are in mc.partial_sweep, the running one in mc.partial"
term_clear
term_line 'print("still" .. "here")'
term_wait '^stillhere$' 5
ok $? "the shell reads lines normally afterwards"
term_keys C-d
term_wait 'exited 0' 10
ok $? "the shell exits 0"

# a 60-column terminal: the header, legend and key lines shorten or leave
# out whole fields, never cut a number or word; an interval end just below
# 1 shows as 1-d in its 8 columns, never as 1
term_start
term_tmux resize-window -t relush -x 60 -y 30
sleep 0.2
term_line "s = $sweep, trials = 1e6}"
term_wait '^running depth = [0-9]+: ' 20 && term_wait '1 of 7 points done' 60
sleep 0.3
term_tmux capture-pane -p -t relush > "$term_tmp/narrow.txt" 2>/dev/null
view_top=$(grep -n 'P(alive) against depth' "$term_tmp/narrow.txt" | head -1 | cut -d: -f1)
sed -n "${view_top:-1},\$p" "$term_tmp/narrow.txt" | sed 's/│/|/g; s/[[:space:]]*$//' > "$term_tmp/narrow.view"
sed 's/^/#   /' "$term_tmp/narrow.view"
grep -Eq '^(mc.sweep: )?P\(alive\) against depth, ([0-9]+ of 7 points|[0-9]+/7) done$' "$term_tmp/narrow.view" \
	&& grep -Eq '^running depth = [0-9]+: ([0-9]+ of 1000000 trials \([0-9]+%\)|[0-9]+% of 1000000)(, [0-9.e+]+ trials/s)?(, P so far [0-9.e+-]+( - [0-9.e+-]+)?)?$' "$term_tmp/narrow.view" \
	&& grep -Eq '^o P\(alive\)  (\| 95%( interval)?  )?(- L( lower bound)?  )?(= U( upper bound)?)?$' "$term_tmp/narrow.view" \
	&& grep -Eq '^  point +P\(alive\)( +95% interval)?( +L)?( +P/L)?( +trials)?$' "$term_tmp/narrow.view" \
	&& grep -Eq '^o depth = 1 +1( +\[([0-9.]+|1-[0-9.e+-]+), ([0-9.]+|1-[0-9.e+-]+)\])?( +0.875)?( +[0-9.]+)?( +[0-9]+)?$' "$term_tmp/narrow.view" \
	&& grep -Eq '^q/Esc stop the sweep( \((finished )?points kept\)   Ctrl-C stop the command)?$' "$term_tmp/narrow.view"
ok $? "60 columns: the sweep view's title, progress, legend, table and key lines are whole fields"
term_keys q
term_wait '^> $' 10
term_keys C-d
term_wait 'exited 0' 10

# TERM=dumb: the sweep runs, says why there is no view and prints its text
term_run "env TERM=dumb NO_COLOR=1 RELUSH_HISTORY=/dev/null '$RELUSH' -e 's = $sweep, trials = 2000}; print(\"points\", #s)' 2>dumb.err; cat dumb.err"
term_wait 'exited' 60
term_screen | grep -q '7 of 7 points done' && term_screen | grep -Eq '^o depth = 64 ' \
	&& term_screen | grep -Eq '^points[[:space:]]+7$'
ok $? "TERM=dumb: the sweep's text snapshot is printed with every point"
term_screen | grep -q 'mc.sweep: no live view'
ok $? "... and it says why there is no live view"

term_done

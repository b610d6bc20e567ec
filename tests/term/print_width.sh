# Objects printed at the prompt in an 80-column terminal come out exactly as
# their text (tostring) would: the REPL's wrapping of long prose lines never
# breaks a plot's braille rows or a table's rows, with and without colour,
# at 80 and 120 columns, and at 50, narrower than a plot's default width.
. "${RELUSH_SRCDIR:-$(dirname "$0")/../..}/tests/term/lib.sh"

# same_as_text EXPR WHAT: EXPR typed at the prompt shows the same lines as
# print(tostring(EXPR)), and no line of the pane is wider than the pane.
same_as_text() {
	term_clear
	term_cmd "v = $1" 120 || { ok 1 "$2: made"; return; }
	term_clear   # the long command itself may wrap; only the output counts
	# each command is typed once the one before has finished: keys typed
	# while the REPL prints would be echoed into its output
	for c in 'print("<<")' 'v' 'print(">>")' 'print(tostring(v))' 'print("<<end")'; do
		term_cmd "$c" 60 || { ok 1 "$2: printed"; return; }
	done
	screen=$(term_screen)
	shown=$(printf '%s\n' "$screen" | sed -n '/^<<$/,/^>>$/p' | sed '1,2d;$d' | sed '$d')
	text=$(printf '%s\n' "$screen" | sed -n '/^>> *$/,/^<<end$/p' | sed -n '/^> print(tostring(v))/,/^> print("<<end")/p' | sed '1d;$d')
	# a line wider than the pane is wrapped by the terminal: joined (-J)
	# the capture then has fewer lines than the pane's rows
	wide=$(( $(term_tmux capture-pane -p -S -300 -t relush | wc -l) - $(term_screen | wc -l) ))
	rows=$(printf '%s\n' "$shown" | wc -l)
	if [ "$shown" = "$text" ] && [ "$rows" -gt 3 ] && [ "$wide" -eq 0 ]; then
		ok 0 "$2: $rows lines, the same as its text"
	else
		printf '%s\n' "$shown" > "$term_tmp/shown"
		printf '%s\n' "$text" > "$term_tmp/text"
		diag "rows $rows, lines wider than the pane: $wide; shown vs text:"
		diff "$term_tmp/shown" "$term_tmp/text" | head -20 | sed 's/^/#   /'
		ok 1 "$2: the same as its text"
	fi
}

for colour in 0 1; do
	TERM_COLOUR=$colour term_start
	term_resize 80 50
	same_as_text 'mc.sweep{depth = {2, 4, 8}, width = 2, trials = 1000, seed = 1}:plot{logy = true}' \
		"colour $colour, 80 columns: a sweep's log plot"
	same_as_text 'mc{depth = 16, width = 3, trials = 2000, seed = 1}:plot()' \
		"colour $colour, 80 columns: an mc result's plot"
	same_as_text 'plot.lines{x = {1, 2, 4, 8, 16}, series = {{name = "L", y = {0.75, 0.56, 0.32, 0.1, 0.01}}}, title = "a title long enough to matter in a narrow terminal"}' \
		"colour $colour, 80 columns: plot.lines"
	same_as_text 'bound.layers(3, 12)' "colour $colour, 80 columns: a table report"
	term_resize 120 50
	same_as_text 'mc.sweep{depth = {2, 4, 8}, width = {2, 3}, trials = 500, seed = 1}:plot()' \
		"colour $colour, 120 columns: a sweep's plot"
	# narrower than a plot's default 72 columns (a projector's large font):
	# the plot takes the terminal's width, no braille row wraps
	term_tmux resize-window -t relush -x 50 -y 50
	sleep 0.2
	same_as_text 'mc.sweep{depth = {2, 4, 8}, width = {2, 3}, trials = 500, seed = 1}:plot{logy = true}' \
		"colour $colour, 50 columns: a sweep's plot fits"
	same_as_text 'plot.lines{x = {1, 2, 4, 8, 16}, series = {{name = "L", y = {0.75, 0.56, 0.32, 0.1, 0.01}}}, title = "a title long enough to matter in a narrow terminal"}' \
		"colour $colour, 50 columns: plot.lines fits"
done
term_done

# tests/term/lib.sh: shared helpers for the terminal tests. Each test runs
# the real relush in a real terminal (a tmux pane on a private socket),
# types with send-keys, reads the screen with capture-pane and speaks TAP.
# Sourced by tests/term/*.sh; skips the whole test when tmux is missing.

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP no tmux"
	exit 0
fi
if [ -z "$RELUSH" ] || [ ! -x "$RELUSH" ]; then
	echo "1..0 # SKIP RELUSH does not name the built shell (run through make check)"
	exit 0
fi

term_socket="relush-test-$$"
term_tmp=$(mktemp -d "${TMPDIR:-/tmp}/relush-term.XXXXXX")
term_count=0
term_failed=0

term_tmux() { tmux -L "$term_socket" -f /dev/null "$@"; }

term_cleanup() {
	term_tmux kill-server >/dev/null 2>&1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$term_socket"
	rm -rf "$term_tmp"
}
trap term_cleanup EXIT
trap 'term_cleanup; exit 1' INT TERM HUP

# ok COND_STATUS DESCRIPTION: one TAP line from an exit status (0 = pass);
# term_ok is the same, for a test that wraps ok.
ok() { term_ok "$@"; }
term_ok() {
	term_count=$((term_count + 1))
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$term_count" "$2"
	else
		term_failed=$((term_failed + 1))
		printf 'not ok %d - %s\n' "$term_count" "$2"
	fi
}

diag() { printf '# %s\n' "$@"; }

# term_start [relush args...]: a fresh pane running relush, 100x40, in a
# scratch folder that is also $HOME. The history file is $TERM_HISTORY
# (/dev/null when unset; set but empty: RELUSH_HISTORY is removed from the
# environment so the default path is used). No colour unless TERM_COLOUR=1.
# TERM_ENV adds NAME=value words to the environment. Waits for the prompt.
term_start() {
	unset_env="-u TMUX -u XDG_STATE_HOME"
	set_env="TERM=xterm-256color HOME='$term_tmp' LUA_PATH='${LUA_PATH:-}'"
	if [ "${TERM_HISTORY+set}" = set ] && [ -z "$TERM_HISTORY" ]; then
		unset_env="$unset_env -u RELUSH_HISTORY"
	else
		set_env="$set_env RELUSH_HISTORY='${TERM_HISTORY:-/dev/null}'"
	fi
	if [ "${TERM_COLOUR:-0}" = 1 ]; then
		unset_env="$unset_env -u NO_COLOR"
	else
		set_env="$set_env NO_COLOR=1"
	fi
	cmd="env $unset_env $set_env ${TERM_ENV:-} '$RELUSH'"
	for a in "$@"; do
		cmd="$cmd '$a'"
	done
	term_run "$cmd"
	term_wait '^> ' 5
}

# term_run COMMAND: a fresh pane running the shell command in the scratch
# folder; "[exited N]" is shown when it ends.
term_run() {
	term_tmux kill-server >/dev/null 2>&1
	sleep 0.1
	# a server being killed may still hold the socket: try again
	tries=0
	until term_tmux new-session -d -s relush -x 100 -y 40 \
		"cd '$term_tmp' && $1; echo '[exited '\$?']'; sleep 30" 2>/dev/null; do
		tries=$((tries + 1))
		[ $tries -ge 20 ] && break
		sleep 0.1
	done
}

# term_type TEXT: types TEXT literally (no Enter). tmux takes an argument
# ending in ';' as a command separator unless the ';' is escaped.
term_type() {
	case $1 in
	*\;) term_tmux send-keys -t relush -l "${1%;}\\;" ;;
	*) term_tmux send-keys -t relush -l "$1" ;;
	esac
}
# term_keys KEY...: named keys (Enter, Tab, C-c, C-d, Up ...).
term_keys() { term_tmux send-keys -t relush "$@"; }
# term_line TEXT: types TEXT and Enter, after a moment for the echo.
term_line() { term_type "$1"; sleep 0.1; term_keys Enter; }

# term_cmd TEXT [SECONDS]: types TEXT and Enter, then waits until that
# command has finished (see term_done_at); status 1 on timeout. Keys typed
# while a command runs are echoed by the terminal into its output (readline
# takes the terminal only when it reads the next line), so a test that
# reads the output types the next command only after this.
term_cmd() {
	term_line "$1"
	term_wait_done "$1" "${2:-10}"
}

# term_wait_done TEXT [SECONDS]: waits until the last line on the screen
# that shows TEXT typed at a prompt ("> TEXT" or ">> TEXT") is followed by a
# new prompt (">" or ">>" and nothing else: its trailing space is ignored,
# as are empty lines), i.e. the command TEXT has finished and the shell
# reads again. TEXT is compared as a string, not a pattern. When TEXT
# filled its last row exactly, readline moves to the next row by wrapping,
# so the capture joins what follows (the output, or the next prompt) to
# that line: the line then starts with "> TEXT" and goes on.
term_wait_done() { term_until "${2:-10}" "the command '$1' to finish" term_is_done "$1"; }
term_is_done() {
	term_screen | TERM_CMD_TEXT="$1" TERM_CMD_WIDTH="$(term_tmux display-message -p -t relush '#{pane_width}')" awk '
		function is_prompt(s) { return s == ">" || s == ">>" }
		# the line shows prompt p and TEXT; rest is set to what the
		# wrap joined to it
		function shows(s, p) {
			if (s == p want) { rest = ""; return 1 }
			if (index(s, p want) != 1 || (length(p want) % width) != 0)
				return 0
			rest = substr(s, length(p want) + 1)
			return 1
		}
		{ sub(/[[:space:]]+$/, ""); line[NR] = $0 }
		END {
			want = ENVIRON["TERM_CMD_TEXT"]
			width = ENVIRON["TERM_CMD_WIDTH"] + 0
			if (width < 1)
				width = 1
			sub(/[[:space:]]+$/, "", want)
			at = 0
			for (n = 1; n <= NR; n++)
				if (shows(line[n], "> ") || shows(line[n], ">> ")) {
					at = n; joined = rest
				}
			if (at == 0)
				exit 1
			for (n = NR; n > at; n--)
				if (line[n] != "")
					exit !is_prompt(line[n])
			exit !is_prompt(joined)
		}'
}

# term_resize COLUMNS ROWS: resizes the pane and waits until it has that size.
term_resize() {
	term_tmux resize-window -t relush -x "$1" -y "$2"
	term_until 5 "the pane to be $1x$2" term_has_size "$1x$2"
}
term_has_size() { [ "$(term_tmux display-message -p -t relush '#{pane_width}x#{pane_height}')" = "$1" ]; }

# term_screen: the pane's text, scroll-back included, lines joined.
term_screen() { term_tmux capture-pane -p -J -S -300 -t relush 2>/dev/null; }
# term_last N: its last N non-empty lines.
term_last() { term_screen | grep -v '^[[:space:]]*$' | tail -n "$1"; }

# term_until SECONDS WHAT COMMAND...: runs COMMAND every 50 ms until it
# succeeds; status 1 on timeout, saying what it waited for and how the
# screen ends.
term_until() {
	limit=$(( $1 * 20 ))
	what=$2
	shift 2
	i=0
	while [ $i -lt "$limit" ]; do
		"$@" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	diag "timed out waiting for $what; the screen ends with:"
	term_last 8 | sed 's/^/#   /'
	return 1
}

# term_wait REGEX [SECONDS]: waits until the screen matches (grep -E);
# status 1 on timeout.
term_wait() { term_until "${2:-5}" "/$1/" term_matches "$1"; }
term_matches() { term_screen | grep -Eq -- "$1"; }

# term_wait_count REGEX N [SECONDS]: until at least N lines match.
term_wait_count() { term_until "${3:-5}" "$2 lines matching /$1/" term_count_at_least "$1" "$2"; }
term_count_at_least() { [ "$(term_screen | grep -Ec -- "$1")" -ge "$2" ]; }

# term_clear: clears the screen and scroll-back so later waits only see
# new output.
term_clear() {
	term_keys C-l
	term_tmux clear-history -t relush
	sleep 0.1
	term_tmux clear-history -t relush
}

# term_done: the plan line; exit status 1 when a check failed.
term_done() {
	echo "1..$term_count"
	[ "$term_failed" -eq 0 ]
	exit $?
}

# now: wall time in seconds with a fraction.
now() { date +%s.%N; }

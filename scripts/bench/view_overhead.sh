#!/bin/sh
# view_overhead.sh: what the live view costs the Monte Carlo engine.
# Runs benchmark P1 (64 Gaussian points in d = 2, 32 layers of width 4,
# He weights, zero bias; 10^6 trials, one thread) once without and once with
# view=true in a real terminal (a private tmux server), and prints both
# rates and their ratio. Usage: scripts/bench/view_overhead.sh [path/to/relush]
set -eu
relush=${1:-build/src/relush}
command -v tmux >/dev/null || { echo "view_overhead: tmux is needed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'tmux -L relush-ovh-$$ kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
cat > "$tmp/p1.lua" <<'LUA'
local X = inputs.gaussian(64, 2, {seed = 1})
local r = mc{depth = 32, width = 4, X = X, trials = 1e6, seed = 1, threads = 1,
             view = arg[1] == "view", progress = false}
local f = io.open(arg[2], "w")
f:write(string.format("%.0f\n", r.rate))
f:close()
LUA
"$relush" "$tmp/p1.lua" plain "$tmp/plain" >/dev/null
tmux -L relush-ovh-$$ new-session -d -x 120 -y 40 "'$relush' '$tmp/p1.lua' view '$tmp/view'"
# the view keeps its last frame until q: wait for the run, then leave
while ! tmux -L relush-ovh-$$ capture-pane -p | head -n 1 | grep -q 'done *$'; do sleep 0.5; done
sleep 0.5
tmux -L relush-ovh-$$ send-keys q
while [ ! -s "$tmp/view" ]; do sleep 0.2; done
plain=$(cat "$tmp/plain") view=$(cat "$tmp/view")
echo "P1, 1 thread: $plain trials/s without the view, $view with it; ratio $(echo "$view $plain" | awk '{printf "%.3f", $1 / $2}')"

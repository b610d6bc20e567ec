# view_numbers.sh: what the Monte Carlo live view shows in a real terminal
# (tmux) is the result it ends with. Runs are driven with view = true; when
# a run is done its last frame is read off the screen and, after q,
# compared inside relush with the returned result's fields: each layer
# row's points killed % (nets died here % with stats = "alive"), dead %,
# P(>l), surv/pt and 1-2^-n, the header's P(alive), interval and alive
# count, and the chart's P and L labels (each once). Runs: an ordinary one,
# stats = "alive", one point (P near L), a deep one whose last P(>l) are
# below 1e-4.
. "${RELUSH_SRCDIR:-$(dirname "$0")/../..}/tests/term/lib.sh"

cat > "$term_tmp/check.lua" <<'EOF'
-- VIEWCHECK: the screen saved in SCREEN against the result r
local function prob(v)   -- the view's forms of a probability, whole in 7 columns
  if v ~= v then return {["-"] = true} end
  local forms = {}
  for _, f in ipairs{"%.4f", "%.3g", "%.2g", "%.1g"} do
    local s = f:format(v)
    if #s <= 7 and (f == "%.4f") == not (v ~= 0 and v < 1e-3) then forms[s] = true end
  end
  if v ~= 0 and v < 1e-3 and next(forms) == nil then forms[("%.1g"):format(v)] = true end
  return forms
end
-- the form the header and the chart print (view_fmt_prob)
local function one(v)
  if v ~= v then return "-" end
  return ((v ~= 0 and v < 1e-3) and "%.3g" or "%.4f"):format(v)
end
-- a percentage shown with one decimal: the value within rounding (the
-- view's operations may round a ...5 the other way)
local function pct(shown, v)
  if v == nil or v ~= v then return shown == "-" end
  return tonumber(shown) ~= nil and math.abs(tonumber(shown) - 100 * v) <= 0.05 + 1e-9
end
local screen = io.open(SCREEN):read("a")
local bad, rows = {}, 0
local points = r.points
for line in screen:gmatch("[^\n]+") do
  local l = tonumber(line:match("^%s*(%d+)[^%d%s]"))
  if l and r.layers[l] and line:find("%d%.%d%d%d%d%s*$") then
    local tok = {}
    for w in line:gmatch("%S+") do tok[#tok + 1] = w end
    local killed, dead, pgt, surv, bound = tok[#tok - 4], tok[#tok - 3], tok[#tok - 2], tok[#tok - 1], tok[#tok]
    local L = r.layers[l]
    local share = L.living and (L.reaching - L.living) / (r.trials * points) or r.died_at[l] / r.trials
    local want_killed, want_dead = ("%.1f"):format(100 * share), L.dead_rate and ("%.1f"):format(100 * L.dead_rate) or "-"
    local ok = pct(killed, share) and pct(dead, L.dead_rate) and prob(L.trials_living / r.trials)[pgt]
               and prob(L.survival or 0 / 0)[surv] and bound == ("%.4f"):format(L.bound)
    rows = rows + 1
    if not ok then
      bad[#bad + 1] = ("layer %d: screen %s %s %s %s %s, result %s %s %s %s %.4f"):format(l, killed, dead, pgt,
        surv, bound, want_killed, want_dead, next(prob(L.trials_living / r.trials)), next(prob(L.survival or 0 / 0)), L.bound)
    end
  end
end
if rows ~= #r.layers then bad[#bad + 1] = ("%d layer rows on the screen, %d layers"):format(rows, #r.layers) end
local head = ("P(alive) %s  95%% [%s, %s]  (%d alive)"):format(one(r.p_alive), one(r.ci[1]), one(r.ci[2]), r.alive_trials)
if not screen:find(head, 1, true) then bad[#bad + 1] = "no header line '" .. head .. "'" end
for what, v in pairs{P = r.p_alive, L = r.lower} do
  local n = 0
  for _ in screen:gmatch("%s" .. what .. " " .. one(v):gsub("%p", "%%%0") .. "%s*\n") do n = n + 1 end
  if n ~= 1 then bad[#bad + 1] = ("chart label %s %s shown %d times"):format(what, one(v), n) end
end
print(#bad == 0 and ("VIEWCHECK ok %d rows"):format(rows) or ("VIEWCHECK bad: " .. table.concat(bad, "; ")))
EOF

term_start
term_tmux resize-window -t relush -x 130 -y 60
sleep 0.2
n=0
for run in \
	"depth = 12, width = 3, X = inputs.gaussian(64, 2, {seed = 1}), trials = 20000, seed = 5" \
	"depth = 12, width = 3, X = inputs.gaussian(64, 2, {seed = 1}), trials = 20000, seed = 5, stats = 'alive'" \
	"depth = 30, width = 2, X = inputs.point(2), trials = 20000, seed = 5" \
	"depth = 36, width = 2, trials = 3e5, seed = 1"; do
	n=$((n + 1))
	term_clear
	term_line "r = mc{$run, view = true}"
	if term_wait ' done$' 60; then
		term_screen > "$term_tmp/screen$n"
		term_keys q
		term_wait '^> ' 10
		term_clear
		term_line "SCREEN = '$term_tmp/screen$n'; dofile('$term_tmp/check.lua')"
		term_wait '^VIEWCHECK' 20
		term_screen | grep -q '^VIEWCHECK ok'
		status=$?
		[ $status -eq 0 ] || term_screen | grep '^VIEWCHECK' | sed 's/^/# /'
	else
		status=1
		term_keys q
		term_wait '^> ' 10
	fi
	ok $status "mc{$run, view = true}: the screen's rows, header and chart labels are the result's"
done

term_keys C-d
term_wait '^\[exited 0\]'
ok $? "the session ends normally"
term_done

# Tab completion in a real terminal: methods after obj:, fields after a
# table's '.' (also through [i]), option names inside relu{ }, option values
# inside their strings, globals, keywords, file names inside a string
# (relative, absolute, ~/), the signature hint after "f(".
. "${RELUSH_SRCDIR:-$(dirname "$0")/../..}/tests/term/lib.sh"

touch "$term_tmp/points_for_completion.csv"
term_start
ok $? "the shell starts"

term_line 'net = relu(20,64); net:death()'
term_wait 'DeathReport' 10
term_clear
term_type 'net:de'
term_keys Tab
term_wait '^> net:death\($'
ok $? "net:de<Tab> completes to net:death("
term_keys C-u

term_clear
term_type 'inputs.'
term_keys Tab Tab
term_wait 'gaussian\(' && term_wait 'uniform\(' && term_wait 'orthant\('
ok $? "inputs.<Tab><Tab> lists the input constructors"
term_keys C-u

term_clear
term_type 'inputs.ga'
term_keys Tab
term_wait '^> inputs\.gaussian\($'
ok $? "inputs.ga<Tab> completes to inputs.gaussian("
term_keys C-u

term_clear
term_type 'relu{wei'
term_keys Tab
term_wait '^> relu\{weights=$'
ok $? "relu{wei<Tab> completes weights="
term_keys C-u

term_clear
term_type 'mc{thr'
term_keys Tab
term_wait '^> mc\{threads=$'
ok $? "mc{thr<Tab> completes threads="
term_keys C-u

# every function taking mc's options: mc.sweep{ and view{ too, never a global
for call in 'mc.sweep{' 'view{' 'mc.sweep{width=2, '; do
	for pair in 'ar:arch' 'de:depth' 'tri:trials'; do
		typed=${pair%%:*}
		want=${pair#*:}
		term_clear
		term_type "$call$typed"
		term_keys Tab
		esc=$(printf '%s' "$call" | sed 's/[{.]/\\&/g')
		term_wait "^> $esc$want=\$" 2
		ok $? "$call$typed<Tab> completes $want="
		term_keys C-u
	done
done
term_clear
term_type 'view{wid'
term_keys Tab
term_wait '^> view\{width$' 2
term_keys Tab Tab
term_wait 'widths=' 2 && term_screen | grep -q 'width= '
ok $? "view{wid<Tab> completes width, <Tab><Tab> lists width and widths"
term_keys C-u

term_clear
term_type 'relu{depth=3, se'
term_keys Tab
term_wait '^> relu\{depth=3, seed=$'
ok $? "option names complete after a comma too"
term_keys C-u

term_clear
term_type 'pri'
term_keys Tab
term_wait '^> print\($'
ok $? "globals complete (pri<Tab> -> print()"
term_keys C-u

term_clear
term_type 'loc'
term_keys Tab
term_wait '^> local$'
ok $? "Lua keywords complete"
term_keys C-u

term_clear
term_type 'X = inputs.load("points_for'
term_keys Tab
term_wait 'points_for_completion\.csv"?$'
ok $? "file names complete inside a string"
term_keys C-u

term_clear
term_type 'relu('
term_keys Tab
term_wait '^relu\(depth, width'
ok $? "Tab after relu( shows its signature"
term_keys C-u

# Option values inside the string of an option: the values its parser accepts.
term_clear
term_type 'relu{arch="res'
term_keys Tab
term_wait '^> relu\{arch="residual"?$'
ok $? 'relu{arch="res<Tab> completes residual'
term_keys C-u

term_clear
term_type 'mc{method="'
term_keys Tab Tab
term_wait 'explicit' && term_wait 'gram' && term_wait 'auto'
ok $? 'mc{method="<Tab><Tab> lists the methods'
term_keys C-u

term_clear
term_type 'relu{depth=2, weights={law="lap'
term_keys Tab
term_wait '^> relu\{depth=2, weights=\{law="laplace"?$'
ok $? 'law names complete inside weights={law="'
term_keys C-u

term_clear
term_type "mc{bias={law='ze"
term_keys Tab
term_wait "^> mc\\{bias=\\{law='zero'?$"
ok $? "... and inside bias={law=' (with zero)"
term_keys C-u

term_clear
term_type 'relu{weights="gl'
term_keys Tab
term_wait '^> relu\{weights="glorot"?$'
ok $? 'weights="gl<Tab> completes glorot'
term_keys C-u

term_clear
term_type 'mc{depth=3, stats="aliv'
term_keys Tab
term_wait '^> mc\{depth=3, stats="alive"?$'
ok $? 'mc{stats="aliv<Tab> completes alive'
term_keys C-u

# Fields and methods of values reached by plain index chains.
term_clear
term_line 'r = mc{depth=3, width=2, trials=10, seed=1}; X = inputs.gaussian(3, 2)'
term_clear
term_type 'r.layers[1].surv'
term_keys Tab
term_wait '^> r\.layers\[1\]\.survival$'
ok $? "r.layers[1].surv<Tab> completes a field through an index"
term_keys C-u

term_clear
term_type 'r.layers[1].'
term_keys Tab Tab
term_wait 'dead_rate' && term_wait 'net_survival'
ok $? "r.layers[1].<Tab><Tab> lists the layer's fields"
term_keys C-u

term_clear
term_type 'mc.'
term_keys Tab Tab
term_wait 'merge\(' && term_wait 'load\(' && term_wait 'shard'
ok $? "mc.<Tab><Tab> lists merge, load and shard"
term_keys C-u

term_clear
term_type 'X:sa'
term_keys Tab
term_wait '^> X:save\($'
ok $? "X:sa<Tab> completes a Matrix method"
term_keys C-u

# Completion never calls anything: not a function, not an __index function.
term_clear
term_line 'calls = 0; lazy = setmetatable({}, {__index = function() calls = calls + 1; return {deep = 1} end}); function f() calls = calls + 1; return {x = 1} end'
term_type 'lazy.field.de'
term_keys Tab
term_keys C-u
term_type 'f().'
term_keys Tab
term_keys C-u
term_clear
term_line 'print("calls", calls)'
term_wait '^calls[[:space:]]+0$'
ok $? "completion calls no function and no __index function"

# File names: absolute, and from ~/ (expanded to $HOME, the scratch folder).
mkdir -p "$term_tmp/abs_dir" "$term_tmp/home_dir"
touch "$term_tmp/abs_dir/absolute_name.csv" "$term_tmp/home_dir/tilde_name.csv"
term_clear
term_type "X = inputs.load(\"$term_tmp/abs_dir/abso"
term_keys Tab
term_wait 'abs_dir/absolute_name\.csv"?$'
ok $? "absolute file names complete"
term_keys C-u

term_clear
term_type 'X = inputs.load("~/home_dir/til'
term_keys Tab
term_wait "inputs.load\\(\"$term_tmp/home_dir/tilde_name\\.csv\"?\$"
ok $? "~/ file names complete, with ~ expanded to \$HOME"
term_keys C-u

# A name of a user after ~ (as bash), a folder with spaces, a folder that
# does not exist (nothing, quietly).
me=$(id -un 2>/dev/null)
if [ -n "$me" ] && [ ${#me} -ge 2 ]; then
	term_clear
	term_type "X = inputs.load(\"~${me%?}"
	term_keys Tab
	term_wait "inputs.load\\(\"~$me/\$"
	ok $? "~user<Tab> completes a user name"
	term_keys C-u
fi
mkdir -p "$term_tmp/with space"
touch "$term_tmp/with space/spaced name.csv"
term_clear
term_type 'X = inputs.load("with space/spa'
term_keys Tab
term_wait 'inputs.load\("with space/spaced name\.csv"?$'
ok $? "file names with spaces complete"
term_keys C-u
term_clear
term_type 'X = inputs.load("/no_such_dir_for_relush/a'
term_keys Tab Tab
sleep 0.3
term_keys C-u
term_line 'print("after a missing folder")'
term_wait '^after a missing folder$'
ok $? "a folder that does not exist completes nothing and the session goes on"

# Nothing plain before the '.' or ':' (a call, a parenthesis, a string):
# nothing is offered, not the globals.
for expr in '("abc"):' '(s).' 'f().' 'x = .'; do
	term_clear
	term_type "$expr"
	term_keys Tab Tab
	sleep 0.4
	! term_screen | grep -Eq 'print\(|pcall\(|Display all'
	ok $? "$expr<Tab><Tab> offers no globals"
	term_keys C-u
done

# A table of 100000 keys: Tab completes their common start at once (a scan
# of the candidates per key took minutes, with the shell frozen).
term_clear
term_line 'big = {} for i = 1, 1e5 do big["key" .. i] = i end print("built")'
term_wait '^built$' 10
term_clear
term_type 'big.'
term_keys Tab
term_wait '^> big\.key$' 5
ok $? "big.<Tab> on a table of 100000 keys completes big.key promptly"
term_keys C-u

# Option names of an options table that is a later argument, of a
# function in a table and of a method: the API table names the function.
term_clear
term_type 'X = inputs.gaussian(8, 2, {se'
term_keys Tab
term_wait '^> X = inputs\.gaussian\(8, 2, \{seed=$'
ok $? "inputs.gaussian(8, 2, {se<Tab> completes seed="
term_keys C-u

term_clear
term_type 'net:train(X, y, {st'
term_keys Tab
term_wait '^> net:train\(X, y, \{steps=$'
ok $? "net:train(X, y, {st<Tab> completes steps= (a method's options)"
term_keys C-u

# Every option with a fixed set of values, read from the API table: each
# value completes inside its string, from all of it but its last letter
# (one Tab completes, a second lists). A method is called on the session's
# variable of its name (net).
"$RELUSH" -e 'for fn, list in pairs(require("relush")._options) do
  for _, o in ipairs(list) do
    for _, v in ipairs(list[o] or {}) do print(fn, o, v) end
  end
end' > "$term_tmp/option_values"
values=0
missed=""
while read -r fn opt value; do
	values=$((values + 1))
	term_clear
	term_type "$fn{$opt=\"${value%?}"
	term_keys Tab Tab
	term_wait "$value" 3 || missed="$missed $fn{$opt=\"$value\"}"
	term_keys C-u
done < "$term_tmp/option_values"
[ "$values" -ge 20 ] && [ -z "$missed" ]
ok $? "every fixed option value completes ($values values)${missed:+; not:$missed}"

term_clear
term_line 'print("still fine")'
term_wait '^still fine$'
ok $? "the session works after completions"

term_done

# Tab completion in a real terminal: methods after obj:, fields after a
# table's '.', option names inside relu{ }, globals, keywords, file names
# inside a string, the signature hint after "f(".
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

term_clear
term_line 'print("still fine")'
term_wait '^still fine$'
ok $? "the session works after completions"

term_done

# includes.sh: the layers hold (doc/architecture.md). src/core and
# include/relush are plain C: no Lua, readline or curses header and nothing
# from the layers above; src/plot likewise (the core below it only);
# src/lua reaches neither the view, the shell, readline nor curses;
# src/view includes nothing of the shell or readline.
# Reads the sources (RELUSH_SRCDIR, else the folder above tests/).
top=${RELUSH_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
count=0 failed=0
ok() {
	count=$((count + 1))
	if [ "$1" -eq 0 ]; then echo "ok $count - $2"; else failed=$((failed + 1)); echo "not ok $count - $2"; fi
}
# check NAME PATTERN FILES...: no #include line of FILES matches PATTERN
check() {
	name=$1 pattern=$2
	shift 2
	found=$(grep -HnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" "$@" 2>/dev/null | tr '\n' ' ')
	[ -z "$found" ]
	ok $? "$name${found:+: $found}"
}
cd "$top" || { echo "1..0 # SKIP no source tree at $top"; exit 0; }
core=$(ls src/core/*.c src/core/*.h include/relush/*.h)
lua=$(ls src/lua/*.c src/lua/*.h)
view=$(ls src/view/*.c src/view/*.h)
plot=$(ls src/plot/*.c src/plot/*.h)
[ -n "$core" ] && [ -n "$lua" ] && [ -n "$view" ] && [ -n "$plot" ]
ok $? "the layers' sources are found in $top"
lua_h='lua\.h|lualib\.h|lauxlib\.h|luaconf\.h'
readline_h='readline/|editline/'
curses_h='curses\.h|ncurses|ncursesw/|term\.h|termcap\.h'
# shellcheck disable=SC2086 # the file lists are split on purpose
check "src/core includes no Lua header" "$lua_h|rlua\.h" $core
check "src/core includes no readline header" "$readline_h" $core
check "src/core includes no curses header" "$curses_h" $core
check "src/core includes nothing of src/lua, src/view or src/shell" "lua/|view/|shell/" $core
check "src/lua includes no readline or curses header" "$readline_h|$curses_h" $lua
check "src/lua includes nothing of src/view or src/shell" "view/|shell/" $lua
check "src/plot (curses-free plots) includes no Lua, readline or curses header" "$lua_h|$readline_h|$curses_h" $plot
check "src/plot includes nothing of src/lua, src/view or src/shell" "lua/|view/|shell/" $plot
check "src/view includes no readline header" "$readline_h" $view
check "src/view includes nothing of src/shell" "shell/" $view
# the test can fail: a forbidden include in a copy is seen
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
printf '#include <lauxlib.h>\n' > "$tmp/bad.c"
found=$(grep -HnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($lua_h)" "$tmp/bad.c")
[ -n "$found" ]
ok $? "... and the check sees a Lua include when there is one"
echo "1..$count"
[ $failed -eq 0 ]

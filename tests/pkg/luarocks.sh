# luarocks.sh: the LuaRocks package. `luarocks make` of the top-level
# rockspec, on a copy of the source tree, builds the engine and installs
# the module into a temporary tree (luarocks --tree); a stock lua5.4 then
# loads it from that tree and runs a little of the API. Skips, saying why,
# without luarocks or lua5.4 (Debian's luarocks and lua5.4 packages).
srcdir=${RELUSH_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
skip() { echo "1..0 # SKIP $1"; exit 0; }
command -v luarocks >/dev/null 2>&1 || skip "luarocks is not installed (apt-get install luarocks)"
command -v lua5.4 >/dev/null 2>&1 || skip "lua5.4 is not installed (apt-get install lua5.4)"
[ -f "$srcdir/config.status" ] && skip "the source tree is configured in place; luarocks make builds out of tree"
rockspec=$(cd "$srcdir" && ls relush-*.rockspec 2>/dev/null | head -n 1)
[ -n "$rockspec" ] || skip "no rockspec in $srcdir"

count=0 failed=0
ok() {
	count=$((count + 1))
	if [ "$1" -eq 0 ]; then echo "ok $count - $2"; else failed=$((failed + 1)); echo "not ok $count - $2"; fi
}
work=$(mktemp -d "${TMPDIR:-/tmp}/relush-rock.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir "$work/src"
(cd "$srcdir" && tar --exclude=./build --exclude=./build-san --exclude=./build-rock --exclude=./.git \
	--exclude=./autom4te.cache --exclude=./_build --exclude=./_inst \
	--exclude='./relush-*.tar.gz' --exclude='./relush-[0-9]*/' -cf - .) \
	| (cd "$work/src" && tar -xf -)
chmod -R u+w "$work/src"
(cd "$work/src" && luarocks --lua-version 5.4 make --tree "$work/tree" "$rockspec") >"$work/make.log" 2>&1
status=$?
ok $status "luarocks make $rockspec installs relush into a temporary tree"
[ $status -eq 0 ] || tail -n 30 "$work/make.log" | sed 's/^/# /'

so=$(find "$work/tree" -name relush.so | head -n 1)
[ -n "$so" ]
ok $? "the tree holds the module (${so#$work/})"

paths=$(luarocks --lua-version 5.4 --tree "$work/tree" path 2>/dev/null)
out=$(eval "$paths"; cd "$work" && lua5.4 -e 'local r = require "relush"; print(r.version)' 2>&1)
want=$(sed -n 's/^version = "\([^-"]*\)-[0-9]*"/\1/p' "$srcdir/$rockspec")
[ -n "$out" ] && [ "$out" = "$want" ]
ok $? "lua5.4 -e 'local r = require \"relush\"; print(r.version)' from the tree prints $want (got: $out)"

out=$(eval "$paths"; cd "$work" && lua5.4 -e '
local r = require "relush"
local net = r.relu(3, 4, {seed = 1})
local X = r.inputs.gaussian(8, 4, {seed = 2})
X:save("X.npy"); net:save("net.npz")
local back = r.relu.load("net.npz")
print(net.depth, back:weights(2)[1][1] == net:weights(2)[1][1], r.inputs.load("X.npy")[3][2] == X[3][2])' 2>&1)
[ "$out" = "3	true	true" ]
ok $? "the installed module builds nets and reads and writes NumPy files (got: $out)"
echo "1..$count"
[ $failed -eq 0 ]

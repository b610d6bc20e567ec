# symbols.sh: the layers hold at link time (doc/architecture.md). Each layer
# is a static archive (the shell its objects); the symbols an archive needs
# from outside must not be defined by a layer above it: the core uses
# nothing of the bindings, the plots, the view or the shell; the bindings
# and the plots nothing of each other, the view or the shell; the view
# nothing of the shell. The shell links them in that order, so such a call
# would mostly fail to link too; this names it. Run from the build folder.
count=0 failed=0
ok() {
	count=$((count + 1))
	if [ "$1" -eq 0 ]; then echo "ok $count - $2"; else failed=$((failed + 1)); echo "not ok $count - $2"; fi
}
if ! command -v nm >/dev/null 2>&1; then echo "1..0 # SKIP nm is not installed (binutils)"; exit 0; fi
core=src/core/.libs/librelushcore.a lua=src/lua/.libs/librelushlua.a
plot=src/plot/.libs/librelushplot.a view=src/view/.libs/librelushview.a
for a in $core $lua $plot $view; do
	[ -f "$a" ] || { echo "1..0 # SKIP no archive $a (run from a built build folder)"; exit 0; }
done
shell=$(ls src/shell/*.o 2>/dev/null)
[ -n "$shell" ] || { echo "1..0 # SKIP no objects of the shell in src/shell"; exit 0; }
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
# defined NAME FILES...: the global symbols FILES define, into $tmp/NAME.def;
# needs NAME FILES...: those they use but do not define, into $tmp/NAME.und
defined() {
	name=$1; shift
	nm -g --defined-only "$@" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u > "$tmp/$name.def"
}
needs() {
	name=$1; shift
	defined "$name" "$@"
	nm -u "$@" 2>/dev/null | awk 'NF == 2 { print $2 }' | sort -u | comm -23 - "$tmp/$name.def" > "$tmp/$name.und"
}
needs core $core
needs lua $lua
needs plot $plot
needs view $view
# shellcheck disable=SC2086 # the object list is split on purpose
defined shell $shell
# check LAYER ABOVE...: no symbol LAYER needs is defined by one of ABOVE
check() {
	layer=$1; shift
	for above in "$@"; do
		found=$(comm -12 "$tmp/$layer.und" "$tmp/$above.def" | head -5 | tr '\n' ' ')
		[ -z "$found" ]
		ok $? "src/$layer uses nothing src/$above defines${found:+: $found}"
	done
}
[ -s "$tmp/core.def" ] && [ -s "$tmp/lua.und" ] && [ -s "$tmp/shell.def" ]
ok $? "nm reads the archives and the shell's objects"
check core lua plot view shell
check lua plot view shell
check plot lua view shell
check view shell
# the test can fail: the bindings do use the core, and the check sees it
found=$(comm -12 "$tmp/lua.und" "$tmp/core.def" | head -1)
[ -n "$found" ]
ok $? "... and the check sees a use when there is one (src/lua uses src/core's $found)"
echo "1..$count"
[ $failed -eq 0 ]

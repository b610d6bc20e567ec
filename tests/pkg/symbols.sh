# symbols.sh: the Lua module's manners. relush.so exports only its entry
# point luaopen_relush (the engine's symbols stay private to it, so loading
# it cannot clash with another library in the process), and it is installed
# where lua5.4's pkg-config file says Lua looks for C modules (INSTALL_CMOD
# under our prefix). Run by make check from the build folder.
so=${RELUSH_MODULE_DIR:-src/lua/.libs}/relush.so
count=0 failed=0
ok() {
	count=$((count + 1))
	if [ "$1" -eq 0 ]; then echo "ok $count - $2"; else failed=$((failed + 1)); echo "not ok $count - $2"; fi
}
if ! command -v nm >/dev/null 2>&1; then echo "1..0 # SKIP nm is not installed (binutils)"; exit 0; fi
[ -f "$so" ] || { echo "1..0 # SKIP no module at $so"; exit 0; }
defined=$(nm -D --defined-only "$so" | awk 'NF == 3 { print $3 }' | sort | tr '\n' ' ')
[ "$defined" = "luaopen_relush " ]
ok $? "nm -D relush.so: luaopen_relush is the only defined symbol (got: $defined)"
undefined_rl=$(nm -D --undefined-only "$so" | awk '{ print $NF }' | grep -E '^(rl_|net_|mc_|rlua_|npy_|npz_|inputs_|bound_)' | tr '\n' ' ')
[ -z "$undefined_rl" ]
ok $? "... and it needs none of the engine's symbols from outside (${undefined_rl:-none})"

if [ -f Makefile ] && command -v pkg-config >/dev/null 2>&1 && pkg-config --exists lua5.4; then
	want=$(pkg-config --define-variable=prefix='${prefix}' --variable=INSTALL_CMOD lua5.4)
	got=$(sed -n 's/^luacmoddir = //p' Makefile)
	[ "$got" = "$want" ]
	ok $? "the module installs into lua5.4's INSTALL_CMOD under the prefix ($got)"
	grep -q 'rm -f "$(DESTDIR)$(luamoddir)/relush.la"' Makefile
	ok $? "make install leaves out the libtool archive relush.la"
else
	echo "ok $((count + 1)) - # SKIP lua5.4's pkg-config file is not installed"; count=$((count + 1))
fi
echo "1..$count"
[ $failed -eq 0 ]

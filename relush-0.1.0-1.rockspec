-- relush as a LuaRocks package: `luarocks make` (from a checkout or the
-- release tarball) builds the C engine and the Lua bindings with the
-- project's own configure and make, then installs the module relush.so, so
-- that `require "relush"` works from a stock Lua 5.4. The build needs the
-- same Debian packages as the shell (scripts/bootstrap lists them).
rockspec_format = "3.0"
package = "relush"
version = "0.1.0-1"
source = {
   url = "git+https://github.com/relush/relush.git",
   tag = "v0.1.0",
}
description = {
   summary = "Neuron death in deep ReLU networks: Monte Carlo, bounds and remedies from Lua",
   detailed = [[
      The engine of the relush shell as a Lua module: ReLU networks at
      initialisation, their death probabilities by Monte Carlo, the paper's
      bounds, sign flipping, NumPy and PyTorch files in and out.
   ]],
   license = "GPL-3.0-or-later",
}
dependencies = {
   "lua >= 5.4, < 5.5",
}
build = {
   type = "command",
   -- a separate build folder, so a checkout's own build/ is left alone
   build_command = [[
      set -e
      test -x configure || autoreconf -fi
      mkdir -p build-rock
      cd build-rock
      test -f Makefile || ../configure -q --disable-werror CC="$(CC)"
      $(MAKE) -s src/lua/relush.la
   ]],
   install = {
      lib = { relush = "build-rock/src/lua/.libs/relush.so" },
   },
}

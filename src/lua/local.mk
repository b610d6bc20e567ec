# Lua 5.4 bindings: one file per Lua-visible type or module.
noinst_LTLIBRARIES += src/lua/librelushlua.la
src_lua_librelushlua_la_CFLAGS = $(AM_CFLAGS) $(LUA_CFLAGS)
# what every binding shares: conventions and boxes, the API table's reader,
# "did you mean"; the module's entry, which opens every binding
src_lua_librelushlua_la_SOURCES = src/lua/rlua.h src/lua/rlua.c src/lua/rlua_table.c src/lua/api.c src/lua/suggest.c \
	src/lua/lmodule.c
# input sets, nets and what is done to them, their reports, the bounds
src_lua_librelushlua_la_SOURCES += src/lua/lmatrix.c src/lua/linputs.c src/lua/lnet.c \
	src/lua/lreport.c src/lua/lremedies.c src/lua/ltrain.c src/lua/lbound.c
# mc{...}: the run, progress, the result and its report, merge and load;
# mc.sweep; r:csv; list:plot
src_lua_librelushlua_la_SOURCES += src/lua/lmc.c src/lua/lmc_impl.h src/lua/mc_observer.h \
	src/lua/lmc_progress.c src/lua/lmc_result.c src/lua/lmc_merge.c \
	src/lua/lsweep.c src/lua/lsweep_guard.h src/lua/lsweep_guard.c src/lua/sweep_observer.h \
	src/lua/lresult_csv.c src/lua/lresults_plot.c
# limits.memory; NumPy files and PyTorch state dicts
src_lua_librelushlua_la_SOURCES += src/lua/llimits.c src/lua/lnumpy.c

# The same bindings as a stock-Lua C module: require "relush". It goes
# where lua5.4 looks for C modules (configure: INSTALL_CMOD), exports only
# its entry point luaopen_relush, and the libtool archive relush.la is not
# installed (a Lua module is loaded by path, never linked against).
luamoddir = $(luacmoddir)
luamod_LTLIBRARIES = src/lua/relush.la
src_lua_relush_la_SOURCES =
src_lua_relush_la_LIBADD = src/lua/librelushlua.la src/core/librelushcore.la
src_lua_relush_la_LDFLAGS = -module -avoid-version -shared -export-symbols-regex '^luaopen_relush$$' $(AM_LDFLAGS)
install-data-hook: install-data-hook-luamod
install-data-hook-luamod:
	rm -f "$(DESTDIR)$(luamoddir)/relush.la"
# without relush.la libtool cannot tell what to uninstall: name the module
uninstall-hook: uninstall-hook-luamod
uninstall-hook-luamod:
	rm -f "$(DESTDIR)$(luamoddir)/relush.so"
.PHONY: install-data-hook-luamod uninstall-hook-luamod

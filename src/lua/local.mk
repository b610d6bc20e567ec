# Lua 5.4 bindings: one file per Lua-visible type or module.
noinst_LTLIBRARIES += src/lua/librelushlua.la
src_lua_librelushlua_la_SOURCES = \
	src/lua/rlua.h \
	src/lua/rlua.c \
	src/lua/help.c \
	src/lua/lmodule.c \
	src/lua/lmatrix.c \
	src/lua/linputs.c \
	src/lua/lnet.c \
	src/lua/lreport.c \
	src/lua/lremedies.c \
	src/lua/ltrain.c \
	src/lua/lbound.c \
	src/lua/lmc.c \
	src/lua/lsweep.c \
	src/lua/llimits.c
src_lua_librelushlua_la_CFLAGS = $(AM_CFLAGS) $(LUA_CFLAGS)
src_lua_librelushlua_la_LIBADD = src/core/librelushcore.la

# The same bindings as a stock-Lua C module: require "relush".
luamoddir = $(libdir)/lua/5.4
luamod_LTLIBRARIES = src/lua/relush.la
src_lua_relush_la_SOURCES =
src_lua_relush_la_LIBADD = src/lua/librelushlua.la
src_lua_relush_la_LDFLAGS = -module -avoid-version -shared $(AM_LDFLAGS)

# The relush binary: CLI, REPL, pretty printer, help.
bin_PROGRAMS += src/relush
src_relush_SOURCES = \
	src/shell/shell.h \
	src/shell/main.c \
	src/shell/run.c \
	src/shell/repl.c \
	src/shell/pretty.c \
	src/shell/help.c \
	src/shell/pager.c \
	src/shell/guides.c \
	src/shell/suggest.c \
	src/shell/complete.c \
	src/shell/history.c \
	src/shell/shard.c
src_relush_CFLAGS = $(AM_CFLAGS) $(LUA_CFLAGS) $(READLINE_CFLAGS) $(NCURSES_CFLAGS)
# The layers as static archives, each before the ones it uses: a layer that
# called one above it would not link (and tests/layers/symbols.sh says which).
src_relush_LDADD = src/view/librelushview.la src/plot/librelushplot.la \
	src/lua/librelushlua.la src/core/librelushcore.la \
	$(LUA_LIBS) $(READLINE_LIBS) $(NCURSES_LIBS)
# The teaching mode (demo, paper): where the scripts are installed, and the
# source tree as a fallback so the build tree runs them before make install.
src_relush_SOURCES += src/shell/demo.c
src_relush_CFLAGS += -DRELUSH_PKGDATADIR='"$(pkgdatadir)"' -DRELUSH_SOURCE_DIR='"$(abs_top_srcdir)"'

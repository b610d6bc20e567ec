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
src_relush_LDADD = src/lua/librelushlua.la $(LUA_LIBS) $(READLINE_LIBS) $(NCURSES_LIBS)

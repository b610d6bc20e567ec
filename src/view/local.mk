# The ncurses live view and its text renderer (above the Lua layer and the
# plots), and the Lua binding of the line plots (src/plot).
noinst_LTLIBRARIES += src/view/librelushview.la
src_view_librelushview_la_SOURCES = src/view/lplot.c
# The live view: model, one renderer, a text and an ncurses back end, Lua.
src_view_librelushview_la_SOURCES += \
	src/view/view.h \
	src/view/model.h src/view/model.c \
	src/view/grid.h src/view/grid.c \
	src/view/render.h src/view/render.c src/view/chart.c \
	src/view/term.h src/view/term.c src/view/termcaps.c \
	src/view/session.h src/view/session.c \
	src/view/observe.c src/view/inputs.c \
	src/view/sweep_view.c \
	src/view/lview.c
# Terminal restored when the process dies on a signal (REPL and view).
src_view_librelushview_la_SOURCES += src/view/ttyguard.h src/view/ttyguard.c
src_view_librelushview_la_CFLAGS = $(AM_CFLAGS) $(LUA_CFLAGS) $(NCURSES_CFLAGS)

# Line plots (plot.lines): the model, axes, a terminal and an SVG back end
# (CSV through the core's writer). Plain C, no curses: the shell, the view
# and scripts share them; their Lua binding is src/view/lplot.c.
noinst_LTLIBRARIES += src/plot/librelushplot.la
src_plot_librelushplot_la_SOURCES = \
	src/plot/plot.h src/plot/plot_impl.h \
	src/plot/model.c src/plot/axes.c src/plot/text.c src/plot/svg.c

/* lplot.c: the shell's `plot` table: plot.lines{...} builds a Plot object
 * (a userdata owning a plot from plot.h) that prints itself as a terminal
 * plot and writes SVG and CSV files. Lives with the renderer in src/view
 * because only the shell links it. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <lua.h>
#include <lauxlib.h>
#include "lua/rlua.h"
#include "plot/plot.h"

#define RLUA_PLOT "relush.Plot"
#define FN "plot.lines"

/* A Plot is an rlua_box holding a plot (box first, then plot_new). */
static void plot_destroy(void *p) { plot_free(p); }

static plot *check_plot(lua_State *L, int arg)
{
	return rlua_check_box(L, arg, RLUA_PLOT, "a Plot (from plot.lines)", "the plot")->p;
}

static int option_error(lua_State *L, const char *option, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int option_error(lua_State *L, const char *option, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return luaL_error(L, "bad option '%s' to '" FN "' (%s)", rlua_short_name(L, option), msg);
}

/* ---- reading the options table ------------------------------------------------ */

static const rlua_option lines_options[] = {
	RLUA_OPTION("x"), RLUA_OPTION("series"), RLUA_OPTION("title"), RLUA_OPTION("xlabel"),
	RLUA_OPTION("ylabel"), RLUA_OPTION("logx"), RLUA_OPTION("logy"), RLUA_OPTION("xmin"),
	RLUA_OPTION("xmax"), RLUA_OPTION("ymin"), RLUA_OPTION("ymax"), RLUA_OPTION("refs"), {0}
};
static const rlua_option text_option_list[] = {
	RLUA_OPTION("width"), RLUA_OPTION("height"), RLUA_OPTION("ascii"), RLUA_OPTION("colour"),
	RLUA_OPTION("color"), {0}
};
static const char *const series_fields[] = { "name", "y", "lo", "hi", "style", "color", "colour", NULL };
static const char *const ref_fields[] = { "x", "y", "label", NULL };
static const char *const style_names[] = { "line", "dashed", "dotted", "points", NULL };

/* Rejects keys of the table at t that are not in known. option is the
 * option holding the table (NULL for the options table itself: the key is
 * then the bad option); where names the table. */
static void check_keys(lua_State *L, int t, const char *const *known, const char *option, const char *where)
{
	t = lua_absindex(L, t);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		bool found = false;
		if (lua_type(L, -2) == LUA_TSTRING)
			for (size_t i = 0; known[i] && !found; i++)
				found = strcmp(known[i], lua_tostring(L, -2)) == 0;
		if (!found) {
			char list[256] = "";
			size_t off = 0;
			for (size_t i = 0; known[i] && off < sizeof list; i++)
				off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", known[i]);
			/* a non-string key is described without its metamethods */
			const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2)
			                                                 : rlua_describe(L, -2);
			option_error(L, option, "%s has an unknown field '%s'; the fields are %s", where, key, list);
		}
		lua_pop(L, 1);
	}
}

/* A list of numbers at index t (a number or NaN each) as a userdata-backed
 * array left on the stack. what names it in errors ("x", "series[2].y").
 * expect: the required length, or 0 for any length >= 1. */
static double *check_numbers(lua_State *L, int t, const char *option, const char *what,
                             size_t expect, size_t *count)
{
	t = lua_absindex(L, t);
	if (lua_type(L, t) != LUA_TTABLE)
		option_error(L, option, "%s must be a list of numbers, got %s", what, rlua_got(L, t));
	lua_Integer n = rlua_len(L, t, what);
	if (n < 1)
		option_error(L, option, "%s is empty; it needs at least one number", what);
	if (expect && (size_t)n != expect)
		option_error(L, option, "%s has %lld values but x has %zu; they must be equally long",
		             what, (long long)n, expect);
	if ((lua_Unsigned)n > (lua_Unsigned)(SIZE_MAX / sizeof(double) / 8))
		option_error(L, option, "%s has too many values (%lld)", what, (long long)n);
	double *v = lua_newuserdatauv(L, (size_t)n * sizeof *v, 0);
	for (lua_Integer i = 1; i <= n; i++) {
		int type = lua_geti(L, t, i);
		if (type != LUA_TNUMBER) {
			if (type == LUA_TSTRING)
				option_error(L, option, "%s[%lld] must be a number (0/0 leaves a gap), got the "
				             "string \"%s\"", what, (long long)i, lua_tostring(L, -1));
			option_error(L, option, "%s[%lld] must be a number (0/0 leaves a gap), got %s",
			             what, (long long)i, type == LUA_TNIL ? "nil (a hole in the list)" : rlua_got(L, -1));
		}
		v[i - 1] = lua_tonumber(L, -1);
		lua_pop(L, 1);
	}
	*count = (size_t)n;
	return v;
}

static const char *opt_string(lua_State *L, int t, const char *field)
{
	int type = lua_getfield(L, t, field);
	const char *s = NULL;
	if (type == LUA_TSTRING || type == LUA_TNUMBER)
		s = lua_tostring(L, -1);
	else if (type != LUA_TNIL)
		option_error(L, field, "must be a string, got %s", rlua_got(L, -1));
	/* left on the stack: the string may come from an __index metamethod
	 * and be referenced nowhere else; the caller pops it when done */
	return s;
}

static bool opt_bool(lua_State *L, int t, const char *field)
{
	int type = lua_getfield(L, t, field);
	if (type != LUA_TNIL && type != LUA_TBOOLEAN)
		option_error(L, field, "must be true or false, got %s", rlua_got(L, -1));
	bool v = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return v;
}

static double opt_limit(lua_State *L, int t, const char *field)
{
	int type = lua_getfield(L, t, field);
	double v = NAN;
	if (type != LUA_TNIL) {
		if (type != LUA_TNUMBER || !isfinite(lua_tonumber(L, -1)))
			option_error(L, field, "must be a finite number, got %s",
			             type == LUA_TNUMBER ? lua_tostring(L, -1) : rlua_got(L, -1));
		v = lua_tonumber(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

static void raise_engine(lua_State *L, const rl_err *e)
{
	luaL_error(L, "%s: %s", FN, e->msg);
}

static void add_series(lua_State *L, plot *p, int s, lua_Integer i)
{
	char where[64], field[80];
	snprintf(where, sizeof where, "series[%lld]", (long long)i);
	if (lua_type(L, s) != LUA_TTABLE)
		option_error(L, "series", "%s must be a table {name=, y=, lo=, hi=, style=}, got %s",
		             where, rlua_got(L, s));
	check_keys(L, s, series_fields, "series", where);
	int type = lua_getfield(L, s, "name");
	if (type != LUA_TNIL && type != LUA_TSTRING && type != LUA_TNUMBER)
		option_error(L, "series", "%s.name must be a string, got %s", where, rlua_got(L, -1));
	const char *name = lua_tostring(L, -1);
	size_t count;
	snprintf(field, sizeof field, "%s.y", where);
	if (lua_getfield(L, s, "y") == LUA_TNIL)
		option_error(L, "series", "%s needs y, a list of numbers as long as x", where);
	double *y = check_numbers(L, -1, "series", field, p->n, &count);
	int has_lo = lua_getfield(L, s, "lo") != LUA_TNIL;
	int has_hi = lua_getfield(L, s, "hi") != LUA_TNIL;
	if (has_lo != has_hi)
		option_error(L, "series", "%s gives %s without %s; an error band needs both lo and hi",
		             where, has_lo ? "lo" : "hi", has_lo ? "hi" : "lo");
	double *lo = NULL, *hi = NULL;
	if (has_lo) {
		snprintf(field, sizeof field, "%s.lo", where);
		lo = check_numbers(L, -2, "series", field, p->n, &count);
		snprintf(field, sizeof field, "%s.hi", where);
		hi = check_numbers(L, -2, "series", field, p->n, &count);
	}
	enum plot_style style = PLOT_LINE;
	type = lua_getfield(L, s, "style");
	if (type != LUA_TNIL) {
		const char *st = type == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		int found = -1;
		for (int k = 0; st && style_names[k]; k++)
			if (strcmp(st, style_names[k]) == 0)
				found = k;
		if (found < 0)
			option_error(L, "series", "%s.style must be \"line\", \"dashed\", \"dotted\" or "
			             "\"points\", got %s", where, st ? st : rlua_got(L, -1));
		style = (enum plot_style)found;
	}
	int colour = -1;
	for (int f = 0; f < 2; f++) {
		const char *key = f ? "colour" : "color";
		if (lua_getfield(L, s, key) != LUA_TNIL) {
			if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > PLOT_PALETTE)
				option_error(L, "series", "%s.%s must be a palette index, an integer from 1 to %d",
				             where, key, PLOT_PALETTE);
			colour = (int)lua_tointeger(L, -1) - 1;
		}
		lua_pop(L, 1);
	}
	rl_err e;
	int index = plot_add_series(p, name, y, lo, hi, style, &e);
	if (index < 0)
		raise_engine(L, &e);
	p->series[index].colour = colour;
	lua_settop(L, s);
}

static void add_refs(lua_State *L, plot *p, int t)
{
	if (lua_getfield(L, t, "refs") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	int refs = lua_gettop(L);
	if (!lua_istable(L, refs))
		option_error(L, "refs", "must be a list of {y=value [, label=]} or {x=value [, label=]}, "
		             "got %s", rlua_got(L, refs));
	lua_Integer n = rlua_len(L, refs, "refs");
	for (lua_Integer i = 1; i <= n; i++) {
		char where[48];
		snprintf(where, sizeof where, "refs[%lld]", (long long)i);
		lua_geti(L, refs, i);
		int r = lua_gettop(L);
		if (!lua_istable(L, r))
			option_error(L, "refs", "%s must be a table {y=value} or {x=value}, got %s", where,
			             rlua_got(L, r));
		check_keys(L, r, ref_fields, "refs", where);
		int tx = lua_getfield(L, r, "x"), ty = lua_getfield(L, r, "y");
		if ((tx == LUA_TNIL) == (ty == LUA_TNIL))
			option_error(L, "refs", "%s needs exactly one of x (a vertical line) or y (a horizontal one)", where);
		int v = tx != LUA_TNIL ? -2 : -1;
		if (lua_type(L, v) != LUA_TNUMBER)
			option_error(L, "refs", "%s.%s must be a number, got %s", where, tx != LUA_TNIL ? "x" : "y",
			             rlua_got(L, v));
		double value = lua_tonumber(L, v);
		int tl = lua_getfield(L, r, "label");
		if (tl != LUA_TNIL && tl != LUA_TSTRING && tl != LUA_TNUMBER)
			option_error(L, "refs", "%s.label must be a string, got %s", where, rlua_got(L, -1));
		rl_err e;
		if (plot_add_ref(p, lua_tostring(L, -1), value, tx != LUA_TNIL, &e) < 0)
			raise_engine(L, &e);
		lua_settop(L, refs);
	}
	lua_pop(L, 1);
}

static int plot_lines(lua_State *L)
{
	if (lua_type(L, 1) != LUA_TTABLE)
		return rlua_arg_error(L, 1, lua_pushfstring(L, "expected a table {x=..., series={{name=, y=}, ...}}, "
		                                           "got %s", rlua_got(L, 1)));
	lua_settop(L, 1);
	rlua_check_options(L, 1, lines_options);
	rlua_box *lp = rlua_box_push(L, RLUA_PLOT, plot_destroy);   /* empty first: __gc is always safe */
	int self = lua_gettop(L);

	if (lua_getfield(L, 1, "x") == LUA_TNIL)
		option_error(L, "x", "is missing; give the x values as a list of numbers");
	size_t n;
	double *x = check_numbers(L, -1, "x", "x", 0, &n);
	rl_err e;
	if (!(lp->p = plot_new(x, n, &e)))
		raise_engine(L, &e);
	lua_settop(L, self);
	plot *p = lp->p;
	const char *title = opt_string(L, 1, "title"), *xlabel = opt_string(L, 1, "xlabel");
	const char *ylabel = opt_string(L, 1, "ylabel");
	if (plot_set_labels(p, title, xlabel, ylabel, &e) < 0)
		raise_engine(L, &e);
	lua_settop(L, self);
	p->logx = opt_bool(L, 1, "logx");
	p->logy = opt_bool(L, 1, "logy");
	p->xmin = opt_limit(L, 1, "xmin");
	p->xmax = opt_limit(L, 1, "xmax");
	p->ymin = opt_limit(L, 1, "ymin");
	p->ymax = opt_limit(L, 1, "ymax");

	if (lua_getfield(L, 1, "series") != LUA_TTABLE)
		option_error(L, "series", "must be a list of series {name=, y=, lo=, hi=}, got %s",
		             lua_isnil(L, -1) ? "nothing" : rlua_got(L, -1));
	int list = lua_gettop(L);
	lua_Integer ns = rlua_len(L, list, "the series");
	if (ns < 1)
		option_error(L, "series", "is empty; a plot needs at least one series");
	for (lua_Integer i = 1; i <= ns; i++) {
		lua_geti(L, list, i);
		add_series(L, p, lua_gettop(L), i);
		lua_pop(L, 1);
	}
	lua_settop(L, self);
	add_refs(L, p, 1);
	if (plot_check(p, &e) < 0)
		raise_engine(L, &e);
	return 1;
}

/* ---- methods ----------------------------------------------------------------- */

static void text_options(lua_State *L, int arg, plot_text_opts *o)
{
	plot_text_defaults(o);
	if (lua_isnoneornil(L, arg))
		return;
	rlua_check_options_table(L, arg);
	rlua_check_options(L, arg, text_option_list);
	o->width = (int)rlua_opt_int_field(L, arg, "width", o->width, PLOT_TEXT_MIN_WIDTH, PLOT_TEXT_MAX);
	o->height = (int)rlua_opt_int_field(L, arg, "height", o->height, PLOT_TEXT_MIN_HEIGHT, PLOT_TEXT_MAX);
	o->ascii = rlua_opt_bool_field(L, arg, "ascii", o->ascii);
	o->colour = rlua_opt_bool_field(L, arg, "color", rlua_opt_bool_field(L, arg, "colour", o->colour));
}

static int push_text(lua_State *L, const plot *p, const plot_text_opts *o)
{
	rl_err e;
	rlua_box *text = rlua_box_push(L, NULL, free);   /* box first, then render */
	if (!(text->p = plot_text(p, o, &e)))
		return luaL_error(L, "%s", e.msg);
	return rlua_box_push_string(L, text);
}

static int plot_m_text(lua_State *L)
{
	plot *pl = check_plot(L, 1);
	plot_text_opts o;
	text_options(L, 2, &o);
	return push_text(L, pl, &o);
}

static int plot_m_tostring(lua_State *L)
{
	rlua_box *lp = rlua_check_self(L, RLUA_PLOT);
	if (lp->p == NULL) {
		lua_pushliteral(L, "Plot (freed)");
		return 1;
	}
	plot_text_opts o;
	plot_text_defaults(&o);
	o.colour = rlua_colour(STDOUT_FILENO);
	/* at a terminal narrower than the default width the plot takes the
	 * terminal's: wider, every braille row wraps into two broken lines */
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0
	    && ws.ws_col < o.width)
		o.width = ws.ws_col < PLOT_TEXT_MIN_WIDTH ? PLOT_TEXT_MIN_WIDTH : ws.ws_col;
	/* A plot that no longer fits (a tiny terminal) still prints something. */
	rl_err e;
	rlua_box *text = rlua_box_push(L, NULL, free);   /* box first, then render */
	if (!(text->p = plot_text(lp->p, &o, &e))) {
		lua_pushfstring(L, "Plot (%s)", e.msg);
		return 1;
	}
	return rlua_box_push_string(L, text);
}

static const rlua_option svg_options[] = {RLUA_OPTION("width"), RLUA_OPTION("height"), {0}};

static int plot_m_svg(lua_State *L)
{
	plot *pl = check_plot(L, 1);
	const char *path = rlua_check_path_like(L, 2, "plot.svg");
	plot_svg_opts o;
	plot_svg_defaults(&o);
	if (!lua_isnoneornil(L, 3)) {
		rlua_check_options_table(L, 3);
		rlua_check_options(L, 3, svg_options);
		o.width = (int)rlua_opt_int_field(L, 3, "width", o.width, 200, 20000);
		o.height = (int)rlua_opt_int_field(L, 3, "height", o.height, 150, 20000);
	}
	rl_err e;
	if (plot_write_svg(pl, path, &o, &e) < 0)
		return luaL_error(L, "Plot:svg: %s", e.msg);
	lua_pushvalue(L, 2);
	return 1;
}

static int plot_m_csv(lua_State *L)
{
	plot *pl = check_plot(L, 1);
	const char *path = rlua_check_path_like(L, 2, "plot.csv");
	rl_err e;
	if (plot_write_csv(pl, path, &e) < 0)
		return luaL_error(L, "Plot:csv: %s", e.msg);
	lua_pushvalue(L, 2);
	return 1;
}

static int plot_m_len(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)check_plot(L, 1)->n);
	return 1;
}


static const luaL_Reg plot_meta[] = {
	{ "__tostring", plot_m_tostring },
	{ "__len", plot_m_len },
	{ NULL, NULL }
};


static const rlua_api plot_api[] = {
	{ "plot.lines", "plot",
	  "plot.lines{x=, series={{name=, y=, lo=, hi=, style=, color=}, ...}, xlabel=, ylabel=, title=, "
	  "logx=, logy=, xmin=, xmax=, ymin=, ymax=, refs=}",
	  "A line plot of one or more series over the same x values, returned as a Plot that prints "
	  "itself in the terminal (Unicode braille, or ASCII when the locale is not UTF-8) with axes, "
	  "ticks and a legend. Each series has y values as many as x; lo and hi give an error band; "
	  "style is \"line\" (default), \"dashed\", \"dotted\" or \"points\"; color picks a palette "
	  "entry 1-10 (default: the series' position), so a bound can share its measurement's colour. A value 0/0 (NaN) "
	  "leaves a gap. logx and logy use log10 axes, which need values > 0 and handle probabilities "
	  "down to 1e-300 and below. refs adds reference lines: {y=v, label=} (horizontal) or "
	  "{x=v, label=} (vertical).",
	  "p = plot.lines{x={1,2,4,8}, series={{name=\"L\", y={0.75,0.56,0.32,0.1}}}, logy=true}",
	  .fn = plot_lines, .options = lines_options },
	{ "Plot:svg", "plot", "Plot:svg(path [, {width=760, height=460}])",
	  "Writes the plot as a standalone SVG file (axes, ticks, legend, error bands, reference "
	  "lines) that a browser opens, through a temporary file renamed into place. Returns path.",
	  "p:svg(\"depth.svg\")", .fn = plot_m_svg, .type = RLUA_PLOT, .options = svg_options },
	{ "Plot:csv", "plot", "Plot:csv(path)",
	  "Writes the plot's data as CSV: a header x,<name>[,<name>_lo,<name>_hi],... then one row "
	  "per x value; numbers round-trip exactly and a gap is an empty cell. Returns path.",
	  "p:csv(\"depth.csv\")", .fn = plot_m_csv, .type = RLUA_PLOT },
	{ "Plot:text", "plot", "Plot:text{width=72, height=20, ascii=, colour=false}",
	  "The terminal rendering as a string of exactly height lines of width columns; ascii=true "
	  "draws with plain characters instead of braille (the default follows the locale), colour (or color) "
	  "adds ANSI colours per series. Each series also has a glyph of its own (o x + * # over "
	  "braille, * o x # in ASCII) at its data points and in its legend, so series stay apart "
	  "without colour (NO_COLOR, a vt100). print(p) shows the default rendering, as wide as the "
	  "terminal when it is narrower than 72 columns (no braille row wraps).",
	  "print(p:text{width=100, height=30, ascii=true})",
	  .fn = plot_m_text, .type = RLUA_PLOT, .options = text_option_list },
	{0}
};

void plot_open_lua(lua_State *L)
{
	rlua_new_box_type(L, RLUA_PLOT, plot_meta);
	rlua_api_register_globals(L, plot_api);   /* makes the global plot */
	/* also relush.plot when the module is loaded */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	if (lua_getfield(L, -1, "relush") == LUA_TTABLE) {
		lua_getglobal(L, "plot");
		lua_setfield(L, -2, "plot");
	}
	lua_pop(L, 2);
}

/* inputs.c: view.inputs(net [, X [, options]]): for nets with 2 inputs,
 * the input plane with each point marked by the layer that killed it, so
 * a class sees which regions of input space a net abandons. Without X the
 * plane [-R, R]^2 is sampled at the centre of every cell of the picture
 * (a dense grid: regions, not scattered points); with X its points are
 * drawn where they fall (a cell holding several shows a living one if
 * any, else the deepest death). Drawn into a view_grid: the terminal
 * shows it until q, and without a usable terminal it prints as text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "relush/death.h"
#include "lua/rlua.h"
#include "view/render.h"
#include "view/term.h"
#include "view/view.h"

#define PLANE_RADIUS 2.0
#define TEXT_WIDTH 80
#define TEXT_HEIGHT 30

typedef struct plane {
	const rl_net *net;
	const rl_mat *X;          /* NULL: the grid */
	double radius;
	int unicode, colours, contrast;
} plane;

/* The mark of a point killed at layer l (1-based): 1-9, a-z, then +. */
static char layer_mark(size_t l)
{
	return l < 10 ? (char)('0' + l) : l < 36 ? (char)('a' + l - 10) : '+';
}

/* The picture's area: rows top..top+h-1, columns left..left+w-1, the
 * plane's extent in x and y (cells are about twice as tall as wide). */
typedef struct area {
	int left, top, w, h;
	double x0, x1, y0, y1;
} area;

static void plane_area(const plane *p, const view_grid *g, area *a)
{
	a->top = 2;
	a->left = 9;
	a->h = g->height - a->top - 5;
	a->w = g->width - a->left - 2;
	if (a->w > 2 * a->h)
		a->w = 2 * a->h;
	else
		a->h = a->w / 2;
	double lo[2] = {-p->radius, -p->radius}, hi[2] = {p->radius, p->radius};
	if (p->X) {
		lo[0] = lo[1] = INFINITY;
		hi[0] = hi[1] = -INFINITY;
		for (size_t i = 0; i < p->X->rows; i++)
			for (int k = 0; k < 2; k++) {
				double v = mat_row(p->X, i)[k];
				if (v < lo[k]) lo[k] = v;
				if (v > hi[k]) hi[k] = v;
			}
		for (int k = 0; k < 2; k++)
			if (!(hi[k] > lo[k])) {     /* one value: a range around it that */
				double pad = fabs(lo[k]) > 1 ? fabs(lo[k]) * 1e-3 : 1;   /* exists at its size */
				lo[k] -= pad;
				hi[k] += pad;
			}
	}
	a->x0 = lo[0]; a->x1 = hi[0];
	a->y0 = lo[1]; a->y1 = hi[1];
}

/* The points evaluated: X, or one per cell of the area. */
static rl_mat *plane_points(const plane *p, const area *a, rl_err *e)
{
	if (p->X)
		return mat_clone(p->X, e);
	rl_mat *G = mat_new((size_t)a->w * (size_t)a->h, 2, e);
	if (!G)
		return NULL;
	for (int r = 0; r < a->h; r++)
		for (int c = 0; c < a->w; c++) {
			double *row = mat_row(G, (size_t)r * (size_t)a->w + (size_t)c);
			row[0] = a->x0 + (a->x1 - a->x0) * (c + 0.5) / a->w;
			row[1] = a->y1 - (a->y1 - a->y0) * (r + 0.5) / a->h;
		}
	return G;
}

/* Where v falls in [lo, hi] as one of n cells, 0..n-1: halved first, so
 * that a range as wide as the doubles (-1e308, 1e308) does not overflow. */
static int cell_of(double v, double lo, double hi, int n)
{
	double f = (v * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5);
	if (!(f > 0))
		return 0;
	return f >= 1 ? n - 1 : (int)(f * n);
}

/* A number in at most width characters: fewer digits until it fits
 * ("-9.99e+299" in 8: "-1e+300"). */
static void fmt_fit(char *buf, size_t len, double v, int width)
{
	for (int digits = 3; digits >= 1; digits--) {
		snprintf(buf, len, "%.*g", digits, v);
		if ((int)strlen(buf) <= width)
			return;
	}
}

static void draw_cell(const plane *p, view_grid *g, int x, int y, size_t dead_at, size_t depth)
{
	if (dead_at == 0) {
		view_grid_glyph(g, x, y, p->unicode ? "\xe2\x97\x8f" : "o", VS_BAR);
		return;
	}
	char mark[2] = {layer_mark(dead_at), 0};
	if (p->colours == VIEW_RAMP)
		view_grid_glyph(g, x, y, mark, VS_TEXT);
	else   /* early deaths dark, late ones bright */
		view_grid_glyph(g, x, y, mark, VS_HEAT0 + view_heat_level((double)dead_at / (double)depth));
}

static void draw_summary(const plane *p, const rl_death_report *r, view_grid *g, int y)
{
	/* the share of the points each of the first killing layers takes */
	int x = view_grid_text(g, 0, y, "killed at layer: ", VS_DIM);
	for (size_t l = 1; l <= r->depth && x < g->width - 12; l++) {
		size_t n = 0;
		for (size_t i = 0; i < r->points; i++)
			n += r->dead_at[i] == l;
		if (n)
			x = view_grid_printf(g, x, y, VS_TEXT, "%c %.1f%%  ", layer_mark(l),
			                     100.0 * (double)n / (double)r->points);
	}
	view_grid_printf(g, 0, y + 1, VS_TEXT, "alive after %s %zu layer%s: %.1f%% of the points",
	                 r->depth == 1 ? "the" : "all", r->depth, r->depth == 1 ? "" : "s",
	                 100.0 * (double)r->living / (double)r->points);
	x = view_grid_text(g, 0, y + 2, "mark: the layer that killed the point (1-9, a-z = 10-35, "
	                       "+ deeper); ", VS_DIM);
	view_grid_glyph(g, x, y + 2, p->unicode ? "\xe2\x97\x8f" : "o", VS_BAR);   /* as drawn */
	view_grid_text(g, x + 1, y + 2, ": alive", VS_DIM);
}

/* Draws the whole picture; 0, or -1 with e filled. */
static int plane_render(const plane *p, view_grid *g, rl_err *e)
{
	view_grid_clear(g);
	area a;
	plane_area(p, g, &a);
	if (a.w < 10 || a.h < 5) {
		view_grid_text(g, 0, 0, "terminal too small for view.inputs; enlarge it, or q", VS_WARN);
		return 0;
	}
	rl_mat *P = plane_points(p, &a, e);
	if (!P)
		return -1;
	rl_death_report *r = net_death(p->net, P, e);
	if (!r) {
		mat_free(P);
		return -1;
	}
	const rl_net_spec *s = &p->net->spec;
	int x = view_grid_printf(g, 0, 0, VS_TITLE, "relush view.inputs  depth %zu, %s, trial %llu; ",
	                         s->depth, arch_name(s->arch), (unsigned long long)p->net->trial);
	if (p->X)
		view_grid_printf(g, x, 0, VS_TITLE, "X: %zu point%s", p->X->rows, p->X->rows == 1 ? "" : "s");
	else
		view_grid_printf(g, x, 0, VS_TITLE, "X: a %dx%d grid on [-%g, %g]^2", a.w, a.h,
		                 p->radius, p->radius);
	view_grid_text(g, 0, 1, "the input plane: each point marked by the layer that killed it", VS_DIM);
	char buf[32];
	fmt_fit(buf, sizeof buf, a.y1, a.left - 1);     /* never cut by the axis */
	view_grid_printf(g, 0, a.top, VS_DIM, "%*s", a.left - 1, buf);
	fmt_fit(buf, sizeof buf, a.y0, a.left - 1);
	view_grid_printf(g, 0, a.top + a.h - 1, VS_DIM, "%*s", a.left - 1, buf);
	for (int row = 0; row < a.h; row++)
		view_grid_glyph(g, a.left - 1, a.top + row, p->unicode ? "\xe2\x94\x82" : "|", VS_DIM);
	view_grid_fill(g, a.left, a.top + a.h, a.w, p->unicode ? "\xe2\x94\x80" : "-", VS_DIM);
	view_grid_printf(g, a.left, a.top + a.h, VS_DIM, "%.3g", a.x0);
	snprintf(buf, sizeof buf, "%.3g", a.x1);
	view_grid_text(g, a.left + a.w - (int)strlen(buf), a.top + a.h, buf, VS_DIM);
	/* per cell: 0 empty, else 1 + the shown point's fate (living wins) */
	size_t *cell = calloc((size_t)a.w * (size_t)a.h, sizeof *cell);
	if (!cell) {
		death_report_free(r);
		mat_free(P);
		rl_fail(e, "not enough memory for the picture of the input plane");
		return -1;
	}
	for (size_t i = 0; i < P->rows; i++) {
		const double *pt = mat_row(P, i);
		int c = cell_of(pt[0], a.x0, a.x1, a.w);
		int row = a.h - 1 - cell_of(pt[1], a.y0, a.y1, a.h);
		size_t *k = &cell[(size_t)row * (size_t)a.w + (size_t)c];
		size_t fate = r->dead_at[i] == 0 ? (size_t)-1 : r->dead_at[i];
		if (*k == 0 || fate == (size_t)-1 || (*k != (size_t)-1 && fate + 1 > *k))
			*k = fate == (size_t)-1 ? (size_t)-1 : fate + 1;
	}
	for (int row = 0; row < a.h; row++)
		for (int c = 0; c < a.w; c++) {
			size_t k = cell[(size_t)row * (size_t)a.w + (size_t)c];
			if (k)
				draw_cell(p, g, a.left + c, a.top + row, k == (size_t)-1 ? 0 : k - 1, s->depth);
		}
	free(cell);
	draw_summary(p, r, g, a.top + a.h + 1);
	death_report_free(r);
	mat_free(P);
	return 0;
}

/* In the terminal until q/Esc; 0, the signal to re-raise, or -1 (err). */
static int plane_show(plane *p, char *err, size_t errlen)
{
	if (view_term_open(err, errlen))
		return -1;
	p->unicode = view_term_unicode();
	p->colours = view_term_colours();
	view_grid g = {0, 0, NULL, 0};
	int status = 0, dirty = 1;
	rl_err e;
	for (;;) {
		int w, h;
		view_term_size(&w, &h);
		if (dirty && (w != g.width || h != g.height)) {
			view_grid_free(&g);
			if (view_grid_init(&g, w, h)) {
				snprintf(err, errlen, "not enough memory to draw the input plane");
				status = -1;
				break;
			}
		}
		if (dirty && plane_render(p, &g, &e)) {
			snprintf(err, errlen, "%.200s", e.msg);
			status = -1;
			break;
		}
		if (dirty)
			view_term_draw(&g, p->contrast);
		int key = view_term_key(200);
		if ((status = view_term_signal()) != 0 || key == 'q' || key == 'Q' || key == 27)
			break;
		dirty = key == VIEW_KEY_RESIZE || key == 'c';
		if (key == 'c')
			p->contrast = !p->contrast;
	}
	view_term_close();
	view_grid_free(&g);
	return status;
}

const rlua_option view_inputs_options[] = {
	RLUA_OPTION("width"), RLUA_OPTION("height"), RLUA_OPTION("text"), RLUA_OPTION("radius"), {0}
};

int view_inputs_lua(lua_State *L)
{
	rl_net *net = rlua_check_net(L, 1);
	if (net->spec.input != 2)
		return luaL_error(L, "bad argument #1 to 'view.inputs' (it draws the input plane of nets "
		                     "with 2 inputs; this net has %d: build one with relu{..., input = 2})",
		                     (int)net->spec.input);
	plane p = {net, NULL, PLANE_RADIUS, 0, VIEW_RAMP, 0};
	if (!lua_isnoneornil(L, 2)) {
		p.X = rlua_check_matrix(L, 2);
		if (p.X->cols != 2)
			return luaL_error(L, "bad argument #2 to 'view.inputs' (X must have 2 columns (points of the "
			                     "plane), got %d)", (int)p.X->cols);
	}
	int width = TEXT_WIDTH, height = TEXT_HEIGHT, text = 0;
	if (!lua_isnoneornil(L, 3)) {
		rlua_check_options_table(L, 3);
		rlua_check_options(L, 3, view_inputs_options);
		width = (int)rlua_opt_int_field(L, 3, "width", TEXT_WIDTH, 40, 1000);
		height = (int)rlua_opt_int_field(L, 3, "height", TEXT_HEIGHT, 15, 1000);
		text = rlua_opt_bool_field(L, 3, "text", 0);
		lua_getfield(L, 3, "radius");
		if (!lua_isnil(L, -1)) {
			double rad = lua_tonumber(L, -1);
			if (!lua_isnumber(L, -1) || !(rad > 0) || !isfinite(rad))
				return rlua_arg_error(L, 3, "radius must be a number > 0 (the grid covers "
				                     "[-radius, radius]^2)");
			p.radius = rad;
		}
		lua_pop(L, 1);
	}
	char why[256];
	int t = text ? 0 : view_term_check(why, sizeof why);
	if (t == 1) {
		if (view_term_is_open())
			return luaL_error(L, "view.inputs: a view is already open; leave it (q) first");
		int status = plane_show(&p, why, sizeof why);
		if (status < 0)
			return luaL_error(L, "view.inputs: %s", why);
		if (status > 0)
			view_term_reraise(status);
		return 0;
	}
	if (t < 0)
		fprintf(stderr, "view.inputs: %s; printing the text instead\n", why);
	rlua_box *box = rlua_box_push(L, NULL, free);   /* box first, then the text */
	view_grid g;
	if (view_grid_init(&g, width, height))
		return luaL_error(L, "view.inputs: not enough memory for the picture");
	rl_err e;
	int rc = plane_render(&p, &g, &e);
	char *s = box->p = rc ? NULL : view_grid_to_text(&g);
	view_grid_free(&g);
	if (rc)
		return rlua_engine_error(L, &e);
	if (!s)
		return luaL_error(L, "view.inputs: not enough memory for the text");
	if (text)                   /* returned, like view.snapshot */
		return rlua_box_push_string(L, box);
	fputs(s, stdout);
	fflush(stdout);
	rlua_box_free(box);
	return 0;
}

/* text.c: the terminal back end of the plots: a canvas in Unicode braille
 * (2x4 dots per cell) or ASCII on a grid of character cells, with axes,
 * legend and optional ANSI colours; and the UTF-8 measures it and the SVG
 * back end share. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plot/plot_impl.h"

/* ---- text helpers ----------------------------------------------------------- */

/* Length of the UTF-8 sequence starting with byte c (1 for stray bytes). */
size_t utf8_seq_len(unsigned char c)
{
	if (c >= 0xF0 && c < 0xF8)
		return 4;
	if (c >= 0xE0)
		return c < 0xF0 ? 3 : 1;
	if (c >= 0xC0)
		return 2;
	return 1;
}

/* Display columns of a UTF-8 string (one per code point). */
size_t text_columns(const char *s)
{
	size_t n = 0;
	while (*s) {
		size_t l = utf8_seq_len((unsigned char)*s);
		for (size_t i = 0; i < l && *s; i++)
			s++;
		n++;
	}
	return n;
}

/* ---- terminal back end --------------------------------------------------------
 * A grid of character cells (each one UTF-8 character plus a colour) holds
 * the whole picture; the plot area is a dot canvas over part of it, 2x4
 * dots per cell in braille, 1x1 in ASCII. */

#define OWNER_NONE (-1)
#define OWNER_REF  (-2)

typedef struct cell {
	char s[5];
	int owner;       /* the series whose colour it takes, or OWNER_* */
} cell;

typedef struct grid {
	int w, h;
	cell *c;
} grid;

static void grid_put(grid *g, int row, int col, const char *ch, size_t len, int owner)
{
	if (row < 0 || row >= g->h || col < 0 || col >= g->w || len > 4)
		return;
	cell *c = &g->c[(size_t)row * g->w + col];
	memcpy(c->s, ch, len);
	c->s[len] = '\0';
	c->owner = owner;
}

/* Writes text from col on; returns the columns used. In ASCII mode any
 * non-ASCII character becomes '?'. max limits the columns. */
static int grid_text(grid *g, int row, int col, const char *s, int max, bool ascii, int owner)
{
	int used = 0;
	while (*s && used < max) {
		size_t l = utf8_seq_len((unsigned char)*s);
		size_t have = strnlen(s, l);
		if (ascii && (l > 1 || (unsigned char)*s >= 0x80))
			grid_put(g, row, col + used, "?", 1, owner);
		else
			grid_put(g, row, col + used, s, have, owner);
		s += have;
		used++;
	}
	return used;
}

static const char ascii_marks[] = "*ox#@%&=+";
/* Bright blue first: the plain blue (34) is hard to read on the dark
 * backgrounds most terminals use; bright blue reads on light ones too. */
static const int ansi_colours[] = { 94, 33, 32, 31, 35, 36, 34, 93, 92, 91 };

static char ascii_mark(int owner)
{
	if (owner == OWNER_REF)
		return '.';
	return ascii_marks[owner % (int)(sizeof ascii_marks - 1)];
}

typedef struct canvas {
	int cols, rows;          /* cells */
	int dw, dh;              /* dots */
	bool ascii;
	uint8_t *bits;           /* braille dots per cell */
	char *mark;              /* ASCII character per cell */
	int *owner;
} canvas;

static void canvas_dot(canvas *cv, int dx, int dy, int owner)
{
	if (dx < 0 || dy < 0 || dx >= cv->dw || dy >= cv->dh)
		return;
	if (cv->ascii) {
		size_t i = (size_t)dy * cv->cols + dx;
		cv->mark[i] = ascii_mark(owner);
		cv->owner[i] = owner;
		return;
	}
	static const uint8_t bit[4][2] = { { 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 } };
	size_t i = (size_t)(dy / 4) * cv->cols + dx / 2;
	cv->bits[i] |= bit[dy % 4][dx % 2];
	cv->owner[i] = owner;
}

static bool pattern_on(enum plot_style style, long phase)
{
	switch (style) {
	case PLOT_DASHED: return phase % 7 < 4;
	case PLOT_DOTTED: return phase % 3 == 0;
	default: return true;
	}
}

/* Liang-Barsky: clips the segment to [xmin,xmax]x[ymin,ymax]; false when
 * nothing is left. */
static bool clip_segment(double *x0, double *y0, double *x1, double *y1,
                         double xmin, double xmax, double ymin, double ymax)
{
	double t0 = 0, t1 = 1, dx = *x1 - *x0, dy = *y1 - *y0;
	double pq[4][2] = { { -dx, *x0 - xmin }, { dx, xmax - *x0 }, { -dy, *y0 - ymin }, { dy, ymax - *y0 } };
	for (int i = 0; i < 4; i++) {
		double pp = pq[i][0], q = pq[i][1];
		if (pp == 0) {
			if (q < 0)
				return false;
			continue;
		}
		double r = q / pp;
		if (pp < 0) {
			if (r > t1)
				return false;
			if (r > t0)
				t0 = r;
		} else {
			if (r < t0)
				return false;
			if (r < t1)
				t1 = r;
		}
	}
	double ox = *x0, oy = *y0;
	*x0 = ox + t0 * dx;
	*y0 = oy + t0 * dy;
	*x1 = ox + t1 * dx;
	*y1 = oy + t1 * dy;
	return true;
}

static void canvas_segment(canvas *cv, double x0, double y0, double x1, double y1,
                           enum plot_style style, int owner, long *phase)
{
	if (!clip_segment(&x0, &y0, &x1, &y1, -0.5, cv->dw - 0.5, -0.5, cv->dh - 0.5))
		return;
	double len = fmax(fabs(x1 - x0), fabs(y1 - y0));
	long steps = (long)ceil(len);
	if (steps < 1)
		steps = 1;
	for (long i = 0; i <= steps; i++) {
		double t = (double)i / steps;
		if (pattern_on(style, (*phase)++))
			canvas_dot(cv, (int)lround(x0 + t * (x1 - x0)), (int)lround(y0 + t * (y1 - y0)), owner);
	}
}

static void canvas_marker(canvas *cv, double x, double y, int owner)
{
	if (cv->ascii) {
		canvas_dot(cv, (int)lround(x), (int)lround(y), owner);
		return;
	}
	/* a 2x2 block centred on the point, kept inside the canvas */
	int dx = (int)floor(x - 0.5), dy = (int)floor(y - 0.5);
	dx = dx < 0 ? 0 : dx > cv->dw - 2 ? cv->dw - 2 : dx;
	dy = dy < 0 ? 0 : dy > cv->dh - 2 ? cv->dh - 2 : dy;
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			canvas_dot(cv, dx + i, dy + j, owner);
}

typedef struct mapping {
	const axis *ax, *ay;
	double dw, dh;
} mapping;

static double map_x(const mapping *m, double v) { return axis_frac(m->ax, v) * (m->dw - 1); }
static double map_y(const mapping *m, double v) { return (1 - axis_frac(m->ay, v)) * (m->dh - 1); }

/* A curve through (x[i], v[i]) with gaps at NaN. */
static void canvas_curve(canvas *cv, const mapping *m, const plot *p, const double *v,
                         enum plot_style style, int owner)
{
	long phase = 0;
	bool have = false;
	double px = 0, py = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (isnan(v[i])) {
			have = false;
			continue;
		}
		double x = map_x(m, p->x[i]), y = map_y(m, v[i]);
		if (have)
			canvas_segment(cv, px, py, x, y, style, owner, &phase);
		else if (i + 1 >= p->n || isnan(v[i + 1]))
			canvas_marker(cv, x, y, owner);     /* an isolated value */
		px = x;
		py = y;
		have = true;
	}
}

static void canvas_series(canvas *cv, const mapping *m, const plot *p, size_t k)
{
	const plot_series *s = &p->series[k];
	int owner = (int)k;
	if (s->lo && s->style == PLOT_POINTS) {
		for (size_t i = 0; i < p->n; i++) {
			if (isnan(s->lo[i]) || isnan(s->hi[i]))
				continue;
			long phase = 0;
			double x = map_x(m, p->x[i]);
			canvas_segment(cv, x, map_y(m, s->lo[i]), x, map_y(m, s->hi[i]), PLOT_LINE, owner, &phase);
		}
	} else if (s->lo) {
		canvas_curve(cv, m, p, s->lo, PLOT_DOTTED, owner);
		canvas_curve(cv, m, p, s->hi, PLOT_DOTTED, owner);
	}
	if (s->style == PLOT_POINTS) {
		for (size_t i = 0; i < p->n; i++)
			if (!isnan(s->y[i]))
				canvas_marker(cv, map_x(m, p->x[i]), map_y(m, s->y[i]), owner);
	} else {
		canvas_curve(cv, m, p, s->y, s->style, owner);
	}
}

static void canvas_refs(canvas *cv, const mapping *m, const plot *p)
{
	for (size_t i = 0; i < p->nrefs; i++) {
		long phase = 0;
		const plot_ref *r = &p->refs[i];
		if (r->vertical) {
			double x = map_x(m, r->value);
			canvas_segment(cv, x, 0, x, m->dh - 1, PLOT_DOTTED, OWNER_REF, &phase);
		} else {
			double y = map_y(m, r->value);
			canvas_segment(cv, 0, y, m->dw - 1, y, PLOT_DOTTED, OWNER_REF, &phase);
		}
	}
}

/* Braille lines look alike without colour (NO_COLOR, a vt100): each series
 * also gets a glyph of its own, drawn over the line at its data points
 * (every point when they are sparse, else about one per 6 columns,
 * staggered between series) and in its legend sample. */
static const char series_marks[] = "ox+*#@%&";

static char series_mark(int owner)
{
	return series_marks[owner % (int)(sizeof series_marks - 1)];
}

static void text_markers(grid *g, const mapping *m, const plot *p, int top, int left, int cols)
{
	size_t room = (size_t)(cols / 6 > 1 ? cols / 6 : 1);
	size_t stride = p->n <= (size_t)cols / 4 ? 1 : (p->n + room - 1) / room;
	for (size_t k = 0; k < p->nseries; k++) {
		const plot_series *s = &p->series[k];
		char mark = series_mark((int)k);
		for (size_t i = (k * stride) / (p->nseries ? p->nseries : 1) % stride; i < p->n; i += stride) {
			if (!isfinite(s->y[i]) || !isfinite(p->x[i]))
				continue;
			double x = map_x(m, p->x[i]), y = map_y(m, s->y[i]);
			if (!(x >= -0.5 && x <= m->dw - 0.5 && y >= -0.5 && y <= m->dh - 0.5))
				continue;
			grid_put(g, top + (int)lround(y) / 4, left + (int)lround(x) / 2, &mark, 1, (int)k);
		}
	}
}

/* UTF-8 of the braille pattern U+2800 + bits. */
static void braille_utf8(uint8_t bits, char out[4])
{
	unsigned cp = 0x2800u + bits;
	out[0] = (char)(0xE0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	out[3] = '\0';
}

/* The legend's sample of a style, 3 cells wide. */
static void legend_sample(grid *g, int row, int col, enum plot_style style, bool ascii, int owner)
{
	if (ascii) {
		char c = ascii_mark(owner);
		const char *pat = style == PLOT_POINTS ? " x " : style == PLOT_DASHED ? "xx " :
		                  style == PLOT_DOTTED ? "x x" : "xxx";
		for (int i = 0; i < 3; i++)
			grid_put(g, row, col + i, pat[i] == 'x' ? &c : " ", 1, owner);
		return;
	}
	/* dots on the second row: 0x12 both columns, 0x02 the left one */
	static const uint8_t line[3] = { 0x12, 0x12, 0x12 }, dashed[3] = { 0x12, 0x02, 0x00 },
	                     dotted[3] = { 0x02, 0x02, 0x02 }, points[3] = { 0x00, 0x36, 0x00 };
	const uint8_t *pat = style == PLOT_POINTS ? points : style == PLOT_DASHED ? dashed :
	                     style == PLOT_DOTTED ? dotted : line;
	for (int i = 0; i < 3; i++) {
		char ch[4];
		braille_utf8(pat[i], ch);
		grid_put(g, row, col + i, pat[i] ? ch : " ", pat[i] ? 3 : 1, owner);
	}
	if (owner >= 0) {              /* the series' own glyph (text_markers) */
		char mark = series_mark(owner);
		grid_put(g, row, col + 1, &mark, 1, owner);
	}
}

typedef struct legend_entry {
	const char *name;
	enum plot_style style;
	int owner;
} legend_entry;

/* Places the legend entries in rows of at most width columns; returns the
 * rows needed (and draws them when g is not NULL). */
static int legend_layout(const legend_entry *le, size_t n, int width, grid *g, int top, bool ascii)
{
	int row = 0, col = 0;
	for (size_t i = 0; i < n; i++) {
		int name_cols = (int)text_columns(le[i].name);
		if (name_cols > width - 4)
			name_cols = width - 4;
		int need = 4 + name_cols;
		if (col > 0 && col + 3 + need > width) {
			row++;
			col = 0;
		} else if (col > 0) {
			col += 3;
		}
		if (g) {
			legend_sample(g, top + row, col, le[i].style, ascii, le[i].owner);
			grid_text(g, top + row, col + 4, le[i].name, name_cols, ascii, OWNER_NONE);
		}
		col += need;
	}
	return n ? row + 1 : 0;
}

/* The palette entry of an owner: a series' chosen colour or its own. */
static int owner_colour(const plot *p, int owner)
{
	if (owner < 0)
		return owner;
	int c = p->series[owner].colour;
	return (c >= 0 ? c : owner) % PLOT_PALETTE;
}

static void emit_grid(const plot *p, const grid *g, bool colour, sbuf *b)
{
	for (int r = 0; r < g->h; r++) {
		int current = OWNER_NONE;
		for (int c = 0; c < g->w; c++) {
			const cell *cl = &g->c[(size_t)r * g->w + c];
			int want = cl->s[0] == ' ' ? OWNER_NONE : owner_colour(p, cl->owner);
			if (colour && want != current) {
				if (current != OWNER_NONE)
					sb_puts(b, "\033[0m");
				if (want == OWNER_REF)
					sb_puts(b, "\033[90m");
				else if (want >= 0)
					sb_printf(b, "\033[%dm", ansi_colours[want]);
				current = want;
			}
			sb_puts(b, cl->s);
		}
		if (colour && current != OWNER_NONE)
			sb_puts(b, "\033[0m");
		sb_puts(b, "\n");
	}
}

void plot_text_defaults(plot_text_opts *o)
{
	o->width = 72;
	o->height = 20;
	o->ascii = !plot_locale_utf8();
	o->colour = false;
}

static bool contains_utf8(const char *v)
{
	for (const char *s = v; *s; s++)
		if ((s[0] == 'u' || s[0] == 'U') && (s[1] == 't' || s[1] == 'T') &&
		    (s[2] == 'f' || s[2] == 'F') && (s[3] == '8' || (s[3] == '-' && s[4] == '8')))
			return true;
	return false;
}

bool plot_locale_utf8(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return contains_utf8(v);
	}
	return false;
}

/* The frame of the plot area: axis lines, tick marks and tick labels. */
static void text_axes(grid *g, const axis *ax, const axis *ay, int top, int left, int cols,
                      int rows, const canvas *cv, bool ascii)
{
	const char *vline = ascii ? "|" : "\xe2\x94\x82", *ytick = ascii ? "+" : "\xe2\x94\xa4";
	const char *hline = ascii ? "-" : "\xe2\x94\x80", *xtick = ascii ? "+" : "\xe2\x94\xac";
	const char *corner = ascii ? "+" : "\xe2\x94\x94";
	size_t vl = strlen(vline), hl = strlen(hline);
	for (int r = 0; r < rows; r++)
		grid_put(g, top + r, left - 1, vline, vl, OWNER_NONE);
	grid_put(g, top + rows, left - 1, corner, strlen(corner), OWNER_NONE);
	for (int c = 0; c < cols; c++)
		grid_put(g, top + rows, left + c, hline, hl, OWNER_NONE);
	int dots_per_row = ascii ? 1 : 4, dots_per_col = ascii ? 1 : 2;
	int last_row = -1;
	for (int i = ay->nticks - 1; i >= 0; i--) {
		double f = (ay->tick[i] - ay->lo) / (ay->hi - ay->lo);
		int r = (int)lround((1 - f) * (cv->dh - 1)) / dots_per_row;
		if (r < 0 || r >= rows || r == last_row)
			continue;
		last_row = r;
		grid_put(g, top + r, left - 1, ytick, strlen(ytick), OWNER_NONE);
		int w = (int)strlen(ay->label[i]);
		grid_text(g, top + r, left - 1 - w, ay->label[i], w, ascii, OWNER_NONE);
	}
	int free_from = 0;
	for (int i = 0; i < ax->nticks; i++) {
		double f = (ax->tick[i] - ax->lo) / (ax->hi - ax->lo);
		int c = (int)lround(f * (cv->dw - 1)) / dots_per_col;
		if (c < 0 || c >= cols)
			continue;
		grid_put(g, top + rows, left + c, xtick, strlen(xtick), OWNER_NONE);
		int w = (int)strlen(ax->label[i]);
		int start = left + c - w / 2;
		if (start + w > g->w)
			start = g->w - w;
		if (start < free_from)
			continue;
		grid_text(g, top + rows + 1, start, ax->label[i], w, ascii, OWNER_NONE);
		free_from = start + w + 1;
	}
}

/* Draws the canvas's dots into the grid at (top, left). */
static void canvas_blit(const canvas *cv, grid *g, int top, int left)
{
	for (int r = 0; r < cv->rows; r++)
		for (int c = 0; c < cv->cols; c++) {
			size_t i = (size_t)r * cv->cols + c;
			if (cv->ascii) {
				if (cv->mark[i])
					grid_put(g, top + r, left + c, &cv->mark[i], 1, cv->owner[i]);
			} else if (cv->bits[i]) {
				char ch[4];
				braille_utf8(cv->bits[i], ch);
				grid_put(g, top + r, left + c, ch, 3, cv->owner[i]);
			}
		}
}

static int text_header(grid *g, const plot *p, bool ascii)
{
	if (!p->title && !p->ylabel)
		return 0;
	int used = 0;
	if (p->ylabel)
		used = grid_text(g, 0, 0, p->ylabel, g->w, ascii, OWNER_NONE);
	if (p->title) {
		int w = (int)text_columns(p->title);
		int start = (g->w - w) / 2;
		if (start < used + 2)
			start = used ? used + 2 : 0;
		int room = g->w - start;
		if (w <= room) {
			grid_text(g, 0, start, p->title, room, ascii, OWNER_NONE);
		} else if (room > 4) {      /* cut, and say so */
			grid_text(g, 0, start, p->title, room - 1, ascii, OWNER_NONE);
			grid_put(g, 0, g->w - 1, ascii ? "~" : "\xe2\x80\xa6", ascii ? 1 : 3, OWNER_NONE);
		}
	}
	return 1;
}

char *plot_text(const plot *p, const plot_text_opts *o, rl_err *e)
{
	if (plot_check(p, e) < 0)
		return NULL;
	int W = o->width, H = o->height;
	if (W < PLOT_TEXT_MIN_WIDTH || W > PLOT_TEXT_MAX || H < PLOT_TEXT_MIN_HEIGHT || H > PLOT_TEXT_MAX) {
		rl_fail(e, "a text plot needs a width in [%d, %d] and a height in [%d, %d] characters, "
		        "got %d x %d", PLOT_TEXT_MIN_WIDTH, PLOT_TEXT_MAX, PLOT_TEXT_MIN_HEIGHT,
		        PLOT_TEXT_MAX, W, H);
		return NULL;
	}
	size_t nle = p->nseries + p->nrefs;
	legend_entry *le = calloc(nle, sizeof *le);
	grid g = { W, H, calloc((size_t)W * H, sizeof(cell)) };
	canvas cv = { 0 };
	sbuf b = { 0 };
	char *out = NULL;
	if (!le || !g.c) {
		rl_fail(e, "out of memory while drawing the plot");
		goto done;
	}
	size_t n = 0;
	for (size_t k = 0; k < p->nseries; k++)
		le[n++] = (legend_entry){ p->series[k].name, p->series[k].style, (int)k };
	for (size_t i = 0; i < p->nrefs; i++)
		if (p->refs[i].label)
			le[n++] = (legend_entry){ p->refs[i].label, PLOT_DOTTED, OWNER_REF };
	int legend_rows = legend_layout(le, n, W, NULL, 0, o->ascii);
	int header = (p->title || p->ylabel) ? 1 : 0, xlab = p->xlabel ? 1 : 0;
	int rows = H - header - 2 - xlab - legend_rows;
	if (rows < 3) {
		rl_fail(e, "a text plot of height %d has no room for its legend (%d lines); "
		        "give a height of at least %d", H, legend_rows, H - rows + 3);
		goto done;
	}
	for (size_t i = 0; i < (size_t)W * H; i++) {
		g.c[i].s[0] = ' ';
		g.c[i].owner = OWNER_NONE;
	}
	axis ax, ay;
	int ytarget = rows / 3 < 2 ? 2 : rows / 3 > 8 ? 8 : rows / 3;
	/* the x tick count depends on the plot width, itself on the y labels */
	setup_axes(p, &ax, &ay, 6, ytarget);
	int label_w = 1;
	for (int i = 0; i < ay.nticks; i++)
		if ((int)strlen(ay.label[i]) > label_w)
			label_w = (int)strlen(ay.label[i]);
	int left = label_w + 1, cols = W - left - 2;
	if (cols < 8) {
		rl_fail(e, "a text plot of width %d has no room beside its y labels; give a width of "
		        "at least %d", W, left + 10);
		goto done;
	}
	int xtarget = cols / 12 < 2 ? 2 : cols / 12 > 10 ? 10 : cols / 12;
	setup_axes(p, &ax, &ay, xtarget, ytarget);

	cv.cols = cols;
	cv.rows = rows;
	cv.ascii = o->ascii;
	cv.dw = o->ascii ? cols : cols * 2;
	cv.dh = o->ascii ? rows : rows * 4;
	cv.bits = calloc((size_t)cols * rows, 1);
	cv.mark = calloc((size_t)cols * rows, 1);
	cv.owner = calloc((size_t)cols * rows, sizeof(int));
	if (!cv.bits || !cv.mark || !cv.owner) {
		rl_fail(e, "out of memory while drawing the plot");
		goto done;
	}
	mapping m = { &ax, &ay, cv.dw, cv.dh };
	canvas_refs(&cv, &m, p);
	for (size_t k = 0; k < p->nseries; k++)
		canvas_series(&cv, &m, p, k);

	text_header(&g, p, o->ascii);
	canvas_blit(&cv, &g, header, left);
	if (!o->ascii)
		text_markers(&g, &m, p, header, left, cols);
	text_axes(&g, &ax, &ay, header, left, cols, rows, &cv, o->ascii);
	if (p->xlabel) {
		int w = (int)text_columns(p->xlabel);
		int start = left + (cols - w) / 2;
		if (start < 0)
			start = 0;
		grid_text(&g, header + rows + 2, start, p->xlabel, W - start, o->ascii, OWNER_NONE);
	}
	legend_layout(le, n, W, &g, header + rows + 2 + xlab, o->ascii);
	emit_grid(p, &g, o->colour, &b);
	out = sb_finish(&b, e);
done:
	free(le);
	free(g.c);
	free(cv.bits);
	free(cv.mark);
	free(cv.owner);
	return out;
}


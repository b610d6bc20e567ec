/* plot.c: the line-plot renderer behind plot.lines: axis ranges and ticks
 * (linear or log10), then three back ends over the same model: a terminal
 * canvas in Unicode braille (or ASCII), a standalone SVG document and CSV.
 * Positions on a log axis are computed from log10 of the value, so values
 * down to the smallest subnormal plot as well as 0.5 does. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "view/plot.h"
#include "relush/csv.h"
#include "relush/files.h"

/* ---- a growable string ----------------------------------------------------- */

typedef struct sbuf {
	char *s;
	size_t len, cap;
	bool failed;
} sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *ns = realloc(b->s, cap);
		if (!ns) {
			b->failed = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof small) {
		sb_putn(b, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		b->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_putn(b, big, (size_t)n);
	free(big);
}

/* Hands the string over, or frees it and fails when memory ran out. */
static char *sb_finish(sbuf *b, rl_err *e)
{
	if (b->failed || b->s == NULL) {
		free(b->s);
		rl_fail(e, "out of memory while drawing the plot");
		return NULL;
	}
	return b->s;
}

/* ---- building ------------------------------------------------------------- */

static char *dup_or_null(const char *s, bool *failed)
{
	if (s == NULL)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*failed = true;
	return d;
}

static double *dup_values(const double *v, size_t n)
{
	double *d = malloc(n * sizeof *d);
	if (d)
		memcpy(d, v, n * sizeof *d);
	return d;
}

plot *plot_new(const double *x, size_t n, rl_err *e)
{
	if (n < 1) {
		rl_fail(e, "a plot needs at least one x value");
		return NULL;
	}
	if (n > SIZE_MAX / sizeof(double) / 4) {
		rl_fail(e, "a plot of %zu points is too large", n);
		return NULL;
	}
	plot *p = calloc(1, sizeof *p);
	if (!p || !(p->x = dup_values(x, n))) {
		free(p);
		rl_fail(e, "out of memory for a plot of %zu points", n);
		return NULL;
	}
	p->n = n;
	p->xmin = p->xmax = p->ymin = p->ymax = NAN;
	return p;
}

void plot_free(plot *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nseries; i++) {
		free(p->series[i].name);
		free(p->series[i].y);
		free(p->series[i].lo);
		free(p->series[i].hi);
	}
	for (size_t i = 0; i < p->nrefs; i++)
		free(p->refs[i].label);
	free(p->series);
	free(p->refs);
	free(p->x);
	free(p->title);
	free(p->xlabel);
	free(p->ylabel);
	free(p);
}

int plot_set_labels(plot *p, const char *title, const char *xlabel, const char *ylabel, rl_err *e)
{
	bool failed = false;
	char *t = dup_or_null(title, &failed);
	char *x = dup_or_null(xlabel, &failed);
	char *y = dup_or_null(ylabel, &failed);
	if (failed) {
		free(t);
		free(x);
		free(y);
		return rl_fail(e, "out of memory for the plot's labels");
	}
	free(p->title);
	free(p->xlabel);
	free(p->ylabel);
	p->title = t;
	p->xlabel = x;
	p->ylabel = y;
	return 0;
}

int plot_add_series(plot *p, const char *name, const double *y, const double *lo,
                    const double *hi, enum plot_style style, rl_err *e)
{
	if ((lo == NULL) != (hi == NULL))
		return rl_fail(e, "a series' error band needs both lo and hi, or neither");
	plot_series *grown = realloc(p->series, (p->nseries + 1) * sizeof *grown);
	if (!grown)
		return rl_fail(e, "out of memory for a plot series");
	p->series = grown;
	plot_series *s = &p->series[p->nseries];
	memset(s, 0, sizeof *s);
	bool failed = false;
	char fallback[32];
	if (name == NULL) {
		snprintf(fallback, sizeof fallback, "series %zu", p->nseries + 1);
		name = fallback;
	}
	s->name = dup_or_null(name, &failed);
	s->y = dup_values(y, p->n);
	if (lo) {
		s->lo = dup_values(lo, p->n);
		s->hi = dup_values(hi, p->n);
	}
	s->style = style;
	s->colour = -1;
	if (failed || !s->y || (lo && (!s->lo || !s->hi))) {
		free(s->name);
		free(s->y);
		free(s->lo);
		free(s->hi);
		return rl_fail(e, "out of memory for a plot series");
	}
	return (int)p->nseries++;
}

int plot_add_ref(plot *p, const char *label, double value, bool vertical, rl_err *e)
{
	plot_ref *grown = realloc(p->refs, (p->nrefs + 1) * sizeof *grown);
	if (!grown)
		return rl_fail(e, "out of memory for a reference line");
	p->refs = grown;
	bool failed = false;
	plot_ref *r = &p->refs[p->nrefs];
	r->label = dup_or_null(label, &failed);
	r->value = value;
	r->vertical = vertical;
	if (failed)
		return rl_fail(e, "out of memory for a reference line");
	p->nrefs++;
	return 0;
}

/* ---- checks ----------------------------------------------------------------- */

static int check_values(const plot *p, const plot_series *s, const double *v, const char *field,
                        size_t *count, rl_err *e)
{
	for (size_t i = 0; i < p->n; i++) {
		if (isnan(v[i]))
			continue;
		if (!isfinite(v[i]))
			return rl_fail(e, "series '%s': %s[%zu] is %g; values must be finite numbers "
			               "(NaN, 0/0, leaves a gap)", s->name, field, i + 1, v[i]);
		if (p->logy && v[i] <= 0)
			return rl_fail(e, "series '%s': %s[%zu] is %g; a log y axis needs values > 0 "
			               "(NaN, 0/0, leaves a gap)", s->name, field, i + 1, v[i]);
		(*count)++;
	}
	return 0;
}

static int check_limit(double v, bool log, const char *name, rl_err *e)
{
	if (isnan(v))
		return 0;
	if (!isfinite(v))
		return rl_fail(e, "the axis limit %s is %g; limits must be finite numbers", name, v);
	if (log && v <= 0)
		return rl_fail(e, "the axis limit %s is %g; a log axis needs limits > 0", name, v);
	return 0;
}

int plot_check(const plot *p, rl_err *e)
{
	if (p->nseries == 0)
		return rl_fail(e, "a plot needs at least one series");
	for (size_t i = 0; i < p->n; i++) {
		if (!isfinite(p->x[i]))
			return rl_fail(e, "x[%zu] is %g; x values must be finite numbers", i + 1, p->x[i]);
		if (p->logx && p->x[i] <= 0)
			return rl_fail(e, "x[%zu] is %g; a log x axis needs values > 0", i + 1, p->x[i]);
	}
	for (size_t k = 0; k < p->nseries; k++) {
		const plot_series *s = &p->series[k];
		size_t count = 0, band = 0;
		if (check_values(p, s, s->y, "y", &count, e) < 0)
			return -1;
		if (count == 0)
			return rl_fail(e, "series '%s' has no values: every y is NaN", s->name);
		if (s->lo) {
			if (check_values(p, s, s->lo, "lo", &band, e) < 0 ||
			    check_values(p, s, s->hi, "hi", &band, e) < 0)
				return -1;
			for (size_t i = 0; i < p->n; i++)
				if (s->lo[i] > s->hi[i])
					return rl_fail(e, "series '%s': lo[%zu] = %g is above hi[%zu] = %g",
					               s->name, i + 1, s->lo[i], i + 1, s->hi[i]);
		}
	}
	for (size_t i = 0; i < p->nrefs; i++) {
		const plot_ref *r = &p->refs[i];
		bool log = r->vertical ? p->logx : p->logy;
		if (!isfinite(r->value) || (log && r->value <= 0))
			return rl_fail(e, "reference line %zu is at %g; it needs a finite value%s", i + 1,
			               r->value, log ? " > 0 on a log axis" : "");
	}
	if (check_limit(p->xmin, p->logx, "xmin", e) || check_limit(p->xmax, p->logx, "xmax", e) ||
	    check_limit(p->ymin, p->logy, "ymin", e) || check_limit(p->ymax, p->logy, "ymax", e))
		return -1;
	if (p->xmin >= p->xmax)
		return rl_fail(e, "xmin (%g) must be below xmax (%g)", p->xmin, p->xmax);
	if (p->ymin >= p->ymax)
		return rl_fail(e, "ymin (%g) must be below ymax (%g)", p->ymin, p->ymax);
	return 0;
}

/* ---- axes ------------------------------------------------------------------- */

#define MAX_TICKS 64

typedef struct axis {
	bool log;
	double lo, hi;               /* in axis units: the value, or log10 of it */
	int nticks;
	double tick[MAX_TICKS];      /* axis units */
	char label[MAX_TICKS][48];
} axis;

static double unit_of(bool log, double v) { return log ? log10(v) : v; }

/* Where v falls on the axis, 0 at lo and 1 at hi. */
static double axis_frac(const axis *a, double v)
{
	return (unit_of(a->log, v) - a->lo) / (a->hi - a->lo);
}

static void widen(double *lo, double *hi, const double *v, size_t n, bool log)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		double u = unit_of(log, v[i]);
		if (u < *lo)
			*lo = u;
		if (u > *hi)
			*hi = u;
	}
}

/* "1e-300", "2e6": a compact exponent form for labels. */
static void label_compact(char *buf, size_t len, double v)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%.4g", v);
	char *ex = strchr(tmp, 'e');
	if (!ex) {
		snprintf(buf, len, "%s", tmp);
		return;
	}
	*ex = '\0';
	int exponent = atoi(ex + 1);
	snprintf(buf, len, "%se%d", tmp, exponent);
}

static void label_linear(char *buf, size_t len, double v, double step, double biggest)
{
	if (fabs(v) < step * 1e-9)
		v = 0;
	if (biggest >= 1e6 || (step < 1e-4 && v != 0)) {
		label_compact(buf, len, v);
		return;
	}
	int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
	snprintf(buf, len, "%.*f", decimals, v);
}

/* m * 10^k as a label: plain decimals near 1, exponent form elsewhere. */
static void label_power(char *buf, size_t len, int m, int k)
{
	if (k >= -4 && k <= 4) {
		if (k >= 0)
			snprintf(buf, len, "%.0f", m * pow(10, k));
		else
			snprintf(buf, len, "%.*f", -k, m * pow(10, k));
	} else {
		snprintf(buf, len, "%de%d", m, k);
	}
}

static double nice_step(double range, int target)
{
	double raw = range / (target > 0 ? target : 1);
	double mag = pow(10, floor(log10(raw)));
	double f = raw / mag;
	double nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
	return nf * mag;
}

static void ticks_linear(axis *a, bool auto_lo, bool auto_hi, int target)
{
	double step = nice_step(a->hi - a->lo, target);
	if (auto_lo)
		a->lo = floor(a->lo / step + 1e-9) * step;
	if (auto_hi)
		a->hi = ceil(a->hi / step - 1e-9) * step;
	double biggest = fmax(fabs(a->lo), fabs(a->hi));
	double first = ceil(a->lo / step - 1e-9), last = floor(a->hi / step + 1e-9);
	a->nticks = 0;
	for (double i = first; i <= last && a->nticks < MAX_TICKS; i++) {
		double t = i * step;
		a->tick[a->nticks] = t;
		label_linear(a->label[a->nticks], sizeof a->label[0], t, step, biggest);
		a->nticks++;
	}
}

/* Linear ticks on the values of a short log axis (less than a decade
 * between user limits), placed at their log positions. */
static void ticks_log_by_value(axis *a, int target)
{
	double vlo = pow(10, a->lo), vhi = pow(10, a->hi);
	double step = nice_step(vhi - vlo, target);
	a->nticks = 0;
	for (double i = ceil(vlo / step - 1e-9); i * step <= vhi * (1 + 1e-12) && a->nticks < MAX_TICKS; i++) {
		if (i * step <= 0)
			continue;
		a->tick[a->nticks] = log10(i * step);
		label_linear(a->label[a->nticks], sizeof a->label[0], i * step, step, vhi);
		a->nticks++;
	}
}

static void ticks_log(axis *a, bool auto_lo, bool auto_hi, int target)
{
	if (auto_lo)
		a->lo = floor(a->lo + 1e-9);
	if (auto_hi)
		a->hi = ceil(a->hi - 1e-9);
	if (a->hi - a->lo < 1e-9)
		a->hi = a->lo + 1;
	double decades = a->hi - a->lo;
	a->nticks = 0;
	if (decades <= 2 + 1e-9) {
		static const int mantissa[] = { 1, 2, 5 };
		for (int k = (int)floor(a->lo) - 1; k <= (int)ceil(a->hi); k++)
			for (int j = 0; j < 3 && a->nticks < MAX_TICKS; j++) {
				double u = log10(mantissa[j]) + k;
				if (u < a->lo - 1e-9 || u > a->hi + 1e-9)
					continue;
				a->tick[a->nticks] = u;
				label_power(a->label[a->nticks], sizeof a->label[0], mantissa[j], k);
				a->nticks++;
			}
		if (a->nticks < 2)
			ticks_log_by_value(a, target);
		return;
	}
	static const int steps[] = { 1, 2, 3, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000 };
	int step = steps[sizeof steps / sizeof steps[0] - 1];
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (decades / steps[i] <= target) {
			step = steps[i];
			break;
		}
	int first = (int)ceil(a->lo - 1e-9), last = (int)floor(a->hi + 1e-9);
	for (int k = first; k <= last && a->nticks < MAX_TICKS; k++) {
		if (((k % step) + step) % step != 0)
			continue;
		a->tick[a->nticks] = k;
		label_power(a->label[a->nticks], sizeof a->label[0], 1, k);
		a->nticks++;
	}
}

/* Sets up an axis over the data range [dlo, dhi] (axis units; +-inf when
 * no data), with the user's limits umin/umax (values; NaN: automatic).
 * extend: round automatic limits out to ticks (y axes); x axes stay tight
 * so a depth sweep to 64 does not end at 100. */
static void axis_setup(axis *a, bool log, double dlo, double dhi, double umin, double umax,
                       int target, bool extend)
{
	bool auto_lo = isnan(umin), auto_hi = isnan(umax);
	a->log = log;
	a->lo = auto_lo ? dlo : unit_of(log, umin);
	a->hi = auto_hi ? dhi : unit_of(log, umax);
	if (!isfinite(a->lo) && !isfinite(a->hi))
		a->lo = a->hi = log ? 0 : 0;
	else if (!isfinite(a->lo))
		a->lo = a->hi;
	else if (!isfinite(a->hi))
		a->hi = a->lo;
	if (a->hi - a->lo <= 1e-12 * fmax(1, fabs(a->lo))) {
		double d = log ? 0.5 : (a->lo == 0 ? 1 : fabs(a->lo) * 0.1);
		if (auto_lo || !auto_hi)
			a->lo -= auto_lo ? d : 0;
		if (auto_hi)
			a->hi += d;
		if (a->hi <= a->lo)
			a->lo = a->hi - 2 * d;
	}
	if (log)
		ticks_log(a, auto_lo && extend, auto_hi && extend, target);
	else
		ticks_linear(a, auto_lo && extend, auto_hi && extend, target);
}

static void setup_axes(const plot *p, axis *ax, axis *ay, int xtarget, int ytarget)
{
	double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
	widen(&xlo, &xhi, p->x, p->n, p->logx);
	for (size_t k = 0; k < p->nseries; k++) {
		widen(&ylo, &yhi, p->series[k].y, p->n, p->logy);
		widen(&ylo, &yhi, p->series[k].lo, p->n, p->logy);
		widen(&ylo, &yhi, p->series[k].hi, p->n, p->logy);
	}
	for (size_t i = 0; i < p->nrefs; i++) {
		if (p->refs[i].vertical)
			widen(&xlo, &xhi, &p->refs[i].value, 1, p->logx);
		else
			widen(&ylo, &yhi, &p->refs[i].value, 1, p->logy);
	}
	axis_setup(ax, p->logx, xlo, xhi, p->xmin, p->xmax, xtarget, false);
	axis_setup(ay, p->logy, ylo, yhi, p->ymin, p->ymax, ytarget, true);
}

/* ---- text helpers ----------------------------------------------------------- */

/* Length of the UTF-8 sequence starting with byte c (1 for stray bytes). */
static size_t utf8_seq_len(unsigned char c)
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
static size_t text_columns(const char *s)
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

/* ---- SVG back end ---------------------------------------------------------------- */

static const char *const svg_colours[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
};

static const char *svg_colour(const plot *p, size_t k)
{
	int c = p->series[k].colour;
	return svg_colours[(c >= 0 ? (size_t)c : k) % PLOT_PALETTE];
}

static void xml_text(sbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': sb_puts(b, "&amp;"); break;
		case '<': sb_puts(b, "&lt;"); break;
		case '>': sb_puts(b, "&gt;"); break;
		case '"': sb_puts(b, "&quot;"); break;
		default:
			/* control characters are not allowed in XML 1.0 */
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
				sb_puts(b, " ");
			else
				sb_putn(b, s, 1);
		}
	}
}

/* At most max code points of s, with "..." when cut, XML-escaped. */
static void xml_text_cut(sbuf *b, const char *s, size_t max)
{
	if (text_columns(s) <= max) {
		xml_text(b, s);
		return;
	}
	size_t bytes = 0, cols = 0;
	while (s[bytes] && cols + 1 < max) {
		bytes += strnlen(s + bytes, utf8_seq_len((unsigned char)s[bytes]));
		cols++;
	}
	char *cut = strndup(s, bytes);
	if (!cut) {
		b->failed = true;
		return;
	}
	xml_text(b, cut);
	sb_puts(b, "\xe2\x80\xa6");
	free(cut);
}

void plot_svg_defaults(plot_svg_opts *o)
{
	o->width = 760;
	o->height = 460;
}

typedef struct svg_frame {
	double left, top, w, h;
	const axis *ax, *ay;
} svg_frame;

static double clamp_px(double v) { return v < -1e5 ? -1e5 : v > 1e5 ? 1e5 : v; }
static double svg_x(const svg_frame *f, double v) { return clamp_px(f->left + axis_frac(f->ax, v) * f->w); }
static double svg_y(const svg_frame *f, double v) { return clamp_px(f->top + (1 - axis_frac(f->ay, v)) * f->h); }

static const char *svg_dash(enum plot_style s)
{
	return s == PLOT_DASHED ? " stroke-dasharray=\"7 4\"" : s == PLOT_DOTTED ? " stroke-dasharray=\"2 3\"" : "";
}

/* The band between lo and hi, one closed path per run without NaN. */
static void svg_band(sbuf *b, const svg_frame *f, const plot *p, const plot_series *s, size_t k)
{
	size_t i = 0;
	while (i < p->n) {
		while (i < p->n && (isnan(s->lo[i]) || isnan(s->hi[i])))
			i++;
		size_t start = i;
		while (i < p->n && !isnan(s->lo[i]) && !isnan(s->hi[i]))
			i++;
		if (i - start < 2)
			continue;
		sb_printf(b, "<path class=\"band\" fill=\"%s\" fill-opacity=\"0.18\" stroke=\"none\" d=\"",
		          svg_colour(p, k));
		for (size_t j = start; j < i; j++)
			sb_printf(b, "%s%.2f %.2f ", j == start ? "M" : "L", svg_x(f, p->x[j]), svg_y(f, s->hi[j]));
		for (size_t j = i; j-- > start;)
			sb_printf(b, "L%.2f %.2f ", svg_x(f, p->x[j]), svg_y(f, s->lo[j]));
		sb_puts(b, "Z\"/>\n");
	}
}

static void svg_series(sbuf *b, const svg_frame *f, const plot *p, size_t k)
{
	const plot_series *s = &p->series[k];
	const char *col = svg_colour(p, k);
	sb_puts(b, "<g class=\"series\" data-name=\"");
	xml_text(b, s->name);
	sb_puts(b, "\">\n");
	if (s->lo && s->style != PLOT_POINTS)
		svg_band(b, f, p, s, k);
	if (s->lo && s->style == PLOT_POINTS) {
		sb_printf(b, "<g class=\"errorbars\" stroke=\"%s\" stroke-width=\"1.3\">\n", col);
		for (size_t i = 0; i < p->n; i++) {
			if (isnan(s->lo[i]) || isnan(s->hi[i]))
				continue;
			double x = svg_x(f, p->x[i]), y0 = svg_y(f, s->lo[i]), y1 = svg_y(f, s->hi[i]);
			sb_printf(b, "<path d=\"M%.2f %.2fL%.2f %.2fM%.2f %.2fL%.2f %.2fM%.2f %.2fL%.2f %.2f\"/>\n",
			          x, y0, x, y1, x - 3, y0, x + 3, y0, x - 3, y1, x + 3, y1);
		}
		sb_puts(b, "</g>\n");
	}
	if (s->style == PLOT_POINTS) {
		sb_printf(b, "<g class=\"points\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"0.8\">\n", col);
		for (size_t i = 0; i < p->n; i++)
			if (!isnan(s->y[i]))
				sb_printf(b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3.6\"/>\n",
				          svg_x(f, p->x[i]), svg_y(f, s->y[i]));
		sb_puts(b, "</g>\n");
	} else {
		sb_printf(b, "<path class=\"line\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
		          "stroke-linejoin=\"round\" stroke-linecap=\"round\"%s d=\"", col, svg_dash(s->style));
		bool have = false;
		for (size_t i = 0; i < p->n; i++) {
			if (isnan(s->y[i])) {
				have = false;
				continue;
			}
			sb_printf(b, "%s%.2f %.2f ", have ? "L" : "M", svg_x(f, p->x[i]), svg_y(f, s->y[i]));
			have = true;
		}
		sb_puts(b, "\"/>\n");
		for (size_t i = 0; i < p->n; i++)      /* isolated values stay visible */
			if (!isnan(s->y[i]) && (i == 0 || isnan(s->y[i - 1])) && (i + 1 == p->n || isnan(s->y[i + 1])))
				sb_printf(b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"%s\"/>\n",
				          svg_x(f, p->x[i]), svg_y(f, s->y[i]), col);
	}
	sb_puts(b, "</g>\n");
}

static void svg_axes(sbuf *b, const svg_frame *f)
{
	const axis *ax = f->ax, *ay = f->ay;
	sb_puts(b, "<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">\n");
	for (int i = 0; i < ax->nticks; i++) {
		double x = f->left + (ax->tick[i] - ax->lo) / (ax->hi - ax->lo) * f->w;
		sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", x, f->top, x, f->top + f->h);
	}
	for (int i = 0; i < ay->nticks; i++) {
		double y = f->top + (1 - (ay->tick[i] - ay->lo) / (ay->hi - ay->lo)) * f->h;
		sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", f->left, y, f->left + f->w, y);
	}
	sb_puts(b, "</g>\n");
}

static void svg_ticks(sbuf *b, const svg_frame *f)
{
	const axis *ax = f->ax, *ay = f->ay;
	sb_printf(b, "<g class=\"axes\" stroke=\"#333333\" stroke-width=\"1\">\n"
	          "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\"/>\n",
	          f->left, f->top, f->w, f->h);
	double bottom = f->top + f->h;
	for (int i = 0; i < ax->nticks; i++) {
		double x = f->left + (ax->tick[i] - ax->lo) / (ax->hi - ax->lo) * f->w;
		sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", x, bottom, x, bottom + 5);
	}
	for (int i = 0; i < ay->nticks; i++) {
		double y = f->top + (1 - (ay->tick[i] - ay->lo) / (ay->hi - ay->lo)) * f->h;
		sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", f->left - 5, y, f->left, y);
	}
	sb_puts(b, "</g>\n<g class=\"ticklabels\" fill=\"#333333\">\n");
	for (int i = 0; i < ax->nticks; i++) {
		double x = f->left + (ax->tick[i] - ax->lo) / (ax->hi - ax->lo) * f->w;
		sb_printf(b, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">", x, bottom + 19);
		xml_text(b, ax->label[i]);
		sb_puts(b, "</text>\n");
	}
	for (int i = 0; i < ay->nticks; i++) {
		double y = f->top + (1 - (ay->tick[i] - ay->lo) / (ay->hi - ay->lo)) * f->h;
		sb_printf(b, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">", f->left - 8, y + 4);
		xml_text(b, ay->label[i]);
		sb_puts(b, "</text>\n");
	}
	sb_puts(b, "</g>\n");
}

static void svg_refs(sbuf *b, const svg_frame *f, const plot *p)
{
	if (p->nrefs == 0)
		return;
	sb_puts(b, "<g class=\"refs\" stroke=\"#555555\" stroke-width=\"1.2\" stroke-dasharray=\"3 3\">\n");
	for (size_t i = 0; i < p->nrefs; i++) {
		const plot_ref *r = &p->refs[i];
		if (r->vertical) {
			double x = svg_x(f, r->value);
			sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", x, f->top, x, f->top + f->h);
		} else {
			double y = svg_y(f, r->value);
			sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", f->left, y, f->left + f->w, y);
		}
	}
	sb_puts(b, "</g>\n<g class=\"reflabels\" fill=\"#444444\" font-size=\"11\">\n");
	for (size_t i = 0; i < p->nrefs; i++) {
		const plot_ref *r = &p->refs[i];
		if (!r->label)
			continue;
		if (r->vertical)
			sb_printf(b, "<text x=\"%.2f\" y=\"%.2f\">", svg_x(f, r->value) + 4, f->top + 14);
		else
			sb_printf(b, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">", f->left + f->w - 4,
			          svg_y(f, r->value) - 4);
		xml_text_cut(b, r->label, 40);
		sb_puts(b, "</text>\n");
	}
	sb_puts(b, "</g>\n");
}

#define SVG_LEGEND_CHARS 34

static void svg_legend(sbuf *b, const plot *p, double x, double y, double w)
{
	double h = 10 + 20.0 * p->nseries;
	sb_printf(b, "<g class=\"legend\">\n<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
	          "fill=\"#ffffff\" stroke=\"#cccccc\"/>\n", x, y, w, h);
	for (size_t k = 0; k < p->nseries; k++) {
		const plot_series *s = &p->series[k];
		double cy = y + 15 + 20.0 * k;
		if (s->lo && s->style != PLOT_POINTS)
			sb_printf(b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"26\" height=\"10\" fill=\"%s\" "
			          "fill-opacity=\"0.18\"/>\n", x + 8, cy - 5, svg_colour(p, k));
		if (s->style == PLOT_POINTS)
			sb_printf(b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3.6\" fill=\"%s\"/>\n", x + 21, cy, svg_colour(p, k));
		else
			sb_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
			          "stroke-width=\"2\"%s/>\n", x + 8, cy, x + 34, cy, svg_colour(p, k), svg_dash(s->style));
		sb_printf(b, "<text x=\"%.2f\" y=\"%.2f\" fill=\"#222222\">", x + 42, cy + 4);
		xml_text_cut(b, s->name, SVG_LEGEND_CHARS);
		sb_puts(b, "</text>\n");
	}
	sb_puts(b, "</g>\n");
}

char *plot_svg_string(const plot *p, const plot_svg_opts *o, rl_err *e)
{
	if (plot_check(p, e) < 0)
		return NULL;
	if (o->width < 200 || o->width > 20000 || o->height < 150 || o->height > 20000) {
		rl_fail(e, "an SVG plot needs a width in [200, 20000] and a height in [150, 20000] "
		        "pixels, got %d x %d", o->width, o->height);
		return NULL;
	}
	const double char_w = 7.0;     /* a 12 px sans-serif digit, roughly */
	size_t longest = 0;
	for (size_t k = 0; k < p->nseries; k++) {
		size_t c = text_columns(p->series[k].name);
		if (c > longest)
			longest = c;
	}
	if (longest > SVG_LEGEND_CHARS)
		longest = SVG_LEGEND_CHARS;
	double legend_w = 52 + char_w * longest;
	if (legend_w > o->width / 3.0)
		legend_w = o->width / 3.0;
	double top = 18 + (p->title ? 26 : 0), bottom = 36 + (p->xlabel ? 22 : 0);
	double plot_h = o->height - top - bottom;
	axis ax, ay;
	setup_axes(p, &ax, &ay, 6, (int)fmax(2, fmin(10, plot_h / 45)));
	size_t ylab = 1;
	for (int i = 0; i < ay.nticks; i++)
		if (strlen(ay.label[i]) > ylab)
			ylab = strlen(ay.label[i]);
	double left = 16 + (p->ylabel ? 22 : 0) + char_w * ylab;
	double right = legend_w + 28;
	double plot_w = o->width - left - right;
	if (plot_w < 60) {
		rl_fail(e, "an SVG plot %d pixels wide has no room for its legend; give a larger width",
		        o->width);
		return NULL;
	}
	setup_axes(p, &ax, &ay, (int)fmax(2, fmin(12, plot_w / 80)), (int)fmax(2, fmin(10, plot_h / 45)));
	svg_frame f = { left, top, plot_w, plot_h, &ax, &ay };

	sbuf b = { 0 };
	sb_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	          "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
	          "font-size=\"12\">\n", o->width, o->height, o->width, o->height);
	if (p->title) {
		sb_puts(&b, "<title>");
		xml_text(&b, p->title);
		sb_puts(&b, "</title>\n");
	}
	sb_printf(&b, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", o->width, o->height);
	sb_printf(&b, "<defs><clipPath id=\"plot-area\"><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
	          "height=\"%.2f\"/></clipPath></defs>\n", left - 6, top - 6, plot_w + 12, plot_h + 12);
	svg_axes(&b, &f);
	svg_refs(&b, &f, p);
	sb_puts(&b, "<g clip-path=\"url(#plot-area)\">\n");
	for (size_t k = 0; k < p->nseries; k++)
		svg_series(&b, &f, p, k);
	sb_puts(&b, "</g>\n");
	svg_ticks(&b, &f);
	if (p->title) {
		/* centred on the plot area when it fits there, else on the picture;
		 * a title wider than the picture is squeezed to fit */
		double est = 8.8 * (double)text_columns(p->title), cx = left + plot_w / 2;
		if (cx - est / 2 < 8 || cx + est / 2 > o->width - 8)
			cx = o->width / 2.0;
		sb_printf(&b, "<text class=\"title\" x=\"%.2f\" y=\"24\" text-anchor=\"middle\" "
		          "font-size=\"15\" font-weight=\"bold\" fill=\"#111111\"", cx);
		if (est > o->width - 16)
			sb_printf(&b, " textLength=\"%d\" lengthAdjust=\"spacingAndGlyphs\"", o->width - 16);
		sb_puts(&b, ">");
		xml_text(&b, p->title);
		sb_puts(&b, "</text>\n");
	}
	if (p->xlabel) {
		sb_printf(&b, "<text class=\"xlabel\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" "
		          "font-size=\"13\" fill=\"#111111\">", left + plot_w / 2, top + plot_h + 48);
		xml_text(&b, p->xlabel);
		sb_puts(&b, "</text>\n");
	}
	if (p->ylabel) {
		double cx = 18, cy = top + plot_h / 2;
		sb_printf(&b, "<text class=\"ylabel\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" "
		          "font-size=\"13\" fill=\"#111111\" transform=\"rotate(-90 %.2f %.2f)\">",
		          cx, cy, cx, cy);
		xml_text(&b, p->ylabel);
		sb_puts(&b, "</text>\n");
	}
	svg_legend(&b, p, left + plot_w + 14, top, legend_w);
	sb_puts(&b, "</svg>\n");
	return sb_finish(&b, e);
}

/* ---- files ------------------------------------------------------------------------ */

/* Whole-file writes go through the engine's rl_write_atomic: a temporary
 * file renamed into place, links and devices respected. */
static int write_atomic(const char *path, const char *data, size_t len, rl_err *e)
{
	return rl_write_atomic(path, data, len, e);
}

int plot_write_svg(const plot *p, const char *path, const plot_svg_opts *o, rl_err *e)
{
	char *s = plot_svg_string(p, o, e);
	if (!s)
		return -1;
	int r = write_atomic(path, s, strlen(s), e);
	free(s);
	return r;
}

char *plot_csv_string(const plot *p, rl_err *e)
{
	if (plot_check(p, e) < 0)
		return NULL;
	rl_csv c = { 0 };
	csv_text(&c, "x", "");
	for (size_t k = 0; k < p->nseries; k++) {
		const plot_series *s = &p->series[k];
		csv_text(&c, s->name, "");
		if (s->lo) {
			csv_text(&c, s->name, "_lo");
			csv_text(&c, s->name, "_hi");
		}
	}
	csv_end_row(&c);
	for (size_t i = 0; i < p->n; i++) {
		csv_number(&c, p->x[i]);
		for (size_t k = 0; k < p->nseries; k++) {
			const plot_series *s = &p->series[k];
			csv_number(&c, s->y[i]);
			if (s->lo) {
				csv_number(&c, s->lo[i]);
				csv_number(&c, s->hi[i]);
			}
		}
		csv_end_row(&c);
	}
	return csv_finish(&c, e);
}

int plot_write_csv(const plot *p, const char *path, rl_err *e)
{
	char *s = plot_csv_string(p, e);
	if (!s)
		return -1;
	int r = write_atomic(path, s, strlen(s), e);
	free(s);
	return r;
}

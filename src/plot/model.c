/* model.c: a plot as data (plot/plot.h): building it, checking it whole
 * before any back end draws it, and writing it as SVG or CSV files. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plot/plot_impl.h"
#include "relush/csv.h"
#include "relush/files.h"

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

/* A linear axis spans its values and extends to whole tick steps: past
 * this size the span (1e308 - -1e308) or the rounded-out end overflows to
 * inf and the axis loses its scale and labels. Log axes have no limit. */
#define LINEAR_AXIS_MAX 1e307

static int check_values(const plot *p, const plot_series *s, const double *v, const char *field,
                        size_t *count, rl_err *e)
{
	for (size_t i = 0; i < p->n; i++) {
		if (isnan(v[i]))
			continue;
		if (!isfinite(v[i]))
			return rl_fail(e, "series '%s': %s[%zu] is %g; values must be finite numbers "
			               "(NaN, 0/0, leaves a gap)", s->name, field, i + 1, v[i]);
		if (!p->logy && fabs(v[i]) > LINEAR_AXIS_MAX)
			return rl_fail(e, "series '%s': %s[%zu] is %g; a linear y axis holds values within "
			               "+-1e307 (its span would overflow): use logy or scale the values",
			               s->name, field, i + 1, v[i]);
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
	if (!log && fabs(v) > LINEAR_AXIS_MAX)
		return rl_fail(e, "the axis limit %s is %g; a linear axis holds values within +-1e307", name, v);
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
		if (!p->logx && fabs(p->x[i]) > LINEAR_AXIS_MAX)
			return rl_fail(e, "x[%zu] is %g; a linear x axis holds values within +-1e307 (its span "
			               "would overflow): use logx or scale the values", i + 1, p->x[i]);
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
		if (!isfinite(r->value) || (log && r->value <= 0) || (!log && fabs(r->value) > LINEAR_AXIS_MAX))
			return rl_fail(e, "reference line %zu is at %g; it needs a finite value%s", i + 1,
			               r->value, log ? " > 0 on a log axis" : " within +-1e307 on a linear axis");
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

/* ---- files ------------------------------------------------------------------------ */

/* Whole-file writes go through the engine's rl_write_atomic: a temporary
 * file renamed into place, links and devices respected. */
int plot_write_svg(const plot *p, const char *path, const plot_svg_opts *o, rl_err *e)
{
	return rl_write_text(path, plot_svg_string(p, o, e), e);
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
	return rl_write_text(path, plot_csv_string(p, e), e);
}

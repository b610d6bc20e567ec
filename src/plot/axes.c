/* axes.c: a plot's axis ranges and ticks, linear or log10. Positions on a
 * log axis are computed from log10 of the value, so values down to the
 * smallest subnormal plot as well as 0.5 does. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plot/plot_impl.h"

/* ---- axes ------------------------------------------------------------------- */

static double unit_of(bool log, double v) { return log ? log10(v) : v; }

/* Where v falls on the axis, 0 at lo and 1 at hi. */
double axis_frac(const axis *a, double v)
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

/* "1e-300", "2e6": a compact exponent form for labels, with the
 * significant digits that tell ticks step apart: at 4 the ticks of values
 * within 1e-12 of 1 (a bound L near 1) or of counts near 10^6 were all
 * labelled "1" or "1e6". */
static void label_compact(char *buf, size_t len, double v, double step)
{
	char tmp[32];
	int sig = 4;
	if (v != 0 && step > 0) {
		int need = (int)ceil(log10(fabs(v) / step) - 1e-9) + 1;
		if (need > sig)
			sig = need > 17 ? 17 : need;
	}
	snprintf(tmp, sizeof tmp, "%.*g", sig, v);
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
		label_compact(buf, len, v, step);
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

void setup_axes(const plot *p, axis *ax, axis *ay, int xtarget, int ytarget)
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


/* tap.h: a minimal TAP producer for the C unit tests. Each check prints one
 * "ok N - what" or "not ok N - what" line; tap_done() prints the plan and
 * returns the exit status. The automake TAP driver counts every line. */
#ifndef RELUSH_TAP_H
#define RELUSH_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

static inline int tap_ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%sok %d - ", cond ? "" : "not ", ++tap_count);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

/* |got - want| <= tol * max(1, |want|) would hide tiny values, so this is
 * a plain relative test: |got - want| <= rel * |want| (exact when want == 0). */
static inline int tap_rel(double got, double want, double rel, const char *what)
{
	int ok = (got == want) || fabs(got - want) <= rel * fabs(want);
	if (!ok)
		printf("# %s: got %.17g, want %.17g (rel %.3g)\n", what, got, want,
		       want != 0 ? fabs(got - want) / fabs(want) : fabs(got));
	return tap_ok(ok, "%s", what);
}

/* A statistical check: |got - want| <= k * se. */
static inline int tap_sigma(double got, double want, double se, double k, const char *what)
{
	int ok = fabs(got - want) <= k * se;
	printf("# %s: got %.6g, want %.6g, se %.3g, z %.2f\n", what, got, want, se,
	       se > 0 ? (got - want) / se : 0.0);
	return tap_ok(ok, "%s", what);
}

static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif

/* probtext.c: probabilities that would print as 1 or 0 without being 1 or
 * 0 (see relush/probtext.h for the rule). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "relush/probtext.h"

/* lead followed by v in %g, the most digits up to digits that fit len. */
static int fit(char *buf, size_t len, const char *lead, double v, int digits)
{
	for (int d = digits < 1 ? 1 : digits; d >= 1; d--) {
		int n = snprintf(buf, len, "%s%.*g", lead, d, v);
		if (n >= 0 && (size_t)n < len)
			return 1;
	}
	return 0;
}

/* What the printed text says, as a number: NAN when it is not one. */
static double reads_as(const char *text)
{
	char *end;
	double v = strtod(text, &end);
	return end == text ? NAN : v;
}

void prob_text_fix(char *buf, size_t len, double p, double gap, int digits)
{
	if (len == 0 || isnan(p))
		return;
	if (isnan(gap))
		gap = 1 - p;
	double shown = reads_as(buf);
	if (shown == 1 && gap > 0 && p <= 1) {
		/* a narrow place drops digits first, then the spaces */
		if (!fit(buf, len, "1 - ", gap, digits) && !fit(buf, len, "1-", gap, 1))
			snprintf(buf, len, "<1");
	} else if (shown == 0 && p > 0) {
		if (!fit(buf, len, "", p, digits))
			snprintf(buf, len, ">0");
	}
}

void prob_text(char *buf, size_t len, const char *fmt, double p, double gap, int digits)
{
	if (len == 0)
		return;
	snprintf(buf, len, fmt, p);
	prob_text_fix(buf, len, p, gap, digits);
}

/* test_probtext.c: the one rule for printing probabilities near 0 and 1
 * (relush/probtext.h) over a class of values, formats and widths, through
 * the core formatter and the live view's (view_fmt_prob, view_fmt_bound):
 * no value in (0, 1) prints as the text of 1 or of 0, "1 - d" carries d
 * = 1 - v to the digits shown, and exactly 1 and 0 print as themselves. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "relush/probtext.h"
#include "view/render.h"

/* The whole text is the number x (as "1", "1.0000", "0", "0.0000" are). */
static int text_is(const char *text, double x)
{
	char *end;
	double v = strtod(text, &end);
	return end != text && *end == '\0' && v == x;
}

/* d of a "1 - d" or "1-d" text; NAN when the text is not of that form. */
static double gap_of(const char *text)
{
	const char *d = strncmp(text, "1 - ", 4) == 0 ? text + 4 : strncmp(text, "1-", 2) == 0 ? text + 2 : NULL;
	if (!d)
		return NAN;
	char *end;
	double g = strtod(d, &end);
	return *end == '\0' ? g : NAN;
}

/* Significant digits of the mantissa in a %g text ("1.08e-18": 3). */
static int digits_of(const char *text)
{
	int n = 0, seen = 0;
	for (; *text && *text != 'e'; text++)
		if (*text >= '1' && *text <= '9')
			n++, seen = 1;
		else if (*text == '0' && seen)
			n++;
	return n;
}

typedef struct { double v, gap; const char *what; } value;

/* Checks one formatted text of value x (room: len - 1 columns). */
static int check(const char *text, size_t len, const value *x, const char *place, const char *fmt)
{
	double v = x->v, gap = isnan(x->gap) ? 1 - x->v : x->gap;
	int ok = strlen(text) < len;
	if (v == 0)
		ok &= text_is(text, 0);
	else if (v == 1 && !(gap > 0))
		ok &= text_is(text, 1);
	else
		ok &= !text_is(text, 1) && !text_is(text, 0);
	double d = gap_of(text);
	if (!isnan(d)) {   /* d is 1 - v rounded to the digits it shows */
		int n = digits_of(strncmp(text, "1 - ", 4) == 0 ? text + 4 : text + 2);
		ok &= fabs(d - gap) <= 0.5 * pow(10, 1 - n) * gap * (1 + 1e-12);
	}
	return tap_ok(ok, "%s %s, %zu columns: %s prints as '%s'", place, fmt, len - 1, x->what, text);
}

int main(void)
{
	/* 1 - 1e-18 is 1 as a double: its distance from 1 comes as gap, as
	 * bound_death gives it for L */
	const value values[] = {
		{1, NAN, "1"},
		{1 - 0x1p-53, NAN, "1 - 2^-53"},
		{1, 1e-18, "1 - 1e-18 (gap given)"},
		{1 - 1e-6, NAN, "1 - 1e-6"},
		{0.99995, NAN, "0.99995"},
		{1e-300, NAN, "1e-300"},
		{0, NAN, "0"},
	};
	const char *const fmts[] = {"%.4f", "%.4g", "%.6g", "%.3g", "%.2f", "%.0f", "%.4e"};
	const size_t lens[] = {8, 9, 10, 12, 32};
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		const value *x = &values[i];
		for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++)
			for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
				char buf[64];
				snprintf(buf, sizeof buf, "%s", "");
				prob_text(buf, lens[l], fmts[f], x->v, x->gap, 5);
				/* a format wider than the column is the caller's to avoid
				 * (%.4e of 1 in 7 columns): the rule only rewrites */
				char full[64];
				snprintf(full, sizeof full, fmts[f], x->v);
				if (strlen(full) < lens[l] || strncmp(buf, full, strlen(buf)) != 0)
					check(buf, lens[l], x, "prob_text", fmts[f]);
			}
		for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
			char buf[64];
			view_fmt_bound(buf, lens[l], x->v, x->gap);
			check(buf, lens[l], x, "view_fmt_bound", "");
			if (isnan(x->gap)) {
				view_fmt_prob(buf, lens[l], x->v);
				check(buf, lens[l], x, "view_fmt_prob", "");
			}
		}
	}
	/* the full form when there is room: 1 - 2^-53 keeps its digits */
	char buf[64];
	prob_text(buf, sizeof buf, "%.4f", 1 - 0x1p-53, NAN, 5);
	tap_ok(strcmp(buf, "1 - 1.1102e-16") == 0, "1 - 2^-53 at %%.4f with room prints as 1 - 1.1102e-16: '%s'", buf);
	prob_text(buf, sizeof buf, "%.4f", 1e-300, NAN, 5);
	tap_ok(strcmp(buf, "1e-300") == 0, "1e-300 at %%.4f prints as 1e-300: '%s'", buf);
	prob_text(buf, 3, "%.4f", 1 - 1e-6, NAN, 5);
	tap_ok(strcmp(buf, "<1") == 0, "1 - 1e-6 in 2 columns prints as <1: '%s'", buf);
	prob_text(buf, 3, "%.4f", 1e-300, NAN, 5);
	tap_ok(strcmp(buf, ">0") == 0, "1e-300 in 2 columns prints as >0: '%s'", buf);
	return tap_done();
}

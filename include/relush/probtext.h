/* probtext.h: the one rule for printing a probability, a bound or a
 * survival near 0 or 1. A text that reads as 1 for a value below 1 ("L 1"
 * of a net that can die) says "1 - d" instead, d the distance from 1; a text
 * that reads as 0 for a positive value says the value in exponent form.
 * Exactly 1 and exactly 0 print as the caller printed them. Every layer that
 * prints such values (reports, sweep tables, the live view, plot labels)
 * formats at its own precision and passes its text through here. */
#ifndef RELUSH_PROBTEXT_H
#define RELUSH_PROBTEXT_H

#include <stddef.h>

/* buf (size len) holds p as the caller printed it. gap is 1 - p when the
 * caller knows it more accurately than a double near 1 can hold it
 * (bound_death for L); NAN means 1 - p, which is exact for p >= 1/2.
 * Rewrites buf when its text reads as 1 while the value is below 1, or as 0
 * while p > 0, with up to digits significant digits, fewer while the text
 * does not fit len, then "1-d" without spaces ("<1" and ">0" when not even
 * one digit fits). */
void prob_text_fix(char *buf, size_t len, double p, double gap, int digits);

/* p printed with fmt (one double conversion, such as "%.4f"), then fixed. */
void prob_text(char *buf, size_t len, const char *fmt, double p, double gap, int digits);

#endif

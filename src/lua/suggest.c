/* suggest.c: "did you mean": the nearest of a list of names to a word that
 * names nothing (an option, a value of an option, a global, a method, a
 * help topic), by edit distance with transpositions ("depht" is one step
 * from "depth"), case-insensitive. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "rlua.h"

enum { SUGGEST_MAX_LEN = 64 };

int rlua_edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > SUGGEST_MAX_LEN || m > SUGGEST_MAX_LEN)
		return SUGGEST_MAX_LEN;
	/* optimal string alignment distance over three rows */
	int rows[3][SUGGEST_MAX_LEN + 1];
	int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= m; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= m; j++) {
			int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
			int d = prev[j - 1] + !same;
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2])
			    && tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1])
			    && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		int *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	/* "relU" for "relu": a difference of case alone is still one edit */
	return prev[m] == 0 && strcmp(a, b) != 0 ? 1 : prev[m];
}

bool rlua_close_enough(const char *word, const char *name, int distance)
{
	size_t n = strlen(word);
	int allowed = n <= 3 ? 1 : n <= 7 ? 2 : 3;
	/* a prefix of a longer name also counts ("res" for "residual") */
	if (n >= 3 && strncasecmp(word, name, n) == 0)
		return true;
	return distance <= allowed && distance < (int)strlen(name);
}

const char *rlua_nearest(const char *word, const char *const *names)
{
	const char *best = NULL;
	int best_d = SUGGEST_MAX_LEN + 1;
	for (size_t i = 0; names[i]; i++) {
		int d = rlua_edit_distance(word, names[i]);
		if (strncasecmp(word, names[i], strlen(word)) == 0 && strlen(word) >= 3)
			d = d < 1 ? d : 1;            /* a prefix ranks with one edit */
		if (d < best_d && d > 0 && rlua_close_enough(word, names[i], d)) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}

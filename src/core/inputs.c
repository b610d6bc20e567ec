/* inputs.c: input sets (the paper's X): random clouds, single points, the
 * orthant points, shrinking, and text files in and out. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "relush/alloc.h"
#include "relush/files.h"
#include "relush/inputs.h"
#include "relush/rng.h"

static rl_mat *sized(size_t m, size_t d, rl_err *e)
{
	if (m < 1 || d < 1) {
		rl_fail(e, "an input set needs at least one point and one dimension, got %zu x %zu", m, d);
		return NULL;
	}
	return mat_new(m, d, e);
}

/* Finite arguments can still give infinite coordinates (a huge scale or
 * range): such a set would make every later number meaningless and could not
 * be saved and loaded back, so it is refused. */
static rl_mat *all_finite(rl_mat *X, const char *what, rl_err *e)
{
	for (size_t i = 0; i < X->rows * X->cols; i++)
		if (!isfinite(X->data[i])) {
			rl_fail(e, "%s: coordinate %zu of point %zu is %g, beyond the largest "
			        "double (about 1.8e308); use a smaller scale",
			        what, i % X->cols + 1, i / X->cols + 1, X->data[i]);
			mat_free(X);
			return NULL;
		}
	return X;
}

rl_mat *inputs_gaussian(size_t m, size_t d, double sd, uint64_t seed, rl_err *e)
{
	if (!isfinite(sd) || sd <= 0) {
		rl_fail(e, "sd must be a finite number > 0, got %g", sd);
		return NULL;
	}
	rl_mat *X = sized(m, d, e);
	if (!X)
		return NULL;
	rl_rng r;
	rng_init(&r, seed, 0, RNG_STREAM_INPUTS);
	rng_normal(&r, X->data, m * d);
	for (size_t i = 0; i < m * d; i++)
		X->data[i] *= sd;
	char what[64];
	snprintf(what, sizeof what, "gaussian points with sd %g", sd);
	return all_finite(X, what, e);
}

rl_mat *inputs_uniform(size_t m, size_t d, double lo, double hi, uint64_t seed, rl_err *e)
{
	if (!isfinite(lo) || !isfinite(hi) || !(lo < hi)) {
		rl_fail(e, "uniform points need finite lo < hi, got lo = %g, hi = %g", lo, hi);
		return NULL;
	}
	rl_mat *X = sized(m, d, e);
	if (!X)
		return NULL;
	rl_rng r;
	rng_init(&r, seed, 0, RNG_STREAM_INPUTS + 1);
	rng_uniform(&r, X->data, m * d);
	if (isfinite(hi - lo)) {
		for (size_t i = 0; i < m * d; i++)
			X->data[i] = lo + (hi - lo) * X->data[i];
	} else {
		/* The width overflows (lo and hi of opposite signs near the double
		 * range): work in halves, exact, and keep rounding inside [lo, hi]. */
		double half_lo = lo / 2, half_width = hi / 2 - lo / 2;
		for (size_t i = 0; i < m * d; i++) {
			double x = 2.0 * (half_lo + half_width * X->data[i]);
			X->data[i] = fmin(fmax(x, lo), hi);
		}
	}
	return X;
}

rl_mat *inputs_point(size_t d, rl_err *e)
{
	rl_mat *X = sized(1, d, e);
	for (size_t i = 0; X && i < d; i++)
		X->data[i] = 1.0;
	return X;
}

rl_mat *inputs_default(size_t d, rl_err *e)
{
	return inputs_gaussian(INPUTS_DEFAULT_POINTS, d, 1.0, INPUTS_DEFAULT_SEED, e);
}

rl_mat *inputs_sphere(size_t m, size_t d, uint64_t seed, rl_err *e)
{
	rl_mat *X = sized(m, d, e);
	if (!X)
		return NULL;
	rl_rng r;
	rng_init(&r, seed, 0, RNG_STREAM_INPUTS + 2);
	for (size_t i = 0; i < m; i++) {
		double *x = mat_row(X, i), norm;
		do {  /* a zero Gaussian vector has probability 0; redraw anyway */
			rng_normal(&r, x, d);
			norm = 0.0;
			for (size_t j = 0; j < d; j++)
				norm += x[j] * x[j];
		} while (norm == 0.0);
		norm = sqrt(norm);
		for (size_t j = 0; j < d; j++)
			x[j] /= norm;
	}
	return X;
}

rl_mat *inputs_orthant(size_t d, double R, rl_err *e)
{
	if (!isfinite(R) || R <= 0) {
		rl_fail(e, "radius R must be a finite number > 0, got %g", R);
		return NULL;
	}
	if (d >= (size_t)1 << 31) {
		rl_fail(e, "dimension %zu is too large for the orthant set", d);
		return NULL;
	}
	rl_mat *X = sized(d + 1, d, e);
	for (size_t i = 1; X && i <= d; i++)
		mat_row(X, i)[i - 1] = R;
	return X;
}

rl_mat *inputs_shrink(const rl_mat *X, double eps, rl_err *e)
{
	if (!isfinite(eps) || eps < 0) {
		rl_fail(e, "eps must be a finite number >= 0, got %g", eps);
		return NULL;
	}
	rl_mat *Y = mat_clone(X, e);
	if (!Y)
		return NULL;
	const double *x0 = X->data;
	for (size_t i = 1; i < X->rows; i++) {
		double *y = mat_row(Y, i);
		for (size_t j = 0; j < X->cols; j++) {
			double s = x0[j] + eps * (y[j] - x0[j]);
			if (!isfinite(s))   /* maybe only y - x0 overflowed: halves are exact */
				s = 2.0 * (x0[j] / 2 + eps * (y[j] / 2 - x0[j] / 2));
			y[j] = s;
		}
	}
	char what[64];
	snprintf(what, sizeof what, "shrinking by eps = %g", eps);
	return all_finite(Y, what, e);
}

/* ---- text files ---------------------------------------------------------- */

typedef struct growable {
	double *v;
	size_t n, cap;
} growable;

/* Returns 0, or -1 with the message in e (over the memory limit, or out of
 * memory). */
static int push(growable *g, double x, const char *path, rl_err *e)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 1024;
		if (cap > ((size_t)-1) / 2 / sizeof *g->v ||
		    rl_mem_check((double)cap * sizeof *g->v, "reading the points", e))
			return -1;
		double *v = realloc(g->v, cap * sizeof *v);
		if (!v)
			return rl_fail(e, "%s: out of memory reading the file", path);
		g->v = v;
		g->cap = cap;
	}
	g->v[g->n++] = x;
	return 0;
}

/* Parses one line into g; returns its number of values or -1 (message in e). */
static long parse_line(char *line, size_t lineno, const char *path, growable *g, rl_err *e)
{
	long count = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0' || *p == '#')
			return count;
		char *end;
		errno = 0;
		double x = strtod(p, &end);
		if (end == p || !isfinite(x)) {
			size_t len = strcspn(p, " \t,;\r\n");
			rl_fail(e, "%s:%zu:%zu: expected a finite number, found '%.*s'", path, lineno,
			        (size_t)(p - line) + 1, (int)(len > 40 ? 40 : len), p);
			return -1;
		}
		/* a non-zero number below the smallest double would be read as 0,
		 * turning a point into the zero point (or a coordinate into none):
		 * refused as 1e999 is, rather than changed silently */
		if (x == 0 && errno == ERANGE) {
			size_t len = (size_t)(end - p);
			rl_fail(e, "%s:%zu:%zu: '%.*s' is too small for a double (it would read as 0; the "
			        "smallest is about 4.9e-324): scale the data", path, lineno,
			        (size_t)(p - line) + 1, (int)(len > 40 ? 40 : len), p);
			return -1;
		}
		if (push(g, x, path, e))
			return -1;
		count++;
		p = end;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ',' || *p == ';')
			p++;
		else if (*p && *p != '\n' && *p != '\r' && *p != '#' && end == p) {
			rl_fail(e, "%s:%zu:%zu: expected a separator (comma, semicolon or space), found '%c'",
			        path, lineno, (size_t)(p - line) + 1, *p);
			return -1;
		}
	}
}

rl_mat *inputs_load(const char *path, rl_err *e)
{
	rl_reader rd;
	/* a line holds at most a quarter of the memory limit; the points
	 * themselves are checked against the limit as they grow (push) */
	if (rl_reader_open(&rd, path, 0, SIZE_MAX, NULL, e))
		return NULL;
	growable g = {0};
	size_t rows = 0, len;
	long cols = -1;
	rl_mat *X = NULL;
	int failed = 0, got;
	while ((got = rl_reader_next(&rd, &len, e)) == 1) {
		long n = parse_line(rd.line, rd.lineno, path, &g, e);
		if (n < 0) {
			failed = 1;
			break;
		}
		if (n == 0)
			continue;
		if (cols >= 0 && n != cols) {
			rl_fail(e, "%s:%zu: this line has %ld values but the first point has %ld", path,
			        rd.lineno, n, cols);
			failed = 1;
			break;
		}
		cols = n;
		rows++;
	}
	failed |= got < 0;
	if (!failed && rows == 0)
		failed = rl_fail(e, "'%s' holds no points (one point per line, values separated by commas or spaces)", path) != 0;
	if (!failed && (X = mat_new(rows, (size_t)cols, e)))
		memcpy(X->data, g.v, rows * (size_t)cols * sizeof(double));
	free(g.v);
	rl_reader_close(&rd);
	return X;
}

/* The CSV text of X in one buffer (NULL with the message in e). */
static char *points_text(const rl_mat *X, size_t *len, rl_err *e)
{
	/* %.17g takes at most 24 characters plus the separator */
	size_t cells;
	if (rl_mul_size(X->rows, X->cols, &cells) || rl_mul_size(cells, 25, &cells) ||
	    cells > SIZE_MAX - X->rows - 1) {
		rl_fail(e, "the text of a %zu x %zu input set is too large", X->rows, X->cols);
		return NULL;
	}
	char *buf = rl_calloc(cells + X->rows + 1, 1, "the text of the input set", e);
	if (!buf)
		return NULL;
	char *p = buf;
	for (size_t i = 0; i < X->rows; i++) {
		const double *x = mat_row(X, i);
		for (size_t j = 0; j < X->cols; j++)
			p += sprintf(p, j ? ",%.17g" : "%.17g", x[j]);
		*p++ = '\n';
	}
	*len = (size_t)(p - buf);
	return buf;
}

int inputs_save(const rl_mat *X, const char *path, rl_err *e)
{
	/* inputs_load refuses non-finite numbers: never write a file it refuses. */
	for (size_t i = 0; i < X->rows * X->cols; i++)
		if (!isfinite(X->data[i]))
			return rl_fail(e, "cannot save to '%s': coordinate %zu of point %zu is %g, and "
			               "input files hold finite numbers only", path,
			               i % X->cols + 1, i / X->cols + 1, X->data[i]);
	size_t len;
	char *text = points_text(X, &len, e);
	if (!text)
		return -1;
	int rc = rl_write_atomic(path, text, len, e);
	free(text);
	return rc;
}

/* inputs.c: input sets (the paper's X): random clouds, single points, the
 * orthant points, shrinking, and text files in and out. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "relush/alloc.h"
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
	FILE *f = fopen(path, "r");
	if (!f) {
		rl_fail(e, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	growable g = {0};
	char *line = NULL;
	size_t cap = 0, lineno = 0, rows = 0;
	long cols = -1;
	rl_mat *X = NULL;
	int failed = 0;
	ssize_t got;
	while ((got = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (strlen(line) != (size_t)got) {
			rl_fail(e, "%s:%zu: the line holds a NUL byte; is this a text file?", path, lineno);
			failed = 1;
			break;
		}
		long n = parse_line(line, lineno, path, &g, e);
		if (n < 0) {
			failed = 1;
			break;
		}
		if (n == 0)
			continue;
		if (cols >= 0 && n != cols) {
			rl_fail(e, "%s:%zu: this line has %ld values but the first point has %ld", path, lineno, n, cols);
			failed = 1;
			break;
		}
		cols = n;
		rows++;
	}
	if (!failed && ferror(f))
		failed = rl_fail(e, "error reading '%s': %s", path, strerror(errno)) != 0;
	if (!failed && rows == 0)
		failed = rl_fail(e, "'%s' holds no points (one point per line, values separated by commas or spaces)", path) != 0;
	if (!failed && (X = mat_new(rows, (size_t)cols, e)))
		memcpy(X->data, g.v, rows * (size_t)cols * sizeof(double));
	free(line);
	free(g.v);
	fclose(f);
	return X;
}

static int write_points(FILE *f, const rl_mat *X)
{
	for (size_t i = 0; i < X->rows; i++) {
		const double *x = mat_row(X, i);
		for (size_t j = 0; j < X->cols; j++)
			fprintf(f, j ? ",%.17g" : "%.17g", x[j]);
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

/* Something that is not a regular file (/dev/stdout, a pipe) is written in
 * place: renaming over it would replace it. */
static int save_in_place(const rl_mat *X, const char *path, rl_err *e)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return rl_fail(e, "cannot write '%s': %s", path, strerror(errno));
	int bad = write_points(f, X);
	bad |= fclose(f) != 0;
	if (bad)
		return rl_fail(e, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

int inputs_save(const rl_mat *X, const char *path, rl_err *e)
{
	/* inputs_load refuses non-finite numbers: never write a file it refuses. */
	for (size_t i = 0; i < X->rows * X->cols; i++)
		if (!isfinite(X->data[i]))
			return rl_fail(e, "cannot save to '%s': coordinate %zu of point %zu is %g, and "
			               "input files hold finite numbers only", path,
			               i % X->cols + 1, i / X->cols + 1, X->data[i]);
	struct stat st;
	int exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode))
		return save_in_place(X, path, e);
	/* a symlink stays a link: its target is replaced */
	char *real = exists ? realpath(path, NULL) : NULL;
	const char *target = real ? real : path;
	size_t len = strlen(target);
	char *tmp = malloc(len + 32);
	if (!tmp) {
		free(real);
		return rl_fail(e, "out of memory");
	}
	snprintf(tmp, len + 32, "%s.tmp.%ld", target, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f) {
		rl_fail(e, "cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		free(real);
		return -1;
	}
	int bad = write_points(f, X);
	if (exists)                       /* the new file keeps the old one's mode */
		fchmod(fileno(f), st.st_mode & 07777);
	bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, target) != 0) {
		rl_fail(e, "cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		free(real);
		return -1;
	}
	free(tmp);
	free(real);
	return 0;
}

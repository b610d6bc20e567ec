/* mat.c: dense row-major matrices (see relush/mat.h). */
#include <stdlib.h>
#include <string.h>
#include "relush/alloc.h"
#include "relush/mat.h"

rl_mat *mat_new(size_t rows, size_t cols, rl_err *e)
{
	size_t n;
	if (rl_mul_size(rows, cols, &n)) {
		rl_fail(e, "a %zu x %zu matrix is too large", rows, cols);
		return NULL;
	}
	rl_mat *m = calloc(1, sizeof *m);
	if (!m) {
		rl_fail(e, "out of memory");
		return NULL;
	}
	m->data = rl_calloc(n, sizeof(double), "the matrix", e);
	if (!m->data) {
		free(m);
		return NULL;
	}
	m->rows = rows;
	m->cols = cols;
	return m;
}

rl_mat *mat_clone(const rl_mat *src, rl_err *e)
{
	rl_mat *m = mat_new(src->rows, src->cols, e);
	if (m)
		memcpy(m->data, src->data, src->rows * src->cols * sizeof(double));
	return m;
}

void mat_free(rl_mat *m)
{
	if (m) {
		free(m->data);
		free(m);
	}
}

int mat_nonnegative(const rl_mat *m)
{
	for (size_t i = 0, n = m->rows * m->cols; i < n; i++)
		if (!(m->data[i] >= 0.0))
			return 0;
	return 1;
}

size_t mat_zero_rows(const rl_mat *m)
{
	size_t zero = 0;
	for (size_t i = 0; i < m->rows; i++) {
		const double *row = mat_row(m, i);
		size_t j = 0;
		while (j < m->cols && row[j] == 0.0)
			j++;
		zero += j == m->cols;
	}
	return zero;
}

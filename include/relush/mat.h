/* mat.h: a dense row-major matrix of doubles. Input sets are matrices with
 * one point per row; so are the outputs of a forward pass. */
#ifndef RELUSH_MAT_H
#define RELUSH_MAT_H

#include <stddef.h>
#include "relush/err.h"

typedef struct rl_mat {
	size_t rows, cols;
	double *data;        /* rows * cols, row i at data + i * cols */
} rl_mat;

rl_mat *mat_new(size_t rows, size_t cols, rl_err *e);   /* zero-filled */
rl_mat *mat_clone(const rl_mat *m, rl_err *e);
void mat_free(rl_mat *m);
static inline double *mat_row(const rl_mat *m, size_t i) { return m->data + i * m->cols; }
/* 1 if every entry is >= 0 (the input set lies in the non-negative orthant). */
int mat_nonnegative(const rl_mat *m);
/* The number of rows that are exactly 0: with zero biases such a point has
 * every pre-activation exactly 0 (a tie), so it can never live. */
size_t mat_zero_rows(const rl_mat *m);

#endif

/* inputs.h: input sets, the paper's X. One point per row of an rl_mat. */
#ifndef RELUSH_INPUTS_H
#define RELUSH_INPUTS_H

#include <stddef.h>
#include <stdint.h>
#include "relush/mat.h"

rl_mat *inputs_gaussian(size_t m, size_t d, double sd, uint64_t seed, rl_err *e);
rl_mat *inputs_uniform(size_t m, size_t d, double lo, double hi, uint64_t seed, rl_err *e);
rl_mat *inputs_point(size_t d, rl_err *e);                 /* (1, ..., 1) */
/* The one default input set, used when X is not given (mc, net:death,
 * net:alignment, view): 64 standard Gaussian points in dimension d, seed 1.
 * A spread set, not one point: with one point P(alive) = L exactly, which
 * hides the gap the paper is about. INPUTS_DEFAULT_NAME names it in reports. */
#define INPUTS_DEFAULT_POINTS 64
#define INPUTS_DEFAULT_SEED 1
#define INPUTS_DEFAULT_NAME "the default, 64 standard Gaussian points, seed 1"
rl_mat *inputs_default(size_t d, rl_err *e);
rl_mat *inputs_sphere(size_t m, size_t d, uint64_t seed, rl_err *e);
rl_mat *inputs_orthant(size_t d, double R, rl_err *e);     /* 0 and R e_i */
rl_mat *inputs_shrink(const rl_mat *X, double eps, rl_err *e);
/* CSV or whitespace-separated text, one point per line; '#' starts a
 * comment; errors give the line and column. */
rl_mat *inputs_load(const char *path, rl_err *e);
/* Writes CSV through rl_write_atomic (relush/files.h): atomic, links kept,
 * devices and pipes written in place, read-only files refused. */
int inputs_save(const rl_mat *X, const char *path, rl_err *e);

#endif

/* npy.h: NumPy's .npy array format, in and out. An array is read into
 * doubles in C (row-major) order whatever its dtype, order or byte order;
 * arrays are written as little-endian float64 in C order, the form NumPy
 * and PyTorch read everywhere. The format is NumPy's NEP 1
 * (numpy.lib.format): a magic string, a version, a Python-literal header
 * dictionary, then the raw data. */
#ifndef RELUSH_NPY_H
#define RELUSH_NPY_H

#include <stddef.h>
#include "relush/err.h"

/* A 1-D or 2-D array of doubles. 1-D arrays have rows = 1, ndim = 1. */
typedef struct rl_array {
	int ndim;            /* 1 or 2 */
	size_t rows, cols;   /* shape (rows, cols), or (cols,) when ndim is 1 */
	double *data;        /* rows * cols values, row-major */
} rl_array;

void rl_array_free(rl_array *a);   /* frees data; a itself is the caller's */

/* Parses a whole .npy image (len bytes). Accepts format versions 1 to 3;
 * dtypes float16, float32, float64, signed and unsigned integers of 1, 2, 4 and 8
 * bytes (and booleans) in either byte order; C or Fortran order; ranks 1
 * and 2. Values must be finite. name says where the bytes came from, for
 * the messages ("X.npy", "data.npz:train_x"). Returns 0, or -1 with a
 * message; the data is allocated through the memory budget. */
int npy_parse(const unsigned char *buf, size_t len, const char *name, rl_array *out, rl_err *e);

/* A .npy image (version 1.0, '<f8', C order) of a rows x cols array (ndim 2)
 * or of cols values (ndim 1, rows must be 1). Returns a malloc'ed buffer and
 * its length in *len, or NULL with a message. */
unsigned char *npy_encode(const double *data, int ndim, size_t rows, size_t cols,
                          size_t *len, rl_err *e);

/* Reads a whole file through the memory budget: a malloc'ed buffer (with
 * one extra NUL byte) and its length, or NULL with a message naming path. */
unsigned char *rl_read_file(const char *path, size_t *len, rl_err *e);

/* What the file at path holds by its first bytes: 1 a .npy array (NumPy's
 * magic), 2 a ZIP archive (.npz), 0 anything else, or a file that is not a
 * regular one or cannot be read (nothing is consumed from a pipe). */
int npy_sniff(const char *path);

/* inputs from a .npy file: a 2-D array gives one point per row, a 1-D
 * array one point. */
int npy_load(const char *path, rl_array *out, rl_err *e);
/* Writes X (rows x cols) as a 2-D .npy file through rl_write_atomic. */
int npy_save(const char *path, const double *data, size_t rows, size_t cols, rl_err *e);

#endif

/* npz.h: NumPy's .npz archives (np.savez, np.savez_compressed): a ZIP file
 * whose members are .npy files. Members may be stored or deflated (zlib
 * inflates them); ZIP64 records, as NumPy writes them, are understood. */
#ifndef RELUSH_NPZ_H
#define RELUSH_NPZ_H

#include <stddef.h>
#include "relush/err.h"
#include "relush/npy.h"

typedef struct rl_npz rl_npz;

/* Reads the archive at path and its table of members. NULL with a message
 * naming path when it is not a readable ZIP file. */
rl_npz *npz_open(const char *path, rl_err *e);
void npz_close(rl_npz *z);

size_t npz_count(const rl_npz *z);
/* Member i's array name: the member's file name without ".npy". */
const char *npz_name(const rl_npz *z, size_t i);
/* The member called name (with or without ".npy"), or -1. */
long npz_find(const rl_npz *z, const char *name);
/* Inflates (when deflated), checks the CRC and parses member i. */
int npz_read(const rl_npz *z, size_t i, rl_array *out, rl_err *e);
/* "train_x, test_x, ..." (up to len bytes), for messages. */
void npz_list(const rl_npz *z, char *buf, size_t len);

/* Writes n arrays as a stored (uncompressed) archive, member names[i] +
 * ".npy", through rl_write_atomic. */
int npz_write(const char *path, size_t n, const char *const *names, const rl_array *arrays, rl_err *e);

#endif

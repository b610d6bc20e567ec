/* files.h: writing a whole file so that nothing is ever lost: a reader sees
 * the old file or the complete new one, never half of one. */
#ifndef RELUSH_FILES_H
#define RELUSH_FILES_H

#include <stddef.h>
#include "relush/err.h"

/* Writes data to path through a temporary file in the same folder, fsync'ed
 * and renamed into place. A symlink stays a link (its target is replaced),
 * an existing file keeps its mode, and something that is not a regular file
 * (/dev/stdout, a pipe) is written in place, since renaming over it would
 * replace it. Returns 0, or -1 with a message naming path. */
int rl_write_atomic(const char *path, const char *data, size_t len, rl_err *e);

#endif

/* files.h: the one writer and the one reader every file of relush goes
 * through (results, X:save, plots, history). Writing is whole-file and
 * atomic, so that nothing is ever lost: a reader sees the old file or the
 * complete new one, never half of one, and a failed write (disk full, file
 * size limit, no permission) leaves the old file as it was. Reading stops at
 * a size limit, so /dev/zero or a runaway file cannot eat the machine. */
#ifndef RELUSH_FILES_H
#define RELUSH_FILES_H

#include <stddef.h>
#include <stdio.h>
#include "relush/err.h"

/* Writes data to path. The rules:
 * - a regular file (or a new one) is replaced atomically: a temporary file
 *   created with O_EXCL in the same folder (never a predictable name, never
 *   through a planted link), fsync'ed, renamed over the target, and the
 *   folder fsync'ed; it keeps the old file's mode (and owner, when allowed);
 * - a symlink is followed: its target is replaced and the link stays;
 * - a read-only file (no write permission for us) is refused, as a shell's
 *   `>` would refuse it;
 * - a character device or a FIFO (/dev/null, /dev/stdout, a pipe) is
 *   written in place, never replaced; a FIFO nobody reads is refused at
 *   once instead of hanging; block devices, sockets and folders are refused.
 * Returns 0, or -1 with a message naming path. */
int rl_write_atomic(const char *path, const char *data, size_t len, rl_err *e);
/* rl_write_atomic of a text just built, which this call frees: a NULL text
 * is a build that failed with e filled, and gives -1 at once. */
int rl_write_text(const char *path, char *text, rl_err *e);

/* Appends data to path by the same rules: a regular file is copied with
 * data added into a temporary file renamed over it (so a failure leaves the
 * old content whole); a device or FIFO gets data appended in place and is
 * never read back. The files appended to are line-oriented text: when the
 * old content does not end in a newline, one is added before data. */
int rl_append_atomic(const char *path, const char *data, size_t len, rl_err *e);

/* Checks, before long work starts, that rl_write_atomic / rl_append_atomic
 * could write path: not empty, not a folder, the folder exists and is
 * writable (a temporary file, as the write makes, is created there and
 * removed: the only test that holds for root and for /proc), not read-only,
 * not a block device or socket (a FIFO is not opened: whether someone reads
 * it is known only when writing). Returns 0 or -1 with the message. */
int rl_check_writable(const char *path, rl_err *e);

/* The one reader: a text file read line by line with a limit on the length
 * of a line and on the whole file (both in bytes; 0 for the memory limit),
 * so that reading /dev/zero or a file with no newline stops with a message
 * instead of growing without bound. Folders are refused. */
typedef struct rl_reader {
	FILE *f;
	const char *path;
	char *line;
	size_t cap, max_line, max_total, total, lineno;
} rl_reader;

/* Opens path; returns 0, or -1 with the message (*missing set when the file
 * does not exist, if missing is not NULL). */
int rl_reader_open(rl_reader *r, const char *path, size_t max_line, size_t max_total,
                   int *missing, rl_err *e);
/* The next line without its newline (NUL-terminated in r->line, length in
 * *len; a NUL byte inside it is refused): 1, 0 at the end, -1 with the
 * message naming the file and line. */
int rl_reader_next(rl_reader *r, size_t *len, rl_err *e);
void rl_reader_close(rl_reader *r);

#endif

/* err.h: how the engine reports failure. Every fallible core function takes
 * an rl_err * and, on failure, writes a complete sentence into it (what was
 * wrong and what is accepted) and returns NULL or -1. The Lua layer turns the
 * sentence into a Lua error; the engine never prints and never exits. */
#ifndef RELUSH_ERR_H
#define RELUSH_ERR_H

#include <stddef.h>

typedef struct rl_err {
	char msg[512];
} rl_err;

/* Formats the message into e (e may be NULL) and returns -1. */
int rl_fail(rl_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

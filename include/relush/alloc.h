/* alloc.h: every large allocation goes through here, so that a request the
 * machine cannot hold is refused with a message instead of swapping or
 * crashing, and size arithmetic never overflows silently. */
#ifndef RELUSH_ALLOC_H
#define RELUSH_ALLOC_H

#include <stddef.h>
#include "relush/err.h"

/* Current memory limit in bytes: the one set by rl_mem_set_limit (Lua's
 * limits.memory), else RELUSH_MEM_LIMIT (bytes, or with a K/M/G/T suffix;
 * read once, at the first call), else 3/4 of physical memory. */
size_t rl_mem_limit(void);
void rl_mem_set_limit(size_t bytes); /* 0 restores the default */
/* Where the current limit comes from, for messages: "set by limits.memory",
 * "RELUSH_MEM_LIMIT=512M", or "3/4 of physical memory (15.5 GiB)". */
const char *rl_mem_limit_origin(char *buf, size_t len);
/* "123", "512M", "8G", "1.5GiB" (K, M, G, T suffixes, powers of 1024, an
 * optional B or iB) -> bytes; 0 when s is not such a size. */
size_t rl_mem_parse_size(const char *s);

/* bytes as "1.5 GiB" (powers of 1024) into buf, for messages. */
void rl_mem_human(double bytes, char *buf, size_t len);

/* a * b into *out; returns 0, or -1 when it overflows size_t. */
int rl_mul_size(size_t a, size_t b, size_t *out);

/* Zeroed array of n elements of size bytes. Fails (NULL, message naming
 * `what` and the size asked for) on overflow, over the limit, or ENOMEM. */
void *rl_calloc(size_t n, size_t size, const char *what, rl_err *e);
/* Frees arrays[0 .. n-1] (one per layer, say) and then arrays; a NULL
 * arrays is nothing to free. */
void rl_free_arrays(double **arrays, size_t n);
/* Checks a planned total without allocating: 0 or -1 with the message. */
int rl_mem_check(double bytes, const char *what, rl_err *e);

#endif

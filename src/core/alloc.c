/* alloc.c: the memory budget. A request is compared with the limit before
 * anything is allocated, so an impossible size fails at once with a message
 * instead of driving the machine into swap or the OOM killer. */
#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "relush/alloc.h"

/* Atomic: the limit is read by every allocation, also by the Lua heap's
 * allocator and worker threads, and set by limits.memory. The default is
 * worked out once (the environment does not change under us). */
static _Atomic size_t mem_limit_override, mem_limit_default;

static size_t physical_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	if (pages <= 0 || page <= 0)
		return (size_t)4 << 30;
	return (size_t)pages * (size_t)page;
}

void rl_mem_human(double bytes, char *buf, size_t len)
{
	const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	int u = 0;
	while (bytes >= 1024.0 && u < 6) {
		bytes /= 1024.0;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
}

size_t rl_mem_parse_size(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !(v > 0))
		return 0;
	int unit = 1;
	switch (toupper((unsigned char)*end)) {
	case 'K': v *= 1024.0; break;
	case 'M': v *= 1048576.0; break;
	case 'G': v *= 1073741824.0; break;
	case 'T': v *= 1099511627776.0; break;
	default: unit = 0; break;
	}
	end += unit;
	if (unit && end[0] == 'i' && toupper((unsigned char)end[1]) == 'B')
		end += 2;
	else if (toupper((unsigned char)*end) == 'B')
		end++;
	/* 1 byte at least; below 2^63 so the size converts exactly and sums
	 * with it cannot wrap */
	if (*end != '\0' || !(v >= 1.0) || v >= 9.2e18)
		return 0;
	return (size_t)v;
}

size_t rl_mem_limit(void)
{
	size_t v = atomic_load_explicit(&mem_limit_override, memory_order_relaxed);
	if (v)
		return v;
	v = atomic_load_explicit(&mem_limit_default, memory_order_relaxed);
	if (v)
		return v;
	const char *env = getenv("RELUSH_MEM_LIMIT");
	v = env ? rl_mem_parse_size(env) : 0;
	if (!v)
		v = physical_memory() / 4 * 3;
	atomic_store_explicit(&mem_limit_default, v, memory_order_relaxed);
	return v;
}

const char *rl_mem_limit_origin(char *buf, size_t len)
{
	const char *env = getenv("RELUSH_MEM_LIMIT");
	if (atomic_load_explicit(&mem_limit_override, memory_order_relaxed))
		snprintf(buf, len, "set by limits.memory; nil restores the default");
	else if (env && rl_mem_parse_size(env))
		snprintf(buf, len, "from RELUSH_MEM_LIMIT=%s", env);
	else {
		char h[32];
		rl_mem_human((double)physical_memory(), h, sizeof h);
		snprintf(buf, len, "the default: 3/4 of physical memory (%s); RELUSH_MEM_LIMIT is not set", h);
	}
	return buf;
}

void rl_mem_set_limit(size_t bytes)
{
	atomic_store_explicit(&mem_limit_override, bytes, memory_order_relaxed);
}

int rl_mul_size(size_t a, size_t b, size_t *out)
{
	if (a && b > SIZE_MAX / a)
		return -1;
	*out = a * b;
	return 0;
}


int rl_mem_check(double bytes, const char *what, rl_err *e)
{
	size_t limit = rl_mem_limit();
	if (bytes <= (double)limit)
		return 0;
	char asked[32], have[32];
	rl_mem_human(bytes, asked, sizeof asked);
	rl_mem_human((double)limit, have, sizeof have);
	return rl_fail(e, "%s would need %s of memory, more than the limit of %s "
	               "(set RELUSH_MEM_LIMIT or limits.memory to change it)", what, asked, have);
}

void *rl_calloc(size_t n, size_t size, const char *what, rl_err *e)
{
	size_t total;
	if (rl_mul_size(n, size, &total)) {
		rl_fail(e, "%s: size overflows (%zu x %zu bytes)", what, n, size);
		return NULL;
	}
	if (rl_mem_check((double)total, what, e))
		return NULL;
	void *p = calloc(total ? total : 1, 1);
	if (!p)
		rl_fail(e, "%s: out of memory (%zu bytes)", what, total);
	return p;
}

void rl_free_arrays(double **arrays, size_t n)
{
	for (size_t i = 0; arrays && i < n; i++)
		free(arrays[i]);
	free(arrays);
}

/* alloc.c: the memory budget. A request is compared with the limit before
 * anything is allocated, so an impossible size fails at once with a message
 * instead of driving the machine into swap or the OOM killer. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "relush/alloc.h"

static size_t mem_limit_override;

static size_t physical_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	if (pages <= 0 || page <= 0)
		return (size_t)4 << 30;
	return (size_t)pages * (size_t)page;
}

/* "123", "512M", "8G" -> bytes; 0 when unparsable. */
static size_t parse_size(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return 0;
	switch (toupper((unsigned char)*end)) {
	case 'K': v *= 1024.0; end++; break;
	case 'M': v *= 1048576.0; end++; break;
	case 'G': v *= 1073741824.0; end++; break;
	case 'T': v *= 1099511627776.0; end++; break;
	default: break;
	}
	if (toupper((unsigned char)*end) == 'B')
		end++;
	if (*end != '\0' || v >= (double)SIZE_MAX)
		return 0;
	return (size_t)v;
}

size_t rl_mem_limit(void)
{
	if (mem_limit_override)
		return mem_limit_override;
	const char *env = getenv("RELUSH_MEM_LIMIT");
	size_t v = env ? parse_size(env) : 0;
	return v ? v : physical_memory() / 4 * 3;
}

void rl_mem_set_limit(size_t bytes) { mem_limit_override = bytes; }

int rl_mul_size(size_t a, size_t b, size_t *out)
{
	if (a && b > SIZE_MAX / a)
		return -1;
	*out = a * b;
	return 0;
}

static void human(double bytes, char *buf, size_t len)
{
	const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	int u = 0;
	while (bytes >= 1024.0 && u < 6) {
		bytes /= 1024.0;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
}

int rl_mem_check(double bytes, const char *what, rl_err *e)
{
	size_t limit = rl_mem_limit();
	if (bytes <= (double)limit)
		return 0;
	char asked[32], have[32];
	human(bytes, asked, sizeof asked);
	human((double)limit, have, sizeof have);
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

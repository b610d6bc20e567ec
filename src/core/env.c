/* env.c: the RELUSH_* environment variables (see relush/env.h). One table
 * says what each accepts, so the start-up check and the readers agree. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "relush/alloc.h"
#include "relush/env.h"
#include "relush/net.h"

enum kind { SIZE, NUMBER, UNSIGNED, PRECISION, ANY };

static const struct var {
	const char *name;
	enum kind kind;
	double min;
	const char *accepts;
} vars[] = {
	{"RELUSH_MEM_LIMIT", SIZE, 1048576.0,
	 "a size of at least 1 MiB: a number of bytes, or with a suffix K, M, G or T (powers of 1024, "
	 "an optional B or iB), with no space, e.g. 1048576, 512M, 2G, 1.5GiB"},
	{"RELUSH_SEED", UNSIGNED, 0, "a non-negative integer (decimal, or hexadecimal with 0x), e.g. 42"},
	{"RELUSH_MC_NS_VARIATE", NUMBER, 1e-300, "a finite number > 0 (nanoseconds per random variate), e.g. 1.2"},
	{"RELUSH_MC_LAZY_L", NUMBER, 0, "a finite number >= 0, e.g. 0.5"},
	{"RELUSH_MC_BLAS_MIN", NUMBER, 0, "a finite number >= 0 (multiply-adds; 0 never uses the BLAS), e.g. 1e6"},
	{"RELUSH_PRECISION", PRECISION, 0, "double or single (the precision of relu and mc when not given)"},
	{"RELUSH_HISTORY", ANY, 0, NULL},
	{"RELUSH_FAULT_INJECTION", ANY, 0, NULL},
};

static int number_ok(const char *s, double min, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v) || v < min)
		return 0;
	*out = v;
	return 1;
}

static int value_ok(const struct var *v, const char *s)
{
	double d;
	switch (v->kind) {
	case SIZE:
		return rl_mem_parse_size(s) >= (size_t)v->min;
	case NUMBER:
		return number_ok(s, v->min, &d);
	case UNSIGNED: {
		char *end;
		errno = 0;
		(void)strtoull(s, &end, 0);
		return end != s && *end == '\0' && errno == 0 && s[strspn(s, " \t")] != '-';
	}
	case PRECISION: {
		rl_precision p;
		return precision_parse(s, &p) == 0;
	}
	case ANY:
		return 1;
	}
	return 0;
}

int rl_env_check(rl_err *e)
{
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *s = getenv(vars[i].name);
		if (s && *s && !value_ok(&vars[i], s))
			return rl_fail(e, "%s='%s' is not valid: it must be %s (or unset it)", vars[i].name, s,
			               vars[i].accepts);
	}
	return 0;
}

double rl_env_number(const char *name, double def, double min)
{
	const char *s = getenv(name);
	double v;
	return s && *s && number_ok(s, min, &v) ? v : def;
}

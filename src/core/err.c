/* err.c: formatting engine error messages (see relush/err.h). */
#include <stdarg.h>
#include <stdio.h>
#include "relush/err.h"

int rl_fail(rl_err *e, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
	}
	return -1;
}

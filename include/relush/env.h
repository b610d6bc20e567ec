/* env.h: the RELUSH_* environment variables, checked in one place. A value
 * relush cannot read is refused at start-up with a message naming the
 * accepted forms, instead of being silently ignored (or, worse, used: a NaN
 * tuning constant would end up in results files relush itself rejects). */
#ifndef RELUSH_ENV_H
#define RELUSH_ENV_H

#include "relush/err.h"

/* Checks every RELUSH_* variable that is set and not empty. Returns 0, or
 * -1 with a message naming the first bad one, its value and what it takes. */
int rl_env_check(rl_err *e);

/* A RELUSH_* number: the variable's value when it is set, not empty and a
 * finite number >= min, else def. */
double rl_env_number(const char *name, double def, double min);

#endif

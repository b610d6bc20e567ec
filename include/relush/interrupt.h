/* interrupt.h: the two hooks through which the engine talks upward. Long
 * kernels poll rl_interrupted() (and rl_paused()) between chunks, and
 * report progress through a callback at most every ~50 ms. The shell sets
 * the flag from its SIGINT handler; the view plugs into the progress
 * callback and sets the pause flag. */
#ifndef RELUSH_INTERRUPT_H
#define RELUSH_INTERRUPT_H

#include <signal.h>

extern volatile sig_atomic_t rl_interrupt_flag;

static inline int rl_interrupted(void) { return rl_interrupt_flag != 0; }
void rl_interrupt_request(void);   /* async-signal-safe */
void rl_interrupt_clear(void);

/* Pausing: while the flag is set, long kernels wait between chunks (the
 * Monte Carlo workers claim no new work; the coordinator keeps calling the
 * progress callback, so a view can take the key that resumes). A stop
 * request ends the wait. The view sets it with its `p` key. */
extern volatile sig_atomic_t rl_pause_flag;
static inline int rl_paused(void) { return rl_pause_flag != 0; }
void rl_pause_set(int paused);

/* Monotonic wall clock in seconds. */
double rl_now(void);

#endif

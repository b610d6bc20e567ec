/* interrupt.c: the interrupt and pause flags polled by long kernels, and
 * the clock. */
#include <time.h>
#include "relush/interrupt.h"

volatile sig_atomic_t rl_interrupt_flag;

void rl_interrupt_request(void) { rl_interrupt_flag = 1; }
void rl_interrupt_clear(void) { rl_interrupt_flag = 0; }

volatile sig_atomic_t rl_pause_flag;

void rl_pause_set(int paused) { rl_pause_flag = paused != 0; }

double rl_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

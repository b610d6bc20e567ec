/* test_pause.c: the engine's pause (rl_pause_set, the live view's p key).
 * While the flag is set the Monte Carlo workers claim no new trials, the
 * coordinator keeps calling the progress callback (so the view can take the
 * key that resumes), and after resuming the run completes with exactly the
 * counts of an unpaused run; a stop request ends a paused run. */
#include <stdint.h>
#include <string.h>
#include "tap.h"
#include "relush/inputs.h"
#include "relush/interrupt.h"
#include "relush/mc.h"

static size_t widths[8] = {3, 3, 3, 3, 3, 3, 3, 3};

#define PAUSED_CALLS 20   /* progress calls (10 ms apart) the pause lasts */
#define SETTLED_CALLS 8   /* the last ones, by which the chunks in flight have ended */

typedef struct pauser {
	int calls;             /* progress calls so far */
	int paused_calls;      /* calls made while paused */
	uint64_t done[PAUSED_CALLS];   /* trials counted at each of them */
	int stop_when_paused;  /* return 1 (stop) once paused */
} pauser;

/* Pauses on the 2nd call, resumes after PAUSED_CALLS calls paused. The
 * chunks the workers had claimed when the flag was set still end (and are
 * counted); after them nothing moves. */
static int pause_progress(const mc_progress *p, void *arg)
{
	pauser *s = arg;
	if (p->final)
		return 0;
	s->calls++;
	if (s->calls == 2)
		rl_pause_set(1);
	else if (rl_paused()) {
		s->done[s->paused_calls++] = p->done;
		if (s->stop_when_paused && s->paused_calls == 4)
			return 1;
		if (s->paused_calls == PAUSED_CALLS)
			rl_pause_set(0);
	}
	return 0;
}

/* The count stood still over the last SETTLED_CALLS paused calls. */
static int settled(const pauser *s)
{
	for (int i = PAUSED_CALLS - SETTLED_CALLS + 1; i < PAUSED_CALLS; i++)
		if (s->done[i] != s->done[i - 1])
			return 0;
	return 1;
}

int main(void)
{
	rl_err e;
	rl_mat *X = inputs_gaussian(16, 3, 1.0, 1, &e);
	rl_net_spec spec = {.depth = 8, .input = 3, .widths = widths,
	                    .weights = {LAW_NORMAL, SCALE_HE, 0.0}, .bias = {LAW_ZERO, SCALE_FIXED, 0.0},
	                    .arch = ARCH_PLAIN, .seed = 7};
	mc_config c = {.spec = &spec, .X = X, .trials = 400000, .threads = 2, .method = MC_METHOD_EXPLICIT,
	               .chunk = 64, .progress_interval = 0.01};
	mc_result *plain = mc_run(&c, &e);
	tap_ok(plain != NULL && !plain->interrupted, "an unpaused run completes");

	pauser s;
	memset(&s, 0, sizeof s);
	c.progress = pause_progress;
	c.progress_ctx = &s;
	mc_result *r = mc_run(&c, &e);
	tap_ok(r != NULL && s.paused_calls == PAUSED_CALLS, "progress calls go on while paused (%d)",
	       s.paused_calls);
	tap_ok(settled(&s), "once the chunks in flight end, no trial is counted while paused "
	       "(%llu trials)", (unsigned long long)s.done[PAUSED_CALLS - 1]);
	tap_ok(s.done[PAUSED_CALLS - 1] < c.trials, "the pause came before the end of the run");
	tap_ok(r && !r->interrupted && r->counts.trials == c.trials, "after resuming the run completes");
	tap_ok(r && plain && r->counts.alive_trials == plain->counts.alive_trials &&
	       r->counts.living_sum == plain->counts.living_sum,
	       "a paused run counts exactly what an unpaused one does");
	mc_result_free(r);

	memset(&s, 0, sizeof s);
	s.stop_when_paused = 1;
	r = mc_run(&c, &e);
	tap_ok(r && r->interrupted && r->counts.trials < c.trials, "a stop request ends a paused run");
	rl_pause_set(0);
	mc_result_free(r);
	mc_result_free(plain);
	mat_free(X);
	return tap_done();
}

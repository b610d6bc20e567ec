/* mc_observer.h: how mc{..., view = true} hands its run to the live view
 * without going through Lua. The view (a layer above) registers one
 * observer as a light userdata at registry[MC_OBSERVER_KEY]; lmc.c calls
 * it from the engine's progress callback with the engine's own progress
 * structure (mc_progress: counts, trials, timing), so nothing is turned
 * into Lua tables and back. Every call happens on the thread that called
 * mc_run, between the engine's chunks. */
#ifndef RELUSH_LUA_MC_OBSERVER_H
#define RELUSH_LUA_MC_OBSERVER_H

#include "relush/mc.h"

#define MC_OBSERVER_KEY "relush.mc_observer"

typedef struct rlua_mc_observer {
	/* Before the run (cfg validated, nothing computed yet). Returns 0 to
	 * follow the run, or -1 when it cannot (it has said why on stderr):
	 * the run then goes on without it. */
	int (*begin)(void *ctx, const mc_config *cfg);
	/* Each progress call, the final one included. Returns non-zero to stop
	 * the run (the user left the view): the result is then partial. */
	int (*progress)(void *ctx, const mc_progress *p);
	/* After mc_run returned (also after an error): closes whatever is
	 * still open; ok is 0 when the run failed (nothing is printed then). */
	void (*end)(void *ctx, int ok);
	void *ctx;
} rlua_mc_observer;

#endif

/* sweep_observer.h: how mc.sweep{..., view = true} hands its points to
 * the live view without going through Lua tables. The view (a layer
 * above) registers one observer as a light userdata at
 * registry[SWEEP_OBSERVER_KEY]. While a sweep is followed, lsweep.c puts
 * the observer's own mc observer (mc_observer.h) at
 * registry[MC_OBSERVER_KEY] in place of the single-run view, so each
 * point's run reports the engine's progress structure to the sweep view
 * directly, C to C; the finished point's estimate comes from those same
 * counts. Lua only says, once per point, where on the x axis it goes. */
#ifndef RELUSH_LUA_SWEEP_OBSERVER_H
#define RELUSH_LUA_SWEEP_OBSERVER_H

#include <stddef.h>
#include "mc_observer.h"

#define SWEEP_OBSERVER_KEY "relush.sweep_observer"

typedef struct rlua_sweep_observer {
	/* Before the first point: x_name is the swept option on the x axis,
	 * x_count its number of values, points the number of runs. Returns 0
	 * to follow the sweep, -1 when it cannot (it has said why on stderr):
	 * the sweep then runs without a view. */
	int (*begin)(void *ctx, const char *x_name, size_t x_count, size_t points);
	/* Before each point's run: its x position (0-based, < x_count), its
	 * curve (0-based: one per combination of the other swept options), and
	 * a label such as "depth = 8". */
	void (*point)(void *ctx, size_t x_index, size_t curve, const char *label);
	/* The user left the view (q or Esc): the sweep stops. */
	int (*left)(void *ctx);
	/* After the sweep (also after an error, more than once is harmless).
	 * finished: the sweep ran to its end, so a terminal view waits for q
	 * and a text view prints its snapshot. */
	void (*end)(void *ctx, int finished);
	rlua_mc_observer *mc;   /* each point's run reports here */
	void *ctx;
} rlua_sweep_observer;

#endif
